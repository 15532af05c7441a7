/* timer.c: sleep_async. Pending timers live in a binary min-heap ordered by (deadline, creation
 * sequence), so earlier deadlines fire first and equal deadlines fire in creation order. */
#include <gc.h>
#include <time.h>
#include "async_int.h"

typedef struct tul__timer {
  tul_promise promise;
  struct tul__timer *next_zero;
  int64_t deadline; /* monotonic ns */
  uint64_t seq;
} tul__timer;

static tul__timer **heap; /* GC-allocated, reachable from this global */
static int64_t heap_len, heap_cap;
static uint64_t next_seq;
/* sleep_async(0 or less): due at once, so no clock read and no heap; they form a FIFO stamped
 * with the time of the current round, which is also (deadline, creation) order. */
static tul__timer *zero_head, *zero_tail;
static int64_t round_now;

int64_t tul__now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int before(const tul__timer *a, const tul__timer *b) {
  return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void sift_up(int64_t i) {
  tul__timer *t = heap[i];
  while (i > 0) {
    int64_t parent = (i - 1) / 2;
    if (!before(t, heap[parent])) break;
    heap[i] = heap[parent];
    i = parent;
  }
  heap[i] = t;
}

static void sift_down(int64_t i) {
  tul__timer *t = heap[i];
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

static void push(tul__timer *t) {
  if (heap_len == heap_cap) {
    heap_cap = heap_cap ? heap_cap * 2 : 64;
    heap = GC_REALLOC(heap, (size_t)heap_cap * sizeof *heap);
  }
  heap[heap_len] = t;
  sift_up(heap_len++);
}

static tul__timer *pop(void) {
  tul__timer *top = heap[0];
  heap[0] = heap[--heap_len];
  heap[heap_len] = NULL;
  if (heap_len) sift_down(0);
  return top;
}

tul_promise *tul_sleep_async(int64_t ms) {
  tul__async_init();
  tul__timer *t = GC_MALLOC(sizeof *t);
  t->promise.kind = TUL__P_TIMER;
  t->seq = next_seq++;
  if (ms > 0) {
    t->deadline = tul__now_ns() + ms * 1000000;
    push(t);
    return &t->promise;
  }
  t->deadline = round_now;
  if (zero_tail) zero_tail->next_zero = t;
  else zero_head = t;
  zero_tail = t;
  return &t->promise;
}

int tul__timers_pending(void) { return heap_len > 0 || zero_head; }

int64_t tul__timers_next_deadline(void) { return zero_head ? round_now : heap[0]->deadline; }

static tul__timer *pop_zero(void) {
  tul__timer *t = zero_head;
  zero_head = t->next_zero;
  if (!zero_head) zero_tail = NULL;
  t->next_zero = NULL;
  return t;
}

/* Fulfils every due timer, merging the zero-delay FIFO with the heap in (deadline, seq) order. */
void tul__timers_fire(int64_t now_ns) {
  round_now = now_ns;
  for (;;) {
    int heap_due = heap_len && heap[0]->deadline <= now_ns;
    if (zero_head && (!heap_due || before(zero_head, heap[0]))) tul__promise_fulfil(&pop_zero()->promise);
    else if (heap_due) tul__promise_fulfil(&pop()->promise);
    else break;
  }
}
