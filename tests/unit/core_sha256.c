/* SHA-256 against the examples published with FIPS 180-4 (NIST CSRC
 * "Examples with intermediate values": SHA256.pdf, SHA2_Additional.pdf),
 * fed whole and in every split, so the block buffering is exercised too.
 * Every test runs once per compression function this build and CPU have
 * (portable, SHA-NI), and a differential test compares both with a
 * one-round-at-a-time reference written here from the standard on random
 * messages of every length from 0 to 1000 bytes fed in random pieces. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/sha256.h"

/* The compression functions to test: portable always, SHA-NI when the
 * build has it and the CPU reports it (valgrind hides it). */
static int impls[2];
static size_t n_impls;

static void find_impls(void)
{
    n_impls = 0;
    impls[n_impls++] = SVCQ__SHA256_PORTABLE;
    if (svcq__sha256_select(SVCQ__SHA256_SHA_NI) == 0)
        impls[n_impls++] = SVCQ__SHA256_SHA_NI;
    else
        fprintf(stderr, "core_sha256: no SHA-NI in this build or on this CPU; portable only\n");
    assert_int_equal(svcq__sha256_select(SVCQ__SHA256_AUTO), 0);
}

static void use(int impl)
{
    assert_int_equal(svcq__sha256_select(impl), 0);
    assert_int_equal(svcq__sha256_impl(), impl);
}

static void hex_of(const void *data, size_t n, char out[65])
{
    uint8_t d[SVCQ__SHA256_SIZE];
    svcq__sha256(data, n, d);
    svcq__sha256_hex(d, out);
}

static void nist_vectors_one(void)
{
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

static void one_million_a_one(void)
{
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
static void padding_lengths_one(void)
{
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

static void nist_vectors(void **state)
{
    (void)state;
    find_impls();
    for (size_t i = 0; i < n_impls; i++) {
        use(impls[i]);
        nist_vectors_one();
    }
    assert_int_equal(svcq__sha256_select(SVCQ__SHA256_AUTO), 0);
}

static void one_million_a(void **state)
{
    (void)state;
    find_impls();
    for (size_t i = 0; i < n_impls; i++) {
        use(impls[i]);
        one_million_a_one();
    }
    assert_int_equal(svcq__sha256_select(SVCQ__SHA256_AUTO), 0);
}

static void padding_lengths(void **state)
{
    (void)state;
    find_impls();
    for (size_t i = 0; i < n_impls; i++) {
        use(impls[i]);
        padding_lengths_one();
    }
    assert_int_equal(svcq__sha256_select(SVCQ__SHA256_AUTO), 0);
}

/* ---- the reference: FIPS 180-4 section 6.2.2, one step at a time ---- */

static const uint32_t RK[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t rotr(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

static void ref_block(uint32_t h[8], const uint8_t *p)
{
    uint32_t w[64];
    for (int t = 0; t < 16; t++)
        w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 | (uint32_t)p[4 * t + 2] << 8 |
               (uint32_t)p[4 * t + 3];
    for (int t = 16; t < 64; t++)
        w[t] = (rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)) + w[t - 7] +
               (rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)) + w[t - 16];
    uint32_t v[8];
    memcpy(v, h, sizeof(v));
    for (int t = 0; t < 64; t++) {
        uint32_t t1 = v[7] + (rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25)) +
                      ((v[4] & v[5]) ^ (~v[4] & v[6])) + RK[t] + w[t];
        uint32_t t2 = (rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22)) +
                      ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
        memmove(v + 1, v, 7 * sizeof(uint32_t));
        v[4] += t1;
        v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++)
        h[i] += v[i];
}

/* The digest of n bytes (n <= 1000), padded as section 5.1.1 says. */
static void ref_digest(const uint8_t *msg, size_t n, uint8_t out[32])
{
    uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    uint8_t m[1024 + 128] = { 0 };
    memcpy(m, msg, n);
    m[n] = 0x80;
    size_t total = (n + 8) / 64 * 64 + 64;
    uint64_t bits = (uint64_t)n * 8;
    for (int i = 0; i < 8; i++)
        m[total - 1 - i] = (uint8_t)(bits >> (8 * i));
    for (size_t b = 0; b < total; b += 64)
        ref_block(h, m + b);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 4; j++)
            out[4 * i + j] = (uint8_t)(h[i] >> (24 - 8 * j));
}

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

