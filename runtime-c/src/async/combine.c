/* combine.c: the promise combinators of LANGUAGE.md §14 besides gather: timeout, race and vote.
 * Each is one allocation holding a waiter per child; cancelling one cancels its pending children
 * (tul__combinator_cancel, called by tul_cancel before it rejects the combinator). */
#include <gc.h>
#include <stdio.h>
#include <string.h>
#include "async_int.h"
#include "rt_int.h"

typedef struct slot {
  tul__waiter w;
  tul_promise *child;   /* while pending */
  tul_promise *settled; /* vote: once settled */
} slot;

typedef struct combi {
  tul_promise promise;
  int64_t n, pending;
  tul_promise *winner;        /* race: the first to settle */
  const tul_type *elem;       /* vote: value type */
  int64_t ms;                 /* timeout */
  uint8_t timed_out;
  tul__timer_node timer;      /* timeout */
  slot slots[];
} combi;

static combi *combi_new(int kind, int64_t n, void (*wake)(tul__waiter *, tul_promise *)) {
  combi *c = GC_MALLOC(sizeof(combi) + (size_t)n * sizeof(slot));
  if (!c) tul_throw_msg("MemoryError: out of memory");
  c->promise.kind = (uint8_t)kind;
  c->n = n;
  c->timer.index = -1;
  for (int64_t i = 0; i < n; i++) c->slots[i].w = (tul__waiter){NULL, NULL, wake, c, i};
  return c;
}

/* Waits on child i (pending) or reports it settled through `wake` at once. */
static void combi_watch(combi *c, int64_t i, tul_promise *child) {
  if (!child) tul_throw_msg("TypeError: null reference");
  c->pending++;
  if (child->state != TUL_PROMISE_PENDING) {
    c->slots[i].w.wake(&c->slots[i].w, child);
    return;
  }
  c->slots[i].child = child;
  tul__waiter_add(child, &c->slots[i].w);
}

static void cancel_children(combi *c, int64_t except) {
  for (int64_t i = 0; i < c->n; i++)
    if (i != except && c->slots[i].child) tul_cancel(c->slots[i].child);
}

void tul__combinator_cancel(tul_promise *p) {
  combi *c = (combi *)p;
  tul__timer_cancel(&c->timer);
  cancel_children(c, -1);
}

/* ---------------------------------------------------------------- timeout */

static void timeout_settle(combi *c) {
  if (c->promise.state != TUL_PROMISE_PENDING) return;
  if (!c->timed_out) {
    tul__promise_settle_like(&c->promise, c->winner);
    return;
  }
  char msg[64];
  snprintf(msg, sizeof msg, "TimeoutError: timed out after %lld ms", (long long)c->ms);
  tul__promise_reject(&c->promise, tul__json_str(tul__str_c(msg)), NULL);
}

static void timeout_child(tul__waiter *w, tul_promise *child) {
  combi *c = w->owner;
  c->slots[0].child = NULL;
  c->winner = child;
  tul__timer_cancel(&c->timer);
  if (c->timed_out) child->handled = 1; /* its CancelledError or late value is superseded */
  timeout_settle(c);
}

static void timeout_fire(tul__timer_node *n) {
  combi *c = (combi *)((char *)n - offsetof(combi, timer));
  c->timed_out = 1;
  if (c->slots[0].child) tul_cancel(c->slots[0].child); /* settles now or after its finally */
}

tul_promise *tul_timeout(int64_t ms, tul_promise *p) {
  if (TUL_LIKELY(p && p->state != TUL_PROMISE_PENDING)) return p; /* the fast path: nothing to time */
  tul__forbid_on_worker("timeout");
  if (!p) tul_throw_msg("TypeError: null reference");
  combi *c = combi_new(TUL__P_TIMEOUT, 1, timeout_child);
  c->promise.result_type = p->result_type;
  c->ms = ms;
  combi_watch(c, 0, p);
  tul__timer_arm(&c->timer, ms, timeout_fire);
  return &c->promise;
}

/* ---------------------------------------------------------------- race */

