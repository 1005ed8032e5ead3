/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Authenticode ranges and the certificate table (rp_pe_authenticode_of,
 * rp_pe_certificate_at; docs/pecoff.md §9): the exact ranges for PE32 and
 * PE32+, with and without the certificate directory entry, trailing data,
 * sections out of file order; every table rule (range, overlap, entry
 * length), every finding under both profiles, the entry walk, and that a
 * refusal writes nothing. The digests themselves are checked against
 * sbverify and osslsigncode by harnesses/authenticode/oracle.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pe_image_builder.h"

static EFI_STATUS ranges_of(size_t len, rp_pe_profile profile, rp_pe_image *img, rp_pe_authenticode *a, rp_diag *d) {
  assert_int_equal(rp_pe_parse(rp_bytes_of(g_file, len), RP_PE_LAYOUT_FILE, profile, img, NULL), EFI_SUCCESS);
  return rp_pe_authenticode_of(img, a, d);
}

static void assert_range(const rp_pe_authenticode *a, uint32_t i, uint64_t off, uint64_t end) {
  assert_true(i < a->range_count);
  assert_int_equal(a->ranges[i].offset, off);
  assert_int_equal(a->ranges[i].length, end - off);
}

static void assert_refused(size_t len, rp_pe_profile profile, EFI_STATUS want, rp_reason why, uint64_t index) {
  static rp_pe_image img;
  static rp_pe_authenticode a;
  rp_diag d;
  memset(&a, 0x5A, sizeof(a));
  assert_int_equal(ranges_of(len, profile, &img, &a, &d), want);
  assert_int_equal(d.reason, why);
  assert_int_equal(d.index, index);
  assert_int_equal(a.range_count, 0x5A5A5A5Au); /* nothing written */
}

/* ---- ranges ------------------------------------------------------------------ */

static void pe32plus_unsigned_ranges_skip_checksum_and_directory(void **state) {
  (void)state;
  static rp_pe_image img;
  static rp_pe_authenticode a;
  rp_diag d;
  size_t len = build_file(IMAGE_FILE_MACHINE_AMD64, 0);
  rp_diag_set(&d, EFI_ABORTED, RP_R_PE_AUTH_GAP, 1, NULL, 1);
  assert_int_equal(ranges_of(len, RP_PE_PROFILE_COMPAT, &img, &a, &d), EFI_SUCCESS);
  assert_int_equal(d.reason, RP_R_NONE);
  assert_int_equal(a.range_count, 6);
  assert_range(&a, 0, 0, OPT + 64);                                  /* up to CheckSum */
  assert_range(&a, 1, OPT + 68, dir_off(true, 4));                   /* up to directory 4 */
  assert_range(&a, 2, dir_off(true, 4) + 8, 0x1000);                 /* rest of the headers */
  assert_range(&a, 3, TEXT, TEXT + 0x1000);
  assert_range(&a, 4, DATA, DATA + 0x1000);
  assert_range(&a, 5, RELOC, RELOC + 0x1000);
  assert_int_equal(a.hashed_bytes, IMG_SIZE - 12);
  assert_int_equal(a.cert_offset, 0);
  assert_int_equal(a.cert_size, 0);
  assert_int_equal(a.cert_count, 0);
  assert_int_equal(a.findings.count, 0);
}

static void pe32_uses_its_own_directory_offset(void **state) {
  (void)state;
  static rp_pe_image img;
  static rp_pe_authenticode a;
  size_t len = build_file(IMAGE_FILE_MACHINE_I386, 0);
  assert_int_equal(ranges_of(len, RP_PE_PROFILE_COMPAT, &img, &a, NULL), EFI_SUCCESS);
  assert_range(&a, 1, OPT + 68, dir_off(false, 4));
  assert_range(&a, 2, dir_off(false, 4) + 8, 0x1000);
}

static void without_directory_4_only_checksum_is_skipped(void **state) {
  (void)state;
  static rp_pe_image img;
  static rp_pe_authenticode a;
  size_t len = build_file(IMAGE_FILE_MACHINE_AMD64, 0);
  w32(g_file, OPT + 108, 4); /* NumberOfRvaAndSizes: export..exception only */
  assert_int_equal(ranges_of(len, RP_PE_PROFILE_COMPAT, &img, &a, NULL), EFI_SUCCESS);
  assert_int_equal(a.range_count, 5);
  assert_range(&a, 1, OPT + 68, 0x1000);
  assert_int_equal(a.hashed_bytes, IMG_SIZE - 4);
}

