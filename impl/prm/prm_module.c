/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * PRM module validation (docs/prm.md §2): the export descriptor found by
 * its exact export name, checked field by field, every handler name
 * resolved through the export table to code of this image. Works on FILE
 * and MAPPED images through rp_pe_rva_to_offset.
 */
#include "rtprm/guid.h"
#include "rtprm/mem.h"
#include "rtprm/overflow.h"
#include "rtprm/spec/pecoff.h"
#include "rtprm/platform.h"
#include "rtprm/prm_core.h"

/* Bytes of the descriptor at rva (offset in img->bytes), len bytes long. */
static bool desc_span(const rp_pe_image *img, uint32_t rva, uint64_t len, uint64_t *off) {
  if (len > UINT32_MAX) return false;
  return rp_pe_rva_to_offset(img, rva, (uint32_t)len, off) && rp_range_ok(img->bytes.len, *off, len);
}

/* PRM spec: modules are 64-bit; EDK II accepts X64 and AARCH64 PE32+. */
static EFI_STATUS check_machine(const rp_pe_image *img, rp_diag *diag) {
  bool ok = img->machine == IMAGE_FILE_MACHINE_AMD64 || img->machine == IMAGE_FILE_MACHINE_ARM64;
  if (!ok || !img->pe32plus) RP_REJECT(diag, EFI_UNSUPPORTED, PRM_MACHINE, img->machine);
  return EFI_SUCCESS;
}

/* The descriptor export, by exact name (EDK II's prefix match is not used). */
static EFI_STATUS find_descriptor(const rp_pe_image *img, const rp_pe_exports *e, uint32_t *rva, rp_diag *diag) {
  rp_pe_export x;
  EFI_STATUS st = rp_pe_export_find(img, e, PRM_MODULE_EXPORT_DESCRIPTOR_NAME, &x, diag);
  if (st == EFI_NOT_FOUND) RP_REJECT(diag, EFI_NOT_FOUND, PRM_DESCRIPTOR_NOT_EXPORTED, RP_DIAG_NO_INDEX);
  if (EFI_ERROR(st)) return st;
  if (x.rva == 0) RP_REJECT(diag, EFI_LOAD_ERROR, PRM_DESCRIPTOR_RVA_ZERO, x.ordinal_index);
  if (x.forwarder) RP_REJECT(diag, EFI_LOAD_ERROR, PRM_DESCRIPTOR_FORWARDER, x.ordinal_index);
  *rva = x.rva;
  return EFI_SUCCESS;
}

/* Header fields, in check order: range, signature, revision, count. */
static EFI_STATUS read_header(const rp_pe_image *img, uint32_t rva, rp_prm_module *m, rp_diag *diag) {
  uint64_t off, sig, span;
  uint16_t rev, n;
  if (!desc_span(img, rva, RP_PRM_DESC_HEADER_SIZE, &off)) RP_REJECT(diag, EFI_LOAD_ERROR, PRM_DESCRIPTOR_RANGE, rva);
  (void)rp_read_u64(img->bytes, off, &sig);
  (void)rp_read_u16(img->bytes, off + 8, &rev);
  (void)rp_read_u16(img->bytes, off + 10, &n);
  if (sig != PRM_MODULE_EXPORT_DESCRIPTOR_SIGNATURE) RP_REJECT(diag, EFI_NOT_FOUND, PRM_DESCRIPTOR_SIGNATURE, rva);
  if (rev != PRM_MODULE_EXPORT_REVISION) RP_REJECT(diag, EFI_UNSUPPORTED, PRM_DESCRIPTOR_REVISION, rev);
  if (n == 0) RP_REJECT(diag, EFI_LOAD_ERROR, PRM_HANDLER_COUNT_ZERO, RP_DIAG_NO_INDEX);
  if (n > RP_PRM_MAX_HANDLERS) RP_REJECT(diag, EFI_LOAD_ERROR, PRM_HANDLER_COUNT_BOUND, n);
  span = RP_PRM_DESC_HEADER_SIZE + (uint64_t)n * RP_PRM_DESC_HANDLER_SIZE; /* n <= 255: no overflow */
  if (!desc_span(img, rva, span, &off)) RP_REJECT(diag, EFI_LOAD_ERROR, PRM_DESCRIPTOR_RANGE, n);
  (void)rp_read_bytes(img->bytes, off + 12, &m->platform_guid, sizeof(EFI_GUID));
  (void)rp_read_bytes(img->bytes, off + 28, &m->module_guid, sizeof(EFI_GUID));
  m->handler_count = n;
  m->descriptor_rva = rva;
  return EFI_SUCCESS;
}

