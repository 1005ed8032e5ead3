/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Base relocations (PE/COFF spec §5.6): directory walk, per-type site
 * patching, fixup records (EDK II RelocationData layout, runtime.md §4.1,
 * and the native per-entry layout), rp_pe_fixup_size and rp_pe_relocate.
 * The walk and the site code are shared with pe_runtime.c through
 * pe_reloc_run. Record layouts byte by byte: docs/pecoff.md §5.
 */
#include "pe_internal.h"

#include "rtprm/mem.h"
#include "rtprm/overflow.h"

#define NATIVE_HDR 8u

/* ---- classification ------------------------------------------------------- */

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

static uint32_t site_width(pe_rkind k) {
  static const uint8_t w[] = { 0, 2, 2, 4, 8, 8, 8, 4, 4, 4, 16 };
  return w[k];
}

/* Instruction sites need their natural alignment: Thumb-2 and RISC-V (C
 * extension) halfwords, ARM and LoongArch words. Data sites may be packed. */
static uint32_t site_align(pe_rkind k) {
  static const uint8_t a[] = { 1, 1, 1, 1, 1, 2, 4, 2, 2, 2, 4 };
  return a[k];
}

static bool is_rv(pe_rkind k) { return k == PK_HI20 || k == PK_LO12I || k == PK_LO12S; }

/* ---- directory walk ------------------------------------------------------- */

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

/* Target [t, t + width) inside the image, outside the headers and the
 * relocation directory, aligned for its instruction kind. */
static EFI_STATUS check_target(const rp_pe_image *img, pe_rkind k, uint64_t t, uint64_t idx, rp_diag *diag) {
  const rp_pe_dir *d = &img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC];
  uint64_t end = t + site_width(k);
  if (end > img->size_of_image) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_TARGET_RANGE, idx);
  if (t < img->size_of_headers) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_TARGET_HEADERS, idx);
  if (t < (uint64_t)d->rva + d->size && d->rva < end) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_TARGET_RELOC_DIR, idx);
  if ((t & (site_align(k) - 1)) != 0) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_TARGET_ALIGN, idx);
  return EFI_SUCCESS;
}

static EFI_STATUS walk_block(const rp_pe_image *img, rp_bytes dir, uint32_t off, uint32_t page, uint32_t sob,
                             pe_reloc_visit fn, void *ctx, rp_diag *diag) {
  pe_rentry e = { PK_BLOCK_END, 0, 0, off };
  for (uint32_t eo = off + 8; eo < off + sob; eo += 2) {
    uint16_t v = 0;
    EFI_STATUS st;
    (void)rp_read_u16(dir, eo, &v);
    e.type = (uint8_t)IMAGE_REL_ENTRY_TYPE(v);
    e.dir_off = eo;
    e.target = page + IMAGE_REL_ENTRY_OFFSET(v);
    st = classify(img->machine, e.type, &e.kind, eo, diag);
    /* page < SizeOfImage <= 2^32 - 1 and offset <= 0xFFF: u64 target. */
    if (!EFI_ERROR(st) && e.kind != PK_ABS)
      st = check_target(img, e.kind, (uint64_t)page + IMAGE_REL_ENTRY_OFFSET(v), eo, diag);
    if (!EFI_ERROR(st)) st = fn(ctx, &e, diag);
    if (EFI_ERROR(st)) return st;
  }
  e.kind = PK_BLOCK_END;
  e.type = 0;
  e.dir_off = off;
  return fn(ctx, &e, diag);
}

EFI_STATUS pe_reloc_walk(const rp_pe_image *img, rp_bytes dir, pe_reloc_visit fn, void *ctx, rp_diag *diag) {
  uint32_t off = 0;
  while (off < dir.len) {
    uint32_t page = 0, sob = 0;
    EFI_STATUS st;
    if (dir.len - off < sizeof(IMAGE_BASE_RELOCATION)) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_DIR_TRAILING, off);
    (void)rp_read_u32(dir, off, &page);
    (void)rp_read_u32(dir, off + 4, &sob);
    if (sob < sizeof(IMAGE_BASE_RELOCATION)) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_BLOCK_SMALL, off);
    if ((sob & 3u) != 0) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_BLOCK_ALIGN, off);
    if (sob > dir.len - off) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_BLOCK_OVERRUN, off);
    if (page >= img->size_of_image) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_PAGE_RANGE, off);
    st = walk_block(img, dir, off, page, sob, fn, ctx, diag);
    if (EFI_ERROR(st)) return st;
    off += sob; /* sob <= dir.len - off: no wrap */
  }
  return EFI_SUCCESS;
}

