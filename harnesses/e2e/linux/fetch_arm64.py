#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Fetches what the AArch64 Linux e2e scenario boots: Debian's arm64 kernel
(the linux-image-6.1.0-N-arm64 that linux-image-arm64 names) and
busybox-static for arm64, by `apt-get download` through the project's
private apt state (harnesses/debian/apt.py: amd64 + arm64 lists under the
cache; the system's apt configuration and dpkg's architecture list are
never changed, nothing is installed).

  fetch_arm64.py [--cache ROOT]

ROOT: --cache, else $RTPRM_CACHE, else ~/.cache/rtprm (outside the clone).
  ROOT/linux-arm64/kernel/         the kernel package unpacked (boot/vmlinuz-*:
                                   an uncompressed arm64 Image with the EFI stub)
  ROOT/linux-arm64/busybox/        busybox-static unpacked (bin/busybox)
  ROOT/linux-arm64/manifest.json   versions and paths (read by linux_run.py)
A cache holding a manifest whose files exist is reused without the network.
An fcntl lock on ROOT/.lock serialises it with the other users of the apt
state (harnesses/realworld, harnesses/edk2). Prints the manifest path.
Exit status: 0 ok, 1 fetch error (one line saying what to do).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "debian"))
from apt import Apt, FetchError, cache_root, locked, log, run  # noqa: E402

KERNEL_META = {"name": "linux-image-arm64", "arch": "arm64"}
KERNEL_NAME = re.compile(r"^linux-image-6\.1\.0-[0-9]+-arm64(-unsigned)?$")


def kernel_package(apt):
    """The 6.1 kernel package the arm64 metapackage depends on."""
    apt.update()
    out = run(["apt-cache"] + apt.options() + ["depends", "linux-image-arm64:arm64"],
              "apt-cache depends linux-image-arm64:arm64")
    for line in out.splitlines():
        m = re.match(r"^\s*Depends:\s*(\S+?)(:arm64)?$", line)
        if m and KERNEL_NAME.match(m.group(1)):
            return m.group(1)
    raise FetchError("linux-image-arm64 names no linux-image-6.1.0-*-arm64 (apt-cache depends said: %s)"
                     % " ".join(out.split())[:200])


def fetch(apt, name, work):
    pkg = {"name": name, "arch": "arm64"}
    pkg["version"] = apt.candidate(pkg)
    dest = tempfile.mkdtemp(prefix="dl-", dir=work)
    return pkg, apt.download(pkg, dest)


def valid(manifest):
    try:
        with open(manifest, encoding="utf-8") as f:
            m = json.load(f)
    except (OSError, ValueError):
        return None
    for key in ("vmlinuz", "efivarfs_ko", "busybox"):
        if not os.path.isfile(m.get(key, "")):
            return None
    return m


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", help="cache root (default $RTPRM_CACHE or ~/.cache/rtprm)")
    a = ap.parse_args()
    root = cache_root(a.cache)
    out = os.path.join(root, "linux-arm64")
    manifest = os.path.join(out, "manifest.json")
    try:
        with locked(root):
            if valid(manifest):
                log("cached (%s)" % manifest)
                print(manifest)
                return 0
            apt = Apt(root)
            os.makedirs(out, exist_ok=True)
            work = tempfile.mkdtemp(prefix=".partial-", dir=out)
            try:
                kname = kernel_package(apt)
                log("apt-get download %s:arm64 busybox-static:arm64" % kname)
                kpkg, kdeb = fetch(apt, kname, work)
                bpkg, bdeb = fetch(apt, "busybox-static", work)
                for sub in ("kernel", "busybox"):
                    shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
                run(["dpkg-deb", "-x", kdeb, os.path.join(out, "kernel")], "dpkg-deb -x %s" % kname)
                run(["dpkg-deb", "-x", bdeb, os.path.join(out, "busybox")], "dpkg-deb -x busybox-static")
            finally:
                shutil.rmtree(work, ignore_errors=True)
            apt.drop_caches()
            boot = os.path.join(out, "kernel", "boot")
            vmlinuz = sorted(os.path.join(boot, n) for n in os.listdir(boot) if n.startswith("vmlinuz-"))
            config = sorted(os.path.join(boot, n) for n in os.listdir(boot) if n.startswith("config-"))
            efivarfs = [os.path.join(d, n) for d, _, files in os.walk(os.path.join(out, "kernel", "lib", "modules"))
                        for n in files if n.startswith("efivarfs.ko")]
            busybox = os.path.join(out, "busybox", "bin", "busybox")
            if len(vmlinuz) != 1 or len(efivarfs) != 1 or not os.path.isfile(busybox):
                raise FetchError("unexpected package contents in %s (vmlinuz %d, efivarfs.ko %d, busybox %s)"
                                 % (out, len(vmlinuz), len(efivarfs), os.path.isfile(busybox)))
            with open(vmlinuz[0], "rb") as f:
                head = f.read(64)
            # arm64 Image header: "ARM\x64" at 0x38; the EFI stub makes it a PE ("MZ")
            if head[:2] != b"MZ" or head[0x38:0x3C] != b"ARM\x64":
                raise FetchError("%s is not an uncompressed arm64 Image with an EFI stub" % vmlinuz[0])
            data = {
                "arch": "arm64",
                "kernel_package": kname,
                "kernel_package_version": kpkg["version"],
                "kernel_release": os.path.basename(vmlinuz[0])[len("vmlinuz-"):],
                "vmlinuz": vmlinuz[0],
                "config": config[0] if config else None,
                "efivarfs_ko": efivarfs[0],
                "busybox": busybox,
                "busybox_version": bpkg["version"],
            }
            with open(manifest + ".tmp", "w", encoding="utf-8") as f:
                json.dump(data, f, indent=2)
                f.write("\n")
            os.replace(manifest + ".tmp", manifest)
            log("%s (%s), busybox-static %s -> %s" % (kname, kpkg["version"], bpkg["version"], out))
            print(manifest)
            return 0
    except (FetchError, subprocess.SubprocessError, OSError) as e:
        log("FAIL: %s" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
