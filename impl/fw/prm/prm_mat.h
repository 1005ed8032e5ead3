/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* PrmLoaderDxe's Memory Attributes Table upkeep (prm_mat.c, docs/prm.md §9.7). */
#ifndef RTPRM_FW_PRM_MAT_H
#define RTPRM_FW_PRM_MAT_H

#include "prm_fw.h"
#include "rtprm/prm_discover.h"

/* Registers the notify function on the table's event group. */
EFI_STATUS prm_mat_start(void);
/* Remembers the accepted modules (replacing earlier ones) and patches a table
 * that is already installed. */
EFI_STATUS prm_mat_track(const rp_prm_discovery *d);

#endif /* RTPRM_FW_PRM_MAT_H */