/* ---- site patching ---------------------------------------------------------- */

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v) {
  put16(p, (uint16_t)v);
  put16(p + 2, (uint16_t)(v >> 16));
}
static void put64(uint8_t *p, uint64_t v) {
  put32(p, (uint32_t)v);
  put32(p + 4, (uint32_t)(v >> 32));
}

/* Thumb-2 MOVW (T3) / MOVT (T1) at p: imm16 = imm4:i:imm3:imm8 (ARM ARM
 * A7.7.76 / A7.7.79). */
static bool t_mov_ok(const uint8_t *p, uint16_t op) { return (le16(p) & 0xFBF0u) == op && (le16(p + 2) & 0x8000u) == 0; }
static uint32_t t_imm(const uint8_t *p) {
  uint16_t a = le16(p), b = le16(p + 2);
  return (uint32_t)(a & 0xFu) << 12 | (uint32_t)((a >> 10) & 1u) << 11 | (uint32_t)((b >> 12) & 7u) << 8 | (b & 0xFFu);
}
static void t_set(uint8_t *p, uint32_t imm) {
  uint16_t a = le16(p), b = le16(p + 2);
  a = (uint16_t)((a & ~0x040Fu) | ((imm >> 12) & 0xFu) | ((imm >> 11) & 1u) << 10);
  b = (uint16_t)((b & ~0x70FFu) | ((imm >> 8) & 7u) << 12 | (imm & 0xFFu));
  put16(p, a);
  put16(p + 2, b);
}

/* ARM MOVW (A2) / MOVT (A1): imm16 = imm4:imm12. */
static bool a_mov_ok(const uint8_t *p, uint32_t op) { return (rp_le32(p) & 0x0FF00000u) == op; }
static uint32_t a_imm(const uint8_t *p) { return (rp_le32(p) >> 16 & 0xFu) << 12 | (rp_le32(p) & 0xFFFu); }
static void a_set(uint8_t *p, uint32_t imm) {
  put32(p, (rp_le32(p) & ~0x000F0FFFu) | ((imm >> 12) & 0xFu) << 16 | (imm & 0xFFFu));
}

static bool mov32_patch(pe_rkind k, const uint8_t *cur, uint64_t delta, uint8_t *out) {
  bool t = k == PK_MOV32T;
  uint32_t v;
  if (t ? !(t_mov_ok(cur, 0xF240u) && t_mov_ok(cur + 4, 0xF2C0u))
        : !(a_mov_ok(cur, 0x03000000u) && a_mov_ok(cur + 4, 0x03400000u)))
    return false;
  v = (t ? (t_imm(cur + 4) << 16 | t_imm(cur)) : (a_imm(cur + 4) << 16 | a_imm(cur))) + (uint32_t)delta;
  rp_memcpy(out, cur, 8);
  if (t) {
    t_set(out, v & 0xFFFFu);
    t_set(out + 4, v >> 16);
  } else {
    a_set(out, v & 0xFFFFu);
    a_set(out + 4, v >> 16);
  }
  return true;
}

/* LoongArch lu12i.w / ori / lu32i.d / lu52i.d: bits 31:12, 11:0, 51:32 and
 * 63:52 of the value (LoongArch ISA manual §2.2). */
