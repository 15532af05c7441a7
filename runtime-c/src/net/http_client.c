/* http.c: the HTTP client built-ins (docs/reference.md §10): http_request (blocking, on the calling
 * thread) and http_request_async (a libcurl worker pool; completions settle promises on the loop).
 *
 * Threads: worker threads never touch GC objects or loop state. A request is copied into a
 * malloc'd job on the loop thread; a worker runs it on its own reused easy handle (keep-alive),
 * collecting status, headers and body in malloc'd buffers; it then queues the job under a mutex
 * and wakes the loop with uv_async_send. The uv_async_t callback (loop thread) builds the envelope
 * json and resolves the promise. The async handle is ref'd only while requests are in flight, so
 * the exit drain ends once nothing is pending. Promises of in-flight jobs live in a GC-visible
 * table (`roots`), since the malloc'd jobs are invisible to the collector.
 *
 * Cancellation and deadlines (LANGUAGE.md §14): each worker drives its transfer through a curl
 * multi handle of its own, so cancel(p) (the promise's release hook, loop thread) can abort a
 * running transfer at once (an abort flag plus curl_multi_wakeup) and the worker is free for the
 * next job; a job still queued is simply taken out of the queue. opts.timeout_ms counts from the
 * call: the worker gives libcurl only what is left, and a loop timer fails a job still queued when
 * its deadline passes.
 *
 * Behaviour: redirects are followed (up to 20; a POST turns into a GET on 301/302/303, as browsers
 * do); no overall timeout unless opts.timeout_ms; bodies over opts.max_response_bytes (64 MiB by
 * default) fail; HTTPS verifies peers against the system CAs, or
 * against the file named by SSL_CERT_FILE when set (read once, at the first request). Repeated
 * response headers are joined with ", ". Transport failures give "error": "<Kind>: <libcurl detail>"
 * with Kind one of ConnectError, DNSError, TimeoutError, TLSError, URLError, RedirectError,
 * ProtocolError (garbage, HTTP/0.9), ConnectionError (reset or closed mid-response), HTTPError. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <uv.h>
#include "rt_int.h"
#include "async_int.h"

/* ---------------------------------------------------------------- malloc'd byte buffers */
typedef struct hbuf {
  char *p;
  size_t len, cap;
} hbuf;

static int hbuf_add(hbuf *b, const char *p, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + n + 1) cap *= 2;
    char *q = realloc(b->p, cap);
    if (!q) return 0;
    b->p = q;
    b->cap = cap;
  }
  memcpy(b->p + b->len, p, n);
  b->len += n;
  b->p[b->len] = 0;
  return 1;
}

