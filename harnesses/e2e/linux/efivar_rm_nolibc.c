/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * efivar_rm FILE for the arm64 e2e initramfs: the same job as efivar_rm.c
 * (efivarfs creates files immutable and busybox-static has no chattr: clear
 * FS_IMMUTABLE_FL, then unlink), without a C library, so it builds on the x64
 * host with clang + lld alone (Debian has no static arm64 libc unless
 * libc6-dev-arm64-cross is installed):
 *
 *   clang-14 --target=aarch64-linux-gnu -ffreestanding -nostdlib -nostdinc -static
 *            --ld-path=ld.lld-14 -Wl,-e,rp_start -o efivar_rm efivar_rm_nolibc.c
 *
 * Linux's generic syscall numbers (asm-generic/unistd.h) and the ioctl
 * encoding (_IOR/_IOW('f', 1/2, long): 8-byte argument size on LP64).
 */
#if !defined(__aarch64__)
#error "efivar_rm_nolibc.c is the arm64 build; x64 uses efivar_rm.c"
#endif

#define SYS_UNLINKAT 35
#define SYS_IOCTL 29
#define SYS_OPENAT 56
#define SYS_CLOSE 57
#define SYS_WRITE 64
#define SYS_EXIT 93
#define AT_FDCWD (-100)
#define O_RDONLY 0
#define FS_IOC_GETFLAGS 0x80086601UL
#define FS_IOC_SETFLAGS 0x40086602UL
#define FS_IMMUTABLE_FL 0x00000010L

static long sys3(long n, long a, long b, long c) {
  register long x8 __asm__("x8") = n;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  __asm__ __volatile__("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory", "cc");
  return x0;
}

static unsigned long len(const char *s) {
  unsigned long n = 0;
  while (s[n] != '\0') n++;
  return n;
}

static void say(const char *a, const char *b) {
  (void)sys3(SYS_WRITE, 2, (long)a, (long)len(a));
  (void)sys3(SYS_WRITE, 2, (long)b, (long)len(b));
  (void)sys3(SYS_WRITE, 2, (long)"\n", 1);
}

static int rm(int argc, char **argv) {
  long flags = 0, fd;
  if (argc != 2) {
    say("usage: efivar_rm ", "FILE");
    return 2;
  }
  fd = sys3(SYS_OPENAT, AT_FDCWD, (long)argv[1], O_RDONLY);
  if (fd < 0 || sys3(SYS_IOCTL, fd, (long)FS_IOC_GETFLAGS, (long)&flags) != 0) {
    say("efivar_rm: cannot open or read the flags of ", argv[1]);
    return 1;
  }
  flags &= ~FS_IMMUTABLE_FL;
  if (sys3(SYS_IOCTL, fd, (long)FS_IOC_SETFLAGS, (long)&flags) != 0) {
    say("efivar_rm: FS_IOC_SETFLAGS failed on ", argv[1]);
    return 1;
  }
  (void)sys3(SYS_CLOSE, fd, 0, 0);
  if (sys3(SYS_UNLINKAT, AT_FDCWD, (long)argv[1], 0) != 0) {
    say("efivar_rm: unlink failed: ", argv[1]);
    return 1;
  }
  return 0;
}

/* The kernel enters with sp at argc, then the argv pointers (AArch64 ELF
 * process start, the System V initial stack layout). */
void rp_start_c(long *sp) __attribute__((noreturn, used));
void rp_start_c(long *sp) {
  (void)sys3(SYS_EXIT, rm((int)sp[0], (char **)(sp + 1)), 0, 0);
  for (;;) {}
}

__asm__(".globl rp_start\n"
        ".type rp_start, %function\n"
        "rp_start:\n"
        "  mov x29, #0\n"
        "  mov x30, #0\n"
        "  mov x0, sp\n"
        "  b rp_start_c\n");
