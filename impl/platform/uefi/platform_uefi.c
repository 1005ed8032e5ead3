/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Firmware implementation of the platform seam (rtprm/platform.h) over UEFI
 * boot services; see rtprm/fw/platform_uefi.h for the life cycle.
 *
 * Two phases, switched by an EVT_SIGNAL_EXIT_BOOT_SERVICES notification
 * (UEFI 2.10 §7.1.1 CreateEvent, §7.4.6 ExitBootServices):
 *   boot services  pool/pages from gBS, log to ConOut (+ port 0xE9 on x64);
 *   runtime        no gBS at all: allocations fail with EFI_UNSUPPORTED,
 *                  frees are ignored, log only to port 0xE9 (x64), or on
 *                  AArch64 to the SPCR console UART if the image asked for
 *                  it and the firmware's translation tables are still live
 *                  (otherwise dropped).
 * The notification function flips state and, when the UART was asked for,
 * reads the SPCR: pure memory reads, as ExitBootServices forbids memory
 * services in its notifications and the console may already be gone.
 */
#include "rtprm/platform.h"
#include "rtprm/fw/platform_uefi.h"
#include "rtprm/acpi_tables.h"
#include "rtprm/fmt.h"

static struct {
  EFI_HANDLE                       image;
  EFI_SYSTEM_TABLE                *st;
  EFI_BOOT_SERVICES               *bs;     /* NULL before init and after EBS */
  EFI_RUNTIME_SERVICES            *rt;
  EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *conout; /* NULL before init and after EBS */
  EFI_EVENT                        ebs_event;
  volatile bool                    ebs_done;
  bool                             initialised;
  char                             last_char; /* for "\n" -> "\r\n" across calls */
  bool                             uart_wanted; /* rp_uefi_log_uart_after_exit */
  uint64_t                         uart_base;   /* 0: no UART sink */
  uint64_t                         uart_ttbr0;  /* tables in force at ExitBootServices */
  const char                      *uart_why;    /* why there is none */
} plat;

static void uart_capture(void);

/* ---- ExitBootServices ------------------------------------------------- */

static VOID EFIAPI on_exit_boot_services(EFI_EVENT event, VOID *context) {
  (void)event;
  (void)context;
  plat.ebs_done = true;
  plat.conout = NULL;
  plat.bs = NULL;
  plat.ebs_event = NULL; /* freed by the firmware together with boot services */
  if (plat.uart_wanted) uart_capture();
}

EFI_STATUS rp_uefi_platform_init(EFI_HANDLE image, EFI_SYSTEM_TABLE *st) {
  EFI_STATUS s;
  EFI_EVENT ev = NULL;

  if (plat.initialised) return EFI_ALREADY_STARTED;
  if (st == NULL || st->Hdr.Signature != EFI_SYSTEM_TABLE_SIGNATURE ||
      st->BootServices == NULL || st->BootServices->Hdr.Signature != EFI_BOOT_SERVICES_SIGNATURE ||
      st->RuntimeServices == NULL ||
      st->RuntimeServices->Hdr.Signature != EFI_RUNTIME_SERVICES_SIGNATURE) {
    return EFI_INVALID_PARAMETER;
  }
  s = st->BootServices->CreateEvent(EVT_SIGNAL_EXIT_BOOT_SERVICES, TPL_NOTIFY,
                                    on_exit_boot_services, NULL, &ev);
  if (EFI_ERROR(s)) return s;

  plat.image = image;
  plat.st = st;
  plat.bs = st->BootServices;
  plat.rt = st->RuntimeServices;
  plat.conout = st->ConOut; /* may be NULL on a headless system: then 0xE9 only */
  plat.ebs_event = ev;
  plat.ebs_done = false;
  plat.last_char = '\n';
  plat.initialised = true;
  return EFI_SUCCESS;
}

void rp_uefi_platform_fini(void) {
  if (!plat.initialised) return;
  if (!plat.ebs_done && plat.bs != NULL && plat.ebs_event != NULL) {
    (void)plat.bs->CloseEvent(plat.ebs_event);
  }
  plat.ebs_event = NULL;
  plat.bs = NULL;
  plat.conout = NULL;
  plat.uart_wanted = false;
  plat.uart_base = 0;
  plat.initialised = false;
}

EFI_HANDLE rp_uefi_image_handle(void) { return plat.image; }
EFI_SYSTEM_TABLE *rp_uefi_system_table(void) { return plat.st; }
EFI_BOOT_SERVICES *rp_uefi_boot_services(void) { return plat.ebs_done ? NULL : plat.bs; }
EFI_RUNTIME_SERVICES *rp_uefi_runtime_services(void) { return plat.rt; }
bool rp_uefi_boot_services_exited(void) { return plat.ebs_done; }

/* ---- Memory ----------------------------------------------------------- */

/* Types a caller may allocate (UEFI §7.2.1: the OEM/OS ranges are allowed
 * too, but the core has no use for them). */
static bool type_allocatable(EFI_MEMORY_TYPE type) {
  return type < EfiMaxMemoryType && type != EfiConventionalMemory && type != EfiPersistentMemory &&
         type != EfiUnacceptedMemoryType;
}

