/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * The platform-neutral core of the Runtime Architectural Protocol provider
 * (PI Vol 2 §12.8; UEFI §8.4 Virtual Memory Services): the protocol state the
 * DXE core fills, SetVirtualAddressMap, ConvertPointer and CalculateCrc32.
 * docs/runtime.md holds the status precedence (requirements RT-xxx).
 *
 * Files (impl/runtime/):
 *   rt_state.c   create/destroy, ConvertPointer, CalculateCrc32, header CRCs
 *   rt_map.c     map checks: EBS map vs virtual map (NO_MAPPING/NOT_FOUND),
 *                runtime-memory lookups used by every other check
 *   rt_list.c    the hardened ImageHead/EventHead walk
 *   rt_svam.c    SetVirtualAddressMap: validate everything, then commit
 *                (events, images, tables)
 *
 * Lifetime: rp_rt_create allocates the state (protocol included) from
 * EfiRuntimeServicesData through the platform seam; nothing else allocates,
 * so SetVirtualAddressMap and ConvertPointer work after ExitBootServices.
 */
#ifndef RTPRM_RUNTIME_H
#define RTPRM_RUNTIME_H

#include "rtprm/memmap.h"
#include "rtprm/pe.h"
#include "rtprm/spec/pi_runtime.h"
#include "rtprm/status.h"
#include "rtprm/spec/uefi_tables.h"

/* Walk bound for ImageHead and EventHead (hardening: a corrupt list never
 * loops). Real platforms hold tens of entries. */
#define RP_RT_MAX_LIST_ENTRIES 4096u

/* Index values in rp_diag for table-pointer rejections (RT_TABLE_*):
 * 0..11 the runtime services in table order without SVAM/ConvertPointer,
 * then the system table's fields. */
enum {
  RP_RT_FIELD_RS_COUNT = 12,    /* runtime-services pointers converted */
  RP_RT_FIELD_FIRMWARE_VENDOR = 12,
  RP_RT_FIELD_CONFIGURATION_TABLE = 13,
  RP_RT_FIELD_RUNTIME_SERVICES = 14,
  RP_RT_FIELD_COUNT = 15,
  RP_RT_FIELD_ST_COUNT = RP_RT_FIELD_COUNT - RP_RT_FIELD_RS_COUNT, /* system-table pointers converted */
  RP_RT_HDR_SYSTEM_TABLE = 100, /* RT_TABLE_HEADER index: gST header */
  RP_RT_HDR_RUNTIME_SERVICES = 101,
};

/* rp_diag.index, one meaning per reason family, everywhere in the core:
 *   RT_LIST_*, RT_IMAGE_*, RT_EVENT_*  the list entry: rp_rt_entry_index(list,
 *                                      position), position 0 = first entry;
 *   RT_TABLE_*                         RP_RT_FIELD_* / RP_RT_HDR_* above;
 *   MEMMAP_*, RT_NO_MAPPING, RT_VA_*   the descriptor's index in its map;
 *   PE_* (an image's re-parse)         the PE library's index (pecoff.md);
 *                                      the image's position is in the log.
 * The list entry index is list * RP_RT_LIST_INDEX_SCALE + position. */
#define RP_RT_LIST_IMAGES 1u
#define RP_RT_LIST_EVENTS 2u
#define RP_RT_LIST_INDEX_SCALE 0x100000000ull

static inline uint64_t rp_rt_entry_index(uint32_t list, uint64_t position) {
  return (uint64_t)list * RP_RT_LIST_INDEX_SCALE + position;
}

typedef struct rp_rt_config {
  EFI_SYSTEM_TABLE *st;       /* the tables SetVirtualAddressMap converts (required) */
  uint64_t self_image_base;   /* the provider's own image, never re-relocated (0: none) */
} rp_rt_config;

typedef struct rp_rt_stats {
  uint64_t events_signalled;  /* callbacks made */
  uint64_t images_relocated;  /* entries re-relocated */
  uint64_t images_self;       /* entries skipped as the provider's own image */
  uint64_t images_failed;     /* entries that failed after commit (callback damage) */
  uint64_t sites_applied;     /* relocation sites adjusted, all images */
  uint64_t sites_skipped;     /* sites left alone: value no longer the recorded one */
  uint64_t pointers_converted;/* table pointers converted */
} rp_rt_stats;

/* What the last successful SetVirtualAddressMap did with one ImageHead
 * entry (rp_rt_image_results). */
typedef enum {
  RP_RT_IMAGE_RELOCATED = 0, /* re-relocated to new_base */
  RP_RT_IMAGE_SELF = 1,      /* the provider's own image: left in place */
  RP_RT_IMAGE_FAILED = 2,    /* damaged by a callback after validation: reason says why */
} rp_rt_image_outcome;

typedef struct rp_rt_image_result {
  uint64_t            index;    /* position in ImageHead, 0-based */
  uint64_t            old_base; /* ImageBase when the call started */
  uint64_t            new_base; /* its virtual base (old_base for SELF, 0 for FAILED) */
  uint64_t            applied;  /* relocation sites adjusted */
  uint64_t            skipped;  /* sites left alone (value no longer the recorded one) */
  rp_rt_image_outcome outcome;
  rp_reason           reason;   /* RP_R_NONE unless FAILED */
} rp_rt_image_result;

