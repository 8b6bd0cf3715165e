/* SHA-256 as FIPS 180-4 specifies it. Two compression functions: a
 * portable one (all rounds unrolled, the message schedule kept in a
 * 16-word ring and computed on the fly), and on x86-64 the SHA extensions
 * (SHA-NI), used when the CPU has them. The choice is made once, on the
 * first digest, from CPUID; SVCQ_SHA256_PORTABLE=1 in the environment at
 * that moment keeps the portable one (and tests switch with
 * svcq__sha256_select). Both give the same digests: tests/unit/core_sha256.c
 * compares them on thousands of messages. */
#include "core/sha256.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* SVCQ__HAVE_SHA_NI comes from src/core/meson.build when the compiler
 * builds the intrinsics below (x86-64 GCC or Clang). */
#if defined(SVCQ__HAVE_SHA_NI) && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#else
#define SHA_NI 0
#endif

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* ---- portable ---------------------------------------------------------- */

/* Constant-count rotates in this form compile to one rotate instruction.
 * The big sigmas are nested (two fewer register copies on x86 than three
 * rotates of the same value); Maj reuses b ^ c, which is the a ^ b of the
 * round before. */
#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define BSIG0(x) ROR(ROR(ROR(x, 9) ^ (x), 11) ^ (x), 2)
#define BSIG1(x) ROR(ROR(ROR(x, 14) ^ (x), 5) ^ (x), 6)
#define SSIG0(x) (ROR(x, 7) ^ ROR(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ROR(x, 17) ^ ROR(x, 19) ^ ((x) >> 10))
#define CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))

/* Word i (mod 16) of the schedule, advanced by 16 positions in place. */
#define SCHED(i) \
    (w[(i) & 15] += SSIG1(w[((i) + 14) & 15]) + w[((i) + 9) & 15] + SSIG0(w[((i) + 1) & 15]))

/* One round; the working variables rotate by renaming, not by moves.
 * bc holds b ^ c on entry and a ^ b on exit. */
#define ROUND(a, b, c, d, e, f, g, h, ki, wi)                  \
    do {                                                       \
        uint32_t t1_ = h + BSIG1(e) + CH(e, f, g) + (ki) + (wi); \
        uint32_t ab_ = (a) ^ (b);                              \
        d += t1_;                                              \
        h = t1_ + BSIG0(a) + ((b) ^ (ab_ & bc));               \
        bc = ab_;                                              \
    } while (0)

#define ROUNDS16(j, W)                                     \
    do {                                                   \
        ROUND(a, b, c, d, e, f, g, h, K[(j) + 0], W(0));   \
        ROUND(h, a, b, c, d, e, f, g, K[(j) + 1], W(1));   \
        ROUND(g, h, a, b, c, d, e, f, K[(j) + 2], W(2));   \
        ROUND(f, g, h, a, b, c, d, e, K[(j) + 3], W(3));   \
        ROUND(e, f, g, h, a, b, c, d, K[(j) + 4], W(4));   \
        ROUND(d, e, f, g, h, a, b, c, K[(j) + 5], W(5));   \
        ROUND(c, d, e, f, g, h, a, b, K[(j) + 6], W(6));   \
        ROUND(b, c, d, e, f, g, h, a, K[(j) + 7], W(7));   \
        ROUND(a, b, c, d, e, f, g, h, K[(j) + 8], W(8));   \
        ROUND(h, a, b, c, d, e, f, g, K[(j) + 9], W(9));   \
        ROUND(g, h, a, b, c, d, e, f, K[(j) + 10], W(10)); \
        ROUND(f, g, h, a, b, c, d, e, K[(j) + 11], W(11)); \
        ROUND(e, f, g, h, a, b, c, d, K[(j) + 12], W(12)); \
        ROUND(d, e, f, g, h, a, b, c, K[(j) + 13], W(13)); \
        ROUND(c, d, e, f, g, h, a, b, K[(j) + 14], W(14)); \
        ROUND(b, c, d, e, f, g, h, a, K[(j) + 15], W(15)); \
    } while (0)

#define LOADW(i) w[i]

