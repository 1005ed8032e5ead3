/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * The glue between PrmPkg's DxePrmPeCoffLib (compiled from the cached
 * Debian source, never copied here) and edk2ref_prm.h, with the one
 * library-class function its BaseLib sources need beyond edk2ref.c's
 * BaseMemoryLib (CopyGuid, reached only from SafeString.c's StrToGuid).
 * Compiled with EDK II's headers.
 */
#include <PiDxe.h>
#include <Library/BaseMemoryLib.h>
#include <Library/PeCoffLib.h>
#include <Library/PrmPeCoffLib.h>

#include "edk2ref_prm.h"

/* ---- BaseMemoryLib ----------------------------------------------------------- */

GUID *EFIAPI CopyGuid(OUT GUID *DestinationGuid, IN CONST GUID *SourceGuid) {
  return __builtin_memmove(DestinationGuid, SourceGuid, sizeof(GUID));
}

/* ---- PrmPkg's sequence --------------------------------------------------------- */

static uint64_t module_end(EFI_STATUS s, int step, edk2ref_prm_module *out) {
  out->status = s;
  out->step = step;
  return s;
}

uint64_t edk2ref_prm_module_find(const void *image, edk2ref_prm_module *out) {
  PE_COFF_LOADER_IMAGE_CONTEXT c;
  EFI_IMAGE_EXPORT_DIRECTORY *dir = NULL;
  PRM_MODULE_EXPORT_DESCRIPTOR_STRUCT *desc = NULL;
  __builtin_memset(out, 0, sizeof(*out));
  __builtin_memset(&c, 0, sizeof(c));
  c.Handle = (VOID *)(UINTN)image;
  c.ImageRead = PeCoffLoaderImageReadFromMemory;
  EFI_STATUS s = PeCoffLoaderGetImageInfo(&c);
  if (EFI_ERROR(s) || c.ImageError != IMAGE_ERROR_SUCCESS)
    return module_end(EFI_ERROR(s) ? s : EFI_LOAD_ERROR, EDK2REF_PRM_INFO, out);
  out->image_address = c.ImageAddress;
  if (c.IsTeImage) return module_end(EFI_UNSUPPORTED, EDK2REF_PRM_TE, out);
  s = GetExportDirectoryInPeCoffImage((VOID *)(UINTN)image, &c, &dir);
  if (EFI_ERROR(s)) return module_end(s, EDK2REF_PRM_EXPORTS, out);
  out->export_directory = dir;
  s = GetPrmModuleExportDescriptorTable(dir, &c, &desc);
  if (EFI_ERROR(s) || desc == NULL) return module_end(EFI_ERROR(s) ? s : EFI_NOT_FOUND, EDK2REF_PRM_DESCRIPTOR, out);
  out->export_descriptor = desc;
  return module_end(EFI_SUCCESS, EDK2REF_PRM_OK, out);
}

uint64_t edk2ref_prm_export_address(const edk2ref_prm_module *m, const char *name, uint64_t *address) {
  EFI_PHYSICAL_ADDRESS a = 0;
  EFI_IMAGE_EXPORT_DIRECTORY *dir = (EFI_IMAGE_EXPORT_DIRECTORY *)(UINTN)m->export_directory;
  EFI_STATUS s = GetExportEntryAddress(name, m->image_address, dir, &a);
  *address = a;
  return s;
}
