/* sched.c: the FIFO run queue and the loop that drives tasks, timers and libuv I/O; waiting and
 * waking (the cancellable-wait protocol of async_int.h); the deadlock report; the drain at program
 * exit; init of the whole async runtime. Only the main program drives the loop. In deterministic
 * mode (determ.c) a round with a non-zero seed runs its tasks in a seeded order, and when nothing
 * can run the virtual clock jumps to the next timer instead of the loop sleeping. */
#include <gc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#include "async_int.h"
#include "rt_int.h"

int64_t tul__live_tasks;
int64_t tul__io_busy;
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
  tul__det_init();
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

static void shuffle_record(tul__task *t);

void tul__ready(tul__task *t) {
  if (__builtin_expect(tul__det_shuffle, 0)) shuffle_record(t);
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
  t->next_ready = NULL; /* a task that has run keeps none queued after it alive */
  if (!rq_head) rq_tail = NULL;
  rq_count--;
  return t;
}

void tul__wake(tul__task *t) {
  t->unlink = NULL;
  tul__ready(t);
}

static void on_wake_timer(uv_timer_t *h) { (void)h; }

/* Whether I/O is in flight (an HTTP request, a server connection mid-request): the virtual clock
 * then stays still and the loop waits for the I/O instead. */
static int io_in_flight(void) {
  if (!uv_loop_alive(loop)) return 0;
  return tul__io_busy > 0 || (tul__http_server_busy && tul__http_server_busy());
}

/* While I/O is in flight the virtual clock does not jump: the next timer becomes due once its
 * delay has passed in real time (so a timeout around a request still fires), counted from when
 * the scheduler first waited for that deadline. Returns 1 when it is due now (the clock moved). */
static int64_t io_wait_deadline = -1; /* the virtual deadline being waited for in real time */
static uint64_t io_wait_started;      /* loop time (ms) that wait began */

static int io_wait_timer(void) {
  int64_t deadline = tul__timers_next_deadline();
  if (deadline <= tul__virtual_ns) return 1;
  uv_update_time(loop);
  if (deadline != io_wait_deadline) {
    io_wait_deadline = deadline;
    io_wait_started = uv_now(loop);
  }
  uint64_t need = (uint64_t)((deadline - tul__virtual_ns + 999999) / 1000000);
  uint64_t spent = uv_now(loop) - io_wait_started;
  if (spent >= need) {
    io_wait_deadline = -1;
    tul__det_advance_to(deadline);
    return 1;
  }
  uv_timer_start(&wake_timer, on_wake_timer, need - spent, 0);
  return 0;
}

/* Deterministic mode's wait: ready I/O first (polled without blocking); with I/O in flight, a wait
 * for it (and for the next timer in real time); else a jump of the virtual clock to the next
 * timer; else a blocking wait for I/O (a listening server, a signal watcher). Returns 0 when
 * nothing at all is left. */
static int wait_for_events_det(void) {
  if (uv_loop_alive(loop)) {
    tul__flush_stdout();
    uv_run(loop, UV_RUN_NOWAIT);
    if (rq_count) return 1;
  }
  if (io_in_flight()) {
    if (tul__timers_pending() && io_wait_timer()) return 1;
    uv_run(loop, UV_RUN_ONCE);
    uv_timer_stop(&wake_timer);
    return 1;
  }
  io_wait_deadline = -1;
  if (tul__timers_pending()) {
    tul__det_advance_to(tul__timers_next_deadline());
    return 1;
  }
  if (!uv_loop_alive(loop) || tul__outside_is_idle) return 0;
  uv_run(loop, UV_RUN_ONCE);
  return 1;
}

int tul__outside_is_idle;

/* With tul__outside_is_idle (tulc test): nothing is in flight (no timer, HTTP request or spawned
 * job), so only the outside world could wake a task (a listening server, a signal watcher): takes
 * what is ready now and reports whether anything is. */
static int only_outside_left(void) {
  if (!tul__outside_is_idle || tul__timers_pending() || io_in_flight() || tul__spawn_in_flight()) return 0;
  tul__flush_stdout();
  uv_run(loop, UV_RUN_NOWAIT);
  return !rq_count && !io_in_flight();
}

/* Blocks in libuv until the earliest timer is due or I/O happens. Returns 0 if nothing at all is
 * left that could ever make a task ready. */
