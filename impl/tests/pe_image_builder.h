/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * In-memory PE image builder shared by the PE/COFF unit tests: PE32+ x64 by
 * default, SectionAlignment == FileAlignment == 0x1000 so the file and the
 * mapped image coincide, three sections .text (RX) 0x1000, .data (RW)
 * 0x2000, .reloc (R) 0x3000. Each test executable gets its own buffers.
 * Include after <cmocka.h> (load_mapped asserts).
 */
#ifndef RTPRM_TESTS_PE_IMAGE_BUILDER_H
#define RTPRM_TESTS_PE_IMAGE_BUILDER_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "rtprm/pe.h"
#include "rtprm/spec/pecoff.h"

#define IMG_SIZE 0x4000u
#define LFANEW   0x80u
#define FH       (LFANEW + 4u)
#define OPT      (FH + 20u)
#define TEXT     0x1000u
#define DATA     0x2000u
#define RELOC    0x3000u
#define BASE64   0x140000000ull
#define BASE32   0x10000000ull

typedef struct {
  uint16_t machine;
  bool     plus;
  uint32_t nrva;
  uint32_t fa;
  uint16_t chars;
} spec;

static uint8_t g_img[IMG_SIZE] __attribute__((aligned(16)));
static uint8_t g_map[IMG_SIZE] __attribute__((aligned(16)));
static uint8_t g_ref[IMG_SIZE] __attribute__((aligned(16)));
static uint64_t g_rec[4096];

static inline void w16(uint8_t *b, uint32_t off, uint16_t v) { memcpy(b + off, &v, 2); }
static inline void w32(uint8_t *b, uint32_t off, uint32_t v) { memcpy(b + off, &v, 4); }
static inline void w64(uint8_t *b, uint32_t off, uint64_t v) { memcpy(b + off, &v, 8); }
static inline uint16_t r16(const uint8_t *b, uint32_t off) { uint16_t v; memcpy(&v, b + off, 2); return v; }
static inline uint32_t r32(const uint8_t *b, uint32_t off) { uint32_t v; memcpy(&v, b + off, 4); return v; }
static inline uint64_t r64(const uint8_t *b, uint32_t off) { uint64_t v; memcpy(&v, b + off, 8); return v; }

static inline uint32_t opt_size(bool plus) { return plus ? sizeof(IMAGE_OPTIONAL_HEADER64) : sizeof(IMAGE_OPTIONAL_HEADER32); }
static inline uint32_t sect_off(bool plus, uint32_t i) { return OPT + opt_size(plus) + 40u * i; }
static inline uint32_t dir_off(bool plus, uint32_t i) { return OPT + (plus ? 112u : 96u) + 8u * i; }
static inline uint32_t base_off(bool plus) { return OPT + (plus ? 24u : 28u); }

static inline void add_section(bool plus, uint32_t i, const char *name, uint32_t va, uint32_t chars) {
  uint32_t s = sect_off(plus, i);
  memcpy(g_img + s, name, strlen(name));
  w32(g_img, s + 8, 0x1000);  /* VirtualSize */
  w32(g_img, s + 12, va);
  w32(g_img, s + 16, 0x1000); /* SizeOfRawData */
  w32(g_img, s + 20, va);     /* PointerToRawData */
  w32(g_img, s + 36, chars);
}

/* Builds the default image for machine into g_img (headers only). */
static inline void build_spec(const spec *sp) {
  bool plus = sp->plus;
  memset(g_img, 0, sizeof(g_img));
  w16(g_img, 0, IMAGE_DOS_SIGNATURE);
  w32(g_img, IMAGE_DOS_LFANEW_OFFSET, LFANEW);
  w32(g_img, LFANEW, IMAGE_NT_SIGNATURE);
  w16(g_img, FH + 0, sp->machine);
  w16(g_img, FH + 2, 3);
  w16(g_img, FH + 16, (uint16_t)opt_size(plus));
  w16(g_img, FH + 18, sp->chars);
  w16(g_img, OPT, plus ? IMAGE_NT_OPTIONAL_HDR64_MAGIC : IMAGE_NT_OPTIONAL_HDR32_MAGIC);
  w32(g_img, OPT + 16, TEXT); /* entry */
  if (plus) {
    w64(g_img, OPT + 24, BASE64);
  } else {
    w32(g_img, OPT + 28, (uint32_t)BASE32);
  }
  w32(g_img, OPT + 32, 0x1000);
  w32(g_img, OPT + 36, sp->fa);
  w32(g_img, OPT + 56, IMG_SIZE);
  w32(g_img, OPT + 60, 0x400);
  w16(g_img, OPT + 68, IMAGE_SUBSYSTEM_EFI_RUNTIME_DRIVER);
  w32(g_img, OPT + (plus ? 108u : 92u), sp->nrva);
  add_section(plus, 0, ".text", TEXT, IMAGE_SCN_CNT_CODE | IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_MEM_READ);
  add_section(plus, 1, ".data", DATA, IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ | IMAGE_SCN_MEM_WRITE);
  add_section(plus, 2, ".reloc", RELOC, IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ);
}

