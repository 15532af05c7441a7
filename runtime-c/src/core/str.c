/* str.c: immutable UTF-8 strings with code-point semantics (lengths, indexes, slices), the string
 * built-ins of tulrt.h, and the string builder the rest of the runtime uses. */
#include <gc.h>
#include <stdlib.h>
#include "rt_int.h"

const tul_str tul_empty_str = {0, 0, ""};

/* One-character strings for ASCII, so s[i] and split(s, "") on ASCII text allocate nothing. */
typedef struct small_str { int64_t len, cplen; char data[8]; } small_str;
static small_str ascii_chars[128];

static __attribute__((constructor)) void init_ascii_chars(void) {
  for (int c = 0; c < 128; c++) ascii_chars[c] = (small_str){1, 1, {(char)c, 0}};
}

/* ---------------------------------------------------------------- allocation */

tul_str *tul__str_alloc(int64_t len) {
  tul_str *s = GC_MALLOC_ATOMIC(sizeof(tul_str) + (size_t)len + 1);
  if (TUL_UNLIKELY(!s)) tul_throw_msg("MemoryError: out of memory");
  s->len = len;
  s->cplen = -1;
  s->data[len] = 0;
  return s;
}

tul_str *tul__str_from(const char *p, int64_t n) {
  if (n == 1 && (unsigned char)p[0] < 128) return (tul_str *)&ascii_chars[(unsigned char)p[0]];
  tul_str *s = tul__str_alloc(n);
  memcpy(s->data, p, (size_t)n);
  return s;
}

tul_str *tul__str_c(const char *p) { return tul__str_from(p, (int64_t)strlen(p)); }

/* ---------------------------------------------------------------- builder */

void tul__sb_init(tul__sb *b) {
  b->p = b->inline_buf;
  b->len = 0;
  b->cap = sizeof b->inline_buf;
}

void tul__sb_free(tul__sb *b) {
  if (b->p != b->inline_buf) free(b->p);
  tul__sb_init(b);
}

/* Out of memory (a size beyond any heap included, as pad_left("", 1 << 62) asks) is a MemoryError,
 * thrown before malloc is asked for more than the text could ever take in the GC heap. */
void tul__sb_grow(tul__sb *b, int64_t extra) {
  if (extra < 0 || extra > (INT64_MAX >> 2) - b->len || b->len + extra > tul__alloc_limit())
    tul_throw_msg("MemoryError: out of memory");
  int64_t want = b->len + extra, cap = b->cap * 2;
  while (cap < want) cap *= 2;
  if (cap > tul__alloc_limit()) cap = tul__alloc_limit(); /* still >= want */
  char *p = b->p == b->inline_buf ? malloc((size_t)cap) : realloc(b->p, (size_t)cap);
  if (!p) tul_throw_msg("MemoryError: out of memory"); /* b keeps its buffer: freed with b, or leaked */
  if (b->p == b->inline_buf) memcpy(p, b->inline_buf, (size_t)b->len);
  b->p = p;
  b->cap = cap;
}

tul_str *tul__sb_finish(tul__sb *b) {
  tul_str *s = tul__str_from(b->p, b->len);
  tul__sb_free(b);
  return s;
}

/* ---------------------------------------------------------------- code points */

int64_t tul__utf8_count(const char *p, int64_t n) {
  int64_t count = 0;
  for (int64_t i = 0; i < n; i++) count += ((unsigned char)p[i] & 0xC0) != 0x80;
  return count;
}

int tul__utf8_seq(const unsigned char *s, const unsigned char *end) {
  unsigned char c = s[0];
  int n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (!n || n > end - s || (n == 2 && c < 0xC2) || c > 0xF4) return 0;
  for (int i = 1; i < n; i++)
    if ((s[i] & 0xC0) != 0x80) return 0;
  /* RFC 3629: no overlong 3/4-byte forms, no encoded surrogates, nothing above U+10FFFF */
  if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) || (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
    return 0;
  return n;
}

