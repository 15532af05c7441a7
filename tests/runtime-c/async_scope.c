/* async_scope.c: scopes as generated code drives them (tul_scope_enter/fail/exit): the exit waits
 * for every task; the first error cancels the rest and is re-thrown at the exit; a body error
 * propagates as itself; tasks created by tasks belong to the scope and their creator settles
 * after them; scopes inside tasks and nested scopes; the outer cancellation reaches inner scopes;
 * detached scopes for runtime C code; timeout, race and vote; many tasks; a scope per iteration
 * of a long loop leaks nothing. */
#include "async_support/async_test.h"

typedef struct { int64_t ms; int64_t val; } job;
static int64_t finished, cancelled_seen;

static void worker(void *args, void *result) {
  job *j = args;
  _Alignas(16) char h[TUL_HANDLER_SIZE];
  tul_try_push(h);
  if (_setjmp((struct __jmp_buf_tag *)h) == 0) {
    tul_sleep_await(j->ms);
    tul_try_pop(h);
  } else {
    tul_json *e = tul_caught();
    if (tul__is_cancelled_error(e)) cancelled_seen++;
    tul_throw(e);
  }
  if (j->val < 0) tul_throw(test_jstr(j->val == -1 ? "boom" : "second"));
  finished++;
  *(int64_t *)result = j->val;
}

static tul_promise *spawn(int64_t ms, int64_t val) {
  void *args;
  tul_promise *p = tul_task_spawn(worker, sizeof(job), &tul_type_int, &args);
  *(job *)args = (job){ms, val};
  return p;
}

/* scope { body(arg) } as tulc lowers it */
static void run_scope(void (*body)(void *), void *arg) {
  void *s = tul_scope_enter();
  _Alignas(16) char h[TUL_HANDLER_SIZE];
  tul_try_push(h);
  if (_setjmp((struct __jmp_buf_tag *)h) == 0) {
    body(arg);
    tul_try_pop(h);
    tul_scope_exit(s);
    return;
  }
  tul_scope_fail(s);
  tul_scope_exit(s);
  tul_rethrow();
}

typedef struct { void (*body)(void *); void *arg; } scoped;
static void scoped_call(void *p) { run_scope(((scoped *)p)->body, ((scoped *)p)->arg); }
static tul_json *try_scope(void (*body)(void *), void *arg) {
  scoped sc = {body, arg};
  return test_try(scoped_call, &sc);
}

static void three_ok(void *unused) { spawn(5, 1), spawn(1, 2), spawn(3, 3); }
static void three_quick(void *unused) { spawn(0, 1), spawn(0, 2), spawn(0, 3); }
static void one_fails(void *n) {
  for (int64_t i = 0; i < *(int64_t *)n; i++) spawn(10000, i);
  spawn(5, -1);
  spawn(20, -2); /* fails later: never reported */
}
static void body_throws(void *unused) {
  spawn(10000, 1);
  tul_throw(test_jstr("body"));
}
static void body_waits(void *unused) {
  spawn(5, -1);
  tul_sleep_await(10000); /* cancelled by the failure */
}

/* A task (in the scope) whose own children are slow: it settles only after them. */
static int parent_done_after_children;
static void parent(void *args, void *result) {
  spawn(5, 1);
  spawn(8, 2);
  int64_t before = finished;
  (void)before;
}
static void parent_checker(void *unused) {
  tul_promise *p = tul_task_spawn(parent, 0, NULL, NULL);
  int64_t f0 = finished;
  tul_await(p, NULL);
  parent_done_after_children = finished - f0 == 2;
}

/* a scope in a task, cancelled from outside: its tasks are cancelled, the exit re-throws */
static void inner_scope_task(void *args, void *result) {
  run_scope(one_fails, &(int64_t){0}); /* would fail after 5 ms... */
}
static void sleeps_in_scope(void *unused) {
  spawn(10000, 1);
  tul_sleep_await(10000);
}
static void task_with_scope(void *args, void *result) { run_scope(sleeps_in_scope, NULL); }

static tul_json *done_error;
static int done_calls;
static void on_done(tul__scope *s, tul_json *e, void *ud) {
  done_calls++;
  done_error = e;
}

static void await_it(void *p) { tul_await(p, NULL); }

