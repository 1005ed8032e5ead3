/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Fuzz target "prmt_check": the reviewer's checker on raw tables.
 *
 * Input:  PRMT bytes | trailer (fuzz.h). Options:
 *   bit 0  pass info = NULL
 *   bit 1  fix up the checksum before checking (reach the structure checks)
 * Oracles:
 *   - never reads outside the input (ASan, exact-size copy), never writes;
 *   - rejection: reason != NONE; OUT_OF_RESOURCES only with an injected
 *     allocation failure;
 *   - acceptance: bytes sum to 0, signature 'PRMT', revision 0, Length <=
 *     size; walked here the Linux way (offset 60, stride Length, handler
 *     stride 44) and the ACPICA way (counts, sizeof strides) the tables
 *     give the same modules and handlers, every structure inside Length,
 *     revisions 0, lengths 38 + 44n / 44, no zero GUID or handler address,
 *     no duplicate GUID;
 *   - canonical form: rebuilding an accepted table with >= 1 module through
 *     rp_prmt_build from the views read back gives the same bytes.
 */
#include <string.h>

#include "fuzz.h"
#include "rtprm/host/platform_host.h"
#include "rtprm/guid.h"
#include "rtprm/platform.h"
#include "rtprm/prm_core.h"

static uint16_t g16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static bool zero16(const uint8_t *p) {
  for (int i = 0; i < 16; i++)
    if (p[i]) return false;
  return true;
}

/* Independent walks of an accepted table; returns the handler total. */
static uint32_t walk(const uint8_t *t, uint32_t n) {
  uint32_t count = rp_le32(t + 56), off = 60, acpica = rp_le32(t + 52), mods = 0, total = 0;
  RP_FUZZ_ASSERT(acpica == 60 || count == 0);
  while (off + 4 < n) {
    RP_FUZZ_ASSERT(mods < count && off == acpica && off + 38 <= n);
    const uint8_t *p = t + off;
    uint32_t hc = g16(p + 24), len = g16(p + 2);
    RP_FUZZ_ASSERT(g16(p) == 0 && hc > 0 && len == 38 + 44 * hc && rp_le32(p + 26) == 38 && off + len <= n);
    RP_FUZZ_ASSERT(!zero16(p + 4));
    for (uint32_t j = 0; j < hc; j++) {
      const uint8_t *h = p + 38 + 44 * j;
      RP_FUZZ_ASSERT(g16(h) == 0 && g16(h + 2) == 44 && !zero16(h + 4) && rp_le64(h + 20) != 0);
    }
    off += len;
    acpica += 38 + 44 * hc;
    total += hc;
    mods++;
  }
  RP_FUZZ_ASSERT(mods == count);
  return total;
}

/* No GUID twice among modules, nor among all handlers (quadratic: small). */
static void no_dups(const uint8_t *t, uint32_t n) {
  for (uint32_t a = 60; a + 4 < n; a += g16(t + a + 2)) {
    for (uint32_t b = a + g16(t + a + 2); b + 4 < n; b += g16(t + b + 2))
      RP_FUZZ_ASSERT(memcmp(t + a + 4, t + b + 4, 16) != 0);
  }
  for (uint32_t a = 60; a + 4 < n; a += g16(t + a + 2))
    for (uint32_t i = 0; i < g16(t + a + 24); i++)
      for (uint32_t b = a; b + 4 < n; b += g16(t + b + 2))
        for (uint32_t j = (b == a ? i + 1 : 0); j < g16(t + b + 24); j++)
          RP_FUZZ_ASSERT(memcmp(t + a + 38 + 44 * i + 4, t + b + 38 + 44 * j + 4, 16) != 0);
}

static void rebuild(const uint8_t *t, uint32_t n, const rp_prmt_info *info) {
  uint32_t count = info->module_count, total = info->handler_total;
  rp_prmt_module_in *m = malloc(count * sizeof(*m));
  rp_prmt_handler_in *h = malloc((total ? total : 1) * sizeof(*h));
  uint8_t *out = malloc(n);
  RP_FUZZ_ASSERT(m && h && out);
  rp_bytes b = rp_bytes_of(t, n);
  uint64_t off = 60;
  for (uint32_t i = 0, k = 0; i < count; i++) {
    rp_prmt_module_view v;
    RP_FUZZ_ASSERT(rp_prmt_module_read(b, off, &v, NULL) == EFI_SUCCESS);
    m[i] = (rp_prmt_module_in){ v.guid, v.major, v.minor, v.mmio_ranges, v.handler_count, &h[k] };
    for (uint32_t j = 0; j < v.handler_count; j++, k++) {
      rp_prmt_handler_view hv;
      RP_FUZZ_ASSERT(rp_prmt_handler_read(b, off + 38 + 44ull * j, &hv, NULL) == EFI_SUCCESS);
      h[k] = (rp_prmt_handler_in){ hv.guid, hv.address, hv.static_data_buffer, hv.acpi_param_buffer };
    }
    off += v.length;
  }
  rp_prmt_build_in in;
  rp_prmt_build_in_defaults(&in);
  in.platform_guid = info->platform_guid;
  memcpy(in.oem_id, info->oem_id, 6);
  memcpy(in.oem_table_id, info->oem_table_id, 8);
  in.oem_revision = info->oem_revision;
  in.creator_id = info->creator_id;
  in.creator_revision = info->creator_revision;
  in.module_count = count;
  in.modules = m;
  uint32_t w;
  EFI_STATUS st = rp_prmt_build(&in, rp_mbytes_of(out, n), &w, NULL);
  if (st != EFI_OUT_OF_RESOURCES) RP_FUZZ_ASSERT(st == EFI_SUCCESS && w == n && memcmp(out, t, n) == 0);
  free(out);
  free(h);
  free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  rp_fuzz_config cfg;
  size_t len = rp_fuzz_begin(data, size, &cfg);
  uint8_t *t = rp_fuzz_dup(data, len);
  if ((cfg.options & 2) && len >= 36) {
    t[9] = 0;
    t[9] = rp_acpi_checksum(rp_bytes_of(t, len < rp_le32(t + 4) ? len : rp_le32(t + 4)));
  }
  uint8_t *copy = rp_fuzz_dup(t, len);
  rp_prmt_info info;
  rp_diag d;
  EFI_STATUS st = rp_prmt_check(rp_bytes_of(t, len), (cfg.options & 1) ? NULL : &info, &d);
  RP_FUZZ_ASSERT(memcmp(copy, t, len) == 0);
  if (EFI_ERROR(st)) {
    RP_FUZZ_ASSERT(d.reason != RP_R_NONE);
    /* only an injected failure (input mask or the fault sweep) runs out */
    if (st == EFI_OUT_OF_RESOURCES) RP_FUZZ_ASSERT(rp_host_alloc_failures() != 0);
  } else {
    RP_FUZZ_ASSERT(d.reason == RP_R_NONE);
    uint32_t n = rp_le32(t + 4);
    RP_FUZZ_ASSERT(n >= 60 && n <= len && memcmp(t, "PRMT", 4) == 0 && t[8] == 0);
    RP_FUZZ_ASSERT(rp_acpi_checksum(rp_bytes_of(t, n)) == 0);
    uint32_t total = walk(t, n);
    if (n < 4096) no_dups(t, n);
    if (!(cfg.options & 1)) {
      RP_FUZZ_ASSERT(info.walks_agree && info.handler_total == total && info.length == n);
      if (info.module_count > 0) rebuild(t, n, &info);
    }
  }
  free(copy);
  free(t);
  rp_fuzz_end();
  return 0;
}
