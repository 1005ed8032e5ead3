#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""CLI contract tests for rtprm: exit codes (0 ok, 1 invalid input, 2 usage)
and the stable one-line rejection format on stderr."""
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_harness  # noqa: E402
from cli_harness import check, finish, run  # noqa: E402

RTPRM = sys.argv[1]
cli_harness.RTPRM = RTPRM




def desc(t, phys, virt, pages, attr, stride=48):
    d = struct.pack("<IIQQQQ", t, 0, phys, virt, pages, attr)
    return d + b"\0" * (stride - len(d))


with tempfile.TemporaryDirectory() as tmp:
    good = os.path.join(tmp, "good.bin")
    with open(good, "wb") as f:
        f.write(desc(5, 0x200000, 0xFFFF800000200000, 8, 1 << 63) + desc(7, 0x300000, 0, 16, 8))
    bad = os.path.join(tmp, "bad.bin")
    with open(bad, "wb") as f:
        f.write(desc(5, 0x200000, 0, 8, 1 << 63) + desc(7, 0x204000, 0, 16, 8))

    rc, out, err = run("memmap", "validate", good, "--desc-size", "48")
    check("valid map exits 0", rc == 0 and "2 descriptors" in out, out + err)
    rc, out, err = run("memmap", "validate", good, "--desc-size", "48", "--json")
    doc = json.loads(out) if rc == 0 else {}
    check("--json is parseable with counts", doc.get("runtime") == 1 and doc.get("runtime_pages") == 8, out)
    rc, out, err = run("memmap", "validate", bad, "--desc-size", "48")
    check("overlap exits 1 with the stable reason line",
          rc == 1 and "MEMMAP_PHYS_OVERLAP (0x010B) at 1:" in err and "[EFI_INVALID_PARAMETER]" in err, err)
    rc, out, err = run("memmap", "validate", good, "--desc-size", "48", "--version", "2")
    check("bad version exits 1", rc == 1 and "MEMMAP_VERSION" in err, err)
    rc, out, err = run("memmap", "validate", good, "--desc-size", "48", "--map-size", "4800")
    check("map size past the file exits 1", rc == 1 and "MEMMAP_SIZE_EXCEEDS_BUF" in err, err)
    rc, out, err = run("memmap", "validate", good)
    check("missing --desc-size exits 2", rc == 2, err)
    rc, out, err = run("memmap", "validate", good, "--desc-size", "forty")
    check("malformed number exits 2", rc == 2, err)
    rc, out, err = run("memmap", "validate", os.path.join(tmp, "missing.bin"), "--desc-size", "48")
    check("unreadable file exits 1", rc == 1, err)
    rc, out, err = run("no-such-command")
    check("unknown command exits 2", rc == 2, err)
    rc, out, err = run("crc32", good)
    check("crc32 prints 8 hex digits", rc == 0 and len(out.split()[0]) == 8, out)
    rc, out, err = run("memmap", "validate", good, "--desc-size", "48", "--version", "0x100000000")
    check("--version past 32 bits exits 2", rc == 2, err)
    rc, out, err = run("memmap", "validate", good, "--desc-size", "48", "--map-size", "-1")
    check("negative --map-size exits 2", rc == 2, err)
    rc, out, err = run("memmap", "validate", good, "--desc-size", "48", "--bogus")
    check("unknown option exits 2", rc == 2, err)
    rc, out, err = run("memmap", "frobnicate", good)
    check("unknown memmap verb exits 2", rc == 2, err)
    big = os.path.join(tmp, "big.bin")
    with open(big, "wb") as f:  # 3 x 64 KiB: the reader grows its buffer
        for i in range(4096):
            f.write(desc(7, i * 0x1000, 0, 1, 8))
    rc, out, err = run("memmap", "validate", big, "--desc-size", "48", "--runtime-only", "--virtual")
    check("a 4096-descriptor map (192 KiB file) validates", rc == 0 and "4096 descriptors (0 checked)" in out, out + err)
    rc, out, err = run("crc32")
    check("crc32 without a file exits 2", rc == 2, err)
    rc, out, err = run("crc32", os.path.join(tmp, "missing.bin"))
    check("crc32 of a missing file exits 1", rc == 1, err)
    rc, out, err = run("version")
    check("version prints the project version", rc == 0 and out.startswith("rtprm "), out)
    rc, out, err = run("help")
    check("help lists every command", rc == 0 and all(c in out for c in ("memmap", "crc32", "reasons")), out)
    rc, out, err = run()
    check("no command prints help and exits 2", rc == 2 and "usage" in out, out)
    rc, out, err = run("reasons")
    check("reasons text lists codes", rc == 0 and "0x0101  MEMMAP_NULL" in out, out[:200])
    rc, out, err = run("reasons", "--json")
    names = {r["name"]: r["code"] for r in json.loads(out)} if rc == 0 else {}
    check("reasons --json lists stable codes", names.get("MEMMAP_NULL") == 0x101, out[:200])
    check("reason codes are unique", len(set(names.values())) == len(names), "duplicate code")

sys.exit(finish())
