/* Property: the incremental rollups equal a full recomputation. Random
 * streams of adds and updates (fixed seeds) go into one set; a second set
 * gets only the final version of each fact, in another order; the
 * canonical dumps of every rollup (the stored days and the derived weeks to
 * years, all dimensions, the exact response multisets) must be
 * byte-identical; the first set is also read now and then during its
 * stream, so a derived rollup kept past a change would show. An independent oracle also
 * recomputes, from the final facts by brute force, the weekly count,
 * resolution, satisfied ratings and the calendar median and p90 of
 * response time, and compares them with the KPIs. Europe/Berlin with an
 * office calendar, over weeks that include both DST changes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "metrics/metrics_internal.h"
#include "metrics_fixture.h"

#define NIDS 48
#define STEPS 600

static const char *const CLIENTS[] = { "c1", "c2", "c3", "c4", "c5", NULL };
static const char *const TIERS[] = { "tier.special", "tier.1", "tier.2", "tier.3", NULL };
static const char *const CATS[] = { "billing", "network", "manual", "install", NULL };
static const char *const STAGES[] = { "intake", "repair", NULL };
static const char *const TARGETS[] = { "first_response", "resolution", "update" };

typedef struct gen {
    uint64_t s;
} gen;

static uint32_t rnd(gen *g, uint32_t n)
{
    g->s ^= g->s << 13;
    g->s ^= g->s >> 7;
    g->s ^= g->s << 17;
    return (uint32_t)(g->s % n);
}

typedef struct fact_copy {
    bool set;
    char id[16];
    svcq_metrics_fact f;
    const char *t[3];
    int32_t o[3];
} fact_copy;

static void random_fact(gen *g, fact_copy *c, uint32_t idn, svcq_time base)
{
    snprintf(c->id, sizeof(c->id), "t%u", idn);
    c->f = mx_fact(c->id, base + (svcq_time)rnd(g, 40 * 86400));
    svcq_metrics_fact *f = &c->f;
    f->client = CLIENTS[rnd(g, 6)];
    f->tier = TIERS[rnd(g, 5)];
    f->category = CATS[rnd(g, 5)];
    f->stage = STAGES[rnd(g, 3)];
    f->location = rnd(g, 2) ? "north" : NULL;
    f->agent = rnd(g, 2) ? "ann" : "bob";
    if (rnd(g, 4))
        f->first_reply = f->received + rnd(g, 3) * 60 + (rnd(g, 5) == 0 ? (svcq_time)rnd(g, 200000) : 0);
    if (rnd(g, 3)) {
        f->resolved = f->received + (svcq_time)rnd(g, 10 * 86400);
        if (rnd(g, 4) == 0)
            f->reopened = f->resolved + (svcq_time)rnd(g, 5 * 86400);
    }
    f->agent_replies = (int32_t)rnd(g, 3);
    f->customer_replies = (int32_t)rnd(g, 2);
    f->contacts = (int32_t)rnd(g, 3);
    f->csat = (int32_t)rnd(g, 6);
    f->complaint = (int32_t)(rnd(g, 3) == 0);
    if (f->complaint && rnd(g, 2))
        f->complaint_category = CATS[rnd(g, 4)];
    f->repeat = (int32_t)(rnd(g, 5) == 0);
    f->measures_due = (int32_t)rnd(g, 3);
    f->measures_on_time = f->measures_due ? (int32_t)rnd(g, (uint32_t)f->measures_due + 1) : 0;
    uint32_t n = rnd(g, 4);
    for (uint32_t i = 0; i < n; i++) {
        c->t[i] = TARGETS[i];
        c->o[i] = (int32_t)rnd(g, 3);
    }
    f->sla_count = n;
    f->sla_targets = c->t;
    f->sla_outcomes = c->o;
    c->set = true;
}

static svcq_metrics *new_set(svcq_ctx *ctx, svcq_calendar *cal, int32_t attribution, int32_t fcr, uint32_t flags)
{
    svcq_metrics_options o;
    assert_int_equal(svcq_metrics_options_init(&o, SVCQ_METRICS_OPTIONS_VERSION), SVCQ_OK);
    o.flags = flags;
    o.calendar = cal;
    o.attribution = attribution;
    o.fcr_definition = fcr;
    o.fcr_reopen_days = 1;
    svcq_metrics *m;
    assert_int_equal(svcq_metrics_new(&m, ctx, &o), SVCQ_OK);
    return m;
}

static char *dump(svcq_metrics *m, svcq_ctx *ctx)
{
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    assert_int_equal(svcq__mx_dump(m, &b), SVCQ_OK);
    char *s = strdup(b.data ? b.data : "");
    svcq__buf_free(&b);
    return s;
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* The oracle: brute force over the final facts, week by week (cohort). */
static void oracle(svcq_metrics *m, svcq_metrics *m2, const svcq_tz *tz, fact_copy *facts, svcq_time base)
{
    for (int w = -1; w < 8; w++) {
        svcq_time at = base + (svcq_time)w * 7 * 86400 + 3 * 86400, a, b;
        assert_int_equal(svcq_metrics_period_bounds(&a, &b, NULL, 0, m, SVCQ_METRICS_WEEK, at), SVCQ_OK);
        int64_t raised = 0, resolved = 0, rated = 0, sat = 0, resp[NIDS];
        size_t nr = 0;
        for (int i = 0; i < NIDS; i++) {
            const svcq_metrics_fact *f = &facts[i].f;
            if (!facts[i].set || f->received < a || f->received >= b)
                continue;
            raised++;
            resolved += f->resolved != SVCQ_METRICS_NO_TIME;
            rated += f->csat > 0;
            sat += f->csat >= 4;
            if (f->first_reply != SVCQ_METRICS_NO_TIME)
                resp[nr++] = f->first_reply - f->received;
        }
        qsort(resp, nr, sizeof(int64_t), cmp64);
        svcq_metrics_value v = SVCQ_METRICS_VALUE_INIT;
        assert_int_equal(svcq_metrics_kpi_get(&v, m, SVCQ_METRICS_RESOLUTION_RATE, SVCQ_METRICS_WEEK, at,
                                              SVCQ_METRICS_DIM_ALL, NULL),
                         SVCQ_OK);
        assert_int_equal(v.denominator, raised);
        assert_int_equal(v.numerator, resolved);
        assert_int_equal(svcq_metrics_kpi_get(&v, m, SVCQ_METRICS_CSAT_SATISFIED, SVCQ_METRICS_WEEK, at,
                                              SVCQ_METRICS_DIM_ALL, NULL),
                         SVCQ_OK);
        assert_int_equal(v.denominator, rated);
        assert_int_equal(v.numerator, sat);
        assert_int_equal(v.excluded, raised - rated);
        assert_int_equal(svcq_metrics_kpi_get(&v, m, SVCQ_METRICS_RESPONSE_MEDIAN, SVCQ_METRICS_WEEK, at,
                                              SVCQ_METRICS_DIM_ALL, NULL),
                         SVCQ_OK);
        assert_int_equal(v.denominator, (int64_t)nr);
        if (nr) {
            assert_int_equal(v.numerator, resp[(nr + 1) / 2 - 1]);
            svcq_metrics_value p = SVCQ_METRICS_VALUE_INIT;
            assert_int_equal(svcq_metrics_kpi_get(&p, m2, SVCQ_METRICS_RESPONSE_P90, SVCQ_METRICS_WEEK, at,
                                                  SVCQ_METRICS_DIM_ALL, NULL),
                             SVCQ_OK);
            assert_int_equal(p.numerator, resp[(9 * nr + 9) / 10 - 1]);
        }
    }
    (void)tz;
}

