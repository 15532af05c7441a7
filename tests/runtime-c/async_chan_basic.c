/* async_chan_basic.c: channels between tasks and the main program: an unbuffered send waits for
 * its receiver (rendezvous), a buffered producer runs at most `capacity` values ahead, waiting
 * senders and receivers are served in FIFO order, close wakes every waiter with
 * ChannelClosedError while receivers still drain the buffer, the promise forms register at once,
 * bool values keep their byte, and a main-program wait that deadlocks leaves no stale waiter. */
#include "async_support/async_test.h"

static const tul_type chan_int = {TUL_K_CHANNEL, 8, &tul_type_int, 0, 0, 0};
static char log_buf[256];
static int log_len;

static void note(char c) { log_buf[log_len++] = c; }

typedef struct { tul_chan *c; int64_t n; char tag; } job;

static tul_promise *spawn(tul_task_entry fn, tul_chan *c, int64_t n, char tag) {
  void *args;
  tul_promise *p = tul_task_spawn(fn, sizeof(job), NULL, &args);
  *(job *)args = (job){c, n, tag};
  return p;
}

/* Sends 0..n-1, noting 's' before and 'S' after each send. */
static void sender(void *args, void *result) {
  job *j = args;
  for (int64_t i = 0; i < j->n; i++) {
    note('s');
    tul_chan_send_await(j->c, &i);
    note('S');
  }
}

/* Receives n values, noting 'r' per value, and checks they count up from 0. */
static void receiver(void *args, void *result) {
  job *j = args;
  for (int64_t i = 0; i < j->n; i++) {
    int64_t v = -1;
    tul_chan_recv_await(j->c, &v);
    CHECK(v == i + j->tag);
    note('r');
  }
}

/* Sends its tag once (for FIFO order of waiting senders). */
static void tag_sender(void *args, void *result) {
  job *j = args;
  int64_t v = j->tag;
  tul_chan_send_await(j->c, &v);
}

/* Receives once and notes its tag, then the value. */
static void tag_receiver(void *args, void *result) {
  job *j = args;
  int64_t v = 0;
  tul_chan_recv_await(j->c, &v);
  note(j->tag);
  note((char)v);
}

static void recv_arg(void *c) {
  int64_t v;
  tul_chan_recv_await(c, &v);
}
static void send_arg(void *c) {
  int64_t v = 1;
  tul_chan_send_await(c, &v);
}
static void close_arg(void *c) { tul_chan_close(c); }

/* Waits to receive and expects ChannelClosedError. */
static void closed_receiver(void *args, void *result) {
  job *j = args;
  tul_json *e = test_try(recv_arg, j->c);
  CHECK(e && strcmp(test_text(e), "ChannelClosedError: recv on a closed channel") == 0);
  note(j->tag);
}

static void closed_sender(void *args, void *result) {
  job *j = args;
  tul_json *e = test_try(send_arg, j->c);
  CHECK(e && strcmp(test_text(e), "ChannelClosedError: send on a closed channel") == 0);
  note(j->tag);
}

static void rendezvous(void) {
  log_len = 0;
  tul_chan *c = tul_chan_new(&tul_type_int, 0);
  tul_promise *s = spawn(sender, c, 3, 0);
  tul_await(tul_sleep_async(1), NULL);
  log_buf[log_len] = 0;
  CHECK(strcmp(log_buf, "s") == 0); /* no receiver: the first send waits */
  int64_t v = -1;
  tul_chan_recv_await(c, &v);
  CHECK(v == 0);
  tul_await(tul_sleep_async(1), NULL);
  log_buf[log_len] = 0;
  CHECK(strcmp(log_buf, "sSs") == 0); /* one value taken, one send done, the next waits */
  tul_promise *r = spawn(receiver, c, 2, 1); /* values 1 and 2 */
  tul_await(s, NULL);
  tul_await(r, NULL);
  CHECK(tul_chan_len(c) == 0);
}

static void backpressure(void) {
  log_len = 0;
  tul_chan *c = tul_chan_new(&tul_type_int, 2);
  tul_promise *s = spawn(sender, c, 5, 0);
  tul_await(tul_sleep_async(1), NULL); /* the producer runs alone until the buffer is full */
  log_buf[log_len] = 0;
  CHECK(strcmp(log_buf, "sSsSs") == 0);
  CHECK(tul_chan_len(c) == 2);
  for (int64_t i = 0; i < 5; i++) {
    int64_t v;
    tul_chan_recv_await(c, &v); /* the main program receives */
    CHECK(v == i);
    CHECK(tul_chan_len(c) <= 2);
  }
  tul_await(s, NULL);
  CHECK(tul_chan_len(c) == 0);
}

static void fifo(void) {
  log_len = 0;
  tul_chan *c = tul_chan_new(&tul_type_int, 0);
  for (char t = 'a'; t <= 'c'; t++) spawn(tag_sender, c, 0, t);
  tul_await(tul_sleep_async(1), NULL);
  for (char t = 'a'; t <= 'c'; t++) { /* senders wait in the order they came */
    int64_t v;
    tul_chan_recv_await(c, &v);
    CHECK(v == t);
  }
  tul_promise *rs[3];
  for (int i = 0; i < 3; i++) rs[i] = spawn(tag_receiver, c, 0, (char)('x' + i));
  tul_await(tul_sleep_async(1), NULL);
  for (int64_t v = '1'; v <= '3'; v++) tul_chan_send_await(c, &v);
  for (int i = 0; i < 3; i++) tul_await(rs[i], NULL);
  log_buf[log_len] = 0;
  CHECK(strcmp(log_buf, "x1y2z3") == 0);
}

