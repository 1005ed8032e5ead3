#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause-Patent
# coverage.sh [BUILD_DIR [REPORTS_DIR]]   (defaults: build/coverage reports)
# Thin wrapper for the Makefile: configure/build the coverage preset if needed,
# clean old counters, run its tests with LLVM_PROFILE_FILE set, then write
# REPORTS_DIR/coverage/ (gcovr + llvm-cov MC/DC). See coverage.py --help.
set -eu
here=$(dirname "$0")
exec /usr/bin/python3 "$here/coverage.py" --build-dir "${1:-build/coverage}" --reports-dir "${2:-reports}"
