/* async_sleep_concurrent.c: two tasks that each sleep_async(20) run concurrently (about 20 ms in
 * total, not 40), and a sleep never settles before its deadline. */
#include "async_support/async_test.h"

static void sleeper(void *args, void *result) {
  double t0 = test_now_ms();
  tul_await(tul_sleep_async(20), NULL);
  *(double *)result = test_now_ms() - t0;
}

int main(void) {
  test_init();
  double t0 = test_now_ms();
  void *args;
  tul_promise *a = tul_task_spawn(sleeper, 0, &tul_type_float, &args);
  tul_promise *b = tul_task_spawn(sleeper, 0, &tul_type_float, &args);
  double da = 0, db = 0;
  tul_await(a, &da);
  tul_await(b, &db);
  double total = test_now_ms() - t0;
  printf("two 20 ms sleeps: %.2f ms total (task a %.2f, b %.2f)\n", total, da, db);
  CHECK(da >= 20.0 && db >= 20.0);
  /* run one after the other, the total would be at least da + db; a bound relative to the tasks'
   * own times holds on a loaded machine too (where both may take 40 ms instead of 20) */
  CHECK(total >= 20.0 && total < 0.75 * (da + db));
  /* sleep_async on the main program drives the loop too */
  t0 = test_now_ms();
  tul_await(tul_sleep_async(5), NULL);
  CHECK(test_now_ms() - t0 >= 5.0);
  tul__loop_drain();
  puts("ok");
  return 0;
}
