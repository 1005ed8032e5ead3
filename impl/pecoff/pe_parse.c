/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * rp_pe_parse: DOS header, PE signature, COFF header, optional header,
 * section table, data directories; TE headers in pe_te.c. Nothing is
 * written but *img, and only on success. Rule order and rationale:
 * docs/pecoff.md §2; findings and profiles: §1.
 */
#include "pe_internal.h"

#include "rtprm/mem.h"
#include "rtprm/overflow.h"

#define DOS_HDR_SIZE 64u

uint32_t pe_section_vsize(const rp_pe_section *s) { return s->virtual_size != 0 ? s->virtual_size : s->raw_size; }

uint32_t pe_section_loaded(const rp_pe_section *s) {
  uint32_t v = pe_section_vsize(s);
  return s->raw_size < v ? s->raw_size : v;
}

uint64_t pe_image_base_offset(const rp_pe_image *img) {
  /* PE/COFF spec §3.4.2: ImageBase at optional-header offset 28 (PE32, u32)
   * or 24 (PE32+, u64); TE: a u64 at header offset 8 (PI Vol 1 §15.3). */
  if (img->te) return offsetof(EFI_TE_IMAGE_HEADER, ImageBase);
  return (uint64_t)img->pe_offset + PE_OPT_OFF + (img->pe32plus ? 24u : 28u);
}

static bool is_pow2(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

unsigned pe_machine_bits(uint16_t m) {
  switch (m) {
  case IMAGE_FILE_MACHINE_I386:
  case IMAGE_FILE_MACHINE_ARM:
  case IMAGE_FILE_MACHINE_ARMTHUMB_MIXED:
  case IMAGE_FILE_MACHINE_ARMNT:
    return 32;
  case IMAGE_FILE_MACHINE_AMD64:
  case IMAGE_FILE_MACHINE_ARM64:
  case IMAGE_FILE_MACHINE_RISCV64:
  case IMAGE_FILE_MACHINE_LOONGARCH64:
    return 64;
  default:
    return 0;
  }
}

/* Parse-local state beyond what rp_pe_image keeps. */
typedef struct {
  uint64_t opt_off;   /* optional header offset */
  uint16_t opt_size;  /* SizeOfOptionalHeader */
  uint64_t sect_off;  /* section table offset */
} hdr_pos;

static EFI_STATUS parse_dos(rp_bytes b, rp_pe_image *img, rp_diag *diag) {
  uint16_t magic;
  uint32_t lfanew;
  uint64_t end;
  if (b.len < DOS_HDR_SIZE) RP_REJECT(diag, EFI_LOAD_ERROR, PE_TOO_SMALL, RP_DIAG_NO_INDEX);
  (void)rp_read_u16(b, 0, &magic);
  if (magic != IMAGE_DOS_SIGNATURE) RP_REJECT(diag, EFI_LOAD_ERROR, PE_DOS_MAGIC, 0);
  (void)rp_read_u32(b, IMAGE_DOS_LFANEW_OFFSET, &lfanew);
  /* §3.1: signature + COFF header after the DOS header, inside the buffer. */
  if (lfanew < DOS_HDR_SIZE || !rp_add_u64(lfanew, PE_OPT_OFF, &end) || end > b.len)
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_LFANEW_RANGE, IMAGE_DOS_LFANEW_OFFSET);
  img->pe_offset = lfanew;
  return EFI_SUCCESS;
}

