/* capture.c: the return addresses behind an exception trace, captured at the throw. A throw walks
 * the stack only up to the frame of the handler it goes to, and at most HEAD_FRAMES frames when that
 * handler is a `try` of the program, so its cost depends on where it is caught, never on the depth
 * of the stack. What lies beyond is captured later, if ever needed: when a finally block passes the
 * exception on (tul__trace_extend), or when the program throws the value again (a re-throw keeps
 * the first throw's frames, tul__trace_capture with `origin`). A throw to a base handler (the end
 * of the program or of a task, where the trace is printed or becomes an async origin) walks the
 * whole stack once, keeping its innermost and outermost frames. */
#include <gc.h>
#include <unwind.h>
#include "rt_int.h"

#define HEAD_FRAMES 48
#define TAIL_FRAMES 16
/* A trace kept from an earlier segment (re-throw, finally) is cut to this many entries. */
#define KEEP_ENTRIES 96

/* Most frames one capture walks: bounds the time a throw may take whatever the stack holds. */
#define MAX_FRAMES (1 << 22)
/* Most consecutive frames with the same CFA: frames never share one, except when unwinding loops. */
#define MAX_SAME_CFA 8

typedef struct capture {
  void *head[HEAD_FRAMES];
  void *tail[TAIL_FRAMES]; /* ring */
  int64_t total;           /* frames recorded */
  int64_t walked;          /* frames seen */
  void *prev_ip;
  uintptr_t prev_cfa;
  int same_cfa;
  uintptr_t skip_to;       /* frames whose CFA is at or below this were captured before: skipped */
  uintptr_t handler;       /* nonzero: stop after the frame holding this address (the handler) */
  /* In a backtrace callback, _Unwind_GetCFA gives the CFA of the frame's callee, that is the
   * frame's own stack pointer at its call: the frame holding the handler is the last one whose
   * "CFA" is at or below the handler's address. */
  int truncated;           /* stopped after HEAD_FRAMES frames, before the handler's frame */
  int reached_end;         /* walked to the end of the stack */
  uintptr_t last_cfa;      /* "CFA" (stack pointer, see above) of the outermost frame recorded */
} capture;

/* Whether the unwinder went wrong: the stack grows down, so each caller's CFA must lie above its
 * callee's. A function whose only call never returns may save no return address (LLVM does this on
 * aarch64 for a task entry that calls a throwing function), and the unwinder then finds the same
 * frame forever. Stopping there loses only runtime frames above it (run_body, the worker loop). */
static int unwinding_looped(capture *c, void *ip, uintptr_t cfa) {
  if (c->walked == 0) return 0;
  if (cfa < c->prev_cfa || c->walked >= MAX_FRAMES) return 1;
  if (cfa != c->prev_cfa) {
    c->same_cfa = 0;
    return 0;
  }
  return ip == c->prev_ip || ++c->same_cfa >= MAX_SAME_CFA;
}

static _Unwind_Reason_Code on_frame(struct _Unwind_Context *ctx, void *arg) {
  capture *c = arg;
  void *ip = (void *)_Unwind_GetIP(ctx);
  uintptr_t cfa = (uintptr_t)_Unwind_GetCFA(ctx);
  if (!ip || unwinding_looped(c, ip, cfa)) {
    c->reached_end = 1;
    return _URC_END_OF_STACK;
  }
  c->walked++;
  c->prev_ip = ip;
  c->prev_cfa = cfa;
  if (cfa <= c->skip_to) return _URC_NO_REASON;
  if (c->handler && cfa > c->handler) return _URC_END_OF_STACK; /* above the handler's frame */
  if (c->total < HEAD_FRAMES) c->head[c->total] = ip;
  else c->tail[(c->total - HEAD_FRAMES) % TAIL_FRAMES] = ip;
  c->total++;
  c->last_cfa = cfa;
  if (c->handler && c->total == HEAD_FRAMES) {
    c->truncated = 1;
    return _URC_END_OF_STACK;
  }
  return _URC_NO_REASON;
}

/* Frames walked by every capture so far (tests check that throws walk only a few). */
TUL_TLS int64_t tul__trace_walked; /* per thread: spawn workers throw too */

