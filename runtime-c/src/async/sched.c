/* sched.c: the FIFO run queue and the loop that drives tasks, timers and libuv I/O; waiting and
 * waking (the cancellable-wait protocol of async_int.h); the deadlock report; the drain at program
 * exit; init of the whole async runtime. Only the main program drives the loop. */
#include <gc.h>
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>
#include "async_int.h"
#include "rt_int.h"

int64_t tul__live_tasks;
static tul__task *rq_head, *rq_tail;
static int64_t rq_count;
static int64_t round_left; /* tasks this round may still run */
static uv_loop_t *loop;
static uv_timer_t wake_timer;
/* The main program as a context: its scope chain and stop flag, and the marker queued when what
 * it waits for happens: it continues when the queue reaches the marker, after the tasks that
 * became ready before it (FIFO, like asyncio). */
tul__task tul__main_task;
#define main_marker tul__main_task

static int initialized;

/* Idempotent; the spawn, sleep and loop entry points call it too, in case main did not. */
void tul__async_init(void) {
  if (initialized) return;
  initialized = 1;
  tul__stack_pool_init();
  tul__task_init();
  tul__gc_init();
  loop = uv_default_loop();
  uv_timer_init(loop, &wake_timer);
}

struct uv_loop_s *tul__uv_loop(void) {
  tul__async_init();
  return loop;
}

void tul__ready(tul__task *t) {
  t->next_ready = NULL;
  if (rq_tail) rq_tail->next_ready = t;
  else rq_head = t;
  rq_tail = t;
  rq_count++;
}

/* The one place that picks the next task to run (a seeded order can replace it). */
static tul__task *pop_ready(void) {
  tul__task *t = rq_head;
  rq_head = t->next_ready;
  if (!rq_head) rq_tail = NULL;
  rq_count--;
  return t;
}

void tul__wake(tul__task *t) {
  t->unlink = NULL;
  tul__ready(t);
}

static void on_wake_timer(uv_timer_t *h) { (void)h; }

/* Blocks in libuv until the earliest timer is due or I/O happens. Returns 0 if nothing at all is
 * left that could ever make a task ready. */
static int wait_for_events(void) {
  int timers = tul__timers_pending();
  if (!timers && !uv_loop_alive(loop)) return 0;
  uint64_t ms = 1;
  if (timers) {
    int64_t ns = tul__timers_next_deadline() - tul__now_ns();
    ms = ns <= 0 ? 0 : (uint64_t)((ns + 999999) / 1000000);
    /* libuv measures timeouts from its cached clock, which is stale after tasks ran: refresh it,
     * or the wake timer fires early, in the timer phase, and the poll then blocks with no timeout. */
    uv_update_time(loop);
    uv_timer_start(&wake_timer, on_wake_timer, ms, 0);
  }
  tul__flush_stdout(); /* what was printed before a wait shows now (a server's "listening on") */
  uv_run(loop, UV_RUN_ONCE);
  uv_timer_stop(&wake_timer);
  return 1;
}

/* One round: the tasks that were ready when it began (in order), then due timers and ready I/O.
 * Returns 1 if the main marker came up. Tasks settled before they ran (`dead`) are skipped. */
static int run_round(void) {
  for (round_left = rq_count; round_left > 0;) {
    round_left--;
    tul__task *t = pop_ready();
    if (t == &main_marker) return 1;
    if (t->dead) continue;
    tul__task_resume(t);
  }
  tul__timers_fire_due();
  if (rq_count && uv_loop_alive(loop)) uv_run(loop, UV_RUN_NOWAIT);
  return 0;
}

tul__task *tul__take_next_in_round(const tul__stack *running) {
  while (round_left > 0 && rq_head && rq_head != &main_marker && rq_head->dead) {
    round_left--;
    pop_ready();
  }
  if (round_left <= 0 || !rq_head || rq_head == &main_marker) return NULL;
  if (!rq_head->stack && rq_head->home == running) return NULL; /* evicted from the running slot */
  round_left--;
  return pop_ready();
}

/* ---------------------------------------------------------------- deadlock */

static void print_site(const char *what, void *pc) {
  char buf[512] = "?";
  if (pc && tul__trace_site) tul__trace_site(pc, buf, sizeof buf);
  fprintf(stderr, "%s%s", what, buf);
}

/* Nothing can ever run again while the main program waits: say who waits where, exit 1. */
static TUL_NORETURN void deadlock(void) {
  tul__flush_stdout();
  fputs("Deadlock: every task is waiting\n", stderr);
  if (main_marker.wait_site) print_site("  main program waits at ", main_marker.wait_site);
  else fputs("  main program waits at exit for its tasks", stderr);
  fputc('\n', stderr);
  /* the waiting tasks that hold a stack slot, then how many more there are (evicted ones) */
  int64_t n = 0;
  for (tul__stack *s = tul__stacks_in_use; s; s = s->next) {
    tul__task *t = s->task;
    if (!t || t == tul__current) continue;
    print_site("  task waits at ", t->wait_site);
    print_site(", created at ", t->created_at);
    fputc('\n', stderr);
    n++;
  }
  if (tul__live_tasks > n) fprintf(stderr, "  ... and %lld more waiting tasks\n", (long long)(tul__live_tasks - n));
  fflush(stderr);
  exit(1);
}

/* ---------------------------------------------------------------- driving the loop */

/* Runs the loop until the main marker comes up (the main program was woken). */
void tul__run_main_wait(void) {
  if (tul__current) abort(); /* tasks suspend instead */
  tul__async_init();
  for (;;) {
    if (run_round()) return;
    if (rq_count) continue;
    if (!wait_for_events()) deadlock();
  }
}

/* The drain: runs until nothing is left; tasks still waiting then are deadlocked. */
void tul__run_idle(void) {
  tul__async_init();
  main_marker.wait_site = NULL;
  for (;;) {
    run_round();
    if (rq_count) continue;
    if (!wait_for_events()) break;
  }
  if (tul__live_tasks > 0) deadlock();
}
