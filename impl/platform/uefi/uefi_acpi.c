/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * The UEFI configuration table and the ACPI tables it leads to
 * (rtprm/fw/platform_uefi.h): system table -> ACPI 2.0 RSDP (UEFI 2.10 §4.6,
 * ACPI 6.5 §5.2.5.3) -> XSDT (§5.2.8) -> a table by signature. Pure reads of
 * memory the firmware owns; no boot service is called, so it also works in
 * an ExitBootServices notification.
 */
#include "rtprm/acpi_tables.h"
#include "rtprm/guid.h"
#include "rtprm/mem.h"
#include "rtprm/fw/platform_uefi.h"

#define MAX_ACPI_TABLE (16u * 1024u * 1024u)

void *rp_uefi_config_table(const EFI_GUID *guid) {
  EFI_SYSTEM_TABLE *st = rp_uefi_system_table();
  if (guid == NULL || st == NULL || st->ConfigurationTable == NULL) return NULL;
  for (UINTN i = 0; i < st->NumberOfTableEntries; i++) {
    if (rp_guid_equal(&st->ConfigurationTable[i].VendorGuid, guid)) return st->ConfigurationTable[i].VendorTable;
  }
  return NULL;
}

/* A whole table at a physical address: header first, then Length bytes. */
static bool table_at(uint64_t pa, rp_bytes *out) {
  uint32_t len;
  if (pa == 0) return false;
  rp_bytes hdr = rp_bytes_of((const void *)(uintptr_t)pa, sizeof(EFI_ACPI_DESCRIPTION_HEADER));
  if (!rp_read_u32(hdr, 4, &len) || len < sizeof(EFI_ACPI_DESCRIPTION_HEADER) || len > MAX_ACPI_TABLE) return false;
  *out = rp_bytes_of(hdr.ptr, len);
  return true;
}

static EFI_STATUS xsdt_of(rp_bytes *xsdt, const char **why) {
  static const EFI_GUID acpi20 = RP_GUID_ACPI_20_TABLE;
  const uint8_t *rsdp = rp_uefi_config_table(&acpi20);
  uint64_t sig = 0, xa = 0;
  uint32_t len = 0, xsig = 0;
  if (rsdp == NULL) return *why = "no ACPI 2.0 RSDP in the configuration table", EFI_NOT_FOUND;
  rp_bytes r = rp_bytes_of(rsdp, sizeof(EFI_ACPI_ROOT_SYSTEM_DESCRIPTION_POINTER));
  (void)rp_read_u64(r, 0, &sig);
  (void)rp_read_u32(r, 20, &len);
  (void)rp_read_u64(r, 24, &xa);
  if (sig != EFI_ACPI_RSDP_SIGNATURE || rsdp[15] < EFI_ACPI_RSDP_REVISION_2 || len < r.len ||
      rp_acpi_checksum(rp_bytes_of(rsdp, EFI_ACPI_RSDP_V1_LENGTH)) != 0 || rp_acpi_checksum(r) != 0)
    return *why = "RSDP signature, revision or checksum is wrong", EFI_VOLUME_CORRUPTED;
  if (!table_at(xa, xsdt) || !rp_read_u32(*xsdt, 0, &xsig) || xsig != EFI_ACPI_XSDT_SIGNATURE ||
      rp_acpi_checksum(*xsdt) != 0)
    return *why = "XSDT missing or corrupt", EFI_VOLUME_CORRUPTED;
  return EFI_SUCCESS;
}

EFI_STATUS rp_uefi_acpi_table(uint32_t signature, const char *oem_table_id, rp_bytes *out, const char **why) {
  const char *ignored;
  rp_bytes xsdt;
  EFI_STATUS s;
  if (why == NULL) why = &ignored;
  if (out == NULL) return *why = "no output", EFI_INVALID_PARAMETER;
  s = xsdt_of(&xsdt, why);
  if (EFI_ERROR(s)) return s;
  for (uint64_t off = sizeof(EFI_ACPI_DESCRIPTION_HEADER); off + 8 <= xsdt.len; off += 8) {
    uint64_t pa = 0;
    uint32_t sig = 0;
    rp_bytes t;
    (void)rp_read_u64(xsdt, off, &pa);
    if (!table_at(pa, &t) || !rp_read_u32(t, 0, &sig) || sig != signature) continue;
    if (oem_table_id != NULL && rp_memcmp(t.ptr + 16, oem_table_id, 8) != 0) continue;
    *out = t;
    *why = NULL;
    return EFI_SUCCESS;
  }
  return *why = "no such table in the XSDT", EFI_NOT_FOUND;
}
