/* async_test.h: shared helpers of the async runtime tests (tests/runtime-c/async_*.c): startup as
 * the runtime's main does it, checks that report the failing line, timing and string helpers. */
#ifndef ASYNC_TEST_H
#define ASYNC_TEST_H
#undef _FORTIFY_SOURCE
#include <gc.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tulrt.h"
#include "tulrt_async.h"
#include "async_int.h"

#define CHECK(cond)                                                              \
  do {                                                                           \
    if (!(cond)) {                                                               \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
      exit(1);                                                                   \
    }                                                                            \
  } while (0)

static inline void test_init(void) {
  GC_INIT();
  tul__async_init();
}

static inline double test_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Switches to deterministic mode's virtual clock (seed 0: FIFO), as TULPAR_DETERMINISTIC=0 would
 * at start-up: durations then come out exact whatever the machine's load. Only with no timer
 * pending (after tul__loop_drain). */
static inline void test_virtual_clock(void) {
  if (tul__timers_pending()) {
    fprintf(stderr, "test_virtual_clock: timers are pending\n");
    exit(1);
  }
  tul__det = 1;
  tul__virtual_ns = 0;
}

/* The text of a thrown value (strings as-is). */
static inline const char *test_text(const tul_json *j) { return tul_json_to_str(j)->data; }

/* Boxes a C string as a json string value for throwing. */
static inline tul_json *test_jstr(const char *s) {
  size_t n = strlen(s);
  tul_str *r = GC_MALLOC_ATOMIC(sizeof(tul_str) + n + 1);
  r->len = (int64_t)n;
  r->cplen = (int64_t)n;
  memcpy(r->data, s, n + 1);
  return tul_json_box(&r, &tul_type_str);
}

/* try { body } catch: runs fn(arg); returns the caught value or NULL. */
static inline tul_json *test_try(void (*fn)(void *), void *arg) {
  _Alignas(16) char h[TUL_HANDLER_SIZE];
  tul_try_push(h);
  if (_setjmp((struct __jmp_buf_tag *)h) == 0) {
    fn(arg);
    tul_try_pop(h);
    return NULL;
  }
  return tul_caught();
}

/* scope { body(arg) } as tulc lowers it (tulrt_async.h). */
static inline void test_scope(void (*body)(void *), void *arg) {
  void *s = tul_scope_enter();
  _Alignas(16) char h[TUL_HANDLER_SIZE];
  tul_try_push(h);
  if (_setjmp((struct __jmp_buf_tag *)h) == 0) {
    body(arg);
    tul_try_pop(h);
    tul_scope_exit(s);
    return;
  }
  tul_scope_fail(s);
  tul_scope_exit(s);
  tul_rethrow();
}

/* A task body that fails after 1 ms with "stop" (cancels the scope it is in). */
static inline void test_fail_soon(void *args, void *result) {
  tul_sleep_await(1);
  tul_throw(test_jstr("stop"));
}

/* The prologue check generated functions perform. */
#define TEST_STACK_CHECK()                                                       \
  do {                                                                           \
    char probe_;                                                                 \
    if ((uintptr_t)&probe_ < tul_stack_limit) tul_stack_overflow();             \
  } while (0)

static inline int64_t test_peak_rss_kib(void);
#include <sys/resource.h>
#include <unistd.h>
static inline int64_t test_peak_rss_kib(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
#ifdef __APPLE__
  return ru.ru_maxrss / 1024; /* bytes there, KiB on Linux */
#else
  return ru.ru_maxrss;
#endif
}

/* Resident memory now, in KiB (0 where it cannot be read). */
#ifdef __APPLE__
#include <mach/mach.h>
static inline int64_t test_rss_kib(void) {
  mach_task_basic_info_data_t info;
  mach_msg_type_number_t count = MACH_TASK_BASIC_INFO_COUNT;
  if (task_info(mach_task_self(), MACH_TASK_BASIC_INFO, (task_info_t)&info, &count) != KERN_SUCCESS)
    return 0;
  return (int64_t)(info.resident_size / 1024);
}
#else
static inline int64_t test_rss_kib(void) {
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f || fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  if (f) fclose(f);
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}
#endif
#endif
