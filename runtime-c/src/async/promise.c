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

/* ---------------------------------------------------------------- settling */

static void gather_child_settled(tul_promise *g, int32_t index, tul_promise *child);

/* Wakes every waiter of a settled promise, in the order they began to wait. */
static void wake(tul_promise *p) {
  tul__waiter *w = p->waiters, *rev = NULL;
  p->waiters = NULL;
  while (w) {
    tul__waiter *next = w->next;
    w->next = rev;
    rev = w;
    w = next;
  }
  for (w = rev; w; ) {
    tul__waiter *next = w->next;
    if (w->kind == TUL__W_TASK) tul__ready(w->owner);
    else if (w->kind == TUL__W_CALL) ((tul__callback *)w->owner)->fn(w->owner, p);
    else if (w->kind == TUL__W_SELECT) tul__select_won(w->owner, w->index, TUL__CW_DONE);
    else gather_child_settled(w->owner, w->index, p);
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
  if (p->waiters) p->handled = 1;
  else if (!p->listed) {
    p->listed = 1;
    p->next_unhandled = unhandled;
    unhandled = p;
  }
  wake(p);
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

void tul__promise_unwait(tul_promise *p, tul__waiter *w) {
  for (tul__waiter **at = &p->waiters; *at; at = &(*at)->next)
    if (*at == w) {
      *at = w->next;
      return;
    }
}

void tul__promise_on_settle(tul_promise *p, tul__waiter *w, tul__callback *cb) {
  if (p->state != TUL_PROMISE_PENDING) {
    p->handled = 1;
    cb->fn(cb, p);
    return;
  }
  *w = (tul__waiter){p->waiters, cb, TUL__W_CALL, 0};
  p->waiters = w;
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

void tul_await(tul_promise *p, void *out_slot) {
  void *site = __builtin_return_address(0);
  tul__forbid_on_worker("await");
  if (p->state == TUL_PROMISE_PENDING) {
    if (tul__current) {
      tul__task *t = tul__current;
      t->wait.owner = t;
      t->wait.kind = TUL__W_TASK;
      t->wait.next = p->waiters;
      p->waiters = &t->wait;
      tul__task_suspend();
    } else {
      tul__run_until(p);
    }
  }
  if (p->state == TUL_PROMISE_REJECTED) rethrow(p, site);
  int64_t size = tul__result_size(p->result_type);
  if (out_slot && size) memcpy(out_slot, &p->value, (size_t)size);
}

/* ---------------------------------------------------------------- gather */

typedef struct gather_slot {
  tul__waiter w;
  const tul_type *type; /* the child's result type */
} gather_slot;

typedef struct tul__gather {
  tul_promise promise;
  int64_t pending;
  const tul_type *elem;
  tul_arr *result;
  gather_slot slots[];
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

static void gather_child_settled(tul_promise *gp, int32_t index, tul_promise *child) {
  tul__gather *g = (tul__gather *)gp;
  if (child->state == TUL_PROMISE_REJECTED) {
    child->handled = 1;
    if (gp->state == TUL_PROMISE_PENDING) tul__promise_reject(gp, child->error, child->origin);
    return;
  }
  if (gp->state != TUL_PROMISE_PENDING) return;
  gather_store(g, index, &child->value, g->slots[index].type);
  if (--g->pending == 0) gather_done(g);
}

tul_promise *tul_gather(int64_t n, const void *values, const tul_type *const *types,
                        const tul_type *elem_type) {
  tul__forbid_on_worker("gather");
  tul__gather *g = GC_MALLOC(sizeof(tul__gather) + (size_t)n * sizeof(gather_slot));
  g->promise.kind = TUL__P_GATHER;
  g->promise.result_type = &gather_result_type;
  g->elem = elem_type ? elem_type : &tul_type_json;
  g->result = tul_arr_new(g->elem, n);
  g->pending = 1; /* held until every argument is looked at */
  for (int64_t i = 0; i < n; i++) {
    const char *slot = (const char *)values + i * 8;
    const tul_type *t = types[i];
    if (!t || t->kind != TUL_K_PROMISE) {
      gather_store(g, i, slot, t);
      continue;
    }
    tul_promise *child;
    memcpy(&child, slot, sizeof child);
    g->slots[i].type = t->elem;
    if (child->state != TUL_PROMISE_PENDING) {
      gather_child_settled(&g->promise, (int32_t)i, child);
      continue;
    }
    g->pending++;
    g->slots[i].w = (tul__waiter){child->waiters, g, TUL__W_GATHER, (int32_t)i};
    child->waiters = &g->slots[i].w;
  }
  if (g->promise.state == TUL_PROMISE_PENDING && --g->pending == 0) gather_done(g);
  return &g->promise;
}

/* ---------------------------------------------------------------- drain */

void tul__loop_drain(void) {
  tul__run_until(NULL);
  tul_promise *first = NULL; /* the list is newest first: report the oldest */
  for (tul_promise *p = unhandled; p; p = p->next_unhandled)
    if (!p->handled) first = p;
  unhandled = NULL;
  if (!first) return;
  first->handled = 1;
  origin_value = first->error;
  origin_last = first->origin;
  tul_throw(first->error);
}
