/* rt_str.c: string built-ins with ASCII and multi-byte UTF-8 text: lengths and indexes count code
 * points, Unicode case mapping, split/join/replace, slices with Python rules, errors. */
#include "rt_support/rt_test.h"

static tul_str *arr_join(tul_arr *a) { return tul_str_join(a, S("|")); }

static void basics(void) {
  tul_str *u = S("héllo wörld");
  CHECK(tul_str_len(u) == 11);
  CHECK(tul_str_len(S("")) == 0);
  CHECK(tul_str_len(&tul_empty_str) == 0);
  CHECK_STR(tul_str_index(u, 1), "é");
  CHECK_STR(tul_str_index(u, 10), "d");
  CHECK_STR(tul_str_index(S("abc"), 2), "c");
  CHECK_STR(tul_str_index(S("😀x"), 0), "😀");
  CHECK_THROWS(tul_str_index(S("abc"), 5), "IndexError: index 5 out of range for length 3");
  CHECK_THROWS(tul_str_index(S("abc"), -1), "IndexError: index -1 out of range for length 3");
  CHECK_THROWS(tul_str_index(u, 11), "IndexError: index 11 out of range for length 11");
  tul_str *c = tul_str_concat(S("ab"), S("çd"));
  CHECK_STR(c, "abçd");
  CHECK(tul_str_len(c) == 4);
  CHECK(tul_str_eq(c, S("abçd")));
  CHECK(!tul_str_eq(c, S("abcd")));
  CHECK(tul_str_cmp(S("a"), S("b")) < 0);
  CHECK(tul_str_cmp(S("b"), S("a")) > 0);
  CHECK(tul_str_cmp(S("ab"), S("abc")) < 0);
  CHECK(tul_str_cmp(S("abc"), S("abc")) == 0);
  CHECK(tul_str_cmp(S("z"), S("é")) < 0); /* code point order */
  CHECK(tul_str_cmp(S("\xef\xbf\xbf"), S("😀")) < 0);
}

static void case_and_trim(void) {
  CHECK_STR(tul_str_upper(S("Hello, World")), "HELLO, WORLD");
  CHECK_STR(tul_str_lower(S("Hello, World")), "hello, world");
  CHECK_STR(tul_str_upper(S("héllo wörld")), "HÉLLO WÖRLD");
  CHECK_STR(tul_str_lower(S("ÀÉÎ ΑΒΓ")), "àéî αβγ");
  CHECK_STR(tul_str_upper(S("straße")), "STRASSE");
  CHECK_STR(tul_str_trim(S("  Hello, World \t\n")), "Hello, World");
  CHECK_STR(tul_str_trim(S("   ")), "");
  CHECK_STR(tul_str_trim(S("x")), "x");
}

static void searching(void) {
  tul_str *t = S("Hello, World");
  CHECK(tul_str_starts_with(t, S("Hell")));
  CHECK(!tul_str_starts_with(S("a"), S("abc")));
  CHECK(tul_str_ends_with(t, S("World")));
  CHECK(tul_str_ends_with(t, S("")));
  CHECK(tul_str_index_of(t, S("World")) == 7);
  CHECK(tul_str_index_of(t, S("xyz")) == -1);
  CHECK(tul_str_index_of(t, S("")) == 0);
  CHECK(tul_str_index_of(S("héllo wörld"), S("w")) == 6);
  CHECK(tul_str_index_of(S("ééé😀a"), S("a")) == 4);
  CHECK(tul_str_contains(t, S("lo, W")));
  CHECK(!tul_str_contains(t, S("low")));
}

static void split_join_replace(void) {
  CHECK_STR(arr_join(tul_str_split(S("a,b,,c"), S(","))), "a|b||c");
  CHECK(tul_str_split(S("a,b,,c"), S(","))->len == 4);
  CHECK_STR(arr_join(tul_str_split(S("abc"), S(""))), "a|b|c");
  CHECK_STR(arr_join(tul_str_split(S("hé😀"), S(""))), "h|é|😀");
  CHECK(tul_str_split(S(""), S(""))->len == 0);
  CHECK(tul_str_split(S(""), S(","))->len == 1);
  CHECK_STR(arr_join(tul_str_split(S("a--b--"), S("--"))), "a|b|");
  CHECK_STR(tul_str_join(tul_arr_new(&tul_type_str, 0), S("+")), "");
  CHECK_STR(tul_str_join(tul_str_split(S("x y z"), S(" ")), S("-")), "x-y-z");
  CHECK_STR(tul_str_replace(S("a-b-c"), S("-"), S("+")), "a+b+c");
  CHECK_STR(tul_str_replace(S("aaa"), S("a"), S("bb")), "bbbbbb");
  CHECK_STR(tul_str_replace(S("abc"), S("x"), S("y")), "abc");
  CHECK_STR(tul_str_replace(S("abab"), S("ab"), S("")), "");
  CHECK_STR(tul_str_replace(S("ab"), S(""), S("-")), "-a-b-");
  CHECK_STR(tul_str_replace(S("éaé"), S("é"), S("e")), "eae");
  CHECK(tul_str_len(tul_str_replace(S("éaé"), S("a"), S("ü"))) == 3);
}

