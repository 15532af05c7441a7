/* json.c: the dynamic json value: constructors (small ints and bools are shared constants),
 * insertion-ordered objects with a hash index, boxing from any static type, checked unboxing,
 * deep equality. */
#include <gc.h>
#include <stdio.h>
#include "rt_int.h"

/* ---------------------------------------------------------------- scalars */

#define SMALL_MIN (-128)
#define SMALL_MAX 1023
static struct tul_json small_ints[SMALL_MAX - SMALL_MIN + 1];
static struct tul_json json_true = {TUL_J_BOOL, {.b = 1}}, json_false = {TUL_J_BOOL, {.b = 0}};

static __attribute__((constructor)) void init_small_ints(void) {
  for (int64_t i = SMALL_MIN; i <= SMALL_MAX; i++)
    small_ints[i - SMALL_MIN] = (struct tul_json){TUL_J_INT, {.i = i}};
}

static tul_json *new_json(int64_t tag) {
  tul_json *j = GC_MALLOC(sizeof *j);
  if (TUL_UNLIKELY(!j)) tul_throw_msg("MemoryError: out of memory");
  j->tag = tag;
  return j;
}

tul_json *tul__json_int(int64_t v) {
  if (v >= SMALL_MIN && v <= SMALL_MAX) return &small_ints[v - SMALL_MIN];
  tul_json *j = new_json(TUL_J_INT);
  j->u.i = v;
  return j;
}

tul_json *tul__json_float(double v) {
  tul_json *j = new_json(TUL_J_FLOAT);
  j->u.f = v;
  return j;
}

tul_json *tul__json_bool(_Bool v) { return v ? &json_true : &json_false; }

tul_json *tul__json_str(tul_str *s) {
  tul_json *j = new_json(TUL_J_STR);
  j->u.s = s ? s : (tul_str *)&tul_empty_str;
  return j;
}

tul_json *tul__json_array(tul_arr *a) {
  tul_json *j = new_json(TUL_J_ARRAY);
  j->u.a = a;
  return j;
}

/* An empty object's shape: shared, so the first key added makes a private one. */
static tul__jshape empty_shape = {0, 0, 1, 0, NULL};

/* A tul_json and its values in one block (u.o points just past the tul_json). */
static tul_json *object_block(tul__jshape *shape, int64_t cap) {
  tul_json *j = GC_MALLOC(sizeof(tul_json) + sizeof(tul__jobj) + (size_t)cap * sizeof(tul_json *));
  if (TUL_UNLIKELY(!j)) tul_throw_msg("MemoryError: out of memory");
  j->tag = TUL_J_OBJECT;
  j->u.o = (tul__jobj *)(j + 1);
  j->u.o->shape = shape;
  j->u.o->cap = cap;
  return j;
}

tul_json *tul__json_object(void) { return object_block(&empty_shape, 0); }

tul_json *tul__json_object_sized(int64_t cap) { return object_block(&empty_shape, cap > 0 ? cap : 0); }

const char *tul__json_kind_name(const tul_json *j) {
  static const char *names[] = {"null", "bool", "int", "float", "str", "array", "object"};
  return j ? names[j->tag] : "null";
}

/* ---------------------------------------------------------------- objects */

#define INDEX_FROM 8 /* shapes with more keys than this get a hash index */

static uint64_t key_hash(const tul_str *k) { return tul__hash_bytes(k->data, k->len); }

static int key_eq(const tul_str *a, const tul_str *b) {
  return a == b || (a->len == b->len && tul__bytes_eq(a->data, b->data, a->len));
}

/* Enters key position `pos` into the index; 0 when an equal key is already there. */
static int index_insert(tul__jshape *s, int64_t pos) {
  uint64_t mask = (uint64_t)s->index_cap - 1;
  const tul_str *k = s->keys[pos];
  for (uint64_t i = key_hash(k) & mask;; i = (i + 1) & mask) {
    if (!s->index[i]) {
      s->index[i] = (int32_t)(pos + 1);
      return 1;
    }
    if (key_eq(s->keys[s->index[i] - 1], k)) return 0;
  }
}

