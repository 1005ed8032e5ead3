/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Export directory (PE/COFF spec §5.3): validation and lookup by name.
 * Works on either layout through pe_rva_span. The address table is indexed
 * by the raw ordinal-table value; Base only matters for ordinal imports, so
 * lld's Base 0 with an empty slot 0 (toolchain.md) needs no special case.
 */
#include "pe_internal.h"

#include "rtprm/overflow.h"

#define EXP_DIR_SIZE 40u

/* Offset and length of the NUL-terminated string at rva, bounded by the
 * region (headers or section) that holds it. */
static EFI_STATUS string_at(const rp_pe_image *img, uint32_t rva, uint64_t idx, uint64_t *off, size_t *len,
                            rp_diag *diag) {
  uint64_t avail;
  if (!pe_rva_span(img, rva, off, &avail) || !rp_range_ok(img->bytes.len, *off, 1))
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_EXPORT_NAME_RANGE, idx);
  if (!rp_strnlen_at(img->bytes, *off, (size_t)avail, len))
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_EXPORT_NAME_UNTERMINATED, idx);
  return EFI_SUCCESS;
}

static bool table_ok(const rp_pe_image *img, uint32_t rva, uint64_t count, uint32_t width) {
  uint64_t off;
  if (count == 0) return true;
  if (count > img->size_of_image / width) return false;
  return rp_pe_rva_to_offset(img, rva, (uint32_t)(count * width), &off);
}

static bool read_tab32(const rp_pe_image *img, uint32_t rva, uint32_t i, uint32_t *v) {
  uint64_t off;
  return rp_pe_rva_to_offset(img, rva, 0, &off) && rp_read_u32(img->bytes, off + 4ull * i, v);
}

static bool read_tab16(const rp_pe_image *img, uint32_t rva, uint32_t i, uint16_t *v) {
  uint64_t off;
  return rp_pe_rva_to_offset(img, rva, 0, &off) && rp_read_u16(img->bytes, off + 2ull * i, v);
}

static EFI_STATUS read_header(const rp_pe_image *img, rp_pe_exports *e, rp_diag *diag) {
  uint8_t h[EXP_DIR_SIZE];
  uint64_t off;
  const rp_pe_dir *d = &img->dirs[IMAGE_DIRECTORY_ENTRY_EXPORT];
  if (d->size == 0) RP_REJECT(diag, EFI_NOT_FOUND, PE_EXPORT_NONE, RP_DIAG_NO_INDEX);
  if (d->size < EXP_DIR_SIZE) RP_REJECT(diag, EFI_LOAD_ERROR, PE_EXPORT_DIR_SIZE, d->size);
  if (!rp_pe_rva_to_offset(img, d->rva, EXP_DIR_SIZE, &off) || !rp_read_bytes(img->bytes, off, h, sizeof(h)))
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_EXPORT_TABLE_RANGE, d->rva);
  e->dir_rva = d->rva;
  e->dir_size = d->size;
  e->name_rva = rp_le32(h + offsetof(IMAGE_EXPORT_DIRECTORY, Name));
  e->base = rp_le32(h + offsetof(IMAGE_EXPORT_DIRECTORY, Base));
  e->num_functions = rp_le32(h + offsetof(IMAGE_EXPORT_DIRECTORY, NumberOfFunctions));
  e->num_names = rp_le32(h + offsetof(IMAGE_EXPORT_DIRECTORY, NumberOfNames));
  e->functions_rva = rp_le32(h + offsetof(IMAGE_EXPORT_DIRECTORY, AddressOfFunctions));
  e->names_rva = rp_le32(h + offsetof(IMAGE_EXPORT_DIRECTORY, AddressOfNames));
  e->ordinals_rva = rp_le32(h + offsetof(IMAGE_EXPORT_DIRECTORY, AddressOfNameOrdinals));
  return EFI_SUCCESS;
}

static EFI_STATUS check_tables(const rp_pe_image *img, const rp_pe_exports *e, rp_diag *diag) {
  uint64_t off;
  size_t len;
  if (e->num_names > e->num_functions || e->num_functions > img->size_of_image / 4)
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_EXPORT_COUNT, e->num_functions);
  if (!table_ok(img, e->functions_rva, e->num_functions, 4))
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_EXPORT_TABLE_RANGE, e->functions_rva);
  if (!table_ok(img, e->names_rva, e->num_names, 4))
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_EXPORT_TABLE_RANGE, e->names_rva);
  if (!table_ok(img, e->ordinals_rva, e->num_names, 2))
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_EXPORT_TABLE_RANGE, e->ordinals_rva);
  if (e->name_rva != 0) return string_at(img, e->name_rva, RP_DIAG_NO_INDEX, &off, &len, diag);
  return EFI_SUCCESS;
}

/* Every address-table entry is 0 (empty slot), a forwarder string inside
 * the export directory, or an RVA inside the image. */
static EFI_STATUS check_addresses(const rp_pe_image *img, const rp_pe_exports *e, rp_diag *diag) {
  for (uint32_t i = 0; i < e->num_functions; i++) {
    uint32_t rva = 0;
    (void)read_tab32(img, e->functions_rva, i, &rva);
    if (rva >= img->size_of_image) RP_REJECT(diag, EFI_LOAD_ERROR, PE_EXPORT_RVA_RANGE, i);
  }
  return EFI_SUCCESS;
}