static void hbuf_free(hbuf *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

/* ---------------------------------------------------------------- a request and its outcome */
#define MAX_REDIRECTS 20L
#define DEFAULT_MAX_RESPONSE_BYTES ((int64_t)64 << 20) /* max_response_bytes unless given */
enum { J_QUEUED, J_RUNNING, J_DONE };
struct worker;

static int64_t mono_ns(void) { /* the real clock, on any thread */
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
typedef struct hjob {
  struct hjob *next;
  int64_t root;           /* slot in `roots` holding the promise (async only) */
  char *method, *url;     /* malloc'd copies */
  char *body;
  size_t body_len;
  struct curl_slist *headers;
  long timeout_ms;        /* 0: none */
  int64_t max_bytes;      /* max_response_bytes: the most body bytes kept */
  long redirects_left;    /* of MAX_REDIRECTS, for a chain resumed after libcurl gave up (resume) */
  int too_big;            /* the body went over max_bytes */
  int saw_status;         /* a status line arrived (a later libcurl out-of-memory: a huge header) */
  int64_t deadline_ns;    /* mono_ns() at the call + timeout (0: none) */
  int state;              /* J_QUEUED, J_RUNNING, J_DONE (under mu) */
  int cancelled;          /* loop thread: the promise was cancelled; drop the outcome */
  volatile int abort;     /* set under mu: the worker stops the transfer */
  struct worker *worker;  /* while running */
  tul__timer_node timer;  /* loop thread: fails the job if still queued at the deadline */
  /* outcome, filled by whoever runs the request */
  long status;
  hbuf resp_headers;      /* "name\0value\0" pairs, names lower-cased, of the final response */
  hbuf resp_body;
  char error[CURL_ERROR_SIZE + 64]; /* non-empty: transport failure */
} hjob;

static char *dup_bytes(const char *p, size_t n) {
  char *q = malloc(n + 1);
  if (!q) abort();
  memcpy(q, p, n);
  q[n] = 0;
  return q;
}

static void job_free(hjob *j) {
  free(j->method);
  free(j->url);
  free(j->body);
  curl_slist_free_all(j->headers);
  hbuf_free(&j->resp_headers);
  hbuf_free(&j->resp_body);
  free(j);
}

/* ---------------------------------------------------------------- global state */
static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static const char *ca_file; /* SSL_CERT_FILE, when set */

static void global_init(void) {
  curl_global_init(CURL_GLOBAL_ALL);
  const char *ca = getenv("SSL_CERT_FILE");
  if (ca && *ca) ca_file = dup_bytes(ca, strlen(ca));
}

/* ---------------------------------------------------------------- running one request (any thread) */
static size_t on_body(char *p, size_t size, size_t n, void *ud) {
  hjob *j = ud;
  if (j->resp_body.len + size * n > (size_t)j->max_bytes) {
    j->too_big = 1;
    return 0; /* libcurl stops the transfer (CURLE_WRITE_ERROR) */
  }
  return hbuf_add(&j->resp_body, p, size * n) ? size * n : 0;
}

static void trim(const char **p, size_t *n) {
  while (*n && (**p == ' ' || **p == '\t')) (*p)++, (*n)--;
  while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t' || (*p)[*n - 1] == '\r' || (*p)[*n - 1] == '\n')) (*n)--;
}

/* One header line. A status line starts a new response (redirects, 100 Continue): headers seen so
 * far belonged to an earlier one. */
static size_t on_header(char *p, size_t size, size_t n, void *ud) {
  hjob *j = ud;
  size_t len = size * n;
  if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
    j->saw_status = 1;
    j->resp_headers.len = 0;
    return len;
  }
  char *colon = memchr(p, ':', len);
  if (!colon) return len;
  const char *name = p, *val = colon + 1;
  size_t nlen = (size_t)(colon - p), vlen = len - nlen - 1;
  trim(&name, &nlen);
  trim(&val, &vlen);
  if (!nlen) return len;
  char lower[256];
  if (nlen >= sizeof lower) return len;
  for (size_t i = 0; i < nlen; i++) lower[i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] + 32 : name[i]);
  if (!hbuf_add(&j->resp_headers, lower, nlen) || !hbuf_add(&j->resp_headers, "", 1) ||
      !hbuf_add(&j->resp_headers, val, vlen) || !hbuf_add(&j->resp_headers, "", 1))
    return 0;
  return len;
}

