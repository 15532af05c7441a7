/* gcroots.c: makes Boehm GC see every task stack. The running stack is the thread's stack as far
 * as the GC knows (its bottom is updated on every switch); suspended stacks, and the main stack
 * while a task runs, are pushed from a GC_set_push_other_roots hook. No GC_add_roots per stack. */
#define GC_THREADS
#include <gc.h>
#include <gc/gc_mark.h>
#include "async_int.h"

static void *gc_thread;   /* GC handle of the main thread */
static char *main_bottom; /* the main stack's original bottom */
static GC_push_other_roots_proc previous_hook;
static int64_t expanded_for; /* live tasks the heap was last grown for */

/* Pushes [lo, hi) unless empty. */
static void push_range(void *lo, void *hi) {
  if (lo && (char *)lo < (char *)hi) GC_push_all_eager(lo, hi);
}

static void push_task_stacks(void) {
  tul__stack *running = tul__current ? tul__current->stack : NULL;
  if (running) push_range(tul__main_ctx.sp, main_bottom);
  for (tul__stack *s = tul__stacks_in_use; s; s = s->next)
    if (s != running) push_range(s->ctx.sp, tul__stack_top(s));
  if (previous_hook) previous_hook();
}

void tul__gc_init(void) {
  struct GC_stack_base sb;
  gc_thread = GC_get_my_stackbottom(&sb);
  main_bottom = sb.mem_base;
  previous_hook = GC_get_push_other_roots();
  GC_set_push_other_roots(push_task_stacks);
  /* Required for correctness, not speed: in single-threaded mode GC_clear_stack zeroes from the
   * current sp down to the lowest sp it ever saw, which on stack switching lies on another task's
   * stack (tests/runtime-c/async_gc.c fails without this). With threads allowed it clears at most
   * 16 KiB just below sp, inside the red zone. */
  GC_allow_register_threads();
}

void tul__gc_enter_stack(char *bottom) {
  struct GC_stack_base sb = {bottom ? bottom : main_bottom};
  GC_set_stackbottom(gc_thread, &sb);
}

/* Each collection scans every suspended stack: with many live tasks, grow the heap ahead so that
 * collections stay proportionally rare (about 4 KiB of heap per live task). */
void tul__gc_task_count_changed(int64_t live) {
  if (live < 64 || live < expanded_for * 2) return;
  size_t want = (size_t)live * 4096;
  size_t have = GC_get_heap_size();
  if (want > have) GC_expand_hp(want - have);
  expanded_for = live;
}
