/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Fuzz target "pe_vs_edk2": the same bytes through EDK II's BasePeCoffLib
 * (harnesses/edk2ref, in a restartable child: fuzz/edk2_oracle.h) and
 * through ours, the way the DXE core and SetVirtualAddressMap use a runtime
 * image:
 *   EDK II: GetImageInfo, LoadImage at X, RelocateImage for X with its
 *           fixup record, RelocateImageForRuntime X -> V;
 *   ours:   rp_pe_parse (COMPAT, FILE), rp_pe_load, rp_pe_relocate to X
 *           recording the EDK II format, rp_pe_runtime_relocate X -> V.
 * X is the child's image area, fixed at 0x42200000 (EDK2_ORACLE_IMAGE_AT:
 * 2 MiB aligned, not 4 MiB; below 4 GiB so PE32 images
 * fit); V = X + k * 2 MiB (+ the kernel half for PE32+), from the trailer:
 *   bits 0-7  k (signed; 0 means no runtime step)
 *   bit  8    kernel half (PE32+ only)
 *
 * Compared: accept vs reject at every step and, where both accept, the
 * mapped+relocated image, the fixup record (our EDK II format claims byte
 * identity, docs/pecoff.md §5.1) and the re-relocated image, byte for byte.
 * Every disagreement must fall in a class of fuzz/pe_vs_edk2_classes.c:
 * (a) an EDK II memory-safety defect on an input we reject, (b) our
 * documented policy, (c) our bug (fixed; kept as a regression). Anything
 * else aborts: class (d), unexplained.
 *
 * RTPRM_DIFF_PRINT=1 prints the outcome and class of every input (one
 * line, "pe_vs_edk2: ..."), which the anchors' ctest and report read.
 */
#include <string.h>

#include "edk2_oracle.h"
#include "fuzz.h"
#include "pe_vs_edk2.h"
#include "rtprm/pe.h"
#include "rtprm/spec/pecoff.h"
#include "rtprm/platform.h"

#define TWO_MIB     (2ull << 20)
/* SizeOfImage compared: 256 KiB keeps an execution cheap for the engines (a
 * mutated SizeOfImage costs both loaders a zero-fill of that size); the
 * real-world replay raises it with RTPRM_DIFF_IMAGE_MAX (bytes). Larger
 * images are skipped by both sides alike. */
#define DEFAULT_IMAGE_CAP (256ull << 10)
#define KERNEL_HALF 0xFFFF800000000000ull

static uint64_t pick_virt(bool pe32plus, uint64_t x, uint32_t opt) {
  int8_t k = (int8_t)(opt & 0xFF);
  if (k == 0) return 0;
  uint64_t v = x + (uint64_t)(int64_t)k * TWO_MIB;
  if (pe32plus && ((opt >> 8) & 1)) v += KERNEL_HALF;
  if (!pe32plus) v &= 0xFFFFFFFFull;
  return v == x ? 0 : v;
}

static uint64_t image_cap(void) {
  static uint64_t cap;
  if (cap == 0) {
    const char *e = getenv("RTPRM_DIFF_IMAGE_MAX");
    cap = e ? strtoull(e, NULL, 0) : DEFAULT_IMAGE_CAP;
    if (cap == 0 || cap > EDK2_ORACLE_IMAGE_MAX) cap = EDK2_ORACLE_IMAGE_MAX;
  }
  return cap;
}

/* Ours, step by step; the outcome's ours_* fields. */
typedef struct ours_run {
  rp_pe_image img;
  uint8_t    *image, *record;
  uint64_t    record_len;
} ours_run;

