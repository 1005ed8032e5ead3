/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * edk2ref PRM part (library rtprm_edk2ref_prm_bench): how EDK II's PrmPkg
 * finds a PRM module's export descriptor and resolves its handlers by name,
 * compiled from Debian's edk2 source (PrmPkg/Library/DxePrmPeCoffLib and the
 * BaseLib string routines it calls), behind a plain C interface. The calls
 * follow PrmPkg: DxePrmModuleDiscoveryLib's DiscoverPrmModules per loaded
 * image, then PrmLoaderDxe's ProcessPrmModules per handler.
 */
#ifndef RTPRM_EDK2REF_PRM_H
#define RTPRM_EDK2REF_PRM_H

#include <stdint.h>

/* Step that produced edk2ref_prm_module.status. */
enum {
  EDK2REF_PRM_OK = 0,
  EDK2REF_PRM_INFO = 1,       /* PeCoffLoaderGetImageInfo failed */
  EDK2REF_PRM_TE = 2,         /* a TE image: PrmPkg skips it */
  EDK2REF_PRM_EXPORTS = 3,    /* GetExportDirectoryInPeCoffImage failed */
  EDK2REF_PRM_DESCRIPTOR = 4, /* GetPrmModuleExportDescriptorTable failed or found none */
};

typedef struct {
  uint64_t    status;            /* EFI_STATUS of the failing step, 0 on success */
  int         step;              /* EDK2REF_PRM_* */
  uint64_t    image_address;     /* PeCoffImageContext.ImageAddress: the header's ImageBase */
  const void *export_directory;  /* EFI_IMAGE_EXPORT_DIRECTORY, NULL: none */
  const void *export_descriptor; /* PRM_MODULE_EXPORT_DESCRIPTOR_STRUCT, NULL: none */
} edk2ref_prm_module;

/* DiscoverPrmModules for one loaded image at `image`: GetImageInfo through
 * PeCoffLoaderImageReadFromMemory (unbounded, as in PrmPkg), TE images
 * skipped, GetExportDirectoryInPeCoffImage, GetPrmModuleExportDescriptorTable.
 * Like PrmPkg, the image address used from then on is the one GetImageInfo
 * returns, i.e. the header's ImageBase: the image must be relocated for its
 * own address (as the DXE core leaves it). export_directory is set when the
 * EXPORTS step passed, also if no descriptor is found. */
uint64_t edk2ref_prm_module_find(const void *image, edk2ref_prm_module *out);

/* ProcessPrmModules' handler resolution: GetExportEntryAddress(name,
 * image_address, export_directory) -> *address (0 when not found). */
uint64_t edk2ref_prm_export_address(const edk2ref_prm_module *m, const char *name, uint64_t *address);

#endif
