/* context.c: the portable context switches behind tul__ctx_switch, chosen at build time
 * (async_int.h): TUL_SWITCH_SETJMP (_setjmp/_longjmp, ~29 ns; fresh stacks start through the
 * architecture's assembly where there is one, context_<arch>.c) and TUL_SWITCH_UCONTEXT
 * (swapcontext: an rt_sigprocmask system call per switch, ~170 ns); the x86_64 default,
 * TUL_SWITCH_ASM, is in context_x86_64.c. Also the main program's context (its stack bounds). */
#undef _FORTIFY_SOURCE /* glibc's __longjmp_chk aborts on a jump to another stack */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#if defined(__APPLE__) && !defined(_XOPEN_SOURCE) /* CMake defines both there */
#define _XOPEN_SOURCE 600 /* macOS's <ucontext.h> refuses to compile without it */
#define _DARWIN_C_SOURCE 1 /* and keep the BSD interfaces _XOPEN_SOURCE would hide */
#endif
#include <pthread.h>
#include <stdlib.h>
#include <ucontext.h>
#include "context.h"

tul__ctx tul__main_ctx;

/* The address of this frame: below every byte of the caller's frame, callee saves included. */
static __attribute__((noinline, unused)) void *stack_pointer(void) {
  return __builtin_frame_address(0);
}

/* Prepares `uc` to run tul__task_main on the stack of context `to`. */
static __attribute__((unused)) void make_fresh(ucontext_t *uc, tul__ctx *to) {
  if (getcontext(uc) != 0) abort();
  uc->uc_stack.ss_sp = to->stack_lo;
  uc->uc_stack.ss_size = to->stack_size;
  uc->uc_link = NULL;
  makecontext(uc, tul__task_main, 0);
}

#if defined(TUL_SWITCH_UCONTEXT)
__attribute__((noinline)) void tul__ctx_switch(tul__ctx *from, tul__ctx *to) {
  __builtin_unwind_init();
  from->sp = stack_pointer();
  if (to->fresh) {
    to->fresh = 0;
    make_fresh(&to->uc, to);
  }
  tul__asan_start(from, to);
  swapcontext(&from->uc, &to->uc);
  tul__asan_finish(from);
}
#elif defined(TUL_SWITCH_SETJMP)
/* Starts tul__task_main on the fresh stack of `to`. */
static __attribute__((noreturn)) void start_fresh(tul__ctx *to) {
#ifdef TUL_ASM_START
  tul__ctx_start_at(tul__ctx_top(to));
#else
  static ucontext_t boot_uc; /* one start at a time */
  make_fresh(&boot_uc, to);
  setcontext(&boot_uc);
  __builtin_unreachable();
#endif
}

__attribute__((noinline)) void tul__ctx_switch(tul__ctx *from, tul__ctx *to) {
  __builtin_unwind_init(); /* spill callee-saved registers (glibc mangles rbp in the jmp_buf) */
  from->sp = stack_pointer();
  tul__asan_start(from, to);
  if (_setjmp(from->jb) == 0) {
    if (to->fresh) {
      to->fresh = 0;
      start_fresh(to);
    }
    _longjmp(to->jb, 1);
  }
  tul__asan_finish(from);
}
#endif

/* Records the main stack's bounds (ASan needs them to switch back to it). */
void tul__task_init(void) {
#if defined(TUL_ASAN) && defined(__APPLE__)
  pthread_t self = pthread_self(); /* stackaddr is the top */
  tul__main_ctx.stack_size = pthread_get_stacksize_np(self);
  tul__main_ctx.stack_lo = (char *)pthread_get_stackaddr_np(self) - tul__main_ctx.stack_size;
#elif defined(TUL_ASAN)
  pthread_attr_t attr;
  void *lo;
  size_t size;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    pthread_attr_getstack(&attr, &lo, &size);
    pthread_attr_destroy(&attr);
    tul__main_ctx.stack_lo = lo;
    tul__main_ctx.stack_size = size;
  }
#endif
}
