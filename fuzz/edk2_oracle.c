/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* EDK II's BasePeCoffLib in a restartable child process (edk2_oracle.h). */
#define _GNU_SOURCE
#include "edk2_oracle.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE         4096u
#define SLACK_BYTE   0xC7u
#define RECORD_GUARD 4096u
#define ANSWER_MS    10000
#define CHILD_EXIT_FAULT 98
#define CHILD_EXIT_SANITIZER 97

/* Sanitizer hooks, present only in sanitized builds. */
extern void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));
extern void __asan_set_error_report_callback(void (*cb)(const char *)) __attribute__((weak));

typedef struct control {
  uint64_t file_len;
  uint64_t virt_base;
  uint64_t image_cap;
  uint64_t dirty; /* bytes of the image area earlier runs may have written
                   * (here, not in the child: it outlives a restarted child) */
  edk2_run run;
} control;

static struct {
  uint8_t *map;
  size_t   map_len;
  control *ctl;
  uint8_t *file, *record, *image;
  pid_t    child;
  int      req, resp; /* parent's ends */
} g;

const uint8_t *edk2_oracle_image(void) { return g.image; }
const uint8_t *edk2_oracle_record(void) { return g.record; }

static bool map_buffers(void) {
  size_t head = PAGE + EDK2_ORACLE_FILE_MAX + EDK2_ORACLE_RECORD_MAX;
  size_t area = EDK2_ORACLE_IMAGE_MAX + EDK2_ORACLE_SLACK;
  g.map_len = head + PAGE + EDK2_ORACLE_ALIGN + area + PAGE;
  /* The image area at EDK2_ORACLE_IMAGE_AT, so an outcome that depends on
   * the load address (SectionAlignment above 2 MiB) is the same in every
   * process; below 4 GiB, as PE32 images are relocated for it. */
  void *want = (void *)(uintptr_t)(EDK2_ORACLE_IMAGE_AT - head - PAGE);
  g.map = mmap(want, g.map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (g.map == MAP_FAILED) {
    g.map = NULL;
    return false;
  }
  g.ctl = (control *)g.map;
  g.file = g.map + PAGE;
  g.record = g.file + EDK2_ORACLE_FILE_MAX;
  uintptr_t lo = (uintptr_t)g.map + head + PAGE;
  g.image = (uint8_t *)((lo + EDK2_ORACLE_ALIGN - 1) & ~(uintptr_t)(EDK2_ORACLE_ALIGN - 1));
  if ((uintptr_t)g.image != EDK2_ORACLE_IMAGE_AT) return false; /* a kernel without MAP_FIXED_NOREPLACE */
  /* guards right before and right after the image area */
  return mprotect(g.image - PAGE, PAGE, PROT_NONE) == 0 && mprotect(g.image + area, PAGE, PROT_NONE) == 0;
}

/* ---- the child ----------------------------------------------------------------- */

static void child_fault(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  g.ctl->run.end = EDK2_FAULT;
  g.ctl->run.signal = sig;
  g.ctl->run.fault_addr = (uint64_t)(uintptr_t)si->si_addr;
  _exit(CHILD_EXIT_FAULT);
}

static void child_sanitizer_report(const char *text) {
  const char *p = strstr(text, "ERROR: ");
  size_t n = 0;
  if (p == NULL) p = text;
  while (p[n] != '\0' && p[n] != '\n' && n + 1 < sizeof(g.ctl->run.report)) n++;
  memcpy(g.ctl->run.report, p, n);
  g.ctl->run.report[n] = '\0';
}

static void child_sanitizer_death(void) {
  if (g.ctl->run.end == EDK2_RAN) g.ctl->run.end = EDK2_SANITIZER;
  _exit(CHILD_EXIT_SANITIZER);
}

/* The engines' own crash handlers (a crash file, a report) belong to the
 * parent: the child replaces them with ones that only record what ended it. */
static void child_handlers(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = child_fault;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP };
  for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) sigaction(sigs[i], &sa, NULL);
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(child_sanitizer_death);
  if (__asan_set_error_report_callback) __asan_set_error_report_callback(child_sanitizer_report);
}

