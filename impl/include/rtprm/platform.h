/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * The platform seam: the only things the core needs from its environment.
 * Two implementations exist and exactly one is linked into any binary:
 *   impl/platform/host/  malloc-backed, with deterministic allocation-failure
 *                        injection and leak accounting (tests, fuzzers, CLI);
 *   impl/platform/uefi/  boot services before ExitBootServices; logging to
 *                        ConOut, then to the QEMU debug console (port 0xE9).
 * Nothing in impl/base, impl/memmap, ... calls an OS or firmware API directly.
 */
#ifndef RTPRM_PLATFORM_H
#define RTPRM_PLATFORM_H

#include "rtprm/spec/uefi_base.h"

/* Pool memory of the given type (EfiRuntimeServicesData for anything that
 * must survive ExitBootServices). Alignment is at least 8 bytes. */
EFI_STATUS rp_plat_alloc_pool(EFI_MEMORY_TYPE type, size_t size, void **out);
void       rp_plat_free_pool(void *p);

/* Whole 4 KiB pages of the given type; *addr is 4 KiB aligned. */
EFI_STATUS rp_plat_alloc_pages(EFI_MEMORY_TYPE type, size_t pages, EFI_PHYSICAL_ADDRESS *addr);
void       rp_plat_free_pages(EFI_PHYSICAL_ADDRESS addr, size_t pages);

/* Raw text sink for rp_log (already formatted, not NUL-terminated). */
void rp_plat_log_write(const char *text, size_t len);

/* Make freshly written code visible to instruction fetch (AArch64 needs
 * D-cache clean + I-cache invalidate; x64 is coherent). */
void rp_plat_flush_icache(const void *addr, size_t len);

/* ---- Logging on top of the sink (impl/base/log.c) ---- */
typedef enum { RP_LOG_ERROR = 0, RP_LOG_WARN, RP_LOG_INFO, RP_LOG_VERBOSE } rp_log_level;

void rp_log_set_level(rp_log_level max);
void rp_log(rp_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* RTPRM_PLATFORM_H */
