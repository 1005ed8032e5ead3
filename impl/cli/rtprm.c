/* SPDX-License-Identifier: BSD-2-Clause-Patent */
#include <stdio.h>
int main(void) { puts("rtprm"); return 0; }
