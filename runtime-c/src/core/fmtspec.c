/* fmtspec.c: the formatting engine behind format(v, spec), t-string fields with a spec and
 * pad_left/pad_right: Python's format mini-language (fmtspec.h) applied to ints, floats, strings,
 * bools, json values and, through their string forms, everything else. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <utf8proc.h>
#include "fmtspec.h"
#include "rt_int.h"

static TUL_NORETURN void value_error(const char *msg) { tul__throw_fmt("ValueError: %s", msg); }

static void parse_or_throw(const tul_str *spec, enum tul__fkind kind, tul__fspec *f) {
  char err[320];
  if (!tul__fspec_parse(spec->data, spec->len, f, err, sizeof err) || !tul__fspec_check(f, kind, err, sizeof err))
    value_error(err);
}

/* ---------------------------------------------------------------- padding */

static void add_fill(tul__sb *b, const tul__fspec *f, int64_t n) {
  for (int64_t i = 0; i < n; i++) tul__sb_add(b, f->fill, f->fill_len);
}

/* Writes head (sign and base prefix) and body aligned in f->width code points. `body_cps` is the
 * body's length in code points. '=' puts the fill between head and body. */
static void emit_padded(tul__sb *b, const tul__fspec *f, char default_align, const char *head, int64_t head_len,
                        const char *body, int64_t body_len, int64_t body_cps) {
  int64_t pad = f->width - head_len - body_cps;
  char align = f->align ? f->align : f->zero && default_align == '>' ? '=' : default_align;
  if (pad <= 0) align = '<';
  int64_t before = align == '>' ? pad : align == '^' ? pad / 2 : 0;
  int64_t after = align == '<' ? pad : align == '^' ? pad - pad / 2 : 0;
  /* all of it at once: a width no memory holds fails in one allocation (MemoryError), instead of
   * doubling the buffer until the system kills the process */
  int64_t fill = pad > 0 ? pad : 0, bytes;
  if (__builtin_mul_overflow(fill, (int64_t)(f->fill_len > 0 ? f->fill_len : 1), &bytes) || __builtin_add_overflow(bytes, head_len + body_len + 1, &bytes))
    tul_throw_msg("MemoryError: out of memory");
  if (b->len + bytes > b->cap) tul__sb_grow(b, bytes);
  add_fill(b, f, before);
  tul__sb_add(b, head, head_len);
  if (align == '=') add_fill(b, f, pad);
  tul__sb_add(b, body, body_len);
  add_fill(b, f, after);
}

/* ---------------------------------------------------------------- digit grouping */

/* Appends `digits` (n ASCII digits) with `sep` between groups of `group`, left-padded with zeros to
 * at least `min_len` characters when min_len > 0 (Python's zero padding with grouping: the padding
 * is grouped too, and a separator never comes first, so the result may be one longer). */
static void add_grouped(tul__sb *b, const char *digits, int64_t n, int group, char sep, int64_t min_len) {
  int64_t total = n;
  while (total + (total - 1) / group < min_len) total++;
  for (int64_t i = 0; i < total; i++) {
    if (i > 0 && (total - i) % group == 0) tul__sb_ch(b, sep);
    tul__sb_ch(b, i < total - n ? '0' : digits[i - (total - n)]);
  }
}

static int zero_grouping(const tul__fspec *f) {
  char align = f->align ? f->align : f->zero ? '=' : '>';
  return f->grouping && align == '=' && f->fill_len == 1 && f->fill[0] == '0';
}

/* Body = integer digits (grouped when asked) + the rest (fraction, exponent, '%'). */
static void emit_number(tul__sb *b, const tul__fspec *f, const char *head, int64_t head_len, const char *digits,
                        int64_t ndigits, const char *rest, int64_t rest_len, int group) {
  if (!f->grouping) {
    tul__sb body;
    tul__sb_init(&body);
    tul__sb_add(&body, digits, ndigits);
    tul__sb_add(&body, rest, rest_len);
    emit_padded(b, f, '>', head, head_len, body.p, body.len, body.len);
    tul__sb_free(&body);
    return;
  }
  int64_t min_len = zero_grouping(f) ? f->width - head_len - rest_len : 0;
  tul__sb body;
  tul__sb_init(&body);
  add_grouped(&body, digits, ndigits, group, f->grouping, min_len);
  tul__sb_add(&body, rest, rest_len);
  emit_padded(b, f, '>', head, head_len, body.p, body.len, body.len);
  tul__sb_free(&body);
}

