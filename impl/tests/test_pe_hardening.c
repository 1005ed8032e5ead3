/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * PE/COFF library: API contracts and defences that ordinary images never
 * reach. NULL arguments, contexts altered after parsing (the library
 * re-checks what it reads), the record/image overlap rule, the relocation
 * hot path against the checked path, runtime partial matches of RISC-V
 * pairs, overlapping sites in pass 2, and the site encoders white-box
 * (pe_internal.h). docs/pecoff.md has the rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../pecoff/pe_internal.h"
#include "pe_image_builder.h"

static EFI_STATUS relocate_to(const rp_pe_image *img, uint64_t nb, rp_fixup_format fmt, size_t rec_len,
                              rp_diag *d) {
  return rp_pe_relocate(img, rp_mbytes_of(g_map, IMG_SIZE), nb, fmt, rp_mbytes_of(g_rec, rec_len), NULL, d);
}

static void expect(EFI_STATUS got, const rp_diag *d, EFI_STATUS want, rp_reason reason) {
  if (got != want || d->reason != reason)
    fail_msg("got %s/%s, want %s/%s", rp_status_name(got), rp_reason_name(d->reason), rp_status_name(want),
             rp_reason_name(reason));
}

/* ---- NULL and out-of-range arguments ----------------------------------------- */

static void null_arguments_everywhere(void **state) {
  (void)state;
  static rp_pe_image img;
  rp_pe_exports ex;
  rp_pe_export x;
  rp_diag d;
  uint64_t size;
  build(IMAGE_FILE_MACHINE_AMD64);
  assert_int_equal(parse_file(&img, NULL), EFI_SUCCESS);
  expect(rp_pe_parse(rp_bytes_of(g_img, IMG_SIZE), (rp_pe_layout)7, RP_PE_PROFILE_COMPAT, &img, &d), &d, EFI_INVALID_PARAMETER,
         RP_R_NULL_ARGUMENT);
  assert_int_equal(parse_file(&img, NULL), EFI_SUCCESS);
  expect(rp_pe_load(NULL, rp_mbytes_of(g_map, IMG_SIZE), &d), &d, EFI_INVALID_PARAMETER, RP_R_NULL_ARGUMENT);
  expect(rp_pe_load(&img, rp_mbytes_of(NULL, 0), &d), &d, EFI_INVALID_PARAMETER, RP_R_NULL_ARGUMENT);
  expect(rp_pe_fixup_size(NULL, RP_FIXUP_EDK2, &size, &d), &d, EFI_INVALID_PARAMETER, RP_R_NULL_ARGUMENT);
  expect(rp_pe_fixup_size(&img, RP_FIXUP_EDK2, NULL, &d), &d, EFI_INVALID_PARAMETER, RP_R_NULL_ARGUMENT);
  expect(rp_pe_fixup_size(&img, RP_FIXUP_NONE, &size, &d), &d, EFI_UNSUPPORTED, RP_R_PE_FIXUP_FORMAT);
  expect(rp_pe_fixup_size(&img, (rp_fixup_format)7, &size, &d), &d, EFI_INVALID_PARAMETER, RP_R_PE_FIXUP_FORMAT);
  expect(rp_pe_relocate(NULL, rp_mbytes_of(g_map, IMG_SIZE), BASE64, RP_FIXUP_NONE, rp_mbytes_of(NULL, 0), NULL, &d),
         &d, EFI_INVALID_PARAMETER, RP_R_NULL_ARGUMENT);
  expect(rp_pe_relocate(&img, rp_mbytes_of(NULL, 0), BASE64, RP_FIXUP_NONE, rp_mbytes_of(NULL, 0), NULL, &d), &d,
         EFI_INVALID_PARAMETER, RP_R_NULL_ARGUMENT);
  expect(rp_pe_exports_parse(NULL, &ex, &d), &d, EFI_INVALID_PARAMETER, RP_R_NULL_ARGUMENT);
  expect(rp_pe_exports_parse(&img, NULL, &d), &d, EFI_INVALID_PARAMETER, RP_R_NULL_ARGUMENT);
  memset(&ex, 0, sizeof(ex));
  expect(rp_pe_export_at(NULL, &ex, 0, &x, &d), &d, EFI_INVALID_PARAMETER, RP_R_NULL_ARGUMENT);
  expect(rp_pe_export_at(&img, NULL, 0, &x, &d), &d, EFI_INVALID_PARAMETER, RP_R_NULL_ARGUMENT);
  expect(rp_pe_export_at(&img, &ex, 0, NULL, &d), &d, EFI_INVALID_PARAMETER, RP_R_NULL_ARGUMENT);
  expect(rp_pe_export_find(NULL, &ex, "a", &x, &d), &d, EFI_INVALID_PARAMETER, RP_R_NULL_ARGUMENT);
  expect(rp_pe_export_find(&img, NULL, "a", &x, &d), &d, EFI_INVALID_PARAMETER, RP_R_NULL_ARGUMENT);
  expect(rp_pe_export_find(&img, &ex, NULL, &x, &d), &d, EFI_INVALID_PARAMETER, RP_R_NULL_ARGUMENT);
  expect(rp_pe_export_find(&img, &ex, "a", NULL, &d), &d, EFI_INVALID_PARAMETER, RP_R_NULL_ARGUMENT);
}

