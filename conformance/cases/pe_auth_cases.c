/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Authenticode conformance cases (requirements/pecoff.json PE-059..PE-066;
 * docs/pecoff.md §9): the digest ranges of "Calculating the PE Image Hash"
 * and the attribute certificate table of PE/COFF §4, on images built here
 * (PE32+ and PE32, three sections, SizeOfHeaders 0x1000 unless a case
 * changes it) and on a corpus file signed with sbsign. Each case states the
 * exact ranges or entries it expects; findings have a COMPAT and a STRICT
 * case. The digests themselves are compared with sbverify and osslsigncode
 * by conformance.authenticode (harnesses/authenticode/oracle.py).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"
#include "rtprm/pe.h"
#include "rtprm/spec/pecoff.h"

#ifndef RTPRM_CORPUS_DIR
#error "RTPRM_CORPUS_DIR must name corpus/"
#endif

#define IMG      0x4000u /* headers + .text 0x1000, .data 0x2000, .reloc 0x3000 */
#define FILE_CAP (IMG + 0x100u)
#define LFANEW   0x80u
#define OPT      (LFANEW + 24u)

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
  A_TABLE_ALIGN,    /* the table at IMG + 4 */
  A_AFTER_CERTS,    /* 0x10 bytes after the table */
  A_MAPPED,         /* a mapped image */
  A_TE,             /* a TE image (corpus) */
  A_SIGNED_SEED,    /* corpus/pe_exports/seed-signed-snakeoil-x64-exportsonly.efi */
} auth_variant;

typedef struct {
  auth_variant  v;
  rp_pe_profile profile;
} auth_in;

static uint8_t g_file[FILE_CAP];
static rp_pe_image g_img;
static rp_pe_authenticode g_auth;

static void w16(uint8_t *b, uint32_t off, uint16_t v) { memcpy(b + off, &v, 2); }
static void w32(uint8_t *b, uint32_t off, uint32_t v) { memcpy(b + off, &v, 4); }

static uint32_t dir4_off(bool plus) { return OPT + (plus ? 112u : 96u) + 8u * IMAGE_DIRECTORY_ENTRY_SECURITY; }

static void section(bool plus, uint32_t i, const char *name, uint32_t at, uint32_t chars) {
  uint32_t s = OPT + (plus ? 240u : 224u) + 40u * i;
  memcpy(g_file + s, name, strlen(name));
  w32(g_file, s + 8, 0x1000);
  w32(g_file, s + 12, at);
  w32(g_file, s + 16, 0x1000);
  w32(g_file, s + 20, at);
  w32(g_file, s + 36, chars);
}

/* A valid image of three sections; returns the file length (IMG + extra). */
static size_t build(bool plus, uint32_t extra) {
  memset(g_file, 0, sizeof(g_file));
  w16(g_file, 0, IMAGE_DOS_SIGNATURE);
  w32(g_file, IMAGE_DOS_LFANEW_OFFSET, LFANEW);
  w32(g_file, LFANEW, IMAGE_NT_SIGNATURE);
  w16(g_file, LFANEW + 4, plus ? IMAGE_FILE_MACHINE_AMD64 : IMAGE_FILE_MACHINE_I386);
  w16(g_file, LFANEW + 6, 3);
  w16(g_file, LFANEW + 20, plus ? 240 : 224);
  w16(g_file, LFANEW + 22, IMAGE_FILE_EXECUTABLE_IMAGE);
  w16(g_file, OPT, plus ? IMAGE_NT_OPTIONAL_HDR64_MAGIC : IMAGE_NT_OPTIONAL_HDR32_MAGIC);
  w32(g_file, OPT + 16, 0x1000);
  w32(g_file, OPT + (plus ? 24u : 28u), 0x10000000u);
  w32(g_file, OPT + 32, 0x1000);
  w32(g_file, OPT + 36, 0x1000);
  w32(g_file, OPT + 56, IMG);
  w32(g_file, OPT + 60, 0x1000);
  w16(g_file, OPT + 68, IMAGE_SUBSYSTEM_EFI_RUNTIME_DRIVER);
  w32(g_file, OPT + (plus ? 108u : 92u), 16);
  section(plus, 0, ".text", 0x1000, IMAGE_SCN_CNT_CODE | IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_MEM_READ);
  section(plus, 1, ".data", 0x2000, IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ | IMAGE_SCN_MEM_WRITE);
  section(plus, 2, ".reloc", 0x3000, IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ);
  return IMG + extra;
}

/* WIN_CERTIFICATE entries of these dwLengths at `at`, recorded in directory 4. */
static void table(bool plus, uint32_t at, const uint32_t *lens, uint32_t n) {
  uint32_t p = at;
  for (uint32_t i = 0; i < n; i++) {
    w32(g_file, p, lens[i]);
    w16(g_file, p + 4, RP_WIN_CERT_REVISION_2_0);
    w16(g_file, p + 6, RP_WIN_CERT_TYPE_PKCS_SIGNED);
    p += (lens[i] + 7u) & ~7u;
  }
  w32(g_file, dir4_off(plus), at);
  w32(g_file, dir4_off(plus) + 4, p - at);
}

