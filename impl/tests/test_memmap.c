/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* Unit tests of the memory-map accessors (the rules themselves are the
 * conformance cases MM-C-xxx). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rtprm/memmap.h"

static void get_reads_unaligned_padded_descriptors(void **state) {
  (void)state;
  uint8_t raw[1 + 2 * 56];
  uint8_t *base = raw + 1; /* deliberately misaligned */
  memset(raw, 0xA5, sizeof(raw));
  for (int i = 0; i < 2; i++) {
    EFI_MEMORY_DESCRIPTOR d = { 6, 0x200000ull + i * 0x1000, 0xFFFF800000000000ull, 1, EFI_MEMORY_RUNTIME };
    memcpy(base + i * 56, &d, sizeof(d));
  }
  rp_memmap m = { rp_bytes_of(base, 2 * 56), 2 * 56, 56, 1 };
  EFI_MEMORY_DESCRIPTOR out;
  assert_int_equal(rp_memmap_count(&m), 2);
  assert_true(rp_memmap_get(&m, 1, &out));
  assert_int_equal(out.Type, 6);
  assert_int_equal(out.PhysicalStart, 0x201000);
  assert_int_equal(out.Attribute, EFI_MEMORY_RUNTIME);
  assert_false(rp_memmap_get(&m, 2, &out));
  assert_false(rp_memmap_get(&m, UINT64_MAX, &out)); /* index * stride wraps */
  rp_memmap_summary sum;
  assert_int_equal(rp_memmap_validate(&m, RP_MEMMAP_CHECK_VIRTUAL, &sum, NULL), EFI_INVALID_PARAMETER);
  assert_int_equal(rp_memmap_validate(&m, 0, &sum, NULL), EFI_SUCCESS);
  assert_int_equal(sum.runtime_count, 2);
}

static void count_tolerates_zero_stride(void **state) {
  (void)state;
  rp_memmap m = { rp_bytes_of(NULL, 0), 100, 0, 1 };
  EFI_MEMORY_DESCRIPTOR out;
  rp_diag d;
  assert_int_equal(rp_memmap_validate(NULL, 0, NULL, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_MEMMAP_NULL);
  assert_int_equal(rp_memmap_count(&m), 0);
  assert_int_equal(rp_memmap_count(NULL), 0);
  assert_false(rp_memmap_get(&m, 0, &out));
}

static void failure_leaves_summary_untouched(void **state) {
  (void)state;
  EFI_MEMORY_DESCRIPTOR d = { 2, 0x1001, 0, 1, 0 };
  rp_memmap m = { rp_bytes_of(&d, sizeof(d)), sizeof(d), sizeof(d), 1 };
  rp_memmap_summary sum = { 11, 22, 33, 44 };
  rp_diag diag;
  assert_int_equal(rp_memmap_validate(&m, 0, &sum, &diag), EFI_INVALID_PARAMETER);
  assert_int_equal(diag.reason, RP_R_MEMMAP_PHYS_UNALIGNED);
  assert_int_equal(diag.index, 0);
  assert_non_null(diag.file);
  assert_true(diag.line > 0);
  assert_int_equal(sum.count, 11);
  assert_int_equal(sum.runtime_pages, 44);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(get_reads_unaligned_padded_descriptors),
    cmocka_unit_test(count_tolerates_zero_stride),
    cmocka_unit_test(failure_leaves_summary_untouched),
  };
  return cmocka_run_group_tests_name("memmap", tests, NULL, NULL);
}
