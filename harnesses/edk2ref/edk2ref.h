/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * edk2ref: EDK II's BasePeCoffLib, compiled for the host from Debian's
 * edk2 source package (harnesses/edk2ref/README.md), behind a plain C
 * interface that needs none of EDK II's headers. The reference in
 * differential tests (fuzz/fuzz_pe_vs_edk2.c) and benchmarks; EDK II's code
 * stays in the cache, only the glue below is ours.
 *
 * The calls follow what the DXE core does with an image (PI Vol 2 §10 image
 * services, EDK II's CoreLoadPeImage): GetImageInfo, load at an address
 * aligned to SectionAlignment, RelocateImage recording the fixup data of a
 * runtime image, and at SetVirtualAddressMap RelocateImageForRuntime.
 */
#ifndef RTPRM_EDK2REF_H
#define RTPRM_EDK2REF_H

#include <stddef.h>
#include <stdint.h>

/* Step that produced edk2ref_result.status. */
enum { EDK2REF_OK = 0, EDK2REF_INFO = 1, EDK2REF_LOAD = 2, EDK2REF_RELOCATE = 3, EDK2REF_SETUP = 4 };

typedef struct {
  uint64_t status;          /* RETURN_STATUS of the failing step, 0 on success */
  int      step;            /* EDK2REF_* */
  uint32_t image_error;     /* ImageContext.ImageError (IMAGE_ERROR_*) */
  uint64_t image_size;      /* ImageContext.ImageSize */
  uint64_t image_address;   /* preferred base from GetImageInfo */
  uint64_t entry_point;     /* after load: absolute entry point */
  uint64_t fixup_data_size; /* bytes of the runtime record */
  uint32_t section_alignment;
  uint32_t size_of_headers;
  uint16_t machine;
  uint16_t image_type;      /* subsystem */
  uint8_t  relocations_stripped;
  uint8_t  is_te;
} edk2ref_result;

/* PeCoffLoaderGetImageInfo over file[0..len) through a bounded read
 * callback (reads past the end are truncated, as the DXE core's are). */
uint64_t edk2ref_image_info(const void *file, size_t len, edk2ref_result *out);

/* GetImageInfo, then LoadImage into dest (dest must be aligned to
 * SectionAlignment; dest_len bytes are available to EDK II), then
 * RelocateImage for new_base (DestinationAddress; 0: for dest itself),
 * recording the fixup data into record (record_cap bytes, NULL: none, as
 * for a boot-services image; a record shorter than the FixupDataSize
 * LoadImage computes ends the call at EDK2REF_SETUP). The first failing
 * step ends the call. Same as edk2ref_load + edk2ref_relocate_loaded. */
uint64_t edk2ref_load_relocate(const void *file, size_t len, void *dest, size_t dest_len, uint64_t new_base,
                               void *record, size_t record_cap, edk2ref_result *out);

/* EDK II's image context between two steps (the PE_COFF_LOADER_IMAGE_CONTEXT
 * LoadImage left and the file view it read through); opaque here. */
typedef struct {
  uint64_t opaque[64];
} edk2ref_loaded;

/* The first half of edk2ref_load_relocate: GetImageInfo, then LoadImage into
 * dest (aligned to SectionAlignment, dest_len bytes), no relocation: the
 * image as the DXE core holds it right before PeCoffLoaderRelocateImage.
 * On success *loaded keeps EDK II's context for edk2ref_relocate_loaded
 * (`file` must outlive it; out->fixup_data_size is the record size). */
uint64_t edk2ref_load(const void *file, size_t len, void *dest, size_t dest_len, edk2ref_loaded *loaded,
                      edk2ref_result *out);

/* The second half: PeCoffLoaderRelocateImage alone, of the image a
 * successful edk2ref_load left at its dest, for new_base (0: for dest
 * itself), recording into record (record_cap bytes, at least
 * fixup_data_size; NULL: none). Works on a copy of *loaded, which stays as
 * LoadImage left it: a caller may restore the image bytes and relocate
 * again (harnesses/bench). */
uint64_t edk2ref_relocate_loaded(const edk2ref_loaded *loaded, uint64_t new_base, void *record, size_t record_cap,
                                 edk2ref_result *out);

/* PeCoffLoaderRelocateImageForRuntime(image, virt_base, image_size,
 * record): the image at `image` is relocated for its own address and moves
 * to virt_base. EDK II returns nothing. */
void edk2ref_relocate_for_runtime(void *image, uint64_t virt_base, uint64_t image_size, void *record);

/* Version of the EDK II source this was built from ("2022.11-6+deb12u2"). */
const char *edk2ref_version(void);

#endif
