/* promise.c: settling promises and waking their waiters, await, gather, unhandled rejections and
 * the drain at exit, and the async origin of re-thrown values (for async stack traces). */
#include <gc.h>
#include <string.h>
#include "async_int.h"

static tul_promise *unhandled;              /* rejected with nobody waiting (GC-visible list) */
static const tul_json *origin_value;        /* the value tul_await re-threw last ... */
static const tul_async_origin *origin_last; /* ... and where it came from */
static const tul_type gather_result_type = {TUL_K_ARRAY, 8, NULL, NULL, 0, NULL};

int64_t tul__result_size(const tul_type *t) {
  if (!t || t->kind == TUL_K_VOID) return 0;
  return t->kind == TUL_K_BOOL ? 1 : 8;
}

int64_t tul_promise_state(const tul_promise *p) { return p->state; }

const char *tul_promise_describe(const tul_promise *p) {
  static const char *names[] = {"<promise pending>", "<promise fulfilled>", "<promise rejected>"};
  return names[p->state];
}

const tul_async_origin *tul__async_origin_for(const tul_json *value) {
  return origin_last && value == origin_value ? origin_last : NULL;
}

void tul__async_origin_forget(const tul_json *value) {
  if (tul__self_worker || value != origin_value) return; /* workers never re-throw rejections */
  origin_value = NULL;
  origin_last = NULL;
}

/* ---------------------------------------------------------------- waiter lists */

void tul__waiter_add(tul_promise *p, tul__waiter *w) {
  tul__waiter *head = p->waiters;
  if (!head) {
    w->next = w->prev = w;
    p->waiters = w;
    return;
  }
  w->prev = head->prev;
  w->next = head;
  head->prev->next = w;
  head->prev = w;
}

void tul__waiter_remove(tul_promise *p, tul__waiter *w) {
  if (w->next == w) {
    p->waiters = NULL;
  } else {
    w->prev->next = w->next;
    w->next->prev = w->prev;
    if (p->waiters == w) p->waiters = w->next;
  }
  w->next = w->prev = NULL;
}

/* ---------------------------------------------------------------- settling */

/* Wakes every waiter of a settled promise, in the order they began to wait. */
static void wake(tul_promise *p) {
  tul__waiter *w = p->waiters;
  if (!w) return;
  p->waiters = NULL;
  w->prev->next = NULL; /* a wake may re-link its node elsewhere: read next first */
  while (w) {
    tul__waiter *next = w->next;
    w->next = w->prev = NULL;
    w->wake(w, p);
    w = next;
  }
}

void tul__promise_fulfil(tul_promise *p) {
  p->state = TUL_PROMISE_FULFILLED;
  wake(p);
}

void tul__promise_reject(tul_promise *p, tul_json *error, tul_async_origin *origin) {
  p->state = TUL_PROMISE_REJECTED;
  p->error = error;
  p->origin = origin;
  if (p->waiters || tul__is_cancelled_error(error)) p->handled = 1;
  else if (!p->listed) {
    p->listed = 1;
    p->next_unhandled = unhandled;
    unhandled = p;
  }
  wake(p);
}

void tul__promise_settle_like(tul_promise *p, const tul_promise *from) {
  if (from->state == TUL_PROMISE_REJECTED) {
    ((tul_promise *)from)->handled = 1;
    tul__promise_reject(p, from->error, from->origin);
    return;
  }
  p->value = from->value;
  tul__promise_fulfil(p);
}

tul_promise *tul__promise_new(const tul_type *result_type) {
  tul__forbid_on_worker("asynchronous I/O");
  tul__async_init();
  tul_promise *p = GC_MALLOC(sizeof *p);
  p->kind = TUL__P_PLAIN;
  p->result_type = result_type;
  return p;
}

void tul__promise_resolve(tul_promise *p, const void *slot) {
  if (p->state != TUL_PROMISE_PENDING) return;
  int64_t size = tul__result_size(p->result_type);
  if (slot && size) memcpy(&p->value, slot, (size_t)size);
  tul__promise_fulfil(p);
}

void tul__promise_reject_value(tul_promise *p, tul_json *error) {
  if (p->state != TUL_PROMISE_PENDING) return;
  tul__promise_reject(p, error, NULL);
}

/* A settled promise's list is gone (its nodes are being or were woken): nothing to undo then. */
void tul__promise_unwait(tul_promise *p, tul__waiter *w) {
  if (p->state == TUL_PROMISE_PENDING && w->next) tul__waiter_remove(p, w);
}