static void race_child(tul__waiter *w, tul_promise *child) {
  combi *c = w->owner;
  c->slots[w->index].child = NULL;
  c->pending--;
  if (!c->winner) {
    c->winner = child;
    cancel_children(c, w->index);
  } else {
    child->handled = 1; /* a loser's outcome is dropped */
  }
  if (c->pending == 0 && c->promise.state == TUL_PROMISE_PENDING)
    tul__promise_settle_like(&c->promise, c->winner);
}

tul_promise *tul_race(int64_t n, tul_promise *const *ps) {
  tul__forbid_on_worker("race");
  if (n <= 0) tul_throw_msg("ValueError: race of no promises");
  if (n == 1) {
    if (!ps[0]) tul_throw_msg("TypeError: null reference");
    return ps[0];
  }
  combi *c = combi_new(TUL__P_RACE, n, race_child);
  c->promise.result_type = ps[0] ? ps[0]->result_type : NULL;
  c->pending = 1; /* held while the arguments are looked at */
  int64_t first = -1;
  for (int64_t i = 0; i < n && first < 0; i++) /* the first settled in argument order wins */
    if (ps[i] && ps[i]->state != TUL_PROMISE_PENDING) first = i;
  if (first >= 0) combi_watch(c, first, ps[first]);
  for (int64_t i = 0; i < n; i++)
    if (i != first) combi_watch(c, i, ps[i]);
  if (c->winner) cancel_children(c, -1);
  if (--c->pending == 0 && c->promise.state == TUL_PROMISE_PENDING)
    tul__promise_settle_like(&c->promise, c->winner);
  return &c->promise;
}

tul_promise *tul_race_arr(const tul_arr *ps) {
  if (!ps) tul_throw_msg("TypeError: null reference");
  if (ps->len == 0) tul_throw_msg("ValueError: race of an empty array");
  return tul_race(ps->len, (tul_promise *const *)ps->data);
}

/* ---------------------------------------------------------------- vote */

static int same_value(combi *c, tul_promise *a, tul_promise *b) {
  return !c->elem || tul__result_size(c->elem) == 0 || tul_value_eq(&a->value, &b->value, c->elem);
}

static void vote_decide(combi *c) {
  int64_t best = -1, best_count = 0;
  for (int64_t i = 0; i < c->n; i++) {
    tul_promise *a = c->slots[i].settled;
    if (a->state != TUL_PROMISE_FULFILLED) continue;
    int64_t count = 0;
    for (int64_t j = 0; j < c->n; j++) {
      tul_promise *b = c->slots[j].settled;
      if (b->state == TUL_PROMISE_FULFILLED && same_value(c, a, b)) count++;
    }
    if (count > best_count) best = i, best_count = count;
  }
  /* all rejected: the first rejection in argument order */
  tul__promise_settle_like(&c->promise, c->slots[best >= 0 ? best : 0].settled);
}

static void vote_child(tul__waiter *w, tul_promise *child) {
  combi *c = w->owner;
  c->slots[w->index].child = NULL;
  c->slots[w->index].settled = child;
  if (child->state == TUL_PROMISE_REJECTED) child->handled = 1;
  if (--c->pending == 0 && c->promise.state == TUL_PROMISE_PENDING) vote_decide(c);
}

tul_promise *tul_vote(const tul_arr *ps, const tul_type *elem_type) {
  tul__forbid_on_worker("vote");
  if (!ps) tul_throw_msg("TypeError: null reference");
  if (ps->len == 0) tul_throw_msg("ValueError: vote of an empty array");
  int64_t n = ps->len;
  combi *c = combi_new(TUL__P_VOTE, n, vote_child);
  c->elem = elem_type;
  c->pending = 1;
  tul_promise *const *v = (tul_promise *const *)ps->data;
  c->promise.result_type = v[0] ? v[0]->result_type : NULL;
  for (int64_t i = 0; i < n; i++) combi_watch(c, i, v[i]);
  if (--c->pending == 0 && c->promise.state == TUL_PROMISE_PENDING) vote_decide(c);
  return &c->promise;
}
