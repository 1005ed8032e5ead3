# SPDX-License-Identifier: BSD-2-Clause-Patent
# Sourced by the seed scripts: install_seed TOOL SRC DST installs one binary
# seed, refusing anything of 64 KiB or more (committed seeds stay small).
install_seed() {
  local tool=$1 src=$2 dst=$3 size
  size=$(stat -c %s "$src")
  if [ "$size" -ge 65536 ]; then
    echo "$tool: $src is $size bytes (>= 64 KiB)" >&2
    exit 1
  fi
  install -m 0644 "$src" "$dst"
  echo "$tool: $dst ($size bytes)"
}
