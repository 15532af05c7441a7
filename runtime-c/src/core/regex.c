/* regex.c: regular expressions through PCRE2 (re_match, re_find_all, re_replace, re_split). Patterns
 * compile in UTF mode with Unicode properties (\w, \d and case folding beyond ASCII, as in Python 3)
 * and PCRE2_MATCH_INVALID_UTF (a string holding invalid UTF-8 cannot crash the matcher), JIT-compiled
 * when the platform allows, and cached per thread (the 64 most recently used patterns). Successive
 * matches follow Perl and Python 3.7: an empty match is allowed right after a non-empty one, and
 * after an empty match the search first tries a non-empty match at the same place. Offsets in
 * results count code points, like every string index. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include "rt_int.h"

#define CACHE_SIZE 64
#define COMPILE_OPTIONS (PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF)

typedef struct re_entry {
  char *pattern; /* malloc'd copy (thread-local memory is not scanned by the GC) */
  int64_t len;
  uint64_t hash;
  uint64_t used; /* LRU stamp */
  pcre2_code *code;
  pcre2_match_data *md;
  int jit;
} re_entry;

static _Thread_local re_entry cache[CACHE_SIZE];
static _Thread_local uint64_t clock_stamp;
static _Thread_local pcre2_match_context *mctx;

/* A match context with its own JIT stack (up to 8 MiB), so the JIT never uses the task's stack. */
static pcre2_match_context *match_context(void) {
  if (TUL_UNLIKELY(!mctx)) {
    mctx = pcre2_match_context_create(NULL);
    pcre2_jit_stack *js = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, NULL);
    if (!mctx || !js) tul_throw_msg("MemoryError: out of memory");
    pcre2_jit_stack_assign(mctx, NULL, js);
  }
  return mctx;
}

/* ---------------------------------------------------------------- compiling */

static TUL_NORETURN void bad_pattern(const tul_str *pattern, int err, PCRE2_SIZE offset) {
  PCRE2_UCHAR msg[256];
  pcre2_get_error_message(err, msg, sizeof msg);
  int64_t pos = tul__utf8_count(pattern->data, (int64_t)offset);
  tul__sb b;
  tul__sb_init(&b);
  tul__sb_cstr(&b, "ValueError: invalid regex ");
  tul__sb_quoted(&b, pattern->data, pattern->len);
  char tail[320];
  snprintf(tail, sizeof tail, " at position %lld: %s", (long long)pos, (const char *)msg);
  tul__sb_cstr(&b, tail);
  tul__throw_str(tul__sb_finish(&b));
}

static void evict(re_entry *e) {
  if (!e->code) return;
  pcre2_match_data_free(e->md);
  pcre2_code_free(e->code);
  free(e->pattern);
  memset(e, 0, sizeof *e);
}

static re_entry *compile(const tul_str *pattern, re_entry *slot, uint64_t hash) {
  int err;
  PCRE2_SIZE offset;
  pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern->data, (PCRE2_SIZE)pattern->len, COMPILE_OPTIONS, &err, &offset, NULL);
  if (!code) bad_pattern(pattern, err, offset);
  evict(slot);
  slot->code = code;
  slot->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
  slot->md = pcre2_match_data_create_from_pattern(code, NULL);
  slot->pattern = malloc((size_t)pattern->len + 1);
  if (!slot->md || !slot->pattern) tul_throw_msg("MemoryError: out of memory");
  memcpy(slot->pattern, pattern->data, (size_t)pattern->len + 1);
  slot->len = pattern->len;
  slot->hash = hash;
  return slot;
}

/* The compiled pattern, from the cache or compiled now (replacing the least recently used). */
static re_entry *lookup(const tul_str *pattern) {
  uint64_t h = tul__hash_bytes(pattern->data, pattern->len);
  re_entry *oldest = &cache[0];
  for (int i = 0; i < CACHE_SIZE; i++) {
    re_entry *e = &cache[i];
    if (e->code && e->hash == h && e->len == pattern->len && memcmp(e->pattern, pattern->data, (size_t)e->len) == 0) {
      e->used = ++clock_stamp;
      return e;
    }
    if (e->used < oldest->used) oldest = e;
  }
  re_entry *e = compile(pattern, oldest, h);
  e->used = ++clock_stamp;
  return e;
}

/* ---------------------------------------------------------------- matching */

static TUL_NORETURN void match_failed(int rc) {
  PCRE2_UCHAR msg[256];
  pcre2_get_error_message(rc, msg, sizeof msg);
  tul__throw_fmt("ValueError: regex match failed: %s", (const char *)msg);
}

/* Successive matches of one pattern over one subject. */
typedef struct re_iter {
  re_entry *e;
  const tul_str *s;
  PCRE2_SIZE pos;
  uint32_t opts; /* PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED right after an empty match */
  int done;
} re_iter;

static int run(re_iter *it) {
  PCRE2_SPTR subject = (PCRE2_SPTR)it->s->data;
  /* pcre2_jit_match takes no ANCHORED option; pcre2_match then runs the interpreter */
  if (it->e->jit && !(it->opts & PCRE2_ANCHORED))
    return pcre2_jit_match(it->e->code, subject, (PCRE2_SIZE)it->s->len, it->pos, it->opts, it->e->md, match_context());
  return pcre2_match(it->e->code, subject, (PCRE2_SIZE)it->s->len, it->pos, it->opts, it->e->md, match_context());
}

/* Byte offset just past the code point at `off` (an invalid byte counts as one). */
static PCRE2_SIZE next_char(const tul_str *s, PCRE2_SIZE off) {
  off++;
  while ((int64_t)off < s->len && ((unsigned char)s->data[off] & 0xC0) == 0x80) off++;
  return off;
}

