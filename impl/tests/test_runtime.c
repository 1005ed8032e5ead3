/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Unit tests of the Runtime AP provider core (rtprm/runtime.h), driven
 * through the host DXE-core model (impl/sim) with real PE images
 * from corpus/pe. The status rules themselves are the conformance cases
 * RT-C-xxx; these tests cover the flows around them: a whole boot, "a
 * rejected call changes nothing", allocation failure at every site, the log
 * and the icache flush.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dxe_model.h"
#include "rtprm/spec/pecoff.h"
#include "rtprm/platform.h"
#include "rtprm/host/platform_host.h"

#define PE(name) RTPRM_CORPUS_DIR "/pe/" name

static const char *const kImages[] = {
  PE("seed-lld-x64-relocheavy.efi"),
  PE("seed-lld-x64-hello.efi"),
  PE("seed-mingw-x64-rtdriver.efi"),
  PE("seed-lld-aa64-relocheavy.efi"),
};
#define N_IMAGES (sizeof(kImages) / sizeof(kImages[0]))

typedef struct fx {
  dm_model m;
  uint8_t  vmap[DM_MAX_DESCS * 64];
  size_t   vsize, stride;
} fx;

/* A whole boot up to SetVirtualAddressMap: images and events registered
 * before and after the protocol is installed, ExitBootServices, the OS's
 * virtual map. */
static EFI_STATUS boot(fx *f, const dm_config *cfg, bool record_map) {
  static const EFI_GUID vac = RP_GUID_EVENT_GROUP_VIRTUAL_ADDRESS_CHANGE;
  EFI_STATUS st = dm_init(&f->m, cfg);
  if (!EFI_ERROR(st)) st = dm_load_image_file(&f->m, kImages[0], NULL);
  if (!EFI_ERROR(st)) st = dm_create_event(&f->m, EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE, NULL, true, NULL);
  if (!EFI_ERROR(st)) st = dm_install_protocol(&f->m);
  for (size_t i = 1; i < N_IMAGES && !EFI_ERROR(st); i++) st = dm_load_image_file(&f->m, kImages[i], NULL);
  if (!EFI_ERROR(st)) st = dm_create_event(&f->m, EVT_NOTIFY_SIGNAL, &vac, true, NULL);
  if (!EFI_ERROR(st)) st = dm_create_event(&f->m, EVT_RUNTIME | EVT_NOTIFY_SIGNAL, NULL, false, NULL);
  if (!EFI_ERROR(st)) st = dm_create_event(&f->m, EVT_NOTIFY_SIGNAL, NULL, false, NULL);
  if (!EFI_ERROR(st)) st = dm_exit_boot_services(&f->m, record_map);
  if (EFI_ERROR(st)) return st;
  dm_os_assign(&f->m, 0);
  f->stride = f->stride ? f->stride : 48;
  f->vsize = dm_os_vmap(&f->m, f->vmap, sizeof(f->vmap), f->stride, false);
  dm_snapshot_tables(&f->m);
  return EFI_SUCCESS;
}

static EFI_STATUS svam(fx *f, rp_diag *d) {
  return rp_rt_set_virtual_address_map(f->m.rt, f->vsize, f->stride, 1, (const EFI_MEMORY_DESCRIPTOR *)f->vmap, d);
}

static EFI_MEMORY_DESCRIPTOR *vdesc(fx *f, size_t i) { return (EFI_MEMORY_DESCRIPTOR *)(f->vmap + i * f->stride); }

static void assert_verified(fx *f) {
  char why[256] = "";
  bool ok = dm_os_verify(&f->m, why, sizeof(why));
  if (!ok) fail_msg("%s", why);
}

/* rp_rt_adopt (docs/runtime.md "Adopting an earlier provider"): a second
 * provider takes over the first one's entries, which the EDK II DXE core
 * would leave behind; the whole boot then converts everything once. A
 * corrupt old list is rejected with nothing moved; rp_rt_release undoes. */
