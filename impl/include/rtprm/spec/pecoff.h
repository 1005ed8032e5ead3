/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * PE/COFF image layouts (Microsoft "PE Format" specification, cited as
 * "PE/COFF spec §N") and the TE header (PI 1.8 Vol 1, TE image).
 *
 * HOW TO USE THESE STRUCTS. They are layout mirrors: use them for sizeof,
 * offsetof and for building images in tests. Parsers must NOT cast untrusted
 * bytes to them. Image headers live at file offsets chosen by the image
 * (e_lfanew, SizeOfOptionalHeader, ...), so a header may be unaligned and
 * may run past the end of the buffer; read every field through the bounded
 * little-endian accessors in rtprm/bytes.h at base + offsetof(T, Field).
 *
 * Every struct here is naturally aligned as the PE format lays it out (each
 * field sits at a multiple of its size), so no packing is needed: the sizes
 * and offsets below are identical on x64, AArch64 and IA32 and are checked by
 * layout.def. The PE32+ optional header and the TE header contain UINT64
 * fields at 8-aligned offsets.
 */
#ifndef RTPRM_PECOFF_H
#define RTPRM_PECOFF_H

#include "rtprm/spec/uefi_base.h"

/* ---- MS-DOS header (PE/COFF spec §3.1) ------------------------------- */
#define IMAGE_DOS_SIGNATURE       0x5A4Du /* "MZ" */
#define IMAGE_DOS_LFANEW_OFFSET   0x3Cu   /* file offset of e_lfanew */

typedef struct {
  UINT16 e_magic;    /* IMAGE_DOS_SIGNATURE */
  UINT16 e_cblp;
  UINT16 e_cp;
  UINT16 e_crlc;
  UINT16 e_cparhdr;
  UINT16 e_minalloc;
  UINT16 e_maxalloc;
  UINT16 e_ss;
  UINT16 e_sp;
  UINT16 e_csum;
  UINT16 e_ip;
  UINT16 e_cs;
  UINT16 e_lfarlc;
  UINT16 e_ovno;
  UINT16 e_res[4];
  UINT16 e_oemid;
  UINT16 e_oeminfo;
  UINT16 e_res2[10];
  UINT32 e_lfanew;   /* file offset of the PE signature */
} IMAGE_DOS_HEADER;  /* 64 bytes */

/* ---- PE signature (§3.2) --------------------------------------------- */
#define IMAGE_NT_SIGNATURE 0x00004550u /* "PE\0\0" */

/* ---- COFF file header (§3.3) ----------------------------------------- */
typedef struct {
  UINT16 Machine;              /* IMAGE_FILE_MACHINE_* */
  UINT16 NumberOfSections;
  UINT32 TimeDateStamp;
  UINT32 PointerToSymbolTable;
  UINT32 NumberOfSymbols;
  UINT16 SizeOfOptionalHeader;
  UINT16 Characteristics;      /* IMAGE_FILE_* */
} IMAGE_FILE_HEADER;           /* 20 bytes */

/* Machine types (§3.3.1). */
#define IMAGE_FILE_MACHINE_UNKNOWN        0x0000u
#define IMAGE_FILE_MACHINE_I386           0x014Cu
#define IMAGE_FILE_MACHINE_IA64           0x0200u
#define IMAGE_FILE_MACHINE_EBC            0x0EBCu
#define IMAGE_FILE_MACHINE_AMD64          0x8664u
#define IMAGE_FILE_MACHINE_ARM            0x01C0u
#define IMAGE_FILE_MACHINE_ARMTHUMB_MIXED 0x01C2u /* PE spec: IMAGE_FILE_MACHINE_THUMB */
#define IMAGE_FILE_MACHINE_ARMNT          0x01C4u /* ARM Thumb-2, little-endian */
#define IMAGE_FILE_MACHINE_ARM64          0xAA64u
#define IMAGE_FILE_MACHINE_RISCV32        0x5032u
#define IMAGE_FILE_MACHINE_RISCV64        0x5064u
#define IMAGE_FILE_MACHINE_RISCV128       0x5128u
#define IMAGE_FILE_MACHINE_LOONGARCH32    0x6232u
#define IMAGE_FILE_MACHINE_LOONGARCH64    0x6264u

