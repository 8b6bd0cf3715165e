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
#include "store/store.h"

#define NIDS 48
#define STEPS 600
/* The busy days: many updates of the facts of two days, so that the day
 * rollups' removals fold their logs again and again. */
#define BUSY_IDS 400
#define BUSY_STEPS 4000

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

static void random_fact(gen *g, fact_copy *c, uint32_t idn, svcq_time base, uint32_t days)
{
    snprintf(c->id, sizeof(c->id), "t%u", idn);
    c->f = mx_fact(c->id, base + (svcq_time)rnd(g, days * 86400));
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
static void oracle(svcq_metrics *m, svcq_metrics *m2, const svcq_tz *tz, fact_copy *facts, uint32_t nids,
                   svcq_time base)
{
    for (int w = -1; w < 8; w++) {
        svcq_time at = base + (svcq_time)w * 7 * 86400 + 3 * 86400, a, b;
        assert_int_equal(svcq_metrics_period_bounds(&a, &b, NULL, 0, m, SVCQ_METRICS_WEEK, at), SVCQ_OK);
        int64_t raised = 0, resolved = 0, rated = 0, sat = 0, resp[BUSY_IDS];
        size_t nr = 0;
        for (uint32_t i = 0; i < nids; i++) {
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

/* The largest day log of the set (all facts), checked bounded: the
 * removals of the updates are folded into its base, so its entries stay
 * below twice the multiset plus the compaction threshold. Returns how
 * many logs were folded (a positive count in a base comes only from a
 * compaction). */
static int check_logs_bounded(svcq_metrics *m)
{
    int folded = 0;
    size_t it = 0;
    const void *k;
    size_t kl;
    void *v;
    while (svcq__map_next(&m->rollups, &it, &k, &kl, &v)) {
        const svcq__mx_rollup *r = v;
        const svcq__mx_log *l[3] = { &r->lresp, &r->lresp_biz, &r->lclients };
        for (int i = 0; i < 3; i++) {
            int64_t total = l[i]->n;
            bool positive = false;
            for (uint32_t j = 0; j < l[i]->base.cap; j++)
                if (l[i]->base.slots[j].key != INT64_MIN) {
                    total += l[i]->base.slots[j].count;
                    positive |= l[i]->base.slots[j].count > 0;
                }
            folded += positive;
            assert_true(total >= 0);
            assert_true(l[i]->n <= 2 * (uint64_t)total + l[i]->base.used + 2 * 64 + 1);
        }
    }
    return folded;
}

static void run_seed_n(uint64_t seed, int32_t attribution, int32_t fcr, uint32_t flags, uint32_t nids,
                       int steps, uint32_t days)
{
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_tz *tz = mx_zone(ctx, "Europe/Berlin");
    svcq_calendar *cal = mx_office(ctx, tz);
    svcq_metrics *inc = new_set(ctx, cal, attribution, fcr, flags);
    static fact_copy facts[BUSY_IDS];
    memset(facts, 0, sizeof(facts));
    gen g = { seed * 0x9E3779B97F4A7C15ull + 1 };
    /* Two windows: the spring and the autumn DST changes. */
    svcq_time base = mx_local(tz, 2026, seed % 2 ? 3 : 10, 9, 0, 0);
    for (int s = 0; s < steps; s++) {
        uint32_t id = rnd(&g, nids);
        fact_copy c;
        random_fact(&g, &c, id, base, days);
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
    for (uint32_t i = nids; i-- > 0;)
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
        oracle(inc, full, tz, facts, nids, base);
    int folded = check_logs_bounded(inc);
    if (nids == BUSY_IDS)
        assert_true(folded > 0);
    free(a);
    free(b);
    svcq_metrics_free(inc);
    svcq_metrics_free(full);
    svcq_calendar_free(cal);
    svcq_tz_free(tz);
    svcq_ctx_free(ctx);
}

static void run_seed(uint64_t seed, int32_t attribution, int32_t fcr, uint32_t flags)
{
    run_seed_n(seed, attribution, fcr, flags, NIDS, STEPS, 40);
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

/* Two busy days, each fact updated some ten times: the day logs compact
 * many times over, and still equal a full recomputation. */
static void test_busy_days(void **state)
{
    (void)state;
    run_seed_n(21, SVCQ_METRICS_COHORT, SVCQ_METRICS_FCR_ONE_AGENT_REPLY, 0, BUSY_IDS, BUSY_STEPS, 2);
    run_seed_n(22, SVCQ_METRICS_THROUGHPUT, SVCQ_METRICS_FCR_NO_REOPEN, SVCQ_METRICS_CLIENTS_ALL_TIER, BUSY_IDS,
               BUSY_STEPS, 2);
}

/* A batch of updates on one busy day, stored, rolled back: the undo of
 * each put runs after later puts of the batch folded the day's logs, and
 * must still give back exactly the state before the batch; the same
 * updates then committed equal a full recomputation. */
static void test_busy_rollback(void **state)
{
    (void)state;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_store_methods sm;
    assert_int_equal(svcq__memstore_new(ctx, &sm), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx, &sm), SVCQ_OK);
    svcq_tz *tz = mx_zone(ctx, "Europe/Berlin");
    svcq_calendar *cal = mx_office(ctx, tz);
    svcq_metrics *m = new_set(ctx, cal, SVCQ_METRICS_COHORT, SVCQ_METRICS_FCR_ONE_AGENT_REPLY, SVCQ_METRICS_PERSIST);
    enum { N = 160 };
    static fact_copy facts[N], next[N];
    gen g = { 77 };
    svcq_time base = mx_local(tz, 2026, 3, 9, 0, 0);
    for (uint32_t i = 0; i < N; i++) {
        random_fact(&g, &facts[i], i, base, 1);
        facts[i].f.id = facts[i].id;
        facts[i].f.sla_targets = facts[i].t;
        facts[i].f.sla_outcomes = facts[i].o;
        assert_int_equal(svcq_metrics_fact_put(m, &facts[i].f), SVCQ_OK);
    }
    char *before = dump(m, ctx);
    for (int round = 0; round < 2; round++) {
        /* Three updates of every fact: enough removals to fold the logs
         * of the day several times inside the batch. */
        assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
        for (int k = 0; k < 3; k++)
            for (uint32_t i = 0; i < N; i++) {
                random_fact(&g, &next[i], i, base, 1);
                next[i].f.id = next[i].id;
                next[i].f.sla_targets = next[i].t;
                next[i].f.sla_outcomes = next[i].o;
                if (svcq_metrics_fact_put(m, &next[i].f))
                    fail_msg("update %u: %s", i, svcq_ctx_errmsg(ctx));
            }
        if (round == 0) {
            assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
            char *after = dump(m, ctx);
            assert_string_equal(before, after);
            free(after);
        } else {
            assert_int_equal(svcq_ctx_batch_commit(ctx), SVCQ_OK);
        }
    }
    svcq_metrics *full = new_set(ctx, cal, SVCQ_METRICS_COHORT, SVCQ_METRICS_FCR_ONE_AGENT_REPLY, 0);
    for (uint32_t i = N; i-- > 0;)
        assert_int_equal(svcq_metrics_fact_put(full, &next[i].f), SVCQ_OK);
    char *a = dump(m, ctx), *b = dump(full, ctx);
    assert_string_equal(a, b);
    assert_true(check_logs_bounded(m) > 0);
    free(a);
    free(b);
    free(before);
    svcq_metrics_free(m);
    svcq_metrics_free(full);
    svcq_calendar_free(cal);
    svcq_tz_free(tz);
    svcq_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cohort),
        cmocka_unit_test(test_throughput),
        cmocka_unit_test(test_busy_days),
        cmocka_unit_test(test_busy_rollback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