static EFI_STATUS parse_coff(rp_bytes b, rp_pe_image *img, hdr_pos *pos, rp_diag *diag) {
  uint64_t fh = (uint64_t)img->pe_offset + PE_SIG_SIZE;
  uint32_t sig;
  (void)rp_read_u32(b, img->pe_offset, &sig);
  if (sig != IMAGE_NT_SIGNATURE) RP_REJECT(diag, EFI_LOAD_ERROR, PE_SIGNATURE, img->pe_offset);
  (void)rp_read_u16(b, fh + offsetof(IMAGE_FILE_HEADER, Machine), &img->machine);
  (void)rp_read_u16(b, fh + offsetof(IMAGE_FILE_HEADER, NumberOfSections), &img->num_sections);
  (void)rp_read_u16(b, fh + offsetof(IMAGE_FILE_HEADER, SizeOfOptionalHeader), &pos->opt_size);
  (void)rp_read_u16(b, fh + offsetof(IMAGE_FILE_HEADER, Characteristics), &img->characteristics);
  if (pe_machine_bits(img->machine) == 0) RP_REJECT(diag, EFI_UNSUPPORTED, PE_MACHINE, img->machine);
  /* §3.3: the Windows loader limits NumberOfSections to 96. */
  if (img->num_sections == 0 || img->num_sections > RP_PE_MAX_SECTIONS)
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_SECTION_COUNT, img->num_sections);
  pos->opt_off = fh + PE_FILE_HDR_SIZE;
  pos->sect_off = pos->opt_off + pos->opt_size; /* < 2^33: no overflow */
  return EFI_SUCCESS;
}

/* Magic, word size, NumberOfRvaAndSizes and SizeOfOptionalHeader (§3.4). */
static EFI_STATUS parse_opt_shape(rp_bytes b, rp_pe_image *img, const hdr_pos *pos, rp_diag *diag) {
  uint16_t magic;
  uint32_t fixed, n;
  if (pos->opt_size < 2 || pos->sect_off > b.len) RP_REJECT(diag, EFI_LOAD_ERROR, PE_OPT_HDR_SIZE, pos->opt_size);
  (void)rp_read_u16(b, pos->opt_off, &magic);
  if (magic != IMAGE_NT_OPTIONAL_HDR32_MAGIC && magic != IMAGE_NT_OPTIONAL_HDR64_MAGIC)
    RP_REJECT(diag, EFI_UNSUPPORTED, PE_OPT_MAGIC, magic);
  img->pe32plus = magic == IMAGE_NT_OPTIONAL_HDR64_MAGIC;
  if ((pe_machine_bits(img->machine) == 64) != img->pe32plus)
    RP_REJECT(diag, EFI_UNSUPPORTED, PE_MAGIC_MACHINE, magic);
  fixed = img->pe32plus ? PE_OPT64_FIXED : PE_OPT32_FIXED;
  if (pos->opt_size < fixed) RP_REJECT(diag, EFI_LOAD_ERROR, PE_OPT_HDR_SIZE, pos->opt_size);
  (void)rp_read_u32(b, pos->opt_off + fixed - 4, &n);
  /* Uniform rule: directories 0..n-1 exist, the rest are absent (no EDK II
   * "< 5" / "> 5" asymmetry). */
  if (n > RP_PE_NUM_DIRS) RP_REJECT(diag, EFI_UNSUPPORTED, PE_NUM_RVA_SIZES, n);
  if (pos->opt_size < fixed + 8u * n) RP_REJECT(diag, EFI_LOAD_ERROR, PE_OPT_HDR_SIZE, pos->opt_size);
  img->num_rva_and_sizes = n;
  return EFI_SUCCESS;
}

static void read_opt_fields(rp_bytes b, rp_pe_image *img, uint64_t o) {
  uint32_t base32 = 0;
  (void)rp_read_u32(b, o + 16, &img->entry_rva);
  if (img->pe32plus) {
    (void)rp_read_u64(b, o + 24, &img->image_base);
  } else {
    (void)rp_read_u32(b, o + 28, &base32);
    img->image_base = base32;
  }
  (void)rp_read_u32(b, o + 32, &img->section_alignment);
  (void)rp_read_u32(b, o + 36, &img->file_alignment);
  (void)rp_read_u16(b, o + 44, &img->major_image_version);
  (void)rp_read_u16(b, o + 46, &img->minor_image_version);
  (void)rp_read_u32(b, o + 56, &img->size_of_image);
  (void)rp_read_u32(b, o + 60, &img->size_of_headers);
  (void)rp_read_u16(b, o + 68, &img->subsystem);
  (void)rp_read_u16(b, o + 70, &img->dll_characteristics);
}