/* Byte-wise comparison of two NUL-terminated strings of known length. */
static int name_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen) {
  size_t n = alen < blen ? alen : blen;
  for (size_t i = 0; i < n; i++) {
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return alen == blen ? 0 : (alen < blen ? -1 : 1);
}

static EFI_STATUS check_names(const rp_pe_image *img, rp_pe_exports *e, rp_diag *diag) {
  const uint8_t *prev = NULL;
  size_t prev_len = 0;
  e->names_sorted = true;
  for (uint32_t i = 0; i < e->num_names; i++) {
    uint32_t nrva = 0;
    uint16_t ord = 0;
    uint64_t off = 0;
    size_t len = 0;
    EFI_STATUS st;
    (void)read_tab32(img, e->names_rva, i, &nrva);
    (void)read_tab16(img, e->ordinals_rva, i, &ord);
    if (ord >= e->num_functions) RP_REJECT(diag, EFI_LOAD_ERROR, PE_EXPORT_ORDINAL, i);
    st = string_at(img, nrva, i, &off, &len, diag);
    if (EFI_ERROR(st)) return st;
    if (prev != NULL && name_cmp(prev, prev_len, img->bytes.ptr + off, len) >= 0) e->names_sorted = false;
    prev = img->bytes.ptr + off;
    prev_len = len;
  }
  return EFI_SUCCESS;
}

EFI_STATUS rp_pe_exports_parse(const rp_pe_image *img, rp_pe_exports *exp, rp_diag *diag) {
  rp_pe_exports e = { 0 };
  EFI_STATUS st;
  if (img == NULL || exp == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  st = read_header(img, &e, diag);
  if (!EFI_ERROR(st)) st = check_tables(img, &e, diag);
  if (!EFI_ERROR(st)) st = check_addresses(img, &e, diag);
  if (!EFI_ERROR(st)) st = check_names(img, &e, diag);
  if (EFI_ERROR(st)) return st;
  *exp = e;
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}

/* Export i with its name bounds; re-checks everything it reads so a context
 * that does not match the image cannot cause an out-of-bounds read. */
static EFI_STATUS export_at(const rp_pe_image *img, const rp_pe_exports *exp, uint32_t i, rp_pe_export *out,
                            size_t *name_len, rp_diag *diag) {
  uint32_t nrva, rva;
  uint16_t ord;
  uint64_t off;
  EFI_STATUS st;
  if (i >= exp->num_names) RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_EXPORT_COUNT, i);
  if (!read_tab32(img, exp->names_rva, i, &nrva) || !read_tab16(img, exp->ordinals_rva, i, &ord))
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_EXPORT_TABLE_RANGE, i);
  if (ord >= exp->num_functions) RP_REJECT(diag, EFI_LOAD_ERROR, PE_EXPORT_ORDINAL, i);
  if (!read_tab32(img, exp->functions_rva, ord, &rva)) RP_REJECT(diag, EFI_LOAD_ERROR, PE_EXPORT_TABLE_RANGE, i);
  st = string_at(img, nrva, i, &off, name_len, diag);
  if (EFI_ERROR(st)) return st;
  out->name = (const char *)(img->bytes.ptr + off);
  out->ordinal_index = ord;
  out->rva = rva;
  /* §5.3: an address inside the export section's range is a forwarder. */
  out->forwarder = rva >= exp->dir_rva && (uint64_t)rva < (uint64_t)exp->dir_rva + exp->dir_size;
  return EFI_SUCCESS;
}

EFI_STATUS rp_pe_export_at(const rp_pe_image *img, const rp_pe_exports *exp, uint32_t i, rp_pe_export *out,
                           rp_diag *diag) {
  rp_pe_export x;
  size_t len;
  EFI_STATUS st;
  if (img == NULL || exp == NULL || out == NULL)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  st = export_at(img, exp, i, &x, &len, diag);
  if (EFI_ERROR(st)) return st;
  *out = x;
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}

static size_t cstr_len(const char *s) {
  size_t n = 0;
  while (s[n] != '\0') n++;
  return n;
}

/* Compares the wanted name with export i: <0, 0, >0 like strcmp. */
static EFI_STATUS cmp_at(const rp_pe_image *img, const rp_pe_exports *exp, uint32_t i, const char *name,
                         size_t nlen, rp_pe_export *x, int *cmp, rp_diag *diag) {
  size_t len = 0;
  EFI_STATUS st = export_at(img, exp, i, x, &len, diag);
  if (EFI_ERROR(st)) return st;
  *cmp = name_cmp((const uint8_t *)name, nlen, (const uint8_t *)x->name, len);
  return EFI_SUCCESS;
}

EFI_STATUS rp_pe_export_find(const rp_pe_image *img, const rp_pe_exports *exp, const char *name,
                             rp_pe_export *out, rp_diag *diag) {
  uint32_t lo = 0, hi;
  size_t nlen;
  if (img == NULL || exp == NULL || name == NULL || out == NULL)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  nlen = cstr_len(name);
  hi = exp->num_names;
  while (lo < hi) {
    rp_pe_export x = { 0 };
    int c = 0;
    uint32_t mid = exp->names_sorted ? lo + (hi - lo) / 2 : lo;
    EFI_STATUS st = cmp_at(img, exp, mid, name, nlen, &x, &c, diag);
    if (EFI_ERROR(st)) return st;
    if (c == 0) {
      *out = x;
      rp_diag_clear(diag);
      return EFI_SUCCESS;
    }
    if (!exp->names_sorted || c > 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  RP_REJECT(diag, EFI_NOT_FOUND, PE_EXPORT_NOT_FOUND, RP_DIAG_NO_INDEX);
}
