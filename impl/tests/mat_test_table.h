/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* Unit-test helper: a version-1 Memory Attributes Table with one
 * EfiRuntimeServicesCode entry (48-byte stride), as Debian's OVMF leaves the
 * range holding late-loaded runtime images. */
#ifndef RTPRM_TESTS_MAT_TEST_TABLE_H
#define RTPRM_TESTS_MAT_TEST_TABLE_H

#include <stdint.h>
#include <string.h>

#include "rtprm/spec/uefi_base.h"

#define MAT_TEST_TABLE_SIZE (16 + 48)

static inline void mat_test_table(uint8_t t[MAT_TEST_TABLE_SIZE], uint64_t phys, uint64_t pages, uint64_t attr) {
  const uint32_t header[4] = { 1, 1, 48, 0 }, type = EfiRuntimeServicesCode;
  memset(t, 0, MAT_TEST_TABLE_SIZE);
  memcpy(t, header, sizeof(header));
  memcpy(t + 16, &type, 4);
  memcpy(t + 24, &phys, 8);
  memcpy(t + 40, &pages, 8);
  memcpy(t + 48, &attr, 8);
}

#endif
