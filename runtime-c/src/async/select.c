/* select.c: `select` (docs/reference.md §15). First a poll: the cases that can proceed now are
 * counted and one of them, picked uniformly at random, is performed. With none ready, `default`
 * runs, or every case registers a wait (a node in a channel queue, a waiter on a promise) and the
 * select sleeps; the first case that can proceed wins (the operation is done by whoever made it
 * possible), every other wait is undone at once, and nothing else is ever taken or sent. */
#include <gc.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "async_int.h"
#include "rt_int.h"

typedef struct sel_case {
  int64_t kind;   /* enum tul_select_kind */
  void *target;   /* tul_chan* or tul_promise* */
  tul__select *sel;
  int32_t index;
  union {
    tul__chan_wait cw;      /* RECV, SEND */
    tul__waiter pw;         /* PROMISE */
    tul__timer_node timer;  /* SLEEP: the select's own timer, released when another case wins */
  } u;
} sel_case;

struct tul__select {
  tul__task *task;    /* the waiting context (a task or the main program) */
  int64_t n;
  int32_t winner;     /* -1 while waiting */
  uint8_t state;      /* the winner's TUL__CW_DONE or CLOSED */
  sel_case cases[];
};

/* ---------------------------------------------------------------- randomness */

static uint64_t rng_state;

/* xorshift64*: plenty for picking among ready cases. Seeded from the clock on first use. */
int64_t tul__select_pick(int64_t n) {
  if (!rng_state) rng_state = (uint64_t)tul__now_ns() | 1;
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  uint64_t r = rng_state * 0x2545F4914F6CDD1DULL;
  return (int64_t)(((unsigned __int128)r * (uint64_t)n) >> 64);
}

/* ---------------------------------------------------------------- the poll */

static int ready(const tul_select_case *c) {
  if (c->kind != TUL_SEL_SLEEP && !c->target) tul_throw_msg("TypeError: null reference");
  switch (c->kind) {
  case TUL_SEL_RECV: return tul__chan_recv_ready(c->target);
  case TUL_SEL_SEND: return tul__chan_send_ready(c->target);
  case TUL_SEL_PROMISE: return ((tul_promise *)c->target)->state != TUL_PROMISE_PENDING;
  default: return 0; /* a timer is never due before the loop turns */
  }
}

/* Performs a ready case. */
static void perform(tul_select_case *c) {
  switch (c->kind) {
  case TUL_SEL_RECV:
    c->value = 0;
    if (tul__chan_try_recv(c->target, &c->value) < 0) tul__chan_throw_closed(0);
    return;
  case TUL_SEL_SEND:
    if (tul__chan_try_send(c->target, c->value) < 0) tul__chan_throw_closed(1);
    return;
  case TUL_SEL_PROMISE:
    c->value = 0;
    tul_await(c->target, &c->value); /* settled: gives the value or re-throws */
    return;
  }
}

/* Index of the ready case to run (uniform among them), or -1 when none is ready. */
static int64_t poll_cases(tul_select_case *cs, int64_t n) {
  int64_t nready = 0, last = -1;
  for (int64_t i = 0; i < n; i++)
    if (ready(&cs[i])) nready++, last = i;
  if (nready <= 1) return last;
  int64_t k = tul__select_pick(nready);
  for (int64_t i = 0;; i++)
    if (ready(&cs[i]) && k-- == 0) return i;
}

/* ---------------------------------------------------------------- waiting */

static void undo_case(sel_case *c) {
  switch (c->kind) {
  case TUL_SEL_RECV: case TUL_SEL_SEND: tul__chan_wait_unlink(&c->u.cw); return;
  case TUL_SEL_PROMISE: tul__promise_unwait(c->target, &c->u.pw); return;
  default: tul__timer_cancel(&c->u.timer); return;
  }
}

/* The cancellation hook of a waiting select (async_int.h, rule 2): every case leaves its queue. */
static void select_unlink(tul__task *t) {
  tul__select *s = t->wait.owner; /* set by wait_cases */
  for (int64_t i = 0; i < s->n; i++) undo_case(&s->cases[i]);
}

