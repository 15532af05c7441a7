/* async_chan_cancel.c: cancelling tasks blocked on channels and in select. A cancelled receiver or
 * sender leaves the queue at once (later values go to others, a cancelled send delivers nothing);
 * a receive whose value was already handed over keeps it even when the task is cancelled before
 * it runs again (the cancellation is felt at the next await, so no value is lost); cancelled
 * promise forms leave the queue; a cancelled select withdraws every case and releases its timer;
 * a select's timer is released when another case wins; awaits on channels and select in a
 * cancelled task throw at once (sticky). Thousands of blocked tasks cancelled at once. */
#include "async_support/async_test.h"

typedef struct { tul_chan *c; int64_t v; } job;
static int64_t got_values, cancelled_seen;

static tul_promise *spawn(tul_task_entry fn, tul_chan *c, int64_t v) {
  void *args;
  tul_promise *p = tul_task_spawn(fn, sizeof(job), &tul_type_int, &args);
  *(job *)args = (job){c, v};
  return p;
}

static void recv_arg(void *c) {
  int64_t v;
  tul_chan_recv_await(c, &v);
  got_values += v;
}

/* Receives once (counting a CancelledError), then awaits once more. */
static void receiver(void *args, void *result) {
  job *j = args;
  tul_json *e = test_try(recv_arg, j->c);
  if (e && tul__is_cancelled_error(e)) cancelled_seen++;
  *(int64_t *)result = got_values;
  tul_sleep_await(1); /* throws when cancelled: sticky */
}

static void send_arg(void *jp) {
  job *j = jp;
  tul_chan_send_await(j->c, &j->v);
}

static void sender(void *args, void *result) {
  tul_json *e = test_try(send_arg, args);
  if (e && tul__is_cancelled_error(e)) cancelled_seen++;
}

static void await_arg(void *p) { tul_await(p, NULL); }

static void blocked_receiver_cancelled(void) {
  tul_chan *c = tul_chan_new(&tul_type_int, 0);
  got_values = cancelled_seen = 0;
  tul_promise *a = spawn(receiver, c, 0), *b = spawn(receiver, c, 0);
  tul_sleep_await(1); /* both wait in the queue, a first */
  tul_cancel(a);
  CHECK(test_try(await_arg, a) != NULL && cancelled_seen == 1);
  int64_t v = 7;
  tul_chan_send_await(c, &v); /* goes to b, not to the cancelled a */
  tul_await(b, NULL);
  CHECK(got_values == 7);
}

static void blocked_sender_cancelled(void) {
  tul_chan *c = tul_chan_new(&tul_type_int, 0);
  cancelled_seen = 0;
  tul_promise *s = spawn(sender, c, 99);
  tul_sleep_await(1);
  tul_cancel(s);
  tul_await(s, NULL);
  CHECK(cancelled_seen == 1);
  tul_promise *r = tul_chan_recv(c); /* nothing was delivered: the receive waits */
  CHECK(tul_promise_state(r) == TUL_PROMISE_PENDING);
  int64_t v = 5;
  tul_chan_send_await(c, &v);
  int64_t got = 0;
  tul_await(r, &got);
  CHECK(got == 5);
}

/* Cancelled after its value moved but before it ran: the value stays its own. */
static void race_value_then_cancel(void) {
  tul_chan *c = tul_chan_new(&tul_type_int, 0);
  got_values = cancelled_seen = 0;
  tul_promise *a = spawn(receiver, c, 0);
  tul_sleep_await(1);
  int64_t v = 11;
  tul_chan_send_await(c, &v); /* a is woken with the value ... */
  tul_cancel(a);              /* ... and cancelled before it runs */
  tul_json *e = test_try(await_arg, a);
  CHECK(e && tul__is_cancelled_error(e)); /* from its next await */
  CHECK(got_values == 11 && cancelled_seen == 0);
}

