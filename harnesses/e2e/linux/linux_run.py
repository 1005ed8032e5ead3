#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Boot Debian's Linux kernel under OVMF (x64) with our firmware drivers and
check what the OS sees (harnesses/e2e/linux/init.sh prints one
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
"""
import argparse
import fcntl
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
E2E = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(E2E))


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


def nsh(path, lines):
    """startup.nsh: the shell wants CRLF lines."""
    with open(path, "w", encoding="ascii", newline="") as f:
        f.write("".join(line + "\r\n" for line in lines))


def ovmf(args, scenario, adds, expect, extra):
    cmd = [sys.executable, os.path.join(E2E, "ovmf_run.py"), "--arch", "x64", "--scenario", scenario,
           "--reports", args.reports, "--timeout", str(args.timeout)]
    for a in adds:
        cmd += ["--add", a]
    for e in expect:
        cmd += ["--expect", e]
    return subprocess.run(cmd + extra).returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", required=True)
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
    ap.add_argument("--boot-marker", default="RTPRM-RT: installed",
                    help="debug-console line every firmware boot prints once (with --reboot)")
    args = ap.parse_args()

    work = os.path.join(args.cache, "run-" + args.scenario)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    vmlinuz, initrd = prepare(args.cache, work)
    vars_fd = os.path.join(work, "vars.fd")
    common = ["--vars", vars_fd]
    if args.code:
        common += ["--code", args.code]
    if args.vars_template:
        common += ["--vars-template", args.vars_template]
    for f in args.forbid:
        common += ["--forbid", f]

    drivers, names = [], []
    for spec in args.driver:
        path, _, name = spec.partition(":")
        name = name or os.path.basename(path)
        if not os.path.isfile(path):
            log("FAIL: driver missing: %s" % path)
            return 1
        drivers.append("%s:drivers/%s" % (path, name))
        names.append(name)
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
    cmdline = "console=ttyS0 initrd=\\initrd.img panic=-1"
    if args.prm_modules is not None:
        cmdline += " prm_modules=%d" % args.prm_modules
    if args.reboot:
        cmdline += " rtprm_reboot=1 reboot=efi"
    cmdline += "".join(" " + a for a in args.kernel_arg)
    loads = ["load drivers\\%s" % n for n in names] if args.shell_load else []
    nsh(boot, ["fs0:"] + loads + args.shell_before + ["vmlinuz.efi " + cmdline])
    extra = list(common) + ["--forbid", "RTPRM-LINUX: FAIL", "--forbid", "Kernel panic"]
    if args.reboot:
        extra += ["--allow-reboot", "--no-require-exit", "--expect-count", "2", args.boot_marker]
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
