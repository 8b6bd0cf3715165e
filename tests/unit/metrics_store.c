/* Reading a stored set back (svcq_metrics_load), on the memory and the
 * file store: the weekly report (Markdown and JSON), a month's KPIs and
 * the canonical dump of every rollup are byte for byte the same before and
 * after the reload; updates made after a reload are stored correctly (the
 * set equals one built in memory from the final facts, and a second
 * reload, which checks every stored rollup against its facts, succeeds
 * and gives the same); another set's records in the same store are left
 * alone; options other than the stored ones and damaged rollups are
 * refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "metrics/metrics_internal.h"
#include "metrics_fixture.h"
#include "store/store.h"

#define NIDS 40

static const char *const CLIENTS[] = { "c1", "c2", "c3", "c4", NULL };
static const char *const TIERS[] = { "tier.1", "tier.2", NULL };
static const char *const CATS[] = { "billing", "network", "manual", NULL };
static const char *const TARGETS[] = { "first_response", "resolution" };

typedef struct fact_copy {
    char id[16];
    svcq_metrics_fact f;
    const char *t[2];
    int32_t o[2];
} fact_copy;

static uint64_t rng;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static void random_fact(fact_copy *c, uint32_t idn, svcq_time base)
{
    snprintf(c->id, sizeof(c->id), "t%u", idn);
    c->f = mx_fact(c->id, base + (svcq_time)rnd(35 * 86400));
    svcq_metrics_fact *f = &c->f;
    f->client = CLIENTS[rnd(5)];
    f->tier = TIERS[rnd(3)];
    f->category = CATS[rnd(4)];
    f->channel = rnd(2) ? "phone" : "app";
    if (rnd(4))
        f->first_reply = f->received + rnd(7200);
    if (rnd(3))
        f->resolved = f->received + (svcq_time)rnd(4 * 86400);
    if (rnd(10) == 0) {
        /* Times beyond 2^32 s after receipt (the set keeps them wide). */
        f->resolved = f->received + 5000000000 + (svcq_time)rnd(1000);
        f->closed = f->resolved + 10;
    }
    f->agent_replies = (int32_t)rnd(3);
    f->csat = (int32_t)rnd(6);
    f->complaint = (int32_t)(rnd(3) == 0);
    f->repeat = (int32_t)(rnd(5) == 0);
    uint32_t n = rnd(3);
    for (uint32_t i = 0; i < n; i++) {
        c->t[i] = TARGETS[i];
        c->o[i] = (int32_t)rnd(3);
    }
    f->sla_count = n;
    f->sla_targets = c->t;
    f->sla_outcomes = c->o;
}

static svcq_metrics_options opts(svcq_calendar *cal, uint32_t flags)
{
    svcq_metrics_options o;
    assert_int_equal(svcq_metrics_options_init(&o, SVCQ_METRICS_OPTIONS_VERSION), SVCQ_OK);
    o.calendar = cal;
    o.flags = flags;
    o.name = "north";
    o.periods = (1u << SVCQ_METRICS_WEEK) | (1u << SVCQ_METRICS_MONTH);
    /* Every dimension but channel (which the facts have): see "more" below. */
    o.dimensions = 0x1FFu & ~(1u << SVCQ_METRICS_DIM_CHANNEL);
    return o;
}

/* The texts a reload must give back: two reports, a month's KPIs, the dump. */
static char *texts(svcq_metrics *m, svcq_ctx *ctx, svcq_time week)
{
    mx_sink s;
    svcq_writer w = mx_writer(&s);
    svcq_metrics_report req = SVCQ_METRICS_REPORT_INIT;
    req.week_of = week;
    if (svcq_metrics_weekly_report(m, &req, SVCQ_METRICS_MARKDOWN, &w) ||
        svcq_metrics_weekly_report(m, &req, SVCQ_METRICS_JSON, &w) ||
        svcq_metrics_kpis_export(m, SVCQ_METRICS_MONTH, week, SVCQ_METRICS_DIM_ALL, NULL, SVCQ_METRICS_CSV, &w))
        fail_msg("report: %s", svcq_ctx_errmsg(ctx));
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    assert_int_equal(svcq__mx_dump(m, &b), SVCQ_OK);
    assert_int_equal(mx_sink_write(b.data, b.len, &s), 0);
    svcq__buf_free(&b);
    return s.text;
}

