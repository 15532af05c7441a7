/* http_response.c: one task per request that calls the handler closure, the callback that turns
 * the handler's result into response bytes when its promise settles, and the canned responses
 * (400, 413, 431, 500). A handler that throws (or returns something that is not a response) gives a
 * 500 with a one-line body and its trace on stderr; the connection stays usable.
 *
 * The request's task only calls the closure: an async handler's own task then runs the body. The
 * handler's promise wakes a runtime callback (tul__promise_on_settle) that builds the response.
 * Each request has a scope holding its tasks; a client that disconnects cancels it. */
#undef _FORTIFY_SOURCE /* _setjmp/_longjmp across task stacks */
#include <gc.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "http_server_int.h"

/* A handler closure is a GC block whose first word is its code, called with the block first
 * (codegen/lower/closures.ts); `func(json): promise<json>`. */
typedef tul_promise *(*hs_handler_code)(void *closure, tul_json *req);

hs_xchg *hs_xchg_new(hs_conn *c) {
  hs_xchg *x = GC_MALLOC_UNCOLLECTABLE(sizeof *x);
  if (!x) abort();
  x->conn = c;
  x->server = c->server;
  if (c->tail) c->tail->next = x;
  else c->head = x;
  c->tail = x;
  c->inflight++;
  return x;
}

void hs_xchg_free(hs_xchg *x) {
  free(x->out);
  GC_FREE(x);
}

/* ---------------------------------------------------------------- response text */

static tul_str *k_status, *k_headers, *k_json, *k_body, *k_path;

static void keys_init(void) {
  if (k_status) return;
  k_status = tul__str_c("status");
  k_headers = tul__str_c("headers");
  k_json = tul__str_c("json");
  k_body = tul__str_c("body");
  k_path = tul__str_c("path");
}

/* Appends a non-negative number in decimal. */
static void add_uint(tul__sb *b, uint64_t v) {
  char digits[24];
  int n = 0;
  do digits[sizeof digits - 1 - n++] = (char)('0' + v % 10);
  while ((v /= 10));
  tul__sb_add(b, digits + sizeof digits - n, n);
}

const char *hs_reason(int status) {
  switch (status) {
  case 100: return "Continue";
  case 101: return "Switching Protocols";
  case 200: return "OK";
  case 201: return "Created";
  case 202: return "Accepted";
  case 204: return "No Content";
  case 206: return "Partial Content";
  case 301: return "Moved Permanently";
  case 302: return "Found";
  case 303: return "See Other";
  case 304: return "Not Modified";
  case 307: return "Temporary Redirect";
  case 308: return "Permanent Redirect";
  case 400: return "Bad Request";
  case 401: return "Unauthorized";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 405: return "Method Not Allowed";
  case 408: return "Request Timeout";
  case 409: return "Conflict";
  case 410: return "Gone";
  case 411: return "Length Required";
  case 413: return "Content Too Large";
  case 415: return "Unsupported Media Type";
  case 422: return "Unprocessable Content";
  case 429: return "Too Many Requests";
  case 431: return "Request Header Fields Too Large";
  case 500: return "Internal Server Error";
  case 501: return "Not Implemented";
  case 502: return "Bad Gateway";
  case 503: return "Service Unavailable";
  case 504: return "Gateway Timeout";
  default: return status < 300 ? "OK" : status < 400 ? "Redirect" : status < 500 ? "Client Error" : "Server Error";
  }
}

