/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * PrmLoaderDxe.efi (runtime driver): discovers PRM modules among the loaded
 * images, builds the PRMT and installs it with EFI_ACPI_TABLE_PROTOCOL.
 *
 * Trigger (docs/prm.md §8.1). EDK II runs discovery once, at EndOfDxe,
 * because modules dispatched from flash load in no fixed order. This driver
 * publishes at two points:
 *   1. at its entry point, with the modules loaded so far; this is what makes
 *      loading from the UEFI Shell (`load`, after EndOfDxe) or through
 *      Driver#### options (BDS, after EndOfDxe, before ReadyToBoot) work:
 *      load PrmConfigDxe and the modules first, the loader last;
 *   2. at EndOfDxe (if it is signalled after the entry point, i.e. the
 *      driver was dispatched from flash), re-discovering everything and
 *      replacing the table installed at step 1 (UninstallAcpiTable + install).
 * After each publication the accepted modules are described in the EFI
 * Memory Attributes Table as runtime code (prm_mat.c, docs/prm.md §9.7).
 * With 0 modules no PRMT is installed (Linux ignores an empty one; prm.md
 * §3.1), and a previously installed one is left alone.
 *
 * Per image (EFI_LOADED_IMAGE_PROTOCOL handles, UEFI 2.10 §9.1): the
 * mapped bytes [ImageBase, ImageBase + ImageSize) are validated by the core
 * (rp_prm_discovery_offer). Rejections print
 *   PRM: rejected <name>: <REASON> (0x....) <status>
 * and discovery goes on; accepted modules print one line each.
 */
#include "prm_fw.h"
#include "prm_mat.h"
#include "rtprm/fmt.h"
#include "rtprm/mem.h"
#include "rtprm/prm_discover.h"

