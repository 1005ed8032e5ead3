/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* Unit tests of the memory-map accessors (the rules themselves are the
 * conformance cases MM-C-xxx). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mat_test_table.h"
#include "rtprm/mat.h"
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

/* Memory Attributes Table API edges the table-driven cases cannot reach:
 * NULL arguments, hand-built bad images, the accessor's own bounds, and a
 * success without an outcomes array. */
static void mat_api_edges(void **state) {
  (void)state;
  uint8_t table[MAT_TEST_TABLE_SIZE];
  mat_test_table(table, 0x100000, 16, EFI_MEMORY_RUNTIME | EFI_MEMORY_XP);
  rp_bytes tb = rp_bytes_of(table, sizeof(table));
  rp_mat_header h;
  EFI_MEMORY_DESCRIPTOR d;
  rp_diag diag;
  uint8_t out[16 + 8 * 48];
  size_t len = 0;

  assert_int_equal(rp_mat_validate(tb, &h, &diag), EFI_SUCCESS);
  assert_true(rp_mat_entry(tb, &h, 0, &d));
  assert_false(rp_mat_entry(tb, &h, 1, &d)); /* past the buffer */
  rp_mat_header small = h;
  small.desc_size = 32;
  assert_false(rp_mat_entry(tb, &small, 0, &d));
  assert_string_equal(rp_mat_outcome_name(RP_MAT_IMAGE_ALREADY), "already described");
  assert_string_equal(rp_mat_outcome_name((rp_mat_outcome)9), "?");

  rp_mat_image img;
  assert_int_equal(rp_mat_image_from_pe(NULL, 0x100000, &img, &diag), EFI_INVALID_PARAMETER);
  assert_int_equal(diag.reason, RP_R_NULL_ARGUMENT);
  rp_pe_image pe;
  memset(&pe, 0, sizeof(pe));
  assert_int_equal(rp_mat_image_from_pe(&pe, 0x100000, NULL, &diag), EFI_INVALID_PARAMETER);

  /* out_len and images are required */
  assert_int_equal(rp_mat_patch(tb, NULL, 0, rp_mbytes_of(out, sizeof(out)), NULL, NULL, &diag), EFI_INVALID_PARAMETER);
  assert_int_equal(rp_mat_patch(tb, NULL, 1, rp_mbytes_of(out, sizeof(out)), &len, NULL, &diag), EFI_INVALID_PARAMETER);
  assert_int_equal(diag.reason, RP_R_NULL_ARGUMENT);

  /* hand-built images: pieces out of place, too many pages, none, too many */
  memset(&img, 0, sizeof(img));
  img.base = 0x104000;
  img.pages = 2;
  img.piece_count = 2;
  img.pieces[0] = (rp_mat_piece){ 0x104000, 1, EFI_MEMORY_RO };
  img.pieces[1] = (rp_mat_piece){ 0x106000, 1, EFI_MEMORY_XP }; /* should start at 0x105000 */
  assert_int_equal(rp_mat_patch(tb, &img, 1, rp_mbytes_of(out, sizeof(out)), &len, NULL, &diag), EFI_INVALID_PARAMETER);
  assert_int_equal(diag.reason, RP_R_MAT_IMAGE_PIECES);
  img.pieces[1] = (rp_mat_piece){ 0x105000, 2, EFI_MEMORY_XP }; /* one page more than the image */
  assert_int_equal(rp_mat_patch(tb, &img, 1, rp_mbytes_of(out, sizeof(out)), &len, NULL, &diag), EFI_INVALID_PARAMETER);
  assert_int_equal(diag.reason, RP_R_MAT_IMAGE_PIECES);
  img.piece_count = 0;
  assert_int_equal(rp_mat_patch(tb, &img, 1, rp_mbytes_of(out, sizeof(out)), &len, NULL, &diag), EFI_INVALID_PARAMETER);
  assert_int_equal(diag.reason, RP_R_MAT_IMAGE_PIECES);
  img.piece_count = RP_MAT_MAX_PIECES + 1;
  assert_int_equal(rp_mat_patch(tb, &img, 1, rp_mbytes_of(out, sizeof(out)), &len, NULL, &diag), EFI_INVALID_PARAMETER);
  assert_int_equal(diag.reason, RP_R_MAT_IMAGE_PIECES);

  /* a good one, no outcomes array: before / 2 pieces / after */
  img.piece_count = 2;
  img.pieces[1] = (rp_mat_piece){ 0x105000, 1, EFI_MEMORY_XP };
  assert_int_equal(rp_mat_patch(tb, &img, 1, rp_mbytes_of(out, sizeof(out)), &len, NULL, &diag), EFI_SUCCESS);
  assert_int_equal(len, 16 + 4 * 48);
  assert_int_equal(rp_mat_validate(rp_bytes_of(out, len), &h, &diag), EFI_SUCCESS);
  assert_int_equal(h.count, 4);
  assert_true(rp_mat_entry(rp_bytes_of(out, len), &h, 1, &d));
  assert_int_equal(d.PhysicalStart, 0x104000);
  assert_int_equal(d.Attribute, EFI_MEMORY_RUNTIME | EFI_MEMORY_RO);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(get_reads_unaligned_padded_descriptors),
    cmocka_unit_test(count_tolerates_zero_stride),
    cmocka_unit_test(failure_leaves_summary_untouched),
    cmocka_unit_test(mat_api_edges),
  };
  return cmocka_run_group_tests_name("memmap", tests, NULL, NULL);
}
