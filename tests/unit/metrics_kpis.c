/* KPIs on hand-computed fixtures: one week of four facts in Asia/Shanghai
 * with business time on a Monday-to-Friday 09:00-18:00 calendar (every
 * number below is worked out in the comments), unrated tickets, an empty
 * period, an update, throughput attribution, the DST weeks of
 * Europe/Berlin, ISO week 53, and the refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "metrics_fixture.h"

typedef struct fx {
    svcq_ctx *ctx;
    svcq_tz *tz;
    svcq_calendar *cal;
    svcq_metrics *m;
} fx;

static const char *const SLA_T[1] = { "first_response" };
static const int32_t SLA_BREACHED[1] = { SVCQ_METRICS_SLA_BREACHED };
static const int32_t SLA_MET[1] = { SVCQ_METRICS_SLA_MET };

/* Week 2026-W02: Monday 5 January 2026 to Sunday 11 January, +08:00. */
static void put_week(fx *x)
{
    svcq_tz *tz = x->tz;
    /* f1: Mon 09:00, reply 09:10 (600 s, 600 business), resolved 10:00,
     * one agent reply, CSAT 5, client A. */
    svcq_metrics_fact f = mx_fact("f1", mx_local(tz, 2026, 1, 5, 9, 0));
    f.first_reply = mx_local(tz, 2026, 1, 5, 9, 10);
    f.resolved = mx_local(tz, 2026, 1, 5, 10, 0);
    f.agent_replies = 1;
    f.contacts = 1;
    f.csat = 5;
    f.client = "A";
    f.tier = "tier.1";
    f.channel = "phone";
    f.category = "billing";
    assert_int_equal(svcq_metrics_fact_put(x->m, &f), SVCQ_OK);
    /* f2: Mon 17:50, reply Tue 09:20: 15 h 30 min = 55800 s calendar,
     * 10 + 20 min = 1800 s business; resolved Tue 12:00, two agent
     * replies, one customer reply, CSAT 3, a complaint (billing), client
     * B, first response breached. */
    f = mx_fact("f2", mx_local(tz, 2026, 1, 5, 17, 50));
    f.first_reply = mx_local(tz, 2026, 1, 6, 9, 20);
    f.resolved = mx_local(tz, 2026, 1, 6, 12, 0);
    f.agent_replies = 2;
    f.customer_replies = 1;
    f.contacts = 2;
    f.csat = 3;
    f.complaint = 1;
    f.client = "B";
    f.tier = "tier.2";
    f.category = "billing";
    f.sla_targets = SLA_T;
    f.sla_outcomes = SLA_BREACHED;
    f.sla_count = 1;
    assert_int_equal(svcq_metrics_fact_put(x->m, &f), SVCQ_OK);
    /* f3: Wed 10:00, reply 10:40 (2400 s both), unresolved, unrated, a
     * complaint about the manual, client A, first response met. */
    f = mx_fact("f3", mx_local(tz, 2026, 1, 7, 10, 0));
    f.first_reply = mx_local(tz, 2026, 1, 7, 10, 40);
    f.complaint = 1;
    f.complaint_category = "manual";
    f.client = "A";
    f.tier = "tier.1";
    f.sla_targets = SLA_T;
    f.sla_outcomes = SLA_MET;
    f.sla_count = 1;
    assert_int_equal(svcq_metrics_fact_put(x->m, &f), SVCQ_OK);
    /* f4: Sat 10:00 (closed), reply 10:05: 300 s calendar, 0 business;
     * resolved 11:00, one agent reply, CSAT 4, a repeat, 2 measures due
     * and 1 on time, client C. */
    f = mx_fact("f4", mx_local(tz, 2026, 1, 10, 10, 0));
    f.first_reply = mx_local(tz, 2026, 1, 10, 10, 5);
    f.resolved = mx_local(tz, 2026, 1, 10, 11, 0);
    f.agent_replies = 1;
    f.csat = 4;
    f.repeat = 1;
    f.measures_due = 2;
    f.measures_on_time = 1;
    f.client = "C";
    assert_int_equal(svcq_metrics_fact_put(x->m, &f), SVCQ_OK);
}

static int setup(void **state)
{
    fx *x = calloc(1, sizeof(*x));
    assert_int_equal(svcq_ctx_new(&x->ctx, NULL), SVCQ_OK);
    x->tz = mx_zone(x->ctx, "Asia/Shanghai");
    x->cal = mx_office(x->ctx, x->tz);
    svcq_metrics_options o;
    assert_int_equal(svcq_metrics_options_init(&o, SVCQ_METRICS_OPTIONS_VERSION), SVCQ_OK);
    o.calendar = x->cal;
    assert_int_equal(svcq_metrics_new(&x->m, x->ctx, &o), SVCQ_OK);
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    fx *x = *state;
    svcq_metrics_free(x->m);
    svcq_calendar_free(x->cal);
    svcq_tz_free(x->tz);
    svcq_ctx_free(x->ctx);
    free(x);
    return 0;
}

static svcq_metrics_value kpi(fx *x, int32_t k, int32_t period, svcq_time at, int32_t dim, const char *v)
{
    svcq_metrics_value out = { .version = SVCQ_METRICS_VALUE_VERSION };
    int rc = svcq_metrics_kpi_get(&out, x->m, k, period, at, dim, v);
    if (rc)
        fail_msg("kpi %s: %s", svcq_metrics_kpi_name(k), svcq_ctx_errmsg(x->ctx));
    return out;
}

