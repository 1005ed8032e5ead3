/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * A host model of the EDK II DXE core around the Runtime AP (runtime.md §1.3)
 * and of the OS that calls SetVirtualAddressMap, for tests, conformance
 * cases, fuzzers and the CLI.
 *
 * DXE side (in order of a boot):
 *   dm_init                 memory regions from the platform seam (runtime
 *                           code, runtime data, boot-services data) and the
 *                           system/runtime-services tables in runtime data;
 *                           lists start on template heads (gRuntimeTemplate)
 *   dm_load_image           a runtime driver from real PE bytes: loaded at an
 *                           address in runtime code, relocated there with
 *                           EDK II RelocationData recorded (rp_pe_relocate),
 *                           entry tail-inserted on the current ImageHead
 *   dm_create_event         CreateEvent/CreateEventEx: the event-group GUID
 *                           maps to EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE; runtime
 *                           events get an IEVENT and an entry in runtime data
 *   dm_install_protocol     rp_rt_create, then every template node is moved
 *                           (re-linked, in order) onto the provider's heads
 *   dm_exit_boot_services   records the map in the protocol (optional, EDK II
 *                           leaves it NULL) and sets AtRuntime last
 * OS side:
 *   dm_os_assign            one virtual address per descriptor (non-zero,
 *                           different per-region deltas)
 *   dm_os_vmap              the map handed to SetVirtualAddressMap (Linux:
 *                           runtime descriptors only; Xen: all, junk VAs)
 *   dm_os_verify            every image byte-equal to a fresh relocation at
 *                           its VA (except the bytes of overlapping sites,
 *                           which docs/pecoff.md lets through, and of HIGH
 *                           sites, which cannot compose two deltas), every event called once with its EFI_EVENT,
 *                           every table pointer converted, CRCs valid
 * Memory is the host's: "physical" addresses are host pointers.
 */
#ifndef RTPRM_DXE_MODEL_H
#define RTPRM_DXE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtprm/pe.h"
#include "rtprm/runtime.h"

#define DM_MAX_IMAGES 64u
#define DM_MAX_EVENTS 256u
#define DM_MAX_DESCS  8u
#define DM_KVA        0xFFFF800000000000ull  /* base of the OS's runtime VAs */
#define DM_MMIO_PHYS  0xFFFFF00000000000ull  /* a runtime MMIO page no host pointer reaches */

typedef struct dm_desc {
  uint32_t type;
  uint64_t attr;
  uint64_t phys, pages;
  uint64_t virt;        /* assigned by dm_os_assign */
  bool     omit;        /* the OS leaves it out of the virtual map */
} dm_desc;

typedef struct dm_region {
  uint8_t *base;
  size_t   pages, used;
  uint32_t type;
} dm_region;

enum { DM_R_CODE, DM_R_DATA, DM_R_BOOT, DM_R_COUNT };

typedef struct dm_model dm_model;

/* NotifyContext of a model event; lives in runtime data. */
typedef struct dm_event_ctx {
  dm_model  *m;
  uint32_t   calls;
  uint32_t   order;          /* 1-based position among all callbacks made */
  EFI_EVENT  seen;           /* the Event argument of the last call */
  void      *slot;           /* a runtime pointer the callback converts */
  void      *slot_phys;      /* its value before */
  EFI_STATUS convert_status; /* ConvertPointer's answer inside the callback */
} dm_event_ctx;

typedef struct dm_image {
  EFI_RUNTIME_IMAGE_ENTRY *entry;
  uint8_t *file;             /* private copy of the PE file (host heap) */
  size_t   file_len;
  uint32_t size;             /* SizeOfImage */
  rp_pe_reloc_stats load;    /* what the load-time relocation did */
} dm_image;

typedef struct dm_event {
  EFI_RUNTIME_EVENT_ENTRY *entry; /* NULL for a non-runtime event */
  void          *ievent;
  dm_event_ctx  *ctx;
  uint32_t       type;
} dm_event;

struct dm_model {
  dm_region  r[DM_R_COUNT];
  dm_desc    d[DM_MAX_DESCS];
  size_t     nd;
  size_t     split_code;     /* pages of code in the first code descriptor (0: one descriptor) */
  rp_runtime *rt;
  EFI_SYSTEM_TABLE *st;
  EFI_RUNTIME_SERVICES *rs;
  EFI_LIST_ENTRY tmpl_images, tmpl_events; /* gRuntimeTemplate's heads */
  EFI_LIST_ENTRY *image_head, *event_head; /* where registrations go now */
  dm_image   img[DM_MAX_IMAGES];
  size_t     n_img;
  dm_event   ev[DM_MAX_EVENTS];
  size_t     n_ev;
  uint32_t   calls;          /* callbacks made so far (all events) */
  uint64_t   fields_before[RP_RT_FIELD_COUNT + 2]; /* table pointers before SVAM */
  EFI_MEMORY_DESCRIPTOR *ebs_map; /* in runtime data */
  size_t     ebs_map_size;
};

typedef struct dm_config {
  size_t code_pages, data_pages, boot_pages; /* 0: defaults 256 / 64 / 4 */
  size_t split_code;  /* >0: describe runtime code as two descriptors at this page */
} dm_config;

/* Every dm_ function returns EFI_SUCCESS or the first failure (allocation
 * failures from the seam included) and leaves the model destroyable. */
EFI_STATUS dm_init(dm_model *m, const dm_config *cfg);
void       dm_destroy(dm_model *m);
EFI_STATUS dm_install_protocol(dm_model *m);
EFI_STATUS dm_load_image(dm_model *m, const uint8_t *file, size_t len, size_t *index);
EFI_STATUS dm_load_image_file(dm_model *m, const char *path, size_t *index);
/* group: NULL or an event-group GUID. Returns the model index in *index. */
EFI_STATUS dm_create_event(dm_model *m, uint32_t type, const EFI_GUID *group, bool convert_slot, size_t *index);
EFI_STATUS dm_exit_boot_services(dm_model *m, bool record_map);
/* Bump allocation in a region (8-aligned, or align); NULL when full. */
void *dm_alloc(dm_model *m, int region, size_t size, size_t align);

/* OS side. mode 0: per-region deltas (different for every descriptor);
 * mode 1: like 0 but the two code descriptors of a split keep one delta. */
void   dm_os_assign(dm_model *m, int mode);
/* Writes the virtual map into buf (cap bytes) with the given stride;
 * xen: include non-runtime descriptors with VirtualStart = ~0. Returns the
 * MemoryMapSize, 0 when it does not fit. */
size_t dm_os_vmap(const dm_model *m, uint8_t *buf, size_t cap, size_t stride, bool xen);
/* Records the table pointers before SVAM (dm_os_verify compares). */
void   dm_snapshot_tables(dm_model *m);
/* After a successful SVAM: every check; false with a reason in why. */
bool   dm_os_verify(dm_model *m, char *why, size_t cap);
/* Delta the OS assigned to the descriptor holding addr (0 if none). */
uint64_t dm_delta_of(const dm_model *m, uint64_t addr);

/* Hash of everything SetVirtualAddressMap may change (images, records,
 * entries, events, tables, protocol flags): equal before and after a
 * rejected call. */
uint64_t dm_state_hash(const dm_model *m);

#endif /* RTPRM_DXE_MODEL_H */
