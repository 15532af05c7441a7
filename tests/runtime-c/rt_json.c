/* rt_json.c: json values: boxing from every static type (arrays, structs), checked unboxing with
 * its TypeError texts and int->float widening, deep equality, compact string forms, big objects. */
#include "rt_support/rt_test.h"

static const tul_type int_arr = {TUL_K_ARRAY, 8, &tul_type_int, NULL, 0, NULL};
static const tul_type float_arr = {TUL_K_ARRAY, 8, &tul_type_float, NULL, 0, NULL};
static const tul_type json_arr = {TUL_K_ARRAY, 8, &tul_type_json, NULL, 0, NULL};

typedef struct point { int64_t x; double y; tul_str *name; _Bool on; } point;
static const tul_field point_fields[] = {{"x", &tul_type_int, 0}, {"y", &tul_type_float, 8},
                                         {"name", &tul_type_str, 16}, {"on", &tul_type_bool, 24}};
static const tul_type point_type = {TUL_K_STRUCT, 8, NULL, "Point", 4, point_fields};

static tul_json *parse_ints(const char *csv) {
  tul_arr *parts = tul_str_split(S(csv), S(","));
  tul_arr *a = tul_arr_new(&tul_type_int, 0);
  for (int64_t i = 0; i < parts->len; i++) *(int64_t *)tul_arr_push_slot(a) = tul_str_to_int(((tul_str **)parts->data)[i]);
  return tul_json_box(&a, &int_arr);
}

static void boxing(void) {
  int64_t i = 5000;
  double f = 2.0;
  _Bool b = 1;
  tul_str *s = S("q\"s");
  CHECK_STR(tul_json_to_str(tul_json_box(&i, &tul_type_int)), "5000");
  CHECK_STR(tul_json_to_str(tul_json_box(&f, &tul_type_float)), "2.0");
  CHECK_STR(tul_json_to_str(tul_json_box(&b, &tul_type_bool)), "true");
  CHECK_STR(tul_json_to_str(tul_json_box(&s, &tul_type_str)), "q\"s");
  tul_json *arr = parse_ints("1,2,3");
  CHECK_STR(tul_json_to_str(arr), "[1,2,3]");
  point *p = tul_alloc(sizeof *p);
  p->x = 3;
  p->y = 4.5;
  p->name = S("pt");
  p->on = 1;
  tul_json *pj = tul_json_box(&p, &point_type);
  CHECK_STR(tul_json_to_str(pj), "{\"x\":3,\"y\":4.5,\"name\":\"pt\",\"on\":true}");
  point *none = NULL;
  CHECK(tul_json_box(&none, &point_type) == NULL);
  /* json[] boxes without copying: reference semantics */
  tul_arr *ja = tul_arr_new(&tul_type_json, 0);
  tul_json *boxed = tul_json_box(&ja, &json_arr);
  *(tul_json **)tul_arr_push_slot(ja) = tul_json_box(&s, &tul_type_str);
  CHECK_STR(tul_json_to_str(boxed), "[\"q\\\"s\"]");
}

static void unboxing(void) {
  int64_t i = 7, iv = 0;
  double fv = 0;
  _Bool bv = 0;
  tul_str *sv = NULL;
  tul_json *ji = tul_json_box(&i, &tul_type_int);
  tul_json_unbox(ji, &tul_type_int, &iv);
  CHECK(iv == 7);
  tul_json_unbox(ji, &tul_type_float, &fv); /* int -> float widening */
  CHECK(fv == 7.0);
  tul_json *js = tul__json_str(S("x"));
  tul_json_unbox(js, &tul_type_str, &sv);
  CHECK_STR(sv, "x");
  tul_json_unbox(tul__json_bool(1), &tul_type_bool, &bv);
  CHECK(bv == 1);
  CHECK_THROWS(tul_json_unbox(js, &tul_type_int, &iv), "TypeError: expected int, got str");
  CHECK_THROWS(tul_json_unbox(NULL, &tul_type_str, &sv), "TypeError: expected str, got null");
  CHECK_THROWS(tul_json_unbox(tul__json_float(1.5), &tul_type_int, &iv), "TypeError: expected int, got float");
  CHECK_THROWS(tul_json_unbox(ji, &tul_type_bool, &bv), "TypeError: expected bool, got int");
  CHECK_THROWS(tul_json_unbox(tul__json_object(), &int_arr, &sv), "TypeError: expected int[], got object");
  tul_arr *out = NULL;
  tul_json *mixed = tul__json_array(tul_arr_new(&tul_type_json, 0));
  *(tul_json **)tul_arr_push_slot(mixed->u.a) = tul__json_int(1);
  *(tul_json **)tul_arr_push_slot(mixed->u.a) = tul__json_float(2.5);
  tul_json_unbox(mixed, &float_arr, &out);
  CHECK(out->len == 2 && ((double *)out->data)[0] == 1.0 && ((double *)out->data)[1] == 2.5);
  CHECK_THROWS(tul_json_unbox(mixed, &int_arr, &out), "TypeError: expected int at [1], got float");
  tul_json_unbox(mixed, &json_arr, &out);
  CHECK(out == mixed->u.a);
  tul_json *o = tul__json_object();
  tul__json_obj_set(o, S("x"), tul__json_int(9));
  tul__json_obj_set(o, S("name"), tul__json_str(S("n")));
  point *p = NULL;
  tul_json_unbox(o, &point_type, &p);
  CHECK(p && p->x == 9 && p->y == 0.0 && tul_str_eq(p->name, S("n")) && !p->on);
  tul__json_obj_set(o, S("on"), tul__json_int(1));
  CHECK_THROWS(tul_json_unbox(o, &point_type, &p), "TypeError: expected bool at on, got int");
}

