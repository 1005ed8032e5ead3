/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Runtime re-relocation benchmark (spec runtime.md §8, the performance
 * anchor). Synthesises a valid PE32+ X64 image whose .data (default 8 MiB)
 * is all DIR64 sites (1,048,576), with a .reloc directory of one block per
 * page; parses it, loads it, relocates it to A recording the EDK II fixup
 * format, then times, in the same run:
 *   lib   rp_pe_runtime_relocate(A -> B, RP_PE_PROFILE_COMPAT) with that record (re-parse, full
 *         validation pass, apply pass)
 *   bare  a loop over the same sites: read u64, compare with the recorded
 *         value, add delta, write (no validation at all)
 * Each repetition starts from the same A image (restored by memcpy, not
 * timed). Prints the median ns/fixup of each and the ratio; both results
 * must be byte-identical (exit 1 otherwise).
 *
 *   bench_rerelocate [--sites N] [--reps R]     wall time
 *   bench_rerelocate --callgrind [--sites N]    also instructions/fixup: runs
 *       itself twice under valgrind --tool=callgrind with
 *       --toggle-collect=rp_pe_runtime_relocate / bare_loop (exact counts)
 *   bench_rerelocate --once [--sites N]         one call of each (what the
 *       --callgrind children run)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rtprm/pe.h"

#define SA          0x1000u
#define FA          0x200u
#define HDR_SIZE    0x400u
#define PREF_BASE   0x180000000ull
#define BASE_A      0x7F0000000000ull
#define BASE_B      0xFFFF800012340000ull
#define PER_PAGE    (SA / 8u)

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static uint32_t align_up(uint32_t v, uint32_t a) { return (v + a - 1) / a * a; }

static void *xalloc(size_t n) {
  void *p = aligned_alloc(4096, (n + 4095) / 4096 * 4096);
  if (p == NULL) {
    fprintf(stderr, "out of memory (%zu bytes)\n", n);
    exit(2);
  }
  memset(p, 0, n);
  return p;
}

typedef struct section {
  const char *name;
  uint32_t va, vsize, raw, rawsize, chars;
} section;

/* The FILE bytes of an image with `pages` pages of DIR64 sites. */
static uint8_t *synthesise(uint32_t pages, size_t *file_len) {
  const uint32_t data_size = pages * SA, block = 8 + 2 * PER_PAGE, reloc_size = pages * block;
  section s[3] = {
    { ".text", 0x1000, 0x10, HDR_SIZE, FA, 0x60000020u },
    { ".data", 0x2000, data_size, HDR_SIZE + FA, data_size, 0xC0000040u },
    { ".reloc", 0x2000 + data_size, reloc_size, HDR_SIZE + FA + data_size, align_up(reloc_size, FA), 0x42000040u },
  };
  const uint32_t size_of_image = align_up(s[2].va + reloc_size, SA);
  *file_len = s[2].raw + s[2].rawsize;
  uint8_t *f = xalloc(*file_len);
  /* DOS + PE + COFF */
  f[0] = 'M';
  f[1] = 'Z';
  put32(f + 0x3C, 0x40);
  uint8_t *pe = f + 0x40;
  memcpy(pe, "PE\0\0", 4);
  put16(pe + 4, 0x8664);
  put16(pe + 6, 3);
  put16(pe + 20, 240);
  put16(pe + 22, 0x2022); /* EXECUTABLE | LARGE_ADDRESS_AWARE | DLL */
  /* PE32+ optional header */
  uint8_t *o = pe + 24;
  put16(o + 0, 0x20B);
  put32(o + 16, s[0].va); /* AddressOfEntryPoint */
  put32(o + 20, s[0].va);
  put64(o + 24, PREF_BASE);
  put32(o + 32, SA);
  put32(o + 36, FA);
  put16(o + 44, 1);
  put32(o + 56, size_of_image);
  put32(o + 60, HDR_SIZE);
  put16(o + 68, 12); /* EFI runtime driver */
  put32(o + 108, 16);
  put32(o + 112 + 5 * 8, s[2].va);
  put32(o + 112 + 5 * 8 + 4, reloc_size);
  uint8_t *sh = o + 240;
  for (int i = 0; i < 3; i++, sh += 40) {
    memcpy(sh, s[i].name, strlen(s[i].name));
    put32(sh + 8, s[i].vsize);
    put32(sh + 12, s[i].va);
    put32(sh + 16, s[i].rawsize);
    put32(sh + 20, s[i].raw);
    put32(sh + 36, s[i].chars);
  }
  f[s[0].raw] = 0xC3; /* ret */
  /* .data: every qword points somewhere into the image. */
  for (uint32_t i = 0; i < data_size / 8; i++) put64(f + s[1].raw + 8ull * i, PREF_BASE + 0x2000 + (i * 24u) % data_size);
  /* .reloc: one block per page, PER_PAGE DIR64 entries (even: no padding). */
  uint8_t *r = f + s[2].raw;
  for (uint32_t p = 0; p < pages; p++, r += block) {
    put32(r, s[1].va + p * SA);
    put32(r + 4, block);
    for (uint32_t e = 0; e < PER_PAGE; e++) put16(r + 8 + 2 * e, (uint16_t)(10u << 12 | e * 8));
  }
  return f;
}

