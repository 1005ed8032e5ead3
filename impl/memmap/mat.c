/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * EFI Memory Attributes Table validation and image description. See
 * rtprm/mat.h for the check order; requirements MM-030.. in
 * conformance/requirements/memmap.json, design in docs/prm.md §9.7.
 */
#include "rtprm/mat.h"

#include "rtprm/mem.h"
#include "rtprm/memmap.h"
#include "rtprm/overflow.h"
#include "rtprm/spec/pecoff.h"

#define PAGE 4096u

/* EFI_MEMORY_DESCRIPTOR field offsets (UEFI §7.2) for the writer; the
 * reader is rp_memmap_decode. */
#define MD_TYPE  0u
#define MD_PHYS  8u
#define MD_VIRT  16u
#define MD_PAGES 24u
#define MD_ATTR  32u
#define MD_SIZE  RP_MEMMAP_MIN_DESC_SIZE

static EFI_STATUS ok(rp_diag *diag) {
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}

const char *rp_mat_outcome_name(rp_mat_outcome o) {
  switch (o) {
  case RP_MAT_IMAGE_DESCRIBED: return "described";
  case RP_MAT_IMAGE_ALREADY: return "already described";
  case RP_MAT_IMAGE_ABSENT: return "not in the table";
  case RP_MAT_IMAGE_NOT_CODE: return "inside runtime data";
  }
  return "?";
}

/* ---- Reading ------------------------------------------------------------- */

static EFI_STATUS read_header(rp_bytes t, rp_mat_header *h, rp_diag *diag) {
  uint64_t total;
  if (t.ptr == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  if (t.len < RP_MAT_HEADER_SIZE) RP_REJECT(diag, EFI_INVALID_PARAMETER, MAT_TOO_SMALL, RP_DIAG_NO_INDEX);
  h->version = rp_le32(t.ptr);
  h->count = rp_le32(t.ptr + 4);
  h->desc_size = rp_le32(t.ptr + 8);
  h->flags = rp_le32(t.ptr + 12);
  if (h->version != 1 && h->version != 2) RP_REJECT(diag, EFI_UNSUPPORTED, MAT_VERSION, RP_DIAG_NO_INDEX);
  if (h->desc_size < MD_SIZE || h->desc_size % 8 != 0)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, MAT_DESC_SIZE, RP_DIAG_NO_INDEX);
  if (h->count > RP_MAT_MAX_ENTRIES) RP_REJECT(diag, EFI_UNSUPPORTED, MAT_TOO_MANY, RP_DIAG_NO_INDEX);
  /* count <= 8192 and desc_size < 2^32: 16 + count * desc_size < 2^46, exact in 64 bits. */
  total = RP_MAT_HEADER_SIZE + (uint64_t)h->count * h->desc_size;
  if (total > t.len)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, MAT_SIZE_EXCEEDS_BUF, RP_DIAG_NO_INDEX);
  return EFI_SUCCESS;
}

bool rp_mat_entry(rp_bytes t, const rp_mat_header *h, uint32_t i, EFI_MEMORY_DESCRIPTOR *out) {
  uint8_t raw[MD_SIZE];
  uint64_t off = RP_MAT_HEADER_SIZE + (uint64_t)i * h->desc_size;
  if (h->desc_size < MD_SIZE || !rp_read_bytes(t, off, raw, sizeof(raw))) {
    rp_memset(out, 0, sizeof(*out)); /* defined even for callers that ignore the result */
    return false;
  }
  rp_memmap_decode(raw, out);
  return true;
}

/* §4.6.4: entries describe runtime code or data only; each is a whole run of
 * pages; entries ascend and do not overlap (the DXE core builds them from a
 * sorted memory map; Linux looks each one up in its own sorted map). */
static EFI_STATUS check_entry(const EFI_MEMORY_DESCRIPTOR *d, uint32_t i, uint64_t *next_free, rp_diag *diag) {
  uint64_t last;
  if (d->Type != EfiRuntimeServicesCode && d->Type != EfiRuntimeServicesData)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, MAT_ENTRY_TYPE, i);
  if (!rp_is_aligned_u64(d->PhysicalStart, PAGE) || !rp_page_range_last(d->PhysicalStart, d->NumberOfPages, &last))
    RP_REJECT(diag, EFI_INVALID_PARAMETER, MAT_ENTRY_RANGE, i);
  if (i > 0 && d->PhysicalStart < *next_free) RP_REJECT(diag, EFI_INVALID_PARAMETER, MAT_ENTRY_ORDER, i);
  /* last + 1 wraps to 0 only for a run ending at the top: nothing may follow. */
  *next_free = last + 1;
  if (*next_free == 0) *next_free = UINT64_MAX;
  return EFI_SUCCESS;
}

