/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Provider state, ConvertPointer and CalculateCrc32 (UEFI §8.4, §7.5;
 * PI Vol 2 §12.8).
 */
#include "rt_internal.h"

#include "rtprm/crc32.h"
#include "rtprm/mem.h"
#include "rtprm/platform.h"

/* The EDK II DXE core's template value: sizeof(EFI_MEMORY_DESCRIPTOR)
 * padded by 8 (runtime.md §1.3), 48 on every 64-bit target. */
#define RT_TEMPLATE_DESC_SIZE (sizeof(EFI_MEMORY_DESCRIPTOR) + 8 - (sizeof(EFI_MEMORY_DESCRIPTOR) % 8))

static void list_init(EFI_LIST_ENTRY *h) {
  h->ForwardLink = h;
  h->BackLink = h;
}

EFI_STATUS rp_rt_create(const rp_rt_config *cfg, rp_runtime **out, rp_diag *diag) {
  void *p = NULL;
  if (cfg == NULL || out == NULL || cfg->st == NULL || cfg->st->RuntimeServices == NULL)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  /* Runtime-services data: the state is read by SetVirtualAddressMap and
   * ConvertPointer after ExitBootServices. */
  if (EFI_ERROR(rp_plat_alloc_pool(EfiRuntimeServicesData, sizeof(rp_runtime), &p)))
    RP_REJECT(diag, EFI_OUT_OF_RESOURCES, OUT_OF_RESOURCES, RP_DIAG_NO_INDEX);
  rp_runtime *rt = p;
  rp_memset(rt, 0, sizeof(*rt));
  list_init(&rt->proto.ImageHead);
  list_init(&rt->proto.EventHead);
  rt->proto.MemoryDescriptorSize = RT_TEMPLATE_DESC_SIZE;
  rt->proto.MemoryDesciptorVersion = EFI_MEMORY_DESCRIPTOR_VERSION;
  rt->st = cfg->st;
  rt->self_image_base = cfg->self_image_base;
  *out = rt;
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}

void rp_rt_destroy(rp_runtime *rt) {
  if (rt != NULL) rp_plat_free_pool(rt);
}

/* Outside SetVirtualAddressMap non-NULL pointers give EFI_NOT_FOUND, as in
 * EDK II (its map index is 0 then); U-Boot and AMI answer EFI_UNSUPPORTED.
 * We keep NOT_FOUND: the NULL rules stay testable at any time and a caller
 * that converts outside the callbacks learns its pointer was not converted
 * (docs/runtime.md, "ConvertPointer outside SetVirtualAddressMap"). */
EFI_STATUS rp_rt_convert_pointer(rp_runtime *rt, UINTN disposition, VOID **address, rp_diag *diag) {
  uint64_t v;
  if (address == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, RT_CP_ADDRESS_NULL, RP_DIAG_NO_INDEX);
  if (*address == NULL) {
    if ((disposition & EFI_OPTIONAL_PTR) != 0) { /* a bit test, not equality */
      rp_diag_clear(diag);
      return EFI_SUCCESS;
    }
    RP_REJECT(diag, EFI_INVALID_PARAMETER, RT_CP_NULL_POINTER, RP_DIAG_NO_INDEX);
  }
  if (rt == NULL || !rt->in_svam) RP_REJECT(diag, EFI_NOT_FOUND, RT_CP_NO_MAP, RP_DIAG_NO_INDEX);
  if (!rt_convert(&rt->vmap, (uint64_t)(uintptr_t)*address, &v))
    RP_REJECT(diag, EFI_NOT_FOUND, RT_CP_NOT_FOUND, RP_DIAG_NO_INDEX);
  *address = (VOID *)(uintptr_t)v;
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}

EFI_STATUS rp_rt_calculate_crc32(const VOID *data, UINTN size, UINT32 *crc, rp_diag *diag) {
  if (data == NULL || size == 0 || crc == NULL)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, RT_CRC_ARGUMENT, RP_DIAG_NO_INDEX);
  *crc = rp_crc32(data, size);
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}

void rp_rt_table_crc(EFI_TABLE_HEADER *hdr) {
  hdr->CRC32 = 0;
  hdr->CRC32 = rp_crc32(hdr, hdr->HeaderSize);
}
