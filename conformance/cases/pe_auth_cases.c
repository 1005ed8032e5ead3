/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Authenticode conformance cases (requirements/pecoff.json PE-059..PE-066;
 * docs/pecoff.md §9): the digest ranges of "Calculating the PE Image Hash"
 * and the attribute certificate table of PE/COFF §4, on images built by the
 * unit tests' builder (impl/tests/pe_image_builder.h build_file, add_table:
 * PE32+ and PE32, three sections, SizeOfHeaders 0x1000 unless a case
 * changes it) and on a corpus file signed with sbsign. Each case states the
 * exact ranges or entries it expects; findings have a COMPAT and a STRICT
 * case. The digests themselves are compared with sbverify and osslsigncode
 * by conformance.authenticode (harnesses/authenticode/oracle.py).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conformance.h"
#include "pe_image_builder.h" /* impl/tests: the unit tests' image builder, g_file, build_file, add_table */

#ifndef RTPRM_CORPUS_DIR
#error "RTPRM_CORPUS_DIR must name corpus/"
#endif

typedef enum {
  A_RANGES,         /* PE32+: the six ranges */
  A_RANGES_PE32,    /* PE32: directory 4 at its own offset */
  A_NO_DIR4,        /* NumberOfRvaAndSizes 4: only CheckSum skipped */
  A_FILE_ORDER,     /* .text's raw data after .data's */
  A_TRAILING,       /* 0x20 bytes after the sections, then a table */
  A_SUM_RULE,       /* a gap: the trailing range starts at SUM_OF_BYTES_HASHED */
  A_TABLE_PAST_EOF, /* directory 4 size past the file */
  A_TABLE_WRAPS,    /* offset + size beyond any 32-bit file */
  A_TABLE_OVERLAP,  /* the table inside .reloc */
  A_TWO_ENTRIES,    /* entries of 0x0C and 0x18 bytes */
  A_ENTRY_SHORT,    /* dwLength 4 */
  A_ENTRY_LONG,     /* dwLength past the table */
  A_TABLE_ALIGN,    /* the table at IMG_SIZE + 4 */
  A_AFTER_CERTS,    /* 0x10 bytes after the table */
  A_MAPPED,         /* a mapped image */
  A_TE,             /* a TE image (corpus) */
  A_SIGNED_SEED,    /* corpus/pe_exports/seed-signed-snakeoil-x64-exportsonly.efi */
} auth_variant;

typedef struct {
  auth_variant  v;
  rp_pe_profile profile;
} auth_in;

static rp_pe_image g_ctx;
static rp_pe_authenticode g_auth;

static uint32_t dir4_off(bool plus) { return dir_off(plus, IMAGE_DIRECTORY_ENTRY_SECURITY); }

static const uint32_t one_entry[] = {0x10};

/* Builds the variant's file into g_file; returns its length. */
static size_t build_variant(auth_variant v) {
  static const uint32_t two[] = {0x0C, 0x18}, tiny[] = {4};
  size_t len;
  switch (v) {
  case A_RANGES_PE32: return build_file(IMAGE_FILE_MACHINE_I386, 0);
  case A_NO_DIR4:
    len = build_file(IMAGE_FILE_MACHINE_AMD64, 0);
    w32(g_file, OPT + 108, 4);
    return len;
  case A_FILE_ORDER:
    len = build_file(IMAGE_FILE_MACHINE_AMD64, 0);
    w32(g_file, sect_off(true, 0) + 20, DATA);
    w32(g_file, sect_off(true, 1) + 20, TEXT);
    return len;
  case A_TRAILING:
    len = build_file(IMAGE_FILE_MACHINE_AMD64, 0x30);
    add_table(true, IMG_SIZE + 0x20, one_entry, 1);
    return len;
  case A_SUM_RULE:
    len = build_file(IMAGE_FILE_MACHINE_AMD64, 0);
    w32(g_file, OPT + 60, 0x400);
    return len;
  case A_TABLE_PAST_EOF:
    len = build_file(IMAGE_FILE_MACHINE_AMD64, 0x10);
    add_table(true, IMG_SIZE, one_entry, 1);
    w32(g_file, dir4_off(true) + 4, 0x18);
    return len;
  case A_TABLE_WRAPS:
    len = build_file(IMAGE_FILE_MACHINE_AMD64, 0x10);
    add_table(true, IMG_SIZE, one_entry, 1);
    w32(g_file, dir4_off(true), 0xFFFFFFF8u);
    return len;
  case A_TABLE_OVERLAP:
    len = build_file(IMAGE_FILE_MACHINE_AMD64, 0);
    add_table(true, 0x3FF0, one_entry, 1);
    return len;
  case A_TWO_ENTRIES:
    len = build_file(IMAGE_FILE_MACHINE_AMD64, 0x28);
    add_table(true, IMG_SIZE, two, 2);
    return len;
  case A_ENTRY_SHORT:
    len = build_file(IMAGE_FILE_MACHINE_AMD64, 0x10);
    add_table(true, IMG_SIZE, tiny, 1);
    w32(g_file, dir4_off(true) + 4, 0x10);
    return len;
  case A_ENTRY_LONG:
    len = build_file(IMAGE_FILE_MACHINE_AMD64, 0x10);
    add_table(true, IMG_SIZE, one_entry, 1);
    w32(g_file, IMG_SIZE, 0x11);
    return len;
  case A_TABLE_ALIGN:
    len = build_file(IMAGE_FILE_MACHINE_AMD64, 0x14);
    add_table(true, IMG_SIZE + 4, one_entry, 1);
    return len;
  case A_AFTER_CERTS:
    len = build_file(IMAGE_FILE_MACHINE_AMD64, 0x20);
    add_table(true, IMG_SIZE, one_entry, 1);
    return len;
  default: return build_file(IMAGE_FILE_MACHINE_AMD64, 0);
  }
}

