/* context_x86_64.c: the x86_64 context switch (TUL_SWITCH_ASM, the default there: a register
 * push/pop, ~14 ns) and the start of a fresh stack for the _setjmp switch (context.c). */
#include "context.h"

#if defined(__x86_64__) && defined(TUL_SWITCH_ASM)
/* Pushes the callee-saved registers on the running stack, stores the stack pointer into *save,
 * loads `next` as the stack pointer and pops the registers saved there. Suspended stacks thus keep
 * every register the GC must see inside the range [sp, top). */
__attribute__((naked, noinline)) static void switch_stacks(void **save, void *next) {
  __asm__("push %rbp\n\tpush %rbx\n\tpush %r12\n\tpush %r13\n\tpush %r14\n\tpush %r15\n\t"
          "mov %rsp, (%rdi)\n\tmov %rsi, %rsp\n\t"
          "pop %r15\n\tpop %r14\n\tpop %r13\n\tpop %r12\n\tpop %rbx\n\tpop %rbp\n\tret");
}

/* A fresh stack looks like one suspended in switch_stacks: six zero registers, then a "return
 * address" of tul__task_main, then a zero return address that ends backtraces. */
static void *fresh_frame(tul__ctx *to) {
  void **sp = (void **)(tul__ctx_top(to) - 64);
  for (int i = 0; i < 6; i++) sp[i] = 0;
  sp[6] = (void *)tul__task_main;
  sp[7] = 0;
  return sp;
}

__attribute__((noinline)) void tul__ctx_switch(tul__ctx *from, tul__ctx *to) {
  if (to->fresh) {
    to->fresh = 0;
    to->sp = fresh_frame(to);
  }
  tul__asan_start(from, to);
  switch_stacks(&from->sp, to->sp);
  tul__asan_finish(from);
}
#endif

#if defined(__x86_64__) && defined(TUL_ASM_START) && defined(TUL_SWITCH_SETJMP)
void tul__ctx_start_at(char *top) {
  __asm__ volatile("mov %0, %%rsp\n\txor %%ebp, %%ebp\n\tpush $0\n\tjmp *%1"
                   : : "r"(top), "r"(tul__task_main) : "memory");
  __builtin_unreachable();
}
#endif
