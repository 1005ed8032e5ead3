/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Hardened PE/COFF image library: validate, load, relocate, record
 * fixups, runtime re-relocate, exports. Layout mirrors are in rtprm/spec/pecoff.h;
 * this header is the API. Every value read from an image is bounds- and
 * overflow-checked before use; every rejection is an EFI_STATUS plus a reason
 * (reasons.def 0x02xx) and an index/offset in rp_diag.
 *
 * Phases, each a file in impl/pecoff/:
 *   pe_parse.c     rp_pe_parse: headers, sections, data directories
 *   pe_load.c      rp_pe_load: file -> SizeOfImage memory image
 *   pe_reloc.c     rp_pe_relocate: validate every block/entry, then apply;
 *                  record fixups (EDK II RelocationData and native format)
 *   pe_runtime.c   rp_pe_runtime_relocate: SetVirtualAddressMap re-relocation
 *   pe_export.c    export directory validation and lookup
 *
 * Compatibility policy (docs/pecoff.md §1): what makes a mapping unsafe or
 * undefined is rejected; a broken spec rule whose mapping is still well
 * defined is a *finding*: under RP_PE_PROFILE_COMPAT the image is mapped as
 * the spec's mapping rule says and the finding is reported in the result
 * (rp_pe_image.findings, rp_pe_reloc_stats.findings,
 * rp_pe_rerelocate_stats.findings); RP_PE_PROFILE_STRICT rejects it with the
 * finding's own reason. Relocation is all-or-nothing: every block and entry
 * is validated before the first byte is written. TE images (PI Vol 1 §15)
 * are parsed into the same context (rp_pe_image.te).
 */
#ifndef RTPRM_PE_H
#define RTPRM_PE_H

#include "rtprm/bytes.h"
#include "rtprm/status.h"
#include "rtprm/spec/uefi_base.h"

#define RP_PE_MAX_SECTIONS 96u  /* PE spec: the loader limit is 96 */
#define RP_PE_NUM_DIRS     16u

/* What a finding does (docs/pecoff.md §1). COMPAT is what firmware loads
 * (the CLI, RuntimeDxe, PrmLoaderDxe and the runtime pass use it). */
typedef enum {
  RP_PE_PROFILE_COMPAT = 0, /* map by the spec's mapping rule, report the finding */
  RP_PE_PROFILE_STRICT = 1, /* every finding is a rejection with its reason */
} rp_pe_profile;

/* Whether the bytes are a file (sections at PointerToRawData) or an image
 * already mapped at RVAs (sections at VirtualAddress, e.g. a loaded image). */
typedef enum { RP_PE_LAYOUT_FILE = 0, RP_PE_LAYOUT_MAPPED = 1 } rp_pe_layout;

typedef struct rp_pe_dir {
  uint32_t rva;
  uint32_t size;
} rp_pe_dir;

typedef struct rp_pe_section {
  char     name[9];          /* NUL-terminated copy of the 8-byte name */
  uint32_t virtual_address;  /* RVA */
  uint32_t virtual_size;
  uint32_t raw_offset;       /* PointerToRawData */
  uint32_t raw_size;         /* SizeOfRawData */
  uint32_t characteristics;
} rp_pe_section;

/* A validated image: the result of rp_pe_parse. Plain data, no pointers into
 * the bytes except `bytes`, which must outlive the context.
 *
 * Every RVA field (sections, dirs, entry_rva) is an offset from the first
 * byte of the mapped image. For a TE image that first byte is the TE header
 * (PI Vol 1 §17.2), so each is the header's value minus te_adjust
 * (StrippedSize - 40); image_base is where that header sits when the image
 * is not moved (ImageBase + te_adjust); size_of_headers covers the TE header
 * and the section table; size_of_image ends with the last section;
 * section_alignment and file_alignment are 0 (TE has neither);
 * num_rva_and_sizes is 7 (dirs[5] relocations, dirs[6] debug); and
 * characteristics is IMAGE_FILE_RELOCS_STRIPPED when the relocation
 * directory is (0, 0), the PI spec's "cannot move" (a non-zero RVA with size 0
 * is position independent, §17.4). */
