/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * efivar_rm FILE: deletes an efivarfs variable from the e2e initramfs.
 * efivarfs creates files immutable (FS_IMMUTABLE_FL) and Debian's
 * busybox-static has no chattr, so this clears the flag and unlinks.
 * Built statically on the host (gcc -static) by linux_run.py.
 */
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int fd, flags = 0;
  if (argc != 2) {
    fprintf(stderr, "usage: efivar_rm FILE\n");
    return 2;
  }
  fd = open(argv[1], O_RDONLY);
  if (fd < 0 || ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0) {
    perror(argv[1]);
    return 1;
  }
  flags &= ~FS_IMMUTABLE_FL;
  if (ioctl(fd, FS_IOC_SETFLAGS, &flags) != 0) {
    perror("FS_IOC_SETFLAGS");
    return 1;
  }
  close(fd);
  if (unlink(argv[1]) != 0) {
    perror("unlink");
    return 1;
  }
  return 0;
}