/* "Date: Tue, 01 Dec 2026 10:00:00 GMT\r\n", formatted once a second. */
static const char *date_line(void) {
  static char line[64];
  static time_t last = -1;
  time_t now = time(NULL);
  if (now != last) {
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(line, sizeof line, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
    last = now;
  }
  return line;
}

static int no_body_status(int status) { return status < 200 || status == 204 || status == 304; }

/* The response head up to (not including) the blank line, for what the server adds itself. */
static void head_start(tul__sb *b, int status) {
  tul__sb_add(b, "HTTP/1.1 ", 9);
  add_uint(b, (uint64_t)status);
  tul__sb_ch(b, ' ');
  tul__sb_cstr(b, hs_reason(status));
  tul__sb_add(b, "\r\n", 2);
}

static void head_end(tul__sb *b, hs_xchg *x, int status, size_t body_len, int own_date) {
  if (!no_body_status(status)) {
    tul__sb_add(b, "Content-Length: ", 16);
    add_uint(b, body_len);
    tul__sb_add(b, "\r\n", 2);
  }
  if (!own_date) tul__sb_cstr(b, date_line());
  if (x->close_after) tul__sb_cstr(b, "Connection: close\r\n");
  else if (x->http_minor == 0) tul__sb_cstr(b, "Connection: keep-alive\r\n");
  tul__sb_add(b, "\r\n", 2);
}

/* Moves head + body into x->out (malloc'd, owned by the write). */
static void finish(hs_xchg *x, tul__sb *head, const char *body, size_t body_len, int status) {
  if (x->head || no_body_status(status)) body_len = 0;
  x->out_len = (size_t)head->len + body_len;
  x->out = malloc(x->out_len ? x->out_len : 1);
  if (!x->out) abort();
  memcpy(x->out, head->p, (size_t)head->len);
  if (body_len) memcpy(x->out + head->len, body, body_len);
  tul__sb_free(head);
  x->ready = 1;
}

/* A fixed response: the reason phrase as a one-line body. */
static void canned(hs_xchg *x, int status, int close_after) {
  char body[64];
  int n = snprintf(body, sizeof body, "%s\n", hs_reason(status));
  x->close_after = close_after;
  tul__sb b;
  tul__sb_init(&b);
  head_start(&b, status);
  tul__sb_cstr(&b, "Content-Type: text/plain; charset=utf-8\r\n");
  head_end(&b, x, status, (size_t)n, 0);
  finish(x, &b, body, (size_t)n, status);
}

void hs_xchg_error(hs_xchg *x, int status) {
  canned(x, status, 1);
  hs_conn_response_ready(x->conn);
}

/* ---------------------------------------------------------------- the handler's result */

static const char *bad_response; /* why build_response refused the result (for stderr) */

static int header_ok(const char *p, int64_t n, int name) {
  if (n == 0 && name) return 0;
  for (int64_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)p[i];
    if (ch == '\r' || ch == '\n' || ch == 0) return 0;
    if (name && (ch <= ' ' || ch == ':' || ch >= 127)) return 0;
  }
  return 1;
}

/* The handler's headers; notes which ones the server must not add itself. */
static int user_headers(tul__sb *b, hs_xchg *x, const tul_json *hs, int *has_type, int *has_date) {
  if (!hs) return 0;
  if (hs->tag != TUL_J_OBJECT) return bad_response = "\"headers\" is not an object", -1;
  for (int64_t i = 0, n = tul__jobj_len(hs); i < n; i++) {
    const tul_str *k = tul__jobj_key(hs, i);
    const tul_json *v = tul__jobj_val(hs, i);
    const tul_str *vs = v && v->tag == TUL_J_STR ? v->u.s : tul_json_to_str(v);
    if (!header_ok(k->data, k->len, 1) || !header_ok(vs->data, vs->len, 0))
      return bad_response = "a header name or value is not allowed (empty, control characters)", -1;
    if (strcasecmp(k->data, "content-length") == 0 || strcasecmp(k->data, "transfer-encoding") == 0) continue;
    if (strcasecmp(k->data, "connection") == 0) {
      if (strcasestr(vs->data, "close")) x->close_after = 1;
      continue;
    }
    if (strcasecmp(k->data, "content-type") == 0) *has_type = 1;
    if (strcasecmp(k->data, "date") == 0) *has_date = 1;
    tul__sb_add(b, k->data, k->len);
    tul__sb_add(b, ": ", 2);
    tul__sb_add(b, vs->data, vs->len);
    tul__sb_add(b, "\r\n", 2);
  }
  return 0;
}

