/* testing.c: tests at run time (docs/reference.md §17.5-17.7): assert and assert_eq, and
 * tul_test_main, the runner a program built by `tulc test` ends with. Each test runs as a task of
 * its own, awaited by the main program under a handler; then the loop runs until idle, so the
 * tasks the test started finish too. A failing test (an assertion, any uncaught error in it or in
 * a task nobody awaited, StackOverflowError, a deadlock) fails alone and the next one runs. */
#undef _FORTIFY_SOURCE /* __longjmp_chk aborts on jumps across task stacks */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>
#include "async_int.h"
#include "rt_int.h"

/* ---------------------------------------------------------------- assertions */

void tul_assert_fail(const tul_str *msg) {
  tul__sb b;
  tul__sb_init(&b);
  tul__sb_cstr(&b, "AssertionError: ");
  tul__sb_add(&b, msg->data, msg->len);
  tul__throw_str(tul__sb_finish(&b));
}

void tul_assert_eq(const void *a, const void *b, const tul_type *type) {
  if (tul_value_eq(a, b, type)) return;
  tul__sb sb;
  tul__sb_init(&sb);
  tul__sb_cstr(&sb, "AssertionError: expected ");
  tul__sb_value(&sb, b, type, 1);
  tul__sb_cstr(&sb, ", got ");
  tul__sb_value(&sb, a, type, 1);
  tul__throw_str(tul__sb_finish(&sb));
}

/* ---------------------------------------------------------------- the runner */

static tul_promise *running;     /* the test's promise while the main program awaits it */
static int deadlocked;           /* ... and it deadlocked: cancelled, the report kept here */
static char *deadlock_text;
static size_t deadlock_len;
static void keep_deadlock_report(void);

/* The scheduler found nothing that can run while a test runs: the report becomes the test's
 * failure, and the test and the waiting tasks are cancelled so that they wind down (once per
 * test). */
int tul__test_deadlock(void) {
  if (!running || deadlocked) return 0;
  deadlocked = 1;
  keep_deadlock_report();
  tul_cancel(running);
  tul__cancel_waiting_tasks();
  return 1;
}

static void out_line(tul__sb *b) { tul_print(tul__sb_finish(b)); }

/* FNV-1a of the name: each test's streams depend on its name only, so a test keeps its schedule
 * whatever runs before it (`--filter` reproduces a failure seen in a full run). */
