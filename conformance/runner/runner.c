/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Conformance runner: executes every case of every group (or one group) as a
 * cmocka test, and writes <results>/<group>.json for tools/matrix.py.
 *
 *   conformance_runner [--group NAME] [--results DIR] [--list] [--sweep]
 *
 * --sweep (with RTPRM_FAULT_SWEEP=LOG, rtprm/host/fault_sweep.h) runs every case
 * failing its 1st, 2nd, ... allocation instead of the cmocka run: a run is
 * good when it gives the expected verdict or a clean EFI_OUT_OF_RESOURCES,
 * with no live block left; exit 1 when any run was not.
 *
 * JUnit XML comes from cmocka itself (CMOCKA_MESSAGE_OUTPUT=XML,
 * CMOCKA_XML_FILE=.../conformance-%g.xml, set by ctest). A one-line summary
 * of every failing case also goes to stderr, so a console reader sees why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conformance.h"
#include "rtprm/host/fault_sweep.h"
#include "rtprm/host/platform_host.h"

typedef struct {
  const rp_case *c;
  rp_case_result r;
  bool verdict_pass;
  bool ran;
} case_record;

static case_record *records;
static const rp_case_group *current_group;

void rp_case_fail(rp_case_result *r, const char *fmt, ...) {
  va_list ap;
  r->post_ok = false;
  va_start(ap, fmt);
  vsnprintf(r->message, sizeof(r->message), fmt, ap);
  va_end(ap);
}

void rp_case_observe(rp_case_result *r, EFI_STATUS st, const rp_diag *d) {
  r->status = st;
  r->reason = d->reason;
  r->index = d->index;
  r->where_file = d->file;
  r->where_line = d->line;
}

bool rp_case_step(rp_case_result *r, EFI_STATUS st, const rp_diag *d, const char *what) {
  if (!EFI_ERROR(st)) return true;
  rp_case_observe(r, st, d);
  rp_case_fail(r, "%s failed: %s", what, rp_reason_name(d->reason));
  return false;
}

uint8_t *rp_case_read_file(const char *dir, const char *name, size_t *len, rp_case_result *r) {
  char path[4096];
  long n;
  uint8_t *buf = NULL;
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    rp_case_fail(r, "setup: cannot open %s", path);
    return NULL;
  }
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
      (buf = malloc((size_t)n + 1)) != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n) {
    fclose(f);
    *len = (size_t)n;
    return buf;
  }
  free(buf);
  fclose(f);
  rp_case_fail(r, "setup: cannot read %s", path);
  return NULL;
}

static bool index_matches(const rp_case *c, uint64_t actual) {
  return c->expect_index == RP_CASE_ANY_INDEX || c->expect_index == actual;
}

static void run_case(void **state) {
  case_record *rec = *state;
  const rp_case *c = rec->c;
  rp_case_exec exec = c->exec ? c->exec : current_group->exec;
  rp_case_result *r = &rec->r;

  memset(r, 0, sizeof(*r));
  r->index = RP_DIAG_NO_INDEX;
  r->post_ok = true;
  rp_host_alloc_reset();
  uint64_t live_before = rp_host_alloc_outstanding();
  exec(c, r);
  if (rp_host_alloc_outstanding() != live_before)
    rp_case_fail(r, "allocation leak: %llu block(s) still live",
                 (unsigned long long)(rp_host_alloc_outstanding() - live_before));
  rp_host_alloc_reset();

  rec->ran = true;
  rec->verdict_pass = r->status == c->expect_status && r->reason == c->expect_reason &&
                      index_matches(c, r->index) && r->post_ok;
  if (!rec->verdict_pass) {
    fprintf(stderr, "FAIL %s: expected %s/%s/index %lld, got %s/%s/index %lld%s%s\n", c->id,
            rp_status_name(c->expect_status), rp_reason_name(c->expect_reason),
            (long long)c->expect_index, rp_status_name(r->status), rp_reason_name(r->reason),
            (long long)r->index, r->message[0] ? ": " : "", r->message);
  }
  assert_int_equal(r->status, c->expect_status);
  assert_string_equal(rp_reason_name(r->reason), rp_reason_name(c->expect_reason));
  assert_true(index_matches(c, r->index));
  assert_true(r->post_ok);
}

/* ---- fault-injection sweep ------------------------------------------- */

static int sweep_group(const rp_case_group *g) {
  int bad = 0;
  for (size_t i = 0; i < g->count; i++) {
    const rp_case *c = &g->cases[i];
    rp_case_exec exec = c->exec ? c->exec : g->exec;
    char name[256], detail[512];
    snprintf(name, sizeof(name), "%s/%s", g->name, c->id);
    for (uint64_t n = 0;; n++) {
      rp_case_result r;
      memset(&r, 0, sizeof(r));
      r.index = RP_DIAG_NO_INDEX;
      r.post_ok = true;
      rp_sweep_run_begin(name, n);
      rp_host_alloc_reset();
      uint64_t live_before = rp_host_alloc_outstanding();
      exec(c, &r);
      uint64_t leaked = rp_host_alloc_outstanding() - live_before;
      bool expected = r.status == c->expect_status && r.reason == c->expect_reason &&
                      index_matches(c, r.index) && r.post_ok;
      const char *outcome = leaked ? "leak"
                            : expected ? "expected"
                            : (rp_sweep_run_injected() && r.status == EFI_OUT_OF_RESOURCES) ? "clean-error"
                                                                                         : "unexpected";
      snprintf(detail, sizeof(detail), "%s/%s/index %lld, %llu live block(s)%s%s", rp_status_name(r.status),
               rp_reason_name(r.reason), (long long)r.index, (unsigned long long)leaked, r.message[0] ? ": " : "",
               r.message);
      if (outcome[0] == 'l' || outcome[0] == 'u') {
        bad++;
        fprintf(stderr, "SWEEP %s %s n=%llu: %s\n", outcome, name, (unsigned long long)n, detail);
      }
      bool more = rp_sweep_run_end(outcome, detail);
      rp_host_alloc_reset();
      if (!more) break;
    }
  }
  return bad != 0;
}