/* The error kind prefix for a libcurl result code (the envelope's "error" reads "<Kind>: <detail>"). */
static const char *error_kind(CURLcode rc) {
  switch (rc) {
  case CURLE_COULDNT_RESOLVE_HOST: case CURLE_COULDNT_RESOLVE_PROXY: return "DNSError";
  case CURLE_COULDNT_CONNECT: return "ConnectError";
  case CURLE_OPERATION_TIMEDOUT: return "TimeoutError";
  case CURLE_SSL_CONNECT_ERROR: case CURLE_PEER_FAILED_VERIFICATION: case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER: case CURLE_SSL_CACERT_BADFILE: case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH: case CURLE_SSL_INVALIDCERTSTATUS: case CURLE_SSL_CRL_BADFILE:
  case CURLE_SSL_ENGINE_NOTFOUND: case CURLE_SSL_ENGINE_SETFAILED: case CURLE_SSL_ENGINE_INITFAILED:
  case CURLE_SSL_SHUTDOWN_FAILED: case CURLE_USE_SSL_FAILED: return "TLSError";
  case CURLE_URL_MALFORMAT: case CURLE_UNSUPPORTED_PROTOCOL: return "URLError";
  case CURLE_TOO_MANY_REDIRECTS: return "RedirectError";
  case CURLE_WEIRD_SERVER_REPLY: case CURLE_BAD_CONTENT_ENCODING: case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM: case CURLE_HTTP3: return "ProtocolError";
  case CURLE_PARTIAL_FILE: case CURLE_RECV_ERROR: case CURLE_SEND_ERROR: case CURLE_GOT_NOTHING:
    return "ConnectionError";
  default: return "HTTPError";
  }
}

/* libcurl calls HTTP/0.9 (what a server sending garbage looks like) an unsupported protocol. */
static const char *classify(CURLcode rc, const char *detail) {
  if (rc == CURLE_UNSUPPORTED_PROTOCOL && strstr(detail, "HTTP/0.9")) return "ProtocolError";
  return error_kind(rc);
}

static void set_method(CURL *h, hjob *j) {
  int has_body = j->body_len > 0;
  if (strcmp(j->method, "HEAD") == 0) {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (strcmp(j->method, "POST") == 0) {
    curl_easy_setopt(h, CURLOPT_POST, 1L); /* a 301/302/303 then turns into GET, as browsers do */
  } else if (strcmp(j->method, "GET") != 0 || has_body) {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, j->method);
  }
  if (has_body || strcmp(j->method, "POST") == 0 || strcmp(j->method, "PUT") == 0 ||
      strcmp(j->method, "PATCH") == 0) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, j->body ? j->body : "");
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)j->body_len);
  }
}

/* Sets `h` (reset first; the connection cache survives the reset) up to run `j` with at most
 * `timeout_ms` (0: none). */
static void configure(CURL *h, hjob *j, char *errbuf, long timeout_ms) {
  errbuf[0] = 0;
  curl_easy_reset(h);
  curl_easy_setopt(h, CURLOPT_URL, j->url);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, j->redirects_left);
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)j->max_bytes); /* by Content-Length */
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, j);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, j);
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  if (ca_file) curl_easy_setopt(h, CURLOPT_CAINFO, ca_file);
  if (timeout_ms > 0) curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  if (j->headers) curl_easy_setopt(h, CURLOPT_HTTPHEADER, j->headers);
  set_method(h, j);
}

/* The error text for a transfer that failed with `rc` (libcurl's detail in `detail`), where
 * libcurl's own words would mislead: a body over the cap, a header over its limits (libcurl says
 * "Out of memory" for one line over 100 KiB), a redirect loop whatever the chain's length left. */
static void describe_failure(hjob *j, CURLcode rc, const char *detail) {
  if (j->too_big || rc == CURLE_FILESIZE_EXCEEDED)
    snprintf(j->error, sizeof j->error, "HTTPError: response body larger than max_response_bytes (%lld bytes)",
             (long long)j->max_bytes);
  else if (rc == CURLE_OUT_OF_MEMORY && j->saw_status)
    snprintf(j->error, sizeof j->error, "HTTPError: response header too large (a header line over 100 KiB)");
  else if (strstr(detail, "Too large response headers"))
    snprintf(j->error, sizeof j->error, "HTTPError: response headers too large (%s)", detail);
  else if (rc == CURLE_TOO_MANY_REDIRECTS)
    snprintf(j->error, sizeof j->error, "RedirectError: Maximum (%ld) redirects followed", MAX_REDIRECTS);
  else
    snprintf(j->error, sizeof j->error, "%s: %s", classify(rc, detail), detail);
}

