/* rt_gc.c: runtime objects survive collections: strings, arrays of strings and arrays, json objects
 * with hash indexes, boxed structs and thrown values, built while collections are forced often. */
#include "rt_support/rt_test.h"

static const tul_type str_arr = {TUL_K_ARRAY, 8, &tul_type_str, NULL, 0, NULL};
static const tul_type str_arr_arr = {TUL_K_ARRAY, 8, &str_arr, NULL, 0, NULL};

int main(int argc, char **argv) {
  rt_init(argc, argv);
  tul_arr *rows = tul_arr_new(&str_arr, 0);
  tul_json *obj = tul__json_object();
  tul_json *caught[100];
  for (int64_t i = 0; i < 20000; i++) {
    tul_arr *row = tul_str_split(tul_str_repeat(tul_str_concat(tul_str_from_int(i), S(",")), 3), S(","));
    *(tul_arr **)tul_arr_push_slot(rows) = row;
    tul_json_set(obj, tul_str_concat(S("k"), tul_str_from_int(i)), tul_json_box(&row, &str_arr));
    if (i % 200 == 0) {
      _Alignas(16) char h[TUL_HANDLER_SIZE];
      tul_try_push(h);
      if (_setjmp(*(jmp_buf *)h) == 0) {
        tul_throw_index(i, 0);
      }
      caught[i / 200] = tul_caught();
    }
    if (i % 1000 == 0) GC_gcollect();
  }
  GC_gcollect();
  int ok = 1;
  for (int64_t i = 0; i < 20000; i++) {
    tul_arr *row = ((tul_arr **)rows->data)[i];
    tul_str *want = tul_str_from_int(i);
    ok &= row->len == 4 && tul_str_eq(((tul_str **)row->data)[2], want);
    tul_json *j = tul_json_get(obj, tul_str_concat(S("k"), want));
    ok &= j && tul_json_len(j) == 4 && tul_str_eq(tul_json_at(j, 0)->u.s, want);
  }
  CHECK(ok);
  for (int i = 0; i < 100; i++) {
    char want[80];
    snprintf(want, sizeof want, "IndexError: index %d out of range for length 0", i * 200);
    CHECK(strcmp(tul_json_to_str(caught[i])->data, want) == 0);
  }
  tul_str *text = tul_to_str(&rows, &str_arr_arr);
  CHECK(tul_str_starts_with(text, S("[[\"0\",\"0\",\"0\",\"\"],[\"1\"")));
  return rt_done();
}
