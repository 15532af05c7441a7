/* async_select.c: select polls ready cases and runs exactly one (atomicity: with several channels
 * ready, one value is taken and the others stay), picks among ready cases at random (both of two
 * always-ready cases win over 1,000 rounds), falls to default only when nothing is ready, and
 * otherwise waits: for a receive, a send (handed over only in the chosen case), a promise, a timer;
 * the other waits are undone, so values sent later are not lost. Closed channels and rejected
 * promises throw from the chosen case. */
#include "async_support/async_test.h"

typedef struct { tul_chan *c; int64_t v; int64_t ms; } job;

static tul_promise *spawn(tul_task_entry fn, tul_chan *c, int64_t v, int64_t ms) {
  void *args;
  tul_promise *p = tul_task_spawn(fn, sizeof(job), &tul_type_int, &args);
  *(job *)args = (job){c, v, ms};
  return p;
}

static void send_later(void *args, void *result) {
  job *j = args;
  tul_await(tul_sleep_async(j->ms), NULL);
  tul_chan_send_await(j->c, &j->v);
}

static void recv_later(void *args, void *result) {
  job *j = args;
  tul_await(tul_sleep_async(j->ms), NULL);
  tul_chan_recv_await(j->c, &j->v);
  *(int64_t *)result = j->v;
}

static void fail_later(void *args, void *result) {
  job *j = args;
  tul_await(tul_sleep_async(j->ms), NULL);
  tul_throw(test_jstr("boom"));
}

static void close_later(void *args, void *result) {
  job *j = args;
  tul_await(tul_sleep_async(j->ms), NULL);
  tul_chan_close(j->c);
}

static tul_select_case recv_case(tul_chan *c) { return (tul_select_case){TUL_SEL_RECV, c, 0}; }
static tul_select_case send_case(tul_chan *c, int64_t v) { return (tul_select_case){TUL_SEL_SEND, c, (uint64_t)v}; }

static void atomic_and_fair(void) {
  tul_chan *a = tul_chan_new(&tul_type_int, 4), *b = tul_chan_new(&tul_type_int, 4);
  int64_t wins[2] = {0, 0};
  for (int round = 0; round < 1000; round++) {
    int64_t v = round;
    tul_chan_send_await(a, &v);
    tul_chan_send_await(b, &v);
    tul_select_case cs[2] = {recv_case(a), recv_case(b)};
    int64_t i = tul_select(cs, 2, 0);
    CHECK(i == 0 || i == 1);
    CHECK((int64_t)cs[i].value == round);
    wins[i]++;
    /* exactly one value was taken: the other channel still holds its own */
    CHECK(tul_chan_len(i == 0 ? a : b) == 0 && tul_chan_len(i == 0 ? b : a) == 1);
    int64_t drop;
    tul_chan_recv_await(i == 0 ? b : a, &drop);
  }
  CHECK(wins[0] > 350 && wins[1] > 350);
}

static void default_case(void) {
  tul_chan *a = tul_chan_new(&tul_type_int, 0);
  tul_select_case cs[2] = {recv_case(a), send_case(a, 3)};
  CHECK(tul_select(cs, 2, 1) == -1); /* nothing ready: default, and nothing was registered */
  tul_promise *r = spawn(recv_later, a, 0, 0);
  tul_await(tul_sleep_async(1), NULL); /* the receiver waits now */
  CHECK(tul_select(cs, 2, 1) == 1);    /* the send is ready */
  int64_t got = 0;
  tul_await(r, &got);
  CHECK(got == 3);
  CHECK(tul_select(NULL, 0, 1) == -1);
}