static uint64_t name_hash(const char *s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
  return h;
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

/* Whether `buf` holds a `file:line` site (not "?" or a bare function name). */
static int is_site(const char *buf) {
  const char *colon = strrchr(buf, ':');
  return colon && colon[1] >= '0' && colon[1] <= '9';
}

static int first_site(void *const *pcs, int64_t n, char *buf, size_t size) {
  for (int64_t i = 0; i < n; i++) {
    if (!pcs[i] || pcs[i] == TUL__TRACE_CREATED) { i++; continue; } /* markers take two entries */
    tul__trace_site(pcs[i], buf, size);
    if (is_site(buf)) return 1;
  }
  return 0;
}

/* Where `error` was thrown: the innermost `file:line` of user code on its async chain (the task
 * that threw first), else of the trace the runner caught; else the test's own line. */
static void error_site(tul_json *error, const tul_test_case *c, char *buf, size_t size) {
  const tul_async_origin *o = tul__async_origin_for(error), *chain[64];
  int depth = 0;
  for (; o && depth < 64; o = o->inner) chain[depth++] = o;
  for (int i = depth - 1; i >= 0; i--)
    if (tul__trace_site && first_site(chain[i]->frames, chain[i]->nframes, buf, size)) return;
  void *const *frames = NULL;
  int64_t n = tul__exc_caught_frames ? tul__exc_caught_frames(&frames) : 0;
  if (tul__trace_site && first_site(frames, n, buf, size)) return;
  snprintf(buf, size, "%s", c->where);
}

/* The rerun line, `  rerun: <TULPAR_TEST_RERUN> --filter '<name>'` (the name quoted for a shell:
 * each ' written as '\''), into buf of rerun_size(rerun, name) bytes. No allocation: the watchdog
 * thread, unknown to the collector, writes it too. */
static size_t rerun_size(const char *rerun, const char *name) { return strlen(rerun) + 4 * strlen(name) + 24; }

static void rerun_line(char *buf, const char *rerun, const char *name) {
  char *p = buf + sprintf(buf, "  rerun: %s --filter '", rerun);
  for (; *name; name++) {
    if (*name == '\'') p = stpcpy(p, "'\\''");
    else *p++ = *name;
  }
  strcpy(p, "'");
}

/* The lines under `FAIL <name>`: `  file.tul:line: <error>` (later lines of a multi-line message
 * indented), the deadlock report, and how to run the test again with the same seed. */
static void report_failure(const tul_test_case *c, tul_json *error) {
  char site[512];
  tul__sb b;
  tul__sb_init(&b);
  tul__sb_cstr(&b, "  ");
  if (deadlocked) {
    tul__sb_cstr(&b, base_name(c->where));
    tul__sb_cstr(&b, ": Deadlock: every task is waiting\n");
    tul__sb_add(&b, deadlock_text ? deadlock_text : "", (int64_t)deadlock_len);
    if (b.len && b.p[b.len - 1] == '\n') b.len--;
  } else {
    error_site(error, c, site, sizeof site);
    tul__sb_cstr(&b, base_name(site));
    tul__sb_cstr(&b, ": ");
    tul_str *text = tul_json_to_str(error);
    for (int64_t i = 0; i < text->len; i++) {
      tul__sb_ch(&b, text->data[i]);
      if (text->data[i] == '\n') tul__sb_cstr(&b, "    ");
    }
  }
  out_line(&b);
  tul__sb_init(&b);
  const char *rerun = getenv("TULPAR_TEST_RERUN");
  if (rerun && *rerun) {
    char line[rerun_size(rerun, c->name)];
    rerun_line(line, rerun, c->name);
    tul__sb_cstr(&b, line);
  } else {
    char seed[64];
    snprintf(seed, sizeof seed, "  seed %llu", (unsigned long long)tul__det_seed());
    tul__sb_cstr(&b, tul__det ? seed : "  real time");
  }
  out_line(&b);
}

/* The deadlock report's lines, kept for the failure (the main program's wait is the runner's). */
static void keep_deadlock_report(void) {
  FILE *f = open_memstream(&deadlock_text, &deadlock_len);
  if (!f) return;
  tul__deadlock_report(f, "    ", 0);
  fclose(f);
}

/* After the test's own task: runs what it started until nothing can run. A task that threw with
 * nobody awaiting it fails the test; so do tasks still waiting then, which nothing can wake. */
static tul_json *finish_started_tasks(int64_t live_before, tul_json *error) {
  int64_t stuck = tul__run_until_idle() - live_before;
  tul_json *unawaited = tul__take_unhandled();
  if (error || deadlocked) return error;
  if (unawaited) return unawaited;
  if (stuck > 0) {
    deadlocked = 1;
    keep_deadlock_report();
    tul__cancel_waiting_tasks();
    tul__run_until_idle();
  }
  return NULL;
}

/* Runs one test as a task and awaits it; returns 1 when it passed. */
static int run_test(const tul_test_case *c) {
  tul__det_reseed(name_hash(c->name));
  tul__virtual_base_ns = tul__virtual_ns;
  deadlocked = 0;
  uint64_t t0 = uv_hrtime();
  int64_t live_before = tul__live_tasks;
  void *args;
  running = tul_task_spawn(c->entry, 0, NULL, &args);
  ((tul__task *)running)->created_at = NULL; /* no line of the program created it (traces, reports) */
  tul_json *volatile error = NULL;
  _Alignas(16) char handler[TUL_HANDLER_SIZE];
  tul_try_push(handler);
  if (_setjmp(*(jmp_buf *)handler) == 0) {
    tul_await(running, NULL);
    tul_try_pop(handler);
  } else {
    error = tul_caught();
  }
  running = NULL;
  error = finish_started_tasks(live_before, error);
  uint64_t ms = (uv_hrtime() - t0) / 1000000;
  int passed = !error && !deadlocked;
  tul__sb b;
  tul__sb_init(&b);
  tul__sb_cstr(&b, passed ? "ok " : "FAIL ");
  tul__sb_cstr(&b, c->name);
  if (passed) {
    char took[48];
    snprintf(took, sizeof took, " (%llu ms)", (unsigned long long)ms);
    tul__sb_cstr(&b, took);
  }
  out_line(&b);
  if (!passed) report_failure(c, error);
  free(deadlock_text);
  deadlock_text = NULL;
  deadlock_len = 0;
  return passed;
}

/* ---------------------------------------------------------------- the time limit
 * A test that never returns to the scheduler (a loop that does not await) cannot be cancelled, so
 * a watchdog thread ends the program when one test has run for TULPAR_TEST_TIMEOUT_MS (tulc test
 * --timeout): it flushes what the program printed, reports the test as failed with a rerun line,
 * hands tulc the counts and exits. The tests after it do not run (as with `go test -timeout`). */

static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t watch_cond = PTHREAD_COND_INITIALIZER;
static const tul_test_case *watched; /* the running test, NULL between tests */
static uint64_t watch_gen;           /* bumped at each test's start and end */
static int64_t watch_passed, watch_failed, watch_limit_ms;

static void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w <= 0) return;
    p += w;
    n -= (size_t)w;
  }
}

