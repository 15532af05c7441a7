/* async_int.h: internal structures shared by the async runtime (task.c, stackpool.c, sched.c,
 * promise.c, timer.c, gcroots.c). Nothing here is part of the ABI generated code sees. */
#ifndef TUL_ASYNC_INT_H
#define TUL_ASYNC_INT_H

#include <setjmp.h>
#include <stdint.h>
#include <stddef.h>
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
 * evicted (never `running`). Listed as in use; the caller sets its occupant. */
tul__stack *tul__stack_acquire(const tul__stack *running);
tul__stack *tul__stack_restore(tul__task *t); /* evicted t back on t->home (not the running slot) */
void tul__stack_release(tul__stack *s);
char *tul__stack_top(const tul__stack *s); /* one past the header: the GC's stack bottom */
extern tul__stack *tul__stacks_in_use;     /* occupied slots, doubly linked through next/prev */
extern int64_t tul__stack_pool_high_water; /* most slots at once */
extern int64_t tul__stacks_mapped, tul__stacks_free, tul__stack_slabs; /* slots, free slots, slabs */
extern int64_t tul__stack_evictions, tul__stack_restores;
extern int64_t tul__slot_limit;
extern size_t tul__stack_size;

/* ---------------------------------------------------------------- promises (promise.c) */
enum { TUL__P_PLAIN = 0, TUL__P_TASK = 1, TUL__P_TIMER = 2, TUL__P_GATHER = 3, TUL__P_SPAWN = 4 };
enum { TUL__W_TASK = 0, TUL__W_GATHER = 1, TUL__W_CALL = 2, TUL__W_SELECT = 3 };

/* Something waiting for a promise: a suspended task, a gather slot or a select case. Intrusive: the
 * task embeds its own node, a gather holds one per argument, a select one per promise case. */
typedef struct tul__waiter {
  struct tul__waiter *next;
  void *owner;      /* tul__task*, tul_promise* (the gather) or tul__select* */
  int32_t kind;     /* TUL__W_* */
  int32_t index;    /* gather slot, select case */
} tul__waiter;

/* A runtime callback waiting for a promise (TUL__W_CALL: the waiter's owner is a tul__callback).
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
  uint8_t handled;  /* rejection awaited or passed on */
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
/* The main program waits for p (driving the loop); on a DeadlockError undo(arg) takes the wait
 * out of its queues before the error propagates. 1: p fulfilled; 0: it rejected (marked handled). */
int tul__main_wait(tul_promise *p, void (*undo)(void *), void *arg);

typedef struct tul__select tul__select;
/* A waiting select's case `index` can proceed (`state`: TUL__CW_DONE or CLOSED for a channel case,
 * DONE for a settled promise or a due timer): it wins, every other case's wait is undone, and the
 * select's task is woken. */
void tul__select_won(tul__select *s, int32_t index, uint8_t state);
int64_t tul__select_pick(int64_t n); /* uniform in [0, n): the one source of select's randomness */

/* ---------------------------------------------------------------- tasks (task.c) */
/* A pending timer (timer.c): in the heap or the zero-delay FIFO. `task`: the task to wake
 * (tul_sleep_await), or NULL for a sleep_async promise's own node. */
typedef struct tul__timer_node {
  int64_t deadline; /* monotonic ns */
  uint64_t seq;     /* creation order */
  struct tul__timer_node *next_zero;
  tul__task *task;
} tul__timer_node;

struct tul__task {
  tul_promise promise;      /* first: a task pointer is its promise pointer */
  tul__task *next_ready;    /* run queue */
  tul__stack *stack;        /* the slot it occupies; NULL before it first runs, while evicted, after it ends */
  tul__stack *home;         /* the slot it runs on (its stack addresses), from its first run */
  void *saved;              /* GC block holding its live stack bytes while evicted */
  void *saved_sp;           /* ... which belong at [saved_sp, home) */
  tul_task_entry entry;
  void *created_at;
  tul__waiter wait;         /* used while suspended in tul_await */
  tul__timer_node sleep;    /* used while suspended in tul_sleep_await */
  tul__chan_wait chan_wait; /* used while suspended in tul_chan_send_await / tul_chan_recv_await */
  void *exc;                /* per-task exception state (inside this allocation) */
  void *args;               /* inside this allocation, 16-byte aligned */
};

/* The running task of this thread: NULL on the main program and always on spawn workers (they run
 * plain functions only). Thread-local (TUL_TLS, tulrt.h): only the loop thread ever sets it. */
extern TUL_TLS tul__task *tul__current;
extern tul__ctx tul__main_ctx;    /* the main program's context while a task runs */
void tul__task_resume(tul__task *t);   /* main -> t until t suspends or ends */
void tul__task_suspend(void);          /* current task -> main; returns when resumed */
void tul__task_main(void);             /* entry point of a fresh stack */
void tul__task_init(void);

/* ---------------------------------------------------------------- scheduler (sched.c) */
void tul__ready(tul__task *t);          /* append to the FIFO run queue */
/* Next task of this round that `running` can hand over to directly, or NULL: go to main. */
tul__task *tul__take_next_in_round(const tul__stack *running);
void tul__run_until(tul_promise *p);    /* main only: drive the loop until p settles (NULL: idle) */
extern int64_t tul__live_tasks;         /* spawned and not finished */

/* ---------------------------------------------------------------- spawn (spawn.c) */
/* cancel of a spawned job's promise: a queued job is removed (returns 1: it never runs); a
 * running one is marked so that its result is dropped when it finishes (returns 0). Either way
 * the caller settles the promise. A finished or already cancelled job: returns -1. */
int tul__spawn_cancel(tul_promise *p);
int64_t tul__spawn_in_flight(void); /* jobs whose completion the loop still waits for */

/* ---------------------------------------------------------------- timers (timer.c) */
int64_t tul__now_ns(void);
int tul__timers_pending(void);
int64_t tul__timers_next_deadline(void); /* only when pending */
void tul__timers_fire(int64_t now_ns);   /* fulfils every timer with deadline <= now */

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
extern int tul__threads_live;
typedef struct tul__worker tul__worker;
extern TUL_TLS tul__worker *tul__self_worker; /* spawn.c: this thread's worker; NULL on the loop thread */
/* What a spawned function may not do, checked where the compiler cannot see it (a call through a
 * function value): throws "RuntimeError: <what> in a spawned function" on a worker. */
TUL_NORETURN void tul__forbidden_on_worker(const char *what);
static inline void tul__forbid_on_worker(const char *what) {
  if (__builtin_expect(tul__self_worker != NULL, 0)) tul__forbidden_on_worker(what);
}
extern int tul__gc_switching, tul__gc_stopping; /* accessed with __atomic builtins only */
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

#endif
