/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * PE/COFF conformance cases (requirements/pecoff.json, PE-xxx) beyond the
 * malformed corpus (pe_malformed_cases.c):
 *
 *   PE-S-*  every well-formed seed in corpus/pe: parse (file and mapped),
 *           load (byte-exact against the file), relocate to two bases with
 *           both record formats, records compared with ones computed here,
 *           sites compared with the delta applied here, runtime
 *           re-relocation compared with a direct relocation.
 *   PE-X-*  exports of the seeds: Base 0 (lld), 1 and 3 (GNU ld), exact
 *           lookups, forwarders, sorted and unsorted name tables.
 *   PE-C-*  small images built here: EDK II RelocationData bytes, native
 *           record, delta-0 recording, skip-if-changed, all-or-nothing
 *           rejection, NumberOfRvaAndSizes 0..16, entry point 0, stale base,
 *           new base, record buffers, runtime record checks, buffer sizes,
 *           ARM/RISC-V/LoongArch instruction sites.
 *
 * Every case that expects a rejection also checks that the image and the
 * record (or the load destination) are byte-for-byte unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"
#include "rtprm/pe.h"
#include "rtprm/spec/pecoff.h"

#ifndef RTPRM_PE_SEED_DIR
#error "RTPRM_PE_SEED_DIR must name corpus/pe"
#endif

/* ---- little helpers ---------------------------------------------------------- */

static void w16(uint8_t *b, uint32_t off, uint16_t v) { memcpy(b + off, &v, 2); }
static void w32(uint8_t *b, uint32_t off, uint32_t v) { memcpy(b + off, &v, 4); }
static void w64(uint8_t *b, uint32_t off, uint64_t v) { memcpy(b + off, &v, 8); }
static uint16_t r16(const uint8_t *b, uint64_t off) {
  uint16_t v;
  memcpy(&v, b + off, 2);
  return v;
}
static uint32_t r32(const uint8_t *b, uint64_t off) {
  uint32_t v;
  memcpy(&v, b + off, 4);
  return v;
}
static uint64_t r64(const uint8_t *b, uint64_t off) {
  uint64_t v;
  memcpy(&v, b + off, 8);
  return v;
}

/* Records a step's failure as the case's observed outcome (so the verdict
 * shows which call failed and why) and says which step it was. */
#define step rp_case_step


/* Contexts are large (96 section slots): static, one case runs at a time. */
static rp_pe_image g_ctx, g_ctx2;

/* Parses `file` and loads it into a new SizeOfImage buffer (*map). */
static EFI_STATUS open_image(const uint8_t *file, size_t len, rp_pe_image *img, uint8_t **map, rp_diag *d) {
  EFI_STATUS st = rp_pe_parse(rp_bytes_of(file, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, img, d);
  *map = NULL;
  if (EFI_ERROR(st)) return st;
  *map = malloc(img->size_of_image);
  if (*map == NULL) RP_REJECT(d, EFI_OUT_OF_RESOURCES, OUT_OF_RESOURCES, RP_DIAG_NO_INDEX);
  st = rp_pe_load(img, rp_mbytes_of(*map, img->size_of_image), d);
  if (EFI_ERROR(st)) {
    free(*map);
    *map = NULL;
  }
  return st;
}

/* load + relocate to `base` without a record: the direct relocation. */
static EFI_STATUS direct(const uint8_t *file, size_t len, uint64_t base, uint8_t **out, rp_diag *d) {
  EFI_STATUS st = open_image(file, len, &g_ctx2, out, d);
  if (EFI_ERROR(st)) return st;
  st = rp_pe_relocate(&g_ctx2, rp_mbytes_of(*out, g_ctx2.size_of_image), base, RP_FIXUP_NONE, rp_mbytes_of(NULL, 0),
                      NULL, d);
  if (EFI_ERROR(st)) {
    free(*out);
    *out = NULL;
  }
  return st;
}

/* ---- the expectation side: our own walk of a (valid) relocation directory ---- */

typedef struct {
  uint64_t sites, entries, blocks, by_type[16];
  size_t   edk2_len;    /* bytes the EDK II cursor consumed */
  bool     unsupported; /* a type this model does not cover */
} walk_sum;

/* Walks the directory of the loaded image `pre`, checks every site of the
 * relocated image `post` against the arithmetic of PE/COFF 6.6.2 (PE-036)
 * and, when edk2/native are given, writes the records the library must
 * produce (PE-017, PE-043). Covers ABSOLUTE, HIGH, LOW, HIGHLOW, DIR64. */
static void model_walk(const rp_pe_image *img, const uint8_t *pre, const uint8_t *post, uint64_t delta, uint8_t *edk2,
                       size_t edk2_cap, uint8_t *native, size_t native_cap, walk_sum *s, rp_case_result *r) {
  const rp_pe_dir *rd = &img->dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC];
  size_t cur = 0;
  memset(s, 0, sizeof(*s));
  if (edk2) memset(edk2, 0, edk2_cap);
  if (native) {
    memset(native, 0, native_cap);
    w32(native, 0, rd->rva);
    w32(native, 4, rd->size);
  }
  for (uint32_t off = 0; off + 8 <= rd->size;) {
    uint32_t page = r32(pre, rd->rva + off), sob = r32(pre, rd->rva + off + 4);
    if (sob < 8) return;
    s->blocks++;
    for (uint32_t e = 8; e < sob; e += 2) {
      uint16_t w = r16(pre, rd->rva + off + e);
      unsigned type = w >> 12;
      uint32_t t = page + (w & 0xFFFu), width = 0, align = 1;
      uint64_t want = 0, got = 0;
      s->entries++;
      s->by_type[type]++;
      switch (type) {
      case IMAGE_REL_BASED_ABSOLUTE: continue;
      case IMAGE_REL_BASED_HIGH:
        width = 2;
        want = (uint16_t)(r16(pre, t) + (uint16_t)((uint32_t)delta >> 16));
        got = r16(post, t);
        break;
      case IMAGE_REL_BASED_LOW:
        width = 2;
        want = (uint16_t)(r16(pre, t) + (uint16_t)delta);
        got = r16(post, t);
        break;
      case IMAGE_REL_BASED_HIGHLOW:
        width = 4;
        align = 4;
        want = (uint32_t)(r32(pre, t) + (uint32_t)delta);
        got = r32(post, t);
        break;
      case IMAGE_REL_BASED_DIR64:
        width = 8;
        align = 8;
        want = r64(pre, t) + delta;
        got = r64(post, t);
        break;
      default: s->unsupported = true; return;
      }
      s->sites++;
      if (got != want)
        rp_case_fail(r, "type %u site at 0x%x holds 0x%llx, expected 0x%llx", type, t, (unsigned long long)got,
                     (unsigned long long)want);
      cur = (cur + align - 1) / align * align;
      if (edk2 && cur + width <= edk2_cap) memcpy(edk2 + cur, &want, width);
      cur += width;
      if (native && 8u + 4ull * (off + e) + 8 <= native_cap) w64(native, 8 + 4 * (off + e), want);
    }
    off += sob;
  }
  s->edk2_len = cur;
}

/* ---- seeds: parse, load, relocate, records, runtime ------------------------------- */

typedef struct {
  const char *file;
  const struct pe_exp_want *exp; /* export cases */
  int         v;                 /* variant / parameter of builder cases */
  rp_fixup_format fmt;
  rp_pe_profile profile;         /* builder cases: the profile of the parse (default COMPAT) */
} pe_in;

/* Loaded bytes are the file's headers and section raw data, zero elsewhere (PE-045). */
static void check_load(const rp_pe_image *img, const uint8_t *file, const uint8_t *map, rp_case_result *r) {
  for (uint32_t i = 0; i < img->size_of_image; i++) {
    uint8_t want = 0;
    if (i < img->size_of_headers) want = file[i];
    for (uint32_t k = 0; k < img->num_sections; k++) {
      const rp_pe_section *s = &img->sections[k];
      uint32_t vs = s->virtual_size ? s->virtual_size : s->raw_size;
      uint32_t loaded = s->raw_size < vs ? s->raw_size : vs;
      if (i >= s->virtual_address && i - s->virtual_address < loaded) want = file[s->raw_offset + i - s->virtual_address];
    }
    if (map[i] != want) {
      rp_case_fail(r, "loaded byte at RVA 0x%x is 0x%02x, expected 0x%02x (PE-045)", i, map[i], want);
      return;
    }
  }
}

static void check_mapped_ctx(const rp_pe_image *f, const rp_pe_image *m, rp_case_result *r) {
  if (f->machine != m->machine || f->image_base != m->image_base || f->size_of_image != m->size_of_image ||
      f->num_sections != m->num_sections || f->entry_rva != m->entry_rva ||
      memcmp(f->dirs, m->dirs, sizeof(f->dirs)) != 0)
    rp_case_fail(r, "the mapped parse disagrees with the file parse");
}

