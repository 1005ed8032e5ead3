/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Plain replay driver: runs LLVMFuzzerTestOneInput once per file. Arguments
 * are files or directories (one level, sorted, dot-files and README* skipped).
 * A missing argument path is an error (exit 2): a misnamed corpus directory
 * must not pass as "nothing to replay". Crashes abort with the file named.
 * With RTPRM_FAULT_SWEEP set, each input is also run failing its 1st, 2nd, ...
 * allocation (rtprm/host/fault_sweep.h); the harness's own checks (clean result,
 * no live block in rp_fuzz_end) and the sanitizers judge every run.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "rtprm/host/fault_sweep.h"

static int replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    perror(path);
    return -1;
  }
  size_t cap = 4096, len = 0;
  uint8_t *buf = malloc(cap);
  size_t n;
  while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len == cap) {
      uint8_t *bigger = realloc(buf, cap *= 2);
      if (bigger == NULL) free(buf);
      buf = bigger;
    }
  }
  fclose(f);
  if (buf == NULL) {
    fprintf(stderr, "%s: out of memory\n", path);
    return -1;
  }
  fprintf(stderr, "replay %s (%zu bytes)\n", path, len);
  /* An exact-size heap copy lets ASan see reads one past the input. */
  uint8_t *exact = malloc(len ? len : 1);
  if (exact == NULL) {
    free(buf);
    return -1;
  }
  memcpy(exact, buf, len);
  free(buf);
  if (rp_sweep_active()) {
    for (uint64_t nth = 0;; nth++) {
      rp_sweep_run_begin(path, nth);
      LLVMFuzzerTestOneInput(exact, len); /* aborts on any bad outcome */
      if (!rp_sweep_run_end(rp_sweep_run_injected() ? "survived-injection" : "completed", "")) break;
    }
  } else {
    LLVMFuzzerTestOneInput(exact, len);
  }
  free(exact);
  return 0;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *dir, size_t *count) {
  DIR *d = opendir(dir);
  if (d == NULL) {
    perror(dir);
    return -1;
  }
  char **names = NULL;
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.' || strncmp(e->d_name, "README", 6) == 0) continue;
    char **grown = realloc(names, (n + 1) * sizeof(*names));
    if (grown == NULL) break;
    names = grown;
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  if (n > 1) qsort(names, n, sizeof(*names), by_name);
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    char path[4096];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
      if (replay_file(path) != 0) rc = -1;
      else (*count)++;
    }
    free(names[i]);
  }
  free(names);
  return rc;
}

int main(int argc, char **argv) {
  size_t count = 0;
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      fprintf(stderr, "%s: no such file or directory\n", argv[i]);
      return 2;
    }
    int rc = S_ISDIR(st.st_mode) ? replay_dir(argv[i], &count) : replay_file(argv[i]);
    if (rc != 0) return 2;
    if (!S_ISDIR(st.st_mode)) count++;
  }
  printf("replayed %zu input(s) without an oracle violation\n", count);
  return 0;
}
