/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Fuzz target "runtime_lists": ImageHead/EventHead shapes and corruptions
 * through SetVirtualAddressMap (docs/runtime.md, "List walking").
 *
 * Memory: R (runtime data, 32 KiB in 256 slots of 128 bytes, plus a page
 * of slack past the described end), T (runtime data: gST/gRT), C (runtime
 * code) and B (boot-services data, not in the map). The virtual map gives
 * R, T and C different deltas; no ExitBootServices map is recorded.
 *
 * Input: u8 images (0..8) | u8 events (0..32) | u16 slot rotation |
 *        per node: u8 flags (low 3 bits: offset inside the slot in 8-byte steps;
 *        events: bit 3 = VA-change type, bit 4 = NULL NotifyFunction) |
 *        then 4-byte corruption ops until the end | trailer (fuzz.h;
 *        options bit 0: AtRuntime FALSE).
 * Nodes are written aligned in their own slots (never overlapping), linked in
 * order; ops then rewrite links of nodes and heads to other nodes, a head,
 * NULL, an arbitrary (possibly unaligned) place in R, or B / C / a low
 * address.
 *
 * Oracle: no crash and no loop; the status, reason and index equal those of
 * an independent reference walk written here from the documentation; a
 * rejection leaves R, T, C, B and the protocol unchanged and makes no
 * callback; a success calls exactly the VA-change events of the reference
 * walk, in its order, with their EFI_EVENT values, and writes nothing in R,
 * C or B.
 */
#include <string.h>

#include "fuzz.h"
#include "rtprm/platform.h"
#include "rtprm/runtime.h"

#define SLOT 128u
#define NSLOTS 256u
#define R_BYTES (NSLOTS * SLOT)
#define R_ALLOC (R_BYTES + EFI_PAGE_SIZE) /* slack past the described end */
#define MAX_IMG 8u
#define MAX_EVT 32u
#define MAX_CALLS 64u

typedef struct region {
  uint8_t *p;
  size_t len; /* described length */
} region;

static region R, T, C, B;
static struct {
  uint32_t n;
  const void *ctx[MAX_CALLS];
  EFI_EVENT ev[MAX_CALLS];
} calls;

static VOID EFIAPI on_vac(EFI_EVENT e, VOID *ctx) {
  if (calls.n < MAX_CALLS) {
    calls.ctx[calls.n] = ctx;
    calls.ev[calls.n] = e;
  }
  calls.n++;
}

/* ---- the independent reference walk ------------------------------------------------- */

typedef struct ref {
  EFI_STATUS status;
  rp_reason reason;
  uint64_t index;
  uint32_t n;            /* entries walked */
  uint8_t *entry[RP_RT_MAX_LIST_ENTRIES + 1];
} ref;

static bool in_region(const region *g, uintptr_t a, size_t n) {
  uintptr_t b = (uintptr_t)g->p;
  return a >= b && a - b <= g->len && n <= g->len - (a - b);
}

static bool in_rt_data(uintptr_t a, size_t n) { return in_region(&R, a, n) || in_region(&T, a, n); }

static bool ref_fail(ref *f, EFI_STATUS s, rp_reason r, uint64_t i) {
  f->status = s;
  f->reason = r;
  f->index = i;
  return false;
}

static bool ref_walk(EFI_LIST_ENTRY *head, size_t link_off, size_t size, unsigned id, ref *f) {
  EFI_LIST_ENTRY *prev = head, *cur = head->ForwardLink;
  uint64_t base = (uint64_t)id << 32;
  f->n = 0;
  while (cur != head) {
    uint32_t pos = f->n;
    if (pos >= RP_RT_MAX_LIST_ENTRIES) return ref_fail(f, EFI_VOLUME_CORRUPTED, RP_R_RT_LIST_TOO_LONG, base + pos);
    if (cur == NULL) return ref_fail(f, EFI_VOLUME_CORRUPTED, RP_R_RT_LIST_NULL_LINK, base + pos);
    if ((uintptr_t)cur & 7u) return ref_fail(f, EFI_VOLUME_CORRUPTED, RP_R_RT_LIST_UNALIGNED, base + pos);
    if ((uintptr_t)cur < link_off || !in_rt_data((uintptr_t)cur - link_off, size))
      return ref_fail(f, EFI_VOLUME_CORRUPTED, RP_R_RT_LIST_NOT_RUNTIME_DATA, base + pos);
    if (cur->BackLink != prev) {
      for (uint32_t k = 0; k < pos; k++) {
        if (f->entry[k] + link_off == (uint8_t *)cur)
          return ref_fail(f, EFI_VOLUME_CORRUPTED, RP_R_RT_LIST_CYCLE, base + pos);
      }
      return ref_fail(f, EFI_VOLUME_CORRUPTED, RP_R_RT_LIST_BACKLINK, base + pos);
    }
    if (pos < sizeof(f->entry) / sizeof(f->entry[0])) f->entry[pos] = (uint8_t *)cur - link_off;
    f->n++;
    prev = cur;
    cur = cur->ForwardLink;
  }
  if (head->BackLink != prev) return ref_fail(f, EFI_VOLUME_CORRUPTED, RP_R_RT_LIST_TAIL, base + f->n);
  return true;
}