static void exec_seed(const rp_case *c, rp_case_result *r) {
  const pe_in *in = c->input;
  size_t len = 0;
  uint8_t *file = rp_case_read_file(RTPRM_PE_SEED_DIR, in->file, &len, r), *pre = NULL, *map = NULL, *ref1 = NULL, *ref2 = NULL;
  uint8_t *exp_rec = NULL, *rec = NULL;
  rp_diag d;
  EFI_STATUS st;
  uint64_t b1, b2, size, base_off;
  walk_sum ws;
  memset(&ws, 0, sizeof(ws));
  if (file == NULL) return;
  rp_diag_clear(&d);
  st = open_image(file, len, &g_ctx, &pre, &d); /* `pre` stays the unrelocated load */
  rp_case_observe(r, st, &d);
  if (EFI_ERROR(st)) goto out;
  check_load(&g_ctx, file, pre, r);
  {
    static rp_pe_image m;
    if (step(r, rp_pe_parse(rp_bytes_of(pre, g_ctx.size_of_image), RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT, &m, &d), &d, "mapped parse"))
      check_mapped_ctx(&g_ctx, &m, r);
  }
  base_off = (uint64_t)g_ctx.pe_offset + 24u + (g_ctx.pe32plus ? 24u : 28u);
  /* Two bases away from the preferred one; PE32 stays below 4 GiB. */
  if (g_ctx.pe32plus) {
    b1 = g_ctx.image_base + 0x40000000ull;
    b2 = 0x00007FF000000000ull;
  } else {
    b1 = g_ctx.image_base == 0x20000000ull ? 0x30000000ull : 0x20000000ull;
    b2 = 0x7FFF0000ull;
  }
  if (!step(r, direct(file, len, b1, &ref1, &d), &d, "direct relocation to b1") ||
      !step(r, direct(file, len, b2, &ref2, &d), &d, "direct relocation to b2"))
    goto out;
  if (g_ctx.pe32plus ? r64(ref1, base_off) != b1 : r32(ref1, base_off) != (uint32_t)b1)
    rp_case_fail(r, "header ImageBase was not rewritten to the new base (PE-041)");
  for (int f = RP_FIXUP_EDK2; f <= RP_FIXUP_NATIVE; f++) {
    rp_fixup_format fmt = (rp_fixup_format)f;
    rp_pe_reloc_stats rs;
    rp_pe_rerelocate_stats rt;
    uint32_t dsz = g_ctx.dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC].size;
    if (!step(r, rp_pe_fixup_size(&g_ctx, fmt, &size, &d), &d, "rp_pe_fixup_size")) goto out;
    if (size != (fmt == RP_FIXUP_EDK2 ? (uint64_t)(dsz / 2) * 8 : 8 + 4ull * dsz))
      rp_case_fail(r, "fixup size %llu for format %d (PE-048)", (unsigned long long)size, f);
    free(rec);
    free(exp_rec);
    rec = malloc(size + 16);
    exp_rec = malloc(size + 16);
    if (rec == NULL || exp_rec == NULL) {
      rp_case_fail(r, "setup: out of memory");
      goto out;
    }
    /* the record the library must write, from the direct relocation to b1 */
    model_walk(&g_ctx, pre, ref1, b1 - g_ctx.image_base, fmt == RP_FIXUP_EDK2 ? exp_rec : NULL, size,
               fmt == RP_FIXUP_NATIVE ? exp_rec : NULL, size, &ws, r);
    if (ws.unsupported) rp_case_fail(r, "the seed has a relocation type the model does not cover");
    for (int pass = 0; pass < 2; pass++) {
      uint64_t base = pass == 0 ? b1 : b2;
      free(map);
      if (!step(r, open_image(file, len, &g_ctx, &map, &d), &d, "reload")) goto out;
      memset(rec, 0xEE, size + 16);
      if (!step(r, rp_pe_relocate(&g_ctx, rp_mbytes_of(map, g_ctx.size_of_image), base, fmt, rp_mbytes_of(rec, size),
                                  &rs, &d),
                &d, "relocate with a record"))
        goto out;
      if (memcmp(map, pass == 0 ? ref1 : ref2, g_ctx.size_of_image) != 0)
        rp_case_fail(r, "relocation with record format %d differs from the direct relocation", f);
      if (rec[size] != 0xEE) rp_case_fail(r, "the library wrote past the record size");
      if (rs.entries != ws.entries || rs.blocks != ws.blocks || rs.record_bytes != size)
        rp_case_fail(r, "stats: %llu entries, %llu blocks, %llu record bytes; expected %llu, %llu, %llu",
                     (unsigned long long)rs.entries, (unsigned long long)rs.blocks,
                     (unsigned long long)rs.record_bytes, (unsigned long long)ws.entries,
                     (unsigned long long)ws.blocks, (unsigned long long)size);
    }
    /* last relocation went to b2; redo b1 and check its record, then runtime b1 -> b2 */
    free(map);
    if (!step(r, open_image(file, len, &g_ctx, &map, &d), &d, "reload")) goto out;
    memset(rec, 0xEE, size + 16);
    if (!step(r, rp_pe_relocate(&g_ctx, rp_mbytes_of(map, g_ctx.size_of_image), b1, fmt, rp_mbytes_of(rec, size),
                                NULL, &d),
              &d, "relocate to b1"))
      goto out;
    if (memcmp(rec, exp_rec, size) != 0) rp_case_fail(r, "record format %d differs from the expected bytes", f);
    if (!step(r, rp_pe_runtime_relocate(rp_mbytes_of(map, g_ctx.size_of_image), RP_PE_PROFILE_COMPAT, b1, b2, fmt, rp_bytes_of(rec, size),
                                        &rt, &d),
              &d, "runtime re-relocation"))
      goto out;
    if (memcmp(map, ref2, g_ctx.size_of_image) != 0)
      rp_case_fail(r, "runtime re-relocation (format %d) differs from the direct relocation to b2", f);
    if (rt.applied != ws.sites || rt.skipped != 0)
      rp_case_fail(r, "runtime applied %llu skipped %llu, expected %llu/0", (unsigned long long)rt.applied,
                   (unsigned long long)rt.skipped, (unsigned long long)ws.sites);
  }
  if (ws.sites == 0) rp_case_fail(r, "the seed has no relocation sites");
out:
  free(file);
  free(pre);
  free(map);
  free(ref1);
  free(ref2);
  free(rec);
  free(exp_rec);
}

/* ---- seed exports -------------------------------------------------------------------- */

typedef struct {
  const char *name;
  uint32_t    ordinal_index;
  uint32_t    rva;
  bool        forwarder;
} exp_lookup;

typedef struct pe_exp_want {
  uint32_t base, num_functions, num_names;
  bool     sorted;
  const exp_lookup *lookups;
  size_t   n_lookups;
  const char *absent; /* a name that must not be found */
} pe_exp_want;

static void check_exports(const rp_pe_image *img, const pe_exp_want *w, rp_case_result *r) {
  rp_pe_exports ex;
  rp_pe_export x, y;
  rp_diag d;
  if (!step(r, rp_pe_exports_parse(img, &ex, &d), &d, "rp_pe_exports_parse")) return;
  if (ex.base != w->base || ex.num_functions != w->num_functions || ex.num_names != w->num_names ||
      ex.names_sorted != w->sorted)
    rp_case_fail(r, "Base %u, %u functions, %u names, sorted %d; expected %u, %u, %u, %d", ex.base, ex.num_functions,
                 ex.num_names, ex.names_sorted, w->base, w->num_functions, w->num_names, w->sorted);
  /* every named export is found again by its exact name, with the RVA the
   * address table holds at the unbiased ordinal-table index */
  for (uint32_t i = 0; i < ex.num_names; i++) {
    uint64_t eat;
    if (!step(r, rp_pe_export_at(img, &ex, i, &x, &d), &d, "rp_pe_export_at")) return;
    if (!step(r, rp_pe_export_find(img, &ex, x.name, &y, &d), &d, "rp_pe_export_find")) return;
    if (y.ordinal_index != x.ordinal_index || y.rva != x.rva || strcmp(y.name, x.name) != 0)
      rp_case_fail(r, "lookup of '%s' returned another export", x.name);
    if (!rp_pe_rva_to_offset(img, ex.functions_rva + 4 * x.ordinal_index, 4, &eat) || r32(img->bytes.ptr, eat) != x.rva)
      rp_case_fail(r, "'%s': RVA 0x%x is not EAT[%u]", x.name, x.rva, x.ordinal_index);
  }
  for (size_t i = 0; i < w->n_lookups; i++) {
    const exp_lookup *l = &w->lookups[i];
    if (!step(r, rp_pe_export_find(img, &ex, l->name, &x, &d), &d, l->name)) return;
    if (x.ordinal_index != l->ordinal_index || x.rva != l->rva || x.forwarder != l->forwarder)
      rp_case_fail(r, "'%s': index %u rva 0x%x forwarder %d; expected %u, 0x%x, %d", l->name, x.ordinal_index, x.rva,
                   x.forwarder, l->ordinal_index, l->rva, l->forwarder);
  }
  if (rp_pe_export_find(img, &ex, w->absent, &x, &d) != EFI_NOT_FOUND || d.reason != RP_R_PE_EXPORT_NOT_FOUND)
    rp_case_fail(r, "'%s' was not reported as not found", w->absent);
}

static void exec_seed_exports(const rp_case *c, rp_case_result *r) {
  const pe_in *in = c->input;
  size_t len = 0;
  uint8_t *file = rp_case_read_file(RTPRM_PE_SEED_DIR, in->file, &len, r), *map = NULL;
  rp_diag d;
  EFI_STATUS st;
  if (file == NULL) return;
  rp_diag_clear(&d);
  st = open_image(file, len, &g_ctx, &map, &d);
  rp_case_observe(r, st, &d);
  if (!EFI_ERROR(st)) {
    check_exports(&g_ctx, in->exp, r); /* file layout */
    if (step(r, rp_pe_parse(rp_bytes_of(map, g_ctx.size_of_image), RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT, &g_ctx2, &d), &d,
             "mapped parse"))
      check_exports(&g_ctx2, in->exp, r); /* mapped layout */
  }
  free(map);
  free(file);
}

/* ---- an image builder --------------------------------------------------------------- */
/* PE32+ or PE32 by machine, SectionAlignment == FileAlignment == 0x1000 (file
 * and mapped image coincide), .text RX 0x1000, .data RW 0x2000, .reloc R 0x3000. */

#define B_SIZE   0x4000u
#define B_LFANEW 0x80u
#define B_FH     (B_LFANEW + 4u)
#define B_OPT    (B_FH + 20u)
#define B_TEXT   0x1000u
#define B_DATA   0x2000u
#define B_RELOC  0x3000u
#define B_BASE64 0x140000000ull
#define B_BASE32 0x10000000ull
#define E(type, off) ((uint16_t)((type) << 12 | (off)))

static uint8_t g_file[B_SIZE] __attribute__((aligned(16)));
static uint8_t g_map[B_SIZE] __attribute__((aligned(16)));
static uint8_t g_ref[B_SIZE] __attribute__((aligned(16)));
static uint8_t g_before[B_SIZE] __attribute__((aligned(16)));
static uint64_t g_rec[512];
static uint64_t g_rec_before[512];
static uint32_t g_at; /* bytes of relocation directory written */

static bool b_plus(uint16_t m) {
  return m == IMAGE_FILE_MACHINE_AMD64 || m == IMAGE_FILE_MACHINE_ARM64 || m == IMAGE_FILE_MACHINE_RISCV64 ||
         m == IMAGE_FILE_MACHINE_LOONGARCH64;
}
static bool g_is_plus;
static uint32_t b_sect(uint32_t i) { return B_OPT + (g_is_plus ? 240u : 224u) + 40u * i; }
static uint32_t b_dir_off(uint32_t i) { return B_OPT + (g_is_plus ? 112u : 96u) + 8u * i; }
static uint32_t b_base_off(void) { return B_OPT + (g_is_plus ? 24u : 28u); }

static void b_section(uint32_t i, const char *name, uint32_t va, uint32_t chars) {
  uint32_t s = b_sect(i);
  memcpy(g_file + s, name, strlen(name));
  w32(g_file, s + 8, 0x1000);
  w32(g_file, s + 12, va);
  w32(g_file, s + 16, 0x1000);
  w32(g_file, s + 20, va);
  w32(g_file, s + 36, chars);
}

static void b_init(uint16_t machine, uint32_t nrva, uint16_t chars) {
  g_is_plus = b_plus(machine);
  memset(g_file, 0, sizeof(g_file));
  g_at = 0;
  w16(g_file, 0, IMAGE_DOS_SIGNATURE);
  w32(g_file, IMAGE_DOS_LFANEW_OFFSET, B_LFANEW);
  w32(g_file, B_LFANEW, IMAGE_NT_SIGNATURE);
  w16(g_file, B_FH + 0, machine);
  w16(g_file, B_FH + 2, 3);
  w16(g_file, B_FH + 16, g_is_plus ? 240 : 224);
  w16(g_file, B_FH + 18, chars);
  w16(g_file, B_OPT, g_is_plus ? IMAGE_NT_OPTIONAL_HDR64_MAGIC : IMAGE_NT_OPTIONAL_HDR32_MAGIC);
  w32(g_file, B_OPT + 16, B_TEXT);
  if (g_is_plus) {
    w64(g_file, B_OPT + 24, B_BASE64);
  } else {
    w32(g_file, B_OPT + 28, (uint32_t)B_BASE32);
  }
  w32(g_file, B_OPT + 32, 0x1000);
  w32(g_file, B_OPT + 36, 0x1000);
  w32(g_file, B_OPT + 56, B_SIZE);
  w32(g_file, B_OPT + 60, 0x400);
  w16(g_file, B_OPT + 68, IMAGE_SUBSYSTEM_EFI_RUNTIME_DRIVER);
  w32(g_file, B_OPT + (g_is_plus ? 108u : 92u), nrva);
  b_section(0, ".text", B_TEXT, IMAGE_SCN_CNT_CODE | IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_MEM_READ);
  b_section(1, ".data", B_DATA, IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ | IMAGE_SCN_MEM_WRITE);
  b_section(2, ".reloc", B_RELOC, IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ);
}

static void b_dir(uint32_t i, uint32_t rva, uint32_t size) {
  w32(g_file, b_dir_off(i), rva);
  w32(g_file, b_dir_off(i) + 4, size);
}

/* Appends a block (odd counts padded with ABSOLUTE) and updates directory 5. */
static void b_block(uint32_t page, const uint16_t *e, uint32_t n) {
  uint32_t sob = 8 + 2 * n + ((n & 1) ? 2 : 0);
  w32(g_file, B_RELOC + g_at, page);
  w32(g_file, B_RELOC + g_at + 4, sob);
  for (uint32_t i = 0; i < n; i++) w16(g_file, B_RELOC + g_at + 8 + 2 * i, e[i]);
  g_at += sob;
  b_dir(5, B_RELOC, g_at);
}

