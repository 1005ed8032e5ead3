#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Three views of the same PRM modules, compared handler by handler:
EDK II's PrmInfo (`PrmInfo.efi -l`, its own discovery of the loaded
modules), our PrmInfo (`PRMINFO:` lines, read from the installed PRMT) and
`rtprm prm module` on the module files (the host parse of their export
descriptors).

  prminfo_compare.py --serial LOG --rtprm CLI --module FILE... [--ours] --out MD

For every module of --module: the module GUID, and for each handler its
GUID and name, must be the same in every view present in LOG. Addresses: a
handler's address minus its RVA (rtprm) is its module's load address, the
same for every handler of the module and page-aligned; where the Shell
printed "Image '...' loaded at X" for the file, it must be X; with --ours,
our PrmInfo must list the same address and static data buffer as EDK II's.
Differences in presentation (EDK II's module name is the export directory's
name as the toolchain wrote it, ours its last path component; version
printed 01.00 vs v1.0) are listed in MD, not failed. Exit 1 on a mismatch.
"""
import argparse
import json
import os
import re
import subprocess
import sys

ANSI = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]")


def lines_of(path):
    text = ANSI.sub("", open(path, errors="replace").read())
    return [ln.strip() for ln in text.replace("\r", "\n").split("\n")]


def edk2_view(lines):
    """{module GUID: {"name", "version", "handlers": {GUID: {name, address, static}}}} from
    EDK II's PrmInfo listing (the first one in the log)."""
    mods, mod, handler = {}, None, None
    started = False
    for ln in lines:
        if ln.startswith("PRM Modules and Handlers:"):
            if started:
                break
            started = True
            continue
        if not started:
            continue
        if ln.startswith("Module Name:"):
            mod = {"name": ln.split(":", 1)[1].strip(), "handlers": {}}
        elif ln.startswith("Module GUID:") and mod is not None:
            mods[ln.split(":", 1)[1].strip().upper()] = mod
        elif ln.startswith("Module Version:") and mod is not None:
            mod["version"] = ln.split(":", 1)[1].strip()
        elif ln.startswith("Handler Name:") and mod is not None:
            handler = {"name": ln.split(":", 1)[1].strip(), "static": 0}
        elif ln.startswith("Handler GUID:") and handler is not None:
            mod["handlers"][ln.split(":", 1)[1].strip().upper()] = handler
        elif ln.startswith("Handler Physical Address:") and handler is not None:
            handler["address"] = int(ln.split(":", 1)[1], 16)
        elif ln.startswith("Static Data Buffer:") and handler is not None:
            handler["static"] = int(ln.split(":", 1)[1], 16)
        elif "FS0:\\>" in ln or ln.startswith("Shell>"):
            break
    return mods


OUR_MODULE = re.compile(r"^PRMINFO: module ([0-9A-F-]{36}) v(\d+)\.(\d+),")
OUR_HANDLER = re.compile(r"^PRMINFO:   handler ([0-9A-F-]{36}) (\S+) at 0x([0-9a-f]+) static data 0x([0-9a-f]+)")


def our_view(lines):
    mods, mod = {}, None
    for ln in lines:
        m = OUR_MODULE.match(ln)
        if m:
            mod = mods.setdefault(m.group(1), {"version": "%s.%s" % (m.group(2), m.group(3)), "handlers": {}})
            continue
        h = OUR_HANDLER.match(ln)
        if h and mod is not None:
            mod["handlers"][h.group(1)] = {"name": h.group(2), "address": int(h.group(3), 16),
                                           "static": int(h.group(4), 16)}
    return mods


LOADED_AT = re.compile(r"^Image '.*\\([^\\']+)' loaded at ([0-9A-Fa-f]+) - Success")


def shell_loads(lines):
    return {m.group(1): int(m.group(2), 16) for m in (LOADED_AT.match(ln) for ln in lines) if m}