/* ---- building the lists ----------------------------------------------------------------- */

typedef struct cursor {
  const uint8_t *p;
  size_t n;
} cursor;

static uint8_t take(cursor *c) {
  if (c->n == 0) return 0;
  c->n--;
  return *c->p++;
}

static void link_tail(EFI_LIST_ENTRY *head, EFI_LIST_ENTRY *n) {
  n->ForwardLink = head;
  n->BackLink = head->BackLink;
  head->BackLink->ForwardLink = n;
  head->BackLink = n;
}

typedef struct world {
  rp_runtime *rt;
  EFI_LIST_ENTRY *node[MAX_IMG + MAX_EVT];
  uint32_t n_img, n_evt;
} world;

static void build_nodes(world *w, cursor *c) {
  uint32_t rot = take(c) | (uint32_t)take(c) << 8;
  for (uint32_t k = 0; k < w->n_img + w->n_evt; k++) {
    uint8_t fl = take(c);
    uint8_t *slot = R.p + ((k + rot) % NSLOTS) * SLOT + (fl & 7u) * 8u; /* never overlapping */
    bool is_img = k < w->n_img;
    if (is_img) {
      EFI_RUNTIME_IMAGE_ENTRY *e = (EFI_RUNTIME_IMAGE_ENTRY *)slot; /* base/size 0: RT_IMAGE_RANGE */
      memset(e, 0, sizeof(*e));
      w->node[k] = &e->Link;
      link_tail(&w->rt->proto.ImageHead, &e->Link);
    } else {
      EFI_RUNTIME_EVENT_ENTRY *e = (EFI_RUNTIME_EVENT_ENTRY *)slot;
      memset(e, 0, sizeof(*e));
      e->Type = (fl & 8u) ? EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE : EVT_RUNTIME | EVT_NOTIFY_SIGNAL;
      e->NotifyFunction = (fl & 16u) ? NULL : on_vac;
      e->NotifyContext = slot;
      e->Event = (EFI_EVENT *)(uintptr_t)(0xE0000000u + k * 16u);
      w->node[k] = &e->Link;
      link_tail(&w->rt->proto.EventHead, &e->Link);
    }
  }
}

static EFI_LIST_ENTRY *target(world *w, uint8_t kind, uint8_t c, bool img_list) {
  uint32_t nodes = w->n_img + w->n_evt;
  switch (kind & 7u) {
  case 0: return nodes ? w->node[c % nodes] : NULL;
  case 1: return img_list ? &w->rt->proto.ImageHead : &w->rt->proto.EventHead;
  case 2: return img_list ? &w->rt->proto.EventHead : &w->rt->proto.ImageHead;
  case 3: return NULL;
  case 4: /* anywhere in R or its slack, any alignment */
    return (EFI_LIST_ENTRY *)(R.p + ((size_t)c * 509u + (size_t)(kind >> 3) * 17u) % (R_BYTES + 64u));
  case 5: return (EFI_LIST_ENTRY *)(B.p + (kind >> 3) * 8u);
  case 6: return (EFI_LIST_ENTRY *)(C.p + (kind >> 3) * 8u);
  default: return (EFI_LIST_ENTRY *)(uintptr_t)(8u * (kind >> 3));
  }
}

/* Each op: u8 what | u8 node | u8 target kind | u8 target arg. */
static void corrupt(world *w, cursor *c) {
  while (c->n >= 4) {
    uint8_t what = take(c), who = take(c), kind = take(c), arg = take(c);
    uint32_t nodes = w->n_img + w->n_evt;
    bool img = (who & 0x80u) != 0;
    EFI_LIST_ENTRY *head = img ? &w->rt->proto.ImageHead : &w->rt->proto.EventHead;
    EFI_LIST_ENTRY *n = (what & 2u) || nodes == 0 ? head : w->node[who % nodes];
    EFI_LIST_ENTRY *t = target(w, kind, arg, img);
    if (what & 1u) n->BackLink = t;
    else n->ForwardLink = t;
  }
}