/* Parse g_file into g_ctx and load it into g_map. */
static EFI_STATUS b_load_as(rp_pe_profile profile, rp_diag *d) {
  EFI_STATUS st = rp_pe_parse(rp_bytes_of(g_file, B_SIZE), RP_PE_LAYOUT_FILE, profile, &g_ctx, d);
  if (!EFI_ERROR(st)) st = rp_pe_load(&g_ctx, rp_mbytes_of(g_map, B_SIZE), d);
  return st;
}

static EFI_STATUS b_load(rp_diag *d) { return b_load_as(RP_PE_PROFILE_COMPAT, d); }

static EFI_STATUS b_relocate(uint64_t base, rp_fixup_format fmt, void *rec, size_t rec_len, rp_pe_reloc_stats *s,
                             rp_diag *d) {
  return rp_pe_relocate(&g_ctx, rp_mbytes_of(g_map, B_SIZE), base, fmt, rp_mbytes_of(rec, rec_len), s, d);
}

static void snapshot(void) {
  memcpy(g_before, g_map, B_SIZE);
  memcpy(g_rec_before, g_rec, sizeof(g_rec));
}

static void unchanged(rp_case_result *r, const char *what) {
  if (memcmp(g_map, g_before, B_SIZE) != 0) rp_case_fail(r, "%s: the image was written (PE-016)", what);
  if (memcmp(g_rec, g_rec_before, sizeof(g_rec)) != 0) rp_case_fail(r, "%s: the record was written (PE-016)", what);
}

/* Relocate g_file to b1 recording in fmt, re-relocate at runtime to b2, and
 * compare with a direct relocation to b2. */
static bool b_round_trip(uint64_t b1, uint64_t b2, rp_fixup_format fmt, uint64_t applied, rp_case_result *r) {
  rp_pe_rerelocate_stats rt;
  rp_diag d;
  uint64_t size;
  if (!step(r, b_load(&d), &d, "load") ||
      !step(r, b_relocate(b2, RP_FIXUP_NONE, NULL, 0, NULL, &d), &d, "direct relocation"))
    return false;
  memcpy(g_ref, g_map, B_SIZE);
  if (!step(r, b_load(&d), &d, "reload") || !step(r, rp_pe_fixup_size(&g_ctx, fmt, &size, &d), &d, "fixup size"))
    return false;
  if (size > sizeof(g_rec)) {
    rp_case_fail(r, "setup: record of %llu bytes", (unsigned long long)size);
    return false;
  }
  if (!step(r, b_relocate(b1, fmt, g_rec, size, NULL, &d), &d, "relocate to b1") ||
      !step(r, rp_pe_runtime_relocate(rp_mbytes_of(g_map, B_SIZE), RP_PE_PROFILE_COMPAT, b1, b2, fmt, rp_bytes_of(g_rec, size), &rt, &d), &d,
            "runtime re-relocation"))
    return false;
  if (memcmp(g_map, g_ref, B_SIZE) != 0) rp_case_fail(r, "runtime re-relocation differs from the direct relocation");
  if (rt.applied != applied || rt.skipped != 0)
    rp_case_fail(r, "runtime applied %llu skipped %llu, expected %llu/0", (unsigned long long)rt.applied,
                 (unsigned long long)rt.skipped, (unsigned long long)applied);
  return true;
}

/* HIGH, HIGHLOW, LOW, DIR64, LOW, HIGHLOW (+ ABSOLUTE pad) in one block over .data. */
static void b_mixed(void) {
  const uint16_t e[] = { E(1, 0x20), E(3, 0x00), E(2, 0x30), E(10, 0x10), E(2, 0x32), E(3, 0x40), E(0, 0) };
  b_init(IMAGE_FILE_MACHINE_AMD64, 16, IMAGE_FILE_EXECUTABLE_IMAGE);
  w32(g_file, B_DATA + 0x00, 0x40001000u);
  w64(g_file, B_DATA + 0x10, 0x140001000ull);
  w16(g_file, B_DATA + 0x20, 0x1234);
  w16(g_file, B_DATA + 0x30, 0x5678);
  w16(g_file, B_DATA + 0x32, 0x9ABC);
  w32(g_file, B_DATA + 0x40, 0x11111111u);
  b_block(B_DATA, e, 7);
}

/* A small export directory in .data: names A/B/C, Base 1 (used by the
 * NumberOfRvaAndSizes rows). */
static void b_exports(void) {
  const uint32_t x = B_DATA + 0x100;
  w32(g_file, x + 12, x + 0x80);
  memcpy(g_file + x + 0x80, "b.efi", 6);
  w32(g_file, x + 16, 1);
  w32(g_file, x + 20, 2);
  w32(g_file, x + 24, 2);
  w32(g_file, x + 28, x + 0x40);
  w32(g_file, x + 32, x + 0x50);
  w32(g_file, x + 36, x + 0x60);
  w32(g_file, x + 0x40, B_TEXT);
  w32(g_file, x + 0x44, B_TEXT + 0x10);
  w32(g_file, x + 0x50, x + 0x90);
  w32(g_file, x + 0x54, x + 0x98);
  w16(g_file, x + 0x60, 0);
  w16(g_file, x + 0x62, 1);
  memcpy(g_file + x + 0x90, "A", 2);
  memcpy(g_file + x + 0x98, "B", 2);
  b_dir(0, x, 0xA0);
}

/* ---- builder cases ----------------------------------------------------------------- */

#define NB_MIXED 0x180013000ull /* delta 0x40013000 from B_BASE64 */

/* EDK II RelocationData of the mixed image, byte by byte (the hand-computed
 * expectation of impl/tests/test_pe.c). */
static void exec_edk2_layout(const rp_case *c, rp_case_result *r) {
  static const uint8_t want[32] = {
    0x35, 0x52, 0, 0,                      /* HIGH 0x1234 + 0x4001, pad to 4 */
    0x00, 0x40, 0x01, 0x80,                /* HIGHLOW 0x80014000 */
    0x78, 0x86, 0, 0, 0, 0, 0, 0,          /* LOW 0x5678 + 0x3000, pad to 8 */
    0x00, 0x40, 0x01, 0x80, 0x01, 0, 0, 0, /* DIR64 0x180014000 */
    0xBC, 0xCA, 0, 0,                      /* LOW 0x9ABC + 0x3000, pad to 4 */
    0x11, 0x41, 0x12, 0x51,                /* HIGHLOW 0x51124111 */
  };
  rp_pe_reloc_stats st;
  rp_diag d;
  uint64_t size;
  const uint8_t *rec = (const uint8_t *)g_rec;
  (void)c;
  b_mixed();
  if (!step(r, b_load(&d), &d, "load") || !step(r, rp_pe_fixup_size(&g_ctx, RP_FIXUP_EDK2, &size, &d), &d, "size"))
    return;
  if (size != 24 / 2 * 8) rp_case_fail(r, "EDK II record size %llu, expected 96 (PE-048)", (unsigned long long)size);
  memset(g_rec, 0xEE, sizeof(g_rec));
  rp_case_observe(r, b_relocate(NB_MIXED, RP_FIXUP_EDK2, g_rec, size, &st, &d), &d);
  if (EFI_ERROR(r->status)) return;
  if (memcmp(rec, want, sizeof(want)) != 0) rp_case_fail(r, "RelocationData bytes differ from the EDK II layout");
  for (size_t i = sizeof(want); i < size; i++) {
    if (rec[i] != 0) rp_case_fail(r, "record tail byte %zu is not zero", i);
  }
  if (rec[size] != 0xEE) rp_case_fail(r, "the library wrote past the record");
  if (st.blocks != 1 || st.entries != 8 || st.by_type[0] != 2 || st.by_type[2] != 2 || st.record_bytes != 96)
    rp_case_fail(r, "unexpected relocation statistics");
  /* PE-036: each type's arithmetic */
  if (r16(g_map, B_DATA + 0x20) != 0x5235 || r32(g_map, B_DATA) != 0x80014000u || r16(g_map, B_DATA + 0x30) != 0x8678 ||
      r64(g_map, B_DATA + 0x10) != 0x180014000ull || r16(g_map, B_DATA + 0x32) != 0xCABC ||
      r32(g_map, B_DATA + 0x40) != 0x51124111u)
    rp_case_fail(r, "a relocated value is wrong (HIGH/LOW/HIGHLOW/DIR64 arithmetic)");
  if (r64(g_map, b_base_off()) != NB_MIXED) rp_case_fail(r, "header ImageBase not rewritten (PE-041)");
}

static void exec_native_layout(const rp_case *c, rp_case_result *r) {
  rp_diag d;
  uint64_t size;
  const uint8_t *rec = (const uint8_t *)g_rec;
  (void)c;
  b_mixed();
  if (!step(r, b_load(&d), &d, "load") || !step(r, rp_pe_fixup_size(&g_ctx, RP_FIXUP_NATIVE, &size, &d), &d, "size"))
    return;
  if (size != 8 + 4 * 24) rp_case_fail(r, "native record size %llu, expected 104", (unsigned long long)size);
  memset(g_rec, 0xEE, sizeof(g_rec));
  rp_case_observe(r, b_relocate(NB_MIXED, RP_FIXUP_NATIVE, g_rec, size, NULL, &d), &d);
  if (EFI_ERROR(r->status)) return;
  /* header, then slot 8 + 4 * (entry offset in the directory) */
  static const struct {
    uint32_t o;
    uint64_t v;
  } slot[] = { { 0, 0 }, { 2, 0 }, { 4, 0 }, { 6, 0 }, { 8, 0x5235 }, { 10, 0x80014000u }, { 12, 0x8678 },
               { 14, 0x180014000ull }, { 16, 0xCABC }, { 18, 0x51124111u }, { 20, 0 }, { 22, 0 } };
  if (r32(rec, 0) != B_RELOC || r32(rec, 4) != 24) rp_case_fail(r, "native header is not the directory RVA/size");
  for (size_t i = 0; i < sizeof(slot) / sizeof(slot[0]); i++) {
    if (r64(rec, 8 + 4 * slot[i].o) != slot[i].v)
      rp_case_fail(r, "slot for directory offset %u holds 0x%llx, expected 0x%llx", slot[i].o,
                   (unsigned long long)r64(rec, 8 + 4 * slot[i].o), (unsigned long long)slot[i].v);
  }
  if (rec[size] != 0xEE) rp_case_fail(r, "the library wrote past the record");
}

/* Delta 0: the record is written anyway (PE-018) and is usable at runtime. */
static void exec_delta0(const rp_case *c, rp_case_result *r) {
  const pe_in *in = c->input;
  rp_pe_rerelocate_stats rt;
  rp_diag d;
  uint64_t size;
  b_mixed();
  if (!step(r, b_load(&d), &d, "load") || !step(r, rp_pe_fixup_size(&g_ctx, in->fmt, &size, &d), &d, "size")) return;
  memset(g_rec, 0xEE, sizeof(g_rec));
  rp_case_observe(r, b_relocate(B_BASE64, in->fmt, g_rec, size, NULL, &d), &d);
  if (EFI_ERROR(r->status)) return;
  if (memcmp(g_map, g_file, B_SIZE) != 0) rp_case_fail(r, "a delta-0 relocation changed the image");
  {
    static uint8_t want[512];
    walk_sum ws;
    model_walk(&g_ctx, g_file, g_map, 0, in->fmt == RP_FIXUP_EDK2 ? want : NULL, size,
               in->fmt == RP_FIXUP_NATIVE ? want : NULL, size, &ws, r);
    if (memcmp(g_rec, want, size) != 0) rp_case_fail(r, "the delta-0 record does not hold the site values");
  }
  if (!step(r, rp_pe_runtime_relocate(rp_mbytes_of(g_map, B_SIZE), RP_PE_PROFILE_COMPAT, B_BASE64, 0x7000000000ull, in->fmt,
                                      rp_bytes_of(g_rec, size), &rt, &d),
            &d, "runtime re-relocation"))
    return;
  if (rt.applied != 6 || rt.skipped != 0)
    rp_case_fail(r, "runtime applied %llu skipped %llu, expected 6/0", (unsigned long long)rt.applied,
                 (unsigned long long)rt.skipped);
  memcpy(g_before, g_map, B_SIZE);
  if (step(r, b_load(&d), &d, "reload") && step(r, b_relocate(0x7000000000ull, RP_FIXUP_NONE, NULL, 0, NULL, &d), &d, "direct") &&
      memcmp(g_before, g_map, B_SIZE) != 0)
    rp_case_fail(r, "runtime result differs from a direct relocation");
}

