/* timer.c: timers (sleep_async, timeouts, runtime deadlines). Pending timers live in a binary
 * min-heap ordered by (deadline, creation sequence), so earlier deadlines fire first and equal deadlines fire in creation order. A timer is
 * either a promise of its own (sleep_async) or the node a task embeds for `await sleep_async(ms)`
 * (tul_sleep_await), which wakes the task without allocating anything. A node knows its heap
 * index, so a cancelled wait leaves the heap at once (O(log n)). tul__now_ns is the only clock read
 * of the async runtime. */
#include <gc.h>
#include <time.h>
#include "async_int.h"

typedef tul__timer_node node;

typedef struct tul__timer {
  tul_promise promise;
  node node;
} tul__timer;

static node **heap; /* GC-allocated, reachable from this global (interior pointers keep owners) */
static int64_t heap_len, heap_cap;
static uint64_t next_seq;
/* sleep_async(0 or less): due at once, so no clock read and no heap; they form a FIFO stamped
 * with the time of the current round, which is also (deadline, creation) order. */
static node *zero_head, *zero_tail;
static int64_t round_now;
static int round_stale = 1; /* round_now was not read at the end of the last round */

int64_t tul__now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int before(const node *a, const node *b) {
  return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void place(int64_t i, node *t) {
  heap[i] = t;
  t->index = i;
}

static void sift_up(int64_t i) {
  node *t = heap[i];
  while (i > 0) {
    int64_t parent = (i - 1) / 2;
    if (!before(t, heap[parent])) break;
    place(i, heap[parent]);
    i = parent;
  }
  place(i, t);
}

static void sift_down(int64_t i) {
  node *t = heap[i];
  for (;;) {
    int64_t c = 2 * i + 1;
    if (c >= heap_len) break;
    if (c + 1 < heap_len && before(heap[c + 1], heap[c])) c++;
    if (!before(heap[c], t)) break;
    place(i, heap[c]);
    i = c;
  }
  place(i, t);
}

static void push(node *t) {
  if (heap_len == heap_cap) {
    heap_cap = heap_cap ? heap_cap * 2 : 64;
    heap = GC_REALLOC(heap, (size_t)heap_cap * sizeof *heap);
  }
  heap[heap_len] = t;
  sift_up(heap_len++);
}

/* Takes heap[i] out. */
static void heap_remove(int64_t i) {
  node *gone = heap[i];
  node *last = heap[--heap_len];
  heap[heap_len] = NULL;
  gone->index = -1;
  if (i == heap_len) return;
  place(i, last);
  if (i > 0 && before(last, heap[(i - 1) / 2])) sift_up(i);
  else sift_down(i);
}

static node *pop(void) {
  node *top = heap[0];
  heap_remove(0);
  return top;
}

/* Queues n to fire `ms` from now (ms <= 0: at the next turn of the loop). */
void tul__timer_arm(node *n, int64_t ms, void (*fire)(node *n)) {
  n->seq = next_seq++;
  n->fire = fire;
  if (ms > 0) {
    n->deadline = tul__now_ns() + ms * 1000000;
    push(n);
    return;
  }
  if (round_stale) { /* no timer was pending when the round ended: read the clock now */
    round_now = tul__now_ns();
    round_stale = 0;
  }
  n->deadline = round_now;
  n->index = -2;
  n->next_zero = NULL;
  n->prev_zero = zero_tail;
  if (zero_tail) zero_tail->next_zero = n;
  else zero_head = n;
  zero_tail = n;
}

static void zero_remove(node *t) {
  if (t->prev_zero) t->prev_zero->next_zero = t->next_zero;
  else zero_head = t->next_zero;
  if (t->next_zero) t->next_zero->prev_zero = t->prev_zero;
  else zero_tail = t->prev_zero;
  t->next_zero = t->prev_zero = NULL;
  t->index = -1;
}

void tul__timer_cancel(node *n) {
  if (n->index >= 0 && n->index < heap_len && heap[n->index] == n) heap_remove(n->index);
  else if (n->index == -2) zero_remove(n);
}

static void fulfil_timer(node *n) {
  tul__promise_fulfil(&((tul__timer *)((char *)n - offsetof(tul__timer, node)))->promise);
}

tul_promise *tul_sleep_async(int64_t ms) {
  tul__forbid_on_worker("sleep_async");
  tul__async_init();
  tul__timer *t = GC_MALLOC(sizeof *t);
  t->promise.kind = TUL__P_TIMER;
  t->node.index = -1;
  tul__timer_arm(&t->node, ms, fulfil_timer);
  return &t->promise;
}

/* Cancel of a sleep_async promise: its timer leaves at once (the caller rejects it). */
void tul__timer_promise_cancel(tul_promise *p) {
  tul__timer_cancel(&((tul__timer *)p)->node);
}

static void wake_sleeper(node *n) {
  tul__wake((tul__task *)((char *)n - offsetof(tul__task, sleep)));
}

static void unlink_sleeper(tul__task *t) { tul__timer_cancel(&t->sleep); }

void tul_sleep_await(int64_t ms) {
  tul__forbid_on_worker("await");
  tul__async_init();
  tul__task *t = tul__self();
  if (t->stop) tul__cancel_point();
  tul__timer_arm(&t->sleep, ms, wake_sleeper);
  tul__suspend(unlink_sleeper, __builtin_return_address(0));
}

int tul__timers_pending(void) { return heap_len > 0 || zero_head; }

/* The end of a scheduler round: fires the due timers, reading the clock only when some timer is
 * pending (a round of channel hand-offs then costs no clock read; a zero-delay timer armed later
 * reads it itself). */
void tul__timers_fire_due(void) {
  if (heap_len > 0 || zero_head) tul__timers_fire(tul__now_ns());
  else round_stale = 1;
}

int64_t tul__timers_next_deadline(void) { return zero_head ? round_now : heap[0]->deadline; }

static node *pop_zero(void) {
  node *t = zero_head;
  zero_remove(t);
  return t;
}

/* Fires every due timer, merging the zero-delay FIFO with the heap in (deadline, seq) order. */
void tul__timers_fire(int64_t now_ns) {
  round_now = now_ns;
  round_stale = 0;
  for (;;) {
    int heap_due = heap_len && heap[0]->deadline <= now_ns;
    node *n;
    if (zero_head && (!heap_due || before(zero_head, heap[0]))) n = pop_zero();
    else if (heap_due) n = pop();
    else break;
    n->fire(n);
  }
}
