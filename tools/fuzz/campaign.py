#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Fuzz campaign: every target under libFuzzer and AFL++ side by side.

For each fuzz/fuzz_<target>.c, runs build/fuzz/bin/fuzz_<target> (libFuzzer)
and build/afl/bin/fuzz_<target> (afl-fuzz) at the same time, one core each,
for SECONDS, starting from corpus/<target>/ and corpus/regressions/<target>/.
Writes reports/fuzz/summary.json (per target and engine: executions, exec/s,
coverage, corpus size, crashes). Any crash input is copied to
corpus/regressions/<target>/crash-<engine>-<sha1> and the run fails, so the
finding is replayed by ctest from then on.

While running, coverage is sampled once a second (libFuzzer: the last
"cov:" in its log; AFL++: its plot_data), a progress line is printed every
5 s, and after the run each engine's corpus is merged and minimized
(libFuzzer -merge=1 into a fresh directory, afl-cmin over the AFL++ queue)
into reports/fuzz/corpus/<target>/<engine>/; --update-seeds also copies new
minimized libFuzzer inputs into corpus/<target>/ (committed seeds are never
removed). reports/fuzz/<target>.svg plots coverage over time, both engines.
"""
import argparse
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plot  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def targets():
    return sorted(os.path.basename(p)[5:-2] for p in glob.glob(os.path.join(ROOT, "fuzz", "fuzz_*.c"))
                  if not p.endswith("fuzz_common.c"))


def start_libfuzzer(target, seconds, work):
    corpus = os.path.join(work, "libfuzzer", "corpus")
    artifacts = os.path.join(work, "libfuzzer", "artifacts") + "/"
    os.makedirs(corpus, exist_ok=True)
    os.makedirs(artifacts, exist_ok=True)
    cmd = [os.path.join(ROOT, "build", "fuzz", "bin", f"fuzz_{target}"), corpus,
           os.path.join(ROOT, "corpus", target), os.path.join(ROOT, "corpus", "regressions", target),
           f"-max_total_time={seconds}", "-print_final_stats=1", f"-artifact_prefix={artifacts}"]
    log = open(os.path.join(work, "libfuzzer", "log.txt"), "w")
    env = dict(os.environ, UBSAN_OPTIONS="halt_on_error=1", ASAN_OPTIONS="abort_on_error=1:detect_leaks=1")
    return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env), log


def start_afl(target, seconds, work):
    out = os.path.join(work, "afl")
    shutil.rmtree(out, ignore_errors=True)
    seeds = os.path.join(work, "afl-seeds")
    shutil.rmtree(seeds, ignore_errors=True)
    os.makedirs(seeds)
    for src in glob.glob(os.path.join(ROOT, "corpus", target, "*")) + \
            glob.glob(os.path.join(ROOT, "corpus", "regressions", target, "*")):
        if os.path.isfile(src) and not os.path.basename(src).startswith("README"):
            shutil.copy(src, seeds)
    cmd = ["afl-fuzz", "-i", seeds, "-o", out, "-V", str(seconds), "-m", "none", "--",
           os.path.join(ROOT, "build", "afl", "bin", f"fuzz_{target}")]
    env = dict(os.environ, AFL_SKIP_CPUFREQ="1", AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES="1", AFL_NO_UI="1",
               AFL_NO_AFFINITY="1")
    log = open(os.path.join(work, "afl-log.txt"), "w")
    return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env), log


def libfuzzer_stats(work):
    text = open(os.path.join(work, "libfuzzer", "log.txt"), errors="replace").read()
    stat = lambda name: int(m.group(1)) if (m := re.search(rf"stat::{name}:\s+(\d+)", text)) else None
    cov = re.findall(r"cov: (\d+) ft: (\d+)", text)
    crashes = glob.glob(os.path.join(work, "libfuzzer", "artifacts", "*"))
    return {"engine": "libfuzzer", "executions": stat("number_of_executed_units"),
            "exec_per_sec": stat("average_exec_per_sec"),
            "coverage": {"edges": int(cov[-1][0]) if cov else None, "features": int(cov[-1][1]) if cov else None},
            "corpus_size": len(os.listdir(os.path.join(work, "libfuzzer", "corpus"))),
            "crashes": len(crashes)}, crashes


def afl_stats(work):
    stats = {}
    path = os.path.join(work, "afl", "default", "fuzzer_stats")
    if os.path.exists(path):
        for line in open(path):
            k, _, v = line.partition(":")
            stats[k.strip()] = v.strip()
    crashes = [p for p in glob.glob(os.path.join(work, "afl", "default", "crashes", "id*"))]
    num = lambda k: float(stats[k]) if k in stats else None
    return {"engine": "afl++", "executions": int(num("execs_done") or 0),
            "exec_per_sec": num("execs_per_sec"),
            "coverage": {"edges": int(num("edges_found") or 0), "bitmap": stats.get("bitmap_cvg")},
            "corpus_size": int(num("corpus_count") or 0), "crashes": len(crashes)}, crashes


def libfuzzer_cov(work):
    try:
        with open(os.path.join(work, "libfuzzer", "log.txt"), errors="replace") as f:
            cov = re.findall(r"cov: (\d+)", f.read())
        return int(cov[-1]) if cov else None
    except OSError:
        return None


def afl_series(work):
    """(relative_time, edges_found) rows from AFL++'s plot_data."""
    path, rows = os.path.join(work, "afl", "default", "plot_data"), []
    if os.path.exists(path):
        cols = None
        for line in open(path):
            if line.startswith("#"):
                cols = [c.strip() for c in line[1:].split(",")]
                continue
            vals = [v.strip() for v in line.split(",")]
            if cols and "edges_found" in cols and len(vals) == len(cols):
                rows.append((float(vals[cols.index("relative_time")]), int(vals[cols.index("edges_found")])))
    return rows