/* Records the outcome of a transfer that ended with `rc`. */
static void finish(CURL *h, hjob *j, CURLcode rc, const char *errbuf) {
  if (rc != CURLE_OK) {
    describe_failure(j, rc, errbuf[0] ? errbuf : curl_easy_strerror(rc));
    if (!j->error[0]) snprintf(j->error, sizeof j->error, "HTTPError: unknown failure");
    j->status = 0;
    return;
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &j->status);
}

/* libcurl retries a request whose reused connection turns out closed, but counts the retries over
 * a whole redirect chain: a server that closes every connection makes a long chain (a loop) fail
 * with "Connection died, tried 5 times" or with RedirectError, depending on timing. When a chain
 * of GETs dies so, it goes on from the URL it reached with the redirects it has left (each resume
 * follows at least one), so a loop always ends in RedirectError. Returns 1 when `j` is to run again. */
static int resume(CURL *h, hjob *j, CURLcode rc) {
  if (rc != CURLE_SEND_ERROR && rc != CURLE_RECV_ERROR && rc != CURLE_GOT_NOTHING) return 0;
  long followed = 0;
  char *url = NULL, *method = NULL;
  curl_easy_getinfo(h, CURLINFO_REDIRECT_COUNT, &followed);
  curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &url);
  curl_easy_getinfo(h, CURLINFO_EFFECTIVE_METHOD, &method);
  if (followed <= 0 || followed > j->redirects_left || !url || !method) return 0;
  if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) return 0;
  char *u = dup_bytes(url, strlen(url)), *m = dup_bytes(method, strlen(method));
  free(j->url);
  free(j->method);
  j->url = u;
  j->method = m;
  j->body_len = 0;
  j->redirects_left -= followed;
  j->resp_headers.len = j->resp_body.len = 0;
  j->saw_status = 0;
  return 1;
}

static void queued_timeout(hjob *j) {
  snprintf(j->error, sizeof j->error,
           "TimeoutError: Operation timed out after %ld milliseconds (waiting for a free worker)", j->timeout_ms);
}

/* j's deadline passed between the attempts of a resumed redirect chain. */
static void chain_timeout(hjob *j) {
  snprintf(j->error, sizeof j->error, "TimeoutError: Operation timed out after %ld milliseconds", j->timeout_ms);
}

/* What is left of j's time counted from the call: 0 for no limit, -1 when none is left. */
static long time_left(const hjob *j) {
  if (!j->deadline_ns) return j->timeout_ms;
  int64_t left = (j->deadline_ns - mono_ns() + 999999) / 1000000;
  return left > 0 ? (long)left : -1;
}

/* Runs `j` on the calling thread's easy handle `h`. */
static void run_request(CURL *h, hjob *j) {
  char errbuf[CURL_ERROR_SIZE];
  CURLcode rc;
  do {
    long timeout_ms = time_left(j);
    if (timeout_ms < 0) {
      chain_timeout(j);
      return;
    }
    configure(h, j, errbuf, timeout_ms);
    rc = curl_easy_perform(h);
  } while (resume(h, j, rc));
  finish(h, j, rc, errbuf);
}

/* ---------------------------------------------------------------- building a job (loop thread) */
static void add_header(hjob *j, const tul_str *name, const tul_str *value) {
  size_t n = (size_t)name->len, v = (size_t)value->len;
  char *line = malloc(n + v + 3);
  if (!line) abort();
  memcpy(line, name->data, n);
  if (v) {
    memcpy(line + n, ": ", 2);
    memcpy(line + n + 2, value->data, v);
    line[n + 2 + v] = 0;
  } else {
    memcpy(line + n, ";", 2); /* libcurl's spelling of "send this header with an empty value" */
  }
  j->headers = curl_slist_append(j->headers, line);
  free(line);
}

