#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Generates PRM module images from scratch (corpus/prm-malformed/ and the
generated seeds of corpus/prm/), one per module-validation rule of
docs/prm.md §2.

  gen_prm_malformed.py [--out corpus/prm-malformed] [--seeds corpus/prm]

Layout of every image (PE32+, SectionAlignment 0x1000, FileAlignment 0x200,
SizeOfImage 0x4000, subsystem 12, DLL, version 1.0):

  RVA     file    what
  0x1000  0x200   .text  (RX) handler bodies, 16 bytes each at 0x1000 + 16*i
  0x2000  0x400   .rdata (R)  export descriptor at 0x2000 (0x800 bytes raw)
  0x3000  0xC00   .edata (R)  export directory at 0x3000, tables, names

manifest.json lists {file, expect_status, expect_reason, expect_index, what}
for the conformance group "prm-module" (conformance/cases/prm_cases.c,
which passes the platform GUID below). Deterministic, standard library only.
"""
import argparse
import json
import os
import struct
import uuid

PLATFORM = uuid.UUID("c29bb610-84f9-448d-a7dd-5a04c5a54f52")
MODULE = uuid.UUID("6b3f2a10-5c4d-4e8f-9a1b-2c3d4e5f6071")
HGUIDS = [uuid.UUID("a1b2c3d4-0000-4000-8000-0000000000%02x" % (i + 1)) for i in range(8)]
SIG = b"PRM_MEDT"
DESC_NAME = b"PrmModuleExportDescriptor"

TEXT, RDATA, EDATA = 0x1000, 0x2000, 0x3000
TEXT_RAW, RDATA_RAW, EDATA_RAW = 0x200, 0x400, 0xC00
TEXT_SIZE, RDATA_SIZE, EDATA_SIZE = 0x200, 0x800, 0x400
SIZE_OF_IMAGE = 0x4000
X, R = 0x20000000, 0x40000000
CODE, IDATA = 0x20, 0x40


def guid_bytes(g):
    return g.bytes_le


def descriptor(sig=SIG, rev=0, count=None, platform=PLATFORM, module=MODULE, handlers=()):
    """handlers: [(guid, name_bytes_128)]"""
    n = len(handlers) if count is None else count
    b = sig + struct.pack("<HH", rev, n) + guid_bytes(platform) + guid_bytes(module)
    for g, name in handlers:
        b += guid_bytes(g) + name.ljust(128, b"\0")[:128]
    return b


def export_dir(exports):
    """exports: [(name_bytes, rva)] -> .edata bytes (Base 1, names sorted)."""
    exports = sorted(exports, key=lambda e: e[0])
    n = len(exports)
    fn, nm, od = EDATA + 40, EDATA + 40 + 4 * n, EDATA + 40 + 8 * n
    strings = EDATA + 40 + 10 * n
    dll = b"prm.efi\0"
    names, pos = b"", strings + len(dll)
    nptrs = []
    for name, _ in exports:
        nptrs.append(pos)
        names += name + b"\0"
        pos += len(name) + 1
    b = struct.pack("<IIHHIIIIIII", 0, 0, 0, 0, strings, 1, n, n, fn, nm, od)
    b += b"".join(struct.pack("<I", rva) for _, rva in exports)
    b += b"".join(struct.pack("<I", p) for p in nptrs)
    b += b"".join(struct.pack("<H", i) for i in range(n))
    b += dll + names
    return b


def image(desc, exports, machine=0x8664, desc_rva=RDATA, export_size=None, no_exports=False):
    edata = export_dir(exports)
    f = bytearray(EDATA_RAW + EDATA_SIZE)
    struct.pack_into("<HI", f, 0, 0x5A4D, 0)
    struct.pack_into("<I", f, 0x3C, 0x40)
    f[0x40:0x44] = b"PE\0\0"
    struct.pack_into("<HHIIIHH", f, 0x44, machine, 3, 0, 0, 0, 240, 0x2022)
    o = 0x58
    struct.pack_into("<HBBIIIII", f, o, 0x20B, 14, 0, TEXT_SIZE, RDATA_SIZE + EDATA_SIZE, 0, TEXT, TEXT)
    struct.pack_into("<QII", f, o + 24, 0x180000000, 0x1000, 0x200)
    struct.pack_into("<HHHHHH", f, o + 40, 0, 0, 1, 0, 0, 0)  # OS, image 1.0, subsystem version
    struct.pack_into("<IIII", f, o + 56, SIZE_OF_IMAGE, 0x200, 0, 0)
    struct.pack_into("<I", f, o + 56, SIZE_OF_IMAGE)
    struct.pack_into("<HH", f, o + 68, 12, 0x0140)
    struct.pack_into("<QQQQII", f, o + 72, 0x100000, 0x1000, 0x100000, 0x1000, 0, 16)
    if not no_exports:
        struct.pack_into("<II", f, o + 112, EDATA, len(edata) if export_size is None else export_size)
    s = o + 240
    for name, va, vs, raw, rs, ch in ((b".text", TEXT, TEXT_SIZE, TEXT_RAW, TEXT_SIZE, CODE | X | R),
                                      (b".rdata", RDATA, RDATA_SIZE, RDATA_RAW, RDATA_SIZE, IDATA | R),
                                      (b".edata", EDATA, EDATA_SIZE, EDATA_RAW, EDATA_SIZE, IDATA | R)):
        struct.pack_into("<8sIIII", f, s, name, vs, va, rs, raw)
        struct.pack_into("<I", f, s + 36, ch)
        s += 40
    for i in range(TEXT_SIZE // 16):
        f[TEXT_RAW + 16 * i:TEXT_RAW + 16 * i + 3] = b"\x31\xc0\xc3"  # xor eax,eax; ret
    d = RDATA_RAW + (desc_rva - RDATA)
    if RDATA <= desc_rva < RDATA + RDATA_SIZE:
        desc = desc[:RDATA_RAW + RDATA_SIZE - d]
        f[d:d + len(desc)] = desc
    f[EDATA_RAW:EDATA_RAW + len(edata)] = edata
    return bytes(f)


def names(n):
    return [b"PrmHandler%d" % i for i in range(n)]


def good(n=2, **kw):
    hs = [(HGUIDS[i], nm) for i, nm in enumerate(names(n))]
    ex = [(nm, TEXT + 16 * i) for i, nm in enumerate(names(n))] + [(DESC_NAME, RDATA)]
    return hs, ex


def build_cases():
    c = []  # (file, status, reason, index, what, bytes)

    def add(file, status, reason, index, what, data):
        c.append((file, status, reason, index, what, data))

    hs, ex = good()
    add("seed-gen-x64-two-handlers.efi", "EFI_SUCCESS", "NONE", None, "well-formed, 2 handlers",
        image(descriptor(handlers=hs), ex))
    hs8, ex8 = good(8)
    add("seed-gen-x64-eight-handlers.efi", "EFI_SUCCESS", "NONE", None, "well-formed, 8 handlers",
        image(descriptor(handlers=hs8), ex8))
    add("machine-riscv64.efi", "EFI_UNSUPPORTED", "PRM_MACHINE", 0x5064, "RISC-V 64 is not a PRM machine",
        image(descriptor(handlers=hs), ex, machine=0x5064))
    add("no-export-directory.efi", "EFI_NOT_FOUND", "PRM_DESCRIPTOR_NOT_EXPORTED", None, "no export directory",
        image(descriptor(handlers=hs), ex, no_exports=True))
    ex_prefix = [e if e[0] != DESC_NAME else (DESC_NAME + b"XYZ", RDATA) for e in ex]
    add("descriptor-name-prefix.efi", "EFI_NOT_FOUND", "PRM_DESCRIPTOR_NOT_EXPORTED", None,
        "export named PrmModuleExportDescriptorXYZ (EDK II's prefix match accepts it)",
        image(descriptor(handlers=hs), ex_prefix))
    ex_zero = [e if e[0] != DESC_NAME else (DESC_NAME, 0) for e in ex]
    add("descriptor-rva-zero.efi", "EFI_LOAD_ERROR", "PRM_DESCRIPTOR_RVA_ZERO", 2, "descriptor export RVA 0",
        image(descriptor(handlers=hs), ex_zero))
    ex_fwd = [e if e[0] != DESC_NAME else (DESC_NAME, EDATA + 0x30) for e in ex]
    add("descriptor-forwarder.efi", "EFI_LOAD_ERROR", "PRM_DESCRIPTOR_FORWARDER", 2,
        "descriptor export RVA inside the export directory", image(descriptor(handlers=hs), ex_fwd))
    ex_end = [e if e[0] != DESC_NAME else (DESC_NAME, SIZE_OF_IMAGE - 20) for e in ex]
    add("descriptor-header-outside.efi", "EFI_LOAD_ERROR", "PRM_DESCRIPTOR_RANGE", SIZE_OF_IMAGE - 20,
        "44-byte descriptor header crosses the end of the image", image(descriptor(handlers=hs), ex_end))
    late = RDATA + RDATA_SIZE - 44 - 144
    ex_late = [e if e[0] != DESC_NAME else (DESC_NAME, late) for e in ex]
    add("descriptor-handlers-outside.efi", "EFI_LOAD_ERROR", "PRM_DESCRIPTOR_RANGE", 2,
        "2 handler entries declared, 1 fits in the section", image(descriptor(handlers=hs), ex_late, desc_rva=late))
    add("signature-prm-meds.efi", "EFI_NOT_FOUND", "PRM_DESCRIPTOR_SIGNATURE", RDATA,
        "signature 'PRM_MEDS' (the seed brief's wrong name)", image(descriptor(sig=b"PRM_MEDS", handlers=hs), ex))
    add("revision-1.efi", "EFI_UNSUPPORTED", "PRM_DESCRIPTOR_REVISION", 1, "descriptor revision 1",
        image(descriptor(rev=1, handlers=hs), ex))
    add("handler-count-zero.efi", "EFI_LOAD_ERROR", "PRM_HANDLER_COUNT_ZERO", None, "NumberPrmHandlers 0",
        image(descriptor(count=0, handlers=hs), ex))
    add("handler-count-256.efi", "EFI_LOAD_ERROR", "PRM_HANDLER_COUNT_BOUND", 256, "NumberPrmHandlers 256",
        image(descriptor(count=256, handlers=hs), ex))
    add("module-guid-zero.efi", "EFI_LOAD_ERROR", "PRM_MODULE_GUID_ZERO", None, "module GUID all zero",
        image(descriptor(module=uuid.UUID(int=0), handlers=hs), ex))
    add("platform-guid-other.efi", "EFI_UNSUPPORTED", "PRM_PLATFORM_GUID_MISMATCH", None,
        "descriptor built for another platform", image(descriptor(platform=HGUIDS[7], handlers=hs), ex))
    hz = [hs[0], (uuid.UUID(int=0), hs[1][1])]
    add("handler-guid-zero.efi", "EFI_LOAD_ERROR", "PRM_HANDLER_GUID_ZERO", 1, "handler 1 GUID all zero",
        image(descriptor(handlers=hz), ex))
    hd = [hs[0], (hs[0][0], hs[1][1])]
    add("handler-guid-duplicate.efi", "EFI_LOAD_ERROR", "PRM_HANDLER_GUID_DUPLICATE", 1,
        "handlers 0 and 1 share a GUID", image(descriptor(handlers=hd), ex))
    hu = [hs[0], (hs[1][0], b"A" * 128)]
    add("handler-name-unterminated.efi", "EFI_LOAD_ERROR", "PRM_HANDLER_NAME_UNTERMINATED", 1,
        "128 name bytes without a NUL", image(descriptor(handlers=hu), ex))
    he = [hs[0], (hs[1][0], b"")]
    add("handler-name-empty.efi", "EFI_LOAD_ERROR", "PRM_HANDLER_NAME_EMPTY", 1, "empty handler name",
        image(descriptor(handlers=he), ex))
    hn = [hs[0], (hs[1][0], b"PrmHandlerMissing")]
    add("handler-not-exported.efi", "EFI_NOT_FOUND", "PRM_HANDLER_NOT_EXPORTED", 1,
        "handler name with no export", image(descriptor(handlers=hn), ex))
    hp = [hs[0], (hs[1][0], b"PrmHandler")]
    add("handler-name-prefix.efi", "EFI_NOT_FOUND", "PRM_HANDLER_NOT_EXPORTED", 1,
        "handler name 'PrmHandler' is only a prefix of the exports", image(descriptor(handlers=hp), ex))
    ex_hz = [e if e[0] != b"PrmHandler1" else (e[0], 0) for e in ex]
    add("handler-rva-zero.efi", "EFI_LOAD_ERROR", "PRM_HANDLER_RVA_ZERO", 1, "handler 1 export RVA 0",
        image(descriptor(handlers=hs), ex_hz))
    ex_hf = [e if e[0] != b"PrmHandler1" else (e[0], EDATA + 0x30) for e in ex]
    add("handler-forwarder.efi", "EFI_LOAD_ERROR", "PRM_HANDLER_FORWARDER", 1, "handler 1 export is a forwarder",
        image(descriptor(handlers=hs), ex_hf))
    ex_hd = [e if e[0] != b"PrmHandler1" else (e[0], RDATA + 0x700) for e in ex]
    add("handler-in-data.efi", "EFI_LOAD_ERROR", "PRM_HANDLER_NOT_CODE", 1, "handler 1 points into .rdata",
        image(descriptor(handlers=hs), ex_hd))
    ex_hh = [e if e[0] != b"PrmHandler0" else (e[0], 0x100) for e in ex]
    add("handler-in-headers.efi", "EFI_LOAD_ERROR", "PRM_HANDLER_NOT_CODE", 0, "handler 0 points into the headers",
        image(descriptor(handlers=hs), ex_hh))
    add("export-directory-truncated.efi", "EFI_LOAD_ERROR", "PE_EXPORT_DIR_SIZE", 20,
        "export directory size 20 (< 40): the PE layer's reason is kept",
        image(descriptor(handlers=hs), ex, export_size=20))
    return c


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(here, "..", "prm-malformed"))
    ap.add_argument("--seeds", default=os.path.join(here, "..", "prm"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    os.makedirs(a.seeds, exist_ok=True)
    manifest = []
    for file, status, reason, index, what, data in build_cases():
        d = a.seeds if file.startswith("seed-") else a.out
        with open(os.path.join(d, file), "wb") as fh:
            fh.write(data)
        manifest.append({"file": file, "dir": "prm" if d == a.seeds else "prm-malformed", "expect_status": status,
                         "expect_reason": reason, "expect_index": index, "what": what})
    with open(os.path.join(a.out, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=1)
        fh.write("\n")
    print("gen_prm_malformed: %d images" % len(manifest))


if __name__ == "__main__":
    main()
