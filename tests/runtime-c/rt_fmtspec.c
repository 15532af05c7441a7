/* rt_fmtspec.c: the format engine against Python's format() on ~3,000 value/spec pairs
 * (rt_support/fmtspec_cases.h), the error texts, json and bool values, the compile-time validator,
 * pad_left and pad_right. */
#include <math.h>
#include "rt_support/rt_test.h"
#include "rt_support/fmtspec_cases.h"
#include "fmtspec.h"

/* Formats one case; NULL when the engine threw. */
static tul_str *format_case(const struct fmt_case *c, tul_str **thrown) {
  tul_str *spec = S(c->spec), *r = NULL;
  _Alignas(16) char h[TUL_HANDLER_SIZE];
  tul_try_push(h);
  if (_setjmp(*(jmp_buf *)h) == 0) {
    if (c->kind == 'i') r = tul_format_int(c->v.i, spec);
    else if (c->kind == 'f') r = tul_format_float(c->v.f, spec);
    else r = tul_format_str(S(c->v.s), spec);
    tul_try_pop(h);
  } else {
    *thrown = tul_json_to_str(tul_caught());
  }
  return r;
}

static void against_python(void) {
  int n = (int)(sizeof fmt_cases / sizeof fmt_cases[0]), bad = 0;
  for (int i = 0; i < n; i++) {
    const struct fmt_case *c = &fmt_cases[i];
    tul_str *thrown = NULL, *got = format_case(c, &thrown);
    int ok = c->want ? got && strcmp(got->data, c->want) == 0 : got == NULL && strncmp(thrown->data, "ValueError: ", 12) == 0;
    if (!ok && bad++ < 40) {
      char v[64];
      if (c->kind == 'i') snprintf(v, sizeof v, "%lld", (long long)c->v.i);
      else if (c->kind == 'f') snprintf(v, sizeof v, "%.17g", c->v.f);
      else snprintf(v, sizeof v, "\"%s\"", c->v.s);
      fprintf(stderr, "format(%s, \"%s\"): got %s%s%s, want %s%s%s\n", v, c->spec, got ? "\"" : "",
              got ? got->data : thrown->data, got ? "\"" : "", c->want ? "\"" : "", c->want ? c->want : "an error",
              c->want ? "\"" : "");
    }
  }
  if (bad) fprintf(stderr, "%d of %d cases differ from Python\n", bad, n);
  rt_failures += bad;
}

static void errors(void) {
  CHECK_THROWS(tul_format_int(1, S(".2d")), "ValueError: precision is not allowed with format type 'd' (int)");
  CHECK_THROWS(tul_format_int(1, S(".2")), "ValueError: precision is not allowed with int");
  CHECK_THROWS(tul_format_float(1, S("d")), "ValueError: format type 'd' is not allowed with float");
  CHECK_THROWS(tul_format_str(S("a"), S("+")), "ValueError: a sign is not allowed with str");
  CHECK_THROWS(tul_format_str(S("a"), S("=5")), "ValueError: '=' alignment is not allowed with str");
  CHECK_THROWS(tul_format_str(S("a"), S(",")), "ValueError: ',' grouping is not allowed with str");
  CHECK_THROWS(tul_format_int(1, S("q")), "ValueError: unknown format type 'q' in format spec 'q'");
  CHECK_THROWS(tul_format_int(1, S(">>>5")), "ValueError: invalid format spec '>>>5'");
  CHECK_THROWS(tul_format_int(1, S(".")), "ValueError: missing precision after '.' in format spec '.'");
  CHECK_THROWS(tul_format_int(1, S("999999999999")), "ValueError: width too large in format spec '999999999999'");
  CHECK_THROWS(tul_format_int(1, S(",x")), "ValueError: ',' grouping is not allowed with format type 'x' (int)");
  CHECK_THROWS(tul_format_int(-1, S("c")), "ValueError: format type 'c' needs a code point (0 to 0x10FFFF), got -1");
}

static void other_values(void) {
  _Bool t = 1;
  CHECK_STR(tul_format(&t, &tul_type_bool, S(">6")), "  true");
  CHECK_STR(tul_format(&t, &tul_type_bool, S("")), "true");
  CHECK_THROWS(tul_format(&t, &tul_type_bool, S("d")), "ValueError: format type 'd' is not allowed with bool");
  tul_json *j = tul__json_int(1234567);
  CHECK_STR(tul_format(&j, &tul_type_json, S(",")), "1,234,567");
  j = tul__json_float(0.5);
  CHECK_STR(tul_format(&j, &tul_type_json, S(".1%")), "50.0%");
  j = tul__json_str(S("hi"));
  CHECK_STR(tul_format(&j, &tul_type_json, S("*^6")), "**hi**");
  CHECK_THROWS(tul_format(&j, &tul_type_json, S(".2f")), "ValueError: format type 'f' is not allowed with str");
  j = NULL;
  CHECK_STR(tul_format(&j, &tul_type_json, S(">6")), "  null");
  tul_arr *xs = tul_range(1, 4);
  tul_type arr_int = {TUL_K_ARRAY, 8, &tul_type_int, NULL, 0, NULL};
  CHECK_STR(tul_format(&xs, &arr_int, S("_<9")), "[1,2,3]__");
  CHECK_STR(tul_format_str(S("日本語"), S("~^7")), "~~日本語~~");
  CHECK_STR(tul_format_int(1234, S("→>6")), "→→1234");
  CHECK_STR(tul_format_float(1234.5, S(",.2f")), "1,234.50");
  CHECK_STR(tul_format_float(0.1 + 0.2, S("")), "0.30000000000000004");
  CHECK_STR(tul_format_float(1.0 / 3, S(".50f")), "0.33333333333333331482961625624739099293947219848633");
}

static void validator(void) {
  char err[200];
  CHECK(tul__fspec_validate(">8.2f", 5, TUL__FK_FLOAT, err, sizeof err) == 1);
  CHECK(tul__fspec_validate(">8.2f", 5, TUL__FK_STR, err, sizeof err) == 0);
  CHECK(strcmp(err, "format type 'f' is not allowed with str") == 0);
  CHECK(tul__fspec_validate("8.2q", 4, TUL__FK_ANY, err, sizeof err) == 0);
  CHECK(strcmp(err, "unknown format type 'q' in format spec '8.2q'") == 0);
  CHECK(tul__fspec_validate(".2f", 3, TUL__FK_ANY, err, sizeof err) == 1);
  CHECK(tul__fspec_validate("", 0, TUL__FK_BOOL, err, sizeof err) == 1);
}

static void padding(void) {
  CHECK_STR(tul_pad_left(S("5"), 3, S("0")), "005");
  CHECK_STR(tul_pad_left(S("abc"), 2, NULL), "abc");
  CHECK_STR(tul_pad_right(S("ab"), 5, NULL), "ab   ");
  CHECK_STR(tul_pad_right(S("né"), 4, S("·")), "né··");
  CHECK(tul_str_len(tul_pad_right(S("né"), 4, S("·"))) == 4);
  CHECK_STR(tul_pad_left(S(""), 0, NULL), "");
  CHECK_STR(tul_pad_left(S("x"), -3, NULL), "x");
  CHECK_THROWS(tul_pad_left(S("x"), 3, S("ab")), "ValueError: the fill must be exactly one character, got \"ab\"");
  CHECK_THROWS(tul_pad_right(S("x"), 3, S("")), "ValueError: the fill must be exactly one character, got \"\"");
}

int main(int argc, char **argv) {
  rt_init(argc, argv);
  against_python();
  errors();
  other_values();
  validator();
  padding();
  return rt_done();
}
