/* Every failing metrics call writes its own message, as tests/unit/errmsg.c
 * checks for the modules below it (kept apart so that modules built in
 * parallel do not edit one file). For each case a fresh fixture is made, a
 * sentinel message is planted by a failing call whose message is known,
 * then the case's call must return its documented code and leave a
 * message of its own, not empty, naming something of the case. Calls given
 * a NULL set have no context to write to and are not here. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics_fixture.h"
#include "test_alloc.h"

/* Monday 2026-01-05 09:00 UTC. */
#define T0 ((svcq_time)1767603600)

typedef struct fx {
    test_alloc alloc;
    svcq_ctx *ctx;
    svcq_metrics *m;     /* defaults, one fact "f1" */
    svcq_metrics *weeks; /* weeks only, persisted, one fact */
    svcq_tier_profiles *profiles;
    svcq_writer failing, sink;
} fx;

static int write_fails(const char *data, size_t size, void *user_data)
{
    (void)data, (void)size, (void)user_data;
    return SVCQ_EIO;
}

static int write_ok(const char *data, size_t size, void *user_data)
{
    (void)data, (void)size, (void)user_data;
    return 0;
}

static void fx_make(fx *f)
{
    test_alloc_init(&f->alloc);
    f->ctx = test_ctx_new(&f->alloc);
    assert_int_equal(svcq_metrics_new(&f->m, f->ctx, NULL), SVCQ_OK);
    svcq_metrics_fact fact = mx_fact("f1", T0);
    fact.category = "billing";
    fact.complaint = 1;
    assert_int_equal(svcq_metrics_fact_put(f->m, &fact), SVCQ_OK);
    svcq_metrics_options o = SVCQ_METRICS_OPTIONS_INIT;
    o.name = "weekly";
    o.flags = SVCQ_METRICS_PERSIST;
    o.periods = 1u << SVCQ_METRICS_WEEK;
    assert_int_equal(svcq_metrics_new(&f->weeks, f->ctx, &o), SVCQ_OK);
    assert_int_equal(svcq_metrics_fact_put(f->weeks, &fact), SVCQ_OK);
    assert_int_equal(svcq_tier_profiles_new(&f->profiles, f->ctx, 4), SVCQ_OK);
    assert_int_equal(svcq_writer_init(&f->failing, SVCQ_WRITER_VERSION), SVCQ_OK);
    f->failing.write = write_fails;
    assert_int_equal(svcq_writer_init(&f->sink, SVCQ_WRITER_VERSION), SVCQ_OK);
    f->sink.write = write_ok;
}

static void fx_free(fx *f)
{
    svcq_metrics_free(f->m);
    svcq_metrics_free(f->weeks);
    svcq_tier_profiles_free(f->profiles);
    svcq_ctx_free(f->ctx);
    assert_int_equal(f->alloc.live_blocks, 0);
}

typedef struct tcase {
    const char *name;
    int code;
    const char *mentions; /* a part of the message */
    int (*call)(fx *f);
} tcase;

static int new_with(fx *f, svcq_metrics_options *o)
{
    svcq_metrics *m;
    int rc = svcq_metrics_new(&m, f->ctx, o);
    if (!rc)
        svcq_metrics_free(m);
    return rc;
}

#define OPT_CASE(fn, stmt)                         \
    static int fn(fx *f)                           \
    {                                              \
        svcq_metrics_options o = SVCQ_METRICS_OPTIONS_INIT; \
        stmt;                                      \
        return new_with(f, &o);                    \
    }
OPT_CASE(c_new_version, o.version = 9)
OPT_CASE(c_new_name, o.name = "a/b")
OPT_CASE(c_new_flags, o.flags = 0x80)
OPT_CASE(c_new_fcr, o.fcr_definition = 9)
OPT_CASE(c_new_days, o.fcr_reopen_days = 400)
OPT_CASE(c_new_attr, o.attribution = 7)
OPT_CASE(c_new_periods, o.periods = 0x1)
OPT_CASE(c_new_dims, o.dimensions = 0x200)
OPT_CASE(c_new_target_bits, o.target_mask = 0x1)
OPT_CASE(c_new_target_value, o.targets[SVCQ_METRICS_FCR] = -1)
OPT_CASE(c_new_reserved, o.reserved[3] = 1)

static int c_new_other_ctx(fx *f)
{
    svcq_ctx *other;
    assert_int_equal(svcq_ctx_new(&other, NULL), SVCQ_OK);
    svcq_calendar *cal;
    assert_int_equal(svcq_calendar_new_24x7(&cal, other), SVCQ_OK);
    svcq_metrics_options o = SVCQ_METRICS_OPTIONS_INIT;
    o.calendar = cal;
    int rc = new_with(f, &o);
    svcq_calendar_free(cal);
    svcq_ctx_free(other);
    return rc;
}