/* Alignments, ImageBase, SizeOfImage, SizeOfHeaders (§3.4.2). */
static EFI_STATUS parse_sizes(rp_bytes b, rp_pe_image *img, const hdr_pos *pos, rp_diag *diag) {
  rp_pe_layout layout = img->layout;
  uint64_t table_end = pos->sect_off + (uint64_t)img->num_sections * PE_SECTION_SIZE;
  if (!is_pow2(img->section_alignment) || !is_pow2(img->file_alignment) ||
      img->file_alignment > img->section_alignment)
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_ALIGNMENT, RP_DIAG_NO_INDEX);
  /* Findings: the mapping never depends on these (an execute-in-place
   * SecMain has its flash address as ImageBase; objcopy-made images end
   * SizeOfImage with the last section). */
  if (!rp_is_aligned_u64(img->image_base, img->section_alignment))
    PE_FINDING(img, diag, EFI_LOAD_ERROR, PE_IMAGE_BASE_ALIGN, RP_DIAG_NO_INDEX);
  if (img->size_of_image == 0) RP_REJECT(diag, EFI_LOAD_ERROR, PE_SIZE_OF_IMAGE, img->size_of_image);
  if (!rp_is_aligned_u64(img->size_of_image, img->section_alignment))
    PE_FINDING(img, diag, EFI_LOAD_ERROR, PE_SIZE_OF_IMAGE_ALIGN, img->size_of_image);
  if (img->size_of_headers < table_end || img->size_of_headers > img->size_of_image ||
      (layout == RP_PE_LAYOUT_FILE && img->size_of_headers > b.len))
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_SIZE_OF_HEADERS, img->size_of_headers);
  if (layout == RP_PE_LAYOUT_MAPPED && b.len < img->size_of_image)
    RP_REJECT(diag, EFI_BUFFER_TOO_SMALL, PE_MAPPED_SIZE, b.len);
  return EFI_SUCCESS;
}

void pe_read_section(rp_bytes b, uint64_t off, rp_pe_section *s) {
  rp_memset(s->name, 0, sizeof(s->name));
  (void)rp_read_bytes(b, off, s->name, IMAGE_SIZEOF_SHORT_NAME);
  (void)rp_read_u32(b, off + offsetof(IMAGE_SECTION_HEADER, VirtualSize), &s->virtual_size);
  (void)rp_read_u32(b, off + offsetof(IMAGE_SECTION_HEADER, VirtualAddress), &s->virtual_address);
  (void)rp_read_u32(b, off + offsetof(IMAGE_SECTION_HEADER, SizeOfRawData), &s->raw_size);
  (void)rp_read_u32(b, off + offsetof(IMAGE_SECTION_HEADER, PointerToRawData), &s->raw_offset);
  (void)rp_read_u32(b, off + offsetof(IMAGE_SECTION_HEADER, Characteristics), &s->characteristics);
}

/* One section against the image, the file and its predecessor (§4). A
 * VirtualAddress off the SectionAlignment grid is a finding (the section is
 * still mapped at its VirtualAddress: systemd-boot's .sbat, gnu-efi images);
 * TE images have no SectionAlignment. */
static EFI_STATUS check_section(rp_bytes b, rp_pe_image *img, uint32_t i, uint64_t prev_end, rp_diag *diag) {
  const rp_pe_section *s = &img->sections[i];
  uint64_t vend = (uint64_t)s->virtual_address + pe_section_vsize(s);
  uint64_t rend = (uint64_t)s->raw_offset + s->raw_size;
  if (s->virtual_address < img->size_of_headers) RP_REJECT(diag, EFI_LOAD_ERROR, PE_SECTION_OVER_HEADERS, i);
  if (s->virtual_address < prev_end) RP_REJECT(diag, EFI_LOAD_ERROR, PE_SECTION_ORDER, i);
  if (vend > img->size_of_image) RP_REJECT(diag, EFI_LOAD_ERROR, PE_SECTION_RANGE, i);
  if (img->layout == RP_PE_LAYOUT_FILE && s->raw_size != 0 && rend > b.len)
    RP_REJECT(diag, EFI_LOAD_ERROR, PE_SECTION_RAW_RANGE, i);
  /* Policy (docs/pecoff.md): W^X. */
  if ((s->characteristics & IMAGE_SCN_MEM_WRITE) != 0 && (s->characteristics & IMAGE_SCN_MEM_EXECUTE) != 0)
    RP_REJECT(diag, EFI_SECURITY_VIOLATION, PE_SECTION_WX, i);
  if (!img->te && !rp_is_aligned_u64(s->virtual_address, img->section_alignment))
    PE_FINDING(img, diag, EFI_LOAD_ERROR, PE_SECTION_ALIGN, i);
  return EFI_SUCCESS;
}