/* Strings may be shared between threads (spawn passes them without copying), and two threads may
 * fill in the same cplen at once: both write the same value, atomically (a plain move on x86-64
 * and aarch64). */
int64_t tul__cplen(const tul_str *s) {
  int64_t n = __atomic_load_n(&s->cplen, __ATOMIC_RELAXED);
  if (TUL_LIKELY(n >= 0)) return n;
  n = tul__utf8_count(s->data, s->len);
  __atomic_store_n(&((tul_str *)s)->cplen, n, __ATOMIC_RELAXED); /* runtime strings only: constants carry cplen */
  return n;
}

/* The last non-ASCII lookup, so that walking a string by index (`for (c in s)`, `s[i]` in a loop)
 * costs O(n) in all rather than O(n) per step. Holding the pointer keeps the string alive, so the
 * address cannot be reused by another string while cached. One per thread (spawn workers). */
static TUL_TLS const tul_str *cursor_str;
static TUL_TLS int64_t cursor_cp, cursor_off;

/* Byte offset of code point `i` (0 <= i <= cplen). */
static int64_t cp_offset(const tul_str *s, int64_t i) {
  if (tul__cplen(s) == s->len) return i;
  int64_t cp = 0, off = 0;
  if (s == cursor_str && i >= cursor_cp) {
    cp = cursor_cp;
    off = cursor_off;
  }
  const unsigned char *p = (const unsigned char *)s->data;
  for (; off < s->len; off++) {
    if ((p[off] & 0xC0) != 0x80) {
      if (cp == i) break;
      cp++;
    }
  }
  cursor_str = s;
  cursor_cp = cp;
  cursor_off = off;
  return off;
}

/* Length in bytes of the code point starting at byte `off`. */
static int64_t cp_bytes(const tul_str *s, int64_t off) {
  int64_t end = off + 1;
  while (end < s->len && ((unsigned char)s->data[end] & 0xC0) == 0x80) end++;
  return end - off;
}

/* Substring of code points [a, b), already clamped with a <= b. */
static tul_str *cp_range(const tul_str *s, int64_t a, int64_t b) {
  if (a >= b) return (tul_str *)&tul_empty_str;
  int64_t n = tul__cplen(s);
  if (a == 0 && b == n) return (tul_str *)s;
  int64_t lo = a, hi = b;
  if (n != s->len) {
    lo = cp_offset(s, a);
    hi = lo;
    for (int64_t k = a; k < b; k++) hi += cp_bytes(s, hi);
  }
  tul_str *r = tul__str_from(s->data + lo, hi - lo);
  if (r->cplen < 0) r->cplen = b - a;
  return r;
}

/* ---------------------------------------------------------------- basics */

tul_str *tul_str_concat(const tul_str *a, const tul_str *b) {
  if (a->len == 0) return (tul_str *)b;
  if (b->len == 0) return (tul_str *)a;
  int64_t n = a->len + b->len;
  tul_str *r = GC_MALLOC_ATOMIC(sizeof(tul_str) + (size_t)n + 1);
  if (TUL_UNLIKELY(!r)) tul_throw_msg("MemoryError: out of memory");
  r->len = n;
  r->cplen = a->cplen >= 0 && b->cplen >= 0 ? a->cplen + b->cplen : -1;
  memcpy(r->data, a->data, (size_t)a->len);
  memcpy(r->data + a->len, b->data, (size_t)b->len);
  r->data[n] = 0;
  return r;
}

/* `s += b` / `s = s + b` on a local variable. `owned` is codegen's promise that the variable holds
 * the only reference to `a` (set by the previous append, cleared by any other read or store of the
 * variable): then `a` grows in place while its allocation has room. Otherwise the result is a copy
 * with half again as much room, so a loop of appends costs amortised O(length of what is added). */
