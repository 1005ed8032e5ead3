#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Boot Debian's Linux kernel under OVMF (x64) or AAVMF (aa64) with our
firmware drivers and check what the OS sees (harnesses/e2e/linux/init.sh prints one
`RTPRM-LINUX: <check> ok|FAIL` line per check, then `RTPRM-LINUX: PASS`).

  linux_run.py --scenario linux-x64 [--driver IMG.efi[:NAME]]... [--shell-load]
               [--prm-modules N] [--expect LINE]... [--expect-debugcon LINE]...
               [--forbid LINE]... [--negative-control LINE] [--timeout S]

Steps:
  1. fetch.sh fills the cache (default build/e2e-cache; under a file lock):
     the kernel package linux-image-amd64 names and busybox-static, via
     apt-get download; efivar_rm is compiled there (gcc -static); the
     initramfs is packed (mkinitramfs.py) into the scenario's own work
     directory every run, so init.sh edits take effect;
  2. with --driver: a setup boot whose startup.nsh registers every driver as
     a Driver#### load option (`bcfg driver add`, in the order given) and
     shuts down; the variable store persists (ovmf_run.py --vars), so on
     the next boot BDS loads the drivers before ReadyToBoot and the
     firmware describes them as runtime code in its Memory Attributes Table
     (toolchain.md: shell-loaded runtime images are described as data and
     Linux maps them no-execute);
     With --shell-load there is no setup boot: the same startup.nsh that
     boots Linux first `load`s every driver (after ReadyToBoot: the case
     where only PrmLoaderDxe's Memory Attributes Table upkeep keeps the
     PRM handlers executable, docs/prm.md §9.7);
  3. the Linux boot: the shell runs `vmlinuz.efi console=ttyS0
     initrd=\\initrd.img panic=-1 [prm_modules=N]`; the run passes when
     `RTPRM-LINUX: PASS` is on the serial console, no forbidden line is
     seen anywhere and every --expect-debugcon line is in the port-0xE9 log.
--negative-control LINE inverts the verdict for a deliberately broken
build: the run passes only when the scenario FAILS and LINE is on the debug
or serial console (the proof that the checks catch the breakage).
Logs: reports/e2e/<scenario>-setup/ and reports/e2e/<scenario>/.

--arch aa64 (docs/e2e.md "AArch64"): qemu-system-aarch64 -M virt with
AAVMF; the kernel (linux-image-6.1.0-N-arm64) and busybox-static:arm64 come
from fetch_arm64.py (Debian's archive through the private apt state, cached
in ~/.cache/rtprm/linux-arm64); efivar_rm is efivar_rm_nolibc.c built with
clang --target=aarch64-linux-gnu + lld (no C library); console ttyAMA0. There
is no debug console, so what x64 reads there is checked from /init instead:
--prm-fixup IMG passes the hello handler's and its DIR64 fixup's RVAs
(rtprm_prm_fixup=H,F), /init finds the handler's physical address in the
PRMT and reads the fixup through /dev/mem (the virtual address the OS runs
it at, or the physical one if SetVirtualAddressMap left the image
unrelocated: "fixups STALE"); --prm-probe adds prm_probe.asl (iasl) to the
initramfs as an ACPI table upgrade whose device _UID is the PRM status of
the hello handler run through the firmware's SSDT; --rtc NAME makes /init
read that RTC (rtc-efi: GetTime at its virtual address).