static void call_back(tul__waiter *w, tul_promise *settled) {
  tul__callback *cb = w->owner;
  cb->fn(cb, settled);
}

void tul__promise_on_settle(tul_promise *p, tul__waiter *w, tul__callback *cb) {
  if (p->state != TUL_PROMISE_PENDING) {
    p->handled = 1;
    cb->fn(cb, p);
    return;
  }
  *w = (tul__waiter){NULL, NULL, call_back, cb, 0};
  tul__waiter_add(p, w);
}

/* ---------------------------------------------------------------- await */

/* Throws p's rejection value from here, recording where it was awaited. */
static TUL_NORETURN void rethrow(tul_promise *p, void *site) {
  p->handled = 1;
  if (p->origin) p->origin->awaited_at = site;
  origin_value = p->error;
  origin_last = p->origin;
  tul_throw(p->error);
}

void tul__wake_task_waiter(tul__waiter *w, tul_promise *settled) {
  (void)settled;
  tul__wake((tul__task *)((char *)w - offsetof(tul__task, wait)));
}

/* A cancelled await leaves the waiter list; a runtime-made promise (timer, HTTP request,
 * combinator) nobody else waits for is released with it. Tasks go on (they are cancelled through
 * their scope, if any). */
static void unlink_await(tul__task *t) {
  tul_promise *p = t->wait.owner;
  tul__waiter_remove(p, &t->wait);
  if (!p->waiters && p->kind != TUL__P_TASK && p->kind != TUL__P_PLAIN) tul_cancel(p);
}

static inline __attribute__((always_inline)) void wait_for(tul_promise *p, void *site) {
  tul__task *self = tul__self();
  if (self->stop) tul__cancel_point();
  if (p->state != TUL_PROMISE_PENDING) return;
  self->wait.owner = p; /* what it waits on: the task is the node's container */
  self->wait.wake = tul__wake_task_waiter;
  tul__waiter_add(p, &self->wait);
  tul__suspend(unlink_await, site);
}

/* A chain of tasks each awaiting the next is async recursion; past this many it is unbounded
 * recursion, StackOverflowError as on a stack (LANGUAGE.md §7), long before the heap runs out
 * (docs/decisions.md). Each level costs a task record and its saved stack, about 1 KiB. */
#define AWAIT_DEPTH_MAX 100000

/* self is about to await the task behind p: the task sits one level below self in an await chain.
 * Too deep: the task (not started yet, in a recursion) is cancelled and self throws. */
static void note_await_depth(tul__task *self, tul_promise *p) {
  if (p->kind != TUL__P_TASK || p->state != TUL_PROMISE_PENDING) return;
  tul__task *t = (tul__task *)p;
  uint32_t depth = self->await_depth + 1;
  if (t->await_depth >= depth) return;
  t->await_depth = depth;
  if (depth <= AWAIT_DEPTH_MAX) return;
  tul_cancel(p);
  tul_stack_overflow();
}

void tul_await(tul_promise *p, void *out_slot) {
  void *site = __builtin_return_address(0);
  tul__forbid_on_worker("await");
  note_await_depth(tul__self(), p);
  wait_for(p, site);
  if (p->state == TUL_PROMISE_REJECTED) rethrow(p, site);
  int64_t size = tul__result_size(p->result_type);
  if (out_slot && size) memcpy(out_slot, &p->value, (size_t)size);
}

void tul__wait_for(tul_promise *p, void *site) { wait_for(p, site); }

/* Re-throws what a scope's exit found (a task's error), naming the exit as the await site. */
TUL_NORETURN void tul__rethrow_from(tul_json *error, tul_async_origin *origin, void *site) {
  if (origin) origin->awaited_at = site;
  origin_value = error;
  origin_last = origin;
  tul_throw(error);
}

/* ---------------------------------------------------------------- gather */

typedef struct tul__gather {
  tul_promise promise;
  int64_t pending;
  int64_t n;
  const tul_type *elem;
  tul_arr *result;
  struct gather_slot {
    tul__waiter w;
    tul_promise *child;   /* NULL: a plain value, or settled */
    const tul_type *type; /* the child's result type */
  } slots[];
} tul__gather;

/* Stores a child's value (at `slot`, of type `type`) as element i of the result. */
static void gather_store(tul__gather *g, int64_t i, const void *slot, const tul_type *type) {
  tul_arr *a = g->result;
  if (g->elem->kind == TUL_K_JSON && (!type || type->kind != TUL_K_JSON)) {
    tul_json *j = tul__result_size(type) ? tul_json_box(slot, type) : NULL;
    memcpy(a->data + i * 8, &j, sizeof j);
  } else if (g->elem->size > 0) {
    memcpy(a->data + i * g->elem->size, slot, (size_t)g->elem->size);
  }
}

