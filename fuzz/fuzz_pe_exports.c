/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Fuzz target "pe_exports": export directory validation and lookup.
 *
 * Input:  a PE file | trailer (fuzz.h). Options:
 *   bits 0-7    which names (besides first/middle/last) get the "absent
 *               name" probes
 *   bits 8-15   stale context: how a copy of the validated rp_pe_exports is
 *               altered before export_at/export_find run on it (memory
 *               safety only: those calls must re-check every read)
 *   bit  16     skip the MAPPED pass (FILE only)
 * Pipeline: rp_pe_parse (FILE) -> rp_pe_exports_parse; then rp_pe_load
 * into a guarded buffer from the platform seam -> rp_pe_parse (MAPPED) ->
 * rp_pe_exports_parse.
 * Oracles, per layout:
 *   - header fields equal the 40-byte directory read here through an
 *     RVA mapping written here; rejections carry a reason != NONE;
 *   - every i < NumberOfNames: rp_pe_export_at succeeds, its name pointer is
 *     the name-table entry mapped here, its rva is EAT[ordinal] read here,
 *     forwarder == rva inside the export directory; i == NumberOfNames fails;
 *   - names_sorted == strictly ascending by strcmp (computed here);
 *   - rp_pe_export_find(name_i) returns the entry of the first j with
 *     name_j == name_i found by a linear scan written here (j == i when
 *     sorted); names built not to exist (or found by the scan) agree too:
 *     binary search and linear scan give the same answer;
 *   - FILE accepted => MAPPED accepted with identical results (the MAPPED
 *     regions contain the FILE regions byte for byte).
 * The FILE image's Authenticode ranges and certificate table
 * (rp_pe_authenticode_of, docs/pecoff.md §9) ride along: every range
 * non-empty and inside the file, lengths summing to hashed_bytes, no range
 * reaching into the table unless PE_AUTH_AFTER_CERTS was reported, every
 * counted WIN_CERTIFICATE readable and inside the table, one past the last
 * refused; rejections carry a reason.
 */
#include <string.h>

#include "fuzz.h"
#include "rtprm/pe.h"
#include "rtprm/spec/pecoff.h"
#include "rtprm/platform.h"

#define MAX_IMAGE     (16u << 20)
#define MAX_CHECKED   65536u /* names fully cross-checked */
#define MAX_FIND      1024u  /* names looked up (the scan is quadratic) */
#define GUARD         64u

/* Independent RVA -> offset for this layout: headers, then each section's
 * loaded bytes (FILE) or whole virtual size (MAPPED). */
static bool map_rva(const rp_pe_image *img, uint32_t rva, uint64_t len, uint64_t *off) {
  if ((uint64_t)rva + len <= img->size_of_headers) {
    *off = rva;
    return (uint64_t)rva + len <= img->bytes.len;
  }
  for (unsigned i = 0; i < img->num_sections; i++) {
    const rp_pe_section *s = &img->sections[i];
    uint32_t vsize = s->virtual_size ? s->virtual_size : s->raw_size;
    uint32_t n = img->layout == RP_PE_LAYOUT_MAPPED ? vsize : (vsize < s->raw_size ? vsize : s->raw_size);
    if (rva < s->virtual_address || (uint64_t)rva + len > (uint64_t)s->virtual_address + n) continue;
    *off = img->layout == RP_PE_LAYOUT_MAPPED ? rva : (uint64_t)s->raw_offset + (rva - s->virtual_address);
    return *off + len <= img->bytes.len;
  }
  return false;
}

static uint32_t rd32(const rp_pe_image *img, uint32_t rva, uint64_t idx, unsigned w) {
  uint64_t off;
  RP_FUZZ_ASSERT(map_rva(img, (uint32_t)(rva + idx * w), w, &off));
  const uint8_t *p = img->bytes.ptr + off;
  return w == 2 ? (uint32_t)(p[0] | p[1] << 8) : rp_le32(p);
}

static void same_export(const rp_pe_export *x, const rp_pe_export *y) {
  RP_FUZZ_ASSERT(x->name == y->name && x->ordinal_index == y->ordinal_index && x->rva == y->rva &&
                 x->forwarder == y->forwarder);
}