static void ours_pipeline(const uint8_t *file, size_t len, uint64_t x, uint64_t v, ours_run *r, diff_outcome *o) {
  rp_diag d;
  rp_pe_reloc_stats rs;
  rp_pe_rerelocate_stats rr;
  EFI_STATUS st = rp_pe_parse(rp_bytes_of(file, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &r->img, &d);
  o->ours_findings = r->img.findings.count ? r->img.findings.item[0].reason : RP_R_NONE;
  if (EFI_ERROR(st)) return diff_ours_failed(o, DIFF_PARSE, d.reason);
  o->ours_size = r->img.size_of_image;
  o->num_rva = r->img.num_rva_and_sizes;
  if (!r->img.te) o->opt_header_size = (uint16_t)(file[r->img.pe_offset + 20] | file[r->img.pe_offset + 21] << 8);
  o->te = r->img.te;
  o->pe32plus = r->img.pe32plus;
  o->machine = r->img.machine;
  if (r->img.size_of_image > image_cap()) return diff_ours_failed(o, DIFF_SKIPPED, RP_R_NONE);
  r->image = calloc(r->img.size_of_image, 1);
  RP_FUZZ_ASSERT(r->image != NULL);
  st = rp_pe_load(&r->img, rp_mbytes_of(r->image, r->img.size_of_image), &d);
  if (EFI_ERROR(st)) return diff_ours_failed(o, DIFF_LOAD, d.reason);
  /* The record's size, as the runtime pass will check it, from the mapped image. */
  static rp_pe_image mapped;
  RP_FUZZ_ASSERT(!EFI_ERROR(rp_pe_parse(rp_bytes_of(r->image, r->img.size_of_image), RP_PE_LAYOUT_MAPPED,
                                        RP_PE_PROFILE_COMPAT, &mapped, &d)));
  if (EFI_ERROR(rp_pe_fixup_size(&mapped, RP_FIXUP_EDK2, &r->record_len, &d))) r->record_len = 8;
  if (r->record_len > EDK2_ORACLE_RECORD_MAX) return diff_ours_failed(o, DIFF_SKIPPED, RP_R_NONE);
  r->record = aligned_alloc(8, (r->record_len + 7) & ~7ull);
  RP_FUZZ_ASSERT(r->record != NULL);
  memset(r->record, 0, r->record_len);
  memset(&rs, 0, sizeof(rs));
  st = rp_pe_relocate(&r->img, rp_mbytes_of(r->image, r->img.size_of_image), x, RP_FIXUP_EDK2,
                      rp_mbytes_of(r->record, r->record_len), &rs, &d);
  if (rs.findings.count && o->ours_findings == RP_R_NONE) o->ours_findings = rs.findings.item[0].reason;
  if (EFI_ERROR(st)) return diff_ours_failed(o, DIFF_RELOCATE, d.reason);
  o->ours_record_bytes = rs.record_bytes;
  if (v == 0) return;
  memset(&rr, 0, sizeof(rr));
  st = rp_pe_runtime_relocate(rp_mbytes_of(r->image, r->img.size_of_image), RP_PE_PROFILE_COMPAT, x, v,
                              RP_FIXUP_EDK2, rp_bytes_of(r->record, r->record_len), &rr, &d);
  if (EFI_ERROR(st)) return diff_ours_failed(o, DIFF_RUNTIME, d.reason);
  o->ours_runtime_skipped = rr.skipped;
}

/* Where the header's ImageBase lies in the mapped image, and its width. */
static uint32_t image_base_field(const rp_pe_image *img, uint32_t *width) {
  *width = img->te ? 8 : img->pe32plus ? 8 : 4;
  if (img->te) return 16; /* EFI_TE_IMAGE_HEADER.ImageBase */
  return img->pe_offset + 24 + (img->pe32plus ? 24 : 28);
}

/* Byte comparisons where both sides produced something. The header's
 * ImageBase field is compared on its own (image_base_diff). */
static void compare(const ours_run *r, const edk2_run *e, diff_outcome *o) {
  if (o->ours_failed != DIFF_NONE || e->end != EDK2_RAN || e->result.step != EDK2REF_OK) return;
  o->sizes_differ = e->result.image_size != r->img.size_of_image;
  uint64_t n = o->sizes_differ ? 0 : r->img.size_of_image;
  uint32_t w, at = image_base_field(&r->img, &w);
  if (n >= (uint64_t)at + w) {
    o->image_base_diff = memcmp(r->image + at, edk2_oracle_image() + at, w) != 0;
    memcpy(&o->ours_image_base, r->image + at, w);
    memcpy(&o->edk2_image_base, edk2_oracle_image() + at, w);
    if (w == 4) {
      o->ours_image_base &= 0xFFFFFFFFull;
      o->edk2_image_base &= 0xFFFFFFFFull;
    }
    uint64_t dummy;
    o->image_diff = diff_first(r->image, edk2_oracle_image(), at, &o->image_diff_at) ||
                    (diff_first(r->image + at + w, edk2_oracle_image() + at + w, n - at - w, &dummy) &&
                     (o->image_diff_at = at + w + dummy, true));
  } else {
    o->image_diff = diff_first(r->image, edk2_oracle_image(), n, &o->image_diff_at);
  }
  uint64_t rn = r->record_len < e->result.fixup_data_size ? r->record_len : e->result.fixup_data_size;
  o->record_diff = diff_first(r->record, edk2_oracle_record(), rn, &o->record_diff_at);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  rp_fuzz_config cfg;
  size_t len = rp_fuzz_begin(data, size, &cfg);
  uint8_t *file = rp_fuzz_dup(data, len);
  ours_run r;
  edk2_run e;
  diff_outcome o;
  memset(&r, 0, sizeof(r));
  diff_outcome_init(&o);
  uint64_t x = EDK2_ORACLE_IMAGE_AT;
  rp_diag d;
  bool plus = false;
  {
    static rp_pe_image peek;
    if (!EFI_ERROR(rp_pe_parse(rp_bytes_of(file, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &peek, &d)))
      plus = peek.pe32plus;
  }
  uint64_t v = pick_virt(plus, x, cfg.options);
  o.virt_base = v;
  o.x = x;
  diff_file_facts(&o, file, len);
  if (edk2_oracle_run(file, len, v, image_cap(), &e)) {
    diff_take_edk2(&o, &e, x);
    ours_pipeline(file, len, x, v, &r, &o);
    compare(&r, &e, &o);
    diff_conclude(&o, data, size);
  }
  free(r.image);
  free(r.record);
  free(file);
  rp_fuzz_end();
  return 0;
}
