/* http_server.c: the HTTP server built-ins (LANGUAGE.md §18) on the runtime's libuv loop: listening,
 * accepting up to max_connections, reading into one shared buffer, writing responses in request
 * order, the header/idle timeouts, closing (with a short linger so a client reads an error response
 * before it sees a reset), stop() and serve_until_signal(). Parsing is http_request.c's, running
 * handlers and building responses http_response.c's.
 *
 * A connection's one timer does whichever job applies: the header timeout while a request's head
 * is being read (from the connection's start or the request's first byte), the idle timeout while
 * nothing is in flight on a keep-alive connection, the linger after an error response. */
#include <gc.h>
#include <netdb.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "http_server_int.h"

const hs_limits hs_default_limits = {
    .max_header_bytes = 16 * 1024,
    .max_body_bytes = 1024 * 1024,
    .header_timeout_ms = 10 * 1000,
    .idle_timeout_ms = 5 * 1000,
    .max_connections = 10 * 1000,
    .max_pipeline = 64,
};

#define LINGER_MS 500
#define BACKLOG 4096

/* ---------------------------------------------------------------- byte buffers */

void hs_buf_add(hs_buf *b, const char *p, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 256;
    while (cap < b->len + n) cap *= 2;
    char *q = realloc(b->p, cap);
    if (!q) abort();
    b->p = q;
    b->cap = cap;
  }
  memcpy(b->p + b->len, p, n);
  b->len += n;
}

void hs_buf_free(hs_buf *b) {
  free(b->p);
  *b = (hs_buf){0};
}

/* ---------------------------------------------------------------- servers by id */

static hs_server **servers; /* GC-visible table (static data is a root): id -> server */
static int64_t nservers;

static hs_server *server_of(const tul_json *srv) {
  const tul_json *id = srv ? tul__json_obj_get(srv, tul__str_c("id")) : NULL;
  if (!id || id->tag != TUL_J_INT || id->u.i < 0 || id->u.i >= nservers || !servers[id->u.i])
    tul_throw_msg("ValueError: not a server returned by listen");
  return servers[id->u.i];
}

static hs_server *server_new(void) {
  hs_server *s = GC_MALLOC_UNCOLLECTABLE(sizeof *s);
  if (!s) tul_throw_msg("MemoryError: out of memory");
  hs_server **t = GC_MALLOC_UNCOLLECTABLE((size_t)(nservers + 1) * sizeof *t);
  if (nservers) memcpy(t, servers, (size_t)nservers * sizeof *t);
  GC_FREE(servers);
  servers = t;
  s->id = nservers;
  servers[nservers++] = s;
  return s;
}

/* Deterministic mode (docs/reference.md §17): whether some connection is mid-request (reading a
 * request, or a client that connected and has not sent its first one yet) or answering one; the
 * virtual clock stays still while it is. Idle keep-alive connections do not count. */
int tul__http_server_busy(void) {
  for (int64_t i = 0; i < nservers; i++)
    for (hs_conn *c = servers[i] ? servers[i]->conns : NULL; c; c = c->next)
      if (!c->closing && (c->inflight || c->in_message || c->writes || c->timer_for_head)) return 1;
  return 0;
}

/* ---------------------------------------------------------------- timers */

static void on_timer(uv_timer_t *t);
static void conn_close(hs_conn *c);

/* Timeouts are deadlines: `c->deadline` is the loop time (ms) when the current one expires, 0 for
 * none. The libuv timer may fire before the deadline (it then re-arms) but never after it, so a
 * busy connection moving its deadline on every request touches the timer heap only when the
 * deadline comes earlier than the armed time. */
void hs_conn_arm(hs_conn *c, int64_t ms) {
  if (ms <= 0) {
    c->deadline = 0;
    return;
  }
  uint64_t now = uv_now(tul__uv_loop());
  c->deadline = now + (uint64_t)ms;
  if (uv_is_active((uv_handle_t *)&c->timer) && c->timer_due <= c->deadline) return;
  uv_timer_start(&c->timer, on_timer, (uint64_t)ms, 0);
  c->timer_due = c->deadline;
}

static void on_timer(uv_timer_t *t) {
  hs_conn *c = t->data;
  if (!c->deadline) return;
  uint64_t now = uv_now(tul__uv_loop());
  if (now < c->deadline) {
    uv_timer_start(&c->timer, on_timer, c->deadline - now, 0);
    c->timer_due = c->deadline;
    return;
  }
  conn_close(c); /* slow headers, idle keep-alive, or the end of a linger */
}

