/* Scorecard at scale: 10,000 units × 12 months of the built-in 94-point
 * template on the memory store. Each month: a period, every unit added and
 * its nine values set in one write (each month one host batch), the period
 * evaluated (no orders: the veto scan finds none) and closed; then the
 * annual composite of the twelve months with satisfaction per unit is
 * computed and ranked. Prints JSON lines: cards written per second, the
 * close per month, the composite and ranking time, and the total. Values are pseudo-random but fixed (a seeded
 * LCG), so runs compare. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "svcq.h"

#define UNITS 10000
#define MONTHS 12
#define JAN1 ((svcq_time)1767225600)
#define DAY 86400

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint32_t lcg = 12345;
static int64_t rnd(int64_t lo, int64_t hi)
{
    lcg = lcg * 1103515245u + 12345u;
    return lo + (int64_t)((lcg >> 8) % (uint32_t)(hi - lo + 1));
}

static int check(int rc, svcq_ctx *ctx, const char *what)
{
    if (rc) {
        fprintf(stderr, "%s: %s: %s\n", what, svcq_strerror(rc), svcq_ctx_errmsg(ctx));
        exit(1);
    }
    return rc;
}

int main(void)
{
    svcq_ctx *ctx;
    check(svcq_ctx_new(&ctx, NULL), NULL, "ctx");
    svcq_scorecard_template *t;
    check(svcq_scorecard_template_builtin(&t, ctx, SVCQ_SCORECARD_BUILTIN_TELECOM), ctx, "template");
    static const char *const items[9] = { "hotline_quality", "key_accounts", "halls_and_agents",
                                          "complaint_timeliness", "mobile_complaint_rate", "hotline_test_calls",
                                          "coordination_meeting", "public_supervisors", "gm_hotline_escalations" };
    svcq_scorecard_period *months[MONTHS];
    char unit[32];
    double t_fill = 0, t_close = 0;
    for (int m = 0; m < MONTHS; m++) {
        char label[16];
        snprintf(label, sizeof(label), "2026-%02d", m + 1);
        svcq_time start = JAN1 + (svcq_time)m * 31 * DAY; /* 31-day periods: only the bounds matter here */
        check(svcq_scorecard_period_new(&months[m], t, label, start, start + 31 * DAY), ctx, "period");
        double a = now();
        check(svcq_ctx_batch_begin(ctx), ctx, "batch");
        for (int u = 0; u < UNITS; u++) {
            snprintf(unit, sizeof(unit), "unit-%05d", u);
            int64_t v[9] = { rnd(20000, 35000), rnd(5000, 10000), rnd(5000, 10000), rnd(88000, 100000),
                             rnd(500, 3500),    rnd(2000, 4000),  rnd(5000, 10000), rnd(1000, 3000),
                             rnd(0, 6000) };
            check(svcq_scorecard_period_add_unit(months[m], unit), ctx, "unit");
            check(svcq_scorecard_set_values(months[m], unit, items, v, 9), ctx, "values");
        }
        check(svcq_ctx_batch_commit(ctx), ctx, "commit");
        double b = now();
        check(svcq_scorecard_period_close(months[m], start + 33 * DAY), ctx, "close");
        double c = now();
        t_fill += b - a;
        t_close += c - b;
    }
    double a = now();
    svcq_scorecard_ranking *r;
    check(svcq_scorecard_ranking_new(&r, t, "2026", SVCQ_SCORECARD_BASIS_COMPOSITE), ctx, "ranking");
    for (int m = 0; m < MONTHS; m++)
        check(svcq_scorecard_ranking_add_period(r, months[m]), ctx, "add period");
    for (int u = 0; u < UNITS; u++) {
        snprintf(unit, sizeof(unit), "unit-%05d", u);
        check(svcq_scorecard_ranking_set_csat(r, unit, rnd(2500, 5000)), ctx, "csat");
    }
    check(svcq_scorecard_ranking_compute(r), ctx, "compute");
    double b = now();
    svcq_scorecard_rank_entry e = SVCQ_SCORECARD_RANK_ENTRY_INIT;
    check(svcq_scorecard_ranking_entry(&e, r, 0), ctx, "entry");
    const double cards = (double)UNITS * MONTHS;
    printf("{\"bench\":\"scorecard_fill\",\"units\":%d,\"months\":%d,\"seconds\":%.3f,\"cards_per_s\":%.0f}\n", UNITS,
           MONTHS, t_fill, cards / t_fill);
    printf("{\"bench\":\"scorecard_close\",\"cards_per_month\":%d,\"seconds_per_month\":%.3f}\n", UNITS,
           t_close / MONTHS);
    printf("{\"bench\":\"scorecard_composite_rank\",\"units\":%d,\"months\":%d,\"seconds\":%.3f,\"leader\":\"%s\","
           "\"leader_score\":%lld}\n",
           UNITS, MONTHS, b - a, e.unit, (long long)e.score);
    printf("{\"bench\":\"scorecard_total\",\"cards\":%.0f,\"seconds\":%.3f}\n", cards, t_fill + t_close + (b - a));
    svcq_scorecard_ranking_free(r);
    for (int m = 0; m < MONTHS; m++)
        svcq_scorecard_period_free(months[m]);
    svcq_scorecard_template_free(t);
    svcq_ctx_free(ctx);
    return 0;
}
