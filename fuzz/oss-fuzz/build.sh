#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# OSS-Fuzz / ClusterFuzzLite build script (the build.sh contract):
#   CC, CXX, CFLAGS, CXXFLAGS  compiler and flags (sanitizers, coverage, engine
#                              instrumentation such as -fsanitize=fuzzer-no-link)
#   LIB_FUZZING_ENGINE         link arguments of the engine (-fsanitize=fuzzer,
#                              or a driver library for AFL++ / honggfuzz)
#   OUT                        where the fuzzers and their files go (required)
#   WORK                       scratch space for the build (default: a temp dir)
#   SRC                        unused: the sources are this repository, found from
#                              this script's path ($SRC/rtprm in the container)
# Every target fuzz/CMakeLists.txt registers with rtprm_fuzz_target() is built
# (cmake, RTPRM_FUZZ_ENGINE=ossfuzz; the list is read back from the CMake cache,
# so a new target needs no change here) and lands in $OUT as
#   <t>                   the fuzzer
#   <t>_seed_corpus.zip   corpus/<t>/* and corpus/regressions/<t>/* (README* and
#                         dot-files skipped; regressions prefixed "regression-")
#   <t>.dict              fuzz/dict/<t>.dict (libFuzzer dictionary syntax)
#   <t>.options           [libfuzzer] max_len: the largest seed rounded up to a
#                         power of two, at least 4096
# fuzz/oss-fuzz/check_out.py verifies exactly that (ctest ossfuzz.build-sh).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${OUT:?OUT must name the output directory}"
: "${CC:=clang}"
if [ -z "${CXX:-}" ]; then
  # clang-14 -> clang++-14, clang -> clang++; the engine may need the C++ runtime.
  cc_name=${CC##*/}
  case "$cc_name" in
    clang | clang-[0-9]*) CXX="${CC%"$cc_name"}clang++${cc_name#clang}" ;;
    *) CXX=$CC ;;
  esac
fi
: "${CFLAGS:=}"
: "${CXXFLAGS:=$CFLAGS}"
: "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}"
if [ -z "${WORK:-}" ]; then
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
fi
python=$(command -v python3)
jobs=$(nproc 2>/dev/null || echo 2)
generator="Unix Makefiles"
command -v ninja >/dev/null 2>&1 && generator=Ninja
build="$WORK/rtprm-ossfuzz"

echo "build.sh: CC=$CC CXX=$CXX"
echo "build.sh: CFLAGS=$CFLAGS"
echo "build.sh: LIB_FUZZING_ENGINE=$LIB_FUZZING_ENGINE OUT=$OUT WORK=$WORK"
# An empty build type: the flags are exactly $CFLAGS (plus the project's warnings).
cmake -S "$root" -B "$build" -G "$generator" \
  -DCMAKE_BUILD_TYPE= \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DRTPRM_FUZZ_ENGINE=ossfuzz -DRTPRM_LIB_FUZZING_ENGINE="$LIB_FUZZING_ENGINE" \
  -DRTPRM_REPORTS_DIR="$WORK/reports"
cmake --build "$build" -j "$jobs"

targets=$(sed -n 's/^RTPRM_FUZZ_TARGETS:INTERNAL=//p' "$build/CMakeCache.txt" | tr ';' ' ')
[ -n "${targets// /}" ] || { echo "build.sh: no fuzz target registered in fuzz/CMakeLists.txt" >&2; exit 1; }
mkdir -p "$OUT"
for t in $targets; do
  install -m 0755 "$build/bin/fuzz_$t" "$OUT/$t"
  "$python" "$root/fuzz/oss-fuzz/package.py" --root "$root" --out "$OUT" "$t"
done
echo "build.sh: $(echo $targets | wc -w) fuzzers in $OUT: $targets"
