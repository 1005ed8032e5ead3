/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * rtprm prm module IMG [--platform-guid GUID] [--json] [--strict]
 * rtprm prm build --platform-guid GUID [--oem-id ID] [--oem-table-id ID] [--allow-empty]
 *                 IMG@LOADADDR... -o PRMT.bin
 * rtprm prm check PRMT.bin [--json] [--strict]
 *
 * Findings (the image's PE findings; a file longer than the PRMT's Length)
 * are warnings on stderr and in the JSON; --strict rejects the first one.
 *
 * JSON schemas: "rtprm-prm-module/1" and "rtprm-prmt-check/1" (docs/prm.md §7).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rtprm/guid.h"
#include "rtprm/spec/pecoff.h"
#include "rtprm/platform.h"
#include "rtprm/prm_core.h"

#define MAX_MODULES 1024

typedef struct {
  const char *out;
  const char *files[MAX_MODULES];
  uint64_t    load[MAX_MODULES];
  int         nfiles;
  EFI_GUID    platform;
  bool        has_platform, json, allow_empty;
  rp_pe_profile profile;
  const char *oem_id, *oem_table_id;
} prm_args;

static void guid_text(const EFI_GUID *g, char out[RP_GUID_TEXT_LEN + 1]) { rp_guid_format(g, out); }

static int parse_guid(const char *text, EFI_GUID *g) {
  if (EFI_ERROR(rp_guid_parse(text, strlen(text), g, NULL))) return cli_usage("bad GUID '%s'", text);
  return CLI_OK;
}

/* IMG or IMG@ADDR (build needs the address). */
static int add_file(prm_args *a, char *arg, bool need_addr) {
  char *at = strrchr(arg, '@');
  if (a->nfiles >= MAX_MODULES) return cli_usage("at most %d modules", MAX_MODULES);
  if (need_addr) {
    if (at == NULL || !cli_parse_u64(at + 1, &a->load[a->nfiles])) return cli_usage("expected IMG@LOADADDR, got '%s'", arg);
    *at = '\0';
  }
  a->files[a->nfiles++] = arg;
  return CLI_OK;
}

static int parse_args(int argc, char **argv, prm_args *a) {
  bool build = strcmp(argv[1], "build") == 0;
  memset(a, 0, sizeof(*a));
  for (int i = 2; i < argc; i++) {
    const char *o = argv[i];
    bool v = i + 1 < argc;
    int rc = CLI_OK;
    if (strcmp(o, "--json") == 0) a->json = true;
    else if (strcmp(o, "--allow-empty") == 0) a->allow_empty = true;
    else if (strcmp(o, "--strict") == 0) a->profile = RP_PE_PROFILE_STRICT;
    else if (strcmp(o, "--platform-guid") == 0 && v) {
      rc = parse_guid(argv[++i], &a->platform);
      a->has_platform = true;
    } else if (strcmp(o, "--oem-id") == 0 && v) a->oem_id = argv[++i];
    else if (strcmp(o, "--oem-table-id") == 0 && v) a->oem_table_id = argv[++i];
    else if (strcmp(o, "-o") == 0 && v) a->out = argv[++i];
    else if (o[0] != '-') rc = add_file(a, argv[i], build);
    else return cli_usage("prm %s: unexpected argument '%s'", argv[1], o);
    if (rc != CLI_OK) return rc;
  }
  return CLI_OK;
}

/* Reads, parses (FILE layout) and validates one module; its PE findings
 * are warnings (STRICT: rejections). `sig` gets its signature state
 * (pe_signature_state). */
static int open_module(const char *path, const EFI_GUID *platform, rp_pe_profile profile, rp_prm_module *m,
                       char sig[128]) {
  uint8_t *data;
  size_t len;
  rp_diag d;
  static rp_pe_image img; /* 96 section slots: keep it off the stack */
  if (!cli_read_file(path, &data, &len)) return CLI_INVALID;
  EFI_STATUS st = rp_pe_parse(rp_bytes_of(data, len), RP_PE_LAYOUT_FILE, profile, &img, &d);
  if (!EFI_ERROR(st)) st = rp_prm_module_validate(&img, platform, m, &d);
  if (!EFI_ERROR(st)) {
    char buf[128];
    snprintf(sig, 128, "%s", pe_signature_state(&img, buf, sizeof(buf)));
  }
  free(data);
  if (EFI_ERROR(st)) return cli_reject(st, &d, path);
  cli_warn_findings(&img.findings, path);
  return CLI_OK;
}

