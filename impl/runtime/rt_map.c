/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Memory-map side of the provider: lookups in the runtime descriptors of a
 * validated map, and the SetVirtualAddressMap map checks (docs/runtime.md
 * rows 3-6). Ranges are inclusive [first, last] so a region ending at the
 * top of the address space needs no 65-bit arithmetic.
 */
#include "rt_internal.h"

#include "rtprm/overflow.h"

static bool is_runtime(const EFI_MEMORY_DESCRIPTOR *d) { return (d->Attribute & EFI_MEMORY_RUNTIME) != 0; }

/* Descriptor i when it is a runtime one; last byte in *last. The map was
 * validated, so the page run cannot overflow. */
static bool runtime_desc(const rp_memmap *m, uint64_t i, EFI_MEMORY_DESCRIPTOR *d, uint64_t *last) {
  return rp_memmap_get(m, i, d) && is_runtime(d) && rp_page_range_last(d->PhysicalStart, d->NumberOfPages, last);
}

/* Index of the first runtime descriptor holding addr; false when none. */
static bool find_runtime(const rp_memmap *m, uint64_t addr, EFI_MEMORY_DESCRIPTOR *d, uint64_t *last) {
  uint64_t n = rp_memmap_count(m);
  for (uint64_t i = 0; i < n; i++) {
    if (runtime_desc(m, i, d, last) && addr >= d->PhysicalStart && addr <= *last) return true;
  }
  return false;
}

bool rt_convert(const rp_memmap *m, uint64_t addr, uint64_t *virt_out) {
  EFI_MEMORY_DESCRIPTOR d;
  uint64_t last;
  if (!find_runtime(m, addr, &d, &last)) return false;
  *virt_out = addr - d.PhysicalStart + d.VirtualStart; /* virtual run validated: no wrap */
  return true;
}

bool rt_range_in(const rp_memmap *m, uint64_t first, uint64_t last, uint32_t type) {
  uint64_t n = rp_memmap_count(m);
  if (last < first) return false;
  for (uint64_t i = 0; i < n; i++) {
    EFI_MEMORY_DESCRIPTOR d;
    uint64_t dlast;
    if (!runtime_desc(m, i, &d, &dlast) || (type != RT_ANY_TYPE && d.Type != type)) continue;
    if (first >= d.PhysicalStart && last <= dlast) return true;
  }
  return false;
}

rt_range_verdict rt_range_delta(const rp_memmap *m, uint64_t first, uint64_t last, uint64_t *delta) {
  uint64_t cur = first, n = rp_memmap_count(m);
  bool have = false;
  if (last < first) return RT_RANGE_UNMAPPED;
  /* Each step moves past one descriptor's end; validated maps have no
   * physical overlap among runtime descriptors, so n steps suffice. */
  for (uint64_t step = 0; step <= n; step++) {
    EFI_MEMORY_DESCRIPTOR d;
    uint64_t dlast, dd;
    if (!find_runtime(m, cur, &d, &dlast)) return RT_RANGE_UNMAPPED;
    dd = d.VirtualStart - d.PhysicalStart; /* modular: a delta, may "wrap" */
    if (have && dd != *delta) return RT_RANGE_SPLIT;
    *delta = dd;
    have = true;
    if (dlast >= last) return RT_RANGE_OK;
    cur = dlast + 1; /* dlast < last <= UINT64_MAX */
  }
  return RT_RANGE_UNMAPPED;
}

static EFI_STATUS check_virtual_map(const rp_memmap *vm, rp_diag *diag) {
  EFI_STATUS st = rp_memmap_validate(vm, RP_MEMMAP_RUNTIME_ONLY | RP_MEMMAP_CHECK_VIRTUAL, NULL, diag);
  /* The validator's bound is a resource limit; for SVAM it is a bad map. */
  if (st == EFI_UNSUPPORTED) RP_REJECT(diag, EFI_INVALID_PARAMETER, RT_MAP_TOO_LARGE, RP_DIAG_NO_INDEX);
  return st;
}

/* Every runtime descriptor of `from` lies inside one runtime descriptor of
 * `to`; the index of the first that does not in *bad. */
static bool covered(const rp_memmap *from, const rp_memmap *to, uint64_t *bad) {
  uint64_t n = rp_memmap_count(from);
  for (uint64_t i = 0; i < n; i++) {
    EFI_MEMORY_DESCRIPTOR d;
    uint64_t last;
    if (!runtime_desc(from, i, &d, &last)) continue;
    if (!rt_range_in(to, d.PhysicalStart, last, RT_ANY_TYPE)) {
      *bad = i;
      return false;
    }
  }
  return true;
}

EFI_STATUS rt_check_maps(const rp_runtime *rt, const rp_memmap *vm, rp_diag *diag) {
  const EFI_RUNTIME_ARCH_PROTOCOL *p = &rt->proto;
  rp_diag d;
  uint64_t bad = 0;
  EFI_STATUS st = check_virtual_map(vm, diag);
  if (EFI_ERROR(st) || p->MemoryMapPhysical == NULL) return st;
  /* UEFI §8.4: the reference is the map at ExitBootServices, which the DXE
   * core recorded in the protocol (EDK II leaves it NULL: then the two
   * checks below cannot be made and are skipped). */
  rp_memmap ebs = { rp_bytes_of(p->MemoryMapPhysical, p->MemoryMapSize), p->MemoryMapSize,
                    p->MemoryDescriptorSize, p->MemoryDesciptorVersion };
  if (EFI_ERROR(rp_memmap_validate(&ebs, 0, NULL, &d)))
    RP_REJECT(diag, EFI_VOLUME_CORRUPTED, RT_EBS_MAP_INVALID, d.index);
  if (!covered(&ebs, vm, &bad)) RP_REJECT(diag, EFI_NO_MAPPING, RT_NO_MAPPING, bad);
  if (!covered(vm, &ebs, &bad)) RP_REJECT(diag, EFI_NOT_FOUND, RT_VA_NOT_IN_MAP, bad);
  return EFI_SUCCESS;
}
