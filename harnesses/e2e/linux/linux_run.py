#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Boot Debian's Linux kernel under OVMF (x64) with our firmware drivers and
check what the OS sees (harnesses/e2e/linux/init.sh prints one
`RTPRM-LINUX: <check> ok|FAIL` line per check, then `RTPRM-LINUX: PASS`).

  linux_run.py --scenario linux-x64 [--driver IMG.efi]... [--prm-modules N]
               [--expect-debugcon LINE]... [--forbid LINE]... [--timeout S]

Steps:
  1. fetch.sh fills the cache (default build/e2e-cache): the kernel package
     linux-image-amd64 names and busybox-static, via apt-get download;
     efivar_rm is compiled there (gcc -static); the initramfs is packed
     (mkinitramfs.py) every run, so init.sh edits take effect;
  2. with --driver: a setup boot whose startup.nsh registers every driver as
     a Driver#### load option (`bcfg driver add`, in the order given) and
     shuts down; the variable store persists (ovmf_run.py --vars), so on
     the next boot BDS loads the drivers before ReadyToBoot and the
     firmware describes them as runtime code in its Memory Attributes Table
     (toolchain.md: shell-loaded runtime images are described as data and
     Linux maps them no-execute);
  3. the Linux boot: the shell runs `vmlinuz.efi console=ttyS0
     initrd=\\initrd.img panic=-1 [prm_modules=N]`; the run passes when
     `RTPRM-LINUX: PASS` is on the serial console, no forbidden line is
     seen anywhere and every --expect-debugcon line is in the port-0xE9 log.
Logs: reports/e2e/<scenario>-setup/ and reports/e2e/<scenario>/.
"""
import argparse
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


def prepare(cache):
    """Kernel, busybox, efivar_rm and a fresh initramfs in the cache."""
    subprocess.run(["bash", os.path.join(HERE, "fetch.sh"), cache], check=True)
    with open(os.path.join(cache, "manifest.json"), encoding="utf-8") as f:
        m = json.load(f)
    helper = os.path.join(cache, "efivar_rm")
    src = os.path.join(HERE, "efivar_rm.c")
    if not os.path.isfile(helper) or os.path.getmtime(helper) < os.path.getmtime(src):
        subprocess.run(["gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o", helper, src], check=True)
    initrd = os.path.join(cache, "initrd.img")
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
    ap.add_argument("--driver", action="append", default=[], help="firmware driver loaded via Driver####")
    ap.add_argument("--prm-modules", type=int, help="PRM modules Linux must report (prm_modules=N)")
    ap.add_argument("--expect-debugcon", action="append", default=[])
    ap.add_argument("--forbid", action="append", default=[])
    ap.add_argument("--cache", default=os.path.join(REPO, "build", "e2e-cache"))
    ap.add_argument("--reports", default=os.path.join(REPO, "reports", "e2e"))
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--kernel-arg", action="append", default=[], help="extra kernel command-line word (e.g. efi=debug)")
    args = ap.parse_args()

    vmlinuz, initrd = prepare(args.cache)
    work = os.path.join(args.cache, "run-" + args.scenario)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    vars_fd = os.path.join(work, "vars.fd")
    common = ["--vars", vars_fd]
    for f in args.forbid:
        common += ["--forbid", f]

    drivers = []
    for d in args.driver:
        if not os.path.isfile(d):
            log("FAIL: driver missing: %s" % d)
            return 1
        drivers.append("%s:drivers/%s" % (d, os.path.basename(d)))
    if drivers:
        setup = os.path.join(work, "setup.nsh")
        lines = ["fs0:"]
        lines += ["bcfg driver add %d fs0:\\drivers\\%s \"rtprm %s\"" % (i, os.path.basename(d), os.path.basename(d))
                  for i, d in enumerate(args.driver)]
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
    cmdline += "".join(" " + a for a in args.kernel_arg)
    nsh(boot, ["fs0:", "vmlinuz.efi " + cmdline])
    extra = list(common) + ["--forbid", "RTPRM-LINUX: FAIL", "--forbid", "Kernel panic"]
    for e in args.expect_debugcon:
        extra += ["--expect-debugcon", e]
    log("linux boot%s" % (" with our drivers" if drivers else " (stock firmware)"))
    return ovmf(args, args.scenario, drivers + ["%s:vmlinuz.efi" % vmlinuz, "%s:initrd.img" % initrd,
                                                 "%s:startup.nsh" % boot], ["RTPRM-LINUX: PASS"], extra)


if __name__ == "__main__":
    sys.exit(main())
