/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * PI Runtime Architectural Protocol (PI 1.8 Vol 2 §12.8): the lists of
 * runtime images and runtime events that the DXE core fills and that the
 * provider of SetVirtualAddressMap()/ConvertPointer() walks.
 *
 * Layouts (PI Vol 2 §12.8; x64/AArch64 vs IA32 with 8-aligned UINT64):
 *   EFI_RUNTIME_ARCH_PROTOCOL  80 / 40 bytes
 *   EFI_RUNTIME_IMAGE_ENTRY    48 / 32 bytes, Link at 32 / 24
 *   EFI_RUNTIME_EVENT_ENTRY    56 / 28 bytes, Link at 40 / 20
 * checked by layout.def.
 */
#ifndef RTPRM_PI_RUNTIME_H
#define RTPRM_PI_RUNTIME_H

#include "rtprm/spec/uefi_base.h"
#include "rtprm/spec/uefi_tables.h" /* EFI_EVENT_NOTIFY */

#define RP_GUID_RUNTIME_ARCH_PROTOCOL \
  { 0xb7dfb4e1, 0x052f, 0x449f, { 0x87, 0xbe, 0x98, 0x18, 0xfc, 0x91, 0xb7, 0x33 } }

/* One runtime driver image (a node on EFI_RUNTIME_ARCH_PROTOCOL.ImageHead). */
typedef struct {
  VOID          *ImageBase;      /* start of the loaded image */
  UINT64         ImageSize;      /* bytes */
  VOID          *RelocationData; /* fix-up records taken at load time */
  EFI_HANDLE     Handle;         /* the image handle */
  EFI_LIST_ENTRY Link;           /* node in ImageHead */
} EFI_RUNTIME_IMAGE_ENTRY;

/* One runtime event (a node on EFI_RUNTIME_ARCH_PROTOCOL.EventHead).
 *
 * Event: the spec types it EFI_EVENT * but describes it as "the EFI_EVENT
 * returned by CreateEvent()". We keep the spec's type for layout fidelity and
 * give it VALUE semantics: the field holds the EFI_EVENT itself (cast to
 * EFI_EVENT *), and notification passes (EFI_EVENT)Event to NotifyFunction.
 * That is what EDK II DXE cores store and what RuntimeDxe expects (PI Mantis
 * #2017 records the discrepancy); it is never dereferenced. */
typedef struct {
  UINT32           Type;           /* as passed to CreateEvent() */
  EFI_TPL          NotifyTpl;
  EFI_EVENT_NOTIFY NotifyFunction;
  VOID            *NotifyContext;
  EFI_EVENT       *Event;          /* value semantics, see above */
  EFI_LIST_ENTRY   Link;           /* node in EventHead */
} EFI_RUNTIME_EVENT_ENTRY;

typedef struct {
  EFI_LIST_ENTRY         ImageHead;              /* EFI_RUNTIME_IMAGE_ENTRY.Link */
  EFI_LIST_ENTRY         EventHead;              /* EFI_RUNTIME_EVENT_ENTRY.Link */
  UINTN                  MemoryDescriptorSize;
  UINT32                 MemoryDesciptorVersion; /* [sic]: spelled so in PI §12.8 */
  UINTN                  MemoryMapSize;
  EFI_MEMORY_DESCRIPTOR *MemoryMapPhysical;
  EFI_MEMORY_DESCRIPTOR *MemoryMapVirtual;
  BOOLEAN                VirtualMode;            /* set by SetVirtualAddressMap() */
  BOOLEAN                AtRuntime;              /* set last by ExitBootServices() */
} EFI_RUNTIME_ARCH_PROTOCOL;

#endif /* RTPRM_PI_RUNTIME_H */