/* The image's end inside the area, and the span after it that is checked. */
static uint64_t image_end(uint64_t image_size) {
  return image_size < EDK2_ORACLE_IMAGE_MAX ? image_size : EDK2_ORACLE_IMAGE_MAX;
}

/* The first byte of p[0..n) that is not SLACK_BYTE, or n (memcmp against
 * a pattern block: the byte loop only runs on a mismatch). */
static uint64_t pattern_ends(const uint8_t *p, uint64_t n) {
  static uint8_t block[EDK2_ORACLE_SLACK];
  if (block[0] != SLACK_BYTE) memset(block, SLACK_BYTE, sizeof(block));
  for (uint64_t i = 0; i < n; i += sizeof(block)) {
    uint64_t k = n - i < sizeof(block) ? n - i : sizeof(block);
    if (memcmp(p + i, block, k) == 0) continue;
    for (uint64_t j = 0; j < k; j++)
      if (p[i + j] != SLACK_BYTE) return i + j;
  }
  return n;
}

static void child_slack_check(uint64_t image_size) {
  edk2_run *r = &g.ctl->run;
  uint64_t at = pattern_ends(g.image + image_end(image_size), EDK2_ORACLE_SLACK);
  if (at < EDK2_ORACLE_SLACK) {
    r->slack_written = true;
    r->slack_offset = image_end(image_size) + at;
  }
}

/* The record buffer: FixupDataSize bytes zeroed (what ours starts from),
 * then a pattern; a changed pattern byte is a write past the record. */
static void child_record_prepare(uint64_t fds) {
  memset(g.record, 0, fds);
  memset(g.record + fds, SLACK_BYTE, RECORD_GUARD);
}

static void child_record_check(uint64_t fds) {
  edk2_run *r = &g.ctl->run;
  uint64_t at = pattern_ends(g.record + fds, RECORD_GUARD);
  if (at < RECORD_GUARD) {
    r->record_overrun = true;
    r->record_overrun_at = fds + at;
  }
}

/* A guard page at the first page boundary at or after the image's end, for
 * the run: a fixup that reads and writes back the same bytes past
 * SizeOfImage leaves the slack pattern as it was, but not the page. */
static uint8_t *child_end_guard(uint64_t end, int prot) {
  uint64_t at = (end + PAGE - 1) & ~(uint64_t)(PAGE - 1);
  if (at + PAGE > EDK2_ORACLE_IMAGE_MAX + EDK2_ORACLE_SLACK) return NULL;
  return mprotect(g.image + at, PAGE, prot) == 0 ? g.image + at : NULL;
}

static void child_run_one(void) {
  static edk2ref_loaded loaded;
  control *c = g.ctl;
  edk2_run *r = &c->run;
  edk2ref_result info;
  memset(r, 0, sizeof(*r));
  /* The image starts zeroed: LoadImage writes headers and sections and
   * zeroes each section's tail, but leaves the gaps between them as the
   * allocation held them (ours zero-fills them, docs/pecoff.md §3). The
   * slack after SizeOfImage starts as a pattern: what is left of it
   * afterwards shows a write out of the image. */
  edk2ref_image_info(g.file, (size_t)c->file_len, &info);
  uint64_t end = image_end(info.image_size);
  memset(g.image, 0, end < c->dirty ? end : c->dirty); /* the rest never left zero */
  memset(g.image + end, SLACK_BYTE, EDK2_ORACLE_SLACK);
  if (end + EDK2_ORACLE_SLACK > c->dirty) c->dirty = end + EDK2_ORACLE_SLACK;
  uint8_t *guard = child_end_guard(end, PROT_NONE);
  edk2ref_load(g.file, (size_t)c->file_len, g.image, (size_t)c->image_cap, &loaded, &r->result);
  if (r->result.step == EDK2REF_OK) {
    uint64_t fds = r->result.fixup_data_size;
    if (fds <= EDK2_ORACLE_RECORD_MAX - RECORD_GUARD) child_record_prepare(fds);
    edk2ref_relocate_loaded(&loaded, 0, g.record, EDK2_ORACLE_RECORD_MAX - RECORD_GUARD, &r->result);
    if (fds <= EDK2_ORACLE_RECORD_MAX - RECORD_GUARD) child_record_check(fds);
  }
  if (r->result.step == EDK2REF_OK && c->virt_base != 0) {
    edk2ref_relocate_for_runtime(g.image, c->virt_base, r->result.image_size, g.record);
    r->runtime_ran = true;
  }
  if (guard != NULL) (void)mprotect(guard, PAGE, PROT_READ | PROT_WRITE);
  child_slack_check(info.image_size);
}

