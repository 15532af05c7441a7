/* fmtspec_check.c: the compiler's checker of literal format specs (build/runtime/tulfmtspec). It
 * runs the runtime's own parser (src/core/fmtspec_parse.c), so tulc rejects exactly the specs that
 * format() would throw on. Protocol: one request per stdin line, "<kind> <spec as hex>" with kind
 * int, float, str, bool or any; one answer per stdout line, "ok" or "error <message>". */
#include <stdio.h>
#include <string.h>
#include "fmtspec.h"

static int kind_of(const char *word, enum tul__fkind *kind) {
  static const char *names[] = {"int", "float", "str", "bool", "any"};
  for (int i = 0; i < 5; i++)
    if (strcmp(word, names[i]) == 0) return *kind = (enum tul__fkind)i, 1;
  return 0;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/* Decodes hex text in place; the byte count, or -1. */
static long unhex(char *s) {
  long n = 0;
  for (char *p = s; p[0] && p[0] != '\n'; p += 2) {
    int hi = hexval(p[0]), lo = p[1] ? hexval(p[1]) : -1;
    if (hi < 0 || lo < 0) return -1;
    s[n++] = (char)(hi * 16 + lo);
  }
  return n;
}

int main(void) {
  static char line[1 << 16];
  while (fgets(line, sizeof line, stdin)) {
    char *space = strchr(line, ' ');
    enum tul__fkind kind;
    long n = -1;
    if (space) {
      *space = 0;
      n = kind_of(line, &kind) ? unhex(space + 1) : -1;
    }
    char err[400];
    if (n < 0) puts("error malformed request");
    else if (tul__fspec_validate(space + 1, n, kind, err, sizeof err)) puts("ok");
    else printf("error %s\n", err);
  }
  return 0;
}