static void equality(void) {
  CHECK(tul_json_eq(parse_ints("1,2,3"), parse_ints("1,2,3")));
  CHECK(!tul_json_eq(parse_ints("1,2,3"), parse_ints("1,2")));
  CHECK(tul_json_eq(NULL, NULL));
  CHECK(!tul_json_eq(NULL, tul__json_int(0)));
  CHECK(tul_json_eq(tul__json_int(1), tul__json_float(1.0)));
  CHECK(tul_json_eq(tul__json_str(S("a")), tul__json_str(S("a"))));
  CHECK(!tul_json_eq(tul__json_str(S("1")), tul__json_int(1)));
  tul_json *a = tul__json_object(), *b = tul__json_object();
  tul__json_obj_set(a, S("k"), parse_ints("1"));
  tul__json_obj_set(a, S("j"), NULL);
  tul__json_obj_set(b, S("j"), NULL);
  tul__json_obj_set(b, S("k"), parse_ints("1"));
  CHECK(tul_json_eq(a, b)); /* key order does not matter */
  tul__json_obj_set(b, S("k"), parse_ints("2"));
  CHECK(!tul_json_eq(a, b));
}

static void big_objects(void) {
  tul_json *o = tul__json_object();
  for (int64_t i = 0; i < 5000; i++) tul__json_obj_set(o, tul_str_from_int(i * 7), tul__json_int(i));
  for (int64_t i = 0; i < 5000; i += 3) tul__json_obj_set(o, tul_str_from_int(i * 7), tul__json_int(-i));
  GC_gcollect();
  int ok = tul__jobj_len(o) == 5000;
  for (int64_t i = 0; i < 5000; i++) {
    tul_json *v = tul__json_obj_get(o, tul_str_from_int(i * 7));
    ok &= v && v->u.i == (i % 3 == 0 ? -i : i);
  }
  CHECK(ok);
  CHECK(tul__json_obj_get(o, S("1")) == NULL);
  CHECK_STR(tul_str_slice(tul_json_to_str(o), 0, 20), "{\"0\":0,\"7\":1,\"14\":2,");
}

static void access(void) {
  tul_json *o = tul_from_json(S("{\"a\": [1, 2.5, \"x\"], \"b\": {\"c\": null}, \"s\": \"h\\u00e9\"}"));
  CHECK_STR(tul_json_to_str(o), "{\"a\":[1,2.5,\"x\"],\"b\":{\"c\":null},\"s\":\"hé\"}");
  tul_json *a = tul_json_get(o, S("a"));
  CHECK(tul_json_len(a) == 3 && tul_json_len(o) == 3 && tul_json_len(tul_json_get(o, S("s"))) == 2);
  CHECK_STR(tul_json_to_str(tul_json_at(a, 2)), "x");
  CHECK(tul_json_get(o, S("missing")) == NULL);
  CHECK(tul_json_get(tul_json_get(o, S("b")), S("c")) == NULL);
  CHECK_STR(tul_json_to_str(tul_json_index(a, tul__json_int(1))), "2.5");
  CHECK_STR(tul_json_to_str(tul_json_index(o, tul__json_str(S("s")))), "hé");
  CHECK_STR(tul_json_to_str(tul_json_at(tul_json_get(o, S("s")), 1)), "é");
  CHECK_THROWS(tul_json_at(a, 3), "IndexError: index 3 out of range for length 3");
  CHECK_THROWS(tul_json_at(a, -1), "IndexError: index -1 out of range for length 3");
  CHECK_THROWS(tul_json_get(a, S("k")), "TypeError: cannot index array with str");
  CHECK_THROWS(tul_json_get(NULL, S("k")), "TypeError: cannot index null with str");
  CHECK_THROWS(tul_json_at(o, 0), "TypeError: cannot index object with int");
  CHECK_THROWS(tul_json_len(tul__json_int(3)), "TypeError: int has no length");
  tul_json_set(o, S("a"), tul__json_int(5));
  tul_json_set(o, S("z"), tul__json_bool(1));
  CHECK_STR(tul_str_join(tul_json_keys(o), S(",")), "a,b,s,z");
  CHECK_STR(tul_json_to_str(tul_json_iter_at(o, 3)), "z");
  tul_json_push(a, tul__json_str(S("y")));
  tul_json_set_at(a, 0, NULL);
  CHECK_STR(tul_json_to_str(a), "[null,2.5,\"x\",\"y\"]");
  CHECK_STR(tul_json_to_str(tul_json_pop(a)), "y");
  CHECK_STR(tul_json_to_str(tul_json_slice(a, -2, 100)), "[2.5,\"x\"]");
  CHECK(tul_json_index_of(a, tul__json_str(S("x"))) == 2);
  CHECK(tul_json_contains(a, tul__json_float(2.5)));
  CHECK(!tul_json_contains(a, tul__json_int(7)));
  CHECK(tul_json_contains(o, tul__json_str(S("z"))));
  CHECK(!tul_json_contains(o, tul__json_str(S("q"))));
  CHECK_THROWS(tul_json_push(o, NULL), "TypeError: expected array, got object");
  tul_json *e = tul__json_array(tul_arr_new(&tul_type_json, 0));
  CHECK_THROWS(tul_json_pop(e), "IndexError: pop from empty array");
}

