/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* seed-mingw-x64-deffile.efi: boot service driver (subsystem 11), exports
 * from deffile.def: explicit ordinals (Base 3, holes in the address table),
 * a NONAME export and a forwarder. */
typedef unsigned long long u64;

u64 DfOne(u64 x);
u64 DfTwo(u64 x);
u64 DfHidden(u64 x);
u64 efi_main(void *image, void *st);
u64 DfOne(u64 x) { return x + 1; }
u64 DfTwo(u64 x) { return x + 2; }
u64 DfHidden(u64 x) { return x + 3; }
u64 DfData = 0x0123456789ABCDEFull;
u64 (*volatile DfPtrs[3])(u64) = { DfOne, DfTwo, DfHidden };

__attribute__((ms_abi)) u64 efi_main(void *image, void *st) {
  (void)image;
  (void)st;
  return DfPtrs[1](DfData) != 0 ? 0 : 0x8000000000000015ull;
}
