#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Seeds for the "runtime_lists" and "svam" fuzz targets, from readable rows.

runtime_lists (fuzz/fuzz_runtime_lists.c): u8 images, u8 events, u16 slot
rotation, one flag byte per node (bits 0-2 offset in its slot in 8-byte steps; events:
bit 3 VA-change type, bit 4 NULL NotifyFunction), 4-byte link edits
(what: bit 0 BackLink, bit 1 the head; node (bit 7: image list); target kind
(low 3 bits: 0 node, 1 own head, 2 other head, 3 NULL, 4 place in R,
5 boot-services data, 6 runtime code, 7 low address; high 5 bits its offset);
argument), then the 12-byte trailer (u32 options: bit 0 AtRuntime FALSE;
u64 allocation-failure mask).

svam (fuzz/fuzz_svam.c): a 25-byte header (flags, stride/version, events,
event types, convert mask, 8 map edits), a PE file from corpus/pe, trailer.

Run from the repository root: corpus/tools/gen_runtime_seeds.py
"""
import argparse
import os
import struct

VAC, NULLFN = 0x08, 0x10
IMG = 0x80  # node byte: address the image list's node / head


def trailer(options=0, fail_mask=0):
    return struct.pack("<IQ", options, fail_mask)


def lists(n_img, n_evt, flags, edits=(), rot=0, options=0, fail=0):
    body = bytes([n_img, n_evt]) + struct.pack("<H", rot) + bytes(flags)
    for what, who, kind, arg in edits:
        body += bytes([what, who, kind, arg])
    return body + trailer(options, fail)


def kind(k, off=0):
    return k | (off << 3)


LIST_SEEDS = {
    "seed-empty": lists(0, 0, []),
    "seed-events-only": lists(0, 6, [VAC, 0, VAC, VAC | 3, 0, VAC]),
    "seed-images-and-events": lists(3, 5, [0, 0, 0, VAC, 0, VAC, 0, VAC], rot=250),
    "seed-notify-null": lists(0, 3, [VAC, VAC | NULLFN, VAC]),
    "seed-notify-null-plain": lists(0, 2, [NULLFN, VAC]),
    "seed-at-runtime-false": lists(0, 2, [VAC, VAC], options=1),
    "seed-alloc-fail-first": lists(0, 2, [VAC, VAC], fail=1),
    "seed-alloc-fail-state": lists(0, 2, [VAC, VAC], fail=1 << 4),
    # corruptions: (what, who, target kind, arg)
    "seed-backlink": lists(0, 4, [VAC] * 4, [(1, 2, kind(0), 0)]),
    "seed-cycle": lists(0, 4, [VAC] * 4, [(0, 2, kind(0), 0)]),
    "seed-self-loop": lists(2, 0, [0, 0], [(0, 0, kind(0), 0)]),
    "seed-null-forward": lists(0, 3, [VAC] * 3, [(0, 1, kind(3), 0)]),
    "seed-head-null": lists(0, 3, [VAC] * 3, [(2, 0, kind(3), 0)]),
    "seed-slot-offsets": lists(0, 3, [VAC, VAC | 4, VAC | 7]),
    "seed-unaligned": lists(0, 3, [VAC] * 3, [(0, 0, kind(4, 1), 0)]),
    "seed-into-r": lists(0, 3, [VAC] * 3, [(0, 0, kind(4, 3), 7)]),
    "seed-into-boot": lists(0, 3, [VAC] * 3, [(0, 0, kind(5, 2), 0)]),
    "seed-into-code": lists(0, 3, [VAC] * 3, [(0, 1, kind(6, 1), 0)]),
    "seed-low-address": lists(2, 0, [0, 0], [(0, IMG | 0, kind(7, 2), 0)]),
    "seed-tail": lists(0, 3, [VAC] * 3, [(3, 0, kind(0), 0)]),
    "seed-empty-tail": lists(0, 0, [], [(3, 0, kind(2), 0)]),
    "seed-cross-list": lists(2, 2, [0, 0, VAC, VAC], [(0, 0, kind(0), 3)]),
    "seed-slot-end": lists(0, 2, [VAC | 7, VAC], rot=255),
}

# svam header: flags, stride/version, n events, 4 type bytes, 2 convert-mask bytes, 8 edits
REC, XEN, CONTIG, SPLIT2, TWICE, EARLY, NOTRT, AGAIN = (1 << i for i in range(8))


def svam(flags, stride=0, n_ev=4, types=0, conv=0xFFFF, edits=(), options=0, fail=0):
    e = list(edits) + [(0, 0)] * (8 - len(edits))
    hdr = bytes([flags, stride, n_ev]) + struct.pack("<IH", types, conv)
    for a, v in e:
        hdr += bytes([a, v])
    assert len(hdr) == 25
    return hdr, trailer(options, fail)


def ev_types(*sel):
    t = 0
    for i, s in enumerate(sel):
        t |= s << (2 * i)
    return t


MIXED = ev_types(0, 1, 2, 3, 0, 1)
SVAM_SEEDS = [
    ("seed-relocheavy-linux", "seed-lld-x64-relocheavy.efi", svam(REC | AGAIN, n_ev=6, types=MIXED)),
    ("seed-relocheavy-edk2-nomap", "seed-lld-x64-relocheavy.efi", svam(AGAIN, n_ev=2)),
    ("seed-relocheavy-xen-64", "seed-lld-x64-relocheavy.efi", svam(REC | XEN, stride=3, n_ev=3, types=MIXED)),
    ("seed-relocheavy-split-contig", "seed-lld-x64-relocheavy.efi", svam(REC | CONTIG, n_ev=1)),
    ("seed-relocheavy-split-apart", "seed-lld-x64-relocheavy.efi", svam(REC | SPLIT2, n_ev=1)),
    ("seed-relocheavy-early-twice", "seed-lld-x64-relocheavy.efi", svam(REC | EARLY | TWICE, n_ev=10, types=MIXED)),
    ("seed-relocheavy-not-runtime", "seed-lld-x64-relocheavy.efi", svam(REC | NOTRT)),
    ("seed-relocheavy-version2", "seed-lld-x64-relocheavy.efi", svam(REC, stride=4)),
    ("seed-relocheavy-stride40", "seed-lld-x64-relocheavy.efi", svam(REC, stride=1)),
    ("seed-relocheavy-va-unaligned", "seed-lld-x64-relocheavy.efi", svam(REC, edits=[(0x21, 0x10)])),
    ("seed-relocheavy-omit-mmio", "seed-lld-x64-relocheavy.efi", svam(REC, edits=[(0x53, 0)])),
    ("seed-relocheavy-grow-data", "seed-lld-x64-relocheavy.efi", svam(REC, edits=[(0x31, 1)])),
    ("seed-relocheavy-va-overlap", "seed-lld-x64-relocheavy.efi", svam(REC, edits=[(0x81, 0)])),
    ("seed-relocheavy-not-runtime-code", "seed-lld-x64-relocheavy.efi", svam(0, edits=[(0x60, 0)])),
    ("seed-relocheavy-shift-va", "seed-lld-x64-relocheavy.efi", svam(REC, edits=[(0x10, 16), (0x11, 3)])),
    ("seed-relocheavy-alloc-fail", "seed-lld-x64-relocheavy.efi", svam(REC, fail=1 << 3)),
    ("seed-hello", "seed-lld-x64-hello.efi", svam(REC | AGAIN, n_ev=2, types=ev_types(0, 1))),
    ("seed-rtdriver", "seed-mingw-x64-rtdriver.efi", svam(REC | TWICE, n_ev=2)),
    ("seed-aa64-relocheavy", "seed-lld-aa64-relocheavy.efi", svam(REC, n_ev=1)),
    ("seed-aa64-relocheavy-4k-shift", "seed-lld-aa64-relocheavy.efi", svam(REC, edits=[(0x10, 1)])),
    ("seed-highlow", "seed-mingw-x64-highlow.efi", svam(REC, n_ev=1)),
    ("seed-reloc-last-qword", "seed-gen-x64-reloc-last-qword.efi", svam(REC | XEN, n_ev=1)),
    ("seed-ia32-minimal", "seed-gen-ia32-minimal.efi", svam(REC, n_ev=1)),
]


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="corpus")
    a = ap.parse_args()
    out = os.path.join(a.corpus, "runtime_lists")
    os.makedirs(out, exist_ok=True)
    for name, data in LIST_SEEDS.items():
        write(os.path.join(out, name), data)
    out = os.path.join(a.corpus, "svam")
    os.makedirs(out, exist_ok=True)
    for name, pe, (hdr, tail) in SVAM_SEEDS:
        with open(os.path.join(a.corpus, "pe", pe), "rb") as f:
            write(os.path.join(out, name), hdr + f.read() + tail)
    print(f"{len(LIST_SEEDS)} runtime_lists seeds, {len(SVAM_SEEDS)} svam seeds")


if __name__ == "__main__":
    main()
