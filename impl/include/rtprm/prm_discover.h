/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * PRM discovery (PrmLoaderDxe's portable part, docs/prm.md §8): offer every
 * loaded image to a discovery set; each is classified as
 *   NOT_PRM   no export table / no PrmModuleExportDescriptor export (or not
 *             a PE image at all): silently skipped, like any DXE driver;
 *   REJECTED  it claims to be a PRM module but fails validation, or its
 *             module / handler GUIDs collide with an accepted module: the
 *             status and reason come back, nothing is kept;
 *   ACCEPTED  validated and kept with its load address.
 * Then the PRMT is built from the accepted modules and the platform's
 * configuration (EDK II PRM_MODULE_CONTEXT_BUFFERS shape): the static data
 * buffer of each handler's context buffer, the module's MMIO range list and
 * the ACPI parameter buffers. Images are validated MAPPED (at their
 * ImageBase), not as files. No firmware calls here: host tests and the
 * benchmark drive the same code as PrmLoaderDxe.
 */
#ifndef RTPRM_PRM_DISCOVER_H
#define RTPRM_PRM_DISCOVER_H

#include "rtprm/mat.h"
#include "rtprm/prm_core.h"

typedef enum { RP_PRM_NOT_PRM = 0, RP_PRM_REJECTED = 1, RP_PRM_ACCEPTED = 2 } rp_prm_verdict;

typedef struct rp_prm_found {
  rp_prm_module module;
  uint64_t      load_address; /* physical ImageBase */
  rp_bytes      mapped;       /* the bytes offered: must outlive the set */
} rp_prm_found;

typedef struct rp_prm_discovery {
  const EFI_GUID *platform_guid; /* NULL: platform GUID not checked */
  rp_prm_found   *found;         /* platform pool, grown by doubling */
  uint32_t        count, capacity;
  uint32_t        handler_total;
} rp_prm_discovery;

void rp_prm_discovery_init(rp_prm_discovery *d, const EFI_GUID *platform_guid);
void rp_prm_discovery_free(rp_prm_discovery *d);

/* Offers one mapped image (SizeOfImage bytes at its load address). On
 * REJECTED, *status and diag say why; on ACCEPTED the module is appended.
 * The verdict is the same whether or not diag is given. Returns
 * EFI_OUT_OF_RESOURCES when growing the set or the temporary array of the
 * set check (rp_prm_module_set_check) cannot be allocated; EFI_SUCCESS
 * otherwise (the verdict says what became of the image). */
EFI_STATUS rp_prm_discovery_offer(rp_prm_discovery *d, rp_bytes mapped, uint64_t load_address,
                                  rp_prm_verdict *verdict, EFI_STATUS *status, rp_diag *diag);

/* Configuration of one module or NULL; cfgs may hold entries for modules
 * that were not found (ignored). First entry with the module GUID wins. */
const PRM_MODULE_CONTEXT_BUFFERS *rp_prm_config_find(const PRM_MODULE_CONTEXT_BUFFERS *const *cfgs, uint32_t n,
                                                     const EFI_GUID *module_guid);

/* Builds the PRMT of the accepted modules in discovery order. `tmpl` gives
 * the OEM fields and platform GUID (module_count/modules are ignored).
 * Addresses are the physical addresses the pointers in cfgs carry (identity
 * mapped boot-time firmware). *table is platform pool the caller frees. */
EFI_STATUS rp_prm_discovery_build(const rp_prm_discovery *d, const rp_prmt_build_in *tmpl,
                                  const PRM_MODULE_CONTEXT_BUFFERS *const *cfgs, uint32_t ncfg, uint8_t **table,
                                  uint32_t *size, rp_diag *diag);

/* The accepted modules as Memory Attributes Table images (rtprm/mat.h),
 * sorted by load address, for rp_mat_patch: each module's mapped bytes are
 * re-parsed and described section by section. cap >= d->count (at most
 * RP_MAT_MAX_IMAGES); on error *n is 0 and diag names the module index. */
EFI_STATUS rp_prm_discovery_mat_images(const rp_prm_discovery *d, rp_mat_image *out, uint32_t cap, uint32_t *n,
                                       rp_diag *diag);

#endif /* RTPRM_PRM_DISCOVER_H */
