#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""EDK II from Debian's own source package as a reference platform: fetch,
verify, unpack (Debian's patches applied), build BaseTools, and build the
flash images of harnesses/edk2/variants.py with our prebuilt drivers in
them.

  edk2.py build --fw-x64 DIR --fw-aa64 DIR --out DIR [--variant NAME]... [--cache DIR]
  edk2.py source [--cache DIR]          # fetch + unpack + BaseTools only; prints the workspace

Cache (never inside the clone; $RTPRM_CACHE or ~/.cache/rtprm):
  apt-src/                     private apt state for source packages
  edk2/<version>/dl/           the .dsc and tarballs (.dsc SHA-256 pinned below;
                               dpkg-source checks the tarballs against it)
  edk2/<version>/src/          the workspace: Debian's tree, BaseTools built,
                               Build/ (incremental: a warm build is seconds)
  edk2/<version>/out/          finished outputs by variant and recipe
Output: DIR/<variant>/{CODE.fd, VARS.fd, build.json} and DIR/apps/<platform>/.
Each of our drivers enters a variant's FDF as a binary module INF
(RtprmBin/<name>-<SHA-256 prefix>/, docs/integration.md), so a changed
driver always reaches the flash image; a variant
whose recipe (EDK II version, build settings, generated DSC/FDF/INF texts)
is unchanged is not rebuilt: its outputs are kept, or copied from
edk2/<version>/out/<variant>-<recipe>/ in the cache (a fresh clone builds
nothing that an earlier clone built).
Exit status: 0 ok, 1 failure (the line says what failed), 2 usage.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "debian"))
from apt import Apt, FetchError, cache_root, locked, sha256_file  # noqa: E402
import variants  # noqa: E402

OUT_CACHE = [None]  # edk2/<version>/out/ under the cache root, set by main()
SOURCE = {"name": "edk2", "version": "2022.11-6+deb12u2",
          "dsc_sha256": "3129d783c9017f738af4453c9f94a2fdfba2ee91cf409c0c3623b31377e76cc6"}
TARGET = "DEBUG"


def log(msg):
    sys.stderr.write("edk2: %s\n" % msg)
    sys.stderr.flush()


def run_logged(cmd, what, logfile, cwd=None, env=None):
    """Runs cmd with its output in logfile; a failure names the log's tail."""
    with open(logfile, "w") as f:
        r = subprocess.run(cmd, cwd=cwd, env=env, stdout=f, stderr=subprocess.STDOUT)
    if r.returncode:
        with open(logfile, errors="replace") as f:
            tail = [ln.rstrip() for ln in f.readlines()[-15:]]
        raise FetchError("%s failed (exit %d); last lines of %s:\n  %s" % (what, r.returncode, logfile,
                                                                          "\n  ".join(tail)))


# ---------------------------------------------------------------------------
# Source: fetch, verify, unpack, BaseTools

def fetch_source(top):
    dl = os.path.join(top, "dl")
    dsc = os.path.join(dl, "%s_%s.dsc" % (SOURCE["name"], SOURCE["version"]))
    if not os.path.isfile(dsc):
        shutil.rmtree(dl, ignore_errors=True)
        os.makedirs(dl)
        log("apt-get source %s=%s" % (SOURCE["name"], SOURCE["version"]))
        Apt(cache_root_of(top), types="deb-src").source(SOURCE["name"], SOURCE["version"], dl)
    got = sha256_file(dsc)
    if got != SOURCE["dsc_sha256"]:
        raise FetchError("%s has SHA-256 %s, harnesses/edk2/edk2.py pins %s" % (dsc, got, SOURCE["dsc_sha256"]))
    return dsc


def cache_root_of(top):
    return os.path.dirname(os.path.dirname(top))


def unpack(top, dsc):
    """dpkg-source -x checks every tarball against the .dsc and applies
    Debian's patches (debian/patches/series)."""
    src = os.path.join(top, "src")
    stamp = os.path.join(src, ".rtprm-unpacked")
    if os.path.isfile(stamp):
        return src
    shutil.rmtree(src, ignore_errors=True)
    log("dpkg-source -x (Debian's patches applied)")
    run_logged(["dpkg-source", "-x", dsc, src], "dpkg-source -x", os.path.join(top, "unpack.log"))
    open(stamp, "w").close()
    return src


def basetools(src):
    stamp = os.path.join(src, ".rtprm-basetools")
    if os.path.isfile(stamp):
        return
    log("make -C BaseTools")
    run_logged(["make", "-C", "BaseTools", "-j%d" % os.cpu_count()], "BaseTools",
               os.path.join(os.path.dirname(src), "basetools.log"), cwd=src)
    open(stamp, "w").close()


