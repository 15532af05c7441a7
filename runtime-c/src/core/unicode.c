/* unicode.c: code points and Unicode properties of strings: ord, chr, the is_* classifiers (utf8proc's
 * general categories) and full case mapping for upper/lower: utf8proc's simple mappings, plus the
 * one-to-many mappings of SpecialCasing.txt (special_casing.h) and the final-sigma rule, as Python's
 * str.upper/lower and JavaScript's toUpperCase/toLowerCase do. */
#include <stdlib.h>
#include <utf8proc.h>
#include "rt_int.h"
#include "special_casing.h"

/* ---------------------------------------------------------------- code points */

/* The code point at byte `*off` (advanced past it); an invalid byte reads as itself (one byte). */
static int32_t next_cp(const tul_str *s, int64_t *off) {
  utf8proc_int32_t cp;
  utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s->data + *off, s->len - *off, &cp);
  if (k <= 0) {
    cp = (unsigned char)s->data[*off];
    k = 1;
  }
  *off += k;
  return cp;
}

int64_t tul_str_ord(const tul_str *s) {
  int64_t n = tul__cplen(s), off = 0;
  if (n != 1) tul__throw_fmt("ValueError: ord() expected one character, got a str of length %lld", (long long)n);
  return next_cp(s, &off);
}

tul_str *tul_str_chr(int64_t n) {
  if (n < 0 || n > 0x10FFFF || (n >= 0xD800 && n <= 0xDFFF))
    tul__throw_fmt("ValueError: chr(%lld): not a Unicode scalar value (0 to 0x10FFFF, surrogates excluded)", (long long)n);
  utf8proc_uint8_t enc[4];
  utf8proc_ssize_t k = utf8proc_encode_char((utf8proc_int32_t)n, enc);
  tul_str *r = tul__str_from((const char *)enc, k);
  if (r->cplen < 0) r->cplen = 1;
  return r;
}

/* ---------------------------------------------------------------- classification */