void tul__select_won(tul__select *s, int32_t index, uint8_t state) {
  if (s->winner >= 0) return; /* a second waiter of the same select on one settled promise */
  s->winner = index;
  s->state = state;
  for (int64_t i = 0; i < s->n; i++)
    if (i != index) undo_case(&s->cases[i]);
  tul__wake(s->task);
}

static void select_wake(tul__waiter *w, tul_promise *settled) {
  (void)settled;
  tul__select_won(w->owner, (int32_t)w->index, TUL__CW_DONE);
}

static void select_timer_fired(tul__timer_node *n) {
  sel_case *c = (sel_case *)((char *)n - offsetof(sel_case, u.timer));
  tul__select_won(c->sel, c->index, TUL__CW_DONE);
}

/* Registers case i's wait. */
static void arm(tul__select *s, int32_t i, const tul_select_case *in) {
  sel_case *c = &s->cases[i];
  c->kind = in->kind;
  c->target = in->target;
  c->sel = s;
  c->index = i;
  switch (c->kind) {
  case TUL_SEL_RECV: case TUL_SEL_SEND:
    c->u.cw.kind = TUL__CW_SELECT;
    c->u.cw.owner = s;
    c->u.cw.index = i;
    c->u.cw.value = in->value;
    tul__chan_wait_push(c->target, &c->u.cw, c->kind == TUL_SEL_SEND);
    return;
  case TUL_SEL_PROMISE:
    c->u.pw = (tul__waiter){NULL, NULL, select_wake, s, i};
    tul__waiter_add(c->target, &c->u.pw);
    return;
  default:
    c->u.timer.index = -1;
    tul__timer_arm(&c->u.timer, (int64_t)in->value, select_timer_fired);
  }
}

/* After the wait: the winner's result, as perform() would have produced it. */
static void finish(tul__select *s, tul_select_case *cs) {
  sel_case *c = &s->cases[s->winner];
  tul_select_case *out = &cs[s->winner];
  switch (c->kind) {
  case TUL_SEL_RECV:
    if (s->state == TUL__CW_CLOSED) tul__chan_throw_closed(0);
    out->value = c->u.cw.value;
    return;
  case TUL_SEL_SEND:
    if (s->state == TUL__CW_CLOSED) tul__chan_throw_closed(1);
    return;
  case TUL_SEL_PROMISE:
    out->value = 0;
    tul_await(c->target, &out->value);
    return;
  }
}

/* Nothing ready and no default: every case waits; the first that can proceed wins. A cancellation
 * undoes every case and throws CancelledError; once a case has won, its operation stands. */
static int64_t wait_cases(tul_select_case *cs, int64_t n, void *site) {
  tul__select *s = GC_MALLOC(sizeof *s + (size_t)n * sizeof(sel_case));
  if (!s) tul_throw_msg("MemoryError: out of memory");
  tul__task *t = tul__self();
  s->task = t;
  s->n = n;
  s->winner = -1;
  for (int32_t i = 0; i < n; i++) arm(s, i, &cs[i]);
  t->wait.owner = s; /* what it waits on (the waiter node itself is unused here) */
  tul__wait_begin(t, select_unlink, site);
  if (tul__current) tul__task_suspend();
  else tul__run_main_wait();
  t->unlink = NULL;
  if (s->winner < 0) {
    select_unlink(t);
    tul__cancel_point();
    abort(); /* only a cancellation wakes a select no case won */
  }
  finish(s, cs);
  return s->winner;
}

int64_t tul_select(tul_select_case *cases, int64_t n, _Bool has_default) {
  tul__forbid_on_worker("select");
  if (TUL_UNLIKELY(tul__self()->stop)) tul__cancel_point(); /* select is an await: sticky cancel */
  int64_t i = poll_cases(cases, n);
  if (i >= 0) {
    perform(&cases[i]);
    return i;
  }
  if (has_default) return -1;
  return wait_cases(cases, n, __builtin_return_address(0));
}
