/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Unit tests of the PE/COFF library (impl/pecoff/) on images built in
 * memory by pe_image_builder.h. Edge cases of the API contracts and the
 * relocation hot path: test_pe_hardening.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rtprm/pe.h"
#include "rtprm/spec/pecoff.h"

#include "pe_image_builder.h"

/* ---- parse success ------------------------------------------------------------ */

static void parse_pe32plus_x64(void **state) {
  (void)state;
  static rp_pe_image img;
  rp_diag d;
  build(IMAGE_FILE_MACHINE_AMD64);
  set_dir(0, DATA, 0x40);
  assert_int_equal(parse_file(&img, &d), EFI_SUCCESS);
  assert_int_equal(d.reason, RP_R_NONE);
  assert_true(img.pe32plus);
  assert_int_equal(img.machine, IMAGE_FILE_MACHINE_AMD64);
  assert_int_equal(img.image_base, BASE64);
  assert_int_equal(img.num_sections, 3);
  assert_string_equal(img.sections[1].name, ".data");
  assert_int_equal(img.dirs[0].rva, DATA);
  assert_int_equal(img.entry_rva, TEXT);
  assert_int_equal(img.subsystem, IMAGE_SUBSYSTEM_EFI_RUNTIME_DRIVER);
}

static void parse_pe32_ia32_and_arm(void **state) {
  (void)state;
  static rp_pe_image img;
  const uint16_t m[] = { IMAGE_FILE_MACHINE_I386, IMAGE_FILE_MACHINE_ARMNT, IMAGE_FILE_MACHINE_ARM };
  for (unsigned i = 0; i < 3; i++) {
    build(m[i]);
    assert_int_equal(parse_file(&img, NULL), EFI_SUCCESS);
    assert_false(img.pe32plus);
    assert_int_equal(img.image_base, BASE32);
  }
}

/* NumberOfRvaAndSizes 0..16 uniformly: index >= count is absent, even
 * when the bytes after a short directory array look like a directory. */
static void parse_num_rva_uniform(void **state) {
  (void)state;
  static rp_pe_image img;
  for (uint32_t n = 0; n <= 16; n++) {
    spec sp = { IMAGE_FILE_MACHINE_AMD64, true, n, 0x1000, IMAGE_FILE_EXECUTABLE_IMAGE };
    build_spec(&sp);
    set_dir(5, RELOC, 8);
    w32(g_img, RELOC, DATA);
    w32(g_img, RELOC + 4, 8);
    assert_int_equal(parse_file(&img, NULL), EFI_SUCCESS);
    assert_int_equal(img.num_rva_and_sizes, n);
    assert_int_equal(img.dirs[5].size, n > 5 ? 8u : 0u);
  }
}

static void parse_dll_entry_zero(void **state) {
  (void)state;
  static rp_pe_image img;
  rp_diag d;
  build(IMAGE_FILE_MACHINE_AMD64);
  w32(g_img, OPT + 16, 0);
  assert_int_equal(parse_file(&img, &d), EFI_LOAD_ERROR);
  assert_int_equal(d.reason, RP_R_PE_ENTRY_RANGE);
  w16(g_img, FH + 18, IMAGE_FILE_EXECUTABLE_IMAGE | IMAGE_FILE_DLL);
  assert_int_equal(parse_file(&img, &d), EFI_SUCCESS);
}

static void rva_to_offset_both_layouts(void **state) {
  (void)state;
  static rp_pe_image img;
  uint64_t off;
  spec sp = { IMAGE_FILE_MACHINE_AMD64, true, 16, 0x200, IMAGE_FILE_EXECUTABLE_IMAGE };
  build_spec(&sp);
  /* pack raw data: .text 0x400 (0x200 bytes), .data 0x600, .reloc 0x800 */
  for (uint32_t i = 0; i < 3; i++) {
    w32(g_img, sect_off(true, i) + 16, 0x200);
    w32(g_img, sect_off(true, i) + 20, 0x400 + 0x200 * i);
  }
  memset(g_img + 0x600, 0xAB, 0x200);
  assert_int_equal(rp_pe_parse(rp_bytes_of(g_img, 0xA00), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &img, NULL), EFI_SUCCESS);
  assert_true(rp_pe_rva_to_offset(&img, DATA + 0x10, 4, &off));
  assert_int_equal(off, 0x610);
  assert_false(rp_pe_rva_to_offset(&img, DATA + 0x1FE, 4, &off)); /* past raw data */
  assert_true(rp_pe_rva_to_offset(&img, 0x3C, 4, &off));
  assert_int_equal(off, 0x3C);
  assert_false(rp_pe_rva_to_offset(&img, 0x800, 4, &off)); /* gap after headers */
  /* load: tails zero, raw copied */
  assert_int_equal(rp_pe_load(&img, rp_mbytes_of(g_map, IMG_SIZE), NULL), EFI_SUCCESS);
  assert_int_equal(g_map[DATA + 0x1FF], 0xAB);
  assert_int_equal(g_map[DATA + 0x200], 0);
  assert_int_equal(r16(g_map, 0), IMAGE_DOS_SIGNATURE);
  static rp_pe_image m;
  assert_int_equal(rp_pe_parse(rp_bytes_of(g_map, IMG_SIZE), RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT, &m, NULL), EFI_SUCCESS);
  assert_true(rp_pe_rva_to_offset(&m, DATA + 0x800, 8, &off));
  assert_int_equal(off, DATA + 0x800);
  assert_false(rp_pe_rva_to_offset(&m, RELOC + 0xFFC, 8, &off));
}

/* ---- malformed headers: one row per reason ---------------------------------- */
/* Rejected in every profile; findings (ImageBase, SizeOfImage, section and
 * relocation-directory alignment) are in test_pe_compat.c. */

typedef struct {
  const char *what;
  uint32_t    off;   /* UINT32_MAX: no poke */
  unsigned    width;
  uint64_t    value;
  size_t      len;   /* 0: IMG_SIZE */
  rp_pe_layout layout;
  rp_reason   reason;
} poke_row;

