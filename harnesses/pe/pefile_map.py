#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Independent PE/COFF reference built on pefile (Debian python3-pefile).

Usage:
  pefile_map.py IMG --base ADDR -o OUT [--raw] [--report]
      Writes the image as loaded at ADDR and relocated: pefile's
      get_memory_mapped_image(ImageBase=ADDR), brought to exactly SizeOfImage
      bytes and normalised as documented in harnesses/pe/README.md.
  pefile_map.py IMG --info --json
      Prints machine, subsystem, ImageBase, SizeOfImage, sections, relocation
      counts per type and exports as one JSON object (schema "rtprm-pe-info/1",
      README.md).

Exit status: 0 success; 1 pefile cannot parse the file; 2 usage; 3 the image
is outside what pefile maps faithfully (the reason is printed: this is "no
reference available", never a verdict on the image).

Must run under Debian's /usr/bin/python3, where pefile is importable.
"""
import argparse
import json
import struct
import sys

try:
    import pefile
except ImportError:  # pragma: no cover - environment problem
    sys.stderr.write("pefile_map: python module 'pefile' is not importable by %s; run under "
                     "Debian's /usr/bin/python3 (package python3-pefile)\n" % sys.executable)
    sys.exit(2)

SCHEMA = "rtprm-pe-info/1"
MASK64 = (1 << 64) - 1
REL_ABSOLUTE, REL_HIGH, REL_LOW, REL_HIGHLOW, REL_HIGHADJ, REL_DIR64 = 0, 1, 2, 3, 4, 10
# Relocation types pefile's relocate_image() applies, and their target width.
# Every other type (5, 7, 8, 9: MIPS/ARM/RISC-V/LoongArch instruction fixups)
# is skipped by pefile without a word, so an image using one has no reference.
PEFILE_APPLIES = {REL_HIGH: 2, REL_LOW: 2, REL_HIGHLOW: 4, REL_DIR64: 8}
DIR_EXPORT, DIR_BASERELOC = 0, 5


class NotFaithful(Exception):
    """The image is outside what pefile maps like a PE loader does."""


def parse_int(text):
    return int(text, 0)


def load(path):
    # data=bytes, not the file name: pefile then works on an immutable copy.
    # (With a bytearray, relocate_image() would patch the caller's buffer in
    # place and get_memory_mapped_image() could not "restore" it.)
    with open(path, "rb") as f:
        data = f.read()
    pe = pefile.PE(data=data, fast_load=False)
    return pe, data


def opt_header_offset(pe):
    return pe.DOS_HEADER.e_lfanew + 4 + 20


def image_base_field(pe):
    """(offset, width) of the ImageBase field in the file/mapped header."""
    off = opt_header_offset(pe)
    if pe.OPTIONAL_HEADER.Magic == 0x20B:
        return off + 24, 8
    return off + 28, 4


def directory(pe, idx):
    oh = pe.OPTIONAL_HEADER
    if idx >= oh.NumberOfRvaAndSizes or idx >= len(oh.DATA_DIRECTORY):
        return 0, 0
    d = oh.DATA_DIRECTORY[idx]
    return d.VirtualAddress, d.Size


def reloc_blocks(pe):
    return list(getattr(pe, "DIRECTORY_ENTRY_BASERELOC", []) or [])


def reloc_stats(pe):
    blocks = reloc_blocks(pe)
    by_type = [0] * 16
    for b in blocks:
        for e in b.entries:
            by_type[e.type] += 1
    return {"blocks": len(blocks), "entries": sum(by_type), "by_type": by_type}


# ---------------------------------------------------------------------------
# Faithfulness gate: refuse to produce a "reference" where pefile would differ
# from a PE loader for reasons other than representation.

def check_faithful(pe, data, new_base):
    oh = pe.OPTIONAL_HEADER
    fh = pe.FILE_HEADER
    why = []
    sa, fa = oh.SectionAlignment, oh.FileAlignment
    if sa < 0x1000 or fa < 0x200 or sa & (sa - 1) or fa & (fa - 1) or fa > sa:
        # pefile rounds PointerToRawData down to 0x200 and VirtualAddress down
        # to SectionAlignment (or FileAlignment when SectionAlignment < 4 KiB).
        why.append("alignments outside pefile's exact range (SectionAlignment %#x, FileAlignment %#x)" % (sa, fa))
    if oh.SizeOfHeaders > len(data) or oh.SizeOfHeaders > oh.SizeOfImage:
        why.append("SizeOfHeaders %#x exceeds the file or SizeOfImage" % oh.SizeOfHeaders)
    prev_end = oh.SizeOfHeaders
    for i, s in enumerate(pe.sections):
        vs, rs = s.Misc_VirtualSize, s.SizeOfRawData
        if vs == 0:
            why.append("section %d has VirtualSize 0 (pefile maps SizeOfRawData)" % i)
        if s.VirtualAddress % sa or (rs and s.PointerToRawData % fa):
            why.append("section %d is not aligned" % i)
        if s.VirtualAddress < prev_end:
            why.append("section %d is unsorted, overlapping or over the headers" % i)
        if s.VirtualAddress + max(vs, 1) > oh.SizeOfImage:
            why.append("section %d ends past SizeOfImage" % i)
        if rs and s.PointerToRawData + rs > len(data):
            why.append("section %d raw data runs past the file" % i)
        prev_end = s.VirtualAddress + vs
    if len(pe.sections) != fh.NumberOfSections:
        why.append("pefile kept %d of %d sections" % (len(pe.sections), fh.NumberOfSections))
    # Relocations: pefile silently drops what it cannot parse.
    rva, size = directory(pe, DIR_BASERELOC)
    blocks = reloc_blocks(pe)
    if size:
        if not blocks:
            why.append("relocation directory present but pefile parsed no block")
        consumed = 0
        for b in blocks:
            sob = b.struct.SizeOfBlock
            if sob < 8 or sob % 4:
                why.append("relocation block at %#x has SizeOfBlock %d" % (b.struct.VirtualAddress, sob))
                break
            if len(b.entries) != (sob - 8) // 2:
                why.append("pefile kept %d of %d entries of the block for page %#x (it stops at a "
                           "repeated offset/type pair)" % (len(b.entries), (sob - 8) // 2,
                                                            b.struct.VirtualAddress))
            consumed += sob
        if consumed != size:
            why.append("relocation blocks cover %d of %d directory bytes" % (consumed, size))
        for b in blocks:
            for e in b.entries:
                if e.type == REL_ABSOLUTE:
                    continue
                width = PEFILE_APPLIES.get(e.type)
                if width is None:
                    why.append("relocation type %d at %#x is not applied by pefile" % (e.type, e.rva))
                    continue
                if not target_in_raw(pe, e.rva, width):
                    why.append("relocation target %#x+%d is not wholly inside one section's raw data"
                               % (e.rva, width))
    elif new_base != oh.ImageBase:
        why.append("the image must move but has no relocation directory")
    if oh.Magic != 0x20B and new_base > 0xFFFFFFFF:
        why.append("base %#x does not fit a PE32 image" % new_base)
    if why:
        raise NotFaithful("; ".join(why[:8]) + ("" if len(why) <= 8 else "; ..."))


def target_in_raw(pe, rva, width):
    for s in pe.sections:
        lo = s.VirtualAddress
        hi = lo + min(s.Misc_VirtualSize, s.SizeOfRawData)
        if lo <= rva and rva + width <= hi:
            return True
    return False


# ---------------------------------------------------------------------------

def mapped_image(pe, data, new_base, raw=False):
    """Returns (bytes of exactly SizeOfImage, notes)."""
    oh = pe.OPTIONAL_HEADER
    size = oh.SizeOfImage
    orig_base = oh.ImageBase
    notes = []
    # N-wrap: pefile packs relocated values with struct.pack("<Q"), which
    # raises on a sum >= 2**64 instead of wrapping as the CPU does. Same
    # arithmetic, other representation: wrap modulo 2**64.
    pe.get_data_from_qword = lambda w: struct.pack("<Q", w & MASK64)
    # Sections at VirtualAddress >= max_virtual_address are skipped by pefile
    # (default 0x10000000): pass the image size so every section is mapped.
    m = bytearray(pe.get_memory_mapped_image(max_virtual_address=max(size, 0x10000000) + 1,
                                             ImageBase=new_base))
    # pefile leaves OPTIONAL_HEADER.ImageBase at new_base after restoring its
    # data; put it back so later questions see the file's value.
    oh.ImageBase = orig_base
    # N1: pefile knows nothing of SizeOfImage: its buffer ends with the last
    # section's raw data. A loader's image is SizeOfImage bytes.
    if len(m) < size:
        notes.append("N1: padded %d zero bytes to SizeOfImage" % (size - len(m)))
        m.extend(b"\0" * (size - len(m)))
    elif len(m) > size:
        notes.append("N1: truncated %d bytes to SizeOfImage" % (len(m) - size))
        del m[size:]
    if raw:
        return bytes(m), notes
    # N2: relocate_image() sets pe.OPTIONAL_HEADER.ImageBase but never writes
    # the field into the bytes: the mapped header keeps the file's ImageBase.
    # A loader (and rp_pe_relocate) records the new base there.
    off, width = image_base_field(pe)
    want = new_base.to_bytes(width, "little")
    if m[off:off + width] != want:
        notes.append("N2: header ImageBase field set to %#x" % new_base)
        m[off:off + width] = want
    # N3: pefile's header area is the file prefix up to the first section's
    # VirtualAddress, not SizeOfHeaders bytes; N4: it copies SizeOfRawData
    # bytes of each section, including file-alignment padding past
    # VirtualSize. Neither range is part of the image a loader maps (PE spec:
    # SizeOfHeaders and VirtualSize, remainder zero-filled); zero both.
    ranges = [(oh.SizeOfHeaders, pe.sections[0].VirtualAddress if pe.sections else size)]
    for i, s in enumerate(pe.sections):
        end = s.VirtualAddress + s.Misc_VirtualSize
        nxt = pe.sections[i + 1].VirtualAddress if i + 1 < len(pe.sections) else size
        ranges.append((end, nxt))
    for lo, hi in ranges:
        lo, hi = min(lo, size), min(hi, size)
        if hi > lo and any(m[lo:hi]):
            notes.append("N3/N4: zeroed %d non-zero bytes in [%#x, %#x) (not loaded by a PE loader)"
                         % (sum(1 for b in m[lo:hi] if b), lo, hi))
            m[lo:hi] = b"\0" * (hi - lo)
    return bytes(m), notes


# ---------------------------------------------------------------------------

def exports_info(pe):
    rva, size = directory(pe, DIR_EXPORT)
    if not size:
        return None
    exp = getattr(pe, "DIRECTORY_ENTRY_EXPORT", None)
    if exp is None:
        raise NotFaithful("export directory present but pefile did not parse it")
    st = exp.struct
    base = st.Base
    names = []
    for sym in exp.symbols:
        if sym.name is None:
            continue  # pefile lists unnamed ordinals after the named ones
        names.append({
            "name": sym.name.decode("latin-1"),
            "ordinal": sym.ordinal,                      # Base + EAT index (pefile's value)
            "ordinal_index": sym.ordinal - base,         # raw ordinal-table value
            "rva": sym.address,
            "forwarder": sym.forwarder is not None,
        })
    if len(names) != st.NumberOfNames:
        raise NotFaithful("pefile returned %d of %d export names" % (len(names), st.NumberOfNames))
    functions = []
    for i in range(st.NumberOfFunctions):
        v = pe.get_dword_at_rva(st.AddressOfFunctions + 4 * i)
        if v is None:
            raise NotFaithful("export address table entry %d unreadable" % i)
        functions.append(v)
    raw_names = [n["name"].encode("latin-1") for n in names]
    return {
        "dir_rva": rva,
        "dir_size": size,
        "base": base,
        "num_functions": st.NumberOfFunctions,
        "num_names": st.NumberOfNames,
        "names_sorted": all(a < b for a, b in zip(raw_names, raw_names[1:])),
        "functions": functions,
        "names": names,
    }


def info(pe):
    oh, fh = pe.OPTIONAL_HEADER, pe.FILE_HEADER
    ndirs = min(oh.NumberOfRvaAndSizes, 16)
    return {
        "schema": SCHEMA,
        "machine": fh.Machine,
        "pe32plus": oh.Magic == 0x20B,
        "characteristics": fh.Characteristics,
        "subsystem": oh.Subsystem,
        "dll_characteristics": oh.DllCharacteristics,
        "major_image_version": oh.MajorImageVersion,
        "minor_image_version": oh.MinorImageVersion,
        "image_base": oh.ImageBase,
        "size_of_image": oh.SizeOfImage,
        "size_of_headers": oh.SizeOfHeaders,
        "section_alignment": oh.SectionAlignment,
        "file_alignment": oh.FileAlignment,
        "entry_rva": oh.AddressOfEntryPoint,
        "num_rva_and_sizes": oh.NumberOfRvaAndSizes,
        "dirs": [[oh.DATA_DIRECTORY[i].VirtualAddress, oh.DATA_DIRECTORY[i].Size] for i in range(ndirs)],
        "sections": [{
            "name": s.Name.split(b"\0", 1)[0].decode("latin-1"),
            "virtual_address": s.VirtualAddress,
            "virtual_size": s.Misc_VirtualSize,
            "raw_offset": s.PointerToRawData,
            "raw_size": s.SizeOfRawData,
            "characteristics": s.Characteristics,
        } for s in pe.sections],
        "relocations": reloc_stats(pe),
        "exports": exports_info(pe),
    }


def to_json(obj):
    """One top-level key per line (sections, exports names: one element per line)."""
    def val(k, v):
        if k in ("sections",) and v:
            return "[\n  " + ",\n  ".join(json.dumps(x) for x in v) + "\n ]"
        if k == "exports" and v:
            inner = dict(v)
            names = inner.pop("names")
            body = [' "%s": %s' % (kk, json.dumps(vv)) for kk, vv in inner.items()]
            body.append(' "names": [' + ("\n   " + ",\n   ".join(json.dumps(n) for n in names) + "\n  ]"
                                         if names else "]"))
            return "{\n " + ",\n ".join(body) + "\n }"
        return json.dumps(v)
    return "{\n" + ",\n".join(' "%s": %s' % (k, val(k, v)) for k, v in obj.items()) + "\n}\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("image")
    ap.add_argument("--base", type=parse_int, help="load address (default: the file's ImageBase)")
    ap.add_argument("-o", "--output", help="write the mapped image here")
    ap.add_argument("--raw", action="store_true",
                    help="only N1 (size) normalisation: pefile's bytes otherwise untouched")
    ap.add_argument("--report", action="store_true", help="print the normalisations applied (stderr)")
    ap.add_argument("--info", action="store_true", help="print image facts")
    ap.add_argument("--json", action="store_true", help="with --info: as JSON (the only format)")
    a = ap.parse_args(argv)
    if not a.info and not a.output:
        ap.error("give -o OUT (mapped image) or --info --json")
    try:
        pe, data = load(a.image)
    except pefile.PEFormatError as e:
        sys.stderr.write("pefile_map: %s: pefile cannot parse: %s\n" % (a.image, e))
        return 1
    try:
        if a.info:
            sys.stdout.write(to_json(info(pe)))
        if a.output:
            base = pe.OPTIONAL_HEADER.ImageBase if a.base is None else a.base
            if not 0 <= base <= MASK64:
                ap.error("--base out of range")
            check_faithful(pe, data, base)
            m, notes = mapped_image(pe, data, base, raw=a.raw)
            with open(a.output, "wb") as f:
                f.write(m)
            if a.report:
                for n in notes:
                    sys.stderr.write("pefile_map: %s\n" % n)
    except NotFaithful as e:
        sys.stderr.write("pefile_map: %s: no pefile reference: %s\n" % (a.image, e))
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
