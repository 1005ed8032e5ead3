#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Fault-sweep self-test: the sweep really fails the 1st, 2nd, ... allocation.

Runs a fuzz replay binary in sweep mode over every seed of the first fuzz
target whose baseline run allocates, and checks the log: the n = 0 run makes
k > 0 allocation calls; runs n = 1..k each inject exactly at call n and carry
the failure's stack; run k + 1 injects nothing and ends the input; and with
RTPRM_FAULT_CAP=1 the loop stops at n = 1, flagged as capped. Also runs the
conformance runner in sweep mode (every case ends, exit 0).
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def sweep(cmd, log, cap=64):
    if os.path.exists(log):
        os.remove(log)
    env = dict(os.environ, RTPRM_FAULT_SWEEP=log, RTPRM_FAULT_CAP=str(cap),
               ASAN_OPTIONS="detect_leaks=1:halt_on_error=1", UBSAN_OPTIONS="halt_on_error=1")
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    runs = [json.loads(l) for l in open(log) if '"outcome"' in l] if os.path.exists(log) else []
    return p.returncode, runs


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bin", required=True)
    args = ap.parse_args()
    bad = []

    def check(cond, what):
        print(("ok   " if cond else "FAIL ") + what)
        if not cond:
            bad.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "log.jsonl")
        chosen = None
        for src in sorted(glob.glob(os.path.join(ROOT, "fuzz", "fuzz_*.c"))):
            t = os.path.basename(src)[5:-2]
            if t == "common":
                continue
            for seed in sorted(glob.glob(os.path.join(ROOT, "corpus", t, "*"))):
                rc, runs = sweep([os.path.join(args.bin, f"fuzz_{t}_replay"), seed], log)
                if rc == 0 and runs and runs[0]["calls"] > 1:
                    chosen = (t, seed, runs)
                    break
            if chosen:
                break
        check(chosen is not None, "some fuzz seed allocates through the host seam")
        if chosen:
            t, seed, runs = chosen
            k = runs[0]["calls"]
            print(f"     {t} {os.path.basename(seed)}: {k} allocation calls, {len(runs)} runs")
            check(runs[0]["n"] == 0 and not runs[0]["injected"], "run n=0 injects nothing")
            check([r["n"] for r in runs] == list(range(len(runs))), "n counts 0, 1, 2, ... without gaps")
            check(all(r["injected"] and r["fail_stack"] for r in runs[1:-1]), "every middle run injected, with a stack")
            check(not runs[-1]["injected"] and runs[-1]["n"] > k - 1, "the last run reached no n-th call and ended")
            check(all(r["outcome"] in ("completed", "survived-injection") for r in runs), "every run completed")
            rc, capped = sweep([os.path.join(args.bin, f"fuzz_{t}_replay"), seed], log, cap=1)
            check(rc == 0 and len(capped) == 2 and capped[-1]["capped"], "RTPRM_FAULT_CAP=1 stops at n=1, flagged")
        rc, runs = sweep([os.path.join(args.bin, "conformance_runner"), "--sweep"], log)
        check(rc == 0 and runs and all(r["outcome"] in ("expected", "clean-error") for r in runs),
              f"conformance sweep: exit {rc}, {len(runs)} runs, all expected or clean errors")
        rc, _ = subprocess.run([os.path.join(args.bin, "conformance_runner"), "--sweep"],
                               capture_output=True, env={k: v for k, v in os.environ.items()
                                                         if k != "RTPRM_FAULT_SWEEP"}).returncode, None
        check(rc == 2, f"--sweep without RTPRM_FAULT_SWEEP is a usage error (exit {rc})")
    print(f"{len(bad)} failed" if bad else "sweep self-test: all checks passed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
