#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Generates the malformed PE/COFF corpus (corpus/pe-malformed/) and the two
minimal well-formed images it is derived from.

  gen_pe_malformed.py [--out corpus/pe-malformed] [--seeds corpus/pe]

Writes:
  <seeds>/seed-gen-x64-minimal.efi     PE32+ X64, built here from scratch
  <seeds>/seed-gen-ia32-minimal.efi    PE32 IA32, same layout with HIGHLOW
  <seeds>/seed-gen-x64-*.efi           a few more well-formed edge images
  <out>/<class>.efi                    one file per malformed-input class
  <out>/manifest.json                  [{file, class, description, expect_reason,
                                         stage, notes, base_image, new_base?}]

Deterministic: the same script always writes the same bytes. Standard
library only (runs under any python3). Layout of the minimal images
(SectionAlignment 0x1000, FileAlignment 0x200, SizeOfImage 0x5000):

  RVA     file    what
  0x0000  0x000   DOS header (e_lfanew 0x40), PE signature, COFF header,
                  optional header (PE32+: 240 bytes, PE32: 224), 4 section headers
  0x1000  0x200   .text   entry 0x1000 (xor eax,eax; ret), exports at 0x1010/20/30
  0x2000  0x400   .data   3 absolute pointers at 0x2000 (DIR64, or HIGHLOW x3 at 0x2000/4/8)
  0x3000  0x600   .rdata  1 absolute pointer at 0x3000, export directory at 0x3010
                  (Base 1, 3 functions, 3 names ExpAlpha/ExpBeta/ExpGamma, sorted)
  0x4000  0x800   .reloc  block page 0x2000 (3 entries + ABSOLUTE pad, 16 bytes),
                  block page 0x3000 (1 entry + ABSOLUTE pad, 12 bytes): 28 bytes