EFI_STATUS rp_mat_validate(rp_bytes t, rp_mat_header *hout, rp_diag *diag) {
  rp_mat_header h = { 0, 0, 0, 0 };
  EFI_MEMORY_DESCRIPTOR d;
  uint64_t next_free = 0;
  EFI_STATUS s = read_header(t, &h, diag);
  if (EFI_ERROR(s)) return s;
  for (uint32_t i = 0; i < h.count; i++) {
    (void)rp_mat_entry(t, &h, i, &d); /* inside: read_header bounded count * stride */
    s = check_entry(&d, i, &next_free, diag);
    if (EFI_ERROR(s)) return s;
  }
  if (hout != NULL) *hout = h;
  return ok(diag);
}

/* ---- Images ---------------------------------------------------------------- */

static EFI_STATUS append(rp_mat_image *img, uint64_t from, uint64_t to, uint64_t protect, rp_diag *diag) {
  rp_mat_piece *last = img->piece_count ? &img->pieces[img->piece_count - 1] : NULL;
  if (from >= to) return EFI_SUCCESS;
  if (last != NULL && last->protect == protect) {
    last->pages += (to - from) / PAGE;
    return EFI_SUCCESS;
  }
  if (img->piece_count == RP_MAT_MAX_PIECES)
    RP_REJECT(diag, EFI_UNSUPPORTED, MAT_IMAGE_TOO_MANY_PIECES, img->piece_count);
  img->pieces[img->piece_count++] = (rp_mat_piece){ img->base + from, (to - from) / PAGE, protect };
  return EFI_SUCCESS;
}

/* Appends [from, to) (RVAs, page aligned, clipped to the image end) with
 * protect, merging with an equal neighbour; runs arrive in ascending order,
 * a gap before one is XP. A run starting below the cursor is clipped: the
 * headers rounded up to a page may reach into section 1 (which wins). */
static EFI_STATUS add_run(rp_mat_image *img, uint64_t *cursor, uint64_t from, uint64_t to, uint64_t protect,
                          rp_diag *diag) {
  uint64_t end = img->pages * PAGE;
  EFI_STATUS s = EFI_SUCCESS;
  if (to > end) to = end;
  if (from > to) from = to;
  if (from < *cursor) from = *cursor;
  if (from > *cursor) {
    s = append(img, *cursor, from, EFI_MEMORY_XP, diag);
    *cursor = from; /* also when the run itself is empty (a zero-size section) */
  }
  if (!EFI_ERROR(s) && to > from) {
    s = append(img, from, to, protect, diag);
    *cursor = to;
  }
  return s;
}

static uint64_t section_protect(uint32_t characteristics) {
  return (characteristics & (IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_CNT_CODE)) ? EFI_MEMORY_RO : EFI_MEMORY_XP;
}

static uint64_t page_up(uint64_t v) { return (v + PAGE - 1) & ~(uint64_t)(PAGE - 1); } /* v < 2^32 here */

/* Every section starts on a page: SectionAlignment is a multiple of 4 KiB
 * and no VirtualAddress is off that grid (a PE_SECTION_ALIGN finding); a TE
 * image has no SectionAlignment (0). */
static bool pages_only(const rp_pe_image *pe) {
  if (pe->section_alignment == 0 || pe->section_alignment % PAGE != 0) return false;
  for (uint16_t i = 0; i < pe->num_sections && i < RP_PE_MAX_SECTIONS; i++)
    if (pe->sections[i].virtual_address % PAGE != 0) return false;
  return true;
}

