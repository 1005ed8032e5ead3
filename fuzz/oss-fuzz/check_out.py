#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Checks an OSS-Fuzz $OUT against the fuzz targets found in the sources.

Targets are discovered here, independently of build.sh: every fuzz/fuzz_*.c
that defines LLVMFuzzerTestOneInput, which must be exactly the set registered
with rtprm_fuzz_target() in fuzz/CMakeLists.txt. For each target <t>, $OUT must
hold:
  <t>                   an executable ELF file
  <t>_seed_corpus.zip   a valid, non-empty zip whose entries are exactly the
                        files of corpus/<t>/ plus corpus/regressions/<t>/ (the
                        latter named "regression-<file>"; README* and dot-files
                        are not seeds), byte for byte
  <t>.dict              libFuzzer dictionary syntax, at least one entry
  <t>.options           INI with a [libfuzzer] section (integer max_len if set)
Then each fuzzer replays its unpacked seed corpus once (-runs=0) with its
dictionary and options, as ClusterFuzz would start it: exit 0, libFuzzer read
every seed and loaded every dictionary entry.

  --build       first run fuzz/oss-fuzz/build.sh with the contract environment
                (CC, CXX, CFLAGS, CXXFLAGS, LIB_FUZZING_ENGINE, OUT, WORK) into
                a fresh --out (ctest ossfuzz.build-sh does this)
  --selftest    then prove the checker notices a missing or broken output:
                each kind is removed or damaged in a scratch copy of $OUT

Exit 0 all good, 1 a check failed, 2 usage or build.sh failure.
"""
import argparse
import configparser
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_CFLAGS = "-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fsanitize=fuzzer-no-link"


def discover(root):
    """(targets from the sources, problems) after cross-checking fuzz/CMakeLists.txt."""
    fuzz = os.path.join(root, "fuzz")
    from_sources = set()
    for name in sorted(os.listdir(fuzz)):
        m = re.fullmatch(r"fuzz_([A-Za-z0-9_-]+)\.c", name)
        if not m:
            continue
        with open(os.path.join(fuzz, name), encoding="utf-8", errors="replace") as fh:
            if re.search(r"^int\s+LLVMFuzzerTestOneInput\s*\(", fh.read(), re.M):
                from_sources.add(m.group(1))
    with open(os.path.join(fuzz, "CMakeLists.txt"), encoding="utf-8") as fh:
        text = re.sub(r"#[^\n]*", "", fh.read())
    registered = set(re.findall(r"^\s*rtprm_fuzz_target\(\s*([A-Za-z0-9_-]+)", text, re.M))
    problems = []
    for t in sorted(from_sources - registered):
        problems.append(f"fuzz/fuzz_{t}.c defines LLVMFuzzerTestOneInput but fuzz/CMakeLists.txt "
                        f"has no rtprm_fuzz_target({t})")
    for t in sorted(registered - from_sources):
        problems.append(f"fuzz/CMakeLists.txt registers {t} but fuzz/fuzz_{t}.c does not define "
                        "LLVMFuzzerTestOneInput")
    if not from_sources:
        problems.append("no fuzz target found under fuzz/")
    return sorted(from_sources | registered), problems


def expected_seeds(root, target):
    """{zip entry name: bytes} the seed corpus must hold."""
    want = {}
    for sub, prefix in ((os.path.join("corpus", target), ""),
                        (os.path.join("corpus", "regressions", target), "regression-")):
        d = os.path.join(root, sub)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            p = os.path.join(d, f)
            if f.startswith(".") or f.startswith("README") or not os.path.isfile(p):
                continue
            with open(p, "rb") as fh:
                want[prefix + f] = fh.read()
    return want


def parse_dict(text):
    """Entries of a libFuzzer dictionary, or raises ValueError naming the line.

    Per line: blank, a comment starting with '#', or [name=]"value" where value
    uses only the escapes \\\\, \\" and \\xHH (FuzzerDictionary's syntax)."""
    entries = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r'(?:([A-Za-z0-9_@.-]+)=)?"(.*)"', line)
        if not m:
            raise ValueError(f"line {n}: not [name=]\"value\": {raw!r}")
        body, value, i = m.group(2), bytearray(), 0
        while i < len(body):
            c = body[i]
            if c == "\\":
                nxt = body[i + 1:i + 2]
                if nxt in ("\\", '"'):
                    value.append(ord(nxt))
                    i += 2
                    continue
                if nxt == "x" and re.fullmatch(r"[0-9A-Fa-f]{2}", body[i + 2:i + 4]):
                    value.append(int(body[i + 2:i + 4], 16))
                    i += 4
                    continue
                raise ValueError(f"line {n}: bad escape in {raw!r}")
            if c == '"':
                raise ValueError(f"line {n}: unescaped quote in {raw!r}")
            if not 0x20 <= ord(c) < 0x7f:
                raise ValueError(f"line {n}: non-printable character in {raw!r}")
            value.append(ord(c))
            i += 1
        if not value:
            raise ValueError(f"line {n}: empty entry")
        entries.append(bytes(value))
    if not entries:
        raise ValueError("no entries")
    return entries


