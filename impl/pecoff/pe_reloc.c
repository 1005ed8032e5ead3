/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Base relocations (PE/COFF spec §5.6): the directory walk, fixup records
 * (EDK II RelocationData layout, runtime.md §4.1, and the native per-entry
 * layout), rp_pe_fixup_size and rp_pe_relocate. The walk is shared with
 * pe_runtime.c through pe_reloc_run; site encoders are in pe_site.c. Record
 * layouts byte by byte: docs/pecoff.md §5.
 *
 * Hot path: per block, one bound (hot_limit) says which page offsets hold a
 * DIR64 site that passes every target check (past the headers, inside the
 * image, clear of the directory), so runs of such DIR64 entries are handled
 * by tight loops over locals (dir64_*) with one compare per entry.
 * Everything else, and anything unusual inside a run, takes the fully
 * checked entry path.
 */
#include "pe_internal.h"

#include "rtprm/mem.h"
#include "rtprm/overflow.h"

#define BLOCK_HDR  8u

/* ---- relocation kinds ------------------------------------------------------ */

/* Per kind: site width, required site alignment (instructions: Thumb-2 and
 * RISC-V C halfwords, ARM and LoongArch words; data may be packed), EDK II
 * record alignment and size (runtime.md §4.1; ours: docs/pecoff.md §5). */
static const struct {
  uint8_t width, align, rec_align, rec_size;
} kinds[] = {
  [PK_ABS] = { 0, 1, 1, 0 },     [PK_HIGH] = { 2, 1, 1, 2 },    [PK_LOW] = { 2, 1, 1, 2 },
  [PK_HIGHLOW] = { 4, 1, 4, 4 }, [PK_DIR64] = { 8, 1, 8, 8 },   [PK_MOV32T] = { 8, 2, 8, 8 },
  [PK_MOV32A] = { 8, 4, 8, 8 },  [PK_HI20] = { 4, 2, 8, 8 },    [PK_LO12I] = { 4, 2, 8, 8 },
  [PK_LO12S] = { 4, 2, 8, 8 },   [PK_MARK_LA] = { 16, 4, 4, 16 },
};

static bool is_arm_a(uint16_t m) { return m == IMAGE_FILE_MACHINE_ARM || m == IMAGE_FILE_MACHINE_ARMTHUMB_MIXED; }
static bool is_arm_t(uint16_t m) { return m == IMAGE_FILE_MACHINE_ARMNT || m == IMAGE_FILE_MACHINE_ARMTHUMB_MIXED; }

/* §5.6.2: types 5, 7 and 8 mean different things per machine. */
static EFI_STATUS classify(uint16_t m, unsigned type, pe_rkind *k, uint64_t idx, rp_diag *diag) {
  bool rv = m == IMAGE_FILE_MACHINE_RISCV64;
  switch (type) {
  case IMAGE_REL_BASED_ABSOLUTE: *k = PK_ABS; return EFI_SUCCESS;
  case IMAGE_REL_BASED_HIGH: *k = PK_HIGH; return EFI_SUCCESS;
  case IMAGE_REL_BASED_LOW: *k = PK_LOW; return EFI_SUCCESS;
  case IMAGE_REL_BASED_HIGHLOW: *k = PK_HIGHLOW; return EFI_SUCCESS;
  case IMAGE_REL_BASED_DIR64: *k = PK_DIR64; return EFI_SUCCESS;
  case IMAGE_REL_BASED_HIGHADJ: RP_REJECT(diag, EFI_UNSUPPORTED, PE_RELOC_TYPE_UNSUPPORTED, idx);
  case 5:
    if (is_arm_a(m) || rv) {
      *k = rv ? PK_HI20 : PK_MOV32A;
      return EFI_SUCCESS;
    }
    break;
  case 7:
    if (is_arm_t(m) || rv) {
      *k = rv ? PK_LO12I : PK_MOV32T;
      return EFI_SUCCESS;
    }
    break;
  case 8:
    if (rv || m == IMAGE_FILE_MACHINE_LOONGARCH64) {
      *k = rv ? PK_LO12S : PK_MARK_LA;
      return EFI_SUCCESS;
    }
    break;
  default:
    break;
  }
  RP_REJECT(diag, EFI_UNSUPPORTED, PE_RELOC_TYPE, idx);
}

/* ---- structural checks ------------------------------------------------------- */