static void trailing_data_is_hashed_up_to_the_table(void **state) {
  (void)state;
  static rp_pe_image img;
  static rp_pe_authenticode a;
  size_t len = build_file(IMAGE_FILE_MACHINE_AMD64, 0x20);
  assert_int_equal(ranges_of(len, RP_PE_PROFILE_COMPAT, &img, &a, NULL), EFI_SUCCESS);
  assert_int_equal(a.range_count, 7);
  assert_range(&a, 6, IMG_SIZE, IMG_SIZE + 0x20);
  /* ... and with a table after it, only up to the table */
  len = build_file(IMAGE_FILE_MACHINE_AMD64, 0x20 + 0x10);
  static const uint32_t one[] = {0x10};
  add_table(true, IMG_SIZE + 0x20, one, 1);
  assert_int_equal(ranges_of(len, RP_PE_PROFILE_STRICT, &img, &a, NULL), EFI_SUCCESS);
  assert_range(&a, 6, IMG_SIZE, IMG_SIZE + 0x20);
  assert_int_equal(a.cert_offset, IMG_SIZE + 0x20);
}

static void sections_are_hashed_in_file_order(void **state) {
  (void)state;
  static rp_pe_image img;
  static rp_pe_authenticode a;
  size_t len = build_file(IMAGE_FILE_MACHINE_AMD64, 0);
  w32(g_file, sect_off(true, 0) + 20, DATA); /* .text's raw data after .data's */
  w32(g_file, sect_off(true, 1) + 20, TEXT);
  assert_int_equal(ranges_of(len, RP_PE_PROFILE_COMPAT, &img, &a, NULL), EFI_SUCCESS);
  assert_range(&a, 3, TEXT, TEXT + 0x1000); /* .data's bytes, first in the file */
  assert_range(&a, 4, DATA, DATA + 0x1000);
  /* a section without raw data adds no range */
  w32(g_file, sect_off(true, 2) + 16, 0);
  assert_int_equal(ranges_of(len, RP_PE_PROFILE_COMPAT, &img, &a, NULL), EFI_SUCCESS);
  assert_int_equal(a.range_count, 6); /* 3 + 2 sections + the tail 0x3000..0x4000 by SUM_OF_BYTES_HASHED */
  assert_range(&a, 5, RELOC, IMG_SIZE);
}

/* ---- the certificate table ---------------------------------------------------- */

