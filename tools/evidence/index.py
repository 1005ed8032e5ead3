#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Write REPORTS/index.html: one static page over all generated evidence.

Opens from disk without a server (relative links, inline CSS, no JavaScript).
Every number on the page is copied from an input file; a section whose input is
missing says "not produced by this run", an input that does not parse says so
with the error. Nothing is computed from nothing.

Inputs (all under REPORTS, default ROOT/reports):
  junit/*.xml                   test results (via junit_merge.py)
  conformance/matrix.json, .md  traceability matrix (conformance/tools/matrix.py)
  coverage/summary.json, by-directory.json, mcdc.json, meta.json, index.html,
  mcdc/index.html               coverage (tools/evidence/coverage.py)
  e2e/*/result.json + serial.log, debugcon.log, qemu.cmd   (harnesses/e2e/ovmf_run.py)
  e2e/prmt-diff.md, e2e/edk2-*-runtime.json                 (harnesses/edk2)
  fuzz/summary.json             fuzz campaign summary (schema not fixed: shown as given)
  anchors/edk2-differential.json, .md   pe_vs_edk2 classes (tools/fuzz/edk2_differential.py)
  authenticode/oracle.json, .md         rtprm pe verify vs sbverify/osslsigncode (harnesses/authenticode)
  sarif/*.sarif                 SARIF 2.1.0 logs

Usage: index.py [--root DIR] [--reports-dir DIR]     Python: /usr/bin/python3, stdlib only.
"""

import argparse
import datetime
import glob
import html
import json
import os
import shutil
import subprocess
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in tools/evidence
import junit_merge  # noqa: E402  (shared parser)

DEFAULT_ROOT = os.path.dirname(os.path.dirname(HERE))
NOT_PRODUCED = "not produced by this run"

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1f24;background:#fff}
header{background:#1f2937;color:#f9fafb;padding:14px 24px}
header h1{margin:0;font-size:20px} header p{margin:4px 0 0;color:#d1d5db}
main{padding:8px 24px 40px;max-width:1200px}
h2{border-bottom:2px solid #e5e7eb;padding-bottom:4px;margin-top:32px;font-size:17px}
h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}
th,td{border:1px solid #d1d5db;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f4f6} td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:600;background:#f9fafb}
.ok{color:#065f46;background:#d1fae5} .bad{color:#991b1b;background:#fee2e2}
.warn{color:#92400e;background:#fef3c7} .missing{color:#4b5563;background:#f3f4f6;font-style:italic}
.tag{display:inline-block;padding:1px 7px;border-radius:9px;font-size:12px;font-weight:600}
.note{color:#4b5563;font-size:12.5px} code{background:#f3f4f6;padding:0 3px;border-radius:3px}
.placeholder{padding:8px 12px;border:1px dashed #9ca3af;color:#4b5563;font-style:italic;display:inline-block}
details{margin:4px 0} pre{background:#f9fafb;border:1px solid #e5e7eb;padding:8px;overflow:auto;max-height:320px;font-size:12px}
ul.ids{columns:4;font-family:monospace;font-size:12.5px}
"""


# ----------------------------------------------------------------- helpers --

def esc(value):
    return html.escape("" if value is None else str(value), quote=True)


class Page:
    def __init__(self, reports):
        self.reports = reports
        self.parts = []
        self.glance = []  # (section, anchor, css class, text)

    def add(self, text):
        self.parts.append(text)

    def link(self, path, label=None):
        rel = os.path.relpath(path, self.reports).replace(os.sep, "/")
        return f'<a href="{esc(urllib.parse.quote(rel))}">{esc(label or rel)}</a>'

    def link_if(self, path, label=None):
        return self.link(path, label) if os.path.exists(path) else f'<span class="missing">{esc(label or os.path.basename(path))}: {NOT_PRODUCED}</span>'


def tag(cls, text):
    return f'<span class="tag {cls}">{esc(text)}</span>'


def placeholder(what):
    return f'<p class="placeholder">{esc(what)}: {NOT_PRODUCED}.</p>'


def num(value, fmt="{}"):
    """Render a number from an input file; '—' when the input lacks it."""
    if value is None:
        return '<span class="missing" title="not in the input file">—</span>'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return esc(fmt.format(value))
    return esc(value)


def pct(value, decimals=1):
    if value is None:
        return '<span class="missing" title="nothing to cover, or not in the input">n/a</span>'
    return esc(f"{value:.{decimals}f}%")


def mtime(path):
    try:
        ts = os.path.getmtime(path)
    except OSError:
        return None
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


def load_json(path):
    """-> (data, error). (None, None) when the file does not exist."""
    if not os.path.exists(path):
        return None, None
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh), None
    except (OSError, ValueError) as exc:
        return None, f"{type(exc).__name__}: {exc}"


def cmd_output(cmd, timeout=20):
    try:
        proc = subprocess.run(cmd, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None, None
    return proc.returncode, proc.stdout


def first_line(cmd, must_contain=None):
    if shutil.which(cmd[0]) is None and not os.path.isabs(cmd[0]):
        return None
    rc, out = cmd_output(cmd)
    if out is None:
        return None
    for line in out.splitlines():
        line = line.strip()
        if line and (must_contain is None or must_contain in line.lower()):
            return line
    return None


def dpkg_version(package):
    rc, out = cmd_output(["dpkg-query", "-W", "-f=${Version}", package])
    return out.strip() if rc == 0 and out and out.strip() else None


def tool_versions():
    rows = []
    for name, cmd, contains in (
            ("clang-14", ["clang-14", "--version"], "version"),
            ("clang-19", ["clang-19", "--version"], "version"),
            ("llvm-cov-19", ["llvm-cov-19", "--version"], "version"),
            ("cmake", ["cmake", "--version"], "version"),
            ("ninja", ["ninja", "--version"], None),
            ("gcovr", ["gcovr", "--version"], "gcovr"),
            ("qemu-system-x86_64", ["qemu-system-x86_64", "--version"], "version"),
            ("qemu-system-aarch64", ["qemu-system-aarch64", "--version"], "version"),
            ("python3", ["/usr/bin/python3", "--version"], "python")):
        rows.append((name, first_line(cmd, contains), None))
    afl = shutil.which("afl-fuzz")
    rows.append(("afl-fuzz", f"afl++ {dpkg_version('afl++')} (dpkg)" if afl and dpkg_version("afl++")
                 else ("present, version unknown" if afl else None), None))
    for label, pkg in (("cmocka", "libcmocka-dev"), ("OVMF (x64 firmware)", "ovmf"),
                       ("AAVMF (AArch64 firmware)", "qemu-efi-aarch64")):
        v = dpkg_version(pkg)
        rows.append((label, f"{pkg} {v} (dpkg)" if v else None, None))
    return rows


def git_state(root):
    def git(*args):
        rc, out = cmd_output(["git", "-C", root, *args])
        return out.strip() if rc == 0 and out is not None else None
    rev = git("rev-parse", "HEAD")
    status = git("status", "--porcelain")
    if status is None:
        return rev, None, None
    lines = [l for l in status.splitlines() if l.strip()]
    untracked = sum(1 for l in lines if l.startswith("??"))
    return rev, bool(lines), (len(lines) - untracked, untracked)


# ---------------------------------------------------------------- sections --

def section_tests(page):
    junit_dir = os.path.join(page.reports, "junit")
    page.add('<h2 id="tests">Test results (JUnit XML)</h2>')
    files, totals = junit_merge.load_junit_dir(junit_dir)
    if not files:
        page.add(placeholder("reports/junit/*.xml"))
        page.glance.append(("Tests", "tests", "missing", NOT_PRODUCED))
        return
    # Files older than the last coverage run were not rewritten by it (a test that
    # no longer exists, or a producer outside the coverage preset).
    meta, _ = load_json(os.path.join(page.reports, "coverage", "meta.json"))
    run_start = None
    if isinstance(meta, dict) and (meta.get("ctest") or {}).get("ran") and meta.get("generated_utc"):
        try:
            run_start = datetime.datetime.strptime(meta["generated_utc"], "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=datetime.timezone.utc).timestamp()
        except ValueError:
            run_start = None
    older = []
    page.add('<table><tr><th>File</th><th>Suites</th><th>Tests</th><th>Failures</th><th>Errors</th>'
             '<th>Skipped</th><th>Time (s)</th><th>Written (UTC)</th><th>Status</th></tr>')
    for f in files:
        name = os.path.basename(f["path"])
        if run_start is not None and f.get("mtime") is not None and f["mtime"] < run_start - 1:
            older.append(name)
        if not f["ok"]:
            page.add(f'<tr><td>{page.link(f["path"], name)}</td><td colspan="7" class="bad">'
                     f'does not parse: {esc(f["error"])}</td><td>{tag("bad", "UNPARSABLE")}</td></tr>')
            continue
        bad = f["failures"] or f["errors"]
        status = tag("bad", "FAIL") if bad else (tag("warn", "EMPTY") if not f["tests"] else tag("ok", "PASS"))
        page.add(f'<tr><td>{page.link(f["path"], name)}</td><td>{esc(", ".join(s["name"] for s in f["suites"]))}</td>'
                 f'<td class="num">{f["tests"]}</td><td class="num">{f["failures"]}</td>'
                 f'<td class="num">{f["errors"]}</td><td class="num">{f["skipped"]}</td>'
                 f'<td class="num">{num(f["time"], "{:.3f}")}</td><td>{esc(mtime(f["path"]))}</td><td>{status}</td></tr>')
    page.add(f'<tr class="total"><td>TOTAL ({totals["files"]} files)</td><td></td><td class="num">{totals["tests"]}</td>'
             f'<td class="num">{totals["failures"]}</td><td class="num">{totals["errors"]}</td>'
             f'<td class="num">{totals["skipped"]}</td><td></td><td></td><td></td></tr></table>')
    if older:
        page.add(f'<p class="warn">Written before the last coverage run ({esc(meta.get("generated_utc"))}) and '
                 f'not rewritten by it: {esc(", ".join(older))}. They may be stale.</p>')
    failed = [(os.path.basename(f["path"]), c) for f in files if f["ok"]
              for s in f["suites"] for c in s["failed_cases"]]
    if failed:
        page.add("<h3>Failed or errored test cases</h3><ul>" +
                 "".join(f"<li><code>{esc(fn)}</code>: {esc(c)}</li>" for fn, c in failed) + "</ul>")
    incons = [(os.path.basename(f["path"]), m) for f in files for m in f["inconsistencies"]]
    if incons:
        page.add('<h3>Inconsistent files</h3><p class="note">Counts above are taken from the &lt;testcase&gt; '
                 'elements; these files declare different totals.</p><ul>' +
                 "".join(f"<li><code>{esc(fn)}</code>: {esc(m)}</li>" for fn, m in incons) + "</ul>")
    page.add('<p class="note">Counts come from the &lt;testcase&gt; elements of each file '
             '(<code>tools/evidence/junit_merge.py</code>). In <code>ctest-*.xml</code> (ctest --output-junit) '
             'a test case is one ctest test (a whole cmocka executable, an e2e boot); in the cmocka files it is '
             'one cmocka case, so the total adds both kinds. Check the write times: the files can come from '
             'different runs.</p>')
    if totals["unparsable"]:
        cls, text = "bad", f'{totals["unparsable"]} unparsable file(s); {totals["tests"]} tests in the others'
    elif totals["failures"] or totals["errors"]:
        cls, text = "bad", f'{totals["tests"]} tests: {totals["failures"]} failures, {totals["errors"]} errors'
    else:
        cls, text = "ok", f'{totals["tests"]} tests, 0 failures, 0 errors, {totals["skipped"]} skipped ({totals["files"]} files)'
    if older:
        cls = "warn" if cls == "ok" else cls
        text += f"; {len(older)} file(s) older than the coverage run"
    page.glance.append(("Tests", "tests", cls, text))


def load_section_json(page, path, what, glance_name, anchor):
    """Loads one JSON input of a section; on absence or a parse error it adds
    the placeholder or error to the page and glance table and returns None."""
    data, err = load_json(path)
    if data is None and err is None:
        page.add(placeholder(what))
        page.glance.append((glance_name, anchor, "missing", NOT_PRODUCED))
        return None
    if err:
        page.add(f'<p class="bad">{page.link(path)} does not parse: {esc(err)}</p>')
        page.glance.append((glance_name, anchor, "bad", f"{os.path.basename(path)} does not parse"))
        return None
    return data


def section_conformance(page):
    cdir = os.path.join(page.reports, "conformance")
    mpath = os.path.join(cdir, "matrix.json")
    page.add('<h2 id="conformance">Conformance traceability matrix</h2>')
    data = load_section_json(page, mpath, "reports/conformance/matrix.json", "Conformance", "conformance")
    if data is None:
        return
    summary = data.get("summary") if isinstance(data.get("summary"), dict) else {}
    g = summary.get
    page.add(f'<p>Sources: {page.link(mpath)} · {page.link_if(os.path.join(cdir, "matrix.md"))} '
             f'(written {esc(mtime(mpath))})</p>')
    page.add('<table><tr><th>Requirements</th><th>Covered</th><th>Uncovered</th><th>Failing requirements</th>'
             '<th>Cases</th><th>Passed</th><th>Failed</th></tr>'
             f'<tr><td class="num">{num(g("requirements"))}</td><td class="num">{num(g("covered"))}</td>'
             f'<td class="num">{num(g("uncovered"))}</td><td class="num">{num(g("requirements_failing"))}</td>'
             f'<td class="num">{num(g("cases"))}</td><td class="num">{num(g("passed"))}</td>'
             f'<td class="num">{num(g("failed"))}</td></tr></table>')
    by_area = g("by_area")
    if isinstance(by_area, dict) and by_area:
        keys = sorted({k for v in by_area.values() if isinstance(v, dict) for k in v})
        page.add("<h3>By area</h3><table><tr><th>Area</th>" + "".join(f"<th>{esc(k)}</th>" for k in keys) + "</tr>")
        for area, v in sorted(by_area.items()):
            v = v if isinstance(v, dict) else {}
            page.add(f"<tr><td>{esc(area)}</td>" + "".join(f'<td class="num">{num(v.get(k))}</td>' for k in keys) + "</tr>")
        page.add("</table>")
    uncovered = data.get("uncovered")
    if isinstance(uncovered, list):
        if uncovered:
            page.add(f"<h3>Uncovered requirements ({len(uncovered)})</h3><ul class=\"ids\">" +
                     "".join(f"<li>{esc(u if not isinstance(u, dict) else u.get('id', u))}</li>" for u in uncovered) + "</ul>")
        else:
            page.add("<p>Uncovered requirements: none listed in matrix.json.</p>")
        if g("uncovered") is not None and g("uncovered") != len(uncovered):
            page.add(f'<p class="warn">matrix.json is inconsistent: summary.uncovered = {esc(g("uncovered"))} '
                     f'but the uncovered list has {len(uncovered)} IDs.</p>')
    else:
        page.add('<p class="missing">matrix.json has no "uncovered" list.</p>')
    failing = [r.get("id") for r in data.get("requirements", []) if isinstance(r, dict)
               and r.get("status") not in (None, "pass", "uncovered")]
    if failing:
        page.add("<h3>Requirements not passing</h3><ul class=\"ids\">" +
                 "".join(f"<li>{esc(i)}</li>" for i in failing) + "</ul>")
    if not summary:
        cls, text = "warn", "matrix.json has no summary"
    elif (g("failed") or 0) > 0 or (g("requirements_failing") or 0) > 0:
        cls, text = "bad", f'{num(g("failed"))} failed case(s)'
    elif (g("uncovered") or 0) > 0:
        cls, text = "warn", f'{g("covered")}/{g("requirements")} requirements covered, {g("uncovered")} uncovered; {g("passed")}/{g("cases")} cases passed'
    else:
        cls, text = "ok", f'{g("covered")}/{g("requirements")} requirements covered; {g("passed")}/{g("cases")} cases passed'
    page.glance.append(("Conformance", "conformance", cls, text))


def section_coverage(page, head_rev):
    cdir = os.path.join(page.reports, "coverage")
    page.add('<h2 id="coverage">Coverage of impl/ (coverage preset, clang-19)</h2>')
    summary, s_err = load_json(os.path.join(cdir, "summary.json"))
    bydir, d_err = load_json(os.path.join(cdir, "by-directory.json"))
    mcdc, m_err = load_json(os.path.join(cdir, "mcdc.json"))
    meta, meta_err = load_json(os.path.join(cdir, "meta.json"))
    if summary is None and mcdc is None and not (s_err or m_err):
        page.add(placeholder("reports/coverage (tools/evidence/coverage.py)"))
        page.glance.append(("Coverage", "coverage", "missing", NOT_PRODUCED))
        return
    for name, err in (("summary.json", s_err), ("by-directory.json", d_err), ("mcdc.json", m_err), ("meta.json", meta_err)):
        if err:
            page.add(f'<p class="bad">coverage/{esc(name)} does not parse: {esc(err)}</p>')
    page.add(f'<p>HTML: {page.link_if(os.path.join(cdir, "index.html"), "gcovr line/branch/decision report")} · '
             f'{page.link_if(os.path.join(cdir, "mcdc", "index.html"), "llvm-cov MC/DC report")} · '
             f'{page.link_if(os.path.join(cdir, "by-directory.md"))} · {page.link_if(os.path.join(cdir, "cobertura.xml"))} · '
             f'{page.link_if(os.path.join(cdir, "mcdc-summary.txt"))}</p>')
    if isinstance(meta, dict):
        git = meta.get("git") or {}
        rev = git.get("revision")
        ctest = meta.get("ctest") or {}
        rc = ctest.get("exit_code")
        stale = rev and head_rev and rev != head_rev
        page.add('<table><tr><th>Measured at revision</th><th>Generated (UTC)</th><th>Tests run by the script</th>'
                 '<th>ctest exit code</th><th>Tools</th></tr>'
                 f'<tr><td><code>{esc(rev)}</code>{" (dirty tree)" if git.get("dirty") else ""}'
                 f'{" " + tag("warn", "not HEAD") if stale else ""}</td><td>{esc(meta.get("generated_utc"))}</td>'
                 f'<td>{"yes" if ctest.get("ran") else "no (existing data)"}</td>'
                 f'<td>{tag("ok", "0") if rc == 0 else (tag("bad", rc) if rc is not None else num(None))}</td>'
                 f'<td>{esc((meta.get("tools") or {}).get("gcovr"))}; {esc((meta.get("tools") or {}).get("llvm-cov"))}</td></tr></table>')
    else:
        page.add('<p class="warn">coverage/meta.json missing: revision and scope of this coverage data are unknown.</p>')

    page.add("<h3>Totals</h3>")
    page.add('<table><tr><th>Tool</th><th>Lines</th><th>Branches</th><th>Functions</th><th>Regions</th><th>MC/DC conditions</th></tr>')
    if isinstance(summary, dict):
        def gc(k):
            return (f'{pct(summary.get(k + "_percent"))} <span class="note">({num(summary.get(k + "_covered"))}/'
                    f'{num(summary.get(k + "_total"))})</span>')
        page.add(f'<tr><td>gcovr 5.2 (gcov data)</td><td class="num">{gc("line")}</td><td class="num">{gc("branch")}</td>'
                 f'<td class="num">{gc("function")}</td><td class="missing">—</td><td class="missing">— (gcov has no MC/DC)</td></tr>')
    else:
        page.add(f'<tr><td>gcovr</td><td colspan="5" class="missing">coverage/summary.json: {NOT_PRODUCED}</td></tr>')
    if isinstance(mcdc, dict) and isinstance(mcdc.get("totals"), dict):
        t = mcdc["totals"]

        def lc(k):
            m = t.get(k) or {}
            return f'{pct(m.get("percent"), 2)} <span class="note">({num(m.get("covered"))}/{num(m.get("count"))})</span>'
        page.add(f'<tr><td>llvm-cov-19 (source-based)</td><td class="num">{lc("lines")}</td><td class="num">{lc("branches")}</td>'
                 f'<td class="num">{lc("functions")}</td><td class="num">{lc("regions")}</td><td class="num">{lc("mcdc")}</td></tr>')
    else:
        page.add(f'<tr><td>llvm-cov</td><td colspan="5" class="missing">coverage/mcdc.json: {NOT_PRODUCED}</td></tr>')
    page.add("</table>")
    page.add('<p class="note">The two tools count differently (gcov lines and arcs vs clang source regions and '
             'branch conditions), so their line and branch figures are not expected to be equal. '
             'gcovr percentages: one decimal, capped at 99.9 unless complete; llvm-cov: two decimals. '
             'gcovr "decisions" in its HTML are a per-line heuristic, not MC/DC. MC/DC is clang '
             '<code>-fcoverage-mcdc</code>: a condition counts as covered when test vectors show it independently '
             'affecting its decision.</p>')

    if isinstance(mcdc, dict):
        all_collisions = mcdc.get("profile_name_collisions") or []
        collisions = [c for c in all_collisions if not c.get("consistent")]
        checked = [c for c in all_collisions if c.get("consistent")]
        if checked:
            page.add('<p class="note">Function names shared with other binaries, checked against their own '
                     'binaries\' profiles and found consistent: ' +
                     ", ".join(f'<code>{esc(c.get("function"))}</code> ({esc(c.get("definition"))}, '
                               f'count {esc(c.get("merged_execution_count"))})' for c in checked) + ".</p>")
        if collisions:
            page.add('<h3>Source-based profile caveat: function-name collisions</h3>'
                     '<p class="warn">A merged profile keys counters by function name and hash; these in-scope '
                     'functions share their name with functions in other binaries, so llvm-cov\'s numbers for them '
                     '(and the totals above) can be wrong. gcovr is not affected.</p>'
                     '<table><tr><th>Function</th><th>Definition</th><th>Also defined at</th>'
                     '<th>llvm-cov (merged) count</th><th>Count from its own binary\'s profiles</th><th>Verdict</th></tr>')
            for c in collisions:
                page.add(f'<tr><td><code>{esc(c.get("function"))}</code></td><td>{esc(c.get("definition"))}</td>'
                         f'<td>{esc(", ".join(c.get("other_definitions") or []))}</td>'
                         f'<td class="num">{num(c.get("merged_execution_count"))}</td>'
                         f'<td class="num">{num(c.get("per_binary_execution_count"))}</td><td>{esc(c.get("verdict"))}</td></tr>')
            page.add("</table>")
        warns = mcdc.get("llvm_cov_warnings") or []
        if warns:
            page.add('<h3>llvm-cov warnings</h3><pre>' + esc("\n".join(warns)) + "</pre>")

    if isinstance(bydir, dict) and isinstance(bydir.get("directories"), list):
        page.add("<h3>By directory (lines, branches, functions: gcovr; MC/DC: llvm-cov-19)</h3>")
        page.add('<table><tr><th>Directory</th><th>Files</th><th>Line %</th><th>Lines</th><th>Branch %</th>'
                 '<th>Branches</th><th>Function %</th><th>Functions</th><th>MC/DC %</th><th>MC/DC conditions</th></tr>')
        rows = list(bydir["directories"]) + ([bydir["total"]] if isinstance(bydir.get("total"), dict) else [])
        for r in rows:
            is_total = r is bydir.get("total")
            row_attr = ' class="total"' if is_total else ""
            page.add(f'<tr{row_attr}><td>{esc(r.get("directory"))}{"" if is_total else "/"}</td>'
                     f'<td class="num">{num(r.get("files"))}</td>'
                     f'<td class="num">{pct(r.get("line_percent"))}</td><td class="num">{num(r.get("line_covered"))}/{num(r.get("line_total"))}</td>'
                     f'<td class="num">{pct(r.get("branch_percent"))}</td><td class="num">{num(r.get("branch_covered"))}/{num(r.get("branch_total"))}</td>'
                     f'<td class="num">{pct(r.get("function_percent"))}</td><td class="num">{num(r.get("function_covered"))}/{num(r.get("function_total"))}</td>'
                     + (f'<td class="num">{pct(r.get("mcdc_percent"), 2)}</td><td class="num">{num(r.get("mcdc_covered"))}/{num(r.get("mcdc_total"))}</td></tr>'
                        if "mcdc_total" in r else '<td class="missing" colspan="2">not in by-directory.json (older coverage.py)</td></tr>'))
        page.add("</table>")
    if isinstance(meta, dict) and meta.get("exclusions"):
        page.add(f'<h3>Scope</h3><p>Everything under <code>{esc(meta.get("scope"))}</code> except '
                 '(<code>tools/evidence/coverage-exclusions.txt</code>):</p><table><tr><th>Excluded</th><th>Reason</th></tr>')
        for e in meta["exclusions"]:
            page.add(f'<tr><td><code>{esc(e.get("path"))}</code></td><td>{esc(e.get("reason"))}</td></tr>')
        page.add("</table>")

    parts, cls = [], "ok"
    if isinstance(summary, dict):
        parts.append(f'gcovr lines {summary.get("line_percent")}%, branches {summary.get("branch_percent")}%')
    if isinstance(mcdc, dict) and isinstance(mcdc.get("totals"), dict):
        m = mcdc["totals"].get("mcdc") or {}
        parts.append("MC/DC " + (f'{m.get("percent"):.2f}%' if m.get("percent") is not None else "n/a") +
                     f' ({m.get("covered")}/{m.get("count")} conditions)')
        bad_coll = [c for c in mcdc.get("profile_name_collisions") or [] if not c.get("consistent")]
        if bad_coll:
            cls = "warn"
            parts.append(f'{len(bad_coll)} function(s) miscounted by llvm-cov (name collision)')
    if isinstance(meta, dict) and (meta.get("ctest") or {}).get("exit_code") not in (0, None):
        cls = "bad"
        parts.append("tests failed during the coverage run")
    if s_err or m_err or d_err or meta_err:
        cls = "bad"
    page.glance.append(("Coverage", "coverage", cls, "; ".join(parts) or "incomplete"))


def section_e2e(page):
    edir = os.path.join(page.reports, "e2e")
    page.add('<h2 id="e2e">End-to-end runs (QEMU + OVMF/AAVMF)</h2>')
    results = sorted(glob.glob(os.path.join(edir, "*", "result.json")))
    if not results:
        page.add(placeholder("reports/e2e/*/result.json"))
        page.glance.append(("E2E", "e2e", "missing", NOT_PRODUCED))
        return
    page.add('<table><tr><th>Scenario</th><th>Arch</th><th>Verdict</th><th>Duration (s)</th><th>Reason</th>'
             '<th>Logs</th><th>Written (UTC)</th></tr>')
    verdicts = []
    for path in results:
        sdir = os.path.dirname(path)
        data, err = load_json(path)
        logs = " · ".join(page.link(os.path.join(sdir, f), f) for f in ("serial.log", "debugcon.log", "firmware.log",
                                                                        "prminfo-compare.md", "qemu.cmd")
                          if os.path.exists(os.path.join(sdir, f)))
        logs = (page.link(path, "result.json") + (" · " + logs if logs else ""))
        if err or not isinstance(data, dict):
            verdicts.append("UNPARSABLE")
            page.add(f'<tr><td>{esc(os.path.basename(sdir))}</td><td></td><td>{tag("bad", "UNPARSABLE")}</td>'
                     f'<td></td><td>{esc(err or "not a JSON object")}</td><td>{logs}</td><td>{esc(mtime(path))}</td></tr>')
            continue
        v = data.get("verdict")
        verdicts.append(v)
        vcls = "ok" if v in ("PASS", "CAUGHT") else "bad"
        page.add(f'<tr><td>{esc(data.get("scenario") or os.path.basename(sdir))}</td><td>{esc(data.get("arch"))}</td>'
                 f'<td>{tag(vcls, v) if v else num(None)}</td><td class="num">{num(data.get("duration_s"))}</td>'
                 f'<td>{esc(data.get("reason"))}</td><td>{logs}</td><td>{esc(mtime(path))}</td></tr>')
    page.add("</table>")
    n_pass = sum(1 for v in verdicts if v == "PASS")
    n_caught = sum(1 for v in verdicts if v == "CAUGHT")
    cls = "ok" if n_pass + n_caught == len(verdicts) else "bad"
    caught = f", {n_caught} negative controls CAUGHT" if n_caught else ""
    page.glance.append(("E2E", "e2e", cls, f"{n_pass}/{len(verdicts) - n_caught} scenarios PASS{caught}"))
    page.add('<p class="note">CAUGHT: a negative control, a deliberately broken build (RuntimeDxeBreak, '
             'PrmLoaderDxeNoMat) that the scenario must fail; the boot\'s own verdict and reason are kept in '
             'its result.json.</p>')
    extra = [page.link(os.path.join(edir, "prmt-diff.md"), "PRMT: ours vs EDK II's, field by field")] \
        if os.path.exists(os.path.join(edir, "prmt-diff.md")) else []
    extra += [page.link(p, os.path.basename(p)) for p in sorted(glob.glob(os.path.join(edir, "edk2-*-runtime.json")))]
    if extra:
        page.add('<p>EDK II flash images (harnesses/edk2): ' + " · ".join(extra) + '</p>')


