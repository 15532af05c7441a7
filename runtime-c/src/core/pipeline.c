/* pipeline.c: the array built-ins of pipelines that need no function calls (docs/reference.md §15):
 * flat_map's concatenation, chunks, zip and enumerate. map, filter, reduce, sum and each are loops
 * codegen emits inline (codegen/lower/pipelines.ts), so the called function can be inlined. */
#include <gc.h>
#include "rt_int.h"

void tul_arr_extend(tul_arr *a, const tul_arr *b) {
  int64_t n = b->len, size = a->elem->size;
  const char *src = b->data; /* read before growing: b may be a */
  for (int64_t i = 0; i < n; i++) {
    void *slot = tul_arr_push_slot(a);
    memcpy(slot, (a == b ? a->data : src) + i * size, (size_t)size);
  }
}

tul_arr *tul_arr_chunks(const tul_arr *a, int64_t n, const tul_type *chunk_type) {
  if (n < 1) tul__throw_fmt("ValueError: chunks needs a size of 1 or more, got %lld", (long long)n);
  int64_t count = a->len / n + (a->len % n != 0), size = a->elem->size;
  tul_arr *out = tul_arr_new(chunk_type, count);
  for (int64_t k = 0; k < count; k++) {
    int64_t from = k * n, len = a->len - from < n ? a->len - from : n;
    tul_arr *c = tul_arr_new(a->elem, len);
    memcpy(c->data, a->data + from * size, (size_t)(len * size));
    ((tul_arr **)out->data)[k] = c;
  }
  return out;
}

/* Element i of `a` stored as element `at` of the pair `p`: copied as is, or boxed into json. */
static void pair_put(tul_arr *p, int64_t at, const tul_arr *a, int64_t i) {
  const void *slot = a->data + i * a->elem->size;
  if (p->elem->kind == TUL_K_JSON && a->elem->kind != TUL_K_JSON) {
    tul_json *j = tul_json_box(slot, a->elem);
    memcpy(p->data + at * 8, &j, sizeof j);
  } else {
    memcpy(p->data + at * p->elem->size, slot, (size_t)p->elem->size);
  }
}

tul_arr *tul_arr_zip(const tul_arr *a, const tul_arr *b, const tul_type *pair_type) {
  int64_t n = a->len < b->len ? a->len : b->len;
  tul_arr *out = tul_arr_new(pair_type, n);
  for (int64_t i = 0; i < n; i++) {
    tul_arr *p = tul_arr_new(pair_type->elem, 2);
    pair_put(p, 0, a, i);
    pair_put(p, 1, b, i);
    ((tul_arr **)out->data)[i] = p;
  }
  return out;
}

tul_arr *tul_arr_enumerate(const tul_arr *a, const tul_type *pair_type) {
  tul_arr *out = tul_arr_new(pair_type, a->len);
  for (int64_t i = 0; i < a->len; i++) {
    tul_arr *p = tul_arr_new(pair_type->elem, 2);
    if (p->elem->kind == TUL_K_JSON) {
      tul_json *j = tul__json_int(i);
      memcpy(p->data, &j, sizeof j);
    } else {
      memcpy(p->data, &i, sizeof i);
    }
    pair_put(p, 1, a, i);
    ((tul_arr **)out->data)[i] = p;
  }
  return out;
}
