/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * EFI Memory Attributes Table (UEFI 2.10 §4.6.4, EFI_MEMORY_ATTRIBUTES_TABLE):
 * validation, and describing runtime images the firmware left out.
 *
 * Why (docs/prm.md §9.7, toolchain.md "Trap"): EDK II's DXE core creates an
 * image record (header XP, code RO, data XP) only for runtime images loaded
 * before EndOfDxe. A PRM module loaded later (UEFI Shell `load`, a Driver####
 * option) lands inside one big EfiRuntimeServicesCode entry marked XP, so
 * Linux maps the handler no-execute and oopses when the PRMT calls it.
 * rp_mat_patch rewrites such an entry into: the part before the image, the
 * image's own pieces, the part after — nothing else changes.
 *
 * Table layout: a 16-byte header (Version, NumberOfEntries, DescriptorSize,
 * Flags — "Reserved" in version 1), then NumberOfEntries descriptors at a
 * DescriptorSize stride (EFI_MEMORY_DESCRIPTOR, >= 40 bytes, like GetMemoryMap).
 *
 * Check order (first failing check wins; nothing is written on failure):
 *   1. header: size, Version (1 or 2), DescriptorSize (>= 40, % 8), entries
 *      inside the buffer, entry bound;
 *   2. each entry in table order: Type (runtime code/data only, §4.6.4),
 *      PhysicalStart alignment / NumberOfPages / wrap, then ascending and
 *      non-overlapping against the previous entry;
 *   3. images: count, each image's range and pieces, then sorted/disjoint;
 *   4. the output buffer: not overlapping the input, large enough
 *      (EFI_BUFFER_TOO_SMALL reports the size needed in *out_len).
 */
#ifndef RTPRM_MAT_H
#define RTPRM_MAT_H

#include "rtprm/bytes.h"
#include "rtprm/pe.h"
#include "rtprm/status.h"
#include "rtprm/spec/uefi_base.h"

#define RP_MAT_HEADER_SIZE  16u
#define RP_MAT_MAX_ENTRIES  8192u /* same bound as the memory map validator */
#define RP_MAT_MAX_IMAGES   64u
#define RP_MAT_MAX_PIECES   16u   /* per image, after merging equal neighbours */
#define RP_MAT_PROTECT_MASK (EFI_MEMORY_RO | EFI_MEMORY_XP)

typedef struct rp_mat_header {
  uint32_t version;
  uint32_t count;     /* NumberOfEntries */
  uint32_t desc_size; /* DescriptorSize: the stride */
  uint32_t flags;     /* version 2: EFI_MEMORY_ATTRIBUTES_FLAGS_* */
} rp_mat_header;

/* A page run of an image and its protection (EFI_MEMORY_RO and/or _XP). */
typedef struct rp_mat_piece {
  uint64_t start;
  uint64_t pages;
  uint64_t protect;
} rp_mat_piece;

/* A runtime image as page runs tiling [base, base + pages * 4 KiB). */
typedef struct rp_mat_image {
  uint64_t     base;
  uint64_t     pages;
  uint32_t     piece_count;
  rp_mat_piece pieces[RP_MAT_MAX_PIECES];
} rp_mat_image;

/* What rp_mat_patch did with one image. */
typedef enum {
  RP_MAT_IMAGE_DESCRIBED = 0, /* one code entry held it: now split into its pieces */
  RP_MAT_IMAGE_ALREADY   = 1, /* it crosses entry boundaries: the firmware described it, left alone */
  RP_MAT_IMAGE_ABSENT    = 2, /* no entry holds its first page: left alone */
  RP_MAT_IMAGE_NOT_CODE  = 3, /* the entry holding it is runtime data: left alone */
} rp_mat_outcome;

const char *rp_mat_outcome_name(rp_mat_outcome o);

/* Checks the header and every entry (steps 1-2); fills *h (optional). */
EFI_STATUS rp_mat_validate(rp_bytes table, rp_mat_header *h, rp_diag *diag);

/* Copies entry i (no validation beyond bounds); false (and *out zeroed) if
 * it lies outside the buffer or the stride is below 40. */
bool rp_mat_entry(rp_bytes table, const rp_mat_header *h, uint32_t i, EFI_MEMORY_DESCRIPTOR *out);

/* The pieces of a parsed image loaded at base (UEFI 2.10 §4.6.4 and EDK II's
 * image records): headers RO+XP, sections with IMAGE_SCN_MEM_EXECUTE or
 * IMAGE_SCN_CNT_CODE RO, every other page (data sections, gaps, tail) XP —
 * data stays writable because runtime re-relocation writes fixups there.
 * Needs SectionAlignment % 4096 == 0 and a 4 KiB aligned base. */
EFI_STATUS rp_mat_image_from_pe(const rp_pe_image *pe, uint64_t base, rp_mat_image *out, rp_diag *diag);

/* Writes into out a copy of table in which every entry of type
 * EfiRuntimeServicesCode that wholly contains an image is split around that
 * image's pieces (type and non-protection attribute bits kept). images must
 * be sorted by base and disjoint. outcomes (optional, n entries) tells what
 * happened per image. *out_len receives the size written (or needed). */
EFI_STATUS rp_mat_patch(rp_bytes table, const rp_mat_image *images, uint32_t n, rp_mbytes out, size_t *out_len,
                        rp_mat_outcome *outcomes, rp_diag *diag);

#endif /* RTPRM_MAT_H */
