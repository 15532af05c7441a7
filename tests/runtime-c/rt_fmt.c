/* rt_fmt.c: string forms: floats exactly as Python's repr writes them, ints, bools, strings quoted
 * inside containers, arrays, structs, json values and promises. */
#include <math.h>
#include "rt_support/rt_test.h"

static void check_float(double v, const char *want) {
  tul_str *s = tul_str_from_float(v);
  if (strcmp(s->data, want) != 0) {
    fprintf(stderr, "float %.17g: got \"%s\", want \"%s\"\n", v, s->data, want);
    rt_failures++;
  }
}

static void floats(void) {
  check_float(2.0, "2.0");
  check_float(0.1, "0.1");
  check_float(0.1 + 0.2, "0.30000000000000004");
  check_float(1e16, "1e+16");
  check_float(1e-5, "1e-05");
  check_float(0.0001, "0.0001");
  check_float(1e15, "1000000000000000.0");
  check_float(123456789012345678.0, "1.2345678901234568e+17");
  check_float(9999999999999998.0, "9999999999999998.0");
  check_float(1.5e-7, "1.5e-07");
  check_float(12345.678, "12345.678");
  check_float(1.0 / 3.0, "0.3333333333333333");
  check_float(2.0 / 3.0, "0.6666666666666666");
  check_float(100.0, "100.0");
  check_float(1e100, "1e+100");
  check_float(-0.5, "-0.5");
  check_float(-0.0, "-0.0");
  check_float(0.0, "0.0");
  check_float(INFINITY, "inf");
  check_float(-INFINITY, "-inf");
  check_float(NAN, "nan");
  check_float(5e-324, "5e-324");
  check_float(1.7976931348623157e308, "1.7976931348623157e+308");
  check_float(2.2250738585072014e-308, "2.2250738585072014e-308");
  check_float(1.5, "1.5");
  check_float(-123.456, "-123.456");
  check_float(3.141592653589793, "3.141592653589793");
  check_float(2.718281828459045, "2.718281828459045");
  check_float(1.4142135623730951, "1.4142135623730951");
  check_float(1e22, "1e+22");
  check_float(1.23e-10, "1.23e-10");
  check_float(0.000123, "0.000123");
  check_float(123456.0, "123456.0");
  check_float(1234567890123456.8, "1234567890123456.8");
  check_float(1e23, "1e+23");
  check_float(9007199254740993.0, "9007199254740992.0");
  check_float(999999999999999.0, "999999999999999.0");
  check_float(-1e15, "-1000000000000000.0");
  check_float(0.1 + 0.7, "0.7999999999999999");
  check_float(1.0 / 7.0, "0.14285714285714285");
  check_float(2.5e-320, "2.5e-320");
  check_float(1e-310, "1e-310");
  check_float(123e-20, "1.23e-18");
}

static void scalars(void) {
  CHECK_STR(tul_str_from_int(0), "0");
  CHECK_STR(tul_str_from_int(-42), "-42");
  CHECK_STR(tul_str_from_int(INT64_MIN), "-9223372036854775808");
  CHECK_STR(tul_str_from_int(INT64_MAX), "9223372036854775807");
  CHECK_STR(tul_str_from_bool(1), "true");
  CHECK_STR(tul_str_from_bool(0), "false");
  int64_t i = 7;
  double f = 2.5;
  _Bool b = 1;
  tul_str *s = S("tab\there");
  CHECK_STR(tul_to_str(&i, &tul_type_int), "7");
  CHECK_STR(tul_to_str(&f, &tul_type_float), "2.5");
  CHECK_STR(tul_to_str(&b, &tul_type_bool), "true");
  CHECK_STR(tul_to_str(&s, &tul_type_str), "tab\there");
}

static const tul_type str_arr = {TUL_K_ARRAY, 8, &tul_type_str, NULL, 0, NULL};
static const tul_type float_arr = {TUL_K_ARRAY, 8, &tul_type_float, NULL, 0, NULL};
static const tul_type float_arr_arr = {TUL_K_ARRAY, 8, &float_arr, NULL, 0, NULL};
static const tul_type bool_arr = {TUL_K_ARRAY, 8, &tul_type_bool, NULL, 0, NULL};

