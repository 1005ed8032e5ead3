/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Shared pieces of every fuzz target. One source per target exposes
 * LLVMFuzzerTestOneInput and is built three ways (fuzz/CMakeLists.txt):
 * libFuzzer, AFL++ (afl-clang-fast + libAFLDriver) and a plain replay
 * executable (replay_main.c) that ctest runs over corpus/<target>/ and
 * corpus/regressions/<target>/.
 *
 * Input trailer: when an input is at least RP_FUZZ_TRAILER bytes long, its
 * last 12 bytes are configuration, not data:
 *   u32 options   target-specific policy bits (little-endian)
 *   u64 fail_mask allocation-failure plan: bit k fails allocation call k+1
 * so the fuzzer explores policies and out-of-memory paths with the data.
 */
#ifndef RTPRM_FUZZ_H
#define RTPRM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define RP_FUZZ_TRAILER 12u

typedef struct rp_fuzz_config {
  uint32_t options;
  uint64_t fail_mask;
} rp_fuzz_config;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Splits off the trailer (zero config when the input is shorter than it),
 * arms the host allocator's failure plan, returns the data length. */
size_t rp_fuzz_begin(const uint8_t *data, size_t size, rp_fuzz_config *cfg);
/* A private malloc'd copy of n input bytes (at least 1 byte allocated), so
 * the code under test gets memory the harness can compare afterwards; abort
 * on allocation failure. Freed with free(). */
uint8_t *rp_fuzz_dup(const uint8_t *p, size_t n);
/* Checks that every allocation made since rp_fuzz_begin was released. */
void rp_fuzz_end(void);

/* An oracle violation: print what and where, then abort so every engine
 * (and the replay runner) reports a crash with this input. */
#define RP_FUZZ_ASSERT(cond)                                                          \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      fprintf(stderr, "oracle violated: %s (%s:%d)\n", #cond, __FILE__, __LINE__);   \
      abort();                                                                        \
    }                                                                                 \
  } while (0)

#endif /* RTPRM_FUZZ_H */