typedef struct rp_pe_image {
  rp_bytes     bytes;            /* what was parsed */
  rp_pe_layout layout;
  uint16_t     machine;          /* IMAGE_FILE_MACHINE_* */
  bool         pe32plus;         /* optional header magic 0x20B */
  uint16_t     characteristics;  /* COFF file header */
  uint16_t     subsystem;
  uint16_t     dll_characteristics;
  uint16_t     major_image_version, minor_image_version;
  uint64_t     image_base;       /* preferred base from the optional header */
  uint32_t     size_of_image;
  uint32_t     size_of_headers;
  uint32_t     section_alignment;
  uint32_t     file_alignment;
  uint32_t     entry_rva;
  uint32_t     pe_offset;        /* e_lfanew */
  uint32_t     num_rva_and_sizes; /* as declared (0..16 accepted) */
  rp_pe_dir    dirs[RP_PE_NUM_DIRS]; /* entries >= num_rva_and_sizes are zero */
  uint16_t     num_sections;
  rp_pe_section sections[RP_PE_MAX_SECTIONS];
  rp_pe_profile profile;         /* as given to rp_pe_parse; relocation follows it */
  bool         te;               /* a TE image ('VZ') */
  uint16_t     te_stripped_size; /* TE: StrippedSize; 0 for PE */
  uint32_t     te_adjust;        /* TE: StrippedSize - 40; 0 for PE */
  rp_findings  findings;         /* parse findings, in check order */
} rp_pe_image;

/* Validates a PE (DOS/PE headers, optional header, machine, sizes, section
 * table: sorted, disjoint, inside image and file; data directories: inside
 * the image, no RVA+Size wrap) or a TE image (docs/pecoff.md §2, §2.1).
 * Nothing is written but *img (zeroed on failure). Findings of the profile
 * land in img->findings; STRICT rejects the first one instead. */
EFI_STATUS rp_pe_parse(rp_bytes bytes, rp_pe_layout layout, rp_pe_profile profile, rp_pe_image *img,
                       rp_diag *diag);

/* Maps a parsed FILE into dest (exactly size_of_image bytes): headers,
 * section raw data, zero-filled tails and gaps. Does not relocate. */
EFI_STATUS rp_pe_load(const rp_pe_image *file, rp_mbytes dest, rp_diag *diag);

/* ---- relocation ----------------------------------------------------------- */

typedef enum {
  RP_FIXUP_NONE = 0,   /* relocate without recording */
  RP_FIXUP_EDK2 = 1,   /* EDK II RelocationData, byte-exact (runtime.md §4.1) */
  RP_FIXUP_NATIVE = 2, /* rp native: u32 dir_rva, u32 dir_size, u64 value per entry */
} rp_fixup_format;

/* Bytes a fixup record needs for this image in the given format (EDK II:
 * dir_size / 2 * 8, as the DXE core allocates; native: 8 + 4 * dir_size).
 * EFI_UNSUPPORTED for NONE; overflow-checked. */
EFI_STATUS rp_pe_fixup_size(const rp_pe_image *img, rp_fixup_format fmt, uint64_t *size, rp_diag *diag);

typedef struct rp_pe_reloc_stats {
  uint64_t blocks;
  uint64_t entries;            /* all entries including ABSOLUTE padding */
  uint64_t by_type[16];        /* entries per relocation type */
  uint64_t record_bytes;       /* bytes of the fixup record written */
  rp_findings findings;        /* relocation findings (block alignment, moved without fixups) */
} rp_pe_reloc_stats;

/* Relocates a mapped image (layout MAPPED over `image`, size_of_image bytes)
 * from img->image_base to new_base. Validates every block and entry first
 * (block size >= 8, 4-aligned, inside the directory, directory consumed
 * exactly, whole target inside the image and outside headers and the
 * relocation directory, type known for the machine); only then writes.
 * Records fixups into `record` (8-byte aligned, rp_pe_fixup_size bytes, not
 * overlapping the image) when fmt != RP_FIXUP_NONE, also when new_base ==
 * image_base. Updates the optional header's ImageBase in the image.
 * Follows img->profile: relocation findings go to stats->findings. */
