/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Malformed PE/COFF corpus cases (requirements/pecoff.json, PE-xxx): one
 * case per class of corpus/pe-malformed/manifest.json, PE-M-NNN in file-name
 * order. The table is generated at build time by tools/gen_pe_cases.py from
 * the manifest (the build fails when they disagree); the files are read at
 * run time from RTPRM_PE_MALFORMED_DIR.
 *
 * Stages:
 *   parse     rp_pe_parse (FILE layout): status/reason; the file bytes are
 *             not written and a rejected context is all zero.
 *   relocate  parse + load must succeed; rp_pe_relocate to new_base with an
 *             EDK II record; on rejection the image and the record are
 *             compared with copies (PE-016), then the runtime pass
 *             (rp_pe_runtime_relocate from ImageBase to new_base) must reject
 *             the same image with the same reason, again writing nothing
 *             (PE-020). On acceptance the relocated sites are checked.
 *   exports   parse must succeed; rp_pe_exports_parse: status/reason; the
 *             output is not written on rejection.
 *
 * Each case runs under one profile (docs/pecoff.md §1): a class whose input
 * breaks a rule with a defined mapping has a COMPAT case (accepted, with the
 * manifest's findings reported, nothing else) and a STRICT case
 * (PE-M-<class>-strict: rejected with the finding's reason).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"
#include "rtprm/pe.h"
#include "rtprm/spec/pecoff.h"

#ifndef RTPRM_PE_MALFORMED_DIR
#error "RTPRM_PE_MALFORMED_DIR must name corpus/pe-malformed"
#endif

typedef enum { PE_STAGE_PARSE, PE_STAGE_RELOCATE, PE_STAGE_EXPORTS } pe_stage;

typedef struct {
  const char   *file;
  pe_stage      stage;
  uint64_t      new_base;
  rp_pe_profile profile;
  const char   *findings; /* COMPAT: the reason names reported, space-separated, in order */
} pe_m_input;

/* ---- helpers ------------------------------------------------------------- */


static bool all_zero(const void *p, size_t n) {
  const uint8_t *b = p;
  for (size_t i = 0; i < n; i++) {
    if (b[i] != 0) return false;
  }
  return true;
}

static uint64_t rd64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

/* ---- stages -------------------------------------------------------------- */

/* The findings reported equal the manifest's list (names, in order). */
static void check_findings(const rp_findings *got, const char *want, rp_case_result *r) {
  char names[256] = "";
  size_t at = 0;
  for (uint32_t i = 0; i < rp_findings_kept(got); i++)
    at += (size_t)snprintf(names + at, sizeof(names) - at, "%s%s", i ? " " : "", rp_reason_name(got->item[i].reason));
  if (got->count != rp_findings_kept(got) || strcmp(names, want) != 0)
    rp_case_fail(r, "findings \"%s\" (%u), expected \"%s\"", names, got->count, want);
}

static void stage_parse(const pe_m_input *in, const uint8_t *file, size_t len, rp_case_result *r) {
  rp_pe_image *img = malloc(sizeof(*img));
  rp_diag d;
  if (img == NULL) {
    rp_case_fail(r, "setup: out of memory");
    return;
  }
  memset(img, 0xA5, sizeof(*img));
  rp_diag_clear(&d);
  rp_case_observe(r, rp_pe_parse(rp_bytes_of(file, len), RP_PE_LAYOUT_FILE, in->profile, img, &d), &d);
  if (EFI_ERROR(r->status) && !all_zero(img, sizeof(*img)))
    rp_case_fail(r, "a rejected parse left a partially filled context");
  if (!EFI_ERROR(r->status)) check_findings(&img->findings, in->findings, r);
  free(img);
}

/* An accepted class without relocations: moved without fixups, only the
 * header ImageBase differs. */
static void check_moved_as_is(const rp_pe_image *img, const uint8_t *before, const uint8_t *after, size_t size,
                              rp_case_result *r) {
  uint64_t at = img->te ? offsetof(EFI_TE_IMAGE_HEADER, ImageBase) : (uint64_t)img->pe_offset + 24 + 24;
  size_t width = img->pe32plus || img->te ? 8 : 4;
  if (memcmp(before, after, (size_t)at) != 0 || memcmp(before + at + width, after + at + width, size - at - width) != 0)
    rp_case_fail(r, "an image without relocations changed beyond its header ImageBase");
}

/* The relocation of an accepted class (ia32-reloc-dir64, TE): every DIR64
 * site of the directory moved by the delta, every HIGHLOW by its low 32
 * bits; a TE page RVA lies te_adjust above its image offset. */
static void check_applied(const rp_pe_image *img, const uint8_t *before, const uint8_t *after, uint64_t delta,
                          rp_case_result *r) {
  const rp_pe_dir *rd = &img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC];
  uint32_t off = 0;
  unsigned n64 = 0;
  if (rd->size == 0) {
    check_moved_as_is(img, before, after, img->size_of_image, r);
    return;
  }
  while (off + 8 <= rd->size) {
    uint32_t page, sob;
    memcpy(&page, before + rd->rva + off, 4);
    memcpy(&sob, before + rd->rva + off + 4, 4);
    for (uint32_t e = 8; e + 2 <= sob; e += 2) {
      uint16_t w;
      memcpy(&w, before + rd->rva + off + e, 2);
      uint32_t t = page + (w & 0xFFFu) - img->te_adjust;
      if (w >> 12 == IMAGE_REL_BASED_DIR64) {
        n64++;
        if (rd64(after + t) != rd64(before + t) + delta)
          rp_case_fail(r, "DIR64 at 0x%x: 0x%llx, expected 0x%llx", t, (unsigned long long)rd64(after + t),
                       (unsigned long long)(rd64(before + t) + delta));
      } else if (w >> 12 == IMAGE_REL_BASED_HIGHLOW) {
        uint32_t a, b;
        memcpy(&a, before + t, 4);
        memcpy(&b, after + t, 4);
        if (b != a + (uint32_t)delta) rp_case_fail(r, "HIGHLOW at 0x%x: 0x%x, expected 0x%x", t, b, a + (uint32_t)delta);
      }
    }
    if (sob < 8) break;
    off += sob;
  }
  if (n64 == 0) rp_case_fail(r, "no DIR64 entry found in the accepted image");
}

/* Parses a class that must get past parse to reach its stage; on rejection
 * records the outcome as the case's and returns NULL. */
static rp_pe_image *parse_for_stage(const pe_m_input *in, const uint8_t *file, size_t len, const char *stage,
                                    rp_case_result *r) {
  rp_pe_image *img = malloc(sizeof(*img));
  rp_diag d;
  if (img == NULL) {
    rp_case_fail(r, "setup: out of memory");
    return NULL;
  }
  rp_diag_clear(&d);
  EFI_STATUS st = rp_pe_parse(rp_bytes_of(file, len), RP_PE_LAYOUT_FILE, in->profile, img, &d);
  if (!EFI_ERROR(st)) return img;
  rp_case_observe(r, st, &d);
  /* STRICT may stop a later stage's class at a parse finding: that is its outcome. */
  if (in->profile != RP_PE_PROFILE_STRICT) rp_case_fail(r, "rejected at parse, before the %s stage", stage);
  free(img);
  return NULL;
}

static void stage_relocate(const uint8_t *file, size_t len, const pe_m_input *in, rp_case_result *r) {
  rp_pe_image *img = parse_for_stage(in, file, len, "relocate", r);
  rp_pe_reloc_stats stats = { 0 };
  uint8_t *map = NULL, *map_before = NULL;
  uint64_t *rec = NULL, *rec_before = NULL;
  size_t rec_len = 0;
  rp_diag d;
  EFI_STATUS st;
  if (img == NULL) return;
  rp_diag_clear(&d);
  map = malloc(img->size_of_image);
  map_before = malloc(img->size_of_image);
  /* EDK II budget Size / 2 * 8, plus slack: the record must fit whatever
   * the directory claims, so a wrong rejection is not a record-size one. */
  rec_len = (size_t)(img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC].size / 2) * 8 + 64;
  rec = malloc(rec_len);
  rec_before = malloc(rec_len);
  if (map == NULL || map_before == NULL || rec == NULL || rec_before == NULL) {
    rp_case_fail(r, "setup: out of memory");
    goto out;
  }
  st = rp_pe_load(img, rp_mbytes_of(map, img->size_of_image), &d);
  if (EFI_ERROR(st)) {
    rp_case_observe(r, st, &d);
    rp_case_fail(r, "rejected at load, before relocation");
    goto out;
  }
  memcpy(map_before, map, img->size_of_image);
  memset(rec, 0xA5, rec_len);
  memcpy(rec_before, rec, rec_len);
  rp_diag_clear(&d);
  rp_case_observe(r, rp_pe_relocate(img, rp_mbytes_of(map, img->size_of_image), in->new_base, RP_FIXUP_EDK2,
                         rp_mbytes_of(rec, rec_len), &stats, &d),
       &d);
  if (!EFI_ERROR(r->status)) {
    check_applied(img, map_before, map, in->new_base - img->image_base, r);
    rp_findings_append(&img->findings, &stats.findings);
    check_findings(&img->findings, in->findings, r);
    goto out;
  }
  if (memcmp(map, map_before, img->size_of_image) != 0) rp_case_fail(r, "the rejected relocation wrote to the image (PE-016)");
  if (memcmp(rec, rec_before, rec_len) != 0) rp_case_fail(r, "the rejected relocation wrote to the record (PE-016)");
  /* The runtime pass over the same (unrelocated) image rejects it the same way. */
  {
    rp_diag d2;
    rp_diag_clear(&d2);
    st = rp_pe_runtime_relocate(rp_mbytes_of(map, img->size_of_image), in->profile, img->image_base, in->new_base,
                                RP_FIXUP_EDK2,
                                rp_bytes_of(rec, rec_len), NULL, &d2);
    if (st != r->status || d2.reason != r->reason)
      rp_case_fail(r, "runtime pass: %s/%s, load time: %s/%s (PE-020)", rp_status_name(st), rp_reason_name(d2.reason),
                   rp_status_name(r->status), rp_reason_name(r->reason));
    if (memcmp(map, map_before, img->size_of_image) != 0) rp_case_fail(r, "the rejected runtime pass wrote to the image");
    if (memcmp(rec, rec_before, rec_len) != 0) rp_case_fail(r, "the rejected runtime pass wrote to the record");
  }
out:
  free(img);
  free(map);
  free(map_before);
  free(rec);
  free(rec_before);
}

