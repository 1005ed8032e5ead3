/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Memory-map conformance cases (requirements/memmap.json, MM-xxx).
 * Each row builds a map from descriptors at a given stride, runs
 * rp_memmap_validate, and checks the status/reason/index and that the map
 * bytes were not written (MM-018); accepted maps also check the summary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"
#include "rtprm/crc32.h"
#include "rtprm/memmap.h"

typedef struct {
  uint32_t type;
  uint64_t phys, virt, pages, attr;
} mm_desc;

typedef struct {
  const mm_desc *descs;
  size_t   n;
  uint32_t desc_size;      /* stride */
  uint32_t version;
  int64_t  map_size_delta; /* MemoryMapSize = n * desc_size + delta */
  int64_t  buf_len_delta;  /* buffer length = n * desc_size + delta */
  bool     null_map;
  uint32_t flags;
  uint64_t expect_count, expect_runtime, expect_runtime_pages; /* on success */
} mm_input;

#define RT  EFI_MEMORY_RUNTIME
#define WB  EFI_MEMORY_WB
#define KVA 0xFFFF800000000000ull /* a typical kernel virtual base */
#define D(t, p, v, n, a) { (t), (p), (v), (n), (a) }

/* ---- maps ------------------------------------------------------------- */
/* A small OVMF-like map: boot code/data, runtime code/data, MMIO. */
static const mm_desc map_typical[] = {
  D(EfiBootServicesCode, 0x00100000, 0, 0x10, WB),
  D(EfiRuntimeServicesCode, 0x00200000, KVA + 0x00200000, 0x08, RT | WB),
  D(EfiRuntimeServicesData, 0x00208000, KVA + 0x00208000, 0x04, RT | WB),
  D(EfiConventionalMemory, 0x00300000, 0, 0x100, WB),
  D(EfiMemoryMappedIO, 0xFED00000, KVA + 0xFED00000, 0x01, RT | EFI_MEMORY_UC),
};
#define N_TYPICAL 5

static const mm_desc map_all_types[] = {
  D(EfiReservedMemoryType, 0x0000, 0, 1, 0),       D(EfiLoaderCode, 0x1000, 0, 1, WB),
  D(EfiLoaderData, 0x2000, 0, 1, WB),              D(EfiBootServicesCode, 0x3000, 0, 1, WB),
  D(EfiBootServicesData, 0x4000, 0, 1, WB),        D(EfiRuntimeServicesCode, 0x5000, 0, 1, RT),
  D(EfiRuntimeServicesData, 0x6000, 0, 1, RT),     D(EfiConventionalMemory, 0x7000, 0, 1, WB),
  D(EfiUnusableMemory, 0x8000, 0, 1, 0),           D(EfiACPIReclaimMemory, 0x9000, 0, 1, WB),
  D(EfiACPIMemoryNVS, 0xA000, 0, 1, WB),           D(EfiMemoryMappedIO, 0xB000, 0, 1, RT),
  D(EfiMemoryMappedIOPortSpace, 0xC000, 0, 1, RT), D(EfiPalCode, 0xD000, 0, 1, 0),
  D(EfiPersistentMemory, 0xE000, 0, 1, EFI_MEMORY_NV), D(EfiUnacceptedMemoryType, 0xF000, 0, 1, 0),
  D(0x70000000u, 0x10000, 0, 1, 0),                D(0x7FFFFFFFu, 0x11000, 0, 1, 0),
  D(0x80000000u, 0x12000, 0, 1, 0),                D(0xFFFFFFFFu, 0x13000, 0, 1, 0),
};
#define N_ALL_TYPES 20