/* Status when boot services cannot be used: not yet, or never again. */
static EFI_STATUS no_bs_status(void) {
  return plat.ebs_done ? EFI_UNSUPPORTED : EFI_NOT_READY;
}

EFI_STATUS rp_plat_alloc_pool(EFI_MEMORY_TYPE type, size_t size, void **out) {
  EFI_BOOT_SERVICES *bs = rp_uefi_boot_services();
  if (out == NULL || !type_allocatable(type)) return EFI_INVALID_PARAMETER;
  *out = NULL;
  if (bs == NULL) return no_bs_status();
  return bs->AllocatePool(type, size, out);
}

void rp_plat_free_pool(void *p) {
  EFI_BOOT_SERVICES *bs = rp_uefi_boot_services();
  if (p == NULL || bs == NULL) return; /* after EBS the OS owns the memory */
  (void)bs->FreePool(p);
}

EFI_STATUS rp_plat_alloc_pages(EFI_MEMORY_TYPE type, size_t pages, EFI_PHYSICAL_ADDRESS *addr) {
  EFI_BOOT_SERVICES *bs = rp_uefi_boot_services();
  EFI_PHYSICAL_ADDRESS a = 0;
  EFI_STATUS s;
  if (addr == NULL || !type_allocatable(type) || pages == 0) return EFI_INVALID_PARAMETER;
  *addr = 0;
  if (bs == NULL) return no_bs_status();
  s = bs->AllocatePages(AllocateAnyPages, type, pages, &a);
  if (!EFI_ERROR(s)) *addr = a;
  return s;
}

void rp_plat_free_pages(EFI_PHYSICAL_ADDRESS addr, size_t pages) {
  EFI_BOOT_SERVICES *bs = rp_uefi_boot_services();
  if (addr == 0 || pages == 0 || bs == NULL) return;
  (void)bs->FreePages(addr, pages);
}

/* ---- Log sink --------------------------------------------------------- */

#if defined(__x86_64__)
/* QEMU's isa-debugcon latches every byte written to its port; with no such
 * device the write goes to an unclaimed port and is ignored. */
#define RP_DEBUGCON_PORT 0xE9

static inline void port_out8(uint16_t port, uint8_t v) {
  __asm__ __volatile__("outb %b0, %w1" : : "a"(v), "Nd"(port) : "memory");
}

static void debugcon_write(const char *text, size_t len) {
  for (size_t i = 0; i < len; i++) port_out8(RP_DEBUGCON_PORT, (uint8_t)text[i]);
}
#else
static void debugcon_write(const char *text, size_t len) {
  (void)text;
  (void)len;
}
#endif

/* Bytes outside printable ASCII (except \t \r \n) become '?' on the
 * consoles: the core only logs ASCII, and a stray byte must not turn into a
 * control sequence. */
static char printable(char c) {
  if ((unsigned char)c >= 0x7F || ((unsigned char)c < 0x20 && c != '\n' && c != '\r' && c != '\t')) return '?';
  return c;
}

#if defined(__aarch64__)
/* The SPCR console UART after ExitBootServices (rtprm/acpi_tables.h for the
 * register subset). Written only while TTBR0 of the running exception level
 * is the one captured at ExitBootServices: the firmware's tables map the
 * UART; once the OS switched to its own, the physical address may be
 * unmapped and the text is dropped. */
#define PL011_DR      0x00u
#define PL011_FR      0x18u
#define PL011_FR_TXFF (1u << 5)
#define PL011_SPIN    100000u /* bounded wait for FIFO room, then drop */

static uint64_t current_ttbr0(void) {
  uint64_t el, v;
  __asm__ __volatile__("mrs %0, CurrentEL" : "=r"(el));
  if (((el >> 2) & 3u) == 2u) {
    __asm__ __volatile__("mrs %0, ttbr0_el2" : "=r"(v));
  } else {
    __asm__ __volatile__("mrs %0, ttbr0_el1" : "=r"(v));
  }
  return v;
}

static void uart_capture(void) {
  rp_bytes t;
  rp_spcr_uart u;
  rp_diag d;
  const char *why = NULL;
  EFI_STATUS s = rp_uefi_acpi_table(EFI_ACPI_SPCR_SIGNATURE, NULL, &t, &why);
  if (!EFI_ERROR(s)) {
    s = rp_spcr_uart_of(t, &u, &d);
    if (EFI_ERROR(s)) why = rp_reason_text(d.reason);
  }
  if (EFI_ERROR(s)) {
    plat.uart_why = why;
    return;
  }
  plat.uart_ttbr0 = current_ttbr0();
  plat.uart_base = u.base;
}

static void uart_put(uintptr_t base, char c) {
  volatile uint32_t *fr = (volatile uint32_t *)(base + PL011_FR);
  for (uint32_t spin = 0; (*fr & PL011_FR_TXFF) != 0; spin++) {
    if (spin == PL011_SPIN) return;
  }
  *(volatile uint32_t *)(base + PL011_DR) = (uint8_t)c;
}

