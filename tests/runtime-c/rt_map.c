/* rt_map.c: the insertion-ordered hash table (map.c): every operation on int and str keys, KeyError,
 * zero values, insertion order through deletes and regrowth, iteration rules, printing, equality,
 * json conversion, a randomized run of 200,000 operations against a plain reference model with
 * forced collections in between, and collisions: keys chosen (for this process's hash seed) to share
 * one home slot, a probe cluster wrapping around the index end, and two keys sharing the tag bits. */
#include "rt_support/rt_test.h"

static const tul_type map_str_int = {TUL_K_MAP, 8, &tul_type_int, NULL, TUL_K_STR, NULL};
static const tul_type map_int_str = {TUL_K_MAP, 8, &tul_type_str, NULL, TUL_K_INT, NULL};

static int64_t get_s(tul_map *m, const char *k) { return *(int64_t *)tul_map_at_str(m, S(k)); }
static void set_s(tul_map *m, const char *k, int64_t v) { *(int64_t *)tul_map_put_str(m, S(k)) = v; }

static tul_str *show(tul_map *m, const tul_type *t) { return tul_to_str(&m, t); }

static void basics(void) {
  tul_map *m = tul_map_new(TUL_K_STR, &tul_type_int);
  CHECK(tul_map_len(m) == 0);
  CHECK(tul_map_find_str(m, S("a")) == NULL);
  CHECK(!tul_map_delete_str(m, S("a")));
  CHECK_THROWS(tul_map_at_str(m, S("a")), "KeyError: \"a\"");
  set_s(m, "b", 2);
  set_s(m, "a", 1);
  set_s(m, "c", 3);
  set_s(m, "a", 10);
  CHECK(tul_map_len(m) == 3);
  CHECK(get_s(m, "a") == 10);
  CHECK_STR(show(m, &map_str_int), "{\"b\":2,\"a\":10,\"c\":3}");
  CHECK(tul_map_delete_str(m, S("b")));
  CHECK(!tul_map_delete_str(m, S("b")));
  CHECK_STR(show(m, &map_str_int), "{\"a\":10,\"c\":3}");
  set_s(m, "b", 4); /* re-added: now last */
  CHECK_STR(tul_str_join(tul_map_keys(m), S(",")), "a,c,b");
  CHECK_STR(tul_to_str(&(tul_arr *){tul_map_values(m)}, &(tul_type){TUL_K_ARRAY, 8, &tul_type_int, NULL, 0, NULL}), "[10,3,4]");
  CHECK_THROWS(tul_map_at_str(m, S("say \"hi\"")), "KeyError: \"say \\\"hi\\\"\"");
  /* a key equal by content but another object */
  tul_str *k = tul_str_concat(S("a"), S(""));
  CHECK(*(int64_t *)tul_map_find_str(m, tul_str_concat(S(""), k)) == 10);
  *(int64_t *)tul_map_put_str(m, S("")) = 7; /* the empty key is a key like any other */
  CHECK(get_s(m, "") == 7);
}

static void int_keys_and_zero_values(void) {
  tul_map *m = tul_map_new(TUL_K_INT, &tul_type_str);
  tul_str **slot = tul_map_put_int(m, -5);
  CHECK(*slot == &tul_empty_str); /* a new str value starts as "" */
  *slot = S("minus five");
  *(tul_str **)tul_map_put_int(m, INT64_MIN) = S("min");
  *(tul_str **)tul_map_put_int(m, 0) = S("zero");
  CHECK_STR(*(tul_str **)tul_map_at_int(m, INT64_MIN), "min");
  CHECK_THROWS(tul_map_at_int(m, 7), "KeyError: 7");
  CHECK_STR(show(m, &map_int_str), "{-5:\"minus five\",-9223372036854775808:\"min\",0:\"zero\"}");
  CHECK_STR(tul_json_to_str(tul_json_box(&m, &map_int_str)), "{\"-5\":\"minus five\",\"-9223372036854775808\":\"min\",\"0\":\"zero\"}");
  tul_map *b = tul_map_new(TUL_K_INT, &tul_type_bool);
  *(char *)tul_map_put_int(b, 1) = 1;
  const tul_type map_int_bool = {TUL_K_MAP, 8, &tul_type_bool, NULL, TUL_K_INT, NULL};
  CHECK_STR(show(b, &map_int_bool), "{1:true}");
  CHECK_THROWS(tul_map_new(TUL_K_FLOAT, &tul_type_int), "TypeError: map keys must be int or str");
}

