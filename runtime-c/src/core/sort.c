/* sort.c: sort(xs, less) and sort_by(xs, key) for arrays of any element type. Both return a new
 * array and are stable: a top-down merge sort (binary insertion sort below 16 elements, no merge
 * when the halves are already in order, so sorted input costs n - 1 comparisons). An inconsistent
 * `less` cannot make it read out of bounds; a `less` or `key` that throws leaves the input as it was.
 * The merge sort is written once as a template (SORT_DEFINE) for 8-byte elements compared through
 * `less`, and for (key, element) pairs compared by key. */
#include <gc.h>
#include <math.h>
#include "rt_int.h"

#define INSERTION_MAX 16

static inline double as_double(uint64_t w) {
  double d;
  memcpy(&d, &w, 8);
  return d;
}

/* SORT_DEFINE(name, T, LESS, AHEAD): `static void name(T *a, T *tmp, int64_t n, void *cx)` sorts
 * a[0..n) stably with LESS(cx, x, y) meaning x < y; tmp holds at least n / 2 + 1 elements.
 * AHEAD(cx, x) is told about elements a few steps ahead in a merge (to prefetch what they point to:
 * after the first passes the objects a comparator reads are in no useful order in memory). */
#define PREFETCH_DISTANCE 6
#define SORT_DEFINE(name, T, LESS, AHEAD)                                                   \
  static void name##_insertion(T *a, int64_t n, void *cx) {                                 \
    for (int64_t i = 1; i < n; i++) {                                                        \
      T x = a[i];                                                                            \
      if (!LESS(cx, x, a[i - 1])) continue; /* in order: one comparison */                   \
      int64_t lo = 0, hi = i - 1; /* first position whose element is greater than x */      \
      while (lo < hi) {                                                                      \
        int64_t mid = lo + (hi - lo) / 2;                                                    \
        if (LESS(cx, x, a[mid])) hi = mid;                                                   \
        else lo = mid + 1;                                                                   \
      }                                                                                      \
      memmove(a + lo + 1, a + lo, (size_t)(i - lo) * sizeof(T));                            \
      a[lo] = x;                                                                             \
    }                                                                                        \
  }                                                                                          \
  static void name(T *a, T *tmp, int64_t n, void *cx) {                                      \
    if (n <= INSERTION_MAX) {                                                                \
      name##_insertion(a, n, cx);                                                            \
      return;                                                                                \
    }                                                                                        \
    int64_t mid = n / 2;                                                                     \
    name(a, tmp, mid, cx);                                                                   \
    name(a + mid, tmp, n - mid, cx);                                                         \
    if (!LESS(cx, a[mid], a[mid - 1])) return; /* already in order */                        \
    memcpy(tmp, a, (size_t)mid * sizeof(T));                                                 \
    int64_t i = 0, j = mid, k = 0;                                                           \
    while (i < mid && j < n) {                                                               \
      if (i + PREFETCH_DISTANCE < mid) AHEAD(cx, tmp[i + PREFETCH_DISTANCE]);                \
      if (j + PREFETCH_DISTANCE < n) AHEAD(cx, a[j + PREFETCH_DISTANCE]);                    \
      a[k++] = LESS(cx, a[j], tmp[i]) ? a[j++] : tmp[i++];                                   \
    }                                                                                        \
    while (i < mid) a[k++] = tmp[i++];                                                       \
  }

/* ---------------------------------------------------------------- sort(xs, less) */

/* A closure is a GC block whose first word is its code; the code takes the block first. Bools
 * travel as i1: only bit 0 of the result is meaningful. */
typedef struct less_cx {
  void *clo;
  void *code;
  int64_t kind; /* element kind: how the two arguments travel */
  int pointers; /* elements are pointers to objects */
} less_cx;

static inline int call_less(void *cxp, uint64_t x, uint64_t y) {
  less_cx *cx = cxp;
  switch (cx->kind) {
  case TUL_K_FLOAT: return ((unsigned char (*)(void *, double, double))cx->code)(cx->clo, as_double(x), as_double(y)) & 1;
  case TUL_K_BOOL: return ((unsigned char (*)(void *, _Bool, _Bool))cx->code)(cx->clo, x != 0, y != 0) & 1;
  default: return ((unsigned char (*)(void *, uint64_t, uint64_t))cx->code)(cx->clo, x, y) & 1;
  }
}

/* Elements that are pointers: the object a comparator will read. */
static inline void ahead_word(void *cxp, uint64_t x) {
  if (((less_cx *)cxp)->pointers) __builtin_prefetch((const void *)(uintptr_t)x);
}

SORT_DEFINE(sort_words, uint64_t, call_less, ahead_word)

static void *closure_code(void *clo) {
  if (!clo) tul_throw_msg("TypeError: null reference");
  return *(void **)clo;
}