static int wait_for_events(void) {
  if (__builtin_expect(tul__det, 0)) return wait_for_events_det();
  if (__builtin_expect(tul__outside_is_idle, 0) && only_outside_left()) return 0;
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

/* Deterministic mode with a non-zero seed: the tasks queued since the last shuffle are also
 * recorded here, in queue order, so that shuffling does not walk the list (a chain of dependent
 * loads, one per task). The queue is always [tasks left from before the last shuffle] followed by
 * the recorded ones. */
static tul__task **shuf;
static int64_t shuf_n, shuf_cap;

static void shuffle_record(tul__task *t) {
  if (shuf_n == shuf_cap) {
    shuf_cap = shuf_cap ? shuf_cap * 2 : 1024;
    shuf = realloc(shuf, (size_t)shuf_cap * sizeof *shuf);
    if (!shuf) abort();
  }
  shuf[shuf_n++] = t;
}

/* Puts the whole queue (this round's tasks, the main marker among them) in a seeded random order
 * (Fisher-Yates over the recorded tasks, the few older ones appended first). */
static void shuffle_queue(void) {
  int64_t older = rq_count - shuf_n;
  if (older > 0) { /* rare: a round the main program left early; walk just those */
    int64_t n = shuf_n;
    for (int64_t i = 0; i < older; i++) shuffle_record(NULL);
    memmove(shuf + older, shuf, (size_t)n * sizeof *shuf);
    tul__task *t = rq_head;
    for (int64_t i = 0; i < older; i++, t = t->next_ready) shuf[i] = t;
  }
  int64_t n = shuf_n;
  shuf_n = 0;
  if (n < 2) return;
  for (int64_t i = n - 1; i > 0; i--) {
    int64_t j = (int64_t)(((unsigned __int128)tul__det_next() * (uint64_t)(i + 1)) >> 64);
    tul__task *x = shuf[i];
    shuf[i] = shuf[j];
    shuf[j] = x;
  }
  for (int64_t i = 0; i + 1 < n; i++) shuf[i]->next_ready = shuf[i + 1];
  shuf[n - 1]->next_ready = NULL;
  rq_head = shuf[0];
  rq_tail = shuf[n - 1];
}

/* One round: the tasks that were ready when it began (in order), then due timers and ready I/O.
 * Returns 1 if the main marker came up. Tasks settled before they ran (`dead`) are skipped. */
static int run_round(void) {
  if (__builtin_expect(tul__det_shuffle, 0)) shuffle_queue();
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

/* `what` and the site of pc ("?" outside user code); with `optional`, nothing when pc is NULL (a
 * task `tulc test` started for a test, which no line of the program created). */
static void print_site(FILE *out, const char *what, void *pc, int optional) {
  char buf[512] = "?";
  if (!pc && optional) return;
  if (pc && tul__trace_site) tul__trace_site(pc, buf, sizeof buf);
  fprintf(out, "%s%s", what, buf);
}

/* The lines after `Deadlock: every task is waiting`, each starting with `indent`: where the main
 * program waits (with `main_line`), then each waiting task that holds a stack slot (where it
 * waits, where it was created), then how many more there are (evicted ones). */
void tul__deadlock_report(FILE *out, const char *indent, int main_line) {
  if (main_line && main_marker.wait_site) {
    fputs(indent, out);
    print_site(out, "main program waits at ", main_marker.wait_site, 0);
    fputc('\n', out);
  } else if (main_line) {
    fprintf(out, "%smain program waits at exit for its tasks\n", indent);
  }
  int64_t n = 0;
  for (tul__stack *s = tul__stacks_in_use; s; s = s->next) {
    tul__task *t = s->task;
    if (!t || t == tul__current) continue;
    fputs(indent, out);
    print_site(out, "task waits at ", t->wait_site, 0);
    print_site(out, ", created at ", t->created_at, 1);
    fputc('\n', out);
    n++;
  }
  if (tul__live_tasks > n) fprintf(out, "%s... and %lld more waiting tasks\n", indent, (long long)(tul__live_tasks - n));
}

void tul__cancel_waiting_tasks(void) {
  for (tul__stack *s = tul__stacks_in_use; s; s = s->next)
    if (s->task && s->task != tul__current) tul__task_cancel(s->task);
}

/* Nothing can ever run again while the main program waits: say who waits where, exit 1. */
static TUL_NORETURN void deadlock(void) {
  tul__flush_stdout();
  fputs("Deadlock: every task is waiting\n", stderr);
  tul__deadlock_report(stderr, "  ", 1);
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
    if (wait_for_events()) continue;
    if (!tul__test_deadlock || !tul__test_deadlock()) deadlock();
  }
}

int64_t tul__run_until_idle(void) {
  tul__async_init();
  main_marker.wait_site = NULL;
  for (;;) {
    run_round();
    if (rq_count) continue;
    if (!wait_for_events()) break;
  }
  return tul__live_tasks;
}

/* The drain: runs until nothing is left; tasks still waiting then are deadlocked. */
void tul__run_idle(void) {
  if (tul__run_until_idle() > 0) deadlock();
}
