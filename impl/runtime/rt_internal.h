/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* Private helpers shared by the files in impl/runtime/ (see rtprm/runtime.h). */
#ifndef RTPRM_RT_INTERNAL_H
#define RTPRM_RT_INTERNAL_H

#include "rtprm/runtime.h"

/* Any runtime memory type (code, data, MMIO, ...) for rt_range_in. */
#define RT_ANY_TYPE UINT32_MAX

/* The first runtime descriptor of m with PhysicalStart <= addr < end
 * (exclusive end, overflow-safe); *virt_out gets the converted address. */
bool rt_convert(const rp_memmap *m, uint64_t addr, uint64_t *virt_out);

/* [first, last] (inclusive) lies wholly inside one runtime descriptor of m
 * of the given type (RT_ANY_TYPE: any). */
bool rt_range_in(const rp_memmap *m, uint64_t first, uint64_t last, uint32_t type);

typedef enum { RT_RANGE_OK = 0, RT_RANGE_UNMAPPED, RT_RANGE_SPLIT } rt_range_verdict;
/* Walks [first, last] through the runtime descriptors of m that cover it
 * (adjacent descriptors allowed) and checks they share one delta. */
rt_range_verdict rt_range_delta(const rp_memmap *m, uint64_t first, uint64_t last, uint64_t *delta);

/* Virtual map header + runtime descriptors, the EBS map (when the protocol
 * holds one), then NO_MAPPING and NOT_FOUND. Writes nothing. */
EFI_STATUS rt_check_maps(const rp_runtime *rt, const rp_memmap *vm, rp_diag *diag);

/* Visits each entry after its node passed every check; a non-success return
 * stops the walk with that status. */
typedef EFI_STATUS (*rt_visit_fn)(void *ctx, void *entry, uint64_t pos, rp_diag *diag);

typedef struct rt_list {
  EFI_LIST_ENTRY *head;
  size_t entry_size;  /* sizeof the entry structure */
  size_t link_off;    /* offsetof(entry, Link) */
  unsigned id;        /* RP_RT_LIST_IMAGES / RP_RT_LIST_EVENTS for rp_diag */
} rt_list;

/* The hardened walk (docs/runtime.md "List walking"): before a link is
 * followed the node is non-NULL, pointer-aligned, its whole entry lies in
 * EfiRuntimeServicesData of m, and its BackLink names the node we came from;
 * at most RP_RT_MAX_LIST_ENTRIES entries; the head's BackLink names the last
 * node. Only reads. *count (optional) gets the number of entries. */
EFI_STATUS rt_list_walk(const rt_list *l, const rp_memmap *m, rt_visit_fn fn, void *ctx, uint64_t *count,
                        rp_diag *diag);

#endif /* RTPRM_RT_INTERNAL_H */
