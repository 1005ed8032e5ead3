/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * The outcome of one pe_vs_edk2 comparison and its classification
 * (fuzz/pe_vs_edk2_classes.c). Shared by the fuzz target and the anchors'
 * replay.
 */
#ifndef RTPRM_PE_VS_EDK2_H
#define RTPRM_PE_VS_EDK2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edk2_oracle.h"

/* Where our pipeline stopped. */
typedef enum { DIFF_NONE = 0, DIFF_PARSE, DIFF_LOAD, DIFF_RELOCATE, DIFF_RUNTIME, DIFF_SKIPPED } diff_step;

typedef struct diff_outcome {
  /* ours */
  diff_step ours_failed;
  uint32_t  ours_reason;   /* reason code of the failing step */
  uint32_t  ours_findings; /* first finding (parse or relocation), 0 if none */
  uint64_t  ours_size, ours_record_bytes, ours_runtime_skipped;
  uint16_t  machine;
  bool      te, pe32plus;
  uint16_t  opt_header_size;  /* SizeOfOptionalHeader as written */
  uint32_t  num_rva;          /* NumberOfRvaAndSizes */
  uint64_t  x;                /* the base both relocate for (EDK II's image area) */
  /* EDK II */
  edk2_end  edk2_end;
  int       edk2_step;     /* EDK2REF_* of its failing step */
  uint64_t  edk2_status;
  uint32_t  edk2_image_error;
  bool      edk2_slack;    /* wrote past SizeOfImage */
  uint64_t  edk2_slack_at;
  bool      edk2_record_overrun; /* wrote past FixupDataSize */
  int       edk2_signal;
  int64_t   edk2_fault_off; /* fault address - X */
  char      edk2_report[160];
  uint64_t  edk2_size, edk2_record_bytes;
  /* comparisons (both accepted) */
  bool      sizes_differ, image_diff, record_diff;
  bool      image_base_diff;  /* the header's ImageBase field (compared apart) */
  uint64_t  ours_image_base, edk2_image_base;
  uint64_t  image_diff_at, record_diff_at;
  uint64_t  virt_base;
  /* facts about the file, for the rules EDK II applies and we do not
   * (fuzz/pe_vs_edk2_classes.c diff_file_facts) */
  bool      f_short_header_read;   /* fewer than 264 bytes from e_lfanew */
  bool      f_opt_size_not_exact;  /* SizeOfOptionalHeader != what NumberOfRvaAndSizes needs */
  bool      f_headers_room;        /* EDK II's SizeOfHeaders/SizeOfImage/NumberOfSections rules fail */
  bool      f_cert_past_eof;       /* certificate table (file offset + size) past the file */
  bool      f_raw_in_headers;      /* a section's raw data starts inside SizeOfHeaders */
  bool      f_debug_entry_past_eof;/* a debug directory entry EDK II reads lies past the file */
  bool      f_codeview_small;      /* the CodeView entry is shorter than its signature's record */
  bool      f_resource_dir;        /* a resource directory (EDK II walks it for an HII package) */
  bool      f_absolute_past_image; /* an ABSOLUTE (padding) relocation entry whose offset lies past SizeOfImage */
  bool      f_te_at_lfanew;        /* an MZ header whose e_lfanew points at a TE signature 'VZ' */
  /* the verdict */
  int       cls;           /* index into diff_classes, or -1: agreement */
} diff_outcome;

typedef struct diff_class {
  const char *id;          /* stable name: the anchor's file name */
  char        kind;        /* 'a' EDK II defect, 'b' our policy, 'c' our bug (fixed) */
  const char *what;        /* one line */
  const char *reference;   /* docs/pecoff.md row or regression path */
  bool (*match)(const diff_outcome *o);
} diff_class;

extern const diff_class diff_classes[];
extern const size_t diff_class_count;

void diff_outcome_init(diff_outcome *o);
/* Fills the f_* facts from the file bytes (PE images with a DOS header). */
void diff_file_facts(diff_outcome *o, const uint8_t *file, size_t len);
void diff_ours_failed(diff_outcome *o, diff_step step, uint32_t reason);
void diff_take_edk2(diff_outcome *o, const edk2_run *e, uint64_t x);
bool diff_first(const uint8_t *a, const uint8_t *b, uint64_t n, uint64_t *at);
/* Classifies (agreement, a class, or abort on class d) and prints the line
 * when RTPRM_DIFF_PRINT is set; input/size: the whole input (with trailer). */
void diff_conclude(diff_outcome *o, const uint8_t *input, size_t size);
/* The one-line description ("pe_vs_edk2: class=... ours=... edk2=..."). */
void diff_describe(const diff_outcome *o, char *out, size_t cap);

#endif