/* Lookup of `name` agrees with a linear scan over `names`. */
static void check_find(const rp_pe_image *img, const rp_pe_exports *e, const char *const *names, uint32_t n,
                       const char *name) {
  rp_pe_export got, want;
  rp_diag d;
  uint32_t j = 0;
  while (j < n && strcmp(names[j], name) != 0) j++;
  EFI_STATUS st = rp_pe_export_find(img, e, name, &got, &d);
  if (j == n) {
    RP_FUZZ_ASSERT(st == EFI_NOT_FOUND && d.reason == RP_R_PE_EXPORT_NOT_FOUND);
    return;
  }
  RP_FUZZ_ASSERT(st == EFI_SUCCESS && d.reason == RP_R_NONE);
  RP_FUZZ_ASSERT(rp_pe_export_at(img, e, j, &want, &d) == EFI_SUCCESS);
  same_export(&got, &want);
}

/* Names near name_i that usually do not exist. */
static void probe_absent(const rp_pe_image *img, const rp_pe_exports *e, const char *const *names, uint32_t n,
                         uint32_t i) {
  size_t len = strlen(names[i]);
  char *c = malloc(len + 2);
  RP_FUZZ_ASSERT(c != NULL);
  memcpy(c, names[i], len + 1);
  c[len] = '_';
  c[len + 1] = '\0';
  check_find(img, e, names, n, c); /* one byte longer */
  if (len > 0) {
    c[len] = '\0';
    c[len - 1] = (char)((unsigned char)c[len - 1] + 1);
    check_find(img, e, names, n, c); /* last byte bumped (wraps 0xFF -> 0: shorter) */
    c[len - 1] = (char)((unsigned char)c[len - 1] - 2);
    check_find(img, e, names, n, c); /* last byte lowered */
    c[len - 1] = '\0';
    check_find(img, e, names, n, c); /* one byte shorter */
  }
  free(c);
}

static void check_exports(const rp_pe_image *img, const rp_pe_exports *e, uint32_t opt) {
  uint64_t off;
  rp_diag d;
  const rp_pe_dir *dir = &img->dirs[IMAGE_DIRECTORY_ENTRY_EXPORT];
  /* Header fields against the directory bytes mapped here. */
  RP_FUZZ_ASSERT(e->dir_rva == dir->rva && e->dir_size == dir->size);
  RP_FUZZ_ASSERT(map_rva(img, dir->rva, 40, &off));
  const uint8_t *h = img->bytes.ptr + off;
  RP_FUZZ_ASSERT(e->name_rva == rp_le32(h + 12) && e->base == rp_le32(h + 16));
  RP_FUZZ_ASSERT(e->num_functions == rp_le32(h + 20) && e->num_names == rp_le32(h + 24));
  RP_FUZZ_ASSERT(e->functions_rva == rp_le32(h + 28) && e->names_rva == rp_le32(h + 32) &&
                 e->ordinals_rva == rp_le32(h + 36));
  RP_FUZZ_ASSERT(e->num_names <= e->num_functions);

  uint32_t n = e->num_names < MAX_CHECKED ? e->num_names : MAX_CHECKED;
  const char **names = malloc((n ? n : 1) * sizeof(*names));
  RP_FUZZ_ASSERT(names != NULL);
  bool sorted = true;
  for (uint32_t i = 0; i < n; i++) {
    rp_pe_export x;
    RP_FUZZ_ASSERT(rp_pe_export_at(img, e, i, &x, &d) == EFI_SUCCESS && d.reason == RP_R_NONE);
    RP_FUZZ_ASSERT(map_rva(img, rd32(img, e->names_rva, i, 4), 1, &off));
    RP_FUZZ_ASSERT((const uint8_t *)x.name == img->bytes.ptr + off);
    RP_FUZZ_ASSERT(x.ordinal_index == rd32(img, e->ordinals_rva, i, 2) && x.ordinal_index < e->num_functions);
    RP_FUZZ_ASSERT(x.rva == rd32(img, e->functions_rva, x.ordinal_index, 4));
    RP_FUZZ_ASSERT(x.forwarder == (x.rva >= e->dir_rva && (uint64_t)x.rva < (uint64_t)e->dir_rva + e->dir_size));
    names[i] = x.name; /* strlen/strcmp below would overrun (ASan) if it were unterminated */
    if (i > 0 && strcmp(names[i - 1], names[i]) >= 0) sorted = false;
  }
  if (n == e->num_names) RP_FUZZ_ASSERT(sorted == e->names_sorted);
  {
    rp_pe_export x;
    EFI_STATUS st = rp_pe_export_at(img, e, e->num_names, &x, &d);
    RP_FUZZ_ASSERT(EFI_ERROR(st) && d.reason != RP_R_NONE);
  }
  if (n == e->num_names) {
    uint32_t step = n > MAX_FIND ? n / MAX_FIND : 1;
    for (uint32_t i = 0; i < n; i += step) check_find(img, e, names, n, names[i]);
    check_find(img, e, names, n, "");
    check_find(img, e, names, n, "\xff\xff\xff");
    if (n > 0) {
      probe_absent(img, e, names, n, 0);
      probe_absent(img, e, names, n, n / 2);
      probe_absent(img, e, names, n, n - 1);
      probe_absent(img, e, names, n, (opt & 0xFF) % n);
    }
  }
  free(names);
}

