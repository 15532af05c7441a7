/* async_drain.c: the drain at exit runs tasks nobody awaited (and the timers they wait on) to
 * completion; a rejection nobody awaited is re-thrown by the drain (the top-level handler then
 * prints `Uncaught Exception: ...` and exits 1), with the task's creation site attached. */
#include "async_support/async_test.h"

static int finished;

static void sleepy(void *args, void *result) {
  tul_await(tul_sleep_async(*(int64_t *)args), NULL);
  finished++;
}

static void failing(void *args, void *result) {
  tul_await(tul_sleep_async(3), NULL);
  tul_throw(test_jstr("never awaited"));
}

static void drain(void *unused) { tul__loop_drain(); }

static void await_arg(void *p) { tul_await(p, NULL); }

int main(void) {
  test_init();
  for (int64_t i = 0; i < 10; i++) {
    void *args;
    tul_task_spawn(sleepy, sizeof(int64_t), NULL, &args);
    *(int64_t *)args = i;
  }
  CHECK(test_try(drain, NULL) == NULL);
  CHECK(finished == 10);
  CHECK(tul__live_tasks == 0 && !tul__timers_pending());

  void *args;
  tul_promise *f = tul_task_spawn(failing, 0, NULL, &args);
  tul_json *e = test_try(drain, NULL);
  CHECK(e && strcmp(test_text(e), "never awaited") == 0);
  const tul_async_origin *o = tul__async_origin_for(e);
  CHECK(o && o->created_at != NULL && o->awaited_at == NULL);
  CHECK(tul_promise_state(f) == TUL_PROMISE_REJECTED);
  CHECK(test_try(drain, NULL) == NULL); /* reported once */

  /* awaiting a rejected promise late (after it settled) counts as handling it */
  tul_promise *g = tul_task_spawn(failing, 0, NULL, &args);
  tul_await(tul_sleep_async(10), NULL);
  CHECK(tul_promise_state(g) == TUL_PROMISE_REJECTED);
  e = test_try(await_arg, g);
  CHECK(e && tul__async_origin_for(e) && tul__async_origin_for(e)->awaited_at != NULL);
  CHECK(test_try(drain, NULL) == NULL);
  puts("ok");
  return 0;
}
