/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Fuzz target "prmt_build": module sets from input -> PRMT -> checker.
 *
 * Input (missing bytes read as 0) | trailer (fuzz.h):
 *   u8 flags     bit 0 allow_empty; bit 1 module 0 gets 1480 + (u8 & 15)
 *                generated handlers (the u16 StructureLength limit is 1488)
 *   u8 modules   count % 9
 *   per module:  u8 guid, u8 handlers % 17, u8 major, u8 minor, u8 mmio
 *   per handler: u8 guid, u8 address, u8 static buffer, u8 param buffer
 * A GUID byte v is the zero GUID for v == 0, else a GUID made of v (so
 * duplicates are frequent); an address byte v is 0 for v == 0, else
 * 0x7F000000 + 0x1000 v.
 * Oracles:
 *   - accept/reject and the first reason equal a model written here
 *     (per module in order: module GUID 0, 0 handlers, > 1488 handlers,
 *     handler GUID 0, address 0; then duplicate module GUIDs, then handler
 *     GUIDs across the set; 0 modules without allow_empty);
 *   - an accepted set: the table passes rp_prmt_check, the Linux and
 *     ACPICA walks (written here) agree and parse back to the input
 *     field by field, Length == 60 + sum(38 + 44 n), checksum 0;
 *   - allocation failures are EFI_OUT_OF_RESOURCES and leak nothing.
 */
#include <string.h>

#include "fuzz.h"
#include "rtprm/guid.h"
#include "rtprm/platform.h"
#include "rtprm/prm_core.h"

#define MAX_MODULES 8u
#define MAX_H       1500u

typedef struct {
  const uint8_t *p;
  size_t         n, i;
} cursor;

static uint8_t next(cursor *c) { return c->i < c->n ? c->p[c->i++] : 0; }

static EFI_GUID guid_of(uint8_t v, uint16_t space, uint32_t extra) {
  EFI_GUID g = { 0 };
  if (v == 0 && extra == 0) return g;
  g.Data1 = v | extra << 8;
  g.Data2 = space;
  g.Data3 = 0x4000;
  g.Data4[0] = 0x80;
  return g;
}

static uint64_t addr_of(uint8_t v) { return v ? 0x7F000000ull + 0x1000ull * v : 0; }

typedef struct {
  rp_prmt_build_in   in;
  rp_prmt_module_in  m[MAX_MODULES];
  rp_prmt_handler_in h0[MAX_H];              /* module 0 (up to 1495) */
  rp_prmt_handler_in h[MAX_MODULES][16];     /* modules 1.. */
} set;

static void decode(cursor *c, set *s) {
  uint8_t flags = next(c);
  rp_prmt_build_in_defaults(&s->in);
  s->in.platform_guid = guid_of(0xEE, 0xAAAA, 0);
  s->in.allow_empty = flags & 1;
  s->in.module_count = next(c) % (MAX_MODULES + 1);
  s->in.modules = s->m;
  for (uint32_t i = 0; i < s->in.module_count; i++) {
    rp_prmt_module_in *m = &s->m[i];
    m->guid = guid_of(next(c), 0x1111, 0);
    m->handler_count = next(c) % 17;
    m->major = next(c);
    m->minor = next(c);
    m->mmio_ranges = addr_of(next(c));
    rp_prmt_handler_in *h = i == 0 ? s->h0 : s->h[i];
    m->handlers = h;
    for (uint32_t j = 0; j < m->handler_count; j++) {
      h[j].guid = guid_of(next(c), 0x2222, 0);
      h[j].address = addr_of(next(c));
      h[j].static_data_buffer = addr_of(next(c));
      h[j].acpi_param_buffer = addr_of(next(c));
    }
    if (i == 0 && (flags & 2)) { /* near the u16 limit, unique GUIDs */
      uint32_t n = 1480 + (next(c) & 15);
      for (uint32_t j = m->handler_count; j < n; j++)
        s->h0[j] = (rp_prmt_handler_in){ guid_of(0, 0x3333, j + 1), 0x1000 + j, 0, 0 };
      m->handler_count = n;
    }
  }
}

/* Open-addressing set of GUIDs (4096 slots > 7 * 16 + 1495): linear
 * probing, so the model stays linear where the builder sorts. */
#define SLOTS 4096u
typedef struct {
  const EFI_GUID *slot[SLOTS];
} guid_set;

static bool guid_insert(guid_set *gs, const EFI_GUID *g) {
  uint32_t h = 2166136261u;
  const uint8_t *p = (const uint8_t *)g;
  for (int i = 0; i < 16; i++) h = (h ^ p[i]) * 16777619u;
  for (uint32_t i = h % SLOTS;; i = (i + 1) % SLOTS) {
    if (gs->slot[i] == NULL) {
      gs->slot[i] = g;
      return true;
    }
    if (rp_guid_equal(gs->slot[i], g)) return false;
  }
}

