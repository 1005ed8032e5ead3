#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Independent TE (Terse Executable, PI spec Vol 1) reference built on pefile.

Usage:
  te_map.py IMG [--base ADDR] -o OUT [--report]
      Writes the TE image as loaded with its header at ADDR and relocated
      (default: its own header address, ImageBase + StrippedSize - 40).

pefile does not read TE images, so the PE file the TE image was stripped from
is rebuilt around it: exactly StrippedSize bytes of DOS, PE and optional
headers (so the section table lands where the original one was), then the TE
bytes from offset 40. In that PE every RVA and PointerToRawData of the TE
section table is valid as it stands; SectionAlignment = FileAlignment = 1 so
pefile rounds nothing; ImageBase = the TE ImageBase; the relocation
directory = TE directory 0 and IMAGE_FILE_RELOCS_STRIPPED when it is (0, 0).
pefile_map maps that PE at ADDR - adj (adj = StrippedSize - 40) through its
faithfulness gate; the TE image is its bytes from adj + 40 + 40 * sections on,
behind the TE header and section table with ImageBase := ADDR - adj.
harnesses/pe/README.md describes the rule.

Exit status: 0 written; 1 not a TE image pefile can read; 2 usage; 3 no
faithful reference (the reason is printed; never a verdict on the image).
Must run under Debian's /usr/bin/python3, where pefile is importable.
"""
import argparse
import collections
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pefile_map  # noqa: E402  (exits 2 when pefile is not importable)

TE_HEADER = struct.Struct("<2sHBBHIIQIIII")   # EFI_TE_IMAGE_HEADER, 40 bytes
SECTION = struct.Struct("<8sIIII")            # Name, VirtualSize, VirtualAddress, SizeOfRawData, PointerToRawData
TE_IMAGE_BASE = 16                            # offset of the u64 ImageBase in the TE header
TE_PAGE = 0x1000                              # a TE image moves by whole pages only
PE64_MACHINES = {0x0200, 0x8664, 0xAA64, 0x5064, 0x6264}  # IA64, X64, AArch64, RISCV64, LoongArch64
MASK64 = (1 << 64) - 1

Te = collections.namedtuple("Te", "machine nsec subsystem stripped entry base_of_code image_base "
                                  "reloc debug sections")


class NotTe(Exception):
    """The file is not a TE image this tool can read."""


def parse_te(data):
    if len(data) < TE_HEADER.size or data[:2] != b"VZ":
        raise NotTe("no VZ signature")
    (_, machine, nsec, subsystem, stripped, entry, boc, base,
     rva, rsize, dva, dsize) = TE_HEADER.unpack_from(data)
    if stripped < TE_HEADER.size or len(data) < TE_HEADER.size * (1 + nsec):
        raise NotTe("StrippedSize %#x or the section table does not fit" % stripped)
    sections = [SECTION.unpack_from(data, TE_HEADER.size * (1 + i)) for i in range(nsec)]
    return Te(machine, nsec, subsystem, stripped, entry, boc, base, (rva, rsize), (dva, dsize), sections)


def adjust(te):
    return te.stripped - TE_HEADER.size


def header_address(te):
    """Where the TE header sits when the image is at its own base."""
    return (te.image_base + adjust(te)) & MASK64


def size_of_image(te):
    """PE-space SizeOfImage: the end of the last section, VirtualSize or
    SizeOfRawData when VirtualSize is 0."""
    return max((va + (vs or rs) for _, vs, va, rs, _ in te.sections), default=0)


def pe_headers(te):
    """Exactly StrippedSize bytes of DOS + PE + optional header."""
    plus = te.machine in PE64_MACHINES
    fixed = 112 if plus else 96
    optsz = fixed + 16 * 8
    lfanew = te.stripped - 4 - 20 - optsz
    if lfanew < 64:
        raise pefile_map.NotFaithful("StrippedSize %#x leaves no room for DOS, PE and optional headers"
                                     % te.stripped)
    if not plus and te.image_base > 0xFFFFFFFF:
        raise pefile_map.NotFaithful("ImageBase %#x does not fit the PE32 optional header" % te.image_base)
    h = bytearray(te.stripped)
    h[0:2] = b"MZ"
    struct.pack_into("<I", h, 0x3C, lfanew)
    h[lfanew:lfanew + 4] = b"PE\0\0"
    stripped_flag = pefile_map.IMAGE_FILE_RELOCS_STRIPPED if te.reloc == (0, 0) else 0
    struct.pack_into("<HHIIIHH", h, lfanew + 4, te.machine, te.nsec, 0, 0, 0, optsz, 0x0002 | stripped_flag)
    o = lfanew + 24
    struct.pack_into("<H", h, o, 0x20B if plus else 0x10B)
    struct.pack_into("<II", h, o + 16, te.entry, te.base_of_code)
    struct.pack_into("<Q" if plus else "<I", h, o + (24 if plus else 28), te.image_base)
    struct.pack_into("<II", h, o + 32, 1, 1)                     # SectionAlignment, FileAlignment
    struct.pack_into("<II", h, o + 56, size_of_image(te), te.stripped + 40 * te.nsec)
    struct.pack_into("<H", h, o + 68, te.subsystem)
    struct.pack_into("<I", h, o + fixed - 4, 16)                 # NumberOfRvaAndSizes
    struct.pack_into("<IIII", h, o + fixed + 5 * 8, *te.reloc, *te.debug)
    return bytes(h)


def rebuild_pe(data, te):
    return pe_headers(te) + data[TE_HEADER.size:]


def reference(data, new_base):
    """(mapped TE image with its header at new_base, notes); NotFaithful when
    there is no faithful reference."""
    te = parse_te(data)
    adj = adjust(te)
    if (new_base - header_address(te)) % TE_PAGE:
        raise pefile_map.NotFaithful("a TE image moves by whole pages only (header at %#x, base %#x)"
                                     % (header_address(te), new_base))
    if te.reloc == (0, 0) and new_base != header_address(te):
        raise pefile_map.NotFaithful("relocation directory (0, 0): the image cannot move")
    pe_base = new_base - adj
    if not 0 <= pe_base <= MASK64:
        raise pefile_map.NotFaithful("base %#x is below the stripped headers" % new_base)
    m, notes = pefile_map.reference(rebuild_pe(data, te), pe_base)
    head = bytearray(data[:TE_HEADER.size * (1 + te.nsec)])
    struct.pack_into("<Q", head, TE_IMAGE_BASE, pe_base)
    notes = [n for n in notes if not n.startswith("N2:")]  # the rebuilt PE header is not part of a TE image
    if pe_base != te.image_base:
        notes.append("T1: TE header ImageBase set to %#x" % pe_base)
    return bytes(head) + m[adj + len(head):], notes


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("image")
    ap.add_argument("--base", type=pefile_map.parse_int,
                    help="address of the TE header (default: ImageBase + StrippedSize - 40)")
    ap.add_argument("-o", "--output", required=True, help="write the mapped image here")
    ap.add_argument("--report", action="store_true", help="print the normalisations applied (stderr)")
    a = ap.parse_args(argv)
    with open(a.image, "rb") as f:
        data = f.read()
    try:
        base = header_address(parse_te(data)) if a.base is None else a.base
        if not 0 <= base <= MASK64:
            ap.error("--base out of range")
        m, notes = reference(data, base)
    except (NotTe, pefile_map.pefile.PEFormatError) as e:
        sys.stderr.write("te_map: %s: not a readable TE image: %s\n" % (a.image, e))
        return 1
    except pefile_map.NotFaithful as e:
        sys.stderr.write("te_map: %s: no pefile reference: %s\n" % (a.image, e))
        return 3
    with open(a.output, "wb") as f:
        f.write(m)
    if a.report:
        for n in notes:
            sys.stderr.write("te_map: %s\n" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
