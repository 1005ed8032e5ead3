/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * PRMT checker (docs/prm.md §4): what a reviewer runs on a dumped table.
 * Three walks over the same bytes:
 *   spec    ModuleInfoOffset, ModuleInfoCount modules, each StructureLength
 *           long, handlers at HandlerInfoOffset with stride 44 (EDK II,
 *           Windows); every field is validated on this walk;
 *   Linux   fixed offset 60, while entry + 4 < end, stride Length, handler
 *           stride 44 from HandlerInfoOffset (drivers/acpi/prmt.c);
 *   ACPICA  ModuleInfoOffset, ModuleInfoCount modules and HandlerInfoCount
 *           handlers with sizeof strides 38 / 44, offsets and lengths
 *           ignored (iASL AcpiDmDumpPrmt).
 * The Linux and ACPICA walks must visit the modules and handlers the spec
 * walk visited, at the same offsets.
 */
#include "rtprm/guid.h"
#include "rtprm/mem.h"
#include "rtprm/overflow.h"
#include "rtprm/platform.h"
#include "rtprm/prm_core.h"

EFI_STATUS rp_prmt_module_read(rp_bytes t, uint64_t offset, rp_prmt_module_view *m, rp_diag *diag) {
  uint8_t b[RP_PRMT_MODULE_SIZE];
  if (m == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  if (offset > UINT32_MAX || !rp_read_bytes(t, offset, b, sizeof(b)))
    RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_MODULE_RANGE, offset);
  m->offset = (uint32_t)offset;
  m->revision = rp_le16(b + 0);
  m->length = rp_le16(b + 2);
  rp_memcpy(&m->guid, b + 4, 16);
  m->major = rp_le16(b + 20);
  m->minor = rp_le16(b + 22);
  m->handler_count = rp_le16(b + 24);
  m->handler_offset = rp_le32(b + 26);
  m->mmio_ranges = rp_le64(b + 30);
  return EFI_SUCCESS;
}

EFI_STATUS rp_prmt_handler_read(rp_bytes t, uint64_t offset, rp_prmt_handler_view *h, rp_diag *diag) {
  uint8_t b[RP_PRMT_HANDLER_SIZE];
  if (h == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  if (offset > UINT32_MAX || !rp_read_bytes(t, offset, b, sizeof(b)))
    RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_MODULE_RANGE, offset);
  h->offset = (uint32_t)offset;
  h->revision = rp_le16(b + 0);
  h->length = rp_le16(b + 2);
  rp_memcpy(&h->guid, b + 4, 16);
  h->address = rp_le64(b + 20);
  h->static_data_buffer = rp_le64(b + 28);
  h->acpi_param_buffer = rp_le64(b + 36);
  return EFI_SUCCESS;
}

/* ---- header --------------------------------------------------------------------- */

static EFI_STATUS check_header(rp_bytes buf, rp_prmt_info *info, rp_bytes *t, rp_diag *diag) {
  const uint8_t *p = buf.ptr;
  if (buf.len < sizeof(EFI_ACPI_DESCRIPTION_HEADER)) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_TOO_SMALL, buf.len);
  info->length = rp_le32(p + 4);
  info->revision = p[8];
  info->checksum = p[9];
  rp_memcpy(info->oem_id, p + 10, 6);
  rp_memcpy(info->oem_table_id, p + 16, 8);
  info->oem_revision = rp_le32(p + 24);
  info->creator_id = rp_le32(p + 28);
  info->creator_revision = rp_le32(p + 32);
  if (rp_le32(p) != PRM_TABLE_SIGNATURE) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_SIGNATURE, 0);
  if (info->length < RP_PRMT_HEADER_SIZE || info->length > buf.len)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_LENGTH, info->length);
  *t = rp_bytes_of(p, info->length); /* bytes past Length are not the table */
  info->checksum_ok = rp_acpi_checksum(*t) == 0;
  if (!info->checksum_ok) RP_REJECT(diag, EFI_CRC_ERROR, PRMT_CHECKSUM, 9);
  if (info->revision != PRM_TABLE_REVISION) RP_REJECT(diag, EFI_UNSUPPORTED, PRMT_REVISION, info->revision);
  rp_memcpy(&info->platform_guid, p + 36, 16);
  info->module_offset = rp_le32(p + 52);
  info->module_count = rp_le32(p + 56);
  if (rp_guid_is_zero(&info->platform_guid)) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_PLATFORM_GUID_ZERO, 36);
  if (info->module_offset < RP_PRMT_HEADER_SIZE || info->module_offset > info->length)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_MODULE_OFFSET, info->module_offset);
  if (info->module_count > (info->length - info->module_offset) / RP_PRMT_MODULE_SIZE)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_MODULE_COUNT, info->module_count);
  return EFI_SUCCESS;
}

