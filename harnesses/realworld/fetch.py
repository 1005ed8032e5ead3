#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Fetches the real-world PE/TE corpus: the Debian packages pinned in a
manifest (corpus/realworld/manifest.json), every PE/TE image in them,
deduplicated by SHA-256.

  fetch.py --manifest M [--cache DIR] [--repin] [--sources FILE]

Cache (never inside the clone): DIR, else $RTPRM_CACHE, else
${XDG_CACHE_HOME:-$HOME/.cache}/rtprm.
  apt/                 private apt state (sources, lists, caches); the
                       system's apt configuration is never touched
  debs/                the .debs, verified against the manifest's SHA-256
  realworld/<hash>/    images/<sha256>.efi|.te + index.json; <hash> = SHA-256
                       of the index schema + the manifest (16 hex digits)
A run with a complete cache does not touch the network. An fcntl lock on
CACHE/.lock serialises concurrent runs.

Images: flash images (*.fd whose name does not contain VARS) are unpacked
with UEFIExtract (package uefitool-cli) and every "PE32 image section" and
"TE image section" body taken; in every other file, one that starts with
"MZ" and whose e_lfanew leads to "PE\\0\\0", or starts with "VZ".

--repin rewrites the manifest's versions, .deb names, SHA-256s and image
counts from what the archive serves now. Prints the corpus directory.
Exit status: 0 ok, 1 fetch or verification error (one line saying what and
how to fix it), 2 usage.
"""
import argparse
import hashlib
import concurrent.futures
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "debian"))
from apt import HOST_SOURCES, Apt, FetchError, cache_root, locked, log, run, sha256_file, spec  # noqa: E402

UEFIEXTRACT = "UEFIExtract"
IMAGE_SECTION = re.compile(r"^\d+ (PE32|TE) image section$")
INDEX_SCHEMA = "rtprm-realworld-index/1"
REPIN = "harnesses/realworld/fetch.py --manifest MANIFEST --repin"


def fetch_debs(root, manifest, apt, repin):
    """Every package's .deb in CACHE/debs, verified (or, repinning, recorded)."""
    debs_dir = os.path.join(root, "debs")
    os.makedirs(debs_dir, exist_ok=True)
    paths = []
    for pkg in manifest["packages"]:
        path = os.path.join(debs_dir, pkg["deb"]) if pkg.get("deb") else None
        if repin or not (path and os.path.exists(path) and sha256_file(path) == pkg["sha256"]):
            path = download_verified(apt, pkg, debs_dir, repin)
        check_control(path, pkg)
        paths.append(path)
    return paths


def download_verified(apt, pkg, debs_dir, repin):
    """Downloads pkg, checks (or, repinning, records) its name and SHA-256,
    and only then moves it into debs_dir."""
    tmp = tempfile.mkdtemp(prefix=".partial-", dir=debs_dir)
    try:
        try:
            got = apt.download(pkg, tmp)
        except FetchError as e:
            raise FetchError("%s Repin with %s" % (e, REPIN))
        name, digest = os.path.basename(got), sha256_file(got)
        if repin:
            pkg["deb"], pkg["sha256"] = name, digest
        elif (name, digest) != (pkg["deb"], pkg["sha256"]):
            raise FetchError("%s %s: the archive serves %s with SHA-256 %s, the manifest pins %s %s; if the "
                             "archive rebuilt it, repin with %s"
                             % (spec(pkg), pkg["version"], name, digest, pkg["deb"], pkg["sha256"], REPIN))
        os.replace(got, os.path.join(debs_dir, name))
        return os.path.join(debs_dir, name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_control(path, pkg):
    """The .deb's own Package/Version/Architecture must be the manifest's."""
    got = run(["dpkg-deb", "-f", path, "Package", "Version", "Architecture"], "dpkg-deb -f")
    fields = dict(line.split(": ", 1) for line in got.splitlines() if ": " in line)
    want = {"Package": pkg["name"], "Version": pkg["version"], "Architecture": pkg["arch"]}
    if fields != want:
        raise FetchError("%s is %s, the manifest pins %s; fix the manifest or repin with %s"
                         % (path, fields, want, REPIN))


# ---------------------------------------------------------------------------
# Image extraction

def image_kind(path):
    """'pe' for MZ whose e_lfanew leads to PE\\0\\0, 'te' for VZ, else None."""
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:2] == b"VZ" and len(head) >= 40:
            return "te"
        if head[:2] != b"MZ" or len(head) < 64:
            return None
        f.seek(struct.unpack_from("<I", head, 0x3C)[0])
        return "pe" if f.read(4) == b"PE\0\0" else None


