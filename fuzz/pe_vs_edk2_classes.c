/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * pe_vs_edk2: outcomes, and the divergence classes every disagreement
 * between our PE/COFF library and EDK II's BasePeCoffLib must fall into
 * (reports/anchors/edk2-differential.md; one reproducer per class in
 * corpus/anchors/pe_vs_edk2/).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pe_vs_edk2.h"
#include "rtprm/status.h"

void diff_outcome_init(diff_outcome *o) {
  memset(o, 0, sizeof(*o));
  o->cls = -1;
}

void diff_ours_failed(diff_outcome *o, diff_step step, uint32_t reason) {
  o->ours_failed = step;
  o->ours_reason = reason;
}

void diff_take_edk2(diff_outcome *o, const edk2_run *e, uint64_t x) {
  o->edk2_end = e->end;
  o->edk2_step = e->result.step;
  o->edk2_status = e->result.status;
  o->edk2_image_error = e->result.image_error;
  o->edk2_slack = e->slack_written;
  o->edk2_slack_at = e->slack_offset;
  o->edk2_record_overrun = e->record_overrun;
  o->edk2_signal = e->signal;
  o->edk2_fault_off = e->end == EDK2_FAULT ? (int64_t)(e->fault_addr - x) : 0;
  memcpy(o->edk2_report, e->report, sizeof(o->edk2_report));
  o->edk2_size = e->result.image_size;
  o->edk2_record_bytes = e->result.fixup_data_size;
}

bool diff_first(const uint8_t *a, const uint8_t *b, uint64_t n, uint64_t *at) {
  if (memcmp(a, b, n) == 0) return false;
  for (uint64_t i = 0; i < n; i++) {
    if (a[i] != b[i]) {
      *at = i;
      break;
    }
  }
  return true;
}

/* ---- facts about the file --------------------------------------------------- */

static uint32_t rd32(const uint8_t *f, size_t len, uint64_t off) {
  if (off + 4 > len) return 0;
  return (uint32_t)f[off] | (uint32_t)f[off + 1] << 8 | (uint32_t)f[off + 2] << 16 | (uint32_t)f[off + 3] << 24;
}
static uint16_t rd16(const uint8_t *f, size_t len, uint64_t off) {
  return off + 2 > len ? 0 : (uint16_t)(f[off] | f[off + 1] << 8);
}

typedef struct pe_view {
  uint64_t pe, opt, sect; /* file offsets: PE signature, optional header, section table */
  uint16_t nsect, opt_size, magic;
  uint32_t num_rva, size_of_image, size_of_headers;
} pe_view;

static uint32_t dir_field(const uint8_t *f, size_t len, const pe_view *v, unsigned i, unsigned field) {
  uint64_t dirs = v->opt + (v->magic == 0x20B ? 112 : 96);
  return i < v->num_rva ? rd32(f, len, dirs + 8ull * i + 4 * field) : 0;
}

/* A directory's file offset by EDK II's section walk (RVA inside
 * [VirtualAddress, VirtualAddress + VirtualSize)), or 0. */
static uint64_t dir_offset(const uint8_t *f, size_t len, const pe_view *v, unsigned dir) {
  uint32_t rva = dir_field(f, len, v, dir, 0);
  for (unsigned i = 0; i < v->nsect; i++) {
    uint64_t sh = v->sect + 40ull * i;
    uint32_t va = rd32(f, len, sh + 12), vs = rd32(f, len, sh + 8), raw = rd32(f, len, sh + 20);
    if (rva >= va && (uint64_t)rva < (uint64_t)va + vs) return (uint64_t)rva - va + raw;
  }
  return 0;
}

/* Where EDK II's loaded CodeView data would be read from: the file bytes at
 * the RVA's section offset (or FileOffset when RVA is 0). */
