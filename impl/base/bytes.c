/* SPDX-License-Identifier: BSD-2-Clause-Patent */
#include "rtprm/bytes.h"

#include "rtprm/mem.h"

bool rp_bytes_sub(rp_bytes b, uint64_t off, uint64_t n, rp_bytes *out) {
  if (!rp_range_ok(b.len, off, n)) return false;
  out->ptr = b.ptr + off;
  out->len = (size_t)n;
  return true;
}

bool rp_mbytes_sub(rp_mbytes b, uint64_t off, uint64_t n, rp_mbytes *out) {
  if (!rp_range_ok(b.len, off, n)) return false;
  out->ptr = b.ptr + off;
  out->len = (size_t)n;
  return true;
}

/* Little-endian load of width bytes (1..8) at off. */
static bool read_le(rp_bytes b, uint64_t off, unsigned width, uint64_t *out) {
  uint64_t v = 0;
  if (!rp_range_ok(b.len, off, width)) return false;
  for (unsigned i = 0; i < width; i++) v |= (uint64_t)b.ptr[off + i] << (8 * i);
  *out = v;
  return true;
}

static bool write_le(rp_mbytes b, uint64_t off, unsigned width, uint64_t v) {
  if (!rp_range_ok(b.len, off, width)) return false;
  for (unsigned i = 0; i < width; i++) b.ptr[off + i] = (uint8_t)(v >> (8 * i));
  return true;
}

bool rp_read_u8(rp_bytes b, uint64_t off, uint8_t *out) {
  uint64_t v;
  if (!read_le(b, off, 1, &v)) return false;
  *out = (uint8_t)v;
  return true;
}

bool rp_read_u16(rp_bytes b, uint64_t off, uint16_t *out) {
  uint64_t v;
  if (!read_le(b, off, 2, &v)) return false;
  *out = (uint16_t)v;
  return true;
}

bool rp_read_u32(rp_bytes b, uint64_t off, uint32_t *out) {
  uint64_t v;
  if (!read_le(b, off, 4, &v)) return false;
  *out = (uint32_t)v;
  return true;
}

bool rp_read_u64(rp_bytes b, uint64_t off, uint64_t *out) { return read_le(b, off, 8, out); }

bool rp_read_bytes(rp_bytes b, uint64_t off, void *dst, size_t n) {
  if (!rp_range_ok(b.len, off, n)) return false;
  rp_memcpy(dst, b.ptr + off, n);
  return true;
}

bool rp_write_u16(rp_mbytes b, uint64_t off, uint16_t v) { return write_le(b, off, 2, v); }
bool rp_write_u32(rp_mbytes b, uint64_t off, uint32_t v) { return write_le(b, off, 4, v); }
bool rp_write_u64(rp_mbytes b, uint64_t off, uint64_t v) { return write_le(b, off, 8, v); }

bool rp_strnlen_at(rp_bytes b, uint64_t off, size_t max, size_t *len) {
  if (off > b.len) return false;
  size_t avail = b.len - (size_t)off;
  size_t limit = avail < max ? avail : max;
  for (size_t i = 0; i < limit; i++) {
    if (b.ptr[off + i] == 0) {
      *len = i;
      return true;
    }
  }
  return false;
}
