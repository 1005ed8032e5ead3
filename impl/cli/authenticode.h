/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Authenticode verification on the host (docs/pecoff.md §9): the core's
 * digest ranges (rp_pe_authenticode_of) hashed with OpenSSL's libcrypto,
 * each PKCS#7 SignedData of the certificate table parsed with it, its
 * SpcIndirectDataContent digest compared with the computed one and, given a
 * certificate, the signature verified against it.
 */
#ifndef RTPRM_CLI_AUTHENTICODE_H
#define RTPRM_CLI_AUTHENTICODE_H

#include <stdbool.h>
#include <stdint.h>

#include "rtprm/pe.h"

#define AUTH_MAX_SIGNATURES 8
#define AUTH_MAX_DIGEST     64 /* SHA-512 */

typedef struct {
  uint32_t index;
  rp_pe_certificate cert;
  char     digest_alg[16];         /* "sha256"; "" when unreadable */
  uint8_t  embedded[AUTH_MAX_DIGEST], computed[AUTH_MAX_DIGEST];
  uint32_t digest_len;
  bool     digest_matches;
  int      verified;               /* -1 not asked (no certificate), 0 failed, 1 verified */
  char     signer[256];            /* subject of the signing certificate */
  char     error[160];             /* why unreadable / not verified; "" when none */
} auth_signature;

typedef struct {
  rp_pe_authenticode ranges;
  uint32_t count;                  /* signatures read (<= AUTH_MAX_SIGNATURES) */
  auth_signature sig[AUTH_MAX_SIGNATURES];
} auth_result;

typedef enum { AUTH_VERIFIED, AUTH_DIGEST_MATCHES, AUTH_UNSIGNED, AUTH_MISMATCH, AUTH_INVALID } auth_verdict;

/* Checks every WIN_CERTIFICATE of a parsed PE file; cert_pem (may be NULL)
 * is the trust anchor for the signature check. Returns the verdict:
 * VERIFIED when some signature's digest matches and verifies against
 * cert_pem; DIGEST_MATCHES (no cert_pem) when every PKCS#7 signature's
 * digest matches; UNSIGNED when there is no certificate table; MISMATCH
 * otherwise; INVALID when cert_pem cannot be read (then *why says so). */
auth_verdict auth_check(const rp_pe_image *img, const rp_pe_authenticode *ranges, const char *cert_pem,
                        auth_result *out, const char **why);
const char *auth_verdict_name(auth_verdict v);
/* Lower-case hex of n bytes into out (2n + 1 bytes). */
void auth_hex(const uint8_t *p, uint32_t n, char *out);

#endif /* RTPRM_CLI_AUTHENTICODE_H */
