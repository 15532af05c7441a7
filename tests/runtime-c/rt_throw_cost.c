/* rt_throw_cost.c: a throw walks the stack only up to the handler it goes to (capture.c), so 2,000
 * caught throws 10,000 frames down walk as few frames as at the top; a throw to a base handler
 * still walks all of them. Frames are counted (tul__trace_walked), not timed. */
#include "rt_support/rt_test.h"

/* Throws n values at this depth, each caught right here; returns the frames the captures walked. */
static int64_t caught_here(int n) {
  int64_t before = tul__trace_walked;
  for (int i = 0; i < n; i++) CHECK_THROWS(tul_throw_msg("ValueError: x"), "ValueError: x");
  return tul__trace_walked - before;
}

static __attribute__((noinline)) int64_t at_depth(int depth, int n) {
  if (depth == 0) return caught_here(n);
  volatile int64_t r = at_depth(depth - 1, n); /* not a tail call: the frames stay */
  return r;
}

/* A throw caught by a handler far up the stack walks at most a few dozen frames... */
static __attribute__((noinline)) void deep_throw(int depth) {
  if (depth == 0) tul_throw_msg("ValueError: deep");
  deep_throw(depth - 1);
  __asm__ volatile("");
}

static void checks(void) {
  int64_t top = at_depth(0, 2000), deep = at_depth(10000, 2000);
  printf("frames walked by 2,000 caught throws: %lld at depth 0, %lld at depth 10,000\n", (long long)top, (long long)deep);
  CHECK(top <= 2000 * 8);
  CHECK(deep <= top + 2000); /* the same few frames per throw, whatever lies above the handler */
  int64_t before = tul__trace_walked;
  CHECK_THROWS(deep_throw(5000), "ValueError: deep");
  int64_t far = tul__trace_walked - before;
  printf("a throw caught 5,000 frames up walked %lld frames\n", (long long)far);
  CHECK(far <= 64);
}

int main(int argc, char **argv) {
  rt_init(argc, argv);
  /* the program's base handler, as main.c pushes it: a throw that reaches it walks every frame */
  _Alignas(16) char base[TUL_HANDLER_SIZE];
  tul_try_push(base);
  static int64_t before;
  if (_setjmp(*(jmp_buf *)base) == 0) {
    checks();
    before = tul__trace_walked;
    deep_throw(3000);
  } else {
    tul_caught();
    int64_t n = 0;
    void *const *frames;
    n = tul__exc_caught_frames(&frames);
    printf("uncaught from 3,000 frames down: %lld frames walked, %lld entries kept\n", (long long)(tul__trace_walked - before), (long long)n);
    CHECK(n >= 48 + 2 + 16 && frames[48] == NULL && (uintptr_t)frames[49] > 2900); /* head, gap, tail */
  }
  return rt_done();
}
