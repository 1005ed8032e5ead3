/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* Memory and string primitives for the freestanding core (no libc). */
#ifndef RTPRM_MEM_H
#define RTPRM_MEM_H

#include <stddef.h>
#include <stdint.h>

void  *rp_memcpy(void *dst, const void *src, size_t n);
void  *rp_memmove(void *dst, const void *src, size_t n);
void  *rp_memset(void *dst, int c, size_t n);
int    rp_memcmp(const void *a, const void *b, size_t n);
size_t rp_strlen(const char *s);
int    rp_strcmp(const char *a, const char *b);

#endif /* RTPRM_MEM_H */
