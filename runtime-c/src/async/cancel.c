/* cancel.c: cancellation and structured concurrency (LANGUAGE.md §14): cancel(p), the scope and
 * shield chains of each context, scopes (members, first error, exit wait), tasks' implicit body
 * scopes, detached scopes for runtime C code. The contract is written in async_int.h. */
#include <gc.h>
#include <string.h>
#include "async_int.h"
#include "rt_int.h"

void tul__gather_cancel(tul_promise *p);
void tul__combinator_cancel(tul_promise *p);
void tul__timer_promise_cancel(tul_promise *p);
void tul__wake_task_waiter(tul__waiter *w, tul_promise *settled);
TUL_NORETURN void tul__rethrow_from(tul_json *error, tul_async_origin *origin, void *site);

/* The structured-concurrency record of a context, made when first needed (most tasks never are
 * in a scope: they pay one pointer). */
static tul__tstruct *ST(tul__task *t) {
  if (!t->st) {
    t->st = GC_MALLOC(sizeof *t->st);
    if (!t->st) tul_throw_msg("MemoryError: out of memory");
  }
  return t->st;
}
#define INNER(t) ((t)->st ? (t)->st->inner : NULL)
#define SCOPE(t) ((t)->st ? (t)->st->scope : NULL)

static const char cancelled_text[] = "CancelledError: cancelled";

tul_json *tul__cancelled_error(void) { return tul__json_str(tul__str_c(cancelled_text)); }

int tul__is_cancelled_error(const tul_json *e) {
  return e && e->tag == TUL_J_STR && e->u.s->len >= 14 && memcmp(e->u.s->data, "CancelledError", 14) == 0;
}

void tul__cancel_point(void) {
  tul__task *self = tul__self();
  if (self->stop) tul__throw_str(tul__str_c(cancelled_text));
}

void tul__refresh_stop(tul__task *ctx) {
  tul__scope *in = INNER(ctx);
  ctx->stop = in ? in->cancelled : ctx->cancelled;
}

/* ---------------------------------------------------------------- cancelling */

/* Oldest first; members that leave meanwhile move the cursor (scope_remove), and members added
 * meanwhile go to the head and are cancelled when spawned. */
static void cancel_members(tul__scope *s) {
  for (s->cursor = s->oldest; s->cursor;) {
    tul__task *t = s->cursor;
    s->cursor = t->st->sc_prev;
    tul__task_cancel(t);
  }
}

static void cancel_node(tul__scope *s) {
  if (s->cancelled || s->shield) return;
  s->cancelled = 1;
  cancel_members(s);
}

/* Wakes ctx if its pending wait must now throw. */
static void interrupt(tul__task *ctx) {
  tul__refresh_stop(ctx);
  if (!ctx->stop || !ctx->unlink) return;
  tul__unlink_fn unlink = ctx->unlink;
  unlink(ctx);
  tul__wake(ctx);
}

/* Cancels node s of ctx's chain (NULL: the whole chain, ctx->cancelled already set) and every node
 * inside it, except those inside a shield; then interrupts ctx's wait if it must stop. */
static void cancel_in_context(tul__task *ctx, tul__scope *s) {
  tul__scope *start = INNER(ctx), *end = s ? s->parent : NULL;
  for (tul__scope *n = start; n && n != end; n = n->parent)
    if (n->shield) start = n->parent;
  for (tul__scope *n = start; n && n != end; n = n->parent) cancel_node(n);
  interrupt(ctx);
}

/* Settles a task that never ran; it stays in the run queue, skipped as dead. */
static void kill_unstarted(tul__task *t) {
  t->dead = 1;
  t->cancelled = 1;
  tul__promise_reject(&t->promise, tul__cancelled_error(), NULL);
  tul__task_finished(t);
}

void tul__task_cancel(tul__task *t) {
  if (t->promise.state != TUL_PROMISE_PENDING || t->cancelled) return;
  if (!t->started) {
    kill_unstarted(t);
    return;
  }
  t->cancelled = 1;
  cancel_in_context(t, NULL);
}