/* ---- contexts altered after parsing -------------------------------------------- */

/* rp_pe_load re-checks every range of the context before the first write. */
static void load_rechecks_altered_context(void **state) {
  (void)state;
  static rp_pe_image good, img;
  rp_diag d;
  build(IMAGE_FILE_MACHINE_AMD64);
  assert_int_equal(parse_file(&good, NULL), EFI_SUCCESS);
  static const struct {
    int what;
    EFI_STATUS st;
    rp_reason reason;
  } rows[] = {
    { 0, EFI_BAD_BUFFER_SIZE, RP_R_PE_LOAD_DEST_SIZE },   /* SizeOfImage 0 */
    { 1, EFI_LOAD_ERROR, RP_R_PE_SECTION_COUNT },         /* more sections than the context holds */
    { 2, EFI_LOAD_ERROR, RP_R_PE_SIZE_OF_HEADERS },       /* headers past the file */
    { 3, EFI_LOAD_ERROR, RP_R_PE_SIZE_OF_HEADERS },       /* headers past the destination */
    { 4, EFI_LOAD_ERROR, RP_R_PE_SECTION_RANGE },         /* section past the destination */
    { 5, EFI_LOAD_ERROR, RP_R_PE_SECTION_RAW_RANGE },     /* raw data past the file */
  };
  for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    size_t dest = IMG_SIZE;
    img = good;
    switch (rows[i].what) {
    case 0: img.size_of_image = 0; break;
    case 1: img.num_sections = RP_PE_MAX_SECTIONS + 1; break;
    case 2: img.bytes.len = 0x200; break;
    case 3: img.size_of_image = dest = 0x2000; img.size_of_headers = 0x3000; break;
    case 4: img.sections[2].virtual_address = IMG_SIZE - 0x800; break;
    default: img.sections[1].raw_offset = IMG_SIZE - 0x800; break;
    }
    memset(g_map, 0xA5, IMG_SIZE);
    memcpy(g_ref, g_map, IMG_SIZE);
    expect(rp_pe_load(&img, rp_mbytes_of(g_map, dest), &d), &d, rows[i].st, rows[i].reason);
    assert_memory_equal(g_map, g_ref, IMG_SIZE);
  }
  /* A section without raw data may name any PointerToRawData. */
  img = good;
  img.sections[1].raw_size = 0;
  img.sections[1].raw_offset = 0xFFFFFF00u;
  assert_int_equal(rp_pe_load(&img, rp_mbytes_of(g_map, IMG_SIZE), &d), EFI_SUCCESS);
  assert_int_equal(g_map[DATA], 0);
}

/* RVA mapping never indexes past the section array, whatever the count says. */
static void rva_mapping_clamps_section_count(void **state) {
  (void)state;
  static rp_pe_image img;
  uint64_t off = 0;
  build(IMAGE_FILE_MACHINE_AMD64);
  assert_int_equal(parse_file(&img, NULL), EFI_SUCCESS);
  img.num_sections = 0xFFFF;
  assert_true(rp_pe_rva_to_offset(&img, DATA + 4, 4, &off));
  assert_int_equal(off, DATA + 4);
  assert_false(rp_pe_rva_to_offset(&img, IMG_SIZE + 0x10000, 4, &off));
}