static const mm_desc map_type_gap_low[] = { D(EfiMaxMemoryType, 0x1000, 0, 1, 0) };
static const mm_desc map_type_gap_high[] = { D(EfiMaxMemoryType, 0x1000, 0, 1, 0), D(0x6FFFFFFFu, 0x2000, 0, 1, 0) };
static const mm_desc map_type_gap_2nd[] = { D(EfiLoaderData, 0x1000, 0, 1, 0), D(0x6FFFFFFFu, 0x2000, 0, 1, 0) };
static const mm_desc map_phys_unaligned[] = { D(EfiLoaderData, 0x1000, 0, 1, 0), D(EfiLoaderData, 0x2001, 0, 1, 0) };
static const mm_desc map_phys_unaligned_800[] = { D(EfiLoaderData, 0x800, 0, 1, 0) };
static const mm_desc map_zero_pages[] = { D(EfiLoaderData, 0x1000, 0, 1, 0), D(EfiBootServicesData, 0x2000, 0, 0, 0) };
static const mm_desc map_top_page[] = { D(EfiReservedMemoryType, 0xFFFFFFFFFFFFF000ull, 0, 1, 0) };
static const mm_desc map_phys_overflow[] = { D(EfiReservedMemoryType, 0xFFFFFFFFFFFFF000ull, 0, 2, 0) };
static const mm_desc map_pages_huge[] = { D(EfiReservedMemoryType, 0x1000, 0, 0x0010000000000000ull, 0) };
static const mm_desc map_pages_max_fit[] = { D(EfiReservedMemoryType, 0, 0, 0x0010000000000000ull, 0) };
static const mm_desc map_overlap_partial[] = {
  D(EfiLoaderData, 0x10000, 0, 4, 0), D(EfiLoaderCode, 0x20000, 0, 1, 0), D(EfiBootServicesData, 0x13000, 0, 2, 0),
};
static const mm_desc map_overlap_contained[] = { D(EfiLoaderData, 0x10000, 0, 16, 0), D(EfiLoaderCode, 0x14000, 0, 1, 0) };
static const mm_desc map_overlap_duplicate[] = { D(EfiLoaderData, 0x10000, 0, 1, 0), D(EfiLoaderData, 0x10000, 0, 1, 0) };
static const mm_desc map_adjacent[] = {
  D(EfiLoaderData, 0x10000, 0, 4, 0), D(EfiLoaderCode, 0x14000, 0, 1, 0), D(EfiLoaderCode, 0x0F000, 0, 1, 0),
};
static const mm_desc map_unsorted[] = {
  D(EfiConventionalMemory, 0x900000, 0, 16, WB), D(EfiLoaderCode, 0x100000, 0, 1, 0), D(EfiLoaderCode, 0x500000, 0, 2, 0),
};

