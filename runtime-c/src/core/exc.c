/* exc.c: exceptions. Each task (and the main program) owns a handler stack threaded through the
 * handlers generated code allocates; tul_throw captures a trace of return addresses (capture.c: up
 * to the handler it goes to) and longjmps to the innermost handler. Also the run-time error helpers
 * and the async-runtime hooks. */
#undef _FORTIFY_SOURCE /* __longjmp_chk aborts on jumps across task stacks */
#include <gc.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unwind.h>
#include "rt_int.h"

/* The per-task state; all-zero is an empty handler stack. */
typedef struct exc_state {
  void *top;             /* innermost handler */
  tul_json *caught;      /* the value in flight (what tul_rethrow throws) */
  tul__trace *trace;     /* where it was thrown */
  void *landed;          /* the handler the last throw jumped to */
  tul__trace *last_trace;/* trace of the value tul_caught returned last */
  tul_json *last_value;  /* ... and that value: throwing it again is a re-throw (keeps the trace) */
} exc_state;

/* A handler: the jmp_buf at offset 0, then the link to the enclosing handler and the value in
 * flight when it was pushed. tul_caught puts that value back, so a finally block that catches an
 * exception of its own still re-throws the original one with tul_rethrow. */
#define HANDLER_PREV(h) (*(void **)((char *)(h) + TUL__HANDLER_LINKS))
#define HANDLER_CAUGHT(h) (*(tul_json **)((char *)(h) + TUL__HANDLER_LINKS + sizeof(void *)))
#define HANDLER_TRACE(h) (*(tul__trace **)((char *)(h) + TUL__HANDLER_LINKS + 2 * sizeof(void *)))
_Static_assert(TUL__HANDLER_BYTES <= TUL_HANDLER_SIZE && sizeof(jmp_buf) <= TUL_HANDLER_SIZE,
               "handler too small");

/* The loop thread's own state, and the running one of this thread: the loop thread swaps task
 * states in and out; each spawn worker installs one of its own (tul__exc_state_swap). */
static exc_state main_state;
static TUL_TLS exc_state *cur = &main_state; /* workers install their own first thing */
const int64_t tul__exc_state_size = sizeof(exc_state);
TUL_TLS uintptr_t tul_stack_limit;

void *tul__exc_state_swap(void *state) {
  exc_state *old = cur;
  cur = state ? state : &main_state;
  return old;
}

int64_t tul__exc_caught_frames(void *const **frames) {
  tul__trace *t = cur->last_trace;
  *frames = t ? (void *const *)t->pcs : NULL;
  return t ? t->n : 0;
}

/* ---------------------------------------------------------------- handlers */

void tul_try_push(void *handler) {
  exc_state *s = cur;
  HANDLER_PREV(handler) = s->top;
  HANDLER_CAUGHT(handler) = s->caught;
  HANDLER_TRACE(handler) = s->trace;
  s->top = handler;
}

void tul_try_pop(void *handler) { cur->top = HANDLER_PREV(handler); }

/* Returns the value caught and puts back the one that was in flight when the handler was pushed. */
tul_json *tul__caught_raw(void) {
  exc_state *s = cur;
  tul_json *v = s->caught;
  s->last_trace = s->trace;
  s->last_value = v;
  if (s->landed) {
    s->caught = HANDLER_CAUGHT(s->landed);
    s->trace = HANDLER_TRACE(s->landed);
    s->landed = NULL;
  }
  return v;
}

/* Out of memory: a value that needs no allocation (the message, boxing it, the trace all would),
 * so the throw itself cannot fail or recurse. */
static const tul_str oom_text = {26, 26, "MemoryError: out of memory"};
static tul_json oom_value = {TUL_J_STR, {.s = (tul_str *)&oom_text}};

/* Called first thing in a catch. A MemoryError is handed over after a full collection: what the
 * throw unwound (frames, tasks) is garbage by now, but Boehm GC, having just failed to find room,
 * does not collect again for a small request until much more was allocated, so the handler's first
 * allocation would fail too. */
tul_json *tul_caught(void) {
  tul_json *v = tul__caught_raw();
  if (TUL_UNLIKELY(v == &oom_value)) GC_gcollect();
  return v;
}

/* No handler at all (runtime used outside main): report and exit. */
static TUL_NORETURN void no_handler(void) {
  tul_stack_limit = 0; /* may run in the red zone: printing must not throw StackOverflowError again */
  cur->last_trace = cur->trace;
  tul__report_uncaught(cur->caught);
  exit(1);
}

static TUL_NORETURN void jump(exc_state *s) {
  void *h = s->top;
  if (TUL_UNLIKELY(!h)) no_handler();
  s->top = HANDLER_PREV(h);
  s->landed = h;
  _longjmp(*(jmp_buf *)h, 1);
}

/* The handler a throw goes to, as capture.c wants it: NULL for a base handler (the program's or a
 * task's outermost one, pushed on an empty handler stack), whose trace is printed or kept whole. */
static const void *catching(const exc_state *s) {
  return s->top && HANDLER_PREV(s->top) ? s->top : NULL;
}

/* Throwing the value a catch received last again (`catch (e) { ...; throw e; }`) keeps the trace
 * of its first throw, the re-throw site below it. */
void tul_throw(tul_json *value) {
  exc_state *s = cur;
  const tul__trace *origin = value && value == s->last_value ? s->last_trace : NULL;
  s->caught = value;
  s->trace = tul__trace_capture(catching(s), origin);
  jump(s);
}

