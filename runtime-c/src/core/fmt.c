/* fmt.c: string forms of values as print/toString write them: ints, floats exactly like Python's
 * repr, bools, strings (quoted inside containers), arrays and json as compact JSON, structs as
 * `Point{x: 3, y: 4}`, promises through the async runtime. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "rt_int.h"

/* ---------------------------------------------------------------- numbers */

static int put(char *out, const char *s) {
  int n = (int)strlen(s);
  memcpy(out, s, (size_t)n + 1);
  return n;
}

/* The shortest correctly rounded digits that read back exactly, as "%.{p}e" text in buf. If any
 * string of at most 15 significant digits reads back, the 15-digit rounding is that string padded
 * with zeros (a double is far closer to it than half the 15-digit spacing), so three tries suffice:
 * 15 digits (trailing zeros are stripped later), 16, then 17, which always reads back. */
static void shortest_digits(double v, char *buf, size_t size) {
  if (fabs(v) < DBL_MIN) { /* subnormal: fewer bits, so search every precision */
    int lo = 0, hi = 16;
    while (lo < hi) {
      int mid = (lo + hi) / 2;
      snprintf(buf, size, "%.*e", mid, v);
      if (strtod(buf, NULL) == v) hi = mid;
      else lo = mid + 1;
    }
    snprintf(buf, size, "%.*e", lo, v);
    return;
  }
  for (int p = 14; p < 16; p++) {
    snprintf(buf, size, "%.*e", p, v);
    if (strtod(buf, NULL) == v) return;
  }
  snprintf(buf, size, "%.16e", v);
}

/* Python's float repr: scientific when the exponent is < -4 or >= 16, else fixed with at least
 * one digit after the point. */
int tul__fmt_float(double v, char out[40]) {
  if (isnan(v)) return put(out, "nan");
  if (isinf(v)) return put(out, v < 0 ? "-inf" : "inf");
  if (v == 0) return put(out, signbit(v) ? "-0.0" : "0.0");
  if (v > -1e15 && v < 1e15 && v == (double)(int64_t)v) /* integral: exact as an int (range first:
                                                            converting a float beyond int64 is UB) */
    return sprintf(out, "%lld.0", (long long)v);
  char buf[40], digits[24];
  shortest_digits(v, buf, sizeof buf);
  const char *q = buf;
  int nd = 0, k = 0;
  if (*q == '-') {
    out[k++] = '-';
    q++;
  }
  for (; *q != 'e'; q++)
    if (*q != '.') digits[nd++] = *q;
  int exp = atoi(q + 1);
  while (nd > 1 && digits[nd - 1] == '0') nd--;
  if (exp < -4 || exp >= 16) {
    out[k++] = digits[0];
    if (nd > 1) {
      out[k++] = '.';
      memcpy(out + k, digits + 1, (size_t)nd - 1);
      k += nd - 1;
    }
    k += sprintf(out + k, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    return k;
  }
  if (exp < 0) {
    out[k++] = '0';
    out[k++] = '.';
    for (int i = 0; i < -exp - 1; i++) out[k++] = '0';
    memcpy(out + k, digits, (size_t)nd);
    k += nd;
  } else {
    for (int i = 0; i <= exp; i++) out[k++] = i < nd ? digits[i] : '0';
    out[k++] = '.';
    if (nd > exp + 1) {
      memcpy(out + k, digits + exp + 1, (size_t)(nd - exp - 1));
      k += nd - exp - 1;
    } else {
      out[k++] = '0';
    }
  }
  out[k] = 0;
  return k;
}

/* Decimal digits of v into the end of buf[24]; returns the start. */
static char *int_digits(int64_t v, char buf[24]) {
  char *p = buf + 23;
  *p = 0;
  uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  do {
    *--p = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) *--p = '-';
  return p;
}

void tul__sb_int(tul__sb *b, int64_t v) {
  char buf[24];
  char *p = int_digits(v, buf);
  tul__sb_add(b, p, buf + 23 - p);
}

void tul__sb_float(tul__sb *b, double v) {
  char buf[40];
  int n = tul__fmt_float(v, buf);
  tul__sb_add(b, buf, n);
}

tul_str *tul_str_from_int(int64_t v) {
  char buf[24];
  char *p = int_digits(v, buf);
  tul_str *s = tul__str_from(p, buf + 23 - p);
  s->cplen = s->len;
  return s;
}

tul_str *tul_str_from_float(double v) {
  char buf[40];
  int n = tul__fmt_float(v, buf);
  tul_str *s = tul__str_from(buf, n);
  s->cplen = n;
  return s;
}

static const tul_str str_true = {4, 4, "true"}, str_false = {5, 5, "false"}, str_null = {4, 4, "null"};

tul_str *tul_str_from_bool(_Bool v) { return (tul_str *)(v ? &str_true : &str_false); }

/* ---------------------------------------------------------------- strings */

void tul__sb_escaped(tul__sb *b, const char *p, int64_t n) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *u = (const unsigned char *)p;
  int64_t run = 0; /* start of the pending run of plain bytes */
  for (int64_t i = 0; i < n; i++) {
    unsigned char c = u[i];
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') continue;
    if (c >= 0x80) {
      int k = tul__utf8_seq(u + i, u + n);
      if (k) {
        i += k - 1;
        continue;
      }
      tul__sb_add(b, p + run, i - run);
      run = i + 1;
      tul__sb_add(b, "\xEF\xBF\xBD", 3); /* U+FFFD REPLACEMENT CHARACTER */
      continue;
    }
    tul__sb_add(b, p + run, i - run);
    run = i + 1;
    char esc[7] = {'\\', 0};
    int len = 2;
    switch (c) {
    case '"': esc[1] = '"'; break;
    case '\\': esc[1] = '\\'; break;
    case '\n': esc[1] = 'n'; break;
    case '\t': esc[1] = 't'; break;
    case '\r': esc[1] = 'r'; break;
    case '\b': esc[1] = 'b'; break;
    case '\f': esc[1] = 'f'; break;
    default:
      memcpy(esc + 1, "u00", 3);
      esc[4] = hex[c >> 4];
      esc[5] = hex[c & 15];
      len = 6;
    }
    tul__sb_add(b, esc, len);
  }
  tul__sb_add(b, p + run, n - run);
}

