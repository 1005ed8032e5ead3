/* SPDX-License-Identifier: BSD-2-Clause-Patent */
#include "rtprm/status.h"

#include "rtprm/mem.h"

typedef struct {
  rp_reason   code;
  const char *name;
  const char *text;
} reason_row;

static const reason_row reason_rows[] = {
#define RP_REASON(name, code, text) { RP_R_##name, #name, text },
#include "rtprm/reasons.def"
#undef RP_REASON
};

#define ROW_COUNT (sizeof(reason_rows) / sizeof(reason_rows[0]))

static const reason_row *find_reason(rp_reason r) {
  for (size_t i = 0; i < ROW_COUNT; i++) {
    if (reason_rows[i].code == r) return &reason_rows[i];
  }
  return NULL;
}

const char *rp_reason_name(rp_reason r) {
  const reason_row *row = find_reason(r);
  return row ? row->name : "UNKNOWN";
}

const char *rp_reason_text(rp_reason r) {
  const reason_row *row = find_reason(r);
  return row ? row->text : "unknown reason code";
}

bool rp_reason_from_name(const char *name, rp_reason *out) {
  for (size_t i = 0; i < ROW_COUNT; i++) {
    if (rp_strcmp(reason_rows[i].name, name) == 0) {
      *out = reason_rows[i].code;
      return true;
    }
  }
  return false;
}

const char *rp_status_name(EFI_STATUS s) {
  static const struct { EFI_STATUS s; const char *name; } names[] = {
    { EFI_SUCCESS, "EFI_SUCCESS" },
    { EFI_LOAD_ERROR, "EFI_LOAD_ERROR" },
    { EFI_INVALID_PARAMETER, "EFI_INVALID_PARAMETER" },
    { EFI_UNSUPPORTED, "EFI_UNSUPPORTED" },
    { EFI_BAD_BUFFER_SIZE, "EFI_BAD_BUFFER_SIZE" },
    { EFI_BUFFER_TOO_SMALL, "EFI_BUFFER_TOO_SMALL" },
    { EFI_NOT_READY, "EFI_NOT_READY" },
    { EFI_DEVICE_ERROR, "EFI_DEVICE_ERROR" },
    { EFI_WRITE_PROTECTED, "EFI_WRITE_PROTECTED" },
    { EFI_OUT_OF_RESOURCES, "EFI_OUT_OF_RESOURCES" },
    { EFI_VOLUME_CORRUPTED, "EFI_VOLUME_CORRUPTED" },
    { EFI_NOT_FOUND, "EFI_NOT_FOUND" },
    { EFI_ACCESS_DENIED, "EFI_ACCESS_DENIED" },
    { EFI_NO_MAPPING, "EFI_NO_MAPPING" },
    { EFI_NOT_STARTED, "EFI_NOT_STARTED" },
    { EFI_ALREADY_STARTED, "EFI_ALREADY_STARTED" },
    { EFI_ABORTED, "EFI_ABORTED" },
    { EFI_INCOMPATIBLE_VERSION, "EFI_INCOMPATIBLE_VERSION" },
    { EFI_SECURITY_VIOLATION, "EFI_SECURITY_VIOLATION" },
    { EFI_CRC_ERROR, "EFI_CRC_ERROR" },
  };
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    if (names[i].s == s) return names[i].name;
  }
  return "EFI_STATUS(?)";
}

void rp_diag_clear(rp_diag *d) {
  if (d == NULL) return;
  d->reason = RP_R_NONE;
  d->index = RP_DIAG_NO_INDEX;
  d->file = NULL;
  d->line = 0;
}

EFI_STATUS rp_diag_set(rp_diag *d, EFI_STATUS s, rp_reason r, uint64_t index,
                       const char *file, int line) {
  if (d != NULL) {
    d->reason = r;
    d->index = index;
    d->file = file;
    d->line = line;
  }
  return s;
}

void rp_findings_clear(rp_findings *f) {
  if (f == NULL) return;
  f->count = 0;
  for (uint32_t i = 0; i < RP_FINDINGS_MAX; i++) {
    f->item[i].reason = RP_R_NONE;
    f->item[i].index = RP_DIAG_NO_INDEX;
  }
}

void rp_findings_add(rp_findings *f, rp_reason r, uint64_t index) {
  if (f == NULL) return;
  if (f->count < RP_FINDINGS_MAX) {
    f->item[f->count].reason = r;
    f->item[f->count].index = index;
  }
  if (f->count != UINT32_MAX) f->count++;
}

void rp_findings_append(rp_findings *dst, const rp_findings *src) {
  if (dst == NULL || src == NULL) return;
  uint32_t kept = rp_findings_kept(src);
  for (uint32_t i = 0; i < kept; i++) rp_findings_add(dst, src->item[i].reason, src->item[i].index);
  uint32_t dropped = src->count - kept;
  dst->count = dst->count > UINT32_MAX - dropped ? UINT32_MAX : dst->count + dropped;
}
