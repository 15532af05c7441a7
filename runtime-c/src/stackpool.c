/* stackpool.c: task stacks carved from slab mappings (MAP_NORESERVE, MADV_NOHUGEPAGE, no guard
 * pages, so the map count stays tiny), handed out LIFO from a pool so that a reused stack is hot.
 * Beyond HOT_STACKS pooled stacks, released ones go back to the OS (MADV_DONTNEED, when the loop
 * is idle) and only their addresses are kept, so a burst of tasks does not pin its memory.
 * (Pre-faulting the next slab from a helper thread with MADV_POPULATE_WRITE was tried: it made
 * 100,000 fresh tasks slower, 240 -> 350 ms, through page-table lock contention.) */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "async_int.h"

#define STACKS_PER_SLAB 64
#define HOT_STACKS 1024

size_t tul__stack_size;
tul__stack *tul__stacks_in_use;
int64_t tul__stack_pool_high_water;
int64_t tul__stacks_mapped, tul__stacks_free, tul__stack_slabs;
static tul__stack *free_list;
static tul__stack *trim_list;      /* released beyond HOT_STACKS, memory not yet returned */
static char **cold;                /* stacks whose memory went back to the OS (their lo) */
static int64_t ncold, cold_cap;
static char *slab_next, *slab_end; /* never used stacks of the newest slab */

void tul__stack_pool_init(void) {
  size_t size = TUL_TASK_STACK_SIZE;
  const char *env = getenv("TULPAR_TASK_STACK_KB");
  if (env && atol(env) > 0) size = (size_t)atol(env) * 1024;
  if (size < 2 * TUL_TASK_STACK_RED_ZONE) size = 2 * TUL_TASK_STACK_RED_ZONE;
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  tul__stack_size = (size + page - 1) / page * page;
}

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

/* Writes the header of the never-used stack at `lo` (this touches its top page only). */
static tul__stack *carve(char *lo) {
  char *top = lo + tul__stack_size;
  tul__stack *s = (tul__stack *)(((uintptr_t)top - sizeof(tul__stack)) & ~(uintptr_t)63);
  s->lo = lo;
  s->ctx.fresh = 1;
  s->ctx.stack_lo = lo;
  s->ctx.stack_size = (size_t)((char *)s - lo);
  tul__stacks_mapped++;
  if (tul__stacks_mapped > tul__stack_pool_high_water) tul__stack_pool_high_water = tul__stacks_mapped;
  return s;
}

tul__stack *tul__stack_acquire(void) {
  tul__stack *s = free_list;
  if (s) {
    free_list = s->next;
    tul__stacks_free--;
  } else if ((s = trim_list)) {
    trim_list = s->next;
  } else if (ncold) {
    s = carve(cold[--ncold]);
  } else {
    if (slab_next == slab_end) map_slab();
    s = carve(slab_next);
    slab_next += tul__stack_size;
  }
  s->prev = NULL;
  s->next = tul__stacks_in_use;
  if (tul__stacks_in_use) tul__stacks_in_use->prev = s;
  tul__stacks_in_use = s;
  return s;
}

/* May run on `s` itself (the ending task): the stack is only reused after the switch away. */
void tul__stack_release(tul__stack *s) {
  if (s->prev) s->prev->next = s->next;
  else tul__stacks_in_use = s->next;
  if (s->next) s->next->prev = s->prev;
  s->task = NULL;
  s->prev = NULL;
  if (tul__stacks_free >= HOT_STACKS) {
    s->next = trim_list;
    trim_list = s;
    return;
  }
  s->next = free_list;
  free_list = s;
  tul__stacks_free++;
}

static int by_address(const void *a, const void *b) {
  char *x = *(char *const *)a, *y = *(char *const *)b;
  return x < y ? -1 : x > y;
}

/* Returns the memory of stacks released beyond HOT_STACKS to the OS, one madvise per run of
 * adjacent stacks. Called by the loop when it is about to block (idle time), on the main stack.
 * The headers vanish with the pages, so a reused one starts fresh from its address. */
void tul__stack_trim(void) {
  int64_t first = ncold;
  while (trim_list) {
    tul__stack *s = trim_list;
    trim_list = s->next;
    if (ncold == cold_cap) {
      cold_cap = cold_cap ? cold_cap * 2 : 1024;
      cold = realloc(cold, (size_t)cold_cap * sizeof *cold);
      if (!cold) abort();
    }
    cold[ncold++] = s->lo;
    tul__stacks_mapped--;
  }
  qsort(cold + first, (size_t)(ncold - first), sizeof *cold, by_address);
  for (int64_t i = first; i < ncold;) {
    int64_t j = i + 1;
    while (j < ncold && cold[j] == cold[j - 1] + tul__stack_size) j++;
    madvise(cold[i], (size_t)(j - i) * tul__stack_size, MADV_DONTNEED);
    i = j;
  }
}

char *tul__stack_top(const tul__stack *s) { return (char *)(s + 1); }