/* ---- the run ------------------------------------------------------------------------------ */

static bool alloc_region(region *g, EFI_MEMORY_TYPE type, size_t described, size_t alloc) {
  EFI_PHYSICAL_ADDRESS a;
  if (EFI_ERROR(rp_plat_alloc_pages(type, alloc / EFI_PAGE_SIZE, &a))) return false;
  g->p = (uint8_t *)(uintptr_t)a;
  g->len = described;
  memset(g->p, 0, alloc);
  return true;
}

static void free_region(region *g, size_t alloc) {
  if (g->p) rp_plat_free_pages((uintptr_t)g->p, alloc / EFI_PAGE_SIZE);
  g->p = NULL;
}

static void put(EFI_MEMORY_DESCRIPTOR *d, uint32_t type, const region *g, uint64_t virt) {
  d->Type = type;
  d->PhysicalStart = (uintptr_t)g->p;
  d->VirtualStart = virt;
  d->NumberOfPages = g->len / EFI_PAGE_SIZE;
  d->Attribute = EFI_MEMORY_RUNTIME;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
  const uint8_t *b = p;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001B3ull;
  return h;
}

static uint64_t hash_all(const rp_runtime *rt, bool with_tables) {
  uint64_t h = fnv(0xCBF29CE484222325ull, R.p, R_ALLOC);
  h = fnv(h, C.p, EFI_PAGE_SIZE);
  h = fnv(h, B.p, EFI_PAGE_SIZE);
  if (with_tables) h = fnv(fnv(h, T.p, EFI_PAGE_SIZE), &rt->proto, sizeof(rt->proto));
  return h;
}

static void check(rp_runtime *rt, world *w, EFI_STATUS st, const rp_diag *d, uint64_t h_all, uint64_t h_mem,
                  bool at_runtime) {
  static ref ri, re;
  memset(&ri, 0, sizeof(ri));
  memset(&re, 0, sizeof(re));
  EFI_STATUS want = EFI_SUCCESS;
  rp_reason why = RP_R_NONE;
  uint64_t idx = RP_DIAG_NO_INDEX;
  (void)w;
  if (!at_runtime) {
    want = EFI_UNSUPPORTED, why = RP_R_RT_NOT_AT_RUNTIME;
  } else if (!ref_walk(&rt->proto.ImageHead, offsetof(EFI_RUNTIME_IMAGE_ENTRY, Link), sizeof(EFI_RUNTIME_IMAGE_ENTRY),
                       RP_RT_LIST_IMAGES, &ri)) {
    want = ri.status, why = ri.reason, idx = ri.index;
  } else if (!ref_walk(&rt->proto.EventHead, offsetof(EFI_RUNTIME_EVENT_ENTRY, Link), sizeof(EFI_RUNTIME_EVENT_ENTRY),
                       RP_RT_LIST_EVENTS, &re)) {
    want = re.status, why = re.reason, idx = re.index;
  } else if (ri.n > 0) {
    const EFI_RUNTIME_IMAGE_ENTRY *e = (const EFI_RUNTIME_IMAGE_ENTRY *)ri.entry[0];
    if (e->ImageBase == NULL || e->ImageSize == 0) {
      want = EFI_VOLUME_CORRUPTED, why = RP_R_RT_IMAGE_RANGE, idx = rp_rt_entry_index(RP_RT_LIST_IMAGES, 0);
    } else {
      RP_FUZZ_ASSERT(EFI_ERROR(st)); /* an image list of fakes never passes */
    }
  } else {
    for (uint32_t k = 0; k < re.n; k++) {
      const EFI_RUNTIME_EVENT_ENTRY *e = (const EFI_RUNTIME_EVENT_ENTRY *)re.entry[k];
      if ((e->Type & EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE) == EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE &&
          e->NotifyFunction == NULL) {
        want = EFI_VOLUME_CORRUPTED, why = RP_R_RT_EVENT_NOTIFY_NULL, idx = rp_rt_entry_index(RP_RT_LIST_EVENTS, k);
        break;
      }
    }
  }
  if (!(at_runtime && ri.status == EFI_SUCCESS && ri.n > 0 && want == EFI_SUCCESS)) {
    RP_FUZZ_ASSERT(st == want);
    RP_FUZZ_ASSERT(d->reason == why);
    RP_FUZZ_ASSERT(d->index == idx);
  }
  if (EFI_ERROR(st)) {
    RP_FUZZ_ASSERT(calls.n == 0);
    RP_FUZZ_ASSERT(hash_all(rt, true) == h_all);
    return;
  }
  /* success: exactly the VA-change events of the reference walk, in order */
  uint32_t k = 0;
  for (uint32_t i = 0; i < re.n; i++) {
    const EFI_RUNTIME_EVENT_ENTRY *e = (const EFI_RUNTIME_EVENT_ENTRY *)re.entry[i];
    if ((e->Type & EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE) != EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE) continue;
    RP_FUZZ_ASSERT(k < calls.n && k < MAX_CALLS);
    RP_FUZZ_ASSERT(calls.ctx[k] == e->NotifyContext);
    RP_FUZZ_ASSERT(calls.ev[k] == (EFI_EVENT)e->Event);
    k++;
  }
  RP_FUZZ_ASSERT(k == calls.n);
  RP_FUZZ_ASSERT(rt->proto.VirtualMode);
  RP_FUZZ_ASSERT(hash_all(rt, false) == h_mem); /* nothing written outside the tables */
}