static inline bool is_plus(uint16_t m) {
  return m == IMAGE_FILE_MACHINE_AMD64 || m == IMAGE_FILE_MACHINE_ARM64 || m == IMAGE_FILE_MACHINE_RISCV64 ||
         m == IMAGE_FILE_MACHINE_LOONGARCH64;
}

static inline void build(uint16_t machine) {
  spec sp = { machine, is_plus(machine), 16, 0x1000, IMAGE_FILE_EXECUTABLE_IMAGE };
  build_spec(&sp);
}

static inline void set_dir(uint32_t i, uint32_t rva, uint32_t size) {
  bool plus = r16(g_img, OPT) == IMAGE_NT_OPTIONAL_HDR64_MAGIC;
  w32(g_img, dir_off(plus, i), rva);
  w32(g_img, dir_off(plus, i) + 4, size);
}

/* Appends a block at RELOC + *at; pads odd counts with ABSOLUTE. */
static inline void add_block(uint32_t *at, uint32_t page, const uint16_t *e, uint32_t n) {
  uint32_t sob = 8 + 2 * n + ((n & 1) ? 2 : 0);
  w32(g_img, RELOC + *at, page);
  w32(g_img, RELOC + *at + 4, sob);
  for (uint32_t i = 0; i < n; i++) w16(g_img, RELOC + *at + 8 + 2 * i, e[i]);
  *at += sob;
}

#define E(type, off) ((uint16_t)((type) << 12 | (off)))

/* The mixed x64 image: HIGH, HIGHLOW, LOW, DIR64, LOW, HIGHLOW (+ pad). */
static inline void build_mixed(void) {
  uint32_t at = 0;
  const uint16_t e[] = { E(1, 0x20), E(3, 0x00), E(2, 0x30), E(10, 0x10), E(2, 0x32), E(3, 0x40), E(0, 0) };
  build(IMAGE_FILE_MACHINE_AMD64);
  w32(g_img, DATA + 0x00, 0x40001000u);
  w64(g_img, DATA + 0x10, 0x140001000ull);
  w16(g_img, DATA + 0x20, 0x1234);
  w16(g_img, DATA + 0x30, 0x5678);
  w16(g_img, DATA + 0x32, 0x9ABC);
  w32(g_img, DATA + 0x40, 0x11111111u);
  add_block(&at, DATA, e, 7);
  set_dir(5, RELOC, at);
}

static inline EFI_STATUS parse_file(rp_pe_image *img, rp_diag *d) {
  return rp_pe_parse(rp_bytes_of(g_img, IMG_SIZE), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, img, d);
}

/* Load g_img (len bytes) into g_map and parse the mapped image under
 * `profile`; returns its SizeOfImage. */
static inline uint32_t load_mapped_as(rp_pe_image *mapped, size_t len, rp_pe_profile profile) {
  static rp_pe_image file;
  assert_int_equal(rp_pe_parse(rp_bytes_of(g_img, len), RP_PE_LAYOUT_FILE, profile, &file, NULL), EFI_SUCCESS);
  assert_int_equal(rp_pe_load(&file, rp_mbytes_of(g_map, file.size_of_image), NULL), EFI_SUCCESS);
  assert_int_equal(rp_pe_parse(rp_bytes_of(g_map, file.size_of_image), RP_PE_LAYOUT_MAPPED, profile, mapped, NULL),
                   EFI_SUCCESS);
  return file.size_of_image;
}

/* Load g_img into g_map and parse the mapped image. */
static inline void load_mapped(rp_pe_image *mapped) { (void)load_mapped_as(mapped, IMG_SIZE, RP_PE_PROFILE_COMPAT); }

/* Export directory at .data: header, EAT, name pointers, ordinals, strings. */
#define EXP  DATA
#define EAT  (DATA + 0x40)
#define ENPT (DATA + 0x80)
#define EOT  (DATA + 0xC0)
#define ESTR (DATA + 0x100)