/* The next match as byte offsets [*start, *end); 0 when there is none. */
static int next_match(re_iter *it, PCRE2_SIZE *start, PCRE2_SIZE *end) {
  while (!it->done) {
    int rc = run(it);
    if (rc == PCRE2_ERROR_NOMATCH) {
      if (!it->opts || (int64_t)it->pos >= it->s->len) break;
      it->pos = next_char(it->s, it->pos); /* no non-empty match here: move on one character */
      it->opts = 0;
      continue;
    }
    if (rc < 0) match_failed(rc);
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(it->e->md);
    if (ov[0] > ov[1]) tul_throw_msg("ValueError: regex match failed: \\K ended the match before its start");
    *start = ov[0];
    *end = ov[1];
    it->pos = ov[1];
    it->opts = ov[0] == ov[1] ? PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED : 0;
    return 1;
  }
  it->done = 1;
  return 0;
}

static re_iter iter(const tul_str *pattern, const tul_str *s) { return (re_iter){lookup(pattern), s, 0, 0, 0}; }

static tul_str *piece(const tul_str *s, PCRE2_SIZE a, PCRE2_SIZE b) {
  if (a == 0 && (int64_t)b == s->len) return (tul_str *)s;
  return tul__str_from(s->data + a, (int64_t)(b - a));
}

static void push(tul_arr *a, tul_str *s) { *(tul_str **)tul_arr_push_slot(a) = s; }

/* ---------------------------------------------------------------- the built-ins */

/* null, or {"match": str, "groups": [str or null, ...], "start": int, "end": int} */
tul_json *tul_re_match(const tul_str *pattern, const tul_str *s) {
  re_iter it = iter(pattern, s);
  PCRE2_SIZE a, b;
  if (!next_match(&it, &a, &b)) return NULL;
  PCRE2_SIZE *ov = pcre2_get_ovector_pointer(it.e->md);
  uint32_t groups = 0;
  pcre2_pattern_info(it.e->code, PCRE2_INFO_CAPTURECOUNT, &groups);
  uint32_t pairs = pcre2_get_ovector_count(it.e->md);
  tul_arr *g = tul_arr_new(&tul_type_json, groups);
  for (uint32_t i = 1; i <= groups; i++) {
    int set = i < pairs && ov[2 * i] != PCRE2_UNSET;
    ((tul_json **)g->data)[i - 1] = set ? tul__json_str(piece(s, ov[2 * i], ov[2 * i + 1])) : NULL;
  }
  tul_json *r = tul__json_object();
  tul__json_obj_set(r, tul__str_c("match"), tul__json_str(piece(s, a, b)));
  tul__json_obj_set(r, tul__str_c("groups"), tul__json_array(g));
  int64_t start = tul__utf8_count(s->data, (int64_t)a);
  tul__json_obj_set(r, tul__str_c("start"), tul__json_int(start));
  tul__json_obj_set(r, tul__str_c("end"), tul__json_int(start + tul__utf8_count(s->data + a, (int64_t)(b - a))));
  return r;
}

tul_arr *tul_re_find_all(const tul_str *pattern, const tul_str *s) {
  re_iter it = iter(pattern, s);
  tul_arr *out = tul_arr_new(&tul_type_str, 0);
  PCRE2_SIZE a, b;
  while (next_match(&it, &a, &b)) push(out, piece(s, a, b));
  return out;
}

tul_arr *tul_re_split(const tul_str *pattern, const tul_str *s) {
  re_iter it = iter(pattern, s);
  tul_arr *out = tul_arr_new(&tul_type_str, 0);
  PCRE2_SIZE a, b, last = 0;
  while (next_match(&it, &a, &b)) {
    push(out, piece(s, last, a));
    last = b;
  }
  push(out, piece(s, last, (PCRE2_SIZE)s->len));
  return out;
}

/* Every match replaced by `repl`, where $1, ${1}, ${name} and $0 insert groups and $$ is a $. */
tul_str *tul_re_replace(const tul_str *pattern, const tul_str *s, const tul_str *repl) {
  re_entry *e = lookup(pattern);
  uint32_t opts = PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_UNSET_EMPTY | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH;
  PCRE2_SIZE cap = (PCRE2_SIZE)s->len + (PCRE2_SIZE)s->len / 2 + 64;
  for (int attempt = 0; attempt < 2; attempt++) {
    PCRE2_UCHAR *buf = malloc(cap + 1);
    if (!buf) tul_throw_msg("MemoryError: out of memory");
    PCRE2_SIZE outlen = cap + 1;
    int rc = pcre2_substitute(e->code, (PCRE2_SPTR)s->data, (PCRE2_SIZE)s->len, 0, opts, e->md, match_context(),
                              (PCRE2_SPTR)repl->data, (PCRE2_SIZE)repl->len, buf, &outlen);
    if (rc >= 0) {
      tul_str *r = rc == 0 ? (tul_str *)s : tul__str_from((const char *)buf, (int64_t)outlen);
      free(buf);
      return r;
    }
    free(buf);
    if (rc == PCRE2_ERROR_NOMEMORY) {
      cap = outlen; /* the length needed, thanks to OVERFLOW_LENGTH */
      continue;
    }
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(rc, msg, sizeof msg);
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT)
      match_failed(rc);
    tul__sb b;
    tul__sb_init(&b);
    tul__sb_cstr(&b, "ValueError: invalid replacement ");
    tul__sb_quoted(&b, repl->data, repl->len);
    tul__sb_cstr(&b, ": ");
    tul__sb_cstr(&b, (const char *)msg);
    tul__throw_str(tul__sb_finish(&b));
  }
  tul_throw_msg("MemoryError: out of memory");
}
