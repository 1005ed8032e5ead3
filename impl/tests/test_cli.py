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

    # PE findings (docs/pecoff.md §1): warnings with exit 0; --strict rejects.
    mal = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "corpus", "pe-malformed")
    base = os.path.join(mal, "imagebase-misaligned.efi")
    out_img = os.path.join(tmp, "m.bin")
    rc, out, err = run("pe", "map", base, "--base", "0x20000000", "-o", out_img)
    check("a finding is a warning line, exit 0",
          rc == 0 and f"rtprm: warning: {base}: PE_IMAGE_BASE_ALIGN (0x020D): " in err, err)
    rc, out, err = run("pe", "map", base, "--base", "0x20000000", "-o", out_img, "--strict")
    check("--strict: the finding is the one-line rejection",
          rc == 1 and err.startswith(f"rtprm: {base}: PE_IMAGE_BASE_ALIGN (0x020D): ") and "[EFI_LOAD_ERROR]" in err
          and "warning" not in err, err)
    rc, out, err = run("pe", "info", base, "--json")
    doc = json.loads(out) if rc == 0 else {}
    check("info --json lists findings, format and profile",
          doc.get("format") == "pe" and doc.get("te") is None and doc.get("profile") == "compat" and
          doc.get("findings") == [{"reason": "PE_IMAGE_BASE_ALIGN", "code": 0x20D, "index": None,
                                   "text": "ImageBase is not a multiple of SectionAlignment"}], out[-400:])
    absent = os.path.join(mal, "reloc-dir-absent-must-move.efi")
    rc, out, err = run("pe", "rerelocate", absent, "--base", "0x20000000", "--runtime-base", "0x30000000",
                       "-o", out_img, "--json")
    doc = json.loads(out) if rc == 0 else {}
    check("rerelocate: moved without fixups, the finding once",
          rc == 0 and [f["reason"] for f in doc.get("findings", [])] == ["PE_RELOCS_ABSENT"] and
          err.count("PE_RELOCS_ABSENT") == 1, out + err)
    rc, out, err = run("pe", "rerelocate", absent, "--base", "0x20000000", "--runtime-base", "0x30000000",
                       "-o", out_img, "--strict")
    check("rerelocate --strict refuses the move", rc == 1 and "PE_RELOCS_ABSENT (0x024D)" in err, err)
    te = os.path.join(mal, "te-signature.efi")
    rc, out, err = run("pe", "info", te, "--json")
    doc = json.loads(out) if rc == 0 else {}
    check("info on a TE image", rc == 0 and doc.get("format") == "te" and
          doc.get("te") == {"stripped_size": 0x148, "adjust": 0x120} and doc.get("section_alignment") == 0, out[-300:])
    rc, out, err = run("pe", "info", te)
    check("info text names the TE header", rc == 0 and "TE (StrippedSize 0x148" in out, out)
    rc, out, err = run("prm", "module", te)
    check("a TE image is not a PRM module (exit 1, a reason)", rc == 1 and "PRM_DESCRIPTOR_NOT_EXPORTED" in err, err)
    sec = os.path.join(mal, "section-va-unaligned.efi")
    rc, out, err = run("prm", "module", sec, "--strict")
    check("prm module --strict refuses a PE finding first", rc == 1 and "PE_SECTION_ALIGN" in err, err)
    rc, out, err = run("pe", "map", os.path.join(mal, "te-moves-half-page.efi"), "--base", "0x180000000", "-o", out_img)
    check("a TE image moves by whole pages", rc == 1 and "PE_NEW_BASE" in err, err)

sys.exit(finish())
