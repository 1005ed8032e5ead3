/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * PRM core: module validation, module sets, the PRMT builder and
 * checker, context / data buffers and runtime MMIO ranges. Layouts are in
 * rtprm/spec/prm.h; rules, check order and policies in docs/prm.md. Reasons are
 * reasons.def 0x04xx. Nothing here writes its input; builders validate all
 * input before the first byte of output is written.
 */
#ifndef RTPRM_PRM_CORE_H
#define RTPRM_PRM_CORE_H

#include "rtprm/acpi_tables.h"
#include "rtprm/bytes.h"
#include "rtprm/pe.h"
#include "rtprm/spec/prm.h"
#include "rtprm/status.h"

/* Handlers per module we accept: GenFw stops at 254, the benchmark
 * uses 255. The PRMT's own u16 limit (1488) is guarded separately. */
#define RP_PRM_MAX_HANDLERS 255u
/* 38 + 44 * n <= 65535 (module StructureLength is a u16). */
#define RP_PRMT_MAX_HANDLERS_PER_MODULE 1488u

#define RP_PRMT_HEADER_SIZE  ((uint32_t)sizeof(PRM_ACPI_DESCRIPTION_TABLE))     /* 60 */
#define RP_PRMT_MODULE_SIZE  ((uint32_t)sizeof(PRM_MODULE_INFORMATION_STRUCT))  /* 38 */
#define RP_PRMT_HANDLER_SIZE ((uint32_t)sizeof(PRM_HANDLER_INFORMATION_STRUCT)) /* 44 */
#define RP_PRM_DESC_HEADER_SIZE  44u
#define RP_PRM_DESC_HANDLER_SIZE 144u
#define RP_PRM_MMIO_RANGE_SIZE   20u

/* ==== Module validation (prm_module.c) ================================ */

typedef struct rp_prm_handler {
  EFI_GUID guid;
  char     name[PRM_HANDLER_NAME_MAXIMUM_LENGTH]; /* NUL-terminated copy */
  uint32_t rva;                                   /* resolved export RVA */
} rp_prm_handler;

typedef struct rp_prm_module {
  EFI_GUID        module_guid;
  EFI_GUID        platform_guid;
  uint16_t        major, minor;   /* Major/MinorImageVersion */
  uint16_t        machine;
  uint32_t        descriptor_rva;
  uint32_t        handler_count;
  rp_prm_handler *handlers;       /* platform pool; rp_prm_module_free */
} rp_prm_module;

/* Validates a parsed image (FILE or MAPPED) as a PRM module and fills *out
 * (allocating the handler array). platform_guid NULL skips the platform
 * check. On error *out is left zeroed: nothing half-registered. */
EFI_STATUS rp_prm_module_validate(const rp_pe_image *img, const EFI_GUID *platform_guid, rp_prm_module *out,
                                  rp_diag *diag);
void rp_prm_module_free(rp_prm_module *m);

/* Duplicate module GUIDs (index = later module) and handler GUIDs across
 * modules (index = module holding the later copy). Linux keeps both and
 * lets the last parsed win; we reject. Allocates a scratch index. */
EFI_STATUS rp_prm_module_set_check(const rp_prm_module *mods, uint32_t count, rp_diag *diag);

/* Scratch input for rp_prm_module_set_check when the modules are not held as
 * rp_prm_module (PRMT builder input, a table being checked): `modules`
 * zeroed module slots and `handlers` handler slots, one pool each. Free with
 * rp_prm_set_views_free. */
EFI_STATUS rp_prm_set_views_alloc(uint32_t modules, uint64_t handlers, rp_prm_module **mods, rp_prm_handler **hs,
                                  rp_diag *diag);
void rp_prm_set_views_free(rp_prm_module *mods, rp_prm_handler *hs);

/* ==== PRMT builder (prmt_build.c) ===================================== */

typedef struct rp_prmt_handler_in {
  EFI_GUID guid;
  uint64_t address;            /* physical handler entry, != 0 */
  uint64_t static_data_buffer; /* PRM_DATA_BUFFER, 0 if none */
  uint64_t acpi_param_buffer;  /* 0 if none */
} rp_prmt_handler_in;

typedef struct rp_prmt_module_in {
  EFI_GUID                  guid;
  uint16_t                  major, minor;
  uint64_t                  mmio_ranges;   /* PRM_RUNTIME_MMIO_RANGES, 0 if none */
  uint32_t                  handler_count; /* u32 so the u16 limit can be tested */
  const rp_prmt_handler_in *handlers;
} rp_prmt_module_in;

typedef struct rp_prmt_build_in {
  EFI_GUID                 platform_guid;
  uint8_t                  oem_id[6];
  uint8_t                  oem_table_id[8];
  uint32_t                 oem_revision, creator_id, creator_revision;
  uint32_t                 module_count;
  const rp_prmt_module_in *modules;
  bool                     allow_empty; /* 0 modules: 60-byte table (EDK II) */
} rp_prmt_build_in;

/* Defaults: OEM "RTPRM ", table id "RTPRMPRM", revision 1, creator "RTPM" 1. */
void rp_prmt_build_in_defaults(rp_prmt_build_in *in);
/* Validates the input and returns the table size. */
EFI_STATUS rp_prmt_size(const rp_prmt_build_in *in, uint32_t *size, rp_diag *diag);
/* Writes the table (checksummed) into out (>= rp_prmt_size bytes). */
EFI_STATUS rp_prmt_build(const rp_prmt_build_in *in, rp_mbytes out, uint32_t *written, rp_diag *diag);
/* Same, into a new pool block (EfiACPIReclaimMemory) the caller frees. */
EFI_STATUS rp_prmt_build_alloc(const rp_prmt_build_in *in, uint8_t **table, uint32_t *size, rp_diag *diag);
/* Handler inputs of a validated module loaded at load_address: addresses
 * load_address + RVA (overflow-checked), buffers 0. out has handler_count. */