static bool range_is(rp_case_result *r, uint32_t i, uint64_t off, uint64_t end) {
  if (i < g_auth.range_count && g_auth.ranges[i].offset == off && g_auth.ranges[i].length == end - off) return true;
  rp_case_fail(r, "range %u: want [0x%llx, 0x%llx), got %s", i, (unsigned long long)off, (unsigned long long)end,
               i < g_auth.range_count ? "another" : "none");
  return false;
}

static void expect_count(rp_case_result *r, uint32_t ranges, uint64_t hashed) {
  if (g_auth.range_count != ranges || g_auth.hashed_bytes != hashed)
    rp_case_fail(r, "want %u ranges / %llu bytes, got %u / %llu", ranges, (unsigned long long)hashed,
                 g_auth.range_count, (unsigned long long)g_auth.hashed_bytes);
}

/* The header ranges of a PE32+ (plus) or PE32 image with directory 4. */
static void expect_headers(rp_case_result *r, bool plus, uint32_t headers_end) {
  (void)(range_is(r, 0, 0, OPT + 64) && range_is(r, 1, OPT + 68, dir4_off(plus)) &&
         range_is(r, 2, dir4_off(plus) + 8, headers_end));
}

static void expect_entries(rp_case_result *r) {
  rp_pe_certificate c;
  rp_diag d;
  if (g_auth.cert_count != 2 || !rp_case_step(r, rp_pe_certificate_at(&g_ctx, &g_auth, 1, &c, &d), &d, "entry 1"))
    return rp_case_fail(r, "want 2 entries, got %u", g_auth.cert_count);
  if (c.offset != IMG_SIZE + 0x10 || c.length != 0x18 || c.data.len != 0x10 || c.type != RP_WIN_CERT_TYPE_PKCS_SIGNED)
    rp_case_fail(r, "entry 1 at 0x%llx, %u bytes", (unsigned long long)c.offset, c.length);
  if (rp_pe_certificate_at(&g_ctx, &g_auth, 2, &c, &d) != EFI_NOT_FOUND || d.reason != RP_R_PE_AUTH_CERT_INDEX)
    rp_case_fail(r, "entry 2 exists");
}

/* Post-conditions of the accepted variants. */
static void check_accepted(auth_variant v, rp_case_result *r) {
  switch (v) {
  case A_RANGES:
    expect_headers(r, true, 0x1000);
    range_is(r, 3, 0x1000, 0x2000);
    expect_count(r, 6, IMG_SIZE - 12);
    break;
  case A_RANGES_PE32:
    expect_headers(r, false, 0x1000);
    expect_count(r, 6, IMG_SIZE - 12);
    break;
  case A_NO_DIR4:
    (void)(range_is(r, 0, 0, OPT + 64) && range_is(r, 1, OPT + 68, 0x1000));
    expect_count(r, 5, IMG_SIZE - 4);
    break;
  case A_FILE_ORDER: (void)(range_is(r, 3, 0x1000, 0x2000) && range_is(r, 4, 0x2000, 0x3000)); break;
  case A_TRAILING:
    range_is(r, 6, IMG_SIZE, IMG_SIZE + 0x20);
    expect_count(r, 7, IMG_SIZE + 0x20 - 12);
    break;
  case A_SUM_RULE: range_is(r, 6, 0x3400, IMG_SIZE); break;
  case A_TWO_ENTRIES:
    expect_count(r, 6, IMG_SIZE - 12);
    expect_entries(r);
    break;
  case A_TABLE_ALIGN:
  case A_AFTER_CERTS:
    if (g_auth.findings.count != 1) rp_case_fail(r, "want one finding, got %u", g_auth.findings.count);
    break;
  default: break;
  }
  if (v == A_SUM_RULE && (g_auth.findings.count != 1 || g_auth.findings.item[0].reason != RP_R_PE_AUTH_GAP))
    rp_case_fail(r, "want the PE_AUTH_GAP finding");
}

