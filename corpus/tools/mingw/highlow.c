/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* seed-mingw-x64-highlow.efi: an x64 image (boot service driver, subsystem 11)
 * with 32-bit absolute addresses (IMAGE_REL_AMD64_ADDR32 -> HIGHLOW base
 * relocations) next to DIR64 ones. Linked at ImageBase 0x10000000 so the
 * 32-bit values are exact. */
typedef unsigned long long u64;

__declspec(dllexport) u64 hl_target(u64 x);
__declspec(dllexport) u64 efi_main(void *image, void *st);
__declspec(dllexport) u64 hl_target(u64 x) { return x + 32; }

/* Three HIGHLOW sites and one DIR64 site: three entries in the page, plus
 * the .refptr DIR64 GCC adds for the extern reference. */
__asm__(".data\n"
        ".globl hl_table\n"
        ".p2align 3\n"
        "hl_table:\n"
        "  .long hl_target\n"
        "  .long hl_target + 16\n"
        "  .long hl_table\n"
        "  .long 0\n"
        "  .quad hl_target\n"
        ".text\n");
extern volatile unsigned hl_table[6];

__attribute__((ms_abi)) __declspec(dllexport) u64 efi_main(void *image, void *st) {
  (void)image;
  (void)st;
  return hl_table[0] != 0 ? 0 : 0x8000000000000015ull;
}
