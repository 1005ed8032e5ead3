/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * PrmLoaderDxe: keeps the firmware's EFI Memory Attributes Table (UEFI 2.10
 * §4.6.4) describing the accepted PRM modules as runtime code (docs/prm.md
 * §9.7). EDK II's DXE core records runtime images only until EndOfDxe; a
 * module loaded later (Driver####, the Shell) sits inside one XP code entry,
 * and Linux maps its handlers no-execute. Deleting the table is no fix: it
 * would drop every other image's protection.
 *
 * When: the core installs the table at ReadyToBoot and re-installs it when
 * runtime memory is allocated after that; InstallConfigurationTable signals
 * the event group named by the table's GUID (UEFI 2.10 §7.3), so a notify
 * function on that group sees every new table. Our own install signals the
 * group too: the table pointer is ours then, and nothing is done. A table
 * already installed when the loader starts (Shell `load`) is patched at once.
 *
 * How: rp_mat_patch (impl/memmap/mat.c) on a copy in boot-services pool
 * (never a runtime type: allocating runtime memory after ReadyToBoot makes
 * the core re-install its table and signal us again). Linux reserves the
 * table's pages at boot (efi_memattr_init), whatever their type.
 */
#include "prm_mat.h"

#include "rtprm/mat.h"
#include "rtprm/mem.h"

static const EFI_GUID g_mat_guid = RP_GUID_MEMORY_ATTRIBUTES_TABLE;
static rp_mat_image g_images[RP_MAT_MAX_IMAGES];
static uint32_t g_image_count;
static void *g_ours;       /* the table we installed last */
static EFI_EVENT g_event;

/* The installed table as a bounded view: its length comes from its own
 * header, bounded before use (count and stride are re-checked by the core). */
static bool current_table(rp_bytes *view) {
  const uint8_t *t = rp_uefi_config_table(&g_mat_guid);
  if (t == NULL) return false;
  uint32_t count = rp_le32(t + 4), stride = rp_le32(t + 8);
  if (count > RP_MAT_MAX_ENTRIES || stride > 4096u) count = stride = 0; /* rp_mat_validate says why */
  *view = rp_bytes_of(t, RP_MAT_HEADER_SIZE + (size_t)count * stride);
  return true;
}

static void report(const char *trigger, uint32_t before, uint32_t after, const rp_mat_outcome *what) {
  uint32_t described = 0;
  for (uint32_t i = 0; i < g_image_count; i++) described += what[i] == RP_MAT_IMAGE_DESCRIBED;
  prm_say("PRM: Memory Attributes Table (%s): %u of %u modules described as runtime code, %u -> %u entries\n",
          trigger, described, g_image_count, before, after);
  for (uint32_t i = 0; i < g_image_count; i++)
    if (what[i] != RP_MAT_IMAGE_DESCRIBED)
      prm_say("PRM:   module at 0x%llx: %s\n", (unsigned long long)g_images[i].base, rp_mat_outcome_name(what[i]));
}

/* Builds the patched copy and installs it in place of the current table. */
static EFI_STATUS republish(const char *trigger, rp_bytes cur) {
  rp_mat_outcome what[RP_MAT_MAX_IMAGES];
  size_t need = 0, len = 0;
  void *copy = NULL, *previous = g_ours;
  rp_diag diag;
  EFI_STATUS s = rp_mat_patch(cur, g_images, g_image_count, rp_mbytes_of(NULL, 0), &need, NULL, &diag);
  if (s == EFI_BUFFER_TOO_SMALL) s = rp_plat_alloc_pool(EfiBootServicesData, need, &copy);
  if (!EFI_ERROR(s)) s = rp_mat_patch(cur, g_images, g_image_count, rp_mbytes_of(copy, need), &len, what, &diag);
  if (EFI_ERROR(s)) {
    prm_say("PRM: Memory Attributes Table (%s) left as it is: %s (0x%04x) %s\n", trigger,
            rp_reason_name(diag.reason), (unsigned)diag.reason, rp_status_name(s));
    if (copy != NULL) rp_plat_free_pool(copy);
    return s;
  }
  EFI_GUID g = g_mat_guid;
  g_ours = copy; /* before the install: it signals the group, and we must recognise our table */
  s = rp_uefi_boot_services()->InstallConfigurationTable(&g, copy);
  if (EFI_ERROR(s)) {
    g_ours = previous;
    rp_plat_free_pool(copy);
    prm_say("PRM: Memory Attributes Table install failed: %s\n", rp_status_name(s));
    return s;
  }
  if (previous != NULL) rp_plat_free_pool(previous);
  report(trigger, rp_le32(cur.ptr + 4), rp_le32((const uint8_t *)copy + 4), what);
  return EFI_SUCCESS;
}

static void refresh(const char *trigger) {
  rp_bytes cur;
  if (g_image_count == 0 || !current_table(&cur) || cur.ptr == g_ours) return;
  (void)republish(trigger, cur);
}

static VOID EFIAPI on_table_installed(EFI_EVENT event, VOID *context) {
  (void)event;
  (void)context;
  refresh("installed by the firmware");
}

EFI_STATUS prm_mat_track(const rp_prm_discovery *d) {
  rp_diag diag;
  EFI_STATUS s = rp_prm_discovery_mat_images(d, g_images, RP_MAT_MAX_IMAGES, &g_image_count, &diag);
  if (EFI_ERROR(s)) {
    prm_say("PRM: modules not described in the Memory Attributes Table: module %llu: %s (0x%04x) %s\n",
            (unsigned long long)diag.index, rp_reason_name(diag.reason), (unsigned)diag.reason, rp_status_name(s));
    return s;
  }
  refresh("already installed");
  return EFI_SUCCESS;
}

EFI_STATUS prm_mat_start(void) {
  EFI_STATUS s = rp_uefi_boot_services()->CreateEventEx(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, on_table_installed, NULL,
                                                        &g_mat_guid, &g_event);
  if (EFI_ERROR(s)) prm_say("PRM: Memory Attributes Table notification not registered: %s\n", rp_status_name(s));
  return s;
}
