/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* Host DXE-core + OS model around the Runtime AP provider (dxe_model.h). */
#include "dxe_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtprm/crc32.h"
#include "rtprm/platform.h"

#define GIB (1ull << 30)

static const uint32_t region_type[DM_R_COUNT] = { EfiRuntimeServicesCode, EfiRuntimeServicesData,
                                                  EfiBootServicesData };

static void list_init(EFI_LIST_ENTRY *h) { h->ForwardLink = h->BackLink = h; }

static void insert_tail(EFI_LIST_ENTRY *head, EFI_LIST_ENTRY *n) {
  n->ForwardLink = head;
  n->BackLink = head->BackLink;
  head->BackLink->ForwardLink = n;
  head->BackLink = n;
}

void *dm_alloc(dm_model *m, int region, size_t size, size_t align) {
  dm_region *r = &m->r[region];
  uintptr_t base = (uintptr_t)r->base, p;
  if (r->base == NULL || align == 0) return NULL;
  p = (base + r->used + align - 1) & ~(uintptr_t)(align - 1);
  if (size > r->pages * EFI_PAGE_SIZE || p - base > r->pages * EFI_PAGE_SIZE - size) return NULL;
  r->used = p - base + size;
  return (void *)p;
}

static void add_desc(dm_model *m, uint32_t type, uint64_t attr, uint64_t phys, uint64_t pages) {
  dm_desc d = { type, attr, phys, pages, 0, false };
  m->d[m->nd++] = d;
}

static void build_descs(dm_model *m) {
  const uint64_t rt = EFI_MEMORY_RUNTIME | EFI_MEMORY_WB;
  const dm_region *c = &m->r[DM_R_CODE];
  if (m->split_code > 0 && m->split_code < c->pages) {
    add_desc(m, EfiRuntimeServicesCode, rt, (uintptr_t)c->base, m->split_code);
    add_desc(m, EfiRuntimeServicesData, rt, (uintptr_t)c->base + m->split_code * EFI_PAGE_SIZE,
             c->pages - m->split_code);
  } else {
    add_desc(m, EfiRuntimeServicesCode, rt, (uintptr_t)c->base, c->pages);
  }
  add_desc(m, EfiRuntimeServicesData, rt, (uintptr_t)m->r[DM_R_DATA].base, m->r[DM_R_DATA].pages);
  add_desc(m, EfiBootServicesData, EFI_MEMORY_WB, (uintptr_t)m->r[DM_R_BOOT].base, m->r[DM_R_BOOT].pages);
  add_desc(m, EfiMemoryMappedIO, EFI_MEMORY_RUNTIME | EFI_MEMORY_UC, DM_MMIO_PHYS, 1);
}

static void table_header(EFI_TABLE_HEADER *h, uint64_t sig, uint32_t size) {
  h->Signature = sig;
  h->Revision = EFI_SYSTEM_TABLE_REVISION;
  h->HeaderSize = size;
  h->Reserved = 0;
  rp_rt_table_crc(h);
}

/* gST/gRT in runtime data; service pointers aim into the first code page
 * (the provider's own code), never dereferenced by the model. */