/* File characteristics (§3.3.2). */
#define IMAGE_FILE_RELOCS_STRIPPED         0x0001u
#define IMAGE_FILE_EXECUTABLE_IMAGE        0x0002u
#define IMAGE_FILE_LINE_NUMS_STRIPPED      0x0004u
#define IMAGE_FILE_LOCAL_SYMS_STRIPPED     0x0008u
#define IMAGE_FILE_AGGRESSIVE_WS_TRIM      0x0010u
#define IMAGE_FILE_LARGE_ADDRESS_AWARE     0x0020u
#define IMAGE_FILE_BYTES_REVERSED_LO       0x0080u
#define IMAGE_FILE_32BIT_MACHINE           0x0100u
#define IMAGE_FILE_DEBUG_STRIPPED          0x0200u
#define IMAGE_FILE_REMOVABLE_RUN_FROM_SWAP 0x0400u
#define IMAGE_FILE_NET_RUN_FROM_SWAP       0x0800u
#define IMAGE_FILE_SYSTEM                  0x1000u
#define IMAGE_FILE_DLL                     0x2000u
#define IMAGE_FILE_UP_SYSTEM_ONLY          0x4000u
#define IMAGE_FILE_BYTES_REVERSED_HI       0x8000u

/* ---- Data directories (§3.4.3) --------------------------------------- */
typedef struct {
  UINT32 VirtualAddress; /* RVA */
  UINT32 Size;
} IMAGE_DATA_DIRECTORY;  /* 8 bytes */

#define IMAGE_DIRECTORY_ENTRY_EXPORT         0u
#define IMAGE_DIRECTORY_ENTRY_IMPORT         1u
#define IMAGE_DIRECTORY_ENTRY_RESOURCE       2u
#define IMAGE_DIRECTORY_ENTRY_EXCEPTION      3u
#define IMAGE_DIRECTORY_ENTRY_SECURITY       4u  /* certificate table: a file offset, not an RVA */
#define IMAGE_DIRECTORY_ENTRY_BASERELOC      5u
#define IMAGE_DIRECTORY_ENTRY_DEBUG          6u
#define IMAGE_DIRECTORY_ENTRY_ARCHITECTURE   7u  /* reserved, must be 0 */
#define IMAGE_DIRECTORY_ENTRY_GLOBALPTR      8u
#define IMAGE_DIRECTORY_ENTRY_TLS            9u
#define IMAGE_DIRECTORY_ENTRY_LOAD_CONFIG    10u
#define IMAGE_DIRECTORY_ENTRY_BOUND_IMPORT   11u
#define IMAGE_DIRECTORY_ENTRY_IAT            12u
#define IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT   13u
#define IMAGE_DIRECTORY_ENTRY_COM_DESCRIPTOR 14u
#define IMAGE_DIRECTORY_ENTRY_RESERVED       15u
#define IMAGE_NUMBER_OF_DIRECTORY_ENTRIES    16u

/* ---- Optional header (§3.4) ------------------------------------------ */
#define IMAGE_NT_OPTIONAL_HDR32_MAGIC 0x010Bu /* PE32 */
#define IMAGE_NT_OPTIONAL_HDR64_MAGIC 0x020Bu /* PE32+ */

/* NumberOfRvaAndSizes may be smaller than 16: DataDirectory[i] exists only
 * for i < NumberOfRvaAndSizes and within SizeOfOptionalHeader. The arrays
 * below are the maximal layout. */
