#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Traceability matrix: requirement catalog x case results.

Reads every conformance/requirements/*.json and every results file
(<results>/*.json, written by conformance_runner and other producers) and
writes matrix.json and matrix.md. Each requirement is listed with the cases
that check it and their verdicts; a requirement without a case is listed as
UNCOVERED, never dropped.

Exit status: 0 ok; 1 when a case failed or did not run, a case ID repeats, a
case names an unknown requirement, a catalog is malformed, or (--strict) a
requirement is uncovered; 2 on usage errors.
"""
import argparse
import glob
import json
import os
import sys

KINDS = {"spec", "interop", "hardening", "layout"}


def load_catalog(directory, problems):
    reqs = {}
    areas = []
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        area = doc.get("area") or os.path.splitext(os.path.basename(path))[0]
        areas.append({"area": area, "title": doc.get("title", area), "file": os.path.basename(path)})
        for row in doc.get("requirements", []):
            rid = row.get("id")
            missing = [k for k in ("id", "source", "section", "text", "kind") if not row.get(k)]
            if missing:
                problems.append(f"{path}: requirement {rid!r} lacks {', '.join(missing)}")
                continue
            if row["kind"] not in KINDS:
                problems.append(f"{path}: {rid} has unknown kind {row['kind']!r}")
            if rid in reqs:
                problems.append(f"{path}: requirement ID {rid} is defined twice")
                continue
            reqs[rid] = dict(row, area=area)
    return areas, reqs


def load_results(directory, problems):
    cases = {}
    files = sorted(glob.glob(os.path.join(directory, "*.json")))
    for path in files:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for case in doc.get("cases", []):
            cid = case.get("id")
            if cid in cases:
                problems.append(f"{path}: case ID {cid} repeats (also in {cases[cid]['file']})")
                continue
            cases[cid] = dict(case, group=doc.get("group", "?"), producer=doc.get("producer", "?"),
                              file=os.path.basename(path))
    return files, cases


def build(areas, reqs, cases, problems):
    by_req = {rid: [] for rid in reqs}
    for cid, case in sorted(cases.items()):
        for rid in case.get("requirements", []):
            if rid not in reqs:
                problems.append(f"case {cid} names unknown requirement {rid}")
                continue
            if reqs[rid].get("retired"):
                problems.append(f"case {cid} names retired requirement {rid}")
            by_req[rid].append(cid)
        if case.get("verdict") != "pass":
            problems.append(f"case {cid} verdict {case.get('verdict')}: {case.get('message', '')}")
    rows = []
    for rid, req in reqs.items():
        if req.get("retired"):
            continue
        ids = by_req[rid]
        verdicts = [cases[c]["verdict"] for c in ids]
        status = "uncovered" if not ids else ("pass" if all(v == "pass" for v in verdicts) else "fail")
        rows.append({
            "id": rid, "area": req["area"], "kind": req["kind"], "source": req["source"],
            "section": req["section"], "text": req["text"], "status": status,
            "cases": [{"id": c, "verdict": cases[c]["verdict"], "group": cases[c]["group"]} for c in ids],
        })
    uncovered = [r["id"] for r in rows if r["status"] == "uncovered"]
    summary = {
        "requirements": len(rows),
        "covered": len(rows) - len(uncovered),
        "uncovered": len(uncovered),
        "requirements_failing": sum(1 for r in rows if r["status"] == "fail"),
        "cases": len(cases),
        "passed": sum(1 for c in cases.values() if c.get("verdict") == "pass"),
        "failed": sum(1 for c in cases.values() if c.get("verdict") != "pass"),
        "by_area": {},
    }
    for a in areas:
        area_rows = [r for r in rows if r["area"] == a["area"]]
        summary["by_area"][a["area"]] = {
            "requirements": len(area_rows),
            "covered": sum(1 for r in area_rows if r["status"] != "uncovered"),
            "passing": sum(1 for r in area_rows if r["status"] == "pass"),
        }
    return {"schema": 1, "summary": summary, "uncovered": uncovered, "areas": areas, "requirements": rows,
            "cases": [dict(c, id=cid) for cid, c in sorted(cases.items())]}


def md_escape(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def write_md(matrix, path):
    s = matrix["summary"]
    out = ["# Conformance traceability matrix", "",
           f"Requirements: **{s['requirements']}**, covered {s['covered']}, "
           f"**uncovered {s['uncovered']}**, failing {s['requirements_failing']}. "
           f"Cases: {s['cases']} ({s['passed']} passed, {s['failed']} failed).", ""]
    if matrix["uncovered"]:
        out += ["Uncovered requirements: " + ", ".join(matrix["uncovered"]), ""]
    for area in matrix["areas"]:
        rows = [r for r in matrix["requirements"] if r["area"] == area["area"]]
        if not rows:
            continue
        out += [f"## {area['title']} (`{area['file']}`)", "",
                "| Requirement | Kind | Source | Rule | Cases | Status |", "|---|---|---|---|---|---|"]
        for r in rows:
            cases = ", ".join(f"{c['id']}{'' if c['verdict'] == 'pass' else ' (' + c['verdict'] + ')'}"
                              for c in r["cases"]) or "—"
            status = {"pass": "pass", "fail": "**FAIL**", "uncovered": "**UNCOVERED**"}[r["status"]]
            out.append(f"| {r['id']} | {r['kind']} | {md_escape(r['source'])} §{md_escape(r['section'])} | "
                       f"{md_escape(r['text'])} | {cases} | {status} |")
        out.append("")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--catalog", required=True, help="directory of requirement catalogs (*.json)")
    ap.add_argument("--results", required=True, help="directory of results files (*.json)")
    ap.add_argument("--out", required=True, help="directory for matrix.json and matrix.md")
    ap.add_argument("--strict", action="store_true", help="fail when a requirement is uncovered")
    args = ap.parse_args()

    problems = []
    areas, reqs = load_catalog(args.catalog, problems)
    files, cases = load_results(args.results, problems)
    if not files:
        problems.append(f"no results files in {args.results}")
    matrix = build(areas, reqs, cases, problems)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "matrix.json"), "w", encoding="utf-8") as f:
        json.dump(matrix, f, indent=1)
    write_md(matrix, os.path.join(args.out, "matrix.md"))

    s = matrix["summary"]
    print(f"matrix: {s['requirements']} requirements, {s['covered']} covered, {s['uncovered']} uncovered; "
          f"{s['cases']} cases, {s['passed']} passed, {s['failed']} failed "
          f"({len(files)} results files) -> {args.out}/matrix.{{json,md}}")
    for rid in matrix["uncovered"]:
        print(f"UNCOVERED {rid}: {reqs[rid]['text']}")
    for p in problems:
        print(f"ERROR {p}")
    if problems or (args.strict and matrix["uncovered"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