static bool la_ok(const uint8_t *p) {
  return (rp_le32(p) & 0xFE000000u) == 0x14000000u && (rp_le32(p + 4) & 0xFFC00000u) == 0x03800000u &&
         (rp_le32(p + 8) & 0xFE000000u) == 0x16000000u && (rp_le32(p + 12) & 0xFFC00000u) == 0x03000000u;
}
static uint64_t la_value(const uint8_t *p) {
  return (uint64_t)(rp_le32(p) >> 5 & 0xFFFFFu) << 12 | (uint64_t)(rp_le32(p + 4) >> 10 & 0xFFFu) |
         (uint64_t)(rp_le32(p + 8) >> 5 & 0xFFFFFu) << 32 | (uint64_t)(rp_le32(p + 12) >> 10 & 0xFFFu) << 52;
}
static void la_set(uint8_t *p, uint64_t v) {
  put32(p, (rp_le32(p) & ~(0xFFFFFu << 5)) | (uint32_t)(v >> 12 & 0xFFFFFu) << 5);
  put32(p + 4, (rp_le32(p + 4) & ~(0xFFFu << 10)) | (uint32_t)(v & 0xFFFu) << 10);
  put32(p + 8, (rp_le32(p + 8) & ~(0xFFFFFu << 5)) | (uint32_t)(v >> 32 & 0xFFFFFu) << 5);
  put32(p + 12, (rp_le32(p + 12) & ~(0xFFFu << 10)) | (uint32_t)(v >> 52 & 0xFFFu) << 10);
}

/* New bytes of a non-RISC-V site; false on a wrong instruction opcode. */
static bool site_patch(pe_rkind k, const uint8_t *cur, uint64_t delta, uint8_t *out) {
  switch (k) {
  case PK_HIGH: put16(out, (uint16_t)(le16(cur) + (uint16_t)((uint32_t)delta >> 16))); return true;
  case PK_LOW: put16(out, (uint16_t)(le16(cur) + (uint16_t)delta)); return true;
  case PK_HIGHLOW: put32(out, rp_le32(cur) + (uint32_t)delta); return true;
  case PK_DIR64: put64(out, rp_le64(cur) + delta); return true;
  case PK_MOV32T:
  case PK_MOV32A: return mov32_patch(k, cur, delta, out);
  case PK_MARK_LA:
    if (!la_ok(cur)) return false;
    rp_memcpy(out, cur, 16);
    la_set(out, la_value(cur) + delta);
    return true;
  default: return false;
  }
}

/* RISC-V: LUI (opcode 0x37) then an I-type (addi/addiw/loads/jalr) or
 * S-type (stores) using %lo (RISC-V unprivileged ISA §2.4, §2.6). */
static bool rv_hi_ok(uint32_t i) { return (i & 0x7Fu) == 0x37u; }
static bool rv_lo_ok(pe_rkind k, uint32_t i) {
  uint32_t op = i & 0x7Fu, f3 = (i >> 12) & 7u;
  if (k == PK_LO12S) return op == 0x23u || op == 0x27u;
  return op == 0x03u || op == 0x07u || op == 0x67u || ((op == 0x13u || op == 0x1Bu) && f3 == 0);
}
static int64_t sext12(uint32_t v) { return (int64_t)((int32_t)(v << 20) >> 20); }
static uint32_t rv_lo_imm(pe_rkind k, uint32_t i) {
  return k == PK_LO12S ? ((i >> 25) << 5 | ((i >> 7) & 0x1Fu)) : (i >> 20);
}

/* Value hi:lo materialise (lui sign-extends on RV64), plus delta; the new
 * pair must still reach it: upper part a sign-extended 32-bit value. */
static bool rv_pair(pe_rkind k, uint32_t hi, uint32_t lo, uint64_t delta, uint32_t *hi_out, uint32_t *lo_out) {
  uint64_t v = (uint64_t)(int64_t)(int32_t)(hi & 0xFFFFF000u) + (uint64_t)sext12(rv_lo_imm(k, lo)) + delta;
  uint32_t l = (uint32_t)v & 0xFFFu;
  uint64_t h = v - (uint64_t)sext12(l);
  if ((int64_t)h != (int64_t)(int32_t)(uint32_t)h) return false;
  *hi_out = (hi & 0xFFFu) | ((uint32_t)h & 0xFFFFF000u);
  if (k == PK_LO12S) {
    *lo_out = (lo & 0x01FFF07Fu) | (l >> 5) << 25 | (l & 0x1Fu) << 7;
  } else {
    *lo_out = (lo & 0x000FFFFFu) | l << 20;
  }
  return true;
}