/* Export lookups re-check every read: a context whose bytes were truncated
 * or whose table RVAs were changed fails cleanly. */
static void exports_recheck_altered_context(void **state) {
  (void)state;
  static rp_pe_image img, cut;
  rp_pe_exports ex, bad;
  rp_pe_export x;
  rp_diag d;
  const char *n[] = { "Alpha", "Beta" };
  const uint16_t o[] = { 0, 1 };
  const uint32_t eat[] = { 0x1000, 0x1010 };
  build_exports(1, n, o, 2, eat, 2);
  assert_int_equal(parse_file(&img, NULL), EFI_SUCCESS);
  assert_int_equal(rp_pe_exports_parse(&img, &ex, NULL), EFI_SUCCESS);
  /* table RVAs that map nowhere */
  bad = ex;
  bad.names_rva = 0xFFFFF000u;
  expect(rp_pe_export_at(&img, &bad, 0, &x, &d), &d, EFI_LOAD_ERROR, RP_R_PE_EXPORT_TABLE_RANGE);
  bad = ex;
  bad.ordinals_rva = 0xFFFFF000u;
  expect(rp_pe_export_at(&img, &bad, 1, &x, &d), &d, EFI_LOAD_ERROR, RP_R_PE_EXPORT_TABLE_RANGE);
  bad = ex;
  bad.functions_rva = 0xFFFFF000u;
  expect(rp_pe_export_find(&img, &bad, "Beta", &x, &d), &d, EFI_LOAD_ERROR, RP_R_PE_EXPORT_TABLE_RANGE);
  /* bytes cut inside .data: the sections still claim the data */
  cut = img;
  cut.bytes.len = EOT + 2;
  expect(rp_pe_export_at(&cut, &ex, 1, &x, &d), &d, EFI_LOAD_ERROR, RP_R_PE_EXPORT_TABLE_RANGE);
  cut.bytes.len = ENPT + 4;
  expect(rp_pe_export_at(&cut, &ex, 1, &x, &d), &d, EFI_LOAD_ERROR, RP_R_PE_EXPORT_TABLE_RANGE);
  cut.bytes.len = ESTR;
  expect(rp_pe_export_at(&cut, &ex, 0, &x, &d), &d, EFI_LOAD_ERROR, RP_R_PE_EXPORT_NAME_RANGE);
  cut.bytes.len = EXP + 8;
  expect(rp_pe_exports_parse(&cut, &bad, &d), &d, EFI_LOAD_ERROR, RP_R_PE_EXPORT_TABLE_RANGE);
  assert_int_equal(rp_pe_export_find(&img, &ex, "Beta", &x, &d), EFI_SUCCESS);
  assert_int_equal(x.rva, 0x1010);
}

/* ---- record placement ---------------------------------------------------------- */

