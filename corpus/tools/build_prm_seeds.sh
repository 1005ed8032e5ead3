#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# Well-formed PRM module seeds of corpus/prm/ (docs/prm.md §6):
#   seed-lld-{x64,aa64}-{context,mmio}.efi   impl/fw/prm_samples (clang + lld-link),
#                                            copied from the fw-x64 / fw-aa64 builds
#   seed-mingw-x64-prm.efi                   corpus/tools/mingw/prm_module.c linked
#                                            by GNU ld (x86_64-w64-mingw32-gcc)
#
#   corpus/tools/build_prm_seeds.sh [FW_X64_BIN [FW_AA64_BIN]]
# The malformed modules come from corpus/tools/gen_prm_malformed.py.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/seed_install.sh"
ROOT="$(cd "$HERE/../.." && pwd)"
X64="${1:-$ROOT/build/fw-x64/bin}"
AA64="${2:-$ROOT/build/fw-aa64/bin}"
OUT="$ROOT/corpus/prm"
CC="${MINGW_CC:-x86_64-w64-mingw32-gcc}"
mkdir -p "$OUT"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

for arch in x64 aa64; do
  bin=$X64
  [ "$arch" = aa64 ] && bin=$AA64
  install_seed build_prm_seeds "$bin/PrmSampleContext.efi" "$OUT/seed-lld-$arch-context.efi"
  install_seed build_prm_seeds "$bin/PrmSampleMmio.efi" "$OUT/seed-lld-$arch-mmio.efi"
done

# Runtime driver (subsystem 12), DLL, version 1.3, deterministic, no symbols.
"$CC" -O2 -ffreestanding -fno-ident -fno-stack-protector -mno-red-zone -mno-stack-arg-probe \
  -fno-asynchronous-unwind-tables -Wall -Wextra -Werror -I "$ROOT/impl/include" \
  -nostdlib -nostartfiles -shared -s -Wl,--no-insert-timestamp -Wl,--file-alignment,0x200 \
  -Wl,--section-alignment,0x1000 -Wl,--dynamicbase -Wl,-e,efi_main -Wl,--subsystem,12 \
  -Wl,--image-base,0x180000000 -Wl,--major-image-version,1 -Wl,--minor-image-version,3 \
  -o "$TMP/prm.efi" "$HERE/mingw/prm_module.c"
install_seed build_prm_seeds "$TMP/prm.efi" "$OUT/seed-mingw-x64-prm.efi"