static void text(void) {
  const char *round[] = {"null", "true", "[]", "{}", "[1,-2,3.5,1e+100,\"a\\\"b\\n\"]",
                         "{\"k\":{\"n\":[{}]},\"e\":\"\"}", "9223372036854775807", "0.1", "-0.0", NULL};
  for (int i = 0; round[i]; i++) {
    tul_json *j = tul_from_json(S(round[i]));
    CHECK_STR(tul_to_json(&j, &tul_type_json), round[i]);
  }
  CHECK(tul_from_json(S("92233720368547758070"))->tag == TUL_J_FLOAT);
  CHECK_STR(tul_json_to_str(tul_from_json(S("\"\\ud83d\\ude00 \\u0041\""))), "😀 A");
  tul_str *s = S("q\"s");
  CHECK_STR(tul_to_json(&s, &tul_type_str), "\"q\\\"s\"");
  double nan = 0.0 / 0.0;
  CHECK_STR(tul_to_json(&nan, &tul_type_float), "null");
  point *p = tul_alloc(sizeof *p);
  p->x = 1;
  p->name = S("n");
  CHECK_STR(tul_to_json(&p, &point_type), "{\"x\":1,\"y\":0.0,\"name\":\"n\",\"on\":false}");
  CHECK_THROWS(tul_from_json(S("")), "ValueError: invalid JSON: unexpected end of input");
  CHECK_THROWS(tul_from_json(S("[1,]")), "ValueError: invalid JSON: unexpected character at position 3 (']')");
  CHECK_THROWS(tul_from_json(S("{\"a\" 1}")), "ValueError: invalid JSON: expected ':' at position 5 ('1')");
  CHECK_THROWS(tul_from_json(S("01")), "ValueError: invalid JSON: unexpected character after the value at position 1 ('1')");
  CHECK_THROWS(tul_from_json(S("'x'")), "ValueError: invalid JSON: unexpected character at position 0 (''')");
  CHECK_THROWS(tul_from_json(S("\"a\tb\"")), "ValueError: invalid JSON: control character in string at position 2");
  CHECK_THROWS(tul_from_json(S("[1] x")), "ValueError: invalid JSON: unexpected character after the value at position 4 ('x')");
  CHECK_THROWS(tul_from_json(S("nul")), "ValueError: invalid JSON: unexpected character at position 0 ('n')");
  CHECK_THROWS(tul_from_json(S("1.")), "ValueError: invalid JSON: unexpected end of input");
  tul_str *deep = tul_str_concat(tul_str_repeat(S("["), 5000), tul_str_repeat(S("]"), 5000));
  CHECK(tul_json_len(tul_from_json(deep)) == 1);
}

/* Parsed records with the same keys share one shape; changing one record's keys (adding, deleting)
 * gives it a private shape and leaves the others alone; values are per object. */
