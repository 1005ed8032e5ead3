/* SPDX-License-Identifier: BSD-2-Clause-Patent */
#include "rtprm/fmt.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct {
  char  *out;
  size_t cap;
  size_t len; /* length the output would have without truncation */
} sink;

static void put(sink *s, char c) {
  if (s->len + 1 < s->cap) s->out[s->len] = c;
  s->len++;
}

typedef struct {
  bool     left;
  bool     zero;
  unsigned width;
} spec;

static void pad(sink *s, unsigned n, char c) {
  while (n--) put(s, c);
}

static void put_str(sink *s, const char *str, const spec *sp) {
  size_t n = 0;
  if (str == NULL) str = "(null)";
  while (str[n]) n++;
  unsigned fill = sp->width > n ? sp->width - (unsigned)n : 0;
  if (!sp->left) pad(s, fill, ' ');
  for (size_t i = 0; i < n; i++) put(s, str[i]);
  if (sp->left) pad(s, fill, ' ');
}

static void put_num(sink *s, uint64_t v, unsigned base, bool upper, bool neg, const spec *sp) {
  char digits[24];
  unsigned n = 0;
  const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  do {
    digits[n++] = set[v % base];
    v /= base;
  } while (v != 0);
  unsigned len = n + (neg ? 1u : 0u);
  unsigned fill = sp->width > len ? sp->width - len : 0;
  if (!sp->left && !sp->zero) pad(s, fill, ' ');
  if (neg) put(s, '-');
  if (!sp->left && sp->zero) pad(s, fill, '0');
  while (n) put(s, digits[--n]);
  if (sp->left) pad(s, fill, ' ');
}

/* Length modifier: 0 int, 1 long, 2 long long, 3 size_t, -1 short, -2 char. */
static int parse_length(const char **f) {
  int len = 0;
  if (**f == 'h') {
    (*f)++;
    len = -1;
    if (**f == 'h') { (*f)++; len = -2; }
  } else if (**f == 'l') {
    (*f)++;
    len = 1;
    if (**f == 'l') { (*f)++; len = 2; }
  } else if (**f == 'z') {
    (*f)++;
    len = 3;
  }
  return len;
}

static uint64_t take_unsigned(va_list *ap, int len) {
  switch (len) {
  case 1: return va_arg(*ap, unsigned long);
  case 2: return va_arg(*ap, unsigned long long);
  case 3: return va_arg(*ap, size_t);
  case -1: return (uint16_t)va_arg(*ap, unsigned int);
  case -2: return (uint8_t)va_arg(*ap, unsigned int);
  default: return va_arg(*ap, unsigned int);
  }
}

static int64_t take_signed(va_list *ap, int len) {
  switch (len) {
  case 1: return va_arg(*ap, long);
  case 2: return va_arg(*ap, long long);
  case 3: return (int64_t)va_arg(*ap, size_t);
  case -1: return (int16_t)va_arg(*ap, int);
  case -2: return (int8_t)va_arg(*ap, int);
  default: return va_arg(*ap, int);
  }
}

static void format_one(sink *s, const char **f, va_list *ap) {
  spec sp = { false, false, 0 };
  for (;; (*f)++) {
    if (**f == '-') sp.left = true;
    else if (**f == '0') sp.zero = true;
    else break;
  }
  while (**f >= '0' && **f <= '9') sp.width = sp.width * 10 + (unsigned)(*(*f)++ - '0');
  int len = parse_length(f);
  char conv = **f;
  if (conv == '\0') return;
  (*f)++;
  switch (conv) {
  case '%': put(s, '%'); break;
  case 'c': put(s, (char)va_arg(*ap, int)); break;
  case 's': put_str(s, va_arg(*ap, const char *), &sp); break;
  case 'd':
  case 'i': {
    int64_t v = take_signed(ap, len);
    put_num(s, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, 10, false, v < 0, &sp);
    break;
  }
  case 'u': put_num(s, take_unsigned(ap, len), 10, false, false, &sp); break;
  case 'x': put_num(s, take_unsigned(ap, len), 16, false, false, &sp); break;
  case 'X': put_num(s, take_unsigned(ap, len), 16, true, false, &sp); break;
  case 'p':
    put(s, '0');
    put(s, 'x');
    put_num(s, (uint64_t)(uintptr_t)va_arg(*ap, void *), 16, false, false, &sp);
    break;
  default: /* unknown conversion: print it literally */
    put(s, '%');
    put(s, conv);
    break;
  }
}

size_t rp_vsnprintf(char *out, size_t cap, const char *fmt, va_list ap) {
  sink s = { out, cap, 0 };
  va_list args;
  va_copy(args, ap);
  while (*fmt) {
    if (*fmt != '%') {
      put(&s, *fmt++);
      continue;
    }
    fmt++;
    format_one(&s, &fmt, &args);
  }
  va_end(args);
  if (cap > 0) out[s.len < cap ? s.len : cap - 1] = '\0';
  return s.len;
}

size_t rp_snprintf(char *out, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  size_t n = rp_vsnprintf(out, cap, fmt, ap);
  va_end(ap);
  return n;
}
