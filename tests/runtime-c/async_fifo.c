/* async_fifo.c: spawned tasks run in spawn order, only once the main program awaits, and each
 * task's result comes back through its promise. */
#include "async_support/async_test.h"

static char order[16];
static int norder;

static void entry(void *args, void *result) {
  int64_t id = *(int64_t *)args;
  order[norder++] = (char)('0' + id);
  *(int64_t *)result = id * 10;
}

int main(void) {
  test_init();
  tul_promise *p[5];
  for (int64_t i = 0; i < 5; i++) {
    void *args;
    p[i] = tul_task_spawn(entry, sizeof(int64_t), &tul_type_int, &args);
    *(int64_t *)args = i;
  }
  CHECK(norder == 0); /* queued, not run */
  CHECK(tul_promise_state(p[0]) == TUL_PROMISE_PENDING);
  CHECK(strcmp(tul_promise_describe(p[0]), "<promise pending>") == 0);
  int64_t r = 0;
  tul_await(p[2], &r);
  CHECK(r == 20);
  CHECK(strncmp(order, "012", 3) == 0);
  tul__loop_drain();
  CHECK(strcmp(order, "01234") == 0);
  for (int i = 0; i < 5; i++) CHECK(tul_promise_state(p[i]) == TUL_PROMISE_FULFILLED);
  CHECK(strcmp(tul_promise_describe(p[4]), "<promise fulfilled>") == 0);
  tul_await(p[4], &r); /* awaiting a settled promise again gives its value */
  CHECK(r == 40);
  puts("ok");
  return 0;
}
