/* channel.c: channel<T> (docs/reference.md §15): a ring buffer plus FIFO queues of waiting
 * receivers and senders. Single-threaded (the loop thread): no locks, no atomics. A task that
 * awaits a send or receive directly waits in the queue on the node embedded in its task, so a
 * blocking operation allocates nothing; the promise forms allocate their promise and node. */
#undef _FORTIFY_SOURCE
#include <gc.h>
#include <setjmp.h>
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

static tul_json *closed_error(int send) {
  return tul__json_str(tul__str_c(send ? "ChannelClosedError: send on a closed channel"
                                       : "ChannelClosedError: recv on a closed channel"));
}

void tul__chan_throw_closed(int send) { tul_throw(closed_error(send)); }

/* ---------------------------------------------------------------- completing a waiter */

typedef struct chan_promise {
  tul_promise promise;
  tul__chan_wait w;
} chan_promise;

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
  tul__forbid_on_worker("channels");
  if (c->closed) tul_throw_msg("ChannelClosedError: close of a closed channel");
  c->closed = 1;
  while (!q_empty(&c->recvq)) complete(q_pop(&c->recvq), TUL__CW_CLOSED, 0);
  while (!q_empty(&c->sendq)) complete(q_pop(&c->sendq), TUL__CW_CLOSED, 1);
}

int64_t tul_chan_len(const tul_chan *c) { return c->len; }
int64_t tul_chan_cap(const tul_chan *c) { return c->cap; }
_Bool tul_chan_closed(const tul_chan *c) { return c->closed; }

/* ---------------------------------------------------------------- promise forms */

static chan_promise *new_chan_promise(const tul_type *result_type) {
  tul__async_init();
  chan_promise *cp = GC_MALLOC(sizeof *cp);
  if (!cp) tul_throw_msg("MemoryError: out of memory");
  cp->promise.kind = TUL__P_PLAIN;
  cp->promise.result_type = result_type;
  cp->w.kind = TUL__CW_PROMISE;
  cp->w.owner = &cp->promise;
  return cp;
}

static chan_promise *send_promise(tul_chan *c, uint64_t v) {
  chan_promise *cp = new_chan_promise(NULL);
  int r = tul__chan_try_send(c, v);
  if (r > 0) tul__promise_fulfil(&cp->promise);
  else if (r < 0) tul__promise_reject(&cp->promise, closed_error(1), NULL);
  else {
    cp->w.value = v;
    tul__chan_wait_push(c, &cp->w, 1);
  }
  return cp;
}

static chan_promise *recv_promise(tul_chan *c) {
  chan_promise *cp = new_chan_promise(c->elem);
  uint64_t v = 0;
  int r = tul__chan_try_recv(c, &v);
  if (r > 0) {
    cp->promise.value = v;
    tul__promise_fulfil(&cp->promise);
  } else if (r < 0) tul__promise_reject(&cp->promise, closed_error(0), NULL);
  else tul__chan_wait_push(c, &cp->w, 0);
  return cp;
}

tul_promise *tul_chan_send(tul_chan *c, const void *slot) {
  tul__forbid_on_worker("channels");
  return &send_promise(c, load(c, slot))->promise;
}

tul_promise *tul_chan_recv(tul_chan *c) {
  tul__forbid_on_worker("channels");
  return &recv_promise(c)->promise;
}

/* ---------------------------------------------------------------- the main program waiting */

static void unlink_node(void *w) { tul__chan_wait_unlink(w); }

/* The main program drives the loop until p settles. If the wait throws (CancelledError: a scope
 * the main program is in failed), undo(arg) takes the wait out of its queues first, so no later
 * operation completes a wait nobody is in any more. Returns 1 if p fulfilled, 0 if it rejected. */
int tul__main_wait(tul_promise *p, void (*undo)(void *), void *arg) {
  if (p->state == TUL_PROMISE_PENDING) {
    _Alignas(16) char handler[TUL__HANDLER_BYTES];
    tul_try_push(handler);
    if (_setjmp(*(jmp_buf *)handler) != 0) {
      undo(arg);
      tul_rethrow();
    }
    tul__wait_for(p, __builtin_return_address(0));
    tul_try_pop(handler);
  }
  p->handled = 1;
  return p->state == TUL_PROMISE_FULFILLED;
}

/* ---------------------------------------------------------------- awaiting directly */

/* The running task waits on its own node in c's queue; returns the node's final state. */
static uint8_t task_wait(tul_chan *c, int send, uint64_t v, uint64_t *got) {
  tul__task *t = tul__current;
  tul__chan_wait *w = &t->chan_wait;
  w->kind = TUL__CW_TASK;
  w->owner = t;
  w->value = v;
  tul__chan_wait_push(c, w, send);
  tul__task_suspend();
  *got = w->value;
  return w->state;
}

void tul_chan_send_await(tul_chan *c, const void *slot) {
  tul__forbid_on_worker("channels");
  uint64_t v = load(c, slot);
  int r = tul__chan_try_send(c, v);
  if (r > 0) return;
  if (r < 0) tul__chan_throw_closed(1);
  uint64_t ignored;
  if (!tul__current) {
    chan_promise *cp = send_promise(c, v);
    if (!tul__main_wait(&cp->promise, unlink_node, &cp->w)) tul__chan_throw_closed(1);
  } else if (task_wait(c, 1, v, &ignored) == TUL__CW_CLOSED) {
    tul__chan_throw_closed(1);
  }
}

/* Receives into *v: 1, or 0 when closed and drained. */
static int recv_wait(tul_chan *c, uint64_t *v) {
  tul__forbid_on_worker("channels");
  int r = tul__chan_try_recv(c, v);
  if (r) return r > 0;
  if (tul__current) return task_wait(c, 0, 0, v) == TUL__CW_DONE;
  chan_promise *cp = recv_promise(c);
  if (!tul__main_wait(&cp->promise, unlink_node, &cp->w)) return 0;
  *v = cp->promise.value;
  return 1;
}

void tul_chan_recv_await(tul_chan *c, void *out_slot) {
  uint64_t v = 0;
  if (!recv_wait(c, &v)) tul__chan_throw_closed(0);
  store(c, out_slot, v);
}

_Bool tul_chan_recv_next(tul_chan *c, void *out_slot) {
  uint64_t v = 0;
  if (!recv_wait(c, &v)) return 0;
  store(c, out_slot, v);
  return 1;
}