static EFI_STATUS build_tables(dm_model *m) {
  static const CHAR16 vendor[] = { 'r', 't', 'p', 'r', 'm', 0 };
  uint8_t *own_code = dm_alloc(m, DM_R_CODE, EFI_PAGE_SIZE, EFI_PAGE_SIZE);
  CHAR16 *v = dm_alloc(m, DM_R_DATA, sizeof(vendor), 8);
  EFI_CONFIGURATION_TABLE *cfg = dm_alloc(m, DM_R_DATA, 2 * sizeof(*cfg), 8);
  m->rs = dm_alloc(m, DM_R_DATA, sizeof(*m->rs), 8);
  m->st = dm_alloc(m, DM_R_DATA, sizeof(*m->st), 8);
  if (own_code == NULL || v == NULL || cfg == NULL || m->rs == NULL || m->st == NULL) return EFI_OUT_OF_RESOURCES;
  memcpy(v, vendor, sizeof(vendor));
  memset(cfg, 0, 2 * sizeof(*cfg));
  cfg[0].VendorTable = v;
  memset(m->rs, 0, sizeof(*m->rs));
  uintptr_t *slots = (uintptr_t *)((uint8_t *)m->rs + sizeof(EFI_TABLE_HEADER));
  for (size_t i = 0; i < 14; i++) slots[i] = (uintptr_t)own_code + 0x10 * (i + 1);
  table_header(&m->rs->Hdr, EFI_RUNTIME_SERVICES_SIGNATURE, sizeof(*m->rs));
  memset(m->st, 0, sizeof(*m->st));
  m->st->FirmwareVendor = v;
  m->st->RuntimeServices = m->rs;
  m->st->NumberOfTableEntries = 2;
  m->st->ConfigurationTable = cfg;
  m->st->BootServices = (EFI_BOOT_SERVICES *)(uintptr_t)0xB5B5B000u; /* NULLed at ExitBootServices */
  table_header(&m->st->Hdr, EFI_SYSTEM_TABLE_SIGNATURE, sizeof(*m->st));
  return EFI_SUCCESS;
}

EFI_STATUS dm_init(dm_model *m, const dm_config *cfg) {
  const size_t def[DM_R_COUNT] = { 256, 64, 4 };
  memset(m, 0, sizeof(*m));
  list_init(&m->tmpl_images);
  list_init(&m->tmpl_events);
  m->image_head = &m->tmpl_images;
  m->event_head = &m->tmpl_events;
  for (int i = 0; i < DM_R_COUNT; i++) {
    size_t want = cfg ? (i == DM_R_CODE ? cfg->code_pages : i == DM_R_DATA ? cfg->data_pages : cfg->boot_pages) : 0;
    EFI_PHYSICAL_ADDRESS a;
    m->r[i].pages = want ? want : def[i];
    m->r[i].type = region_type[i];
    if (EFI_ERROR(rp_plat_alloc_pages(region_type[i], m->r[i].pages, &a))) return EFI_OUT_OF_RESOURCES;
    m->r[i].base = (uint8_t *)(uintptr_t)a;
    memset(m->r[i].base, 0, m->r[i].pages * EFI_PAGE_SIZE);
  }
  m->split_code = cfg ? cfg->split_code : 0;
  build_descs(m);
  return build_tables(m);
}

void dm_destroy(dm_model *m) {
  for (size_t i = 0; i < m->n_img; i++) free(m->img[i].file);
  rp_rt_destroy(m->rt);
  for (int i = 0; i < DM_R_COUNT; i++) {
    if (m->r[i].base != NULL) rp_plat_free_pages((uintptr_t)m->r[i].base, m->r[i].pages);
  }
  memset(m, 0, sizeof(*m));
}

/* GenericProtocolNotify (runtime.md §1.3): switch to the new protocol and
 * move every template node onto its heads, in order. */
static void move_nodes(EFI_LIST_ENTRY *from, EFI_LIST_ENTRY *to) {
  EFI_LIST_ENTRY *n = from->ForwardLink;
  while (n != from) {
    EFI_LIST_ENTRY *next = n->ForwardLink;
    insert_tail(to, n);
    n = next;
  }
  list_init(from);
}

EFI_STATUS dm_install_protocol(dm_model *m) {
  rp_rt_config cfg = { m->st, 0 };
  EFI_STATUS st = rp_rt_create(&cfg, &m->rt, NULL);
  if (EFI_ERROR(st)) return st;
  move_nodes(&m->tmpl_images, &m->rt->proto.ImageHead);
  move_nodes(&m->tmpl_events, &m->rt->proto.EventHead);
  m->image_head = &m->rt->proto.ImageHead;
  m->event_head = &m->rt->proto.EventHead;
  rp_rt_table_crc(&m->rs->Hdr);
  rp_rt_table_crc(&m->st->Hdr);
  return EFI_SUCCESS;
}

