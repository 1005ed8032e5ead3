/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * SetVirtualAddressMap on a synthetic platform (issue 4 item 12): the host
 * DXE-core model (impl/sim) with 64 runtime images of 4 pages of
 * DIR64 sites each (2,048 fixups per image, 131,072 in all) and 256
 * virtual-address-change events, all through the -O2 sanitizer-free core.
 * Each repetition builds a fresh model (SetVirtualAddressMap applies once)
 * and times only the call. Printed next to it, in the same run: the bare
 * loop of bench_rerelocate (read u64, compare with the record, add, write)
 * over the same number of sites, as the per-fixup floor.
 *
 *   bench_svam [--reps R]
 */
int bench_rerelocate_main(int argc, char **argv);
#define main bench_rerelocate_main
#include "bench_rerelocate.c" /* synthesise(), bare_loop(), now_ns() */
#undef main

#include "dxe_model.h"
#include "rtprm/host/platform_host.h"

#define N_IMAGES 64u
#define N_EVENTS 256u
#define IMG_PAGES 4u /* x PER_PAGE (512) DIR64 sites */

static double one_svam(const uint8_t *file, size_t len, rp_rt_stats *stats) {
  static uint8_t vmap[4096];
  dm_model m;
  dm_config cfg = { 1024, 1024, 4, 0 };
  rp_diag d;
  if (EFI_ERROR(dm_init(&m, &cfg))) die("dm_init", EFI_OUT_OF_RESOURCES, NULL);
  for (unsigned i = 0; i < N_IMAGES; i++) {
    EFI_STATUS st = dm_load_image(&m, file, len, NULL);
    if (EFI_ERROR(st)) die("dm_load_image", st, NULL);
  }
  for (unsigned i = 0; i < N_EVENTS; i++) {
    EFI_STATUS st = dm_create_event(&m, EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE, NULL, true, NULL);
    if (EFI_ERROR(st)) die("dm_create_event", st, NULL);
  }
  if (EFI_ERROR(dm_install_protocol(&m)) || EFI_ERROR(dm_exit_boot_services(&m, true)))
    die("install/ebs", EFI_ABORTED, NULL);
  dm_os_assign(&m, 0);
  size_t size = dm_os_vmap(&m, vmap, sizeof(vmap), 48, false);
  rp_host_log_quiet(1);
  double t0 = now_ns();
  EFI_STATUS st = rp_rt_set_virtual_address_map(m.rt, size, 48, 1, (const EFI_MEMORY_DESCRIPTOR *)vmap, &d);
  double t = now_ns() - t0;
  rp_host_log_quiet(0);
  if (EFI_ERROR(st)) die("SetVirtualAddressMap", st, &d);
  *stats = m.rt->stats;
  dm_destroy(&m);
  return t;
}

/* The same number of sites through the bare loop: 64 copies of one image. */
static double bare(const uint8_t *file, size_t len, size_t *sites) {
  rp_pe_image img;
  rp_diag d;
  if (EFI_ERROR(rp_pe_parse(rp_bytes_of(file, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &img, &d))) die("parse", EFI_LOAD_ERROR, &d);
  size_t size = img.size_of_image, n = (size_t)IMG_PAGES * PER_PAGE;
  uint8_t *copies = xalloc(size * N_IMAGES);
  uint32_t *offs = xalloc(n * sizeof(uint32_t));
  uint64_t *rec = xalloc(n * sizeof(uint64_t));
  for (size_t i = 0; i < n; i++) {
    offs[i] = 0x2000u + (uint32_t)(i * 8);
    memcpy(&rec[i], file + HDR_SIZE + FA + i * 8, 8);
  }
  for (unsigned k = 0; k < N_IMAGES; k++) {
    memcpy(copies + k * size + 0x2000, file + HDR_SIZE + FA, n * 8);
  }
  double t0 = now_ns();
  for (unsigned k = 0; k < N_IMAGES; k++) bare_loop(copies + k * size, offs, rec, n, 0x40000000ull);
  double t = now_ns() - t0;
  free(copies), free(offs), free(rec);
  *sites = n * N_IMAGES;
  return t;
}

int main(int argc, char **argv) {
  unsigned reps = 9;
  if (argc == 3 && strcmp(argv[1], "--reps") == 0) reps = (unsigned)atoi(argv[2]);
  if (reps == 0 || reps > 1000) {
    fprintf(stderr, "usage: %s [--reps R]\n", argv[0]);
    return 2;
  }
  size_t len;
  uint8_t *file = synthesise(IMG_PAGES, &len);
  double *ts = xalloc(reps * sizeof(double)), *tb = xalloc(reps * sizeof(double));
  rp_rt_stats s;
  size_t sites = 0;
  for (unsigned r = 0; r < reps; r++) {
    ts[r] = one_svam(file, len, &s);
    tb[r] = bare(file, len, &sites);
  }
  if (s.images_relocated != N_IMAGES || s.sites_applied != sites || s.events_signalled != N_EVENTS) {
    fprintf(stderr, "unexpected stats: %llu images, %llu sites (want %zu), %llu events\n",
            (unsigned long long)s.images_relocated, (unsigned long long)s.sites_applied, sites,
            (unsigned long long)s.events_signalled);
    return 1;
  }
  qsort(ts, reps, sizeof(double), by_double);
  qsort(tb, reps, sizeof(double), by_double);
  double svam_ns = ts[reps / 2], bare_ns = tb[reps / 2];
  printf("platform                %u images x %u DIR64 fixups, %u events (%zu fixups)\n", N_IMAGES,
         IMG_PAGES * PER_PAGE, N_EVENTS, sites);
  printf("SetVirtualAddressMap    %.3f ms median of %u (validate + events + images + tables)\n", svam_ns / 1e6, reps);
  printf("per fixup (whole call)  %.3f ns/fixup\n", svam_ns / (double)sites);
  printf("bare loop               %.3f ns/fixup\n", bare_ns / (double)sites);
  printf("ratio                   %.2f\n", svam_ns / bare_ns);
  free(ts), free(tb), free(file);
  return 0;
}