/* Image at big + 0x4000; records around and inside it (PE-049). */
static void record_must_not_overlap_image(void **state) {
  (void)state;
  static uint8_t big[4 * IMG_SIZE] __attribute__((aligned(16)));
  static rp_pe_image img;
  uint8_t *image = big + IMG_SIZE;
  rp_diag d;
  uint64_t size;
  static const struct {
    size_t off, len;
    bool ok;
  } rows[] = {
    { 0, IMG_SIZE, true },                  /* ends where the image starts */
    { 0x100, IMG_SIZE, false },             /* runs into the image's first page */
    { IMG_SIZE + 0x2000, 0x100, false },    /* inside */
    { 2 * IMG_SIZE - 8, 0x100, false },     /* straddles the end */
    { 2 * IMG_SIZE, 0x100, true },          /* starts where the image ends */
  };
  build(IMAGE_FILE_MACHINE_AMD64);
  {
    uint32_t at = 0;
    const uint16_t e[] = { E(10, 0x10) };
    w64(g_img, DATA + 0x10, BASE64 + 0x1000);
    add_block(&at, DATA, e, 1);
    set_dir(5, RELOC, at);
  }
  for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    rp_mbytes rec = rp_mbytes_of(big + rows[i].off, rows[i].len);
    memset(big, 0, sizeof(big));
    memcpy(image, g_img, IMG_SIZE);
    assert_int_equal(rp_pe_parse(rp_bytes_of(image, IMG_SIZE), RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT, &img, NULL), EFI_SUCCESS);
    assert_int_equal(rp_pe_fixup_size(&img, RP_FIXUP_EDK2, &size, NULL), EFI_SUCCESS);
    EFI_STATUS st = rp_pe_relocate(&img, rp_mbytes_of(image, IMG_SIZE), 0x180000000ull, RP_FIXUP_EDK2, rec, NULL, &d);
    if (rows[i].ok) {
      assert_int_equal(st, EFI_SUCCESS);
      st = rp_pe_runtime_relocate(rp_mbytes_of(image, IMG_SIZE), RP_PE_PROFILE_COMPAT, 0x180000000ull, 0x1C0000000ull, RP_FIXUP_EDK2,
                                  rp_bytes_const(rec), NULL, &d);
      assert_int_equal(st, EFI_SUCCESS);
      assert_int_equal(r64(image, DATA + 0x10), 0x1C0001000ull);
    } else {
      expect(st, &d, EFI_INVALID_PARAMETER, RP_R_PE_FIXUP_BUFFER_OVERLAP);
      assert_memory_equal(image, g_img, IMG_SIZE);
      expect(rp_pe_runtime_relocate(rp_mbytes_of(image, IMG_SIZE), RP_PE_PROFILE_COMPAT, BASE64, 0x1C0000000ull, RP_FIXUP_EDK2,
                                    rp_bytes_const(rec), NULL, &d),
             &d, EFI_INVALID_PARAMETER, RP_R_PE_FIXUP_BUFFER_OVERLAP);
    }
  }
}

/* Runtime with a NULL record: the directory needs bytes the record lacks. */
static void runtime_null_record(void **state) {
  (void)state;
  static rp_pe_image img;
  rp_diag d;
  uint32_t at = 0;
  const uint16_t e[] = { E(10, 0x10) };
  build(IMAGE_FILE_MACHINE_AMD64);
  add_block(&at, DATA, e, 1);
  set_dir(5, RELOC, at);
  load_mapped(&img);
  expect(rp_pe_runtime_relocate(rp_mbytes_of(g_map, IMG_SIZE), RP_PE_PROFILE_COMPAT, BASE64, 0x180000000ull, RP_FIXUP_EDK2,
                                rp_bytes_of(NULL, 0), NULL, &d),
         &d, EFI_INVALID_PARAMETER, RP_R_PE_FIXUP_RECORD_SHORT);
  expect(rp_pe_runtime_relocate(rp_mbytes_of(g_map, IMG_SIZE), RP_PE_PROFILE_COMPAT, BASE64, 0x180000000ull, RP_FIXUP_NATIVE,
                                rp_bytes_of(g_rec, 7), NULL, &d),
         &d, EFI_INVALID_PARAMETER, RP_R_PE_FIXUP_RECORD_SHORT);
}

/* ---- hot path against checked path --------------------------------------------- */

/* The same entry pattern in .text and in .data (whose hot limit stops at the
 * directory: 0xFF9), with type changes inside DIR64 runs and a last site
 * ending on the limit's edge (0xFF7 + 8 = 0xFFF). */
static const uint16_t mixed_run[] = { E(10, 0x000), E(10, 0x008), E(10, 0x010), E(10, 0x018), E(10, 0x020),
                                      E(3, 0x030),  E(0, 0x000),  E(10, 0x038), E(10, 0x040), E(1, 0x050),
                                      E(10, 0x058), E(2, 0x060),  E(10, 0xFF0), E(10, 0xFF7) };
#define MIXED_N (sizeof(mixed_run) / sizeof(mixed_run[0]))

static void build_hot_and_cold(void) {
  uint32_t at = 0;
  build(IMAGE_FILE_MACHINE_AMD64);
  for (uint32_t page = TEXT; page <= DATA; page += 0x1000) {
    for (unsigned i = 0; i < MIXED_N; i++) {
      uint32_t off = page + (mixed_run[i] & 0xFFFu);
      if (mixed_run[i] >> 12 == 10) w64(g_img, off, BASE64 + 0x100 * i);
    }
    w32(g_img, page + 0x30, (uint32_t)BASE64 + 0x44u);
    w16(g_img, page + 0x50, 0x4001);
    w16(g_img, page + 0x60, 0x0077);
    add_block(&at, page, mixed_run, MIXED_N);
  }
  set_dir(5, RELOC, at);
}

