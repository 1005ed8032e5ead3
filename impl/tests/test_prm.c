/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Unit tests of the PRM core (impl/prm/): module validation on real images
 * (lld x64/AArch64, GNU ld, generated) in FILE and MAPPED layout, module
 * sets, PRMT build -> check round trips with both consumer walks, the u16
 * and 0-module policies, checker rejections, context / data buffers, MMIO
 * ranges and their conversion, allocation failures and leak counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rtprm/guid.h"
#include "rtprm/spec/pecoff.h"
#include "rtprm/platform.h"
#include "rtprm/host/platform_host.h"
#include "rtprm/prm_core.h"

#ifndef RTPRM_CORPUS_DIR
#error "RTPRM_CORPUS_DIR must name corpus/"
#endif

static const EFI_GUID PLATFORM = { 0xc29bb610, 0x84f9, 0x448d, { 0xa7, 0xdd, 0x5a, 0x04, 0xc5, 0xa5, 0x4f, 0x52 } };
static rp_pe_image g_img;

static uint8_t *read_corpus(const char *rel, size_t *len) {
  char path[512];
  snprintf(path, sizeof(path), "%s/%s", RTPRM_CORPUS_DIR, rel);
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *b = malloc((size_t)n + 1);
  assert_non_null(b);
  assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *len = (size_t)n;
  return b;
}

static EFI_GUID guid_n(uint32_t n) {
  EFI_GUID g = { n, 0x1234, 0x4567, { 0x89, 0xab, 0xcd, 0xef, 0, 0, 0, (uint8_t)(n >> 24) } };
  return g;
}

/* ---- module validation ---------------------------------------------------------- */