/* ---- records ---------------------------------------------------------------- */

/* EDK II cursor alignment per entry (runtime.md §4.1 for the common types,
 * docs/pecoff.md §5 for ours). */
static uint32_t rec_align(pe_rkind k) {
  static const uint8_t a[] = { 1, 1, 1, 4, 8, 8, 8, 8, 8, 8, 4 };
  return a[k];
}

static uint32_t rec_size(pe_rkind k, rp_fixup_format fmt) {
  static const uint8_t s[] = { 0, 2, 2, 4, 8, 8, 8, 8, 8, 8, 16 };
  if (fmt == RP_FIXUP_NATIVE) return k == PK_ABS ? 0 : 8;
  return s[k];
}

/* Record bytes for a site currently holding `site`. */
static void rec_bytes(pe_rkind k, rp_fixup_format fmt, const uint8_t *site, uint8_t *out) {
  uint32_t n = rec_size(k, fmt);
  rp_memset(out, 0, n);
  if (fmt == RP_FIXUP_NATIVE && k == PK_MARK_LA) {
    put64(out, la_value(site));
    return;
  }
  rp_memcpy(out, site, site_width(k) < n ? site_width(k) : n);
}

/* Record position of entry e: the EDK II cursor (aligned, then advanced) or
 * the native slot indexed by the entry's offset in the directory. */
static uint64_t rec_pos(pe_rrun *r, const pe_rentry *e) {
  uint64_t p;
  if (r->fmt == RP_FIXUP_NATIVE) return NATIVE_HDR + 4ull * e->dir_off;
  (void)rp_align_up_u64(r->cursor, rec_align(e->kind), &p); /* cursor < 2^40 */
  r->cursor = p + rec_size(e->kind, r->fmt);
  return p;
}

static EFI_STATUS size_visit(void *ctx, const pe_rentry *e, rp_diag *diag) {
  pe_rrun *r = ctx;
  (void)diag;
  if (e->kind > PK_ABS) (void)rec_pos(r, e);
  return EFI_SUCCESS;
}

EFI_STATUS pe_edk2_need(const rp_pe_image *img, rp_bytes bytes, rp_pe_layout layout, uint64_t *need,
                        rp_diag *diag) {
  pe_rrun r;
  rp_bytes dir;
  EFI_STATUS st;
  *need = 0;
  if (img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC].size == 0) return EFI_SUCCESS;
  st = pe_reloc_dir_view(img, bytes, layout, &dir, diag);
  if (EFI_ERROR(st)) return st;
  rp_memset(&r, 0, sizeof(r));
  r.fmt = RP_FIXUP_EDK2;
  st = pe_reloc_walk(img, dir, size_visit, &r, diag);
  if (!EFI_ERROR(st)) *need = r.cursor;
  return st;
}

static EFI_STATUS fixup_size(const rp_pe_image *img, rp_bytes bytes, rp_pe_layout layout, rp_fixup_format fmt,
                             uint64_t *size, rp_diag *diag) {
  uint32_t dsz = img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC].size;
  uint64_t need, budget = (uint64_t)(dsz / 2) * 8;
  EFI_STATUS st;
  if (fmt == RP_FIXUP_NATIVE) {
    *size = NATIVE_HDR + 4ull * dsz;
    return EFI_SUCCESS;
  }
  /* EDK II allocates Size / 2 * 8; our layout may need more (MARK_LA). */
  st = pe_edk2_need(img, bytes, layout, &need, diag);
  if (EFI_ERROR(st)) return st;
  *size = need > budget ? need : budget;
  return EFI_SUCCESS;
}

EFI_STATUS rp_pe_fixup_size(const rp_pe_image *img, rp_fixup_format fmt, uint64_t *size, rp_diag *diag) {
  uint64_t s;
  EFI_STATUS st;
  if (img == NULL || size == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  if (fmt == RP_FIXUP_NONE) RP_REJECT(diag, EFI_UNSUPPORTED, PE_FIXUP_FORMAT, fmt);
  if (fmt != RP_FIXUP_EDK2 && fmt != RP_FIXUP_NATIVE) RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_FIXUP_FORMAT, fmt);
  st = fixup_size(img, img->bytes, img->layout, fmt, &s, diag);
  if (EFI_ERROR(st)) return st;
  *size = s;
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}

