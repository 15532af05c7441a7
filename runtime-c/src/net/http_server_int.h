/* http_server_int.h: the HTTP server's internal structures, shared by http_server.c (listening,
 * connections, timers, writes), http_request.c (llhttp callbacks, the request json) and
 * http_response.c (the per-request task, the handler's result, the response bytes).
 *
 * Ownership and the GC: a server and each exchange hold GC pointers (the handler closure, the
 * request json, the handler's promise), so they are GC_MALLOC_UNCOLLECTABLE (scanned, freed
 * explicitly). A connection holds no GC pointer and is malloc'd: idle connections cost the
 * collector nothing. Everything runs on the loop thread. */
#ifndef TUL_HTTP_SERVER_INT_H
#define TUL_HTTP_SERVER_INT_H

#include <llhttp.h>
#include <stdint.h>
#include <uv.h>
#include "async_int.h"
#include "rt_int.h"

/* Limits (LANGUAGE.md §18); defaults in http_server.c, options in listen's fourth argument. */
typedef struct hs_limits {
  int64_t max_header_bytes;  /* request line + headers: beyond, 431 */
  int64_t max_body_bytes;    /* decoded body: beyond, 413 */
  int64_t header_timeout_ms; /* from a request's first byte (or the connection's start) to its blank line */
  int64_t idle_timeout_ms;   /* keep-alive connection with nothing in flight */
  int64_t max_connections;   /* beyond, new connections wait in the kernel's backlog */
  int64_t max_pipeline;      /* requests in flight on one connection before reading pauses */
} hs_limits;

typedef struct hs_server hs_server;
typedef struct hs_conn hs_conn;
typedef struct hs_xchg hs_xchg;

/* A malloc'd byte buffer (request bytes being collected; freed when a connection goes idle). */
typedef struct hs_buf {
  char *p;
  size_t len, cap;
} hs_buf;
void hs_buf_add(hs_buf *b, const char *p, size_t n);
void hs_buf_free(hs_buf *b);

struct hs_server {
  uv_tcp_t listener;
  void *handler;            /* the closure: func(json): promise<json> */
  hs_limits lim;
  int64_t id;
  int port;
  int listening;            /* the listener is open */
  int stopping;             /* stop() or a signal: accept nothing more */
  int accept_waiting;       /* libuv holds an accepted socket we have not taken (at max_connections) */
  int signals;              /* serve_until_signal installed its watchers */
  int64_t nconns;
  hs_conn *conns;           /* open connections, doubly linked */
  tul_promise *stopped;     /* settles once the listener and every connection are closed */
  uv_signal_t sigint, sigterm;
  tul_json *info;           /* what listen returned */
};

struct hs_conn {
  uv_tcp_t tcp;             /* first: the handle's address is the connection's */
  uv_timer_t timer;         /* header timeout, idle timeout or linger, whichever applies */
  llhttp_t parser;
  hs_server *server;
  hs_conn *next, *prev;
  hs_xchg *head, *tail;     /* exchanges in request order (responses go out in this order) */
  int64_t inflight;         /* exchanges not yet written */
  /* the request being parsed */
  hs_buf url;               /* request target */
  hs_buf fields;            /* "name\0value\0" pairs, names lower-cased */
  hs_buf body;
  int64_t header_bytes;     /* request line and headers so far */
  int in_message;           /* between on_message_begin and on_message_complete */
  int head_done;            /* its headers are complete */
  uint64_t head_started;    /* loop time of its first byte (ms) */
  int timer_for_head;       /* the deadline is the header timeout's */
  uint64_t deadline;        /* loop time (ms) the current timeout expires; 0: none */
  uint64_t timer_due;       /* when the libuv timer is set to fire (<= deadline) */
  int expect_continue;      /* Expect: 100-continue seen */
  /* state */
  int error_status;         /* set by a callback that stops the parser: 400, 413, 431 */
  int reading;              /* uv_read_start is on */
  int paused;               /* llhttp paused: too many requests in flight */
  int no_more_requests;     /* after an error, Connection: close, EOF or stop */
  int closing;              /* uv_close called */
  int lingering;            /* write side shut down, discarding input until EOF or the timer */
  int writes;               /* uv_write requests outstanding */
  int closes_left;          /* close callbacks still to come (tcp, timer) */
  char *leftover;           /* bytes read but not parsed while paused (malloc) */
  size_t leftover_len;
};

struct hs_xchg {
  hs_xchg *next;
  hs_conn *conn;            /* NULL once the connection is gone: the response is dropped */
  hs_server *server;
  tul_json *req;
  tul_promise *promise;     /* the handler's */
  tul__scope *scope;        /* the request's: its task and every task the handler starts */
  tul_promise *task;        /* the request's task while it is calling the handler */
  int started;              /* the request's task has run */
  int cancel_asked;         /* hs_xchg_cancel was called */
  tul__waiter waiter;       /* on `promise` */
  tul__callback settled;    /* called when `promise` settles */
  char *out;                /* the response bytes, once ready (malloc) */
  size_t out_len;
  int ready;
  int keep_alive;           /* the request allows the connection to stay open */
  int close_after;          /* the response closes the connection */
  int head;                 /* HEAD: no body on the wire */
  int http_minor;
  char method[16];          /* for messages on stderr */
};

/* http_server.c */
/* Parsing pauses while a connection has this many response bytes waiting to be written (a client
 * pipelining requests without reading its responses), and resumes below half of it. */
#define HS_WRITE_HIGH (1024 * 1024)
int hs_conn_must_pause(const hs_conn *c);    /* too many requests in flight or bytes unwritten */
void hs_conn_response_ready(hs_conn *c);      /* an exchange of c got its bytes: write what is in order */
void hs_conn_stop_reading(hs_conn *c);
void hs_conn_start_reading(hs_conn *c);
void hs_conn_arm(hs_conn *c, int64_t ms);     /* (re)starts the connection's timer; 0 stops it */
void hs_accept_now(hs_server *s);             /* takes the connection libuv holds for us */
void hs_server_maybe_stopped(hs_server *s);   /* settles stop()'s promise once everything is closed */
extern const hs_limits hs_default_limits;

/* http_request.c */
void hs_parser_settings_init(void);
void hs_conn_parser_init(hs_conn *c);
/* Feeds bytes to c's parser; queues exchanges for complete requests. Returns 0, or -1 when the
 * connection stopped parsing (error response queued, paused, or closing). */
int hs_conn_feed(hs_conn *c, const char *p, size_t n);
void hs_conn_resume(hs_conn *c);              /* after a pause, once requests in flight drained */
void hs_conn_request_reset(hs_conn *c);       /* frees the buffers of the request being parsed */

/* http_response.c */
void hs_xchg_start(hs_xchg *x);               /* spawns the request's task */
void hs_xchg_error(hs_xchg *x, int status);   /* a canned response (400, 413, 431, 500) */
void hs_xchg_free(hs_xchg *x);
void hs_xchg_cancel(hs_xchg *x);              /* the client left: cancel the request's tasks */
hs_xchg *hs_xchg_new(hs_conn *c);
const char *hs_reason(int status);

#endif
