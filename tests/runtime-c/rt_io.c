/* rt_io.c: print buffering and exit(), input lines, args, env, files (with their IOError texts),
 * clocks and sleep. */
#include "rt_support/rt_test.h"
#include "rt_support/child.h"
#include <sys/stat.h>

static void print_then_exit(void) {
  tul_print(S("a"));
  tul_print(S("héllo"));
  tul_print(&tul_empty_str);
  tul_exit(3);
}

static void read_input(void) {
  int p[2];
  if (pipe(p)) abort();
  const char *text = "line1\r\nline2\n\nlast";
  if (write(p[1], text, strlen(text)) < 0) abort();
  close(p[1]);
  dup2(p[0], 0);
  for (int i = 0; i < 4; i++) tul_print(tul_str_concat(S("["), tul_str_concat(tul_input(), S("]"))));
  CHECK_THROWS(tul_input(), "EOFError: end of input");
  CHECK_THROWS(tul_input(), "EOFError: end of input"); /* and again */
  tul_print(S(rt_failures ? "failed" : "eof"));
}

static void eprint_order(void) {
  tul_print(S("out 1"));
  tul_eprint(S("err é"));
  tul_print(S("out 2"));
}

static void process(void) {
  static child_result r;
  run_child(print_then_exit, &r);
  CHECK(r.status == 3);
  CHECK(strcmp(r.out, "a\nhéllo\n\n") == 0);
  run_child(read_input, &r);
  CHECK(r.status == 0);
  CHECK(strcmp(r.out, "[line1]\n[line2]\n[]\n[last]\neof\n") == 0);
  run_child(eprint_order, &r);
  CHECK(strcmp(r.err, "err é\n") == 0 && strcmp(r.out, "out 1\nout 2\n") == 0);
  char *argv[] = {"prog", "x", "é y", NULL};
  tul__set_args(3, argv);
  tul_arr *a = tul_args();
  CHECK(a->len == 2);
  CHECK_STR(((tul_str **)a->data)[1], "é y");
  setenv("RT_IO_TEST", "v=1", 1);
  CHECK_STR(tul_env(S("RT_IO_TEST")), "v=1");
  CHECK_STR(tul_env(S("RT_IO_TEST_UNSET")), "");
}

static void files(void) {
  char path[64];
  snprintf(path, sizeof path, "/tmp/rt_io_%d.txt", (int)getpid());
  tul_str *p = S(path);
  unlink(path);
  CHECK(!tul_file_exists(p));
  tul_file_write(p, S("line 1\n"));
  tul_file_append(p, S("line 2 é\n"));
  CHECK(tul_file_exists(p));
  tul_str *text = tul_file_read(p);
  CHECK_STR(text, "line 1\nline 2 é\n");
  CHECK(tul_str_len(text) == 16);
  tul_file_write(p, S("replaced"));
  CHECK_STR(tul_file_read(p), "replaced");
  unlink(path);
  CHECK_THROWS(tul_file_read(S("/nonexistent/file.txt")),
               "IOError: cannot read '/nonexistent/file.txt': No such file or directory");
  CHECK_THROWS(tul_file_write(S("/nonexistent/dir/x"), S("")),
               "IOError: cannot write '/nonexistent/dir/x': No such file or directory");
  CHECK_THROWS(tul_file_append(S("/nonexistent/dir/x"), S("")),
               "IOError: cannot write '/nonexistent/dir/x': No such file or directory");
  CHECK_THROWS(tul_file_read(S("/tmp")), "IOError: cannot read '/tmp': Is a directory");
  /* a NUL would name another file (here /tmp, a directory): refused, and shown escaped */
  CHECK_THROWS(tul_file_read(tul__str_from("/tmp\0/x", 7)), "IOError: cannot read '/tmp\\u0000/x': Invalid argument");
  CHECK_THROWS(tul_file_write(tul__str_from("/tmp/\0x", 7), S("x")), "IOError: cannot write '/tmp/\\u0000x': Invalid argument");
  CHECK(!tul_file_exists(tul__str_from("/tmp\0/x", 7)));
  CHECK_THROWS(tul_file_read(S("/nonexistent/a\nb")), "IOError: cannot read '/nonexistent/a\\nb': No such file or directory");
  /* lines */
  tul_file_write(p, S("a\r\nb\n\nlast"));
  CHECK_STR(tul_str_join(tul_read_lines(p), S("|")), "a|b||last");
  tul_file_write(p, S("one\n"));
  CHECK(tul_read_lines(p)->len == 1);
  tul_file_write(p, S(""));
  CHECK(tul_read_lines(p)->len == 0);
  CHECK_THROWS(tul_read_lines(S("/nonexistent/x")), "IOError: cannot read '/nonexistent/x': No such file or directory");
  /* delete */
  tul_file_delete(p);
  CHECK(!tul_file_exists(p));
  CHECK_THROWS(tul_file_delete(p), tul_str_concat(tul_str_concat(S("IOError: cannot delete '"), p), S("': No such file or directory"))->data);
  /* directories */
  char dir[64];
  snprintf(dir, sizeof dir, "/tmp/rt_io_dir_%d", (int)getpid());
  mkdir(dir, 0755);
  const char *names[] = {"b.txt", "a.txt", "é.txt", "Z"};
  for (int i = 0; i < 4; i++) {
    char f[128];
    snprintf(f, sizeof f, "%s/%s", dir, names[i]);
    tul_file_write(S(f), S("x"));
  }
  CHECK_STR(tul_str_join(tul_list_dir(S(dir)), S(",")), "Z,a.txt,b.txt,é.txt");
  CHECK_THROWS(tul_file_delete(S(dir)), tul_str_concat(tul_str_concat(S("IOError: cannot delete '"), S(dir)), S("': Is a directory"))->data);
  for (int i = 0; i < 4; i++) {
    char f[128];
    snprintf(f, sizeof f, "%s/%s", dir, names[i]);
    tul_file_delete(S(f));
  }
  CHECK(tul_list_dir(S(dir))->len == 0);
  rmdir(dir);
  CHECK_THROWS(tul_list_dir(S("/nonexistent")), "IOError: cannot list '/nonexistent': No such file or directory");
  /* a big file grows the buffer */
  tul_str *big = tul_str_repeat(S("0123456789"), 100000);
  tul_file_write(p, big);
  CHECK(tul_str_eq(tul_file_read(p), big));
  unlink(path);
}

static void clocks(void) {
  double t0 = tul_clock_ms();
  tul_sleep(30);
  double elapsed = tul_clock_ms() - t0;
  CHECK(elapsed >= 29.0 && elapsed < 1000.0);
  CHECK(tul_time_ms() > 1700000000000);
}

int main(int argc, char **argv) {
  rt_init(argc, argv);
  process();
  files();
  clocks();
  return rt_done();
}
