/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * PRM conformance cases (requirements/prm.json, PRM-xxx):
 *   PRM-M-*  module images: real seeds (lld x64/AArch64, GNU ld) and the
 *            generated corpus (corpus/tools/gen_prm_malformed.py), FILE and
 *            MAPPED layouts; the image is never written, a rejection leaves
 *            nothing allocated and a zeroed result.
 *   PRM-B-*  PRMT builder: round trips through the checker, limits, policies.
 *   PRM-T-*  PRMT checker: one mutation of a built table per rule.
 *   PRM-X-*  context buffers, data buffers, MMIO ranges, ACPI parameters.
 *   PRM-H-*  handler calls: an x64 sample module mapped, relocated and its
 *            handlers called with the UEFI calling convention (x86-64 hosts).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <sys/mman.h>
#endif

#include "conformance.h"
#include "rtprm/guid.h"
#include "rtprm/spec/pecoff.h"
#include "rtprm/platform.h"
#include "rtprm/host/platform_host.h"
#include "rtprm/prm_core.h"

#ifndef RTPRM_CORPUS_DIR
#error "RTPRM_CORPUS_DIR must name corpus/"
#endif

static const EFI_GUID PLATFORM = { 0xc29bb610, 0x84f9, 0x448d, { 0xa7, 0xdd, 0x5a, 0x04, 0xc5, 0xa5, 0x4f, 0x52 } };

#define BAD(st, rs, ix) EFI_##st, RP_R_##rs, (uint64_t)(ix)
#define PASS            EFI_SUCCESS, RP_R_NONE, RP_DIAG_NO_INDEX
#define NOIDX           RP_DIAG_NO_INDEX

static EFI_GUID guid_n(uint32_t n) {
  EFI_GUID g = { n, 0x2222, 0x4333, { 0x84, 0x44, 0x55, 0x55, 0, 0, 0, (uint8_t)(n >> 24) } };
  return g;
}

/* ==== modules =========================================================== */

typedef struct {
  const char *dir, *file;
  bool        mapped;
  uint32_t    handlers; /* expected on success */
} mod_in;

static rp_pe_image g_file, g_map;

