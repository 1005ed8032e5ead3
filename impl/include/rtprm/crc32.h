/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * CRC-32 as UEFI uses it (UEFI §4.2 table headers, CalculateCrc32):
 * reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF.
 * Check value: rp_crc32("123456789") == 0xCBF43926.
 */
#ifndef RTPRM_CRC32_H
#define RTPRM_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t rp_crc32(const void *data, size_t len);
/* Incremental form: start with crc = 0, feed chunks, the result is final. */
uint32_t rp_crc32_update(uint32_t crc, const void *data, size_t len);

#endif /* RTPRM_CRC32_H */