static void compress_portable(uint32_t st[8], const uint8_t *p, size_t blocks)
{
    for (; blocks; blocks--, p += 64) {
        uint32_t w[16];
        for (int i = 0; i < 16; i++)
            w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
                   (uint32_t)p[4 * i + 3];
        uint32_t a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6], h = st[7];
        uint32_t bc = b ^ c;
        ROUNDS16(0, LOADW);
        for (int j = 16; j < 64; j += 16)
            ROUNDS16(j, SCHED);
        st[0] += a;
        st[1] += b;
        st[2] += c;
        st[3] += d;
        st[4] += e;
        st[5] += f;
        st[6] += g;
        st[7] += h;
    }
}

/* ---- SHA-NI -------------------------------------------------------------- */

#if SHA_NI
/* Four rounds: the message words m plus their constants, two rounds per
 * sha256rnds2 (the second pair from the high half). */
#define NI_ROUNDS4(m, i)                                                \
    do {                                                                \
        __m128i k_ = _mm_add_epi32(m, _mm_loadu_si128((const __m128i *)&K[i])); \
        s1 = _mm_sha256rnds2_epu32(s1, s0, k_);                         \
        s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(k_, 0x0E)); \
    } while (0)
/* next (already through msg1) becomes the following four schedule words:
 * it gets w[t-7] (the last word of prev, the first three of cur) and the
 * sigma1 of cur. */
#define NI_NEXT(next, prev, cur) \
    next = _mm_sha256msg2_epu32(_mm_add_epi32(next, _mm_alignr_epi8(cur, prev, 4)), cur)

__attribute__((target("sha,sse4.1"))) static void compress_shani(uint32_t st[8], const uint8_t *p, size_t blocks)
{
    const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    /* The state as the instructions want it: ABEF and CDGH. */
    __m128i t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&st[0]), 0xB1); /* CDAB */
    __m128i s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&st[4]), 0x1B); /* EFGH */
    __m128i s0 = _mm_alignr_epi8(t, s1, 8);                                      /* ABEF */
    s1 = _mm_blend_epi16(s1, t, 0xF0);                                          /* CDGH */
    for (; blocks; blocks--, p += 64) {
        __m128i save0 = s0, save1 = s1;
        __m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), swap);
        __m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), swap);
        __m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), swap);
        __m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), swap);
        NI_ROUNDS4(m0, 0);
        NI_ROUNDS4(m1, 4);
        m0 = _mm_sha256msg1_epu32(m0, m1);
        NI_ROUNDS4(m2, 8);
        m1 = _mm_sha256msg1_epu32(m1, m2);
        NI_ROUNDS4(m3, 12);
        NI_NEXT(m0, m2, m3);
        m2 = _mm_sha256msg1_epu32(m2, m3);
        for (int i = 16; i < 48; i += 16) {
            NI_ROUNDS4(m0, i);
            NI_NEXT(m1, m3, m0);
            m3 = _mm_sha256msg1_epu32(m3, m0);
            NI_ROUNDS4(m1, i + 4);
            NI_NEXT(m2, m0, m1);
            m0 = _mm_sha256msg1_epu32(m0, m1);
            NI_ROUNDS4(m2, i + 8);
            NI_NEXT(m3, m1, m2);
            m1 = _mm_sha256msg1_epu32(m1, m2);
            NI_ROUNDS4(m3, i + 12);
            NI_NEXT(m0, m2, m3);
            m2 = _mm_sha256msg1_epu32(m2, m3);
        }
        NI_ROUNDS4(m0, 48);
        NI_NEXT(m1, m3, m0);
        m3 = _mm_sha256msg1_epu32(m3, m0);
        NI_ROUNDS4(m1, 52);
        NI_NEXT(m2, m0, m1);
        NI_ROUNDS4(m2, 56);
        NI_NEXT(m3, m1, m2);
        NI_ROUNDS4(m3, 60);
        s0 = _mm_add_epi32(s0, save0);
        s1 = _mm_add_epi32(s1, save1);
    }
    t = _mm_shuffle_epi32(s0, 0x1B);                                  /* FEBA */
    s1 = _mm_shuffle_epi32(s1, 0xB1);                                 /* DCHG */
    _mm_storeu_si128((__m128i *)&st[0], _mm_blend_epi16(t, s1, 0xF0)); /* DCBA */
    _mm_storeu_si128((__m128i *)&st[4], _mm_alignr_epi8(s1, t, 8));    /* HGFE */
}

static int cpu_has_sha_ni(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    int sse = (c & bit_SSSE3) && (c & bit_SSE4_1);
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    return sse && (b & bit_SHA);
}
#endif

