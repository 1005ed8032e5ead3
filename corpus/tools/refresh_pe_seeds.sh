#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# Refreshes the lld-built seeds of corpus/pe/ from firmware build trees:
#
#   corpus/tools/refresh_pe_seeds.sh [FW_X64_BIN [FW_AA64_BIN]]
#
# Defaults: build/fw-x64/bin and build/fw-aa64/bin (cmake --workflow --preset
# fw-x64 / fw-aa64). The images come from impl/fw/testimages/ (RelocHeavy,
# ExportsOnly) and impl/fw/hello/ (RtprmHello). Every copy must stay below
# 64 KiB. The other seeds have their own generators:
#   corpus/tools/build_mingw.sh        seed-mingw-*.efi
#   corpus/tools/gen_pe_malformed.py   seed-gen-*.efi and corpus/pe-malformed/
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/seed_install.sh"
ROOT="$(cd "$HERE/../.." && pwd)"
X64="${1:-$ROOT/build/fw-x64/bin}"
AA64="${2:-$ROOT/build/fw-aa64/bin}"
OUT="$ROOT/corpus/pe"
mkdir -p "$OUT"

copy() { # bin-dir image arch what
  local src="$1/$2.efi" dst="$OUT/seed-lld-$3-$4.efi"
  if [ ! -f "$src" ]; then
    echo "refresh_pe_seeds: missing $src (build the fw-$3 preset first)" >&2
    exit 1
  fi
  install_seed refresh_pe_seeds "$src" "$dst"
}

for arch in x64 aa64; do
  dir="$X64"
  [ "$arch" = aa64 ] && dir="$AA64"
  copy "$dir" RelocHeavy "$arch" relocheavy
  copy "$dir" ExportsOnly "$arch" exportsonly
  copy "$dir" RtprmHello "$arch" hello
done
