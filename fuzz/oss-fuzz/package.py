#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Writes the OSS-Fuzz side files of one fuzz target into OUT (called by build.sh).

  OUT/<t>_seed_corpus.zip  corpus/<t>/* and corpus/regressions/<t>/* as a flat
                           zip; regression inputs are named "regression-<file>";
                           README* and dot-files are skipped (as replay_main.c does)
  OUT/<t>.dict             fuzz/dict/<t>.dict with each "#include NAME" line
                           replaced by fuzz/dict/NAME (shared tokens, e.g. pe.dict;
                           to libFuzzer the line is a comment)
  OUT/<t>.options          [libfuzzer] max_len = the largest input rounded up to
                           a power of two, at least 4096

A target without seeds or without a dictionary is an error: every target ships
both. Standard library only (no `zip` binary needed in the build image).
"""
import argparse
import os
import re
import sys
import zipfile

MIN_MAX_LEN = 4096


def inputs(directory):
    """Seed files of one corpus directory, sorted; none if it does not exist."""
    if not os.path.isdir(directory):
        return []
    return sorted(f for f in os.listdir(directory)
                  if not f.startswith(".") and not f.startswith("README")
                  and os.path.isfile(os.path.join(directory, f)))


def seed_entries(root, target):
    """[(name in the zip, path)] for the target's seeds and regression inputs."""
    seeds = os.path.join(root, "corpus", target)
    regressions = os.path.join(root, "corpus", "regressions", target)
    return ([(f, os.path.join(seeds, f)) for f in inputs(seeds)] +
            [("regression-" + f, os.path.join(regressions, f)) for f in inputs(regressions)])


def expand_dict(path, depth=0):
    """The dictionary's lines with "#include NAME" replaced by NAME's lines."""
    if depth > 4:
        sys.exit(f"package.py: {path}: #include nested too deeply")
    lines = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            m = re.match(r"^#include\s+([A-Za-z0-9_.-]+)\s*$", line)
            if m:
                inc = os.path.join(os.path.dirname(path), m.group(1))
                if not os.path.isfile(inc):
                    sys.exit(f"package.py: {path}: #include {m.group(1)}: no such file")
                lines.append(f"# --- from {m.group(1)} ---\n")
                lines += expand_dict(inc, depth + 1)
                lines.append(f"# --- end of {m.group(1)} ---\n")
            else:
                lines.append(line if line.endswith("\n") else line + "\n")
    return lines


def max_len_for(sizes):
    largest = max(sizes, default=0)
    n = MIN_MAX_LEN
    while n < largest:
        n *= 2
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", required=True, help="repository root")
    ap.add_argument("--out", required=True, help="$OUT")
    ap.add_argument("target")
    a = ap.parse_args()
    t = a.target
    entries = seed_entries(a.root, t)
    if not entries:
        sys.exit(f"package.py: {t}: no seed in corpus/{t}/ or corpus/regressions/{t}/")
    dict_src = os.path.join(a.root, "fuzz", "dict", t + ".dict")
    if not os.path.isfile(dict_src):
        sys.exit(f"package.py: {t}: no dictionary fuzz/dict/{t}.dict")

    zpath = os.path.join(a.out, t + "_seed_corpus.zip")
    tmp = zpath + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for name, path in entries:
            # Fixed timestamps and modes: the same corpus gives the same zip.
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with open(path, "rb") as fh:
                z.writestr(info, fh.read())
    os.replace(tmp, zpath)
    with open(os.path.join(a.out, t + ".dict"), "w", encoding="utf-8") as fh:
        fh.writelines(expand_dict(dict_src))
    max_len = max_len_for(os.path.getsize(p) for _, p in entries)
    with open(os.path.join(a.out, t + ".options"), "w", encoding="utf-8") as fh:
        fh.write(f"[libfuzzer]\nmax_len = {max_len}\n")
    print(f"package.py: {t}: {len(entries)} seed(s), max_len {max_len}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