static void debug_facts(diff_outcome *o, const uint8_t *f, size_t len, const pe_view *v) {
  uint64_t off = dir_offset(f, len, v, 6);
  uint32_t size = dir_field(f, len, v, 6, 1);
  if (off == 0 || v->num_rva <= 6) return;
  for (uint64_t i = 0; i < size; i += 28) {
    if (off + i + 28 > len) {
      o->f_debug_entry_past_eof = true;
      return;
    }
    if (rd32(f, len, off + i + 12) != 2) continue; /* IMAGE_DEBUG_TYPE_CODEVIEW */
    uint32_t data_size = rd32(f, len, off + i + 16), data_rva = rd32(f, len, off + i + 20);
    uint32_t data_off = rd32(f, len, off + i + 24);
    uint64_t at = data_rva != 0 ? data_rva : data_off; /* an RVA in the headers maps 1:1 */
    if (data_rva != 0) {
      for (unsigned k = 0; k < v->nsect; k++) {
        uint64_t sh = v->sect + 40ull * k;
        uint32_t va = rd32(f, len, sh + 12), raw = rd32(f, len, sh + 20), rs = rd32(f, len, sh + 16);
        if (data_rva >= va && (uint64_t)data_rva < (uint64_t)va + rs) at = (uint64_t)data_rva - va + raw;
      }
    }
    uint32_t sig = rd32(f, len, at);
    uint32_t need = sig == 0x3031424E ? 16 : sig == 0x53445352 ? 24 : sig == 0x434F544D ? 20 : 0;
    o->f_codeview_small = need != 0 && data_size < need;
    return;
  }
}

/* EDK II computes every relocation entry's target address, ABSOLUTE pads
 * included, and refuses one past the image; the PE/COFF spec skips them. */
static void reloc_facts(diff_outcome *o, const uint8_t *f, size_t len, const pe_view *v) {
  uint64_t off = dir_offset(f, len, v, 5);
  uint64_t end = off + dir_field(f, len, v, 5, 1);
  if (off == 0 || v->num_rva <= 5) return;
  while (off + 8 <= end && off + 8 <= len) {
    uint32_t page = rd32(f, len, off), size = rd32(f, len, off + 4);
    if (size < 8) return;
    for (uint64_t e = off + 8; e + 2 <= off + size && e + 2 <= end && e + 2 <= len; e += 2) {
      uint16_t entry = rd16(f, len, e);
      if (entry >> 12 == 0 && (uint64_t)page + (entry & 0xFFF) >= v->size_of_image) o->f_absolute_past_image = true;
    }
    off += size;
  }
}

void diff_file_facts(diff_outcome *o, const uint8_t *f, size_t len) {
  if (len < 64 || f[0] != 'M' || f[1] != 'Z') return;
  pe_view v;
  v.pe = rd32(f, len, 60);
  o->f_te_at_lfanew = rd16(f, len, v.pe) == 0x5A56;
  v.opt = v.pe + 24;
  v.nsect = rd16(f, len, v.pe + 6);
  v.opt_size = rd16(f, len, v.pe + 20);
  v.magic = rd16(f, len, v.opt);
  v.sect = v.opt + v.opt_size;
  v.size_of_image = rd32(f, len, v.opt + 56);
  v.size_of_headers = rd32(f, len, v.opt + 60);
  v.num_rva = rd32(f, len, v.opt + (v.magic == 0x20B ? 108 : 92));
  o->f_short_header_read = v.pe + 264 > len;
  o->f_opt_size_not_exact = (uint32_t)v.opt_size - (v.magic == 0x20B ? 112u : 96u) != 8u * v.num_rva;
  uint64_t sect = v.sect;
  o->f_headers_room = v.size_of_image <= sect || (v.size_of_image - sect) / 40 <= v.nsect ||
                      v.size_of_headers <= sect || v.size_of_headers >= v.size_of_image ||
                      (v.size_of_headers - sect) / 40 < v.nsect;
  uint32_t cert_off = dir_field(f, len, &v, 4, 0), cert_size = dir_field(f, len, &v, 4, 1);
  o->f_cert_past_eof = v.num_rva > 4 && cert_size != 0 && (uint64_t)cert_off + cert_size > len;
  for (unsigned i = 0; i < v.nsect; i++) {
    uint64_t sh = v.sect + 40ull * i;
    if (rd32(f, len, sh + 16) > 0 && rd32(f, len, sh + 20) < v.size_of_headers) o->f_raw_in_headers = true;
  }
  o->f_resource_dir = v.num_rva > 2 && dir_field(f, len, &v, 2, 1) != 0;
  debug_facts(o, f, len, &v);
  reloc_facts(o, f, len, &v);
}

/* ---- facts the classes use ----------------------------------------------- */