/* ---------------------------------------------------------------- floats */

static void reserve(tul__sb *s, int64_t n) {
  if (s->len + n + 1 > s->cap) tul__sb_grow(s, n + 1);
}

static int upper_type(char t) { return t == 'E' || t == 'F' || t == 'G'; }

static void strip_zeros(tul__sb *s, int keep_one_decimal) {
  char *dot = memchr(s->p, '.', (size_t)s->len);
  if (!dot) return;
  int64_t end = s->len;
  while (end > 0 && s->p[end - 1] == '0') end--;
  if (s->p[end - 1] == '.') end += keep_one_decimal ? 1 : -1;
  s->len = end;
}

/* The general format with p significant digits; `repr_like` (no type letter): at least one decimal
 * in fixed notation and scientific from exponent p - 1 on, as Python does. */
static void float_general(tul__sb *s, double a, int64_t p, const tul__fspec *f, int repr_like) {
  if (p == 0) p = 1;
  char probe[64];
  snprintf(probe, sizeof probe, "%.*e", (int)(p - 1 > 40 ? 40 : p - 1), a);
  int exp = atoi(strchr(probe, 'e') + 1);
  int64_t limit = repr_like ? p - 1 : p;
  char buf[32];
  if (exp >= -4 && exp < limit) {
    snprintf(buf, sizeof buf, "%%%s.%df", f->alt ? "#" : "", (int)(p - 1 - exp));
    int64_t n = snprintf(NULL, 0, buf, a);
    reserve(s, n);
    snprintf(s->p + s->len, (size_t)n + 1, buf, a);
    s->len += n;
    if (!f->alt) strip_zeros(s, repr_like);
    else if (repr_like && !memchr(s->p, '.', (size_t)s->len)) tul__sb_cstr(s, ".0");
    return;
  }
  tul__sb m;
  tul__sb_init(&m);
  snprintf(buf, sizeof buf, "%%%s.%de", f->alt ? "#" : "", (int)(p - 1));
  int64_t n = snprintf(NULL, 0, buf, a);
  reserve(&m, n);
  snprintf(m.p, (size_t)n + 1, buf, a);
  m.len = n;
  char *e = memchr(m.p, 'e', (size_t)m.len);
  int64_t mant = e - m.p, elen = m.len - mant;
  char exp_part[16];
  memcpy(exp_part, e, (size_t)elen);
  m.len = mant;
  if (!f->alt) strip_zeros(&m, 0);
  tul__sb_add(s, m.p, m.len);
  tul__sb_add(s, exp_part, elen);
  tul__sb_free(&m);
}

static void printf_into(tul__sb *s, const char *fmt, int64_t precision, double a) {
  int64_t n = snprintf(NULL, 0, fmt, (int)precision, a);
  reserve(s, n);
  snprintf(s->p + s->len, (size_t)n + 1, fmt, (int)precision, a);
  s->len += n;
}

/* The text of |v| by type (no sign). */
static void float_magnitude(tul__sb *s, double a, const tul__fspec *f) {
  int64_t p = f->precision;
  switch (f->type) {
  case 'f':
  case 'F': printf_into(s, f->alt ? "%#.*f" : "%.*f", p < 0 ? 6 : p, a); return;
  case '%': printf_into(s, f->alt ? "%#.*f" : "%.*f", p < 0 ? 6 : p, a * 100); tul__sb_ch(s, '%'); return;
  case 'e': printf_into(s, f->alt ? "%#.*e" : "%.*e", p < 0 ? 6 : p, a); return;
  case 'E': printf_into(s, f->alt ? "%#.*E" : "%.*E", p < 0 ? 6 : p, a); return;
  case 'g': float_general(s, a, p < 0 ? 6 : p, f, 0); return;
  case 'G': {
    int64_t from = s->len;
    float_general(s, a, p < 0 ? 6 : p, f, 0);
    for (int64_t i = from; i < s->len; i++)
      if (s->p[i] == 'e') s->p[i] = 'E';
    return;
  }
  default:
    if (p < 0) {
      int64_t from = s->len;
      tul__sb_float(s, a);
      char *e = memchr(s->p + from, 'e', (size_t)(s->len - from));
      if (f->alt && e && !memchr(s->p + from, '.', (size_t)(e - s->p - from))) { /* '#': keep the point */
        int64_t at = e - s->p;
        tul__sb_ch(s, ' ');
        memmove(s->p + at + 1, s->p + at, (size_t)(s->len - 1 - at));
        s->p[at] = '.';
      }
      return;
    }
    float_general(s, a, p, f, 1);
  }
}

