/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Platform Runtime Mechanism (PRM spec 1.0; interop with EDK II PrmPkg,
 * ACPICA and Linux drivers/acpi/prmt.c).
 *
 * Every PRM structure is byte-packed and little-endian, so each is declared
 * inside #pragma pack(1). Packed structs have alignment 1: take the address
 * of a wide member only into a local copy (the compiler warns otherwise),
 * and read untrusted tables and images through bounded byte accessors at
 * base + offsetof(T, Field).
 *
 * Sizes: PRMT header 60, module info header 38 (+44 per handler), handler
 * info 44, export descriptor header 44 (+144 per handler), context buffer 40
 * (64-bit), data buffer header 8, MMIO range 20, MMIO ranges 8 + 20n, module
 * context buffers 56 (64-bit), ACPI parameter buffer descriptor 24, opregion
 * message 26. Checked by layout.def.
 */
#ifndef RTPRM_PRM_H
#define RTPRM_PRM_H

#include "rtprm/spec/acpi.h"
#include "rtprm/spec/uefi_base.h"

/* ---- Signatures (little-endian: the bytes in memory spell the name) --- */
#define PRM_TABLE_SIGNATURE                    0x544D5250u /* "PRMT" */
#define PRM_MODULE_EXPORT_DESCRIPTOR_SIGNATURE 0x5444454D5F4D5250ULL /* "PRM_MEDT" */
#define PRM_CONTEXT_BUFFER_SIGNATURE           0x434D5250u /* "PRMC" */
#define PRM_DATA_BUFFER_HEADER_SIGNATURE       0x534D5250u /* "PRMS", PRM spec §4.2.1 */
#define PRM_ACPI_PARAMETER_DATA_BUFFER_HEADER_SIGNATURE 0x504D5250u /* "PRMP", §4.2.2 */
/* EDK II wrote "PRMD" for the static data buffer before 2025-03; accept it
 * only where interop with older firmware is wanted. */
#define PRM_DATA_BUFFER_HEADER_SIGNATURE_LEGACY 0x444D5250u /* "PRMD" */

/* ---- Revisions ------------------------------------------------------- */
#define PRM_TABLE_REVISION                      0x00u
#define PRM_MODULE_INFORMATION_STRUCT_REVISION  0x00u
#define PRM_HANDLER_INFORMATION_STRUCT_REVISION 0x00u
#define PRM_MODULE_EXPORT_REVISION              0x00u
#define PRM_CONTEXT_BUFFER_INTERFACE_VERSION    1u /* Linux passes 0: accept both */

/* ---- Names and limits ------------------------------------------------ */
/* The PE export that points at the module's export descriptor. EDK II
 * matches it as a prefix; we match the whole NUL-terminated name. */
#define PRM_MODULE_EXPORT_DESCRIPTOR_NAME "PrmModuleExportDescriptor"
/* Handler name field size: at most 127 characters plus the NUL. */
#define PRM_HANDLER_NAME_MAXIMUM_LENGTH 128u

/* Platform-Wide _OSC Capabilities DWORD2, bit 21 (PRM spec 1.0; EDK II's
 * Readme says bit 20, which is wrong: Linux commit bd7a94c0fa41). */
#define PRM_OSC_SUPPORT_BIT  21u
#define PRM_OSC_SUPPORT_MASK (1u << PRM_OSC_SUPPORT_BIT) /* 0x00200000 */

/* PRM_CONFIG_PROTOCOL (EDK II PrmPkg): per-module context buffers. */
#define RP_GUID_PRM_CONFIG_PROTOCOL \
  { 0x4e5b4fea, 0x936a, 0x45bc, { 0xac, 0x6a, 0x2f, 0x8f, 0x14, 0xa6, 0xc2, 0x9e } }

#pragma pack(push, 1)

