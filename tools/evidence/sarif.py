#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""SARIF 2.1.0 evidence under REPORTS/sarif/ (make sarif).

clang-analyzer.sarif  clang-14 --analyze (-analyzer-output=sarif) over every
                      impl/ translation unit of build/host/compile_commands.json,
                      the per-file logs merged into one run.
sanitizers.sarif      sanitizer reports (ASan, LSan, UBSan, oracle violations)
                      found in test and sweep logs, and every crash file a fuzz
                      campaign left (replayed with the host replay build to get
                      its report). Stable rule ids with CWE tags.

Analyzer results reviewed in tools/evidence/sarif-triage.json (matched by rule,
file and source-line fingerprint, each with its justification) carry a SARIF
suppression (external, accepted); everything else is an open finding.
Both are written even when empty (a run with no results is valid SARIF).
Every result carries partialFingerprints.primaryLocationLineHash (rule, file,
the source line's text) so a code-scanning upload deduplicates across runs.

  sarif.py [--build build/host] [--reports reports] [--jobs 2]
  sarif.py --from-log FILE... --out X.sarif      (convert given logs only; used by the unit test)
"""
import argparse
import concurrent.futures
import glob
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TRIAGE = os.path.join(ROOT, "tools", "evidence", "sarif-triage.json")

# Sanitizer / fuzz rules: id -> (CWE, short description, security-severity).
RULES = {
    "heap-buffer-overflow": ("CWE-122", "Heap-based buffer overflow", "8.8"),
    "stack-buffer-overflow": ("CWE-121", "Stack-based buffer overflow", "8.8"),
    "global-buffer-overflow": ("CWE-125", "Out-of-bounds access to a global", "7.5"),
    "heap-use-after-free": ("CWE-416", "Use after free", "8.8"),
    "double-free": ("CWE-415", "Double free", "8.8"),
    "bad-free": ("CWE-763", "Release of an invalid pointer", "7.5"),
    "stack-use-after-return": ("CWE-562", "Return of stack variable address", "7.5"),
    "stack-use-after-scope": ("CWE-562", "Use of a stack variable out of scope", "7.5"),
    "null-deref": ("CWE-476", "NULL pointer dereference", "6.5"),
    "wild-access": ("CWE-119", "Access through an invalid pointer (SEGV)", "7.5"),
    "integer-overflow": ("CWE-190", "Integer overflow or wraparound", "7.0"),
    "invalid-shift": ("CWE-1335", "Incorrect bitwise shift", "5.0"),
    "misaligned-access": ("CWE-704", "Misaligned pointer use", "4.0"),
    "out-of-bounds-index": ("CWE-129", "Improper validation of an array index", "7.5"),
    "undefined-behavior": ("CWE-758", "Other undefined behaviour reported by UBSan", "5.0"),
    "memory-leak": ("CWE-401", "Memory leak", "4.0"),
    "oracle-violation": ("CWE-684", "Fuzz oracle violated: result differs from the specification model", "6.0"),
    "fuzz-crash": ("CWE-20", "Fuzz input crashed the target (no sanitizer classification)", "6.0"),
    "fuzz-timeout-or-oom": ("CWE-400", "Fuzz input exhausted time or memory", "4.0"),
}
# clang static analyzer checkers -> CWE (properties.tags on the merged rules).
ANALYZER_CWE = {"core.NullDereference": "CWE-476", "unix.Malloc": "CWE-401", "core.DivideZero": "CWE-369",
                "core.uninitialized": "CWE-457", "core.UndefinedBinaryOperatorResult": "CWE-758",
                "core.CallAndMessage": "CWE-457", "deadcode.DeadStores": "CWE-563",
                "security.insecureAPI": "CWE-676", "core.StackAddressEscape": "CWE-562",
                "alpha.security.ArrayBound": "CWE-125", "unix.cstring": "CWE-476", "core.BitwiseShift": "CWE-1335"}

ASAN_RE = re.compile(r"ERROR: AddressSanitizer: ([\w-]+)(?: on (?:unknown )?address (0x[0-9a-f]+))?")
LSAN_RE = re.compile(r"ERROR: LeakSanitizer: detected memory leaks")
UBSAN_RE = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+):(?P<col>\d+): runtime error: (?P<msg>.*)$", re.M)
ORACLE_RE = re.compile(r"oracle violated: (?P<msg>.*) \((?P<file>[^\s:]+):(?P<line>\d+)\)")
FRAME_RE = re.compile(r"#\d+ 0x[0-9a-f]+ in (?P<fn>\S+) (?P<file>/[^\s:]+|[^\s:]+\.[ch]):(?P<line>\d+)")


def rel(path):
    path = path[7:] if path.startswith("file://") else path
    return os.path.relpath(path, ROOT) if os.path.isabs(path) else path


def line_hash(rule, uri, line):
    text = ""
    try:
        with open(os.path.join(ROOT, uri), errors="replace") as f:
            text = f.read().splitlines()[line - 1].strip()
    except (OSError, IndexError):
        pass
    return hashlib.sha256(f"{rule}|{uri}|{text}".encode()).hexdigest()[:32] + ":1"


def location(uri, line, col=1):
    return {"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": "SRCROOT"},
                                 "region": {"startLine": max(int(line), 1), "startColumn": max(int(col), 1)}}}


def log_doc(driver, results, artifacts):
    run = {"tool": {"driver": driver}, "results": results, "columnKind": "utf16CodeUnits",
           "originalUriBaseIds": {"SRCROOT": {"uri": "file://" + ROOT.rstrip("/") + "/"}},
           "artifacts": [{"location": {"uri": u, "uriBaseId": "SRCROOT"}} for u in sorted(artifacts)]}
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


# ---- sanitizer and fuzz reports ------------------------------------------

def asan_rule(kind, address, text):
    if kind == "SEGV":
        return "null-deref" if address and int(address, 16) < 0x1000 else "wild-access"
    if kind in RULES:
        return kind
    if kind in ("attempting", "bad-free", "alloc-dealloc-mismatch"):
        return "double-free" if "double-free" in text else "bad-free"
    return "wild-access" if "overflow" not in kind else "heap-buffer-overflow"


def ubsan_rule(msg):
    if "overflow" in msg and ("integer" in msg or "addition" in msg or "multiplication" in msg
                              or "subtraction" in msg or "negation" in msg):
        return "integer-overflow"
    if "shift" in msg:
        return "invalid-shift"
    if "misaligned" in msg:
        return "misaligned-access"
    if "out of bounds for type" in msg:
        return "out-of-bounds-index"
    if "null pointer" in msg:
        return "null-deref"
    return "undefined-behavior"


def first_project_frame(text):
    for m in FRAME_RE.finditer(text):
        f = rel(m.group("file"))
        if not f.startswith("..") and not f.startswith("/") and "compiler-rt" not in f:
            return m.group("fn"), f, int(m.group("line"))
    return None, None, None


def findings_in(text, source):
    """[(rule, message, file, line)] for every report in one log text."""
    out = []
    for block in re.split(r"(?=^==\d+==ERROR: )", text, flags=re.M):
        m = ASAN_RE.search(block)
        if m:
            rule = asan_rule(m.group(1), m.group(2), block)
            fn, f, line = first_project_frame(block)
            out.append((rule, f"{m.group(1)} in {fn or '?'} ({source})", f, line))
        elif LSAN_RE.search(block):
            fn, f, line = first_project_frame(block)
            n = re.search(r"(Direct|Indirect) leak of (\d+) byte", block)
            out.append(("memory-leak", f"{n.group(0) if n else 'leak'} allocated in {fn or '?'} ({source})", f, line))
    for m in UBSAN_RE.finditer(text):
        out.append((ubsan_rule(m.group("msg")), f"{m.group('msg')} ({source})", rel(m.group("file")),
                    int(m.group("line"))))
    for m in ORACLE_RE.finditer(text):
        out.append(("oracle-violation", f"{m.group('msg')} ({source})", rel(m.group("file")), int(m.group("line"))))
    return out


def sanitizer_log(findings, out):
    rules, results, artifacts, ids = [], [], set(), []
    seen = set()
    for rule, msg, f, line in findings:
        uri, line = (f, line) if f else ("fuzz", 1)
        key = (rule, uri, line, msg)
        if key in seen:
            continue
        seen.add(key)
        if rule not in ids:
            ids.append(rule)
            cwe, desc, sev = RULES[rule]
            rules.append({"id": rule, "name": rule, "shortDescription": {"text": desc},
                          "helpUri": f"https://cwe.mitre.org/data/definitions/{cwe[4:]}.html",
                          "properties": {"tags": ["security", cwe, "external/cwe/" + cwe.lower()],
                                         "security-severity": sev}})
        artifacts.add(uri)
        results.append({"ruleId": rule, "ruleIndex": ids.index(rule), "level": "error", "message": {"text": msg},
                        "locations": [location(uri, line)],
                        "partialFingerprints": {"primaryLocationLineHash": line_hash(rule, uri, line)}})
    driver = {"name": "rtprm-sanitizers", "informationUri": "https://clang.llvm.org/docs/AddressSanitizer.html",
              "version": "1", "rules": rules}
    write(out, log_doc(driver, results, artifacts))
    return len(results)


def campaign_crashes(build_dir):
    """Replays every crash file a fuzz campaign left and yields (target, path, report text)."""
    for work in sorted(glob.glob(os.path.join(ROOT, "build", "fuzz-campaign", "*"))):
        target = os.path.basename(work)
        crashes = glob.glob(os.path.join(work, "libfuzzer", "artifacts", "*")) + \
            glob.glob(os.path.join(work, "afl", "default", "crashes", "id*"))
        replay = os.path.join(build_dir, "bin", f"fuzz_{target}_replay")
        for c in crashes:
            text = ""
            if os.path.exists(replay):
                p = subprocess.run([replay, c], capture_output=True, text=True, errors="replace",
                                   env=dict(os.environ, ASAN_OPTIONS="detect_leaks=1:halt_on_error=1",
                                            UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"), timeout=60)
                text = p.stderr
            yield target, c, text


def collect_sanitizer_findings(build_dir, reports):
    found = []
    logs = glob.glob(os.path.join(build_dir, "Testing", "Temporary", "LastTest*.log")) + \
        glob.glob(os.path.join(ROOT, "build", "fuzz", "Testing", "Temporary", "LastTest*.log")) + \
        glob.glob(os.path.join(ROOT, "build", "afl", "Testing", "Temporary", "LastTest*.log")) + \
        glob.glob(os.path.join(reports, "faults", "logs", "*.stderr.txt"))
    for path in logs:
        found += findings_in(open(path, errors="replace").read(), rel(path))
    for target, crash, text in campaign_crashes(build_dir):
        got = findings_in(text, f"fuzz {target} {rel(crash)}")
        found += got or [("fuzz-crash", f"crash input {rel(crash)} of {target} did not reproduce a sanitizer report "
                          f"under the replay build", None, None)]
    return found


# ---- clang static analyzer ------------------------------------------------

def analyzer_command(entry, out):
    args = shlex.split(entry["command"]) if "command" in entry else list(entry["arguments"])
    keep, skip = ["clang-14"], False
    for a in args[1:]:
        if skip:
            skip = False
            continue
        if a in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
            continue
        if a in ("-c", "-MD", "-MMD") or a.startswith("-fsanitize") or a.startswith("-fno-sanitize") \
                or a.startswith("-fprofile") or a.startswith("-fcoverage") or a == "--coverage":
            continue
        keep.append(a)
    return keep + ["--analyze", "-Xclang", "-analyzer-output=sarif", "-o", out]


def run_analyzer(build_dir, out, jobs):
    db = json.load(open(os.path.join(build_dir, "compile_commands.json")))
    units = sorted({e["file"]: e for e in db if rel(e["file"]).startswith("impl/")}.values(), key=lambda e: e["file"])
    tmp = tempfile.mkdtemp(prefix="rtprm-sa-")

    def one(i_e):
        i, e = i_e
        dest = os.path.join(tmp, f"{i}.sarif")
        p = subprocess.run(analyzer_command(e, dest), cwd=e["directory"], capture_output=True, text=True)
        return e["file"], dest, p.returncode, p.stderr

    rules, ids, results, artifacts, errors = [], [], [], set(), []
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for f, dest, rc, err in pool.map(one, enumerate(units)):
            if rc != 0 or not os.path.exists(dest):
                errors.append(f"{rel(f)}: exit {rc}: {err.strip()[-300:]}")
                continue
            run = json.load(open(dest))["runs"][0]
            driver = run["tool"]["driver"]
            for res in run.get("results", []):
                rule = driver["rules"][res["ruleIndex"]] if "ruleIndex" in res else {"id": res["ruleId"]}
                if rule["id"] not in ids:
                    cwe = next((c for k, c in ANALYZER_CWE.items() if rule["id"].startswith(k)), None)
                    rule = dict(rule, properties={"tags": ["security", cwe] if cwe else ["correctness"]})
                    ids.append(rule["id"])
                    rules.append(rule)
                res["ruleIndex"] = ids.index(res["ruleId"])
                res.setdefault("level", "warning")
                relocate(res, artifacts)
                loc = res["locations"][0]["physicalLocation"]
                res["partialFingerprints"] = {"primaryLocationLineHash": line_hash(
                    res["ruleId"], loc["artifactLocation"]["uri"], loc["region"]["startLine"])}
                results.append(res)
    triage = {(a["ruleId"], a["uri"], a["fingerprint"]): a["justification"]
              for a in json.load(open(TRIAGE))["accepted"]}
    for res in results:
        key = (res["ruleId"], res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
               res["partialFingerprints"]["primaryLocationLineHash"])
        if key in triage:
            res["suppressions"] = [{"kind": "external", "status": "accepted", "justification": triage[key],
                                    "location": location("tools/evidence/sarif-triage.json", 1)}]
    driver = {"name": "clang", "fullName": "clang static analyzer", "version": clang_version(),
              "informationUri": "https://clang-analyzer.llvm.org/", "rules": rules}
    doc = log_doc(driver, results, artifacts)
    doc["runs"][0]["invocations"] = [{"executionSuccessful": not errors,
                                      "toolExecutionNotifications": [{"level": "error", "message": {"text": e}}
                                                                     for e in errors]}]
    doc["runs"][0]["properties"] = {"translationUnits": len(units)}
    write(out, doc)
    return len(units), len(results), errors


def relocate(node, artifacts):
    """Every artifactLocation becomes a SRCROOT-relative uri (no per-file artifact index)."""
    if isinstance(node, dict):
        al = node.get("artifactLocation")
        if isinstance(al, dict) and "uri" in al:
            al.pop("index", None)
            al["uri"] = rel(al["uri"])
            al["uriBaseId"] = "SRCROOT"
            artifacts.add(al["uri"])
        for v in node.values():
            relocate(v, artifacts)
    elif isinstance(node, list):
        for v in node:
            relocate(v, artifacts)


def clang_version():
    out = subprocess.run(["clang-14", "--version"], capture_output=True, text=True).stdout
    m = re.search(r"version (\S+)", out)
    return m.group(1) if m else "14"


def write(path, doc):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "host"))
    ap.add_argument("--reports", default=os.path.join(ROOT, "reports"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--from-log", nargs="+")
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.from_log:
        found = [f for p in args.from_log for f in findings_in(open(p, errors="replace").read(), rel(p))]
        n = sanitizer_log(found, args.out)
        print(f"sarif: {n} result(s) -> {args.out}")
        return 0
    sarif_dir = os.path.join(args.reports, "sarif")
    units, n_sa, errors = run_analyzer(args.build, os.path.join(sarif_dir, "clang-analyzer.sarif"), args.jobs)
    sa = json.load(open(os.path.join(sarif_dir, "clang-analyzer.sarif")))["runs"][0]["results"]
    n_open = sum(1 for r in sa if not r.get("suppressions"))
    print(f"sarif: clang static analyzer: {units} translation units, {n_sa} result(s) ({n_sa - n_open} reviewed and "
          f"suppressed in tools/evidence/sarif-triage.json, {n_open} open), {len(errors)} failed -> "
          f"{rel(os.path.join(sarif_dir, 'clang-analyzer.sarif'))}")
    for e in errors:
        print(f"sarif: analyzer error: {e}")
    n_san = sanitizer_log(collect_sanitizer_findings(args.build, args.reports),
                          os.path.join(sarif_dir, "sanitizers.sarif"))
    print(f"sarif: sanitizer/fuzz findings: {n_san} result(s) -> {rel(os.path.join(sarif_dir, 'sanitizers.sarif'))}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
