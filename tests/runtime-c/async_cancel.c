/* async_cancel.c: cancel(p) on every kind of promise and wait: a task that never ran never runs;
 * a sleeping or awaiting task gets CancelledError at its await (its timer and waiter node leave at
 * once), again at every later await (sticky) except inside a shield; cancel racing completion;
 * timers, hooked runtime promises and combinators release what they hold; unobserved
 * cancellations are not uncaught errors. */
#include "async_support/async_test.h"

static int ran, finally_ran, caught_again, shielded_ok;

static void sleeper(void *args, void *result) {
  ran++;
  tul_sleep_await(*(int64_t *)args);
  *(int64_t *)result = 1;
}

static tul_promise *spawn_sleeper(int64_t ms) {
  void *args;
  tul_promise *p = tul_task_spawn(sleeper, 8, &tul_type_int, &args);
  *(int64_t *)args = ms;
  return p;
}

static void await_it(void *p) { tul_await(p, NULL); }
static void sleep_10(void *unused) { tul_sleep_await(10); }

/* Catches the cancellation, checks that the next await throws again, then awaits in a shield. */
static void stubborn(void *args, void *result) {
  tul_json *e = test_try(sleep_10, NULL);
  if (e && tul__is_cancelled_error(e)) finally_ran++;
  e = test_try(sleep_10, NULL);
  if (e && tul__is_cancelled_error(e)) caught_again++;
  void *h = tul_shield_enter();
  e = test_try(sleep_10, NULL);
  tul_shield_exit(h);
  if (!e) shielded_ok++;
  tul_sleep_await(1); /* throws: cancellation is sticky */
  *(int64_t *)result = 5;
}

static tul_promise *gate;
static void waiter(void *args, void *result) { tul_await(gate, result); }

static int hook_calls;
static void hook(tul_promise *p, void *ud) { hook_calls++; }

int main(void) {
  test_init();
  /* a task that never ran never runs; awaiting it throws; nothing is uncaught at the drain */
  ran = 0;
  tul_promise *a = spawn_sleeper(1000);
  tul_cancel(a);
  CHECK(tul_promise_state(a) == TUL_PROMISE_REJECTED);
  tul_json *e = test_try(await_it, a);
  CHECK(e && strcmp(test_text(e), "CancelledError: cancelled") == 0);
  tul__loop_drain();
  CHECK(ran == 0 && tul__live_tasks == 0);

  /* a sleeping task: its timer leaves at once, its await throws, the drain does not wait 1 s */
  tul_promise *b = spawn_sleeper(1000);
  tul_sleep_await(1); /* b runs and sleeps */
  CHECK(ran == 1 && tul__timers_pending());
  double t0 = test_now_ms();
  tul_cancel(b);
  CHECK(!tul__timers_pending());
  e = test_try(await_it, b);
  CHECK(e && tul__is_cancelled_error(e));
  tul__loop_drain();
  CHECK(test_now_ms() - t0 < 500);

  /* sticky, and shield */
  tul_promise *c = tul_task_spawn(stubborn, 0, &tul_type_int, NULL);
  tul_sleep_await(1);
  tul_cancel(c);
  e = test_try(await_it, c);
  CHECK(e && tul__is_cancelled_error(e));
  CHECK(finally_ran == 1 && caught_again == 1 && shielded_ok == 1);

  /* a task awaiting a promise leaves its waiter list; the others still get the value */
  gate = tul__promise_new(&tul_type_int);
  tul_promise *w1 = tul_task_spawn(waiter, 0, &tul_type_int, NULL);
  tul_promise *w2 = tul_task_spawn(waiter, 0, &tul_type_int, NULL);
  tul_promise *w3 = tul_task_spawn(waiter, 0, &tul_type_int, NULL);
  tul_sleep_await(1);
  tul_cancel(w2);
  int64_t seven = 7, v = 0;
  tul__promise_resolve(gate, &seven);
  tul_await(w1, &v);
  CHECK(v == 7);
  v = 0;
  tul_await(w3, &v);
  CHECK(v == 7);
  CHECK(tul__is_cancelled_error(test_try(await_it, w2)));

  /* cancel racing completion: woken (queued) in the same tick it is cancelled: it throws */
  gate = tul__promise_new(&tul_type_int);
  tul_promise *w4 = tul_task_spawn(waiter, 0, &tul_type_int, NULL);
  tul_sleep_await(1);
  tul__promise_resolve(gate, &seven);
  tul_cancel(w4);
  CHECK(tul__is_cancelled_error(test_try(await_it, w4)));
  /* ... and once settled, cancel does nothing */
  tul_cancel(w4);
  tul_cancel(w1);
  CHECK(tul_promise_state(w1) == TUL_PROMISE_FULFILLED);

  /* sleep_async promises and hooked runtime promises */
  tul_promise *s = tul_sleep_async(1000);
  tul_cancel(s);
  CHECK(!tul__timers_pending() && tul_promise_state(s) == TUL_PROMISE_REJECTED);
  tul_promise *h = tul__promise_new_cancellable(&tul_type_int, hook, NULL);
  tul_cancel(h);
  tul_cancel(h);
  CHECK(hook_calls == 1 && tul_promise_state(h) == TUL_PROMISE_REJECTED);

  /* gather: cancelling a task awaiting a gather; cancelling the gather cancels its children */
  tul_promise *g1 = spawn_sleeper(1000), *g2 = spawn_sleeper(1000);
  tul_arr *ps = tul_arr_new(&tul_type_json, 2);
  memcpy(ps->data, &g1, 8);
  memcpy(ps->data + 8, &g2, 8);
  tul_promise *g = tul_gather_arr(ps, &tul_type_int);
  tul_sleep_await(1);
  tul_cancel(g);
  CHECK(tul_promise_state(g) == TUL_PROMISE_REJECTED);
  tul__loop_drain();
  CHECK(tul_promise_state(g1) == TUL_PROMISE_REJECTED && tul_promise_state(g2) == TUL_PROMISE_REJECTED);
  CHECK(tul__live_tasks == 0 && !tul__timers_pending());

  /* the main program can be cancelled only through scopes: cancelling a settled or plain promise */
  tul_promise *plain = tul__promise_new(NULL);
  tul_cancel(plain);
  CHECK(tul__is_cancelled_error(test_try(await_it, plain)));
  tul__loop_drain(); /* no uncaught error: every rejection above was a cancellation */
  puts("ok");
  return 0;
}
