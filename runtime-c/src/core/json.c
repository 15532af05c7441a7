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

tul_json *tul__json_object(void) {
  tul_json *j = new_json(TUL_J_OBJECT);
  j->u.o = GC_MALLOC(sizeof(tul__jobj));
  return j->u.o ? j : (tul_throw_msg("MemoryError: out of memory"), NULL);
}

tul_json *tul__json_object_sized(int64_t cap) {
  tul_json *j = tul__json_object();
  if (cap <= 0) return j;
  tul__jobj *o = j->u.o;
  o->keys = GC_MALLOC((size_t)cap * sizeof *o->keys);
  o->vals = GC_MALLOC((size_t)cap * sizeof *o->vals);
  if (!o->keys || !o->vals) tul_throw_msg("MemoryError: out of memory");
  o->cap = cap;
  return j;
}

const char *tul__json_kind_name(const tul_json *j) {
  static const char *names[] = {"null", "bool", "int", "float", "str", "array", "object"};
  return j ? names[j->tag] : "null";
}

/* ---------------------------------------------------------------- objects */

#define INDEX_FROM 8 /* objects with more keys than this get a hash index */

static uint64_t hash_key(const char *p, int64_t n) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (int64_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
  return h;
}

static void index_insert(tul__jobj *o, int64_t entry) {
  uint64_t mask = (uint64_t)o->index_cap - 1;
  const tul_str *k = o->keys[entry];
  for (uint64_t s = hash_key(k->data, k->len) & mask;; s = (s + 1) & mask)
    if (!o->index[s]) {
      o->index[s] = (int32_t)(entry + 1);
      return;
    }
}

static void rebuild_index(tul__jobj *o) {
  int64_t cap = 16;
  while (cap < o->len * 2 + 2) cap *= 2;
  o->index = GC_MALLOC_ATOMIC((size_t)cap * sizeof(int32_t));
  memset(o->index, 0, (size_t)cap * sizeof(int32_t));
  o->index_cap = cap;
  for (int64_t i = 0; i < o->len; i++) index_insert(o, i);
}

static int key_eq(const tul_str *a, const tul_str *b) {
  return a == b || (a->len == b->len && memcmp(a->data, b->data, (size_t)a->len) == 0);
}

/* Entry number of `key`, or -1. */
static int64_t find_key(const tul__jobj *o, const tul_str *key) {
  if (!o->index) {
    for (int64_t i = 0; i < o->len; i++)
      if (key_eq(o->keys[i], key)) return i;
    return -1;
  }
  uint64_t mask = (uint64_t)o->index_cap - 1;
  for (uint64_t s = hash_key(key->data, key->len) & mask; o->index[s]; s = (s + 1) & mask)
    if (key_eq(o->keys[o->index[s] - 1], key)) return o->index[s] - 1;
  return -1;
}

tul_json *tul__json_obj_get(const tul_json *j, const tul_str *key) {
  int64_t i = find_key(j->u.o, key);
  return i < 0 ? NULL : j->u.o->vals[i];
}

void tul__json_obj_set(tul_json *j, tul_str *key, tul_json *val) {
  tul__jobj *o = j->u.o;
  int64_t i = find_key(o, key);
  if (i >= 0) {
    o->vals[i] = val;
    return;
  }
  if (o->len == o->cap) {
    int64_t cap = o->cap ? o->cap * 2 : 4;
    o->keys = GC_REALLOC(o->keys, (size_t)cap * sizeof *o->keys);
    o->vals = GC_REALLOC(o->vals, (size_t)cap * sizeof *o->vals);
    if (!o->keys || !o->vals) tul_throw_msg("MemoryError: out of memory");
    o->cap = cap;
  }
  o->keys[o->len] = key;
  o->vals[o->len] = val;
  o->len++;
  if (o->len > INDEX_FROM) {
    if (!o->index || o->len * 2 + 2 > o->index_cap) rebuild_index(o);
    else index_insert(o, o->len - 1);
  }
}

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

/* ---------------------------------------------------------------- unboxing */

static TUL_NORETURN void mismatch(const tul_type *want, const tul_json *got) {
  char buf[128];
  tul__throw_fmt("TypeError: expected %s, got %s", tul__type_name(want, buf, sizeof buf),
                 tul__json_kind_name(got));
}

static tul_arr *unbox_array(const tul_json *j, const tul_type *type) {
  if (!j || j->tag != TUL_J_ARRAY) mismatch(type, j);
  const tul_type *et = type->elem;
  tul_arr *src = j->u.a;
  if (et->kind == TUL_K_JSON) return src;
  tul_arr *r = tul_arr_new(et, src->len);
  tul_json **d = (tul_json **)src->data;
  for (int64_t i = 0; i < src->len; i++) tul_json_unbox(d[i], et, r->data + i * et->size);
  return r;
}

