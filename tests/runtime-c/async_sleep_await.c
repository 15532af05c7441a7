/* async_sleep_await.c: tul_sleep_await (what `await sleep_async(ms)` compiles to) keeps the timer
 * order of sleep_async promises, (deadline, creation), whichever form each sleeper uses; it
 * allocates nothing inside a task; on the main program it sleeps like await sleep_async does. */
#include "async_support/async_test.h"

static char order[64];
static int norder;

typedef struct { char name; int64_t ms; int embedded; } sleeper;

static void sleeps(void *args, void *result) {
  sleeper *s = args;
  if (s->embedded) tul_sleep_await(s->ms);
  else tul_await(tul_sleep_async(s->ms), NULL);
  order[norder++] = s->name;
}

static void yields(void *args, void *result) {
  for (int i = 0; i < 1000; i++) tul_sleep_await(0);
  *(int64_t *)result = 1000;
}

static void spawn(char name, int64_t ms, int embedded) {
  void *args;
  tul_task_spawn(sleeps, sizeof(sleeper), NULL, &args);
  *(sleeper *)args = (sleeper){name, ms, embedded};
}

int main(void) {
  test_init();
  /* creation order a..h; deadlines 20, 0, 10, 0, 20, 10, 0, 0 ms, alternating forms */
  spawn('a', 20, 1); spawn('b', 0, 0); spawn('c', 10, 1); spawn('d', 0, 1);
  spawn('e', 20, 0); spawn('f', 10, 0); spawn('g', -5, 1); spawn('h', 0, 0);
  tul__loop_drain();
  order[norder] = 0;
  printf("wake order %s\n", order);
  CHECK(strcmp(order, "bdghcfae") == 0);

  double t0 = test_now_ms();
  tul_sleep_await(15); /* main program */
  double slept = test_now_ms() - t0;
  printf("main slept %.1f ms\n", slept);
  CHECK(slept >= 15 && slept < 200);

  tul_promise *ps[100];
  for (int i = 0; i < 100; i++) ps[i] = tul_task_spawn(yields, 0, &tul_type_int, NULL);
  tul_await(tul_sleep_async(0), NULL); /* every task has run once and holds its stack */
  size_t before = GC_get_total_bytes();
  int64_t sum = 0;
  for (int i = 0; i < 100; i++) {
    int64_t v = 0;
    tul_await(ps[i], &v);
    sum += v;
  }
  size_t allocated = GC_get_total_bytes() - before;
  printf("100 tasks x 1000 yields: %zu bytes allocated\n", allocated);
  CHECK(sum == 100 * 1000);
  /* no timer objects (100,000 sleep_async(0) would be ~10 MB); a task beyond the slots gets one
   * eviction buffer, reused at every later eviction */
  CHECK(allocated < 100 * 1024);
  puts("ok");
  return 0;
}
