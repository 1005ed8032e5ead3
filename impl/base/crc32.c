/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * CRC-32 (reflected, polynomial 0xEDB88320), table-driven. The table is
 * computed by the preprocessor from the polynomial, so it is const data
 * (safe to use at runtime after SetVirtualAddressMap: no lazy init).
 */
#include "rtprm/crc32.h"

#define RP_CRC_POLY 0xEDB88320u
#define B1(c) (((c) & 1u) ? (RP_CRC_POLY ^ ((c) >> 1)) : ((c) >> 1))
#define B2(c) B1(B1(c))
#define B4(c) B2(B2(c))
#define B8(c) B4(B4(c))
#define E1(n) B8((uint32_t)(n))
#define E4(n) E1(n), E1((n) + 1), E1((n) + 2), E1((n) + 3)
#define E16(n) E4(n), E4((n) + 4), E4((n) + 8), E4((n) + 12)
#define E64(n) E16(n), E16((n) + 16), E16((n) + 32), E16((n) + 48)

static const uint32_t crc_table[256] = { E64(0), E64(64), E64(128), E64(192) };

uint32_t rp_crc32_update(uint32_t crc, const void *data, size_t len) {
  const uint8_t *p = data;
  uint32_t c = ~crc;
  for (size_t i = 0; i < len; i++) c = crc_table[(c ^ p[i]) & 0xFFu] ^ (c >> 8);
  return ~c;
}

uint32_t rp_crc32(const void *data, size_t len) { return rp_crc32_update(0, data, len); }
