/* SPDX-License-Identifier: BSD-2-Clause-Patent */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

bool cli_read_file(const char *path, uint8_t **data, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "rtprm: %s: %s\n", path, strerror(errno));
    return false;
  }
  size_t cap = 1 << 16, n = 0, got;
  uint8_t *buf = malloc(cap);
  while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      uint8_t *bigger = realloc(buf, cap * 2);
      if (bigger == NULL) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = bigger;
      cap *= 2;
    }
  }
  bool ok = buf != NULL && !ferror(f);
  fclose(f);
  if (!ok) {
    fprintf(stderr, "rtprm: %s: read failed\n", path);
    free(buf);
    return false;
  }
  *data = buf;
  *len = n;
  return true;
}

int cli_reject(EFI_STATUS s, const rp_diag *d, const char *what) {
  fprintf(stderr, "rtprm: %s: %s (0x%04X)", what, rp_reason_name(d->reason), (unsigned)d->reason);
  if (d->index != RP_DIAG_NO_INDEX) fprintf(stderr, " at %llu", (unsigned long long)d->index);
  fprintf(stderr, ": %s [%s]\n", rp_reason_text(d->reason), rp_status_name(s));
  return CLI_INVALID;
}

static bool has_finding(const rp_findings *f, const rp_finding *x) {
  for (uint32_t i = 0; i < rp_findings_kept(f); i++)
    if (f->item[i].reason == x->reason && f->item[i].index == x->index) return true;
  return false;
}

void cli_findings_merge(rp_findings *dst, const rp_findings *src) {
  for (uint32_t i = 0; i < rp_findings_kept(src); i++)
    if (!has_finding(dst, &src->item[i])) rp_findings_add(dst, src->item[i].reason, src->item[i].index);
}

void cli_warn_findings(const rp_findings *f, const char *what) {
  for (uint32_t i = 0; i < rp_findings_kept(f); i++) {
    const rp_finding *x = &f->item[i];
    fprintf(stderr, "rtprm: warning: %s: %s (0x%04X)", what, rp_reason_name(x->reason), (unsigned)x->reason);
    if (x->index != RP_DIAG_NO_INDEX) fprintf(stderr, " at %llu", (unsigned long long)x->index);
    fprintf(stderr, ": %s\n", rp_reason_text(x->reason));
  }
  if (f->count > rp_findings_kept(f))
    fprintf(stderr, "rtprm: warning: %s: %u more finding(s) not listed\n", what, f->count - rp_findings_kept(f));
}

void cli_json_findings(const rp_findings *f) {
  printf("[");
  for (uint32_t i = 0; i < rp_findings_kept(f); i++) {
    const rp_finding *x = &f->item[i];
    printf("%s{\"reason\": \"%s\", \"code\": %u, \"index\": ", i ? ", " : "", rp_reason_name(x->reason),
           (unsigned)x->reason);
    if (x->index == RP_DIAG_NO_INDEX) printf("null");
    else printf("%llu", (unsigned long long)x->index);
    printf(", \"text\": ");
    cli_json_string(rp_reason_text(x->reason));
    printf("}");
  }
  printf("]");
}

int cli_usage(const char *fmt, ...) {
  va_list ap;
  fputs("rtprm: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputs(" (rtprm help)\n", stderr);
  return CLI_USAGE;
}

bool cli_parse_u64(const char *text, uint64_t *out) {
  char *end;
  if (text == NULL || *text == '\0' || *text == '-') return false;
  errno = 0;
  unsigned long long v = strtoull(text, &end, 0);
  if (errno != 0 || *end != '\0') return false;
  *out = v;
  return true;
}

void cli_json_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c < 0x20) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}