static bool edk2_unsafe(const diff_outcome *o) {
  return o->edk2_end != EDK2_RAN || o->edk2_slack || o->edk2_record_overrun;
}
static bool edk2_ok(const diff_outcome *o) { return !edk2_unsafe(o) && o->edk2_step == EDK2REF_OK; }
static bool edk2_refused(const diff_outcome *o) { return !edk2_unsafe(o) && o->edk2_step != EDK2REF_OK; }
static bool ours_ok(const diff_outcome *o) { return o->ours_failed == DIFF_NONE; }
static bool ours_refused(const diff_outcome *o) {
  return o->ours_failed != DIFF_NONE && o->ours_failed != DIFF_SKIPPED;
}
static bool same_bytes(const diff_outcome *o) {
  return !o->sizes_differ && !o->image_diff && !o->record_diff && !o->image_base_diff;
}

/* ---- the classes ---------------------------------------------------------- */

static bool edk2_refused_at(const diff_outcome *o, int step) { return edk2_refused(o) && o->edk2_step == step; }
static bool ours_refused_at(const diff_outcome *o, diff_step step) { return o->ours_failed == step; }
static bool reason_in(uint32_t r, const uint32_t *set, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (set[i] == r) return true;
  return false;
}
#define IN(r, ...) reason_in((r), (const uint32_t[]){ __VA_ARGS__ }, sizeof((const uint32_t[]){ __VA_ARGS__ }) / 4)

/* ---- (a) EDK II defects ------------------------------------------------------- */

static bool a_edk2_unsafe_we_refuse(const diff_outcome *o) { return edk2_unsafe(o) && ours_refused(o); }

/* ---- (b) rules we apply and EDK II does not: EDK II loads safely ------------- */

static bool we_refuse_parse(const diff_outcome *o) { return ours_refused_at(o, DIFF_PARSE) && edk2_ok(o); }

static bool b_we_refuse_entry(const diff_outcome *o) { return we_refuse_parse(o) && o->ours_reason == RP_R_PE_ENTRY_RANGE; }
static bool b_we_refuse_wx(const diff_outcome *o) { return we_refuse_parse(o) && o->ours_reason == RP_R_PE_SECTION_WX; }
static bool b_we_refuse_dir_range(const diff_outcome *o) {
  return we_refuse_parse(o) && IN(o->ours_reason, RP_R_PE_DIR_RANGE, RP_R_PE_RELOC_DIR_SIZE);
}
static bool b_we_refuse_headers(const diff_outcome *o) {
  return we_refuse_parse(o) &&
         IN(o->ours_reason, RP_R_PE_ALIGNMENT, RP_R_PE_SECTION_OVER_HEADERS, RP_R_PE_SECTION_ORDER, RP_R_PE_SECTION_RANGE,
            RP_R_PE_SIZE_OF_HEADERS, RP_R_PE_SECTION_COUNT, RP_R_PE_SIZE_OF_IMAGE, RP_R_PE_OPT_HDR_SIZE,
            RP_R_PE_NUM_RVA_SIZES, RP_R_PE_MAGIC_MACHINE, RP_R_PE_LFANEW_RANGE, RP_R_PE_DOS_MAGIC, RP_R_PE_TOO_SMALL,
            RP_R_PE_SECTION_RAW_RANGE, RP_R_PE_TE_STRIPPED_SIZE, RP_R_PE_TE_IMAGE_BASE, RP_R_PE_IMAGE_BASE_ALIGN);
}
static bool b_we_refuse_relocations(const diff_outcome *o) {
  return ours_refused_at(o, DIFF_RELOCATE) && edk2_ok(o) &&
         IN(o->ours_reason, RP_R_PE_RELOC_DIR_TRAILING, RP_R_PE_RELOC_TARGET_HEADERS, RP_R_PE_RELOC_TARGET_RELOC_DIR,
            RP_R_PE_RELOC_BLOCK_ODD, RP_R_PE_RELOC_BLOCK_SMALL, RP_R_PE_RELOC_BLOCK_OVERRUN, RP_R_PE_RELOC_TYPE,
            RP_R_PE_RELOC_TYPE_UNSUPPORTED, RP_R_PE_RELOC_TARGET_RANGE, RP_R_PE_RELOC_PAGE_RANGE,
            RP_R_PE_RELOC_TARGET_ALIGN, RP_R_PE_RELOC_INSN, RP_R_PE_RELOC_PAIR, RP_R_PE_RELOC_VALUE_RANGE,
            RP_R_PE_RELOC_DIR_ALIGN, RP_R_PE_RELOCS_STRIPPED);
}

static bool b_we_refuse_te_after_dos(const diff_outcome *o) {
  return we_refuse_parse(o) && o->ours_reason == RP_R_PE_SIGNATURE && o->f_te_at_lfanew;
}
static bool b_we_refuse_new_base(const diff_outcome *o) {
  return (ours_refused_at(o, DIFF_RELOCATE) || ours_refused_at(o, DIFF_RUNTIME)) && edk2_ok(o) &&
         o->ours_reason == RP_R_PE_NEW_BASE;
}

