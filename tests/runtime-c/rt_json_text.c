/* rt_json_text.c: fromJson edge cases found by tests/json-conformance: strict UTF-8 (no overlong
 * forms, no encoded surrogates, nothing above U+10FFFF), lone surrogate escapes, numbers beyond the
 * double range and too-deep documents as ValueError; toJson of text that is not UTF-8. */
#include "rt_support/rt_test.h"

static void utf8(void) {
  CHECK_STR(tul_json_to_str(tul_from_json(S("\"\xf4\x8f\xbf\xbf\""))), "\xf4\x8f\xbf\xbf"); /* U+10FFFF */
  CHECK_STR(tul_json_to_str(tul_from_json(S("\"\xed\x9f\xbf\xee\x80\x80\""))), "\xed\x9f\xbf\xee\x80\x80");
  CHECK_THROWS(tul_from_json(S("\"\xe0\x80\xaf\"")), "ValueError: invalid JSON: invalid UTF-8 at position 1");
  CHECK_THROWS(tul_from_json(S("\"\xed\xa0\x80\"")), "ValueError: invalid JSON: invalid UTF-8 at position 1");
  CHECK_THROWS(tul_from_json(S("\"\xf0\x80\x80\xaf\"")), "ValueError: invalid JSON: invalid UTF-8 at position 1");
  CHECK_THROWS(tul_from_json(S("\"\xf4\x90\x80\x80\"")), "ValueError: invalid JSON: invalid UTF-8 at position 1");
  CHECK_THROWS(tul_from_json(S("\"\xf5\x80\x80\x80\"")), "ValueError: invalid JSON: invalid UTF-8 at position 1");
}

/* A lone surrogate cannot be held by a UTF-8 string: an error at its escape, not a silent U+FFFD. */
static void surrogates(void) {
  CHECK_STR(tul_json_to_str(tul_from_json(S("\"\\ud83d\\ude00\""))), "\xf0\x9f\x98\x80"); /* a pair */
  CHECK_THROWS(tul_from_json(S("\"\\ud800\"")), "ValueError: invalid JSON: lone surrogate at position 1 ('\\')");
  CHECK_THROWS(tul_from_json(S("[\"ab\\udc00\"]")), "ValueError: invalid JSON: lone surrogate at position 4 ('\\')");
  CHECK_THROWS(tul_from_json(S("\"\\ud800\\u0041\"")), "ValueError: invalid JSON: lone surrogate at position 1 ('\\')");
  CHECK_THROWS(tul_from_json(S("\"x\\ud800\\ud800\"")), "ValueError: invalid JSON: lone surrogate at position 2 ('\\')");
  CHECK_THROWS(tul_from_json(S("{\"k\": \"\\ud83d\"}")), "ValueError: invalid JSON: lone surrogate at position 7 ('\\')");
  CHECK_THROWS(tul_from_json(S("\"\\u12g4\"")), "ValueError: invalid JSON: bad \\u escape at position 5 ('g')");
  CHECK_THROWS(tul_from_json(S("\"\\u12")), "ValueError: invalid JSON: bad \\u escape at position 3 ('1')");
}

/* JSON has no infinity: a number beyond the double range is an error where it starts. Underflow is
 * not (it reads as 0 or a subnormal, like every JSON parser). */
static void number_range(void) {
  CHECK_THROWS(tul_from_json(S("1e400")), "ValueError: invalid JSON: number out of range at position 0 ('1')");
  CHECK_THROWS(tul_from_json(S("[1, -1e999999]")), "ValueError: invalid JSON: number out of range at position 4 ('-')");
  CHECK_THROWS(tul_from_json(tul_str_concat(S("{\"n\": 1"), tul_str_repeat(S("0"), 400))),
               "ValueError: invalid JSON: number out of range at position 6 ('1')");
  CHECK_STR(tul_json_to_str(tul_from_json(S("1e-400"))), "0.0");
  CHECK_STR(tul_json_to_str(tul_from_json(S("1.7976931348623157e308"))), "1.7976931348623157e+308");
  CHECK_STR(tul_json_to_str(tul_from_json(S("123456789012345678901234567890"))), "1.2345678901234568e+29");
}

