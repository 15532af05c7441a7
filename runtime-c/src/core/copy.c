/* copy.c: deep copies of value graphs, for what crosses a thread boundary (spawn's arguments,
 * LANGUAGE.md §16). Mutable containers (arrays, structs, json arrays and objects) are copied,
 * keeping their sharing and cycles (a memo maps each original to its copy); immutable values
 * (strings, json scalars) are shared, since nobody can change them. Function values and promises
 * belong to one thread and are refused. */
#include <gc.h>
#include <stdlib.h>
#include "rt_int.h"

/* ---------------------------------------------------------------- the memo
 * Open addressing, original -> copy, malloc'd: the originals are reachable from the caller and
 * every copy is reachable from the copy being built (or from the C stack), so the GC need not see it. */
struct tul__copier {
  const void **from;
  void **to;
  int64_t len, cap; /* cap: a power of two */
};

static uint64_t slot_of(const void *p, int64_t cap) {
  uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull;
  return (h >> 17) & (uint64_t)(cap - 1);
}

static void memo_grow(tul__copier *c);

static void *memo_get(const tul__copier *c, const void *p) {
  if (!c->cap) return NULL;
  for (uint64_t s = slot_of(p, c->cap);; s = (s + 1) & (uint64_t)(c->cap - 1)) {
    if (c->from[s] == p) return c->to[s];
    if (!c->from[s]) return NULL;
  }
}

static void memo_put(tul__copier *c, const void *p, void *copy) {
  if ((c->len + 1) * 2 > c->cap) memo_grow(c);
  uint64_t s = slot_of(p, c->cap);
  while (c->from[s]) s = (s + 1) & (uint64_t)(c->cap - 1);
  c->from[s] = p;
  c->to[s] = copy;
  c->len++;
}

static void memo_grow(tul__copier *c) {
  tul__copier bigger = {NULL, NULL, 0, c->cap ? c->cap * 2 : 64};
  bigger.from = calloc((size_t)bigger.cap, sizeof *bigger.from);
  bigger.to = calloc((size_t)bigger.cap, sizeof *bigger.to);
  if (!bigger.from || !bigger.to) tul_throw_msg("MemoryError: out of memory");
  for (int64_t i = 0; i < c->cap; i++)
    if (c->from[i]) memo_put(&bigger, c->from[i], c->to[i]);
  free(c->from);
  free(c->to);
  *c = bigger;
}

tul__copier *tul__copier_new(void) {
  tul__copier *c = calloc(1, sizeof *c);
  if (!c) tul_throw_msg("MemoryError: out of memory");
  return c;
}

void tul__copier_free(tul__copier *c) {
  if (!c) return;
  free(c->from);
  free(c->to);
  free(c);
}

/* ---------------------------------------------------------------- values */

static tul_json *copy_json(tul__copier *c, const tul_json *j);

static tul_arr *copy_array(tul__copier *c, const tul_arr *a) {
  tul_arr *r = memo_get(c, a);
  if (r) return r;
  r = tul_arr_new(a->elem, a->len);
  memo_put(c, a, r);
  int64_t size = a->elem->size;
  if (!tul__is_pointer_kind(a->elem->kind)) {
    memcpy(r->data, a->data, (size_t)(a->len * size));
    return r;
  }
  for (int64_t i = 0; i < a->len; i++) tul__copy_value(c, a->data + i * size, a->elem, r->data + i * size);
  return r;
}

/* A struct's block: its fields at their offsets (codegen allocates exactly that with tul_alloc). */
static void *copy_struct(tul__copier *c, const void *s, const tul_type *t) {
  void *r = memo_get(c, s);
  if (r) return r;
  int64_t size = 8;
  for (int64_t i = 0; i < t->nfields; i++) {
    int64_t end = t->fields[i].offset + t->fields[i].type->size;
    if (end > size) size = end;
  }
  r = tul_alloc(size);
  memo_put(c, s, r);
  memcpy(r, s, (size_t)size);
  for (int64_t i = 0; i < t->nfields; i++) {
    const tul_field *f = &t->fields[i];
    if (tul__is_pointer_kind(f->type->kind))
      tul__copy_value(c, (const char *)s + f->offset, f->type, (char *)r + f->offset);
  }
  return r;
}

static tul_json *copy_json_object(tul__copier *c, const tul_json *j) {
  tul_json *r = tul__json_object();
  memo_put(c, j, r);
  for (int64_t i = 0, n = tul__jobj_len(j); i < n; i++) tul__json_obj_set(r, tul__jobj_key(j, i), copy_json(c, tul__jobj_val(j, i)));
  return r;
}

/* A map: the same key kind and value type, keys shared (ints, or immutable strings), values copied. */
static tul_map *copy_map(tul__copier *c, const tul_map *m) {
  tul_map *r = memo_get(c, m);
  if (r) return r;
  r = tul_map_new(m->key_kind, m->val);
  memo_put(c, m, r);
  for (int64_t i = 0; i < m->used; i++) {
    const tul__mentry *e = &m->entries[i];
    if (!e->hash) continue;
    void *slot = m->key_kind == TUL_K_STR ? tul_map_put_str(r, (tul_str *)(uintptr_t)e->key) : tul_map_put_int(r, (int64_t)e->key);
    tul__copy_value(c, &e->val, m->val, slot);
  }
  return r;
}

static tul_json *copy_json(tul__copier *c, const tul_json *j) {
  if (!j || (j->tag != TUL_J_ARRAY && j->tag != TUL_J_OBJECT)) return (tul_json *)j; /* immutable */
  tul_json *r = memo_get(c, j);
  if (r) return r;
  tul__check_stack();
  if (j->tag == TUL_J_OBJECT) return copy_json_object(c, j);
  r = tul__json_array(NULL);
  memo_put(c, j, r);
  r->u.a = copy_array(c, j->u.a);
  return r;
}

void tul__copy_value(tul__copier *c, const void *slot, const tul_type *t, void *out) {
  switch ((enum tul_kind)t->kind) {
  case TUL_K_INT: case TUL_K_FLOAT: case TUL_K_BOOL: case TUL_K_STR:
    memcpy(out, slot, (size_t)t->size);
    return;
  case TUL_K_VOID:
    return;
  case TUL_K_JSON: case TUL_K_ARRAY: case TUL_K_STRUCT: case TUL_K_MAP:
    break;
  case TUL_K_FUNC: case TUL_K_PROMISE: case TUL_K_CHANNEL:
    tul__throw_fmt("RuntimeError: a %s cannot be copied to another thread",
                   t->kind == TUL_K_FUNC ? "function value" : t->kind == TUL_K_PROMISE ? "promise" : "channel");
  }
  void *p;
  memcpy(&p, slot, sizeof p);
  if (p) {
    tul__check_stack(); /* deep structures: StackOverflowError at the spawn, never a crash */
    if (t->kind == TUL_K_JSON) p = copy_json(c, p);
    else if (t->kind == TUL_K_ARRAY) p = copy_array(c, p);
    else if (t->kind == TUL_K_MAP) p = copy_map(c, p);
    else p = copy_struct(c, p, t);
  }
  memcpy(out, &p, sizeof p);
}
