/* encoding.c: hashes and HMAC (OpenSSL's libcrypto), base64 (libcrypto's encoder, a strict decoder
 * check around its decoder) and percent-encoding of URLs (libcurl). Digests come back as lower-case
 * hex; strings go in as their UTF-8 bytes. */
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include "rt_int.h"

/* ---------------------------------------------------------------- digests */

static tul_str *hex(const unsigned char *p, unsigned n) {
  static const char digits[] = "0123456789abcdef";
  tul_str *r = tul__str_alloc(2 * (int64_t)n);
  for (unsigned i = 0; i < n; i++) {
    r->data[2 * i] = digits[p[i] >> 4];
    r->data[2 * i + 1] = digits[p[i] & 15];
  }
  r->cplen = r->len;
  return r;
}

static tul_str *digest(const tul_str *s, const EVP_MD *md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  if (!EVP_Digest(s->data, (size_t)s->len, out, &n, md, NULL)) tul_throw_msg("RuntimeError: digest failed");
  return hex(out, n);
}

tul_str *tul_sha256(const tul_str *s) { return digest(s, EVP_sha256()); }
tul_str *tul_sha1(const tul_str *s) { return digest(s, EVP_sha1()); }

tul_str *tul_hmac_sha256(const tul_str *key, const tul_str *s) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  if (key->len > INT32_MAX || !HMAC(EVP_sha256(), key->data, (int)key->len, (const unsigned char *)s->data, (size_t)s->len, out, &n))
    tul_throw_msg("RuntimeError: HMAC failed");
  return hex(out, n);
}

/* ---------------------------------------------------------------- base64 */

tul_str *tul_base64_encode(const tul_str *s) {
  if (s->len > INT32_MAX / 4 * 3) tul_throw_msg("ValueError: base64_encode: input too large");
  tul_str *r = tul__str_alloc((s->len + 2) / 3 * 4);
  int n = EVP_EncodeBlock((unsigned char *)r->data, (const unsigned char *)s->data, (int)s->len);
  r->len = n;
  r->data[n] = 0;
  r->cplen = n;
  return r;
}

static int b64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  return c == '+' ? 62 : c == '/' ? 63 : -1;
}

static TUL_NORETURN void bad_base64(int64_t pos, const char *why) {
  tul__throw_fmt("ValueError: invalid base64 at position %lld: %s", (long long)pos, why);
}

/* The alphabet characters of s (ASCII whitespace skipped), padded with '=' to a multiple of 4.
 * Checks what EVP_DecodeBlock does not: characters outside the alphabet, '=' only at the end, and
 * a length that padding can complete. */
static tul_str *clean_base64(const tul_str *s) {
  tul_str *c = tul__str_alloc(s->len + 3);
  int64_t n = 0, pad = 0;
  for (int64_t i = 0; i < s->len; i++) {
    unsigned char ch = (unsigned char)s->data[i];
    if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t') continue;
    if (ch == '=') pad++;
    else if (pad) bad_base64(tul__utf8_count(s->data, i), "data after '='");
    else if (b64_value(ch) < 0) bad_base64(tul__utf8_count(s->data, i), "not a base64 character");
    c->data[n++] = (char)ch;
  }
  int64_t data = n - pad, need = (4 - data % 4) % 4; /* the padding a complete group needs */
  if (data % 4 == 1 || (pad && pad != need)) bad_base64(tul__cplen(s), "wrong length or padding");
  while (n % 4) c->data[n++] = '=';
  c->len = n;
  c->data[n] = 0;
  return c;
}

tul_str *tul_base64_decode(const tul_str *s) {
  if (s->len > INT32_MAX) tul_throw_msg("ValueError: base64_decode: input too large");
  tul_str *c = clean_base64(s);
  tul_str *r = tul__str_alloc(c->len / 4 * 3);
  int n = EVP_DecodeBlock((unsigned char *)r->data, (const unsigned char *)c->data, (int)c->len);
  if (n < 0) bad_base64(0, "not base64");
  for (int64_t i = c->len - 1; i >= 0 && c->data[i] == '='; i--) n--; /* EVP counts padding as zero bytes */
  r->len = n;
  r->data[n] = 0;
  return r;
}

/* ---------------------------------------------------------------- URLs */

/* Every byte but the unreserved A-Z a-z 0-9 - . _ ~ becomes %XX (RFC 3986). */
tul_str *tul_url_encode(const tul_str *s) {
  if (s->len > INT32_MAX) tul_throw_msg("ValueError: url_encode: input too large");
  char *e = curl_easy_escape(NULL, s->data, (int)s->len);
  if (!e) tul_throw_msg("MemoryError: out of memory");
  tul_str *r = tul__str_c(e);
  curl_free(e);
  return r;
}

/* %XX sequences become bytes; anything else (including '+' and a lone '%') stays as it is. */
tul_str *tul_url_decode(const tul_str *s) {
  if (s->len > INT32_MAX) tul_throw_msg("ValueError: url_decode: input too large");
  int n = 0;
  char *d = curl_easy_unescape(NULL, s->data, (int)s->len, &n);
  if (!d) tul_throw_msg("MemoryError: out of memory");
  tul_str *r = tul__str_from(d, n);
  curl_free(d);
  return r;
}