/* CoreLoadPeImage for a runtime driver: load, FixupData from runtime pool
 * (not zeroed: filled with garbage), relocate recording EDK II data, then
 * the entry. */
static EFI_STATUS load_at(dm_model *m, const uint8_t *file, size_t len, dm_image *out) {
  rp_pe_image img, mapped;
  uint64_t need = 0;
  EFI_STATUS st = rp_pe_parse(rp_bytes_of(file, len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &img, NULL);
  if (EFI_ERROR(st)) return st;
  size_t align = img.section_alignment > EFI_PAGE_SIZE ? img.section_alignment : EFI_PAGE_SIZE;
  uint8_t *dest = dm_alloc(m, DM_R_CODE, img.size_of_image, align);
  if (dest == NULL) return EFI_OUT_OF_RESOURCES;
  rp_mbytes image = rp_mbytes_of(dest, img.size_of_image);
  st = rp_pe_load(&img, image, NULL);
  if (!EFI_ERROR(st)) st = rp_pe_parse(rp_bytes_const(image), RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT, &mapped, NULL);
  if (!EFI_ERROR(st)) st = rp_pe_fixup_size(&mapped, RP_FIXUP_EDK2, &need, NULL);
  if (EFI_ERROR(st)) return st;
  uint8_t *rec = need ? dm_alloc(m, DM_R_DATA, (size_t)need, 8) : NULL;
  EFI_RUNTIME_IMAGE_ENTRY *e = dm_alloc(m, DM_R_DATA, sizeof(*e), 8);
  if ((need && rec == NULL) || e == NULL) return EFI_OUT_OF_RESOURCES;
  if (rec) memset(rec, 0xAF, (size_t)need);
  st = rp_pe_relocate(&mapped, image, (uintptr_t)dest, RP_FIXUP_EDK2, rp_mbytes_of(rec, (size_t)need), &out->load,
                      NULL);
  if (EFI_ERROR(st)) return st;
  e->ImageBase = dest;
  e->ImageSize = img.size_of_image;
  e->RelocationData = rec;
  e->Handle = (EFI_HANDLE)(uintptr_t)(0x1000 + m->n_img);
  out->entry = e;
  out->size = img.size_of_image;
  return EFI_SUCCESS;
}

EFI_STATUS dm_load_image(dm_model *m, const uint8_t *file, size_t len, size_t *index) {
  dm_image *di;
  if (m->n_img >= DM_MAX_IMAGES) return EFI_OUT_OF_RESOURCES;
  di = &m->img[m->n_img];
  memset(di, 0, sizeof(*di));
  EFI_STATUS st = load_at(m, file, len, di);
  if (EFI_ERROR(st)) return st;
  di->file = malloc(len ? len : 1);
  if (di->file == NULL) return EFI_OUT_OF_RESOURCES;
  memcpy(di->file, file, len);
  di->file_len = len;
  insert_tail(m->image_head, &di->entry->Link);
  if (index) *index = m->n_img;
  m->n_img++;
  return EFI_SUCCESS;
}

EFI_STATUS dm_load_image_file(dm_model *m, const char *path, size_t *index) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return EFI_NOT_FOUND;
  uint8_t *buf = malloc(1u << 22);
  size_t n = buf ? fread(buf, 1, 1u << 22, f) : 0;
  fclose(f);
  EFI_STATUS st = buf ? dm_load_image(m, buf, n, index) : EFI_OUT_OF_RESOURCES;
  free(buf);
  return st;
}

static VOID EFIAPI dm_notify(EFI_EVENT event, VOID *context) {
  dm_event_ctx *c = context;
  c->calls++;
  c->order = ++c->m->calls;
  c->seen = event;
  if (c->slot_phys != NULL) c->convert_status = rp_rt_convert_pointer(c->m->rt, 0, &c->slot, NULL);
}