/* ---- (b) rules EDK II applies and we do not: we load, EDK II refuses --------- */

static bool edk2_refuses_info(const diff_outcome *o) { return !ours_refused(o) && edk2_refused_at(o, EDK2REF_INFO); }

static bool b_edk2_short_header_read(const diff_outcome *o) { return edk2_refuses_info(o) && o->f_short_header_read; }
static bool b_edk2_opt_size_exact(const diff_outcome *o) { return edk2_refuses_info(o) && o->f_opt_size_not_exact; }
static bool b_edk2_headers_room(const diff_outcome *o) { return edk2_refuses_info(o) && o->f_headers_room; }
static bool b_edk2_cert_past_eof(const diff_outcome *o) { return edk2_refuses_info(o) && o->f_cert_past_eof; }
static bool b_edk2_raw_in_headers(const diff_outcome *o) { return edk2_refuses_info(o) && o->f_raw_in_headers; }
static bool b_edk2_debug_entry_past_eof(const diff_outcome *o) { return edk2_refuses_info(o) && o->f_debug_entry_past_eof; }
static bool b_edk2_codeview_small(const diff_outcome *o) {
  return !ours_refused(o) && edk2_refused_at(o, EDK2REF_LOAD) && o->f_codeview_small;
}
static bool b_edk2_resource_walk(const diff_outcome *o) {
  return !ours_refused(o) && edk2_refused_at(o, EDK2REF_LOAD) && o->edk2_image_error == 11 && o->f_resource_dir &&
         !o->f_codeview_small;
}
static bool b_edk2_absolute_entry_past_image(const diff_outcome *o) {
  return !ours_refused(o) && edk2_refused_at(o, EDK2REF_RELOCATE) && o->edk2_image_error == 9 &&
         o->f_absolute_past_image;
}
static bool b_machine_not_in_edk2_x64(const diff_outcome *o) {
  bool other = o->machine == 0x1C0 || o->machine == 0x1C2 || o->machine == 0x1C4 || o->machine == 0x5064 ||
               o->machine == 0x6264;
  return other && edk2_refuses_info(o);
}

/* ---- (b) both load; the results differ by policy ------------------------------ */

static bool b_runtime_image_base(const diff_outcome *o) {
  return ours_ok(o) && edk2_ok(o) && o->virt_base != 0 && !o->sizes_differ && !o->image_diff && !o->record_diff &&
         o->image_base_diff && o->ours_image_base == o->virt_base && o->edk2_image_base == o->x;
}

