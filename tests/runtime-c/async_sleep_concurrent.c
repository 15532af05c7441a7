/* async_sleep_concurrent.c: two tasks that each sleep_async(20) run concurrently: the second one
 * starts sleeping before the first one's sleep ends, and on the virtual clock both end at exactly
 * 20 ms (not 40); a sleep never settles before its deadline. Nothing here depends on the machine's
 * load: real-clock checks are lower bounds and orderings only. */
#include "async_support/async_test.h"

static int64_t started[2], ended[2];
static int nstarted, nended;

static void sleeper(void *args, void *result) {
  (void)args;
  int64_t t0 = tul__now_ns();
  started[nstarted++] = t0;
  tul_await(tul_sleep_async(20), NULL);
  ended[nended++] = tul__now_ns();
  *(double *)result = (double)(tul__now_ns() - t0) / 1e6;
}

/* Two sleepers at once; returns the ms until both have settled. */
static double two_sleepers(double *da, double *db) {
  nstarted = nended = 0;
  int64_t t0 = tul__now_ns();
  void *args;
  tul_promise *a = tul_task_spawn(sleeper, 0, &tul_type_float, &args);
  tul_promise *b = tul_task_spawn(sleeper, 0, &tul_type_float, &args);
  tul_await(a, da);
  tul_await(b, db);
  return (double)(tul__now_ns() - t0) / 1e6;
}

int main(void) {
  test_init();
  double da = 0, db = 0;
  double total = two_sleepers(&da, &db);
  printf("two 20 ms sleeps: %.2f ms total (task a %.2f, b %.2f)\n", total, da, db);
  CHECK(da >= 20.0 && db >= 20.0);
  CHECK(total >= 20.0);
  /* concurrent, not one after the other: b was asleep before a woke up */
  CHECK(nstarted == 2 && nended == 2 && started[1] < ended[0]);
  /* sleep_async on the main program drives the loop too */
  double t0 = test_now_ms();
  tul_await(tul_sleep_async(5), NULL);
  CHECK(test_now_ms() - t0 >= 5.0);
  tul__loop_drain();

  /* On the virtual clock the durations are exact: 20 ms each, 20 ms in all. */
  test_virtual_clock();
  total = two_sleepers(&da, &db);
  printf("virtual: %.2f ms total (task a %.2f, b %.2f)\n", total, da, db);
  CHECK(da == 20.0 && db == 20.0 && total == 20.0);
  CHECK(started[0] == 0 && started[1] == 0 && ended[0] == 20000000 && ended[1] == 20000000);
  tul__loop_drain();
  puts("ok");
  return 0;
}
