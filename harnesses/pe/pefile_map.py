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
# Relocation types pefile's relocate_image() applies as a loader does, and
# their target width. pefile computes HIGH as (word + delta) >> 16 instead of
# word + (delta >> 16), HIGHADJ with its own semantics, and skips every other
# type (5, 7, 8, 9: MIPS/ARM/RISC-V/LoongArch instruction fixups) without a
# word: an image using one of those has no reference.
PEFILE_APPLIES = {REL_LOW: 2, REL_HIGHLOW: 4, REL_DIR64: 8}
DIR_EXPORT, DIR_BASERELOC = 0, 5
IMAGE_FILE_RELOCS_STRIPPED = 0x0001


class NotFaithful(Exception):
    """The image is outside what pefile maps like a PE loader does."""


class ExactPE(pefile.PE):
    """N6: pefile with its two alignment-rounding helpers replaced by the
    identity. pefile then places every section at its VirtualAddress and reads
    it from its PointerToRawData, as a UEFI loader does (README.md, N6)."""

    def adjust_FileAlignment(self, val, file_alignment):
        return val

    def adjust_SectionAlignment(self, val, section_alignment, file_alignment):
        return val


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


def rounding_changes(pe):
    """Where pefile's alignment rounding moves a section: VirtualAddress down
    to SectionAlignment (to FileAlignment when SectionAlignment < 0x1000),
    PointerToRawData down to 0x200 (when FileAlignment >= 0x200). Empty when
    pefile places every section exactly."""
    oh = pe.OPTIONAL_HEADER
    out = []
    for s in pe.sections:
        name = s.Name.split(b"\0", 1)[0].decode("latin-1")
        va = pe.adjust_SectionAlignment(s.VirtualAddress, oh.SectionAlignment, oh.FileAlignment)
        if va != s.VirtualAddress:
            out.append("%s VirtualAddress %#x read as %#x" % (name, s.VirtualAddress, va))
        prd = pe.adjust_FileAlignment(s.PointerToRawData, oh.FileAlignment)
        if s.SizeOfRawData and prd != s.PointerToRawData:
            out.append("%s PointerToRawData %#x read as %#x" % (name, s.PointerToRawData, prd))
    return out


def parse(data, normalise=True):
    """pefile over data -> (pe, notes). When pefile's alignment rounding would
    move a section, the image is parsed again as ExactPE (N6) and the note
    says what the rounding would have changed."""
    pe = pefile.PE(data=data, fast_load=False)
    moved = rounding_changes(pe)
    if not moved or not normalise:
        return pe, []
    return ExactPE(data=data, fast_load=False), ["N6: alignment rounding replaced by the identity (%s)"
                                                 % "; ".join(moved)]


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


def vsize(s):
    """Effective VirtualSize: SizeOfRawData when VirtualSize is 0 (what pefile
    and a UEFI loader both map)."""
    return s.Misc_VirtualSize or s.SizeOfRawData


# ---------------------------------------------------------------------------
# Faithfulness gate: refuse to produce a "reference" where pefile would differ
# from a PE loader for reasons other than representation (README.md).

def check_faithful(pe, data, new_base):
    why = header_problems(pe, data, new_base) + section_problems(pe, data) + reloc_problems(pe, new_base)
    if why:
        raise NotFaithful("; ".join(why[:8]) + ("" if len(why) <= 8 else "; ..."))


def header_problems(pe, data, new_base):
    oh = pe.OPTIONAL_HEADER
    why = []
    moved = [] if isinstance(pe, ExactPE) else rounding_changes(pe)
    if moved:
        why.append("pefile's alignment rounding moves sections (%s): parse() applies N6" % "; ".join(moved))
    if oh.SizeOfHeaders > len(data) or oh.SizeOfHeaders > oh.SizeOfImage:
        why.append("SizeOfHeaders %#x exceeds the file or SizeOfImage" % oh.SizeOfHeaders)
    if oh.Magic != 0x20B and new_base > 0xFFFFFFFF:
        why.append("base %#x does not fit a PE32 image" % new_base)
    return why


def section_problems(pe, data):
    """pefile maps the sections in VirtualAddress order, each cut at the next
    one, and skips one whose raw data leaves the file; a loader maps each
    where it says or refuses the image. They agree when the sections are
    disjoint, after the headers, inside the image and inside the file."""
    oh = pe.OPTIONAL_HEADER
    why = []
    if len(pe.sections) != pe.FILE_HEADER.NumberOfSections:
        why.append("pefile kept %d of %d sections" % (len(pe.sections), pe.FILE_HEADER.NumberOfSections))
    prev_end = oh.SizeOfHeaders
    for i, s in enumerate(pe.sections):
        if s.VirtualAddress < prev_end:
            why.append("section %d (by address) overlaps the headers or the previous section" % i)
        if s.VirtualAddress + vsize(s) > oh.SizeOfImage:
            why.append("section %d ends past SizeOfImage" % i)
        if s.SizeOfRawData and s.PointerToRawData + s.SizeOfRawData > len(data):
            why.append("section %d raw data runs past the file" % i)
        prev_end = s.VirtualAddress + vsize(s)
    return why