/* The builder's rules, in its order. */
static rp_reason model(const set *s) {
  static guid_set mods, hands;
  memset(&mods, 0, sizeof(mods));
  memset(&hands, 0, sizeof(hands));
  if (s->in.module_count == 0 && !s->in.allow_empty) return RP_R_PRMT_NO_MODULES;
  for (uint32_t i = 0; i < s->in.module_count; i++) {
    const rp_prmt_module_in *m = &s->m[i];
    if (rp_guid_is_zero(&m->guid)) return RP_R_PRM_MODULE_GUID_ZERO;
    if (m->handler_count == 0) return RP_R_PRMT_HANDLER_COUNT_ZERO;
    if (m->handler_count > 1488) return RP_R_PRMT_HANDLER_LIMIT;
    for (uint32_t j = 0; j < m->handler_count; j++) {
      if (rp_guid_is_zero(&m->handlers[j].guid)) return RP_R_PRM_HANDLER_GUID_ZERO;
      if (m->handlers[j].address == 0) return RP_R_PRMT_HANDLER_ADDRESS_ZERO;
    }
  }
  for (uint32_t i = 0; i < s->in.module_count; i++)
    if (!guid_insert(&mods, &s->m[i].guid)) return RP_R_PRM_MODULE_GUID_DUPLICATE;
  for (uint32_t i = 0; i < s->in.module_count; i++)
    for (uint32_t j = 0; j < s->m[i].handler_count; j++)
      if (!guid_insert(&hands, &s->m[i].handlers[j].guid)) return RP_R_PRM_HANDLER_GUID_CONFLICT;
  return RP_R_NONE;
}

static uint16_t g16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* Linux walk and ACPICA walk, compared with the input. */
static void walk_back(const set *s, const uint8_t *t, uint32_t n) {
  uint32_t off = 60, acpica = rp_le32(t + 52), count = rp_le32(t + 56), mods = 0;
  RP_FUZZ_ASSERT(count == s->in.module_count && acpica == 60);
  while (off + 4 < n) {
    const rp_prmt_module_in *m = &s->m[mods];
    const uint8_t *p = t + off;
    RP_FUZZ_ASSERT(mods < count && off == acpica);
    RP_FUZZ_ASSERT(g16(p) == 0 && g16(p + 2) == 38 + 44 * m->handler_count && memcmp(p + 4, &m->guid, 16) == 0);
    RP_FUZZ_ASSERT(g16(p + 20) == m->major && g16(p + 22) == m->minor && g16(p + 24) == m->handler_count);
    RP_FUZZ_ASSERT(rp_le32(p + 26) == 38 && rp_le64(p + 30) == m->mmio_ranges);
    for (uint32_t j = 0; j < m->handler_count; j++) {
      const uint8_t *h = p + 38 + 44 * j; /* Linux: + HandlerInfoOffset; ACPICA: + 38: equal */
      const rp_prmt_handler_in *w = &m->handlers[j];
      RP_FUZZ_ASSERT(g16(h) == 0 && g16(h + 2) == 44 && memcmp(h + 4, &w->guid, 16) == 0);
      RP_FUZZ_ASSERT(rp_le64(h + 20) == w->address && rp_le64(h + 28) == w->static_data_buffer &&
                     rp_le64(h + 36) == w->acpi_param_buffer);
    }
    off += g16(p + 2);                                /* Linux stride */
    acpica += 38 + 44 * (uint32_t)m->handler_count;   /* ACPICA stride */
    mods++;
  }
  RP_FUZZ_ASSERT(mods == count && off == n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  rp_fuzz_config cfg;
  size_t len = rp_fuzz_begin(data, size, &cfg);
  static set s;
  cursor c = { data, len, 0 };
  uint8_t *t = NULL;
  uint32_t n = 0;
  rp_diag d;
  memset(&s.in, 0, sizeof(s.in));
  memset(s.m, 0, sizeof(s.m));
  decode(&c, &s); /* writes every handler entry it uses */
  rp_reason want = model(&s);
  EFI_STATUS st = rp_prmt_build_alloc(&s.in, &t, &n, &d);
  if (st == EFI_OUT_OF_RESOURCES) {
    RP_FUZZ_ASSERT(t == NULL && d.reason == RP_R_OUT_OF_RESOURCES);
    goto out;
  }
  RP_FUZZ_ASSERT(d.reason == want);
  if (EFI_ERROR(st)) {
    RP_FUZZ_ASSERT(t == NULL && n == 0);
    goto out;
  }
  uint64_t expect = 60;
  for (uint32_t i = 0; i < s.in.module_count; i++) expect += 38 + 44ull * s.m[i].handler_count;
  RP_FUZZ_ASSERT(n == expect && rp_le32(t + 4) == n && rp_acpi_checksum(rp_bytes_of(t, n)) == 0);
  walk_back(&s, t, n);
  rp_prmt_info info;
  st = rp_prmt_check(rp_bytes_of(t, n), &info, &d);
  if (st != EFI_OUT_OF_RESOURCES) {
    RP_FUZZ_ASSERT(st == EFI_SUCCESS && info.walks_agree);
    RP_FUZZ_ASSERT(info.linux_modules == s.in.module_count && info.acpica_modules == s.in.module_count);
  }
  rp_plat_free_pool(t);
out:
  rp_fuzz_end();
  return 0;
}
