/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * rtprm host CLI. Exit codes are a stable interface:
 *   0  success
 *   1  invalid input: one line on stderr with the reason name, code and text
 *   2  usage error
 */
#ifndef RTPRM_CLI_H
#define RTPRM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
/* Parses a decimal or 0x-prefixed unsigned number; false when malformed. */
bool cli_parse_u64(const char *text, uint64_t *out);
void cli_json_string(const char *s);

int cmd_memmap(int argc, char **argv);
int cmd_pe(int argc, char **argv);
int cmd_prm(int argc, char **argv);
int cmd_svam(int argc, char **argv);
int cmd_crc32(int argc, char **argv);
int cmd_reasons(int argc, char **argv);

#endif /* RTPRM_CLI_H */