EFI_STATUS pe_reloc_dir_view(const rp_pe_image *img, rp_bytes bytes, rp_pe_layout layout, rp_bytes *dir,
                             rp_diag *diag) {
  const rp_pe_dir *d = &img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC];
  uint64_t off = d->rva;
  if (layout == RP_PE_LAYOUT_FILE && !rp_pe_rva_to_offset(img, d->rva, d->size, &off))
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_DIR_RANGE, IMAGE_DIRECTORY_ENTRY_BASERELOC);
  if (!rp_bytes_sub(bytes, off, d->size, dir))
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_DIR_RANGE, IMAGE_DIRECTORY_ENTRY_BASERELOC);
  return EFI_SUCCESS;
}

/* Block header at directory offset off (docs/pecoff.md §4.1, rows 1-6).
 * The page is the header's RVA: a TE image's lies te_adjust above its image
 * offset. A SizeOfBlock of 2 mod 4 (objcopy-made images end their last block
 * so) is a finding: the next block starts 16-bit aligned, its bytes are read
 * as they are; it is recorded once, by pass 1. */
static EFI_STATUS block_header(pe_rrun *r, uint32_t off, uint32_t *page, uint32_t *sob, rp_diag *diag) {
  if (r->c.dir.len - off < BLOCK_HDR) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_DIR_TRAILING, off);
  *page = rp_le32(r->c.dir.ptr + off);
  *sob = rp_le32(r->c.dir.ptr + off + 4);
  if (*sob < BLOCK_HDR) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_BLOCK_SMALL, off);
  if ((*sob & 1u) != 0) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_BLOCK_ODD, off);
  if (*sob > r->c.dir.len - off) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_BLOCK_OVERRUN, off);
  if (*page >= (uint64_t)r->c.img->size_of_image + r->c.img->te_adjust)
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_PAGE_RANGE, off);
  if ((*sob & 3u) != 0)
    PE_FINDING_IN(r->c.img->profile, r->p.mode == PE_RUN_VALIDATE ? r->findings : NULL, diag, EFI_LOAD_ERROR,
                  PE_RELOC_BLOCK_ALIGN, off);
  return EFI_SUCCESS;
}

/* Target [t, t + width) inside the image, outside the headers and the
 * relocation directory, aligned for its instruction kind. */
static EFI_STATUS check_target(const rp_pe_image *img, pe_rkind k, uint64_t t, uint64_t idx, rp_diag *diag) {
  const rp_pe_dir *d = &img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC];
  uint64_t end = t + kinds[k].width;
  if (end > img->size_of_image) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_TARGET_RANGE, idx);
  if (t < img->size_of_headers) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_TARGET_HEADERS, idx);
  if (t < (uint64_t)d->rva + d->size && d->rva < end) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_TARGET_RELOC_DIR, idx);
  if ((t & (kinds[k].align - 1u)) != 0) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_TARGET_ALIGN, idx);
  return EFI_SUCCESS;
}

/* The page offsets o with [page + o, page + o + 8) passing check_target
 * for DIR64 are [0, limit): 0 when the page starts in the headers (for TE:
 * below them, in the stripped part) or inside the directory, else up to the
 * image end or the directory start, whichever comes first after the page (at
 * most 0x1000, all 12-bit offsets). `page` is an image offset here. */
static uint32_t hot_limit(const rp_pe_image *img, uint64_t page) {
  const rp_pe_dir *d = &img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC];
  uint64_t end = img->size_of_image, dir_end = (uint64_t)d->rva + d->size;
  if (page < img->size_of_headers || (d->rva <= page && page < dir_end)) return 0;
  if (d->rva > page && d->rva < end) end = d->rva;
  if (end < (uint64_t)page + kinds[PK_DIR64].width) return 0;
  end -= (uint64_t)page + kinds[PK_DIR64].width - 1; /* offsets 0 .. end - 1 */
  return end < 0x1000u ? (uint32_t)end : 0x1000u;
}

/* ---- records ---------------------------------------------------------------- */

/* Record bytes for a site currently holding `site`. */
static void rec_bytes(pe_rkind k, rp_fixup_format fmt, const uint8_t *site, uint8_t *out) {
  uint32_t n = fmt == RP_FIXUP_NATIVE ? 8 : kinds[k].rec_size;
  rp_memset(out, 0, n);
  if (fmt == RP_FIXUP_NATIVE && k == PK_MARK_LA) {
    rp_put_le64(out, pe_la_value(site));
    return;
  }
  rp_memcpy(out, site, kinds[k].width < n ? kinds[k].width : n);
}

