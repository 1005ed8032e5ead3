/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * UEFI memory map validation. See rtprm/memmap.h for the check order; the
 * requirement IDs (MM-xxx) are in conformance/requirements.json.
 */
#include "rtprm/memmap.h"

#include "rtprm/overflow.h"

/* Offsets inside EFI_MEMORY_DESCRIPTOR (UEFI §7.2); identical on every
 * architecture because all fields after Type are UINT64 (Type is padded). */
#define MD_TYPE     0u
#define MD_PHYS     8u
#define MD_VIRT     16u
#define MD_PAGES    24u
#define MD_ATTR     32u

uint64_t rp_memmap_count(const rp_memmap *m) {
  if (m == NULL || m->desc_size == 0) return 0;
  return m->map_size / m->desc_size;
}

void rp_memmap_decode(const uint8_t *raw, EFI_MEMORY_DESCRIPTOR *out) {
  out->Type = rp_le32(raw + MD_TYPE);
  out->PhysicalStart = rp_le64(raw + MD_PHYS);
  out->VirtualStart = rp_le64(raw + MD_VIRT);
  out->NumberOfPages = rp_le64(raw + MD_PAGES);
  out->Attribute = rp_le64(raw + MD_ATTR);
}

bool rp_memmap_get(const rp_memmap *m, uint64_t i, EFI_MEMORY_DESCRIPTOR *out) {
  uint8_t raw[RP_MEMMAP_MIN_DESC_SIZE];
  uint64_t off;
  /* One bounded copy, then field decode: the view may be unaligned and the
   * stride padded, so no struct cast. */
  if (m->desc_size < RP_MEMMAP_MIN_DESC_SIZE || !rp_mul_u64(i, m->desc_size, &off) ||
      !rp_read_bytes(m->buf, off, raw, sizeof(raw))) {
    return false;
  }
  rp_memmap_decode(raw, out);
  return true;
}

static bool is_runtime(const EFI_MEMORY_DESCRIPTOR *d) {
  return (d->Attribute & EFI_MEMORY_RUNTIME) != 0;
}

/* A descriptor the checks apply to under flags (RUNTIME_ONLY skips others). */
static bool in_scope(const EFI_MEMORY_DESCRIPTOR *d, uint32_t flags) {
  return (flags & RP_MEMMAP_RUNTIME_ONLY) == 0 || is_runtime(d);
}

static bool type_valid(uint32_t type) {
  return type < (uint32_t)EfiMaxMemoryType || type >= EFI_MEMORY_TYPE_OEM_FIRST;
}

static EFI_STATUS check_header(const rp_memmap *m, rp_diag *diag) {
  if (m == NULL || m->buf.ptr == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, MEMMAP_NULL, RP_DIAG_NO_INDEX);
  if (m->desc_version != EFI_MEMORY_DESCRIPTOR_VERSION)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, MEMMAP_VERSION, RP_DIAG_NO_INDEX);
  if (m->desc_size < RP_MEMMAP_MIN_DESC_SIZE)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, MEMMAP_DESC_SIZE_SMALL, RP_DIAG_NO_INDEX);
  if (m->desc_size % 8 != 0) RP_REJECT(diag, EFI_INVALID_PARAMETER, MEMMAP_DESC_SIZE_ALIGN, RP_DIAG_NO_INDEX);
  if (m->map_size % m->desc_size != 0)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, MEMMAP_SIZE_NOT_MULTIPLE, RP_DIAG_NO_INDEX);
  if (m->map_size > m->buf.len) RP_REJECT(diag, EFI_INVALID_PARAMETER, MEMMAP_SIZE_EXCEEDS_BUF, RP_DIAG_NO_INDEX);
  if (rp_memmap_count(m) > RP_MEMMAP_MAX_DESCRIPTORS)
    RP_REJECT(diag, EFI_UNSUPPORTED, MEMMAP_TOO_MANY, RP_DIAG_NO_INDEX);
  return EFI_SUCCESS;
}

