/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Firmware-only controls of the platform seam (impl/platform/uefi/).
 *
 * An image's entry point calls rp_uefi_platform_init() before anything else
 * of the core. From then on, until ExitBootServices():
 *   - rp_plat_alloc_pool/pages go to gBS->AllocatePool/AllocatePages;
 *   - rp_plat_log_write writes to ConOut (CHAR16, "\n" -> "\r\n").
 * After ExitBootServices() (signalled through an EVT_SIGNAL_EXIT_BOOT_SERVICES
 * event created by init), boot services are never touched again:
 *   - allocations return EFI_UNSUPPORTED, frees are ignored;
 *   - ConOut is dropped.
 * On x64 every log byte is also written to I/O port 0xE9, QEMU's debug
 * console (isa-debugcon), before and after ExitBootServices. AArch64 has no
 * port I/O: after ExitBootServices log text is dropped there unless the
 * image asked for the SPCR console UART (rp_uefi_log_uart_after_exit).
 */
#ifndef RTPRM_PLATFORM_UEFI_H
#define RTPRM_PLATFORM_UEFI_H

#include <stdarg.h>
#include <stddef.h>

#include "rtprm/bytes.h"
#include "rtprm/spec/uefi_tables.h"

/* Stores the image handle and tables and registers the ExitBootServices
 * notification. EFI_INVALID_PARAMETER when st or its boot/runtime service
 * tables are NULL or carry wrong signatures; EFI_ALREADY_STARTED when called
 * twice; otherwise the status of CreateEvent. */
EFI_STATUS rp_uefi_platform_init(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

/* Closes the ExitBootServices event. An image that returns from its entry
 * point (an application, or a driver that fails to load) must call this
 * first: its code is freed on return and the notification would jump into
 * freed memory at ExitBootServices. Harmless after ExitBootServices. */
void rp_uefi_platform_fini(void);

/* The stored tables. rp_uefi_boot_services() is NULL before init and after
 * ExitBootServices; the others stay valid (physical addresses: a runtime
 * driver converts its own pointers at SetVirtualAddressMap). */
EFI_HANDLE            rp_uefi_image_handle(void);
EFI_SYSTEM_TABLE     *rp_uefi_system_table(void);
EFI_BOOT_SERVICES    *rp_uefi_boot_services(void);
EFI_RUNTIME_SERVICES *rp_uefi_runtime_services(void);

/* True once the ExitBootServices notification has run. */
bool rp_uefi_boot_services_exited(void);

/* The configuration table entry with that GUID (UEFI 2.10 §4.6), or NULL. */
void *rp_uefi_config_table(const EFI_GUID *guid);

/* The first ACPI table with that signature (and, when oem_table_id is not
 * NULL, those 8 OEM table id bytes) among the XSDT entries of the ACPI 2.0
 * RSDP. The RSDP and XSDT are validated (signature, revision, checksums,
 * lengths up to 16 MiB); the table found only by its header's Length, so the
 * caller checks its contents. EFI_SUCCESS, EFI_NOT_FOUND (no RSDP, or no
 * such table), EFI_VOLUME_CORRUPTED (bad RSDP or XSDT) or
 * EFI_INVALID_PARAMETER; *why (if not NULL) says which, NULL on success. */
EFI_STATUS rp_uefi_acpi_table(uint32_t signature, const char *oem_table_id, rp_bytes *out, const char **why);

/* AArch64: lets this image's log lines printed after ExitBootServices reach
 * the console UART the ACPI SPCR table names (PL011 or SBSA generic UART),
 * while the translation tables in force at ExitBootServices are still the
 * current ones (TTBR0 of the running exception level unchanged: the OS has
 * not switched to its own tables, so the firmware's mapping of the UART
 * holds). The SPCR is read in the ExitBootServices notification, once the
 * ACPI tables are final. Meant for RuntimeDxe's one line per
 * SetVirtualAddressMap, which the arm64 Linux EFI stub calls on the
 * firmware's tables. EFI_SUCCESS; EFI_UNSUPPORTED on x64 (port 0xE9 serves
 * there); EFI_NOT_READY before rp_uefi_platform_init. */
EFI_STATUS rp_uefi_log_uart_after_exit(void);

/* What rp_uefi_log_uart_after_exit found at ExitBootServices: the UART base
 * (0 when none, or not asked for) and, if none, why. */
uint64_t rp_uefi_log_uart_base(const char **why);

/* printf-style line to the platform log (ConOut before ExitBootServices,
 * port 0xE9 on x64 always), at most 255 characters: the firmware images'
 * one progress/result printer. Returns the characters written. */
size_t rp_uefi_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
size_t rp_uefi_vsay(const char *fmt, va_list ap);

#endif /* RTPRM_PLATFORM_UEFI_H */