static uint32_t rec_size(pe_rkind k, rp_fixup_format fmt) {
  if (fmt == RP_FIXUP_NATIVE) return k == PK_ABS ? 0 : 8;
  return kinds[k].rec_size;
}

/* Record position of a non-ABSOLUTE entry: the EDK II cursor (aligned, then
 * advanced) or the native slot indexed by the entry's directory offset. The
 * cursor stays below 2^36: at most 2^31 entries of at most 23 bytes. */
static uint64_t rec_pos(pe_rrun *r, pe_rkind k, uint32_t dir_off) {
  uint64_t a = kinds[k].rec_align, p;
  if (r->c.fmt == RP_FIXUP_NATIVE) return pe_native_slot(dir_off);
  p = (r->p.cursor + a - 1) & ~(a - 1);
  r->p.cursor = p + kinds[k].rec_size;
  return p;
}

static void write_rec(pe_rrun *r, uint64_t pos, pe_rkind k, const uint8_t *site) {
  uint8_t rec[PE_SITE_MAX];
  rp_mbytes dst;
  rec_bytes(k, r->c.fmt, site, rec);
  if (rp_mbytes_sub(r->c.rec_out, pos, rec_size(k, r->c.fmt), &dst)) rp_memcpy(dst.ptr, rec, dst.len);
}

/* Runtime: the site still holds what the record says. */
static EFI_STATUS rec_matches(pe_rrun *r, uint64_t pos, pe_rkind k, const uint8_t *site, bool *match,
                              uint64_t idx, rp_diag *diag) {
  uint8_t want[PE_SITE_MAX], have[PE_SITE_MAX];
  uint32_t n = rec_size(k, r->c.fmt);
  if (!rp_read_bytes(r->c.rec_in, pos, want, n)) RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_FIXUP_RECORD_SHORT, idx);
  rec_bytes(k, r->c.fmt, site, have);
  *match = rp_memcmp(want, have, n) == 0;
  return EFI_SUCCESS;
}

/* EDK II RelocationData needs max(Size / 2 * 8, cursor) (docs/pecoff.md
 * §5.1); the native record one slot per directory halfword (§5.2). */
static uint64_t record_need(const rp_pe_image *img, rp_fixup_format fmt, uint64_t edk2_cursor) {
  uint32_t dsz = img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC].size;
  uint64_t budget = (uint64_t)(dsz / 2) * 8;
  if (fmt == RP_FIXUP_NONE) return 0;
  if (fmt == RP_FIXUP_NATIVE) return pe_native_size(dsz);
  return edk2_cursor > budget ? edk2_cursor : budget;
}

EFI_STATUS pe_edk2_need(const rp_pe_image *img, rp_bytes bytes, rp_pe_layout layout, uint64_t *need,
                        rp_diag *diag) {
  pe_rrun r;
  EFI_STATUS st;
  *need = 0;
  if (img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC].size == 0) return EFI_SUCCESS;
  rp_memset(&r, 0, sizeof(r));
  r.c.img = img;
  r.c.fmt = RP_FIXUP_EDK2;
  st = pe_reloc_dir_view(img, bytes, layout, &r.c.dir, diag);
  if (!EFI_ERROR(st)) st = pe_reloc_run(&r, PE_RUN_SIZE, diag);
  if (!EFI_ERROR(st)) *need = r.p.cursor;
  return st;
}

EFI_STATUS rp_pe_fixup_size(const rp_pe_image *img, rp_fixup_format fmt, uint64_t *size, rp_diag *diag) {
  uint64_t cursor = 0;
  EFI_STATUS st;
  if (img == NULL || size == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  if (fmt == RP_FIXUP_NONE) RP_REJECT(diag, EFI_UNSUPPORTED, PE_FIXUP_FORMAT, fmt);
  if (fmt != RP_FIXUP_EDK2 && fmt != RP_FIXUP_NATIVE) RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_FIXUP_FORMAT, fmt);
  if (fmt == RP_FIXUP_EDK2) {
    st = pe_edk2_need(img, img->bytes, img->layout, &cursor, diag);
    if (EFI_ERROR(st)) return st;
  }
  *size = record_need(img, fmt, cursor);
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}

EFI_STATUS pe_check_record_apart(rp_mbytes image, const void *rec, size_t rec_len, rp_diag *diag) {
  uintptr_t i = (uintptr_t)image.ptr, p = (uintptr_t)rec;
  if (rec != NULL && rec_len != 0 && ((p >= i && p - i < image.len) || (i >= p && i - p < rec_len)))
    RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_FIXUP_BUFFER_OVERLAP, RP_DIAG_NO_INDEX);
  return EFI_SUCCESS;
}