def parse_options(text):
    """{key: value} of the [libfuzzer] section, or raises ValueError."""
    cp = configparser.ConfigParser()
    try:
        cp.read_string(text)
    except configparser.Error as exc:
        raise ValueError(str(exc).splitlines()[0]) from None
    if not cp.has_section("libfuzzer"):
        raise ValueError("no [libfuzzer] section")
    opts = dict(cp.items("libfuzzer"))
    for key in ("max_len", "timeout", "rss_limit_mb", "len_control"):
        if key in opts and not re.fullmatch(r"\d+", opts[key]):
            raise ValueError(f"{key} = {opts[key]!r} is not an integer")
    if "max_len" in opts and int(opts["max_len"]) <= 0:
        raise ValueError("max_len must be positive")
    return opts


def check_static(root, out, target):
    """Structural checks of one target's outputs; returns (problems, facts)."""
    problems, facts = [], {}
    binary = os.path.join(out, target)
    if not os.path.isfile(binary):
        problems.append(f"{target}: fuzzer binary missing")
    else:
        if not os.access(binary, os.X_OK):
            problems.append(f"{target}: fuzzer binary not executable")
        with open(binary, "rb") as fh:
            if fh.read(4) != b"\x7fELF":
                problems.append(f"{target}: fuzzer binary is not an ELF file")

    zpath = os.path.join(out, f"{target}_seed_corpus.zip")
    want = expected_seeds(root, target)
    if not want:
        problems.append(f"{target}: no seed in corpus/{target}/ or corpus/regressions/{target}/")
    if not os.path.isfile(zpath):
        problems.append(f"{target}: {target}_seed_corpus.zip missing")
    else:
        try:
            with zipfile.ZipFile(zpath) as z:
                bad = z.testzip()
                if bad is not None:
                    problems.append(f"{target}: seed corpus zip: CRC error in {bad}")
                have = {i.filename: z.read(i) for i in z.infolist()}
        except zipfile.BadZipFile as exc:
            problems.append(f"{target}: seed corpus zip is not a valid zip ({exc})")
            have = None
        if have is not None:
            if not have:
                problems.append(f"{target}: seed corpus zip is empty")
            missing, extra = sorted(set(want) - set(have)), sorted(set(have) - set(want))
            differ = sorted(k for k in set(want) & set(have) if want[k] != have[k])
            for label, names in (("missing from", missing), ("unexpected in", extra), ("differs in", differ)):
                if names:
                    problems.append(f"{target}: {len(names)} seed(s) {label} the zip: {', '.join(names[:5])}")
            facts["seeds"] = len(have)
            facts["largest_seed"] = max((len(v) for v in have.values()), default=0)

    dpath = os.path.join(out, f"{target}.dict")
    if not os.path.isfile(dpath):
        problems.append(f"{target}: {target}.dict missing")
    else:
        with open(dpath, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        try:
            facts["dict_entries"] = len(parse_dict(text))
        except ValueError as exc:
            problems.append(f"{target}: {target}.dict: {exc}")
        if re.search(r"^#include\b", text, re.M):
            problems.append(f"{target}: {target}.dict has an unexpanded #include")

    opath = os.path.join(out, f"{target}.options")
    if not os.path.isfile(opath):
        problems.append(f"{target}: {target}.options missing")
    else:
        with open(opath, encoding="utf-8", errors="replace") as fh:
            try:
                facts["options"] = parse_options(fh.read())
            except ValueError as exc:
                problems.append(f"{target}: {target}.options: {exc}")
        max_len = int(facts.get("options", {}).get("max_len", 0))
        if max_len and max_len < facts.get("largest_seed", 0):
            problems.append(f"{target}: {target}.options: max_len {max_len} is below the largest seed "
                            f"({facts['largest_seed']} bytes): libFuzzer would truncate it")
    return problems, facts


def replay(out, target, facts, timeout):
    """Runs the fuzzer once over its unpacked seed corpus; returns problems."""
    with tempfile.TemporaryDirectory(prefix=f"replay-{target}-") as scratch:
        # Run inside the scratch dir: crash-* artifacts or a coverage build's
        # default.profraw land there, not in the caller's directory.
        seeds = os.path.join(scratch, "seeds")
        with zipfile.ZipFile(os.path.join(out, f"{target}_seed_corpus.zip")) as z:
            z.extractall(seeds)
        flags = [f"-{k}={v}" for k, v in sorted(facts.get("options", {}).items())]
        cmd = [os.path.join(out, target), "-runs=0", f"-dict={os.path.join(out, target + '.dict')}",
               *flags, seeds]
        started = time.time()
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               errors="replace", timeout=timeout, cwd=scratch)
        except subprocess.TimeoutExpired:
            return [f"{target}: seed replay did not finish in {timeout} s"], None
        elapsed = time.time() - started
    problems = []
    if p.returncode != 0:
        tail = "\n    ".join(p.stdout.splitlines()[-15:])
        problems.append(f"{target}: seed replay exited {p.returncode}:\n    {tail}")
    m = re.search(r"INFO: seed corpus: files: (\d+)", p.stdout)
    if not m or int(m.group(1)) != facts.get("seeds"):
        problems.append(f"{target}: libFuzzer read {m.group(1) if m else 'no'} seed(s), "
                        f"the zip holds {facts.get('seeds')}")
    m = re.search(r"Dictionary: (\d+) entries", p.stdout)
    if not m or int(m.group(1)) != facts.get("dict_entries"):
        problems.append(f"{target}: libFuzzer loaded {m.group(1) if m else 'no'} dictionary entries, "
                        f"the file has {facts.get('dict_entries')}")
    return problems, elapsed


