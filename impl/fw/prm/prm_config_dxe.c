/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * PrmConfigDxe.efi (runtime driver): the platform's PRM configuration.
 *
 * At its entry point, for every module of the platform table
 * (prm_config_platform.c), it allocates in EfiRuntimeServicesData:
 *   - one 'PRMC' version 1 context buffer per handler (PRM spec §4.1.3);
 *   - the static data buffers ('PRMS' header + payload, PRM spec §4.2.1);
 *   - the runtime MMIO range list (8 + 20n bytes, packed), whose ranges get
 *     EFI_MEMORY_RUNTIME in the GCD (PI Vol 2 §9.2.1; EDK II PrmConfigDxe
 *     SetRuntimeMemoryRangeAttributes, prm.md §2.5) so the OS maps them;
 *   - the ACPI parameter buffers of the handlers that have one;
 * and publishes each module's PRM_MODULE_CONTEXT_BUFFERS through an
 * EDK II-shaped PRM_CONFIG_PROTOCOL (gPrmConfigProtocolGuid) on a new handle,
 * which PrmLoaderDxe reads when it builds the PRMT.
 *
 * At SetVirtualAddressMap (EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE, UEFI 2.10
 * §8.4) every range's VirtualBaseAddress becomes ConvertPointer(Physical)
 * (rp_prm_mmio_convert: all-or-nothing), then the pointers inside the
 * context buffers and our own references are converted. The PRMT itself
 * keeps physical addresses (prm.md §2.5).
 */
#include "prm_config_platform.h"
#include "prm_fw.h"
#include "rtprm/mem.h"
#include "rtprm/spec/pi_dxe.h"

