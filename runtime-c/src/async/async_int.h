/* async_int.h: internal structures shared by the async runtime (task.c, stackpool.c, sched.c,
 * promise.c, timer.c, gcroots.c). Nothing here is part of the ABI generated code sees. */
#ifndef TUL_ASYNC_INT_H
#define TUL_ASYNC_INT_H

#include <setjmp.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
/* Context switch implementation, chosen at build time: TUL_SWITCH_UCONTEXT (swapcontext),
 * TUL_SWITCH_SETJMP (makecontext/start + _setjmp/_longjmp), or by default on x86_64 TUL_SWITCH_ASM
 * (a ten-instruction register push/pop switch); other targets default to TUL_SWITCH_SETJMP. */
#if !defined(TUL_SWITCH_UCONTEXT) && !defined(TUL_SWITCH_SETJMP)
#if defined(__x86_64__)
#define TUL_SWITCH_ASM 1
#else
#define TUL_SWITCH_SETJMP 1
#endif
#endif
#ifdef TUL_SWITCH_UCONTEXT
#include <ucontext.h>
#endif
#include "tulrt.h"
#include "tulrt_async.h"

#if defined(__SANITIZE_ADDRESS__)
#define TUL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TUL_ASAN 1
#endif
#endif

/* ---------------------------------------------------------------- contexts (task.c)
 * The context switch contract: tul__ctx_switch(from, to) saves the running context into `from`
 * and resumes `to`; it returns when somebody switches back to `from`. Callee-saved registers are
 * spilled onto the stack first and `from->sp` records the lowest address in use, so the GC can
 * scan a suspended stack as the range [sp, stack top). A context whose `fresh` flag is set has
 * never run: the switch starts it with makecontext/setcontext on its stack (tul__task_main). */
typedef struct tul__ctx {
#ifdef TUL_SWITCH_UCONTEXT
  ucontext_t uc;
#elif defined(TUL_SWITCH_SETJMP)
  jmp_buf jb;
#endif
  void *sp;         /* lowest live address while suspended */
  int fresh;        /* never ran: start on the stack below */
  char *stack_lo;   /* the stack this context runs on (NULL: the main stack) */
  size_t stack_size;
#ifdef TUL_ASAN
  void *asan_fake;  /* ASan fake-stack handle while suspended */
#endif
} tul__ctx;

void tul__ctx_switch(tul__ctx *from, tul__ctx *to);

/* ---------------------------------------------------------------- stacks (stackpool.c)
 * A stack ("slot") is a slice of a slab mapping (MAP_NORESERVE, MADV_NOHUGEPAGE, no guard page:
 * the prologue check against tul_stack_limit replaces it). Its header sits at the very top, in the
 * first page the task touches anyway, and holds the context of whatever runs on the stack. A free
 * slot keeps its worker context, so the next task that takes it resumes that loop instead of
 * starting a fresh one. At most tul__slot_limit slots exist; beyond that, suspended tasks are
 * evicted (their live bytes copied out) and restored at the same addresses (see stackpool.c). */
typedef struct tul__task tul__task;
typedef struct tul__stack {
  tul__ctx ctx;
  struct tul__stack *next, *prev; /* free list or in-use list */
  tul__task *task;                /* the occupant (running or suspended); NULL while free */
  char *lo;                       /* lowest usable address */
} tul__stack;

void tul__stack_pool_init(void);
/* A slot for a task that never ran: a free one, a new one, or one whose suspended occupant is
 * evicted (never `running`). Listed as in use; the caller sets its occupant. NULL when the heap has
 * no room for the occupant's copy. */
tul__stack *tul__stack_acquire(const tul__stack *running);
tul__stack *tul__stack_restore(tul__task *t); /* evicted t back on t->home (not the running slot) */
void tul__stack_release(tul__stack *s);
void tul__stack_pool_rearm(void);           /* a task ended: take back the spent reserve if there is room */
char *tul__stack_top(const tul__stack *s); /* one past the header: the GC's stack bottom */
extern tul__stack *tul__stacks_in_use;     /* occupied slots, doubly linked through next/prev */
extern int64_t tul__stack_pool_high_water; /* most slots at once */
extern int64_t tul__stacks_mapped, tul__stacks_free, tul__stack_slabs; /* slots, free slots, slabs */
extern int64_t tul__stack_evictions, tul__stack_restores;
extern int64_t tul__slot_limit;
extern size_t tul__stack_size;

