/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * The platform's PRM module configuration consumed by PrmConfigDxe: which
 * modules exist, their handlers (one context buffer each), a static data
 * payload shared by up to two handlers, MMIO ranges and one ACPI parameter buffer. This
 * is what EDK II platforms put in per-module configuration libraries linked
 * into PrmConfigDxe (prm.md §2.6).
 */
#ifndef RTPRM_FW_PRM_CONFIG_PLATFORM_H
#define RTPRM_FW_PRM_CONFIG_PLATFORM_H

#include "rtprm/spec/prm.h"

#define RP_PRM_CFG_MAX_MODULES  8u
#define RP_PRM_CFG_MAX_HANDLERS 8u
#define RP_PRM_CFG_MAX_MMIO     4u

typedef struct {
  const char *name;
  EFI_GUID    module_guid;
  uint32_t    handler_count;
  EFI_GUID    handlers[RP_PRM_CFG_MAX_HANDLERS];
  uint32_t    static_handler_count;
  EFI_GUID    static_handlers[2];   /* share the static data buffer */
  const void *static_payload;       /* NULL: no static data buffer */
  uint32_t    static_payload_size;
  uint32_t    mmio_count;
  uint64_t    mmio_base[RP_PRM_CFG_MAX_MMIO];
  uint32_t    mmio_len[RP_PRM_CFG_MAX_MMIO];
  EFI_GUID    param_handler;        /* gets the ACPI parameter buffer */
  uint32_t    param_size;           /* 0: none */
} rp_prm_cfg_module;

const rp_prm_cfg_module *rp_prm_cfg_platform(uint32_t *count);

#endif /* RTPRM_FW_PRM_CONFIG_PLATFORM_H */
