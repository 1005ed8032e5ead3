/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Host implementation of the platform seam: malloc-backed pools and pages,
 * deterministic allocation-failure injection, leak accounting, and a log
 * sink that goes to stderr or into a test's capture buffer.
 */
#include "rtprm/platform.h"
#include "rtprm/host/platform_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
  uint64_t calls;
  uint64_t failures;
  uint64_t outstanding;
  uint64_t fail_nth;   /* 0: off */
  uint64_t fail_from;  /* 0: off */
  uint64_t fail_mask;
  uint64_t icache_flushes;
  uint64_t sweep_nth;  /* 0: off; re-armed as fail_nth by every reset */
  rp_host_alloc_hook hook;
} alloc_state;

static struct {
  char  *buf;
  size_t cap;
  size_t len;
  int    quiet;
} log_state;

void rp_host_alloc_reset(void) {
  alloc_state.calls = 0;
  alloc_state.failures = 0;
  alloc_state.fail_nth = alloc_state.sweep_nth;
  alloc_state.fail_from = 0;
  alloc_state.fail_mask = 0;
}

void rp_host_fail_nth(uint64_t n) { alloc_state.fail_nth = n; }
void rp_host_sweep_nth(uint64_t n) { alloc_state.fail_nth = alloc_state.sweep_nth = n; }
void rp_host_alloc_observe(rp_host_alloc_hook hook) { alloc_state.hook = hook; }
void rp_host_fail_from(uint64_t n) { alloc_state.fail_from = n; }
void rp_host_fail_mask(uint64_t mask) { alloc_state.fail_mask = mask; }
uint64_t rp_host_alloc_calls(void) { return alloc_state.calls; }
uint64_t rp_host_alloc_failures(void) { return alloc_state.failures; }
uint64_t rp_host_alloc_outstanding(void) { return alloc_state.outstanding; }
uint64_t rp_host_icache_flushes(void) { return alloc_state.icache_flushes; }

/* Counts the call and decides whether the plan makes it fail; caller is the
 * return address into the code that asked (the allocation site). */
static bool next_call_fails(void *caller) {
  uint64_t k = ++alloc_state.calls;
  bool fail = (alloc_state.fail_nth != 0 && k == alloc_state.fail_nth) ||
              (alloc_state.fail_from != 0 && k >= alloc_state.fail_from) ||
              (k <= 64 && (alloc_state.fail_mask >> (k - 1)) & 1u);
  if (fail) alloc_state.failures++;
  if (alloc_state.hook != NULL) alloc_state.hook(k, fail, caller);
  return fail;
}

static bool type_allocatable(EFI_MEMORY_TYPE type) {
  return type < EfiMaxMemoryType && type != EfiConventionalMemory && type != EfiPersistentMemory &&
         type != EfiUnacceptedMemoryType;
}

EFI_STATUS rp_plat_alloc_pool(EFI_MEMORY_TYPE type, size_t size, void **out) {
  if (out == NULL || !type_allocatable(type)) return EFI_INVALID_PARAMETER;
  *out = NULL;
  if (next_call_fails(__builtin_return_address(0))) return EFI_OUT_OF_RESOURCES;
  void *p = malloc(size ? size : 1); /* 16-byte aligned on glibc: >= UEFI's 8 */
  if (p == NULL) return EFI_OUT_OF_RESOURCES;
  alloc_state.outstanding++;
  *out = p;
  return EFI_SUCCESS;
}

void rp_plat_free_pool(void *p) {
  if (p == NULL) return;
  alloc_state.outstanding--;
  free(p);
}

EFI_STATUS rp_plat_alloc_pages(EFI_MEMORY_TYPE type, size_t pages, EFI_PHYSICAL_ADDRESS *addr) {
  size_t bytes;
  if (addr == NULL || !type_allocatable(type) || pages == 0) return EFI_INVALID_PARAMETER;
  if (__builtin_mul_overflow(pages, (size_t)EFI_PAGE_SIZE, &bytes)) return EFI_OUT_OF_RESOURCES;
  if (next_call_fails(__builtin_return_address(0))) return EFI_OUT_OF_RESOURCES;
  void *p = aligned_alloc(EFI_PAGE_SIZE, bytes);
  if (p == NULL) return EFI_OUT_OF_RESOURCES;
  alloc_state.outstanding++;
  *addr = (EFI_PHYSICAL_ADDRESS)(uintptr_t)p;
  return EFI_SUCCESS;
}

void rp_plat_free_pages(EFI_PHYSICAL_ADDRESS addr, size_t pages) {
  (void)pages;
  if (addr == 0) return;
  alloc_state.outstanding--;
  free((void *)(uintptr_t)addr);
}

void rp_plat_flush_icache(const void *addr, size_t len) {
  (void)addr;
  (void)len;
  alloc_state.icache_flushes++;
}

void rp_host_log_capture(char *buf, size_t cap) {
  if (cap == 0) buf = NULL;
  log_state.buf = buf;
  log_state.cap = cap;
  log_state.len = 0;
  if (buf != NULL && cap > 0) buf[0] = '\0';
}

void rp_host_log_quiet(int quiet) { log_state.quiet = quiet; }

void rp_plat_log_write(const char *text, size_t len) {
  if (log_state.buf != NULL) {
    size_t room = log_state.cap - 1 - log_state.len;
    size_t n = len < room ? len : room;
    memcpy(log_state.buf + log_state.len, text, n);
    log_state.len += n;
    log_state.buf[log_state.len] = '\0';
    return;
  }
  if (!log_state.quiet) fwrite(text, 1, len, stderr);
}
