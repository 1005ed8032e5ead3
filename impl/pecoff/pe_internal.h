/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Private helpers shared by the PE/COFF phases (impl/pecoff/). Not API.
 * docs/pecoff.md describes the rules, the record layouts and the policies.
 */
#ifndef RTPRM_PE_INTERNAL_H
#define RTPRM_PE_INTERNAL_H

#include "rtprm/pe.h"
#include "rtprm/spec/pecoff.h"

/* Offsets after e_lfanew (PE/COFF spec §3.2-§3.4). */
#define PE_SIG_SIZE        4u
#define PE_FILE_HDR_SIZE   20u
#define PE_OPT_OFF         (PE_SIG_SIZE + PE_FILE_HDR_SIZE)
#define PE_OPT32_FIXED     96u  /* PE32 optional header up to DataDirectory */
#define PE_OPT64_FIXED     112u /* PE32+ */
#define PE_SECTION_SIZE    40u

/* A finding (docs/pecoff.md §1): STRICT (and any profile but COMPAT)
 * rejects with `reason`; COMPAT records it in `fs` and the caller goes on. */
#define PE_FINDING_IN(profile, fs, diag, status, reason, index)            \
  do {                                                                      \
    if ((profile) != RP_PE_PROFILE_COMPAT) RP_REJECT(diag, status, reason, index); \
    rp_findings_add((fs), RP_R_##reason, (uint64_t)(index));                \
  } while (0)
/* A parse finding of `img`. */
#define PE_FINDING(img, diag, status, reason, index) \
  PE_FINDING_IN((img)->profile, &(img)->findings, diag, status, reason, index)

/* Word size of a supported machine: 32 or 64; 0 when unsupported. */
unsigned pe_machine_bits(uint16_t m);

/* pe_parse.c, shared with the TE header parser (pe_te.c): a section header
 * read at `off`; the checks of the section table (already in img), of the
 * relocation directory and of the entry point, in the PE check order. */
void pe_read_section(rp_bytes b, uint64_t off, rp_pe_section *s);
EFI_STATUS pe_check_sections(rp_bytes b, rp_pe_image *img, rp_diag *diag);
EFI_STATUS pe_check_reloc_dir(rp_pe_image *img, rp_diag *diag);
EFI_STATUS pe_check_entry(const rp_pe_image *img, rp_diag *diag);

/* pe_te.c: a TE image (bytes start with 'VZ') into img (layout, profile and
 * bytes already set). docs/pecoff.md §2.1. */
EFI_STATUS pe_parse_te(rp_bytes b, rp_pe_image *img, rp_diag *diag);

/* Effective virtual size of a section: VirtualSize, or SizeOfRawData when a
 * linker left VirtualSize 0 (PE/COFF spec §4: "zero-filled" otherwise). */
uint32_t pe_section_vsize(const rp_pe_section *s);

/* Bytes of the section raw data that are loaded: min(vsize, raw_size). */
uint32_t pe_section_loaded(const rp_pe_section *s);

/* Offset in img->bytes of the header ImageBase field. */
uint64_t pe_image_base_offset(const rp_pe_image *img);

/* The region (headers or one section) containing rva: offset of rva in
 * img->bytes and bytes available up to the region's end in that layout. */
bool pe_rva_span(const rp_pe_image *img, uint32_t rva, uint64_t *off, uint64_t *avail);

/* ---- relocation (pe_reloc.c, pe_site.c; used by pe_runtime.c) ----------- */

typedef enum {
  PK_ABS = 0,
  PK_HIGH,
  PK_LOW,
  PK_HIGHLOW,
  PK_DIR64,
  PK_MOV32T,  /* Thumb-2 MOVW/MOVT pair, 8 bytes */
  PK_MOV32A,  /* ARM MOVW/MOVT pair, 8 bytes */
  PK_HI20,    /* RISC-V LUI */
  PK_LO12I,   /* RISC-V I-type */
  PK_LO12S,   /* RISC-V S-type */
  PK_MARK_LA, /* LoongArch lu12i.w/ori/lu32i.d/lu52i.d, 16 bytes */
} pe_rkind;

#define PE_SITE_MAX 16u

/* Native record (docs/pecoff.md §5.2): u32 directory RVA, u32 size, then one
 * u64 slot per directory halfword; the entry at directory offset o owns the
 * slot at 8 + 4 * o. */
#define PE_NATIVE_HDR 8u
static inline uint64_t pe_native_slot(uint32_t dir_off) { return PE_NATIVE_HDR + 4ull * dir_off; }
static inline uint64_t pe_native_size(uint32_t dir_size) { return PE_NATIVE_HDR + 4ull * dir_size; }

/* pe_site.c: new bytes of a non-RISC-V site (false on a wrong instruction
 * opcode); the LoongArch value; RISC-V opcode checks and the re-split of a
 * HI20/LO12 pair for a delta (false when lui cannot reach the result). */
bool pe_site_patch(pe_rkind k, const uint8_t *cur, uint64_t delta, uint8_t *out);
uint64_t pe_la_value(const uint8_t *p);
bool pe_rv_hi_ok(uint32_t insn);
bool pe_rv_lo_ok(pe_rkind k, uint32_t insn);
bool pe_rv_pair(pe_rkind k, uint32_t hi, uint32_t lo, uint64_t delta, uint32_t *hi_out, uint32_t *lo_out);

/* The relocation directory bytes inside `bytes` laid out as `layout` (FILE:
 * through the section raw data, MAPPED: at the RVA). */
EFI_STATUS pe_reloc_dir_view(const rp_pe_image *img, rp_bytes bytes, rp_pe_layout layout, rp_bytes *dir,
                             rp_diag *diag);

/* EDK II format: bytes our cursor layout consumes for the directory found in
 * `bytes` (laid out as `layout`). */
EFI_STATUS pe_edk2_need(const rp_pe_image *img, rp_bytes bytes, rp_pe_layout layout, uint64_t *need,
                        rp_diag *diag);

/* What one walk of the directory does (docs/pecoff.md §4.2):
 * SIZE      structural checks and the EDK II cursor only (no image access);
 * VALIDATE  pass 1: also the site-content checks, nothing written;
 * APPLY     pass 2: sites patched, record written (load) or compared
 *           (runtime); cannot fail once VALIDATE succeeded on the same bytes. */
typedef enum { PE_RUN_SIZE, PE_RUN_VALIDATE, PE_RUN_APPLY } pe_run_mode;

/* One relocation run over a mapped image: load time (record written) or
 * runtime (record compared, unchanged sites only). */
/* The counters of one walk; the public stats (rp_pe_reloc_stats,
 * rp_pe_rerelocate_stats) are filled from them and `findings` once, at the
 * end, so a run on the OS's stack holds one findings list, not three. */
typedef struct pe_rcount {
  uint64_t blocks, entries, by_type[16]; /* load time */
  uint64_t applied, skipped;             /* runtime */
} pe_rcount;

/* What a run works on: set by pe_run_setup and the path's own setup, then
 * fixed for every walk of the run. */
typedef struct pe_rcfg {
  const rp_pe_image *img;
  rp_mbytes image;  /* exactly size_of_image bytes (SIZE: may be empty) */
  rp_bytes dir;     /* relocation directory */
  uint64_t delta;
  rp_fixup_format fmt;
  bool runtime;      /* SetVirtualAddressMap: compare against rec_in */
  rp_mbytes rec_out; /* load time, APPLY: record written here */
  rp_bytes rec_in;   /* runtime: the record compared against */
} pe_rcfg;

/* RISC-V: the HI20 (AUIPC/LUI) of the current block that LO12 entries pair
 * with (pe_site.c). */
typedef struct pe_rv_hi {
  bool valid, match, new_set;
  uint32_t target, insn, value;
  uint64_t rec;
} pe_rv_hi;

/* What one walk (pe_reloc_run) changes: reset at its start. */
typedef struct pe_rpass {
  pe_run_mode mode;
  uint64_t cursor;     /* EDK II record cursor: after the walk, bytes consumed */
  EFI_STATUS deferred; /* VALIDATE: first site-content error (§4.2 precedence) */
  rp_diag deferred_diag;
  pe_rv_hi hi;
  pe_rcount n; /* counters of this walk */
} pe_rpass;

typedef struct pe_rrun {
  pe_rcfg c;             /* configuration */
  pe_rpass p;            /* per-walk state */
  rp_findings *findings; /* the run's one list, caller-owned (NULL: not kept): setup and pass 1 */
} pe_rrun;

/* Walks the directory in `mode`. Structural errors stop the walk; in
 * VALIDATE the first site-content error is returned after the whole
 * directory passed the structural checks (the caller may check the record
 * size in between: pe_reloc_finish). */
EFI_STATUS pe_reloc_run(pe_rrun *r, pe_run_mode mode, rp_diag *diag);

/* The setup both relocation paths share (rp_pe_relocate at load time,
 * rp_pe_runtime_relocate at SetVirtualAddressMap): the new base and the move
 * checked (the run's findings go to `list`, which starts as a copy of
 * `start` when given, empty otherwise; a NULL list keeps none: a STRICT
 * profile still rejects every finding), the run bound to
 * the image (SizeOfImage bytes: the caller proved image.len covers them) and
 * to its relocation directory. The caller adds what its path needs. */
EFI_STATUS pe_run_setup(pe_rrun *r, const rp_pe_image *img, rp_mbytes image, uint64_t new_base, rp_fixup_format fmt,
                        rp_findings *list, const rp_findings *start, rp_diag *diag);

/* The deferred site-content error of a VALIDATE run, if any. */
EFI_STATUS pe_reloc_finish(const pe_rrun *r, rp_diag *diag);

/* The record must not overlap the image it describes: a record write (load
 * time) or a site write (runtime) would change what pass 1 validated. */
EFI_STATUS pe_check_record_apart(rp_mbytes image, const void *rec, size_t rec_len, rp_diag *diag);

/* Reads / writes the header ImageBase of a mapped image. */
uint64_t pe_read_base(const rp_pe_image *img, rp_bytes image);
void pe_write_base(const rp_pe_image *img, rp_mbytes image, uint64_t base);

/* new_base is SectionAlignment-aligned (TE: a whole-page move) and the
 * image fits below 2^64 (32-bit machines: 4 GiB) at it. */
EFI_STATUS pe_check_new_base(const rp_pe_image *img, uint64_t new_base, rp_diag *diag);

/* Moving (delta != 0) an image marked RELOCS_STRIPPED is rejected; a PE
 * image without a relocation directory moves with the finding
 * PE_RELOCS_ABSENT (recorded in fs, or rejected under STRICT). */
EFI_STATUS pe_check_movable(const rp_pe_image *img, uint64_t delta, rp_findings *fs, rp_diag *diag);

#endif /* RTPRM_PE_INTERNAL_H */
