/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Re-relocation benchmark (spec runtime.md §8, the performance anchor),
 * ours against EDK II's BasePeCoffLib in the same run. Synthesises a valid
 * PE32+ X64 image whose .data (default 8 MiB) is all DIR64 sites
 * (1,048,576), with a .reloc directory of one block per page. Both loaders
 * load the same file (the two mapped images must be byte-identical), then
 * each repetition (median of R) restores its input untimed and times:
 *
 *  load-time relocation, preferred base -> A, recording the EDK II record
 *   ours   rp_pe_relocate(RP_FIXUP_EDK2): validation pass, apply pass
 *   edk2   PeCoffLoaderRelocateImage (edk2ref_relocate_loaded) with its
 *          FixupData: one pass
 *  runtime re-relocation, A -> B, each with its own record
 *   ours   rp_pe_runtime_relocate(A -> B, RP_PE_PROFILE_COMPAT): re-parse,
 *          record check, validation pass, apply pass
 *   edk2   PeCoffLoaderRelocateImageForRuntime(image, B, size, record)
 *   bare   a loop over the same sites: read u64, compare with the recorded
 *          value, add delta, write (no validation at all)
 *
 * A is the address of the buffer EDK II's image sits in, for all of them:
 * EDK II relocates a runtime image for the address it occupies and
 * RelocateImageForRuntime computes its delta from that address (Adjust =
 * VirtImageBase - ImageBase), so every variant makes the same move (same
 * delta, same sites). Checked (exit 1 otherwise): relocated images and
 * records byte-identical, re-relocated images identical on every byte
 * but the header's ImageBase, which only rp_pe_runtime_relocate updates.
 * Without the EDK II source (RTPRM_BENCH_EDK2 undefined) the EDK II
 * column reads "n/a".
 *
 *   bench_rerelocate [--sites N] [--reps R]     wall time
 *   bench_rerelocate --callgrind [--sites N]    also instructions/fixup: runs
 *       itself under valgrind --tool=callgrind once per measured function
 *       with --toggle-collect=<function> (exact counts)
 *   bench_rerelocate --once [--sites N]         one call of each measured
 *       function (what the --callgrind children run)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rtprm/pe.h"

#ifdef RTPRM_BENCH_EDK2
#include "edk2ref.h"
#endif

#define SA          0x1000u
#define FA          0x200u
#define HDR_SIZE    0x400u
#define PREF_BASE   0x180000000ull
#define BASE_B      0xFFFF800012340000ull
#define PER_PAGE    (SA / 8u)
#define BASE_OFF    (0x40u + 24u + 24u) /* the optional header's ImageBase */
#define EDK2_NA     "n/a (edk2 source not cached: make edk2-source)"

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

/* Median ns per fixup of the `reps` timings in t (sorted in place). */
static double per_fixup(double *t, uint32_t reps, size_t n) {
  qsort(t, reps, sizeof(double), by_double);
  return t[reps / 2] / (double)n;
}

static void die(const char *what, EFI_STATUS st, const rp_diag *d) {
  fprintf(stderr, "%s: %s (%s)\n", what, rp_status_name(st), rp_reason_name(d->reason));
  exit(1);
}

static int mismatch(const char *what) {
  fprintf(stderr, "MISMATCH: %s\n", what);
  return 1;
}

#ifdef RTPRM_BENCH_EDK2
static uint64_t rd64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

static void edk2_die(const char *what, const edk2ref_result *r) {
  fprintf(stderr, "EDK II %s: step %d, status 0x%" PRIx64 ", image error %u\n", what, r->step, r->status,
          r->image_error);
  exit(1);
}
#endif

/* Instructions counted by callgrind inside `fn` (and its callees) for one
 * --once run. */