static void hot_path_equals_checked_path(void **state) {
  (void)state;
  static rp_pe_image img;
  rp_pe_reloc_stats st;
  rp_pe_rerelocate_stats rs;
  const uint64_t a = 0x7F0000000000ull, b = 0x100000000ull;
  for (int f = RP_FIXUP_NONE; f <= RP_FIXUP_NATIVE; f++) {
    uint64_t size = 0;
    build_hot_and_cold();
    load_mapped(&img);
    if (f != RP_FIXUP_NONE) assert_int_equal(rp_pe_fixup_size(&img, (rp_fixup_format)f, &size, NULL), EFI_SUCCESS);
    assert_int_equal(rp_pe_relocate(&img, rp_mbytes_of(g_map, IMG_SIZE), a, (rp_fixup_format)f,
                                    rp_mbytes_of(f ? g_rec : NULL, size), &st, NULL), EFI_SUCCESS);
    assert_int_equal(st.by_type[10], 2 * 10);
    assert_int_equal(st.entries, 2 * MIXED_N);
    /* .text and .data hold the same relocated bytes */
    assert_memory_equal(g_map + TEXT, g_map + DATA, 0x1000);
    assert_int_equal(r64(g_map, TEXT + 0x38), BASE64 + 0x100 * 7 - BASE64 + a);
    assert_int_equal(r32(g_map, TEXT + 0x30), (uint32_t)(0x44u + a));
    if (f == RP_FIXUP_NONE) continue;
    /* runtime: one changed site in each page, both skipped */
    w64(g_map, TEXT + 0x8, 1);
    w64(g_map, DATA + 0x8, 1);
    assert_int_equal(rp_pe_runtime_relocate(rp_mbytes_of(g_map, IMG_SIZE), RP_PE_PROFILE_COMPAT, a, b, (rp_fixup_format)f,
                                            rp_bytes_of(g_rec, size), &rs, NULL), EFI_SUCCESS);
    assert_int_equal(rs.skipped, 2);
    assert_int_equal(rs.applied, 2 * (MIXED_N - 1) - 2);
    assert_memory_equal(g_map + TEXT, g_map + DATA, 0x1000);
    assert_int_equal(r64(g_map, TEXT + 0x8), 1);
    assert_int_equal(r64(g_map, TEXT + 0xFF7), BASE64 + 0x100 * 13 - BASE64 + b);
  }
}

/* Directory inside .text at 0x1800: a .data page after it is hot; in the
 * directory's own page, 0x7F0 is hot (ends at 0x7F8 <= 0x800) and 0x900 is
 * past the directory, legal but beyond the limit: the checked path. */
static void hot_limit_around_directory(void **state) {
  (void)state;
  static rp_pe_image img;
  rp_pe_rerelocate_stats rs;
  const uint16_t e1[] = { E(10, 0x00), E(10, 0x08) }, e2[] = { E(10, 0x7F0), E(10, 0x900) };
  const uint32_t sites[] = { DATA, DATA + 8, TEXT + 0x7F0, TEXT + 0x900 };
  build(IMAGE_FILE_MACHINE_AMD64);
  for (unsigned i = 0; i < 4; i++) w64(g_img, sites[i], BASE64 + 0x10 * (i + 1));
  w32(g_img, TEXT + 0x800, DATA);
  w32(g_img, TEXT + 0x804, 12);
  w16(g_img, TEXT + 0x808, e1[0]);
  w16(g_img, TEXT + 0x80A, e1[1]);
  w32(g_img, TEXT + 0x80C, TEXT);
  w32(g_img, TEXT + 0x810, 12);
  w16(g_img, TEXT + 0x814, e2[0]);
  w16(g_img, TEXT + 0x816, e2[1]);
  set_dir(5, TEXT + 0x800, 24);
  for (int f = RP_FIXUP_EDK2; f <= RP_FIXUP_NATIVE; f++) {
    uint64_t size;
    load_mapped(&img);
    assert_int_equal(rp_pe_fixup_size(&img, (rp_fixup_format)f, &size, NULL), EFI_SUCCESS);
    assert_int_equal(relocate_to(&img, 0x200000000ull, (rp_fixup_format)f, size, NULL), EFI_SUCCESS);
    for (unsigned i = 0; i < 4; i++) assert_int_equal(r64(g_map, sites[i]), 0x200000000ull + 0x10 * (i + 1));
    if (f == RP_FIXUP_NATIVE) assert_int_equal(g_rec[1 + 8 / 2], 0x200000010ull); /* slot 8 + 4 * 8 */
    assert_int_equal(rp_pe_runtime_relocate(rp_mbytes_of(g_map, IMG_SIZE), RP_PE_PROFILE_COMPAT, 0x200000000ull, 0x300000000ull,
                                            (rp_fixup_format)f, rp_bytes_of(g_rec, size), &rs, NULL), EFI_SUCCESS);
    assert_int_equal(rs.applied, 4);
    for (unsigned i = 0; i < 4; i++) assert_int_equal(r64(g_map, sites[i]), 0x300000000ull + 0x10 * (i + 1));
  }
}