def ensure_source(root):
    top = os.path.join(root, "edk2", SOURCE["version"])
    os.makedirs(top, exist_ok=True)
    src = unpack(top, fetch_source(top))
    basetools(src)
    return src


# ---------------------------------------------------------------------------
# Platform files: copies of the upstream DSC/FDF with our edits

def edit_once(text, pattern, replacement, what):
    """Replaces the one line matching pattern (a regex over a whole line)."""
    rx = re.compile(pattern, re.M)
    hits = rx.findall(text)
    if len(hits) != 1:
        raise FetchError("%s: expected exactly one line matching %r, found %d (upstream changed?)"
                         % (what, pattern, len(hits)))
    return rx.sub(lambda _m: replacement, text)


def write_if_changed(path, text):
    if os.path.isfile(path) and open(path).read() == text:
        return
    with open(path, "w") as f:
        f.write(text)


def rtprm_name(path):
    d, base = os.path.split(path)
    return os.path.join(d, "Rtprm" + base)


def platform_dsc(src, p):
    """Our DSC: the upstream one with its own output directory and our
    additions appended (later sections add to earlier ones)."""
    text = open(os.path.join(src, p["dsc"])).read()
    text = edit_once(text, r"^\s*OUTPUT_DIRECTORY\s*=.*$", "  OUTPUT_DIRECTORY               = %s" % p["rtprm_output"],
                     p["dsc"])
    out = rtprm_name(p["dsc"])
    write_if_changed(os.path.join(src, out), text + p["dsc_append"])
    return out


def pe_subsystem(path):
    with open(path, "rb") as f:
        head = f.read(4096)
    if head[:2] != b"MZ" or len(head) < 0x40:
        raise FetchError("%s is not a PE image" % path)
    off = struct.unpack_from("<I", head, 0x3C)[0] + 24 + 68  # optional header Subsystem
    if off + 2 > len(head):
        raise FetchError("%s: PE headers past the first 4 KiB" % path)
    return struct.unpack_from("<H", head, off)[0]


def staged(src, fw_dir, fname, name, arch):
    """Our driver as a binary module in the workspace: RtprmBin/<name>-<hash>/
    with <name>.efi, <name>.depex and <name>.inf; returns the INF's
    workspace-relative path and the image's SHA-256."""
    path = os.path.join(fw_dir, fname)
    if not os.path.isfile(path):
        raise FetchError("%s missing: build the firmware presets first (cmake --workflow --preset fw-x64/fw-aa64)"
                         % path)
    digest = sha256_file(path)
    kind = variants.MODULE_TYPES.get(pe_subsystem(path))
    if kind is None:
        raise FetchError("%s: subsystem %d is not a DXE driver's" % (path, pe_subsystem(path)))
    rel = os.path.join("RtprmBin", "%s-%s" % (name, digest[:16]))
    d = os.path.join(src, rel)
    os.makedirs(d, exist_ok=True)
    shutil.copyfile(path, os.path.join(d, name + ".efi"))
    with open(os.path.join(d, name + ".depex"), "wb") as f:
        f.write(variants.depex_bytes(name))
    inf = variants.binary_inf(name, arch, kind)
    write_if_changed(os.path.join(d, name + ".inf"), inf)
    return os.path.join(rel, name + ".inf"), digest, inf + variants.depex_bytes(name).hex()


def fv_edits(src, v, p, fw_dir, inputs, texts):
    """The DXE FV text edits of a variant, as (pattern, new lines); the
    binary modules' INF and depex texts are appended to texts."""
    block = []
    items = [("RuntimeDxe", v["runtime"])] if v["runtime"] else [variants.RUNTIME_INF]
    for item in items + v["add"]:
        if isinstance(item, str):
            block.append(variants.inf_line(item))
        else:
            name, fname = item
            inf, inputs[name], text = staged(src, fw_dir, fname, name, p["arch"])
            texts.append(text)
            block.append(variants.fdf_binary_inf(inf))
    return r"^[ \t]*INF[ \t]+%s[ \t]*$" % re.escape(variants.RUNTIME_INF), "\n".join(block)