/* opts: {"headers": {name: value, ...}, "timeout_ms": n, "max_response_bytes": n}; anything else
 * is ignored. */
static void read_opts(hjob *j, const tul_json *opts) {
  if (!opts || opts->tag != TUL_J_OBJECT) return;
  const tul_json *hs = tul__json_obj_get(opts, tul__str_c("headers"));
  if (hs && hs->tag == TUL_J_OBJECT) {
    for (int64_t i = 0, n = tul__jobj_len(hs); i < n; i++) {
      const tul_json *v = tul__jobj_val(hs, i);
      const tul_str *vs = v && v->tag == TUL_J_STR ? v->u.s : tul_json_to_str(v);
      add_header(j, tul__jobj_key(hs, i), vs);
    }
  }
  const tul_json *m = tul__json_obj_get(opts, tul__str_c("max_response_bytes"));
  if (m && m->tag == TUL_J_INT && m->u.i >= 0) j->max_bytes = m->u.i;
  if (m && m->tag == TUL_J_FLOAT && m->u.f >= 0) j->max_bytes = m->u.f < 9.2e18 ? (int64_t)m->u.f : INT64_MAX;
  const tul_json *t = tul__json_obj_get(opts, tul__str_c("timeout_ms"));
  if (t && t->tag == TUL_J_INT && t->u.i > 0) j->timeout_ms = (long)t->u.i;
  if (t && t->tag == TUL_J_FLOAT && t->u.f > 0) j->timeout_ms = (long)(t->u.f + 0.999);
  if (j->timeout_ms > 0) j->deadline_ns = mono_ns() + (int64_t)j->timeout_ms * 1000000;
}

static hjob *make_job(const tul_str *method, const tul_str *url, const tul_str *body, const tul_json *opts) {
  pthread_once(&global_once, global_init);
  hjob *j = calloc(1, sizeof *j);
  if (!j) abort();
  j->method = dup_bytes(method->data, (size_t)method->len);
  for (char *c = j->method; *c; c++)
    if (*c >= 'a' && *c <= 'z') *c -= 32;
  j->url = dup_bytes(url->data, (size_t)url->len);
  j->body_len = body ? (size_t)body->len : 0;
  j->body = dup_bytes(body ? body->data : "", j->body_len);
  j->max_bytes = DEFAULT_MAX_RESPONSE_BYTES;
  j->redirects_left = MAX_REDIRECTS;
  /* libcurl adds "Expect: 100-continue" to large uploads: one more round trip for nothing */
  j->headers = curl_slist_append(NULL, "Expect:");
  read_opts(j, opts);
  return j;
}

/* The envelope: {ok, status, headers, body}, or on a transport failure {ok: false, status: 0,
 * headers: {}, body: "", error} (the same keys, so code that reads the body works either way).
 * Loop thread. */
static tul_json *envelope(hjob *j) {
  tul_json *o = tul__json_object();
  if (j->error[0]) {
    tul__json_obj_set(o, tul__str_c("ok"), tul__json_bool(0));
    tul__json_obj_set(o, tul__str_c("status"), tul__json_int(0));
    tul__json_obj_set(o, tul__str_c("headers"), tul__json_object());
    tul__json_obj_set(o, tul__str_c("body"), tul__json_str(tul__str_c("")));
    tul__json_obj_set(o, tul__str_c("error"), tul__json_str(tul__str_c(j->error)));
    return o;
  }
  tul__json_obj_set(o, tul__str_c("ok"), tul__json_bool(j->status >= 200 && j->status <= 299));
  tul__json_obj_set(o, tul__str_c("status"), tul__json_int(j->status));
  tul_json *hs = tul__json_object();
  for (size_t i = 0; i < j->resp_headers.len;) {
    const char *name = j->resp_headers.p + i;
    size_t nlen = strlen(name);
    const char *val = name + nlen + 1;
    size_t vlen = strlen(val);
    i += nlen + vlen + 2;
    tul_str *key = tul__str_from(name, (int64_t)nlen);
    const tul_json *old = tul__json_obj_get(hs, key);
    tul_str *v = tul__str_from(val, (int64_t)vlen);
    if (old && old->tag == TUL_J_STR) /* repeated header: values joined as HTTP allows */
      v = tul_str_concat(tul_str_concat(old->u.s, tul__str_c(", ")), v);
    tul__json_obj_set(hs, key, tul__json_str(v));
  }
  tul__json_obj_set(o, tul__str_c("headers"), hs);
  tul_str *b = j->resp_body.len ? tul__str_from(j->resp_body.p, (int64_t)j->resp_body.len) : tul__str_c("");
  tul__json_obj_set(o, tul__str_c("body"), tul__json_str(b));
  return o;
}

