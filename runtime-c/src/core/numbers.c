/* numbers.c: integer power, random numbers (xoshiro256**), rounding and the checked conversions
 * between strings, floats and ints, with the error texts of docs/decisions.md. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include "rt_int.h"

int64_t tul_pow_int(int64_t base, int64_t exp) {
  if (exp < 0) tul_throw_msg("ValueError: negative exponent");
  uint64_t result = 1, b = (uint64_t)base; /* wrapping, like every int operation */
  for (uint64_t e = (uint64_t)exp; e; e >>= 1) {
    if (e & 1) result *= b;
    b *= b;
  }
  return (int64_t)result;
}

/* ---------------------------------------------------------------- random */

/* One generator per thread (spawn workers draw numbers too), each seeded on its first use. */
static TUL_TLS uint64_t rng[4];
static TUL_TLS int rng_seeded;

static uint64_t splitmix(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static void seed(void) {
  uint64_t s = 0;
#ifdef __APPLE__ /* no getrandom there; getentropy (<sys/random.h>) since macOS 10.12 */
  if (getentropy(&s, sizeof s) != 0) {
#else
  if (getrandom(&s, sizeof s, GRND_NONBLOCK) != sizeof s) {
#endif
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    s = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20);
  }
  for (int i = 0; i < 4; i++) rng[i] = splitmix(&s);
  rng_seeded = 1;
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t next_u64(void) {
  if (TUL_UNLIKELY(!rng_seeded)) seed();
  uint64_t result = rotl(rng[1] * 5, 7) * 9, t = rng[1] << 17;
  rng[2] ^= rng[0];
  rng[3] ^= rng[1];
  rng[1] ^= rng[2];
  rng[0] ^= rng[3];
  rng[2] ^= t;
  rng[3] = rotl(rng[3], 45);
  return result;
}

/* random_seed(n): the same n gives the same random()/randint() sequence from here on. */
void tul_random_seed(int64_t n) {
  uint64_t s = (uint64_t)n;
  for (int i = 0; i < 4; i++) rng[i] = splitmix(&s);
  rng_seeded = 1;
}

double tul_random(void) { return (double)(next_u64() >> 11) * 0x1.0p-53; }

int64_t tul_randint(int64_t a, int64_t b) {
  if (a > b) tul__throw_fmt("ValueError: empty range for randint(%lld, %lld)", (long long)a, (long long)b);
  uint64_t span = (uint64_t)b - (uint64_t)a + 1;
  if (span == 0) return (int64_t)next_u64();
  uint64_t limit = UINT64_MAX - UINT64_MAX % span; /* rejection keeps it unbiased */
  uint64_t r;
  do r = next_u64(); while (r >= limit);
  return (int64_t)((uint64_t)a + r % span);
}

/* ---------------------------------------------------------------- mod */

/* mod(a, b): the remainder with the sign of the divisor (Python's %): mod(-7, 3) is 2. */
int64_t tul_mod_int(int64_t a, int64_t b) {
  if (b == 0) tul_throw_zero_mod();
  if (b == -1) return 0; /* INT64_MIN % -1 traps in C */
  int64_t r = a % b;
  return r != 0 && (r < 0) != (b < 0) ? r + b : r;
}

/* Floats: as Python, except that b == 0 gives nan, as float division by zero gives inf or nan. */
double tul_mod_float(double a, double b) {
  double r = fmod(a, b);
  if (r != 0) {
    if ((r < 0) != (b < 0)) r += b;
  } else {
    r = copysign(0.0, b);
  }
  return r;
}

/* ---------------------------------------------------------------- float -> int */

static TUL_NORETURN void cannot_convert(double v) {
  char buf[40];
  tul__fmt_float(v, buf);
  tul__throw_fmt("ValueError: cannot convert %s to int", buf);
}

int64_t tul_float_to_int(double v) {
  if (TUL_UNLIKELY(!(v >= -9223372036854775808.0 && v < 9223372036854775808.0))) cannot_convert(v);
  return (int64_t)v;
}

int64_t tul_float_round(double v) { return tul_float_to_int(round(v)); }

/* ---------------------------------------------------------------- str -> number */

static TUL_NORETURN void invalid(const char *what, const tul_str *s) {
  char before[48];
  snprintf(before, sizeof before, "ValueError: invalid %s literal: \"", what);
  tul__throw_quoting(before, s->data, s->len, "\"");
}

static int is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* Optional sign and decimal digits, surrounding whitespace ignored, no `_`, no overflow. */
int64_t tul_str_to_int(const tul_str *s) {
  const char *p = s->data, *end = s->data + s->len;
  while (p < end && is_space(*p)) p++;
  while (end > p && is_space(end[-1])) end--;
  int neg = 0;
  if (p < end && (*p == '+' || *p == '-')) neg = *p++ == '-';
  if (p == end) invalid("int", s);
  uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
  for (; p < end; p++) {
    if (*p < '0' || *p > '9') invalid("int", s);
    uint64_t d = (uint64_t)(*p - '0');
    if (v > (limit - d) / 10) invalid("int", s);
    v = v * 10 + d;
  }
  return neg ? (int64_t)(0 - v) : (int64_t)v;
}

/* Anything strtod accepts fully (inf, nan included), surrounding whitespace ignored. */
double tul_str_to_float(const tul_str *s) {
  const char *p = s->data, *end = s->data + s->len;
  while (p < end && is_space(*p)) p++;
  while (end > p && is_space(end[-1])) end--;
  if (p == end || memchr(p, 0, (size_t)(end - p))) invalid("float", s);
  char *stop;
  double v = strtod(p, &stop);
  if (stop != end) invalid("float", s);
  return v;
}

_Bool tul_str_to_bool(const tul_str *s) {
  if (s->len == 4 && memcmp(s->data, "true", 4) == 0) return 1;
  if (s->len == 5 && memcmp(s->data, "false", 5) == 0) return 0;
  if (s->len == 1 && (s->data[0] == '1' || s->data[0] == '0')) return s->data[0] == '1';
  invalid("bool", s);
}
