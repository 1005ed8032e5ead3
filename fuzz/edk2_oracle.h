/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * EDK II's BasePeCoffLib (harnesses/edk2ref) as an oracle that may crash:
 * it runs in a forked child process on buffers shared with the caller, so
 * an out-of-bounds access or a fault in EDK II's code ends the child, not
 * the fuzzer. The child is restarted for the next input.
 *
 * Memory (one shared mapping, the same addresses in both processes):
 *   control block | file buffer | record buffer | PROT_NONE guard |
 *   image area (EDK2_ORACLE_IMAGE_MAX + slack, at EDK2_ORACLE_IMAGE_AT) | PROT_NONE guard
 * The image area is where EDK II loads the image: its address is the base
 * the image is relocated for (the DXE core relocates for where it loaded).
 * The slack after the image is filled with a pattern; a changed byte is a
 * write past SizeOfImage by EDK II. During the run the first page boundary
 * at or after SizeOfImage is a guard page too (the child's own protection),
 * so an access past the image faults even when it writes back what it read.
 * A fault in a guard page is an access before or past the image. The record buffer gets the same
 * treatment: FixupDataSize bytes, then a pattern.
 */
#ifndef RTPRM_EDK2_ORACLE_H
#define RTPRM_EDK2_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edk2ref.h"

#define EDK2_ORACLE_FILE_MAX   (16u << 20)
#define EDK2_ORACLE_IMAGE_MAX  (16u << 20)
#define EDK2_ORACLE_RECORD_MAX (8u << 20)
#define EDK2_ORACLE_SLACK      (64u << 10)
#define EDK2_ORACLE_ALIGN      (2u << 20)
/* X, the image area's fixed address: 2 MiB aligned but not 4 MiB, below
 * 2 GiB (a PE32 image moved by k x 2 MiB stays below 4 GiB). */
#define EDK2_ORACLE_IMAGE_AT   0x42200000ull

/* How the child's run ended. */
typedef enum {
  EDK2_RAN = 0,       /* EDK II returned (its status is in result) */
  EDK2_FAULT = 1,     /* a signal: SIGSEGV/SIGBUS (fault_addr) or other */
  EDK2_SANITIZER = 2, /* ASan/UBSan report (first line in report) */
  EDK2_HANG = 3,      /* no answer within the time limit */
  EDK2_DIED = 4,      /* the child ended otherwise (exit status) */
} edk2_end;

typedef struct edk2_run {
  edk2_end       end;
  edk2ref_result result;        /* of edk2ref_load_relocate */
  bool           runtime_ran;   /* RelocateImageForRuntime was called */
  bool           slack_written; /* bytes past SizeOfImage changed */
  uint64_t       slack_offset;  /* first changed byte, from the image start */
  bool           record_overrun; /* bytes past FixupDataSize of the record changed */
  uint64_t       record_overrun_at;
  int            signal;
  uint64_t       fault_addr;
  char           report[160];
} edk2_run;

/* Shared buffers, valid after the first run: EDK II's loaded (and, after
 * the runtime step, re-relocated) image and its fixup record. */
const uint8_t *edk2_oracle_image(void);
const uint8_t *edk2_oracle_record(void);

/* Runs EDK II on file[0..len): GetImageInfo, LoadImage at the image area
 * (image_cap bytes available: a larger SizeOfImage ends at EDK2REF_SETUP),
 * RelocateImage for the area's own address with a fixup record (as for a
 * runtime driver), then, when virt_base != 0 and that succeeded,
 * RelocateImageForRuntime to virt_base. false: the input is not runnable
 * here (file or cap too large); *out is then unset. */
bool edk2_oracle_run(const uint8_t *file, size_t len, uint64_t virt_base, uint64_t image_cap, edk2_run *out);

#endif