def afl_edges_now(work):
    rows = afl_series(work)
    return rows[-1][1] if rows else None


def minimize(target, engine, work, reports, update_seeds):
    """Merged + minimized corpus under reports/fuzz/corpus/<target>/<engine>/."""
    dest = os.path.join(reports, "fuzz", "corpus", target, "afl" if engine != "libfuzzer" else "libfuzzer")
    shutil.rmtree(dest, ignore_errors=True)
    seeds = os.path.join(ROOT, "corpus", target)
    if engine == "libfuzzer":
        os.makedirs(dest)
        cmd = [os.path.join(ROOT, "build", "fuzz", "bin", f"fuzz_{target}"), "-merge=1", dest,
               os.path.join(work, "libfuzzer", "corpus"), seeds]
        tool = "libFuzzer -merge=1"
    else:
        queue = os.path.join(work, "afl", "default", "queue")
        if not os.path.isdir(queue):
            return {"tool": "afl-cmin", "files": None, "error": "no AFL++ queue"}
        cmd = ["afl-cmin", "-i", queue, "-o", dest, "-m", "none", "--",
               os.path.join(ROOT, "build", "afl", "bin", f"fuzz_{target}")]
        tool = "afl-cmin"
    env = dict(os.environ, AFL_SKIP_CPUFREQ="1", AFL_NO_AFFINITY="1", ASAN_OPTIONS="detect_leaks=0:abort_on_error=1")
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, errors="replace", env=env, timeout=300)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        rc = "timeout"
    files = sorted(os.listdir(dest)) if os.path.isdir(dest) else []
    added = []
    if update_seeds and engine == "libfuzzer" and rc == 0:
        have = {hashlib.sha1(open(os.path.join(seeds, f), "rb").read()).hexdigest() for f in os.listdir(seeds)}
        for f in files:
            data = open(os.path.join(dest, f), "rb").read()
            if hashlib.sha1(data).hexdigest() not in have:
                name = f"min-{hashlib.sha1(data).hexdigest()[:16]}"
                shutil.copy(os.path.join(dest, f), os.path.join(seeds, name))
                added.append(name)
    return {"tool": tool, "exit": rc, "files": len(files), "bytes": sum(os.path.getsize(os.path.join(dest, f))
                                                                         for f in files),
            "dir": os.path.relpath(dest, reports), "seeds_added": added}


