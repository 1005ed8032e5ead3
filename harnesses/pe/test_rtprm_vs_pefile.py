#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Differential test of `rtprm pe` against the pefile reference (pefile_map.py).

For every seed in corpus/pe/:
  * `rtprm pe map --base B` is byte-identical to pefile_map.py at three bases;
  * `rtprm pe rerelocate --base A --runtime-base B` (EDK II and native records)
    is byte-identical to a direct map at B, with 0 skipped sites;
  * `rtprm pe info --json` agrees with `pefile_map.py --info --json` on every
    key both print.
For every class in corpus/pe-malformed/manifest.json: rtprm exits 1 with the
expected reason at the class's stage (relocate classes through `pe map` to the
class's new base), or 0 where the manifest expects acceptance, printing each
expected finding as a warning; with --strict, a class with findings exits 1
with its strict reason.
Prints 'N passed, M failed'; exit 1 on any failure.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

RTPRM, ROOT = sys.argv[1], sys.argv[2]
PEFILE_MAP = os.path.join(ROOT, "harnesses", "pe", "pefile_map.py")
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def bases_for(info):
    align = max(info["section_alignment"], 0x10000)
    low, mid = 0x10000000, 0x7FF00000  # both below 4 GiB: valid for PE32 too
    bases = [info["image_base"], low, mid]
    if info["pe32plus"]:
        bases[2] = 0xFFFF800012340000 - (0xFFFF800012340000 % align)
    return bases


def compare_info(seed, ours, ref):
    for key, value in ref.items():
        if key in ("schema",) or key not in ours:
            continue
        if key == "exports" and value and ours[key]:
            for k, v in value.items():
                if k in ours[key]:
                    check(f"{seed}: info exports.{k}", ours[key][k] == v, f"rtprm {ours[key][k]!r} pefile {v!r}")
            continue
        check(f"{seed}: info {key}", ours[key] == value, f"rtprm {ours[key]!r} pefile {value!r}")


with tempfile.TemporaryDirectory() as tmp:
    for seed in sorted(glob.glob(os.path.join(ROOT, "corpus", "pe", "seed-*"))):
        name = os.path.basename(seed)
        ours = run([RTPRM, "pe", "info", seed, "--json"])
        ref = run([PEFILE_MAP, seed, "--info", "--json"])
        check(f"{name}: info exits 0", ours.returncode == 0 and ref.returncode == 0, ours.stderr + ref.stderr)
        if ours.returncode or ref.returncode:
            continue
        info = json.loads(ours.stdout)
        compare_info(name, info, json.loads(ref.stdout))
        bases = bases_for(info)
        for base in bases:
            a, b = os.path.join(tmp, "ours.bin"), os.path.join(tmp, "ref.bin")
            r1 = run([RTPRM, "pe", "map", seed, "--base", hex(base), "-o", a])
            r2 = run([PEFILE_MAP, seed, "--base", hex(base), "-o", b])
            same = r1.returncode == 0 and r2.returncode == 0 and open(a, "rb").read() == open(b, "rb").read()
            check(f"{name}: map at {base:#x} equals pefile", same, r1.stderr + r2.stderr)
        direct = os.path.join(tmp, "direct.bin")
        run([RTPRM, "pe", "map", seed, "--base", hex(bases[2]), "-o", direct])
        for fmt in ("edk2", "native"):
            out = os.path.join(tmp, f"rr-{fmt}.bin")
            r = run([RTPRM, "pe", "rerelocate", seed, "--base", hex(bases[1]), "--runtime-base", hex(bases[2]),
                     "--format", fmt, "--json", "-o", out])
            ok = r.returncode == 0 and open(out, "rb").read() == open(direct, "rb").read()
            stats = json.loads(r.stdout) if r.returncode == 0 else {}
            check(f"{name}: rerelocate ({fmt}) equals a direct map", ok and stats.get("skipped") == 0, r.stdout + r.stderr)

    # Malformed classes: the manifest names the stage and the expected reason
    # under the default (COMPAT) profile and, for findings, under --strict.
    manifest = json.load(open(os.path.join(ROOT, "corpus", "pe-malformed", "manifest.json")))
    for row in manifest["classes"] if isinstance(manifest, dict) else manifest:
        path = os.path.join(ROOT, "corpus", "pe-malformed", row["file"])
        want = row.get("expect_reason")

        def cli(*extra):
            if row["stage"] == "relocate":
                return run([RTPRM, "pe", "map", path, "--base", row["new_base"], "-o", os.path.join(tmp, "bad.bin")]
                           + list(extra))
            return run([RTPRM, "pe", "info", path] + list(extra))

        r = cli()
        strict = row.get("expect_reason_strict")
        if strict:
            s = cli("--strict")
            check(f"{row['file']}: --strict exits 1 with {strict}", s.returncode == 1 and f": {strict} (0x" in s.stderr,
                  f"rc={s.returncode} {s.stderr.strip()}")
        for finding in row.get("expect_findings", []):
            check(f"{row['file']}: warning {finding}", f"rtprm: warning: {path}: {finding} (0x" in r.stderr, r.stderr)
        if want in (None, "NONE"):
            check(f"{row['file']}: accepted", r.returncode == 0, r.stderr)
        elif row["stage"] == "exports" and want == "PE_EXPORT_NONE":
            check(f"{row['file']}: no exports listed", r.returncode == 0 and "exports:" not in r.stdout, r.stdout)
        else:
            check(f"{row['file']}: exit 1 with {want}", r.returncode == 1 and f": {want} (0x" in r.stderr,
                  f"rc={r.returncode} {r.stderr.strip()}")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
