/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * ExportsOnly.efi: small PE/COFF corpus image (impl/fw/testimages/CMakeLists.txt)
 * with a handful of exported functions and one exported data object, and only
 * a few DIR64 relocations (eo_table). Nothing runs it: corpus material.
 */
#include "rtprm/spec/uefi_base.h"

#define EXPORT __declspec(dllexport)

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, void *st);

EXPORT unsigned EoAdd(unsigned a, unsigned b);
EXPORT unsigned EoMul(unsigned a, unsigned b);
EXPORT unsigned EoVersion(void);
EXPORT unsigned eo_lower(unsigned a);

EXPORT unsigned EoAdd(unsigned a, unsigned b) { return a + b; }
EXPORT unsigned EoMul(unsigned a, unsigned b) { return a * b; }
EXPORT unsigned EoVersion(void) { return 0x00000003u; }
EXPORT unsigned eo_lower(unsigned a) { return a | 0x20u; }

/* Exported data holding absolute pointers: 3 DIR64 relocations. */
typedef unsigned (*eo_fn)(unsigned, unsigned);
EXPORT eo_fn volatile EoTable[3] = { EoAdd, EoMul, 0 };
EXPORT const char *volatile EoName = "ExportsOnly";

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, void *st) {
  (void)image;
  (void)st;
  return EoTable[0](1, 2) == 3 && EoName[0] == 'E' ? EFI_SUCCESS : EFI_ABORTED;
}