/* ---------------------------------------------------------------- promises (promise.c) */
enum {
  TUL__P_PLAIN = 0,   /* settled by runtime code; cancel just rejects it */
  TUL__P_TASK = 1,    /* a task's own promise (tul__task) */
  TUL__P_TIMER = 2,   /* sleep_async (timer.c) */
  TUL__P_GATHER = 3,  /* combinators (promise.c, combine.c): cancel cancels their pending children */
  TUL__P_SPAWN = 4,   /* a job on the spawn pool (spawn.c): cancel dequeues it or drops its result */
  TUL__P_RACE = 5,
  TUL__P_VOTE = 6,
  TUL__P_TIMEOUT = 7,
  TUL__P_HOOKED = 8,  /* a runtime promise with a release hook (tul__hooked: HTTP, channels, ...) */
};

/* Something waiting for a promise: a suspended task, the main program or a combinator slot. The
 * promise keeps its waiters in a circular doubly linked list (p->waiters is the oldest; its prev is
 * the newest), so a waiter leaves in O(1) when its task is cancelled, and settling wakes them in
 * the order they began to wait. `wake` is called once, on the loop thread, after p settled. */
typedef struct tul__waiter tul__waiter;
typedef void (*tul__wake_fn)(tul__waiter *w, tul_promise *settled);
struct tul__waiter {
  tul__waiter *next, *prev;
  tul__wake_fn wake;
  void *owner;      /* a combinator, a callback; a task's own node: the promise it waits on */
  int64_t index;    /* combinator slot */
};
void tul__waiter_add(tul_promise *p, tul__waiter *w);    /* append (p pending) */
void tul__waiter_remove(tul_promise *p, tul__waiter *w); /* w must be on p's list */
void tul__promise_unwait(tul_promise *p, tul__waiter *w); /* removes w if still on p's list */

/* A runtime callback waiting for a promise (a waiter whose owner is a tul__callback).
 * `fn` runs on the loop thread when the promise settles, inside whatever settled it (a task's end,
 * an I/O callback): it must not run user code or suspend. A rejection with such a waiter counts as
 * handled. */
typedef struct tul__callback {
  void (*fn)(struct tul__callback *cb, tul_promise *p);
} tul__callback;
/* Calls cb->fn(cb, p) when p settles, or at once when it already has. `w` is the caller's node. */
void tul__promise_on_settle(tul_promise *p, tul__waiter *w, tul__callback *cb);

struct tul_promise {
  uint8_t state;    /* enum tul_promise_state */
  uint8_t kind;     /* TUL__P_* */
  uint8_t handled;  /* rejection awaited or passed on (a CancelledError always is) */
  uint8_t listed;   /* on the unhandled-rejection list */
  const tul_type *result_type;
  uint64_t value;   /* the result slot (bool: first byte) */
  tul_json *error;
  tul__waiter *waiters;
  tul_async_origin *origin;   /* where a rejection came from */
  struct tul_promise *next_unhandled;
};

void tul__promise_fulfil(tul_promise *p);           /* value already in p->value */
void tul__promise_reject(tul_promise *p, tul_json *error, tul_async_origin *origin);
void tul__promise_settle_like(tul_promise *p, const tul_promise *from); /* copy state and value */
int64_t tul__result_size(const tul_type *t);        /* 0 void, 1 bool, 8 otherwise */
void tul__promise_unwait(tul_promise *p, tul__waiter *w); /* takes w off p's waiters, if there */

/* ---------------------------------------------------------------- channels (channel.c, select.c)
 * A channel keeps its waiting receivers and senders in two FIFO queues: circular doubly linked
 * lists whose sentinel is a tul__qlink inside the channel, so any waiter leaves in O(1) (the unlink
 * a cancelled wait needs). A waiter is a task awaiting directly (the node embedded in the task), a
 * promise (`ch.recv()` as a value) or one case of a waiting select. */
typedef struct tul__qlink {
  struct tul__qlink *next, *prev;
} tul__qlink;

enum { TUL__CW_TASK = 0, TUL__CW_PROMISE = 1, TUL__CW_SELECT = 2 };
enum { TUL__CW_WAITING = 0, TUL__CW_DONE = 1, TUL__CW_CLOSED = 2 };