/* ---- the run (load time and runtime) ---------------------------------------- */

static void write_rec(pe_rrun *r, uint64_t pos, pe_rkind k, const uint8_t *site) {
  uint8_t rec[PE_SITE_MAX];
  rp_mbytes dst;
  rec_bytes(k, r->fmt, site, rec);
  if (rp_mbytes_sub(r->rec_out, pos, rec_size(k, r->fmt), &dst)) rp_memcpy(dst.ptr, rec, dst.len);
}

/* Runtime: the site still holds what the record says. */
static EFI_STATUS rec_matches(pe_rrun *r, uint64_t pos, pe_rkind k, const uint8_t *site, bool *match,
                              uint64_t idx, rp_diag *diag) {
  uint8_t want[PE_SITE_MAX], have[PE_SITE_MAX];
  uint32_t n = rec_size(k, r->fmt);
  if (!rp_read_bytes(r->rec_in, pos, want, n)) RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_FIXUP_RECORD_SHORT, idx);
  rec_bytes(k, r->fmt, site, have);
  *match = rp_memcmp(want, have, n) == 0;
  return EFI_SUCCESS;
}

static void count(pe_rrun *r, bool applied) {
  if (!r->apply) return;
  if (applied) {
    r->rt.applied++;
  } else {
    r->rt.skipped++;
  }
}

static void put_site(pe_rrun *r, uint32_t target, const uint8_t *v, uint32_t n) {
  rp_mbytes dst;
  if (r->apply && rp_mbytes_sub(r->image, target, n, &dst)) rp_memcpy(dst.ptr, v, n);
}

/* Closes the block's HI20: at load time its record holds the final word. */
static void rv_close(pe_rrun *r) {
  uint8_t site[4];
  if (r->hi_valid && r->apply && !r->runtime &&
      rp_read_bytes(rp_bytes_const(r->image), r->hi_target, site, sizeof(site)))
    write_rec(r, r->hi_rec, PK_HI20, site);
  r->hi_valid = false;
}

static EFI_STATUS rv_hi(pe_rrun *r, const pe_rentry *e, const uint8_t *site, uint64_t pos, rp_diag *diag) {
  bool match = true;
  EFI_STATUS st;
  rv_close(r);
  if (r->runtime) {
    st = rec_matches(r, pos, PK_HI20, site, &match, e->dir_off, diag);
    if (EFI_ERROR(st)) return st;
    count(r, match);
  }
  if (match && !rv_hi_ok(rp_le32(site)) && !r->apply) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_INSN, e->dir_off);
  r->hi_valid = true;
  r->hi_match = match;
  r->hi_new_set = false;
  r->hi_target = e->target;
  r->hi_insn = rp_le32(site);
  r->hi_rec = pos;
  return EFI_SUCCESS;
}

static EFI_STATUS rv_lo(pe_rrun *r, const pe_rentry *e, const uint8_t *site, uint64_t pos, rp_diag *diag) {
  uint32_t lo = rp_le32(site), hi2 = 0, lo2 = 0;
  uint8_t b[4];
  bool match = true, ok;
  EFI_STATUS st;
  if (!r->hi_valid) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_PAIR, e->dir_off);
  if (r->runtime) {
    st = rec_matches(r, pos, e->kind, site, &match, e->dir_off, diag);
    if (EFI_ERROR(st)) return st;
    match = match && r->hi_match;
    count(r, match);
    if (!match) return EFI_SUCCESS;
  }
  if (!rv_lo_ok(e->kind, lo) && !r->apply) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_INSN, e->dir_off);
  ok = rv_pair(e->kind, r->hi_insn, lo, r->delta, &hi2, &lo2) && (!r->hi_new_set || hi2 == r->hi_new);
  if (!ok && !r->apply) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_VALUE_RANGE, e->dir_off);
  if (ok) {
    r->hi_new_set = true;
    r->hi_new = hi2;
    put32(b, hi2);
    put_site(r, r->hi_target, b, 4);
    put32(b, lo2);
    put_site(r, e->target, b, 4);
  } else {
    put32(b, lo); /* pass 2 only, after an overlapping write: leave it */
  }
  if (r->apply && !r->runtime) write_rec(r, pos, e->kind, b);
  return EFI_SUCCESS;
}