static void stage_exports(const pe_m_input *in, const uint8_t *file, size_t len, rp_case_result *r) {
  rp_pe_image *img = parse_for_stage(in, file, len, "exports", r);
  rp_pe_exports ex, ex_before;
  rp_diag d;
  if (img == NULL) return;
  rp_diag_clear(&d);
  memset(&ex, 0xA5, sizeof(ex));
  memcpy(&ex_before, &ex, sizeof(ex));
  rp_case_observe(r, rp_pe_exports_parse(img, &ex, &d), &d);
  if (EFI_ERROR(r->status) && memcmp(&ex, &ex_before, sizeof(ex)) != 0)
    rp_case_fail(r, "a rejected export directory wrote the output");
  free(img);
}

static void exec_pe_malformed(const rp_case *c, rp_case_result *r) {
  const pe_m_input *in = c->input;
  size_t len = 0;
  uint8_t *file = rp_case_read_file(RTPRM_PE_MALFORMED_DIR, in->file, &len, r);
  uint8_t *copy;
  if (file == NULL) return;
  copy = malloc(len + 1);
  if (copy == NULL) {
    free(file);
    rp_case_fail(r, "setup: out of memory");
    return;
  }
  memcpy(copy, file, len);
  switch (in->stage) {
  case PE_STAGE_PARSE: stage_parse(in, file, len, r); break;
  case PE_STAGE_RELOCATE: stage_relocate(file, len, in, r); break;
  case PE_STAGE_EXPORTS: stage_exports(in, file, len, r); break;
  }
  if (memcmp(file, copy, len) != 0) rp_case_fail(r, "the library wrote to the input file bytes");
  free(copy);
  free(file);
}

/* ---- the table (generated) ---------------------------------------------- */

#define PE_M(id, reqs, title, status, reason, file, stage, base, profile, findings)                         \
  { (id), (reqs), (title), (status), RP_R_##reason, RP_CASE_ANY_INDEX,                                       \
    &(const pe_m_input){ (file), (stage), (base), (profile), (findings) }, NULL }

static const rp_case pe_malformed_cases[] = {
#include "pe_malformed_table.inc"
};

const rp_case_group rp_group_pe_malformed = {
  "pe-malformed", pe_malformed_cases, sizeof(pe_malformed_cases) / sizeof(pe_malformed_cases[0]),
  exec_pe_malformed,
};
