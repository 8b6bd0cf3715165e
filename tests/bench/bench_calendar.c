/* Business-calendar benchmark, the workload of issue 4: Mon-Fri 09:00-18:00
 * in Asia/Shanghai with 15 holidays; 1,000,000 start instants uniform over
 * 2025-2026; durations uniform in whole minutes from 1 minute to 40 business
 * hours; diff ends 1 minute to 10 calendar days after the start; fixed seed.
 * Prints one JSON line per operation with the best of several passes (the
 * first pass, which fills the calendar's cache, is reported separately). */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "svcq.h"

#ifndef SVCQ_TEST_DATA
#error "SVCQ_TEST_DATA must name the tests/data directory"
#endif
#ifndef SVCQ_BUILDTYPE
#define SVCQ_BUILDTYPE "unknown"
#endif

#define N 1000000
#define PASSES 7

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int die(const char *what, svcq_ctx *ctx)
{
    fprintf(stderr, "calendar bench: %s: %s\n", what, svcq_ctx_errmsg(ctx));
    return 1;
}

int main(void)
{
    svcq_ctx *ctx;
    if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
        return 1;
    svcq_tz *tz;
    if (svcq_tz_load(&tz, ctx, "Asia/Shanghai", SVCQ_TEST_DATA "/zoneinfo") != SVCQ_OK)
        return die("zone", ctx);
    svcq_calendar *cal;
    if (svcq_calendar_new(&cal, ctx, tz, NULL) != SVCQ_OK)
        return die("calendar", ctx);
    svcq_tz_free(tz);
    const int32_t hours[2] = { 9 * 3600, 18 * 3600 };
    for (int d = SVCQ_MONDAY; d <= SVCQ_FRIDAY; d++)
        if (svcq_calendar_set_weekday(cal, d, hours, 1) != SVCQ_OK)
            return die("hours", ctx);
    static const int holidays[15][3] = {
        { 2025, 1, 1 },  { 2025, 1, 28 }, { 2025, 1, 29 }, { 2025, 1, 30 }, { 2025, 1, 31 },
        { 2025, 4, 4 },  { 2025, 5, 1 },  { 2025, 5, 2 },  { 2025, 10, 1 }, { 2025, 10, 2 },
        { 2025, 10, 3 }, { 2026, 1, 1 },  { 2026, 2, 17 }, { 2026, 5, 1 },  { 2026, 10, 1 },
    };
    for (int i = 0; i < 15; i++)
        if (svcq_calendar_set_closed(cal, holidays[i][0], holidays[i][1], holidays[i][2]) != SVCQ_OK)
            return die("holiday", ctx);

    /* 2025-01-01T00:00 to 2027-01-01T00:00 Beijing time. */
    const int64_t t0 = 1735660800, t1 = 1798732800;
    svcq_time *start = malloc(N * sizeof(*start));
    int64_t *dur = malloc(N * sizeof(*dur));
    svcq_time *end = malloc(N * sizeof(*end));
    svcq_time *out = malloc(N * sizeof(*out));
    int64_t *diff = malloc(N * sizeof(*diff));
    if (!start || !dur || !end || !out || !diff)
        return 1;
    uint64_t seed = 20250101;
    for (int i = 0; i < N; i++) {
        start[i] = t0 + (int64_t)(rng_next(&seed) % (uint64_t)(t1 - t0));
        dur[i] = 60 * (1 + (int64_t)(rng_next(&seed) % (40 * 60)));
        end[i] = start[i] + 60 + (int64_t)(rng_next(&seed) % (10 * 86400 - 60 + 1));
    }

    double first_add = 0, best_add = 1e30, first_diff = 0, best_diff = 1e30;
    uint64_t check = 0;
    for (int p = 0; p < PASSES; p++) {
        double a = now();
        for (int i = 0; i < N; i++)
            if (svcq_calendar_add(&out[i], cal, start[i], dur[i]) != SVCQ_OK)
                return die("add", ctx);
        double b = now();
        for (int i = 0; i < N; i++)
            if (svcq_calendar_diff(&diff[i], cal, start[i], end[i]) != SVCQ_OK)
                return die("diff", ctx);
        double c = now();
        if (p == 0) {
            first_add = b - a;
            first_diff = c - b;
        }
        if (b - a < best_add)
            best_add = b - a;
        if (c - b < best_diff)
            best_diff = c - b;
        for (int i = 0; i < N; i += 997)
            check += (uint64_t)out[i] ^ (uint64_t)diff[i];
    }
    printf("{\"bench\": \"calendar_add\", \"buildtype\": \"%s\", \"ops\": %d, \"passes\": %d, "
           "\"first_pass_s\": %.6f, \"best_pass_s\": %.6f, \"ns_per_op\": %.2f, \"ops_per_s\": %.0f}\n",
           SVCQ_BUILDTYPE, N, PASSES, first_add, best_add, best_add * 1e9 / N, N / best_add);
    printf("{\"bench\": \"calendar_diff\", \"buildtype\": \"%s\", \"ops\": %d, \"passes\": %d, "
           "\"first_pass_s\": %.6f, \"best_pass_s\": %.6f, \"ns_per_op\": %.2f, \"ops_per_s\": %.0f}\n",
           SVCQ_BUILDTYPE, N, PASSES, first_diff, best_diff, best_diff * 1e9 / N, N / best_diff);
    /* Business days: short (1 to 5) and long (up to 3660, ten years)
     * counts, with the cost per call and its ratio to one add. */
    int32_t *nd = malloc(N * sizeof(*nd));
    if (!nd)
        return 1;
    for (int i = 0; i < N; i++)
        nd[i] = 1 + (int32_t)(rng_next(&seed) % 5);
    for (int round = 0; round < 2; round++) {
        if (round == 1)
            for (int i = 0; i < N; i++)
                nd[i] = 1 + (int32_t)(rng_next(&seed) % 3660);
        double best = 1e30;
        for (int p = 0; p < PASSES; p++) {
            double a = now();
            for (int i = 0; i < N; i++)
                if (svcq_calendar_add_days(&out[i], cal, start[i], nd[i]) != SVCQ_OK)
                    return die("add_days", ctx);
            double b = now();
            if (b - a < best)
                best = b - a;
            for (int i = 0; i < N; i += 997)
                check += (uint64_t)out[i];
        }
        printf("{\"bench\": \"calendar_add_days_%s\", \"buildtype\": \"%s\", \"ops\": %d, "
               "\"passes\": %d, \"best_pass_s\": %.6f, \"ns_per_op\": %.2f, "
               "\"ratio_to_add\": %.1f}\n",
               round ? "upto3660" : "upto5", SVCQ_BUILDTYPE, N, PASSES, best, best * 1e9 / N,
               best / best_add);
    }
    free(nd);
    printf("{\"bench\": \"calendar_checksum\", \"value\": %llu}\n", (unsigned long long)check);
    free(start);
    free(dur);
    free(end);
    free(out);
    free(diff);
    svcq_calendar_free(cal);
    svcq_ctx_free(ctx);
    return 0;
}
