/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Host-only fault-injection sweep (SQLite's OOM loop): for one input, run it
 * with no injected failure (n = 0), then failing the 1st, 2nd, ... n-th
 * allocation call until a run never reaches its n-th call. Each run appends
 * one JSON line to the log named by RTPRM_FAULT_SWEEP (calls made, sites
 * reached, the stack of the injected failure, the caller's outcome); a
 * "begin" line is flushed first, so a run that dies under a sanitizer is
 * still attributed. RTPRM_FAULT_CAP bounds n per input (default 64).
 * tools/faults/sweep.py drives it and symbolizes the addresses.
 *
 *   if (rp_sweep_active())
 *     for (uint64_t n = 0;; n++) {
 *       rp_sweep_run_begin(name, n);
 *       ... run the input, classify ...
 *       if (!rp_sweep_run_end(outcome, detail)) break;
 *     }
 */
#ifndef RTPRM_FAULT_SWEEP_H
#define RTPRM_FAULT_SWEEP_H

#include <stdbool.h>
#include <stdint.h>

/* True when RTPRM_FAULT_SWEEP names a log file (opened for append). */
bool rp_sweep_active(void);
/* Arms "fail call n" (0: none) across resets and starts recording. */
void rp_sweep_run_begin(const char *input, uint64_t n);
/* True when this run injected a failure (its n-th call was reached). */
bool rp_sweep_run_injected(void);
/* Writes the run's line; returns true when the next n should run. */
bool rp_sweep_run_end(const char *outcome, const char *detail);

#endif /* RTPRM_FAULT_SWEEP_H */
