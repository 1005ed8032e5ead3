/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Fuzz target "pe_load_relocate": parse -> load -> relocate to A (recording
 * both fixup formats) -> runtime re-relocate to B, checked against a direct
 * load + relocate to B.
 *
 * Input:  a PE file | trailer (fuzz.h). Options:
 *   bits  0-7   kA: A = ImageBase + (int8)kA * unitA   (kA = 0: delta 0)
 *   bits  8-15  kB: B = ImageBase + (int8)kB * SectionAlignment (B != A)
 *   bit  16/17  add 0xFFFF800000000000 to A / B (kernel-half bases)
 *   bit  18     "wild": no 32-bit wrap of PE32 bases (PE_NEW_BASE paths)
 *   bits 19-20  rejected runtime call tried first: 0 none, 1 short or
 *               mismatched record, 2 wrong old base, 3 misaligned new base
 *   bit  21     record format of that call and of bit 24: NATIVE (else EDK2)
 *   bit  22     with 1 and NATIVE: corrupt the record header, not its length
 *   bit  23     first load into a destination one byte too small
 *   bit  24     the direct relocation to B records too (else RP_FIXUP_NONE)
 *   bit  25     also run the STRICT profile (oracle (f))
 * unitA is SectionAlignment, raised to 0x10000 when the image has HIGH
 * entries (or a relocation directory this harness cannot walk): HIGH adds
 * (u16)(delta >> 16) and drops the carry out of the low half (docs/pecoff.md
 * §4.1), so A-then-B equals B only when no carry is lost, i.e. when the
 * first delta has a zero low half. Every other type is additive modulo its
 * width, so no further restriction is needed.
 *
 * Oracles:
 *  (a) runtime(relocate(load, A), A -> B) == relocate(load, B) byte for
 *      byte, except the sites of overlapping relocations (and their RISC-V
 *      HI20/LO12 group): a later overlapping write changes an earlier site
 *      after it was recorded, so the runtime pass legitimately skips it (and
 *      may then reject an instruction the overlap destroyed). Without
 *      overlaps both outcomes (success/error) must agree and skipped == 0.
 *  (b) EDK II and native records give the same status, reason, image bytes
 *      and applied/skipped counts; record_bytes == rp_pe_fixup_size; for
 *      images of common types (HIGH/LOW/HIGHLOW/DIR64) without overlaps both
 *      records equal a layout computed here from docs/pecoff.md §5.
 *  (c) every rejection is an error with a reason != NONE and leaves the
 *      image and record bytes unchanged (compared with copies).
 *  (d) nothing is written outside the buffers: ASan, plus 64 guard bytes
 *      around every buffer (poisoned under ASan, pattern-checked always).
 *  (e) the load equals a reference load built here; FILE-valid implies
 *      MAPPED-valid; every allocation is released (rp_fuzz_end).
 *  (f) STRICT refuses exactly what COMPAT reports (docs/pecoff.md §1): a
 *      parse with findings fails under STRICT with the first one's reason,
 *      one without parses to the same context; likewise the relocation to A
 *      (image untouched on refusal, identical bytes otherwise).
 * TE images (PI Vol 1 §15) go through the same pipeline: their RVAs are
 * image offsets plus te_adjust, and they move by whole pages.
 */
#include <string.h>

#include "fuzz.h"
#include "rtprm/pe.h"
#include "rtprm/spec/pecoff.h"
#include "rtprm/platform.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RP_HAVE_ASAN 1
#endif
#endif
#if !defined(RP_HAVE_ASAN) && defined(__SANITIZE_ADDRESS__)
#define RP_HAVE_ASAN 1
#endif
#ifdef RP_HAVE_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n)   __asan_poison_memory_region((p), (n))
#define UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define POISON(p, n)   ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define MAX_IMAGE   (16u << 20) /* SizeOfImage cap: keeps an execution cheap */
#define GUARD       64u
#define GUARD_BYTE  0xA5u
#define FILL_BYTE   0x5Cu
#define KERNEL_HALF 0xFFFF800000000000ull