/* Random messages of every length 0..1000, each hashed by every
 * implementation whole and in up to five random pieces (some empty, some
 * longer than a block), and compared with the reference. */
static void differential(void **state)
{
    (void)state;
    find_impls();
    static uint8_t msg[1000];
    for (int round = 0; round < 3; round++) {
        for (size_t n = 0; n <= sizeof(msg); n++) {
            for (size_t i = 0; i < n; i++)
                msg[i] = (uint8_t)next_rand();
            uint8_t want[32];
            ref_digest(msg, n, want);
            for (size_t k = 0; k < n_impls; k++) {
                use(impls[k]);
                uint8_t got[32];
                svcq__sha256(msg, n, got);
                assert_memory_equal(got, want, 32);
                svcq__sha256_ctx s;
                svcq__sha256_init(&s);
                size_t at = 0;
                int pieces = 1 + (int)(next_rand() % 5);
                for (int p = 0; p < pieces - 1 && at < n; p++) {
                    size_t take = next_rand() % (n - at + 1);
                    svcq__sha256_update(&s, msg + at, take);
                    at += take;
                }
                svcq__sha256_update(&s, msg + at, n - at);
                svcq__sha256_final(&s, got);
                assert_memory_equal(got, want, 32);
            }
        }
    }
    assert_int_equal(svcq__sha256_select(SVCQ__SHA256_AUTO), 0);
}

/* The choice: AUTO takes SHA-NI exactly when the build has it and the CPU
 * reports it (read independently here from /proc/cpuinfo, when the system
 * has one and valgrind is not hiding the flag), unless
 * SVCQ_SHA256_PORTABLE=1; unknown choices are refused. */
static int cpuinfo_has_sha_ni(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return -1;
    char line[4096];
    int has = 0;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "flags", 5) == 0) {
            has = strstr(line, " sha_ni") != NULL;
            break;
        }
    fclose(f);
    return has;
}

static void choice(void **state)
{
    (void)state;
    find_impls();
    assert_int_equal(svcq__sha256_select(7), -1);
    assert_int_equal(svcq__sha256_select(-1), -1);
    assert_int_equal(setenv("SVCQ_SHA256_PORTABLE", "1", 1), 0);
    assert_int_equal(svcq__sha256_select(SVCQ__SHA256_AUTO), 0);
    assert_int_equal(svcq__sha256_impl(), SVCQ__SHA256_PORTABLE);
    assert_int_equal(unsetenv("SVCQ_SHA256_PORTABLE"), 0);
    assert_int_equal(svcq__sha256_select(SVCQ__SHA256_AUTO), 0);
    int got = svcq__sha256_impl();
#ifdef SVCQ__HAVE_SHA_NI
    int cpu = cpuinfo_has_sha_ni();
    if (n_impls == 2)
        assert_int_equal(got, SVCQ__SHA256_SHA_NI);
    else
        assert_int_equal(got, SVCQ__SHA256_PORTABLE);
    /* The kernel's flags and CPUID agree, unless a CPU emulator
     * (valgrind) hides SHA-NI from CPUID only. */
    if (cpu == 0)
        assert_int_equal(got, SVCQ__SHA256_PORTABLE);
    if (cpu == 1 && got != SVCQ__SHA256_SHA_NI)
        fprintf(stderr, "core_sha256: the kernel reports sha_ni, CPUID does not (valgrind?)\n");
#else
    (void)cpuinfo_has_sha_ni;
    assert_int_equal(got, SVCQ__SHA256_PORTABLE);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nist_vectors),
        cmocka_unit_test(one_million_a),
        cmocka_unit_test(padding_lengths),
        cmocka_unit_test(differential),
        cmocka_unit_test(choice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
