/* tsan_spawn_pool.c: a stress test of the spawn pool's queue and hand-back paths, built with
 * ThreadSanitizer (CMakeLists.txt links it with a TSan build of the runtime). 4 workers and the
 * loop thread race on the queue (spawns while workers take jobs), the done stack (workers push
 * while the loop drains it), cancels of queued and running jobs (among spawns, and alone), thrown
 * values, gathers of spawn promises and tasks awaiting spawns. Collections are off: Boehm GC stops
 * the world with signals, which ThreadSanitizer holds back until a thread reaches one of its
 * interceptors. */
#include "../async_support/async_test.h"
#include "rt_int.h"

static const tul_type *const int_types[2] = {&tul_type_int, &tul_type_int};
static const tul_type int_array = {TUL_K_ARRAY, 8, &tul_type_int, NULL, 0, NULL};

/* Sums a..b with some allocation on the worker (thread-local free lists), or throws when a < 0. */
static void work(void *args, void *result) {
  int64_t *a = args, s = 0;
  if (a[0] < 0) tul_throw(test_jstr("ValueError: negative"));
  tul_arr *xs = tul_arr_new(&tul_type_int, 0);
  for (int64_t i = a[0]; i < a[1]; i++) *(int64_t *)tul_arr_push_slot(xs) = i;
  for (int64_t i = 0; i < xs->len; i++) s += ((int64_t *)xs->data)[i];
  *(int64_t *)result = s;
}

static tul_promise *spawn_work(int64_t a, int64_t b) {
  int64_t v[2] = {a, b};
  return tul_spawn(work, 2, v, int_types, &tul_type_int);
}

static int64_t expect(int64_t a, int64_t b) { return (b - a) * (a + b - 1) / 2; }

static void await_rejects(void *arg) { tul_await(arg, NULL); }

static void in_order_and_errors(void) {
  enum { N = 20000 };
  tul_promise **ps = GC_MALLOC(N * sizeof *ps);
  for (int64_t i = 0; i < N; i++) ps[i] = spawn_work(i % 97 == 0 ? -1 : i % 50, i % 50 + i % 7);
  for (int64_t i = N - 1; i >= 0; i--) { /* reverse order: most are settled, some still running */
    if (i % 97 == 0) {
      tul_json *e = test_try(await_rejects, ps[i]);
      CHECK(e && strcmp(test_text(e), "ValueError: negative") == 0);
      continue;
    }
    int64_t r = -1;
    tul_await(ps[i], &r);
    CHECK(r == expect(i % 50, i % 50 + i % 7));
  }
}

static void cancels_race_with_workers(void) {
  enum { N = 5000 };
  tul_promise **ps = GC_MALLOC(N * sizeof *ps);
  int *cancelled = calloc(N, sizeof *cancelled);
  for (int64_t i = 0; i < N; i++) {
    ps[i] = spawn_work(0, 200);
    if (i % 3 == 0 && i >= 3) cancelled[i - 3] = tul__spawn_cancel(ps[i - 3]) >= 0; /* queued or running */
  }
  for (int64_t i = 0; i < N; i++) {
    if (cancelled[i]) continue; /* cancel leaves settling to its caller */
    int64_t r = -1;
    tul_await(ps[i], &r);
    CHECK(r == expect(0, 200));
  }
  free(cancelled);
  tul__loop_drain(); /* cancelled running jobs still finish */
  CHECK(tul__spawn_in_flight() == 0);
}

/* One job at a time, cancelled while a worker takes it or runs it, with no other spawn meanwhile:
 * the loop thread takes the pool mutex nowhere else, so the only ordering between its cancel and
 * the worker's take is cancel's own locking (in the phase above, later spawns lock the mutex and
 * would hide a cancel that forgot to). The pause lets a spinning worker reach the job first. */
static void cancel_alone(void) {
  for (int64_t i = 0; i < 300; i++) {
    tul_promise *p = spawn_work(0, i % 2 ? 20000 : 10);
    if (i % 3) {
      struct timespec pause = {0, (i % 4) * 20000};
      nanosleep(&pause, NULL);
    }
    tul__spawn_cancel(p);
    tul__loop_drain(); /* settles the done stack without touching the pool mutex */
    while (tul__spawn_in_flight() > 0) tul__loop_drain();
  }
}

/* A task that spawns and awaits: the loop thread switches tasks while workers hand back. */
static void spawner_task(void *args, void *result) {
  int64_t k = *(int64_t *)args, s = 0;
  for (int64_t i = 0; i < 20; i++) {
    int64_t r = 0;
    tul_await(spawn_work(k, k + i), &r);
    s += r;
  }
  *(int64_t *)result = s;
}

static void tasks_and_gathers(void) {
  enum { T = 200 };
  tul_promise **ps = GC_MALLOC(T * sizeof *ps);
  void *args;
  for (int64_t k = 0; k < T; k++) {
    ps[k] = tul_task_spawn(spawner_task, 8, &tul_type_int, &args);
    *(int64_t *)args = k;
  }
  for (int64_t k = 0; k < T; k++) {
    int64_t r = 0, want = 0;
    tul_await(ps[k], &r);
    for (int64_t i = 0; i < 20; i++) want += expect(k, k + i);
    CHECK(r == want);
  }
  tul_promise *vals[64];
  const tul_type promise_int = {TUL_K_PROMISE, 8, &tul_type_int, NULL, 0, NULL};
  const tul_type *types[64];
  for (int i = 0; i < 64; i++) {
    vals[i] = spawn_work(i, 2 * i);
    types[i] = &promise_int;
  }
  tul_arr *out = NULL;
  tul_await(tul_gather(64, vals, types, &tul_type_int), &out);
  for (int i = 0; i < 64; i++) CHECK(((int64_t *)out->data)[i] == expect(i, 2 * i));
  (void)int_array;
}

int main(void) {
  setenv("TULPAR_THREADS", "4", 1);
  test_init();
  GC_disable();
  in_order_and_errors();
  cancels_race_with_workers();
  cancel_alone();
  tasks_and_gathers();
  tul__loop_drain();
  puts("ok");
  return 0;
}