static void run_seed(uint64_t seed, int32_t attribution, int32_t fcr, uint32_t flags)
{
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_tz *tz = mx_zone(ctx, "Europe/Berlin");
    svcq_calendar *cal = mx_office(ctx, tz);
    svcq_metrics *inc = new_set(ctx, cal, attribution, fcr, flags);
    static fact_copy facts[NIDS];
    memset(facts, 0, sizeof(facts));
    gen g = { seed * 0x9E3779B97F4A7C15ull + 1 };
    /* Two windows: the spring and the autumn DST changes. */
    svcq_time base = mx_local(tz, 2026, seed % 2 ? 3 : 10, 9, 0, 0);
    for (int s = 0; s < STEPS; s++) {
        uint32_t id = rnd(&g, NIDS);
        fact_copy c;
        random_fact(&g, &c, id, base);
        c.f.sla_targets = c.t;
        c.f.sla_outcomes = c.o;
        int rc = svcq_metrics_fact_put(inc, &c.f);
        if (rc)
            fail_msg("seed %llu step %d: %s", (unsigned long long)seed, s, svcq_ctx_errmsg(ctx));
        /* Read now and then in the stream: weeks to years are derived and
         * cached on read, and the later puts must make the cache stale
         * (the final dump is compared with a set never read before). */
        if (s % 97 == 50) {
            free(dump(inc, ctx));
            svcq_metrics_value v = SVCQ_METRICS_VALUE_INIT;
            assert_int_equal(svcq_metrics_kpi_get(&v, inc, SVCQ_METRICS_RESPONSE_P90, SVCQ_METRICS_WEEK, c.f.received,
                                                  SVCQ_METRICS_DIM_ALL, NULL),
                             SVCQ_OK);
        }
        facts[id] = c;
        facts[id].f.id = facts[id].id;
        facts[id].f.sla_targets = facts[id].t;
        facts[id].f.sla_outcomes = facts[id].o;
    }
    svcq_metrics *full = new_set(ctx, cal, attribution, fcr, flags);
    size_t n = 0;
    for (int i = NIDS; i-- > 0;)
        if (facts[i].set) {
            assert_int_equal(svcq_metrics_fact_put(full, &facts[i].f), SVCQ_OK);
            n++;
        }
    assert_int_equal(svcq_metrics_fact_count(inc), n);
    char *a = dump(inc, ctx), *b = dump(full, ctx);
    if (strcmp(a, b)) {
        size_t i = 0;
        while (a[i] == b[i])
            i++;
        size_t from = i > 200 ? i - 200 : 0;
        fail_msg("seed %llu: incremental and full rollups differ at byte %zu:\n%.400s\n----\n%.400s",
                 (unsigned long long)seed, i, a + from, b + from);
    }
    assert_true(strlen(a) > 1000);
    if (attribution == SVCQ_METRICS_COHORT)
        oracle(inc, full, tz, facts, base);
    free(a);
    free(b);
    svcq_metrics_free(inc);
    svcq_metrics_free(full);
    svcq_calendar_free(cal);
    svcq_tz_free(tz);
    svcq_ctx_free(ctx);
}

static void test_cohort(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 6; seed++)
        run_seed(seed, SVCQ_METRICS_COHORT, SVCQ_METRICS_FCR_ONE_AGENT_REPLY,
                 seed > 4 ? SVCQ_METRICS_CLIENTS_ALL_TIER : 0);
}

static void test_throughput(void **state)
{
    (void)state;
    for (uint64_t seed = 11; seed <= 14; seed++)
        run_seed(seed, SVCQ_METRICS_THROUGHPUT, SVCQ_METRICS_FCR_NO_REOPEN,
                 seed > 12 ? SVCQ_METRICS_CLIENTS_ALL_TIER : 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cohort),
        cmocka_unit_test(test_throughput),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