/* ---- guarded buffers from the platform seam ----------------------------- */

typedef struct gbuf {
  uint8_t *raw; /* pool block: guard | len bytes | guard */
  uint8_t *p;
  size_t   len;
} gbuf;

static bool gbuf_alloc(gbuf *b, size_t len) {
  void *raw = NULL;
  memset(b, 0, sizeof(*b));
  if (EFI_ERROR(rp_plat_alloc_pool(EfiRuntimeServicesData, len + 2 * GUARD, &raw))) return false;
  b->raw = raw;
  b->p = b->raw + GUARD;
  b->len = len;
  memset(b->raw, GUARD_BYTE, GUARD);
  memset(b->p, FILL_BYTE, len);
  memset(b->p + len, GUARD_BYTE, GUARD);
  POISON(b->raw, GUARD);
  POISON(b->p + len, GUARD);
  return true;
}

static void gbuf_free(gbuf *b) {
  if (b->raw == NULL) return;
  UNPOISON(b->raw, GUARD);
  UNPOISON(b->p + b->len, GUARD);
  for (size_t i = 0; i < GUARD; i++) {
    RP_FUZZ_ASSERT(b->raw[i] == GUARD_BYTE);
    RP_FUZZ_ASSERT(b->p[b->len + i] == GUARD_BYTE);
  }
  rp_plat_free_pool(b->raw);
  memset(b, 0, sizeof(*b));
}

static void assert_rejected(EFI_STATUS st, const rp_diag *d) {
  RP_FUZZ_ASSERT(EFI_ERROR(st));
  RP_FUZZ_ASSERT(d->reason != RP_R_NONE);
}

static void assert_same(const uint8_t *a, const uint8_t *b, size_t n, const uint8_t *mask, const char *what) {
  if (memcmp(a, b, n) == 0) return;
  for (size_t i = 0; i < n; i++) {
    if (a[i] != b[i] && (mask == NULL || !mask[i])) {
      fprintf(stderr, "%s: first difference at offset 0x%zx (%02x vs %02x)\n", what, i, a[i], b[i]);
      RP_FUZZ_ASSERT(!"bytes differ");
    }
  }
}

/* ---- an independent walk of the relocation directory ---------------------- */

typedef struct site {
  uint32_t target, width, dir_off, group;
  uint8_t  type;
} site;

typedef struct sites {
  site  *v;
  size_t n;
  bool   ok;          /* the directory walked cleanly: every type known, targets in the image */
  bool   has_high;
  bool   common_only; /* only ABSOLUTE/HIGH/LOW/HIGHLOW/DIR64 */
  bool   overlap;
  uint64_t edk2_cursor; /* bytes the EDK II layout consumes (docs/pecoff.md §5.1) */
  uint8_t *mask;      /* SizeOfImage bytes, 1 = may differ (only when overlap) */
} sites;

static uint32_t ld32(const uint8_t *p) { return rp_le32(p); }
static uint16_t ld16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* Site width for a type on a machine (PE/COFF spec §5.6.2); 0 = unknown. */
static uint32_t type_width(uint16_t m, unsigned t) {
  bool rv = m == IMAGE_FILE_MACHINE_RISCV64;
  switch (t) {
  case 1: case 2: return 2;
  case 3: return 4;
  case 10: return 8;
  case 5: return rv ? 4 : (m == IMAGE_FILE_MACHINE_ARM || m == IMAGE_FILE_MACHINE_ARMTHUMB_MIXED) ? 8 : 0;
  case 7: return rv ? 4 : (m == IMAGE_FILE_MACHINE_ARMNT || m == IMAGE_FILE_MACHINE_ARMTHUMB_MIXED) ? 8 : 0;
  case 8: return rv ? 4 : m == IMAGE_FILE_MACHINE_LOONGARCH64 ? 16 : 0;
  default: return 0;
  }
}

static int by_target(const void *a, const void *b) {
  const site *x = a, *y = b;
  return x->target < y->target ? -1 : x->target > y->target;
}

