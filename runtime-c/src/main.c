/* main.c: the program entry (libtulrt_main.a): initialises the GC, the stack limit and the async
 * runtime, runs the generated tul_user_main and the loop drain under a top-level handler, and turns
 * an escaping exception into `Uncaught Exception: <value>` plus a trace and exit status 1. */
#undef _FORTIFY_SOURCE
#include <gc.h>
#include <setjmp.h>
#include <stdio.h>
#include "rt_int.h"

#ifdef TUL_SANITIZED
/* Programs built with `tulc build --sanitize=...` (this file from build/runtime-san). LeakSanitizer
 * cannot see Boehm GC's roots, so its reports would all be false; a UBSan report ends the program
 * like an ASan one. ASAN_OPTIONS / UBSAN_OPTIONS in the environment still take precedence. */
const char *__asan_default_options(void) { return "detect_leaks=0"; }
const char *__ubsan_default_options(void) { return "halt_on_error=1:print_stacktrace=1"; }
#endif

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
