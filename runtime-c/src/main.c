/* main.c: the program entry (libtulrt_main.a): initialises the GC, the stack limit and the async
 * runtime, runs the generated tul_user_main and the loop drain under a top-level handler, and turns
 * an escaping exception into `Uncaught Exception: <value>` plus a trace and exit status 1. */
#undef _FORTIFY_SOURCE
#include <gc.h>
#include <setjmp.h>
#include <stdio.h>
#include "rt_int.h"

int main(int argc, char **argv) {
  GC_INIT();
  tul__set_args(argc, argv);
  tul__stack_limit_init_main();
  tul__async_init(); /* also GC_allow_register_threads, which task switching requires */
  _Alignas(16) char handler[TUL_HANDLER_SIZE];
  tul_try_push(handler);
  if (_setjmp(*(jmp_buf *)handler) == 0) {
    tul_user_main();
    tul__loop_drain(); /* re-throws an unhandled rejection */
    tul_try_pop(handler);
  } else {
    tul__report_uncaught(tul_caught());
    return 1;
  }
  tul__flush_stdout();
  return 0;
}
