/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
 * U+10FFFF. */
#ifndef SVCQ__UTF8_H
#define SVCQ__UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes one code point at s (n bytes available). Returns its length in
 * bytes (1-4) and stores the code point, or 0 for an invalid or truncated
 * sequence. */
size_t svcq__utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Encodes cp (a scalar value, not a surrogate) into out; returns 1-4, or 0
 * when cp is not encodable. */
size_t svcq__utf8_encode(uint32_t cp, char out[4]);

/* Whether the n bytes at s are valid UTF-8. */
bool svcq__utf8_valid(const char *s, size_t n);

/* Whether all eight bytes of w are printable ASCII (0x20-0x7E): none
 * below 0x20, none with the high bit, none 0x7F (zero after xor). A
 * borrow only reaches bytes above one that fails, so a word that passes
 * is exact, and the first that fails is exact enough to finish byte by
 * byte. */
static inline bool svcq__printable8(uint64_t w)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    uint64_t x = w ^ (ones * 0x7F);
    return !(((w - ones * 0x20) | w | ((x - ones) & ~x)) & highs);
}

/* Length of the run of printable ASCII (0x20-0x7E) that s (n bytes)
 * starts with, eight bytes a turn: the common case of a text check. Sets
 * *nonspace when the run holds a byte other than ' ' (else leaves it). */
size_t svcq__ascii_run(const char *s, size_t n, bool *nonspace);

/* Length of the longest prefix of s (len bytes) that does not end inside a
 * multi-byte sequence; used when a message is cut to fit a buffer. */
size_t svcq__utf8_trim(const char *s, size_t len);

#endif