/* A fresh index for the first s->len keys (none at or below INDEX_FROM); 0 when a key repeats. */
static int rebuild_index(tul__jshape *s) {
  if (s->len <= INDEX_FROM) {
    s->index = NULL;
    s->index_cap = 0;
    return 1;
  }
  int64_t cap = 16;
  while (cap < s->len * 2 + 2) cap *= 2;
  s->index = GC_MALLOC_ATOMIC((size_t)cap * sizeof(int32_t));
  if (!s->index) tul_throw_msg("MemoryError: out of memory");
  memset(s->index, 0, (size_t)cap * sizeof(int32_t));
  s->index_cap = cap;
  for (int64_t i = 0; i < s->len; i++)
    if (!index_insert(s, i)) return 0;
  return 1;
}

static tul__jshape *new_shape(int64_t cap) {
  tul__jshape *s = GC_MALLOC(sizeof(tul__jshape) + (size_t)cap * sizeof(tul_str *));
  if (TUL_UNLIKELY(!s)) tul_throw_msg("MemoryError: out of memory");
  s->cap = cap;
  return s;
}

/* Position of `key` in the shape, or -1. */
static int64_t find_key(const tul__jshape *s, const tul_str *key) {
  if (!s->index) {
    for (int64_t i = 0; i < s->len; i++)
      if (key_eq(s->keys[i], key)) return i;
    return -1;
  }
  uint64_t mask = (uint64_t)s->index_cap - 1;
  for (uint64_t i = key_hash(key) & mask; s->index[i]; i = (i + 1) & mask)
    if (key_eq(s->keys[s->index[i] - 1], key)) return s->index[i] - 1;
  return -1;
}

/* The object's shape made private, with room for `room` keys. */
static tul__jshape *own_shape(tul__jobj *o, int64_t room) {
  tul__jshape *s = o->shape;
  if (!s->shared && s->cap >= room) return s;
  int64_t cap = s->cap >= room ? s->cap : room < 4 ? 4 : room > s->len * 2 ? room : s->len * 2;
  tul__jshape *c = new_shape(cap);
  c->len = s->len;
  memcpy(c->keys, s->keys, (size_t)s->len * sizeof(tul_str *));
  if (s->shared || !s->index) rebuild_index(c);
  else c->index = s->index, c->index_cap = s->index_cap; /* a private shape's index moves with it */
  o->shape = c;
  return c;
}

/* Values with room for one more. */
static tul__jobj *room_for_one(tul_json *j) {
  tul__jobj *o = j->u.o;
  int64_t n = o->shape->len;
  if (n < o->cap) return o;
  int64_t cap = o->cap < 4 ? 4 : o->cap * 2;
  tul__jobj *g = GC_MALLOC(sizeof(tul__jobj) + (size_t)cap * sizeof(tul_json *));
  if (TUL_UNLIKELY(!g)) tul_throw_msg("MemoryError: out of memory");
  g->shape = o->shape;
  g->cap = cap;
  memcpy(g->vals, o->vals, (size_t)n * sizeof(tul_json *));
  j->u.o = g;
  return g;
}

tul_json *tul__json_obj_get(const tul_json *j, const tul_str *key) {
  int64_t i = find_key(j->u.o->shape, key);
  return i < 0 ? NULL : j->u.o->vals[i];
}

void tul__json_obj_set(tul_json *j, tul_str *key, tul_json *val) {
  int64_t i = find_key(j->u.o->shape, key);
  if (i >= 0) {
    j->u.o->vals[i] = val;
    return;
  }
  tul__jobj *o = room_for_one(j);
  tul__jshape *s = own_shape(o, o->shape->len + 1);
  int64_t n = s->len;
  s->keys[n] = key;
  o->vals[n] = val;
  s->len = n + 1;
  if (s->len > INDEX_FROM) {
    if (!s->index || s->len * 2 + 2 > s->index_cap) rebuild_index(s);
    else index_insert(s, n);
  }
}

/* Removes key i from a private shape, and its value. */
static void remove_at(tul_json *j, int64_t i) {
  tul__jobj *o = j->u.o;
  tul__jshape *s = own_shape(o, o->shape->len);
  int64_t n = s->len;
  memmove(s->keys + i, s->keys + i + 1, (size_t)(n - i - 1) * sizeof(tul_str *));
  memmove(o->vals + i, o->vals + i + 1, (size_t)(n - i - 1) * sizeof(tul_json *));
  s->len = n - 1;
  s->keys[n - 1] = NULL;
  o->vals[n - 1] = NULL;
  rebuild_index(s);
}

/* ---------------------------------------------------------------- shapes for the parser */