static void validate_file(const char *rel, uint16_t machine, uint32_t handlers, uint16_t major, uint16_t minor) {
  size_t len;
  uint8_t *b = read_corpus(rel, &len);
  uint8_t *copy = malloc(len);
  memcpy(copy, b, len);
  rp_prm_module m, mm;
  rp_diag d;
  rp_host_alloc_reset();
  assert_int_equal(rp_pe_parse(rp_bytes_of(b, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &g_img, &d), EFI_SUCCESS);
  assert_int_equal(rp_prm_module_validate(&g_img, &PLATFORM, &m, &d), EFI_SUCCESS);
  assert_int_equal(d.reason, RP_R_NONE);
  assert_int_equal(m.machine, machine);
  assert_int_equal(m.handler_count, handlers);
  assert_int_equal(m.major, major);
  assert_int_equal(m.minor, minor);
  assert_true(rp_guid_equal(&m.platform_guid, &PLATFORM));
  for (uint32_t i = 0; i < m.handler_count; i++) {
    assert_true(m.handlers[i].rva != 0);
    assert_true(strlen(m.handlers[i].name) > 0);
  }
  /* MAPPED: identical result. */
  uint8_t *map = calloc(1, g_img.size_of_image);
  assert_int_equal(rp_pe_load(&g_img, rp_mbytes_of(map, g_img.size_of_image), &d), EFI_SUCCESS);
  static rp_pe_image mimg;
  assert_int_equal(rp_pe_parse(rp_bytes_of(map, g_img.size_of_image), RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT, &mimg, &d), EFI_SUCCESS);
  assert_int_equal(rp_prm_module_validate(&mimg, &PLATFORM, &mm, &d), EFI_SUCCESS);
  assert_int_equal(mm.handler_count, m.handler_count);
  assert_memory_equal(&mm.module_guid, &m.module_guid, sizeof(EFI_GUID));
  assert_memory_equal(mm.handlers, m.handlers, m.handler_count * sizeof(rp_prm_handler));
  assert_memory_equal(b, copy, len); /* validators never write */
  rp_prm_module_free(&mm);
  rp_prm_module_free(&m);
  assert_null(m.handlers);
  assert_int_equal(rp_host_alloc_outstanding(), 0);
  free(map);
  free(copy);
  free(b);
}

static void module_lld_x64(void **state) {
  (void)state;
  validate_file("prm/seed-lld-x64-context.efi", IMAGE_FILE_MACHINE_AMD64, 3, 1, 0);
  validate_file("prm/seed-lld-x64-mmio.efi", IMAGE_FILE_MACHINE_AMD64, 2, 1, 2);
}

static void module_lld_aa64(void **state) {
  (void)state;
  validate_file("prm/seed-lld-aa64-context.efi", IMAGE_FILE_MACHINE_ARM64, 3, 1, 0);
  validate_file("prm/seed-lld-aa64-mmio.efi", IMAGE_FILE_MACHINE_ARM64, 2, 1, 2);
}

static void module_gnu_ld(void **state) {
  (void)state;
  validate_file("prm/seed-mingw-x64-prm.efi", IMAGE_FILE_MACHINE_AMD64, 2, 1, 3);
  validate_file("prm/seed-gen-x64-eight-handlers.efi", IMAGE_FILE_MACHINE_AMD64, 8, 1, 0);
}

static void module_handler_names_resolve(void **state) {
  (void)state;
  size_t len;
  uint8_t *b = read_corpus("prm/seed-lld-x64-context.efi", &len);
  rp_prm_module m;
  rp_pe_exports e;
  rp_pe_export x;
  assert_int_equal(rp_pe_parse(rp_bytes_of(b, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &g_img, NULL), EFI_SUCCESS);
  assert_int_equal(rp_prm_module_validate(&g_img, NULL, &m, NULL), EFI_SUCCESS);
  assert_int_equal(rp_pe_exports_parse(&g_img, &e, NULL), EFI_SUCCESS);
  assert_string_equal(m.handlers[0].name, "PrmSampleDebugConHello");
  assert_string_equal(m.handlers[2].name, "PrmSampleCheckStaticData");
  for (uint32_t i = 0; i < m.handler_count; i++) {
    assert_int_equal(rp_pe_export_find(&g_img, &e, m.handlers[i].name, &x, NULL), EFI_SUCCESS);
    assert_int_equal(x.rva, m.handlers[i].rva);
  }
  rp_prm_module_free(&m);
  free(b);
}

/* Every allocation failure leaves *out zeroed and nothing allocated. */
static void module_alloc_failure(void **state) {
  (void)state;
  size_t len;
  uint8_t *b = read_corpus("prm/seed-mingw-x64-prm.efi", &len);
  rp_prm_module m;
  rp_diag d;
  assert_int_equal(rp_pe_parse(rp_bytes_of(b, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &g_img, NULL), EFI_SUCCESS);
  rp_host_alloc_reset();
  rp_host_fail_nth(1);
  memset(&m, 0xA5, sizeof(m));
  assert_int_equal(rp_prm_module_validate(&g_img, NULL, &m, &d), EFI_OUT_OF_RESOURCES);
  assert_int_equal(d.reason, RP_R_OUT_OF_RESOURCES);
  assert_null(m.handlers);
  assert_int_equal(m.handler_count, 0);
  assert_int_equal(rp_host_alloc_outstanding(), 0);
  rp_host_alloc_reset();
  free(b);
}

static void module_rejections_leave_nothing(void **state) {
  (void)state;
  static const struct { const char *file; rp_reason r; } rows[] = {
    { "prm-malformed/handler-not-exported.efi", RP_R_PRM_HANDLER_NOT_EXPORTED },
    { "prm-malformed/descriptor-name-prefix.efi", RP_R_PRM_DESCRIPTOR_NOT_EXPORTED },
    { "prm-malformed/handler-guid-duplicate.efi", RP_R_PRM_HANDLER_GUID_DUPLICATE },
    { "prm-malformed/handler-in-data.efi", RP_R_PRM_HANDLER_NOT_CODE },
    { "prm-malformed/platform-guid-other.efi", RP_R_PRM_PLATFORM_GUID_MISMATCH },
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    size_t len;
    uint8_t *b = read_corpus(rows[i].file, &len);
    rp_prm_module m;
    rp_diag d;
    rp_host_alloc_reset();
    assert_int_equal(rp_pe_parse(rp_bytes_of(b, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &g_img, NULL), EFI_SUCCESS);
    assert_true(EFI_ERROR(rp_prm_module_validate(&g_img, &PLATFORM, &m, &d)));
    assert_int_equal(d.reason, rows[i].r);
    assert_null(m.handlers);
    assert_int_equal(rp_host_alloc_outstanding(), 0);
    free(b);
  }
  assert_int_equal(rp_prm_module_validate(NULL, NULL, NULL, NULL), EFI_INVALID_PARAMETER);
}

/* ---- module sets ------------------------------------------------------------------ */

static void module_set_duplicates(void **state) {
  (void)state;
  rp_prm_handler h[4] = { { guid_n(10), "a", 1 }, { guid_n(11), "b", 2 }, { guid_n(12), "c", 3 }, { guid_n(13), "d", 4 } };
  rp_prm_module mods[3] = {
    { guid_n(1), PLATFORM, 1, 0, 0, 0, 2, &h[0] },
    { guid_n(2), PLATFORM, 1, 0, 0, 0, 1, &h[2] },
    { guid_n(3), PLATFORM, 1, 0, 0, 0, 1, &h[3] },
  };
  rp_diag d;
  rp_host_alloc_reset();
  assert_int_equal(rp_prm_module_set_check(mods, 3, &d), EFI_SUCCESS);
  mods[2].module_guid = guid_n(1);
  assert_int_equal(rp_prm_module_set_check(mods, 3, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRM_MODULE_GUID_DUPLICATE);
  assert_int_equal(d.index, 2);
  mods[2].module_guid = guid_n(3);
  h[3].guid = guid_n(11); /* module 2's handler = module 0's handler 1 */
  assert_int_equal(rp_prm_module_set_check(mods, 3, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRM_HANDLER_GUID_CONFLICT);
  assert_int_equal(d.index, 2);
  h[3].guid = guid_n(13);
  rp_host_alloc_reset();
  rp_host_fail_nth(1);
  assert_int_equal(rp_prm_module_set_check(mods, 3, &d), EFI_OUT_OF_RESOURCES);
  rp_host_alloc_reset();
  assert_int_equal(rp_prm_module_set_check(NULL, 0, &d), EFI_SUCCESS);
  assert_int_equal(rp_host_alloc_outstanding(), 0);
}

/* ---- PRMT build / check ------------------------------------------------------------ */

typedef struct {
  rp_prmt_handler_in h[8][64];
  rp_prmt_module_in  m[8];
  rp_prmt_build_in   in;
} table_spec;

static void make_spec(table_spec *s, uint32_t modules, uint32_t handlers) {
  memset(s, 0, sizeof(*s));
  rp_prmt_build_in_defaults(&s->in);
  s->in.platform_guid = PLATFORM;
  for (uint32_t i = 0; i < modules; i++) {
    for (uint32_t j = 0; j < handlers; j++) {
      s->h[i][j].guid = guid_n(1000 + i * 100 + j);
      s->h[i][j].address = 0x80000000ull + i * 0x10000 + j * 0x10;
      s->h[i][j].static_data_buffer = j == 0 ? 0x90000000ull + i * 0x1000 : 0;
      s->h[i][j].acpi_param_buffer = j == 1 ? 0xA0000000ull + i * 0x1000 : 0;
    }
    s->m[i] = (rp_prmt_module_in){ guid_n(i + 1), 1, (uint16_t)i, i == 0 ? 0xB0000000ull : 0, handlers, s->h[i] };
  }
  s->in.module_count = modules;
  s->in.modules = s->m;
}

/* Parses the table back and compares with the input field by field. */
static void assert_round_trip(const table_spec *s, const uint8_t *t, uint32_t n) {
  rp_prmt_info info;
  rp_diag d;
  rp_bytes b = rp_bytes_of(t, n);
  assert_int_equal(rp_prmt_check(b, &info, &d), EFI_SUCCESS);
  assert_true(info.walks_agree && info.checksum_ok);
  assert_int_equal(info.linux_modules, s->in.module_count);
  assert_int_equal(info.acpica_modules, s->in.module_count);
  assert_int_equal(info.module_offset, 60);
  assert_memory_equal(info.oem_id, s->in.oem_id, 6);
  uint64_t off = 60;
  for (uint32_t i = 0; i < s->in.module_count; i++) {
    rp_prmt_module_view m;
    assert_int_equal(rp_prmt_module_read(b, off, &m, NULL), EFI_SUCCESS);
    assert_memory_equal(&m.guid, &s->m[i].guid, 16);
    assert_int_equal(m.length, 38 + 44 * s->m[i].handler_count);
    assert_int_equal(m.handler_count, s->m[i].handler_count);
    assert_int_equal(m.minor, s->m[i].minor);
    assert_int_equal(m.mmio_ranges, s->m[i].mmio_ranges);
    for (uint32_t j = 0; j < m.handler_count; j++) {
      rp_prmt_handler_view h;
      assert_int_equal(rp_prmt_handler_read(b, off + 38 + 44ull * j, &h, NULL), EFI_SUCCESS);
      assert_memory_equal(&h.guid, &s->m[i].handlers[j].guid, 16);
      assert_int_equal(h.length, 44);
      assert_int_equal(h.address, s->m[i].handlers[j].address);
      assert_int_equal(h.static_data_buffer, s->m[i].handlers[j].static_data_buffer);
      assert_int_equal(h.acpi_param_buffer, s->m[i].handlers[j].acpi_param_buffer);
    }
    off += m.length;
  }
  assert_int_equal(off, n);
}

static void prmt_round_trip(void **state) {
  (void)state;
  static table_spec s;
  for (uint32_t mods = 1; mods <= 8; mods += 3) {
    for (uint32_t hs = 1; hs <= 64; hs *= 4) {
      uint8_t *t;
      uint32_t n;
      make_spec(&s, mods, hs);
      rp_host_alloc_reset();
      assert_int_equal(rp_prmt_build_alloc(&s.in, &t, &n, NULL), EFI_SUCCESS);
      assert_int_equal(n, 60 + mods * (38 + 44 * hs));
      assert_round_trip(&s, t, n);
      rp_plat_free_pool(t);
      assert_int_equal(rp_host_alloc_outstanding(), 0);
    }
  }
}

static void prmt_build_alloc_failures(void **state) {
  (void)state;
  static table_spec s;
  make_spec(&s, 3, 4);
  for (uint64_t k = 1; k <= 8; k++) {
    uint8_t *t = (uint8_t *)1;
    uint32_t n = 7;
    rp_diag d;
    rp_host_alloc_reset();
    rp_host_fail_nth(k);
    EFI_STATUS st = rp_prmt_build_alloc(&s.in, &t, &n, &d);
    if (rp_host_alloc_failures() == 0) {
      assert_int_equal(st, EFI_SUCCESS);
      rp_plat_free_pool(t);
      break;
    }
    assert_int_equal(st, EFI_OUT_OF_RESOURCES);
    assert_null(t);
    assert_int_equal(n, 0);
    assert_int_equal(rp_host_alloc_outstanding(), 0);
  }
  rp_host_alloc_reset();
}

static void prmt_build_rejections(void **state) {
  (void)state;
  static table_spec s;
  uint8_t buf[4096];
  uint32_t n;
  rp_diag d;
  make_spec(&s, 2, 2);
  memset(buf, 0x5A, sizeof(buf));
  /* Too small an output buffer: nothing written. */
  assert_int_equal(rp_prmt_build(&s.in, rp_mbytes_of(buf, 100), &n, &d), EFI_BUFFER_TOO_SMALL);
  assert_int_equal(buf[0], 0x5A);
  s.h[1][1].address = 0;
  assert_int_equal(rp_prmt_size(&s.in, &n, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRMT_HANDLER_ADDRESS_ZERO);
  assert_int_equal(d.index, 1);
  make_spec(&s, 2, 2);
  s.h[1][0].guid = s.h[0][1].guid;
  assert_int_equal(rp_prmt_size(&s.in, &n, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRM_HANDLER_GUID_CONFLICT);
  make_spec(&s, 2, 2);
  s.m[1].guid = s.m[0].guid;
  assert_int_equal(rp_prmt_size(&s.in, &n, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRM_MODULE_GUID_DUPLICATE);
  make_spec(&s, 2, 2);
  s.m[0].guid = (EFI_GUID){ 0 };
  assert_int_equal(rp_prmt_size(&s.in, &n, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRM_MODULE_GUID_ZERO);
  make_spec(&s, 2, 2);
  s.m[1].handler_count = 0;
  assert_int_equal(rp_prmt_size(&s.in, &n, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRMT_HANDLER_COUNT_ZERO);
  make_spec(&s, 2, 2);
  s.in.platform_guid = (EFI_GUID){ 0 };
  assert_int_equal(rp_prmt_size(&s.in, &n, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRMT_PLATFORM_GUID_ZERO);
}

/* 1488 handlers: 38 + 44 * 1488 = 65510 fits; 1489 would wrap to 18. */
static void prmt_u16_limit(void **state) {
  (void)state;
  rp_prmt_handler_in *h = calloc(1489, sizeof(*h));
  rp_prmt_module_in m = { guid_n(1), 1, 0, 0, 1488, h };
  rp_prmt_build_in in;
  uint8_t *t;
  uint32_t n;
  rp_diag d;
  for (uint32_t i = 0; i < 1489; i++) h[i] = (rp_prmt_handler_in){ guid_n(5000 + i), 0x1000 + i, 0, 0 };
  rp_prmt_build_in_defaults(&in);
  in.platform_guid = PLATFORM;
  in.module_count = 1;
  in.modules = &m;
  assert_int_equal(rp_prmt_build_alloc(&in, &t, &n, &d), EFI_SUCCESS);
  assert_int_equal(n, 60 + 65510);
  assert_int_equal(rp_prmt_check(rp_bytes_of(t, n), NULL, &d), EFI_SUCCESS);
  rp_plat_free_pool(t);
  m.handler_count = 1489;
  assert_int_equal(rp_prmt_size(&in, &n, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRMT_HANDLER_LIMIT);
  assert_int_equal(d.index, 0);
  free(h);
}

/* Policy: 0 modules builds nothing unless asked; the empty table checks. */
static void prmt_zero_modules(void **state) {
  (void)state;
  rp_prmt_build_in in;
  uint8_t t[60];
  uint32_t n;
  rp_diag d;
  rp_prmt_info info;
  rp_prmt_build_in_defaults(&in);
  in.platform_guid = PLATFORM;
  assert_int_equal(rp_prmt_size(&in, &n, &d), EFI_NOT_FOUND);
  assert_int_equal(d.reason, RP_R_PRMT_NO_MODULES);
  in.allow_empty = true;
  assert_int_equal(rp_prmt_build(&in, rp_mbytes_of(t, sizeof(t)), &n, &d), EFI_SUCCESS);
  assert_int_equal(n, 60);
  assert_int_equal(rp_prmt_check(rp_bytes_of(t, n), &info, &d), EFI_SUCCESS);
  assert_int_equal(info.module_count, 0);
  assert_int_equal(info.linux_modules, 0);
}

/* Mutations of a good table: each gives its reason, never a crash. */
static void prmt_check_rejections(void **state) {
  (void)state;
  static table_spec s;
  uint8_t t[1024], m[1024];
  uint32_t n;
  rp_diag d;
  make_spec(&s, 2, 2);
  assert_int_equal(rp_prmt_build(&s.in, rp_mbytes_of(t, sizeof(t)), &n, NULL), EFI_SUCCESS);
  struct { uint32_t off; uint32_t width; uint64_t val; rp_reason r; } rows[] = {
    { 0, 4, 0x44525050, RP_R_PRMT_SIGNATURE },
    { 4, 4, 59, RP_R_PRMT_LENGTH },
    { 4, 4, 100000, RP_R_PRMT_LENGTH },
    { 8, 1, 1, RP_R_PRMT_REVISION },
    { 52, 4, 56, RP_R_PRMT_MODULE_OFFSET },
    { 52, 4, 64, RP_R_PRMT_MODULE_REVISION }, /* module 0 read at 64: GUID bytes as Revision */
    { 56, 4, 3, RP_R_PRMT_MODULE_RANGE },
    { 56, 4, 100, RP_R_PRMT_MODULE_COUNT },
    { 56, 4, 1, RP_R_PRMT_TRAILING_BYTES },
    { 60, 2, 1, RP_R_PRMT_MODULE_REVISION },
    { 62, 2, 100, RP_R_PRMT_MODULE_LENGTH },   /* module 1 then read mid-handler */
    { 62, 2, 37, RP_R_PRMT_MODULE_LENGTH },
    { 84, 2, 0, RP_R_PRMT_HANDLER_COUNT_ZERO },
    { 86, 4, 10, RP_R_PRMT_HANDLER_OFFSET },
    { 98, 2, 1, RP_R_PRMT_HANDLER_REVISION },
    { 100, 2, 48, RP_R_PRMT_HANDLER_LENGTH },
    { 118, 8, 0, RP_R_PRMT_HANDLER_ADDRESS_ZERO },
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    memcpy(m, t, n);
    for (uint32_t k = 0; k < rows[i].width; k++) m[rows[i].off + k] = (uint8_t)(rows[i].val >> (8 * k));
    m[9] = 0;
    m[9] = rp_acpi_checksum(rp_bytes_of(m, n));
    EFI_STATUS st = rp_prmt_check(rp_bytes_of(m, n), NULL, &d);
    if (d.reason != rows[i].r) fail_msg("row %zu: got %s, want %s", i, rp_reason_name(d.reason), rp_reason_name(rows[i].r));
    assert_true(EFI_ERROR(st));
  }
  memcpy(m, t, n);
  m[20] ^= 1;
  assert_int_equal(rp_prmt_check(rp_bytes_of(m, n), NULL, &d), EFI_CRC_ERROR);
  assert_int_equal(d.reason, RP_R_PRMT_CHECKSUM);
  assert_int_equal(rp_prmt_check(rp_bytes_of(t, 20), NULL, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRMT_TOO_SMALL);
  /* A buffer longer than Length (a padded dump) is fine. */
  assert_int_equal(rp_prmt_check(rp_bytes_of(t, n + 16), NULL, &d), EFI_SUCCESS);
}

/* HandlerInfoOffset 42 with Length padded to match: valid per field, but
 * ACPICA reads handlers at +38, so the walks disagree. */
static void prmt_walks_disagree_on_handler_offset(void **state) {
  (void)state;
  static table_spec s;
  uint8_t t[1024], m[1024];
  uint32_t n;
  rp_diag d;
  rp_prmt_info info;
  make_spec(&s, 1, 2);
  assert_int_equal(rp_prmt_build(&s.in, rp_mbytes_of(t, sizeof(t)), &n, NULL), EFI_SUCCESS);
  memcpy(m, t, 60 + 38);
  memset(m + 98, 0, 4);
  memcpy(m + 102, t + 98, n - 98);
  n += 4;
  m[4] = (uint8_t)n;
  m[62] = 38 + 88 + 4;
  m[86] = 42;
  m[9] = 0;
  m[9] = rp_acpi_checksum(rp_bytes_of(m, n));
  assert_int_equal(rp_prmt_check(rp_bytes_of(m, n), &info, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRMT_WALK_DISAGREE);
  assert_int_equal(info.linux_modules, 1);
  assert_false(info.walks_agree);
  /* Length padded by 4 bytes after the handlers: Linux strides by Length,
   * ACPICA by 38 + 44n. */
  memcpy(m, t, n - 4);
  memset(m + n - 4, 0, 4);
  m[4] = (uint8_t)n;
  m[62] = 38 + 88 + 4;
  m[9] = 0;
  m[9] = rp_acpi_checksum(rp_bytes_of(m, n));
  assert_int_equal(rp_prmt_check(rp_bytes_of(m, n), &info, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRMT_WALK_DISAGREE);
  assert_int_equal(info.acpica_modules, 1);
}

static void prmt_check_duplicates_and_alloc(void **state) {
  (void)state;
  static table_spec s;
  uint8_t t[1024];
  uint32_t n;
  rp_diag d;
  make_spec(&s, 2, 2);
  assert_int_equal(rp_prmt_build(&s.in, rp_mbytes_of(t, sizeof(t)), &n, NULL), EFI_SUCCESS);
  rp_host_alloc_reset();
  rp_host_fail_nth(2);
  assert_int_equal(rp_prmt_check(rp_bytes_of(t, n), NULL, &d), EFI_OUT_OF_RESOURCES);
  assert_int_equal(rp_host_alloc_outstanding(), 0);
  rp_host_alloc_reset();
  memcpy(t + 60 + 126 + 4, t + 60 + 4, 16); /* module 1 GUID = module 0 GUID */
  t[9] = 0;
  t[9] = rp_acpi_checksum(rp_bytes_of(t, n));
  assert_int_equal(rp_prmt_check(rp_bytes_of(t, n), NULL, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRM_MODULE_GUID_DUPLICATE);
  assert_int_equal(d.index, 1);
}

static void prmt_from_modules(void **state) {
  (void)state;
  size_t len;
  uint8_t *b = read_corpus("prm/seed-mingw-x64-prm.efi", &len);
  rp_prm_module m;
  rp_prmt_handler_in h[2];
  rp_diag d;
  assert_int_equal(rp_pe_parse(rp_bytes_of(b, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &g_img, NULL), EFI_SUCCESS);
  assert_int_equal(rp_prm_module_validate(&g_img, &PLATFORM, &m, NULL), EFI_SUCCESS);
  assert_int_equal(rp_prmt_handlers_of(&m, 0x7F000000, h, &d), EFI_SUCCESS);
  assert_int_equal(h[0].address, 0x7F000000ull + m.handlers[0].rva);
  assert_int_equal(rp_prmt_handlers_of(&m, UINT64_MAX - 16, h, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRM_LOAD_ADDRESS);
  rp_prm_module_free(&m);
  free(b);
}

/* ---- context, data buffers, MMIO ------------------------------------------------------ */

static void context_buffers(void **state) {
  (void)state;
  PRM_CONTEXT_BUFFER c;
  EFI_GUID g = guid_n(7);
  rp_diag d;
  rp_prm_context_init(&c, &g, NULL, NULL);
  assert_int_equal(c.Signature, PRM_CONTEXT_BUFFER_SIGNATURE);
  assert_int_equal(rp_prm_context_validate(rp_bytes_of(&c, sizeof(c)), 0, &d), EFI_SUCCESS);
  assert_int_equal(rp_prm_context_validate(rp_bytes_of(&c, 39), 0, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRM_CONTEXT_SIZE);
  c.Version = 0; /* Linux */
  assert_int_equal(rp_prm_context_validate(rp_bytes_of(&c, sizeof(c)), 0, &d), EFI_UNSUPPORTED);
  assert_int_equal(d.reason, RP_R_PRM_CONTEXT_VERSION);
  assert_int_equal(rp_prm_context_validate(rp_bytes_of(&c, sizeof(c)), RP_PRM_CONTEXT_ACCEPT_V0, &d), EFI_SUCCESS);
  c.Version = 2;
  assert_int_equal(rp_prm_context_validate(rp_bytes_of(&c, sizeof(c)), RP_PRM_CONTEXT_ACCEPT_V0, &d), EFI_UNSUPPORTED);
  c.Version = 1;
  c.Signature = PRM_DATA_BUFFER_HEADER_SIGNATURE;
  assert_int_equal(rp_prm_context_validate(rp_bytes_of(&c, sizeof(c)), 0, &d), EFI_NOT_FOUND);
  assert_int_equal(d.reason, RP_R_PRM_CONTEXT_SIGNATURE);
  rp_prm_context_init(&c, NULL, NULL, NULL);
  assert_int_equal(rp_prm_context_validate(rp_bytes_of(&c, sizeof(c)), 0, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRM_CONTEXT_GUID_ZERO);

  uint8_t buf[26];
  assert_int_equal(rp_prm_data_buffer_init(rp_mbytes_of(buf, sizeof(buf)), PRM_DATA_BUFFER_HEADER_SIGNATURE, &d),
                   EFI_SUCCESS);
  assert_memory_equal(buf, "PRMS\x1a\0\0\0", 8);
  assert_int_equal(rp_prm_data_buffer_validate(rp_bytes_of(buf, sizeof(buf)), PRM_DATA_BUFFER_HEADER_SIGNATURE, &d),
                   EFI_SUCCESS);
  /* The legacy 'PRMD' signature is not 'PRMS'. */
  assert_int_equal(rp_prm_data_buffer_init(rp_mbytes_of(buf, sizeof(buf)), PRM_DATA_BUFFER_HEADER_SIGNATURE_LEGACY, &d),
                   EFI_INVALID_PARAMETER);
  assert_int_equal(rp_prm_data_buffer_validate(rp_bytes_of(buf, 20), PRM_DATA_BUFFER_HEADER_SIGNATURE, &d),
                   EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRM_DATA_BUFFER_LENGTH);
  assert_int_equal(rp_prm_data_buffer_validate(rp_bytes_of(buf, sizeof(buf)),
                                               PRM_ACPI_PARAMETER_DATA_BUFFER_HEADER_SIGNATURE, &d),
                   EFI_NOT_FOUND);
  assert_int_equal(d.reason, RP_R_PRM_DATA_BUFFER_SIGNATURE);
}

static EFI_STATUS convert_plus(void *ctx, uint64_t *a) {
  if (*a == 0xFEE00000ull) return EFI_NOT_FOUND;
  *a += *(uint64_t *)ctx;
  return EFI_SUCCESS;
}

static void mmio_ranges(void **state) {
  (void)state;
  uint8_t r[8 + 3 * 20], before[sizeof(r)];
  uint64_t phys[3] = { 0xFED00000ull, 0xFEB00000ull, 0xFEE00000ull };
  uint32_t len[3] = { 0x1000, 0x2000, 0x1000 };
  uint64_t n, delta = 0xFFFF000000000000ull;
  rp_diag d;
  assert_int_equal(sizeof(PRM_RUNTIME_MMIO_RANGE), 20);
  assert_int_equal(rp_prm_mmio_build(rp_mbytes_of(r, sizeof(r)), phys, len, 2, &d), EFI_SUCCESS);
  assert_int_equal(rp_prm_mmio_validate(rp_bytes_of(r, 48), &n, &d), EFI_SUCCESS);
  assert_int_equal(n, 2);
  assert_int_equal(rp_prm_mmio_convert(rp_mbytes_of(r, 48), convert_plus, &delta, &d), EFI_SUCCESS);
  uint64_t v;
  memcpy(&v, r + 8 + 20 + 8, 8); /* range 1 VirtualBaseAddress: offset 36, unaligned */
  assert_int_equal(v, 0xFEB00000ull + delta);
  memcpy(&v, r + 8 + 20, 8);
  assert_int_equal(v, 0xFEB00000ull); /* physical kept */
  /* A failing conversion writes nothing. */
  assert_int_equal(rp_prm_mmio_build(rp_mbytes_of(r, sizeof(r)), phys, len, 3, &d), EFI_SUCCESS);
  memcpy(before, r, sizeof(r));
  assert_int_equal(rp_prm_mmio_convert(rp_mbytes_of(r, sizeof(r)), convert_plus, &delta, &d), EFI_NOT_FOUND);
  assert_int_equal(d.reason, RP_R_PRM_MMIO_CONVERT);
  assert_int_equal(d.index, 2);
  assert_memory_equal(r, before, sizeof(r));
  /* Rejections. */
  assert_int_equal(rp_prm_mmio_validate(rp_bytes_of(r, 47), &n, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRM_MMIO_COUNT);
  assert_int_equal(rp_prm_mmio_validate(rp_bytes_of(r, 7), &n, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRM_MMIO_SIZE);
  uint64_t ov[2] = { 0xFED00000ull, 0xFED01000ull };
  uint32_t ol[2] = { 0x2000, 0x1000 };
  assert_int_equal(rp_prm_mmio_build(rp_mbytes_of(r, sizeof(r)), ov, ol, 2, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRM_MMIO_OVERLAP);
  uint64_t un[1] = { 0xFED00800ull };
  assert_int_equal(rp_prm_mmio_build(rp_mbytes_of(r, sizeof(r)), un, ol, 1, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRM_MMIO_UNALIGNED);
  uint64_t top[1] = { 0xFFFFFFFFFFFFF000ull };
  assert_int_equal(rp_prm_mmio_build(rp_mbytes_of(r, sizeof(r)), top, ol, 1, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRM_MMIO_OVERFLOW);
  uint32_t zl[1] = { 0 };
  assert_int_equal(rp_prm_mmio_build(rp_mbytes_of(r, sizeof(r)), ov, zl, 1, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRM_MMIO_LENGTH_ZERO);
  /* Count near 2^64: the size computation must not wrap. */
  memset(r, 0xFF, 8);
  assert_int_equal(rp_prm_mmio_validate(rp_bytes_of(r, sizeof(r)), &n, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRM_MMIO_COUNT);
}

static void acpi_param_lookup(void **state) {
  (void)state;
  ACPI_PARAMETER_BUFFER_DESCRIPTOR ds[3] = { { guid_n(1), 0 }, { guid_n(1), 0x5000 }, { { 0 }, 0x6000 } };
  EFI_GUID g = guid_n(1), z = { 0 };
  uint64_t a;
  rp_diag d;
  assert_int_equal(rp_prm_acpi_param_lookup(ds, 3, &g, &a, &d), EFI_SUCCESS);
  assert_int_equal(a, 0x5000); /* the address-0 descriptor is unused */
  assert_int_equal(rp_prm_acpi_param_lookup(ds, 3, &z, &a, &d), EFI_SUCCESS);
  assert_int_equal(a, 0); /* zero GUID: unused */
  ds[0].AcpiParameterBufferAddress = 0x4000;
  assert_int_equal(rp_prm_acpi_param_lookup(ds, 3, &g, &a, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PRM_ACPI_PARAM_DUPLICATE);
  assert_int_equal(d.index, 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(module_lld_x64),
    cmocka_unit_test(module_lld_aa64),
    cmocka_unit_test(module_gnu_ld),
    cmocka_unit_test(module_handler_names_resolve),
    cmocka_unit_test(module_alloc_failure),
    cmocka_unit_test(module_rejections_leave_nothing),
    cmocka_unit_test(module_set_duplicates),
    cmocka_unit_test(prmt_round_trip),
    cmocka_unit_test(prmt_build_alloc_failures),
    cmocka_unit_test(prmt_build_rejections),
    cmocka_unit_test(prmt_u16_limit),
    cmocka_unit_test(prmt_zero_modules),
    cmocka_unit_test(prmt_check_rejections),
    cmocka_unit_test(prmt_walks_disagree_on_handler_offset),
    cmocka_unit_test(prmt_check_duplicates_and_alloc),
    cmocka_unit_test(prmt_from_modules),
    cmocka_unit_test(context_buffers),
    cmocka_unit_test(mmio_ranges),
    cmocka_unit_test(acpi_param_lookup),
  };
  return cmocka_run_group_tests_name("prm", tests, NULL, NULL);
}