static void iteration(void) {
  tul_map *m = tul_map_new(TUL_K_INT, &tul_type_int);
  for (int64_t i = 0; i < 10; i++) *(int64_t *)tul_map_put_int(m, i * 7) = i;
  static const int64_t want[] = {0, 7, 28, 35, 56, 63};
  int64_t v = tul_map_version(m), n = 0;
  for (int64_t p = tul_map_next(m, 0, v); p >= 0; p = tul_map_next(m, p + 1, v), n++) {
    int64_t k = tul_map_key_int_at(m, p);
    CHECK(n < 6 && k == want[n]);
    *(int64_t *)tul_map_put_int(m, 63) += 1; /* updating a key is not adding one */
    tul_map_delete_int(m, k);                /* deleting the current key is fine */
    tul_map_delete_int(m, k + 14);           /* so is deleting one not reached yet: it is skipped */
  }
  CHECK(n == 6 && tul_map_len(m) == 0);
  for (int64_t i = 0; i < 3; i++) *(int64_t *)tul_map_put_int(m, i) = i;
  v = tul_map_version(m);
  int64_t p = tul_map_next(m, 0, v);
  *(int64_t *)tul_map_put_int(m, 1000) = 1;
  CHECK_THROWS(tul_map_next(m, p + 1, v), "RuntimeError: map changed during iteration (a key was added)");
}

static void equality_and_json(void) {
  tul_map *a = tul_map_new(TUL_K_STR, &tul_type_int), *b = tul_map_new(TUL_K_STR, &tul_type_int);
  set_s(a, "x", 1);
  set_s(a, "y", 2);
  set_s(b, "y", 2);
  CHECK(!tul_value_eq(&a, &b, &map_str_int));
  set_s(b, "x", 1);
  CHECK(tul_value_eq(&a, &b, &map_str_int)); /* order does not matter */
  set_s(b, "x", 5);
  CHECK(!tul_value_eq(&a, &b, &map_str_int));
  tul_json *j = tul_from_json(S("{\"k\": 3, \"j\": 4}"));
  tul_map *m;
  tul_json_unbox(j, &map_str_int, &m);
  CHECK_STR(show(m, &map_str_int), "{\"k\":3,\"j\":4}");
  CHECK_THROWS(tul_json_unbox(tul_from_json(S("{\"k\": \"x\"}")), &map_str_int, &m), "TypeError: expected int at [\"k\"], got str");
  CHECK_THROWS(tul_json_unbox(tul_from_json(S("[1]")), &map_str_int, &m), "TypeError: expected map<str, int>, got array");
  tul_json_unbox(tul_from_json(S("{\"12\": \"a\", \"-3\": \"b\"}")), &map_int_str, &m);
  CHECK(tul_map_find_int(m, -3) != NULL);
  CHECK_THROWS(tul_json_unbox(tul_from_json(S("{\"1x\": \"a\"}")), &map_int_str, &m), "TypeError: expected an int key, got \"1x\"");
  CHECK_THROWS(tul_json_unbox(tul_from_json(S("{\"99999999999999999999\": \"a\"}")), &map_int_str, &m),
               "TypeError: expected an int key, got \"99999999999999999999\"");
}

/* ---------------------------------------------------------------- randomized against a model */

#define KEYS 5000
typedef struct model { int present[KEYS]; int64_t val[KEYS]; int order[KEYS]; int n; } model;

static uint64_t rnd_state = 42;
static uint64_t rnd(void) {
  rnd_state ^= rnd_state << 13;
  rnd_state ^= rnd_state >> 7;
  rnd_state ^= rnd_state << 17;
  return rnd_state;
}

static tul_str *key_str(int k) {
  char buf[64];
  snprintf(buf, sizeof buf, k % 3 ? "key-%d" : "a somewhat longer key number %d", k);
  return S(buf);
}

static void model_delete(model *md, int k) {
  md->present[k] = 0;
  int j = 0;
  for (int i = 0; i < md->n; i++)
    if (md->order[i] != k) md->order[j++] = md->order[i];
  md->n = j;
}

/* The map's keys must be the model's, in the model's order. */
static int same_order(tul_map *m, model *md, int strkeys) {
  if (tul_map_len(m) != md->n) return 0;
  int64_t v = tul_map_version(m), i = 0;
  for (int64_t p = tul_map_next(m, 0, v); p >= 0; p = tul_map_next(m, p + 1, v), i++) {
    int k = md->order[i];
    if (strkeys ? !tul_str_eq(tul_map_key_str_at(m, p), key_str(k)) : tul_map_key_int_at(m, p) != (int64_t)k * 1000003)
      return 0;
    if (*(int64_t *)tul_map_value_at(m, p) != md->val[k]) return 0;
  }
  return i == md->n;
}