/* CoreCreateEventInternal: the VA-change group is the VA-change type; with
 * a group the two signal types are invalid; runtime events are registered. */
EFI_STATUS dm_create_event(dm_model *m, uint32_t type, const EFI_GUID *group, bool convert_slot, size_t *index) {
  static const EFI_GUID vac = RP_GUID_EVENT_GROUP_VIRTUAL_ADDRESS_CHANGE;
  if (group != NULL) {
    if (type == EVT_SIGNAL_EXIT_BOOT_SERVICES || type == EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE)
      return EFI_INVALID_PARAMETER;
    if (memcmp(group, &vac, sizeof(vac)) == 0) type = EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE;
  }
  if (m->n_ev >= DM_MAX_EVENTS) return EFI_OUT_OF_RESOURCES;
  dm_event *ev = &m->ev[m->n_ev];
  memset(ev, 0, sizeof(*ev));
  ev->type = type;
  ev->ctx = dm_alloc(m, DM_R_DATA, sizeof(dm_event_ctx), 8);
  if (ev->ctx == NULL) return EFI_OUT_OF_RESOURCES;
  memset(ev->ctx, 0, sizeof(*ev->ctx));
  ev->ctx->m = m;
  if (convert_slot) ev->ctx->slot = ev->ctx->slot_phys = ev->ctx; /* a runtime-data pointer */
  if (type & EVT_RUNTIME) {
    ev->ievent = dm_alloc(m, DM_R_DATA, 64, 8);
    ev->entry = dm_alloc(m, DM_R_DATA, sizeof(*ev->entry), 8);
    if (ev->ievent == NULL || ev->entry == NULL) return EFI_OUT_OF_RESOURCES;
    memset(ev->ievent, 0, 64);
    ev->entry->Type = type;
    ev->entry->NotifyTpl = TPL_NOTIFY;
    ev->entry->NotifyFunction = dm_notify;
    ev->entry->NotifyContext = ev->ctx;
    ev->entry->Event = (EFI_EVENT *)ev->ievent; /* value semantics */
    insert_tail(m->event_head, &ev->entry->Link);
  }
  if (index) *index = m->n_ev;
  m->n_ev++;
  return EFI_SUCCESS;
}

static void put_desc(uint8_t *p, const dm_desc *d, uint64_t virt) {
  EFI_MEMORY_DESCRIPTOR e = { d->type, d->phys, virt, d->pages, d->attr };
  memcpy(p, &e, sizeof(e));
}

/* CoreExitBootServices: the map (optionally recorded in the protocol), the
 * non-runtime gST fields NULLed, AtRuntime = TRUE as the very last step. */
EFI_STATUS dm_exit_boot_services(dm_model *m, bool record_map) {
  const size_t stride = 48;
  uint8_t *map = dm_alloc(m, DM_R_DATA, m->nd * stride, 8);
  if (map == NULL) return EFI_OUT_OF_RESOURCES;
  memset(map, 0, m->nd * stride);
  for (size_t i = 0; i < m->nd; i++) put_desc(map + i * stride, &m->d[i], 0);
  m->ebs_map = (EFI_MEMORY_DESCRIPTOR *)map;
  m->ebs_map_size = m->nd * stride;
  if (m->rt == NULL) return EFI_NOT_READY;
  if (record_map) {
    m->rt->proto.MemoryMapPhysical = m->ebs_map;
    m->rt->proto.MemoryMapSize = m->ebs_map_size;
    m->rt->proto.MemoryDescriptorSize = stride;
    m->rt->proto.MemoryDesciptorVersion = EFI_MEMORY_DESCRIPTOR_VERSION;
  }
  m->st->BootServices = NULL;
  rp_rt_table_crc(&m->st->Hdr);
  m->rt->proto.AtRuntime = 1;
  return EFI_SUCCESS;
}

/* ---- OS side ------------------------------------------------------------------ */

