/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * PRM benchmark (issue 5 item 10). Prints figures; asserts only that the
 * work was correct (every variant finds the same handler addresses). Synthesises PE32+ x64 PRM modules in memory
 * (SectionAlignment == FileAlignment, so file == mapped image): .text holds
 * one 16-byte "handler" per export, .rdata the PRM_MEDT descriptor and a
 * sorted export table. Then, in the same run:
 *
 *  1. discovery + PRMT build, 64 modules x 255 handlers:
 *       lib   rp_prm_discovery_offer (full validation of each mapped image:
 *             headers, sections, export table, descriptor, every handler
 *             name resolved to code) + rp_prm_discovery_build (set checks,
 *             PRMT, checksum)
 *       edk2  EDK II's own code (harnesses/edk2ref, PrmPkg's
 *             DxePrmPeCoffLib and BaseLib from Debian's edk2 source, -O2):
 *             per module what DxePrmModuleDiscoveryLib does
 *             (PeCoffLoaderGetImageInfo, GetExportDirectoryInPeCoffImage,
 *             GetPrmModuleExportDescriptorTable), per handler what
 *             PrmLoaderDxe does (GetExportEntryAddress), PRMT fields written
 *       base  the same steps reimplemented here (prm.md §2.1-2.3): linear
 *             prefix search for the descriptor, linear search of each
 *             handler name, PRMT fields written, no validation
 *  2. handler-name resolution as the export table grows (16 .. 16384):
 *       lib   rp_pe_export_find (validated; binary search on a sorted table)
 *       edk2  GetExportEntryAddress (linear AsciiStrnCmp walk of the name
 *             pointer table)
 *       base  the same linear walk with libc strncmp
 * Each image sits at a 64 KiB-aligned address with its header's ImageBase
 * set to that address, as the DXE core leaves a loaded image: PrmPkg takes
 * the image address from the header (GetImageInfo's ImageAddress). Figures
 * are medians of R repetitions. Without the EDK II source (RTPRM_BENCH_EDK2
 * undefined) the edk2 column reads "n/a".
 *
 *   bench_prm [--reps R] [--modules M] [--handlers H]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rtprm/guid.h"
#include "rtprm/platform.h"
#include "rtprm/prm_discover.h"

#ifdef RTPRM_BENCH_EDK2
#include "edk2ref_prm.h"
#endif

#define EDK2_NA "n/a (edk2 source not cached: make edk2-source)"

#define SA        0x1000u
#define OPT       0x98u /* 0x80 e_lfanew + 4 + 20 */
#define TEXT_RVA  0x1000u

static const EFI_GUID PLATFORM = { 0xc29bb610, 0x84f9, 0x448d, { 0xa7, 0xdd, 0x5a, 0x04, 0xc5, 0xa5, 0x4f, 0x52 } };

static void w16(uint8_t *b, uint32_t o, uint16_t v) { memcpy(b + o, &v, 2); }
static void w32(uint8_t *b, uint32_t o, uint32_t v) { memcpy(b + o, &v, 4); }
static void w64(uint8_t *b, uint32_t o, uint64_t v) { memcpy(b + o, &v, 8); }
static uint32_t up(uint32_t v) { return (v + SA - 1) & ~(SA - 1); }

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int by_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *t, int reps) {
  qsort(t, (size_t)reps, sizeof(double), by_double);
  return t[reps / 2];
}

static EFI_GUID guid_of(uint32_t module, uint32_t handler) {
  EFI_GUID g = { 0xbe000000u | module, (uint16_t)handler, 0x4000, { 0x80, 1, 2, 3, 4, 5, (uint8_t)(handler >> 8), 7 } };
  return g;
}

typedef struct {
  uint8_t *mem;
  uint32_t size, nexp;
} image;

static void put_section(uint8_t *b, uint32_t i, const char *name, uint32_t rva, uint32_t size, uint32_t chars) {
  uint32_t s = OPT + 240 + 40 * i;
  memcpy(b + s, name, strlen(name));
  w32(b, s + 8, size);
  w32(b, s + 12, rva);
  w32(b, s + 16, up(size));
  w32(b, s + 20, rva);
  w32(b, s + 36, chars);
}

