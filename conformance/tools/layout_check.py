#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Compile-time layout checks for every firmware and host target.

Compiles impl/base/layout.c (the _Static_asserts generated from
impl/include/rtprm/spec/layout.def by rtprm/spec/layout_asserts.h) with clang
-fsyntax-only for each target and writes <out>/layout-compile.json in the
conformance results format (producer "layout_check.py", group
"layout-compile"): one case per target, naming every layout requirement that
has a row checked on that target. A further case checks that layout.def, the
catalog (conformance/requirements/layout.json) and the run-time cases
(conformance/cases/layout_cases.c) name the same requirements.

  layout_check.py --source-dir DIR --out DIR [--clang clang-14]
  layout_check.py --source-dir DIR --self-test [--clang clang-14]

--self-test compiles once with -DRP_LAYOUT_SELFTEST_BREAK, which adds one
deliberately wrong row, and passes only if that compilation fails on that
row: proof that the assertions bite.

Exit status: 0 all passed; 1 a target failed, the files disagree or the
self-test did not see the expected failure; 2 usage or setup errors.
"""
import argparse
import json
import os
import re
import subprocess
import sys

# (case ID suffix, clang target, layout column)
TARGETS = [
    ("X64-WIN", "x86_64-unknown-windows", "64"),
    ("AA64-WIN", "aarch64-unknown-windows", "64"),
    ("IA32-WIN", "i686-unknown-windows", "ia32"),
    ("X64-LINUX", "x86_64-linux-gnu", "64"),
    ("AA64-LINUX", "aarch64-linux-gnu", "64"),
]

FLAGS = ["-fsyntax-only", "-ffreestanding", "-nostdlibinc", "-std=gnu11",
         "-Wall", "-Wextra", "-Werror", "-Wshadow", "-Wvla", "-Wstrict-prototypes",
         "-Wmissing-prototypes"]

ROW_RE = re.compile(
    r'^\s*RP_LAYOUT_(SIZE|OFFSET)\(\s*"([^"]+)"\s*,\s*(\w+)\s*,'
    r'(?:\s*([\w.\[\]]+)\s*,)?\s*(-?\d+)\s*,\s*(-?\d+)\s*\)\s*$')
CASE_RE = re.compile(r'LAYOUT_CASE\(\s*"(LAYOUT-C-\d+)"\s*,\s*"([^"]+)"')

SOURCE = os.path.join("impl", "base", "layout.c")
LAYOUT_DEF = os.path.join("impl", "include", "rtprm", "spec", "layout.def")
CATALOG = os.path.join("conformance", "requirements", "layout.json")
CASES = os.path.join("conformance", "cases", "layout_cases.c")


def parse_rows(path):
    """Rows of layout.def as (kind, req, type, member, v64, via32); raises on junk."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.lstrip().startswith("RP_LAYOUT_"):
                continue
            m = ROW_RE.match(line)
            if not m:
                raise ValueError(f"{path}:{n}: cannot parse row: {line.strip()}")
            kind, req, typ, member, v64, via32 = m.groups()
            if (kind == "OFFSET") != (member is not None):
                raise ValueError(f"{path}:{n}: wrong argument count for RP_LAYOUT_{kind}")
            rows.append((kind, req, typ, member, int(v64), int(via32)))
    return rows


def reqs_for(rows, column):
    seen = []
    for _, req, _, _, v64, via32 in rows:
        value = v64 if column == "64" else via32
        if value >= 0 and req not in seen:
            seen.append(req)
    return seen


def compile_once(clang, src_dir, target, extra):
    cmd = [clang, f"--target={target}"] + FLAGS + extra + [
        "-I", os.path.join(src_dir, "impl", "include"), os.path.join(src_dir, SOURCE)]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True, timeout=300)
    except FileNotFoundError:
        return None, f"compiler not found: {clang}", cmd
    except subprocess.TimeoutExpired:
        return 1, "compiler timed out after 300 s", cmd
    return p.returncode, p.stdout, cmd


def case(cid, reqs, title, ok, actual, message, where):
    return {"id": cid, "requirements": reqs, "title": title,
            "verdict": "pass" if ok else "fail",
            "expected": {"status": "compiles"}, "actual": {"status": actual},
            "where": where, "message": message}


