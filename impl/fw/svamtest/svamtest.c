/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * RtprmSvamTest.efi: plays the OS against RuntimeDxe.efi inside real
 * firmware (OVMF/AAVMF). Run from the shell after `load RuntimeDxe.efi`:
 *
 *   1. notes the live gRT pointers, prepares a page-table mirror (x64);
 *   2. ExitBootServices (one retry with a fresh map key, UEFI §7.4.6);
 *   3. builds a Linux-style virtual map (runtime descriptors only) giving
 *      every runtime descriptor the delta RP_SVAM_DELTA;
 *   4. SetVirtualAddressMap with the descriptor holding gRT->GetTime's code
 *      removed: must be EFI_NO_MAPPING, and a CRC over all runtime code and
 *      data memory must be unchanged (nothing was written);
 *   5. the good map: EFI_SUCCESS; again: EFI_UNSUPPORTED;
 *   6. every non-NULL gRT service (except SetVirtualAddressMap and
 *      ConvertPointer) and gST's FirmwareVendor/ConfigurationTable/
 *      RuntimeServices equals old + delta; both header CRCs are valid;
 *   7. x64: calls GetTime and GetVariable(BootOrder) through the converted
 *      table at its virtual address, then ResetSystem(EfiResetShutdown).
 *      The virtual range is made reachable by loading CR3 with a copy of the
 *      firmware's PML4 whose upper half mirrors its lower half: with a delta
 *      of 0xFFFF800000000000, V = P + delta has PML4 index 256 + that of P,
 *      so entry 256 + i = entry i maps V to P with the firmware's own
 *      attributes (4-level paging; with LA57 the calls are skipped and only
 *      the arithmetic of step 6 is checked).
 *      AArch64: no mirror (TTBR setup is left out), step 7 is skipped.
 *
 * Every step prints "RTPRM-SVAM: ..." through the seam before
 * ExitBootServices; after it, x64 writes to the debug console (port 0xE9)
 * and AArch64 to the QEMU virt PL011 at 0x09000000 (mapped as device memory
 * by AAVMF). Shutdown: the converted ResetSystem on x64, falling back to the
 * q35 ACPI PM1a control register (port 0x604, SLP_TYP S5 | SLP_EN, as OVMF
 * programs PMBASE 0x600); PSCI SYSTEM_OFF (HVC) on AArch64.
 */
#include "rtprm/crc32.h"
#include "rtprm/fmt.h"
#include "rtprm/mem.h"
#include "rtprm/memmap.h"
#include "rtprm/platform.h"
#include "rtprm/fw/platform_uefi.h"
#include "rtprm/status.h"

#define RP_SVAM_DELTA 0xFFFF800000000000ull
#define MAP_SLACK_DESCS 32

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

static char first_failure[160];

/* ---- output ------------------------------------------------------------- */

#if defined(__aarch64__)
#define PL011_DR ((volatile uint32_t *)0x09000000ull)
#define PL011_FR ((volatile uint32_t *)0x09000018ull)
static void uart_write(const char *t, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (t[i] == '\n') {
      while (*PL011_FR & (1u << 5)) {}
      *PL011_DR = '\r';
    }
    while (*PL011_FR & (1u << 5)) {}
    *PL011_DR = (uint8_t)t[i];
  }
}
#endif

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
#if defined(__aarch64__)
  if (rp_uefi_boot_services_exited()) { /* the seam drops output after EBS here */
    char line[240];
    size_t n = rp_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    uart_write(line, n < sizeof(line) ? n : sizeof(line) - 1);
    return;
  }
#endif
  (void)rp_uefi_vsay(fmt, ap);
  va_end(ap);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...) {
  char why[sizeof(first_failure)];
  va_list ap;
  va_start(ap, fmt);
  rp_vsnprintf(why, sizeof(why), fmt, ap);
  va_end(ap);
  say("RTPRM-SVAM: check failed: %s\n", why);
  if (first_failure[0] == '\0') rp_memcpy(first_failure, why, sizeof(why));
}

/* ---- machine-specific: mirror mapping and power-off ---------------------- */

#if defined(__x86_64__)
static uint64_t *mirror_pml4; /* NULL: no mirror, virtual calls skipped */
static uint64_t mirror_cr3;