def variant_fdf(src, name, v, p, fw_dir, inputs):
    """The variant's FDF (and, where the DXE FV lives in an include, that
    include), written as Rtprm-<variant> copies next to the upstream files."""
    written = []
    pattern, block = fv_edits(src, v, p, fw_dir, inputs, written)
    fdf_dir = os.path.dirname(p["fdf"])
    fdf = open(os.path.join(src, p["fdf"])).read()
    tag = "Rtprm-%s-" % name
    if p["fdf_include"]:
        inc = edit_once(open(os.path.join(src, fdf_dir, p["fdf_include"])).read(), pattern, block, name)
        write_if_changed(os.path.join(src, fdf_dir, tag + p["fdf_include"]), inc)
        written.append(inc)
        fdf = edit_once(fdf, r"^\s*!include\s+%s\s*$" % re.escape(p["fdf_include"]),
                        "!include %s%s" % (tag, p["fdf_include"]), p["fdf"])
    else:
        fdf = edit_once(fdf, pattern, block, name)
    fdf += variants.FDF_RULES
    out = os.path.join(fdf_dir, tag + os.path.basename(p["fdf"]))
    write_if_changed(os.path.join(src, out), fdf)
    return out, written + [fdf]


# ---------------------------------------------------------------------------
# Builds

def build_env(src, p):
    env = dict(os.environ, WORKSPACE=src, PYTHON_COMMAND=sys.executable, **p["env"])
    env.pop("MAKEFLAGS", None)  # make's jobserver from `make test` is not EDK II's
    return env


def edk2_build(src, p, dsc, fdf, logfile):
    args = ["build", "-a", p["arch"], "-t", p["toolchain"], "-p", dsc, "-b", TARGET, "-n", str(os.cpu_count())]
    if fdf:
        args += ["-f", fdf]
    for d in p["defines"]:
        args += ["-D", d]
    # edksetup.sh reads the positional parameters of the shell sourcing it:
    # clear them first.
    cmd = ["bash", "-c", 'a=("$@"); set --; . ./edksetup.sh >/dev/null && exec "${a[@]}"', "edk2-build"] + args
    run_logged(cmd, "EDK II build (%s)" % " ".join(args), logfile, cwd=src, env=build_env(src, p))


def fv_dir(src, p):
    out = p["rtprm_output"].replace("$(ARCH)", p["arch"])
    return os.path.join(src, out, "%s_%s" % (TARGET, p["toolchain"]))


def recipe(p, texts):
    """What decides an output: the EDK II version, the platform's build
    settings and the generated DSC/FDF texts (which name our drivers by
    content hash)."""
    h = hashlib.sha256(json.dumps([SOURCE, TARGET, p], sort_keys=True).encode())
    for t in texts:
        h.update(t.encode())
    return h.hexdigest()


def recorded(info_path, key, outputs):
    """The build.json at info_path if it has this recipe and every output
    (name -> path) still has the recorded content, else None."""
    try:
        with open(info_path) as f:
            old = json.load(f)
        if old.get("recipe") == key and all(sha256_file(path) == old["outputs"].get(n)
                                            for n, path in outputs.items()):
            return old
    except (OSError, ValueError, KeyError, AttributeError):
        pass
    return None


def reuse_or_build(name, key, info_path, outputs, build):
    """Outputs (name -> path) of one build: kept if info_path records this
    recipe, else copied from the shared output cache (edk2/<version>/out/,
    outside the clone: a fresh clone needs no EDK II build at all), else
    built by build() -> info dict, recorded and stored in the cache."""
    old = recorded(info_path, key, outputs)
    if old:
        log("%s is up to date (%s)" % (name, os.path.dirname(info_path)))
        return dict(old, seconds=0.0, reused="here")
    entry = os.path.join(OUT_CACHE[0], "%s-%s" % (name, key[:32]))
    cached = {n: os.path.join(entry, n) for n in outputs}
    old = recorded(os.path.join(entry, "build.json"), key, cached)
    if old:
        copy_all(cached, outputs)
        shutil.copyfile(os.path.join(entry, "build.json"), info_path)
        log("%s from the output cache (%s)" % (name, entry))
        return dict(old, seconds=0.0, reused="cache")
    info = build()
    info.update(recipe=key, outputs={n: sha256_file(path) for n, path in outputs.items()})
    with open(info_path, "w") as f:
        json.dump(info, f, indent=1)
    shutil.rmtree(entry, ignore_errors=True)
    copy_all(outputs, cached)
    shutil.copyfile(info_path, os.path.join(entry, "build.json"))
    prune(name)
    return info