#define EXPECT(x, k, at, dim, dv, num, den, val)                            \
    do {                                                                    \
        svcq_metrics_value v_ = kpi(x, k, SVCQ_METRICS_WEEK, at, dim, dv);  \
        assert_int_equal(v_.numerator, num);                                \
        assert_int_equal(v_.denominator, den);                              \
        assert_int_equal(v_.value, val);                                    \
        assert_int_equal(v_.defined, (den) > 0);                            \
    } while (0)

static void test_week(void **state)
{
    fx *x = *state;
    put_week(x);
    svcq_time at = mx_local(x->tz, 2026, 1, 8, 12, 0);
    const int A = SVCQ_METRICS_DIM_ALL;
    /* CSAT: ratings 5, 3, 4 (f3 unrated): 2 of 3 satisfied, mean 4. */
    EXPECT(x, SVCQ_METRICS_CSAT_SATISFIED, at, A, NULL, 2, 3, 66667);
    EXPECT(x, SVCQ_METRICS_CSAT_MEAN, at, A, NULL, 12, 3, 4000);
    assert_int_equal(kpi(x, SVCQ_METRICS_CSAT_MEAN, SVCQ_METRICS_WEEK, at, A, NULL).excluded, 1);
    /* FCR (one agent reply): f1 and f4 of the resolved f1, f2, f4. */
    svcq_metrics_value v = kpi(x, SVCQ_METRICS_FCR, SVCQ_METRICS_WEEK, at, A, NULL);
    assert_int_equal(v.numerator, 2);
    assert_int_equal(v.denominator, 3);
    assert_int_equal(v.value, 66667);
    assert_int_equal(v.target, 80000);
    assert_int_equal(v.target_state, SVCQ_METRICS_TARGET_MISSED);
    /* Calendar response: 600 + 55800 + 2400 + 300 = 59100 / 4 = 14775 s;
     * sorted 300 600 2400 55800: median rank 2 = 600, p90 rank 4. */
    EXPECT(x, SVCQ_METRICS_RESPONSE_MEAN, at, A, NULL, 59100, 4, 14775000);
    EXPECT(x, SVCQ_METRICS_RESPONSE_MEDIAN, at, A, NULL, 600, 4, 600000);
    EXPECT(x, SVCQ_METRICS_RESPONSE_P90, at, A, NULL, 55800, 4, 55800000);
    v = kpi(x, SVCQ_METRICS_RESPONSE_MEAN, SVCQ_METRICS_WEEK, at, A, NULL);
    assert_int_equal(v.target_state, SVCQ_METRICS_TARGET_MISSED);
    /* Business response: 600 + 1800 + 2400 + 0 = 4800 / 4 = 1200 s;
     * sorted 0 600 1800 2400. */
    EXPECT(x, SVCQ_METRICS_RESPONSE_BIZ_MEAN, at, A, NULL, 4800, 4, 1200000);
    EXPECT(x, SVCQ_METRICS_RESPONSE_BIZ_MEDIAN, at, A, NULL, 600, 4, 600000);
    EXPECT(x, SVCQ_METRICS_RESPONSE_BIZ_P90, at, A, NULL, 2400, 4, 2400000);
    /* Resolution 3 / 4; complaints 2 / clients A B C; repeats 1 / 4. */
    EXPECT(x, SVCQ_METRICS_RESOLUTION_RATE, at, A, NULL, 3, 4, 75000);
    EXPECT(x, SVCQ_METRICS_COMPLAINT_RATE, at, A, NULL, 2, 3, 66667);
    EXPECT(x, SVCQ_METRICS_RECURRENCE_RATE, at, A, NULL, 1, 4, 25000);
    EXPECT(x, SVCQ_METRICS_SLA_COMPLIANCE, at, A, NULL, 1, 2, 50000);
    EXPECT(x, SVCQ_METRICS_MEASURES_ON_TIME, at, A, NULL, 1, 2, 50000);
    /* Per dimension: tier.1 holds f1 and f3. */
    EXPECT(x, SVCQ_METRICS_RESPONSE_MEAN, at, SVCQ_METRICS_DIM_TIER, "tier.1", 3000, 2, 1500000);
    EXPECT(x, SVCQ_METRICS_SLA_COMPLIANCE, at, SVCQ_METRICS_DIM_TIER, "tier.1", 1, 1, 100000);
    EXPECT(x, SVCQ_METRICS_SLA_COMPLIANCE, at, SVCQ_METRICS_DIM_TIER, "tier.2", 0, 1, 0);
    EXPECT(x, SVCQ_METRICS_COMPLAINT_RATE, at, SVCQ_METRICS_DIM_CLIENT, "A", 1, 1, 100000);
    /* By complaint category: billing (f2, from its category) and manual. */
    EXPECT(x, SVCQ_METRICS_RESOLUTION_RATE, at, SVCQ_METRICS_DIM_COMPLAINT, "billing", 1, 1, 100000);
    EXPECT(x, SVCQ_METRICS_RESOLUTION_RATE, at, SVCQ_METRICS_DIM_COMPLAINT, "manual", 0, 1, 0);
    /* SLA per target. */
    svcq_metrics_value s = { .version = SVCQ_METRICS_VALUE_VERSION };
    assert_int_equal(svcq_metrics_sla_compliance(&s, x->m, SVCQ_METRICS_WEEK, at, A, NULL, "first_response"),
                     SVCQ_OK);
    assert_int_equal(s.numerator, 1);
    assert_int_equal(s.denominator, 2);
    assert_int_equal(svcq_metrics_sla_compliance(&s, x->m, SVCQ_METRICS_WEEK, at, A, NULL, "resolution"), SVCQ_OK);
    assert_int_equal(s.defined, 0);
    /* The month and the year hold the same four facts; the day holds f1, f2. */
    svcq_metrics_value mo = kpi(x, SVCQ_METRICS_RESPONSE_P90, SVCQ_METRICS_MONTH, at, A, NULL);
    assert_int_equal(mo.numerator, 55800);
    svcq_metrics_value d = kpi(x, SVCQ_METRICS_RESOLUTION_RATE, SVCQ_METRICS_DAY, mx_local(x->tz, 2026, 1, 5, 23, 59),
                               A, NULL);
    assert_int_equal(d.numerator, 2);
    assert_int_equal(d.denominator, 2);
    assert_int_equal(svcq_metrics_fact_count(x->m), 4);
}