static EFI_STATUS prepare_mirror(void) {
  uint64_t cr3, cr4;
  EFI_PHYSICAL_ADDRESS page = 0;
  __asm__ __volatile__("mov %%cr3, %0" : "=r"(cr3));
  __asm__ __volatile__("mov %%cr4, %0" : "=r"(cr4));
  if (cr4 & (1ull << 12)) return EFI_UNSUPPORTED; /* LA57: 5-level paging */
  const uint64_t *old = (const uint64_t *)(uintptr_t)(cr3 & 0x000FFFFFFFFFF000ull);
  EFI_STATUS s = rp_plat_alloc_pages(EfiLoaderData, 1, &page);
  if (EFI_ERROR(s)) return s;
  uint64_t *pml4 = (uint64_t *)(uintptr_t)page;
  for (int i = 0; i < 512; i++) pml4[i] = old[i];
  for (int i = 0; i < 256; i++) {
    if (pml4[256 + i] != 0) return EFI_ACCESS_DENIED; /* upper half in use */
    pml4[256 + i] = old[i];
  }
  mirror_pml4 = pml4;
  mirror_cr3 = (uint64_t)page | (cr3 & 0xFFFull);
  return EFI_SUCCESS;
}

static bool enable_mirror(void) {
  if (mirror_pml4 == NULL) return false;
  __asm__ __volatile__("mov %0, %%cr3" : : "r"(mirror_cr3) : "memory");
  return true;
}

static void power_off_fallback(void) {
  __asm__ __volatile__("outw %w0, %w1" : : "a"((uint16_t)0x2000), "Nd"((uint16_t)0x604));
}
#else
static EFI_STATUS prepare_mirror(void) { return EFI_UNSUPPORTED; }
static bool enable_mirror(void) { return false; }
static void power_off_fallback(void) {
  register uint64_t x0 __asm__("x0") = 0x84000008ull; /* PSCI SYSTEM_OFF */
  __asm__ __volatile__("hvc #0" : "+r"(x0) : : "memory");
}
#endif

static void halt_forever(void) {
  for (;;) {
#if defined(__x86_64__)
    __asm__ __volatile__("hlt");
#else
    __asm__ __volatile__("wfi");
#endif
  }
}

/* ---- memory map --------------------------------------------------------- */

typedef struct map_buf {
  EFI_MEMORY_DESCRIPTOR *d;
  UINTN cap, size, key, dsize;
  UINT32 dver;
} map_buf;

static EFI_MEMORY_DESCRIPTOR *desc_at(const map_buf *m, EFI_MEMORY_DESCRIPTOR *base, UINTN i) {
  return (EFI_MEMORY_DESCRIPTOR *)((uint8_t *)base + i * m->dsize);
}

static UINTN desc_count(const map_buf *m) { return m->dsize ? m->size / m->dsize : 0; }

/* Sizes the buffers once, before ExitBootServices (no allocation after). */
static EFI_STATUS alloc_maps(EFI_BOOT_SERVICES *bs, map_buf *m, EFI_MEMORY_DESCRIPTOR **good,
                             EFI_MEMORY_DESCRIPTOR **bad) {
  UINTN size = 0;
  EFI_STATUS s = bs->GetMemoryMap(&size, NULL, &m->key, &m->dsize, &m->dver);
  if (s != EFI_BUFFER_TOO_SMALL) return EFI_ERROR(s) ? s : EFI_PROTOCOL_ERROR;
  m->cap = size + MAP_SLACK_DESCS * m->dsize;
  void *a = NULL, *b = NULL, *c = NULL;
  s = rp_plat_alloc_pool(EfiLoaderData, m->cap, &a);
  if (!EFI_ERROR(s)) s = rp_plat_alloc_pool(EfiLoaderData, m->cap, &b);
  if (!EFI_ERROR(s)) s = rp_plat_alloc_pool(EfiLoaderData, m->cap, &c);
  m->d = a;
  *good = b;
  *bad = c;
  return s;
}

static EFI_STATUS exit_boot_services(EFI_HANDLE image, EFI_BOOT_SERVICES *bs, map_buf *m, int *attempts) {
  EFI_STATUS s = EFI_INVALID_PARAMETER;
  for (*attempts = 0; *attempts < 3 && s == EFI_INVALID_PARAMETER; (*attempts)++) {
    m->size = m->cap;
    s = bs->GetMemoryMap(&m->size, m->d, &m->key, &m->dsize, &m->dver);
    if (EFI_ERROR(s)) return s;
    s = bs->ExitBootServices(image, m->key);
  }
  return s;
}