typedef struct point { int64_t x, y; tul_str *name; } point;
static const tul_field point_fields[] = {
    {"x", &tul_type_int, 0}, {"y", &tul_type_int, 8}, {"name", &tul_type_str, 16}};
static const tul_type point_type = {TUL_K_STRUCT, 8, NULL, "Point", 3, point_fields};
static const tul_type point_arr = {TUL_K_ARRAY, 8, &point_type, NULL, 0, NULL};

static void containers(void) {
  tul_arr *a = tul_arr_new(&tul_type_str, 0);
  *(tul_str **)tul_arr_push_slot(a) = S("x");
  *(tul_str **)tul_arr_push_slot(a) = S("y\"q");
  *(tul_str **)tul_arr_push_slot(a) = S("tab\there\nnl\x01");
  CHECK_STR(tul_to_str(&a, &str_arr), "[\"x\",\"y\\\"q\",\"tab\\there\\nnl\\u0001\"]");
  tul_arr *inner = tul_arr_new(&tul_type_float, 1);
  ((double *)inner->data)[0] = 1.5;
  tul_arr *outer = tul_arr_new(&float_arr, 0);
  *(tul_arr **)tul_arr_push_slot(outer) = inner;
  *(tul_arr **)tul_arr_push_slot(outer) = tul_arr_new(&tul_type_float, 0);
  CHECK_STR(tul_to_str(&outer, &float_arr_arr), "[[1.5],[]]");
  tul_arr *bools = tul_arr_new(&tul_type_bool, 0);
  *(char *)tul_arr_push_slot(bools) = 1;
  *(char *)tul_arr_push_slot(bools) = 0;
  CHECK_STR(tul_to_str(&bools, &bool_arr), "[true,false]");
  point *p = tul_alloc(sizeof *p);
  p->x = 3;
  p->y = 4;
  p->name = S("pt");
  CHECK_STR(tul_to_str(&p, &point_type), "Point{x: 3, y: 4, name: \"pt\"}");
  point *none = NULL;
  CHECK_STR(tul_to_str(&none, &point_type), "null");
  tul_arr *pts = tul_arr_new(&point_type, 0);
  *(point **)tul_arr_push_slot(pts) = p;
  CHECK_STR(tul_to_str(&pts, &point_arr), "[Point{x: 3, y: 4, name: \"pt\"}]");
}

static void json_forms(void) {
  tul_json *o = tul__json_object();
  tul__json_obj_set(o, S("k"), tul__json_int(1));
  tul__json_obj_set(o, S("a"), tul__json_float(2.0));
  tul__json_obj_set(o, S("s"), tul__json_str(S("v")));
  tul__json_obj_set(o, S("n"), NULL);
  tul__json_obj_set(o, S("b"), tul__json_bool(0));
  CHECK_STR(tul_json_to_str(o), "{\"k\":1,\"a\":2.0,\"s\":\"v\",\"n\":null,\"b\":false}");
  CHECK_STR(tul_json_to_str(NULL), "null");
  CHECK_STR(tul_json_to_str(tul__json_str(S("top"))), "top");
  tul_json *j = o;
  CHECK_STR(tul_to_str(&j, &tul_type_json), "{\"k\":1,\"a\":2.0,\"s\":\"v\",\"n\":null,\"b\":false}");
}

static void promises(void) {
  tul_promise *p = tul__promise_new(&tul_type_int);
  const tul_type pt = {TUL_K_PROMISE, 8, &tul_type_int, NULL, 0, NULL};
  CHECK_STR(tul_to_str(&p, &pt), "<promise pending>");
  int64_t v = 1;
  tul__promise_resolve(p, &v);
  CHECK_STR(tul_to_str(&p, &pt), "<promise fulfilled>");
}

int main(int argc, char **argv) {
  rt_init(argc, argv);
  floats();
  scalars();
  containers();
  json_forms();
  promises();
  return rt_done();
}
