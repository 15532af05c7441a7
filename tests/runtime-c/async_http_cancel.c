/* async_http_cancel.c: HTTP requests and cancellation, against a socket that accepts connections
 * (the kernel's backlog) and never answers, with one worker: cancelling a running transfer frees
 * the worker at once; cancelling a queued job takes it out of the queue; timeout_ms counts from
 * the call, time queued for a worker included. */
#include "async_support/async_test.h"
#include "rt_int.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static tul_str *s(const char *c) { return tul__str_c(c); }

static tul_promise *get(const char *url, int64_t timeout_ms) {
  tul_json *opts = NULL;
  if (timeout_ms) {
    opts = tul__json_object();
    tul__json_obj_set(opts, s("timeout_ms"), tul__json_int(timeout_ms));
  }
  return tul_http_request_async(s("GET"), s(url), s(""), opts);
}

static const char *error_of(tul_promise *p) {
  tul_json *env = NULL;
  tul_await(p, &env);
  const tul_json *e = tul__json_obj_get(env, s("error"));
  return e ? test_text(e) : "";
}

static void await_it(void *p) { tul_await(p, NULL); }

int main(void) {
  setenv("TULPAR_HTTP_POOL", "1", 1);
  test_init();
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  CHECK(bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 64) == 0);
  CHECK(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%d/hang", ntohs(a.sin_port));

  /* a running transfer, cancelled: the one worker is free for the next request at once */
  tul_promise *hung = get(url, 0);
  tul_sleep_await(50); /* the worker has it */
  double t0 = test_now_ms();
  tul_cancel(hung);
  CHECK(tul_promise_state(hung) == TUL_PROMISE_REJECTED);
  CHECK(tul__is_cancelled_error(test_try(await_it, hung)));
  const char *err = error_of(get(url, 200));
  double ms = test_now_ms() - t0;
  CHECK(strncmp(err, "TimeoutError", 12) == 0);
  CHECK(ms >= 190 && ms < 1000);

  /* timeout_ms counts from the call: queued behind a hung request, it still ends on time */
  tul_promise *blocker = get(url, 0);
  tul_sleep_await(20);
  t0 = test_now_ms();
  err = error_of(get(url, 150));
  ms = test_now_ms() - t0;
  CHECK(strstr(err, "TimeoutError: ") == err && strstr(err, "waiting for a free worker"));
  CHECK(ms >= 140 && ms < 800);

  /* a queued job, cancelled, leaves the queue; the blocker, cancelled, frees the worker */
  tul_promise *queued = get(url, 0);
  tul_cancel(queued);
  CHECK(tul__is_cancelled_error(test_try(await_it, queued)));
  tul_cancel(blocker);
  t0 = test_now_ms();
  err = error_of(get(url, 100));
  CHECK(strncmp(err, "TimeoutError", 12) == 0 && test_now_ms() - t0 < 800);

  /* a timeout() around a request cancels the request (and frees the worker) */
  tul_promise *inner = get(url, 0);
  tul_json *e = test_try(await_it, tul_timeout(30, inner));
  CHECK(e && strcmp(test_text(e), "TimeoutError: timed out after 30 ms") == 0);
  CHECK(tul_promise_state(inner) == TUL_PROMISE_REJECTED);
  t0 = test_now_ms();
  err = error_of(get(url, 100));
  CHECK(strncmp(err, "TimeoutError", 12) == 0 && test_now_ms() - t0 < 800);
  tul__loop_drain();
  close(fd);
  puts("ok");
  return 0;
}