static bool is_rt(const EFI_MEMORY_DESCRIPTOR *d) { return (d->Attribute & EFI_MEMORY_RUNTIME) != 0; }

/* Linux form: runtime descriptors only, VirtualStart = PhysicalStart + delta;
 * `drop` (an index into the EBS map, or (UINTN)-1) is left out. */
static UINTN build_vmap(const map_buf *m, EFI_MEMORY_DESCRIPTOR *out, UINTN drop) {
  UINTN n = 0;
  for (UINTN i = 0; i < desc_count(m); i++) {
    const EFI_MEMORY_DESCRIPTOR *d = desc_at(m, m->d, i);
    if (!is_rt(d) || i == drop) continue;
    EFI_MEMORY_DESCRIPTOR *o = desc_at(m, out, n++);
    rp_memcpy(o, d, m->dsize);
    o->VirtualStart = d->PhysicalStart + RP_SVAM_DELTA;
  }
  return n * m->dsize;
}

static UINTN find_desc(const map_buf *m, uint64_t addr) {
  for (UINTN i = 0; i < desc_count(m); i++) {
    const EFI_MEMORY_DESCRIPTOR *d = desc_at(m, m->d, i);
    if (addr >= d->PhysicalStart && addr - d->PhysicalStart < d->NumberOfPages * EFI_PAGE_SIZE) return i;
  }
  return (UINTN)-1;
}

/* CRC over every runtime code and data page (MMIO left out: reading it may
 * have side effects). Equal before and after a call = nothing written. */
static uint32_t runtime_memory_crc(const map_buf *m, uint64_t *bytes) {
  uint32_t crc = 0;
  *bytes = 0;
  for (UINTN i = 0; i < desc_count(m); i++) {
    const EFI_MEMORY_DESCRIPTOR *d = desc_at(m, m->d, i);
    if (!is_rt(d) || (d->Type != EfiRuntimeServicesCode && d->Type != EfiRuntimeServicesData)) continue;
    size_t len = (size_t)(d->NumberOfPages * EFI_PAGE_SIZE);
    crc = rp_crc32_update(crc, (const void *)(uintptr_t)d->PhysicalStart, len);
    *bytes += len;
  }
  return crc;
}

/* ---- table checks ------------------------------------------------------- */

#define RS_CONVERTED 12
static const size_t rs_off[RS_CONVERTED] = {
  offsetof(EFI_RUNTIME_SERVICES, GetTime),       offsetof(EFI_RUNTIME_SERVICES, SetTime),
  offsetof(EFI_RUNTIME_SERVICES, GetWakeupTime), offsetof(EFI_RUNTIME_SERVICES, SetWakeupTime),
  offsetof(EFI_RUNTIME_SERVICES, GetVariable),   offsetof(EFI_RUNTIME_SERVICES, GetNextVariableName),
  offsetof(EFI_RUNTIME_SERVICES, SetVariable),   offsetof(EFI_RUNTIME_SERVICES, GetNextHighMonotonicCount),
  offsetof(EFI_RUNTIME_SERVICES, ResetSystem),   offsetof(EFI_RUNTIME_SERVICES, UpdateCapsule),
  offsetof(EFI_RUNTIME_SERVICES, QueryCapsuleCapabilities), offsetof(EFI_RUNTIME_SERVICES, QueryVariableInfo),
};

typedef struct snapshot {
  uint64_t rs[RS_CONVERTED];
  uint64_t vendor, config, runtime, svam, convert;
  uint32_t rs_crc, st_crc;
} snapshot;

static uint64_t ptr_at(const void *t, size_t off) {
  uintptr_t v;
  rp_memcpy(&v, (const uint8_t *)t + off, sizeof(v));
  return v;
}

static void take(const EFI_SYSTEM_TABLE *st, const EFI_RUNTIME_SERVICES *rs, snapshot *s) {
  for (int i = 0; i < RS_CONVERTED; i++) s->rs[i] = ptr_at(rs, rs_off[i]);
  s->vendor = (uintptr_t)st->FirmwareVendor;
  s->config = (uintptr_t)st->ConfigurationTable;
  s->runtime = (uintptr_t)st->RuntimeServices;
  s->svam = (uintptr_t)rs->SetVirtualAddressMap;
  s->convert = (uintptr_t)rs->ConvertPointer;
  s->rs_crc = rs->Hdr.CRC32;
  s->st_crc = st->Hdr.CRC32;
}

