/* task.c: tasks (spawn, resume, suspend, hand-over, the worker loop that runs task bodies under their
 * own handler). The context switch they use, tul__ctx_switch, is in context.c and context_<arch>.c. */
#undef _FORTIFY_SOURCE /* glibc's __longjmp_chk aborts on a jump to another stack */
#include <gc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "async_int.h"
#include "rt_int.h"
#ifdef TUL_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

TUL_TLS tul__task *tul__current;
static uintptr_t main_stack_limit;
static void *main_exc_state;

/* ---------------------------------------------------------------- spawning */

static size_t exc_state_size(void) {
  return &tul__exc_state_size ? (size_t)tul__exc_state_size : 0;
}

/* A new task, counted but not yet queued, for scope s (NULL: none); site: the creation site for
 * traces. Whatever may fail is allocated before it counts: joining s cannot throw MemoryError
 * then, which would leave a queued task that nobody holds. */
static tul__task *task_new(tul__scope *s, tul_task_entry entry, int64_t args_size,
                           const tul_type *result_type, void **args_out, void *site) {
  tul__forbid_on_worker("calling an async function");
  tul__async_init();
  size_t exc_off = (sizeof(tul__task) + 15) & ~(size_t)15;
  size_t args_off = (exc_off + exc_state_size() + 15) & ~(size_t)15;
  tul__task *t = GC_MALLOC(args_off + (size_t)(args_size > 0 ? args_size : 0));
  if (!t) tul_throw_msg("MemoryError: out of memory");
  if (s && !(t->st = GC_MALLOC(sizeof *t->st))) tul_throw_msg("MemoryError: out of memory");
  t->promise.kind = TUL__P_TASK;
  t->promise.result_type = result_type;
  t->entry = entry;
  t->created_at = site;
  t->sleep.index = -1;
  t->exc = exc_state_size() ? (char *)t + exc_off : NULL;
  t->args = (char *)t + args_off;
  if (args_out) *args_out = t->args;
  tul__live_tasks++;
  tul__gc_task_count_changed(tul__live_tasks);
  return t;
}

/* Puts t into scope s (NULL: unstructured); returns 0 when s is already cancelled (t then never
 * runs: it is settled at once). */
static int task_join_scope(tul__task *t, tul__scope *s) {
  if (!s) return 1;
  tul__scope_add(s, t);
  if (!s->cancelled) return 1;
  tul__task_cancel(t);
  return 0;
}

/* Spawns a task into scope s (NULL: unstructured); site: the creation site for traces. */
tul_promise *tul__spawn_into(tul__scope *s, tul_task_entry entry, int64_t args_size,
                             const tul_type *result_type, void **args_out, void *site) {
  tul__task *t = task_new(s, entry, args_size, result_type, args_out, site);
  tul__ready(t);
  task_join_scope(t, s);
  return &t->promise;
}

tul_promise *tul__task_start(tul__scope *s, tul_task_entry entry, int64_t args_size,
                             const tul_type *result_type, void (*init)(void *args, void *ud), void *ud) {
  void *args;
  tul__task *t = task_new(s, entry, args_size, result_type, &args, __builtin_return_address(0));
  init(args, ud);
  if (tul__current) {
    tul__ready(t);
    task_join_scope(t, s);
  } else if (task_join_scope(t, s)) {
    tul__task_resume(t);
  }
  return &t->promise;
}

tul_promise *tul_task_spawn(tul_task_entry entry, int64_t args_size, const tul_type *result_type,
                            void **args_out) {
  tul__async_init();
  return tul__spawn_into(tul__spawn_target(), entry, args_size, result_type, args_out,
                         __builtin_return_address(0));
}

void tul__task_finished(tul__task *t) {
  tul__live_tasks--;
  tul__gc_task_count_changed(tul__live_tasks);
  tul__scope_task_done(t);
}

/* ---------------------------------------------------------------- running */

/* Origins kept below a new one: the printer shows the 31 nearest tasks of a chain (exc.c), and a
 * longer chain would keep every level of an unbounded recursion of tasks alive while it unwinds. */
#define ORIGIN_DEPTH 31

/* The async origin of `error`, thrown inside t: where t was created and the trace of the throw.
 * NULL when the heap is full (the error is then likely a MemoryError): no async trace. */
static tul_async_origin *origin_of(tul__task *t, tul_json *error) {
  tul_async_origin *o = GC_MALLOC(sizeof *o);
  if (!o) return NULL;
  o->created_at = t->created_at;
  o->inner = tul__async_origin_for(error);
  tul_async_origin *x = o;
  for (int i = 0; i < ORIGIN_DEPTH && x; i++) x = (tul_async_origin *)x->inner;
  if (x) x->inner = NULL;
  if (tul__exc_caught_frames) {
    void *const *frames = NULL;
    int64_t n = tul__exc_caught_frames(&frames);
    void **copy = n > 0 && frames ? GC_MALLOC_ATOMIC((size_t)n * sizeof(void *)) : NULL;
    if (copy) {
      memcpy(copy, frames, (size_t)n * sizeof(void *));
      o->frames = copy;
      o->nframes = n;
    }
  }
  return o;
}

/* Runs t's body under a handler; returns what escaped it (NULL: it returned). Its frame is part
 * of every suspended task's stack, so it holds nothing else (suspended stacks are copied when
 * evicted, byte for byte, and GC size classes round the copies up). */
