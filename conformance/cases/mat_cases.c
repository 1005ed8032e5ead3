/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Memory Attributes Table conformance cases (requirements/mat.json, MAT-xxx).
 * Table rows: build a table (and images) from rows, run rp_mat_patch, check
 * status/reason/index, that the input was not written (MAT-014), the exact
 * output entries, and the Linux invariants (MAT-015) on every success.
 * PE rows: parse a corpus image (or a synthetic section table) and check the
 * pieces rp_mat_image_from_pe derives (MAT-008..010).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"
#include "rtprm/crc32.h"
#include "rtprm/mat.h"
#include "rtprm/spec/pecoff.h"

typedef struct {
  uint32_t type;
  uint64_t phys, pages, attr;
} mat_row;

typedef struct {
  uint64_t pages, protect;
} piece_row;

typedef struct {
  uint64_t base;
  const piece_row *pieces;
  uint32_t n;
} image_row;

enum { OUT_OK = 0, OUT_NULL, OUT_SHORT, OUT_OVERLAP, OUT_EMPTY };

typedef struct {
  const mat_row *rows;
  uint32_t n;
  uint32_t version, desc_size, flags;
  int64_t buf_delta;      /* buffer length = 16 + n * desc_size + delta */
  bool null_table;
  uint32_t count;         /* NumberOfEntries written (0: n) */
  const image_row *images;
  uint32_t nimg;
  uint32_t many_images;   /* > 0: that many copies of images[0], spaced 1 MiB */
  int out_mode;
  const mat_row *expect;  /* on success */
  uint32_t nexpect;
  const rp_mat_outcome *outcomes;
} mat_input;

#define RT  EFI_MEMORY_RUNTIME
#define XP  EFI_MEMORY_XP
#define RO  EFI_MEMORY_RO
#define UC  EFI_MEMORY_UC
#define CODE EfiRuntimeServicesCode
#define DATA EfiRuntimeServicesData
#define R(t, p, n, a) { (t), (p), (n), (a) }

/* ---- tables ----------------------------------------------------------------- */
/* Debian OVMF after two PRM modules were loaded by BDS (Driver####): one big
 * XP code entry holds them; an EDK II image record (3 entries); runtime data. */
static const mat_row ovmf[] = {
  R(CODE, 0x1f5ec000, 0x6d, RT | XP),
  R(CODE, 0x1f700000, 1, RT | XP), R(CODE, 0x1f701000, 4, RT | RO), R(CODE, 0x1f705000, 2, RT | XP),
  R(DATA, 0x1f800000, 0x10, RT | XP),
};
static const piece_row prm_a[] = { { 1, RO | XP }, { 3, RO }, { 5, XP } };
static const piece_row prm_b[] = { { 1, RO | XP }, { 2, RO }, { 1, XP } };
static const image_row two_prm[] = { { 0x1f5f0000, prm_a, 3 }, { 0x1f600000, prm_b, 3 } };
static const mat_row ovmf_patched[] = {
  R(CODE, 0x1f5ec000, 4, RT | XP),
  R(CODE, 0x1f5f0000, 1, RT | RO | XP), R(CODE, 0x1f5f1000, 3, RT | RO), R(CODE, 0x1f5f4000, 5, RT | XP),
  R(CODE, 0x1f5f9000, 7, RT | XP),
  R(CODE, 0x1f600000, 1, RT | RO | XP), R(CODE, 0x1f601000, 2, RT | RO), R(CODE, 0x1f603000, 1, RT | XP),
  R(CODE, 0x1f604000, 0x55, RT | XP),
  R(CODE, 0x1f700000, 1, RT | XP), R(CODE, 0x1f701000, 4, RT | RO), R(CODE, 0x1f705000, 2, RT | XP),
  R(DATA, 0x1f800000, 0x10, RT | XP),
};
static const rp_mat_outcome out_two_described[] = { RP_MAT_IMAGE_DESCRIBED, RP_MAT_IMAGE_DESCRIBED };

/* One image that exactly fills one entry; one at each end of an entry. */
static const mat_row one_entry[] = { R(CODE, 0x100000, 9, RT | XP | UC) };
static const image_row img_exact[] = { { 0x100000, prm_a, 3 } };
static const mat_row exact_patched[] = {
  R(CODE, 0x100000, 1, RT | UC | RO | XP), R(CODE, 0x101000, 3, RT | UC | RO), R(CODE, 0x104000, 5, RT | UC | XP),
};
static const mat_row wide_entry[] = { R(CODE, 0x100000, 16, RT | RO | XP) };
static const image_row img_ends[] = { { 0x100000, prm_b, 3 }, { 0x10C000, prm_b, 3 } };
static const mat_row ends_patched[] = {
  R(CODE, 0x100000, 1, RT | RO | XP), R(CODE, 0x101000, 2, RT | RO), R(CODE, 0x103000, 1, RT | XP),
  R(CODE, 0x104000, 8, RT | RO | XP),
  R(CODE, 0x10C000, 1, RT | RO | XP), R(CODE, 0x10D000, 2, RT | RO), R(CODE, 0x10F000, 1, RT | XP),
};