/* Pass 2 is bounded by the record it is given even if called with less than
 * pass 1 asked for (white-box: the public API never does): the DIR64 loops
 * stop at the record's end and the checked path writes nothing outside it. */
static void apply_pass_bounded_by_record(void **state) {
  (void)state;
  static rp_pe_image img;
  pe_rrun r;
  rp_diag d;
  build_hot_and_cold();
  load_mapped(&img);
  for (int runtime = 0; runtime <= 1; runtime++) {
    for (size_t len = 0; len <= 24; len += 12) {
      memset(&r, 0, sizeof(r));
      memset(g_rec, 0xEE, sizeof(g_rec));
      r.c.img = &img;
      r.c.image = rp_mbytes_of(g_map, IMG_SIZE);
      assert_int_equal(pe_reloc_dir_view(&img, rp_bytes_const(r.c.image), RP_PE_LAYOUT_MAPPED, &r.c.dir, NULL),
                       EFI_SUCCESS);
      r.c.delta = 0x1000;
      r.c.fmt = RP_FIXUP_EDK2;
      r.c.runtime = runtime != 0;
      if (runtime) {
        r.c.rec_in = rp_bytes_of(g_rec, len);
      } else {
        r.c.rec_out = rp_mbytes_of(g_rec, len);
      }
      EFI_STATUS st = pe_reloc_run(&r, PE_RUN_APPLY, &d);
      /* load time: slots past the record are not written; runtime: a
       * checked entry whose slot is missing is an error */
      if (runtime) {
        expect(st, &d, EFI_INVALID_PARAMETER, RP_R_PE_FIXUP_RECORD_SHORT);
      } else {
        assert_int_equal(st, EFI_SUCCESS);
      }
      for (size_t i = runtime ? 0 : len; i < 64; i++) assert_int_equal(((uint8_t *)g_rec)[i], 0xEE);
    }
  }
}

/* ---- structural before content; deferred errors without a diag ------------------ */

static void content_error_without_diag(void **state) {
  (void)state;
  static rp_pe_image img;
  uint32_t at = 0;
  const uint16_t e[] = { E(7, 0x10) };
  build(IMAGE_FILE_MACHINE_ARMNT);
  add_block(&at, TEXT, e, 1); /* MOV32T over zeros */
  set_dir(5, RELOC, at);
  load_mapped(&img);
  memcpy(g_ref, g_map, IMG_SIZE);
  assert_int_equal(relocate_to(&img, 0x20000000ull, RP_FIXUP_EDK2, 64, NULL), EFI_LOAD_ERROR);
  assert_memory_equal(g_map, g_ref, IMG_SIZE);
}

/* ---- runtime partial matches of RISC-V pairs ------------------------------------ */

static void build_rv_pair(void) {
  uint32_t at = 0;
  const uint16_t e[] = { E(5, 0x00), E(7, 0x04) };
  build(IMAGE_FILE_MACHINE_RISCV64);
  w64(g_img, OPT + 24, 0x10000000ull);
  w32(g_img, TEXT + 0, rv_lui(0x10000123u));
  w32(g_img, TEXT + 4, rv_addi(0x10000123u));
  add_block(&at, TEXT, e, 2);
  set_dir(5, RELOC, at);
}