def check(root, out, replay_timeout, do_replay=True, quiet=False):
    targets, problems = discover(root)
    rows = []
    for t in targets:
        p, facts = check_static(root, out, t)
        elapsed = None
        if do_replay and not p:
            rp, elapsed = replay(out, t, facts, replay_timeout)
            p += rp
        problems += p
        rows.append((t, facts, elapsed, not p))
    if not quiet:
        print(f"{'target':20} {'seeds':>5} {'dict':>5} {'max_len':>8} {'replay s':>8}  verdict")
        for t, facts, elapsed, ok in rows:
            print(f"{t:20} {facts.get('seeds', '-'):>5} {facts.get('dict_entries', '-'):>5} "
                  f"{facts.get('options', {}).get('max_len', '-'):>8} "
                  f"{'-' if elapsed is None else format(elapsed, '.2f'):>8}  {'ok' if ok else 'FAIL'}")
    return targets, problems


MARKER = ".check_out-fresh-out"  # an --out this script created and may delete


def run_build(root, out, work, args):
    if os.path.isdir(out) and os.listdir(out) and not os.path.exists(os.path.join(out, MARKER)):
        print(f"check_out: refusing to empty {out}: not created by check_out.py --build", file=sys.stderr)
        return 2
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    open(os.path.join(out, MARKER), "w").close()
    os.makedirs(work, exist_ok=True)
    env = dict(os.environ)
    cxx = args.cxx or re.sub(r"^clang", "clang++", os.path.basename(args.cc))
    env.update(CC=args.cc, CXX=cxx, CFLAGS=args.cflags, CXXFLAGS=args.cflags,
               LIB_FUZZING_ENGINE=args.engine, OUT=out, WORK=work)
    env.pop("SRC", None)
    started = time.time()
    p = subprocess.run(["bash", os.path.join(root, "fuzz", "oss-fuzz", "build.sh")], env=env)
    print(f"check_out: build.sh exited {p.returncode} after {time.time() - started:.1f} s", flush=True)
    return p.returncode