static EFI_STATUS plain_site(pe_rrun *r, const pe_rentry *e, const uint8_t *site, uint64_t pos, rp_diag *diag) {
  uint8_t out[PE_SITE_MAX];
  uint32_t w = site_width(e->kind);
  bool match = true;
  EFI_STATUS st;
  if (r->runtime) {
    st = rec_matches(r, pos, e->kind, site, &match, e->dir_off, diag);
    if (EFI_ERROR(st)) return st;
    count(r, match);
    if (!match) return EFI_SUCCESS;
  }
  if (!site_patch(e->kind, site, r->delta, out)) {
    if (!r->apply) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_INSN, e->dir_off);
    rp_memcpy(out, site, w); /* pass 2 only, after an overlapping write */
  }
  put_site(r, e->target, out, w);
  if (r->apply && !r->runtime) write_rec(r, pos, e->kind, out);
  return EFI_SUCCESS;
}

static EFI_STATUS run_visit(void *ctx, const pe_rentry *e, rp_diag *diag) {
  pe_rrun *r = ctx;
  uint8_t site[PE_SITE_MAX];
  uint64_t pos;
  if (e->kind == PK_BLOCK_END) {
    rv_close(r);
    if (r->apply) r->stats.blocks++;
    return EFI_SUCCESS;
  }
  if (r->apply) {
    r->stats.entries++;
    r->stats.by_type[e->type & 15u]++;
  }
  if (e->kind == PK_ABS) return EFI_SUCCESS;
  pos = rec_pos(r, e);
  /* check_target proved [target, target + width) inside the image. */
  if (!rp_read_bytes(rp_bytes_const(r->image), e->target, site, site_width(e->kind)))
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_TARGET_RANGE, e->dir_off);
  if (e->kind == PK_HI20) return rv_hi(r, e, site, pos, diag);
  if (is_rv(e->kind)) return rv_lo(r, e, site, pos, diag);
  return plain_site(r, e, site, pos, diag);
}

EFI_STATUS pe_reloc_run(pe_rrun *r, bool apply, rp_diag *diag) {
  r->apply = apply;
  r->cursor = 0;
  r->hi_valid = false;
  rp_memset(&r->stats, 0, sizeof(r->stats));
  rp_memset(&r->rt, 0, sizeof(r->rt));
  if (r->dir.len == 0) return EFI_SUCCESS;
  return pe_reloc_walk(r->img, r->dir, run_visit, r, diag);
}

/* ---- header ImageBase and preconditions ------------------------------------- */

uint64_t pe_read_base(const rp_pe_image *img, rp_bytes image) {
  uint64_t v = 0;
  uint32_t v32 = 0;
  if (img->pe32plus) {
    (void)rp_read_u64(image, pe_image_base_offset(img), &v);
    return v;
  }
  (void)rp_read_u32(image, pe_image_base_offset(img), &v32);
  return v32;
}

void pe_write_base(const rp_pe_image *img, rp_mbytes image, uint64_t base) {
  if (img->pe32plus) {
    (void)rp_write_u64(image, pe_image_base_offset(img), base);
  } else {
    (void)rp_write_u32(image, pe_image_base_offset(img), (uint32_t)base);
  }
}

EFI_STATUS pe_check_new_base(const rp_pe_image *img, uint64_t new_base, rp_diag *diag) {
  /* The header must stay valid for the runtime re-parse (ImageBase is
   * SectionAlignment-aligned; a PE32 ImageBase is 32 bits), and the whole
   * image must fit at the new base: its last byte may not wrap 64 bits, nor
   * pass 4 GiB for PE32. */
  uint64_t last;
  if (!rp_is_aligned_u64(new_base, img->section_alignment) ||
      !rp_add_u64(new_base, (uint64_t)img->size_of_image - 1, &last) || (!img->pe32plus && last > UINT32_MAX))
    RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_NEW_BASE, RP_DIAG_NO_INDEX);
  return EFI_SUCCESS;
}

