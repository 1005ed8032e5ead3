/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Buffers handed to PRM handlers (docs/prm.md §5): PRM_CONTEXT_BUFFER
 * ('PRMC', version 1), data buffers ('PRMS' static, 'PRMP' ACPI
 * parameter; PRM spec 1.0 §4.2), runtime MMIO range lists (8-byte Count,
 * then packed 20-byte ranges) and their conversion at SetVirtualAddressMap.
 */
#include "rtprm/guid.h"
#include "rtprm/mem.h"
#include "rtprm/overflow.h"
#include "rtprm/prm_core.h"

#define CTX_SIZE    40u
#define PAGE_4K     0x1000ull

void rp_prm_context_init(PRM_CONTEXT_BUFFER *ctx, const EFI_GUID *handler, PRM_DATA_BUFFER *static_data,
                         PRM_RUNTIME_MMIO_RANGES *mmio) {
  if (ctx == NULL) return;
  rp_memset(ctx, 0, sizeof(*ctx));
  ctx->Signature = PRM_CONTEXT_BUFFER_SIGNATURE;
  ctx->Version = PRM_CONTEXT_BUFFER_INTERFACE_VERSION;
  if (handler != NULL) ctx->HandlerGuid = *handler;
  ctx->StaticDataBuffer = static_data;
  ctx->RuntimeMmioRanges = mmio;
}

EFI_STATUS rp_prm_context_validate(rp_bytes ctx, uint32_t flags, rp_diag *diag) {
  uint32_t sig = 0;
  uint16_t ver = 0;
  EFI_GUID g;
  if (ctx.ptr == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  if (ctx.len < CTX_SIZE) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRM_CONTEXT_SIZE, ctx.len);
  (void)rp_read_u32(ctx, 0, &sig);
  (void)rp_read_u16(ctx, 4, &ver);
  (void)rp_read_bytes(ctx, 8, &g, sizeof(g));
  if (sig != PRM_CONTEXT_BUFFER_SIGNATURE) RP_REJECT(diag, EFI_NOT_FOUND, PRM_CONTEXT_SIGNATURE, 0);
  /* Linux passes Version 0 (prm.md §1.6): accepted only on request. */
  if (ver != PRM_CONTEXT_BUFFER_INTERFACE_VERSION && !(ver == 0 && (flags & RP_PRM_CONTEXT_ACCEPT_V0)))
    RP_REJECT(diag, EFI_UNSUPPORTED, PRM_CONTEXT_VERSION, ver);
  if (rp_guid_is_zero(&g)) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRM_CONTEXT_GUID_ZERO, 8);
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}

static bool data_sig_ok(uint32_t s) {
  return s == PRM_DATA_BUFFER_HEADER_SIGNATURE || s == PRM_ACPI_PARAMETER_DATA_BUFFER_HEADER_SIGNATURE;
}

EFI_STATUS rp_prm_data_buffer_init(rp_mbytes buf, uint32_t signature, rp_diag *diag) {
  if (buf.ptr == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  if (!data_sig_ok(signature)) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRM_DATA_BUFFER_SIGNATURE, signature);
  if (buf.len < sizeof(PRM_DATA_BUFFER_HEADER) || buf.len > UINT32_MAX)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, PRM_DATA_BUFFER_LENGTH, buf.len);
  (void)rp_write_u32(buf, 0, signature);
  (void)rp_write_u32(buf, 4, (uint32_t)buf.len);
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}

EFI_STATUS rp_prm_data_buffer_validate(rp_bytes buf, uint32_t signature, rp_diag *diag) {
  uint32_t sig = 0, len = 0;
  if (buf.ptr == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  if (buf.len < sizeof(PRM_DATA_BUFFER_HEADER)) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRM_DATA_BUFFER_LENGTH, buf.len);
  (void)rp_read_u32(buf, 0, &sig);
  (void)rp_read_u32(buf, 4, &len);
  if (!data_sig_ok(signature) || sig != signature) RP_REJECT(diag, EFI_NOT_FOUND, PRM_DATA_BUFFER_SIGNATURE, 0);
  if (len < sizeof(PRM_DATA_BUFFER_HEADER) || len > buf.len)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, PRM_DATA_BUFFER_LENGTH, len);
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}

bool rp_prm_mmio_size(uint64_t n, uint64_t *size) {
  uint64_t b;
  return rp_mul_u64(n, RP_PRM_MMIO_RANGE_SIZE, &b) && rp_add_u64(b, 8, size);
}

/* One range's own rules: non-empty, 4 KiB aligned (EDK II asserts it before
 * setting EFI_MEMORY_RUNTIME), no wrap. */
static EFI_STATUS check_range(uint64_t base, uint32_t len, uint64_t i, rp_diag *diag) {
  uint64_t end;
  if (len == 0) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRM_MMIO_LENGTH_ZERO, i);
  if (!rp_is_aligned_u64(base, PAGE_4K) || !rp_is_aligned_u64(len, PAGE_4K))
    RP_REJECT(diag, EFI_INVALID_PARAMETER, PRM_MMIO_UNALIGNED, i);
  if (!rp_add_u64(base, len - 1u, &end)) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRM_MMIO_OVERFLOW, i);
  return EFI_SUCCESS;
}

static bool overlap(uint64_t a, uint32_t al, uint64_t b, uint32_t bl) {
  return a <= b + (bl - 1u) && b <= a + (al - 1u); /* both checked not to wrap */
}

