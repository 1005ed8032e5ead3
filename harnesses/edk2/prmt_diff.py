#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Field-by-field comparison of two PRMT tables for the same module set:
the one our PrmLoaderDxe builds and the one EDK II's PrmLoaderDxe builds,
both as Linux received them (/sys/firmware/acpi/tables/PRMT, printed by
harnesses/e2e/linux/init.sh as "RTPRM-PRMT: <hex>" lines).

  prmt_diff.py --ours-log SERIAL --edk2-log SERIAL --rtprm CLI --out MD

Each table is first checked by `rtprm prm check` (and its JSON compared
with the independent decoder here). Every field of the ACPI header, the
PRMT header, each module information structure and each handler
information structure (PRM specification 1.0 §4) is then compared. A field
that differs passes only if a rule below explains it and the rule's own
check holds (for example: handler addresses differ by the load address but
keep the same offsets within their module). Writes MD (and MD with .json);
exit 1 on an invalid table or an unexplained difference, 2 on usage.
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import uuid

ACPI_HEADER = [("signature", "4s"), ("length", "I"), ("revision", "B"), ("checksum", "B"), ("oem_id", "6s"),
               ("oem_table_id", "8s"), ("oem_revision", "I"), ("creator_id", "4s"), ("creator_revision", "I")]
MODULE = [("revision", "H"), ("length", "H"), ("guid", "16s"), ("major", "H"), ("minor", "H"),
          ("handler_count", "H"), ("handler_offset", "I"), ("mmio_ranges", "Q")]
HANDLER = [("revision", "H"), ("length", "H"), ("guid", "16s"), ("address", "Q"), ("static_data_buffer", "Q"),
           ("acpi_param_buffer", "Q")]


class Invalid(Exception):
    pass


def unpack(fields, data, off):
    fmt = "<" + "".join(f for _n, f in fields)
    if off + struct.calcsize(fmt) > len(data):
        raise Invalid("structure at %d runs past the table (%d bytes)" % (off, len(data)))
    out = {}
    for (name, f), v in zip(fields, struct.unpack_from(fmt, data, off)):
        if f == "16s":
            v = str(uuid.UUID(bytes_le=v)).upper()
        elif f.endswith("s"):
            v = v.decode("latin-1")
        out[name] = v
    return out, off + struct.calcsize(fmt)


def decode(data):
    """The table as nested dicts, walked by the offsets and lengths it
    states (the way Linux's parser walks it)."""
    hdr, off = unpack(ACPI_HEADER, data, 0)
    guid, off = unpack([("platform_guid", "16s"), ("module_offset", "I"), ("module_count", "I")], data, off)
    hdr.update(guid)
    mods, moff = [], hdr["module_offset"]
    for _ in range(hdr["module_count"]):
        m, _end = unpack(MODULE, data, moff)
        hs, hoff = [], moff + m["handler_offset"]
        for _ in range(m["handler_count"]):
            h, _end = unpack(HANDLER, data, hoff)
            hs.append(h)
            hoff += h["length"]
        m["handlers"] = hs
        mods.append(m)
        moff += m["length"]
    hdr["modules"] = mods
    return hdr


def from_log(path):
    hexes = [ln.split("RTPRM-PRMT: ", 1)[1].strip() for ln in open(path, errors="replace").read().splitlines()
             if "RTPRM-PRMT: " in ln]
    if not hexes:
        raise Invalid("%s: no RTPRM-PRMT lines (was the scenario run with rtprm_dump_prmt=1?)" % path)
    return bytes.fromhex("".join(hexes))


def cli_check(rtprm, data, name, tmp):
    """`rtprm prm check` on the table: it must be valid; returns its JSON."""
    path = os.path.join(tmp, name + ".bin")
    with open(path, "wb") as f:
        f.write(data)
    r = subprocess.run([rtprm, "prm", "check", path, "--json"], capture_output=True, text=True)
    if r.returncode != 0:
        raise Invalid("rtprm prm check %s: exit %d: %s" % (name, r.returncode, r.stderr.strip()))
    return json.loads(r.stdout)