#define FACT_CASE(fn, stmt)                        \
    static int fn(fx *f)                           \
    {                                              \
        svcq_metrics_fact x = mx_fact("f2", T0);   \
        stmt;                                      \
        return svcq_metrics_fact_put(f->m, &x);    \
    }
FACT_CASE(c_fact_version, x.version = 7)
FACT_CASE(c_fact_id, x.id = "")
FACT_CASE(c_fact_received, x.received = SVCQ_METRICS_NO_TIME)
FACT_CASE(c_fact_order, x.first_reply = T0 - 1)
FACT_CASE(c_fact_csat, x.csat = 9)
FACT_CASE(c_fact_measures, (x.measures_due = 1, x.measures_on_time = 2))
FACT_CASE(c_fact_control, x.client = "a\tb")
FACT_CASE(c_fact_reopen, x.reopened = T0 + 60)
FACT_CASE(c_fact_range, x.resolved = INT64_MAX)
FACT_CASE(c_fact_reserved, x.reserved[1] = 1)
static int c_fact_sla_twice(fx *f)
{
    static const char *const t[2] = { "first_response", "first_response" };
    static const int32_t o[2] = { 1, 2 };
    svcq_metrics_fact x = mx_fact("f2", T0);
    x.sla_targets = t;
    x.sla_outcomes = o;
    x.sla_count = 2;
    return svcq_metrics_fact_put(f->m, &x);
}

static int c_bounds_kind(fx *f) { return svcq_metrics_period_bounds(NULL, NULL, NULL, 0, f->m, 9, T0); }
static int c_bounds_label(fx *f)
{
    char l[8];
    return svcq_metrics_period_bounds(NULL, NULL, l, sizeof(l), f->m, SVCQ_METRICS_WEEK, T0);
}
static int c_bounds_range(fx *f)
{
    return svcq_metrics_period_bounds(NULL, NULL, NULL, 0, f->m, SVCQ_METRICS_WEEK, INT64_MAX / 2);
}

static int c_kpi_version(fx *f)
{
    svcq_metrics_value v = SVCQ_METRICS_VALUE_INIT;
    v.version = 0;
    return svcq_metrics_kpi_get(&v, f->m, SVCQ_METRICS_FCR, SVCQ_METRICS_WEEK, T0, 0, NULL);
}
static int c_kpi_unknown(fx *f)
{
    svcq_metrics_value v = SVCQ_METRICS_VALUE_INIT;
    return svcq_metrics_kpi_get(&v, f->m, 99, SVCQ_METRICS_WEEK, T0, 0, NULL);
}
static int c_kpi_period(fx *f)
{
    svcq_metrics_value v = SVCQ_METRICS_VALUE_INIT;
    return svcq_metrics_kpi_get(&v, f->weeks, SVCQ_METRICS_FCR, SVCQ_METRICS_MONTH, T0, 0, NULL);
}
static int c_kpi_value(fx *f)
{
    svcq_metrics_value v = SVCQ_METRICS_VALUE_INIT;
    return svcq_metrics_kpi_get(&v, f->m, SVCQ_METRICS_FCR, SVCQ_METRICS_WEEK, T0, SVCQ_METRICS_DIM_TIER, NULL);
}
static int c_kpi_dim(fx *f)
{
    svcq_metrics_value v = SVCQ_METRICS_VALUE_INIT;
    return svcq_metrics_kpi_get(&v, f->m, SVCQ_METRICS_FCR, SVCQ_METRICS_WEEK, T0, 42, "x");
}
static int c_kpi_range(fx *f)
{
    svcq_metrics_value v = SVCQ_METRICS_VALUE_INIT;
    return svcq_metrics_kpi_get(&v, f->m, SVCQ_METRICS_FCR, SVCQ_METRICS_WEEK, INT64_MIN / 2, 0, NULL);
}
static int c_sla_version(fx *f)
{
    svcq_metrics_value v = SVCQ_METRICS_VALUE_INIT;
    v.version = 5;
    return svcq_metrics_sla_compliance(&v, f->m, SVCQ_METRICS_WEEK, T0, 0, NULL, NULL);
}

static int c_export_format(fx *f)
{
    return svcq_metrics_kpis_export(f->m, SVCQ_METRICS_WEEK, T0, 0, NULL, SVCQ_METRICS_SVG_TOP, &f->sink);
}
static int c_export_writer(fx *f)
{
    return svcq_metrics_kpis_export(f->m, SVCQ_METRICS_WEEK, T0, 0, NULL, SVCQ_METRICS_JSON, &f->failing);
}

