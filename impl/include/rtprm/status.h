/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Status + reason: every rejection returns an EFI_STATUS and records a
 * stable, printable reason code (reasons.def) and the index/offset where it
 * was found in an optional rp_diag. Callers that do not care pass NULL.
 */
#ifndef RTPRM_STATUS_H
#define RTPRM_STATUS_H

#include "rtprm/spec/uefi_base.h"

typedef enum rp_reason {
#define RP_REASON(name, code, text) RP_R_##name = code,
#include "rtprm/reasons.def"
#undef RP_REASON
} rp_reason;

#define RP_DIAG_NO_INDEX UINT64_MAX

typedef struct rp_diag {
  rp_reason   reason; /* RP_R_NONE on success */
  uint64_t    index;  /* element index or byte offset, RP_DIAG_NO_INDEX if none */
  const char *file;   /* rejecting source location: NULL in firmware builds */
  int         line;
} rp_diag;

/* Name ("MEMMAP_NULL") and text of a reason; "UNKNOWN" for foreign codes. */
const char *rp_reason_name(rp_reason r);
const char *rp_reason_text(rp_reason r);
/* Look a reason up by name; returns false when the name is not defined. */
bool rp_reason_from_name(const char *name, rp_reason *out);
/* Spec name of a status ("EFI_NOT_FOUND"); "EFI_STATUS(?)" when unknown. */
const char *rp_status_name(EFI_STATUS s);

void rp_diag_clear(rp_diag *d);
EFI_STATUS rp_diag_set(rp_diag *d, EFI_STATUS s, rp_reason r, uint64_t index,
                       const char *file, int line);

/* A finding: an input that breaks a rule of its specification while its
 * meaning stays well defined (docs/pecoff.md §1.1). It is never accepted
 * silently: the result carries it, and a strict profile rejects it with the
 * same reason instead. The list is bounded; `count` keeps counting past it. */
#define RP_FINDINGS_MAX 8u

typedef struct rp_finding {
  rp_reason reason;
  uint64_t  index; /* as rp_diag.index; RP_DIAG_NO_INDEX if none */
} rp_finding;

typedef struct rp_findings {
  uint32_t   count;                  /* findings seen */
  rp_finding item[RP_FINDINGS_MAX];  /* the first min(count, RP_FINDINGS_MAX) */
} rp_findings;

void rp_findings_clear(rp_findings *f);
/* Records one finding; NULL-safe; `count` saturates at UINT32_MAX. */
void rp_findings_add(rp_findings *f, rp_reason r, uint64_t index);
/* Appends every kept finding of src (and the count of the dropped ones). */
void rp_findings_append(rp_findings *dst, const rp_findings *src);
/* Findings held in item[] (count bounded by RP_FINDINGS_MAX). */
static inline uint32_t rp_findings_kept(const rp_findings *f) {
  return f->count < RP_FINDINGS_MAX ? f->count : RP_FINDINGS_MAX;
}

#if defined(RTPRM_FIRMWARE)
#define RP_HERE_FILE NULL
#elif defined(__FILE_NAME__)
#define RP_HERE_FILE __FILE_NAME__
#else
#define RP_HERE_FILE __FILE__
#endif

/* One place every rejection goes through: a single breakpoint catches all. */
#define RP_REJECT(diag, status, reason, index) \
  return rp_diag_set((diag), (status), RP_R_##reason, (uint64_t)(index), RP_HERE_FILE, __LINE__)

#endif /* RTPRM_STATUS_H */