static EFI_STATUS check_ranges(const uint64_t *base, const uint32_t *len, uint64_t n, rp_diag *diag) {
  for (uint64_t i = 0; i < n; i++) {
    EFI_STATUS st = check_range(base[i], len[i], i, diag);
    if (EFI_ERROR(st)) return st;
    for (uint64_t j = 0; j < i; j++) {
      if (overlap(base[j], len[j], base[i], len[i])) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRM_MMIO_OVERLAP, i);
    }
  }
  return EFI_SUCCESS;
}

EFI_STATUS rp_prm_mmio_validate(rp_bytes r, uint64_t *count, rp_diag *diag) {
  uint64_t n = 0, need;
  if (r.ptr == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  if (!rp_read_u64(r, 0, &n)) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRM_MMIO_SIZE, r.len);
  if (!rp_prm_mmio_size(n, &need) || need > r.len) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRM_MMIO_COUNT, n);
  for (uint64_t i = 0; i < n; i++) {
    uint64_t base = 0, bj = 0;
    uint32_t len = 0, lj = 0;
    (void)rp_read_u64(r, 8 + i * RP_PRM_MMIO_RANGE_SIZE, &base);
    (void)rp_read_u32(r, 8 + i * RP_PRM_MMIO_RANGE_SIZE + 16, &len);
    EFI_STATUS st = check_range(base, len, i, diag);
    if (EFI_ERROR(st)) return st;
    for (uint64_t j = 0; j < i; j++) {
      (void)rp_read_u64(r, 8 + j * RP_PRM_MMIO_RANGE_SIZE, &bj);
      (void)rp_read_u32(r, 8 + j * RP_PRM_MMIO_RANGE_SIZE + 16, &lj);
      if (overlap(bj, lj, base, len)) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRM_MMIO_OVERLAP, i);
    }
  }
  if (count != NULL) *count = n;
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}

EFI_STATUS rp_prm_mmio_build(rp_mbytes out, const uint64_t *phys, const uint32_t *len, uint64_t n, rp_diag *diag) {
  uint64_t need;
  if (out.ptr == NULL || ((phys == NULL || len == NULL) && n != 0))
    RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  if (!rp_prm_mmio_size(n, &need)) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRM_MMIO_COUNT, n);
  if (need > out.len) RP_REJECT(diag, EFI_BUFFER_TOO_SMALL, BUFFER_TOO_SMALL, need);
  EFI_STATUS st = check_ranges(phys, len, n, diag);
  if (EFI_ERROR(st)) return st;
  (void)rp_write_u64(out, 0, n);
  for (uint64_t i = 0; i < n; i++) {
    uint64_t o = 8 + i * RP_PRM_MMIO_RANGE_SIZE;
    (void)rp_write_u64(out, o, phys[i]);
    (void)rp_write_u64(out, o + 8, phys[i]);
    (void)rp_write_u32(out, o + 16, len[i]);
  }
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}

/* PrmConfigDxe's virtual-address-change step: VirtualBaseAddress =
 * ConvertPointer(PhysicalBaseAddress); PhysicalBaseAddress is kept. */
EFI_STATUS rp_prm_mmio_convert(rp_mbytes ranges, rp_prm_convert_fn convert, void *ctx, rp_diag *diag) {
  uint64_t n = 0;
  rp_bytes r = rp_bytes_const(ranges);
  if (convert == NULL) RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  EFI_STATUS st = rp_prm_mmio_validate(r, &n, diag);
  if (EFI_ERROR(st)) return st;
  for (uint64_t i = 0; i < n; i++) { /* pass 1: every conversion must succeed */
    uint64_t a = 0;
    (void)rp_read_u64(r, 8 + i * RP_PRM_MMIO_RANGE_SIZE, &a);
    if (EFI_ERROR(convert(ctx, &a))) RP_REJECT(diag, EFI_NOT_FOUND, PRM_MMIO_CONVERT, i);
  }
  for (uint64_t i = 0; i < n; i++) { /* pass 2: write */
    uint64_t a = 0, o = 8 + i * RP_PRM_MMIO_RANGE_SIZE;
    (void)rp_read_u64(r, o, &a);
    if (EFI_ERROR(convert(ctx, &a))) RP_REJECT(diag, EFI_NOT_FOUND, PRM_MMIO_CONVERT, i);
    (void)rp_write_u64(ranges, o + 8, a);
  }
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}

EFI_STATUS rp_prm_acpi_param_lookup(const ACPI_PARAMETER_BUFFER_DESCRIPTOR *d, uint64_t n, const EFI_GUID *handler,
                                    uint64_t *address, rp_diag *diag) {
  uint64_t found = 0;
  bool have = false;
  if (handler == NULL || address == NULL || (d == NULL && n != 0))
    RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  for (uint64_t i = 0; i < n; i++) {
    EFI_GUID g = d[i].HandlerGuid;
    uint64_t a = d[i].AcpiParameterBufferAddress;
    if (rp_guid_is_zero(&g) || a == 0 || !rp_guid_equal(&g, handler)) continue; /* unused or other */
    if (have) RP_REJECT(diag, EFI_INVALID_PARAMETER, PRM_ACPI_PARAM_DUPLICATE, i);
    have = true;
    found = a;
  }
  *address = found;
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}
