/* async_spawn.c: the spawn pool (spawn.c) through its ABI: results, 10,000 small jobs in order,
 * deep-copied arguments (the caller's array and the worker's copy change independently; sharing
 * and cycles survive the copy), thrown values and their frames, StackOverflowError caught on a
 * worker, what a worker may not do (RuntimeError), cancel of queued and running jobs, and the
 * exit drain waiting for a running job. */
#include "async_support/async_test.h"
#include "rt_int.h"
#include <pthread.h>
#include <unistd.h>

static const tul_type int_array = {TUL_K_ARRAY, 8, &tul_type_int, NULL, 0, NULL};
static const tul_type *const int_types[2] = {&tul_type_int, &tul_type_int};

static void add(void *args, void *result) {
  int64_t *a = args;
  *(int64_t *)result = a[0] + a[1];
}

static tul_promise *spawn2(tul_task_entry f, int64_t a, int64_t b) {
  int64_t v[2] = {a, b};
  return tul_spawn(f, 2, v, int_types, &tul_type_int);
}

static int64_t await_int(tul_promise *p) {
  int64_t r = 0;
  tul_await(p, &r);
  return r;
}

static void many_small_jobs(void) {
  enum { N = 10000 };
  tul_promise **ps = GC_MALLOC(N * sizeof *ps);
  for (int64_t i = 0; i < N; i++) ps[i] = spawn2(add, i, 1);
  for (int64_t i = 0; i < N; i++) CHECK(await_int(ps[i]) == i + 1);
}

/* ---------------------------------------------------------------- copies */

static void sum_and_clobber(void *args, void *result) {
  tul_arr *a = *(tul_arr **)args;
  int64_t s = 0;
  for (int64_t i = 0; i < a->len; i++) s += ((int64_t *)a->data)[i];
  for (int64_t i = 0; i < a->len; i++) ((int64_t *)a->data)[i] = -1; /* the caller must not see this */
  *(int64_t *)result = s;
}

static void copies_are_isolated(void) {
  tul_arr *a = tul_arr_new(&tul_type_int, 1000);
  for (int64_t i = 0; i < 1000; i++) ((int64_t *)a->data)[i] = i;
  const tul_type *t[1] = {&int_array};
  tul_promise *p = tul_spawn(sum_and_clobber, 1, &a, t, &tul_type_int);
  for (int64_t i = 0; i < 1000; i++) ((int64_t *)a->data)[i] = 7; /* after the spawn: the worker must not see this */
  CHECK(await_int(p) == 999 * 1000 / 2);
  for (int64_t i = 0; i < 1000; i++) CHECK(((int64_t *)a->data)[i] == 7);
}

/* json [x, x, {"self": <the array>}]: copied with its sharing and its cycle. */
static void shape(void *args, void *result) {
  tul_json *j = *(tul_json **)args;
  tul_json *x0 = tul_json_at(j, 0), *x1 = tul_json_at(j, 1), *o = tul_json_at(j, 2);
  tul_str *self = tul__str_c("self");
  int ok = x0 == x1 && tul_json_get(o, self) == j && tul_json_len(x0) == 2;
  tul_json_push(x0, NULL); /* changes the worker's copy only */
  *(int64_t *)result = ok;
}

static void sharing_and_cycles_survive(void) {
  tul_json *j = tul_json_box(&(tul_arr *){tul_arr_new(&tul_type_json, 0)}, &(tul_type){TUL_K_ARRAY, 8, &tul_type_json});
  tul_json *x = tul_json_box(&(tul_arr *){tul_arr_new(&tul_type_json, 0)}, &(tul_type){TUL_K_ARRAY, 8, &tul_type_json});
  tul_json_push(x, tul__json_int(1));
  tul_json_push(x, tul__json_int(2));
  tul_json *o = tul_json_new_object();
  tul_json_set(o, tul__str_c("self"), j);
  tul_json_push(j, x);
  tul_json_push(j, x);
  tul_json_push(j, o);
  const tul_type *t[1] = {&tul_type_json};
  tul_promise *p = tul_spawn(shape, 1, &j, t, &tul_type_int);
  CHECK(await_int(p) == 1);
  CHECK(tul_json_len(x) == 2);
}

/* ---------------------------------------------------------------- errors */

static void thrower(void *args, void *result) { tul_throw(test_jstr("ValueError: from a worker")); }

static void await_rejects(void *arg) { tul_await(arg, NULL); }

static void errors_reach_the_awaiter(void) {
  tul_promise *p = spawn2(thrower, 0, 0);
  tul_json *e = test_try(await_rejects, p);
  CHECK(e && strcmp(test_text(e), "ValueError: from a worker") == 0);
  const tul_async_origin *o = tul__async_origin_for(e);
  CHECK(o && o->created_at && o->nframes > 0); /* the worker's frames travel with it */
}

