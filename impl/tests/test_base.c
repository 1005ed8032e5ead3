/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* Unit tests of impl/base: checked arithmetic, byte views, memory ops, CRC32,
 * GUIDs, the formatter and the status/reason tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rtprm/bytes.h"
#include "rtprm/crc32.h"
#include "rtprm/fmt.h"
#include "rtprm/guid.h"
#include "rtprm/mem.h"
#include "rtprm/overflow.h"
#include "rtprm/acpi_tables.h"
#include "rtprm/status.h"

/* ---- overflow ---- */
static void add_and_mul_detect_overflow(void **state) {
  (void)state;
  uint64_t r64;
  uint32_t r32;
  assert_true(rp_add_u64(UINT64_MAX - 1, 1, &r64));
  assert_int_equal(r64, UINT64_MAX);
  assert_false(rp_add_u64(UINT64_MAX, 1, &r64));
  assert_true(rp_add_u32(0xFFFFFFF0u, 0xF, &r32));
  assert_false(rp_add_u32(0xFFFFFFF0u, 0x10, &r32));
  assert_false(rp_sub_u64(0, 1, &r64));
  assert_true(rp_mul_u64(1ull << 32, (1ull << 32) - 1, &r64));
  assert_false(rp_mul_u64(1ull << 32, 1ull << 32, &r64));
}

static void align_up_rejects_bad_alignment_and_overflow(void **state) {
  (void)state;
  uint64_t r = 0;
  assert_true(rp_align_up_u64(0x1001, 0x1000, &r));
  assert_int_equal(r, 0x2000);
  assert_true(rp_align_up_u64(0x2000, 0x1000, &r));
  assert_int_equal(r, 0x2000);
  assert_false(rp_align_up_u64(UINT64_MAX, 8, &r));
  assert_false(rp_align_up_u64(16, 0, &r));
  assert_false(rp_align_up_u64(16, 12, &r));
  assert_true(rp_is_aligned_u64(0x3000, 0x1000));
  assert_false(rp_is_aligned_u64(0x3008, 0x1000));
}

static void page_range_last_allows_top_of_space(void **state) {
  (void)state;
  uint64_t last;
  assert_true(rp_page_range_last(0xFFFFFFFFFFFFF000ull, 1, &last));
  assert_int_equal(last, UINT64_MAX);
  assert_false(rp_page_range_last(0xFFFFFFFFFFFFF000ull, 2, &last));
  assert_true(rp_page_range_last(0, 1ull << 52, &last));
  assert_int_equal(last, UINT64_MAX);
  assert_false(rp_page_range_last(0, (1ull << 52) + 1, &last));
  assert_false(rp_page_range_last(0x1000, 0, &last));
}

/* ---- byte views ---- */
static void views_reject_out_of_bounds_reads(void **state) {
  (void)state;
  const uint8_t buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
  rp_bytes b = rp_bytes_of(buf, sizeof(buf)), sub;
  uint64_t v64;
  uint32_t v32;
  uint16_t v16;
  assert_true(rp_read_u64(b, 0, &v64));
  assert_int_equal(v64, 0x0807060504030201ull);
  assert_false(rp_read_u64(b, 1, &v64));
  assert_true(rp_read_u32(b, 4, &v32));
  assert_int_equal(v32, 0x08070605u);
  assert_false(rp_read_u32(b, 5, &v32));
  assert_true(rp_read_u16(b, 6, &v16));
  assert_false(rp_read_u16(b, UINT64_MAX, &v16)); /* offset + width wraps */
  assert_true(rp_bytes_sub(b, 2, 6, &sub));
  assert_int_equal(sub.len, 6);
  assert_false(rp_bytes_sub(b, 2, 7, &sub));
  assert_false(rp_bytes_sub(b, 9, 0, &sub));
  assert_true(rp_bytes_sub(b, 8, 0, &sub)); /* an empty view at the end */
  assert_int_equal(rp_bytes_of(NULL, 99).len, 0);
}