typedef struct {
  /* Standard fields (§3.4.1) */
  UINT16 Magic;
  UINT8  MajorLinkerVersion;
  UINT8  MinorLinkerVersion;
  UINT32 SizeOfCode;
  UINT32 SizeOfInitializedData;
  UINT32 SizeOfUninitializedData;
  UINT32 AddressOfEntryPoint;
  UINT32 BaseOfCode;
  UINT32 BaseOfData;             /* PE32 only */
  /* Windows-specific fields (§3.4.2) */
  UINT32 ImageBase;
  UINT32 SectionAlignment;
  UINT32 FileAlignment;
  UINT16 MajorOperatingSystemVersion;
  UINT16 MinorOperatingSystemVersion;
  UINT16 MajorImageVersion;
  UINT16 MinorImageVersion;
  UINT16 MajorSubsystemVersion;
  UINT16 MinorSubsystemVersion;
  UINT32 Win32VersionValue;
  UINT32 SizeOfImage;
  UINT32 SizeOfHeaders;
  UINT32 CheckSum;
  UINT16 Subsystem;
  UINT16 DllCharacteristics;
  UINT32 SizeOfStackReserve;
  UINT32 SizeOfStackCommit;
  UINT32 SizeOfHeapReserve;
  UINT32 SizeOfHeapCommit;
  UINT32 LoaderFlags;
  UINT32 NumberOfRvaAndSizes;
  IMAGE_DATA_DIRECTORY DataDirectory[IMAGE_NUMBER_OF_DIRECTORY_ENTRIES];
} IMAGE_OPTIONAL_HEADER32;       /* 224 bytes; DataDirectory at 96 */

typedef struct {
  /* Standard fields (§3.4.1): no BaseOfData in PE32+ */
  UINT16 Magic;
  UINT8  MajorLinkerVersion;
  UINT8  MinorLinkerVersion;
  UINT32 SizeOfCode;
  UINT32 SizeOfInitializedData;
  UINT32 SizeOfUninitializedData;
  UINT32 AddressOfEntryPoint;
  UINT32 BaseOfCode;
  /* Windows-specific fields (§3.4.2) */
  UINT64 ImageBase;
  UINT32 SectionAlignment;
  UINT32 FileAlignment;
  UINT16 MajorOperatingSystemVersion;
  UINT16 MinorOperatingSystemVersion;
  UINT16 MajorImageVersion;
  UINT16 MinorImageVersion;
  UINT16 MajorSubsystemVersion;
  UINT16 MinorSubsystemVersion;
  UINT32 Win32VersionValue;
  UINT32 SizeOfImage;
  UINT32 SizeOfHeaders;
  UINT32 CheckSum;
  UINT16 Subsystem;
  UINT16 DllCharacteristics;
  UINT64 SizeOfStackReserve;
  UINT64 SizeOfStackCommit;
  UINT64 SizeOfHeapReserve;
  UINT64 SizeOfHeapCommit;
  UINT32 LoaderFlags;
  UINT32 NumberOfRvaAndSizes;
  IMAGE_DATA_DIRECTORY DataDirectory[IMAGE_NUMBER_OF_DIRECTORY_ENTRIES];
} IMAGE_OPTIONAL_HEADER64;       /* 240 bytes; DataDirectory at 112 */

/* Signature + file header + optional header, as they follow e_lfanew. */
typedef struct {
  UINT32                  Signature; /* IMAGE_NT_SIGNATURE */
  IMAGE_FILE_HEADER       FileHeader;
  IMAGE_OPTIONAL_HEADER32 OptionalHeader;
} IMAGE_NT_HEADERS32;                /* 248 bytes */

typedef struct {
  UINT32                  Signature;
  IMAGE_FILE_HEADER       FileHeader;
  IMAGE_OPTIONAL_HEADER64 OptionalHeader;
} IMAGE_NT_HEADERS64;                /* 264 bytes */

/* Subsystems (§3.4.2). */
#define IMAGE_SUBSYSTEM_UNKNOWN                 0u
#define IMAGE_SUBSYSTEM_NATIVE                  1u
#define IMAGE_SUBSYSTEM_WINDOWS_GUI             2u
#define IMAGE_SUBSYSTEM_WINDOWS_CUI             3u
#define IMAGE_SUBSYSTEM_EFI_APPLICATION         10u
#define IMAGE_SUBSYSTEM_EFI_BOOT_SERVICE_DRIVER 11u
#define IMAGE_SUBSYSTEM_EFI_RUNTIME_DRIVER      12u
#define IMAGE_SUBSYSTEM_EFI_ROM                 13u

