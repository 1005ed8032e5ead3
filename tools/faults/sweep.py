#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Fault-injection sweep (make sweep): every conformance case and every corpus
input of every fuzz target runs with no injected failure, then failing its 1st,
2nd, ... n-th allocation until a run never reaches its n-th allocation
(SQLite's OOM loop). Every run must end in the expected verdict or a clean
EFI_OUT_OF_RESOURCES (conformance), or pass the harness's own oracle (fuzz
replay), with no block left live in the host seam and no sanitizer report.

Binaries (host preset, ASan + UBSan): build/host/bin/conformance_runner
--sweep --group G for each group it lists, and build/host/bin/fuzz_<t>_replay
over corpus/<t>/ and corpus/regressions/<t>/ for each fuzz/fuzz_<t>.c; the C
side is impl/platform/host/fault_sweep.c (RTPRM_FAULT_SWEEP=log,
RTPRM_FAULT_CAP=n). Addresses are symbolized with llvm-symbolizer-14.

Writes REPORTS/faults/summary.json, summary.md and logs/; exit 1 on any bad
run or missing binary.
"""
import argparse
import collections
import concurrent.futures
import glob
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SANITIZER_RE = re.compile(r"ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:|oracle violated")
ENV = {"ASAN_OPTIONS": "detect_leaks=1:abort_on_error=1:halt_on_error=1",
       "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1"}


def fuzz_targets():
    return sorted(os.path.basename(p)[5:-2] for p in glob.glob(os.path.join(ROOT, "fuzz", "fuzz_*.c"))
                  if not p.endswith("fuzz_common.c"))


def jobs(bindir):
    """(kind, name, command) for every conformance group and fuzz target."""
    out = []
    runner = os.path.join(bindir, "conformance_runner")
    listing = subprocess.run([runner, "--list"], capture_output=True, text=True, check=True).stdout
    for group in dict.fromkeys(line.split("\t")[0] for line in listing.splitlines() if line):
        out.append(("conformance", group, [runner, "--sweep", "--group", group]))
    for t in fuzz_targets():
        dirs = [d for d in (os.path.join(ROOT, "corpus", t), os.path.join(ROOT, "corpus", "regressions", t))
                if os.path.isdir(d)]
        out.append(("fuzz-replay", t, [os.path.join(bindir, f"fuzz_{t}_replay")] + dirs))
    return out


def run_job(job, logdir, cap):
    kind, name, cmd = job
    log = os.path.join(logdir, f"{kind}-{name}.jsonl")
    if os.path.exists(log):
        os.remove(log)
    t0 = time.time()
    if not os.path.exists(cmd[0]):
        return job, log, 127, f"missing binary {cmd[0]}", 0.0
    env = dict(os.environ, RTPRM_FAULT_SWEEP=log, RTPRM_FAULT_CAP=str(cap), **ENV)
    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace", env=env)
    with open(os.path.join(logdir, f"{kind}-{name}.stderr.txt"), "w") as f:
        f.write(p.stderr)
    return job, log, p.returncode, p.stderr, time.time() - t0


def parse_log(path):
    """Run records; a 'begin' with no result line is a run that died."""
    runs, pending = [], None
    if os.path.exists(path):
        for line in open(path, errors="replace"):
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if "begin" in rec:
                pending = rec
            elif pending is not None:
                rec["input"] = pending["begin"]
                runs.append(rec)
                pending = None
    return runs, pending


def symbolize(addrs):
    """{'module+0xoff': 'function file:line'} via llvm-symbolizer-14 (return address - 1)."""
    by_module = collections.defaultdict(list)
    for a in addrs:
        mod, _, off = a.rpartition("+")
        by_module[mod].append(a)
    names = {}
    for mod, items in by_module.items():
        if not os.path.exists(mod):
            names.update({a: a for a in items})
            continue
        query = "".join(f"0x{int(a.rpartition('+')[2], 16) - 1:x}\n" for a in items)
        p = subprocess.run(["llvm-symbolizer-14", f"--obj={mod}", "--relativenames"], input=query,
                           capture_output=True, text=True)
        blocks = [b.splitlines() for b in p.stdout.strip().split("\n\n")]
        for a, b in zip(items, blocks):
            fn, loc = (b + ["?", "?"])[:2]
            loc = re.sub(r":\d+$", "", loc)  # drop the column
            loc = os.path.relpath(loc, ROOT) if loc.startswith("/") else loc
            names[a] = f"{fn} {loc}"
    return names


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "host"))
    ap.add_argument("--reports", default=os.path.join(ROOT, "reports"))
    ap.add_argument("--cap", type=int, default=64, help="largest n per input (default 64)")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    out = os.path.join(args.reports, "faults")
    logdir = os.path.join(out, "logs")
    os.makedirs(logdir, exist_ok=True)
    t0 = time.time()
    todo = jobs(os.path.join(args.build, "bin"))
    print(f"sweep: {len(todo)} jobs ({sum(k == 'conformance' for k, _, _ in todo)} conformance groups, "
          f"{sum(k == 'fuzz-replay' for k, _, _ in todo)} fuzz targets), cap n <= {args.cap}, {args.jobs} at a time",
          flush=True)
    results = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futs = [pool.submit(run_job, j, logdir, args.cap) for j in todo]
        for i, fut in enumerate(concurrent.futures.as_completed(futs), 1):
            job, log, rc, stderr, secs = fut.result()
            runs, died = parse_log(log)
            results.append((job, runs, died, rc, stderr, secs))
            print(f"sweep: [{i}/{len(todo)}] {job[0]} {job[1]}: {len({r['input'] for r in runs})} inputs, "
                  f"{len(runs)} runs, exit {rc}{', DIED in ' + died['begin'] + ' n=' + str(died['n']) if died else ''}"
                  f" ({secs:.1f}s)", flush=True)

    addrs = {a for _, runs, _, _, _, _ in results for r in runs for a in r["sites"] + r["fail_stack"]}
    names = symbolize(sorted(addrs))
    sites = collections.defaultdict(lambda: {"runs_reached": 0, "runs_failed_here": 0})
    paths = collections.Counter()
    rows, bad = [], []
    for (kind, name, cmd), runs, died, rc, stderr, secs in sorted(results, key=lambda x: x[0][:2]):
        inputs = collections.OrderedDict()
        for r in runs:
            inputs.setdefault(r["input"], []).append(r)
            for s in {names[a] for a in r["sites"]}:
                sites[s]["runs_reached"] += 1
            if r["fail_stack"]:
                sites[names[r["fail_stack"][0]]]["runs_failed_here"] += 1
                paths[" <- ".join(names[a] for a in r["fail_stack"][:6])] += 1
            if r["outcome"] in ("leak", "unexpected"):
                bad.append({"job": f"{kind}/{name}", "input": r["input"], "n": r["n"],
                            "outcome": r["outcome"], "detail": r["detail"]})
        sanitizer = [l for l in stderr.splitlines() if SANITIZER_RE.search(l)][:5]
        if died or rc != 0 or sanitizer:
            bad.append({"job": f"{kind}/{name}", "input": died and died["begin"], "n": died and died["n"],
                        "outcome": f"exit {rc}" + (" (died during the run)" if died else ""),
                        "detail": "; ".join(sanitizer) or stderr.strip()[-400:]})
        capped = [i for i, rs in inputs.items() if rs[-1]["capped"]]
        rows.append({"kind": kind, "name": name, "inputs": len(inputs), "runs": len(runs),
                     "injected_runs": sum(r["injected"] for r in runs),
                     "max_allocations": max((r["calls"] for r in runs if r["n"] == 0), default=0),
                     "inputs_capped": len(capped), "exit": rc, "seconds": round(secs, 2)})

    summary = {
        "schema": "rtprm-fault-sweep/1",
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cap_n_per_input": args.cap,
        "inputs": sum(r["inputs"] for r in rows),
        "conformance_cases": sum(r["inputs"] for r in rows if r["kind"] == "conformance"),
        "fuzz_inputs": sum(r["inputs"] for r in rows if r["kind"] == "fuzz-replay"),
        "runs": sum(r["runs"] for r in rows),
        "injected_runs": sum(r["injected_runs"] for r in rows),
        "inputs_capped": sum(r["inputs_capped"] for r in rows),
        "allocation_sites": len(sites),
        "failure_paths": len(paths),
        "bad_runs": len(bad),
        "seconds": round(time.time() - t0, 1),
        "jobs": rows,
        "sites": [dict(site=s, **v) for s, v in sorted(sites.items())],
        "paths": [{"stack": p, "runs": n} for p, n in sorted(paths.items())],
        "bad": bad[:200],
    }
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    md = ["# Fault-injection sweep", "",
          f"{summary['inputs']} inputs ({summary['conformance_cases']} conformance cases, {summary['fuzz_inputs']} fuzz "
          f"corpus inputs), {summary['runs']} runs ({summary['injected_runs']} with an injected allocation failure), "
          f"{summary['allocation_sites']} allocation sites reached, {summary['failure_paths']} distinct failure paths, "
          f"**{summary['bad_runs']} bad runs**; n capped at {args.cap} per input ({summary['inputs_capped']} inputs hit "
          f"the cap); {summary['seconds']} s.", "",
          "| job | inputs | runs | injected | max allocations/run | capped | exit | s |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    md += [f"| {r['kind']}/{r['name']} | {r['inputs']} | {r['runs']} | {r['injected_runs']} | {r['max_allocations']} | "
           f"{r['inputs_capped']} | {r['exit']} | {r['seconds']} |" for r in rows]
    md += ["", "## Allocation sites", "", "| site | runs reaching it | runs failing it |", "|---|---:|---:|"]
    md += [f"| `{s['site']}` | {s['runs_reached']} | {s['runs_failed_here']} |" for s in summary["sites"]]
    md += ["", "## Bad runs", ""] + ([f"- {b['job']} `{b['input']}` n={b['n']}: {b['outcome']}: {b['detail']}"
                                      for b in bad] or ["none"])
    with open(os.path.join(out, "summary.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    print(f"sweep: {summary['inputs']} inputs, {summary['runs']} runs, {summary['allocation_sites']} allocation sites, "
          f"{summary['failure_paths']} failure paths, {summary['bad_runs']} bad runs, {summary['seconds']} s "
          f"-> {os.path.relpath(out, ROOT)}/summary.json")
    for b in bad[:10]:
        print(f"sweep: BAD {b['job']} {b['input']} n={b['n']}: {b['outcome']}: {b['detail'][:300]}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