/* Images the patch must leave alone. */
static const image_row img_recorded[] = { { 0x1f700000, prm_b, 3 } };  /* crosses EDK II's record entries */
static const image_row img_in_data[] = { { 0x1f800000, prm_b, 3 } };
static const image_row img_absent[] = { { 0x30000000, prm_b, 3 } };
static const image_row img_below[] = { { 0x01000000, prm_b, 3 } }; /* below every entry */
static const image_row img_straddle[] = { { 0x1f656000, prm_b, 3 } }; /* runs past entry 0's end */
static const rp_mat_outcome out_already[] = { RP_MAT_IMAGE_ALREADY };
static const rp_mat_outcome out_not_code[] = { RP_MAT_IMAGE_NOT_CODE };
static const rp_mat_outcome out_absent[] = { RP_MAT_IMAGE_ABSENT };

/* Bad tables. */
static const mat_row bad_type[] = { R(CODE, 0x100000, 1, RT), R(EfiBootServicesData, 0x200000, 1, 0) };
static const mat_row bad_unaligned[] = { R(CODE, 0x100800, 1, RT) };
static const mat_row bad_zero[] = { R(CODE, 0x100000, 1, RT), R(DATA, 0x200000, 0, RT) };
static const mat_row bad_wrap[] = { R(CODE, 0xFFFFFFFFFFFFE000ull, 3, RT) };
static const mat_row top_page[] = { R(CODE, 0x100000, 1, RT), R(DATA, 0xFFFFFFFFFFFFF000ull, 1, RT | XP) };
static const mat_row after_top[] = { R(DATA, 0xFFFFFFFFFFFFF000ull, 1, RT), R(CODE, 0x100000, 1, RT) };
static const mat_row unsorted[] = { R(CODE, 0x200000, 1, RT), R(CODE, 0x300000, 1, RT), R(CODE, 0x100000, 1, RT) };
static const mat_row overlap[] = { R(CODE, 0x200000, 4, RT), R(CODE, 0x203000, 1, RT) };
static const mat_row adjacent[] = { R(CODE, 0x200000, 4, RT), R(DATA, 0x204000, 1, RT) };
/* Precedence: entry 0 has a bad type and entry 1 is unaligned; images are bad too. */
static const mat_row precedence[] = { R(EfiLoaderCode, 0x100000, 1, 0), R(CODE, 0x200800, 1, RT) };

/* Bad images. */
static const image_row img_unaligned[] = { { 0x1f5f0800, prm_b, 3 } };
static const piece_row one_page[] = { { 1, XP } };
static const image_row img_zero[] = { { 0x1f5f0000, one_page, 0 } };
static const piece_row gap_pieces[] = { { 1, RO | XP }, { 0, RO }, { 3, XP } };
static const image_row img_gap[] = { { 0x1f5f0000, gap_pieces, 3 } };
static const piece_row wb_piece[] = { { 1, RO | XP | EFI_MEMORY_WB } };
static const image_row img_wb[] = { { 0x1f5f0000, wb_piece, 1 } };
static const image_row img_unsorted[] = { { 0x1f600000, prm_b, 3 }, { 0x1f5f0000, prm_a, 3 } };
static const image_row img_overlap[] = { { 0x1f5f0000, prm_a, 3 }, { 0x1f5f8000, prm_b, 3 } };
static const mat_row ovmf_one[] = { R(CODE, 0x1f5ec000, 0x6d, RT | XP) };
static const image_row img_touching[] = { { 0x1f5f0000, prm_a, 3 }, { 0x1f5f9000, prm_b, 3 } };
static const mat_row touching_patched[] = {
  R(CODE, 0x1f5ec000, 4, RT | XP),
  R(CODE, 0x1f5f0000, 1, RT | RO | XP), R(CODE, 0x1f5f1000, 3, RT | RO), R(CODE, 0x1f5f4000, 5, RT | XP),
  R(CODE, 0x1f5f9000, 1, RT | RO | XP), R(CODE, 0x1f5fa000, 2, RT | RO), R(CODE, 0x1f5fc000, 1, RT | XP),
  R(CODE, 0x1f5fd000, 0x5c, RT | XP),
};

/* ---- exec ------------------------------------------------------------------- */

static void put_desc(uint8_t *d, const mat_row *r) {
  memset(d, 0, 40);
  memcpy(d + 0, &r->type, 4);
  memcpy(d + 8, &r->phys, 8);
  memcpy(d + 24, &r->pages, 8);
  memcpy(d + 32, &r->attr, 8);
}

/* Header + rows at the input's stride; padding holds 0xA5. */
static uint8_t *build_table(const mat_input *in, size_t *len) {
  uint32_t stride = in->desc_size >= 40 ? in->desc_size : 40, count = in->count ? in->count : in->n;
  int64_t want = 16 + (int64_t)in->n * in->desc_size + in->buf_delta;
  size_t alloc = 16 + (size_t)in->n * stride + 64;
  uint8_t *buf = malloc(alloc);
  if (buf == NULL) return NULL;
  memset(buf, 0xA5, alloc);
  memcpy(buf, &in->version, 4);
  memcpy(buf + 4, &count, 4);
  memcpy(buf + 8, &in->desc_size, 4);
  memcpy(buf + 12, &in->flags, 4);
  for (uint32_t i = 0; i < in->n; i++) put_desc(buf + 16 + (size_t)i * stride, &in->rows[i]);
  *len = want > 0 ? (size_t)want : 0;
  return buf;
}

