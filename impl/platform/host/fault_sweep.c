/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* Fault-injection sweep recorder (rtprm/host/fault_sweep.h). */
#define _GNU_SOURCE
#include "rtprm/host/fault_sweep.h"

#include <dlfcn.h>
#include <execinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtprm/host/platform_host.h"

#define MAX_SITES 64
#define MAX_FRAMES 10

static struct {
  FILE *log;
  int opened;
  uint64_t cap, n, calls;
  bool injected;
  size_t nsites, nframes;
  void *sites[MAX_SITES];
  void *frames[MAX_FRAMES];
} sw;

static void hook(uint64_t call, bool failed, void *caller) {
  sw.calls++;
  size_t i = 0;
  while (i < sw.nsites && sw.sites[i] != caller) i++;
  if (i == sw.nsites && sw.nsites < MAX_SITES) sw.sites[sw.nsites++] = caller;
  if (!failed || call != sw.n || sw.injected) return;
  sw.injected = true;
  /* The stack from the allocating code outwards: drop the seam's frames. */
  void *raw[MAX_FRAMES + 8];
  int got = backtrace(raw, MAX_FRAMES + 8), from = 0;
  for (int k = 0; k < got; k++)
    if (raw[k] == caller) from = k;
  for (int k = from; k < got && sw.nframes < MAX_FRAMES; k++) sw.frames[sw.nframes++] = raw[k];
}

bool rp_sweep_active(void) {
  if (!sw.opened) {
    sw.opened = 1;
    const char *path = getenv("RTPRM_FAULT_SWEEP"), *cap = getenv("RTPRM_FAULT_CAP");
    if (path != NULL && *path) sw.log = fopen(path, "a");
    sw.cap = cap != NULL ? strtoull(cap, NULL, 10) : 64;
    if (sw.cap == 0) sw.cap = 64;
  }
  return sw.log != NULL;
}

/* "module+0xoffset": stable across runs under ASLR, symbolized offline. */
static void put_addr(void *a) {
  Dl_info info;
  if (dladdr(a, &info) != 0 && info.dli_fname != NULL)
    fprintf(sw.log, "\"%s+0x%lx\"", info.dli_fname, (unsigned long)((char *)a - (char *)info.dli_fbase));
  else
    fprintf(sw.log, "\"?+0x%lx\"", (unsigned long)a);
}

static void put_string(const char *s) {
  fputc('"', sw.log);
  for (; s != NULL && *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(sw.log, "\\%c", c);
    else if (c < 0x20) fprintf(sw.log, "\\u%04x", c);
    else fputc(c, sw.log);
  }
  fputc('"', sw.log);
}

void rp_sweep_run_begin(const char *input, uint64_t n) {
  sw.n = n;
  sw.calls = 0;
  sw.injected = false;
  sw.nsites = sw.nframes = 0;
  fputs("{\"begin\": ", sw.log);
  put_string(input);
  fprintf(sw.log, ", \"n\": %llu}\n", (unsigned long long)n);
  fflush(sw.log);
  rp_host_alloc_observe(hook);
  rp_host_sweep_nth(n);
}

bool rp_sweep_run_injected(void) { return sw.injected; }

bool rp_sweep_run_end(const char *outcome, const char *detail) {
  rp_host_sweep_nth(0);
  rp_host_alloc_observe(NULL);
  bool more = sw.n == 0 ? sw.calls > 0 : sw.injected;
  bool capped = more && sw.n >= sw.cap;
  fprintf(sw.log, "{\"n\": %llu, \"calls\": %llu, \"injected\": %s, \"capped\": %s, \"outcome\": ",
          (unsigned long long)sw.n, (unsigned long long)sw.calls, sw.injected ? "true" : "false",
          capped ? "true" : "false");
  put_string(outcome);
  fputs(", \"detail\": ", sw.log);
  put_string(detail);
  fputs(", \"sites\": [", sw.log);
  for (size_t i = 0; i < sw.nsites; i++) {
    if (i) fputs(", ", sw.log);
    put_addr(sw.sites[i]);
  }
  fputs("], \"fail_stack\": [", sw.log);
  for (size_t i = 0; i < sw.nframes; i++) {
    if (i) fputs(", ", sw.log);
    put_addr(sw.frames[i]);
  }
  fputs("]}\n", sw.log);
  fflush(sw.log);
  return more && !capped;
}
