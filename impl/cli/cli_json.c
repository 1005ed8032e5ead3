/* SPDX-License-Identifier: BSD-2-Clause-Patent */
#include "cli_json.h"

#include <stdlib.h>
#include <string.h>

typedef struct { const char *p, *start; const char *err; int depth; } jp;

static void ws(jp *j) {
  while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r') j->p++;
}

static bool fail(jp *j, const char *why) {
  if (j->err == NULL) j->err = why;
  return false;
}

static bool parse_value(jp *j, jval *v);

static bool parse_string(jp *j, char **out) {
  size_t cap = 16, n = 0;
  char *s = malloc(cap);
  if (s == NULL) return fail(j, "out of memory");
  j->p++; /* opening quote */
  while (*j->p != '"') {
    char c = *j->p;
    if (c == '\0' || (unsigned char)c < 0x20) { free(s); return fail(j, "unterminated string"); }
    if (c == '\\') {
      j->p++;
      switch (*j->p) {
      case '"': c = '"'; break;
      case '\\': c = '\\'; break;
      case '/': c = '/'; break;
      case 'n': c = '\n'; break;
      case 't': c = '\t'; break;
      case 'r': c = '\r'; break;
      default: free(s); return fail(j, "unsupported escape");
      }
    }
    if (n + 2 > cap) {
      char *t = realloc(s, cap *= 2);
      if (t == NULL) { free(s); return fail(j, "out of memory"); }
      s = t;
    }
    s[n++] = c;
    j->p++;
  }
  j->p++;
  s[n] = '\0';
  *out = s;
  return true;
}

static bool parse_number(jp *j, jval *v) {
  char *end;
  v->type = J_NUM;
  if (j->p[0] == '0' && (j->p[1] == 'x' || j->p[1] == 'X')) return fail(j, "hex numbers are strings here");
  long long n = strtoll(j->p, &end, 10);
  if (end == j->p || *end == '.' || *end == 'e' || *end == 'E') return fail(j, "expected an integer");
  v->n = n;
  j->p = end;
  return true;
}

static bool push(jp *j, jval *v, jval *kid) {
  jval *t = realloc(v->kids, (v->nkids + 1) * sizeof(*t));
  if (t == NULL) return fail(j, "out of memory");
  v->kids = t;
  v->kids[v->nkids++] = *kid;
  return true;
}

static bool parse_container(jp *j, jval *v, bool obj) {
  char close = obj ? '}' : ']';
  v->type = obj ? J_OBJ : J_ARR;
  if (++j->depth > 32) return fail(j, "nesting too deep");
  j->p++;
  ws(j);
  if (*j->p == close) { j->p++; j->depth--; return true; }
  for (;;) {
    jval kid;
    memset(&kid, 0, sizeof(kid));
    ws(j);
    if (obj) {
      if (*j->p != '"') return fail(j, "expected a member name");
      if (!parse_string(j, &kid.key)) return false;
      ws(j);
      if (*j->p != ':') { free(kid.key); return fail(j, "expected ':'"); }
      j->p++;
    }
    if (!parse_value(j, &kid) || !push(j, v, &kid)) { json_free_members(&kid); return false; }
    ws(j);
    if (*j->p == ',') { j->p++; continue; }
    if (*j->p == close) { j->p++; j->depth--; return true; }
    return fail(j, obj ? "expected ',' or '}'" : "expected ',' or ']'");
  }
}

static bool literal(jp *j, const char *word, jval *v, jtype t, bool b) {
  size_t n = strlen(word);
  if (strncmp(j->p, word, n) != 0) return fail(j, "unexpected character");
  j->p += n;
  v->type = t;
  v->b = b;
  return true;
}

static bool parse_value(jp *j, jval *v) {
  ws(j);
  switch (*j->p) {
  case '{': return parse_container(j, v, true);
  case '[': return parse_container(j, v, false);
  case '"': v->type = J_STR; return parse_string(j, &v->s);
  case 't': return literal(j, "true", v, J_BOOL, true);
  case 'f': return literal(j, "false", v, J_BOOL, false);
  case 'n': return literal(j, "null", v, J_NULL, false);
  default:
    if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9')) return parse_number(j, v);
    return fail(j, "unexpected character");
  }
}

void json_free_members(jval *v) {
  if (v == NULL) return;
  for (size_t i = 0; i < v->nkids; i++) json_free_members(&v->kids[i]);
  free(v->kids);
  free(v->s);
  free(v->key);
}

jval *json_parse(const char *text, const char **err, size_t *at) {
  jp j = { text, text, NULL, 0 };
  jval *v = calloc(1, sizeof(*v));
  if (v == NULL) { *err = "out of memory"; *at = 0; return NULL; }
  bool ok = parse_value(&j, v);
  if (ok) { ws(&j); if (*j.p != '\0') ok = fail(&j, "trailing characters"); }
  if (!ok) {
    *err = j.err;
    *at = (size_t)(j.p - j.start);
    json_free(v);
    return NULL;
  }
  return v;
}

void json_free(jval *v) {
  json_free_members(v);
  free(v);
}

const jval *json_get(const jval *obj, const char *key) {
  if (obj == NULL || obj->type != J_OBJ) return NULL;
  for (size_t i = 0; i < obj->nkids; i++)
    if (strcmp(obj->kids[i].key, key) == 0) return &obj->kids[i];
  return NULL;
}
