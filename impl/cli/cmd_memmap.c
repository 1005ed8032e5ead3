/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * rtprm memmap validate FILE --desc-size N [--version V] [--map-size N]
 *                      [--runtime-only] [--virtual] [--json]
 * FILE holds raw descriptors as GetMemoryMap returns them (DescriptorSize
 * stride). --map-size defaults to the file size.
 *
 * rtprm memmap check DIR [--json]
 * DIR is a Linux /sys/firmware/efi/runtime-map directory: one subdirectory
 * per entry (0, 1, ...) with the files phys_addr, virt_addr, num_pages,
 * attribute and type, in hex (0x...) or decimal as Linux prints them. The
 * entries become EFI_MEMORY_DESCRIPTORs (stride 48, version 1) and are
 * validated as a virtual map (--runtime-only --virtual).
 */
#include <dirent.h>
#include <errno.h>
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

#define RTMAP_DESC_SIZE 48u
#define RTMAP_MAX 4096u

/* One sysfs value: hex with 0x or decimal, optional trailing newline. */
static bool read_value(const char *dir, const char *entry, const char *field, uint64_t *out) {
  char path[4096], text[64];
  snprintf(path, sizeof(path), "%s/%s/%s", dir, entry, field);
  FILE *f = fopen(path, "r");
  if (f == NULL) return false;
  size_t n = fread(text, 1, sizeof(text) - 1, f);
  fclose(f);
  text[n] = '\0';
  while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' ' || text[n - 1] == '\r')) text[--n] = '\0';
  return cli_parse_u64(text, out);
}

static int entry_index(const char *name) {
  char *end;
  if (name[0] < '0' || name[0] > '9') return -1;
  long v = strtol(name, &end, 10);
  return (*end == '\0' && v >= 0 && v < (long)RTMAP_MAX) ? (int)v : -1;
}

/* Fills buf (RTMAP_MAX descriptors) in entry-number order; entries must be
 * numbered 0..n-1 without gaps (as Linux creates them). */
static int read_runtime_map(const char *dir, uint8_t *buf, size_t *count) {
  static const char *const fields[5] = { "phys_addr", "virt_addr", "num_pages", "attribute", "type" };
  DIR *d = opendir(dir);
  int max = -1, n = 0;
  struct dirent *e;
  if (d == NULL) {
    fprintf(stderr, "rtprm: %s: %s\n", dir, strerror(errno));
    return CLI_INVALID;
  }
  while ((e = readdir(d)) != NULL) {
    int i = entry_index(e->d_name);
    if (i < 0) continue;
    uint64_t v[5];
    for (int k = 0; k < 5; k++) {
      if (!read_value(dir, e->d_name, fields[k], &v[k])) {
        fprintf(stderr, "rtprm: %s/%s/%s: missing or not a number\n", dir, e->d_name, fields[k]);
        closedir(d); /* frees e */
        return CLI_INVALID;
      }
    }
    if (v[4] > UINT32_MAX) {
      fprintf(stderr, "rtprm: %s/%s/type: 0x%llx does not fit 32 bits\n", dir, e->d_name, (unsigned long long)v[4]);
      closedir(d);
      return CLI_INVALID;
    }
    EFI_MEMORY_DESCRIPTOR md = { (uint32_t)v[4], v[0], v[1], v[2], v[3] };
    memcpy(buf + (size_t)i * RTMAP_DESC_SIZE, &md, sizeof(md));
    if (i > max) max = i;
    n++;
  }
  closedir(d);
  if (n != max + 1) {
    fprintf(stderr, "rtprm: %s: entries are not numbered 0..%d without gaps (%d found)\n", dir, max, n);
    return CLI_INVALID;
  }
  *count = (size_t)n;
  return CLI_OK;
}

static int memmap_check(int argc, char **argv) {
  const char *dir = NULL;
  bool json = false;
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0) json = true;
    else if (argv[i][0] != '-' && dir == NULL) dir = argv[i];
    else return cli_usage("memmap check: unexpected argument '%s'", argv[i]);
  }
  if (dir == NULL) return cli_usage("memmap check DIR is required");
  uint8_t *buf = calloc(RTMAP_MAX, RTMAP_DESC_SIZE);
  size_t n = 0;
  if (buf == NULL) return CLI_INVALID;
  int rc = read_runtime_map(dir, buf, &n);
  if (rc != CLI_OK) {
    free(buf);
    return rc;
  }
  rp_memmap m = { rp_bytes_of(buf, n * RTMAP_DESC_SIZE), n * RTMAP_DESC_SIZE, RTMAP_DESC_SIZE,
                  EFI_MEMORY_DESCRIPTOR_VERSION };
  rp_memmap_summary sum;
  rp_diag d;
  EFI_STATUS st = rp_memmap_validate(&m, RP_MEMMAP_RUNTIME_ONLY | RP_MEMMAP_CHECK_VIRTUAL, &sum, &d);
  free(buf);
  if (EFI_ERROR(st)) return cli_reject(st, &d, dir);
  memmap_args a;
  memset(&a, 0, sizeof(a));
  a.file = dir;
  a.json = json;
  print_summary(&a, &sum);
  return CLI_OK;
}

int cmd_memmap(int argc, char **argv) {
  memmap_args a;
  if (argc >= 2 && strcmp(argv[1], "check") == 0) return memmap_check(argc, argv);
  if (argc < 2 || strcmp(argv[1], "validate") != 0) return cli_usage("memmap: expected 'validate' or 'check'");
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