def selftest(root, out, targets):
    """Each damage to a scratch copy of OUT must be reported; returns problems."""
    t = targets[0]

    def drop(path):
        os.remove(path)

    def chmod_x(path):
        os.chmod(path, 0o644)

    def zip_minus_one(path):
        with zipfile.ZipFile(path) as z:
            items = [(i, z.read(i)) for i in z.infolist()]
        with zipfile.ZipFile(path, "w") as z:
            for i, data in items[1:]:
                z.writestr(i, data)

    def truncate(path):
        with open(path, "r+b") as fh:
            fh.truncate(10)

    def dict_bad(path):
        with open(path, "a", encoding="utf-8") as fh:
            fh.write('broken="\\q"\n')

    def options_small(path):
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("[libfuzzer]\nmax_len = 1\n")

    def options_bad(path):
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("max_len = 4096\n")

    cases = [("binary removed", t, drop), ("binary not executable", t, chmod_x),
             ("seed corpus zip removed", f"{t}_seed_corpus.zip", drop),
             ("seed corpus zip missing an entry", f"{t}_seed_corpus.zip", zip_minus_one),
             ("seed corpus zip truncated", f"{t}_seed_corpus.zip", truncate),
             ("dictionary removed", f"{t}.dict", drop), ("dictionary with a bad escape", f"{t}.dict", dict_bad),
             ("options removed", f"{t}.options", drop), ("options without [libfuzzer]", f"{t}.options", options_bad),
             ("options with max_len below the largest seed", f"{t}.options", options_small)]
    problems = []
    for what, name, damage in cases:
        with tempfile.TemporaryDirectory(prefix="ossfuzz-selftest-") as scratch:
            for f in os.listdir(out):
                src, dst = os.path.join(out, f), os.path.join(scratch, f)
                if f == name:
                    shutil.copy2(src, dst)  # damaged below: a real copy
                else:
                    try:
                        os.link(src, dst)
                    except OSError:
                        shutil.copy2(src, dst)
            damage(os.path.join(scratch, name))
            _, found = check(root, scratch, 0, do_replay=False, quiet=True)
            hit = [p for p in found if p.startswith(f"{t}:")]
            print(f"check_out: selftest {what}: {'reported' if hit else 'NOT reported'}"
                  + (f" ({hit[0].splitlines()[0]})" if hit else ""))
            if not hit:
                problems.append(f"selftest: {what} ({name}) was not reported")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", default=ROOT, help="repository root (default: %(default)s)")
    ap.add_argument("--out", required=True, help="the $OUT to check")
    ap.add_argument("--build", action="store_true", help="run build.sh into a fresh --out first")
    ap.add_argument("--work", help="$WORK for --build (default: OUT/../work)")
    ap.add_argument("--cc", default="clang-14")
    ap.add_argument("--cxx", help="default: clang++ of --cc")
    ap.add_argument("--cflags", default=DEFAULT_CFLAGS)
    ap.add_argument("--engine", default="-fsanitize=fuzzer", help="$LIB_FUZZING_ENGINE")
    ap.add_argument("--replay-timeout", type=int, default=120, help="seconds per target")
    ap.add_argument("--selftest", action="store_true", help="also check that damage is reported")
    a = ap.parse_args()
    root, out = os.path.realpath(a.root), os.path.realpath(a.out)
    started = time.time()
    if a.build:
        work = os.path.realpath(a.work or os.path.join(os.path.dirname(out), "work"))
        if run_build(root, out, work, a) != 0:
            print("check_out: FAILED: the build step failed", file=sys.stderr)
            return 2
    if not os.path.isdir(out):
        print(f"check_out: FAILED: {out} does not exist", file=sys.stderr)
        return 1
    targets, problems = check(root, out, a.replay_timeout)
    if a.selftest and targets and not problems:
        problems += selftest(root, out, targets)
    elapsed = time.time() - started
    if problems:
        print(f"check_out: FAILED ({len(problems)} problem(s), {elapsed:.1f} s):", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print(f"check_out: OK: {len(targets)} fuzzers in {out} ({', '.join(targets)}), {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
