/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Fuzz target "svam": a whole boot of the host DXE-core model
 * (impl/sim) with a runtime driver taken from the input, events
 * and a virtual map shaped by the input, then SetVirtualAddressMap.
 *
 * Input:
 *   [0]      flags: 0 record the EBS map, 1 Xen-style map, 2 split runtime
 *            code mapped with one delta, 3 split with two deltas, 4 load the
 *            image twice, 5 load (and create events) before the provider is
 *            installed, 6 AtRuntime FALSE, 7 call a second time
 *   [1]      bits 0-1 stride (48, 40, 56, 64), bit 2 DescriptorVersion 2
 *   [2]      events (0..15); [3..6] 2-bit type selector per event (VA-change
 *            type, VA-change group, EVT_RUNTIME only, boot-time only);
 *            [7..8] which events convert a pointer in their callback
 *   [9..24]  8 map edits: u8 (descriptor | op << 4), u8 value; ops shift a
 *            VirtualStart (by pages or bytes), grow/shrink/omit a
 *            descriptor, flip EFI_MEMORY_RUNTIME, move PhysicalStart, copy
 *            another descriptor's VirtualStart, set the Type
 *   [25..]   a PE file (the runtime driver)
 *   trailer  fuzz.h (allocation failures hit the model's regions and the
 *            provider's state)
 *
 * Oracle: a rejection is clean (an error status with a reason, nothing the
 * provider may write changed - dm_state_hash - and no callback ran); a
 * success means every relocation site of every image equals a fresh
 * relocation at its virtual base (converted exactly once), every VA-change
 * event ran once in list order with its EFI_EVENT, every table pointer is
 * old + delta and both CRCs are valid (dm_os_verify); a second call is a
 * clean EFI_UNSUPPORTED.
 */
#include <string.h>

#include "dxe_model.h"
#include "fuzz.h"

#define HDR 25u

static uint32_t callbacks(const dm_model *m) {
  uint32_t n = 0;
  for (size_t i = 0; i < m->n_ev; i++) n += m->ev[i].ctx->calls;
  return n;
}

static void make_events(dm_model *m, const uint8_t *h, size_t from, size_t to) {
  static const EFI_GUID vac = RP_GUID_EVENT_GROUP_VIRTUAL_ADDRESS_CHANGE;
  size_t n = h[2] % 16u;
  uint16_t slots = (uint16_t)(h[7] | h[8] << 8);
  for (size_t i = from; i < to && i < n; i++) {
    unsigned sel = (h[3 + i / 4] >> (2 * (i % 4))) & 3u;
    bool conv = (slots >> i) & 1u;
    if (sel == 0) (void)dm_create_event(m, EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE, NULL, conv, NULL);
    if (sel == 1) (void)dm_create_event(m, EVT_NOTIFY_SIGNAL, &vac, conv, NULL);
    if (sel == 2) (void)dm_create_event(m, EVT_RUNTIME | EVT_NOTIFY_SIGNAL, NULL, conv, NULL);
    if (sel == 3) (void)dm_create_event(m, EVT_NOTIFY_SIGNAL, NULL, conv, NULL);
  }
}

static void edit_map(dm_model *m, const uint8_t *h) {
  for (size_t k = 0; k < 8; k++) {
    uint8_t a = h[9 + 2 * k], v = h[10 + 2 * k];
    dm_desc *d = &m->d[(a & 15u) % m->nd];
    switch (a >> 4) {
    case 1: d->virt += (uint64_t)v * EFI_PAGE_SIZE; break;
    case 2: d->virt += v; break;
    case 3: d->pages += v; break;
    case 4: d->pages = d->pages > v ? d->pages - v : 0; break;
    case 5: d->omit = true; break;
    case 6: d->attr ^= EFI_MEMORY_RUNTIME; break;
    case 7: d->phys += (uint64_t)v * EFI_PAGE_SIZE; break;
    case 8: d->virt = m->d[v % m->nd].virt; break;
    case 9: d->type = v; break;
    default: break;
    }
  }
}

static EFI_STATUS boot(dm_model *m, const uint8_t *h, const uint8_t *pe, size_t pe_len) {
  const uint8_t f = h[0];
  dm_config cfg = { 128, 16, 1, (f & 0x0Cu) ? 4 : 0 }; /* small regions: fast hashing */
  EFI_STATUS st = dm_init(m, &cfg);
  if (EFI_ERROR(st)) return st;
  if (f & 0x20u) {
    (void)dm_load_image(m, pe, pe_len, NULL);
    make_events(m, h, 0, 8);
  }
  st = dm_install_protocol(m);
  if (EFI_ERROR(st)) return st;
  if (!(f & 0x20u) || (f & 0x10u)) (void)dm_load_image(m, pe, pe_len, NULL);
  if ((f & 0x30u) == 0x10u) (void)dm_load_image(m, pe, pe_len, NULL);
  make_events(m, h, (f & 0x20u) ? 8 : 0, 16);
  st = dm_exit_boot_services(m, (f & 1u) != 0);
  if (EFI_ERROR(st)) return st;
  if (f & 0x40u) m->rt->proto.AtRuntime = 0;
  dm_os_assign(m, (f & 4u) ? 1 : 0);
  edit_map(m, h);
  return EFI_SUCCESS;
}

static void run(const uint8_t *data, size_t len) {
  static dm_model m;
  static uint8_t vmap[DM_MAX_DESCS * 64];
  static const size_t strides[4] = { 48, 40, 56, 64 };
  char why[256];
  rp_diag d;
  if (len < HDR) return;
  if (EFI_ERROR(boot(&m, data, data + HDR, len - HDR))) goto out;
  size_t stride = strides[data[1] & 3u];
  uint32_t version = (data[1] & 4u) ? 2 : 1;
  size_t size = dm_os_vmap(&m, vmap, sizeof(vmap), stride, (data[0] & 2u) != 0);
  dm_snapshot_tables(&m);
  uint64_t h = dm_state_hash(&m);
  EFI_STATUS st = rp_rt_set_virtual_address_map(m.rt, size, stride, version, (const EFI_MEMORY_DESCRIPTOR *)vmap, &d);
  if (getenv("RTPRM_FUZZ_TRACE"))
    fprintf(stderr, "svam: %s %s, %zu images, %zu events\n", rp_status_name(st), rp_reason_name(d.reason), m.n_img, m.n_ev);
  if (EFI_ERROR(st)) {
    RP_FUZZ_ASSERT(d.reason != RP_R_NONE);
    RP_FUZZ_ASSERT(st == EFI_UNSUPPORTED || st == EFI_INVALID_PARAMETER || st == EFI_NO_MAPPING ||
                   st == EFI_NOT_FOUND || st == EFI_VOLUME_CORRUPTED);
    RP_FUZZ_ASSERT(dm_state_hash(&m) == h);
    RP_FUZZ_ASSERT(callbacks(&m) == 0);
    RP_FUZZ_ASSERT(!m.rt->proto.VirtualMode);
    if (data[0] & 0x40u) RP_FUZZ_ASSERT(st == EFI_UNSUPPORTED && d.reason == RP_R_RT_NOT_AT_RUNTIME);
    goto out;
  }
  RP_FUZZ_ASSERT(d.reason == RP_R_NONE);
  if (getenv("RTPRM_FUZZ_TRACE"))
    fprintf(stderr, "svam: %llu applied, %llu skipped\n", (unsigned long long)m.rt->stats.sites_applied,
            (unsigned long long)m.rt->stats.sites_skipped);
  if (!dm_os_verify(&m, why, sizeof(why))) {
    fprintf(stderr, "%s\n", why);
    RP_FUZZ_ASSERT(!"the OS's checks failed after a successful SetVirtualAddressMap");
  }
  RP_FUZZ_ASSERT(m.rt->stats.images_failed == 0);
  if (data[0] & 0x80u) {
    h = dm_state_hash(&m);
    st = rp_rt_set_virtual_address_map(m.rt, size, stride, version, (const EFI_MEMORY_DESCRIPTOR *)vmap, &d);
    RP_FUZZ_ASSERT(st == EFI_UNSUPPORTED && d.reason == RP_R_RT_ALREADY_VIRTUAL);
    RP_FUZZ_ASSERT(dm_state_hash(&m) == h);
  }
out:
  dm_destroy(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  rp_fuzz_config cfg;
  size_t len = rp_fuzz_begin(data, size, &cfg);
  run(data, len);
  rp_fuzz_end();
  return 0;
}