typedef struct tul__chan_wait {
  tul__qlink link;   /* first: on a channel's recvq or sendq while waiting (next NULL otherwise) */
  void *owner;       /* tul__task*, tul_promise* or tul__select* (by kind) */
  uint64_t value;    /* a sender's value, or the value a receiver got */
  uint8_t kind;      /* TUL__CW_* */
  uint8_t state;     /* TUL__CW_WAITING, DONE, CLOSED */
  int32_t index;     /* select case */
} tul__chan_wait;

struct tul_chan {
  tul__qlink recvq, sendq;  /* waiting receivers / senders (the channel is their sentinel) */
  const tul_type *elem;
  int64_t cap, len, head;   /* ring buffer of cap 8-byte slots: buf[head] is the oldest */
  uint8_t size;             /* bytes of a value in a slot: 1 for bool, else 8 */
  uint8_t closed;
  uint64_t buf[];
};

/* Ready checks that change nothing, and the operations select performs (channel.c): try_send
 * and try_recv return 1 done, 0 would wait, -1 closed (and, for recv, drained). */
int tul__chan_recv_ready(const tul_chan *c);
int tul__chan_send_ready(const tul_chan *c);
int tul__chan_try_send(tul_chan *c, uint64_t v);
int tul__chan_try_recv(tul_chan *c, uint64_t *v);
void tul__chan_wait_push(tul_chan *c, tul__chan_wait *w, int send); /* append to recvq/sendq */
void tul__chan_wait_unlink(tul__chan_wait *w);                     /* no-op unless queued */
TUL_NORETURN void tul__chan_throw_closed(int send);
void tul__chan_check(const tul_chan *c); /* null: TypeError; on a spawn worker: RuntimeError */


typedef struct tul__select tul__select;
/* A waiting select's case `index` can proceed (`state`: TUL__CW_DONE or CLOSED for a channel case,
 * DONE for a settled promise or a due timer): it wins, every other case's wait is undone, and the
 * select's task is woken. */
void tul__select_won(tul__select *s, int32_t index, uint8_t state);
int64_t tul__select_pick(int64_t n); /* uniform in [0, n): the one source of select's randomness */

/* ---------------------------------------------------------------- cancellation (cancel.c)
 * THE CONTRACT (for every kind of wait and every promise the runtime creates):
 *
 * 1. Runtime promises. `cancel(p)` (tul_cancel) on a settled promise does nothing. On a pending
 *    one it dispatches on p->kind: a task is cancelled (rule 3); a timer leaves the heap; a
 *    combinator cancels its pending children; a TUL__P_HOOKED promise gets its `on_cancel` hook
 *    called once (release whatever backs it: dequeue a job, abort a transfer, leave a channel's
 *    queue); then p rejects with a fresh `CancelledError: cancelled` unless the hook settled it.
 *    Create such promises with tul__promise_new_cancellable (below). A CancelledError rejection
 *    is always `handled`: an unobserved cancellation is never an uncaught error.
 *
 * 2. Suspended tasks. A task (or the main program) that suspends records what it waits on with
 *    tul__wait_begin(t, unlink, site) right before tul__task_suspend, or goes through
 *    tul__suspend(unlink, site), which does both and then checks. `unlink(t)` must undo the wait
 *    (leave the timer heap, a promise's waiter list, a channel's queue...) and must be O(1) or
 *    O(log n). Whoever wakes the task normally calls tul__wake(t), which clears the hook before
 *    queueing it, so a later cancel never unlinks twice. On cancel, the runtime calls unlink(t)
 *    itself, clears it and queues the task; when the task resumes, tul__cancel_point() throws
 *    CancelledError. Code that resumes from a wait calls tul__cancel_point() first thing. Waits
 *    that must not be interrupted (a scope's exit, a task joining its children) pass unlink=NULL.
 *
 * 3. Tasks and contexts. Every context that runs code (each task, and the main program: the
 *    pseudo-task tul__main_task) keeps a chain of scope and shield nodes (`inner`, innermost first,
 *    linked through `parent`) and a flag `stop`: its next await throws CancelledError. cancel(t)
 *    sets t->cancelled (sticky), cancels every node of t's chain that is not inside a shield
 *    (cancelling a scope node cancels the tasks in it), recomputes `stop` and, if it is set and
 *    t is suspended cancellably, wakes it. A task that never ran is settled at once (it never
 *    runs: the run queue skips `dead` tasks). Cancel is synchronous: when tul_cancel returns,
 *    every hook ran and every wake-up is queued.
 *
 * 4. Scopes. A scope (tul__scope) counts the tasks that belong to it. tul_task_spawn puts a new
 *    task in the innermost scope node of the spawning context's chain; a structured task (one in
 *    a scope) that spawns outside any scope of its own gets a lazily made body scope, so it
 *    settles only after its children. The first error (body or task, CancelledError of a
 *    cancelled task excepted) is kept and cancels the rest; the scope's exit waits (not
 *    cancellably) until every task settled and re-throws it. Runtime C code (a server's request)
 *    uses a detached scope: tul__scope_open / tul__scope_spawn / tul__scope_cancel /
 *    tul__scope_close; `on_done` runs on the loop thread once it is closed and empty.
 *
 * 5. Deterministic time and order (issue 14): time is read only through tul__now_ns (timer.c);
 *    the next task to run is picked only in pop_ready (sched.c). */