/* After a read or a written response: the idle timer when nothing is in flight and no request is
 * half-read; none while handlers run or a body comes in. A half-read head keeps its header timer
 * (started by http_request.c, or at the connection's start for its first request). */
static void arm_for_state(hs_conn *c) {
  if (c->closing || c->lingering) return;
  if (c->timer_for_head) return;
  hs_conn_arm(c, c->inflight || c->in_message ? 0 : c->server->lim.idle_timeout_ms);
}

/* ---------------------------------------------------------------- closing */

static void on_conn_closed(uv_handle_t *h) {
  hs_conn *c = h->data;
  if (--c->closes_left > 0) return;
  hs_server *s = c->server;
  free(c->leftover);
  free(c);
  if (s->accept_waiting && !s->stopping) {
    s->accept_waiting = 0;
    hs_accept_now(s);
  }
  hs_server_maybe_stopped(s);
}

static void unlink_conn(hs_conn *c) {
  hs_server *s = c->server;
  if (c->prev) c->prev->next = c->next;
  else s->conns = c->next;
  if (c->next) c->next->prev = c->prev;
  s->nconns--;
}

/* Closes now: exchanges still running lose their connection (their responses are dropped). */
static void conn_close(hs_conn *c) {
  if (c->closing) return;
  c->closing = 1;
  hs_xchg *x = c->head;
  while (x) {
    hs_xchg *next = x->next;
    x->conn = NULL;
    if (x->ready) hs_xchg_free(x); /* written or not, nobody will take it now */
    else hs_xchg_cancel(x);        /* its handler's tasks are cancelled; it frees itself */
    x = next;
  }
  c->head = c->tail = NULL;
  hs_conn_request_reset(c);
  unlink_conn(c);
  c->closes_left = 2;
  uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
  uv_close((uv_handle_t *)&c->timer, on_conn_closed);
}

static void on_linger_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf);
static void alloc_read(uv_handle_t *h, size_t hint, uv_buf_t *buf);

static void on_shutdown(uv_shutdown_t *req, int status) {
  hs_conn *c = req->data;
  free(req);
  if (c->closing) return;
  if (status < 0) {
    conn_close(c);
    return;
  }
  /* discard what the client still sends, so closing does not reset the response away */
  c->lingering = 1;
  uv_read_stop((uv_stream_t *)&c->tcp);
  uv_read_start((uv_stream_t *)&c->tcp, alloc_read, on_linger_read);
  hs_conn_arm(c, LINGER_MS);
}

/* Every response is written: shut the write side down, then close after the linger. */
static void conn_finish(hs_conn *c) {
  if (c->closing || c->lingering) return;
  uv_shutdown_t *req = malloc(sizeof *req);
  if (!req) abort();
  req->data = c;
  if (uv_shutdown(req, (uv_stream_t *)&c->tcp, on_shutdown) != 0) {
    free(req);
    conn_close(c);
  }
}


/* ---------------------------------------------------------------- writing */

typedef struct hs_write {
  uv_write_t req;
  hs_conn *conn;
  int nbufs;
  char *bufs[]; /* malloc'd response bytes to free */
} hs_write;

int hs_conn_must_pause(const hs_conn *c) {
  return c->inflight >= c->server->lim.max_pipeline || c->tcp.write_queue_size >= HS_WRITE_HIGH;
}

/* A paused connection reads again once half its requests are answered and half the unwritten
 * bytes are out. */
static void maybe_resume(hs_conn *c) {
  if (c->paused && !c->closing && c->inflight <= c->server->lim.max_pipeline / 2 &&
      c->tcp.write_queue_size <= HS_WRITE_HIGH / 2)
    hs_conn_resume(c);
}

static void on_written(uv_write_t *req, int status) {
  hs_write *w = (hs_write *)req;
  hs_conn *c = w->conn;
  for (int i = 0; i < w->nbufs; i++) free(w->bufs[i]);
  free(w);
  c->writes--;
  if (c->closing) return;
  if (status < 0) {
    conn_close(c);
    return;
  }
  if (c->writes == 0 && c->no_more_requests && !c->head) {
    conn_finish(c);
    return;
  }
  maybe_resume(c);
  arm_for_state(c); /* progress: a client reading slowly is not idle */
}