static void promise_form_cancelled(void) {
  tul_chan *c = tul_chan_new(&tul_type_int, 0);
  tul_promise *r1 = tul_chan_recv(c), *r2 = tul_chan_recv(c);
  tul_cancel(r1);
  CHECK(tul_promise_state(r1) == TUL_PROMISE_REJECTED);
  int64_t v = 3, got = 0;
  tul_chan_send_await(c, &v); /* r2 gets it */
  tul_await(r2, &got);
  CHECK(got == 3);
  int64_t w = 4;
  tul_promise *s = tul_chan_send(c, &w);
  tul_cancel(s);
  tul_promise *r3 = tul_chan_recv(c);
  CHECK(tul_promise_state(r3) == TUL_PROMISE_PENDING); /* the cancelled send is gone */
  tul_cancel(r3);
}

static void selector(void *args, void *result) {
  job *j = args;
  tul_select_case cs[3] = {{TUL_SEL_RECV, j->c, 0}, {TUL_SEL_SEND, j->c, 1}, {TUL_SEL_SLEEP, NULL, 5000}};
  *(int64_t *)result = tul_select(cs, 3, 0);
}

/* A select receiving only (with a timer), for the crowd below. */
static void recv_selector(void *args, void *result) {
  job *j = args;
  tul_select_case cs[2] = {{TUL_SEL_RECV, j->c, 0}, {TUL_SEL_SLEEP, NULL, 5000}};
  *(int64_t *)result = tul_select(cs, 2, 0);
}

static void select_cancelled(void) {
  tul_chan *c = tul_chan_new(&tul_type_int, 0);
  tul_promise *s = spawn(selector, c, 0);
  tul_sleep_await(1);
  CHECK(tul__timers_pending());
  tul_cancel(s);
  CHECK(!tul__timers_pending()); /* the select's timer is released at once */
  tul_json *e = test_try(await_arg, s);
  CHECK(e && tul__is_cancelled_error(e));
  tul_promise *r = tul_chan_recv(c); /* the send case was withdrawn */
  CHECK(tul_promise_state(r) == TUL_PROMISE_PENDING);
  tul_cancel(r);
}

static void select_timer_released(void) {
  tul_chan *c = tul_chan_new(&tul_type_int, 1);
  tul_promise *s = spawn(recv_selector, c, 0);
  tul_sleep_await(1);
  int64_t v = 2;
  tul_chan_send_await(c, &v); /* buffered: the receive case wins */
  int64_t chosen = -1;
  tul_await(s, &chosen);
  CHECK(chosen == 0);
  CHECK(!tul__timers_pending());
}

static void many_cancelled(void) {
  enum { N = 3000 };
  tul_chan *c = tul_chan_new(&tul_type_int, 0);
  static tul_promise *ps[N];
  got_values = cancelled_seen = 0;
  for (int i = 0; i < N; i++) ps[i] = spawn(i % 3 ? receiver : recv_selector, c, 0);
  tul_sleep_await(2);
  for (int i = 0; i < N; i += 2) tul_cancel(ps[i]);
  for (int i = 1; i < N; i += 2) { /* the survivors are still served, one value each */
    int64_t v = 1;
    tul_chan_send_await(c, &v);
  }
  int64_t survivors_done = 0;
  for (int i = 1; i < N; i += 2) {
    tul_json *e = test_try(await_arg, ps[i]);
    if (!e) survivors_done++;
  }
  CHECK(survivors_done == N / 2);
  tul_promise *r = tul_chan_recv(c);
  CHECK(tul_promise_state(r) == TUL_PROMISE_PENDING); /* every queue node is gone */
  tul_cancel(r);
  CHECK(!tul__timers_pending());
}

int main(void) {
  test_init();
  blocked_receiver_cancelled();
  blocked_sender_cancelled();
  race_value_then_cancel();
  promise_form_cancelled();
  select_cancelled();
  select_timer_released();
  many_cancelled();
  tul__loop_drain();
  puts("ok");
  return 0;
}
