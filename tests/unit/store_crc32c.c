/* CRC-32C against an independent bit-at-a-time CRC written here: the
 * standard check value and the iSCSI vectors, every length 0..5000 at every
 * alignment 0..7, lengths that reach each block of the three-stream crc32
 * path and its edges, split updates, and the zero-operator tables of that
 * path against their definition. svcq__crc32c_update is the crc32
 * instruction when the processor has it, so that is the path checked here;
 * svcq__crc32c_sw (the tables) is checked beside it. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/crc32c.h"

#define POLY 0x82F63B78u

/* One bit of the reflected CRC register, straight from the definition. */
static uint32_t bit_step(uint32_t c)
{
    return (c >> 1) ^ (POLY & (0u - (c & 1)));
}

/* The register after the bytes, bit by bit (no inversions). */
static uint32_t reg_feed(uint32_t c, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = bit_step(c);
    }
    return c;
}

static uint32_t crc_slow(const unsigned char *p, size_t n)
{
    return ~reg_feed(0xFFFFFFFFu, p, n);
}

/* Random bytes (xorshift64), the same every run. */
static void fill(unsigned char *p, size_t n, uint64_t x)
{
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (unsigned char)(x >> 24);
    }
}

static void check_one(const unsigned char *p, size_t n, uint32_t want)
{
    uint32_t got = svcq__crc32c_update(0, p, n);
    if (got != want)
        fail_msg("crc32c of %zu bytes at alignment %u: 0x%08x, expected 0x%08x", n, (unsigned)((uintptr_t)p & 7),
                 got, want);
    assert_int_equal(svcq__crc32c(p, n), want);
}

static void vectors(void **state)
{
    (void)state;
    print_message("CRC-32C: %s\n", svcq__crc32c_hw() ? "the processor's crc32 instruction, three streams"
                                                    : "the tables (no crc32 instruction here)");
    const char *check = "123456789";
    assert_int_equal(svcq__crc32c(check, 9), 0xE3069283u);
    assert_int_equal(svcq__crc32c_update(0, check, 9), 0xE3069283u);
    assert_int_equal(svcq__crc32c_sw(0, check, 9), 0xE3069283u);
    assert_int_equal(crc_slow((const unsigned char *)check, 9), 0xE3069283u);
    /* iSCSI, RFC 3720 appendix B.4. */
    unsigned char buf[32];
    memset(buf, 0, sizeof(buf));
    assert_int_equal(svcq__crc32c_update(0, buf, 32), 0x8A9136AAu);
    assert_int_equal(svcq__crc32c_sw(0, buf, 32), 0x8A9136AAu);
    assert_int_equal(crc_slow(buf, 32), 0x8A9136AAu);
    memset(buf, 0xFF, sizeof(buf));
    assert_int_equal(svcq__crc32c_update(0, buf, 32), 0x62A8AB43u);
    assert_int_equal(svcq__crc32c_sw(0, buf, 32), 0x62A8AB43u);
    assert_int_equal(crc_slow(buf, 32), 0x62A8AB43u);
    for (int i = 0; i < 32; i++)
        buf[i] = (unsigned char)i;
    assert_int_equal(svcq__crc32c_update(0, buf, 32), 0x46DD794Eu);
    assert_int_equal(svcq__crc32c_sw(0, buf, 32), 0x46DD794Eu);
    assert_int_equal(crc_slow(buf, 32), 0x46DD794Eu);
}

/* Every length 0..5000 at every alignment 0..7: the reference register is
 * carried byte by byte along the buffer, so each length costs one byte of
 * the slow CRC. Up to 5000 bytes the 256- and 64-byte blocks are used. */
static void every_length(void **state)
{
    (void)state;
    enum { MAXLEN = 5000 };
    unsigned char *data = malloc(MAXLEN + 8);
    assert_non_null(data);
    fill(data, MAXLEN + 8, 88172645463325252ull);
    for (size_t off = 0; off < 8; off++) {
        uint32_t reg = 0xFFFFFFFFu;
        for (size_t n = 0; n <= MAXLEN; n++) {
            check_one(data + off, n, ~reg);
            if (n < MAXLEN)
                reg = reg_feed(reg, data + off + n, 1);
        }
    }
    /* The tables agree too (a coarser sweep: they have their own test). */
    for (size_t off = 0; off < 8; off++)
        for (size_t n = 0; n <= MAXLEN; n += 61)
            assert_int_equal(svcq__crc32c_sw(0, data + off, n), crc_slow(data + off, n));
    free(data);
}

/* Lengths that reach the 8 KiB blocks (3 x 8 KiB and more), each block's
 * edges (3 x len - 1, 3 x len, 3 x len + 1, ...), at every alignment. */