EFI_STATUS EFIAPI PrmLoaderEntry(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

/* The platform GUID modules must carry (PrmPkg.dsc PLATFORM_GUID, which our
 * samples use). */
static const EFI_GUID g_platform = RP_PRM_LOADER_PLATFORM_GUID;
static UINTN g_table_key;
static bool g_installed;
static EFI_EVENT g_eod_event;

/* ---- Image names --------------------------------------------------------- */

/* Last MEDIA_FILEPATH node (type 4, subtype 4, CHAR16 path) of the image's
 * FilePath, as ASCII; bounded by each node's Length and a node limit. */
static bool file_path_name(const EFI_DEVICE_PATH_PROTOCOL *dp, char *out, size_t cap) {
  bool found = false;
  for (int guard = 0; dp != NULL && guard < 64; guard++) {
    uint16_t len = (uint16_t)(dp->Length[0] | dp->Length[1] << 8);
    if (dp->Type == 0x7F || len < 4) break;
    if (dp->Type == 4 && dp->SubType == 4) {
      const uint8_t *p = (const uint8_t *)dp + 4;
      size_t n = 0, chars = (len - 4u) / 2u;
      for (size_t i = 0; i < chars && n + 1 < cap; i++) {
        uint16_t c = (uint16_t)(p[2 * i] | p[2 * i + 1] << 8);
        if (c == 0) break;
        out[n++] = (c >= 0x20 && c < 0x7F) ? (char)c : '?';
      }
      out[n] = '\0';
      found = n > 0;
    }
    dp = (const EFI_DEVICE_PATH_PROTOCOL *)((const uint8_t *)dp + len);
  }
  return found;
}

static void image_name(const EFI_LOADED_IMAGE_PROTOCOL *li, char *out, size_t cap) {
  const char *base = out;
  if (!file_path_name(li->FilePath, out, cap)) {
    rp_snprintf(out, cap, "image@0x%llx", (unsigned long long)(uintptr_t)li->ImageBase);
    return;
  }
  for (const char *p = out; *p; p++)
    if (*p == '\\' || *p == '/') base = p + 1;
  if (base != out) rp_memmove(out, base, rp_strlen(base) + 1);
}

/* ---- Discovery ----------------------------------------------------------- */

static void report(const EFI_LOADED_IMAGE_PROTOCOL *li, rp_prm_verdict v, EFI_STATUS st, const rp_diag *diag,
                   const rp_prm_discovery *d) {
  char name[96], guid[RP_GUID_TEXT_LEN + 1];
  if (v == RP_PRM_NOT_PRM) return;
  image_name(li, name, sizeof(name));
  if (v == RP_PRM_REJECTED) {
    prm_say("PRM: rejected %s: %s (0x%04x) %s\n", name, rp_reason_name(diag->reason), (unsigned)diag->reason,
            rp_status_name(st));
    return;
  }
  const rp_prm_found *f = &d->found[d->count - 1];
  rp_guid_format(&f->module.module_guid, guid);
  prm_say("PRM: module %s %s v%u.%u at 0x%llx, %u handlers\n", name, guid, f->module.major, f->module.minor,
          (unsigned long long)f->load_address, f->module.handler_count);
}

static EFI_STATUS offer_handle(rp_prm_discovery *d, EFI_HANDLE h) {
  static const EFI_GUID li_guid = RP_GUID_LOADED_IMAGE_PROTOCOL;
  EFI_LOADED_IMAGE_PROTOCOL *li = NULL;
  rp_prm_verdict v;
  EFI_STATUS st, s;
  rp_diag diag;
  if (EFI_ERROR(prm_protocol_of(h, &li_guid, (void **)&li)) || li == NULL) return EFI_SUCCESS;
  /* patina#260: a bogus ImageBase/ImageSize must not be dereferenced. */
  if (li->ImageBase == NULL || li->ImageSize < 64 || li->ImageSize > 0x40000000ull) return EFI_SUCCESS;
  rp_diag_clear(&diag);
  s = rp_prm_discovery_offer(d, rp_bytes_of(li->ImageBase, (size_t)li->ImageSize),
                             (uint64_t)(uintptr_t)li->ImageBase, &v, &st, &diag);
  report(li, v, st, &diag, d);
  return s;
}

static EFI_STATUS discover(rp_prm_discovery *d) {
  static const EFI_GUID li_guid = RP_GUID_LOADED_IMAGE_PROTOCOL;
  EFI_HANDLE *hs = NULL;
  UINTN n = 0;
  EFI_STATUS s = prm_handles_with(&li_guid, &hs, &n);
  if (EFI_ERROR(s)) return s;
  for (UINTN i = 0; i < n && !EFI_ERROR(s); i++) s = offer_handle(d, hs[i]);
  rp_plat_free_pool(hs);
  return s;
}

/* ---- Configuration (PRM_CONFIG_PROTOCOL instances) --------------------- */

static EFI_STATUS collect_configs(const PRM_MODULE_CONTEXT_BUFFERS ***cfgs, uint32_t *n) {
  static const EFI_GUID cfg_guid = RP_GUID_PRM_CONFIG_PROTOCOL;
  EFI_HANDLE *hs = NULL;
  UINTN count = 0;
  void *p = NULL;
  *cfgs = NULL;
  *n = 0;
  if (EFI_ERROR(prm_handles_with(&cfg_guid, &hs, &count)) || count == 0) return EFI_SUCCESS; /* none: no buffers */
  EFI_STATUS s = rp_plat_alloc_pool(EfiBootServicesData, count * sizeof(void *), &p);
  if (EFI_ERROR(s)) {
    rp_plat_free_pool(hs);
    return s;
  }
  const PRM_MODULE_CONTEXT_BUFFERS **arr = p;
  for (UINTN i = 0; i < count; i++) {
    PRM_CONFIG_PROTOCOL *c = NULL;
    if (!EFI_ERROR(prm_protocol_of(hs[i], &cfg_guid, (void **)&c)) && c != NULL) arr[(*n)++] = &c->ModuleContextBuffers;
  }
  rp_plat_free_pool(hs);
  *cfgs = arr;
  return EFI_SUCCESS;
}

/* ---- Publish --------------------------------------------------------------- */

static void uninstall_previous(void) {
  static const EFI_GUID acpi_guid = RP_GUID_ACPI_TABLE_PROTOCOL;
  EFI_ACPI_TABLE_PROTOCOL *acpi = NULL;
  EFI_GUID g = acpi_guid;
  if (!g_installed) return;
  if (EFI_ERROR(rp_uefi_boot_services()->LocateProtocol(&g, NULL, (void **)&acpi))) return;
  EFI_STATUS s = acpi->UninstallAcpiTable(acpi, g_table_key);
  prm_say("PRM: previous PRMT uninstalled: %s\n", rp_status_name(s));
  g_installed = false;
}

static EFI_STATUS build_and_install(const rp_prm_discovery *d) {
  const PRM_MODULE_CONTEXT_BUFFERS **cfgs = NULL;
  uint32_t ncfg = 0, size = 0;
  uint8_t *table = NULL;
  rp_prmt_build_in tmpl;
  rp_diag diag;
  EFI_STATUS s = collect_configs(&cfgs, &ncfg);
  if (EFI_ERROR(s)) return s;
  rp_prmt_build_in_defaults(&tmpl);
  tmpl.platform_guid = g_platform;
  s = rp_prm_discovery_build(d, &tmpl, (const PRM_MODULE_CONTEXT_BUFFERS *const *)cfgs, ncfg, &table, &size, &diag);
  rp_plat_free_pool((void *)cfgs);
  if (EFI_ERROR(s)) {
    prm_say("PRM: PRMT not built: %s (0x%04x) %s\n", rp_reason_name(diag.reason), (unsigned)diag.reason,
            rp_status_name(s));
    return s;
  }
  uninstall_previous();
  s = prm_install_acpi_table(table, size, &g_table_key);
  rp_plat_free_pool(table);
  if (EFI_ERROR(s)) {
    prm_say("PRM: PRMT install failed: %s\n", rp_status_name(s));
    return s;
  }
  g_installed = true;
  prm_say("PRM: PRMT installed, %u modules, %u handlers, %u bytes, %u configurations\n", d->count, d->handler_total,
          size, ncfg);
  return EFI_SUCCESS;
}

static EFI_STATUS run(const char *trigger) {
  rp_prm_discovery d;
  EFI_STATUS s;
  prm_say("PRM: discovery (%s)\n", trigger);
  rp_prm_discovery_init(&d, &g_platform);
  s = discover(&d);
  if (EFI_ERROR(s)) {
    prm_say("PRM: discovery failed: %s\n", rp_status_name(s));
  } else if (d.count == 0) {
    prm_say("PRM: no PRM modules found, no PRMT installed\n");
    s = EFI_NOT_FOUND;
  } else {
    s = build_and_install(&d);
#if !defined(RTPRM_E2E_NO_MAT)
    if (!EFI_ERROR(s)) (void)prm_mat_track(&d);
#endif
  }
  rp_prm_discovery_free(&d);
  return s;
}

static VOID EFIAPI on_end_of_dxe(EFI_EVENT event, VOID *context) {
  (void)context;
  (void)run("EndOfDxe");
  (void)rp_uefi_boot_services()->CloseEvent(event);
  g_eod_event = NULL;
}

EFI_STATUS EFIAPI PrmLoaderEntry(EFI_HANDLE image, EFI_SYSTEM_TABLE *st) {
  static const EFI_GUID eod = RP_GUID_EVENT_GROUP_END_OF_DXE;
  EFI_STATUS s = rp_uefi_platform_init(image, st);
  if (EFI_ERROR(s)) return s;
  s = st->BootServices->CreateEventEx(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, on_end_of_dxe, NULL, &eod, &g_eod_event);
  if (EFI_ERROR(s)) prm_say("PRM: EndOfDxe notification not registered: %s\n", rp_status_name(s));
#if !defined(RTPRM_E2E_NO_MAT)
  (void)prm_mat_start();
#endif
  (void)run("entry point");
  return EFI_SUCCESS; /* stay resident: the EndOfDxe run may still come */
}