static void test_empty_period(void **state)
{
    fx *x = *state;
    put_week(x);
    svcq_time at = mx_local(x->tz, 2026, 2, 10, 12, 0);
    for (int k = 1; k <= SVCQ_METRICS_KPI_COUNT; k++) {
        svcq_metrics_value v = kpi(x, k, SVCQ_METRICS_WEEK, at, SVCQ_METRICS_DIM_ALL, NULL);
        assert_int_equal(v.defined, 0);
        assert_int_equal(v.value, 0);
        assert_int_equal(v.denominator, 0);
    }
    svcq_metrics_value v = kpi(x, SVCQ_METRICS_FCR, SVCQ_METRICS_WEEK, at, SVCQ_METRICS_DIM_ALL, NULL);
    assert_int_equal(v.target_state, SVCQ_METRICS_TARGET_NO_DATA);
    /* An unknown dimension value is an empty rollup too. */
    v = kpi(x, SVCQ_METRICS_FCR, SVCQ_METRICS_WEEK, at, SVCQ_METRICS_DIM_AGENT, "nobody");
    assert_int_equal(v.defined, 0);
}

static void test_unrated_only(void **state)
{
    fx *x = *state;
    svcq_metrics_fact f = mx_fact("u1", mx_local(x->tz, 2026, 1, 5, 9, 0));
    assert_int_equal(svcq_metrics_fact_put(x->m, &f), SVCQ_OK);
    f.id = "u2";
    f.resolved = f.received + 60;
    assert_int_equal(svcq_metrics_fact_put(x->m, &f), SVCQ_OK);
    svcq_metrics_value v = kpi(x, SVCQ_METRICS_CSAT_MEAN, SVCQ_METRICS_WEEK, f.received, SVCQ_METRICS_DIM_ALL, NULL);
    assert_int_equal(v.defined, 0);
    assert_int_equal(v.excluded, 2);
    /* No reply: response time undefined, both excluded. */
    v = kpi(x, SVCQ_METRICS_RESPONSE_MEDIAN, SVCQ_METRICS_WEEK, f.received, SVCQ_METRICS_DIM_ALL, NULL);
    assert_int_equal(v.defined, 0);
    assert_int_equal(v.excluded, 2);
    /* FCR of a resolution with no agent reply at all: at most one, so yes. */
    v = kpi(x, SVCQ_METRICS_FCR, SVCQ_METRICS_WEEK, f.received, SVCQ_METRICS_DIM_ALL, NULL);
    assert_int_equal(v.numerator, 1);
    assert_int_equal(v.denominator, 1);
}

static void test_update(void **state)
{
    fx *x = *state;
    put_week(x);
    svcq_time at = mx_local(x->tz, 2026, 1, 8, 12, 0);
    /* f2 again: now rated 5 and answered at 18:00 Monday (600 s). */
    svcq_metrics_fact f = mx_fact("f2", mx_local(x->tz, 2026, 1, 5, 17, 50));
    f.first_reply = mx_local(x->tz, 2026, 1, 5, 18, 0);
    f.resolved = mx_local(x->tz, 2026, 1, 6, 12, 0);
    f.agent_replies = 1;
    f.csat = 5;
    f.client = "B";
    assert_int_equal(svcq_metrics_fact_put(x->m, &f), SVCQ_OK);
    assert_int_equal(svcq_metrics_fact_count(x->m), 4);
    EXPECT(x, SVCQ_METRICS_CSAT_SATISFIED, at, SVCQ_METRICS_DIM_ALL, NULL, 3, 3, 100000);
    EXPECT(x, SVCQ_METRICS_FCR, at, SVCQ_METRICS_DIM_ALL, NULL, 3, 3, 100000);
    /* 600 + 600 + 2400 + 300 = 3900 / 4 = 975 s. */
    EXPECT(x, SVCQ_METRICS_RESPONSE_MEAN, at, SVCQ_METRICS_DIM_ALL, NULL, 3900, 4, 975000);
    /* The complaint and its SLA outcome are gone with the old version. */
    EXPECT(x, SVCQ_METRICS_COMPLAINT_RATE, at, SVCQ_METRICS_DIM_ALL, NULL, 1, 3, 33333);
    EXPECT(x, SVCQ_METRICS_SLA_COMPLIANCE, at, SVCQ_METRICS_DIM_ALL, NULL, 1, 1, 100000);
    EXPECT(x, SVCQ_METRICS_RESOLUTION_RATE, at, SVCQ_METRICS_DIM_TIER, "tier.2", 0, 0, 0);
    /* Moved to another week: W02 loses it, W03 gains it. */
    f.received = mx_local(x->tz, 2026, 1, 12, 9, 0);
    f.first_reply = f.received + 120;
    f.resolved = f.received + 600;
    assert_int_equal(svcq_metrics_fact_put(x->m, &f), SVCQ_OK);
    EXPECT(x, SVCQ_METRICS_RESOLUTION_RATE, at, SVCQ_METRICS_DIM_ALL, NULL, 2, 3, 66667);
    EXPECT(x, SVCQ_METRICS_RESOLUTION_RATE, f.received, SVCQ_METRICS_DIM_ALL, NULL, 1, 1, 100000);
}