static const char *machine_name(uint16_t m) { return m == IMAGE_FILE_MACHINE_AMD64 ? "x64" : "aa64"; }

static void print_module_json(const char *path, const rp_prm_module *m, const char *sig) {
  char g[RP_GUID_TEXT_LEN + 1], p[RP_GUID_TEXT_LEN + 1];
  guid_text(&m->module_guid, g);
  guid_text(&m->platform_guid, p);
  printf("{\"schema\": \"rtprm-prm-module/1\", \"file\": ");
  cli_json_string(path);
  printf(", \"machine\": \"%s\", \"module_guid\": \"%s\", \"platform_guid\": \"%s\",\n", machine_name(m->machine), g, p);
  printf(" \"version\": {\"major\": %u, \"minor\": %u}, \"descriptor_rva\": %u, \"signature\": ", m->major, m->minor,
         m->descriptor_rva);
  cli_json_string(sig);
  printf(",\n \"handlers\": [");
  for (uint32_t i = 0; i < m->handler_count; i++) {
    guid_text(&m->handlers[i].guid, g);
    printf("%s\n  {\"guid\": \"%s\", \"name\": ", i ? "," : "", g);
    cli_json_string(m->handlers[i].name);
    printf(", \"rva\": %u}", m->handlers[i].rva);
  }
  printf("]}\n");
}

static void print_module_text(const char *path, const rp_prm_module *m, const char *sig) {
  char g[RP_GUID_TEXT_LEN + 1], p[RP_GUID_TEXT_LEN + 1];
  guid_text(&m->module_guid, g);
  guid_text(&m->platform_guid, p);
  printf("%s: PRM module %s version %u.%u (%s), platform %s, %u handler(s)\n", path, g, m->major, m->minor,
         machine_name(m->machine), p, m->handler_count);
  printf("  signature: %s\n", sig);
  for (uint32_t i = 0; i < m->handler_count; i++) {
    guid_text(&m->handlers[i].guid, g);
    printf("  %s  rva 0x%08X  %s\n", g, m->handlers[i].rva, m->handlers[i].name);
  }
}

static int prm_module(const prm_args *a) {
  if (a->nfiles != 1) return cli_usage("prm module: exactly one IMG");
  rp_prm_module m = { 0 };
  char sig[128] = "";
  int rc = open_module(a->files[0], a->has_platform ? &a->platform : NULL, a->profile, &m, sig);
  if (rc != CLI_OK) return rc;
  if (a->json) print_module_json(a->files[0], &m, sig);
  else print_module_text(a->files[0], &m, sig);
  rp_prm_module_free(&m);
  return CLI_OK;
}

/* ---- build ------------------------------------------------------------------------ */

static void copy_padded(uint8_t *dst, size_t n, const char *src) {
  size_t l = src ? strlen(src) : 0;
  if (src == NULL) return;
  memset(dst, ' ', n);
  memcpy(dst, src, l < n ? l : n);
}

static int write_table(const char *path, const uint8_t *t, uint32_t n) {
  FILE *f = fopen(path, "wb");
  bool ok = f != NULL && fwrite(t, 1, n, f) == n;
  if (f != NULL && fclose(f) != 0) ok = false;
  if (!ok) fprintf(stderr, "rtprm: %s: cannot write\n", path);
  return ok ? CLI_OK : CLI_INVALID;
}

static int emit(const prm_args *a, rp_prmt_build_in *in) {
  uint8_t *t;
  uint32_t n;
  rp_diag d;
  EFI_STATUS st = rp_prmt_build_alloc(in, &t, &n, &d);
  if (EFI_ERROR(st)) return cli_reject(st, &d, "PRMT");
  int rc = write_table(a->out, t, n);
  rp_plat_free_pool(t);
  return rc;
}