void dm_os_assign(dm_model *m, int mode) {
  for (size_t i = 0; i < m->nd; i++) {
    /* 4 GiB apart, same offset inside a 1 GiB window: deltas differ per
     * descriptor and stay multiples of 1 GiB (any SectionAlignment). */
    m->d[i].virt = DM_KVA + (uint64_t)(i + 1) * 4 * GIB + (m->d[i].phys & (GIB - 1));
  }
  if (mode == 1 && m->split_code) m->d[1].virt = m->d[0].virt + m->d[0].pages * EFI_PAGE_SIZE;
}

size_t dm_os_vmap(const dm_model *m, uint8_t *buf, size_t cap, size_t stride, bool xen) {
  size_t n = 0;
  for (size_t i = 0; i < m->nd; i++) {
    bool rt = (m->d[i].attr & EFI_MEMORY_RUNTIME) != 0;
    if ((!rt && !xen) || m->d[i].omit) continue;
    if (stride < sizeof(EFI_MEMORY_DESCRIPTOR) || (n + 1) * stride > cap) return 0;
    memset(buf + n * stride, 0x5A, stride);
    put_desc(buf + n * stride, &m->d[i], rt ? m->d[i].virt : UINT64_MAX);
    n++;
  }
  return n * stride;
}

uint64_t dm_delta_of(const dm_model *m, uint64_t addr) {
  for (size_t i = 0; i < m->nd; i++) {
    const dm_desc *d = &m->d[i];
    if ((d->attr & EFI_MEMORY_RUNTIME) && !d->omit && addr >= d->phys && addr - d->phys < d->pages * EFI_PAGE_SIZE)
      return d->virt - d->phys;
  }
  return 0;
}

static uint64_t field(const void *table, size_t off) {
  uintptr_t v;
  memcpy(&v, (const uint8_t *)table + off, sizeof(v));
  return v;
}

/* Table pointer slots: 12 converted services, 3 gST fields, then the two
 * services that must stay physical. */
static const size_t rs_off[14] = {
  offsetof(EFI_RUNTIME_SERVICES, GetTime), offsetof(EFI_RUNTIME_SERVICES, SetTime),
  offsetof(EFI_RUNTIME_SERVICES, GetWakeupTime), offsetof(EFI_RUNTIME_SERVICES, SetWakeupTime),
  offsetof(EFI_RUNTIME_SERVICES, GetVariable), offsetof(EFI_RUNTIME_SERVICES, GetNextVariableName),
  offsetof(EFI_RUNTIME_SERVICES, SetVariable), offsetof(EFI_RUNTIME_SERVICES, GetNextHighMonotonicCount),
  offsetof(EFI_RUNTIME_SERVICES, ResetSystem), offsetof(EFI_RUNTIME_SERVICES, UpdateCapsule),
  offsetof(EFI_RUNTIME_SERVICES, QueryCapsuleCapabilities), offsetof(EFI_RUNTIME_SERVICES, QueryVariableInfo),
  offsetof(EFI_RUNTIME_SERVICES, SetVirtualAddressMap), offsetof(EFI_RUNTIME_SERVICES, ConvertPointer),
};
static const size_t st_off[3] = { offsetof(EFI_SYSTEM_TABLE, FirmwareVendor),
                                  offsetof(EFI_SYSTEM_TABLE, ConfigurationTable),
                                  offsetof(EFI_SYSTEM_TABLE, RuntimeServices) };

static void snapshot(const dm_model *m, uint64_t *out) {
  for (size_t i = 0; i < 12; i++) out[i] = field(m->rs, rs_off[i]);
  for (size_t i = 0; i < 3; i++) out[12 + i] = field(m->st, st_off[i]);
  out[15] = field(m->rs, rs_off[12]);
  out[16] = field(m->rs, rs_off[13]);
}

void dm_snapshot_tables(dm_model *m) { snapshot(m, m->fields_before); }

#define WHY(...) (snprintf(why, cap, __VA_ARGS__), false)