/* names[i] -> ordinal ords[i]; EAT entries eat[0..nf). */
static inline void build_exports(uint32_t base, const char *const *names, const uint16_t *ords, uint32_t nn,
                          const uint32_t *eat, uint32_t nf) {
  uint32_t s = ESTR;
  build(IMAGE_FILE_MACHINE_AMD64);
  w32(g_img, EXP + 12, s);
  memcpy(g_img + s, "mod.efi", 8);
  s += 8;
  w32(g_img, EXP + 16, base);
  w32(g_img, EXP + 20, nf);
  w32(g_img, EXP + 24, nn);
  w32(g_img, EXP + 28, EAT);
  w32(g_img, EXP + 32, ENPT);
  w32(g_img, EXP + 36, EOT);
  for (uint32_t i = 0; i < nf; i++) w32(g_img, EAT + 4 * i, eat[i]);
  for (uint32_t i = 0; i < nn; i++) {
    w32(g_img, ENPT + 4 * i, s);
    w16(g_img, EOT + 2 * i, ords[i]);
    memcpy(g_img + s, names[i], strlen(names[i]) + 1);
    s += (uint32_t)strlen(names[i]) + 1;
  }
  set_dir(0, EXP, 0x200);
}

/* Instruction encoders: Thumb-2 MOVW/MOVT r0 (ARM ARM A7.7.76, A7.7.79),
 * RISC-V lui/addi a0 and sd a1 (ISA §2.4, §2.6), LoongArch lu12i.w/ori/
 * lu32i.d/lu52i.d $a0 (ISA §2.2). */
static inline void thumb_mov(uint8_t *p, uint16_t op, uint32_t imm) {
  w16(p, 0, (uint16_t)(op | (imm >> 12 & 0xF) | (imm >> 11 & 1) << 10));
  w16(p, 2, (uint16_t)((imm >> 8 & 7) << 12 | (imm & 0xFF)));
}
static inline uint32_t rv_lui(uint32_t v) { return ((v + 0x800) & 0xFFFFF000u) | 10u << 7 | 0x37; }
static inline uint32_t rv_addi(uint32_t v) { return (v & 0xFFF) << 20 | 10u << 15 | 10u << 7 | 0x13; }
static inline uint32_t rv_sd(uint32_t v) {
  return ((v >> 5) & 0x7F) << 25 | 11u << 20 | 10u << 15 | 3u << 12 | (v & 0x1F) << 7 | 0x23;
}
static inline void la_seq(uint8_t *p, uint64_t v) {
  w32(p, 0, 0x14000000u | (uint32_t)(v >> 12 & 0xFFFFF) << 5 | 4);
  w32(p, 4, 0x03800000u | (uint32_t)(v & 0xFFF) << 10 | 4u << 5 | 4);
  w32(p, 8, 0x16000000u | (uint32_t)(v >> 32 & 0xFFFFF) << 5 | 4);
  w32(p, 12, 0x03000000u | (uint32_t)(v >> 52 & 0xFFF) << 10 | 4u << 5 | 4);
}

/* ---- files with a certificate table (Authenticode tests and cases) ---- */
#define FILE_MAX (IMG_SIZE + 0x100u)
static uint8_t g_file[FILE_MAX];

/* The default image with SizeOfHeaders 0x1000 (no gap before .text) and
 * `extra` bytes of g_file after the sections. */
static inline size_t build_file(uint16_t machine, uint32_t extra) {
  build(machine);
  w32(g_img, OPT + 60, 0x1000);
  memset(g_file, 0, sizeof(g_file));
  memcpy(g_file, g_img, IMG_SIZE);
  return IMG_SIZE + extra;
}

/* A certificate table of `n` WIN_CERTIFICATE entries of the given
 * dwLengths at `off` (each padded to 8), recorded in directory 4. */
static inline uint32_t add_table(bool plus, uint32_t off, const uint32_t *lens, uint32_t n) {
  uint32_t at = off;
  for (uint32_t i = 0; i < n; i++) {
    w32(g_file, at, lens[i]);
    w16(g_file, at + 4, RP_WIN_CERT_REVISION_2_0);
    w16(g_file, at + 6, RP_WIN_CERT_TYPE_PKCS_SIGNED);
    g_file[at + 8] = (uint8_t)(0xA0 + i);
    at += (lens[i] + 7u) & ~7u;
  }
  w32(g_file, dir_off(plus, IMAGE_DIRECTORY_ENTRY_SECURITY), off);
  w32(g_file, dir_off(plus, IMAGE_DIRECTORY_ENTRY_SECURITY) + 4, at - off);
  return at - off;
}

#endif /* RTPRM_TESTS_PE_IMAGE_BUILDER_H */