EFI_STATUS rp_mat_image_from_pe(const rp_pe_image *pe, uint64_t base, rp_mat_image *out, rp_diag *diag) {
  uint64_t end, cursor = 0, last, hdr_end;
  EFI_STATUS s;
  if (pe == NULL || out == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  if (!pages_only(pe)) RP_REJECT(diag, EFI_UNSUPPORTED, MAT_IMAGE_ALIGNMENT, RP_DIAG_NO_INDEX);
  end = page_up(pe->size_of_image);
  if (!rp_is_aligned_u64(base, PAGE) || end == 0 || !rp_page_range_last(base, end / PAGE, &last))
    RP_REJECT(diag, EFI_INVALID_PARAMETER, MAT_IMAGE_RANGE, RP_DIAG_NO_INDEX);
  rp_memset(out, 0, sizeof(*out));
  out->base = base;
  out->pages = end / PAGE;
  /* Headers end where section 1 starts at the latest. */
  hdr_end = page_up(pe->size_of_headers);
  if (pe->num_sections > 0 && hdr_end > pe->sections[0].virtual_address) hdr_end = pe->sections[0].virtual_address;
  s = add_run(out, &cursor, 0, hdr_end, EFI_MEMORY_RO | EFI_MEMORY_XP, diag);
  for (uint16_t i = 0; i < pe->num_sections && !EFI_ERROR(s); i++) {
    const rp_pe_section *sec = &pe->sections[i];
    uint64_t from = sec->virtual_address;
    uint64_t size = sec->virtual_size ? sec->virtual_size : sec->raw_size;
    uint64_t to = page_up(from + size);
    s = add_run(out, &cursor, from, to, section_protect(sec->characteristics), diag);
  }
  if (!EFI_ERROR(s)) s = add_run(out, &cursor, end, end, EFI_MEMORY_XP, diag);
  return EFI_ERROR(s) ? s : ok(diag);
}

/* The pieces tile [base, base + pages) exactly and carry only RO/XP. */
static EFI_STATUS check_image(const rp_mat_image *img, uint32_t i, rp_diag *diag) {
  uint64_t last, at = img->base, covered = 0;
  if (!rp_is_aligned_u64(img->base, PAGE) || !rp_page_range_last(img->base, img->pages, &last))
    RP_REJECT(diag, EFI_INVALID_PARAMETER, MAT_IMAGE_RANGE, i);
  if (img->piece_count == 0 || img->piece_count > RP_MAT_MAX_PIECES)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, MAT_IMAGE_PIECES, i);
  for (uint32_t k = 0; k < img->piece_count; k++) {
    const rp_mat_piece *p = &img->pieces[k];
    if (p->start != at || p->pages == 0 || p->pages > img->pages - covered || (p->protect & ~RP_MAT_PROTECT_MASK))
      RP_REJECT(diag, EFI_INVALID_PARAMETER, MAT_IMAGE_PIECES, i);
    covered += p->pages;
    at += p->pages * PAGE; /* <= last + 1: bounded by img->pages above */
  }
  if (covered != img->pages) RP_REJECT(diag, EFI_INVALID_PARAMETER, MAT_IMAGE_PIECES, i);
  return EFI_SUCCESS;
}