/* UEFI §4.2: CRC32 over HeaderSize bytes with the CRC field zeroed. */
static bool header_crc_ok(EFI_TABLE_HEADER *h) {
  uint32_t saved = h->CRC32;
  h->CRC32 = 0;
  uint32_t c = rp_crc32(h, h->HeaderSize);
  h->CRC32 = saved;
  return c == saved;
}

static uint64_t moved(uint64_t p) { return p == 0 ? 0 : p + RP_SVAM_DELTA; }

static void check_converted(EFI_SYSTEM_TABLE *st, EFI_RUNTIME_SERVICES *rs, const snapshot *b) {
  snapshot a;
  unsigned n = 0;
  take(st, rs, &a);
  for (int i = 0; i < RS_CONVERTED; i++) {
    if (a.rs[i] != moved(b->rs[i])) fail("service %d: 0x%llx, want 0x%llx", i, (unsigned long long)a.rs[i],
                                         (unsigned long long)moved(b->rs[i]));
    n += b->rs[i] != 0;
  }
  if (a.vendor != moved(b->vendor) || a.config != moved(b->config) || a.runtime != moved(b->runtime))
    fail("system table fields not converted by the delta");
  if (a.svam != b->svam || a.convert != b->convert) fail("SetVirtualAddressMap/ConvertPointer were converted");
  if (!header_crc_ok(&rs->Hdr) || !header_crc_ok(&st->Hdr)) fail("header CRC32 invalid after conversion");
  if (first_failure[0] == '\0')
    say("RTPRM-SVAM: pointers ok: %u services and 3 system-table fields moved by +0x%llx, "
        "SVAM/ConvertPointer untouched, both CRC32s valid\n", n + 0, (unsigned long long)RP_SVAM_DELTA);
}

/* ---- virtual calls (x64 mirror) ------------------------------------------ */

static void call_virtual(EFI_SYSTEM_TABLE *st) {
  EFI_RUNTIME_SERVICES *vrs = st->RuntimeServices; /* virtual now */
  EFI_TIME t;
  rp_memset(&t, 0, sizeof(t));
  EFI_STATUS s = vrs->GetTime(&t, NULL);
  if (EFI_ERROR(s)) fail("virtual GetTime: %s", rp_status_name(s));
  else say("RTPRM-SVAM: virtual GetTime at %p -> %s, %04u-%02u-%02u %02u:%02u:%02u\n", (void *)vrs->GetTime,
           rp_status_name(s), t.Year, t.Month, t.Day, t.Hour, t.Minute, t.Second);
  CHAR16 name[] = { 'B', 'o', 'o', 't', 'O', 'r', 'd', 'e', 'r', 0 };
  EFI_GUID global = { 0x8BE4DF61, 0x93CA, 0x11d2, { 0xAA, 0x0D, 0x00, 0xE0, 0x98, 0x03, 0x2B, 0x8C } };
  uint8_t data[64];
  UINTN size = sizeof(data);
  UINT32 attr = 0;
  s = vrs->GetVariable(name, &global, &attr, &size, data);
  if (EFI_ERROR(s)) fail("virtual GetVariable(BootOrder): %s", rp_status_name(s));
  else say("RTPRM-SVAM: virtual GetVariable(BootOrder) at %p -> %s, %llu bytes, attributes 0x%x\n",
           (void *)vrs->GetVariable, rp_status_name(s), (unsigned long long)size, attr);
}

/* ---- the test ------------------------------------------------------------ */

static EFI_STATUS svam(EFI_RUNTIME_SERVICES *rs, const map_buf *m, UINTN size, EFI_MEMORY_DESCRIPTOR *v) {
  return rs->SetVirtualAddressMap(size, m->dsize, m->dver, v);
}