def is_flash(name):
    return name.endswith(".fd") and "VARS" not in name


def info_fields(path):
    try:
        lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    except OSError:
        return {}
    fields = {}
    for line in lines:
        key, sep, value = line.partition(": ")
        if sep:
            fields.setdefault(key, value)  # "Type: File" comes before the raw "Type: 04h"
    return fields


def ffs_file(section_dir, dump):
    """UI name and GUID of the FFS file holding an image section."""
    d = os.path.dirname(section_dir)
    while d.startswith(dump) and d != dump:
        fields = info_fields(os.path.join(d, "info.txt"))
        if fields.get("Type") == "File":
            return {"ui": fields.get("Text"), "guid": fields.get("File GUID")}
        d = os.path.dirname(d)
    return {"ui": None, "guid": None}


def unpack_flash(fd, rel):
    run([UEFIEXTRACT, fd, "all"], "UEFIExtract %s" % rel, cwd=os.path.dirname(fd))


def flash_images(fd):
    """(body path, origin extras) of every PE32/TE image section in an unpacked flash image."""
    dump = fd + ".dump"
    for d, subdirs, files in os.walk(dump):
        subdirs.sort()
        if IMAGE_SECTION.match(os.path.basename(d)) and "body.bin" in files:
            body = os.path.join(d, "body.bin")
            if image_kind(body):
                yield body, dict(fv_path=os.path.relpath(d, dump), **ffs_file(d, dump))


def package_files(root):
    """(path, path inside the package) of every regular file, sorted."""
    for d, subdirs, files in os.walk(root):
        subdirs.sort()
        for name in sorted(files):
            path = os.path.join(d, name)
            if not os.path.islink(path) and os.path.isfile(path):
                yield path, "/" + os.path.relpath(path, root)


def package_images(deb, work):
    """(file path, origin) of every image in one .deb, extracted under work.
    The flash images are unpacked concurrently (UEFIExtract is I/O bound)."""
    root = os.path.join(work, "root")
    run(["dpkg-deb", "-x", deb, root], "dpkg-deb -x %s" % os.path.basename(deb))
    files = list(package_files(root))
    flashes = [(p, rel) for p, rel in files if is_flash(os.path.basename(p))]
    with concurrent.futures.ThreadPoolExecutor(max(2, os.cpu_count() or 1)) as pool:
        list(pool.map(lambda f: unpack_flash(*f), flashes))
    for path, rel in files:
        if (path, rel) in flashes:
            for body, extra in flash_images(path):
                yield body, dict(path=rel, **extra)
            shutil.rmtree(path + ".dump", ignore_errors=True)
        elif image_kind(path):
            yield path, {"path": rel}


class Corpus:
    """Unique images (by SHA-256) with all their origins, built in out_dir."""

    def __init__(self, out_dir):
        self.dir = out_dir
        self.images = {}
        os.makedirs(os.path.join(out_dir, "images"), exist_ok=True)

    def add(self, path, origin):
        digest = sha256_file(path)
        img = self.images.get(digest)
        if img is None:
            kind = image_kind(path)
            img = {"sha256": digest, "file": "images/%s.%s" % (digest, "efi" if kind == "pe" else "te"),
                   "format": kind, "size": os.path.getsize(path), "origins": []}
            shutil.copyfile(path, os.path.join(self.dir, img["file"]))
            self.images[digest] = img
        img["origins"].append(origin)
        return digest

    def add_package(self, pkg, deb, scratch):
        """Adds one package's images; returns (files, unique within the package)."""
        work = tempfile.mkdtemp(prefix="pkg-", dir=scratch)
        try:
            origin = {"package": pkg["name"], "arch": pkg["arch"], "version": pkg["version"]}
            digests = [self.add(path, dict(origin, **o)) for path, o in package_images(deb, work)]
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return len(digests), len(set(digests))


def build(manifest, debs, out_dir, repin):
    corpus = Corpus(out_dir)
    wrong = []
    for pkg, deb in zip(manifest["packages"], debs):
        files, unique = corpus.add_package(pkg, deb, out_dir)
        log("%-22s %-6s %4d image files, %3d unique" % (pkg["name"], pkg["arch"], files, unique))
        if repin:
            pkg["images"], pkg["unique"] = files, unique
        elif (files, unique) != (pkg.get("images"), pkg.get("unique")):
            wrong.append("%s yields %d/%d image files/unique, the manifest expects %s/%s"
                         % (spec(pkg), files, unique, pkg.get("images"), pkg.get("unique")))
    images = sorted(corpus.images.values(), key=lambda i: i["sha256"])
    totals = {"images": sum(len(i["origins"]) for i in images), "unique": len(images),
              "te": sum(1 for i in images if i["format"] == "te")}
    if repin:
        manifest["totals"] = totals
    elif totals != manifest.get("totals"):
        wrong.append("totals %s, the manifest expects %s" % (totals, manifest.get("totals")))
    if wrong:
        raise FetchError("; ".join(wrong) + " (a different UEFIExtract? re-record with %s)" % REPIN)
    return {"schema": INDEX_SCHEMA, "uefiextract": uefiextract_version(), "totals": totals,
            "packages": [{k: p.get(k) for k in ("name", "arch", "version", "producer", "images", "unique")}
                         for p in manifest["packages"]],
            "images": images}


