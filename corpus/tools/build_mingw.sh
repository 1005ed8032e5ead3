#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# Builds the GNU-toolchain PE32+ seeds of corpus/pe/ (seed-mingw-*.efi) with
# Debian's gcc-mingw-w64-x86-64 (x86_64-w64-mingw32-gcc 12, GNU ld 2.40): a
# second producer next to clang + lld-link, so the PE library meets GNU ld's
# layout (.pdata/.xdata, .edata, an empty .idata terminator, .refptr DIR64
# sites, ordinal Base >= 1, HIGHLOW for 32-bit absolute data).
#
#   corpus/tools/build_mingw.sh [OUTDIR]     (default: corpus/pe)
#
# Deterministic: --no-insert-timestamp, -s (no COFF symbol table), fixed
# image bases. Every output must stay below 64 KiB (checked).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/seed_install.sh"
SRC="$HERE/mingw"
OUT="${1:-$HERE/../pe}"
CC="${MINGW_CC:-x86_64-w64-mingw32-gcc}"
if ! command -v "$CC" >/dev/null; then
  echo "build_mingw: $CC not found (apt-get install -y --no-install-recommends gcc-mingw-w64-x86-64)" >&2
  exit 2
fi
mkdir -p "$OUT"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# Freestanding, no CRT, no libgcc; 4 KiB sections, 512-byte file alignment.
CFLAGS=(-O2 -ffreestanding -fno-ident -fno-stack-protector -mno-red-zone -mno-stack-arg-probe
        -Wall -Wextra -Werror)
LDFLAGS=(-nostdlib -nostartfiles -s -Wl,--no-insert-timestamp -Wl,--file-alignment,0x200
         -Wl,--section-alignment,0x1000 -Wl,--dynamicbase -Wl,-e,efi_main)

build() { # name subsystem image-base extra... -- sources...
  local name="$1" subsystem="$2" base="$3"
  shift 3
  local extra=()
  while [ "$1" != "--" ]; do extra+=("$1"); shift; done
  shift
  local out="$OUT/seed-mingw-x64-$name.efi"
  "$CC" "${CFLAGS[@]}" "${LDFLAGS[@]}" -Wl,--subsystem,"$subsystem" -Wl,--image-base,"$base" \
    "${extra[@]}" -o "$TMP/$name.efi" "$@"
  install_seed build_mingw "$TMP/$name.efi" "$out"
}

# Application linked as an executable; unwind tables kept (.pdata/.xdata).
build app 10 0x140000000 -- "$SRC/app.c"
# Runtime driver, -shared, dllexport: ordinal Base 1.
build rtdriver 12 0x180000000 -shared -fno-asynchronous-unwind-tables -- "$SRC/rtdriver.c"
# HIGHLOW + DIR64 in one page; low image base so 32-bit values are exact.
build highlow 11 0x10000000 -shared -fno-asynchronous-unwind-tables -- "$SRC/highlow.c"
# .def exports: explicit ordinals (Base 3, holes), NONAME, DATA, forwarder.
build deffile 11 0x20000000 -shared -fno-asynchronous-unwind-tables -- "$SRC/deffile.c" "$SRC/deffile.def"