/* A hash of the key sequence (contents, so equal keys in different strings match). */
static uint64_t sequence_hash(void *const *keys, int64_t stride, int64_t n) {
  uint64_t h = (uint64_t)n * 0x9e3779b97f4a7c15ull;
  for (int64_t i = 0; i < n; i++) h = (h ^ key_hash(keys[i * stride])) * 0xff51afd7ed558ccdull;
  return h ^ (h >> 29);
}

static int same_keys(const tul__jshape *s, void *const *keys, int64_t stride, int64_t n) {
  if (s->len != n) return 0;
  for (int64_t i = 0; i < n; i++)
    if (!key_eq(s->keys[i], keys[i * stride])) return 0;
  return 1;
}

tul__jshape *tul__json_shape(tul__shape_cache *cache, void *const *keys, int64_t stride, int64_t n) {
  if (n == 0) return &empty_shape;
  tul__jshape **slot = &cache->slots[sequence_hash(keys, stride, n) % 64];
  if (*slot && same_keys(*slot, keys, stride, n)) {
    (*slot)->shared = 1;
    return *slot;
  }
  tul__jshape *s = new_shape(n);
  s->len = n;
  for (int64_t i = 0; i < n; i++) s->keys[i] = keys[i * stride];
  if (n <= INDEX_FROM) {
    for (int64_t i = 1; i < n; i++)
      for (int64_t k = 0; k < i; k++)
        if (key_eq(s->keys[k], s->keys[i])) return NULL;
  } else if (!rebuild_index(s)) {
    return NULL;
  }
  *slot = s;
  return s;
}

tul_json *tul__json_object_shaped(tul__jshape *shape) { return object_block(shape, shape->len); }

/* ---------------------------------------------------------------- boxing */

static tul_json *box_array(const tul_arr *a) {
  if (!a) return NULL;
  const tul_type *et = a->elem;
  if (et->kind == TUL_K_JSON) return tul__json_array((tul_arr *)a); /* json[]: shared */
  tul_arr *r = tul_arr_new(&tul_type_json, a->len);
  tul_json **d = (tul_json **)r->data;
  for (int64_t i = 0; i < a->len; i++) d[i] = tul_json_box(a->data + i * et->size, et);
  return tul__json_array(r);
}

static tul_json *box_struct(const void *obj, const tul_type *t) {
  if (!obj) return NULL;
  tul_json *j = tul__json_object();
  for (int64_t i = 0; i < t->nfields; i++) {
    const tul_field *f = &t->fields[i];
    tul__json_obj_set(j, tul__str_c(f->name), tul_json_box((const char *)obj + f->offset, f->type));
  }
  return j;
}

tul_json *tul_json_box(const void *slot, const tul_type *type) {
  tul__check_stack();
  if (type->kind == TUL_K_BOOL) return tul__json_bool(*(const char *)slot != 0);
  if (type->kind == TUL_K_VOID) return NULL;
  void *ptr;
  memcpy(&ptr, slot, sizeof ptr);
  switch (type->kind) {
  case TUL_K_INT: return tul__json_int(*(const int64_t *)slot);
  case TUL_K_FLOAT: return tul__json_float(*(const double *)slot);
  case TUL_K_STR: return tul__json_str(ptr);
  case TUL_K_JSON: return ptr;
  case TUL_K_ARRAY: return box_array(ptr);
  case TUL_K_STRUCT: return box_struct(ptr, type);
  case TUL_K_MAP: return tul__map_box(ptr);
  case TUL_K_PROMISE: return ptr ? tul__json_str(tul__str_c(tul_promise_describe(ptr))) : NULL;
  case TUL_K_CHANNEL: return ptr ? tul__json_str(tul_to_str(slot, type)) : NULL;
  default: return tul__json_str(tul__str_c("<function>"));
  }
}

/* ---------------------------------------------------------------- unboxing
 * json -> a static type, checked. Inside arrays, structs and maps the error names where the
 * mismatch is (docs/reference.md §19.11): "TypeError: expected float at [3].price, got str". The path
 * is a chain of stack frames from the innermost step up to the value converted. */

/* Appends the path from the root to `p` ("[3].price", "items[0]", "[\"k\"]"). */
static void sb_path(tul__sb *b, const tul__jpath *p) {
  if (!p) return;
  sb_path(b, p->up);
  if (p->field) {
    if (p->up) tul__sb_ch(b, '.');
    tul__sb_cstr(b, p->field);
  } else if (p->key) {
    tul__sb_ch(b, '[');
    tul__sb_quoted(b, p->key->data, p->key->len);
    tul__sb_ch(b, ']');
  } else {
    tul__sb_ch(b, '[');
    tul__sb_int(b, p->index);
    tul__sb_ch(b, ']');
  }
}