/* A context that no longer matches the bytes: the calls may fail but must
 * stay inside img->bytes (ASan) and return NUL-terminated names in it. */
static void stale_context(const rp_pe_image *img, const rp_pe_exports *good, uint32_t opt) {
  rp_pe_exports e = *good;
  uint8_t k = (uint8_t)(opt >> 8);
  rp_pe_export x;
  rp_diag d;
  if (k == 0) return;
  switch (k & 7) {
  case 0: e.num_names += k; break;
  case 1: e.names_rva += k; break;
  case 2: e.ordinals_rva -= k; break;
  case 3: e.functions_rva += (uint32_t)k << 8; break;
  case 4: e.num_functions = e.num_functions > k ? e.num_functions - k : 0; break;
  case 5: e.names_sorted = !e.names_sorted; break;
  case 6: e.names_rva = img->size_of_image - 2; e.num_names += 1; break;
  default: e.num_names = UINT32_MAX; e.ordinals_rva = e.names_rva; break;
  }
  uint32_t n = e.num_names < 4096 ? e.num_names : 4096;
  for (uint32_t i = 0; i < n; i++) {
    EFI_STATUS st = rp_pe_export_at(img, &e, i, &x, &d);
    if (EFI_ERROR(st)) {
      RP_FUZZ_ASSERT(d.reason != RP_R_NONE);
      continue;
    }
    const uint8_t *p = (const uint8_t *)x.name;
    RP_FUZZ_ASSERT(p >= img->bytes.ptr && p < img->bytes.ptr + img->bytes.len);
    RP_FUZZ_ASSERT(memchr(p, 0, (size_t)(img->bytes.ptr + img->bytes.len - p)) != NULL);
    EFI_STATUS f = rp_pe_export_find(img, &e, x.name, &x, &d);
    RP_FUZZ_ASSERT(!EFI_ERROR(f) ? d.reason == RP_R_NONE : d.reason != RP_R_NONE);
  }
}

/* Parses the exports of one layout; returns the status. */
static EFI_STATUS one_layout(const rp_pe_image *img, rp_pe_exports *e, rp_diag *d, uint32_t opt) {
  memset(e, 0, sizeof(*e));
  EFI_STATUS st = rp_pe_exports_parse(img, e, d);
  if (EFI_ERROR(st)) {
    RP_FUZZ_ASSERT(d->reason != RP_R_NONE);
    RP_FUZZ_ASSERT((st == EFI_NOT_FOUND) == (d->reason == RP_R_PE_EXPORT_NONE));
    return st;
  }
  RP_FUZZ_ASSERT(d->reason == RP_R_NONE);
  check_exports(img, e, opt);
  stale_context(img, e, opt);
  return st;
}

static bool has_finding(const rp_findings *f, rp_reason r) {
  for (uint32_t i = 0; i < rp_findings_kept(f); i++)
    if (f->item[i].reason == r) return true;
  return false;
}

static void check_certificates(const rp_pe_image *img, const rp_pe_authenticode *a) {
  rp_pe_certificate c;
  rp_diag d;
  uint32_t n = a->cert_count < MAX_CHECKED ? a->cert_count : MAX_CHECKED;
  RP_FUZZ_ASSERT(a->cert_count <= a->cert_size / RP_WIN_CERT_HEADER + 1);
  for (uint32_t i = 0; i < n; i++) {
    RP_FUZZ_ASSERT(rp_pe_certificate_at(img, a, i, &c, &d) == EFI_SUCCESS);
    RP_FUZZ_ASSERT(c.offset >= a->cert_offset && c.length >= RP_WIN_CERT_HEADER &&
                   c.offset + c.length <= a->cert_offset + a->cert_size && c.data.len == c.length - 8u &&
                   c.data.ptr == img->bytes.ptr + c.offset + 8u);
  }
  RP_FUZZ_ASSERT(rp_pe_certificate_at(img, a, a->cert_count, &c, &d) == EFI_NOT_FOUND);
}

