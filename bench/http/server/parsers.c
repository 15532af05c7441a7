/* The HTTP server's parser choice, measured (docs/decisions.md "HTTP server"): llhttp (Debian's
 * node-llhttp sources, what the runtime compiles in) against picohttpparser as exported by Debian's
 * libh2o.so (its header is not shipped: the prototype below is picohttpparser's documented one).
 * Both only find the method, target and header spans, as the server needs; ns per request for a
 * wrk-style request, a browser-style one with 11 headers, and the browser one split into 3 reads
 * (picohttpparser re-parses from the start on each read; llhttp continues where it stopped).
 * Build and run: bench/http/server/parsers.sh */
#include <llhttp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct phr_header {
  const char *name;
  size_t name_len;
  const char *value;
  size_t value_len;
};
int phr_parse_request(const char *buf, size_t len, const char **method, size_t *method_len, const char **path,
                      size_t *path_len, int *minor_version, struct phr_header *headers, size_t *num_headers,
                      size_t last_len);

static const char WRK[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";
static const char BROWSER[] =
    "GET /notes/42?view=full&lang=en HTTP/1.1\r\nHost: example.test\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\r\nAccept: text/html,application/xhtml+xml,"
    "application/xml;q=0.9,*/*;q=0.8\r\nAccept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\n"
    "Connection: keep-alive\r\nCookie: session=0123456789abcdef; theme=dark\r\nUpgrade-Insecure-Requests: 1\r\n"
    "Sec-Fetch-Dest: document\r\nSec-Fetch-Mode: navigate\r\nCache-Control: max-age=0\r\n\r\n";

static volatile size_t sink;

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ---------------------------------------------------------------- llhttp */

static int span(llhttp_t *p, const char *at, size_t n) {
  sink += (size_t)(at - (const char *)0) + n;
  return 0;
}

static int done(llhttp_t *p) {
  sink++;
  return 0;
}

static llhttp_settings_t settings;

static double bench_llhttp(const char *req, size_t len, int pieces, int iters) {
  llhttp_t p;
  llhttp_init(&p, HTTP_REQUEST, &settings);
  double t0 = now_ns();
  for (int i = 0; i < iters; i++) {
    size_t step = len / (size_t)pieces, off = 0;
    for (int k = 0; k < pieces; k++) {
      size_t n = k == pieces - 1 ? len - off : step;
      if (llhttp_execute(&p, req + off, n) != HPE_OK) return -1;
      off += n;
    }
  }
  return (now_ns() - t0) / iters;
}

/* ---------------------------------------------------------------- picohttpparser */

static double bench_pico(const char *req, size_t len, int pieces, int iters) {
  const char *method, *path;
  size_t mlen, plen;
  int minor;
  struct phr_header hs[32];
  double t0 = now_ns();
  for (int i = 0; i < iters; i++) {
    size_t step = len / (size_t)pieces, have = 0, last = 0;
    int rc = -2;
    for (int k = 0; k < pieces; k++) {
      have = k == pieces - 1 ? len : have + step;
      size_t nh = 32;
      rc = phr_parse_request(req, have, &method, &mlen, &path, &plen, &minor, hs, &nh, last);
      last = have;
      if (rc > 0) sink += nh + plen;
    }
    if (rc <= 0) return -1;
  }
  return (now_ns() - t0) / iters;
}

int main(void) {
  llhttp_settings_init(&settings);
  settings.on_url = span;
  settings.on_header_field = span;
  settings.on_header_value = span;
  settings.on_message_complete = done;
  const int iters = 2000000;
  struct { const char *name, *req; int pieces; } cases[] = {
      {"wrk request (1 header)", WRK, 1},
      {"browser request (11 headers)", BROWSER, 1},
      {"browser request in 3 reads", BROWSER, 3},
  };
  printf("%-32s %12s %16s\n", "ns per request", "llhttp 8.1", "picohttpparser");
  for (int c = 0; c < 3; c++) {
    size_t len = strlen(cases[c].req);
    double best_l = 1e18, best_p = 1e18;
    for (int round = 0; round < 5; round++) {
      double l = bench_llhttp(cases[c].req, len, cases[c].pieces, iters / 5);
      double p = bench_pico(cases[c].req, len, cases[c].pieces, iters / 5);
      if (l < best_l) best_l = l;
      if (p < best_p) best_p = p;
    }
    printf("%-32s %12.1f %16.1f\n", cases[c].name, best_l, best_p);
  }
  return 0;
}