static void build_image(const image_row *row, uint64_t base, rp_mat_image *img) {
  uint64_t at = base;
  memset(img, 0, sizeof(*img));
  img->base = base;
  img->piece_count = row->n;
  for (uint32_t k = 0; k < row->n && k < RP_MAT_MAX_PIECES; k++) {
    img->pieces[k] = (rp_mat_piece){ at, row->pieces[k].pages, row->pieces[k].protect };
    img->pages += row->pieces[k].pages;
    at += row->pieces[k].pages * 4096u;
  }
}

static rp_mat_image *build_images(const mat_input *in, uint32_t *n) {
  *n = in->many_images ? in->many_images : in->nimg;
  rp_mat_image *imgs = calloc(*n ? *n : 1, sizeof(*imgs));
  for (uint32_t i = 0; imgs != NULL && i < *n; i++) {
    const image_row *row = in->many_images ? &in->images[0] : &in->images[i];
    build_image(row, in->many_images ? row->base + (uint64_t)i * 0x100000 : row->base, &imgs[i]);
  }
  return imgs;
}

/* MAT-015: every output entry inside one input entry of its type; same pages. */
static void check_linux_invariants(const mat_input *in, rp_bytes out, const rp_mat_header *h, rp_case_result *r) {
  uint64_t in_pages = 0, out_pages = 0;
  EFI_MEMORY_DESCRIPTOR d;
  for (uint32_t i = 0; i < in->n; i++) in_pages += in->rows[i].pages;
  for (uint32_t i = 0; i < h->count && rp_mat_entry(out, h, i, &d); i++) {
    bool inside = false;
    for (uint32_t k = 0; k < in->n && !inside; k++) {
      const mat_row *e = &in->rows[k];
      inside = d.Type == e->type && d.PhysicalStart >= e->phys &&
               d.PhysicalStart + d.NumberOfPages * 4096 <= e->phys + e->pages * 4096;
    }
    if (!inside) rp_case_fail(r, "output entry %u is not inside one input entry of its type (MAT-015)", i);
    out_pages += d.NumberOfPages;
  }
  if (in_pages != out_pages)
    rp_case_fail(r, "output covers %llu pages, input %llu (MAT-015)", (unsigned long long)out_pages,
                 (unsigned long long)in_pages);
}

static void check_output(const mat_input *in, const uint8_t *out, size_t out_len, rp_case_result *r) {
  rp_bytes ob = rp_bytes_of(out, out_len);
  rp_mat_header h;
  EFI_MEMORY_DESCRIPTOR d;
  if (EFI_ERROR(rp_mat_validate(ob, &h, NULL))) {
    rp_case_fail(r, "the output table does not validate");
    return;
  }
  if (h.version != in->version || h.flags != in->flags || h.desc_size != in->desc_size)
    rp_case_fail(r, "header changed: version %u flags %u size %u", h.version, h.flags, h.desc_size);
  if (h.count != in->nexpect) rp_case_fail(r, "NumberOfEntries %u, expected %u", h.count, in->nexpect);
  for (uint32_t i = 0; i < h.count && i < in->nexpect && rp_mat_entry(ob, &h, i, &d); i++) {
    const mat_row *e = &in->expect[i];
    if (d.Type != e->type || d.PhysicalStart != e->phys || d.NumberOfPages != e->pages || d.Attribute != e->attr)
      rp_case_fail(r, "entry %u: type %u 0x%llx +%llu attr 0x%llx", i, d.Type, (unsigned long long)d.PhysicalStart,
                   (unsigned long long)d.NumberOfPages, (unsigned long long)d.Attribute);
  }
  check_linux_invariants(in, ob, &h, r);
}

static void check_outcomes(const mat_input *in, const rp_mat_outcome *got, uint32_t n, rp_case_result *r) {
  for (uint32_t i = 0; in->outcomes != NULL && i < n; i++)
    if (got[i] != in->outcomes[i])
      rp_case_fail(r, "image %u: %s, expected %s", i, rp_mat_outcome_name(got[i]), rp_mat_outcome_name(in->outcomes[i]));
}

static rp_mbytes output_for(const mat_input *in, uint8_t *table, size_t tlen, uint8_t *out, size_t need) {
  switch (in->out_mode) {
  case OUT_NULL: return rp_mbytes_of(NULL, 0);
  case OUT_SHORT: return rp_mbytes_of(out, need - 1);
  case OUT_OVERLAP: return rp_mbytes_of(table + 8, tlen);
  case OUT_EMPTY: return rp_mbytes_of(out, 0);
  default: return rp_mbytes_of(out, need);
  }
}