/* ---- spec walk: every field --------------------------------------------------- */

static EFI_STATUS check_handler(rp_bytes t, uint64_t off, rp_diag *diag) {
  rp_prmt_handler_view h = { 0 };
  EFI_STATUS st = rp_prmt_handler_read(t, off, &h, diag);
  if (EFI_ERROR(st)) return st;
  if (h.revision != PRM_HANDLER_INFORMATION_STRUCT_REVISION)
    RP_REJECT(diag, EFI_UNSUPPORTED, PRMT_HANDLER_REVISION, off);
  if (h.length != RP_PRMT_HANDLER_SIZE) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_HANDLER_LENGTH, off);
  if (rp_guid_is_zero(&h.guid)) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRM_HANDLER_GUID_ZERO, off);
  if (h.address == 0) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_HANDLER_ADDRESS_ZERO, off);
  return EFI_SUCCESS;
}

/* Module at off; *next gets off + StructureLength. Index = table offset. */
static EFI_STATUS check_module(rp_bytes t, uint64_t off, uint64_t *next, rp_diag *diag) {
  rp_prmt_module_view m = { 0 };
  uint64_t need;
  EFI_STATUS st = rp_prmt_module_read(t, off, &m, diag);
  if (EFI_ERROR(st)) return st;
  if (m.revision != PRM_MODULE_INFORMATION_STRUCT_REVISION) RP_REJECT(diag, EFI_UNSUPPORTED, PRMT_MODULE_REVISION, off);
  if (m.handler_offset < RP_PRMT_MODULE_SIZE) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_HANDLER_OFFSET, off);
  if (m.handler_count == 0) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_HANDLER_COUNT_ZERO, off);
  need = (uint64_t)m.handler_offset + (uint64_t)m.handler_count * RP_PRMT_HANDLER_SIZE;
  if (m.length < need) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_MODULE_LENGTH, off);
  if (!rp_range_ok(t.len, off, m.length)) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_MODULE_RANGE, off);
  if (rp_guid_is_zero(&m.guid)) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRM_MODULE_GUID_ZERO, off);
  for (uint32_t j = 0; j < m.handler_count; j++) {
    st = check_handler(t, off + m.handler_offset + (uint64_t)j * RP_PRMT_HANDLER_SIZE, diag);
    if (EFI_ERROR(st)) return st;
  }
  *next = off + m.length;
  return EFI_SUCCESS;
}

static EFI_STATUS spec_walk(rp_bytes t, rp_prmt_info *info, rp_diag *diag) {
  uint64_t off = info->module_offset;
  for (uint32_t i = 0; i < info->module_count; i++) {
    EFI_STATUS st = check_module(t, off, &off, diag);
    if (EFI_ERROR(st)) return st;
  }
  if (off != t.len) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_TRAILING_BYTES, off);
  return EFI_SUCCESS;
}

/* ---- the consumers' walks, compared with the spec walk --------------------- */

/* Linux: start at 60, stop when fewer than 5 bytes remain, stride Length. */
static EFI_STATUS linux_walk(rp_bytes t, rp_prmt_info *info, rp_diag *diag) {
  uint64_t off = RP_PRMT_HEADER_SIZE, spec = info->module_offset;
  uint32_t n = 0;
  while (off + 4 < t.len) {
    rp_prmt_module_view s = { 0 };
    uint16_t len = 0;
    (void)rp_read_u16(t, off + 2, &len); /* off + 4 < end: readable */
    if (n >= info->module_count || off != spec || len == 0)
      RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_WALK_DISAGREE, n);
    /* Same module start: its handlers (module + HandlerInfoOffset, stride
     * 44) are the ones the spec walk checked. */
    (void)rp_prmt_module_read(t, spec, &s, NULL);
    off += len;
    spec += s.length;
    n++;
    info->linux_modules = n;
  }
  if (n != info->module_count) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_WALK_DISAGREE, n);
  return EFI_SUCCESS;
}