def section_fuzz(page):
    fpath = os.path.join(page.reports, "fuzz", "summary.json")
    page.add('<h2 id="fuzz">Fuzzing</h2>')
    data = load_section_json(page, fpath, "Fuzz summary (reports/fuzz/summary.json)", "Fuzzing", "fuzz")
    if data is None:
        return
    targets = data.get("targets", {}) if isinstance(data, dict) else {}
    page.add(f'<p>Source: {page.link(fpath)} (tools/fuzz/campaign.py, written {esc(mtime(fpath))}): '
             f'{esc(data.get("seconds_per_engine", "?"))} s per engine per target, engines run side by side.</p>')
    rows, crashes = [], 0
    for target, runs in sorted(targets.items()):
        for r in runs:
            crashes += r.get("crashes") or 0
            cov = r.get("coverage", {})
            rows.append(f'<tr><td>{esc(target)}</td><td>{esc(r.get("engine"))}</td><td>{esc(r.get("executions"))}</td>'
                        f'<td>{esc(r.get("exec_per_sec"))}</td><td>{esc(cov.get("edges"))}</td>'
                        f'<td>{esc(r.get("corpus_size"))}</td>'
                        f'<td>{tag("bad" if r.get("crashes") else "ok", str(r.get("crashes")))}</td></tr>')
    page.add("<table><tr><th>target</th><th>engine</th><th>executions</th><th>exec/s</th><th>edges</th>"
             "<th>corpus</th><th>crashes</th></tr>" + "".join(rows) + "</table>")
    for target in sorted(targets):
        svg = os.path.join(page.reports, "fuzz", f"{target}.svg")
        if os.path.exists(svg):
            page.add(f'<figure style="display:inline-block;margin:6px"><img src="fuzz/{esc(target)}.svg" '
                     f'alt="{esc(target)} coverage over time" width="480"><figcaption class="note">'
                     f'{page.link(svg, target + ".svg")}: coverage over time, both engines</figcaption></figure>')
    mins = [f'{esc(t)}/{esc(r.get("engine"))}: {esc((r.get("minimized") or {}).get("files"))} files '
            f'({esc((r.get("minimized") or {}).get("tool"))})' for t, runs in sorted(targets.items()) for r in runs
            if r.get("minimized")]
    if mins:
        page.add("<p class=\"note\">Merged and minimized corpora under <code>fuzz/corpus/</code>: "
                 + "; ".join(mins) + "</p>")
    page.add("<details><summary>Full summary.json</summary><pre>" + esc(json.dumps(data, indent=2)) + "</pre></details>")
    page.glance.append(("Fuzzing", "fuzz", "bad" if crashes else "ok",
                        f"{len(targets)} target(s), {len(rows)} engine runs, {crashes} crash(es)"))