#define REPORT_CASE(fn, stmt, set)                                                \
    static int fn(fx *f)                                                          \
    {                                                                             \
        svcq_metrics_report r = SVCQ_METRICS_REPORT_INIT;                         \
        r.week_of = T0;                                                           \
        stmt;                                                                     \
        return svcq_metrics_weekly_report(set, &r, SVCQ_METRICS_MARKDOWN, &f->sink); \
    }
REPORT_CASE(c_report_version, r.version = 9, f->m)
REPORT_CASE(c_report_top, r.top = 0, f->m)
REPORT_CASE(c_report_trend, r.trend_weeks = 0, f->m)
REPORT_CASE(c_report_kpi, r.trend_kpi = 77, f->m)
REPORT_CASE(c_report_archive, r.archive = 0x40, f->m)
REPORT_CASE(c_report_both, (r.archive = SVCQ_METRICS_ARCHIVE_OVERDUE, r.overdue_measures = 2), f->m)
REPORT_CASE(c_report_counts, r.open_incidents = -5, f->m)
REPORT_CASE(c_report_reporters, r.reporter_count = 3, f->m)
static int c_report_writer(fx *f)
{
    svcq_metrics_report r = SVCQ_METRICS_REPORT_INIT;
    r.week_of = T0;
    return svcq_metrics_weekly_report(f->m, &r, SVCQ_METRICS_JSON, &f->failing);
}

static int c_import_format(fx *f)
{
    return svcq_metrics_import(NULL, NULL, f->m, 9, "x", 1, NULL, NULL);
}
static int c_import_header(fx *f)
{
    static const char csv[] = "id,received,colour\r\nx,2026-01-05T09:00:00Z,red\r\n";
    return svcq_metrics_import(NULL, NULL, f->m, SVCQ_METRICS_IMPORT_CSV, csv, sizeof(csv) - 1, NULL, NULL);
}
static int stop_at_first(uint64_t line, uint64_t column, int code, const char *message, void *ud)
{
    (void)line, (void)column, (void)code, (void)message, (void)ud;
    return SVCQ_EABORTED;
}
static int c_import_stopped(fx *f)
{
    static const char jl[] = "{\"id\": \"x\"}\n";
    return svcq_metrics_import(NULL, NULL, f->m, SVCQ_METRICS_IMPORT_JSONL, jl, sizeof(jl) - 1, stop_at_first, NULL);
}

static int c_due_level(fx *f)
{
    uint32_t mask;
    return svcq_metrics_due(&mask, f->m, f->profiles, 99, T0);
}
static int c_cycle_tier(fx *f)
{
    return svcq_metrics_cycle_report(f->m, f->profiles, 0, "", T0, SVCQ_METRICS_MARKDOWN, &f->sink);
}
static int c_risk_periods(fx *f)
{
    return svcq_metrics_risk_points(f->m, SVCQ_METRICS_WEEK, T0, 1, SVCQ_METRICS_MARKDOWN, &f->sink);
}

static int c_load_periods(fx *f)
{
    svcq_metrics_options o = SVCQ_METRICS_OPTIONS_INIT;
    o.name = "weekly";
    o.dimensions = 1u << SVCQ_METRICS_DIM_TIER; /* fewer than stored */
    svcq_metrics *m;
    return svcq_metrics_load(&m, f->ctx, &o);
}
static int c_load_name(fx *f)
{
    svcq_metrics_options o = SVCQ_METRICS_OPTIONS_INIT;
    o.name = "x/y";
    svcq_metrics *m;
    return svcq_metrics_load(&m, f->ctx, &o);
}
static int c_incident_null(fx *f) { return svcq_metrics_put_incident(f->m, NULL, NULL); }

