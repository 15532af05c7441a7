/* rt_exc.c: exceptions: nested try, rethrow to the enclosing handler, popping handlers when leaving
 * a try early, run-time error texts, stack overflow on the main stack (caught, twice), the trace
 * captured at throw time, and an uncaught exception's message and exit status. */
#include <math.h>
#include "rt_support/rt_test.h"
#include "rt_support/child.h"

static volatile int steps;

/* try { try { throw "first" } finally { try { throw "inner" } catch {} } } catch (e): the finally
 * (on the exceptional path, no tul_caught) catches an exception of its own, then re-throws the
 * original one to the outer handler, as codegen emits it. */
static void nested(void) {
  _Alignas(16) char outer[TUL_HANDLER_SIZE], inner[TUL_HANDLER_SIZE], fin[TUL_HANDLER_SIZE];
  tul_try_push(outer);
  if (_setjmp(*(jmp_buf *)outer) == 0) {
    tul_try_push(inner);
    if (_setjmp(*(jmp_buf *)inner) == 0) {
      steps = 1;
      tul_throw_msg("first");
    } else {
      steps = 2;
      tul_try_push(fin);
      if (_setjmp(*(jmp_buf *)fin) == 0) {
        tul_throw_msg("inner");
      } else {
        CHECK_STR(tul_json_to_str(tul_caught()), "inner");
      }
      tul_rethrow();
    }
  } else {
    CHECK(steps == 2);
    CHECK_STR(tul_json_to_str(tul_caught()), "first");
    void *const *frames;
    CHECK(tul__exc_caught_frames(&frames) > 0);
    steps = 3;
  }
  CHECK(steps == 3);
}

/* Leaving two nested tries by `return` pops both: popping the outer one is enough. */
static int early_return(void) {
  _Alignas(16) char outer[TUL_HANDLER_SIZE], inner[TUL_HANDLER_SIZE];
  tul_try_push(outer);
  if (_setjmp(*(jmp_buf *)outer) == 0) {
    tul_try_push(inner);
    if (_setjmp(*(jmp_buf *)inner) == 0) {
      tul_try_pop(outer);
      return 1;
    }
    return 2;
  }
  return 3;
}

static void after_early_return(void) {
  CHECK(early_return() == 1);
  int64_t v = 404;
  CHECK_THROWS(tul_throw(tul_json_box(&v, &tul_type_int)), "404");
}

static void errors(void) {
  CHECK_THROWS(tul_throw_index(5, 3), "IndexError: index 5 out of range for length 3");
  CHECK_THROWS(tul_throw_zero_div(), "ZeroDivisionError: division by zero");
  CHECK_THROWS(tul_throw_zero_mod(), "ZeroDivisionError: modulo by zero");
  CHECK_THROWS(tul_throw_msg("TypeError: null reference"), "TypeError: null reference");
  CHECK_THROWS(tul_pow_int(2, -1), "ValueError: negative exponent");
  CHECK(tul_pow_int(2, 10) == 1024 && tul_pow_int(3, 0) == 1 && tul_pow_int(-2, 3) == -8);
  CHECK(tul_pow_int(2, 64) == 0); /* wraps */
  CHECK_THROWS(tul_float_to_int(INFINITY), "ValueError: cannot convert inf to int");
  CHECK_THROWS(tul_float_to_int(-INFINITY), "ValueError: cannot convert -inf to int");
  CHECK_THROWS(tul_float_to_int(NAN), "ValueError: cannot convert nan to int");
  CHECK_THROWS(tul_float_to_int(1e19), "ValueError: cannot convert 1e+19 to int");
  CHECK(tul_float_to_int(3.99) == 3 && tul_float_to_int(-3.99) == -3);
  CHECK(tul_float_to_int(-9223372036854775808.0) == INT64_MIN);
  CHECK(tul_float_round(2.5) == 3 && tul_float_round(-2.5) == -3 && tul_float_round(2.4) == 2);
  CHECK_THROWS(tul_float_round(NAN), "ValueError: cannot convert nan to int");
  CHECK_THROWS(tul_randint(3, 1), "ValueError: empty range for randint(3, 1)");
  int ok = 1;
  for (int i = 0; i < 10000; i++) {
    int64_t k = tul_randint(1, 6);
    double r = tul_random();
    ok &= k >= 1 && k <= 6 && r >= 0.0 && r < 1.0;
  }
  CHECK(ok && tul_randint(4, 4) == 4);
  (void)tul_randint(INT64_MIN, INT64_MAX);
}

static int64_t depth;
static volatile int64_t never = INT64_MAX;

static __attribute__((noinline)) int64_t recurse(int64_t n) {
  if ((uintptr_t)__builtin_frame_address(0) < tul_stack_limit) tul_stack_overflow();
  volatile char pad[64];
  pad[0] = (char)n;
  depth = n;
  return n < never ? recurse(n + 1) + pad[0] : 0;
}

static void overflow(void) {
  CHECK(tul_stack_limit != 0);
  for (int round = 0; round < 2; round++) {
    depth = 0;
    CHECK_THROWS(recurse(0), "StackOverflowError");
    CHECK(depth > 10000);
    void *const *frames;
    int64_t n = tul__exc_caught_frames(&frames);
    CHECK(n > 20 && n <= 66);
  }
}

static void frames_captured(void) {
  CHECK_THROWS(tul_throw_msg("x"), "x");
  void *const *frames;
  int64_t n = tul__exc_caught_frames(&frames);
  CHECK(n >= 2 && frames[0] != NULL);
}

static void uncaught_int(void) {
  int64_t v = 404;
  printf("before\n");
  tul_throw(tul_json_box(&v, &tul_type_int));
}

static void uncaught_overflow(void) { recurse(0); }

static void uncaught(void) {
  static child_result r;
  run_child(uncaught_int, &r);
  CHECK(r.status == 1);
  CHECK(strcmp(r.out, "before\n") == 0);
  CHECK(strncmp(r.err, "Uncaught Exception: 404\n", 24) == 0);
  run_child(uncaught_overflow, &r);
  CHECK(r.status == 1);
  CHECK(strncmp(r.err, "Uncaught Exception: StackOverflowError\n", 39) == 0);
}

int main(int argc, char **argv) {
  rt_init(argc, argv);
  nested();
  after_early_return();
  errors();
  overflow();
  frames_captured();
  uncaught();
  return rt_done();
}
