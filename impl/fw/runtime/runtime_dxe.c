/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * RuntimeDxe.efi: installs EFI_RUNTIME_ARCH_PROTOCOL (PI Vol 2 §12.8) backed
 * by the core (rtprm/runtime.h) and points gRT->SetVirtualAddressMap,
 * gRT->ConvertPointer (UEFI §8.4) and gBS->CalculateCrc32 (§7.5.1) at EFIAPI
 * thunks into it. docs/runtime.md "Firmware driver" explains the design:
 *
 *  - Works after another provider (OVMF has its own): the EDK II DXE core
 *    switches gRuntime to the newest interface but migrates only its template
 *    lists (runtime.md §1.3), so every earlier provider's ImageHead/EventHead
 *    entries are adopted (rp_rt_adopt: hardened walk against the live map,
 *    then a move) or the driver refuses to install.
 *  - Our own image is never re-relocated (rp_rt_config.self_image_base): it
 *    runs the relocation, and nothing in it is called in virtual mode
 *    (SetVirtualAddressMap/ConvertPointer are physical-mode only, UEFI §8.4,
 *    and CalculateCrc32 is a boot service), so every absolute pointer in it
 *    may stay physical, and the log lines printed after the images were
 *    re-relocated only read our own (unconverted) image and the stack.
 *  - One summary line per SetVirtualAddressMap call on the debug console
 *    (port 0xE9 on x64; on AArch64 the SPCR console UART while the
 *    firmware's translation tables are live, as when the arm64 Linux stub
 *    calls it): "RTPRM-RT: SetVirtualAddressMap STATUS ...".
 */
#include <stddef.h>

#include "rtprm/fmt.h"
#include "rtprm/mem.h"
#include "rtprm/memmap.h"
#include "rtprm/pe.h"
#include "rtprm/platform.h"
#include "rtprm/fw/platform_uefi.h"
#include "rtprm/runtime.h"
#include "rtprm/status.h"

