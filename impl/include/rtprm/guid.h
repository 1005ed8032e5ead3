/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* GUID helpers (UEFI Appendix A text form: 8-4-4-4-12 hex digits). */
#ifndef RTPRM_GUID_H
#define RTPRM_GUID_H

#include "rtprm/status.h"
#include "rtprm/spec/uefi_base.h"

#define RP_GUID_TEXT_LEN 36 /* without the NUL */

bool rp_guid_equal(const EFI_GUID *a, const EFI_GUID *b);
bool rp_guid_is_zero(const EFI_GUID *g);
/* Writes 36 upper-case characters and a NUL into out (>= 37 bytes). */
void rp_guid_format(const EFI_GUID *g, char out[RP_GUID_TEXT_LEN + 1]);
/* Parses exactly 36 characters, hex digits of either case with dashes at
 * 8-4-4-4-12 (no braces); EFI_INVALID_PARAMETER + RP_R_BAD_GUID_TEXT else. */
EFI_STATUS rp_guid_parse(const char *text, size_t len, EFI_GUID *out, rp_diag *diag);

#endif /* RTPRM_GUID_H */