/* Takes the ready exchanges at the head of the queue; returns how many (at most `max`). */
static int take_ready(hs_conn *c, uv_buf_t *bufs, char **owned, int max, int *close_after) {
  int n = 0;
  while (n < max && c->head && c->head->ready) {
    hs_xchg *x = c->head;
    c->head = x->next;
    if (!c->head) c->tail = NULL;
    bufs[n] = uv_buf_init(x->out, (unsigned)x->out_len);
    owned[n++] = x->out;
    x->out = NULL;
    if (x->close_after) *close_after = 1;
    c->inflight--;
    hs_xchg_free(x);
    if (*close_after) break;
  }
  return n;
}

/* Writes whatever responses are ready in order: uv_try_write first (no request object, no copy),
 * the rest through uv_write. */
static void flush(hs_conn *c) {
  enum { MAXB = 16 };
  uv_buf_t bufs[MAXB];
  char *owned[MAXB];
  int close_after = 0;
  int n = take_ready(c, bufs, owned, MAXB, &close_after);
  if (n == 0) return;
  int first = 0;
  if (c->writes == 0) {
    int wrote = uv_try_write((uv_stream_t *)&c->tcp, bufs, (unsigned)n);
    size_t left = wrote > 0 ? (size_t)wrote : 0;
    while (first < n && left >= bufs[first].len) {
      left -= bufs[first].len;
      free(owned[first++]);
    }
    if (first < n && left) {
      bufs[first].base += left;
      bufs[first].len -= left;
    }
    if (wrote < 0 && wrote != UV_EAGAIN && wrote != UV_ENOSYS) {
      for (int i = first; i < n; i++) free(owned[i]);
      conn_close(c);
      return;
    }
  }
  if (first < n) {
    hs_write *w = malloc(sizeof *w + (size_t)(n - first) * sizeof(char *));
    if (!w) abort();
    w->conn = c;
    w->nbufs = n - first;
    memcpy(w->bufs, owned + first, (size_t)(n - first) * sizeof(char *));
    c->writes++;
    if (uv_write(&w->req, (uv_stream_t *)&c->tcp, bufs + first, (unsigned)(n - first), on_written) != 0) {
      c->writes--;
      for (int i = 0; i < w->nbufs; i++) free(w->bufs[i]);
      free(w);
      conn_close(c);
      return;
    }
  }
  if (close_after) {
    c->no_more_requests = 1;
    hs_conn_stop_reading(c);
    hs_xchg *x = c->head; /* requests pipelined after a closing response get nothing */
    while (x) {
      hs_xchg *next = x->next;
      x->conn = NULL;
      if (x->ready) hs_xchg_free(x);
      x = next;
    }
    c->head = c->tail = NULL;
    c->inflight = 0;
  }
  if (c->head && c->head->ready) {
    flush(c);
    return;
  }
  if (c->no_more_requests && !c->head) {
    if (c->writes == 0) conn_finish(c);
    return;
  }
  maybe_resume(c);
  arm_for_state(c);
}

void hs_conn_response_ready(hs_conn *c) {
  if (!c->closing) flush(c);
}

/* ---------------------------------------------------------------- reading */

/* One read at a time on the loop thread, consumed before the next: one buffer serves every
 * connection, and an idle connection owns no read buffer. */
static char read_buf[64 * 1024];

static void alloc_read(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  (void)h;
  (void)hint;
  *buf = uv_buf_init(read_buf, sizeof read_buf);
}

static void on_linger_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf) {
  (void)buf;
  if (n < 0) conn_close(((hs_conn *)st->data));
}

void hs_conn_stop_reading(hs_conn *c) {
  if (c->reading && !c->closing && !c->lingering) uv_read_stop((uv_stream_t *)&c->tcp);
  c->reading = 0;
}

/* EOF or a read error: the client is gone (as Go's server takes it). A half-read request is
 * dropped and the handlers still running are cancelled; responses already made (or made by handlers
 * that finish without awaiting) are still written to a client that only half-closed. */
static void on_read_end(hs_conn *c, ssize_t n) {
  hs_conn_stop_reading(c);
  c->no_more_requests = 1;
  if (n != UV_EOF || (!c->head && c->writes == 0)) {
    conn_close(c);
    return;
  }
  hs_conn_request_reset(c);
  /* cancelling one may answer it and write out (and free) those after it: start over each time */
  for (hs_xchg *x = c->head; x && !c->closing;) {
    if (x->ready || x->cancel_asked) {
      x = x->next;
      continue;
    }
    x->cancel_asked = 1; /* also when its task has not run: it is not looked at again */
    hs_xchg_cancel(x);
    x = c->head;
  }
}

