/* async_stack_overflow.c: unbounded recursion inside a task throws StackOverflowError, which that
 * task's own try catches; a task that does not catch it rejects its promise; sibling tasks and the
 * main program carry on, and the task's stack is reused afterwards. */
#include "async_support/async_test.h"

static int64_t depth;
static volatile int64_t max_depth = INT64_MAX; /* never reached: the stack check fires first */

static __attribute__((noinline)) int64_t recurse(int64_t n) {
  TEST_STACK_CHECK();
  volatile char pad[128];
  pad[0] = (char)n;
  depth = n;
  return n < max_depth ? recurse(n + 1) + pad[0] : 0;
}

static void recurse_arg(void *unused) { recurse(0); }

static void catcher(void *args, void *result) {
  tul_await(tul_sleep_async(1), NULL);
  tul_json *e = test_try(recurse_arg, NULL);
  CHECK(e && strcmp(test_text(e), "StackOverflowError") == 0);
  tul_await(tul_sleep_async(1), NULL); /* the task goes on after catching */
  *(int64_t *)result = depth;
}

static void uncaught(void *args, void *result) { recurse(0); }

static void sibling(void *args, void *result) {
  for (int i = 0; i < 5; i++) tul_await(tul_sleep_async(1), NULL);
  *(int64_t *)result = 42;
}

static void await_arg(void *p) { tul_await(p, NULL); }

int main(void) {
  test_init();
  void *args;
  tul_promise *s = tul_task_spawn(sibling, 0, &tul_type_int, &args);
  tul_promise *c = tul_task_spawn(catcher, 0, &tul_type_int, &args);
  tul_promise *u = tul_task_spawn(uncaught, 0, &tul_type_int, &args);
  int64_t d = 0, v = 0;
  tul_await(c, &d);
  printf("caught StackOverflowError at depth %lld\n", (long long)d);
  CHECK(d > 100);
  tul_json *e = test_try(await_arg, u);
  CHECK(e && strcmp(test_text(e), "StackOverflowError") == 0);
  tul_await(s, &v);
  CHECK(v == 42);
  c = tul_task_spawn(catcher, 0, &tul_type_int, &args); /* a reused stack works as well */
  tul_await(c, &d);
  CHECK(d > 100);
  tul__loop_drain();
  puts("ok");
  return 0;
}