static void closing(void) {
  log_len = 0;
  tul_chan *c = tul_chan_new(&tul_type_int, 0);
  tul_promise *a = spawn(closed_receiver, c, 0, 'a'), *b = spawn(closed_receiver, c, 0, 'b');
  tul_await(tul_sleep_async(1), NULL);
  tul_chan_close(c);
  tul_await(a, NULL);
  tul_await(b, NULL);
  tul_json *e = test_try(close_arg, c);
  CHECK(e && strcmp(test_text(e), "ChannelClosedError: close of a closed channel") == 0);
  e = test_try(send_arg, c);
  CHECK(e && strcmp(test_text(e), "ChannelClosedError: send on a closed channel") == 0);

  /* buffered: waiting senders fail, the buffer still drains, then recv throws */
  tul_chan *d = tul_chan_new(&tul_type_int, 2);
  for (int64_t v = 10; v < 12; v++) tul_chan_send_await(d, &v);
  tul_promise *s = spawn(closed_sender, d, 0, 'c');
  tul_await(tul_sleep_async(1), NULL);
  tul_chan_close(d);
  tul_await(s, NULL);
  int64_t v = 0;
  CHECK(tul_chan_recv_next(d, &v) && v == 10);
  tul_chan_recv_await(d, &v);
  CHECK(v == 11);
  CHECK(!tul_chan_recv_next(d, &v));
  e = test_try(recv_arg, d);
  CHECK(e && strcmp(test_text(e), "ChannelClosedError: recv on a closed channel") == 0);
  log_buf[log_len] = 0;
  CHECK(strcmp(log_buf, "abc") == 0);
}

static void promise_forms(void) {
  tul_chan *c = tul_chan_new(&tul_type_int, 0);
  tul_promise *r1 = tul_chan_recv(c), *r2 = tul_chan_recv(c); /* registered now, in order */
  CHECK(tul_promise_state(r1) == TUL_PROMISE_PENDING);
  int64_t v = 5;
  tul_promise *s1 = tul_chan_send(c, &v); /* a receiver waits: done at once */
  CHECK(tul_promise_state(s1) == TUL_PROMISE_FULFILLED);
  CHECK(tul_promise_state(r1) == TUL_PROMISE_FULFILLED);
  v = 6;
  tul_chan_send_await(c, &v);
  int64_t got = 0;
  tul_await(r1, &got);
  CHECK(got == 5);
  tul_await(r2, &got);
  CHECK(got == 6);
  tul_promise *s2 = tul_chan_send(c, &v); /* nobody receives yet */
  CHECK(tul_promise_state(s2) == TUL_PROMISE_PENDING);
  tul_chan_close(c);
  CHECK(tul_promise_state(s2) == TUL_PROMISE_REJECTED);
  tul_json *e = test_try((void (*)(void *))tul_await, s2);
  CHECK(e && strcmp(test_text(e), "ChannelClosedError: send on a closed channel") == 0);
  tul_promise *r3 = tul_chan_recv(c);
  CHECK(tul_promise_state(r3) == TUL_PROMISE_REJECTED);
  e = test_try((void (*)(void *))tul_await, r3);
  CHECK(e && strncmp(test_text(e), "ChannelClosedError", 18) == 0);
}

static void bools(void) {
  tul_chan *c = tul_chan_new(&tul_type_bool, 3);
  _Bool t = 1, f = 0;
  tul_chan_send_await(c, &t);
  tul_chan_send_await(c, &f);
  char out[8];
  memset(out, 0x55, sizeof out);
  tul_chan_recv_await(c, out);
  CHECK(out[0] == 1 && out[1] == 0x55); /* one byte written */
  tul_chan_recv_await(c, out);
  CHECK(out[0] == 0);
}

static void recv_cancelled(void *c) {
  tul_task_spawn(test_fail_soon, 0, NULL, NULL);
  recv_arg(c);
}
static void recv_in_failing_scope(void *c) { test_scope(recv_cancelled, c); }

/* A receive of the main program that is cancelled leaves the channel's queue. */
static void cancelled_recv_unlinks(void) {
  tul_chan *c = tul_chan_new(&tul_type_int, 1);
  tul_json *e = test_try(recv_in_failing_scope, c); /* nobody sends; the scope's task fails */
  CHECK(e && strcmp(test_text(e), "stop") == 0);
  int64_t v = 9;
  tul_chan_send_await(c, &v); /* buffered, not handed to the abandoned receive */
  CHECK(tul_chan_len(c) == 1);
  tul_chan_recv_await(c, &v);
  CHECK(v == 9);
  CHECK(strcmp(tul_to_str(&c, &chan_int)->data, "<channel 0/1>") == 0);
  tul_chan_close(c);
  CHECK(strcmp(tul_to_str(&c, &chan_int)->data, "<channel 0/1 closed>") == 0);
}

static void bad_capacity(void *unused) { tul_chan_new(&tul_type_int, -1); }

int main(void) {
  test_init();
  rendezvous();
  backpressure();
  fifo();
  closing();
  promise_forms();
  bools();
  cancelled_recv_unlinks();
  tul_json *e = test_try(bad_capacity, NULL);
  CHECK(e && strncmp(test_text(e), "ValueError", 10) == 0);
  tul__loop_drain();
  puts("ok");
  return 0;
}