/* ---- checked entry path (every type) ------------------------------------------ */

typedef struct pe_rentry {
  pe_rkind kind;
  uint8_t  type;    /* raw type nibble */
  uint32_t target;  /* RVA of the site */
  uint32_t dir_off; /* offset of the entry inside the relocation directory */
} pe_rentry;

static bool applying(const pe_rrun *r) { return r->p.mode == PE_RUN_APPLY; }

static void count(pe_rrun *r, bool applied) {
  if (!applying(r)) return;
  if (applied) {
    r->p.n.applied++;
  } else {
    r->p.n.skipped++;
  }
}

/* check_target proved [target, target + n) inside the image. */
static void put_site(pe_rrun *r, uint32_t target, const uint8_t *v, uint32_t n) {
  if (applying(r)) rp_memcpy(r->c.image.ptr + target, v, n);
}

/* Closes the block's HI20: at load time its record holds the final word. */
static void rv_close(pe_rrun *r) {
  if (r->p.hi.valid && applying(r) && !r->c.runtime)
    write_rec(r, r->p.hi.rec, PK_HI20, r->c.image.ptr + r->p.hi.target);
  r->p.hi.valid = false;
}

static EFI_STATUS rv_hi(pe_rrun *r, const pe_rentry *e, const uint8_t *site, uint64_t pos, rp_diag *diag) {
  bool match = true;
  EFI_STATUS st;
  rv_close(r);
  if (r->c.runtime) {
    st = rec_matches(r, pos, PK_HI20, site, &match, e->dir_off, diag);
    if (EFI_ERROR(st)) return st;
    count(r, match);
  }
  if (!applying(r) && match && !pe_rv_hi_ok(rp_le32(site))) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_INSN, e->dir_off);
  r->p.hi.valid = true;
  r->p.hi.match = match;
  r->p.hi.new_set = false;
  r->p.hi.target = e->target;
  r->p.hi.insn = rp_le32(site);
  r->p.hi.rec = pos;
  return EFI_SUCCESS;
}

static EFI_STATUS rv_lo(pe_rrun *r, const pe_rentry *e, const uint8_t *site, uint64_t pos, rp_diag *diag) {
  uint32_t lo = rp_le32(site), hi2 = 0, lo2 = 0;
  uint8_t b[4];
  bool match = true, ok;
  EFI_STATUS st;
  if (!r->p.hi.valid) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_PAIR, e->dir_off);
  if (r->c.runtime) {
    st = rec_matches(r, pos, e->kind, site, &match, e->dir_off, diag);
    if (EFI_ERROR(st)) return st;
    match = match && r->p.hi.match;
    count(r, match);
    if (!match) return EFI_SUCCESS;
  }
  if (!applying(r) && !pe_rv_lo_ok(e->kind, lo)) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_INSN, e->dir_off);
  ok = pe_rv_pair(e->kind, r->p.hi.insn, lo, r->c.delta, &hi2, &lo2) && (!r->p.hi.new_set || hi2 == r->p.hi.value);
  if (!applying(r) && !ok) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_VALUE_RANGE, e->dir_off);
  if (ok) {
    r->p.hi.new_set = true;
    r->p.hi.value = hi2;
    rp_put_le32(b, hi2);
    put_site(r, r->p.hi.target, b, 4);
    rp_put_le32(b, lo2);
    put_site(r, e->target, b, 4);
  } else {
    rp_put_le32(b, lo); /* pass 2 only, after an overlapping write: leave it */
  }
  if (applying(r) && !r->c.runtime) write_rec(r, pos, e->kind, b);
  return EFI_SUCCESS;
}

static EFI_STATUS plain_site(pe_rrun *r, const pe_rentry *e, const uint8_t *site, uint64_t pos, rp_diag *diag) {
  uint8_t out[PE_SITE_MAX];
  uint32_t w = kinds[e->kind].width;
  bool match = true;
  EFI_STATUS st;
  if (r->c.runtime) {
    st = rec_matches(r, pos, e->kind, site, &match, e->dir_off, diag);
    if (EFI_ERROR(st)) return st;
    count(r, match);
    if (!match) return EFI_SUCCESS;
  }
  if (!pe_site_patch(e->kind, site, r->c.delta, out)) {
    if (!applying(r)) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_INSN, e->dir_off);
    rp_memcpy(out, site, w); /* pass 2 only, after an overlapping write */
  }
  put_site(r, e->target, out, w);
  if (applying(r) && !r->c.runtime) write_rec(r, pos, e->kind, out);
  return EFI_SUCCESS;
}

