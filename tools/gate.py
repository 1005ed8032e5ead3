#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Release gate: compares the evidence under reports/ with gate/thresholds.json.

Prints a one-screen table (figure, measured, threshold, verdict; --json FILE
writes the same as JSON, with each figure's key in the thresholds file) and exits 1
when any figure falls short or its evidence file is missing (missing evidence
is a failure, never a pass), 0 otherwise.
"""
import argparse
import glob
import json
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "evidence"))
from coverage import file_stats_from_gcovr_json  # noqa: E402  (one definition of gcovr's counting)


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def percent(covered, total):
    return round(covered * 100.0 / total, 2) if total else None


def core_coverage(reports, core_paths):
    """Line/branch (gcovr) and MC/DC (llvm-cov) percentages over the core paths."""
    detail = load(os.path.join(reports, "coverage", "coverage.json"))
    mcdc = load(os.path.join(reports, "coverage", "mcdc.json"))
    in_core = lambda name: any(name.startswith(p) for p in core_paths)
    line = branch = mc = None
    if detail:
        st = [file_stats_from_gcovr_json(f) for f in detail.get("files", []) if in_core(f["file"])]
        line = percent(sum(s["line_covered"] for s in st), sum(s["line_total"] for s in st))
        branch = percent(sum(s["branch_covered"] for s in st), sum(s["branch_total"] for s in st))
    if mcdc:
        rows = [f["mcdc"] for f in mcdc.get("files", []) if in_core(f["filename"])]
        mc = percent(sum(r["covered"] for r in rows), sum(r["count"] for r in rows))
    return line, branch, mc


def junit_failures(reports):
    files = glob.glob(os.path.join(reports, "junit", "*.xml"))
    if not files:
        return None
    bad = 0
    for path in files:
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError:
            bad += 1
            continue
        suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
        for s in suites:
            bad += int(s.get("failures", 0)) + int(s.get("errors", 0))
    return bad


def sarif_open_findings(reports):
    files = glob.glob(os.path.join(reports, "sarif", "*.sarif"))
    if not files:
        return 0, "no SARIF files (no findings reported)"
    count = 0
    for path in files:
        doc = load(path) or {}
        for run in doc.get("runs", []):
            count += sum(1 for r in run.get("results", []) if r.get("level", "warning") in ("error", "warning")
                         and not any(s.get("status", "accepted") == "accepted" for s in r.get("suppressions", [])))
    return count, f"{len(files)} SARIF file(s), unsuppressed"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--thresholds", required=True)
    ap.add_argument("--reports", required=True)
    ap.add_argument("--json", help="also write the verdicts as JSON here")
    args = ap.parse_args()
    t = load(args.thresholds)
    if t is None:
        print(f"gate: cannot read {args.thresholds}")
        return 2
    r = args.reports
    cov = t["coverage"]
    line, branch, mc = core_coverage(r, cov["core_paths"])
    gcovr = load(os.path.join(r, "coverage", "summary.json")) or {}
    mcdc_all = (load(os.path.join(r, "coverage", "mcdc.json")) or {}).get("totals", {}).get("mcdc", {})
    matrix = (load(os.path.join(r, "conformance", "matrix.json")) or {}).get("summary")
    findings, findings_note = sarif_open_findings(r)
    faults = load(os.path.join(r, "faults", "summary.json"))

    rows = [  # (figure, measured or None, threshold key path in the thresholds file)
        ("core line coverage % (gcovr)", line, ("coverage", "line_percent_min")),
        ("core branch coverage % (gcovr)", branch, ("coverage", "branch_percent_min")),
        ("core MC/DC % (llvm-cov-19)", mc, ("coverage", "mcdc_percent_min")),
        ("uncovered requirements", matrix and matrix.get("uncovered"), ("conformance", "uncovered_requirements_max")),
        ("failing conformance cases", matrix and matrix.get("failed"), ("conformance", "failing_cases_max")),
        ("JUnit failures + errors", junit_failures(r), ("tests", "junit_failures_max")),
        (f"open findings ({findings_note})", findings, ("findings", "open_max")),
        ("fault-injection sweep: bad runs", faults and faults.get("bad_runs"), ("faults", "bad_runs_max")),
    ]
    failed, verdicts = 0, []
    print(f"{'figure':44} {'measured':>10} {'threshold':>10}  verdict")
    for name, measured, key in rows:
        limit, is_min = t[key[0]][key[1]], key[1].endswith("_min")
        if measured is None:
            verdict, shown = "FAIL (evidence missing)", "-"
        else:
            ok = measured >= limit if is_min else measured <= limit
            verdict, shown = ("pass" if ok else "FAIL"), f"{measured:g}"
        failed += verdict != "pass"
        verdicts.append({"figure": name, "key": list(key), "measured": measured, "threshold": limit,
                         "verdict": verdict})
        print(f"{name:44} {shown:>10} {('>= ' if is_min else '<= ') + format(limit, 'g'):>10}  {verdict}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"passed": not failed, "figures": verdicts}, f, indent=1)
    print(f"(for information, all of impl/: line {gcovr.get('line_percent')}%, branch {gcovr.get('branch_percent')}%, "
          f"MC/DC {mcdc_all.get('percent')}%)")
    print(f"(core = {', '.join(cov['core_paths'])})")
    print(f"gate: {'PASSED' if not failed else f'FAILED ({failed} figure(s) short)'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
