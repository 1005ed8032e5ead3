#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Seeds for the "mat" fuzz target (fuzz/fuzz_mat.c): Memory Attributes
Tables shaped like Debian OVMF's (an XP code entry holding late-loaded
runtime images, EDK II image records, runtime data) with image specs, plus
PE-mode seeds (options bit 0) copied from the lld/MinGW PRM samples.

  corpus/tools/gen_mat_seeds.py [OUTDIR]     (default: corpus/mat)
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RT, XP, RO, UC = 1 << 63, 0x4000, 0x20000, 0x1
CODE, DATA = 5, 6


def table(rows, version=1, stride=48, flags=0, count=None):
    out = struct.pack("<IIII", version, len(rows) if count is None else count, stride, flags)
    for t, phys, pages, attr in rows:
        d = struct.pack("<IIQQQQ", t, 0, phys, 0, pages, attr)
        out += d + b"\0" * (stride - len(d))
    return out


def images(specs):
    """specs: (base, [(pages, prot bits: 1 RO, 2 XP)])."""
    out = struct.pack("<B", len(specs))
    for base, pieces in specs:
        out += struct.pack("<IBB", base // 4096, 0, len(pieces))
        out += b"".join(struct.pack("<BB", p, prot) for p, prot in pieces)
    return out


def trailer(options):
    return struct.pack("<IQ", options, 0)


OVMF = [(CODE, 0x1f5ec000, 0x6d, RT | XP), (CODE, 0x1f700000, 1, RT | XP), (CODE, 0x1f701000, 4, RT | RO),
        (CODE, 0x1f705000, 2, RT | XP), (DATA, 0x1f800000, 0x10, RT | XP)]
PRM = [(1, 3), (3, 1), (5, 2)]
SEEDS = {
    "seed-ovmf-two-prm": images([(0x1f5f0000, PRM), (0x1f600000, [(1, 3), (2, 1), (1, 2)])]) + table(OVMF),
    "seed-ovmf-v2-flags": images([(0x1f5f0000, PRM)]) + table(OVMF, version=2, flags=1),
    "seed-stride64": images([(0x1f5f0000, PRM)]) + table(OVMF, stride=64),
    "seed-recorded-image": images([(0x1f700000, [(1, 3), (4, 1), (2, 2)])]) + table(OVMF),
    "seed-image-in-data": images([(0x1f800000, PRM)]) + table(OVMF),
    "seed-exact-entry": images([(0x100000, PRM)]) + table([(CODE, 0x100000, 9, RT | XP | UC)]),
    "seed-no-images": images([]) + table(OVMF),
    "seed-empty-table": images([]) + table([]),
    "seed-unsorted-entries": images([]) + table([(CODE, 0x200000, 1, RT), (CODE, 0x100000, 1, RT)]),
    "seed-bad-version": images([]) + table(OVMF, version=3),
    "seed-count-overflow": images([]) + table(OVMF, count=0xFFFFFFFF),
}
PE_SEEDS = {"seed-pe-lld-x64-context": "prm/seed-lld-x64-context.efi",
            "seed-pe-lld-aa64-context": "prm/seed-lld-aa64-context.efi",
            "seed-pe-mingw-x64-prm": "prm/seed-mingw-x64-prm.efi"}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "mat")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data + trailer(0))
    for name, src in PE_SEEDS.items():
        with open(os.path.join(HERE, "..", src), "rb") as f:
            data = f.read()
        with open(os.path.join(out, name), "wb") as f:
            f.write(data + trailer(1))
    print("gen_mat_seeds: %d seeds in %s" % (len(SEEDS) + len(PE_SEEDS), out))


if __name__ == "__main__":
    main()