/* Site-content work of one entry whose target check_target accepted. */
static EFI_STATUS run_site(pe_rrun *r, const pe_rentry *e, rp_diag *diag) {
  uint8_t site[PE_SITE_MAX];
  uint64_t pos = rec_pos(r, e->kind, e->dir_off);
  if (r->p.mode == PE_RUN_SIZE) return EFI_SUCCESS;
  rp_memcpy(site, r->c.image.ptr + e->target, kinds[e->kind].width); /* inside: check_target */
  switch (e->kind) {
  case PK_HI20: return rv_hi(r, e, site, pos, diag);
  case PK_LO12I:
  case PK_LO12S: return rv_lo(r, e, site, pos, diag);
  default: return plain_site(r, e, site, pos, diag);
  }
}

/* One entry, fully checked. Structural errors return at once; in VALIDATE
 * the first site-content error is kept for pe_reloc_finish and the walk
 * goes on, so structure anywhere in the directory takes precedence. */
static EFI_STATUS run_entry(pe_rrun *r, uint32_t dir_off, uint32_t page, uint16_t v, rp_diag *diag) {
  uint64_t t = (uint64_t)page + IMAGE_REL_ENTRY_OFFSET(v);
  pe_rentry e = { PK_ABS, (uint8_t)IMAGE_REL_ENTRY_TYPE(v), 0, dir_off };
  rp_diag d;
  EFI_STATUS st = classify(r->c.img->machine, e.type, &e.kind, dir_off, diag);
  /* TE: an RVA below te_adjust names a stripped header byte. */
  if (!EFI_ERROR(st) && e.kind != PK_ABS && t < r->c.img->te_adjust)
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_TARGET_HEADERS, dir_off);
  t -= e.kind != PK_ABS ? r->c.img->te_adjust : 0;
  e.target = (uint32_t)t;
  if (!EFI_ERROR(st) && e.kind != PK_ABS) st = check_target(r->c.img, e.kind, t, dir_off, diag);
  if (EFI_ERROR(st)) return st;
  if (applying(r)) {
    r->p.n.entries++;
    r->p.n.by_type[e.type]++;
  }
  if (e.kind == PK_ABS) return EFI_SUCCESS;
  st = run_site(r, &e, &d);
  if (!EFI_ERROR(st)) return EFI_SUCCESS;
  if (r->p.mode != PE_RUN_VALIDATE) {
    *diag = d;
    return st;
  }
  if (!EFI_ERROR(r->p.deferred)) {
    r->p.deferred = st;
    r->p.deferred_diag = d;
  }
  return EFI_SUCCESS;
}

EFI_STATUS pe_reloc_finish(const pe_rrun *r, rp_diag *diag) {
  if (EFI_ERROR(r->p.deferred) && diag != NULL) *diag = r->p.deferred_diag;
  return r->p.deferred;
}

/* ---- hot path: DIR64 runs below the block's hot_limit ---------------------------- */

/* Each loop takes entries from eo while they are DIR64 and returns the
 * offset of the first one it leaves to run_entry (another type, or a record
 * slot out of bounds). DIR64 record slots are consecutive 8-byte slots in
 * both formats (EDK II: from the 8-aligned cursor; native: 8 + 4 * dir_off),
 * so a run needs one bound check. Locals only: site stores through
 * uint8_t * would otherwise force every field of *r to be reloaded. */

/* A DIR64 entry whose page offset is below the block's hot_limit. */
static bool is_hot(uint16_t v, uint32_t lim) {
  return IMAGE_REL_ENTRY_TYPE(v) == IMAGE_REL_BASED_DIR64 && IMAGE_REL_ENTRY_OFFSET(v) < lim;
}

/* Leading hot entries of a run of at most n. */
static uint32_t dir64_count(const uint8_t *ent, uint32_t n, uint32_t lim) {
  uint32_t i = 0;
  /* Whole-page limit: four entries per step, all four type nibbles 0xA. */
  if (lim == 0x1000u)
    while (n - i >= 4 && (rp_le64(ent + 2 * i) & 0xF000F000F000F000ull) == 0xA000A000A000A000ull) i += 4;
  while (i < n && is_hot(rp_le16(ent + 2 * i), lim)) i++;
  return i;
}

