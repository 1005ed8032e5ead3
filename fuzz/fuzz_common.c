/* SPDX-License-Identifier: BSD-2-Clause-Patent */
#include <string.h>

#include "fuzz.h"
#include "rtprm/host/platform_host.h"

static uint64_t live_at_begin;

size_t rp_fuzz_begin(const uint8_t *data, size_t size, rp_fuzz_config *cfg) {
  memset(cfg, 0, sizeof(*cfg));
  rp_host_alloc_reset();
  rp_host_log_quiet(1);
  live_at_begin = rp_host_alloc_outstanding();
  if (size < RP_FUZZ_TRAILER) return size;
  const uint8_t *t = data + size - RP_FUZZ_TRAILER;
  for (unsigned i = 0; i < 4; i++) cfg->options |= (uint32_t)t[i] << (8 * i);
  for (unsigned i = 0; i < 8; i++) cfg->fail_mask |= (uint64_t)t[4 + i] << (8 * i);
  rp_host_fail_mask(cfg->fail_mask);
  return size - RP_FUZZ_TRAILER;
}

uint8_t *rp_fuzz_dup(const uint8_t *p, size_t n) {
  uint8_t *c = malloc(n ? n : 1);
  RP_FUZZ_ASSERT(c != NULL);
  if (n) memcpy(c, p, n);
  return c;
}

void rp_fuzz_end(void) {
  RP_FUZZ_ASSERT(rp_host_alloc_outstanding() == live_at_begin);
  rp_host_alloc_reset();
}