static void randomized(int strkeys) {
  static model md;
  memset(&md, 0, sizeof md);
  tul_map *m = tul_map_new(strkeys ? TUL_K_STR : TUL_K_INT, &tul_type_int);
  int bad = 0;
  for (int step = 0; step < 100000 && bad < 5; step++) {
    int k = (int)(rnd() % (step < 50000 ? KEYS : KEYS / 10)), op = (int)(rnd() % 10);
    tul_str *ks = strkeys ? key_str(k) : NULL;
    int64_t ki = (int64_t)k * 1000003;
    if (op < 5) {
      int64_t val = (int64_t)rnd();
      *(int64_t *)(strkeys ? tul_map_put_str(m, ks) : tul_map_put_int(m, ki)) = val;
      if (!md.present[k]) md.order[md.n++] = k;
      md.present[k] = 1;
      md.val[k] = val;
    } else if (op < 8) {
      _Bool had = strkeys ? tul_map_delete_str(m, ks) : tul_map_delete_int(m, ki);
      if (had != md.present[k] && bad++ == 0) fprintf(stderr, "step %d: delete %d: %d, model %d\n", step, k, had, md.present[k]);
      if (had) model_delete(&md, k);
    } else {
      int64_t *slot = strkeys ? tul_map_find_str(m, ks) : tul_map_find_int(m, ki);
      if (((slot != NULL) != md.present[k] || (slot && *slot != md.val[k])) && bad++ == 0)
        fprintf(stderr, "step %d: find %d: %d, model %d\n", step, k, slot != NULL, md.present[k]);
    }
    if (step % 20000 == 0) GC_gcollect();
    if (step % 5000 == 0 && !same_order(m, &md, strkeys) && bad++ == 0) fprintf(stderr, "step %d: order differs\n", step);
  }
  CHECK(bad == 0);
  CHECK(same_order(m, &md, strkeys));
}

/* Many keys: growth from 8 to 2^20 slots; every key still found after a collection. */
static void large(void) {
  tul_map *m = tul_map_new(TUL_K_STR, &tul_type_int);
  char buf[32];
  for (int i = 0; i < 300000; i++) {
    snprintf(buf, sizeof buf, "w%d", i);
    *(int64_t *)tul_map_put_str(m, S(buf)) = i;
  }
  GC_gcollect();
  int ok = tul_map_len(m) == 300000;
  for (int i = 0; i < 300000; i += 7) {
    snprintf(buf, sizeof buf, "w%d", i);
    int64_t *v = tul_map_find_str(m, S(buf));
    ok &= v && *v == i;
  }
  CHECK(ok);
}

/* ---------------------------------------------------------------- collisions */

/* Up to n int keys (from `from` up) whose hashes all have `low` in their low `bits` bits: for any
 * map of at most 2^bits index slots they share one home slot. Returns how many were found. */
static int colliding_ints(int64_t *out, int n, int bits, uint64_t low, int64_t from) {
  int found = 0;
  uint64_t mask = ((uint64_t)1 << bits) - 1;
  for (int64_t k = from; found < n && k < from + ((int64_t)n << (bits + 4)); k++)
    if ((tul__hash_int(k) & mask) == low) out[found++] = k;
  return found;
}

/* Inserts, finds, deletes and re-inserts `n` keys that all probe from one home slot, through growth
 * from 8 entries to 512 and a compaction; checks insertion order after each phase. */
static void cluster(uint64_t low) {
  enum { N = 400 };
  static int64_t keys[N];
  CHECK(colliding_ints(keys, N, 10, low, 1) == N);
  tul_map *m = tul_map_new(TUL_K_INT, &tul_type_int);
  int ok = 1;
  for (int i = 0; i < N; i++) {
    *(int64_t *)tul_map_put_int(m, keys[i]) = i;
    ok &= (tul__hash_int(keys[i]) & m->mask) == (low & m->mask); /* they do collide */
  }
  CHECK(ok && tul_map_len(m) == N && m->cap == 512);
  for (int i = 0; i < N; i++) ok &= *(int64_t *)tul_map_at_int(m, keys[i]) == i;
  CHECK(ok);
  CHECK(tul_map_find_int(m, 0) == NULL); /* an absent key walks the whole cluster */
  for (int i = 0; i < N; i += 2) ok &= tul_map_delete_int(m, keys[i]);
  for (int i = 0; i < N; i++) ok &= (tul_map_find_int(m, keys[i]) != NULL) == (i % 2 == 1); /* past tombstones */
  CHECK(ok && tul_map_len(m) == N / 2);
  for (int i = 0; i < N; i += 2) *(int64_t *)tul_map_put_int(m, keys[i]) = -i; /* compacts, then appends */
  CHECK(tul_map_len(m) == N && m->cap == 512);
  int64_t v = tul_map_version(m), n = 0;
  for (int64_t p = tul_map_next(m, 0, v); p >= 0; p = tul_map_next(m, p + 1, v), n++) {
    int i = n < N / 2 ? (int)(2 * n + 1) : (int)(2 * (n - N / 2)); /* odd keys first, then the re-added */
    ok &= tul_map_key_int_at(m, p) == keys[i] && *(int64_t *)tul_map_value_at(m, p) == (i % 2 ? i : -i);
  }
  CHECK(ok && n == N);
  for (int i = 0; i < N; i++) ok &= tul_map_delete_int(m, keys[i]);
  CHECK(ok && tul_map_len(m) == 0 && tul_map_find_int(m, keys[0]) == NULL);
}