EFI_STATUS EFIAPI RuntimeDxeEntry(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

/* The provider state: in EfiRuntimeServicesData (rp_rt_create). The
 * pointer itself lives in our image's data, which is never re-relocated. */
static rp_runtime *g_rt;

#define say rp_uefi_say

/* ---- the services ------------------------------------------------------ */

__attribute__((noinline)) static void report_svam(EFI_STATUS s, const rp_diag *d) {
  const rp_rt_stats *t = &g_rt->stats;
  if (EFI_ERROR(s)) {
    say("RTPRM-RT: SetVirtualAddressMap %s: %s (0x%04x) at %lld\n", rp_status_name(s), rp_reason_name(d->reason),
        (unsigned)d->reason, d->index == RP_DIAG_NO_INDEX ? -1LL : (long long)d->index);
    return;
  }
  say("RTPRM-RT: SetVirtualAddressMap %s: images %llu relocated (applied %llu, skipped %llu), %llu self, "
      "%llu failed, events %llu signalled, pointers %llu converted\n",
      rp_status_name(s), (unsigned long long)t->images_relocated, (unsigned long long)t->sites_applied,
      (unsigned long long)t->sites_skipped, (unsigned long long)t->images_self,
      (unsigned long long)t->images_failed, (unsigned long long)t->events_signalled,
      (unsigned long long)t->pointers_converted);
}

#if defined(RTPRM_E2E_BREAK_SKIP_IMAGE)
/* Negative control for the Linux end-to-end test only (RuntimeDxeBreak.efi,
 * docs/runtime.md "Negative control"): the image whose export directory
 * names RTPRM_E2E_BREAK_SKIP_IMAGE is unlinked from ImageHead before the
 * core walks it, so it is not re-relocated into the OS's virtual map. */
static bool export_name_is(const EFI_RUNTIME_IMAGE_ENTRY *e, const char *want) {
  static rp_pe_image img;
  rp_pe_exports exp;
  uint64_t off;
  size_t n = rp_strlen(want) + 1;
  rp_bytes b = rp_bytes_of(e->ImageBase, (size_t)e->ImageSize);
  return !EFI_ERROR(rp_pe_parse(b, RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT, &img, NULL)) &&
         !EFI_ERROR(rp_pe_exports_parse(&img, &exp, NULL)) && exp.dir_size != 0 &&
         rp_pe_rva_to_offset(&img, exp.name_rva, (uint32_t)n, &off) && rp_memcmp(b.ptr + off, want, n) == 0;
}

static void break_skip_image(void) {
  EFI_LIST_ENTRY *head = &g_rt->proto.ImageHead, *l = head->ForwardLink;
  for (int guard = 0; l != head && guard < 1024; guard++, l = l->ForwardLink) {
    EFI_RUNTIME_IMAGE_ENTRY *e = (EFI_RUNTIME_IMAGE_ENTRY *)((uint8_t *)l - offsetof(EFI_RUNTIME_IMAGE_ENTRY, Link));
    if (!export_name_is(e, RTPRM_E2E_BREAK_SKIP_IMAGE)) continue;
    l->BackLink->ForwardLink = l->ForwardLink;
    l->ForwardLink->BackLink = l->BackLink;
    say("RTPRM-RT: NEGATIVE CONTROL: %s (0x%llx) left out of re-relocation\n", RTPRM_E2E_BREAK_SKIP_IMAGE,
        (unsigned long long)(uintptr_t)e->ImageBase);
    return;
  }
}
#endif

static EFI_STATUS EFIAPI svam_thunk(UINTN map_size, UINTN desc_size, UINT32 desc_version,
                                    EFI_MEMORY_DESCRIPTOR *vmap) {
  rp_diag d;
  rp_diag_clear(&d);
#if defined(RTPRM_E2E_BREAK_SKIP_IMAGE)
  break_skip_image();
#endif
  EFI_STATUS s = rp_rt_set_virtual_address_map(g_rt, map_size, desc_size, desc_version, vmap, &d);
  report_svam(s, &d);
  return s;
}

static EFI_STATUS EFIAPI convert_thunk(UINTN disposition, VOID **address) {
  return rp_rt_convert_pointer(g_rt, disposition, address, NULL);
}

static EFI_STATUS EFIAPI crc_thunk(VOID *data, UINTN size, UINT32 *crc) {
  return rp_rt_calculate_crc32(data, size, crc, NULL);
}

/* ---- adopting earlier providers ---------------------------------------- */

/* The live map in a pool buffer (with slack: our own allocation may split a
 * descriptor). The caller frees m->buf.ptr. */
static EFI_STATUS live_map(EFI_BOOT_SERVICES *bs, rp_memmap *m) {
  void *buf = NULL;
  UINTN cap = 0, size = 0, key = 0, dsize = 0;
  UINT32 dver = 0;
  EFI_STATUS s = EFI_BUFFER_TOO_SMALL;
  for (int attempt = 0; attempt < 8 && s == EFI_BUFFER_TOO_SMALL; attempt++) {
    size = cap;
    s = bs->GetMemoryMap(&size, buf, &key, &dsize, &dver);
    if (s != EFI_BUFFER_TOO_SMALL) break;
    rp_plat_free_pool(buf);
    buf = NULL;
    cap = size + 8 * (dsize != 0 ? dsize : 64);
    EFI_STATUS a = rp_plat_alloc_pool(EfiBootServicesData, cap, &buf);
    if (EFI_ERROR(a)) return a;
  }
  if (EFI_ERROR(s)) {
    rp_plat_free_pool(buf);
    return s;
  }
  m->buf = rp_bytes_of(buf, cap);
  m->map_size = size;
  m->desc_size = dsize;
  m->desc_version = dver;
  return EFI_SUCCESS;
}

/* Every interface already installed under the Runtime AP GUID. */
static EFI_STATUS find_providers(EFI_BOOT_SERVICES *bs, EFI_RUNTIME_ARCH_PROTOCOL **out, UINTN max, UINTN *n) {
  EFI_GUID guid = RP_GUID_RUNTIME_ARCH_PROTOCOL;
  EFI_HANDLE *handles = NULL;
  UINTN count = 0;
  *n = 0;
  EFI_STATUS s = bs->LocateHandleBuffer(ByProtocol, &guid, NULL, &count, &handles);
  if (s == EFI_NOT_FOUND) return EFI_SUCCESS; /* we are the first provider */
  if (EFI_ERROR(s)) return s;
  if (handles == NULL || count > max) {
    if (handles != NULL) bs->FreePool(handles);
    return EFI_UNSUPPORTED;
  }
  for (UINTN i = 0; i < count && !EFI_ERROR(s); i++) {
    VOID *iface = NULL;
    s = bs->HandleProtocol(handles[i], &guid, &iface);
    if (!EFI_ERROR(s) && iface == NULL) s = EFI_NOT_FOUND;
    if (!EFI_ERROR(s)) out[(*n)++] = iface;
  }
  bs->FreePool(handles);
  return s;
}

static bool has_entries(const EFI_RUNTIME_ARCH_PROTOCOL *p) {
  return p->ImageHead.ForwardLink != &p->ImageHead || p->EventHead.ForwardLink != &p->EventHead;
}

/* Picks the earlier provider whose lists hold entries: the one the DXE core
 * has been filling (gRuntime). More than one such provider cannot be told
 * apart safely: refuse. *active stays NULL when every list is empty. */
static EFI_STATUS pick_active(EFI_BOOT_SERVICES *bs, EFI_RUNTIME_ARCH_PROTOCOL **active, UINTN *providers) {
  EFI_RUNTIME_ARCH_PROTOCOL *all[8];
  EFI_STATUS s = find_providers(bs, all, 8, providers);
  *active = NULL;
  if (EFI_ERROR(s)) return s;
  for (UINTN i = 0; i < *providers; i++) {
    if (((uintptr_t)all[i] % sizeof(UINTN)) != 0) return EFI_VOLUME_CORRUPTED;
    if (!has_entries(all[i])) continue;
    if (*active != NULL) return EFI_UNSUPPORTED;
    *active = all[i];
  }
  return EFI_SUCCESS;
}

/* Validates, then moves the active earlier provider's lists onto ours
 * (rp_rt_adopt changes nothing when it rejects). */
static EFI_STATUS adopt_earlier(EFI_BOOT_SERVICES *bs, EFI_RUNTIME_ARCH_PROTOCOL **active, rp_rt_adopted *got,
                                UINTN *providers) {
  rp_memmap m;
  rp_diag d;
  EFI_STATUS s = pick_active(bs, active, providers);
  if (EFI_ERROR(s)) {
    say("RTPRM-RT: earlier providers: %s\n", rp_status_name(s));
    return s;
  }
  if (*active == NULL) return EFI_SUCCESS;
  s = live_map(bs, &m);
  if (EFI_ERROR(s)) {
    say("RTPRM-RT: GetMemoryMap: %s\n", rp_status_name(s));
    return s;
  }
  rp_diag_clear(&d);
  s = rp_rt_adopt(g_rt, *active, &m, got, &d);
  if (EFI_ERROR(s))
    say("RTPRM-RT: provider %p not adopted: %s: %s (0x%04x) at %lld\n", (void *)*active, rp_status_name(s),
        rp_reason_name(d.reason), (unsigned)d.reason, d.index == RP_DIAG_NO_INDEX ? -1LL : (long long)d.index);
  rp_plat_free_pool((void *)(uintptr_t)m.buf.ptr);
  return s;
}

/* ---- entry point -------------------------------------------------------- */

static void patch_tables(EFI_SYSTEM_TABLE *st) {
  st->RuntimeServices->SetVirtualAddressMap = svam_thunk;
  st->RuntimeServices->ConvertPointer = convert_thunk;
  st->BootServices->CalculateCrc32 = crc_thunk;
  rp_rt_table_crc(&st->RuntimeServices->Hdr);
  rp_rt_table_crc(&st->BootServices->Hdr);
  rp_rt_table_crc(&st->Hdr);
}

static EFI_STATUS self_base(EFI_HANDLE image, EFI_BOOT_SERVICES *bs, uint64_t *base) {
  EFI_GUID li_guid = RP_GUID_LOADED_IMAGE_PROTOCOL;
  EFI_LOADED_IMAGE_PROTOCOL *li = NULL;
  EFI_STATUS s = bs->HandleProtocol(image, &li_guid, (VOID **)&li);
  if (EFI_ERROR(s)) return s;
  if (li == NULL || li->ImageBase == NULL) return EFI_LOAD_ERROR;
  *base = (uintptr_t)li->ImageBase;
  return EFI_SUCCESS;
}

static EFI_STATUS fail_init(EFI_STATUS s, const char *what) {
  say("RTPRM-RT: not installed: %s: %s\n", what, rp_status_name(s));
  if (g_rt != NULL) rp_rt_destroy(g_rt);
  g_rt = NULL;
  rp_uefi_platform_fini();
  return s;
}

EFI_STATUS EFIAPI RuntimeDxeEntry(EFI_HANDLE image, EFI_SYSTEM_TABLE *st) {
  EFI_GUID guid = RP_GUID_RUNTIME_ARCH_PROTOCOL;
  EFI_HANDLE handle = NULL;
  rp_rt_adopted adopted = { 0, 0 };
  EFI_RUNTIME_ARCH_PROTOCOL *active = NULL;
  UINTN providers = 0;
  uint64_t base = 0;
  EFI_STATUS s = rp_uefi_platform_init(image, st);
  if (EFI_ERROR(s)) return s;
  (void)rp_uefi_log_uart_after_exit(); /* AArch64: the SVAM line to the SPCR UART */
  EFI_BOOT_SERVICES *bs = st->BootServices;

  s = self_base(image, bs, &base);
  if (EFI_ERROR(s)) return fail_init(s, "loaded image");
  rp_rt_config cfg = { st, base };
  s = rp_rt_create(&cfg, &g_rt, NULL);
  if (EFI_ERROR(s)) return fail_init(s, "rp_rt_create");
  /* Adopt before installing: a failure leaves the earlier provider fully in
   * charge. Nothing runs between here and the install (no TPL change, no
   * event), so no registration can land on the old lists in between. */
  s = adopt_earlier(bs, &active, &adopted, &providers);
  if (EFI_ERROR(s)) return fail_init(s, "adopting the earlier provider");
  s = bs->InstallProtocolInterface(&handle, &guid, EFI_NATIVE_INTERFACE, &g_rt->proto);
  if (EFI_ERROR(s)) {
    /* The entries were moved onto our heads: give them back. */
    rp_rt_release(g_rt, active);
    return fail_init(s, "InstallProtocolInterface");
  }
  patch_tables(st);
  /* Dispatched from the flash image, we are the platform's only provider:
   * the DXE core registers every runtime image with us (docs/integration.md). */
  if (providers == 0)
    say("RTPRM-RT: installed at %p (image 0x%llx); first provider, nothing to adopt\n", (void *)&g_rt->proto,
        (unsigned long long)base);
  else
    say("RTPRM-RT: installed at %p (image 0x%llx); adopted %llu images and %llu events from %llu earlier "
        "provider(s)\n",
        (void *)&g_rt->proto, (unsigned long long)base, (unsigned long long)adopted.images,
        (unsigned long long)adopted.events, (unsigned long long)providers);
  return EFI_SUCCESS;
}
