/* child.h: runs a function in a forked child with stdout and stderr captured, for tests of what
 * the runtime prints and how it exits (uncaught exceptions, exit(), buffered output). */
#ifndef RT_CHILD_H
#define RT_CHILD_H
#include <sys/wait.h>
#include <unistd.h>

typedef struct child_result {
  int status;     /* exit status, or 128 + signal */
  char out[65536];
  char err[65536];
} child_result;

static void read_all(int fd, char *buf, size_t cap) {
  size_t n = 0;
  ssize_t k;
  while (n + 1 < cap && (k = read(fd, buf + n, cap - 1 - n)) > 0) n += (size_t)k;
  buf[n] = 0;
}

/* Runs fn() in a child; returns its exit status and output (stdout, then stderr read after). */
static void run_child(void (*fn)(void), child_result *r) {
  int out[2], err[2];
  if (pipe(out) || pipe(err)) abort();
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    close(out[0]);
    close(err[0]);
    fn();
    tul__flush_stdout();
    _exit(0);
  }
  close(out[1]);
  close(err[1]);
  read_all(err[0], r->err, sizeof r->err); /* small outputs: no deadlock on the other pipe */
  read_all(out[0], r->out, sizeof r->out);
  close(out[0]);
  close(err[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#define CHECK_CONTAINS(hay, needle)                                                  \
  do {                                                                               \
    if (!strstr((hay), (needle))) {                                                  \
      fprintf(stderr, "%s:%d: missing \"%s\" in:\n%s\n", __FILE__, __LINE__, (needle), (hay)); \
      rt_failures++;                                                                 \
    }                                                                                \
  } while (0)
#endif
