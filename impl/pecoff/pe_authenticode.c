/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Authenticode digest ranges and the attribute certificate table of a PE
 * file (rtprm/pe.h; docs/pecoff.md §9). The ranges follow "Calculating the
 * PE Image Hash" of the Authenticode PE format document step by step,
 * including its trailing-data rule (FileSize - CertificateTableSize -
 * SUM_OF_BYTES_HASHED bytes at offset SUM_OF_BYTES_HASHED), which is what
 * firmware hashes; where that rule and the file's real layout disagree
 * (gaps, data after the table) the result carries a finding.
 */
#include "pe_internal.h"
#include "rtprm/mem.h"
#include "rtprm/overflow.h"

/* CheckSum sits at optional-header offset 64 in PE32 and PE32+ (§3.4.2). */
#define PE_OPT_CHECKSUM 64u
/* Header bytes the digest leaves out: CheckSum, and the certificate table's
 * directory entry when the optional header has one. */
#define PE_AUTH_HEADER_SKIPPED(img) ((img)->num_rva_and_sizes > IMAGE_DIRECTORY_ENTRY_SECURITY ? 12u : 4u)

static void add_range(rp_pe_authenticode *a, uint64_t start, uint64_t end) {
  if (end <= start) return;
  a->ranges[a->range_count].offset = start;
  a->ranges[a->range_count].length = end - start;
  a->range_count++;
  a->hashed_bytes += end - start;
}

/* Steps 1-5: the headers up to SizeOfHeaders, less CheckSum and, when the
 * optional header has it, the certificate table's directory entry. */
static void header_ranges(const rp_pe_image *img, rp_pe_authenticode *a) {
  uint64_t opt = (uint64_t)img->pe_offset + PE_OPT_OFF;
  uint64_t cks = opt + PE_OPT_CHECKSUM;
  uint64_t dir4 = opt + (img->pe32plus ? PE_OPT64_FIXED : PE_OPT32_FIXED) + 8u * IMAGE_DIRECTORY_ENTRY_SECURITY;
  add_range(a, 0, cks);
  if (img->num_rva_and_sizes > IMAGE_DIRECTORY_ENTRY_SECURITY) {
    add_range(a, cks + 4u, dir4);
    add_range(a, dir4 + 8u, img->size_of_headers);
  } else {
    add_range(a, cks + 4u, img->size_of_headers);
  }
}

/* Section indices with raw data, by PointerToRawData (stable insertion sort:
 * at most RP_PE_MAX_SECTIONS entries). */
static uint32_t sections_in_file_order(const rp_pe_image *img, uint16_t *order) {
  uint32_t n = 0;
  for (uint16_t i = 0; i < img->num_sections; i++) {
    if (img->sections[i].raw_size == 0) continue;
    uint32_t j = n++;
    while (j > 0 && img->sections[order[j - 1]].raw_offset > img->sections[i].raw_offset) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = i;
  }
  return n;
}

/* Step 6 (sections in file order); returns the end of the furthest data
 * and notes a gap the digest does not cover. */
static EFI_STATUS section_ranges(const rp_pe_image *img, rp_pe_authenticode *a, uint64_t *data_end,
                                 rp_diag *diag) {
  uint16_t order[RP_PE_MAX_SECTIONS];
  uint32_t n = sections_in_file_order(img, order);
  uint64_t end = img->size_of_headers;
  for (uint32_t k = 0; k < n; k++) {
    const rp_pe_section *s = &img->sections[order[k]];
    uint64_t s_end = (uint64_t)s->raw_offset + s->raw_size;
    if (s->raw_offset > end) PE_FINDING_IN(img->profile, &a->findings, diag, EFI_SECURITY_VIOLATION, PE_AUTH_GAP, order[k]);
    add_range(a, s->raw_offset, s_end);
    if (s_end > end) end = s_end;
  }
  *data_end = end;
  return EFI_SUCCESS;
}

/* The WIN_CERTIFICATE at `off` inside the table [.., end): its dwLength is
 * at least its 8-byte header and ends inside the table. Both walks (counting
 * and lookup) step with it; the lookup may be handed a result of another
 * image, so every read is checked here too. */
static bool cert_entry(rp_bytes b, uint64_t off, uint64_t end, uint32_t *len) {
  return off <= end && end - off >= RP_WIN_CERT_HEADER && rp_read_u32(b, off, len) && *len >= RP_WIN_CERT_HEADER &&
         *len <= end - off;
}

/* The next entry starts at the following 8-byte boundary (PE/COFF §4.1). */
static uint64_t next_entry(uint64_t off, uint32_t len) { return (off + len + 7u) & ~(uint64_t)7u; }

