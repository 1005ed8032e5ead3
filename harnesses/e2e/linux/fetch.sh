#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# Fetches what the Linux e2e scenarios boot, from Debian's archive only
# (apt-get download; nothing is installed on the system):
#
#   harnesses/e2e/linux/fetch.sh CACHE_DIR
#
# CACHE_DIR/kernel/    the kernel package unpacked (boot/vmlinuz-*, efivarfs.ko)
# CACHE_DIR/busybox/   busybox-static unpacked (bin/busybox)
# CACHE_DIR/manifest.json  versions and paths, read by linux_run.py
#
# The kernel is the one Debian's linux-image-amd64 metapackage names (a
# linux-image-6.1.0-N-amd64, signed or not: the EFI stub boots either way
# without Secure Boot). A cache that already holds a manifest is reused.
set -euo pipefail

CACHE="${1:?usage: fetch.sh CACHE_DIR}"
mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd)"
[ -f "$CACHE/manifest.json" ] && { echo "fetch: cached ($CACHE/manifest.json)"; exit 0; }

kernel_pkg() {
  local dep
  dep="$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\(-unsigned\)\?\)$/\1/p' | head -1)"
  if [ -z "$dep" ]; then # no metapackage: the newest 6.1 kernel the archive lists
    dep="$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64(-unsigned)?$' | cut -d' ' -f1 | sort -V | tail -1)"
  fi
  [ -n "$dep" ] || { echo "fetch: no linux-image-6.1.0-*-amd64 in the apt lists (apt-get update?)" >&2; exit 1; }
  echo "$dep"
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A fresh machine may have empty apt lists: fill them once.
if [ -z "$(apt-cache policy linux-image-amd64 2>/dev/null | sed -n 's/^ *Candidate: \([^(]\)/\1/p')" ]; then
  echo "fetch: apt-get update (no candidate for linux-image-amd64)"
  apt-get update -qq
fi
kpkg="$(kernel_pkg)"
echo "fetch: apt-get download $kpkg busybox-static"
(cd "$work" && apt-get download "$kpkg" busybox-static >/dev/null 2>&1) || {
  echo "fetch: apt-get download failed (network to the Debian mirror?)" >&2
  exit 1
}
rm -rf "$CACHE/kernel" "$CACHE/busybox"
dpkg -x "$work"/linux-image-*.deb "$CACHE/kernel"
dpkg -x "$work"/busybox-static_*.deb "$CACHE/busybox"

vmlinuz="$(ls "$CACHE"/kernel/boot/vmlinuz-* | head -1)"
efivarfs="$(find "$CACHE/kernel/lib/modules" -name 'efivarfs.ko*' | head -1)"
[ -n "$vmlinuz" ] && [ -n "$efivarfs" ] && [ -x "$CACHE/busybox/bin/busybox" ] || {
  echo "fetch: unexpected package contents" >&2
  exit 1
}
kver="$(basename "$vmlinuz" | sed 's/^vmlinuz-//')"
bbver="$(dpkg-deb -f "$work"/busybox-static_*.deb Version)"
kdeb="$(dpkg-deb -f "$work"/linux-image-*.deb Version)"
cat > "$CACHE/manifest.json" <<JSON
{
  "kernel_package": "$kpkg",
  "kernel_package_version": "$kdeb",
  "kernel_release": "$kver",
  "vmlinuz": "$vmlinuz",
  "efivarfs_ko": "$efivarfs",
  "busybox": "$CACHE/busybox/bin/busybox",
  "busybox_version": "$bbver"
}
JSON
echo "fetch: $kpkg ($kdeb), busybox-static $bbver -> $CACHE"