/* "TypeError: expected <want>[ at <path>], got " (the caller appends what it got). */
static void mismatch_head(tul__sb *b, const char *want, const tul__jpath *path) {
  tul__sb_init(b);
  tul__sb_cstr(b, "TypeError: expected ");
  tul__sb_cstr(b, want);
  if (path) {
    tul__sb_cstr(b, " at ");
    sb_path(b, path);
  }
  tul__sb_cstr(b, ", got ");
}

/* "TypeError: expected <want>[ at <path>], got <kind>". */
TUL_NORETURN void tul__unbox_mismatch(const char *want, const tul_json *got, const tul__jpath *path) {
  tul__sb b;
  mismatch_head(&b, want, path);
  tul__sb_cstr(&b, tul__json_kind_name(got));
  tul__throw_str(tul__sb_finish(&b));
}

/* A json object key that is no decimal int, for a map<int, V>: "expected an int key[ at <path>], got "1x"". */
TUL_NORETURN void tul__unbox_bad_key(const tul_str *key, const tul__jpath *path) {
  tul__sb b;
  mismatch_head(&b, "an int key", path);
  tul__sb_quoted(&b, key->data, key->len);
  tul__throw_str(tul__sb_finish(&b));
}

static TUL_NORETURN void mismatch(const tul_type *want, const tul_json *got, const tul__jpath *path) {
  char buf[128];
  tul__unbox_mismatch(tul__type_name(want, buf, sizeof buf), got, path);
}

static tul_arr *unbox_array(const tul_json *j, const tul_type *type, const tul__jpath *path) {
  if (!j || j->tag != TUL_J_ARRAY) mismatch(type, j, path);
  const tul_type *et = type->elem;
  tul_arr *src = j->u.a;
  if (et->kind == TUL_K_JSON) return src;
  tul_arr *r = tul_arr_new(et, src->len);
  tul_json **d = (tul_json **)src->data;
  for (int64_t i = 0; i < src->len; i++) {
    tul__jpath at = {path, NULL, NULL, i};
    tul__json_unbox_at(d[i], et, r->data + i * et->size, &at);
  }
  return r;
}

/* An object's fields by name; a missing field keeps its default (the struct's init function from
 * codegen stores defaults and the zero values of str, array and map fields); null gives no instance. */
static void *unbox_struct(const tul_json *j, const tul_type *type, const tul__jpath *path) {
  if (!j) return NULL;
  if (j->tag != TUL_J_OBJECT) mismatch(type, j, path);
  int64_t size = 8;
  for (int64_t i = 0; i < type->nfields; i++) {
    int64_t end = type->fields[i].offset + type->fields[i].type->size;
    if (end > size) size = end;
  }
  char *obj = tul_alloc(size);
  if (type->init) type->init(obj);
  else
    for (int64_t i = 0; i < type->nfields; i++)
      if (type->fields[i].type->kind == TUL_K_STR) *(const tul_str **)(obj + type->fields[i].offset) = &tul_empty_str;
  for (int64_t i = 0; i < type->nfields; i++) {
    const tul_field *f = &type->fields[i];
    int64_t k = find_key(j->u.o->shape, tul__str_c(f->name));
    if (k < 0) continue; /* missing: the default stays (an explicit null is converted, and checked) */
    tul__jpath at = {path, f->name, NULL, 0};
    tul__json_unbox_at(j->u.o->vals[k], f->type, obj + f->offset, &at);
  }
  return obj;
}

