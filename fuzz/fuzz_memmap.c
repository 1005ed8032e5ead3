/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Fuzz target "memmap": rp_memmap_validate on arbitrary maps and headers.
 *
 * Input:  u32 DescriptorVersion | u32 DescriptorSize | u32 MemoryMapSize |
 *         map bytes ... | trailer (fuzz.h; options bit 0 = RUNTIME_ONLY,
 *         bit 1 = CHECK_VIRTUAL)
 * Oracle: an independent reference validator written from the documented
 *         precedence (rtprm/memmap.h) with 128-bit arithmetic must agree on
 *         status, reason and index; the map bytes are never written; an
 *         accepted map's summary matches the reference's counts.
 */
#include <string.h>

#include "fuzz.h"
#include "rtprm/memmap.h"

typedef struct {
  EFI_STATUS status;
  rp_reason  reason;
  uint64_t   index;
  uint64_t   count, runtime_count, runtime_pages;
} ref_verdict;

typedef unsigned __int128 u128;

static uint64_t ld64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8); /* host is little-endian x86_64/aarch64 */
  return v;
}

static uint32_t ld32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static ref_verdict verdict(EFI_STATUS s, rp_reason r, uint64_t i) {
  ref_verdict v = { s, r, i, 0, 0, 0 };
  return v;
}

/* Exclusive end as a 129-bit-safe value: start + pages * 4096. */
static u128 ref_end(uint64_t start, uint64_t pages) { return (u128)start + ((u128)pages << 12); }

static bool ref_runtime(const uint8_t *d) { return (ld64(d + 32) >> 63) != 0; }

static ref_verdict reference(const uint8_t *map, size_t buf_len, uint32_t ver, uint32_t dsz, uint32_t msz,
                             uint32_t flags) {
  const bool rt_only = flags & RP_MEMMAP_RUNTIME_ONLY, virt = flags & RP_MEMMAP_CHECK_VIRTUAL;
  if (ver != 1) return verdict(EFI_INVALID_PARAMETER, RP_R_MEMMAP_VERSION, RP_DIAG_NO_INDEX);
  if (dsz < 40) return verdict(EFI_INVALID_PARAMETER, RP_R_MEMMAP_DESC_SIZE_SMALL, RP_DIAG_NO_INDEX);
  if (dsz % 8) return verdict(EFI_INVALID_PARAMETER, RP_R_MEMMAP_DESC_SIZE_ALIGN, RP_DIAG_NO_INDEX);
  if (msz % dsz) return verdict(EFI_INVALID_PARAMETER, RP_R_MEMMAP_SIZE_NOT_MULTIPLE, RP_DIAG_NO_INDEX);
  if (msz > buf_len) return verdict(EFI_INVALID_PARAMETER, RP_R_MEMMAP_SIZE_EXCEEDS_BUF, RP_DIAG_NO_INDEX);
  uint64_t n = msz / dsz;
  if (n > 8192) return verdict(EFI_UNSUPPORTED, RP_R_MEMMAP_TOO_MANY, RP_DIAG_NO_INDEX);
  ref_verdict ok = verdict(EFI_SUCCESS, RP_R_NONE, RP_DIAG_NO_INDEX);
  ok.count = n;
  for (uint64_t i = 0; i < n; i++) {
    const uint8_t *d = map + i * dsz;
    uint32_t type = ld32(d);
    uint64_t phys = ld64(d + 8), vs = ld64(d + 16), pages = ld64(d + 24);
    if (rt_only && !ref_runtime(d)) continue;
    if (type >= 16 && type < 0x70000000u) return verdict(EFI_INVALID_PARAMETER, RP_R_MEMMAP_TYPE_INVALID, i);
    if (phys & 0xFFF) return verdict(EFI_INVALID_PARAMETER, RP_R_MEMMAP_PHYS_UNALIGNED, i);
    if (pages == 0) return verdict(EFI_INVALID_PARAMETER, RP_R_MEMMAP_ZERO_PAGES, i);
    if (ref_end(phys, pages) > ((u128)1 << 64)) return verdict(EFI_INVALID_PARAMETER, RP_R_MEMMAP_PHYS_OVERFLOW, i);
    if (virt && ref_runtime(d)) {
      if (vs & 0xFFF) return verdict(EFI_INVALID_PARAMETER, RP_R_MEMMAP_VIRT_UNALIGNED, i);
      if (ref_end(vs, pages) > ((u128)1 << 64)) return verdict(EFI_INVALID_PARAMETER, RP_R_MEMMAP_VIRT_OVERFLOW, i);
    }
    if (ref_runtime(d)) {
      ok.runtime_count++;
      ok.runtime_pages += pages;
    }
  }
  for (int pass = 0; pass < (virt ? 2 : 1); pass++) {
    for (uint64_t j = 1; j < n; j++) {
      const uint8_t *dj = map + j * dsz;
      if ((rt_only || pass) && !ref_runtime(dj)) continue;
      for (uint64_t i = 0; i < j; i++) {
        const uint8_t *di = map + i * dsz;
        if ((rt_only || pass) && !ref_runtime(di)) continue;
        unsigned off = pass ? 16 : 8;
        u128 si = ld64(di + off), sj = ld64(dj + off);
        if (si < ref_end(ld64(dj + off), ld64(dj + 24)) && sj < ref_end(ld64(di + off), ld64(di + 24)))
          return verdict(EFI_INVALID_PARAMETER, pass ? RP_R_MEMMAP_VIRT_OVERLAP : RP_R_MEMMAP_PHYS_OVERLAP, j);
      }
    }
  }
  return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  rp_fuzz_config cfg;
  size_t len = rp_fuzz_begin(data, size, &cfg);
  if (len < 12) {
    rp_fuzz_end();
    return 0;
  }
  uint32_t ver = ld32(data), dsz = ld32(data + 4), msz = ld32(data + 8);
  size_t map_len = len - 12;
  /* The validator sees a private copy, so a write would be detectable. */
  uint8_t *map = rp_fuzz_dup(data + 12, map_len);

  const uint32_t flags = cfg.options & RP_MEMMAP_FLAGS_ALL;
  rp_memmap m = { rp_bytes_of(map, map_len), msz, dsz, ver };
  rp_memmap_summary sum;
  rp_diag diag;
  EFI_STATUS st = rp_memmap_validate(&m, flags, &sum, &diag);
  ref_verdict ref = reference(map, map_len, ver, dsz, msz, flags);

  RP_FUZZ_ASSERT(memcmp(map, data + 12, map_len) == 0);
  RP_FUZZ_ASSERT(st == ref.status);
  RP_FUZZ_ASSERT(diag.reason == ref.reason);
  RP_FUZZ_ASSERT(diag.index == ref.index);
  if (!EFI_ERROR(st)) {
    RP_FUZZ_ASSERT(sum.count == ref.count);
    RP_FUZZ_ASSERT(sum.runtime_count == ref.runtime_count);
    RP_FUZZ_ASSERT(sum.runtime_pages == ref.runtime_pages);
    /* Every descriptor of an accepted map reads back through the accessor. */
    for (uint64_t i = 0; i < sum.count; i++) {
      EFI_MEMORY_DESCRIPTOR d;
      RP_FUZZ_ASSERT(rp_memmap_get(&m, i, &d));
      RP_FUZZ_ASSERT(d.PhysicalStart == ld64(map + i * dsz + 8));
    }
    EFI_MEMORY_DESCRIPTOR past;
    RP_FUZZ_ASSERT(!rp_memmap_get(&m, map_len / dsz + 1, &past)); /* bounded by the buffer */
  }
  free(map);
  rp_fuzz_end();
  return 0;
}
