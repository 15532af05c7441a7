/* mapc.c: map_concurrent(xs, f, limit) (docs/reference.md §15.5). min(limit, n) worker tasks take
 * the next index in turn, call f through the apply thunk codegen made for f's type and, when f
 * returns a promise, await it; so at most `limit` calls are unfinished at once and results land in
 * input order. The first error stops new calls; once the calls in flight have settled the result
 * rejects with it. */
#undef _FORTIFY_SOURCE
#include <gc.h>
#include <setjmp.h>
#include <string.h>
#include "async_int.h"
#include "rt_int.h"

typedef struct mc_state {
  tul_promise promise;        /* first: the result, promise<R[]> */
  const tul_arr *xs;
  void *clo;
  tul_apply_fn apply;
  tul_arr *out;
  int64_t next, active;       /* next index to start; workers still running */
  uint8_t returns_promise;
  uint8_t failed;
  tul_json *error;            /* the first error */
  tul_async_origin *origin;
  void *created_at;           /* the map_concurrent call site */
} mc_state;

static const tul_type result_array = {TUL_K_ARRAY, 8, NULL, NULL, 0, NULL};

/* The origin of an error caught in a worker, for async traces (as task.c's run_body records it). */
static tul_async_origin *origin_of(tul_json *error, void *created_at) {
  tul_async_origin *o = GC_MALLOC(sizeof *o);
  o->created_at = created_at;
  o->inner = tul__async_origin_for(error);
  return o;
}

/* One call: f(xs[i]) into out[i], awaiting it when f returns a promise (a void result leaves the
 * slot zero: json null). */
static void call_one(mc_state *st, int64_t i) {
  const tul_arr *xs = st->xs;
  uint64_t slot = 0;
  st->apply(st->clo, xs->data + i * xs->elem->size, &slot);
  int64_t size = st->out->elem->size;
  if (st->returns_promise) {
    tul_promise *p;
    memcpy(&p, &slot, sizeof p);
    slot = 0;
    tul_await(p, tul__result_size(p->result_type) ? &slot : NULL);
  }
  memcpy(st->out->data + i * size, &slot, (size_t)size);
}

/* Runs call_one under a handler; returns the error it threw, or NULL. */
static tul_json *try_call(mc_state *st, int64_t i) {
  _Alignas(16) char handler[TUL__HANDLER_BYTES];
  tul_try_push(handler);
  if (_setjmp(*(jmp_buf *)handler) == 0) {
    call_one(st, i);
    tul_try_pop(handler);
    return NULL;
  }
  return tul_caught();
}

static void finish(mc_state *st) {
  if (st->failed) {
    tul__promise_reject(&st->promise, st->error, st->origin);
    return;
  }
  memcpy(&st->promise.value, &st->out, sizeof st->out);
  tul__promise_fulfil(&st->promise);
}

static void worker(void *args, void *result) {
  mc_state *st = *(mc_state **)args;
  while (!st->failed && st->next < st->xs->len) {
    int64_t i = st->next++;
    tul_json *error = try_call(st, i);
    if (error && !st->failed) {
      st->failed = 1;
      st->error = error;
      st->origin = origin_of(error, st->created_at);
    }
  }
  if (--st->active == 0) finish(st);
}

tul_promise *tul_map_concurrent(const tul_arr *xs, void *clo, void (*apply)(void *, const void *, void *),
                                int64_t limit, const tul_type *result_elem, _Bool returns_promise) {
  tul__forbid_on_worker("map_concurrent");
  if (limit < 1) tul__throw_fmt("ValueError: map_concurrent needs a limit of 1 or more, got %lld", (long long)limit);
  if (!clo) tul_throw_msg("TypeError: null reference");
  tul__async_init();
  mc_state *st = GC_MALLOC(sizeof *st);
  if (!st) tul_throw_msg("MemoryError: out of memory");
  st->promise.kind = TUL__P_PLAIN;
  st->promise.result_type = &result_array;
  st->xs = xs;
  st->clo = clo;
  st->apply = apply;
  st->returns_promise = returns_promise;
  st->created_at = __builtin_return_address(0);
  st->out = tul_arr_new(result_elem, xs->len);
  int64_t workers = xs->len < limit ? xs->len : limit;
  if (workers == 0) {
    finish(st);
    return &st->promise;
  }
  st->active = workers;
  for (int64_t w = 0; w < workers; w++) {
    void *args;
    tul_task_spawn(worker, sizeof(mc_state *), NULL, &args);
    memcpy(args, &st, sizeof st);
  }
  return &st->promise;
}
