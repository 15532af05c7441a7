/* http_request.c: parsing requests with llhttp (Node's HTTP/1.1 parser, Debian's node-llhttp
 * sources compiled into the runtime) and building the request json the handler sees:
 * {"method", "path", "query": {name: str}, "headers": {lower-case name: str}, "params": {}, "body"}.
 *
 * llhttp hands over pieces of the read buffer; a request's target, header fields and body are
 * copied into the connection's malloc'd buffers as they arrive (a head split across reads is
 * fine) and the json is built when the message is complete. The limits are checked here:
 * header bytes (431), body bytes (413); any other parse error is a 400. Pipelined requests in one
 * read are all parsed; past max_pipeline requests in flight the parser pauses and the rest of the
 * bytes wait in `leftover`. */
#include <gc.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "http_server_int.h"

static llhttp_settings_t settings;

static hs_conn *conn_of(llhttp_t *p) { return p->data; }

/* Stops the parser with a response status (413, 431): llhttp returns this callback's error. */
static int fail(hs_conn *c, int status) {
  c->error_status = status;
  return -1;
}

static int count_head(hs_conn *c, size_t n) {
  c->header_bytes += (int64_t)n;
  return c->header_bytes > c->server->lim.max_header_bytes ? fail(c, 431) : 0;
}

/* ---------------------------------------------------------------- callbacks */

static int on_message_begin(llhttp_t *p) {
  hs_conn *c = conn_of(p);
  c->in_message = 1;
  c->header_bytes = 0;
  c->expect_continue = 0;
  c->url.len = c->fields.len = c->body.len = 0;
  c->head_started = uv_now(tul__uv_loop());
  c->head_done = 0;
  return 0;
}

static int on_url(llhttp_t *p, const char *at, size_t n) {
  hs_conn *c = conn_of(p);
  if (count_head(c, n + 16)) return -1; /* 16: the method and version around it */
  hs_buf_add(&c->url, at, n);
  return 0;
}

static int on_header_field(llhttp_t *p, const char *at, size_t n) {
  hs_conn *c = conn_of(p);
  if (count_head(c, n + 4)) return -1; /* ": " and CRLF */
  size_t start = c->fields.len;
  hs_buf_add(&c->fields, at, n);
  for (char *q = c->fields.p + start; q < c->fields.p + c->fields.len; q++)
    if (*q >= 'A' && *q <= 'Z') *q += 32;
  return 0;
}

static int on_header_value(llhttp_t *p, const char *at, size_t n) {
  hs_conn *c = conn_of(p);
  if (count_head(c, n)) return -1;
  hs_buf_add(&c->fields, at, n);
  return 0;
}

static int end_of_piece(llhttp_t *p) {
  hs_buf_add(&conn_of(p)->fields, "", 1);
  return 0;
}

/* The value of header `name` among the fields so far, or NULL. */
static const char *field(hs_conn *c, const char *name) {
  for (size_t i = 0; i < c->fields.len;) {
    const char *k = c->fields.p + i;
    size_t kn = strlen(k);
    const char *v = k + kn + 1;
    if (strcmp(k, name) == 0) return v;
    i += kn + 1 + strlen(v) + 1;
  }
  return NULL;
}

static int has_body(llhttp_t *p) {
  return (p->flags & F_CHUNKED) || ((p->flags & F_CONTENT_LENGTH) && p->content_length > 0);
}

/* Sends 100 Continue when the client waits for it and nothing is queued before it (otherwise the
 * interim response would overtake earlier responses; the client then sends its body after its own
 * timeout, as RFC 9110 allows). */
static void continue_if_expected(hs_conn *c) {
  static const char line[] = "HTTP/1.1 100 Continue\r\n\r\n";
  const char *e = field(c, "expect");
  if (!e || strcasecmp(e, "100-continue") != 0 || !has_body(&c->parser) || c->head) return;
  uv_buf_t b = uv_buf_init((char *)line, sizeof line - 1);
  uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
}

static int on_headers_complete(llhttp_t *p) {
  hs_conn *c = conn_of(p);
  c->head_done = 1;
  if (c->timer_for_head) {
    hs_conn_arm(c, 0);
    c->timer_for_head = 0;
  }
  if ((p->flags & F_CONTENT_LENGTH) && p->content_length > (uint64_t)c->server->lim.max_body_bytes)
    return fail(c, 413);
  continue_if_expected(c);
  return 0;
}

static int on_body(llhttp_t *p, const char *at, size_t n) {
  hs_conn *c = conn_of(p);
  if ((int64_t)(c->body.len + n) > c->server->lim.max_body_bytes) return fail(c, 413);
  hs_buf_add(&c->body, at, n);
  return 0;
}

static tul_json *build_request(hs_conn *c);

