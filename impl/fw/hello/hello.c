/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * RtprmHello.efi: the end-to-end smoke test of the firmware build. Boots as
 * EFI/BOOT/BOOT{X64,AA64}.EFI under QEMU (harnesses/e2e/ovmf_run.py) and
 * prints marker lines "RTPRM-E2E: ..." through the platform seam (ConOut, and
 * the debug console port 0xE9 on x64):
 *
 *   hello    version and architecture
 *   crc32    rp_crc32 and gBS->CalculateCrc32 agree on the check value
 *   seam     pool/page allocation through the seam; the I-cache flush makes
 *            a freshly written function callable
 *   memmap   the live firmware memory map passes rp_memmap_validate
 *   PASS | FAIL <why>
 *   ebs      after ExitBootServices: the seam refuses allocations and logs
 *            through 0xE9 only (visible in the x64 debug console log)
 *
 * then powers the machine off with ResetSystem(EfiResetShutdown).
 */
#include "rtprm/crc32.h"
#include "rtprm/fmt.h"
#include "rtprm/mem.h"
#include "rtprm/memmap.h"
#include "rtprm/platform.h"
#include "rtprm/fw/platform_uefi.h"
#include "rtprm/status.h"

#ifndef RTPRM_VERSION
#define RTPRM_VERSION "0.0.0"
#endif

#if defined(__x86_64__)
#define RP_ARCH_NAME "x64"
#elif defined(__aarch64__)
#define RP_ARCH_NAME "aa64"
#else
#error "unsupported firmware architecture"
#endif

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

static char first_failure[160];

#define say rp_uefi_say

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...) {
  char why[sizeof(first_failure)];
  va_list ap;
  va_start(ap, fmt);
  rp_vsnprintf(why, sizeof(why), fmt, ap);
  va_end(ap);
  say("RTPRM-E2E: check failed: %s\n", why);
  if (first_failure[0] == '\0') rp_memcpy(first_failure, why, sizeof(why));
}

/* FirmwareVendor is UCS-2; print its ASCII subset. */
static void say_firmware(const EFI_SYSTEM_TABLE *st) {
  char vendor[64];
  size_t n = 0;
  const CHAR16 *v = st->FirmwareVendor;
  while (v != NULL && v[n] != 0 && n < sizeof(vendor) - 1) {
    vendor[n] = (v[n] >= 0x20 && v[n] < 0x7F) ? (char)v[n] : '?';
    n++;
  }
  vendor[n] = '\0';
  say("RTPRM-E2E: firmware \"%s\" rev 0x%08x, UEFI %u.%u\n", vendor, st->FirmwareRevision,
      st->Hdr.Revision >> 16, st->Hdr.Revision & 0xFFFF);
}

static void check_crc32(EFI_BOOT_SERVICES *bs) {
  char check[] = "123456789";
  uint32_t ours = rp_crc32(check, 9);
  uint32_t fw = 0;
  EFI_STATUS s = bs->CalculateCrc32(check, 9, &fw);
  if (EFI_ERROR(s)) {
    fail("gBS->CalculateCrc32 returned %s", rp_status_name(s));
    return;
  }
  if (ours != 0xCBF43926u || fw != ours) {
    fail("crc32 mismatch: rp_crc32 0x%08x, CalculateCrc32 0x%08x, want 0xcbf43926", ours, fw);
    return;
  }
  say("RTPRM-E2E: crc32 ok: rp_crc32 == CalculateCrc32 == 0x%08x\n", ours);
}

/* A function that returns 42, as machine code. */
#if defined(__x86_64__)
static const uint8_t ret42_code[] = { 0xB8, 0x2A, 0x00, 0x00, 0x00, 0xC3 }; /* mov eax,42; ret */
#else
static const uint8_t ret42_code[] = { 0x40, 0x05, 0x80, 0x52,  /* mov w0, #42 */
                                      0xC0, 0x03, 0x5F, 0xD6 }; /* ret */
#endif
typedef int (*ret42_fn)(void);

static void check_seam(void) {
  void *pool = NULL;
  EFI_PHYSICAL_ADDRESS page = 0;
  EFI_STATUS s;

  s = rp_plat_alloc_pool(EfiLoaderData, 100, &pool);
  if (EFI_ERROR(s) || pool == NULL || ((uintptr_t)pool & 7) != 0) {
    fail("rp_plat_alloc_pool: %s, %p", rp_status_name(s), pool);
    return;
  }
  rp_memset(pool, 0xA5, 100);
  rp_plat_free_pool(pool);

  /* EfiLoaderCode: the firmware maps code types executable. Write the
   * function with data stores, flush, then call it through the I-side. */
  s = rp_plat_alloc_pages(EfiLoaderCode, 1, &page);
  if (EFI_ERROR(s) || page == 0 || (page & EFI_PAGE_MASK) != 0) {
    fail("rp_plat_alloc_pages: %s, 0x%llx", rp_status_name(s), (unsigned long long)page);
    return;
  }
  uint8_t *code = (uint8_t *)(uintptr_t)page;
  rp_memset(code, 0, EFI_PAGE_SIZE);
  rp_memcpy(code + 64, ret42_code, sizeof(ret42_code));
  rp_plat_flush_icache(code, EFI_PAGE_SIZE);
  int got = ((ret42_fn)(uintptr_t)(code + 64))();
  rp_plat_free_pages(page, 1);
  if (got != 42) {
    fail("code written to a LoaderCode page returned %d, want 42", got);
    return;
  }
  say("RTPRM-E2E: seam ok: pool %p, page 0x%llx, flushed code returned %d\n", pool,
      (unsigned long long)page, got);
}