static void test_fcr_definitions(void **state)
{
    fx *x = *state;
    static const struct {
        int32_t def;
        int64_t yes;
    } cases[] = {
        { SVCQ_METRICS_FCR_ONE_AGENT_REPLY, 2 },   /* f1, f4 */
        { SVCQ_METRICS_FCR_NO_CUSTOMER_REPLY, 2 }, /* f1, f4 */
        { SVCQ_METRICS_FCR_ONE_CONTACT, 2 },       /* f1 (1 contact), f4 (0) */
        { SVCQ_METRICS_FCR_NO_REOPEN, 2 },         /* f1 reopened in 2 business days; f2, f4 never */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        svcq_metrics_free(x->m);
        svcq_metrics_options o;
        assert_int_equal(svcq_metrics_options_init(&o, SVCQ_METRICS_OPTIONS_VERSION), SVCQ_OK);
        o.calendar = x->cal;
        o.fcr_definition = cases[i].def;
        o.fcr_reopen_days = 2;
        assert_int_equal(svcq_metrics_new(&x->m, x->ctx, &o), SVCQ_OK);
        put_week(x);
        if (cases[i].def == SVCQ_METRICS_FCR_NO_REOPEN) {
            /* f1 resolved Mon 10:00, reopened Wed 10:00 = exactly 2
             * business days: within the window. f4 (Sat) reopened the
             * next Thursday 10:00: the anchor is Mon 09:00, +2 = Wed
             * 09:00, so Thursday is late and f4 still counts. */
            svcq_metrics_fact f = mx_fact("f1", mx_local(x->tz, 2026, 1, 5, 9, 0));
            f.first_reply = mx_local(x->tz, 2026, 1, 5, 9, 10);
            f.resolved = mx_local(x->tz, 2026, 1, 5, 10, 0);
            f.reopened = mx_local(x->tz, 2026, 1, 7, 10, 0);
            assert_int_equal(svcq_metrics_fact_put(x->m, &f), SVCQ_OK);
            f = mx_fact("f4", mx_local(x->tz, 2026, 1, 10, 10, 0));
            f.resolved = mx_local(x->tz, 2026, 1, 10, 11, 0);
            f.reopened = mx_local(x->tz, 2026, 1, 15, 10, 0);
            assert_int_equal(svcq_metrics_fact_put(x->m, &f), SVCQ_OK);
        }
        svcq_metrics_value v = kpi(x, SVCQ_METRICS_FCR, SVCQ_METRICS_WEEK, mx_local(x->tz, 2026, 1, 8, 0, 0),
                                   SVCQ_METRICS_DIM_ALL, NULL);
        assert_int_equal(v.numerator, cases[i].yes);
        assert_int_equal(v.denominator, 3);
        /* The export names the definition next to the number. */
        mx_sink s;
        svcq_writer w = mx_writer(&s);
        assert_int_equal(svcq_metrics_kpis_export(x->m, SVCQ_METRICS_WEEK, mx_local(x->tz, 2026, 1, 8, 0, 0),
                                                  SVCQ_METRICS_DIM_ALL, NULL, SVCQ_METRICS_JSON, &w),
                         SVCQ_OK);
        char want[64];
        snprintf(want, sizeof(want), "\"fcr_definition\": \"%s\"", svcq_metrics_fcr_name(cases[i].def));
        assert_non_null(strstr(s.text, want));
        assert_non_null(strstr(s.text, "\"attribution\": \"cohort\""));
        free(s.text);
    }
}

