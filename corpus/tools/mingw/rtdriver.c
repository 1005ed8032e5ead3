/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* seed-mingw-x64-rtdriver.efi: EFI runtime driver (subsystem 12) linked
 * -shared by GNU ld, exports by __declspec(dllexport) (GNU ld: ordinal Base 1,
 * no empty slot). Absolute pointers in .data and in .rdata. */
typedef unsigned long long u64;
typedef u64 (*fn_t)(u64);

#define EXPORT __declspec(dllexport)
EXPORT u64 RtGet(u64 x);
EXPORT u64 RtSet(u64 x);
EXPORT u64 rt_lower(u64 x);
EXPORT u64 _RtUnder(u64 x);
EXPORT u64 efi_main(void *image, void *st);

EXPORT u64 RtGet(u64 x) { return x + 7; }
EXPORT u64 RtSet(u64 x) { return x * 7; }
EXPORT u64 rt_lower(u64 x) { return x | 0x20; }
EXPORT u64 _RtUnder(u64 x) { return x - 1; }

EXPORT u64 RtCounter = 5;
EXPORT fn_t volatile RtDispatch[5] = { RtGet, RtSet, rt_lower, _RtUnder, 0 };
EXPORT u64 *volatile RtCounterPtr = &RtCounter;
EXPORT const fn_t RtConstTable[3] = { RtSet, RtGet, _RtUnder };

__attribute__((ms_abi)) EXPORT u64 efi_main(void *image, void *st) {
  (void)image;
  (void)st;
  return RtDispatch[0](*RtCounterPtr) + RtConstTable[2](1) == 12 ? 0 : 0x8000000000000015ull;
}