void tul_cancel(tul_promise *p) {
  tul__forbid_on_worker("cancel");
  if (!p) tul_throw_msg("TypeError: null reference");
  if (p->state != TUL_PROMISE_PENDING) return;
  switch (p->kind) {
  case TUL__P_TASK:
    tul__task_cancel((tul__task *)p);
    return; /* settles when its body ends */
  case TUL__P_TIMER:
    tul__timer_promise_cancel(p);
    break;
  case TUL__P_GATHER:
    tul__gather_cancel(p);
    break;
  case TUL__P_SPAWN:
    tul__spawn_cancel(p); /* a queued job never runs; a running one's result is dropped */
    break;
  case TUL__P_RACE: case TUL__P_VOTE: case TUL__P_TIMEOUT:
    tul__combinator_cancel(p);
    break;
  case TUL__P_HOOKED: {
    tul__hooked *h = (tul__hooked *)p;
    tul__cancel_hook hook = h->on_cancel;
    h->on_cancel = NULL;
    if (hook) hook(p, h->ud);
    break;
  }
  default:
    break;
  }
  if (p->state == TUL_PROMISE_PENDING) tul__promise_reject(p, tul__cancelled_error(), NULL);
}

tul_promise *tul__promise_new_cancellable(const tul_type *result_type, tul__cancel_hook on_cancel, void *ud) {
  tul__async_init();
  tul__hooked *h = GC_MALLOC(sizeof *h);
  h->promise.kind = TUL__P_HOOKED;
  h->promise.result_type = result_type;
  h->on_cancel = on_cancel;
  h->ud = ud;
  return &h->promise;
}

/* ---------------------------------------------------------------- scopes */

static tul__scope *scope_new(tul__task *owner) {
  tul__scope *s = GC_MALLOC(sizeof *s);
  if (!s) tul_throw_msg("MemoryError: out of memory");
  s->owner = owner;
  s->done.kind = TUL__P_PLAIN;
  return s;
}

static void push_node(tul__task *ctx, tul__scope *s) {
  s->parent = INNER(ctx);
  s->cancelled = s->shield ? 0 : ctx->stop;
  ST(ctx)->inner = s;
  tul__refresh_stop(ctx);
}

static void pop_node(tul__task *ctx, tul__scope *s) {
  ctx->st->inner = s->parent;
  tul__refresh_stop(ctx);
}

void tul__scope_add(tul__scope *s, tul__task *t) {
  tul__tstruct *st = ST(t);
  st->scope = s;
  st->sc_prev = NULL;
  st->sc_next = s->tasks;
  if (s->tasks) s->tasks->st->sc_prev = t;
  else s->oldest = t;
  s->tasks = t;
  s->live++;
}

static void scope_remove(tul__scope *s, tul__task *t) {
  tul__tstruct *st = t->st;
  if (s->cursor == t) s->cursor = st->sc_prev;
  if (st->sc_prev) st->sc_prev->st->sc_next = st->sc_next;
  else s->tasks = st->sc_next;
  if (st->sc_next) st->sc_next->st->sc_prev = st->sc_prev;
  else s->oldest = st->sc_prev;
  st->sc_next = st->sc_prev = NULL;
  st->scope = NULL;
}

static void scope_check_done(tul__scope *s) {
  if (!s->closing || s->live > 0 || s->done.state != TUL_PROMISE_PENDING) return;
  tul__promise_fulfil(&s->done);
  if (s->on_done) s->on_done(s, s->error, s->ud);
}

void tul__scope_fail(tul__scope *s, tul_json *error, tul_async_origin *origin) {
  if (!s->error) {
    s->error = error;
    s->origin = origin;
  }
  if (s->owner) cancel_in_context(s->owner, s);
  else cancel_node(s);
}

void tul__scope_task_done(tul__task *t) {
  tul__scope *s = SCOPE(t);
  if (!s) return;
  scope_remove(s, t);
  s->live--;
  tul_promise *p = &t->promise;
  if (p->state == TUL_PROMISE_REJECTED && !tul__is_cancelled_error(p->error)) {
    p->handled = 1;
    tul__scope_fail(s, p->error, p->origin);
  }
  scope_check_done(s);
}

