/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * RelocHeavy.efi: PE/COFF corpus image (impl/fw/testimages/CMakeLists.txt).
 *
 * Thousands of absolute pointers, each one a DIR64 base relocation:
 *   rh_data_ptrs   2048 pointers into rh_blob      (.data, writable)
 *   rh_func_ptrs   1024 pointers to 64 functions   (.rdata, const)
 *   rh_mixed       256 pointer pairs in a struct   (.data)
 * The tables are non-static and exported, so clang cannot fold them and
 * lld-link's /opt:ref keeps them. The entry point reads through the tables
 * so a loader that forgot to relocate would compute a different checksum,
 * but nothing runs this image: it is corpus material.
 *
 * Exported names are chosen so that the export name table (sorted by lld
 * in byte order) differs from source order: upper case < '_' < lower case,
 * digits before letters, "a10" before "a2".
 */
#include "rtprm/spec/uefi_base.h"

#define EXPORT __declspec(dllexport)

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, void *st);

/* 4 KiB of bytes the pointer table points into. */
EXPORT volatile unsigned char rh_blob[4096] = { 1, 2, 3, 4 };

/* Repetition helpers: R<n>(m, b) expands m(b), m(b+1), ..., m(b+n-1). */
#define R2(m, b)    m(b) m((b) + 1)
#define R4(m, b)    R2(m, b) R2(m, (b) + 2)
#define R8(m, b)    R4(m, b) R4(m, (b) + 4)
#define R16(m, b)   R8(m, b) R8(m, (b) + 8)
#define R32(m, b)   R16(m, b) R16(m, (b) + 16)
#define R64(m, b)   R32(m, b) R32(m, (b) + 32)
#define R128(m, b)  R64(m, b) R64(m, (b) + 64)
#define R256(m, b)  R128(m, b) R128(m, (b) + 128)
#define R512(m, b)  R256(m, b) R256(m, (b) + 256)
#define R1024(m, b) R512(m, b) R512(m, (b) + 512)
#define R2048(m, b) R1024(m, b) R1024(m, (b) + 1024)

/* 64 distinct functions (different constants, so the linker cannot fold them). */
typedef unsigned (*rh_fn)(unsigned);
#define RH_FN(n) unsigned rh_fn_##n(unsigned x);
#define RH_FN_DEF(n) \
  unsigned rh_fn_##n(unsigned x) { return x * (2u * (n) + 1u) + (n); }
/* Names must be literal tokens: spell the 64 indexes out. */
#define RH_FNS(X)                                                                        \
  X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15) \
  X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23) X(24) X(25) X(26) X(27) X(28) X(29)  \
  X(30) X(31) X(32) X(33) X(34) X(35) X(36) X(37) X(38) X(39) X(40) X(41) X(42) X(43)  \
  X(44) X(45) X(46) X(47) X(48) X(49) X(50) X(51) X(52) X(53) X(54) X(55) X(56) X(57)  \
  X(58) X(59) X(60) X(61) X(62) X(63)
RH_FNS(RH_FN)
RH_FNS(RH_FN_DEF)

#define RH_FN_REF(n) rh_fn_##n,

/* 2048 data pointers: rh_blob + 2*i. */
#define DPTR(i) (volatile unsigned char *)&rh_blob[(2 * (i)) & 4095],
EXPORT volatile unsigned char *rh_data_ptrs[2048] = { R2048(DPTR, 0) };

/* 1024 function pointers: 16 rounds over the 64 functions. */
#define FROUND(r) RH_FNS(RH_FN_REF)
EXPORT const rh_fn rh_func_ptrs[1024] = { R16(FROUND, 0) };

/* 256 structs of {data pointer, function pointer, tag}: 512 more relocations,
 * with a non-pointer field in between so targets are not all contiguous. */
struct rh_pair {
  volatile unsigned char *data;
  unsigned long long tag;
  rh_fn fn;
};
#define MIXED(i) { &rh_blob[(4095 - 3 * (i)) & 4095], 0x5AA5000000000000ull + (i), rh_fn_7 },
EXPORT struct rh_pair rh_mixed[256] = { R256(MIXED, 0) };

/* A few pointers at odd places: a pointer to the tables themselves and to the
 * entry point. */
EXPORT void *volatile rh_self[4] = { (void *)rh_data_ptrs, (void *)rh_func_ptrs, (void *)rh_mixed,
                                     (void *)efi_main };

/* Exported functions; names chosen for a non-trivial sort order. */
EXPORT unsigned Zeta(unsigned x);
EXPORT unsigned alpha(unsigned x);
EXPORT unsigned Beta(unsigned x);
EXPORT unsigned _under(unsigned x);
EXPORT unsigned a10(unsigned x);
EXPORT unsigned a2(unsigned x);
EXPORT unsigned RhChecksum(void);
EXPORT unsigned Zeta(unsigned x) { return rh_func_ptrs[x & 1023](x); }
EXPORT unsigned alpha(unsigned x) { return *rh_data_ptrs[x & 2047] + x; }
EXPORT unsigned Beta(unsigned x) { return rh_mixed[x & 255].fn(x) ^ *rh_mixed[x & 255].data; }
EXPORT unsigned _under(unsigned x) { return x ^ 0x5F; }
EXPORT unsigned a10(unsigned x) { return x + 10; }
EXPORT unsigned a2(unsigned x) { return x + 2; }
EXPORT unsigned RhChecksum(void) {
  unsigned sum = 0;
  for (unsigned i = 0; i < 2048; i++) sum = sum * 31u + (unsigned)(unsigned long long)rh_data_ptrs[i];
  for (unsigned i = 0; i < 1024; i++) sum = sum * 31u + rh_func_ptrs[i](i);
  for (unsigned i = 0; i < 256; i++) sum = sum * 31u + (unsigned)rh_mixed[i].tag + *rh_mixed[i].data;
  return sum;
}

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, void *st) {
  (void)image;
  (void)st;
  return RhChecksum() == 0 ? EFI_ABORTED : EFI_SUCCESS;
}
