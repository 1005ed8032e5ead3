/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* A small JSON reader for CLI scenario files (RFC 8259 subset: no \u
 * escapes beyond ASCII, numbers as unsigned/signed 64-bit integers). */
#ifndef RTPRM_CLI_JSON_H
#define RTPRM_CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;

typedef struct jval {
  jtype type;
  bool b;
  int64_t n;
  char *s;               /* J_STR; for object members: the key in `key` */
  char *key;
  struct jval *kids;     /* J_ARR / J_OBJ members */
  size_t nkids;
} jval;

/* Parses text (NUL-terminated). NULL with *err set (static text) and *at
 * (byte offset) on malformed input. Free with json_free. */
jval *json_parse(const char *text, const char **err, size_t *at);
void json_free(jval *v);
void json_free_members(jval *v); /* frees what v owns, not v itself */
const jval *json_get(const jval *obj, const char *key); /* NULL when absent */

#endif