static void long_lengths(void **state)
{
    (void)state;
    enum { MAXLEN = 4 * 3 * 8192 + 3 * 256 + 3 * 64 + 64 };
    unsigned char *data = malloc(MAXLEN + 8);
    assert_non_null(data);
    fill(data, MAXLEN + 8, 0x9E3779B97F4A7C15ull);
    size_t lens[64];
    size_t k = 0;
    for (size_t b = 0; b < SVCQ__CRC32C_BLOCKS; b++) {
        size_t round = 3 * svcq__crc32c_block[b];
        lens[k++] = round - 1;
        lens[k++] = round;
        lens[k++] = round + 1;
        lens[k++] = round + 7;
        lens[k++] = 2 * round - 1;
        lens[k++] = 2 * round + 3;
    }
    lens[k++] = 3 * 8192 + 3 * 256 + 3 * 64 + 191; /* every block once, then the longest rest */
    lens[k++] = 65536;
    lens[k++] = MAXLEN;
    assert_true(k <= sizeof(lens) / sizeof(lens[0]));
    for (size_t i = 0; i < k; i++) {
        assert_true(lens[i] <= MAXLEN);
        for (size_t off = 0; off < 8; off++) {
            uint32_t want = crc_slow(data + off, lens[i]);
            check_one(data + off, lens[i], want);
            assert_int_equal(svcq__crc32c_sw(0, data + off, lens[i]), want);
        }
    }
    free(data);
}

/* crc(a) continued over b equals crc(a b), for every split of buffers that
 * use each block, whatever the alignment of b the split makes. */
static void split_updates(void **state)
{
    (void)state;
    enum { MAXLEN = 3 * 8192 + 3 * 256 + 100 };
    unsigned char *data = malloc(MAXLEN);
    assert_non_null(data);
    fill(data, MAXLEN, 0x0123456789ABCDEFull);
    const size_t totals[] = { 200, 1000, 3 * 256 + 3 * 64 + 5, 3000, 5000 };
    for (size_t t = 0; t < sizeof(totals) / sizeof(totals[0]); t++) {
        size_t n = totals[t];
        uint32_t want = crc_slow(data, n);
        for (size_t split = 0; split <= n; split++) {
            uint32_t c = svcq__crc32c_update(svcq__crc32c_update(0, data, split), data + split, n - split);
            if (c != want)
                fail_msg("crc32c of %zu bytes split at %zu: 0x%08x, expected 0x%08x", n, split, c, want);
        }
        for (size_t split = 0; split <= n; split += 13)
            assert_int_equal(svcq__crc32c_sw(svcq__crc32c_sw(0, data, split), data + split, n - split), want);
    }
    /* Splits of a buffer long enough for the 8 KiB blocks on either side. */
    uint32_t want = crc_slow(data, MAXLEN);
    for (size_t split = 0; split <= MAXLEN; split += 509) {
        uint32_t c = svcq__crc32c_update(svcq__crc32c_update(0, data, split), data + split, MAXLEN - split);
        assert_int_equal(c, want);
    }
    /* And in many pieces of uneven sizes. */
    uint32_t c = 0;
    size_t at = 0, step = 1;
    while (at < MAXLEN) {
        size_t piece = step < MAXLEN - at ? step : MAXLEN - at;
        c = svcq__crc32c_update(c, data + at, piece);
        at += piece;
        step = step * 3 + 1;
        if (step > 30000)
            step = 5;
    }
    assert_int_equal(c, want);
    free(data);
}

/* The zero operators against their definition: the register holding
 * b << 8k, carried bit by bit through len zero bytes. */
static void shift_tables(void **state)
{
    (void)state;
    for (size_t b = 0; b < SVCQ__CRC32C_BLOCKS; b++) {
        size_t len = svcq__crc32c_block[b];
        assert_true(len % 8 == 0);
        if (b > 0)
            assert_true(len < svcq__crc32c_block[b - 1]);
        for (int k = 0; k < 4; k++)
            for (uint32_t v = 0; v < 256; v++) {
                uint32_t c = v << (8 * k);
                for (size_t i = 0; i < 8 * len; i++)
                    c = bit_step(c);
                if (svcq__crc32c_shift[b][k][v] != c)
                    fail_msg("shift table %zu (%zu bytes) [%d][%u]: 0x%08x, expected 0x%08x", b, len, k,
                             (unsigned)v, svcq__crc32c_shift[b][k][v], c);
            }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vectors),
        cmocka_unit_test(every_length),
        cmocka_unit_test(long_lengths),
        cmocka_unit_test(split_updates),
        cmocka_unit_test(shift_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