/* ==== PRMT ACPI table ================================================= */
/* One handler (44 bytes). Buffer addresses may be 0 when unused. */
typedef struct {
  UINT16   StructureRevision;   /* PRM_HANDLER_INFORMATION_STRUCT_REVISION */
  UINT16   StructureLength;     /* 44 */
  EFI_GUID Identifier;          /* handler GUID */
  UINT64   PhysicalAddress;     /* handler entry point */
  UINT64   StaticDataBuffer;    /* PRM_DATA_BUFFER, physical; 0 if none */
  UINT64   AcpiParameterBuffer; /* physical; 0 if none (_DSM/opregion only) */
} PRM_HANDLER_INFORMATION_STRUCT;

/* One module: a 38-byte header, then HandlerCount handler structs at
 * HandlerInfoOffset (from the start of this struct; EDK II writes 38).
 * StructureLength covers the handlers too. */
typedef struct {
  UINT16   StructureRevision;   /* PRM_MODULE_INFORMATION_STRUCT_REVISION */
  UINT16   StructureLength;
  EFI_GUID Identifier;          /* module GUID */
  UINT16   MajorRevision;
  UINT16   MinorRevision;
  UINT16   HandlerCount;
  UINT32   HandlerInfoOffset;
  UINT64   RuntimeMmioRanges;   /* PRM_RUNTIME_MMIO_RANGES, physical; 0 if none */
  PRM_HANDLER_INFORMATION_STRUCT HandlerInfoStructure[];
} PRM_MODULE_INFORMATION_STRUCT;

/* The PRMT: ACPI header, platform GUID, then PrmModuleInfoCount modules
 * starting at PrmModuleInfoOffset (EDK II writes 60), each StructureLength
 * bytes long. */
typedef struct {
  EFI_ACPI_DESCRIPTION_HEADER Header;   /* Signature PRM_TABLE_SIGNATURE */
  EFI_GUID                    PrmPlatformGuid;
  UINT32                      PrmModuleInfoOffset;
  UINT32                      PrmModuleInfoCount;
  /* PRM_MODULE_INFORMATION_STRUCT PrmModuleInfoStructure[] follows */
} PRM_ACPI_DESCRIPTION_TABLE;

/* ==== Module export descriptor (in the PRM module image) ============= */
typedef struct {
  EFI_GUID PrmHandlerGuid;
  CHAR8    PrmHandlerName[PRM_HANDLER_NAME_MAXIMUM_LENGTH]; /* NUL within */
} PRM_HANDLER_EXPORT_DESCRIPTOR_STRUCT;                      /* 144 bytes */

typedef struct {
  UINT64   Signature;          /* PRM_MODULE_EXPORT_DESCRIPTOR_SIGNATURE */
  UINT16   Revision;           /* PRM_MODULE_EXPORT_REVISION */
  UINT16   NumberPrmHandlers;
  EFI_GUID PlatformGuid;
  EFI_GUID ModuleGuid;
} PRM_MODULE_EXPORT_DESCRIPTOR_STRUCT_HEADER;                /* 44 bytes */

typedef struct {
  PRM_MODULE_EXPORT_DESCRIPTOR_STRUCT_HEADER Header;
  PRM_HANDLER_EXPORT_DESCRIPTOR_STRUCT       PrmHandlerExportDescriptors[];
} PRM_MODULE_EXPORT_DESCRIPTOR_STRUCT;

/* ==== Buffers passed to handlers ===================================== */
typedef struct {
  UINT32 Signature; /* PRM_DATA_BUFFER_HEADER_SIGNATURE or ..._PARAMETER_... */
  UINT32 Length;    /* whole buffer, header included */
} PRM_DATA_BUFFER_HEADER;

typedef struct {
  PRM_DATA_BUFFER_HEADER Header;
  UINT8                  Data[];
} PRM_DATA_BUFFER;

typedef struct {
  EFI_PHYSICAL_ADDRESS PhysicalBaseAddress;
  EFI_PHYSICAL_ADDRESS VirtualBaseAddress; /* filled at SetVirtualAddressMap */
  UINT32               Length;
} PRM_RUNTIME_MMIO_RANGE;                  /* 20 bytes: packed */

