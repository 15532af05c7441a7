/* io.c: print (buffered stdout; whole lines from any thread), eprint, input, args, env, exit, files and
 * directories, clocks and sleep. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "rt_int.h"
#include "async_int.h"

static int saved_argc;
static char **saved_argv;
static char stdout_buf[1 << 16];
static int stdout_ready;

static void stdout_init(void) {
  if (stdout_ready) return;
  stdout_ready = 1;
  /* Fully buffered into a pipe or file (flushed at exit, before input() and on exit()); line
   * buffered on a terminal, as C and Python do. */
  setvbuf(stdout, stdout_buf, isatty(1) ? _IOLBF : _IOFBF, sizeof stdout_buf);
}

void tul__set_args(int argc, char **argv) {
  saved_argc = argc;
  saved_argv = argv;
  stdout_init();
}

void tul__flush_stdout(void) { fflush(stdout); }

/* Whole lines: once spawn workers exist, each line goes into stdout's buffer under its lock, so
 * lines of different threads never mix; before that nothing else writes to stdout. */
void tul_print(const tul_str *line) {
  if (TUL_UNLIKELY(!stdout_ready)) stdout_init();
  int locked = tul__threads_live;
  if (TUL_UNLIKELY(locked)) flockfile(stdout);
  fwrite_unlocked(line->data, 1, (size_t)line->len, stdout);
  putc_unlocked('\n', stdout);
  if (TUL_UNLIKELY(locked)) funlockfile(stdout);
}

/* stderr is unbuffered; stdout is flushed first so that a terminal or a 2>&1 log shows the lines in
 * the order the program wrote them. */
void tul_eprint(const tul_str *line) {
  fflush(stdout);
  tul__sb b;
  tul__sb_init(&b);
  tul__sb_add(&b, line->data, line->len);
  tul__sb_ch(&b, '\n');
  fwrite(b.p, 1, (size_t)b.len, stderr); /* one write: lines of concurrent writers stay whole */
  tul__sb_free(&b);
}

tul_str *tul_input(void) {
  fflush(stdout);
  char *line = NULL;
  size_t cap = 0;
  ssize_t n = getline(&line, &cap, stdin);
  if (n <= 0) {
    free(line);
    tul_throw_msg("EOFError: end of input");
  }
  if (line[n - 1] == '\n') n--;
  if (n > 0 && line[n - 1] == '\r') n--;
  tul_str *s = tul__str_from(line, n);
  free(line);
  return s;
}

tul_arr *tul_args(void) {
  int n = saved_argc > 1 ? saved_argc - 1 : 0;
  tul_arr *a = tul_arr_new(&tul_type_str, n);
  for (int i = 0; i < n; i++) ((tul_str **)a->data)[i] = tul__str_c(saved_argv[i + 1]);
  return a;
}

tul_str *tul_env(const tul_str *name) {
  const char *v = getenv(name->data);
  return v ? tul__str_c(v) : (tul_str *)&tul_empty_str;
}

void tul_exit(int64_t code) {
  fflush(stdout);
  fflush(stderr);
  exit((int)code);
}

/* ---------------------------------------------------------------- files */

static TUL_NORETURN void io_error(const char *verb, const tul_str *path, int err) {
  char before[32], after[160];
  snprintf(before, sizeof before, "IOError: cannot %s '", verb);
  snprintf(after, sizeof after, "': %s", strerror(err));
  tul__throw_quoting(before, path->data, path->len, after);
}

/* The path as a C string; a NUL inside it would silently name another file. */
static const char *c_path(const char *verb, const tul_str *path) {
  if (memchr(path->data, 0, (size_t)path->len)) io_error(verb, path, EINVAL);
  return path->data;
}