static void gather_done(tul__gather *g) {
  tul_arr *a = g->result;
  memcpy(&g->promise.value, &a, sizeof a);
  tul__promise_fulfil(&g->promise);
}

static void gather_child_settled(tul__gather *g, int64_t index, tul_promise *child) {
  g->slots[index].child = NULL;
  if (child->state == TUL_PROMISE_REJECTED) {
    child->handled = 1;
    if (g->promise.state == TUL_PROMISE_PENDING) tul__promise_reject(&g->promise, child->error, child->origin);
    return;
  }
  if (g->promise.state != TUL_PROMISE_PENDING) return;
  gather_store(g, index, &child->value, g->slots[index].type);
  if (--g->pending == 0) gather_done(g);
}

static void gather_wake(tul__waiter *w, tul_promise *settled) {
  gather_child_settled(w->owner, w->index, settled);
}

static tul__gather *gather_new(int64_t n, const tul_type *elem_type) {
  tul__forbid_on_worker("gather");
  tul__gather *g = GC_MALLOC(sizeof(tul__gather) + (size_t)n * sizeof(struct gather_slot));
  g->promise.kind = TUL__P_GATHER;
  g->promise.result_type = &gather_result_type;
  g->n = n;
  g->elem = elem_type ? elem_type : &tul_type_json;
  g->result = tul_arr_new(g->elem, n);
  g->pending = 1; /* held until every argument is looked at */
  return g;
}

/* Argument i: the 8-byte slot of a value of static type t. */
static void gather_add(tul__gather *g, int64_t i, const void *slot, const tul_type *t) {
  if (!t || t->kind != TUL_K_PROMISE) {
    gather_store(g, i, slot, t);
    return;
  }
  tul_promise *child;
  memcpy(&child, slot, sizeof child);
  g->slots[i].type = t->elem;
  g->pending++; /* released by gather_child_settled, now or when the child settles */
  if (child->state != TUL_PROMISE_PENDING) {
    gather_child_settled(g, i, child);
    return;
  }
  g->slots[i].child = child;
  g->slots[i].w = (tul__waiter){NULL, NULL, gather_wake, g, i};
  tul__waiter_add(child, &g->slots[i].w);
}

static tul_promise *gather_finish(tul__gather *g) {
  if (g->promise.state == TUL_PROMISE_PENDING && --g->pending == 0) gather_done(g);
  return &g->promise;
}

tul_promise *tul_gather(int64_t n, const void *values, const tul_type *const *types,
                        const tul_type *elem_type) {
  tul__gather *g = gather_new(n, elem_type);
  for (int64_t i = 0; i < n; i++) gather_add(g, i, (const char *)values + i * 8, types[i]);
  return gather_finish(g);
}

tul_promise *tul_gather_arr(const tul_arr *ps, const tul_type *elem_type) {
  int64_t n = ps ? ps->len : 0;
  tul__gather *g = gather_new(n, elem_type);
  for (int64_t i = 0; i < n; i++) {
    tul_promise *p;
    memcpy(&p, ps->data + i * 8, sizeof p);
    if (!p) tul_throw_msg("TypeError: null reference");
    if (g->promise.state != TUL_PROMISE_PENDING) break;
    tul_type t = {TUL_K_PROMISE, 8, p->result_type, NULL, 0, NULL};
    gather_add(g, i, &p, &t);
  }
  return gather_finish(g);
}

/* Cancel of a gather: its pending children are cancelled (it rejects at the first of them). */
void tul__gather_cancel(tul_promise *gp) {
  tul__gather *g = (tul__gather *)gp;
  for (int64_t i = 0; i < g->n && gp->state == TUL_PROMISE_PENDING; i++)
    if (g->slots[i].child) tul_cancel(g->slots[i].child);
}

/* ---------------------------------------------------------------- drain */

tul_json *tul__take_unhandled(void) {
  tul_promise *first = NULL; /* the list is newest first: report the oldest */
  for (tul_promise *p = unhandled; p; p = p->next_unhandled)
    if (!p->handled) first = p;
  unhandled = NULL;
  if (!first) return NULL;
  first->handled = 1;
  origin_value = first->error;
  origin_last = first->origin;
  return first->error;
}

void tul__loop_drain(void) {
  tul__run_idle();
  tul_json *error = tul__take_unhandled();
  if (error) tul_throw(error);
}
