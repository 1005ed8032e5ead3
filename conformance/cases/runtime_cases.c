/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Runtime AP provider conformance cases (requirements/runtime.json, RT-xxx;
 * docs/runtime.md holds the precedence these rows pin down).
 *
 * Default exec: the host DXE-core model boots with real images from
 * corpus/pe (one registered before the provider is installed), four events
 * and the tables; the OS builds a Linux-style virtual map with per-region
 * deltas. The row's mutation corrupts one thing, SetVirtualAddressMap runs,
 * and then:
 *   rejected  -> every byte the provider may write is unchanged, no callback
 *                ran, VirtualMode is FALSE; the pre-mutation state is
 *                restored and one correct call must succeed (RT-015);
 *   accepted  -> the OS's checks hold (every site and pointer converted once,
 *                events once in order) or the row's own post-condition, and
 *                a second call is EFI_UNSUPPORTED (RT-002).
 * ConvertPointer, CalculateCrc32 and creation rows have their own execs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"
#include "dxe_model.h"
#include "rtprm/spec/pecoff.h"
#include "rtprm/platform.h"
#include "rtprm/host/platform_host.h"

static const char *const kImages[] = {
  "seed-lld-x64-relocheavy.efi", /* registered before the provider is installed */
  "seed-lld-x64-hello.efi",
  "seed-mingw-x64-rtdriver.efi",
  "seed-lld-aa64-relocheavy.efi", /* SectionAlignment 64 KiB */
};
#define N_IMAGES 4u

enum {
  B_NO_EBS_MAP = 1u << 0, /* EDK II core: the protocol holds no map */
  B_CONTIG = 1u << 2,     /* runtime code as two descriptors the OS maps with one delta */
  B_XEN = 1u << 3,        /* non-runtime descriptors passed with VA ~0 */
  B_STRIDE40 = 1u << 4,
  B_STRIDE56 = 1u << 5,
  B_STRIDE64 = 1u << 6,
  B_BIG_DATA = 1u << 7,   /* 160 pages of runtime data */
};

typedef struct fx {
  dm_model m;
  uint8_t  vmap[DM_MAX_DESCS * 64 + 64];
  size_t   vsize, stride;
  uint32_t version;
  bool     null_map;
  uint8_t *big;           /* an oversized map (freed by the exec) */
  size_t   big_size;
} fx;

typedef struct rt_input {
  unsigned boot;
  void (*mutate)(fx *f);
  void (*post)(fx *f, rp_case_result *r); /* accepted calls; NULL: the OS's checks */
} rt_input;

/* ---- fixture ------------------------------------------------------------------- */

static EFI_STATUS load(fx *f, const char *name) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/%s", RTPRM_PE_SEED_DIR, name);
  return dm_load_image_file(&f->m, path, NULL);
}

static EFI_STATUS boot(fx *f, unsigned flags) {
  static const EFI_GUID vac = RP_GUID_EVENT_GROUP_VIRTUAL_ADDRESS_CHANGE;
  dm_config cfg = { 0, (flags & B_BIG_DATA) ? 160 : 0, 0, (flags & B_CONTIG) ? 4 : 0 };
  EFI_STATUS st = dm_init(&f->m, &cfg);
  if (!EFI_ERROR(st)) st = load(f, kImages[0]);
  if (!EFI_ERROR(st)) st = dm_create_event(&f->m, EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE, NULL, true, NULL);
  if (!EFI_ERROR(st)) st = dm_install_protocol(&f->m);
  for (size_t i = 1; i < N_IMAGES && !EFI_ERROR(st); i++) st = load(f, kImages[i]);
  if (!EFI_ERROR(st)) st = dm_create_event(&f->m, EVT_NOTIFY_SIGNAL, &vac, true, NULL);
  if (!EFI_ERROR(st)) st = dm_create_event(&f->m, EVT_RUNTIME | EVT_NOTIFY_SIGNAL, NULL, false, NULL);
  if (!EFI_ERROR(st)) st = dm_create_event(&f->m, EVT_NOTIFY_SIGNAL, NULL, false, NULL);
  if (!EFI_ERROR(st)) st = dm_exit_boot_services(&f->m, (flags & B_NO_EBS_MAP) == 0);
  if (EFI_ERROR(st)) return st;
  dm_os_assign(&f->m, (flags & B_CONTIG) ? 1 : 0);
  f->stride = (flags & B_STRIDE40) ? 40 : (flags & B_STRIDE56) ? 56 : (flags & B_STRIDE64) ? 64 : 48;
  f->vsize = dm_os_vmap(&f->m, f->vmap, sizeof(f->vmap), f->stride, (flags & B_XEN) != 0);
  f->version = EFI_MEMORY_DESCRIPTOR_VERSION;
  return EFI_SUCCESS;
}

static EFI_STATUS call(fx *f, rp_diag *d) {
  const void *map = f->null_map ? NULL : f->big ? f->big : f->vmap;
  size_t size = f->big ? f->big_size : f->vsize;
  rp_diag_clear(d);
  return rp_rt_set_virtual_address_map(f->m.rt, size, f->stride, f->version, map, d);
}

static EFI_MEMORY_DESCRIPTOR *vd(fx *f, size_t i) { return (EFI_MEMORY_DESCRIPTOR *)(f->vmap + i * f->stride); }
static EFI_LIST_ENTRY *ihead(fx *f) { return &f->m.rt->proto.ImageHead; }
static EFI_LIST_ENTRY *ehead(fx *f) { return &f->m.rt->proto.EventHead; }
static EFI_RUNTIME_IMAGE_ENTRY *img(fx *f, size_t i) { return f->m.img[i].entry; }
static EFI_RUNTIME_EVENT_ENTRY *ev(fx *f, size_t i) { return f->m.ev[i].entry; }
static uint8_t *region_end(fx *f, int r) { return f->m.r[r].base + f->m.r[r].pages * EFI_PAGE_SIZE; }

/* Everything a rejected call must not change, to restore for the retry. */
typedef struct saved {
  uint8_t *r[DM_R_COUNT];
  EFI_RUNTIME_ARCH_PROTOCOL proto;
  uint64_t self;
  uint8_t vmap[sizeof(((fx *)0)->vmap)];
  size_t vsize, stride;
} saved;

static bool save(fx *f, saved *s) {
  for (int i = 0; i < DM_R_COUNT; i++) {
    s->r[i] = malloc(f->m.r[i].pages * EFI_PAGE_SIZE);
    if (s->r[i] == NULL) return false;
    memcpy(s->r[i], f->m.r[i].base, f->m.r[i].pages * EFI_PAGE_SIZE);
  }
  s->proto = f->m.rt->proto;
  s->self = f->m.rt->self_image_base;
  memcpy(s->vmap, f->vmap, sizeof(f->vmap));
  s->vsize = f->vsize;
  s->stride = f->stride;
  return true;
}

static void restore(fx *f, const saved *s) {
  for (int i = 0; i < DM_R_COUNT; i++) memcpy(f->m.r[i].base, s->r[i], f->m.r[i].pages * EFI_PAGE_SIZE);
  f->m.rt->proto = s->proto;
  f->m.rt->self_image_base = s->self;
  memcpy(f->vmap, s->vmap, sizeof(f->vmap));
  f->vsize = s->vsize;
  f->stride = s->stride;
  f->version = EFI_MEMORY_DESCRIPTOR_VERSION;
  f->null_map = false;
  free(f->big);
  f->big = NULL;
}

static void unsave(saved *s) {
  for (int i = 0; i < DM_R_COUNT; i++) free(s->r[i]);
}

static void os_checks(fx *f, rp_case_result *r) {
  char why[256];
  if (!dm_os_verify(&f->m, why, sizeof(why))) rp_case_fail(r, "%s", why);
}

static uint32_t callbacks(const fx *f) {
  uint32_t n = 0;
  for (size_t i = 0; i < f->m.n_ev; i++) n += f->m.ev[i].ctx->calls;
  return n;
}

