/* channel.c: channel<T> (docs/reference.md §15): a ring buffer plus FIFO queues of waiting
 * receivers and senders. Single-threaded (the loop thread): no locks, no atomics. A task that
 * awaits a send or receive directly waits in the queue on the node embedded in its task, so a
 * blocking operation allocates nothing; the promise forms allocate their promise and node. */
#undef _FORTIFY_SOURCE
#include <gc.h>
#include <stdlib.h>
#include <string.h>
#include "async_int.h"
#include "rt_int.h"

/* ---------------------------------------------------------------- queues */

static inline void q_init(tul__qlink *q) { q->next = q->prev = q; }
static inline int q_empty(const tul__qlink *q) { return q->next == q; }

static inline void q_push(tul__qlink *q, tul__qlink *n) {
  n->prev = q->prev;
  n->next = q;
  q->prev->next = n;
  q->prev = n;
}

static inline void q_remove(tul__qlink *n) {
  n->prev->next = n->next;
  n->next->prev = n->prev;
  n->next = n->prev = NULL;
}

/* Takes the oldest waiter off a non-empty queue. */
static inline tul__chan_wait *q_pop(tul__qlink *q) {
  tul__qlink *n = q->next;
  q_remove(n);
  return (tul__chan_wait *)n;
}

void tul__chan_wait_push(tul_chan *c, tul__chan_wait *w, int send) {
  w->state = TUL__CW_WAITING;
  q_push(send ? &c->sendq : &c->recvq, &w->link);
}

void tul__chan_wait_unlink(tul__chan_wait *w) {
  if (w->link.next) q_remove(&w->link);
}

/* ---------------------------------------------------------------- errors */

/* Every operation: a null channel (a declaration without a value) throws; so does any use on a
 * spawn worker thread (channels belong to the loop thread). */
void tul__chan_check(const tul_chan *c) {
  tul__forbid_on_worker("channels");
  if (TUL_UNLIKELY(!c)) tul_throw_msg("TypeError: null reference");
}
#define check(c) tul__chan_check(c)

static tul_json *closed_error(int send) {
  return tul__json_str(tul__str_c(send ? "ChannelClosedError: send on a closed channel"
                                       : "ChannelClosedError: recv on a closed channel"));
}

void tul__chan_throw_closed(int send) { tul_throw(closed_error(send)); }

/* ---------------------------------------------------------------- completing a waiter */

/* w (already off its queue) is done: its value moved, or the channel closed under it. */
static void complete(tul__chan_wait *w, uint8_t state, int send) {
  w->state = state;
  switch (w->kind) {
  case TUL__CW_TASK: tul__wake(w->owner); return;
  case TUL__CW_SELECT: tul__select_won(w->owner, w->index, state); return;
  default: {
    tul_promise *p = w->owner;
    if (state == TUL__CW_CLOSED) tul__promise_reject(p, closed_error(send), NULL);
    else {
      p->value = w->value;
      tul__promise_fulfil(p);
    }
  }
  }
}

/* ---------------------------------------------------------------- the operations */

static inline uint64_t load(const tul_chan *c, const void *slot) {
  uint64_t v = 0;
  if (c->size == 8) memcpy(&v, slot, 8);
  else memcpy(&v, slot, 1);
  return v;
}

static inline void store(const tul_chan *c, void *slot, uint64_t v) {
  if (!slot) return;
  if (c->size == 8) memcpy(slot, &v, 8);
  else memcpy(slot, &v, 1);
}

static inline void buf_put(tul_chan *c, uint64_t v) {
  int64_t i = c->head + c->len;
  if (i >= c->cap) i -= c->cap;
  c->buf[i] = v;
  c->len++;
}

static inline uint64_t buf_take(tul_chan *c) {
  uint64_t v = c->buf[c->head];
  c->buf[c->head] = 0; /* no stale pointer for the GC */
  if (++c->head == c->cap) c->head = 0;
  c->len--;
  return v;
}

