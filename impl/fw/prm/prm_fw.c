/* SPDX-License-Identifier: BSD-2-Clause-Patent */
#include "prm_fw.h"

#include "rtprm/fmt.h"
#include "rtprm/mem.h"


EFI_STATUS prm_handles_with(const EFI_GUID *protocol, EFI_HANDLE **handles, UINTN *count) {
  EFI_BOOT_SERVICES *bs = rp_uefi_boot_services();
  EFI_GUID g = *protocol;
  *handles = NULL;
  *count = 0;
  if (bs == NULL) return EFI_NOT_READY;
  return bs->LocateHandleBuffer(ByProtocol, &g, NULL, count, handles);
}

EFI_STATUS prm_protocol_of(EFI_HANDLE h, const EFI_GUID *protocol, void **iface) {
  EFI_BOOT_SERVICES *bs = rp_uefi_boot_services();
  EFI_GUID g = *protocol;
  *iface = NULL;
  if (bs == NULL) return EFI_NOT_READY;
  return bs->HandleProtocol(h, &g, iface);
}

EFI_STATUS prm_install_acpi_table(const void *table, UINTN size, UINTN *key) {
  static const EFI_GUID acpi_guid = RP_GUID_ACPI_TABLE_PROTOCOL;
  EFI_BOOT_SERVICES *bs = rp_uefi_boot_services();
  EFI_ACPI_TABLE_PROTOCOL *acpi = NULL;
  EFI_GUID g = acpi_guid;
  EFI_STATUS s;
  if (bs == NULL) return EFI_NOT_READY;
  s = bs->LocateProtocol(&g, NULL, (void **)&acpi);
  if (EFI_ERROR(s)) return s;
  return acpi->InstallAcpiTable(acpi, (void *)(uintptr_t)table, size, key);
}