static int all_zero_digits(const char *p, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    if (p[i] == 'e' || p[i] == 'E' || p[i] == '%') break;
    if (p[i] >= '1' && p[i] <= '9') return 0;
  }
  return 1;
}

static const char *sign_text(int negative, char sign) {
  if (negative) return "-";
  return sign == '+' ? "+" : sign == ' ' ? " " : "";
}

static void format_float(tul__sb *b, double v, const tul__fspec *f) {
  int negative = !isnan(v) && signbit(v);
  tul__sb mag;
  tul__sb_init(&mag);
  if (!isfinite(v)) {
    const char *t = isnan(v) ? "nan" : "inf";
    tul__sb_cstr(&mag, upper_type(f->type) ? (isnan(v) ? "NAN" : "INF") : t);
    if (f->type == '%') tul__sb_ch(&mag, '%');
  } else {
    float_magnitude(&mag, fabs(v), f);
    if (f->coerce_zero && negative && all_zero_digits(mag.p, mag.len)) negative = 0;
  }
  const char *head = sign_text(negative, f->sign);
  int64_t ndigits = 0;
  while (ndigits < mag.len && mag.p[ndigits] >= '0' && mag.p[ndigits] <= '9') ndigits++;
  tul__fspec plain = *f;
  if (!isfinite(v)) plain.grouping = 0; /* inf and nan are never grouped, even in zero padding */
  emit_number(b, &plain, head, (int64_t)strlen(head), mag.p, ndigits, mag.p + ndigits, mag.len - ndigits, 3);
  tul__sb_free(&mag);
}

/* ---------------------------------------------------------------- ints */

