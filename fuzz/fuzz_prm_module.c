/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Fuzz target "prm_module": PRM module validation (PE + export descriptor).
 *
 * Input:  a PE file | trailer (fuzz.h). Options:
 *   bit 0  check the platform GUID (C29BB610-..., the samples' platform)
 *   bit 1  skip the MAPPED pass
 * Pipeline: rp_pe_parse (FILE) -> rp_prm_module_validate; rp_pe_load into
 * pool memory -> rp_pe_parse (MAPPED) -> rp_prm_module_validate; an
 * accepted module is then put through rp_prmt_build_alloc + rp_prmt_check.
 * Oracles:
 *   - rejection: reason != NONE, result zeroed, nothing allocated;
 *   - acceptance, checked here independently: the descriptor bytes at the
 *     exact export "PrmModuleExportDescriptor" spell PRM_MEDT, revision 0,
 *     count in 1..255 equals handler_count; every handler's GUID and name
 *     equal the descriptor entry, GUIDs non-zero and unique, name length
 *     1..127, rva == EAT entry of the exact name, not a forwarder, inside a
 *     section with IMAGE_SCN_MEM_EXECUTE; version == Major/MinorImageVersion;
 *   - FILE accepted => MAPPED accepted with an identical result;
 *   - the one-module PRMT built at 0x80000000 passes the checker;
 *   - the input is never written; no leak (rp_fuzz_end).
 */
#include <string.h>

#include "fuzz.h"
#include "rtprm/guid.h"
#include "rtprm/pe.h"
#include "rtprm/spec/pecoff.h"
#include "rtprm/platform.h"
#include "rtprm/prm_core.h"

#define MAX_IMAGE (16u << 20)

static const EFI_GUID PLATFORM = { 0xc29bb610, 0x84f9, 0x448d, { 0xa7, 0xdd, 0x5a, 0x04, 0xc5, 0xa5, 0x4f, 0x52 } };

static bool exec_rva(const rp_pe_image *img, uint32_t rva) {
  for (unsigned i = 0; i < img->num_sections; i++) {
    const rp_pe_section *s = &img->sections[i];
    uint64_t vs = s->virtual_size ? s->virtual_size : s->raw_size;
    if ((s->characteristics & IMAGE_SCN_MEM_EXECUTE) && rva >= s->virtual_address && rva < s->virtual_address + vs)
      return true;
  }
  return false;
}

static void check_accepted(const rp_pe_image *img, const rp_prm_module *m) {
  rp_pe_exports e;
  rp_pe_export x;
  uint64_t off;
  RP_FUZZ_ASSERT(rp_pe_exports_parse(img, &e, NULL) == EFI_SUCCESS);
  RP_FUZZ_ASSERT(rp_pe_export_find(img, &e, "PrmModuleExportDescriptor", &x, NULL) == EFI_SUCCESS);
  RP_FUZZ_ASSERT(x.rva == m->descriptor_rva && !x.forwarder);
  RP_FUZZ_ASSERT(m->handler_count >= 1 && m->handler_count <= 255);
  RP_FUZZ_ASSERT(rp_pe_rva_to_offset(img, x.rva, 44 + 144 * m->handler_count, &off));
  const uint8_t *d = img->bytes.ptr + off;
  RP_FUZZ_ASSERT(memcmp(d, "PRM_MEDT", 8) == 0 && d[8] == 0 && d[9] == 0);
  RP_FUZZ_ASSERT((uint32_t)(d[10] | d[11] << 8) == m->handler_count);
  RP_FUZZ_ASSERT(memcmp(d + 12, &m->platform_guid, 16) == 0 && memcmp(d + 28, &m->module_guid, 16) == 0);
  RP_FUZZ_ASSERT(!rp_guid_is_zero(&m->module_guid));
  RP_FUZZ_ASSERT(m->major == img->major_image_version && m->minor == img->minor_image_version);
  for (uint32_t i = 0; i < m->handler_count; i++) {
    const rp_prm_handler *h = &m->handlers[i];
    const uint8_t *ent = d + 44 + 144 * i;
    size_t n = strnlen((const char *)ent + 16, 128);
    RP_FUZZ_ASSERT(n >= 1 && n <= 127 && strlen(h->name) == n && memcmp(h->name, ent + 16, n) == 0);
    RP_FUZZ_ASSERT(memcmp(&h->guid, ent, 16) == 0 && !rp_guid_is_zero(&h->guid));
    for (uint32_t j = 0; j < i; j++) RP_FUZZ_ASSERT(!rp_guid_equal(&h->guid, &m->handlers[j].guid));
    RP_FUZZ_ASSERT(rp_pe_export_find(img, &e, h->name, &x, NULL) == EFI_SUCCESS);
    RP_FUZZ_ASSERT(x.rva == h->rva && h->rva != 0 && !x.forwarder && exec_rva(img, h->rva));
  }
}

static EFI_STATUS one(const rp_pe_image *img, const EFI_GUID *plat, rp_prm_module *m, rp_diag *d) {
  memset(m, 0x77, sizeof(*m));
  EFI_STATUS st = rp_prm_module_validate(img, plat, m, d);
  if (EFI_ERROR(st)) {
    RP_FUZZ_ASSERT(d->reason != RP_R_NONE && m->handlers == NULL && m->handler_count == 0);
    return st;
  }
  RP_FUZZ_ASSERT(d->reason == RP_R_NONE);
  if (plat != NULL) RP_FUZZ_ASSERT(rp_guid_equal(plat, &m->platform_guid));
  check_accepted(img, m);
  return st;
}

/* The module as the only one of a PRMT: built, then checked. */
static void build_table(const rp_prm_module *m) {
  rp_prmt_handler_in *h = malloc(m->handler_count * sizeof(*h));
  RP_FUZZ_ASSERT(h != NULL);
  RP_FUZZ_ASSERT(rp_prmt_handlers_of(m, 0x80000000ull, h, NULL) == EFI_SUCCESS);
  rp_prmt_module_in mi = { m->module_guid, m->major, m->minor, 0, m->handler_count, h };
  rp_prmt_build_in in;
  rp_prmt_build_in_defaults(&in);
  in.platform_guid = PLATFORM;
  in.module_count = 1;
  in.modules = &mi;
  uint8_t *t;
  uint32_t n;
  rp_diag d;
  EFI_STATUS st = rp_prmt_build_alloc(&in, &t, &n, &d);
  if (st != EFI_OUT_OF_RESOURCES) {
    RP_FUZZ_ASSERT(st == EFI_SUCCESS);
    st = rp_prmt_check(rp_bytes_of(t, n), NULL, &d);
    RP_FUZZ_ASSERT(st == EFI_SUCCESS || st == EFI_OUT_OF_RESOURCES);
    rp_plat_free_pool(t);
  }
  free(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  rp_fuzz_config cfg;
  size_t len = rp_fuzz_begin(data, size, &cfg);
  uint8_t *file = rp_fuzz_dup(data, len);
  const EFI_GUID *plat = (cfg.options & 1) ? &PLATFORM : NULL;
  static rp_pe_image img, mimg;
  rp_prm_module fm, mm;
  rp_diag d;
  void *pool = NULL;

  if (EFI_ERROR(rp_pe_parse(rp_bytes_of(file, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &img, &d))) goto out;
  EFI_STATUS fst = one(&img, plat, &fm, &d);
  if (!EFI_ERROR(fst)) build_table(&fm);
  if ((cfg.options & 2) || img.size_of_image > MAX_IMAGE ||
      EFI_ERROR(rp_plat_alloc_pool(EfiBootServicesData, img.size_of_image, &pool))) {
    rp_prm_module_free(&fm);
    goto out;
  }
  RP_FUZZ_ASSERT(rp_pe_load(&img, rp_mbytes_of(pool, img.size_of_image), NULL) == EFI_SUCCESS);
  RP_FUZZ_ASSERT(rp_pe_parse(rp_bytes_of(pool, img.size_of_image), RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT, &mimg, NULL) == EFI_SUCCESS);
  EFI_STATUS mst = one(&mimg, plat, &mm, &d);
  if (!EFI_ERROR(fst) && mst != EFI_OUT_OF_RESOURCES) {
    RP_FUZZ_ASSERT(mst == EFI_SUCCESS && mm.handler_count == fm.handler_count);
    RP_FUZZ_ASSERT(memcmp(mm.handlers, fm.handlers, fm.handler_count * sizeof(rp_prm_handler)) == 0);
    RP_FUZZ_ASSERT(rp_guid_equal(&mm.module_guid, &fm.module_guid) && mm.descriptor_rva == fm.descriptor_rva);
  }
  rp_prm_module_free(&mm);
  rp_prm_module_free(&fm);
  rp_plat_free_pool(pool);
out:
  RP_FUZZ_ASSERT(memcmp(file, data, len) == 0);
  free(file);
  rp_fuzz_end();
  return 0;
}