static void check_rejected(fx *f, const saved *s, uint64_t h, rp_case_result *r) {
  rp_diag d;
  if (dm_state_hash(&f->m) != h) rp_case_fail(r, "the rejected call changed state (RT-015)");
  if (f->m.rt->in_svam || callbacks(f) != 0) rp_case_fail(r, "the rejected call committed (RT-015)");
  restore(f, s);
  dm_snapshot_tables(&f->m);
  EFI_STATUS st = call(f, &d);
  if (st != EFI_SUCCESS) {
    rp_case_fail(r, "the corrected call returned %s (%s) (RT-015)", rp_status_name(st), rp_reason_name(d.reason));
    return;
  }
  os_checks(f, r);
}

static void check_accepted(fx *f, const rt_input *in, rp_case_result *r) {
  rp_diag d;
  if (in->post) in->post(f, r);
  else os_checks(f, r);
  uint64_t h = dm_state_hash(&f->m);
  EFI_STATUS st = call(f, &d);
  if (st != EFI_UNSUPPORTED || d.reason != RP_R_RT_ALREADY_VIRTUAL || dm_state_hash(&f->m) != h)
    rp_case_fail(r, "a second call was not a clean EFI_UNSUPPORTED (RT-002)");
}

static void exec_svam(const rp_case *c, rp_case_result *r) {
  const rt_input *in = c->input;
  fx *f = calloc(1, sizeof(*f));
  saved s;
  rp_diag d;
  memset(&s, 0, sizeof(s));
  rp_host_log_quiet(1);
  rp_diag_clear(&d);
  if (f == NULL) {
    rp_case_fail(r, "setup: host memory");
    goto out;
  }
  if (!rp_case_step(r, boot(f, in->boot), &d, "setup: booting the model")) goto out;
  if (!save(f, &s)) {
    rp_case_fail(r, "setup: host memory for the snapshot");
    goto out;
  }
  if (in->mutate) in->mutate(f);
  dm_snapshot_tables(&f->m);
  uint64_t h = dm_state_hash(&f->m);
  rp_case_observe(r, call(f, &d), &d);
  if (EFI_ERROR(r->status)) check_rejected(f, &s, h, r);
  else check_accepted(f, in, r);
out:
  rp_host_log_quiet(0);
  unsave(&s);
  if (f) {
    free(f->big);
    dm_destroy(&f->m);
  }
  free(f);
}

/* ---- mutations: call parameters and the virtual map ------------------------------ */

static void m_not_at_runtime(fx *f) { f->m.rt->proto.AtRuntime = 0; }
static void m_virtual_mode(fx *f) { f->m.rt->proto.VirtualMode = 1; }
static void m_version0(fx *f) { f->version = 0; }
static void m_version2(fx *f) { f->version = 2; }
static void m_size32(fx *f) { f->stride = 32; }
static void m_size44(fx *f) { f->stride = 44; }
static void m_null_map(fx *f) { f->null_map = true; }
static void m_size_plus8(fx *f) { f->vsize += 8; }
static void m_size_minus1(fx *f) { f->vsize -= 1; }
static void m_va_unaligned(fx *f) { vd(f, 1)->VirtualStart += 0x800; }
static void m_va_overlap(fx *f) { vd(f, 1)->VirtualStart = vd(f, 0)->VirtualStart + EFI_PAGE_SIZE; }
static void m_pa_overlap(fx *f) { vd(f, 2)->PhysicalStart = vd(f, 1)->PhysicalStart; }
static void m_va_overflow(fx *f) { vd(f, 0)->VirtualStart = 0xFFFFFFFFFFFFF000ull; }
static void m_pa_overflow(fx *f) {
  vd(f, 2)->PhysicalStart = 0xFFFFFFFFFFFFF000ull;
  vd(f, 2)->NumberOfPages = 2;
}
static void m_zero_pages(fx *f) { vd(f, 2)->NumberOfPages = 0; }
static void m_pa_unaligned(fx *f) { vd(f, 2)->PhysicalStart += 0x10; }
static void m_bad_type(fx *f) { vd(f, 2)->Type = 0x6FFFFFFFu; }
static void m_drop_mmio(fx *f) { f->vsize -= f->stride; } /* the last descriptor */
static void m_shrink_data(fx *f) { vd(f, 1)->NumberOfPages -= 1; }
static void append(fx *f, uint32_t type, uint64_t phys, uint64_t virt, uint64_t pages, uint64_t attr) {
  EFI_MEMORY_DESCRIPTOR d = { type, phys, virt, pages, attr };
  memset(f->vmap + f->vsize, 0, f->stride);
  memcpy(f->vmap + f->vsize, &d, sizeof(d));
  f->vsize += f->stride;
}
static void m_extra_unknown(fx *f) {
  append(f, EfiMemoryMappedIO, 0xFFFFE00000000000ull, DM_KVA + 0x7000000000ull, 1, EFI_MEMORY_RUNTIME);
}
static void m_mmio_grown(fx *f) { vd(f, 2)->NumberOfPages = 2; }
static void m_boot_as_runtime(fx *f) {
  append(f, EfiBootServicesData, (uintptr_t)f->m.r[DM_R_BOOT].base, DM_KVA + 0x7000000000ull,
         f->m.r[DM_R_BOOT].pages, EFI_MEMORY_RUNTIME);
}
static void m_xen_garbage(fx *f) { /* the boot-services descriptor (index 2 of a Xen map) */
  vd(f, 2)->PhysicalStart = 0x123;
  vd(f, 2)->NumberOfPages = 0;
  vd(f, 2)->Type = 0x6FFFFFFFu;
}
static void m_ebs_version(fx *f) { f->m.rt->proto.MemoryDesciptorVersion = 7; }
static void m_ebs_unaligned(fx *f) { f->m.ebs_map[0].PhysicalStart += 1; } /* stride 48 == sizeof + 8: use byte offset */
static void m_too_many(fx *f) {
  f->big_size = 8193u * f->stride;
  f->big = calloc(1, f->big_size);
}
/* Linux x86 maps runtime regions top-down: the descriptors reach us in
 * reverse order. */
static void m_reverse(fx *f) {
  size_t n = f->vsize / f->stride;
  uint8_t tmp[64];
  for (size_t i = 0; i < n / 2; i++) {
    memcpy(tmp, f->vmap + i * f->stride, f->stride);
    memcpy(f->vmap + i * f->stride, f->vmap + (n - 1 - i) * f->stride, f->stride);
    memcpy(f->vmap + (n - 1 - i) * f->stride, tmp, f->stride);
  }
}
/* A driver built by GNU ld with HIGHLOW and DIR64 entries: the EDK II record
 * pads each to its own alignment. */
static void m_highlow_image(fx *f) { (void)load(f, "seed-mingw-x64-highlow.efi"); }
static void p_highlow_image(fx *f, rp_case_result *r) {
  os_checks(f, r);
  if (f->m.n_img != N_IMAGES + 1 || f->m.img[N_IMAGES].load.by_type[IMAGE_REL_BASED_HIGHLOW] == 0)
    rp_case_fail(r, "setup: the HIGHLOW image was not loaded");
  if (f->m.rt->stats.images_relocated != N_IMAGES + 1) rp_case_fail(r, "not every image was re-relocated");
}
/* precedence */
static void m_version_not_runtime(fx *f) { m_version0(f); m_not_at_runtime(f); }
static void m_unaligned_and_nomap(fx *f) { m_va_unaligned(f); m_drop_mmio(f); }
static void m_nomap_and_notfound(fx *f) { m_drop_mmio(f); m_extra_unknown(f); }

/* ---- mutations: lists ----------------------------------------------------------- */

