/* async_gather.c: gather keeps argument order (not completion order), passes non-promise
 * arguments through, builds a typed array when homogeneous and json[] otherwise, and rejects with
 * the first child rejection, which the await re-throws. On the virtual clock (exact times whatever
 * the machine's load): a gather takes as long as its slowest child. */
#include "async_support/async_test.h"

typedef struct { int64_t ms; int64_t val; } after_args;

static void after(void *args, void *result) {
  after_args *a = args;
  tul_await(tul_sleep_async(a->ms), NULL);
  if (a->val < 0) {
    char msg[32];
    snprintf(msg, sizeof msg, "boom%lld", (long long)-a->val);
    tul_throw(test_jstr(msg));
  }
  *(int64_t *)result = a->val;
}

static tul_promise *spawn_after(int64_t ms, int64_t val) {
  void *args;
  tul_promise *p = tul_task_spawn(after, sizeof(after_args), &tul_type_int, &args);
  *(after_args *)args = (after_args){ms, val};
  return p;
}

static const tul_type promise_int = {TUL_K_PROMISE, 8, &tul_type_int, 0, 0, 0};

static void await_gather(void *g) { tul_await(g, NULL); }

int main(void) {
  test_init();
  test_virtual_clock();
  /* homogeneous: int[] in argument order */
  int64_t vals[3];
  tul_promise *a = spawn_after(20, 1), *b = spawn_after(5, 2);
  memcpy(&vals[0], &a, 8);
  memcpy(&vals[1], &b, 8);
  vals[2] = 99;
  const tul_type *types[3] = {&promise_int, &promise_int, &tul_type_int};
  int64_t t0 = tul__now_ns();
  tul_arr *r = NULL;
  tul_await(tul_gather(3, vals, types, &tul_type_int), &r);
  double ms = (double)(tul__now_ns() - t0) / 1e6;
  CHECK(r && r->len == 3 && r->elem == &tul_type_int);
  int64_t *d = (int64_t *)r->data;
  CHECK(d[0] == 1 && d[1] == 2 && d[2] == 99);
  CHECK(ms == 20.0); /* max of the children, not the sum */

  /* mixed: json[] with each value boxed */
  tul_str *s = tul_json_to_str(test_jstr("x"));
  int64_t mixed[2];
  tul_promise *c = spawn_after(1, 7);
  memcpy(&mixed[0], &c, 8);
  memcpy(&mixed[1], &s, 8);
  const tul_type *mtypes[2] = {&promise_int, &tul_type_str};
  tul_await(tul_gather(2, mixed, mtypes, &tul_type_json), &r);
  CHECK(r->len == 2 && r->elem == &tul_type_json);
  tul_json **j = (tul_json **)r->data;
  CHECK(strcmp(test_text(j[0]), "7") == 0 && strcmp(test_text(j[1]), "x") == 0);

  /* rejection: the first to happen (boom2 at 5 ms, not boom1 at 15 ms) */
  tul_promise *x = spawn_after(15, -1), *y = spawn_after(5, -2), *z = spawn_after(1, 3);
  int64_t rv[3];
  memcpy(&rv[0], &x, 8);
  memcpy(&rv[1], &y, 8);
  memcpy(&rv[2], &z, 8);
  const tul_type *rtypes[3] = {&promise_int, &promise_int, &promise_int};
  tul_json *e = test_try(await_gather, tul_gather(3, rv, rtypes, &tul_type_int));
  CHECK(e && strcmp(test_text(e), "boom2") == 0);

  /* all arguments plain: settles at once */
  int64_t plain[2] = {4, 5};
  const tul_type *ptypes[2] = {&tul_type_int, &tul_type_int};
  tul_promise *g = tul_gather(2, plain, ptypes, &tul_type_int);
  CHECK(tul_promise_state(g) == TUL_PROMISE_FULFILLED);
  tul__loop_drain(); /* boom1 was passed on by the gather: not an unhandled rejection */
  puts("ok");
  return 0;
}
