/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * SetVirtualAddressMap (UEFI §8.4; PI Vol 2 §12.8). Two phases:
 *   validate  every check of docs/runtime.md in table order, reading only;
 *   commit    VirtualMode = TRUE, then (UEFI §8.4 order) signal the
 *             virtual-address-change events, re-relocate the runtime images,
 *             convert the table pointers and recompute both header CRCs.
 * A rejection happens only in the first phase, so it changes nothing and a
 * later correct call still succeeds.
 */
#include "rt_internal.h"

#include "rtprm/mem.h"
#include "rtprm/overflow.h"
#include "rtprm/pe.h"
#include "rtprm/spec/pecoff.h"
#include "rtprm/platform.h"

/* UEFI §8.4: every runtime service pointer except SetVirtualAddressMap and
 * ConvertPointer, which are only callable in physical mode. */
static const size_t rs_fields[RP_RT_FIELD_RS_COUNT] = {
  offsetof(EFI_RUNTIME_SERVICES, GetTime),
  offsetof(EFI_RUNTIME_SERVICES, SetTime),
  offsetof(EFI_RUNTIME_SERVICES, GetWakeupTime),
  offsetof(EFI_RUNTIME_SERVICES, SetWakeupTime),
  offsetof(EFI_RUNTIME_SERVICES, GetVariable),
  offsetof(EFI_RUNTIME_SERVICES, GetNextVariableName),
  offsetof(EFI_RUNTIME_SERVICES, SetVariable),
  offsetof(EFI_RUNTIME_SERVICES, GetNextHighMonotonicCount),
  offsetof(EFI_RUNTIME_SERVICES, ResetSystem),
  offsetof(EFI_RUNTIME_SERVICES, UpdateCapsule),
  offsetof(EFI_RUNTIME_SERVICES, QueryCapsuleCapabilities),
  offsetof(EFI_RUNTIME_SERVICES, QueryVariableInfo),
};
static const size_t st_fields[RP_RT_FIELD_ST_COUNT] = {
  offsetof(EFI_SYSTEM_TABLE, FirmwareVendor),
  offsetof(EFI_SYSTEM_TABLE, ConfigurationTable),
  offsetof(EFI_SYSTEM_TABLE, RuntimeServices),
};

typedef struct svam_ctx {
  rp_runtime *rt;
  const rp_memmap *vm;
} svam_ctx;

static uint64_t load_ptr(const void *table, size_t off) {
  uintptr_t v;
  rp_memcpy(&v, (const uint8_t *)table + off, sizeof(v));
  return v;
}

static void store_ptr(void *table, size_t off, uint64_t v) {
  uintptr_t u = (uintptr_t)v;
  rp_memcpy((uint8_t *)table + off, &u, sizeof(u));
}

static rt_list image_list(rp_runtime *rt) {
  rt_list l = { &rt->proto.ImageHead, sizeof(EFI_RUNTIME_IMAGE_ENTRY), offsetof(EFI_RUNTIME_IMAGE_ENTRY, Link),
                RP_RT_LIST_IMAGES };
  return l;
}

static rt_list event_list(rp_runtime *rt) {
  rt_list l = { &rt->proto.EventHead, sizeof(EFI_RUNTIME_EVENT_ENTRY), offsetof(EFI_RUNTIME_EVENT_ENTRY, Link),
                RP_RT_LIST_EVENTS };
  return l;
}

static bool is_vac_event(const EFI_RUNTIME_EVENT_ENTRY *e) {
  return (e->Type & EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE) == EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE;
}

/* ---- images ------------------------------------------------------------------ */

typedef struct img_plan {
  rp_mbytes image;
  uint64_t  old_base, new_base;
  rp_bytes  record;
} img_plan;

/* A PE/COFF rejection keeps its reason; the status says whose fault it is:
 * a new base the image cannot take comes from the caller's map. */
