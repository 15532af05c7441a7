/* mapc.c: map_concurrent(xs, f, limit) (docs/reference.md §15.5). min(limit, n) worker tasks take
 * the next index in turn, call f through the apply thunk codegen made for f's type and, when f
 * returns a promise, await it; so at most `limit` calls are unfinished at once and results land in
 * input order. The first error cancels the calls in flight (and the other workers); once they have
 * settled the result rejects with it. Cancelling the result cancels everything the same way. */
#undef _FORTIFY_SOURCE
#include <gc.h>
#include <setjmp.h>
#include <string.h>
#include "async_int.h"
#include "rt_int.h"

typedef struct mc_state {
  tul__hooked hooked;         /* first: the result, promise<R[]>, cancellable */
  const tul_arr *xs;
  void *clo;
  tul_apply_fn apply;
  tul_arr *out;
  int64_t next, active;       /* next index to start; workers still running */
  int64_t nworkers;
  tul_promise **workers;      /* each worker's task */
  tul_promise **inflight;     /* the promise each worker awaits now (NULL: none) */
  uint8_t returns_promise;
  uint8_t failed;
  tul_json *error;            /* the first error */
  tul_async_origin *origin;
  void *created_at;           /* the map_concurrent call site */
} mc_state;

typedef struct worker_args {
  mc_state *st;
  int64_t w;
} worker_args;

static const tul_type result_array = {TUL_K_ARRAY, 8, NULL, NULL, 0, NULL};

/* The origin of an error caught in a worker, for async traces (as task.c's run_body records it). */
static tul_async_origin *origin_of(tul_json *error, void *created_at) {
  tul_async_origin *o = GC_MALLOC(sizeof *o);
  o->created_at = created_at;
  o->inner = tul__async_origin_for(error);
  return o;
}

/* Cancels the calls in flight, except worker `except`'s (the one running now). A worker awaiting
 * the promise its call returned keeps waiting for it, so the result settles only once that call
 * has settled (its finally blocks ran); a worker suspended inside a call that runs on its own stack
 * (a plain function that awaits) is cancelled itself. One that has not started sees `failed` when
 * it starts and ends at once. */
static void cancel_others(mc_state *st, int64_t except) {
  for (int64_t w = 0; w < st->nworkers; w++) {
    if (w == except) continue;
    tul_promise *t = st->workers[w];
    if (st->inflight[w]) tul_cancel(st->inflight[w]);
    else if (t && ((tul__task *)t)->started) tul_cancel(t);
  }
}

/* One call of worker w: f(xs[i]) into out[i], awaiting it when f returns a promise (a void result
 * leaves the slot zero: json null). */
static void call_one(mc_state *st, int64_t w, int64_t i) {
  const tul_arr *xs = st->xs;
  uint64_t slot = 0;
  st->apply(st->clo, xs->data + i * xs->elem->size, &slot);
  if (st->returns_promise) {
    tul_promise *p;
    memcpy(&p, &slot, sizeof p);
    slot = 0;
    st->inflight[w] = p;
    tul_await(p, tul__result_size(p->result_type) ? &slot : NULL);
    st->inflight[w] = NULL;
  }
  int64_t size = st->out->elem->size;
  memcpy(st->out->data + i * size, &slot, (size_t)size);
}

/* Runs call_one under a handler; returns the error it threw, or NULL. */
static tul_json *try_call(mc_state *st, int64_t w, int64_t i) {
  _Alignas(16) char handler[TUL__HANDLER_BYTES];
  tul_try_push(handler);
  if (_setjmp(*(jmp_buf *)handler) == 0) {
    call_one(st, w, i);
    tul_try_pop(handler);
    return NULL;
  }
  st->inflight[w] = NULL;
  return tul__caught_raw();
}

static void fail(mc_state *st, tul_json *error, int64_t by) {
  if (st->failed) return;
  st->failed = 1;
  st->error = error;
  st->origin = origin_of(error, st->created_at);
  cancel_others(st, by);
}

static void finish(mc_state *st) {
  tul_promise *p = &st->hooked.promise;
  if (p->state != TUL_PROMISE_PENDING) return; /* cancelled */
  if (st->failed) {
    tul__promise_reject(p, st->error, st->origin);
    return;
  }
  memcpy(&p->value, &st->out, sizeof st->out);
  tul__promise_fulfil(p);
}

static void worker(void *args, void *result) {
  worker_args a = *(worker_args *)args;
  mc_state *st = a.st;
  while (!st->failed && st->next < st->xs->len) {
    tul_json *error = try_call(st, a.w, st->next++);
    if (error) fail(st, error, a.w);
  }
  st->workers[a.w] = NULL;
  if (--st->active == 0) finish(st);
}

/* cancel() of the result: everything in flight is cancelled; tul_cancel then rejects it. */
static void on_cancel(tul_promise *p, void *ud) {
  (void)p;
  fail(ud, tul__cancelled_error(), -1);
}

tul_promise *tul_map_concurrent(const tul_arr *xs, void *clo, void (*apply)(void *, const void *, void *),
                                int64_t limit, const tul_type *result_elem, _Bool returns_promise) {
  tul__forbid_on_worker("map_concurrent");
  if (limit < 1) tul__throw_fmt("ValueError: map_concurrent needs a limit of 1 or more, got %lld", (long long)limit);
  if (!clo) tul_throw_msg("TypeError: null reference");
  tul__async_init();
  mc_state *st = GC_MALLOC(sizeof *st);
  if (!st) tul_throw_msg("MemoryError: out of memory");
  st->hooked.promise.kind = TUL__P_HOOKED;
  st->hooked.promise.result_type = &result_array;
  st->hooked.on_cancel = on_cancel;
  st->hooked.ud = st;
  st->xs = xs;
  st->clo = clo;
  st->apply = apply;
  st->returns_promise = returns_promise;
  st->created_at = __builtin_return_address(0);
  st->out = tul_arr_new(result_elem, xs->len);
  st->nworkers = xs->len < limit ? xs->len : limit;
  st->workers = GC_MALLOC((size_t)(st->nworkers + 1) * sizeof *st->workers);
  st->inflight = GC_MALLOC((size_t)(st->nworkers + 1) * sizeof *st->inflight);
  if (st->nworkers == 0) {
    finish(st);
    return &st->hooked.promise;
  }
  st->active = st->nworkers;
  for (int64_t w = 0; w < st->nworkers; w++) {
    void *args;
    st->workers[w] = tul_task_spawn(worker, sizeof(worker_args), NULL, &args);
    *(worker_args *)args = (worker_args){st, w};
  }
  return &st->hooked.promise;
}
