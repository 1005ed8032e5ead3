/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Readers of ACPI tables shared by the core and the firmware seam: the
 * checksum rule (ACPI 6.5 §5.2.6: all Length bytes sum to 0 mod 256), and
 * the Serial Port Console Redirection table (SPCR, Microsoft's table
 * definition rev. 2+, listed by ACPI 6.5 §5.2.6 Table 5.6): where the
 * platform's console UART is. The firmware seam reads it on AArch64 to find
 * a sink for the lines printed after ExitBootServices (platform_uefi.c).
 *
 * Layout used here (offsets from the table start): the 36-byte ACPI header,
 * Interface Type at 36 (1 byte, then 3 reserved), the base address as a
 * Generic Address Structure at 40 (ACPI §5.2.3.2; Address at 44).
 */
#ifndef RTPRM_ACPI_TABLES_H
#define RTPRM_ACPI_TABLES_H

#include "rtprm/spec/acpi.h"
#include "rtprm/bytes.h"
#include "rtprm/status.h"

/* ACPI checksum byte that makes the bytes sum to 0 (with `checksum` as 0). */
uint8_t rp_acpi_checksum(rp_bytes b);

#define EFI_ACPI_SPCR_SIGNATURE RP_ACPI_SIG32('S', 'P', 'C', 'R')

#define RP_SPCR_OFF_INTERFACE 36u
#define RP_SPCR_OFF_BASE      40u
#define RP_SPCR_MIN_LENGTH    52u /* through the base address GAS */

/* Interface types whose transmit path is PL011's: data register at 0x00,
 * flag register at 0x18 with TXFF in bit 5 (Arm PL011 TRM §3.3; the SBSA
 * generic UART is a subset of it, Arm BSA/SBSA "Generic UART"). */
#define RP_SPCR_IF_PL011          0x03u
#define RP_SPCR_IF_SBSA_32BIT     0x0Du
#define RP_SPCR_IF_SBSA_GENERIC   0x0Eu

typedef struct {
  uint8_t  interface_type;
  uint64_t base; /* physical MMIO base, 4-byte aligned, nonzero */
} rp_spcr_uart;

/* Validates an SPCR held in t (t.len = the bytes available; the header's
 * Length must fit in them) and returns its console UART when it is one whose
 * registers this project drives (the RP_SPCR_IF_* above) in system memory
 * space. EFI_SUCCESS, or EFI_INVALID_PARAMETER / NULL_ARGUMENT,
 * EFI_VOLUME_CORRUPTED / SPCR_TABLE (signature, Length or checksum),
 * EFI_UNSUPPORTED / SPCR_INTERFACE (another UART type) or SPCR_ADDRESS (not
 * system memory, zero or unaligned). */
EFI_STATUS rp_spcr_uart_of(rp_bytes t, rp_spcr_uart *out, rp_diag *diag);

#endif /* RTPRM_ACPI_TABLES_H */