/* Walks the directory of the mapped image; marks overlapping sites and,
 * for RISC-V, the whole HI20 group of any overlapping member. */
static void walk_sites(const rp_pe_image *img, const uint8_t *image, sites *s) {
  const rp_pe_dir *d = &img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC];
  memset(s, 0, sizeof(*s));
  s->common_only = true;
  if (d->size == 0) {
    s->ok = true;
    return;
  }
  if ((uint64_t)d->rva + d->size > img->size_of_image) return;
  s->v = malloc((d->size / 2 + 1) * sizeof(site));
  RP_FUZZ_ASSERT(s->v != NULL);
  const uint8_t *dir = image + d->rva;
  uint32_t off = 0;
  bool rv = img->machine == IMAGE_FILE_MACHINE_RISCV64;
  while (off < d->size) {
    if (d->size - off < 8) return;
    uint32_t page = ld32(dir + off), sob = ld32(dir + off + 4);
    if (sob < 8 || sob % 2 || sob > d->size - off) return; /* 2 mod 4: a COMPAT finding */
    uint32_t group = UINT32_MAX;
    for (uint32_t eo = off + 8; eo < off + sob; eo += 2) {
      uint16_t e = ld16(dir + eo);
      unsigned t = e >> 12;
      if (t == 0) continue;
      uint32_t w = type_width(img->machine, t);
      uint64_t tgt = (uint64_t)page + (e & 0xFFFu);
      if (tgt < img->te_adjust) return; /* TE: a stripped header byte */
      tgt -= img->te_adjust;
      if (w == 0 || tgt + w > img->size_of_image) return;
      site *x = &s->v[s->n];
      x->target = (uint32_t)tgt;
      x->width = w;
      x->dir_off = eo;
      x->type = (uint8_t)t;
      if (rv && t == 5) group = (uint32_t)s->n;
      x->group = (rv && (t == 7 || t == 8) && group != UINT32_MAX) ? group : (uint32_t)s->n;
      /* EDK II cursor: 2-byte sites unaligned, MARK_LA 16 bytes at 4, HIGHLOW 4 at 4, the rest 8 at 8 */
      uint32_t rsz = w == 2 ? 2 : w == 16 ? 16 : w == 4 && t == 3 ? 4 : 8, ral = w == 16 ? 4 : rsz == 2 ? 1 : rsz;
      s->edk2_cursor = ((s->edk2_cursor + ral - 1) & ~(uint64_t)(ral - 1)) + rsz;
      if (t == 1) s->has_high = true;
      if (t != 1 && t != 2 && t != 3 && t != 10) s->common_only = false;
      s->n++;
    }
    off += sob;
  }
  s->ok = true;
  /* Overlaps: sort a copy by target and sweep. */
  site *sorted = malloc((s->n ? s->n : 1) * sizeof(site));
  RP_FUZZ_ASSERT(sorted != NULL);
  memcpy(sorted, s->v, s->n * sizeof(site));
  qsort(sorted, s->n, sizeof(site), by_target);
  bool *bad = calloc(s->n ? s->n : 1, sizeof(bool));
  RP_FUZZ_ASSERT(bad != NULL);
  uint64_t end = 0;
  size_t owner = 0;
  for (size_t i = 0; i < s->n; i++) {
    if (i > 0 && sorted[i].target < end) {
      /* sorted[i] overlaps the site reaching furthest so far */
      bad[sorted[i].group] = true;
      bad[sorted[owner].group] = true;
      s->overlap = true;
    }
    if ((uint64_t)sorted[i].target + sorted[i].width > end) {
      end = (uint64_t)sorted[i].target + sorted[i].width;
      owner = i;
    }
  }
  free(sorted);
  if (s->overlap) {
    s->mask = calloc(img->size_of_image, 1);
    RP_FUZZ_ASSERT(s->mask != NULL);
    for (size_t i = 0; i < s->n; i++) {
      if (bad[s->v[i].group]) memset(s->mask + s->v[i].target, 1, s->v[i].width);
    }
  }
  free(bad);
}

