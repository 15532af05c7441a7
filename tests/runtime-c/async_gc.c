/* async_gc.c: the GC sees every suspended task stack. 10,000 live tasks each keep GC-allocated
 * lists only in their own locals (stack or callee-saved registers) across awaits, while
 * collections are forced from the main program and from inside a task and garbage of the same
 * size is churned so that anything freed early gets overwritten. Every list must survive intact. */
#include "async_support/async_test.h"

enum { TASKS = 10000, NODES = 8, ROUNDS = 4 };

typedef struct node { struct node *next; int64_t id, i, check; } node;

static int64_t verified;

static node *make_list(int64_t id) {
  node *head = NULL;
  for (int64_t i = 0; i < NODES; i++) {
    node *n = GC_MALLOC(sizeof *n);
    *n = (node){head, id, i, id * 1000003 + i};
    head = n;
  }
  return head;
}

static void check_list(const node *n, int64_t id) {
  for (int64_t i = NODES - 1; i >= 0; i--, n = n->next) {
    CHECK(n != NULL);
    CHECK(n->id == id && n->i == i && n->check == id * 1000003 + i);
  }
  CHECK(n == NULL);
}

static void churn(void) {
  for (int i = 0; i < 16; i++) {
    node *g = GC_MALLOC(sizeof *g);
    memset(g, 0xAB, sizeof *g);
  }
}

static void holder(void *args, void *result) {
  int64_t id = *(int64_t *)args;
  node *list = make_list(id); /* only this local refers to it */
  for (int r = 0; r < ROUNDS; r++) {
    tul_await(tul_sleep_async(r & 1), NULL);
    churn();
    check_list(list, id);
  }
  verified++;
}

static int collector_running = 1;

static void collector(void *args, void *result) {
  int64_t *collections = args;
  while (collector_running) {
    GC_gcollect(); /* from a task stack: main and every other task are suspended */
    (*collections)++;
    tul_await(tul_sleep_async(0), NULL);
  }
}

int main(void) {
  test_init();
  void *args;
  int64_t *collections;
  tul_promise *c = tul_task_spawn(collector, sizeof(int64_t), NULL, &args);
  collections = args;
  tul_promise **ps = GC_MALLOC(TASKS * sizeof *ps);
  for (int64_t i = 0; i < TASKS; i++) {
    ps[i] = tul_task_spawn(holder, sizeof(int64_t), NULL, &args);
    *(int64_t *)args = i;
  }
  for (int i = 0; i < TASKS; i += 1000) {
    tul_await(ps[i], NULL);
    GC_gcollect(); /* from the main stack while tasks are suspended */
  }
  for (int i = 0; i < TASKS; i++) tul_await(ps[i], NULL);
  collector_running = 0;
  tul_await(c, NULL);
  printf("%lld lists verified, %lld collections from a task, GC count %lu\n", (long long)verified,
         (long long)*collections, (unsigned long)GC_get_gc_no());
  CHECK(verified == TASKS);
  CHECK(*collections >= ROUNDS);
  tul__loop_drain();
  puts("ok");
  return 0;
}