typedef struct tul__scope tul__scope;
typedef void (*tul__unlink_fn)(tul__task *t);
typedef void (*tul__cancel_hook)(tul_promise *p, void *ud);
typedef void (*tul__scope_done_fn)(tul__scope *s, tul_json *first_error, void *ud);

typedef struct tul__hooked {
  tul_promise promise;
  tul__cancel_hook on_cancel; /* loop thread, at most once, while the promise is pending */
  void *ud;                   /* GC-scanned */
} tul__hooked;
tul_promise *tul__promise_new_cancellable(const tul_type *result_type, tul__cancel_hook on_cancel, void *ud);

struct tul__scope {
  tul__scope *parent;     /* enclosing node of the owner's chain (NULL: outermost) */
  tul__task *owner;       /* the context running the body (NULL: detached) */
  uint8_t shield;         /* a shield node: no tasks; never cancelled from outside */
  uint8_t cancelled;
  uint8_t closing;        /* the body has ended: `done` settles once `live` is 0 */
  uint8_t body;           /* a task's implicit body scope */
  uint8_t error_is_body;  /* `error` was thrown by the body itself (still in flight there) */
  int64_t live;           /* member tasks not yet settled */
  tul__task *tasks;       /* members, newest first, through sc_next (sc_prev: towards newer) */
  tul__task *oldest;      /* the last of that list */
  tul__task *cursor;      /* next member to cancel while cancelling (removal-safe) */
  tul_json *error;        /* the first error */
  tul_async_origin *origin;
  tul_promise done;       /* fulfilled when closing and empty */
  tul__scope_done_fn on_done; /* detached scopes */
  void *ud;
};

tul_json *tul__cancelled_error(void);          /* a fresh "CancelledError: cancelled" */
int tul__is_cancelled_error(const tul_json *e);
void tul__task_cancel(tul__task *t);
void tul__scope_fail(tul__scope *s, tul_json *error, tul_async_origin *origin);
void tul__scope_task_done(tul__task *t);        /* t settled: leave its scope */
tul__scope *tul__spawn_target(void);             /* where a task spawned now belongs (NULL: none) */
void tul__scope_add(tul__scope *s, tul__task *t);
void tul__task_join_children(tul__task *t, tul_json **error, tul_async_origin **origin);

/* Runtime C API for structured work (server requests, ...). */
tul__scope *tul__scope_open(tul__scope_done_fn on_done, void *ud);
tul_promise *tul__scope_spawn(tul__scope *s, tul_task_entry entry, int64_t args_size,
                              const tul_type *result_type, void **args_out);
void tul__scope_cancel(tul__scope *s);
void tul__scope_close(tul__scope *s);
/* Runtime C code calling user code on behalf of detached scope s (a server calling a request's
 * handler): between the two calls, tasks the running context spawns belong to s, and cancelling
 * the context cancels s too. Calls pair up on every way out, throws included. */
void tul__scope_adopt(tul__scope *s);
void tul__scope_unadopt(tul__scope *s);

/* ---------------------------------------------------------------- tasks (task.c) */
/* A pending timer (timer.c): in the heap (index >= 0) or the zero-delay FIFO (index == -2);
 * index == -1 when not armed. `fire` runs on the loop thread when it is due (the node is already
 * out of the heap). */
typedef struct tul__timer_node tul__timer_node;
struct tul__timer_node {
  int64_t deadline; /* monotonic ns */
  uint64_t seq;     /* creation order */
  tul__timer_node *next_zero, *prev_zero;
  int64_t index;
  void (*fire)(tul__timer_node *n);
};