static void put_headers(uint8_t *b, uint32_t size, uint32_t text_size, uint32_t rdata_rva, uint32_t rdata_size) {
  b[0] = 'M';
  b[1] = 'Z';
  w32(b, 0x3C, 0x80);
  memcpy(b + 0x80, "PE\0\0", 4);
  w16(b, 0x84, 0x8664);
  w16(b, 0x86, 2);
  w16(b, 0x94, 240);
  w16(b, 0x96, 0x2022); /* EXECUTABLE | LARGE_ADDRESS_AWARE | DLL */
  w16(b, OPT, 0x20B);
  w32(b, OPT + 4, up(text_size));
  w32(b, OPT + 16, TEXT_RVA);
  w32(b, OPT + 20, TEXT_RVA);
  w64(b, OPT + 24, 0x180000000ull);
  w32(b, OPT + 32, SA);
  w32(b, OPT + 36, SA);
  w16(b, OPT + 44, 1);
  w32(b, OPT + 56, size);
  w32(b, OPT + 60, SA);
  w16(b, OPT + 68, 12);
  w32(b, OPT + 108, 16);
  put_section(b, 0, ".text", TEXT_RVA, text_size, 0x60000020u);
  put_section(b, 1, ".rdata", rdata_rva, rdata_size, 0x40000040u);
}

/* nexp named exports "H%05u" (sorted), the first nh of them listed in a
 * PRM descriptor when nh > 0 (then "PrmModuleExportDescriptor" is export
 * nexp, which sorts after "H..."). */
static image make_image(uint32_t module, uint32_t nexp, uint32_t nh) {
  uint32_t names = nexp + (nh ? 1 : 0);
  uint32_t text_size = nexp * 16, rdata_rva = TEXT_RVA + up(text_size);
  uint32_t desc = rdata_rva, desc_size = nh ? 44 + 144 * nh : 0;
  uint32_t ed = rdata_rva + ((desc_size + 15) & ~15u);
  uint32_t eat = ed + 40, ent = eat + 4 * names, eot = ent + 4 * names, str = eot + 2 * names;
  uint32_t str_size = names * 8 + 32, rdata_size = str + str_size - rdata_rva;
  image im = { NULL, rdata_rva + up(rdata_size), names };
  uint8_t *b = im.mem = aligned_alloc(0x10000, (im.size + 0xFFFFu) & ~0xFFFFu);
  if (b == NULL) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  memset(b, 0, im.size);
  put_headers(b, im.size, text_size, rdata_rva, rdata_size);
  w64(b, OPT + 24, (uint64_t)(uintptr_t)b); /* relocated for where it sits */
  memset(b + TEXT_RVA, 0xC3, text_size);
  w32(b, OPT + 112, ed);
  w32(b, OPT + 116, str + str_size - ed);
  w32(b, ed + 20, names);
  w32(b, ed + 24, names);
  w32(b, ed + 28, eat);
  w32(b, ed + 32, ent);
  w32(b, ed + 36, eot);
  uint32_t at = str;
  for (uint32_t i = 0; i < names; i++) {
    char nm[32];
    if (i < nexp) snprintf(nm, sizeof(nm), "H%05u", i);
    else snprintf(nm, sizeof(nm), "PrmModuleExportDescriptor");
    w32(b, eat + 4 * i, i < nexp ? TEXT_RVA + 16 * i : desc);
    w32(b, ent + 4 * i, at);
    w16(b, eot + 2 * i, (uint16_t)i);
    memcpy(b + at, nm, strlen(nm) + 1);
    at += (uint32_t)strlen(nm) + 1;
  }
  if (nh) {
    w64(b, desc, PRM_MODULE_EXPORT_DESCRIPTOR_SIGNATURE);
    w16(b, desc + 10, (uint16_t)nh);
    memcpy(b + desc + 12, &PLATFORM, 16);
    EFI_GUID mg = guid_of(module, 0xFFFF);
    memcpy(b + desc + 28, &mg, 16);
    for (uint32_t j = 0; j < nh; j++) {
      EFI_GUID hg = guid_of(module, j);
      memcpy(b + desc + 44 + 144 * j, &hg, 16);
      snprintf((char *)b + desc + 44 + 144 * j + 16, 128, "H%05u", j);
    }
  }
  return im;
}