/* ---- the choice ---------------------------------------------------------- */

typedef void (*compress_fn)(uint32_t st[8], const uint8_t *p, size_t blocks);

/* 0 until the first digest; then an SVCQ__SHA256_* value. Every context and
 * thread shares it; they all compute the same value, so a race only
 * repeats the CPUID. */
static atomic_int chosen;

static int detect(void)
{
#if SHA_NI
    const char *env = getenv("SVCQ_SHA256_PORTABLE");
    if (!(env && env[0] == '1') && cpu_has_sha_ni())
        return SVCQ__SHA256_SHA_NI;
#endif
    return SVCQ__SHA256_PORTABLE;
}

static compress_fn compressor(void)
{
    int c = atomic_load_explicit(&chosen, memory_order_relaxed);
    if (!c) {
        c = detect();
        atomic_store_explicit(&chosen, c, memory_order_relaxed);
    }
#if SHA_NI
    if (c == SVCQ__SHA256_SHA_NI)
        return compress_shani;
#endif
    return compress_portable;
}

int svcq__sha256_select(int impl)
{
    switch (impl) {
    case SVCQ__SHA256_AUTO:
        atomic_store_explicit(&chosen, detect(), memory_order_relaxed);
        return 0;
    case SVCQ__SHA256_PORTABLE:
        atomic_store_explicit(&chosen, impl, memory_order_relaxed);
        return 0;
    case SVCQ__SHA256_SHA_NI:
#if SHA_NI
        if (cpu_has_sha_ni()) {
            atomic_store_explicit(&chosen, impl, memory_order_relaxed);
            return 0;
        }
#endif
        return -1;
    default:
        return -1;
    }
}

int svcq__sha256_impl(void)
{
    (void)compressor();
    return atomic_load_explicit(&chosen, memory_order_relaxed);
}

/* ---- the hash ------------------------------------------------------------ */

void svcq__sha256_init(svcq__sha256_ctx *s)
{
    static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    memcpy(s->h, iv, sizeof(iv));
    s->bytes = 0;
    s->used = 0;
}

void svcq__sha256_update(svcq__sha256_ctx *s, const void *data, size_t n)
{
    const uint8_t *p = data;
    compress_fn compress = compressor();
    s->bytes += n;
    if (s->used) {
        size_t take = 64 - s->used < n ? 64 - s->used : n;
        memcpy(s->block + s->used, p, take);
        s->used += take;
        p += take;
        n -= take;
        if (s->used < 64)
            return;
        compress(s->h, s->block, 1);
        s->used = 0;
    }
    if (n >= 64) {
        compress(s->h, p, n / 64);
        p += n & ~(size_t)63;
        n &= 63;
    }
    if (n)
        memcpy(s->block, p, n);
    s->used = n;
}

void svcq__sha256_final(svcq__sha256_ctx *s, uint8_t out[SVCQ__SHA256_SIZE])
{
    compress_fn compress = compressor();
    uint64_t bits = s->bytes * 8;
    s->block[s->used++] = 0x80;
    if (s->used > 56) {
        memset(s->block + s->used, 0, 64 - s->used);
        compress(s->h, s->block, 1);
        s->used = 0;
    }
    memset(s->block + s->used, 0, 56 - s->used);
    for (int i = 0; i < 8; i++)
        s->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    compress(s->h, s->block, 1);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(s->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)s->h[i];
    }
    memset(s, 0, sizeof(*s));
}

void svcq__sha256(const void *data, size_t n, uint8_t out[SVCQ__SHA256_SIZE])
{
    svcq__sha256_ctx s;
    svcq__sha256_init(&s);
    svcq__sha256_update(&s, data, n);
    svcq__sha256_final(&s, out);
}

void svcq__sha256_hex(const uint8_t digest[SVCQ__SHA256_SIZE], char out[SVCQ__SHA256_HEX + 1])
{
    /* Two characters a byte from one table (every audit entry writes two
     * digests): "000102...ff". */
    static const char pairs[513] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
                                   "303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
                                   "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f"
                                   "909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
                                   "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
                                   "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
    for (int i = 0; i < SVCQ__SHA256_SIZE; i++)
        memcpy(out + 2 * i, pairs + 2 * digest[i], 2);
    out[SVCQ__SHA256_HEX] = '\0';
}