tul_str *tul_str_append(tul_str *a, const tul_str *b, _Bool owned) {
  int64_t n = a->len + b->len;
  int64_t cplen = a->cplen >= 0 && b->cplen >= 0 ? a->cplen + b->cplen : -1;
  if (owned && sizeof(tul_str) + (size_t)n + 1 <= GC_size(a)) {
    memcpy(a->data + a->len, b->data, (size_t)b->len);
    a->len = n;
    a->cplen = cplen;
    a->data[n] = 0;
    return a;
  }
  size_t cap = (size_t)n + (size_t)n / 2 + 32;
  tul_str *r = GC_MALLOC_ATOMIC(sizeof(tul_str) + cap + 1);
  if (TUL_UNLIKELY(!r)) tul_throw_msg("MemoryError: out of memory");
  memcpy(r->data, a->data, (size_t)a->len);
  memcpy(r->data + a->len, b->data, (size_t)b->len);
  r->len = n;
  r->cplen = cplen;
  r->data[n] = 0;
  return r;
}

int64_t tul_str_len(const tul_str *s) { return tul__cplen(s); }

tul_str *tul_str_index(const tul_str *s, int64_t i) {
  int64_t n = tul__cplen(s);
  if (TUL_UNLIKELY(i < 0 || i >= n)) tul_throw_index(i, n);
  if (n == s->len) {
    unsigned char c = (unsigned char)s->data[i];
    return c < 128 ? (tul_str *)&ascii_chars[c] : tul__str_from(s->data + i, 1);
  }
  int64_t off = cp_offset(s, i);
  tul_str *r = tul__str_from(s->data + off, cp_bytes(s, off));
  r->cplen = 1;
  return r;
}

_Bool tul_str_eq(const tul_str *a, const tul_str *b) {
  if (a == b) return 1;
  return a->len == b->len && memcmp(a->data, b->data, (size_t)a->len) == 0;
}

/* UTF-8 byte order is code point order. */
int64_t tul_str_cmp(const tul_str *a, const tul_str *b) {
  int64_t n = a->len < b->len ? a->len : b->len;
  int c = memcmp(a->data, b->data, (size_t)n);
  if (c) return c;
  return a->len < b->len ? -1 : a->len > b->len;
}

/* ---------------------------------------------------------------- searching */

static int is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

tul_str *tul_str_trim(const tul_str *s) {
  int64_t a = 0, b = s->len;
  while (a < b && is_space(s->data[a])) a++;
  while (b > a && is_space(s->data[b - 1])) b--;
  if (a == 0 && b == s->len) return (tul_str *)s;
  return tul__str_from(s->data + a, b - a);
}

/* Byte offset of `sub` in s at or after `from`, or -1. */
static int64_t find(const tul_str *s, const tul_str *sub, int64_t from) {
  if (sub->len == 0) return from <= s->len ? from : -1;
  if (from + sub->len > s->len) return -1;
  const char *p = memmem(s->data + from, (size_t)(s->len - from), sub->data, (size_t)sub->len);
  return p ? p - s->data : -1;
}

_Bool tul_str_starts_with(const tul_str *s, const tul_str *p) {
  return p->len <= s->len && memcmp(s->data, p->data, (size_t)p->len) == 0;
}

_Bool tul_str_ends_with(const tul_str *s, const tul_str *p) {
  return p->len <= s->len && memcmp(s->data + s->len - p->len, p->data, (size_t)p->len) == 0;
}

int64_t tul_str_index_of(const tul_str *s, const tul_str *sub) {
  int64_t off = find(s, sub, 0);
  if (off <= 0) return off;
  return tul__cplen(s) == s->len ? off : tul__utf8_count(s->data, off);
}

_Bool tul_str_contains(const tul_str *s, const tul_str *sub) { return find(s, sub, 0) >= 0; }

/* ---------------------------------------------------------------- split, join, replace */

static void push_str(tul_arr *a, tul_str *s) { *(tul_str **)tul_arr_push_slot(a) = s; }