int tul__chan_recv_ready(const tul_chan *c) {
  return c->len > 0 || !q_empty(&c->sendq) || c->closed;
}

int tul__chan_send_ready(const tul_chan *c) {
  return c->closed || !q_empty(&c->recvq) || c->len < c->cap;
}

int tul__chan_try_send(tul_chan *c, uint64_t v) {
  if (c->closed) return -1;
  if (!q_empty(&c->recvq)) { /* a receiver waits, so the buffer is empty: hand over */
    tul__chan_wait *w = q_pop(&c->recvq);
    w->value = v;
    complete(w, TUL__CW_DONE, 0);
    return 1;
  }
  if (c->len < c->cap) {
    buf_put(c, v);
    return 1;
  }
  return 0;
}

int tul__chan_try_recv(tul_chan *c, uint64_t *v) {
  if (c->len > 0) {
    *v = buf_take(c);
    if (!q_empty(&c->sendq)) { /* the oldest waiting sender moves into the freed slot */
      tul__chan_wait *w = q_pop(&c->sendq);
      buf_put(c, w->value);
      complete(w, TUL__CW_DONE, 1);
    }
    return 1;
  }
  if (!q_empty(&c->sendq)) { /* unbuffered (or capacity 0 left): take from the sender */
    tul__chan_wait *w = q_pop(&c->sendq);
    *v = w->value;
    complete(w, TUL__CW_DONE, 1);
    return 1;
  }
  return c->closed ? -1 : 0;
}

tul_chan *tul_chan_new(const tul_type *elem, int64_t cap) {
  if (cap < 0) tul__throw_fmt("ValueError: channel capacity must be 0 or more, got %lld", (long long)cap);
  if (cap > ((int64_t)1 << 40)) tul__throw_fmt("ValueError: channel capacity %lld is too large", (long long)cap);
  tul__async_init();
  tul_chan *c = GC_MALLOC(sizeof(tul_chan) + (size_t)cap * sizeof(uint64_t));
  if (!c) tul_throw_msg("MemoryError: out of memory");
  q_init(&c->recvq);
  q_init(&c->sendq);
  c->elem = elem;
  c->cap = cap;
  c->size = elem && elem->kind == TUL_K_BOOL ? 1 : 8;
  return c;
}

void tul_chan_close(tul_chan *c) {
  check(c);
  if (c->closed) tul_throw_msg("ChannelClosedError: close of a closed channel");
  c->closed = 1;
  while (!q_empty(&c->recvq)) complete(q_pop(&c->recvq), TUL__CW_CLOSED, 0);
  while (!q_empty(&c->sendq)) complete(q_pop(&c->sendq), TUL__CW_CLOSED, 1);
}

int64_t tul_chan_len(const tul_chan *c) {
  check(c);
  return c->len;
}

int64_t tul_chan_cap(const tul_chan *c) {
  check(c);
  return c->cap;
}

_Bool tul_chan_closed(const tul_chan *c) {
  check(c);
  return c->closed;
}

/* ---------------------------------------------------------------- promise forms */

/* `ch.recv()` / `ch.send(v)` as values: a cancellable promise whose node waits in the queue;
 * cancelling it takes the node out (tul_cancel then rejects it with CancelledError). */
typedef struct chan_promise {
  tul__hooked hooked; /* first: the promise */
  tul__chan_wait w;
} chan_promise;

static void chan_promise_cancel(tul_promise *p, void *w) {
  (void)p;
  tul__chan_wait_unlink(w);
}

static chan_promise *new_chan_promise(const tul_type *result_type) {
  tul__async_init();
  chan_promise *cp = GC_MALLOC(sizeof *cp);
  if (!cp) tul_throw_msg("MemoryError: out of memory");
  cp->hooked.promise.kind = TUL__P_HOOKED;
  cp->hooked.promise.result_type = result_type;
  cp->hooked.on_cancel = chan_promise_cancel;
  cp->hooked.ud = &cp->w;
  cp->w.kind = TUL__CW_PROMISE;
  cp->w.owner = &cp->hooked.promise;
  return cp;
}

