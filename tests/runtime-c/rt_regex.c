/* rt_regex.c: regular expressions (regex.c): match results with groups and code-point offsets,
 * find_all/split/replace with empty matches as Python 3.7+ has them, Unicode classes, replacement
 * syntax and its errors, bad patterns with their position, invalid UTF-8 subjects, the pattern
 * cache past its 64 entries, and catastrophic backtracking stopped by the match limit. */
#include <time.h>
#include "rt_support/rt_test.h"

static tul_str *J(tul_json *j) { return tul_json_to_str(j); }
static tul_str *A(tul_arr *a) {
  static const tul_type t = {TUL_K_ARRAY, 8, &tul_type_str, NULL, 0, NULL};
  return tul_to_str(&a, &t);
}

static void matching(void) {
  CHECK_STR(J(tul_re_match(S("(\\w+)@(\\w+)(x)?"), S("mail: ana@host.tr"))),
            "{\"match\":\"ana@host\",\"groups\":[\"ana\",\"host\",null],\"start\":6,\"end\":14}");
  CHECK_STR(J(tul_re_match(S("w(ö)r"), S("héllo wörld"))), "{\"match\":\"wör\",\"groups\":[\"ö\"],\"start\":6,\"end\":9}");
  CHECK(tul_re_match(S("^x"), S("ax")) == NULL);
  CHECK_STR(J(tul_re_match(S(""), S("abc"))), "{\"match\":\"\",\"groups\":[],\"start\":0,\"end\":0}");
  CHECK_STR(J(tul_re_match(S("(?i)É+"), S("xéÉé"))), "{\"match\":\"éÉé\",\"groups\":[],\"start\":1,\"end\":4}");
  CHECK_STR(J(tul_re_match(S("(?<year>\\d{4})-(?<month>\\d\\d)"), S("on 2024-05"))),
            "{\"match\":\"2024-05\",\"groups\":[\"2024\",\"05\"],\"start\":3,\"end\":10}");
}

static void all_and_split(void) {
  CHECK_STR(A(tul_re_find_all(S("\\w+"), S("héllo wörld 42_x"))), "[\"héllo\",\"wörld\",\"42_x\"]");
  CHECK_STR(A(tul_re_find_all(S("a*"), S("baa"))), "[\"\",\"aa\",\"\"]");
  CHECK_STR(A(tul_re_find_all(S("x*"), S(""))), "[\"\"]");
  CHECK_STR(A(tul_re_find_all(S("\\b"), S("ab cd"))), "[\"\",\"\",\"\",\"\"]");
  CHECK_STR(A(tul_re_find_all(S("\\d+"), S("none"))), "[]");
  CHECK_STR(A(tul_re_find_all(S("."), S("é😀"))), "[\"é\",\"😀\"]");
  CHECK_STR(A(tul_re_split(S("\\W+"), S("hello, world!"))), "[\"hello\",\"world\",\"\"]");
  CHECK_STR(A(tul_re_split(S("x*"), S("abc"))), "[\"\",\"a\",\"b\",\"c\",\"\"]");
  CHECK_STR(A(tul_re_split(S(","), S(""))), "[\"\"]");
  CHECK_STR(A(tul_re_split(S("\\s*;\\s*"), S("a ; b;c"))), "[\"a\",\"b\",\"c\"]");
}

static void replacing(void) {
  CHECK_STR(tul_re_replace(S("(\\w+)@(\\w+)"), S("ana@host, bo@x"), S("$2 at $1")), "host at ana, x at bo");
  CHECK_STR(tul_re_replace(S("x*"), S("abxd"), S("-")), "-a-b--d-");
  CHECK_STR(tul_re_replace(S("(?<w>o+)"), S("foo boo"), S("[${w}]")), "f[oo] b[oo]");
  CHECK_STR(tul_re_replace(S("a(b)?"), S("a ab"), S("<$1>")), "<> <b>");
  CHECK_STR(tul_re_replace(S("\\d"), S("a1b2"), S("$$")), "a$b$");
  CHECK_STR(tul_re_replace(S("\\d"), S("a1b2"), S("\\0")), "a\\0b\\0"); /* backslashes are literal */
  CHECK_STR(tul_re_replace(S("z"), S("abc"), S("y")), "abc");
  CHECK_STR(tul_re_replace(S("b"), S("abc"), S("$0$0")), "abbc");
  tul_str *big = tul_str_repeat(S("ab"), 5000);
  CHECK(tul_re_replace(S("b"), big, S("xyzxyz"))->len == 5000 * 7); /* outgrows the first buffer */
  CHECK_THROWS(tul_re_replace(S("(a)"), S("a"), S("$9")), "ValueError: invalid replacement \"$9\": unknown substring");
  CHECK_THROWS(tul_re_replace(S("a"), S("a"), S("${x")), "ValueError: invalid replacement \"${x\": expected closing curly bracket in replacement string");
}

static void errors(void) {
  CHECK_THROWS(tul_re_match(S("a(b"), S("")), "ValueError: invalid regex \"a(b\" at position 3: missing closing parenthesis");
  CHECK_THROWS(tul_re_find_all(S("é[z"), S("")), "ValueError: invalid regex \"é[z\" at position 3: missing terminating ] for character class");
  CHECK_THROWS(tul_re_split(S("*a"), S("")), "ValueError: invalid regex \"*a\" at position 0: quantifier does not follow a repeatable item");
  /* invalid UTF-8 in the subject: no crash, the valid parts still match */
  CHECK_STR(A(tul_re_find_all(S("\\w+"), S("ab\xff\xfe" "cd"))), "[\"ab\",\"cd\"]");
  /* exponential backtracking ends with an error, not a hang */
  tul_str *evil = tul_str_concat(tul_str_repeat(S("a"), 40), S("!"));
  clock_t t0 = clock();
  CHECK_THROWS(tul_re_match(S("^(a+)+$"), evil), "ValueError: regex match failed: match limit exceeded");
  CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 20);
}

/* 100 patterns cycle through the 64-entry cache: each still answers correctly. */
static void cache(void) {
  char pat[32], subj[64];
  int ok = 1;
  for (int round = 0; round < 3; round++)
    for (int i = 0; i < 100; i++) {
      snprintf(pat, sizeof pat, "k%d=(\\d+)", i);
      snprintf(subj, sizeof subj, "k%d=%d k%d=7", i + 1, i, i);
      tul_json *m = tul_re_match(S(pat), S(subj));
      ok &= m && tul_str_eq(J(tul_json_at(tul_json_get(m, S("groups")), 0)), S("7"));
    }
  CHECK(ok);
}

int main(int argc, char **argv) {
  rt_init(argc, argv);
  matching();
  all_and_split();
  replacing();
  errors();
  cache();
  return rt_done();
}
