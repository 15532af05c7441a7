/* timefmt.c: format_time(ms, fmt) and parse_time(s, fmt) in UTC, with the C library's strftime and
 * strptime patterns, and "iso" for ISO 8601 ("2024-05-06T07:08:09.010Z", what JavaScript's
 * toISOString writes; parsing also takes a date alone, no seconds, any fraction and an offset). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "rt_int.h"

/* Milliseconds since the epoch -> broken-down UTC time and the millisecond part. */
static void split_ms(int64_t ms, struct tm *tm, int *millis) {
  int64_t secs = ms / 1000, rest = ms % 1000;
  if (rest < 0) secs--, rest += 1000; /* floor, for times before 1970 */
  time_t t = (time_t)secs;
  if (!gmtime_r(&t, tm)) tul__throw_fmt("ValueError: format_time: %lld ms is out of range", (long long)ms);
  *millis = (int)rest;
}

static int is_iso(const tul_str *fmt) { return fmt->len == 3 && memcmp(fmt->data, "iso", 3) == 0; }

tul_str *tul_format_time(int64_t ms, const tul_str *fmt) {
  struct tm tm;
  int millis;
  split_ms(ms, &tm, &millis);
  if (is_iso(fmt)) {
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    return tul__str_from(buf, n);
  }
  if (fmt->len == 0) return (tul_str *)&tul_empty_str;
  /* strftime returns 0 both for "too small" and for an empty result: a marker tells them apart */
  size_t cap = (size_t)fmt->len * 4 + 64;
  for (;;) {
    char *buf = malloc(cap), *f = malloc((size_t)fmt->len + 2);
    if (!buf || !f) tul_throw_msg("MemoryError: out of memory");
    memcpy(f, fmt->data, (size_t)fmt->len);
    memcpy(f + fmt->len, "|", 2);
    size_t n = strftime(buf, cap, f, &tm);
    free(f);
    if (n > 0) {
      tul_str *r = tul__str_from(buf, (int64_t)n - 1);
      free(buf);
      return r;
    }
    free(buf);
    if (cap > (size_t)1 << 24) tul_throw_msg("ValueError: format_time: result too long");
    cap *= 4;
  }
}

/* ---------------------------------------------------------------- parsing */

static TUL_NORETURN void no_match(const tul_str *s, const tul_str *fmt) {
  tul__throw_fmt("ValueError: time data \"%s\" does not match format \"%s\"", s->data, fmt->data);
}

/* Reads exactly `n` digits at *p. */
static int digits(const char **p, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if ((*p)[i] < '0' || (*p)[i] > '9') return 0;
    v = v * 10 + ((*p)[i] - '0');
  }
  *p += n;
  *out = v;
  return 1;
}

static int expect(const char **p, char c) { return **p == c ? (*p)++, 1 : 0; }

/* [.fraction] as milliseconds (digits past the third are read and dropped). */
static int fraction(const char **p, int *millis) {
  *millis = 0;
  if (**p != '.' && **p != ',') return 1;
  (*p)++;
  int n = 0;
  for (; **p >= '0' && **p <= '9'; (*p)++, n++)
    if (n < 3) *millis = *millis * 10 + (**p - '0');
  for (int k = n; k < 3; k++) *millis *= 10;
  return n > 0;
}

/* Z, ±HH:MM, ±HHMM, ±HH or nothing (UTC): the offset east of UTC in seconds. */
static int offset(const char **p, long *east) {
  *east = 0;
  if (expect(p, 'Z') || expect(p, 'z') || **p == 0) return 1;
  int sign = **p == '+' ? 1 : **p == '-' ? -1 : 0, hh, mm = 0;
  if (!sign) return 0;
  (*p)++;
  if (!digits(p, 2, &hh)) return 0;
  if (**p) {
    expect(p, ':');
    if (!digits(p, 2, &mm)) return 0;
  }
  if (hh > 23 || mm > 59) return 0;
  *east = sign * (hh * 3600L + mm * 60L);
  return 1;
}

static int64_t parse_iso(const tul_str *s, const tul_str *fmt) {
  const char *p = s->data;
  struct tm tm = {0};
  int y, mo, d, h = 0, mi = 0, sec = 0, millis = 0;
  long east = 0;
  int ok = digits(&p, 4, &y) && expect(&p, '-') && digits(&p, 2, &mo) && expect(&p, '-') && digits(&p, 2, &d);
  if (ok && (*p == 'T' || *p == 't' || *p == ' ')) {
    p++;
    ok = digits(&p, 2, &h) && expect(&p, ':') && digits(&p, 2, &mi);
    if (ok && expect(&p, ':')) ok = digits(&p, 2, &sec) && fraction(&p, &millis);
    ok = ok && offset(&p, &east);
  }
  if (!ok || *p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) no_match(s, fmt);
  tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d, tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec;
  time_t t = timegm(&tm);
  struct tm back;
  gmtime_r(&t, &back);
  if (back.tm_mday != d && sec < 60) no_match(s, fmt); /* February 30th and the like */
  return ((int64_t)t - east) * 1000 + millis;
}

int64_t tul_parse_time(const tul_str *s, const tul_str *fmt) {
  if (is_iso(fmt)) return parse_iso(s, fmt);
  struct tm tm = {0};
  tm.tm_year = 70; /* fields the format leaves out: 1970-01-01 00:00:00 */
  tm.tm_mday = 1;
  const char *end = strptime(s->data, fmt->data, &tm);
  if (!end || end != s->data + s->len) no_match(s, fmt);
  int64_t east = tm.tm_gmtoff; /* set by %z; timegm resets it */
  return ((int64_t)timegm(&tm) - east) * 1000;
}