def uefiextract_version():
    r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "uefitool-cli"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return r.stdout.strip() or None


# ---------------------------------------------------------------------------

def manifest_dump(manifest):
    """The manifest as JSON with one package per line."""
    rows = ",\n".join("    " + json.dumps(p) for p in manifest["packages"])
    head = {k: v for k, v in manifest.items() if k not in ("packages", "totals")}
    lines = ['  "%s": %s,' % (k, json.dumps(v)) for k, v in head.items()]
    lines.append('  "totals": %s,' % json.dumps(manifest.get("totals")))
    return "{\n" + "\n".join(lines) + '\n  "packages": [\n' + rows + "\n  ]\n}\n"


def corpus_dir(root, manifest_text):
    """CACHE/realworld/<hash>: the hash covers the manifest and the index
    schema, so a changed manifest or index format gets a fresh directory."""
    key = hashlib.sha256((INDEX_SCHEMA + "\n" + manifest_text).encode()).hexdigest()[:16]
    return os.path.join(root, "realworld", key)


def complete_index(out):
    """The corpus directory's index when it and every image in it exist."""
    try:
        index = json.load(open(os.path.join(out, "index.json")))
    except (OSError, ValueError):
        return None
    files_there = all(os.path.isfile(os.path.join(out, i["file"])) for i in index["images"])
    return index if files_there else None


def fresh_scratch(parent):
    """A new build directory; earlier ones left by an interrupted run (we hold
    the lock, so nobody else is building) are removed."""
    os.makedirs(parent, exist_ok=True)
    for name in os.listdir(parent):
        if name.startswith(".build-"):
            shutil.rmtree(os.path.join(parent, name), ignore_errors=True)
    return tempfile.mkdtemp(prefix=".build-", dir=parent)


def ensure(manifest_path, cache=None, repin=False, host_sources=HOST_SOURCES):
    """The corpus directory for the manifest, fetching and extracting what the
    cache lacks. Returns (directory, index)."""
    root = cache_root(cache)
    with locked(root):
        text = open(manifest_path).read()
        out = corpus_dir(root, text)
        index = None if repin else complete_index(out)
        if index:
            return out, index
        if shutil.which(UEFIEXTRACT) is None:
            raise FetchError("%s not found: install the Debian package uefitool-cli (make deps)" % UEFIEXTRACT)
        manifest = json.loads(text)
        apt = Apt(root, host_sources)
        try:
            if repin:
                for pkg in manifest["packages"]:
                    pkg["version"] = apt.candidate(pkg)
            debs = fetch_debs(root, manifest, apt, repin)
        finally:
            apt.drop_caches()
        scratch = fresh_scratch(os.path.dirname(out))
        try:
            index = build(manifest, debs, scratch, repin)
            if repin:
                text = manifest_dump(manifest)
                with open(manifest_path, "w") as f:
                    f.write(text)
                out = corpus_dir(root, text)
            index["manifest_sha256"] = hashlib.sha256(text.encode()).hexdigest()
            with open(os.path.join(scratch, "index.json"), "w") as f:
                json.dump(index, f, indent=1)
            shutil.rmtree(out, ignore_errors=True)
            os.replace(scratch, out)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return out, index


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--cache", help="cache root (default $RTPRM_CACHE or ${XDG_CACHE_HOME:-~/.cache}/rtprm)")
    ap.add_argument("--repin", action="store_true", help="pin what the archive serves now (rewrites the manifest)")
    ap.add_argument("--sources", default=HOST_SOURCES, help="deb822 apt sources to take the archive URIs from")
    a = ap.parse_args(argv)
    try:
        out, index = ensure(a.manifest, a.cache, a.repin, a.sources)
    except FetchError as e:
        sys.stderr.write("fetch: error: %s\n" % e)
        return 1
    t = index["totals"]
    log("%d image files, %d unique (%d TE) in %s" % (t["images"], t["unique"], t["te"], out))
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
