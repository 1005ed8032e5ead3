#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""pe_vs_edk2: the divergence classes between our PE/COFF library and EDK II's
BasePeCoffLib, their anchors, campaigns and the evidence report.

  edk2_differential.py check    --replay BIN [--anchors DIR]
  edk2_differential.py report   --replay BIN --reports DIR [--corpus DIR ...] [--no-realworld]
  edk2_differential.py minimize --replay BIN INPUT OUTPUT
  edk2_differential.py campaign --libfuzzer BIN --afl BIN --seconds N [--record]

BIN is a build of fuzz/fuzz_pe_vs_edk2.c: the host preset's
fuzz_pe_vs_edk2_replay (check, report, minimize) or the fuzz / afl presets'
fuzz_pe_vs_edk2 (campaign). The classes come from the binary itself
(RTPRM_DIFF_CLASSES=1), every outcome from RTPRM_DIFF_PRINT=1 lines.

check     every class has one anchor, corpus/anchors/pe_vs_edk2/<class-id>,
          and every anchor still lands in its class.
report    replays the seeds, regressions and anchors, the real-world images
          (harnesses/realworld: each with two runtime moves), the corpora
          the last fuzz campaign left in DIR/fuzz/corpus/pe_vs_edk2/ and any
          --corpus, counts the inputs per class and writes
          DIR/anchors/edk2-differential.{md,json}; fails on an unexplained
          divergence or an anchor out of its class.
minimize  shrinks one input (truncation, then zeroing spans) while its class
          stays the same; the fuzz trailer (last 12 bytes) is kept.
campaign  both engines side by side for N seconds each, every divergence
          printed and saved instead of aborting (RTPRM_DIFF_EXPLORE); seeds
          are the committed corpus plus the real-world images up to 8 KiB.
          Fails if any input was unexplained; --record appends the figures
          to fuzz/campaigns/pe_vs_edk2.json, which report quotes.