/* Virtual-map rows (SetVirtualAddressMap input). */
static const mm_desc vmap_good[] = {
  D(EfiRuntimeServicesCode, 0x200000, KVA + 0x200000, 8, RT | WB),
  D(EfiRuntimeServicesData, 0x208000, KVA + 0x100000, 4, RT | WB), /* per-region deltas differ */
  D(EfiMemoryMappedIO, 0xFED00000, KVA + 0x40000000, 1, RT | EFI_MEMORY_UC),
};
static const mm_desc vmap_virt_unaligned[] = {
  D(EfiRuntimeServicesCode, 0x200000, KVA + 0x200000, 8, RT), D(EfiRuntimeServicesData, 0x208000, KVA + 0x208010, 4, RT),
};
static const mm_desc vmap_virt_overflow[] = { D(EfiRuntimeServicesCode, 0x200000, 0xFFFFFFFFFFFFE000ull, 3, RT) };
static const mm_desc vmap_virt_top[] = { D(EfiRuntimeServicesCode, 0x200000, 0xFFFFFFFFFFFFE000ull, 2, RT) };
static const mm_desc vmap_virt_overlap[] = {
  D(EfiRuntimeServicesCode, 0x200000, KVA, 8, RT), D(EfiRuntimeServicesData, 0x300000, KVA + 0x7000, 2, RT),
};
/* A non-runtime descriptor with a garbage VirtualStart must not matter. */
static const mm_desc vmap_nonrt_garbage_virt[] = {
  D(EfiBootServicesData, 0x100000, 0x123, 4, WB), D(EfiRuntimeServicesData, 0x200000, KVA, 1, RT),
  D(EfiBootServicesCode, 0x400000, KVA, 4, WB), /* same VA as the runtime one: not a runtime overlap */
};
/* Xen-style: non-runtime entries with invalid physical fields too. */
static const mm_desc vmap_xen_style[] = {
  D(EfiConventionalMemory, 0x100001, 0xFFFFFFFFFFFFFFFFull, 0, WB), D(EfiRuntimeServicesCode, 0x200000, KVA, 8, RT),
  D(0x12345678u, 0x200000, 0, 8, 0), /* overlaps the runtime run physically, but not in scope */
  D(EfiRuntimeServicesData, 0x300000, KVA + 0x100000, 4, RT),
};
static const mm_desc vmap_rt_overlap_phys[] = {
  D(EfiBootServicesData, 0x200000, 0, 8, 0), D(EfiRuntimeServicesCode, 0x200000, KVA, 8, RT),
  D(EfiRuntimeServicesData, 0x204000, KVA + 0x100000, 2, RT),
};
/* Precedence: descriptor 0 overlaps descriptor 2, descriptor 1 is unaligned. */
static const mm_desc map_precedence[] = {
  D(EfiLoaderData, 0x10000, 0, 4, 0), D(EfiLoaderData, 0x20010, 0, 1, 0), D(EfiLoaderData, 0x11000, 0, 1, 0),
};
/* Precedence: physical overlap reported before a virtual overlap. */
static const mm_desc vmap_phys_before_virt[] = {
  D(EfiRuntimeServicesCode, 0x200000, KVA, 8, RT), D(EfiRuntimeServicesData, 0x300000, KVA, 1, RT),
  D(EfiRuntimeServicesData, 0x201000, KVA + 0x900000, 1, RT),
};

/* ---- exec --------------------------------------------------------------- */

static void put_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put_u64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* Serialises the rows at the input's stride; padding bytes hold 0xA5. */
static uint8_t *build_map(const mm_input *in, size_t *buf_len) {
  int64_t len = (int64_t)(in->n * in->desc_size) + in->buf_len_delta;
  size_t alloc = len > 0 ? (size_t)len : 1;
  size_t stride = in->desc_size >= 40 ? in->desc_size : 40;
  uint8_t *buf = malloc(alloc + in->n * stride + 64); /* rows never run past the allocation */
  if (buf == NULL) return NULL;
  memset(buf, 0xA5, alloc + in->n * stride + 64);
  for (size_t i = 0; i < in->n; i++) {
    uint8_t *d = buf + i * in->desc_size;
    put_u32(d + 0, in->descs[i].type);
    memset(d + 4, 0, 4);
    put_u64(d + 8, in->descs[i].phys);
    put_u64(d + 16, in->descs[i].virt);
    put_u64(d + 24, in->descs[i].pages);
    put_u64(d + 32, in->descs[i].attr);
  }
  *buf_len = len > 0 ? (size_t)len : 0;
  return buf;
}

