/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * rtprm pe info IMG [--json] [--strict]
 * rtprm pe map IMG --base ADDR -o OUT [--strict]
 * rtprm pe rerelocate IMG --base ADDR --runtime-base ADDR2 [--format edk2|native] -o OUT [--strict]
 * rtprm pe verify IMG [--cert CERT.pem] [--json] [--strict]   (cmd_pe_verify.c)
 *
 * `info --json` prints schema "rtprm-pe-info/1" (harnesses/pe/README.md), the
 * same shape harnesses/pe/pefile_map.py --info --json prints for pefile,
 * plus "format", "te", "profile" and "findings". Findings of every phase
 * (parse, relocation, runtime pass) are warnings on stderr; --strict uses
 * RP_PE_PROFILE_STRICT, which rejects the first one (docs/pecoff.md §1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rtprm/pe.h"

typedef struct {
  const char *file, *out, *cert;
  uint64_t base, runtime_base;
  bool has_base, has_runtime_base, json;
  rp_pe_profile profile;
  rp_fixup_format format;
} pe_args;

/* A file, parsed and (optionally) loaded into a SizeOfImage buffer. */
typedef struct {
  uint8_t *file_data;
  size_t file_len;
  rp_pe_image file;
  uint8_t *image;
  rp_pe_image mapped;
  rp_findings findings; /* of every phase so far, each once */
} pe_loaded;

static int parse_base(const char *opt, const char *text, uint64_t *out, bool *has) {
  if (!cli_parse_u64(text, out)) return cli_usage("bad %s '%s'", opt, text);
  *has = true;
  return CLI_OK;
}

static int parse_args(int argc, char **argv, pe_args *a) {
  memset(a, 0, sizeof(*a));
  a->format = RP_FIXUP_EDK2;
  for (int i = 2; i < argc; i++) {
    const char *o = argv[i];
    bool v = i + 1 < argc;
    int rc = CLI_OK;
    if (strcmp(o, "--json") == 0) a->json = true;
    else if (strcmp(o, "--strict") == 0) a->profile = RP_PE_PROFILE_STRICT;
    else if (strcmp(o, "--base") == 0 && v) rc = parse_base(o, argv[++i], &a->base, &a->has_base);
    else if (strcmp(o, "--runtime-base") == 0 && v) rc = parse_base(o, argv[++i], &a->runtime_base, &a->has_runtime_base);
    else if (strcmp(o, "-o") == 0 && v) a->out = argv[++i];
    else if (strcmp(o, "--cert") == 0 && v) a->cert = argv[++i];
    else if (strcmp(o, "--format") == 0 && v) {
      const char *f = argv[++i];
      if (strcmp(f, "edk2") == 0) a->format = RP_FIXUP_EDK2;
      else if (strcmp(f, "native") == 0) a->format = RP_FIXUP_NATIVE;
      else return cli_usage("--format must be edk2 or native, not '%s'", f);
    } else if (o[0] != '-' && a->file == NULL) a->file = o;
    else return cli_usage("pe %s: unexpected argument '%s'", argv[1], o);
    if (rc != CLI_OK) return rc;
  }
  if (a->file == NULL) return cli_usage("pe %s: IMG is required", argv[1]);
  return CLI_OK;
}

static void pe_free(pe_loaded *p) {
  free(p->file_data);
  free(p->image);
}

/* Reads and parses the file; with `load`, maps it and parses the mapping. */
static int pe_open(const char *path, bool load, rp_pe_profile profile, pe_loaded *p) {
  rp_diag d;
  memset(p, 0, sizeof(*p));
  rp_findings_clear(&p->findings);
  if (!cli_read_file(path, &p->file_data, &p->file_len)) return CLI_INVALID;
  EFI_STATUS st = rp_pe_parse(rp_bytes_of(p->file_data, p->file_len), RP_PE_LAYOUT_FILE, profile, &p->file, &d);
  if (EFI_ERROR(st)) return cli_reject(st, &d, path);
  cli_findings_merge(&p->findings, &p->file.findings);
  if (!load) return CLI_OK;
  p->image = aligned_alloc(EFI_PAGE_SIZE, ((size_t)p->file.size_of_image + EFI_PAGE_MASK) & ~(size_t)EFI_PAGE_MASK);
  if (p->image == NULL) {
    fprintf(stderr, "rtprm: %s: out of memory for SizeOfImage %u\n", path, p->file.size_of_image);
    return CLI_INVALID;
  }
  rp_mbytes dest = rp_mbytes_of(p->image, p->file.size_of_image);
  st = rp_pe_load(&p->file, dest, &d);
  if (!EFI_ERROR(st)) st = rp_pe_parse(rp_bytes_const(dest), RP_PE_LAYOUT_MAPPED, profile, &p->mapped, &d);
  if (EFI_ERROR(st)) return cli_reject(st, &d, path);
  cli_findings_merge(&p->findings, &p->mapped.findings);
  return CLI_OK;
}

/* Relocates the mapping to base, recording in fmt; *record is malloc'd. */
static int pe_relocate(pe_loaded *p, const char *path, uint64_t base, rp_fixup_format fmt, uint8_t **record,
                       uint64_t *record_size, rp_pe_reloc_stats *stats) {
  rp_diag d;
  uint64_t size = 0;
  *record = NULL;
  if (fmt != RP_FIXUP_NONE) {
    EFI_STATUS st = rp_pe_fixup_size(&p->mapped, fmt, &size, &d);
    if (EFI_ERROR(st)) return cli_reject(st, &d, path);
    *record = aligned_alloc(8, (size + 7) & ~(uint64_t)7);
    if (*record == NULL && size != 0) return CLI_INVALID;
  }
  EFI_STATUS st = rp_pe_relocate(&p->mapped, rp_mbytes_of(p->image, p->mapped.size_of_image), base, fmt,
                                 rp_mbytes_of(*record, size), stats, &d);
  *record_size = size;
  if (EFI_ERROR(st)) return cli_reject(st, &d, path);
  cli_findings_merge(&p->findings, &stats->findings);
  return CLI_OK;
}

static int write_file(const char *path, const uint8_t *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (f == NULL || fwrite(data, 1, len, f) != len) {
    fprintf(stderr, "rtprm: %s: cannot write\n", path);
    if (f) fclose(f);
    return CLI_INVALID;
  }
  return fclose(f) == 0 ? CLI_OK : CLI_INVALID;
}

/* ---- info ------------------------------------------------------------------ */

static void print_exports_json(const rp_pe_image *img, const rp_pe_exports *e) {
  printf(",\n \"exports\": {\"dir_rva\": %u, \"dir_size\": %u, \"base\": %u, \"num_functions\": %u, "
         "\"num_names\": %u, \"names_sorted\": %s,\n  \"functions\": [",
         e->dir_rva, e->dir_size, e->base, e->num_functions, e->num_names, e->names_sorted ? "true" : "false");
  for (uint32_t i = 0; i < e->num_functions; i++) {
    uint64_t off;
    uint32_t rva = 0;
    if (rp_pe_rva_to_offset(img, e->functions_rva + 4 * i, 4, &off)) (void)rp_read_u32(img->bytes, off, &rva);
    printf("%s%u", i ? ", " : "", rva);
  }
  printf("],\n  \"names\": [");
  for (uint32_t i = 0; i < e->num_names; i++) {
    rp_pe_export x;
    if (EFI_ERROR(rp_pe_export_at(img, e, i, &x, NULL))) continue;
    printf("%s\n   {\"name\": ", i ? "," : "");
    cli_json_string(x.name);
    printf(", \"ordinal\": %llu, \"ordinal_index\": %u, \"rva\": %u, \"forwarder\": %s}",
           (unsigned long long)e->base + x.ordinal_index, x.ordinal_index, x.rva, x.forwarder ? "true" : "false");
  }
  printf("]}");
}

static const char *profile_name(rp_pe_profile p) { return p == RP_PE_PROFILE_STRICT ? "strict" : "compat"; }

/* Keys beyond pefile's: the format (TE: StrippedSize and the adjustment
 * every RVA field got), the profile and the findings. */
static void print_info_json_tail(const rp_pe_image *m, const rp_findings *f) {
  printf(",\n \"format\": \"%s\", \"te\": ", m->te ? "te" : "pe");
  if (m->te) printf("{\"stripped_size\": %u, \"adjust\": %u}", m->te_stripped_size, m->te_adjust);
  else printf("null");
  printf(", \"profile\": \"%s\",\n \"findings\": ", profile_name(m->profile));
  cli_json_findings(f);
}

static void print_info_json(const rp_pe_image *m, const rp_pe_reloc_stats *rs, const rp_pe_exports *e,
                            const rp_pe_image *file, const rp_findings *f) {
  printf("{\"schema\": \"rtprm-pe-info/1\", \"machine\": %u, \"pe32plus\": %s, \"characteristics\": %u, "
         "\"subsystem\": %u, \"dll_characteristics\": %u,\n \"major_image_version\": %u, \"minor_image_version\": %u, "
         "\"image_base\": %llu, \"size_of_image\": %u, \"size_of_headers\": %u, \"section_alignment\": %u, "
         "\"file_alignment\": %u, \"entry_rva\": %u, \"num_rva_and_sizes\": %u,\n \"dirs\": [",
         m->machine, m->pe32plus ? "true" : "false", m->characteristics, m->subsystem, m->dll_characteristics,
         m->major_image_version, m->minor_image_version, (unsigned long long)m->image_base, m->size_of_image,
         m->size_of_headers, m->section_alignment, m->file_alignment, m->entry_rva, m->num_rva_and_sizes);
  uint32_t ndirs = m->num_rva_and_sizes < RP_PE_NUM_DIRS ? m->num_rva_and_sizes : RP_PE_NUM_DIRS;
  for (uint32_t i = 0; i < ndirs; i++) printf("%s[%u, %u]", i ? ", " : "", m->dirs[i].rva, m->dirs[i].size);
  printf("],\n \"sections\": [");
  for (uint16_t i = 0; i < m->num_sections; i++) {
    const rp_pe_section *s = &m->sections[i];
    printf("%s\n  {\"name\": ", i ? "," : "");
    cli_json_string(s->name);
    printf(", \"virtual_address\": %u, \"virtual_size\": %u, \"raw_offset\": %u, \"raw_size\": %u, "
           "\"characteristics\": %u}",
           s->virtual_address, s->virtual_size, s->raw_offset, s->raw_size, s->characteristics);
  }
  printf("],\n \"relocations\": {\"blocks\": %llu, \"entries\": %llu, \"by_type\": [",
         (unsigned long long)rs->blocks, (unsigned long long)rs->entries);
  for (int t = 0; t < 16; t++) printf("%s%llu", t ? ", " : "", (unsigned long long)rs->by_type[t]);
  printf("]}");
  if (e != NULL) print_exports_json(file, e);
  else printf(",\n \"exports\": null");
  print_info_json_tail(m, f);
  printf("}\n");
}

static void print_info_text(const char *path, const rp_pe_image *m, const rp_pe_reloc_stats *rs,
                            const rp_pe_exports *e, const rp_pe_image *file) {
  static const char *const type_names[16] = { "ABSOLUTE", "HIGH", "LOW", "HIGHLOW", "HIGHADJ", "type5", "type6",
                                              "type7", "type8", "type9", "DIR64", "type11", "type12", "type13",
                                              "type14", "type15" };
  if (m->te)
    printf("%s: TE (StrippedSize 0x%x: RVAs below are offsets from the TE header) machine 0x%04X subsystem %u\n", path,
           m->te_stripped_size, m->machine, m->subsystem);
  else
    printf("%s: PE%s machine 0x%04X subsystem %u version %u.%u\n", path, m->pe32plus ? "32+" : "32", m->machine,
           m->subsystem, m->major_image_version, m->minor_image_version);
  printf("  ImageBase 0x%llx SizeOfImage 0x%x SizeOfHeaders 0x%x alignment 0x%x/0x%x entry 0x%x\n",
         (unsigned long long)m->image_base, m->size_of_image, m->size_of_headers, m->section_alignment,
         m->file_alignment, m->entry_rva);
  for (uint16_t i = 0; i < m->num_sections; i++) {
    const rp_pe_section *s = &m->sections[i];
    printf("  section %-8s rva 0x%08x vsize 0x%08x raw 0x%08x+0x%x flags 0x%08x\n", s->name, s->virtual_address,
           s->virtual_size, s->raw_offset, s->raw_size, s->characteristics);
  }
  printf("  relocations: %llu blocks, %llu entries", (unsigned long long)rs->blocks,
         (unsigned long long)rs->entries);
  for (int t = 0; t < 16; t++)
    if (rs->by_type[t]) printf(", %s %llu", type_names[t], (unsigned long long)rs->by_type[t]);
  printf("\n");
  if (e == NULL) return;
  printf("  exports: base %u, %u functions, %u names%s\n", e->base, e->num_functions, e->num_names,
         e->names_sorted ? " (sorted)" : "");
  for (uint32_t i = 0; i < e->num_names; i++) {
    rp_pe_export x;
    if (!EFI_ERROR(rp_pe_export_at(file, e, i, &x, NULL)))
      printf("    %-32s index %u rva 0x%08x%s\n", x.name, x.ordinal_index, x.rva, x.forwarder ? " (forwarder)" : "");
  }
}

static int pe_info(const pe_args *a) {
  pe_loaded p;
  rp_pe_reloc_stats rs;
  rp_pe_exports e;
  rp_diag d;
  uint8_t *record = NULL;
  uint64_t record_size = 0;
  int rc = pe_open(a->file, true, a->profile, &p);
  /* Relocating to the preferred base validates every block and entry and
   * counts them by type without changing a byte. */
  if (rc == CLI_OK)
    rc = pe_relocate(&p, a->file, p.mapped.image_base, RP_FIXUP_NONE, &record, &record_size, &rs);
  bool has_exports = p.file.num_rva_and_sizes > 0 && p.file.dirs[0].size != 0;
  if (rc == CLI_OK && has_exports) {
    EFI_STATUS st = rp_pe_exports_parse(&p.file, &e, &d);
    if (EFI_ERROR(st)) rc = cli_reject(st, &d, a->file);
  }
  if (rc == CLI_OK) {
    if (a->json) print_info_json(&p.mapped, &rs, has_exports ? &e : NULL, &p.file, &p.findings);
    else print_info_text(a->file, &p.mapped, &rs, has_exports ? &e : NULL, &p.file);
    cli_warn_findings(&p.findings, a->file);
  }
  free(record);
  pe_free(&p);
  return rc;
}

/* ---- map / rerelocate ---------------------------------------------------- */

static int pe_map(const pe_args *a) {
  pe_loaded p;
  rp_pe_reloc_stats rs;
  uint8_t *record = NULL;
  uint64_t record_size = 0;
  if (!a->has_base || a->out == NULL) return cli_usage("pe map IMG --base ADDR -o OUT [--strict]");
  int rc = pe_open(a->file, true, a->profile, &p);
  if (rc == CLI_OK) rc = pe_relocate(&p, a->file, a->base, RP_FIXUP_NONE, &record, &record_size, &rs);
  if (rc == CLI_OK) rc = write_file(a->out, p.image, p.mapped.size_of_image);
  if (rc == CLI_OK) cli_warn_findings(&p.findings, a->file);
  if (rc == CLI_OK && !a->json)
    printf("%s: mapped at 0x%llx, %llu relocation entries applied -> %s\n", a->file, (unsigned long long)a->base,
           (unsigned long long)rs.entries, a->out);
  free(record);
  pe_free(&p);
  return rc;
}

static int pe_rerelocate(const pe_args *a) {
  pe_loaded p;
  rp_pe_reloc_stats rs;
  rp_pe_rerelocate_stats rr = { 0 };
  uint8_t *record = NULL;
  uint64_t record_size = 0;
  rp_diag d;
  if (!a->has_base || !a->has_runtime_base || a->out == NULL)
    return cli_usage("pe rerelocate IMG --base ADDR --runtime-base ADDR2 [--format edk2|native] -o OUT [--strict]");
  int rc = pe_open(a->file, true, a->profile, &p);
  if (rc == CLI_OK) rc = pe_relocate(&p, a->file, a->base, a->format, &record, &record_size, &rs);
  if (rc == CLI_OK) {
    EFI_STATUS st = rp_pe_runtime_relocate(rp_mbytes_of(p.image, p.mapped.size_of_image), a->profile, a->base,
                                           a->runtime_base, a->format, rp_bytes_of(record, record_size), &rr, &d);
    if (EFI_ERROR(st)) rc = cli_reject(st, &d, a->file);
    else cli_findings_merge(&p.findings, &rr.findings);
  }
  if (rc == CLI_OK) rc = write_file(a->out, p.image, p.mapped.size_of_image);
  if (rc == CLI_OK) {
    cli_warn_findings(&p.findings, a->file);
    if (a->json) {
      printf("{\"file\": ");
      cli_json_string(a->file);
      printf(", \"format\": \"%s\", \"record_bytes\": %llu, \"applied\": %llu, \"skipped\": %llu, \"findings\": ",
             a->format == RP_FIXUP_EDK2 ? "edk2" : "native", (unsigned long long)record_size,
             (unsigned long long)rr.applied, (unsigned long long)rr.skipped);
      cli_json_findings(&p.findings);
      printf("}\n");
    } else
      printf("%s: loaded at 0x%llx, re-relocated to 0x%llx (%s record, %llu bytes): applied %llu, skipped %llu\n",
             a->file, (unsigned long long)a->base, (unsigned long long)a->runtime_base,
             a->format == RP_FIXUP_EDK2 ? "edk2" : "native", (unsigned long long)record_size,
             (unsigned long long)rr.applied, (unsigned long long)rr.skipped);
  }
  free(record);
  pe_free(&p);
  return rc;
}

int cmd_pe(int argc, char **argv) {
  pe_args a;
  if (argc < 2) return cli_usage("pe: expected info, map, rerelocate or verify");
  int rc = parse_args(argc, argv, &a);
  if (rc != CLI_OK) return rc;
  if (strcmp(argv[1], "info") == 0) return pe_info(&a);
  if (strcmp(argv[1], "map") == 0) return pe_map(&a);
  if (strcmp(argv[1], "rerelocate") == 0) return pe_rerelocate(&a);
  if (strcmp(argv[1], "verify") == 0) return pe_verify(a.file, a.cert, a.json, a.profile);
  return cli_usage("pe: unknown verb '%s'", argv[1]);
}
