/* async_waiters.c: several tasks (and the main program) awaiting one promise all get its value,
 * woken in the order they began to wait; await works from a plain function called by a task; the
 * main program awaiting a promise nothing can settle ends with the deadlock report and status 1
 * instead of hanging. */
#include "async_support/async_test.h"
#include <sys/wait.h>

static char order[16];
static int norder;
static tul_promise *shared;

static void producer(void *args, void *result) {
  tul_await(tul_sleep_async(3), NULL);
  *(int64_t *)result = 7;
}

/* A plain (non-async) helper that awaits: suspends the calling task. */
static __attribute__((noinline)) int64_t helper(tul_promise *p) {
  int64_t v = 0;
  tul_await(p, &v);
  return v;
}

static void consumer(void *args, void *result) {
  int64_t v = helper(shared);
  order[norder++] = *(char *)args;
  *(int64_t *)result = v;
}

static void self_waiter(void *args, void *result) {
  tul_promise *me = *(tul_promise **)args;
  tul_await(me, NULL); /* never settles */
}

static void await_arg(void *p) { tul_await(p, NULL); }

int main(void) {
  test_init();
  void *args;
  shared = tul_task_spawn(producer, 0, &tul_type_int, &args);
  tul_promise *c[3];
  for (int i = 0; i < 3; i++) {
    c[i] = tul_task_spawn(consumer, 1, &tul_type_int, &args);
    *(char *)args = (char)('a' + i);
  }
  int64_t v = 0;
  tul_await(shared, &v);
  CHECK(v == 7);
  for (int i = 0; i < 3; i++) {
    tul_await(c[i], &v);
    CHECK(v == 7);
  }
  CHECK(strcmp(order, "abc") == 0);

  fflush(stdout);
  int fds[2];
  CHECK(pipe(fds) == 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 2);
    tul_promise *stuck = tul_task_spawn(self_waiter, sizeof(void *), NULL, &args);
    *(tul_promise **)args = stuck;
    test_try(await_arg, stuck);
    _exit(0); /* not reached: the deadlock exits 1 */
  }
  close(fds[1]);
  char text[1024] = "";
  size_t got = 0;
  for (ssize_t k; got < sizeof text - 1 && (k = read(fds[0], text + got, sizeof text - 1 - got)) > 0;)
    got += (size_t)k;
  text[got] = 0;
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
  CHECK(strstr(text, "Deadlock: every task is waiting\n  main program waits at ") == text);
  CHECK(strstr(text, "\n  task waits at ") && strstr(text, ", created at "));
  tul__loop_drain(); /* nothing left */
  puts("ok");
  return 0;
}
