/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * rp_pe_load: FILE layout -> SizeOfImage memory image. The destination is
 * zeroed first, so section tails (VirtualSize > SizeOfRawData), gaps
 * between sections and the space after the headers read as zero
 * (PE/COFF spec §4). Every copy range was validated by rp_pe_parse and is
 * re-checked here through bounded sub-views.
 */
#include "pe_internal.h"

#include "rtprm/mem.h"

/* Every range the copy will use, against the file and the destination:
 * checked again because a context can be altered after parsing; on failure
 * the destination stays untouched. */
/* File offset of a section's loaded bytes: a section without raw data may
 * name any PointerToRawData (PE/COFF §4: 0 for uninitialized data). */
static uint64_t raw_start(const rp_pe_section *s) { return pe_section_loaded(s) != 0 ? s->raw_offset : 0; }

static EFI_STATUS check_ranges(const rp_pe_image *file, size_t dest_len, rp_diag *diag) {
  if (file->num_sections > RP_PE_MAX_SECTIONS) RP_REJECT(diag, EFI_LOAD_ERROR, PE_SECTION_COUNT, file->num_sections);
  if (!rp_range_ok(file->bytes.len, 0, file->size_of_headers) || file->size_of_headers > dest_len)
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_SIZE_OF_HEADERS, file->size_of_headers);
  for (uint32_t i = 0; i < file->num_sections; i++) {
    const rp_pe_section *s = &file->sections[i];
    if (!rp_range_ok(dest_len, s->virtual_address, pe_section_vsize(s)))
      RP_REJECT(diag, EFI_LOAD_ERROR, PE_SECTION_RANGE, i);
    if (!rp_range_ok(file->bytes.len, raw_start(s), pe_section_loaded(s)))
      RP_REJECT(diag, EFI_LOAD_ERROR, PE_SECTION_RAW_RANGE, i);
  }
  return EFI_SUCCESS;
}

EFI_STATUS rp_pe_load(const rp_pe_image *file, rp_mbytes dest, rp_diag *diag) {
  EFI_STATUS st;
  if (file == NULL || dest.ptr == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  if (file->layout != RP_PE_LAYOUT_FILE) RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_LAYOUT, file->layout);
  if (file->size_of_image == 0 || dest.len != file->size_of_image)
    RP_REJECT(diag, EFI_BAD_BUFFER_SIZE, PE_LOAD_DEST_SIZE, dest.len);
  st = check_ranges(file, dest.len, diag);
  if (EFI_ERROR(st)) return st;
  rp_memset(dest.ptr, 0, dest.len);
  rp_memcpy(dest.ptr, file->bytes.ptr, file->size_of_headers);
  for (uint32_t i = 0; i < file->num_sections; i++) {
    const rp_pe_section *s = &file->sections[i];
    rp_memcpy(dest.ptr + s->virtual_address, file->bytes.ptr + raw_start(s), pe_section_loaded(s));
  }
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}
