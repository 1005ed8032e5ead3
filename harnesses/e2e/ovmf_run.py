#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Boot a UEFI image under QEMU + OVMF (x64) or AAVMF (AArch64) and check its output.

  ovmf_run.py --efi build/fw-x64/bin/RtprmHello.efi --arch x64 --scenario hello-x64 \\
              --expect 'RTPRM-E2E: PASS' --forbid 'RTPRM-E2E: FAIL' --timeout 60

What it does:
  1. builds a directory that QEMU exposes as a FAT drive (-drive file=fat:rw:DIR):
     the image under test goes to EFI/BOOT/BOOTX64.EFI (BOOTAA64.EFI), so the
     firmware's default boot option starts it without the UEFI Shell; more
     files come from --add SRC:DEST (DEST relative to the drive root, e.g.
     --add drv.efi:drivers/drv.efi --add startup.nsh:startup.nsh);
  2. copies the variable store to a writable temp file (pflash images padded to
     64 MiB for -M virt);
  3. runs QEMU (software emulation only: KVM is broken on this machine) bounded
     by --timeout; stdout is the serial console (ConOut), and on x64 the
     isa-debugcon device on port 0xE9 goes to a second log (debugcon.log) and
     port 0x402, where EDK II's DEBUG builds print, to a third (firmware.log);
  4. writes reports/e2e/<scenario>/{serial.log, debugcon.log, result.json, qemu.cmd}
     and exits 0 only when every --expect line was seen, no --forbid line was
     seen and (unless --no-require-exit) QEMU ended by itself (the image
     powered the machine off).

Lines are matched after removing ANSI escape sequences and carriage returns:
a marker matches when it is a substring of one output line.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

ARCHES = {
    "x64": {
        "qemu": "qemu-system-x86_64",
        "boot": "EFI/BOOT/BOOTX64.EFI",
        "code": "/usr/share/OVMF/OVMF_CODE_4M.fd",
        "vars": "/usr/share/OVMF/OVMF_VARS_4M.fd",
        "pad": None,
        "machine": ["-machine", "q35", "-m", "512"],
        "disk": lambda d: ["-drive", "format=raw,file=fat:rw:%s" % d],
        "debugcon": True,
        "default_timeout": 60,
    },
    "aa64": {
        "qemu": "qemu-system-aarch64",
        "boot": "EFI/BOOT/BOOTAA64.EFI",
        "code": "/usr/share/AAVMF/AAVMF_CODE.fd",
        "vars": "/usr/share/AAVMF/AAVMF_VARS.fd",
        "pad": 64 * 1024 * 1024,  # -M virt maps two 64 MiB flash banks
        "machine": ["-M", "virt", "-cpu", "cortex-a57", "-m", "512"],
        "disk": lambda d: ["-drive", "if=none,id=fat0,format=raw,file=fat:rw:%s" % d,
                           "-device", "virtio-blk-pci,drive=fat0"],
        "debugcon": False,  # no port I/O on AArch64
        "default_timeout": 120,
    },
}

ANSI = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|[()][0-9A-Za-z]|[@-Z\\-_])")


def log(msg):
    sys.stdout.write("[e2e] %s\n" % msg)
    sys.stdout.flush()


def clean_lines(raw):
    text = raw.decode("utf-8", "replace")
    text = ANSI.sub("", text).replace("\r", "\n")
    return [ln.strip() for ln in text.split("\n") if ln.strip()]