static void sites_free(sites *s) {
  free(s->v);
  free(s->mask);
}

/* Expected record for common-type images, from docs/pecoff.md §5: every
 * value is the post-relocation site content. */
static void check_record_layout(const rp_pe_image *img, const sites *s, rp_fixup_format fmt, const uint8_t *image,
                                const uint8_t *rec, size_t rec_len) {
  if (!s->ok || !s->common_only || s->overlap) return;
  uint8_t *want = calloc(rec_len ? rec_len : 1, 1);
  RP_FUZZ_ASSERT(want != NULL);
  const rp_pe_dir *d = &img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC];
  if (fmt == RP_FIXUP_NATIVE) {
    RP_FUZZ_ASSERT(rec_len == 8 + 4ull * d->size);
    memcpy(want, &d->rva, 4);
    memcpy(want + 4, &d->size, 4);
    for (size_t i = 0; i < s->n; i++) memcpy(want + 8 + 4ull * s->v[i].dir_off, image + s->v[i].target, s->v[i].width);
  } else {
    uint64_t cur = 0;
    for (size_t i = 0; i < s->n; i++) {
      uint32_t w = s->v[i].width, align = w == 2 ? 1 : w;
      cur = (cur + align - 1) & ~(uint64_t)(align - 1);
      RP_FUZZ_ASSERT(cur + w <= rec_len);
      memcpy(want + cur, image + s->v[i].target, w);
      cur += w;
    }
    RP_FUZZ_ASSERT(rec_len == (cur > d->size / 2 * 8ull ? cur : d->size / 2 * 8ull));
  }
  assert_same(want, rec, rec_len, NULL, "fixup record vs reference layout");
  free(want);
}

/* ---- reference load -------------------------------------------------------- */

static void check_load(const rp_pe_image *img, const uint8_t *file, const uint8_t *image) {
  uint8_t *want = calloc(img->size_of_image, 1);
  RP_FUZZ_ASSERT(want != NULL);
  memcpy(want, file, img->size_of_headers);
  for (unsigned i = 0; i < img->num_sections; i++) {
    const rp_pe_section *sec = &img->sections[i];
    uint32_t vsize = sec->virtual_size ? sec->virtual_size : sec->raw_size;
    uint32_t n = vsize < sec->raw_size ? vsize : sec->raw_size;
    memcpy(want + sec->virtual_address, file + sec->raw_offset, n);
  }
  assert_same(want, image, img->size_of_image, NULL, "load vs reference load");
  free(want);
}

/* ---- bases ------------------------------------------------------------------ */

/* The grid a move keeps: SectionAlignment, whole pages for a TE image. */
static uint64_t move_unit(const rp_pe_image *img) { return img->te ? 0x1000u : img->section_alignment; }

/* ImageBase + k units; with `snap`, a move lands on the grid (the image's
 * own base may be off it: a PE_IMAGE_BASE_ALIGN finding, kept for k = 0
 * when `may_stay`). A does not snap when its delta must keep a zero low
 * half (HIGH entries): then an off-grid image can only stay. */
static uint64_t pick_base(const rp_pe_image *img, uint64_t unit, uint8_t k, bool high, bool wild, bool snap,
                          bool may_stay) {
  uint64_t b = img->image_base + (uint64_t)(int64_t)(int8_t)k * unit;
  if (snap && (k != 0 || !may_stay) && !img->te) b &= ~(unit - 1);
  if (high) b += KERNEL_HALF; /* a multiple of 2^47: alignment is kept */
  if (!img->pe32plus && !wild) b &= 0xFFFFFFFFull; /* 2^32 is a multiple of unit */
  return b;
}

/* ---- the pipeline ------------------------------------------------------------ */

enum { B_LOADED, B_A_EDK2, B_A_NATIVE, B_DIRECT, B_REC_EDK2, B_REC_NATIVE, B_REC_DIRECT, B_COUNT };

