/* stackpool.c: the stacks tasks run on ("slots") and how many tasks share them. At most
 * tul__slot_limit slots exist (64 unless TULPAR_STACK_SLOTS says otherwise), carved from slab
 * mappings (MAP_NORESERVE, MADV_NOHUGEPAGE, no guard pages: the prologue check against
 * tul_stack_limit replaces them, so the map count stays tiny). A task runs on the slot it was
 * first given, its "home", for its whole life. When every slot holds a suspended task and another
 * task needs one, a suspended occupant is evicted: its live bytes [sp, top) are copied into a GC
 * block the task owns and copied back to the same addresses before it runs again, so pointers into
 * a task's own stack stay valid. A suspended task thus costs the bytes it really uses (a few
 * hundred for a sleeper) instead of a freshly faulted page, and 1,000,000 sleeping tasks touch
 * 64 stacks. Only the running slot is never evicted. Copying is cheap next to memory: 1,000 tasks
 * yielding in turn run as fast on 32 slots as on 1,024, and 100,000 sleepers 20% faster.
 * Out of GC memory (async recursion without end, say), a task that needs a slot for its first run
 * gets none (tul__stack_acquire returns NULL: the caller fails it with MemoryError), and a reserve
 * block goes back to the GC so that a task already running can still be restored. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <gc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "async_int.h"
#ifdef TUL_ASAN
#include <sanitizer/asan_interface.h>
#endif

#define STACKS_PER_SLAB 64
#define DEFAULT_SLOTS 64 /* each costs ~20 KiB resident (Boehm clears 16 KiB below sp); copies are cheap */

size_t tul__stack_size;
int64_t tul__slot_limit;
tul__stack *tul__stacks_in_use;
int64_t tul__stack_pool_high_water;
int64_t tul__stacks_mapped, tul__stacks_free, tul__stack_slabs;
int64_t tul__stack_evictions, tul__stack_restores;
static tul__stack *free_list;      /* slots without an occupant, most recently released first */
static tul__stack **slots;         /* every slot, for choosing whom to evict */
static int64_t hand;               /* the next eviction candidate (round robin) */
static void *reserve;              /* GC memory kept back to restore a task when the heap is full */
#define RESERVE_BYTES TUL_TASK_STACK_SIZE /* more than any copy: a stack's live bytes */
static char *slab_next, *slab_end; /* never used stacks of the newest slab */

void tul__stack_pool_init(void) {
  size_t size = TUL_TASK_STACK_SIZE;
  const char *env = getenv("TULPAR_TASK_STACK_KB");
  if (env && atol(env) > 0) size = (size_t)atol(env) * 1024;
  if (size < 2 * TUL_TASK_STACK_RED_ZONE) size = 2 * TUL_TASK_STACK_RED_ZONE;
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  tul__stack_size = (size + page - 1) / page * page;
  const char *limit = getenv("TULPAR_STACK_SLOTS");
  tul__slot_limit = limit && atol(limit) > 0 ? atol(limit) : DEFAULT_SLOTS;
  if (tul__slot_limit < 2) tul__slot_limit = 2; /* one running, one to evict */
  slots = malloc((size_t)tul__slot_limit * sizeof *slots);
  if (!slots) abort();
  reserve = GC_MALLOC_ATOMIC(RESERVE_BYTES);
}

/* After the reserve was spent: takes it back once the heap has room to spare again (a task ended;
 * cheap unless the reserve is gone). */
void tul__stack_pool_rearm(void) {
  if (reserve) return;
  if (GC_get_free_bytes() < 4 * RESERVE_BYTES) return;
  tul__switch_end();
  reserve = GC_MALLOC_ATOMIC(RESERVE_BYTES);
  tul__switch_begin();
}

/* ---------------------------------------------------------------- lists (next/prev) */

static void unlink_from(tul__stack **head, tul__stack *s) {
  if (s->prev) s->prev->next = s->next;
  else *head = s->next;
  if (s->next) s->next->prev = s->prev;
  s->next = s->prev = NULL;
}

static void push_on(tul__stack **head, tul__stack *s) {
  s->prev = NULL;
  s->next = *head;
  if (*head) (*head)->prev = s;
  *head = s;
}

/* ---------------------------------------------------------------- new slots */

static void map_slab(void) {
  size_t bytes = tul__stack_size * STACKS_PER_SLAB;
  char *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  if (m == MAP_FAILED) {
    fprintf(stderr, "Fatal: cannot map task stacks (%lld live)\n", (long long)tul__stacks_mapped);
    exit(1);
  }
#ifdef MADV_NOHUGEPAGE
  madvise(m, bytes, MADV_NOHUGEPAGE);
#endif
  slab_next = m;
  slab_end = m + bytes;
  tul__stack_slabs++;
}

/* Writes the header of a never-used stack at the top of its memory (touching its top page only). */
static tul__stack *carve(void) {
  if (slab_next == slab_end) map_slab();
  char *lo = slab_next;
  slab_next += tul__stack_size;
  tul__stack *s = (tul__stack *)(((uintptr_t)(lo + tul__stack_size) - sizeof(tul__stack)) & ~(uintptr_t)63);
  memset(s, 0, sizeof *s);
  s->lo = lo;
  s->ctx.fresh = 1;
  s->ctx.stack_lo = lo;
  s->ctx.stack_size = (size_t)((char *)s - lo);
  slots[tul__stacks_mapped++] = s;
  if (tul__stacks_mapped > tul__stack_pool_high_water) tul__stack_pool_high_water = tul__stacks_mapped;
  return s;
}