static uint64_t *alloc_words(int64_t n, int pointers) {
  size_t bytes = (size_t)(n > 0 ? n : 1) * 8;
  uint64_t *p = pointers ? GC_MALLOC(bytes) : GC_MALLOC_ATOMIC(bytes);
  if (TUL_UNLIKELY(!p)) tul_throw_msg("MemoryError: out of memory");
  return p;
}

/* The elements as 8-byte words (bools widened); `pointers`: the GC must see them. */
static uint64_t *widen(const tul_arr *a, int pointers) {
  uint64_t *w = alloc_words(a->len, pointers);
  if (a->elem->size == 8) memcpy(w, a->data, (size_t)a->len * 8);
  else
    for (int64_t i = 0; i < a->len; i++) w[i] = (unsigned char)a->data[i];
  return w;
}

static tul_arr *narrow(const tul_arr *a, const uint64_t *w) {
  tul_arr *r = tul_arr_new(a->elem, a->len);
  if (a->elem->size == 8) memcpy(r->data, w, (size_t)a->len * 8);
  else
    for (int64_t i = 0; i < a->len; i++) r->data[i] = (char)w[i];
  return r;
}

tul_arr *tul_arr_sort_less(const tul_arr *a, void *less) {
  int pointers = tul__is_pointer_kind(a->elem->kind);
  less_cx cx = {less, closure_code(less), a->elem->kind, pointers};
  uint64_t *w = widen(a, pointers), *tmp = alloc_words(a->len / 2 + 1, pointers);
  sort_words(w, tmp, a->len, &cx);
  return narrow(a, w);
}

/* ---------------------------------------------------------------- sort_by(xs, key) */

typedef struct keyed {
  uint64_t key; /* int64_t, double, bool (0/1) or tul_str* */
  uint64_t elem;
} keyed;

static inline int key_less(void *kindp, keyed x, keyed y) {
  switch (*(const int64_t *)kindp) {
  case TUL_K_INT: return (int64_t)x.key < (int64_t)y.key;
  case TUL_K_FLOAT: {
    double a = as_double(x.key), b = as_double(y.key);
    return isnan(b) ? !isnan(a) : a < b; /* NaN last, as sort() puts it */
  }
  case TUL_K_STR: return tul_str_cmp((const tul_str *)(uintptr_t)x.key, (const tul_str *)(uintptr_t)y.key) < 0;
  default: return x.key < y.key; /* bool */
  }
}

/* Keys that are strings: their bytes. */
static inline void ahead_key(void *kindp, keyed x) {
  if (*(const int64_t *)kindp == TUL_K_STR) __builtin_prefetch((const void *)(uintptr_t)x.key);
}

SORT_DEFINE(sort_keyed, keyed, key_less, ahead_key)

/* key(x) for one element, as a word. */
static uint64_t call_key(void *clo, void *code, int64_t elem_kind, int64_t key_kind, uint64_t x) {
  if (key_kind == TUL_K_FLOAT) {
    double r = elem_kind == TUL_K_FLOAT ? ((double (*)(void *, double))code)(clo, as_double(x))
                                        : ((double (*)(void *, uint64_t))code)(clo, x);
    uint64_t w;
    memcpy(&w, &r, 8);
    return w;
  }
  uint64_t r;
  if (elem_kind == TUL_K_FLOAT) r = ((uint64_t (*)(void *, double))code)(clo, as_double(x));
  else r = ((uint64_t (*)(void *, uint64_t))code)(clo, elem_kind == TUL_K_BOOL ? x & 1 : x);
  return key_kind == TUL_K_BOOL ? r & 1 : r;
}

tul_arr *tul_arr_sort_by(const tul_arr *a, void *key, const tul_type *key_type) {
  int64_t kk = key_type->kind;
  if (kk != TUL_K_INT && kk != TUL_K_FLOAT && kk != TUL_K_STR && kk != TUL_K_BOOL) {
    char buf[128];
    tul__throw_fmt("TypeError: cannot sort by %s keys", tul__type_name(key_type, buf, sizeof buf));
  }
  void *code = closure_code(key);
  uint64_t *w = widen(a, tul__is_pointer_kind(a->elem->kind));
  size_t bytes = (size_t)(a->len > 0 ? a->len : 1) * sizeof(keyed);
  keyed *recs = GC_MALLOC(bytes), *tmp = GC_MALLOC(bytes / 2 + sizeof(keyed));
  if (TUL_UNLIKELY(!recs || !tmp)) tul_throw_msg("MemoryError: out of memory");
  for (int64_t i = 0; i < a->len; i++) recs[i] = (keyed){call_key(key, code, a->elem->kind, kk, w[i]), w[i]};
  sort_keyed(recs, tmp, a->len, &kk);
  for (int64_t i = 0; i < a->len; i++) w[i] = recs[i].elem;
  return narrow(a, w);
}
