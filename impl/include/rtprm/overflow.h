/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Overflow-checked arithmetic. Every value derived from an image, list or
 * table goes through these before it is used as an offset, size or count.
 * Each returns true when the result is exact and stores it in *out.
 */
#ifndef RTPRM_OVERFLOW_H
#define RTPRM_OVERFLOW_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

static inline bool rp_add_u32(uint32_t a, uint32_t b, uint32_t *out) { return !__builtin_add_overflow(a, b, out); }
static inline bool rp_add_u64(uint64_t a, uint64_t b, uint64_t *out) { return !__builtin_add_overflow(a, b, out); }
static inline bool rp_sub_u64(uint64_t a, uint64_t b, uint64_t *out) { return !__builtin_sub_overflow(a, b, out); }
static inline bool rp_mul_u64(uint64_t a, uint64_t b, uint64_t *out) { return !__builtin_mul_overflow(a, b, out); }
static inline bool rp_add_size(size_t a, size_t b, size_t *out) { return !__builtin_add_overflow(a, b, out); }
static inline bool rp_mul_size(size_t a, size_t b, size_t *out) { return !__builtin_mul_overflow(a, b, out); }

/* Align up to a power of two; false on overflow or a non-power-of-two. */
static inline bool rp_align_up_u64(uint64_t v, uint64_t align, uint64_t *out) {
  if (align == 0 || (align & (align - 1)) != 0) return false;
  uint64_t t;
  if (!rp_add_u64(v, align - 1, &t)) return false;
  *out = t & ~(align - 1);
  return true;
}

static inline bool rp_is_aligned_u64(uint64_t v, uint64_t align) {
  return align != 0 && (v & (align - 1)) == 0;
}

/* Last byte of a run of 4 KiB pages: start + pages * 4096 - 1 (inclusive, so
 * a run may end exactly at the top of the address space: UEFI §7.2 allows
 * PhysicalStart up to 0xFFFFFFFFFFFFF000). False when pages is 0 or the last
 * byte does not fit in 64 bits. */
static inline bool rp_page_range_last(uint64_t start, uint64_t pages, uint64_t *last) {
  if (pages == 0 || pages > (UINT64_MAX >> 12) + 1) return false;
  return rp_add_u64(start, (pages << 12) - 1, last);
}

#endif /* RTPRM_OVERFLOW_H */
