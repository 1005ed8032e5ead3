/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Authenticode on the host (authenticode.h). The PKCS#7 and X.509 work is
 * OpenSSL's; what this file adds is the Authenticode glue, per the
 * "Windows Authenticode Portable Executable Signature Format" document:
 *  - the signed content of the SignedData is an SpcIndirectDataContent
 *    (OID 1.3.6.1.4.1.311.2.1.4): SEQUENCE { SpcAttributeTypeAndOptionalValue,
 *    DigestInfo { AlgorithmIdentifier, OCTET STRING digest } };
 *  - the signature's messageDigest attribute covers that SEQUENCE's contents
 *    without its own tag and length, so those bytes are handed to
 *    PKCS7_verify as the content.
 * Certificate checks follow UEFI practice (EDK II's image verification does
 * the same): the given certificate is a trust anchor even when it is not
 * self-signed (PARTIAL_CHAIN), validity dates are not checked (firmware has
 * no trusted clock) and any key usage purpose is accepted.
 */
#include "authenticode.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#define SPC_INDIRECT_DATA_OID "1.3.6.1.4.1.311.2.1.4"

/* The SpcIndirectDataContent of one signature, as views into its DER. */
typedef struct {
  const unsigned char *body; /* the SEQUENCE's contents: what the signature covers */
  long body_len;
  X509_ALGOR *alg;
  ASN1_OCTET_STRING *digest;
} spc_content;

const char *auth_verdict_name(auth_verdict v) {
  static const char *const names[] = {"verified", "digest-matches", "unsigned", "mismatch", "invalid"};
  return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

void auth_hex(const uint8_t *p, uint32_t n, char *out) {
  for (uint32_t i = 0; i < n; i++) snprintf(out + 2 * i, 3, "%02x", p[i]);
  out[2 * n] = '\0';
}

static void set_error(auth_signature *s, const char *what) {
  unsigned long e = ERR_get_error();
  char ossl[120] = "";
  if (e != 0) ERR_error_string_n(e, ossl, sizeof(ossl));
  snprintf(s->error, sizeof(s->error), "%s%s%s", what, ossl[0] ? ": " : "", ossl);
  ERR_clear_error();
}

/* Steps into a universal TLV with that tag inside [*p, end). */
static bool der_enter(const unsigned char **p, const unsigned char *end, int want, long *len) {
  const unsigned char *q = *p;
  int tag = 0, cls = 0;
  if (q >= end) return false;
  int r = ASN1_get_object(&q, len, &tag, &cls, end - q);
  if ((r & 0x80) != 0 || tag != want || cls != V_ASN1_UNIVERSAL || *len > end - q) return false;
  *p = q;
  return true;
}

static bool spc_parse(const unsigned char *der, long n, spc_content *c) {
  const unsigned char *p = der, *end = der + n;
  long len = 0;
  if (!der_enter(&p, end, V_ASN1_SEQUENCE, &len)) return false;
  c->body = p;
  c->body_len = len;
  end = p + len;
  if (!der_enter(&p, end, V_ASN1_SEQUENCE, &len)) return false; /* SpcAttributeTypeAndOptionalValue */
  p += len;
  if (!der_enter(&p, end, V_ASN1_SEQUENCE, &len)) return false; /* DigestInfo */
  end = p + len;
  c->alg = d2i_X509_ALGOR(NULL, &p, end - p);
  if (c->alg == NULL) return false;
  c->digest = d2i_ASN1_OCTET_STRING(NULL, &p, end - p);
  return c->digest != NULL;
}

static void spc_free(spc_content *c) {
  X509_ALGOR_free(c->alg);
  ASN1_OCTET_STRING_free(c->digest);
}

/* The SignedData's content, when it is an SpcIndirectDataContent. */
static bool spc_of(PKCS7 *p7, spc_content *c) {
  PKCS7 *inner = PKCS7_type_is_signed(p7) ? p7->d.sign->contents : NULL;
  ASN1_OBJECT *want = OBJ_txt2obj(SPC_INDIRECT_DATA_OID, 1);
  bool ok = inner != NULL && want != NULL && OBJ_cmp(inner->type, want) == 0 && inner->d.other != NULL &&
            inner->d.other->type == V_ASN1_SEQUENCE &&
            spc_parse(ASN1_STRING_get0_data(inner->d.other->value.sequence),
                      ASN1_STRING_length(inner->d.other->value.sequence), c);
  ASN1_OBJECT_free(want);
  return ok;
}

static bool digest_ranges(const rp_pe_image *img, const rp_pe_authenticode *r, const EVP_MD *md, auth_signature *s) {
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  unsigned int n = 0;
  bool ok = ctx != NULL && EVP_DigestInit_ex(ctx, md, NULL) == 1;
  for (uint32_t i = 0; ok && i < r->range_count; i++)
    ok = EVP_DigestUpdate(ctx, img->bytes.ptr + r->ranges[i].offset, (size_t)r->ranges[i].length) == 1;
  ok = ok && EVP_DigestFinal_ex(ctx, s->computed, &n) == 1;
  EVP_MD_CTX_free(ctx);
  return ok && n == s->digest_len;
}

static void check_digest(const rp_pe_image *img, const rp_pe_authenticode *r, const spc_content *c,
                         auth_signature *s) {
  const EVP_MD *md = EVP_get_digestbyobj(c->alg->algorithm);
  int n = ASN1_STRING_length(c->digest);
  if (md == NULL) return set_error(s, "unknown digest algorithm");
  snprintf(s->digest_alg, sizeof(s->digest_alg), "%s", OBJ_nid2sn(EVP_MD_get_type(md)));
  for (char *q = s->digest_alg; *q; q++) *q = (char)tolower((unsigned char)*q);
  if (n != EVP_MD_get_size(md) || n > AUTH_MAX_DIGEST) return set_error(s, "embedded digest has the wrong length");
  s->digest_len = (uint32_t)n;
  memcpy(s->embedded, ASN1_STRING_get0_data(c->digest), (size_t)n);
  if (!digest_ranges(img, r, md, s)) return set_error(s, "digest computation failed");
  s->digest_matches = memcmp(s->embedded, s->computed, (size_t)n) == 0;
}

static void note_signer(PKCS7 *p7, auth_signature *s) {
  STACK_OF(X509) *signers = PKCS7_get0_signers(p7, NULL, 0);
  if (signers != NULL && sk_X509_num(signers) > 0)
    X509_NAME_oneline(X509_get_subject_name(sk_X509_value(signers, 0)), s->signer, sizeof(s->signer));
  sk_X509_free(signers);
  ERR_clear_error();
}

static void check_signature(PKCS7 *p7, const spc_content *c, X509 *anchor, auth_signature *s) {
  X509_STORE *store = X509_STORE_new();
  BIO *content = BIO_new_mem_buf(c->body, (int)c->body_len);
  bool ok = store != NULL && content != NULL && X509_STORE_add_cert(store, anchor) == 1 &&
            X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME) == 1 &&
            X509_STORE_set_purpose(store, X509_PURPOSE_ANY) == 1 &&
            PKCS7_verify(p7, NULL, store, content, NULL, PKCS7_BINARY) == 1;
  s->verified = ok ? 1 : 0;
  if (!ok) set_error(s, "signature does not verify against the certificate");
  BIO_free(content);
  X509_STORE_free(store);
}