def section_differential(page):
    fpath = os.path.join(page.reports, "anchors", "edk2-differential.json")
    page.add('<h2 id="edk2-differential">Differential against EDK II (pe_vs_edk2)</h2>')
    d = load_section_json(page, fpath, "EDK II differential (reports/anchors/edk2-differential.json)",
                          "EDK II differential", "edk2-differential")
    if d is None:
        return
    md = os.path.join(page.reports, "anchors", "edk2-differential.md")
    inputs = d.get("inputs", {})
    unexplained = sum(v.get("unexplained", 0) for v in inputs.values())
    replayed = sum(v.get("files", 0) for v in inputs.values())
    page.add(f'<p>Source: {page.link(fpath)} · {page.link_if(md)} (tools/fuzz/edk2_differential.py, written '
             f'{esc(mtime(fpath))}). Reference: {esc(d.get("reference"))}. Every disagreement between our loader '
             f'and EDK II\'s on the same bytes falls in one class: (a) EDK II memory-safety defect on an input we '
             f'reject, (b) our documented policy, (c) our bug, fixed.</p>')
    page.add(f'<p>Inputs replayed: <span id="diff-replayed">{esc(replayed)}</span> · unexplained: '
             f'<span id="diff-unexplained">{esc(unexplained)}</span> · campaign executions recorded: '
             f'<span id="diff-executions">{esc(d.get("campaign_executions"))}</span></p>')
    srcs = list(inputs)
    rows = []
    for c in d.get("classes", []):
        counts = c.get("counts", {})
        rows.append(f'<tr><td><code>{esc(c.get("id"))}</code></td><td>{esc(c.get("kind"))}</td>'
                    f'<td>{esc(c.get("reference"))}</td>'
                    f'<td>{tag("ok" if c.get("anchor_lands") else "bad", "lands" if c.get("anchor_lands") else "no")}</td>'
                    + "".join(f"<td>{esc(counts.get(s, 0))}</td>" for s in srcs) + "</tr>")
    page.add("<table><tr><th>class</th><th>kind</th><th>reference</th><th>anchor</th>"
             + "".join(f"<th>{esc(s)}</th>" for s in srcs) + "</tr>" + "".join(rows) + "</table>")
    ok = d.get("ok") and unexplained == 0
    page.glance.append(("EDK II differential", "edk2-differential", "ok" if ok else "bad",
                        f"{len(d.get('classes', []))} classes, {replayed} inputs replayed, {unexplained} unexplained, "
                        f"{d.get('campaign_executions')} campaign executions"))