static void m_img_null_link(fx *f) { img(f, 0)->Link.ForwardLink = NULL; }
static void m_evt_head_null(fx *f) { ehead(f)->ForwardLink = NULL; }
static void m_img_unaligned(fx *f) { img(f, 0)->Link.ForwardLink = (EFI_LIST_ENTRY *)((uint8_t *)&img(f, 1)->Link + 4); }
static uint64_t outside_object[16];
static void m_img_outside(fx *f) { img(f, 1)->Link.ForwardLink = (EFI_LIST_ENTRY *)&outside_object[8]; }
static void m_img_in_boot(fx *f) {
  img(f, 1)->Link.ForwardLink = (EFI_LIST_ENTRY *)(f->m.r[DM_R_BOOT].base + 0x100);
}
static void m_evt_in_code(fx *f) { ev(f, 0)->Link.ForwardLink = (EFI_LIST_ENTRY *)(f->m.r[DM_R_CODE].base + 0x100); }
static void m_evt_straddle(fx *f) { /* Link in the last bytes of runtime data: the entry runs past */
  ev(f, 0)->Link.ForwardLink = (EFI_LIST_ENTRY *)(region_end(f, DM_R_DATA) - 8);
}
static void m_img_low(fx *f) { img(f, 0)->Link.ForwardLink = (EFI_LIST_ENTRY *)(uintptr_t)0x10; }
static void m_img_backlink(fx *f) { img(f, 2)->Link.BackLink = &img(f, 0)->Link; }
static void m_evt_cycle(fx *f) { ev(f, 1)->Link.ForwardLink = &ev(f, 0)->Link; }
static void m_img_self_loop(fx *f) { img(f, 0)->Link.ForwardLink = &img(f, 0)->Link; }
static void m_img_tail(fx *f) { ihead(f)->BackLink = &img(f, 0)->Link; }
static void m_evt_empty_tail(fx *f) {
  ehead(f)->ForwardLink = ehead(f);
  ehead(f)->BackLink = &ev(f, 0)->Link;
}
static void m_evt_too_long(fx *f) {
  for (size_t i = 0; i < RP_RT_MAX_LIST_ENTRIES; i++) {
    EFI_RUNTIME_EVENT_ENTRY *e = dm_alloc(&f->m, DM_R_DATA, sizeof(*e), 8);
    if (e == NULL) return; /* the case then fails: the list is not long enough */
    memset(e, 0, sizeof(*e));
    e->Type = EVT_RUNTIME;
    e->Link.ForwardLink = ehead(f);
    e->Link.BackLink = ehead(f)->BackLink;
    ehead(f)->BackLink->ForwardLink = &e->Link;
    ehead(f)->BackLink = &e->Link;
  }
}
static void m_both_lists(fx *f) { m_evt_cycle(f); m_img_backlink(f); }
static void m_evt_struct_img_entry(fx *f) { m_evt_cycle(f); img(f, 0)->ImageSize = 0; }
static void m_img_entry_and_table(fx *f) {
  img(f, 1)->ImageSize = 0;
  f->m.rs->GetTime = (EFI_GET_TIME)(uintptr_t)(f->m.r[DM_R_BOOT].base + 0x10);
}
static void m_nomap_and_list(fx *f) { m_drop_mmio(f); m_img_backlink(f); }

/* ---- mutations: events -------------------------------------------------------------- */

static void m_event_types(fx *f) {
  (void)dm_create_event(&f->m, EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE | EVT_TIMER, NULL, false, NULL); /* signalled */
  (void)dm_create_event(&f->m, 0x40000202u, NULL, false, NULL); /* no EVT_RUNTIME_CONTEXT: not signalled */
  (void)dm_create_event(&f->m, EVT_RUNTIME_CONTEXT | EVT_NOTIFY_SIGNAL | 2, NULL, false, NULL); /* not registered */
}
static void m_notify_null(fx *f) { ev(f, 0)->NotifyFunction = NULL; }
static void m_notify_null_plain(fx *f) { ev(f, 2)->NotifyFunction = NULL; } /* EVT_RUNTIME only: never called */

static EFI_STATUS reentry_status;
static rp_reason reentry_reason;
static VOID EFIAPI reentrant_cb(EFI_EVENT e, VOID *ctx) {
  fx *f = ctx;
  rp_diag d;
  (void)e;
  reentry_status = call(f, &d);
  reentry_reason = d.reason;
}
static void m_reentrant(fx *f) {
  EFI_RUNTIME_EVENT_ENTRY *e = dm_alloc(&f->m, DM_R_DATA, sizeof(*e), 8);
  if (e == NULL) return;
  memset(e, 0, sizeof(*e));
  e->Type = EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE;
  e->NotifyFunction = reentrant_cb;
  e->NotifyContext = f;
  e->Link.ForwardLink = ehead(f);
  e->Link.BackLink = ehead(f)->BackLink;
  ehead(f)->BackLink->ForwardLink = &e->Link;
  ehead(f)->BackLink = &e->Link;
  reentry_status = EFI_SUCCESS;
}
static void p_reentrant(fx *f, rp_case_result *r) {
  os_checks(f, r);
  if (reentry_status != EFI_UNSUPPORTED || reentry_reason != RP_R_RT_ALREADY_VIRTUAL)
    rp_case_fail(r, "SetVirtualAddressMap from a callback returned %s", rp_status_name(reentry_status));
}

static void p_event_counts(fx *f, rp_case_result *r) {
  os_checks(f, r);
  if (f->m.rt->stats.events_signalled != 2) rp_case_fail(r, "%llu events signalled, expected 2",
                                                        (unsigned long long)f->m.rt->stats.events_signalled);
}
static void p_event_types(fx *f, rp_case_result *r) {
  os_checks(f, r);
  if (f->m.rt->stats.events_signalled != 3) rp_case_fail(r, "%llu events signalled, expected 3",
                                                        (unsigned long long)f->m.rt->stats.events_signalled);
}

/* ---- mutations: images ---------------------------------------------------------------- */

static void m_img_in_bootmem(fx *f) {
  img(f, 1)->ImageBase = f->m.r[DM_R_BOOT].base;
  img(f, 1)->ImageSize = EFI_PAGE_SIZE;
}
static void m_img_past_code(fx *f) {
  img(f, 3)->ImageSize = (uint64_t)(region_end(f, DM_R_CODE) - (uint8_t *)img(f, 3)->ImageBase) + EFI_PAGE_SIZE;
}
static void m_img_size0(fx *f) { img(f, 1)->ImageSize = 0; }
static void m_img_base_null(fx *f) { img(f, 2)->ImageBase = NULL; }
static void m_img_wrap(fx *f) { img(f, 1)->ImageSize = UINT64_MAX; }
static void m_rec_null(fx *f) { img(f, 0)->RelocationData = NULL; }
static void m_rec_in_code(fx *f) { img(f, 0)->RelocationData = f->m.r[DM_R_CODE].base; }
static void m_rec_past_data(fx *f) { img(f, 0)->RelocationData = region_end(f, DM_R_DATA) - 64; }
static void m_pe_signature(fx *f) {
  uint8_t *b = img(f, 1)->ImageBase;
  uint32_t lfanew;
  memcpy(&lfanew, b + 0x3C, 4);
  b[lfanew] = 'X';
}
static void m_pe_base(fx *f) { /* the header's ImageBase no longer the load address */
  uint8_t *b = img(f, 2)->ImageBase;
  uint32_t lfanew;
  uint64_t base;
  memcpy(&lfanew, b + 0x3C, 4);
  memcpy(&base, b + lfanew + 24 + 24, 8);
  base += 0x10000;
  memcpy(b + lfanew + 24 + 24, &base, 8);
}
/* Image 1's mapped headers: the PE header offset, the base-relocation
 * directory (PE32+: optional header + 112 + 5 * 8) and the COFF flags. */
static uint8_t *pe_hdr(fx *f) {
  uint8_t *b = img(f, 1)->ImageBase;
  uint32_t lfanew;
  memcpy(&lfanew, b + 0x3C, 4);
  return b + lfanew;
}
static uint8_t *reloc_dir(fx *f) { return pe_hdr(f) + 24 + 112 + 5 * 8; }
static void m_reloc_block_short(fx *f) { /* first block's SizeOfBlock below its own 8-byte header */
  uint32_t rva, sz = 4;
  memcpy(&rva, reloc_dir(f), 4);
  memcpy((uint8_t *)img(f, 1)->ImageBase + rva + 4, &sz, 4);
}
static char log_buf[16384];
static void m_log(fx *f);
static uint8_t *norelocs_copy;
static void m_no_relocs(fx *f) { /* an empty directory, not RELOCS_STRIPPED (OVMF 2022.11) */
  memset(reloc_dir(f), 0, 8);
  free(norelocs_copy);
  norelocs_copy = malloc(f->m.img[1].size);
  if (norelocs_copy) memcpy(norelocs_copy, img(f, 1)->ImageBase, f->m.img[1].size);
  m_log(f);
}
/* Moved without fixups (finding PE_RELOCS_ABSENT, logged): only the header
 * ImageBase follows the image to its virtual base. */
