/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Unit tests of PRM discovery (impl/prm/prm_discover.c), the portable part
 * of PrmLoaderDxe: real lld-linked sample modules mapped with rp_pe_load are
 * offered as loaded images; verdicts and reasons (duplicate GUID, corrupted
 * descriptor, non-PRM images), the PRMT built with a platform configuration
 * (static data, MMIO ranges, ACPI parameter buffer) passes rp_prmt_check and
 * carries the configured addresses; allocation failures leak nothing.
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
#include "rtprm/platform.h"
#include "rtprm/host/platform_host.h"
#include "mat_test_table.h"
#include "rtprm/mat.h"
#include "rtprm/prm_discover.h"

#ifndef RTPRM_CORPUS_DIR
#error "RTPRM_CORPUS_DIR must name corpus/"
#endif

static const EFI_GUID PLATFORM = { 0xc29bb610, 0x84f9, 0x448d, { 0xa7, 0xdd, 0x5a, 0x04, 0xc5, 0xa5, 0x4f, 0x52 } };
static const EFI_GUID CONTEXT_MODULE = { 0x7d1e5c2a, 0x3b94, 0x4f61, { 0x9a, 0x0e, 0x52, 0xc4, 0x18, 0x6b, 0xd3, 0x01 } };
static const EFI_GUID MMIO_MODULE = { 0x0c3f8e71, 0xa52d, 0x4b96, { 0x8d, 0x14, 0x6e, 0x29, 0xf0, 0x5b, 0xa7, 0x21 } };
static const EFI_GUID STATIC_HANDLER = { 0xe3b27f19, 0x6d48, 0x4a0c, { 0x92, 0xd7, 0x41, 0x8e, 0x5b, 0x06, 0xc3, 0x13 } };
static const EFI_GUID READ_HANDLER = { 0x46d1a8bc, 0xe039, 0x4d27, { 0xbf, 0x62, 0x98, 0x0a, 0x3c, 0x75, 0xe4, 0x23 } };

typedef struct {
  uint8_t *mem;
  size_t   len;
} mapped;

/* Reads a corpus file and maps it as the firmware would (SizeOfImage). */
static mapped map_corpus(const char *rel) {
  static rp_pe_image file;
  char path[512];
  mapped m = { NULL, 0 };
  snprintf(path, sizeof(path), "%s/%s", RTPRM_CORPUS_DIR, rel);
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  size_t n = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *b = malloc(n);
  assert_int_equal(fread(b, 1, n, f), n);
  fclose(f);
  assert_int_equal(rp_pe_parse(rp_bytes_of(b, n), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &file, NULL), EFI_SUCCESS);
  m.len = file.size_of_image;
  m.mem = calloc(1, m.len);
  assert_int_equal(rp_pe_load(&file, rp_mbytes_of(m.mem, m.len), NULL), EFI_SUCCESS);
  free(b);
  return m;
}

static rp_prm_verdict offer(rp_prm_discovery *d, mapped m, uint64_t base, EFI_STATUS *st, rp_diag *diag) {
  rp_prm_verdict v;
  assert_int_equal(rp_prm_discovery_offer(d, rp_bytes_of(m.mem, m.len), base, &v, st, diag), EFI_SUCCESS);
  return v;
}

/* The two x64 samples, mapped and accepted (in this order) into a fresh
 * discovery set at the given load addresses. */
typedef struct {
  mapped ctx, mmio;
} samples;

static samples accept_samples(rp_prm_discovery *d, uint64_t ctx_base, uint64_t mmio_base) {
  samples s = { map_corpus("prm/seed-lld-x64-context.efi"), map_corpus("prm/seed-lld-x64-mmio.efi") };
  EFI_STATUS st;
  rp_diag diag;
  rp_prm_discovery_init(d, &PLATFORM);
  assert_int_equal(offer(d, s.ctx, ctx_base, &st, &diag), RP_PRM_ACCEPTED);
  assert_int_equal(offer(d, s.mmio, mmio_base, &st, &diag), RP_PRM_ACCEPTED);
  return s;
}