/* Walks the running stack (from the caller of the capture functions) into c. */
static __attribute__((noinline)) void walk(capture *c, uintptr_t skip_to, const void *handler) {
  c->total = c->walked = 0;
  c->prev_ip = NULL;
  c->prev_cfa = 0;
  c->same_cfa = 0;
  c->skip_to = skip_to;
  c->handler = (uintptr_t)handler;
  c->truncated = c->reached_end = 0;
  c->last_cfa = 0;
  if (_Unwind_Backtrace(on_frame, c) == _URC_END_OF_STACK) c->reached_end = 1;
  tul__trace_walked += c->walked;
}

/* Entries the walk adds to a trace: head, then (NULL, count) and the tail when frames were left out. */
static int64_t walk_entries(const capture *c) {
  int64_t head = c->total < HEAD_FRAMES ? c->total : HEAD_FRAMES;
  int64_t tail = c->total - head;
  return head + (tail > TAIL_FRAMES ? TAIL_FRAMES + 2 : tail);
}

static void *const unknown_gap[2] = {NULL, TUL__TRACE_UNKNOWN_GAP};

/* A trace of `keep` (entries kept from an earlier trace, at most KEEP_ENTRIES of them, then a gap of
 * unknown size when cut), `between` (0-2 marker entries) and the walk. */
static tul__trace *build(const tul__trace *keep, int64_t keep_n, void *const *between, int64_t nbetween,
                         const capture *c) {
  int cut = keep_n > KEEP_ENTRIES;
  if (cut) keep_n = KEEP_ENTRIES;
  int64_t n = keep_n + (cut ? 2 : 0) + nbetween + walk_entries(c);
  tul__trace *t = GC_MALLOC_ATOMIC(sizeof(tul__trace) + (size_t)n * sizeof(void *));
  if (!t) return NULL;
  int64_t k = 0;
  if (keep_n) memcpy(t->pcs, keep->pcs, (size_t)keep_n * sizeof(void *));
  k = keep_n;
  if (cut) {
    t->pcs[k++] = unknown_gap[0];
    t->pcs[k++] = unknown_gap[1];
  }
  for (int64_t i = 0; i < nbetween; i++) t->pcs[k++] = between[i];
  int64_t head = c->total < HEAD_FRAMES ? c->total : HEAD_FRAMES;
  memcpy(t->pcs + k, c->head, (size_t)head * sizeof(void *));
  k += head;
  int64_t tail = c->total - head;
  if (tail > TAIL_FRAMES) {
    t->pcs[k++] = NULL;
    t->pcs[k++] = (void *)(uintptr_t)(tail - TAIL_FRAMES);
    tail = TAIL_FRAMES;
  }
  for (int64_t i = c->total - tail; i < c->total; i++) t->pcs[k++] = c->tail[(i - HEAD_FRAMES) % TAIL_FRAMES];
  t->n = k;
  t->origin_n = k;
  t->end_cfa = c->reached_end ? 0 : c->last_cfa;
  t->truncated = c->truncated;
  return t;
}

tul__trace *tul__trace_capture(const void *handler, const tul__trace *origin) {
  capture c;
  walk(&c, 0, handler);
  if (!origin) return build(NULL, 0, NULL, 0, &c);
  /* a re-throw: the first throw's frames, then the re-throw site's, marked */
  void *between[3];
  int64_t nb = 0;
  if (origin->truncated || origin->origin_n < origin->n) {
    between[nb++] = unknown_gap[0];
    between[nb++] = unknown_gap[1];
  }
  between[nb++] = TUL__TRACE_RETHROWN;
  tul__trace *t = build(origin, origin->origin_n, between, nb, &c);
  if (t) t->origin_n = origin->origin_n < KEEP_ENTRIES ? origin->origin_n : KEEP_ENTRIES + 2;
  return t;
}

tul__trace *tul__trace_extend(const tul__trace *t, const void *handler) {
  if (!t || !t->end_cfa) return (tul__trace *)t; /* it reached the end of the stack already */
  capture c;
  walk(&c, t->end_cfa, handler);
  tul__trace *r = build(t, t->n, t->truncated ? unknown_gap : NULL, t->truncated ? 2 : 0, &c);
  if (r) r->origin_n = t->origin_n < r->n ? t->origin_n : r->n;
  return r;
}