/* Bytes a relocation entry of this type may write (generous for the
 * instruction-pair types). */
static uint32_t site_width(unsigned type) {
  switch (type) {
  case 0: return 0;
  case 1: case 2: return 2;
  case 3: return 4;
  case 10: return 8;
  default: return 16;
  }
}

/* Marks (mask[k] = 1) the bytes where "equal to a fresh relocation" is not
 * the right expectation, reading the relocation directory itself:
 *  - every site that overlaps another site: docs/pecoff.md lets them
 *    through, and re-relocation skips the site whose value a later write
 *    changed (the EDK II rule);
 *  - every HIGH site: it holds only the upper half of an address, so two
 *    steps (load delta, then virtual delta) lose the carry out of the lower
 *    halves that one step of the summed delta would have, in EDK II too. */
static void overlap_mask(const uint8_t *img, uint32_t size, const rp_pe_image *p, uint8_t *mask) {
  uint8_t *cover = calloc(size, 1);
  uint32_t rva = p->dirs[5].rva, end = rva + p->dirs[5].size;
  if (cover == NULL) return;
  for (int pass = 0; pass < 2; pass++) {
    for (uint32_t b = rva; b + 8 <= end && b + 8 <= size;) {
      uint32_t page, bsz;
      memcpy(&page, img + b, 4);
      memcpy(&bsz, img + b + 4, 4);
      if (bsz < 8 || bsz > end - b) break;
      for (uint32_t e = b + 8; e + 2 <= b + bsz; e += 2) {
        uint16_t v;
        memcpy(&v, img + e, 2);
        uint64_t t = (uint64_t)page + (v & 0xFFFu), w = site_width(v >> 12);
        for (uint64_t k = t; k < t + w && k < size; k++) {
          if (pass == 0) cover[k] = cover[k] < 2 ? cover[k] + 1 : 2;
          else if (cover[k] > 1 || (v >> 12) == 1) memset(mask + t, 1, (size_t)((t + w < size ? t + w : size) - t));
        }
      }
      b += bsz;
    }
  }
  free(cover);
}

static bool verify_image(const dm_model *m, size_t i, char *why, size_t cap) {
  const dm_image *di = &m->img[i];
  uint64_t base = (uintptr_t)di->entry->ImageBase, nb = base + dm_delta_of(m, base);
  rp_pe_image img, mapped;
  rp_pe_reloc_stats s;
  uint8_t *fresh = aligned_alloc(EFI_PAGE_SIZE, (di->size + EFI_PAGE_SIZE - 1) & ~(size_t)(EFI_PAGE_SIZE - 1));
  uint8_t *mask = calloc(di->size, 1);
  bool ok = fresh != NULL && mask != NULL &&
            !EFI_ERROR(rp_pe_parse(rp_bytes_of(di->file, di->file_len), RP_PE_LAYOUT_FILE, RP_PE_PROFILE_COMPAT, &img, NULL)) &&
            !EFI_ERROR(rp_pe_load(&img, rp_mbytes_of(fresh, di->size), NULL)) &&
            !EFI_ERROR(rp_pe_parse(rp_bytes_of(fresh, di->size), RP_PE_LAYOUT_MAPPED, RP_PE_PROFILE_COMPAT, &mapped, NULL));
  if (ok) overlap_mask(fresh, di->size, &mapped, mask);
  ok = ok && !EFI_ERROR(rp_pe_relocate(&mapped, rp_mbytes_of(fresh, di->size), nb, RP_FIXUP_NONE,
                                       rp_mbytes_of(NULL, 0), &s, NULL));
  for (size_t k = 0; ok && k < di->size; k++) {
    if (!mask[k] && fresh[k] != ((const uint8_t *)di->entry->ImageBase)[k]) {
      snprintf(why, cap, "image %zu: byte %zu differs from a fresh relocation at 0x%llx", i, k,
               (unsigned long long)nb);
      free(fresh);
      free(mask);
      return false;
    }
  }
  free(fresh);
  free(mask);
  return ok ? true : WHY("image %zu: reference relocation failed", i);
}

