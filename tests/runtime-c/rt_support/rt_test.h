/* rt_test.h: helpers of the synchronous runtime tests (tests/runtime-c/rt_*.c): startup as main.c
 * does it, checks that count failures and report the line, and a try macro for expected throws. */
#ifndef RT_TEST_H
#define RT_TEST_H
#undef _FORTIFY_SOURCE
#include <gc.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rt_int.h"

static int rt_failures;

#define CHECK(cond)                                                                  \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);       \
      rt_failures++;                                                                 \
    }                                                                                \
  } while (0)

/* Compares a tul_str (or anything with ->data) with an expected C string. */
#define CHECK_STR(s, want)                                                           \
  do {                                                                               \
    const char *got_ = (s)->data, *want_ = (want);                                   \
    if (strcmp(got_, want_) != 0) {                                                  \
      fprintf(stderr, "%s:%d: %s: got \"%s\", want \"%s\"\n", __FILE__, __LINE__, #s, got_, want_); \
      rt_failures++;                                                                 \
    }                                                                                \
  } while (0)

/* Runs `stmt`, which must throw a value whose string form is `msg`. */
#define CHECK_THROWS(stmt, msg)                                                      \
  do {                                                                               \
    _Alignas(16) char h_[TUL_HANDLER_SIZE];                                          \
    tul_try_push(h_);                                                                \
    if (_setjmp(*(jmp_buf *)h_) == 0) {                                              \
      stmt;                                                                          \
      tul_try_pop(h_);                                                               \
      fprintf(stderr, "%s:%d: no throw from %s\n", __FILE__, __LINE__, #stmt);       \
      rt_failures++;                                                                 \
    } else {                                                                         \
      CHECK_STR(tul_json_to_str(tul_caught()), msg);                                 \
    }                                                                                \
  } while (0)

static inline void rt_init(int argc, char **argv) {
  GC_INIT();
  tul__set_args(argc, argv);
  tul__stack_limit_init_main();
  tul__async_init();
}

static inline tul_str *S(const char *s) { return tul__str_c(s); }

static inline int rt_done(void) {
  if (rt_failures) fprintf(stderr, "%d check(s) failed\n", rt_failures);
  else puts("ok");
  return rt_failures != 0;
}
#endif