typedef struct {
  UINT64                 Count;
  PRM_RUNTIME_MMIO_RANGE Range[];          /* stride 20 */
} PRM_RUNTIME_MMIO_RANGES;                 /* 8 + 20 * Count bytes */

/* Built by the OS for each call (virtual addresses); firmware reuses the
 * same layout internally with physical addresses. */
typedef struct {
  UINT32                   Signature;   /* PRM_CONTEXT_BUFFER_SIGNATURE */
  UINT16                   Version;     /* PRM_CONTEXT_BUFFER_INTERFACE_VERSION */
  UINT16                   Reserved;
  EFI_GUID                 HandlerGuid;
  PRM_DATA_BUFFER         *StaticDataBuffer;
  PRM_RUNTIME_MMIO_RANGES *RuntimeMmioRanges;
} PRM_CONTEXT_BUFFER;                   /* 40 bytes on 64-bit */

/* ==== Firmware-internal configuration (EDK II PrmPkg interop) ======== */
/* "If either the GUID or the address is zero, neither is used." */
typedef struct {
  EFI_GUID HandlerGuid;
  UINT64   AcpiParameterBufferAddress;
} ACPI_PARAMETER_BUFFER_DESCRIPTOR;     /* 24 bytes */

/* No signature field (there is no 'PRMM'). */
typedef struct {
  EFI_GUID                          ModuleGuid;
  UINTN                             BufferCount;
  PRM_CONTEXT_BUFFER               *Buffer;
  PRM_RUNTIME_MMIO_RANGES          *RuntimeMmioRanges;
  UINTN                             AcpiParameterBufferDescriptorCount;
  ACPI_PARAMETER_BUFFER_DESCRIPTOR *AcpiParameterBufferDescriptors;
} PRM_MODULE_CONTEXT_BUFFERS;           /* 56 bytes on 64-bit */

typedef struct {
  PRM_MODULE_CONTEXT_BUFFERS ModuleContextBuffers;
} PRM_CONFIG_PROTOCOL;

/* ==== PlatformRtMechanism OperationRegion message (26 bytes) ========= */
/* The buffer AML writes to the PRM opregion (EDK II Prm.asl, ACPICA
 * ACPI_PRM_INPUT_BUFFER_SIZE, Linux struct prm_buffer). */
typedef struct {
  UINT8    PrmStatus;   /* out: PRM_OPREGION_STATUS_* */
  UINT64   EfiStatus;   /* out: the handler's EFI_STATUS */
  UINT8    PrmCommand;  /* in: PRM_OPREGION_CMD_* */
  EFI_GUID HandlerGuid; /* in */
} PRM_OPREGION_BUFFER;

#pragma pack(pop)

#define PRM_OPREGION_BUFFER_SIZE 26u

#define PRM_OPREGION_CMD_RUN_HANDLER 0u
#define PRM_OPREGION_CMD_LOCK        1u
#define PRM_OPREGION_CMD_UNLOCK      2u

/* Status byte values as Linux returns them. */
#define PRM_OPREGION_STATUS_SUCCESS                     0u
#define PRM_OPREGION_STATUS_HANDLER_ERROR               1u
#define PRM_OPREGION_STATUS_INVALID_COMMAND             2u
#define PRM_OPREGION_STATUS_HANDLER_GUID_NOT_FOUND      3u
#define PRM_OPREGION_STATUS_UPDATE_LOCK_ALREADY_HELD    4u
#define PRM_OPREGION_STATUS_UPDATE_UNLOCK_WITHOUT_LOCK  5u

/* ==== Handler entry point ============================================ */
/* Called by the OS in virtual mode with the UEFI runtime calling convention
 * (ms_abi on x64). Both arguments may be NULL. A handler must not call UEFI
 * runtime services. */
typedef EFI_STATUS EFIAPI PRM_HANDLER(VOID *ParameterBuffer,
                                      PRM_CONTEXT_BUFFER *ContextBuffer);
typedef PRM_HANDLER *PRM_HANDLER_POINTER;

#endif /* RTPRM_PRM_H */
