#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""What a flash image really holds, read with UEFIExtract (Debian package
uefitool-cli), the tool a platform owner would use.

  check_fd.py --fd CODE.fd [--holds GUID=FILE]... [--not-holds GUID=FILE]...
              [--variant NAME --fw-dir DIR] [--runtime-drivers JSON]
              [--census REPORT_DIR]

--holds: the FFS file GUID exists exactly once and its PE32 section is
byte-identical to FILE. --not-holds: it exists and is not FILE.
--variant: the holds of a harnesses/edk2/variants.py variant (every driver
of ours it puts into the image, from --fw-dir, with the dependency
expression the variant gives it); a variant that keeps EDK II's RuntimeDxe
must not hold ours.
--runtime-drivers writes the EFI runtime drivers (PE32 subsystem 12) the
image holds: {"count": N, "names": [...]}, the images the DXE core will
register with the Runtime AP provider.
--census: the first boot logged in REPORT_DIR (an e2e scenario's
firmware.log and debugcon.log) registered exactly those runtime drivers
with our provider: every runtime driver of the image that started, none
adopted, and our SetVirtualAddressMap moved all of them but itself.
Prints one PASS/FAIL line per check; exit 1 on any failure, 2 on usage or
when UEFIExtract fails.
"""
import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import variants  # noqa: E402

SUBSYSTEM_RUNTIME_DRIVER = 12
FILE_GUID = re.compile(r"^File GUID: ([0-9A-F-]{36})$", re.M)


def extract(fd, tmp):
    copy = os.path.join(tmp, os.path.basename(fd))
    shutil.copyfile(fd, copy)
    r = subprocess.run(["UEFIExtract", copy, "all"], cwd=tmp, capture_output=True, text=True)
    dump = copy + ".dump"
    if r.returncode != 0 or not os.path.isdir(dump):
        raise SystemExit("check_fd: UEFIExtract %s failed (exit %d): %s" % (fd, r.returncode, r.stderr.strip()))
    return dump


def ffs_files(dump):
    """{GUID: [(name, [PE32 body paths])]} for every FFS file in the dump."""
    files = {}
    for d, _subdirs, names in os.walk(dump):
        if "info.txt" not in names:
            continue
        info = open(os.path.join(d, "info.txt"), errors="replace").read()
        m = FILE_GUID.search(info)
        if not info.startswith("Type: File") or not m:
            continue
        files.setdefault(m.group(1).upper(), []).append((os.path.basename(d).split(" ", 1)[-1],
                                                          sections(d, " PE32 image section"),
                                                          sections(d, " DXE dependency section")))
    return files


def sections(d, suffix):
    return [os.path.join(d, s, "body.bin") for s in sorted(os.listdir(d))
            if s.endswith(suffix) and os.path.isfile(os.path.join(d, s, "body.bin"))]


def subsystem(path):
    """The optional header's Subsystem, or None for a non-PE body. The
    header is read wherever e_lfanew puts it (ArmVirtQemu's GCC images keep
    it past the first 4 KiB)."""
    b = open(path, "rb").read()
    if len(b) < 0x40 or b[:2] != b"MZ":
        return None
    off = struct.unpack_from("<I", b, 0x3C)[0] + 24 + 68  # optional header Subsystem
    return struct.unpack_from("<H", b, off)[0] if off + 2 <= len(b) else None


def check_holds(files, spec, want_same, depex=None):
    """The FFS file holds (or not) FILE as its PE32 section and, when given,
    exactly the depex bytes as its DXE dependency section."""
    guid, _, path = spec.partition("=")
    guid = guid.upper()
    hits = files.get(guid, [])
    if len(hits) != 1 or len(hits[0][1]) != 1:
        return False, "%s: %d FFS file(s) with a PE32 section, want 1" % (guid, len(hits))
    name, pe32, dep = hits[0]
    same = open(pe32[0], "rb").read() == open(path, "rb").read()
    line = "%s (%s): PE32 %s %s" % (guid, name, "byte-identical to" if same else "differs from", path)
    ok = same == want_same
    if depex is not None:
        got = open(dep[0], "rb").read() if len(dep) == 1 else None
        ok &= got == depex
        line += "; DXE_DEPEX %s" % (got.hex() if got is not None else "missing") + \
            ("" if got == depex else " (want %s)" % depex.hex())
    return ok, line


def variant_checks(name, fw_dir):
    """(--holds, --not-holds) specs of a variant."""
    holds = ["%s=%s" % kv for kv in sorted(variants.expected_files(name, fw_dir).items())]
    not_holds = []
    if not variants.VARIANTS[name]["runtime"]:
        not_holds.append("%s=%s/RuntimeDxe.efi" % (variants.FILE_GUIDS["RuntimeDxe"], fw_dir))
    return holds, not_holds


def variant_depex(name):
    """{FFS file GUID: dependency expression bytes} of our drivers in a variant."""
    v = variants.VARIANTS[name]
    ours = (["RuntimeDxe"] if v["runtime"] else []) + [i[0] for i in v["add"] if not isinstance(i, str)]
    return {variants.FILE_GUIDS[n]: variants.depex_bytes(n) for n in ours}


# EDK II DEBUG lines (OVMF's port 0x402): one boot starts with SEC's line;
# every image the DXE core starts, and every start that fails.
BOOT_START = "SecCoreStartupWithStack("
BOOT_START_ARM = "UEFI firmware (version"
LOADING = re.compile(r"^Loading driver at 0x0*([0-9A-F]+) EntryPoint=0x[0-9A-F]+ ?(\S*)$")
START_FAILED = re.compile(r"^Error: Image at 0*([0-9A-F]+) start failed: (.*)$")
SVAM = re.compile(r"SetVirtualAddressMap EFI_SUCCESS: images (\d+) relocated \(.*\), (\d+) self, (\d+) failed")


def first_boot(path, start):
    """The lines of a log up to its second boot (a reboot scenario has two)."""
    lines = open(path, errors="replace").read().splitlines()
    starts = [i for i, ln in enumerate(lines) if start in ln]
    return lines[:starts[1]] if len(starts) > 1 else lines


def failed_starts(fw_lines):
    """{image name or 'unnamed@ADDR': reason} for every image whose entry
    point failed (the DXE core then unregisters a runtime image again)."""
    names, failed = {}, {}
    for ln in fw_lines:
        m = LOADING.match(ln.strip())
        if m:
            names[int(m.group(1), 16)] = m.group(2)[:-4] if m.group(2).endswith(".efi") else m.group(2)
            continue
        m = START_FAILED.match(ln.strip())
        if m:
            addr = int(m.group(1), 16)
            failed[names.get(addr) or "unnamed@%x" % addr] = m.group(2)
    return failed


def census_logs(report_dir):
    """(firmware lines, our lines, our install line visible) of the first boot.
    OVMF x64: the firmware's DEBUG output in firmware.log, ours on the debug
    console. ArmVirtQemu AArch64: both on the serial console, where our
    provider's install line (printed in DXE, before ConOut exists) is absent
    and its SetVirtualAddressMap line arrives through the SPCR UART."""
    fw_log = os.path.join(report_dir, "firmware.log")
    if os.path.exists(fw_log):
        return (first_boot(fw_log, BOOT_START),
                first_boot(os.path.join(report_dir, "debugcon.log"), "RTPRM-RT: installed at"), True)
    serial = first_boot(os.path.join(report_dir, "serial.log"), BOOT_START_ARM)
    return serial, serial, False


def census(runtime, report_dir):
    """(ok, lines) of the runtime-image census of one scenario's first boot."""
    fw, dbg, install_visible = census_logs(report_dir)
    failed = failed_starts(fw)
    unknown = [n for n in failed if n.startswith("unnamed@")]
    gone = sorted(n for n in failed if n in runtime)
    want = len(runtime) - len(gone)
    out = ["runtime drivers (flash image + options): %d; failed to start: %s; registered: %d"
           % (len(runtime), ", ".join("%s (%s)" % (n, failed[n]) for n in gone) or "none", want)]
    ok = not unknown
    if unknown:
        out.append("FAIL images without a name failed to start: %s" % ", ".join(unknown))
    if install_visible:
        adopted = [ln for ln in dbg if "RTPRM-RT: installed at" in ln and "first provider, nothing to adopt" not in ln]
        ok &= not adopted
        out.append("%s provider installed as the first one (nothing adopted)%s"
                   % ("FAIL" if adopted else "PASS", ": " + adopted[0] if adopted else ""))
    else:
        out.append("n/a provider install line: not on this console (printed before ConOut exists)")
    svam = [SVAM.search(ln) for ln in dbg]
    svam = [m for m in svam if m]
    if len(svam) != 1:
        out.append("FAIL %d SetVirtualAddressMap EFI_SUCCESS lines in the first boot, want 1" % len(svam))
        return False, out
    moved, self_, bad = (int(g) for g in svam[0].groups())
    good = moved + self_ == want and self_ == 1 and bad == 0
    out.append("%s SetVirtualAddressMap: %d relocated + %d self = %d registered, %d failed"
               % ("PASS" if good else "FAIL", moved, self_, moved + self_, bad))
    return ok and good, out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fd", required=True)
    ap.add_argument("--holds", action="append", default=[], metavar="GUID=FILE")
    ap.add_argument("--not-holds", action="append", default=[], metavar="GUID=FILE")
    ap.add_argument("--variant", choices=sorted(variants.VARIANTS))
    ap.add_argument("--fw-dir", help="our images for --variant (build/fw-<arch>/bin)")
    ap.add_argument("--runtime-drivers", metavar="JSON")
    ap.add_argument("--census", metavar="REPORT_DIR")
    ap.add_argument("--loaded", action="append", default=[], metavar="EFI",
                    help="for --census: an image the scenario loaded besides the flash image (a Driver#### option)")
    a = ap.parse_args(argv)
    if bool(a.variant) != bool(a.fw_dir):
        ap.error("--variant and --fw-dir go together")
    if a.variant:
        holds, not_holds = variant_checks(a.variant, a.fw_dir)
        a.holds += holds
        a.not_holds += not_holds
    failed = 0
    depex = variant_depex(a.variant) if a.variant else {}
    with tempfile.TemporaryDirectory(prefix="rtprm-fd-") as tmp:
        files = ffs_files(extract(a.fd, tmp))
        for spec, want in [(s, True) for s in a.holds] + [(s, False) for s in a.not_holds]:
            ok, line = check_holds(files, spec, want, depex.get(spec.partition("=")[0].upper()))
            failed += not ok
            print("%s %s" % ("PASS" if ok else "FAIL", line))
        runtime = sorted(name for hits in files.values() for name, bodies, _dep in hits
                         for b in bodies if subsystem(b) == SUBSYSTEM_RUNTIME_DRIVER)
    if a.runtime_drivers:
        with open(a.runtime_drivers, "w") as f:
            json.dump({"fd": os.path.abspath(a.fd), "count": len(runtime), "names": runtime}, f, indent=1)
    print("%s: %d FFS files, %d EFI runtime drivers (%s)" % (a.fd, len(files), len(runtime), ", ".join(runtime)))
    if a.census:
        loaded = sorted(os.path.basename(p)[:-4] for p in a.loaded if subsystem(p) == SUBSYSTEM_RUNTIME_DRIVER)
        if loaded:
            print("runtime drivers loaded as options: %d (%s)" % (len(loaded), ", ".join(loaded)))
        ok, lines = census(sorted(runtime + loaded), a.census)
        failed += not ok
        print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