EFI_STATUS pe_check_movable(const rp_pe_image *img, uint64_t delta, rp_diag *diag) {
  if (delta != 0 && ((img->characteristics & IMAGE_FILE_RELOCS_STRIPPED) != 0 ||
                     img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC].size == 0))
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOCS_STRIPPED, RP_DIAG_NO_INDEX);
  return EFI_SUCCESS;
}

/* ---- rp_pe_relocate ---------------------------------------------------------- */

static EFI_STATUS check_record(rp_fixup_format fmt, rp_mbytes rec, uint64_t need, rp_diag *diag) {
  if (fmt == RP_FIXUP_NONE || need == 0) return EFI_SUCCESS;
  if (rec.ptr == NULL || rec.len < need) RP_REJECT(diag, EFI_BUFFER_TOO_SMALL, PE_FIXUP_BUFFER_SIZE, need);
  if (((uintptr_t)rec.ptr & 7u) != 0) RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_FIXUP_BUFFER_ALIGN, RP_DIAG_NO_INDEX);
  return EFI_SUCCESS;
}

static EFI_STATUS reloc_setup(const rp_pe_image *img, rp_mbytes image, uint64_t new_base, rp_fixup_format fmt,
                              pe_rrun *r, rp_diag *diag) {
  EFI_STATUS st;
  if (fmt != RP_FIXUP_NONE && fmt != RP_FIXUP_EDK2 && fmt != RP_FIXUP_NATIVE)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_FIXUP_FORMAT, fmt);
  if (image.len < img->size_of_image) RP_REJECT(diag, EFI_BUFFER_TOO_SMALL, PE_MAPPED_SIZE, image.len);
  image.len = img->size_of_image;
  /* The header says where the image is now: refuses a second relocation
   * with a stale context. */
  if (pe_read_base(img, rp_bytes_const(image)) != img->image_base)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_RUNTIME_BASE_MISMATCH, RP_DIAG_NO_INDEX);
  st = pe_check_new_base(img, new_base, diag);
  if (!EFI_ERROR(st)) st = pe_check_movable(img, new_base - img->image_base, diag);
  if (EFI_ERROR(st)) return st;
  rp_memset(r, 0, sizeof(*r));
  r->img = img;
  r->image = image;
  r->delta = new_base - img->image_base;
  r->fmt = fmt;
  if (img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC].size == 0) return EFI_SUCCESS;
  return pe_reloc_dir_view(img, rp_bytes_const(image), RP_PE_LAYOUT_MAPPED, &r->dir, diag);
}

EFI_STATUS rp_pe_relocate(const rp_pe_image *img, rp_mbytes image, uint64_t new_base, rp_fixup_format fmt,
                          rp_mbytes record, rp_pe_reloc_stats *stats, rp_diag *diag) {
  pe_rrun r;
  uint64_t need = 0;
  EFI_STATUS st;
  if (img == NULL || image.ptr == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  st = reloc_setup(img, image, new_base, fmt, &r, diag);
  if (!EFI_ERROR(st)) st = pe_reloc_run(&r, false, diag); /* pass 1: validate, no writes */
  if (!EFI_ERROR(st) && fmt != RP_FIXUP_NONE) st = fixup_size(img, rp_bytes_const(r.image), RP_PE_LAYOUT_MAPPED, fmt, &need, diag);
  if (!EFI_ERROR(st)) st = check_record(fmt, record, need, diag);
  if (EFI_ERROR(st)) return st;
  /* Pass 2: apply and record. Padding and unused slots are zero. */
  if (need != 0) rp_memset(record.ptr, 0, (size_t)need);
  if (fmt == RP_FIXUP_NATIVE) {
    (void)rp_write_u32(record, 0, img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC].rva);
    (void)rp_write_u32(record, 4, img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC].size);
  }
  r.rec_out = record;
  st = pe_reloc_run(&r, true, diag);
  if (EFI_ERROR(st)) return st; /* unreachable: pass 1 validated the same bytes */
  pe_write_base(img, r.image, new_base);
  r.stats.record_bytes = need;
  if (stats != NULL) *stats = r.stats;
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}
