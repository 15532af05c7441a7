/* spawn.c: `spawn f(args)` (LANGUAGE.md §16) on a pool of worker threads.
 *
 * The loop thread copies the arguments into a job (one GC allocation with its promise), appends it
 * to a FIFO queue under the pool mutex and wakes a sleeping worker if there is one. A worker takes
 * jobs in order and runs each under a handler of its own, on its own stack, with its own stack
 * limit and handler stack (both thread-local), then pushes the finished job on a lock-free done
 * stack and wakes the loop with uv_async_send. The loop thread settles the promises in the
 * uv_async_t callback: only it ever touches promises, tasks and the loop. Workers are registered
 * with the GC and allocate from its thread-local free lists; a job stays reachable from a GC root
 * for its whole life (the queue, its worker's `running` slot, the done stack). The async handle is
 * ref'd only while jobs are in flight, so the exit drain waits for running spawns and no longer.
 * Workers that find the queue empty spin briefly before sleeping, so a stream of small jobs costs
 * no system call per job. */
#undef _FORTIFY_SOURCE /* _setjmp/_longjmp within one stack only, but keep the runtime's setting */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define GC_THREADS
#define GC_NO_THREAD_REDIRECTS /* plain pthread_create: workers register themselves */
#include <gc.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>
#include <uv.h>
#include "async_int.h"
#include "rt_int.h"

enum { JOB_QUEUED, JOB_RUNNING, JOB_CANCELLED };

typedef struct tul__job {
  tul_promise promise;   /* first: a job pointer is its promise pointer */
  struct tul__job *next; /* the queue, then the done stack */
  tul_task_entry entry;
  void *created_at;      /* the spawn call's return address, for traces */
  int32_t state;         /* JOB_*: changed under pool.mu only */
  int32_t failed;        /* set by the worker: `error` holds what the function threw */
  uint64_t result;       /* the worker's result slot */
  tul_json *error;
  void **frames;         /* where `error` was thrown (worker frames, innermost first) */
  int64_t nframes;
  _Alignas(16) char args[];
} tul__job;

struct tul__worker {
  int index;
  pthread_t thread;
};

TUL_TLS tul__worker *tul__self_worker;
TUL_TLS _Bool tul_on_worker;

#define MAX_THREADS 256
#define SPIN_ROUNDS 2000 /* pauses a worker spends looking at an empty queue before it sleeps */

static struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  tul__job *head, *tail; /* queued jobs, FIFO; cancelled ones are skipped when taken */
  int sleeping;          /* workers waiting on cv */
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, 0};
static int nworkers;          /* loop thread: 0 before the first spawn, -1 for inline (TULPAR_THREADS=0) */
static tul__job **running;    /* per worker: the job it runs (uncollectable, so scanned) */
static tul__job *done_stack;  /* finished jobs, newest first (atomic: workers push, the loop takes all) */
static uv_async_t done_async;
static int64_t in_flight;     /* loop thread: jobs whose completion it still waits for */

void tul__forbidden_on_worker(const char *what) {
  tul__throw_fmt("RuntimeError: %s in a spawned function", what);
}

int64_t tul__spawn_in_flight(void) { return in_flight; }

/* ---------------------------------------------------------------- running a job (any thread) */

/* Runs j's function under a handler: its result lands in j->result, or what it throws in j->error
 * with the frames it was thrown from. */
static void run_job(tul__job *volatile j) {
  _Alignas(16) char handler[TUL__HANDLER_BYTES];
  tul_try_push(handler);
  if (_setjmp(*(jmp_buf *)handler) == 0) {
    j->entry(j->args, &j->result);
    tul_try_pop(handler);
    return;
  }
  j->error = tul__caught_raw();
  j->failed = 1;
  void *const *frames = NULL;
  int64_t n = tul__exc_caught_frames(&frames);
  if (n > 0 && frames) {
    j->frames = GC_MALLOC_ATOMIC((size_t)n * sizeof(void *));
    if (j->frames) {
      memcpy(j->frames, frames, (size_t)n * sizeof(void *));
      j->nframes = n;
    }
  }
}

/* ---------------------------------------------------------------- settling (loop thread) */