static int on_message_complete(llhttp_t *p) {
  hs_conn *c = conn_of(p);
  c->in_message = 0;
  hs_xchg *x = hs_xchg_new(c);
  x->keep_alive = llhttp_should_keep_alive(p);
  x->head = p->method == HTTP_HEAD;
  x->http_minor = p->http_minor;
  snprintf(x->method, sizeof x->method, "%s", llhttp_method_name((llhttp_method_t)p->method));
  x->req = build_request(c);
  if (!x->keep_alive || p->upgrade) c->no_more_requests = 1;
  hs_xchg_start(x); /* may run the request's task at once, which may even close the connection */
  if (c->no_more_requests || c->closing) return HPE_PAUSED;
  return hs_conn_must_pause(c) ? HPE_PAUSED : 0;
}

void hs_parser_settings_init(void) {
  static int done;
  if (done) return;
  done = 1;
  llhttp_settings_init(&settings);
  settings.on_message_begin = on_message_begin;
  settings.on_url = on_url;
  settings.on_header_field = on_header_field;
  settings.on_header_field_complete = end_of_piece;
  settings.on_header_value = on_header_value;
  settings.on_header_value_complete = end_of_piece;
  settings.on_headers_complete = on_headers_complete;
  settings.on_body = on_body;
  settings.on_message_complete = on_message_complete;
}

void hs_conn_parser_init(hs_conn *c) {
  llhttp_init(&c->parser, HTTP_REQUEST, &settings);
  c->parser.data = c;
}

void hs_conn_request_reset(hs_conn *c) {
  hs_buf_free(&c->url);
  hs_buf_free(&c->fields);
  hs_buf_free(&c->body);
  c->in_message = 0;
}

/* ---------------------------------------------------------------- feeding bytes */

/* The parse stopped on an error: answer it (after the responses already queued) and read no more. */
static void parse_error(hs_conn *c) {
  int status = c->error_status ? c->error_status : 400;
  c->no_more_requests = 1;
  hs_conn_stop_reading(c);
  hs_conn_request_reset(c);
  hs_xchg *x = hs_xchg_new(c);
  hs_xchg_error(x, status);
}

/* Keeps the bytes after the pause point for hs_conn_resume. */
static void keep_leftover(hs_conn *c, const char *from, const char *end) {
  free(c->leftover);
  c->leftover = NULL;
  c->leftover_len = (size_t)(end - from);
  if (!c->leftover_len) return;
  c->leftover = malloc(c->leftover_len);
  if (!c->leftover) abort();
  memcpy(c->leftover, from, c->leftover_len);
}

/* A read ended inside a request's head: the header timer runs from the request's first byte. */
static void arm_head_timer(hs_conn *c) {
  if (!c->in_message || c->head_done || c->timer_for_head) return;
  uint64_t spent = uv_now(tul__uv_loop()) - c->head_started;
  int64_t left = c->server->lim.header_timeout_ms - (int64_t)spent;
  hs_conn_arm(c, left > 0 ? left : 1);
  c->timer_for_head = 1;
}

int hs_conn_feed(hs_conn *c, const char *data, size_t n) {
  llhttp_errno_t e = llhttp_execute(&c->parser, data, n);
  if (c->closing) return -1;
  if (e == HPE_OK) {
    if (c->in_message) arm_head_timer(c);
    else hs_conn_request_reset(c); /* between requests a connection keeps no buffers */
    return 0;
  }
  if (e == HPE_PAUSED && !c->no_more_requests) {
    keep_leftover(c, llhttp_get_error_pos(&c->parser), data + n);
    c->paused = 1;
    hs_conn_stop_reading(c);
    return -1;
  }
  if (e == HPE_PAUSED || e == HPE_PAUSED_UPGRADE) { /* Connection: close, HTTP/1.0, upgrade */
    hs_conn_stop_reading(c);
    hs_conn_request_reset(c);
    return -1;
  }
  parse_error(c);
  return -1;
}

void hs_conn_resume(hs_conn *c) {
  c->paused = 0;
  llhttp_resume(&c->parser);
  char *bytes = c->leftover;
  size_t n = c->leftover_len;
  c->leftover = NULL;
  c->leftover_len = 0;
  int rc = n ? hs_conn_feed(c, bytes, n) : 0;
  free(bytes);
  if (rc == 0) hs_conn_start_reading(c);
}

/* ---------------------------------------------------------------- the request json */

/* Keys and values every request shares (static pointers are GC roots; json strings are immutable). */
static tul_str *k_method, *k_path, *k_query, *k_headers, *k_params, *k_body;
static tul_json *empty_body;
static tul_json *method_values[64]; /* by llhttp method number */

static void keys_init(void) {
  if (k_method) return;
  k_method = tul__str_c("method");
  k_path = tul__str_c("path");
  k_query = tul__str_c("query");
  k_headers = tul__str_c("headers");
  k_params = tul__str_c("params");
  k_body = tul__str_c("body");
  empty_body = tul__json_str(tul__str_c(""));
}

static tul_json *method_value(uint8_t m) {
  const char *name = llhttp_method_name((llhttp_method_t)m);
  if (m >= 64) return tul__json_str(tul__str_c(name));
  if (!method_values[m]) method_values[m] = tul__json_str(tul__str_c(name));
  return method_values[m];
}

