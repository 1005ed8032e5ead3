/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * The compatibility policy of the PE/COFF library (docs/pecoff.md §1):
 * every finding class under both profiles (COMPAT maps and reports, STRICT
 * rejects with the finding's reason and writes nothing), the bounded
 * finding list, and TE images (§2.1) mapped, relocated and re-relocated like
 * the PE image they were made from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pe_image_builder.h"

#define TE_HDR 40u
#define SS     (OPT + 240u) /* x64: the section table offset = StrippedSize */
#define ADJ    (SS - TE_HDR)
#define MOVE   0x10000ull

static EFI_STATUS relocate(const rp_pe_image *img, uint64_t nb, rp_fixup_format fmt, rp_pe_reloc_stats *st,
                           rp_diag *d) {
  size_t rec = fmt == RP_FIXUP_NONE ? 0 : sizeof(g_rec);
  return rp_pe_relocate(img, rp_mbytes_of(g_map, IMG_SIZE), nb, fmt, rp_mbytes_of(g_rec, rec), st, d);
}

static void assert_one_finding(const rp_findings *f, rp_reason r, uint64_t index) {
  assert_int_equal(f->count, 1);
  assert_int_equal(f->item[0].reason, r);
  assert_int_equal(f->item[0].index, index);
}

/* ---- parse findings ------------------------------------------------------------ */

typedef struct {
  const char *what;
  uint32_t    off;
  unsigned    width;
  uint64_t    value;
  rp_reason   reason;
  uint64_t    index;
} finding_row;

#define S(i, f) (OPT + 240u + 40u * (i) + (f))
static const finding_row finding_rows[] = {
  /* OVMF's execute-in-place SecMain: ImageBase is its flash address */
  { "ImageBase unaligned", OPT + 24, 8, BASE64 + 0x800, RP_R_PE_IMAGE_BASE_ALIGN, RP_DIAG_NO_INDEX },
  /* systemd-boot, linuxx64.efi.stub: SizeOfImage ends with the last section */
  { "SizeOfImage unaligned", OPT + 56, 4, RELOC + 0x800, RP_R_PE_SIZE_OF_IMAGE_ALIGN, RELOC + 0x800 },
  /* systemd-boot's .sbat, gnu-efi's .rela / .dynsym tails */
  { "section unaligned", S(1, 12), 4, DATA + 0x100, RP_R_PE_SECTION_ALIGN, 1 },
  { "relocation directory unaligned", OPT + 112 + 40, 4, RELOC + 2, RP_R_PE_RELOC_DIR_ALIGN, RELOC + 2 },
};

/* The default image with small sections, so each poke keeps the layout valid. */
static void build_poked(const finding_row *r) {
  build(IMAGE_FILE_MACHINE_AMD64);
  for (uint32_t i = 0; i < 3; i++) w32(g_img, S(i, 8), 0x800); /* VirtualSize */
  set_dir(5, RELOC, 8);
  w32(g_img, RELOC, DATA);
  w32(g_img, RELOC + 4, 8);
  if (r == NULL) return;
  if (r->width == 8) w64(g_img, r->off, r->value);
  if (r->width == 4) w32(g_img, r->off, (uint32_t)r->value);
}

static void parse_findings_per_profile(void **state) {
  (void)state;
  static rp_pe_image img;
  for (size_t i = 0; i < sizeof(finding_rows) / sizeof(finding_rows[0]); i++) {
    const finding_row *r = &finding_rows[i];
    rp_diag d;
    build_poked(r);
    if (rp_pe_parse(rp_bytes_of(g_img, IMG_SIZE), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &img, &d) != EFI_SUCCESS)
      fail_msg("%s: COMPAT rejected it (%s)", r->what, rp_reason_name(d.reason));
    assert_int_equal(d.reason, RP_R_NONE);
    assert_one_finding(&img.findings, r->reason, r->index);
    assert_int_equal(rp_pe_parse(rp_bytes_of(g_img, IMG_SIZE), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_STRICT, &img, &d),
                     EFI_LOAD_ERROR);
    if (d.reason != r->reason) fail_msg("%s: STRICT gave %s", r->what, rp_reason_name(d.reason));
    assert_int_equal(d.index, r->index);
    assert_int_equal(img.size_of_image, 0); /* no partial context */
  }
}

static void clean_image_has_no_findings(void **state) {
  (void)state;
  static rp_pe_image img;
  build_poked(NULL);
  for (int p = RP_PE_PROFILE_COMPAT; p <= RP_PE_PROFILE_STRICT; p++) {
    assert_int_equal(rp_pe_parse(rp_bytes_of(g_img, IMG_SIZE), RP_PE_LAYOUT_FILE, (rp_pe_profile)p, &img, NULL),
                     EFI_SUCCESS);
    assert_int_equal(img.findings.count, 0);
    assert_int_equal(img.profile, p);
  }
}

/* Two findings: both kept in check order; STRICT stops at the first. */
static void findings_keep_check_order(void **state) {
  (void)state;
  static rp_pe_image img;
  rp_diag d;
  build_poked(&finding_rows[2]);
  w64(g_img, OPT + 24, BASE64 + 0x800);
  assert_int_equal(rp_pe_parse(rp_bytes_of(g_img, IMG_SIZE), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &img, &d),
                   EFI_SUCCESS);
  assert_int_equal(img.findings.count, 2);
  assert_int_equal(img.findings.item[0].reason, RP_R_PE_IMAGE_BASE_ALIGN);
  assert_int_equal(img.findings.item[1].reason, RP_R_PE_SECTION_ALIGN);
  assert_int_equal(rp_pe_parse(rp_bytes_of(g_img, IMG_SIZE), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_STRICT, &img, &d),
                   EFI_LOAD_ERROR);
  assert_int_equal(d.reason, RP_R_PE_IMAGE_BASE_ALIGN);
}

/* A finding is no excuse: a hard error after it still rejects. */
static void finding_then_error_rejects(void **state) {
  (void)state;
  static rp_pe_image img;
  rp_diag d;
  build_poked(&finding_rows[0]);
  w32(g_img, OPT + 16, DATA); /* entry in data */
  assert_int_equal(rp_pe_parse(rp_bytes_of(g_img, IMG_SIZE), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &img, &d),
                   EFI_LOAD_ERROR);
  assert_int_equal(d.reason, RP_R_PE_ENTRY_RANGE);
  assert_int_equal(img.findings.count, 0);
}

static void unknown_profile_rejected(void **state) {
  (void)state;
  static rp_pe_image img;
  rp_diag d;
  build_poked(NULL);
  assert_int_equal(rp_pe_parse(rp_bytes_of(g_img, IMG_SIZE), RP_PE_LAYOUT_FILE, (rp_pe_profile)2, &img, &d),
                   EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PE_PROFILE);
}

/* The mapping of a finding image is the spec's: sections at their RVA. */
static void unaligned_section_maps_at_its_rva(void **state) {
  (void)state;
  static rp_pe_image img;
  build_poked(&finding_rows[2]);
  memset(g_img + DATA + 0x100, 0x5A, 0x700); /* raw data of .data (PointerToRawData stays DATA) */
  w32(g_img, S(1, 20), DATA + 0x100);
  (void)load_mapped_as(&img, IMG_SIZE, RP_PE_PROFILE_COMPAT);
  assert_int_equal(g_map[DATA + 0xFF], 0);
  assert_int_equal(g_map[DATA + 0x100], 0x5A);
  assert_int_equal(g_map[DATA + 0x7FF], 0x5A);
  assert_int_equal(g_map[DATA + 0x900], 0);
}

/* ---- relocation findings -------------------------------------------------------- */

/* objcopy-made images (shim, memtest86+) end with a 10-byte block: one
 * entry, SizeOfBlock 2 mod 4. Two such blocks back to back: the second
 * starts 16-bit aligned and still relocates. */
static void build_odd_blocks(void) {
  build(IMAGE_FILE_MACHINE_AMD64);
  w32(g_img, RELOC + 0, DATA);
  w32(g_img, RELOC + 4, 10);
  w16(g_img, RELOC + 8, E(10, 0x10));
  w32(g_img, RELOC + 10, DATA);
  w32(g_img, RELOC + 14, 10);
  w16(g_img, RELOC + 18, E(10, 0x20));
  set_dir(5, RELOC, 20);
  w64(g_img, DATA + 0x10, BASE64 + 0x1234);
  w64(g_img, DATA + 0x20, BASE64 + 0x5678);
}

static void block_size_two_mod_four(void **state) {
  (void)state;
  static rp_pe_image img;
  rp_pe_reloc_stats st;
  rp_diag d;
  uint64_t size;
  build_odd_blocks();
  load_mapped(&img);
  assert_int_equal(relocate(&img, BASE64 + MOVE, RP_FIXUP_EDK2, &st, &d), EFI_SUCCESS);
  assert_int_equal(st.findings.count, 2);
  assert_int_equal(st.findings.item[0].reason, RP_R_PE_RELOC_BLOCK_ALIGN);
  assert_int_equal(st.findings.item[0].index, 0);
  assert_int_equal(st.findings.item[1].index, 10);
  assert_int_equal(r64(g_map, DATA + 0x10), BASE64 + MOVE + 0x1234);
  assert_int_equal(r64(g_map, DATA + 0x20), BASE64 + MOVE + 0x5678);
  /* the runtime pass reports the same findings */
  rp_pe_rerelocate_stats rt = { 0 };
  assert_int_equal(rp_pe_runtime_relocate(rp_mbytes_of(g_map, IMG_SIZE), RP_PE_PROFILE_COMPAT, BASE64 + MOVE,
                                          BASE64 + 2 * MOVE, RP_FIXUP_EDK2, rp_bytes_of(g_rec, 16), &rt, &d),
                   EFI_SUCCESS);
  assert_int_equal(rt.applied, 2);
  assert_int_equal(rt.findings.count, 2);
  /* STRICT: sizing, load-time and runtime passes all refuse, nothing written */
  build_odd_blocks();
  (void)load_mapped_as(&img, IMG_SIZE, RP_PE_PROFILE_STRICT);
  memcpy(g_ref, g_map, IMG_SIZE);
  assert_int_equal(rp_pe_fixup_size(&img, RP_FIXUP_EDK2, &size, &d), EFI_LOAD_ERROR);
  assert_int_equal(d.reason, RP_R_PE_RELOC_BLOCK_ALIGN);
  assert_int_equal(relocate(&img, BASE64 + MOVE, RP_FIXUP_NONE, NULL, &d), EFI_LOAD_ERROR);
  assert_int_equal(d.reason, RP_R_PE_RELOC_BLOCK_ALIGN);
  assert_int_equal(d.index, 0);
  assert_int_equal(rp_pe_runtime_relocate(rp_mbytes_of(g_map, IMG_SIZE), RP_PE_PROFILE_STRICT, BASE64,
                                          BASE64 + MOVE, RP_FIXUP_EDK2, rp_bytes_of(g_rec, 16), NULL, &d),
                   EFI_LOAD_ERROR);
  assert_int_equal(d.reason, RP_R_PE_RELOC_BLOCK_ALIGN);
  assert_memory_equal(g_map, g_ref, IMG_SIZE);
}

/* No relocation directory, RELOCS_STRIPPED clear (OVMF's PcRtc, Capsule,
 * MonotonicCounter runtime drivers): moved without fixups, with a finding;
 * not moved, nothing to report. */
static void relocs_absent(void **state) {
  (void)state;
  static rp_pe_image img;
  rp_pe_reloc_stats st;
  rp_pe_rerelocate_stats rt = { 0 };
  rp_diag d;
  build(IMAGE_FILE_MACHINE_AMD64);
  load_mapped(&img);
  memcpy(g_ref, g_map, IMG_SIZE);
  assert_int_equal(relocate(&img, BASE64, RP_FIXUP_EDK2, &st, &d), EFI_SUCCESS);
  assert_int_equal(st.findings.count, 0);
  assert_int_equal(relocate(&img, BASE64 + MOVE, RP_FIXUP_EDK2, &st, &d), EFI_SUCCESS);
  assert_one_finding(&st.findings, RP_R_PE_RELOCS_ABSENT, RP_DIAG_NO_INDEX);
  assert_int_equal(r64(g_map, OPT + 24), BASE64 + MOVE); /* the header follows the image */
  w64(g_ref, OPT + 24, BASE64 + MOVE);
  assert_memory_equal(g_map, g_ref, IMG_SIZE); /* nothing else changed */
  assert_int_equal(rp_pe_runtime_relocate(rp_mbytes_of(g_map, IMG_SIZE), RP_PE_PROFILE_COMPAT, BASE64 + MOVE,
                                          0xFFFF800000000000ull, RP_FIXUP_EDK2, rp_bytes_of(NULL, 0), &rt, &d),
                   EFI_SUCCESS);
  assert_int_equal(rt.applied, 0);
  assert_one_finding(&rt.findings, RP_R_PE_RELOCS_ABSENT, RP_DIAG_NO_INDEX);
  /* STRICT refuses the move, never the image */
  build(IMAGE_FILE_MACHINE_AMD64);
  (void)load_mapped_as(&img, IMG_SIZE, RP_PE_PROFILE_STRICT);
  assert_int_equal(relocate(&img, BASE64, RP_FIXUP_NONE, NULL, &d), EFI_SUCCESS);
  assert_int_equal(relocate(&img, BASE64 + MOVE, RP_FIXUP_NONE, NULL, &d), EFI_LOAD_ERROR);
  assert_int_equal(d.reason, RP_R_PE_RELOCS_ABSENT);
  assert_int_equal(rp_pe_runtime_check(rp_bytes_of(g_map, IMG_SIZE), RP_PE_PROFILE_STRICT, BASE64, BASE64 + MOVE,
                                       RP_FIXUP_EDK2, rp_bytes_of(NULL, 0), &d),
                   EFI_LOAD_ERROR);
  assert_int_equal(d.reason, RP_R_PE_RELOCS_ABSENT);
}

/* ---- the bounded list ----------------------------------------------------------- */

static void findings_list_is_bounded(void **state) {
  (void)state;
  rp_findings a, b;
  rp_findings_clear(&a);
  rp_findings_clear(&b);
  for (uint32_t i = 0; i < RP_FINDINGS_MAX + 3; i++) rp_findings_add(&a, RP_R_PE_SECTION_ALIGN, i);
  assert_int_equal(a.count, RP_FINDINGS_MAX + 3);
  assert_int_equal(rp_findings_kept(&a), RP_FINDINGS_MAX);
  assert_int_equal(a.item[RP_FINDINGS_MAX - 1].index, RP_FINDINGS_MAX - 1);
  rp_findings_add(&b, RP_R_PE_IMAGE_BASE_ALIGN, RP_DIAG_NO_INDEX);
  rp_findings_append(&b, &a);
  assert_int_equal(b.count, RP_FINDINGS_MAX + 4);
  assert_int_equal(b.item[0].reason, RP_R_PE_IMAGE_BASE_ALIGN);
  assert_int_equal(b.item[1].index, 0);
  a.count = UINT32_MAX;
  rp_findings_append(&b, &a); /* saturates, never wraps */
  assert_int_equal(b.count, UINT32_MAX);
  rp_findings_add(&b, RP_R_PE_SECTION_ALIGN, 0);
  assert_int_equal(b.count, UINT32_MAX);
  rp_findings_add(NULL, RP_R_PE_SECTION_ALIGN, 0);
  rp_findings_append(NULL, &a);
  rp_findings_append(&b, NULL);
  rp_findings_clear(NULL);
}

/* ---- TE images ---------------------------------------------------------------- */

/* Rewrites g_img (a PE32+ image from the builder) as the TE image a TE
 * converter makes of it: the first StrippedSize bytes (everything before
 * the section table) replaced by the 40-byte TE header. Returns its length. */
static size_t make_te(void) {
  static uint8_t pe[IMG_SIZE];
  memcpy(pe, g_img, IMG_SIZE);
  memset(g_img, 0, IMG_SIZE);
  memcpy(g_img + TE_HDR, pe + SS, IMG_SIZE - SS);
  w16(g_img, 0, EFI_TE_IMAGE_HEADER_SIGNATURE);
  w16(g_img, 2, r16(pe, FH));
  g_img[4] = (uint8_t)r16(pe, FH + 2);
  g_img[5] = (uint8_t)r16(pe, OPT + 68);
  w16(g_img, 6, (uint16_t)SS);
  w32(g_img, 8, r32(pe, OPT + 16));
  w32(g_img, 12, TEXT);
  w64(g_img, 16, r64(pe, OPT + 24));
  w32(g_img, 24, r32(pe, dir_off(true, 5)));
  w32(g_img, 28, r32(pe, dir_off(true, 5) + 4));
  return IMG_SIZE - ADJ;
}

/* PE offset -> TE offset of the same byte. */
#define TE(off) ((off) - ADJ)

static void te_parse_fields(void **state) {
  (void)state;
  static rp_pe_image te;
  size_t len;
  build_mixed();
  len = make_te();
  assert_int_equal(rp_pe_parse(rp_bytes_of(g_img, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_STRICT, &te, NULL),
                   EFI_SUCCESS);
  assert_true(te.te);
  assert_int_equal(te.te_stripped_size, SS);
  assert_int_equal(te.te_adjust, ADJ);
  assert_int_equal(te.image_base, BASE64 + ADJ);
  assert_int_equal(te.size_of_headers, TE_HDR + 3 * 40);
  assert_int_equal(te.size_of_image, IMG_SIZE - ADJ);
  assert_int_equal(te.section_alignment, 0);
  assert_int_equal(te.sections[1].virtual_address, TE(DATA));
  assert_int_equal(te.sections[1].raw_offset, TE(DATA));
  assert_int_equal(te.dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC].rva, TE(RELOC));
  assert_int_equal(te.entry_rva, TE(TEXT));
  assert_int_equal(te.subsystem, IMAGE_SUBSYSTEM_EFI_RUNTIME_DRIVER);
  assert_true(te.pe32plus);
  assert_int_equal(te.characteristics, 0);
  assert_int_equal(te.findings.count, 0);
}

/* The TE image maps and relocates like the PE it came from, shifted by
 * adjust; the runtime pass (both record formats) equals a direct move. */
static void te_relocates_like_its_pe(void **state) {
  (void)state;
  static rp_pe_image pe, te;
  static uint8_t pe_moved[IMG_SIZE], te_direct[IMG_SIZE];
  const uint64_t d1 = MOVE, d2 = 0xFFFF800000000000ull - BASE64;
  rp_diag d;
  build_mixed();
  load_mapped(&pe);
  assert_int_equal(relocate(&pe, BASE64 + d1, RP_FIXUP_NONE, NULL, &d), EFI_SUCCESS);
  memcpy(pe_moved, g_map, IMG_SIZE);
  for (int fmt = RP_FIXUP_EDK2; fmt <= RP_FIXUP_NATIVE; fmt++) {
    uint32_t soi;
    build_mixed();
    soi = load_mapped_as(&te, make_te(), RP_PE_PROFILE_COMPAT);
    assert_int_equal(relocate(&te, te.image_base + d2, RP_FIXUP_NONE, NULL, &d), EFI_SUCCESS);
    memcpy(te_direct, g_map, soi);
    build_mixed();
    (void)load_mapped_as(&te, make_te(), RP_PE_PROFILE_COMPAT);
    assert_int_equal(relocate(&te, te.image_base + d1, (rp_fixup_format)fmt, NULL, &d), EFI_SUCCESS);
    assert_memory_equal(g_map + TE(TEXT), pe_moved + TEXT, IMG_SIZE - TEXT);
    assert_int_equal(r64(g_map, 16), BASE64 + d1); /* the header keeps the PE ImageBase */
    rp_pe_rerelocate_stats rt = { 0 };
    assert_int_equal(rp_pe_runtime_relocate(rp_mbytes_of(g_map, soi), RP_PE_PROFILE_COMPAT, te.image_base + d1,
                                            te.image_base + d2, (rp_fixup_format)fmt, rp_bytes_of(g_rec, sizeof(g_rec)),
                                            &rt, &d),
                     EFI_SUCCESS);
    assert_int_equal(rt.applied, 6);
    assert_memory_equal(g_map, te_direct, soi);
  }
}

/* TE moves by whole pages; (0, 0) relocations: cannot move; (RVA, 0):
 * position independent (PI Vol 1 §17.4), moves without a finding. */
static void te_moves(void **state) {
  (void)state;
  static rp_pe_image te;
  rp_pe_reloc_stats st;
  rp_diag d;
  build_mixed();
  (void)load_mapped_as(&te, make_te(), RP_PE_PROFILE_STRICT);
  assert_int_equal(relocate(&te, te.image_base + 0x800, RP_FIXUP_NONE, NULL, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PE_NEW_BASE);
  build(IMAGE_FILE_MACHINE_AMD64);
  make_te();
  (void)load_mapped_as(&te, IMG_SIZE - ADJ, RP_PE_PROFILE_STRICT);
  assert_int_equal(te.characteristics, IMAGE_FILE_RELOCS_STRIPPED);
  assert_int_equal(relocate(&te, te.image_base + MOVE, RP_FIXUP_NONE, NULL, &d), EFI_LOAD_ERROR);
  assert_int_equal(d.reason, RP_R_PE_RELOCS_STRIPPED);
  build(IMAGE_FILE_MACHINE_AMD64);
  make_te();
  w32(g_img, 24, RELOC); /* RVA without size */
  (void)load_mapped_as(&te, IMG_SIZE - ADJ, RP_PE_PROFILE_STRICT);
  assert_int_equal(te.characteristics, 0);
  assert_int_equal(relocate(&te, te.image_base + MOVE, RP_FIXUP_EDK2, &st, &d), EFI_SUCCESS);
  assert_int_equal(st.findings.count, 0);
}

typedef struct {
  const char *what;
  uint32_t    off;
  unsigned    width;
  uint64_t    value;
  size_t      len; /* 0: the TE length */
  rp_reason   reason;
} te_row;

#define TS(i, f) (TE_HDR + 40u * (i) + (f))
static const te_row te_rows[] = {
  { "shorter than the TE header", UINT32_MAX, 0, 0, 39, RP_R_PE_TOO_SMALL },
  { "unknown machine", 2, 2, 0x1234, 0, RP_R_PE_MACHINE },
  { "no sections", 4, 1, 0, 0, RP_R_PE_SECTION_COUNT },
  { "97 sections", 4, 1, 97, 0, RP_R_PE_SECTION_COUNT },
  { "StrippedSize below 40", 6, 2, 39, 0, RP_R_PE_TE_STRIPPED_SIZE },
  { "header address wraps", 16, 8, UINT64_MAX - 0x100, 0, RP_R_PE_TE_IMAGE_BASE },
  { "section table past the file", UINT32_MAX, 0, 0, TE_HDR + 100, RP_R_PE_SIZE_OF_HEADERS },
  { "section in the stripped part", TS(0, 12), 4, ADJ - 1, 0, RP_R_PE_SECTION_OVER_HEADERS },
  { "section over the TE headers", TS(0, 12), 4, ADJ + 0x40, 0, RP_R_PE_SECTION_OVER_HEADERS },
  { "raw data in the stripped part", TS(1, 20), 4, ADJ - 4, 0, RP_R_PE_SECTION_RAW_RANGE },
  { "raw data past the file", TS(2, 20), 4, IMG_SIZE, 0, RP_R_PE_SECTION_RAW_RANGE },
  { "sections end past 4 GiB", TS(2, 8), 4, 0xFFFFFFFFu, 0, RP_R_PE_SIZE_OF_IMAGE },
  { "relocations in the stripped part", 24, 4, ADJ - 8, 0, RP_R_PE_DIR_RANGE },
  { "relocations at RVA 0 with a size", 24, 4, 0, 0, RP_R_PE_DIR_RANGE },
  { "relocations past the image", 28, 4, 0x2000, 0, RP_R_PE_DIR_RANGE },
  { "entry in the stripped part", 8, 4, ADJ - 1, 0, RP_R_PE_ENTRY_RANGE },
  { "entry in data", 8, 4, DATA, 0, RP_R_PE_ENTRY_RANGE },
  { "W+X section", TS(0, 36), 4, 0xE0000020u, 0, RP_R_PE_SECTION_WX },
};

static void te_rejects_each_malformed_header(void **state) {
  (void)state;
  static rp_pe_image te;
  for (size_t i = 0; i < sizeof(te_rows) / sizeof(te_rows[0]); i++) {
    const te_row *r = &te_rows[i];
    size_t len;
    rp_diag d;
    build_mixed();
    len = make_te();
    if (r->width == 1) g_img[r->off] = (uint8_t)r->value;
    if (r->width == 2) w16(g_img, r->off, (uint16_t)r->value);
    if (r->width == 4) w32(g_img, r->off, (uint32_t)r->value);
    if (r->width == 8) w64(g_img, r->off, r->value);
    EFI_STATUS st = rp_pe_parse(rp_bytes_of(g_img, r->len ? r->len : len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT,
                                &te, &d);
    if (!EFI_ERROR(st) || d.reason != r->reason)
      fail_msg("%s: got %s, want %s", r->what, rp_reason_name(d.reason), rp_reason_name(r->reason));
    assert_int_equal(te.size_of_image, 0);
  }
}

/* A block page below adjust (the stripped headers' page) may still hold
 * sites in the image; a site in the stripped part is a header target. */
static void te_page_below_adjust(void **state) {
  (void)state;
  static rp_pe_image te;
  static uint8_t before[IMG_SIZE];
  rp_diag d;
  const uint32_t page = ADJ - 8; /* an RVA in the stripped part */
  const uint16_t e[] = { E(10, TEXT + 0x10 - page) };
  uint32_t at = 0;
  build(IMAGE_FILE_MACHINE_AMD64);
  add_block(&at, page, e, 1);
  set_dir(5, RELOC, at);
  w64(g_img, TEXT + 0x10, BASE64 + 0x40);
  (void)load_mapped_as(&te, make_te(), RP_PE_PROFILE_COMPAT);
  assert_int_equal(relocate(&te, te.image_base + MOVE, RP_FIXUP_EDK2, NULL, &d), EFI_SUCCESS);
  assert_int_equal(r64(g_map, TE(TEXT) + 0x10), BASE64 + MOVE + 0x40);
  w16(g_img, TE(RELOC) + 8, E(10, 4)); /* RVA ADJ - 4: a stripped byte */
  (void)load_mapped_as(&te, IMG_SIZE - ADJ, RP_PE_PROFILE_COMPAT);
  memcpy(before, g_map, IMG_SIZE);
  assert_int_equal(relocate(&te, te.image_base + MOVE, RP_FIXUP_EDK2, NULL, &d), EFI_LOAD_ERROR);
  assert_int_equal(d.reason, RP_R_PE_RELOC_TARGET_HEADERS);
  assert_memory_equal(g_map, before, IMG_SIZE);
}

/* A mapped TE image the runtime pass re-parses must still be all there. */
static void te_mapped_buffer_short(void **state) {
  (void)state;
  static rp_pe_image te;
  rp_diag d;
  build_mixed();
  (void)load_mapped_as(&te, make_te(), RP_PE_PROFILE_COMPAT);
  assert_int_equal(rp_pe_parse(rp_bytes_of(g_map, IMG_SIZE - ADJ - 1), RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT,
                               &te, &d),
                   EFI_BUFFER_TOO_SMALL);
  assert_int_equal(d.reason, RP_R_PE_MAPPED_SIZE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(parse_findings_per_profile),
    cmocka_unit_test(clean_image_has_no_findings),
    cmocka_unit_test(findings_keep_check_order),
    cmocka_unit_test(finding_then_error_rejects),
    cmocka_unit_test(unknown_profile_rejected),
    cmocka_unit_test(unaligned_section_maps_at_its_rva),
    cmocka_unit_test(block_size_two_mod_four),
    cmocka_unit_test(relocs_absent),
    cmocka_unit_test(findings_list_is_bounded),
    cmocka_unit_test(te_parse_fields),
    cmocka_unit_test(te_relocates_like_its_pe),
    cmocka_unit_test(te_moves),
    cmocka_unit_test(te_rejects_each_malformed_header),
    cmocka_unit_test(te_page_below_adjust),
    cmocka_unit_test(te_mapped_buffer_short),
  };
  return cmocka_run_group_tests_name("pe_compat", tests, NULL, NULL);
}
