/* gc.c: memory for generated code (Boehm GC), huge pages for big blocks, and the type descriptors
 * of the scalar types. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <gc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include "rt_int.h"

const tul_type tul_type_int = {TUL_K_INT, 8, NULL, NULL, 0, NULL};
const tul_type tul_type_float = {TUL_K_FLOAT, 8, NULL, NULL, 0, NULL};
const tul_type tul_type_bool = {TUL_K_BOOL, 1, NULL, NULL, 0, NULL};
const tul_type tul_type_str = {TUL_K_STR, 8, NULL, NULL, 0, NULL};
const tul_type tul_type_json = {TUL_K_JSON, 8, NULL, NULL, 0, NULL};

/* Boehm GC warns on stderr ("GC Warning: Repeated allocation of very large block", "Out of
 * Memory! ... Returning NULL!"): noise in a program's output, whose own errors say what matters
 * (an allocation that fails throws MemoryError). TULPAR_GC_WARNINGS=1 shows them again. */
static void GC_CALLBACK ignore_warning(char *msg, GC_word arg) {
  (void)msg;
  (void)arg;
}

void tul__gc_quiet(void) {
  const char *on = getenv("TULPAR_GC_WARNINGS");
  if (!on || strcmp(on, "1") != 0) GC_set_warn_proc(ignore_warning);
}

void *tul_alloc(int64_t size) {
  void *p = GC_MALLOC((size_t)(size > 0 ? size : 1));
  if (TUL_UNLIKELY(!p)) tul_throw_msg("MemoryError: out of memory");
  return p;
}

void *tul_alloc_atomic(int64_t size) {
  size_t n = (size_t)(size > 0 ? size : 1);
  void *p = GC_MALLOC_ATOMIC(n);
  if (TUL_UNLIKELY(!p)) tul_throw_msg("MemoryError: out of memory");
  memset(p, 0, n);
  return p;
}

/* The most bytes one value can take: the least of the GC heap's cap (GC_MAXIMUM_HEAP_SIZE), the
 * address space limit (ulimit -v) and the machine's memory. A string builder grows in malloc'd
 * memory before its text moves into the GC heap, so it checks this first: pad_right(s, 1 << 40)
 * is a MemoryError at once, where malloc might say yes (overcommit) and the system then kill the
 * program writing the padding, or AddressSanitizer warn on stderr. */
int64_t tul__alloc_limit(void) {
  static int64_t limit; /* computed once; a racing thread computes the same value */
  int64_t l = __atomic_load_n(&limit, __ATOMIC_RELAXED);
  if (l) return l;
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  l = pages > 0 && page > 0 ? (int64_t)pages * page : INT64_MAX;
  struct rlimit rl;
  if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (int64_t)rl.rlim_cur < l) l = (int64_t)rl.rlim_cur;
  const char *cap = getenv("GC_MAXIMUM_HEAP_SIZE");
  if (cap && atoll(cap) > 0 && atoll(cap) < l) l = atoll(cap);
  __atomic_store_n(&limit, l, __ATOMIC_RELAXED);
  return l;
}

/* Asks for transparent huge pages on the 2 MiB-aligned interior of a big block (4 MiB or more):
 * with THP in its usual "madvise" mode the kernel then maps 2 MiB per fault instead of 4 KiB, and
 * filling a fresh 64 MiB array (20M pushes) drops from ~184 to ~70 ms on the test VM. Small
 * blocks are left alone: they share pages with other objects. A hint only; errors are ignored. */
void tul__huge_pages(void *p, size_t bytes) {
#ifdef MADV_HUGEPAGE
  const uintptr_t huge = (uintptr_t)2 << 20;
  if (bytes < 2 * huge) return;
  uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
  uintptr_t hi = ((uintptr_t)p + bytes) & ~(huge - 1);
  if (hi > lo) madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}
