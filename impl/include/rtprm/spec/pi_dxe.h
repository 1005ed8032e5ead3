/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * The part of the PI DXE Services Table (PI 1.8 Vol 2 §9.1 "DXE Services
 * Table", §9.2.1 "Global Coherency Domain Services") that PrmConfigDxe needs
 * to give runtime MMIO ranges the EFI_MEMORY_RUNTIME attribute. Our own
 * definitions from the spec's layouts; found through the system table's
 * configuration table under RP_GUID_DXE_SERVICES_TABLE.
 */
#ifndef RTPRM_PI_DXE_H
#define RTPRM_PI_DXE_H

#include "rtprm/spec/uefi_tables.h"

#define DXE_SERVICES_SIGNATURE 0x565245535f455844ULL /* "DXE_SERV" */

/* 05ad34ba-6f02-4214-952e-4da0398e2bb9 (PI Vol 2 §9.1) */
#define RP_GUID_DXE_SERVICES_TABLE \
  { 0x05ad34ba, 0x6f02, 0x4214, { 0x95, 0x2e, 0x4d, 0xa0, 0x39, 0x8e, 0x2b, 0xb9 } }

typedef enum {
  EfiGcdMemoryTypeNonExistent,
  EfiGcdMemoryTypeReserved,
  EfiGcdMemoryTypeSystemMemory,
  EfiGcdMemoryTypeMemoryMappedIo,
  EfiGcdMemoryTypePersistent,
  EfiGcdMemoryTypeMoreReliable,
  EfiGcdMemoryTypeUnaccepted,
  EfiGcdMemoryTypeMaximum
} EFI_GCD_MEMORY_TYPE;

typedef enum {
  EfiGcdAllocateAnySearchBottomUp,
  EfiGcdAllocateMaxAddressSearchBottomUp,
  EfiGcdAllocateAddress,
  EfiGcdAllocateAnySearchTopDown,
  EfiGcdAllocateMaxAddressSearchTopDown,
  EfiGcdMaxAllocateType
} EFI_GCD_ALLOCATE_TYPE;

/* PI Vol 2 §9.2.1.5 GetMemorySpaceDescriptor(): 56 bytes on 64-bit. */
typedef struct {
  EFI_PHYSICAL_ADDRESS BaseAddress;
  UINT64               Length;
  UINT64               Capabilities;
  UINT64               Attributes;
  EFI_GCD_MEMORY_TYPE  GcdMemoryType;
  EFI_HANDLE           ImageHandle;
  EFI_HANDLE           DeviceHandle;
} EFI_GCD_MEMORY_SPACE_DESCRIPTOR;

typedef EFI_STATUS (EFIAPI *EFI_ADD_MEMORY_SPACE)(EFI_GCD_MEMORY_TYPE GcdMemoryType, EFI_PHYSICAL_ADDRESS BaseAddress,
                                                  UINT64 Length, UINT64 Capabilities);
typedef EFI_STATUS (EFIAPI *EFI_ALLOCATE_MEMORY_SPACE)(EFI_GCD_ALLOCATE_TYPE GcdAllocateType,
                                                       EFI_GCD_MEMORY_TYPE GcdMemoryType, UINTN Alignment,
                                                       UINT64 Length, EFI_PHYSICAL_ADDRESS *BaseAddress,
                                                       EFI_HANDLE ImageHandle, EFI_HANDLE DeviceHandle);
typedef EFI_STATUS (EFIAPI *EFI_FREE_MEMORY_SPACE)(EFI_PHYSICAL_ADDRESS BaseAddress, UINT64 Length);
typedef EFI_STATUS (EFIAPI *EFI_REMOVE_MEMORY_SPACE)(EFI_PHYSICAL_ADDRESS BaseAddress, UINT64 Length);
typedef EFI_STATUS (EFIAPI *EFI_GET_MEMORY_SPACE_DESCRIPTOR)(EFI_PHYSICAL_ADDRESS BaseAddress,
                                                             EFI_GCD_MEMORY_SPACE_DESCRIPTOR *Descriptor);
typedef EFI_STATUS (EFIAPI *EFI_SET_MEMORY_SPACE_ATTRIBUTES)(EFI_PHYSICAL_ADDRESS BaseAddress, UINT64 Length,
                                                             UINT64 Attributes);
typedef EFI_STATUS (EFIAPI *EFI_GET_MEMORY_SPACE_MAP)(UINTN *NumberOfDescriptors,
                                                      EFI_GCD_MEMORY_SPACE_DESCRIPTOR **MemorySpaceMap);

/* Only the memory-space members are typed; the rest keep the slots. */
typedef struct {
  EFI_TABLE_HEADER                Hdr;
  EFI_ADD_MEMORY_SPACE            AddMemorySpace;
  EFI_ALLOCATE_MEMORY_SPACE       AllocateMemorySpace;
  EFI_FREE_MEMORY_SPACE           FreeMemorySpace;
  EFI_REMOVE_MEMORY_SPACE         RemoveMemorySpace;
  EFI_GET_MEMORY_SPACE_DESCRIPTOR GetMemorySpaceDescriptor;
  EFI_SET_MEMORY_SPACE_ATTRIBUTES SetMemorySpaceAttributes;
  EFI_GET_MEMORY_SPACE_MAP        GetMemorySpaceMap;
  VOID *AddIoSpace, *AllocateIoSpace, *FreeIoSpace, *RemoveIoSpace, *GetIoSpaceDescriptor, *GetIoSpaceMap;
  VOID *Dispatch, *Schedule, *Trust, *ProcessFirmwareVolume, *SetMemorySpaceCapabilities;
} DXE_SERVICES;

_Static_assert(sizeof(void *) != 8 || sizeof(EFI_GCD_MEMORY_SPACE_DESCRIPTOR) == 56, "PI Vol 2 9.2.1.5");
_Static_assert(sizeof(void *) != 8 || sizeof(DXE_SERVICES) == 24 + 18 * 8, "PI Vol 2 9.1");

#endif /* RTPRM_PI_DXE_H */
