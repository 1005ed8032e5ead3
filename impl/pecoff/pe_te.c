/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * TE images (PI 1.8 Vol 1 §15-17). The 40-byte EFI_TE_IMAGE_HEADER replaces
 * the first StrippedSize bytes of a PE image (DOS, PE and optional headers);
 * the PE section table follows it unchanged, and every RVA and
 * PointerToRawData in the image keeps its PE value. With
 * adjust = StrippedSize - 40, the byte at PE offset X sits at X - adjust, in
 * the file and in the loaded image, whose first byte is the TE header
 * (§17.2). pe_parse_te stores every RVA minus adjust, so load, relocation
 * (pe_reloc.c converts the block page RVAs), exports and the runtime pass
 * work on image offsets exactly as for PE. Rules: docs/pecoff.md §2.1.
 */
#include "pe_internal.h"

#include "rtprm/overflow.h"

#define TE_HDR_SIZE   ((uint32_t)sizeof(EFI_TE_IMAGE_HEADER)) /* 40 */
#define TE_NUM_DIRS   7u /* the PE indexes of the two TE directories are 5 and 6 */

static EFI_STATUS te_fields(rp_bytes b, rp_pe_image *img, uint64_t *te_image_base, rp_diag *diag) {
  uint8_t ns = 0, subsystem = 0;
  if (b.len < TE_HDR_SIZE) RP_REJECT(diag, EFI_LOAD_ERROR, PE_TOO_SMALL, RP_DIAG_NO_INDEX);
  (void)rp_read_u16(b, offsetof(EFI_TE_IMAGE_HEADER, Machine), &img->machine);
  (void)rp_read_u8(b, offsetof(EFI_TE_IMAGE_HEADER, NumberOfSections), &ns);
  (void)rp_read_u8(b, offsetof(EFI_TE_IMAGE_HEADER, Subsystem), &subsystem);
  (void)rp_read_u16(b, offsetof(EFI_TE_IMAGE_HEADER, StrippedSize), &img->te_stripped_size);
  (void)rp_read_u32(b, offsetof(EFI_TE_IMAGE_HEADER, AddressOfEntryPoint), &img->entry_rva);
  (void)rp_read_u64(b, offsetof(EFI_TE_IMAGE_HEADER, ImageBase), te_image_base);
  img->num_sections = ns;
  img->subsystem = subsystem;
  if (pe_machine_bits(img->machine) == 0) RP_REJECT(diag, EFI_UNSUPPORTED, PE_MACHINE, img->machine);
  if (ns == 0 || ns > RP_PE_MAX_SECTIONS) RP_REJECT(diag, EFI_LOAD_ERROR, PE_SECTION_COUNT, ns);
  /* The header replaces what was stripped: StrippedSize < 40 would put
   * offsets before the header's own start. */
  if (img->te_stripped_size < TE_HDR_SIZE)
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_TE_STRIPPED_SIZE, img->te_stripped_size);
  img->te_adjust = img->te_stripped_size - TE_HDR_SIZE;
  /* Where the header sits when the image is not moved (§17.2). */
  if (!rp_add_u64(*te_image_base, img->te_adjust, &img->image_base))
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_TE_IMAGE_BASE, RP_DIAG_NO_INDEX);
  img->pe32plus = pe_machine_bits(img->machine) == 64;
  img->te = true;
  img->num_rva_and_sizes = TE_NUM_DIRS;
  img->size_of_headers = TE_HDR_SIZE + (uint32_t)ns * PE_SECTION_SIZE;
  if (img->size_of_headers > b.len) RP_REJECT(diag, EFI_LOAD_ERROR, PE_SIZE_OF_HEADERS, img->size_of_headers);
  return EFI_SUCCESS;
}

/* One section header, its RVA and raw offset moved into image offsets. */
static EFI_STATUS te_section(rp_bytes b, rp_pe_image *img, uint32_t i, rp_diag *diag) {
  rp_pe_section *s = &img->sections[i];
  pe_read_section(b, TE_HDR_SIZE + (uint64_t)i * PE_SECTION_SIZE, s);
  if (s->virtual_address < img->te_adjust) RP_REJECT(diag, EFI_LOAD_ERROR, PE_SECTION_OVER_HEADERS, i);
  s->virtual_address -= img->te_adjust;
  if (s->raw_size == 0) {
    s->raw_offset = 0; /* nothing is loaded from the file (pe_section_loaded is 0) */
    return EFI_SUCCESS;
  }
  if (s->raw_offset < img->te_adjust) RP_REJECT(diag, EFI_LOAD_ERROR, PE_SECTION_RAW_RANGE, i);
  s->raw_offset -= img->te_adjust;
  return EFI_SUCCESS;
}

