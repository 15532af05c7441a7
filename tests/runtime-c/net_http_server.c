/* net_http_server.c: the HTTP server's C paths driven by a forked blocking-socket client, also run
 * under AddressSanitizer: a response, keep-alive with pipelining (responses in order, handlers
 * finishing out of order), a chunked body, 400/413/431 with a close, a rejected handler (500) and
 * a throwing one, a client that leaves while its handler runs, stop() with a request in flight. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "async_support/async_test.h"
#include "rt_int.h"

/* ---------------------------------------------------------------- the handler (parent) */

static tul_json *srv;
static int handled;

static tul_json *response(const char *body) {
  tul_json *o = tul__json_object();
  tul__json_obj_set(o, tul__str_c("status"), tul__json_int(200));
  tul__json_obj_set(o, tul__str_c("body"), tul__json_str(tul__str_c(body)));
  return o;
}

static const char *path_of(tul_json *req) { return tul__json_obj_get(req, tul__str_c("path"))->u.s->data; }

/* A task that sleeps `ms` then answers with the path. */
typedef struct slow_args {
  tul_json *req;
  int64_t ms;
} slow_args;

static void slow_task(void *args, void *result) {
  slow_args *a = args;
  tul_await(tul_sleep_async(a->ms), NULL);
  if (strcmp(path_of(a->req), "/reject") == 0) tul_throw(test_jstr("ValueError: rejected"));
  tul_json *res = response(path_of(a->req));
  memcpy(result, &res, sizeof res);
}

static tul_promise *spawn_slow(tul_json *req, int64_t ms) {
  void *args;
  tul_promise *p = tul_task_spawn(slow_task, sizeof(slow_args), &tul_type_json, &args);
  ((slow_args *)args)->req = req;
  ((slow_args *)args)->ms = ms;
  return p;
}

static tul_promise *handler_code(void *clo, tul_json *req) {
  const char *path = path_of(req);
  handled++;
  if (strcmp(path, "/throw") == 0) tul_throw(test_jstr("KeyError: thrown by the handler"));
  if (strcmp(path, "/stop") == 0) tul_http_server_stop(srv);
  if (strncmp(path, "/slow/", 6) == 0) return spawn_slow(req, atoi(path + 6));
  if (strcmp(path, "/reject") == 0) return spawn_slow(req, 1);
  if (strcmp(path, "/body") == 0) path = tul__json_obj_get(req, tul__str_c("body"))->u.s->data;
  tul_promise *p = tul__promise_new(&tul_type_json);
  tul_json *res = response(path);
  tul__promise_resolve(p, &res);
  return p;
}

static struct { void *code; } handler = {(void *)handler_code};

/* ---------------------------------------------------------------- the client (child) */

static int port, failures;

#define EXPECT(cond, what)                                                              \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      fprintf(stderr, "client: line %d: %s\n  got: %.300s\n", __LINE__, what, got);     \
      failures++;                                                                       \
    }                                                                                   \
  } while (0)

static int dial(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) return -1;
  return fd;
}

/* Sends `parts` (NULL-terminated; "" pauses 20 ms), then reads until the server closes. */
static void exchange(const char **parts, char *got, size_t cap) {
  int fd = dial();
  got[0] = 0;
  if (fd < 0) return;
  for (; *parts; parts++) {
    if (!**parts) usleep(20000);
    else if (write(fd, *parts, strlen(*parts)) < 0) break;
  }
  size_t n = 0;
  ssize_t k;
  while (n + 1 < cap && (k = read(fd, got + n, cap - 1 - n)) > 0) n += (size_t)k;
  got[n] = 0;
  close(fd);
}

static int count(const char *s, const char *sub) {
  int n = 0;
  for (const char *p = s; (p = strstr(p, sub)); p++) n++;
  return n;
}

