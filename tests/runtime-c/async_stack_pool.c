/* async_stack_pool.c: stacks return to a LIFO pool when their task ends, so 10,000 tasks run one
 * after another use a handful of stacks, and a reused stack is the one released last; a burst of
 * 5,000 concurrent tasks uses exactly the slots there may be (the others wait evicted), twice over. */
#include "async_support/async_test.h"

static void *seen_stack;

static void body(void *args, void *result) {
  seen_stack = tul__current->stack;
  *(int64_t *)result = *(int64_t *)args + 1;
}

static void yielding(void *args, void *result) {
  tul_await(tul_sleep_async(0), NULL);
}

int main(void) {
  test_init();
  void *first = NULL;
  for (int64_t i = 0; i < 10000; i++) {
    void *args;
    tul_promise *p = tul_task_spawn(body, sizeof(int64_t), &tul_type_int, &args);
    *(int64_t *)args = i;
    int64_t r = 0;
    tul_await(p, &r);
    CHECK(r == i + 1);
    if (i == 0) first = seen_stack;
    CHECK(seen_stack == first); /* LIFO: always the hot one */
  }
  printf("10000 sequential tasks: %lld stacks mapped\n", (long long)tul__stack_pool_high_water);
  CHECK(tul__stack_pool_high_water <= 2);
  /* 100 concurrent tasks use 64 slots; afterwards they are all back in the pool */
  for (int i = 0; i < 100; i++) {
    void *args;
    tul_task_spawn(yielding, 0, NULL, &args);
  }
  tul__loop_drain();
  CHECK(tul__stacks_in_use == NULL);
  CHECK(tul__stacks_free == tul__stacks_mapped);
  CHECK(tul__stack_pool_high_water <= 101 && tul__stack_pool_high_water <= tul__slot_limit);
  int64_t before = tul__stacks_mapped;
  for (int i = 0; i < 100; i++) {
    void *args;
    tul_task_spawn(yielding, 0, NULL, &args);
  }
  tul__loop_drain();
  CHECK(tul__stacks_mapped == before); /* reused, none mapped */

  /* 5,000 concurrent tasks share the slots: the rest wait evicted, costing their live bytes */
  for (int round = 0; round < 2; round++) {
    int64_t evictions = tul__stack_evictions, rss = test_rss_kib();
    for (int i = 0; i < 5000; i++) {
      void *args;
      tul_task_spawn(yielding, 0, NULL, &args);
    }
    tul__loop_drain();
    int64_t grew = test_rss_kib() - rss;
    printf("a burst of 5000: %lld slots, %lld evictions, %lld slabs, resident +%lld KiB\n",
           (long long)tul__stacks_mapped, (long long)(tul__stack_evictions - evictions),
           (long long)tul__stack_slabs, (long long)grew);
    int64_t slots = tul__slot_limit;
    CHECK(tul__stacks_mapped == slots && tul__stack_pool_high_water == slots);
    CHECK(tul__stacks_free == slots && tul__stacks_in_use == NULL);
    CHECK(tul__stack_evictions - evictions >= 5000 - slots);
    CHECK(tul__stack_slabs == (slots + 63) / 64);
#ifndef TUL_ASAN /* shadow memory and redzones inflate resident memory there */
    CHECK(grew < 5000 * 2); /* well under a page per task */
#endif
  }
  puts("ok");
  return 0;
}
