/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * The glue between EDK II's BasePeCoffLib (compiled from the cached Debian
 * source, never copied here) and edk2ref.h: the library classes
 * BasePeCoffLib calls (BaseMemoryLib, PeCoffExtraActionLib; DebugLib is
 * compiled out with MDEPKG_NDEBUG, as in a RELEASE firmware) and the
 * DXE-core-like sequence of calls. Compiled with EDK II's headers.
 */
#include <Base.h>
#include <Library/BaseMemoryLib.h>
#include <Library/PeCoffExtraActionLib.h>
#include <Library/PeCoffLib.h>

#include "edk2ref.h"

#ifndef EDK2REF_VERSION
#define EDK2REF_VERSION "unknown"
#endif

/* ---- BaseMemoryLib / PeCoffExtraActionLib (the classes BasePeCoffLib links) */

VOID *EFIAPI CopyMem(OUT VOID *Destination, IN CONST VOID *Source, IN UINTN Length) {
  return __builtin_memmove(Destination, Source, Length);
}

VOID *EFIAPI ZeroMem(OUT VOID *Buffer, IN UINTN Length) { return __builtin_memset(Buffer, 0, Length); }

VOID EFIAPI PeCoffLoaderRelocateImageExtraAction(IN OUT PE_COFF_LOADER_IMAGE_CONTEXT *ImageContext) {
  (VOID)ImageContext;
}

VOID EFIAPI PeCoffLoaderUnloadImageExtraAction(IN OUT PE_COFF_LOADER_IMAGE_CONTEXT *ImageContext) {
  (VOID)ImageContext;
}

/* ---- the file read callback ------------------------------------------------ */

typedef struct {
  const UINT8 *bytes;
  UINTN        len;
} file_view;

/* Copies what exists of [offset, offset + *size) and shortens *size to it. */
static RETURN_STATUS EFIAPI read_file(IN VOID *handle, IN UINTN offset, IN OUT UINTN *size, OUT VOID *buffer) {
  const file_view *f = handle;
  if (offset >= f->len) {
    *size = 0;
    return RETURN_SUCCESS;
  }
  if (*size > f->len - offset) *size = f->len - offset;
  __builtin_memmove(buffer, f->bytes + offset, *size);
  return RETURN_SUCCESS;
}

static void describe(const PE_COFF_LOADER_IMAGE_CONTEXT *c, edk2ref_result *out) {
  out->image_error = c->ImageError;
  out->image_size = c->ImageSize;
  out->image_address = c->ImageAddress;
  out->entry_point = c->EntryPoint;
  out->fixup_data_size = c->FixupDataSize;
  out->section_alignment = c->SectionAlignment;
  out->size_of_headers = (uint32_t)c->SizeOfHeaders;
  out->machine = c->Machine;
  out->image_type = c->ImageType;
  out->relocations_stripped = c->RelocationsStripped;
  out->is_te = c->IsTeImage;
}

static uint64_t finish(RETURN_STATUS s, int step, const PE_COFF_LOADER_IMAGE_CONTEXT *c, edk2ref_result *out) {
  describe(c, out);
  out->status = s;
  out->step = RETURN_ERROR(s) ? step : EDK2REF_OK;
  return s;
}

static RETURN_STATUS get_info(const void *file, size_t len, file_view *view, PE_COFF_LOADER_IMAGE_CONTEXT *c) {
  view->bytes = file;
  view->len = len;
  __builtin_memset(c, 0, sizeof(*c));
  c->Handle = view;
  c->ImageRead = read_file;
  return PeCoffLoaderGetImageInfo(c);
}

uint64_t edk2ref_image_info(const void *file, size_t len, edk2ref_result *out) {
  PE_COFF_LOADER_IMAGE_CONTEXT c;
  file_view view;
  __builtin_memset(out, 0, sizeof(*out));
  return finish(get_info(file, len, &view, &c), EDK2REF_INFO, &c, out);
}

/* What edk2ref_loaded holds: the context LoadImage left and the file view
 * its Handle names. */
typedef struct {
  PE_COFF_LOADER_IMAGE_CONTEXT c;
  file_view                    view;
} loaded_state;

_Static_assert(sizeof(loaded_state) <= sizeof(edk2ref_loaded), "edk2ref_loaded too small");
_Static_assert(_Alignof(loaded_state) <= _Alignof(edk2ref_loaded), "edk2ref_loaded under-aligned");

uint64_t edk2ref_load(const void *file, size_t len, void *dest, size_t dest_len, edk2ref_loaded *loaded,
                      edk2ref_result *out) {
  loaded_state ls;
  __builtin_memset(out, 0, sizeof(*out));
  RETURN_STATUS s = get_info(file, len, &ls.view, &ls.c);
  if (RETURN_ERROR(s)) return finish(s, EDK2REF_INFO, &ls.c, out);
  /* The DXE core allocates ImageSize (+ alignment); the caller's buffer
   * stands in. */
  if (ls.c.ImageSize > dest_len) return finish(RETURN_BUFFER_TOO_SMALL, EDK2REF_SETUP, &ls.c, out);
  ls.c.ImageAddress = (PHYSICAL_ADDRESS)(UINTN)dest;
  s = PeCoffLoaderLoadImage(&ls.c);
  if (RETURN_ERROR(s)) return finish(s, EDK2REF_LOAD, &ls.c, out);
  __builtin_memcpy(loaded, &ls, sizeof(ls));
  return finish(s, EDK2REF_LOAD, &ls.c, out);
}

uint64_t edk2ref_relocate_loaded(const edk2ref_loaded *loaded, uint64_t new_base, void *record, size_t record_cap,
                                 edk2ref_result *out) {
  loaded_state ls;
  __builtin_memcpy(&ls, loaded, sizeof(ls));
  ls.c.Handle = &ls.view;
  __builtin_memset(out, 0, sizeof(*out));
  /* LoadImage computes FixupDataSize and sets FixupData to NULL: the DXE
   * core allocates the record (runtime images only) after LoadImage, as
   * here. */
  if (record != NULL && ls.c.FixupDataSize > record_cap)
    return finish(RETURN_BUFFER_TOO_SMALL, EDK2REF_SETUP, &ls.c, out);
  ls.c.DestinationAddress = new_base;
  ls.c.FixupData = record;
  return finish(PeCoffLoaderRelocateImage(&ls.c), EDK2REF_RELOCATE, &ls.c, out);
}

uint64_t edk2ref_load_relocate(const void *file, size_t len, void *dest, size_t dest_len, uint64_t new_base,
                               void *record, size_t record_cap, edk2ref_result *out) {
  edk2ref_loaded loaded;
  uint64_t s = edk2ref_load(file, len, dest, dest_len, &loaded, out);
  if (RETURN_ERROR(s)) return s;
  return edk2ref_relocate_loaded(&loaded, new_base, record, record_cap, out);
}

void edk2ref_relocate_for_runtime(void *image, uint64_t virt_base, uint64_t image_size, void *record) {
  PeCoffLoaderRelocateImageForRuntime((PHYSICAL_ADDRESS)(UINTN)image, virt_base, (UINTN)image_size, record);
}

const char *edk2ref_version(void) { return EDK2REF_VERSION; }
