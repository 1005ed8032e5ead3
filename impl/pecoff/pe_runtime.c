/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * rp_pe_runtime_relocate: the SetVirtualAddressMap re-relocation of a loaded
 * runtime image (runtime.md §4.2), hardened: the mapped headers are
 * re-parsed with full validation (never trusted as EDK II does), the record
 * size is checked against the directory, every block and entry is validated
 * before the first write, and only sites still holding their recorded value
 * are adjusted. Unlike EDK II, malformed input is an error, not a silent
 * return, and RISC-V / LoongArch sites are re-relocated under the same rule.
 */
#include "pe_internal.h"

#include "rtprm/mem.h"
#include "rtprm/overflow.h"

/* Before the walk: an 8-aligned record apart from the image; native: its
 * header names this directory and it holds every slot. The EDK II size
 * needs the walk (pass 1's cursor): record_fits. */
static EFI_STATUS check_record_in(const rp_pe_image *img, rp_mbytes image, rp_fixup_format fmt, rp_bytes rec,
                                  rp_diag *diag) {
  const rp_pe_dir *d = &img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC];
  uint32_t rva, size;
  if (((uintptr_t)rec.ptr & 7u) != 0) RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_FIXUP_BUFFER_ALIGN, RP_DIAG_NO_INDEX);
  if (fmt == RP_FIXUP_NATIVE) {
    if (rec.len < PE_NATIVE_HDR) RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_FIXUP_RECORD_SHORT, rec.len);
    rva = rp_le32(rec.ptr);
    size = rp_le32(rec.ptr + 4);
    if (rva != d->rva || size != d->size) RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_FIXUP_RECORD_MISMATCH, rva);
    if (rec.len < pe_native_size(d->size)) RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_FIXUP_RECORD_SHORT, rec.len);
  }
  return pe_check_record_apart(image, rec.ptr, rec.len, diag);
}

/* After pass 1: the EDK II record holds every byte the cursor consumed. */
static EFI_STATUS record_fits(const pe_rrun *r, rp_diag *diag) {
  if (r->c.fmt == RP_FIXUP_EDK2 && r->c.rec_in.len < r->p.cursor)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_FIXUP_RECORD_SHORT, r->c.rec_in.len);
  return EFI_SUCCESS;
}

static EFI_STATUS rt_setup(rp_mbytes image, rp_pe_profile profile, uint64_t old_base, uint64_t new_base,
                           rp_fixup_format fmt, rp_bytes record, rp_pe_image *img, pe_rrun *r, rp_findings *list,
                           rp_diag *diag) {
  EFI_STATUS st;
  if (fmt != RP_FIXUP_EDK2 && fmt != RP_FIXUP_NATIVE) RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_FIXUP_FORMAT, fmt);
  st = rp_pe_parse(rp_bytes_const(image), RP_PE_LAYOUT_MAPPED, profile, img, diag);
  if (EFI_ERROR(st)) return st;
  if (img->image_base != old_base)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_RUNTIME_BASE_MISMATCH, RP_DIAG_NO_INDEX);
  /* parse proved image.len >= SizeOfImage; the re-parse's findings start the list */
  st = pe_run_setup(r, img, image, new_base, fmt, list, &img->findings, diag);
  if (EFI_ERROR(st)) return st;
  r->c.runtime = true;
  r->c.rec_in = record;
  if (img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC].size == 0) return EFI_SUCCESS;
  return check_record_in(img, r->c.image, fmt, record, diag);
}

/* Every check of rp_pe_runtime_relocate, no write: pass 1 over the directory,
 * the record size and the deferred site-content verdict. */
static EFI_STATUS rt_prepare(rp_mbytes image, rp_pe_profile profile, uint64_t old_base, uint64_t new_base,
                             rp_fixup_format fmt, rp_bytes record, rp_pe_image *img, pe_rrun *r, rp_findings *list,
                             rp_diag *diag) {
  EFI_STATUS st;
  if (image.ptr == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  st = rt_setup(image, profile, old_base, new_base, fmt, record, img, r, list, diag);
  if (!EFI_ERROR(st)) st = pe_reloc_run(r, PE_RUN_VALIDATE, diag); /* pass 1: validate, no writes */
  if (!EFI_ERROR(st)) st = record_fits(r, diag);
  if (!EFI_ERROR(st)) st = pe_reloc_finish(r, diag);
  return st;
}

EFI_STATUS rp_pe_runtime_check_in(rp_pe_image *ws, rp_bytes image, rp_pe_profile profile, uint64_t old_base,
                                  uint64_t new_base, rp_fixup_format fmt, rp_bytes record, rp_diag *diag) {
  pe_rrun r;
  if (ws == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  /* The validate pass never writes through the view (PE_RUN_VALIDATE); the
   * findings are not kept (STRICT still rejects them). */
  EFI_STATUS st = rt_prepare(rp_mbytes_of((void *)(uintptr_t)image.ptr, image.len), profile, old_base, new_base, fmt,
                             record, ws, &r, NULL, diag);
  if (!EFI_ERROR(st)) rp_diag_clear(diag);
  return st;
}

EFI_STATUS rp_pe_runtime_check(rp_bytes image, rp_pe_profile profile, uint64_t old_base, uint64_t new_base,
                               rp_fixup_format fmt, rp_bytes record, rp_diag *diag) {
  rp_pe_image img;
  return rp_pe_runtime_check_in(&img, image, profile, old_base, new_base, fmt, record, diag);
}

EFI_STATUS rp_pe_runtime_relocate_in(rp_pe_image *ws, rp_mbytes image, rp_pe_profile profile, uint64_t old_base,
                                     uint64_t new_base, rp_fixup_format fmt, rp_bytes record,
                                     rp_pe_rerelocate_stats *stats, rp_diag *diag) {
  pe_rrun r;
  if (ws == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  EFI_STATUS st = rt_prepare(image, profile, old_base, new_base, fmt, record, ws, &r,
                             stats != NULL ? &stats->findings : NULL, diag);
  if (EFI_ERROR(st)) return st;
  st = pe_reloc_run(&r, PE_RUN_APPLY, diag);
  if (EFI_ERROR(st)) return st; /* unreachable: pass 1 validated the same bytes */
  pe_write_base(ws, r.c.image, new_base);
  if (stats != NULL) {
    stats->applied = r.p.n.applied;
    stats->skipped = r.p.n.skipped;
  }
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}

EFI_STATUS rp_pe_runtime_relocate(rp_mbytes image, rp_pe_profile profile, uint64_t old_base, uint64_t new_base,
                                  rp_fixup_format fmt, rp_bytes record, rp_pe_rerelocate_stats *stats,
                                  rp_diag *diag) {
  rp_pe_image img;
  return rp_pe_runtime_relocate_in(&img, image, profile, old_base, new_base, fmt, record, stats, diag);
}