--secure-boot (x64; docs/prm.md "Trust"): Debian's snakeoil OVMF
(OVMF_CODE_4M.snakeoil.fd + OVMF_VARS_4M.snakeoil.fd: Secure Boot on, the
snakeoil key in PK, KEK and db). BDS starts only signed images, so there is
no setup boot and no Shell: RtprmSbLoader.efi (--loader), signed, boots as
BOOTX64.EFI and loads every --driver, then the kernel, through LoadImage
(\rtprm\load.txt). Each driver and the kernel (Debian's signature
replaced) are signed at run time with the snakeoil key (harnesses/
authenticode/snakeoil.py, decrypted into a temporary directory only); a
driver given as IMG:NAME:unsigned stays unsigned, IMG:NAME:tampered is
signed and then one byte of its first section is changed. /init checks the
SecureBoot variable (rtprm_secureboot=1).
"""
import argparse
import fcntl
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
E2E = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(E2E))
sys.path.insert(0, os.path.join(REPO, "harnesses", "authenticode"))
import snakeoil  # noqa: E402


def log(msg):
    sys.stdout.write("[linux] %s\n" % msg)
    sys.stdout.flush()


def prepare(cache, work):
    """Kernel, busybox and efivar_rm in the shared cache (under a lock: ctest
    runs several Linux scenarios at once), a fresh initramfs in work/."""
    os.makedirs(cache, exist_ok=True)
    with open(os.path.join(cache, ".lock"), "w", encoding="ascii") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(["bash", os.path.join(HERE, "fetch.sh"), cache], check=True)
        helper = os.path.join(cache, "efivar_rm")
        src = os.path.join(HERE, "efivar_rm.c")
        if not os.path.isfile(helper) or os.path.getmtime(helper) < os.path.getmtime(src):
            subprocess.run(["gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o", helper, src], check=True)
    with open(os.path.join(cache, "manifest.json"), encoding="utf-8") as f:
        m = json.load(f)
    initrd = os.path.join(work, "initrd.img")
    subprocess.run([sys.executable, os.path.join(HERE, "mkinitramfs.py"), "--busybox", m["busybox"],
                    "--init", os.path.join(HERE, "init.sh"), "--module", m["efivarfs_ko"], "--bin", helper,
                    "-o", initrd], check=True)
    log("kernel %s (%s %s)" % (m["kernel_release"], m["kernel_package"], m["kernel_package_version"]))
    return m["vmlinuz"], initrd


def prepare_aa64(cache, work, probe):
    """arm64 kernel + busybox (fetch_arm64.py, outside the clone), the
    libc-free efivar_rm and, with probe, the PRM probe table."""
    r = subprocess.run([sys.executable, os.path.join(HERE, "fetch_arm64.py")], stdout=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise SystemExit("[linux] FAIL: fetch_arm64.py (exit %d)" % r.returncode)
    with open(r.stdout.strip().splitlines()[-1], encoding="utf-8") as f:
        m = json.load(f)
    tools = os.path.join(cache, "aa64")
    os.makedirs(tools, exist_ok=True)
    helper = os.path.join(tools, "efivar_rm")
    src = os.path.join(HERE, "efivar_rm_nolibc.c")
    with open(os.path.join(cache, ".lock"), "w", encoding="ascii") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.isfile(helper) or os.path.getmtime(helper) < os.path.getmtime(src):
            # ld.lld-14 (package lld-14, with clang-14 in tools/deps.sh); plain ld.lld is package lld
            lld = shutil.which("ld.lld-14") or "ld.lld"
            subprocess.run(["clang-14", "--target=aarch64-linux-gnu", "-ffreestanding", "-nostdlib", "-nostdinc",
                            "-static", "-O2", "-Wall", "-Wextra", "-Werror", "--ld-path=" + lld, "-Wl,-e,rp_start",
                            "-o", helper + ".tmp", src], check=True)
            os.replace(helper + ".tmp", helper)
    extra = []
    if probe:
        base = os.path.join(work, "rtprm_probe")
        subprocess.run(["iasl", "-p", base, os.path.join(HERE, "prm_probe.asl")], check=True,
                       stdout=subprocess.DEVNULL)
        extra = ["--file", base + ".aml:kernel/firmware/acpi/rtprm_probe.aml"]
    initrd = os.path.join(work, "initrd.img")
    subprocess.run([sys.executable, os.path.join(HERE, "mkinitramfs.py"), "--busybox", m["busybox"],
                    "--init", os.path.join(HERE, "init.sh"), "--module", m["efivarfs_ko"], "--bin", helper,
                    "-o", initrd] + extra, check=True)
    log("kernel %s (%s %s, arm64)" % (m["kernel_release"], m["kernel_package"], m["kernel_package_version"]))
    return m["vmlinuz"], initrd


def pe_hello_fixup(path, export):
    """(handler RVA, fixup RVA) of a PRM module: the RVA of the named export
    and of the one 8-byte slot in the image's sections holding the address
    of that export at the preferred ImageBase (rp_sample_hello_fixup, a
    DIR64 relocation target). pefile: Debian's python3-pefile."""
    import pefile
    try:
        pe = pefile.PE(path)
    except pefile.PEFormatError as e:
        raise SystemExit("[linux] FAIL: %s is not a PE image: %s" % (path, e))
    if pe.OPTIONAL_HEADER.Magic != 0x20B:
        raise SystemExit("[linux] FAIL: %s is not PE32+" % path)
    exports = getattr(pe, "DIRECTORY_ENTRY_EXPORT", None)
    rvas = [e.address for e in (exports.symbols if exports else []) if e.name == export.encode()]
    if len(rvas) != 1:
        raise SystemExit("[linux] FAIL: %s exports %d symbols named %s, want 1" % (path, len(rvas), export))
    handler = rvas[0]
    want = struct.pack("<Q", pe.OPTIONAL_HEADER.ImageBase + handler)
    slots = []
    for s in pe.sections:
        data = pe.__data__[s.PointerToRawData:s.PointerToRawData + min(s.Misc_VirtualSize, s.SizeOfRawData)]
        slots += [s.VirtualAddress + i for i in range(0, len(data) - 7, 8) if data[i:i + 8] == want]
    if len(slots) != 1:
        raise SystemExit("[linux] FAIL: %s: %d aligned slots hold the address of %s, want 1" % (path, len(slots), export))
    return handler, slots[0]