/* ---------------------------------------------------------------- blocking http_request */
static TUL_TLS CURL *main_handle; /* the calling thread's: the loop thread's, or a spawn worker's */

tul_json *tul_http_request(const tul_str *method, const tul_str *url, const tul_str *body, const tul_json *opts) {
  hjob *j = make_job(method, url, body, opts);
  if (!main_handle && !(main_handle = curl_easy_init())) tul_throw_msg("HTTPError: cannot initialise libcurl");
  run_request(main_handle, j);
  tul_json *env = envelope(j);
  job_free(j);
  return env;
}

/* ---------------------------------------------------------------- the worker pool */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t job_cv = PTHREAD_COND_INITIALIZER;
static hjob *jobs_head, *jobs_tail; /* waiting for a worker (FIFO) */
static hjob *done_head, *done_tail; /* finished, waiting for the loop (FIFO) */
static uv_async_t wake;
static int pool_started;
static int64_t in_flight; /* loop thread only */

/* Appends j to a FIFO of jobs (under mu). */
static void enqueue(hjob **head, hjob **tail, hjob *j) {
  j->next = NULL;
  if (*tail) (*tail)->next = j;
  else *head = j;
  *tail = j;
}

/* GC-visible promises of in-flight jobs, indexed by hjob.root; free slots chain through `free_slots`. */
static tul_promise **roots;
static int64_t *free_slots, nroots, free_top;

static int64_t root_promise(tul_promise *p) {
  if (free_top == 0) {
    int64_t n = nroots ? nroots * 2 : 64;
    tul_promise **r = tul_alloc(n * (int64_t)sizeof *r);
    if (nroots) memcpy(r, roots, (size_t)nroots * sizeof *r);
    int64_t *f = realloc(free_slots, (size_t)n * sizeof *f);
    if (!f) abort();
    for (int64_t i = n - 1; i >= nroots; i--) f[free_top++] = i;
    roots = r;
    free_slots = f;
    nroots = n;
  }
  int64_t i = free_slots[--free_top];
  roots[i] = p;
  return i;
}

static tul_promise *unroot_promise(int64_t i) {
  tul_promise *p = roots[i];
  roots[i] = NULL;
  free_slots[free_top++] = i;
  return p;
}

/* A worker thread: one multi handle (its connection cache) and one easy handle, reused. */
typedef struct worker {
  CURLM *multi;
  CURL *easy;
} worker;

/* Drives the configured transfer on the worker's multi handle until it ends or the job is aborted. */
static CURLcode drive(worker *w, hjob *j) {
  curl_multi_add_handle(w->multi, w->easy);
  CURLcode rc = CURLE_OK;
  for (int running = 1; running;) {
    if (j->abort) {
      rc = CURLE_ABORTED_BY_CALLBACK;
      break;
    }
    if (curl_multi_perform(w->multi, &running) != CURLM_OK) {
      rc = CURLE_FAILED_INIT;
      break;
    }
    if (running) curl_multi_poll(w->multi, NULL, 0, 1000, NULL);
  }
  CURLMsg *m;
  int left;
  while ((m = curl_multi_info_read(w->multi, &left)))
    if (m->msg == CURLMSG_DONE && rc == CURLE_OK) rc = m->data.result;
  curl_multi_remove_handle(w->multi, w->easy);
  return rc;
}

