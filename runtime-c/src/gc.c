/* gc.c: memory for generated code (Boehm GC) and the type descriptors of the scalar types. */
#include <gc.h>
#include "rt_int.h"

const tul_type tul_type_int = {TUL_K_INT, 8, NULL, NULL, 0, NULL};
const tul_type tul_type_float = {TUL_K_FLOAT, 8, NULL, NULL, 0, NULL};
const tul_type tul_type_bool = {TUL_K_BOOL, 1, NULL, NULL, 0, NULL};
const tul_type tul_type_str = {TUL_K_STR, 8, NULL, NULL, 0, NULL};
const tul_type tul_type_json = {TUL_K_JSON, 8, NULL, NULL, 0, NULL};

void *tul_alloc(int64_t size) {
  void *p = GC_MALLOC((size_t)(size > 0 ? size : 1));
  if (TUL_UNLIKELY(!p)) tul_throw_msg("MemoryError: out of memory");
  return p;
}

void *tul_alloc_atomic(int64_t size) {
  size_t n = (size_t)(size > 0 ? size : 1);
  void *p = GC_MALLOC_ATOMIC(n);
  if (TUL_UNLIKELY(!p)) tul_throw_msg("MemoryError: out of memory");
  memset(p, 0, n);
  return p;
}
