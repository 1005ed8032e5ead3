/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* Compile-time layout checks (rtprm/spec/layout.def); this unit emits no code. */
#include "rtprm/spec/layout_asserts.h"