#define S(i, f) (OPT + 240u + 40u * (i) + (f))
static const poke_row poke_rows[] = {
  { "short buffer", UINT32_MAX, 0, 0, 40, RP_PE_LAYOUT_FILE, RP_R_PE_TOO_SMALL },
  { "bad MZ", 0, 2, 0x1234, 0, RP_PE_LAYOUT_FILE, RP_R_PE_DOS_MAGIC },
  { "e_lfanew past end", 0x3C, 4, 0xFFFFFFF0u, 0, RP_PE_LAYOUT_FILE, RP_R_PE_LFANEW_RANGE },
  { "e_lfanew inside DOS header", 0x3C, 4, 0x20, 0, RP_PE_LAYOUT_FILE, RP_R_PE_LFANEW_RANGE },
  { "bad PE signature", LFANEW, 4, 0x4551, 0, RP_PE_LAYOUT_FILE, RP_R_PE_SIGNATURE },
  { "unknown machine", FH, 2, 0x1234, 0, RP_PE_LAYOUT_FILE, RP_R_PE_MACHINE },
  { "zero sections", FH + 2, 2, 0, 0, RP_PE_LAYOUT_FILE, RP_R_PE_SECTION_COUNT },
  { "97 sections", FH + 2, 2, 97, 0, RP_PE_LAYOUT_FILE, RP_R_PE_SECTION_COUNT },
  { "optional header too small", FH + 16, 2, 100, 0, RP_PE_LAYOUT_FILE, RP_R_PE_OPT_HDR_SIZE },
  { "optional header past buffer", FH + 16, 2, 0xFFFF, 0x400, RP_PE_LAYOUT_FILE, RP_R_PE_OPT_HDR_SIZE },
  { "bad magic", OPT, 2, 0x30B, 0, RP_PE_LAYOUT_FILE, RP_R_PE_OPT_MAGIC },
  { "PE32 on x64", OPT, 2, 0x10B, 0, RP_PE_LAYOUT_FILE, RP_R_PE_MAGIC_MACHINE },
  { "17 directories", OPT + 108, 4, 17, 0, RP_PE_LAYOUT_FILE, RP_R_PE_NUM_RVA_SIZES },
  { "SectionAlignment not pow2", OPT + 32, 4, 0x1800, 0, RP_PE_LAYOUT_FILE, RP_R_PE_ALIGNMENT },
  { "FileAlignment > SectionAlignment", OPT + 36, 4, 0x2000, 0, RP_PE_LAYOUT_FILE, RP_R_PE_ALIGNMENT },
  { "SizeOfImage 0", OPT + 56, 4, 0, 0, RP_PE_LAYOUT_FILE, RP_R_PE_SIZE_OF_IMAGE },
  { "SizeOfHeaders below section table", OPT + 60, 4, 0x100, 0, RP_PE_LAYOUT_FILE, RP_R_PE_SIZE_OF_HEADERS },
  { "SizeOfHeaders past file", OPT + 60, 4, 0x3000, 0x2000, RP_PE_LAYOUT_FILE, RP_R_PE_SIZE_OF_HEADERS },
  { "mapped buffer short", UINT32_MAX, 0, 0, IMG_SIZE - 0x1000, RP_PE_LAYOUT_MAPPED, RP_R_PE_MAPPED_SIZE },
  { "section over headers", S(0, 12), 4, 0, 0, RP_PE_LAYOUT_FILE, RP_R_PE_SECTION_OVER_HEADERS },
  { "sections overlap", S(1, 8), 4, 0x1001, 0, RP_PE_LAYOUT_FILE, RP_R_PE_SECTION_ORDER },
  { "section past SizeOfImage", S(2, 8), 4, 0x1001, 0, RP_PE_LAYOUT_FILE, RP_R_PE_SECTION_RANGE },
  { "section VA + size wraps", S(2, 8), 4, 0xFFFFF000u, 0, RP_PE_LAYOUT_FILE, RP_R_PE_SECTION_RANGE },
  { "raw data past file", S(2, 20), 4, 0x3800, 0, RP_PE_LAYOUT_FILE, RP_R_PE_SECTION_RAW_RANGE },
  { "raw data wraps", S(2, 20), 4, 0xFFFFFF00u, 0, RP_PE_LAYOUT_FILE, RP_R_PE_SECTION_RAW_RANGE },
  { "W+X section", S(0, 36), 4, 0xE0000020u, 0, RP_PE_LAYOUT_FILE, RP_R_PE_SECTION_WX },
  { "directory RVA+Size wraps (CVE-2024-38796)", OPT + 112 + 40, 4, 0xFFFFFFF0u, 0, RP_PE_LAYOUT_FILE,
    RP_R_PE_DIR_RANGE },
  { "reloc dir < 8", OPT + 112 + 44, 4, 4, 0, RP_PE_LAYOUT_FILE, RP_R_PE_RELOC_DIR_SIZE },
  { "reloc dir in headers", OPT + 112 + 40, 4, 0x200, 0, RP_PE_LAYOUT_FILE, RP_R_PE_DIR_RANGE },
  { "entry in data", OPT + 16, 4, DATA, 0, RP_PE_LAYOUT_FILE, RP_R_PE_ENTRY_RANGE },
  { "entry past image", OPT + 16, 4, 0x10000, 0, RP_PE_LAYOUT_FILE, RP_R_PE_ENTRY_RANGE },
};

static void poke(uint32_t off, unsigned width, uint64_t v) {
  if (width == 2) w16(g_img, off, (uint16_t)v);
  if (width == 4) w32(g_img, off, (uint32_t)v);
  if (width == 8) w64(g_img, off, v);
}

static void parse_rejects_each_malformed_header(void **state) {
  (void)state;
  static rp_pe_image img;
  for (size_t i = 0; i < sizeof(poke_rows) / sizeof(poke_rows[0]); i++) {
    const poke_row *r = &poke_rows[i];
    rp_diag d;
    build(IMAGE_FILE_MACHINE_AMD64);
    set_dir(5, RELOC, 8);
    w32(g_img, RELOC, DATA);
    w32(g_img, RELOC + 4, 8);
    if (r->off != UINT32_MAX) poke(r->off, r->width, r->value);
    EFI_STATUS st = rp_pe_parse(rp_bytes_of(g_img, r->len ? r->len : IMG_SIZE), r->layout, RP_PE_PROFILE_COMPAT, &img, &d);
    if (!EFI_ERROR(st) || d.reason != r->reason)
      fail_msg("%s: got %s, want %s", r->what, rp_reason_name(d.reason), rp_reason_name(r->reason));
    assert_int_equal(img.size_of_image, 0); /* no partial context */
  }
}

