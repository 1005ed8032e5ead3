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
#include "rtprm/fw/prm_module_author.h"

#include "prm_sample_guids.h"

#define MODULE_GUID RP_SAMPLE_MMIO_MODULE_GUID
#define COUNT_GUID  RP_SAMPLE_MMIO_COUNT_GUID
#define READ_GUID   RP_SAMPLE_MMIO_READ_GUID

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
