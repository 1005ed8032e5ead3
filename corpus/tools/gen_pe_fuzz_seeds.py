#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Seeds for the "pe_load_relocate" and "pe_exports" fuzz targets.

Input layout (fuzz/fuzz_pe_load_relocate.c, fuzz/fuzz_pe_exports.c): a PE
file, then the 12-byte trailer (u32 options, u64 allocation-failure mask).

Sources:
  corpus/pe/*.efi            the real lld-link / GNU ld seeds, each with a few
                             option words (bases, rejected-call kinds)
  corpus/pe-malformed/       a handful of relocation / export rejections
  built here from scratch    images the real seeds lack: HIGH/LOW entries,
                             overlapping sites, ARM MOV32T/MOV32A, RISC-V
                             HI20/LO12I/LO12S groups, LoongArch MARK_LA,
                             exports with duplicate, empty and non-ASCII names

Deterministic (same bytes every run), standard library only. Run from the
repository root: corpus/tools/gen_pe_fuzz_seeds.py [--root .]
"""
import argparse
import glob
import os
import struct

# ---- pe_load_relocate option word (see the header of the harness) -------------


def opt(ka=0, kb=1, a_high=False, b_high=False, wild=False, reject=0, native=False, corrupt=False,
        short_load=False, direct_rec=False, strict=False):
    return ((ka & 0xFF) | (kb & 0xFF) << 8 | a_high << 16 | b_high << 17 | wild << 18 | (reject & 3) << 19 |
            native << 21 | corrupt << 22 | short_load << 23 | direct_rec << 24 | strict << 25)


def trailer(options, fail_mask=0):
    return struct.pack("<IQ", options, fail_mask)


# Option words given to every real seed: A == preferred base, then a moved A
# with a kernel-half B and a rejected call first (kinds cycle per file).
def reloc_variants(index):
    return [
        ("a0-b1", opt(ka=0, kb=1)),
        ("a2-bneg3-hi", opt(ka=2, kb=-3, b_high=True, reject=1 + index % 3, native=index % 2 == 1,
                            direct_rec=True, short_load=index % 4 == 0)),
    ]


# ---- a minimal PE builder ------------------------------------------------------

M_ARMNT, M_THUMB_MIXED, M_X64, M_RISCV64, M_LOONGARCH64 = 0x1C4, 0x1C2, 0x8664, 0x5064, 0x6264
SA, FA = 0x1000, 0x200
SCN_CODE, SCN_DATA = 0x60000020, 0xC0000040  # RX code / RW initialised data
SCN_RDATA, SCN_RELOC = 0x40000040, 0x42000040


def align(v, a):
    return (v + a - 1) // a * a


def reloc_dir(entries):
    """entries: [(rva, type)] in order; one block per 4 KiB page, padded."""
    out, pages = b"", {}
    for rva, typ in entries:
        pages.setdefault(rva & ~0xFFF, []).append(typ << 12 | (rva & 0xFFF))
    for page, words in pages.items():
        if len(words) % 2:
            words = words + [0]
        out += struct.pack("<II", page, 8 + 2 * len(words)) + struct.pack("<%dH" % len(words), *words)
    return out


def build_pe(machine, sections, relocs=(), exports=None, base=0x10000000, dll=True):
    """sections: [(name, characteristics, bytes)] at 0x1000, 0x2000, ...;
    relocs: [(rva, type)]; exports: (rva of export dir, bytes) placed by the
    caller inside a section. Returns the file bytes."""
    pe32 = machine in (M_ARMNT, M_THUMB_MIXED)
    opt_size = 224 if pe32 else 240
    secs = list(sections)
    if relocs:
        secs.append((".reloc", SCN_RELOC, reloc_dir(relocs)))
    n = len(secs)
    hdr_size = align(0x40 + 24 + opt_size + 40 * n, FA)
    vas, raws, raw = [], [], hdr_size
    for i, (_, _, data) in enumerate(secs):
        vas.append(SA * (i + 1))
        raws.append(raw)
        raw += align(len(data), FA)
    size_of_image = SA * (n + 1)
    dirs = [(0, 0)] * 16
    if exports:
        dirs[0] = exports
    if relocs:
        dirs[5] = (vas[-1], len(secs[-1][2]))
    code = next(i for i, s in enumerate(secs) if s[1] & 0x20000000)
    chars = 0x2 | (0x2000 if dll else 0) | (0x100 if pe32 else 0x20)
    coff = struct.pack("<HHIIIHH", machine, n, 0, 0, 0, opt_size, chars)
    if pe32:
        o = struct.pack("<HBBIIIIIIIIIHHHHHHIIIIHHIIIIII", 0x10B, 14, 0, 0, 0, 0, vas[code], vas[code], 0, base,
                        SA, FA, 0, 0, 1, 0, 0, 0, 0, size_of_image, hdr_size, 0, 12, 0, 0x100000, 0x1000,
                        0x100000, 0x1000, 0, 16)
    else:
        o = struct.pack("<HBBIIIIIQIIHHHHHHIIIIHHQQQQII", 0x20B, 14, 0, 0, 0, 0, vas[code], vas[code], base,
                        SA, FA, 0, 0, 1, 0, 0, 0, 0, size_of_image, hdr_size, 0, 12, 0, 0x100000, 0x1000,
                        0x100000, 0x1000, 0, 16)
    o += b"".join(struct.pack("<II", *d) for d in dirs)
    assert len(o) == opt_size
    sh = b""
    for i, (name, ch, data) in enumerate(secs):
        sh += struct.pack("<8sIIIIIIHHI", name.encode(), len(data), vas[i], align(len(data), FA), raws[i],
                          0, 0, 0, 0, ch)
    dos = b"MZ" + b"\0" * 0x3A + struct.pack("<I", 0x40)
    out = bytearray(dos + b"PE\0\0" + coff + o + sh)
    out += b"\0" * (hdr_size - len(out))
    for i, (_, _, data) in enumerate(secs):
        out += data + b"\0" * (align(len(data), FA) - len(data))
    return bytes(out)


def q(v):
    return struct.pack("<Q", v)


def d32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


# x64: every common type, plus a page with overlapping sites.
def x64_high_low():
    data = q(0x10002040) + d32(0x10003000) + struct.pack("<HH", 0x1000, 0x2345) + struct.pack("<HH", 0xFFF0, 0x8000)
    data += b"\0" * 16
    relocs = [(0x2000, 10), (0x2008, 3), (0x200C, 1), (0x200E, 2), (0x2010, 2), (0x2012, 1)]
    return build_pe(M_X64, [(".text", SCN_CODE, b"\xc3" * 16), (".data", SCN_DATA, data)], relocs)


def x64_overlap():
    data = q(0x10002000) + q(0x10002008) + q(0x10001000) + b"\0" * 8
    relocs = [(0x2000, 10), (0x2004, 10), (0x2010, 3), (0x2010, 10), (0x2018, 10), (0x2018, 10)]
    return build_pe(M_X64, [(".text", SCN_CODE, b"\xc3" * 16), (".data", SCN_DATA, data)], relocs)


def thumb_mov(v, rd=0):
    def t(op, imm):
        a = op | (imm >> 12 & 0xF) | (imm >> 11 & 1) << 10
        b = (imm >> 8 & 7) << 12 | rd << 8 | (imm & 0xFF)
        return struct.pack("<HH", a, b)
    return t(0xF240, v & 0xFFFF) + t(0xF2C0, v >> 16)


def arm_mov(v, rd=0):
    def a(op, imm):
        return d32(0xE0000000 | op | (imm >> 12 & 0xF) << 16 | rd << 12 | (imm & 0xFFF))
    return a(0x03000000, v & 0xFFFF) + a(0x03400000, v >> 16)


def arm_mov32():
    code = thumb_mov(0x10002000) + thumb_mov(0x1000FFF8, 1) + b"\x70\x47" * 4  # bx lr
    relocs = [(0x1000, 7), (0x1008, 7)]
    armnt = build_pe(M_ARMNT, [(".text", SCN_CODE, code), (".data", SCN_DATA, d32(0x10001000))],
                     relocs + [(0x2000, 3)])
    code2 = arm_mov(0x10002004) + thumb_mov(0x10002008, 2) + b"\x1e\xff\x2f\xe1"
    mixed = build_pe(M_THUMB_MIXED, [(".text", SCN_CODE, code2), (".data", SCN_DATA, d32(0x10001000))],
                     [(0x1000, 5), (0x1008, 7), (0x2000, 3)])
    return armnt, mixed


def rv_lui(rd, hi):
    return d32(0x37 | rd << 7 | (hi & 0xFFFFF000))


def rv_i(op, f3, rd, rs1, imm):
    return d32(op | rd << 7 | f3 << 12 | rs1 << 15 | (imm & 0xFFF) << 20)


def rv_s(f3, rs1, rs2, imm):
    return d32(0x23 | (imm & 0x1F) << 7 | f3 << 12 | rs1 << 15 | rs2 << 20 | (imm >> 5 & 0x7F) << 25)


def riscv64():
    # a0 = 0x10002800: hi 0x10003000, lo -0x800; a shared HI20 with addi, ld and sd.
    v = 0x10002800
    lo = v & 0xFFF
    hi = (v - (lo - 0x1000 if lo >= 0x800 else lo)) & 0xFFFFFFFF
    code = rv_lui(10, hi) + rv_i(0x13, 0, 10, 10, lo) + rv_i(0x03, 3, 11, 10, lo) + rv_s(3, 10, 11, lo)
    code += rv_lui(12, 0x10001000) + rv_i(0x67, 0, 0, 12, 0x10)  # jalr through a second pair
    code += d32(0x00008067)  # ret
    relocs = [(0x1000, 5), (0x1004, 7), (0x1008, 7), (0x100C, 8), (0x1010, 5), (0x1014, 7)]
    return build_pe(M_RISCV64, [(".text", SCN_CODE, code), (".data", SCN_DATA, q(0x10001000))],
                    relocs + [(0x2000, 10)])


def loongarch64():
    v = 0x0000000010002010
    insns = [0x14000000 | (v >> 12 & 0xFFFFF) << 5 | 4, 0x03800000 | (v & 0xFFF) << 10 | 4 << 5 | 4,
             0x16000000 | (v >> 32 & 0xFFFFF) << 5 | 4, 0x03000000 | (v >> 52 & 0xFFF) << 10 | 4 << 5 | 4]
    code = b"".join(d32(i) for i in insns) + d32(0x4C000020)  # jirl zero, ra, 0
    return build_pe(M_LOONGARCH64, [(".text", SCN_CODE, code), (".data", SCN_DATA, q(0x10001000))],
                    [(0x1000, 8), (0x2000, 10)])


def export_image(names, ordinals=None, sort=False, forwarder=False):
    """x64 image with an export directory in .rdata (RVA 0x2000)."""
    if sort:
        names = sorted(names, key=lambda s: s.encode("latin-1"))
    n = len(names)
    nfun = max(n, 1) + 1
    ordinals = ordinals or list(range(n))
    base = 0x2000
    hdr = 40
    eat = base + hdr
    npt = eat + 4 * nfun
    ot = npt + 4 * n
    strings = ot + 2 * n
    blob_names, ptrs, cur = b"", [], strings + 8
    dll = b"seed.efi\0"
    for s in names:
        ptrs.append(cur + len(dll))
        blob_names += s.encode("latin-1") + b"\0"
        cur += len(s.encode("latin-1")) + 1
    fwd_rva = 0
    tail = dll + blob_names
    if forwarder:
        fwd_rva = strings + 8 + len(tail)
        tail += b"Other.Real\0"
    eat_vals = [0x1000 + 4 * i for i in range(nfun)]
    if forwarder:
        eat_vals[-1] = fwd_rva
    d = struct.pack("<IIHHIIIIIII", 0, 0, 0, 0, strings + 8, 1, nfun, n, eat, npt, ot)
    d += b"".join(d32(x) for x in eat_vals) + b"".join(d32(p) for p in ptrs)
    d += b"".join(struct.pack("<H", o) for o in ordinals) + b"\0" * 8 + tail
    size = len(d)
    return build_pe(M_X64, [(".text", SCN_CODE, b"\xc3" * 64), (".rdata", SCN_RDATA, d)], exports=(base, size))


def generated_reloc():
    armnt, mixed = arm_mov32()
    return {
        "gen-x64-high-low": x64_high_low(),
        "gen-x64-overlap": x64_overlap(),
        "gen-armnt-mov32t": armnt,
        "gen-thumb-mixed-mov32a": mixed,
        "gen-riscv64-hi20-lo12": riscv64(),
        "gen-loongarch64-mark-la": loongarch64(),
    }


def generated_exports():
    return {
        "gen-exports-duplicates-unsorted": export_image(["beta", "alpha", "beta", "", "alpha"], ordinals=[0, 1, 2, 3, 1]),
        "gen-exports-sorted-high-bytes": export_image(["Zed", "zed", "\xc3\xa9t\xc3\xa9", "a", "\xff"], sort=True,
                                                      forwarder=True),
        "gen-exports-single-empty-name": export_image([""]),
        "gen-exports-prefixes": export_image(["ab", "abc", "abcd", "abd", "b"], sort=True),
    }


MALFORMED_RELOC = ["reloc-block-size-4.efi", "reloc-dir64-partial-3.efi", "reloc-dir-trailing-6.efi",
                   "reloc-page-at-sizeofimage.efi", "numrva-5-must-move.efi", "dir-reloc-wrap-cve-2024-38796.efi"]
# Classes with findings (docs/pecoff.md §1) and TE images: COMPAT and STRICT
# side by side (oracle (f) of the harness).
FINDING_RELOC = ["te-signature.efi", "te-pic-moves.efi", "reloc-block-size-10-last.efi", "reloc-dir-unaligned.efi",
                 "imagebase-misaligned.efi", "section-va-unaligned.efi", "sizeofimage-unaligned.efi",
                 "reloc-dir-absent-must-move.efi"]
MALFORMED_EXPORT = ["export-name-unterminated.efi", "export-ordinal-eq-functions.efi", "export-names-gt-functions.efi",
                    "export-eat-rva-outside.efi", "export-name-table-in-headers.efi", "export-dir-too-small.efi"]


def has_exports(pe):
    e_lfanew = struct.unpack_from("<I", pe, 0x3C)[0]
    magic = struct.unpack_from("<H", pe, e_lfanew + 24)[0]
    dd = e_lfanew + 24 + (112 if magic == 0x20B else 96)
    return struct.unpack_from("<II", pe, dd)[1] != 0


def write(out_dir, name, data):
    with open(os.path.join(out_dir, name), "wb") as f:
        f.write(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    args = ap.parse_args()
    corpus = os.path.join(args.root, "corpus")
    rel_out, exp_out = os.path.join(corpus, "pe_load_relocate"), os.path.join(corpus, "pe_exports")
    for d in (rel_out, exp_out):
        os.makedirs(d, exist_ok=True)
        for f in glob.glob(os.path.join(d, "seed-*")):
            os.remove(f)
    real = sorted(glob.glob(os.path.join(corpus, "pe", "*.efi")))
    n_rel = n_exp = 0
    for i, path in enumerate(real):
        pe = open(path, "rb").read()
        stem = os.path.basename(path)[:-4].replace("seed-", "")
        for tag, o in reloc_variants(i):
            write(rel_out, "seed-%s-%s" % (stem, tag), pe + trailer(o))
            n_rel += 1
        if has_exports(pe):
            write(exp_out, "seed-%s" % stem, pe + trailer(i & 0xFF))
            n_exp += 1
    for name, pe in generated_reloc().items():
        for j, o in enumerate([opt(ka=0, kb=1), opt(ka=1, kb=-1, b_high=True, direct_rec=True),
                               opt(ka=-2, kb=5, native=True, direct_rec=True, reject=1, corrupt=True)]):
            write(rel_out, "seed-%s-%d" % (name, j), pe + trailer(o))
            n_rel += 1
    for name, pe in generated_exports().items():
        write(exp_out, "seed-%s" % name, pe + trailer(0x0301))
        n_exp += 1
    for m in MALFORMED_RELOC:
        write(rel_out, "seed-malformed-" + m[:-4], open(os.path.join(corpus, "pe-malformed", m), "rb").read() +
              trailer(opt(ka=1, kb=2)))
        n_rel += 1
    for m in FINDING_RELOC:
        data = open(os.path.join(corpus, "pe-malformed", m), "rb").read()
        for j, o in enumerate([opt(ka=1, kb=2, strict=True), opt(ka=-1, kb=3, b_high=True, native=True, direct_rec=True,
                                                                   reject=2, strict=True)]):
            write(rel_out, "seed-finding-%s-%d" % (m[:-4], j), data + trailer(o))
            n_rel += 1
    for m in MALFORMED_EXPORT:
        write(exp_out, "seed-malformed-" + m[:-4], open(os.path.join(corpus, "pe-malformed", m), "rb").read() +
              trailer(0))
        n_exp += 1
    print("wrote %d pe_load_relocate and %d pe_exports seeds" % (n_rel, n_exp))


if __name__ == "__main__":
    main()