static void riscv_runtime_partial_match(void **state) {
  (void)state;
  static rp_pe_image img;
  rp_pe_rerelocate_stats rs;
  const uint64_t a = 0x20000000ull, b = 0x30000000ull;
  for (int which = 0; which < 3; which++) { /* 0: LO12 changed, 1: HI20 changed (a LUI), 2: HI20 not a LUI */
    uint64_t size;
    uint32_t hi, lo;
    build_rv_pair();
    load_mapped(&img);
    assert_int_equal(rp_pe_fixup_size(&img, RP_FIXUP_EDK2, &size, NULL), EFI_SUCCESS);
    assert_int_equal(relocate_to(&img, a, RP_FIXUP_EDK2, size, NULL), EFI_SUCCESS);
    if (which == 0) w32(g_map, TEXT + 4, rv_addi(0x7FF));
    if (which == 1) w32(g_map, TEXT + 0, rv_lui(0x55555000u));
    if (which == 2) w32(g_map, TEXT + 0, 0x13u); /* nop: changed, so not checked */
    hi = r32(g_map, TEXT);
    lo = r32(g_map, TEXT + 4);
    assert_int_equal(rp_pe_runtime_relocate(rp_mbytes_of(g_map, IMG_SIZE), RP_PE_PROFILE_COMPAT, a, b, RP_FIXUP_EDK2,
                                            rp_bytes_of(g_rec, size), &rs, NULL), EFI_SUCCESS);
    /* the pair moves together or not at all */
    assert_int_equal(r32(g_map, TEXT), hi);
    assert_int_equal(r32(g_map, TEXT + 4), lo);
    assert_int_equal(rs.skipped, which == 0 ? 1 : 2);
    assert_int_equal(rs.applied + rs.skipped, 2);
  }
}

/* ---- overlapping sites: pass 2 leaves a destroyed instruction alone -------------- */

static void overlapping_sites_in_pass_two(void **state) {
  (void)state;
  static rp_pe_image img;
  rp_pe_reloc_stats st;
  uint32_t at = 0;
  /* DIR64 over a Thumb MOVW/MOVT pair, DIR64 first: adding 0x80000000 sets
   * bit 15 of the MOVW's second halfword, which is no MOVW any more. */
  const uint16_t e[] = { E(10, 0x10), E(7, 0x10) };
  build(IMAGE_FILE_MACHINE_ARMNT);
  thumb_mov(g_img + TEXT + 0x10, 0xF240, 0x0123);
  thumb_mov(g_img + TEXT + 0x14, 0xF2C0, 0x1000);
  add_block(&at, TEXT, e, 2);
  set_dir(5, RELOC, at);
  load_mapped(&img);
  uint64_t before = r64(g_map, TEXT + 0x10);
  assert_int_equal(rp_pe_relocate(&img, rp_mbytes_of(g_map, IMG_SIZE), BASE32 + 0x80000000ull, RP_FIXUP_EDK2,
                                  rp_mbytes_of(g_rec, 64), &st, NULL), EFI_SUCCESS);
  assert_int_equal(r64(g_map, TEXT + 0x10), before + 0x80000000ull);
  assert_int_equal(g_rec[1], before + 0x80000000ull); /* MOV32T record: the bytes as left */
}

/* ---- site encoders, white-box --------------------------------------------------- */