/* toJson always writes valid JSON: bytes that are not well-formed UTF-8 become U+FFFD, one each. */
static void to_json_invalid_utf8(void) {
  tul_str *bad = tul__str_from("a\xff" "b\xe2\x82\xed\xa0\x80\xc3\xa9", 10);
  tul_str *text = tul_to_json(&bad, &tul_type_str);
  CHECK_STR(text, "\"a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9\"");
  CHECK_STR(tul_json_to_str(tul_from_json(text)), "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9");
  tul_json *o = tul_json_new_object();
  tul_json_set(o, tul__str_from("k\x80", 2), tul__json_str(tul__str_from("\x00\x1f\x7f", 3)));
  CHECK_STR(tul_to_json(&o, &tul_type_json), "{\"k\xef\xbf\xbd\":\"\\u0000\\u001f\x7f\"}");
}

/* Plain strings take a no-copy path and repeated plain keys share one string; others still decode. */
static void strings_and_keys(void) {
  tul_json *a = tul_from_json(S("[{\"id\": \"a\", \"k\\u00e9\": 1, \"a_key_longer_than_thirty_two_bytes__\": 2}, "
                                  "{\"id\": \"b\\n\", \"k\\u00e9\": 3, \"a_key_longer_than_thirty_two_bytes__\": 4}]"));
  CHECK_STR(tul_json_to_str(a), "[{\"id\":\"a\",\"k\u00e9\":1,\"a_key_longer_than_thirty_two_bytes__\":2},"
                                "{\"id\":\"b\\n\",\"k\u00e9\":3,\"a_key_longer_than_thirty_two_bytes__\":4}]");
  tul_arr *arr = a->u.a;
  tul_json *o0 = ((tul_json **)arr->data)[0], *o1 = ((tul_json **)arr->data)[1];
  CHECK(tul__jobj_key(o0, 0) == tul__jobj_key(o1, 0));
  CHECK(tul_json_eq(o0, o0));
  CHECK_STR(tul_json_to_str(tul_from_json(S("\"plain then \\t escape\""))), "plain then \t escape");
  CHECK(tul_str_len(tul_from_json(S("\"abc\""))->u.s) == 3);
}

static void depth(void) {
  tul_str *ok = tul_str_concat(tul_str_repeat(S("["), 10000), tul_str_repeat(S("]"), 10000));
  CHECK(tul_json_len(tul_from_json(ok)) == 1);
  tul_str *deep = tul_str_concat(tul_str_repeat(S("["), 10002), tul_str_repeat(S("]"), 10002));
  CHECK_THROWS(tul_from_json(deep), "ValueError: invalid JSON: nesting too deep at position 10001 ('[')");
  /* with little stack left the parser reports the nesting, not a StackOverflowError */
  uintptr_t saved = tul_stack_limit;
  tul_stack_limit = (uintptr_t)__builtin_frame_address(0) - 16 * 1024;
  _Alignas(16) char h[TUL_HANDLER_SIZE];
  tul_try_push(h);
  if (_setjmp(*(jmp_buf *)h) == 0) {
    tul_from_json(ok);
    tul_try_pop(h);
    CHECK(!"no throw from a deep document with little stack");
  } else {
    tul_stack_limit = saved;
    const tul_str *msg = tul_json_to_str(tul_caught());
    CHECK(strncmp(msg->data, "ValueError: invalid JSON: nesting too deep at position ", 55) == 0);
  }
  tul_stack_limit = saved;
}

int main(int argc, char **argv) {
  rt_init(argc, argv);
  utf8();
  surrogates();
  number_range();
  to_json_invalid_utf8();
  strings_and_keys();
  depth();
  return rt_done();
}
