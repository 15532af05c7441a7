/* map_table.c: the runtime's hash table (runtime-c/src/core/map.c) alone, without a compiler in
 * front: N string keys "key0".. inserted, then looked up (and N int keys), wall ms per phase. Built by
 * CMake as build/bench/map_table; bench/library/run.mjs runs it next to go/maptable.go and map.js. */
#include <gc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "rt_int.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  GC_INIT();
  tul__set_args(argc, argv);
  tul__stack_limit_init_main();
  int64_t n = argc > 1 ? atoll(argv[1]) : 1000000;
  tul_str **keys = GC_MALLOC((size_t)n * sizeof *keys);
  char buf[32];
  for (int64_t i = 0; i < n; i++) {
    snprintf(buf, sizeof buf, "key%lld", (long long)i);
    keys[i] = tul__str_c(buf);
  }
  tul_map *m = tul_map_new(TUL_K_STR, &tul_type_int);
  double t0 = now_ms();
  for (int64_t i = 0; i < n; i++) *(int64_t *)tul_map_put_str(m, keys[i]) = i;
  double t1 = now_ms();
  int64_t sum = 0;
  for (int64_t i = 0; i < n; i++) sum += *(int64_t *)tul_map_at_str(m, keys[i]);
  double t2 = now_ms();
  printf("str insert_ms %.1f lookup_ms %.1f sum %lld\n", t1 - t0, t2 - t1, (long long)sum);
  tul_map *mi = tul_map_new(TUL_K_INT, &tul_type_int);
  t0 = now_ms();
  for (int64_t i = 0; i < n; i++) *(int64_t *)tul_map_put_int(mi, i * 7919) = i;
  t1 = now_ms();
  sum = 0;
  for (int64_t i = 0; i < n; i++) sum += *(int64_t *)tul_map_at_int(mi, i * 7919);
  t2 = now_ms();
  printf("int insert_ms %.1f lookup_ms %.1f sum %lld\n", t1 - t0, t2 - t1, (long long)sum);
  return 0;
}
