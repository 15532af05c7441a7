/* determ.c: deterministic mode (LANGUAGE.md §17, docs/reference.md §17): TULPAR_DETERMINISTIC=<seed>
 * read once at start-up, the virtual clock (timer.c reads it through tul__now_ns; the scheduler
 * jumps it to the next timer in sched.c) and the seeded random streams: one for the scheduler's
 * order of ready tasks, one for select's pick, one for random()/randint. Each stream is derived
 * from the seed and a salt, so a program that draws more random numbers keeps its schedule. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "async_int.h"
#include "rt_int.h"

int tul__det;
int tul__det_shuffle;
int64_t tul__virtual_ns;
int64_t tul__virtual_base_ns;
static uint64_t det_seed, sched_state;
static int parsed;

static uint64_t splitmix(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* A whole number 0 .. 2^64-1 written in decimal; 0 on anything else. */
static int parse_seed(const char *s, uint64_t *out) {
  if (!s || *s < '0' || *s > '9') return 0;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (*end || errno) return 0;
  *out = v;
  return 1;
}

void tul__det_init(void) {
  if (parsed) return;
  parsed = 1;
  const char *env = getenv("TULPAR_DETERMINISTIC");
  if (!env || !*env) return;
  if (!parse_seed(env, &det_seed)) {
    fprintf(stderr, "RuntimeError: TULPAR_DETERMINISTIC must be a whole number (the seed), not '%s'\n", env);
    exit(1);
  }
  tul__det = 1;
  tul__det_shuffle = det_seed != 0;
  tul__det_reseed(0);
}

/* The seed of stream `salt` for the current seed and `extra` (a test's name hash; 0 at start). */
static uint64_t stream_seed(uint64_t extra, uint64_t salt) {
  uint64_t x = det_seed ^ (extra * 0xd1b54a32d192ed03ull) ^ (salt << 56);
  return splitmix(&x);
}

void tul__det_reseed(uint64_t extra) {
  sched_state = stream_seed(extra, 1);
  tul__select_seed(stream_seed(extra, 2));
  tul_random_seed((int64_t)stream_seed(extra, 3));
}

uint64_t tul__det_next(void) { return splitmix(&sched_state); }

uint64_t tul__det_seed(void) { return det_seed; }

/* The virtual clock only moves forward: to a timer's deadline, or by a blocking sleep(ms). */
void tul__det_advance_to(int64_t ns) {
  if (ns > tul__virtual_ns) tul__virtual_ns = ns;
}