static void run_svam(EFI_SYSTEM_TABLE *st, EFI_RUNTIME_SERVICES *rs, map_buf *m, EFI_MEMORY_DESCRIPTOR *good,
                     EFI_MEMORY_DESCRIPTOR *bad, uint64_t get_time) {
  snapshot before;
  uint64_t bytes;
  take(st, rs, &before);
  UINTN drop = find_desc(m, get_time);
  if (drop == (UINTN)-1 || !is_rt(desc_at(m, m->d, drop))) {
    fail("GetTime 0x%llx is not in a runtime descriptor", (unsigned long long)get_time);
    return;
  }
  UINTN bad_size = build_vmap(m, bad, drop), good_size = build_vmap(m, good, (UINTN)-1);
  uint32_t crc0 = runtime_memory_crc(m, &bytes);
  EFI_STATUS s = svam(rs, m, bad_size, bad);
  uint32_t crc1 = runtime_memory_crc(m, &bytes);
  if (s != EFI_NO_MAPPING) fail("bad map (descriptor %llu dropped): %s, want EFI_NO_MAPPING",
                                (unsigned long long)drop, rp_status_name(s));
  else if (crc1 != crc0) fail("bad map rejected but runtime memory changed (crc 0x%08x -> 0x%08x)", crc0, crc1);
  else say("RTPRM-SVAM: bad map (descriptor %llu of type %u dropped) -> %s, %llu bytes of runtime memory unchanged\n",
           (unsigned long long)drop, desc_at(m, m->d, drop)->Type, rp_status_name(s), (unsigned long long)bytes);
  s = svam(rs, m, good_size, good);
  if (s != EFI_SUCCESS) {
    fail("good map (%llu runtime descriptors): %s", (unsigned long long)(good_size / m->dsize), rp_status_name(s));
    return;
  }
  say("RTPRM-SVAM: good map (%llu runtime descriptors, delta +0x%llx) -> %s\n",
      (unsigned long long)(good_size / m->dsize), (unsigned long long)RP_SVAM_DELTA, rp_status_name(s));
  s = svam(rs, m, good_size, good);
  if (s != EFI_UNSUPPORTED) fail("second good map: %s, want EFI_UNSUPPORTED", rp_status_name(s));
  else say("RTPRM-SVAM: again -> %s\n", rp_status_name(s));
  check_converted(st, rs, &before);
}

static void finish(EFI_SYSTEM_TABLE *st, bool mirrored) {
  if (first_failure[0] == '\0') say("RTPRM-SVAM: PASS\n");
  else say("RTPRM-SVAM: FAIL %s\n", first_failure);
  if (mirrored) {
    say("RTPRM-SVAM: shutdown via the virtual ResetSystem\n");
    st->RuntimeServices->ResetSystem(EfiResetShutdown, EFI_SUCCESS, 0, NULL);
  }
  say("RTPRM-SVAM: shutdown via the fallback\n");
  power_off_fallback();
  halt_forever();
}

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st) {
  map_buf m;
  EFI_MEMORY_DESCRIPTOR *good = NULL, *bad = NULL;
  int attempts = 0;
  EFI_STATUS s = rp_uefi_platform_init(image, st);
  if (EFI_ERROR(s)) return s;
  EFI_BOOT_SERVICES *bs = st->BootServices;
  EFI_RUNTIME_SERVICES *rs = st->RuntimeServices; /* stays physical: identity map */
  rp_memset(&m, 0, sizeof(m));
  (void)bs->SetWatchdogTimer(0, 0, 0, NULL);
  say("\nRTPRM-SVAM: start: SetVirtualAddressMap at %p, ConvertPointer at %p\n", (void *)rs->SetVirtualAddressMap,
      (void *)rs->ConvertPointer);
  EFI_STATUS mirror = prepare_mirror();
  say("RTPRM-SVAM: virtual-call mirror: %s\n", EFI_ERROR(mirror) ? rp_status_name(mirror) : "ready");
  s = alloc_maps(bs, &m, &good, &bad);
  if (EFI_ERROR(s)) {
    say("RTPRM-SVAM: FAIL map buffers: %s\n", rp_status_name(s));
    return s;
  }
  uint64_t get_time = (uintptr_t)rs->GetTime;
  s = exit_boot_services(image, bs, &m, &attempts);
  if (EFI_ERROR(s)) {
    say("RTPRM-SVAM: FAIL ExitBootServices: %s\n", rp_status_name(s));
    return s;
  }
  say("RTPRM-SVAM: ebs ok after %d attempt(s): %llu descriptors of %llu bytes\n", attempts,
      (unsigned long long)desc_count(&m), (unsigned long long)m.dsize);
  run_svam(st, rs, &m, good, bad, get_time);
  bool mirrored = first_failure[0] == '\0' && enable_mirror();
  if (mirrored) call_virtual(st);
  else say("RTPRM-SVAM: virtual calls skipped (no mirror mapping); pointers checked arithmetically\n");
  finish(st, mirrored);
  return EFI_SUCCESS;
}
