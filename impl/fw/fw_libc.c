/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * The four libc symbols a compiler may call on its own in freestanding code
 * (C11 §5.1.2.1 leaves them to the environment; clang emits them for struct
 * copies, large zero-initialisers and __builtin_mem*). Firmware images link
 * no libc, so this file provides them on top of the core's rp_mem*.
 *
 * No recursion risk: the core is compiled with -ffreestanding (implies
 * -fno-builtin), so the loops in rp_mem* are never turned back into calls
 * to memcpy/memset by loop-idiom recognition.
 */
#include <stddef.h>

#include "rtprm/mem.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int   memcmp(const void *a, const void *b, size_t n);

void *memcpy(void *dst, const void *src, size_t n) { return rp_memcpy(dst, src, n); }
void *memmove(void *dst, const void *src, size_t n) { return rp_memmove(dst, src, n); }
void *memset(void *dst, int c, size_t n) { return rp_memset(dst, c, n); }
int   memcmp(const void *a, const void *b, size_t n) { return rp_memcmp(a, b, n); }