EFI_STATUS EFIAPI PrmConfigEntry(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

typedef struct {
  PRM_CONFIG_PROTOCOL      proto;   /* what the loader reads */
  PRM_RUNTIME_MMIO_RANGES *mmio;    /* also in proto, kept for conversion */
  size_t                   mmio_size;
} module_state;

static module_state g_mod[RP_PRM_CFG_MAX_MODULES];
static uint32_t     g_mod_count;
static EFI_EVENT    g_vac_event;

static EFI_STATUS alloc_rt(size_t size, void **p) {
  EFI_STATUS s = rp_plat_alloc_pool(EfiRuntimeServicesData, size, p);
  if (!EFI_ERROR(s)) rp_memset(*p, 0, size);
  return s;
}

/* ---- GCD: EFI_MEMORY_RUNTIME on an MMIO range --------------------------- */

/* One GCD segment inside [base, end): add it as MMIO when it does not exist
 * yet, then set RUNTIME on top of its current attributes. Only RUNTIME is
 * added (EDK II a96d2a8f2d: not a CPU attribute, do not touch caching). */
/* The last GCD step and descriptor, for the failure line. */
static const char *g_gcd_step = "none";
static EFI_GCD_MEMORY_SPACE_DESCRIPTOR g_gcd_last;

static bool page_aligned(uint64_t v) { return (v & 0xFFFu) == 0; }

/* GCD attribute changes work on whole pages (EDK II CoreConvertSpace); a
 * platform may have described a device with a sub-page descriptor (OVMF
 * adds the HPET as 1 KiB). Like EDK II PrmConfigDxe (prm.md §2.5), such a
 * descriptor is removed and the page re-added below, but only when it lies
 * wholly inside the requested range and is not allocated to an image. */
static EFI_STATUS descriptor_at(DXE_SERVICES *ds, uint64_t base, uint64_t end, EFI_GCD_MEMORY_SPACE_DESCRIPTOR *d) {
  g_gcd_step = "GetMemorySpaceDescriptor";
  EFI_STATUS s = ds->GetMemorySpaceDescriptor(base, d);
  if (!EFI_ERROR(s)) g_gcd_last = *d;
  if (EFI_ERROR(s) || d->GcdMemoryType == EfiGcdMemoryTypeNonExistent) return s;
  if (page_aligned(d->BaseAddress) && page_aligned(d->Length)) return EFI_SUCCESS;
  if (d->BaseAddress < (base & ~0xFFFull) || d->BaseAddress + d->Length > end || d->ImageHandle != NULL)
    return EFI_ACCESS_DENIED;
  g_gcd_step = "RemoveMemorySpace";
  s = ds->RemoveMemorySpace(d->BaseAddress, d->Length);
  if (EFI_ERROR(s)) return s;
  return ds->GetMemorySpaceDescriptor(base, d);
}

static EFI_STATUS runtime_segment(DXE_SERVICES *ds, uint64_t base, uint64_t end, uint64_t *next) {
  EFI_GCD_MEMORY_SPACE_DESCRIPTOR d;
  EFI_STATUS s = descriptor_at(ds, base, end, &d);
  if (EFI_ERROR(s)) return s;
  uint64_t seg_end = d.BaseAddress + d.Length;
  if (d.Length == 0 || seg_end <= base) return EFI_DEVICE_ERROR;
  if (seg_end > end) seg_end = end;
  *next = seg_end;
  if (d.GcdMemoryType == EfiGcdMemoryTypeNonExistent) {
    /* The GCD does not merge the hole a removal leaves with its neighbours:
     * add the whole rest of the range when it is all non-existent (one
     * page-aligned add), else just this segment. */
    g_gcd_step = "AddMemorySpace";
    s = ds->AddMemorySpace(EfiGcdMemoryTypeMemoryMappedIo, base, end - base, EFI_MEMORY_UC | EFI_MEMORY_RUNTIME);
    if (!EFI_ERROR(s)) {
      *next = seg_end = end;
    } else {
      s = ds->AddMemorySpace(EfiGcdMemoryTypeMemoryMappedIo, base, seg_end - base, EFI_MEMORY_UC | EFI_MEMORY_RUNTIME);
    }
    if (EFI_ERROR(s)) return s;
    s = ds->GetMemorySpaceDescriptor(base, &d);
    if (EFI_ERROR(s)) return s;
  } else if (d.GcdMemoryType != EfiGcdMemoryTypeMemoryMappedIo && d.GcdMemoryType != EfiGcdMemoryTypeReserved) {
    return EFI_ACCESS_DENIED; /* system memory is not an MMIO range */
  }
  if (d.Attributes & EFI_MEMORY_RUNTIME) return EFI_SUCCESS;
  g_gcd_step = "SetMemorySpaceAttributes";
  g_gcd_last = d;
  return ds->SetMemorySpaceAttributes(base, seg_end - base, d.Attributes | EFI_MEMORY_RUNTIME);
}

static EFI_STATUS mark_runtime(uint64_t base, uint32_t len) {
  static const EFI_GUID dxe_guid = RP_GUID_DXE_SERVICES_TABLE;
  DXE_SERVICES *ds = rp_uefi_config_table(&dxe_guid);
  uint64_t end = base + len, at = base; /* ranges were validated: no wrap */
  if (ds == NULL || ds->Hdr.Signature != DXE_SERVICES_SIGNATURE) return EFI_UNSUPPORTED;
  while (at < end) {
    EFI_STATUS s = runtime_segment(ds, at, end, &at);
    if (EFI_ERROR(s)) return s;
  }
  return EFI_SUCCESS;
}

/* ---- Building one module's configuration -------------------------------- */

static EFI_STATUS make_static_data(const rp_prm_cfg_module *m, PRM_DATA_BUFFER **out) {
  size_t size = sizeof(PRM_DATA_BUFFER_HEADER) + m->static_payload_size;
  void *p = NULL;
  rp_diag diag;
  *out = NULL;
  if (m->static_payload == NULL) return EFI_SUCCESS;
  EFI_STATUS s = alloc_rt(size, &p);
  if (EFI_ERROR(s)) return s;
  s = rp_prm_data_buffer_init(rp_mbytes_of(p, size), PRM_DATA_BUFFER_HEADER_SIGNATURE, &diag);
  if (EFI_ERROR(s)) return s;
  rp_memcpy((uint8_t *)p + sizeof(PRM_DATA_BUFFER_HEADER), m->static_payload, m->static_payload_size);
  *out = p;
  return EFI_SUCCESS;
}

static EFI_STATUS make_mmio(const rp_prm_cfg_module *m, module_state *ms) {
  uint64_t size;
  void *p = NULL;
  rp_diag diag;
  if (m->mmio_count == 0) return EFI_SUCCESS;
  if (!rp_prm_mmio_size(m->mmio_count, &size)) return EFI_BAD_BUFFER_SIZE;
  EFI_STATUS s = alloc_rt((size_t)size, &p);
  if (EFI_ERROR(s)) return s;
  s = rp_prm_mmio_build(rp_mbytes_of(p, (size_t)size), m->mmio_base, m->mmio_len, m->mmio_count, &diag);
  if (EFI_ERROR(s)) {
    prm_say("PRMCFG: MMIO ranges rejected: %s (0x%04x)\n", rp_reason_name(diag.reason), (unsigned)diag.reason);
    return s;
  }
  for (uint32_t i = 0; i < m->mmio_count; i++) {
    EFI_STATUS r = mark_runtime(m->mmio_base[i], m->mmio_len[i]);
    prm_say("PRMCFG: MMIO 0x%llx+0x%x EFI_MEMORY_RUNTIME: %s\n", (unsigned long long)m->mmio_base[i],
            (unsigned)m->mmio_len[i], rp_status_name(r));
    if (EFI_ERROR(r)) {
      prm_say("PRMCFG:   failed in %s; descriptor 0x%llx+0x%llx type %u capabilities 0x%llx attributes 0x%llx\n",
              g_gcd_step, (unsigned long long)g_gcd_last.BaseAddress, (unsigned long long)g_gcd_last.Length,
              (unsigned)g_gcd_last.GcdMemoryType, (unsigned long long)g_gcd_last.Capabilities,
              (unsigned long long)g_gcd_last.Attributes);
      return r;
    }
  }
  ms->mmio = p;
  ms->mmio_size = (size_t)size;
  return EFI_SUCCESS;
}

static EFI_STATUS make_param(const rp_prm_cfg_module *m, PRM_MODULE_CONTEXT_BUFFERS *mcb) {
  void *d = NULL, *buf = NULL;
  if (m->param_size == 0) return EFI_SUCCESS;
  EFI_STATUS s = alloc_rt(sizeof(ACPI_PARAMETER_BUFFER_DESCRIPTOR), &d);
  if (!EFI_ERROR(s)) s = alloc_rt(m->param_size, &buf);
  if (EFI_ERROR(s)) return s;
  ACPI_PARAMETER_BUFFER_DESCRIPTOR *desc = d;
  desc->HandlerGuid = m->param_handler;
  desc->AcpiParameterBufferAddress = (uint64_t)(uintptr_t)buf;
  mcb->AcpiParameterBufferDescriptorCount = 1;
  mcb->AcpiParameterBufferDescriptors = desc;
  return EFI_SUCCESS;
}

static bool gets_static_data(const rp_prm_cfg_module *m, const EFI_GUID *handler) {
  const uint32_t cap = (uint32_t)(sizeof(m->static_handlers) / sizeof(m->static_handlers[0]));
  for (uint32_t k = 0; k < m->static_handler_count && k < cap; k++)
    if (rp_guid_equal(&m->static_handlers[k], handler)) return true;
  return false;
}

static EFI_STATUS make_contexts(const rp_prm_cfg_module *m, module_state *ms) {
  PRM_MODULE_CONTEXT_BUFFERS *mcb = &ms->proto.ModuleContextBuffers;
  PRM_DATA_BUFFER *data = NULL;
  void *p = NULL;
  EFI_STATUS s = make_static_data(m, &data);
  if (!EFI_ERROR(s)) s = make_mmio(m, ms);
  if (!EFI_ERROR(s)) s = alloc_rt(m->handler_count * sizeof(PRM_CONTEXT_BUFFER), &p);
  if (EFI_ERROR(s)) return s;
  PRM_CONTEXT_BUFFER *ctx = p;
  for (uint32_t i = 0; i < m->handler_count; i++) {
    rp_prm_context_init(&ctx[i], &m->handlers[i], gets_static_data(m, &m->handlers[i]) ? data : NULL, ms->mmio);
  }
  mcb->ModuleGuid = m->module_guid;
  mcb->BufferCount = m->handler_count;
  mcb->Buffer = ctx;
  mcb->RuntimeMmioRanges = ms->mmio;
  return make_param(m, mcb);
}

static EFI_STATUS publish(module_state *ms) {
  static const EFI_GUID cfg_guid = RP_GUID_PRM_CONFIG_PROTOCOL;
  EFI_BOOT_SERVICES *bs = rp_uefi_boot_services();
  EFI_HANDLE h = NULL;
  EFI_GUID g = cfg_guid;
  return bs->InstallProtocolInterface(&h, &g, EFI_NATIVE_INTERFACE, &ms->proto);
}

/* ---- SetVirtualAddressMap ----------------------------------------------- */

static EFI_STATUS convert_one(void *ctx, uint64_t *address) {
  EFI_RUNTIME_SERVICES *rt = ctx;
  void *p = (void *)(uintptr_t)*address;
  EFI_STATUS s = rt->ConvertPointer(0, &p);
  if (!EFI_ERROR(s)) *address = (uint64_t)(uintptr_t)p;
  return s;
}

static void convert_ptr(EFI_RUNTIME_SERVICES *rt, void **p) {
  if (*p != NULL) (void)rt->ConvertPointer(EFI_OPTIONAL_PTR, p);
}

/* Order matters: every conversion reads physical pointers, so the structures
 * are rewritten through their physical addresses first and our references
 * to them last. Boot-services memory (the protocol) is not touched. */
static VOID EFIAPI on_virtual_address_change(EFI_EVENT event, VOID *context) {
  EFI_RUNTIME_SERVICES *rt = rp_uefi_runtime_services();
  uint32_t ranges = 0, failed = 0;
  (void)event;
  (void)context;
  for (uint32_t i = 0; i < g_mod_count; i++) {
    module_state *ms = &g_mod[i];
    PRM_MODULE_CONTEXT_BUFFERS *mcb = &ms->proto.ModuleContextBuffers;
    if (ms->mmio != NULL) {
      if (EFI_ERROR(rp_prm_mmio_convert(rp_mbytes_of(ms->mmio, ms->mmio_size), convert_one, rt, NULL))) failed++;
      ranges += (uint32_t)ms->mmio->Count;
    }
    for (UINTN j = 0; mcb->Buffer != NULL && j < mcb->BufferCount; j++) {
      convert_ptr(rt, (void **)&mcb->Buffer[j].StaticDataBuffer);
      convert_ptr(rt, (void **)&mcb->Buffer[j].RuntimeMmioRanges);
    }
    convert_ptr(rt, (void **)&mcb->Buffer);
    convert_ptr(rt, (void **)&mcb->RuntimeMmioRanges);
    convert_ptr(rt, (void **)&ms->mmio);
  }
  prm_say("PRMCFG: virtual address change: %u MMIO ranges converted, %u failures\n", ranges, failed);
}

/* ---- Entry ---------------------------------------------------------------- */

EFI_STATUS EFIAPI PrmConfigEntry(EFI_HANDLE image, EFI_SYSTEM_TABLE *st) {
  uint32_t n = 0;
  const rp_prm_cfg_module *mods = rp_prm_cfg_platform(&n);
  EFI_STATUS s = rp_uefi_platform_init(image, st);
  if (EFI_ERROR(s)) return s;
  if (n > RP_PRM_CFG_MAX_MODULES) n = RP_PRM_CFG_MAX_MODULES;
  for (uint32_t i = 0; i < n; i++) {
    module_state *ms = &g_mod[g_mod_count];
    s = make_contexts(&mods[i], ms);
    if (!EFI_ERROR(s)) s = publish(ms);
    prm_say("PRMCFG: module %s: %u context buffers, static data %s, %u MMIO ranges, param buffer %s: %s\n",
            mods[i].name, mods[i].handler_count, mods[i].static_payload ? "yes" : "no", mods[i].mmio_count,
            mods[i].param_size ? "yes" : "no", rp_status_name(s));
    if (EFI_ERROR(s)) continue; /* runtime pool of a failed module stays: runtime drivers cannot shrink */
    g_mod_count++;
  }
  s = st->BootServices->CreateEvent(EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE, TPL_NOTIFY, on_virtual_address_change, NULL,
                                    &g_vac_event);
  if (EFI_ERROR(s)) {
    prm_say("PRMCFG: cannot register the virtual address change event: %s\n", rp_status_name(s));
    return s; /* protocols stay installed but the driver would unload: fail loudly */
  }
  prm_say("PRMCFG: %u module configurations published\n", g_mod_count);
  return EFI_SUCCESS;
}
