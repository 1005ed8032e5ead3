#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Coverage evidence for impl/ from the `coverage` preset build.

One build carries two instrumentations (cmake/RtprmCompile.cmake):
  * gcov notes/data (--coverage)          -> gcovr 5.2 via `llvm-cov-19 gcov`
  * source-based profiles with MC/DC      -> llvm-profdata-19 / llvm-cov-19

Steps (each prints a progress line):
  1. check the build dir is a coverage build (configure it first if it is the
     default build/coverage and has no cache), build it;
  2. delete old *.gcda / *.profraw / merged profile (idempotent re-runs), and
     the JUnit files the selected tests will write (cmocka 1.1.5 never
     overwrites an existing CMOCKA_XML_FILE);
  3. run `ctest --preset coverage` (default build dir) or, for another build
     dir, the same preset translated to plain ctest options, with
     LLVM_PROFILE_FILE=BUILD/profiles/%p-%m.profraw;
  4. gcovr  -> REPORTS/coverage/{index.html,cobertura.xml,summary.json,coverage.json,gcovr.txt,gcovr-summary.txt}
  5. llvm-cov -> REPORTS/coverage/{mcdc-summary.txt,mcdc.json,mcdc/index.html}
     (TOTAL row of `report` cross-checked against `export -summary-only`;
     in-scope functions whose name other binaries also define, e.g. `main`,
     are re-counted from their own binary's profiles and listed);
     then by-directory.{json,md}: lines/branches/functions per directory from
     coverage.json (cross-checked against gcovr's own summary.json) and MC/DC
     conditions per directory from mcdc.json (cross-checked against its totals);
  6. REPORTS/coverage/meta.json: revision, tools, scope, exclusions, ctest rc.

Scope: every file under impl/ minus tools/evidence/coverage-exclusions.txt.

Exit status: 0 ok; 1 pipeline error (no profile, tool failure, cross-check
mismatch); 3 the tests failed (all reports are still written).
Python: Debian's /usr/bin/python3, standard library only.
"""

import argparse
import datetime
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_ROOT = os.path.dirname(os.path.dirname(HERE))
SCOPE = "impl/"
LLVM_COV = "llvm-cov-19"
LLVM_PROFDATA = "llvm-profdata-19"
LLVM_READELF = "llvm-readelf-19"
GCOVR = "gcovr"
COVMAP_SECTION = "__llvm_covfun"  # present in every object/binary with coverage mapping
EXIT_PIPELINE = 1
EXIT_TESTS_FAILED = 3


class PipelineError(Exception):
    pass


def log(msg):
    print(f"[coverage] {msg}", flush=True)


def run(cmd, *, cwd=None, env=None, capture=False, check=True, quiet=False, abbreviate=False):
    if not quiet:
        shown = cmd
        if abbreviate and len(cmd) > 14:  # long llvm-cov object lists: full command in mcdc.json
            shown = cmd[:8] + [f"... ({len(cmd) - 8} more arguments)"]
        log("$ " + shlex.join(shown))
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=env, text=True,
                              stdout=subprocess.PIPE if capture else None,
                              stderr=subprocess.PIPE if capture else None)
    except FileNotFoundError as exc:
        raise PipelineError(f"tool not found: {cmd[0]} ({exc})") from None
    if check and proc.returncode != 0:
        detail = ""
        if capture:
            detail = "\n" + (proc.stderr or "")[-4000:]
        raise PipelineError(f"{cmd[0]} failed with exit code {proc.returncode}{detail}")
    return proc


def tool_version(cmd):
    try:
        out = subprocess.run(cmd, text=True, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in out.splitlines():
        if "version" in line.lower() or re.search(r"\d+\.\d+", line):
            return line.strip()
    return out.strip().splitlines()[0] if out.strip() else None


# ---------------------------------------------------------------- scope -----

def read_exclusions(path, root):
    """Parse coverage-exclusions.txt -> list of {"path", "reason"}."""
    if not os.path.isfile(path):
        raise PipelineError(f"exclusions file missing: {path}")
    entries, seen = [], set()
    with open(path, encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 1)
            rel = parts[0]
            reason = parts[1].strip() if len(parts) > 1 else ""
            where = f"{path}:{lineno}"
            if not reason:
                raise PipelineError(f"{where}: exclusion '{rel}' has no reason")
            if not rel.startswith(SCOPE) or ".." in rel.split("/") or rel.startswith("/"):
                raise PipelineError(f"{where}: '{rel}' must be a relative path under {SCOPE}")
            if rel in seen:
                raise PipelineError(f"{where}: duplicate exclusion '{rel}'")
            seen.add(rel)
            entries.append({"path": rel, "reason": reason,
                            "exists": os.path.exists(os.path.join(root, rel))})
    return entries


def ere_escape(text):
    """Escape for POSIX ERE (llvm::Regex) and Python re alike."""
    return re.sub(r"([.\[\]{}()\\*+?^$|])", r"\\\1", text)


def exclusion_regex(root, entry, anchor="^"):
    """Regex for one exclusion. gcovr wants no '^' (it re.match()es, and only a
    regex starting with '/' is taken as an absolute-path filter)."""
    rel = entry["path"]
    rx = anchor + ere_escape(os.path.join(root, rel))
    if not rel.endswith("/"):
        rx += "$"
    return rx


# ---------------------------------------------------------------- build -----

def read_cache(build):
    cache = {}
    path = os.path.join(build, "CMakeCache.txt")
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            m = re.match(r"^([A-Za-z0-9_.-]+):[A-Z_]+=(.*)$", line.rstrip("\n"))
            if m:
                cache[m.group(1)] = m.group(2)
    return cache


def prepare_build(root, build, default_build, do_build):
    if not os.path.isfile(os.path.join(build, "CMakeCache.txt")):
        if os.path.realpath(build) == os.path.realpath(default_build):
            log("configuring: no CMakeCache.txt in the default coverage build dir")
            run(["cmake", "--preset", "coverage"], cwd=root)
        else:
            raise PipelineError(
                f"{build} is not configured; run: cmake --preset coverage -B {build}")
    cache = read_cache(build)
    if cache.get("RTPRM_COVERAGE", "").upper() not in ("ON", "1", "TRUE", "YES"):
        raise PipelineError(f"{build} is not a coverage build (RTPRM_COVERAGE={cache.get('RTPRM_COVERAGE')!r})")
    compiler = cache.get("CMAKE_C_COMPILER", "")
    if "clang-19" not in os.path.basename(compiler):
        raise PipelineError(f"{build}: CMAKE_C_COMPILER={compiler!r}; MC/DC needs clang-19 (coverage preset)")
    if do_build:
        log(f"building {build}")
        run(["cmake", "--build", build], cwd=root)
    return cache


def clean_runtime_data(build, profiles_dir):
    removed = 0
    for pattern in ("**/*.gcda", "**/*.profraw", "**/*.gcov"):
        for path in glob.glob(os.path.join(build, pattern), recursive=True):
            os.remove(path)
            removed += 1
    if os.path.isdir(profiles_dir):
        shutil.rmtree(profiles_dir)
    merged = os.path.join(build, "coverage.profdata")
    if os.path.exists(merged):
        os.remove(merged)
        removed += 1
    os.makedirs(profiles_dir)
    log(f"cleaned {removed} old .gcda/.profraw/.gcov/.profdata file(s) under {build}")


def load_test_preset(root, name="coverage"):
    """The `coverage` test preset from CMakePresets.json, with `inherits` resolved."""
    with open(os.path.join(root, "CMakePresets.json"), encoding="utf-8") as fh:
        presets = {p["name"]: p for p in json.load(fh).get("testPresets", [])}

    def resolve(n, depth=0):
        if n not in presets or depth > 16:
            raise PipelineError(f"CMakePresets.json: test preset {n!r} not found")
        p = presets[n]
        inherits = p.get("inherits", [])
        merged = {}
        for parent in ([inherits] if isinstance(inherits, str) else inherits):
            for k, v in resolve(parent, depth + 1).items():
                merged[k] = v
        for k, v in p.items():
            if isinstance(v, dict) and isinstance(merged.get(k), dict):
                merged[k] = {**merged[k], **v}
            else:
                merged[k] = v
        return merged
    return resolve(name)


def expand_macros(value, root, preset_name):
    def sub(m):
        kind, var = m.group(1), m.group(2)
        if kind in ("env", "penv"):
            return os.environ.get(var, "")
        table = {"sourceDir": root, "presetName": preset_name, "dollar": "$",
                 "sourceParentDir": os.path.dirname(root), "pathListSep": os.pathsep}
        if var not in table:
            raise PipelineError(f"CMakePresets.json: cannot expand ${{{var}}} outside ctest")
        return table[var]
    return re.sub(r"\$(env|penv)?\{([^}]*)\}", sub, value)


def preset_as_ctest_args(root, preset):
    """Translate the test preset into plain ctest options, for a non-default build dir
    (`ctest --preset` always uses the preset's binaryDir, --test-dir does not override it)."""
    args, env = [], {}
    known = {"name", "configurePreset", "displayName", "description", "hidden", "inherits",
             "output", "filter", "execution", "environment", "condition", "vendor"}
    unknown = set(preset) - known
    if unknown:
        raise PipelineError(f"cannot mirror test preset keys {sorted(unknown)} for a non-default build dir")
    out = preset.get("output", {})
    if out.get("outputOnFailure"):
        args.append("--output-on-failure")
    if out.get("verbosity") == "verbose":
        args.append("-V")
    elif out.get("verbosity") == "extra":
        args.append("-VV")
    flt = preset.get("filter", {})
    for key, opt in (("include", {"label": "-L", "name": "-R"}), ("exclude", {"label": "-LE", "name": "-E"})):
        for k, v in flt.get(key, {}).items():
            if k not in opt:
                raise PipelineError(f"cannot mirror test preset filter.{key}.{k}")
            args += [opt[k], v]
    exe = preset.get("execution", {})
    for k, v in exe.items():
        if k == "noTestsAction":
            if v != "default":
                args.append(f"--no-tests={'error' if v == 'error' else 'ignore'}")
        elif k == "timeout":
            args += ["--timeout", str(v)]
        elif k == "jobs":
            args += ["-j", str(v)]
        elif k == "stopOnFailure":
            if v:
                args.append("--stop-on-failure")
        else:
            raise PipelineError(f"cannot mirror test preset execution.{k}")
    for k, v in preset.get("environment", {}).items():
        if v is not None:
            env[k] = expand_macros(v, root, preset["name"])
    return args, env


def run_tests(root, build, default_build, profiles_dir):
    env = dict(os.environ)
    profile_pattern = os.path.join(profiles_dir, "%p-%m.profraw")
    preset = load_test_preset(root)
    if os.path.realpath(build) == os.path.realpath(default_build):
        cmd = ["ctest", "--preset", "coverage"]
        preset_profile = preset.get("environment", {}).get("LLVM_PROFILE_FILE")
        if preset_profile is not None and \
                expand_macros(preset_profile, root, "coverage") != profile_pattern:
            # A preset's environment wins over the caller's; refuse instead of losing profiles.
            raise PipelineError(
                f"the coverage test preset sets LLVM_PROFILE_FILE={preset_profile!r}; "
                f"it must be \"${{sourceDir}}/build/coverage/profiles/%p-%m.profraw\" or unset")
    else:
        args, preset_env = preset_as_ctest_args(root, preset)
        env.update(preset_env)
        cmd = ["ctest", "--test-dir", build, *args]
        log("non-default build dir: test preset 'coverage' mirrored as plain ctest options")
    env["LLVM_PROFILE_FILE"] = profile_pattern
    junit_patterns = remove_stale_junit(cmd, root, env)
    log(f"running tests with LLVM_PROFILE_FILE={profile_pattern}")
    started = time.time()
    proc = run(cmd, cwd=root, env=env, check=False)
    log(f"ctest exit code {proc.returncode} after {time.time() - started:.1f}s")
    for pattern in junit_patterns:
        fresh = [p for p in glob.glob(pattern) if os.path.getmtime(p) >= started - 1]
        if not fresh:
            print(f"[coverage] WARNING: no JUnit file matching {pattern} was written by this run",
                  file=sys.stderr)
    return cmd, proc.returncode


def remove_stale_junit(cmd, root, env):
    """Delete the JUnit files the selected tests are about to write.

    cmocka 1.1.5 never overwrites an existing CMOCKA_XML_FILE: when the file
    exists it prints the XML to stderr instead, so without this a re-run would
    leave the previous run's results (pass or fail) in reports/junit/."""
    proc = subprocess.run([*cmd, "--show-only=json-v1"], cwd=root, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise PipelineError(f"ctest --show-only=json-v1 failed: {proc.stderr.strip()}")
    patterns = set()
    for test in json.loads(proc.stdout).get("tests", []):
        for prop in test.get("properties", []):
            if prop.get("name") != "ENVIRONMENT":
                continue
            for item in prop.get("value", []):
                if item.startswith("CMOCKA_XML_FILE="):
                    patterns.add(item.split("=", 1)[1].replace("%g", "*"))
    removed = 0
    for pattern in sorted(patterns):
        for path in glob.glob(pattern):
            os.remove(path)
            removed += 1
    log(f"removed {removed} JUnit file(s) the tests will rewrite (cmocka never overwrites CMOCKA_XML_FILE)")
    return sorted(patterns)


# ---------------------------------------------------------------- gcovr -----

def gcovr_percent(covered, total):
    """gcovr 5.2 CoverageStat.percent: 1 decimal, capped at 99.9 unless complete."""
    if not total:
        return None
    if covered == total:
        return 100.0
    return min(99.9, round(covered / total * 100.0, 1))


def run_gcovr(root, build, out, exclusions, jobs):
    filt = ere_escape(os.path.join(root, SCOPE))
    # gcovr 5.2 runs gcov in --object-directory if given, else in --root, and
    # gcov drops its *.gcov files there: a private scratch dir keeps them out of
    # the source tree and away from any other gcovr run on the same repo (the
    # lock gcovr takes is per process). CMake compiles with absolute source
    # paths, so gcov resolves sources from any directory.
    workdir = os.path.join(build, "gcovr-work")
    if os.path.isdir(workdir):
        shutil.rmtree(workdir)
    os.makedirs(workdir)
    cmd = [GCOVR, "--root", root, "--gcov-executable", f"{LLVM_COV} gcov",
           "--object-directory", workdir, "-j", str(jobs), "--filter", filt]
    for entry in exclusions:
        cmd += ["--exclude", exclusion_regex(root, entry, anchor="")]
    cmd += ["--decisions",
            "--html-details", os.path.join(out, "index.html"),
            "--html-title", "rtprm impl/ coverage (gcovr, llvm-cov-19 gcov)",
            "--cobertura", os.path.join(out, "cobertura.xml"), "--cobertura-pretty",
            "--json", os.path.join(out, "coverage.json"),
            "--json-summary", os.path.join(out, "summary.json"), "--json-summary-pretty",
            "--txt", os.path.join(out, "gcovr.txt"),
            "--print-summary", build]
    log("gcovr: line/branch/function (+ heuristic decisions in HTML/JSON)")
    proc = run(cmd, cwd=root, capture=True)
    if proc.stderr.strip():
        sys.stderr.write(proc.stderr)
    summary_lines = [l for l in proc.stdout.splitlines() if re.match(r"^(lines|functions|branches):", l)]
    with open(os.path.join(out, "gcovr-summary.txt"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(summary_lines) + "\n")
    for line in summary_lines:
        log("gcovr " + line)
    return cmd


def file_stats_from_gcovr_json(entry):
    """Recompute gcovr 5.2 per-file counts from one coverage.json file entry."""
    lt = lc = bt = bc = 0
    for line in entry.get("lines", []):
        if line.get("gcovr/noncode"):
            continue
        lt += 1
        if line.get("count", 0) > 0:
            lc += 1
        for br in line.get("branches", []):
            bt += 1
            if br.get("count", 0) > 0:
                bc += 1
    funcs = entry.get("functions", [])
    ft = len(funcs)
    fc = sum(1 for f in funcs if f.get("execution_count", 0) > 0)
    return {"line_total": lt, "line_covered": lc, "branch_total": bt,
            "branch_covered": bc, "function_total": ft, "function_covered": fc}


KEYS = ("line", "branch", "function")


def add_percents(row):
    for k in KEYS:
        row[f"{k}_percent"] = gcovr_percent(row[f"{k}_covered"], row[f"{k}_total"])
    return row


def mcdc_by_directory(mcdc):
    """{directory: {"count", "covered"}} of MC/DC conditions from mcdc.json's
    per-file rows, cross-checked against llvm-cov's own totals."""
    dirs, count, covered = {}, 0, 0
    for f in mcdc.get("files", []):
        m = f["mcdc"]
        d = os.path.dirname(f["filename"]) or "."
        row = dirs.setdefault(d, {"count": 0, "covered": 0})
        row["count"] += m["count"]
        row["covered"] += m["covered"]
        count += m["count"]
        covered += m["covered"]
    t = mcdc["totals"]["mcdc"]
    if (count, covered) != (t["count"], t["covered"]):
        raise PipelineError(f"MC/DC by directory: files sum to {covered}/{count}, "
                            f"llvm-cov totals say {t['covered']}/{t['count']}")
    return dirs


def mcdc_percent(covered, count):
    """As mcdc.json: two decimals; None when there is nothing to cover."""
    return round(covered * 100.0 / count, 2) if count else None


def by_directory(out, mcdc):
    with open(os.path.join(out, "coverage.json"), encoding="utf-8") as fh:
        detail = json.load(fh)
    with open(os.path.join(out, "summary.json"), encoding="utf-8") as fh:
        summary = json.load(fh)
    gcovr_files = {f["filename"]: f for f in summary.get("files", [])}
    dirs, total = {}, {f"{k}_{c}": 0 for k in KEYS for c in ("total", "covered")}
    files = sorted(detail.get("files", []), key=lambda f: f["file"])
    if not files:
        raise PipelineError("gcovr found no source file in scope (no .gcno under the build dir?)")
    mismatches = []
    for entry in files:
        name = entry["file"]
        stats = file_stats_from_gcovr_json(entry)
        theirs = gcovr_files.get(name)
        if theirs is None or any(theirs.get(k) != v for k, v in stats.items()):
            mismatches.append(f"{name}: recomputed {stats} vs summary.json {theirs}")
        d = os.path.dirname(name) or "."
        row = dirs.setdefault(d, {"directory": d, "files": 0,
                                  **{f"{k}_{c}": 0 for k in KEYS for c in ("total", "covered")}})
        row["files"] += 1
        for k, v in stats.items():
            row[k] += v
            total[k] += v
    for k in total:
        if summary.get(k) != total[k]:
            mismatches.append(f"TOTAL {k}: recomputed {total[k]} vs summary.json {summary.get(k)}")
    if mismatches:
        raise PipelineError("by-directory cross-check against gcovr summary.json failed:\n  "
                            + "\n  ".join(mismatches))
    mc_dirs = mcdc_by_directory(mcdc)
    for d in sorted(set(mc_dirs) - set(dirs)):  # code only llvm-cov maps (none so far)
        dirs[d] = {"directory": d, "files": 0, **{f"{k}_{c}": 0 for k in KEYS for c in ("total", "covered")}}
    rows = [add_percents(dirs[d]) for d in sorted(dirs)]
    total_row = add_percents({"directory": "TOTAL", "files": len(files), **total})
    for r in rows:
        m = mc_dirs.get(r["directory"], {"count": 0, "covered": 0})
        r.update(mcdc_total=m["count"], mcdc_covered=m["covered"], mcdc_percent=mcdc_percent(m["covered"], m["count"]))
    t = mcdc["totals"]["mcdc"]
    total_row.update(mcdc_total=t["count"], mcdc_covered=t["covered"], mcdc_percent=mcdc_percent(t["covered"], t["count"]))
    doc = {"producer": "tools/evidence/coverage.py",
           "source": "coverage.json (gcovr 5.2): lines, branches, functions; mcdc.json (llvm-cov-19): MC/DC conditions",
           "percent_rule": "gcovr 5.2: one decimal, capped at 99.9 unless all covered; MC/DC as mcdc.json "
                           "(two decimals); null if nothing to cover",
           "directories": rows, "total": total_row}
    with open(os.path.join(out, "by-directory.json"), "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=2)
        fh.write("\n")

    def pct(v):
        return "n/a" if v is None else f"{v:.1f}%"

    def pct2(v):
        return "n/a" if v is None else f"{v:.2f}%"

    md = ["# impl/ coverage by directory (gcovr; MC/DC: llvm-cov-19)", "",
          "Generated by `tools/evidence/coverage.py`: lines, branches and functions from gcovr's `coverage.json` "
          "(totals equal its `summary.json`); MC/DC conditions from `mcdc.json` (totals equal llvm-cov's).",
          "", "| Directory | Files | Lines | Line % | Branches | Branch % | Functions | Function % "
          "| MC/DC conditions | MC/DC % |",
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows + [total_row]:
        name = f"**{r['directory']}**" if r is total_row else f"`{r['directory']}/`"
        md.append(f"| {name} | {r['files']} | {r['line_covered']}/{r['line_total']} | {pct(r['line_percent'])} "
                  f"| {r['branch_covered']}/{r['branch_total']} | {pct(r['branch_percent'])} "
                  f"| {r['function_covered']}/{r['function_total']} | {pct(r['function_percent'])} "
                  f"| {r['mcdc_covered']}/{r['mcdc_total']} | {pct2(r['mcdc_percent'])} |")
    with open(os.path.join(out, "by-directory.md"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(md) + "\n")
    log(f"by-directory: {len(rows)} directories, totals match gcovr summary.json and llvm-cov's MC/DC totals")
    return doc


# ------------------------------------------------------------- llvm-cov -----

def readelf_lines(option, paths, batch=200):
    """Yield (file, line) for `llvm-readelf OPTION` over paths, batched; the
    file is taken from readelf's "File:" headers (absent for a single path)."""
    for i in range(0, len(paths), batch):
        chunk = paths[i:i + batch]
        proc = subprocess.run([LLVM_READELF, option, *chunk], text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        current = chunk[0] if len(chunk) == 1 else None
        for line in proc.stdout.splitlines():
            m = re.match(r"^File: (.*)$", line)
            if m:
                current = m.group(1)
            elif current:
                yield current, line


def has_covmap(paths):
    """Return the subset of paths (ELF files) that carry coverage mapping."""
    found = {f for f, line in readelf_lines("--section-headers", paths) if COVMAP_SECTION in line}
    return [p for p in paths if p in found]


def find_instrumented(build):
    bindir = os.path.join(build, "bin")
    bins = sorted(p for p in glob.glob(os.path.join(bindir, "*"))
                  if os.path.isfile(p) and os.access(p, os.X_OK))
    bins = has_covmap(bins)
    # Object files add the mapping of impl/ code that no binary links in, so it
    # is counted as uncovered (as gcovr does from its .gcno) instead of vanishing
    # from the denominators. llvm-cov keeps one record per function.
    objs = sorted(p for p in glob.glob(os.path.join(build, "**", "*.o"), recursive=True)
                  if f"{os.sep}CMakeFiles{os.sep}3." not in p)  # skip compiler-id probes
    objs = has_covmap(objs)
    return bins, objs


def parse_total_row(text):
    """Counts from the TOTAL row of `llvm-cov report -show-mcdc-summary`."""
    header = next((l for l in text.splitlines() if l.startswith("Filename")), None)
    total = next((l for l in text.splitlines() if l.startswith("TOTAL")), None)
    if not header or not total:
        raise PipelineError("llvm-cov report: no header/TOTAL row")
    cols = re.split(r"\s{2,}", header.strip())[1:]
    vals = total.split()[1:]
    if len(cols) != len(vals):
        raise PipelineError(f"llvm-cov report: cannot align TOTAL row {vals} with header {cols}")
    row = dict(zip(cols, vals))
    pairs = {"regions": ("Regions", "Missed Regions"), "functions": ("Functions", "Missed Functions"),
             "lines": ("Lines", "Missed Lines"), "branches": ("Branches", "Missed Branches"),
             "mcdc": ("MC/DC Conditions", "Missed Conditions")}
    counts = {}
    for key, (tot, missed) in pairs.items():
        if tot not in row:
            raise PipelineError(f"llvm-cov report: column {tot!r} missing (header {cols})")
        counts[key] = {"count": int(row[tot]), "covered": int(row[tot]) - int(row[missed])}
    return counts


def build_ids_of_binaries(bins):
    ids = {}
    for f, line in readelf_lines("--notes", bins):
        m = re.search(r"Build ID: ([0-9a-f]+)", line)
        if m:
            ids[f] = m.group(1)
    return ids


def build_id_of_profraw(path):
    proc = subprocess.run([LLVM_PROFDATA, "show", "--binary-ids", path], text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    lines = proc.stdout.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Binary IDs:"):
            rest = [l.strip() for l in lines[i + 1:] if re.fullmatch(r"\s*[0-9a-f]+\s*", l)]
            return rest[0] if rest else None
    return None


def profile_name_collisions(root, build, bins, raws, common_all, in_scope):
    """In-scope functions whose profile name is also defined elsewhere.

    A merged profile keys counters by (function name, structural hash). Non-static
    functions with the same name in different binaries (every `main`) therefore
    share one record when their hashes match (counts of one credited to the other)
    or are dropped as "mismatched" when they differ. List each such in-scope
    function with llvm-cov's merged count and its true count from the profiles of
    the binaries that define it (grouped by build ID). Totals are left as llvm-cov
    computed them; the list says what they overstate or miss."""
    exp = run([LLVM_COV, "export", "-format=text", "-skip-expansions", *common_all],
              capture=True, quiet=True)
    functions = json.loads(exp.stdout)["data"][0].get("functions", [])
    defs = {}
    for f in functions:
        if f.get("filenames") and f.get("regions"):
            defs.setdefault(f["name"], {})[(f["filenames"][0], f["regions"][0][0])] = f["count"]
    colliding = {n: d for n, d in defs.items() if len(d) > 1 and any(in_scope(fn) for fn, _ in d)}
    if not colliding:
        return []
    log(f"profile-name collisions for {sorted(colliding)}: checking per-binary profiles")
    bin_ids = build_ids_of_binaries(bins)
    raw_ids = {r: build_id_of_profraw(r) for r in raws}
    merged_profdata = common_all[common_all.index("-instr-profile") + 1]

    def function_counts(binary, profdata):
        e = run([LLVM_COV, "export", "-format=text", "-skip-expansions", "-instr-profile", profdata,
                 binary], capture=True, quiet=True)
        counts = {}
        for f in json.loads(e.stdout)["data"][0].get("functions", []):
            if f.get("filenames") and f.get("regions"):
                key = (f["name"], f["filenames"][0], f["regions"][0][0])
                counts[key] = counts.get(key, 0) + f["count"]
        return counts

    per_binary_counts = {}
    for b in bins:
        # Which functions this binary defines (mapping only; counts here are the merged ones).
        defined = function_counts(b, merged_profdata)
        mine = [r for r, i in raw_ids.items() if i and i == bin_ids.get(b)]
        own = {}
        if mine:
            pd = os.path.join(build, "profiles", os.path.basename(b) + ".profdata")
            run([LLVM_PROFDATA, "merge", "-sparse", "-o", pd, *mine], quiet=True)
            own = function_counts(b, pd)
        per_binary_counts[b] = {k: own.get(k, 0) for k in defined}
    prefix = os.path.join(root, "")
    rel = (lambda p: p[len(prefix):] if p.startswith(prefix) else p)
    result = []
    for name, d in sorted(colliding.items()):
        for (fn, line), merged in sorted(d.items()):
            if not in_scope(fn):
                continue
            defined_in = [os.path.relpath(b, build) for b, c in per_binary_counts.items()
                          if (name, fn, line) in c]
            true_count = sum(c.get((name, fn, line), 0) for c in per_binary_counts.values())
            unmapped = [os.path.relpath(b, build) for b in bins if b not in bin_ids]
            result.append({
                "function": name, "definition": f"{rel(fn)}:{line}",
                "other_definitions": [f"{rel(o)}:{l}" for (o, l) in sorted(d) if (o, l) != (fn, line)],
                "merged_execution_count": merged,
                "per_binary_execution_count": true_count,
                "defined_in_binaries": defined_in,
                "binaries_without_build_id": unmapped,
                "consistent": merged == true_count,
                "verdict": ("consistent: merged count equals its own binaries' count" if merged == true_count else
                            "overstated: credited with another function's executions" if merged > true_count else
                            "understated: executions missing from the merged profile")})
    return result


def run_llvm_cov(root, build, out, exclusions, profiles_dir):
    raws = sorted(glob.glob(os.path.join(profiles_dir, "*.profraw")))
    if not raws:
        raise PipelineError(
            f"no .profraw in {profiles_dir}: the tests wrote no source-based profile. "
            "Were the tests run (ctest) with LLVM_PROFILE_FILE pointing there? Note that an "
            "LLVM_PROFILE_FILE set in the coverage *test preset* overrides this script's value.")
    profdata = os.path.join(build, "coverage.profdata")
    log(f"llvm-profdata: merging {len(raws)} profile(s)")
    listfile = os.path.join(build, "profiles.list")
    with open(listfile, "w", encoding="utf-8") as fh:
        fh.write("\n".join(raws) + "\n")
    run([LLVM_PROFDATA, "merge", "-sparse", "-f", listfile, "-o", profdata])

    bins, objs = find_instrumented(build)
    if not bins:
        raise PipelineError(f"no instrumented executable (section {COVMAP_SECTION}) in {build}/bin")
    log(f"llvm-cov: {len(bins)} instrumented binaries, {len(objs)} instrumented object files")
    objects = [bins[0]]
    for p in bins[1:] + objs:
        objects += ["-object", p]
    filters = []
    for entry in exclusions:
        filters.append("-ignore-filename-regex=" + exclusion_regex(root, entry))
    sources = [os.path.join(root, SCOPE.rstrip("/"))]
    common = ["-instr-profile", profdata, *objects, *filters]
    excl_rx = [re.compile(exclusion_regex(root, e)) for e in exclusions]
    scope_prefix = os.path.join(root, SCOPE)

    def in_scope(path):
        return path.startswith(scope_prefix) and not any(rx.match(path) for rx in excl_rx)
    warnings = []

    def note_warnings(proc):
        for line in (proc.stderr or "").splitlines():
            if line.strip():
                warnings.append(line.strip())
                print(f"[coverage] llvm-cov: {line.strip()}", file=sys.stderr)

    rep = run([LLVM_COV, "report", "-show-mcdc-summary", "-show-region-summary",
               "-show-branch-summary", *common, *sources], capture=True, abbreviate=True)
    note_warnings(rep)
    with open(os.path.join(out, "mcdc-summary.txt"), "w", encoding="utf-8") as fh:
        fh.write(rep.stdout)
    text_total = parse_total_row(rep.stdout)

    exp = run([LLVM_COV, "export", "-summary-only", "-format=text", *common, *sources],
              capture=True, abbreviate=True)
    note_warnings(exp)
    data = json.loads(exp.stdout)
    exported = data["data"][0]
    json_total = exported["totals"]
    if "mcdc" not in json_total:
        raise PipelineError("llvm-cov export has no 'mcdc' totals (needs LLVM >= 18)")
    mismatch = [f"{k}: report {v} vs export {json_total[k]['count']}/{json_total[k]['covered']}"
                for k, v in text_total.items()
                if (json_total[k]["count"], json_total[k]["covered"]) != (v["count"], v["covered"])]
    if mismatch:
        raise PipelineError("llvm-cov report TOTAL row disagrees with export: " + "; ".join(mismatch))

    collisions = profile_name_collisions(root, build, bins, raws,
                                         ["-instr-profile", profdata, *objects], in_scope)
    for c in collisions:
        text = (f"{c['function']} at {c['definition']}: merged-profile count {c['merged_execution_count']}, "
                f"per-binary count {c['per_binary_execution_count']} ({c['verdict']}); "
                f"name also defined at {', '.join(c['other_definitions'])}")
        if c["consistent"]:
            log("name collision checked: " + text)
        else:
            print(f"[coverage] WARNING: {text}", file=sys.stderr, flush=True)

    def metric(m):
        count, covered = m["count"], m["covered"]
        # llvm-cov prints "-" (and exports 0) when there is nothing to cover.
        return {"count": count, "covered": covered, "notcovered": count - covered,
                "percent": (round(covered * 100.0 / count, 2) if count else None)}

    metrics = ("lines", "branches", "functions", "regions", "mcdc")
    per_file = []
    prefix = os.path.join(root, "")
    for f in exported.get("files", []):
        name = f["filename"]
        per_file.append({"filename": name[len(prefix):] if name.startswith(prefix) else name,
                         **{k: metric(f["summary"][k]) for k in metrics}})
    doc = {"producer": "tools/evidence/coverage.py",
           "tool": tool_version([LLVM_COV, "--version"]),
           "format": f"{data.get('type')} {data.get('version')}",
           "percent_rule": "covered*100/count rounded to 2 decimals (as llvm-cov report prints); null if count is 0",
           "mcdc_semantics": "clang -fcoverage-mcdc: conditions shown to independently affect their decision's outcome",
           "profiles": len(raws), "binaries": [os.path.relpath(p, build) for p in bins],
           "objects": len(objs),
           "totals": {k: metric(json_total[k]) for k in metrics},
           "profile_name_collisions": collisions,
           "llvm_cov_warnings": sorted(set(warnings)),
           "commands": {"report": [LLVM_COV, "report", "-show-mcdc-summary", "-show-region-summary",
                                   "-show-branch-summary", *common, *sources]},
           "files": sorted(per_file, key=lambda r: r["filename"])}
    with open(os.path.join(out, "mcdc.json"), "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=2)
        fh.write("\n")
    for k in metrics:
        t = doc["totals"][k]
        pct = "n/a" if t["percent"] is None else f"{t['percent']:.2f}%"
        log(f"llvm-cov {k}: {t['covered']}/{t['count']} {pct}")

    log("llvm-cov show: HTML with MC/DC and branch detail")
    run([LLVM_COV, "show", "-format=html", "-output-dir", os.path.join(out, "mcdc"),
         "-show-mcdc", "-show-branches=count", "-show-line-counts-or-regions",
         "-show-directory-coverage", "-project-title=rtprm impl/ (llvm-cov-19 MC/DC)",
         *common, *sources], capture=True, abbreviate=True)
    return doc


# ----------------------------------------------------------------- main -----

def git_info(root):
    def git(*args):
        p = subprocess.run(["git", "-C", root, *args], text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return p.stdout.strip() if p.returncode == 0 else None
    status = git("status", "--porcelain")
    return {"revision": git("rev-parse", "HEAD"),
            "dirty": None if status is None else bool(status)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", default=DEFAULT_ROOT, help="repository root (default: %(default)s)")
    ap.add_argument("--build-dir", help="coverage build dir (default: ROOT/build/coverage)")
    ap.add_argument("--reports-dir", help="reports dir (default: ROOT/reports)")
    ap.add_argument("--exclusions", default=os.path.join(HERE, "coverage-exclusions.txt"))
    ap.add_argument("--no-build", action="store_true", help="do not run cmake --build first")
    ap.add_argument("--no-run-tests", action="store_true",
                    help="do not clean and run ctest; use the .gcda/.profraw already in the build dir")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="gcov threads")
    args = ap.parse_args(argv)

    root = os.path.realpath(args.root)
    default_build = os.path.join(root, "build", "coverage")
    build = os.path.realpath(args.build_dir or default_build)
    reports = os.path.realpath(args.reports_dir or os.path.join(root, "reports"))
    out = os.path.join(reports, "coverage")
    final_out = out
    profiles_dir = os.path.join(build, "profiles")
    started = datetime.datetime.now(datetime.timezone.utc)
    log(f"root={root} build={build} reports={out}")

    try:
        exclusions = read_exclusions(args.exclusions, root)
        for e in exclusions:
            log(f"exclude {e['path']}: {e['reason']}")
        cache = prepare_build(root, build, default_build, not args.no_build)
        ctest_cmd, ctest_rc = None, None
        if not args.no_run_tests:
            clean_runtime_data(build, profiles_dir)
            ctest_cmd, ctest_rc = run_tests(root, build, default_build, profiles_dir)
        gcdas = glob.glob(os.path.join(build, "**", "*.gcda"), recursive=True)
        if not gcdas:
            raise PipelineError(f"no .gcda under {build}: no instrumented test process ran to completion")
        log(f"{len(gcdas)} .gcda file(s) found")
        raws = glob.glob(os.path.join(profiles_dir, "*.profraw"))
        if not raws:
            raise PipelineError(
                f"no .profraw in {profiles_dir}: the tests wrote no source-based profile. "
                "Were the tests run (ctest) with LLVM_PROFILE_FILE pointing there? An "
                "LLVM_PROFILE_FILE set in the coverage *test preset* overrides the caller's.")
        log(f"{len(raws)} .profraw file(s) found")
        # Write into a scratch dir and swap it in only when everything succeeded,
        # so REPORTS/coverage is never a mix of two runs or half a run.
        final_out, out = out, out + ".partial"
        if os.path.isdir(out):
            shutil.rmtree(out)
        os.makedirs(out)
        gcovr_cmd = run_gcovr(root, build, out, exclusions, max(1, args.jobs))
        mcdc = run_llvm_cov(root, build, out, exclusions, profiles_dir)
        by_directory(out, mcdc)
        meta = {"producer": "tools/evidence/coverage.py",
                "generated_utc": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "git": git_info(root), "build_dir": build,
                "junit_dir": cache.get("RTPRM_JUNIT_DIR"),
                "ctest": {"command": ctest_cmd, "exit_code": ctest_rc,
                          "ran": not args.no_run_tests},
                "scope": SCOPE, "exclusions": exclusions,
                "tools": {"gcovr": tool_version([GCOVR, "--version"]),
                          "llvm-cov": tool_version([LLVM_COV, "--version"]),
                          "compiler": cache.get("CMAKE_C_COMPILER")},
                "gcovr_command": [a.replace(out, final_out) for a in gcovr_cmd], "profiles": mcdc["profiles"],
                "gcda_files": len(gcdas)}
        with open(os.path.join(out, "meta.json"), "w", encoding="utf-8") as fh:
            json.dump(meta, fh, indent=2)
            fh.write("\n")
        if os.path.isdir(final_out):
            shutil.rmtree(final_out)
        os.rename(out, final_out)
        out = final_out
    except PipelineError as exc:
        print(f"[coverage] ERROR: {exc}", file=sys.stderr, flush=True)
        if out.endswith(".partial") and os.path.isdir(out):
            shutil.rmtree(out)
        print(f"[coverage] {final_out} was not updated", file=sys.stderr)
        return EXIT_PIPELINE
    log(f"done: {out}/index.html (gcovr), {out}/mcdc/index.html (llvm-cov)")
    if ctest_rc:
        print(f"[coverage] ERROR: ctest failed (exit code {ctest_rc}); the coverage reports were "
              "still written but describe a failing test run", file=sys.stderr)
        return EXIT_TESTS_FAILED
    return 0


if __name__ == "__main__":
    sys.exit(main())
