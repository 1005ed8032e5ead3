/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* The registry of case groups the runner executes, in report order. */
#include "conformance.h"

extern const rp_case_group rp_group_layout;
extern const rp_case_group rp_group_memmap;
extern const rp_case_group rp_group_mat;
extern const rp_case_group rp_group_pe;
extern const rp_case_group rp_group_pe_malformed;
extern const rp_case_group rp_group_pe_auth;
extern const rp_case_group rp_group_prm;
extern const rp_case_group rp_group_runtime;

const rp_case_group *const rp_case_groups[] = {
  &rp_group_layout,
  &rp_group_memmap,
  &rp_group_mat,
  &rp_group_pe,
  &rp_group_pe_malformed,
  &rp_group_pe_auth,
  &rp_group_prm,
  &rp_group_runtime,
};

const size_t rp_case_group_count = sizeof(rp_case_groups) / sizeof(rp_case_groups[0]);