def consistency_case(src_dir, rows):
    problems = []
    def_reqs = []
    for _, req, _, _, _, _ in rows:
        if req not in def_reqs:
            def_reqs.append(req)
    try:
        with open(os.path.join(src_dir, CATALOG), encoding="utf-8") as f:
            catalog = json.load(f)
        cat_reqs = [r["id"] for r in catalog.get("requirements", []) if not r.get("retired")]
        for r in catalog.get("requirements", []):
            if r.get("kind") != "layout":
                problems.append(f"{r.get('id')} in {CATALOG} is not kind 'layout'")
    except (OSError, ValueError, KeyError) as e:
        problems.append(f"cannot read {CATALOG}: {e}")
        cat_reqs = []
    try:
        with open(os.path.join(src_dir, CASES), encoding="utf-8") as f:
            case_pairs = CASE_RE.findall(f.read())
    except OSError as e:
        problems.append(f"cannot read {CASES}: {e}")
        case_pairs = []
    case_reqs = [req for _, req in case_pairs]
    case_ids = [cid for cid, _ in case_pairs]

    for req in def_reqs:
        if req not in cat_reqs:
            problems.append(f"layout.def row names {req}, which is not in {CATALOG}")
    for req in cat_reqs:
        if req not in def_reqs:
            problems.append(f"{req} has no row in layout.def")
        if req not in case_reqs:
            problems.append(f"{req} has no case in layout_cases.c")
    for req in case_reqs:
        if req not in cat_reqs:
            problems.append(f"layout_cases.c checks {req}, which is not in {CATALOG}")
    dups = sorted({c for c in case_ids if case_ids.count(c) > 1})
    if dups:
        problems.append("duplicate case IDs in layout_cases.c: " + ", ".join(dups))
    ok = not problems
    return case("LAYOUT-COMPILE-CATALOG", cat_reqs,
                "layout.def, requirements/layout.json and layout_cases.c name the same requirements",
                ok, "consistent" if ok else "inconsistent", "; ".join(problems), None), ok


def run_checks(args, rows):
    cases, all_ok = [], True
    for suffix, target, column in TARGETS:
        rc, out, cmd = compile_once(args.clang, args.source_dir, target, [])
        if rc is None:
            print(f"layout_check: {out}", file=sys.stderr)
            return None
        ok = rc == 0
        all_ok &= ok
        n = sum(1 for r in rows if (r[4] if column == "64" else r[5]) >= 0)
        title = f"layout.def static asserts compile for {target} ({n} rows, {column} column)"
        message = "" if ok else (out.strip() or f"exit code {rc}")[:8000]
        cases.append(case(f"LAYOUT-COMPILE-{suffix}", reqs_for(rows, column), title, ok,
                          "compiles" if ok else "fails", message, SOURCE.replace(os.sep, "/")))
        print(f"{'PASS' if ok else 'FAIL'} LAYOUT-COMPILE-{suffix}: {target}")
        if not ok:
            print("  " + " ".join(cmd), file=sys.stderr)
            print(out, file=sys.stderr)
    c, ok = consistency_case(args.source_dir, rows)
    all_ok &= ok
    cases.append(c)
    print(f"{'PASS' if ok else 'FAIL'} LAYOUT-COMPILE-CATALOG" + ("" if ok else f": {c['message']}"))
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "layout-compile.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"producer": "layout_check.py", "group": "layout-compile", "cases": cases}, f, indent=1)
        f.write("\n")
    print(f"layout_check: {len(rows)} rows, {len(cases)} cases -> {path}")
    return all_ok


def self_test(args):
    # i686 exercises the IA32 column, x86_64 the 64 column: both must bite.
    ok = True
    for target in ("x86_64-unknown-windows", "i686-unknown-windows"):
        rc, out, _ = compile_once(args.clang, args.source_dir, target, ["-DRP_LAYOUT_SELFTEST_BREAK"])
        if rc is None:
            print(f"layout_check: {out}", file=sys.stderr)
            return None
        bit = rc != 0 and "LAYOUT-SELFTEST" in out
        other = [ln for ln in out.splitlines() if "error:" in ln and "LAYOUT-SELFTEST" not in ln]
        if other:
            bit = False
        ok &= bit
        if bit:
            print(f"PASS self-test {target}: the deliberately wrong row failed to compile")
        elif rc == 0:
            print(f"FAIL self-test {target}: the deliberately wrong row compiled (the asserts do not bite)")
        else:
            print(f"FAIL self-test {target}: compilation failed for another reason:\n{out}")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source-dir", required=True, help="repository root")
    ap.add_argument("--out", help="directory for layout-compile.json (required unless --self-test)")
    ap.add_argument("--clang", default="clang-14", help="clang driver to use (default clang-14)")
    ap.add_argument("--self-test", action="store_true", help="prove that a wrong row breaks the build")
    args = ap.parse_args()
    if not args.self_test and not args.out:
        ap.error("--out is required unless --self-test is given")
    try:
        rows = parse_rows(os.path.join(args.source_dir, LAYOUT_DEF))
    except (OSError, ValueError) as e:
        print(f"layout_check: {e}", file=sys.stderr)
        return 2
    if not rows:
        print(f"layout_check: no rows in {LAYOUT_DEF}", file=sys.stderr)
        return 2
    result = self_test(args) if args.self_test else run_checks(args, rows)
    if result is None:
        return 2
    return 0 if result else 1


if __name__ == "__main__":
    sys.exit(main())
