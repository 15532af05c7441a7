/* rt_sort.c: sort(xs, less) and sort_by(xs, key) (sort.c) with closures written in C the way codegen
 * lays them out: every element kind, stability on 100,000 records, already sorted and reversed input,
 * an inconsistent comparator (no crash, a permutation), a throwing comparator (input unchanged),
 * NaN keys, str keys, and a collection in the middle of a sort. */
#include <math.h>
#include "rt_support/rt_test.h"

/* A closure block: the code pointer first. */
typedef struct closure { void *code; } closure;

typedef struct rec { int64_t key, seq; } rec; /* a "struct": sorted by pointer */
static const tul_type rec_type = {TUL_K_STRUCT, 8, NULL, "Rec", 0, NULL};
static const tul_type arr_rec = {TUL_K_ARRAY, 8, &rec_type, NULL, 0, NULL};

static _Bool less_int(void *c, int64_t a, int64_t b) { return a < b; }
static _Bool greater_float(void *c, double a, double b) { return a > b; }
static _Bool less_bool(void *c, _Bool a, _Bool b) { return !a && b; }
static _Bool rec_less(void *c, rec *a, rec *b) { return a->key < b->key; }
static int64_t calls;
static _Bool rec_less_counting(void *c, rec *a, rec *b) {
  calls++;
  return a->key < b->key;
}
static uint64_t noise = 7;
static _Bool inconsistent(void *c, int64_t a, int64_t b) {
  noise = noise * 6364136223846793005ull + 1442695040888963407ull;
  return (noise >> 63) != 0;
}
static _Bool throwing(void *c, int64_t a, int64_t b) {
  if (a == 13 || b == 13) tul_throw_msg("ValueError: unlucky");
  return a < b;
}
static _Bool collecting(void *c, rec *a, rec *b) {
  if (((a->seq * 31 + b->seq) & 1023) == 0) GC_gcollect();
  tul_alloc(64); /* garbage while records are only in the temporary buffer */
  return a->key < b->key;
}
static int64_t key_neg(void *c, int64_t x) { return -x; }
static double key_float(void *c, rec *r) { return r->key % 5 == 0 ? NAN : (double)(r->key % 7); }
static tul_str *key_str(void *c, tul_str *s) { return tul_str_lower(s); }
static _Bool key_bool(void *c, int64_t x) { return x % 2 == 0; }

static closure C(void *code) { return (closure){code}; }

static tul_arr *ints(const int64_t *v, int64_t n) {
  tul_arr *a = tul_arr_new(&tul_type_int, n);
  memcpy(a->data, v, (size_t)n * 8);
  return a;
}

static tul_str *show_ints(tul_arr *a) {
  static const tul_type t = {TUL_K_ARRAY, 8, &tul_type_int, NULL, 0, NULL};
  return tul_to_str(&a, &t);
}

static void scalars(void) {
  closure c = C(less_int);
  int64_t v[] = {5, -1, 3, 3, 9, 0, -7};
  tul_arr *a = ints(v, 7);
  CHECK_STR(show_ints(tul_arr_sort_less(a, &c)), "[-7,-1,0,3,3,5,9]");
  CHECK_STR(show_ints(a), "[5,-1,3,3,9,0,-7]"); /* the input is untouched */
  CHECK(tul_arr_sort_less(tul_arr_new(&tul_type_int, 0), &c)->len == 0);
  tul_arr *f = tul_arr_new(&tul_type_float, 4);
  double fv[] = {1.5, -2, 8, 0.25};
  memcpy(f->data, fv, sizeof fv);
  closure g = C(greater_float);
  static const tul_type tf = {TUL_K_ARRAY, 8, &tul_type_float, NULL, 0, NULL};
  tul_arr *fs = tul_arr_sort_less(f, &g);
  CHECK_STR(tul_to_str(&fs, &tf), "[8.0,1.5,0.25,-2.0]");
  tul_arr *b = tul_arr_new(&tul_type_bool, 5);
  memcpy(b->data, (char[]){1, 0, 1, 0, 0}, 5);
  closure lb = C(less_bool);
  static const tul_type tb = {TUL_K_ARRAY, 8, &tul_type_bool, NULL, 0, NULL};
  tul_arr *bs = tul_arr_sort_less(b, &lb);
  CHECK_STR(tul_to_str(&bs, &tb), "[false,false,false,true,true]");
  closure kn = C(key_neg), kb = C(key_bool);
  CHECK_STR(show_ints(tul_arr_sort_by(a, &kn, &tul_type_int)), "[9,5,3,3,0,-1,-7]");
  CHECK_STR(show_ints(tul_arr_sort_by(ints((int64_t[]){1, 2, 3, 4, 5, 6}, 6), &kb, &tul_type_bool)), "[1,3,5,2,4,6]");
  CHECK_THROWS(tul_arr_sort_less(a, NULL), "TypeError: null reference");
  CHECK_THROWS(tul_arr_sort_by(a, &kn, &rec_type), "TypeError: cannot sort by Rec keys");
}

