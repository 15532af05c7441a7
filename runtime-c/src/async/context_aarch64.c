/* context_aarch64.c: the aarch64 start of a fresh stack for the _setjmp switch (context.c, the
 * default there): no system call, unlike makecontext + setcontext. */
#include "context.h"

#if defined(__aarch64__) && defined(TUL_ASM_START) && defined(TUL_SWITCH_SETJMP)
void tul__ctx_start_at(char *top) {
  __asm__ volatile("mov sp, %0\n\tmov x29, xzr\n\tmov x30, xzr\n\tbr %1"
                   : : "r"(top), "r"(tul__task_main) : "memory");
  __builtin_unreachable();
}
#endif