int main(void) {
  test_init();
  /* the exit waits for every task */
  finished = 0;
  CHECK(try_scope(three_ok, NULL) == NULL);
  CHECK(finished == 3 && tul__live_tasks == 0);

  /* first error wins, the rest are cancelled and settled before the exit re-throws */
  finished = cancelled_seen = 0;
  double t0 = test_now_ms();
  tul_json *e = try_scope(one_fails, &(int64_t){100});
  CHECK(e && strcmp(test_text(e), "boom") == 0);
  CHECK(tul__live_tasks == 0 && cancelled_seen == 101 && finished == 0);
  CHECK(test_now_ms() - t0 < 2000);

  /* the body's error, with a task not started yet: it never runs */
  cancelled_seen = finished = 0;
  e = try_scope(body_throws, NULL);
  CHECK(e && strcmp(test_text(e), "body") == 0 && cancelled_seen == 0 && tul__live_tasks == 0);

  /* the body is cancelled by a task's failure; the task's error is re-thrown */
  e = try_scope(body_waits, NULL);
  CHECK(e && strcmp(test_text(e), "boom") == 0 && tul__live_tasks == 0);

  /* tasks created by tasks belong to the scope; their creator settles after them */
  finished = 0;
  CHECK(try_scope(parent_checker, NULL) == NULL);
  CHECK(parent_done_after_children && finished == 2);

  /* a scope inside a task fails: the task rejects with the scope's error */
  tul_promise *it = tul_task_spawn(inner_scope_task, 0, NULL, NULL);
  e = test_try(await_it, it);
  CHECK(e && strcmp(test_text(e), "boom") == 0);

  /* cancelling a task reaches the scope it is inside */
  cancelled_seen = 0;
  tul_promise *ts = tul_task_spawn(task_with_scope, 0, NULL, NULL);
  tul_sleep_await(2);
  tul_cancel(ts);
  e = test_try(await_it, ts);
  CHECK(e && tul__is_cancelled_error(e) && cancelled_seen == 1 && tul__live_tasks == 0);

  /* detached scopes (runtime C code) */
  tul__scope *d = tul__scope_open(on_done, NULL);
  void *args;
  for (int i = 0; i < 3; i++) {
    tul__scope_spawn(d, worker, sizeof(job), &tul_type_int, &args);
    *(job *)args = (job){10000, 1};
  }
  tul__scope_close(d);
  tul_sleep_await(1);
  CHECK(done_calls == 0);
  tul__scope_cancel(d);
  tul__loop_drain();
  CHECK(done_calls == 1 && tul__is_cancelled_error(done_error) && tul__live_tasks == 0);

  /* timeout: the fast path is the promise itself; a slow one is cancelled */
  tul_promise *ready = tul__promise_new(&tul_type_int);
  tul__promise_resolve(ready, &(int64_t){3});
  CHECK(tul_timeout(10, ready) == ready);
  tul_promise *slow = spawn(10000, 1);
  e = test_try(await_it, tul_timeout(5, slow));
  CHECK(e && strcmp(test_text(e), "TimeoutError: timed out after 5 ms") == 0);
  CHECK(tul_promise_state(slow) == TUL_PROMISE_REJECTED);
  int64_t v = 0;
  tul_await(tul_timeout(1000, spawn(1, 9)), &v);
  CHECK(v == 9 && !tul__timers_pending());

  /* race: the first wins; the losers are cancelled and settled first */
  tul_promise *r[3] = {spawn(10000, 1), spawn(2, 2), spawn(10000, 3)};
  tul_await(tul_race(3, r), &v);
  CHECK(v == 2 && tul_promise_state(r[0]) == TUL_PROMISE_REJECTED && tul_promise_state(r[2]) == TUL_PROMISE_REJECTED);
  tul_promise *one = spawn(1, 4);
  CHECK(tul_race(1, &one) == one);
  tul_promise *rf[2] = {spawn(1, -1), spawn(10000, 1)};
  e = test_try(await_it, tul_race(2, rf));
  CHECK(e && strcmp(test_text(e), "boom") == 0);

  /* vote: the majority; ties go to the earliest; all rejected: the first rejection */
  tul_arr *vs = tul_arr_new(&tul_type_json, 5);
  tul_promise *vp[5] = {spawn(3, 7), spawn(1, 8), spawn(2, 8), spawn(1, -1), spawn(4, 7)};
  memcpy(vs->data, vp, sizeof vp);
  tul_await(tul_vote(vs, &tul_type_int), &v);
  CHECK(v == 7); /* 7 and 8 twice each: 7 comes first */
  tul_arr *bad = tul_arr_new(&tul_type_json, 2);
  tul_promise *bp[2] = {spawn(3, -2), spawn(1, -1)};
  memcpy(bad->data, bp, sizeof bp);
  e = test_try(await_it, tul_vote(bad, &tul_type_int));
  CHECK(e && strcmp(test_text(e), "second") == 0);

  /* many tasks in one scope, cancelled by one failure */
  int64_t many = 20000;
  cancelled_seen = 0;
  t0 = test_now_ms();
  e = try_scope(one_fails, &many);
  CHECK(e && strcmp(test_text(e), "boom") == 0 && cancelled_seen == many + 1 && tul__live_tasks == 0);
  fprintf(stderr, "%lld tasks: %.1f ms\n", (long long)many, test_now_ms() - t0);

  /* a scope per iteration: what stays reachable after a collection does not grow */
  int64_t live0 = 0;
  for (int i = 0; i < 10000; i++) {
    if (i == 2000) {
      GC_gcollect();
      live0 = (int64_t)(GC_get_heap_size() - GC_get_free_bytes());
    }
    CHECK(try_scope(three_quick, NULL) == NULL);
  }
  GC_gcollect();
  int64_t live1 = (int64_t)(GC_get_heap_size() - GC_get_free_bytes());
  CHECK(live1 < live0 + 1024 * 1024);
  tul__loop_drain();
  puts("ok");
  return 0;
}