static void waits(void) {
  tul_chan *a = tul_chan_new(&tul_type_int, 0), *b = tul_chan_new(&tul_type_int, 0);
  /* a receive wins; the send case on b is undone, so b's later receiver does not get 77 */
  spawn(send_later, a, 41, 2);
  tul_select_case cs[3] = {send_case(b, 77), recv_case(a), {TUL_SEL_SLEEP, NULL, 200}};
  double t0 = test_now_ms();
  CHECK(tul_select(cs, 3, 0) == 1);
  CHECK(cs[1].value == 41);
  CHECK(test_now_ms() - t0 < 150);
  tul_promise *r = spawn(recv_later, b, 0, 0);
  tul_await(tul_sleep_async(2), NULL);
  CHECK(tul_promise_state(r) == TUL_PROMISE_PENDING); /* b's receiver still waits */
  int64_t v = 5;
  tul_chan_send_await(b, &v);
  int64_t got;
  tul_await(r, &got);
  CHECK(got == 5);

  /* a send wins when a receiver comes; the receive case on a is undone */
  tul_promise *rb = spawn(recv_later, b, 0, 2);
  tul_select_case cs2[2] = {recv_case(a), send_case(b, 8)};
  CHECK(tul_select(cs2, 2, 0) == 1);
  tul_await(rb, &got);
  CHECK(got == 8);
  spawn(send_later, a, 13, 1);
  tul_chan_recv_await(a, &got); /* not swallowed by the abandoned receive case */
  CHECK(got == 13);

  /* a promise wins; a timer wins */
  void *args;
  tul_promise *p = tul_task_spawn(recv_later, sizeof(job), &tul_type_int, &args);
  *(job *)args = (job){a, 0, 0};
  spawn(send_later, a, 99, 3);
  tul_select_case cs3[2] = {recv_case(b), {TUL_SEL_PROMISE, p, 0}};
  CHECK(tul_select(cs3, 2, 0) == 1);
  CHECK(cs3[1].value == 99);
  t0 = test_now_ms();
  tul_select_case cs4[2] = {recv_case(b), {TUL_SEL_SLEEP, NULL, 5}};
  CHECK(tul_select(cs4, 2, 0) == 1);
  CHECK(test_now_ms() - t0 >= 4.5);
}

static void do_select(void *cs) { tul_select(cs, 2, 0); }
static void select_cancelled(void *cs) {
  tul_task_spawn(test_fail_soon, 0, NULL, NULL);
  do_select(cs);
}
static void select_in_failing_scope(void *cs) { test_scope(select_cancelled, cs); }
static void do_select1(void *cs) { tul_select(cs, 1, 0); }

static void errors(void) {
  tul_chan *a = tul_chan_new(&tul_type_int, 0), *b = tul_chan_new(&tul_type_int, 0);
  tul_chan_close(a);
  tul_select_case cs[2] = {recv_case(b), recv_case(a)};
  tul_json *e = test_try(do_select, cs);
  CHECK(e && strcmp(test_text(e), "ChannelClosedError: recv on a closed channel") == 0);
  tul_select_case cs2[2] = {recv_case(b), send_case(a, 1)};
  e = test_try(do_select, cs2);
  CHECK(e && strcmp(test_text(e), "ChannelClosedError: send on a closed channel") == 0);
  /* waiting, then the channel closes under the select */
  tul_chan *c = tul_chan_new(&tul_type_int, 0);
  spawn(close_later, c, 0, 0);
  tul_select_case cs5[1] = {recv_case(c)};
  e = test_try(do_select1, cs5);
  CHECK(e && strcmp(test_text(e), "ChannelClosedError: recv on a closed channel") == 0);
  void *args;
  tul_promise *f = tul_task_spawn(fail_later, sizeof(job), NULL, &args);
  *(job *)args = (job){NULL, 0, 1};
  c = tul_chan_new(&tul_type_int, 0);
  tul_select_case cs3[2] = {recv_case(c), {TUL_SEL_PROMISE, f, 0}};
  e = test_try(do_select, cs3);
  CHECK(e && strcmp(test_text(e), "boom") == 0);
  /* main program waiting in a scope whose task fails: the select is cancelled and undone */
  tul_select_case cs4[2] = {recv_case(c), send_case(b, 1)};
  e = test_try(select_in_failing_scope, cs4);
  CHECK(e && strcmp(test_text(e), "stop") == 0);
  tul_promise *r = spawn(recv_later, b, 0, 0); /* the abandoned send case is gone */
  tul_await(tul_sleep_async(1), NULL);
  CHECK(tul_promise_state(r) == TUL_PROMISE_PENDING);
  int64_t v = 4, got;
  tul_chan_send_await(b, &v);
  tul_await(r, &got);
  CHECK(got == 4);
}

int main(void) {
  test_init();
  atomic_and_fair();
  default_case();
  waits();
  errors();
  tul__loop_drain();
  puts("ok");
  return 0;
}