static void test_throughput(void **state)
{
    fx *x = *state;
    svcq_metrics_free(x->m);
    svcq_metrics_options o;
    assert_int_equal(svcq_metrics_options_init(&o, SVCQ_METRICS_OPTIONS_VERSION), SVCQ_OK);
    o.calendar = x->cal;
    o.attribution = SVCQ_METRICS_THROUGHPUT;
    assert_int_equal(svcq_metrics_new(&x->m, x->ctx, &o), SVCQ_OK);
    /* Received Friday of W02, resolved and rated Monday of W03. */
    svcq_metrics_fact f = mx_fact("t1", mx_local(x->tz, 2026, 1, 9, 17, 0));
    f.first_reply = f.received + 60;
    f.resolved = mx_local(x->tz, 2026, 1, 12, 10, 0);
    f.csat = 5;
    assert_int_equal(svcq_metrics_fact_put(x->m, &f), SVCQ_OK);
    svcq_time w2 = f.received, w3 = f.resolved;
    EXPECT(x, SVCQ_METRICS_RESOLUTION_RATE, w2, SVCQ_METRICS_DIM_ALL, NULL, 0, 1, 0);
    EXPECT(x, SVCQ_METRICS_RESPONSE_MEAN, w2, SVCQ_METRICS_DIM_ALL, NULL, 60, 1, 60000);
    /* W03: one resolution of nothing raised: undefined rate, numerator 1. */
    svcq_metrics_value v = kpi(x, SVCQ_METRICS_RESOLUTION_RATE, SVCQ_METRICS_WEEK, w3, SVCQ_METRICS_DIM_ALL, NULL);
    assert_int_equal(v.numerator, 1);
    assert_int_equal(v.defined, 0);
    EXPECT(x, SVCQ_METRICS_CSAT_MEAN, w3, SVCQ_METRICS_DIM_ALL, NULL, 5, 1, 5000);
    EXPECT(x, SVCQ_METRICS_CSAT_MEAN, w2, SVCQ_METRICS_DIM_ALL, NULL, 0, 0, 0);
    /* Unresolved under throughput: not in any resolution period. */
    f = mx_fact("t2", w2);
    assert_int_equal(svcq_metrics_fact_put(x->m, &f), SVCQ_OK);
    v = kpi(x, SVCQ_METRICS_CSAT_MEAN, SVCQ_METRICS_WEEK, w2, SVCQ_METRICS_DIM_ALL, NULL);
    assert_int_equal(v.excluded, 0);
}

static void test_periods(void **state)
{
    fx *x = *state;
    svcq_tz *berlin = mx_zone(x->ctx, "Europe/Berlin");
    svcq_metrics_options o;
    assert_int_equal(svcq_metrics_options_init(&o, SVCQ_METRICS_OPTIONS_VERSION), SVCQ_OK);
    o.tz = berlin;
    svcq_metrics *m;
    assert_int_equal(svcq_metrics_new(&m, x->ctx, &o), SVCQ_OK);
    svcq_time a, b;
    char label[16];
    /* DST starts Sunday 29 March 2026: that week has 167 hours. */
    assert_int_equal(svcq_metrics_period_bounds(&a, &b, label, sizeof(label), m, SVCQ_METRICS_WEEK,
                                                mx_local(berlin, 2026, 3, 29, 12, 0)),
                     SVCQ_OK);
    assert_string_equal(label, "2026-W13");
    assert_int_equal(b - a, 167 * 3600);
    assert_int_equal(a, mx_local(berlin, 2026, 3, 23, 0, 0));
    /* It ends Sunday 25 October: 169 hours. */
    assert_int_equal(svcq_metrics_period_bounds(&a, &b, label, sizeof(label), m, SVCQ_METRICS_WEEK,
                                                mx_local(berlin, 2026, 10, 21, 12, 0)),
                     SVCQ_OK);
    assert_string_equal(label, "2026-W43");
    assert_int_equal(b - a, 169 * 3600);
    /* A DST day is 23 hours. */
    assert_int_equal(svcq_metrics_period_bounds(&a, &b, label, sizeof(label), m, SVCQ_METRICS_DAY,
                                                mx_local(berlin, 2026, 3, 29, 12, 0)),
                     SVCQ_OK);
    assert_int_equal(b - a, 23 * 3600);
    /* 2026 starts on a Thursday: it has an ISO week 53, 28 December 2026
     * to 3 January 2027; 2 January 2027 lies in it. */
    assert_int_equal(svcq_metrics_period_bounds(&a, &b, label, sizeof(label), m, SVCQ_METRICS_WEEK,
                                                mx_local(berlin, 2027, 1, 2, 12, 0)),
                     SVCQ_OK);
    assert_string_equal(label, "2026-W53");
    assert_int_equal(a, mx_local(berlin, 2026, 12, 28, 0, 0));
    assert_int_equal(b, mx_local(berlin, 2027, 1, 4, 0, 0));
    /* 4 January 2027 is 2027-W01; 29 December 2025 is 2026-W01. */
    assert_int_equal(svcq_metrics_period_bounds(NULL, NULL, label, sizeof(label), m, SVCQ_METRICS_WEEK,
                                                mx_local(berlin, 2027, 1, 4, 0, 0)),
                     SVCQ_OK);
    assert_string_equal(label, "2027-W01");
    assert_int_equal(svcq_metrics_period_bounds(NULL, NULL, label, sizeof(label), m, SVCQ_METRICS_WEEK,
                                                mx_local(berlin, 2025, 12, 29, 0, 0)),
                     SVCQ_OK);
    assert_string_equal(label, "2026-W01");
    static const struct {
        int32_t kind;
        const char *label;
        int mo, d;
    } k[] = { { SVCQ_METRICS_MONTH, "2026-08", 8, 1 },
              { SVCQ_METRICS_QUARTER, "2026-Q3", 7, 1 },
              { SVCQ_METRICS_HALF, "2026-H2", 7, 1 },
              { SVCQ_METRICS_YEAR, "2026", 1, 1 },
              { SVCQ_METRICS_DAY, "2026-08-15", 8, 15 } };
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(svcq_metrics_period_bounds(&a, NULL, label, sizeof(label), m, k[i].kind,
                                                    mx_local(berlin, 2026, 8, 15, 13, 0)),
                         SVCQ_OK);
        assert_string_equal(label, k[i].label);
        assert_int_equal(a, mx_local(berlin, 2026, k[i].mo, k[i].d, 0, 0));
    }
    /* A fact in week 53 is counted there, the DST week's fact in its week. */
    svcq_metrics_fact f = mx_fact("w53", mx_local(berlin, 2027, 1, 2, 23, 30));
    f.first_reply = f.received + 1800;
    assert_int_equal(svcq_metrics_fact_put(m, &f), SVCQ_OK);
    svcq_metrics_value v = { .version = SVCQ_METRICS_VALUE_VERSION };
    assert_int_equal(svcq_metrics_kpi_get(&v, m, SVCQ_METRICS_RESPONSE_MEAN, SVCQ_METRICS_WEEK,
                                          mx_local(berlin, 2026, 12, 28, 0, 0), SVCQ_METRICS_DIM_ALL, NULL),
                     SVCQ_OK);
    assert_int_equal(v.denominator, 1);
    assert_int_equal(v.target_state, SVCQ_METRICS_TARGET_MET); /* 30 min <= 30 min */
    assert_int_equal(svcq_metrics_kpi_get(&v, m, SVCQ_METRICS_RESPONSE_MEAN, SVCQ_METRICS_YEAR,
                                          mx_local(berlin, 2026, 6, 1, 0, 0), SVCQ_METRICS_DIM_ALL, NULL),
                     SVCQ_OK);
    assert_int_equal(v.denominator, 0); /* the year is 2027's */
    svcq_metrics_free(m);
    svcq_tz_free(berlin);
}