/* A site the image changed after load is skipped and counted (PE-019). */
static void exec_skip_changed(const rp_case *c, rp_case_result *r) {
  const pe_in *in = c->input;
  rp_pe_rerelocate_stats rt;
  rp_diag d;
  uint64_t size;
  const uint64_t b2 = 0x1000000ull;
  b_mixed();
  if (!step(r, b_load(&d), &d, "load") || !step(r, rp_pe_fixup_size(&g_ctx, in->fmt, &size, &d), &d, "size") ||
      !step(r, b_relocate(NB_MIXED, in->fmt, g_rec, size, NULL, &d), &d, "relocate"))
    return;
  w64(g_map, B_DATA + 0x10, 0xDEADBEEFull); /* the driver stored a new pointer */
  rp_case_observe(r, rp_pe_runtime_relocate(rp_mbytes_of(g_map, B_SIZE), RP_PE_PROFILE_COMPAT, NB_MIXED, b2, in->fmt, rp_bytes_of(g_rec, size), &rt, &d),
       &d);
  if (EFI_ERROR(r->status)) return;
  if (rt.applied != 5 || rt.skipped != 1)
    rp_case_fail(r, "applied %llu skipped %llu, expected 5/1", (unsigned long long)rt.applied,
                 (unsigned long long)rt.skipped);
  if (r64(g_map, B_DATA + 0x10) != 0xDEADBEEFull) rp_case_fail(r, "the changed site was adjusted");
  if (r32(g_map, B_DATA) != (uint32_t)(0x40001000u - (uint32_t)B_BASE64 + (uint32_t)b2))
    rp_case_fail(r, "an unchanged HIGHLOW site was not re-relocated");
  if (r64(g_map, b_base_off()) != b2) rp_case_fail(r, "header ImageBase not rewritten to the runtime base");
}

/* An image without relocations moved by COMPAT (PE-057): one finding, and
 * only the header ImageBase changed. */
static void moved_without_fixups(const rp_findings *f, uint64_t nb, rp_case_result *r) {
  if (f->count != 1 || f->item[0].reason != RP_R_PE_RELOCS_ABSENT)
    rp_case_fail(r, "%u findings, first %s; expected PE_RELOCS_ABSENT", f->count, rp_reason_name(f->item[0].reason));
  if (r64(g_map, b_base_off()) != nb) rp_case_fail(r, "header ImageBase not moved");
  memcpy(g_map + b_base_off(), g_before + b_base_off(), 8);
  if (memcmp(g_map, g_before, B_SIZE) != 0) rp_case_fail(r, "bytes other than the header ImageBase changed");
}

/* Relocation rejections: image and record unchanged (PE-016). */
enum {
  RJ_TYPE_2ND_BLOCK, RJ_SHORT_RECORD, RJ_UNALIGNED_RECORD, RJ_NULL_RECORD, RJ_FORMAT, RJ_STALE, RJ_NEW_BASE,
  RJ_NEW_BASE_PE32, RJ_MAPPED_SHORT, RJ_RELOCS_STRIPPED_DIR, RJ_SAME_BASE_NO_DIR, RJ_NEW_BASE_PE32_END,
  RJ_NEW_BASE_WRAP, RJ_OVERLAP_RECORD,
};
static void exec_reloc_reject(const rp_case *c, rp_case_result *r) {
  const pe_in *in = c->input;
  rp_diag d;
  uint64_t nb = 0x180000000ull;
  rp_fixup_format fmt = RP_FIXUP_EDK2;
  void *rec = g_rec;
  size_t rec_len = 256, img_len = B_SIZE;
  const uint16_t good[] = { E(10, 0x10), E(3, 0x00) }, bad[] = { E(10, 0x18), E(9, 0x20) };
  bool pe32 = in->v == RJ_NEW_BASE_PE32 || in->v == RJ_NEW_BASE_PE32_END;
  b_init(pe32 ? IMAGE_FILE_MACHINE_I386 : IMAGE_FILE_MACHINE_AMD64, 16,
         IMAGE_FILE_EXECUTABLE_IMAGE);
  if (in->v != RJ_RELOCS_STRIPPED_DIR && in->v != RJ_SAME_BASE_NO_DIR) b_block(B_DATA, good, 2);
  if (in->v == RJ_TYPE_2ND_BLOCK) b_block(B_DATA, bad, 2);
  if (!step(r, b_load_as(in->profile, &d), &d, "load")) return;
  switch (in->v) {
  case RJ_SHORT_RECORD: rec_len = 8; break;
  case RJ_UNALIGNED_RECORD: rec = (uint8_t *)g_rec + 4; break;
  case RJ_NULL_RECORD: rec = NULL; rec_len = 0; break;
  case RJ_FORMAT: fmt = (rp_fixup_format)7; break;
  case RJ_STALE:
    if (!step(r, b_relocate(0x200000000ull, RP_FIXUP_NONE, NULL, 0, NULL, &d), &d, "first relocation")) return;
    nb = 0x300000000ull;
    break;
  case RJ_NEW_BASE: nb = B_BASE64 + 0x800; break;
  case RJ_NEW_BASE_PE32: nb = 0x100000000ull; break;
  case RJ_NEW_BASE_PE32_END: nb = 0xFFFFF000ull; break;         /* starts below 4 GiB, ends above */
  case RJ_NEW_BASE_WRAP: nb = 0xFFFFFFFFFFFFF000ull; break;     /* last byte would wrap 2^64 */
  case RJ_MAPPED_SHORT: img_len = B_SIZE - 0x1000; break;
  case RJ_SAME_BASE_NO_DIR: nb = B_BASE64; break;
  case RJ_OVERLAP_RECORD: rec = g_map + B_DATA + 0x800; break; /* inside .data of the image itself */
  default: break;
  }
  memset(g_rec, 0x77, sizeof(g_rec));
  snapshot();
  rp_diag_clear(&d);
  rp_pe_reloc_stats st = { 0 };
  rp_case_observe(r, rp_pe_relocate(&g_ctx, rp_mbytes_of(g_map, img_len), nb, fmt, rp_mbytes_of(rec, rec_len), &st, &d), &d);
  if (in->v == RJ_SAME_BASE_NO_DIR) return; /* accepted: nothing to move */
  if (in->v == RJ_RELOCS_STRIPPED_DIR && !EFI_ERROR(r->status)) {
    moved_without_fixups(&st.findings, nb, r);
    return;
  }
  unchanged(r, "rp_pe_relocate");
}

/* NumberOfRvaAndSizes n: directories >= n are absent everywhere (PE-005). The
 * case's outcome is the relocation to another base. */
static void exec_nrva(const rp_case *c, rp_case_result *r) {
  const pe_in *in = c->input;
  const uint32_t n = (uint32_t)in->v;
  const uint16_t e[] = { E(10, 0x10) };
  rp_pe_exports ex;
  rp_diag d;
  EFI_STATUS st;
  uint64_t size = 0;
  b_init(IMAGE_FILE_MACHINE_AMD64, n, IMAGE_FILE_EXECUTABLE_IMAGE);
  b_block(B_DATA, e, 1); /* directory 5 bytes are written whatever n says */
  b_exports();           /* and directory 0 */
  w64(g_file, B_DATA + 0x10, B_BASE64 + 0x1000);
  if (!step(r, b_load(&d), &d, "load")) return;
  if (g_ctx.num_rva_and_sizes != n) rp_case_fail(r, "num_rva_and_sizes %u", g_ctx.num_rva_and_sizes);
  for (uint32_t i = n; i < RP_PE_NUM_DIRS; i++) {
    if (g_ctx.dirs[i].rva != 0 || g_ctx.dirs[i].size != 0) rp_case_fail(r, "directory %u beyond the count is present", i);
  }
  st = rp_pe_exports_parse(&g_ctx, &ex, &d);
  if (n == 0 ? (st != EFI_NOT_FOUND || d.reason != RP_R_PE_EXPORT_NONE) : EFI_ERROR(st))
    rp_case_fail(r, "exports with n=%u: %s/%s", n, rp_status_name(st), rp_reason_name(d.reason));
  st = rp_pe_fixup_size(&g_ctx, RP_FIXUP_EDK2, &size, &d);
  if (EFI_ERROR(st) || size != (n > 5 ? 12u / 2 * 8 : 0u)) rp_case_fail(r, "fixup size %llu", (unsigned long long)size);
  memset(g_rec, 0x77, sizeof(g_rec));
  snapshot();
  rp_diag_clear(&d);
  rp_pe_reloc_stats rs = { 0 };
  rp_case_observe(r, b_relocate(0x180000000ull, RP_FIXUP_EDK2, g_rec, sizeof(g_rec), &rs, &d), &d);
  if (!EFI_ERROR(r->status) && n <= IMAGE_DIRECTORY_ENTRY_BASERELOC) {
    moved_without_fixups(&rs.findings, 0x180000000ull, r); /* directory 5 does not exist */
  } else if (EFI_ERROR(r->status)) {
    unchanged(r, "relocate");
    /* the runtime pass applies the same rule */
    st = rp_pe_runtime_relocate(rp_mbytes_of(g_map, B_SIZE), RP_PE_PROFILE_COMPAT, B_BASE64, 0x180000000ull, RP_FIXUP_EDK2,
                                rp_bytes_of(g_rec, sizeof(g_rec)), NULL, &d);
    if (st != r->status || d.reason != r->reason) rp_case_fail(r, "runtime pass: %s", rp_reason_name(d.reason));
  } else if (r64(g_map, B_DATA + 0x10) != 0x180000000ull + 0x1000) {
    rp_case_fail(r, "the DIR64 site was not relocated");
  }
}

/* AddressOfEntryPoint 0 with and without IMAGE_FILE_DLL (PE-030). */
static void exec_entry(const rp_case *c, rp_case_result *r) {
  const pe_in *in = c->input;
  rp_diag d;
  b_init(IMAGE_FILE_MACHINE_AMD64, 16,
         (uint16_t)(IMAGE_FILE_EXECUTABLE_IMAGE | ((in->v & 1) ? IMAGE_FILE_DLL : 0)));
  w32(g_file, B_OPT + 16, (in->v & 2) ? B_TEXT + 0x10 : 0);
  rp_diag_clear(&d);
  rp_case_observe(r, rp_pe_parse(rp_bytes_of(g_file, B_SIZE), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &g_ctx, &d), &d);
}

/* Runtime re-relocation rejections (PE-020, PE-041, PE-040): image unchanged. */
enum { RT_NATIVE_SHORT, RT_NATIVE_HDR_SHORT, RT_NATIVE_MISMATCH, RT_EDK2_SHORT, RT_FORMAT, RT_UNALIGNED, RT_LFANEW,
       RT_OLD_BASE, RT_NEW_BASE, RT_BAD_BLOCK, RT_OVERLAP };