static void ranges(void) {
  CHECK_STR(tul_str_substring(S("abcdef"), 1, 4), "bcd");
  CHECK_STR(tul_str_substring(S("abc"), 2, 99), "c");
  CHECK_STR(tul_str_substring(S("abc"), -5, 1), "a");
  CHECK_STR(tul_str_substring(S("abc"), 2, 1), "");
  CHECK_STR(tul_str_substring(S("héllo"), 1, 4), "éll");
  CHECK(tul_str_len(tul_str_substring(S("héllo"), 1, 4)) == 3);
  tul_str *t = S("Hello, World");
  CHECK_STR(tul_str_slice(t, 7, INT64_MAX), "World");
  CHECK_STR(tul_str_slice(t, -5, -1), "Worl");
  CHECK_STR(tul_str_slice(t, -100, 2), "He");
  CHECK_STR(tul_str_slice(t, 5, 2), "");
  CHECK_STR(tul_str_slice(S("wörld😀"), -3, INT64_MAX), "ld😀");
  CHECK_STR(tul_str_repeat(S("ab"), 3), "ababab");
  CHECK_STR(tul_str_repeat(S("x"), 0), "");
  CHECK(tul_str_len(tul_str_repeat(S("é"), 4)) == 4);
  CHECK_THROWS(tul_str_repeat(S("a"), -1), "ValueError: negative repeat count");
}

static void conversions(void) {
  CHECK(tul_str_to_int(S("123")) == 123);
  CHECK(tul_str_to_int(S("-45")) == -45);
  CHECK(tul_str_to_int(S("  7 ")) == 7);
  CHECK(tul_str_to_int(S("+8")) == 8);
  CHECK(tul_str_to_int(S("-9223372036854775808")) == INT64_MIN);
  CHECK(tul_str_to_int(S("9223372036854775807")) == INT64_MAX);
  CHECK_THROWS(tul_str_to_int(S("9223372036854775808")), "ValueError: invalid int literal: \"9223372036854775808\"");
  CHECK_THROWS(tul_str_to_int(S("12x")), "ValueError: invalid int literal: \"12x\"");
  CHECK_THROWS(tul_str_to_int(S("1_000")), "ValueError: invalid int literal: \"1_000\"");
  CHECK_THROWS(tul_str_to_int(S("")), "ValueError: invalid int literal: \"\"");
  CHECK_THROWS(tul_str_to_int(S("-")), "ValueError: invalid int literal: \"-\"");
  CHECK(tul_str_to_float(S("2.5")) == 2.5);
  CHECK(tul_str_to_float(S("1e3")) == 1000.0);
  CHECK(tul_str_to_float(S(" -0.5 ")) == -0.5);
  CHECK(tul_str_to_float(S("inf")) > 1e308);
  CHECK(tul_str_to_float(S("nan")) != tul_str_to_float(S("nan")));
  CHECK_THROWS(tul_str_to_float(S("abc")), "ValueError: invalid float literal: \"abc\"");
  CHECK_THROWS(tul_str_to_float(S("1.5x")), "ValueError: invalid float literal: \"1.5x\"");
  CHECK_THROWS(tul_str_to_float(S("")), "ValueError: invalid float literal: \"\"");
  CHECK(tul_str_to_bool(S("true")) == 1);
  CHECK(tul_str_to_bool(S("false")) == 0);
  CHECK(tul_str_to_bool(S("1")) == 1);
  CHECK(tul_str_to_bool(S("0")) == 0);
  CHECK_THROWS(tul_str_to_bool(S("yes")), "ValueError: invalid bool literal: \"yes\"");
  CHECK_THROWS(tul_str_to_bool(S("True")), "ValueError: invalid bool literal: \"True\"");
  /* the text in a message is escaped: a NUL does not cut it, control characters and quotes show */
  CHECK_THROWS(tul_str_to_int(tul__str_from("1\0", 2)), "ValueError: invalid int literal: \"1\\u0000\"");
  CHECK_THROWS(tul_str_to_float(tul__str_from("2\0x", 3)), "ValueError: invalid float literal: \"2\\u0000x\"");
  CHECK_THROWS(tul_str_to_int(S("a\"b\n\x1b[2J\\")), "ValueError: invalid int literal: \"a\\\"b\\n\\u001b[2J\\\\\"");
  CHECK_THROWS(tul_str_to_bool(tul__str_from("t\xffrue", 5)), "ValueError: invalid bool literal: \"t\xef\xbf\xbdrue\"");
}

/* Indexing forwards, backwards and across strings agrees with split(s, ""). */
static void walk(void) {
  tul_str *a = tul_str_repeat(S("aé😀ß"), 50), *b = S("xyzé");
  tul_arr *cps = tul_str_split(a, S(""));
  int ok = cps->len == 200;
  for (int64_t i = 0; i < 200; i++) ok &= tul_str_eq(tul_str_index(a, i), ((tul_str **)cps->data)[i]);
  for (int64_t i = 199; i >= 0; i -= 7) {
    ok &= tul_str_eq(tul_str_index(a, i), ((tul_str **)cps->data)[i]);
    ok &= tul_str_eq(tul_str_index(b, i % 4), tul_str_substring(b, i % 4, i % 4 + 1));
  }
  CHECK(ok);
}

int main(int argc, char **argv) {
  rt_init(argc, argv);
  basics();
  case_and_trim();
  searching();
  split_join_replace();
  ranges();
  conversions();
  walk();
  return rt_done();
}
