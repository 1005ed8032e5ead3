/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Fuzz target "mat": the Memory Attributes Table patch (rtprm/mat.h).
 *
 * Input (options bit 0 clear):
 *   u8 image count (mod 6) | per image: u32 base page, u8 low base bits,
 *   u8 piece count, per piece: u8 pages, u8 protect bits | table bytes ... |
 *   trailer (fuzz.h)
 * Input (options bit 0 set): a PE/COFF file; its pieces are derived
 *   (rp_mat_image_from_pe at a page-aligned base) and patched into a fixed
 *   OVMF-like table.
 * Oracle: the table bytes are never written; the sizing call and the real
 *   call agree on the size; a buffer one byte short gets EFI_BUFFER_TOO_SMALL
 *   and stays untouched; an accepted output validates, every output entry
 *   lies inside one input entry of its type, the pages covered are the same
 *   (MAT-015), and pages outside described images keep their attributes;
 *   derived pieces tile the image and carry only RO/XP.
 */
#include <string.h>

#include "fuzz.h"
#include "rtprm/mat.h"

#define PAGE 4096u

typedef struct {
  const uint8_t *p;
  size_t left;
} cursor;

static bool take(cursor *c, void *out, size_t n) {
  if (c->left < n) return false;
  memcpy(out, c->p, n);
  c->p += n;
  c->left -= n;
  return true;
}

/* Images from the input; pieces are laid end to end from the base. */
static uint32_t read_images(cursor *c, rp_mat_image *img) {
  uint8_t n = 0;
  if (!take(c, &n, 1)) return 0;
  n %= 6;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t page = 0;
    uint8_t low = 0, pieces = 0;
    if (!take(c, &page, 4) || !take(c, &low, 1) || !take(c, &pieces, 1)) return i;
    memset(&img[i], 0, sizeof(img[i]));
    img[i].base = (uint64_t)page * PAGE + (low & 0x80 ? low : 0);
    img[i].piece_count = pieces % (RP_MAT_MAX_PIECES + 2);
    uint64_t at = img[i].base;
    for (uint32_t k = 0; k < img[i].piece_count && k < RP_MAT_MAX_PIECES; k++) {
      uint8_t pages = 0, prot = 0;
      if (!take(c, &pages, 1) || !take(c, &prot, 1)) return i + 1;
      uint64_t protect = (prot & 1 ? EFI_MEMORY_RO : 0) | (prot & 2 ? EFI_MEMORY_XP : 0) | (prot & 4 ? EFI_MEMORY_WB : 0);
      img[i].pieces[k] = (rp_mat_piece){ at + (prot & 8 ? PAGE : 0), pages, protect };
      img[i].pages += pages;
      at += (uint64_t)pages * PAGE;
    }
  }
  return n;
}

typedef unsigned __int128 u128;

/* 128-bit ends: an entry may end exactly at 2^64 (a whole-space entry). */
static bool inside(const EFI_MEMORY_DESCRIPTOR *d, const EFI_MEMORY_DESCRIPTOR *e) {
  u128 d_end = (u128)d->PhysicalStart + ((u128)d->NumberOfPages << 12);
  u128 e_end = (u128)e->PhysicalStart + ((u128)e->NumberOfPages << 12);
  return d->PhysicalStart >= e->PhysicalStart && d_end <= e_end;
}

static bool in_described(const EFI_MEMORY_DESCRIPTOR *d, const rp_mat_image *img, const rp_mat_outcome *what,
                         uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    if (what[i] == RP_MAT_IMAGE_DESCRIBED && d->PhysicalStart >= img[i].base &&
        (u128)d->PhysicalStart < (u128)img[i].base + ((u128)img[i].pages << 12))
      return true;
  return false;
}

static void check_output(rp_bytes in, rp_bytes out, const rp_mat_image *img, const rp_mat_outcome *what, uint32_t n) {
  rp_mat_header hi, ho;
  EFI_MEMORY_DESCRIPTOR d, e;
  u128 pages_in = 0, pages_out = 0;
  RP_FUZZ_ASSERT(!EFI_ERROR(rp_mat_validate(in, &hi, NULL)));
  RP_FUZZ_ASSERT(!EFI_ERROR(rp_mat_validate(out, &ho, NULL)));
  RP_FUZZ_ASSERT(ho.version == hi.version && ho.flags == hi.flags && ho.desc_size == hi.desc_size);
  for (uint32_t i = 0; i < hi.count; i++) {
    RP_FUZZ_ASSERT(rp_mat_entry(in, &hi, i, &e));
    pages_in += e.NumberOfPages;
  }
  for (uint32_t j = 0; j < ho.count; j++) {
    RP_FUZZ_ASSERT(rp_mat_entry(out, &ho, j, &d));
    pages_out += d.NumberOfPages;
    bool found = false;
    for (uint32_t i = 0; i < hi.count && !found; i++) {
      (void)rp_mat_entry(in, &hi, i, &e);
      if (d.Type != e.Type || !inside(&d, &e)) continue;
      found = true;
      if (!in_described(&d, img, what, n)) RP_FUZZ_ASSERT(d.Attribute == e.Attribute);
    }
    RP_FUZZ_ASSERT(found);
  }
  RP_FUZZ_ASSERT(pages_in == pages_out);
}

