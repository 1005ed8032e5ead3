/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * A PRM module linked by GNU ld (mingw-w64): the same author header as the
 * lld samples (rtprm/fw/prm_module_author.h), __declspec(dllexport) exports,
 * ordinal Base 1. corpus/tools/build_prm_seeds.sh builds it into
 * corpus/prm/seed-mingw-x64-prm.efi.
 */
#include "rtprm/fw/prm_module_author.h"

#define MODULE_GUID { 0x3e0a7c55, 0x91d2, 0x4f3b, { 0xa6, 0x88, 0x1b, 0x5e, 0x2d, 0x90, 0xc4, 0x31 } }
#define ONE_GUID    { 0x8f4b1e26, 0x53c0, 0x4d9a, { 0x95, 0x17, 0x6c, 0xe2, 0x08, 0x3a, 0xb1, 0x32 } }
#define TWO_GUID    { 0x2d7e90a1, 0xc64b, 0x4a15, { 0x8b, 0x3d, 0x77, 0x01, 0xf9, 0x5c, 0x2e, 0x33 } }

RP_PRM_HANDLER(GnuPrmHandlerOne) {
  (void)ParameterBuffer;
  return ContextBuffer != NULL && ContextBuffer->Signature == PRM_CONTEXT_BUFFER_SIGNATURE ? EFI_SUCCESS
                                                                                         : EFI_NOT_FOUND;
}

RP_PRM_HANDLER(GnuPrmHandlerTwo) {
  (void)ContextBuffer;
  if (ParameterBuffer != NULL) *(UINT32 *)ParameterBuffer = 0x54534554u; /* "TEST" */
  return EFI_SUCCESS;
}

/* Absolute pointers: GNU ld emits DIR64 base relocations for them, so the
 * module can be loaded anywhere (the conformance suite maps it at an
 * arbitrary address and calls the handlers). */
typedef EFI_STATUS (EFIAPI *gnu_prm_handler)(VOID *, PRM_CONTEXT_BUFFER *);
RP_PRM_EXPORT gnu_prm_handler volatile GnuPrmHandlerTable[2] = { GnuPrmHandlerOne, GnuPrmHandlerTwo };

RP_PRM_MODULE_EXPORT(RP_PRM_SAMPLE_PLATFORM_GUID, MODULE_GUID,
  RP_PRM_HANDLER_ENTRY(ONE_GUID, GnuPrmHandlerOne),
  RP_PRM_HANDLER_ENTRY(TWO_GUID, GnuPrmHandlerTwo));

RP_PRM_MODULE_ENTRY(efi_main)