/* A context's structured-concurrency record (cancel.c makes it on first use). */
typedef struct tul__tstruct {
  tul__scope *scope;            /* the scope it belongs to (NULL: unstructured) */
  tul__task *sc_next, *sc_prev; /* members of scope->tasks */
  tul__scope *inner;            /* innermost scope/shield node of its own code */
} tul__tstruct;

struct tul__task {
  tul_promise promise;      /* first: a task pointer is its promise pointer */
  tul__task *next_ready;    /* run queue */
  tul__stack *stack;        /* the slot it occupies; NULL before it first runs, while evicted, after it ends */
  tul__stack *home;         /* the slot it runs on (its stack addresses), from its first run */
  void *saved;              /* GC block holding its live stack bytes while evicted */
  void *saved_sp;           /* ... which belong at [saved_sp, home) */
  size_t saved_cap;         /* GC_size(saved), kept here: asking the GC is a cache miss per eviction */
  tul_task_entry entry;
  void *created_at;
  tul__waiter wait;         /* used while suspended in tul_await */
  tul__timer_node sleep;    /* used while suspended in tul_sleep_await */
  tul__chan_wait chan_wait; /* used while suspended in tul_chan_send_await / tul_chan_recv_await */
  void *exc;                /* per-task exception state (inside this allocation) */
  void *args;               /* inside this allocation, 16-byte aligned */
  /* cancellation and scopes (cancel.c) */
  tul__tstruct *st;         /* scope membership and chain; NULL until it needs them */
  tul__unlink_fn unlink;    /* set while suspended cancellably */
  void *wait_site;          /* where it waits (return address into user code) */
  uint32_t await_depth;     /* length of the chain of tasks awaiting it (promise.c: recursion limit) */
  uint8_t cancelled;        /* cancel() was called: sticky */
  uint8_t stop;             /* its next await throws CancelledError */
  uint8_t started;          /* it has run */
  uint8_t dead;             /* settled before it ran: the run queue skips it */
  uint8_t cancellable;      /* suspended in a cancellable wait (tul__suspend) */
};

/* The running task of this thread: NULL on the main program and always on spawn workers (they run
 * plain functions only). Thread-local (TUL_TLS, tulrt.h): only the loop thread ever sets it. */
extern TUL_TLS tul__task *tul__current;
extern tul__task tul__main_task;  /* the main program as a context (run-queue marker too) */
extern tul__ctx tul__main_ctx;    /* the main program's context while a task runs */
static inline tul__task *tul__self(void) { return tul__current ? tul__current : &tul__main_task; }
void tul__task_resume(tul__task *t);   /* main -> t until t suspends or ends */
/* A task in scope s (NULL: unstructured) that, on the main program (runtime code answering I/O in
 * a libuv callback), runs at once until it first suspends or ends, instead of in the next
 * scheduler round; inside a task it is queued as usual. `init(args, ud)` fills the argument block
 * first. A cancelled s settles it without running it. */
tul_promise *tul__task_start(tul__scope *s, tul_task_entry entry, int64_t args_size,
                             const tul_type *result_type, void (*init)(void *args, void *ud), void *ud);
void tul__task_suspend(void);          /* current task -> main; returns when resumed (then ends a
                                          tul__suspend wait: may throw CancelledError) */
void tul__task_main(void);             /* entry point of a fresh stack */
void tul__task_init(void);
void tul__task_finished(tul__task *t); /* bookkeeping once t's promise settled */

/* Waiting (sched.c): see the contract above. */
static inline void tul__wait_begin(tul__task *t, tul__unlink_fn unlink, void *site) {
  t->unlink = unlink;
  t->wait_site = site;
}
void tul__wake(tul__task *t);            /* clear the hook and queue t (or the main program) */
void tul__cancel_point(void);            /* throws CancelledError if the running context must stop */
void tul__run_main_wait(void);         /* main only: drive the loop until the main program is woken */
void tul__refresh_stop(tul__task *ctx);  /* recompute ctx->stop from its chain */
/* Suspends the running context (task or main program) until woken; unlink NULL: not cancellable.
 * Then throws CancelledError if it must stop and the wait was cancellable. Inline: a suspended
 * task's stack is copied when evicted, so every frame between user code and the switch costs
 * memory per waiting task. */
