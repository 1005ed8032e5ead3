/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * rtprm memmap validate FILE --desc-size N [--version V] [--map-size N]
 *                      [--runtime-only] [--virtual] [--json]
 * FILE holds raw descriptors as GetMemoryMap returns them (DescriptorSize
 * stride). --map-size defaults to the file size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rtprm/memmap.h"

typedef struct {
  const char *file;
  uint64_t desc_size, version, map_size;
  bool has_desc_size, has_map_size, json;
  uint32_t flags;
} memmap_args;

static int parse_args(int argc, char **argv, memmap_args *a) {
  memset(a, 0, sizeof(*a));
  a->version = EFI_MEMORY_DESCRIPTOR_VERSION;
  for (int i = 2; i < argc; i++) {
    const char *o = argv[i];
    bool has_value = i + 1 < argc;
    if (strcmp(o, "--desc-size") == 0 && has_value) {
      if (!cli_parse_u64(argv[++i], &a->desc_size)) return cli_usage("bad --desc-size '%s'", argv[i]);
      a->has_desc_size = true;
    } else if (strcmp(o, "--version") == 0 && has_value) {
      if (!cli_parse_u64(argv[++i], &a->version) || a->version > UINT32_MAX) return cli_usage("bad --version '%s'", argv[i]);
    } else if (strcmp(o, "--map-size") == 0 && has_value) {
      if (!cli_parse_u64(argv[++i], &a->map_size)) return cli_usage("bad --map-size '%s'", argv[i]);
      a->has_map_size = true;
    } else if (strcmp(o, "--runtime-only") == 0) {
      a->flags |= RP_MEMMAP_RUNTIME_ONLY;
    } else if (strcmp(o, "--virtual") == 0) {
      a->flags |= RP_MEMMAP_CHECK_VIRTUAL;
    } else if (strcmp(o, "--json") == 0) {
      a->json = true;
    } else if (o[0] != '-' && a->file == NULL) {
      a->file = o;
    } else {
      return cli_usage("memmap validate: unexpected argument '%s'", o);
    }
  }
  if (a->file == NULL || !a->has_desc_size) return cli_usage("memmap validate FILE --desc-size N is required");
  return CLI_OK;
}

static void print_summary(const memmap_args *a, const rp_memmap_summary *s) {
  if (a->json) {
    printf("{\"file\": ");
    cli_json_string(a->file);
    printf(", \"status\": \"EFI_SUCCESS\", \"descriptors\": %llu, \"checked\": %llu, \"runtime\": %llu, "
           "\"runtime_pages\": %llu}\n",
           (unsigned long long)s->count, (unsigned long long)s->checked, (unsigned long long)s->runtime_count,
           (unsigned long long)s->runtime_pages);
    return;
  }
  printf("%s: valid memory map: %llu descriptors (%llu checked), %llu runtime covering %llu pages\n", a->file,
         (unsigned long long)s->count, (unsigned long long)s->checked, (unsigned long long)s->runtime_count,
         (unsigned long long)s->runtime_pages);
}

int cmd_memmap(int argc, char **argv) {
  memmap_args a;
  if (argc < 2 || strcmp(argv[1], "validate") != 0) return cli_usage("memmap: expected 'validate'");
  int rc = parse_args(argc, argv, &a);
  if (rc != CLI_OK) return rc;
  uint8_t *data;
  size_t len;
  if (!cli_read_file(a.file, &data, &len)) return CLI_INVALID;
  rp_memmap m = { rp_bytes_of(data, len), a.has_map_size ? a.map_size : len, a.desc_size, (uint32_t)a.version };
  rp_memmap_summary sum;
  rp_diag d;
  EFI_STATUS st = rp_memmap_validate(&m, a.flags, &sum, &d);
  free(data);
  if (EFI_ERROR(st)) return cli_reject(st, &d, a.file);
  print_summary(&a, &sum);
  return CLI_OK;
}