static void settle(tul__job *j) {
  if (--in_flight == 0) uv_unref((uv_handle_t *)&done_async);
  if (j->state == JOB_CANCELLED) return; /* its promise settled when it was cancelled */
  if (!j->failed) {
    int64_t size = tul__result_size(j->promise.result_type);
    if (size) memcpy(&j->promise.value, &j->result, (size_t)size);
    tul__promise_fulfil(&j->promise);
    return;
  }
  tul_async_origin *o = GC_MALLOC(sizeof *o);
  o->created_at = j->created_at;
  o->frames = j->frames;
  o->nframes = j->nframes;
  tul__promise_reject(&j->promise, j->error, o);
}

/* The uv_async_t callback: settles every finished job, in the order they finished. */
static void on_done(uv_async_t *h) {
  (void)h;
  tul__job *j = __atomic_exchange_n(&done_stack, NULL, __ATOMIC_ACQUIRE), *fifo = NULL;
  while (j) {
    tul__job *next = j->next;
    j->next = fifo;
    fifo = j;
    j = next;
  }
  for (j = fifo; j; ) {
    tul__job *next = j->next;
    j->next = NULL;
    settle(j);
    j = next;
  }
}

/* ---------------------------------------------------------------- workers */

static int queue_empty(void) { return __atomic_load_n(&pool.head, __ATOMIC_RELAXED) == NULL; }

static void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ volatile("yield");
#endif
}

/* The next job that is not cancelled, taken under the mutex; waits for one. */
static tul__job *take(tul__worker *w) {
  for (int i = 0; i < SPIN_ROUNDS && queue_empty(); i++) cpu_relax();
  pthread_mutex_lock(&pool.mu);
  for (;;) {
    tul__job *j = pool.head;
    if (!j) {
      pool.sleeping++;
      pthread_cond_wait(&pool.cv, &pool.mu);
      pool.sleeping--;
      continue;
    }
    __atomic_store_n(&pool.head, j->next, __ATOMIC_RELAXED); /* spinning workers read it unlocked */
    if (!pool.head) pool.tail = NULL;
    j->next = NULL;
    if (j->state == JOB_CANCELLED) continue; /* cancel settled it; nobody waits for it */
    j->state = JOB_RUNNING;
    running[w->index] = j;
    pthread_mutex_unlock(&pool.mu);
    return j;
  }
}

static void finish(tul__worker *w, tul__job *j) {
  tul__job *head = __atomic_load_n(&done_stack, __ATOMIC_RELAXED);
  do j->next = head;
  while (!__atomic_compare_exchange_n(&done_stack, &head, j, 1, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
  __atomic_store_n(&running[w->index], NULL, __ATOMIC_RELAXED); /* j is on the done stack now */
  uv_async_send(&done_async);
}

static void *worker_main(void *arg) {
  tul__worker *w = arg;
  struct GC_stack_base sb;
  if (GC_get_stack_base(&sb) != GC_SUCCESS || GC_register_my_thread(&sb) != GC_SUCCESS) {
    fprintf(stderr, "Fatal: cannot register a spawn worker with the garbage collector\n");
    abort();
  }
  tul__self_worker = w;
  tul_on_worker = 1;
  tul__stack_limit_init_main();
  /* this thread's handler stack, on its own stack (the GC scans it there); all-zero is empty */
  _Alignas(16) char exc[256];
  if ((size_t)tul__exc_state_size > sizeof exc) abort();
  memset(exc, 0, sizeof exc);
  tul__exc_state_swap(exc);
  for (;;) {
    tul__job *j = take(w);
    run_job(j);
    finish(w, j);
  }
  return NULL;
}

/* TULPAR_THREADS, else the CPUs this process may run on. */
static int thread_count(void) {
  const char *env = getenv("TULPAR_THREADS");
  if (env && *env) {
    char *end;
    long n = strtol(env, &end, 10);
    if (*end || n < 0 || n > MAX_THREADS)
      tul__throw_fmt("RuntimeError: TULPAR_THREADS must be a whole number from 0 to %d, not '%s'", MAX_THREADS, env);
    return (int)n;
  }
#ifdef CPU_COUNT
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
    return CPU_COUNT(&set) < MAX_THREADS ? CPU_COUNT(&set) : MAX_THREADS;
#endif
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
}

/* Worker stacks are as large as the main stack may grow (RLIMIT_STACK, 8 MiB by default; at
 * least 1 MiB, at most 1 GiB), so recursion runs as deep in a spawned function as on the main
 * program before StackOverflowError. Only touched pages cost memory. */
static size_t worker_stack_size(void) {
  struct rlimit rl;
  size_t size = 8u << 20;
  if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) size = (size_t)rl.rlim_cur;
  if (size < (1u << 20)) size = 1u << 20;
  if (size > (1u << 30)) size = 1u << 30;
  return size;
}

static void start_pool(void) {
  int n = tul__det ? 0 : thread_count(); /* deterministic mode: inline, as TULPAR_THREADS=0 */
  if (n == 0) {
    nworkers = -1;
    return;
  }
  uv_async_init(tul__uv_loop(), &done_async, on_done);
  uv_unref((uv_handle_t *)&done_async);
  running = GC_MALLOC_UNCOLLECTABLE((size_t)n * sizeof *running);
  tul__worker *ws = calloc((size_t)n, sizeof *ws);
  if (!running || !ws) tul_throw_msg("MemoryError: out of memory");
  tul__threads_live = 1; /* before any worker can allocate: the loop thread now guards its switches */
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, worker_stack_size());
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  for (int i = 0; i < n; i++) {
    ws[i].index = i;
    if (pthread_create(&ws[i].thread, &attr, worker_main, &ws[i]) != 0) {
      if (i == 0) tul_throw_msg("RuntimeError: cannot start a spawn worker thread");
      break;
    }
    nworkers = i + 1;
  }
  pthread_attr_destroy(&attr);
}