static bool in_code(const rp_pe_image *img, uint32_t rva) {
  for (uint16_t i = 0; i < img->num_sections; i++) {
    const rp_pe_section *s = &img->sections[i];
    uint32_t vs = s->virtual_size ? s->virtual_size : s->raw_size;
    if ((s->characteristics & IMAGE_SCN_MEM_EXECUTE) && rva >= s->virtual_address &&
        (uint64_t)rva < (uint64_t)s->virtual_address + vs)
      return true;
  }
  return false;
}

/* Handler i: GUID, name within 128 bytes, export resolution. */
static EFI_STATUS read_handler(const rp_pe_image *img, const rp_pe_exports *e, uint64_t desc_off, uint32_t i,
                               rp_prm_handler *h, rp_diag *diag) {
  uint64_t off = desc_off + RP_PRM_DESC_HEADER_SIZE + (uint64_t)i * RP_PRM_DESC_HANDLER_SIZE;
  size_t len;
  rp_pe_export x;
  EFI_STATUS st;
  (void)rp_read_bytes(img->bytes, off, &h->guid, sizeof(EFI_GUID));
  if (rp_guid_is_zero(&h->guid)) RP_REJECT(diag, EFI_LOAD_ERROR, PRM_HANDLER_GUID_ZERO, i);
  if (!rp_strnlen_at(img->bytes, off + 16, PRM_HANDLER_NAME_MAXIMUM_LENGTH, &len))
    RP_REJECT(diag, EFI_LOAD_ERROR, PRM_HANDLER_NAME_UNTERMINATED, i);
  if (len == 0) RP_REJECT(diag, EFI_LOAD_ERROR, PRM_HANDLER_NAME_EMPTY, i);
  rp_memcpy(h->name, img->bytes.ptr + off + 16, len + 1);
  st = rp_pe_export_find(img, e, h->name, &x, diag);
  if (st == EFI_NOT_FOUND) RP_REJECT(diag, EFI_NOT_FOUND, PRM_HANDLER_NOT_EXPORTED, i);
  if (EFI_ERROR(st)) return st;
  if (x.rva == 0) RP_REJECT(diag, EFI_LOAD_ERROR, PRM_HANDLER_RVA_ZERO, i);
  if (x.forwarder) RP_REJECT(diag, EFI_LOAD_ERROR, PRM_HANDLER_FORWARDER, i);
  if (!in_code(img, x.rva)) RP_REJECT(diag, EFI_LOAD_ERROR, PRM_HANDLER_NOT_CODE, i);
  h->rva = x.rva;
  return EFI_SUCCESS;
}

static EFI_STATUS read_handlers(const rp_pe_image *img, const rp_pe_exports *e, rp_prm_module *m, rp_diag *diag) {
  uint64_t off;
  (void)desc_span(img, m->descriptor_rva, RP_PRM_DESC_HEADER_SIZE, &off); /* proven by read_header */
  for (uint32_t i = 0; i < m->handler_count; i++) {
    EFI_STATUS st = read_handler(img, e, off, i, &m->handlers[i], diag);
    if (EFI_ERROR(st)) return st;
    for (uint32_t j = 0; j < i; j++) {
      if (rp_guid_equal(&m->handlers[j].guid, &m->handlers[i].guid))
        RP_REJECT(diag, EFI_LOAD_ERROR, PRM_HANDLER_GUID_DUPLICATE, i);
    }
  }
  return EFI_SUCCESS;
}