static int64_t deep(int64_t n) {
  TEST_STACK_CHECK();
  char pad[256];
  memset(pad, (int)n, sizeof pad);
  return n == 0 ? pad[3] : deep(n - 1) + pad[7];
}

static void recurse_forever(void *arg) { *(int64_t *)arg = deep(1 << 30); }

static void overflow_caught_inside(void *args, void *result) {
  int64_t r = 0;
  tul_json *e = test_try(recurse_forever, &r);
  *(int64_t *)result = e && strcmp(test_text(e), "StackOverflowError") == 0;
}

static void overflow_escapes(void *args, void *result) { *(int64_t *)result = deep(1 << 30); }

static void stack_overflow_on_a_worker(void) {
#if defined(__has_feature)
#if __has_feature(thread_sanitizer) /* its shadow call stack holds 64k frames: far fewer than 8 MiB */
  return;
#endif
#endif
  CHECK(await_int(spawn2(overflow_caught_inside, 0, 0)) == 1);
  tul_json *e = test_try(await_rejects, spawn2(overflow_escapes, 0, 0));
  CHECK(e && strcmp(test_text(e), "StackOverflowError") == 0);
}

static void awaits(void *args, void *result) { tul_sleep_await(1); }
static void sleeps(void *args, void *result) { tul_sleep_async(1); }
static void spawns(void *args, void *result) { spawn2(add, 1, 2); }
static void starts_task(void *args, void *result) { tul_task_spawn(add, 16, &tul_type_int, NULL); }

static void expect_runtime_error(tul_task_entry f, const char *msg) {
  tul_json *e = test_try(await_rejects, spawn2(f, 0, 0));
  CHECK(e != NULL);
  if (e && strcmp(test_text(e), msg) != 0) {
    fprintf(stderr, "got '%s', want '%s'\n", test_text(e), msg);
    CHECK(0);
  }
}

static void what_workers_may_not_do(void) {
  expect_runtime_error(sleeps, "RuntimeError: sleep_async in a spawned function");
  expect_runtime_error(awaits, "RuntimeError: await in a spawned function");
  expect_runtime_error(spawns, "RuntimeError: spawn in a spawned function");
  expect_runtime_error(starts_task, "RuntimeError: calling an async function in a spawned function");
}

/* ---------------------------------------------------------------- cancel and the exit drain */

static int release_gate;

static void gated(void *args, void *result) {
  while (!__atomic_load_n(&release_gate, __ATOMIC_ACQUIRE)) usleep(200);
  *(int64_t *)result = *(int64_t *)args;
}

static int ran_after_cancel;
static void must_not_run(void *args, void *result) { ran_after_cancel = 1; }

static void cancel_queued_and_running(int threads) {
  release_gate = 0;
  tul_promise **blockers = GC_MALLOC((size_t)threads * sizeof *blockers);
  for (int i = 0; i < threads; i++) blockers[i] = spawn2(gated, i, 0);
  tul_promise *queued = spawn2(must_not_run, 0, 0);
  usleep(20000); /* every worker holds a gated job by now; `queued` waits in the queue */
  CHECK(tul__spawn_cancel(queued) == 1);
  CHECK(tul__spawn_cancel(queued) == -1);
  CHECK(tul__spawn_cancel(blockers[0]) == 0); /* running: finishes, its result is dropped */
  __atomic_store_n(&release_gate, 1, __ATOMIC_RELEASE);
  for (int i = 1; i < threads; i++) CHECK(await_int(blockers[i]) == i);
  CHECK(await_int(spawn2(add, 20, 22)) == 42); /* the pool still works */
  tul__loop_drain(); /* waits for the cancelled running job too */
  CHECK(tul__spawn_in_flight() == 0);
  CHECK(blockers[0]->state == TUL_PROMISE_PENDING); /* nobody settled it here: the dropped result stays out */
  CHECK(!ran_after_cancel);
}

static void slow_job(void *args, void *result) {
  usleep(50000);
  *(int *)(intptr_t)*(int64_t *)args = 1;
}

static void drain_waits_for_running_jobs(void) {
  static int finished;
  spawn2(slow_job, (int64_t)(intptr_t)&finished, 0); /* never awaited */
  tul__loop_drain();
  CHECK(finished == 1);
}

int main(void) {
  setenv("TULPAR_THREADS", "2", 1);
  test_init();
  many_small_jobs();
  copies_are_isolated();
  sharing_and_cycles_survive();
  errors_reach_the_awaiter();
  stack_overflow_on_a_worker();
  what_workers_may_not_do();
  cancel_queued_and_running(2);
  drain_waits_for_running_jobs();
  puts("ok");
  return 0;
}