static void encoders_check_every_opcode_word(void **state) {
  (void)state;
  uint8_t s[16], out[16];
  /* Thumb: MOVW ok, then each way the pair can be wrong */
  thumb_mov(s, 0xF240, 0x1234);
  thumb_mov(s + 4, 0xF2C0, 0x5678);
  assert_true(pe_site_patch(PK_MOV32T, s, 0x10, out));
  w16(s, 2, (uint16_t)(r16(s, 2) | 0x8000));
  assert_false(pe_site_patch(PK_MOV32T, s, 0x10, out));
  thumb_mov(s, 0xF240, 0x1234);
  thumb_mov(s + 4, 0xF240, 0x5678); /* MOVW where MOVT belongs */
  assert_false(pe_site_patch(PK_MOV32T, s, 0x10, out));
  /* ARM: MOVW ok, MOVT wrong */
  w32(s, 0, 0xE3001234u);
  w32(s, 4, 0xE3005678u);
  assert_false(pe_site_patch(PK_MOV32A, s, 0x10, out));
  w32(s, 4, 0xE3405678u);
  assert_true(pe_site_patch(PK_MOV32A, s, 0x10, out));
  /* LoongArch: each of the four words wrong in turn */
  for (unsigned w = 0; w < 4; w++) {
    la_seq(s, 0x0000123456789ABCull);
    assert_true(pe_site_patch(PK_MARK_LA, s, 1, out));
    w32(s, 4 * w, r32(s, 4 * w) ^ 0x40000000u);
    assert_false(pe_site_patch(PK_MARK_LA, s, 1, out));
  }
  assert_false(pe_site_patch(PK_HI20, s, 1, out)); /* not a plain kind */
  /* RISC-V opcode classes (ISA §2.4, §2.6) */
  assert_true(pe_rv_hi_ok(0x37u));
  assert_false(pe_rv_hi_ok(0x17u)); /* auipc */
  static const struct {
    pe_rkind k;
    uint32_t insn;
    bool ok;
  } rv[] = {
    { PK_LO12S, 0x23u, true },          { PK_LO12S, 0x27u, true },  { PK_LO12S, 0x03u, false },
    { PK_LO12I, 0x03u, true },          { PK_LO12I, 0x07u, true },  { PK_LO12I, 0x67u, true },
    { PK_LO12I, 0x13u, true },          { PK_LO12I, 0x1Bu, true },  { PK_LO12I, 0x13u | 1u << 12, false },
    { PK_LO12I, 0x1Bu | 5u << 12, false }, { PK_LO12I, 0x33u, false }, { PK_LO12I, 0x23u, false },
  };
  for (unsigned i = 0; i < sizeof(rv) / sizeof(rv[0]); i++) assert_int_equal(pe_rv_lo_ok(rv[i].k, rv[i].insn), rv[i].ok);
}

/* The EDK II record size from a FILE context whose relocation directory is
 * not backed by raw data cannot be computed. */
static void file_layout_directory_without_raw_data(void **state) {
  (void)state;
  static rp_pe_image img;
  rp_diag d;
  uint64_t size;
  spec sp = { IMAGE_FILE_MACHINE_AMD64, true, 16, 0x200, IMAGE_FILE_EXECUTABLE_IMAGE };
  build_spec(&sp);
  w32(g_img, sect_off(true, 2) + 16, 0x200); /* .reloc: 0x200 raw bytes of 0x1000 */
  set_dir(5, RELOC + 0x100, 0x200);          /* runs past the raw data */
  assert_int_equal(parse_file(&img, NULL), EFI_SUCCESS);
  expect(rp_pe_fixup_size(&img, RP_FIXUP_EDK2, &size, &d), &d, EFI_LOAD_ERROR, RP_R_PE_DIR_RANGE);
  assert_int_equal(rp_pe_fixup_size(&img, RP_FIXUP_NATIVE, &size, &d), EFI_SUCCESS);
  assert_int_equal(size, 8 + 4 * 0x200);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(null_arguments_everywhere),
    cmocka_unit_test(load_rechecks_altered_context),
    cmocka_unit_test(rva_mapping_clamps_section_count),
    cmocka_unit_test(exports_recheck_altered_context),
    cmocka_unit_test(record_must_not_overlap_image),
    cmocka_unit_test(runtime_null_record),
    cmocka_unit_test(hot_path_equals_checked_path),
    cmocka_unit_test(hot_limit_around_directory),
    cmocka_unit_test(apply_pass_bounded_by_record),
    cmocka_unit_test(content_error_without_diag),
    cmocka_unit_test(riscv_runtime_partial_match),
    cmocka_unit_test(overlapping_sites_in_pass_two),
    cmocka_unit_test(encoders_check_every_opcode_word),
    cmocka_unit_test(file_layout_directory_without_raw_data),
  };
  return cmocka_run_group_tests_name("pe_hardening", tests, NULL, NULL);
}
