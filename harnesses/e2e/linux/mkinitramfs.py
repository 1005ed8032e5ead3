#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Packs the e2e initramfs: a newc cpio archive written directly (Debian has
no cpio by default and this needs no root: device nodes are just headers).

  mkinitramfs.py --busybox BIN --init init.sh [--module KO]... [--bin EXE]...
                 [--file SRC:DEST]... -o initrd.img

Contents: /init (the check script), /bin/busybox with /bin/sh, /dev/console
(5,1: the kernel opens it before /init runs), empty /proc /sys /dev /tmp
/mnt, the kernel modules under /lib/modules/ (efivarfs.ko) and extra static
executables under /bin/ (efivar_rm); --file puts SRC at DEST with its
parent directories (e.g. kernel/firmware/acpi/X.aml: the kernel's ACPI table
upgrade reads the uncompressed archive before it unpacks it).
"""
import argparse
import os
import stat

NEWC_MAGIC = b"070701"


def entry(name, mode, data=b"", rdev=(0, 0), ino=[0]):
    """One newc record: 110-byte header, NUL-terminated name, data, each
    padded to 4 bytes (cpio(5), "New ASCII Format")."""
    ino[0] += 1
    name_b = name.encode() + b"\0"
    fields = [ino[0], mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0]
    hdr = NEWC_MAGIC + b"".join(b"%08X" % f for f in fields)
    out = hdr + name_b
    out += b"\0" * (-len(out) % 4)
    out += data + b"\0" * (-len(data) % 4)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--busybox", required=True)
    ap.add_argument("--init", required=True)
    ap.add_argument("--module", action="append", default=[])
    ap.add_argument("--bin", action="append", default=[])
    ap.add_argument("--file", action="append", default=[], metavar="SRC:DEST")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    d, f, c, l = stat.S_IFDIR | 0o755, stat.S_IFREG, stat.S_IFCHR | 0o600, stat.S_IFLNK | 0o777
    recs = [entry(n, d) for n in ("bin", "dev", "proc", "sys", "tmp", "mnt", "lib", "lib/modules")]
    recs.append(entry("dev/console", c, rdev=(5, 1)))
    with open(a.busybox, "rb") as fh:
        recs.append(entry("bin/busybox", f | 0o755, fh.read()))
    recs.append(entry("bin/sh", l, b"busybox"))
    with open(a.init, "rb") as fh:
        recs.append(entry("init", f | 0o755, fh.read()))
    for b in a.bin:
        with open(b, "rb") as fh:
            recs.append(entry("bin/" + os.path.basename(b), f | 0o755, fh.read()))
    for m in a.module:
        with open(m, "rb") as fh:
            recs.append(entry("lib/modules/" + os.path.basename(m), f | 0o644, fh.read()))
    dirs = set()
    for spec in a.file:
        src, sep, dest = spec.rpartition(":")
        parts = dest.strip("/").split("/")
        if not sep or not src or ".." in parts or parts[0] in ("", "init"):
            ap.error("--file wants SRC:DEST (a relative path), got %r" % spec)
        for i in range(1, len(parts)):
            sub = "/".join(parts[:i])
            if sub not in dirs and sub not in ("bin", "lib", "lib/modules"):
                dirs.add(sub)
                recs.append(entry(sub, d))
        with open(src, "rb") as fh:
            recs.append(entry("/".join(parts), f | 0o644, fh.read()))
    recs.append(entry("TRAILER!!!", 0))
    blob = b"".join(recs)
    with open(a.output, "wb") as fh:
        fh.write(blob + b"\0" * (-len(blob) % 512))
    print("mkinitramfs: %s (%d bytes, %d entries)" % (a.output, os.path.getsize(a.output), len(recs)))


if __name__ == "__main__":
    main()
