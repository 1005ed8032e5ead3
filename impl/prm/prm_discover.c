/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * PRM discovery and PRMT assembly (rtprm/prm_discover.h, docs/prm.md §8).
 * Differences from EDK II DxePrmModuleDiscoveryLib (prm.md §2.1-2.3), on
 * purpose: images are validated in full as MAPPED PE images (bounds of
 * every table against SizeOfImage), the descriptor is found by its exact
 * name, a rejected image is reported with its reason and skipped instead of
 * ASSERTing, and a module whose module or handler GUIDs collide with an
 * already accepted one is rejected (Linux would let the last one win).
 */
#include "rtprm/guid.h"
#include "rtprm/mem.h"
#include "rtprm/overflow.h"
#include "rtprm/platform.h"
#include "rtprm/prm_discover.h"

void rp_prm_discovery_init(rp_prm_discovery *d, const EFI_GUID *platform_guid) {
  rp_memset(d, 0, sizeof(*d));
  d->platform_guid = platform_guid;
}

void rp_prm_discovery_free(rp_prm_discovery *d) {
  if (d == NULL) return;
  for (uint32_t i = 0; i < d->count; i++) rp_prm_module_free(&d->found[i].module);
  if (d->found != NULL) rp_plat_free_pool(d->found);
  d->found = NULL;
  d->count = d->capacity = d->handler_total = 0;
}

static EFI_STATUS grow(rp_prm_discovery *d) {
  uint32_t cap = d->capacity ? d->capacity * 2 : 8;
  void *p = NULL;
  if (d->count < d->capacity) return EFI_SUCCESS;
  if (cap < d->capacity || (uint64_t)cap * sizeof(rp_prm_found) > SIZE_MAX) return EFI_OUT_OF_RESOURCES;
  if (EFI_ERROR(rp_plat_alloc_pool(EfiBootServicesData, cap * sizeof(rp_prm_found), &p))) return EFI_OUT_OF_RESOURCES;
  if (d->count) rp_memcpy(p, d->found, d->count * sizeof(rp_prm_found));
  if (d->found) rp_plat_free_pool(d->found);
  d->found = p;
  d->capacity = cap;
  return EFI_SUCCESS;
}

/* Reasons that mean "this image does not claim to be a PRM module". */
static bool not_prm_reason(rp_reason r) {
  return r == RP_R_PRM_DESCRIPTOR_NOT_EXPORTED || r == RP_R_PRM_MACHINE;
}

/* Module GUID and handler GUIDs against every accepted module. The candidate
 * sits in found[count] (room reserved by grow), so the set check sees it as
 * the last module: any duplicate it reports has index == count. */
static EFI_STATUS check_against_set(rp_prm_discovery *d, rp_diag *diag) {
  EFI_STATUS st;
  void *p = NULL; /* rp_prm_module_set_check takes a dense module array */
  if (EFI_ERROR(rp_plat_alloc_pool(EfiBootServicesData, (d->count + 1) * sizeof(rp_prm_module), &p)))
    RP_REJECT(diag, EFI_OUT_OF_RESOURCES, OUT_OF_RESOURCES, RP_DIAG_NO_INDEX);
  rp_prm_module *dense = p;
  for (uint32_t i = 0; i <= d->count; i++) dense[i] = d->found[i].module;
  st = rp_prm_module_set_check(dense, d->count + 1, diag);
  rp_plat_free_pool(p);
  return st;
}