static void p_no_relocs(fx *f, rp_case_result *r) {
  const uint8_t *now = img(f, 1)->ImageBase;
  size_t base_at = (size_t)(pe_hdr(f) - now) + 24 + 24;
  uint64_t was = 0, is = 0;
  rp_host_log_capture(NULL, 0);
  rp_log_set_level(RP_LOG_WARN);
  rp_host_log_quiet(1);
  if (norelocs_copy == NULL || memcmp(norelocs_copy, now, base_at) != 0 ||
      memcmp(norelocs_copy + base_at + 8, now + base_at + 8, f->m.img[1].size - base_at - 8) != 0)
    rp_case_fail(r, "the image without relocations was changed beyond its header ImageBase");
  if (norelocs_copy != NULL) memcpy(&was, norelocs_copy + base_at, 8);
  memcpy(&is, now + base_at, 8);
  if (is == was) rp_case_fail(r, "the header ImageBase did not follow the image");
  if (strstr(log_buf, "runtime: image 1 finding PE_RELOCS_ABSENT") == NULL) rp_case_fail(r, "the finding was not logged");
  free(norelocs_copy);
  norelocs_copy = NULL;
  if (f->m.rt->stats.images_relocated != N_IMAGES || f->m.rt->stats.images_failed != 0)
    rp_case_fail(r, "relocated %llu, failed %llu", (unsigned long long)f->m.rt->stats.images_relocated,
                 (unsigned long long)f->m.rt->stats.images_failed);
  if (f->m.rt->stats.pointers_converted != 15) rp_case_fail(r, "expected 15 conversions");
}
static void m_no_relocs_stripped(fx *f) {
  uint16_t ch;
  memset(reloc_dir(f), 0, 8);
  memcpy(&ch, pe_hdr(f) + 4 + 18, 2);
  ch |= IMAGE_FILE_RELOCS_STRIPPED;
  memcpy(pe_hdr(f) + 4 + 18, &ch, 2);
}
static void m_rec_wrap(fx *f) { img(f, 0)->RelocationData = (void *)(UINTPTR_MAX & ~(uintptr_t)7); }
static void m_img_link_top(fx *f) { /* aligned, but the entry's end wraps past 2^64 */
  img(f, 0)->Link.ForwardLink = (EFI_LIST_ENTRY *)(UINTPTR_MAX & ~(uintptr_t)7);
}
static void m_split_apart(fx *f) { vd(f, 1)->VirtualStart += 64 * (1ull << 30); }
static void m_code_va_4k(fx *f) { vd(f, 0)->VirtualStart += EFI_PAGE_SIZE; } /* 64 KiB image cannot take it */

static uint64_t skip_site;
static uint64_t site_value(fx *f, uint64_t off) {
  uint64_t v;
  memcpy(&v, (uint8_t *)img(f, 0)->ImageBase + off, 8);
  return v;
}
static const uint64_t kMark = 0x1122334455667788ull;
static void m_changed_site(fx *f) {
  const uint64_t *rec = img(f, 0)->RelocationData;
  skip_site = 0;
  for (uint64_t off = EFI_PAGE_SIZE; off + 8 <= f->m.img[0].size; off += 8) {
    if (site_value(f, off) == rec[0]) {
      skip_site = off;
      break;
    }
  }
  if (skip_site) memcpy((uint8_t *)img(f, 0)->ImageBase + skip_site, &kMark, 8);
}
static void p_changed_site(fx *f, rp_case_result *r) {
  if (skip_site == 0 || site_value(f, skip_site) != kMark) rp_case_fail(r, "the changed site was re-relocated");
  if (f->m.rt->stats.sites_skipped != 1) rp_case_fail(r, "%llu sites skipped, expected 1",
                                                     (unsigned long long)f->m.rt->stats.sites_skipped);
}

static uint8_t *self_copy;
static void m_self(fx *f) {
  f->m.rt->self_image_base = (uintptr_t)img(f, 0)->ImageBase;
  free(self_copy);
  self_copy = malloc(f->m.img[0].size);
  if (self_copy) memcpy(self_copy, img(f, 0)->ImageBase, f->m.img[0].size);
}
static void p_self(fx *f, rp_case_result *r) {
  if (self_copy == NULL || memcmp(self_copy, img(f, 0)->ImageBase, f->m.img[0].size) != 0)
    rp_case_fail(r, "the provider's own image was touched");
  if (f->m.rt->stats.images_self != 1 || f->m.rt->stats.images_relocated != N_IMAGES - 1)
    rp_case_fail(r, "self %llu, relocated %llu", (unsigned long long)f->m.rt->stats.images_self,
                 (unsigned long long)f->m.rt->stats.images_relocated);
  free(self_copy);
  self_copy = NULL;
}

static uint64_t flushes_before;
static void m_log(fx *f) {
  (void)f;
  log_buf[0] = 0;
  flushes_before = rp_host_icache_flushes();
  rp_host_log_quiet(0);
  rp_log_set_level(RP_LOG_INFO);
  rp_host_log_capture(log_buf, sizeof(log_buf));
}
static void p_log(fx *f, rp_case_result *r) {
  char want[96];
  rp_host_log_capture(NULL, 0);
  rp_log_set_level(RP_LOG_WARN);
  rp_host_log_quiet(1);
  os_checks(f, r);
  for (size_t i = 0; i < N_IMAGES; i++) {
    snprintf(want, sizeof(want), "runtime: image %zu %p -> ", i, img(f, i)->ImageBase);
    if (strstr(log_buf, want) == NULL) rp_case_fail(r, "no log line \"%s\"", want);
  }
  snprintf(want, sizeof(want), "%llu applied, 0 skipped",
           (unsigned long long)f->m.img[0].load.by_type[IMAGE_REL_BASED_DIR64]);
  if (strstr(log_buf, want) == NULL) rp_case_fail(r, "no per-image count \"%s\"", want);
  if (rp_host_icache_flushes() - flushes_before != N_IMAGES) rp_case_fail(r, "icache not flushed per image");
}

static void p_sites(fx *f, rp_case_result *r) {
  uint64_t want = 0;
  os_checks(f, r);
  for (size_t i = 0; i < N_IMAGES; i++) want += f->m.img[i].load.by_type[IMAGE_REL_BASED_DIR64];
  if (f->m.rt->stats.sites_applied != want || f->m.rt->stats.images_relocated != N_IMAGES)
    rp_case_fail(r, "%llu sites applied, expected %llu", (unsigned long long)f->m.rt->stats.sites_applied,
                 (unsigned long long)want);
}

/* ---- mutations: tables -------------------------------------------------------------- */

static void p_tables(fx *f, rp_case_result *r) {
  os_checks(f, r);
  if (f->m.rt->stats.pointers_converted != 15) rp_case_fail(r, "%llu pointers converted, expected 15",
                                                            (unsigned long long)f->m.rt->stats.pointers_converted);
}
static void m_null_members(fx *f) {
  f->m.rs->GetWakeupTime = NULL;
  f->m.st->ConfigurationTable = NULL;
}
static void p_null_members(fx *f, rp_case_result *r) {
  os_checks(f, r);
  if (f->m.rs->GetWakeupTime != NULL || f->m.st->ConfigurationTable != NULL) rp_case_fail(r, "a NULL member changed");
  if (f->m.rt->stats.pointers_converted != 13) rp_case_fail(r, "expected 13 conversions");
}
static void *boot_ptr(fx *f) { return f->m.r[DM_R_BOOT].base + 0x40; }
static void m_gettime_boot(fx *f) { f->m.rs->GetTime = (EFI_GET_TIME)(uintptr_t)boot_ptr(f); }
static void m_qvi_boot(fx *f) { f->m.rs->QueryVariableInfo = (EFI_QUERY_VARIABLE_INFO)(uintptr_t)boot_ptr(f); }
static void m_vendor_boot(fx *f) { f->m.st->FirmwareVendor = boot_ptr(f); }
static void m_st_hdr0(fx *f) { f->m.st->Hdr.HeaderSize = 0; }
static void m_rs_hdr_big(fx *f) { f->m.rs->Hdr.HeaderSize = 4096; }
static void m_rs_null(fx *f) { f->m.st->RuntimeServices = NULL; }

