/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Relocation site encoders (PE/COFF spec §5.6.2): the new bytes of one site
 * for a load delta, for every type pe_reloc.c walks. Pure functions over
 * bytes the caller has copied out and bounded; no view, no state.
 */
#include "pe_internal.h"

#include "rtprm/mem.h"

/* Thumb-2 MOVW (T3) / MOVT (T1) at p: imm16 = imm4:i:imm3:imm8 (ARM ARM
 * A7.7.76 / A7.7.79). */
static bool t_mov_ok(const uint8_t *p, uint16_t op) {
  return (rp_le16(p) & 0xFBF0u) == op && (rp_le16(p + 2) & 0x8000u) == 0;
}
static uint32_t t_imm(const uint8_t *p) {
  uint16_t a = rp_le16(p), b = rp_le16(p + 2);
  return (uint32_t)(a & 0xFu) << 12 | (uint32_t)((a >> 10) & 1u) << 11 | (uint32_t)((b >> 12) & 7u) << 8 | (b & 0xFFu);
}
static void t_set(uint8_t *p, uint32_t imm) {
  uint16_t a = rp_le16(p), b = rp_le16(p + 2);
  a = (uint16_t)((a & ~0x040Fu) | ((imm >> 12) & 0xFu) | ((imm >> 11) & 1u) << 10);
  b = (uint16_t)((b & ~0x70FFu) | ((imm >> 8) & 7u) << 12 | (imm & 0xFFu));
  rp_put_le16(p, a);
  rp_put_le16(p + 2, b);
}

/* ARM MOVW (A2) / MOVT (A1): imm16 = imm4:imm12. */
static bool a_mov_ok(const uint8_t *p, uint32_t op) { return (rp_le32(p) & 0x0FF00000u) == op; }
static uint32_t a_imm(const uint8_t *p) { return (rp_le32(p) >> 16 & 0xFu) << 12 | (rp_le32(p) & 0xFFFu); }
static void a_set(uint8_t *p, uint32_t imm) {
  rp_put_le32(p, (rp_le32(p) & ~0x000F0FFFu) | ((imm >> 12) & 0xFu) << 16 | (imm & 0xFFFu));
}

static bool mov32_patch(pe_rkind k, const uint8_t *cur, uint64_t delta, uint8_t *out) {
  bool t = k == PK_MOV32T;
  uint32_t v;
  if (t ? !(t_mov_ok(cur, 0xF240u) && t_mov_ok(cur + 4, 0xF2C0u))
        : !(a_mov_ok(cur, 0x03000000u) && a_mov_ok(cur + 4, 0x03400000u)))
    return false;
  v = (t ? (t_imm(cur + 4) << 16 | t_imm(cur)) : (a_imm(cur + 4) << 16 | a_imm(cur))) + (uint32_t)delta;
  rp_memcpy(out, cur, 8);
  if (t) {
    t_set(out, v & 0xFFFFu);
    t_set(out + 4, v >> 16);
  } else {
    a_set(out, v & 0xFFFFu);
    a_set(out + 4, v >> 16);
  }
  return true;
}

/* LoongArch lu12i.w / ori / lu32i.d / lu52i.d: bits 31:12, 11:0, 51:32 and
 * 63:52 of the value (LoongArch ISA manual §2.2). */
