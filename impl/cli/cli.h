/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * rtprm host CLI. Exit codes are a stable interface:
 *   0  success
 *   1  invalid input: one line on stderr with the reason name, code and text
 *   2  usage error
 * Findings (a spec rule broken, the outcome still defined) are warnings on
 * stderr with exit 0; --strict makes them rejections (exit 1).
 */
#ifndef RTPRM_CLI_H
#define RTPRM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtprm/pe.h"
#include "rtprm/status.h"

enum { CLI_OK = 0, CLI_INVALID = 1, CLI_USAGE = 2 };

typedef struct {
  const char *name;
  const char *summary;
  int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
} cli_command;

/* Reads a whole file; on failure prints why and returns false. */
bool cli_read_file(const char *path, uint8_t **data, size_t *len);
/* Prints the stable one-line rejection: "rtprm: NAME (0xCODE) at INDEX: text [STATUS]". */
int cli_reject(EFI_STATUS s, const rp_diag *d, const char *what);
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Findings (docs/pecoff.md §1): one stable line each on stderr,
 * "rtprm: warning: WHAT: NAME (0xCODE) at INDEX: text"; the command still
 * exits 0. --strict turns the first one into a rejection in the library. */
void cli_warn_findings(const rp_findings *f, const char *what);
/* Appends the findings of src that dst does not hold yet (same reason and
 * index): the phases of one command may see the same finding twice. */
void cli_findings_merge(rp_findings *dst, const rp_findings *src);
/* The list as a JSON array of {reason, code, index (null: none), text}. */
void cli_json_findings(const rp_findings *f);
/* Parses a decimal or 0x-prefixed unsigned number; false when malformed. */
bool cli_parse_u64(const char *text, uint64_t *out);
void cli_json_string(const char *s);

/* rtprm pe verify (cmd_pe_verify.c): the command's exit code. */
int pe_verify(const char *file, const char *cert, bool json, rp_pe_profile profile);
/* One line on a parsed PE file's signature for other commands: "unsigned",
 * "N signature(s), digest matches (sha256)", "... DIGEST MISMATCH ...",
 * "certificate table malformed". May use buf (n bytes). */
const char *pe_signature_state(const rp_pe_image *img, char *buf, size_t n);

int cmd_memmap(int argc, char **argv);
int cmd_pe(int argc, char **argv);
int cmd_prm(int argc, char **argv);
int cmd_svam(int argc, char **argv);
int cmd_crc32(int argc, char **argv);
int cmd_reasons(int argc, char **argv);

#endif /* RTPRM_CLI_H */