/* ---- baseline: EDK II-style lookups, no validation ----------------------- */

static uint32_t rd32(const uint8_t *b, uint32_t o) { uint32_t v; memcpy(&v, b + o, 4); return v; }
static uint16_t rd16(const uint8_t *b, uint32_t o) { uint16_t v; memcpy(&v, b + o, 2); return v; }

static uint32_t linear_find(const uint8_t *b, const char *name, size_t cmp_len) {
  uint32_t ed = rd32(b, OPT + 112), n = rd32(b, ed + 24);
  uint32_t eat = rd32(b, ed + 28), ent = rd32(b, ed + 32), eot = rd32(b, ed + 36);
  for (uint32_t i = 0; i < n; i++) {
    if (strncmp(name, (const char *)b + rd32(b, ent + 4 * i), cmp_len) == 0) return rd32(b, eat + 4 * rd16(b, eot + 2 * i));
  }
  return 0;
}

/* Returns the number of handlers; *sum gets the sum of handler addresses so
 * the work cannot be optimised away and is compared with the library's. */
static uint32_t base_discover(image *ims, uint32_t n, uint8_t *table, uint64_t *sum) {
  uint32_t off = 60, total = 0;
  *sum = 0;
  for (uint32_t m = 0; m < n; m++) {
    const uint8_t *b = ims[m].mem;
    uint32_t d = linear_find(b, "PrmModuleExportDescriptor", 25);
    uint16_t nh = rd16(b, d + 10);
    memcpy(table + off + 4, b + d + 28, 16);
    w16(table, off + 24, nh);
    for (uint32_t j = 0; j < nh; j++) {
      uint8_t *h = table + off + 38 + 44 * j;
      memcpy(h + 4, b + d + 44 + 144 * j, 16);
      uint64_t a = (uint64_t)(uintptr_t)b + linear_find(b, (const char *)b + d + 44 + 144 * j + 16, 128);
      w64(h, 20, a);
      *sum += a;
    }
    off += 38 + 44 * nh;
    total += nh;
  }
  return total;
}

#ifdef RTPRM_BENCH_EDK2
/* ---- EDK II: PrmPkg's own calls (edk2ref_prm.h) ----------------------------- */

/* As base_discover, through DxePrmModuleDiscoveryLib's and PrmLoaderDxe's
 * calls. Returns the number of handlers, or 0 when EDK II rejects a module
 * or a handler name. */
static uint32_t edk2_discover(image *ims, uint32_t n, uint8_t *table, uint64_t *sum) {
  uint32_t off = 60, total = 0;
  *sum = 0;
  for (uint32_t m = 0; m < n; m++) {
    edk2ref_prm_module mod;
    if (edk2ref_prm_module_find(ims[m].mem, &mod) != 0) return 0;
    const uint8_t *d = mod.export_descriptor;
    uint16_t nh = rd16(d, 10);
    memcpy(table + off + 4, d + 28, 16);
    w16(table, off + 24, nh);
    for (uint32_t j = 0; j < nh; j++) {
      uint8_t *h = table + off + 38 + 44 * j;
      uint64_t a;
      memcpy(h + 4, d + 44 + 144 * j, 16);
      if (edk2ref_prm_export_address(&mod, (const char *)d + 44 + 144 * j + 16, &a) != 0) return 0;
      w64(h, 20, a);
      *sum += a;
    }
    off += 38 + 44 * nh;
    total += nh;
  }
  return total;
}
#endif

/* ---- the two measurements ----------------------------------------------- */

