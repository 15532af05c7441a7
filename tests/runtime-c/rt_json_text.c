/* rt_json_text.c: fromJson edge cases found by tests/json-conformance: strict UTF-8 (no overlong
 * forms, no encoded surrogates, nothing above U+10FFFF) and too-deep documents as ValueError. */
#include "rt_support/rt_test.h"

static void utf8(void) {
  CHECK_STR(tul_json_to_str(tul_from_json(S("\"\xf4\x8f\xbf\xbf\""))), "\xf4\x8f\xbf\xbf"); /* U+10FFFF */
  CHECK_STR(tul_json_to_str(tul_from_json(S("\"\xed\x9f\xbf\xee\x80\x80\""))), "\xed\x9f\xbf\xee\x80\x80");
  CHECK_STR(tul_json_to_str(tul_from_json(S("\"\\ud800\""))), "\xef\xbf\xbd"); /* lone surrogate: U+FFFD */
  CHECK_THROWS(tul_from_json(S("\"\xe0\x80\xaf\"")), "ValueError: invalid JSON: invalid UTF-8 at position 1");
  CHECK_THROWS(tul_from_json(S("\"\xed\xa0\x80\"")), "ValueError: invalid JSON: invalid UTF-8 at position 1");
  CHECK_THROWS(tul_from_json(S("\"\xf0\x80\x80\xaf\"")), "ValueError: invalid JSON: invalid UTF-8 at position 1");
  CHECK_THROWS(tul_from_json(S("\"\xf4\x90\x80\x80\"")), "ValueError: invalid JSON: invalid UTF-8 at position 1");
  CHECK_THROWS(tul_from_json(S("\"\xf5\x80\x80\x80\"")), "ValueError: invalid JSON: invalid UTF-8 at position 1");
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
  depth();
  return rt_done();
}
