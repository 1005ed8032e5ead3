#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""conformance.realworld: `rtprm` over every PE/TE image Debian ships in its
firmware and boot-loader packages (corpus/realworld/manifest.json, fetched by
fetch.py into a cache outside the clone), compared byte for byte with
independent references.

  test_realworld.py --rtprm BIN --root SRC --reports DIR [--cache DIR] [--jobs N] [--only SHA...]

Per unique image, in parallel over the cores (README.md has the details):
  * `pe info --json` exits 0 and agrees with the image's headers;
    `prm module` exits 0 (a PRM module) or 1 with a reason line;
  * `pe map` at 3 bases equals pefile_map.py (PE) / te_map.py (TE) and the
    test's own direct loader; images that cannot move map at their own base
    only and a move is refused with PE_RELOCS_STRIPPED;
  * `pe rerelocate` (edk2 and native records) equals the direct map;
  * `--strict`: a run that printed findings is rejected with the first
    finding's reason; without findings it behaves exactly like the default;
  * no sanitizer report, no timeout, exit status 0 or 1 only (2, usage, means
    rtprm refused a command line the test built); a refusal fails unless
    corpus/realworld/expected.json lists image and reason.
Writes DIR/summary.json and DIR/summary.md, prints one line; exit 1 on any
failure.
"""
import argparse
import collections
import json
import multiprocessing
import os
import re
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "pe")]
import fetch  # noqa: E402
import pefile_map  # noqa: E402  (needs pefile: Debian /usr/bin/python3)
import te_map  # noqa: E402

SANITIZER = ("AddressSanitizer", "LeakSanitizer", "runtime error:")
CALL_TIMEOUT = 120
MASK64 = (1 << 64) - 1
LOW_BASE = 0x10000000
KERNEL_HALF = 0xFFFF800012340000
TE_PAGE = 0x1000
MACHINES = {0x14C: "IA32", 0x8664: "X64", 0x1C0: "ARM", 0x1C2: "ARM", 0x1C4: "ARMNT", 0xAA64: "AArch64",
            0x5064: "RISCV64", 0x6264: "LoongArch64"}
INFO_KEYS = ("machine", "pe32plus", "characteristics", "subsystem", "image_base", "size_of_image",
             "size_of_headers", "section_alignment", "file_alignment", "entry_rva", "num_rva_and_sizes",
             "dirs", "sections")
REASON = r"(?P<file>.*?): (?P<name>[A-Z][A-Z0-9_]+) \(0x(?P<code>[0-9A-Fa-f]+)\)(?: at (?P<index>\d+))?: "
FINDING = re.compile(r"^rtprm: warning: " + REASON + r"(?P<text>.*)$")
REJECTION = re.compile(r"^rtprm: " + REASON + r"(?P<text>.*) \[(?P<status>EFI_[A-Z_]+)\]$")

Run = collections.namedtuple("Run", "rc out err data")
CTX = {}  # per worker: rtprm, corpus directory, scratch directory


# ---------------------------------------------------------------------------
# The test's own direct loader: a third, minimal reference (PE and TE alike)

def u16(b, o): return struct.unpack_from("<H", b, o)[0]
def u32(b, o): return struct.unpack_from("<I", b, o)[0]
def u64(b, o): return struct.unpack_from("<Q", b, o)[0]


def layout(data):
    """(adj, header bytes, base field (offset, width), own base, size, sections, reloc dir)
    where sections are (VirtualAddress, VirtualSize, SizeOfRawData, PointerToRawData)."""
    if data[:2] == b"VZ":
        n, stripped, base = data[4], u16(data, 6), u64(data, 16)
        adj = stripped - 40
        secs = [(u32(data, s + 12), u32(data, s + 8), u32(data, s + 16), u32(data, s + 20))
                for s in range(40, 40 + 40 * n, 40)]
        size = max(va - adj + (vs or rs) for va, vs, rs, _ in secs)
        return adj, 40 + 40 * n, (16, 8), base, size, secs, (u32(data, 24), u32(data, 28))
    lf = u32(data, 0x3C)
    opt, n = lf + 24, u16(data, lf + 6)
    plus = u16(data, opt) == 0x20B
    table = opt + u16(data, lf + 20)
    secs = [(u32(data, s + 12), u32(data, s + 8), u32(data, s + 16), u32(data, s + 20))
            for s in range(table, table + 40 * n, 40)]
    ndirs, dirs = u32(data, opt + (108 if plus else 92)), opt + (112 if plus else 96)
    reloc = (u32(data, dirs + 40), u32(data, dirs + 44)) if ndirs > 5 else (0, 0)
    field = (opt + 24, 8) if plus else (opt + 28, 4)
    base = u64(data, opt + 24) if plus else u32(data, opt + 28)
    return 0, u32(data, opt + 60), field, base, u32(data, opt + 56), secs, reloc


def direct_map(data, new_base):
    """Headers, each section's min(vsize, SizeOfRawData) bytes at its place,
    zeros elsewhere, LOW/HIGHLOW/DIR64 fixups, the header base field rewritten."""
    adj, hdr, (foff, width), base, size, secs, (rva, rsize) = layout(data)
    img = bytearray(size)
    img[:hdr] = data[:hdr]
    for va, vs, rs, ptr in secs:
        k = min(vs or rs, rs)
        img[va - adj:va - adj + k] = data[ptr - adj:ptr - adj + k]
    delta = new_base - adj - base
    p, end = rva - adj, rva - adj + rsize
    while rsize and p < end:
        page, sob = u32(img, p), u32(img, p + 4)
        for k in range(p + 8, p + sob - 1, 2):
            kind, at = u16(img, k) >> 12, page + (u16(img, k) & 0xFFF) - adj
            if kind == 2:
                struct.pack_into("<H", img, at, (u16(img, at) + delta) & 0xFFFF)
            elif kind == 3:
                struct.pack_into("<I", img, at, (u32(img, at) + delta) & 0xFFFFFFFF)
            elif kind == 10:
                struct.pack_into("<Q", img, at, (u64(img, at) + delta) & MASK64)
            elif kind:
                raise ValueError("relocation type %d" % kind)
        p += sob
    img[foff:foff + width] = ((new_base - adj) & ((1 << 8 * width) - 1)).to_bytes(width, "little")
    return bytes(img)


# ---------------------------------------------------------------------------
# References and bases


def same_but_profile(out):
    """`pe info --json` names its profile; everything else must not differ."""
    return out.replace('"profile": "strict"', '"profile": "compat"')

class Reference:
    """pefile_map / te_map for one image, its own base and the bases tried."""

    def __init__(self, data, fmt):
        self.data, self.fmt = data, fmt
        if fmt == "te":
            te = te_map.parse_te(data)
            self.machine, self.wide = te.machine, te.machine in te_map.PE64_MACHINES
            self.own, self.movable = te_map.header_address(te), te.reloc != (0, 0)
            self.step, self.size = TE_PAGE, te_map.size_of_image(te) - te_map.adjust(te)
            self.te = {"stripped_size": te.stripped, "adjust": te_map.adjust(te)}
        else:
            self.pe, self.notes = pefile_map.parse(data)
            oh, fh = self.pe.OPTIONAL_HEADER, self.pe.FILE_HEADER
            self.machine, self.wide = fh.Machine, oh.Magic == 0x20B
            self.own, self.movable = oh.ImageBase, not fh.Characteristics & pefile_map.IMAGE_FILE_RELOCS_STRIPPED
            sa = oh.SectionAlignment or 1
            self.step, self.size = sa * -(-0x10000 // sa), oh.SizeOfImage

    def place(self, near):
        """A base near `near` the image may move to: SectionAlignment-aligned
        (PE), same offset in its page as the own base (TE)."""
        if self.fmt == "te":
            return near - near % TE_PAGE + self.own % TE_PAGE
        return near - near % self.step

    def bases(self):
        """Own base first; then a low one and a high one (kernel half for
        64-bit images, just below 4 GiB for 32-bit ones)."""
        high = KERNEL_HALF if self.wide else 0xF0000000 - self.size
        out = [self.own]
        for near in (LOW_BASE, high):
            b = self.place(near)
            while b in out:
                b = self.place(b + self.step)
            out.append(b)
        return out if self.movable else out[:1]

    def map(self, base):
        """(bytes, notes); NotFaithful when there is no reference."""
        if self.fmt == "te":
            return te_map.reference(self.data, base)
        pefile_map.check_faithful(self.pe, self.data, base)
        m, notes = pefile_map.mapped_image(self.pe, self.data, base)
        return m, self.notes + notes

    def info(self):
        """What `pe info --json` must say about the headers."""
        if self.fmt == "te":
            return {"format": "te", "te": self.te, "machine": self.machine}
        want = {k: v for k, v in pefile_map.info(self.pe).items() if k in INFO_KEYS}
        return dict(want, format="pe", te=None)


# ---------------------------------------------------------------------------
# One image

def rejection(err):
    """The reason line that ends a refusal's stderr, or None."""
    lines = err.strip().splitlines()
    return REJECTION.match(lines[-1]) if lines else None