static int bench_discovery(uint32_t nm, uint32_t nh, int reps) {
  image *ims = calloc(nm, sizeof(image));
  for (uint32_t m = 0; m < nm; m++) ims[m] = make_image(m, nh, nh);
  uint8_t *btable = calloc(1, 60 + nm * (38 + 44 * nh));
  double *t_lib = calloc((size_t)reps, sizeof(double)), *t_base = calloc((size_t)reps, sizeof(double));
  double *t_edk2 = calloc((size_t)reps, sizeof(double));
  uint32_t size = 0;
  for (int r = 0; r < reps; r++) {
    rp_prm_discovery d;
    rp_prmt_build_in tmpl;
    uint8_t *t = NULL;
    rp_diag diag;
    double t0 = now_ns();
    rp_prm_discovery_init(&d, &PLATFORM);
    for (uint32_t m = 0; m < nm; m++) {
      rp_prm_verdict v;
      EFI_STATUS st;
      rp_prm_discovery_offer(&d, rp_bytes_of(ims[m].mem, ims[m].size), (uint64_t)(uintptr_t)ims[m].mem, &v, &st, &diag);
      if (v != RP_PRM_ACCEPTED) {
        fprintf(stderr, "module %u not accepted: %s\n", m, rp_reason_name(diag.reason));
        return 1;
      }
    }
    rp_prmt_build_in_defaults(&tmpl);
    tmpl.platform_guid = PLATFORM;
    if (EFI_ERROR(rp_prm_discovery_build(&d, &tmpl, NULL, 0, &t, &size, &diag))) {
      fprintf(stderr, "build failed: %s\n", rp_reason_name(diag.reason));
      return 1;
    }
    double t1 = now_ns();
    rp_prmt_info info;
    if (EFI_ERROR(rp_prmt_check(rp_bytes_of(t, size), &info, &diag)) || info.handler_total != nm * nh) {
      fprintf(stderr, "table check failed: %s\n", rp_reason_name(diag.reason));
      return 1;
    }
    uint64_t lib_sum = 0, base_sum = 0;
    for (uint32_t m = 0; m < d.count; m++)
      for (uint32_t j = 0; j < d.found[m].module.handler_count; j++)
        lib_sum += d.found[m].load_address + d.found[m].module.handlers[j].rva;
    rp_plat_free_pool(t);
    rp_prm_discovery_free(&d);
    double t2 = now_ns();
    uint32_t total = base_discover(ims, nm, btable, &base_sum);
    double t3 = now_ns();
    if (total != nm * nh || base_sum != lib_sum) {
      fprintf(stderr, "baseline and library disagree\n");
      return 1;
    }
#ifdef RTPRM_BENCH_EDK2
    uint64_t edk2_sum = 0;
    memset(btable, 0, 60 + nm * (38 + 44 * nh));
    double t4 = now_ns();
    total = edk2_discover(ims, nm, btable, &edk2_sum);
    t_edk2[r] = now_ns() - t4;
    if (total != nm * nh || edk2_sum != lib_sum) {
      fprintf(stderr, "EDK II and library disagree\n");
      return 1;
    }
#endif
    t_lib[r] = t1 - t0;
    t_base[r] = t3 - t2;
  }
  double lib = median(t_lib, reps), base = median(t_base, reps), edk2 = median(t_edk2, reps);
  printf("discovery+PRMT %u modules x %u handlers (%u-byte PRMT), median of %d:\n", nm, nh, size, reps);
  printf("  lib  (validated, binary search)  %10.3f ms  %8.1f ns/handler\n", lib / 1e6, lib / (nm * nh));
#ifdef RTPRM_BENCH_EDK2
  printf("  edk2 (PrmPkg's own calls)        %10.3f ms  %8.1f ns/handler\n", edk2 / 1e6, edk2 / (nm * nh));
#else
  (void)edk2;
  printf("  edk2 (PrmPkg's own calls)        %s\n", EDK2_NA);
#endif
  printf("  base (EDK II-style, reimpl.)     %10.3f ms  %8.1f ns/handler\n", base / 1e6, base / (nm * nh));
#ifdef RTPRM_BENCH_EDK2
  printf("  ratio lib/edk2                   %10.2f\n", lib / edk2);
#else
  printf("  ratio lib/edk2                   %s\n", EDK2_NA);
#endif
  printf("  ratio lib/base                   %10.2f\n", lib / base);
  for (uint32_t m = 0; m < nm; m++) free(ims[m].mem);
  free(ims);
  free(btable);
  free(t_lib);
  free(t_base);
  free(t_edk2);
  return 0;
}