static void test_refusals(void **state)
{
    fx *x = *state;
    svcq_time t = mx_local(x->tz, 2026, 1, 5, 9, 0);
    static const char *const want[] = {
        "a fact needs an id", "no received time", "first_reply is before received", "csat 6 is not 1 to 5",
        "reopened without a resolution", "measures on time of", "complaint and repeat are 0 or 1",
        "appears twice", "contains a control character", "reserved fields must be zero",
    };
    static const char *const dup_t[2] = { "x", "x" };
    static const int32_t dup_o[2] = { 1, 2 };
    for (int i = 0; i < 10; i++) {
        svcq_metrics_fact f = mx_fact("bad", t);
        switch (i) {
        case 0: f.id = NULL; break;
        case 1: f.received = SVCQ_METRICS_NO_TIME; break;
        case 2: f.first_reply = t - 1; break;
        case 3: f.csat = 6; break;
        case 4: f.reopened = t + 5; break;
        case 5: f.measures_due = 1; f.measures_on_time = 2; break;
        case 6: f.complaint = 2; break;
        case 7: f.sla_targets = dup_t; f.sla_outcomes = dup_o; f.sla_count = 2; break;
        case 8: f.category = "a\tb"; break;
        default: f.reserved[1] = 1; break;
        }
        assert_int_equal(svcq_metrics_fact_put(x->m, &f), SVCQ_EINVAL);
        if (!strstr(svcq_ctx_errmsg(x->ctx), want[i]))
            fail_msg("case %d: \"%s\" lacks \"%s\"", i, svcq_ctx_errmsg(x->ctx), want[i]);
    }
    svcq_metrics_fact f = mx_fact("v", t);
    f.version = 9;
    assert_int_equal(svcq_metrics_fact_put(x->m, &f), SVCQ_EVERSION);
    assert_int_equal(svcq_metrics_fact_count(x->m), 0);
    svcq_metrics_value v = { .version = SVCQ_METRICS_VALUE_VERSION };
    assert_int_equal(svcq_metrics_kpi_get(&v, x->m, 99, SVCQ_METRICS_WEEK, t, 0, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_metrics_kpi_get(&v, x->m, 1, 9, t, 0, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_metrics_kpi_get(&v, x->m, 1, SVCQ_METRICS_WEEK, t, SVCQ_METRICS_DIM_TIER, NULL),
                     SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(x->ctx), "dimension tier needs a value"));
    v.version = 0;
    assert_int_equal(svcq_metrics_kpi_get(&v, x->m, 1, SVCQ_METRICS_WEEK, t, 0, NULL), SVCQ_EVERSION);
    /* Options. */
    svcq_metrics_options o;
    assert_int_equal(svcq_metrics_options_init(&o, 2), SVCQ_EVERSION);
    assert_int_equal(svcq_metrics_options_init(&o, SVCQ_METRICS_OPTIONS_VERSION), SVCQ_OK);
    svcq_metrics *m = NULL;
    o.name = "a/b";
    assert_int_equal(svcq_metrics_new(&m, x->ctx, &o), SVCQ_EINVAL);
    o.name = NULL;
    o.fcr_definition = 7;
    assert_int_equal(svcq_metrics_new(&m, x->ctx, &o), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(x->ctx), "unknown FCR definition 7"));
    o.fcr_definition = 1;
    o.periods = 1u << SVCQ_METRICS_MONTH;
    assert_int_equal(svcq_metrics_new(&m, x->ctx, &o), SVCQ_OK);
    assert_int_equal(svcq_metrics_kpi_get(&v, m, 1, SVCQ_METRICS_WEEK, t, 0, NULL), SVCQ_EVERSION);
    v.version = 1;
    assert_int_equal(svcq_metrics_kpi_get(&v, m, 1, SVCQ_METRICS_WEEK, t, 0, NULL), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(x->ctx), "period week is not rolled up"));
    svcq_metrics_free(m);
    /* A calendar of another context. */
    svcq_ctx *other;
    assert_int_equal(svcq_ctx_new(&other, NULL), SVCQ_OK);
    svcq_calendar *oc;
    assert_int_equal(svcq_calendar_new_24x7(&oc, other), SVCQ_OK);
    o.periods = 0;
    o.calendar = oc;
    assert_int_equal(svcq_metrics_new(&m, x->ctx, &o), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(x->ctx), "belongs to another context"));
    svcq_calendar_free(oc);
    svcq_ctx_free(other);
    assert_null(svcq_metrics_kpi_name(0));
    assert_string_equal(svcq_metrics_kpi_name(SVCQ_METRICS_RESPONSE_BIZ_P90), "response_biz_p90");
    assert_string_equal(svcq_metrics_dim_name(SVCQ_METRICS_DIM_COMPLAINT), "complaint");
    assert_string_equal(svcq_metrics_period_name(SVCQ_METRICS_WEEK), "week");
}