static void client(void) {
  static char got[1 << 16];
  for (int fd = 3; fd < 1024; fd++) close(fd); /* the listener's copy would keep accepting */
  exchange((const char *[]){"GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", NULL}, got, sizeof got);
  EXPECT(strncmp(got, "HTTP/1.1 200 OK\r\n", 17) == 0 && strstr(got, "Content-Length: 6\r\n") &&
             strstr(got, "Connection: close\r\n") && strstr(got, "\r\n\r\n/hello"), "a plain response");

  exchange((const char *[]){"GET /slow/60 HTTP/1.1\r\nHost: t\r\n\r\nGET /slow/1 HTTP/1.1\r\nHost: t\r\n\r\n",
                            "", "GET /last HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", NULL}, got, sizeof got);
  const char *a = strstr(got, "/slow/60"), *b = strstr(got, "/slow/1\0"), *c = strstr(got, "/last");
  b = strstr(got, "\r\n\r\n/slow/1");
  EXPECT(count(got, "HTTP/1.1 200") == 3 && a && b && c && a < b && b < c, "pipelined responses in order");

  exchange((const char *[]){"POST /body HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                            "3\r\nabc\r\n", "", "2\r\nde\r\n0\r\n\r\n", NULL}, got, sizeof got);
  EXPECT(strstr(got, "\r\n\r\nabcde"), "a chunked body");

  exchange((const char *[]){"NONSENSE\r\n\r\n", NULL}, got, sizeof got);
  EXPECT(strncmp(got, "HTTP/1.1 400 Bad Request\r\n", 26) == 0 && strstr(got, "Connection: close"), "400");

  static char big[4096];
  snprintf(big, sizeof big, "GET / HTTP/1.1\r\nX-Big: %03000d\r\n\r\n", 0);
  exchange((const char *[]){big, NULL}, got, sizeof got);
  EXPECT(strncmp(got, "HTTP/1.1 431 ", 13) == 0, "431");

  exchange((const char *[]){"POST /body HTTP/1.1\r\nContent-Length: 100000\r\n\r\n", NULL}, got, sizeof got);
  EXPECT(strncmp(got, "HTTP/1.1 413 ", 13) == 0, "413");

  exchange((const char *[]){"GET /reject HTTP/1.1\r\n\r\nGET /throw HTTP/1.1\r\n\r\n",
                            "GET /fine HTTP/1.1\r\nConnection: close\r\n\r\n", NULL}, got, sizeof got);
  EXPECT(count(got, "HTTP/1.1 500 Internal Server Error") == 2 && strstr(got, "\r\n\r\n/fine"), "500s, then served");

  int fd = dial(); /* leaves while its handler sleeps: the response is dropped */
  const char *leave = "GET /slow/50 HTTP/1.1\r\n\r\n";
  if (write(fd, leave, strlen(leave)) < 0) failures++;
  close(fd);

  fd = dial(); /* in flight when /stop comes: still answered */
  const char *inflight = "GET /slow/150 HTTP/1.1\r\n\r\n";
  if (write(fd, inflight, strlen(inflight)) < 0) failures++;
  usleep(30000);
  exchange((const char *[]){"GET /stop HTTP/1.1\r\n\r\n", NULL}, got, sizeof got);
  EXPECT(strstr(got, "\r\n\r\n/stop") && strstr(got, "Connection: close"), "stop's own response");
  size_t n = 0;
  ssize_t k;
  while (n + 1 < sizeof got && (k = read(fd, got + n, sizeof got - 1 - n)) > 0) n += (size_t)k;
  got[n] = 0;
  EXPECT(strstr(got, "\r\n\r\n/slow/150"), "the request in flight at stop");
  close(fd);
  EXPECT(dial() < 0, "stopped: connections refused");
  _exit(failures ? 1 : 0);
}

int main(void) {
  test_init();
  tul_json *opts = tul__json_object();
  tul__json_obj_set(opts, tul__str_c("max_header_bytes"), tul__json_int(2048));
  tul__json_obj_set(opts, tul__str_c("max_body_bytes"), tul__json_int(1000));
  tul_promise *lp = tul_http_server_listen(tul__str_c("127.0.0.1"), 0, &handler, opts);
  tul_await(lp, &srv);
  port = (int)tul__json_obj_get(srv, tul__str_c("port"))->u.i;
  CHECK(port > 0);
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) client();
  GC_gcollect(); /* a collection while connections and exchanges exist */
  tul_await(tul_http_server_until_signal(srv), NULL);
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CHECK(handled == 10 || handled == 11); /* the request of the client that left may never start */
  tul__loop_drain();
  CHECK(tul__live_tasks == 0);
  CHECK(tul_promise_state(tul_http_server_stop(srv)) == TUL_PROMISE_FULFILLED); /* stopping again */
  puts("ok");
  return 0;
}