def keep_crashes(target, engine, crashes):
    kept = []
    dest = os.path.join(ROOT, "corpus", "regressions", target)
    os.makedirs(dest, exist_ok=True)
    for c in crashes:
        data = open(c, "rb").read()
        name = f"crash-{engine}-{hashlib.sha1(data).hexdigest()[:16]}"
        with open(os.path.join(dest, name), "wb") as f:
            f.write(data)
        kept.append(os.path.relpath(os.path.join(dest, name), ROOT))
    return kept


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("seconds", type=int)
    ap.add_argument("--reports", default=os.path.join(ROOT, "reports"))
    ap.add_argument("--update-seeds", action="store_true",
                    help="add new minimized libFuzzer inputs to corpus/<target>/ (never removes a seed)")
    args = ap.parse_args()
    summary = {"seconds_per_engine": args.seconds, "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "targets": {}}
    found = 0
    for target in targets():
        work = os.path.join(ROOT, "build", "fuzz-campaign", target)
        os.makedirs(work, exist_ok=True)
        print(f"fuzz: {target}: libFuzzer and AFL++ for {args.seconds}s each, in parallel", flush=True)
        runs = [start_libfuzzer(target, args.seconds, work), start_afl(target, args.seconds, work)]
        deadline, t0, samples, last = time.time() + args.seconds + 60, time.time(), [], 0
        while any(p.poll() is None for p, _ in runs):
            if time.time() > deadline:
                for p, _ in runs:
                    p.kill()
                break
            time.sleep(1)
            samples.append((round(time.time() - t0, 1), libfuzzer_cov(work)))
            if time.time() - last >= 5:
                last = time.time()
                print(f"fuzz: {target}: {int(time.time() - t0)}s/{args.seconds}s, libFuzzer cov {samples[-1][1]}, "
                      f"AFL++ edges {afl_edges_now(work)}", flush=True)
        for _, log in runs:
            log.close()
        results = []
        for stats_fn, engine in ((libfuzzer_stats, "libfuzzer"), (afl_stats, "afl")):
            stats, crashes = stats_fn(work)
            stats["regressions_added"] = keep_crashes(target, engine, crashes)
            found += len(crashes)
            results.append(stats)
            print(f"fuzz: {target}/{stats['engine']}: {stats['executions']} execs, {stats['exec_per_sec']} exec/s, "
                  f"edges {stats['coverage']['edges']}, corpus {stats['corpus_size']}, crashes {stats['crashes']}")
        series = {"libfuzzer": [s for s in samples if s[1] is not None], "afl++": afl_series(work)}
        for stats in results:
            stats["coverage_over_time"] = series["libfuzzer" if stats["engine"] == "libfuzzer" else "afl++"]
            stats["minimized"] = minimize(target, stats["engine"], work, args.reports, args.update_seeds)
            print(f"fuzz: {target}/{stats['engine']}: minimized corpus {stats['minimized'].get('files')} files "
                  f"({stats['minimized'].get('tool')})", flush=True)
        os.makedirs(os.path.join(args.reports, "fuzz"), exist_ok=True)
        plot.write_svg(os.path.join(args.reports, "fuzz", f"{target}.svg"), target, series,
                       {"libfuzzer": "libFuzzer cov (edges, SanitizerCoverage)", "afl++": "AFL++ edges_found"})
        summary["targets"][target] = results
    os.makedirs(os.path.join(args.reports, "fuzz"), exist_ok=True)
    with open(os.path.join(args.reports, "fuzz", "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(f"fuzz: summary -> {os.path.join(args.reports, 'fuzz', 'summary.json')}; crashes: {found}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