class Check:
    """Runs every check on one image and collects the result."""

    def __init__(self, img):
        self.img = img
        self.path = os.path.join(CTX["corpus"], img["file"])
        self.tmp = CTX["tmp"]
        self.r = {"sha256": img["sha256"], "format": img["format"], "machine": None, "runs": 0,
                  "maps_compared": 0, "rerelocations_compared": 0, "strict_checked": 0, "failures": [],
                  "refusals": [], "findings": {}, "normalisations": [], "no_reference": [], "prm": None,
                  "subsystem": None, "rerelocated": []}

    def fail(self, what, detail):
        self.r["failures"].append("%s: %s" % (what, str(detail).strip()[:400]))

    def out(self, tag):
        return os.path.join(self.tmp, "%s-%s.bin" % (self.img["sha256"][:16], tag))

    def rtprm(self, what, args, output=None):
        """Runs rtprm; a crash, sanitizer report, timeout or usage error is a failure."""
        self.r["runs"] += 1
        if output and os.path.exists(output):
            os.unlink(output)
        try:
            p = subprocess.run([CTX["rtprm"]] + args, capture_output=True, text=True, errors="replace",
                               timeout=CALL_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.fail(what, "timed out after %d s" % CALL_TIMEOUT)
            return Run(None, "", "", None)
        if any(s in p.stderr for s in SANITIZER):
            self.fail(what, "sanitizer report: " + p.stderr)
        elif p.returncode < 0:
            self.fail(what, "killed by signal %d: %s" % (-p.returncode, p.stderr))
        elif p.returncode not in (0, 1):
            self.fail(what, "exit %d: %s" % (p.returncode, p.stderr))
        data = open(output, "rb").read() if output and p.returncode == 0 and os.path.exists(output) else None
        return Run(p.returncode, p.stdout, p.stderr, data)

    def findings(self, what, run):
        found = [m for m in map(FINDING.match, run.err.splitlines()) if m]
        for m in found:
            self.r["findings"].setdefault(m["name"], what)
        return found

    def refusal(self, what, run, base=None):
        """A default-profile exit 1: recorded with its reason (expected.json decides)."""
        m = rejection(run.err)
        if not m:
            self.fail(what, "exit 1 without a reason line: %r" % run.err)
            return None
        self.r["refusals"].append({"command": what, "reason": m["name"], "base": base})
        return m["name"]

    def strict(self, what, args, default, found, output=None):
        """--strict: rejected with the first finding's reason, or the default run again."""
        run = self.rtprm(what + " --strict", args + ["--strict"] + (["-o", output] if output else []), output)
        self.r["strict_checked"] += 1
        if found:
            lines = run.err.strip().splitlines()
            m = REJECTION.match(lines[0]) if len(lines) == 1 else None
            if run.rc != 1 or not m or m["name"] != found[0]["name"]:
                self.fail(what + " --strict", "want exit 1 with %s, got exit %s: %r"
                          % (found[0]["name"], run.rc, run.err))
        elif (run.rc, same_but_profile(run.out), run.err, run.data) != \
                (default.rc, same_but_profile(default.out), default.err, default.data):
            self.fail(what + " --strict", "differs from the default run without findings (exit %s vs %s: %r)"
                      % (run.rc, default.rc, run.err))

    # -- the checks ---------------------------------------------------------

    def info(self, ref):
        args = ["pe", "info", self.path, "--json"]
        run = self.rtprm("pe info", args)
        found = self.findings("pe info", run)
        self.strict("pe info", args, run, found)
        if run.rc == 1:
            self.refusal("pe info", run)
        if run.rc != 0:
            return
        try:
            got = json.loads(run.out)
        except ValueError as e:
            return self.fail("pe info", "not JSON: %s" % e)
        self.r["subsystem"] = got.get("subsystem")
        listed = [f.get("reason") for f in got.get("findings") or []]
        if "findings" not in got or listed != [m["name"] for m in found]:
            self.fail("pe info", "JSON findings %s, stderr warnings %s"
                      % (listed if "findings" in got else "<missing>", [m["name"] for m in found]))
        try:
            want = ref.info()
        except pefile_map.NotFaithful as e:
            self.r["no_reference"].append("pe info: %s" % e)
            return self.fail("pe info", "no reference to compare with: %s" % e)
        for k, v in want.items():
            if got.get(k, "<missing>") != v:
                self.fail("pe info", "%s: rtprm %r, headers %r" % (k, got.get(k, "<missing>"), v))

    def prm(self):
        run = self.rtprm("prm module", ["prm", "module", self.path])
        if run.rc == 0:
            self.r["prm"] = "module"
        elif run.rc == 1:
            m = rejection(run.err)
            if m:
                self.r["prm"] = m["name"]
            else:
                self.fail("prm module", "exit 1 without a reason line: %r" % run.err)

    def map_at(self, ref, base):
        what = "pe map @%#x" % base
        out = self.out("map-%x" % base)
        args = ["pe", "map", self.path, "--base", "%#x" % base]
        run = self.rtprm(what, args + ["-o", out], out)
        found = self.findings(what, run)
        self.strict(what, args, run, found, out)  # same -o: stdout names it
        if run.rc == 1:
            self.refusal(what, run, base)
        if run.data is not None:
            self.compare(what, ref, base, run.data)
        return run.data

    def compare(self, what, ref, base, got):
        try:
            want, notes = ref.map(base)
        except pefile_map.NotFaithful as e:
            self.r["no_reference"].append("%s: %s" % (what, e))
            return self.fail(what, "rtprm mapped it but there is no reference to compare with: %s" % e)
        self.r["normalisations"] += sorted({n.split(":")[0] for n in notes} - set(self.r["normalisations"]))
        if want != direct_map(ref.data, base):
            self.fail(what, "the references disagree (pefile vs the direct loader): a harness bug")
        elif got != want:
            diff = [i for i in range(min(len(got), len(want))) if got[i] != want[i]]
            self.fail(what, "differs from the reference: size %#x vs %#x, %d bytes differ%s"
                      % (len(got), len(want), len(diff), ", first at %#x" % diff[0] if diff else ""))
        else:
            self.r["maps_compared"] += 1

    def move_refused(self, ref):
        base = ref.place(LOW_BASE if ref.own != ref.place(LOW_BASE) else 2 * LOW_BASE)
        what = "pe map @%#x (image cannot move)" % base
        run = self.rtprm(what, ["pe", "map", self.path, "--base", "%#x" % base, "-o", self.out("move")])
        if run.rc != 1 or self.refusal(what, run, base) != "PE_RELOCS_STRIPPED":
            self.fail(what, "want exit 1 with PE_RELOCS_STRIPPED, got exit %s: %r" % (run.rc, run.err))

    def rerelocate(self, frm, to, direct):
        for fmt in ("edk2", "native"):
            what = "pe rerelocate %#x->%#x %s" % (frm, to, fmt)
            out = self.out("rr-" + fmt)
            run = self.rtprm(what, ["pe", "rerelocate", self.path, "--base", "%#x" % frm, "--runtime-base",
                                    "%#x" % to, "--format", fmt, "-o", out], out)
            self.findings(what, run)
            if run.rc == 1:
                self.refusal(what, run, to)
            elif run.data is not None and run.data != direct:
                self.fail(what, "differs from the direct map at %#x" % to)
            elif run.data is not None:
                self.r["rerelocations_compared"] += 1
                self.r["rerelocated"].append(fmt)

    def run_all(self):
        data = open(self.path, "rb").read()
        try:
            ref = Reference(data, self.img["format"])
        except (pefile_map.pefile.PEFormatError, te_map.NotTe) as e:
            return self.fail("reference", "headers unreadable: %s" % e)
        self.r["machine"] = MACHINES.get(ref.machine, "%#x" % ref.machine)
        self.info(ref)
        self.prm()
        bases = ref.bases()
        maps = [self.map_at(ref, b) for b in bases]
        if not ref.movable:
            self.move_refused(ref)
        elif maps[-1] is not None:
            self.rerelocate(bases[1], bases[2], maps[-1])


def check_image(img):
    t0 = time.monotonic()
    c = Check(img)
    try:
        c.run_all()
    except Exception as e:  # a harness bug must fail the test, not hang the pool
        c.fail("harness", "%s: %s" % (type(e).__name__, e))
    c.r["seconds"] = round(time.monotonic() - t0, 3)
    return c.r


def init_worker(ctx):
    CTX.update(ctx)


# ---------------------------------------------------------------------------
# Verdicts and reports

def expected_refusals(root):
    doc = json.load(open(os.path.join(root, "corpus", "realworld", "expected.json")))
    return {(e["sha256"], e["reason"]): e for e in doc["refusals"]}


def judge_refusals(results, expected, full=True):
    """A refusal passes only when expected.json lists the image and reason;
    on a full run, an entry nothing matched is stale."""
    used = set()
    for r in results:
        for ref in r["refusals"]:
            key = (r["sha256"], ref["reason"])
            ref["expected"] = key in expected
            if key in expected:
                used.add(key)
            else:
                r["failures"].append("%s: refused with %s, not in corpus/realworld/expected.json"
                                     % (ref["command"], ref["reason"]))
    stale = sorted(set(expected) - used) if full else []
    return ["expected.json: %s %s was not refused (stale entry)" % k for k in stale]


def origin_keys(img):
    return sorted({"%s:%s" % (o["package"], o["arch"]) for o in img["origins"]})


def origin_text(img):
    o = img["origins"][0]
    where = o["path"] + ((" " + (o.get("ui") or o.get("guid") or o["fv_path"])) if o.get("fv_path") else "")
    return "%s %s" % (o["package"], where)


SUBSYSTEM_RUNTIME_DRIVER = 12
# Runtime drivers OVMF (x64) and AAVMF (AArch64) ship without a relocation
# directory (PE_RELOCS_ABSENT): each must be found so, and every build of it
# re-relocated in both record formats.
RUNTIME_NO_RELOCS = ("PcRtc", "RealTimeClock", "CapsuleRuntimeDxe", "MonotonicCounterRuntimeDxe")


def runtime_drivers(index, results):
    """Every EFI runtime driver of the corpus with what its rerelocation did,
    and failures for a named driver that is missing or did not re-relocate."""
    by_sha = {i["sha256"]: i for i in index["images"]}
    rows, failures = [], []
    for r in results:
        if r["subsystem"] != SUBSYSTEM_RUNTIME_DRIVER:
            continue
        img = by_sha[r["sha256"]]
        names = sorted({o.get("ui") or os.path.basename(o["path"]) for o in img["origins"]})
        rows.append({"names": names, "sha256": r["sha256"], "machine": r["machine"],
                     "packages": origin_keys(img), "rerelocated": r["rerelocated"], "findings": sorted(r["findings"])})
    for name in RUNTIME_NO_RELOCS:
        hits = [row for row in rows if name in row["names"]]
        if not any("PE_RELOCS_ABSENT" in row["findings"] for row in hits):
            failures.append("runtime driver %s: no build without relocations in the corpus" % name)
        for row in hits:
            if row["rerelocated"] != ["edk2", "native"]:
                failures.append("runtime driver %s (%s): re-relocated %s" % (name, row["machine"], row["rerelocated"]))
    return sorted(rows, key=lambda row: (row["names"], row["machine"])), failures


def summarise(index, results, extra_failures, timings):
    by_sha = {i["sha256"]: i for i in index["images"]}
    producers = {"%s:%s" % (p["name"], p["arch"]): p["producer"] for p in index["packages"]}
    pkg = collections.OrderedDict(("%s:%s" % (p["name"], p["arch"]),
                                   {"producer": p["producer"], "files": p["images"], "unique": p["unique"],
                                    "maps_compared": 0, "failures": 0}) for p in index["packages"])
    prod, machines = collections.Counter(), collections.Counter()
    norms, findings = collections.defaultdict(list), collections.defaultdict(list)
    for r in results:
        img = by_sha[r["sha256"]]
        keys = origin_keys(img)
        for k in keys:
            pkg[k]["maps_compared"] += r["maps_compared"]
            pkg[k]["failures"] += bool(r["failures"])
        for p in {producers[k] for k in keys}:
            prod[p] += 1
        machines["%s %s" % (r["machine"], r["format"].upper())] += 1
        for n in r["normalisations"]:
            norms[n].append(r["sha256"])
        for name in r["findings"]:
            findings[name].append(origin_text(img))
    drivers, driver_failures = runtime_drivers(index, results)
    failures = ["%s (%s): %s" % (r["sha256"][:16], origin_text(by_sha[r["sha256"]]), f)
                for r in results for f in r["failures"]] + extra_failures + driver_failures
    return {
        "schema": "rtprm-realworld-summary/1",
        "result": "fail" if failures else "pass",
        "corpus": dict(index["totals"], uefiextract=index.get("uefiextract")),
        "images": {"checked": len(results), "pe": sum(r["format"] == "pe" for r in results),
                   "te": sum(r["format"] == "te" for r in results)},
        "by_package": pkg, "by_producer": dict(prod), "by_machine": dict(sorted(machines.items())),
        "maps_compared": sum(r["maps_compared"] for r in results),
        "rerelocations_compared": sum(r["rerelocations_compared"] for r in results),
        "strict_checked": sum(r["strict_checked"] for r in results),
        "rtprm_runs": sum(r["runs"] for r in results),
        "normalisations": {n: len(v) for n, v in sorted(norms.items())},
        "findings": {n: {"images": len(v), "examples": sorted(set(v))[:8]} for n, v in sorted(findings.items())},
        "refusals": [dict(ref, sha256=r["sha256"], image=origin_text(by_sha[r["sha256"]]))
                     for r in results for ref in r["refusals"]],
        "no_reference": [{"sha256": r["sha256"], "what": w} for r in results for w in r["no_reference"]],
        "prm_module": dict(collections.Counter(r["prm"] or "error" for r in results)),
        "runtime_drivers": drivers,
        "failures": failures,
        "timings": timings,
    }


def markdown(s):
    lines = ["# conformance.realworld: %s" % s["result"].upper(), "",
             "%(checked)d unique images (%(pe)d PE, %(te)d TE); " % s["images"]
             + "%d maps and %d re-relocations byte-identical to the references; %d strict-profile checks; "
             "%d rtprm runs; %.0f s (fetch %.1f s, checks %.0f s on %d jobs)."
             % (s["maps_compared"], s["rerelocations_compared"], s["strict_checked"], s["rtprm_runs"],
                s["timings"]["total_s"], s["timings"]["fetch_s"], s["timings"]["check_s"], s["timings"]["jobs"]),
             "", "| package | producer | image files | unique | maps compared | images failing |",
             "|---|---|---:|---:|---:|---:|"]
    lines += ["| %s | %s | %d | %d | %d | %d |" % (k, v["producer"], v["files"], v["unique"], v["maps_compared"],
                                                 v["failures"]) for k, v in s["by_package"].items()]
    lines += ["", "| producer | unique images |", "|---|---:|"]
    lines += ["| %s | %d |" % kv for kv in sorted(s["by_producer"].items())]
    lines += ["", "| machine, format | unique images |", "|---|---:|"]
    lines += ["| %s | %d |" % kv for kv in s["by_machine"].items()]
    lines += ["", "## pefile normalisations (harnesses/pe/README.md)", "", "| normalisation | images |", "|---|---:|"]
    lines += ["| %s | %d |" % kv for kv in s["normalisations"].items()]
    lines += ["", "## Findings (compatible profile)", "", "| reason | images | examples |", "|---|---:|---|"]
    lines += ["| %s | %d | %s |" % (k, v["images"], "; ".join(v["examples"][:3])) for k, v in s["findings"].items()]
    lines += ["", "## EFI runtime drivers (subsystem 12): pe rerelocate", "",
              "| driver | machine | packages | re-relocated (records) | findings |", "|---|---|---|---|---|"]
    lines += ["| %s | %s | %s | %s | %s |" % (", ".join(d["names"]), d["machine"], ", ".join(d["packages"]),
                                          " + ".join(d["rerelocated"]) or "-", ", ".join(d["findings"]) or "-")
              for d in s["runtime_drivers"]]
    lines += ["", "## Refusals", ""] + ["- %s `%s` %s: %s (%s)" % (
        r["image"], r["sha256"][:16], r["command"], r["reason"], "expected" if r["expected"] else "NOT EXPECTED")
        for r in s["refusals"]] + ["", "## No reference", ""]
    lines += ["- `%s` %s" % (n["sha256"][:16], n["what"]) for n in s["no_reference"]]
    lines += ["", "## Failures (%d)" % len(s["failures"]), ""] + ["- " + f for f in s["failures"][:200]]
    return "\n".join(lines) + "\n"


def write_reports(reports, summary):
    os.makedirs(reports, exist_ok=True)
    with open(os.path.join(reports, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    with open(os.path.join(reports, "summary.md"), "w") as f:
        f.write(markdown(summary))


# ---------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rtprm", required=True)
    ap.add_argument("--root", required=True, help="source tree (manifest and expected.json)")
    ap.add_argument("--reports", required=True)
    ap.add_argument("--cache", help="cache root (default: fetch.py's)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--only", nargs="*", help="check only images whose SHA-256 starts with one of these")
    a = ap.parse_args(argv)
    t0 = time.monotonic()
    try:
        corpus, index = fetch.ensure(os.path.join(a.root, "corpus", "realworld", "manifest.json"), a.cache)
    except fetch.FetchError as e:
        print("conformance.realworld: FAIL: fetch: %s" % e)
        return 1
    t1 = time.monotonic()
    images = [i for i in index["images"] if not a.only or any(i["sha256"].startswith(p) for p in a.only)]
    images.sort(key=lambda i: -i["size"])  # largest first: better balance over the workers
    with tempfile.TemporaryDirectory(prefix="rtprm-realworld-") as tmp:
        ctx = {"rtprm": os.path.abspath(a.rtprm), "corpus": corpus, "tmp": tmp}
        with multiprocessing.Pool(max(1, a.jobs), init_worker, (ctx,)) as pool:
            results = list(pool.imap_unordered(check_image, images))
    results.sort(key=lambda r: r["sha256"])
    stale = judge_refusals(results, expected_refusals(a.root), full=not a.only)
    t2 = time.monotonic()
    timings = {"fetch_s": round(t1 - t0, 1), "check_s": round(t2 - t1, 1), "total_s": round(t2 - t0, 1),
               "jobs": a.jobs, "slowest": sorted(((r["seconds"], r["sha256"][:16]) for r in results))[-5:]}
    summary = summarise(index, results, stale, timings)
    write_reports(a.reports, summary)
    for f in summary["failures"][:40]:
        print("FAIL " + f)
    print("conformance.realworld: %s: %d images (%d PE, %d TE), %d maps + %d re-relocations byte-identical, "
          "%d strict checks, %d refusals, %d failures, %.0f s (report: %s)"
          % (summary["result"].upper(), summary["images"]["checked"], summary["images"]["pe"],
             summary["images"]["te"], summary["maps_compared"], summary["rerelocations_compared"],
             summary["strict_checked"], len(summary["refusals"]), len(summary["failures"]), t2 - t0,
             os.path.join(a.reports, "summary.md")))
    return 1 if summary["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
