/* async_origin.c: a value thrown inside a task and re-thrown by awaits carries its async origin:
 * where each task was created and where its rejection was awaited (return addresses inside the
 * spawning and awaiting functions), innermost task reachable through `inner`. */
#include "async_support/async_test.h"

/* Whether return address `a` lies inside function `f` (small functions, checked loosely). */
#define INSIDE(a, f) ((char *)(a) > (char *)(f) && (char *)(a) < (char *)(f) + 512)

static void inner_body(void *args, void *result) {
  tul_await(tul_sleep_async(1), NULL);
  tul_throw(test_jstr("deep"));
}

static __attribute__((noinline)) tul_promise *spawn_inner(void) {
  void *a;
  tul_promise *p = tul_task_spawn(inner_body, 0, NULL, &a);
  __asm__ volatile("");
  return p;
}

/* The empty asm after each call keeps it from becoming a tail call (which would hide the site). */
static __attribute__((noinline)) void await_inner(tul_promise *p) {
  tul_await(p, NULL);
  __asm__ volatile("");
}

static void outer_body(void *args, void *result) { await_inner(spawn_inner()); }

static __attribute__((noinline)) tul_promise *spawn_outer(void) {
  void *a;
  tul_promise *p = tul_task_spawn(outer_body, 0, NULL, &a);
  __asm__ volatile("");
  return p;
}

static __attribute__((noinline)) void await_outer(void *p) {
  tul_await(p, NULL);
  __asm__ volatile("");
}

int main(void) {
  test_init();
  tul_json *e = test_try(await_outer, spawn_outer());
  CHECK(e && strcmp(test_text(e), "deep") == 0);
  const tul_async_origin *o = tul__async_origin_for(e);
  CHECK(o != NULL);
  CHECK(INSIDE(o->created_at, spawn_outer));
  CHECK(INSIDE(o->awaited_at, await_outer));
  CHECK(o->inner != NULL);
  CHECK(INSIDE(o->inner->created_at, spawn_inner));
  CHECK(INSIDE(o->inner->awaited_at, await_inner));
  CHECK(o->inner->inner == NULL);
  CHECK(tul__async_origin_for(test_jstr("other")) == NULL);
  tul__loop_drain();
  puts("ok");
  return 0;
}