EFI_STATUS rp_prmt_handlers_of(const rp_prm_module *m, uint64_t load_address, rp_prmt_handler_in *out,
                               rp_diag *diag);

/* ==== PRMT reading and checking (prmt_check.c) ======================== */

typedef struct rp_prmt_module_view {
  uint32_t offset;             /* in the table */
  uint16_t revision, length;
  EFI_GUID guid;
  uint16_t major, minor, handler_count;
  uint32_t handler_offset;     /* from the module start */
  uint64_t mmio_ranges;
} rp_prmt_module_view;

typedef struct rp_prmt_handler_view {
  uint32_t offset;
  uint16_t revision, length;
  EFI_GUID guid;
  uint64_t address, static_data_buffer, acpi_param_buffer;
} rp_prmt_handler_view;

/* Bounded reads of one structure at a table offset (PRMT_MODULE_RANGE). */
EFI_STATUS rp_prmt_module_read(rp_bytes table, uint64_t offset, rp_prmt_module_view *m, rp_diag *diag);
EFI_STATUS rp_prmt_handler_read(rp_bytes table, uint64_t offset, rp_prmt_handler_view *h, rp_diag *diag);

typedef struct rp_prmt_info {
  uint32_t length;         /* header Length */
  uint8_t  revision, checksum;
  bool     checksum_ok;
  EFI_GUID platform_guid;
  uint8_t  oem_id[6], oem_table_id[8];
  uint32_t oem_revision, creator_id, creator_revision;
  uint32_t module_offset, module_count, handler_total;
  uint32_t linux_modules;  /* modules the Linux walk visited */
  uint32_t acpica_modules; /* modules the ACPICA walk visited */
  bool     walks_agree;
  rp_findings findings;    /* PRMT_BUFFER_TRAILING: the buffer is longer than Length */
} rp_prmt_info;

/* The reviewer's check of a table from bytes (a file from
 * /sys/firmware/acpi/tables/PRMT, or rp_prmt_build output). Fills *info
 * as far as it got, also on failure. Check order: docs/prm.md §4. Bytes
 * past Length are not part of the table (ACPI §5.2.6): a finding in
 * info->findings, not a rejection. */
EFI_STATUS rp_prmt_check(rp_bytes table, rp_prmt_info *info, rp_diag *diag);


/* ==== Context, data buffers, MMIO ranges (prm_context.c) ============== */

#define RP_PRM_CONTEXT_ACCEPT_V0 1u /* accept Version 0 (what Linux passes) */

void rp_prm_context_init(PRM_CONTEXT_BUFFER *ctx, const EFI_GUID *handler, PRM_DATA_BUFFER *static_data,
                         PRM_RUNTIME_MMIO_RANGES *mmio);
EFI_STATUS rp_prm_context_validate(rp_bytes ctx, uint32_t flags, rp_diag *diag);

/* signature: PRM_DATA_BUFFER_HEADER_SIGNATURE ('PRMS') or
 * PRM_ACPI_PARAMETER_DATA_BUFFER_HEADER_SIGNATURE ('PRMP'). */
EFI_STATUS rp_prm_data_buffer_init(rp_mbytes buf, uint32_t signature, rp_diag *diag);
EFI_STATUS rp_prm_data_buffer_validate(rp_bytes buf, uint32_t signature, rp_diag *diag);

/* Bytes of a range list with n ranges (8 + 20n); false on overflow. */
bool rp_prm_mmio_size(uint64_t n, uint64_t *size);
/* Count, then per range: length != 0, base and length 4 KiB aligned (EDK II
 * PrmConfigDxe), no wrap, no overlap. *count gets Count. */
EFI_STATUS rp_prm_mmio_validate(rp_bytes ranges, uint64_t *count, rp_diag *diag);
/* Writes Count and the ranges (VirtualBaseAddress = physical) after
 * validating them. */
EFI_STATUS rp_prm_mmio_build(rp_mbytes out, const uint64_t *phys, const uint32_t *len, uint64_t n, rp_diag *diag);

/* ConvertPointer-like callback: rewrites *address, or fails. */
typedef EFI_STATUS (*rp_prm_convert_fn)(void *ctx, uint64_t *address);
/* At SetVirtualAddressMap: VirtualBaseAddress = convert(PhysicalBase) for
 * every range. All-or-nothing: every conversion is computed before the
 * first write. */
EFI_STATUS rp_prm_mmio_convert(rp_mbytes ranges, rp_prm_convert_fn convert, void *ctx, rp_diag *diag);

/* ACPI parameter buffer of a handler from EDK II-style descriptors: a
 * descriptor with a zero GUID or zero address is unused; two used ones for
 * one handler are an error. *address 0 when none. */
EFI_STATUS rp_prm_acpi_param_lookup(const ACPI_PARAMETER_BUFFER_DESCRIPTOR *d, uint64_t n, const EFI_GUID *handler,
                                    uint64_t *address, rp_diag *diag);

#endif /* RTPRM_PRM_CORE_H */