static EFI_STATUS check_images(const rp_mat_image *images, uint32_t n, rp_diag *diag) {
  if (n > RP_MAT_MAX_IMAGES) RP_REJECT(diag, EFI_UNSUPPORTED, MAT_TOO_MANY_IMAGES, n);
  if (n > 0 && images == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  for (uint32_t i = 0; i < n; i++) {
    EFI_STATUS s = check_image(&images[i], i, diag);
    if (EFI_ERROR(s)) return s;
    /* ascending, and the previous image ends at or below this base (checked
     * ranges cannot wrap, so the subtraction and product are exact) */
    if (i > 0 && (images[i].base <= images[i - 1].base ||
                  images[i].base - images[i - 1].base < images[i - 1].pages * PAGE))
      RP_REJECT(diag, EFI_INVALID_PARAMETER, MAT_IMAGE_ORDER, i);
  }
  return EFI_SUCCESS;
}

/* ---- Patching -------------------------------------------------------------- */

static bool contains(const EFI_MEMORY_DESCRIPTOR *d, uint64_t start, uint64_t pages) {
  uint64_t off = start - d->PhysicalStart;
  return start >= d->PhysicalStart && off / PAGE < d->NumberOfPages && pages <= d->NumberOfPages - off / PAGE;
}

/* Index of the entry holding image's first page and the outcome. */
static rp_mat_outcome classify(rp_bytes t, const rp_mat_header *h, const rp_mat_image *img, uint32_t *entry) {
  EFI_MEMORY_DESCRIPTOR d;
  for (uint32_t i = 0; i < h->count; i++) {
    (void)rp_mat_entry(t, h, i, &d);
    if (!contains(&d, img->base, 1)) continue;
    *entry = i;
    if (!contains(&d, img->base, img->pages)) return RP_MAT_IMAGE_ALREADY;
    return d.Type == EfiRuntimeServicesCode ? RP_MAT_IMAGE_DESCRIBED : RP_MAT_IMAGE_NOT_CODE;
  }
  return RP_MAT_IMAGE_ABSENT;
}

/* Emission: counts entries when out is NULL, writes them otherwise. */
typedef struct {
  uint8_t *out;
  uint32_t stride;
  uint32_t count;
} mat_writer;

static void emit(mat_writer *w, const EFI_MEMORY_DESCRIPTOR *like, uint64_t start, uint64_t pages, uint64_t attr) {
  if (pages == 0) return;
  if (w->out != NULL) {
    uint8_t *p = w->out + RP_MAT_HEADER_SIZE + (size_t)w->count * w->stride;
    rp_memset(p, 0, w->stride);
    rp_put_le32(p + MD_TYPE, like->Type);
    rp_put_le64(p + MD_PHYS, start);
    rp_put_le64(p + MD_VIRT, like->VirtualStart ? like->VirtualStart + (start - like->PhysicalStart) : 0);
    rp_put_le64(p + MD_PAGES, pages);
    rp_put_le64(p + MD_ATTR, attr);
  }
  w->count++;
}

/* One input entry: the parts outside images keep its attributes, each image
 * it holds is replaced by its pieces (protection from the piece, the other
 * attribute bits — EFI_MEMORY_RUNTIME, cacheability — from the entry). */
static void emit_entry(mat_writer *w, const EFI_MEMORY_DESCRIPTOR *d, uint32_t idx, const rp_mat_image *images,
                       uint32_t n, const uint32_t *where, const rp_mat_outcome *what) {
  uint64_t at = d->PhysicalStart, keep = d->Attribute & ~(RP_MAT_PROTECT_MASK | EFI_MEMORY_RP);
  uint64_t end_page = d->NumberOfPages;
  for (uint32_t i = 0; i < n; i++) {
    if (what[i] != RP_MAT_IMAGE_DESCRIBED || where[i] != idx) continue;
    emit(w, d, at, (images[i].base - at) / PAGE, d->Attribute);
    for (uint32_t k = 0; k < images[i].piece_count; k++)
      emit(w, d, images[i].pieces[k].start, images[i].pieces[k].pages, keep | images[i].pieces[k].protect);
    at = images[i].base + images[i].pages * PAGE;
  }
  emit(w, d, at, end_page - (at - d->PhysicalStart) / PAGE, d->Attribute);
}

static void emit_all(mat_writer *w, rp_bytes t, const rp_mat_header *h, const rp_mat_image *images, uint32_t n,
                     const uint32_t *where, const rp_mat_outcome *what) {
  EFI_MEMORY_DESCRIPTOR d;
  for (uint32_t i = 0; i < h->count; i++) {
    (void)rp_mat_entry(t, h, i, &d);
    emit_entry(w, &d, i, images, n, where, what);
  }
}

static bool overlaps(rp_bytes a, rp_mbytes b) {
  uintptr_t a0 = (uintptr_t)a.ptr, b0 = (uintptr_t)b.ptr;
  return b.len != 0 && a0 < b0 + b.len && b0 < a0 + a.len; /* a: a validated table, >= 16 bytes */
}

EFI_STATUS rp_mat_patch(rp_bytes t, const rp_mat_image *images, uint32_t n, rp_mbytes out, size_t *out_len,
                        rp_mat_outcome *outcomes, rp_diag *diag) {
  uint32_t where[RP_MAT_MAX_IMAGES];
  rp_mat_outcome what[RP_MAT_MAX_IMAGES];
  rp_mat_header h = { 0, 0, 0, 0 };
  mat_writer w = { NULL, 0, 0 };
  uint64_t need;
  EFI_STATUS s;
  if (out_len == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  s = rp_mat_validate(t, &h, diag);
  if (EFI_ERROR(s)) return s;
  s = check_images(images, n, diag);
  if (EFI_ERROR(s)) return s;
  for (uint32_t i = 0; i < n; i++) what[i] = classify(t, &h, &images[i], &where[i]);
  emit_all(&w, t, &h, images, n, where, what);
  need = RP_MAT_HEADER_SIZE + (uint64_t)w.count * h.desc_size; /* count <= 8192 + 18 * 64 */
  *out_len = (size_t)need;
  if (out.ptr != NULL && overlaps(t, out)) RP_REJECT(diag, EFI_INVALID_PARAMETER, MAT_BUFFER_OVERLAP, RP_DIAG_NO_INDEX);
  if (out.ptr == NULL || out.len < need) RP_REJECT(diag, EFI_BUFFER_TOO_SMALL, BUFFER_TOO_SMALL, need);
  w = (mat_writer){ out.ptr, h.desc_size, 0 };
  emit_all(&w, t, &h, images, n, where, what);
  rp_put_le32(out.ptr, h.version);
  rp_put_le32(out.ptr + 4, w.count);
  rp_put_le32(out.ptr + 8, h.desc_size);
  rp_put_le32(out.ptr + 12, h.flags);
  for (uint32_t i = 0; outcomes != NULL && i < n; i++) outcomes[i] = what[i];
  return ok(diag);
}