def cli_agrees(cli, t):
    """The CLI's parse and ours name the same modules, handlers and values."""
    got = [(m["guid"], (m["version"]["major"], m["version"]["minor"]), m["mmio_ranges"],
            [(h["guid"], h["address"], h["static_data_buffer"], h["acpi_param_buffer"]) for h in m["handlers"]])
           for m in cli["modules"]]
    want = [(m["guid"], (m["major"], m["minor"]), m["mmio_ranges"],
             [(h["guid"], h["address"], h["static_data_buffer"], h["acpi_param_buffer"]) for h in m["handlers"]])
            for m in t["modules"]]
    return got == want and cli["platform_guid"] == t["platform_guid"]


# ---- rules: why a field may differ ----------------------------------------

def same_presence(a, b):
    return (a == 0) == (b == 0)


def handler_offsets(t, mi):
    hs = t["modules"][mi]["handlers"]
    return [h["address"] - hs[0]["address"] for h in hs]


RULES = {
    "oem_id": ("OEM ID: each loader's own setting (EDK II: PcdAcpiDefaultOemId; ours: the table identity "
               "PrmLoaderDxe is built with, docs/prm.md)", None),
    "oem_table_id": ("OEM table ID: loader setting (EDK II: PcdAcpiDefaultOemTableId)", None),
    "oem_revision": ("OEM revision: loader setting (EDK II: PcdAcpiDefaultOemRevision)", None),
    "creator_id": ("creator ID: loader setting (EDK II: PcdAcpiDefaultCreatorId)", None),
    "creator_revision": ("creator revision: loader setting (EDK II: PcdAcpiDefaultCreatorRevision)", None),
    "checksum": ("checksum: follows from the bytes that differ; each table's own sum is checked by "
                 "`rtprm prm check` (checksum_ok)", None),
    "platform_guid": ("platform GUID: EDK II's loader writes the PLATFORM_GUID of the DSC it is built in "
                      "(gEdkiiDscPlatformGuid, here OvmfPkgX64.dsc), ours the platform GUID it is built with "
                      "(PrmPkg.dsc's, which the sample modules carry); a platform owner sets one value",
                      None),
    "address": ("handler address: the physical address of the handler in the module as loaded in that boot; "
                "the module loads elsewhere in the two firmware images, the handlers keep the same offsets "
                "within their module (checked)", "offsets"),
    "static_data_buffer": ("static data buffer: a runtime allocation of PrmConfigDxe in that boot; present in "
                           "both or absent in both (checked)", "presence"),
    "acpi_param_buffer": ("ACPI parameter buffer: a runtime allocation of PrmConfigDxe in that boot; present in "
                          "both or absent in both (checked)", "presence"),
    "mmio_ranges": ("runtime MMIO ranges: pointer to PrmConfigDxe's runtime allocation in that boot; present in "
                    "both or absent in both (checked)", "presence"),
}


def compare(ours, edk2):
    """Rows (where, field, ours, edk2, verdict, why) for every field; the
    second value is the number of unexplained differences."""
    rows, bad = [], 0

    def field(where, name, a, b, mi=None):
        nonlocal bad
        if a == b:
            rows.append((where, name, a, b, "same", ""))
            return
        why, check = RULES.get(name, (None, None))
        ok = why is not None
        if check == "presence":
            ok = same_presence(a, b)
        elif check == "offsets":
            ok = handler_offsets(ours, mi) == handler_offsets(edk2, mi)
        bad += not ok
        rows.append((where, name, a, b, "explained" if ok else "UNEXPLAINED", why or "no rule explains it"))

    for name, _f in ACPI_HEADER + [("platform_guid", ""), ("module_offset", ""), ("module_count", "")]:
        field("header", name, ours[name], edk2[name])
    for mi, (mo, me) in enumerate(zip(ours["modules"], edk2["modules"])):
        for name, _f in MODULE:
            field("module %d" % mi, name, mo[name], me[name])
        for hi, (ho, he) in enumerate(zip(mo["handlers"], me["handlers"])):
            for name, _f in HANDLER:
                field("module %d handler %d" % (mi, hi), name, ho[name], he[name], mi)
    return rows, bad