EFI_STATUS rp_pe_relocate(const rp_pe_image *img, rp_mbytes image, uint64_t new_base, rp_fixup_format fmt,
                          rp_mbytes record, rp_pe_reloc_stats *stats, rp_diag *diag);

typedef struct rp_pe_rerelocate_stats {
  uint64_t applied;  /* sites adjusted */
  uint64_t skipped;  /* sites whose value no longer equals the record */
  rp_findings findings; /* of the re-parse and of the walk */
} rp_pe_rerelocate_stats;

/* SetVirtualAddressMap path: re-relocates the mapped image at `image` (whose
 * current relocated base is `old_base`) for new_base, from a record of the
 * given format and size. Re-parses and re-validates the image headers and
 * relocation directory, validates the record (8-byte aligned, not
 * overlapping the image, size against the directory), then adjusts only
 * sites still holding their recorded value. Malformed
 * input is an error, never a silent stop. `stats` (optional) is complete on
 * success; the walk collects its findings in stats->findings as it goes, so
 * after a rejection that list may hold what was found before it. */
EFI_STATUS rp_pe_runtime_relocate(rp_mbytes image, rp_pe_profile profile, uint64_t old_base, uint64_t new_base,
                                  rp_fixup_format fmt, rp_bytes record, rp_pe_rerelocate_stats *stats,
                                  rp_diag *diag);

/* Every check rp_pe_runtime_relocate makes, without writing: the same status
 * and reason it would return. SetVirtualAddressMap validates each image with
 * it before changing anything (docs/runtime.md). */
EFI_STATUS rp_pe_runtime_check(rp_bytes image, rp_pe_profile profile, uint64_t old_base, uint64_t new_base,
                               rp_fixup_format fmt, rp_bytes record, rp_diag *diag);

/* The two above with the parsed-image context (~3.3 KiB) in caller memory
 * `ws` instead of on the stack: for a caller on a small stack
 * (SetVirtualAddressMap runs on the OS's; docs/ARCHITECTURE.md "Stack
 * budget"). ws is scratch, overwritten; NULL: EFI_INVALID_PARAMETER. */
EFI_STATUS rp_pe_runtime_relocate_in(rp_pe_image *ws, rp_mbytes image, rp_pe_profile profile, uint64_t old_base,
                                     uint64_t new_base, rp_fixup_format fmt, rp_bytes record,
                                     rp_pe_rerelocate_stats *stats, rp_diag *diag);
EFI_STATUS rp_pe_runtime_check_in(rp_pe_image *ws, rp_bytes image, rp_pe_profile profile, uint64_t old_base,
                                  uint64_t new_base, rp_fixup_format fmt, rp_bytes record, rp_diag *diag);


/* ---- exports ----------------------------------------------------------------- */

typedef struct rp_pe_exports {
  uint32_t dir_rva, dir_size;   /* the export data directory */
  uint32_t base;                /* ordinal base (lld writes 0, GNU ld and MSVC 1) */
  uint32_t num_functions;
  uint32_t num_names;
  uint32_t functions_rva, names_rva, ordinals_rva, name_rva;
  bool     names_sorted;        /* name table in strict ascending order */
} rp_pe_exports;

typedef struct rp_pe_export {
  const char *name;      /* points into img->bytes, NUL-terminated */
  uint32_t    ordinal_index; /* raw value from the ordinal table (EAT index) */
  uint32_t    rva;       /* EAT[ordinal_index]; 0 for an empty slot */
  bool        forwarder; /* rva points inside the export directory */
} rp_pe_export;

/* Validates the export directory of a parsed image (either layout): tables
 * inside the image, every name pointer inside and NUL-terminated, every
 * ordinal < NumberOfFunctions. */
EFI_STATUS rp_pe_exports_parse(const rp_pe_image *img, rp_pe_exports *exp, rp_diag *diag);
/* The i-th named export (0 <= i < num_names). */
EFI_STATUS rp_pe_export_at(const rp_pe_image *img, const rp_pe_exports *exp, uint32_t i, rp_pe_export *out,
                           rp_diag *diag);
/* Exact-name lookup: binary search when names_sorted, linear otherwise.
 * EFI_NOT_FOUND (RP_R_PE_EXPORT_NOT_FOUND) when absent. */