static inline __attribute__((always_inline)) void tul__suspend(tul__unlink_fn unlink, void *site) {
  tul__task *self = tul__self();
  tul__wait_begin(self, unlink, site);
  self->cancellable = unlink != NULL;
  if (tul__current) {
    tul__task_suspend(); /* ends the wait itself (a tail call where nothing follows) */
    return;
  }
  tul__run_main_wait();
  self->unlink = NULL;
  self->cancellable = 0;
  if (unlink && self->stop) tul__cancel_point();
}
/* Waits (task or main program, cancellably) until p settles; `site`: where, for the deadlock
 * report. The caller reads the outcome. */
void tul__wait_for(tul_promise *p, void *site);

/* ---------------------------------------------------------------- scheduler (sched.c) */
void tul__ready(tul__task *t);          /* append to the FIFO run queue */
/* Next task of this round that `running` can hand over to directly, or NULL: go to main. */
tul__task *tul__take_next_in_round(const tul__stack *running);
void tul__run_idle(void);              /* main only: until nothing is left (exit drain) */
int64_t tul__run_until_idle(void);     /* the same, returning the tasks still waiting (no report) */
/* Set by tulc test's runner: a loop kept alive only by what waits for the outside world (a
 * listening server, a signal watcher) counts as idle, so a server the file's top-level statements
 * started does not keep a test (or its deadlock report) waiting forever. */
extern int tul__outside_is_idle;
/* The oldest rejection nobody awaited since the last call (the list is emptied), marked handled
 * and recorded as the last re-thrown value (tul__async_origin_for finds its trace); NULL: none. */
tul_json *tul__take_unhandled(void);
extern int64_t tul__live_tasks;         /* spawned and not finished */

/* ---------------------------------------------------------------- spawn (spawn.c) */
/* cancel of a spawned job's promise: a queued job is removed (returns 1: it never runs); a
 * running one is marked so that its result is dropped when it finishes (returns 0). Either way
 * the caller settles the promise. A finished or already cancelled job: returns -1. */
int tul__spawn_cancel(tul_promise *p);
int64_t tul__spawn_in_flight(void); /* jobs whose completion the loop still waits for */

/* ---------------------------------------------------------------- deterministic mode (determ.c)
 * TULPAR_DETERMINISTIC=<seed>: tul__now_ns reads the virtual clock tul__virtual_ns (0 at start),
 * which moves only when the scheduler finds nothing runnable and no I/O in flight (it then jumps
 * to the next timer's deadline) or by a blocking sleep(ms); with a non-zero seed each scheduler
 * round runs its ready tasks in a seeded order (seed 0: FIFO); spawn runs inline. */
extern int tul__det;          /* deterministic mode is on */
extern int tul__det_shuffle;  /* ... with a non-zero seed: rounds run in a seeded order */
extern int64_t tul__virtual_ns;
void tul__det_init(void);                 /* reads TULPAR_DETERMINISTIC (once; tul__async_init) */
void tul__det_reseed(uint64_t extra);     /* restarts the seeded streams (a test passes its name's hash) */
uint64_t tul__det_next(void);             /* the scheduler's stream */
void tul__det_advance_to(int64_t ns);     /* moves the virtual clock forward to ns */
void tul__select_seed(uint64_t seed);     /* select.c: restarts select's random stream */
/* I/O in flight, which keeps the virtual clock still: HTTP client requests (a count kept by
 * http_client.c) and server connections reading a request or answering one (http_server.c, linked
 * only with the server). */
extern int64_t tul__io_busy;
int tul__http_server_busy(void) __attribute__((weak));
uint64_t tul__det_seed(void);             /* the seed (0 when the mode is off) */
extern int64_t tul__virtual_base_ns;      /* clock_ms() and time_ms() count from here (a test's start) */

/* ---------------------------------------------------------------- deadlock and tests (sched.c, testing.c) */
/* The deadlock report's lines (sched.c) to `out`, each after `indent`; `main_line`: with the line
 * saying where the main program waits. */
void tul__deadlock_report(FILE *out, const char *indent, int main_line);
/* While `tulc test` runs a test (testing.c): called when the main program waits and nothing can
 * run; returns 1 when it took the deadlock as the test's failure (and cancelled the test, so the
 * loop goes on), 0 to let the program end with the deadlock report. */