void tul__json_unbox_at(const tul_json *j, const tul_type *type, void *out, const tul__jpath *path) {
  int64_t tag = j ? j->tag : 0;
  void *ptr;
  switch (type->kind) {
  case TUL_K_INT:
    if (tag != TUL_J_INT) mismatch(type, j, path);
    memcpy(out, &j->u.i, 8);
    return;
  case TUL_K_FLOAT: {
    if (tag != TUL_J_FLOAT && tag != TUL_J_INT) mismatch(type, j, path);
    double f = tag == TUL_J_INT ? (double)j->u.i : j->u.f;
    memcpy(out, &f, 8);
    return;
  }
  case TUL_K_BOOL:
    if (tag != TUL_J_BOOL) mismatch(type, j, path);
    *(char *)out = j->u.b;
    return;
  case TUL_K_STR:
    if (tag != TUL_J_STR) mismatch(type, j, path);
    ptr = j->u.s;
    break;
  case TUL_K_JSON: ptr = (void *)j; break;
  case TUL_K_ARRAY: ptr = unbox_array(j, type, path); break;
  case TUL_K_STRUCT: ptr = unbox_struct(j, type, path); break;
  case TUL_K_MAP:
    if (tag != TUL_J_OBJECT) mismatch(type, j, path);
    ptr = tul__map_unbox(j, type, path);
    break;
  case TUL_K_VOID: return;
  default: mismatch(type, j, path);
  }
  memcpy(out, &ptr, sizeof ptr);
}

void tul_json_unbox(const tul_json *j, const tul_type *type, void *out) { tul__json_unbox_at(j, type, out, NULL); }

/* ---------------------------------------------------------------- equality */

static _Bool obj_eq(const tul__jobj *a, const tul__jobj *b) {
  if (a->shape->len != b->shape->len) return 0;
  for (int64_t i = 0; i < a->shape->len; i++) {
    int64_t k = a->shape == b->shape ? i : find_key(b->shape, a->shape->keys[i]);
    if (k < 0 || !tul_json_eq(a->vals[i], b->vals[k])) return 0;
  }
  return 1;
}

/* Deep; ints and floats compare by value (1 == 1.0), like the static operators. */
_Bool tul_json_eq(const tul_json *a, const tul_json *b) {
  if (a == b) return 1;
  if (!a || !b) return 0;
  tul__check_stack();
  if (a->tag != b->tag) {
    if (a->tag == TUL_J_INT && b->tag == TUL_J_FLOAT) return (double)a->u.i == b->u.f;
    if (a->tag == TUL_J_FLOAT && b->tag == TUL_J_INT) return a->u.f == (double)b->u.i;
    return 0;
  }
  switch (a->tag) {
  case TUL_J_BOOL: return a->u.b == b->u.b;
  case TUL_J_INT: return a->u.i == b->u.i;
  case TUL_J_FLOAT: return a->u.f == b->u.f;
  case TUL_J_STR: return tul_str_eq(a->u.s, b->u.s);
  case TUL_J_ARRAY: return tul_arr_eq(a->u.a, b->u.a);
  case TUL_J_OBJECT: return obj_eq(a->u.o, b->u.o);
  }
  return 0;
}

/* ---------------------------------------------------------------- access (j.key, j[i], len, ...) */

static TUL_NORETURN void cannot_index(const tul_json *j, const char *with) {
  tul__throw_fmt("TypeError: cannot index %s with %s", tul__json_kind_name(j), with);
}

static TUL_NORETURN void expected(const char *want, const tul_json *got) {
  tul__throw_fmt("TypeError: expected %s, got %s", want, tul__json_kind_name(got));
}

tul_json *tul_json_new_object(void) { return tul__json_object(); }

static const tul__jshape *shape_of(const tul_json *j) {
  if (TUL_UNLIKELY(!j || j->tag != TUL_J_OBJECT)) expected("object", j);
  return j->u.o->shape;
}

_Bool tul_json_has(const tul_json *j, const tul_str *key) { return find_key(shape_of(j), key) >= 0; }

/* Removes the entry and closes the gap, so the other keys keep their order; the index (if any) is
 * rebuilt. */
_Bool tul_json_delete(tul_json *j, const tul_str *key) {
  int64_t i = find_key(shape_of(j), key);
  if (i < 0) return 0;
  remove_at(j, i);
  return 1;
}

/* j[key] where a missing key is an error (`j[k] += 1`): KeyError: "k". */
tul_json *tul_json_get_existing(const tul_json *j, const tul_str *key) {
  int64_t i = find_key(shape_of(j), key);
  if (TUL_UNLIKELY(i < 0)) {
    tul__sb b;
    tul__sb_init(&b);
    tul__sb_cstr(&b, "KeyError: ");
    tul__sb_quoted(&b, key->data, key->len);
    tul__throw_str(tul__sb_finish(&b));
  }
  return j->u.o->vals[i];
}

tul_json *tul_json_get(const tul_json *j, const tul_str *key) {
  if (TUL_UNLIKELY(!j || j->tag != TUL_J_OBJECT)) cannot_index(j, "str");
  return tul__json_obj_get(j, key);
}