static bool verify_events(const dm_model *m, char *why, size_t cap) {
  uint32_t last = 0;
  for (size_t i = 0; i < m->n_ev; i++) {
    const dm_event *ev = &m->ev[i];
    bool want = ev->entry != NULL && (ev->type & EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE) == EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE;
    if (ev->ctx->calls != (want ? 1u : 0u)) return WHY("event %zu: %u calls, expected %d", i, ev->ctx->calls, want);
    if (!want) continue;
    if (ev->ctx->seen != (EFI_EVENT)ev->ievent) return WHY("event %zu: wrong EFI_EVENT argument", i);
    if (ev->ctx->order <= last) return WHY("event %zu: called out of list order", i);
    last = ev->ctx->order;
    if (ev->ctx->slot_phys == NULL) continue;
    uint64_t p = (uintptr_t)ev->ctx->slot_phys;
    if (ev->ctx->convert_status != EFI_SUCCESS || (uintptr_t)ev->ctx->slot != p + dm_delta_of(m, p))
      return WHY("event %zu: ConvertPointer in the callback did not convert", i);
  }
  return true;
}

static bool crc_ok(const EFI_TABLE_HEADER *h) {
  EFI_TABLE_HEADER c;
  uint32_t crc = h->CRC32;
  uint8_t buf[sizeof(EFI_SYSTEM_TABLE) + sizeof(EFI_RUNTIME_SERVICES)];
  if (h->HeaderSize > sizeof(buf)) return false;
  memcpy(buf, h, h->HeaderSize);
  memcpy(&c, buf, sizeof(c));
  c.CRC32 = 0;
  memcpy(buf, &c, sizeof(c));
  return rp_crc32(buf, h->HeaderSize) == crc;
}

static bool verify_tables(const dm_model *m, char *why, size_t cap) {
  uint64_t now[RP_RT_FIELD_COUNT + 2];
  snapshot(m, now);
  for (size_t k = 0; k < RP_RT_FIELD_COUNT; k++) {
    uint64_t b = m->fields_before[k], want = b ? b + dm_delta_of(m, b) : 0;
    if (now[k] != want) return WHY("table field %zu: 0x%llx, expected 0x%llx", k, (unsigned long long)now[k],
                                   (unsigned long long)want);
  }
  if (now[15] != m->fields_before[15] || now[16] != m->fields_before[16])
    return WHY("SetVirtualAddressMap/ConvertPointer were converted");
  if (!crc_ok(&m->rs->Hdr) || !crc_ok(&m->st->Hdr)) return WHY("a table header CRC is stale");
  return true;
}

bool dm_os_verify(dm_model *m, char *why, size_t cap) {
  if (m->rt == NULL || !m->rt->proto.VirtualMode) return WHY("VirtualMode is not set");
  for (size_t i = 0; i < m->n_img; i++) {
    if (!verify_image(m, i, why, cap)) return false;
  }
  return verify_events(m, why, cap) && verify_tables(m, why, cap);
}

/* A word-at-a-time mix (regions are page multiples; the tail is bytes). */
static uint64_t mix(uint64_t h, const void *p, size_t n) {
  const uint8_t *b = p;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, b + i, 8);
    h = (h ^ w) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
  }
  for (; i < n; i++) h = (h ^ b[i]) * 0x100000001B3ull;
  return h;
}

uint64_t dm_state_hash(const dm_model *m) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (int i = 0; i < DM_R_COUNT; i++) h = mix(h, m->r[i].base, m->r[i].pages * EFI_PAGE_SIZE);
  /* The whole provider state, not just the installed protocol: a rejected
   * call must leave its scratch and counters as they were too. */
  if (m->rt != NULL) h = mix(h, m->rt, sizeof(*m->rt));
  return h;
}