/* An object's fields by name (missing fields keep their zero value); null gives no instance. */
static void *unbox_struct(const tul_json *j, const tul_type *type) {
  if (!j) return NULL;
  if (j->tag != TUL_J_OBJECT) mismatch(type, j);
  int64_t size = 0;
  for (int64_t i = 0; i < type->nfields; i++) {
    int64_t end = type->fields[i].offset + type->fields[i].type->size;
    if (end > size) size = end;
  }
  char *obj = tul_alloc(size);
  for (int64_t i = 0; i < type->nfields; i++) {
    const tul_field *f = &type->fields[i];
    if (f->type->kind == TUL_K_STR) *(const tul_str **)(obj + f->offset) = &tul_empty_str;
    tul_json *v = tul__json_obj_get(j, tul__str_c(f->name));
    if (v || f->type->kind == TUL_K_JSON || f->type->kind == TUL_K_STRUCT) tul_json_unbox(v, f->type, obj + f->offset);
  }
  return obj;
}

void tul_json_unbox(const tul_json *j, const tul_type *type, void *out) {
  int64_t tag = j ? j->tag : 0;
  void *ptr;
  switch (type->kind) {
  case TUL_K_INT:
    if (tag != TUL_J_INT) mismatch(type, j);
    memcpy(out, &j->u.i, 8);
    return;
  case TUL_K_FLOAT: {
    if (tag != TUL_J_FLOAT && tag != TUL_J_INT) mismatch(type, j);
    double f = tag == TUL_J_INT ? (double)j->u.i : j->u.f;
    memcpy(out, &f, 8);
    return;
  }
  case TUL_K_BOOL:
    if (tag != TUL_J_BOOL) mismatch(type, j);
    *(char *)out = j->u.b;
    return;
  case TUL_K_STR:
    if (tag != TUL_J_STR) mismatch(type, j);
    ptr = j->u.s;
    break;
  case TUL_K_JSON: ptr = (void *)j; break;
  case TUL_K_ARRAY: ptr = unbox_array(j, type); break;
  case TUL_K_STRUCT: ptr = unbox_struct(j, type); break;
  case TUL_K_MAP:
    if (tag != TUL_J_OBJECT) mismatch(type, j);
    ptr = tul__map_unbox(j, type);
    break;
  case TUL_K_VOID: return;
  default: mismatch(type, j);
  }
  memcpy(out, &ptr, sizeof ptr);
}

/* ---------------------------------------------------------------- equality */

static _Bool obj_eq(const tul__jobj *a, const tul__jobj *b) {
  if (a->len != b->len) return 0;
  for (int64_t i = 0; i < a->len; i++) {
    int64_t k = find_key(b, a->keys[i]);
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

static const tul__jobj *object_of(const tul_json *j) {
  if (TUL_UNLIKELY(!j || j->tag != TUL_J_OBJECT)) expected("object", j);
  return j->u.o;
}

_Bool tul_json_has(const tul_json *j, const tul_str *key) { return find_key(object_of(j), key) >= 0; }

/* Removes the entry and closes the gap, so the other keys keep their order; the index (if any) is
 * rebuilt. */
_Bool tul_json_delete(tul_json *j, const tul_str *key) {
  tul__jobj *o = (tul__jobj *)object_of(j);
  int64_t i = find_key(o, key);
  if (i < 0) return 0;
  memmove(o->keys + i, o->keys + i + 1, (size_t)(o->len - i - 1) * sizeof *o->keys);
  memmove(o->vals + i, o->vals + i + 1, (size_t)(o->len - i - 1) * sizeof *o->vals);
  o->len--;
  o->keys[o->len] = NULL;
  o->vals[o->len] = NULL;
  if (o->index) {
    if (o->len > INDEX_FROM) rebuild_index(o);
    else o->index = NULL, o->index_cap = 0;
  }
  return 1;
}

/* j[key] where a missing key is an error (`j[k] += 1`): KeyError: "k". */
tul_json *tul_json_get_existing(const tul_json *j, const tul_str *key) {
  int64_t i = find_key(object_of(j), key);
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
  if (j && j->tag == TUL_J_OBJECT) return j->u.o->len;
  if (j && j->tag == TUL_J_STR) return tul__cplen(j->u.s);
  tul__throw_fmt("TypeError: %s has no length", tul__json_kind_name(j));
}

tul_json *tul_json_iter_at(const tul_json *j, int64_t i) {
  if (j && j->tag == TUL_J_OBJECT) return tul__json_str(j->u.o->keys[i]);
  return tul_json_at(j, i);
}

tul_arr *tul_json_keys(const tul_json *j) {
  if (!j || j->tag != TUL_J_OBJECT) expected("object", j);
  const tul__jobj *o = j->u.o;
  tul_arr *r = tul_arr_new(&tul_type_str, o->len);
  memcpy(r->data, o->keys, (size_t)o->len * sizeof(tul_str *));
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
    return tul__json_obj_get(j, x->u.s) != NULL || find_key(j->u.o, x->u.s) >= 0;
  }
  return tul_json_index_of(j, x) >= 0;
}