static int bench_lookup(int reps) {
  static rp_pe_image img;
  double *t_lib = calloc((size_t)reps, sizeof(double)), *t_base = calloc((size_t)reps, sizeof(double));
  double *t_edk2 = calloc((size_t)reps, sizeof(double));
  char(*names)[8] = calloc(16384, sizeof(*names));
  for (uint32_t i = 0; i < 16384; i++) snprintf(names[i], sizeof(names[i]), "H%05u", i);
  printf("handler-name resolution vs export count (every name looked up once, median of %d):\n", reps);
  printf("  %8s %14s %14s %14s %9s %9s\n", "exports", "lib ns/lookup", "edk2 ns/lookup", "base ns/lookup",
         "lib/edk2", "lib/base");
  for (uint32_t n = 16; n <= 16384; n *= 4) {
    image im = make_image(0, n, 0);
    rp_pe_exports e;
    if (EFI_ERROR(rp_pe_parse(rp_bytes_of(im.mem, im.size), RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT, &img, NULL)) ||
        EFI_ERROR(rp_pe_exports_parse(&img, &e, NULL)) || !e.names_sorted)
      return 1;
#ifdef RTPRM_BENCH_EDK2
    /* No descriptor in these images: the EXPORTS step is what counts. */
    edk2ref_prm_module mod;
    edk2ref_prm_module_find(im.mem, &mod);
    if (mod.export_directory == NULL || mod.image_address != (uint64_t)(uintptr_t)im.mem) {
      fprintf(stderr, "EDK II found no export directory (step %d)\n", mod.step);
      return 1;
    }
#endif
    for (int r = 0; r < reps; r++) {
      uint64_t sum = 0;
      double t0 = now_ns();
      for (uint32_t i = 0; i < n; i++) {
        rp_pe_export x;
        if (EFI_ERROR(rp_pe_export_find(&img, &e, names[i], &x, NULL))) return 1;
        sum += x.rva;
      }
      double t1 = now_ns();
      for (uint32_t i = 0; i < n; i++) sum -= linear_find(im.mem, names[i], 128);
      double t2 = now_ns();
      if (sum != 0) return 1;
#ifdef RTPRM_BENCH_EDK2
      for (uint32_t i = 0; i < n; i++) {
        uint64_t a;
        if (edk2ref_prm_export_address(&mod, names[i], &a) != 0) return 1;
        sum += a - (uint64_t)(uintptr_t)im.mem;
      }
      double t3 = now_ns();
      for (uint32_t i = 0; i < n; i++) sum -= TEXT_RVA + 16 * i;
      if (sum != 0) {
        fprintf(stderr, "EDK II and library disagree\n");
        return 1;
      }
      t_edk2[r] = t3 - t2;
#endif
      t_lib[r] = t1 - t0;
      t_base[r] = t2 - t1;
    }
    double lib = median(t_lib, reps) / n, base = median(t_base, reps) / n, edk2 = median(t_edk2, reps) / n;
#ifdef RTPRM_BENCH_EDK2
    printf("  %8u %14.1f %14.1f %14.1f %9.3f %9.3f\n", n, lib, edk2, base, lib / edk2, lib / base);
#else
    (void)edk2;
    printf("  %8u %14.1f %14s %14.1f %9s %9.3f\n", n, lib, "n/a", base, "n/a", lib / base);
#endif
    free(im.mem);
  }
#ifndef RTPRM_BENCH_EDK2
  printf("  edk2: %s\n", EDK2_NA);
#endif
  free(names);
  free(t_lib);
  free(t_base);
  free(t_edk2);
  return 0;
}

int main(int argc, char **argv) {
  int reps = 5;
  uint32_t nm = 64, nh = 255;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--reps")) reps = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--modules")) nm = (uint32_t)atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--handlers")) nh = (uint32_t)atoi(argv[i + 1]);
  }
  if (reps < 1) reps = 1;
  rp_log_set_level(RP_LOG_ERROR);
  if (bench_discovery(nm, nh, reps)) return 1;
  return bench_lookup(reps);
}