static void exec_memmap(const rp_case *c, rp_case_result *r) {
  const mm_input *in = c->input;
  size_t buf_len = 0;
  uint8_t *buf = build_map(in, &buf_len);
  if (buf == NULL) {
    rp_case_fail(r, "setup: out of memory");
    return;
  }
  rp_memmap m = {
    .buf = in->null_map ? rp_bytes_of(NULL, 0) : rp_bytes_of(buf, buf_len),
    .map_size = (uint64_t)((int64_t)(in->n * in->desc_size) + in->map_size_delta),
    .desc_size = in->desc_size,
    .desc_version = in->version,
  };
  uint32_t crc_before = rp_crc32(buf, buf_len);
  rp_memmap_summary sum = { 0, 0, 0, 0 };
  rp_diag d;
  rp_diag_clear(&d);
  rp_case_observe(r, rp_memmap_validate(&m, in->flags, &sum, &d), &d);
  if (rp_crc32(buf, buf_len) != crc_before) rp_case_fail(r, "the validator wrote to the map (MM-018)");
  if (!EFI_ERROR(r->status) &&
      (sum.count != in->expect_count || sum.runtime_count != in->expect_runtime ||
       sum.runtime_pages != in->expect_runtime_pages)) {
    rp_case_fail(r, "summary count=%llu runtime=%llu pages=%llu, expected %llu/%llu/%llu",
                 (unsigned long long)sum.count, (unsigned long long)sum.runtime_count,
                 (unsigned long long)sum.runtime_pages, (unsigned long long)in->expect_count,
                 (unsigned long long)in->expect_runtime, (unsigned long long)in->expect_runtime_pages);
  }
  free(buf);
}

/* ---- the table ------------------------------------------------------------ */

#define IN(...) (&(const mm_input){ __VA_ARGS__ })
#define MAP(rows) .descs = (rows), .n = sizeof(rows) / sizeof((rows)[0])
#define OK(cnt, rt, pages) .expect_count = (cnt), .expect_runtime = (rt), .expect_runtime_pages = (pages)
#define PASS EFI_SUCCESS, RP_R_NONE, RP_DIAG_NO_INDEX
#define BAD(reason, index) EFI_INVALID_PARAMETER, RP_R_##reason, (index)
#define NOIDX RP_DIAG_NO_INDEX
#define V1 .version = 1
#define VIRT .flags = RP_MEMMAP_CHECK_VIRTUAL
#define SVAM .flags = RP_MEMMAP_CHECK_VIRTUAL | RP_MEMMAP_RUNTIME_ONLY

