#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Debian's archive without touching the system's apt configuration: a
private apt state under the project cache, for binary packages (amd64 and
arm64, `apt-get download`) and source packages (`apt-get source
--download-only`). Used by harnesses/realworld/fetch.py (the real-world
corpus) and harnesses/edk2/edk2.py (EDK II from Debian's source package).

Cache root: an explicit directory, else $RTPRM_CACHE, else
${XDG_CACHE_HOME:-$HOME/.cache}/rtprm; never inside a clone. The archive
URIs come from the machine's own /etc/apt/sources.list.d/debian.sources.
"""
import contextlib
import fcntl
import hashlib
import os
import re
import subprocess
import sys

HOST_SOURCES = "/etc/apt/sources.list.d/debian.sources"
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
ARCHES = ("amd64", "arm64")


def cache_root(explicit=None):
    if explicit:
        return os.path.abspath(explicit)
    if os.environ.get("RTPRM_CACHE"):
        return os.path.abspath(os.environ["RTPRM_CACHE"])
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(xdg, "rtprm")


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@contextlib.contextmanager
def locked(root, name=".lock"):
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, name), "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


class FetchError(Exception):
    """A fetch or verification error; the message says how to fix it."""


def log(msg):
    sys.stderr.write("fetch: %s\n" % msg)


def run(cmd, what, cwd=None):
    r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode:
        tail = (r.stderr.strip() or r.stdout.strip()).splitlines()[-1:] or ["exit %d" % r.returncode]
        raise FetchError("%s failed: %s" % (what, tail[0]))
    return r.stdout


# ---------------------------------------------------------------------------
# Private apt

def deb822(text):
    """Stanzas of a deb822 file as dicts (comments dropped, continuations joined)."""
    stanzas, cur, key = [], {}, None
    for line in text.splitlines() + [""]:
        if line.startswith("#"):
            continue
        if not line.strip():
            if cur:
                stanzas.append(cur)
            cur, key = {}, None
        elif line[0] in " \t" and key:
            cur[key] += " " + line.strip()
        else:
            key, _, value = line.partition(":")
            key = key.strip()
            cur[key] = value.strip()
    return stanzas


def private_sources(host_path, types="deb"):
    """The host's archive URIs, suites and components, as `types` entries
    (deb: for amd64 + arm64; deb-src)."""
    try:
        text = open(host_path).read()
    except OSError as e:
        raise FetchError("cannot read the machine's apt sources %s (%s); pass --sources FILE" % (host_path, e))
    out = []
    for st in deb822(text):
        if "deb" not in st.get("Types", "").split() or st.get("Enabled", "yes").lower() == "no":
            continue
        arches = "Architectures: %s\n" % " ".join(ARCHES) if types == "deb" else ""
        out.append("Types: %s\nURIs: %s\nSuites: %s\nComponents: %s\n%sSigned-By: %s\n"
                   % (types, st["URIs"], st["Suites"], st.get("Components", "main"), arches, KEYRING))
    if not out:
        raise FetchError("no 'Types: deb' entry in %s" % host_path)
    return "\n".join(out)


class Apt:
    """apt-get / apt-cache with every state directory under CACHE/apt
    (binary packages) or CACHE/apt-src (source packages)."""

    def __init__(self, root, host_sources=HOST_SOURCES, types="deb"):
        self.dir = os.path.join(root, "apt" if types == "deb" else "apt-src")
        self.host_sources = host_sources
        self.types = types
        self.updated = False

    def options(self):
        d = self.dir
        opts = [("Dir::Etc::SourceList", "/dev/null"), ("Dir::Etc::SourceParts", d + "/etc"),
                ("Dir::Etc::Preferences", "/dev/null"), ("Dir::Etc::PreferencesParts", d + "/prefs"),
                ("Dir::State::Lists", d + "/lists"), ("Dir::State::status", "/dev/null"),
                ("Dir::Cache::archives", d + "/archives"), ("Dir::Cache::pkgcache", d + "/pkgcache.bin"),
                ("Dir::Cache::srcpkgcache", d + "/srcpkgcache.bin")]
        opts += [("APT::Architectures::", a) for a in ARCHES]
        if os.geteuid() == 0:
            opts.append(("APT::Sandbox::User", "root"))  # _apt cannot enter a cache under /root
        return [x for k, v in opts for x in ("-o", "%s=%s" % (k, v))]

    def update(self):
        if self.updated:
            return
        for sub in ("etc", "prefs", "lists/partial", "archives/partial"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        with open(os.path.join(self.dir, "etc", "rtprm.sources"), "w") as f:
            f.write(private_sources(self.host_sources, self.types))
        log("apt-get update (private state in %s)" % self.dir)
        run(["apt-get", "-q"] + self.options() + ["update"], "apt-get update")
        self.updated = True

    def drop_caches(self):
        """The binary package caches (110 MB) only speed up this run's apt calls."""
        for name in ("pkgcache.bin", "srcpkgcache.bin"):
            if os.path.exists(os.path.join(self.dir, name)):
                os.unlink(os.path.join(self.dir, name))

    def candidate(self, pkg):
        """The archive's version of pkg ({"name", "arch"})."""
        self.update()
        out = run(["apt-cache"] + self.options() + ["show", "--no-all-versions", spec(pkg)],
                  "apt-cache show %s" % spec(pkg))
        versions = re.findall(r"^Version: (\S+)$", out, re.M)
        if not versions:
            raise FetchError("the archive has no %s" % spec(pkg))
        return versions[0]

    def download(self, pkg, dest_dir):
        """Downloads the pinned version into the empty dest_dir; returns its path."""
        self.update()
        try:
            run(["apt-get", "-q"] + self.options() + ["download", "%s=%s" % (spec(pkg), pkg["version"])],
                "apt-get download", cwd=dest_dir)
        except FetchError as e:
            raise FetchError("%s %s: %s; the archive no longer serves this version?" % (spec(pkg), pkg["version"], e))
        (name,) = os.listdir(dest_dir)
        return os.path.join(dest_dir, name)

    def source(self, name, version, dest_dir):
        """Downloads source package name=version (.dsc and its files) into
        dest_dir; apt checks them against the signed Sources index."""
        self.update()
        run(["apt-get", "-q"] + self.options() + ["source", "--download-only", "%s=%s" % (name, version)],
            "apt-get source %s=%s (the archive no longer serves this version?)" % (name, version), cwd=dest_dir)
        return os.path.join(dest_dir, "%s_%s.dsc" % (name, re.sub(r"^\d+:", "", version)))


def spec(pkg):
    return "%s:%s" % (pkg["name"], pkg["arch"])