static void format_char(tul__sb *b, int64_t v, const tul__fspec *f) {
  if (v < 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
    tul__throw_fmt("ValueError: format type 'c' needs a code point (0 to 0x10FFFF), got %lld", (long long)v);
  utf8proc_uint8_t enc[4];
  utf8proc_ssize_t n = utf8proc_encode_char((utf8proc_int32_t)v, enc);
  emit_padded(b, f, '<', "", 0, (const char *)enc, n, 1);
}

static void format_int(tul__sb *b, int64_t v, const tul__fspec *f) {
  char t = f->type;
  if (t && strchr("eEfFgG%", t)) {
    format_float(b, (double)v, f);
    return;
  }
  if (t == 'c') {
    format_char(b, v, f);
    return;
  }
  int base = t == 'b' ? 2 : t == 'o' ? 8 : t == 'x' || t == 'X' ? 16 : 10;
  const char *alphabet = t == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
  uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  char digits[72];
  int n = 0;
  char tmp[72];
  do {
    tmp[n++] = alphabet[u % (uint64_t)base];
    u /= (uint64_t)base;
  } while (u);
  for (int i = 0; i < n; i++) digits[i] = tmp[n - 1 - i];
  char head[8];
  int hl = (int)strlen(strcpy(head, sign_text(v < 0, f->sign)));
  if (f->alt && base != 10) {
    head[hl++] = '0';
    head[hl++] = t;
  }
  head[hl] = 0;
  emit_number(b, f, head, hl, digits, n, "", 0, base == 10 ? 3 : 4);
}

/* ---------------------------------------------------------------- text */

static void format_text(tul__sb *b, const char *p, int64_t n, const tul__fspec *f) {
  int64_t cps = tul__utf8_count(p, n);
  if (f->precision >= 0 && cps > f->precision) {
    int64_t keep = 0, off = 0;
    for (; off < n; off++) {
      if (((unsigned char)p[off] & 0xC0) != 0x80) {
        if (keep == f->precision) break;
        keep++;
      }
    }
    n = off;
    cps = f->precision;
  }
  emit_padded(b, f, '<', "", 0, p, n, cps);
}

/* ---------------------------------------------------------------- entry points */

static enum tul__fkind json_kind(const tul_json *j) {
  if (!j) return TUL__FK_STR;
  switch (j->tag) {
  case TUL_J_INT: return TUL__FK_INT;
  case TUL_J_FLOAT: return TUL__FK_FLOAT;
  case TUL_J_BOOL: return TUL__FK_BOOL;
  default: return TUL__FK_STR;
  }
}

static void format_json(tul__sb *b, const tul_json *j, const tul_str *spec) {
  tul__fspec f;
  enum tul__fkind kind = json_kind(j);
  parse_or_throw(spec, kind, &f);
  if (kind == TUL__FK_INT) format_int(b, j->u.i, &f);
  else if (kind == TUL__FK_FLOAT) format_float(b, j->u.f, &f);
  else {
    tul_str *s = tul_json_to_str(j);
    format_text(b, s->data, s->len, &f);
  }
}

void tul__sb_format(tul__sb *b, const void *slot, const tul_type *type, const tul_str *spec) {
  tul__fspec f;
  switch (type->kind) {
  case TUL_K_INT:
    parse_or_throw(spec, TUL__FK_INT, &f);
    format_int(b, *(const int64_t *)slot, &f);
    return;
  case TUL_K_FLOAT:
    parse_or_throw(spec, TUL__FK_FLOAT, &f);
    format_float(b, *(const double *)slot, &f);
    return;
  case TUL_K_JSON: {
    tul_json *j;
    memcpy(&j, slot, sizeof j);
    format_json(b, j, spec);
    return;
  }
  default: {
    parse_or_throw(spec, type->kind == TUL_K_BOOL ? TUL__FK_BOOL : TUL__FK_STR, &f);
    tul_str *s = tul_to_str(slot, type);
    format_text(b, s->data, s->len, &f);
  }
  }
}

tul_str *tul_format(const void *slot, const tul_type *type, const tul_str *spec) {
  tul__sb b;
  tul__sb_init(&b);
  tul__sb_format(&b, slot, type, spec);
  return tul__sb_finish(&b);
}

tul_str *tul_format_int(int64_t v, const tul_str *spec) { return tul_format(&v, &tul_type_int, spec); }
tul_str *tul_format_float(double v, const tul_str *spec) { return tul_format(&v, &tul_type_float, spec); }
tul_str *tul_format_str(const tul_str *s, const tul_str *spec) { return tul_format(&s, &tul_type_str, spec); }

/* ---------------------------------------------------------------- pad_left, pad_right */

static const tul_str space = {1, 1, " "};

static tul_str *pad(const tul_str *s, int64_t width, const tul_str *fill, char align) {
  if (!fill) fill = &space;
  if (tul__cplen(fill) != 1)
    tul__throw_fmt("ValueError: the fill must be exactly one character, got \"%s\"", fill->data);
  int64_t n = tul__cplen(s);
  if (width <= n) return (tul_str *)s;
  tul__fspec f = {.fill_len = (int)fill->len, .align = align, .width = width, .precision = -1};
  memcpy(f.fill, fill->data, (size_t)fill->len);
  tul__sb b;
  tul__sb_init(&b);
  emit_padded(&b, &f, align, "", 0, s->data, s->len, n);
  tul_str *r = tul__sb_finish(&b);
  r->cplen = width;
  return r;
}

tul_str *tul_pad_left(const tul_str *s, int64_t width, const tul_str *fill) { return pad(s, width, fill, '>'); }
tul_str *tul_pad_right(const tul_str *s, int64_t width, const tul_str *fill) { return pad(s, width, fill, '<'); }