typedef struct tagged { uint64_t tag; int64_t key; } tagged;

static int by_tag(const void *a, const void *b) {
  uint64_t x = ((const tagged *)a)->tag, y = ((const tagged *)b)->tag;
  return x < y ? -1 : x > y;
}

/* Two int keys whose hashes share the high 32 bits (the tag an index slot keeps) and the low 4 (one
 * home slot in a map of 16 slots): a birthday search over the keys hashing to home 0. The probe for
 * one meets the other's slot with an equal tag and must still tell them apart. */
static void same_tag(void) {
  enum { CANDIDATES = 1 << 19 };
  tagged *t = malloc(CANDIDATES * sizeof *t);
  int n = 0;
  while (n < CANDIDATES) { /* random keys: consecutive ones hash too regularly to ever meet */
    int64_t k = (int64_t)rnd();
    if ((tul__hash_int(k) & 15) == 0) t[n++] = (tagged){tul__hash_int(k) >> 32, k};
  }
  qsort(t, (size_t)n, sizeof *t, by_tag);
  int64_t a = -1, b = -1;
  for (int i = 1; i < n && a < 0; i++)
    if (t[i].tag == t[i - 1].tag) a = t[i - 1].key, b = t[i].key;
  free(t);
  CHECK(a >= 0); /* 2^19 candidates: about 32 such pairs expected, none with odds e^-32 */
  if (a < 0) return;
  tul_map *m = tul_map_new(TUL_K_INT, &tul_type_int);
  *(int64_t *)tul_map_put_int(m, a) = 1;
  *(int64_t *)tul_map_put_int(m, b) = 2;
  CHECK(m->mask == 15 && m->index[0] >> 32 == m->index[1] >> 32); /* adjacent slots, equal tags */
  CHECK(*(int64_t *)tul_map_at_int(m, a) == 1 && *(int64_t *)tul_map_at_int(m, b) == 2);
  CHECK(tul_map_delete_int(m, a) && tul_map_find_int(m, a) == NULL && *(int64_t *)tul_map_at_int(m, b) == 2);
  *(int64_t *)tul_map_put_int(m, a) = 3; /* past the tombstone and b's slot: last in order */
  tul_arr *keys = tul_map_keys(m);
  CHECK(keys->len == 2 && ((int64_t *)keys->data)[0] == b && ((int64_t *)keys->data)[1] == a);
  CHECK(*(int64_t *)tul_map_at_int(m, a) == 3);
}

/* A deep copy (spawn's arguments): independent of the original, shared values stay shared. */
static void copying(void) {
  static const tul_type arr_int = {TUL_K_ARRAY, 8, &tul_type_int, NULL, 0, NULL};
  static const tul_type map_str_arr = {TUL_K_MAP, 8, &arr_int, NULL, TUL_K_STR, NULL};
  tul_map *m = tul_map_new(TUL_K_STR, &arr_int);
  tul_arr *shared = tul_range(0, 3);
  *(tul_arr **)tul_map_put_str(m, S("a")) = shared;
  *(tul_arr **)tul_map_put_str(m, S("b")) = shared;
  *(tul_arr **)tul_map_put_str(m, S("gone")) = shared;
  tul_map_delete_str(m, S("gone"));
  tul__copier *c = tul__copier_new();
  tul_map *copy;
  tul__copy_value(c, &m, &map_str_arr, &copy);
  tul__copier_free(c);
  CHECK(copy != m && tul_value_eq(&copy, &m, &map_str_arr));
  tul_arr *a = *(tul_arr **)tul_map_at_str(copy, S("a")), *b = *(tul_arr **)tul_map_at_str(copy, S("b"));
  CHECK(a == b && a != shared);
  *(int64_t *)tul_arr_push_slot(a) = 9;
  CHECK(shared->len == 3);
  CHECK_STR(show(copy, &map_str_arr), "{\"a\":[0,1,2,9],\"b\":[0,1,2,9]}");
}

int main(int argc, char **argv) {
  rt_init(argc, argv);
  copying();
  basics();
  int_keys_and_zero_values();
  iteration();
  equality_and_json();
  randomized(0);
  randomized(1);
  large();
  cluster(0);
  cluster(1023); /* home slot = the last one of every index up to 1,024 slots: probes wrap around */
  same_tag();
  return rt_done();
}
