/* async_many_sleepers.c: 100,000 tasks that each await sleep_async(10), all awaited, complete;
 * prints wall time and peak RSS per task (targets: no slower than Go, <= 6 KiB per task).
 * TASKS in the environment changes the count (e.g. 1000000 for the million-task run). */
#include "async_support/async_test.h"

static int64_t done;

static void sleeper(void *args, void *result) {
  tul_await(tul_sleep_async(10), NULL);
  done++;
  *(int64_t *)result = *(int64_t *)args;
}

int main(void) {
  int64_t n = getenv("TASKS") ? atoll(getenv("TASKS")) : 100000;
  int64_t rss0 = test_peak_rss_kib();
  test_init();
  double t0 = test_now_ms();
  tul_promise **ps = GC_MALLOC_IGNORE_OFF_PAGE((size_t)n * sizeof *ps);
  for (int64_t i = 0; i < n; i++) {
    void *args;
    ps[i] = tul_task_spawn(sleeper, sizeof(int64_t), &tul_type_int, &args);
    *(int64_t *)args = i;
  }
  int64_t sum = 0;
  for (int64_t i = 0; i < n; i++) {
    int64_t v = 0;
    tul_await(ps[i], &v);
    sum += v;
  }
  double ms = test_now_ms() - t0;
  int64_t rss = test_peak_rss_kib();
  printf("%lld tasks x sleep_async(10): %.1f ms, peak RSS %lld KiB (%.2f KiB per task), "
         "%lld stacks, %lu collections\n",
         (long long)n, ms, (long long)rss, (double)(rss - rss0) / (double)n,
         (long long)tul__stacks_mapped, (unsigned long)GC_get_gc_no());
  CHECK(done == n);
  CHECK(sum == n * (n - 1) / 2);
  tul__loop_drain();
  puts("ok");
  return 0;
}
