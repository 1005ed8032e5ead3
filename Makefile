# SPDX-License-Identifier: BSD-2-Clause-Patent
# Entry points. `make test` runs every test; `make evidence` is the main job:
# build, tests, conformance, fuzz smoke, coverage and the reports under reports/.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PY := /usr/bin/python3
SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 10
JOBS ?= $(shell nproc)
CTEST_ARGS ?=
REPORTS := $(CURDIR)/reports

.PHONY: all deps firmware edk2 edk2-source build test test-host test-fuzz fuzz-smoke edk2-differential coverage evidence fuzz gate sweep sarif clean help

all: build

help:
	@echo "make test       build every preset the tests need and run ctest (all labels)"
	@echo "make evidence   test + coverage (gcovr, llvm-cov MC/DC) + reports/index.html + gate"
	@echo "make deps       install the Debian packages (apt-get, --no-install-recommends)"
	@echo "make edk2       EDK II from Debian's source: OVMF/ArmVirtQemu with our drivers in flash (build/edk2)"
	@echo "make edk2-source  fetch + unpack that source only (the presets build EDK II's BasePeCoffLib from it)"
	@echo "make fuzz       run every fuzz target under libFuzzer and AFL++ for SECONDS=$(SECONDS)"
	@echo "make gate       check reports/ against gate/thresholds.json"
	@echo "make sweep      fault-injection sweep: fail the 1st..n-th allocation of every case and corpus input"
	@echo "make sarif      clang static analyzer over impl/ + sanitizer/fuzz findings as SARIF 2.1.0"

deps:
	@tools/deps.sh

# Firmware images first: the host build's firmware and e2e tests check and boot them.
firmware: deps
	cmake --workflow --preset fw-x64
	cmake --workflow --preset fw-aa64

# EDK II from Debian's edk2 source package with our drivers in its flash
# images (harnesses/edk2/README.md). Cached outside the clone; `make test`
# runs the same step as the ctest fixture edk2.build.
edk2: firmware
	$(PY) harnesses/edk2/edk2.py build --fw-x64 build/fw-x64/bin --fw-aa64 build/fw-aa64/bin --out build/edk2

# The same source, fetched and unpacked only: the host, fuzz and afl presets
# compile EDK II's BasePeCoffLib from it as a reference (harnesses/edk2ref).
edk2-source: deps
	$(PY) harnesses/edk2/edk2.py source >/dev/null

build: firmware edk2-source
	cmake --preset host
	cmake --build --preset host -j $(JOBS)

test-host: build
	@mkdir -p $(REPORTS)/junit
	ctest --preset host -j $(JOBS) --output-junit $(REPORTS)/junit/ctest-host.xml $(CTEST_ARGS)

# The same harness sources under libFuzzer and AFL++: corpus replay + smoke runs.
test-fuzz: deps edk2-source
	cmake --workflow --preset fuzz
	cmake --workflow --preset afl

test: test-fuzz test-host

coverage: deps
	tools/evidence/coverage.sh build/coverage $(REPORTS)

# Fuzz smoke for the evidence: every target, both engines, a few seconds each.
fuzz-smoke: test-fuzz
	$(PY) tools/fuzz/campaign.py $(FUZZ_SMOKE_SECONDS) --reports $(REPORTS)
	$(MAKE) --no-print-directory edk2-differential

# pe_vs_edk2's classes counted again with the campaign's corpora
# (reports/anchors/edk2-differential.md); needs the host build's replay.
EDK2_DIFF_REPLAY := build/host/bin/fuzz_pe_vs_edk2_replay
edk2-differential:
	@if [ -x $(EDK2_DIFF_REPLAY) ]; then $(PY) tools/fuzz/edk2_differential.py report --replay $(EDK2_DIFF_REPLAY) --reports $(REPORTS); \
	else echo "edk2-differential: $(EDK2_DIFF_REPLAY) not built (make build): report left as it was"; fi

# Every conformance case and fuzz corpus input, failing its 1st, 2nd, ... allocation (host preset, ASan + UBSan).
sweep: build
	$(PY) tools/faults/sweep.py --build build/host --reports $(REPORTS) --jobs $(JOBS)

# clang static analyzer over impl/ and sanitizer/fuzz findings as SARIF 2.1.0 (reports/sarif/).
sarif: build
	$(PY) tools/evidence/sarif.py --build build/host --reports $(REPORTS) --jobs $(JOBS)

evidence: test coverage fuzz-smoke sweep sarif
	$(PY) tools/evidence/index.py --reports $(REPORTS)
	$(PY) harnesses/evidence/check_index.py --reports $(REPORTS)
	$(MAKE) --no-print-directory gate
	$(PY) harnesses/evidence/test_gate.py --reports $(REPORTS)

fuzz: deps edk2-source
	cmake --preset fuzz >/dev/null && cmake --build --preset fuzz -j $(JOBS)
	cmake --preset afl >/dev/null && cmake --build --preset afl -j $(JOBS)
	$(PY) tools/fuzz/campaign.py $(SECONDS) --reports $(REPORTS)
	$(MAKE) --no-print-directory edk2-differential

gate:
	$(PY) tools/gate.py --thresholds gate/thresholds.json --reports $(REPORTS) --json $(REPORTS)/gate.json

clean:
	rm -rf build
	find reports -mindepth 1 -not -name README.md -delete 2>/dev/null || true
