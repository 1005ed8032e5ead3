/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Compile-time layout checks: expands rtprm/spec/layout.def into one
 * _Static_assert per row for the architecture being compiled.
 *   __x86_64__ / __aarch64__ -> the 64 column
 *   __i386__                 -> the IA32 column (rows with -1 are skipped)
 *
 * Included once, from impl/base/layout.c. Each failing assertion names the
 * requirement, the type (and member) and the expected value, e.g.
 *   "LAYOUT-RTAP-001: offsetof(EFI_RUNTIME_ARCH_PROTOCOL, AtRuntime) != 73/37"
 *
 * -DRP_LAYOUT_SELFTEST_BREAK adds one deliberately wrong row so that
 * conformance/tools/layout_check.py --self-test can prove the checks bite.
 */
#ifndef RTPRM_LAYOUT_ASSERTS_H
#define RTPRM_LAYOUT_ASSERTS_H

#include <stddef.h>

#include "rtprm/spec/acpi.h"
#include "rtprm/spec/pecoff.h"
#include "rtprm/spec/pi_runtime.h"
#include "rtprm/spec/prm.h"
#include "rtprm/spec/uefi_base.h"
#include "rtprm/spec/uefi_tables.h"

#if defined(__x86_64__) || defined(__aarch64__)
#define RP_LAYOUT_PICK(v64, via32) (v64)
#elif defined(__i386__)
#define RP_LAYOUT_PICK(v64, via32) (via32)
#else
#error "layout_asserts.h: no layout column for this architecture"
#endif

/* A negative expectation means "no value for this architecture". */
#define RP_LAYOUT_HOLDS(actual, v64, via32)   \
  (RP_LAYOUT_PICK(v64, via32) < 0 ||          \
   (size_t)(actual) == (size_t)RP_LAYOUT_PICK(v64, via32))

#define RP_LAYOUT_SIZE(req, type, v64, via32)                              \
  _Static_assert(RP_LAYOUT_HOLDS(sizeof(type), v64, via32),                \
                 req ": sizeof(" #type ") != " #v64 "/" #via32);
#define RP_LAYOUT_OFFSET(req, type, member, v64, via32)                    \
  _Static_assert(RP_LAYOUT_HOLDS(offsetof(type, member), v64, via32),      \
                 req ": offsetof(" #type ", " #member ") != " #v64 "/" #via32);

#include "rtprm/spec/layout.def"

#if defined(RP_LAYOUT_SELFTEST_BREAK)
/* Deliberately wrong: an EFI_GUID is 16 bytes everywhere. */
RP_LAYOUT_SIZE("LAYOUT-SELFTEST", EFI_GUID, 17, 17)
#endif

#undef RP_LAYOUT_SIZE
#undef RP_LAYOUT_OFFSET

#endif /* RTPRM_LAYOUT_ASSERTS_H */