/* ACPICA: counts and sizeof strides; module i's handlers right after its
 * 38-byte header, the next module right after its last handler. */
static EFI_STATUS acpica_walk(rp_bytes t, rp_prmt_info *info, rp_diag *diag) {
  uint64_t off = info->module_offset, spec = info->module_offset;
  for (uint32_t i = 0; i < info->module_count; i++) {
    rp_prmt_module_view m = { 0 }, s = { 0 };
    if (EFI_ERROR(rp_prmt_module_read(t, off, &m, NULL)) || off != spec)
      RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_WALK_DISAGREE, i);
    (void)rp_prmt_module_read(t, spec, &s, NULL);
    if (s.handler_offset != RP_PRMT_MODULE_SIZE) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_WALK_DISAGREE, i);
    off += RP_PRMT_MODULE_SIZE + (uint64_t)m.handler_count * RP_PRMT_HANDLER_SIZE;
    spec += s.length;
    info->acpica_modules = i + 1;
  }
  if (off != spec) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_WALK_DISAGREE, info->module_count);
  return EFI_SUCCESS;
}

/* ---- duplicates --------------------------------------------------------------- */

static EFI_STATUS check_dups(rp_bytes t, rp_prmt_info *info, rp_diag *diag) {
  uint64_t off = info->module_offset, handlers = 0;
  rp_prm_module *mods;
  rp_prm_handler *hs;
  EFI_STATUS st;
  for (uint32_t i = 0; i < info->module_count; i++) {
    rp_prmt_module_view m = { 0 };
    (void)rp_prmt_module_read(t, off, &m, NULL);
    handlers += m.handler_count;
    off += m.length;
  }
  info->handler_total = (uint32_t)handlers; /* <= Length / 44 */
  if (info->module_count == 0) return EFI_SUCCESS;
  st = rp_prm_set_views_alloc(info->module_count, handlers, &mods, &hs, diag);
  if (EFI_ERROR(st)) return st;
  off = info->module_offset;
  for (uint32_t i = 0, k = 0; i < info->module_count; i++) {
    rp_prmt_module_view m = { 0 };
    (void)rp_prmt_module_read(t, off, &m, NULL);
    mods[i].module_guid = m.guid;
    mods[i].handler_count = m.handler_count;
    mods[i].handlers = &hs[k];
    for (uint32_t j = 0; j < m.handler_count; j++, k++) {
      rp_prmt_handler_view h = { 0 };
      (void)rp_prmt_handler_read(t, off + m.handler_offset + (uint64_t)j * RP_PRMT_HANDLER_SIZE, &h, NULL);
      hs[k].guid = h.guid;
    }
    off += m.length;
  }
  st = rp_prm_module_set_check(mods, info->module_count, diag);
  rp_prm_set_views_free(mods, hs);
  return st;
}

EFI_STATUS rp_prmt_check(rp_bytes table, rp_prmt_info *info, rp_diag *diag) {
  rp_prmt_info local;
  rp_bytes t = { 0 };
  EFI_STATUS st;
  if (info == NULL) info = &local;
  rp_memset(info, 0, sizeof(*info));
  if (table.ptr == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  st = check_header(table, info, &t, diag);
  if (!EFI_ERROR(st)) st = spec_walk(t, info, diag);
  if (!EFI_ERROR(st)) st = linux_walk(t, info, diag);
  if (!EFI_ERROR(st)) st = acpica_walk(t, info, diag);
  if (!EFI_ERROR(st)) info->walks_agree = true;
  if (!EFI_ERROR(st)) st = check_dups(t, info, diag);
  if (EFI_ERROR(st)) return st;
  if (table.len > info->length) rp_findings_add(&info->findings, RP_R_PRMT_BUFFER_TRAILING, info->length);
  rp_diag_clear(diag);
  return st;
}