static void exec_module(const rp_case *c, rp_case_result *r) {
  const mod_in *in = c->input;
  char dir[512];
  size_t len;
  snprintf(dir, sizeof(dir), "%s/%s", RTPRM_CORPUS_DIR, in->dir);
  uint8_t *b = rp_case_read_file(dir, in->file, &len, r);
  if (b == NULL) return;
  uint8_t *copy = malloc(len + 1), *map = NULL;
  memcpy(copy, b, len);
  rp_diag d;
  rp_prm_module m;
  const rp_pe_image *img = &g_file;
  EFI_STATUS st = rp_pe_parse(rp_bytes_of(b, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &g_file, &d);
  if (!EFI_ERROR(st) && in->mapped) {
    map = calloc(1, g_file.size_of_image);
    st = rp_pe_load(&g_file, rp_mbytes_of(map, g_file.size_of_image), &d);
    if (!EFI_ERROR(st)) st = rp_pe_parse(rp_bytes_of(map, g_file.size_of_image), RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT, &g_map, &d);
    img = &g_map;
  }
  if (EFI_ERROR(st)) {
    rp_case_observe(r, st, &d);
    rp_case_fail(r, "setup: the PE layer rejected the image");
  } else {
    rp_host_alloc_reset();
    memset(&m, 0x5A, sizeof(m));
    st = rp_prm_module_validate(img, &PLATFORM, &m, &d);
    rp_case_observe(r, st, &d);
    if (!EFI_ERROR(st) && m.handler_count != in->handlers)
      rp_case_fail(r, "%u handlers, expected %u", m.handler_count, in->handlers);
    if (EFI_ERROR(st) && (m.handlers != NULL || m.handler_count != 0))
      rp_case_fail(r, "a rejected module left a result behind (PRM-017)");
    rp_prm_module_free(&m);
    if (rp_host_alloc_outstanding() != 0) rp_case_fail(r, "allocations outstanding (PRM-017)");
  }
  if (memcmp(b, copy, len) != 0) rp_case_fail(r, "the image was written (PRM-017)");
  free(map);
  free(copy);
  free(b);
}

#define SEED(f, n)  &(const mod_in){ "prm", f, false, n }
#define SEEDM(f, n) &(const mod_in){ "prm", f, true, n }
#define MAL(f)      &(const mod_in){ "prm-malformed", f, false, 0 }

/* ==== builder ============================================================ */

enum {
  B_ROUND_TRIP, B_OEM, B_ADDR_FROM_RVA, B_ADDR_OVERFLOW, B_LIMIT_OK, B_LIMIT_WRAP, B_TOO_LARGE, B_NO_MODULES,
  B_EMPTY_OK, B_DUP_MODULE, B_DUP_HANDLER, B_ADDR_ZERO, B_MODULE_GUID_ZERO, B_HANDLER_GUID_ZERO, B_COUNT_ZERO,
  B_PLATFORM_ZERO, B_SMALL_BUFFER, B_ALLOC_FAIL, B_BUFFERS_ZERO_OK,
};

typedef struct {
  rp_prmt_handler_in h[4][4];
  rp_prmt_module_in  m[4];
  rp_prmt_build_in   in;
} spec4;

static void make4(spec4 *s) {
  memset(s, 0, sizeof(*s));
  rp_prmt_build_in_defaults(&s->in);
  s->in.platform_guid = PLATFORM;
  for (uint32_t i = 0; i < 4; i++) {
    for (uint32_t j = 0; j < 4; j++)
      s->h[i][j] = (rp_prmt_handler_in){ guid_n(100 + 10 * i + j), 0x7E000000ull + 0x10000 * i + 0x40 * j,
                                         0x7F000000ull + 0x100 * i, j == 2 ? 0x7F800000ull + j : 0 };
    s->m[i] = (rp_prmt_module_in){ guid_n(1 + i), 1, (uint16_t)i, i == 1 ? 0x7FF00000ull : 0, 4, s->h[i] };
  }
  s->in.module_count = 4;
  s->in.modules = s->m;
}

/* Built table: checker passes, both walks see every module, fields equal.
 * Returns the checker's status (d: its diag) so the case reports it. */
static EFI_STATUS verify_table(const spec4 *s, const uint8_t *t, uint32_t n, rp_case_result *r, rp_diag *d) {
  rp_prmt_info info;
  EFI_STATUS st = rp_prmt_check(rp_bytes_of(t, n), &info, d);
  if (EFI_ERROR(st)) {
    rp_case_fail(r, "checking the built table failed: %s", rp_reason_name(d->reason));
    return st;
  }
  if (!info.walks_agree || info.linux_modules != s->in.module_count || info.acpica_modules != s->in.module_count)
    rp_case_fail(r, "walks: linux %u acpica %u", info.linux_modules, info.acpica_modules);
  if (memcmp(t + 10, s->in.oem_id, 6) != 0 || memcmp(t + 16, s->in.oem_table_id, 8) != 0 ||
      rp_le32(t + 24) != s->in.oem_revision || rp_le32(t + 28) != s->in.creator_id)
    rp_case_fail(r, "OEM fields differ (PRM-030)");
  uint64_t off = 60;
  for (uint32_t i = 0; i < s->in.module_count; i++) {
    rp_prmt_module_view m;
    (void)rp_prmt_module_read(rp_bytes_of(t, n), off, &m, NULL);
    if (memcmp(&m.guid, &s->m[i].guid, 16) != 0 || m.handler_count != s->m[i].handler_count ||
        m.handler_offset != 38 || m.minor != s->m[i].minor || m.mmio_ranges != s->m[i].mmio_ranges)
      rp_case_fail(r, "module %u differs", i);
    for (uint32_t j = 0; j < m.handler_count; j++) {
      rp_prmt_handler_view h;
      (void)rp_prmt_handler_read(rp_bytes_of(t, n), off + 38 + 44ull * j, &h, NULL);
      const rp_prmt_handler_in *w = &s->m[i].handlers[j];
      if (memcmp(&h.guid, &w->guid, 16) != 0 || h.address != w->address ||
          h.static_data_buffer != w->static_data_buffer || h.acpi_param_buffer != w->acpi_param_buffer)
        rp_case_fail(r, "module %u handler %u differs", i, j);
    }
    off += m.length;
  }
  return EFI_SUCCESS;
}

static EFI_STATUS build_variant(int v, spec4 *s, rp_case_result *r, rp_diag *d);

static void exec_build(const rp_case *c, rp_case_result *r) {
  static spec4 s;
  rp_diag d;
  rp_diag_clear(&d);
  make4(&s);
  rp_host_alloc_reset();
  EFI_STATUS st = build_variant((int)(intptr_t)c->input, &s, r, &d);
  rp_case_observe(r, st, &d);
  rp_host_alloc_reset();
  if (rp_host_alloc_outstanding() != 0) rp_case_fail(r, "allocations outstanding");
}

static EFI_STATUS build_and_verify(spec4 *s, rp_case_result *r, rp_diag *d) {
  uint8_t *t;
  uint32_t n;
  EFI_STATUS st = rp_prmt_build_alloc(&s->in, &t, &n, d);
  if (EFI_ERROR(st)) return st;
  st = verify_table(s, t, n, r, d);
  rp_plat_free_pool(t);
  return st;
}

/* One module of `count` handlers (shared storage; GUIDs distinct). */
static EFI_STATUS build_big(spec4 *s, uint32_t count, uint32_t modules, rp_diag *d) {
  static rp_prmt_handler_in h[1489];
  static rp_prmt_module_in m[65600];
  uint32_t n;
  for (uint32_t i = 0; i < count; i++) h[i] = (rp_prmt_handler_in){ guid_n(10000 + i), 0x1000 + i, 0, 0 };
  for (uint32_t i = 0; i < modules; i++) m[i] = (rp_prmt_module_in){ guid_n(1 + i), 1, 0, 0, count, h };
  s->in.module_count = modules;
  s->in.modules = m;
  return rp_prmt_size(&s->in, &n, d);
}

static EFI_STATUS build_module_addr(uint64_t base, rp_case_result *r, rp_diag *d) {
  size_t len;
  char dir[512];
  snprintf(dir, sizeof(dir), "%s/prm", RTPRM_CORPUS_DIR);
  uint8_t *b = rp_case_read_file(dir, "seed-mingw-x64-prm.efi", &len, r);
  rp_prm_module m;
  rp_prmt_handler_in h[2];
  if (b == NULL) return EFI_NOT_FOUND;
  EFI_STATUS st = rp_pe_parse(rp_bytes_of(b, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &g_file, d);
  if (!EFI_ERROR(st)) st = rp_prm_module_validate(&g_file, &PLATFORM, &m, d);
  if (!EFI_ERROR(st)) {
    st = rp_prmt_handlers_of(&m, base, h, d);
    if (!EFI_ERROR(st) && (h[0].address != base + m.handlers[0].rva || h[1].address != base + m.handlers[1].rva))
      rp_case_fail(r, "address is not load address + RVA");
    rp_prm_module_free(&m);
  }
  free(b);
  return st;
}

static EFI_STATUS build_variant(int v, spec4 *s, rp_case_result *r, rp_diag *d) {
  uint8_t small[100];
  uint32_t n;
  switch (v) {
  case B_ROUND_TRIP: return build_and_verify(s, r, d);
  case B_OEM:
    memcpy(s->in.oem_id, "OEMID ", 6);
    memcpy(s->in.oem_table_id, "TABLEID1", 8);
    s->in.oem_revision = 0x1234;
    s->in.creator_id = 0x4C4C4548;
    return build_and_verify(s, r, d);
  case B_BUFFERS_ZERO_OK:
    for (int i = 0; i < 4; i++)
      for (int j = 0; j < 4; j++) s->h[i][j].static_data_buffer = s->h[i][j].acpi_param_buffer = 0;
    return build_and_verify(s, r, d);
  case B_ADDR_FROM_RVA: return build_module_addr(0x7F000000, r, d);
  case B_ADDR_OVERFLOW: return build_module_addr(UINT64_MAX - 0x800, r, d);
  case B_LIMIT_OK: return build_big(s, 1488, 1, d);
  case B_LIMIT_WRAP: return build_big(s, 1489, 1, d);
  case B_TOO_LARGE: return build_big(s, 1488, 65600, d);
  case B_NO_MODULES: s->in.module_count = 0; return rp_prmt_size(&s->in, &n, d);
  case B_EMPTY_OK:
    s->in.module_count = 0;
    s->in.allow_empty = true;
    return build_and_verify(s, r, d);
  case B_DUP_MODULE: s->m[3].guid = s->m[1].guid; return rp_prmt_size(&s->in, &n, d);
  case B_DUP_HANDLER: s->h[2][3].guid = s->h[0][0].guid; return rp_prmt_size(&s->in, &n, d);
  case B_ADDR_ZERO: s->h[1][2].address = 0; return rp_prmt_size(&s->in, &n, d);
  case B_MODULE_GUID_ZERO: s->m[2].guid = (EFI_GUID){ 0 }; return rp_prmt_size(&s->in, &n, d);
  case B_HANDLER_GUID_ZERO: s->h[3][1].guid = (EFI_GUID){ 0 }; return rp_prmt_size(&s->in, &n, d);
  case B_COUNT_ZERO: s->m[0].handler_count = 0; return rp_prmt_size(&s->in, &n, d);
  case B_PLATFORM_ZERO: s->in.platform_guid = (EFI_GUID){ 0 }; return rp_prmt_size(&s->in, &n, d);
  case B_SMALL_BUFFER: {
    memset(small, 0xEE, sizeof(small));
    EFI_STATUS st = rp_prmt_build(&s->in, rp_mbytes_of(small, sizeof(small)), &n, d);
    if (small[0] != 0xEE) rp_case_fail(r, "bytes written before the size check");
    return st;
  }
  default: {
    uint8_t *t = (uint8_t *)1;
    rp_host_fail_mask(~0ull);
    EFI_STATUS st = rp_prmt_build_alloc(&s->in, &t, &n, d);
    if (t != NULL) rp_case_fail(r, "*table not NULL after a failed allocation");
    return st;
  }
  }
}

#define B(v) ((const void *)(intptr_t)(v))

/* ==== checker ============================================================= */

typedef struct {
  uint32_t off, width;
  uint64_t val;
  int      special; /* 0 plain patch; see exec_check */
} chk_in;

enum { C_PLAIN, C_NO_FIX_CHECKSUM, C_SHORT_BUFFER, C_PAD_MODULE, C_HANDLER_OFFSET_42, C_TRAILING, C_LONG_BUFFER,
       C_DUP_HANDLER, C_DUP_MODULE, C_EMPTY, C_OFFSET_64 };

/* Inserts `gap` zero bytes after module 0's handlers or header. */
static uint32_t insert_gap(uint8_t *m, const uint8_t *t, uint32_t n, uint32_t at, uint32_t gap) {
  memcpy(m, t, at);
  memset(m + at, 0, gap);
  memcpy(m + at + gap, t + at, n - at);
  rp_put_le32(m + 4, n + gap);
  return n + gap;
}

static void exec_check(const rp_case *c, rp_case_result *r) {
  const chk_in *in = c->input;
  static spec4 s;
  static uint8_t t[2048], m[2048];
  uint32_t n, mod1;
  rp_diag d;
  rp_prmt_info info;
  make4(&s);
  s.in.module_count = 2; /* 60 + 2 * (38 + 176) = 488 bytes */
  if (!rp_case_step(r, rp_prmt_build(&s.in, rp_mbytes_of(t, sizeof(t)), &n, &d), &d, "setup: build")) return;
  mod1 = 60 + 38 + 4 * 44;
  memcpy(m, t, n);
  switch (in->special) {
  case C_PAD_MODULE: n = insert_gap(m, t, n, mod1, 4); rp_put_le16(m + 62, 38 + 176 + 4); break;
  case C_HANDLER_OFFSET_42: n = insert_gap(m, t, n, 98, 4); rp_put_le16(m + 62, 38 + 176 + 4); rp_put_le32(m + 86, 42); break;
  case C_TRAILING: n = insert_gap(m, t, n, n, 8); break;
  case C_DUP_HANDLER: memcpy(m + mod1 + 38 + 4, m + 98 + 4, 16); break;
  case C_DUP_MODULE: memcpy(m + mod1 + 4, m + 64, 16); break;
  case C_OFFSET_64: n = insert_gap(m, t, n, 60, 4); break;
  case C_EMPTY: n = 60; rp_put_le32(m + 4, 60); rp_put_le32(m + 56, 0); break;
  default: break;
  }
  for (uint32_t k = 0; k < in->width; k++) m[in->off + k] = (uint8_t)(k < 8 ? in->val >> (8 * k) : 0);
  if (in->special != C_NO_FIX_CHECKSUM) {
    m[9] = 0;
    m[9] = rp_acpi_checksum(rp_bytes_of(m, n));
  }
  uint32_t blen = in->special == C_SHORT_BUFFER ? 20 : (in->special == C_LONG_BUFFER ? n + 100 : n);
  uint8_t before[2048];
  memcpy(before, m, sizeof(before));
  rp_host_alloc_reset();
  rp_case_observe(r, rp_prmt_check(rp_bytes_of(m, blen), &info, &d), &d);
  if (memcmp(before, m, sizeof(before)) != 0) rp_case_fail(r, "the checker wrote to the table");
  if (rp_host_alloc_outstanding() != 0) rp_case_fail(r, "allocations outstanding");
  if (!EFI_ERROR(r->status) && !info.walks_agree) rp_case_fail(r, "accepted but walks_agree is false");
  if (r->reason == RP_R_PRMT_WALK_DISAGREE && info.walks_agree) rp_case_fail(r, "disagreement but walks_agree");
  /* PRM-041: bytes past Length are a finding, an exact buffer has none. */
  if (!EFI_ERROR(r->status) && in->special == C_LONG_BUFFER &&
      (info.findings.count != 1 || info.findings.item[0].reason != RP_R_PRMT_BUFFER_TRAILING ||
       info.findings.item[0].index != n))
    rp_case_fail(r, "a buffer longer than Length must report PRMT_BUFFER_TRAILING at %u", n);
  if (!EFI_ERROR(r->status) && in->special != C_LONG_BUFFER && info.findings.count != 0)
    rp_case_fail(r, "an exact buffer reported %u findings", info.findings.count);
}

#define CHK(o, w, v)  &(const chk_in){ o, w, v, C_PLAIN }
#define CHKS(sp)      &(const chk_in){ 0, 0, 0, sp }

/* ==== context, data buffers, MMIO ============================================ */

enum {
  X_CTX_OK, X_CTX_V0_DEFAULT, X_CTX_V0_LINUX, X_CTX_V2, X_CTX_SIZE, X_CTX_SIG, X_CTX_GUID,
  X_DATA_PRMS, X_DATA_PRMD, X_DATA_SHORT_LEN, X_DATA_LONG_LEN, X_DATA_PRMP, X_DATA_TINY,
  X_MMIO_OK, X_MMIO_SIZE, X_MMIO_COUNT, X_MMIO_COUNT_WRAP, X_MMIO_ZERO, X_MMIO_UNALIGNED_BASE, X_MMIO_UNALIGNED_LEN,
  X_MMIO_WRAP, X_MMIO_OVERLAP, X_MMIO_ADJACENT, X_CONVERT_OK, X_CONVERT_FAIL, X_PARAM_OK, X_PARAM_UNUSED, X_PARAM_DUP,
};

static EFI_STATUS conv(void *ctx, uint64_t *a) {
  (void)ctx;
  if (*a == 0xFEB00000ull) return EFI_NOT_FOUND;
  *a |= 0xFFFF800000000000ull;
  return EFI_SUCCESS;
}

static EFI_STATUS mmio_case(int v, rp_case_result *r, rp_diag *d) {
  uint8_t b[8 + 3 * 20], before[sizeof(b)];
  uint64_t base[3] = { 0xFED00000ull, 0xFEC00000ull, 0xFEB00000ull }, n;
  uint32_t len[3] = { 0x1000, 0x2000, 0x1000 };
  switch (v) {
  case X_MMIO_UNALIGNED_BASE: base[1] += 0x10; break;
  case X_MMIO_UNALIGNED_LEN: len[1] = 0x1800; break;
  case X_MMIO_ZERO: len[2] = 0; break;
  case X_MMIO_WRAP: base[1] = 0xFFFFFFFFFFFFF000ull; len[1] = 0x2000; break;
  case X_MMIO_OVERLAP: base[2] = 0xFEC01000ull; break;
  case X_MMIO_ADJACENT: base[2] = 0xFEC02000ull; break;
  default: break;
  }
  if (v == X_MMIO_UNALIGNED_BASE || v == X_MMIO_UNALIGNED_LEN || v == X_MMIO_ZERO || v == X_MMIO_WRAP ||
      v == X_MMIO_OVERLAP)
    return rp_prm_mmio_build(rp_mbytes_of(b, sizeof(b)), base, len, 3, d);
  EFI_STATUS st = rp_prm_mmio_build(rp_mbytes_of(b, sizeof(b)), base, len, v == X_CONVERT_OK ? 2 : 3, d);
  if (EFI_ERROR(st)) return st;
  switch (v) {
  case X_MMIO_SIZE: return rp_prm_mmio_validate(rp_bytes_of(b, 6), &n, d);
  case X_MMIO_COUNT: return rp_prm_mmio_validate(rp_bytes_of(b, sizeof(b) - 1), &n, d);
  case X_MMIO_COUNT_WRAP: rp_put_le64(b, 0x0CCCCCCCCCCCCCCDull); return rp_prm_mmio_validate(rp_bytes_of(b, sizeof(b)), &n, d);
  case X_CONVERT_OK:
  case X_CONVERT_FAIL: {
    size_t blen = v == X_CONVERT_OK ? 48 : sizeof(b);
    memcpy(before, b, sizeof(b));
    st = rp_prm_mmio_convert(rp_mbytes_of(b, blen), conv, NULL, d);
    if (EFI_ERROR(st) && memcmp(before, b, sizeof(b)) != 0) rp_case_fail(r, "a failed conversion wrote (PRM-038)");
    if (!EFI_ERROR(st) && (rp_le64(b + 8) != 0xFED00000ull || rp_le64(b + 16) != 0xFFFF8000FED00000ull ||
                           rp_le64(b + 36) != 0xFFFF8000FEC00000ull))
      rp_case_fail(r, "VirtualBaseAddress / PhysicalBaseAddress wrong after conversion");
    return st;
  }
  default:
    st = rp_prm_mmio_validate(rp_bytes_of(b, sizeof(b)), &n, d);
    if (!EFI_ERROR(st) && (n != 3 || rp_le32(b + 8 + 16) != 0x1000 || rp_le64(b + 28) != base[1]))
      rp_case_fail(r, "packed 20-byte layout not as expected (PRM-036)");
    return st;
  }
}

static EFI_STATUS ctx_case(int v, rp_diag *d) {
  PRM_CONTEXT_BUFFER c;
  EFI_GUID g = guid_n(77);
  uint32_t flags = v == X_CTX_V0_LINUX ? RP_PRM_CONTEXT_ACCEPT_V0 : 0;
  rp_prm_context_init(&c, v == X_CTX_GUID ? NULL : &g, NULL, NULL);
  if (v == X_CTX_V0_DEFAULT || v == X_CTX_V0_LINUX) c.Version = 0;
  if (v == X_CTX_V2) c.Version = 2;
  if (v == X_CTX_SIG) c.Signature = PRM_DATA_BUFFER_HEADER_SIGNATURE;
  return rp_prm_context_validate(rp_bytes_of(&c, v == X_CTX_SIZE ? 32 : sizeof(c)), flags, d);
}

static EFI_STATUS data_case(int v, rp_diag *d) {
  uint8_t b[26];
  uint32_t sig = v == X_DATA_PRMP ? PRM_ACPI_PARAMETER_DATA_BUFFER_HEADER_SIGNATURE : PRM_DATA_BUFFER_HEADER_SIGNATURE;
  if (v == X_DATA_PRMD) return rp_prm_data_buffer_init(rp_mbytes_of(b, sizeof(b)), PRM_DATA_BUFFER_HEADER_SIGNATURE_LEGACY, d);
  EFI_STATUS st = rp_prm_data_buffer_init(rp_mbytes_of(b, sizeof(b)), sig, d);
  if (EFI_ERROR(st)) return st;
  if (v == X_DATA_SHORT_LEN) rp_put_le32(b + 4, 7);
  if (v == X_DATA_LONG_LEN) rp_put_le32(b + 4, 27);
  return rp_prm_data_buffer_validate(rp_bytes_of(b, v == X_DATA_TINY ? 6 : sizeof(b)), sig, d);
}

static EFI_STATUS param_case(int v, rp_diag *d) {
  ACPI_PARAMETER_BUFFER_DESCRIPTOR ds[3] = { { guid_n(5), 0x9000 }, { { 0 }, 0x9100 }, { guid_n(6), 0 } };
  EFI_GUID g = guid_n(v == X_PARAM_UNUSED ? 6 : 5);
  uint64_t a = 1;
  if (v == X_PARAM_DUP) ds[2] = (ACPI_PARAMETER_BUFFER_DESCRIPTOR){ guid_n(5), 0x9200 };
  EFI_STATUS st = rp_prm_acpi_param_lookup(ds, 3, &g, &a, d);
  if (!EFI_ERROR(st) && a != (v == X_PARAM_UNUSED ? 0 : 0x9000)) return EFI_COMPROMISED_DATA;
  return st;
}

static void exec_ctx(const rp_case *c, rp_case_result *r) {
  int v = (int)(intptr_t)c->input;
  rp_diag d;
  EFI_STATUS st;
  rp_diag_clear(&d);
  if (v <= X_CTX_GUID) st = ctx_case(v, &d);
  else if (v <= X_DATA_TINY) st = data_case(v, &d);
  else if (v <= X_CONVERT_FAIL) st = mmio_case(v, r, &d);
  else st = param_case(v, &d);
  rp_case_observe(r, st, &d);
}

/* ==== handler calls (x86-64 hosts) ============================================== */

enum { H_CONTEXT_OK, H_CONTEXT_NULL, H_CONTEXT_OTHER_GUID, H_CONTEXT_LINUX_V0, H_STATIC_OK, H_STATIC_BAD, H_GNU_PARAM };

typedef EFI_STATUS (*ms_handler)(void *, PRM_CONTEXT_BUFFER *) __attribute__((ms_abi));

#if defined(__x86_64__)
/* Maps `file` at a fresh RWX base, relocates it there, returns the base. */
static uint8_t *map_module(const char *file, rp_prm_module *m, size_t *size, rp_case_result *r) {
  char dir[512];
  size_t len;
  rp_diag d;
  snprintf(dir, sizeof(dir), "%s/prm", RTPRM_CORPUS_DIR);
  uint8_t *b = rp_case_read_file(dir, file, &len, r);
  if (b == NULL) return NULL;
  uint8_t *img = NULL;
  if (!EFI_ERROR(rp_pe_parse(rp_bytes_of(b, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &g_file, &d))) {
    *size = (g_file.size_of_image + 0xFFFu) & ~0xFFFu;
    void *p = mmap(NULL, *size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    img = p == MAP_FAILED ? NULL : p;
  }
  EFI_STATUS st = img ? rp_pe_load(&g_file, rp_mbytes_of(img, g_file.size_of_image), &d) : EFI_OUT_OF_RESOURCES;
  if (!EFI_ERROR(st)) st = rp_pe_parse(rp_bytes_of(img, g_file.size_of_image), RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT, &g_map, &d);
  if (!EFI_ERROR(st))
    st = rp_pe_relocate(&g_map, rp_mbytes_of(img, g_file.size_of_image), (uint64_t)(uintptr_t)img, RP_FIXUP_NONE,
                        rp_mbytes_of(NULL, 0), NULL, &d);
  if (!EFI_ERROR(st)) st = rp_prm_module_validate(&g_map, &PLATFORM, m, &d);
  free(b);
  if (!rp_case_step(r, st, &d, "setup: map and validate the module")) {
    if (img) munmap(img, *size);
    return NULL;
  }
  return img;
}

/* Runs handler v; *ran is false when setup failed (its outcome is recorded). */
static EFI_STATUS call_handler(int v, rp_case_result *r, bool *ran) {
  rp_prm_module m;
  size_t size = 0;
  bool gnu = v == H_GNU_PARAM;
  uint8_t *img = map_module(gnu ? "seed-mingw-x64-prm.efi" : "seed-lld-x64-context.efi", &m, &size, r);
  if (img == NULL) return EFI_ABORTED;
  *ran = true;
  uint32_t idx = gnu ? 1 : (v >= H_STATIC_OK ? 2 : 1);
  ms_handler h = (ms_handler)(uintptr_t)(img + m.handlers[idx].rva);
  PRM_CONTEXT_BUFFER c;
  uint8_t sbuf[26];
  uint32_t param = 0;
  EFI_GUID g = m.handlers[idx].guid, other = guid_n(9);
  rp_prm_context_init(&c, v == H_CONTEXT_OTHER_GUID ? &other : &g, (PRM_DATA_BUFFER *)sbuf, NULL);
  (void)rp_prm_data_buffer_init(rp_mbytes_of(sbuf, sizeof(sbuf)), PRM_DATA_BUFFER_HEADER_SIGNATURE, NULL);
  if (v == H_STATIC_BAD) memcpy(sbuf, "PRMD", 4);
  if (v == H_CONTEXT_LINUX_V0) c.Version = 0;
  EFI_STATUS st = h(gnu ? &param : NULL, v == H_CONTEXT_NULL ? NULL : &c);
  if (gnu && param != 0x54534554u) rp_case_fail(r, "the handler did not fill its parameter buffer");
  rp_prm_module_free(&m);
  munmap(img, size);
  return st;
}
#endif

static void exec_call(const rp_case *c, rp_case_result *r) {
#if defined(__x86_64__)
  bool ran = false;
  EFI_STATUS st = call_handler((int)(intptr_t)c->input, r, &ran);
  rp_diag d = { RP_R_NONE, RP_DIAG_NO_INDEX, NULL, 0 };
  if (ran) rp_case_observe(r, st, &d);
#else
  /* No pretend pass: the handlers are x64 code and need an x86-64 host. */
  (void)c;
  rp_case_fail(r, "handler calls need an x86-64 host (the sample handlers are x64 code)");
#endif
}

/* ==== the table ==================================================================== */

static const rp_case prm_cases[] = {
  /* modules: real producers */
  { "PRM-M-001", "PRM-016 PRM-015 PRM-004", "lld-link x64 PrmSampleContext validates (3 handlers, v1.0)", PASS, SEED("seed-lld-x64-context.efi", 3), exec_module },
  { "PRM-M-002", "PRM-016 PRM-015", "lld-link x64 PrmSampleMmio validates (2 handlers, v1.2)", PASS, SEED("seed-lld-x64-mmio.efi", 2), exec_module },
  { "PRM-M-003", "PRM-016 PRM-014", "lld-link AArch64 PrmSampleContext validates", PASS, SEED("seed-lld-aa64-context.efi", 3), exec_module },
  { "PRM-M-004", "PRM-016 PRM-014", "lld-link AArch64 PrmSampleMmio validates", PASS, SEED("seed-lld-aa64-mmio.efi", 2), exec_module },
  { "PRM-M-005", "PRM-016 PRM-015", "GNU ld (mingw-w64) module validates (ordinal Base 1)", PASS, SEED("seed-mingw-x64-prm.efi", 2), exec_module },
  { "PRM-M-006", "PRM-016", "lld-link x64 context module, MAPPED layout", PASS, SEEDM("seed-lld-x64-context.efi", 3), exec_module },
  { "PRM-M-007", "PRM-016", "lld-link AArch64 MMIO module, MAPPED layout", PASS, SEEDM("seed-lld-aa64-mmio.efi", 2), exec_module },
  { "PRM-M-008", "PRM-016", "GNU ld module, MAPPED layout", PASS, SEEDM("seed-mingw-x64-prm.efi", 2), exec_module },
  { "PRM-M-009", "PRM-004 PRM-011", "Generated module with 2 handlers validates", PASS, SEED("seed-gen-x64-two-handlers.efi", 2), exec_module },
  { "PRM-M-010", "PRM-004 PRM-011", "Generated module with 8 handlers validates, MAPPED", PASS, SEEDM("seed-gen-x64-eight-handlers.efi", 8), exec_module },
  /* modules: every rejection */
  { "PRM-M-011", "PRM-014", "RISC-V 64 PE32+ image is not a PRM module", BAD(UNSUPPORTED, PRM_MACHINE, 0x5064), MAL("machine-riscv64.efi"), exec_module },
  { "PRM-M-012", "PRM-001", "No export directory", BAD(NOT_FOUND, PRM_DESCRIPTOR_NOT_EXPORTED, NOIDX), MAL("no-export-directory.efi"), exec_module },
  { "PRM-M-013", "PRM-001", "Export 'PrmModuleExportDescriptorXYZ' is not the descriptor (EDK II prefix match)", BAD(NOT_FOUND, PRM_DESCRIPTOR_NOT_EXPORTED, NOIDX), MAL("descriptor-name-prefix.efi"), exec_module },
  { "PRM-M-014", "PRM-005", "Descriptor export address 0", BAD(LOAD_ERROR, PRM_DESCRIPTOR_RVA_ZERO, 2), MAL("descriptor-rva-zero.efi"), exec_module },
  { "PRM-M-015", "PRM-005", "Descriptor export is a forwarder", BAD(LOAD_ERROR, PRM_DESCRIPTOR_FORWARDER, 2), MAL("descriptor-forwarder.efi"), exec_module },
  { "PRM-M-016", "PRM-004", "Descriptor header crosses the end of the image", BAD(LOAD_ERROR, PRM_DESCRIPTOR_RANGE, 0x4000 - 20), MAL("descriptor-header-outside.efi"), exec_module },
  { "PRM-M-017", "PRM-004", "Second handler entry lies outside its section", BAD(LOAD_ERROR, PRM_DESCRIPTOR_RANGE, 2), MAL("descriptor-handlers-outside.efi"), exec_module },
  { "PRM-M-018", "PRM-002", "Signature 'PRM_MEDS' is rejected", BAD(NOT_FOUND, PRM_DESCRIPTOR_SIGNATURE, 0x2000), MAL("signature-prm-meds.efi"), exec_module },
  { "PRM-M-019", "PRM-003", "Descriptor revision 1", BAD(UNSUPPORTED, PRM_DESCRIPTOR_REVISION, 1), MAL("revision-1.efi"), exec_module },
  { "PRM-M-020", "PRM-006", "NumberPrmHandlers 0", BAD(LOAD_ERROR, PRM_HANDLER_COUNT_ZERO, NOIDX), MAL("handler-count-zero.efi"), exec_module },
  { "PRM-M-021", "PRM-006", "NumberPrmHandlers 256", BAD(LOAD_ERROR, PRM_HANDLER_COUNT_BOUND, 256), MAL("handler-count-256.efi"), exec_module },
  { "PRM-M-022", "PRM-007", "Module GUID all zero", BAD(LOAD_ERROR, PRM_MODULE_GUID_ZERO, NOIDX), MAL("module-guid-zero.efi"), exec_module },
  { "PRM-M-023", "PRM-008", "Descriptor of another platform", BAD(UNSUPPORTED, PRM_PLATFORM_GUID_MISMATCH, NOIDX), MAL("platform-guid-other.efi"), exec_module },
  { "PRM-M-024", "PRM-009", "Handler GUID all zero", BAD(LOAD_ERROR, PRM_HANDLER_GUID_ZERO, 1), MAL("handler-guid-zero.efi"), exec_module },
  { "PRM-M-025", "PRM-009", "Two handlers share a GUID", BAD(LOAD_ERROR, PRM_HANDLER_GUID_DUPLICATE, 1), MAL("handler-guid-duplicate.efi"), exec_module },
  { "PRM-M-026", "PRM-010", "128 name bytes without a NUL", BAD(LOAD_ERROR, PRM_HANDLER_NAME_UNTERMINATED, 1), MAL("handler-name-unterminated.efi"), exec_module },
  { "PRM-M-027", "PRM-010", "Empty handler name", BAD(LOAD_ERROR, PRM_HANDLER_NAME_EMPTY, 1), MAL("handler-name-empty.efi"), exec_module },
  { "PRM-M-028", "PRM-011", "Handler name without an export", BAD(NOT_FOUND, PRM_HANDLER_NOT_EXPORTED, 1), MAL("handler-not-exported.efi"), exec_module },
  { "PRM-M-029", "PRM-011", "Handler name that is only a prefix of exports", BAD(NOT_FOUND, PRM_HANDLER_NOT_EXPORTED, 1), MAL("handler-name-prefix.efi"), exec_module },
  { "PRM-M-030", "PRM-012", "Handler export address 0", BAD(LOAD_ERROR, PRM_HANDLER_RVA_ZERO, 1), MAL("handler-rva-zero.efi"), exec_module },
  { "PRM-M-031", "PRM-012", "Handler export is a forwarder", BAD(LOAD_ERROR, PRM_HANDLER_FORWARDER, 1), MAL("handler-forwarder.efi"), exec_module },
  { "PRM-M-032", "PRM-013", "Handler points into a data section", BAD(LOAD_ERROR, PRM_HANDLER_NOT_CODE, 1), MAL("handler-in-data.efi"), exec_module },
  { "PRM-M-033", "PRM-013", "Handler points into the headers", BAD(LOAD_ERROR, PRM_HANDLER_NOT_CODE, 0), MAL("handler-in-headers.efi"), exec_module },
  { "PRM-M-034", "PRM-017", "A truncated export directory keeps the PE layer's reason", BAD(LOAD_ERROR, PE_EXPORT_DIR_SIZE, 20), MAL("export-directory-truncated.efi"), exec_module },
  /* builder */
  { "PRM-B-001", "PRM-020 PRM-021 PRM-022 PRM-024 PRM-025 PRM-026", "4 modules x 4 handlers: built, checked, both walks agree, fields equal", PASS, B(B_ROUND_TRIP), exec_build },
  { "PRM-B-002", "PRM-030", "OEM fields land in the header", PASS, B(B_OEM), exec_build },
  { "PRM-B-003", "PRM-024", "Static data and ACPI parameter buffer addresses 0 are allowed", PASS, B(B_BUFFERS_ZERO_OK), exec_build },
  { "PRM-B-004", "PRM-031", "Handler address = load address + RVA for a GNU ld module", PASS, B(B_ADDR_FROM_RVA), exec_build },
  { "PRM-B-005", "PRM-031", "Load address + RVA past 2^64 is rejected", BAD(INVALID_PARAMETER, PRM_LOAD_ADDRESS, 0), B(B_ADDR_OVERFLOW), exec_build },
  { "PRM-B-006", "PRM-023", "1488 handlers in one module fit the u16 StructureLength", PASS, B(B_LIMIT_OK), exec_build },
  { "PRM-B-007", "PRM-023", "1489 handlers would wrap StructureLength: rejected", BAD(INVALID_PARAMETER, PRMT_HANDLER_LIMIT, 0), B(B_LIMIT_WRAP), exec_build },
  { "PRM-B-008", "PRM-029", "65600 modules of 1488 handlers exceed the u32 Length", BAD(INVALID_PARAMETER, PRMT_TABLE_TOO_LARGE, 65562), B(B_TOO_LARGE), exec_build },
  { "PRM-B-009", "PRM-027", "0 modules: no table by default", BAD(NOT_FOUND, PRMT_NO_MODULES, NOIDX), B(B_NO_MODULES), exec_build },
  { "PRM-B-010", "PRM-027", "0 modules on request: the 60-byte table checks", PASS, B(B_EMPTY_OK), exec_build },
  { "PRM-B-011", "PRM-018", "Duplicate module GUID in the set", BAD(INVALID_PARAMETER, PRM_MODULE_GUID_DUPLICATE, 3), B(B_DUP_MODULE), exec_build },
  { "PRM-B-012", "PRM-019", "Handler GUID used by two modules", BAD(INVALID_PARAMETER, PRM_HANDLER_GUID_CONFLICT, 2), B(B_DUP_HANDLER), exec_build },
  { "PRM-B-013", "PRM-031 PRM-024", "Handler address 0", BAD(INVALID_PARAMETER, PRMT_HANDLER_ADDRESS_ZERO, 1), B(B_ADDR_ZERO), exec_build },
  { "PRM-B-014", "PRM-007", "Module GUID zero", BAD(INVALID_PARAMETER, PRM_MODULE_GUID_ZERO, 2), B(B_MODULE_GUID_ZERO), exec_build },
  { "PRM-B-015", "PRM-009 PRM-031", "Handler GUID zero", BAD(INVALID_PARAMETER, PRM_HANDLER_GUID_ZERO, 3), B(B_HANDLER_GUID_ZERO), exec_build },
  { "PRM-B-016", "PRM-022", "A module with 0 handlers", BAD(INVALID_PARAMETER, PRMT_HANDLER_COUNT_ZERO, 0), B(B_COUNT_ZERO), exec_build },
  { "PRM-B-017", "PRM-020", "Platform GUID zero", BAD(INVALID_PARAMETER, PRMT_PLATFORM_GUID_ZERO, NOIDX), B(B_PLATFORM_ZERO), exec_build },
  { "PRM-B-018", "PRM-028", "Output buffer too small: nothing written", BAD(BUFFER_TOO_SMALL, BUFFER_TOO_SMALL, 60 + 4 * 214), B(B_SMALL_BUFFER), exec_build },
  { "PRM-B-019", "PRM-017", "Every allocation failing gives EFI_OUT_OF_RESOURCES, no leak", BAD(OUT_OF_RESOURCES, OUT_OF_RESOURCES, NOIDX), B(B_ALLOC_FAIL), exec_build },
  /* checker */
  { "PRM-T-001", "PRM-020 PRM-025 PRM-026", "The built table passes", PASS, CHKS(C_PLAIN), exec_check },
  { "PRM-T-002", "PRM-028 PRM-041", "A buffer longer than Length (padded dump) passes with the finding PRMT_BUFFER_TRAILING", PASS, CHKS(C_LONG_BUFFER), exec_check },
  { "PRM-T-003", "PRM-027", "An empty (0-module) table passes", PASS, CHKS(C_EMPTY), exec_check },
  { "PRM-T-004", "PRM-028", "Buffer shorter than the ACPI header", BAD(INVALID_PARAMETER, PRMT_TOO_SMALL, 20), CHKS(C_SHORT_BUFFER), exec_check },
  { "PRM-T-005", "PRM-020", "Signature 'PRMD'", BAD(INVALID_PARAMETER, PRMT_SIGNATURE, 0), CHK(3, 1, 'D'), exec_check },
  { "PRM-T-006", "PRM-028", "Length 59", BAD(INVALID_PARAMETER, PRMT_LENGTH, 59), CHK(4, 4, 59), exec_check },
  { "PRM-T-007", "PRM-028", "Length beyond the buffer", BAD(INVALID_PARAMETER, PRMT_LENGTH, 489), CHK(4, 4, 489), exec_check },
  { "PRM-T-008", "PRM-021", "Checksum off by one", BAD(CRC_ERROR, PRMT_CHECKSUM, 9), &(const chk_in){ 9, 1, 0, C_NO_FIX_CHECKSUM }, exec_check },
  { "PRM-T-009", "PRM-020", "Revision 1 (ACPICA's comment says 'Version 1')", BAD(UNSUPPORTED, PRMT_REVISION, 1), CHK(8, 1, 1), exec_check },
  { "PRM-T-010", "PRM-020", "Platform GUID zero", BAD(INVALID_PARAMETER, PRMT_PLATFORM_GUID_ZERO, 36), CHK(36, 16, 0), exec_check },
  { "PRM-T-011", "PRM-020 PRM-028", "ModuleInfoOffset 56 overlaps the header", BAD(INVALID_PARAMETER, PRMT_MODULE_OFFSET, 56), CHK(52, 4, 56), exec_check },
  { "PRM-T-012", "PRM-028", "ModuleInfoOffset past the table", BAD(INVALID_PARAMETER, PRMT_MODULE_OFFSET, 4000), CHK(52, 4, 4000), exec_check },
  { "PRM-T-013", "PRM-028", "ModuleInfoCount larger than Length can hold", BAD(INVALID_PARAMETER, PRMT_MODULE_COUNT, 13), CHK(56, 4, 13), exec_check },
  { "PRM-T-014", "PRM-028", "ModuleInfoCount 3 for 2 modules: third module outside", BAD(INVALID_PARAMETER, PRMT_MODULE_RANGE, 488), CHK(56, 4, 3), exec_check },
  { "PRM-T-015", "PRM-028", "ModuleInfoCount 1 for 2 modules: trailing bytes", BAD(INVALID_PARAMETER, PRMT_TRAILING_BYTES, 274), CHK(56, 4, 1), exec_check },
  { "PRM-T-016", "PRM-028", "8 bytes after the last module", BAD(INVALID_PARAMETER, PRMT_TRAILING_BYTES, 488), CHKS(C_TRAILING), exec_check },
  { "PRM-T-017", "PRM-022", "Module StructureRevision 1", BAD(UNSUPPORTED, PRMT_MODULE_REVISION, 60), CHK(60, 2, 1), exec_check },
  { "PRM-T-018", "PRM-022", "Module StructureLength shorter than its handlers", BAD(INVALID_PARAMETER, PRMT_MODULE_LENGTH, 60), CHK(62, 2, 200), exec_check },
  { "PRM-T-019", "PRM-022", "HandlerInfoOffset 10 points into the module header", BAD(INVALID_PARAMETER, PRMT_HANDLER_OFFSET, 60), CHK(86, 4, 10), exec_check },
  { "PRM-T-020", "PRM-022", "HandlerCount 0 (Linux's do/while reads handler 0 anyway)", BAD(INVALID_PARAMETER, PRMT_HANDLER_COUNT_ZERO, 60), CHK(84, 2, 0), exec_check },
  { "PRM-T-021", "PRM-024", "Handler StructureRevision 1", BAD(UNSUPPORTED, PRMT_HANDLER_REVISION, 98), CHK(98, 2, 1), exec_check },
  { "PRM-T-022", "PRM-024 PRM-025", "Handler StructureLength 48 (Linux strides 44)", BAD(INVALID_PARAMETER, PRMT_HANDLER_LENGTH, 142), CHK(144, 2, 48), exec_check },
  { "PRM-T-023", "PRM-009", "Handler GUID zero", BAD(INVALID_PARAMETER, PRM_HANDLER_GUID_ZERO, 98), CHK(102, 16, 0), exec_check },
  { "PRM-T-024", "PRM-024", "Handler address 0", BAD(INVALID_PARAMETER, PRMT_HANDLER_ADDRESS_ZERO, 98), CHK(118, 8, 0), exec_check },
  { "PRM-T-025", "PRM-007", "Module GUID zero", BAD(INVALID_PARAMETER, PRM_MODULE_GUID_ZERO, 274), CHK(278, 16, 0), exec_check },
  { "PRM-T-026", "PRM-025", "ModuleInfoOffset 64 with 4 bytes of padding: Linux starts at 60", BAD(INVALID_PARAMETER, PRMT_WALK_DISAGREE, 0), &(const chk_in){ 52, 4, 64, C_OFFSET_64 }, exec_check },
  { "PRM-T-027", "PRM-025 PRM-026", "Module padded by 4 bytes: Linux strides by Length, ACPICA by 38 + 44n", BAD(INVALID_PARAMETER, PRMT_WALK_DISAGREE, 1), CHKS(C_PAD_MODULE), exec_check },
  { "PRM-T-028", "PRM-026", "HandlerInfoOffset 42: ACPICA reads handlers at 38", BAD(INVALID_PARAMETER, PRMT_WALK_DISAGREE, 0), CHKS(C_HANDLER_OFFSET_42), exec_check },
  { "PRM-T-029", "PRM-018", "Two modules with one GUID", BAD(INVALID_PARAMETER, PRM_MODULE_GUID_DUPLICATE, 1), CHKS(C_DUP_MODULE), exec_check },
  { "PRM-T-030", "PRM-019", "A handler GUID in two modules", BAD(INVALID_PARAMETER, PRM_HANDLER_GUID_CONFLICT, 1), CHKS(C_DUP_HANDLER), exec_check },
  /* context, data buffers, MMIO, ACPI parameters */
  { "PRM-X-001", "PRM-032", "PRMC version 1 context", PASS, B(X_CTX_OK), exec_ctx },
  { "PRM-X-002", "PRM-033", "Version 0 rejected by default", BAD(UNSUPPORTED, PRM_CONTEXT_VERSION, 0), B(X_CTX_V0_DEFAULT), exec_ctx },
  { "PRM-X-003", "PRM-033", "Version 0 accepted in Linux mode", PASS, B(X_CTX_V0_LINUX), exec_ctx },
  { "PRM-X-004", "PRM-032", "Version 2", BAD(UNSUPPORTED, PRM_CONTEXT_VERSION, 2), B(X_CTX_V2), exec_ctx },
  { "PRM-X-005", "PRM-032", "32-byte context (the 32-bit size)", BAD(INVALID_PARAMETER, PRM_CONTEXT_SIZE, 32), B(X_CTX_SIZE), exec_ctx },
  { "PRM-X-006", "PRM-032", "Signature 'PRMS' in a context", BAD(NOT_FOUND, PRM_CONTEXT_SIGNATURE, 0), B(X_CTX_SIG), exec_ctx },
  { "PRM-X-007", "PRM-032", "Handler GUID zero", BAD(INVALID_PARAMETER, PRM_CONTEXT_GUID_ZERO, 8), B(X_CTX_GUID), exec_ctx },
  { "PRM-X-008", "PRM-034", "'PRMS' static data buffer of 26 bytes", PASS, B(X_DATA_PRMS), exec_ctx },
  { "PRM-X-009", "PRM-034", "Legacy 'PRMD' is not 'PRMS'", BAD(INVALID_PARAMETER, PRM_DATA_BUFFER_SIGNATURE, 0x444D5250), B(X_DATA_PRMD), exec_ctx },
  { "PRM-X-010", "PRM-034", "Length 7 does not cover the header", BAD(INVALID_PARAMETER, PRM_DATA_BUFFER_LENGTH, 7), B(X_DATA_SHORT_LEN), exec_ctx },
  { "PRM-X-011", "PRM-034", "Length beyond the buffer", BAD(INVALID_PARAMETER, PRM_DATA_BUFFER_LENGTH, 27), B(X_DATA_LONG_LEN), exec_ctx },
  { "PRM-X-012", "PRM-035", "'PRMP' ACPI parameter buffer", PASS, B(X_DATA_PRMP), exec_ctx },
  { "PRM-X-013", "PRM-034", "6-byte buffer has no room for the header", BAD(INVALID_PARAMETER, PRM_DATA_BUFFER_LENGTH, 6), B(X_DATA_TINY), exec_ctx },
  { "PRM-X-014", "PRM-036 PRM-037", "3 packed 20-byte ranges validate", PASS, B(X_MMIO_OK), exec_ctx },
  { "PRM-X-015", "PRM-036", "List shorter than its Count field", BAD(INVALID_PARAMETER, PRM_MMIO_SIZE, 6), B(X_MMIO_SIZE), exec_ctx },
  { "PRM-X-016", "PRM-036", "Count 3 in 67 bytes", BAD(INVALID_PARAMETER, PRM_MMIO_COUNT, 3), B(X_MMIO_COUNT), exec_ctx },
  { "PRM-X-017", "PRM-036", "Count whose 8 + 20n wraps 2^64", BAD(INVALID_PARAMETER, PRM_MMIO_COUNT, 0x0CCCCCCCCCCCCCCDull), B(X_MMIO_COUNT_WRAP), exec_ctx },
  { "PRM-X-018", "PRM-037", "Range length 0", BAD(INVALID_PARAMETER, PRM_MMIO_LENGTH_ZERO, 2), B(X_MMIO_ZERO), exec_ctx },
  { "PRM-X-019", "PRM-037", "Base not 4 KiB aligned", BAD(INVALID_PARAMETER, PRM_MMIO_UNALIGNED, 1), B(X_MMIO_UNALIGNED_BASE), exec_ctx },
  { "PRM-X-020", "PRM-037", "Length not 4 KiB aligned", BAD(INVALID_PARAMETER, PRM_MMIO_UNALIGNED, 1), B(X_MMIO_UNALIGNED_LEN), exec_ctx },
  { "PRM-X-021", "PRM-037", "Range past 2^64", BAD(INVALID_PARAMETER, PRM_MMIO_OVERFLOW, 1), B(X_MMIO_WRAP), exec_ctx },
  { "PRM-X-022", "PRM-037", "Overlapping ranges", BAD(INVALID_PARAMETER, PRM_MMIO_OVERLAP, 2), B(X_MMIO_OVERLAP), exec_ctx },
  { "PRM-X-023", "PRM-037", "Adjacent ranges do not overlap", PASS, B(X_MMIO_ADJACENT), exec_ctx },
  { "PRM-X-024", "PRM-038", "Conversion sets VirtualBaseAddress, keeps PhysicalBaseAddress", PASS, B(X_CONVERT_OK), exec_ctx },
  { "PRM-X-025", "PRM-038", "A failing conversion writes nothing", BAD(NOT_FOUND, PRM_MMIO_CONVERT, 2), B(X_CONVERT_FAIL), exec_ctx },
  { "PRM-X-026", "PRM-039", "Descriptors with zero address or GUID are skipped", PASS, B(X_PARAM_OK), exec_ctx },
  { "PRM-X-027", "PRM-039", "A handler with only an address-0 descriptor has no buffer", PASS, B(X_PARAM_UNUSED), exec_ctx },
  { "PRM-X-028", "PRM-039", "Two used descriptors for one handler", BAD(INVALID_PARAMETER, PRM_ACPI_PARAM_DUPLICATE, 2), B(X_PARAM_DUP), exec_ctx },
  /* handler calls */
  { "PRM-H-001", "PRM-040 PRM-032", "PrmSampleCheckContext(NULL, PRMC v1) returns EFI_SUCCESS", PASS, B(H_CONTEXT_OK), exec_call },
  { "PRM-H-002", "PRM-040", "PrmSampleCheckContext(NULL, NULL) returns EFI_INVALID_PARAMETER", BAD(INVALID_PARAMETER, NONE, NOIDX), B(H_CONTEXT_NULL), exec_call },
  { "PRM-H-003", "PRM-040", "A context for another handler GUID: EFI_NOT_FOUND", BAD(NOT_FOUND, NONE, NOIDX), B(H_CONTEXT_OTHER_GUID), exec_call },
  { "PRM-H-004", "PRM-040 PRM-033", "Linux's version-0 context is accepted by the sample", PASS, B(H_CONTEXT_LINUX_V0), exec_call },
  { "PRM-H-005", "PRM-040 PRM-034", "PrmSampleCheckStaticData with a 'PRMS' buffer: EFI_SUCCESS", PASS, B(H_STATIC_OK), exec_call },
  { "PRM-H-006", "PRM-040 PRM-034", "PrmSampleCheckStaticData with a 'PRMD' buffer: EFI_NOT_FOUND", BAD(NOT_FOUND, NONE, NOIDX), B(H_STATIC_BAD), exec_call },
  { "PRM-H-007", "PRM-040", "GNU ld module handler fills its parameter buffer", PASS, B(H_GNU_PARAM), exec_call },
};

const rp_case_group rp_group_prm = {
  "prm", prm_cases, sizeof(prm_cases) / sizeof(prm_cases[0]), exec_module,
};