static int prm_build(const prm_args *a) {
  if (!a->has_platform) return cli_usage("prm build: --platform-guid is required");
  if (a->out == NULL) return cli_usage("prm build: -o PRMT.bin is required");
  if ((a->oem_id && strlen(a->oem_id) > 6) || (a->oem_table_id && strlen(a->oem_table_id) > 8))
    return cli_usage("prm build: --oem-id is at most 6 characters, --oem-table-id at most 8");
  rp_prm_module *mods = calloc((size_t)a->nfiles + 1, sizeof(*mods));
  rp_prmt_module_in *ins = calloc((size_t)a->nfiles + 1, sizeof(*ins));
  int rc = mods && ins ? CLI_OK : CLI_INVALID;
  for (int i = 0; rc == CLI_OK && i < a->nfiles; i++) {
    rp_diag d;
    char sig[128];
    rc = open_module(a->files[i], &a->platform, a->profile, &mods[i], sig);
    if (rc != CLI_OK) break;
    rp_prmt_handler_in *h = calloc(mods[i].handler_count, sizeof(*h));
    ins[i] = (rp_prmt_module_in){ mods[i].module_guid, mods[i].major, mods[i].minor, 0, mods[i].handler_count, h };
    EFI_STATUS st = h ? rp_prmt_handlers_of(&mods[i], a->load[i], h, &d) : EFI_OUT_OF_RESOURCES;
    if (h == NULL) rc = CLI_INVALID;
    else if (EFI_ERROR(st)) rc = cli_reject(st, &d, a->files[i]);
  }
  if (rc == CLI_OK) {
    rp_prmt_build_in in;
    rp_prmt_build_in_defaults(&in);
    in.platform_guid = a->platform;
    copy_padded(in.oem_id, 6, a->oem_id);
    copy_padded(in.oem_table_id, 8, a->oem_table_id);
    in.module_count = (uint32_t)a->nfiles;
    in.modules = ins;
    in.allow_empty = a->allow_empty;
    rc = emit(a, &in);
  }
  for (int i = 0; mods && ins && i < a->nfiles; i++) {
    free((void *)ins[i].handlers);
    rp_prm_module_free(&mods[i]);
  }
  free(ins);
  free(mods);
  return rc;
}

/* ---- check ------------------------------------------------------------------------ */

static void print_table(rp_bytes t, const rp_prmt_info *info, bool json) {
  uint64_t off = info->module_offset;
  char g[RP_GUID_TEXT_LEN + 1];
  for (uint32_t i = 0; i < info->module_count; i++) {
    rp_prmt_module_view m;
    if (EFI_ERROR(rp_prmt_module_read(t, off, &m, NULL))) return;
    guid_text(&m.guid, g);
    if (json) printf("%s\n  {\"guid\": \"%s\", \"offset\": %u, \"length\": %u, \"version\": {\"major\": %u, \"minor\": %u}, "
                     "\"mmio_ranges\": %llu, \"handlers\": [", i ? "," : "", g, m.offset, m.length, m.major, m.minor,
                     (unsigned long long)m.mmio_ranges);
    else printf("  module %s version %u.%u at %u, %u handler(s), mmio 0x%llX\n", g, m.major, m.minor, m.offset,
                m.handler_count, (unsigned long long)m.mmio_ranges);
    for (uint32_t j = 0; j < m.handler_count; j++) {
      rp_prmt_handler_view h;
      if (EFI_ERROR(rp_prmt_handler_read(t, off + m.handler_offset + 44ull * j, &h, NULL))) return;
      guid_text(&h.guid, g);
      if (json) printf("%s\n   {\"guid\": \"%s\", \"address\": %llu, \"static_data_buffer\": %llu, \"acpi_param_buffer\": %llu}",
                       j ? "," : "", g, (unsigned long long)h.address, (unsigned long long)h.static_data_buffer,
                       (unsigned long long)h.acpi_param_buffer);
      else printf("    handler %s  address 0x%llX  static 0x%llX  acpi-param 0x%llX\n", g,
                  (unsigned long long)h.address, (unsigned long long)h.static_data_buffer,
                  (unsigned long long)h.acpi_param_buffer);
    }
    if (json) printf("]}");
    off += m.length;
  }
}