static EFI_STATUS check_guids(const rp_prm_module *m, const EFI_GUID *platform, rp_diag *diag) {
  if (rp_guid_is_zero(&m->module_guid)) RP_REJECT(diag, EFI_LOAD_ERROR, PRM_MODULE_GUID_ZERO, RP_DIAG_NO_INDEX);
  if (platform != NULL && !rp_guid_equal(platform, &m->platform_guid))
    RP_REJECT(diag, EFI_UNSUPPORTED, PRM_PLATFORM_GUID_MISMATCH, RP_DIAG_NO_INDEX);
  return EFI_SUCCESS;
}

static EFI_STATUS validate(const rp_pe_image *img, const EFI_GUID *platform, rp_prm_module *m, rp_diag *diag) {
  rp_pe_exports e;
  uint32_t rva = 0;
  void *p = NULL;
  EFI_STATUS st = check_machine(img, diag);
  if (!EFI_ERROR(st)) st = rp_pe_exports_parse(img, &e, diag);
  if (st == EFI_NOT_FOUND) RP_REJECT(diag, EFI_NOT_FOUND, PRM_DESCRIPTOR_NOT_EXPORTED, RP_DIAG_NO_INDEX);
  if (!EFI_ERROR(st)) st = find_descriptor(img, &e, &rva, diag);
  if (!EFI_ERROR(st)) st = read_header(img, rva, m, diag);
  if (!EFI_ERROR(st)) st = check_guids(m, platform, diag);
  if (EFI_ERROR(st)) return st;
  if (EFI_ERROR(rp_plat_alloc_pool(EfiBootServicesData, m->handler_count * sizeof(rp_prm_handler), &p)))
    RP_REJECT(diag, EFI_OUT_OF_RESOURCES, OUT_OF_RESOURCES, RP_DIAG_NO_INDEX);
  rp_memset(p, 0, m->handler_count * sizeof(rp_prm_handler));
  m->handlers = p;
  return read_handlers(img, &e, m, diag);
}

