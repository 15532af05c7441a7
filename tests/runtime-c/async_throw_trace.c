/* async_throw_trace.c: a throw inside a task captures a finite trace of its stack, also when the
 * task's entry saves no return address (what LLVM emits on aarch64 for an entry whose only call
 * never returns: the unwinder then finds that frame again and again). Before this was
 * handled, such programs hung under qemu-aarch64 in the trace capture at throw time. */
#include <unistd.h>
#include "async_support/async_test.h"

__attribute__((noreturn, noinline, used)) void trace_test_throw(void *args) {
  tul_await(tul_sleep_async(1), NULL); /* throw after the task was suspended and resumed */
  tul_throw(test_jstr("thrown"));
}

/* The task entry: a bare call of the throwing function, no frame of its own (on x86_64 only the
 * stack alignment), followed directly by another function (so the return address it leaves lies
 * outside it, as in generated code). */
void frameless_entry(void *args, void *result);
#if defined(__aarch64__) && defined(__ELF__)
__asm__(".text\n\t.p2align 2\n\t.globl frameless_entry\n\t.type frameless_entry, %function\n"
        "frameless_entry:\n\t.cfi_startproc\n\tbl trace_test_throw\n\t.cfi_endproc\n\t"
        ".size frameless_entry, .-frameless_entry\n"
        "frameless_next:\n\t.cfi_startproc\n\tret\n\t.cfi_endproc\n");
#elif defined(__x86_64__) && defined(__ELF__)
__asm__(".text\n\t.globl frameless_entry\n\t.type frameless_entry, @function\n"
        "frameless_entry:\n\t.cfi_startproc\n\tsub $8, %rsp\n\t.cfi_adjust_cfa_offset 8\n\tcall trace_test_throw\n\t.cfi_endproc\n\t"
        ".size frameless_entry, .-frameless_entry\n"
        "frameless_next:\n\t.cfi_startproc\n\tret\n\t.cfi_endproc\n");
#else
void frameless_entry(void *args, void *result) { trace_test_throw(args); }
#endif

/* A task that throws from some calls deep: its trace holds at least those frames. */
static int64_t nest(int64_t depth);
static int64_t (*volatile nest_ptr)(int64_t) = nest; /* keeps the recursion a real one */

static __attribute__((noinline)) int64_t nest(int64_t depth) {
  if (depth == 0) {
    tul_await(tul_sleep_async(1), NULL);
    tul_throw(test_jstr("deep"));
  }
  return nest_ptr(depth - 1) + 1;
}

static void deep_entry(void *args, void *result) { *(int64_t *)result = nest(*(int64_t *)args); }

static void await_arg(void *p) { tul_await(p, NULL); }

/* Awaits p, which must reject with `want`; returns the number of frames captured at the throw. */
static int64_t rejected_frames(tul_promise *p, const char *want) {
  tul_json *e = test_try(await_arg, p);
  CHECK(e && strcmp(test_text(e), want) == 0);
  CHECK(tul_promise_state(p) == TUL_PROMISE_REJECTED);
  const tul_async_origin *o = tul__async_origin_for(e);
  CHECK(o && o->frames);
  return o->nframes;
}

int main(void) {
  alarm(50); /* a looping unwinder fails the test instead of stalling ctest */
  test_init();
  void *args;
  tul_promise *a = tul_task_spawn(frameless_entry, 0, NULL, &args);
  int64_t n = rejected_frames(a, "thrown");
  CHECK(n >= 1 && n <= 48 + 16 + 2); /* the capture keeps at most HEAD + TAIL + a gap marker */
  enum { DEPTH = 20 };
  tul_promise *b = tul_task_spawn(deep_entry, sizeof(int64_t), &tul_type_int, &args);
  *(int64_t *)args = DEPTH;
  n = rejected_frames(b, "deep");
  CHECK(n >= DEPTH + 1 && n <= 48 + 16 + 2);
  tul__loop_drain();
  puts("ok");
  return 0;
}
