/* rt_array.c: arrays: creation with zero values, push/pop growth (with forced collections), slices
 * with Python rules, sorting by element kind, deep equality and indexOf, range. */
#include <math.h>
#include "rt_support/rt_test.h"

static const tul_type int_arr = {TUL_K_ARRAY, 8, &tul_type_int, NULL, 0, NULL};
static const tul_type int_arr_arr = {TUL_K_ARRAY, 8, &int_arr, NULL, 0, NULL};
static const tul_type str_arr = {TUL_K_ARRAY, 8, &tul_type_str, NULL, 0, NULL};
static const tul_type float_arr = {TUL_K_ARRAY, 8, &tul_type_float, NULL, 0, NULL};
static const tul_type bool_arr = {TUL_K_ARRAY, 8, &tul_type_bool, NULL, 0, NULL};

static tul_str *show(tul_arr *a) {
  const tul_type *t = a->elem == &tul_type_int ? &int_arr : a->elem == &tul_type_str ? &str_arr
                    : a->elem == &tul_type_float ? &float_arr : a->elem == &tul_type_bool ? &bool_arr : &int_arr_arr;
  return tul_to_str(&a, t);
}

static tul_arr *ints(int n, const int64_t *v) {
  tul_arr *a = tul_arr_new(&tul_type_int, 0);
  for (int i = 0; i < n; i++) *(int64_t *)tul_arr_push_slot(a) = v[i];
  return a;
}
#define INTS(...) ints(sizeof((int64_t[]){__VA_ARGS__}) / 8, (int64_t[]){__VA_ARGS__})

static void growth(void) {
  tul_arr *a = tul_arr_new(&tul_type_int, 3);
  CHECK_STR(show(a), "[0,0,0]");
  tul_arr *s = tul_arr_new(&tul_type_str, 2);
  CHECK_STR(show(s), "[\"\",\"\"]");
  tul_arr *strs = tul_arr_new(&tul_type_str, 0);
  for (int64_t i = 0; i < 100000; i++) {
    *(int64_t *)tul_arr_push_slot(a) = i;
    *(tul_str **)tul_arr_push_slot(strs) = tul_str_from_int(i);
    if (i % 20000 == 0) GC_gcollect();
  }
  GC_gcollect();
  CHECK(a->len == 100003);
  CHECK(((int64_t *)a->data)[100002] == 99999);
  int ok = 1;
  for (int64_t i = 0; i < 100000; i++) ok &= tul_str_eq(((tul_str **)strs->data)[i], tul_str_from_int(i));
  CHECK(ok);
  CHECK(*(int64_t *)tul_arr_pop_slot(a) == 99999);
  CHECK(a->len == 100002);
  tul_arr *e = tul_arr_new(&tul_type_int, 0);
  CHECK_THROWS(tul_arr_pop_slot(e), "IndexError: pop from empty array");
  tul_arr *b = tul_arr_new(&tul_type_bool, 0);
  for (int i = 0; i < 20; i++) *(char *)tul_arr_push_slot(b) = i % 3 == 0;
  CHECK_STR(tul_arr_slice(b, 0, 4) == NULL ? S("") : show(tul_arr_slice(b, 0, 4)), "[true,false,false,true]");
}

static void slices(void) {
  tul_arr *a = INTS(1, 2, 3, 4, 5);
  CHECK_STR(show(tul_arr_slice(a, 1, 3)), "[2,3]");
  CHECK_STR(show(tul_arr_slice(a, -2, INT64_MAX)), "[4,5]");
  CHECK_STR(show(tul_arr_slice(a, -100, 2)), "[1,2]");
  CHECK_STR(show(tul_arr_slice(a, 3, 1)), "[]");
  CHECK_STR(show(tul_arr_slice(a, 0, -1)), "[1,2,3,4]");
  tul_arr *c = tul_arr_slice(a, 0, INT64_MAX);
  *(int64_t *)tul_arr_push_slot(c) = 6;
  CHECK(a->len == 5 && c->len == 6); /* a new array */
  CHECK_STR(show(tul_range(2, 6)), "[2,3,4,5]");
  CHECK_STR(show(tul_range(5, 2)), "[]");
}

static void sorting(void) {
  tul_arr *a = INTS(5, -1, 3, 3, 0, INT64_MIN, INT64_MAX);
  CHECK_STR(show(tul_arr_sort(a)), "[-9223372036854775808,-1,0,3,3,5,9223372036854775807]");
  CHECK(((int64_t *)a->data)[0] == 5); /* sort returns a new array */
  tul_arr *f = tul_arr_new(&tul_type_float, 0);
  double fv[] = {2.5, -1.0, NAN, 0.5, -INFINITY};
  for (int i = 0; i < 5; i++) *(double *)tul_arr_push_slot(f) = fv[i];
  CHECK_STR(show(tul_arr_sort(f)), "[-inf,-1.0,0.5,2.5,nan]");
  tul_arr *s = tul_str_split(S("pear,Apple,apple,éclair,zebra,a"), S(","));
  CHECK_STR(show(tul_arr_sort(s)), "[\"Apple\",\"a\",\"apple\",\"pear\",\"zebra\",\"éclair\"]");
  tul_arr *b = tul_arr_new(&tul_type_bool, 0);
  *(char *)tul_arr_push_slot(b) = 1;
  *(char *)tul_arr_push_slot(b) = 0;
  *(char *)tul_arr_push_slot(b) = 1;
  CHECK_STR(show(tul_arr_sort(b)), "[false,true,true]");
}

static void equality(void) {
  tul_arr *a = INTS(1, 2, 3), *b = INTS(1, 2, 3), *c = INTS(1, 2);
  CHECK(tul_arr_eq(a, b));
  CHECK(!tul_arr_eq(a, c));
  tul_arr *nested1 = tul_arr_new(&int_arr, 0), *nested2 = tul_arr_new(&int_arr, 0);
  *(tul_arr **)tul_arr_push_slot(nested1) = a;
  *(tul_arr **)tul_arr_push_slot(nested2) = b;
  CHECK(tul_arr_eq(nested1, nested2));
  CHECK(tul_value_eq(&nested1, &nested2, &int_arr_arr));
  CHECK(tul_arr_index_of(nested1, &b) == 0);
  CHECK(tul_arr_index_of(nested1, &c) == -1);
  int64_t three = 3, nine = 9;
  CHECK(tul_arr_index_of(a, &three) == 2);
  CHECK(tul_arr_index_of(a, &nine) == -1);
  tul_arr *s = tul_str_split(S("x,y,z"), S(","));
  tul_str *y = S("y"), *w = S("w");
  CHECK(tul_arr_index_of(s, &y) == 1);
  CHECK(tul_arr_index_of(s, &w) == -1);
  tul_arr *f = tul_arr_new(&tul_type_float, 0);
  *(double *)tul_arr_push_slot(f) = NAN;
  *(double *)tul_arr_push_slot(f) = 1.5;
  double x = 1.5, n = NAN;
  CHECK(tul_arr_index_of(f, &x) == 1);
  CHECK(tul_arr_index_of(f, &n) == -1);
  tul_str *s1 = S("abc"), *s2 = tul_str_concat(S("a"), S("bc"));
  CHECK(tul_value_eq(&s1, &s2, &tul_type_str));
}

int main(int argc, char **argv) {
  rt_init(argc, argv);
  growth();
  slices();
  sorting();
  equality();
  return rt_done();
}