EFI_STATUS rp_pe_export_find(const rp_pe_image *img, const rp_pe_exports *exp, const char *name,
                             rp_pe_export *out, rp_diag *diag);

/* File offset or mapped offset of an RVA range [rva, rva+len) for the image's
 * layout; false when any byte lies outside a section or the headers. */
bool rp_pe_rva_to_offset(const rp_pe_image *img, uint32_t rva, uint32_t len, uint64_t *offset);

/* ---- Authenticode (docs/pecoff.md §9) -----------------------------------
 * What a signature over a PE file covers ("Windows Authenticode Portable
 * Executable Signature Format", "Calculating the PE Image Hash"; PE/COFF
 * spec §4 "Attribute Certificate Table"): the headers without the CheckSum
 * field and without the certificate table's directory entry, each section's
 * raw data in file order, then the bytes after the last section up to the
 * certificate table (or the end of an unsigned file). The core yields the
 * ranges; hashing and PKCS#7 are the host's (rtprm pe verify, OpenSSL). */
#define RP_PE_AUTH_MAX_RANGES (3u + RP_PE_MAX_SECTIONS + 1u)

/* WIN_CERTIFICATE (PE/COFF spec §4.1): 8-byte header, entries 8-aligned. */
#define RP_WIN_CERT_HEADER            8u
#define RP_WIN_CERT_REVISION_1_0      0x0100u
#define RP_WIN_CERT_REVISION_2_0      0x0200u
#define RP_WIN_CERT_TYPE_X509         0x0001u
#define RP_WIN_CERT_TYPE_PKCS_SIGNED  0x0002u
#define RP_WIN_CERT_TYPE_EFI_GUID     0x0EF1u /* UEFI 2.10 §32.2.4 WIN_CERTIFICATE_UEFI_GUID */

typedef struct rp_pe_range {
  uint64_t offset; /* file offset */
  uint64_t length; /* > 0 */
} rp_pe_range;

typedef struct rp_pe_authenticode {
  rp_pe_range ranges[RP_PE_AUTH_MAX_RANGES]; /* in digest order, disjoint */
  uint32_t    range_count;
  uint64_t    hashed_bytes;  /* sum of the range lengths */
  uint64_t    cert_offset;   /* certificate table; 0 and 0 when unsigned */
  uint64_t    cert_size;
  uint32_t    cert_count;    /* WIN_CERTIFICATE entries in the table */
  rp_findings findings;      /* PE_AUTH_CERT_ALIGN, PE_AUTH_GAP, PE_AUTH_AFTER_CERTS */
} rp_pe_authenticode;

typedef struct rp_pe_certificate {
  uint64_t offset;   /* file offset of the WIN_CERTIFICATE header */
  uint32_t length;   /* dwLength: header + data */
  uint16_t revision; /* wRevision */
  uint16_t type;     /* wCertificateType */
  rp_bytes data;     /* bCertificate: length - 8 bytes (PKCS#7 SignedData for type 2) */
} rp_pe_certificate;

/* The digest ranges and the certificate table of a PE file parsed with
 * RP_PE_LAYOUT_FILE. Every WIN_CERTIFICATE is walked and bounded. Findings
 * follow img->profile (STRICT rejects them). Rejections: PE_AUTH_FORMAT (TE
 * or mapped layout), PE_AUTH_CERT_RANGE, PE_AUTH_CERT_OVERLAP,
 * PE_AUTH_CERT_ENTRY (EFI_SECURITY_VIOLATION for the table rules: a file
 * whose signature cannot be located is not "unsigned"). *out is written
 * only on success. */
EFI_STATUS rp_pe_authenticode_of(const rp_pe_image *img, rp_pe_authenticode *out, rp_diag *diag);
/* The i-th WIN_CERTIFICATE of the table (0 <= i < a->cert_count);
 * EFI_NOT_FOUND / PE_AUTH_CERT_INDEX beyond. */
EFI_STATUS rp_pe_certificate_at(const rp_pe_image *img, const rp_pe_authenticode *a, uint32_t i,
                                rp_pe_certificate *out, rp_diag *diag);

#endif /* RTPRM_PE_H */
