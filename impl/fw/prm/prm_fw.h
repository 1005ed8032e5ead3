/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Helpers shared by the PRM firmware images (impl/fw/prm/): logging through
 * the platform seam, handle-database and configuration-table look-ups,
 * ACPI table install. Boot services only (entry points and their events).
 */
#ifndef RTPRM_FW_PRM_FW_H
#define RTPRM_FW_PRM_FW_H

#include "rtprm/spec/acpi.h"
#include "rtprm/guid.h"
#include "rtprm/platform.h"
#include "rtprm/fw/platform_uefi.h"
#include "rtprm/prm_core.h"

/* One log line (ConOut + port 0xE9 on x64). */
#define prm_say rp_uefi_say /* one line to the platform log (ConOut, port 0xE9) */

/* Handles carrying a protocol (LocateHandleBuffer, ByProtocol); *handles is
 * boot-services pool the caller frees with rp_plat_free_pool. */
EFI_STATUS prm_handles_with(const EFI_GUID *protocol, EFI_HANDLE **handles, UINTN *count);
/* HandleProtocol wrapper. */
EFI_STATUS prm_protocol_of(EFI_HANDLE h, const EFI_GUID *protocol, void **iface);
/* Installs an ACPI table through EFI_ACPI_TABLE_PROTOCOL (UEFI 2.10 §20.2:
 * the protocol copies the table and fixes up the checksum). */
EFI_STATUS prm_install_acpi_table(const void *table, UINTN size, UINTN *key);
/* "0x0406"-style text is printed by callers with rp_reason_name(). */

/* The platform GUID of this firmware (PrmPkg.dsc PLATFORM_GUID, which the
 * samples are built for; rtprm/fw/prm_module_author.h). */
#define RP_PRM_LOADER_PLATFORM_GUID RP_PRM_SAMPLE_PLATFORM_GUID
#include "rtprm/fw/prm_module_author.h"

#endif /* RTPRM_FW_PRM_FW_H */