static void put_all(svcq_metrics *m, svcq_ctx *ctx, fact_copy *c)
{
    c->f.id = c->id;
    c->f.sla_targets = c->t;
    c->f.sla_outcomes = c->o;
    if (svcq_metrics_fact_put(m, &c->f))
        fail_msg("put %s: %s", c->id, svcq_ctx_errmsg(ctx));
}

static void scenario(svcq_ctx *ctx)
{
    svcq_tz *tz = mx_zone(ctx, "Asia/Shanghai");
    svcq_calendar *cal = mx_office(ctx, tz);
    svcq_time base = mx_local(tz, 2026, 3, 2, 0, 0), week = base + 15 * 86400;
    static fact_copy facts[NIDS];
    rng = 0x9E3779B97F4A7C15ull;
    svcq_metrics_options o = opts(cal, SVCQ_METRICS_PERSIST);
    svcq_metrics *m;
    assert_int_equal(svcq_metrics_new(&m, ctx, &o), SVCQ_OK);
    for (uint32_t i = 0; i < NIDS; i++) {
        random_fact(&facts[i], i, base);
        put_all(m, ctx, &facts[i]);
    }
    /* Another set in the same store: its records are not read. */
    svcq_metrics_options o2 = opts(cal, SVCQ_METRICS_PERSIST);
    o2.name = "nort";
    svcq_metrics *other;
    assert_int_equal(svcq_metrics_new(&other, ctx, &o2), SVCQ_OK);
    fact_copy extra;
    random_fact(&extra, 999, base);
    put_all(other, ctx, &extra);
    svcq_metrics_free(other);

    char *before = texts(m, ctx, week);
    svcq_metrics_free(m);
    if (svcq_metrics_load(&m, ctx, &o))
        fail_msg("load: %s", svcq_ctx_errmsg(ctx));
    assert_int_equal(svcq_metrics_fact_count(m), NIDS);
    char *after = texts(m, ctx, week);
    assert_string_equal(before, after);
    assert_true(strlen(before) > 2000);

    /* Updates after the reload: a third of the facts change. */
    for (uint32_t i = 0; i < NIDS; i += 3) {
        random_fact(&facts[i], i, base);
        put_all(m, ctx, &facts[i]);
    }
    svcq_metrics_options mem = opts(cal, 0);
    svcq_metrics *ref;
    assert_int_equal(svcq_metrics_new(&ref, ctx, &mem), SVCQ_OK);
    for (uint32_t i = NIDS; i-- > 0;)
        put_all(ref, ctx, &facts[i]);
    char *updated = texts(m, ctx, week), *expected = texts(ref, ctx, week);
    assert_string_equal(updated, expected);
    svcq_metrics_free(m);
    if (svcq_metrics_load(&m, ctx, &o))
        fail_msg("second load: %s", svcq_ctx_errmsg(ctx));
    char *again = texts(m, ctx, week);
    assert_string_equal(again, expected);
    svcq_metrics_free(m);

    /* Options other than the stored ones. Only day rollups are stored, so
     * other periods load (they are derived from the days), dimensions do not. */
    svcq_metrics_options longer = opts(cal, 0);
    longer.periods = (1u << SVCQ_METRICS_WEEK) | (1u << SVCQ_METRICS_YEAR);
    if (svcq_metrics_load(&m, ctx, &longer))
        fail_msg("load with other periods: %s", svcq_ctx_errmsg(ctx));
    svcq_metrics_value yv = SVCQ_METRICS_VALUE_INIT, rv = SVCQ_METRICS_VALUE_INIT;
    assert_int_equal(svcq_metrics_kpi_get(&yv, m, SVCQ_METRICS_RESOLUTION_RATE, SVCQ_METRICS_YEAR, week,
                                          SVCQ_METRICS_DIM_ALL, NULL),
                     SVCQ_OK);
    assert_int_equal(svcq_metrics_kpi_get(&rv, ref, SVCQ_METRICS_RESOLUTION_RATE, SVCQ_METRICS_MONTH, week,
                                          SVCQ_METRICS_DIM_ALL, NULL),
                     SVCQ_OK);
    assert_true(yv.denominator >= rv.denominator && yv.denominator <= NIDS);
    svcq_metrics_free(m);
    svcq_metrics_options fewer = opts(cal, 0);
    fewer.dimensions = 1u << SVCQ_METRICS_DIM_TIER;
    assert_int_equal(svcq_metrics_load(&m, ctx, &fewer), SVCQ_EINVAL);
    assert_null(m);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "which the options do not roll up"));
    svcq_metrics_options through = opts(cal, 0);
    through.attribution = SVCQ_METRICS_THROUGHPUT;
    assert_int_equal(svcq_metrics_load(&m, ctx, &through), SVCQ_ECORRUPT);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "differs from the one its stored facts give"));
    svcq_metrics_options more = opts(cal, 0);
    more.dimensions = 0x1FFu;
    assert_int_equal(svcq_metrics_load(&m, ctx, &more), SVCQ_ECORRUPT);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "is not in the store"));

    /* A damaged rollup: one count changed in the store (the day of the
     * second fact, all facts). */
    char day[16], rid[64];
    assert_int_equal(svcq_metrics_period_bounds(NULL, NULL, day, sizeof(day), ref, SVCQ_METRICS_DAY,
                                                facts[1].f.received),
                     SVCQ_OK);
    snprintf(rid, sizeof(rid), "north/day/%s/all/", day);
    char *bytes;
    size_t size;
    uint64_t rev;
    assert_int_equal(svcq__store_get(ctx, "metrics_rollup", rid, &bytes, &size, &rev),
                     SVCQ_OK);
    char *p = strstr(bytes, "\"raised\":");
    assert_non_null(p);
    p[9] = p[9] == '9' ? '8' : (char)(p[9] + 1);
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    uint64_t nrev;
    assert_int_equal(svcq__tx_end(ctx, &tx,
                                  svcq__store_put(ctx, "metrics_rollup", rid, rev, bytes,
                                                  size, &nrev)),
                     SVCQ_OK);
    svcq__free(ctx, bytes);
    assert_int_equal(svcq_metrics_load(&m, ctx, &o), SVCQ_ECORRUPT);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), rid));

    free(before);
    free(after);
    free(updated);
    free(expected);
    free(again);
    svcq_metrics_free(ref);
    svcq_calendar_free(cal);
    svcq_tz_free(tz);
}