/* ---------------------------------------------------------------- spawning (loop thread) */

/* TULPAR_THREADS=0: runs the job here and now, and settles its promise before returning. */
static void run_inline(tul__job *j) {
  in_flight++;
  if (done_async.loop == NULL) { /* settle's uv_unref needs an initialised handle */
    uv_async_init(tul__uv_loop(), &done_async, on_done);
    uv_unref((uv_handle_t *)&done_async);
  }
  run_job(j);
  settle(j);
}

static void submit(tul__job *j) {
  if (in_flight++ == 0) uv_ref((uv_handle_t *)&done_async);
  pthread_mutex_lock(&pool.mu);
  j->state = JOB_QUEUED;
  if (pool.tail) pool.tail->next = j;
  else __atomic_store_n(&pool.head, j, __ATOMIC_RELAXED);
  pool.tail = j;
  int wake = pool.sleeping > 0;
  pthread_mutex_unlock(&pool.mu);
  if (wake) pthread_cond_signal(&pool.cv);
}

/* Deep-copies the arguments into the job's block; frees the memo even when a copy throws. */
static void copy_args(tul__job *j, int64_t nargs, const void *values, const tul_type *const *types) {
  tul__copier *volatile c = tul__copier_new();
  _Alignas(16) char handler[TUL_HANDLER_SIZE];
  tul_try_push(handler);
  if (_setjmp(*(jmp_buf *)handler) == 0) {
    for (int64_t i = 0; i < nargs; i++) tul__copy_value(c, (const char *)values + i * 8, types[i], j->args + i * 8);
    tul_try_pop(handler);
    tul__copier_free(c);
    return;
  }
  tul_json *e = tul__caught_raw();
  tul__copier_free(c);
  tul_throw(e);
}

tul_promise *tul_spawn(tul_task_entry entry, int64_t nargs, const void *values, const tul_type *const *types,
                       const tul_type *result_type) {
  tul__forbid_on_worker("spawn");
  tul__async_init();
  if (nworkers == 0) start_pool();
  tul__job *j = GC_MALLOC(sizeof(tul__job) + (size_t)(nargs > 0 ? nargs : 0) * 8);
  if (!j) tul_throw_msg("MemoryError: out of memory");
  j->promise.kind = TUL__P_SPAWN;
  j->promise.result_type = result_type;
  j->entry = entry;
  j->created_at = __builtin_return_address(0);
  copy_args(j, nargs, values, types);
  if (nworkers < 0) run_inline(j);
  else submit(j);
  return &j->promise;
}

int tul__spawn_cancel(tul_promise *p) {
  if (p->kind != TUL__P_SPAWN || p->state != TUL_PROMISE_PENDING) return -1;
  tul__job *j = (tul__job *)p;
  pthread_mutex_lock(&pool.mu);
  int was = j->state;
  if (was != JOB_CANCELLED) j->state = JOB_CANCELLED;
  pthread_mutex_unlock(&pool.mu);
  if (was == JOB_CANCELLED) return -1;
  if (was == JOB_QUEUED && --in_flight == 0) uv_unref((uv_handle_t *)&done_async);
  return was == JOB_QUEUED;
}