EFI_STATUS rp_prm_module_validate(const rp_pe_image *img, const EFI_GUID *platform_guid, rp_prm_module *out,
                                  rp_diag *diag) {
  rp_prm_module m;
  EFI_STATUS st;
  if (img == NULL || out == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  rp_memset(out, 0, sizeof(*out));
  rp_memset(&m, 0, sizeof(m));
  st = validate(img, platform_guid, &m, diag);
  if (EFI_ERROR(st)) {
    rp_prm_module_free(&m);
    return st;
  }
  m.major = img->major_image_version;
  m.minor = img->minor_image_version;
  m.machine = img->machine;
  *out = m;
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}

void rp_prm_module_free(rp_prm_module *m) {
  if (m == NULL) return;
  if (m->handlers != NULL) rp_plat_free_pool(m->handlers);
  rp_memset(m, 0, sizeof(*m));
}

/* ---- module sets ---------------------------------------------------------------- */

typedef struct {
  const EFI_GUID *guid;
  uint32_t        module;
} guid_ref;

/* Total order on GUIDs by bytes; ties broken by module index. */
static int ref_cmp(const guid_ref *a, const guid_ref *b) {
  int c = rp_memcmp(a->guid, b->guid, sizeof(EFI_GUID));
  if (c != 0) return c;
  return a->module < b->module ? -1 : (a->module > b->module ? 1 : 0);
}

static void sift_down(guid_ref *r, uint64_t root, uint64_t n) {
  for (;;) {
    uint64_t child = 2 * root + 1;
    if (child >= n) return;
    if (child + 1 < n && ref_cmp(&r[child], &r[child + 1]) < 0) child++;
    if (ref_cmp(&r[root], &r[child]) >= 0) return;
    guid_ref t = r[root];
    r[root] = r[child];
    r[child] = t;
    root = child;
  }
}

/* Heapsort: O(n log n) without libc. */
static void sort_refs(guid_ref *r, uint64_t n) {
  for (uint64_t i = n / 2; i-- > 0;) sift_down(r, i, n);
  for (uint64_t end = n; end-- > 1;) {
    guid_ref t = r[0];
    r[0] = r[end];
    r[end] = t;
    sift_down(r, 0, end);
  }
}

/* After sorting, equal GUIDs are adjacent; the later module is reported. */
static EFI_STATUS find_dup(guid_ref *r, uint64_t n, rp_reason reason, rp_diag *diag) {
  sort_refs(r, n);
  for (uint64_t i = 1; i < n; i++) {
    if (rp_guid_equal(r[i - 1].guid, r[i].guid))
      return rp_diag_set(diag, EFI_INVALID_PARAMETER, reason, r[i].module, RP_HERE_FILE, __LINE__);
  }
  return EFI_SUCCESS;
}

EFI_STATUS rp_prm_module_set_check(const rp_prm_module *mods, uint32_t count, rp_diag *diag) {
  uint64_t total = 0, k = 0, bytes;
  void *p = NULL;
  EFI_STATUS st;
  if (mods == NULL && count != 0) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  for (uint32_t i = 0; i < count; i++) total += mods[i].handler_count;
  if (total < count) total = count;
  if (!rp_mul_u64(total, sizeof(guid_ref), &bytes) || bytes > SIZE_MAX)
    RP_REJECT(diag, EFI_OUT_OF_RESOURCES, ARITH_OVERFLOW, RP_DIAG_NO_INDEX);
  if (total == 0) {
    rp_diag_clear(diag);
    return EFI_SUCCESS;
  }
  if (EFI_ERROR(rp_plat_alloc_pool(EfiBootServicesData, (size_t)bytes, &p)))
    RP_REJECT(diag, EFI_OUT_OF_RESOURCES, OUT_OF_RESOURCES, RP_DIAG_NO_INDEX);
  guid_ref *r = p;
  for (uint32_t i = 0; i < count; i++) r[i] = (guid_ref){ &mods[i].module_guid, i };
  st = find_dup(r, count, RP_R_PRM_MODULE_GUID_DUPLICATE, diag);
  for (uint32_t i = 0; !EFI_ERROR(st) && i < count; i++) {
    for (uint32_t j = 0; j < mods[i].handler_count; j++) r[k++] = (guid_ref){ &mods[i].handlers[j].guid, i };
  }
  if (!EFI_ERROR(st)) st = find_dup(r, k, RP_R_PRM_HANDLER_GUID_CONFLICT, diag);
  rp_plat_free_pool(p);
  if (!EFI_ERROR(st)) rp_diag_clear(diag);
  return st;
}

EFI_STATUS rp_prm_set_views_alloc(uint32_t modules, uint64_t handlers, rp_prm_module **mods, rp_prm_handler **hs,
                                  rp_diag *diag) {
  uint64_t mbytes = (uint64_t)modules * sizeof(rp_prm_module), hbytes;
  void *p = NULL, *q = NULL;
  *mods = NULL;
  *hs = NULL;
  if (!rp_mul_u64(handlers, sizeof(rp_prm_handler), &hbytes) || mbytes > SIZE_MAX || hbytes > SIZE_MAX)
    RP_REJECT(diag, EFI_OUT_OF_RESOURCES, ARITH_OVERFLOW, RP_DIAG_NO_INDEX);
  if (EFI_ERROR(rp_plat_alloc_pool(EfiBootServicesData, (size_t)mbytes, &p)))
    RP_REJECT(diag, EFI_OUT_OF_RESOURCES, OUT_OF_RESOURCES, RP_DIAG_NO_INDEX);
  if (EFI_ERROR(rp_plat_alloc_pool(EfiBootServicesData, (size_t)hbytes, &q))) {
    rp_plat_free_pool(p);
    RP_REJECT(diag, EFI_OUT_OF_RESOURCES, OUT_OF_RESOURCES, RP_DIAG_NO_INDEX);
  }
  rp_memset(p, 0, (size_t)mbytes);
  *mods = p;
  *hs = q;
  return EFI_SUCCESS;
}

void rp_prm_set_views_free(rp_prm_module *mods, rp_prm_handler *hs) {
  rp_plat_free_pool(hs);
  rp_plat_free_pool(mods);
}