/* The baseline: no validation, just the EDK II compare-and-add per site. */
__attribute__((noinline)) static void bare_loop(uint8_t *image, const uint32_t *offs, const uint64_t *rec, size_t n,
                                                uint64_t delta) {
  for (size_t i = 0; i < n; i++) {
    uint64_t v;
    memcpy(&v, image + offs[i], 8);
    if (v == rec[i]) {
      v += delta;
      memcpy(image + offs[i], &v, 8);
    }
  }
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int by_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void die(const char *what, EFI_STATUS st, const rp_diag *d) {
  fprintf(stderr, "%s: %s (%s)\n", what, rp_status_name(st), rp_reason_name(d->reason));
  exit(1);
}

/* Instructions counted by callgrind inside `fn` for one --once run. */
static int callgrind_count(const char *self, const char *fn, uint32_t pages, uint64_t *ir) {
  char out[64], cmd[1024], line[512];
  snprintf(out, sizeof(out), "/tmp/bench_rerelocate.%d.%s.cg", (int)getpid(), fn);
  snprintf(cmd, sizeof(cmd),
           "valgrind --tool=callgrind --callgrind-out-file=%s --toggle-collect=%s '%s' --once --sites %u "
           ">/dev/null 2>&1",
           out, fn, self, pages * PER_PAGE);
  if (system(cmd) != 0) return -1;
  FILE *f = fopen(out, "r");
  if (f == NULL) return -1;
  int found = -1;
  while (fgets(line, sizeof(line), f) != NULL) {
    if (strncmp(line, "totals:", 7) == 0 || strncmp(line, "summary:", 8) == 0) {
      *ir = strtoull(line + (line[0] == 't' ? 7 : 8), NULL, 10);
      found = 0;
    }
  }
  fclose(f);
  remove(out);
  return found;
}

int main(int argc, char **argv) {
  uint32_t sites = 1u << 20, reps = 11;
  int once = 0, callgrind = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--sites") == 0 && i + 1 < argc) {
      sites = (uint32_t)strtoul(argv[++i], NULL, 0);
    } else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
      reps = (uint32_t)strtoul(argv[++i], NULL, 0);
    } else if (strcmp(argv[i], "--once") == 0) {
      once = 1;
    } else if (strcmp(argv[i], "--callgrind") == 0) {
      callgrind = 1;
    } else {
      fprintf(stderr, "usage: %s [--sites N] [--reps R] [--once] [--callgrind]\n", argv[0]);
      return 2;
    }
  }
  uint32_t pages = (sites + PER_PAGE - 1) / PER_PAGE;
  if (pages == 0) pages = 1;
  if (reps == 0 || once) reps = 1;
  const size_t n = (size_t)pages * PER_PAGE;

  size_t file_len;
  uint8_t *file = synthesise(pages, &file_len);
  rp_pe_image img;
  rp_diag d;
  EFI_STATUS st = rp_pe_parse(rp_bytes_of(file, file_len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &img, &d);
  if (EFI_ERROR(st)) die("parse", st, &d);
  const size_t size = img.size_of_image;
  uint8_t *loaded = xalloc(size), *lib = xalloc(size), *bare = xalloc(size);
  st = rp_pe_load(&img, rp_mbytes_of(loaded, size), &d);
  if (EFI_ERROR(st)) die("load", st, &d);
  uint64_t need;
  st = rp_pe_fixup_size(&img, RP_FIXUP_EDK2, &need, &d);
  if (EFI_ERROR(st)) die("fixup size", st, &d);
  uint8_t *record = xalloc((size_t)need);
  rp_pe_reloc_stats rs;
  st = rp_pe_relocate(&img, rp_mbytes_of(loaded, size), BASE_A, RP_FIXUP_EDK2, rp_mbytes_of(record, (size_t)need),
                      &rs, &d);
  if (EFI_ERROR(st)) die("relocate to A", st, &d);
  /* The bare loop's inputs: site RVAs in directory order and the record
   * (all DIR64: the EDK II record is the packed u64 values). */
  uint32_t *offs = xalloc(n * sizeof(uint32_t));
  for (size_t i = 0; i < n; i++) offs[i] = 0x2000u + (uint32_t)(8 * i);
  const uint64_t delta = BASE_B - BASE_A;

  double *t_lib = xalloc(reps * sizeof(double)), *t_bare = xalloc(reps * sizeof(double));
  rp_pe_rerelocate_stats rt = { 0 };
  for (uint32_t r = 0; r < reps; r++) {
    memcpy(lib, loaded, size);
    double t0 = now_ns();
    st = rp_pe_runtime_relocate(rp_mbytes_of(lib, size), RP_PE_PROFILE_COMPAT, BASE_A, BASE_B, RP_FIXUP_EDK2,
                                rp_bytes_of(record, (size_t)need), &rt, &d);
    t_lib[r] = now_ns() - t0;
    if (EFI_ERROR(st)) die("runtime relocate", st, &d);
    memcpy(bare, loaded, size);
    t0 = now_ns();
    bare_loop(bare, offs, (const uint64_t *)record, n, delta);
    t_bare[r] = now_ns() - t0;
  }
  /* Same result (the header ImageBase aside, which only the library writes). */
  if (rt.applied != n || rt.skipped != 0 || memcmp(lib + HDR_SIZE, bare + HDR_SIZE, size - HDR_SIZE) != 0) {
    fprintf(stderr, "MISMATCH: applied %" PRIu64 " skipped %" PRIu64 " of %zu sites\n", rt.applied, rt.skipped, n);
    return 1;
  }
  if (once) return 0;
  qsort(t_lib, reps, sizeof(double), by_double);
  qsort(t_bare, reps, sizeof(double), by_double);
  double lib_ns = t_lib[reps / 2] / (double)n, bare_ns = t_bare[reps / 2] / (double)n;
  printf("sites %zu (DIR64, %u pages, .data %u KiB), record %" PRIu64 " bytes, %u repetitions (median)\n", n, pages,
         pages * 4, need, reps);
  printf("rp_pe_runtime_relocate  %.3f ns/fixup\n", lib_ns);
  printf("bare loop               %.3f ns/fixup\n", bare_ns);
  printf("ratio                   %.2f\n", lib_ns / bare_ns);
  if (callgrind) {
    uint64_t ir_lib, ir_bare;
    char self[4096];
    ssize_t k = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (k <= 0) return 2;
    self[k] = '\0';
    if (callgrind_count(self, "rp_pe_runtime_relocate", pages, &ir_lib) != 0 ||
        callgrind_count(self, "bare_loop", pages, &ir_bare) != 0) {
      fprintf(stderr, "callgrind run failed (is valgrind installed?)\n");
      return 2;
    }
    printf("callgrind: rp_pe_runtime_relocate %.2f instructions/fixup (%" PRIu64 " total)\n",
           (double)ir_lib / (double)n, ir_lib);
    printf("callgrind: bare loop              %.2f instructions/fixup (%" PRIu64 " total)\n",
           (double)ir_bare / (double)n, ir_bare);
    printf("callgrind: ratio                  %.2f\n", (double)ir_lib / (double)ir_bare);
  }
  free(file);
  free(loaded);
  free(lib);
  free(bare);
  free(record);
  free(offs);
  free(t_lib);
  free(t_bare);
  return 0;
}