static int status_of(const tul_json *res) {
  const tul_json *s = tul__json_obj_get(res, k_status);
  if (!s) return 200;
  if (s->tag == TUL_J_INT && s->u.i >= 100 && s->u.i <= 599 && s->u.i != 101) return (int)s->u.i;
  bad_response = "\"status\" is not an int from 100 to 599";
  return -1;
}

/* The body: toJson of "json" when present, else "body" (a str as it is, other values in their
 * string form). */
static void body_of(const tul_json *res, tul__sb *body, int *is_json) {
  for (int64_t i = 0, n = tul__jobj_len(res); i < n; i++)
    if (tul_str_eq(tul__jobj_key(res, i), k_json)) {
      *is_json = 1;
      tul__sb_json_text(body, tul__jobj_val(res, i));
      return;
    }
  const tul_json *b = tul__json_obj_get(res, k_body);
  if (!b) return;
  if (b->tag == TUL_J_STR) tul__sb_add(body, b->u.s->data, b->u.s->len);
  else tul__sb_json(body, b, 0);
}

static int build_response(hs_xchg *x, const tul_json *res) {
  if (!res || res->tag != TUL_J_OBJECT) return bad_response = "it is not an object", -1;
  keys_init();
  int status = status_of(res);
  if (status < 0) return -1;
  x->close_after = !x->keep_alive || x->server->stopping;
  tul__sb head, body;
  tul__sb_init(&head);
  tul__sb_init(&body);
  head_start(&head, status);
  int has_type = 0, has_date = 0, is_json = 0;
  if (user_headers(&head, x, tul__json_obj_get(res, k_headers), &has_type, &has_date) < 0) {
    tul__sb_free(&head);
    return -1;
  }
  body_of(res, &body, &is_json);
  if (!has_type && (is_json || body.len) && !no_body_status(status))
    tul__sb_cstr(&head, is_json ? "Content-Type: application/json\r\n" : "Content-Type: text/plain; charset=utf-8\r\n");
  head_end(&head, x, status, (size_t)body.len, has_date);
  finish(x, &head, body.p, (size_t)body.len, status);
  tul__sb_free(&body);
  return 0;
}

/* "Exception in handler for GET /path: " for stderr. */
static void describe(hs_xchg *x, char *out, size_t n, const char *what) {
  keys_init();
  const tul_json *path = tul__json_obj_get(x->req, k_path);
  snprintf(out, n, "%s for %s %s: ", what, x->method, path && path->tag == TUL_J_STR ? path->u.s->data : "?");
}

static void handler_failed(hs_xchg *x, tul_json *error, const tul_async_origin *origin, int caught) {
  char prefix[512];
  describe(x, prefix, sizeof prefix, "Exception in handler");
  tul__report_error(prefix, error, origin, caught);
  canned(x, 500, !x->keep_alive || x->server->stopping);
}

/* Builds the response under a handler of its own (toJson can throw, e.g. StackOverflowError). */
static void respond(hs_xchg *volatile x, tul_json *res) {
  _Alignas(16) char h[TUL_HANDLER_SIZE];
  tul_try_push(h);
  if (_setjmp(*(jmp_buf *)h) == 0) {
    int rc = build_response(x, res);
    tul_try_pop(h);
    if (rc == 0) return;
    char prefix[512];
    describe(x, prefix, sizeof prefix, "Invalid response from handler");
    fprintf(stderr, "%s%s\n", prefix, bad_response);
    canned(x, 500, !x->keep_alive || x->server->stopping);
    return;
  }
  handler_failed(x, tul_caught(), NULL, 1);
}

/* Cancelled because its client left (hs_xchg_cancel): nothing to send, and the connection closes
 * once the responses before it are out. */