static void adopt_moves_earlier_provider_lists(void **state) {
  (void)state;
  fx f;
  memset(&f, 0, sizeof(f));
  /* every image of the build, AArch64 runtime drivers at 64 KiB alignment */
  assert_int_equal(dm_init(&f.m, &(dm_config){ 4096, 64, 4, 0 }), EFI_SUCCESS);
  for (size_t i = 0; i < 3; i++) assert_int_equal(dm_load_image_file(&f.m, kImages[i], NULL), EFI_SUCCESS);
  assert_int_equal(dm_create_event(&f.m, EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE, NULL, true, NULL), EFI_SUCCESS);
  assert_int_equal(dm_install_protocol(&f.m), EFI_SUCCESS);
  assert_int_equal(dm_create_event(&f.m, EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE, NULL, true, NULL), EFI_SUCCESS);
  rp_runtime *old = f.m.rt, *rt = NULL;
  rp_rt_config cfg = { f.m.st, 0 };
  assert_int_equal(rp_rt_create(&cfg, &rt, NULL), EFI_SUCCESS);
  /* The live map: every region as a runtime descriptor. */
  dm_os_assign(&f.m, 0);
  size_t live_size = dm_os_vmap(&f.m, f.vmap, sizeof(f.vmap), 48, false);
  rp_memmap live = { rp_bytes_of(f.vmap, live_size), live_size, 48, 1 };
  rp_rt_adopted got = { 0, 0 };
  rp_diag d;
  /* Corrupt old list: rejected, nothing moved. */
  EFI_LIST_ENTRY *second = old->proto.ImageHead.ForwardLink->ForwardLink, *saved = second->BackLink;
  second->BackLink = second;
  assert_int_equal(rp_rt_adopt(rt, &old->proto, &live, &got, &d), EFI_VOLUME_CORRUPTED);
  assert_int_equal(d.reason, RP_R_RT_LIST_BACKLINK);
  assert_ptr_equal(rt->proto.ImageHead.ForwardLink, &rt->proto.ImageHead);
  second->BackLink = saved;
  assert_int_equal(rp_rt_adopt(rt, &rt->proto, &live, &got, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(rp_rt_adopt(rt, &old->proto, &live, &got, &d), EFI_SUCCESS);
  assert_int_equal(got.images, 3);
  assert_int_equal(got.events, 2);
  assert_ptr_equal(old->proto.ImageHead.ForwardLink, &old->proto.ImageHead);
  assert_ptr_equal(old->proto.EventHead.BackLink, &old->proto.EventHead);
  assert_ptr_equal(rt->proto.ImageHead.ForwardLink, &f.m.img[0].entry->Link); /* order kept */
  assert_ptr_equal(rt->proto.ImageHead.BackLink, &f.m.img[2].entry->Link);
  /* Undo and redo: release moves everything back. */
  rp_rt_release(rt, &old->proto);
  assert_ptr_equal(old->proto.ImageHead.ForwardLink, &f.m.img[0].entry->Link);
  assert_ptr_equal(rt->proto.EventHead.ForwardLink, &rt->proto.EventHead);
  assert_int_equal(rp_rt_adopt(rt, &old->proto, &live, &got, &d), EFI_SUCCESS);
  /* gRuntime switches to the newest provider; the boot goes on with it. */
  f.m.rt = rt;
  f.m.image_head = &rt->proto.ImageHead;
  f.m.event_head = &rt->proto.EventHead;
  assert_int_equal(dm_exit_boot_services(&f.m, false), EFI_SUCCESS);
  f.stride = 48;
  f.vsize = dm_os_vmap(&f.m, f.vmap, sizeof(f.vmap), f.stride, false);
  dm_snapshot_tables(&f.m);
  assert_int_equal(svam(&f, &d), EFI_SUCCESS);
  assert_int_equal(rt->stats.images_relocated, 3);
  assert_int_equal(rt->stats.events_signalled, 2);
  assert_verified(&f);
  rp_rt_destroy(old);
  dm_destroy(&f.m);
}

static void create_initialises_protocol(void **state) {
  (void)state;
  EFI_RUNTIME_SERVICES rs = { .Hdr.HeaderSize = sizeof(rs) };
  EFI_SYSTEM_TABLE st = { .RuntimeServices = &rs };
  rp_rt_config cfg = { &st, 0 };
  rp_runtime *rt = NULL;
  rp_diag d;
  assert_int_equal(rp_rt_create(&cfg, &rt, &d), EFI_SUCCESS);
  assert_ptr_equal(rt->proto.ImageHead.ForwardLink, &rt->proto.ImageHead);
  assert_ptr_equal(rt->proto.EventHead.BackLink, &rt->proto.EventHead);
  assert_int_equal(rt->proto.MemoryDescriptorSize, 48);
  assert_int_equal(rt->proto.MemoryDesciptorVersion, 1);
  assert_null(rt->proto.MemoryMapPhysical);
  assert_false(rt->proto.VirtualMode);
  assert_false(rt->proto.AtRuntime);
  assert_ptr_equal(&rt->proto, (void *)rt); /* the installed interface is the state's start */
  rp_rt_destroy(rt);
  cfg.st = NULL;
  assert_int_equal(rp_rt_create(&cfg, &rt, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_NULL_ARGUMENT);
  cfg.st = &st;
  assert_int_equal(rp_rt_create(NULL, &rt, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(rp_rt_create(&cfg, NULL, &d), EFI_INVALID_PARAMETER);
  st.RuntimeServices = NULL;
  assert_int_equal(rp_rt_create(&cfg, &rt, &d), EFI_INVALID_PARAMETER);
  st.RuntimeServices = &rs;
  rp_rt_destroy(NULL); /* tolerated */
  rp_host_alloc_reset();
  rp_host_fail_nth(1);
  assert_int_equal(rp_rt_create(&cfg, &rt, &d), EFI_OUT_OF_RESOURCES);
  assert_int_equal(d.reason, RP_R_OUT_OF_RESOURCES);
  rp_host_alloc_reset();
  assert_int_equal(rp_host_alloc_outstanding(), 0);
}

static void whole_boot_converts_everything_once(void **state) {
  (void)state;
  fx f = { .stride = 48 };
  rp_diag d;
  uint64_t flushes = rp_host_icache_flushes();
  assert_int_equal(boot(&f, NULL, true), EFI_SUCCESS);
  assert_int_equal(svam(&f, &d), EFI_SUCCESS);
  assert_int_equal(d.reason, RP_R_NONE);
  assert_verified(&f);
  const rp_rt_stats *s = &f.m.rt->stats;
  assert_int_equal(s->images_relocated, N_IMAGES);
  assert_int_equal(s->images_failed, 0);
  assert_int_equal(s->events_signalled, 2); /* the type and the group; not EVT_RUNTIME alone */
  assert_int_equal(s->pointers_converted, 15);
  uint64_t loaded = 0;
  for (size_t i = 0; i < f.m.n_img; i++) loaded += f.m.img[i].load.by_type[IMAGE_REL_BASED_DIR64];
  assert_true(loaded > 1000);
  assert_int_equal(s->sites_applied, loaded);
  assert_int_equal(s->sites_skipped, 0);
  assert_int_equal(rp_host_icache_flushes() - flushes, N_IMAGES);
  /* after success: UNSUPPORTED, and ConvertPointer has no map any more */
  uint64_t h = dm_state_hash(&f.m);
  assert_int_equal(svam(&f, &d), EFI_UNSUPPORTED);
  assert_int_equal(d.reason, RP_R_RT_ALREADY_VIRTUAL);
  assert_int_equal(dm_state_hash(&f.m), h);
  void *p = f.m.st;
  assert_int_equal(rp_rt_convert_pointer(f.m.rt, 0, &p, &d), EFI_NOT_FOUND);
  assert_int_equal(d.reason, RP_R_RT_CP_NO_MAP);
  dm_destroy(&f.m);
}

/* The per-image results (rp_rt_image_results): one entry per ImageHead
 * entry in list order, the provider's own image as SELF, a short list keeps
 * the first entries and still counts all, no list at all is allowed. They
 * come from the API, whatever the log says (the log is off here). */
static void per_image_results_come_from_the_api(void **state) {
  (void)state;
  static rp_rt_image_result items[N_IMAGES];
  rp_diag d;
  for (size_t cap = 0; cap <= N_IMAGES; cap += N_IMAGES - 1) {
    fx f = { .stride = 48 };
    assert_int_equal(boot(&f, NULL, true), EFI_SUCCESS);
    uint64_t self = (uintptr_t)f.m.img[1].entry->ImageBase, bases[N_IMAGES];
    for (size_t i = 0; i < N_IMAGES; i++) bases[i] = (uintptr_t)f.m.img[i].entry->ImageBase;
    f.m.rt->self_image_base = self;
    memset(items, 0xA5, sizeof(items));
    f.m.rt->images = (rp_rt_image_results){ cap ? items : NULL, cap, 99 };
    assert_int_equal(svam(&f, &d), EFI_SUCCESS);
    assert_int_equal(f.m.rt->images.count, N_IMAGES);
    uint64_t applied = 0;
    for (size_t i = 0; i < cap; i++) {
      const rp_rt_image_result *r = &items[i];
      assert_int_equal(r->index, i);
      assert_int_equal(r->old_base, bases[i]);
      assert_int_equal(r->reason, RP_R_NONE);
      assert_int_equal(r->outcome, i == 1 ? RP_RT_IMAGE_SELF : RP_RT_IMAGE_RELOCATED);
      if (i == 1) {
        assert_int_equal(r->new_base, r->old_base);
        assert_int_equal(r->applied, 0);
      } else {
        assert_true(r->new_base != r->old_base); /* every region got a non-zero delta (dm_os_assign) */
        assert_int_equal(r->applied, f.m.img[i].load.by_type[IMAGE_REL_BASED_DIR64]);
      }
      applied += r->applied;
    }
    if (cap == N_IMAGES) assert_int_equal(applied, f.m.rt->stats.sites_applied);
    if (cap < N_IMAGES) assert_int_equal(items[cap].index, 0xA5A5A5A5A5A5A5A5ull); /* nothing past cap */
    assert_int_equal(f.m.rt->stats.images_self, 1);
    dm_destroy(&f.m);
  }
}

static void padded_stride_and_xen_map(void **state) {
  (void)state;
  fx f = { .stride = 64 };
  rp_diag d;
  assert_int_equal(boot(&f, NULL, true), EFI_SUCCESS);
  f.vsize = dm_os_vmap(&f.m, f.vmap, sizeof(f.vmap), f.stride, true); /* non-runtime with VA ~0 */
  assert_int_equal(f.vsize, f.m.nd * 64);
  assert_int_equal(svam(&f, &d), EFI_SUCCESS);
  assert_verified(&f);
  dm_destroy(&f.m);
}

static void before_exit_boot_services_is_unsupported(void **state) {
  (void)state;
  fx f = { .stride = 48 };
  rp_diag d;
  assert_int_equal(boot(&f, NULL, true), EFI_SUCCESS);
  f.m.rt->proto.AtRuntime = 0;
  uint64_t h = dm_state_hash(&f.m);
  assert_int_equal(svam(&f, &d), EFI_UNSUPPORTED);
  assert_int_equal(d.reason, RP_R_RT_NOT_AT_RUNTIME);
  assert_int_equal(dm_state_hash(&f.m), h);
  f.m.rt->proto.AtRuntime = 1;
  assert_int_equal(svam(&f, &d), EFI_SUCCESS);
  assert_verified(&f);
  dm_destroy(&f.m);
}

/* Each corruption: the call is rejected with the reason, every byte the
 * provider could touch is unchanged, and after repair one call succeeds. */
typedef void (*corrupt_fn)(fx *f, uint64_t *saved);
typedef void (*repair_fn)(fx *f, uint64_t saved);

static void rejected_then_repaired(corrupt_fn c, repair_fn r, EFI_STATUS want, rp_reason reason) {
  fx f = { .stride = 48 };
  rp_diag d;
  uint64_t saved = 0;
  assert_int_equal(boot(&f, NULL, true), EFI_SUCCESS);
  c(&f, &saved);
  uint64_t h = dm_state_hash(&f.m);
  assert_int_equal(svam(&f, &d), want);
  assert_int_equal(d.reason, reason);
  assert_int_equal(dm_state_hash(&f.m), h);
  assert_false(f.m.rt->proto.VirtualMode);
  for (size_t i = 0; i < f.m.n_ev; i++) assert_int_equal(f.m.ev[i].ctx->calls, 0);
  r(&f, saved);
  assert_int_equal(svam(&f, &d), EFI_SUCCESS);
  assert_verified(&f);
  assert_int_equal(svam(&f, &d), EFI_UNSUPPORTED);
  dm_destroy(&f.m);
}

static void c_unaligned_va(fx *f, uint64_t *s) { *s = vdesc(f, 1)->VirtualStart; vdesc(f, 1)->VirtualStart += 8; }
static void r_unaligned_va(fx *f, uint64_t s) { vdesc(f, 1)->VirtualStart = s; }
static void c_drop_data(fx *f, uint64_t *s) { *s = f->vsize; f->vsize -= f->stride; } /* drops MMIO: last */
static void r_drop_data(fx *f, uint64_t s) { f->vsize = s; }
static void c_backlink(fx *f, uint64_t *s) {
  EFI_LIST_ENTRY *n = f->m.rt->proto.ImageHead.ForwardLink->ForwardLink;
  *s = (uintptr_t)n->BackLink;
  n->BackLink = n;
}
static void r_backlink(fx *f, uint64_t s) {
  f->m.rt->proto.ImageHead.ForwardLink->ForwardLink->BackLink = (EFI_LIST_ENTRY *)(uintptr_t)s;
}
static void c_event_cycle(fx *f, uint64_t *s) {
  EFI_LIST_ENTRY *a = f->m.rt->proto.EventHead.ForwardLink, *b = a->ForwardLink;
  *s = (uintptr_t)b->ForwardLink;
  b->ForwardLink = a;
}
static void r_event_cycle(fx *f, uint64_t s) {
  f->m.rt->proto.EventHead.ForwardLink->ForwardLink->ForwardLink = (EFI_LIST_ENTRY *)(uintptr_t)s;
}

static void rejected_calls_change_nothing(void **state) {
  (void)state;
  rejected_then_repaired(c_unaligned_va, r_unaligned_va, EFI_INVALID_PARAMETER, RP_R_MEMMAP_VIRT_UNALIGNED);
  rejected_then_repaired(c_drop_data, r_drop_data, EFI_NO_MAPPING, RP_R_RT_NO_MAPPING);
  rejected_then_repaired(c_backlink, r_backlink, EFI_VOLUME_CORRUPTED, RP_R_RT_LIST_BACKLINK);
  rejected_then_repaired(c_event_cycle, r_event_cycle, EFI_VOLUME_CORRUPTED, RP_R_RT_LIST_CYCLE);
}

static void split_image_needs_one_delta(void **state) {
  (void)state;
  fx f = { .stride = 48 };
  dm_config cfg = { .split_code = 4 }; /* first image straddles page 4 of runtime code */
  rp_diag d;
  assert_int_equal(boot(&f, &cfg, true), EFI_SUCCESS);
  uint64_t h = dm_state_hash(&f.m);
  assert_int_equal(svam(&f, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_RT_IMAGE_SPLIT_DELTA);
  assert_int_equal(d.index, rp_rt_entry_index(RP_RT_LIST_IMAGES, 0)); /* image list, first entry */
  assert_int_equal(dm_state_hash(&f.m), h);
  dm_os_assign(&f.m, 1); /* the OS keeps the two halves contiguous */
  f.vsize = dm_os_vmap(&f.m, f.vmap, sizeof(f.vmap), f.stride, false);
  assert_int_equal(svam(&f, &d), EFI_SUCCESS);
  assert_verified(&f);
  dm_destroy(&f.m);
}

static void edk2_core_without_recorded_map(void **state) {
  (void)state;
  fx f = { .stride = 48 };
  rp_diag d;
  assert_int_equal(boot(&f, NULL, false), EFI_SUCCESS);
  assert_null(f.m.rt->proto.MemoryMapPhysical);
  f.vsize -= f.stride; /* MMIO dropped: undetectable without the EBS map */
  assert_int_equal(svam(&f, &d), EFI_SUCCESS);
  assert_verified(&f);
  dm_destroy(&f.m);
}

static void log_reports_per_image_counts(void **state) {
  (void)state;
  static char log[8192];
  fx f = { .stride = 48 };
  rp_diag d;
  assert_int_equal(boot(&f, NULL, true), EFI_SUCCESS);
  rp_log_set_level(RP_LOG_INFO);
  rp_host_log_capture(log, sizeof(log));
  assert_int_equal(svam(&f, &d), EFI_SUCCESS);
  rp_host_log_capture(NULL, 0);
  char want[128];
  snprintf(want, sizeof(want), "runtime: image 0 %p", f.m.img[0].entry->ImageBase);
  assert_non_null(strstr(log, want));
  snprintf(want, sizeof(want), "%llu applied, 0 skipped",
           (unsigned long long)f.m.img[0].load.by_type[IMAGE_REL_BASED_DIR64]);
  assert_non_null(strstr(log, want));
  assert_non_null(strstr(log, "runtime: image 3 "));
  dm_destroy(&f.m);
}

static void changed_sites_are_skipped(void **state) {
  (void)state;
  fx f = { .stride = 48 };
  rp_diag d;
  assert_int_equal(boot(&f, NULL, true), EFI_SUCCESS);
  /* A driver rewrote one relocated qword at runtime: it must stay. */
  uint8_t *base = f.m.img[0].entry->ImageBase;
  const uint64_t *rec = f.m.img[0].entry->RelocationData;
  uint64_t site = 0;
  for (size_t off = 0x1000; off + 8 <= f.m.img[0].size; off += 8) {
    uint64_t v;
    memcpy(&v, base + off, 8);
    if (v == rec[0]) { site = off; break; }
  }
  assert_true(site != 0);
  const uint64_t mark = 0x1122334455667788ull;
  memcpy(base + site, &mark, 8);
  assert_int_equal(svam(&f, &d), EFI_SUCCESS);
  uint64_t after;
  memcpy(&after, base + site, 8);
  assert_int_equal(after, mark);
  assert_int_equal(f.m.rt->stats.sites_skipped, 1);
  dm_destroy(&f.m);
}

static void convert_pointer_rules(void **state) {
  (void)state;
  fx f = { .stride = 48 };
  rp_diag d;
  void *p = NULL;
  assert_int_equal(boot(&f, NULL, true), EFI_SUCCESS);
  assert_int_equal(rp_rt_convert_pointer(f.m.rt, 0, NULL, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_RT_CP_ADDRESS_NULL);
  assert_int_equal(rp_rt_convert_pointer(f.m.rt, 0, &p, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_RT_CP_NULL_POINTER);
  assert_int_equal(rp_rt_convert_pointer(f.m.rt, EFI_OPTIONAL_PTR, &p, &d), EFI_SUCCESS);
  assert_int_equal(rp_rt_convert_pointer(f.m.rt, 3, &p, &d), EFI_SUCCESS); /* a bit test */
  assert_int_equal(rp_rt_convert_pointer(f.m.rt, 2, &p, &d), EFI_INVALID_PARAMETER);
  assert_null(p);
  p = f.m.st;
  assert_int_equal(rp_rt_convert_pointer(f.m.rt, 0, &p, &d), EFI_NOT_FOUND);
  assert_int_equal(d.reason, RP_R_RT_CP_NO_MAP);
  assert_ptr_equal(p, f.m.st);
  dm_destroy(&f.m);
}

static void crc32_service(void **state) {
  (void)state;
  uint32_t crc = 7;
  rp_diag d;
  assert_int_equal(rp_rt_calculate_crc32("123456789", 9, &crc, &d), EFI_SUCCESS);
  assert_int_equal(crc, 0xCBF43926u);
  assert_int_equal(rp_rt_calculate_crc32(NULL, 9, &crc, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(d.reason, RP_R_RT_CRC_ARGUMENT);
  assert_int_equal(rp_rt_calculate_crc32("x", 0, &crc, &d), EFI_INVALID_PARAMETER);
  assert_int_equal(rp_rt_calculate_crc32("x", 1, NULL, &d), EFI_INVALID_PARAMETER);
}

/* rp_rt_adopt's argument and head checks, the live map it trusts only as
 * far as each descriptor holds up, and rp_rt_release's refusals: every
 * rejection leaves both providers' lists exactly as they were. */
typedef struct adopt_fx {
  fx f;
  rp_runtime *old, *rt;
  rp_memmap live;
  EFI_LIST_ENTRY old_ih, old_eh, rt_ih, rt_eh; /* the four heads before the call */
} adopt_fx;

static void adopt_setup(adopt_fx *a) {
  memset(a, 0, sizeof(*a));
  assert_int_equal(dm_init(&a->f.m, &(dm_config){ 0, 0, 0, 0 }), EFI_SUCCESS);
  assert_int_equal(dm_load_image_file(&a->f.m, kImages[1], NULL), EFI_SUCCESS);
  assert_int_equal(dm_create_event(&a->f.m, EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE, NULL, true, NULL), EFI_SUCCESS);
  assert_int_equal(dm_install_protocol(&a->f.m), EFI_SUCCESS);
  assert_int_equal(dm_load_image_file(&a->f.m, kImages[2], NULL), EFI_SUCCESS);
  a->old = a->f.m.rt;
  rp_rt_config cfg = { a->f.m.st, 0 };
  assert_int_equal(rp_rt_create(&cfg, &a->rt, NULL), EFI_SUCCESS);
  dm_os_assign(&a->f.m, 0);
  a->f.stride = 48;
  a->f.vsize = dm_os_vmap(&a->f.m, a->f.vmap, sizeof(a->f.vmap), 48, false);
  a->live = (rp_memmap){ rp_bytes_of(a->f.vmap, a->f.vsize), a->f.vsize, 48, 1 };
  a->old_ih = a->old->proto.ImageHead;
  a->old_eh = a->old->proto.EventHead;
  a->rt_ih = a->rt->proto.ImageHead;
  a->rt_eh = a->rt->proto.EventHead;
}

static void adopt_assert_unchanged(const adopt_fx *a) {
  assert_memory_equal(&a->old->proto.ImageHead, &a->old_ih, sizeof(EFI_LIST_ENTRY));
  assert_memory_equal(&a->old->proto.EventHead, &a->old_eh, sizeof(EFI_LIST_ENTRY));
  assert_memory_equal(&a->rt->proto.ImageHead, &a->rt_ih, sizeof(EFI_LIST_ENTRY));
  assert_memory_equal(&a->rt->proto.EventHead, &a->rt_eh, sizeof(EFI_LIST_ENTRY));
  assert_ptr_equal(a->rt->proto.ImageHead.ForwardLink, &a->rt->proto.ImageHead);
  assert_ptr_equal(a->rt->proto.EventHead.ForwardLink, &a->rt->proto.EventHead);
}

static void adopt_teardown(adopt_fx *a) {
  rp_rt_destroy(a->rt);
  dm_destroy(&a->f.m);
}

static void adopt_expect(adopt_fx *a, rp_runtime *rt, EFI_RUNTIME_ARCH_PROTOCOL *old, const rp_memmap *live,
                         EFI_STATUS want, rp_reason reason) {
  rp_rt_adopted got = { 77, 77 };
  rp_diag d;
  rp_diag_clear(&d);
  assert_int_equal(rp_rt_adopt(rt, old, live, &got, &d), want);
  assert_int_equal(d.reason, reason);
  assert_int_equal(got.images, 77); /* not written on rejection */
  assert_int_equal(got.events, 77);
  adopt_assert_unchanged(a);
}

static void adopt_rejects_bad_arguments(void **state) {
  (void)state;
  adopt_fx a;
  adopt_setup(&a);
  EFI_RUNTIME_ARCH_PROTOCOL *old = &a.old->proto;
  adopt_expect(&a, NULL, old, &a.live, EFI_INVALID_PARAMETER, RP_R_NULL_ARGUMENT);
  adopt_expect(&a, a.rt, NULL, &a.live, EFI_INVALID_PARAMETER, RP_R_NULL_ARGUMENT);
  adopt_expect(&a, a.rt, old, NULL, EFI_INVALID_PARAMETER, RP_R_NULL_ARGUMENT);
  adopt_expect(&a, a.rt, (EFI_RUNTIME_ARCH_PROTOCOL *)((uint8_t *)old + 4), &a.live, EFI_INVALID_PARAMETER,
               RP_R_NULL_ARGUMENT); /* misaligned */
  adopt_teardown(&a);
}

/* A NULL link in either head of the old provider is rejected before it is
 * followed (RT_LIST_NULL_LINK), whichever of the two links it is. */
static void adopt_rejects_null_head_links(void **state) {
  (void)state;
  for (int k = 0; k < 3; k++) {
    adopt_fx a;
    adopt_setup(&a);
    EFI_LIST_ENTRY *h = k == 2 ? &a.old->proto.EventHead : &a.old->proto.ImageHead;
    EFI_LIST_ENTRY keep = *h;
    if (k == 1) h->BackLink = NULL;
    else h->ForwardLink = NULL;
    if (k == 2) a.old_eh = *h;
    else a.old_ih = *h;
    adopt_expect(&a, a.rt, &a.old->proto, &a.live, EFI_VOLUME_CORRUPTED, RP_R_RT_LIST_NULL_LINK);
    *h = keep;
    adopt_teardown(&a);
  }
}

/* The live map is the firmware's GetMemoryMap result and is not validated
 * by rp_rt_adopt: a descriptor that cannot be read (DescriptorSize below
 * 40) or whose page run wraps past 2^64 vouches for nothing, so the old
 * entries are not in runtime data and nothing is moved. */
static void adopt_live_map_descriptors_must_hold(void **state) {
  (void)state;
  adopt_fx a;
  adopt_setup(&a);
  EFI_MEMORY_DESCRIPTOR bad[2] = {
    { EfiRuntimeServicesData, 0xFFFFFFFFFFFFF000ull, 0, 1ull << 52, EFI_MEMORY_RUNTIME }, /* wraps to cover all */
    { EfiRuntimeServicesData, 0, 0, 1, EFI_MEMORY_RUNTIME },
  };
  rp_memmap wrap = { rp_bytes_of(bad, sizeof(bad[0])), sizeof(bad[0]), sizeof(bad[0]), 1 };
  adopt_expect(&a, a.rt, &a.old->proto, &wrap, EFI_VOLUME_CORRUPTED, RP_R_RT_LIST_NOT_RUNTIME_DATA);
  rp_memmap small = a.live; /* the same bytes at a 32-byte stride: no descriptor can be read */
  small.desc_size = 32;
  small.map_size = a.live.map_size / 48 * 32;
  adopt_expect(&a, a.rt, &a.old->proto, &small, EFI_VOLUME_CORRUPTED, RP_R_RT_LIST_NOT_RUNTIME_DATA);
  /* the real map still works */
  rp_rt_adopted got = { 0, 0 };
  assert_int_equal(rp_rt_adopt(a.rt, &a.old->proto, &a.live, &got, NULL), EFI_SUCCESS);
  assert_int_equal(got.images, 2);
  assert_int_equal(got.events, 1);
  adopt_teardown(&a);
}

/* rp_rt_release does nothing for NULL or identical providers, and nothing
 * while either of the old heads holds entries (the undo needs both empty). */
static void release_refuses_unless_old_heads_empty(void **state) {
  (void)state;
  adopt_fx a;
  adopt_setup(&a);
  EFI_RUNTIME_ARCH_PROTOCOL *old = &a.old->proto;
  rp_rt_release(NULL, old);
  rp_rt_release(a.rt, NULL);
  rp_rt_release(a.rt, &a.rt->proto);
  adopt_assert_unchanged(&a);
  /* both old heads hold entries: nothing moves */
  rp_rt_release(a.rt, old);
  adopt_assert_unchanged(&a);
  /* adopt, then put one event back on the old head by hand: still refused */
  assert_int_equal(rp_rt_adopt(a.rt, old, &a.live, NULL, NULL), EFI_SUCCESS);
  EFI_LIST_ENTRY *ev = a.rt->proto.EventHead.ForwardLink;
  EFI_LIST_ENTRY *rt_first_img = a.rt->proto.ImageHead.ForwardLink;
  a.rt->proto.EventHead.ForwardLink = &a.rt->proto.EventHead;
  a.rt->proto.EventHead.BackLink = &a.rt->proto.EventHead;
  old->EventHead.ForwardLink = ev;
  old->EventHead.BackLink = ev;
  ev->ForwardLink = &old->EventHead;
  ev->BackLink = &old->EventHead;
  rp_rt_release(a.rt, old);
  assert_ptr_equal(old->ImageHead.ForwardLink, &old->ImageHead); /* images not moved back */
  assert_ptr_equal(a.rt->proto.ImageHead.ForwardLink, rt_first_img);
  assert_ptr_equal(old->EventHead.ForwardLink, ev);
  adopt_teardown(&a);
}

/* After the commit nothing can be undone (docs/runtime.md): damage a
 * callback does to an image or a list after validation is counted, logged
 * and the call still succeeds. */
typedef enum { DAMAGE_IMAGE, DAMAGE_IMAGE_LIST, DAMAGE_EVENT_LIST, DAMAGE_TABLE } damage_kind;

typedef struct damage {
  fx *f;
  damage_kind kind;
  EFI_RUNTIME_EVENT_ENTRY *self;
} damage;

static VOID EFIAPI damaging_cb(EFI_EVENT e, VOID *ctx) {
  damage *dm = ctx;
  (void)e;
  if (dm->kind == DAMAGE_IMAGE) {
    uint8_t *b = dm->f->m.img[1].entry->ImageBase;
    b[0] = 'X'; /* no DOS header any more */
  } else if (dm->kind == DAMAGE_TABLE) { /* a pointer into boot-services memory, after validation */
    dm->f->m.rs->GetTime = (EFI_GET_TIME)(uintptr_t)(dm->f->m.r[DM_R_BOOT].base + 0x40);
  } else if (dm->kind == DAMAGE_IMAGE_LIST) {
    dm->f->m.img[0].entry->Link.ForwardLink = NULL;
  } else {
    dm->self->Link.ForwardLink = NULL;
  }
}

static void callback_damage_after_commit(void **state) {
  (void)state;
  static char log[8192];
  static const char *const want[] = { "failed after commit", "image list damaged", "event list damaged", "" };
  for (int k = 0; k < 4; k++) {
    fx f = { .stride = 48 };
    rp_diag d;
    assert_int_equal(boot(&f, NULL, true), EFI_SUCCESS);
    damage *dm = dm_alloc(&f.m, DM_R_DATA, sizeof(*dm), 8);
    EFI_RUNTIME_EVENT_ENTRY *e = dm_alloc(&f.m, DM_R_DATA, sizeof(*e), 8);
    assert_non_null(dm);
    assert_non_null(e);
    memset(e, 0, sizeof(*e));
    dm->f = &f;
    dm->kind = (damage_kind)k;
    dm->self = e;
    e->Type = EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE;
    e->NotifyFunction = damaging_cb;
    e->NotifyContext = dm;
    EFI_LIST_ENTRY *h = &f.m.rt->proto.EventHead; /* first in the list */
    e->Link.ForwardLink = h->ForwardLink;
    e->Link.BackLink = h;
    h->ForwardLink->BackLink = &e->Link;
    h->ForwardLink = &e->Link;
    static rp_rt_image_result results[N_IMAGES];
    f.m.rt->images = (rp_rt_image_results){ results, N_IMAGES, 0 };
    log[0] = 0;
    rp_host_log_quiet(0);
    rp_host_log_capture(log, sizeof(log));
    assert_int_equal(svam(&f, &d), EFI_SUCCESS);
    rp_host_log_capture(NULL, 0);
    rp_host_log_quiet(1);
    assert_non_null(strstr(log, want[k]));
    const rp_rt_stats *s = &f.m.rt->stats;
    if (k == DAMAGE_IMAGE) {
      assert_int_equal(s->images_failed, 1);
      assert_int_equal(s->images_relocated, N_IMAGES - 1);
      size_t failed = 0;
      for (size_t i = 0; i < N_IMAGES; i++) {
        if (results[i].outcome != RP_RT_IMAGE_FAILED) continue;
        failed++;
        assert_int_equal(results[i].new_base, 0);
        assert_true(results[i].reason != RP_R_NONE);
      }
      assert_int_equal(failed, 1);
    }
    if (k == DAMAGE_IMAGE_LIST) assert_int_equal(s->images_relocated, 1);
    if (k == DAMAGE_EVENT_LIST) assert_int_equal(s->events_signalled, 1);
    if (k == DAMAGE_TABLE) { /* the damaged pointer cannot be converted: left as the callback set it */
      assert_ptr_equal((void *)(uintptr_t)f.m.rs->GetTime, f.m.r[DM_R_BOOT].base + 0x40);
      assert_int_equal(s->pointers_converted, 14);
      uint32_t crc = f.m.rs->Hdr.CRC32;
      rp_rt_table_crc(&f.m.rs->Hdr);
      assert_int_equal(crc, f.m.rs->Hdr.CRC32); /* the CRC covers the table as left */
    } else {
      assert_int_equal(s->pointers_converted, 15); /* the tables are still converted */
    }
    assert_true(f.m.rt->proto.VirtualMode);
    dm_destroy(&f.m);
  }
}

/* Fail allocation call n for n = 1, 2, ... until a boot makes no failing
 * call: every failure is reported, nothing leaks, and with no failure the
 * whole flow verifies. */
static void allocation_failure_at_every_site(void **state) {
  (void)state;
  uint64_t n;
  for (n = 1; n < 64; n++) {
    fx f = { .stride = 48 };
    rp_diag d;
    rp_host_alloc_reset();
    rp_host_fail_nth(n);
    EFI_STATUS st = boot(&f, NULL, true);
    bool failed = rp_host_alloc_failures() != 0;
    if (failed) {
      assert_int_equal(st, EFI_OUT_OF_RESOURCES);
    } else {
      assert_int_equal(st, EFI_SUCCESS);
      assert_int_equal(svam(&f, &d), EFI_SUCCESS); /* SVAM itself never allocates */
      assert_verified(&f);
    }
    dm_destroy(&f.m);
    assert_int_equal(rp_host_alloc_outstanding(), 0);
    if (!failed) break;
  }
  assert_int_equal(n, 5); /* 3 regions + the provider state = 4 sites, the 5th run fails none */
  rp_host_alloc_reset();
}

/* The project's own firmware images (every .efi in build/fw-ARCH/bin), all loaded
 * as runtime drivers into one model: every one is re-relocated exactly
 * once. A missing or empty directory is a failure (build the preset). */
static const char *fw_dir;

static void firmware_images_relocate(void **state) {
  (void)state;
  fx f = { .stride = 48 };
  rp_diag d;
  char path[4096];
  size_t loaded = 0;
  DIR *dir = opendir(fw_dir);
  if (dir == NULL) {
    fail_msg("cannot open %s: build the firmware preset first", fw_dir);
    return;
  }
  /* every image of the build, AArch64 runtime drivers at 64 KiB alignment */
  assert_int_equal(dm_init(&f.m, &(dm_config){ 4096, 64, 4, 0 }), EFI_SUCCESS);
  assert_int_equal(dm_install_protocol(&f.m), EFI_SUCCESS);
  for (struct dirent *e; (e = readdir(dir)) != NULL;) {
    size_t n = strlen(e->d_name);
    if (n < 4 || strcmp(e->d_name + n - 4, ".efi") != 0) continue;
    snprintf(path, sizeof(path), "%s/%s", fw_dir, e->d_name);
    assert_int_equal(dm_load_image_file(&f.m, path, NULL), EFI_SUCCESS);
    loaded++;
  }
  closedir(dir);
  assert_true(loaded >= 3);
  assert_int_equal(dm_create_event(&f.m, EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE, NULL, true, NULL), EFI_SUCCESS);
  assert_int_equal(dm_exit_boot_services(&f.m, true), EFI_SUCCESS);
  dm_os_assign(&f.m, 0);
  f.vsize = dm_os_vmap(&f.m, f.vmap, sizeof(f.vmap), f.stride, false);
  dm_snapshot_tables(&f.m);
  assert_int_equal(svam(&f, &d), EFI_SUCCESS);
  assert_verified(&f);
  assert_int_equal(f.m.rt->stats.images_relocated, loaded);
  assert_true(f.m.rt->stats.sites_applied > 0);
  assert_int_equal(f.m.rt->stats.sites_skipped, 0);
  dm_destroy(&f.m);
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--fw-dir") == 0) {
    const struct CMUnitTest fw[] = { cmocka_unit_test(firmware_images_relocate) };
    fw_dir = argv[2];
    rp_host_log_quiet(1);
    return cmocka_run_group_tests_name(strstr(argv[2], "aa64") ? "runtime-fw-aa64" : "runtime-fw-x64", fw, NULL, NULL);
  }
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(create_initialises_protocol),
    cmocka_unit_test(adopt_moves_earlier_provider_lists),
    cmocka_unit_test(adopt_rejects_bad_arguments),
    cmocka_unit_test(adopt_rejects_null_head_links),
    cmocka_unit_test(adopt_live_map_descriptors_must_hold),
    cmocka_unit_test(release_refuses_unless_old_heads_empty),
    cmocka_unit_test(whole_boot_converts_everything_once),
    cmocka_unit_test(per_image_results_come_from_the_api),
    cmocka_unit_test(padded_stride_and_xen_map),
    cmocka_unit_test(before_exit_boot_services_is_unsupported),
    cmocka_unit_test(rejected_calls_change_nothing),
    cmocka_unit_test(split_image_needs_one_delta),
    cmocka_unit_test(edk2_core_without_recorded_map),
    cmocka_unit_test(log_reports_per_image_counts),
    cmocka_unit_test(changed_sites_are_skipped),
    cmocka_unit_test(convert_pointer_rules),
    cmocka_unit_test(crc32_service),
    cmocka_unit_test(callback_damage_after_commit),
    cmocka_unit_test(allocation_failure_at_every_site),
  };
  rp_host_log_quiet(1);
  return cmocka_run_group_tests_name("runtime", tests, NULL, NULL);
}