/* DLL characteristics (§3.4.2). */
#define IMAGE_DLLCHARACTERISTICS_HIGH_ENTROPY_VA       0x0020u
#define IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE          0x0040u
#define IMAGE_DLLCHARACTERISTICS_FORCE_INTEGRITY       0x0080u
#define IMAGE_DLLCHARACTERISTICS_NX_COMPAT             0x0100u
#define IMAGE_DLLCHARACTERISTICS_NO_ISOLATION          0x0200u
#define IMAGE_DLLCHARACTERISTICS_NO_SEH                0x0400u
#define IMAGE_DLLCHARACTERISTICS_NO_BIND               0x0800u
#define IMAGE_DLLCHARACTERISTICS_APPCONTAINER          0x1000u
#define IMAGE_DLLCHARACTERISTICS_WDM_DRIVER            0x2000u
#define IMAGE_DLLCHARACTERISTICS_GUARD_CF              0x4000u
#define IMAGE_DLLCHARACTERISTICS_TERMINAL_SERVER_AWARE 0x8000u

/* ---- Section table (§4) ----------------------------------------------- */
#define IMAGE_SIZEOF_SHORT_NAME 8u

typedef struct {
  UINT8  Name[IMAGE_SIZEOF_SHORT_NAME]; /* not necessarily NUL-terminated */
  UINT32 VirtualSize;                   /* "Misc" in some headers */
  UINT32 VirtualAddress;
  UINT32 SizeOfRawData;
  UINT32 PointerToRawData;
  UINT32 PointerToRelocations;
  UINT32 PointerToLinenumbers;
  UINT16 NumberOfRelocations;
  UINT16 NumberOfLinenumbers;
  UINT32 Characteristics;               /* IMAGE_SCN_* */
} IMAGE_SECTION_HEADER;                 /* 40 bytes */

/* Section flags (§4.1). */
#define IMAGE_SCN_TYPE_NO_PAD            0x00000008u
#define IMAGE_SCN_CNT_CODE               0x00000020u
#define IMAGE_SCN_CNT_INITIALIZED_DATA   0x00000040u
#define IMAGE_SCN_CNT_UNINITIALIZED_DATA 0x00000080u
#define IMAGE_SCN_LNK_INFO               0x00000200u
#define IMAGE_SCN_LNK_REMOVE             0x00000800u
#define IMAGE_SCN_LNK_COMDAT             0x00001000u
#define IMAGE_SCN_GPREL                  0x00008000u
#define IMAGE_SCN_ALIGN_MASK             0x00F00000u /* object files only */
#define IMAGE_SCN_LNK_NRELOC_OVFL        0x01000000u
#define IMAGE_SCN_MEM_DISCARDABLE        0x02000000u
#define IMAGE_SCN_MEM_NOT_CACHED         0x04000000u
#define IMAGE_SCN_MEM_NOT_PAGED          0x08000000u
#define IMAGE_SCN_MEM_SHARED             0x10000000u
#define IMAGE_SCN_MEM_EXECUTE            0x20000000u
#define IMAGE_SCN_MEM_READ               0x40000000u
#define IMAGE_SCN_MEM_WRITE              0x80000000u

/* ---- Base relocations (§5.6) ----------------------------------------- */
/* A block header followed by (SizeOfBlock - 8) / 2 UINT16 entries: type in
 * bits 15..12, offset from VirtualAddress in bits 11..0. */
typedef struct {
  UINT32 VirtualAddress; /* page RVA */
  UINT32 SizeOfBlock;    /* bytes including this header */
} IMAGE_BASE_RELOCATION; /* 8 bytes (§5.6.1) */

#define IMAGE_REL_ENTRY_TYPE(e)   ((UINT16)(e) >> 12)
#define IMAGE_REL_ENTRY_OFFSET(e) ((UINT16)(e) & 0x0FFFu)

/* Types (§5.6.2). Several machine-specific types share a number; the
 * meaning follows the image's Machine. */