static void release_samples(rp_prm_discovery *d, samples *s) {
  rp_prm_discovery_free(d);
  free(s->ctx.mem);
  free(s->mmio.mem);
}

static void verdicts_and_reasons(void **state) {
  (void)state;
  rp_host_alloc_reset();
  uint64_t live = rp_host_alloc_outstanding();
  mapped ctx = map_corpus("prm/seed-lld-x64-context.efi");
  mapped mmio = map_corpus("prm/seed-lld-x64-mmio.efi");
  mapped plain = map_corpus("pe/seed-lld-x64-exportsonly.efi");
  mapped bad = map_corpus("prm/seed-lld-x64-mmio.efi");
  uint8_t *sig = memmem(bad.mem, bad.len, "PRM_MEDT", 8);
  assert_non_null(sig);
  sig[7] = 'X';
  uint8_t junk[512];
  memset(junk, 0xA5, sizeof(junk));

  rp_prm_discovery d;
  EFI_STATUS st;
  rp_diag diag;
  rp_prm_discovery_init(&d, &PLATFORM);
  assert_int_equal(offer(&d, ctx, 0x10000000, &st, &diag), RP_PRM_ACCEPTED);
  assert_int_equal(offer(&d, plain, 0x11000000, &st, &diag), RP_PRM_NOT_PRM);
  assert_int_equal(offer(&d, (mapped){ junk, sizeof(junk) }, 0x12000000, &st, &diag), RP_PRM_NOT_PRM);
  assert_int_equal(offer(&d, mmio, 0x13000000, &st, &diag), RP_PRM_ACCEPTED);
  assert_int_equal(offer(&d, ctx, 0x14000000, &st, &diag), RP_PRM_REJECTED);
  assert_int_equal(diag.reason, RP_R_PRM_MODULE_GUID_DUPLICATE);
  assert_true(EFI_ERROR(st));
  assert_int_equal(offer(&d, bad, 0x15000000, &st, &diag), RP_PRM_REJECTED);
  assert_int_equal(diag.reason, RP_R_PRM_DESCRIPTOR_SIGNATURE);
  /* the same verdicts without a diagnostic (rp_diag is optional everywhere) */
  assert_int_equal(offer(&d, plain, 0x16000000, &st, NULL), RP_PRM_NOT_PRM);
  assert_int_equal(offer(&d, (mapped){ junk, sizeof(junk) }, 0x17000000, &st, NULL), RP_PRM_NOT_PRM);
  assert_int_equal(offer(&d, bad, 0x18000000, &st, NULL), RP_PRM_REJECTED);
  assert_int_equal(offer(&d, ctx, 0x19000000, &st, NULL), RP_PRM_REJECTED);
  assert_true(EFI_ERROR(st));
  assert_int_equal(d.count, 2);
  assert_int_equal(d.handler_total, 5);
  assert_true(rp_guid_equal(&d.found[0].module.module_guid, &CONTEXT_MODULE));
  assert_int_equal(d.found[1].load_address, 0x13000000);

  /* Wrong platform GUID: every module is rejected with that reason. */
  rp_prm_discovery other;
  static const EFI_GUID not_ours = { 1, 2, 3, { 4, 5, 6, 7, 8, 9, 10, 11 } };
  rp_prm_discovery_init(&other, &not_ours);
  assert_int_equal(offer(&other, ctx, 0x10000000, &st, &diag), RP_PRM_REJECTED);
  assert_int_equal(diag.reason, RP_R_PRM_PLATFORM_GUID_MISMATCH);
  rp_prm_discovery_free(&other);

  rp_prm_discovery_free(&d);
  assert_int_equal(rp_host_alloc_outstanding(), live);
  free(ctx.mem);
  free(mmio.mem);
  free(plain.mem);
  free(bad.mem);
}

