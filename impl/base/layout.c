/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* Compile-time layout checks (rtprm/layout.def); this unit emits no code. */
#include "rtprm/layout_asserts.h"
