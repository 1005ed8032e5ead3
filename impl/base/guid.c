/* SPDX-License-Identifier: BSD-2-Clause-Patent */
#include "rtprm/guid.h"

#include "rtprm/mem.h"
#include "rtprm/status.h"

bool rp_guid_equal(const EFI_GUID *a, const EFI_GUID *b) {
  return rp_memcmp(a, b, sizeof(EFI_GUID)) == 0;
}

bool rp_guid_is_zero(const EFI_GUID *g) {
  static const EFI_GUID zero;
  return rp_guid_equal(g, &zero);
}

static const char hex_digits[] = "0123456789ABCDEF";

static char *put_hex(char *p, uint64_t v, unsigned digits) {
  for (unsigned i = digits; i-- > 0;) *p++ = hex_digits[(v >> (4 * i)) & 0xF];
  return p;
}

void rp_guid_format(const EFI_GUID *g, char out[RP_GUID_TEXT_LEN + 1]) {
  char *p = out;
  p = put_hex(p, g->Data1, 8);
  *p++ = '-';
  p = put_hex(p, g->Data2, 4);
  *p++ = '-';
  p = put_hex(p, g->Data3, 4);
  *p++ = '-';
  p = put_hex(p, g->Data4[0], 2);
  p = put_hex(p, g->Data4[1], 2);
  *p++ = '-';
  for (unsigned i = 2; i < 8; i++) p = put_hex(p, g->Data4[i], 2);
  *p = '\0';
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Reads `digits` hex digits at text[*pos]; false on a non-hex character. */
static bool take_hex(const char *text, size_t *pos, unsigned digits, uint64_t *out) {
  uint64_t v = 0;
  for (unsigned i = 0; i < digits; i++) {
    int h = hex_value(text[*pos + i]);
    if (h < 0) return false;
    v = (v << 4) | (uint64_t)h;
  }
  *pos += digits;
  *out = v;
  return true;
}

EFI_STATUS rp_guid_parse(const char *text, size_t len, EFI_GUID *out, rp_diag *diag) {
  static const unsigned groups[5] = { 8, 4, 4, 4, 12 };
  uint64_t v[5];
  size_t pos = 0;
  if (text == NULL || out == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  if (len != RP_GUID_TEXT_LEN) RP_REJECT(diag, EFI_INVALID_PARAMETER, BAD_GUID_TEXT, len);
  for (unsigned g = 0; g < 5; g++) {
    if (g > 0 && text[pos++] != '-') RP_REJECT(diag, EFI_INVALID_PARAMETER, BAD_GUID_TEXT, pos - 1);
    if (!take_hex(text, &pos, groups[g], &v[g])) RP_REJECT(diag, EFI_INVALID_PARAMETER, BAD_GUID_TEXT, pos);
  }
  out->Data1 = (uint32_t)v[0];
  out->Data2 = (uint16_t)v[1];
  out->Data3 = (uint16_t)v[2];
  out->Data4[0] = (uint8_t)(v[3] >> 8);
  out->Data4[1] = (uint8_t)v[3];
  for (unsigned i = 0; i < 6; i++) out->Data4[2 + i] = (uint8_t)(v[4] >> (8 * (5 - i)));
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}
