/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * UEFI memory map validation (UEFI §7.2 GetMemoryMap / EFI_MEMORY_DESCRIPTOR,
 * §8.4 SetVirtualAddressMap). The map is read through a bounded view with the
 * caller's DescriptorSize as the stride (never sizeof(EFI_MEMORY_DESCRIPTOR):
 * firmware pads descriptors, EDK II reports 48 bytes on x64).
 *
 * Check order (the status precedence, documented in docs/memmap.md):
 *   1. map header: NULL, DescriptorVersion, DescriptorSize (>= 40, % 8),
 *      MemoryMapSize % DescriptorSize, MemoryMapSize <= buffer, count bound;
 *   2. each descriptor in map order: Type, PhysicalStart alignment,
 *      NumberOfPages != 0, physical end overflow, then (RP_MEMMAP_CHECK_VIRTUAL,
 *      runtime descriptors only) VirtualStart alignment and virtual overflow;
 *   3. overlaps: physical, then virtual (runtime descriptors), reporting the
 *      later descriptor of the first overlapping pair in map order.
 * The first failing check wins; nothing is written.
 */
#ifndef RTPRM_MEMMAP_H
#define RTPRM_MEMMAP_H

#include "rtprm/bytes.h"
#include "rtprm/status.h"
#include "rtprm/spec/uefi_base.h"

/* Overlap detection is quadratic and allocation-free; this bound keeps the
 * worst case at ~33M pair tests. Real maps hold tens to a few thousand. */
#define RP_MEMMAP_MAX_DESCRIPTORS 8192u

/* sizeof(EFI_MEMORY_DESCRIPTOR) on every supported architecture. */
#define RP_MEMMAP_MIN_DESC_SIZE 40u

typedef struct rp_memmap {
  rp_bytes buf;          /* bytes that hold the map */
  uint64_t map_size;     /* MemoryMapSize as given by the caller */
  uint64_t desc_size;    /* DescriptorSize: the stride */
  uint32_t desc_version; /* DescriptorVersion */
} rp_memmap;

enum {
  /* Ignore descriptors without EFI_MEMORY_RUNTIME entirely (SetVirtualAddressMap:
   * Linux passes only runtime ones, Xen passes others with invalid addresses). */
  RP_MEMMAP_RUNTIME_ONLY = 1u << 0,
  /* Validate the virtual side of runtime descriptors (alignment, overflow,
   * overlap): the map is a virtual map handed to SetVirtualAddressMap. */
  RP_MEMMAP_CHECK_VIRTUAL = 1u << 1,
  RP_MEMMAP_FLAGS_ALL = RP_MEMMAP_RUNTIME_ONLY | RP_MEMMAP_CHECK_VIRTUAL,
};

typedef struct rp_memmap_summary {
  uint64_t count;         /* descriptors in the map */
  uint64_t runtime_count; /* of which carry EFI_MEMORY_RUNTIME */
  uint64_t checked;       /* descriptors the checks applied to */
  uint64_t runtime_pages; /* pages covered by runtime descriptors */
} rp_memmap_summary;

/* Validates m under flags; on success fills *sum (optional). On failure
 * returns EFI_INVALID_PARAMETER (or EFI_UNSUPPORTED for MEMMAP_TOO_MANY) with
 * the reason and descriptor index in *diag (optional). */
EFI_STATUS rp_memmap_validate(const rp_memmap *m, uint32_t flags,
                              rp_memmap_summary *sum, rp_diag *diag);

/* Number of whole descriptors the header describes (no validation). */
uint64_t rp_memmap_count(const rp_memmap *m);
/* Decodes one EFI_MEMORY_DESCRIPTOR from RP_MEMMAP_MIN_DESC_SIZE raw
 * little-endian bytes (no alignment needed); shared by the map and the
 * Memory Attributes Table readers. */
void rp_memmap_decode(const uint8_t *raw, EFI_MEMORY_DESCRIPTOR *out);
/* Copies descriptor i out of the view (unaligned-safe); false if outside. */
bool rp_memmap_get(const rp_memmap *m, uint64_t i, EFI_MEMORY_DESCRIPTOR *out);

#endif /* RTPRM_MEMMAP_H */
