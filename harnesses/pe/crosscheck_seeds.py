#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Checks the pefile reference against a second, minimal loader written here
from the PE/COFF spec (no pefile), over every well-formed seed in corpus/pe/.

  crosscheck_seeds.py [SEED_DIR]

For each seed and three bases (ImageBase + 1 GiB; 0x7FFE00000000 for PE32+
or 0x400000 for PE32; ImageBase - 16 pages, i.e. a negative delta), all
aligned down to SectionAlignment, pefile_map.mapped_image() and
load_and_relocate() below must give identical SizeOfImage bytes. Exit 1 on
any difference (and an exception when pefile has no faithful reference).
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pefile_map  # noqa: E402  (needs pefile: Debian /usr/bin/python3)


def u16(b, o): return struct.unpack_from("<H", b, o)[0]
def u32(b, o): return struct.unpack_from("<I", b, o)[0]
def u64(b, o): return struct.unpack_from("<Q", b, o)[0]


def load_and_relocate(data, new_base):
    """The spec's loader: headers (SizeOfHeaders), each section's
    min(VirtualSize, SizeOfRawData) bytes at VirtualAddress, zeros elsewhere;
    ImageBase field := new_base; HIGHLOW/DIR64/HIGH/LOW applied mod 2**n."""
    lf = u32(data, 0x3C)
    nsec, optsz = u16(data, lf + 6), u16(data, lf + 20)
    opt = lf + 24
    plus = u16(data, opt) == 0x20B
    base = u64(data, opt + 24) if plus else u32(data, opt + 28)
    size, hdrs = u32(data, opt + 56), u32(data, opt + 60)
    nd = u32(data, opt + (108 if plus else 92))
    dirs = opt + (112 if plus else 96)
    img = bytearray(size)
    img[:hdrs] = data[:hdrs]
    st = opt + optsz
    for i in range(nsec):
        s = st + 40 * i
        vs, va, rs, pr = u32(data, s + 8), u32(data, s + 12), u32(data, s + 16), u32(data, s + 20)
        n = min(vs, rs)
        img[va:va + n] = data[pr:pr + n]
    delta = new_base - base
    if nd > 5:
        rva, rsz = u32(data, dirs + 40), u32(data, dirs + 44)
        p, end = rva, rva + rsz
        while p < end:
            page, sob = u32(img, p), u32(img, p + 4)
            for k in range((sob - 8) // 2):
                w = u16(img, p + 8 + 2 * k)
                t, a = w >> 12, page + (w & 0xFFF)
                if t == 10:
                    struct.pack_into("<Q", img, a, (u64(img, a) + delta) & (2**64 - 1))
                elif t == 3:
                    struct.pack_into("<I", img, a, (u32(img, a) + delta) & 0xFFFFFFFF)
                elif t == 2:
                    struct.pack_into("<H", img, a, (u16(img, a) + delta) & 0xFFFF)
                elif t == 1:
                    struct.pack_into("<H", img, a, (u16(img, a) + (delta >> 16)) & 0xFFFF)
                elif t != 0:
                    raise ValueError("type %d" % t)
            p += sob
    if plus:
        struct.pack_into("<Q", img, opt + 24, new_base & (2**64 - 1))
    else:
        struct.pack_into("<I", img, opt + 28, new_base & 0xFFFFFFFF)
    return bytes(img)


def main():
    seed_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "corpus", "pe")
    bad = 0
    for name in sorted(os.listdir(seed_dir)):
        if not name.endswith(".efi"):
            continue
        path = os.path.join(seed_dir, name)
        pe, data = pefile_map.load(path)
        oh = pe.OPTIONAL_HEADER
        sa = oh.SectionAlignment
        plus = oh.Magic == 0x20B
        bases = [oh.ImageBase + 0x40000000, 0x7FFE00000000 if plus else 0x00400000,
                 oh.ImageBase - 0x10000 * sa // 0x1000 if oh.ImageBase > 0x10000 * sa // 0x1000 else oh.ImageBase]
        for b in bases:
            b -= b % sa
            pe, data = pefile_map.load(path)
            pefile_map.check_faithful(pe, data, b)
            ref, _ = pefile_map.mapped_image(pe, data, b)
            own = load_and_relocate(data, b)
            if ref != own:
                diff = [i for i in range(len(ref)) if ref[i] != own[i]]
                print("FAIL %s base %#x: %d bytes differ, first at %#x" % (name, b, len(diff), diff[0]))
                bad += 1
            else:
                print("PASS %s base %#x (%d bytes)" % (name, b, len(ref)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