EFI_STATUS pe_check_sections(rp_bytes b, rp_pe_image *img, rp_diag *diag) {
  uint64_t prev_end = 0;
  for (uint32_t i = 0; i < img->num_sections; i++) {
    EFI_STATUS st = check_section(b, img, i, prev_end, diag);
    if (EFI_ERROR(st)) return st;
    prev_end = (uint64_t)img->sections[i].virtual_address + pe_section_vsize(&img->sections[i]);
  }
  return EFI_SUCCESS;
}

static EFI_STATUS parse_sections(rp_bytes b, rp_pe_image *img, const hdr_pos *pos, rp_diag *diag) {
  for (uint32_t i = 0; i < img->num_sections; i++)
    pe_read_section(b, pos->sect_off + (uint64_t)i * PE_SECTION_SIZE, &img->sections[i]);
  return pe_check_sections(b, img, diag);
}

/* Data directories (§3.4.3): inside SizeOfImage without wrap. The
 * certificate table (index 4) holds a file offset, not an RVA: not mapped,
 * not checked here. */
static EFI_STATUS parse_dirs(rp_bytes b, rp_pe_image *img, const hdr_pos *pos, rp_diag *diag) {
  uint64_t d0 = pos->opt_off + (img->pe32plus ? PE_OPT64_FIXED : PE_OPT32_FIXED);
  for (uint32_t i = 0; i < RP_PE_NUM_DIRS; i++) {
    rp_pe_dir *d = &img->dirs[i];
    d->rva = 0;
    d->size = 0;
    if (i >= img->num_rva_and_sizes) continue;
    (void)rp_read_u32(b, d0 + 8u * i, &d->rva);
    (void)rp_read_u32(b, d0 + 8u * i + 4, &d->size);
    if (d->size == 0 || i == IMAGE_DIRECTORY_ENTRY_SECURITY) continue;
    if ((uint64_t)d->rva + d->size > img->size_of_image) RP_REJECT(diag, EFI_LOAD_ERROR, PE_DIR_RANGE, i);
  }
  return pe_check_reloc_dir(img, diag);
}

/* The relocation directory holds at least one block header and lies past
 * the headers (§5.6); an RVA that is not 4-aligned is a finding (the walk
 * reads it byte by byte). Parse rules, so load time and the runtime re-parse
 * apply them identically. */
EFI_STATUS pe_check_reloc_dir(rp_pe_image *img, rp_diag *diag) {
  const rp_pe_dir *r = &img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC];
  if (r->size == 0) return EFI_SUCCESS;
  if (r->size < sizeof(IMAGE_BASE_RELOCATION)) RP_REJECT(diag, EFI_LOAD_ERROR, PE_RELOC_DIR_SIZE, r->size);
  if (r->rva < img->size_of_headers) RP_REJECT(diag, EFI_LOAD_ERROR, PE_DIR_RANGE, IMAGE_DIRECTORY_ENTRY_BASERELOC);
  if ((r->rva & 3u) != 0) PE_FINDING(img, diag, EFI_LOAD_ERROR, PE_RELOC_DIR_ALIGN, r->rva);
  return EFI_SUCCESS;
}

/* §3.4.1: the entry point lies in an executable section. 0 is accepted only
 * for DLLs, where the spec makes the entry point optional ("must be zero"
 * when absent): PRM modules linked with /noentry. */
