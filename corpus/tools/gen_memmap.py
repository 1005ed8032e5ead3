#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Seeds for the "memmap" fuzz target, generated from readable descriptions.

Input layout (fuzz/fuzz_memmap.c): u32 DescriptorVersion, u32 DescriptorSize,
u32 MemoryMapSize, map bytes, then the 12-byte trailer (u32 options,
u64 allocation-failure mask). Options: bit 0 RUNTIME_ONLY, bit 1 CHECK_VIRTUAL.
Run from the repository root: corpus/tools/gen_memmap.py [--out corpus/memmap]
"""
import argparse
import os
import struct

RT = 1 << 63
WB = 0x8
UC = 0x1
KVA = 0xFFFF800000000000

# (type, phys, virt, pages, attr)
OVMF_LIKE = [
    (7, 0x0, 0, 0xA0, WB), (3, 0x100000, 0, 0x20, WB), (4, 0x120000, 0, 0x40, WB),
    (5, 0x200000, KVA + 0x200000, 0x10, RT | WB), (6, 0x210000, KVA + 0x210000, 0x08, RT | WB),
    (9, 0x300000, 0, 0x10, WB), (10, 0x310000, 0, 0x04, WB), (0, 0x314000, 0, 0x04, 0),
    (11, 0xFEC00000, KVA + 0xFEC00000, 0x01, RT | UC), (11, 0xFED00000, KVA + 0xFED00000, 0x01, RT | UC),
]
VIRT_PER_REGION = [
    (5, 0x200000, KVA + 0x200000, 8, RT | WB), (6, 0x208000, KVA + 0x100000, 4, RT | WB),
    (11, 0xFED00000, KVA + 0x40000000, 1, RT | UC),
]
XEN_STYLE = [
    (7, 0x100001, 0xFFFFFFFFFFFFFFFF, 0, WB), (5, 0x200000, KVA, 8, RT),
    (0x12345678, 0x200000, 0, 8, 0), (6, 0x300000, KVA + 0x100000, 4, RT),
]
TOP_OF_SPACE = [(0, 0xFFFFFFFFFFFFF000, 0, 1, 0), (5, 0x1000, 0xFFFFFFFFFFFFE000, 2, RT)]
OVERLAP = [(1, 0x10000, 0, 4, 0), (2, 0x20000, 0, 1, 0), (4, 0x13000, 0, 2, 0)]
OEM_OS_TYPES = [(0x70000000, 0x1000, 0, 1, 0), (0x7FFFFFFF, 0x2000, 0, 1, 0), (0x80000000, 0x3000, 0, 1, 0),
                (0xFFFFFFFF, 0x4000, 0, 1, 0), (15, 0x5000, 0, 1, 0)]


def descriptors(rows, stride):
    out = b""
    for t, p, v, n, a in rows:
        d = struct.pack("<IIQQQQ", t, 0, p, v, n, a)
        out += d + b"\xA5" * (stride - len(d))
    return out


def seed(rows, stride=48, version=1, options=0, fail_mask=0, map_size=None, extra=b""):
    body = descriptors(rows, stride) + extra
    size = len(descriptors(rows, stride)) if map_size is None else map_size
    return struct.pack("<III", version, stride, size) + body + struct.pack("<IQ", options, fail_mask)


SEEDS = {
    "seed-ovmf-like-stride48": seed(OVMF_LIKE),
    "seed-ovmf-like-stride40": seed(OVMF_LIKE, stride=40),
    "seed-ovmf-like-stride64-virtual": seed(OVMF_LIKE, stride=64, options=2),
    "seed-virtual-per-region-deltas": seed(VIRT_PER_REGION, options=2),
    "seed-linux-runtime-only": seed(VIRT_PER_REGION, options=3),
    "seed-xen-style-runtime-only": seed(XEN_STYLE, options=3),
    "seed-xen-style-all-checked": seed(XEN_STYLE, options=2),
    "seed-top-of-address-space": seed(TOP_OF_SPACE, options=2),
    "seed-overlap": seed(OVERLAP),
    "seed-oem-os-types": seed(OEM_OS_TYPES, stride=40),
    "seed-empty-map": seed([]),
    "seed-bad-version": seed(OVMF_LIKE, version=2),
    "seed-bad-stride-44": seed(OVMF_LIKE[:3], stride=44),
    "seed-size-not-multiple": seed(OVMF_LIKE[:3], map_size=3 * 48 + 8, extra=b"\0" * 8),
    "seed-size-exceeds-buffer": seed(OVMF_LIKE[:3], map_size=4 * 48),
    "seed-alloc-fail-mask": seed(OVMF_LIKE, options=2, fail_mask=0xFFFFFFFFFFFFFFFF),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "memmap"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(data)
    print(f"wrote {len(SEEDS)} seeds to {os.path.normpath(args.out)}")


if __name__ == "__main__":
    main()