def section_authenticode(page):
    fpath = os.path.join(page.reports, "authenticode", "oracle.json")
    page.add('<h2 id="authenticode">Authenticode: rtprm pe verify against Debian\'s signing tools</h2>')
    d = load_section_json(page, fpath, "Authenticode oracle (reports/authenticode/oracle.json)",
                          "Authenticode", "authenticode")
    if d is None:
        return
    sm = d.get("summary", {})
    md = os.path.join(page.reports, "authenticode", "oracle.md")
    page.add(f'<p>Source: {page.link(fpath)} · {page.link_if(md)} (harnesses/authenticode/oracle.py, written '
             f'{esc(mtime(fpath))}). Our images signed with Debian\'s snakeoil key, Debian\'s signed binaries '
             f'and kernels; tampered copies must be refused.</p>')
    page.add(f'<p>Verdict: <span id="auth-verdict">{esc(sm.get("verdict"))}</span> · images '
             f'<span id="auth-images">{esc(sm.get("images"))}</span> ({esc(sm.get("ours"))} ours, '
             f'{esc(sm.get("debian"))} Debian) · tampered copies <span id="auth-tampered">{esc(sm.get("tampered"))}'
             f'</span> · disagreements <span id="auth-disagreements">{esc(sm.get("disagreements"))}</span></p>')
    notes = [f"osslsigncode on {k}: {v}" for k, v in sm.get("osslsigncode_divergences", {}).items()]
    notes += [f"sbverify on {k}: {v}" for k, v in sm.get("sbverify_unsound", {}).items()]
    notes.append(f"sbverify accepted {sm.get('sbverify_accepts_size_past_eof')} certificate tables whose directory "
                 f"size runs past the end of the file (rtprm refuses them: PE_AUTH_CERT_RANGE)")
    page.add("<p>Recorded divergences of the reference tools:</p><ul>"
             + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    ok = sm.get("verdict") == "PASS"
    page.glance.append(("Authenticode", "authenticode", "ok" if ok else "bad",
                        f"{sm.get('images')} images, {sm.get('tampered')} tampered copies, "
                        f"{sm.get('disagreements')} disagreements"))


def section_faults(page):
    fpath = os.path.join(page.reports, "faults", "summary.json")
    page.add('<h2 id="faults">Fault-injection sweep</h2>')
    d = load_section_json(page, fpath, "Fault sweep (reports/faults/summary.json)", "Fault injection", "faults")
    if d is None:
        return
    page.add(f'<p>Source: {page.link(fpath)} and {page.link(os.path.join(page.reports, "faults", "summary.md"))} '
             f'(tools/faults/sweep.py, written {esc(mtime(fpath))}): every conformance case and fuzz corpus input, '
             f'failing its 1st, 2nd, ... allocation until a run reaches no n-th allocation; n capped at '
             f'{esc(d.get("cap_n_per_input"))} ({esc(d.get("inputs_capped"))} inputs hit the cap).</p>')
    figs = [("inputs", d.get("inputs")), ("conformance cases", d.get("conformance_cases")),
            ("fuzz corpus inputs", d.get("fuzz_inputs")), ("runs", d.get("runs")),
            ("runs with an injected failure", d.get("injected_runs")), ("allocation sites reached", d.get("allocation_sites")),
            ("failure paths exercised", d.get("failure_paths")), ("bad runs", d.get("bad_runs")),
            ("seconds", d.get("seconds"))]
    page.add("<table>" + "".join(f'<tr><th>{esc(k)}</th><td class="num" id="faults-{esc(k.replace(" ", "-"))}">{esc(v)}</td></tr>'
                                 for k, v in figs) + "</table>")
    page.add("<table><tr><th>allocation site</th><th>runs reaching it</th><th>runs failing it</th></tr>" +
             "".join(f'<tr><td><code>{esc(x["site"])}</code></td><td class="num">{esc(x["runs_reached"])}</td>'
                     f'<td class="num">{esc(x["runs_failed_here"])}</td></tr>' for x in d.get("sites", [])) + "</table>")
    bad = d.get("bad_runs") or 0
    page.glance.append(("Fault injection", "faults", "bad" if bad else "ok",
                        f'{d.get("runs")} runs, {d.get("allocation_sites")} allocation sites, '
                        f'{d.get("failure_paths")} failure paths, {bad} bad run(s)'))


def section_sarif(page):
    sdir = os.path.join(page.reports, "sarif")
    page.add('<h2 id="sarif">Static analysis and crash findings (SARIF)</h2>')
    files = sorted(glob.glob(os.path.join(sdir, "*.sarif")))
    if not files:
        page.add(placeholder("SARIF logs (reports/sarif/*.sarif)"))
        page.glance.append(("SARIF", "sarif", "missing", NOT_PRODUCED))
        return
    page.add('<table><tr><th>File</th><th>SARIF version</th><th>Runs / tools</th><th>Results</th>'
             '<th>By level</th><th>Rules</th><th>Written (UTC)</th></tr>')
    total, bad = 0, False
    for path in files:
        data, err = load_json(path)
        if err or not isinstance(data, dict) or not isinstance(data.get("runs"), list):
            bad = True
            page.add(f'<tr><td>{page.link(path, os.path.basename(path))}</td><td colspan="5" class="bad">'
                     f'{esc(err or "no runs[] array")}</td><td>{esc(mtime(path))}</td></tr>')
            continue
        tools, levels, rules, n, suppressed = [], {}, {}, 0, 0
        for run in data["runs"]:
            drv = ((run.get("tool") or {}).get("driver") or {})
            tools.append(f'{drv.get("name", "?")} {drv.get("version") or drv.get("semanticVersion") or ""}'.strip())
            for r in run.get("results") or []:
                n += 1
                suppressed += bool(r.get("suppressions"))
                lv = r.get("level") or "(level not set)"
                levels[lv] = levels.get(lv, 0) + 1
                rid = r.get("ruleId") or "(no ruleId)"
                rules[rid] = rules.get(rid, 0) + 1
        total += n - suppressed
        page.add(f'<tr><td>{page.link(path, os.path.basename(path))}</td><td>{esc(data.get("version"))}</td>'
                 f'<td>{len(data["runs"])}: {esc(", ".join(tools))}</td><td class="num">{n} ({n - suppressed} open, '
                 f'{suppressed} reviewed)</td>'
                 f'<td>{esc(", ".join(f"{k}: {v}" for k, v in sorted(levels.items())))}</td>'
                 f'<td>{esc(", ".join(f"{k}: {v}" for k, v in sorted(rules.items(), key=lambda kv: -kv[1])[:10]))}</td>'
                 f'<td>{esc(mtime(path))}</td></tr>')
    page.add("</table>")
    page.glance.append(("SARIF", "sarif", "bad" if bad else ("warn" if total else "ok"),
                        f"{total} open result(s) in {len(files)} file(s)" + ("; unparsable file(s)" if bad else "")))


# -------------------------------------------------------------------- main --

def build_page(root, reports):
    page = Page(reports)
    rev, dirty, counts = git_state(root)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
    section_tests(page)
    section_conformance(page)
    section_coverage(page, rev)
    section_e2e(page)
    section_fuzz(page)
    section_differential(page)
    section_authenticode(page)
    section_faults(page)
    section_sarif(page)
    body = "\n".join(page.parts)

    dirty_txt = ("unknown" if dirty is None else
                 (f"dirty: {counts[0]} modified/staged, {counts[1]} untracked path(s)" if dirty else "clean"))
    head = ["<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            "<title>rtprm evidence index</title>", f"<style>{CSS}</style></head><body>",
            "<header><h1>rtprm evidence index</h1>",
            f"<p>UEFI runtime core + PRM · revision <code>{esc(rev or 'unknown')}</code> ({esc(dirty_txt)}) · "
            f"page generated {esc(now)}</p></header><main>"]
    if dirty:
        head.append(f'<p>{tag("warn", "DIRTY TREE")} The working tree differs from the revision above; '
                    "the evidence may not correspond to any commit.</p>")
    head.append('<h2 id="glance">At a glance</h2><table><tr><th>Area</th><th>Status</th></tr>')
    for name, anchor, cls, text in page.glance:
        head.append(f'<tr><td><a href="#{anchor}">{esc(name)}</a></td><td class="{cls}">{esc(text)}</td></tr>')
    head.append("</table>")
    head.append(f'<p class="note">Every file under <code>reports/</code> except README.md is generated and git-ignored; '
                f'see {page.link_if(os.path.join(reports, "README.md"), "reports/README.md")} for producers. '
                f'Each section shows when its input was written: inputs may come from different runs.</p>')
    tools = ['<h2 id="tools">Tool versions (this machine, when the page was generated)</h2><table><tr><th>Tool</th><th>Version</th></tr>']
    for name, version, _ in tool_versions():
        shown = esc(version) if version else '<span class="missing">not installed</span>'
        tools.append(f"<tr><td>{esc(name)}</td><td>{shown}</td></tr>")
    tools.append("</table>")
    foot = ['<p class="note">Generated by <code>tools/evidence/index.py</code>.</p></main></body></html>\n']
    return "\n".join(head + [body] + tools + foot), page.glance


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write reports/index.html")
    ap.add_argument("--root", default=DEFAULT_ROOT)
    ap.add_argument("--reports-dir", "--reports", dest="reports_dir",
                    help="reports dir (default: ROOT/reports)")
    args = ap.parse_args(argv)
    root = os.path.realpath(args.root)
    reports = os.path.realpath(args.reports_dir or os.path.join(root, "reports"))
    os.makedirs(reports, exist_ok=True)
    text, glance = build_page(root, reports)
    out = os.path.join(reports, "index.html")
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, out)
    for name, _, cls, summary in glance:
        print(f"[index] {name:12} {cls:8} {summary}")
    print(f"[index] wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
