/* stub_rt.c: a minimal stand-in for the synchronous runtime (exc.c, arrays, json boxing) used only
 * to build the async tests before the real runtime exists. Not part of libtulrt. */
#undef _FORTIFY_SOURCE
#include <gc.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tulrt.h"

typedef struct exc_state { void *top; tul_json *caught; } exc_state;
struct tul_json { int64_t tag; int64_t i; tul_str *s; };

static exc_state main_state;
static exc_state *cur = &main_state;
const int64_t tul__exc_state_size = sizeof(exc_state);
uintptr_t tul_stack_limit;
const tul_type tul_type_int = {TUL_K_INT, 8, 0, 0, 0, 0}, tul_type_float = {TUL_K_FLOAT, 8, 0, 0, 0, 0},
               tul_type_bool = {TUL_K_BOOL, 1, 0, 0, 0, 0}, tul_type_str = {TUL_K_STR, 8, 0, 0, 0, 0},
               tul_type_json = {TUL_K_JSON, 8, 0, 0, 0, 0};

void *tul__exc_state_swap(void *s) { exc_state *old = cur; cur = s ? s : &main_state; return old; }
int64_t tul__exc_caught_frames(void *const **frames) { *frames = NULL; return 0; }

#define PREV(h) (*(void **)((char *)(h) + sizeof(jmp_buf)))
void tul_try_push(void *h) { PREV(h) = cur->top; cur->top = h; }
void tul_try_pop(void *h) { cur->top = PREV(h); }
tul_json *tul_caught(void) { return cur->caught; }
void tul_throw(tul_json *v) {
  void *h = cur->top;
  if (!h) {
    fprintf(stderr, "Uncaught Exception: %s\n", v && v->s ? v->s->data : "?");
    exit(1);
  }
  cur->top = PREV(h);
  cur->caught = v;
  _longjmp(*(jmp_buf *)h, 1);
}
static tul_str *mkstr(const char *s) {
  size_t n = strlen(s);
  tul_str *r = GC_MALLOC_ATOMIC(sizeof(tul_str) + n + 1);
  r->len = (int64_t)n; r->cplen = (int64_t)n;
  memcpy(r->data, s, n + 1);
  return r;
}
void tul_throw_msg(const char *m) {
  tul_json *j = GC_MALLOC(sizeof *j);
  j->tag = TUL_J_STR; j->s = mkstr(m);
  tul_throw(j);
}
void tul_stack_overflow(void) { tul_throw_msg("StackOverflowError"); }
tul_json *tul_json_box(const void *slot, const tul_type *t) {
  tul_json *j = GC_MALLOC(sizeof *j);
  if (t->kind == TUL_K_STR) { j->tag = TUL_J_STR; memcpy(&j->s, slot, 8); return j; }
  j->tag = TUL_J_INT;
  if (t->kind == TUL_K_BOOL) j->i = *(const char *)slot; else memcpy(&j->i, slot, 8);
  return j;
}
tul_str *tul_json_to_str(const tul_json *j) {
  if (!j) return mkstr("null");
  if (j->tag == TUL_J_STR) return j->s;
  char b[32]; snprintf(b, sizeof b, "%lld", (long long)j->i); return mkstr(b);
}
tul_arr *tul_arr_new(const tul_type *elem, int64_t len) {
  tul_arr *a = GC_MALLOC(sizeof *a);
  a->len = a->cap = len; a->elem = elem;
  a->data = GC_MALLOC((size_t)(len ? len : 1) * (size_t)elem->size);
  return a;
}