def host_view(rtprm, path):
    r = subprocess.run([rtprm, "prm", "module", path, "--json"], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("prminfo_compare: rtprm prm module %s: exit %d: %s" % (path, r.returncode, r.stderr.strip()))
    return json.loads(r.stdout)


def compare_module(path, host, edk2, ours, loads):
    """(failures, notes, rows) for one module file."""
    bad, notes, rows = [], [], []
    guid, base_name = host["module_guid"], os.path.basename(path)
    e = edk2.get(guid)
    if e is None:
        return ["%s: module %s not in EDK II's PrmInfo listing" % (base_name, guid)], notes, rows
    o = ours.get(guid) if ours is not None else None
    if ours is not None and o is None:
        bad.append("%s: module %s not in our PrmInfo listing" % (base_name, guid))
    notes.append("%s: EDK II names the module `%s` (export directory name as written)" % (base_name, e["name"]))
    bases = set()
    for h in host["handlers"]:
        eh = e["handlers"].get(h["guid"])
        if eh is None:
            bad.append("%s: handler %s missing from EDK II's listing" % (base_name, h["guid"]))
            continue
        base = eh["address"] - h["rva"]
        bases.add(base)
        row = [base_name, h["guid"], h["name"], eh["name"], "0x%x" % h["rva"], "0x%x" % eh["address"]]
        if eh["name"] != h["name"]:
            bad.append("%s: handler %s named %s by EDK II, %s by rtprm" % (base_name, h["guid"], eh["name"], h["name"]))
        if o is not None:
            oh = o["handlers"].get(h["guid"])
            if oh is None:
                bad.append("%s: handler %s missing from our listing" % (base_name, h["guid"]))
                row += ["-", "-"]
            else:
                row += [oh["name"], "0x%x" % oh["address"]]
                if (oh["name"], oh["address"], oh["static"]) != (h["name"], eh["address"], eh["static"]):
                    bad.append("%s: handler %s: ours %s at 0x%x static 0x%x, EDK II %s at 0x%x static 0x%x"
                               % (base_name, h["guid"], oh["name"], oh["address"], oh["static"], eh["name"],
                                  eh["address"], eh["static"]))
        rows.append(row)
    if len(bases) > 1:
        bad.append("%s: handlers imply different load addresses: %s" % (base_name, sorted(hex(b) for b in bases)))
    for b in bases:
        if b % 4096:
            bad.append("%s: load address 0x%x implied by EDK II's addresses is not page-aligned" % (base_name, b))
        if base_name in loads and loads[base_name] != b:
            bad.append("%s: the Shell loaded it at 0x%x, EDK II's addresses imply 0x%x" % (base_name, loads[base_name], b))
    if len(host["handlers"]) != len(e["handlers"]):
        bad.append("%s: rtprm lists %d handlers, EDK II %d" % (base_name, len(host["handlers"]), len(e["handlers"])))
    return bad, notes, rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--serial", required=True)
    ap.add_argument("--rtprm", required=True)
    ap.add_argument("--module", action="append", required=True)
    ap.add_argument("--ours", action="store_true", help="our PrmInfo's listing is in the log too")
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    lines = lines_of(a.serial)
    edk2, ours, loads = edk2_view(lines), our_view(lines) if a.ours else None, shell_loads(lines)
    bad, notes, rows = [], [], []
    if not edk2:
        bad.append("no EDK II PrmInfo listing in %s" % a.serial)
    else:
        for path in a.module:
            b, n, r = compare_module(path, host_view(a.rtprm, path), edk2, ours, loads)
            bad += b
            notes += n
            rows += r
    head = ["module file", "handler GUID", "rtprm name", "EDK II name", "RVA", "EDK II address"]
    head += ["our name", "our address"] if a.ours else []
    md = ["# PRM modules: EDK II's PrmInfo, our PrmInfo and `rtprm prm module`", "",
          "Generated by `harnesses/edk2/prminfo_compare.py` from `%s`." % a.serial, "",
          "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    md += ["| " + " | ".join(r) + " |" for r in rows]
    md += ["", "## Presentation differences (not failures)", ""] + ["- " + n for n in notes]
    md += ["- versions: EDK II prints `MM.mm` (01.00), ours `vM.m`"]
    md += ["", "## Verdict", "", "PASS" if not bad else "FAIL"] + ["- " + b for b in bad]
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        f.write("\n".join(md) + "\n")
    for b in bad:
        print("FAIL %s" % b)
    print("%s prminfo_compare: %d modules, %d handlers compared -> %s"
          % ("PASS" if not bad else "FAIL", len(a.module), len(rows), a.out))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