static void views_write_little_endian_in_bounds_only(void **state) {
  (void)state;
  uint8_t buf[10];
  memset(buf, 0xEE, sizeof(buf));
  rp_mbytes m = rp_mbytes_of(buf, 8);
  assert_true(rp_write_u64(m, 0, 0x1122334455667788ull));
  assert_int_equal(buf[0], 0x88);
  assert_int_equal(buf[7], 0x11);
  assert_false(rp_write_u32(m, 6, 0));
  assert_false(rp_write_u16(m, 7, 0));
  assert_int_equal(buf[8], 0xEE); /* nothing written past the view */
  assert_true(rp_write_u16(m, 6, 0xABCD));
  assert_int_equal(buf[6], 0xCD);
}

static void strnlen_stays_in_window(void **state) {
  (void)state;
  const char s[] = { 'a', 'b', 0, 'c', 'd' };
  rp_bytes b = rp_bytes_of(s, sizeof(s));
  size_t len;
  assert_true(rp_strnlen_at(b, 0, 128, &len));
  assert_int_equal(len, 2);
  assert_false(rp_strnlen_at(b, 3, 128, &len)); /* runs off the view */
  assert_false(rp_strnlen_at(b, 0, 2, &len));   /* NUL outside the window */
  assert_false(rp_strnlen_at(b, 6, 1, &len));
}

static void sub_views_and_struct_reads_are_bounded(void **state) {
  (void)state;
  uint8_t buf[6] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66 };
  rp_mbytes m = rp_mbytes_of(buf, sizeof(buf)), msub;
  uint8_t b8, out[4];
  assert_true(rp_mbytes_sub(m, 4, 2, &msub));
  assert_ptr_equal(msub.ptr, buf + 4);
  assert_false(rp_mbytes_sub(m, 5, 2, &msub));
  assert_false(rp_mbytes_sub(m, UINT64_MAX, 2, &msub));
  rp_bytes b = rp_bytes_const(m);
  assert_true(rp_read_u8(b, 5, &b8));
  assert_int_equal(b8, 0x66);
  assert_false(rp_read_u8(b, 6, &b8));
  assert_true(rp_read_bytes(b, 2, out, 4));
  assert_memory_equal(out, buf + 2, 4);
  assert_false(rp_read_bytes(b, 3, out, 4));
  assert_int_equal(rp_mbytes_of(NULL, 5).len, 0);
}

/* ---- memory ---- */
static void memmove_handles_overlap_both_ways(void **state) {
  (void)state;
  char a[] = "0123456789";
  rp_memmove(a + 2, a, 5);
  assert_string_equal(a, "0101234789");
  char b[] = "0123456789";
  rp_memmove(b, b + 3, 5);
  assert_string_equal(b, "3456756789");
  char c[] = "abc";
  assert_ptr_equal(rp_memmove(c, c, 3), c); /* same buffer: nothing to do */
  assert_ptr_equal(rp_memmove(c, c + 1, 0), c);
  assert_string_equal(c, "abc");
  assert_ptr_equal(rp_memset(c, 'z', 2), c);
  assert_string_equal(c, "zzc");
  assert_int_equal(rp_memcmp("abc", "abd", 3), -1);
  assert_int_equal(rp_memcmp("abd", "abc", 3), 1);
  assert_int_equal(rp_strcmp("abc", "abc"), 0);
  assert_true(rp_strcmp("ab", "abc") < 0);
  assert_int_equal(rp_strlen(""), 0);
}

/* ---- CRC32 ---- */
static void crc32_matches_check_values(void **state) {
  (void)state;
  assert_int_equal(rp_crc32("123456789", 9), 0xCBF43926u);
  assert_int_equal(rp_crc32("", 0), 0);
  const char *fox = "The quick brown fox jumps over the lazy dog";
  assert_int_equal(rp_crc32(fox, strlen(fox)), 0x414FA339u);
  uint32_t c = rp_crc32_update(0, fox, 10);
  c = rp_crc32_update(c, fox + 10, strlen(fox) - 10);
  assert_int_equal(c, 0x414FA339u);
}

