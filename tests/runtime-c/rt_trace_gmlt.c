/* rt_trace_gmlt.c: traces from code built with line tables only (what tulc emits without -g):
 * function names come from the symbols `tul_fn_<name>` and `tul_user_main` (printed `<main>`),
 * inlined calls still expand. Built with -gline-tables-only (see CMakeLists.txt). */
#include "rt_support/rt_test.h"
#include "rt_support/child.h"

void tul_fn_validate(int64_t n);
void tul_fn_process(int64_t n);
void tul_user_main(void);

#line 1 "gmlt.tul"
__attribute__((noinline)) void tul_fn_validate(int64_t n) {
  if (n < 0) {
    tul_throw_msg("bad");
  }
  __asm__ volatile("");
}
static inline __attribute__((always_inline)) void tul_fn_helper(int64_t n) {
  tul_fn_validate(n);
}
__attribute__((noinline)) void tul_fn_process(int64_t n) {
  tul_fn_helper(n);
  __asm__ volatile("");
}
void tul_user_main(void) {
  tul_fn_process(-1);
  __asm__ volatile("");
}
#line 30 "rt_trace_gmlt.c"

int main(int argc, char **argv) {
  rt_init(argc, argv);
  static child_result r;
  run_child(tul_user_main, &r);
  CHECK(r.status == 1);
  const char *want = "Uncaught Exception: bad\n"
                     "    at validate (%s/gmlt.tul:3)\n"
                     "    at helper (%s/gmlt.tul:8)\n"
                     "    at process (%s/gmlt.tul:11)\n"
                     "    at <main> (%s/gmlt.tul:15)\n";
  char expect[1024], dir[512];
  const char *at = strstr(r.err, "/gmlt.tul");
  const char *open = strchr(r.err, '(');
  snprintf(dir, sizeof dir, "%.*s", at && open ? (int)(at - open - 1) : 0, open ? open + 1 : "");
  snprintf(expect, sizeof expect, want, dir, dir, dir, dir);
  if (strcmp(r.err, expect) != 0) {
    fprintf(stderr, "got:\n%s\nwant:\n%s\n", r.err, expect);
    rt_failures++;
  }
  return rt_done();
}