/* ---- ConvertPointer, CalculateCrc32, creation ------------------------------------------ */

typedef struct cp_input {
  bool     null_address;
  uint64_t value;        /* *Address */
  UINTN    disposition;
  int      when;         /* 0 inside SVAM (map below), 1 before SVAM, 2 after SVAM, 3 no state (rt NULL) */
  uint64_t expect_value; /* on success */
} cp_input;

/* The map in effect during SetVirtualAddressMap (validated by the exec). */
static const EFI_MEMORY_DESCRIPTOR cp_map[] = {
  { EfiBootServicesData, 0x100000, 0x9000000000ull, 16, EFI_MEMORY_WB },
  { EfiRuntimeServicesData, 0x200000, 0xFFFF800000000000ull, 16, EFI_MEMORY_RUNTIME },
  { EfiRuntimeServicesCode, 0x210000, 0xFFFF800000400000ull, 16, EFI_MEMORY_RUNTIME }, /* adjacent */
  { EfiMemoryMappedIO, 0xFFFFFFFFFFFFE000ull, 0xFFFF800010000000ull, 2, EFI_MEMORY_RUNTIME }, /* ends at 2^64 */
};

static void exec_cp(const rp_case *c, rp_case_result *r) {
  const cp_input *in = c->input;
  EFI_RUNTIME_SERVICES rs = { .Hdr.HeaderSize = sizeof(rs) };
  EFI_SYSTEM_TABLE st = { .Hdr.HeaderSize = sizeof(st), .RuntimeServices = &rs };
  rp_rt_config cfg = { &st, 0 };
  rp_runtime *rt = NULL;
  rp_diag d;
  void *p = (void *)(uintptr_t)in->value;
  if (!rp_case_step(r, rp_rt_create(&cfg, &rt, &d), &d, "setup: create")) return;
  rp_memmap m = { rp_bytes_of(cp_map, sizeof(cp_map)), sizeof(cp_map), sizeof(cp_map[0]), 1 };
  if (EFI_ERROR(rp_memmap_validate(&m, RP_MEMMAP_RUNTIME_ONLY | RP_MEMMAP_CHECK_VIRTUAL, NULL, NULL)))
    rp_case_fail(r, "setup: the map is invalid");
  if (in->when == 0) { /* the state SetVirtualAddressMap's commit phase is in */
    rt->vmap = m;
    rt->in_svam = true;
  } else if (in->when == 2) { /* after a real SetVirtualAddressMap of the model */
    fx *f = calloc(1, sizeof(*f));
    EFI_STATUS s = f && !EFI_ERROR(boot(f, 0)) ? call(f, &d) : EFI_OUT_OF_RESOURCES;
    if (rp_case_step(r, s, &d, "setup: SetVirtualAddressMap")) rp_case_observe(r, rp_rt_convert_pointer(f->m.rt, in->disposition, &p, &d), &d);
    if ((uintptr_t)p != in->value) rp_case_fail(r, "the pointer changed");
    if (f) dm_destroy(&f->m);
    free(f);
    rp_rt_destroy(rt);
    return;
  }
  rp_case_observe(r, rp_rt_convert_pointer(in->when == 3 ? NULL : rt, in->disposition, in->null_address ? NULL : &p, &d),
                  &d);
  uint64_t want = r->status == EFI_SUCCESS ? in->expect_value : in->value;
  if (!in->null_address && (uintptr_t)p != want)
    rp_case_fail(r, "*Address is 0x%llx, expected 0x%llx", (unsigned long long)(uintptr_t)p,
                 (unsigned long long)want);
  rp_rt_destroy(rt);
}

typedef struct crc_input {
  const char *data;
  size_t      size;
  bool        null_out;
  uint32_t    expect;
} crc_input;

static void exec_crc(const rp_case *c, rp_case_result *r) {
  const crc_input *in = c->input;
  uint32_t crc = 0xA5A5A5A5u;
  rp_diag d;
  rp_case_observe(r, rp_rt_calculate_crc32(in->data, in->size, in->null_out ? NULL : &crc, &d), &d);
  if (r->status == EFI_SUCCESS && crc != in->expect) rp_case_fail(r, "CRC 0x%08x, expected 0x%08x", crc, in->expect);
  if (r->status != EFI_SUCCESS && crc != 0xA5A5A5A5u) rp_case_fail(r, "the output was written on rejection");
}

static void exec_create(const rp_case *c, rp_case_result *r) {
  EFI_RUNTIME_SERVICES rs = { .Hdr.HeaderSize = sizeof(rs) };
  EFI_SYSTEM_TABLE st = { .Hdr.HeaderSize = sizeof(st), .RuntimeServices = &rs };
  rp_rt_config cfg = { &st, 0 };
  rp_runtime *rt = NULL;
  rp_diag d;
  const bool fail = c->input != NULL;
  rp_host_alloc_reset();
  if (fail) rp_host_fail_nth(1);
  rp_case_observe(r, rp_rt_create(&cfg, &rt, &d), &d);
  if (!fail && rt != NULL) {
    const EFI_RUNTIME_ARCH_PROTOCOL *p = &rt->proto;
    if (p->ImageHead.ForwardLink != &p->ImageHead || p->ImageHead.BackLink != &p->ImageHead ||
        p->EventHead.ForwardLink != &p->EventHead || p->EventHead.BackLink != &p->EventHead)
      rp_case_fail(r, "lists are not empty");
    if (p->MemoryDescriptorSize != 48 || p->MemoryDesciptorVersion != 1 || p->MemoryMapPhysical != NULL ||
        p->MemoryMapVirtual != NULL || p->MemoryMapSize != 0 || p->VirtualMode || p->AtRuntime)
      rp_case_fail(r, "initial protocol fields differ from the DXE core's template");
  }
  if (fail && rt != NULL) rp_case_fail(r, "a state was returned on failure");
  rp_rt_destroy(rt);
  rp_host_alloc_reset();
  if (rp_host_alloc_outstanding() != 0) rp_case_fail(r, "leak");
}

/* Fail each allocation of a whole boot in turn (the model's regions and the
 * provider's state): each failure is reported, nothing leaks, and
 * SetVirtualAddressMap itself makes no allocation. */
static void exec_alloc_every_site(const rp_case *c, rp_case_result *r) {
  (void)c;
  uint64_t n, sites = 0;
  rp_diag d;
  rp_diag_clear(&d);
  for (n = 1; n < 64; n++) {
    fx *f = calloc(1, sizeof(*f));
    if (f == NULL) break;
    rp_host_alloc_reset();
    rp_host_fail_nth(n);
    EFI_STATUS st = boot(f, 0);
    bool failed = rp_host_alloc_failures() != 0;
    if (failed && st != EFI_OUT_OF_RESOURCES) rp_case_fail(r, "failure %llu gave %s", (unsigned long long)n,
                                                           rp_status_name(st));
    if (!failed) {
      uint64_t before = rp_host_alloc_calls();
      dm_snapshot_tables(&f->m);
      rp_case_observe(r, call(f, &d), &d);
      if (rp_host_alloc_calls() != before) rp_case_fail(r, "SetVirtualAddressMap allocated");
      os_checks(f, r);
    } else {
      sites++;
    }
    dm_destroy(&f->m);
    free(f);
    if (rp_host_alloc_outstanding() != 0) rp_case_fail(r, "leak after failure %llu", (unsigned long long)n);
    if (!failed) break;
  }
  if (sites != 4) rp_case_fail(r, "%llu allocation sites, expected 4", (unsigned long long)sites);
  rp_host_alloc_reset();
}

/* ---- the table ----------------------------------------------------------------------- */