def nsh(path, lines):
    """startup.nsh: the shell wants CRLF lines."""
    with open(path, "w", encoding="ascii", newline="") as f:
        f.write("".join(line + "\r\n" for line in lines))


def ovmf(args, scenario, adds, expect, extra):
    cmd = [sys.executable, os.path.join(E2E, "ovmf_run.py"), "--arch", args.arch, "--scenario", scenario,
           "--reports", args.reports, "--timeout", str(args.timeout)]
    if args.cpu:
        cmd += ["--cpu", args.cpu]
    cmd += ["--qemu-arg=%s" % a for a in args.qemu_arg]
    for a in adds:
        cmd += ["--add", a]
    for e in expect:
        cmd += ["--expect", e]
    return subprocess.run(cmd + extra).returncode


def kernel_cmdline(args):
    cmdline = "console=%s initrd=\\initrd.img panic=-1" % ("ttyAMA0" if args.arch == "aa64" else "ttyS0")
    if args.rtc:
        cmdline += " rtprm_rtc=%s" % args.rtc
    if args.prm_fixup:
        cmdline += " rtprm_prm_fixup=0x%x,0x%x" % pe_hello_fixup(args.prm_fixup, "PrmSampleDebugConHello")
    if args.prm_probe:
        cmdline += " rtprm_prm_probe=1"
    if args.prm_modules is not None:
        cmdline += " prm_modules=%d" % args.prm_modules
    if args.reboot:
        cmdline += " rtprm_reboot=1 reboot=efi"
    return cmdline + "".join(" " + a for a in args.kernel_arg)