static int callgrind_count(const char *self, const char *fn, uint32_t pages, uint64_t *ir) {
  char out[128], cmd[1024], line[512];
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

/* One figure row: value with its unit, or the EDK II column's "n/a". */
static void row(const char *label, int have, double v, const char *unit) {
  if (have) printf("  %-46s %9.3f %s\n", label, v, unit);
  else printf("  %-46s %s\n", label, EDK2_NA);
}

static void ratio(const char *label, int have, double a, double b) {
  if (have) printf("  %-46s %9.2f\n", label, a / b);
  else printf("  %-46s %s\n", label, EDK2_NA);
}

#ifdef RTPRM_BENCH_EDK2
#define HAVE_EDK2 1
#else
#define HAVE_EDK2 0
#endif

enum { F_RELOC, F_EDK2_RELOC, F_RUNTIME, F_EDK2_RUNTIME, F_BARE, F_COUNT };
static const char *const fn_name[F_COUNT] = {
  "rp_pe_relocate", "PeCoffLoaderRelocateImage", "rp_pe_runtime_relocate", "PeCoffLoaderRelocateImageForRuntime",
  "bare_loop",
};

static void report(const char *title, const double *v, const char *unit, size_t n, int per_site) {
  double f[F_COUNT];
  for (int i = 0; i < F_COUNT; i++) f[i] = per_site ? v[i] / (double)n : v[i];
  printf("%s\n", title);
  printf(" load-time relocation, preferred base -> A, recording the EDK II record:\n");
  row("ours   rp_pe_relocate", 1, f[F_RELOC], unit);
  row("EDK II PeCoffLoaderRelocateImage", HAVE_EDK2, f[F_EDK2_RELOC], unit);
  ratio("ratio ours/EDK II", HAVE_EDK2, f[F_RELOC], f[F_EDK2_RELOC]);
  printf(" runtime re-relocation, A -> B with that record:\n");
  row("ours   rp_pe_runtime_relocate", 1, f[F_RUNTIME], unit);
  row("EDK II PeCoffLoaderRelocateImageForRuntime", HAVE_EDK2, f[F_EDK2_RUNTIME], unit);
  row("bare loop", 1, f[F_BARE], unit);
  ratio("ratio ours/EDK II", HAVE_EDK2, f[F_RUNTIME], f[F_EDK2_RUNTIME]);
  ratio("ratio ours/bare", 1, f[F_RUNTIME], f[F_BARE]);
  ratio("ratio EDK II/bare", HAVE_EDK2, f[F_EDK2_RUNTIME], f[F_BARE]);
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
  /* home: where EDK II's image lives; its address is A for every variant. */
  uint8_t *home = xalloc(size), *fresh = xalloc(size), *ours_a = xalloc(size), *lib = xalloc(size),
          *bare = xalloc(size);
  const uint64_t base_a = (uint64_t)(uintptr_t)home, delta = BASE_B - base_a;
  st = rp_pe_load(&img, rp_mbytes_of(fresh, size), &d);
  if (EFI_ERROR(st)) die("load", st, &d);
  uint64_t need;
  st = rp_pe_fixup_size(&img, RP_FIXUP_EDK2, &need, &d);
  if (EFI_ERROR(st)) die("fixup size", st, &d);
  uint8_t *record = xalloc((size_t)need);
  /* The bare loop's inputs: site RVAs in directory order and the record
   * (all DIR64: the EDK II record is the packed u64 values). */
  uint32_t *offs = xalloc(n * sizeof(uint32_t));
  for (size_t i = 0; i < n; i++) offs[i] = 0x2000u + (uint32_t)(8 * i);
  double *t[F_COUNT];
  for (int i = 0; i < F_COUNT; i++) t[i] = xalloc(reps * sizeof(double));

#ifdef RTPRM_BENCH_EDK2
  edk2ref_loaded el;
  edk2ref_result er;
  if (edk2ref_load(file, file_len, home, size, &el, &er) != 0) edk2_die("load", &er);
  if (memcmp(home, fresh, size) != 0) return mismatch("EDK II's LoadImage and rp_pe_load map the file differently");
  if (er.fixup_data_size != need) return mismatch("EDK II's FixupDataSize and rp_pe_fixup_size differ");
  uint8_t *edk_record = xalloc((size_t)need), *edk_a = xalloc(size);
#endif

  /* 1. load-time relocation, preferred base -> A */
  rp_pe_reloc_stats rs;
  for (uint32_t r = 0; r < reps; r++) {
    memcpy(ours_a, fresh, size);
    double t0 = now_ns();
    st = rp_pe_relocate(&img, rp_mbytes_of(ours_a, size), base_a, RP_FIXUP_EDK2, rp_mbytes_of(record, (size_t)need),
                        &rs, &d);
    t[F_RELOC][r] = now_ns() - t0;
    if (EFI_ERROR(st)) die("relocate to A", st, &d);
#ifdef RTPRM_BENCH_EDK2
    memcpy(home, fresh, size);
    t0 = now_ns();
    uint64_t es = edk2ref_relocate_loaded(&el, 0, edk_record, (size_t)need, &er);
    t[F_EDK2_RELOC][r] = now_ns() - t0;
    if (es != 0) edk2_die("relocate", &er);
#endif
  }
  if (rs.by_type[10] != n) return mismatch("rp_pe_relocate did not apply every DIR64 site");
#ifdef RTPRM_BENCH_EDK2
  if (memcmp(home, ours_a, size) != 0) return mismatch("relocated images differ (ours vs EDK II)");
  if (memcmp(edk_record, record, (size_t)need) != 0) return mismatch("fixup records differ (ours vs EDK II)");
  memcpy(edk_a, home, size);
  if (!once) {
    /* edk2ref_load_relocate (one call, at another address, for A) gives
     * the same image and record. */
    uint8_t *rec2 = xalloc((size_t)need);
    if (edk2ref_load_relocate(file, file_len, lib, size, base_a, rec2, (size_t)need, &er) != 0)
      edk2_die("load_relocate", &er);
    if (memcmp(lib, edk_a, size) != 0 || memcmp(rec2, edk_record, (size_t)need) != 0)
      return mismatch("edk2ref_load_relocate differs from edk2ref_load + edk2ref_relocate_loaded");
    free(rec2);
  }
#endif

  /* 2. runtime re-relocation, A -> B */
  rp_pe_rerelocate_stats rt = { 0 };
  for (uint32_t r = 0; r < reps; r++) {
    memcpy(lib, ours_a, size);
    double t0 = now_ns();
    st = rp_pe_runtime_relocate(rp_mbytes_of(lib, size), RP_PE_PROFILE_COMPAT, base_a, BASE_B, RP_FIXUP_EDK2,
                                rp_bytes_of(record, (size_t)need), &rt, &d);
    t[F_RUNTIME][r] = now_ns() - t0;
    if (EFI_ERROR(st)) die("runtime relocate", st, &d);
    memcpy(bare, ours_a, size);
    t0 = now_ns();
    bare_loop(bare, offs, (const uint64_t *)record, n, delta);
    t[F_BARE][r] = now_ns() - t0;
#ifdef RTPRM_BENCH_EDK2
    memcpy(home, edk_a, size);
    t0 = now_ns();
    edk2ref_relocate_for_runtime(home, BASE_B, size, edk_record);
    t[F_EDK2_RUNTIME][r] = now_ns() - t0;
#endif
  }
  /* Same result (the header ImageBase aside, which only ours writes). */
  if (rt.applied != n || rt.skipped != 0 || memcmp(lib + HDR_SIZE, bare + HDR_SIZE, size - HDR_SIZE) != 0) {
    fprintf(stderr, "MISMATCH: applied %" PRIu64 " skipped %" PRIu64 " of %zu sites\n", rt.applied, rt.skipped, n);
    return 1;
  }
#ifdef RTPRM_BENCH_EDK2
  if (memcmp(home + HDR_SIZE, lib + HDR_SIZE, size - HDR_SIZE) != 0)
    return mismatch("re-relocated images differ (ours vs EDK II)");
  if (memcmp(home, lib, BASE_OFF) != 0 ||
      memcmp(home + BASE_OFF + 8, lib + BASE_OFF + 8, HDR_SIZE - BASE_OFF - 8) != 0 ||
      rd64(lib + BASE_OFF) != BASE_B || rd64(home + BASE_OFF) != base_a)
    return mismatch("re-relocated headers differ beyond ImageBase (ours B, EDK II A)");
#endif
  if (once) return 0;

  double ns[F_COUNT] = { 0 };
  for (int i = 0; i < F_COUNT; i++)
    if (HAVE_EDK2 || (i != F_EDK2_RELOC && i != F_EDK2_RUNTIME)) ns[i] = per_fixup(t[i], reps, n);
  printf("sites %zu (DIR64, %u pages, .data %u KiB), record %" PRIu64 " bytes, %u repetitions (median)\n", n, pages,
         pages * 4, need, reps);
#ifdef RTPRM_BENCH_EDK2
  printf("EDK II: BasePeCoffLib of edk2 %s (Debian source), clang -O2; results checked byte for byte\n",
         edk2ref_version());
#else
  printf("EDK II: %s\n", EDK2_NA);
#endif
  printf("A = 0x%" PRIx64 " (EDK II's image buffer), B = 0x%" PRIx64 "\n", base_a, (uint64_t)BASE_B);
  report("wall time, ns/fixup:", ns, "ns/fixup", n, 0);
  if (callgrind) {
    char self[4096];
    ssize_t k = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (k <= 0) return 2;
    self[k] = '\0';
    double ir[F_COUNT] = { 0 };
    for (int i = 0; i < F_COUNT; i++) {
      uint64_t v;
      if (!HAVE_EDK2 && (i == F_EDK2_RELOC || i == F_EDK2_RUNTIME)) continue;
      if (callgrind_count(self, fn_name[i], pages, &v) != 0) {
        fprintf(stderr, "callgrind run failed (is valgrind installed?)\n");
        return 2;
      }
      ir[i] = (double)v;
    }
    report("callgrind (exact), instructions/fixup:", ir, "instr/fixup", n, 1);
  }
  free(file);
  free(home);
  free(fresh);
  free(ours_a);
  free(lib);
  free(bare);
  free(record);
  free(offs);
  for (int i = 0; i < F_COUNT; i++) free(t[i]);
#ifdef RTPRM_BENCH_EDK2
  free(edk_record);
  free(edk_a);
#endif
  return 0;
}