/* ---- GUID ---- */
static void guid_round_trips_and_rejects_bad_text(void **state) {
  (void)state;
  const char *text = "B7DFB4E1-052F-449F-87BE-9818FC91B733";
  EFI_GUID g, zero = { 0 };
  char out[RP_GUID_TEXT_LEN + 1];
  rp_diag d;
  assert_int_equal(rp_guid_parse(text, strlen(text), &g, &d), EFI_SUCCESS);
  assert_int_equal(g.Data1, 0xB7DFB4E1u);
  assert_int_equal(g.Data2, 0x052F);
  assert_int_equal(g.Data4[0], 0x87);
  assert_int_equal(g.Data4[7], 0x33);
  rp_guid_format(&g, out);
  assert_string_equal(out, text);
  assert_int_equal(rp_guid_parse("b7dfb4e1-052f-449f-87be-9818fc91b733", 36, &zero, NULL), EFI_SUCCESS);
  assert_true(rp_guid_equal(&g, &zero));
  assert_false(rp_guid_is_zero(&g));
  assert_int_equal(rp_guid_parse("B7DFB4E1-052F-449F-87BE-9818FC91B73", 35, &g, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_BAD_GUID_TEXT);
  assert_int_equal(rp_guid_parse("B7DFB4E1+052F-449F-87BE-9818FC91B733", 36, &g, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.index, 8);
  assert_int_equal(rp_guid_parse("B7DFB4E1-052F-449F-87BE-9818FC91B7G3", 36, &g, &d), EFI_INVALID_PARAMETER);
  /* Characters just outside each hex range: '/' ':' '@' 'G' '`' 'g'. */
  const char *edges = "/:@G`g";
  for (const char *e = edges; *e; e++) {
    char t[37];
    memcpy(t, "B7DFB4E1-052F-449F-87BE-9818FC91B733", 37);
    t[35] = *e;
    assert_int_equal(rp_guid_parse(t, 36, &g, &d), EFI_INVALID_PARAMETER);
    assert_int_equal(d.index, 24);
  }
  assert_int_equal(rp_guid_parse(text, 36, NULL, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(rp_guid_parse(NULL, 36, &g, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_NULL_ARGUMENT);
}

/* ---- formatter ---- */
/* No format attribute: lets the test feed conversions the compiler rejects. */
static size_t fmt_unchecked(char *out, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  size_t n = rp_vsnprintf(out, cap, fmt, ap);
  va_end(ap);
  return n;
}

static void fmt_formats_and_truncates(void **state) {
  (void)state;
  char buf[64];
  assert_int_equal(rp_snprintf(buf, sizeof(buf), "%s=%d/%u/%x/%X", "v", -42, 42u, 0xabcu, 0xabcu), 16);
  assert_string_equal(buf, "v=-42/42/abc/ABC");
  rp_snprintf(buf, sizeof(buf), "[%016llx][%-4s][%4d][%zu][%%][%c]", 0x1234ull, "ab", 7, (size_t)99, 'Z');
  assert_string_equal(buf, "[0000000000001234][ab  ][   7][99][%][Z]");
  rp_snprintf(buf, sizeof(buf), "%lld %hhu %hd", (long long)INT64_MIN, (unsigned char)44, (short)-1);
  assert_string_equal(buf, "-9223372036854775808 44 -1");
  assert_int_equal(rp_snprintf(buf, 5, "%s", "abcdefgh"), 8); /* would-be length */
  assert_string_equal(buf, "abcd");
  rp_snprintf(buf, sizeof(buf), "%s", (const char *)NULL);
  assert_string_equal(buf, "(null)");
  rp_snprintf(buf, sizeof(buf), "%p", (void *)0x10);
  assert_string_equal(buf, "0x10");
  fmt_unchecked(buf, sizeof(buf), "%lu|%lx|%li|%hx|%zx|%-5u|%q|", 7ul, 0xfful, -3l, (unsigned short)0xbeef, (size_t)16, 3u);
  assert_string_equal(buf, "7|ff|-3|beef|10|3    |%q|");
  assert_int_equal(rp_snprintf(buf, 0, "abc"), 3); /* cap 0: nothing written */
  fmt_unchecked(buf, sizeof(buf), "end%");
  assert_string_equal(buf, "end");
}

/* ---- status + reasons ---- */
static void reasons_have_names_texts_and_lookup(void **state) {
  (void)state;
  rp_reason r;
  assert_string_equal(rp_reason_name(RP_R_MEMMAP_NULL), "MEMMAP_NULL");
  assert_int_equal(RP_R_MEMMAP_NULL, 0x0101);
  assert_string_equal(rp_reason_name((rp_reason)0x7777), "UNKNOWN");
  assert_true(rp_reason_from_name("MEMMAP_ZERO_PAGES", &r));
  assert_int_equal(r, RP_R_MEMMAP_ZERO_PAGES);
  assert_false(rp_reason_from_name("NO_SUCH_REASON", &r));
  assert_string_equal(rp_status_name(EFI_NOT_FOUND), "EFI_NOT_FOUND");
  assert_string_equal(rp_status_name(EFIERR(0x55)), "EFI_STATUS(?)");
  assert_true(EFI_ERROR(EFI_NO_MAPPING));
  assert_false(EFI_ERROR(EFI_SUCCESS));
}

static void diag_records_and_clears(void **state) {
  (void)state;
  rp_diag d;
  assert_int_equal(rp_diag_set(&d, EFI_UNSUPPORTED, RP_R_OUT_OF_BOUNDS, 7, "x.c", 12), EFI_UNSUPPORTED);
  assert_int_equal(d.reason, RP_R_OUT_OF_BOUNDS);
  assert_int_equal(d.index, 7);
  assert_int_equal(d.line, 12);
  rp_diag_clear(&d);
  assert_int_equal(d.reason, RP_R_NONE);
  assert_int_equal(d.index, RP_DIAG_NO_INDEX);
  assert_int_equal(rp_diag_set(NULL, EFI_ABORTED, RP_R_NONE, 0, NULL, 0), EFI_ABORTED);
  rp_diag_clear(NULL);
}

/* ---- SPCR console UART ---- */
/* An SPCR as QEMU's -M virt builds it (80 bytes, PL011 at 0x09000000). */
static void spcr_make(uint8_t *t, uint32_t len, uint8_t type, uint8_t space, uint64_t base) {
  memset(t, 0, 80);
  memcpy(t, "SPCR", 4);
  memcpy(t + 4, &len, 4);
  t[8] = 2;
  t[36] = type;
  t[40] = space;
  t[41] = 8;
  t[43] = 1;
  memcpy(t + 44, &base, 8);
  t[9] = rp_acpi_checksum(rp_bytes_of(t, len <= 80 ? len : 80));
}

static void spcr_expect(const uint8_t *t, size_t avail, EFI_STATUS want, rp_reason why, uint64_t index) {
  rp_spcr_uart u = {0xAA, 0x1234};
  rp_diag d;
  assert_int_equal(rp_spcr_uart_of(rp_bytes_of(t, avail), &u, &d), want);
  assert_int_equal(d.reason, why);
  assert_int_equal(d.index, index);
  assert_int_equal(u.interface_type, 0xAA); /* nothing written on a refusal */
  assert_int_equal(u.base, 0x1234);
}

static void spcr_finds_pl011_and_sbsa_uarts(void **state) {
  (void)state;
  static const uint8_t types[] = {RP_SPCR_IF_PL011, RP_SPCR_IF_SBSA_32BIT, RP_SPCR_IF_SBSA_GENERIC};
  uint8_t t[96];
  for (size_t i = 0; i < sizeof(types); i++) {
    rp_spcr_uart u = {0, 0};
    rp_diag d;
    spcr_make(t, 80, types[i], EFI_ACPI_ADDRESS_SPACE_SYSTEM_MEMORY, 0x09000000u);
    rp_diag_set(&d, EFI_ABORTED, RP_R_SPCR_TABLE, 7, NULL, 1);
    assert_int_equal(rp_spcr_uart_of(rp_bytes_of(t, sizeof(t)), &u, &d), EFI_SUCCESS);
    assert_int_equal(u.interface_type, types[i]);
    assert_int_equal(u.base, 0x09000000u);
    assert_int_equal(d.reason, RP_R_NONE); /* success leaves a clean diagnostic */
    assert_int_equal(d.index, RP_DIAG_NO_INDEX);
  }
  /* The shortest table that still holds the base address. */
  spcr_make(t, RP_SPCR_MIN_LENGTH, RP_SPCR_IF_PL011, 0, 0x09000000u);
  rp_spcr_uart u = {0, 0};
  assert_int_equal(rp_spcr_uart_of(rp_bytes_of(t, RP_SPCR_MIN_LENGTH), &u, NULL), EFI_SUCCESS);
  assert_int_equal(u.base, 0x09000000u);
}

static void spcr_refuses_bad_tables_and_uarts(void **state) {
  (void)state;
  uint8_t t[96];
  spcr_expect(NULL, 80, EFI_INVALID_PARAMETER, RP_R_NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  spcr_make(t, 80, RP_SPCR_IF_PL011, 0, 0x09000000u);
  assert_int_equal(rp_spcr_uart_of(rp_bytes_of(t, 80), NULL, NULL), EFI_INVALID_PARAMETER);
  spcr_expect(t, 79, EFI_VOLUME_CORRUPTED, RP_R_SPCR_TABLE, 0); /* Length beyond the buffer */
  spcr_expect(t, 3, EFI_VOLUME_CORRUPTED, RP_R_SPCR_TABLE, 0);  /* no room for the signature */
  spcr_expect(t, 6, EFI_VOLUME_CORRUPTED, RP_R_SPCR_TABLE, 0);  /* ... or for the Length */
  t[0] = 'X';
  spcr_expect(t, 80, EFI_VOLUME_CORRUPTED, RP_R_SPCR_TABLE, 0);
  spcr_make(t, RP_SPCR_MIN_LENGTH - 1, RP_SPCR_IF_PL011, 0, 0x09000000u);
  spcr_expect(t, 80, EFI_VOLUME_CORRUPTED, RP_R_SPCR_TABLE, 0);
  spcr_make(t, 80, RP_SPCR_IF_PL011, 0, 0x09000000u);
  t[9]++;
  spcr_expect(t, 80, EFI_VOLUME_CORRUPTED, RP_R_SPCR_TABLE, 0);
  spcr_make(t, 80, 0x00 /* 16550 */, 0, 0x09000000u);
  spcr_expect(t, 80, EFI_UNSUPPORTED, RP_R_SPCR_INTERFACE, RP_SPCR_OFF_INTERFACE);
  spcr_make(t, 80, RP_SPCR_IF_PL011, EFI_ACPI_ADDRESS_SPACE_SYSTEM_IO, 0x3F8u);
  spcr_expect(t, 80, EFI_UNSUPPORTED, RP_R_SPCR_ADDRESS, RP_SPCR_OFF_BASE);
  spcr_make(t, 80, RP_SPCR_IF_PL011, 0, 0);
  spcr_expect(t, 80, EFI_UNSUPPORTED, RP_R_SPCR_ADDRESS, RP_SPCR_OFF_BASE);
  spcr_make(t, 80, RP_SPCR_IF_PL011, 0, 0x09000002u);
  spcr_expect(t, 80, EFI_UNSUPPORTED, RP_R_SPCR_ADDRESS, RP_SPCR_OFF_BASE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(add_and_mul_detect_overflow),
    cmocka_unit_test(align_up_rejects_bad_alignment_and_overflow),
    cmocka_unit_test(page_range_last_allows_top_of_space),
    cmocka_unit_test(views_reject_out_of_bounds_reads),
    cmocka_unit_test(views_write_little_endian_in_bounds_only),
    cmocka_unit_test(strnlen_stays_in_window),
    cmocka_unit_test(sub_views_and_struct_reads_are_bounded),
    cmocka_unit_test(memmove_handles_overlap_both_ways),
    cmocka_unit_test(crc32_matches_check_values),
    cmocka_unit_test(guid_round_trips_and_rejects_bad_text),
    cmocka_unit_test(fmt_formats_and_truncates),
    cmocka_unit_test(reasons_have_names_texts_and_lookup),
    cmocka_unit_test(diag_records_and_clears),
    cmocka_unit_test(spcr_finds_pl011_and_sbsa_uarts),
    cmocka_unit_test(spcr_refuses_bad_tables_and_uarts),
  };
  return cmocka_run_group_tests_name("base", tests, NULL, NULL);
}