static __attribute__((noinline)) tul_json *run_body(tul__task *volatile t) {
  /* what exc.c's layout needs, not the 512 bytes generated code reserves */
  _Alignas(16) char handler[TUL__HANDLER_BYTES];
  t->started = 1;
  tul_try_push(handler);
  if (_setjmp(*(jmp_buf *)handler) == 0) {
    t->entry(t->args, &t->promise.value);
    tul_try_pop(handler);
    return NULL;
  }
  return tul__caught_raw();
}

/* After the body: waits for the tasks it created inside its scope (if it belongs to one), then
 * settles its promise. */
static __attribute__((noinline)) void settle(tul__task *t, tul_json *error) {
  tul_async_origin *origin = error ? origin_of(t, error) : NULL;
  tul__task_join_children(t, &error, &origin);
  if (error) tul__promise_reject(&t->promise, error, origin);
  else tul__promise_fulfil(&t->promise);
}

/* Entry of a fresh stack: the worker loop. Each pass runs the task that occupies this stack, gives
 * the stack back to the pool and parks here; the next task that takes the stack resumes the loop. */
void tul__task_main(void) {
#ifdef TUL_ASAN
  __sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
  tul__switch_end(); /* begun by whoever switched to this fresh stack */
  tul__stack *s = tul__current->stack;
  for (;;) {
    tul__task *t = s->task;
    settle(t, run_body(t));
    tul__task_finished(t);
    if (t->saved) GC_FREE(t->saved); /* only this task ever pointed at it */
    t->saved = NULL;
    t->wait.owner = NULL; /* whoever holds the promise must not keep what the task awaited alive */
    tul__stack_pool_rearm();
    tul__switch_begin(); /* from here the GC's view of the running stack changes */
    t->stack = t->home = NULL;
    tul__stack_release(s);
    tul__ctx_switch(&s->ctx, &tul__main_ctx);
    tul__switch_end();
  }
}

/* Gives t its stack: where it is, back from eviction, or a slot for its first run (`running`: the
 * slot of the task handing over, never evicted); NULL when there is no memory for a first run.
 * May allocate: call before switching state. */
static tul__stack *place(tul__task *t, const tul__stack *running) {
  if (t->stack) return t->stack;
  if (t->home) return tul__stack_restore(t);
  tul__stack *s = tul__stack_acquire(running);
  if (!s) return NULL;
  s->task = t;
  t->stack = t->home = s;
  return s;
}

/* t found no stack to start on (the heap has no room to evict a suspended task): it fails with
 * MemoryError without running, which wakes whoever awaits it, and the run queue skips it. */
static void fail_unstarted(tul__task *t) {
  t->dead = 1;
  tul__promise_reject(&t->promise, tul__oom_value(), NULL);
  tul__task_finished(t);
}

/* Makes t the running task as far as the runtime knows (stack, limit, GC stack bottom, handler
 * stack); the caller switches to it right after, allocating nothing in between. Opens the switch
 * guard (async_int.h), which the side that runs next closes. Returns NULL, the guard closed and
 * nothing changed, when t failed instead (fail_unstarted). */
static tul__stack *enter(tul__task *t, const tul__stack *running) {
  tul__switch_begin();
  tul__stack *s = place(t, running);
  if (TUL_UNLIKELY(!s)) {
    tul__switch_end();
    fail_unstarted(t);
    return NULL;
  }
  tul__current = t;
  tul_stack_limit = (uintptr_t)s->lo + TUL_TASK_STACK_RED_ZONE;
  tul__gc_enter_stack(tul__stack_top(s));
  return s;
}

/* Main -> t: switches to t and restores the main program's state when some task switches back
 * (t or a task t handed over to). Only the main program calls this. */
void tul__task_resume(tul__task *t) {
  uintptr_t limit = tul_stack_limit;
  tul__stack *s = enter(t, NULL);
  if (!s) return;
  main_stack_limit = limit;
  if (tul__exc_state_swap) main_exc_state = tul__exc_state_swap(t->exc);
  tul__ctx_switch(&tul__main_ctx, &s->ctx);
  if (tul__exc_state_swap) tul__exc_state_swap(main_exc_state);
  tul__gc_enter_stack(NULL);
  tul_stack_limit = main_stack_limit;
  tul__current = NULL;
  tul__switch_end(); /* begun by the task that switched back */
}

/* The running task waits: hands over directly to the next task of this scheduler round when there
 * is one (one switch instead of two), else switches to the main program. Returns when resumed. */
void tul__task_suspend(void) {
  tul__task *self = tul__current;
  tul__stack *from = self->stack, *to = NULL;
  tul__task *next;
  do { /* a next task that cannot start fails instead (enter), and may wake this one */
    next = tul__take_next_in_round(from);
  } while (next && next != self && !(to = enter(next, from)));
  if (!next) {
    tul__switch_begin();
    tul__ctx_switch(&from->ctx, &tul__main_ctx);
    tul__switch_end();
  } else if (next != self) {
    if (tul__exc_state_swap) tul__exc_state_swap(next->exc);
    tul__ctx_switch(&from->ctx, &to->ctx);
    tul__switch_end();
  }
  /* resumed: the end of a wait begun by tul__suspend (here, so that its caller can tail-call us
   * and keep no frame of its own on the suspended stack) */
  tul__task *t = tul__current;
  t->unlink = NULL;
  if (t->cancellable) {
    t->cancellable = 0;
    if (t->stop) tul__cancel_point();
  }
}

int tul__in_task(void) { return tul__current != NULL; }
