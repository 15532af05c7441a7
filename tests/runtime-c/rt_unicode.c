/* rt_unicode.c: ord, chr, the is_* classifiers and full case mapping (unicode.c), with expected
 * results taken from Python 3.11's str methods (Unicode 14): special casing (ß, İ, ligatures, Greek
 * iota subscripts), the final-sigma rule, titlecase digraphs, invalid bytes kept as they are. */
#include "rt_support/rt_test.h"

static void cases(void) {
  static const char *rows[][3] = {
      {"straße", "STRASSE", "straße"},
      {"İstanbul", "İSTANBUL", "i̇stanbul"},
      {"ΟΔΥΣΣΕΥΣ", "ΟΔΥΣΣΕΥΣ", "οδυσσευς"},
      {"ΣΑΣ ΣΑΣ.", "ΣΑΣ ΣΑΣ.", "σας σας."},
      {"Σ", "Σ", "σ"},
      {"ΑΣ’Σ", "ΑΣ’Σ", "ασ’ς"},
      {"ﬁne ﬂow", "FINE FLOW", "ﬁne ﬂow"},
      {"ǰ ŉ", "J̌ ʼN", "ǰ ŉ"},
      {"ᾳ ᾼ", "ΑΙ ΑΙ", "ᾳ ᾳ"},
      {"Ǆ ǅ ǆ", "Ǆ Ǆ Ǆ", "ǆ ǆ ǆ"},
      {"ÀÉÎ ΑΒΓ", "ÀÉÎ ΑΒΓ", "àéî αβγ"},
      {"Москва", "МОСКВА", "москва"},
      {"ԵՒ և", "ԵՒ ԵՒ", "եւ և"},
      {"a\xcc\x81Σ", "A\xcc\x81Σ", "a\xcc\x81ς"},
      {"ΑΣ\xcc\x81", "ΑΣ\xcc\x81", "ας\xcc\x81"},
      {"hello WORLD 123", "HELLO WORLD 123", "hello world 123"},
      {"Ⅷ", "Ⅷ", "ⅷ"},
      {"x\xff\xfeΣ", "X\xff\xfeΣ", "x\xff\xfeς"},
      {"", "", ""},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    CHECK_STR(tul_str_upper(S(rows[i][0])), rows[i][1]);
    CHECK_STR(tul_str_lower(S(rows[i][0])), rows[i][2]);
  }
  CHECK(tul_str_len(tul_str_lower(S("İ"))) == 2); /* "i̇" is two code points */
}

static void code_points(void) {
  CHECK(tul_str_ord(S("A")) == 65);
  CHECK(tul_str_ord(S("é")) == 0xE9);
  CHECK(tul_str_ord(S("😀")) == 0x1F600);
  CHECK_THROWS(tul_str_ord(S("")), "ValueError: ord() expected one character, got a str of length 0");
  CHECK_THROWS(tul_str_ord(S("ab")), "ValueError: ord() expected one character, got a str of length 2");
  CHECK_STR(tul_str_chr(97), "a");
  CHECK_STR(tul_str_chr(0x1F600), "😀");
  CHECK(tul_str_len(tul_str_chr(0x10FFFF)) == 1);
  CHECK(tul_str_chr(0)->len == 1);
  CHECK_THROWS(tul_str_chr(-1), "ValueError: chr(-1): not a Unicode scalar value (0 to 0x10FFFF, surrogates excluded)");
  CHECK_THROWS(tul_str_chr(0x110000), "ValueError: chr(1114112): not a Unicode scalar value (0 to 0x10FFFF, surrogates excluded)");
  CHECK_THROWS(tul_str_chr(0xD800), "ValueError: chr(55296): not a Unicode scalar value (0 to 0x10FFFF, surrogates excluded)");
  int ok = 1;
  for (int64_t cp = 1; cp < 0x3000; cp += 7) ok &= tul_str_ord(tul_str_chr(cp)) == cp;
  CHECK(ok);
}

static void classes(void) {
  CHECK(tul_str_is_letter(S("abcÉß日本ǅ")));
  CHECK(!tul_str_is_letter(S("ab1")));
  CHECK(!tul_str_is_letter(S("")));
  CHECK(!tul_str_is_letter(S("a b")));
  CHECK(tul_str_is_digit(S("0123456789")));
  CHECK(tul_str_is_digit(S("٣٤"))); /* Arabic-Indic digits are Nd */
  CHECK(!tul_str_is_digit(S("²")));  /* a superscript is No, not a decimal digit */
  CHECK(!tul_str_is_digit(S("1.5")));
  CHECK(!tul_str_is_digit(S("")));
  CHECK(tul_str_is_space(S(" \t\n\r\v\f")));
  CHECK(tul_str_is_space(S("\xc2\xa0\xe3\x80\x80\xe2\x80\xa8"))); /* NBSP, ideographic space, line separator */
  CHECK(!tul_str_is_space(S("\xe2\x80\x8b"))); /* zero width space is Cf, not White_Space */
  CHECK(!tul_str_is_space(S("")));
  CHECK(tul_str_is_upper(S("HELLO, WORLD 42")));
  CHECK(!tul_str_is_upper(S("Hello")));
  CHECK(!tul_str_is_upper(S("123")));
  CHECK(tul_str_is_upper(S("ΣΑΣ")));
  CHECK(!tul_str_is_upper(S("ǅ"))); /* titlecase is neither */
  CHECK(tul_str_is_lower(S("straße 1")));
  CHECK(!tul_str_is_lower(S("straßE")));
  CHECK(!tul_str_is_lower(S("")));
}

int main(int argc, char **argv) {
  rt_init(argc, argv);
  cases();
  code_points();
  classes();
  return rt_done();
}
