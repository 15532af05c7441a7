/* array.c: growable arrays with unboxed elements (`elem->size` bytes each): creation, push/pop
 * with doubling, Python-style slices, sorting, deep equality and search, range(). */
#include <gc.h>
#include <math.h>
#include <stdlib.h>
#include "rt_int.h"

int tul__is_pointer_kind(int64_t kind) {
  return kind != TUL_K_INT && kind != TUL_K_FLOAT && kind != TUL_K_BOOL && kind != TUL_K_VOID;
}

/* Element storage: scanned by the GC only when elements are pointers. */
static char *alloc_data(const tul_type *elem, int64_t cap) {
  size_t size = (size_t)(elem->size > 0 ? elem->size : 1), bytes;
  if (__builtin_mul_overflow((size_t)(cap > 0 ? cap : 1), size, &bytes) || bytes > (size_t)INT64_MAX)
    tul_throw_msg("MemoryError: out of memory"); /* range(0, 1 << 62) */
  char *p = tul__is_pointer_kind(elem->kind) ? GC_MALLOC(bytes) : GC_MALLOC_ATOMIC(bytes);
  if (TUL_UNLIKELY(!p)) tul_throw_msg("MemoryError: out of memory");
  tul__huge_pages(p, bytes);
  if (!tul__is_pointer_kind(elem->kind)) memset(p, 0, bytes); /* len zeroed elements */
  return p;
}

tul_arr *tul_arr_new(const tul_type *elem, int64_t len) {
  tul_arr *a = GC_MALLOC(sizeof *a);
  if (TUL_UNLIKELY(!a)) tul_throw_msg("MemoryError: out of memory");
  int64_t cap = len < 4 ? 4 : len;
  a->len = len;
  a->cap = cap;
  a->elem = elem;
  a->data = alloc_data(elem, cap);
  if (elem->kind == TUL_K_STR) /* the zero value of str is "", never a null pointer */
    for (int64_t i = 0; i < len; i++) ((const tul_str **)a->data)[i] = &tul_empty_str;
  return a;
}

/* Doubles the capacity. A fresh block and a copy rather than GC_REALLOC: that frees the old block
 * explicitly, so a stale element pointer still held somewhere would write into freed memory; here
 * it writes into garbage the collector reclaims later. Slots past `len` are always written before
 * they are read, so the new tail is not cleared. */
static __attribute__((noinline)) void grow(tul_arr *a) {
  int64_t cap = a->cap < 4 ? 8 : a->cap * 2;
  size_t size = (size_t)a->elem->size;
  char *p = tul__is_pointer_kind(a->elem->kind) ? GC_MALLOC((size_t)cap * size) : GC_MALLOC_ATOMIC((size_t)cap * size);
  if (TUL_UNLIKELY(!p)) tul_throw_msg("MemoryError: out of memory");
  tul__huge_pages(p, (size_t)cap * size);
  memcpy(p, a->data, (size_t)a->len * size);
  a->data = p;
  a->cap = cap;
}

void *tul_arr_push_slot(tul_arr *a) {
  if (TUL_UNLIKELY(a->len == a->cap)) grow(a);
  return a->data + (a->len++) * a->elem->size;
}

void *tul_arr_pop_slot(tul_arr *a) {
  if (TUL_UNLIKELY(a->len == 0)) tul_throw_msg("IndexError: pop from empty array");
  return a->data + (--a->len) * a->elem->size;
}

/* Python slice bounds: negative counts from the end, then clamped to [0, n]. */
static int64_t slice_bound(int64_t v, int64_t n) {
  if (v < 0) v = v < -n ? 0 : v + n;
  return v > n ? n : v;
}

static tul_arr *copy_range(const tul_arr *a, int64_t lo, int64_t hi) {
  int64_t n = hi > lo ? hi - lo : 0;
  tul_arr *r = tul_arr_new(a->elem, n);
  if (n) memcpy(r->data, a->data + lo * a->elem->size, (size_t)(n * a->elem->size));
  return r;
}

tul_arr *tul_arr_slice(const tul_arr *a, int64_t start, int64_t end) {
  return copy_range(a, slice_bound(start, a->len), slice_bound(end, a->len));
}

