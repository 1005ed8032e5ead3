#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# Installs every Debian package the project needs (make deps). Idempotent and
# quiet when everything is present; installs only what is missing, always with
# --no-install-recommends (with recommends the set pulls in ~190 packages).
set -euo pipefail

PACKAGES=(
  # build
  cmake ninja-build make git python3
  # host + firmware toolchain: clang-14 (host, libFuzzer, sanitizers), lld-link, llvm-ar
  clang-14 lld-14 llvm-14 libclang-rt-14-dev
  # the formatting gate (tools/format_check.py, .clang-format)
  clang-format-14
  # coverage with MC/DC: clang >= 18 (-fcoverage-mcdc), llvm-cov-19, profile runtime
  clang-19 llvm-19 libclang-rt-19-dev
  # tests, fuzzing, coverage reports; headless browser for the index check
  libcmocka-dev afl++ gcovr chromium
  # firmware image checks (python3-pefile) and ACPI tooling (iasl)
  python3-pefile acpica-tools
  # UEFIExtract for the real-world corpus (harnesses/realworld/fetch.py)
  uefitool-cli
  # second PE toolchain for the PE/COFF corpus (corpus/tools/build_mingw.sh)
  gcc-mingw-w64-x86-64
  # end to end: QEMU + OVMF (x64) and AAVMF (AArch64), FAT tooling
  qemu-system-x86 qemu-system-arm ovmf qemu-efi-aarch64 mtools dosfstools
  # EDK II from Debian's source (harnesses/edk2): dpkg-source unpacks and
  # patches, BaseTools is C and C++ (uuid), OVMF needs nasm, ArmVirtQemu and
  # PrmPkg AArch64 Debian's cross compiler; EDK II's build is Python
  dpkg-dev xz-utils g++ uuid-dev nasm gcc-aarch64-linux-gnu python3-distutils
  # Authenticode: rtprm pe verify links OpenSSL's libcrypto; the oracles are
  # Debian's signing tools (harnesses/authenticode)
  libssl-dev openssl sbsigntool osslsigncode
  # Linux e2e: a static helper in the initramfs (gcc -static needs libc.a);
  # the kernel and busybox-static are fetched by apt-get download, not installed
  gcc libc6-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "deps: installing ${#missing[@]} package(s): ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