"""
import argparse
import collections
import datetime
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "harnesses", "realworld"))
ANCHORS = os.path.join(ROOT, "corpus", "anchors", "pe_vs_edk2")
SEEDS = os.path.join(ROOT, "corpus", "pe_vs_edk2")
REGRESSIONS = os.path.join(ROOT, "corpus", "regressions", "pe_vs_edk2")
CAMPAIGNS = os.path.join(ROOT, "fuzz", "campaigns", "pe_vs_edk2.json")
TRAILER = 12
KINDS = {"a": "EDK II memory-safety defect on an input we reject",
         "b": "our documented policy", "c": "our bug (fixed; regression input kept)"}
# Two runtime moves per real-world image (trailer bits 0-7: k two-MiB steps; bit 8: kernel half).
REALWORLD_MOVES = (("up1", 0x001), ("down3-kernel", 0x1FD))
OUTCOME = re.compile(r"^pe_vs_edk2: class=(\S+) (.*)$")
REPLAYED = re.compile(r"^replay (.*) \((\d+) bytes\)$")
REAL_IMAGE_MAX = 16 << 20


def run_replay(binary, paths, env_extra=None):
    """Outcomes of the replay binary over files: {path: (class, line)}."""
    env = dict(os.environ, RTPRM_DIFF_PRINT="1", RTPRM_DIFF_EXPLORE="1", RTPRM_DIFF_IMAGE_MAX=str(REAL_IMAGE_MAX),
               ASAN_OPTIONS="detect_leaks=1:abort_on_error=1", UBSAN_OPTIONS="halt_on_error=1")
    env.update(env_extra or {})
    out, current = {}, None
    for i in range(0, len(paths), 2000):
        p = subprocess.run([binary] + paths[i:i + 2000], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, errors="replace", check=False)
        for line in p.stderr.splitlines():
            m = REPLAYED.match(line)
            if m:
                current = m.group(1)
                continue
            m = OUTCOME.match(line)
            if m and current is not None:
                out[current] = (m.group(1), m.group(0))
        if p.returncode != 0:
            raise SystemExit(f"edk2_differential: {binary} exited {p.returncode}:\n{p.stderr[-3000:]}")
    return out


def classes(binary):
    """The class table compiled into the binary, in match order."""
    seed = sorted(inputs(SEEDS))[:1]
    env = dict(os.environ, RTPRM_DIFF_CLASSES="1")
    p = subprocess.run([binary] + seed, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                       check=True)
    table = []
    for line in p.stderr.splitlines():
        f = line.split("\t")
        if f[0] == "pe_vs_edk2-class" and len(f) == 5:
            table.append({"id": f[1], "kind": f[2], "reference": f[3], "what": f[4]})
    if not table:
        raise SystemExit(f"edk2_differential: {binary} listed no classes")
    return table


def inputs(directory):
    if not os.path.isdir(directory):
        return []
    return sorted(p for p in glob.glob(os.path.join(directory, "*"))
                  if os.path.isfile(p) and not os.path.basename(p).startswith(("README", ".")))


def check_anchors(binary, anchors_dir):
    """Problems with the anchors (empty list: all good), and the outcomes."""
    table = classes(binary)
    files = inputs(anchors_dir)
    got = run_replay(binary, files) if files else {}
    problems = []
    names = {os.path.basename(f) for f in files}
    for c in table:
        if c["id"] not in names:
            problems.append(f"class {c['id']} has no anchor {os.path.join(anchors_dir, c['id'])}")
    known = {c["id"] for c in table}
    for f in files:
        name = os.path.basename(f)
        cls = got.get(f, ("(no outcome)", ""))[0]
        if name not in known:
            problems.append(f"anchor {name}: no such class in the binary")
        elif cls != name:
            problems.append(f"anchor {name} lands in {cls}: {got.get(f, ('', ''))[1]}")
    return table, got, problems


def cmd_check(a):
    table, _, problems = check_anchors(a.replay, a.anchors)
    for p in problems:
        print("FAIL", p)
    print(f"edk2_differential: {len(table)} classes, {len(inputs(a.anchors))} anchors, {len(problems)} problem(s)")
    return 1 if problems else 0


# ---------------------------------------------------------------- report --

def realworld_inputs(directory, moves=REALWORLD_MOVES, max_bytes=None):
    """The real-world images (harnesses/realworld, fetched once into the
    cache) written to directory with a fuzz trailer per runtime move, those
    up to max_bytes only if given. Returns (paths, images in the corpus)."""
    import fetch  # harnesses/realworld
    corpus, index = fetch.ensure(os.path.join(ROOT, "corpus", "realworld", "manifest.json"))
    paths = []
    for image in index["images"]:
        if max_bytes is not None and image["size"] + TRAILER > max_bytes:
            continue
        data = open(os.path.join(corpus, image["file"]), "rb").read()
        for tag, opt in moves:
            p = os.path.join(directory, f"realworld-{image['sha256'][:16]}-{tag}")
            with open(p, "wb") as f:
                f.write(data + opt.to_bytes(4, "little") + bytes(8))
            paths.append(p)
    return paths, len(index["images"])


def count(outcomes, paths):
    c = collections.Counter(outcomes[p][0] for p in paths if p in outcomes)
    missing = [p for p in paths if p not in outcomes]
    return c, missing


def load_campaigns():
    try:
        with open(CAMPAIGNS) as f:
            return json.load(f)
    except FileNotFoundError:
        return {"schema": "rtprm-campaigns/1", "target": "pe_vs_edk2", "runs": []}


def cmd_report(a):
    table, anchor_out, problems = check_anchors(a.replay, ANCHORS)
    sources = collections.OrderedDict()
    sources["seeds"] = inputs(SEEDS)
    sources["regressions"] = inputs(REGRESSIONS)
    sources["anchors"] = inputs(ANCHORS)
    # the minimized corpora of the last tools/fuzz/campaign.py run, if any
    campaign_corpora = sorted(glob.glob(os.path.join(a.reports, "fuzz", "corpus", "pe_vs_edk2", "*")))
    for d in (a.corpus or []) + [d for d in campaign_corpora if os.path.isdir(d)]:
        sources[f"corpus:{os.path.relpath(d, ROOT) if d.startswith(ROOT) else d}"] = inputs(d)
    with tempfile.TemporaryDirectory(prefix="edk2diff-") as scratch:
        images = 0
        if not a.no_realworld:
            sources["realworld"], images = realworld_inputs(scratch)
        everything = [p for paths in sources.values() for p in paths]
        outcomes = run_replay(a.replay, everything)
        counts, missing = {}, []
        for name, paths in sources.items():
            counts[name], miss = count(outcomes, paths)
            missing += miss
    unexplained = sum(c.get("UNEXPLAINED", 0) for c in counts.values())
    problems += [f"no outcome for {p}" for p in missing]
    if unexplained:
        problems.append(f"{unexplained} unexplained divergence(s)")
    report = build_report(table, anchor_out, counts, sources, images, problems)
    out = os.path.join(a.reports, "anchors")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "edk2-differential.json"), "w") as f:
        json.dump(report, f, indent=1)
    with open(os.path.join(out, "edk2-differential.md"), "w") as f:
        f.write(render_md(report))
    for p in problems:
        print("FAIL", p)
    total = sum(sum(c.values()) for c in counts.values())
    print(f"edk2_differential: {len(table)} classes, {total} inputs replayed "
          f"({images} real-world images x {len(REALWORLD_MOVES)}), {unexplained} unexplained, "
          f"{len(problems)} problem(s); {os.path.relpath(out, os.getcwd())}/edk2-differential.md")
    return 1 if problems else 0


def build_report(table, anchor_out, counts, sources, images, problems):
    rows = []
    for c in table:
        path = os.path.join(ANCHORS, c["id"])
        landed = anchor_out.get(path, ("(missing)", ""))[0]
        rows.append(dict(c, anchor=os.path.relpath(path, ROOT) if os.path.exists(path) else None,
                         anchor_bytes=os.path.getsize(path) if os.path.exists(path) else None,
                         anchor_lands=landed == c["id"],
                         counts={s: counts[s].get(c["id"], 0) for s in counts}))
    campaigns = load_campaigns()
    return {
        "schema": "rtprm-edk2-differential/1",
        "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "reference": "EDK II MdePkg/Library/BasePeCoffLib, Debian edk2 2022.11-6+deb12u2 "
                     "(harnesses/edk2ref; X64 build)",
        "target": "fuzz/fuzz_pe_vs_edk2.c",
        "kinds": KINDS,
        "classes": rows,
        "inputs": {s: {"files": len(sources[s]), "agree": counts[s].get("agree", 0),
                       "unexplained": counts[s].get("UNEXPLAINED", 0)} for s in counts},
        "realworld_images": images,
        "realworld_moves": [t for t, _ in REALWORLD_MOVES],
        "campaigns": campaigns.get("runs", []),
        "campaign_executions": sum(r.get("executions", 0) for r in campaigns.get("runs", [])),
        "problems": problems,
        "ok": not problems,
    }


def render_md(r):
    kinds = collections.Counter(c["kind"] for c in r["classes"])
    srcs = list(r["inputs"])
    lines = [
        "# pe_vs_edk2: our PE/COFF library against EDK II's BasePeCoffLib",
        "",
        f"Generated {r['generated']} by tools/fuzz/edk2_differential.py from {r['target']}. "
        f"Reference: {r['reference']}.",
        "",
        "Every input goes through both loaders the way the DXE core and SetVirtualAddressMap use a runtime "
        "image (GetImageInfo, LoadImage, RelocateImage with its fixup record, RelocateImageForRuntime; ours: "
        "rp_pe_parse, rp_pe_load, rp_pe_relocate, rp_pe_runtime_relocate). Accept vs reject is compared at every "
        "step; where both accept, the image and the fixup record byte for byte. Every disagreement falls in one "
        "class below, or the fuzz target aborts (class d, unexplained).",
        "",
        f"**{len(r['classes'])} classes**: {kinds.get('a', 0)} (a) {KINDS['a']}, {kinds.get('b', 0)} (b) "
        f"{KINDS['b']}, {kinds.get('c', 0)} (c) {KINDS['c']}. "
        f"**Unexplained: {sum(v['unexplained'] for v in r['inputs'].values())}.** "
        f"Status: {'ok' if r['ok'] else 'FAILED: ' + '; '.join(r['problems'])}.",
        "",
        "## Classes",
        "",
        "Counts are inputs landing in the class per source: " + ", ".join(
            f"{s} ({r['inputs'][s]['files']} files, {r['inputs'][s]['agree']} agree)" for s in srcs) + ".",
        "",
        "| class | kind | what | reference | anchor | " + " | ".join(srcs) + " |",
        "|---|---|---|---|---|" + "---|" * len(srcs),
    ]
    for c in r["classes"]:
        anchor = (f"`{c['anchor']}` ({c['anchor_bytes']} B, {'lands' if c['anchor_lands'] else 'DOES NOT LAND'})"
                  if c["anchor"] else "MISSING")
        lines.append(f"| `{c['id']}` | {c['kind']} | {c['what']} | {c['reference']} | {anchor} | "
                     + " | ".join(str(c["counts"].get(s, 0)) for s in srcs) + " |")
    lines += ["", "## Campaigns", ""]
    if r["campaigns"]:
        lines += [f"{r['campaign_executions']:,} executions recorded in fuzz/campaigns/pe_vs_edk2.json "
                  "(tools/fuzz/edk2_differential.py campaign --record).", "",
                  "| date | commit | engine | seconds | executions | exec/s | unexplained |", "|---|---|---|---|---|---|---|"]
        for c in r["campaigns"]:
            lines.append(f"| {c.get('date')} | `{c.get('commit')}` | {c.get('engine')} | {c.get('seconds')} | "
                         f"{c.get('executions'):,} | {c.get('exec_per_sec')} | {c.get('unexplained')} |")
    else:
        lines.append("No campaign recorded yet.")
    lines += ["", f"Real-world images: {r['realworld_images']} unique images from Debian's packages "
              f"(harnesses/realworld), each replayed with the runtime moves {', '.join(r['realworld_moves'])}.", ""]
    return "\n".join(lines)


# -------------------------------------------------------------- minimize --

def classify_many(binary, blobs, scratch):
    paths = []
    for i, b in enumerate(blobs):
        p = os.path.join(scratch, f"c{i:05d}")
        with open(p, "wb") as f:
            f.write(b)
        paths.append(p)
    got = run_replay(binary, paths)
    for p in paths:
        os.unlink(p)
    return [got.get(p, ("?", ""))[0] for p in paths]


def first_keeping(binary, candidates, want, scratch):
    """The index of the first candidate still in class want, or None
    (classified 64 at a time)."""
    for i in range(0, len(candidates), 64):
        for k, cls in enumerate(classify_many(binary, candidates[i:i + 64], scratch)):
            if cls == want:
                return i + k
    return None


def minimize(binary, data, scratch):
    want = classify_many(binary, [data], scratch)[0]
    body, trailer = data[:-TRAILER], data[-TRAILER:]
    # 1. the shortest prefix that keeps the class
    lengths = sorted({len(body) * k // 64 for k in range(1, 64)} | {len(body) - s for s in (1, 2, 4, 8, 16)
                                                                     if len(body) > s})
    prefixes = [body[:n] for n in lengths if n < len(body)]
    hit = first_keeping(binary, [b + trailer for b in prefixes], want, scratch)
    if hit is not None:
        body = prefixes[hit]
    # 2. zero spans, halving their size, while the class holds
    span = 1 << max(0, (len(body) - 1).bit_length() - 1)
    while span >= 1:
        start = 0
        while start < len(body):
            starts = [s for s in range(start, len(body), span) if any(body[s:s + span])]
            zeroed = [body[:s] + bytes(len(body[s:s + span])) + body[s + span:] for s in starts]
            hit = first_keeping(binary, [b + trailer for b in zeroed], want, scratch)
            if hit is None:
                break
            start, body = starts[hit] + span, zeroed[hit]
        span //= 2
    return body + trailer, want


def cmd_minimize(a):
    data = open(a.input, "rb").read()
    with tempfile.TemporaryDirectory(prefix="edk2min-") as scratch:
        small, cls = minimize(a.replay, data, scratch)
    with open(a.output, "wb") as f:
        f.write(small)
    print(f"edk2_differential: {a.input}: class {cls}, {len(data)} -> {len(small)} bytes, "
          f"{sum(1 for b in small if b)} non-zero")
    return 0


# -------------------------------------------------------------- campaign --

def campaign_seeds(work):
    seeds = os.path.join(work, "seeds")
    os.makedirs(seeds, exist_ok=True)
    for p in inputs(SEEDS) + inputs(REGRESSIONS):
        shutil.copy(p, seeds)
    try:
        realworld_inputs(seeds, moves=REALWORLD_MOVES[:1], max_bytes=8192)
    except Exception as e:  # the campaign still runs on the committed seeds
        print(f"edk2_differential: no real-world seeds: {e}")
    return seeds


def git_commit():
    p = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True)
    return p.stdout.strip() or "unknown"


def cmd_campaign(a):
    work = tempfile.mkdtemp(prefix="edk2camp-")
    seeds = campaign_seeds(work)
    saves = {e: os.path.join(work, f"unexplained-{e}") for e in ("libfuzzer", "afl")}
    for d in saves.values():
        os.makedirs(d)
    dict_ = os.path.join(ROOT, "fuzz", "dict", "pe_vs_edk2.dict")
    base = dict(os.environ, RTPRM_DIFF_EXPLORE="1", ASAN_OPTIONS="detect_leaks=1:abort_on_error=1",
                UBSAN_OPTIONS="halt_on_error=1")
    lf_corpus = os.path.join(work, "lf-corpus")
    os.makedirs(lf_corpus)
    lf_log = open(os.path.join(work, "libfuzzer.log"), "w")
    lf = subprocess.Popen([a.libfuzzer, lf_corpus, seeds, f"-max_total_time={a.seconds}", "-max_len=8192",
                           f"-dict={dict_}", "-print_final_stats=1", f"-artifact_prefix={work}/"],
                          env=dict(base, RTPRM_DIFF_SAVE=saves["libfuzzer"]), stdout=lf_log, stderr=subprocess.STDOUT)
    afl_out = os.path.join(work, "afl")
    # afl-fuzz sets ASAN_OPTIONS / UBSAN_OPTIONS itself and refuses others
    afl_env = {k: v for k, v in base.items() if k not in ("ASAN_OPTIONS", "UBSAN_OPTIONS")}
    afl_env.update(RTPRM_DIFF_SAVE=saves["afl"], AFL_SKIP_CPUFREQ="1", AFL_NO_UI="1", AFL_NO_AFFINITY="1",
                   AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES="1", AFL_QUIET="1")
    afl_log = open(os.path.join(work, "afl.log"), "w")
    afl = subprocess.Popen(["afl-fuzz", "-i", seeds, "-o", afl_out, "-V", str(a.seconds), "-m", "none",
                            "-x", dict_, "--", a.afl], env=afl_env, stdout=afl_log, stderr=subprocess.STDOUT)
    lf.wait()
    afl.wait()
    lf_log.close()
    afl_log.close()
    runs = [libfuzzer_figures(os.path.join(work, "libfuzzer.log"), a.seconds, saves["libfuzzer"]),
            afl_figures(os.path.join(afl_out, "default", "fuzzer_stats"), a.seconds, saves["afl"])]
    total = sum(r["executions"] for r in runs)
    bad = sum(r["unexplained"] for r in runs)
    for r in runs:
        print(f"edk2_differential: {r['engine']}: {r['executions']:,} executions in {r['seconds']} s "
              f"({r['exec_per_sec']}/s), {r['unexplained']} unexplained")
    print(f"edk2_differential: {total:,} executions, {bad} unexplained; work directory {work}")
    if a.record and not bad:
        rec = load_campaigns()
        rec["runs"] += runs
        os.makedirs(os.path.dirname(CAMPAIGNS), exist_ok=True)
        with open(CAMPAIGNS, "w") as f:
            json.dump(rec, f, indent=1)
            f.write("\n")
    return 1 if bad or lf.returncode not in (0,) or afl.returncode != 0 else 0


def stamp(engine, seconds, executions, saves):
    return {"date": datetime.date.today().isoformat(), "commit": git_commit(), "engine": engine,
            "seconds": seconds, "executions": executions,
            "exec_per_sec": round(executions / seconds) if seconds else None,
            "unexplained": len(os.listdir(saves)), "host": f"{os.cpu_count()} cores"}


def libfuzzer_figures(log, seconds, saves):
    text = open(log, errors="replace").read()
    m = re.findall(r"stat::number_of_executed_units:\s*(\d+)", text)
    return stamp("libfuzzer", seconds, max(map(int, m)) if m else 0, saves)


def afl_figures(stats, seconds, saves):
    execs = 0
    with open(stats) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k.strip() == "execs_done":
                execs = int(v)
    return stamp("afl++", seconds, execs, saves)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("--replay", required=True)
    c.add_argument("--anchors", default=ANCHORS)
    r = sub.add_parser("report")
    r.add_argument("--replay", required=True)
    r.add_argument("--reports", required=True)
    r.add_argument("--corpus", action="append", help="an extra corpus directory (a campaign's)")
    r.add_argument("--no-realworld", action="store_true")
    m = sub.add_parser("minimize")
    m.add_argument("--replay", required=True)
    m.add_argument("input")
    m.add_argument("output")
    k = sub.add_parser("campaign")
    k.add_argument("--libfuzzer", required=True)
    k.add_argument("--afl", required=True)
    k.add_argument("--seconds", type=int, required=True)
    k.add_argument("--record", action="store_true")
    a = ap.parse_args(argv)
    return {"check": cmd_check, "report": cmd_report, "minimize": cmd_minimize, "campaign": cmd_campaign}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