static EFI_STATUS pe_rejected(const rp_diag *d) {
  return d->reason == RP_R_PE_NEW_BASE ? EFI_INVALID_PARAMETER : EFI_VOLUME_CORRUPTED;
}

/* The EDK II RelocationData of a mapped image: sized as the DXE core
 * allocated it (rp_pe_fixup_size, runtime.md §4.1) and wholly inside
 * runtime-services data. */
static EFI_STATUS record_view(const rp_memmap *vm, rp_mbytes image, const void *rec, uint64_t pos, img_plan *p,
                              rp_pe_image *ws, rp_diag *diag) {
  uint64_t size, last;
  rp_bytes *out = &p->record;
  if (EFI_ERROR(rp_pe_parse(rp_bytes_const(image), RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT, ws, diag)) ||
      EFI_ERROR(rp_pe_fixup_size(ws, RP_FIXUP_EDK2, &size, diag)))
    return pe_rejected(diag);
  *out = rp_bytes_of(NULL, 0);
  /* No base relocations at all (OVMF 2022.11's RTC, capsule and counter
   * drivers): nothing is recorded, and the library moves the image without
   * fixups with the finding PE_RELOCS_ABSENT (EDK II's runtime pass returns
   * at once for an empty directory, runtime.md §4.2). */
  if (size == 0) return EFI_SUCCESS;
  if (rec == NULL || size > SIZE_MAX || !rp_add_u64((uintptr_t)rec, size - 1, &last) ||
      !rt_range_in(vm, (uintptr_t)rec, last, EfiRuntimeServicesData))
    RP_REJECT(diag, EFI_VOLUME_CORRUPTED, RT_IMAGE_RECORD_RANGE, rp_rt_entry_index(RP_RT_LIST_IMAGES, pos));
  *out = rp_bytes_of(rec, (size_t)size);
  return EFI_SUCCESS;
}

/* One delta for the whole image (the split-image rule), then its record. */
static EFI_STATUS plan_image(const rp_memmap *vm, const EFI_RUNTIME_IMAGE_ENTRY *e, uint64_t pos, img_plan *p,
                             rp_pe_image *ws, rp_diag *diag) {
  uint64_t base = (uintptr_t)e->ImageBase, last, delta = 0;
  if (base == 0 || e->ImageSize == 0 || e->ImageSize > SIZE_MAX || !rp_add_u64(base, e->ImageSize - 1, &last))
    RP_REJECT(diag, EFI_VOLUME_CORRUPTED, RT_IMAGE_RANGE, rp_rt_entry_index(RP_RT_LIST_IMAGES, pos));
  switch (rt_range_delta(vm, base, last, &delta)) {
  case RT_RANGE_UNMAPPED: RP_REJECT(diag, EFI_NO_MAPPING, RT_IMAGE_UNMAPPED, rp_rt_entry_index(RP_RT_LIST_IMAGES, pos));
  case RT_RANGE_SPLIT:
    RP_REJECT(diag, EFI_INVALID_PARAMETER, RT_IMAGE_SPLIT_DELTA, rp_rt_entry_index(RP_RT_LIST_IMAGES, pos));
  case RT_RANGE_OK: break;
  }
  p->image = rp_mbytes_of(e->ImageBase, (size_t)e->ImageSize);
  p->old_base = base;
  p->new_base = base + delta; /* modular: the virtual run was validated */
  return record_view(vm, p->image, e->RelocationData, pos, p, ws, diag);
}

static bool is_self(const rp_runtime *rt, const EFI_RUNTIME_IMAGE_ENTRY *e) {
  return rt->self_image_base != 0 && (uintptr_t)e->ImageBase == rt->self_image_base;
}