def tamper_first_section(path):
    """One byte in the middle of the first section with raw data, flipped."""
    data = bytearray(open(path, "rb").read())
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    nsec, opt = struct.unpack_from("<H", data, pe + 6)[0], struct.unpack_from("<H", data, pe + 20)[0]
    for i in range(nsec):
        size, off = struct.unpack_from("<II", data, pe + 24 + opt + 40 * i + 16)
        if size:
            data[off + size // 2] ^= 0x01
            break
    with open(path, "wb") as f:
        f.write(data)


def secure_boot_stage(args, work, tmp, drivers, vmlinuz, initrd, cmdline):
    """Signed files for the drive, \rtprm\load.txt, and the signed loader."""
    key = snakeoil.decrypt_key(tmp)
    adds, items = [], []
    for path, name, mode in drivers:
        dst = os.path.join(work, name)
        if mode == "unsigned":
            shutil.copyfile(path, dst)
        else:
            snakeoil.sign(key, path, dst)
        if mode == "tampered":
            tamper_first_section(dst)
        adds.append("%s:rtprm/%s" % (dst, name))
        items.append("driver \\rtprm\\%s" % name)
    adds.append("%s:rtprm/vmlinuz.efi" % snakeoil.resign(key, vmlinuz, os.path.join(work, "vmlinuz.efi")))
    adds.append("%s:rtprm/initrd.img" % initrd)
    items.append("kernel \\rtprm\\vmlinuz.efi %s" % cmdline.replace("initrd=\\initrd.img", "initrd=\\rtprm\\initrd.img"))
    listing = os.path.join(work, "load.txt")
    with open(listing, "w", encoding="ascii", newline="") as f:
        f.write("".join(i + "\r\n" for i in items))
    adds.append("%s:rtprm/load.txt" % listing)
    loader = snakeoil.sign(key, args.loader, os.path.join(work, "BOOTX64.EFI"))
    return adds, ["--efi", loader, "--code", snakeoil.CODE_X64, "--vars-template", snakeoil.VARS_X64]


def driver_specs(specs, modes):
    """[(path, name on the drive, mode)] of IMG[:NAME[:MODE]] specs, or None
    (with the reason logged) when a file is missing or a mode not allowed."""
    out = []
    for spec in specs:
        path, _, rest = spec.partition(":")
        name, _, mode = rest.partition(":")
        if not os.path.isfile(path) or mode not in modes:
            log("FAIL: driver missing or bad mode: %s" % spec)
            return None
        out.append((path, name or os.path.basename(path), mode))
    return out


def secure_boot_main(args, work, vmlinuz, initrd, cmdline, common):
    drivers = driver_specs(args.driver, ("", "unsigned", "tampered"))
    if drivers is None:
        return 1
    with tempfile.TemporaryDirectory(prefix="rtprm-sb-") as tmp:
        adds, fw = secure_boot_stage(args, work, tmp, drivers, vmlinuz, initrd, cmdline + " rtprm_secureboot=1")
    log("secure boot: snakeoil OVMF, %d driver(s) through RtprmSbLoader.efi" % len(drivers))
    extra = list(common) + fw + ["--forbid", "RTPRM-LINUX: FAIL", "--forbid", "Kernel panic",
                                 "--forbid", "RTPRM-SBL: FAIL"]
    for e in args.expect_debugcon:
        extra += ["--expect-debugcon", e]
    rc = ovmf(args, args.scenario, adds + args.add, ["RTPRM-LINUX: PASS"] + args.expect, extra)
    return rc if args.negative_control is None else negative_verdict(args, rc)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--arch", choices=("x64", "aa64"), default="x64",
                    help="x64: OVMF + linux-image-amd64; aa64: AAVMF + linux-image-arm64")
    ap.add_argument("--cpu", help="QEMU -cpu model (aa64; e.g. max)")
    ap.add_argument("--qemu-arg", action="append", default=[], metavar="ARG",
                    help="extra QEMU argument for both boots (give it as --qemu-arg=-smbios)")
    ap.add_argument("--rtc", metavar="NAME", help="/init must read the RTC with this driver name (e.g. rtc-efi)")
    ap.add_argument("--prm-fixup", metavar="IMG",
                    help="PrmSampleContext.efi: /init reads the hello handler's re-applied fixup via /dev/mem")
    ap.add_argument("--prm-probe", action="store_true",
                    help="add prm_probe.asl as an ACPI table upgrade; /init checks the hello handler's PRM status")
    ap.add_argument("--driver", action="append", default=[],
                    help="firmware driver IMG.efi[:NAME] (NAME: file name on the drive), loaded in the order given")
    ap.add_argument("--shell-load", action="store_true", help="load the drivers from the shell instead of Driver####")
    ap.add_argument("--expect", action="append", default=[], help="line that must appear on the serial console")
    ap.add_argument("--negative-control", metavar="LINE",
                    help="the scenario must fail, with LINE on the debug or serial console")
    ap.add_argument("--prm-modules", type=int, help="PRM modules Linux must report (prm_modules=N)")
    ap.add_argument("--expect-debugcon", action="append", default=[])
    ap.add_argument("--forbid", action="append", default=[])
    ap.add_argument("--cache", default=os.path.join(REPO, "build", "e2e-cache"))
    ap.add_argument("--reports", default=os.path.join(REPO, "reports", "e2e"))
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--kernel-arg", action="append", default=[], help="extra kernel command-line word (e.g. efi=debug)")
    ap.add_argument("--code", help="firmware code flash (default: Debian's OVMF_CODE_4M.fd)")
    ap.add_argument("--vars-template", help="variable store template (default: Debian's OVMF_VARS_4M.fd)")
    ap.add_argument("--shell-before", action="append", default=[],
                    help="shell line run before the kernel (after any driver loads)")
    ap.add_argument("--add", action="append", default=[], metavar="SRC:DEST", help="extra file on the FAT drive")
    ap.add_argument("--reboot", action="store_true",
                    help="/init reboots (reboot -f, ResetSystem) instead of powering off; the run passes once "
                         "the firmware has started again (--expect-count 2 of --boot-marker)")
    ap.add_argument("--secure-boot", action="store_true",
                    help="x64: snakeoil OVMF, signed drivers and kernel loaded by --loader (see above)")
    ap.add_argument("--loader", help="RtprmSbLoader.efi (with --secure-boot)")
    ap.add_argument("--boot-marker",
                    help="line every firmware boot prints once (with --reboot); default x64: our RuntimeDxe's "
                         "install line; aa64: a line startup.nsh prints (AAVMF loads Driver#### options before "
                         "it connects the serial console, so the drivers' own lines are not seen there)")
    args = ap.parse_args()

    work = os.path.join(args.cache, "run-" + args.scenario)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    if args.arch == "aa64":
        vmlinuz, initrd = prepare_aa64(args.cache, work, args.prm_probe)
    elif args.prm_probe:
        ap.error("--prm-probe is for aa64 (x64 reads the handler's line on the debug console)")
    else:
        vmlinuz, initrd = prepare(args.cache, work)
    vars_fd = os.path.join(work, "vars.fd")
    common = ["--vars", vars_fd]
    if args.secure_boot:
        if args.arch != "x64" or not args.loader or args.code or args.vars_template or args.shell_load:
            ap.error("--secure-boot is x64 with --loader, without --code/--vars-template/--shell-load")
        for f in args.forbid:
            common += ["--forbid", f]
        return secure_boot_main(args, work, vmlinuz, initrd, kernel_cmdline(args), common)
    if args.code:
        common += ["--code", args.code]
    if args.vars_template:
        common += ["--vars-template", args.vars_template]
    for f in args.forbid:
        common += ["--forbid", f]

    specs = driver_specs(args.driver, ("",))
    if specs is None:
        return 1
    drivers = ["%s:drivers/%s" % (path, name) for path, name, _mode in specs]
    names = [name for _path, name, _mode in specs]
    if drivers and not args.shell_load:
        setup = os.path.join(work, "setup.nsh")
        lines = ["fs0:"]
        lines += ["bcfg driver add %d fs0:\\drivers\\%s \"rtprm %s\"" % (i, n, n) for i, n in enumerate(names)]
        lines += ["bcfg driver dump", "echo RTPRM-SETUP: drivers registered", "reset -s"]
        nsh(setup, lines)
        log("setup boot: registering %d driver(s) as Driver#### options" % len(drivers))
        if ovmf(args, args.scenario + "-setup", drivers + ["%s:startup.nsh" % setup],
                ["RTPRM-SETUP: drivers registered"], common) != 0:
            return 1

    boot = os.path.join(work, "boot.nsh")
    cmdline = kernel_cmdline(args)
    loads = ["load drivers\\%s" % n for n in names] if args.shell_load else []
    marker = args.boot_marker or ("RTPRM-BOOT: shell started" if args.arch == "aa64" else "RTPRM-RT: installed")
    # '@': the shell does not echo the command line, so the marker is printed once per boot
    first = ["@echo %s" % marker] if args.arch == "aa64" else []
    nsh(boot, first + ["fs0:"] + loads + args.shell_before + ["vmlinuz.efi " + cmdline])
    extra = list(common) + ["--forbid", "RTPRM-LINUX: FAIL", "--forbid", "Kernel panic"]
    if args.reboot:
        extra += ["--allow-reboot", "--no-require-exit", "--expect-count", "2", marker]
    for e in args.expect_debugcon:
        extra += ["--expect-debugcon", e]
    how = " (shell load)" if args.shell_load else " (Driver####)"
    log("linux boot%s" % ((" with our drivers" + how) if drivers else " (stock firmware)"))
    rc = ovmf(args, args.scenario, drivers + args.add + ["%s:vmlinuz.efi" % vmlinuz, "%s:initrd.img" % initrd,
                                                          "%s:startup.nsh" % boot],
              ["RTPRM-LINUX: PASS"] + args.expect, extra)
    return rc if args.negative_control is None else negative_verdict(args, rc)


def negative_verdict(args, rc):
    """A broken build must make the scenario fail, for the reason named."""
    seen = False
    for name in ("debugcon.log", "serial.log"):
        try:
            with open(os.path.join(args.reports, args.scenario, name), encoding="utf-8", errors="replace") as f:
                seen = seen or args.negative_control in f.read()
        except OSError:
            pass
    if rc == 0:
        log("NEGATIVE CONTROL FAILED: the broken build passed the scenario")
        return 1
    if not seen:
        log("NEGATIVE CONTROL FAILED: the scenario failed, but '%s' is in neither log" % args.negative_control)
        return 1
    log("negative control: the scenario failed as it must ('%s' seen)" % args.negative_control)
    record_caught(args)
    return 0


def record_caught(args):
    """result.json: the boot's own verdict stays on record, the test's is CAUGHT."""
    path = os.path.join(args.reports, args.scenario, "result.json")
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    data["negative_control"] = {"marker": args.negative_control, "scenario_verdict": data.get("verdict"),
                                "scenario_reason": data.get("reason")}
    data["verdict"] = "CAUGHT"
    data["reason"] = "negative control: the broken build failed the scenario ('%s'); %s" % (
        args.negative_control, data["negative_control"]["scenario_reason"])
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