void tul__sb_quoted(tul__sb *b, const char *p, int64_t n) {
  tul__sb_ch(b, '"');
  tul__sb_escaped(b, p, n);
  tul__sb_ch(b, '"');
}

void tul__throw_quoting(const char *before, const char *p, int64_t n, const char *after) {
  tul__sb b;
  tul__sb_init(&b);
  tul__sb_cstr(&b, before);
  tul__sb_escaped(&b, p, n);
  tul__sb_cstr(&b, after);
  tul__throw_str(tul__sb_finish(&b));
}

static void sb_str(tul__sb *b, const tul_str *s, int quoted) {
  if (!s) s = &tul_empty_str;
  if (quoted) tul__sb_quoted(b, s->data, s->len);
  else tul__sb_add(b, s->data, s->len);
}

/* ---------------------------------------------------------------- containers */

static void sb_array(tul__sb *b, const tul_arr *a) {
  if (!a) {
    tul__sb_cstr(b, "null");
    return;
  }
  tul__sb_ch(b, '[');
  const tul_type *et = a->elem;
  for (int64_t i = 0; i < a->len; i++) {
    if (i) tul__sb_ch(b, ',');
    tul__sb_value(b, a->data + i * et->size, et, 1);
  }
  tul__sb_ch(b, ']');
}

static void sb_struct(tul__sb *b, const void *obj, const tul_type *t) {
  if (!obj) {
    tul__sb_cstr(b, "null");
    return;
  }
  tul__sb_cstr(b, t->name ? t->name : "struct");
  tul__sb_ch(b, '{');
  for (int64_t i = 0; i < t->nfields; i++) {
    const tul_field *f = &t->fields[i];
    if (i) tul__sb_add(b, ", ", 2);
    tul__sb_cstr(b, f->name);
    tul__sb_add(b, ": ", 2);
    tul__sb_value(b, (const char *)obj + f->offset, f->type, 1);
  }
  tul__sb_ch(b, '}');
}

/* A json value in print form (`quoted`: a string is quoted, as inside containers) or, `strict`,
 * as toJson's JSON text, where a non-finite float becomes null. Container elements are quoted. */
static void sb_json_as(tul__sb *b, const tul_json *j, int quoted, int strict) {
  tul__check_stack();
  if (!j) {
    tul__sb_cstr(b, "null");
    return;
  }
  switch (j->tag) {
  case TUL_J_BOOL: tul__sb_cstr(b, j->u.b ? "true" : "false"); return;
  case TUL_J_INT: tul__sb_int(b, j->u.i); return;
  case TUL_J_FLOAT:
    if (strict && !isfinite(j->u.f)) tul__sb_cstr(b, "null");
    else tul__sb_float(b, j->u.f);
    return;
  case TUL_J_STR: sb_str(b, j->u.s, quoted); return;
  case TUL_J_ARRAY: {
    const tul_arr *a = j->u.a; /* elements are json */
    tul__sb_ch(b, '[');
    for (int64_t i = 0; i < a->len; i++) {
      if (i) tul__sb_ch(b, ',');
      sb_json_as(b, ((tul_json *const *)a->data)[i], 1, strict);
    }
    tul__sb_ch(b, ']');
    return;
  }
  case TUL_J_OBJECT: {
    tul__sb_ch(b, '{');
    for (int64_t i = 0, n = tul__jobj_len(j); i < n; i++) {
      if (i) tul__sb_ch(b, ',');
      const tul_str *k = tul__jobj_key(j, i);
      tul__sb_quoted(b, k->data, k->len);
      tul__sb_ch(b, ':');
      sb_json_as(b, tul__jobj_val(j, i), 1, strict);
    }
    tul__sb_ch(b, '}');
    return;
  }
  }
  tul__sb_cstr(b, "null");
}

