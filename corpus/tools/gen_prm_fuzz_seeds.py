#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Seeds for the PRM fuzz targets (fuzz/fuzz_prm_module.c, fuzz_prmt_build.c,
fuzz_prmt_check.c), written to corpus/<target>/.

  gen_prm_fuzz_seeds.py [--corpus corpus]

prm_module   the PRM module images of corpus/prm/ and a few of
             corpus/prm-malformed/, plus copies with a trailer that turns on
             the platform-GUID check (options bit 0)
prmt_build   encoded module sets (format in fuzz_prmt_build.c): valid sets,
             0 modules with/without allow_empty, each rejection, the u16
             limit (1488 / 1489+ handlers)
prmt_check   PRMTs built here (same layout as rp_prmt_build) and one
             mutation per checker rule, with and without the checksum fix-up
             option
Deterministic, standard library only.
"""
import argparse
import os
import shutil
import struct
import uuid

TRAILER = struct.Struct("<IQ")


def trailer(options=0, mask=0):
    return TRAILER.pack(options, mask)


def prmt(modules, platform=uuid.UUID("c29bb610-84f9-448d-a7dd-5a04c5a54f52")):
    """modules: [(guid, major, minor, mmio, [(guid, addr, static, param)])]"""
    body = b""
    for g, ma, mi, mmio, hs in modules:
        body += struct.pack("<HH", 0, 38 + 44 * len(hs)) + g.bytes_le + struct.pack("<HHHIQ", ma, mi, len(hs), 38, mmio)
        for hg, a, s, p in hs:
            body += struct.pack("<HH", 0, 44) + hg.bytes_le + struct.pack("<QQQ", a, s, p)
    t = bytearray(b"PRMT" + struct.pack("<IBB", 60 + len(body), 0, 0) + b"RTPRM " + b"RTPRMPRM" +
                  struct.pack("<III", 1, 0x4D505452, 1) + platform.bytes_le + struct.pack("<II", 60, len(modules)) + body)
    t[9] = (-sum(t)) % 256
    return bytes(t)


def fix(t):
    t = bytearray(t)
    t[9] = 0
    t[9] = (-sum(t)) % 256
    return bytes(t)


def patch(t, off, fmt, val):
    t = bytearray(t)
    struct.pack_into(fmt, t, off, val)
    return fix(t)


def g(n):
    return uuid.UUID(int=(0x1000 + n) << 64 | 0x4000 << 48 | n)


def table(nm, nh):
    return prmt([(g(100 + i), 1, i, 0xFED00000 if i == 0 else 0,
                  [(g(1000 + 16 * i + j), 0x80000000 + 0x10000 * i + 0x40 * j, 0x90000000 if j == 0 else 0,
                    0xA0000000 if j == 1 else 0) for j in range(nh)]) for i in range(nm)])


def check_seeds():
    s = {}
    t = table(2, 3)
    s["seed-2x3"] = t
    s["seed-4x1"] = table(4, 1)
    s["seed-1x8"] = table(1, 8)
    s["seed-empty"] = prmt([])
    s["seed-padded-dump"] = t + b"\0" * 16
    s["bad-checksum"] = bytes([*t[:20], t[20] ^ 1, *t[21:]])
    s["bad-signature"] = patch(t, 0, "<I", 0x444D5250)
    s["bad-revision"] = patch(t, 8, "<B", 1)
    s["bad-length-short"] = patch(t, 4, "<I", 59)
    s["bad-module-offset-56"] = patch(t, 52, "<I", 56)
    s["bad-module-count"] = patch(t, 56, "<I", 3)
    s["bad-module-length"] = patch(t, 62, "<H", 100)
    s["bad-handler-offset"] = patch(t, 86, "<I", 42)
    s["bad-handler-count-0"] = patch(t, 84, "<H", 0)
    s["bad-handler-length"] = patch(t, 100, "<H", 48)
    s["bad-handler-address-0"] = patch(t, 118, "<Q", 0)
    s["bad-trailing"] = patch(t + b"\0" * 8, 4, "<I", len(t) + 8)
    pad = bytearray(t[:60 + 38 + 132] + b"\0" * 4 + t[60 + 38 + 132:])
    struct.pack_into("<I", pad, 4, len(pad))
    struct.pack_into("<H", pad, 62, 38 + 132 + 4)
    s["walk-disagree-padded-module"] = fix(pad)
    off = bytearray(t[:60] + b"\0" * 4 + t[60:])
    struct.pack_into("<I", off, 4, len(off))
    struct.pack_into("<I", off, 52, 64)
    s["walk-disagree-offset-64"] = fix(off)
    dup = bytearray(t)
    dup[60 + 170 + 4:60 + 170 + 20] = dup[64:80]
    s["dup-module-guid"] = fix(dup)
    out = {}
    for k, v in s.items():
        out[k] = v
        out[k + "-fixsum"] = v + trailer(2)
    out["seed-2x3-nullinfo-allocfail"] = t + trailer(1, 0x3)
    return out


def build_seeds():
    def mod(guid, hs, major=1, minor=0, mmio=0):
        return bytes([guid, len(hs), major, minor, mmio]) + b"".join(bytes(h) for h in hs)

    def hs(n, base=1):
        return [(base + i, 1 + i, i, 0) for i in range(n)]

    s = {}
    s["seed-one-module"] = bytes([0, 1]) + mod(1, hs(2))
    s["seed-three-modules"] = bytes([0, 3]) + mod(1, hs(3, 1)) + mod(2, hs(4, 10), 2, 1, 9) + mod(3, hs(1, 20))
    s["seed-eight-modules"] = bytes([0, 8]) + b"".join(mod(i + 1, hs(2, 1 + 2 * i)) for i in range(8))
    s["zero-modules"] = bytes([0, 0])
    s["zero-modules-allow-empty"] = bytes([1, 0])
    s["dup-module-guid"] = bytes([0, 2]) + mod(1, hs(1, 1)) + mod(1, hs(1, 5))
    s["dup-handler-guid"] = bytes([0, 2]) + mod(1, hs(2, 1)) + mod(2, hs(2, 2))
    s["handler-guid-zero"] = bytes([0, 1]) + mod(1, [(0, 1, 0, 0)])
    s["handler-address-zero"] = bytes([0, 1]) + mod(1, [(1, 0, 0, 0)])
    s["module-guid-zero"] = bytes([0, 1]) + mod(0, hs(1))
    s["handler-count-zero"] = bytes([0, 1]) + mod(1, [])
    s["u16-limit-1488"] = bytes([2, 1]) + mod(1, hs(0)) + bytes([8])
    s["u16-limit-1489"] = bytes([2, 1]) + mod(1, hs(0)) + bytes([9])
    out = dict(s)
    out["seed-three-modules-allocfail"] = s["seed-three-modules"] + trailer(0, 0x5)
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(here, ".."))
    a = ap.parse_args()
    c = os.path.abspath(a.corpus)
    for target, seeds in (("prmt_check", check_seeds()), ("prmt_build", build_seeds())):
        d = os.path.join(c, target)
        os.makedirs(d, exist_ok=True)
        for name, data in sorted(seeds.items()):
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        print("gen_prm_fuzz_seeds: %s: %d seeds" % (target, len(seeds)))
    d = os.path.join(c, "prm_module")
    os.makedirs(d, exist_ok=True)
    n = 0
    for src in sorted(os.listdir(os.path.join(c, "prm"))):
        if not src.endswith(".efi"):
            continue
        data = open(os.path.join(c, "prm", src), "rb").read()
        stem = src[:-4]
        open(os.path.join(d, stem), "wb").write(data)
        open(os.path.join(d, stem + "-platform"), "wb").write(data + trailer(1))
        n += 2
    for src in ("descriptor-name-prefix.efi", "handler-not-exported.efi", "handler-in-data.efi",
                "handler-name-unterminated.efi", "descriptor-handlers-outside.efi"):
        shutil.copyfile(os.path.join(c, "prm-malformed", src), os.path.join(d, src[:-4]))
        n += 1
    print("gen_prm_fuzz_seeds: prm_module: %d seeds" % n)


if __name__ == "__main__":
    main()
