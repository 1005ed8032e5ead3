/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* ACPI table readers (rtprm/acpi_tables.h). */
#include "rtprm/acpi_tables.h"

uint8_t rp_acpi_checksum(rp_bytes b) {
  uint8_t sum = 0;
  for (size_t i = 0; i < b.len; i++) sum = (uint8_t)(sum + b.ptr[i]);
  return (uint8_t)(0u - sum);
}

static bool pl011_compatible(uint8_t type) {
  return type == RP_SPCR_IF_PL011 || type == RP_SPCR_IF_SBSA_32BIT || type == RP_SPCR_IF_SBSA_GENERIC;
}

EFI_STATUS rp_spcr_uart_of(rp_bytes t, rp_spcr_uart *out, rp_diag *diag) {
  uint32_t sig = 0, len = 0;
  uint8_t type = 0, space = 0;
  uint64_t base = 0;

  if (t.ptr == NULL || out == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  if (!rp_read_u32(t, 0, &sig) || !rp_read_u32(t, 4, &len) || sig != EFI_ACPI_SPCR_SIGNATURE ||
      len < RP_SPCR_MIN_LENGTH || len > t.len || rp_acpi_checksum(rp_bytes_of(t.ptr, len)) != 0) {
    RP_REJECT(diag, EFI_VOLUME_CORRUPTED, SPCR_TABLE, 0);
  }
  (void)rp_read_u8(t, RP_SPCR_OFF_INTERFACE, &type);
  (void)rp_read_u8(t, RP_SPCR_OFF_BASE, &space);
  (void)rp_read_u64(t, RP_SPCR_OFF_BASE + 4u, &base);
  if (!pl011_compatible(type)) RP_REJECT(diag, EFI_UNSUPPORTED, SPCR_INTERFACE, RP_SPCR_OFF_INTERFACE);
  if (space != EFI_ACPI_ADDRESS_SPACE_SYSTEM_MEMORY || base == 0 || (base & 3u) != 0) {
    RP_REJECT(diag, EFI_UNSUPPORTED, SPCR_ADDRESS, RP_SPCR_OFF_BASE);
  }
  out->interface_type = type;
  out->base = base;
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}