static bool la_ok(const uint8_t *p) {
  return (rp_le32(p) & 0xFE000000u) == 0x14000000u && (rp_le32(p + 4) & 0xFFC00000u) == 0x03800000u &&
         (rp_le32(p + 8) & 0xFE000000u) == 0x16000000u && (rp_le32(p + 12) & 0xFFC00000u) == 0x03000000u;
}
uint64_t pe_la_value(const uint8_t *p) {
  return (uint64_t)(rp_le32(p) >> 5 & 0xFFFFFu) << 12 | (uint64_t)(rp_le32(p + 4) >> 10 & 0xFFFu) |
         (uint64_t)(rp_le32(p + 8) >> 5 & 0xFFFFFu) << 32 | (uint64_t)(rp_le32(p + 12) >> 10 & 0xFFFu) << 52;
}
static void la_set(uint8_t *p, uint64_t v) {
  rp_put_le32(p, (rp_le32(p) & ~(0xFFFFFu << 5)) | (uint32_t)(v >> 12 & 0xFFFFFu) << 5);
  rp_put_le32(p + 4, (rp_le32(p + 4) & ~(0xFFFu << 10)) | (uint32_t)(v & 0xFFFu) << 10);
  rp_put_le32(p + 8, (rp_le32(p + 8) & ~(0xFFFFFu << 5)) | (uint32_t)(v >> 32 & 0xFFFFFu) << 5);
  rp_put_le32(p + 12, (rp_le32(p + 12) & ~(0xFFFu << 10)) | (uint32_t)(v >> 52 & 0xFFFu) << 10);
}

bool pe_site_patch(pe_rkind k, const uint8_t *cur, uint64_t delta, uint8_t *out) {
  switch (k) {
  case PK_HIGH: rp_put_le16(out, (uint16_t)(rp_le16(cur) + (uint16_t)((uint32_t)delta >> 16))); return true;
  case PK_LOW: rp_put_le16(out, (uint16_t)(rp_le16(cur) + (uint16_t)delta)); return true;
  case PK_HIGHLOW: rp_put_le32(out, rp_le32(cur) + (uint32_t)delta); return true;
  case PK_DIR64: rp_put_le64(out, rp_le64(cur) + delta); return true;
  case PK_MOV32T:
  case PK_MOV32A: return mov32_patch(k, cur, delta, out);
  case PK_MARK_LA:
    if (!la_ok(cur)) return false;
    rp_memcpy(out, cur, 16);
    la_set(out, pe_la_value(cur) + delta);
    return true;
  default: return false;
  }
}

/* RISC-V: LUI (opcode 0x37) then an I-type (addi/addiw/loads/jalr) or
 * S-type (stores) using %lo (RISC-V unprivileged ISA §2.4, §2.6). */
bool pe_rv_hi_ok(uint32_t insn) { return (insn & 0x7Fu) == 0x37u; }

bool pe_rv_lo_ok(pe_rkind k, uint32_t insn) {
  uint32_t op = insn & 0x7Fu, f3 = (insn >> 12) & 7u;
  if (k == PK_LO12S) return op == 0x23u || op == 0x27u;
  return op == 0x03u || op == 0x07u || op == 0x67u || ((op == 0x13u || op == 0x1Bu) && f3 == 0);
}

static int64_t sext12(uint32_t v) { return (int64_t)((int32_t)(v << 20) >> 20); }
static uint32_t rv_lo_imm(pe_rkind k, uint32_t i) {
  return k == PK_LO12S ? ((i >> 25) << 5 | ((i >> 7) & 0x1Fu)) : (i >> 20);
}

bool pe_rv_pair(pe_rkind k, uint32_t hi, uint32_t lo, uint64_t delta, uint32_t *hi_out, uint32_t *lo_out) {
  uint64_t v = (uint64_t)(int64_t)(int32_t)(hi & 0xFFFFF000u) + (uint64_t)sext12(rv_lo_imm(k, lo)) + delta;
  uint32_t l = (uint32_t)v & 0xFFFu;
  uint64_t h = v - (uint64_t)sext12(l);
  if ((int64_t)h != (int64_t)(int32_t)(uint32_t)h) return false;
  *hi_out = (hi & 0xFFFu) | ((uint32_t)h & 0xFFFFF000u);
  if (k == PK_LO12S) {
    *lo_out = (lo & 0x01FFF07Fu) | (l >> 5) << 25 | (l & 0x1Fu) << 7;
  } else {
    *lo_out = (lo & 0x000FFFFFu) | l << 20;
  }
  return true;
}