static void cancelled(hs_xchg *x) {
  x->out = NULL;
  x->out_len = 0;
  x->close_after = 1;
  x->ready = 1;
}

static void on_settled(tul__callback *cb, tul_promise *p) {
  hs_xchg *x = (hs_xchg *)((char *)cb - offsetof(hs_xchg, settled));
  x->promise = NULL;
  if (!x->conn) {
    hs_xchg_free(x);
    return;
  }
  if (p->state == TUL_PROMISE_REJECTED && tul__is_cancelled_error(p->error)) {
    p->handled = 1;
    cancelled(x);
  } else if (p->state == TUL_PROMISE_FULFILLED) {
    tul_json *res;
    memcpy(&res, &p->value, sizeof res);
    respond(x, res);
  } else {
    p->handled = 1;
    handler_failed(x, p->error, p->origin, 0);
  }
  hs_conn_response_ready(x->conn);
}

/* ---------------------------------------------------------------- the request's task */

/* Calls the handler with the request's scope adopted (the tasks it starts belong to the request);
 * NULL when it threw (the 500 is then ready). */
static tul_promise *call_handler(hs_xchg *volatile x) {
  _Alignas(16) char h[TUL_HANDLER_SIZE];
  tul__scope *volatile scope = x->scope;
  tul__scope_adopt(scope);
  tul_try_push(h);
  if (_setjmp(*(jmp_buf *)h) == 0) {
    void *clo = x->server->handler;
    tul_promise *p = (*(hs_handler_code *)clo)(clo, x->req);
    if (!p) tul_throw_msg("TypeError: the handler returned null instead of a promise");
    tul_try_pop(h);
    tul__scope_unadopt(scope);
    return p;
  }
  tul_json *e = tul_caught();
  tul__scope_unadopt(scope);
  if (tul__is_cancelled_error(e) && x->cancel_asked) { /* its client left */
    if (x->conn) cancelled(x);
    return NULL;
  }
  handler_failed(x, e, NULL, 1);
  return NULL;
}

typedef struct request_args {
  hs_xchg *x;
} request_args;

static void request_task(void *args, void *result) {
  (void)result;
  hs_xchg *x = ((request_args *)args)->x;
  x->started = 1;
  if (!x->conn) { /* the client left before its request started */
    hs_xchg_free(x);
    return;
  }
  x->task = &tul__current->promise; /* a task pointer is its promise pointer */
  tul_promise *p = call_handler(x);
  x->task = NULL;
  if (!p) {
    if (x->conn) hs_conn_response_ready(x->conn);
    else hs_xchg_free(x);
    return;
  }
  x->promise = p;
  x->settled.fn = on_settled;
  tul__promise_on_settle(p, &x->waiter, &x->settled);
}

static void request_init(void *args, void *x) { ((request_args *)args)->x = x; }

/* The request has a detached scope: the request's task calls the handler with it adopted, so the
 * handler's task and every task it starts belong to the request (hs_xchg_cancel cancels them all),
 * while the request's task itself ends without waiting for them. From a read callback the task runs at
 * once (until it first waits): an async handler's task is then queued in this turn of the loop
 * instead of the next one, which measured about a third more requests per second under wrk. */
void hs_xchg_start(hs_xchg *x) {
  tul__scope *s = tul__scope_open(NULL, NULL); /* x may be gone when the task returns */
  x->scope = s;
  tul__task_start(NULL, request_task, sizeof(request_args), NULL, request_init, x);
  tul__scope_close(s);
}

/* A request not answered yet: its handler (and every task it started) gets CancelledError at its
 * next await. One whose task has not run yet sees the missing connection instead. */
void hs_xchg_cancel(hs_xchg *x) {
  if (x->ready || !x->started) return;
  x->cancel_asked = 1;
  if (x->task) tul_cancel(x->task);   /* still inside the handler call (a plain function awaiting) */
  else tul__scope_cancel(x->scope);
}