static const uint32_t one_entry[] = {0x10};

/* Builds the variant's file into g_file; returns its length. */
static size_t build_variant(auth_variant v) {
  static const uint32_t two[] = {0x0C, 0x18}, tiny[] = {4};
  size_t len;
  switch (v) {
  case A_RANGES_PE32: return build(false, 0);
  case A_NO_DIR4: len = build(true, 0); w32(g_file, OPT + 108, 4); return len;
  case A_FILE_ORDER:
    len = build(true, 0);
    w32(g_file, OPT + 240 + 20, 0x2000);
    w32(g_file, OPT + 240 + 40 + 20, 0x1000);
    return len;
  case A_TRAILING: len = build(true, 0x30); table(true, IMG + 0x20, one_entry, 1); return len;
  case A_SUM_RULE: len = build(true, 0); w32(g_file, OPT + 60, 0x400); return len;
  case A_TABLE_PAST_EOF: len = build(true, 0x10); table(true, IMG, one_entry, 1); w32(g_file, dir4_off(true) + 4, 0x18); return len;
  case A_TABLE_WRAPS: len = build(true, 0x10); table(true, IMG, one_entry, 1); w32(g_file, dir4_off(true), 0xFFFFFFF8u); return len;
  case A_TABLE_OVERLAP: len = build(true, 0); table(true, 0x3FF0, one_entry, 1); return len;
  case A_TWO_ENTRIES: len = build(true, 0x28); table(true, IMG, two, 2); return len;
  case A_ENTRY_SHORT: len = build(true, 0x10); table(true, IMG, tiny, 1); w32(g_file, dir4_off(true) + 4, 0x10); return len;
  case A_ENTRY_LONG: len = build(true, 0x10); table(true, IMG, one_entry, 1); w32(g_file, IMG, 0x11); return len;
  case A_TABLE_ALIGN: len = build(true, 0x14); table(true, IMG + 4, one_entry, 1); return len;
  case A_AFTER_CERTS: len = build(true, 0x20); table(true, IMG, one_entry, 1); return len;
  default: return build(true, 0);
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
  if (g_auth.cert_count != 2 || !rp_case_step(r, rp_pe_certificate_at(&g_img, &g_auth, 1, &c, &d), &d, "entry 1"))
    return rp_case_fail(r, "want 2 entries, got %u", g_auth.cert_count);
  if (c.offset != IMG + 0x10 || c.length != 0x18 || c.data.len != 0x10 || c.type != RP_WIN_CERT_TYPE_PKCS_SIGNED)
    rp_case_fail(r, "entry 1 at 0x%llx, %u bytes", (unsigned long long)c.offset, c.length);
  if (rp_pe_certificate_at(&g_img, &g_auth, 2, &c, &d) != EFI_NOT_FOUND || d.reason != RP_R_PE_AUTH_CERT_INDEX)
    rp_case_fail(r, "entry 2 exists");
}

/* Post-conditions of the accepted variants. */
static void check_accepted(auth_variant v, rp_case_result *r) {
  switch (v) {
  case A_RANGES: expect_headers(r, true, 0x1000); range_is(r, 3, 0x1000, 0x2000); expect_count(r, 6, IMG - 12); break;
  case A_RANGES_PE32: expect_headers(r, false, 0x1000); expect_count(r, 6, IMG - 12); break;
  case A_NO_DIR4: (void)(range_is(r, 0, 0, OPT + 64) && range_is(r, 1, OPT + 68, 0x1000)); expect_count(r, 5, IMG - 4); break;
  case A_FILE_ORDER: (void)(range_is(r, 3, 0x1000, 0x2000) && range_is(r, 4, 0x2000, 0x3000)); break;
  case A_TRAILING: range_is(r, 6, IMG, IMG + 0x20); expect_count(r, 7, IMG + 0x20 - 12); break;
  case A_SUM_RULE: range_is(r, 6, 0x3400, IMG); break;
  case A_TWO_ENTRIES: expect_count(r, 6, IMG - 12); expect_entries(r); break;
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
  if (rp_case_step(r, rp_pe_parse(rp_bytes_of(f, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_STRICT, &g_img, &d), &d, "parse")) {
    EFI_STATUS st = rp_pe_authenticode_of(&g_img, &g_auth, &d);
    rp_case_observe(r, st, &d);
    if (!EFI_ERROR(st) && (g_auth.cert_count != 1 || g_auth.cert_offset + g_auth.cert_size != len ||
                           g_auth.hashed_bytes != g_auth.cert_offset - 12 ||
                           EFI_ERROR(rp_pe_certificate_at(&g_img, &g_auth, 0, &c, &d)) ||
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
  if (rp_case_step(r, rp_pe_parse(rp_bytes_of(f, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &g_img, &d), &d, "parse"))
    rp_case_observe(r, rp_pe_authenticode_of(&g_img, &g_auth, &d), &d);
  free(f);
}

static void exec_auth(const rp_case *c, rp_case_result *r) {
  const auth_in *in = c->input;
  rp_diag d;
  if (in->v == A_SIGNED_SEED) return exec_signed_seed(r);
  if (in->v == A_TE) return exec_te(r);
  size_t len = build_variant(in->v);
  rp_pe_layout layout = in->v == A_MAPPED ? RP_PE_LAYOUT_MAPPED : RP_PE_LAYOUT_FILE;
  if (!rp_case_step(r, rp_pe_parse(rp_bytes_of(g_file, len), layout, in->profile, &g_img, &d), &d, "parse")) return;
  memset(&g_auth, 0x5A, sizeof(g_auth));
  EFI_STATUS st = rp_pe_authenticode_of(&g_img, &g_auth, &d);
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
  { "PE-A-003", "PE-059", "NumberOfRvaAndSizes 4: no directory 4 to skip, only CheckSum", PASS, IN(.v = A_NO_DIR4), NULL },
  { "PE-A-004", "PE-059", "sections are hashed by PointerToRawData, not section-table order", PASS,
    IN(.v = A_FILE_ORDER), NULL },
  { "PE-A-005", "PE-060", "data after the sections is hashed up to the certificate table, never the table", PASS,
    IN(.v = A_TRAILING, STRICT), NULL },
  { "PE-A-006", "PE-060 PE-064", "the trailing range starts at SUM_OF_BYTES_HASHED (SizeOfHeaders + raw sizes)", PASS,
    IN(.v = A_SUM_RULE), NULL },
  { "PE-A-007", "PE-061", "a certificate table whose size runs past the file is refused",
    REJ(EFI_SECURITY_VIOLATION, PE_AUTH_CERT_RANGE, IMG), IN(.v = A_TABLE_PAST_EOF), NULL },
  { "PE-A-008", "PE-061", "a certificate table offset beyond any file is refused",
    REJ(EFI_SECURITY_VIOLATION, PE_AUTH_CERT_RANGE, 0xFFFFFFF8u), IN(.v = A_TABLE_WRAPS), NULL },
  { "PE-A-009", "PE-061", "a certificate table inside a section's raw data is refused",
    REJ(EFI_SECURITY_VIOLATION, PE_AUTH_CERT_OVERLAP, 0x3FF0), IN(.v = A_TABLE_OVERLAP), NULL },
  { "PE-A-010", "PE-062", "two WIN_CERTIFICATE entries: the second at the next 8-byte boundary, a third absent", PASS,
    IN(.v = A_TWO_ENTRIES, STRICT), NULL },
  { "PE-A-011", "PE-062", "dwLength below the 8-byte header is refused",
    REJ(EFI_SECURITY_VIOLATION, PE_AUTH_CERT_ENTRY, IMG), IN(.v = A_ENTRY_SHORT), NULL },
  { "PE-A-012", "PE-062", "dwLength past the table is refused", REJ(EFI_SECURITY_VIOLATION, PE_AUTH_CERT_ENTRY, IMG),
    IN(.v = A_ENTRY_LONG), NULL },
  { "PE-A-013", "PE-063", "COMPAT: a table off the 8-byte grid is read, finding PE_AUTH_CERT_ALIGN", PASS,
    IN(.v = A_TABLE_ALIGN), NULL },
  { "PE-A-014", "PE-063", "STRICT: a table off the 8-byte grid is refused",
    REJ(EFI_SECURITY_VIOLATION, PE_AUTH_CERT_ALIGN, IMG + 4), IN(.v = A_TABLE_ALIGN, STRICT), NULL },
  { "PE-A-015", "PE-064", "STRICT: a gap before the first section's data is refused",
    REJ(EFI_SECURITY_VIOLATION, PE_AUTH_GAP, 0), IN(.v = A_SUM_RULE, STRICT), NULL },
  { "PE-A-016", "PE-065", "COMPAT: bytes after the table, finding PE_AUTH_AFTER_CERTS", PASS, IN(.v = A_AFTER_CERTS),
    NULL },
  { "PE-A-017", "PE-065", "STRICT: bytes after the table are refused",
    REJ(EFI_SECURITY_VIOLATION, PE_AUTH_AFTER_CERTS, IMG + 0x10), IN(.v = A_AFTER_CERTS, STRICT), NULL },
  { "PE-A-018", "PE-066", "a mapped image has no Authenticode ranges", REJ(EFI_UNSUPPORTED, PE_AUTH_FORMAT, RP_DIAG_NO_INDEX),
    IN(.v = A_MAPPED), NULL },
  { "PE-A-019", "PE-066", "a TE image has no Authenticode ranges", REJ(EFI_UNSUPPORTED, PE_AUTH_FORMAT, RP_DIAG_NO_INDEX),
    IN(.v = A_TE), NULL },
  { "PE-A-020", "PE-059 PE-060 PE-062", "an sbsign-signed image: one PKCS#7 entry ends the file, all before it hashed but 12 bytes",
    PASS, IN(.v = A_SIGNED_SEED), NULL },
};

const rp_case_group rp_group_pe_auth = {
  "pe-auth", auth_cases, sizeof(auth_cases) / sizeof(auth_cases[0]), exec_auth,
};