/* SVCQ_METRICS_CLIENTS_ALL_TIER: the complaint rate stays the same in the
 * ALL and TIER rollups and is not defined in the others; every other KPI
 * is unchanged. */
static void test_clients_all_tier(void **state)
{
    fx *x = *state;
    svcq_metrics_free(x->m);
    svcq_metrics_options o;
    assert_int_equal(svcq_metrics_options_init(&o, SVCQ_METRICS_OPTIONS_VERSION), SVCQ_OK);
    o.calendar = x->cal;
    o.flags = SVCQ_METRICS_CLIENTS_ALL_TIER;
    assert_int_equal(svcq_metrics_new(&x->m, x->ctx, &o), SVCQ_OK);
    put_week(x);
    svcq_time at = mx_local(x->tz, 2026, 1, 8, 12, 0);
    EXPECT(x, SVCQ_METRICS_COMPLAINT_RATE, at, SVCQ_METRICS_DIM_ALL, NULL, 2, 3, 66667);
    /* tier.1: f1 and f3, both client A; f3 is a complaint. */
    EXPECT(x, SVCQ_METRICS_COMPLAINT_RATE, at, SVCQ_METRICS_DIM_TIER, "tier.1", 1, 1, 100000);
    EXPECT(x, SVCQ_METRICS_COMPLAINT_RATE, at, SVCQ_METRICS_DIM_CLIENT, "A", 1, 0, 0);
    EXPECT(x, SVCQ_METRICS_COMPLAINT_RATE, at, SVCQ_METRICS_DIM_CATEGORY, "billing", 1, 0, 0);
    EXPECT(x, SVCQ_METRICS_RESOLUTION_RATE, at, SVCQ_METRICS_DIM_CATEGORY, "billing", 2, 2, 100000);
    EXPECT(x, SVCQ_METRICS_RESPONSE_MEAN, at, SVCQ_METRICS_DIM_ALL, NULL, 59100, 4, 14775000);
    o.flags = 0x4;
    svcq_metrics *m;
    assert_int_equal(svcq_metrics_new(&m, x->ctx, &o), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(x->ctx), "unknown flags 0x4"));
}

/* Response times that do not fit 32 bits from the day's first one (the
 * day logs keep 32-bit offsets until a key does not fit, then 64-bit
 * keys): every quantile and mean stays exact, also after an update
 * removes the wide key. */
static void test_wide_response(void **state)
{
    fx *x = *state;
    svcq_time at = mx_local(x->tz, 2026, 1, 5, 9, 0);
    const int64_t far = 3000000000; /* some 95 years */
    const int64_t secs[3] = { 60, far, 120 };
    const char *ids[3] = { "w1", "w2", "w3" };
    for (int i = 0; i < 3; i++) {
        svcq_metrics_fact f = mx_fact(ids[i], at);
        f.first_reply = at + secs[i];
        f.client = i == 1 ? "far" : "near";
        f.tier = "tier.1";
        assert_int_equal(svcq_metrics_fact_put(x->m, &f), SVCQ_OK);
    }
    /* Sorted 60, 120, far: median rank 2, p90 rank 3. */
    EXPECT(x, SVCQ_METRICS_RESPONSE_MEDIAN, at, SVCQ_METRICS_DIM_ALL, NULL, 120, 3, 120000);
    EXPECT(x, SVCQ_METRICS_RESPONSE_P90, at, SVCQ_METRICS_DIM_TIER, "tier.1", far, 3, far * 1000);
    EXPECT(x, SVCQ_METRICS_RESPONSE_MEAN, at, SVCQ_METRICS_DIM_ALL, NULL, far + 180, 3, (far + 180) * 1000 / 3);
    /* w2 answered after 30 s now: 30, 60, 120. */
    svcq_metrics_fact f = mx_fact("w2", at);
    f.first_reply = at + 30;
    f.client = "far";
    f.tier = "tier.1";
    assert_int_equal(svcq_metrics_fact_put(x->m, &f), SVCQ_OK);
    EXPECT(x, SVCQ_METRICS_RESPONSE_MEDIAN, at, SVCQ_METRICS_DIM_ALL, NULL, 60, 3, 60000);
    EXPECT(x, SVCQ_METRICS_RESPONSE_P90, at, SVCQ_METRICS_DIM_TIER, "tier.1", 120, 3, 120000);
    EXPECT(x, SVCQ_METRICS_RESPONSE_MEAN, at, SVCQ_METRICS_DIM_ALL, NULL, 210, 3, 70000);
    /* The far reply again, on top of the wide log. */
    f.first_reply = at + far + 1;
    assert_int_equal(svcq_metrics_fact_put(x->m, &f), SVCQ_OK);
    EXPECT(x, SVCQ_METRICS_RESPONSE_P90, at, SVCQ_METRICS_DIM_ALL, NULL, far + 1, 3, (far + 1) * 1000);
    EXPECT(x, SVCQ_METRICS_RESPONSE_MEDIAN, at, SVCQ_METRICS_DIM_TIER, "tier.1", 120, 3, 120000);
}