/* Runs j on the worker, resuming a redirect chain libcurl gave up on (resume). */
static void run_on_worker(worker *w, hjob *j) {
  char errbuf[CURL_ERROR_SIZE];
  CURLcode rc;
  int first = 1;
  do {
    long timeout_ms = time_left(j);
    if (timeout_ms < 0) {
      first ? queued_timeout(j) : chain_timeout(j);
      return;
    }
    first = 0;
    configure(w->easy, j, errbuf, timeout_ms);
    rc = drive(w, j);
  } while (rc != CURLE_ABORTED_BY_CALLBACK && resume(w->easy, j, rc));
  finish(w->easy, j, rc, errbuf);
}

static void *worker_main(void *arg) {
  worker *w = arg;
  for (;;) {
    pthread_mutex_lock(&mu);
    while (!jobs_head) pthread_cond_wait(&job_cv, &mu);
    hjob *j = jobs_head;
    jobs_head = j->next;
    if (!jobs_head) jobs_tail = NULL;
    j->state = J_RUNNING;
    j->worker = w;
    pthread_mutex_unlock(&mu);
    if (w->multi && w->easy) run_on_worker(w, j);
    else snprintf(j->error, sizeof j->error, "HTTPError: cannot initialise libcurl");
    pthread_mutex_lock(&mu);
    j->state = J_DONE;
    j->worker = NULL;
    enqueue(&done_head, &done_tail, j);
    pthread_mutex_unlock(&mu);
    uv_async_send(&wake);
  }
  return NULL;
}

/* While requests are in flight the ref'd async handle lets libuv block in poll with no timeout;
 * the scheduler's own wake-up timer can then be lost (started against a stale loop clock, it fires
 * in the timer phase before the poll). This prepare hook (run just before each poll) re-arms a
 * timer for the next sleep_async deadline against a fresh clock, so timers keep firing. */
static uv_prepare_t prepare;
static uv_timer_t deadline_timer;

static void on_deadline(uv_timer_t *t) { (void)t; }

static void on_prepare(uv_prepare_t *h) {
  (void)h;
  if (!tul__timers_pending() || tul__det) { /* the virtual clock stands still during I/O */
    uv_timer_stop(&deadline_timer);
    return;
  }
  uv_update_time(tul__uv_loop());
  int64_t ns = tul__timers_next_deadline() - tul__now_ns();
  uv_timer_start(&deadline_timer, on_deadline, ns <= 0 ? 0 : (uint64_t)((ns + 999999) / 1000000), 0);
}

/* Also tells the scheduler that I/O is in flight (deterministic mode keeps its clock still). */
static void set_busy(int busy) {
  tul__io_busy += busy ? 1 : -1;
  if (busy) {
    uv_ref((uv_handle_t *)&wake);
    uv_prepare_start(&prepare, on_prepare);
  } else {
    uv_unref((uv_handle_t *)&wake);
    uv_prepare_stop(&prepare);
    uv_timer_stop(&deadline_timer);
  }
}

/* Loop thread: a job leaves the books (its promise is settled or cancelled already). */
static void retire(hjob *j) {
  tul__timer_cancel(&j->timer);
  unroot_promise(j->root);
  job_free(j);
  if (--in_flight == 0) set_busy(0);
}

/* Loop thread: settles the promise of every finished job. */
static void on_wake(uv_async_t *a) {
  (void)a;
  pthread_mutex_lock(&mu);
  hjob *j = done_head;
  done_head = done_tail = NULL;
  pthread_mutex_unlock(&mu);
  while (j) {
    hjob *next = j->next;
    tul_promise *p = roots[j->root];
    int cancelled = j->cancelled;
    tul_json *env = cancelled ? NULL : envelope(j);
    retire(j);
    if (!cancelled) tul__promise_resolve(p, &env);
    j = next;
  }
}

