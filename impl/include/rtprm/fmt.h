/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * A small freestanding formatter for logs and CLI text. Supports %% %c %s %d
 * %i %u %x %X %p with flags '0' and '-', a width, and the length modifiers
 * hh h l ll z. The output is always NUL-terminated when cap > 0 and is
 * truncated, never overrun; the return value is the length it would have had.
 */
#ifndef RTPRM_FMT_H
#define RTPRM_FMT_H

#include <stdarg.h>
#include <stddef.h>

size_t rp_vsnprintf(char *out, size_t cap, const char *fmt, va_list ap);
size_t rp_snprintf(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* RTPRM_FMT_H */
