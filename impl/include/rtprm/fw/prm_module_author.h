/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Writing a PRM module in C with clang + lld-link (or mingw-w64 gcc + GNU
 * ld): declare handlers with RP_PRM_HANDLER and the export descriptor with
 * RP_PRM_MODULE_EXPORT; link as a DLL with subsystem efi_runtime_driver and
 * /version:MAJOR.MINOR (the PRMT module revision). No GenFw, no subsystem
 * patching: lld-link accepts exports with EFI subsystems.
 *
 *   RP_PRM_HANDLER(MyHandler) {            // EFI_STATUS EFIAPI, exported
 *     (void)ParameterBuffer; (void)ContextBuffer;
 *     return EFI_SUCCESS;
 *   }
 *   RP_PRM_MODULE_EXPORT(PLATFORM_GUID_INIT, MODULE_GUID_INIT,
 *     RP_PRM_HANDLER_ENTRY(HANDLER_GUID_INIT, MyHandler));
 *
 * The descriptor is exported as exactly "PrmModuleExportDescriptor"; each
 * entry's name is the stringized handler symbol, at most 127 characters
 * (checked at compile time).
 */
#ifndef RTPRM_PRM_MODULE_AUTHOR_H
#define RTPRM_PRM_MODULE_AUTHOR_H

#include "rtprm/spec/prm.h"

#define RP_PRM_EXPORT __declspec(dllexport)

/* Defines an exported handler with the PRM_HANDLER signature; the body
 * follows. Parameters: ParameterBuffer, ContextBuffer. */
#define RP_PRM_HANDLER(Name)                                                          \
  RP_PRM_EXPORT EFI_STATUS EFIAPI Name(VOID *ParameterBuffer, PRM_CONTEXT_BUFFER *ContextBuffer); \
  _Static_assert(sizeof(#Name) <= PRM_HANDLER_NAME_MAXIMUM_LENGTH, "PRM handler name too long"); \
  RP_PRM_EXPORT EFI_STATUS EFIAPI Name(VOID *ParameterBuffer, PRM_CONTEXT_BUFFER *ContextBuffer)

/* One descriptor entry: { handler GUID, "Name" }. */
#define RP_PRM_HANDLER_ENTRY(GuidInit, Name) { GuidInit, #Name }

#define RP_PRM_HANDLER_COUNT_(...)                                                  \
  (sizeof((PRM_HANDLER_EXPORT_DESCRIPTOR_STRUCT[]){ __VA_ARGS__ }) /                \
   sizeof(PRM_HANDLER_EXPORT_DESCRIPTOR_STRUCT))

/* The module's export descriptor (PRM_MEDT, revision 0). Both member types
 * are packed, so the wrapper has no padding: 44 + 144 * n bytes. */
#define RP_PRM_MODULE_EXPORT(PlatformGuidInit, ModuleGuidInit, ...)                 \
  RP_PRM_EXPORT const struct {                                                      \
    PRM_MODULE_EXPORT_DESCRIPTOR_STRUCT_HEADER Header;                              \
    PRM_HANDLER_EXPORT_DESCRIPTOR_STRUCT       Handlers[RP_PRM_HANDLER_COUNT_(__VA_ARGS__)]; \
  } PrmModuleExportDescriptor = {                                                   \
    { PRM_MODULE_EXPORT_DESCRIPTOR_SIGNATURE, PRM_MODULE_EXPORT_REVISION,           \
      (UINT16)RP_PRM_HANDLER_COUNT_(__VA_ARGS__), PlatformGuidInit, ModuleGuidInit }, \
    { __VA_ARGS__ }                                                                 \
  }

/* A runtime driver's entry point that does nothing: the loader finds the
 * module through its export table, not through the entry point. */
#define RP_PRM_MODULE_ENTRY(Name)                                                   \
  EFI_STATUS EFIAPI Name(EFI_HANDLE ImageHandle, VOID *SystemTable);                \
  EFI_STATUS EFIAPI Name(EFI_HANDLE ImageHandle, VOID *SystemTable) {               \
    (void)ImageHandle;                                                              \
    (void)SystemTable;                                                              \
    return EFI_SUCCESS;                                                             \
  }

/* The platform GUID our samples are built for (PrmPkg.dsc's PLATFORM_GUID). */
#define RP_PRM_SAMPLE_PLATFORM_GUID \
  { 0xc29bb610, 0x84f9, 0x448d, { 0xa7, 0xdd, 0x5a, 0x04, 0xc5, 0xa5, 0x4f, 0x52 } }

#endif /* RTPRM_PRM_MODULE_AUTHOR_H */
