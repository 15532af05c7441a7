/* context.h: what the context-switch files share (context.c: the portable switches and the main
 * context; context_x86_64.c, context_aarch64.c: each architecture's assembly). Internal to them. */
#ifndef TUL_CONTEXT_H
#define TUL_CONTEXT_H

#include "async_int.h"
#ifdef TUL_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

/* Architectures with an assembly start of a fresh stack for the _setjmp switch (no system call);
 * elsewhere, or with TUL_START_MAKECONTEXT, it starts with makecontext + setcontext. */
#if (defined(__x86_64__) || defined(__aarch64__)) && !defined(TUL_START_MAKECONTEXT)
#define TUL_ASM_START 1
/* Jumps to tul__task_main with the stack pointer at `top` (16-byte aligned) and a zero return
 * address, so unwinders (backtraces) stop there. */
__attribute__((noreturn)) void tul__ctx_start_at(char *top);
#endif

/* The highest address of `to`'s stack that a fresh frame may use, 16-byte aligned. */
static inline char *tul__ctx_top(const tul__ctx *to) {
  return (char *)(((uintptr_t)to->stack_lo + to->stack_size) & ~(uintptr_t)15);
}

/* AddressSanitizer is told about every switch of stacks (its fake stacks follow the contexts). */
#ifdef TUL_ASAN
static inline void tul__asan_start(tul__ctx *from, tul__ctx *to) {
  __sanitizer_start_switch_fiber(&from->asan_fake, to->stack_lo, to->stack_size);
}
static inline void tul__asan_finish(tul__ctx *from) {
  __sanitizer_finish_switch_fiber(from->asan_fake, NULL, NULL);
}
#else
#define tul__asan_start(from, to) ((void)0)
#define tul__asan_finish(from) ((void)0)
#endif

#endif
