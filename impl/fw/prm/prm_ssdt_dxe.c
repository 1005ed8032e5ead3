/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * PrmSsdtDxe.efi (boot service driver): installs the PRM SSDT
 * (prm_ssdt.asl, compiled by iasl -tc at build time into prm_ssdt.hex)
 * through EFI_ACPI_TABLE_PROTOCOL, which copies the table into ACPI memory,
 * links it into the XSDT and recomputes the checksum (UEFI 2.10 §20.2).
 * The embedded bytes are checked first: 'SSDT' signature and a header
 * Length equal to the array size.
 */
#include "prm_fw.h"
#include "prm_ssdt.hex"

EFI_STATUS EFIAPI PrmSsdtEntry(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

EFI_STATUS EFIAPI PrmSsdtEntry(EFI_HANDLE image, EFI_SYSTEM_TABLE *st) {
  rp_bytes aml = rp_bytes_of(prm_ssdt_aml_code, sizeof(prm_ssdt_aml_code));
  uint32_t sig = 0, len = 0;
  UINTN key = 0;
  EFI_STATUS s = rp_uefi_platform_init(image, st);
  if (EFI_ERROR(s)) return s;
  if (!rp_read_u32(aml, 0, &sig) || !rp_read_u32(aml, 4, &len) || sig != EFI_ACPI_SSDT_SIGNATURE ||
      len != aml.len) {
    prm_say("PRMSSDT: embedded AML is not a whole SSDT (signature 0x%08x, length %u of %u)\n", sig, len,
            (unsigned)aml.len);
    rp_uefi_platform_fini();
    return EFI_COMPROMISED_DATA;
  }
  s = prm_install_acpi_table(aml.ptr, aml.len, &key);
  prm_say("PRMSSDT: SSDT PRMOPREG (%u bytes) install: %s\n", len, rp_status_name(s));
  if (EFI_ERROR(s)) rp_uefi_platform_fini();
  return s;
}
