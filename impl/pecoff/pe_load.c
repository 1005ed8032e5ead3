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

static bool copy_range(rp_mbytes dest, uint64_t dst_off, rp_bytes src, uint64_t src_off, uint64_t n) {
  rp_mbytes d;
  rp_bytes s;
  if (n == 0) return true;
  if (!rp_mbytes_sub(dest, dst_off, n, &d) || !rp_bytes_sub(src, src_off, n, &s)) return false;
  rp_memcpy(d.ptr, s.ptr, (size_t)n);
  return true;
}

EFI_STATUS rp_pe_load(const rp_pe_image *file, rp_mbytes dest, rp_diag *diag) {
  if (file == NULL || dest.ptr == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  if (file->layout != RP_PE_LAYOUT_FILE) RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_LAYOUT, file->layout);
  if (file->size_of_image == 0 || dest.len != file->size_of_image)
    RP_REJECT(diag, EFI_BAD_BUFFER_SIZE, PE_LOAD_DEST_SIZE, dest.len);
  /* Validate every range before the first write: dest stays untouched on
   * failure (possible only if the context was altered after parsing). */
  if (!rp_range_ok(file->bytes.len, 0, file->size_of_headers) || file->size_of_headers > dest.len)
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_SIZE_OF_HEADERS, file->size_of_headers);
  for (uint32_t i = 0; i < file->num_sections && i < RP_PE_MAX_SECTIONS; i++) {
    const rp_pe_section *s = &file->sections[i];
    uint32_t n = pe_section_loaded(s);
    if (!rp_range_ok(dest.len, s->virtual_address, pe_section_vsize(s)))
      RP_REJECT(diag, EFI_LOAD_ERROR, PE_SECTION_RANGE, i);
    if (n != 0 && !rp_range_ok(file->bytes.len, s->raw_offset, n))
      RP_REJECT(diag, EFI_LOAD_ERROR, PE_SECTION_RAW_RANGE, i);
  }
  rp_memset(dest.ptr, 0, dest.len);
  (void)copy_range(dest, 0, file->bytes, 0, file->size_of_headers);
  for (uint32_t i = 0; i < file->num_sections && i < RP_PE_MAX_SECTIONS; i++) {
    const rp_pe_section *s = &file->sections[i];
    (void)copy_range(dest, s->virtual_address, file->bytes, s->raw_offset, pe_section_loaded(s));
  }
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}
