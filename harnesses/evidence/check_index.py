#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Renders REPORTS/index.html in headless Chromium (Debian package chromium)
the way a reviewer opens it (file://, no server), checks that the rendered DOM
shows the key figures copied from the evidence files, and saves a screenshot
to REPORTS/index.png. Exit 1 when a figure is missing or differs.

  check_index.py [--reports DIR]
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]


def load(path):
    try:
        return json.load(open(path))
    except (OSError, ValueError):
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", default=os.path.join(ROOT, "reports"))
    args = ap.parse_args()
    index = os.path.abspath(os.path.join(args.reports, "index.html"))
    if not shutil.which("chromium"):
        print("check_index: chromium not installed (make deps installs Debian's chromium)")
        return 1
    with tempfile.TemporaryDirectory() as profile:
        flags = CHROMIUM + [f"--user-data-dir={profile}"]
        dom = subprocess.run(flags + ["--dump-dom", "file://" + index], capture_output=True, text=True,
                             timeout=120).stdout
        png = os.path.join(args.reports, "index.png")
        subprocess.run(flags + [f"--screenshot={png}", "--window-size=1280,2600", "file://" + index],
                       capture_output=True, timeout=120)
    text = re.sub(r"<[^>]+>", " ", dom)
    checks = []

    def expect(what, cond):
        checks.append((what, bool(cond)))

    expect("page rendered (title and at-a-glance table)", "<h1" in dom and "Fault injection" in dom)
    faults = load(os.path.join(args.reports, "faults", "summary.json"))
    if faults:
        for key, fig in (("runs", "runs"), ("allocation sites reached", "allocation_sites"),
                         ("failure paths exercised", "failure_paths"), ("bad runs", "bad_runs")):
            m = re.search(rf'id="faults-{re.escape(key.replace(" ", "-"))}">([^<]*)<', dom)
            expect(f"fault sweep {key} = {faults[fig]}", m and m.group(1).strip() == str(faults[fig]))
    else:
        expect("fault sweep summary exists", False)
    mcdc = (load(os.path.join(args.reports, "coverage", "mcdc.json")) or {}).get("totals", {}).get("mcdc", {})
    expect(f"MC/DC figure {mcdc.get('percent')} shown", mcdc.get("percent") is not None
           and any(re.search(rf"\b{re.escape(format(mcdc['percent'], f))}\s*%", text) for f in (".1f", ".2f")))
    fuzz = load(os.path.join(args.reports, "fuzz", "summary.json")) or {}
    for target in fuzz.get("targets", {}):
        expect(f"fuzz plot for {target} embedded", f'src="fuzz/{target}.svg"' in dom)
    diff = load(os.path.join(args.reports, "anchors", "edk2-differential.json"))
    if diff:
        unexplained = sum(v.get("unexplained", 0) for v in diff.get("inputs", {}).values())
        m = re.search(r'id="diff-unexplained">([^<]*)<', dom)
        expect(f"EDK II differential: {unexplained} unexplained shown", m and m.group(1).strip() == str(unexplained))
    else:
        expect("EDK II differential report exists", False)
    auth = (load(os.path.join(args.reports, "authenticode", "oracle.json")) or {}).get("summary")
    if auth:
        for key in ("verdict", "images", "tampered", "disagreements"):
            m = re.search(rf'id="auth-{key}">([^<]*)<', dom)
            expect(f"Authenticode {key} = {auth[key]} shown", m and m.group(1).strip() == str(auth[key]))
    else:
        expect("Authenticode oracle report exists", False)
    sarif = glob.glob(os.path.join(args.reports, "sarif", "*.sarif"))
    expect(f"{len(sarif)} SARIF file(s) listed", sarif and all(os.path.basename(p) in dom for p in sarif))
    expect("gate figures linked from the page", "coverage" in text and "conformance" in text.lower())
    expect(f"screenshot {os.path.relpath(png, ROOT)} written", os.path.exists(png) and os.path.getsize(png) > 10000)
    for what, ok in checks:
        print(("ok   " if ok else "FAIL ") + what)
    bad = sum(not ok for _, ok in checks)
    print(f"check_index: {len(checks) - bad} passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