static void parse_null_argument(void **state) {
  (void)state;
  rp_diag d;
  assert_int_equal(rp_pe_parse(rp_bytes_of(g_img, IMG_SIZE), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, NULL, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_NULL_ARGUMENT);
}

/* ---- load -------------------------------------------------------------------- */

static void load_rejects_bad_dest_and_layout(void **state) {
  (void)state;
  static rp_pe_image img;
  rp_diag d;
  build(IMAGE_FILE_MACHINE_AMD64);
  assert_int_equal(parse_file(&img, NULL), EFI_SUCCESS);
  memset(g_map, 0x5A, sizeof(g_map));
  assert_int_equal(rp_pe_load(&img, rp_mbytes_of(g_map, IMG_SIZE - 1), &d), EFI_BAD_BUFFER_SIZE);
  assert_int_equal(d.reason, RP_R_PE_LOAD_DEST_SIZE);
  assert_int_equal(g_map[0], 0x5A);
  assert_int_equal(rp_pe_parse(rp_bytes_of(g_img, IMG_SIZE), RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT, &img, NULL), EFI_SUCCESS);
  assert_int_equal(rp_pe_load(&img, rp_mbytes_of(g_map, IMG_SIZE), &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PE_LAYOUT);
}

/* ---- relocation: helpers ------------------------------------------------------ */

static EFI_STATUS relocate(const rp_pe_image *img, uint64_t nb, rp_fixup_format fmt, size_t rec_len,
                           rp_pe_reloc_stats *st, rp_diag *d) {
  return rp_pe_relocate(img, rp_mbytes_of(g_map, IMG_SIZE), nb, fmt, rp_mbytes_of(g_rec, rec_len), st, d);
}

static void edk2_record_bytes_match_hand_computed(void **state) {
  (void)state;
  static rp_pe_image img;
  rp_pe_reloc_stats st;
  uint64_t size;
  const uint64_t nb = 0x180013000ull; /* delta 0x40013000 */
  static const uint8_t want[32] = {
    0x35, 0x52, 0, 0,                   /* HIGH 0x1234 + 0x4001, then pad to 4 */
    0x00, 0x40, 0x01, 0x80,             /* HIGHLOW 0x80014000 */
    0x78, 0x86, 0, 0, 0, 0, 0, 0,       /* LOW 0x5678 + 0x3000, pad to 8 */
    0x00, 0x40, 0x01, 0x80, 0x01, 0, 0, 0, /* DIR64 0x180014000 */
    0xBC, 0xCA, 0, 0,                   /* LOW 0x9ABC + 0x3000, pad to 4 */
    0x11, 0x41, 0x12, 0x51,             /* HIGHLOW 0x51124111 */
  };
  build_mixed();
  load_mapped(&img);
  assert_int_equal(rp_pe_fixup_size(&img, RP_FIXUP_EDK2, &size, NULL), EFI_SUCCESS);
  assert_int_equal(size, 24 / 2 * 8);
  memset(g_rec, 0xEE, sizeof(g_rec));
  assert_int_equal(relocate(&img, nb, RP_FIXUP_EDK2, size, &st, NULL), EFI_SUCCESS);
  assert_memory_equal(g_rec, want, sizeof(want));
  for (size_t i = sizeof(want); i < size; i++) assert_int_equal(((uint8_t *)g_rec)[i], 0);
  assert_int_equal(((uint8_t *)g_rec)[size], 0xEE); /* nothing past the record */
  assert_int_equal(st.blocks, 1);
  assert_int_equal(st.entries, 8);
  assert_int_equal(st.by_type[0], 2);
  assert_int_equal(st.by_type[2], 2);
  assert_int_equal(st.record_bytes, 96);
  assert_int_equal(r64(g_map, DATA + 0x10), 0x180014000ull);
  assert_int_equal(r64(g_map, base_off(true)), nb);
  assert_int_equal(rp_pe_fixup_size(&img, RP_FIXUP_NATIVE, &size, NULL), EFI_SUCCESS);
  assert_int_equal(size, 8 + 4 * 24);
}

static void native_record_layout(void **state) {
  (void)state;
  static rp_pe_image img;
  build_mixed();
  load_mapped(&img);
  assert_int_equal(relocate(&img, 0x180013000ull, RP_FIXUP_NATIVE, 8 + 4 * 24, NULL, NULL), EFI_SUCCESS);
  assert_int_equal(r32((uint8_t *)g_rec, 0), RELOC);
  assert_int_equal(r32((uint8_t *)g_rec, 4), 24);
  /* slot = 8 + 4 * (entry offset in the directory); entries start at 8 */
  assert_int_equal(r64((uint8_t *)g_rec, 8 + 4 * 8), 0x5235);         /* HIGH */
  assert_int_equal(r64((uint8_t *)g_rec, 8 + 4 * 10), 0x80014000u);   /* HIGHLOW */
  assert_int_equal(r64((uint8_t *)g_rec, 8 + 4 * 14), 0x180014000ull); /* DIR64 */
  assert_int_equal(r64((uint8_t *)g_rec, 8 + 4 * 20), 0);             /* ABSOLUTE */
}

/* Relocate to b1 (recording), runtime to b2 == direct relocate to b2. */
static void round_trip(uint64_t b1, uint64_t b2, rp_fixup_format fmt, uint64_t expect_applied) {
  static rp_pe_image img;
  rp_pe_rerelocate_stats rs;
  rp_diag d;
  uint64_t size;
  uint64_t pref;
  load_mapped(&img);
  pref = img.image_base;
  assert_int_equal(relocate(&img, b2, RP_FIXUP_NONE, 0, NULL, NULL), EFI_SUCCESS);
  memcpy(g_ref, g_map, IMG_SIZE);
  load_mapped(&img);
  assert_int_equal(img.image_base, pref);
  assert_int_equal(rp_pe_fixup_size(&img, fmt, &size, NULL), EFI_SUCCESS);
  assert_true(size <= sizeof(g_rec));
  assert_int_equal(relocate(&img, b1, fmt, size, NULL, &d), EFI_SUCCESS);
  EFI_STATUS st = rp_pe_runtime_relocate(rp_mbytes_of(g_map, IMG_SIZE), RP_PE_PROFILE_COMPAT, b1, b2, fmt, rp_bytes_of(g_rec, size),
                                         &rs, &d);
  if (EFI_ERROR(st)) fail_msg("runtime: %s", rp_reason_name(d.reason));
  assert_int_equal(rs.applied, expect_applied);
  assert_int_equal(rs.skipped, 0);
  assert_memory_equal(g_map, g_ref, IMG_SIZE);
}

static void round_trip_x64_both_formats(void **state) {
  (void)state;
  for (int f = RP_FIXUP_EDK2; f <= RP_FIXUP_NATIVE; f++) {
    build_mixed();
    /* HIGH drops the carry out of the low half, so HIGH only composes
     * when the deltas are multiples of 0x10000 (as in EDK II). */
    round_trip(0x180010000ull, 0xFFFF800000200000ull, (rp_fixup_format)f, 6);
    build_mixed();
    round_trip(BASE64, 0x7000000000ull, (rp_fixup_format)f, 6); /* delta 0 at load */
  }
}

static void changed_site_is_skipped(void **state) {
  (void)state;
  static rp_pe_image img;
  rp_pe_rerelocate_stats rs;
  uint64_t size;
  for (int f = RP_FIXUP_EDK2; f <= RP_FIXUP_NATIVE; f++) {
    build_mixed();
    load_mapped(&img);
    assert_int_equal(rp_pe_fixup_size(&img, (rp_fixup_format)f, &size, NULL), EFI_SUCCESS);
    assert_int_equal(relocate(&img, 0x180013000ull, (rp_fixup_format)f, size, NULL, NULL), EFI_SUCCESS);
    w64(g_map, DATA + 0x10, 0xDEADBEEF); /* code stored a new pointer */
    assert_int_equal(rp_pe_runtime_relocate(rp_mbytes_of(g_map, IMG_SIZE), RP_PE_PROFILE_COMPAT, 0x180013000ull, 0x1000000ull,
                                            (rp_fixup_format)f, rp_bytes_of(g_rec, size), &rs, NULL),
                     EFI_SUCCESS);
    assert_int_equal(rs.applied, 5);
    assert_int_equal(rs.skipped, 1);
    assert_int_equal(r64(g_map, DATA + 0x10), 0xDEADBEEF);
    assert_int_equal(r32(g_map, DATA), (uint32_t)(0x80014000u - 0x80013000u + 0x1000000u));
  }
}

static void failed_relocate_writes_nothing(void **state) {
  (void)state;
  static rp_pe_image img;
  static uint8_t before[IMG_SIZE], rec_before[1024];
  rp_diag d;
  uint32_t at = 0;
  const uint16_t good[] = { E(10, 0x10), E(3, 0x00) };
  const uint16_t bad[] = { E(10, 0x18), E(9, 0x20) };
  build(IMAGE_FILE_MACHINE_AMD64);
  add_block(&at, DATA, good, 2);
  add_block(&at, DATA, bad, 2);
  set_dir(5, RELOC, at);
  load_mapped(&img);
  memset(g_rec, 0x77, sizeof(rec_before));
  memcpy(before, g_map, IMG_SIZE);
  memcpy(rec_before, g_rec, sizeof(rec_before));
  assert_int_equal(relocate(&img, 0x180000000ull, RP_FIXUP_EDK2, 256, NULL, &d), EFI_UNSUPPORTED);
  assert_int_equal(d.reason, RP_R_PE_RELOC_TYPE);
  assert_int_equal(d.index, 12 + 8 + 2);
  assert_memory_equal(g_map, before, IMG_SIZE);
  assert_memory_equal(g_rec, rec_before, sizeof(rec_before));
  /* short record: rejected after pass 1, still nothing written */
  at = 0;
  add_block(&at, DATA, good, 2);
  set_dir(5, RELOC, at);
  load_mapped(&img);
  memcpy(before, g_map, IMG_SIZE);
  assert_int_equal(relocate(&img, 0x180000000ull, RP_FIXUP_EDK2, 8, NULL, &d), EFI_BUFFER_TOO_SMALL);
  assert_int_equal(d.reason, RP_R_PE_FIXUP_BUFFER_SIZE);
  assert_memory_equal(g_map, before, IMG_SIZE);
  assert_memory_equal(g_rec, rec_before, sizeof(rec_before));
}

/* ---- relocation: malformed directories, one row per reason --------------------- */

typedef struct {
  const char *what;
  uint16_t    machine;
  uint32_t    page;
  uint32_t    sob;      /* SizeOfBlock written */
  uint32_t    dir_size; /* directory size */
  uint16_t    entry;
  rp_reason   reason;
} reloc_row;

static const reloc_row reloc_rows[] = {
  { "SizeOfBlock 0", IMAGE_FILE_MACHINE_AMD64, DATA, 0, 12, E(10, 0), RP_R_PE_RELOC_BLOCK_SMALL },
  { "SizeOfBlock 4", IMAGE_FILE_MACHINE_AMD64, DATA, 4, 12, E(10, 0), RP_R_PE_RELOC_BLOCK_SMALL },
  { "SizeOfBlock 9", IMAGE_FILE_MACHINE_AMD64, DATA, 9, 12, E(10, 0), RP_R_PE_RELOC_BLOCK_ODD },
  { "SizeOfBlock 10, 2 bytes left", IMAGE_FILE_MACHINE_AMD64, DATA, 10, 12, E(10, 0), RP_R_PE_RELOC_DIR_TRAILING },
  { "block past directory", IMAGE_FILE_MACHINE_AMD64, DATA, 16, 12, E(10, 0), RP_R_PE_RELOC_BLOCK_OVERRUN },
  { "trailing bytes", IMAGE_FILE_MACHINE_AMD64, DATA, 12, 16, E(10, 0), RP_R_PE_RELOC_DIR_TRAILING },
  { "page outside image", IMAGE_FILE_MACHINE_AMD64, 0x4000, 12, 12, E(10, 0), RP_R_PE_RELOC_PAGE_RANGE },
  { "type 9 on x64", IMAGE_FILE_MACHINE_AMD64, DATA, 12, 12, E(9, 0), RP_R_PE_RELOC_TYPE },
  { "type 7 on x64", IMAGE_FILE_MACHINE_AMD64, DATA, 12, 12, E(7, 0), RP_R_PE_RELOC_TYPE },
  { "type 8 on ARM", IMAGE_FILE_MACHINE_ARMNT, DATA, 12, 12, E(8, 0), RP_R_PE_RELOC_TYPE },
  { "HIGHADJ", IMAGE_FILE_MACHINE_I386, DATA, 12, 12, E(4, 0), RP_R_PE_RELOC_TYPE_UNSUPPORTED },
  { "DIR64 last byte past image", IMAGE_FILE_MACHINE_AMD64, RELOC, 12, 12, E(10, 0xFFC),
    RP_R_PE_RELOC_TARGET_RANGE },
  { "HIGHLOW at SizeOfImage-2", IMAGE_FILE_MACHINE_I386, RELOC, 12, 12, E(3, 0xFFE), RP_R_PE_RELOC_TARGET_RANGE },
  { "target in headers", IMAGE_FILE_MACHINE_AMD64, 0, 12, 12, E(10, 0x100), RP_R_PE_RELOC_TARGET_HEADERS },
  { "target straddles headers end", IMAGE_FILE_MACHINE_AMD64, 0, 12, 12, E(10, 0x3FC),
    RP_R_PE_RELOC_TARGET_HEADERS },
  { "target is the reloc dir", IMAGE_FILE_MACHINE_AMD64, RELOC, 12, 12, E(10, 4), RP_R_PE_RELOC_TARGET_RELOC_DIR },
  { "target overlaps reloc dir end", IMAGE_FILE_MACHINE_AMD64, 0x2000, 12, 12, E(10, 0xFFC),
    RP_R_PE_RELOC_TARGET_RELOC_DIR },
  { "MOV32T odd", IMAGE_FILE_MACHINE_ARMNT, TEXT, 12, 12, E(7, 1), RP_R_PE_RELOC_TARGET_ALIGN },
  { "MOV32A not word aligned", IMAGE_FILE_MACHINE_ARM, TEXT, 12, 12, E(5, 2), RP_R_PE_RELOC_TARGET_ALIGN },
  { "MARK_LA not word aligned", IMAGE_FILE_MACHINE_LOONGARCH64, TEXT, 12, 12, E(8, 2), RP_R_PE_RELOC_TARGET_ALIGN },
  { "MOV32T on zeros", IMAGE_FILE_MACHINE_ARMNT, TEXT, 12, 12, E(7, 0), RP_R_PE_RELOC_INSN },
  { "MOV32A on zeros", IMAGE_FILE_MACHINE_ARM, TEXT, 12, 12, E(5, 0), RP_R_PE_RELOC_INSN },
  { "MARK_LA on zeros", IMAGE_FILE_MACHINE_LOONGARCH64, TEXT, 12, 12, E(8, 0), RP_R_PE_RELOC_INSN },
  { "HI20 on zeros", IMAGE_FILE_MACHINE_RISCV64, TEXT, 12, 12, E(5, 0), RP_R_PE_RELOC_INSN },
  { "LO12I without HI20", IMAGE_FILE_MACHINE_RISCV64, TEXT, 12, 12, E(7, 0), RP_R_PE_RELOC_PAIR },
  { "LO12S without HI20", IMAGE_FILE_MACHINE_RISCV64, TEXT, 12, 12, E(8, 0), RP_R_PE_RELOC_PAIR },
};

static void relocate_rejects_each_malformed_entry(void **state) {
  (void)state;
  static rp_pe_image img;
  for (size_t i = 0; i < sizeof(reloc_rows) / sizeof(reloc_rows[0]); i++) {
    const reloc_row *r = &reloc_rows[i];
    rp_diag d;
    build(r->machine);
    w32(g_img, RELOC, r->page);
    w32(g_img, RELOC + 4, r->sob);
    w16(g_img, RELOC + 8, r->entry);
    set_dir(5, RELOC, r->dir_size);
    load_mapped(&img);
    memcpy(g_ref, g_map, IMG_SIZE);
    uint64_t nb = img.image_base + 0x10000;
    EFI_STATUS st = relocate(&img, nb, RP_FIXUP_EDK2, 512, NULL, &d);
    if (!EFI_ERROR(st) || d.reason != r->reason)
      fail_msg("%s: got %s, want %s", r->what, rp_reason_name(d.reason), rp_reason_name(r->reason));
    assert_memory_equal(g_map, g_ref, IMG_SIZE);
    /* the runtime pass rejects the same directory the same way */
    st = rp_pe_runtime_relocate(rp_mbytes_of(g_map, IMG_SIZE), RP_PE_PROFILE_COMPAT, img.image_base, nb, RP_FIXUP_NATIVE,
                                rp_bytes_of(g_rec, 8 + 4 * 16), NULL, &d);
    assert_true(EFI_ERROR(st));
    assert_memory_equal(g_map, g_ref, IMG_SIZE);
  }
}

static void relocate_rejects_bad_arguments(void **state) {
  (void)state;
  static rp_pe_image img;
  rp_diag d;
  build_mixed();
  load_mapped(&img);
  assert_int_equal(relocate(&img, BASE64 + 0x800, RP_FIXUP_NONE, 0, NULL, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PE_NEW_BASE);
  assert_int_equal(relocate(&img, BASE64, (rp_fixup_format)7, 0, NULL, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PE_FIXUP_FORMAT);
  assert_int_equal(rp_pe_relocate(&img, rp_mbytes_of(g_map, 0x3000), BASE64, RP_FIXUP_NONE, rp_mbytes_of(NULL, 0),
                                  NULL, &d),
                   EFI_BUFFER_TOO_SMALL);
  assert_int_equal(d.reason, RP_R_PE_MAPPED_SIZE);
  assert_int_equal(rp_pe_relocate(&img, rp_mbytes_of(g_map, IMG_SIZE), BASE64, RP_FIXUP_EDK2,
                                  rp_mbytes_of((uint8_t *)g_rec + 4, 200), NULL, &d),
                   EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PE_FIXUP_BUFFER_ALIGN);
  uint64_t size;
  assert_int_equal(rp_pe_fixup_size(&img, RP_FIXUP_NONE, &size, &d), EFI_UNSUPPORTED);
  assert_int_equal(d.reason, RP_R_PE_FIXUP_FORMAT);
  assert_int_equal(relocate(NULL, BASE64, RP_FIXUP_NONE, 0, NULL, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_NULL_ARGUMENT);
  /* relocated once: the context's base is stale for a second relocation */
  assert_int_equal(relocate(&img, 0x200000000ull, RP_FIXUP_NONE, 0, NULL, &d), EFI_SUCCESS);
  assert_int_equal(relocate(&img, 0x300000000ull, RP_FIXUP_NONE, 0, NULL, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PE_RUNTIME_BASE_MISMATCH);
  /* PE32 ImageBase is 32 bits */
  build(IMAGE_FILE_MACHINE_I386);
  load_mapped(&img);
  assert_int_equal(relocate(&img, 0x100000000ull, RP_FIXUP_NONE, 0, NULL, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PE_NEW_BASE);
}

/* The flag says "must stay at ImageBase": a move is refused in every
 * profile (an absent directory with the flag clear: test_pe_compat.c). */
static void relocs_stripped(void **state) {
  (void)state;
  static rp_pe_image img;
  rp_diag d;
  build(IMAGE_FILE_MACHINE_AMD64); /* no relocation directory */
  w16(g_img, FH + 18, IMAGE_FILE_EXECUTABLE_IMAGE | IMAGE_FILE_RELOCS_STRIPPED);
  load_mapped(&img);
  assert_int_equal(relocate(&img, BASE64, RP_FIXUP_EDK2, 0, NULL, &d), EFI_SUCCESS); /* no move needed */
  assert_int_equal(relocate(&img, BASE64 + 0x1000, RP_FIXUP_NONE, 0, NULL, &d), EFI_LOAD_ERROR);
  assert_int_equal(d.reason, RP_R_PE_RELOCS_STRIPPED);
  build_mixed();
  w16(g_img, FH + 18, IMAGE_FILE_EXECUTABLE_IMAGE | IMAGE_FILE_RELOCS_STRIPPED);
  load_mapped(&img);
  assert_int_equal(relocate(&img, BASE64 + 0x1000, RP_FIXUP_NONE, 0, NULL, &d), EFI_LOAD_ERROR);
  assert_int_equal(d.reason, RP_R_PE_RELOCS_STRIPPED);
}

static void runtime_rejects_bad_record_and_base(void **state) {
  (void)state;
  static rp_pe_image img;
  static uint8_t before[IMG_SIZE];
  rp_diag d;
  uint64_t size;
  const uint64_t b1 = 0x180013000ull, b2 = 0x1000000ull;
  rp_mbytes m = rp_mbytes_of(g_map, IMG_SIZE);
  build_mixed();
  load_mapped(&img);
  assert_int_equal(rp_pe_fixup_size(&img, RP_FIXUP_NATIVE, &size, NULL), EFI_SUCCESS);
  assert_int_equal(relocate(&img, b1, RP_FIXUP_NATIVE, size, NULL, NULL), EFI_SUCCESS);
  memcpy(before, g_map, IMG_SIZE);
  assert_int_equal(rp_pe_runtime_relocate(m, RP_PE_PROFILE_COMPAT, BASE64, b2, RP_FIXUP_NATIVE, rp_bytes_of(g_rec, size), NULL, &d),
                   EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PE_RUNTIME_BASE_MISMATCH);
  assert_int_equal(rp_pe_runtime_relocate(m, RP_PE_PROFILE_COMPAT, b1, b2, RP_FIXUP_NATIVE, rp_bytes_of(g_rec, size - 8), NULL, &d),
                   EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PE_FIXUP_RECORD_SHORT);
  assert_int_equal(rp_pe_runtime_relocate(m, RP_PE_PROFILE_COMPAT, b1, b2, RP_FIXUP_NATIVE, rp_bytes_of(g_rec, 4), NULL, &d),
                   EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PE_FIXUP_RECORD_SHORT);
  assert_int_equal(rp_pe_runtime_relocate(m, RP_PE_PROFILE_COMPAT, b1, b2, RP_FIXUP_EDK2, rp_bytes_of(g_rec, 16), NULL, &d),
                   EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PE_FIXUP_RECORD_SHORT);
  assert_int_equal(rp_pe_runtime_relocate(m, RP_PE_PROFILE_COMPAT, b1, b2, RP_FIXUP_NONE, rp_bytes_of(g_rec, size), NULL, &d),
                   EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PE_FIXUP_FORMAT);
  assert_int_equal(rp_pe_runtime_relocate(m, RP_PE_PROFILE_COMPAT, b1, b2, RP_FIXUP_NATIVE, rp_bytes_of((uint8_t *)g_rec + 4, size),
                                          NULL, &d),
                   EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PE_FIXUP_BUFFER_ALIGN);
  ((uint32_t *)g_rec)[1] += 4;
  assert_int_equal(rp_pe_runtime_relocate(m, RP_PE_PROFILE_COMPAT, b1, b2, RP_FIXUP_NATIVE, rp_bytes_of(g_rec, size), NULL, &d),
                   EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_PE_FIXUP_RECORD_MISMATCH);
  /* the re-parse validates the mapped headers (e_lfanew is not trusted) */
  w32(g_map, 0x3C, 0xFFFFFF00u);
  assert_int_equal(rp_pe_runtime_relocate(m, RP_PE_PROFILE_COMPAT, b1, b2, RP_FIXUP_NATIVE, rp_bytes_of(g_rec, size), NULL, &d),
                   EFI_LOAD_ERROR);
  assert_int_equal(d.reason, RP_R_PE_LFANEW_RANGE);
  w32(g_map, 0x3C, LFANEW);
  assert_memory_equal(g_map, before, IMG_SIZE);
}

/* ---- architecture-specific round trips ---------------------------------------- */

/* Thumb-2 MOVW/MOVT decoder (encoders: pe_image_builder.h). */
static uint32_t thumb_imm(const uint8_t *p) {
  uint16_t a = r16(p, 0), b = r16(p, 2);
  return (uint32_t)(a & 0xF) << 12 | (uint32_t)(a >> 10 & 1) << 11 | (uint32_t)(b >> 12 & 7) << 8 | (b & 0xFF);
}

static void arm_mov32t_round_trip(void **state) {
  (void)state;
  uint32_t at = 0;
  const uint16_t e[] = { E(7, 0x10), E(3, 0x00) };
  for (int f = RP_FIXUP_EDK2; f <= RP_FIXUP_NATIVE; f++) {
    build(IMAGE_FILE_MACHINE_ARMNT);
    at = 0;
    thumb_mov(g_img + TEXT + 0x10, 0xF240, 0x0FFF);
    thumb_mov(g_img + TEXT + 0x14, 0xF2C0, 0x1000);
    w32(g_img, DATA, 0x10002000u);
    add_block(&at, TEXT, e, 1);
    add_block(&at, DATA, e + 1, 1);
    set_dir(5, RELOC, at);
    round_trip(0x20000000ull, 0x7FFFF000ull, (rp_fixup_format)f, 2);
    uint32_t v = thumb_imm(g_map + TEXT + 0x14) << 16 | thumb_imm(g_map + TEXT + 0x10);
    assert_int_equal(v, 0x10000FFFu - (uint32_t)BASE32 + 0x7FFFF000u);
    assert_int_equal(r16(g_map, TEXT + 0x10) & 0xFBF0, 0xF240); /* opcodes kept */
  }
}

static void arm_mov32a_relocates(void **state) {
  (void)state;
  uint32_t at = 0;
  const uint16_t e[] = { E(5, 0x20) };
  build(IMAGE_FILE_MACHINE_ARM);
  w32(g_img, TEXT + 0x20, 0xE3000000u | 0x1u << 16 | 0x234u);            /* movw r0, #0x1234 */
  w32(g_img, TEXT + 0x24, 0xE3400000u | 0x1u << 16 | 0x000u);            /* movt r0, #0x1000 */
  add_block(&at, TEXT, e, 1);
  set_dir(5, RELOC, at);
  round_trip(0x30000000ull, 0x40000000ull, RP_FIXUP_EDK2, 1);
  uint32_t lo = r32(g_map, TEXT + 0x20), hi = r32(g_map, TEXT + 0x24);
  uint32_t v = ((hi >> 16 & 0xF) << 12 | (hi & 0xFFF)) << 16 | ((lo >> 16 & 0xF) << 12 | (lo & 0xFFF));
  assert_int_equal(v, 0x10001234u + 0x30000000u);
}

/* RISC-V: lui a0; addi a0, a0; sd a1, lo(a0) share one HI20. */
static int64_t rv_val(uint32_t hi, uint32_t lo, bool s) {
  int32_t l = s ? (int32_t)(((lo >> 25) << 5 | (lo >> 7 & 0x1F)) << 20) >> 20 : (int32_t)lo >> 20;
  return (int64_t)(int32_t)(hi & 0xFFFFF000u) + l;
}

static void build_riscv(uint32_t v) {
  uint32_t at = 0;
  const uint16_t e[] = { E(5, 0x00), E(7, 0x04), E(8, 0x08) };
  build(IMAGE_FILE_MACHINE_RISCV64);
  w64(g_img, OPT + 24, 0x10000000ull);
  w32(g_img, TEXT + 0, rv_lui(v));
  w32(g_img, TEXT + 4, rv_addi(v));
  w32(g_img, TEXT + 8, rv_sd(v));
  add_block(&at, TEXT, e, 3);
  set_dir(5, RELOC, at);
}

static void riscv_round_trip(void **state) {
  (void)state;
  static rp_pe_image img;
  rp_diag d;
  const uint32_t v = 0x10001FF8u; /* lo12 = -8: exercises the sign carry */
  for (int f = RP_FIXUP_EDK2; f <= RP_FIXUP_NATIVE; f++) {
    build_riscv(v);
    round_trip(0x20000000ull, 0x30000000ull, (rp_fixup_format)f, 3);
    assert_int_equal(rv_val(r32(g_map, TEXT), r32(g_map, TEXT + 4), false), v + 0x20000000);
    assert_int_equal(rv_val(r32(g_map, TEXT), r32(g_map, TEXT + 8), true), v + 0x20000000);
  }
  /* a value the lui/addi pair can no longer reach */
  build_riscv(v);
  load_mapped(&img);
  memcpy(g_ref, g_map, IMG_SIZE);
  assert_int_equal(relocate(&img, 0x80000000ull, RP_FIXUP_NONE, 0, NULL, &d), EFI_LOAD_ERROR);
  assert_int_equal(d.reason, RP_R_PE_RELOC_VALUE_RANGE);
  assert_memory_equal(g_map, g_ref, IMG_SIZE);
  /* a non-I-type at an LO12I site */
  build_riscv(v);
  w32(g_img, TEXT + 4, 0x33);
  load_mapped(&img);
  assert_int_equal(relocate(&img, 0x20000000ull, RP_FIXUP_NONE, 0, NULL, &d), EFI_LOAD_ERROR);
  assert_int_equal(d.reason, RP_R_PE_RELOC_INSN);
}

/* LoongArch: lu12i.w / ori / lu32i.d / lu52i.d into r4. */
static uint64_t la_get(const uint8_t *p) {
  return (uint64_t)(r32(p, 0) >> 5 & 0xFFFFF) << 12 | (r32(p, 4) >> 10 & 0xFFF) |
         (uint64_t)(r32(p, 8) >> 5 & 0xFFFFF) << 32 | (uint64_t)(r32(p, 12) >> 10 & 0xFFF) << 52;
}

static void loongarch_round_trip_and_sizing(void **state) {
  (void)state;
  static rp_pe_image img;
  uint64_t size;
  for (int f = RP_FIXUP_EDK2; f <= RP_FIXUP_NATIVE; f++) {
    uint32_t at = 0;
    const uint16_t e[] = { E(8, 0x00), E(8, 0x10), E(8, 0x20), E(8, 0x30) };
    build(IMAGE_FILE_MACHINE_LOONGARCH64);
    for (uint32_t i = 0; i < 4; i++) la_seq(g_img + TEXT + 0x10 * i, BASE64 + 0x1000 + i);
    add_block(&at, TEXT, e, 4);
    set_dir(5, RELOC, at);
    assert_int_equal(parse_file(&img, NULL), EFI_SUCCESS);
    assert_int_equal(rp_pe_fixup_size(&img, (rp_fixup_format)f, &size, NULL), EFI_SUCCESS);
    /* EDK II budget 16 / 2 * 8 = 64 equals 4 x 16 here; 5+ entries exceed it */
    assert_int_equal(size, f == RP_FIXUP_EDK2 ? 64 : 8 + 4 * 16);
    round_trip(0x9000000000000000ull, 0x0000700000000000ull, (rp_fixup_format)f, 4);
    for (uint32_t i = 0; i < 4; i++) assert_int_equal(la_get(g_map + TEXT + 0x10 * i), 0x0000700000001000ull + i);
  }
  /* 6 MARK_LA entries + 2 HIGH: 96 bytes of our layout + 4 > budget 20/2*8 = 80 */
  uint32_t at = 0;
  const uint16_t e6[] = { E(1, 0x800), E(8, 0x00), E(8, 0x10), E(8, 0x20), E(8, 0x30), E(8, 0x40), E(8, 0x50),
                          E(1, 0x802) };
  build(IMAGE_FILE_MACHINE_LOONGARCH64);
  for (uint32_t i = 0; i < 6; i++) la_seq(g_img + TEXT + 0x10 * i, BASE64 + i);
  add_block(&at, TEXT, e6, 8);
  set_dir(5, RELOC, at);
  assert_int_equal(parse_file(&img, NULL), EFI_SUCCESS);
  assert_int_equal(rp_pe_fixup_size(&img, RP_FIXUP_EDK2, &size, NULL), EFI_SUCCESS);
  assert_int_equal(size, 2 + 2 + 96 + 2); /* HIGH, align 4, 6 x 16, HIGH */
  round_trip(0x9000000000000000ull, 0x10000ull << 12, RP_FIXUP_EDK2, 8);
}

/* ---- exports ------------------------------------------------------------------ */

static void export_lookup(bool sorted) {
  static rp_pe_image img;
  rp_pe_exports ex;
  rp_pe_export x;
  rp_diag d;
  const char *sn[] = { "Alpha", "Beta", "Gamma", "Gammb" };
  const char *un[] = { "Gamma", "Alpha", "Gammb", "Beta" };
  const uint16_t so[] = { 0, 1, 2, 3 }, uo[] = { 2, 0, 3, 1 };
  const uint32_t eat[] = { 0x1000, 0x1010, 0x1020, EXP + 0x150 };
  build_exports(1, sorted ? sn : un, sorted ? so : uo, 4, eat, 4);
  assert_int_equal(parse_file(&img, NULL), EFI_SUCCESS);
  assert_int_equal(rp_pe_exports_parse(&img, &ex, NULL), EFI_SUCCESS);
  assert_int_equal(ex.names_sorted, sorted);
  assert_int_equal(ex.base, 1);
  for (unsigned i = 0; i < 4; i++) {
    assert_int_equal(rp_pe_export_find(&img, &ex, sn[i], &x, NULL), EFI_SUCCESS);
    assert_string_equal(x.name, sn[i]);
    assert_int_equal(x.ordinal_index, i);
    assert_int_equal(x.rva, eat[i]);
    assert_int_equal(x.forwarder, i == 3);
  }
  const char *missing[] = { "", "Alph", "Alphaa", "Delta", "Zeta", "A" };
  for (unsigned i = 0; i < 6; i++) {
    assert_int_equal(rp_pe_export_find(&img, &ex, missing[i], &x, &d), EFI_NOT_FOUND);
    assert_int_equal(d.reason, RP_R_PE_EXPORT_NOT_FOUND);
  }
  assert_int_equal(rp_pe_export_at(&img, &ex, 0, &x, NULL), EFI_SUCCESS);
  assert_string_equal(x.name, sorted ? "Alpha" : "Gamma");
}

static void exports_sorted(void **state) {
  (void)state;
  export_lookup(true);
}

static void exports_unsorted(void **state) {
  (void)state;
  export_lookup(false);
}

/* lld-link 14: Base 0, unnamed slot 0 with RVA 0 (toolchain.md). */
static void exports_lld_base_zero(void **state) {
  (void)state;
  static rp_pe_image img;
  rp_pe_exports ex;
  rp_pe_export x;
  const char *n[] = { "PrmModuleExportDescriptor", "Handler" };
  const uint16_t o[] = { 1, 2 };
  const uint32_t eat[] = { 0, 0x2800, 0x1000 };
  build_exports(0, n, o, 2, eat, 3);
  assert_int_equal(parse_file(&img, NULL), EFI_SUCCESS);
  assert_int_equal(rp_pe_exports_parse(&img, &ex, NULL), EFI_SUCCESS);
  assert_int_equal(ex.base, 0);
  assert_false(ex.names_sorted);
  assert_int_equal(rp_pe_export_find(&img, &ex, "PrmModuleExportDescriptor", &x, NULL), EFI_SUCCESS);
  assert_int_equal(x.ordinal_index, 1);
  assert_int_equal(x.rva, 0x2800);
  assert_int_equal(rp_pe_export_find(&img, &ex, "Handler", &x, NULL), EFI_SUCCESS);
  assert_int_equal(x.rva, 0x1000);
  /* and on the mapped image */
  load_mapped(&img);
  assert_int_equal(rp_pe_exports_parse(&img, &ex, NULL), EFI_SUCCESS);
  assert_int_equal(rp_pe_export_find(&img, &ex, "Handler", &x, NULL), EFI_SUCCESS);
}

typedef struct {
  const char *what;
  uint32_t    off;
  uint32_t    value;
  rp_reason   reason;
} exp_row;

static const exp_row exp_rows[] = {
  { "no directory", OPT + 112 + 4, 0, RP_R_PE_EXPORT_NONE },
  { "directory < 40", OPT + 112 + 4, 39, RP_R_PE_EXPORT_DIR_SIZE },
  { "directory header straddles sections", OPT + 112, DATA + 0xFF0, RP_R_PE_EXPORT_TABLE_RANGE },
  { "names > functions", EXP + 24, 3, RP_R_PE_EXPORT_COUNT },
  { "huge function count", EXP + 20, 0x40000000u, RP_R_PE_EXPORT_COUNT },
  { "EAT past image end", EXP + 28, 0x3FFC, RP_R_PE_EXPORT_TABLE_RANGE },
  { "name table outside", EXP + 32, 0xFFFFFFF0u, RP_R_PE_EXPORT_TABLE_RANGE },
  { "ordinal table outside", EXP + 36, 0x3FFF, RP_R_PE_EXPORT_TABLE_RANGE },
  { "name pointer outside", ENPT + 4, 0x8000, RP_R_PE_EXPORT_NAME_RANGE },
  { "DLL name outside", EXP + 12, 0x9000, RP_R_PE_EXPORT_NAME_RANGE },
  { "ordinal past functions", EOT, 2, RP_R_PE_EXPORT_ORDINAL },
  { "EAT entry outside image", EAT + 4, 0x4000, RP_R_PE_EXPORT_RVA_RANGE },
};

static void exports_reject_each_malformed_table(void **state) {
  (void)state;
  static rp_pe_image img;
  const char *n[] = { "A", "B" };
  const uint16_t o[] = { 0, 1 };
  const uint32_t eat[] = { 0x1000, 0x1004 };
  for (size_t i = 0; i < sizeof(exp_rows) / sizeof(exp_rows[0]); i++) {
    rp_pe_exports ex;
    rp_diag d;
    build_exports(1, n, o, 2, eat, 2);
    w32(g_img, exp_rows[i].off, exp_rows[i].value);
    assert_int_equal(parse_file(&img, NULL), EFI_SUCCESS);
    EFI_STATUS st = rp_pe_exports_parse(&img, &ex, &d);
    if (!EFI_ERROR(st) || d.reason != exp_rows[i].reason)
      fail_msg("%s: got %s, want %s", exp_rows[i].what, rp_reason_name(d.reason),
               rp_reason_name(exp_rows[i].reason));
  }
  /* a name running to the end of its section without a NUL */
  rp_pe_exports ex;
  rp_diag d;
  build_exports(1, n, o, 2, eat, 2);
  w32(g_img, ENPT + 4, DATA + 0xFFC);
  memset(g_img + DATA + 0xFFC, 'x', 4);
  memset(g_img + RELOC, 'x', 16);
  assert_int_equal(parse_file(&img, &d), EFI_SUCCESS);
  if (rp_pe_exports_parse(&img, &ex, &d) != EFI_LOAD_ERROR) fail_msg("%s", rp_reason_name(d.reason));
  assert_int_equal(d.reason, RP_R_PE_EXPORT_NAME_UNTERMINATED);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(parse_pe32plus_x64),
    cmocka_unit_test(parse_pe32_ia32_and_arm),
    cmocka_unit_test(parse_num_rva_uniform),
    cmocka_unit_test(parse_dll_entry_zero),
    cmocka_unit_test(rva_to_offset_both_layouts),
    cmocka_unit_test(parse_rejects_each_malformed_header),
    cmocka_unit_test(parse_null_argument),
    cmocka_unit_test(load_rejects_bad_dest_and_layout),
    cmocka_unit_test(edk2_record_bytes_match_hand_computed),
    cmocka_unit_test(native_record_layout),
    cmocka_unit_test(round_trip_x64_both_formats),
    cmocka_unit_test(changed_site_is_skipped),
    cmocka_unit_test(failed_relocate_writes_nothing),
    cmocka_unit_test(relocate_rejects_each_malformed_entry),
    cmocka_unit_test(relocate_rejects_bad_arguments),
    cmocka_unit_test(relocs_stripped),
    cmocka_unit_test(runtime_rejects_bad_record_and_base),
    cmocka_unit_test(arm_mov32t_round_trip),
    cmocka_unit_test(arm_mov32a_relocates),
    cmocka_unit_test(riscv_round_trip),
    cmocka_unit_test(loongarch_round_trip_and_sizing),
    cmocka_unit_test(exports_sorted),
    cmocka_unit_test(exports_unsorted),
    cmocka_unit_test(exports_lld_base_zero),
    cmocka_unit_test(exports_reject_each_malformed_table),
  };
  return cmocka_run_group_tests_name("pe", tests, NULL, NULL);
}