static int hexval(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

/* application/x-www-form-urlencoded decoding: '+' is a space, %XX a byte; a malformed escape is
 * kept as it is. */
static tul_str *form_decode(const char *p, size_t n) {
  tul_str *s = tul__str_alloc((int64_t)n);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    int hi, lo;
    if (p[i] == '+') s->data[k++] = ' ';
    else if (p[i] == '%' && i + 2 < n && (hi = hexval(p[i + 1])) >= 0 && (lo = hexval(p[i + 2])) >= 0) {
      s->data[k++] = (char)(hi * 16 + lo);
      i += 2;
    } else s->data[k++] = p[i];
  }
  s->data[k] = 0;
  s->len = (int64_t)k;
  return s;
}

/* "a=1&b=x+y&a=2" -> {"a": "1", "b": "x y"}: the first value of a repeated name wins. */
static tul_json *parse_query(const char *q, size_t n) {
  tul_json *o = tul__json_object();
  for (size_t i = 0; i < n;) {
    const char *amp = memchr(q + i, '&', n - i);
    size_t end = amp ? (size_t)(amp - q) : n;
    const char *eq = memchr(q + i, '=', end - i);
    size_t kend = eq ? (size_t)(eq - q) : end;
    if (kend > i) {
      tul_str *k = form_decode(q + i, kend - i);
      if (!tul__json_obj_get(o, k)) {
        tul_str *v = eq ? form_decode(eq + 1, end - kend - 1) : tul__str_c("");
        tul__json_obj_set(o, k, tul__json_str(v));
      }
    }
    i = end + 1;
  }
  return o;
}

/* The path of a request target: origin form "/a/b?x", absolute form "http://h/a/b?x", "*". */
static void split_target(const char *u, size_t n, size_t *path_start, size_t *path_end) {
  size_t start = 0;
  const char *scheme = n > 3 ? memchr(u, ':', n) : NULL;
  if (u[0] != '/' && scheme && scheme + 2 < u + n && scheme[1] == '/' && scheme[2] == '/') {
    const char *slash = memchr(scheme + 3, '/', (size_t)(u + n - scheme - 3));
    start = slash ? (size_t)(slash - u) : n;
  }
  size_t end = start;
  while (end < n && u[end] != '?' && u[end] != '#') end++;
  *path_start = start;
  *path_end = end;
}

/* Header names repeat across requests: a small cache of their strings (static: a GC root). */
static tul_str *name_cache[128];

static tul_str *header_name(const char *k, size_t n) {
  if (n > 40) return tul__str_from(k, (int64_t)n);
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)k[i]) * 16777619u;
  tul_str **slot = &name_cache[h % 128];
  if (!*slot || (size_t)(*slot)->len != n || memcmp((*slot)->data, k, n) != 0) *slot = tul__str_from(k, (int64_t)n);
  return *slot;
}

static tul_json *headers_json(hs_conn *c) {
  int64_t n = 0;
  for (size_t i = 0; i < c->fields.len; i++) n += c->fields.p[i] == 0;
  tul_json *o = tul__json_object_sized(n / 2);
  for (size_t i = 0; i + 1 < c->fields.len;) {
    const char *k = c->fields.p + i;
    size_t kn = strlen(k);
    const char *v = k + kn + 1;
    size_t vn = strlen(v);
    i += kn + vn + 2;
    tul_str *key = header_name(k, kn);
    tul_json *old = tul__json_obj_get(o, key);
    tul_str *val = tul__str_from(v, (int64_t)vn);
    if (old && old->tag == TUL_J_STR) /* repeated: joined as HTTP allows (cookies with "; ") */
      val = tul_str_concat(tul_str_concat(old->u.s, tul__str_c(strcmp(k, "cookie") ? ", " : "; ")), val);
    tul__json_obj_set(o, key, tul__json_str(val));
  }
  return o;
}

static tul_json *build_request(hs_conn *c) {
  keys_init();
  hs_buf_add(&c->url, "", 1);
  const char *u = c->url.p;
  size_t un = c->url.len - 1, ps, pe;
  split_target(u, un, &ps, &pe);
  tul_json *o = tul__json_object_sized(6);
  tul__json_obj_set(o, k_method, method_value(c->parser.method));
  tul__json_obj_set(o, k_path, tul__json_str(pe > ps ? tul__str_from(u + ps, (int64_t)(pe - ps)) : tul__str_c("/")));
  size_t qs = pe < un && u[pe] == '?' ? pe + 1 : un, qe = qs;
  while (qe < un && u[qe] != '#') qe++;
  tul__json_obj_set(o, k_query, parse_query(u + qs, qe - qs));
  tul__json_obj_set(o, k_headers, headers_json(c));
  tul__json_obj_set(o, k_params, tul__json_object());
  tul__json_obj_set(o, k_body, c->body.len ? tul__json_str(tul__str_from(c->body.p, (int64_t)c->body.len)) : empty_body);
  return o;
}