/* The innermost scope node of ctx's chain, or NULL. */
static tul__scope *innermost_scope(tul__task *ctx) {
  for (tul__scope *n = INNER(ctx); n; n = n->parent)
    if (!n->shield) return n;
  return NULL;
}

/* A structured task's implicit body scope, made at its first spawn outside its own scopes and
 * put at the bottom of its chain. */
static tul__scope *body_scope(tul__task *t) {
  tul__scope *b = scope_new(t);
  b->body = 1;
  b->cancelled = t->cancelled;
  tul__scope **slot = &ST(t)->inner;
  while (*slot) slot = &(*slot)->parent;
  *slot = b;
  tul__refresh_stop(t);
  return b;
}

tul__scope *tul__spawn_target(void) {
  tul__task *self = tul__self();
  tul__scope *s = innermost_scope(self);
  if (s) return s;
  return SCOPE(self) ? body_scope(self) : NULL;
}

/* Waits, not cancellably, until s is closed and empty. */
static void scope_wait(tul__scope *s, void *site) {
  s->closing = 1;
  scope_check_done(s);
  tul__task *self = tul__self();
  while (s->done.state == TUL_PROMISE_PENDING) {
    self->wait.owner = &s->done;
    self->wait.wake = tul__wake_task_waiter;
    tul__waiter_add(&s->done, &self->wait);
    tul__suspend(NULL, site);
  }
}

void tul__task_join_children(tul__task *t, tul_json **error, tul_async_origin **origin) {
  tul__scope *b = INNER(t);
  if (!b || !b->body) return;
  if (*error) tul__scope_fail(b, *error, *origin);
  scope_wait(b, t->wait_site);
  pop_node(t, b);
  if (b->error) { /* the first error: the body's own (recorded above) or a child's before it */
    *error = b->error;
    *origin = b->origin;
  }
}

/* ---------------------------------------------------------------- the ABI (§14 statements) */

void *tul_scope_enter(void) {
  tul__forbid_on_worker("scope");
  tul__async_init();
  tul__task *self = tul__self();
  tul__scope *s = scope_new(self);
  push_node(self, s);
  return s;
}

void tul_scope_fail(void *scope) {
  tul__scope *s = scope;
  tul_json *error = tul__exc_in_flight ? tul__exc_in_flight() : NULL;
  if (!s->error) s->error_is_body = 1;
  tul__scope_fail(s, error, NULL);
}

void tul_scope_exit(void *scope) {
  void *site = __builtin_return_address(0);
  tul__scope *s = scope;
  tul__task *self = tul__self();
  scope_wait(s, site);
  pop_node(self, s);
  if (s->error && !s->error_is_body) tul__rethrow_from(s->error, s->origin, site);
}

void *tul_shield_enter(void) {
  tul__forbid_on_worker("shield");
  tul__async_init();
  tul__task *self = tul__self();
  tul__scope *s = GC_MALLOC(sizeof *s);
  if (!s) tul_throw_msg("MemoryError: out of memory");
  s->shield = 1;
  s->owner = self;
  push_node(self, s);
  return s;
}

void tul_shield_exit(void *shield) { pop_node(tul__self(), shield); }

/* ---------------------------------------------------------------- detached scopes (runtime C) */

tul__scope *tul__scope_open(tul__scope_done_fn on_done, void *ud) {
  tul__async_init();
  tul__scope *s = scope_new(NULL);
  s->on_done = on_done;
  s->ud = ud;
  return s;
}

tul_promise *tul__spawn_into(tul__scope *s, tul_task_entry entry, int64_t args_size,
                             const tul_type *result_type, void **args_out, void *site);

tul_promise *tul__scope_spawn(tul__scope *s, tul_task_entry entry, int64_t args_size,
                              const tul_type *result_type, void **args_out) {
  return tul__spawn_into(s, entry, args_size, result_type, args_out, __builtin_return_address(0));
}

void tul__scope_cancel(tul__scope *s) { tul__scope_fail(s, tul__cancelled_error(), NULL); }

void tul__scope_close(tul__scope *s) {
  s->closing = 1;
  scope_check_done(s);
}

void tul__scope_adopt(tul__scope *s) { push_node(tul__self(), s); }

void tul__scope_unadopt(tul__scope *s) { pop_node(tul__self(), s); }