EFI_STATUS rp_prm_discovery_offer(rp_prm_discovery *d, rp_bytes mapped, uint64_t load_address,
                                  rp_prm_verdict *verdict, EFI_STATUS *status, rp_diag *diag) {
  static rp_pe_image img; /* ~3.5 KiB: not on a firmware stack; discovery is single-threaded */
  rp_prm_module m;
  rp_diag own;
  rp_diag *dg = diag != NULL ? diag : &own; /* the verdict never depends on the caller passing one */
  EFI_STATUS st;
  *verdict = RP_PRM_NOT_PRM;
  *status = EFI_SUCCESS;
  if (EFI_ERROR(grow(d))) RP_REJECT(diag, EFI_OUT_OF_RESOURCES, OUT_OF_RESOURCES, RP_DIAG_NO_INDEX);
  if (EFI_ERROR(rp_pe_parse(mapped, RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT, &img, dg))) return EFI_SUCCESS; /* not a PE image */
  st = rp_prm_module_validate(&img, d->platform_guid, &m, dg);
  if (EFI_ERROR(st)) {
    if (!not_prm_reason(dg->reason)) *verdict = RP_PRM_REJECTED;
    *status = st;
    return EFI_SUCCESS;
  }
  d->found[d->count].module = m;
  d->found[d->count].load_address = load_address;
  d->found[d->count].mapped = mapped;
  st = check_against_set(d, dg);
  if (EFI_ERROR(st)) {
    rp_prm_module_free(&d->found[d->count].module);
    *verdict = RP_PRM_REJECTED;
    *status = st;
    return st == EFI_OUT_OF_RESOURCES ? st : EFI_SUCCESS;
  }
  d->handler_total += m.handler_count;
  d->count++;
  *verdict = RP_PRM_ACCEPTED;
  /* Findings are never silent (docs/pecoff.md §1). */
  for (uint32_t i = 0; i < rp_findings_kept(&img.findings); i++)
    rp_log(RP_LOG_INFO, "prm: module at 0x%llx: finding %s\n", (unsigned long long)load_address,
           rp_reason_name(img.findings.item[i].reason));
  return EFI_SUCCESS;
}

const PRM_MODULE_CONTEXT_BUFFERS *rp_prm_config_find(const PRM_MODULE_CONTEXT_BUFFERS *const *cfgs, uint32_t n,
                                                     const EFI_GUID *module_guid) {
  for (uint32_t i = 0; cfgs != NULL && i < n; i++) {
    if (cfgs[i] != NULL && rp_guid_equal(&cfgs[i]->ModuleGuid, module_guid)) return cfgs[i];
  }
  return NULL;
}

/* Static data buffer of a handler: its context buffer in the module's
 * configuration, matched by handler GUID (EDK II
 * FindContextBufferInModuleBuffers). 0 when none. */
static uint64_t static_data_of(const PRM_MODULE_CONTEXT_BUFFERS *c, const EFI_GUID *h) {
  if (c == NULL || c->Buffer == NULL) return 0;
  for (UINTN i = 0; i < c->BufferCount; i++) {
    if (rp_guid_equal(&c->Buffer[i].HandlerGuid, h)) return (uint64_t)(uintptr_t)c->Buffer[i].StaticDataBuffer;
  }
  return 0;
}

static EFI_STATUS fill_module(const rp_prm_found *f, const PRM_MODULE_CONTEXT_BUFFERS *c, rp_prmt_module_in *mi,
                              rp_prmt_handler_in *h, rp_diag *diag) {
  EFI_STATUS st = rp_prmt_handlers_of(&f->module, f->load_address, h, diag);
  if (EFI_ERROR(st)) return st;
  for (uint32_t j = 0; j < f->module.handler_count; j++) {
    h[j].static_data_buffer = static_data_of(c, &h[j].guid);
    if (c != NULL && c->AcpiParameterBufferDescriptors != NULL) {
      st = rp_prm_acpi_param_lookup(c->AcpiParameterBufferDescriptors, c->AcpiParameterBufferDescriptorCount,
                                    &h[j].guid, &h[j].acpi_param_buffer, diag);
      if (EFI_ERROR(st)) return st;
    }
  }
  mi->guid = f->module.module_guid;
  mi->major = f->module.major;
  mi->minor = f->module.minor;
  mi->mmio_ranges = c != NULL ? (uint64_t)(uintptr_t)c->RuntimeMmioRanges : 0;
  mi->handler_count = f->module.handler_count;
  mi->handlers = h;
  return EFI_SUCCESS;
}

