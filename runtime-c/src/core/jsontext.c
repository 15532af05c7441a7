/* jsontext.c: JSON text: toJson (any value to compact JSON, strings always quoted, nan/inf as
 * null) and fromJson (a strict RFC 8259 parser: ints that fit become int, other numbers float). */
#include <errno.h>
#include <gc.h>
#include <math.h>
#include <stdlib.h>
#include "rt_int.h"

/* ---------------------------------------------------------------- toJson */

tul_str *tul_to_json(const void *slot, const tul_type *type) {
  tul_json *j = tul_json_box(slot, type);
  tul__sb b;
  tul__sb_init(&b);
  tul__sb_json_text(&b, j);
  return tul__sb_finish(&b);
}

/* ---------------------------------------------------------------- fromJson */

#define KEY_CACHE 256 /* object keys seen recently: repeated keys share one string */
#define KEY_CACHE_MAX 32
#define VALUE_CACHE 256 /* short string values seen recently: repeated ones share one json value */
#define VALUE_CACHE_MAX 24

typedef struct parser {
  const char *s, *end, *start;
  tul_str *keys[KEY_CACHE];
  tul__shape_cache shapes; /* records with the same keys share their shape */
  tul_json *values[VALUE_CACHE];
  void **stack; /* GC memory: the values (and keys) of the containers being parsed, innermost last */
  int64_t sp, cap;
} parser;

static void push(parser *p, void *v) {
  if (TUL_UNLIKELY(p->sp == p->cap)) {
    int64_t cap = p->cap ? p->cap * 2 : 256;
    void **s = GC_MALLOC((size_t)cap * sizeof *s);
    if (!s) tul_throw_msg("MemoryError: out of memory");
    if (p->sp) memcpy(s, p->stack, (size_t)p->sp * sizeof *s);
    p->stack = s;
    p->cap = cap;
  }
  p->stack[p->sp++] = v;
}

static tul_str *parse_string(parser *p);

static TUL_NORETURN void fail(parser *p, const char *what) {
  if (p->s >= p->end) tul__throw_fmt("ValueError: invalid JSON: unexpected end of input");
  unsigned char c = (unsigned char)*p->s;
  if (c >= 0x20 && c < 0x7f)
    tul__throw_fmt("ValueError: invalid JSON: %s at position %lld ('%c')", what, (long long)(p->s - p->start), c);
  tul__throw_fmt("ValueError: invalid JSON: %s at position %lld", what, (long long)(p->s - p->start));
}

static void skip_ws(parser *p) {
  while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r')) p->s++;
}

static int eat(parser *p, char c) {
  skip_ws(p);
  if (p->s < p->end && *p->s == c) {
    p->s++;
    return 1;
  }
  return 0;
}

static void expect_word(parser *p, const char *w) {
  size_t n = strlen(w);
  if ((size_t)(p->end - p->s) < n || memcmp(p->s, w, n) != 0) fail(p, "unexpected character");
  p->s += n;
}

/* Four hex digits (p->s advances over them); -1 at the first bad one (p->s there). */
static int hex4(parser *p) {
  if (p->end - p->s < 4) return -1;
  int v = 0;
  for (int i = 0; i < 4; i++) {
    char c = *p->s;
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
    p->s++;
  }
  return v;
}

static void put_utf8(tul__sb *b, uint32_t cp) {
  char e[4];
  int n;
  if (cp < 0x80) { e[0] = (char)cp; n = 1; }
  else if (cp < 0x800) { e[0] = (char)(0xC0 | cp >> 6); e[1] = (char)(0x80 | (cp & 63)); n = 2; }
  else if (cp < 0x10000) { e[0] = (char)(0xE0 | cp >> 12); e[1] = (char)(0x80 | ((cp >> 6) & 63)); e[2] = (char)(0x80 | (cp & 63)); n = 3; }
  else { e[0] = (char)(0xF0 | cp >> 18); e[1] = (char)(0x80 | ((cp >> 12) & 63)); e[2] = (char)(0x80 | ((cp >> 6) & 63)); e[3] = (char)(0x80 | (cp & 63)); n = 4; }
  tul__sb_add(b, e, n);
}

/* A `\uXXXX` escape (p->s after the `u`), with the low half of a surrogate pair when one follows.
 * Returns the code point, -2 for bad hex digits, or -1 for a lone surrogate (p->s then at its
 * backslash): a Tulpar string is UTF-8, which cannot hold one, and turning it silently into U+FFFD
 * would lose data. */
static int64_t unicode_escape(parser *p) {
  const char *at = p->s - 2;
  int cp = hex4(p);
  if (cp < 0) return -2;
  if (cp >= 0xD800 && cp < 0xDC00 && p->end - p->s >= 6 && p->s[0] == '\\' && p->s[1] == 'u') {
    const char *save = p->s;
    p->s += 2;
    int lo = hex4(p);
    if (lo >= 0xDC00 && lo < 0xE000) return 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    p->s = save;
  }
  if (cp < 0xD800 || cp >= 0xE000) return cp;
  p->s = at;
  return -1;
}