#define IN(b, ...) (&(const rt_input){ .boot = (b), ##__VA_ARGS__ })
#define CP(...) (&(const cp_input){ __VA_ARGS__ })
#define CRC(...) (&(const crc_input){ __VA_ARGS__ })
#define PASS EFI_SUCCESS, RP_R_NONE, RP_DIAG_NO_INDEX
#define NOIDX RP_DIAG_NO_INDEX
#define ANY RP_CASE_ANY_INDEX
#define INV(reason, idx) EFI_INVALID_PARAMETER, RP_R_##reason, (idx)
#define COR(reason, idx) EFI_VOLUME_CORRUPTED, RP_R_##reason, (idx)
#define IMGS(pos) (RP_RT_LIST_IMAGES * RP_RT_LIST_INDEX_SCALE + (pos))
#define EVTS(pos) (RP_RT_LIST_EVENTS * RP_RT_LIST_INDEX_SCALE + (pos))
#define M(fn) .mutate = (fn)
#define P(fn) .post = (fn)

static const rp_case runtime_cases[] = {
  /* whole flows */
  { "RT-C-001", "RT-040 RT-081 RT-013 RT-032 RT-031", "A Linux-style map: every image site, event and pointer converted once",
    PASS, IN(0, P(p_sites)), NULL },
  { "RT-C-002", "RT-012", "DescriptorSize 56 is used as the stride", PASS, IN(B_STRIDE56), NULL },
  { "RT-C-003", "RT-012", "DescriptorSize 64 is used as the stride", PASS, IN(B_STRIDE64), NULL },
  { "RT-C-004", "RT-012", "DescriptorSize 40 (no padding) works", PASS, IN(B_STRIDE40), NULL },
  { "RT-C-005", "RT-014", "A Xen-style map (all descriptors, non-runtime VAs ~0) is applied", PASS, IN(B_XEN), NULL },
  { "RT-C-006", "RT-014", "Xen: an invalid non-runtime descriptor is ignored", PASS, IN(B_XEN, M(m_xen_garbage)), NULL },
  { "RT-C-007", "RT-017", "EDK II core (no map in the protocol): a valid call succeeds", PASS, IN(B_NO_EBS_MAP), NULL },
  { "RT-C-008", "RT-017", "EDK II core: a missing runtime descriptor cannot be detected", PASS,
    IN(B_NO_EBS_MAP, M(m_drop_mmio)), NULL },
  { "RT-C-009", "RT-017", "EDK II core: an extra runtime descriptor cannot be detected", PASS,
    IN(B_NO_EBS_MAP, M(m_extra_unknown)), NULL },
  { "RT-C-106", "RT-013", "Linux x86 top-down order: runtime descriptors in reverse map order", PASS,
    IN(0, M(m_reverse)), NULL },
  { "RT-C-107", "RT-040", "An image with HIGHLOW and DIR64 sites (padded EDK II record) is re-relocated", PASS,
    IN(0, M(m_highlow_image), P(p_highlow_image)), NULL },
  /* UNSUPPORTED */
  { "RT-C-010", "RT-001 RT-015", "Before ExitBootServices: EFI_UNSUPPORTED, nothing changes",
    EFI_UNSUPPORTED, RP_R_RT_NOT_AT_RUNTIME, NOIDX, IN(0, M(m_not_at_runtime)), NULL },
  { "RT-C-011", "RT-002", "VirtualMode already TRUE: EFI_UNSUPPORTED", EFI_UNSUPPORTED, RP_R_RT_ALREADY_VIRTUAL, NOIDX,
    IN(0, M(m_virtual_mode)), NULL },
  { "RT-C-012", "RT-002", "A call from a virtual-address-change callback is EFI_UNSUPPORTED", PASS,
    IN(0, M(m_reentrant), P(p_reentrant)), NULL },
  /* map header */
  { "RT-C-013", "RT-003", "DescriptorVersion 0", INV(MEMMAP_VERSION, NOIDX), IN(0, M(m_version0)), NULL },
  { "RT-C-014", "RT-003", "DescriptorVersion 2", INV(MEMMAP_VERSION, NOIDX), IN(0, M(m_version2)), NULL },
  { "RT-C-015", "RT-004", "DescriptorSize 32", INV(MEMMAP_DESC_SIZE_SMALL, NOIDX), IN(0, M(m_size32)), NULL },
  { "RT-C-016", "RT-004", "DescriptorSize 44 (not a multiple of 8)", INV(MEMMAP_DESC_SIZE_ALIGN, NOIDX),
    IN(0, M(m_size44)), NULL },
  { "RT-C-017", "RT-005", "VirtualMap NULL", INV(MEMMAP_NULL, NOIDX), IN(0, M(m_null_map)), NULL },
  { "RT-C-018", "RT-006", "MemoryMapSize 8 bytes past a whole descriptor", INV(MEMMAP_SIZE_NOT_MULTIPLE, NOIDX),
    IN(0, M(m_size_plus8)), NULL },
  { "RT-C-019", "RT-006", "MemoryMapSize one byte short", INV(MEMMAP_SIZE_NOT_MULTIPLE, NOIDX),
    IN(0, M(m_size_minus1)), NULL },
  { "RT-C-020", "RT-019", "8193 descriptors", INV(RT_MAP_TOO_LARGE, NOIDX), IN(0, M(m_too_many)), NULL },
  /* descriptors */
  { "RT-C-021", "RT-007", "Unaligned VirtualStart of a runtime descriptor", INV(MEMMAP_VIRT_UNALIGNED, 1),
    IN(0, M(m_va_unaligned)), NULL },
  { "RT-C-022", "RT-008", "Runtime descriptors overlapping virtually", INV(MEMMAP_VIRT_OVERLAP, 1),
    IN(0, M(m_va_overlap)), NULL },
  { "RT-C-023", "RT-008", "Runtime descriptors overlapping physically", INV(MEMMAP_PHYS_OVERLAP, 2),
    IN(0, M(m_pa_overlap)), NULL },
  { "RT-C-024", "RT-009", "A virtual range past 2^64", INV(MEMMAP_VIRT_OVERFLOW, 0), IN(0, M(m_va_overflow)), NULL },
  { "RT-C-025", "RT-009", "A physical range past 2^64", INV(MEMMAP_PHYS_OVERFLOW, 2), IN(0, M(m_pa_overflow)), NULL },
  { "RT-C-026", "RT-009", "A runtime descriptor of 0 pages", INV(MEMMAP_ZERO_PAGES, 2), IN(0, M(m_zero_pages)), NULL },
  { "RT-C-027", "RT-009", "An unaligned runtime PhysicalStart", INV(MEMMAP_PHYS_UNALIGNED, 2),
    IN(0, M(m_pa_unaligned)), NULL },
  { "RT-C-028", "RT-009", "A runtime descriptor of an undefined type", INV(MEMMAP_TYPE_INVALID, 2),
    IN(0, M(m_bad_type)), NULL },
  /* against the ExitBootServices map */
  { "RT-C-029", "RT-010", "A runtime descriptor (MMIO) left out: EFI_NO_MAPPING", EFI_NO_MAPPING, RP_R_RT_NO_MAPPING, 3,
    IN(0, M(m_drop_mmio)), NULL },
  { "RT-C-030", "RT-010", "Runtime data only partly mapped: EFI_NO_MAPPING", EFI_NO_MAPPING, RP_R_RT_NO_MAPPING, 1,
    IN(0, M(m_shrink_data)), NULL },
  { "RT-C-031", "RT-011", "A VA for memory absent from the map: EFI_NOT_FOUND", EFI_NOT_FOUND, RP_R_RT_VA_NOT_IN_MAP, 3,
    IN(0, M(m_extra_unknown)), NULL },
  { "RT-C-032", "RT-011", "A runtime descriptor larger than the one at ExitBootServices: EFI_NOT_FOUND", EFI_NOT_FOUND,
    RP_R_RT_VA_NOT_IN_MAP, 2, IN(0, M(m_mmio_grown)), NULL },
  { "RT-C-033", "RT-011", "Boot-services memory passed as runtime: EFI_NOT_FOUND", EFI_NOT_FOUND, RP_R_RT_VA_NOT_IN_MAP, 3,
    IN(0, M(m_boot_as_runtime)), NULL },
  { "RT-C-034", "RT-018", "A recorded map with version 7", COR(RT_EBS_MAP_INVALID, NOIDX), IN(0, M(m_ebs_version)), NULL },
  { "RT-C-035", "RT-018", "A recorded map with an unaligned descriptor", COR(RT_EBS_MAP_INVALID, 0),
    IN(0, M(m_ebs_unaligned)), NULL },
  /* precedence */
  { "RT-C-036", "RT-016 RT-001", "Not at runtime wins over a bad version", EFI_UNSUPPORTED, RP_R_RT_NOT_AT_RUNTIME, NOIDX,
    IN(0, M(m_version_not_runtime)), NULL },
  { "RT-C-037", "RT-016", "A bad descriptor wins over a missing mapping", INV(MEMMAP_VIRT_UNALIGNED, 1),
    IN(0, M(m_unaligned_and_nomap)), NULL },
  { "RT-C-038", "RT-016", "EFI_NO_MAPPING wins over EFI_NOT_FOUND", EFI_NO_MAPPING, RP_R_RT_NO_MAPPING, 3,
    IN(0, M(m_nomap_and_notfound)), NULL },
  { "RT-C-039", "RT-016", "A map error wins over a corrupt list", EFI_NO_MAPPING, RP_R_RT_NO_MAPPING, 3,
    IN(0, M(m_nomap_and_list)), NULL },
  { "RT-C-040", "RT-027", "ImageHead structure is checked before EventHead", COR(RT_LIST_BACKLINK, IMGS(2)),
    IN(0, M(m_both_lists)), NULL },
  { "RT-C-041", "RT-027", "EventHead structure wins over a bad image entry", COR(RT_LIST_CYCLE, EVTS(2)),
    IN(0, M(m_evt_struct_img_entry)), NULL },
  { "RT-C-042", "RT-027", "A bad image entry wins over a bad table pointer", COR(RT_IMAGE_RANGE, IMGS(1)),
    IN(0, M(m_img_entry_and_table)), NULL },
  /* lists */
  { "RT-C-043", "RT-020", "A NULL ForwardLink in ImageHead", COR(RT_LIST_NULL_LINK, IMGS(1)),
    IN(0, M(m_img_null_link)), NULL },
  { "RT-C-044", "RT-020", "EventHead's ForwardLink NULL", COR(RT_LIST_NULL_LINK, EVTS(0)), IN(0, M(m_evt_head_null)), NULL },
  { "RT-C-045", "RT-021", "An unaligned image node", COR(RT_LIST_UNALIGNED, IMGS(1)), IN(0, M(m_img_unaligned)), NULL },
  { "RT-C-046", "RT-022", "An image node outside the map", COR(RT_LIST_NOT_RUNTIME_DATA, IMGS(2)),
    IN(0, M(m_img_outside)), NULL },
  { "RT-C-047", "RT-022", "An image node in boot-services data", COR(RT_LIST_NOT_RUNTIME_DATA, IMGS(2)),
    IN(0, M(m_img_in_boot)), NULL },
  { "RT-C-048", "RT-022", "An event node in runtime code", COR(RT_LIST_NOT_RUNTIME_DATA, EVTS(1)),
    IN(0, M(m_evt_in_code)), NULL },
  { "RT-C-049", "RT-022", "An event entry running past the end of runtime data", COR(RT_LIST_NOT_RUNTIME_DATA, EVTS(1)),
    IN(0, M(m_evt_straddle)), NULL },
  { "RT-C-050", "RT-022", "A link below offsetof(Link) (entry address underflows)", COR(RT_LIST_NOT_RUNTIME_DATA, IMGS(1)),
    IN(0, M(m_img_low)), NULL },
  { "RT-C-108", "RT-022", "An aligned link whose entry would end past 2^64", COR(RT_LIST_NOT_RUNTIME_DATA, IMGS(1)),
    IN(0, M(m_img_link_top)), NULL },
  { "RT-C-051", "RT-023", "A BackLink naming the wrong node", COR(RT_LIST_BACKLINK, IMGS(2)),
    IN(0, M(m_img_backlink)), NULL },
  { "RT-C-052", "RT-024", "A ForwardLink back to an earlier event", COR(RT_LIST_CYCLE, EVTS(2)),
    IN(0, M(m_evt_cycle)), NULL },
  { "RT-C-053", "RT-024", "An image node linking to itself", COR(RT_LIST_CYCLE, IMGS(1)), IN(0, M(m_img_self_loop)), NULL },
  { "RT-C-054", "RT-025", "An event list longer than 4096 entries", COR(RT_LIST_TOO_LONG, EVTS(4096)),
    IN(B_BIG_DATA, M(m_evt_too_long)), NULL },
  { "RT-C-055", "RT-026", "The head's BackLink not naming the last image", COR(RT_LIST_TAIL, IMGS(4)),
    IN(0, M(m_img_tail)), NULL },
  { "RT-C-056", "RT-026", "An empty event list whose BackLink names a node", COR(RT_LIST_TAIL, EVTS(0)),
    IN(0, M(m_evt_empty_tail)), NULL },
  /* events */
  { "RT-C-057", "RT-030 RT-033 RT-031", "Type and group events signalled once in list order, EVT_RUNTIME alone not",
    PASS, IN(0, P(p_event_counts)), NULL },
  { "RT-C-058", "RT-030", "Extra type bits still signal; a missing bit does not", PASS,
    IN(0, M(m_event_types), P(p_event_types)), NULL },
  { "RT-C-059", "RT-034", "A VA-change event without NotifyFunction", COR(RT_EVENT_NOTIFY_NULL, EVTS(0)),
    IN(0, M(m_notify_null)), NULL },
  { "RT-C-060", "RT-034 RT-030", "A NULL NotifyFunction on an event never signalled is accepted", PASS,
    IN(0, M(m_notify_null_plain)), NULL },
  /* images */
  { "RT-C-061", "RT-041", "A split image whose halves get different deltas", INV(RT_IMAGE_SPLIT_DELTA, IMGS(0)),
    IN(B_CONTIG, M(m_split_apart)), NULL },
  { "RT-C-062", "RT-041 RT-040", "A split image whose halves share one delta is relocated", PASS, IN(B_CONTIG), NULL },
  { "RT-C-063", "RT-042", "An image in boot-services memory: EFI_NO_MAPPING", EFI_NO_MAPPING, RP_R_RT_IMAGE_UNMAPPED, IMGS(1),
    IN(0, M(m_img_in_bootmem)), NULL },
  { "RT-C-064", "RT-042", "An image running past runtime code: EFI_NO_MAPPING", EFI_NO_MAPPING, RP_R_RT_IMAGE_UNMAPPED, IMGS(3),
    IN(0, M(m_img_past_code)), NULL },
  { "RT-C-065", "RT-043", "ImageSize 0", COR(RT_IMAGE_RANGE, IMGS(1)), IN(0, M(m_img_size0)), NULL },
  { "RT-C-066", "RT-043", "ImageBase NULL", COR(RT_IMAGE_RANGE, IMGS(2)), IN(0, M(m_img_base_null)), NULL },
  { "RT-C-067", "RT-043", "ImageBase + ImageSize wraps", COR(RT_IMAGE_RANGE, IMGS(1)), IN(0, M(m_img_wrap)), NULL },
  { "RT-C-068", "RT-044", "RelocationData NULL", COR(RT_IMAGE_RECORD_RANGE, IMGS(0)), IN(0, M(m_rec_null)), NULL },
  { "RT-C-069", "RT-044", "RelocationData in runtime code", COR(RT_IMAGE_RECORD_RANGE, IMGS(0)), IN(0, M(m_rec_in_code)), NULL },
  { "RT-C-070", "RT-044", "RelocationData running past runtime data", COR(RT_IMAGE_RECORD_RANGE, IMGS(0)),
    IN(0, M(m_rec_past_data)), NULL },
  { "RT-C-109", "RT-044", "RelocationData whose record would end past 2^64", COR(RT_IMAGE_RECORD_RANGE, IMGS(0)),
    IN(0, M(m_rec_wrap)), NULL },
  { "RT-C-071", "RT-045", "A site changed since load is skipped and counted", PASS,
    IN(0, M(m_changed_site), P(p_changed_site)), NULL },
  { "RT-C-072", "RT-046", "A damaged PE signature is found before anything changes", COR(PE_SIGNATURE, ANY),
    IN(0, M(m_pe_signature)), NULL },
  { "RT-C-073", "RT-046", "A header ImageBase that is not the load address", COR(PE_RUNTIME_BASE_MISMATCH, NOIDX),
    IN(0, M(m_pe_base)), NULL },
  { "RT-C-074", "RT-046", "A delta the 64 KiB-aligned image cannot take", INV(PE_NEW_BASE, ANY),
    IN(0, M(m_code_va_4k)), NULL },
  { "RT-C-110", "RT-046", "A relocation block shorter than its header is found before anything changes",
    COR(PE_RELOC_BLOCK_SMALL, ANY), IN(0, M(m_reloc_block_short)), NULL },
  { "RT-C-111", "RT-049 PE-057", "An image with an empty relocation directory (not RELOCS_STRIPPED) moves without fixups, finding logged", PASS,
    IN(0, M(m_no_relocs), P(p_no_relocs)), NULL },
  { "RT-C-112", "RT-049 RT-046", "An empty relocation directory marked RELOCS_STRIPPED is rejected",
    COR(PE_RELOCS_STRIPPED, ANY), IN(0, M(m_no_relocs_stripped)), NULL },
  { "RT-C-075", "RT-047", "Per-image applied/skipped counts are logged and the icache flushed", PASS,
    IN(0, M(m_log), P(p_log)), NULL },
  { "RT-C-076", "RT-048", "The provider's own image is not re-relocated", PASS, IN(0, M(m_self), P(p_self)), NULL },
  /* tables */
  { "RT-C-077", "RT-050 RT-051 RT-052", "12 services and 3 system-table fields converted, both CRCs fresh", PASS,
    IN(0, P(p_tables)), NULL },
  { "RT-C-078", "RT-053", "NULL members stay NULL", PASS, IN(0, M(m_null_members), P(p_null_members)), NULL },
  { "RT-C-079", "RT-054", "GetTime in boot-services memory", EFI_NO_MAPPING, RP_R_RT_TABLE_UNMAPPED, 0,
    IN(0, M(m_gettime_boot)), NULL },
  { "RT-C-080", "RT-054", "QueryVariableInfo in boot-services memory", EFI_NO_MAPPING, RP_R_RT_TABLE_UNMAPPED, 11,
    IN(0, M(m_qvi_boot)), NULL },
  { "RT-C-081", "RT-054", "FirmwareVendor in boot-services memory", EFI_NO_MAPPING, RP_R_RT_TABLE_UNMAPPED,
    RP_RT_FIELD_FIRMWARE_VENDOR, IN(0, M(m_vendor_boot)), NULL },
  { "RT-C-082", "RT-055", "gST HeaderSize 0", COR(RT_TABLE_HEADER, RP_RT_HDR_SYSTEM_TABLE), IN(0, M(m_st_hdr0)), NULL },
  { "RT-C-083", "RT-055", "gRT HeaderSize 4096", COR(RT_TABLE_HEADER, RP_RT_HDR_RUNTIME_SERVICES),
    IN(0, M(m_rs_hdr_big)), NULL },
  { "RT-C-084", "RT-055", "gST->RuntimeServices NULL", COR(RT_TABLE_HEADER, RP_RT_HDR_RUNTIME_SERVICES),
    IN(0, M(m_rs_null)), NULL },
  /* ConvertPointer */
  { "RT-C-085", "RT-060", "Address NULL", INV(RT_CP_ADDRESS_NULL, NOIDX), CP(.null_address = true), exec_cp },
  { "RT-C-086", "RT-061", "*Address NULL, disposition 0", INV(RT_CP_NULL_POINTER, NOIDX), CP(.value = 0), exec_cp },
  { "RT-C-087", "RT-061", "*Address NULL, EFI_OPTIONAL_PTR", PASS, CP(.disposition = 1), exec_cp },
  { "RT-C-088", "RT-061", "*Address NULL, disposition 3 (bit test)", PASS, CP(.disposition = 3), exec_cp },
  { "RT-C-089", "RT-061", "*Address NULL, disposition 2", INV(RT_CP_NULL_POINTER, NOIDX), CP(.disposition = 2), exec_cp },
  { "RT-C-090", "RT-062", "Before SetVirtualAddressMap: EFI_NOT_FOUND", EFI_NOT_FOUND, RP_R_RT_CP_NO_MAP, NOIDX,
    CP(.value = 0x200000, .when = 1), exec_cp },
  { "RT-C-091", "RT-062", "After SetVirtualAddressMap: EFI_NOT_FOUND", EFI_NOT_FOUND, RP_R_RT_CP_NO_MAP, NOIDX,
    CP(.value = 0x200000, .when = 2), exec_cp },
  { "RT-C-092", "RT-061 RT-062", "Outside SetVirtualAddressMap the NULL rules still hold", PASS,
    CP(.disposition = 1, .when = 1), exec_cp },
  { "RT-C-113", "RT-062", "No provider state: EFI_NOT_FOUND, the pointer unchanged", EFI_NOT_FOUND, RP_R_RT_CP_NO_MAP,
    NOIDX, CP(.value = 0x200000, .when = 3), exec_cp },
  { "RT-C-093", "RT-063", "The first byte of a runtime region converts", PASS,
    CP(.value = 0x200000, .expect_value = 0xFFFF800000000000ull), exec_cp },
  { "RT-C-094", "RT-063", "The last byte converts with its own descriptor", PASS,
    CP(.value = 0x20FFFF, .expect_value = 0xFFFF80000000FFFFull), exec_cp },
  { "RT-C-095", "RT-063", "The exclusive end belongs to the adjacent descriptor", PASS,
    CP(.value = 0x210000, .expect_value = 0xFFFF800000400000ull), exec_cp },
  { "RT-C-096", "RT-064", "The end of the last runtime region is not found", EFI_NOT_FOUND, RP_R_RT_CP_NOT_FOUND, NOIDX,
    CP(.value = 0x220000), exec_cp },
  { "RT-C-097", "RT-063 RT-064", "A non-runtime descriptor does not convert", EFI_NOT_FOUND, RP_R_RT_CP_NOT_FOUND, NOIDX,
    CP(.value = 0x100010), exec_cp },
  { "RT-C-098", "RT-065", "The top byte of a region ending at 2^64 converts", PASS,
    CP(.value = 0xFFFFFFFFFFFFFFFFull, .expect_value = 0xFFFF800010001FFFull), exec_cp },
  /* CalculateCrc32 */
  { "RT-C-099", "RT-070", "CRC-32 of \"123456789\" is 0xCBF43926", PASS, CRC(.data = "123456789", .size = 9,
    .expect = 0xCBF43926u), exec_crc },
  { "RT-C-100", "RT-071", "Data NULL", INV(RT_CRC_ARGUMENT, NOIDX), CRC(.data = NULL, .size = 9), exec_crc },
  { "RT-C-101", "RT-071", "DataSize 0", INV(RT_CRC_ARGUMENT, NOIDX), CRC(.data = "x", .size = 0), exec_crc },
  { "RT-C-102", "RT-071", "Crc32 NULL", INV(RT_CRC_ARGUMENT, NOIDX), CRC(.data = "x", .size = 1, .null_out = true),
    exec_crc },
  /* the protocol */
  { "RT-C-103", "RT-080", "The installed protocol starts as the DXE core's template", PASS, NULL, exec_create },
  { "RT-C-104", "RT-082", "The state allocation fails cleanly", EFI_OUT_OF_RESOURCES, RP_R_OUT_OF_RESOURCES, NOIDX,
    "fail", exec_create },
  { "RT-C-105", "RT-082", "Allocation failure at every site of a boot; SetVirtualAddressMap allocates nothing", PASS,
    NULL, exec_alloc_every_site },
};

const rp_case_group rp_group_runtime = {
  "runtime", runtime_cases, sizeof(runtime_cases) / sizeof(runtime_cases[0]), exec_svam,
};