/* Reads up to n bytes; the count, or -1 with errno set. */
static int64_t read_full(int fd, char *p, int64_t n) {
  int64_t got = 0;
  while (got < n) {
    ssize_t k = read(fd, p + got, (size_t)(n - got));
    if (k == 0) break;
    if (k < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    got += k;
  }
  return got;
}

/* A regular file is read straight into a string of its size: one copy, and no second buffer (a
 * 50 MB file costs 50 MB, not 50 + 64). Anything else (pipes, /proc files, a file that grows
 * meanwhile) goes through a growing buffer. */
tul_str *tul_file_read(const tul_str *path) {
  int fd = open(c_path("read", path), O_RDONLY | O_CLOEXEC);
  if (fd < 0) io_error("read", path, errno);
  struct stat st;
  tul__sb b;
  tul__sb_init(&b);
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    tul_str *s = tul__str_alloc((int64_t)st.st_size);
    int64_t got = read_full(fd, s->data, s->len);
    char probe;
    if (got >= 0 && got < s->len) { /* shrank while being read */
      s->len = got;
      s->data[got] = 0;
    }
    if (got >= 0 && (got < (int64_t)st.st_size || read_full(fd, &probe, 1) == 0)) {
      close(fd);
      return s;
    }
    if (got < 0) {
      int err = errno;
      close(fd);
      io_error("read", path, err);
    }
    tul__sb_add(&b, s->data, s->len); /* it grew: go on with the buffer */
    tul__sb_ch(&b, probe);
  }
  for (;;) {
    if (b.cap - b.len < 4096) tul__sb_grow(&b, 65536);
    ssize_t n = read(fd, b.p + b.len, (size_t)(b.cap - b.len - 1));
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      tul__sb_free(&b);
      io_error("read", path, err);
    }
    b.len += n;
  }
  close(fd);
  return tul__sb_finish(&b);
}

static void write_file(const tul_str *path, const tul_str *data, int flags) {
  int fd = open(c_path("write", path), O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0666);
  if (fd < 0) io_error("write", path, errno);
  for (int64_t off = 0; off < data->len;) {
    ssize_t n = write(fd, data->data + off, (size_t)(data->len - off));
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      io_error("write", path, err);
    }
    off += n;
  }
  if (close(fd) != 0) io_error("write", path, errno);
}

void tul_file_write(const tul_str *path, const tul_str *data) { write_file(path, data, O_TRUNC); }
void tul_file_append(const tul_str *path, const tul_str *data) { write_file(path, data, O_APPEND); }

_Bool tul_file_exists(const tul_str *path) {
  struct stat st;
  return !memchr(path->data, 0, (size_t)path->len) && stat(path->data, &st) == 0;
}

/* The file's lines without their "\n" or "\r\n"; a last line without a newline counts, the empty
 * string after a final newline does not. */
tul_arr *tul_read_lines(const tul_str *path) {
  tul_str *text = tul_file_read(path);
  tul_arr *out = tul_arr_new(&tul_type_str, 0);
  const char *p = text->data, *end = p + text->len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *stop = nl ? nl : end;
    int64_t n = stop - p;
    if (nl && n > 0 && p[n - 1] == '\r') n--;
    *(tul_str **)tul_arr_push_slot(out) = tul__str_from(p, n);
    p = nl ? nl + 1 : end;
  }
  return out;
}

void tul_file_delete(const tul_str *path) {
  if (unlink(c_path("delete", path)) != 0) io_error("delete", path, errno);
}

static int by_bytes(const void *a, const void *b) {
  return (int)tul_str_cmp(*(tul_str *const *)a, *(tul_str *const *)b);
}

/* The names in a directory (not "." and ".."), sorted by code point. */
tul_arr *tul_list_dir(const tul_str *path) {
  DIR *d = opendir(c_path("list", path));
  if (!d) io_error("list", path, errno);
  tul_arr *out = tul_arr_new(&tul_type_str, 0);
  for (struct dirent *e; (errno = 0, e = readdir(d));) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    *(tul_str **)tul_arr_push_slot(out) = tul__str_c(e->d_name);
  }
  int err = errno;
  closedir(d);
  if (err) io_error("list", path, err);
  qsort(out->data, (size_t)out->len, sizeof(tul_str *), by_bytes);
  return out;
}

/* ---------------------------------------------------------------- time */

/* Deterministic mode (docs/reference.md §17): clock_ms and time_ms read the virtual clock, which
 * starts at 0.0 and at 2000-01-01T00:00:00Z respectively (again at the start of each test of
 * `tulc test`: tul__virtual_base_ns); sleep(ms) moves it forward at once. */
#define TUL_VIRTUAL_EPOCH_MS 946684800000LL

double tul_clock_ms(void) {
  if (tul__det) return (double)(tul__virtual_ns - tul__virtual_base_ns) / 1e6;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int64_t tul_time_ms(void) {
  if (tul__det) return TUL_VIRTUAL_EPOCH_MS + (tul__virtual_ns - tul__virtual_base_ns) / 1000000;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void tul_sleep(int64_t ms) {
  if (ms <= 0) return;
  if (tul__det && !tul_on_worker) {
    tul__det_advance_to(tul__virtual_ns + ms * 1000000);
    return;
  }
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}
