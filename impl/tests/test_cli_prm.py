#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""CLI contract tests for `rtprm prm module|build|check` (docs/prm.md §7).

  test_cli_prm.py RTPRM CORPUS_DIR

Module listings are cross-checked against pefile's export table (when
python3-pefile is importable); built tables are walked here twice, the Linux
way (offset 60, stride Length, handler stride 44) and the ACPICA way
(ModuleInfoCount, sizeof strides), and both must give the same handlers."""
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_harness  # noqa: E402
from cli_harness import check, finish, run  # noqa: E402
import uuid

RTPRM, CORPUS = sys.argv[1], sys.argv[2]
cli_harness.RTPRM = RTPRM
PLATFORM = "C29BB610-84F9-448D-A7DD-5A04C5A54F52"

try:
    import pefile
except ImportError:  # pragma: no cover
    pefile = None




def seed(name):
    return os.path.join(CORPUS, "prm", name)


def linux_walk(t):
    out, off = [], 60
    while off + 4 < len(t):
        length, = struct.unpack_from("<H", t, off + 2)
        if length == 0:
            return None
        count, hoff = struct.unpack_from("<HI", t, off + 24)
        hs = [(str(uuid.UUID(bytes_le=t[off + hoff + 44 * j + 4:off + hoff + 44 * j + 20])),
               struct.unpack_from("<Q", t, off + hoff + 44 * j + 20)[0]) for j in range(max(count, 1))]
        out.append(hs)
        off += length
    return out


def acpica_walk(t):
    off, count = struct.unpack_from("<II", t, 52)
    out = []
    for _ in range(count):
        n, = struct.unpack_from("<H", t, off + 24)
        hs = [(str(uuid.UUID(bytes_le=t[off + 38 + 44 * j + 4:off + 38 + 44 * j + 20])),
               struct.unpack_from("<Q", t, off + 38 + 44 * j + 20)[0]) for j in range(n)]
        out.append(hs)
        off += 38 + 44 * n
    return out


SEEDS = ["seed-lld-x64-context.efi", "seed-lld-x64-mmio.efi", "seed-lld-aa64-context.efi",
         "seed-lld-aa64-mmio.efi", "seed-mingw-x64-prm.efi"]

with tempfile.TemporaryDirectory() as tmp:
    docs = {}
    for s in SEEDS:
        rc, out, err = run("prm", "module", seed(s), "--json")
        doc = json.loads(out) if rc == 0 else {}
        docs[s] = doc
        check(f"module {s} validates", rc == 0 and len(doc.get("handlers", [])) >= 2, err)
        if pefile and doc:
            pe = pefile.PE(seed(s), fast_load=False)
            exp = {e.name.decode(): e.address for e in pe.DIRECTORY_ENTRY_EXPORT.symbols if e.name}
            check(f"{s}: every handler RVA equals pefile's export address",
                  all(exp.get(h["name"]) == h["rva"] for h in doc["handlers"]), str(doc["handlers"]))
            check(f"{s}: version is Major/MinorImageVersion",
                  (doc["version"]["major"], doc["version"]["minor"]) ==
                  (pe.OPTIONAL_HEADER.MajorImageVersion, pe.OPTIONAL_HEADER.MinorImageVersion))
    check("x64 and AArch64 builds list the same handlers",
          [h["guid"] for h in docs[SEEDS[0]].get("handlers", [])] == [h["guid"] for h in docs[SEEDS[2]].get("handlers", [])]
          and docs[SEEDS[2]].get("machine") == "aa64")
    check("GNU ld module lists its two handlers",
          [h["name"] for h in docs[SEEDS[4]].get("handlers", [])] == ["GnuPrmHandlerOne", "GnuPrmHandlerTwo"])
    rc, out, err = run("prm", "module", seed(SEEDS[0]))
    check("text listing names handlers", rc == 0 and "PrmSampleCheckContext" in out and "version 1.0" in out, out)

    rc, out, err = run("prm", "module", os.path.join(CORPUS, "prm-malformed", "descriptor-name-prefix.efi"))
    check("prefix-named descriptor is rejected with the stable line",
          rc == 1 and "PRM_DESCRIPTOR_NOT_EXPORTED (0x0402)" in err and "[EFI_NOT_FOUND]" in err, err)
    rc, out, err = run("prm", "module", os.path.join(CORPUS, "prm-malformed", "handler-rva-zero.efi"))
    check("handler RVA 0 is rejected at its index", rc == 1 and "PRM_HANDLER_RVA_ZERO (0x0411) at 1:" in err, err)
    rc, out, err = run("prm", "module", seed(SEEDS[0]), "--platform-guid", "00000000-0000-0000-0000-000000000001")
    check("platform GUID mismatch exits 1", rc == 1 and "PRM_PLATFORM_GUID_MISMATCH" in err, err)
    rc, out, err = run("prm", "module")
    check("module without IMG exits 2", rc == 2, err)
    rc, out, err = run("prm", "frobnicate")
    check("unknown verb exits 2", rc == 2, err)

    prmt = os.path.join(tmp, "PRMT.bin")
    args = [f"{seed(s)}@{0x80000000 + i * 0x100000:#x}" for i, s in enumerate([SEEDS[0], SEEDS[1], SEEDS[4]])]
    rc, out, err = run("prm", "build", "--platform-guid", PLATFORM, "--oem-id", "RTPRM", "--oem-table-id", "PRMTEST",
                       *args, "-o", prmt)
    check("build exits 0", rc == 0, err)
    t = open(prmt, "rb").read() if rc == 0 else b""
    check("table signature, revision 0, checksum", t[:4] == b"PRMT" and t[8] == 0 and sum(t) % 256 == 0)
    check("OEM fields as given (space padded)", t[10:16] == b"RTPRM " and t[16:24] == b"PRMTEST ", repr(t[10:24]))
    lw, aw = linux_walk(t), acpica_walk(t)
    check("Linux and ACPICA walks agree (3 modules, 7 handlers)",
          lw == aw and len(lw) == 3 and sum(len(m) for m in lw) == 7, f"{lw} vs {aw}")
    want = [(h["guid"].lower(), 0x80000000 + i * 0x100000 + h["rva"])
            for i, s in enumerate([SEEDS[0], SEEDS[1], SEEDS[4]]) for h in docs[s]["handlers"]]
    check("handler addresses = load address + RVA", [h for m in lw for h in m] == want, f"{lw}")
    rc, out, err = run("prm", "check", prmt, "--json")
    doc = json.loads(out) if out else {}
    check("check --json: valid, walks agree", rc == 0 and doc.get("valid") and doc.get("walks_agree")
          and doc.get("linux_modules") == 3 and doc.get("acpica_modules") == 3, out[:300] + err)
    check("check --json lists module versions", [m["version"]["minor"] for m in doc.get("modules", [])] == [0, 2, 3])
    rc, out, err = run("prm", "check", prmt)
    check("check text says the walks agree", rc == 0 and "walks agree" in out, out)

    rc, out, err = run("prm", "build", "--platform-guid", PLATFORM, args[0], args[0], "-o", prmt + ".dup")
    check("the same module twice is rejected", rc == 1 and "PRM_MODULE_GUID_DUPLICATE" in err, err)
    rc, out, err = run("prm", "build", "--platform-guid", PLATFORM, "-o", prmt + ".empty")
    check("0 modules: no table by default", rc == 1 and "PRMT_NO_MODULES" in err, err)
    rc, out, err = run("prm", "build", "--platform-guid", PLATFORM, "--allow-empty", "-o", prmt + ".empty")
    rc2, out2, err2 = run("prm", "check", prmt + ".empty")
    check("--allow-empty builds the 60-byte table that checks", rc == 0 and rc2 == 0 and
          os.path.getsize(prmt + ".empty") == 60 and "0 modules" in out2, err + out2 + err2)
    rc, out, err = run("prm", "build", args[0], "-o", prmt + ".x")
    check("build without --platform-guid exits 2", rc == 2, err)
    rc, out, err = run("prm", "build", "--platform-guid", PLATFORM, seed(SEEDS[0]), "-o", prmt + ".x")
    check("IMG without @LOADADDR exits 2", rc == 2, err)
    rc, out, err = run("prm", "build", "--platform-guid", "not-a-guid", args[0], "-o", prmt + ".x")
    check("bad GUID exits 2", rc == 2, err)
    rc, out, err = run("prm", "build", "--platform-guid", PLATFORM, f"{seed(SEEDS[0])}@0xFFFFFFFFFFFFFFF0",
                       "-o", prmt + ".x")
    check("load address overflow exits 1", rc == 1 and "PRM_LOAD_ADDRESS" in err, err)

    bad = bytearray(t)
    bad[20] ^= 0xFF
    open(prmt + ".bad", "wb").write(bad)
    rc, out, err = run("prm", "check", prmt + ".bad")
    check("bad checksum exits 1", rc == 1 and "PRMT_CHECKSUM (0x0433)" in err and "[EFI_CRC_ERROR]" in err, err)
    rc, out, err = run("prm", "check", prmt + ".bad", "--json")
    doc = json.loads(out) if out else {}
    check("--json on a bad table says why", rc == 1 and doc.get("valid") is False and doc.get("reason") == "PRMT_CHECKSUM")
    pad = bytearray(t[:60 + 38 + 44 * 3]) + b"\0" * 4 + t[60 + 38 + 44 * 3:]
    struct.pack_into("<I", pad, 4, len(pad))
    struct.pack_into("<H", pad, 62, 38 + 44 * 3 + 4)
    pad[9] = 0
    pad[9] = (-sum(pad)) % 256
    open(prmt + ".pad", "wb").write(pad)
    rc, out, err = run("prm", "check", prmt + ".pad")
    check("padded module: Linux and ACPICA disagree", rc == 1 and "PRMT_WALK_DISAGREE" in err, err)
    rc, out, err = run("prm", "check", os.path.join(tmp, "missing.bin"))
    check("missing table exits 1", rc == 1, err)
    # A file longer than the table's Length: a finding, --strict refuses it.
    open(prmt + ".tail", "wb").write(t + b"\xAA" * 7)
    rc, out, err = run("prm", "check", prmt + ".tail")
    check("trailing file bytes: exit 0 with a warning",
          rc == 0 and f"rtprm: warning: {prmt}.tail: PRMT_BUFFER_TRAILING (0x0441) at {len(t)}:" in err, err)
    rc, out, err = run("prm", "check", prmt + ".tail", "--json")
    doc = json.loads(out) if out else {}
    check("--json lists the finding", rc == 0 and doc.get("valid") and
          [f["reason"] for f in doc.get("findings", [])] == ["PRMT_BUFFER_TRAILING"], out[:300])
    rc, out, err = run("prm", "check", prmt + ".tail", "--strict")
    check("--strict: trailing bytes exit 1", rc == 1 and "PRMT_BUFFER_TRAILING (0x0441)" in err and
          "warning" not in err, err)
    rc, out, err = run("prm", "check", prmt, "--strict")
    check("--strict: an exact table still checks", rc == 0 and err == "", err)
    rc, out, err = run("prm", "check", prmt, "--json")
    check("no findings: an empty list", rc == 0 and json.loads(out).get("findings") == [], out[:200])
    rc, out, err = run("help")
    check("help lists prm", rc == 0 and "prm check" in out, out)

sys.exit(finish())