static void entries_are_walked_and_read(void **state) {
  (void)state;
  static rp_pe_image img;
  static rp_pe_authenticode a;
  rp_pe_certificate c;
  rp_diag d;
  static const uint32_t lens[] = {0x0C, 0x18};
  size_t len = build_file(IMAGE_FILE_MACHINE_AMD64, 0x28);
  assert_int_equal(add_table(true, IMG_SIZE, lens, 2), 0x28);
  assert_int_equal(ranges_of(len, RP_PE_PROFILE_STRICT, &img, &a, NULL), EFI_SUCCESS);
  assert_int_equal(a.cert_offset, IMG_SIZE);
  assert_int_equal(a.cert_size, 0x28);
  assert_int_equal(a.cert_count, 2);
  assert_int_equal(a.range_count, 6); /* the table itself is never hashed */
  assert_int_equal(rp_pe_certificate_at(&img, &a, 1, &c, &d), EFI_SUCCESS);
  assert_int_equal(c.offset, IMG_SIZE + 0x10);
  assert_int_equal(c.length, 0x18);
  assert_int_equal(c.revision, RP_WIN_CERT_REVISION_2_0);
  assert_int_equal(c.type, RP_WIN_CERT_TYPE_PKCS_SIGNED);
  assert_int_equal(c.data.len, 0x10);
  assert_ptr_equal(c.data.ptr, g_file + IMG_SIZE + 0x18);
  assert_int_equal(c.data.ptr[0], 0xA1);
  assert_int_equal(d.reason, RP_R_NONE);
  assert_int_equal(rp_pe_certificate_at(&img, &a, 0, &c, NULL), EFI_SUCCESS);
  assert_int_equal(c.data.len, 4);
  assert_int_equal(rp_pe_certificate_at(&img, &a, 2, &c, &d), EFI_NOT_FOUND);
  assert_int_equal(d.reason, RP_R_PE_AUTH_CERT_INDEX);
  assert_int_equal(rp_pe_certificate_at(NULL, &a, 0, &c, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(rp_pe_certificate_at(&img, NULL, 0, &c, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(rp_pe_certificate_at(&img, &a, 0, NULL, &d), EFI_INVALID_PARAMETER);
  /* a result that does not describe this image is refused, not followed */
  static rp_pe_authenticode other;
  other = a;
  other.cert_size = 0x0C; /* the second entry's header would run past it */
  assert_int_equal(rp_pe_certificate_at(&img, &other, 1, &c, &d), EFI_SECURITY_VIOLATION);
  assert_int_equal(d.reason, RP_R_PE_AUTH_CERT_ENTRY);
  other.cert_size = 0x10; /* ... or end exactly where it starts */
  assert_int_equal(rp_pe_certificate_at(&img, &other, 1, &c, &d), EFI_SECURITY_VIOLATION);
  other = a;
  other.cert_offset = len + 0x100; /* past the file: the header read fails */
  other.cert_size = 0x28;
  assert_int_equal(rp_pe_certificate_at(&img, &other, 0, &c, &d), EFI_SECURITY_VIOLATION);
  assert_int_equal(d.index, len + 0x100);
  w32(g_file, IMG_SIZE, 4); /* dwLength below the header */
  assert_int_equal(rp_pe_certificate_at(&img, &a, 0, &c, &d), EFI_SECURITY_VIOLATION);
  w32(g_file, IMG_SIZE, 0x1000); /* dwLength past the table */
  assert_int_equal(rp_pe_certificate_at(&img, &a, 1, &c, &d), EFI_SECURITY_VIOLATION);
  assert_int_equal(d.reason, RP_R_PE_AUTH_CERT_ENTRY);
}

static void table_outside_file_or_over_data_is_refused(void **state) {
  (void)state;
  size_t len = build_file(IMAGE_FILE_MACHINE_AMD64, 0x10);
  static const uint32_t one[] = {0x10};
  add_table(true, IMG_SIZE, one, 1);
  w32(g_file, dir_off(true, 4) + 4, 0x18); /* one byte-block past the end */
  assert_refused(len, RP_PE_PROFILE_COMPAT, EFI_SECURITY_VIOLATION, RP_R_PE_AUTH_CERT_RANGE, IMG_SIZE);
  w32(g_file, dir_off(true, 4), 0xFFFFFFF8u); /* offset + size beyond any file */
  assert_refused(len, RP_PE_PROFILE_COMPAT, EFI_SECURITY_VIOLATION, RP_R_PE_AUTH_CERT_RANGE, 0xFFFFFFF8u);
  len = build_file(IMAGE_FILE_MACHINE_AMD64, 0);
  add_table(true, RELOC + 0xFF0, one, 1); /* inside .reloc's raw data */
  assert_refused(len, RP_PE_PROFILE_COMPAT, EFI_SECURITY_VIOLATION, RP_R_PE_AUTH_CERT_OVERLAP, RELOC + 0xFF0);
}

static void bad_entry_lengths_are_refused(void **state) {
  (void)state;
  static const uint32_t tiny[] = {4}, longer[] = {0x10};
  size_t len = build_file(IMAGE_FILE_MACHINE_AMD64, 0x10);
  add_table(true, IMG_SIZE, tiny, 1); /* dwLength below the 8-byte header */
  w32(g_file, dir_off(true, 4) + 4, 0x10);
  assert_refused(len, RP_PE_PROFILE_COMPAT, EFI_SECURITY_VIOLATION, RP_R_PE_AUTH_CERT_ENTRY, IMG_SIZE);
  add_table(true, IMG_SIZE, longer, 1);
  w32(g_file, IMG_SIZE, 0x11); /* one byte past the table */
  assert_refused(len, RP_PE_PROFILE_COMPAT, EFI_SECURITY_VIOLATION, RP_R_PE_AUTH_CERT_ENTRY, IMG_SIZE);
  add_table(true, IMG_SIZE, longer, 1);
  w32(g_file, dir_off(true, 4) + 4, 4); /* a table too small for one header */
  assert_refused(len, RP_PE_PROFILE_COMPAT, EFI_SECURITY_VIOLATION, RP_R_PE_AUTH_CERT_ENTRY, IMG_SIZE);
}

/* ---- findings ------------------------------------------------------------------ */

static void assert_finding_both_profiles(size_t len, rp_reason why, uint64_t index) {
  static rp_pe_image img;
  static rp_pe_authenticode a;
  assert_int_equal(ranges_of(len, RP_PE_PROFILE_COMPAT, &img, &a, NULL), EFI_SUCCESS);
  assert_int_equal(a.findings.count, 1);
  assert_int_equal(a.findings.item[0].reason, why);
  assert_int_equal(a.findings.item[0].index, index);
  assert_refused(len, RP_PE_PROFILE_STRICT, EFI_SECURITY_VIOLATION, why, index);
}

static void gap_before_a_section_is_a_finding(void **state) {
  (void)state;
  static rp_pe_image img;
  static rp_pe_authenticode a;
  size_t len = build_file(IMAGE_FILE_MACHINE_AMD64, 0);
  w32(g_file, OPT + 60, 0x400); /* headers end at 0x400, .text's data starts at 0x1000 */
  assert_finding_both_profiles(len, RP_R_PE_AUTH_GAP, 0);
  /* the document's rule then hashes SizeOfHeaders + raw sizes from 0x3400 */
  assert_int_equal(ranges_of(len, RP_PE_PROFILE_COMPAT, &img, &a, NULL), EFI_SUCCESS);
  assert_range(&a, a.range_count - 1, 0x3400, IMG_SIZE);
}

static void misaligned_table_is_a_finding(void **state) {
  (void)state;
  static const uint32_t one[] = {0x10};
  size_t len = build_file(IMAGE_FILE_MACHINE_AMD64, 0x14);
  add_table(true, IMG_SIZE + 4, one, 1);
  assert_finding_both_profiles(len, RP_R_PE_AUTH_CERT_ALIGN, IMG_SIZE + 4);
}

static void bytes_after_the_table_are_a_finding(void **state) {
  (void)state;
  static const uint32_t one[] = {0x10};
  size_t len = build_file(IMAGE_FILE_MACHINE_AMD64, 0x20);
  add_table(true, IMG_SIZE, one, 1);
  assert_finding_both_profiles(len, RP_R_PE_AUTH_AFTER_CERTS, IMG_SIZE + 0x10);
}

/* ---- what is not a PE file ------------------------------------------------------ */

static void mapped_te_and_null_are_refused(void **state) {
  (void)state;
  static rp_pe_image img, mapped;
  static rp_pe_authenticode a;
  rp_diag d;
  size_t len = build_file(IMAGE_FILE_MACHINE_AMD64, 0);
  assert_int_equal(rp_pe_parse(rp_bytes_of(g_file, len), RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT, &mapped, NULL),
                   EFI_SUCCESS);
  assert_int_equal(rp_pe_authenticode_of(&mapped, &a, &d), EFI_UNSUPPORTED);
  assert_int_equal(d.reason, RP_R_PE_AUTH_FORMAT);
  assert_int_equal(rp_pe_parse(rp_bytes_of(g_file, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &img, NULL),
                   EFI_SUCCESS);
  img.te = true;
  assert_int_equal(rp_pe_authenticode_of(&img, &a, &d), EFI_UNSUPPORTED);
  assert_int_equal(d.reason, RP_R_PE_AUTH_FORMAT);
  assert_int_equal(rp_pe_authenticode_of(NULL, &a, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(rp_pe_authenticode_of(&img, NULL, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_NULL_ARGUMENT);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(pe32plus_unsigned_ranges_skip_checksum_and_directory),
    cmocka_unit_test(pe32_uses_its_own_directory_offset),
    cmocka_unit_test(without_directory_4_only_checksum_is_skipped),
    cmocka_unit_test(trailing_data_is_hashed_up_to_the_table),
    cmocka_unit_test(sections_are_hashed_in_file_order),
    cmocka_unit_test(entries_are_walked_and_read),
    cmocka_unit_test(table_outside_file_or_over_data_is_refused),
    cmocka_unit_test(bad_entry_lengths_are_refused),
    cmocka_unit_test(gap_before_a_section_is_a_finding),
    cmocka_unit_test(misaligned_table_is_a_finding),
    cmocka_unit_test(bytes_after_the_table_are_a_finding),
    cmocka_unit_test(mapped_te_and_null_are_refused),
  };
  return cmocka_run_group_tests_name("pe_authenticode", tests, NULL, NULL);
}