static void exec_mat(const rp_case *c, rp_case_result *r) {
  const mat_input *in = c->input;
  size_t tlen = 0, need = 0, out_len = 0, cap = 1 << 16;
  uint32_t nimg = 0;
  rp_mat_outcome outcomes[RP_MAT_MAX_IMAGES + 1];
  uint8_t *table = build_table(in, &tlen), *out = malloc(cap);
  rp_mat_image *imgs = build_images(in, &nimg);
  rp_diag d;
  if (table == NULL || out == NULL || imgs == NULL) {
    rp_case_fail(r, "setup: out of memory");
    goto done;
  }
  rp_bytes tb = in->null_table ? rp_bytes_of(NULL, 0) : rp_bytes_of(table, tlen);
  /* Size first (the documented two-call pattern), then the mode's buffer. */
  (void)rp_mat_patch(tb, imgs, nimg, rp_mbytes_of(NULL, 0), &need, NULL, NULL);
  if (need == 0 || need > cap) need = cap;
  uint32_t crc_in = rp_crc32(table, tlen);
  memset(out, 0x5A, cap);
  rp_diag_clear(&d);
  rp_case_observe(r, rp_mat_patch(tb, imgs, nimg, output_for(in, table, tlen, out, need), &out_len, outcomes, &d), &d);
  if (in->out_mode != OUT_OVERLAP && rp_crc32(table, tlen) != crc_in) rp_case_fail(r, "the input table was written (MAT-014)");
  if (r->status == EFI_BUFFER_TOO_SMALL) {
    for (size_t i = 0; i < cap; i++)
      if (out[i] != 0x5A) {
        rp_case_fail(r, "a too-small output buffer was written at byte %zu (MAT-014)", i);
        break;
      }
    if (out_len != need) rp_case_fail(r, "size needed %zu, the sizing call said %zu", out_len, need);
  }
  if (r->status == EFI_SUCCESS) {
    check_output(in, out, out_len, r);
    check_outcomes(in, outcomes, nimg, r);
  }
done:
  free(table);
  free(out);
  free(imgs);
}

/* ---- PE rows ------------------------------------------------------------------ */

typedef struct {
  const char *file;        /* corpus/<file>, or NULL: the synthetic section table */
  uint64_t base;
  uint32_t section_alignment; /* != 0: overrides the parsed value */
  uint32_t sections;       /* synthetic: alternating code/data sections of one page */
  uint32_t size_of_headers; /* synthetic */
  uint32_t last_virtual_size, last_raw_size; /* synthetic: the last section's sizes */
  uint32_t size_of_image;  /* synthetic: 0 = one page per section plus headers */
  bool empty_middle;       /* synthetic: sections 2 pages apart, section 1 of size 0 */
  bool spaced_code;        /* synthetic: every section code, 2 pages apart (a gap before each but the first) */
  bool zero_image;         /* synthetic: SizeOfImage 0 */
  uint32_t shift_section;  /* != 0: section 1's VirtualAddress moved by this (off the page grid) */
  bool te;                 /* mark the context a TE image (no SectionAlignment) */
  const piece_row *expect;
  uint32_t nexpect;
} pe_input;

static void synthetic(const pe_input *in, rp_pe_image *pe) {
  memset(pe, 0, sizeof(*pe));
  pe->section_alignment = 0x1000;
  pe->size_of_headers = in->size_of_headers;
  pe->num_sections = (uint16_t)in->sections;
  for (uint32_t i = 0; i < in->sections; i++) {
    rp_pe_section *s = &pe->sections[i];
    bool spaced = in->empty_middle || in->spaced_code;
    s->virtual_address = spaced ? 0x1000 + 0x2000 * i : 0x1000 * (i + 1); /* spaced: gaps between */
    s->virtual_size = 0x800;
    s->characteristics = (i % 2 == 0 || in->spaced_code) ? (IMAGE_SCN_CNT_CODE | IMAGE_SCN_MEM_EXECUTE)
                                                          : IMAGE_SCN_CNT_INITIALIZED_DATA;
  }
  if (in->sections > 0) {
    pe->sections[in->sections - 1].virtual_size = in->last_virtual_size;
    pe->sections[in->sections - 1].raw_size = in->last_raw_size;
  }
  if (in->empty_middle && in->sections > 2) pe->sections[1].virtual_size = 0;
  pe->size_of_image = in->size_of_image ? in->size_of_image : 0x1000 * (in->sections + 1);
  if (in->zero_image) pe->size_of_image = 0;
}

static void check_pieces(const pe_input *in, const rp_mat_image *img, rp_case_result *r) {
  uint64_t at = in->base;
  if (img->piece_count != in->nexpect) rp_case_fail(r, "%u pieces, expected %u", img->piece_count, in->nexpect);
  for (uint32_t k = 0; k < img->piece_count && k < in->nexpect; k++) {
    const rp_mat_piece *p = &img->pieces[k];
    if (p->start != at || p->pages != in->expect[k].pages || p->protect != in->expect[k].protect)
      rp_case_fail(r, "piece %u: 0x%llx +%llu protect 0x%llx", k, (unsigned long long)p->start,
                   (unsigned long long)p->pages, (unsigned long long)p->protect);
    at += p->pages * 4096;
  }
}

