/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * rtprm pe verify IMG [--cert CERT.pem] [--json] [--strict]
 *
 * Exit 0: every PKCS#7 signature's embedded digest matches the computed
 * Authenticode digest (no --cert), or one signature matches and verifies
 * against CERT.pem (--cert); 1: unsigned, a mismatch, a signature that does
 * not verify, a malformed certificate table or an unreadable file; 2:
 * usage. JSON schema "rtprm-pe-verify/1" (docs/pecoff.md §9).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authenticode.h"
#include "cli.h"

static void print_signature_text(const auth_signature *s, const char *cert) {
  char emb[2 * AUTH_MAX_DIGEST + 1], comp[2 * AUTH_MAX_DIGEST + 1];
  auth_hex(s->embedded, s->digest_len, emb);
  auth_hex(s->computed, s->digest_len, comp);
  printf("  signature %u: WIN_CERTIFICATE at 0x%llx, %u bytes, revision 0x%04x, type 0x%04x\n", s->index,
         (unsigned long long)s->cert.offset, s->cert.length, s->cert.revision, s->cert.type);
  if (s->digest_len != 0)
    printf("    %s embedded %s\n    %s computed %s: %s\n", s->digest_alg, emb, s->digest_alg, comp,
           s->digest_matches ? "digest matches" : "DIGEST MISMATCH");
  if (s->signer[0]) printf("    signer %s\n", s->signer);
  if (s->verified == 1) printf("    verified against %s\n", cert);
  if (s->error[0]) printf("    error: %s\n", s->error);
}

static void print_text(const char *file, const auth_result *r, auth_verdict v, const char *cert) {
  const rp_pe_authenticode *a = &r->ranges;
  if (v == AUTH_UNSIGNED) {
    printf("%s: unsigned (no certificate table); digest over %u ranges, %llu bytes\n", file, a->range_count,
           (unsigned long long)a->hashed_bytes);
  } else {
    printf("%s: certificate table at 0x%llx, %llu bytes, %u entries; digest over %u ranges, %llu bytes\n", file,
           (unsigned long long)a->cert_offset, (unsigned long long)a->cert_size, a->cert_count, a->range_count,
           (unsigned long long)a->hashed_bytes);
  }
  for (uint32_t i = 0; i < r->count; i++) print_signature_text(&r->sig[i], cert);
  printf("%s: %s\n", file, auth_verdict_name(v));
}

static void print_signature_json(const auth_signature *s) {
  char emb[2 * AUTH_MAX_DIGEST + 1], comp[2 * AUTH_MAX_DIGEST + 1];
  auth_hex(s->embedded, s->digest_len, emb);
  auth_hex(s->computed, s->digest_len, comp);
  printf("{\"index\": %u, \"offset\": %llu, \"length\": %u, \"revision\": %u, \"type\": %u, \"digest_algorithm\": ",
         s->index, (unsigned long long)s->cert.offset, s->cert.length, s->cert.revision, s->cert.type);
  cli_json_string(s->digest_alg);
  printf(", \"embedded_digest\": \"%s\", \"computed_digest\": \"%s\", \"digest_matches\": %s, \"verified\": %s, "
         "\"signer\": ", emb, comp, s->digest_matches ? "true" : "false",
         s->verified < 0 ? "null" : s->verified ? "true" : "false");
  cli_json_string(s->signer);
  printf(", \"error\": ");
  cli_json_string(s->error);
  printf("}");
}

static void print_json(const char *file, const auth_result *r, auth_verdict v, const rp_findings *f) {
  const rp_pe_authenticode *a = &r->ranges;
  printf("{\"schema\": \"rtprm-pe-verify/1\", \"file\": ");
  cli_json_string(file);
  printf(", \"verdict\": \"%s\", \"hashed_bytes\": %llu, \"ranges\": [", auth_verdict_name(v),
         (unsigned long long)a->hashed_bytes);
  for (uint32_t i = 0; i < a->range_count; i++)
    printf("%s[%llu, %llu]", i ? ", " : "", (unsigned long long)a->ranges[i].offset,
           (unsigned long long)a->ranges[i].length);
  printf("], \"certificate_table\": {\"offset\": %llu, \"size\": %llu, \"entries\": %u}, \"signatures\": [",
         (unsigned long long)a->cert_offset, (unsigned long long)a->cert_size, a->cert_count);
  for (uint32_t i = 0; i < r->count; i++) {
    printf("%s", i ? ", " : "");
    print_signature_json(&r->sig[i]);
  }
  printf("], \"findings\": ");
  cli_json_findings(f);
  printf("}\n");
}

/* Parses the file and its Authenticode ranges; findings go to stderr. */
static int open_signed(const char *file, rp_pe_profile profile, uint8_t **data, rp_pe_image *img,
                       rp_pe_authenticode *a) {
  size_t len = 0;
  rp_diag d;
  EFI_STATUS st;
  if (!cli_read_file(file, data, &len)) return CLI_INVALID;
  st = rp_pe_parse(rp_bytes_of(*data, len), RP_PE_LAYOUT_FILE, profile, img, &d);
  if (!EFI_ERROR(st)) st = rp_pe_authenticode_of(img, a, &d);
  if (EFI_ERROR(st)) return cli_reject(st, &d, file);
  return CLI_OK;
}

int pe_verify(const char *file, const char *cert, bool json, rp_pe_profile profile) {
  static rp_pe_image img;
  static rp_pe_authenticode a;
  static auth_result r;
  rp_findings f;
  uint8_t *data = NULL;
  const char *why = NULL;
  int rc = open_signed(file, profile, &data, &img, &a);
  if (rc == CLI_OK) {
    auth_verdict v = auth_check(&img, &a, cert, &r, &why);
    rp_findings_clear(&f);
    cli_findings_merge(&f, &img.findings);
    cli_findings_merge(&f, &a.findings);
    cli_warn_findings(&f, file);
    if (v == AUTH_INVALID) fprintf(stderr, "rtprm: %s: %s\n", cert, why);
    else if (json) print_json(file, &r, v, &f);
    else print_text(file, &r, v, cert);
    rc = (v == AUTH_VERIFIED || v == AUTH_DIGEST_MATCHES) ? CLI_OK : CLI_INVALID;
  }
  free(data);
  return rc;
}

const char *pe_signature_state(const rp_pe_image *img, char *buf, size_t n) {
  static rp_pe_authenticode a;
  static auth_result r;
  const char *why = NULL;
  if (EFI_ERROR(rp_pe_authenticode_of(img, &a, NULL))) return "certificate table malformed";
  auth_verdict v = auth_check(img, &a, NULL, &r, &why);
  if (v == AUTH_UNSIGNED) return "unsigned";
  snprintf(buf, n, "%u signature(s), %s (%s)", r.count, v == AUTH_DIGEST_MATCHES ? "digest matches" : "DIGEST MISMATCH",
           r.count != 0 && r.sig[0].digest_alg[0] != '\0' ? r.sig[0].digest_alg : "no readable digest");
  return buf;
}