/* Takes j out of the queue if it is still there (under mu). */
static int dequeue(hjob *j) {
  if (j->state != J_QUEUED) return 0;
  hjob *prev = NULL;
  for (hjob *q = jobs_head; q; prev = q, q = q->next)
    if (q == j) {
      if (prev) prev->next = j->next;
      else jobs_head = j->next;
      if (jobs_tail == j) jobs_tail = prev;
      return 1;
    }
  return 0;
}

/* The release hook of a request's promise (loop thread): a queued job leaves the queue; a running
 * transfer is aborted (its worker is free at once); a finished one is dropped when it arrives. */
static void cancel_job(tul_promise *p, void *ud) {
  hjob *j = ud;
  pthread_mutex_lock(&mu);
  int was_queued = dequeue(j);
  if (!was_queued) {
    j->cancelled = 1;
    j->abort = 1;
    if (j->state == J_RUNNING && j->worker) curl_multi_wakeup(j->worker->multi);
  }
  pthread_mutex_unlock(&mu);
  if (was_queued) retire(j);
}

/* Loop thread, at a job's deadline: fails it if no worker has taken it yet. */
static void on_deadline_passed(tul__timer_node *n) {
  hjob *j = (hjob *)((char *)n - offsetof(hjob, timer));
  pthread_mutex_lock(&mu);
  int was_queued = dequeue(j);
  pthread_mutex_unlock(&mu);
  if (!was_queued) return; /* a worker has it: libcurl enforces what is left */
  queued_timeout(j);
  tul_promise *p = roots[j->root];
  tul_json *env = envelope(j);
  retire(j);
  tul__promise_resolve(p, &env);
}

static int pool_size(void) {
  const char *s = getenv("TULPAR_HTTP_POOL");
  long n = s && *s ? strtol(s, NULL, 10) : 4;
  if (n < 1) n = 1;
  if (n > 1024) n = 1024;
  return (int)n;
}

static void start_pool(void) {
  uv_async_init(tul__uv_loop(), &wake, on_wake);
  uv_unref((uv_handle_t *)&wake);
  uv_prepare_init(tul__uv_loop(), &prepare);
  uv_unref((uv_handle_t *)&prepare);
  uv_timer_init(tul__uv_loop(), &deadline_timer);
  uv_unref((uv_handle_t *)&deadline_timer);
  int n = pool_size();
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 512 * 1024);
  int started = 0;
  for (int i = 0; i < n; i++) {
    worker *w = calloc(1, sizeof *w);
    if (!w) abort();
    w->multi = curl_multi_init();
    w->easy = curl_easy_init();
    pthread_t t;
    if (pthread_create(&t, &attr, worker_main, w) == 0) started++;
  }
  pthread_attr_destroy(&attr);
  if (!started) tul_throw_msg("HTTPError: cannot start the HTTP worker threads");
  pool_started = 1;
}

tul_promise *tul_http_request_async(const tul_str *method, const tul_str *url, const tul_str *body,
                                    const tul_json *opts) {
  pthread_once(&global_once, global_init); /* before any worker touches libcurl */
  if (!pool_started) start_pool();
  hjob *j = make_job(method, url, body, opts);
  tul_promise *p = tul__promise_new_cancellable(&tul_type_json, cancel_job, j);
  j->root = root_promise(p);
  j->timer.index = -1;
  if (j->deadline_ns) tul__timer_arm(&j->timer, j->timeout_ms, on_deadline_passed);
  if (in_flight++ == 0) set_busy(1);
  pthread_mutex_lock(&mu);
  enqueue(&jobs_head, &jobs_tail, j);
  pthread_cond_signal(&job_cv);
  pthread_mutex_unlock(&mu);
  return p;
}