def prune(name, keep=4):
    """Keeps the newest `keep` cached outputs of one variant."""
    d = OUT_CACHE[0]
    mine = [os.path.join(d, e) for e in os.listdir(d) if e.rsplit("-", 1)[0] == name]
    for old in sorted(mine, key=os.path.getmtime, reverse=True)[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def copy_all(src, dst):
    for n, path in src.items():
        os.makedirs(os.path.dirname(dst[n]), exist_ok=True)
        shutil.copyfile(path, dst[n])


def build_variant(src, name, fw_dirs, out_dir, logs):
    v = variants.VARIANTS[name]
    p = variants.PLATFORMS[v["platform"]]
    fw_dir = fw_dirs["aa64" if p["arch"] == "AARCH64" else "x64"]
    inputs = {}
    dsc = platform_dsc(src, p)
    fdf, texts = variant_fdf(src, name, v, p, fw_dir, inputs)
    key = recipe(p, [open(os.path.join(src, dsc)).read()] + texts)
    dest = os.path.join(out_dir, name)
    apps = os.path.join(out_dir, "apps", v["platform"])
    os.makedirs(dest, exist_ok=True)
    outputs = {"CODE.fd": os.path.join(dest, "CODE.fd"), "VARS.fd": os.path.join(dest, "VARS.fd")}
    outputs.update({"apps/%s.efi" % n: os.path.join(apps, n + ".efi") for n in p["apps"]})

    def build():
        t0 = time.monotonic()
        log("build %s (%s, %s)" % (name, v["platform"], fdf))
        edk2_build(src, p, dsc, fdf, os.path.join(logs, "%s.log" % name))
        fv = os.path.join(fv_dir(src, p), "FV")
        shutil.copyfile(os.path.join(fv, p["code"]), outputs["CODE.fd"])
        shutil.copyfile(os.path.join(fv, p["vars"]), outputs["VARS.fd"])
        copy_apps(src, p, apps)
        return {"variant": name, "platform": v["platform"], "edk2": SOURCE["version"], "fdf": fdf,
                "inputs": inputs, "seconds": round(time.monotonic() - t0, 1)}
    return reuse_or_build(name, key, os.path.join(dest, "build.json"), outputs, build)


def build_modules(src, name, out_dir, logs):
    """A platform whose outputs are modules (no flash image of ours)."""
    p = variants.PLATFORMS[name]
    dsc = platform_dsc(src, p)
    key = recipe(p, [open(os.path.join(src, dsc)).read()])
    dest = os.path.join(out_dir, "apps", name)
    os.makedirs(dest, exist_ok=True)
    outputs = {n + ".efi": os.path.join(dest, n + ".efi") for n in p["apps"]}

    def build():
        t0 = time.monotonic()
        log("build %s (%s)" % (name, p["dsc"]))
        edk2_build(src, p, dsc, None, os.path.join(logs, "%s.log" % name))
        copy_apps(src, p, dest)
        return {"platform": name, "edk2": SOURCE["version"], "seconds": round(time.monotonic() - t0, 1)}
    return reuse_or_build(name, key, os.path.join(dest, "build.json"), outputs, build)


def copy_apps(src, p, dest):
    os.makedirs(dest, exist_ok=True)
    for name, rel in p["apps"].items():
        shutil.copyfile(os.path.join(fv_dir(src, p), rel), os.path.join(dest, name + ".efi"))


# ---------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("command", choices=["build", "source"])
    ap.add_argument("--cache", help="cache root (default $RTPRM_CACHE or ~/.cache/rtprm)")
    ap.add_argument("--fw-x64", help="our x64 firmware images (build/fw-x64/bin)")
    ap.add_argument("--fw-aa64", help="our AArch64 firmware images (build/fw-aa64/bin)")
    ap.add_argument("--out", help="where the flash images go (build/edk2)")
    ap.add_argument("--variant", action="append", choices=sorted(variants.VARIANTS),
                    help="build only these (default: all)")
    a = ap.parse_args(argv)
    if a.command == "build" and not (a.fw_x64 and a.fw_aa64 and a.out):
        ap.error("build needs --fw-x64, --fw-aa64 and --out")
    root = cache_root(a.cache)
    t0 = time.monotonic()
    try:
        with locked(root, ".edk2.lock"):
            src = ensure_source(root)
            OUT_CACHE[0] = os.path.join(os.path.dirname(src), "out")
            if a.command == "source":
                print(src)
                return 0
            out = os.path.abspath(a.out)
            logs = os.path.join(out, "logs")
            os.makedirs(logs, exist_ok=True)
            fw = {"x64": os.path.abspath(a.fw_x64), "aa64": os.path.abspath(a.fw_aa64)}
            built = [build_variant(src, n, fw, out, logs) for n in (a.variant or sorted(variants.VARIANTS))]
            if not a.variant:
                built += [build_modules(src, n, out, logs) for n in variants.MODULE_PLATFORMS]
    except FetchError as e:
        log("FAIL: %s" % e)
        return 1
    with open(os.path.join(out, "builds.json"), "w") as f:
        json.dump({"edk2": SOURCE, "workspace": src, "variants": built,
                   "seconds": round(time.monotonic() - t0, 1)}, f, indent=1)
    log("%d variant(s) in %.0f s -> %s" % (len(built), time.monotonic() - t0, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