static EFI_STATUS check_descriptor(const EFI_MEMORY_DESCRIPTOR *d, uint64_t i, uint32_t flags, rp_diag *diag) {
  uint64_t last;
  if (!type_valid(d->Type)) RP_REJECT(diag, EFI_INVALID_PARAMETER, MEMMAP_TYPE_INVALID, i);
  if (!rp_is_aligned_u64(d->PhysicalStart, EFI_PAGE_SIZE))
    RP_REJECT(diag, EFI_INVALID_PARAMETER, MEMMAP_PHYS_UNALIGNED, i);
  if (d->NumberOfPages == 0) RP_REJECT(diag, EFI_INVALID_PARAMETER, MEMMAP_ZERO_PAGES, i);
  if (!rp_page_range_last(d->PhysicalStart, d->NumberOfPages, &last))
    RP_REJECT(diag, EFI_INVALID_PARAMETER, MEMMAP_PHYS_OVERFLOW, i);
  if ((flags & RP_MEMMAP_CHECK_VIRTUAL) == 0 || !is_runtime(d)) return EFI_SUCCESS;
  if (!rp_is_aligned_u64(d->VirtualStart, EFI_PAGE_SIZE))
    RP_REJECT(diag, EFI_INVALID_PARAMETER, MEMMAP_VIRT_UNALIGNED, i);
  if (!rp_page_range_last(d->VirtualStart, d->NumberOfPages, &last))
    RP_REJECT(diag, EFI_INVALID_PARAMETER, MEMMAP_VIRT_OVERFLOW, i);
  return EFI_SUCCESS;
}

/* Page runs at a and b intersect; their last bytes were checked already. */
static bool runs_overlap(uint64_t a, uint64_t pa, uint64_t b, uint64_t pb) {
  uint64_t la = 0, lb = 0;
  (void)rp_page_range_last(a, pa, &la);
  (void)rp_page_range_last(b, pb, &lb);
  return a <= lb && b <= la;
}

/* First overlapping pair (i < j) in map order; reports j. */
static EFI_STATUS check_overlaps(const rp_memmap *m, uint64_t n, uint32_t flags, bool virt, rp_diag *diag) {
  for (uint64_t j = 1; j < n; j++) {
    EFI_MEMORY_DESCRIPTOR dj = { 0 };
    (void)rp_memmap_get(m, j, &dj);
    if (!in_scope(&dj, flags) || (virt && !is_runtime(&dj))) continue;
    for (uint64_t i = 0; i < j; i++) {
      EFI_MEMORY_DESCRIPTOR di = { 0 };
      (void)rp_memmap_get(m, i, &di);
      if (!in_scope(&di, flags) || (virt && !is_runtime(&di))) continue;
      if (!virt && runs_overlap(di.PhysicalStart, di.NumberOfPages, dj.PhysicalStart, dj.NumberOfPages))
        RP_REJECT(diag, EFI_INVALID_PARAMETER, MEMMAP_PHYS_OVERLAP, j);
      if (virt && runs_overlap(di.VirtualStart, di.NumberOfPages, dj.VirtualStart, dj.NumberOfPages))
        RP_REJECT(diag, EFI_INVALID_PARAMETER, MEMMAP_VIRT_OVERLAP, j);
    }
  }
  return EFI_SUCCESS;
}

EFI_STATUS rp_memmap_validate(const rp_memmap *m, uint32_t flags, rp_memmap_summary *sum, rp_diag *diag) {
  rp_memmap_summary s = { 0, 0, 0, 0 };
  EFI_STATUS st = check_header(m, diag);
  if (EFI_ERROR(st)) return st;
  s.count = rp_memmap_count(m);
  for (uint64_t i = 0; i < s.count; i++) {
    EFI_MEMORY_DESCRIPTOR d = { 0 };
    (void)rp_memmap_get(m, i, &d); /* in bounds: map_size <= buf.len */
    if (!in_scope(&d, flags)) continue;
    st = check_descriptor(&d, i, flags, diag);
    if (EFI_ERROR(st)) return st;
    s.checked++;
    if (is_runtime(&d)) {
      s.runtime_count++;
      s.runtime_pages += d.NumberOfPages; /* reported only when disjoint: < 2^52 */
    }
  }
  st = check_overlaps(m, s.count, flags, false, diag);
  if (!EFI_ERROR(st) && (flags & RP_MEMMAP_CHECK_VIRTUAL) != 0) st = check_overlaps(m, s.count, flags, true, diag);
  if (EFI_ERROR(st)) return st;
  if (sum != NULL) *sum = s;
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}