/* ---------------------------------------------------------------- eviction */

/* Copies without AddressSanitizer's checks: a suspended stack holds poisoned redzones. */
#ifdef TUL_ASAN
__attribute__((no_sanitize_address)) static void copy_words(void *to, const void *from, size_t n) {
  uint64_t *d = to;
  const uint64_t *s = from;
  for (size_t i = 0; i < n / 8; i++) d[i] = s[i];
}
#else
#define copy_words(to, from, n) memcpy((to), (from), (n))
#endif

/* What of a slot's context must travel with an evicted task: for the asm switch its stack pointer
 * alone (kept in saved_sp); the setjmp and ucontext switches keep registers in the context. */
#if defined(TUL_SWITCH_ASM) && !defined(TUL_ASAN)
#define SAVED_CTX 0
#else
#define SAVED_CTX sizeof(tul__ctx)
#endif

/* A GC block of `bytes` for a task's copy, or NULL when the heap has no room (with `last_resort`:
 * not even once the reserve went back to it). The switch guard is open meanwhile: the allocation
 * may wait for the GC lock a worker's collection holds while it waits for the guard (async_int.h). */
static void *copy_block(size_t bytes, int last_resort) {
  tul__switch_end();
  void *p = GC_MALLOC(bytes);
  if (!p && last_resort && reserve) {
    GC_FREE(reserve);
    reserve = NULL;
    p = GC_MALLOC(bytes);
  }
  tul__switch_begin();
  return p;
}

/* Moves the suspended occupant of `s` into its own GC block (its live stack bytes, then what
 * SAVED_CTX says of the context); `s` is left empty, to start fresh. Returns 0, with nothing
 * moved, when there is no memory for the copy. */
static int evict(tul__stack *s, int last_resort) {
  tul__task *o = s->task;
  char *sp = s->ctx.sp;
  size_t len = (size_t)((char *)s - sp);
  if (!o->saved || o->saved_cap < len + SAVED_CTX) {
    o->saved = NULL; /* the GC may run in GC_MALLOC: o is still resident and scanned in place */
    o->saved = copy_block(len + SAVED_CTX, last_resort);
    if (!o->saved) return 0;
    o->saved_cap = GC_size(o->saved);
  }
  copy_words(o->saved, sp, len);
  if (SAVED_CTX) memcpy((char *)o->saved + len, &s->ctx, SAVED_CTX);
  o->saved_sp = sp;
  o->stack = NULL;
  s->task = NULL;
  unlink_from(&tul__stacks_in_use, s);
  s->ctx.fresh = 1;
  tul__stack_evictions++;
  return 1;
}

/* The next slot whose suspended occupant may be evicted (any but `running`). */
static tul__stack *victim(const tul__stack *running) {
  for (;;) {
    tul__stack *s = slots[hand];
    hand = (hand + 1) % tul__stacks_mapped;
    if (s != running && s->task) return s;
  }
}

/* ---------------------------------------------------------------- the pool's interface */

tul__stack *tul__stack_acquire(const tul__stack *running) {
  tul__stack *s = free_list;
  if (s) {
    unlink_from(&free_list, s);
    tul__stacks_free--;
  } else if (tul__stacks_mapped < tul__slot_limit) {
    s = carve();
  } else {
    s = victim(running);
    if (!evict(s, 0)) return NULL; /* out of memory: the reserve is for tasks already running */
  }
  push_on(&tul__stacks_in_use, s);
  return s;
}

/* Puts an evicted task back on its home slot, evicting that slot's occupant first. The caller
 * must not be running on that slot. Returns the slot, listed as in use, occupied by t. */
tul__stack *tul__stack_restore(tul__task *t) {
  tul__stack *s = t->home;
  if (s->task) {
    if (!evict(s, 1)) { /* t must run at its own addresses: there is no other way */
      fprintf(stderr, "Fatal: out of memory resuming a task\n");
      exit(1);
    }
  } else {
    unlink_from(&free_list, s);
    tul__stacks_free--;
  }
#ifdef TUL_ASAN /* the previous occupant's frames left their own poisoning on these addresses */
  __asan_unpoison_memory_region(s->lo, (size_t)((char *)s - s->lo));
#endif
  size_t len = (size_t)((char *)s - (char *)t->saved_sp);
  copy_words(t->saved_sp, t->saved, len);
  if (SAVED_CTX) memcpy(&s->ctx, (char *)t->saved + len, SAVED_CTX);
  s->ctx.sp = t->saved_sp;
  s->ctx.fresh = 0;
  s->task = t;
  t->stack = s;
  push_on(&tul__stacks_in_use, s);
  tul__stack_restores++;
  return s;
}

/* May run on `s` itself (the ending task): the stack is only reused after the switch away. */
void tul__stack_release(tul__stack *s) {
  unlink_from(&tul__stacks_in_use, s);
  s->task = NULL;
  push_on(&free_list, s);
  tul__stacks_free++;
}

char *tul__stack_top(const tul__stack *s) { return (char *)(s + 1); }