static void exec_runtime_reject(const rp_case *c, rp_case_result *r) {
  const pe_in *in = c->input;
  rp_diag d;
  uint64_t size, old_base = NB_MIXED, nb = 0x1000000ull;
  rp_fixup_format fmt = in->v == RT_EDK2_SHORT ? RP_FIXUP_EDK2 : RP_FIXUP_NATIVE;
  const uint8_t *rec = (const uint8_t *)g_rec;
  size_t len;
  b_mixed();
  if (!step(r, b_load(&d), &d, "load") || !step(r, rp_pe_fixup_size(&g_ctx, fmt, &size, &d), &d, "size") ||
      !step(r, b_relocate(NB_MIXED, fmt, g_rec, size, NULL, &d), &d, "relocate"))
    return;
  len = (size_t)size;
  switch (in->v) {
  case RT_NATIVE_SHORT: len -= 8; break;
  case RT_NATIVE_HDR_SHORT: len = 4; break;
  case RT_NATIVE_MISMATCH: w32((uint8_t *)g_rec, 4, r32(rec, 4) + 4); break;
  case RT_EDK2_SHORT: len = 16; break;
  case RT_FORMAT: fmt = RP_FIXUP_NONE; break;
  case RT_UNALIGNED: rec += 4; break;
  case RT_LFANEW: w32(g_map, IMAGE_DOS_LFANEW_OFFSET, 0xFFFFFF00u); break;
  case RT_OLD_BASE: old_base = B_BASE64; break;
  case RT_NEW_BASE: nb = 0x1000800ull; break;
  case RT_BAD_BLOCK: w32(g_map, B_RELOC + 4, 9); break; /* SizeOfBlock 9 in the mapped directory */
  case RT_OVERLAP: /* a copy of the valid record placed over the image's own .data */
    memcpy(g_map + B_DATA + 0x800, g_rec, len);
    rec = g_map + B_DATA + 0x800;
    break;
  default: break;
  }
  snapshot();
  rp_diag_clear(&d);
  rp_case_observe(r, rp_pe_runtime_relocate(rp_mbytes_of(g_map, B_SIZE), RP_PE_PROFILE_COMPAT, old_base, nb, fmt, rp_bytes_of(rec, len), NULL, &d), &d);
  unchanged(r, "rp_pe_runtime_relocate");
}

/* Buffer contracts of load, parse and relocate (PE-044). */
enum { BF_LOAD_SHORT, BF_LOAD_LONG, BF_LOAD_MAPPED_CTX, BF_PARSE_MAPPED_SHORT, BF_FIXUP_NONE, BF_PARSE_MAPPED_OK };
static void exec_buffers(const rp_case *c, rp_case_result *r) {
  const pe_in *in = c->input;
  static uint8_t big[B_SIZE + 0x1000];
  rp_diag d;
  uint64_t size = 0x1234;
  b_mixed();
  if (!step(r, b_load(&d), &d, "load")) return;
  memset(g_map, 0x5A, B_SIZE);
  memset(big, 0x5A, sizeof(big));
  if (in->v == BF_PARSE_MAPPED_OK) {
    memcpy(big, g_file, B_SIZE);
    memset(big + B_SIZE, 0, sizeof(big) - B_SIZE);
  }
  snapshot();
  rp_diag_clear(&d);
  switch (in->v) {
  case BF_LOAD_SHORT: rp_case_observe(r, rp_pe_load(&g_ctx, rp_mbytes_of(g_map, B_SIZE - 1), &d), &d); break;
  case BF_LOAD_LONG:
    rp_case_observe(r, rp_pe_load(&g_ctx, rp_mbytes_of(big, sizeof(big)), &d), &d);
    for (size_t i = 0; i < sizeof(big); i++) {
      if (big[i] != 0x5A) {
        rp_case_fail(r, "a rejected load wrote the destination");
        break;
      }
    }
    break;
  case BF_LOAD_MAPPED_CTX:
    if (!step(r, rp_pe_parse(rp_bytes_of(g_file, B_SIZE), RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT, &g_ctx2, &d), &d, "mapped parse")) return;
    rp_case_observe(r, rp_pe_load(&g_ctx2, rp_mbytes_of(g_map, B_SIZE), &d), &d);
    break;
  case BF_PARSE_MAPPED_SHORT:
    rp_case_observe(r, rp_pe_parse(rp_bytes_of(g_file, B_SIZE - 0x1000), RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT, &g_ctx2, &d), &d);
    break;
  case BF_FIXUP_NONE:
    rp_case_observe(r, rp_pe_fixup_size(&g_ctx, RP_FIXUP_NONE, &size, &d), &d);
    if (size != 0x1234) rp_case_fail(r, "rejected fixup size wrote its output");
    break;
  case BF_PARSE_MAPPED_OK:
    rp_case_observe(r, rp_pe_parse(rp_bytes_of(big, sizeof(big)), RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT, &g_ctx2, &d), &d);
    break;
  default: break;
  }
  unchanged(r, "buffer contract");
}

/* ---- instruction sites: ARM, RISC-V, LoongArch ------------------------------------------ */

/* Thumb-2 MOVW (T3, op 0xF240) / MOVT (T1, op 0xF2C0) of r0 with imm16. */
static void thumb_mov(uint32_t at, uint16_t op, uint32_t imm) {
  w16(g_file, at, (uint16_t)(op | (imm >> 12 & 0xFu) | (imm >> 11 & 1u) << 10));
  w16(g_file, at + 2, (uint16_t)((imm >> 8 & 7u) << 12 | (imm & 0xFFu)));
}
static uint32_t thumb_imm(const uint8_t *p) {
  uint16_t a = r16(p, 0), b = r16(p, 2);
  return (uint32_t)(a & 0xFu) << 12 | (uint32_t)(a >> 10 & 1u) << 11 | (uint32_t)(b >> 12 & 7u) << 8 | (b & 0xFFu);
}
/* ARM MOVW (A2) / MOVT (A1) of r0: cond AL, imm4 at 19:16, imm12 at 11:0. */
static uint32_t arm_mov(uint32_t op, uint32_t imm) { return 0xE0000000u | op | (imm >> 12 & 0xFu) << 16 | (imm & 0xFFFu); }
static uint32_t arm_imm(uint32_t w) { return (w >> 16 & 0xFu) << 12 | (w & 0xFFFu); }

/* RISC-V: lui a0, %hi(v); addi a0, a0, %lo(v); sd a1, %lo(v)(a0). */
static uint32_t rv_lui(uint32_t v) { return ((v + 0x800u) & 0xFFFFF000u) | 10u << 7 | 0x37u; }
static uint32_t rv_addi(uint32_t lo) { return (lo & 0xFFFu) << 20 | 10u << 15 | 10u << 7 | 0x13u; }
static uint32_t rv_sd(uint32_t lo) {
  return ((lo >> 5) & 0x7Fu) << 25 | 11u << 20 | 10u << 15 | 3u << 12 | (lo & 0x1Fu) << 7 | 0x23u;
}
static int64_t rv_value(uint32_t hi, uint32_t lo, bool s) {
  uint32_t imm = s ? ((lo >> 25) << 5 | (lo >> 7 & 0x1Fu)) : lo >> 20;
  return (int64_t)(int32_t)(hi & 0xFFFFF000u) + (int64_t)((int32_t)(imm << 20) >> 20);
}

/* LoongArch lu12i.w / ori / lu32i.d / lu52i.d of r4 holding v. */
static void la_seq(uint32_t at, uint64_t v) {
  w32(g_file, at, 0x14000000u | (uint32_t)(v >> 12 & 0xFFFFFu) << 5 | 4u);
  w32(g_file, at + 4, 0x03800000u | (uint32_t)(v & 0xFFFu) << 10 | 4u << 5 | 4u);
  w32(g_file, at + 8, 0x16000000u | (uint32_t)(v >> 32 & 0xFFFFFu) << 5 | 4u);
  w32(g_file, at + 12, 0x03000000u | (uint32_t)(v >> 52 & 0xFFFu) << 10 | 4u << 5 | 4u);
}
static uint64_t la_value(const uint8_t *p) {
  return (uint64_t)(r32(p, 0) >> 5 & 0xFFFFFu) << 12 | (r32(p, 4) >> 10 & 0xFFFu) |
         (uint64_t)(r32(p, 8) >> 5 & 0xFFFFFu) << 32 | (uint64_t)(r32(p, 12) >> 10 & 0xFFFu) << 52;
}

enum { AR_MOV32T, AR_MOV32A, AR_RISCV, AR_LOONGARCH, AR_LOONGARCH_BUDGET };
#define RV_V 0x10001FF8u /* lo12 = -8: the sign carry into %hi */

static void exec_arch_round_trip(const rp_case *c, rp_case_result *r) {
  const pe_in *in = c->input;
  rp_diag d;
  uint64_t size;
  switch (in->v) {
  case AR_MOV32T: {
    const uint16_t e[] = { E(7, 0x10) }, h[] = { E(3, 0) };
    b_init(IMAGE_FILE_MACHINE_ARMNT, 16, IMAGE_FILE_EXECUTABLE_IMAGE);
    thumb_mov(B_TEXT + 0x10, 0xF240, 0x0FFF);
    thumb_mov(B_TEXT + 0x14, 0xF2C0, 0x1000);
    w32(g_file, B_DATA, 0x10002000u);
    b_block(B_TEXT, e, 1);
    b_block(B_DATA, h, 1);
    if (!b_round_trip(0x20000000ull, 0x7FFFF000ull, in->fmt, 2, r)) return;
    if ((thumb_imm(g_map + B_TEXT + 0x14) << 16 | thumb_imm(g_map + B_TEXT + 0x10)) != 0x10000FFFu - 0x10000000u + 0x7FFFF000u)
      rp_case_fail(r, "MOVW/MOVT pair holds the wrong value");
    if ((r16(g_map, B_TEXT + 0x10) & 0xFBF0u) != 0xF240u || (r16(g_map, B_TEXT + 0x14) & 0xFBF0u) != 0xF2C0u)
      rp_case_fail(r, "MOVW/MOVT opcodes were changed");
    break;
  }
  case AR_MOV32A: {
    const uint16_t e[] = { E(5, 0x20) };
    b_init(IMAGE_FILE_MACHINE_ARM, 16, IMAGE_FILE_EXECUTABLE_IMAGE);
    w32(g_file, B_TEXT + 0x20, arm_mov(0x03000000u, 0x1234));
    w32(g_file, B_TEXT + 0x24, arm_mov(0x03400000u, 0x1000));
    b_block(B_TEXT, e, 1);
    if (!b_round_trip(0x30000000ull, 0x40000000ull, in->fmt, 1, r)) return;
    if ((arm_imm(r32(g_map, B_TEXT + 0x24)) << 16 | arm_imm(r32(g_map, B_TEXT + 0x20))) != 0x10001234u + 0x30000000u)
      rp_case_fail(r, "ARM MOVW/MOVT pair holds the wrong value");
    break;
  }
  case AR_RISCV: {
    const uint16_t e[] = { E(5, 0x00), E(7, 0x04), E(8, 0x08) };
    b_init(IMAGE_FILE_MACHINE_RISCV64, 16, IMAGE_FILE_EXECUTABLE_IMAGE);
    w64(g_file, B_OPT + 24, 0x10000000ull);
    w32(g_file, B_TEXT + 0, rv_lui(RV_V));
    w32(g_file, B_TEXT + 4, rv_addi(RV_V));
    w32(g_file, B_TEXT + 8, rv_sd(RV_V));
    b_block(B_TEXT, e, 3);
    if (!b_round_trip(0x20000000ull, 0x30000000ull, in->fmt, 3, r)) return;
    /* both LO12s sharing the HI20 see the new value (PE-038) */
    if (rv_value(r32(g_map, B_TEXT), r32(g_map, B_TEXT + 4), false) != (int64_t)RV_V + 0x20000000 ||
        rv_value(r32(g_map, B_TEXT), r32(g_map, B_TEXT + 8), true) != (int64_t)RV_V + 0x20000000)
      rp_case_fail(r, "a RISC-V pair holds the wrong value");
    break;
  }
  case AR_LOONGARCH:
  case AR_LOONGARCH_BUDGET: {
    const uint16_t e4[] = { E(8, 0x00), E(8, 0x10), E(8, 0x20), E(8, 0x30) };
    const uint16_t e8[] = { E(1, 0x800), E(8, 0x00), E(8, 0x10), E(8, 0x20), E(8, 0x30), E(8, 0x40), E(8, 0x50),
                            E(1, 0x802) };
    bool budget = in->v == AR_LOONGARCH_BUDGET;
    uint32_t n = budget ? 6 : 4;
    b_init(IMAGE_FILE_MACHINE_LOONGARCH64, 16, IMAGE_FILE_EXECUTABLE_IMAGE);
    for (uint32_t i = 0; i < n; i++) la_seq(B_TEXT + 0x10 * i, B_BASE64 + 0x1000 + i);
    if (budget) {
      b_block(B_TEXT, e8, 8);
    } else {
      b_block(B_TEXT, e4, 4);
    }
    if (!step(r, b_load(&d), &d, "load") || !step(r, rp_pe_fixup_size(&g_ctx, in->fmt, &size, &d), &d, "size")) return;
    /* budget: 20 / 2 * 8 = 80 < HIGH 2 + pad 2 + 6 x 16 + HIGH 2 = 102 (PE-048) */
    if (in->fmt == RP_FIXUP_EDK2 && size != (budget ? 102u : 64u))
      rp_case_fail(r, "EDK II record size %llu", (unsigned long long)size);
    if (!b_round_trip(0x9000000000000000ull, 0x0000700000000000ull, in->fmt, budget ? 8 : 4, r)) return;
    for (uint32_t i = 0; i < n; i++) {
      if (la_value(g_map + B_TEXT + 0x10 * i) != 0x0000700000001000ull + i)
        rp_case_fail(r, "MARK_LA sequence %u holds the wrong value", i);
    }
    break;
  }
  default: break;
  }
}

