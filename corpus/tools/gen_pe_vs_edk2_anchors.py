#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Anchors of the pe_vs_edk2 divergence classes: one small input per class,
corpus/anchors/pe_vs_edk2/<class-id> (fuzz/pe_vs_edk2_classes.c).

Each anchor is a minimal, valid PE32+ (one executable section, one data
section, one DIR64 relocation) with exactly one deviation, the one its class
names, followed by the fuzz trailer (options 1: a runtime move of +2 MiB).
Classes the fuzzer found in shapes not worth rebuilding by hand (a TE image)
are kept as minimized fuzzer inputs instead (tools/fuzz/edk2_differential.py
minimize); this script does not touch those files.

Deterministic, standard library only. From the repository root:
  corpus/tools/gen_pe_vs_edk2_anchors.py [--out corpus/anchors/pe_vs_edk2]
tools/fuzz/edk2_differential.py check then says whether each still lands.
"""
import argparse
import os
import struct

SA, FA = 0x1000, 0x200
CODE, DATA = 0x60000020, 0xC0000040
TEXT = (b".text", 0x1000, 0x40, 0x200, 0x200, CODE)
DATA_SECTION = (b".data", 0x2000, 0x100, 0x400, 0x200, DATA)
RELOC_RVA = 0x3000
RUNTIME_MOVE = struct.pack("<IQ", 1, 0)  # trailer: options (k = +1), no allocation failures
DIR_EXPORT, DIR_RESOURCE, DIR_EXCEPTION, DIR_SECURITY, DIR_BASERELOC, DIR_DEBUG = 0, 2, 3, 4, 5, 6


def reloc_block(page, offsets):
    """One base-relocation block of DIR64 entries (type 10), padded to 4 bytes;
    an entry given as (type, offset) has that type."""
    entries = [(e[0] << 12 | e[1]) if isinstance(e, tuple) else (0xA000 | e) for e in offsets]
    if len(entries) % 2:
        entries.append(0)  # IMAGE_REL_BASED_ABSOLUTE pad
    return struct.pack("<II", page, 8 + 2 * len(entries)) + struct.pack(f"<{len(entries)}H", *entries)


def image(machine=0x8664, sections=None, nrva=16, opt_extra=0, soh=0x200, sa=SA, fa=FA, entry=0x1000,
          dirs=None, raw=None, tail=b"", relocs=((0x2000, (0x8,)),), lfanew=0x40):
    """A PE32+ file: `sections` as (name, rva, vsize, raw offset, raw size,
    characteristics); `relocs` as (page, [offsets]) become a .reloc section
    at RELOC_RVA; `raw` {file offset: bytes} patches the file."""
    sections = list(sections or (TEXT, DATA_SECTION))
    dirs = dict(dirs or {})
    if relocs:
        body = b"".join(reloc_block(p, offs) for p, offs in relocs)
        raw_off = max(s[3] + s[4] for s in sections)
        sections.append((b".reloc", RELOC_RVA, len(body), raw_off, FA, 0x42000040))
        raw = {**(raw or {}), raw_off: body}
        dirs[DIR_BASERELOC] = (RELOC_RVA, len(body))
    opt_size = 112 + 8 * nrva + opt_extra
    soi = max(va + (vs + sa - 1) // sa * sa for _, va, vs, _, _, _ in sections)
    out = bytearray(max(lfanew + 24 + opt_size + 40 * len(sections), soh))
    out[0:2] = b"MZ"
    struct.pack_into("<I", out, 60, lfanew)
    struct.pack_into("<4sHHIIIHH", out, lfanew, b"PE\0\0", machine, len(sections), 0, 0, 0, opt_size, 0x22)
    o = lfanew + 24
    struct.pack_into("<HBBIIIII", out, o, 0x20B, 14, 0, 0x200, 0x200, 0, entry, 0x1000)
    struct.pack_into("<QIIHHHHHHIIIIHHQQQQII", out, o + 24, 0x10000000, sa, fa, 0, 0, 0, 0, 0, 0, 0, soi, soh, 0,
                     10, 0x160, 0x100000, 0x1000, 0x100000, 0x1000, 0, nrva)
    for i, (va, size) in dirs.items():
        struct.pack_into("<II", out, o + 112 + 8 * i, va, size)
    table = o + opt_size
    for k, (name, va, vs, rp, rs, ch) in enumerate(sections):
        struct.pack_into("<8sIIIIIIHHI", out, table + 40 * k, name, vs, va, rs, rp, 0, 0, 0, 0, ch)
        if rs and len(out) < rp + rs:
            out += bytes(rp + rs - len(out))
    for off, data in (raw or {}).items():
        if len(out) < off + len(data):
            out += bytes(off + len(data) - len(out))
        out[off:off + len(data)] = data
    return bytes(out) + tail + RUNTIME_MOVE


def debug_entry(kind, size, rva, offset):
    return struct.pack("<IIHHIIII", 0, 0, 0, 0, kind, size, rva, offset)


ANCHORS = {
    # (a) EDK II checks only a fixup's first byte against the image: a DIR64
    # at the last 4 bytes writes 4 bytes past SizeOfImage. We refuse it.
    "a-edk2-unsafe-we-refuse": lambda: image(relocs=((0x3000, (0xFFC,)),)),
    # (b) our rules, EDK II loads
    "b-we-refuse-entry-point": lambda: image(entry=0x2000),
    "b-we-refuse-wx": lambda: image(sections=((b".text", 0x1000, 0x40, 0x200, 0x200, CODE | 0x80000000),
                                              DATA_SECTION)),
    "b-we-refuse-directory-range": lambda: image(dirs={DIR_EXCEPTION: (0x8000, 0x10)}),
    "b-we-refuse-header-rules": lambda: image(sections=(DATA_SECTION, TEXT)),
    "b-we-refuse-relocations": lambda: image(relocs=((0x0000, (0x10,)),)),
    # b-we-refuse-new-base: a TE image whose adjusted ImageBase is off the
    # page grid (minimized fuzzer input, not rebuilt here).
    # (b) EDK II's rules, we load
    "b-edk2-short-header-read": lambda: image(lfanew=0x100, nrva=6, relocs=(),
                                              sections=((b".text", 0x1000, 0x40, 0, 0, CODE),)),
    "b-edk2-optional-header-size": lambda: image(opt_extra=8),
    "b-edk2-headers-room": lambda: image(nrva=0, soh=0xF0, sa=8, fa=8, entry=0xF0, relocs=(), tail=bytes(0x60),
                                         sections=((b".text", 0xF0, 8, 0xF0, 8, CODE),)),
    "b-edk2-cert-table-past-eof": lambda: image(dirs={DIR_SECURITY: (0x10000, 0x100)}),
    "b-edk2-raw-data-in-headers": lambda: image(sections=((b".text", 0x1000, 0x40, 0x100, 0x40, CODE),
                                                          DATA_SECTION)),
    "b-edk2-debug-entry-past-eof": lambda: image(
        sections=(TEXT, (b".data", 0x2000, 0x1000, 0x400, 0x200, DATA)), dirs={DIR_DEBUG: (0x2800, 28)}),
    "b-edk2-codeview-short": lambda: image(dirs={DIR_DEBUG: (0x2020, 28)},
                                           raw={0x420: debug_entry(2, 8, 0x2060, 0x460), 0x460: b"RSDS"}),
    "b-edk2-resource-walk": lambda: image(dirs={DIR_RESOURCE: (0x2020, 0x40)},
                                          raw={0x420: struct.pack("<IIHHHH", 0, 0, 0, 0, 0, 0x7FFF)}),
    # an ABSOLUTE pad whose offset lands past SizeOfImage (0x4000), next to a DIR64
    "b-edk2-absolute-entry-past-image": lambda: image(relocs=((0x2000, (0x8,)), (0x3800, ((0, 0x900), (0, 0))))),
    "b-machine-not-in-edk2-x64": lambda: image(machine=0x5064, relocs=()),
    # (b) both load; only the header ImageBase after the runtime move differs
    "b-runtime-image-base": lambda: image(),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join("corpus", "anchors", "pe_vs_edk2"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for name, build in ANCHORS.items():
        with open(os.path.join(a.out, name), "wb") as f:
            f.write(build())
    print(f"{len(ANCHORS)} anchors in {a.out}")


if __name__ == "__main__":
    main()
