/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * PRMT builder (docs/prm.md §3; PRM spec 1.0 §4). Canonical layout, the one
 * every consumer walks the same way: ModuleInfoOffset 60, modules back to
 * back, each StructureLength = 38 + 44n with its handlers at offset 38,
 * handler StructureLength 44, Revision 0 everywhere, ACPI checksum.
 * Linux (fixed 60, stride Length, handler stride 44) and ACPICA (counts,
 * sizeof strides) therefore visit the same bytes.
 */
#include "rtprm/guid.h"
#include "rtprm/mem.h"
#include "rtprm/overflow.h"
#include "rtprm/platform.h"
#include "rtprm/prm_core.h"

void rp_prmt_build_in_defaults(rp_prmt_build_in *in) {
  if (in == NULL) return;
  rp_memset(in, 0, sizeof(*in));
  rp_memcpy(in->oem_id, "RTPRM ", 6);
  rp_memcpy(in->oem_table_id, "RTPRMPRM", 8);
  in->oem_revision = 1;
  in->creator_id = RP_ACPI_SIG32('R', 'T', 'P', 'M');
  in->creator_revision = 1;
}

static EFI_STATUS check_module(const rp_prmt_module_in *m, uint32_t i, rp_diag *diag) {
  if (rp_guid_is_zero(&m->guid)) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRM_MODULE_GUID_ZERO, i);
  if (m->handler_count == 0) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_HANDLER_COUNT_ZERO, i);
  /* StructureLength is a u16: EDK II wraps at 1489 handlers. */
  if (m->handler_count > RP_PRMT_MAX_HANDLERS_PER_MODULE)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_HANDLER_LIMIT, i);
  if (m->handlers == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, i);
  for (uint32_t j = 0; j < m->handler_count; j++) {
    if (rp_guid_is_zero(&m->handlers[j].guid)) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRM_HANDLER_GUID_ZERO, i);
    if (m->handlers[j].address == 0) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_HANDLER_ADDRESS_ZERO, i);
  }
  return EFI_SUCCESS;
}

/* Duplicate GUIDs through the module-set check (views, no copies). */
static EFI_STATUS check_unique(const rp_prmt_build_in *in, rp_diag *diag) {
  uint64_t handlers = 0; /* <= 2^32 * 1488: fits */
  rp_prm_module *mods;
  rp_prm_handler *hs;
  EFI_STATUS st;
  for (uint32_t i = 0; i < in->module_count; i++) handlers += in->modules[i].handler_count;
  st = rp_prm_set_views_alloc(in->module_count, handlers, &mods, &hs, diag);
  if (EFI_ERROR(st)) return st;
  for (uint32_t i = 0, k = 0; i < in->module_count; i++) {
    const rp_prmt_module_in *m = &in->modules[i];
    mods[i].module_guid = m->guid;
    mods[i].handler_count = m->handler_count;
    mods[i].handlers = &hs[k];
    for (uint32_t j = 0; j < m->handler_count; j++) hs[k++].guid = m->handlers[j].guid;
  }
  st = rp_prm_module_set_check(mods, in->module_count, diag);
  rp_prm_set_views_free(mods, hs);
  return st;
}

EFI_STATUS rp_prmt_size(const rp_prmt_build_in *in, uint32_t *size, rp_diag *diag) {
  uint64_t total = RP_PRMT_HEADER_SIZE;
  if (in == NULL || size == NULL || (in->modules == NULL && in->module_count != 0))
    RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  if (rp_guid_is_zero(&in->platform_guid))
    RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_PLATFORM_GUID_ZERO, RP_DIAG_NO_INDEX);
  if (in->module_count == 0 && !in->allow_empty)
    RP_REJECT(diag, EFI_NOT_FOUND, PRMT_NO_MODULES, RP_DIAG_NO_INDEX);
  for (uint32_t i = 0; i < in->module_count; i++) {
    EFI_STATUS st = check_module(&in->modules[i], i, diag);
    if (EFI_ERROR(st)) return st;
    total += RP_PRMT_MODULE_SIZE + (uint64_t)in->modules[i].handler_count * RP_PRMT_HANDLER_SIZE;
    if (total > UINT32_MAX) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRMT_TABLE_TOO_LARGE, i);
  }
  if (in->module_count != 0) {
    EFI_STATUS st = check_unique(in, diag);
    if (EFI_ERROR(st)) return st;
  }
  *size = (uint32_t)total;
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}

/* Field offsets come from the packed mirrors in rtprm/spec/prm.h (asserted in
 * layout.def); values are written little-endian byte by byte, so the
 * output buffer needs no alignment. */
#define HDR(f) offsetof(PRM_ACPI_DESCRIPTION_TABLE, f)
#define ACPI(f) (HDR(Header) + offsetof(EFI_ACPI_DESCRIPTION_HEADER, f))
#define MOD(f) offsetof(PRM_MODULE_INFORMATION_STRUCT, f)
#define HND(f) offsetof(PRM_HANDLER_INFORMATION_STRUCT, f)