static const rp_case memmap_cases[] = {
  /* header */
  { "MM-C-001", "MM-001", "NULL map pointer is rejected", BAD(MEMMAP_NULL, NOIDX),
    IN(MAP(map_typical), .desc_size = 48, V1, .null_map = true), NULL },
  { "MM-C-002", "MM-002", "DescriptorVersion 0 is rejected", BAD(MEMMAP_VERSION, NOIDX),
    IN(MAP(map_typical), .desc_size = 48, .version = 0), NULL },
  { "MM-C-003", "MM-002", "DescriptorVersion 2 is rejected", BAD(MEMMAP_VERSION, NOIDX),
    IN(MAP(map_typical), .desc_size = 48, .version = 2), NULL },
  { "MM-C-004", "MM-002", "DescriptorVersion 0xFFFFFFFF is rejected", BAD(MEMMAP_VERSION, NOIDX),
    IN(MAP(map_typical), .desc_size = 48, .version = 0xFFFFFFFFu), NULL },
  { "MM-C-005", "MM-003", "DescriptorSize 32 (< 40) is rejected", BAD(MEMMAP_DESC_SIZE_SMALL, NOIDX),
    IN(MAP(map_typical), .desc_size = 32, V1), NULL },
  { "MM-C-006", "MM-003", "DescriptorSize 0 is rejected without dividing by it", BAD(MEMMAP_DESC_SIZE_SMALL, NOIDX),
    IN(MAP(map_typical), .desc_size = 0, V1), NULL },
  { "MM-C-007", "MM-003 MM-004", "DescriptorSize 39 is rejected as too small first", BAD(MEMMAP_DESC_SIZE_SMALL, NOIDX),
    IN(MAP(map_typical), .desc_size = 39, V1), NULL },
  { "MM-C-008", "MM-004", "DescriptorSize 44 (not a multiple of 8) is rejected", BAD(MEMMAP_DESC_SIZE_ALIGN, NOIDX),
    IN(MAP(map_typical), .desc_size = 44, V1), NULL },
  { "MM-C-009", "MM-004", "DescriptorSize 41 is rejected", BAD(MEMMAP_DESC_SIZE_ALIGN, NOIDX),
    IN(MAP(map_typical), .desc_size = 41, V1), NULL },
  { "MM-C-010", "MM-005 MM-020", "DescriptorSize 40 (no padding) is accepted", PASS,
    IN(MAP(map_typical), .desc_size = 40, V1, OK(5, 3, 13)), NULL },
  { "MM-C-011", "MM-005 MM-020", "DescriptorSize 48 (EDK II x64 padding) is accepted", PASS,
    IN(MAP(map_typical), .desc_size = 48, V1, OK(5, 3, 13)), NULL },
  { "MM-C-012", "MM-005", "DescriptorSize 56 is stepped by the caller's stride", PASS,
    IN(MAP(map_typical), .desc_size = 56, V1, OK(5, 3, 13)), NULL },
  { "MM-C-013", "MM-005", "DescriptorSize 4096 is stepped by the caller's stride", PASS,
    IN(MAP(map_typical), .desc_size = 4096, V1, OK(5, 3, 13)), NULL },
  { "MM-C-014", "MM-006", "MemoryMapSize one byte past a whole descriptor is rejected", BAD(MEMMAP_SIZE_NOT_MULTIPLE, NOIDX),
    IN(MAP(map_typical), .desc_size = 48, V1, .map_size_delta = 1, .buf_len_delta = 1), NULL },
  { "MM-C-015", "MM-006", "MemoryMapSize one byte short of a whole descriptor is rejected", BAD(MEMMAP_SIZE_NOT_MULTIPLE, NOIDX),
    IN(MAP(map_typical), .desc_size = 48, V1, .map_size_delta = -1), NULL },
  { "MM-C-016", "MM-006", "MemoryMapSize 40 with DescriptorSize 48 is rejected", BAD(MEMMAP_SIZE_NOT_MULTIPLE, NOIDX),
    IN(MAP(map_typical), .desc_size = 48, V1, .map_size_delta = 40 - 5 * 48), NULL },
  { "MM-C-017", "MM-007", "MemoryMapSize larger than the buffer by one descriptor is rejected", BAD(MEMMAP_SIZE_EXCEEDS_BUF, NOIDX),
    IN(MAP(map_typical), .desc_size = 48, V1, .buf_len_delta = -48), NULL },
  { "MM-C-018", "MM-007", "MemoryMapSize larger than the buffer by one byte is rejected", BAD(MEMMAP_SIZE_EXCEEDS_BUF, NOIDX),
    IN(MAP(map_typical), .desc_size = 48, V1, .buf_len_delta = -1), NULL },
  { "MM-C-019", "MM-007", "A huge MemoryMapSize (2^62) over a small buffer is rejected", BAD(MEMMAP_SIZE_EXCEEDS_BUF, NOIDX),
    IN(MAP(map_typical), .desc_size = 64, V1, .map_size_delta = (int64_t)(0x4000000000000000ull - 5 * 64)), NULL },
  { "MM-C-020", "MM-008", "8193 descriptors exceed the bound", EFI_UNSUPPORTED, RP_R_MEMMAP_TOO_MANY, NOIDX,
    IN(.descs = map_typical, .n = 0, .desc_size = 40, V1, .map_size_delta = 8193 * 40, .buf_len_delta = 8193 * 40), NULL },
  { "MM-C-021", "MM-020", "An empty map (MemoryMapSize 0) is accepted", PASS,
    IN(.descs = map_typical, .n = 0, .desc_size = 48, V1, OK(0, 0, 0)), NULL },
  /* descriptor fields */
  { "MM-C-022", "MM-009 MM-020", "Every defined type and the OEM/OS range ends are accepted", PASS,
    IN(MAP(map_all_types), .desc_size = 48, V1, OK(20, 4, 4)), NULL },
  { "MM-C-023", "MM-009", "Type EfiMaxMemoryType (16) is rejected", BAD(MEMMAP_TYPE_INVALID, 0),
    IN(MAP(map_type_gap_low), .desc_size = 48, V1), NULL },
  { "MM-C-024", "MM-009", "Type 0x6FFFFFFF (below the OEM range) is rejected", BAD(MEMMAP_TYPE_INVALID, 1),
    IN(MAP(map_type_gap_2nd), .desc_size = 48, V1), NULL },
  { "MM-C-025", "MM-009 MM-019", "The first invalid type in map order is reported", BAD(MEMMAP_TYPE_INVALID, 0),
    IN(MAP(map_type_gap_high), .desc_size = 48, V1), NULL },
  { "MM-C-026", "MM-010", "PhysicalStart 0x2001 is rejected", BAD(MEMMAP_PHYS_UNALIGNED, 1),
    IN(MAP(map_phys_unaligned), .desc_size = 48, V1), NULL },
  { "MM-C-027", "MM-010", "PhysicalStart 0x800 (2 KiB aligned) is rejected", BAD(MEMMAP_PHYS_UNALIGNED, 0),
    IN(MAP(map_phys_unaligned_800), .desc_size = 40, V1), NULL },
  { "MM-C-028", "MM-011", "NumberOfPages 0 is rejected", BAD(MEMMAP_ZERO_PAGES, 1),
    IN(MAP(map_zero_pages), .desc_size = 48, V1), NULL },
  { "MM-C-029", "MM-012", "A one-page region at 0xFFFFFFFFFFFFF000 (ends at the top) is accepted", PASS,
    IN(MAP(map_top_page), .desc_size = 48, V1, OK(1, 0, 0)), NULL },
  { "MM-C-030", "MM-012", "Two pages at 0xFFFFFFFFFFFFF000 overflow", BAD(MEMMAP_PHYS_OVERFLOW, 0),
    IN(MAP(map_phys_overflow), .desc_size = 48, V1), NULL },
  { "MM-C-031", "MM-012", "NumberOfPages 2^52 from 0x1000 overflows (page count * 4096 does not fit)", BAD(MEMMAP_PHYS_OVERFLOW, 0),
    IN(MAP(map_pages_huge), .desc_size = 48, V1), NULL },
  { "MM-C-032", "MM-012", "NumberOfPages 2^52 from 0 covers exactly the 64-bit space and is accepted", PASS,
    IN(MAP(map_pages_max_fit), .desc_size = 48, V1, OK(1, 0, 0)), NULL },
  /* overlaps */
  { "MM-C-033", "MM-013", "A partial physical overlap is rejected at the later descriptor", BAD(MEMMAP_PHYS_OVERLAP, 2),
    IN(MAP(map_overlap_partial), .desc_size = 48, V1), NULL },
  { "MM-C-034", "MM-013", "A contained physical range is rejected", BAD(MEMMAP_PHYS_OVERLAP, 1),
    IN(MAP(map_overlap_contained), .desc_size = 48, V1), NULL },
  { "MM-C-035", "MM-013", "A duplicated descriptor is rejected", BAD(MEMMAP_PHYS_OVERLAP, 1),
    IN(MAP(map_overlap_duplicate), .desc_size = 40, V1), NULL },
  { "MM-C-036", "MM-013 MM-020", "Adjacent ranges (end == next start) do not overlap", PASS,
    IN(MAP(map_adjacent), .desc_size = 48, V1, OK(3, 0, 0)), NULL },
  { "MM-C-037", "MM-020", "An unsorted but disjoint map is accepted", PASS,
    IN(MAP(map_unsorted), .desc_size = 48, V1, OK(3, 0, 0)), NULL },
  /* virtual map */
  { "MM-C-038", "MM-014 MM-020", "A virtual map with per-region deltas is accepted", PASS,
    IN(MAP(vmap_good), .desc_size = 48, V1, VIRT, OK(3, 3, 13)), NULL },
  { "MM-C-039", "MM-014", "An unaligned runtime VirtualStart is rejected", BAD(MEMMAP_VIRT_UNALIGNED, 1),
    IN(MAP(vmap_virt_unaligned), .desc_size = 48, V1, VIRT), NULL },
  { "MM-C-040", "MM-015", "A runtime virtual range past 2^64 is rejected", BAD(MEMMAP_VIRT_OVERFLOW, 0),
    IN(MAP(vmap_virt_overflow), .desc_size = 48, V1, VIRT), NULL },
  { "MM-C-041", "MM-015", "A runtime virtual range ending exactly at 2^64 is accepted", PASS,
    IN(MAP(vmap_virt_top), .desc_size = 48, V1, VIRT, OK(1, 1, 2)), NULL },
  { "MM-C-042", "MM-016", "Two runtime ranges overlapping virtually are rejected", BAD(MEMMAP_VIRT_OVERLAP, 1),
    IN(MAP(vmap_virt_overlap), .desc_size = 48, V1, VIRT), NULL },
  { "MM-C-043", "MM-014 MM-016", "A non-runtime descriptor's VirtualStart is not checked in a virtual map", PASS,
    IN(MAP(vmap_nonrt_garbage_virt), .desc_size = 48, V1, VIRT, OK(3, 1, 1)), NULL },
  { "MM-C-044", "MM-021", "Without the virtual policy an overflowing VirtualStart is not checked", PASS,
    IN(MAP(vmap_virt_overflow), .desc_size = 48, V1, OK(1, 1, 3)), NULL },
  { "MM-C-045", "MM-021", "Without the virtual policy overlapping VirtualStarts are accepted", PASS,
    IN(MAP(vmap_virt_overlap), .desc_size = 48, V1, OK(2, 2, 10)), NULL },
  { "MM-C-046", "MM-017", "Runtime-only: Xen-style non-runtime garbage is ignored", PASS,
    IN(MAP(vmap_xen_style), .desc_size = 48, V1, SVAM, OK(4, 2, 12)), NULL },
  { "MM-C-047", "MM-017", "Without runtime-only the same Xen-style map is rejected", BAD(MEMMAP_PHYS_UNALIGNED, 0),
    IN(MAP(vmap_xen_style), .desc_size = 48, V1, VIRT), NULL },
  { "MM-C-048", "MM-017 MM-013", "Runtime-only: a runtime overlap is still caught", BAD(MEMMAP_PHYS_OVERLAP, 2),
    IN(MAP(vmap_rt_overlap_phys), .desc_size = 48, V1, SVAM), NULL },
  { "MM-C-049", "MM-013", "A boot-services range overlapping a runtime range is caught without runtime-only", BAD(MEMMAP_PHYS_OVERLAP, 1),
    IN(MAP(vmap_rt_overlap_phys), .desc_size = 48, V1, VIRT), NULL },
  /* precedence */
  { "MM-C-050", "MM-019", "A per-descriptor error wins over an earlier-indexed overlap", BAD(MEMMAP_PHYS_UNALIGNED, 1),
    IN(MAP(map_precedence), .desc_size = 48, V1), NULL },
  { "MM-C-051", "MM-019", "A header error wins over descriptor errors", BAD(MEMMAP_VERSION, NOIDX),
    IN(MAP(map_precedence), .desc_size = 48, .version = 7), NULL },
  { "MM-C-052", "MM-019 MM-013 MM-016", "Physical overlaps are reported before virtual overlaps", BAD(MEMMAP_PHYS_OVERLAP, 2),
    IN(MAP(vmap_phys_before_virt), .desc_size = 48, V1, VIRT), NULL },
  { "MM-C-053", "MM-018 MM-020", "The OVMF-like map validates as a virtual map too", PASS,
    IN(MAP(map_typical), .desc_size = 48, V1, VIRT, OK(5, 3, 13)), NULL },
};

const rp_case_group rp_group_memmap = {
  "memmap", memmap_cases, sizeof(memmap_cases) / sizeof(memmap_cases[0]), exec_memmap,
};