EFI_STATUS pe_check_entry(const rp_pe_image *img, rp_diag *diag) {
  if (img->entry_rva == 0 && (img->characteristics & IMAGE_FILE_DLL) != 0) return EFI_SUCCESS;
  for (uint32_t i = 0; i < img->num_sections; i++) {
    const rp_pe_section *s = &img->sections[i];
    uint64_t end = (uint64_t)s->virtual_address + pe_section_vsize(s);
    if (img->entry_rva >= s->virtual_address && img->entry_rva < end) {
      if ((s->characteristics & IMAGE_SCN_MEM_EXECUTE) != 0) return EFI_SUCCESS;
      break;
    }
  }
  RP_REJECT(diag, EFI_LOAD_ERROR, PE_ENTRY_RANGE, img->entry_rva);
}

static EFI_STATUS parse_pe(rp_bytes b, rp_pe_image *img, rp_diag *diag) {
  hdr_pos pos = { 0 };
  EFI_STATUS st = parse_dos(b, img, diag);
  if (!EFI_ERROR(st)) st = parse_coff(b, img, &pos, diag);
  if (!EFI_ERROR(st)) st = parse_opt_shape(b, img, &pos, diag);
  if (EFI_ERROR(st)) return st;
  read_opt_fields(b, img, pos.opt_off);
  st = parse_sizes(b, img, &pos, diag);
  if (!EFI_ERROR(st)) st = parse_sections(b, img, &pos, diag);
  if (!EFI_ERROR(st)) st = parse_dirs(b, img, &pos, diag);
  if (!EFI_ERROR(st)) st = pe_check_entry(img, diag);
  return st;
}

EFI_STATUS rp_pe_parse(rp_bytes bytes, rp_pe_layout layout, rp_pe_profile profile, rp_pe_image *img,
                       rp_diag *diag) {
  EFI_STATUS st;
  uint16_t magic = 0;
  if (img == NULL || (layout != RP_PE_LAYOUT_FILE && layout != RP_PE_LAYOUT_MAPPED))
    RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  if (profile != RP_PE_PROFILE_COMPAT && profile != RP_PE_PROFILE_STRICT)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, PE_PROFILE, profile);
  rp_memset(img, 0, sizeof(*img));
  rp_findings_clear(&img->findings);
  img->bytes = bytes;
  img->layout = layout;
  img->profile = profile;
  (void)rp_read_u16(bytes, 0, &magic);
  st = magic == EFI_TE_IMAGE_HEADER_SIGNATURE ? pe_parse_te(bytes, img, diag) : parse_pe(bytes, img, diag);
  if (EFI_ERROR(st)) {
    rp_memset(img, 0, sizeof(*img)); /* no partially filled context */
    return st;
  }
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}

/* ---- RVA mapping ---------------------------------------------------------- */

bool pe_rva_span(const rp_pe_image *img, uint32_t rva, uint64_t *off, uint64_t *avail) {
  if (img == NULL) return false;
  if (rva < img->size_of_headers) {
    *off = rva;
    *avail = img->size_of_headers - rva;
    return true;
  }
  /* A context altered after parsing may claim more sections than it holds. */
  uint32_t n = img->num_sections < RP_PE_MAX_SECTIONS ? img->num_sections : RP_PE_MAX_SECTIONS;
  for (uint32_t i = 0; i < n; i++) {
    const rp_pe_section *s = &img->sections[i];
    uint32_t delta = rva - s->virtual_address;
    bool mapped = img->layout == RP_PE_LAYOUT_MAPPED;
    uint32_t len = mapped ? pe_section_vsize(s) : pe_section_loaded(s);
    if (rva < s->virtual_address || delta >= len) continue;
    *off = mapped ? (uint64_t)rva : (uint64_t)s->raw_offset + delta;
    *avail = len - delta;
    return true;
  }
  return false;
}

bool rp_pe_rva_to_offset(const rp_pe_image *img, uint32_t rva, uint32_t len, uint64_t *offset) {
  uint64_t off, avail;
  if (offset == NULL) return false;
  if (len == 0) {
    /* An empty range needs only its start inside a region (or at rva 0). */
    if (!pe_rva_span(img, rva, &off, &avail)) return false;
  } else if (!pe_rva_span(img, rva, &off, &avail) || avail < len) {
    return false;
  }
  if (!rp_range_ok(img->bytes.len, off, len)) return false;
  *offset = off;
  return true;
}
