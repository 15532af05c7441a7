/* rt_encoding.c: hashes and HMAC against Python's hashlib/hmac, base64 both ways with its errors,
 * URL percent-encoding, format_time/parse_time (strftime patterns, "iso", offsets, times before
 * 1970, bad input), random_seed and mod. */
#include <math.h>
#include "rt_support/rt_test.h"

static void digests(void) {
  CHECK_STR(tul_sha256(S("héllo")), "3c48591d8d098a4538f5e013dfcf406e948eac4d3277b10bf614e295d6068179");
  CHECK_STR(tul_sha1(S("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  CHECK_STR(tul_hmac_sha256(S("key"), S("The quick brown fox jumps over the lazy dog")),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
  CHECK(tul_sha256(tul_str_repeat(S("x"), 1000000))->len == 64);
}

static void base64(void) {
  CHECK_STR(tul_base64_encode(S("héllo wörld")), "aMOpbGxvIHfDtnJsZA==");
  CHECK_STR(tul_base64_encode(S("")), "");
  CHECK_STR(tul_base64_encode(S("a")), "YQ==");
  CHECK_STR(tul_base64_decode(S("aMOpbGxvIHfDtnJsZA==")), "héllo wörld");
  CHECK_STR(tul_base64_decode(S("YQ")), "a");           /* padding may be left out */
  CHECK_STR(tul_base64_decode(S("YWI=")), "ab");
  CHECK_STR(tul_base64_decode(S(" YW\nJj ")), "abc");   /* whitespace is skipped */
  CHECK_STR(tul_base64_decode(S("")), "");
  CHECK_THROWS(tul_base64_decode(S("YW*j")), "ValueError: invalid base64 at position 2: not a base64 character");
  CHECK_THROWS(tul_base64_decode(S("YQ=a")), "ValueError: invalid base64 at position 3: data after '='");
  CHECK_THROWS(tul_base64_decode(S("Y")), "ValueError: invalid base64 at position 1: wrong length or padding");
  CHECK_THROWS(tul_base64_decode(S("YWJj=")), "ValueError: invalid base64 at position 5: wrong length or padding");
  tul_str *blob = tul_str_repeat(S("\x01\xff\x80z"), 1000);
  CHECK(tul_str_eq(tul_base64_decode(tul_base64_encode(blob)), blob));
}

static void urls(void) {
  CHECK_STR(tul_url_encode(S("a b&c=d/é~")), "a%20b%26c%3Dd%2F%C3%A9~");
  CHECK_STR(tul_url_decode(S("a%20b%26c%3Dd%2F%C3%A9~")), "a b&c=d/é~");
  CHECK_STR(tul_url_decode(S("a+b%2")), "a+b%2");
  CHECK(strcmp(tul_url_decode(S("%00x"))->data + 1, "x") == 0);
  CHECK(tul_url_decode(S("%00x"))->len == 2);
}

static void times(void) {
  CHECK_STR(tul_format_time(1709214307123, S("iso")), "2024-02-29T13:45:07.123Z");
  CHECK_STR(tul_format_time(0, S("%Y-%m-%d %H:%M:%S")), "1970-01-01 00:00:00");
  CHECK_STR(tul_format_time(-1500, S("iso")), "1969-12-31T23:59:58.500Z");
  CHECK_STR(tul_format_time(1709214307123, S("%A %d %B %Y, %j")), "Thursday 29 February 2024, 060");
  CHECK_STR(tul_format_time(1709214307123, S("")), "");
  CHECK_STR(tul_format_time(0, S("%p")), "AM");
  CHECK(tul_format_time(0, tul_str_repeat(S("%Y"), 500))->len == 2000);
  CHECK(tul_parse_time(S("2024-02-29T13:45:07.123Z"), S("iso")) == 1709214307123);
  CHECK(tul_parse_time(S("2024-02-29T15:45:07.123+02:00"), S("iso")) == 1709214307123);
  CHECK(tul_parse_time(S("2024-02-29T13:45:07.1234567"), S("iso")) == 1709214307123);
  CHECK(tul_parse_time(S("2024-02-29"), S("iso")) == 1709164800000);
  CHECK(tul_parse_time(S("2024-02-29 13:45"), S("iso")) == 1709214300000);
  CHECK(tul_parse_time(S("1969-12-31T23:59:58.5Z"), S("iso")) == -1500);
  CHECK(tul_parse_time(S("29/02/2024 13:45:07"), S("%d/%m/%Y %H:%M:%S")) == 1709214307000);
  CHECK(tul_parse_time(S("2024-02-29 15:45 +0200"), S("%Y-%m-%d %H:%M %z")) == 1709214300000);
  CHECK(tul_parse_time(S("13:45"), S("%H:%M")) == 49500000);
  CHECK_THROWS(tul_parse_time(S("2024-02-30"), S("iso")), "ValueError: time data \"2024-02-30\" does not match format \"iso\"");
  CHECK_THROWS(tul_parse_time(S("2024-13-01"), S("iso")), "ValueError: time data \"2024-13-01\" does not match format \"iso\"");
  CHECK_THROWS(tul_parse_time(S("yesterday"), S("iso")), "ValueError: time data \"yesterday\" does not match format \"iso\"");
  CHECK_THROWS(tul_parse_time(S("2024-01-01 extra"), S("%Y-%m-%d")),
               "ValueError: time data \"2024-01-01 extra\" does not match format \"%Y-%m-%d\"");
  int ok = 1;
  for (int64_t ms = -86400000LL * 800; ms < 86400000LL * 30000; ms += 86400000LL * 97 + 12345)
    ok &= tul_parse_time(tul_format_time(ms, S("iso")), S("iso")) == ms;
  CHECK(ok);
}

static void seeds_and_mod(void) {
  tul_random_seed(42);
  double a = tul_random();
  int64_t b = tul_randint(1, 1000000);
  tul_random_seed(42);
  CHECK(tul_random() == a && tul_randint(1, 1000000) == b);
  tul_random_seed(43);
  CHECK(tul_random() != a);
  CHECK(tul_mod_int(-7, 3) == 2);
  CHECK(tul_mod_int(7, -3) == -2);
  CHECK(tul_mod_int(-7, -3) == -1);
  CHECK(tul_mod_int(6, 3) == 0);
  CHECK(tul_mod_int(INT64_MIN, -1) == 0);
  CHECK(tul_mod_int(INT64_MIN, 7) == 6); /* Python: -9223372036854775808 % 7 == 6 */
  CHECK_THROWS(tul_mod_int(1, 0), "ZeroDivisionError: modulo by zero");
  CHECK(tul_mod_float(-7.5, 2) == 0.5);
  CHECK(tul_mod_float(7.5, -2) == -0.5);
  CHECK(signbit(tul_mod_float(-4.0, 2.0)) == 0 && signbit(tul_mod_float(4.0, -2.0)) != 0);
  CHECK(isnan(tul_mod_float(1.0, 0.0)));
}

int main(int argc, char **argv) {
  rt_init(argc, argv);
  digests();
  base64();
  urls();
  times();
  seeds_and_mod();
  return rt_done();
}