tul_promise *tul_chan_send(tul_chan *c, const void *slot) {
  check(c);
  uint64_t v = load(c, slot);
  chan_promise *cp = new_chan_promise(NULL);
  int r = tul__chan_try_send(c, v);
  if (r > 0) tul__promise_fulfil(&cp->hooked.promise);
  else if (r < 0) tul__promise_reject(&cp->hooked.promise, closed_error(1), NULL);
  else {
    cp->w.value = v;
    tul__chan_wait_push(c, &cp->w, 1);
  }
  return &cp->hooked.promise;
}

tul_promise *tul_chan_recv(tul_chan *c) {
  check(c);
  chan_promise *cp = new_chan_promise(c->elem);
  uint64_t v = 0;
  int r = tul__chan_try_recv(c, &v);
  if (r > 0) {
    cp->hooked.promise.value = v;
    tul__promise_fulfil(&cp->hooked.promise);
  } else if (r < 0) {
    tul__promise_reject(&cp->hooked.promise, closed_error(0), NULL);
  } else {
    tul__chan_wait_push(c, &cp->w, 0);
  }
  return &cp->hooked.promise;
}

/* ---------------------------------------------------------------- awaiting directly */

/* The cancellation hook of a direct wait (docs: async_int.h, rule 2): leave the queue. */
static void chan_unlink(tul__task *t) { tul__chan_wait_unlink(&t->chan_wait); }

/* The running context (a task or the main program) waits on the node embedded in it, in c's queue;
 * returns the node's final state. A cancellation that takes it out of the queue throws
 * CancelledError here; once the value has moved, the operation stands (the cancellation is felt at
 * the next await), so no value is lost. */
static uint8_t wait_in_queue(tul_chan *c, int send, uint64_t v, uint64_t *got, void *site) {
  tul__task *t = tul__self();
  tul__chan_wait *w = &t->chan_wait;
  w->kind = TUL__CW_TASK;
  w->owner = t;
  w->value = v;
  tul__chan_wait_push(c, w, send);
  tul__wait_begin(t, chan_unlink, site); /* not tul__suspend: a moved value must stand */
  if (tul__current) tul__task_suspend();
  else tul__run_main_wait();
  t->unlink = NULL;
  if (w->state == TUL__CW_WAITING) {
    tul__chan_wait_unlink(w);
    tul__cancel_point();
    abort(); /* only a cancellation wakes a waiting node */
  }
  *got = w->value;
  return w->state;
}

/* Every await form starts here: a cancelled context's await throws (sticky cancellation). */
static inline void await_point(tul_chan *c) {
  check(c);
  if (TUL_UNLIKELY(tul__self()->stop)) tul__cancel_point();
}

void tul_chan_send_await(tul_chan *c, const void *slot) {
  await_point(c);
  uint64_t v = load(c, slot), ignored;
  int r = tul__chan_try_send(c, v);
  if (r > 0) return;
  if (r < 0 || wait_in_queue(c, 1, v, &ignored, __builtin_return_address(0)) == TUL__CW_CLOSED) tul__chan_throw_closed(1);
}

/* Receives into *v: 1, or 0 when closed and drained. */
static int recv_wait(tul_chan *c, uint64_t *v, void *site) {
  await_point(c);
  int r = tul__chan_try_recv(c, v);
  if (r) return r > 0;
  return wait_in_queue(c, 0, 0, v, site) == TUL__CW_DONE;
}

void tul_chan_recv_await(tul_chan *c, void *out_slot) {
  uint64_t v = 0;
  if (!recv_wait(c, &v, __builtin_return_address(0))) tul__chan_throw_closed(0);
  store(c, out_slot, v);
}

_Bool tul_chan_recv_next(tul_chan *c, void *out_slot) {
  uint64_t v = 0;
  if (!recv_wait(c, &v, __builtin_return_address(0))) return 0;
  store(c, out_slot, v);
  return 1;
}