def build_fat_dir(root, arch, efi, efi_dest, adds):
    """Lays out the FAT drive. Returns [(source, dest)] for the report."""
    placed = []

    def put(src, dest):
        dest = dest.replace("\\", "/").lstrip("/")
        if not dest or ".." in dest.split("/"):
            raise SystemExit("bad destination path %r" % dest)
        if not os.path.isfile(src):
            raise FileNotFoundError(src)
        target = os.path.join(root, *dest.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(src, target)
        placed.append((os.path.abspath(src), dest))

    if efi:
        put(efi, efi_dest or ARCHES[arch]["boot"])
    for spec in adds:
        # SRC:DEST, split at the last ':' so DEST never contains one
        src, sep, dest = spec.rpartition(":")
        if not sep or not src:
            raise SystemExit("--add wants SRC:DEST, got %r" % spec)
        put(src, dest)
    return placed


def writable_flash(src, dst, pad):
    shutil.copyfile(src, dst)
    if pad:
        size = os.path.getsize(dst)
        if size > pad:
            raise SystemExit("%s is larger than %d bytes" % (src, pad))
        with open(dst, "r+b") as f:
            f.truncate(pad)  # zero fill; sparse where the filesystem allows


def flash_image(src, tmp, name, pad):
    """Read-only code flash: used in place unless it needs padding."""
    if not pad or os.path.getsize(src) == pad:
        return src
    dst = os.path.join(tmp, name)
    writable_flash(src, dst, pad)
    return dst


def short_counts(counts, sources):
    """The (N, LINE) expectations not met yet, as 'N x LINE (seen K)' texts."""
    out = []
    for n, line in counts:
        seen = sum(line in ln for lines in sources.values() for ln in lines)
        if seen < n:
            out.append("%d x %s (seen %d)" % (n, line, seen))
    return out


def find_markers(markers, sources):
    """For each marker, the list of source names whose lines contain it."""
    found = {}
    for m in markers:
        found[m] = [name for name, lines in sources.items() if any(m in ln for ln in lines)]
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--efi", help="image booted as EFI/BOOT/BOOT<ARCH>.EFI")
    ap.add_argument("--efi-dest", help="place --efi elsewhere on the drive (e.g. for shell scenarios)")
    ap.add_argument("--arch", choices=sorted(ARCHES), default="x64")
    ap.add_argument("--scenario", required=True, help="report directory name, e.g. hello-x64")
    ap.add_argument("--expect", action="append", default=[], metavar="LINE",
                    help="marker that must appear (repeatable; default 'RTPRM-E2E: PASS')")
    ap.add_argument("--expect-debugcon", action="append", default=[], metavar="LINE",
                    help="marker that must appear in the x64 debug console log (port 0xE9)")
    ap.add_argument("--forbid", action="append", default=[], metavar="LINE",
                    help="marker that must not appear anywhere (repeatable)")
    ap.add_argument("--add", action="append", default=[], metavar="SRC:DEST",
                    help="extra file on the FAT drive (repeatable)")
    ap.add_argument("--timeout", type=float, help="seconds before QEMU is killed")
    ap.add_argument("--require-exit", action=argparse.BooleanOptionalAction, default=True,
                    help="QEMU must end by itself (the image shuts down); with --no-require-exit "
                         "the run stops as soon as every marker was seen")
    ap.add_argument("--reports", default=os.path.join(REPO, "reports", "e2e"))
    ap.add_argument("--qemu-arg", action="append", default=[], metavar="ARG",
                    help="extra QEMU argument (repeatable)")
    ap.add_argument("--vars", help="persistent variable store: created from the firmware's template "
                    "if missing, then used in place (so a later run sees NV variables such as "
                    "Driver#### written by this one)")
    ap.add_argument("--keep", action="store_true", help="keep the temp directory")
    ap.add_argument("--code", help="firmware code flash image (default: Debian's OVMF/AAVMF)")
    ap.add_argument("--vars-template", help="variable store template (default: Debian's)")
    ap.add_argument("--allow-reboot", action="store_true",
                    help="a reset restarts the firmware instead of ending QEMU (-no-reboot dropped)")
    ap.add_argument("--expect-count", nargs=2, action="append", default=[], metavar=("N", "LINE"),
                    help="LINE must appear on at least N lines of serial + debug console together")
    ap.add_argument("--cpu", help="QEMU -cpu model in place of the architecture's default "
                    "(aa64: cortex-a57; e.g. max for the Linux arm64 scenario)")
    args = ap.parse_args()

    cfg = dict(ARCHES[args.arch])
    if args.cpu:
        machine = list(cfg["machine"])
        if "-cpu" in machine:
            machine[machine.index("-cpu") + 1] = args.cpu
        else:
            machine += ["-cpu", args.cpu]
        cfg["machine"] = machine
    cfg["code"] = args.code or cfg["code"]
    cfg["vars"] = args.vars_template or cfg["vars"]
    counts = [(int(n), line) for n, line in args.expect_count]
    timeout = args.timeout or cfg["default_timeout"]
    expect = args.expect or (["RTPRM-E2E: PASS"] if not args.expect_debugcon else [])
    if args.expect_debugcon and not cfg["debugcon"]:
        ap.error("--expect-debugcon needs a debug console, which %s does not have" % args.arch)
    outdir = os.path.join(args.reports, args.scenario)
    os.makedirs(outdir, exist_ok=True)
    serial_path = os.path.join(outdir, "serial.log")
    debugcon_path = os.path.join(outdir, "debugcon.log")
    firmware_path = os.path.join(outdir, "firmware.log")
    result_path = os.path.join(outdir, "result.json")
    for p in (serial_path, debugcon_path, firmware_path, result_path):
        if os.path.exists(p):
            os.remove(p)

    result = {
        "scenario": args.scenario, "arch": args.arch, "efi": os.path.abspath(args.efi) if args.efi else None,
        "verdict": "FAIL", "reason": None, "duration_s": None, "timeout_s": timeout,
        "qemu_exit": None, "timed_out": False, "expected": expect,
        "expected_debugcon": args.expect_debugcon, "expected_counts": [[n, ln] for n, ln in counts],
        "forbidden": args.forbid, "firmware": {"code": cfg["code"], "vars": cfg["vars"]},
        "missing": [], "found": {}, "forbidden_seen": [], "files": [],
    }

    def finish(verdict, reason):
        result["verdict"], result["reason"] = verdict, reason
        with open(result_path, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2)
            f.write("\n")
        log("%s %s: %s (reports in %s)" % (verdict, args.scenario, reason, outdir))
        return 0 if verdict == "PASS" else 1

    if not args.efi and not args.add:
        return finish("FAIL", "nothing to boot: give --efi and/or --add")
    if args.efi and not os.path.isfile(args.efi):
        return finish("FAIL", "image missing: %s (build it: cmake --workflow --preset fw-%s)"
                      % (args.efi, args.arch))
    for tool in (cfg["qemu"],):
        if shutil.which(tool) is None:
            return finish("FAIL", "%s not found (Debian: qemu-system-x86 / qemu-system-arm)" % tool)
    for fw in (cfg["code"], cfg["vars"]):
        if not os.path.isfile(fw):
            return finish("FAIL", "firmware file missing: %s (Debian: ovmf / qemu-efi-aarch64)" % fw)

    # ctest (on its own timeout) or a person (Ctrl-C) may stop the runner:
    # QEMU runs in its own session, so it is killed explicitly in `finally`.
    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    proc = None
    tmp = tempfile.mkdtemp(prefix="rtprm-e2e-%s-" % args.scenario)
    try:
        fat = os.path.join(tmp, "fat")
        os.makedirs(fat)
        try:
            placed = build_fat_dir(fat, args.arch, args.efi, args.efi_dest, args.add)
        except FileNotFoundError as e:
            return finish("FAIL", "file for the FAT drive missing: %s" % e)
        result["files"] = [{"src": s, "dest": d} for s, d in placed]
        for s, d in placed:
            log("drive: %s <- %s" % (d, s))

        code = flash_image(cfg["code"], tmp, "code.fd", cfg["pad"])
        vars_copy = args.vars or os.path.join(tmp, "vars.fd")
        if not args.vars or not os.path.isfile(args.vars):
            writable_flash(cfg["vars"], vars_copy, cfg["pad"])

        cmd = [cfg["qemu"]] + cfg["machine"] + [
            "-nographic", "-nic", "none"] + ([] if args.allow_reboot else ["-no-reboot"]) + [
            "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=%s" % code,
            "-drive", "if=pflash,format=raw,unit=1,file=%s" % vars_copy,
        ] + cfg["disk"](fat)
        if cfg["debugcon"]:
            # EDK II's DEBUG builds print to port 0x402 (OVMF's debug I/O port)
            cmd += ["-chardev", "file,id=fwdbg,path=%s" % firmware_path,
                    "-device", "isa-debugcon,iobase=0x402,chardev=fwdbg"]
            cmd += ["-chardev", "file,id=dbg,path=%s" % debugcon_path,
                    "-device", "isa-debugcon,iobase=0xe9,chardev=dbg"]
        cmd += args.qemu_arg
        with open(os.path.join(outdir, "qemu.cmd"), "w", encoding="utf-8") as f:
            f.write(" ".join(cmd) + "\n")

        log("booting %s on %s (timeout %.0f s, software emulation)" % (args.scenario, cfg["qemu"], timeout))
        serial = bytearray()
        lock = threading.Lock()
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)

        def reader():
            while True:
                chunk = proc.stdout.read1(4096)
                if not chunk:
                    return
                with lock:
                    serial.extend(chunk)

        th = threading.Thread(target=reader, daemon=True)
        th.start()

        def read_debugcon(path=debugcon_path):
            try:
                with open(path, "rb") as f:
                    return f.read()
            except OSError:
                return b""

        all_markers = expect + args.expect_debugcon
        echoed = set()
        next_beat = start + 5
        stopped_early = False
        while True:
            rc = proc.poll()
            now = time.monotonic()
            with lock:
                snap = bytes(serial)
            sources = {"serial": clean_lines(snap)}
            if cfg["debugcon"]:
                sources["debugcon"] = clean_lines(read_debugcon())
                sources["firmware"] = clean_lines(read_debugcon(firmware_path))
            for name, lines in sources.items():
                for ln in lines:
                    if "RTPRM-E2E" in ln and (name, ln) not in echoed:
                        echoed.add((name, ln))
                        log("%5.1fs %-8s| %s" % (now - start, name, ln))
            if rc is not None:
                break
            if now - start > timeout:
                result["timed_out"] = True
                break
            if any(find_markers(args.forbid, sources).values()):
                stopped_early = True
                break
            if not args.require_exit:
                f_any = find_markers(expect, sources)
                f_dbg = find_markers(args.expect_debugcon, {"debugcon": sources.get("debugcon", [])})
                if (all_markers or counts) and all(f_any.values()) and all(f_dbg.values()) and \
                        not short_counts(counts, sources):
                    stopped_early = True
                    break
            if now >= next_beat:
                log("%5.1fs alive: serial %d bytes" % (now - start, len(snap)))
                next_beat = now + 5
            time.sleep(0.2)

        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        th.join(5)
        duration = time.monotonic() - start
        result["duration_s"] = round(duration, 2)
        result["qemu_exit"] = proc.returncode

        with open(serial_path, "wb") as f:
            f.write(bytes(serial))
        if not cfg["debugcon"]:
            with open(debugcon_path, "w", encoding="utf-8") as f:
                f.write("# %s has no debug console (no port I/O on AArch64); see serial.log\n" % args.arch)
        sources = {"serial": clean_lines(bytes(serial))}
        if cfg["debugcon"]:
            sources["debugcon"] = clean_lines(read_debugcon())
            sources["firmware"] = clean_lines(read_debugcon(firmware_path))

        found = find_markers(expect, sources)
        found_dbg = find_markers(args.expect_debugcon, {"debugcon": sources.get("debugcon", [])})
        forbidden = [m for m, where in find_markers(args.forbid, sources).items() if where]
        result["found"] = {m: w for m, w in found.items() if w}
        result["found"].update({"debugcon: " + m: w for m, w in found_dbg.items() if w})
        result["missing"] = [m for m, w in found.items() if not w] + \
                            ["debugcon: " + m for m, w in found_dbg.items() if not w] + short_counts(counts, sources)
        result["forbidden_seen"] = forbidden
        log("QEMU %s after %.1f s (exit %s)" % ("killed" if result["timed_out"] or stopped_early else "ended",
                                               duration, proc.returncode))

        if forbidden:
            return finish("FAIL", "forbidden marker(s) seen: %s" % "; ".join(forbidden))
        if result["missing"]:
            why = "timeout after %.0f s" % timeout if result["timed_out"] else "QEMU exited %s" % proc.returncode
            return finish("FAIL", "%s; missing marker(s): %s" % (why, "; ".join(result["missing"])))
        if args.require_exit and result["timed_out"]:
            return finish("FAIL", "all markers seen but QEMU did not end within %.0f s "
                                  "(the image did not shut the machine down)" % timeout)
        if args.require_exit and proc.returncode != 0:
            return finish("FAIL", "QEMU exit status %s" % proc.returncode)
        return finish("PASS", "%d marker(s) seen in %.1f s" % (len(all_markers), duration))
    finally:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if args.keep:
            log("kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