static EFI_STATUS check_image(void *ctx, void *entry, uint64_t pos, rp_diag *diag) {
  const svam_ctx *c = ctx;
  const EFI_RUNTIME_IMAGE_ENTRY *e = entry;
  img_plan p = { 0 };
  EFI_STATUS st;
  if (is_self(c->rt, e)) return EFI_SUCCESS;
  st = plan_image(c->vm, e, pos, &p, &c->rt->scratch.img, diag);
  if (EFI_ERROR(st)) return st;
  if (EFI_ERROR(rp_pe_runtime_check_in(&c->rt->scratch.img, rp_bytes_const(p.image), RP_PE_PROFILE_COMPAT, p.old_base,
                                       p.new_base, RP_FIXUP_EDK2, p.record, diag))) {
    rp_log(RP_LOG_ERROR, "runtime: image %llu at %p rejected (%s)\n", (unsigned long long)pos, (void *)p.image.ptr,
           rp_reason_name(diag->reason));
    return pe_rejected(diag);
  }
  return EFI_SUCCESS;
}

/* The image's line in the caller's result list, if it keeps one. */
static void record_image(rp_runtime *rt, const rp_rt_image_result *r) {
  rp_rt_image_results *l = &rt->images;
  if (l->item != NULL && l->count < l->cap) l->item[l->count] = *r;
  l->count++;
}

/* After commit nothing can be undone: counted, recorded and logged. */
static EFI_STATUS image_failed(rp_runtime *rt, rp_rt_image_result *r, rp_reason why) {
  rt->stats.images_failed++;
  r->new_base = 0;
  r->outcome = RP_RT_IMAGE_FAILED;
  r->reason = why;
  record_image(rt, r);
  rp_log(RP_LOG_ERROR, "runtime: image %llu failed after commit (%s)\n", (unsigned long long)r->index,
         rp_reason_name(why));
  return EFI_SUCCESS;
}

/* Findings are never silent (docs/pecoff.md §1): one line each. */
static void log_findings(uint64_t pos, const rp_findings *f) {
  for (uint32_t i = 0; i < rp_findings_kept(f); i++)
    rp_log(RP_LOG_INFO, "runtime: image %llu finding %s\n", (unsigned long long)pos, rp_reason_name(f->item[i].reason));
}

/* After commit nothing can be undone: a failure here means a callback
 * damaged the image after validation; it is counted and logged. */
static EFI_STATUS apply_image(void *ctx, void *entry, uint64_t pos, rp_diag *diag) {
  svam_ctx *c = ctx;
  const EFI_RUNTIME_IMAGE_ENTRY *e = entry;
  rp_pe_rerelocate_stats *s = &c->rt->scratch.stats;
  img_plan p = { 0 };
  rp_diag d;
  rp_rt_image_result r = { pos, (uintptr_t)e->ImageBase, (uintptr_t)e->ImageBase, 0, 0, RP_RT_IMAGE_SELF, RP_R_NONE };
  (void)diag;
  if (is_self(c->rt, e)) {
    c->rt->stats.images_self++;
    record_image(c->rt, &r);
    return EFI_SUCCESS;
  }
  EFI_STATUS st = plan_image(c->vm, e, pos, &p, &c->rt->scratch.img, &d);
  if (!EFI_ERROR(st))
    st = rp_pe_runtime_relocate_in(&c->rt->scratch.img, p.image, RP_PE_PROFILE_COMPAT, p.old_base, p.new_base,
                                   RP_FIXUP_EDK2, p.record, s, &d);
  if (EFI_ERROR(st)) return image_failed(c->rt, &r, d.reason);
  rp_plat_flush_icache(p.image.ptr, p.image.len);
  c->rt->stats.images_relocated++;
  c->rt->stats.sites_applied += s->applied;
  c->rt->stats.sites_skipped += s->skipped;
  r.new_base = p.new_base;
  r.applied = s->applied;
  r.skipped = s->skipped;
  r.outcome = RP_RT_IMAGE_RELOCATED;
  record_image(c->rt, &r);
  rp_log(RP_LOG_INFO, "runtime: image %llu %p -> 0x%llx: %llu applied, %llu skipped\n", (unsigned long long)pos,
         (void *)p.image.ptr, (unsigned long long)p.new_base, (unsigned long long)s->applied,
         (unsigned long long)s->skipped);
  log_findings(pos, &s->findings);
  return EFI_SUCCESS;
}