#define IMAGE_REL_BASED_ABSOLUTE          0u  /* padding, skipped */
#define IMAGE_REL_BASED_HIGH              1u
#define IMAGE_REL_BASED_LOW               2u
#define IMAGE_REL_BASED_HIGHLOW           3u
#define IMAGE_REL_BASED_HIGHADJ           4u  /* takes the next entry as a parameter */
#define IMAGE_REL_BASED_ARM_MOV32A        5u  /* ARM: MOVW/MOVT pair */
#define IMAGE_REL_BASED_MIPS_JMPADDR      5u
#define IMAGE_REL_BASED_RISCV_HI20        5u
#define IMAGE_REL_BASED_ARM_MOV32T        7u  /* Thumb-2: MOVW/MOVT pair */
#define IMAGE_REL_BASED_RISCV_LOW12I      7u
#define IMAGE_REL_BASED_RISCV_LOW12S      8u
#define IMAGE_REL_BASED_LOONGARCH32_MARK_LA 8u
#define IMAGE_REL_BASED_LOONGARCH64_MARK_LA 8u
#define IMAGE_REL_BASED_MIPS_JMPADDR16    9u
#define IMAGE_REL_BASED_DIR64             10u

/* ---- Export directory (§5.3.1) --------------------------------------- */
typedef struct {
  UINT32 Characteristics;       /* reserved, 0 */
  UINT32 TimeDateStamp;
  UINT16 MajorVersion;
  UINT16 MinorVersion;
  UINT32 Name;                  /* RVA of the DLL name */
  UINT32 Base;                  /* ordinal base; lld-link writes 0, others 1 */
  UINT32 NumberOfFunctions;     /* entries in the address table */
  UINT32 NumberOfNames;         /* entries in the name and ordinal tables */
  UINT32 AddressOfFunctions;    /* RVA of UINT32[NumberOfFunctions] */
  UINT32 AddressOfNames;        /* RVA of UINT32 name RVAs, sorted */
  UINT32 AddressOfNameOrdinals; /* RVA of UINT16[NumberOfNames], unbiased */
} IMAGE_EXPORT_DIRECTORY;       /* 40 bytes */

/* ---- Debug directory (§5.1.1) ---------------------------------------- */
typedef struct {
  UINT32 Characteristics;
  UINT32 TimeDateStamp;
  UINT16 MajorVersion;
  UINT16 MinorVersion;
  UINT32 Type;              /* IMAGE_DEBUG_TYPE_* */
  UINT32 SizeOfData;
  UINT32 AddressOfRawData;  /* RVA when loaded */
  UINT32 PointerToRawData;  /* file offset */
} IMAGE_DEBUG_DIRECTORY;    /* 28 bytes */

#define IMAGE_DEBUG_TYPE_UNKNOWN          0u
#define IMAGE_DEBUG_TYPE_CODEVIEW         2u
#define IMAGE_DEBUG_TYPE_EX_DLLCHARACTERISTICS 20u

#define IMAGE_CODEVIEW_SIGNATURE_RSDS 0x53445352u /* "RSDS" (PDB 7.0) */
#define IMAGE_CODEVIEW_SIGNATURE_NB10 0x3031424Eu /* "NB10" (PDB 2.0) */

/* ---- TE image header (PI 1.8 Vol 1, TE image) ------------------------ */
/* A PE image with its DOS/PE/optional headers replaced by this 40-byte
 * header. StrippedSize bytes were removed from the front, so an RVA maps to
 * file offset RVA - StrippedSize + sizeof(EFI_TE_IMAGE_HEADER). */
#define EFI_TE_IMAGE_HEADER_SIGNATURE 0x5A56u /* "VZ" */
#define EFI_TE_IMAGE_DIRECTORY_ENTRY_BASERELOC 0u
#define EFI_TE_IMAGE_DIRECTORY_ENTRY_DEBUG     1u

typedef struct {
  UINT16               Signature;        /* EFI_TE_IMAGE_HEADER_SIGNATURE */
  UINT16               Machine;
  UINT8                NumberOfSections;
  UINT8                Subsystem;
  UINT16               StrippedSize;
  UINT32               AddressOfEntryPoint;
  UINT32               BaseOfCode;
  UINT64               ImageBase;
  IMAGE_DATA_DIRECTORY DataDirectory[2]; /* [0] base relocations, [1] debug */
} EFI_TE_IMAGE_HEADER;                   /* 40 bytes */

#endif /* RTPRM_PECOFF_H */
