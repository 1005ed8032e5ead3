/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Bounded byte views. Parsers never take a raw pointer + length pair across
 * an API: they take an rp_bytes (read-only) or rp_mbytes (writable) and read
 * through the accessors, which check offset + width against the view's length
 * (overflow-safe) and read little-endian values without alignment traps.
 */
#ifndef RTPRM_BYTES_H
#define RTPRM_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rp_bytes {
  const uint8_t *ptr;
  size_t         len;
} rp_bytes;

typedef struct rp_mbytes {
  uint8_t *ptr;
  size_t   len;
} rp_mbytes;

static inline rp_bytes rp_bytes_of(const void *p, size_t n) {
  rp_bytes b = { (const uint8_t *)p, p ? n : 0 };
  return b;
}
static inline rp_mbytes rp_mbytes_of(void *p, size_t n) {
  rp_mbytes b = { (uint8_t *)p, p ? n : 0 };
  return b;
}
static inline rp_bytes rp_bytes_const(rp_mbytes m) { return rp_bytes_of(m.ptr, m.len); }

/* True when [off, off+n) lies inside a view of length len. */
static inline bool rp_range_ok(size_t len, uint64_t off, uint64_t n) {
  return off <= len && n <= (uint64_t)len - off;
}

/* Little-endian decode / encode at a pointer the caller has already bounded
 * (a copy out of a view, or a range a validator proved). Compilers turn these
 * byte sequences into single unaligned loads and stores. */
static inline uint16_t rp_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t rp_le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t rp_le64(const uint8_t *p) { return (uint64_t)rp_le32(p) | (uint64_t)rp_le32(p + 4) << 32; }
static inline void rp_put_le16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static inline void rp_put_le32(uint8_t *p, uint32_t v) {
  rp_put_le16(p, (uint16_t)v);
  rp_put_le16(p + 2, (uint16_t)(v >> 16));
}
static inline void rp_put_le64(uint8_t *p, uint64_t v) {
  rp_put_le32(p, (uint32_t)v);
  rp_put_le32(p + 4, (uint32_t)(v >> 32));
}

/* Sub-view [off, off+n); false (and *out untouched) when out of bounds. */
bool rp_bytes_sub(rp_bytes b, uint64_t off, uint64_t n, rp_bytes *out);
bool rp_mbytes_sub(rp_mbytes b, uint64_t off, uint64_t n, rp_mbytes *out);

bool rp_read_u8(rp_bytes b, uint64_t off, uint8_t *out);
bool rp_read_u16(rp_bytes b, uint64_t off, uint16_t *out);
bool rp_read_u32(rp_bytes b, uint64_t off, uint32_t *out);
bool rp_read_u64(rp_bytes b, uint64_t off, uint64_t *out);
/* Copy n bytes at off into dst (a struct mirror); false when out of bounds. */
bool rp_read_bytes(rp_bytes b, uint64_t off, void *dst, size_t n);

bool rp_write_u16(rp_mbytes b, uint64_t off, uint16_t v);
bool rp_write_u32(rp_mbytes b, uint64_t off, uint32_t v);
bool rp_write_u64(rp_mbytes b, uint64_t off, uint64_t v);

/* Length of a NUL-terminated string starting at off, looking at most max
 * bytes and never past the view; false when no NUL is found in that window. */
bool rp_strnlen_at(rp_bytes b, uint64_t off, size_t max, size_t *len);

#endif /* RTPRM_BYTES_H */