static void counts_to_tulc(int64_t passed, int64_t failed);

/* Runs on the watchdog thread, which the collector does not know: no GC allocation here. */
static _Noreturn void timed_out(const tul_test_case *c) {
  fflush(stdout); /* the test is stuck in its own code: its output so far is kept */
  char line[1024], limit[48];
  if (watch_limit_ms % 1000 == 0) snprintf(limit, sizeof limit, "%lld s", (long long)(watch_limit_ms / 1000));
  else snprintf(limit, sizeof limit, "%lld ms", (long long)watch_limit_ms);
  int n = snprintf(line, sizeof line, "FAIL %s\n  %s: TimeoutError: the test did not finish within %s (a loop that never awaits?); tulc test --timeout <seconds> sets the limit\n",
                   c->name, base_name(c->where), limit);
  write_all(1, line, (size_t)(n < (int)sizeof line ? n : (int)sizeof line - 1));
  const char *rerun = getenv("TULPAR_TEST_RERUN");
  if (rerun && *rerun) {
    char rl[rerun_size(rerun, c->name)];
    rerun_line(rl, rerun, c->name);
    write_all(1, rl, strlen(rl));
    write_all(1, "\n", 1);
  }
  counts_to_tulc(watch_passed, watch_failed + 1);
  _exit(1);
}

static void *watchdog(void *arg) {
  (void)arg;
  pthread_mutex_lock(&watch_lock);
  for (;;) {
    while (!watched) pthread_cond_wait(&watch_cond, &watch_lock);
    uint64_t gen = watch_gen;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += watch_limit_ms / 1000;
    until.tv_nsec += (watch_limit_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) { until.tv_sec++; until.tv_nsec -= 1000000000L; }
    int r = 0;
    while (watch_gen == gen && r != ETIMEDOUT) r = pthread_cond_timedwait(&watch_cond, &watch_lock, &until);
    if (watch_gen == gen && watched) timed_out(watched);
  }
  return NULL;
}

static void watch_start(void) {
  const char *v = getenv("TULPAR_TEST_TIMEOUT_MS");
  watch_limit_ms = v && *v ? atoll(v) : 0;
  if (watch_limit_ms <= 0) return;
  pthread_t t;
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
  if (pthread_create(&t, &a, watchdog, NULL) != 0) watch_limit_ms = 0; /* run without a limit */
  pthread_attr_destroy(&a);
}

/* Tells the watchdog a test started (c) or ended (NULL), with the counts so far. */
static void watch(const tul_test_case *c, int64_t passed, int64_t failed) {
  if (watch_limit_ms <= 0) return;
  pthread_mutex_lock(&watch_lock);
  watched = c;
  watch_gen++;
  watch_passed = passed;
  watch_failed = failed;
  pthread_cond_signal(&watch_cond);
  pthread_mutex_unlock(&watch_lock);
}

/* The totals: to the descriptor tulc passes (it adds up several files), else as the last line. */
static int counts_fd(void) {
  const char *fd_text = getenv("TULPAR_TEST_COUNTS_FD");
  return fd_text && *fd_text ? atoi(fd_text) : -1;
}

/* "passed failed" to tulc's descriptor (async-signal-safe: the watchdog uses it too). */
static void counts_to_tulc(int64_t passed, int64_t failed) {
  char line[96];
  int fd = counts_fd();
  if (fd <= 2) return;
  int n = snprintf(line, sizeof line, "%lld %lld\n", (long long)passed, (long long)failed);
  write_all(fd, line, (size_t)n);
}

static void report_totals(int64_t passed, int64_t failed) {
  if (counts_fd() > 2) return counts_to_tulc(passed, failed);
  char line[96];
  snprintf(line, sizeof line, "%lld passed, %lld failed", (long long)passed, (long long)failed);
  tul_print(tul__str_c(line));
}

void tul_test_main(int64_t n, const tul_test_case *cases) {
  tul__async_init();
  tul__outside_is_idle = 1;
  const char *filter = getenv("TULPAR_TEST_FILTER");
  int64_t passed = 0, failed = 0;
  watch_start();
  for (int64_t i = 0; i < n; i++) {
    if (filter && *filter && !strstr(cases[i].name, filter)) continue;
    watch(&cases[i], passed, failed);
    if (run_test(&cases[i])) passed++;
    else failed++;
    watch(NULL, passed, failed);
  }
  /* what the file's top-level statements left running; tasks a failed test left waiting are
   * already reported */
  if (passed + failed == 0) tul__loop_drain();
  else tul__run_until_idle();
  report_totals(passed, failed);
  tul__flush_stdout();
  exit(failed ? 1 : 0);
}