static void put_header(const rp_prmt_build_in *in, uint8_t *t, uint32_t size) {
  rp_put_le32(t + ACPI(Signature), PRM_TABLE_SIGNATURE);
  rp_put_le32(t + ACPI(Length), size);
  t[ACPI(Revision)] = PRM_TABLE_REVISION;
  t[ACPI(Checksum)] = 0; /* set last */
  rp_memcpy(t + ACPI(OemId), in->oem_id, sizeof(((EFI_ACPI_DESCRIPTION_HEADER *)0)->OemId));
  rp_memcpy(t + ACPI(OemTableId), in->oem_table_id, sizeof(((EFI_ACPI_DESCRIPTION_HEADER *)0)->OemTableId));
  rp_put_le32(t + ACPI(OemRevision), in->oem_revision);
  rp_put_le32(t + ACPI(CreatorId), in->creator_id);
  rp_put_le32(t + ACPI(CreatorRevision), in->creator_revision);
  rp_memcpy(t + HDR(PrmPlatformGuid), &in->platform_guid, sizeof(EFI_GUID));
  rp_put_le32(t + HDR(PrmModuleInfoOffset), RP_PRMT_HEADER_SIZE);
  rp_put_le32(t + HDR(PrmModuleInfoCount), in->module_count);
}

static void put_handler(const rp_prmt_handler_in *h, uint8_t *p) {
  rp_put_le16(p + HND(StructureRevision), PRM_HANDLER_INFORMATION_STRUCT_REVISION);
  rp_put_le16(p + HND(StructureLength), RP_PRMT_HANDLER_SIZE);
  rp_memcpy(p + HND(Identifier), &h->guid, sizeof(EFI_GUID));
  rp_put_le64(p + HND(PhysicalAddress), h->address);
  rp_put_le64(p + HND(StaticDataBuffer), h->static_data_buffer);
  rp_put_le64(p + HND(AcpiParameterBuffer), h->acpi_param_buffer);
}

/* Returns the module's length (<= 65535, checked by rp_prmt_size). */
static uint32_t put_module(const rp_prmt_module_in *m, uint8_t *p) {
  uint32_t len = RP_PRMT_MODULE_SIZE + m->handler_count * RP_PRMT_HANDLER_SIZE;
  rp_put_le16(p + MOD(StructureRevision), PRM_MODULE_INFORMATION_STRUCT_REVISION);
  rp_put_le16(p + MOD(StructureLength), (uint16_t)len);
  rp_memcpy(p + MOD(Identifier), &m->guid, sizeof(EFI_GUID));
  rp_put_le16(p + MOD(MajorRevision), m->major);
  rp_put_le16(p + MOD(MinorRevision), m->minor);
  rp_put_le16(p + MOD(HandlerCount), (uint16_t)m->handler_count);
  rp_put_le32(p + MOD(HandlerInfoOffset), RP_PRMT_MODULE_SIZE);
  rp_put_le64(p + MOD(RuntimeMmioRanges), m->mmio_ranges);
  for (uint32_t j = 0; j < m->handler_count; j++)
    put_handler(&m->handlers[j], p + RP_PRMT_MODULE_SIZE + j * RP_PRMT_HANDLER_SIZE);
  return len;
}

EFI_STATUS rp_prmt_build(const rp_prmt_build_in *in, rp_mbytes out, uint32_t *written, rp_diag *diag) {
  uint32_t size = 0, off = RP_PRMT_HEADER_SIZE;
  EFI_STATUS st = rp_prmt_size(in, &size, diag);
  if (EFI_ERROR(st)) return st;
  if (out.ptr == NULL || out.len < size) RP_REJECT(diag, EFI_BUFFER_TOO_SMALL, BUFFER_TOO_SMALL, size);
  rp_memset(out.ptr, 0, size);
  put_header(in, out.ptr, size);
  for (uint32_t i = 0; i < in->module_count; i++) off += put_module(&in->modules[i], out.ptr + off);
  out.ptr[ACPI(Checksum)] = rp_acpi_checksum(rp_bytes_of(out.ptr, size));
  if (written != NULL) *written = size;
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}

EFI_STATUS rp_prmt_build_alloc(const rp_prmt_build_in *in, uint8_t **table, uint32_t *size, rp_diag *diag) {
  uint32_t n = 0;
  void *p = NULL;
  EFI_STATUS st;
  if (table == NULL || size == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  *table = NULL;
  *size = 0;
  st = rp_prmt_size(in, &n, diag);
  if (EFI_ERROR(st)) return st;
  if (EFI_ERROR(rp_plat_alloc_pool(EfiACPIReclaimMemory, n, &p)))
    RP_REJECT(diag, EFI_OUT_OF_RESOURCES, OUT_OF_RESOURCES, RP_DIAG_NO_INDEX);
  st = rp_prmt_build(in, rp_mbytes_of(p, n), size, diag);
  if (EFI_ERROR(st)) {
    rp_plat_free_pool(p);
    return st;
  }
  *table = p;
  return EFI_SUCCESS;
}

EFI_STATUS rp_prmt_handlers_of(const rp_prm_module *m, uint64_t load_address, rp_prmt_handler_in *out,
                               rp_diag *diag) {
  if (m == NULL || out == NULL || (m->handlers == NULL && m->handler_count != 0))
    RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  for (uint32_t i = 0; i < m->handler_count; i++) {
    uint64_t a;
    if (!rp_add_u64(load_address, m->handlers[i].rva, &a)) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRM_LOAD_ADDRESS, i);
  }
  for (uint32_t i = 0; i < m->handler_count; i++) {
    rp_memset(&out[i], 0, sizeof(out[i]));
    out[i].guid = m->handlers[i].guid;
    out[i].address = load_address + m->handlers[i].rva;
  }
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}