#define DOC_RULES "docs/pecoff.md §1-§2"
const diff_class diff_classes[] = {
  { "a-edk2-unsafe-we-refuse", 'a',
    "EDK II writes past SizeOfImage or its fixup record, faults or trips a sanitizer; we refuse the image",
    "docs/pecoff.md §8 (every offset, size and link checked before use)", a_edk2_unsafe_we_refuse },
  { "b-we-refuse-entry-point", 'b', "AddressOfEntryPoint outside every executable section: we refuse, EDK II loads",
    "docs/pecoff.md §1 (Entry point), §2", b_we_refuse_entry },
  { "b-we-refuse-wx", 'b', "a section both writable and executable: we refuse (W^X), EDK II loads",
    "docs/pecoff.md §1 (W^X)", b_we_refuse_wx },
  { "b-we-refuse-directory-range", 'b',
    "a data directory (any of them) outside SizeOfImage or wrapping: we refuse, EDK II loads (it reads only some)",
    "docs/pecoff.md §2 rule 10, §8", b_we_refuse_dir_range },
  { "b-we-refuse-header-rules", 'b',
    "a header or section-table rule EDK II does not check (alignment powers of two, sections sorted/disjoint/inside "
    "the image and the file, not over the headers, SizeOfHeaders, ...): we refuse, EDK II loads",
    "docs/pecoff.md §2", b_we_refuse_headers },
  { "b-we-refuse-relocations", 'b',
    "a relocation rule EDK II does not check (directory consumed exactly, targets clear of the headers and the "
    "directory, whole target inside the image, block sizes, types): we refuse, EDK II relocates",
    "docs/pecoff.md §1 (Relocation targets), §4, §8", b_we_refuse_relocations },
  { "b-we-refuse-te-after-dos-stub", 'b',
    "a TE header at e_lfanew behind an MZ header: EDK II's header walk takes it for a TE image, we refuse (a TE "
    "image starts with its header, PI Vol 1 §15)", "docs/pecoff.md §2 rule 1, §2.1", b_we_refuse_te_after_dos },
  { "b-we-refuse-new-base", 'b',
    "the load address or the runtime address is no legal base for the image: not SectionAlignment-aligned, or "
    "for a TE image not a whole-page move (AArch64 ADRP pairs keep their page offset); we refuse, EDK II moves it",
    "docs/pecoff.md §1 (New base)", b_we_refuse_new_base },
  { "b-edk2-short-header-read", 'b',
    "fewer than 264 bytes from e_lfanew: EDK II reads a whole PE32+ header union and refuses a short read; we read "
    "what the headers declare", "docs/pecoff.md §8", b_edk2_short_header_read },
  { "b-edk2-optional-header-size", 'b',
    "SizeOfOptionalHeader larger than NumberOfRvaAndSizes needs: EDK II demands equality, we accept (PE/COFF §3.4)",
    "docs/pecoff.md §8", b_edk2_opt_size_exact },
  { "b-edk2-headers-room", 'b',
    "EDK II's own bounds on SizeOfHeaders, SizeOfImage and NumberOfSections (e.g. SizeOfHeaders < SizeOfImage) "
    "fail; our rules (§2) hold", "docs/pecoff.md §8", b_edk2_headers_room },
  { "b-edk2-cert-table-past-eof", 'b',
    "the certificate table (a file offset) ends past the file: EDK II refuses, we never read it (signatures are "
    "the verifier's business, not the loader's)", "docs/pecoff.md §8", b_edk2_cert_past_eof },
  { "b-edk2-raw-data-in-headers", 'b',
    "a section's raw data starts inside SizeOfHeaders (file offsets): EDK II refuses, we map it as written",
    "docs/pecoff.md §8", b_edk2_raw_in_headers },
  { "b-edk2-debug-entry-past-eof", 'b',
    "a debug directory entry lies past the file: EDK II reads it to find CodeView and refuses, we do not read "
    "debug data", "docs/pecoff.md §8", b_edk2_debug_entry_past_eof },
  { "b-edk2-codeview-short", 'b',
    "the CodeView record is shorter than its signature's fixed part: EDK II's LoadImage refuses, we do not read "
    "debug data", "docs/pecoff.md §8", b_edk2_codeview_small },
  { "b-edk2-resource-walk", 'b',
    "EDK II's LoadImage walks the resource directory for an HII package and refuses what its walk finds malformed; "
    "we do not read resources", "docs/pecoff.md §8", b_edk2_resource_walk },
  { "b-edk2-absolute-entry-past-image", 'b',
    "an ABSOLUTE (padding) relocation entry whose page offset lies past SizeOfImage: EDK II computes every "
    "entry's target before its type and refuses, we skip it (PE/COFF base relocation types: ABSOLUTE is skipped)", "docs/pecoff.md §4.1",
    b_edk2_absolute_entry_past_image },
  { "b-machine-not-in-edk2-x64", 'b',
    "ARM, RISC-V or LoongArch image: EDK II's X64 build of BasePeCoffLib refuses the machine, ours loads it",
    "docs/pecoff.md §1 (Machines)", b_machine_not_in_edk2_x64 },
  { "b-runtime-image-base", 'b',
    "after the runtime pass our header ImageBase is the new base; EDK II leaves the load-time base",
    "docs/pecoff.md §6 (header ImageBase := new base)", b_runtime_image_base },
};
const size_t diff_class_count = sizeof(diff_classes) / sizeof(diff_classes[0]);

/* ---- verdict ---------------------------------------------------------------- */

static bool agree(const diff_outcome *o) {
  if (o->ours_failed == DIFF_SKIPPED) return true; /* too large to compare here */
  if (ours_refused(o) && edk2_refused(o)) return true;
  return ours_ok(o) && edk2_ok(o) && same_bytes(o);
}

static const char *step_name(diff_step s) {
  static const char *const n[] = { "ok", "parse", "load", "relocate", "runtime", "skipped" };
  return n[s];
}

static const char *end_name(edk2_end e) {
  static const char *const n[] = { "ran", "fault", "sanitizer", "hang", "died" };
  return n[e];
}

