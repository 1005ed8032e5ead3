/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Host-only controls of the platform seam: deterministic allocation-failure
 * injection and leak accounting. Both pool and page allocations count as
 * one "allocation call" each, numbered from 1 since the last reset.
 */
#ifndef RTPRM_PLATFORM_HOST_H
#define RTPRM_PLATFORM_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Forget counters and failure plans (outstanding blocks are kept). */
void rp_host_alloc_reset(void);
/* Fail exactly the n-th allocation call (1-based); 0 disables. */
void rp_host_fail_nth(uint64_t n);
/* Fail every n-th..: calls n, n+1, ... all fail (SQLite's "fail forever"). */
void rp_host_fail_from(uint64_t n);
/* Fail call k (1-based) when bit k-1 of mask is set; calls > 64 succeed. */
void rp_host_fail_mask(uint64_t mask);
/* Fault-injection sweep plan: like rp_host_fail_nth, but every later
 * rp_host_alloc_reset re-arms it (so harness code that resets per input
 * keeps it); 0 disarms. Used by tools/faults/sweep.py via rp_sweep_*. */
void rp_host_sweep_nth(uint64_t n);
/* Observer of every allocation call: its number since reset, whether the
 * plan failed it, and the return address into the allocating code. */
typedef void (*rp_host_alloc_hook)(uint64_t call, bool failed, void *caller);
void rp_host_alloc_observe(rp_host_alloc_hook hook);

uint64_t rp_host_alloc_calls(void);       /* calls since the last reset */
uint64_t rp_host_alloc_failures(void);    /* injected failures since reset */
uint64_t rp_host_alloc_outstanding(void); /* live pool blocks + page runs */

/* Log sink: stderr by default; a capture buffer for tests (NUL-terminated,
 * truncated at cap). Pass NULL to return to stderr; quiet drops everything. */
void rp_host_log_capture(char *buf, size_t cap);
void rp_host_log_quiet(int quiet);
/* Number of icache flush requests seen (lets tests assert the flush). */
uint64_t rp_host_icache_flushes(void);

#endif /* RTPRM_PLATFORM_HOST_H */