/* A fact whose times after receipt do not fit in 32 bits (the set keeps
 * such a fact's times exact, beside its SLA outcomes): its response in
 * calendar and business time (the calendar's own diff as the oracle), its
 * SLA outcome and resolution, then the same fact updated to near times. */
static void test_wide_fact(void **state)
{
    fx *x = *state;
    svcq_time at = mx_local(x->tz, 2026, 1, 5, 9, 0);
    const int64_t far = 5000000000; /* some 158 years, beyond 2^32 s */
    svcq_metrics_fact f = mx_fact("wide", at);
    f.first_reply = at + far;
    f.resolved = at + far + 100;
    f.closed = at + far + 200;
    f.reopened = at + far + 300;
    f.client = "A";
    f.tier = "tier.1";
    f.sla_targets = SLA_T;
    f.sla_outcomes = SLA_BREACHED;
    f.sla_count = 1;
    assert_int_equal(svcq_metrics_fact_put(x->m, &f), SVCQ_OK);
    svcq_metrics_fact n = mx_fact("near", at);
    n.first_reply = at + 60;
    n.client = "B";
    n.tier = "tier.1";
    assert_int_equal(svcq_metrics_fact_put(x->m, &n), SVCQ_OK);
    int64_t biz;
    assert_int_equal(svcq_calendar_diff(&biz, x->cal, at, at + far), SVCQ_OK);
    assert_true(biz > 60);
    EXPECT(x, SVCQ_METRICS_RESPONSE_MEAN, at, SVCQ_METRICS_DIM_ALL, NULL, far + 60, 2, (far + 60) * 1000 / 2);
    EXPECT(x, SVCQ_METRICS_RESPONSE_P90, at, SVCQ_METRICS_DIM_TIER, "tier.1", far, 2, far * 1000);
    EXPECT(x, SVCQ_METRICS_RESPONSE_BIZ_P90, at, SVCQ_METRICS_DIM_ALL, NULL, biz, 2, biz * 1000);
    svcq_metrics_value v = kpi(x, SVCQ_METRICS_RESOLUTION_RATE, SVCQ_METRICS_WEEK, at, SVCQ_METRICS_DIM_ALL, NULL);
    assert_int_equal(v.numerator, 1);
    assert_int_equal(v.denominator, 2);
    v = kpi(x, SVCQ_METRICS_SLA_COMPLIANCE, SVCQ_METRICS_WEEK, at, SVCQ_METRICS_DIM_ALL, NULL);
    assert_int_equal(v.numerator, 0);
    assert_int_equal(v.denominator, 1);
    /* Updated to near times: the wide version leaves every rollup. */
    f.first_reply = at + 30;
    f.resolved = at + 100;
    f.closed = at + 200;
    f.reopened = at + 300;
    f.sla_outcomes = SLA_MET;
    assert_int_equal(svcq_metrics_fact_put(x->m, &f), SVCQ_OK);
    EXPECT(x, SVCQ_METRICS_RESPONSE_MEAN, at, SVCQ_METRICS_DIM_ALL, NULL, 90, 2, 45000);
    EXPECT(x, SVCQ_METRICS_RESPONSE_P90, at, SVCQ_METRICS_DIM_TIER, "tier.1", 60, 2, 60000);
    EXPECT(x, SVCQ_METRICS_RESPONSE_BIZ_P90, at, SVCQ_METRICS_DIM_ALL, NULL, 60, 2, 60000);
    v = kpi(x, SVCQ_METRICS_SLA_COMPLIANCE, SVCQ_METRICS_WEEK, at, SVCQ_METRICS_DIM_ALL, NULL);
    assert_int_equal(v.numerator, 1);
    assert_int_equal(v.denominator, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_clients_all_tier, setup, teardown),
        cmocka_unit_test_setup_teardown(test_week, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_period, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unrated_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fcr_definitions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_throughput, setup, teardown),
        cmocka_unit_test_setup_teardown(test_periods, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wide_response, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wide_fact, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