/* Slot of the run's first entry and how many slots of `lim` record bytes
 * fit from there (at most n). */
static uint32_t dir64_room(const pe_rrun *r, uint32_t dir_off, uint64_t lim, uint32_t n, uint64_t *pos) {
  *pos = r->c.fmt == RP_FIXUP_NATIVE ? pe_native_slot(dir_off) : (r->p.cursor + 7) & ~7ull;
  if (*pos > lim) return 0;
  return (lim - *pos) / 8 < n ? (uint32_t)((lim - *pos) / 8) : n;
}

/* After i entries of a run: cursor, stats, offset of the next entry. */
static uint32_t dir64_done(pe_rrun *r, uint32_t eo, uint32_t i) {
  if (i == 0) return eo;
  r->p.cursor = ((r->p.cursor + 7) & ~7ull) + 8ull * i;
  if (applying(r)) {
    r->p.n.entries += i;
    r->p.n.by_type[IMAGE_REL_BASED_DIR64] += i;
  }
  return eo + 2 * i;
}

/* APPLY at load time: site += delta, record := the new value. */
static uint32_t dir64_load(const pe_rrun *r, const uint8_t *ent, uint32_t n, uint32_t lim, uint8_t *sites,
                           uint64_t pos) {
  bool record = r->c.fmt != RP_FIXUP_NONE;
  uint8_t *rec = record ? r->c.rec_out.ptr + pos : NULL;
  uint64_t delta = r->c.delta;
  uint32_t i;
  for (i = 0; i < n; i++) {
    uint16_t v = rp_le16(ent + 2 * i);
    uint8_t *site = sites + IMAGE_REL_ENTRY_OFFSET(v);
    uint64_t val;
    if (!is_hot(v, lim)) break;
    val = rp_le64(site) + delta;
    rp_put_le64(site, val);
    if (record) rp_put_le64(rec + 8ull * i, val);
  }
  return i;
}

/* APPLY at runtime: site += delta only while it still holds its record. */
static uint32_t dir64_runtime(pe_rrun *r, const uint8_t *ent, uint32_t n, uint32_t lim, uint8_t *sites,
                              uint64_t pos) {
  const uint8_t *rec = r->c.rec_in.ptr + pos;
  uint64_t delta = r->c.delta, skipped = 0;
  uint32_t i;
  for (i = 0; i < n; i++) {
    uint16_t v = rp_le16(ent + 2 * i);
    uint8_t *site = sites + IMAGE_REL_ENTRY_OFFSET(v);
    uint64_t now;
    if (!is_hot(v, lim)) break;
    now = rp_le64(site);
    if (now != rp_le64(rec + 8ull * i)) {
      skipped++;
      continue;
    }
    rp_put_le64(site, now + delta);
  }
  r->p.n.applied += i - skipped;
  r->p.n.skipped += skipped;
  return i;
}

static uint32_t dir64_run(pe_rrun *r, uint32_t off, uint32_t eo, uint32_t sob, uint32_t page, uint32_t lim) {
  const uint8_t *ent = r->c.dir.ptr + off + eo;
  uint32_t n = (sob - eo) / 2;
  uint64_t pos = 0;
  if (!applying(r)) return dir64_done(r, eo, dir64_count(ent, n, lim));
  if (r->c.runtime) {
    n = dir64_room(r, off + eo, r->c.rec_in.len, n, &pos);
    if (n == 0) return eo;
    return dir64_done(r, eo, dir64_runtime(r, ent, n, lim, r->c.image.ptr + page, pos));
  }
  if (r->c.fmt != RP_FIXUP_NONE) n = dir64_room(r, off + eo, r->c.rec_out.len, n, &pos);
  if (n == 0) return eo;
  return dir64_done(r, eo, dir64_load(r, ent, n, lim, r->c.image.ptr + page, pos));
}

/* ---- the walk ---------------------------------------------------------------- */

static EFI_STATUS run_block(pe_rrun *r, uint32_t off, uint32_t page, uint32_t sob, rp_diag *diag) {
  /* The hot path needs the page as an image offset (TE: RVA - te_adjust). */
  uint64_t ipage = page >= r->c.img->te_adjust ? (uint64_t)page - r->c.img->te_adjust : 0;
  uint32_t lim = page >= r->c.img->te_adjust ? hot_limit(r->c.img, ipage) : 0;
  uint32_t eo = BLOCK_HDR;
  while (eo < sob) {
    EFI_STATUS st;
    if (lim != 0) eo = dir64_run(r, off, eo, sob, (uint32_t)ipage, lim);
    if (eo >= sob) break;
    st = run_entry(r, off + eo, page, rp_le16(r->c.dir.ptr + off + eo), diag);
    if (EFI_ERROR(st)) return st;
    eo += 2;
  }
  rv_close(r);
  if (applying(r)) r->p.n.blocks++;
  return EFI_SUCCESS;
}