/* ---- events ------------------------------------------------------------------ */

static EFI_STATUS check_event(void *ctx, void *entry, uint64_t pos, rp_diag *diag) {
  const EFI_RUNTIME_EVENT_ENTRY *e = entry;
  (void)ctx;
  if (is_vac_event(e) && e->NotifyFunction == NULL)
    RP_REJECT(diag, EFI_VOLUME_CORRUPTED, RT_EVENT_NOTIFY_NULL, rp_rt_entry_index(RP_RT_LIST_EVENTS, pos));
  return EFI_SUCCESS;
}

/* List order, no TPL, called directly; the Event field holds the EFI_EVENT
 * value (EDK II semantics, PI Mantis #2017) and is never dereferenced. */
static EFI_STATUS signal_event(void *ctx, void *entry, uint64_t pos, rp_diag *diag) {
  svam_ctx *c = ctx;
  const EFI_RUNTIME_EVENT_ENTRY *e = entry;
  (void)pos;
  (void)diag;
  if (!is_vac_event(e)) return EFI_SUCCESS;
  e->NotifyFunction((EFI_EVENT)e->Event, e->NotifyContext);
  c->rt->stats.events_signalled++;
  return EFI_SUCCESS;
}

/* ---- tables ------------------------------------------------------------------ */

static bool header_ok(const EFI_TABLE_HEADER *h, size_t max) {
  return h->HeaderSize >= sizeof(EFI_TABLE_HEADER) && h->HeaderSize <= max;
}

static EFI_STATUS check_fields(const rp_memmap *vm, const void *table, const size_t *offs, size_t n, uint64_t first,
                               rp_diag *diag) {
  for (size_t i = 0; i < n; i++) {
    uint64_t v = load_ptr(table, offs[i]), out;
    if (v != 0 && !rt_convert(vm, v, &out)) RP_REJECT(diag, EFI_NO_MAPPING, RT_TABLE_UNMAPPED, first + i);
  }
  return EFI_SUCCESS;
}

/* NULL members stay NULL (EDK II: ConvertPointer(0, NULL-member) fails and
 * the member is left); every non-NULL one must convert. */
static EFI_STATUS check_tables(const rp_runtime *rt, const rp_memmap *vm, rp_diag *diag) {
  const EFI_SYSTEM_TABLE *st = rt->st;
  const EFI_RUNTIME_SERVICES *rs = st->RuntimeServices;
  EFI_STATUS s;
  if (!header_ok(&st->Hdr, sizeof(*st))) RP_REJECT(diag, EFI_VOLUME_CORRUPTED, RT_TABLE_HEADER, RP_RT_HDR_SYSTEM_TABLE);
  if (rs == NULL || !header_ok(&rs->Hdr, sizeof(*rs)))
    RP_REJECT(diag, EFI_VOLUME_CORRUPTED, RT_TABLE_HEADER, RP_RT_HDR_RUNTIME_SERVICES);
  s = check_fields(vm, rs, rs_fields, RP_RT_FIELD_RS_COUNT, 0, diag);
  if (!EFI_ERROR(s)) s = check_fields(vm, st, st_fields, RP_RT_FIELD_ST_COUNT, RP_RT_FIELD_FIRMWARE_VENDOR, diag);
  return s;
}

static void convert_fields(rp_runtime *rt, void *table, const size_t *offs, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint64_t v = load_ptr(table, offs[i]), out;
    if (v == 0 || !rt_convert(&rt->vmap, v, &out)) continue; /* validated: only NULL is left */
    store_ptr(table, offs[i], out);
    rt->stats.pointers_converted++;
  }
}

