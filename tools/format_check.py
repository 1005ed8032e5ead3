#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""The formatting gate: every C line changed since the commit named in
.ci/format-base must be formatted as .clang-format says (clang-format-14
through `git clang-format`, which looks at changed lines only, so code
written before the style file existed is left as it is).

usage: format_check.py [--root DIR]      exit 0 clean, 1 lines to reformat
(the diff is printed), 2 no git history to compare with."""
import argparse
import os
import subprocess
import sys

PATHS = ["impl", "conformance", "fuzz", "harnesses", "tools"]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    a = ap.parse_args(argv)
    base = open(os.path.join(a.root, ".ci", "format-base"), encoding="ascii").read().strip()
    known = subprocess.run(["git", "cat-file", "-e", base + "^{commit}"], cwd=a.root, capture_output=True)
    if known.returncode != 0:
        print("format_check: base %s is not in this clone's history (shallow clone?)" % base)
        return 2
    r = subprocess.run(["git", "clang-format-14", "--binary", "clang-format-14", "--extensions", "c,h", "--diff",
                        base, "--"] + PATHS, cwd=a.root, capture_output=True, text=True)
    out = r.stdout.strip()
    if r.returncode not in (0, 1) or (out and not out.startswith(("no modified files", "clang-format did not modify"))):
        print(out or r.stderr.strip())
        print("format_check: lines changed since %s are not formatted as .clang-format says; run: "
              "git clang-format-14 --binary clang-format-14 %s" % (base[:12], base[:12]))
        return 1
    print("format_check: every C line changed since %s is formatted (%s)" % (base[:12], out or "no C changes"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