tul_json *tul_json_at(const tul_json *j, int64_t i) {
  if (j && j->tag == TUL_J_ARRAY) {
    tul_arr *a = j->u.a;
    if (TUL_UNLIKELY((uint64_t)i >= (uint64_t)a->len)) tul_throw_index(i, a->len);
    return ((tul_json **)a->data)[i];
  }
  if (j && j->tag == TUL_J_STR) return tul__json_str(tul_str_index(j->u.s, i));
  cannot_index(j, "int");
}

tul_json *tul_json_index(const tul_json *j, const tul_json *key) {
  if (key && key->tag == TUL_J_INT) return tul_json_at(j, key->u.i);
  if (key && key->tag == TUL_J_STR) return tul_json_get(j, key->u.s);
  cannot_index(j, tul__json_kind_name(key));
}

void tul_json_set(tul_json *j, const tul_str *key, tul_json *v) {
  if (TUL_UNLIKELY(!j || j->tag != TUL_J_OBJECT)) cannot_index(j, "str");
  tul__json_obj_set(j, (tul_str *)key, v);
}

void tul_json_set_at(tul_json *j, int64_t i, tul_json *v) {
  if (TUL_UNLIKELY(!j || j->tag != TUL_J_ARRAY)) cannot_index(j, "int");
  tul_arr *a = j->u.a;
  if (TUL_UNLIKELY((uint64_t)i >= (uint64_t)a->len)) tul_throw_index(i, a->len);
  ((tul_json **)a->data)[i] = v;
}

void tul_json_set_index(tul_json *j, const tul_json *key, tul_json *v) {
  if (key && key->tag == TUL_J_INT) tul_json_set_at(j, key->u.i, v);
  else if (key && key->tag == TUL_J_STR) tul_json_set(j, key->u.s, v);
  else cannot_index(j, tul__json_kind_name(key));
}

int64_t tul_json_len(const tul_json *j) {
  if (j && j->tag == TUL_J_ARRAY) return j->u.a->len;
  if (j && j->tag == TUL_J_OBJECT) return tul__jobj_len(j);
  if (j && j->tag == TUL_J_STR) return tul__cplen(j->u.s);
  tul__throw_fmt("TypeError: %s has no length", tul__json_kind_name(j));
}

tul_json *tul_json_iter_at(const tul_json *j, int64_t i) {
  if (j && j->tag == TUL_J_OBJECT) return tul__json_str(tul__jobj_key(j, i));
  return tul_json_at(j, i);
}

tul_arr *tul_json_keys(const tul_json *j) {
  if (!j || j->tag != TUL_J_OBJECT) expected("object", j);
  const tul__jshape *s = j->u.o->shape;
  tul_arr *r = tul_arr_new(&tul_type_str, s->len);
  memcpy(r->data, s->keys, (size_t)s->len * sizeof(tul_str *));
  return r;
}

void tul_json_push(tul_json *j, tul_json *v) {
  if (!j || j->tag != TUL_J_ARRAY) expected("array", j);
  *(tul_json **)tul_arr_push_slot(j->u.a) = v;
}

tul_json *tul_json_pop(tul_json *j) {
  if (!j || j->tag != TUL_J_ARRAY) expected("array", j);
  return *(tul_json **)tul_arr_pop_slot(j->u.a);
}

tul_json *tul_json_slice(const tul_json *j, int64_t a, int64_t b) {
  if (j && j->tag == TUL_J_ARRAY) return tul__json_array(tul_arr_slice(j->u.a, a, b));
  if (j && j->tag == TUL_J_STR) return tul__json_str(tul_str_slice(j->u.s, a, b));
  expected("array or str", j);
}

int64_t tul_json_index_of(const tul_json *j, const tul_json *x) {
  if (j && j->tag == TUL_J_ARRAY) return tul_arr_index_of(j->u.a, &x);
  if (j && j->tag == TUL_J_STR) {
    if (!x || x->tag != TUL_J_STR) expected("str", x);
    return tul_str_index_of(j->u.s, x->u.s);
  }
  expected("array or str", j);
}

_Bool tul_json_contains(const tul_json *j, const tul_json *x) {
  if (j && j->tag == TUL_J_OBJECT) {
    if (!x || x->tag != TUL_J_STR) expected("str", x);
    return find_key(j->u.o->shape, x->u.s) >= 0;
  }
  return tul_json_index_of(j, x) >= 0;
}
