/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * PrmInfo.efi (UEFI Shell application): what PRM the OS will see.
 *
 *   PrmInfo.efi [-l] [-t <handler-guid>|all] [-p <hex-dword>]
 *     -l        list modules and handlers of the installed PRMT (default)
 *     -t GUID   run that handler; -t all runs every handler
 *     -p DWORD  before each call, write DWORD to the handler's ACPI parameter
 *               buffer, as the ASL caller does (EDK II's
 *               PrmSampleAcpiParameterBufferModule expects 'TEST', 0x54534554)
 *
 * Unlike EDK II's PrmInfo (which re-runs discovery, prm.md §2.7) this reads
 * the PRMT the OS will read: system table → ACPI 2.0 RSDP → XSDT → 'PRMT'
 * (every pointer and length checked), then rp_prmt_check (checksum, both
 * walks, lengths, GUIDs). Handler names are resolved through the export
 * table of the loaded image containing the handler. A handler is called only
 * if its address lies inside a loaded image, with a 'PRMC' version 1 context
 * (its GUID, its static data buffer, its module's MMIO ranges) and its ACPI
 * parameter buffer as ParameterBuffer (what Linux passes on the
 * OperationRegion path). Lines start with "PRMINFO:"; the last is
 * "PRMINFO: PASS" or "PRMINFO: FAIL <why>".
 */
#include "prm_fw.h"
#include "rtprm/fmt.h"
#include "rtprm/mem.h"
#include "rtprm/pe.h"

EFI_STATUS EFIAPI PrmInfoMain(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

static char g_fail[128];

static void fail(const char *why) {
  if (g_fail[0] == '\0') rp_snprintf(g_fail, sizeof(g_fail), "%s", why);
  prm_say("PRMINFO: error: %s\n", why);
}

/* ---- Loaded images: address -> image, RVA -> export name ---------------- */

static bool image_containing(uint64_t addr, rp_bytes *img) {
  static const EFI_GUID li_guid = RP_GUID_LOADED_IMAGE_PROTOCOL;
  EFI_HANDLE *hs = NULL;
  UINTN n = 0;
  bool found = false;
  if (EFI_ERROR(prm_handles_with(&li_guid, &hs, &n))) return false;
  for (UINTN i = 0; i < n && !found; i++) {
    EFI_LOADED_IMAGE_PROTOCOL *li = NULL;
    if (EFI_ERROR(prm_protocol_of(hs[i], &li_guid, (void **)&li)) || li == NULL || li->ImageBase == NULL) continue;
    uint64_t base = (uint64_t)(uintptr_t)li->ImageBase;
    if (addr >= base && addr - base < li->ImageSize) {
      *img = rp_bytes_of(li->ImageBase, (size_t)li->ImageSize);
      found = true;
    }
  }
  rp_plat_free_pool(hs);
  return found;
}

static void export_name_of(rp_bytes image, uint64_t addr, char *out, size_t cap) {
  static rp_pe_image img;
  rp_pe_exports e;
  rp_pe_export x;
  rp_snprintf(out, cap, "?");
  if (EFI_ERROR(rp_pe_parse(image, RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT, &img, NULL)) || EFI_ERROR(rp_pe_exports_parse(&img, &e, NULL)))
    return;
  uint64_t rva = addr - (uint64_t)(uintptr_t)image.ptr;
  for (uint32_t i = 0; i < e.num_names; i++) {
    if (!EFI_ERROR(rp_pe_export_at(&img, &e, i, &x, NULL)) && x.rva == rva) {
      rp_snprintf(out, cap, "%s", x.name);
      return;
    }
  }
}

/* ---- Options ------------------------------------------------------------ */

typedef struct {
  bool     list, run, run_all, param_set;
  EFI_GUID target;
  uint32_t param_dword;
} options;

/* 1 to 8 hex digits, optionally after "0x". */
static bool parse_dword(const char *s, uint32_t *out) {
  uint32_t v = 0;
  size_t n = 0;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2;
  for (; *s; s++, n++) {
    char c = *s;
    uint32_t d = c >= '0' && c <= '9' ? (uint32_t)(c - '0')
                 : c >= 'a' && c <= 'f' ? (uint32_t)(c - 'a' + 10)
                 : c >= 'A' && c <= 'F' ? (uint32_t)(c - 'A' + 10) : 16u;
    if (d > 15 || n == 8) return false;
    v = v << 4 | d;
  }
  *out = v;
  return n > 0;
}

/* LoadOptions from the Shell: the CHAR16 command line, program name first. */
static bool parse_options(EFI_HANDLE image, options *o) {
  static const EFI_GUID li_guid = RP_GUID_LOADED_IMAGE_PROTOCOL;
  EFI_LOADED_IMAGE_PROTOCOL *li = NULL;
  char line[256], *tok[8];
  size_t n = 0, nt = 0;
  rp_memset(o, 0, sizeof(*o));
  if (!EFI_ERROR(prm_protocol_of(image, &li_guid, (void **)&li)) && li != NULL && li->LoadOptions != NULL) {
    const CHAR16 *w = li->LoadOptions;
    for (size_t i = 0; i < li->LoadOptionsSize / 2 && w[i] != 0 && n + 1 < sizeof(line); i++)
      line[n++] = w[i] < 0x80 ? (char)w[i] : '?';
  }
  line[n] = '\0';
  for (char *p = line; *p && nt < 8;) {
    while (*p == ' ') *p++ = '\0';
    if (*p) tok[nt++] = p;
    while (*p && *p != ' ') p++;
  }
  for (size_t i = 1; i < nt; i++) {
    if (rp_strcmp(tok[i], "-l") == 0) {
      o->list = true;
    } else if (rp_strcmp(tok[i], "-t") == 0 && i + 1 < nt) {
      const char *g = tok[++i];
      o->run = true;
      o->run_all = rp_strcmp(g, "all") == 0; /* exact: EDK II's prefix match accepts "a" */
      if (!o->run_all && EFI_ERROR(rp_guid_parse(g, rp_strlen(g), &o->target, NULL))) return false;
    } else if (rp_strcmp(tok[i], "-p") == 0 && i + 1 < nt) {
      o->param_set = true;
      if (!parse_dword(tok[++i], &o->param_dword)) return false;
    } else {
      return false;
    }
  }
  if (!o->run) o->list = true;
  return true;
}

/* ---- Listing and running ------------------------------------------------ */

typedef struct {
  uint32_t ran, ok;
  bool     matched;
} run_stats;

static void run_handler(const options *o, const rp_prmt_module_view *m, const rp_prmt_handler_view *h,
                        const char *name, run_stats *rs) {
  char g[RP_GUID_TEXT_LEN + 1];
  PRM_CONTEXT_BUFFER ctx;
  rp_bytes img;
  rp_guid_format(&h->guid, g);
  if (!image_containing(h->address, &img)) {
    prm_say("PRMINFO: handler %s at 0x%llx is not inside a loaded image: not called\n", g,
            (unsigned long long)h->address);
    fail("a handler address lies outside every loaded image");
    rs->ran++;
    return;
  }
  rp_prm_context_init(&ctx, &h->guid, (PRM_DATA_BUFFER *)(uintptr_t)h->static_data_buffer,
                      (PRM_RUNTIME_MMIO_RANGES *)(uintptr_t)m->mmio_ranges);
  PRM_HANDLER_POINTER fn = (PRM_HANDLER_POINTER)(uintptr_t)h->address;
  void *param = (void *)(uintptr_t)h->acpi_param_buffer;
  if (param != NULL && o->param_set) {
    *(volatile UINT32 *)param = o->param_dword;
    prm_say("PRMINFO:   parameter buffer dword 0 set to 0x%08x\n", (unsigned)o->param_dword);
  }
  EFI_STATUS s = fn(param, &ctx);
  rs->ran++;
  if (!EFI_ERROR(s)) rs->ok++;
  prm_say("PRMINFO: handler %s (%s) returned %s\n", g, name, rp_status_name(s));
  if (param != NULL) prm_say("PRMINFO:   parameter buffer dword 0 = 0x%08x\n", (unsigned)*(volatile UINT32 *)param);
  if (EFI_ERROR(s)) fail("a handler returned an error");
}

static void one_handler(const options *o, const rp_prmt_module_view *m, const rp_prmt_handler_view *h,
                        run_stats *rs) {
  char g[RP_GUID_TEXT_LEN + 1], name[PRM_HANDLER_NAME_MAXIMUM_LENGTH];
  rp_bytes img;
  rp_guid_format(&h->guid, g);
  rp_snprintf(name, sizeof(name), "?");
  if (image_containing(h->address, &img)) export_name_of(img, h->address, name, sizeof(name));
  if (o->list)
    prm_say("PRMINFO:   handler %s %s at 0x%llx static data 0x%llx param 0x%llx\n", g, name,
            (unsigned long long)h->address, (unsigned long long)h->static_data_buffer,
            (unsigned long long)h->acpi_param_buffer);
  if (o->run && (o->run_all || rp_guid_equal(&o->target, &h->guid))) {
    rs->matched = true;
    run_handler(o, m, h, name, rs);
  }
}

static void one_module(const options *o, rp_bytes t, const rp_prmt_module_view *m, run_stats *rs) {
  char g[RP_GUID_TEXT_LEN + 1];
  rp_guid_format(&m->guid, g);
  if (o->list)
    prm_say("PRMINFO: module %s v%u.%u, %u handlers, MMIO ranges 0x%llx\n", g, m->major, m->minor,
            m->handler_count, (unsigned long long)m->mmio_ranges);
  for (uint32_t j = 0; j < m->handler_count; j++) {
    rp_prmt_handler_view h;
    uint64_t off = (uint64_t)m->offset + m->handler_offset + (uint64_t)j * RP_PRMT_HANDLER_SIZE;
    if (EFI_ERROR(rp_prmt_handler_read(t, off, &h, NULL))) return fail("handler structure unreadable");
    one_handler(o, m, &h, rs);
  }
}

static void walk(const options *o, rp_bytes t, const rp_prmt_info *info, run_stats *rs) {
  uint64_t off = info->module_offset;
  for (uint32_t i = 0; i < info->module_count; i++) {
    rp_prmt_module_view m;
    if (EFI_ERROR(rp_prmt_module_read(t, off, &m, NULL))) return fail("module structure unreadable");
    one_module(o, t, &m, rs);
    off += m.length;
  }
}

/* The PRMT through system table -> ACPI 2.0 RSDP -> XSDT (rp_uefi_acpi_table). */
static void check_prmt(const options *o) {
  rp_bytes t, ssdt;
  rp_prmt_info info;
  rp_diag diag;
  run_stats rs = { 0, 0, false };
  const char *why = NULL;
  if (!EFI_ERROR(rp_uefi_acpi_table(EFI_ACPI_SSDT_SIGNATURE, "PRMOPREG", &ssdt, NULL)))
    prm_say("PRMINFO: SSDT PRMOPREG present (%u bytes)\n", (unsigned)ssdt.len);
  else
    prm_say("PRMINFO: no SSDT PRMOPREG\n");
  if (EFI_ERROR(rp_uefi_acpi_table(PRM_TABLE_SIGNATURE, NULL, &t, &why)))
    return fail(why != NULL ? why : "no PRMT in the XSDT");
  rp_memset(&info, 0, sizeof(info));
  EFI_STATUS s = rp_prmt_check(t, &info, &diag);
  prm_say("PRMINFO: PRMT at 0x%llx, %u bytes, %u modules, %u handlers, check %s (%s), walks agree %s\n",
          (unsigned long long)(uintptr_t)t.ptr, info.length, info.module_count, info.handler_total,
          rp_status_name(s), EFI_ERROR(s) ? rp_reason_name(diag.reason) : "ok", info.walks_agree ? "yes" : "no");
  if (EFI_ERROR(s)) return fail("the installed PRMT fails rp_prmt_check");
  walk(o, t, &info, &rs);
  if (o->run) {
    prm_say("PRMINFO: ran %u handlers, %u returned success\n", rs.ran, rs.ok);
    if (!rs.matched) fail("no handler matched -t");
  }
}

EFI_STATUS EFIAPI PrmInfoMain(EFI_HANDLE image, EFI_SYSTEM_TABLE *st) {
  options o;
  EFI_STATUS s = rp_uefi_platform_init(image, st);
  if (EFI_ERROR(s)) return s;
  if (!parse_options(image, &o)) {
    prm_say("usage: PrmInfo.efi [-l] [-t <handler-guid>|all]\n");
    rp_uefi_platform_fini();
    return EFI_INVALID_PARAMETER;
  }
  check_prmt(&o);
  if (g_fail[0] == '\0')
    prm_say("PRMINFO: PASS\n");
  else
    prm_say("PRMINFO: FAIL %s\n", g_fail);
  s = g_fail[0] == '\0' ? EFI_SUCCESS : EFI_ABORTED;
  rp_uefi_platform_fini();
  return s;
}