/* The sbsign-signed seed: one PKCS#7 entry right after the sections, the
 * ranges ending where the table starts. */
static void exec_signed_seed(rp_case_result *r) {
  size_t len = 0;
  rp_diag d;
  rp_pe_certificate c;
  uint8_t *f = rp_case_read_file(RTPRM_CORPUS_DIR "/pe_exports", "seed-signed-snakeoil-x64-exportsonly.efi", &len, r);
  if (f == NULL) return;
  if (rp_case_step(r, rp_pe_parse(rp_bytes_of(f, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_STRICT, &g_ctx, &d), &d,
                   "parse")) {
    EFI_STATUS st = rp_pe_authenticode_of(&g_ctx, &g_auth, &d);
    rp_case_observe(r, st, &d);
    if (!EFI_ERROR(st) && (g_auth.cert_count != 1 || g_auth.cert_offset + g_auth.cert_size != len ||
                           g_auth.hashed_bytes != g_auth.cert_offset - 12 ||
                           EFI_ERROR(rp_pe_certificate_at(&g_ctx, &g_auth, 0, &c, &d)) ||
                           c.revision != RP_WIN_CERT_REVISION_2_0 || c.type != RP_WIN_CERT_TYPE_PKCS_SIGNED))
      rp_case_fail(r, "want one PKCS#7 entry ending the file and every byte before it hashed but 12");
  }
  free(f);
}

static void exec_te(rp_case_result *r) {
  size_t len = 0;
  rp_diag d;
  uint8_t *f = rp_case_read_file(RTPRM_CORPUS_DIR "/pe-malformed", "te-signature.efi", &len, r);
  if (f == NULL) return;
  if (rp_case_step(r, rp_pe_parse(rp_bytes_of(f, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &g_ctx, &d), &d,
                   "parse"))
    rp_case_observe(r, rp_pe_authenticode_of(&g_ctx, &g_auth, &d), &d);
  free(f);
}

static void exec_auth(const rp_case *c, rp_case_result *r) {
  const auth_in *in = c->input;
  rp_diag d;
  if (in->v == A_SIGNED_SEED) return exec_signed_seed(r);
  if (in->v == A_TE) return exec_te(r);
  size_t len = build_variant(in->v);
  rp_pe_layout layout = in->v == A_MAPPED ? RP_PE_LAYOUT_MAPPED : RP_PE_LAYOUT_FILE;
  if (!rp_case_step(r, rp_pe_parse(rp_bytes_of(g_file, len), layout, in->profile, &g_ctx, &d), &d, "parse")) return;
  memset(&g_auth, 0x5A, sizeof(g_auth));
  EFI_STATUS st = rp_pe_authenticode_of(&g_ctx, &g_auth, &d);
  rp_case_observe(r, st, &d);
  if (!EFI_ERROR(st)) check_accepted(in->v, r);
  else if (g_auth.range_count != 0x5A5A5A5Au) rp_case_fail(r, "a refusal wrote the result");
}

#define PASS    EFI_SUCCESS, RP_R_NONE, RP_DIAG_NO_INDEX
#define REJ(st, reason, idx) st, RP_R_##reason, (idx)
#define IN(...) (&(const auth_in){ __VA_ARGS__ })
#define STRICT  .profile = RP_PE_PROFILE_STRICT

static const rp_case auth_cases[] = {
  { "PE-A-001", "PE-059", "PE32+: headers without CheckSum and directory 4, then each section's raw data", PASS,
    IN(.v = A_RANGES), NULL },
  { "PE-A-002", "PE-059", "PE32: directory 4 skipped at its PE32 offset", PASS, IN(.v = A_RANGES_PE32), NULL },
  { "PE-A-003", "PE-059", "NumberOfRvaAndSizes 4: no directory 4 to skip, only CheckSum", PASS, IN(.v = A_NO_DIR4),
    NULL },
  { "PE-A-004", "PE-059", "sections are hashed by PointerToRawData, not section-table order", PASS,
    IN(.v = A_FILE_ORDER), NULL },
  { "PE-A-005", "PE-060", "data after the sections is hashed up to the certificate table, never the table", PASS,
    IN(.v = A_TRAILING, STRICT), NULL },
  { "PE-A-006", "PE-060 PE-064", "the trailing range starts at SUM_OF_BYTES_HASHED (SizeOfHeaders + raw sizes)", PASS,
    IN(.v = A_SUM_RULE), NULL },
  { "PE-A-007", "PE-061", "a certificate table whose size runs past the file is refused",
    REJ(EFI_SECURITY_VIOLATION, PE_AUTH_CERT_RANGE, IMG_SIZE), IN(.v = A_TABLE_PAST_EOF), NULL },
  { "PE-A-008", "PE-061", "a certificate table offset beyond any file is refused",
    REJ(EFI_SECURITY_VIOLATION, PE_AUTH_CERT_RANGE, 0xFFFFFFF8u), IN(.v = A_TABLE_WRAPS), NULL },
  { "PE-A-009", "PE-061", "a certificate table inside a section's raw data is refused",
    REJ(EFI_SECURITY_VIOLATION, PE_AUTH_CERT_OVERLAP, 0x3FF0), IN(.v = A_TABLE_OVERLAP), NULL },
  { "PE-A-010", "PE-062", "two WIN_CERTIFICATE entries: the second at the next 8-byte boundary, a third absent", PASS,
    IN(.v = A_TWO_ENTRIES, STRICT), NULL },
  { "PE-A-011", "PE-062", "dwLength below the 8-byte header is refused",
    REJ(EFI_SECURITY_VIOLATION, PE_AUTH_CERT_ENTRY, IMG_SIZE), IN(.v = A_ENTRY_SHORT), NULL },
  { "PE-A-012", "PE-062", "dwLength past the table is refused",
    REJ(EFI_SECURITY_VIOLATION, PE_AUTH_CERT_ENTRY, IMG_SIZE), IN(.v = A_ENTRY_LONG), NULL },
  { "PE-A-013", "PE-063", "COMPAT: a table off the 8-byte grid is read, finding PE_AUTH_CERT_ALIGN", PASS,
    IN(.v = A_TABLE_ALIGN), NULL },
  { "PE-A-014", "PE-063", "STRICT: a table off the 8-byte grid is refused",
    REJ(EFI_SECURITY_VIOLATION, PE_AUTH_CERT_ALIGN, IMG_SIZE + 4), IN(.v = A_TABLE_ALIGN, STRICT), NULL },
  { "PE-A-015", "PE-064", "STRICT: a gap before the first section's data is refused",
    REJ(EFI_SECURITY_VIOLATION, PE_AUTH_GAP, 0), IN(.v = A_SUM_RULE, STRICT), NULL },
  { "PE-A-016", "PE-065", "COMPAT: bytes after the table, finding PE_AUTH_AFTER_CERTS", PASS, IN(.v = A_AFTER_CERTS),
    NULL },
  { "PE-A-017", "PE-065", "STRICT: bytes after the table are refused",
    REJ(EFI_SECURITY_VIOLATION, PE_AUTH_AFTER_CERTS, IMG_SIZE + 0x10), IN(.v = A_AFTER_CERTS, STRICT), NULL },
  { "PE-A-018", "PE-066", "a mapped image has no Authenticode ranges",
    REJ(EFI_UNSUPPORTED, PE_AUTH_FORMAT, RP_DIAG_NO_INDEX), IN(.v = A_MAPPED), NULL },
  { "PE-A-019", "PE-066", "a TE image has no Authenticode ranges",
    REJ(EFI_UNSUPPORTED, PE_AUTH_FORMAT, RP_DIAG_NO_INDEX), IN(.v = A_TE), NULL },
  { "PE-A-020", "PE-059 PE-060 PE-062",
    "an sbsign-signed image: one PKCS#7 entry ends the file, all before it hashed but 12 bytes", PASS,
    IN(.v = A_SIGNED_SEED), NULL },
};

const rp_case_group rp_group_pe_auth = {
  "pe-auth", auth_cases, sizeof(auth_cases) / sizeof(auth_cases[0]), exec_auth,
};