"""
import argparse
import json
import os
import struct
import sys

M_I386, M_X64 = 0x14C, 0x8664
R_ABS, R_HIGH, R_LOW, R_HIGHLOW, R_HIGHADJ, R_ARM_MOV32, R_RES6, R_THUMB_MOV32 = 0, 1, 2, 3, 4, 5, 6, 7
R_LOONGARCH_MARK_LA, R_DIR64 = 8, 10
SCN_CODE, SCN_IDATA = 0x20, 0x40
SCN_X, SCN_R, SCN_W, SCN_DISCARD = 0x20000000, 0x40000000, 0x80000000, 0x02000000
FILE_RELOCS_STRIPPED, FILE_EXEC, FILE_LAA, FILE_32BIT, FILE_DLL = 0x1, 0x2, 0x20, 0x100, 0x2000

SECT_ALIGN, FILE_ALIGN = 0x1000, 0x200
BASE = {"x64": 0x10000000, "ia32": 0x10000000}
NEW_BASE = {"x64": 0x180000000, "ia32": 0x20000000}  # relocation-stage tests move here
SIZE_OF_IMAGE = 0x5000

# Optional-header field offsets (from the start of the optional header).
OPT64 = {"Magic": (0, "H"), "AddressOfEntryPoint": (16, "I"), "BaseOfCode": (20, "I"),
         "ImageBase": (24, "Q"), "SectionAlignment": (32, "I"), "FileAlignment": (36, "I"),
         "MajorImageVersion": (44, "H"), "MinorImageVersion": (46, "H"),
         "SizeOfImage": (56, "I"), "SizeOfHeaders": (60, "I"), "Subsystem": (68, "H"),
         "DllCharacteristics": (70, "H"), "NumberOfRvaAndSizes": (108, "I"), "DataDirectory": (112, None)}
OPT32 = {"Magic": (0, "H"), "AddressOfEntryPoint": (16, "I"), "BaseOfCode": (20, "I"),
         "BaseOfData": (24, "I"), "ImageBase": (28, "I"), "SectionAlignment": (32, "I"),
         "FileAlignment": (36, "I"), "MajorImageVersion": (44, "H"), "MinorImageVersion": (46, "H"),
         "SizeOfImage": (56, "I"), "SizeOfHeaders": (60, "I"), "Subsystem": (68, "H"),
         "DllCharacteristics": (70, "H"), "NumberOfRvaAndSizes": (92, "I"), "DataDirectory": (96, None)}
COFF = {"Machine": (0, "H"), "NumberOfSections": (2, "H"), "SizeOfOptionalHeader": (16, "H"),
        "Characteristics": (18, "H")}
SECT = {"VirtualSize": (8, "I"), "VirtualAddress": (12, "I"), "SizeOfRawData": (16, "I"),
        "PointerToRawData": (20, "I"), "Characteristics": (36, "I")}
EXPDIR = {"Characteristics": (0, "I"), "Name": (12, "I"), "Base": (16, "I"),
          "NumberOfFunctions": (20, "I"), "NumberOfNames": (24, "I"), "AddressOfFunctions": (28, "I"),
          "AddressOfNames": (32, "I"), "AddressOfNameOrdinals": (36, "I")}

DIR_EXPORT, DIR_SECURITY, DIR_BASERELOC = 0, 4, 5
LFANEW = 0x40
EXPORT_DIR_RVA = 0x3010


def align_up(v, a):
    return (v + a - 1) // a * a


def reloc_block(page, entries):
    """entries: list of (type, offset). Pads with one ABSOLUTE entry to 4 bytes."""
    words = [(t << 12) | (o & 0xFFF) for t, o in entries]
    if len(words) % 2:
        words.append(0)
    return struct.pack("<II", page, 8 + 2 * len(words)) + struct.pack("<%dH" % len(words), *words)


class Image:
    """A built image plus the offsets needed to patch it."""

    def __init__(self, arch, data, opt_off, sect_off, nsect):
        self.arch = arch
        self.b = bytearray(data)
        self.opt = opt_off
        self.sect = sect_off
        self.nsect = nsect
        self.optf = OPT64 if arch == "x64" else OPT32

    # generic field access
    def _put(self, off, fmt, v):
        struct.pack_into("<" + fmt, self.b, off, v)

    def _get(self, off, fmt):
        return struct.unpack_from("<" + fmt, self.b, off)[0]

    def coff(self, name, v=None):
        off, fmt = COFF[name]
        if v is None:
            return self._get(LFANEW + 4 + off, fmt)
        self._put(LFANEW + 4 + off, fmt, v)
        return self

    def oh(self, name, v=None):
        off, fmt = self.optf[name]
        if v is None:
            return self._get(self.opt + off, fmt)
        self._put(self.opt + off, fmt, v)
        return self

    def dir(self, idx, rva=None, size=None):
        off = self.opt + self.optf["DataDirectory"][0] + 8 * idx
        if rva is not None:
            self._put(off, "I", rva)
        if size is not None:
            self._put(off + 4, "I", size)
        return self._get(off, "I"), self._get(off + 4, "I")

    def section(self, i, name, v=None):
        off, fmt = SECT[name]
        off += self.sect + 40 * i
        if v is None:
            return self._get(off, fmt)
        self._put(off, fmt, v)
        return self

    def rva_off(self, rva):
        for i in range(self.nsect):
            va, rs, pr = self.section(i, "VirtualAddress"), self.section(i, "SizeOfRawData"), \
                self.section(i, "PointerToRawData")
            if va <= rva < va + rs:
                return pr + rva - va
        raise KeyError(hex(rva))

    def put_rva(self, rva, fmt, v):
        self._put(self.rva_off(rva), fmt, v)
        return self

    def exp(self, name, v):
        off, fmt = EXPDIR[name]
        return self.put_rva(EXPORT_DIR_RVA + off, fmt, v)

    def bytes(self):
        return bytes(self.b)


def build(arch="x64", reloc_blocks=None, reloc_tail=b"", last_page_tail=b"", sections_order=None,
          export_names=("ExpAlpha", "ExpBeta", "ExpGamma"), security_blob=b""):
    """Builds a well-formed image (unless the overrides make it otherwise).

    reloc_blocks: list of (page, [(type, offset)...]) replacing the default blocks
    reloc_tail: raw bytes appended to the relocation directory (counted in its Size)
    last_page_tail: bytes placed at the very end of the image (last section is
                    then a full page of raw data so the bytes are file-backed)
    export_names: names in name-table order (need not be sorted)
    security_blob: appended after the last section, described by directory 4
                   (file offset, not an RVA)
    """
    pe32plus = arch == "x64"
    psize = 8 if pe32plus else 4
    base = BASE[arch]
    machine = M_X64 if pe32plus else M_I386
    opt_size = 240 if pe32plus else 224
    rtype = R_DIR64 if pe32plus else R_HIGHLOW

    # .text: entry + three exported functions (x86 encodings valid for both)
    text = bytearray(b"\xCC" * 0x40)
    text[0x00:0x03] = b"\x31\xC0\xC3"                     # xor eax,eax; ret
    for i, off in enumerate((0x10, 0x20, 0x30)):
        text[off:off + 6] = b"\xB8" + struct.pack("<I", i + 1) + b"\xC3"  # mov eax,i+1; ret

    # .data: absolute pointers
    data = bytearray(0x40)
    ptrs = [base + 0x1010, base + 0x2020, base + 0x3000]
    for i, p in enumerate(ptrs):
        struct.pack_into("<Q" if pe32plus else "<I", data, i * psize, p)
    data[0x20:0x28] = b"gen-data"

    # .rdata: one absolute pointer, then the export directory
    rdata = bytearray(0xC0)
    struct.pack_into("<Q" if pe32plus else "<I", rdata, 0, base + 0x1020)
    eat, enames, eords, dllname, strs = 0x3040, 0x3050, 0x3060, 0x3070, 0x3080
    names = list(export_names)
    struct.pack_into("<IIHHIIIIIII", rdata, EXPORT_DIR_RVA - 0x3000, 0, 0, 0, 0, dllname, 1,
                     3, len(names), eat, enames, eords)
    for i in range(3):
        struct.pack_into("<I", rdata, eat - 0x3000 + 4 * i, 0x1010 + 0x10 * i)
    rdata[dllname - 0x3000:dllname - 0x3000 + 8] = b"gen.efi\0"
    name_rva = strs
    # names sorted by content map to ordinals in content order (Alpha=0 ...)
    for i, n in enumerate(names):
        enc = n.encode() + b"\0"
        rdata[name_rva - 0x3000:name_rva - 0x3000 + len(enc)] = enc
        struct.pack_into("<I", rdata, enames - 0x3000 + 4 * i, name_rva)
        struct.pack_into("<H", rdata, eords - 0x3000 + 2 * i, sorted(names).index(n) % 3)
        name_rva += 0x10
    export_size = name_rva - EXPORT_DIR_RVA - 0x10 + len(names[-1]) + 1

    # .reloc
    if reloc_blocks is None:
        reloc_blocks = [(0x2000, [(rtype, i * psize) for i in range(3)]), (0x3000, [(rtype, 0)])]
    reloc = b"".join(reloc_block(p, e) for p, e in reloc_blocks) + reloc_tail
    reloc_size = len(reloc)

    secs = [(".text", 0x1000, bytes(text), SCN_CODE | SCN_X | SCN_R),
            (".data", 0x2000, bytes(data), SCN_IDATA | SCN_R | SCN_W),
            (".rdata", 0x3000, bytes(rdata), SCN_IDATA | SCN_R),
            (".reloc", 0x4000, reloc, SCN_IDATA | SCN_R | SCN_DISCARD)]
    if last_page_tail:
        n, va, body, ch = secs[-1]
        body = bytearray(body) + bytes(SECT_ALIGN - len(body))
        body[SECT_ALIGN - len(last_page_tail):] = last_page_tail
        secs[-1] = (n, va, bytes(body), ch)

    nsect = len(secs)
    sect_off = LFANEW + 4 + 20 + opt_size
    size_of_headers = align_up(sect_off + 40 * nsect, FILE_ALIGN)
    out = bytearray(size_of_headers)
    raw = size_of_headers
    table = []
    for name, va, body, ch in secs:
        rs = align_up(len(body), FILE_ALIGN)
        vs = len(body)
        table.append((name, vs, va, rs, raw, ch))
        out += body + bytes(rs - len(body))
        raw += rs
    if sections_order is not None:
        table = [table[i] for i in sections_order]
    sec_file_end = len(out)
    if security_blob:
        out += security_blob

    # DOS header
    out[0:2] = b"MZ"
    struct.pack_into("<I", out, 0x3C, LFANEW)
    out[LFANEW:LFANEW + 4] = b"PE\0\0"
    chars = FILE_EXEC | FILE_DLL | (FILE_LAA if pe32plus else FILE_32BIT)
    struct.pack_into("<HHIIIHH", out, LFANEW + 4, machine, nsect, 0, 0, 0, opt_size, chars)
    o = LFANEW + 24
    if pe32plus:
        struct.pack_into("<HBBIIIIIQIIHHHHHHIIIIHHQQQQII", out, o, 0x20B, 14, 0,
                         0x200, 0x600, 0, 0x1000, 0x1000, base, SECT_ALIGN, FILE_ALIGN,
                         0, 0, 1, 0, 0, 0, 0, SIZE_OF_IMAGE, size_of_headers, 0, 11, 0,
                         0x100000, 0x1000, 0x100000, 0x1000, 0, 16)
    else:
        struct.pack_into("<HBBIIIIIIIIIHHHHHHIIIIHHIIIIII", out, o, 0x10B, 14, 0,
                         0x200, 0x600, 0, 0x1000, 0x1000, 0x2000, base, SECT_ALIGN, FILE_ALIGN,
                         0, 0, 1, 0, 0, 0, 0, SIZE_OF_IMAGE, size_of_headers, 0, 11, 0,
                         0x100000, 0x1000, 0x100000, 0x1000, 0, 16)
    img = Image(arch, out, o, sect_off, nsect)
    img.dir(DIR_EXPORT, EXPORT_DIR_RVA, export_size)
    img.dir(DIR_BASERELOC, 0x4000, reloc_size)
    if security_blob:
        img.dir(DIR_SECURITY, sec_file_end, len(security_blob))
    for i, (name, vs, va, rs, pr, ch) in enumerate(table):
        struct.pack_into("<8sIIIIIIHHI", img.b, sect_off + 40 * i, name.encode(), vs, va, rs, pr,
                         0, 0, 0, 0, ch)
    return img


# ---------------------------------------------------------------------------
# The classes. Each returns the bytes; the table below adds the metadata.

def x64(**kw):
    return build("x64", **kw)


def ia32(**kw):
    return build("ia32", **kw)


def truncated(n, arch="x64"):
    return lambda: build(arch).bytes()[:n]


def patch(fn, arch="x64", **kw):
    def make():
        img = build(arch, **kw)
        r = fn(img)
        return r if isinstance(r, (bytes, bytearray)) else img.bytes()
    return make


def one_block(page, entries, arch="x64", tail=b""):
    """Default blocks, with one extra block appended."""
    rtype = R_DIR64 if arch == "x64" else R_HIGHLOW
    psize = 8 if arch == "x64" else 4
    blocks = [(0x2000, [(rtype, i * psize) for i in range(3)]), (0x3000, [(rtype, 0)]), (page, entries)]
    return lambda: build(arch, reloc_blocks=blocks, reloc_tail=tail).bytes()


def raw_reloc(blob, arch="x64"):
    """The relocation directory replaced by raw bytes (first two blocks kept)."""
    def make():
        good = build(arch)
        size = good.dir(DIR_BASERELOC)[1]
        return build(arch, reloc_blocks=[], reloc_tail=good.bytes()[0x800:0x800 + size] + blob).bytes()
    return make


def set_block_size(block_index, value, arch="x64"):
    def fn(img):
        off = 0x800
        for _ in range(block_index):
            off += struct.unpack_from("<I", img.b, off + 4)[0]
        struct.pack_into("<I", img.b, off + 4, value)
    return patch(fn, arch)


TE_STRIPPED = LFANEW + 24 + 240  # the PE headers before the section table
TE_ADJUST = TE_STRIPPED - 40     # PE offset X is at X - TE_ADJUST in the TE image


def te_image(stripped=TE_STRIPPED, reloc=(0x4000, 28), text_va=0x1000, sections=4, image_base=BASE["x64"]):
    # EFI_TE_IMAGE_HEADER (40 bytes, PI Vol 1 §15): 'VZ', Machine,
    # NumberOfSections, Subsystem, StrippedSize, AddressOfEntryPoint,
    # BaseOfCode, ImageBase, DataDirectory[2] (BASERELOC, DEBUG). The PE
    # headers before the section table (StrippedSize bytes) are replaced by
    # the TE header; RVAs and PointerToRawData keep their PE values, so a
    # section's file offset is PointerToRawData - StrippedSize + 40.
    good = bytearray(build("x64").bytes())
    struct.pack_into("<I", good, TE_STRIPPED + 12, text_va)  # .text VirtualAddress
    hdr = struct.pack("<2sHBBHIIQIIII", b"VZ", M_X64, sections, 11, stripped, 0x1000, 0x1000, image_base,
                      reloc[0], reloc[1], 0, 0)
    body = hdr + good[TE_STRIPPED:TE_STRIPPED + 160]
    first = 0x200 - TE_ADJUST
    return bytes(body + bytes(first - len(body)) + good[0x200:])


def shim_last_block():
    # The second (last) block is 12 bytes: page, size, DIR64, ABSOLUTE pad.
    # Drop the pad: SizeOfBlock 10 and a 26-byte directory.
    img = build("x64")
    struct.pack_into("<I", img.b, 0x800 + 16 + 4, 10)
    img.dir(DIR_BASERELOC, 0x4000, 26)
    return img.bytes()


def name_unterminated():
    # The last name's pointer aims at 12 non-NUL bytes that end exactly at SizeOfImage.
    tail = b"Unterminated"
    img = build("x64", last_page_tail=tail)
    img.put_rva(0x3050 + 8, "I", SIZE_OF_IMAGE - len(tail))
    return img.bytes()


def last_qword_seed():
    blocks = [(0x2000, [(R_DIR64, i * 8) for i in range(3)]), (0x3000, [(R_DIR64, 0)]),
              (0x4000, [(R_DIR64, 0xFF8)])]
    return build("x64", reloc_blocks=blocks,
                 last_page_tail=struct.pack("<Q", BASE["x64"] + 0x1030)).bytes()


def security_dir_seed():
    # WIN_CERTIFICATE-shaped blob: dwLength, wRevision 0x0200, wCertificateType 2 (PKCS#7)
    blob = struct.pack("<IHH", 16, 0x200, 2) + b"notasig\0"
    return build("x64", security_blob=blob).bytes()


# (class, maker, stage, expect_reason, description, notes, base_image)
CLASSES = []


def C(cls, maker, stage, reason, desc, notes="", base="x64", strict=None, findings=(), new_base=None):
    """reason: the outcome under the COMPAT profile (NONE: accepted, with
    `findings` reported); strict: the outcome under STRICT when it differs
    (a finding becomes a rejection, docs/pecoff.md §1)."""
    CLASSES.append((cls, maker, stage, reason, desc, notes, base, strict, tuple(findings), new_base))


ORDER_NOTE = "expected reason assumes the check order in docs/pecoff.md / the library; "

# ---- truncations at every header boundary ------------------------------------
C("trunc-empty", truncated(0), "parse", "PE_TOO_SMALL", "zero-length file")
C("trunc-dos-63", truncated(63), "parse", "PE_TOO_SMALL", "63 bytes: one byte short of the DOS header")
C("trunc-dos-64", truncated(64), "parse", "PE_LFANEW_RANGE",
  "exactly the DOS header; e_lfanew 0x40 points at the end of the buffer")
C("trunc-in-signature", truncated(LFANEW + 2), "parse", "PE_LFANEW_RANGE", "file ends inside the PE signature")
C("trunc-in-coff", truncated(LFANEW + 4 + 10), "parse", "PE_LFANEW_RANGE",
  "file ends inside the COFF file header")
C("trunc-after-coff", truncated(LFANEW + 24), "parse", "PE_OPT_HDR_SIZE",
  "file ends right after the COFF header: no optional header bytes")
C("trunc-in-opt-fixed", truncated(LFANEW + 24 + 60), "parse", "PE_OPT_HDR_SIZE",
  "file ends inside the fixed part of the PE32+ optional header")
C("trunc-in-data-dirs", truncated(LFANEW + 24 + 112 + 40), "parse", "PE_OPT_HDR_SIZE",
  "file ends inside the data directories")
C("trunc-in-section-table", truncated(LFANEW + 24 + 240 + 60), "parse", "PE_SIZE_OF_HEADERS",
  "file ends inside the section table (SizeOfHeaders 0x200 > file)",
  ORDER_NOTE + "a parser that checks the section table against the buffer before SizeOfHeaders may "
  "report PE_SECTION_RAW_RANGE or PE_SECTION_COUNT; PE_SIZE_OF_HEADERS is the intended one")
C("trunc-at-size-of-headers", truncated(0x200), "parse", "PE_SECTION_RAW_RANGE",
  "file is exactly SizeOfHeaders bytes: every section's raw data lies outside it")
C("trunc-in-section-data", truncated(0x400 + 0x100), "parse", "PE_SECTION_RAW_RANGE",
  "file ends in the middle of .data raw data (sections 2..4 past the end)")
C("trunc-last-byte", lambda: build("x64").bytes()[:-1], "parse", "PE_SECTION_RAW_RANGE",
  "last byte of .reloc raw data missing (SizeOfRawData 0x200 runs one byte past the file)")
C("ia32-trunc-in-opt", truncated(LFANEW + 24 + 100, "ia32"), "parse", "PE_OPT_HDR_SIZE",
  "PE32 (IA32) image cut inside its 224-byte optional header", base="ia32")

# ---- DOS header / e_lfanew / signatures -----------------------------------------
C("bad-mz", patch(lambda i: i.b.__setitem__(slice(0, 2), b"ZM")), "parse", "PE_DOS_MAGIC",
  "DOS signature 'ZM' instead of 'MZ'")
C("lfanew-past-end", patch(lambda i: struct.pack_into("<I", i.b, 0x3C, len(i.b) + 0x100)), "parse",
  "PE_LFANEW_RANGE", "e_lfanew points 0x100 bytes past the end of the file")
C("lfanew-at-end", patch(lambda i: struct.pack_into("<I", i.b, 0x3C, len(i.b))), "parse",
  "PE_LFANEW_RANGE", "e_lfanew equals the file size")
C("lfanew-end-minus-4", patch(lambda i: (struct.pack_into("<I", i.b, 0x3C, len(i.b) - 4),
                                         i.b.__setitem__(slice(len(i.b) - 4, len(i.b)), b"PE\0\0"))),
  "parse", "PE_LFANEW_RANGE", "a valid 'PE\\0\\0' in the last 4 bytes: no room for the COFF header")
C("lfanew-wrap", patch(lambda i: struct.pack_into("<I", i.b, 0x3C, 0xFFFFFFFC)), "parse",
  "PE_LFANEW_RANGE", "e_lfanew 0xFFFFFFFC: e_lfanew + 24 wraps a 32-bit sum")
C("lfanew-zero", patch(lambda i: struct.pack_into("<I", i.b, 0x3C, 0)), "parse", "PE_LFANEW_RANGE",
  "e_lfanew 0: the 'PE' signature would be looked for at the 'MZ'",
  ORDER_NOTE + "e_lfanew must be >= 64 (past the DOS header) before the signature is read "
  "(docs/pecoff.md §2 rule 2); a parser without that rule reports PE_SIGNATURE")
C("bad-pe-signature", patch(lambda i: i.b.__setitem__(slice(LFANEW, LFANEW + 4), b"PE\0\1")), "parse",
  "PE_SIGNATURE", "signature 'PE\\0\\1'")
C("te-signature", te_image, "relocate", "NONE",
  "a TE image ('VZ' header at offset 0, 4 section headers, StrippedSize 0x148) built from the x64 image, "
  "moved by 0x170000000: its DIR64 sites at page RVA + offset - (StrippedSize - 40)",
  "PI Vol 1 §15, §17: the 'VZ' check comes before the 'MZ' check", new_base=NEW_BASE["x64"] + TE_ADJUST)
C("te-moves-half-page", lambda: te_image(image_base=BASE["x64"] + 0x1000), "relocate", "PE_NEW_BASE",
  "the TE image moved by a delta that is not a multiple of 4 KiB",
  "TE keeps no SectionAlignment: it moves by whole pages (docs/pecoff.md §2.1)")
C("te-stripped-size-small", lambda: te_image(stripped=39), "parse", "PE_TE_STRIPPED_SIZE",
  "TE StrippedSize 39: below the 40-byte TE header")
C("te-section-in-stripped", lambda: te_image(text_va=TE_ADJUST - 0x10), "parse", "PE_SECTION_OVER_HEADERS",
  ".text VirtualAddress below StrippedSize - 40: the section would start before the TE header")
C("te-reloc-in-stripped", lambda: te_image(reloc=(TE_ADJUST - 8, 28)), "parse", "PE_DIR_RANGE",
  "relocation directory RVA below StrippedSize - 40 (in the stripped headers)")
C("te-table-truncated", lambda: te_image()[:40 + 3 * 40 + 20], "parse", "PE_SIZE_OF_HEADERS",
  "file ends inside the fourth section header")
C("te-no-relocs-must-move", lambda: te_image(reloc=(0, 0)), "relocate", "PE_RELOCS_STRIPPED",
  "relocation directory (0, 0): the PI spec's 'cannot move' (PI Vol 1 §17.4); the image must move",
  new_base=NEW_BASE["x64"] + TE_ADJUST)
C("te-pic-moves", lambda: te_image(reloc=(0x4000, 0)), "relocate", "NONE",
  "relocation directory (0x4000, 0): position independent (PI Vol 1 §17.4), moves without fixups and without a finding",
  new_base=NEW_BASE["x64"] + TE_ADJUST)

# ---- COFF header ------------------------------------------------------------------
C("machine-unknown", patch(lambda i: i.coff("Machine", 0x1234)), "parse", "PE_MACHINE", "Machine 0x1234")
C("machine-ia64", patch(lambda i: i.coff("Machine", 0x0200)), "parse", "PE_MACHINE",
  "Machine 0x0200 (Itanium): a real machine, not supported")
C("machine-ebc", patch(lambda i: i.coff("Machine", 0x0EBC)), "parse", "PE_MACHINE",
  "Machine 0x0EBC (EFI Byte Code): UEFI-defined but not in the library's list",
  "EDK II loads EBC images through the EBC interpreter; pe.h's machine list excludes it")
C("magic-machine-x64-pe32", patch(lambda i: i.coff("Machine", M_X64), "ia32"), "parse", "PE_MAGIC_MACHINE",
  "PE32 optional header (0x10B) with Machine X64", base="ia32")
C("magic-machine-ia32-pe32plus", patch(lambda i: i.coff("Machine", M_I386)), "parse", "PE_MAGIC_MACHINE",
  "PE32+ optional header (0x20B) with Machine IA32")
C("opt-magic-rom", patch(lambda i: i.oh("Magic", 0x107)), "parse", "PE_OPT_MAGIC",
  "optional header magic 0x107 (ROM image)")
C("opt-size-too-small", patch(lambda i: i.coff("SizeOfOptionalHeader", 0x60)), "parse", "PE_OPT_HDR_SIZE",
  "SizeOfOptionalHeader 0x60: smaller than the PE32+ fixed part (112 bytes)")
C("opt-size-short-of-dirs", patch(lambda i: i.coff("SizeOfOptionalHeader", 112 + 8 * 8)), "parse",
  "PE_OPT_HDR_SIZE", "SizeOfOptionalHeader holds 8 data directories, NumberOfRvaAndSizes says 16",
  ORDER_NOTE + "the section table then starts inside the data directories")
C("opt-size-past-file", patch(lambda i: i.coff("SizeOfOptionalHeader", 0xFFFF)), "parse", "PE_OPT_HDR_SIZE",
  "SizeOfOptionalHeader 0xFFFF: runs past the end of the file")
C("numrva-17", patch(lambda i: i.oh("NumberOfRvaAndSizes", 17)), "parse", "PE_NUM_RVA_SIZES",
  "NumberOfRvaAndSizes 17",
  ORDER_NOTE + "17 directories also do not fit SizeOfOptionalHeader 240: PE_OPT_HDR_SIZE if that is checked first")
C("numrva-huge", patch(lambda i: i.oh("NumberOfRvaAndSizes", 0xFFFFFFFF)), "parse", "PE_NUM_RVA_SIZES",
  "NumberOfRvaAndSizes 0xFFFFFFFF (8 * n overflows 32 bits)", ORDER_NOTE + "as numrva-17")
C("numrva-0-must-move", patch(lambda i: i.oh("NumberOfRvaAndSizes", 0)), "relocate", "NONE",
  "NumberOfRvaAndSizes 0: parses (no directories); moved, it has no relocation directory",
  "rp_pe_parse accepts 0..16; rp_pe_relocate to new_base != ImageBase moves it without fixups",
  strict="PE_RELOCS_ABSENT", findings=["PE_RELOCS_ABSENT"])
C("numrva-5-must-move", patch(lambda i: i.oh("NumberOfRvaAndSizes", 5)), "relocate", "NONE",
  "NumberOfRvaAndSizes 5: directory 5 (BASERELOC) lies beyond the declared count",
  "the directory bytes are still present in the header; entries >= NumberOfRvaAndSizes must be ignored",
  strict="PE_RELOCS_ABSENT", findings=["PE_RELOCS_ABSENT"])
C("sections-0", patch(lambda i: i.coff("NumberOfSections", 0)), "parse", "PE_SECTION_COUNT",
  "NumberOfSections 0")
C("sections-97", patch(lambda i: i.coff("NumberOfSections", 97)), "parse", "PE_SECTION_COUNT",
  "NumberOfSections 97 (loader limit is 96)",
  ORDER_NOTE + "the 97-entry table also exceeds SizeOfHeaders (PE_SIZE_OF_HEADERS) if that is checked first")
C("relocs-stripped-flag", patch(lambda i: i.coff("Characteristics", i.coff("Characteristics") | FILE_RELOCS_STRIPPED)),
  "relocate", "PE_RELOCS_STRIPPED",
  "IMAGE_FILE_RELOCS_STRIPPED set although a relocation directory is present; the image must move",
  "policy: the flag wins (EDK II refuses to relocate such an image)")
C("reloc-dir-absent-must-move", patch(lambda i: i.dir(DIR_BASERELOC, 0, 0)), "relocate", "NONE",
  "relocation directory entry zeroed (flag clear); the image must move: moved without fixups",
  "EDK II GenFw writes such images (OVMF's PcRtc, Capsule, MonotonicCounter runtime drivers)",
  strict="PE_RELOCS_ABSENT", findings=["PE_RELOCS_ABSENT"])

# ---- optional header values ----------------------------------------------------
C("align-section-not-pow2", patch(lambda i: i.oh("SectionAlignment", 0x1800)), "parse", "PE_ALIGNMENT",
  "SectionAlignment 0x1800")
C("align-section-zero", patch(lambda i: i.oh("SectionAlignment", 0)), "parse", "PE_ALIGNMENT",
  "SectionAlignment 0")
C("align-file-not-pow2", patch(lambda i: i.oh("FileAlignment", 0x300)), "parse", "PE_ALIGNMENT",
  "FileAlignment 0x300")
C("align-file-gt-section", patch(lambda i: i.oh("FileAlignment", 0x2000)), "parse", "PE_ALIGNMENT",
  "FileAlignment 0x2000 > SectionAlignment 0x1000")
C("imagebase-misaligned", patch(lambda i: i.oh("ImageBase", BASE["x64"] + 0x800)), "parse", "NONE",
  "ImageBase 0x10000800: not SectionAlignment-aligned", "OVMF's execute-in-place SecMain has its flash address",
  strict="PE_IMAGE_BASE_ALIGN", findings=["PE_IMAGE_BASE_ALIGN"])
C("ia32-imagebase-misaligned", patch(lambda i: i.oh("ImageBase", BASE["ia32"] + 0x10), "ia32"), "parse",
  "NONE", "PE32 ImageBase 0x10000010", base="ia32", strict="PE_IMAGE_BASE_ALIGN", findings=["PE_IMAGE_BASE_ALIGN"])
C("sizeofimage-zero", patch(lambda i: i.oh("SizeOfImage", 0)), "parse", "PE_SIZE_OF_IMAGE", "SizeOfImage 0")
C("sizeofimage-unaligned", patch(lambda i: i.oh("SizeOfImage", SIZE_OF_IMAGE - 0x100)), "parse",
  "NONE", "SizeOfImage 0x4F00: not SectionAlignment-aligned (still covers every section's VirtualSize)",
  "systemd-boot and its EFI stub end SizeOfImage with the last section",
  strict="PE_SIZE_OF_IMAGE_ALIGN", findings=["PE_SIZE_OF_IMAGE_ALIGN"])
C("sizeofimage-too-small", patch(lambda i: i.oh("SizeOfImage", 0x4000)), "parse", "PE_SECTION_RANGE",
  "SizeOfImage 0x4000: aligned, but .reloc at 0x4000 lies outside",
  ORDER_NOTE + "SizeOfImage itself is only checked for 0 and alignment (§2 rule 6); coverage of the "
  "sections is the per-section check (rule 7, PE_SECTION_RANGE, index 3). A whole-image check would "
  "report PE_SIZE_OF_IMAGE")
C("sizeofheaders-too-small", patch(lambda i: i.oh("SizeOfHeaders", 0x100)), "parse", "PE_SIZE_OF_HEADERS",
  "SizeOfHeaders 0x100: the section table ends at 0x1E8")
C("sizeofheaders-past-file", patch(lambda i: i.oh("SizeOfHeaders", 0x10000)), "parse", "PE_SIZE_OF_HEADERS",
  "SizeOfHeaders 0x10000: beyond the file, SizeOfImage and the first section")

# ---- section table ---------------------------------------------------------------
C("sections-unsorted", lambda: build("x64", sections_order=[0, 2, 1, 3]).bytes(), "parse", "PE_SECTION_ORDER",
  ".rdata (0x3000) listed before .data (0x2000)")
C("sections-overlap", patch(lambda i: i.section(1, "VirtualSize", 0x1800)), "parse", "PE_SECTION_ORDER",
  ".data VirtualSize 0x1800 runs into .rdata at 0x3000")
C("sections-same-va", patch(lambda i: i.section(2, "VirtualAddress", 0x2000)), "parse", "PE_SECTION_ORDER",
  ".rdata has the same VirtualAddress as .data",
  "the export directory at 0x3010 then lies in no section (but inside SizeOfImage)")
C("section-outside-image", patch(lambda i: i.section(3, "VirtualAddress", 0x8000)), "parse", "PE_SECTION_RANGE",
  ".reloc at VirtualAddress 0x8000, beyond SizeOfImage 0x5000",
  ORDER_NOTE + "a whole-image check reports PE_SIZE_OF_IMAGE (SizeOfImage does not cover the sections)")
C("section-vsize-past-image", patch(lambda i: i.section(3, "VirtualSize", 0x1001)), "parse", "PE_SECTION_RANGE",
  ".reloc VirtualSize 0x1001: one byte past SizeOfImage", ORDER_NOTE + "as section-outside-image")
C("section-va-wrap", patch(lambda i: (i.section(3, "VirtualAddress", 0xFFFFF000),
                                      i.section(3, "VirtualSize", 0x2000))), "parse", "PE_SECTION_RANGE",
  ".reloc VirtualAddress 0xFFFFF000 + VirtualSize 0x2000 wraps 32 bits", ORDER_NOTE + "as section-outside-image")
C("section-raw-outside-file", patch(lambda i: i.section(1, "PointerToRawData", 0x100000)), "parse",
  "PE_SECTION_RAW_RANGE", ".data PointerToRawData 0x100000, past the file")
C("section-raw-size-past-file", patch(lambda i: i.section(3, "SizeOfRawData", 0x10000)), "parse",
  "PE_SECTION_RAW_RANGE", ".reloc SizeOfRawData 0x10000 runs past the file")
C("section-raw-wrap", patch(lambda i: (i.section(3, "PointerToRawData", 0xFFFFFE00),
                                       i.section(3, "SizeOfRawData", 0x400))), "parse", "PE_SECTION_RAW_RANGE",
  ".reloc PointerToRawData 0xFFFFFE00 + SizeOfRawData 0x400 wraps 32 bits")
C("section-over-headers", patch(lambda i: i.section(0, "VirtualAddress", 0)), "parse", "PE_SECTION_OVER_HEADERS",
  ".text at VirtualAddress 0, inside the headers",
  ORDER_NOTE + "the entry point 0x1000 then lies in no executable section (PE_ENTRY_RANGE if checked first)")
C("section-va-unaligned", patch(lambda i: i.section(1, "VirtualAddress", 0x2100)), "parse", "NONE",
  ".data at VirtualAddress 0x2100", "objcopy --add-section writes such sections (systemd-boot .sbat)",
  strict="PE_SECTION_ALIGN", findings=["PE_SECTION_ALIGN"])
C("section-wx", patch(lambda i: i.section(0, "Characteristics", SCN_CODE | SCN_X | SCN_R | SCN_W)), "parse",
  "PE_SECTION_WX", ".text is writable and executable",
  "W^X is project policy (check_efi.py no-wx), not a PE format rule")

# ---- data directories --------------------------------------------------------------
C("dir-reloc-wrap-cve-2024-38796", patch(lambda i: i.dir(DIR_BASERELOC, 0x4000, 0xFFFFF000)), "parse",
  "PE_DIR_RANGE", "relocation directory RVA 0x4000 + Size 0xFFFFF000 wraps 32 bits (the CVE-2024-38796 class: "
  "an unchecked RVA + Size sum)")
C("dir-export-wrap", patch(lambda i: i.dir(DIR_EXPORT, EXPORT_DIR_RVA, 0xFFFFFFF0)), "parse", "PE_DIR_RANGE",
  "export directory RVA 0x3010 + Size 0xFFFFFFF0 wraps 32 bits")
C("dir-reloc-outside-image", patch(lambda i: i.dir(DIR_BASERELOC, 0x6000, 28)), "parse", "PE_DIR_RANGE",
  "relocation directory at RVA 0x6000, beyond SizeOfImage")
C("dir-reloc-end-past-image", patch(lambda i: i.dir(DIR_BASERELOC, 0x4000, 0x1001)), "parse", "PE_DIR_RANGE",
  "relocation directory [0x4000, 0x5001): one byte past SizeOfImage")
C("dir-unused-wrap", patch(lambda i: i.dir(6, 0xFFFFFF00, 0x200)), "parse", "PE_DIR_RANGE",
  "DEBUG directory (unused by the loader) RVA 0xFFFFFF00 + 0x200 wraps",
  "pe.h: rp_pe_parse checks every directory; a loader that only checks the ones it uses would accept this. "
  "Directory 4 (SECURITY) is a file offset, not an RVA, and must be exempt (see seed-gen-x64-security-dir.efi)")
C("entry-outside-image", patch(lambda i: i.oh("AddressOfEntryPoint", 0x10000)), "parse", "PE_ENTRY_RANGE",
  "AddressOfEntryPoint 0x10000, beyond SizeOfImage")
C("entry-in-data", patch(lambda i: i.oh("AddressOfEntryPoint", 0x2000)), "parse", "PE_ENTRY_RANGE",
  "AddressOfEntryPoint in .data (not executable)")

# ---- relocation directory and blocks (stage: relocate to NEW_BASE) -------------------
RELOC_DIR_NOTE = ("the relocation directory shape (RVA 4-aligned, Size >= 8) is checked by rp_pe_parse "
                  "(docs/pecoff.md §2 rule 9), so load time and the runtime re-parse apply it identically")
def shifted_reloc_dir(img):
    # The 28 directory bytes moved up by 2 (file 0x800 = RVA 0x4000): a valid
    # walk from an RVA that is not 4-byte aligned.
    img.b[0x802:0x802 + 28] = bytes(img.b[0x800:0x800 + 28])
    img.dir(DIR_BASERELOC, 0x4002, 28)


C("reloc-dir-unaligned", patch(shifted_reloc_dir), "relocate", "NONE",
  "relocation directory RVA 0x4002 (not 4-byte aligned), size 28, the blocks moved with it", RELOC_DIR_NOTE +
  "; the walk reads the blocks byte by byte, so the move applies", strict="PE_RELOC_DIR_ALIGN",
  findings=["PE_RELOC_DIR_ALIGN"])
C("reloc-dir-size-4", patch(lambda i: i.dir(DIR_BASERELOC, 0x4000, 4)), "parse", "PE_RELOC_DIR_SIZE",
  "relocation directory Size 4: smaller than one block header", RELOC_DIR_NOTE)
C("reloc-dir-size-7", patch(lambda i: i.dir(DIR_BASERELOC, 0x4000, 7)), "parse", "PE_RELOC_DIR_SIZE",
  "relocation directory Size 7", RELOC_DIR_NOTE)
for n in range(0, 8):
    C("reloc-block-size-%d" % n, set_block_size(0, n), "relocate", "PE_RELOC_BLOCK_SMALL",
      "first block SizeOfBlock %d (< 8)" % n,
      (ORDER_NOTE + "%d is also not a multiple of 4 (PE_RELOC_BLOCK_ODD / _ALIGN if checked first)" % n) if n % 4 else
      ("SizeOfBlock 0 must be an error, not an end marker (EDK II once looped forever or stopped silently)"
       if n == 0 else "4 is a multiple of 4 but still below the 8-byte header"))
C("reloc-block-size-odd", set_block_size(0, 13), "relocate", "PE_RELOC_BLOCK_ODD",
  "first block SizeOfBlock 13 (odd): its last entry is cut in half")
C("reloc-block-size-not-mult4", set_block_size(0, 14), "relocate", "PE_RELOC_BLOCK_OVERRUN",
  "first block SizeOfBlock 14 (even, not a multiple of 4): the true 3-entry block without its padding",
  "COMPAT walks on: the next 'block header' is the padding and the second block's page, whose size overruns",
  strict="PE_RELOC_BLOCK_ALIGN")
C("reloc-block-size-10-last", lambda: shim_last_block(), "relocate", "NONE",
  "last block SizeOfBlock 10 (one DIR64 entry, its ABSOLUTE pad dropped), directory size 26",
  "objcopy-made images end so (shim, MokManager, fallback, memtest86+)",
  strict="PE_RELOC_BLOCK_ALIGN", findings=["PE_RELOC_BLOCK_ALIGN"])
C("reloc-block-overrun-first", set_block_size(0, 0x100), "relocate", "PE_RELOC_BLOCK_OVERRUN",
  "first block SizeOfBlock 0x100 > directory size 28")
C("reloc-block-overrun-last", set_block_size(1, 16), "relocate", "PE_RELOC_BLOCK_OVERRUN",
  "last block SizeOfBlock 16, 4 bytes more than the directory has left")
C("reloc-dir-trailing-4", lambda: build("x64", reloc_tail=b"\0" * 4).bytes(), "relocate", "PE_RELOC_DIR_TRAILING",
  "4 zero bytes after the last block, counted in the directory size")
C("reloc-dir-trailing-6", lambda: build("x64", reloc_tail=b"\0\0\0\0\x08\0").bytes(), "relocate",
  "PE_RELOC_DIR_TRAILING", "6 bytes after the last block: a page RVA and half a SizeOfBlock",
  "the directory size (34) is not a multiple of 4 either")
C("reloc-dir-trailing-8-zero", lambda: build("x64", reloc_tail=b"\0" * 8).bytes(), "relocate",
  "PE_RELOC_BLOCK_SMALL", "8 zero bytes after the last block: a block header with SizeOfBlock 0",
  "some producers pad the directory with zeros; the project's policy treats it as a bad block")
C("reloc-page-outside-image", one_block(0x10000, [(R_DIR64, 0)]), "relocate", "PE_RELOC_PAGE_RANGE",
  "block page RVA 0x10000, beyond SizeOfImage")
C("reloc-page-at-sizeofimage", one_block(SIZE_OF_IMAGE, [(R_DIR64, 0)]), "relocate", "PE_RELOC_PAGE_RANGE",
  "block page RVA == SizeOfImage (pefile accepts it: it tests VirtualAddress > SizeOfImage)")
C("reloc-page-wrap", one_block(0xFFFFF000, [(R_DIR64, 0xFF8)]), "relocate", "PE_RELOC_PAGE_RANGE",
  "block page RVA 0xFFFFF000: page + offset + 8 wraps 32 bits")
C("reloc-type-6", one_block(0x2000, [(R_RES6, 0x30)]), "relocate", "PE_RELOC_TYPE", "relocation type 6 (reserved)")
C("reloc-type-11", one_block(0x2000, [(11, 0x30)]), "relocate", "PE_RELOC_TYPE", "relocation type 11 (undefined)")
C("reloc-type-15", one_block(0x2000, [(15, 0x30)]), "relocate", "PE_RELOC_TYPE", "relocation type 15 (undefined)")
C("reloc-type-highadj", one_block(0x2000, [(R_HIGHADJ, 0x30), (R_ABS, 0x1234)]), "relocate",
  "PE_RELOC_TYPE_UNSUPPORTED", "HIGHADJ (type 4) with its parameter entry", "HIGHADJ is rejected by policy (pe.h)")
C("reloc-type-arm-mov32-on-x64", one_block(0x2000, [(R_ARM_MOV32, 0x30)]), "relocate", "PE_RELOC_TYPE",
  "type 5 (ARM_MOV32 / RISCV_HIGH20 / MIPS_JMPADDR) in an X64 image")
C("reloc-type-thumb-mov32-on-x64", one_block(0x2000, [(R_THUMB_MOV32, 0x30)]), "relocate", "PE_RELOC_TYPE",
  "type 7 (THUMB_MOV32 / RISCV_LOW12I) in an X64 image")
C("reloc-type-loongarch-on-x64", one_block(0x2000, [(R_LOONGARCH_MARK_LA, 0x30)]), "relocate", "PE_RELOC_TYPE",
  "type 8 (LOONGARCH64_MARK_LA / RISCV_LOW12S) in an X64 image")
C("ia32-reloc-dir64", one_block(0x2000, [(R_DIR64, 0x30)], arch="ia32"), "relocate", "NONE",
  "DIR64 entry in a PE32 IA32 image: accepted and applied (not malformed for this loader)",
  "interop: EDK II's PeCoffLoaderRelocateImage applies DIR64 whatever the machine, and so does the library "
  "(docs/pecoff.md §4.1: ABSOLUTE, HIGH, LOW, HIGHLOW, DIR64 on every machine). expect_reason NONE: "
  "the relocation must succeed", base="ia32")
for k in range(1, 8):
    C("reloc-dir64-partial-%d" % k, one_block(0x4000, [(R_DIR64, 0x1000 - k)]), "relocate", "PE_RELOC_TARGET_RANGE",
      "DIR64 at SizeOfImage-%d: %d of its 8 bytes lie past SizeOfImage" % (k, 8 - k),
      "the target lies in .reloc's zero-filled tail, not in the directory itself")
C("ia32-highlow-partial-2", one_block(0x4000, [(R_HIGHLOW, 0xFFE)], arch="ia32"), "relocate",
  "PE_RELOC_TARGET_RANGE", "HIGHLOW at SizeOfImage-2 in a PE32 image", base="ia32")
C("reloc-target-headers", one_block(0x0000, [(R_DIR64, 0x58)]), "relocate", "PE_RELOC_TARGET_HEADERS",
  "DIR64 at RVA 0x58 (the optional header): a relocation that would rewrite the headers")
C("reloc-target-reloc-dir", one_block(0x4000, [(R_DIR64, 0x8)]), "relocate", "PE_RELOC_TARGET_RELOC_DIR",
  "DIR64 at RVA 0x4008: inside the relocation directory being applied")
C("reloc-target-straddles-reloc-dir", one_block(0x3000, [(R_DIR64, 0xFFC)]), "relocate",
  "PE_RELOC_TARGET_RELOC_DIR", "DIR64 at RVA 0x3FFC: its last 4 bytes are the first bytes of the directory")

# ---- exports (stage: rp_pe_exports_parse) -------------------------------------------
C("export-dir-too-small", patch(lambda i: i.dir(DIR_EXPORT, EXPORT_DIR_RVA, 20)), "exports", "PE_EXPORT_DIR_SIZE",
  "export directory Size 20: smaller than the 40-byte IMAGE_EXPORT_DIRECTORY")
C("export-dir-absent", patch(lambda i: i.dir(DIR_EXPORT, 0, 0)), "exports", "PE_EXPORT_NONE",
  "no export directory", "not malformed: the lookup API's 'no exports' answer")
C("export-functions-outside-image", patch(lambda i: i.exp("AddressOfFunctions", 0x10000)), "exports",
  "PE_EXPORT_TABLE_RANGE", "AddressOfFunctions 0x10000, beyond SizeOfImage")
C("export-names-past-image", patch(lambda i: i.exp("AddressOfNames", SIZE_OF_IMAGE - 4)), "exports",
  "PE_EXPORT_TABLE_RANGE", "AddressOfNames SizeOfImage-4: 3 name pointers need 12 bytes")
C("export-ordinals-wrap", patch(lambda i: i.exp("AddressOfNameOrdinals", 0xFFFFFFFE)), "exports",
  "PE_EXPORT_TABLE_RANGE", "AddressOfNameOrdinals 0xFFFFFFFE: + 6 wraps 32 bits")
C("export-functions-count-overflow", patch(lambda i: i.exp("NumberOfFunctions", 0x40000001)), "exports",
  "PE_EXPORT_COUNT", "NumberOfFunctions 0x40000001: 4 * n overflows 32 bits",
  ORDER_NOTE + "counts are checked before the tables (NumberOfFunctions <= SizeOfImage / 4, docs/pecoff.md §7): "
  "PE_EXPORT_COUNT; a library checking the table range first reports PE_EXPORT_TABLE_RANGE")
C("export-names-gt-functions", patch(lambda i: i.exp("NumberOfNames", 4)), "exports", "PE_EXPORT_COUNT",
  "NumberOfNames 4 > NumberOfFunctions 3")
C("export-name-rva-outside", patch(lambda i: i.put_rva(0x3050 + 4, "I", 0x9000)), "exports",
  "PE_EXPORT_NAME_RANGE", "second name pointer 0x9000, beyond SizeOfImage",
  "rp_pe_exports_parse validates every name pointer")
C("export-name-rva-at-sizeofimage", patch(lambda i: i.put_rva(0x3050, "I", SIZE_OF_IMAGE)), "exports",
  "PE_EXPORT_NAME_RANGE", "first name pointer == SizeOfImage")
C("export-name-unterminated", name_unterminated, "exports", "PE_EXPORT_NAME_UNTERMINATED",
  "third name points at 12 non-NUL bytes ending exactly at SizeOfImage",
  "the names are then unsorted too ('Unterminated' < 'ExpBeta' is false); the NUL check must come first")
C("export-ordinal-eq-functions", patch(lambda i: i.put_rva(0x3060 + 2, "H", 3)), "exports", "PE_EXPORT_ORDINAL",
  "ordinal-table value 3 == NumberOfFunctions")
C("export-ordinal-ffff", patch(lambda i: i.put_rva(0x3060, "H", 0xFFFF)), "exports", "PE_EXPORT_ORDINAL",
  "ordinal-table value 0xFFFF")
C("export-eat-rva-outside", patch(lambda i: i.put_rva(0x3040 + 4, "I", 0x90000)), "exports",
  "PE_EXPORT_RVA_RANGE", "second export address table entry 0x90000, beyond SizeOfImage",
  "may only surface in rp_pe_export_at / rp_pe_export_find for ExpBeta if rp_pe_exports_parse does not "
  "walk the address table")
C("export-eat-rva-wrap", patch(lambda i: i.put_rva(0x3040, "I", 0xFFFFFFFF)), "exports",
  "PE_EXPORT_RVA_RANGE", "first export address table entry 0xFFFFFFFF", "as export-eat-rva-outside")
C("export-name-table-in-headers", patch(lambda i: i.exp("AddressOfNames", 0x0)), "exports",
  "PE_EXPORT_NAME_RANGE", "AddressOfNames 0: the name pointers are read from the DOS header ('MZ\\0\\0' as an RVA: 0x5A4D)",
  ORDER_NOTE + "the table lies inside the image (in the headers), so the first bad value is the name pointer "
  "0x5A4D > SizeOfImage; a library that requires export tables inside a section reports PE_EXPORT_TABLE_RANGE")


# ---------------------------------------------------------------------------
# Well-formed seeds written next to the lld/mingw ones.

def seeds():
    return {
        "seed-gen-x64-minimal.efi": build("x64").bytes(),
        "seed-gen-ia32-minimal.efi": build("ia32").bytes(),
        # names not in byte order: lookup must fall back to a linear search
        "seed-gen-x64-exports-unsorted.efi": build("x64", export_names=("ExpGamma", "ExpAlpha", "ExpBeta")).bytes(),
        # a DIR64 target in the last 8 bytes of the image: the boundary that is still valid
        # (.reloc is a full page of raw data here so the qword is file-backed)
        "seed-gen-x64-reloc-last-qword.efi": last_qword_seed(),
        # a certificate table after the sections: directory 4 is a file offset beyond SizeOfImage
        "seed-gen-x64-security-dir.efi": security_dir_seed(),
    }


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(here, "..", "pe-malformed"))
    ap.add_argument("--seeds", default=os.path.join(here, "..", "pe"))
    a = ap.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    os.makedirs(a.seeds, exist_ok=True)
    for name, data in seeds().items():
        with open(os.path.join(a.seeds, name), "wb") as f:
            f.write(data)
    names = [c[0] for c in CLASSES]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        sys.exit("gen_pe_malformed: duplicate classes: %s" % sorted(dup))
    manifest, blobs = [], {}
    for cls, maker, stage, reason, desc, notes, base, strict, findings, new_base in CLASSES:
        data = bytes(maker())
        if data in blobs:
            sys.exit("gen_pe_malformed: %s has the same bytes as %s" % (cls, blobs[data]))
        blobs[data] = cls
        if len(data) >= 65536:
            sys.exit("gen_pe_malformed: %s is %d bytes" % (cls, len(data)))
        fname = cls + ".efi"
        with open(os.path.join(a.out, fname), "wb") as f:
            f.write(data)
        entry = {"file": fname, "class": cls, "description": desc, "expect_reason": reason, "stage": stage,
                 "notes": notes, "base_image": "seed-gen-%s-minimal.efi" % base}
        if stage == "relocate":
            entry["new_base"] = "0x%x" % (new_base if new_base is not None else NEW_BASE[base])
        if findings:
            entry["expect_findings"] = list(findings)
        if strict is not None:
            entry["expect_reason_strict"] = strict
        manifest.append(entry)
    stale = [f for f in os.listdir(a.out) if f.endswith(".efi") and f[:-4] not in names]
    for f in stale:
        os.remove(os.path.join(a.out, f))
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print("gen_pe_malformed: %d classes -> %s, %d seeds -> %s" % (len(manifest), a.out, len(seeds()), a.seeds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