static EFI_STATUS walk_certificates(rp_bytes b, uint64_t off, uint64_t end, uint32_t *count, rp_diag *diag) {
  uint32_t n = 0;
  for (uint32_t len = 0; off < end; off = next_entry(off, len), n++) {
    if (!cert_entry(b, off, end, &len)) RP_REJECT(diag, EFI_SECURITY_VIOLATION, PE_AUTH_CERT_ENTRY, off);
  }
  *count = n;
  return EFI_SUCCESS;
}

/* The certificate table (directory 4 holds a file offset, §4): inside the
 * file, after all hashed header and section data. */
static EFI_STATUS cert_table(const rp_pe_image *img, rp_pe_authenticode *a, uint64_t data_end, rp_diag *diag) {
  const rp_pe_dir *d = &img->dirs[IMAGE_DIRECTORY_ENTRY_SECURITY];
  uint64_t end = (uint64_t)d->rva + d->size;
  if (d->size == 0) return EFI_SUCCESS;
  if (end > img->bytes.len) RP_REJECT(diag, EFI_SECURITY_VIOLATION, PE_AUTH_CERT_RANGE, d->rva);
  if (d->rva < data_end) RP_REJECT(diag, EFI_SECURITY_VIOLATION, PE_AUTH_CERT_OVERLAP, d->rva);
  EFI_STATUS s = walk_certificates(img->bytes, d->rva, end, &a->cert_count, diag);
  if (EFI_ERROR(s)) return s;
  if ((d->rva & 7u) != 0)
    PE_FINDING_IN(img->profile, &a->findings, diag, EFI_SECURITY_VIOLATION, PE_AUTH_CERT_ALIGN, d->rva);
  if (end < img->bytes.len)
    PE_FINDING_IN(img->profile, &a->findings, diag, EFI_SECURITY_VIOLATION, PE_AUTH_AFTER_CERTS, end);
  a->cert_offset = d->rva;
  a->cert_size = d->size;
  return EFI_SUCCESS;
}

EFI_STATUS rp_pe_authenticode_of(const rp_pe_image *img, rp_pe_authenticode *out, rp_diag *diag) {
  rp_pe_authenticode a; /* ~1.8 KiB: host tool and boot-time code only, never called at OS runtime */
  uint64_t data_end = 0, tail_end, sum;
  EFI_STATUS s;

  if (img == NULL || out == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  if (img->te || img->layout != RP_PE_LAYOUT_FILE) RP_REJECT(diag, EFI_UNSUPPORTED, PE_AUTH_FORMAT, RP_DIAG_NO_INDEX);
  rp_memset(&a, 0, sizeof(a));
  header_ranges(img, &a);
  s = section_ranges(img, &a, &data_end, diag);
  if (!EFI_ERROR(s)) s = cert_table(img, &a, data_end, diag);
  if (EFI_ERROR(s)) return s;
  /* Step 7, the document's rule: SUM_OF_BYTES_HASHED starts at SizeOfHeaders
   * (the header bytes left out above are counted) plus every section's
   * SizeOfRawData; the rest of the file before the certificate table
   * follows. */
  tail_end = img->bytes.len - a.cert_size;
  sum = a.hashed_bytes + PE_AUTH_HEADER_SKIPPED(img);
  if (tail_end > sum) add_range(&a, sum, tail_end);
  *out = a;
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}

EFI_STATUS rp_pe_certificate_at(const rp_pe_image *img, const rp_pe_authenticode *a, uint32_t i,
                                rp_pe_certificate *out, rp_diag *diag) {
  uint64_t off, end;
  if (img == NULL || a == NULL || out == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  if (i >= a->cert_count) RP_REJECT(diag, EFI_NOT_FOUND, PE_AUTH_CERT_INDEX, i);
  off = a->cert_offset;
  end = a->cert_offset + a->cert_size;
  for (uint32_t k = 0;; k++) {
    uint32_t len = 0;
    uint16_t rev = 0, type = 0;
    if (!cert_entry(img->bytes, off, end, &len))
      RP_REJECT(diag, EFI_SECURITY_VIOLATION, PE_AUTH_CERT_ENTRY, off); /* `a` not of this image */
    if (k == i) {
      (void)rp_read_u16(img->bytes, off + 4, &rev);
      (void)rp_read_u16(img->bytes, off + 6, &type);
      out->offset = off;
      out->length = len;
      out->revision = rev;
      out->type = type;
      out->data = rp_bytes_of(img->bytes.ptr + off + RP_WIN_CERT_HEADER, len - RP_WIN_CERT_HEADER);
      rp_diag_clear(diag);
      return EFI_SUCCESS;
    }
    off = next_entry(off, len);
  }
}
