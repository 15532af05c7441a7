/* fmtspec_parse.c: parsing and checking of format specs (fmtspec.h). Pure C: no GC, no throws;
 * errors come back as text, which format() throws as ValueError and the compiler reports. */
#include <stdio.h>
#include <string.h>
#include "fmtspec.h"

static int is_align(char c) { return c == '<' || c == '>' || c == '=' || c == '^'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Bytes of the UTF-8 sequence starting with lead byte c (1 for a stray continuation byte). */
static int utf8_len(unsigned char c) {
  if (c >= 0xF0 && c < 0xF8) return 4;
  if (c >= 0xE0) return c < 0xF0 ? 3 : 1;
  if (c >= 0xC0) return 2;
  return 1;
}

static int fail(char *err, size_t errlen, const char *msg, const char *spec, int64_t n) {
  snprintf(err, errlen, msg, (int)(n > 200 ? 200 : n), spec);
  return 0;
}

/* [[fill]align] */
static int64_t parse_align(const char *s, int64_t n, tul__fspec *f) {
  int k = utf8_len((unsigned char)s[0]);
  if (n > k && k <= n && is_align(s[k])) {
    memcpy(f->fill, s, (size_t)k);
    f->fill[k] = 0;
    f->fill_len = k;
    f->fill_given = 1;
    f->align = s[k];
    return k + 1;
  }
  if (n > 0 && is_align(s[0])) {
    f->align = s[0];
    return 1;
  }
  return 0;
}

/* Decimal digits at s[*i]; -2 when the number exceeds TUL__FSPEC_MAX, -1 when there are none. */
static int64_t parse_number(const char *s, int64_t n, int64_t *i) {
  if (*i >= n || !is_digit(s[*i])) return -1;
  int64_t v = 0;
  for (; *i < n && is_digit(s[*i]); (*i)++) {
    v = v * 10 + (s[*i] - '0');
    if (v > TUL__FSPEC_MAX) return -2;
  }
  return v;
}

static int known_type(char c) { return c && strchr("sdcboxXeEfFgG%", c) != NULL; }

int tul__fspec_parse(const char *spec, int64_t n, tul__fspec *f, char *err, size_t errlen) {
  memset(f, 0, sizeof *f);
  f->fill[0] = ' ';
  f->fill_len = 1;
  f->precision = -1;
  int64_t i = n > 0 ? parse_align(spec, n, f) : 0;
  if (i < n && (spec[i] == '+' || spec[i] == '-' || spec[i] == ' ')) f->sign = spec[i++];
  if (i < n && spec[i] == 'z') f->coerce_zero = 1, i++;
  if (i < n && spec[i] == '#') f->alt = 1, i++;
  if (i < n && spec[i] == '0') f->zero = 1, i++;
  int64_t w = parse_number(spec, n, &i);
  if (w == -2) return fail(err, errlen, "width too large in format spec '%.*s'", spec, n);
  f->width = w < 0 ? 0 : w;
  if (i < n && (spec[i] == ',' || spec[i] == '_')) f->grouping = spec[i++];
  if (i < n && spec[i] == '.') {
    i++;
    f->precision = parse_number(spec, n, &i);
    if (f->precision == -1) return fail(err, errlen, "missing precision after '.' in format spec '%.*s'", spec, n);
    if (f->precision == -2) return fail(err, errlen, "precision too large in format spec '%.*s'", spec, n);
  }
  if (i == n - 1 && known_type(spec[i])) f->type = spec[i++];
  if (i == n - 1 && ((spec[i] >= 'a' && spec[i] <= 'z') || (spec[i] >= 'A' && spec[i] <= 'Z'))) {
    snprintf(err, errlen, "unknown format type '%c' in format spec '%.*s'", spec[i], (int)n, spec);
    return 0;
  }
  if (i != n) return fail(err, errlen, "invalid format spec '%.*s'", spec, n);
  if (f->zero && !f->fill_given) { /* sign-aware zero padding */
    f->fill[0] = '0';
    f->fill_len = 1;
  }
  return 1;
}

static const char *kind_name(enum tul__fkind kind) {
  switch (kind) {
  case TUL__FK_INT: return "int";
  case TUL__FK_FLOAT: return "float";
  case TUL__FK_STR: return "str";
  case TUL__FK_BOOL: return "bool";
  case TUL__FK_ANY: return "json";
  }
  return "value";
}

static int bad(char *err, size_t errlen, const char *msg, char c, enum tul__fkind kind) {
  if (c) snprintf(err, errlen, msg, c, kind_name(kind));
  else snprintf(err, errlen, msg, kind_name(kind));
  return 0;
}

static int check_text(const tul__fspec *f, enum tul__fkind kind, char *err, size_t errlen) {
  if (f->type && f->type != 's') return bad(err, errlen, "format type '%c' is not allowed with %s", f->type, kind);
  if (f->sign) return bad(err, errlen, "a sign is not allowed with %s", 0, kind);
  if (f->alt) return bad(err, errlen, "'#' is not allowed with %s", 0, kind);
  if (f->coerce_zero) return bad(err, errlen, "'z' is not allowed with %s", 0, kind);
  if (f->align == '=') return bad(err, errlen, "'=' alignment is not allowed with %s", 0, kind);
  if (f->grouping) return bad(err, errlen, "'%c' grouping is not allowed with %s", f->grouping, kind);
  return 1;
}

static int is_float_type(char t) { return t && strchr("eEfFgG%", t) != NULL; }

static int check_int(const tul__fspec *f, char *err, size_t errlen) {
  char t = f->type;
  if (t == 's') return bad(err, errlen, "format type '%c' is not allowed with %s", t, TUL__FK_INT);
  if (is_float_type(t)) return 1;
  if (f->precision >= 0)
    return bad(err, errlen, t ? "precision is not allowed with format type '%c' (%s)" : "precision is not allowed with %s",
               t, TUL__FK_INT);
  if (f->coerce_zero) return bad(err, errlen, "'z' is not allowed with %s formats", 0, TUL__FK_INT);
  if (t == 'c' && (f->sign || f->alt || f->grouping))
    return bad(err, errlen, "a sign, '#' or grouping is not allowed with format type '%c' (%s)", t, TUL__FK_INT);
  if (f->grouping == ',' && t && t != 'd')
    return bad(err, errlen, "',' grouping is not allowed with format type '%c' (%s)", t, TUL__FK_INT);
  return 1;
}

static int check_float(const tul__fspec *f, char *err, size_t errlen) {
  if (f->type && !is_float_type(f->type))
    return bad(err, errlen, "format type '%c' is not allowed with %s", f->type, TUL__FK_FLOAT);
  return 1;
}

int tul__fspec_check(const tul__fspec *f, enum tul__fkind kind, char *err, size_t errlen) {
  switch (kind) {
  case TUL__FK_INT: return check_int(f, err, errlen);
  case TUL__FK_FLOAT: return check_float(f, err, errlen);
  case TUL__FK_STR:
  case TUL__FK_BOOL: return check_text(f, kind, err, errlen);
  case TUL__FK_ANY: return 1;
  }
  return 1;
}

int tul__fspec_validate(const char *spec, int64_t n, enum tul__fkind kind, char *err, size_t errlen) {
  tul__fspec f;
  return tul__fspec_parse(spec, n, &f, err, errlen) && tul__fspec_check(&f, kind, err, errlen);
}