static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf) {
  hs_conn *c = st->data;
  if (n == 0) return;
  if (n < 0) {
    on_read_end(c, n);
    return;
  }
  if (hs_conn_feed(c, buf->base, (size_t)n) < 0) return;
  arm_for_state(c);
}

static void start_reading(hs_conn *c) {
  if (c->reading || c->closing || c->no_more_requests) return;
  if (uv_read_start((uv_stream_t *)&c->tcp, alloc_read, on_read) == 0) c->reading = 1;
  else conn_close(c);
}

void hs_conn_start_reading(hs_conn *c) { start_reading(c); }

/* ---------------------------------------------------------------- accepting */

static void conn_open(hs_server *s) {
  hs_conn *c = calloc(1, sizeof *c);
  if (!c) abort();
  c->server = s;
  uv_tcp_init(tul__uv_loop(), &c->tcp);
  uv_timer_init(tul__uv_loop(), &c->timer);
  c->tcp.data = c->timer.data = c;
  c->next = s->conns;
  if (s->conns) s->conns->prev = c;
  s->conns = c;
  s->nconns++;
  if (uv_accept((uv_stream_t *)&s->listener, (uv_stream_t *)&c->tcp) != 0) {
    conn_close(c);
    return;
  }
  uv_tcp_nodelay(&c->tcp, 1);
  hs_conn_parser_init(c);
  hs_conn_arm(c, s->lim.header_timeout_ms); /* the first request's head must come in time */
  c->timer_for_head = 1;
  start_reading(c);
}

void hs_accept_now(hs_server *s) {
  if (s->listening && !s->stopping) conn_open(s);
}

static void on_connection(uv_stream_t *st, int status) {
  hs_server *s = st->data;
  if (status < 0 || s->stopping) return; /* EMFILE and the like: libuv keeps listening */
  if (s->nconns >= s->lim.max_connections) {
    s->accept_waiting = 1; /* libuv stops polling the listener until we accept */
    return;
  }
  conn_open(s);
}

/* ---------------------------------------------------------------- listen */

static int64_t opt_int(const tul_json *opts, const char *name, int64_t dflt) {
  const tul_json *v = opts && opts->tag == TUL_J_OBJECT ? tul__json_obj_get(opts, tul__str_c(name)) : NULL;
  if (!v) return dflt;
  if (v->tag == TUL_J_INT && v->u.i > 0) return v->u.i;
  if (v->tag == TUL_J_FLOAT && v->u.f >= 1) return (int64_t)v->u.f;
  tul__throw_fmt("ValueError: listen option '%s' must be a positive number", name);
}

static hs_limits read_limits(const tul_json *opts) {
  if (opts && opts->tag != TUL_J_OBJECT) tul_throw_msg("TypeError: listen options must be an object");
  const hs_limits *d = &hs_default_limits;
  hs_limits l;
  l.max_header_bytes = opt_int(opts, "max_header_bytes", d->max_header_bytes);
  l.max_body_bytes = opt_int(opts, "max_body_bytes", d->max_body_bytes);
  l.header_timeout_ms = opt_int(opts, "header_timeout_ms", d->header_timeout_ms);
  l.idle_timeout_ms = opt_int(opts, "idle_timeout_ms", d->idle_timeout_ms);
  l.max_connections = opt_int(opts, "max_connections", d->max_connections);
  l.max_pipeline = opt_int(opts, "max_pipeline", d->max_pipeline);
  return l;
}

/* The host as a socket address: a numeric IPv4 or IPv6 address, or a name looked up once. */
static int resolve(const char *host, int port, struct sockaddr_storage *out) {
  if (uv_ip4_addr(host, port, (struct sockaddr_in *)out) == 0) return 0;
  if (uv_ip6_addr(host, port, (struct sockaddr_in6 *)out) == 0) return 0;
  struct addrinfo hints = {0}, *res = NULL;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res) return UV_EAI_NONAME;
  memcpy(out, res->ai_addr, res->ai_addrlen);
  ((struct sockaddr_in *)out)->sin_port = htons((uint16_t)port); /* same offset in sockaddr_in6 */
  freeaddrinfo(res);
  return 0;
}

static int bound_port(hs_server *s) {
  struct sockaddr_storage addr;
  int len = sizeof addr;
  if (uv_tcp_getsockname(&s->listener, (struct sockaddr *)&addr, &len) != 0) return 0;
  return ntohs(((struct sockaddr_in *)&addr)->sin_port);
}

static void on_listener_closed(uv_handle_t *h) {
  hs_server *s = h->data;
  s->listening = 0;
  hs_server_maybe_stopped(s);
}