/* After a finally on the exceptional path: the same throw goes on, its trace continues from here. */
void tul_rethrow(void) {
  exc_state *s = cur;
  s->trace = tul__trace_extend(s->trace, catching(s));
  jump(s);
}

tul_json *tul__exc_in_flight(void) { return cur->caught; }

void tul__throw_str(tul_str *s) { tul_throw(tul__json_str(s)); }

/* Every MemoryError is this one value: a fresh one is not a re-throw of the last one caught. */
void tul__throw_oom(void) {
  if (cur->last_value == &oom_value) cur->last_value = NULL;
  tul__async_origin_forget(&oom_value);
  tul_throw(&oom_value);
}

tul_json *tul__oom_value(void) { return &oom_value; }

void tul_throw_msg(const char *kind_and_message) {
  if (strcmp(kind_and_message, oom_text.data) == 0) tul__throw_oom();
  tul__throw_str(tul__str_c(kind_and_message));
}

void tul__throw_fmt(const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < (int)sizeof buf) tul__throw_str(tul__str_from(buf, n));
  char *big = malloc((size_t)n + 1);
  if (!big) tul_throw_msg("MemoryError: out of memory");
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  tul_str *s = tul__str_from(big, n);
  free(big);
  tul__throw_str(s);
}

void tul_throw_index(int64_t index, int64_t len) {
  tul__throw_fmt("IndexError: index %lld out of range for length %lld", (long long)index, (long long)len);
}

void tul_throw_zero_div(void) { tul_throw_msg("ZeroDivisionError: division by zero"); }

void tul_throw_zero_mod(void) { tul_throw_msg("ZeroDivisionError: modulo by zero"); }

void tul_throw_shift(int64_t count) { tul__throw_fmt("ValueError: shift count %lld out of range 0..63", (long long)count); }

/* Runs in the red zone below tul_stack_limit, which is sized for this throw (allocation, trace
 * capture) and for a collection the allocation may trigger. A fresh value each time, so the async
 * origin of one overflow is never mistaken for another's. */
void tul_stack_overflow(void) { tul_throw_msg("StackOverflowError"); }

/* ---------------------------------------------------------------- main stack */

/* Room kept below tul_stack_limit on the main stack: the throw of StackOverflowError (trace
 * capture, allocation, a collection the allocation may trigger) and printing. */
#define MAIN_RED_ZONE (256 * 1024)

/* Sets tul_stack_limit for the main thread from its stack bounds (glibc derives them from
 * RLIMIT_STACK and the mappings; macOS knows them per thread); falls back to the rlimit below the
 * current frame. */
void tul__stack_limit_init_main(void) {
  uintptr_t here = (uintptr_t)__builtin_frame_address(0), lo = 0;
#ifdef __APPLE__
  pthread_t self = pthread_self(); /* stackaddr is the top: the stack grows down from it */
  lo = (uintptr_t)pthread_get_stackaddr_np(self) - (uintptr_t)pthread_get_stacksize_np(self);
#else
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void *addr;
    size_t size;
    if (pthread_attr_getstack(&attr, &addr, &size) == 0) lo = (uintptr_t)addr;
    pthread_attr_destroy(&attr);
  }
#endif
  if (!lo || lo >= here) {
    struct rlimit rl;
    rlim_t size = 8u << 20;
    if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) size = rl.rlim_cur;
    if (size > (rlim_t)1 << 30) size = (rlim_t)1 << 30;
    lo = here - (uintptr_t)size + 64 * 1024; /* the frames above main use some of it */
  }
  tul_stack_limit = lo + MAIN_RED_ZONE < here ? lo + MAIN_RED_ZONE : 0;
}

/* ---------------------------------------------------------------- uncaught */

/* `<prefix><value>` and its trace on stderr: the frames of the async chain `origin` (innermost
 * task first, each followed by where it was created), then, with `caught`, those of the value
 * tul_caught returned last on the running stack. */
void tul__report_error(const char *prefix, tul_json *value, const tul_async_origin *origin, int caught) {
  tul__flush_stdout();
  tul_str *text = tul_json_to_str(value);
  fputs(prefix, stderr);
  fwrite(text->data, 1, (size_t)text->len, stderr);
  fputc('\n', stderr);
  void *const *lists[64];
  int64_t counts[64];
  int n = 0;
  const tul_async_origin *chain[31];
  int depth = 0;
  for (const tul_async_origin *o = origin; o && depth < 31; o = o->inner)
    chain[depth++] = o;
  void *created[31][2];
  for (int i = depth - 1; i >= 0; i--) {
    lists[n] = chain[i]->frames;
    counts[n++] = chain[i]->nframes;
    if (chain[i]->created_at) { /* where the task was spawned; its awaiter's frames follow */
      created[i][0] = TUL__TRACE_CREATED;
      created[i][1] = chain[i]->created_at;
      lists[n] = created[i];
      counts[n++] = 2;
    }
  }
  tul__trace *t = caught ? cur->last_trace : NULL;
  if (t) {
    lists[n] = t->pcs;
    counts[n++] = t->n;
  }
  tul__trace_print(lists, counts, n);
  fflush(stderr);
}

void tul__report_uncaught(tul_json *value) {
  tul__report_error("Uncaught Exception: ", value, tul__async_origin_for(value), 1);
}
