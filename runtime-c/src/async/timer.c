/* timer.c: sleep_async. Pending timers live in a binary min-heap ordered by (deadline, creation
 * sequence), so earlier deadlines fire first and equal deadlines fire in creation order. A timer is
 * either a promise of its own (sleep_async) or the node a task embeds for `await sleep_async(ms)`
 * (tul_sleep_await), which wakes the task without allocating anything. */
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

int64_t tul__now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int before(const node *a, const node *b) {
  return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void sift_up(int64_t i) {
  node *t = heap[i];
  while (i > 0) {
    int64_t parent = (i - 1) / 2;
    if (!before(t, heap[parent])) break;
    heap[i] = heap[parent];
    i = parent;
  }
  heap[i] = t;
}

static void sift_down(int64_t i) {
  node *t = heap[i];
  for (;;) {
    int64_t c = 2 * i + 1;
    if (c >= heap_len) break;
    if (c + 1 < heap_len && before(heap[c + 1], heap[c])) c++;
    if (!before(heap[c], t)) break;
    heap[i] = heap[c];
    i = c;
  }
  heap[i] = t;
}

static void push(node *t) {
  if (heap_len == heap_cap) {
    heap_cap = heap_cap ? heap_cap * 2 : 64;
    heap = GC_REALLOC(heap, (size_t)heap_cap * sizeof *heap);
  }
  heap[heap_len] = t;
  sift_up(heap_len++);
}

static node *pop(void) {
  node *top = heap[0];
  heap[0] = heap[--heap_len];
  heap[heap_len] = NULL;
  if (heap_len) sift_down(0);
  return top;
}

/* Queues n to fire `ms` from now (ms <= 0: at the next turn of the loop). */
static void arm(node *n, int64_t ms) {
  n->seq = next_seq++;
  if (ms > 0) {
    n->deadline = tul__now_ns() + ms * 1000000;
    push(n);
    return;
  }
  n->deadline = round_now;
  n->next_zero = NULL;
  if (zero_tail) zero_tail->next_zero = n;
  else zero_head = n;
  zero_tail = n;
}

tul_promise *tul_sleep_async(int64_t ms) {
  tul__forbid_on_worker("sleep_async");
  tul__async_init();
  tul__timer *t = GC_MALLOC(sizeof *t);
  t->promise.kind = TUL__P_TIMER;
  arm(&t->node, ms);
  return &t->promise;
}

void tul_sleep_await(int64_t ms) {
  tul__forbid_on_worker("await");
  tul__task *t = tul__current;
  if (!t) {
    tul_await(tul_sleep_async(ms), NULL);
    return;
  }
  t->sleep.task = t;
  arm(&t->sleep, ms);
  tul__task_suspend();
}

int tul__timers_pending(void) { return heap_len > 0 || zero_head; }

int64_t tul__timers_next_deadline(void) { return zero_head ? round_now : heap[0]->deadline; }

static node *pop_zero(void) {
  node *t = zero_head;
  zero_head = t->next_zero;
  if (!zero_head) zero_tail = NULL;
  t->next_zero = NULL;
  return t;
}

static void fire(node *n) {
  if (n->task) tul__ready(n->task);
  else tul__promise_fulfil(&((tul__timer *)((char *)n - offsetof(tul__timer, node)))->promise);
}

/* Fires every due timer, merging the zero-delay FIFO with the heap in (deadline, seq) order. */
void tul__timers_fire(int64_t now_ns) {
  round_now = now_ns;
  for (;;) {
    int heap_due = heap_len && heap[0]->deadline <= now_ns;
    if (zero_head && (!heap_due || before(zero_head, heap[0]))) fire(pop_zero());
    else if (heap_due) fire(pop());
    else break;
  }
}