/* One escape (p->s after the backslash) into b; returns NULL, or what is wrong (p->s at it). */
static const char *escape(parser *p, tul__sb *b) {
  char c = *p->s++;
  switch (c) {
  case '"': case '\\': case '/': tul__sb_ch(b, c); return NULL;
  case 'b': tul__sb_ch(b, '\b'); return NULL;
  case 'f': tul__sb_ch(b, '\f'); return NULL;
  case 'n': tul__sb_ch(b, '\n'); return NULL;
  case 'r': tul__sb_ch(b, '\r'); return NULL;
  case 't': tul__sb_ch(b, '\t'); return NULL;
  case 'u': {
    int64_t cp = unicode_escape(p);
    if (cp < 0) return cp == -1 ? "lone surrogate" : "bad \\u escape";
    put_utf8(b, (uint32_t)cp);
    return NULL;
  }
  }
  p->s--;
  return "bad escape";
}

/* The common case: printable ASCII up to the closing quote, no escapes; one allocation, no copy
 * through the builder. Returns NULL (and consumes nothing) otherwise. */
static tul_str *plain_string(parser *p) {
  const char *q = p->s + 1;
  while (q < p->end && (unsigned char)*q >= 0x20 && (unsigned char)*q < 0x80 && *q != '"' && *q != '\\') q++;
  if (q >= p->end || *q != '"') return NULL;
  tul_str *r = tul__str_from(p->s + 1, q - p->s - 1);
  if (r->cplen < 0) r->cplen = r->len;
  p->s = q + 1;
  return r;
}

/* An object key: plain keys go through a small cache so that the keys of repeated records are
 * shared (strings are immutable). */
static tul_str *parse_key(parser *p) {
  const char *q = p->s + 1;
  uint32_t h = 2166136261u;
  while (q < p->end && q - p->s <= KEY_CACHE_MAX && (unsigned char)*q >= 0x20 && (unsigned char)*q < 0x80 && *q != '"' && *q != '\\')
    h = (h ^ (unsigned char)*q++) * 16777619u;
  if (q >= p->end || *q != '"') return parse_string(p);
  int64_t n = q - p->s - 1;
  tul_str **slot = &p->keys[h % KEY_CACHE];
  if (!*slot || (*slot)->len != n || memcmp((*slot)->data, p->s + 1, (size_t)n) != 0) *slot = plain_string(p);
  else p->s = q + 1;
  return *slot;
}

/* A string value: short plain ones go through a small cache, so that values repeated across records
 * ("city": "Ankara") share one json value (scalars are immutable). */
static tul_json *parse_str_value(parser *p) {
  const char *q = p->s + 1;
  uint32_t h = 2166136261u;
  while (q < p->end && q - p->s <= VALUE_CACHE_MAX && (unsigned char)*q >= 0x20 && (unsigned char)*q < 0x80 && *q != '"' && *q != '\\')
    h = (h ^ (unsigned char)*q++) * 16777619u;
  if (q >= p->end || *q != '"') return tul__json_str(parse_string(p));
  int64_t n = q - p->s - 1;
  tul_json **slot = &p->values[h % VALUE_CACHE];
  if (*slot && (*slot)->u.s->len == n && memcmp((*slot)->u.s->data, p->s + 1, (size_t)n) == 0) {
    p->s = q + 1;
    return *slot;
  }
  return *slot = tul__json_str(plain_string(p));
}