static void build_with_config(void **state) {
  (void)state;
  rp_prm_discovery d;
  EFI_STATUS st;
  rp_diag diag;
  samples smp = accept_samples(&d, 0x10000000, 0x13000000);

  static uint8_t data[32], ranges[28], param[16];
  PRM_CONTEXT_BUFFER cb[1];
  rp_prm_context_init(&cb[0], &STATIC_HANDLER, (PRM_DATA_BUFFER *)data, NULL);
  PRM_MODULE_CONTEXT_BUFFERS c1 = { CONTEXT_MODULE, 1, cb, NULL, 0, NULL };
  ACPI_PARAMETER_BUFFER_DESCRIPTOR pd = { READ_HANDLER, (uint64_t)(uintptr_t)param };
  PRM_MODULE_CONTEXT_BUFFERS c2 = { MMIO_MODULE, 0, NULL, (PRM_RUNTIME_MMIO_RANGES *)ranges, 1, &pd };
  const PRM_MODULE_CONTEXT_BUFFERS *cfgs[] = { &c2, &c1 };

  rp_prmt_build_in tmpl;
  rp_prmt_build_in_defaults(&tmpl);
  tmpl.platform_guid = PLATFORM;
  uint8_t *t = NULL;
  uint32_t size = 0;
  assert_int_equal(rp_prm_discovery_build(&d, &tmpl, cfgs, 2, &t, &size, &diag), EFI_SUCCESS);
  assert_int_equal(size, 60 + 2 * 38 + 5 * 44);
  rp_prmt_info info;
  assert_int_equal(rp_prmt_check(rp_bytes_of(t, size), &info, &diag), EFI_SUCCESS);
  assert_true(info.walks_agree);
  assert_int_equal(info.module_count, 2);
  assert_int_equal(info.handler_total, 5);

  rp_prmt_module_view m0, m1;
  rp_prmt_handler_view h;
  assert_int_equal(rp_prmt_module_read(rp_bytes_of(t, size), 60, &m0, NULL), EFI_SUCCESS);
  assert_int_equal(m0.mmio_ranges, 0);
  bool saw_static = false;
  for (uint32_t j = 0; j < m0.handler_count; j++) {
    assert_int_equal(rp_prmt_handler_read(rp_bytes_of(t, size), 60 + 38 + 44 * j, &h, NULL), EFI_SUCCESS);
    assert_true(h.address > 0x10000000 && h.address < 0x10000000 + smp.ctx.len);
    if (rp_guid_equal(&h.guid, &STATIC_HANDLER)) {
      saw_static = true;
      assert_int_equal(h.static_data_buffer, (uint64_t)(uintptr_t)data);
    } else {
      assert_int_equal(h.static_data_buffer, 0);
    }
  }
  assert_true(saw_static);
  assert_int_equal(rp_prmt_module_read(rp_bytes_of(t, size), 60 + m0.length, &m1, NULL), EFI_SUCCESS);
  assert_int_equal(m1.mmio_ranges, (uint64_t)(uintptr_t)ranges);
  assert_int_equal(rp_prmt_handler_read(rp_bytes_of(t, size), 60 + m0.length + 38 + 44, &h, NULL), EFI_SUCCESS);
  assert_true(rp_guid_equal(&h.guid, &READ_HANDLER));
  assert_int_equal(h.acpi_param_buffer, (uint64_t)(uintptr_t)param);
  rp_plat_free_pool(t);

  /* 0 modules: nothing built unless the template allows it. */
  rp_prm_discovery none;
  rp_prm_discovery_init(&none, &PLATFORM);
  assert_int_equal(rp_prm_discovery_build(&none, &tmpl, NULL, 0, &t, &size, &diag), EFI_NOT_FOUND);
  assert_int_equal(diag.reason, RP_R_PRMT_NO_MODULES);
  assert_null(t);

  /* Every allocation of the build failing in turn: an error, no leak. */
  for (uint64_t n = 1; n <= 4; n++) {
    rp_host_alloc_reset();
    uint64_t live = rp_host_alloc_outstanding();
    rp_host_fail_nth(n);
    st = rp_prm_discovery_build(&d, &tmpl, cfgs, 2, &t, &size, &diag);
    rp_host_fail_nth(0);
    if (st == EFI_SUCCESS) {
      rp_plat_free_pool(t);
    } else {
      assert_int_equal(st, EFI_OUT_OF_RESOURCES);
      assert_null(t);
    }
    assert_int_equal(rp_host_alloc_outstanding(), live);
  }
  release_samples(&d, &smp);
}