static TUL_NORETURN void listen_failed(hs_server *s, const tul_str *host, int64_t port, int rc) {
  s->listening = 1;
  s->stopping = 1;
  uv_close((uv_handle_t *)&s->listener, on_listener_closed);
  tul__throw_fmt("IOError: cannot listen on %s:%lld: %s", host->data, (long long)port, uv_strerror(rc));
}

static tul_json *server_info(hs_server *s, const tul_str *host) {
  tul_json *o = tul__json_object();
  tul__json_obj_set(o, tul__str_c("port"), tul__json_int(s->port));
  tul__json_obj_set(o, tul__str_c("host"), tul__json_str(tul__str_from(host->data, host->len)));
  tul__json_obj_set(o, tul__str_c("id"), tul__json_int(s->id));
  return o;
}

/* A server may hold thousands of connections: the soft limit on open files goes up to the hard
 * one, once, as Go's runtime does at startup (the soft limit is often 1,024). */
static void raise_fd_limit(void) {
  static int done;
  struct rlimit rl;
  if (done || getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  done = 1;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

tul_promise *tul_http_server_listen(const tul_str *host, int64_t port, void *handler, const tul_json *opts) {
  if (!handler) tul_throw_msg("TypeError: listen needs a handler function, got null");
  if (port < 0 || port > 65535) tul__throw_fmt("ValueError: port %lld out of range 0..65535", (long long)port);
  hs_limits lim = read_limits(opts);
  struct sockaddr_storage addr;
  if (resolve(host->data, (int)port, &addr) != 0)
    tul__throw_fmt("IOError: cannot listen on %s:%lld: unknown host", host->data, (long long)port);
  hs_parser_settings_init();
  raise_fd_limit();
  hs_server *s = server_new();
  s->handler = handler;
  s->lim = lim;
  uv_tcp_init(tul__uv_loop(), &s->listener);
  s->listener.data = s;
  int rc = uv_tcp_bind(&s->listener, (const struct sockaddr *)&addr, 0);
  if (rc == 0) rc = uv_listen((uv_stream_t *)&s->listener, BACKLOG, on_connection);
  if (rc != 0) listen_failed(s, host, port, rc);
  s->listening = 1;
  s->port = bound_port(s);
  s->info = server_info(s, host);
  tul_promise *p = tul__promise_new(&tul_type_json);
  tul__promise_resolve(p, &s->info);
  return p;
}

/* ---------------------------------------------------------------- stop and signals */

void hs_server_maybe_stopped(hs_server *s) {
  if (!s->stopping || s->listening || s->nconns > 0 || !s->stopped) return;
  if (s->signals) {
    s->signals = 0;
    uv_close((uv_handle_t *)&s->sigint, NULL);
    uv_close((uv_handle_t *)&s->sigterm, NULL);
  }
  tul__promise_resolve(s->stopped, NULL);
}

/* Stops accepting; idle connections close now, busy ones after their responses. */
static void server_stop(hs_server *s) {
  if (!s->stopped) s->stopped = tul__promise_new(NULL);
  if (s->stopping) {
    hs_server_maybe_stopped(s);
    return;
  }
  s->stopping = 1;
  uv_close((uv_handle_t *)&s->listener, on_listener_closed);
  for (hs_conn *c = s->conns, *next; c; c = next) {
    next = c->next;
    c->no_more_requests = 1;
    hs_conn_stop_reading(c);
    if (!c->head && c->writes == 0) conn_close(c);
    else if (!c->head) conn_finish(c);
  }
}

tul_promise *tul_http_server_stop(const tul_json *srv) {
  hs_server *s = server_of(srv);
  server_stop(s);
  return s->stopped;
}

static void on_signal(uv_signal_t *h, int signum) {
  (void)signum;
  server_stop(h->data);
}

tul_promise *tul_http_server_until_signal(const tul_json *srv) {
  hs_server *s = server_of(srv);
  if (!s->stopped) s->stopped = tul__promise_new(NULL);
  if (!s->stopping && !s->signals) {
    s->signals = 1;
    uv_signal_init(tul__uv_loop(), &s->sigint);
    uv_signal_init(tul__uv_loop(), &s->sigterm);
    s->sigint.data = s->sigterm.data = s;
    uv_signal_start_oneshot(&s->sigint, on_signal, SIGINT);
    uv_signal_start_oneshot(&s->sigterm, on_signal, SIGTERM);
  }
  return s->stopped;
}