static void test_memory_store(void **state)
{
    (void)state;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_store_methods sm;
    assert_int_equal(svcq__memstore_new(ctx, &sm), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx, &sm), SVCQ_OK);
    scenario(ctx);
    svcq_ctx_free(ctx);
}

static void test_file_store(void **state)
{
    (void)state;
    char dir[] = "/tmp/svcq-metrics-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof(path), "%s/store.svcq", dir);
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_store_file *fs;
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, NULL), SVCQ_OK);
    svcq_store_methods sm;
    assert_int_equal(svcq_store_file_methods(&sm, fs), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx, &sm), SVCQ_OK);
    scenario(ctx);
    svcq_ctx_free(ctx);
    unlink(path);
    rmdir(dir);
}

/* A context's own memory store with nothing stored: an empty set. */
static void test_empty(void **state)
{
    (void)state;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_metrics *m = NULL;
    assert_int_equal(svcq_metrics_load(&m, ctx, NULL), SVCQ_OK);
    assert_int_equal(svcq_metrics_fact_count(m), 0);
    svcq_metrics_free(m);
    assert_int_equal(svcq_metrics_load(NULL, ctx, NULL), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "svcq_metrics_load: NULL argument"));
    svcq_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_store),
        cmocka_unit_test(test_file_store),
        cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
