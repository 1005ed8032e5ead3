#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Validate and total the JUnit XML files in reports/junit/.

Every *.xml must parse and have a <testsuites> or <testsuite> root. Counts are
taken from the <testcase> elements (a testcase with <failure> is a failure,
<error> an error, <skipped> skipped); where a <testsuite> declares different
tests/failures/errors/skipped attributes this is reported as an inconsistency,
never silently corrected. cmocka 1.1.5 XML has no `classname`; not required.

Usage: junit_merge.py [--junit-dir DIR] [--json] [--merged FILE]
  --merged FILE   also write all suites into one <testsuites> document
                  (put it outside the junit dir, or it is read next time).
Exit: 0 all files parse and no test failed or errored; 1 a file is missing,
unreadable or malformed (or there is no file at all); 2 failures/errors.
Imported by tools/evidence/index.py (load_junit_dir). Stdlib only.
"""

import argparse
import glob
import json
import os
import sys
import xml.etree.ElementTree as ET

COUNTS = ("tests", "failures", "errors", "skipped")


def _suite_stats(suite):
    cases = suite.findall("testcase")
    stats = {"name": suite.get("name", ""), "tests": len(cases), "failures": 0,
             "errors": 0, "skipped": 0, "failed_cases": []}
    for case in cases:
        if case.find("failure") is not None:
            stats["failures"] += 1
            stats["failed_cases"].append(case.get("name", "?"))
        elif case.find("error") is not None:
            stats["errors"] += 1
            stats["failed_cases"].append(case.get("name", "?"))
        elif case.find("skipped") is not None:
            stats["skipped"] += 1
    time_attr = suite.get("time")
    try:
        stats["time"] = float(time_attr) if time_attr is not None else None
    except ValueError:
        stats["time"] = None
    stats["inconsistencies"] = []
    for key in COUNTS:
        declared = suite.get(key)
        if declared is None:
            continue
        try:
            value = int(declared)
        except ValueError:
            stats["inconsistencies"].append(f"suite {stats['name']!r}: {key}={declared!r} is not a number")
            continue
        if value != stats[key]:
            stats["inconsistencies"].append(
                f"suite {stats['name']!r}: declares {key}={value}, testcases give {stats[key]}")
    return stats


def load_junit_file(path):
    """-> dict(path, ok, error, suites, tests, failures, errors, skipped, time, inconsistencies)."""
    result = {"path": path, "ok": False, "error": None, "suites": [],
              "tests": 0, "failures": 0, "errors": 0, "skipped": 0, "time": None,
              "inconsistencies": [], "mtime": None}
    try:
        result["mtime"] = os.path.getmtime(path)
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
        return result
    if root.tag == "testsuites":
        suites = root.findall("testsuite")
    elif root.tag == "testsuite":
        suites = [root]
    else:
        result["error"] = f"root element <{root.tag}> is neither <testsuites> nor <testsuite>"
        return result
    result["ok"] = True
    total_time = 0.0
    have_time = False
    for suite in suites:
        s = _suite_stats(suite)
        result["suites"].append(s)
        for key in COUNTS:
            result[key] += s[key]
        if s["time"] is not None:
            total_time += s["time"]
            have_time = True
        result["inconsistencies"] += s["inconsistencies"]
    result["time"] = total_time if have_time else None
    if not suites:
        result["inconsistencies"].append("no <testsuite> in the file")
    return result


def load_junit_dir(junit_dir):
    """-> (list of per-file dicts sorted by name, totals dict). Files is [] if none."""
    files = [load_junit_file(p) for p in sorted(glob.glob(os.path.join(junit_dir, "*.xml")))]
    totals = {k: sum(f[k] for f in files if f["ok"]) for k in COUNTS}
    totals["files"] = len(files)
    totals["unparsable"] = sum(1 for f in files if not f["ok"])
    totals["inconsistencies"] = sum(len(f["inconsistencies"]) for f in files)
    return files, totals


def write_merged(files, out_path):
    root = ET.Element("testsuites")
    for key in COUNTS:
        root.set(key, str(sum(f[key] for f in files if f["ok"])))
    for f in files:
        if not f["ok"]:
            continue
        doc = ET.parse(f["path"]).getroot()
        for suite in ([doc] if doc.tag == "testsuite" else doc.findall("testsuite")):
            suite.set("file", os.path.basename(f["path"]))
            root.append(suite)
    ET.ElementTree(root).write(out_path, encoding="UTF-8", xml_declaration=True)


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    default_dir = os.path.join(os.path.dirname(os.path.dirname(here)), "reports", "junit")
    ap = argparse.ArgumentParser(description="Validate and total reports/junit/*.xml")
    ap.add_argument("--junit-dir", default=default_dir)
    ap.add_argument("--json", action="store_true", help="print the totals and per-file rows as JSON")
    ap.add_argument("--merged", help="write one merged <testsuites> file here")
    args = ap.parse_args(argv)

    files, totals = load_junit_dir(args.junit_dir)
    if args.merged:
        if os.path.realpath(os.path.dirname(os.path.abspath(args.merged))) == os.path.realpath(args.junit_dir):
            print("junit_merge: --merged must not point into the junit dir", file=sys.stderr)
            return 1
        write_merged(files, args.merged)
    if args.json:
        print(json.dumps({"junit_dir": args.junit_dir, "totals": totals, "files": files}, indent=2))
    else:
        for f in files:
            name = os.path.basename(f["path"])
            if not f["ok"]:
                print(f"{name}: UNPARSABLE: {f['error']}")
                continue
            print(f"{name}: tests={f['tests']} failures={f['failures']} errors={f['errors']} "
                  f"skipped={f['skipped']}" + (f"  FAILED: {', '.join(sorted(set(c for s in f['suites'] for c in s['failed_cases'])))}"
                                                if f["failures"] or f["errors"] else ""))
            for msg in f["inconsistencies"]:
                print(f"{name}: INCONSISTENT: {msg}")
        print(f"TOTAL: files={totals['files']} tests={totals['tests']} failures={totals['failures']} "
              f"errors={totals['errors']} skipped={totals['skipped']} unparsable={totals['unparsable']}")
    if not files:
        print(f"junit_merge: no *.xml in {args.junit_dir}", file=sys.stderr)
        return 1
    if totals["unparsable"]:
        return 1
    if totals["failures"] or totals["errors"]:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