/* An optional, caller-owned list the provider fills per image during
 * SetVirtualAddressMap (hosts, tests and the CLI; firmware passes none).
 * `count` is the number of images the call went through; item[] holds the
 * first min(count, cap). Reset at the start of each successful call. */
typedef struct rp_rt_image_results {
  rp_rt_image_result *item;
  size_t              cap;
  size_t              count;
} rp_rt_image_results;

/* SetVirtualAddressMap's working memory for one image at a time: here, in
 * runtime data, instead of on the OS's stack (docs/ARCHITECTURE.md "Stack
 * budget"); wiped after every call. */
typedef struct rp_rt_scratch {
  rp_pe_image img;              /* the parsed-image context of the image checks */
  rp_pe_rerelocate_stats stats; /* what the re-relocation of one image did */
} rp_rt_scratch;

typedef struct rp_runtime {
  EFI_RUNTIME_ARCH_PROTOCOL proto; /* first: the interface that is installed */
  EFI_SYSTEM_TABLE *st;
  uint64_t self_image_base;
  rp_memmap vmap;                  /* the caller's map, only while in_svam */
  bool in_svam;
  rp_rt_stats stats;               /* of the last successful SetVirtualAddressMap */
  rp_rt_image_results images;      /* per-image results of it; item NULL: not kept */
  rp_rt_scratch scratch;           /* all zero between calls */
} rp_runtime;

/* Allocates and initialises the state: empty lists, DescriptorSize 48 (the
 * EDK II DXE core's padded size on every 64-bit target), version 1, no map,
 * both flags FALSE. EFI_INVALID_PARAMETER when cfg/st/RuntimeServices is NULL,
 * EFI_OUT_OF_RESOURCES when the allocation fails. */
EFI_STATUS rp_rt_create(const rp_rt_config *cfg, rp_runtime **out, rp_diag *diag);
void rp_rt_destroy(rp_runtime *rt);

typedef struct rp_rt_adopted {
  uint64_t images; /* ImageHead entries moved */
  uint64_t events; /* EventHead entries moved */
} rp_rt_adopted;

/* Moves every ImageHead/EventHead entry of an earlier provider's protocol
 * `old` in front of rt's own entries (docs/runtime.md "Adopting an earlier
 * provider"; runtime.md §1.3: the EDK II DXE core migrates only its template
 * lists when a newer provider is installed). Validate, then act: both old
 * lists and both of rt's lists pass the hardened walk against `live` (the
 * current firmware memory map; entries must lie in runtime-services data)
 * before any link is written; a rejection (RT_LIST_*, EFI_VOLUME_CORRUPTED)
 * changes nothing. Afterwards the old heads are empty. old == &rt->proto,
 * NULL or misaligned: EFI_INVALID_PARAMETER. */
EFI_STATUS rp_rt_adopt(rp_runtime *rt, EFI_RUNTIME_ARCH_PROTOCOL *old, const rp_memmap *live, rp_rt_adopted *out,
                       rp_diag *diag);

/* The undo of rp_rt_adopt when installing the protocol failed: moves all of
 * rt's entries (which all came from `old`) back onto old's heads, which must
 * be empty (otherwise nothing is done). */
void rp_rt_release(rp_runtime *rt, EFI_RUNTIME_ARCH_PROTOCOL *old);

/* UEFI §8.4 SetVirtualAddressMap. Status precedence (docs/runtime.md):
 * UNSUPPORTED (not at runtime / already virtual) > INVALID_PARAMETER (map
 * header and descriptors) > EBS map check > NO_MAPPING > NOT_FOUND > lists,
 * images, events, tables. A rejected call changes nothing. */
EFI_STATUS rp_rt_set_virtual_address_map(rp_runtime *rt, UINTN map_size, UINTN desc_size, UINT32 desc_version,
                                         const EFI_MEMORY_DESCRIPTOR *vmap, rp_diag *diag);

/* UEFI §8.4 ConvertPointer. Address NULL: INVALID_PARAMETER; *Address NULL:
 * SUCCESS when disposition has EFI_OPTIONAL_PTR (a bit test), else
 * INVALID_PARAMETER; outside SetVirtualAddressMap: NOT_FOUND; otherwise the
 * first runtime descriptor with PhysicalStart <= a < end (exclusive) converts
 * it, NOT_FOUND when none does. */
EFI_STATUS rp_rt_convert_pointer(rp_runtime *rt, UINTN disposition, VOID **address, rp_diag *diag);

/* EFI_BOOT_SERVICES.CalculateCrc32: INVALID_PARAMETER when data or crc is
 * NULL or size is 0 (runtime.md §2.4). */
EFI_STATUS rp_rt_calculate_crc32(const VOID *data, UINTN size, UINT32 *crc, rp_diag *diag);

/* Recomputes hdr->CRC32 over HeaderSize bytes with the field zeroed (UEFI
 * §4.2). The caller guarantees HeaderSize bytes are readable. */
void rp_rt_table_crc(EFI_TABLE_HEADER *hdr);

#endif /* RTPRM_RUNTIME_H */
