/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * ACPI structures this project builds or reads (ACPI 6.5): the system
 * description table header (§5.2.6), RSDP 2.0+ (§5.2.5.3), the XSDT
 * (§5.2.8), the Generic Address Structure (§5.2.3.2) and the address space
 * IDs, including PlatformRtMechanism (0x0B) used by PRM.
 *
 * ACPI tables are byte-packed and only 4-byte aligned at best (the XSDT's
 * UINT64 entries start at offset 36), so these structs are #pragma pack(1)
 * mirrors. Read untrusted tables through bounded byte accessors, never by
 * dereferencing a cast pointer to a member wider than a byte.
 */
#ifndef RTPRM_ACPI_H
#define RTPRM_ACPI_H

#include "rtprm/spec/uefi_base.h"

/* A 4-character table signature as a little-endian UINT32. */
#define RP_ACPI_SIG32(a, b, c, d) \
  ((UINT32)(UINT8)(a) | ((UINT32)(UINT8)(b) << 8) | \
   ((UINT32)(UINT8)(c) << 16) | ((UINT32)(UINT8)(d) << 24))

#define EFI_ACPI_RSDP_SIGNATURE 0x2052545020445352ULL /* "RSD PTR " */
#define EFI_ACPI_XSDT_SIGNATURE RP_ACPI_SIG32('X', 'S', 'D', 'T')
#define EFI_ACPI_RSDT_SIGNATURE RP_ACPI_SIG32('R', 'S', 'D', 'T')
#define EFI_ACPI_SSDT_SIGNATURE RP_ACPI_SIG32('S', 'S', 'D', 'T')
#define EFI_ACPI_DSDT_SIGNATURE RP_ACPI_SIG32('D', 'S', 'D', 'T')
#define EFI_ACPI_FADT_SIGNATURE RP_ACPI_SIG32('F', 'A', 'C', 'P')

#define EFI_ACPI_RSDP_REVISION_2 2u /* ACPI 2.0+: Length/XsdtAddress valid */
#define EFI_ACPI_XSDT_REVISION   1u

#pragma pack(push, 1)

/* System description table header (§5.2.6): 36 bytes. The sum of all
 * Length bytes of the table, Checksum included, is 0 mod 256. */
typedef struct {
  UINT32 Signature;
  UINT32 Length;           /* whole table, header included */
  UINT8  Revision;
  UINT8  Checksum;
  UINT8  OemId[6];
  UINT64 OemTableId;       /* 8 ASCII bytes */
  UINT32 OemRevision;
  UINT32 CreatorId;
  UINT32 CreatorRevision;
} EFI_ACPI_DESCRIPTION_HEADER;

/* RSDP, ACPI 2.0+ form (§5.2.5.3): 36 bytes. Checksum covers the first 20
 * bytes (the ACPI 1.0 part); ExtendedChecksum covers all Length bytes. */
typedef struct {
  UINT64 Signature;        /* EFI_ACPI_RSDP_SIGNATURE */
  UINT8  Checksum;
  UINT8  OemId[6];
  UINT8  Revision;         /* 2 for ACPI 2.0 and later */
  UINT32 RsdtAddress;
  UINT32 Length;           /* 36 */
  UINT64 XsdtAddress;
  UINT8  ExtendedChecksum;
  UINT8  Reserved[3];
} EFI_ACPI_ROOT_SYSTEM_DESCRIPTION_POINTER;

#define EFI_ACPI_RSDP_V1_LENGTH 20u

/* XSDT (§5.2.8): the header, then (Length - 36) / 8 UINT64 physical table
 * addresses starting at the unaligned offset 36. */
typedef struct {
  EFI_ACPI_DESCRIPTION_HEADER Header;
  UINT64                      Entry[];
} EFI_ACPI_XSDT;

/* Generic Address Structure (§5.2.3.2): 12 bytes. */
typedef struct {
  UINT8  AddressSpaceId;   /* EFI_ACPI_ADDRESS_SPACE_* */
  UINT8  RegisterBitWidth;
  UINT8  RegisterBitOffset;
  UINT8  AccessSize;       /* EFI_ACPI_ACCESS_SIZE_* */
  UINT64 Address;
} EFI_ACPI_GENERIC_ADDRESS_STRUCTURE;

#pragma pack(pop)

/* Address space IDs (§5.2.3.2, Table 5.1) and OperationRegion spaces. */
#define EFI_ACPI_ADDRESS_SPACE_SYSTEM_MEMORY              0x00u
#define EFI_ACPI_ADDRESS_SPACE_SYSTEM_IO                  0x01u
#define EFI_ACPI_ADDRESS_SPACE_PCI_CONFIGURATION          0x02u
#define EFI_ACPI_ADDRESS_SPACE_EMBEDDED_CONTROLLER        0x03u
#define EFI_ACPI_ADDRESS_SPACE_SMBUS                      0x04u
#define EFI_ACPI_ADDRESS_SPACE_SYSTEM_CMOS                0x05u
#define EFI_ACPI_ADDRESS_SPACE_PCI_BAR_TARGET             0x06u
#define EFI_ACPI_ADDRESS_SPACE_IPMI                       0x07u
#define EFI_ACPI_ADDRESS_SPACE_GENERAL_PURPOSE_IO         0x08u
#define EFI_ACPI_ADDRESS_SPACE_GENERIC_SERIAL_BUS         0x09u
#define EFI_ACPI_ADDRESS_SPACE_PLATFORM_COMMUNICATION     0x0Au
#define EFI_ACPI_ADDRESS_SPACE_PLATFORM_RUNTIME_MECHANISM 0x0Bu /* PRM (ACPI 6.5) */
#define EFI_ACPI_ADDRESS_SPACE_FUNCTIONAL_FIXED_HARDWARE  0x7Fu

#define EFI_ACPI_ACCESS_SIZE_UNDEFINED 0u
#define EFI_ACPI_ACCESS_SIZE_BYTE      1u
#define EFI_ACPI_ACCESS_SIZE_WORD      2u
#define EFI_ACPI_ACCESS_SIZE_DWORD     3u
#define EFI_ACPI_ACCESS_SIZE_QWORD     4u

#endif /* RTPRM_ACPI_H */
