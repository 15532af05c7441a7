/* async_spawn_gc.c: collections started by spawn workers while the loop thread switches between
 * tasks. First the switch guard itself: while workers collect in a loop, the world must never be
 * stopped inside a window the loop thread opened with tul__switch_begin. Then workers build GC lists held only in their locals and force collections; meanwhile the
 * loop thread runs 2,000 tasks that keep lists in their locals across awaits, on 4 stack slots
 * (so tasks are evicted and restored all the time). A collection that stopped the loop thread
 * halfway through a switch (the switch guard, async_int.h) would lose a list: every list must
 * survive intact, on both sides. */
#include "async_support/async_test.h"

enum { TASKS = 2000, JOBS = 64, NODES = 8, ROUNDS = 6 };

typedef struct node { struct node *next; int64_t id, i, check; } node;

static node *make_list(int64_t id) {
  node *head = NULL;
  for (int64_t i = 0; i < NODES; i++) {
    node *n = GC_MALLOC(sizeof *n);
    *n = (node){head, id, i, id * 1000003 + i};
    head = n;
  }
  return head;
}

static int list_ok(const node *n, int64_t id) {
  for (int64_t i = NODES - 1; i >= 0; i--, n = n->next)
    if (!n || n->id != id || n->i != i || n->check != id * 1000003 + i) return 0;
  return n == NULL;
}

static void churn(int k) {
  for (int i = 0; i < k; i++) memset(GC_MALLOC(64), 0xAB, 64);
}

static int64_t task_lists_ok;

static void holder(void *args, void *result) {
  int64_t id = *(int64_t *)args;
  node *list = make_list(id);
  for (int r = 0; r < ROUNDS; r++) {
    tul_await(tul_sleep_async(0), NULL);
    churn(8);
    if (!list_ok(list, id)) return;
  }
  task_lists_ok++;
}

/* A worker job: lists in locals across its own forced collections and heavy churn. */
static void worker_job(void *args, void *result) {
  int64_t id = *(int64_t *)args, ok = 1;
  for (int r = 0; r < 20; r++) {
    node *a = make_list(id * 100 + r);
    churn(2000);
    if (r % 5 == 0) GC_gcollect();
    ok &= list_ok(a, id * 100 + r);
  }
  *(int64_t *)result = ok;
}

/* ---------------------------------------------------------------- the guard */

static int64_t stops; /* worlds stopped so far (counted once stopped) */
static GC_on_collection_event_proc chained;
static int collecting;

static void count_stops(GC_EventType e) {
  chained(e);
  if (e == GC_EVENT_POST_STOP_WORLD) __atomic_add_fetch(&stops, 1, __ATOMIC_SEQ_CST);
}

static void collect_until_told(void *args, void *result) {
  while (__atomic_load_n(&collecting, __ATOMIC_ACQUIRE)) GC_gcollect();
}

static void guard_holds(void) {
  chained = GC_get_on_collection_event();
  GC_set_on_collection_event(count_stops);
  static const tul_type *const none[1] = {NULL};
  collecting = 1;
  tul_promise *a = tul_spawn(collect_until_told, 0, NULL, none, NULL);
  tul_promise *b = tul_spawn(collect_until_told, 0, NULL, none, NULL);
  int64_t inside = 0, windows = 0;
  double until = test_now_ms() + 300;
  while (test_now_ms() < until || __atomic_load_n(&stops, __ATOMIC_SEQ_CST) < 20) {
    tul__switch_begin();
    int64_t before = __atomic_load_n(&stops, __ATOMIC_SEQ_CST);
    for (volatile int i = 0; i < 200; i++) {}
    int64_t after = __atomic_load_n(&stops, __ATOMIC_SEQ_CST);
    tul__switch_end();
    inside += after != before;
    windows++;
  }
  __atomic_store_n(&collecting, 0, __ATOMIC_RELEASE);
  tul_await(a, NULL);
  tul_await(b, NULL);
  printf("%lld windows, %lld collections by workers, %lld stopped inside a window\n", (long long)windows,
         (long long)stops, (long long)inside);
  CHECK(inside == 0);
  GC_set_on_collection_event(chained);
}

int main(void) {
  setenv("TULPAR_THREADS", "2", 1);
  setenv("TULPAR_STACK_SLOTS", "4", 1);
  test_init();
  guard_holds();
  static const tul_type *const types[1] = {&tul_type_int};
  tul_promise **jobs = GC_MALLOC(JOBS * sizeof *jobs);
  for (int64_t i = 0; i < JOBS; i++) jobs[i] = tul_spawn(worker_job, 1, &i, types, &tul_type_int);
  tul_promise **ps = GC_MALLOC(TASKS * sizeof *ps);
  void *args;
  for (int64_t i = 0; i < TASKS; i++) {
    ps[i] = tul_task_spawn(holder, sizeof(int64_t), NULL, &args);
    *(int64_t *)args = i;
  }
  for (int i = 0; i < TASKS; i++) tul_await(ps[i], NULL);
  int64_t jobs_ok = 0;
  for (int i = 0; i < JOBS; i++) {
    int64_t r = 0;
    tul_await(jobs[i], &r);
    jobs_ok += r;
  }
  printf("%lld task lists, %lld worker jobs intact, %lld evictions, GC count %lu\n", (long long)task_lists_ok,
         (long long)jobs_ok, (long long)tul__stack_evictions, (unsigned long)GC_get_gc_no());
  CHECK(task_lists_ok == TASKS);
  CHECK(jobs_ok == JOBS);
  CHECK(tul__stack_evictions > 0);
  tul__loop_drain();
  puts("ok");
  return 0;
}
