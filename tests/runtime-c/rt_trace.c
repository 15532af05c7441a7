/* rt_trace.c: the trace of an uncaught exception: functions whose DWARF file ends in `.tul` (set
 * here with #line), innermost first, inlined calls expanded with their call lines, other frames
 * hidden, deep recursion folded into `... <n> more frames`; also a throw inside a task. */
#include "rt_support/rt_test.h"
#include "rt_support/child.h"

void demo_validate(int64_t n);
void demo_process(int64_t n);
int64_t demo_forever(int64_t n);
void demo_task_body(void *args, void *result);
void demo_await(void);
void demo_spawn_only(void);

static __attribute__((noinline)) void c_frame(void) { /* a non-.tul frame between .tul frames */
  demo_process(-1);
  __asm__ volatile("");
}

#line 1 "demo.tul"
__attribute__((noinline)) void demo_validate(int64_t n) {
  if (n < 0) {
    tul_throw_msg("bad input: -1");
  }
  __asm__ volatile("");
}
static inline __attribute__((always_inline)) void demo_helper(int64_t n) {
  demo_validate(n);
}
__attribute__((noinline)) void demo_process(int64_t n) {
  demo_helper(n);
  __asm__ volatile("");
}
__attribute__((noinline)) void demo_main(void) {
  c_frame();
  __asm__ volatile("");
}
static volatile int64_t never = INT64_MAX;
__attribute__((noinline)) int64_t demo_forever(int64_t n) {
  if ((uintptr_t)__builtin_frame_address(0) < tul_stack_limit) tul_stack_overflow();
  volatile char pad[64]; pad[0] = (char)n;
  return n < never ? demo_forever(n + 1) + pad[0] : 0;
}
__attribute__((noinline)) void demo_overflow_main(void) {
  demo_forever(0);
  __asm__ volatile("");
}
void demo_task_body(void *args, void *result) {
  tul_await(tul_sleep_async(1), NULL);
  demo_validate(-1);
  __asm__ volatile("");
}
__attribute__((noinline)) void demo_await(void) {
  void *args;
  tul_promise *p = tul_task_spawn(demo_task_body, 0, NULL, &args);
  tul_await(p, NULL);
  __asm__ volatile("");
}
__attribute__((noinline)) void demo_spawn_only(void) {
  void *args;
  tul_task_spawn(demo_task_body, 0, NULL, &args);
  __asm__ volatile("");
}
#line 60 "rt_trace.c"

static void check_lines(const char *err, const char *const *want) {
  const char *p = err;
  for (int i = 0; want[i]; i++) {
    const char *q = strstr(p, want[i]);
    if (!q) {
      fprintf(stderr, "rt_trace: missing (in order) \"%s\" in:\n%s\n", want[i], err);
      rt_failures++;
      return;
    }
    p = q + strlen(want[i]);
  }
}

static void simple(void) {
  static child_result r;
  run_child(demo_main, &r);
  CHECK(r.status == 1);
  const char *want[] = {"Uncaught Exception: bad input: -1\n",
                        "    at demo_validate (", "demo.tul:3)\n",
                        "    at demo_helper (", "demo.tul:8)\n",
                        "    at demo_process (", "demo.tul:11)\n",
                        "    at demo_main (", "demo.tul:15)\n", NULL};
  check_lines(r.err, want);
  CHECK(!strstr(r.err, "c_frame") && !strstr(r.err, "rt_trace.c"));
}

static void recursion(void) {
  static child_result r;
  run_child(demo_overflow_main, &r);
  CHECK(r.status == 1);
  const char *want[] = {"Uncaught Exception: StackOverflowError\n",
                        "    at demo_forever (", "demo.tul:20)\n",
                        "    at demo_forever (", "demo.tul:22)\n",
                        "    ... ", " more frames\n",
                        "    at demo_overflow_main (", "demo.tul:25)\n", NULL};
  check_lines(r.err, want);
  int lines = 0;
  for (const char *p = r.err; *p; p++) lines += *p == '\n';
  if (lines != 5) fprintf(stderr, "rt_trace: want 5 lines in:\n%s", r.err);
  CHECK(lines == 5);
  const char *more = strstr(r.err, "    ... ");
  CHECK(more && atoll(more + 8) > 1000);
}

/* Run through a drain like main.c does, so that the rejection surfaces on the main stack. */
static void in_task_main(void) {
  _Alignas(16) char h[TUL_HANDLER_SIZE];
  tul_try_push(h);
  if (_setjmp(*(jmp_buf *)h) == 0) {
    demo_await();
    tul_try_pop(h);
    exit(0);
  }
  tul__report_uncaught(tul_caught());
  exit(1);
}

/* A rejection nobody awaits surfaces at the drain, with the task's spawn site. */
static void never_awaited_main(void) {
  _Alignas(16) char h[TUL_HANDLER_SIZE];
  tul_try_push(h);
  if (_setjmp(*(jmp_buf *)h) == 0) {
    demo_spawn_only();
    tul__loop_drain();
    tul_try_pop(h);
    exit(0);
  }
  tul__report_uncaught(tul_caught());
  exit(1);
}

static void in_task(void) {
  static child_result r;
  run_child(in_task_main, &r);
  CHECK(r.status == 1);
  const char *want[] = {"Uncaught Exception: bad input: -1\n",
                        "    at demo_validate (", "demo.tul:3)\n",
                        "    at demo_task_body (", "demo.tul:30)\n",
                        "    at demo_await (", "demo.tul:36)\n", NULL};
  check_lines(r.err, want);
  run_child(never_awaited_main, &r);
  CHECK(r.status == 1);
  const char *want2[] = {"Uncaught Exception: bad input: -1\n",
                         "    at demo_validate (", "demo.tul:3)\n",
                         "    at demo_task_body (", "demo.tul:30)\n",
                         "    created by demo_spawn_only (", "demo.tul:41)\n", NULL};
  check_lines(r.err, want2);
}

int main(int argc, char **argv) {
  rt_init(argc, argv);
  simple();
  recursion();
  in_task();
  return rt_done();
}