static void uart_write(const char *text, size_t len) {
  uintptr_t base = (uintptr_t)plat.uart_base;
  if (base == 0 || current_ttbr0() != plat.uart_ttbr0) return;
  for (size_t i = 0; i < len; i++) {
    if (text[i] == '\n') uart_put(base, '\r');
    uart_put(base, printable(text[i]));
  }
}

EFI_STATUS rp_uefi_log_uart_after_exit(void) {
  if (!plat.initialised) return EFI_NOT_READY;
  plat.uart_wanted = true;
  plat.uart_why = "ExitBootServices has not run";
  return EFI_SUCCESS;
}
#else
static void uart_capture(void) {}
static void uart_write(const char *text, size_t len) {
  (void)text;
  (void)len;
}

EFI_STATUS rp_uefi_log_uart_after_exit(void) {
  return plat.initialised ? EFI_UNSUPPORTED : EFI_NOT_READY;
}
#endif

uint64_t rp_uefi_log_uart_base(const char **why) {
  if (why != NULL) *why = plat.uart_base != 0 ? NULL : plat.uart_wanted ? plat.uart_why : "not asked for";
  return plat.uart_base;
}

/* ConOut takes NUL-terminated UCS-2. */
static void conout_write(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *out, const char *text, size_t len) {
  CHAR16 buf[128];
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    char c = text[i];
    if (n + 3 > sizeof(buf) / sizeof(buf[0])) { /* room for "\r\n" + NUL */
      buf[n] = 0;
      (void)out->OutputString(out, buf);
      n = 0;
    }
    if (c == '\n' && plat.last_char != '\r') buf[n++] = (CHAR16)'\r';
    buf[n++] = (CHAR16)(unsigned char)printable(c);
    plat.last_char = c;
  }
  if (n > 0) {
    buf[n] = 0;
    (void)out->OutputString(out, buf);
  }
}

void rp_plat_log_write(const char *text, size_t len) {
  EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *out;
  if (text == NULL || len == 0) return;
  debugcon_write(text, len);
  if (plat.ebs_done) {
    uart_write(text, len);
    return;
  }
  out = plat.conout;
  if (out != NULL) conout_write(out, text, len);
}

/* ---- Instruction cache ------------------------------------------------ */

#if defined(__aarch64__)
/* Arm ARM B2.4.4 "Concurrent modification and execution of instructions":
 * to make data writes visible to instruction fetch on the same or another
 * PE, clean the D-cache to the Point of Unification by VA, barrier,
 * invalidate the I-cache to PoU by VA, barrier, then resynchronise the
 * fetch stream. Line sizes come from CTR_EL0 (DminLine [19:16], IminLine
 * [3:0], log2 of words). CTR_EL0.IDC [28] / DIC [29] say the respective
 * step is not needed for coherence; the barriers are always issued. */
void rp_plat_flush_icache(const void *addr, size_t len) {
  uint64_t ctr;
  uintptr_t start = (uintptr_t)addr, end, p;
  uintptr_t dline, iline;

  if (len == 0) return;
  end = (len > UINTPTR_MAX - start) ? UINTPTR_MAX : start + len;
  __asm__ __volatile__("mrs %0, ctr_el0" : "=r"(ctr));
  dline = (uintptr_t)4 << ((ctr >> 16) & 0xF);
  iline = (uintptr_t)4 << (ctr & 0xF);

  if (!(ctr & (1ull << 28))) {
    for (p = start & ~(dline - 1); p < end; p += dline) {
      __asm__ __volatile__("dc cvau, %0" : : "r"(p) : "memory");
      if (p > UINTPTR_MAX - dline) break;
    }
  }
  __asm__ __volatile__("dsb ish" : : : "memory");
  if (!(ctr & (1ull << 29))) {
    for (p = start & ~(iline - 1); p < end; p += iline) {
      __asm__ __volatile__("ic ivau, %0" : : "r"(p) : "memory");
      if (p > UINTPTR_MAX - iline) break;
    }
  }
  __asm__ __volatile__("dsb ish" : : : "memory");
  __asm__ __volatile__("isb" : : : "memory");
}
#else
/* x86 keeps instruction fetch coherent with data writes (Intel SDM Vol 3
 * §8.1.3 "Handling Self- and Cross-Modifying Code"): the processor snoops
 * stores against its code caches and prefetch queue. Code written here is
 * always executed after a later jump/call into it, so nothing is needed;
 * the compiler barrier keeps the stores from being sunk past the call. */
void rp_plat_flush_icache(const void *addr, size_t len) {
  (void)addr;
  (void)len;
  __asm__ __volatile__("" : : : "memory");
}
#endif

size_t rp_uefi_vsay(const char *fmt, va_list ap) {
  char line[256];
  size_t n = rp_vsnprintf(line, sizeof(line), fmt, ap);
  if (n >= sizeof(line)) n = sizeof(line) - 1;
  rp_plat_log_write(line, n);
  return n;
}

size_t rp_uefi_say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  size_t n = rp_uefi_vsay(fmt, ap);
  va_end(ap);
  return n;
}
