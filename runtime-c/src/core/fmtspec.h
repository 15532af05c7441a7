/* fmtspec.h: Python's format-spec mini-language, parsed and checked without the rest of the runtime
 * (no GC, no exceptions), so the compiler's spec checker (tools/fmtspec_check.c) shares this code
 * with format() and t-string fields. Grammar:
 *   [[fill]align][sign]["z"]["#"]["0"][width][grouping]["." precision][type]
 * fill is any one code point, align one of < > = ^, sign + - or space, grouping , or _, type one of
 * s d c b o x X e E f F g G %. */
#ifndef TUL_FMTSPEC_H
#define TUL_FMTSPEC_H

#include <stddef.h>
#include <stdint.h>

/* What is being formatted: the checks differ (precision is not allowed with int formats, a sign
 * not with strings, ...). ANY checks only the syntax (a json value's kind is known at run time). */
enum tul__fkind { TUL__FK_INT, TUL__FK_FLOAT, TUL__FK_STR, TUL__FK_BOOL, TUL__FK_ANY };

#define TUL__FSPEC_MAX 100000000 /* largest width or precision */

typedef struct tul__fspec {
  char fill[5];      /* UTF-8 of the fill code point, NUL-terminated (default " ") */
  int fill_len;      /* bytes in fill */
  char align;        /* '<', '>', '=', '^', or 0 for the kind's default */
  char sign;         /* '+', '-', ' ', or 0 */
  char grouping;     /* ',', '_', or 0 */
  char type;         /* a format type letter, or 0 */
  _Bool alt;         /* '#' */
  _Bool zero;        /* '0' before the width */
  _Bool coerce_zero; /* 'z': -0 after rounding prints as 0 */
  _Bool fill_given;  /* an explicit fill before the align character */
  int64_t width;     /* 0 when absent */
  int64_t precision; /* -1 when absent */
} tul__fspec;

/* Parses `spec` (n bytes). Returns 1, or 0 with a message (without a "ValueError: " prefix) in err. */
int tul__fspec_parse(const char *spec, int64_t n, tul__fspec *out, char *err, size_t errlen);

/* Checks a parsed spec against the kind of value it formats; 1, or 0 with a message in err. */
int tul__fspec_check(const tul__fspec *f, enum tul__fkind kind, char *err, size_t errlen);

/* Both steps: what the compiler asks about a literal spec. */
int tul__fspec_validate(const char *spec, int64_t n, enum tul__fkind kind, char *err, size_t errlen);

#endif