void diff_describe(const diff_outcome *o, char *out, size_t cap) {
  const char *cls = o->cls >= 0 ? diff_classes[o->cls].id : agree(o) ? "agree" : "UNEXPLAINED";
  snprintf(out, cap,
           "pe_vs_edk2: class=%s ours=%s:%s findings=%s size=0x%llx edk2=%s:%d:0x%llx:err%u size=0x%llx "
           "slack=%d@0x%llx overrun=%d fault=%d@%lld base=%s image=%s@0x%llx record=%s@0x%llx records=%llu/%llu machine=0x%x te=%d "
           "pe32plus=%d v=0x%llx%s%s",
           cls, step_name(o->ours_failed), rp_reason_name(o->ours_reason), rp_reason_name(o->ours_findings),
           (unsigned long long)o->ours_size, end_name(o->edk2_end), o->edk2_step,
           (unsigned long long)o->edk2_status, o->edk2_image_error, (unsigned long long)o->edk2_size,
           o->edk2_slack, (unsigned long long)o->edk2_slack_at, o->edk2_record_overrun, o->edk2_signal, (long long)o->edk2_fault_off,
           o->image_base_diff ? "diff" : "same", o->sizes_differ ? "size" : o->image_diff ? "diff" : "same", (unsigned long long)o->image_diff_at,
           o->record_diff ? "diff" : "same", (unsigned long long)o->record_diff_at,
           (unsigned long long)o->ours_record_bytes, (unsigned long long)o->edk2_record_bytes, o->machine, o->te,
           o->pe32plus, (unsigned long long)o->virt_base, o->edk2_report[0] ? " report=" : "", o->edk2_report);
}

/* RTPRM_DIFF_SAVE=DIR (exploration): the first input of every distinct
 * unexplained outcome line (addresses and sizes left out) lands in DIR. */
static void save_example(const char *line, const uint8_t *input, size_t size) {
  const char *dir = getenv("RTPRM_DIFF_SAVE");
  if (dir == NULL) return;
  uint64_t h = 1469598103934665603ull;
  for (const char *p = line; *p; p++) {
    if (*p == '@' || (*p == '0' && p[1] == 'x')) { /* skip numbers that vary */
      while (*p && *p != ' ') p++;
      if (!*p) break;
    }
    h = (h ^ (uint8_t)*p) * 1099511628211ull;
  }
  char path[512];
  snprintf(path, sizeof(path), "%s/%016llx", dir, (unsigned long long)h);
  FILE *f = fopen(path, "wbx");
  if (f == NULL) return;
  fwrite(input, 1, size, f);
  fclose(f);
}

/* The RTPRM_DIFF_* switches (fuzz/README.md), read once: diff_conclude
 * runs on every execution. */
typedef struct diff_switches {
  bool print, explore, classes;
} diff_switches;

static bool switch_on(const char *name) {
  const char *e = getenv(name);
  return e != NULL && e[0] == '1';
}

static const diff_switches *switches(void) {
  static diff_switches sw;
  static bool read;
  if (!read) {
    read = true;
    sw.print = switch_on("RTPRM_DIFF_PRINT");
    sw.explore = getenv("RTPRM_DIFF_EXPLORE") != NULL;
    sw.classes = switch_on("RTPRM_DIFF_CLASSES");
  }
  return &sw;
}

/* RTPRM_DIFF_CLASSES=1: the class table, once, a tab-separated line per
 * class (tools/fuzz/edk2_differential.py reads it). */
static void list_classes(void) {
  static bool listed;
  if (listed || !switches()->classes) return;
  listed = true;
  for (size_t i = 0; i < diff_class_count; i++)
    fprintf(stderr, "pe_vs_edk2-class\t%s\t%c\t%s\t%s\n", diff_classes[i].id, diff_classes[i].kind,
            diff_classes[i].reference, diff_classes[i].what);
}

void diff_conclude(diff_outcome *o, const uint8_t *input, size_t size) {
  list_classes();
  o->cls = -1;
  bool agreed = agree(o);
  for (size_t i = 0; !agreed && o->cls < 0 && i < diff_class_count; i++)
    if (diff_classes[i].match(o)) o->cls = (int)i;
  bool unexplained = !agreed && o->cls < 0;
  if (switches()->print || unexplained) {
    char line[768];
    diff_describe(o, line, sizeof(line));
    fprintf(stderr, "%s\n", line);
    if (unexplained) save_example(strstr(line, " ours="), input, size);
  }
  if (unexplained && !switches()->explore)
    RP_FUZZ_ASSERT(!"class (d): a divergence from EDK II no class explains");
}