static int is_letter_cp(int32_t cp) {
  utf8proc_category_t c = utf8proc_category(cp);
  return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

static int is_digit_cp(int32_t cp) { return utf8proc_category(cp) == UTF8PROC_CATEGORY_ND; }

/* Unicode's White_Space property: the Z categories, the C0 controls \t..\r and U+0085. */
static int is_space_cp(int32_t cp) {
  if ((cp >= 9 && cp <= 13) || cp == 0x85) return 1;
  utf8proc_category_t c = utf8proc_category(cp);
  return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP;
}

/* Non-empty and every code point passes. */
static _Bool all_cps(const tul_str *s, int (*pred)(int32_t)) {
  if (s->len == 0) return 0;
  for (int64_t off = 0; off < s->len;)
    if (!pred(next_cp(s, &off))) return 0;
  return 1;
}

_Bool tul_str_is_letter(const tul_str *s) { return all_cps(s, is_letter_cp); }
_Bool tul_str_is_digit(const tul_str *s) { return all_cps(s, is_digit_cp); }
_Bool tul_str_is_space(const tul_str *s) { return all_cps(s, is_space_cp); }

/* Python's rule: at least one cased letter, and no cased letter of another case (Lt is neither). */
static _Bool cased_all(const tul_str *s, utf8proc_category_t want) {
  int seen = 0;
  for (int64_t off = 0; off < s->len;) {
    utf8proc_category_t c = utf8proc_category(next_cp(s, &off));
    if (c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LL || c == UTF8PROC_CATEGORY_LT) {
      if (c != want) return 0;
      seen = 1;
    }
  }
  return seen;
}

_Bool tul_str_is_upper(const tul_str *s) { return cased_all(s, UTF8PROC_CATEGORY_LU); }
_Bool tul_str_is_lower(const tul_str *s) { return cased_all(s, UTF8PROC_CATEGORY_LL); }

/* ---------------------------------------------------------------- case mapping */

static const special_case *find_special(const special_case *t, size_t n, int32_t cp) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (t[mid].cp == cp) return &t[mid];
    if (t[mid].cp < cp) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

static void add_cp(tul__sb *b, int32_t cp) {
  utf8proc_uint8_t enc[4];
  utf8proc_ssize_t m = utf8proc_encode_char(cp, enc);
  tul__sb_add(b, (const char *)enc, m);
}

static int is_cased(int32_t cp) {
  utf8proc_category_t c = utf8proc_category(cp);
  return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LL || c == UTF8PROC_CATEGORY_LT;
}

/* Case_Ignorable: marks, format characters, modifiers and the word-internal punctuation. */
static int is_case_ignorable(int32_t cp) {
  switch (cp) {
  case 0x27: case 0x2E: case 0x3A: case 0x5E: case 0x60: case 0xA8: case 0xAD: case 0xAF: case 0xB4:
  case 0xB7: case 0xB8: case 0x387: case 0x2018: case 0x2019: case 0x2024: case 0x2027: return 1;
  }
  utf8proc_category_t c = utf8proc_category(cp);
  return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_ME || c == UTF8PROC_CATEGORY_CF ||
         c == UTF8PROC_CATEGORY_LM || c == UTF8PROC_CATEGORY_SK;
}

/* The code point before byte `end`, or -1 at the start; `*start` becomes its first byte. */
static int32_t prev_cp(const tul_str *s, int64_t end, int64_t *start) {
  if (end <= 0) return -1;
  int64_t p = end - 1;
  while (p > 0 && ((unsigned char)s->data[p] & 0xC0) == 0x80) p--;
  *start = p;
  int64_t off = p;
  return next_cp(s, &off);
}

/* Final_Sigma: Σ at byte `at` (2 bytes) ends a word: a cased letter before it and none after it,
 * case-ignorable characters skipped on both sides. */
static int final_sigma(const tul_str *s, int64_t at) {
  int64_t p = at;
  int32_t cp;
  do cp = prev_cp(s, p, &p);
  while (cp >= 0 && is_case_ignorable(cp));
  if (cp < 0 || !is_cased(cp)) return 0;
  for (int64_t off = at + 2; off < s->len;) {
    cp = next_cp(s, &off);
    if (!is_case_ignorable(cp)) return !is_cased(cp);
  }
  return 1;
}

static tul_str *ascii_case(const tul_str *s, int upper) {
  tul_str *r = tul__str_alloc(s->len);
  for (int64_t i = 0; i < s->len; i++) {
    char c = s->data[i];
    if (upper && c >= 'a' && c <= 'z') c = (char)(c - 32);
    else if (!upper && c >= 'A' && c <= 'Z') c = (char)(c + 32);
    r->data[i] = c;
  }
  r->cplen = s->len;
  return r;
}

static tul_str *map_case(const tul_str *s, int upper) {
  if (tul__cplen(s) == s->len) return ascii_case(s, upper);
  const special_case *table = upper ? special_upper : special_lower;
  size_t n = upper ? sizeof special_upper / sizeof *special_upper : sizeof special_lower / sizeof *special_lower;
  tul__sb b;
  tul__sb_init(&b);
  for (int64_t off = 0; off < s->len;) {
    int64_t at = off;
    int32_t cp = next_cp(s, &off);
    const special_case *sc = cp >= 0xDF ? find_special(table, n, cp) : NULL;
    if (sc) {
      for (int i = 0; i < sc->n; i++) add_cp(&b, sc->to[i]);
    } else if (!upper && cp == 0x3A3 && final_sigma(s, at)) {
      add_cp(&b, 0x3C2);
    } else if (off - at == 1 && (unsigned char)s->data[at] >= 0x80) {
      tul__sb_ch(&b, s->data[at]); /* an invalid byte stays as it is */
    } else {
      add_cp(&b, upper ? utf8proc_toupper(cp) : utf8proc_tolower(cp));
    }
  }
  return tul__sb_finish(&b);
}

tul_str *tul_str_upper(const tul_str *s) { return map_case(s, 1); }
tul_str *tul_str_lower(const tul_str *s) { return map_case(s, 0); }
