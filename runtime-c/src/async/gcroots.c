/* gcroots.c: makes Boehm GC see every task stack. The running stack is the thread's stack as far
 * as the GC knows (its bottom is updated on every switch); suspended stacks, and the main stack
 * while a task runs, are pushed from a GC_set_push_other_roots hook. No GC_add_roots per stack.
 * Also the GC side of spawn workers: the collection hook that keeps a worker's collection from
 * stopping the loop thread halfway through a stack switch (async_int.h, the switch guard). */
#define GC_THREADS
#include <gc.h>
#include <gc/gc_mark.h>
#include <sched.h>
#include "async_int.h"

static void *gc_thread;   /* GC handle of the main thread */
static char *main_bottom; /* the main stack's original bottom */
static tul__task **main_current; /* the loop thread's tul__current (thread-local: read from any thread) */
static GC_push_other_roots_proc previous_hook;
static GC_on_collection_event_proc previous_event;
static int64_t expanded_for; /* live tasks the heap was last grown for */

int tul__threads_live;
int tul__gc_switching, tul__gc_stopping;
static int loop_waiting; /* the loop thread backed off for a collection: the next ones let it in first */

/* Pushes [lo, hi) unless empty. */
static void push_range(void *lo, void *hi) {
  if (lo && (char *)lo < (char *)hi) GC_push_all_eager(lo, hi);
}

/* Runs on the thread that collects, which may be a spawn worker: everything it reads belongs to the
 * loop thread, stopped outside a switch. */
static void push_task_stacks(void) {
  tul__task *current = *main_current;
  tul__stack *running = current ? current->stack : NULL;
  if (running) push_range(tul__main_ctx.sp, main_bottom);
  for (tul__stack *s = tul__stacks_in_use; s; s = s->next)
    if (s != running) push_range(s->ctx.sp, tul__stack_top(s));
  if (previous_hook) previous_hook();
}

/* A collection a worker starts waits, before stopping the world, until the loop thread is outside
 * a switch; the loop thread then waits in tul__switch_begin until the world has restarted. So that
 * back-to-back collections of several workers cannot starve the loop thread, a collection first
 * lets in a loop thread that already backed off once. A collection the loop thread starts itself
 * happens at an allocation, never inside a switch. */
static void on_gc_event(GC_EventType e) {
  if (e == GC_EVENT_PRE_STOP_WORLD && tul__threads_live && tul__self_worker) {
    while (__atomic_load_n(&loop_waiting, __ATOMIC_ACQUIRE)) sched_yield();
    __atomic_store_n(&tul__gc_stopping, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&tul__gc_switching, __ATOMIC_SEQ_CST)) sched_yield();
  } else if (e == GC_EVENT_POST_START_WORLD) {
    __atomic_store_n(&tul__gc_stopping, 0, __ATOMIC_RELEASE);
  }
  if (previous_event) previous_event(e);
}

void tul__switch_wait(void) {
  __atomic_store_n(&loop_waiting, 1, __ATOMIC_SEQ_CST);
  for (;;) {
    __atomic_store_n(&tul__gc_switching, 0, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&tul__gc_stopping, __ATOMIC_ACQUIRE)) sched_yield();
    __atomic_store_n(&tul__gc_switching, 1, __ATOMIC_SEQ_CST);
    if (!__atomic_load_n(&tul__gc_stopping, __ATOMIC_SEQ_CST)) break;
  }
  __atomic_store_n(&loop_waiting, 0, __ATOMIC_RELEASE);
}

void tul__gc_init(void) {
  struct GC_stack_base sb;
  gc_thread = GC_get_my_stackbottom(&sb);
  main_bottom = sb.mem_base;
  main_current = &tul__current;
  previous_hook = GC_get_push_other_roots();
  GC_set_push_other_roots(push_task_stacks);
  previous_event = GC_get_on_collection_event();
  GC_set_on_collection_event(on_gc_event);
  /* Required for correctness, not speed: in single-threaded mode GC_clear_stack zeroes from the
   * current sp down to the lowest sp it ever saw, which on stack switching lies on another task's
   * stack (tests/runtime-c/async_gc.c fails without this). With threads allowed it clears at most
   * 16 KiB just below sp, inside the red zone. Spawn workers register themselves (spawn.c). */
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