static void print_check_json(const char *path, rp_bytes t, const rp_prmt_info *info, EFI_STATUS st, const rp_diag *d) {
  char g[RP_GUID_TEXT_LEN + 1];
  guid_text(&info->platform_guid, g);
  printf("{\"schema\": \"rtprm-prmt-check/1\", \"file\": ");
  cli_json_string(path);
  printf(", \"valid\": %s, \"status\": \"%s\", \"reason\": \"%s\", \"index\": ", EFI_ERROR(st) ? "false" : "true",
         rp_status_name(st), rp_reason_name(d->reason));
  if (d->index == RP_DIAG_NO_INDEX) printf("null");
  else printf("%llu", (unsigned long long)d->index);
  printf(", \"findings\": ");
  cli_json_findings(&info->findings);
  printf(",\n \"length\": %u, \"revision\": %u, \"checksum_ok\": %s, \"platform_guid\": \"%s\", \"module_offset\": %u, "
         "\"module_count\": %u, \"handler_total\": %u, \"linux_modules\": %u, \"acpica_modules\": %u, \"walks_agree\": %s,\n"
         " \"modules\": [",
         info->length, info->revision, info->checksum_ok ? "true" : "false", g, info->module_offset, info->module_count,
         info->handler_total, info->linux_modules, info->acpica_modules, info->walks_agree ? "true" : "false");
  if (!EFI_ERROR(st)) print_table(t, info, true);
  printf("]}\n");
}

static int prm_check(const prm_args *a) {
  uint8_t *data;
  size_t len;
  rp_diag d;
  rp_prmt_info info;
  if (a->nfiles != 1) return cli_usage("prm check: exactly one PRMT.bin");
  if (!cli_read_file(a->files[0], &data, &len)) return CLI_INVALID;
  rp_bytes t = rp_bytes_of(data, len);
  EFI_STATUS st = rp_prmt_check(t, &info, &d);
  if (!EFI_ERROR(st) && a->profile == RP_PE_PROFILE_STRICT && info.findings.count != 0)
    st = rp_diag_set(&d, EFI_INVALID_PARAMETER, info.findings.item[0].reason, info.findings.item[0].index, NULL, 0);
  else if (!EFI_ERROR(st)) cli_warn_findings(&info.findings, a->files[0]);
  if (a->json) print_check_json(a->files[0], t, &info, st, &d);
  if (!EFI_ERROR(st) && !a->json) {
    char g[RP_GUID_TEXT_LEN + 1];
    guid_text(&info.platform_guid, g);
    printf("%s: PRMT ok: %u bytes, revision %u, platform %s, %u module(s), %u handler(s); Linux and ACPICA walks agree\n",
           a->files[0], info.length, info.revision, g, info.module_count, info.handler_total);
    if (info.module_count == 0) printf("  note: 0 modules: Linux installs no PRM opregion handler for this table\n");
    print_table(t, &info, false);
  }
  free(data);
  return EFI_ERROR(st) ? cli_reject(st, &d, a->files[0]) : CLI_OK;
}

int cmd_prm(int argc, char **argv) {
  prm_args a;
  if (argc < 2) return cli_usage("prm: expected module, build or check");
  if (strcmp(argv[1], "module") != 0 && strcmp(argv[1], "build") != 0 && strcmp(argv[1], "check") != 0)
    return cli_usage("prm: unknown verb '%s'", argv[1]);
  int rc = parse_args(argc, argv, &a);
  if (rc != CLI_OK) return rc;
  if (strcmp(argv[1], "module") == 0) return prm_module(&a);
  if (strcmp(argv[1], "build") == 0) return prm_build(&a);
  return prm_check(&a);
}
