/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* seed-mingw-x64-app.efi: EFI application (subsystem 10) linked as an
 * executable (not -shared) by GNU ld. 33 absolute pointers (odd count per
 * page, so GNU ld pads the block with an ABSOLUTE entry); unwind tables kept
 * (.pdata/.xdata, exception directory). No exports. */
typedef unsigned long long u64;
typedef u64 (*fn_t)(u64);

u64 app_a(u64 x);
u64 app_b(u64 x);
u64 app_c(u64 x);
u64 efi_main(void *image, void *st);

u64 app_a(u64 x) { return x * 3 + 1; }
u64 app_b(u64 x) { return x ^ 0x1234; }
u64 app_c(u64 x) { return x >> 3; }

unsigned char app_bytes[256] = { 0x11, 0x22, 0x33 };
/* Non-static and volatile: GNU ld must keep each one as a DIR64 site. */
fn_t volatile app_fns[9] = { app_a, app_b, app_c, app_a, app_b, app_c, app_a, app_b, app_c };
unsigned char *volatile app_ptrs[24] = {
  &app_bytes[0], &app_bytes[8], &app_bytes[16], &app_bytes[24], &app_bytes[32], &app_bytes[40],
  &app_bytes[48], &app_bytes[56], &app_bytes[64], &app_bytes[72], &app_bytes[80], &app_bytes[88],
  &app_bytes[96], &app_bytes[104], &app_bytes[112], &app_bytes[120], &app_bytes[128], &app_bytes[136],
  &app_bytes[144], &app_bytes[152], &app_bytes[160], &app_bytes[168], &app_bytes[176], &app_bytes[255],
};

__attribute__((ms_abi)) u64 efi_main(void *image, void *st) {
  (void)image;
  (void)st;
  u64 s = 0;
  for (int i = 0; i < 9; i++) s += app_fns[i](i);
  for (int i = 0; i < 24; i++) s += *app_ptrs[i];
  return s == 0 ? 0x8000000000000015ull : 0;
}