EFI_STATUS pe_reloc_run(pe_rrun *r, pe_run_mode mode, rp_diag *diag) {
  uint32_t off = 0;
  rp_memset(&r->p, 0, sizeof(r->p)); /* per-walk state; EFI_SUCCESS is 0 */
  r->p.mode = mode;
  while (off < r->c.dir.len) {
    uint32_t page = 0, sob = 0;
    EFI_STATUS st = block_header(r, off, &page, &sob, diag);
    if (!EFI_ERROR(st)) st = run_block(r, off, page, sob, diag);
    if (EFI_ERROR(st)) return st;
    off += sob; /* sob <= dir.len - off: no wrap */
  }
  return EFI_SUCCESS;
}

/* ---- header ImageBase and preconditions ------------------------------------- */

/* A TE header holds the PE ImageBase: the header itself sits te_adjust
 * bytes above it (PI Vol 1 §17.2). */
uint64_t pe_read_base(const rp_pe_image *img, rp_bytes image) {
  uint64_t v = 0;
  uint32_t v32 = 0;
  if (img->pe32plus || img->te) {
    (void)rp_read_u64(image, pe_image_base_offset(img), &v);
    return v + img->te_adjust;
  }
  (void)rp_read_u32(image, pe_image_base_offset(img), &v32);
  return v32;
}

void pe_write_base(const rp_pe_image *img, rp_mbytes image, uint64_t base) {
  if (img->pe32plus || img->te) {
    (void)rp_write_u64(image, pe_image_base_offset(img), base - img->te_adjust);
  } else {
    (void)rp_write_u32(image, pe_image_base_offset(img), (uint32_t)base);
  }
}

EFI_STATUS pe_check_new_base(const rp_pe_image *img, uint64_t new_base, rp_diag *diag) {
  /* A new base is SectionAlignment-aligned (a TE image, which has no
   * SectionAlignment, moves by whole pages: its sections keep their place in
   * a page, which AArch64 ADRP code needs), and the whole image must fit at
   * it: its last byte may not wrap 64 bits, nor pass 4 GiB for a 32-bit
   * machine (a PE32 ImageBase is 32 bits). */
  uint64_t last;
  /* Staying put is always possible, also for an image whose own ImageBase
   * is off the grid (a PE_IMAGE_BASE_ALIGN finding). */
  bool aligned = new_base == img->image_base ||
                 (img->te ? rp_is_aligned_u64(new_base - img->image_base, EFI_PAGE_SIZE)
                          : rp_is_aligned_u64(new_base, img->section_alignment));
  if (!aligned ||
      !rp_add_u64(new_base, (uint64_t)img->size_of_image - 1, &last) || (!img->pe32plus && last > UINT32_MAX))
    RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_NEW_BASE, RP_DIAG_NO_INDEX);
  return EFI_SUCCESS;
}

/* PE/COFF §3.3.2: RELOCS_STRIPPED means "must stay at ImageBase". With the
 * flag clear and no relocation directory the image moves without fixups:
 * a finding (OVMF's RTC, capsule and counter runtime drivers are built so).
 * A TE image says the same explicitly (PI Vol 1 §17.4): not a finding. */
EFI_STATUS pe_check_movable(const rp_pe_image *img, uint64_t delta, rp_findings *fs, rp_diag *diag) {
  if (delta == 0) return EFI_SUCCESS;
  if ((img->characteristics & IMAGE_FILE_RELOCS_STRIPPED) != 0)
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOCS_STRIPPED, RP_DIAG_NO_INDEX);
  if (img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC].size == 0 && !img->te)
    PE_FINDING_IN(img->profile, fs, diag, EFI_LOAD_ERROR, PE_RELOCS_ABSENT, RP_DIAG_NO_INDEX);
  return EFI_SUCCESS;
}

/* ---- rp_pe_relocate ---------------------------------------------------------- */