static void check_authenticode(const rp_pe_image *img) {
  static rp_pe_authenticode a;
  rp_diag d;
  uint64_t sum = 0, len = img->bytes.len;
  if (EFI_ERROR(rp_pe_authenticode_of(img, &a, &d))) {
    RP_FUZZ_ASSERT(d.reason != RP_R_NONE);
    return;
  }
  bool into_table_allowed = has_finding(&a.findings, RP_R_PE_AUTH_AFTER_CERTS);
  RP_FUZZ_ASSERT(a.range_count <= RP_PE_AUTH_MAX_RANGES);
  for (uint32_t i = 0; i < a.range_count; i++) {
    const rp_pe_range *r = &a.ranges[i];
    RP_FUZZ_ASSERT(r->length > 0 && r->offset <= len && r->length <= len - r->offset);
    RP_FUZZ_ASSERT(a.cert_size == 0 || into_table_allowed || r->offset + r->length <= a.cert_offset ||
                   r->offset >= a.cert_offset + a.cert_size);
    sum += r->length;
  }
  RP_FUZZ_ASSERT(sum == a.hashed_bytes);
  RP_FUZZ_ASSERT((a.cert_size == 0) == (a.cert_count == 0));
  check_certificates(img, &a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  rp_fuzz_config cfg;
  size_t len = rp_fuzz_begin(data, size, &cfg);
  uint8_t *file = rp_fuzz_dup(data, len);
  void *pool = NULL;
  rp_pe_image img, mimg;
  rp_pe_exports fe, me;
  rp_diag d, md;

  EFI_STATUS st = rp_pe_parse(rp_bytes_of(file, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &img, &d);
  if (EFI_ERROR(st)) {
    RP_FUZZ_ASSERT(d.reason != RP_R_NONE);
    goto out;
  }
  check_authenticode(&img);
  EFI_STATUS fst = one_layout(&img, &fe, &d, cfg.options);
  if ((cfg.options >> 16) & 1 || img.size_of_image > MAX_IMAGE) goto out;

  /* MAPPED: load into pool memory (the trailer's mask may fail it). */
  if (EFI_ERROR(rp_plat_alloc_pool(EfiBootServicesData, img.size_of_image + 2 * GUARD, &pool))) goto out;
  uint8_t *image = (uint8_t *)pool + GUARD;
  memset(pool, 0xA5, img.size_of_image + 2 * GUARD);
  RP_FUZZ_ASSERT(rp_pe_load(&img, rp_mbytes_of(image, img.size_of_image), &md) == EFI_SUCCESS);
  RP_FUZZ_ASSERT(rp_pe_parse(rp_bytes_of(image, img.size_of_image), RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT, &mimg, &md) == EFI_SUCCESS);
  EFI_STATUS mst = one_layout(&mimg, &me, &md, cfg.options);
  if (!EFI_ERROR(fst)) {
    RP_FUZZ_ASSERT(mst == EFI_SUCCESS);
    RP_FUZZ_ASSERT(fe.base == me.base && fe.num_functions == me.num_functions && fe.num_names == me.num_names &&
                   fe.functions_rva == me.functions_rva && fe.names_rva == me.names_rva &&
                   fe.ordinals_rva == me.ordinals_rva && fe.name_rva == me.name_rva &&
                   fe.names_sorted == me.names_sorted);
    uint32_t n = fe.num_names < MAX_CHECKED ? fe.num_names : MAX_CHECKED;
    for (uint32_t i = 0; i < n; i++) {
      rp_pe_export x, y;
      RP_FUZZ_ASSERT(rp_pe_export_at(&img, &fe, i, &x, &d) == EFI_SUCCESS);
      RP_FUZZ_ASSERT(rp_pe_export_at(&mimg, &me, i, &y, &md) == EFI_SUCCESS);
      RP_FUZZ_ASSERT(strcmp(x.name, y.name) == 0 && x.ordinal_index == y.ordinal_index && x.rva == y.rva &&
                     x.forwarder == y.forwarder);
    }
  } else if (d.reason == RP_R_PE_EXPORT_NONE) {
    RP_FUZZ_ASSERT(md.reason == RP_R_PE_EXPORT_NONE);
  }
  for (size_t i = 0; i < GUARD; i++) {
    RP_FUZZ_ASSERT(((uint8_t *)pool)[i] == 0xA5 && image[img.size_of_image + i] == 0xA5);
  }
  rp_plat_free_pool(pool);

out:
  RP_FUZZ_ASSERT(memcmp(file, data, len) == 0);
  free(file);
  rp_fuzz_end();
  return 0;
}