static tul_arr *records(int64_t n, int64_t keys) {
  tul_arr *a = tul_arr_new(&rec_type, n);
  uint64_t x = 12345;
  for (int64_t i = 0; i < n; i++) {
    x = x * 6364136223846793005ull + 1;
    rec *r = tul_alloc(sizeof(rec));
    r->key = (int64_t)((x >> 33) % (uint64_t)keys);
    r->seq = i;
    ((rec **)a->data)[i] = r;
  }
  return a;
}

static int sorted_stably(tul_arr *a) {
  rec **r = (rec **)a->data;
  for (int64_t i = 1; i < a->len; i++)
    if (r[i - 1]->key > r[i]->key || (r[i - 1]->key == r[i]->key && r[i - 1]->seq > r[i]->seq)) return 0;
  return 1;
}

static void stability(void) {
  closure c = C(rec_less);
  tul_arr *a = records(100000, 1000), *s = tul_arr_sort_less(a, &c);
  CHECK(s->len == 100000 && sorted_stably(s));
  /* already sorted: n - 1 comparisons; reversed distinct keys: still sorted */
  closure cc = C(rec_less_counting);
  calls = 0;
  tul_arr *again = tul_arr_sort_less(s, &cc);
  CHECK(calls == s->len - 1);
  CHECK(sorted_stably(again));
  tul_arr *rev = records(5000, 1000000000);
  rec **r = (rec **)rev->data;
  for (int64_t i = 0; i < 5000; i++) r[i]->key = 5000 - i, r[i]->seq = i;
  CHECK(sorted_stably(tul_arr_sort_less(rev, &c)));
  closure g = C(collecting);
  CHECK(sorted_stably(tul_arr_sort_less(records(20000, 100), &g)));
}

static void hostile(void) {
  closure c = C(inconsistent);
  tul_arr *a = tul_range(0, 3000);
  tul_arr *s = tul_arr_sort_less(a, &c);
  int64_t seen[3000] = {0}, ok = s->len == 3000;
  for (int64_t i = 0; i < s->len; i++) {
    int64_t v = ((int64_t *)s->data)[i];
    ok &= v >= 0 && v < 3000 && !seen[v];
    if (v >= 0 && v < 3000) seen[v] = 1;
  }
  CHECK(ok); /* some order, but every element exactly once */
  closure t = C(throwing);
  tul_arr *b = tul_range(0, 100);
  for (int64_t i = 0; i < 50; i++) ((int64_t *)b->data)[i] = 49 - i;
  tul_str *before = show_ints(b);
  CHECK_THROWS(tul_arr_sort_less(b, &t), "ValueError: unlucky");
  CHECK(tul_str_eq(show_ints(b), before));
}

static void keys(void) {
  closure kf = C(key_float);
  tul_arr *s = tul_arr_sort_by(records(1000, 100), &kf, &tul_type_float);
  rec **r = (rec **)s->data;
  int ok = 1;
  for (int64_t i = 1; i < s->len; i++) {
    double a = r[i - 1]->key % 5 == 0 ? NAN : (double)(r[i - 1]->key % 7), b = r[i]->key % 5 == 0 ? NAN : (double)(r[i]->key % 7);
    if (isnan(a)) ok &= isnan(b) && r[i - 1]->seq < r[i]->seq; /* NaN keys last, in input order */
    else ok &= isnan(b) || a < b || (a == b && r[i - 1]->seq < r[i]->seq);
  }
  CHECK(ok);
  closure ks = C(key_str);
  tul_arr *words = tul_str_split(S("banana Apple cherry apple Banana"), S(" "));
  CHECK_STR(tul_str_join(tul_arr_sort_by(words, &ks, &tul_type_str), S(" ")), "Apple apple banana Banana cherry");
  (void)arr_rec;
}

int main(int argc, char **argv) {
  rt_init(argc, argv);
  scalars();
  stability();
  hostile();
  keys();
  return rt_done();
}