static void patch_and_check(rp_bytes table, const rp_mat_image *img, uint32_t n) {
  size_t need = 0, len = 0;
  rp_mat_outcome what[RP_MAT_MAX_IMAGES];
  rp_diag diag;
  EFI_STATUS s = rp_mat_patch(table, img, n, rp_mbytes_of(NULL, 0), &need, NULL, &diag);
  if (s != EFI_BUFFER_TOO_SMALL) {
    RP_FUZZ_ASSERT(EFI_ERROR(s) && diag.reason != RP_R_NONE);
    return;
  }
  uint8_t *out = malloc(need + 1);
  RP_FUZZ_ASSERT(out != NULL);
  memset(out, 0x5A, need + 1);
  s = rp_mat_patch(table, img, n, rp_mbytes_of(out, need - 1), &len, NULL, &diag);
  RP_FUZZ_ASSERT(s == EFI_BUFFER_TOO_SMALL && len == need);
  for (size_t i = 0; i < need + 1; i++) RP_FUZZ_ASSERT(out[i] == 0x5A);
  s = rp_mat_patch(table, img, n, rp_mbytes_of(out, need), &len, what, &diag);
  RP_FUZZ_ASSERT(s == EFI_SUCCESS && len == need && out[need] == 0x5A);
  check_output(table, rp_bytes_of(out, len), img, what, n);
  free(out);
}

/* An OVMF-like table: one XP code entry at 16 MiB holding everything. */
static void pe_mode(const uint8_t *data, size_t len) {
  static rp_pe_image pe;
  static uint8_t table[16 + 48];
  rp_mat_image img;
  uint32_t v = 1, count = 1, stride = 48, flags = 0, type = EfiRuntimeServicesCode;
  uint64_t base = 0x1000000, pages = 0x100000, attr = EFI_MEMORY_RUNTIME | EFI_MEMORY_XP;
  if (EFI_ERROR(rp_pe_parse(rp_bytes_of(data, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &pe, NULL))) return;
  if (EFI_ERROR(rp_mat_image_from_pe(&pe, base + PAGE, &img, NULL))) return;
  uint64_t at = img.base, covered = 0;
  RP_FUZZ_ASSERT(img.piece_count >= 1 && img.piece_count <= RP_MAT_MAX_PIECES);
  for (uint32_t k = 0; k < img.piece_count; k++) {
    RP_FUZZ_ASSERT(img.pieces[k].start == at && img.pieces[k].pages > 0);
    RP_FUZZ_ASSERT((img.pieces[k].protect & ~RP_MAT_PROTECT_MASK) == 0 && img.pieces[k].protect != 0);
    if (k > 0) RP_FUZZ_ASSERT(img.pieces[k].protect != img.pieces[k - 1].protect); /* merged */
    at += img.pieces[k].pages * PAGE;
    covered += img.pieces[k].pages;
  }
  RP_FUZZ_ASSERT(covered == img.pages);
  memset(table, 0, sizeof(table));
  memcpy(table, &v, 4);
  memcpy(table + 4, &count, 4);
  memcpy(table + 8, &stride, 4);
  memcpy(table + 12, &flags, 4);
  memcpy(table + 16, &type, 4);
  memcpy(table + 24, &base, 8);
  memcpy(table + 40, &pages, 8);
  memcpy(table + 48, &attr, 8);
  if (img.pages + 1 <= pages) patch_and_check(rp_bytes_of(table, sizeof(table)), &img, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  rp_fuzz_config cfg;
  size_t len = rp_fuzz_begin(data, size, &cfg);
  if (cfg.options & 1) {
    pe_mode(data, len);
    rp_fuzz_end();
    return 0;
  }
  rp_mat_image img[6];
  cursor c = { data, len };
  uint32_t n = read_images(&c, img);
  /* The patch sees a private copy of the table, so a write is detectable. */
  uint8_t *table = rp_fuzz_dup(c.p, c.left);
  patch_and_check(rp_bytes_of(table, c.left), img, n);
  RP_FUZZ_ASSERT(memcmp(table, c.p, c.left) == 0);
  free(table);
  rp_fuzz_end();
  return 0;
}