static void run(const uint8_t *data, size_t len, uint32_t options) {
  cursor c = { data, len };
  static world w;
  memset(&w, 0, sizeof(w));
  if (!alloc_region(&R, EfiRuntimeServicesData, R_BYTES, R_ALLOC) ||
      !alloc_region(&T, EfiRuntimeServicesData, EFI_PAGE_SIZE, EFI_PAGE_SIZE) ||
      !alloc_region(&C, EfiRuntimeServicesCode, EFI_PAGE_SIZE, EFI_PAGE_SIZE) ||
      !alloc_region(&B, EfiBootServicesData, EFI_PAGE_SIZE, EFI_PAGE_SIZE))
    return;
  EFI_RUNTIME_SERVICES *rs = (EFI_RUNTIME_SERVICES *)T.p;
  EFI_SYSTEM_TABLE *st = (EFI_SYSTEM_TABLE *)(T.p + 512);
  rs->Hdr.HeaderSize = sizeof(*rs);
  st->Hdr.HeaderSize = sizeof(*st);
  st->RuntimeServices = rs;
  rp_rt_config cfg = { st, 0 };
  if (EFI_ERROR(rp_rt_create(&cfg, &w.rt, NULL))) return;
  w.rt->proto.AtRuntime = (options & 1u) ? 0 : 1;
  w.n_img = take(&c) % (MAX_IMG + 1);
  w.n_evt = take(&c) % (MAX_EVT + 1);
  build_nodes(&w, &c);
  corrupt(&w, &c);

  EFI_MEMORY_DESCRIPTOR map[3];
  put(&map[0], EfiRuntimeServicesData, &R, 0xFFFF800000000000ull + ((uintptr_t)R.p & 0xFFFFFFF));
  put(&map[1], EfiRuntimeServicesData, &T, 0xFFFF900000000000ull + ((uintptr_t)T.p & 0xFFFFFFF));
  put(&map[2], EfiRuntimeServicesCode, &C, 0xFFFFA00000000000ull + ((uintptr_t)C.p & 0xFFFFFFF));
  uint64_t h_all = hash_all(w.rt, true), h_mem = hash_all(w.rt, false);
  rp_diag d;
  calls.n = 0;
  EFI_STATUS s = rp_rt_set_virtual_address_map(w.rt, sizeof(map), sizeof(map[0]), 1, map, &d);
  if (getenv("RTPRM_FUZZ_TRACE")) fprintf(stderr, "svam: %s %s 0x%llx, %u callbacks\n", rp_status_name(s), rp_reason_name(d.reason), (unsigned long long)d.index, calls.n);
  check(w.rt, &w, s, &d, h_all, h_mem, (options & 1u) == 0);
  rp_rt_destroy(w.rt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  rp_fuzz_config cfg;
  size_t len = rp_fuzz_begin(data, size, &cfg);
  run(data, len, cfg.options);
  free_region(&R, R_ALLOC);
  free_region(&T, EFI_PAGE_SIZE);
  free_region(&C, EFI_PAGE_SIZE);
  free_region(&B, EFI_PAGE_SIZE);
  rp_fuzz_end();
  return 0;
}
