/* switch_bench.c: C-level micro benchmark of the context switch. Ping-pongs between the main
 * program and one task through tul__ctx_switch and prints ns per switch; built twice by run.sh
 * (default asm switch on x86_64, -DTUL_SWITCH_SETJMP and -DTUL_SWITCH_UCONTEXT). Also times one yield of a task
 * through the scheduler (await sleep_async(0)) with 1,000 tasks x 1,000 yields. */
#include <gc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "tulrt.h"
#include "tulrt_async.h"
#include "async_int.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pingpong(void *args, void *result) {
  int64_t n = *(int64_t *)args;
  for (int64_t i = 0; i < n; i++) tul__task_suspend(); /* task -> main */
}

static void yielder(void *args, void *result) {
  for (int i = 0; i < 1000; i++) tul_await(tul_sleep_async(0), NULL);
}

int main(int argc, char **argv) {
  GC_INIT();
  tul__async_init();
  int64_t n = argc > 1 ? atoll(argv[1]) : 2000000;
  void *args;
  tul_promise *p = tul_task_spawn(pingpong, sizeof(int64_t), NULL, &args);
  *(int64_t *)args = n;
  tul__task *t = (tul__task *)p;
  /* resume directly (bypassing the run queue) to time the bare switch pair */
  double t0 = now_s();
  for (int64_t i = 0; i <= n; i++) tul__task_resume(t); /* main -> task -> main: 2 switches */
  double dt = now_s() - t0;
#if defined(TUL_SWITCH_UCONTEXT)
  const char *impl = "swapcontext";
#elif defined(TUL_SWITCH_ASM)
  const char *impl = "asm push/pop";
#else
  const char *impl = "_setjmp/_longjmp";
#endif
  printf("%-17s %6.1f ns per switch (%lld round trips, including resume bookkeeping)\n", impl,
         dt * 1e9 / (2.0 * (double)(n + 1)), (long long)n);
  tul__loop_drain();

  t0 = now_s();
  for (int i = 0; i < 1000; i++) tul_task_spawn(yielder, 0, NULL, &args);
  tul__loop_drain();
  dt = now_s() - t0;
  printf("%-17s %6.1f ms for 1,000 tasks x 1,000 yields (await sleep_async(0)), %.0f ns per yield\n",
         impl, dt * 1e3, dt * 1e9 / 1e6);
  return 0;
}