static void shapes(void) {
  const char *text = "[{\"a\":1,\"b\":2},{\"a\":3,\"b\":4},{\"b\":5,\"a\":6},{\"a\":7,\"b\":8,\"a\":9},"
                     "{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,\"k9\":9},"
                     "{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,\"k9\":10},"
                     "{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,\"k8\":9}]";
  tul_json *a = tul_from_json(S(text));
  tul_json *r0 = tul_json_at(a, 0), *r1 = tul_json_at(a, 1), *r2 = tul_json_at(a, 2), *r3 = tul_json_at(a, 3);
  CHECK(r0->u.o->shape == r1->u.o->shape && r0->u.o->shape != r2->u.o->shape);
  CHECK_STR(tul_json_to_str(r3), "{\"a\":9,\"b\":8}"); /* a repeated key: the last value, first place */
  tul_json *big0 = tul_json_at(a, 4), *big1 = tul_json_at(a, 5), *big2 = tul_json_at(a, 6);
  CHECK(big0->u.o->shape == big1->u.o->shape && big0->u.o->shape->index != NULL);
  CHECK(tul_json_len(big2) == 9 && tul_json_to_int(tul_json_get(big2, S("k8"))) == 9);
  tul_json_set(r1, S("b"), tul__json_int(40)); /* a value: the shape stays shared */
  CHECK(r0->u.o->shape == r1->u.o->shape);
  tul_json_set(r1, S("c"), tul__json_int(50)); /* a key: r1 gets its own */
  CHECK(r0->u.o->shape != r1->u.o->shape);
  tul_json_delete(r0, S("a"));
  tul_json_set(big1, S("new"), tul__json_int(1));
  tul_json_delete(big0, S("k3"));
  GC_gcollect();
  CHECK_STR(tul_json_to_str(tul_json_slice(a, 0, 3)), "[{\"b\":2},{\"a\":3,\"b\":40,\"c\":50},{\"b\":5,\"a\":6}]");
  CHECK(tul_json_len(big0) == 9 && !tul_json_has(big0, S("k3")) && tul_json_has(big0, S("k9")));
  CHECK(tul_json_len(big1) == 11 && tul_json_has(big1, S("k3")) && tul_json_has(big1, S("new")));
  CHECK(tul_json_to_int(tul_json_get(big0, S("k9"))) == 9 && tul_json_to_int(tul_json_get(big1, S("k9"))) == 10);
  tul_json *big3 = tul_from_json(S("{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,\"k9\":9}"));
  CHECK(tul_json_eq(big3, tul_json_at(tul_from_json(S(text)), 4)));
  /* an object filled key by key grows its own shape and values */
  tul_json *o = tul__json_object();
  char k[16];
  for (int i = 0; i < 100; i++) {
    snprintf(k, sizeof k, "x%d", i);
    tul_json_set(o, S(k), tul__json_int(i));
  }
  CHECK(tul_json_len(o) == 100 && tul_json_to_int(tul_json_get(o, S("x57"))) == 57);
}

/* has/delete keep the other keys in order, small and indexed objects alike; KeyError for missing. */
static void has_and_delete(void) {
  tul_json *o = tul_from_json(S("{\"a\": 1, \"b\": 2, \"c\": 3}"));
  CHECK(tul_json_has(o, S("b")) && !tul_json_has(o, S("z")));
  CHECK(tul_json_delete(o, S("b")) && !tul_json_delete(o, S("b")));
  CHECK_STR(tul_json_to_str(o), "{\"a\":1,\"c\":3}");
  tul_json_set(o, S("b"), tul__json_int(4));
  CHECK_STR(tul_json_to_str(o), "{\"a\":1,\"c\":3,\"b\":4}");
  CHECK_STR(tul_json_to_str(tul_json_get_existing(o, S("c"))), "3");
  CHECK_THROWS(tul_json_get_existing(o, S("zz")), "KeyError: \"zz\"");
  CHECK_THROWS(tul_json_has(tul_from_json(S("[1]")), S("a")), "TypeError: expected object, got array");
  CHECK_THROWS(tul_json_delete(NULL, S("a")), "TypeError: expected object, got null");
  tul_json *big = tul_json_new_object();
  char k[16];
  for (int i = 0; i < 100; i++) {
    snprintf(k, sizeof k, "k%d", i);
    tul_json_set(big, S(k), tul__json_int(i));
  }
  int ok = 1;
  for (int i = 0; i < 100; i += 2) {
    snprintf(k, sizeof k, "k%d", i);
    ok &= tul_json_delete(big, S(k));
  }
  for (int i = 0; i < 100; i++) {
    snprintf(k, sizeof k, "k%d", i);
    ok &= tul_json_has(big, S(k)) == (i % 2 == 1);
  }
  ok &= tul_json_len(big) == 50 && tul_str_eq(tul_json_to_str(tul_json_iter_at(big, 0)), S("k1"));
  for (int i = 1; i < 100; i += 2) {
    snprintf(k, sizeof k, "k%d", i);
    ok &= tul_json_delete(big, S(k));
  }
  ok &= tul_json_len(big) == 0 && !tul_json_has(big, S("k1"));
  CHECK(ok);
}

int main(int argc, char **argv) {
  rt_init(argc, argv);
  shapes();
  has_and_delete();
  boxing();
  unboxing();
  equality();
  big_objects();
  access();
  text();
  return rt_done();
}