/* rp_prm_discovery_mat_images: the accepted modules, sorted by load address,
 * each described from its own section table (headers RO+XP, .text RO, the
 * rest XP), then patched into an OVMF-like table: both land inside the code
 * entry and Linux's invariants hold (the conformance group "mat" checks the
 * patch itself in depth). */
static void mat_images_of_accepted_modules(void **state) {
  (void)state;
  rp_prm_discovery d;
  rp_diag diag;
  rp_mat_image img[2];
  uint32_t n = 99;
  samples smp = accept_samples(&d, 0x1f630000, 0x1f626000);
  assert_int_equal(rp_prm_discovery_mat_images(&d, img, 1, &n, &diag), EFI_UNSUPPORTED);
  assert_int_equal(diag.reason, RP_R_MAT_TOO_MANY_IMAGES);
  assert_int_equal(n, 0);
  assert_int_equal(rp_prm_discovery_mat_images(&d, img, 2, &n, &diag), EFI_SUCCESS);
  assert_int_equal(n, 2);
  assert_int_equal(img[0].base, 0x1f626000); /* sorted: mmio was loaded lower */
  assert_int_equal(img[1].base, 0x1f630000);
  for (uint32_t i = 0; i < 2; i++) {
    assert_int_equal(img[i].pages, 9);
    assert_int_equal(img[i].piece_count, 3);
    assert_int_equal(img[i].pieces[0].protect, EFI_MEMORY_RO | EFI_MEMORY_XP);
    assert_int_equal(img[i].pieces[1].protect, EFI_MEMORY_RO);
    assert_int_equal(img[i].pieces[1].pages, 3);
    assert_int_equal(img[i].pieces[2].protect, EFI_MEMORY_XP);
  }
  /* one XP code entry holding both, as Debian's OVMF leaves it */
  uint8_t table[MAT_TEST_TABLE_SIZE];
  mat_test_table(table, 0x1f5ec000, 0x6d, EFI_MEMORY_RUNTIME | EFI_MEMORY_XP);
  uint8_t out[16 + 16 * 48];
  size_t len = 0;
  rp_mat_outcome what[2];
  assert_int_equal(rp_mat_patch(rp_bytes_of(table, sizeof(table)), img, 2, rp_mbytes_of(out, sizeof(out)), &len,
                                what, &diag), EFI_SUCCESS);
  assert_int_equal(what[0], RP_MAT_IMAGE_DESCRIBED);
  assert_int_equal(what[1], RP_MAT_IMAGE_DESCRIBED);
  assert_int_equal(len, 16 + 9 * 48); /* before, 3 pieces, between, 3 pieces, after */
  /* A module whose mapped bytes no longer parse: named by its index. */
  memset(smp.ctx.mem, 0, 2);
  assert_true(EFI_ERROR(rp_prm_discovery_mat_images(&d, img, 2, &n, &diag)));
  assert_int_equal(diag.reason, RP_R_PE_DOS_MAGIC);
  assert_int_equal(diag.index, 0);
  assert_int_equal(n, 0);
  release_samples(&d, &smp);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(verdicts_and_reasons),
    cmocka_unit_test(mat_images_of_accepted_modules),
    cmocka_unit_test(build_with_config),
  };
  return cmocka_run_group_tests_name("prm_discover", tests, NULL, NULL);
}
