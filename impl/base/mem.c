/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Byte-wise primitives. Deliberately simple: the hot loops of this project
 * (relocation, CRC) do their own wide accesses; these serve copies of
 * headers and small structures. Volatile-free: the compiler may vectorise.
 */
#include "rtprm/mem.h"

/* Bulk copy and fill are not coverage-instrumented in fuzzing builds: the
 * trace-compare callbacks on every byte of a loaded image would dominate an
 * execution and the loops have no branch worth guiding a fuzzer by. */
#if defined(__clang__) && __clang_major__ >= 13
#define RP_NO_FUZZ_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define RP_NO_FUZZ_COVERAGE
#endif

RP_NO_FUZZ_COVERAGE void *rp_memcpy(void *dst, const void *src, size_t n) {
  uint8_t *d = dst;
  const uint8_t *s = src;
  while (n--) *d++ = *s++;
  return dst;
}

void *rp_memmove(void *dst, const void *src, size_t n) {
  uint8_t *d = dst;
  const uint8_t *s = src;
  if (d == s || n == 0) return dst;
  if ((uintptr_t)d < (uintptr_t)s || (uintptr_t)d >= (uintptr_t)s + n) return rp_memcpy(dst, src, n);
  while (n--) d[n] = s[n];
  return dst;
}

RP_NO_FUZZ_COVERAGE void *rp_memset(void *dst, int c, size_t n) {
  uint8_t *d = dst;
  while (n--) *d++ = (uint8_t)c;
  return dst;
}

int rp_memcmp(const void *a, const void *b, size_t n) {
  const uint8_t *x = a, *y = b;
  for (size_t i = 0; i < n; i++) {
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

size_t rp_strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

int rp_strcmp(const char *a, const char *b) {
  while (*a && *a == *b) {
    a++;
    b++;
  }
  return (unsigned char)*a < (unsigned char)*b ? -1 : (unsigned char)*a > (unsigned char)*b;
}
