/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Table-driven conformance cases. A case names the requirement IDs it checks
 * (conformance/requirements/ catalogs), its input (an area-specific row), the
 * expected EFI_STATUS, reason and index, and a post-condition. The runner
 * executes every case of a group under cmocka, writes JUnit XML, and writes a
 * results file that tools/matrix.py joins with the catalog into the
 * traceability matrix.
 */
#ifndef RTPRM_CONFORMANCE_H
#define RTPRM_CONFORMANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtprm/status.h"

#define RP_CASE_ANY_INDEX (RP_DIAG_NO_INDEX - 1) /* expected index not checked */

/* What a case observed. The group's exec function fills it in. */
typedef struct rp_case_result {
  EFI_STATUS status;
  rp_reason  reason;
  uint64_t   index;
  bool       post_ok;       /* the post-condition held */
  char       message[256];  /* why the post-condition failed, or a note */
  const char *where_file;   /* rejecting location (from rp_diag) */
  int        where_line;
} rp_case_result;

typedef struct rp_case rp_case;
typedef void (*rp_case_exec)(const rp_case *c, rp_case_result *r);

struct rp_case {
  const char *id;          /* stable, unique: "MM-C-001" */
  const char *reqs;        /* requirement IDs, space separated: "MM-001 MM-004" */
  const char *title;       /* one line: what the case establishes */
  EFI_STATUS  expect_status;
  rp_reason   expect_reason;
  uint64_t    expect_index; /* RP_DIAG_NO_INDEX, an index, or RP_CASE_ANY_INDEX */
  const void *input;        /* area-specific input row */
  rp_case_exec exec;        /* NULL: the group's default exec */
};

typedef struct rp_case_group {
  const char    *name;      /* "memmap": JUnit file conformance-memmap.xml */
  const rp_case *cases;
  size_t         count;
  rp_case_exec   exec;      /* default exec for the group's cases */
} rp_case_group;

/* Every group the runner knows (conformance/runner/groups.c). */
extern const rp_case_group *const rp_case_groups[];
extern const size_t rp_case_group_count;

/* Reads dir/name whole into a malloc'd buffer (+1 spare byte; *len 0 is a
 * valid empty file). On error records a setup failure and returns NULL. */
uint8_t *rp_case_read_file(const char *dir, const char *name, size_t *len, rp_case_result *r);

/* Records a call's outcome (status, reason, index, rejecting location). */
void rp_case_observe(rp_case_result *r, EFI_STATUS st, const rp_diag *d);

/* A setup step of a case: true when st succeeded; otherwise the step's
 * status and reason become the case's outcome (so an injected allocation
 * failure in setup reads as the clean EFI_OUT_OF_RESOURCES it is) and the
 * case fails naming the step. */
bool rp_case_step(rp_case_result *r, EFI_STATUS st, const rp_diag *d, const char *what);

/* Helper for exec functions: records a failed post-condition. */
void rp_case_fail(rp_case_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* RTPRM_CONFORMANCE_H */
