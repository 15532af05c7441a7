/* async_evict.c: with only 3 stack slots, 2,000 tasks take turns: suspended tasks are evicted
 * (their live stack bytes copied out) and restored at the same addresses. Pointers into a task's
 * own stack, GC objects held only by locals of evicted tasks (under forced collections), handlers
 * of a `try` spanning awaits, deep recursion with an await at the bottom, and a task handed over
 * to from its own home slot all have to survive. */
#include "async_support/async_test.h"

enum { TASKS = 2000, ROUNDS = 5, DEPTH = 200 };

typedef struct cell { int64_t id, round; } cell;

static int64_t finished, caught;

/* Locals and a pointer to them, a GC object only this frame refers to, awaits in between. */
static void stack_pointers(void *args, void *result) {
  int64_t id = *(int64_t *)args;
  int64_t local[16];
  int64_t *p = local;
  cell *heap = GC_MALLOC(sizeof *heap);
  heap->id = id;
  for (int r = 0; r < ROUNDS; r++) {
    for (int i = 0; i < 16; i++) p[i] = id * 100 + r * 16 + i;
    heap->round = r;
    tul_await(tul_sleep_async(0), NULL);
    if (r == 2 && id % 50 == 1) GC_gcollect();
    for (int i = 0; i < 16; i++) CHECK(local[i] == id * 100 + r * 16 + i);
    CHECK(heap->id == id && heap->round == r);
  }
  finished++;
  *(int64_t *)result = id;
}

/* A throw after awaits inside a try: the handler lives on the (evicted and restored) stack. */
static void throws_later(void *args, void *result) {
  _Alignas(16) char handler[TUL_HANDLER_SIZE];
  tul_try_push(handler);
  if (_setjmp(*(jmp_buf *)handler) == 0) {
    tul_await(tul_sleep_async(0), NULL);
    tul_await(tul_sleep_async(1), NULL);
    tul_throw(test_jstr("late"));
  }
  CHECK(strcmp(test_text(tul_caught()), "late") == 0);
  caught++;
}

static int64_t deep(int64_t n) {
  volatile int64_t mark = n;
  if (n == 0) {
    tul_await(tul_sleep_async(0), NULL);
    return 0;
  }
  int64_t r = deep(n - 1) + 1;
  CHECK(mark == n);
  return r;
}

static void recursive(void *args, void *result) { *(int64_t *)result = deep(DEPTH); }

static tul_promise *spawn(tul_task_entry entry, int64_t arg) {
  void *args;
  tul_promise *p = tul_task_spawn(entry, sizeof(int64_t), &tul_type_int, &args);
  *(int64_t *)args = arg;
  return p;
}

int main(void) {
  setenv("TULPAR_STACK_SLOTS", "3", 1);
  test_init();
  tul_promise **ps = GC_MALLOC(TASKS * sizeof *ps);
  for (int64_t i = 0; i < TASKS; i++) ps[i] = spawn(i % 10 == 0 ? throws_later : stack_pointers, i);
  tul_promise *rec[8];
  for (int i = 0; i < 8; i++) rec[i] = spawn(recursive, 0);
  for (int64_t i = 0; i < TASKS; i++) {
    int64_t v = -1;
    tul_await(ps[i], &v);
    if (i % 10) CHECK(v == i);
  }
  for (int i = 0; i < 8; i++) {
    int64_t v = -1;
    tul_await(rec[i], &v);
    CHECK(v == DEPTH);
  }
  tul__loop_drain();
  printf("%lld finished, %lld caught, %lld slots, %lld evictions, %lld restores\n",
         (long long)finished, (long long)caught, (long long)tul__stack_pool_high_water,
         (long long)tul__stack_evictions, (long long)tul__stack_restores);
  CHECK(finished == TASKS - TASKS / 10 && caught == TASKS / 10);
  CHECK(tul__stack_pool_high_water == 3);
  CHECK(tul__stack_restores > TASKS * 2);
  puts("ok");
  return 0;
}
