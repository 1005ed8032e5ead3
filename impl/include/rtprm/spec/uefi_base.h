/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * UEFI base data types (UEFI 2.10 §2.3.1 "Data Types"), status codes
 * (Appendix D), GUIDs and the memory descriptor (§7.2 GetMemoryMap).
 *
 * Our own definitions: no EDK II or gnu-efi header is included anywhere.
 * The same header compiles freestanding (firmware) and hosted (host tests).
 */
#ifndef RTPRM_UEFI_BASE_H
#define RTPRM_UEFI_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Calling convention ---------------------------------------------- */
/* UEFI §2.3.4: x64 uses the Microsoft x64 ABI; AArch64 and IA32 use the
 * platform's native C convention. */
#if defined(__x86_64__)
#define EFIAPI __attribute__((ms_abi))
#else
#define EFIAPI
#endif

/* ---- Fixed-width spec types ------------------------------------------ */
typedef uint8_t   UINT8;
typedef uint16_t  UINT16;
typedef uint32_t  UINT32;
typedef uint64_t  UINT64;
typedef int8_t    INT8;
typedef int16_t   INT16;
typedef int32_t   INT32;
typedef int64_t   INT64;
typedef uintptr_t UINTN;
typedef intptr_t  INTN;
typedef uint8_t   BOOLEAN;
typedef char      CHAR8;
typedef uint16_t  CHAR16;
typedef void      VOID;

typedef UINTN  EFI_STATUS;
typedef VOID  *EFI_HANDLE;
typedef VOID  *EFI_EVENT;
typedef UINTN  EFI_TPL;
typedef UINT64 EFI_PHYSICAL_ADDRESS;
typedef UINT64 EFI_VIRTUAL_ADDRESS;

#define EFI_TRUE  ((BOOLEAN)1)
#define EFI_FALSE ((BOOLEAN)0)

/* ---- Status codes (UEFI Appendix D) ---------------------------------- */
/* The high bit of a UINTN marks an error: bit 63 on 64-bit, bit 31 on IA32. */
#define EFI_ERROR_BIT     ((EFI_STATUS)1 << (sizeof(EFI_STATUS) * 8 - 1))
#define EFIERR(n)         (EFI_ERROR_BIT | (EFI_STATUS)(n))
#define EFI_ERROR(s)      (((EFI_STATUS)(s) & EFI_ERROR_BIT) != 0)

#define EFI_SUCCESS               ((EFI_STATUS)0)
#define EFI_LOAD_ERROR            EFIERR(1)
#define EFI_INVALID_PARAMETER     EFIERR(2)
#define EFI_UNSUPPORTED           EFIERR(3)
#define EFI_BAD_BUFFER_SIZE       EFIERR(4)
#define EFI_BUFFER_TOO_SMALL      EFIERR(5)
#define EFI_NOT_READY             EFIERR(6)
#define EFI_DEVICE_ERROR          EFIERR(7)
#define EFI_WRITE_PROTECTED       EFIERR(8)
#define EFI_OUT_OF_RESOURCES      EFIERR(9)
#define EFI_VOLUME_CORRUPTED      EFIERR(10)
#define EFI_VOLUME_FULL           EFIERR(11)
#define EFI_NO_MEDIA              EFIERR(12)
#define EFI_MEDIA_CHANGED         EFIERR(13)
#define EFI_NOT_FOUND             EFIERR(14)
#define EFI_ACCESS_DENIED         EFIERR(15)
#define EFI_NO_RESPONSE           EFIERR(16)
#define EFI_NO_MAPPING            EFIERR(17)
#define EFI_TIMEOUT               EFIERR(18)
#define EFI_NOT_STARTED           EFIERR(19)
#define EFI_ALREADY_STARTED       EFIERR(20)
#define EFI_ABORTED               EFIERR(21)
#define EFI_ICMP_ERROR            EFIERR(22)
#define EFI_TFTP_ERROR            EFIERR(23)
#define EFI_PROTOCOL_ERROR        EFIERR(24)
#define EFI_INCOMPATIBLE_VERSION  EFIERR(25)
#define EFI_SECURITY_VIOLATION    EFIERR(26)
#define EFI_CRC_ERROR             EFIERR(27)
#define EFI_END_OF_MEDIA          EFIERR(28)
#define EFI_END_OF_FILE           EFIERR(31)
#define EFI_INVALID_LANGUAGE      EFIERR(32)
#define EFI_COMPROMISED_DATA      EFIERR(33)
#define EFI_IP_ADDRESS_CONFLICT   EFIERR(34)
#define EFI_HTTP_ERROR            EFIERR(35)

