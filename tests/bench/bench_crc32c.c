/* CRC-32C throughput on buffers of the file store's sizes: 300 bytes, 1 and
 * 3 KiB (records), 64 KiB (a commit's buffer) and lengths spread over 1-3
 * KiB. Beside svcq__crc32c_update (the crc32 instruction in three streams
 * when the processor has it) it measures its peers in the same run, rounds
 * alternating so all see the same load: the same instruction in one chain
 * (the code before the three streams, copied here) and the tables
 * (svcq__crc32c_sw). Each call continues the previous CRC, so calls do not
 * overlap and a figure is the latency of one CRC over that buffer. Prints
 * one JSON line per size:
 *   {"bench":"crc32c","bytes":...,"hw":true,"rounds":...,
 *    "three_streams_gb_per_s":...,"one_chain_gb_per_s":...,"tables_gb_per_s":...,
 *    "three_streams_ns_per_call":...,"vs_one_chain":...,"vs_tables":...}
 * GB is 10^9 bytes; the medians of the rounds. Figures are indicative. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/crc32c.h"

enum { ROUNDS = 9, ROUND_BYTES = 32 << 20, BUF = 70000 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef uint32_t crc_fn(uint32_t crc, const void *data, size_t n);

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* The crc32 path as it was: one dependency chain. */
__attribute__((target("sse4.2"))) static uint32_t one_chain(uint32_t crc, const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t c = ~crc;
    while (n && ((uintptr_t)p & 7)) {
        c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
        n--;
    }
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c = __builtin_ia32_crc32di(c, w);
        p += 8;
        n -= 8;
    }
    while (n--)
        c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
    return ~(uint32_t)c;
}
#else
#define one_chain svcq__crc32c_sw /* never measured: no crc32 instruction */
#endif

static unsigned char buf[BUF];
static volatile uint32_t sink; /* keeps the CRCs computed */

/* Bytes per second of one round: calls over n bytes (or, n == 0, lengths
 * spread over 1000..3000) until ROUND_BYTES, each continuing the last. */
static double round_rate(crc_fn *f, size_t n)
{
    size_t calls = ROUND_BYTES / (n ? n : 2000), bytes = 0;
    uint32_t c = sink;
    double t0 = now();
    for (size_t i = 0; i < calls; i++) {
        size_t len = n ? n : 1000 + (i * 7919) % 2001;
        c = f(c, buf, len);
        bytes += len;
    }
    double t = now() - t0;
    sink ^= c;
    return (double)bytes / t;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v)
{
    qsort(v, ROUNDS, sizeof(double), cmp_double);
    return v[ROUNDS / 2];
}

int main(void)
{
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < BUF; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (unsigned char)(x >> 24);
    }
    bool hw = svcq__crc32c_hw();
    const size_t sizes[] = { 300, 1024, 3072, 65536, 0 };
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        size_t n = sizes[s];
        if (hw && one_chain(0, buf, n) != svcq__crc32c_update(0, buf, n)) {
            fprintf(stderr, "bench_crc32c: the two crc32 paths disagree on %zu bytes\n", n);
            return 1;
        }
        double three[ROUNDS], one[ROUNDS], tables[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            three[r] = round_rate(svcq__crc32c_update, n);
            one[r] = hw ? round_rate(one_chain, n) : 0;
            tables[r] = round_rate(svcq__crc32c_sw, n);
        }
        double m3 = median(three), m1 = median(one), mt = median(tables);
        char bytes[32];
        if (n)
            snprintf(bytes, sizeof(bytes), "%zu", n);
        else
            snprintf(bytes, sizeof(bytes), "\"1000-3000\"");
        printf("{\"bench\":\"crc32c\",\"bytes\":%s,\"hw\":%s,\"rounds\":%d,\"three_streams_gb_per_s\":%.2f,"
               "\"one_chain_gb_per_s\":%.2f,\"tables_gb_per_s\":%.2f,\"three_streams_ns_per_call\":%.1f,"
               "\"vs_one_chain\":%.2f,\"vs_tables\":%.2f}\n",
               bytes, hw ? "true" : "false", ROUNDS, m3 / 1e9, m1 / 1e9, mt / 1e9, (n ? (double)n : 2000.0) / m3 * 1e9,
               m1 > 0 ? m3 / m1 : 0.0, m3 / mt);
    }
    return 0;
}