static void convert_tables(rp_runtime *rt) {
  EFI_RUNTIME_SERVICES *rs = rt->st->RuntimeServices; /* physical: we run in physical mode */
  convert_fields(rt, rs, rs_fields, RP_RT_FIELD_RS_COUNT);
  rp_rt_table_crc(&rs->Hdr);
  convert_fields(rt, rt->st, st_fields, RP_RT_FIELD_ST_COUNT);
  rp_rt_table_crc(&rt->st->Hdr);
}

/* ---- the service ---------------------------------------------------------------- */

static EFI_STATUS validate_all(rp_runtime *rt, const rp_memmap *vm, rp_diag *diag) {
  rt_list il = image_list(rt), el = event_list(rt);
  svam_ctx c = { rt, vm };
  EFI_STATUS st = rt_check_maps(rt, vm, diag);
  /* Structure of both lists first, then their entries (docs/runtime.md). */
  if (!EFI_ERROR(st)) st = rt_list_walk(&il, vm, NULL, NULL, NULL, diag);
  if (!EFI_ERROR(st)) st = rt_list_walk(&el, vm, NULL, NULL, NULL, diag);
  if (!EFI_ERROR(st)) st = rt_list_walk(&il, vm, check_image, &c, NULL, diag);
  if (!EFI_ERROR(st)) st = rt_list_walk(&el, vm, check_event, &c, NULL, diag);
  if (!EFI_ERROR(st)) st = check_tables(rt, vm, diag);
  return st;
}

static void commit(rp_runtime *rt, const rp_memmap *vm) {
  rt_list il = image_list(rt), el = event_list(rt);
  svam_ctx c = { rt, &rt->vmap };
  rp_diag d;
  rt->proto.VirtualMode = 1; /* from here a second call is UNSUPPORTED, also from a callback */
  rt->vmap = *vm;
  rt->in_svam = true;           /* ConvertPointer works during the callbacks */
  rp_memset(&rt->stats, 0, sizeof(rt->stats));
  rt->images.count = 0;
  if (EFI_ERROR(rt_list_walk(&el, &rt->vmap, signal_event, &c, NULL, &d)))
    rp_log(RP_LOG_ERROR, "runtime: event list damaged during callbacks (%s)\n", rp_reason_name(d.reason));
  if (EFI_ERROR(rt_list_walk(&il, &rt->vmap, apply_image, &c, NULL, &d)))
    rp_log(RP_LOG_ERROR, "runtime: image list damaged during callbacks (%s)\n", rp_reason_name(d.reason));
  convert_tables(rt);
  rt->in_svam = false; /* later ConvertPointer calls see no map (edk2 f78b937c95) */
  rp_memset(&rt->vmap, 0, sizeof(rt->vmap));
}

EFI_STATUS rp_rt_set_virtual_address_map(rp_runtime *rt, UINTN map_size, UINTN desc_size, UINT32 desc_version,
                                         const EFI_MEMORY_DESCRIPTOR *vmap, rp_diag *diag) {
  rp_diag local;
  rp_diag *dg = diag != NULL ? diag : &local;
  if (rt == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  if (!rt->proto.AtRuntime) RP_REJECT(diag, EFI_UNSUPPORTED, RT_NOT_AT_RUNTIME, RP_DIAG_NO_INDEX);
  if (rt->proto.VirtualMode) RP_REJECT(diag, EFI_UNSUPPORTED, RT_ALREADY_VIRTUAL, RP_DIAG_NO_INDEX);
  rp_memmap vm = { rp_bytes_of(vmap, map_size), map_size, desc_size, desc_version };
  EFI_STATUS st = validate_all(rt, &vm, dg);
  /* The scratch context is wiped after every call: it held pointers into
   * the images, and a rejected call leaves runtime memory bit for bit as it
   * was (it was zero before, rp_rt_create). */
  if (!EFI_ERROR(st)) commit(rt, &vm);
  rp_memset(&rt->scratch, 0, sizeof(rt->scratch));
  if (EFI_ERROR(st)) return st;
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}