static void check_one(const rp_pe_image *img, const rp_pe_authenticode *r, X509 *anchor, auth_signature *s) {
  const unsigned char *p = s->cert.data.ptr;
  spc_content c = {NULL, 0, NULL, NULL};
  PKCS7 *p7;
  s->verified = anchor != NULL ? 0 : -1;
  if (s->cert.type != RP_WIN_CERT_TYPE_PKCS_SIGNED) return (void)snprintf(s->error, sizeof(s->error), "not PKCS#7 SignedData (type 0x%04x)", s->cert.type);
  p7 = d2i_PKCS7(NULL, &p, (long)s->cert.data.len);
  if (p7 == NULL) return set_error(s, "PKCS#7 SignedData does not parse");
  if (!spc_of(p7, &c)) {
    set_error(s, "content is not an SpcIndirectDataContent");
  } else {
    note_signer(p7, s);
    check_digest(img, r, &c, s);
    if (anchor != NULL && s->error[0] == '\0') check_signature(p7, &c, anchor, s);
  }
  spc_free(&c);
  PKCS7_free(p7);
}

static X509 *read_anchor(const char *path, const char **why) {
  FILE *f = fopen(path, "r");
  X509 *x = f != NULL ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
  if (f != NULL) fclose(f);
  if (x == NULL) *why = f == NULL ? "cannot open the certificate file" : "the certificate file holds no PEM certificate";
  ERR_clear_error();
  return x;
}

static auth_verdict verdict_of(const auth_result *out, bool with_anchor) {
  bool all = out->count > 0, any = false;
  for (uint32_t i = 0; i < out->count; i++) {
    const auth_signature *s = &out->sig[i];
    all = all && s->digest_matches;
    any = any || (s->digest_matches && s->verified == 1);
  }
  if (with_anchor) return any ? AUTH_VERIFIED : AUTH_MISMATCH;
  return all ? AUTH_DIGEST_MATCHES : AUTH_MISMATCH;
}

auth_verdict auth_check(const rp_pe_image *img, const rp_pe_authenticode *ranges, const char *cert_pem,
                        auth_result *out, const char **why) {
  X509 *anchor = NULL;
  memset(out, 0, sizeof(*out));
  out->ranges = *ranges;
  *why = NULL;
  if (ranges->cert_size == 0) return AUTH_UNSIGNED;
  if (cert_pem != NULL && (anchor = read_anchor(cert_pem, why)) == NULL) return AUTH_INVALID;
  for (uint32_t i = 0; i < ranges->cert_count && out->count < AUTH_MAX_SIGNATURES; i++) {
    auth_signature *s = &out->sig[out->count++];
    s->index = i;
    if (EFI_ERROR(rp_pe_certificate_at(img, ranges, i, &s->cert, NULL))) {
      snprintf(s->error, sizeof(s->error), "WIN_CERTIFICATE unreadable");
      continue;
    }
    check_one(img, ranges, anchor, s);
  }
  X509_free(anchor);
  return verdict_of(out, cert_pem != NULL);
}
