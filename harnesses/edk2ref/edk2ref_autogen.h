/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Stands in for the AutoGen.h EDK II's build generates for every module and
 * force-includes (-include) into each of its sources: the module type's base
 * header (DXE_DRIVER: PiDxe.h) and the PCDs its sources read. Used for the
 * PrmPkg and BaseLib sources of rtprm_edk2ref_prm_bench (CMakeLists.txt);
 * ours, not EDK II's.
 *
 * BaseLib's String.c reads two FixedAtBuild PCDs, only inside ASSERTs
 * (compiled out with MDEPKG_NDEBUG, as in a RELEASE firmware); the values
 * are MdePkg.dec's defaults.
 */
#ifndef RTPRM_EDK2REF_AUTOGEN_H
#define RTPRM_EDK2REF_AUTOGEN_H

#include <PiDxe.h>

#define _PCD_GET_MODE_32_PcdMaximumAsciiStringLength   1000000U
#define _PCD_GET_MODE_32_PcdMaximumUnicodeStringLength 1000000U

#endif