static uint64_t fixup_size(const rp_pe_image *mapped, rp_fixup_format fmt) {
  uint64_t n = 0;
  rp_diag d;
  EFI_STATUS st = rp_pe_fixup_size(mapped, fmt, &n, &d);
  if (EFI_ERROR(st)) {
    assert_rejected(st, &d);
    return 8; /* the directory is malformed: relocation must reject it */
  }
  return n;
}

/* Relocation to `base` of a copy of the loaded image; checks (c) on failure. */
static EFI_STATUS relocate(const rp_pe_image *img, gbuf *image, uint64_t base, rp_fixup_format fmt, gbuf *rec,
                           rp_pe_reloc_stats *stats, rp_diag *d) {
  uint8_t *before = rp_fuzz_dup(image->p, image->len);
  uint8_t *rec_before = rec ? rp_fuzz_dup(rec->p, rec->len) : NULL;
  rp_mbytes r = rec ? rp_mbytes_of(rec->p, rec->len) : rp_mbytes_of(NULL, 0);
  memset(stats, 0, sizeof(*stats));
  EFI_STATUS st = rp_pe_relocate(img, rp_mbytes_of(image->p, image->len), base, fmt, r, stats, d);
  if (EFI_ERROR(st)) {
    assert_rejected(st, d);
    assert_same(before, image->p, image->len, NULL, "image after a rejected relocation");
    if (rec) assert_same(rec_before, rec->p, rec->len, NULL, "record after a rejected relocation");
  } else {
    RP_FUZZ_ASSERT(d->reason == RP_R_NONE);
  }
  free(before);
  free(rec_before);
  return st;
}

static EFI_STATUS rerelocate(gbuf *image, uint64_t old_base, uint64_t new_base, rp_fixup_format fmt, const uint8_t *rec,
                             size_t rec_len, rp_pe_rerelocate_stats *stats, rp_diag *d) {
  uint8_t *before = rp_fuzz_dup(image->p, image->len);
  uint8_t *rec_before = rp_fuzz_dup(rec, rec_len);
  memset(stats, 0, sizeof(*stats));
  EFI_STATUS st = rp_pe_runtime_relocate(rp_mbytes_of(image->p, image->len), RP_PE_PROFILE_COMPAT, old_base, new_base, fmt,
                                         rp_bytes_of(rec, rec_len), stats, d);
  assert_same(rec_before, rec, rec_len, NULL, "record after a runtime relocation");
  if (EFI_ERROR(st)) {
    assert_rejected(st, d);
    assert_same(before, image->p, image->len, NULL, "image after a rejected runtime relocation");
  } else {
    RP_FUZZ_ASSERT(d->reason == RP_R_NONE);
  }
  free(before);
  free(rec_before);
  return st;
}

/* A runtime call that must be rejected; the image must stay as it was. */
static void try_rejected(const rp_pe_image *img, const sites *s, gbuf *image, uint64_t a, uint64_t b, uint32_t opt,
                         gbuf *rec_e, gbuf *rec_n) {
  bool native = (opt >> 21) & 1;
  rp_fixup_format fmt = native ? RP_FIXUP_NATIVE : RP_FIXUP_EDK2;
  gbuf *rec = native ? rec_n : rec_e;
  uint64_t old_base = a, new_base = b;
  size_t rec_len = rec->len;
  uint8_t *rec_bytes = rec->p, *tampered = NULL;
  rp_pe_rerelocate_stats rs;
  rp_diag d;
  switch ((opt >> 19) & 3) {
  case 1:
    if (img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC].size == 0) return; /* no record is read */
    if (!native && s->edk2_cursor == 0) return; /* only ABSOLUTE entries: nothing to compare */
    if (native && ((opt >> 22) & 1)) {
      tampered = malloc(rec_len + 8);
      RP_FUZZ_ASSERT(tampered != NULL && ((uintptr_t)tampered & 7) == 0);
      memcpy(tampered, rec->p, rec_len);
      tampered[0] ^= 0x04; /* dir_rva off by 4 */
      rec_bytes = tampered;
    } else {
      /* EDK II needs only what the cursor consumes (the rest of EDK II's
       * Size / 2 * 8 is slack); native needs every slot. */
      size_t need = native ? rec_len : (size_t)s->edk2_cursor;
      rec_len = need - 1 - (opt & 7) % need;
    }
    break;
  case 2:
    old_base = a + move_unit(img);
    break;
  default: /* off the grid, and a move (delta 0 is always allowed) */
    if (move_unit(img) < 2) return;
    new_base = (img->te ? b : b & ~(move_unit(img) - 1)) + move_unit(img) / 2;
    if (new_base == old_base) new_base += move_unit(img);
    break;
  }
  EFI_STATUS st = rerelocate(image, old_base, new_base, fmt, rec_bytes, rec_len, &rs, &d);
  RP_FUZZ_ASSERT(EFI_ERROR(st));
  free(tampered);
}