/* Reads the live map into a seam-allocated buffer. Our own AllocatePool may
 * split a free descriptor, so the buffer gets slack and the call repeats. */
static EFI_STATUS get_memory_map(EFI_BOOT_SERVICES *bs, void **buf, UINTN *cap, UINTN *size,
                                 UINTN *key, UINTN *dsize, UINT32 *dver) {
  EFI_STATUS s = EFI_BUFFER_TOO_SMALL;
  for (int attempt = 0; attempt < 8; attempt++) {
    *size = *cap;
    s = bs->GetMemoryMap(size, (EFI_MEMORY_DESCRIPTOR *)*buf, key, dsize, dver);
    if (s != EFI_BUFFER_TOO_SMALL) return s;
    rp_plat_free_pool(*buf);
    *buf = NULL;
    *cap = *size + 8 * (*dsize ? *dsize : 64);
    EFI_STATUS a = rp_plat_alloc_pool(EfiLoaderData, *cap, buf);
    if (EFI_ERROR(a)) {
      *cap = 0;
      return a;
    }
  }
  return s;
}

static void check_memmap(EFI_BOOT_SERVICES *bs) {
  void *buf = NULL;
  UINTN cap = 0, size = 0, key = 0, dsize = 0;
  UINT32 dver = 0;
  EFI_STATUS s = get_memory_map(bs, &buf, &cap, &size, &key, &dsize, &dver);
  if (EFI_ERROR(s)) {
    fail("GetMemoryMap: %s", rp_status_name(s));
    rp_plat_free_pool(buf);
    return;
  }
  rp_memmap m = { rp_bytes_of(buf, cap), size, dsize, dver };
  rp_memmap_summary sum = { 0 };
  rp_diag diag;
  rp_diag_clear(&diag);
  s = rp_memmap_validate(&m, 0, &sum, &diag);
  if (EFI_ERROR(s)) {
    EFI_MEMORY_DESCRIPTOR d;
    fail("memmap %s at index %lld (%s)", rp_reason_name(diag.reason),
         diag.index == RP_DIAG_NO_INDEX ? -1LL : (long long)diag.index, rp_status_name(s));
    if (diag.index != RP_DIAG_NO_INDEX && rp_memmap_get(&m, diag.index, &d)) {
      say("RTPRM-E2E: descriptor %llu: type %u phys 0x%llx pages 0x%llx attr 0x%llx\n",
          (unsigned long long)diag.index, d.Type, (unsigned long long)d.PhysicalStart,
          (unsigned long long)d.NumberOfPages, (unsigned long long)d.Attribute);
    }
  } else {
    say("RTPRM-E2E: memmap ok: %llu descriptors, desc size %llu, %llu runtime\n",
        (unsigned long long)sum.count, (unsigned long long)dsize,
        (unsigned long long)sum.runtime_count);
  }
  rp_plat_free_pool(buf);
}

/* Leaves boot services like an OS loader would, then checks the seam's
 * runtime phase. Nothing may allocate or print between GetMemoryMap and
 * ExitBootServices (the map key would go stale): one retry per the spec. */
static void exit_boot_services(EFI_HANDLE image, EFI_BOOT_SERVICES *bs) {
  void *buf = NULL;
  UINTN cap = 0, size = 0, key = 0, dsize = 0;
  UINT32 dver = 0;
  EFI_STATUS s = EFI_INVALID_PARAMETER;

  for (int attempt = 0; attempt < 2 && s == EFI_INVALID_PARAMETER; attempt++) {
    s = get_memory_map(bs, &buf, &cap, &size, &key, &dsize, &dver);
    if (EFI_ERROR(s)) break;
    s = bs->ExitBootServices(image, key);
  }
  if (EFI_ERROR(s)) {
    say("RTPRM-E2E: ebs FAIL: ExitBootServices %s\n", rp_status_name(s));
    return;
  }
  /* From here on: no gBS. The buffer is simply abandoned. */
  void *p = (void *)1;
  EFI_STATUS a = rp_plat_alloc_pool(EfiLoaderData, 16, &p);
  bool ok = rp_uefi_boot_services_exited() && rp_uefi_boot_services() == NULL &&
            a == EFI_UNSUPPORTED && p == NULL;
  say("RTPRM-E2E: ebs %s: notified %d, boot services %s, alloc after EBS -> %s\n",
      ok ? "ok" : "FAIL", (int)rp_uefi_boot_services_exited(),
      rp_uefi_boot_services() ? "still set" : "dropped", rp_status_name(a));
}

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st) {
  EFI_STATUS s = rp_uefi_platform_init(image, st);
  if (EFI_ERROR(s)) return s;
  EFI_BOOT_SERVICES *bs = rp_uefi_boot_services();
  EFI_RUNTIME_SERVICES *rt = rp_uefi_runtime_services();

  (void)bs->SetWatchdogTimer(0, 0, 0, NULL); /* no 5-minute watchdog reset */
  say("\nRTPRM-E2E: hello from rtprm %s on %s\n", RTPRM_VERSION, RP_ARCH_NAME);
  say_firmware(st);

  check_crc32(bs);
  check_seam();
  check_memmap(bs);

  if (first_failure[0] == '\0') {
    say("RTPRM-E2E: PASS\n");
  } else {
    say("RTPRM-E2E: FAIL %s\n", first_failure);
  }

  exit_boot_services(image, bs);
  say("RTPRM-E2E: shutdown\n");
  rt->ResetSystem(EfiResetShutdown, EFI_SUCCESS, 0, NULL);
  /* Not reached on a working firmware; hang rather than return into a
   * firmware whose boot services are gone. */
  for (;;) {
#if defined(__x86_64__)
    __asm__ __volatile__("hlt");
#else
    __asm__ __volatile__("wfi");
#endif
  }
}