tul_arr *tul_str_split(const tul_str *s, const tul_str *sep) {
  tul_arr *out = tul_arr_new(&tul_type_str, 0);
  if (sep->len == 0) {
    for (int64_t off = 0; off < s->len;) {
      int64_t k = cp_bytes(s, off);
      push_str(out, tul__str_from(s->data + off, k));
      off += k;
    }
    return out;
  }
  int64_t start = 0;
  for (int64_t at; (at = find(s, sep, start)) >= 0; start = at + sep->len)
    push_str(out, tul__str_from(s->data + start, at - start));
  push_str(out, start == 0 ? (tul_str *)s : tul__str_from(s->data + start, s->len - start));
  return out;
}

tul_str *tul_str_join(const tul_arr *xs, const tul_str *sep) {
  tul_str *const *items = (tul_str *const *)xs->data;
  if (xs->len == 0) return (tul_str *)&tul_empty_str;
  if (xs->len == 1) return items[0];
  int64_t n = sep->len * (xs->len - 1);
  for (int64_t i = 0; i < xs->len; i++) n += items[i]->len;
  tul_str *r = tul__str_alloc(n);
  char *p = r->data;
  for (int64_t i = 0; i < xs->len; i++) {
    if (i) {
      memcpy(p, sep->data, (size_t)sep->len);
      p += sep->len;
    }
    memcpy(p, items[i]->data, (size_t)items[i]->len);
    p += items[i]->len;
  }
  return r;
}

/* Python's rule for an empty `old`: `new` goes before every code point and at the end. */
static tul_str *replace_empty(const tul_str *s, const tul_str *new_) {
  tul__sb b;
  tul__sb_init(&b);
  for (int64_t off = 0; off < s->len;) {
    int64_t k = cp_bytes(s, off);
    tul__sb_add(&b, new_->data, new_->len);
    tul__sb_add(&b, s->data + off, k);
    off += k;
  }
  tul__sb_add(&b, new_->data, new_->len);
  return tul__sb_finish(&b);
}

tul_str *tul_str_replace(const tul_str *s, const tul_str *old, const tul_str *new_) {
  if (old->len == 0) return replace_empty(s, new_);
  int64_t count = 0;
  for (int64_t at = find(s, old, 0); at >= 0; at = find(s, old, at + old->len)) count++;
  if (count == 0) return (tul_str *)s;
  tul_str *r = tul__str_alloc(s->len + count * (new_->len - old->len));
  char *p = r->data;
  int64_t start = 0;
  for (int64_t at; (at = find(s, old, start)) >= 0; start = at + old->len) {
    memcpy(p, s->data + start, (size_t)(at - start));
    p += at - start;
    memcpy(p, new_->data, (size_t)new_->len);
    p += new_->len;
  }
  memcpy(p, s->data + start, (size_t)(s->len - start));
  return r;
}

/* ---------------------------------------------------------------- ranges */

static int64_t clamp(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

tul_str *tul_str_substring(const tul_str *s, int64_t start, int64_t end) {
  int64_t n = tul__cplen(s);
  return cp_range(s, clamp(start, 0, n), clamp(end, 0, n));
}

/* Python slice bounds: negative counts from the end, then clamped to [0, n]. */
static int64_t slice_bound(int64_t v, int64_t n) {
  if (v < 0) v = v < -n ? 0 : v + n;
  return v > n ? n : v;
}

tul_str *tul_str_slice(const tul_str *s, int64_t a, int64_t b) {
  int64_t n = tul__cplen(s);
  return cp_range(s, slice_bound(a, n), slice_bound(b, n));
}

tul_str *tul_str_repeat(const tul_str *s, int64_t n) {
  if (n < 0) tul_throw_msg("ValueError: negative repeat count");
  if (n == 0 || s->len == 0) return (tul_str *)&tul_empty_str;
  if (n == 1) return (tul_str *)s;
  if (s->len > INT64_MAX / 2 / n) tul_throw_msg("MemoryError: out of memory");
  tul_str *r = tul__str_alloc(s->len * n);
  for (int64_t i = 0; i < n; i++) memcpy(r->data + i * s->len, s->data, (size_t)s->len);
  if (s->cplen >= 0) r->cplen = s->cplen * n;
  return r;
}
