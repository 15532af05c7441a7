/* map_table.c: the runtime's hash table (runtime-c/src/core/map.c) alone, without a compiler in
 * front: N string and N int keys inserted, then looked up, then deleted, in CPU ns per operation.
 * Built by CMake as build/bench/map_table; bench/library/run.mjs runs it next to go/maptable.go. */
#include <gc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "rt_int.h"

/* CPU time of this process: steadier than wall time on a shared machine. */
static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
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
  for (int64_t i = 0; i < n; i++) tul_map_delete_str(m, keys[i]);
  double t3 = now_ms();
  printf("str keys: insert %.1f ns, lookup %.1f ns, delete %.1f ns (sum %lld)\n", (t1 - t0) * 1e6 / n,
         (t2 - t1) * 1e6 / n, (t3 - t2) * 1e6 / n, (long long)sum);
  tul_map *mi = tul_map_new(TUL_K_INT, &tul_type_int);
  t0 = now_ms();
  for (int64_t i = 0; i < n; i++) *(int64_t *)tul_map_put_int(mi, i * 7919) = i;
  t1 = now_ms();
  sum = 0;
  for (int64_t i = 0; i < n; i++) sum += *(int64_t *)tul_map_at_int(mi, i * 7919);
  t2 = now_ms();
  for (int64_t i = 0; i < n; i++) tul_map_delete_int(mi, i * 7919);
  t3 = now_ms();
  printf("int keys: insert %.1f ns, lookup %.1f ns, delete %.1f ns (sum %lld)\n", (t1 - t0) * 1e6 / n,
         (t2 - t1) * 1e6 / n, (t3 - t2) * 1e6 / n, (long long)sum);
  return 0;
}
