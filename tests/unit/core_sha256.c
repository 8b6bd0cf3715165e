/* SHA-256 against the examples published with FIPS 180-4 (NIST CSRC
 * "Examples with intermediate values": SHA256.pdf, SHA2_Additional.pdf),
 * fed whole and in every split, so the block buffering is exercised too. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/sha256.h"

static void hex_of(const void *data, size_t n, char out[65])
{
    uint8_t d[SVCQ__SHA256_SIZE];
    svcq__sha256(data, n, d);
    svcq__sha256_hex(d, out);
}

static void nist_vectors(void **state)
{
    (void)state;
    static const struct {
        const char *msg;
        const char *digest;
    } v[] = {
        { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
        { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        /* the 448-bit message: two blocks after padding */
        { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
        /* the 896-bit message */
        { "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrst"
          "nopqrstu",
          "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        char hex[65];
        size_t n = strlen(v[i].msg);
        hex_of(v[i].msg, n, hex);
        assert_string_equal(hex, v[i].digest);
        /* Every split point, and byte by byte. */
        for (size_t cut = 0; cut <= n; cut++) {
            svcq__sha256_ctx s;
            uint8_t d[SVCQ__SHA256_SIZE];
            svcq__sha256_init(&s);
            svcq__sha256_update(&s, v[i].msg, cut);
            svcq__sha256_update(&s, v[i].msg + cut, n - cut);
            svcq__sha256_final(&s, d);
            svcq__sha256_hex(d, hex);
            assert_string_equal(hex, v[i].digest);
        }
        svcq__sha256_ctx s;
        uint8_t d[SVCQ__SHA256_SIZE];
        svcq__sha256_init(&s);
        for (size_t k = 0; k < n; k++)
            svcq__sha256_update(&s, v[i].msg + k, 1);
        svcq__sha256_final(&s, d);
        svcq__sha256_hex(d, hex);
        assert_string_equal(hex, v[i].digest);
    }
}

static void one_million_a(void **state)
{
    (void)state;
    /* Fed in uneven pieces that straddle block boundaries. */
    char chunk[997];
    memset(chunk, 'a', sizeof(chunk));
    svcq__sha256_ctx s;
    svcq__sha256_init(&s);
    size_t left = 1000000;
    while (left) {
        size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
        svcq__sha256_update(&s, chunk, n);
        left -= n;
    }
    uint8_t d[SVCQ__SHA256_SIZE];
    char hex[65];
    svcq__sha256_final(&s, d);
    svcq__sha256_hex(d, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    /* And in one piece. */
    char *all = malloc(1000000);
    assert_non_null(all);
    memset(all, 'a', 1000000);
    hex_of(all, 1000000, hex);
    free(all);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Padding edge cases: lengths around 55, 56 and 64 bytes (one or two
 * final blocks), checked against digests computed by another
 * implementation (Python's hashlib) when this test was written. */
static void padding_lengths(void **state)
{
    (void)state;
    static const struct {
        size_t n;
        const char *digest;
    } v[] = {
        { 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
        { 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
        { 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
        { 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
        { 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
    };
    char buf[128];
    memset(buf, 'a', sizeof(buf));
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        char hex[65];
        hex_of(buf, v[i].n, hex);
        assert_string_equal(hex, v[i].digest);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nist_vectors),
        cmocka_unit_test(one_million_a),
        cmocka_unit_test(padding_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