tul_arr *tul_range(int64_t a, int64_t b) {
  int64_t n = b > a ? (int64_t)((uint64_t)b - (uint64_t)a) : 0; /* range(-2^63, 2^63 - 1) wraps: */
  if (n < 0) tul_throw_msg("MemoryError: out of memory");     /* more elements than any heap holds */
  tul_arr *r = tul_arr_new(&tul_type_int, n);
  int64_t *d = (int64_t *)r->data;
  for (int64_t i = 0; i < n; i++) d[i] = a + i;
  return r;
}

/* ---------------------------------------------------------------- sorting */

static int cmp_int(const void *x, const void *y) {
  int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
  return (a > b) - (a < b);
}

/* NaN sorts last, so the order stays total. */
static int cmp_float(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  if (isnan(a) || isnan(b)) return isnan(a) - isnan(b);
  return (a > b) - (a < b);
}

static int cmp_bool(const void *x, const void *y) {
  return (*(const unsigned char *)x != 0) - (*(const unsigned char *)y != 0);
}

static int cmp_str(const void *x, const void *y) {
  int64_t c = tul_str_cmp(*(tul_str *const *)x, *(tul_str *const *)y);
  return (c > 0) - (c < 0);
}

tul_arr *tul_arr_sort(const tul_arr *a) {
  tul_arr *r = copy_range(a, 0, a->len);
  int (*cmp)(const void *, const void *);
  switch (a->elem->kind) {
  case TUL_K_INT: cmp = cmp_int; break;
  case TUL_K_FLOAT: cmp = cmp_float; break;
  case TUL_K_BOOL: cmp = cmp_bool; break;
  case TUL_K_STR: cmp = cmp_str; break;
  default: {
    char buf[128];
    tul__throw_fmt("TypeError: cannot sort %s", tul__type_name(a->elem, buf, sizeof buf));
  }
  }
  qsort(r->data, (size_t)r->len, (size_t)r->elem->size, cmp);
  return r;
}

/* ---------------------------------------------------------------- equality and search */

_Bool tul_value_eq(const void *a, const void *b, const tul_type *type) {
  switch (type->kind) {
  case TUL_K_INT: return *(const int64_t *)a == *(const int64_t *)b;
  case TUL_K_FLOAT: return *(const double *)a == *(const double *)b;
  case TUL_K_BOOL: return (*(const unsigned char *)a != 0) == (*(const unsigned char *)b != 0);
  case TUL_K_VOID: return 1;
  }
  void *x, *y;
  memcpy(&x, a, sizeof x);
  memcpy(&y, b, sizeof y);
  switch (type->kind) {
  case TUL_K_STR: return x == y || (x && y && tul_str_eq(x, y));
  case TUL_K_JSON: return tul_json_eq(x, y);
  case TUL_K_ARRAY: return x == y || (x && y && tul_arr_eq(x, y));
  case TUL_K_MAP: return tul__map_eq(x, y);
  default: return x == y; /* structs, functions and promises by identity */
  }
}

_Bool tul_arr_eq(const tul_arr *a, const tul_arr *b) {
  if (a == b) return 1;
  if (a->len != b->len) return 0;
  const tul_type *et = a->elem;
  if (et->kind == TUL_K_INT || (et->kind == TUL_K_BOOL && b->elem->kind == TUL_K_BOOL))
    return memcmp(a->data, b->data, (size_t)(a->len * et->size)) == 0;
  tul__check_stack();
  for (int64_t i = 0; i < a->len; i++)
    if (!tul_value_eq(a->data + i * et->size, b->data + i * et->size, et)) return 0;
  return 1;
}

int64_t tul_arr_index_of(const tul_arr *a, const void *slot) {
  const tul_type *et = a->elem;
  switch (et->kind) {
  case TUL_K_INT: {
    const int64_t *d = (const int64_t *)a->data, v = *(const int64_t *)slot;
    for (int64_t i = 0; i < a->len; i++)
      if (d[i] == v) return i;
    return -1;
  }
  case TUL_K_STR: {
    tul_str *const *d = (tul_str *const *)a->data, *v = *(tul_str *const *)slot;
    for (int64_t i = 0; i < a->len; i++)
      if (d[i] == v || (d[i]->len == v->len && memcmp(d[i]->data, v->data, (size_t)v->len) == 0)) return i;
    return -1;
  }
  }
  for (int64_t i = 0; i < a->len; i++)
    if (tul_value_eq(a->data + i * et->size, slot, et)) return i;
  return -1;
}