def reloc_problems(pe, new_base):
    rva, size = directory(pe, DIR_BASERELOC)
    if new_base != pe.OPTIONAL_HEADER.ImageBase and pe.FILE_HEADER.Characteristics & IMAGE_FILE_RELOCS_STRIPPED:
        return ["the image is moved but sets IMAGE_FILE_RELOCS_STRIPPED: a loader refuses the move"]
    if not size:
        return []  # moved without fixups, by pefile and by a UEFI loader alike
    try:
        raw = pe.get_data(rva, size)
    except pefile.PEFormatError:
        raw = b""
    if len(raw) != size:
        return ["relocation directory [%#x, +%#x) is not wholly in section raw data" % (rva, size)]
    try:
        walked = walk_relocs(raw)
    except NotFaithful as e:
        return [str(e)]
    return compare_blocks(walked, reloc_blocks(pe)) + target_problems(pe, rva, size)


def walk_relocs(raw):
    """The relocation directory as a loader walks it: [(page, SizeOfBlock,
    entry words)]. pefile stops without error where a loader refuses, so a
    directory a loader refuses has no reference."""
    blocks, p = [], 0
    while p < len(raw):
        if len(raw) - p < 8:
            raise NotFaithful("relocation directory has %d trailing bytes" % (len(raw) - p))
        page, sob = struct.unpack_from("<II", raw, p)
        if sob < 8 or sob > len(raw) - p:
            raise NotFaithful("relocation block at directory offset %#x has SizeOfBlock %d" % (p, sob))
        blocks.append((page, sob, struct.unpack_from("<%dH" % ((sob - 8) // 2), raw, p + 8)))
        p += sob
    return blocks


def compare_blocks(walked, parsed):
    """Every entry pefile does not apply must be ABSOLUTE padding, or the
    reference would miss a fixup. pefile drops entries three ways, silently:
    parse_relocations ends a block at the first repeated (offset, type) pair;
    parse_image_base_relocation_list stops at a page or SizeOfBlock beyond
    SizeOfImage; and with NumberOfRvaAndSizes 6 parse_data_directories never
    reaches the relocation directory (it visits the debug directory first and
    stops at its IndexError), so relocate_image() applies nothing at all."""
    if len(parsed) > len(walked):
        return ["pefile parsed %d relocation blocks, the directory holds %d" % (len(parsed), len(walked))]
    why = []
    for i, (page, sob, words) in enumerate(walked):
        kept = []
        if i < len(parsed):
            b = parsed[i]
            kept = [e.struct.Data for e in b.entries]
            if (b.struct.VirtualAddress, b.struct.SizeOfBlock) != (page, sob) or kept != list(words[:len(kept)]):
                why.append("pefile read the relocation block for page %#x differently" % page)
                continue
        if any(w >> 12 != REL_ABSOLUTE for w in words[len(kept):]):
            why.append("pefile leaves out non-ABSOLUTE entries of the block for page %#x" % page)
    return why


def target_problems(pe, dir_rva, dir_size):
    """pefile patches through its RVA-to-file-offset translation, exact only
    for a target wholly inside one section's loaded raw bytes; it parses the
    whole directory before patching where a loader patches as it walks, so a
    target inside the directory would make them differ."""
    why = []
    for b in reloc_blocks(pe):
        for e in b.entries:
            if e.type == REL_ABSOLUTE:
                continue
            width = PEFILE_APPLIES.get(e.type)
            if width is None:
                why.append("relocation type %d at %#x is not applied as a loader does" % (e.type, e.rva))
            elif not target_in_raw(pe, e.rva, width):
                why.append("relocation target %#x+%d is not wholly inside one section's raw data"
                           % (e.rva, width))
            elif e.rva < dir_rva + dir_size and dir_rva < e.rva + width:
                why.append("relocation target %#x+%d is inside the relocation directory" % (e.rva, width))
    return why


def target_in_raw(pe, rva, width):
    for s in pe.sections:
        lo = s.VirtualAddress
        hi = lo + min(vsize(s), s.SizeOfRawData)
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
    # N5: pefile packs relocated values with struct.pack("<Q"), which
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
        nxt = pe.sections[i + 1].VirtualAddress if i + 1 < len(pe.sections) else size
        ranges.append((s.VirtualAddress + vsize(s), nxt))
    for lo, hi in ranges:
        lo, hi = min(lo, size), min(hi, size)
        if hi > lo and any(m[lo:hi]):
            notes.append("N3/N4: zeroed %d non-zero bytes in [%#x, %#x) (not loaded by a PE loader)"
                         % (sum(1 for b in m[lo:hi] if b), lo, hi))
            m[lo:hi] = b"\0" * (hi - lo)
    return bytes(m), notes


def reference(data, new_base):
    """The faithful pefile mapping of the image in data at new_base ->
    (bytes, notes); NotFaithful when pefile has none."""
    pe, notes = parse(data)
    check_faithful(pe, data, new_base)
    m, more = mapped_image(pe, data, new_base)
    return m, notes + more


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
                    help="only N1 (size) normalisation: pefile's bytes otherwise untouched "
                         "(no N6 either: an image pefile's rounding moves has no reference)")
    ap.add_argument("--report", action="store_true", help="print the normalisations applied (stderr)")
    ap.add_argument("--info", action="store_true", help="print image facts")
    ap.add_argument("--json", action="store_true", help="with --info: as JSON (the only format)")
    a = ap.parse_args(argv)
    if not a.info and not a.output:
        ap.error("give -o OUT (mapped image) or --info --json")
    try:
        with open(a.image, "rb") as f:
            data = f.read()
        pe, notes = parse(data, normalise=not a.raw)
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
            m, more = mapped_image(pe, data, base, raw=a.raw)
            with open(a.output, "wb") as f:
                f.write(m)
            if a.report:
                for n in notes + more:
                    sys.stderr.write("pefile_map: %s\n" % n)
    except NotFaithful as e:
        sys.stderr.write("pefile_map: %s: no pefile reference: %s\n" % (a.image, e))
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