/* One bad entry per machine rule; image and record unchanged. */
enum { AX_MOV32T_ODD, AX_MOV32A_UNALIGNED, AX_LA_UNALIGNED, AX_MOV32T_ZEROS, AX_MOV32A_ZEROS, AX_LA_ZEROS,
       AX_HI20_ZEROS, AX_LO12I_ALONE, AX_LO12S_ALONE, AX_RV_RANGE, AX_RV_DISAGREE, AX_LO12I_NOT_ITYPE,
       AX_TYPE8_ARMNT, AX_TYPE5_AA64, AX_HIGHADJ_IA32, AX_LO12_OTHER_BLOCK, AX_PRECEDENCE };
static void exec_arch_reject(const rp_case *c, rp_case_result *r) {
  const pe_in *in = c->input;
  static const struct {
    uint16_t machine;
    uint16_t entry;
  } rows[] = {
    [AX_MOV32T_ODD] = { IMAGE_FILE_MACHINE_ARMNT, E(7, 1) },
    [AX_MOV32A_UNALIGNED] = { IMAGE_FILE_MACHINE_ARM, E(5, 2) },
    [AX_LA_UNALIGNED] = { IMAGE_FILE_MACHINE_LOONGARCH64, E(8, 2) },
    [AX_MOV32T_ZEROS] = { IMAGE_FILE_MACHINE_ARMNT, E(7, 0) },
    [AX_MOV32A_ZEROS] = { IMAGE_FILE_MACHINE_ARM, E(5, 0) },
    [AX_LA_ZEROS] = { IMAGE_FILE_MACHINE_LOONGARCH64, E(8, 0) },
    [AX_HI20_ZEROS] = { IMAGE_FILE_MACHINE_RISCV64, E(5, 0) },
    [AX_LO12I_ALONE] = { IMAGE_FILE_MACHINE_RISCV64, E(7, 0) },
    [AX_LO12S_ALONE] = { IMAGE_FILE_MACHINE_RISCV64, E(8, 0) },
    [AX_RV_RANGE] = { IMAGE_FILE_MACHINE_RISCV64, 0 },
    [AX_RV_DISAGREE] = { IMAGE_FILE_MACHINE_RISCV64, 0 },
    [AX_LO12I_NOT_ITYPE] = { IMAGE_FILE_MACHINE_RISCV64, 0 },
    [AX_TYPE8_ARMNT] = { IMAGE_FILE_MACHINE_ARMNT, E(8, 0) },
    [AX_TYPE5_AA64] = { IMAGE_FILE_MACHINE_ARM64, E(5, 0) },
    [AX_HIGHADJ_IA32] = { IMAGE_FILE_MACHINE_I386, E(4, 0) },
    [AX_LO12_OTHER_BLOCK] = { IMAGE_FILE_MACHINE_RISCV64, 0 },
    [AX_PRECEDENCE] = { IMAGE_FILE_MACHINE_ARMNT, 0 },
  };
  rp_diag d;
  uint64_t nb;
  b_init(rows[in->v].machine, 16, IMAGE_FILE_EXECUTABLE_IMAGE);
  if (rows[in->v].machine == IMAGE_FILE_MACHINE_RISCV64) w64(g_file, B_OPT + 24, 0x10000000ull);
  nb = (g_is_plus ? r64(g_file, B_OPT + 24) : r32(g_file, B_OPT + 28)) + 0x10000;
  switch (in->v) {
  case AX_RV_RANGE: { /* lui/addi of RV_V moved by 0x70000000: no longer a sign-extended 32-bit upper part */
    const uint16_t e[] = { E(5, 0x00), E(7, 0x04) };
    w32(g_file, B_TEXT, rv_lui(RV_V));
    w32(g_file, B_TEXT + 4, rv_addi(RV_V));
    b_block(B_TEXT, e, 2);
    nb = 0x80000000ull;
    break;
  }
  case AX_RV_DISAGREE: { /* one HI20, LO12s +0x7F8 and -0x800: +0x10 splits them */
    const uint16_t e[] = { E(5, 0x00), E(7, 0x04), E(7, 0x08) };
    w32(g_file, B_TEXT, rv_lui(0x10001000u));
    w32(g_file, B_TEXT + 4, rv_addi(0x7F8u));
    w32(g_file, B_TEXT + 8, rv_addi(0x800u));
    b_block(B_TEXT, e, 3);
    /* With SectionAlignment 0x1000 a delta never changes the low 12 bits,
     * so the LO12s always agree; SectionAlignment 0x10 allows delta 0x10:
     * 0x100017F8 + 0x10 needs upper 0x10002000, 0x10000800 + 0x10 0x10001000. */
    w32(g_file, B_OPT + 32, 0x10);
    w32(g_file, B_OPT + 36, 0x10);
    nb = 0x10000010ull;
    break;
  }
  case AX_LO12I_NOT_ITYPE: {
    const uint16_t e[] = { E(5, 0x00), E(7, 0x04) };
    w32(g_file, B_TEXT, rv_lui(RV_V));
    w32(g_file, B_TEXT + 4, 0x33u); /* add x0, x0, x0: R-type */
    b_block(B_TEXT, e, 2);
    break;
  }
  case AX_LO12_OTHER_BLOCK: { /* the HI20 is in the previous block */
    const uint16_t e1[] = { E(5, 0x00) }, e2[] = { E(7, 0x04) };
    w32(g_file, B_TEXT, rv_lui(RV_V));
    w32(g_file, B_TEXT + 4, rv_addi(RV_V));
    b_block(B_TEXT, e1, 1);
    b_block(B_TEXT, e2, 1);
    break;
  }
  case AX_PRECEDENCE: { /* a content error (MOVW/MOVT over zeros) in block 1, a structural one (type 8) in block 2 */
    const uint16_t e1[] = { E(7, 0x00) }, e2[] = { E(8, 0x10) };
    b_block(B_TEXT, e1, 1);
    b_block(B_TEXT, e2, 1);
    break;
  }
  default: b_block(B_TEXT, &rows[in->v].entry, 1); break;
  }
  if (!step(r, b_load(&d), &d, "load")) return;
  memset(g_rec, 0x77, sizeof(g_rec));
  snapshot();
  rp_diag_clear(&d);
  rp_case_observe(r, b_relocate(nb, RP_FIXUP_EDK2, g_rec, sizeof(g_rec), NULL, &d), &d);
  unchanged(r, "rp_pe_relocate");
}

/* ---- the tables ---------------------------------------------------------------------- */

#define IN(...) (&(const pe_in){ __VA_ARGS__ })
#define PASS    EFI_SUCCESS, RP_R_NONE, RP_DIAG_NO_INDEX
#define ANY     RP_CASE_ANY_INDEX
#define REJ(st, reason, idx) st, RP_R_##reason, (idx)
#define NOIDX   RP_DIAG_NO_INDEX

/* Seeds: every requirement a well-formed image passes through. */
#define SEED_REQS "PE-001 PE-002 PE-003 PE-004 PE-006 PE-007 PE-008 PE-009 PE-010 PE-011 PE-013 PE-014 PE-015 " \
                  "PE-017 PE-019 PE-036 PE-041 PE-043 PE-045 PE-048"

static const exp_lookup lk_lld_x64_rh[] = {
  { "Beta", 1, 0x1530, false }, { "RhChecksum", 2, 0x1590, false }, { "rh_self", 12, 0xB800, false },
  { "a10", 5, 0x1570, false }, { "a2", 6, 0x1580, false },
};
static const exp_lookup lk_lld_aa64_rh[] = { { "RhChecksum", 2, 0x10510, false }, { "rh_self", 12, 0x36800, false } };
static const exp_lookup lk_lld_x64_eo[] = { { "EoName", 3, 0x3018, false }, { "eo_lower", 6, 0x1030, false } };
static const exp_lookup lk_lld_aa64_eo[] = { { "EoName", 3, 0x3018, false }, { "eo_lower", 6, 0x1018, false } };
static const exp_lookup lk_mingw_rt[] = { { "RtDispatch", 3, 0x2020, false }, { "_RtUnder", 6, 0x1030, false } };
static const exp_lookup lk_mingw_def[] = {
  { "DfForward", 9, 0x3090, true }, { "DfOne", 1, 0x1000, false }, { "DfTwo", 0, 0x1010, false },
  { "DfData", 4, 0x2018, false },
};
static const exp_lookup lk_mingw_hl[] = { { "hl_target", 1, 0x1000, false } };
static const exp_lookup lk_gen[] = {
  { "ExpAlpha", 0, 0x1010, false }, { "ExpBeta", 1, 0x1020, false }, { "ExpGamma", 2, 0x1030, false },
};
#define LK(a) (a), sizeof(a) / sizeof((a)[0])
static const pe_exp_want x_lld_x64_rh = { 0, 13, 12, true, LK(lk_lld_x64_rh), "rhchecksum" };
static const pe_exp_want x_lld_aa64_rh = { 0, 13, 12, true, LK(lk_lld_aa64_rh), "RhChecksum2" };
static const pe_exp_want x_lld_x64_eo = { 0, 7, 6, true, LK(lk_lld_x64_eo), "EoNam" };
static const pe_exp_want x_lld_aa64_eo = { 0, 7, 6, true, LK(lk_lld_aa64_eo), "" };
static const pe_exp_want x_mingw_rt = { 1, 9, 9, true, LK(lk_mingw_rt), "RtUnder" };
static const pe_exp_want x_mingw_def = { 3, 10, 5, true, LK(lk_mingw_def), "RealFunction" };
static const pe_exp_want x_mingw_hl = { 1, 2, 2, true, LK(lk_mingw_hl), "HL_TARGET" };
static const pe_exp_want x_gen_sorted = { 1, 3, 3, true, LK(lk_gen), "ExpDelta" };
static const pe_exp_want x_gen_unsorted = { 1, 3, 3, false, LK(lk_gen), "ExpDelta" };