/* Load time: the buffer the record is written to. */
static EFI_STATUS check_record_out(rp_fixup_format fmt, rp_mbytes rec, uint64_t need, rp_diag *diag) {
  if (fmt == RP_FIXUP_NONE || need == 0) return EFI_SUCCESS;
  if (rec.ptr == NULL || rec.len < need) RP_REJECT(diag, EFI_BUFFER_TOO_SMALL, PE_FIXUP_BUFFER_SIZE, need);
  if (((uintptr_t)rec.ptr & 7u) != 0) RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_FIXUP_BUFFER_ALIGN, RP_DIAG_NO_INDEX);
  return EFI_SUCCESS;
}

static EFI_STATUS reloc_setup(const rp_pe_image *img, rp_mbytes image, uint64_t new_base, rp_fixup_format fmt,
                              pe_rrun *r, rp_findings *list, rp_diag *diag) {
  if (fmt != RP_FIXUP_NONE && fmt != RP_FIXUP_EDK2 && fmt != RP_FIXUP_NATIVE)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_FIXUP_FORMAT, fmt);
  if (image.len < img->size_of_image) RP_REJECT(diag, EFI_BUFFER_TOO_SMALL, PE_MAPPED_SIZE, image.len);
  image.len = img->size_of_image;
  /* The header says where the image is now: refuses a second relocation
   * with a stale context. */
  if (pe_read_base(img, rp_bytes_const(image)) != img->image_base)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_RUNTIME_BASE_MISMATCH, RP_DIAG_NO_INDEX);
  return pe_run_setup(r, img, image, new_base, fmt, list, NULL, diag);
}

EFI_STATUS pe_run_setup(pe_rrun *r, const rp_pe_image *img, rp_mbytes image, uint64_t new_base, rp_fixup_format fmt,
                        rp_findings *list, const rp_findings *start, rp_diag *diag) {
  EFI_STATUS st;
  rp_memset(r, 0, sizeof(*r));
  r->findings = list;
  if (list != NULL && start != NULL)
    *list = *start;
  else
    rp_findings_clear(list);
  st = pe_check_new_base(img, new_base, diag);
  if (!EFI_ERROR(st)) st = pe_check_movable(img, new_base - img->image_base, r->findings, diag);
  if (EFI_ERROR(st)) return st;
  r->c.img = img;
  r->c.image = rp_mbytes_of(image.ptr, img->size_of_image); /* the caller proved image.len >= SizeOfImage */
  r->c.delta = new_base - img->image_base;
  r->c.fmt = fmt;
  if (img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC].size == 0) return EFI_SUCCESS;
  return pe_reloc_dir_view(img, rp_bytes_const(r->c.image), RP_PE_LAYOUT_MAPPED, &r->c.dir, diag);
}

EFI_STATUS rp_pe_relocate(const rp_pe_image *img, rp_mbytes image, uint64_t new_base, rp_fixup_format fmt,
                          rp_mbytes record, rp_pe_reloc_stats *stats, rp_diag *diag) {
  pe_rrun r;
  rp_findings fs;
  uint64_t need = 0;
  EFI_STATUS st;
  if (img == NULL || image.ptr == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  st = reloc_setup(img, image, new_base, fmt, &r, &fs, diag);
  if (!EFI_ERROR(st)) st = pe_reloc_run(&r, PE_RUN_VALIDATE, diag); /* pass 1: validate, no writes */
  if (!EFI_ERROR(st)) st = pe_reloc_finish(&r, diag);
  if (!EFI_ERROR(st)) {
    need = record_need(img, fmt, r.p.cursor);
    st = check_record_out(fmt, record, need, diag);
  }
  if (!EFI_ERROR(st) && need != 0) st = pe_check_record_apart(r.c.image, record.ptr, record.len, diag);
  if (EFI_ERROR(st)) return st;
  /* Pass 2: apply and record. Padding and unused slots are zero. */
  if (need != 0) rp_memset(record.ptr, 0, (size_t)need);
  if (fmt == RP_FIXUP_NATIVE) {
    (void)rp_write_u32(record, 0, img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC].rva);
    (void)rp_write_u32(record, 4, img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC].size);
  }
  r.c.rec_out = record;
  st = pe_reloc_run(&r, PE_RUN_APPLY, diag);
  if (EFI_ERROR(st)) return st; /* unreachable: pass 1 validated the same bytes */
  pe_write_base(img, r.c.image, new_base);
  if (stats != NULL) {
    stats->blocks = r.p.n.blocks;
    stats->entries = r.p.n.entries;
    rp_memcpy(stats->by_type, r.p.n.by_type, sizeof(stats->by_type));
    stats->record_bytes = need;
    stats->findings = fs;
  }
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}