int tul__test_deadlock(void) __attribute__((weak));
/* Cancels the waiting tasks that hold a stack slot (after a deadlock in a test: they would wait
 * forever); the evicted ones the report counts stay. */
void tul__cancel_waiting_tasks(void);

/* ---------------------------------------------------------------- timers (timer.c) */
int64_t tul__now_ns(void);
int tul__timers_pending(void);
int64_t tul__timers_next_deadline(void); /* only when pending */
void tul__timers_fire(int64_t now_ns);   /* fires every timer with deadline <= now */
void tul__timers_fire_due(void);         /* the same at the end of a round: no clock read when none is pending */
void tul__timer_arm(tul__timer_node *n, int64_t ms, void (*fire)(tul__timer_node *n));
void tul__timer_cancel(tul__timer_node *n); /* no-op when not armed */

/* ---------------------------------------------------------------- traces (trace.c) */
/* Writes "file:line" (or the function name when no line is known) of the user code at return
 * address pc into buf; "?" when it is not user code. */
void tul__trace_site(void *pc, char *buf, size_t n) __attribute__((weak));

/* ---------------------------------------------------------------- GC (gcroots.c) */
void tul__gc_init(void);
void tul__gc_enter_stack(char *bottom);  /* tell the GC the running stack's bottom (NULL: main) */
void tul__gc_task_count_changed(int64_t live);

/* The switch guard. Once spawn workers exist, a collection a worker starts stops the loop thread
 * at any instruction, and the GC then scans the loop thread from its stack pointer to the bottom
 * tul__gc_enter_stack last set, and the other stacks from what push_task_stacks reads (the running
 * task, each slot's saved sp). Between `enter` and the end of a switch those disagree, so the loop
 * thread brackets that window (which allocates nothing and takes no lock) with tul__switch_begin /
 * tul__switch_end, and a worker's collection waits before stopping the world while the window is
 * open (gcroots.c, on_gc_event). A handshake of two flags, as Dekker's: the loop thread raises
 * `switching` and then looks at `stopping`; the collector raises `stopping` and then looks at
 * `switching` (both sequentially consistent), so at most one of them goes ahead. Without workers
 * (tul__threads_live == 0, a plain variable the loop thread writes) it is one predictable branch. */
#ifndef TUL_INTERNAL
#define TUL_INTERNAL __attribute__((visibility("hidden"))) /* as in rt_int.h, which says why */
#endif
extern TUL_INTERNAL int tul__threads_live;
typedef struct tul__worker tul__worker;
extern TUL_TLS tul__worker *tul__self_worker; /* spawn.c: this thread's worker; NULL on the loop thread */
/* What a spawned function may not do, checked where the compiler cannot see it (a call through a
 * function value): throws "RuntimeError: <what> in a spawned function" on a worker. */
TUL_NORETURN void tul__forbidden_on_worker(const char *what);
static inline void tul__forbid_on_worker(const char *what) {
  if (__builtin_expect(tul__self_worker != NULL, 0)) tul__forbidden_on_worker(what);
}
extern TUL_INTERNAL int tul__gc_switching, tul__gc_stopping; /* accessed with __atomic builtins only */
void tul__switch_wait(void); /* the slow path: a collection is starting; let it stop us first */
static inline void tul__switch_begin(void) {
  if (__builtin_expect(!tul__threads_live, 1)) return;
  __atomic_store_n(&tul__gc_switching, 1, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&tul__gc_stopping, __ATOMIC_SEQ_CST)) tul__switch_wait();
}
static inline void tul__switch_end(void) {
  if (__builtin_expect(!tul__threads_live, 1)) return;
  __atomic_store_n(&tul__gc_switching, 0, __ATOMIC_RELEASE);
}

/* ---------------------------------------------------------------- hooks provided by exc.c
 * Weak so the async runtime links before they are wired; without them tasks share the main
 * handler stack (wrong as soon as a try spans an await) and traces inside tasks are empty. */
extern const int64_t tul__exc_state_size __attribute__((weak));   /* bytes; all-zero = empty state */
void *tul__exc_state_swap(void *state) __attribute__((weak));     /* install, return previous */
int64_t tul__exc_caught_frames(void *const **frames) __attribute__((weak)); /* trace of tul_caught() */
tul_json *tul__exc_in_flight(void) __attribute__((weak)); /* the value a handler landed with (before tul_caught) */

#endif