#define SEED(id, reqs, f)                                                                                  \
  { id, reqs, "seed " f ": parse, load, relocate to two bases (EDK II and native records), runtime re-relocation", \
    PASS, IN(.file = f), exec_seed }
#define XSEED(id, reqs, f, w, what) { id, reqs, "exports of " f ": " what, PASS, IN(.file = f, .exp = &(w)), exec_seed_exports }

static const rp_case pe_cases[] = {
  /* seeds */
  SEED("PE-S-001", SEED_REQS, "seed-gen-ia32-minimal.efi"),
  SEED("PE-S-002", SEED_REQS, "seed-gen-x64-exports-unsorted.efi"),
  SEED("PE-S-003", SEED_REQS, "seed-gen-x64-minimal.efi"),
  SEED("PE-S-004", SEED_REQS, "seed-gen-x64-reloc-last-qword.efi"),
  SEED("PE-S-005", SEED_REQS " PE-031", "seed-gen-x64-security-dir.efi"),
  SEED("PE-S-006", SEED_REQS, "seed-lld-aa64-exportsonly.efi"),
  SEED("PE-S-007", SEED_REQS, "seed-lld-aa64-hello.efi"),
  SEED("PE-S-008", SEED_REQS, "seed-lld-aa64-relocheavy.efi"),
  SEED("PE-S-009", SEED_REQS, "seed-lld-x64-exportsonly.efi"),
  SEED("PE-S-010", SEED_REQS, "seed-lld-x64-hello.efi"),
  SEED("PE-S-011", SEED_REQS, "seed-lld-x64-relocheavy.efi"),
  SEED("PE-S-012", SEED_REQS, "seed-mingw-x64-app.efi"),
  SEED("PE-S-013", SEED_REQS, "seed-mingw-x64-deffile.efi"),
  SEED("PE-S-014", SEED_REQS, "seed-mingw-x64-highlow.efi"),
  SEED("PE-S-015", SEED_REQS, "seed-mingw-x64-rtdriver.efi"),
  /* seed exports */
  XSEED("PE-X-001", "PE-021 PE-022 PE-023 PE-024 PE-026 PE-046", "seed-lld-x64-relocheavy.efi", x_lld_x64_rh,
        "lld Base 0, empty slot 0, 12 sorted names found by exact name"),
  XSEED("PE-X-002", "PE-021 PE-022 PE-023 PE-024 PE-026 PE-046", "seed-lld-aa64-relocheavy.efi", x_lld_aa64_rh,
        "lld Base 0 (AArch64, 64 KiB sections)"),
  XSEED("PE-X-003", "PE-021 PE-022 PE-023 PE-024 PE-026 PE-046", "seed-lld-x64-exportsonly.efi", x_lld_x64_eo,
        "lld Base 0, 7 slots, 6 names"),
  XSEED("PE-X-004", "PE-021 PE-022 PE-023 PE-024 PE-026 PE-046", "seed-lld-aa64-exportsonly.efi", x_lld_aa64_eo,
        "lld Base 0 (AArch64); the empty name is not found"),
  XSEED("PE-X-005", "PE-021 PE-022 PE-023 PE-024 PE-026 PE-046", "seed-mingw-x64-rtdriver.efi", x_mingw_rt,
        "GNU ld Base 1, 9 names"),
  XSEED("PE-X-006", "PE-021 PE-022 PE-023 PE-024 PE-025 PE-026 PE-046", "seed-mingw-x64-deffile.efi", x_mingw_def,
        "GNU ld .def Base 3 with empty slots, a forwarder and a DATA export"),
  XSEED("PE-X-007", "PE-021 PE-022 PE-023 PE-024 PE-026", "seed-mingw-x64-highlow.efi", x_mingw_hl,
        "GNU ld Base 1; lookup is case-sensitive"),
  XSEED("PE-X-008", "PE-021 PE-022 PE-023 PE-026", "seed-gen-x64-minimal.efi", x_gen_sorted,
        "sorted name table: binary search"),
  XSEED("PE-X-009", "PE-021 PE-022 PE-023 PE-026", "seed-gen-x64-exports-unsorted.efi", x_gen_unsorted,
        "unsorted name table: linear search finds the same exports"),
  /* records */
  { "PE-C-001", "PE-017 PE-036 PE-048 PE-041", "EDK II RelocationData bytes of HIGH, HIGHLOW, LOW, DIR64, LOW, HIGHLOW",
    PASS, IN(.v = 0), exec_edk2_layout },
  { "PE-C-002", "PE-043", "native record: header and one u64 slot per directory position", PASS, IN(.v = 0),
    exec_native_layout },
  { "PE-C-003", "PE-018 PE-017", "delta 0: the EDK II record is written and drives a runtime re-relocation", PASS,
    IN(.fmt = RP_FIXUP_EDK2), exec_delta0 },
  { "PE-C-004", "PE-018 PE-043", "delta 0: the native record is written and drives a runtime re-relocation", PASS,
    IN(.fmt = RP_FIXUP_NATIVE), exec_delta0 },
  { "PE-C-005", "PE-019", "runtime (EDK II record): a changed site is skipped and counted, the others applied", PASS,
    IN(.fmt = RP_FIXUP_EDK2), exec_skip_changed },
  { "PE-C-006", "PE-019", "runtime (native record): a changed site is skipped and counted, the others applied", PASS,
    IN(.fmt = RP_FIXUP_NATIVE), exec_skip_changed },
  /* all-or-nothing, record buffers, bases */
  { "PE-C-007", "PE-016 PE-014", "a bad type in the second block: nothing written although the first block is valid",
    REJ(EFI_UNSUPPORTED, PE_RELOC_TYPE, 12 + 8 + 2), IN(.v = RJ_TYPE_2ND_BLOCK), exec_reloc_reject },
  { "PE-C-008", "PE-016 PE-042", "a record buffer shorter than rp_pe_fixup_size: rejected after validation, nothing written",
    REJ(EFI_BUFFER_TOO_SMALL, PE_FIXUP_BUFFER_SIZE, ANY), IN(.v = RJ_SHORT_RECORD), exec_reloc_reject },
  { "PE-C-009", "PE-016 PE-042", "a record buffer not 8-byte aligned is rejected, nothing written",
    REJ(EFI_INVALID_PARAMETER, PE_FIXUP_BUFFER_ALIGN, NOIDX), IN(.v = RJ_UNALIGNED_RECORD), exec_reloc_reject },
  { "PE-C-010", "PE-016 PE-042", "a NULL record buffer with a recording format is rejected",
    REJ(EFI_BUFFER_TOO_SMALL, PE_FIXUP_BUFFER_SIZE, ANY), IN(.v = RJ_NULL_RECORD), exec_reloc_reject },
  { "PE-C-011", "PE-042", "an unknown record format is rejected", REJ(EFI_INVALID_PARAMETER, PE_FIXUP_FORMAT, ANY),
    IN(.v = RJ_FORMAT), exec_reloc_reject },
  { "PE-C-012", "PE-041 PE-016", "relocating again with a stale context (header ImageBase moved) is refused",
    REJ(EFI_INVALID_PARAMETER, PE_RUNTIME_BASE_MISMATCH, NOIDX), IN(.v = RJ_STALE), exec_reloc_reject },
  { "PE-C-013", "PE-040 PE-016", "a new base not SectionAlignment-aligned is refused",
    REJ(EFI_INVALID_PARAMETER, PE_NEW_BASE, NOIDX), IN(.v = RJ_NEW_BASE), exec_reloc_reject },
  { "PE-C-014", "PE-040 PE-016", "a PE32 image cannot move to 4 GiB or above",
    REJ(EFI_INVALID_PARAMETER, PE_NEW_BASE, NOIDX), IN(.v = RJ_NEW_BASE_PE32), exec_reloc_reject },
  { "PE-C-015", "PE-044", "relocating a mapped buffer shorter than SizeOfImage is refused",
    REJ(EFI_BUFFER_TOO_SMALL, PE_MAPPED_SIZE, ANY), IN(.v = RJ_MAPPED_SHORT), exec_reloc_reject },
  { "PE-C-016", "PE-057 PE-053", "COMPAT: an image without a relocation directory (RELOCS_STRIPPED clear) moves without fixups, finding PE_RELOCS_ABSENT",
    PASS, IN(.v = RJ_RELOCS_STRIPPED_DIR), exec_reloc_reject },
  { "PE-C-084", "PE-057 PE-053 PE-016", "STRICT: moving an image without a relocation directory is refused, nothing written",
    REJ(EFI_LOAD_ERROR, PE_RELOCS_ABSENT, NOIDX), IN(.v = RJ_RELOCS_STRIPPED_DIR, .profile = RP_PE_PROFILE_STRICT),
    exec_reloc_reject },
  { "PE-C-017", "PE-033", "an image without a relocation directory 'relocates' to its own base", PASS,
    IN(.v = RJ_SAME_BASE_NO_DIR), exec_reloc_reject },
  /* NumberOfRvaAndSizes 0..16 */
#define NRVA(id, n, ...) { id, "PE-005 PE-057", "NumberOfRvaAndSizes " #n ": directories >= " #n " absent for parse, exports, sizing, relocation", __VA_ARGS__, IN(.v = n), exec_nrva }
  NRVA("PE-C-018", 0, PASS),
  NRVA("PE-C-019", 1, PASS),
  NRVA("PE-C-020", 2, PASS),
  NRVA("PE-C-021", 3, PASS),
  NRVA("PE-C-022", 4, PASS),
  NRVA("PE-C-023", 5, PASS),
  NRVA("PE-C-024", 6, PASS),
  NRVA("PE-C-025", 7, PASS),
  NRVA("PE-C-026", 8, PASS),
  NRVA("PE-C-027", 9, PASS),
  NRVA("PE-C-028", 10, PASS),
  NRVA("PE-C-029", 11, PASS),
  NRVA("PE-C-030", 12, PASS),
  NRVA("PE-C-031", 13, PASS),
  NRVA("PE-C-032", 14, PASS),
  NRVA("PE-C-033", 15, PASS),
  NRVA("PE-C-034", 16, PASS),
  /* entry point */
  { "PE-C-035", "PE-030 PE-011", "AddressOfEntryPoint 0 without IMAGE_FILE_DLL is rejected",
    REJ(EFI_LOAD_ERROR, PE_ENTRY_RANGE, 0), IN(.v = 0), exec_entry },
  { "PE-C-036", "PE-030", "AddressOfEntryPoint 0 with IMAGE_FILE_DLL is accepted", PASS, IN(.v = 1), exec_entry },
  { "PE-C-037", "PE-030 PE-011", "a DLL entry point inside .text is accepted", PASS, IN(.v = 3), exec_entry },
  { "PE-C-038", "PE-011", "an executable's entry point inside .text is accepted", PASS, IN(.v = 2), exec_entry },
  /* runtime re-relocation input checks */
  { "PE-C-039", "PE-020", "runtime: a native record one slot short is rejected",
    REJ(EFI_INVALID_PARAMETER, PE_FIXUP_RECORD_SHORT, ANY), IN(.v = RT_NATIVE_SHORT), exec_runtime_reject },
  { "PE-C-040", "PE-020", "runtime: a native record without its 8-byte header is rejected",
    REJ(EFI_INVALID_PARAMETER, PE_FIXUP_RECORD_SHORT, ANY), IN(.v = RT_NATIVE_HDR_SHORT), exec_runtime_reject },
  { "PE-C-041", "PE-020", "runtime: a native header naming another directory size is rejected",
    REJ(EFI_INVALID_PARAMETER, PE_FIXUP_RECORD_MISMATCH, ANY), IN(.v = RT_NATIVE_MISMATCH), exec_runtime_reject },
  { "PE-C-042", "PE-020", "runtime: an EDK II record shorter than the entries need is rejected",
    REJ(EFI_INVALID_PARAMETER, PE_FIXUP_RECORD_SHORT, ANY), IN(.v = RT_EDK2_SHORT), exec_runtime_reject },
  { "PE-C-043", "PE-020 PE-042", "runtime: format NONE is rejected", REJ(EFI_INVALID_PARAMETER, PE_FIXUP_FORMAT, ANY),
    IN(.v = RT_FORMAT), exec_runtime_reject },
  { "PE-C-044", "PE-020 PE-042", "runtime: a record not 8-byte aligned is rejected",
    REJ(EFI_INVALID_PARAMETER, PE_FIXUP_BUFFER_ALIGN, NOIDX), IN(.v = RT_UNALIGNED), exec_runtime_reject },
  { "PE-C-045", "PE-020 PE-001", "runtime: the mapped headers are re-parsed (corrupted e_lfanew is caught)",
    REJ(EFI_LOAD_ERROR, PE_LFANEW_RANGE, ANY), IN(.v = RT_LFANEW), exec_runtime_reject },
  { "PE-C-046", "PE-041 PE-020", "runtime: an old_base the header does not hold is refused",
    REJ(EFI_INVALID_PARAMETER, PE_RUNTIME_BASE_MISMATCH, NOIDX), IN(.v = RT_OLD_BASE), exec_runtime_reject },
  { "PE-C-047", "PE-040 PE-020", "runtime: a new base not SectionAlignment-aligned is refused",
    REJ(EFI_INVALID_PARAMETER, PE_NEW_BASE, NOIDX), IN(.v = RT_NEW_BASE), exec_runtime_reject },
  { "PE-C-048", "PE-020 PE-013", "runtime: the mapped relocation directory is re-walked (odd SizeOfBlock 9 caught)",
    REJ(EFI_LOAD_ERROR, PE_RELOC_BLOCK_ODD, 0), IN(.v = RT_BAD_BLOCK), exec_runtime_reject },
  /* buffer contracts */
  { "PE-C-049", "PE-044", "load into a destination one byte short of SizeOfImage is refused, nothing written",
    REJ(EFI_BAD_BUFFER_SIZE, PE_LOAD_DEST_SIZE, ANY), IN(.v = BF_LOAD_SHORT), exec_buffers },
  { "PE-C-050", "PE-044", "load into a destination larger than SizeOfImage is refused, nothing written",
    REJ(EFI_BAD_BUFFER_SIZE, PE_LOAD_DEST_SIZE, ANY), IN(.v = BF_LOAD_LONG), exec_buffers },
  { "PE-C-051", "PE-044", "load needs a file-layout context", REJ(EFI_INVALID_PARAMETER, PE_LAYOUT, ANY),
    IN(.v = BF_LOAD_MAPPED_CTX), exec_buffers },
  { "PE-C-052", "PE-044", "a mapped buffer shorter than SizeOfImage does not parse",
    REJ(EFI_BUFFER_TOO_SMALL, PE_MAPPED_SIZE, ANY), IN(.v = BF_PARSE_MAPPED_SHORT), exec_buffers },
  { "PE-C-053", "PE-044", "a mapped buffer longer than SizeOfImage parses", PASS, IN(.v = BF_PARSE_MAPPED_OK),
    exec_buffers },
  { "PE-C-054", "PE-042", "rp_pe_fixup_size has no size for format NONE", REJ(EFI_UNSUPPORTED, PE_FIXUP_FORMAT, ANY),
    IN(.v = BF_FIXUP_NONE), exec_buffers },
  /* instruction sites */
  { "PE-C-055", "PE-014 PE-037", "ARMNT MOV32T: relocate (EDK II record), runtime re-relocate == direct", PASS,
    IN(.v = AR_MOV32T, .fmt = RP_FIXUP_EDK2), exec_arch_round_trip },
  { "PE-C-056", "PE-014 PE-037 PE-043", "ARMNT MOV32T: relocate (native record), runtime re-relocate == direct", PASS,
    IN(.v = AR_MOV32T, .fmt = RP_FIXUP_NATIVE), exec_arch_round_trip },
  { "PE-C-057", "PE-014 PE-037", "ARM MOV32A: relocate, runtime re-relocate == direct", PASS,
    IN(.v = AR_MOV32A, .fmt = RP_FIXUP_EDK2), exec_arch_round_trip },
  { "PE-C-058", "PE-014 PE-037 PE-038", "RISC-V HI20 shared by LO12I and LO12S (EDK II record): round trip", PASS,
    IN(.v = AR_RISCV, .fmt = RP_FIXUP_EDK2), exec_arch_round_trip },
  { "PE-C-059", "PE-014 PE-037 PE-038 PE-043", "RISC-V HI20 shared by LO12I and LO12S (native record): round trip",
    PASS, IN(.v = AR_RISCV, .fmt = RP_FIXUP_NATIVE), exec_arch_round_trip },
  { "PE-C-060", "PE-014 PE-037 PE-048", "LoongArch MARK_LA x4 (EDK II record, exactly the Size/2*8 budget): round trip",
    PASS, IN(.v = AR_LOONGARCH, .fmt = RP_FIXUP_EDK2), exec_arch_round_trip },
  { "PE-C-061", "PE-014 PE-037 PE-043", "LoongArch MARK_LA x4 (native record): round trip", PASS,
    IN(.v = AR_LOONGARCH, .fmt = RP_FIXUP_NATIVE), exec_arch_round_trip },
  { "PE-C-062", "PE-048 PE-037", "LoongArch MARK_LA x6 + HIGH x2: the EDK II record grows past Size/2*8", PASS,
    IN(.v = AR_LOONGARCH_BUDGET, .fmt = RP_FIXUP_EDK2), exec_arch_round_trip },
  { "PE-C-063", "PE-037 PE-016", "MOV32T at an odd address is rejected", REJ(EFI_LOAD_ERROR, PE_RELOC_TARGET_ALIGN, 8),
    IN(.v = AX_MOV32T_ODD), exec_arch_reject },
  { "PE-C-064", "PE-037 PE-016", "MOV32A not word-aligned is rejected", REJ(EFI_LOAD_ERROR, PE_RELOC_TARGET_ALIGN, 8),
    IN(.v = AX_MOV32A_UNALIGNED), exec_arch_reject },
  { "PE-C-065", "PE-037 PE-016", "MARK_LA not word-aligned is rejected", REJ(EFI_LOAD_ERROR, PE_RELOC_TARGET_ALIGN, 8),
    IN(.v = AX_LA_UNALIGNED), exec_arch_reject },
  { "PE-C-066", "PE-037 PE-016", "MOV32T over non-MOVW/MOVT bytes is rejected", REJ(EFI_LOAD_ERROR, PE_RELOC_INSN, 8),
    IN(.v = AX_MOV32T_ZEROS), exec_arch_reject },
  { "PE-C-067", "PE-037 PE-016", "MOV32A over non-MOVW/MOVT words is rejected", REJ(EFI_LOAD_ERROR, PE_RELOC_INSN, 8),
    IN(.v = AX_MOV32A_ZEROS), exec_arch_reject },
  { "PE-C-068", "PE-037 PE-016", "MARK_LA over a wrong instruction sequence is rejected",
    REJ(EFI_LOAD_ERROR, PE_RELOC_INSN, 8), IN(.v = AX_LA_ZEROS), exec_arch_reject },
  { "PE-C-069", "PE-037 PE-016", "HI20 over a non-LUI word is rejected", REJ(EFI_LOAD_ERROR, PE_RELOC_INSN, 8),
    IN(.v = AX_HI20_ZEROS), exec_arch_reject },
  { "PE-C-070", "PE-037 PE-016", "LO12I over a non-I-type instruction is rejected", REJ(EFI_LOAD_ERROR, PE_RELOC_INSN, 10),
    IN(.v = AX_LO12I_NOT_ITYPE), exec_arch_reject },
  { "PE-C-071", "PE-038 PE-016", "LO12I without a HI20 in its block is rejected", REJ(EFI_LOAD_ERROR, PE_RELOC_PAIR, 8),
    IN(.v = AX_LO12I_ALONE), exec_arch_reject },
  { "PE-C-072", "PE-038 PE-016", "LO12S without a HI20 in its block is rejected", REJ(EFI_LOAD_ERROR, PE_RELOC_PAIR, 8),
    IN(.v = AX_LO12S_ALONE), exec_arch_reject },
  { "PE-C-073", "PE-038 PE-016", "a HI20 in the previous block does not pair with a LO12",
    REJ(EFI_LOAD_ERROR, PE_RELOC_PAIR, 12 + 8), IN(.v = AX_LO12_OTHER_BLOCK), exec_arch_reject },
  { "PE-C-074", "PE-039 PE-016", "a RISC-V value moved out of LUI reach is refused before any write",
    REJ(EFI_LOAD_ERROR, PE_RELOC_VALUE_RANGE, 10), IN(.v = AX_RV_RANGE), exec_arch_reject },
  { "PE-C-075", "PE-039 PE-016", "LO12s sharing one HI20 that need different upper bits are refused",
    REJ(EFI_LOAD_ERROR, PE_RELOC_VALUE_RANGE, 12), IN(.v = AX_RV_DISAGREE), exec_arch_reject },
  { "PE-C-076", "PE-014 PE-016", "type 8 in an ARMNT image is rejected", REJ(EFI_UNSUPPORTED, PE_RELOC_TYPE, 8),
    IN(.v = AX_TYPE8_ARMNT), exec_arch_reject },
  { "PE-C-077", "PE-014 PE-016", "type 5 in an AArch64 image is rejected", REJ(EFI_UNSUPPORTED, PE_RELOC_TYPE, 8),
    IN(.v = AX_TYPE5_AA64), exec_arch_reject },
  { "PE-C-078", "PE-034 PE-016", "HIGHADJ in an IA32 image is rejected by policy",
    REJ(EFI_UNSUPPORTED, PE_RELOC_TYPE_UNSUPPORTED, 8), IN(.v = AX_HIGHADJ_IA32), exec_arch_reject },
  { "PE-C-079", "PE-040 PE-016", "a PE32 image whose new base is below 4 GiB but whose end passes it is refused",
    REJ(EFI_INVALID_PARAMETER, PE_NEW_BASE, NOIDX), IN(.v = RJ_NEW_BASE_PE32_END), exec_reloc_reject },
  { "PE-C-080", "PE-040 PE-016", "a PE32+ image whose last byte would wrap past 2^64 at the new base is refused",
    REJ(EFI_INVALID_PARAMETER, PE_NEW_BASE, NOIDX), IN(.v = RJ_NEW_BASE_WRAP), exec_reloc_reject },
  { "PE-C-081", "PE-049 PE-016", "a record buffer inside the image being relocated is refused, nothing written",
    REJ(EFI_INVALID_PARAMETER, PE_FIXUP_BUFFER_OVERLAP, NOIDX), IN(.v = RJ_OVERLAP_RECORD), exec_reloc_reject },
  { "PE-C-082", "PE-049 PE-020", "runtime: a record lying inside the image is refused, nothing written",
    REJ(EFI_INVALID_PARAMETER, PE_FIXUP_BUFFER_OVERLAP, NOIDX), IN(.v = RT_OVERLAP), exec_runtime_reject },
  { "PE-C-083", "PE-050 PE-016", "a structural error in block 2 wins over a site-content error in block 1",
    REJ(EFI_UNSUPPORTED, PE_RELOC_TYPE, 12 + 8), IN(.v = AX_PRECEDENCE), exec_arch_reject },
};

const rp_case_group rp_group_pe = { "pe", pe_cases, sizeof(pe_cases) / sizeof(pe_cases[0]), NULL };