static tul_str *parse_string(parser *p) {
  tul_str *plain = plain_string(p);
  if (plain) return plain;
  p->s++; /* opening quote */
  tul__sb b;
  tul__sb_init(&b);
  for (;;) {
    if (p->s >= p->end) {
      tul__sb_free(&b);
      fail(p, "unterminated string");
    }
    unsigned char c = (unsigned char)*p->s;
    if (c == '"') break;
    if (c < 0x20) {
      tul__sb_free(&b);
      fail(p, "control character in string");
    }
    if (c == '\\') {
      p->s++;
      const char *bad = p->s >= p->end ? "unterminated string" : escape(p, &b);
      if (bad) {
        tul__sb_free(&b);
        fail(p, bad);
      }
      continue;
    }
    int n = tul__utf8_seq((const unsigned char *)p->s, (const unsigned char *)p->end);
    if (!n) {
      tul__sb_free(&b);
      fail(p, "invalid UTF-8");
    }
    tul__sb_add(&b, p->s, n);
    p->s += n;
  }
  p->s++;
  return tul__sb_finish(&b);
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static tul_json *parse_number(parser *p) {
  const char *start = p->s;
  int is_float = 0;
  if (p->s < p->end && *p->s == '-') p->s++;
  if (p->s < p->end && *p->s == '0') p->s++;
  else if (p->s < p->end && is_digit(*p->s)) while (p->s < p->end && is_digit(*p->s)) p->s++;
  else fail(p, "bad number");
  if (p->s < p->end && *p->s == '.') {
    is_float = 1;
    p->s++;
    if (p->s >= p->end || !is_digit(*p->s)) fail(p, "bad number");
    while (p->s < p->end && is_digit(*p->s)) p->s++;
  }
  if (p->s < p->end && (*p->s == 'e' || *p->s == 'E')) {
    is_float = 1;
    p->s++;
    if (p->s < p->end && (*p->s == '+' || *p->s == '-')) p->s++;
    if (p->s >= p->end || !is_digit(*p->s)) fail(p, "bad number");
    while (p->s < p->end && is_digit(*p->s)) p->s++;
  }
  char buf[64];
  size_t n = (size_t)(p->s - start);
  char *text = n < sizeof buf ? buf : malloc(n + 1);
  memcpy(text, start, n);
  text[n] = 0;
  tul_json *r = NULL;
  if (!is_float) {
    errno = 0;
    long long v = strtoll(text, NULL, 10);
    if (errno != ERANGE) r = tul__json_int(v);
  }
  double f = r ? 0 : strtod(text, NULL);
  if (text != buf) free(text);
  if (r) return r;
  if (isinf(f)) { /* JSON has no infinity: a number beyond the double range is an error, not inf */
    p->s = start;
    fail(p, "number out of range");
  }
  return tul__json_float(f);
}

static tul_json *parse_value(parser *p, int depth);

/* Containers collect their items on the parser's stack and are then allocated at their exact size. */
static tul_json *parse_array(parser *p, int depth) {
  p->s++;
  int64_t base = p->sp;
  if (!eat(p, ']')) {
    do push(p, parse_value(p, depth + 1));
    while (eat(p, ','));
    if (!eat(p, ']')) fail(p, "expected ',' or ']'");
  }
  int64_t n = p->sp - base;
  tul_arr *a = tul_arr_new(&tul_type_json, n);
  if (n) memcpy(a->data, p->stack + base, (size_t)n * sizeof(void *));
  p->sp = base;
  return tul__json_array(a);
}

static tul_json *parse_object(parser *p, int depth) {
  p->s++;
  int64_t base = p->sp;
  if (!eat(p, '}')) {
    do {
      skip_ws(p);
      if (p->s >= p->end || *p->s != '"') fail(p, "expected a string key");
      push(p, parse_key(p));
      if (!eat(p, ':')) fail(p, "expected ':'");
      push(p, parse_value(p, depth + 1));
    } while (eat(p, ','));
    if (!eat(p, '}')) fail(p, "expected ',' or '}'");
  }
  int64_t n = (p->sp - base) / 2;
  /* an empty object before anything was pushed: no stack yet, and NULL + 0 is undefined */
  tul__jshape *shape = tul__json_shape(&p->shapes, n ? p->stack + base : NULL, 2, n); /* {} before any push: no stack yet */
  tul_json *o;
  if (shape) {
    o = tul__json_object_shaped(shape);
    for (int64_t i = 0; i < n; i++) o->u.o->vals[i] = p->stack[base + 2 * i + 1];
  } else { /* a repeated key: the last value wins, in the first one's place */
    o = tul__json_object_sized(n);
    for (int64_t i = 0; i < n; i++) tul__json_obj_set(o, p->stack[base + 2 * i], p->stack[base + 2 * i + 1]);
  }
  p->sp = base;
  return o;
}

static tul_json *parse_value(parser *p, int depth) {
  /* Too deep for the limit or for the stack left: a ValueError either way, never a crash. */
  if (depth > 10000 || TUL_UNLIKELY((uintptr_t)__builtin_frame_address(0) < tul_stack_limit)) fail(p, "nesting too deep");
  skip_ws(p);
  if (p->s >= p->end) fail(p, "unexpected end of input");
  switch (*p->s) {
  case '{': return parse_object(p, depth);
  case '[': return parse_array(p, depth);
  case '"': return parse_str_value(p);
  case 't': expect_word(p, "true"); return tul__json_bool(1);
  case 'f': expect_word(p, "false"); return tul__json_bool(0);
  case 'n': expect_word(p, "null"); return NULL;
  default:
    if (*p->s == '-' || is_digit(*p->s)) return parse_number(p);
    fail(p, "unexpected character");
  }
}

tul_json *tul_from_json(const tul_str *text) {
  parser p = {text->data, text->data + text->len, text->data, {0}, {{0}}, {0}, NULL, 0, 0};
  tul_json *v = parse_value(&p, 0);
  skip_ws(&p);
  if (p.s < p.end) fail(&p, "unexpected character after the value");
  return v;
}