static void child_loop(int req, int resp) {
  child_handlers();
  for (;;) {
    uint8_t cmd;
    if (read(req, &cmd, 1) != 1) _exit(0);
    child_run_one();
    if (write(resp, &cmd, 1) != 1) _exit(0);
  }
}

/* ---- the parent ------------------------------------------------------------------ */

static void reap(int *status) {
  close(g.req);
  close(g.resp);
  while (waitpid(g.child, status, 0) < 0 && errno == EINTR) {
  }
  g.child = 0;
}

static bool spawn(void) {
  int a[2], b[2];
  if (pipe(a) != 0) return false;
  if (pipe(b) != 0) {
    close(a[0]);
    close(a[1]);
    return false;
  }
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    close(a[1]);
    close(b[0]);
    child_loop(a[0], b[1]);
  }
  close(a[0]);
  close(b[1]);
  g.child = pid;
  g.req = a[1];
  g.resp = b[0];
  return true;
}

/* Waits for the child's answer; false when it ended or hung instead. */
static bool answered(void) {
  struct pollfd p = { g.resp, POLLIN, 0 };
  int n;
  while ((n = poll(&p, 1, ANSWER_MS)) < 0 && errno == EINTR) {
  }
  uint8_t cmd;
  if (n == 1 && read(g.resp, &cmd, 1) == 1) return true;
  int status = 0;
  if (n == 0) {
    kill(g.child, SIGKILL);
    g.ctl->run.end = EDK2_HANG;
  }
  reap(&status);
  if (g.ctl->run.end == EDK2_RAN) {
    g.ctl->run.end = EDK2_DIED;
    g.ctl->run.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }
  return false;
}

bool edk2_oracle_run(const uint8_t *file, size_t len, uint64_t virt_base, uint64_t image_cap, edk2_run *out) {
  if (len > EDK2_ORACLE_FILE_MAX || image_cap > EDK2_ORACLE_IMAGE_MAX) return false;
  if (g.map == NULL && !map_buffers()) {
    fprintf(stderr, "edk2_oracle: cannot map the shared buffers with the image area at 0x%llx\n", EDK2_ORACLE_IMAGE_AT);
    abort();
  }
  if (g.child == 0 && !spawn()) {
    fprintf(stderr, "edk2_oracle: cannot start the child: %s\n", strerror(errno));
    abort();
  }
  memcpy(g.file, file, len);
  g.ctl->file_len = len;
  g.ctl->virt_base = virt_base;
  g.ctl->image_cap = image_cap;
  memset(&g.ctl->run, 0, sizeof(g.ctl->run));
  uint8_t cmd = 1;
  if (write(g.req, &cmd, 1) != 1) {
    int status;
    reap(&status);
    g.ctl->run.end = EDK2_DIED;
  } else {
    (void)answered();
  }
  *out = g.ctl->run;
  return true;
}