/* The image ends with its last section (TE keeps no SizeOfImage). */
static EFI_STATUS te_sections(rp_bytes b, rp_pe_image *img, rp_diag *diag) {
  uint64_t end = img->size_of_headers;
  for (uint32_t i = 0; i < img->num_sections; i++) {
    EFI_STATUS st = te_section(b, img, i, diag);
    uint64_t e = (uint64_t)img->sections[i].virtual_address + pe_section_vsize(&img->sections[i]);
    if (EFI_ERROR(st)) return st;
    if (e > end) end = e;
  }
  if (end > UINT32_MAX) RP_REJECT(diag, EFI_LOAD_ERROR, PE_SIZE_OF_IMAGE, RP_DIAG_NO_INDEX);
  img->size_of_image = (uint32_t)end;
  if (img->layout == RP_PE_LAYOUT_MAPPED && b.len < img->size_of_image)
    RP_REJECT(diag, EFI_BUFFER_TOO_SMALL, PE_MAPPED_SIZE, b.len);
  return pe_check_sections(b, img, diag);
}

/* TE directory `te_index` into dirs[pe_index], as an image offset. */
static EFI_STATUS te_dir(rp_bytes b, rp_pe_image *img, uint32_t te_index, uint32_t pe_index, rp_diag *diag) {
  rp_pe_dir *d = &img->dirs[pe_index];
  uint64_t at = offsetof(EFI_TE_IMAGE_HEADER, DataDirectory) + 8u * te_index;
  (void)rp_read_u32(b, at, &d->rva);
  (void)rp_read_u32(b, at + 4, &d->size);
  if (d->size == 0) {
    d->rva = 0;
    return EFI_SUCCESS;
  }
  if (d->rva < img->te_adjust || (uint64_t)d->rva - img->te_adjust + d->size > img->size_of_image)
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_DIR_RANGE, pe_index);
  d->rva -= img->te_adjust;
  return EFI_SUCCESS;
}

EFI_STATUS pe_parse_te(rp_bytes b, rp_pe_image *img, rp_diag *diag) {
  uint64_t te_image_base = 0;
  uint32_t reloc_rva = 0, reloc_size = 0;
  EFI_STATUS st = te_fields(b, img, &te_image_base, diag);
  if (!EFI_ERROR(st)) st = te_sections(b, img, diag);
  if (EFI_ERROR(st)) return st;
  /* §17.4: relocations (0, 0) mean the image cannot move; a non-zero RVA
   * with Size 0 marks it position independent. */
  (void)rp_read_u32(b, offsetof(EFI_TE_IMAGE_HEADER, DataDirectory), &reloc_rva);
  (void)rp_read_u32(b, offsetof(EFI_TE_IMAGE_HEADER, DataDirectory) + 4, &reloc_size);
  if (reloc_rva == 0 && reloc_size == 0) img->characteristics = IMAGE_FILE_RELOCS_STRIPPED;
  st = te_dir(b, img, EFI_TE_IMAGE_DIRECTORY_ENTRY_BASERELOC, IMAGE_DIRECTORY_ENTRY_BASERELOC, diag);
  if (!EFI_ERROR(st)) st = te_dir(b, img, EFI_TE_IMAGE_DIRECTORY_ENTRY_DEBUG, IMAGE_DIRECTORY_ENTRY_DEBUG, diag);
  if (!EFI_ERROR(st)) st = pe_check_reloc_dir(img, diag);
  if (EFI_ERROR(st)) return st;
  if (img->entry_rva < img->te_adjust) RP_REJECT(diag, EFI_LOAD_ERROR, PE_ENTRY_RANGE, img->entry_rva);
  img->entry_rva -= img->te_adjust;
  return pe_check_entry(img, diag);
}