static const tcase cases[] = {
    { "new version", SVCQ_EVERSION, "version 9", c_new_version },
    { "new name", SVCQ_EINVAL, "a/b", c_new_name },
    { "new flags", SVCQ_EINVAL, "0x80", c_new_flags },
    { "new fcr", SVCQ_EINVAL, "FCR definition 9", c_new_fcr },
    { "new reopen days", SVCQ_EINVAL, "400 days", c_new_days },
    { "new attribution", SVCQ_EINVAL, "attribution 7", c_new_attr },
    { "new periods", SVCQ_EINVAL, "period bits 0x1", c_new_periods },
    { "new dimensions", SVCQ_EINVAL, "dimension bits 0x200", c_new_dims },
    { "new target bits", SVCQ_EINVAL, "target bits 0x1", c_new_target_bits },
    { "new target value", SVCQ_EINVAL, "target of fcr", c_new_target_value },
    { "new reserved", SVCQ_EINVAL, "reserved", c_new_reserved },
    { "new calendar of another context", SVCQ_EINVAL, "another context", c_new_other_ctx },
    { "fact version", SVCQ_EVERSION, "fact version 7", c_fact_version },
    { "fact id", SVCQ_EINVAL, "needs an id", c_fact_id },
    { "fact received", SVCQ_EINVAL, "no received time", c_fact_received },
    { "fact order", SVCQ_EINVAL, "first_reply is before received", c_fact_order },
    { "fact csat", SVCQ_EINVAL, "csat 9", c_fact_csat },
    { "fact measures", SVCQ_EINVAL, "2 measures on time of 1 due", c_fact_measures },
    { "fact control", SVCQ_EINVAL, "\"client\" contains a control character", c_fact_control },
    { "fact reopen", SVCQ_EINVAL, "reopened without a resolution", c_fact_reopen },
    { "fact range", SVCQ_ERANGE, "resolved", c_fact_range },
    { "fact reserved", SVCQ_EINVAL, "f2", c_fact_reserved },
    { "fact sla twice", SVCQ_EINVAL, "first_response appears twice", c_fact_sla_twice },
    { "bounds kind", SVCQ_EINVAL, "period kind 9", c_bounds_kind },
    { "bounds label", SVCQ_EINVAL, "16 bytes", c_bounds_label },
    { "bounds range", SVCQ_ERANGE, "outside the supported range", c_bounds_range },
    { "kpi version", SVCQ_EVERSION, "value version 0", c_kpi_version },
    { "kpi unknown", SVCQ_EINVAL, "KPI 99", c_kpi_unknown },
    { "kpi period", SVCQ_EINVAL, "month is not rolled up", c_kpi_period },
    { "kpi value", SVCQ_EINVAL, "tier needs a value", c_kpi_value },
    { "kpi dimension", SVCQ_EINVAL, "dimension 42", c_kpi_dim },
    { "kpi range", SVCQ_ERANGE, "outside the supported range", c_kpi_range },
    { "sla version", SVCQ_EVERSION, "value version 5", c_sla_version },
    { "export format", SVCQ_EINVAL, "format 4", c_export_format },
    { "export writer", SVCQ_EIO, "writer", c_export_writer },
    { "report version", SVCQ_EVERSION, "request version 9", c_report_version },
    { "report top", SVCQ_EINVAL, "top 0", c_report_top },
    { "report trend", SVCQ_EINVAL, "trend of 0 weeks", c_report_trend },
    { "report trend kpi", SVCQ_EINVAL, "trend KPI 77", c_report_kpi },
    { "report archive bits", SVCQ_EINVAL, "archive bits 0x40", c_report_archive },
    { "report archive and host", SVCQ_EINVAL, "also given by the host", c_report_both },
    { "report counts", SVCQ_EINVAL, "-1 or more", c_report_counts },
    { "report reporters", SVCQ_EINVAL, "3 reporters", c_report_reporters },
    { "report writer", SVCQ_EIO, "writer", c_report_writer },
    { "import format", SVCQ_EINVAL, "import format 9", c_import_format },
    { "import header", SVCQ_EPARSE, "unknown field \"colour\"", c_import_header },
    { "import stopped", SVCQ_EABORTED, "stopped by the reject callback at line 1", c_import_stopped },
    { "due level", SVCQ_EINVAL, "tier level 99", c_due_level },
    { "cycle tier", SVCQ_EINVAL, "needs the tier's value", c_cycle_tier },
    { "risk periods", SVCQ_EINVAL, "1 periods", c_risk_periods },
    { "load options", SVCQ_EINVAL, "which the options do not roll up", c_load_periods },
    { "load name", SVCQ_EINVAL, "x/y", c_load_name },
    { "put_incident NULL incident", SVCQ_EINVAL, "svcq_metrics_put_incident", c_incident_null },
};

static void every_case(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fx f;
        fx_make(&f);
        svcq_metrics_options o = SVCQ_METRICS_OPTIONS_INIT;
        o.name = "sentinel/zz";
        svcq_metrics *m;
        assert_int_equal(svcq_metrics_new(&m, f.ctx, &o), SVCQ_EINVAL);
        char sentinel[512];
        snprintf(sentinel, sizeof(sentinel), "%s", svcq_ctx_errmsg(f.ctx));
        assert_non_null(strstr(sentinel, "sentinel/zz"));
        int rc = cases[i].call(&f);
        const char *msg = svcq_ctx_errmsg(f.ctx);
        if (rc != cases[i].code)
            fail_msg("%s: returned %d (%s), expected %d; message \"%s\"", cases[i].name, rc, svcq_strerror(rc),
                     cases[i].code, msg);
        if (!msg[0] || strcmp(msg, sentinel) == 0)
            fail_msg("%s: the call left no message of its own (\"%s\")", cases[i].name, msg);
        if (!strstr(msg, cases[i].mentions))
            fail_msg("%s: the message \"%s\" does not mention \"%s\"", cases[i].name, msg, cases[i].mentions);
        fx_free(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_case),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
