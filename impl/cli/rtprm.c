/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* rtprm: the host CLI. Subcommands are listed by `rtprm help`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rtprm/crc32.h"

#ifndef RTPRM_VERSION
#define RTPRM_VERSION "0.0.0"
#endif

int cmd_crc32(int argc, char **argv) {
  if (argc < 2) return cli_usage("crc32 FILE...");
  for (int i = 1; i < argc; i++) {
    uint8_t *data;
    size_t len;
    if (!cli_read_file(argv[i], &data, &len)) return CLI_INVALID;
    printf("%08X  %s\n", rp_crc32(data, len), argv[i]);
    free(data);
  }
  return CLI_OK;
}

#define RP_REASON(name, code, text) { #name, code, text },
static const struct { const char *name; unsigned code; const char *text; } reason_table[] = {
#include "rtprm/reasons.def"
};
#undef RP_REASON

int cmd_reasons(int argc, char **argv) {
  bool json = argc > 1 && strcmp(argv[1], "--json") == 0;
  size_t n = sizeof(reason_table) / sizeof(reason_table[0]);
  if (json) printf("[\n");
  for (size_t i = 0; i < n; i++) {
    if (json) {
      printf("  {\"name\": \"%s\", \"code\": %u, \"text\": ", reason_table[i].name, reason_table[i].code);
      cli_json_string(reason_table[i].text);
      printf("}%s\n", i + 1 < n ? "," : "");
    } else {
      printf("0x%04X  %-26s %s\n", reason_table[i].code, reason_table[i].name, reason_table[i].text);
    }
  }
  if (json) printf("]\n");
  return CLI_OK;
}

static int cmd_version(int argc, char **argv) {
  (void)argc;
  (void)argv;
  printf("rtprm %s\n", RTPRM_VERSION);
  return CLI_OK;
}

static int cmd_help(int argc, char **argv);

static const cli_command commands[] = {
  { "memmap", "memmap validate FILE --desc-size N [--version V] [--map-size N] [--runtime-only] [--virtual] [--json]\n"
    "                     memmap check RUNTIME_MAP_DIR [--json]",
    cmd_memmap },
  { "pe", "pe info IMG [--json] | pe map IMG --base ADDR -o OUT |\n"
          "        pe rerelocate IMG --base ADDR --runtime-base ADDR2 [--format edk2|native] [--json] -o OUT |\n"
          "        pe verify IMG [--cert CERT.pem] [--json]",
    cmd_pe },
  { "prm", "prm module IMG [--platform-guid GUID] [--json] |\n"
           "        prm build --platform-guid GUID [--oem-id ID] [--oem-table-id ID] [--allow-empty] IMG@LOADADDR... -o PRMT.bin |\n"
           "        prm check PRMT.bin [--json]",
    cmd_prm },
  { "svam", "svam simulate SCENARIO.json [--json]   run the DXE-core model + SetVirtualAddressMap", cmd_svam },
  { "crc32", "crc32 FILE...   UEFI CRC-32 of each file", cmd_crc32 },
  { "reasons", "reasons [--json]   every reason code with its name and text", cmd_reasons },
  { "version", "version", cmd_version },
  { "help", "help", cmd_help },
};

static int cmd_help(int argc, char **argv) {
  (void)argc;
  (void)argv;
  printf("usage: rtprm COMMAND [ARGS]\nexit: 0 ok, 1 invalid input (reason on stderr), 2 usage\n\n");
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) printf("  rtprm %s\n", commands[i].summary);
  return CLI_OK;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    cmd_help(argc, argv);
    return CLI_USAGE;
  }
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
    if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
  }
  return cli_usage("unknown command '%s'", argv[1]);
}