void tul__sb_json(tul__sb *b, const tul_json *j, int quoted) { sb_json_as(b, j, quoted, 0); }

void tul__sb_json_text(tul__sb *b, const tul_json *j) { sb_json_as(b, j, 1, 1); }

/* `<channel 2/16>`: buffered values and capacity, then ` closed` once closed. */
static void sb_channel(tul__sb *b, const tul_chan *c) {
  if (!c) {
    tul__sb_cstr(b, "null");
    return;
  }
  char buf[64];
  snprintf(buf, sizeof buf, "<channel %lld/%lld%s>", (long long)tul_chan_len(c),
           (long long)tul_chan_cap(c), tul_chan_closed(c) ? " closed" : "");
  tul__sb_cstr(b, buf);
}

void tul__sb_value(tul__sb *b, const void *slot, const tul_type *type, int quoted) {
  tul__check_stack();
  void *ptr = NULL;
  if (type->kind != TUL_K_BOOL && type->kind != TUL_K_VOID) memcpy(&ptr, slot, sizeof ptr);
  switch (type->kind) {
  case TUL_K_INT: tul__sb_int(b, *(const int64_t *)slot); return;
  case TUL_K_FLOAT: tul__sb_float(b, *(const double *)slot); return;
  case TUL_K_BOOL: tul__sb_cstr(b, *(const char *)slot ? "true" : "false"); return;
  case TUL_K_STR: sb_str(b, ptr, quoted); return;
  case TUL_K_JSON: tul__sb_json(b, ptr, quoted); return;
  case TUL_K_ARRAY: sb_array(b, ptr); return;
  case TUL_K_STRUCT: sb_struct(b, ptr, type); return;
  case TUL_K_MAP: tul__sb_map(b, ptr); return;
  case TUL_K_FUNC: tul__sb_cstr(b, "<function>"); return;
  case TUL_K_PROMISE: tul__sb_cstr(b, ptr ? tul_promise_describe(ptr) : "null"); return;
  case TUL_K_CHANNEL: sb_channel(b, ptr); return;
  default: tul__sb_cstr(b, "null");
  }
}

tul_str *tul_to_str(const void *slot, const tul_type *type) {
  switch (type->kind) {
  case TUL_K_INT: return tul_str_from_int(*(const int64_t *)slot);
  case TUL_K_FLOAT: return tul_str_from_float(*(const double *)slot);
  case TUL_K_BOOL: return tul_str_from_bool(*(const char *)slot != 0);
  case TUL_K_STR: {
    tul_str *s;
    memcpy(&s, slot, sizeof s);
    return s ? s : (tul_str *)&tul_empty_str;
  }
  case TUL_K_JSON: {
    tul_json *j;
    memcpy(&j, slot, sizeof j);
    return tul_json_to_str(j);
  }
  }
  tul__sb b;
  tul__sb_init(&b);
  tul__sb_value(&b, slot, type, 0);
  return tul__sb_finish(&b);
}

tul_str *tul_json_to_str(const tul_json *j) {
  if (!j) return (tul_str *)&str_null;
  switch (j->tag) {
  case TUL_J_STR: return j->u.s;
  case TUL_J_INT: return tul_str_from_int(j->u.i);
  case TUL_J_FLOAT: return tul_str_from_float(j->u.f);
  case TUL_J_BOOL: return tul_str_from_bool(j->u.b);
  }
  tul__sb b;
  tul__sb_init(&b);
  tul__sb_json(&b, j, 0);
  return tul__sb_finish(&b);
}

const char *tul__type_name(const tul_type *t, char *buf, size_t n) {
  if (!t) return "void";
  switch (t->kind) {
  case TUL_K_INT: return "int";
  case TUL_K_FLOAT: return "float";
  case TUL_K_BOOL: return "bool";
  case TUL_K_STR: return "str";
  case TUL_K_JSON: return "json";
  case TUL_K_STRUCT: return t->name ? t->name : "struct";
  case TUL_K_FUNC: return "function";
  case TUL_K_PROMISE: return "promise";
  case TUL_K_CHANNEL: return "channel";
  case TUL_K_VOID: return "void";
  case TUL_K_ARRAY: {
    char inner[96];
    snprintf(buf, n, "%s[]", tul__type_name(t->elem, inner, sizeof inner));
    return buf;
  }
  case TUL_K_MAP: {
    char inner[96];
    snprintf(buf, n, "map<%s, %s>", t->nfields == TUL_K_INT ? "int" : "str", tul__type_name(t->elem, inner, sizeof inner));
    return buf;
  }
  }
  return "?";
}
