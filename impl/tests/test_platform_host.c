/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* Unit tests of the host platform seam: allocation-failure plans, leak
 * accounting, page alignment, the log sink and rp_log levels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rtprm/platform.h"
#include "rtprm/host/platform_host.h"

static int reset(void **state) {
  (void)state;
  rp_host_alloc_reset();
  return 0;
}

static void fail_nth_fails_exactly_that_call(void **state) {
  (void)state;
  void *p[4];
  rp_host_fail_nth(3);
  for (int i = 0; i < 4; i++) {
    EFI_STATUS s = rp_plat_alloc_pool(EfiBootServicesData, 16, &p[i]);
    assert_int_equal(s, i == 2 ? EFI_OUT_OF_RESOURCES : EFI_SUCCESS);
    if (i == 2) assert_null(p[i]);
  }
  assert_int_equal(rp_host_alloc_calls(), 4);
  assert_int_equal(rp_host_alloc_failures(), 1);
  assert_int_equal(rp_host_alloc_outstanding(), 3);
  for (int i = 0; i < 4; i++) rp_plat_free_pool(p[i]);
  assert_int_equal(rp_host_alloc_outstanding(), 0);
}

static void fail_from_fails_forever(void **state) {
  (void)state;
  void *p;
  rp_host_fail_from(2);
  assert_int_equal(rp_plat_alloc_pool(EfiRuntimeServicesData, 8, &p), EFI_SUCCESS);
  rp_plat_free_pool(p);
  for (int i = 0; i < 5; i++) assert_int_equal(rp_plat_alloc_pool(EfiRuntimeServicesData, 8, &p), EFI_OUT_OF_RESOURCES);
  assert_int_equal(rp_host_alloc_failures(), 5);
}

static void fail_mask_selects_calls_and_counts_pages(void **state) {
  (void)state;
  EFI_PHYSICAL_ADDRESS a[3];
  rp_host_fail_mask(0x5); /* calls 1 and 3 */
  assert_int_equal(rp_plat_alloc_pages(EfiRuntimeServicesCode, 2, &a[0]), EFI_OUT_OF_RESOURCES);
  assert_int_equal(rp_plat_alloc_pages(EfiRuntimeServicesCode, 2, &a[1]), EFI_SUCCESS);
  assert_int_equal(a[1] & 0xFFF, 0);
  memset((void *)(uintptr_t)a[1], 0xCC, 2 * 4096); /* the whole run is usable */
  assert_int_equal(rp_plat_alloc_pages(EfiRuntimeServicesCode, 1, &a[2]), EFI_OUT_OF_RESOURCES);
  rp_plat_free_pages(a[1], 2);
  assert_int_equal(rp_host_alloc_outstanding(), 0);
}

static void invalid_requests_are_rejected_without_counting(void **state) {
  (void)state;
  void *p;
  EFI_PHYSICAL_ADDRESS a;
  assert_int_equal(rp_plat_alloc_pool(EfiConventionalMemory, 8, &p), EFI_INVALID_PARAMETER);
  assert_int_equal(rp_plat_alloc_pool(EfiMaxMemoryType, 8, &p), EFI_INVALID_PARAMETER);
  assert_int_equal(rp_plat_alloc_pool(EfiLoaderData, 8, NULL), EFI_INVALID_PARAMETER);
  assert_int_equal(rp_plat_alloc_pages(EfiLoaderData, 0, &a), EFI_INVALID_PARAMETER);
  assert_int_equal(rp_plat_alloc_pages(EfiLoaderData, SIZE_MAX / 2, &a), EFI_OUT_OF_RESOURCES);
  assert_int_equal(rp_host_alloc_calls(), 0);
  rp_plat_free_pool(NULL);
  rp_plat_free_pages(0, 1);
}

static void log_capture_truncates_and_levels_filter(void **state) {
  (void)state;
  char buf[16];
  rp_host_log_capture(buf, sizeof(buf));
  rp_log_set_level(RP_LOG_WARN);
  rp_log(RP_LOG_INFO, "hidden %d", 1);
  assert_string_equal(buf, "");
  rp_log(RP_LOG_ERROR, "E%d;", 1);
  rp_log(RP_LOG_WARN, "a long warning that will not fit");
  assert_int_equal(strlen(buf), sizeof(buf) - 1);
  assert_memory_equal(buf, "E1;a long warni", 15);
  rp_log_set_level(RP_LOG_INFO);
  rp_host_log_capture(NULL, 0);
  assert_int_equal(rp_host_icache_flushes(), 0);
  rp_plat_flush_icache(buf, sizeof(buf));
  assert_int_equal(rp_host_icache_flushes(), 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup(fail_nth_fails_exactly_that_call, reset),
    cmocka_unit_test_setup(fail_from_fails_forever, reset),
    cmocka_unit_test_setup(fail_mask_selects_calls_and_counts_pages, reset),
    cmocka_unit_test_setup(invalid_requests_are_rejected_without_counting, reset),
    cmocka_unit_test_setup(log_capture_truncates_and_levels_filter, reset),
  };
  return cmocka_run_group_tests_name("platform_host", tests, NULL, NULL);
}