/* ---- results JSON ---------------------------------------------------- */

static void json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; s && *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
    else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
    else fputc(ch, f);
  }
  fputc('"', f);
}

static void json_index(FILE *f, uint64_t index) {
  if (index == RP_DIAG_NO_INDEX) fputs("null", f);
  else if (index == RP_CASE_ANY_INDEX) fputs("\"any\"", f);
  else fprintf(f, "%llu", (unsigned long long)index);
}

static void json_requirements(FILE *f, const char *reqs) {
  const char *p = reqs;
  bool first = true;
  fputc('[', f);
  while (*p) {
    while (*p == ' ') p++;
    const char *start = p;
    while (*p && *p != ' ') p++;
    if (p > start) {
      fprintf(f, "%s\"%.*s\"", first ? "" : ", ", (int)(p - start), start);
      first = false;
    }
  }
  fputc(']', f);
}

static void write_case(FILE *f, const case_record *rec) {
  const rp_case *c = rec->c;
  const rp_case_result *r = &rec->r;
  fputs("    {\"id\": ", f);
  json_string(f, c->id);
  fputs(", \"requirements\": ", f);
  json_requirements(f, c->reqs);
  fputs(", \"title\": ", f);
  json_string(f, c->title);
  fprintf(f, ", \"verdict\": \"%s\",\n     \"expected\": {\"status\": \"%s\", \"reason\": \"%s\", \"index\": ",
          !rec->ran ? "not-run" : rec->verdict_pass ? "pass" : "fail", rp_status_name(c->expect_status),
          rp_reason_name(c->expect_reason));
  json_index(f, c->expect_index);
  fprintf(f, "},\n     \"actual\": {\"status\": \"%s\", \"reason\": \"%s\", \"index\": ", rp_status_name(r->status),
          rp_reason_name(r->reason));
  json_index(f, r->index);
  fputs("},\n     \"where\": ", f);
  if (r->where_file) fprintf(f, "\"%s:%d\"", r->where_file, r->where_line);
  else fputs("null", f);
  fputs(", \"message\": ", f);
  json_string(f, r->message);
  fputc('}', f);
}

static int write_results(const char *dir, const rp_case_group *g) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/%s.json", dir, g->name);
  FILE *f = fopen(path, "w");
  if (f == NULL) {
    perror(path);
    return 1;
  }
  fprintf(f, "{\"producer\": \"conformance_runner\", \"group\": \"%s\",\n \"cases\": [\n", g->name);
  for (size_t i = 0; i < g->count; i++) {
    write_case(f, &records[i]);
    fputs(i + 1 < g->count ? ",\n" : "\n", f);
  }
  fputs(" ]}\n", f);
  return fclose(f) == 0 ? 0 : 1;
}

/* ---- driver ---------------------------------------------------------- */

static int run_group(const rp_case_group *g, const char *results_dir) {
  struct CMUnitTest *tests = calloc(g->count, sizeof(*tests));
  records = calloc(g->count, sizeof(*records));
  if (tests == NULL || records == NULL) {
    fprintf(stderr, "conformance_runner: out of memory\n");
    free(tests);
    free(records);
    return 1;
  }
  current_group = g;
  for (size_t i = 0; i < g->count; i++) {
    records[i].c = &g->cases[i];
    tests[i].name = g->cases[i].id;
    tests[i].test_func = run_case;
    tests[i].initial_state = &records[i];
  }
  int failed = _cmocka_run_group_tests(g->name, tests, g->count, NULL, NULL);
  int werr = results_dir ? write_results(results_dir, g) : 0;
  free(tests);
  free(records);
  records = NULL;
  return failed != 0 || werr != 0;
}

static void usage(void) {
  fprintf(stderr, "usage: conformance_runner [--group NAME] [--results DIR] [--list] [--sweep]\n");
}

int main(int argc, char **argv) {
  const char *group = NULL, *results_dir = NULL;
  bool list = false, sweep = false;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--group") == 0 && i + 1 < argc) group = argv[++i];
    else if (strcmp(argv[i], "--results") == 0 && i + 1 < argc) results_dir = argv[++i];
    else if (strcmp(argv[i], "--list") == 0) list = true;
    else if (strcmp(argv[i], "--sweep") == 0) sweep = true;
    else {
      usage();
      return 2;
    }
  }
  rp_host_log_quiet(1);
  if (sweep && !rp_sweep_active()) {
    fprintf(stderr, "conformance_runner: --sweep needs RTPRM_FAULT_SWEEP=LOGFILE\n");
    return 2;
  }
  int status = 0, matched = 0;
  for (size_t i = 0; i < rp_case_group_count; i++) {
    const rp_case_group *g = rp_case_groups[i];
    if (group && strcmp(group, g->name) != 0) continue;
    matched++;
    if (list) {
      for (size_t k = 0; k < g->count; k++) printf("%s\t%s\t%s\n", g->name, g->cases[k].id, g->cases[k].title);
      continue;
    }
    status |= sweep ? sweep_group(g) : run_group(g, results_dir);
  }
  if (matched == 0) {
    fprintf(stderr, "conformance_runner: no group named '%s'\n", group ? group : "");
    return 2;
  }
  return status;
}
