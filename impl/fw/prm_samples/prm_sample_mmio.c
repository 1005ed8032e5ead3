/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * PrmSampleMmio.efi: a PRM module whose handlers use a runtime MMIO range
 * list (the platform's configuration lists e.g. the HPET at 0xFED00000).
 *   PrmSampleMmioCount   EFI_SUCCESS when the context's range list passes
 *                        rp_prm_mmio_validate and has >= 1 range
 *   PrmSampleMmioRead    reads the first 32-bit register through the range's
 *                        VirtualBaseAddress into *(UINT32 *)ParameterBuffer
 */
#include "rtprm/prm_core.h"
#include "rtprm/prm_module_author.h"

#define MODULE_GUID { 0x0c3f8e71, 0xa52d, 0x4b96, { 0x8d, 0x14, 0x6e, 0x29, 0xf0, 0x5b, 0xa7, 0x21 } }
#define COUNT_GUID  { 0x9b6e2d43, 0x17fa, 0x4c58, { 0xa0, 0x3e, 0x27, 0x95, 0xc8, 0x4d, 0x1b, 0x22 } }
#define READ_GUID   { 0x46d1a8bc, 0xe039, 0x4d27, { 0xbf, 0x62, 0x98, 0x0a, 0x3c, 0x75, 0xe4, 0x23 } }

static EFI_STATUS ranges_of(const PRM_CONTEXT_BUFFER *c, uint64_t *n) {
  if (c == NULL || c->RuntimeMmioRanges == NULL) return EFI_INVALID_PARAMETER;
  const PRM_RUNTIME_MMIO_RANGES *r = c->RuntimeMmioRanges;
  uint64_t count = r->Count, size;
  if (!rp_prm_mmio_size(count, &size) || size > 0x100000u) return EFI_INVALID_PARAMETER;
  return rp_prm_mmio_validate(rp_bytes_of(r, (size_t)size), n, NULL);
}

RP_PRM_HANDLER(PrmSampleMmioCount) {
  uint64_t n = 0;
  (void)ParameterBuffer;
  EFI_STATUS st = ranges_of(ContextBuffer, &n);
  if (EFI_ERROR(st)) return st;
  return n >= 1 ? EFI_SUCCESS : EFI_NOT_FOUND;
}

RP_PRM_HANDLER(PrmSampleMmioRead) {
  uint64_t n = 0;
  if (ParameterBuffer == NULL) return EFI_INVALID_PARAMETER;
  EFI_STATUS st = ranges_of(ContextBuffer, &n);
  if (EFI_ERROR(st)) return st;
  if (n == 0) return EFI_NOT_FOUND;
  const volatile UINT32 *reg = (const volatile UINT32 *)(UINTN)ContextBuffer->RuntimeMmioRanges->Range[0].VirtualBaseAddress;
  *(UINT32 *)ParameterBuffer = *reg;
  return EFI_SUCCESS;
}

RP_PRM_MODULE_EXPORT(RP_PRM_SAMPLE_PLATFORM_GUID, MODULE_GUID,
  RP_PRM_HANDLER_ENTRY(COUNT_GUID, PrmSampleMmioCount),
  RP_PRM_HANDLER_ENTRY(READ_GUID, PrmSampleMmioRead));

RP_PRM_MODULE_ENTRY(PrmSampleEntry)