static void exec_mat_pe(const rp_case *c, rp_case_result *r) {
  const pe_input *in = c->input;
  rp_pe_image *pe = calloc(1, sizeof(*pe));
  rp_mat_image img;
  uint8_t *buf = NULL;
  size_t len = 0;
  rp_diag d;
  rp_diag_clear(&d);
  if (pe == NULL) {
    rp_case_fail(r, "setup: out of memory");
    return;
  }
  if (in->file != NULL) {
    buf = rp_case_read_file(RTPRM_CORPUS_DIR, in->file, &len, r);
    if (buf == NULL || !rp_case_step(r, rp_pe_parse(rp_bytes_of(buf, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, pe, &d), &d, "parse"))
      goto done;
  } else {
    synthetic(in, pe);
  }
  if (in->section_alignment) pe->section_alignment = in->section_alignment;
  if (in->shift_section && pe->num_sections > 1) pe->sections[1].virtual_address += in->shift_section;
  if (in->te) {
    pe->te = true;
    pe->section_alignment = 0;
  }
  rp_case_observe(r, rp_mat_image_from_pe(pe, in->base, &img, &d), &d);
  if (r->status == EFI_SUCCESS) check_pieces(in, &img, r);
done:
  free(buf);
  free(pe);
}

/* ---- the table ---------------------------------------------------------------- */

#define IN(...) (&(const mat_input){ __VA_ARGS__ })
#define PE(...) (&(const pe_input){ __VA_ARGS__ })
#define ROWS(a) .rows = (a), .n = sizeof(a) / sizeof((a)[0])
#define IMGS(a) .images = (a), .nimg = sizeof(a) / sizeof((a)[0])
#define EXPECT(a) .expect = (a), .nexpect = sizeof(a) / sizeof((a)[0])
#define SAME(a) EXPECT(a)
#define PIECES(a) .expect = (a), .nexpect = sizeof(a) / sizeof((a)[0])
#define V1 .version = 1, .desc_size = 48
#define V2 .version = 2, .desc_size = 48, .flags = 1
#define PASS EFI_SUCCESS, RP_R_NONE, RP_DIAG_NO_INDEX
#define BAD(reason, index) EFI_INVALID_PARAMETER, RP_R_##reason, (index)
#define UNSUP(reason, index) EFI_UNSUPPORTED, RP_R_##reason, (index)
#define NOIDX RP_DIAG_NO_INDEX

static const piece_row lld_x64[] = { { 1, RO | XP }, { 3, RO }, { 5, XP } };
static const piece_row lld_aa64[] = { { 1, RO | XP }, { 15, XP }, { 3, RO }, { 45, XP } };
static const piece_row mingw_x64[] = { { 1, RO | XP }, { 1, RO }, { 5, XP } };
/* headers 0x1400 stop at section 1 (0x1000), which stays executable */
static const piece_row syn_clip[] = { { 1, RO | XP }, { 1, RO }, { 1, XP } };
/* last (code) section: VirtualSize 0, SizeOfRawData 0x2100 -> 3 pages RO */
static const piece_row syn_raw[] = { { 1, RO | XP }, { 1, RO }, { 1, XP }, { 3, RO }, { 1, XP } };
/* last (code) section's VirtualSize 0x9000 runs past SizeOfImage 0x4000 */
static const piece_row syn_tail[] = { { 1, RO | XP }, { 1, RO }, { 1, XP }, { 1, RO } };

/* fuzz finding (corpus/regressions/mat/crash-0ed7d338...): an empty section
 * must not leave the gap before it counted twice */
static const piece_row syn_headers_only[] = { { 1, RO | XP } };
static const piece_row syn_empty[] = { { 1, RO | XP }, { 1, RO }, { 3, XP }, { 1, RO } };

static const rp_case mat_cases[] = {
  /* the patch itself */
  { "MAT-C-001", "MAT-012 MAT-015 MAT-001", "Two PRM modules inside OVMF's XP code entry are split out (version 1)", PASS,
    IN(ROWS(ovmf), V1, IMGS(two_prm), EXPECT(ovmf_patched), .outcomes = out_two_described), exec_mat },
  { "MAT-C-002", "MAT-001 MAT-012", "Version 2 and its Flags are kept", PASS,
    IN(ROWS(ovmf), V2, IMGS(two_prm), EXPECT(ovmf_patched), .outcomes = out_two_described), exec_mat },
  { "MAT-C-003", "MAT-012", "An image filling its entry exactly becomes its pieces; UC and RUNTIME bits kept", PASS,
    IN(ROWS(one_entry), V1, IMGS(img_exact), EXPECT(exact_patched)), exec_mat },
  { "MAT-C-004", "MAT-012", "Images at both ends of one entry: no empty before/after entries", PASS,
    IN(ROWS(wide_entry), V1, IMGS(img_ends), EXPECT(ends_patched)), exec_mat },
  { "MAT-C-005", "MAT-011 MAT-012", "Touching images (one ends where the next starts) are both described", PASS,
    IN(ROWS(ovmf_one), V1, IMGS(img_touching), EXPECT(touching_patched)), exec_mat },
  { "MAT-C-006", "MAT-013", "An image crossing EDK II's record entries is left alone", PASS,
    IN(ROWS(ovmf), V1, IMGS(img_recorded), SAME(ovmf), .outcomes = out_already), exec_mat },
  { "MAT-C-007", "MAT-013", "An image inside runtime data is left alone", PASS,
    IN(ROWS(ovmf), V1, IMGS(img_in_data), SAME(ovmf), .outcomes = out_not_code), exec_mat },
  { "MAT-C-008", "MAT-013", "An image the table does not cover is left alone", PASS,
    IN(ROWS(ovmf), V1, IMGS(img_absent), SAME(ovmf), .outcomes = out_absent), exec_mat },
  { "MAT-C-009", "MAT-013", "An image running past its entry's end is left alone", PASS,
    IN(ROWS(ovmf), V1, IMGS(img_straddle), SAME(ovmf), .outcomes = out_already), exec_mat },
  { "MAT-C-010", "MAT-013", "No images: the entries come out unchanged", PASS,
    IN(ROWS(ovmf), V1, SAME(ovmf)), exec_mat },
  { "MAT-C-011", "MAT-001 MAT-015", "An empty table with no images is a 16-byte table", PASS,
    IN(.rows = ovmf, .n = 0, V1), exec_mat },
  { "MAT-C-012", "MAT-003", "DescriptorSize 64 is stepped and kept", PASS,
    IN(ROWS(ovmf), .version = 1, .desc_size = 64, IMGS(two_prm), EXPECT(ovmf_patched)), exec_mat },
  { "MAT-C-013", "MAT-003", "DescriptorSize 40 (no padding) works", PASS,
    IN(ROWS(ovmf), .version = 1, .desc_size = 40, IMGS(two_prm), EXPECT(ovmf_patched)), exec_mat },
  /* header */
  { "MAT-C-020", "MAT-002", "A NULL table is rejected", BAD(NULL_ARGUMENT, NOIDX),
    IN(ROWS(ovmf), V1, .null_table = true), exec_mat },
  { "MAT-C-021", "MAT-002", "A 15-byte buffer is shorter than the header", BAD(MAT_TOO_SMALL, NOIDX),
    IN(.rows = ovmf, .n = 0, V1, .buf_delta = -1), exec_mat },
  { "MAT-C-022", "MAT-001", "Version 0 is refused", UNSUP(MAT_VERSION, NOIDX),
    IN(ROWS(ovmf), .version = 0, .desc_size = 48), exec_mat },
  { "MAT-C-023", "MAT-001", "Version 3 is refused", UNSUP(MAT_VERSION, NOIDX),
    IN(ROWS(ovmf), .version = 3, .desc_size = 48), exec_mat },
  { "MAT-C-024", "MAT-003", "DescriptorSize 32 is rejected", BAD(MAT_DESC_SIZE, NOIDX),
    IN(ROWS(ovmf), .version = 1, .desc_size = 32), exec_mat },
  { "MAT-C-025", "MAT-003", "DescriptorSize 44 (not a multiple of 8) is rejected", BAD(MAT_DESC_SIZE, NOIDX),
    IN(ROWS(ovmf), .version = 1, .desc_size = 44), exec_mat },
  { "MAT-C-026", "MAT-004", "Entries one byte past the buffer are rejected", BAD(MAT_SIZE_EXCEEDS_BUF, NOIDX),
    IN(ROWS(ovmf), V1, .buf_delta = -1), exec_mat },
  { "MAT-C-027", "MAT-004", "NumberOfEntries 8193 is refused", UNSUP(MAT_TOO_MANY, NOIDX),
    IN(ROWS(ovmf), V1, .count = 8193), exec_mat },
  { "MAT-C-028", "MAT-004", "NumberOfEntries 0xFFFFFFFF is refused without overflow", UNSUP(MAT_TOO_MANY, NOIDX),
    IN(ROWS(ovmf), V1, .count = 0xFFFFFFFFu), exec_mat },
  { "MAT-C-029", "MAT-004", "NumberOfEntries 8192 over a 5-entry buffer is rejected", BAD(MAT_SIZE_EXCEEDS_BUF, NOIDX),
    IN(ROWS(ovmf), V1, .count = 8192), exec_mat },
  /* entries */
  { "MAT-C-030", "MAT-005", "A boot-services entry is rejected with its index", BAD(MAT_ENTRY_TYPE, 1),
    IN(ROWS(bad_type), V1), exec_mat },
  { "MAT-C-031", "MAT-006", "An unaligned PhysicalStart is rejected", BAD(MAT_ENTRY_RANGE, 0),
    IN(ROWS(bad_unaligned), V1), exec_mat },
  { "MAT-C-032", "MAT-006", "NumberOfPages 0 is rejected", BAD(MAT_ENTRY_RANGE, 1),
    IN(ROWS(bad_zero), V1), exec_mat },
  { "MAT-C-033", "MAT-006", "A range past the top of the address space is rejected", BAD(MAT_ENTRY_RANGE, 0),
    IN(ROWS(bad_wrap), V1), exec_mat },
  { "MAT-C-034", "MAT-006 MAT-007", "An entry ending exactly at the top of the address space is accepted", PASS,
    IN(ROWS(top_page), V1, SAME(top_page)), exec_mat },
  { "MAT-C-035", "MAT-007", "Nothing may follow an entry ending at the top", BAD(MAT_ENTRY_ORDER, 1),
    IN(ROWS(after_top), V1), exec_mat },
  { "MAT-C-036", "MAT-007", "A descending entry is rejected with its index", BAD(MAT_ENTRY_ORDER, 2),
    IN(ROWS(unsorted), V1), exec_mat },
  { "MAT-C-037", "MAT-007", "Overlapping entries are rejected", BAD(MAT_ENTRY_ORDER, 1),
    IN(ROWS(overlap), V1), exec_mat },
  { "MAT-C-038", "MAT-007", "Adjacent entries of different types are accepted", PASS,
    IN(ROWS(adjacent), V1, SAME(adjacent)), exec_mat },
  /* images */
  { "MAT-C-040", "MAT-010", "An unaligned image base is rejected", BAD(MAT_IMAGE_RANGE, 0),
    IN(ROWS(ovmf), V1, IMGS(img_unaligned)), exec_mat },
  { "MAT-C-041", "MAT-010", "An image without pieces is rejected", BAD(MAT_IMAGE_RANGE, 0),
    IN(ROWS(ovmf), V1, IMGS(img_zero)), exec_mat },
  { "MAT-C-042", "MAT-010", "A zero-page piece is rejected", BAD(MAT_IMAGE_PIECES, 0),
    IN(ROWS(ovmf), V1, IMGS(img_gap)), exec_mat },
  { "MAT-C-043", "MAT-010", "A piece carrying a cacheability bit is rejected", BAD(MAT_IMAGE_PIECES, 0),
    IN(ROWS(ovmf), V1, IMGS(img_wb)), exec_mat },
  { "MAT-C-044", "MAT-011", "Images out of order are rejected", BAD(MAT_IMAGE_ORDER, 1),
    IN(ROWS(ovmf), V1, IMGS(img_unsorted)), exec_mat },
  { "MAT-C-045", "MAT-011", "Overlapping images are rejected", BAD(MAT_IMAGE_ORDER, 1),
    IN(ROWS(ovmf), V1, IMGS(img_overlap)), exec_mat },
  { "MAT-C-046", "MAT-011", "65 images are refused", UNSUP(MAT_TOO_MANY_IMAGES, 65),
    IN(ROWS(ovmf), V1, IMGS(img_absent), .many_images = 65), exec_mat },
  { "MAT-C-047", "MAT-011 MAT-013", "64 images are accepted", PASS,
    IN(ROWS(ovmf), V1, IMGS(img_absent), .many_images = 64, SAME(ovmf)), exec_mat },
  /* output buffer */
  { "MAT-C-050", "MAT-014", "No output buffer: EFI_BUFFER_TOO_SMALL with the size needed", EFI_BUFFER_TOO_SMALL,
    RP_R_BUFFER_TOO_SMALL, 16 + 13 * 48, IN(ROWS(ovmf), V1, IMGS(two_prm), .out_mode = OUT_NULL), exec_mat },
  { "MAT-C-051", "MAT-014", "A buffer one byte short is not written", EFI_BUFFER_TOO_SMALL,
    RP_R_BUFFER_TOO_SMALL, 16 + 13 * 48, IN(ROWS(ovmf), V1, IMGS(two_prm), .out_mode = OUT_SHORT), exec_mat },
  { "MAT-C-052", "MAT-014", "An output buffer overlapping the input is refused", BAD(MAT_BUFFER_OVERLAP, NOIDX),
    IN(ROWS(ovmf), V1, IMGS(two_prm), .out_mode = OUT_OVERLAP), exec_mat },
  /* precedence */
  { "MAT-C-053", "MAT-004 MAT-005", "A header error wins over entry errors", UNSUP(MAT_VERSION, NOIDX),
    IN(ROWS(precedence), .version = 9, .desc_size = 48, IMGS(img_unaligned)), exec_mat },
  { "MAT-C-054", "MAT-005 MAT-010", "The first entry error wins over image errors", BAD(MAT_ENTRY_TYPE, 0),
    IN(ROWS(precedence), V1, IMGS(img_unaligned)), exec_mat },
  /* pieces from PE/COFF section tables */
  { "MAT-C-060", "MAT-008", "lld x64 PRM sample: headers RO+XP, .text RO, .rdata/.reloc XP", PASS,
    PE(.file = "prm/seed-lld-x64-context.efi", .base = 0x1f5f0000, PIECES(lld_x64)), exec_mat_pe },
  { "MAT-C-061", "MAT-008", "lld AArch64 sample (64 KiB sections): alignment gaps are XP", PASS,
    PE(.file = "prm/seed-lld-aa64-context.efi", .base = 0x40000000, PIECES(lld_aa64)), exec_mat_pe },
  { "MAT-C-062", "MAT-008", "MinGW x64 module: .data/.rdata/.edata/.idata/.reloc merge into one XP run", PASS,
    PE(.file = "prm/seed-mingw-x64-prm.efi", .base = 0x1000000, PIECES(mingw_x64)), exec_mat_pe },
  { "MAT-C-063", "MAT-009", "SectionAlignment 0x200 is refused", UNSUP(MAT_IMAGE_ALIGNMENT, NOIDX),
    PE(.file = "prm/seed-lld-x64-context.efi", .base = 0x1f5f0000, .section_alignment = 0x200), exec_mat_pe },
  { "MAT-C-076", "MAT-009 PE-055", "A section VirtualAddress off the page grid (PE_SECTION_ALIGN) is refused",
    UNSUP(MAT_IMAGE_ALIGNMENT, NOIDX), PE(.file = "prm/seed-lld-x64-context.efi", .base = 0x1f5f0000, .shift_section = 0x200),
    exec_mat_pe },
  { "MAT-C-077", "MAT-009 PE-051", "A TE image (no SectionAlignment) is refused", UNSUP(MAT_IMAGE_ALIGNMENT, NOIDX),
    PE(.file = "prm/seed-lld-x64-context.efi", .base = 0x1f5f0000, .te = true), exec_mat_pe },
  { "MAT-C-064", "MAT-010", "An unaligned load address is rejected", BAD(MAT_IMAGE_RANGE, NOIDX),
    PE(.file = "prm/seed-lld-x64-context.efi", .base = 0x1f5f0200), exec_mat_pe },
  { "MAT-C-065", "MAT-008", "17 alternating code/data sections need more than 16 pieces", UNSUP(MAT_IMAGE_TOO_MANY_PIECES, 16),
    PE(.base = 0x100000, .sections = 17, .size_of_headers = 0x400, .last_virtual_size = 0x800), exec_mat_pe },
  { "MAT-C-066", "MAT-008", "Headers reaching into section 1 are clipped where it starts", PASS,
    PE(.base = 0x100000, .sections = 2, .size_of_headers = 0x1400, .last_virtual_size = 0x800, PIECES(syn_clip)), exec_mat_pe },
  { "MAT-C-067", "MAT-008", "A section with VirtualSize 0 is measured by its raw size", PASS,
    PE(.base = 0x100000, .sections = 3, .size_of_headers = 0x400, .last_raw_size = 0x2100, .size_of_image = 0x7000,
       PIECES(syn_raw)), exec_mat_pe },
  { "MAT-C-068", "MAT-008", "A section running past SizeOfImage is clipped at the image end", PASS,
    PE(.base = 0x100000, .sections = 3, .size_of_headers = 0x400, .last_virtual_size = 0x9000, PIECES(syn_tail)), exec_mat_pe },
  { "MAT-C-069", "MAT-008", "An empty section between two others: its pages are one XP gap, counted once", PASS,
    PE(.base = 0x100000, .sections = 3, .size_of_headers = 0x400, .last_virtual_size = 0x800, .empty_middle = true,
       .size_of_image = 0x6000,
       PIECES(syn_empty)), exec_mat_pe },
  { "MAT-C-070", "MAT-008", "Nine spaced code sections: the 17th piece is a gap, refused", UNSUP(MAT_IMAGE_TOO_MANY_PIECES, 16),
    PE(.base = 0x100000, .sections = 9, .size_of_headers = 0x400, .last_virtual_size = 0x800, .spaced_code = true,
       .size_of_image = 0x12000), exec_mat_pe },
  { "MAT-C-071", "MAT-010", "SizeOfImage 0 gives no pages to describe", BAD(MAT_IMAGE_RANGE, NOIDX),
    PE(.base = 0x100000, .sections = 0, .size_of_headers = 0x400, .zero_image = true), exec_mat_pe },
  { "MAT-C-072", "MAT-010", "An image running past the top of the address space is rejected", BAD(MAT_IMAGE_RANGE, NOIDX),
    PE(.base = 0xFFFFFFFFFFFFF000ull, .sections = 2, .size_of_headers = 0x400, .last_virtual_size = 0x800), exec_mat_pe },
  { "MAT-C-073", "MAT-008", "No sections: the headers page is the whole image", PASS,
    PE(.base = 0x100000, .sections = 0, .size_of_headers = 0x400, PIECES(syn_headers_only)), exec_mat_pe },
  { "MAT-C-074", "MAT-013", "An image below every entry is not in the table", PASS,
    IN(ROWS(ovmf), V1, IMGS(img_below), SAME(ovmf), .outcomes = out_absent), exec_mat },
  { "MAT-C-075", "MAT-014", "A zero-length output buffer gets EFI_BUFFER_TOO_SMALL", EFI_BUFFER_TOO_SMALL,
    RP_R_BUFFER_TOO_SMALL, 16 + 13 * 48, IN(ROWS(ovmf), V1, IMGS(two_prm), .out_mode = OUT_EMPTY), exec_mat },
};

const rp_case_group rp_group_mat = {
  "mat", mat_cases, sizeof(mat_cases) / sizeof(mat_cases[0]), exec_mat,
};