def fmt(v):
    return "0x%x" % v if isinstance(v, int) and v > 0xFFFF else str(v)


def write_reports(out, rows, bad, meta):
    lines = ["# PRMT: our PrmLoaderDxe vs EDK II's, same module set", "",
             "Generated by `harnesses/edk2/prmt_diff.py` from the tables Linux received "
             "(`/sys/firmware/acpi/tables/PRMT`) in two scenarios:", "",
             "- ours: `%s` (%d bytes)" % (meta["ours_log"], meta["ours_len"]),
             "- EDK II: `%s` (%d bytes)" % (meta["edk2_log"], meta["edk2_len"]), "",
             "Both tables pass `rtprm prm check`, and its parse agrees with this script's own decoder. "
             "%d fields compared: %d identical, %d differ and are explained, %d unexplained." %
             (len(rows), sum(r[4] == "same" for r in rows), sum(r[4] == "explained" for r in rows), bad), "",
             "## Differences", "", "| where | field | ours | EDK II | verdict | why |", "|---|---|---|---|---|---|"]
    lines += ["| %s | %s | %s | %s | %s | %s |" % (w, n, fmt(a), fmt(b), v, why)
              for w, n, a, b, v, why in rows if v != "same"]
    lines += ["", "## Identical fields", "", "| where | field | value |", "|---|---|---|"]
    lines += ["| %s | %s | %s |" % (w, n, fmt(a)) for w, n, a, _b, v, _why in rows if v == "same"]
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.splitext(out)[0] + ".json", "w") as f:
        json.dump(dict(meta, fields=len(rows), unexplained=bad,
                       rows=[dict(zip(("where", "field", "ours", "edk2", "verdict", "why"), r)) for r in rows]),
                  f, indent=1)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ours-log", required=True)
    ap.add_argument("--edk2-log", required=True)
    ap.add_argument("--rtprm", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    import tempfile
    try:
        ours_bin, edk2_bin = from_log(a.ours_log), from_log(a.edk2_log)
        with tempfile.TemporaryDirectory(prefix="rtprm-prmt-") as tmp:
            cli = {"ours": cli_check(a.rtprm, ours_bin, "ours", tmp), "edk2": cli_check(a.rtprm, edk2_bin, "edk2", tmp)}
        ours, edk2 = decode(ours_bin), decode(edk2_bin)
        for name, t in (("ours", ours), ("edk2", edk2)):
            if not cli_agrees(cli[name], t):
                raise Invalid("%s: rtprm prm check and this decoder disagree" % name)
        if [m["guid"] for m in ours["modules"]] != [m["guid"] for m in edk2["modules"]]:
            raise Invalid("module sets differ: %s vs %s" % ([m["guid"] for m in ours["modules"]],
                                                            [m["guid"] for m in edk2["modules"]]))
    except (Invalid, OSError, ValueError) as e:
        print("FAIL prmt_diff: %s" % e)
        return 1
    rows, bad = compare(ours, edk2)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    write_reports(a.out, rows, bad, {"ours_log": a.ours_log, "edk2_log": a.edk2_log, "ours_len": len(ours_bin),
                                     "edk2_len": len(edk2_bin)})
    for w, n, x, y, v, _why in rows:
        if v != "same":
            print("%-11s %-22s %-20s ours %s, EDK II %s" % (v, w, n, fmt(x), fmt(y)))
    print("%s prmt_diff: %d fields, %d differ, %d unexplained -> %s"
          % ("PASS" if not bad else "FAIL", len(rows), sum(r[4] != "same" for r in rows), bad, a.out))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