/* ---- GUID (UEFI Appendix A) ------------------------------------------ */
typedef struct {
  UINT32 Data1;
  UINT16 Data2;
  UINT16 Data3;
  UINT8  Data4[8];
} EFI_GUID;

/* ---- Doubly linked list (PI Vol 2 §12.8: EFI_LIST_ENTRY) ------------- */
typedef struct _EFI_LIST_ENTRY {
  struct _EFI_LIST_ENTRY *ForwardLink;
  struct _EFI_LIST_ENTRY *BackLink;
} EFI_LIST_ENTRY;

/* ---- Memory map (UEFI §7.2 EFI_BOOT_SERVICES.GetMemoryMap) ----------- */
typedef enum {
  EfiReservedMemoryType,
  EfiLoaderCode,
  EfiLoaderData,
  EfiBootServicesCode,
  EfiBootServicesData,
  EfiRuntimeServicesCode,
  EfiRuntimeServicesData,
  EfiConventionalMemory,
  EfiUnusableMemory,
  EfiACPIReclaimMemory,
  EfiACPIMemoryNVS,
  EfiMemoryMappedIO,
  EfiMemoryMappedIOPortSpace,
  EfiPalCode,
  EfiPersistentMemory,
  EfiUnacceptedMemoryType,
  EfiMaxMemoryType
} EFI_MEMORY_TYPE;

/* §7.2: 0x70000000..0x7FFFFFFF are reserved for OEMs, 0x80000000..0xFFFFFFFF
 * for OS loaders; both are legal Type values in a memory map. */
#define EFI_MEMORY_TYPE_OEM_FIRST 0x70000000u
#define EFI_MEMORY_TYPE_OS_FIRST  0x80000000u

#define EFI_MEMORY_UC            0x0000000000000001ULL
#define EFI_MEMORY_WC            0x0000000000000002ULL
#define EFI_MEMORY_WT            0x0000000000000004ULL
#define EFI_MEMORY_WB            0x0000000000000008ULL
#define EFI_MEMORY_UCE           0x0000000000000010ULL
#define EFI_MEMORY_WP            0x0000000000001000ULL
#define EFI_MEMORY_RP            0x0000000000002000ULL
#define EFI_MEMORY_XP            0x0000000000004000ULL
#define EFI_MEMORY_NV            0x0000000000008000ULL
#define EFI_MEMORY_MORE_RELIABLE 0x0000000000010000ULL
#define EFI_MEMORY_RO            0x0000000000020000ULL
#define EFI_MEMORY_SP            0x0000000000040000ULL
#define EFI_MEMORY_CPU_CRYPTO    0x0000000000080000ULL
#define EFI_MEMORY_RUNTIME       0x8000000000000000ULL
#define EFI_MEMORY_ISA_VALID     0x4000000000000000ULL
#define EFI_MEMORY_ISA_MASK      0x0FFFF00000000000ULL

#define EFI_MEMORY_DESCRIPTOR_VERSION 1u
#define EFI_PAGE_SIZE                 4096u
#define EFI_PAGE_SHIFT                12u
#define EFI_PAGE_MASK                 0xFFFull

typedef struct {
  UINT32               Type;
  EFI_PHYSICAL_ADDRESS PhysicalStart;
  EFI_VIRTUAL_ADDRESS  VirtualStart;
  UINT64               NumberOfPages;
  UINT64               Attribute;
} EFI_MEMORY_DESCRIPTOR;

/* ---- Table header (UEFI §4.2) ---------------------------------------- */
typedef struct {
  UINT64 Signature;
  UINT32 Revision;
  UINT32 HeaderSize;
  UINT32 CRC32;
  UINT32 Reserved;
} EFI_TABLE_HEADER;

#endif /* RTPRM_UEFI_BASE_H */