/* ---- (f) the STRICT profile --------------------------------------------------- */

static void check_strict_parse(const uint8_t *file, size_t len, const rp_pe_image *compat) {
  static rp_pe_image strict;
  rp_diag d;
  EFI_STATUS st = rp_pe_parse(rp_bytes_of(file, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_STRICT, &strict, &d);
  if (compat->findings.count != 0) {
    assert_rejected(st, &d);
    RP_FUZZ_ASSERT(d.reason == compat->findings.item[0].reason);
    return;
  }
  RP_FUZZ_ASSERT(st == EFI_SUCCESS && strict.profile == RP_PE_PROFILE_STRICT);
  strict.profile = RP_PE_PROFILE_COMPAT;
  RP_FUZZ_ASSERT(memcmp(&strict, compat, sizeof(strict)) == 0);
}

/* `loaded` is the unrelocated image, `moved` COMPAT's relocation of it to a
 * with stats *se. Needs an image without parse findings. */
static void check_strict_relocate(const uint8_t *loaded, size_t len, uint64_t a, const rp_pe_reloc_stats *se,
                                  const uint8_t *moved) {
  static rp_pe_image ctx;
  gbuf copy = { 0 };
  rp_pe_reloc_stats ss;
  rp_diag d;
  if (!gbuf_alloc(&copy, len)) return;
  memcpy(copy.p, loaded, len);
  RP_FUZZ_ASSERT(rp_pe_parse(rp_bytes_of(copy.p, len), RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_STRICT, &ctx, &d) ==
                 EFI_SUCCESS);
  EFI_STATUS st = relocate(&ctx, &copy, a, RP_FIXUP_NONE, NULL, &ss, &d);
  if (se->findings.count != 0) {
    RP_FUZZ_ASSERT(EFI_ERROR(st) && d.reason == se->findings.item[0].reason);
  } else {
    RP_FUZZ_ASSERT(st == EFI_SUCCESS && ss.findings.count == 0);
    assert_same(moved, copy.p, len, NULL, "STRICT vs COMPAT relocation");
  }
  gbuf_free(&copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  rp_fuzz_config cfg;
  size_t len = rp_fuzz_begin(data, size, &cfg);
  const uint32_t opt = cfg.options;
  uint8_t *file = rp_fuzz_dup(data, len);
  rp_pe_image img, mapped;
  rp_diag d;
  gbuf buf[B_COUNT];
  sites s;
  memset(buf, 0, sizeof(buf));
  memset(&s, 0, sizeof(s));

  EFI_STATUS st = rp_pe_parse(rp_bytes_of(file, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &img, &d);
  assert_same(data, file, len, NULL, "file after parse");
  if (EFI_ERROR(st)) {
    assert_rejected(st, &d);
    goto out;
  }
  if (img.size_of_image > MAX_IMAGE) goto out;
  bool strict = (opt >> 25) & 1;
  if (strict) check_strict_parse(file, len, &img);

  /* Load (optionally first into a destination of the wrong size). */
  if (!gbuf_alloc(&buf[B_LOADED], img.size_of_image)) goto out;
  if ((opt >> 23) & 1) {
    st = rp_pe_load(&img, rp_mbytes_of(buf[B_LOADED].p, img.size_of_image - 1), &d);
    assert_rejected(st, &d);
    RP_FUZZ_ASSERT(d.reason == RP_R_PE_LOAD_DEST_SIZE);
    for (size_t i = 0; i < img.size_of_image; i++) RP_FUZZ_ASSERT(buf[B_LOADED].p[i] == FILL_BYTE);
  }
  st = rp_pe_load(&img, rp_mbytes_of(buf[B_LOADED].p, buf[B_LOADED].len), &d);
  RP_FUZZ_ASSERT(st == EFI_SUCCESS); /* a parsed FILE always loads */
  check_load(&img, file, buf[B_LOADED].p);
  st = rp_pe_parse(rp_bytes_of(buf[B_LOADED].p, buf[B_LOADED].len), RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT, &mapped, &d);
  RP_FUZZ_ASSERT(st == EFI_SUCCESS); /* FILE-valid implies MAPPED-valid */

  walk_sites(&img, buf[B_LOADED].p, &s);
  uint64_t sa = move_unit(&img);
  uint64_t unit_a = (s.has_high || !s.ok) && sa < 0x10000 ? 0x10000 : sa;
  bool wild = (opt >> 18) & 1;
  uint64_t a = pick_base(&img, unit_a, (uint8_t)opt, (opt >> 16) & 1, wild, unit_a == sa, true);
  uint64_t b = pick_base(&img, sa, (uint8_t)(opt >> 8), (opt >> 17) & 1, wild, true, false);
  if (b == a) b = img.pe32plus || wild ? a + sa : (a + sa) & 0xFFFFFFFFull;

  /* Buffers: three copies of the loaded image and the records. */
  uint64_t need_e = fixup_size(&mapped, RP_FIXUP_EDK2), need_n = fixup_size(&mapped, RP_FIXUP_NATIVE);
  rp_fixup_format direct_fmt = !((opt >> 24) & 1) ? RP_FIXUP_NONE : (opt >> 21) & 1 ? RP_FIXUP_NATIVE : RP_FIXUP_EDK2;
  if (!gbuf_alloc(&buf[B_A_EDK2], img.size_of_image) || !gbuf_alloc(&buf[B_A_NATIVE], img.size_of_image) ||
      !gbuf_alloc(&buf[B_DIRECT], img.size_of_image) || !gbuf_alloc(&buf[B_REC_EDK2], need_e) ||
      !gbuf_alloc(&buf[B_REC_NATIVE], need_n) ||
      !gbuf_alloc(&buf[B_REC_DIRECT], direct_fmt == RP_FIXUP_NATIVE ? need_n : need_e))
    goto out;
  {
    uint64_t file_need;
    rp_diag fd;
    /* The size from the FILE context, when it can be computed, agrees. */
    if (!EFI_ERROR(rp_pe_fixup_size(&img, RP_FIXUP_EDK2, &file_need, &fd))) RP_FUZZ_ASSERT(file_need == need_e);
  }
  for (int i = B_A_EDK2; i <= B_DIRECT; i++) memcpy(buf[i].p, buf[B_LOADED].p, img.size_of_image);

  /* (b) relocation to A in both formats. */
  rp_pe_reloc_stats se, sn, sdir;
  rp_diag de, dn, ddir;
  EFI_STATUS ste = relocate(&img, &buf[B_A_EDK2], a, RP_FIXUP_EDK2, &buf[B_REC_EDK2], &se, &de);
  EFI_STATUS stn = relocate(&img, &buf[B_A_NATIVE], a, RP_FIXUP_NATIVE, &buf[B_REC_NATIVE], &sn, &dn);
  RP_FUZZ_ASSERT(ste == stn && de.reason == dn.reason);
  EFI_STATUS stdir = relocate(&img, &buf[B_DIRECT], b, direct_fmt,
                              direct_fmt == RP_FIXUP_NONE ? NULL : &buf[B_REC_DIRECT], &sdir, &ddir);
  if (!EFI_ERROR(stdir) && direct_fmt != RP_FIXUP_NONE)
    check_record_layout(&img, &s, direct_fmt, buf[B_DIRECT].p, buf[B_REC_DIRECT].p, (size_t)sdir.record_bytes);
  if (EFI_ERROR(ste)) goto out;
  RP_FUZZ_ASSERT(s.ok); /* the library accepted what this harness could not walk */
  if (strict && img.findings.count == 0)
    check_strict_relocate(buf[B_LOADED].p, img.size_of_image, a, &se, buf[B_A_EDK2].p);
  assert_same(buf[B_A_EDK2].p, buf[B_A_NATIVE].p, img.size_of_image, NULL, "A: EDK II vs native");
  RP_FUZZ_ASSERT(se.blocks == sn.blocks && se.entries == sn.entries);
  RP_FUZZ_ASSERT(memcmp(se.by_type, sn.by_type, sizeof(se.by_type)) == 0);
  RP_FUZZ_ASSERT(se.record_bytes == need_e && sn.record_bytes == need_n);
  check_record_layout(&img, &s, RP_FIXUP_EDK2, buf[B_A_EDK2].p, buf[B_REC_EDK2].p, buf[B_REC_EDK2].len);
  check_record_layout(&img, &s, RP_FIXUP_NATIVE, buf[B_A_NATIVE].p, buf[B_REC_NATIVE].p, buf[B_REC_NATIVE].len);
  if (s.ok) RP_FUZZ_ASSERT(se.entries - se.by_type[0] == s.n);
  {
    uint64_t budget = img.dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC].size / 2 * 8ull;
    RP_FUZZ_ASSERT(need_e == (s.edk2_cursor > budget ? s.edk2_cursor : budget));
  }

  /* (c) a rejected runtime call first, when asked for. */
  if ((opt >> 19) & 3) try_rejected(&img, &s, &buf[(opt >> 21) & 1 ? B_A_NATIVE : B_A_EDK2], a, b, opt,
                                    &buf[B_REC_EDK2], &buf[B_REC_NATIVE]);

  /* (b) runtime re-relocation A -> B from both records. */
  rp_pe_rerelocate_stats re, rn;
  ste = rerelocate(&buf[B_A_EDK2], a, b, RP_FIXUP_EDK2, buf[B_REC_EDK2].p, buf[B_REC_EDK2].len, &re, &de);
  stn = rerelocate(&buf[B_A_NATIVE], a, b, RP_FIXUP_NATIVE, buf[B_REC_NATIVE].p, buf[B_REC_NATIVE].len, &rn, &dn);
  RP_FUZZ_ASSERT(ste == stn && de.reason == dn.reason);
  /* Overlapping sites may differ: a native MARK_LA slot holds the decoded
   * 64-bit value, EDK II the four raw words, so an overlapping write that
   * only touches register fields is "changed" for one and not the other
   * (docs/pecoff.md §5.2; regression crash-afl-16b4f53e21b57cf5). */
  assert_same(buf[B_A_EDK2].p, buf[B_A_NATIVE].p, img.size_of_image, s.overlap ? s.mask : NULL,
              "B: EDK II vs native runtime");
  if (!EFI_ERROR(ste)) {
    if (!s.overlap) RP_FUZZ_ASSERT(re.applied == rn.applied && re.skipped == rn.skipped);
    RP_FUZZ_ASSERT(re.applied + re.skipped == se.entries - se.by_type[0]);
    if (s.ok && !s.overlap) RP_FUZZ_ASSERT(re.skipped == 0);
  }

  /* (a) runtime-relocated == directly relocated. */
  if (s.ok && !s.overlap) RP_FUZZ_ASSERT(EFI_ERROR(ste) == EFI_ERROR(stdir));
  if (!EFI_ERROR(ste) && !EFI_ERROR(stdir)) {
    assert_same(buf[B_DIRECT].p, buf[B_A_EDK2].p, img.size_of_image, s.mask, "direct B vs runtime A->B");
  }

out:
  for (int i = 0; i < B_COUNT; i++) gbuf_free(&buf[i]);
  sites_free(&s);
  free(file);
  rp_fuzz_end();
  return 0;
}
