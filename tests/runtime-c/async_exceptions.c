/* async_exceptions.c: each task has its own handler stack: a try that spans an await catches its
 * own throw while sibling tasks throw and catch in between; a throw escaping a task rejects its
 * promise; awaiting it re-throws into the awaiter's try (in a task or on the main program). */
#include "async_support/async_test.h"

static int caught_count;

typedef struct { int64_t id; int64_t ms; } targs;

static void throw_after(void *arg) {
  targs *a = arg;
  tul_await(tul_sleep_async(a->ms), NULL);
  char msg[32];
  snprintf(msg, sizeof msg, "err%lld", (long long)a->id);
  tul_throw(test_jstr(msg));
}

/* try { await sleep(ms); throw errN } catch (e) { check e == errN } — many of these interleave. */
static void spanning(void *args, void *result) {
  targs *a = args;
  tul_json *e = test_try(throw_after, a);
  char want[32];
  snprintf(want, sizeof want, "err%lld", (long long)a->id);
  CHECK(e && strcmp(test_text(e), want) == 0);
  caught_count++;
  *(int64_t *)result = a->id;
}

static void boom(void *args, void *result) {
  tul_await(tul_sleep_async(2), NULL);
  tul_throw(test_jstr("boom"));
}

static void await_arg(void *p) { tul_await(p, NULL); }

/* An async wrapper that catches its child's rejection and fulfils normally. */
static void wrapper(void *args, void *result) {
  void *unused;
  tul_promise *child = tul_task_spawn(boom, 0, NULL, &unused);
  tul_json *e = test_try(await_arg, child);
  CHECK(e && strcmp(test_text(e), "boom") == 0);
  *(int64_t *)result = 1;
}

int main(void) {
  test_init();
  enum { N = 50 };
  tul_promise *p[N];
  for (int64_t i = 0; i < N; i++) {
    void *args;
    p[i] = tul_task_spawn(spanning, sizeof(targs), &tul_type_int, &args);
    *(targs *)args = (targs){i, (i * 7) % 13};
  }
  void *unused;
  tul_promise *b = tul_task_spawn(boom, 0, NULL, &unused);
  tul_promise *w = tul_task_spawn(wrapper, 0, &tul_type_int, &unused);
  for (int i = 0; i < N; i++) {
    int64_t v = -1;
    tul_await(p[i], &v);
    CHECK(v == i);
  }
  CHECK(caught_count == N);
  tul_json *e = test_try(await_arg, b); /* main program: re-thrown into its try */
  CHECK(e && strcmp(test_text(e), "boom") == 0);
  CHECK(tul_promise_state(b) == TUL_PROMISE_REJECTED);
  CHECK(strcmp(tul_promise_describe(b), "<promise rejected>") == 0);
  int64_t v = 0;
  tul_await(w, &v);
  CHECK(v == 1);
  /* the main program's own handler stack still works after all that */
  e = test_try(throw_after, &(targs){99, 0});
  CHECK(e && strcmp(test_text(e), "err99") == 0);
  tul__loop_drain();
  puts("ok");
  return 0;
}