EFI_STATUS rp_prm_discovery_build(const rp_prm_discovery *d, const rp_prmt_build_in *tmpl,
                                  const PRM_MODULE_CONTEXT_BUFFERS *const *cfgs, uint32_t ncfg, uint8_t **table,
                                  uint32_t *size, rp_diag *diag) {
  uint64_t mbytes, hbytes;
  void *pm = NULL, *ph = NULL;
  EFI_STATUS st = EFI_SUCCESS;
  if (d == NULL || tmpl == NULL || table == NULL || size == NULL)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  *table = NULL;
  *size = 0;
  if (d->count == 0 && !tmpl->allow_empty) RP_REJECT(diag, EFI_NOT_FOUND, PRMT_NO_MODULES, RP_DIAG_NO_INDEX);
  if (!rp_mul_u64(d->count + 1u, sizeof(rp_prmt_module_in), &mbytes) ||
      !rp_mul_u64(d->handler_total + 1u, sizeof(rp_prmt_handler_in), &hbytes) || mbytes > SIZE_MAX || hbytes > SIZE_MAX)
    RP_REJECT(diag, EFI_OUT_OF_RESOURCES, ARITH_OVERFLOW, RP_DIAG_NO_INDEX);
  if (EFI_ERROR(rp_plat_alloc_pool(EfiBootServicesData, (size_t)mbytes, &pm)) ||
      EFI_ERROR(rp_plat_alloc_pool(EfiBootServicesData, (size_t)hbytes, &ph))) {
    rp_plat_free_pool(pm);
    RP_REJECT(diag, EFI_OUT_OF_RESOURCES, OUT_OF_RESOURCES, RP_DIAG_NO_INDEX);
  }
  rp_prmt_module_in *mi = pm;
  rp_prmt_handler_in *hi = ph;
  uint32_t k = 0;
  for (uint32_t i = 0; i < d->count && !EFI_ERROR(st); i++) {
    const rp_prm_found *f = &d->found[i];
    st = fill_module(f, rp_prm_config_find(cfgs, ncfg, &f->module.module_guid), &mi[i], &hi[k], diag);
    k += f->module.handler_count;
  }
  if (!EFI_ERROR(st)) {
    rp_prmt_build_in in = *tmpl;
    in.module_count = d->count;
    in.modules = mi;
    st = rp_prmt_build_alloc(&in, table, size, diag);
  }
  rp_plat_free_pool(ph);
  rp_plat_free_pool(pm);
  return st;
}

/* ---- Memory Attributes Table images (docs/prm.md §9.7) -------------------- */

static void sort_by_base(rp_mat_image *img, uint32_t n) {
  for (uint32_t i = 1; i < n; i++) {
    for (uint32_t j = i; j > 0 && img[j].base < img[j - 1].base; j--) {
      rp_mat_image t = img[j];
      img[j] = img[j - 1];
      img[j - 1] = t;
    }
  }
}

EFI_STATUS rp_prm_discovery_mat_images(const rp_prm_discovery *d, rp_mat_image *out, uint32_t cap, uint32_t *n,
                                       rp_diag *diag) {
  static rp_pe_image img; /* as in rp_prm_discovery_offer: not on a firmware stack */
  EFI_STATUS st;
  if (d == NULL || out == NULL || n == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  *n = 0;
  if (d->count > cap || d->count > RP_MAT_MAX_IMAGES)
    RP_REJECT(diag, EFI_UNSUPPORTED, MAT_TOO_MANY_IMAGES, d->count);
  for (uint32_t i = 0; i < d->count; i++) {
    st = rp_pe_parse(d->found[i].mapped, RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT, &img, diag);
    if (!EFI_ERROR(st)) st = rp_mat_image_from_pe(&img, d->found[i].load_address, &out[i], diag);
    if (EFI_ERROR(st)) {
      if (diag != NULL) diag->index = i;
      return st;
    }
  }
  sort_by_base(out, d->count);
  *n = d->count;
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}
