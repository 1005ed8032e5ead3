#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Gate self-test: tools/gate.py must pass at the real thresholds and fail,
naming exactly the figure that fell short in a one-screen summary, when any
one threshold is moved just past its measured value (and name all of them
when every threshold is).

  test_gate.py                  against a synthetic reports/ fixture (ctest, label unit)
  test_gate.py --reports DIR    against real evidence (step of make evidence, after make gate)
"""
import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GATE = os.path.join(ROOT, "tools", "gate.py")
REAL = os.path.join(ROOT, "gate", "thresholds.json")
SCREEN_LINES, SCREEN_COLS = 24, 120


def fixture(d, thresholds):
    """A minimal reports/ tree whose figures meet the real thresholds."""
    core = thresholds["coverage"]["core_paths"][0] + "x.c"
    os.makedirs(os.path.join(d, "coverage"))
    # gcovr 0.3 JSON: 1000 lines, 998 hit; 1000 branches, 980 taken (above the real minimums).
    lines = [{"line_number": i + 1, "count": 1 if i < 998 else 0, "gcovr/noncode": False,
              "branches": [{"count": 1 if i < 980 else 0, "fallthrough": False, "throw": False}]} for i in range(1000)]
    json.dump({"gcovr/format_version": "0.3", "files": [{"file": core, "lines": lines, "functions": []}]},
              open(os.path.join(d, "coverage", "coverage.json"), "w"))
    json.dump({"files": [{"filename": core, "mcdc": {"covered": 98, "count": 100}}], "totals": {"mcdc": {"percent": 98}}},
              open(os.path.join(d, "coverage", "mcdc.json"), "w"))
    json.dump({"line_percent": 99.8, "branch_percent": 98}, open(os.path.join(d, "coverage", "summary.json"), "w"))
    os.makedirs(os.path.join(d, "conformance"))
    json.dump({"summary": {"uncovered": 0, "failed": 0}}, open(os.path.join(d, "conformance", "matrix.json"), "w"))
    os.makedirs(os.path.join(d, "junit"))
    open(os.path.join(d, "junit", "unit-x.xml"), "w").write('<testsuite name="x" tests="3" failures="0" errors="0"/>')
    os.makedirs(os.path.join(d, "faults"))
    json.dump({"bad_runs": 0}, open(os.path.join(d, "faults", "summary.json"), "w"))
    os.makedirs(os.path.join(d, "sarif"))
    json.dump({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": []}]},
              open(os.path.join(d, "sarif", "empty.sarif"), "w"))


def gate(reports, thresholds, tmp, name):
    path = os.path.join(tmp, name + ".json")
    json.dump(thresholds, open(path, "w"), indent=1)
    out = os.path.join(tmp, name + ".out.json")
    p = subprocess.run([sys.executable, GATE, "--thresholds", path, "--reports", reports, "--json", out],
                       capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr, (json.load(open(out)) if os.path.exists(out) else None)


def check(cond, what, failures):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def tighten(limit, measured, key):
    """A threshold just past the measured value (stricter by the smallest visible step)."""
    return round(measured + 0.01, 2) if key.endswith("_min") else measured - 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports")
    args = ap.parse_args()
    real = json.load(open(REAL))
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        reports = args.reports
        if not reports:
            reports = os.path.join(tmp, "reports")
            fixture(reports, real)
        rc, text, res = gate(reports, real, tmp, "real")
        check(rc == 0 and res and res["passed"], f"gate passes at the real thresholds (exit {rc})", failures)
        if rc != 0:
            print(text)
            return 1
        figures = res["figures"]
        check(len(figures) >= 8, f"gate reports {len(figures)} figures", failures)
        # Every figure alone, moved just past its measured value: exactly that one fails.
        for fig in figures:
            sec, key = fig["key"]
            if key.endswith("_min") and fig["measured"] >= 100:
                print(f"skip {fig['figure']}: measured 100%, no stricter minimum exists")
                continue
            t = copy.deepcopy(real)
            t[sec][key] = tighten(t[sec][key], fig["measured"], key)
            rc, text, res = gate(reports, t, tmp, f"{sec}.{key}")
            failed = [f["figure"] for f in res["figures"] if f["verdict"] != "pass"] if res else None
            check(rc == 1 and failed == [fig["figure"]],
                  f"{sec}.{key} = {t[sec][key]:g} (measured {fig['measured']:g}): exit {rc}, fails {failed}", failures)
            line = [l for l in text.splitlines() if l.startswith(fig["figure"])]
            check(len(line) == 1 and line[0].rstrip().endswith("FAIL") and "FAILED (1 figure(s) short)" in text,
                  f"{sec}.{key}: summary names it: {line[0].strip() if line else None!r}", failures)
            # At exactly the measured value the figure passes (>= / <= are inclusive).
            t[sec][key] = fig["measured"]
            rc, _, _ = gate(reports, t, tmp, f"{sec}.{key}.exact")
            check(rc == 0, f"{sec}.{key} = measured {fig['measured']:g}: passes (exit {rc})", failures)
        # All at once: every figure named, and the summary fits one screen.
        t = copy.deepcopy(real)
        for fig in figures:
            sec, key = fig["key"]
            t[sec][key] = tighten(t[sec][key], fig["measured"], key)
        rc, text, res = gate(reports, t, tmp, "all")
        lines = text.rstrip("\n").splitlines()
        named = [f["figure"] for f in figures if any(l.startswith(f["figure"]) and "FAIL" in l for l in lines)]
        check(rc == 1, f"all thresholds raised: exit {rc}", failures)
        short = sum(1 for f in figures if not (f["key"][1].endswith("_min") and f["measured"] >= 100))
        check(len(named) >= short, f"all raised: {len(named)} figures named FAIL (>= {short})", failures)
        check(len(lines) <= SCREEN_LINES and max(map(len, lines)) <= SCREEN_COLS,
              f"summary is one screen: {len(lines)} lines, widest {max(map(len, lines))} columns", failures)
        print(text)
        # Missing evidence is a failure, never a pass.
        empty = os.path.join(tmp, "empty")
        os.makedirs(empty)
        rc, text, _ = gate(empty, real, tmp, "empty")
        check(rc == 1 and "evidence missing" in text, f"empty reports/: exit {rc}, 'evidence missing' shown", failures)
    print(f"{len(failures)} failed" if failures else "gate self-test: all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
