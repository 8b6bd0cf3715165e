/* Facts from incidents and the weekly report's inputs from the incident
 * archive, on a hand-worked timeline (UTC, 7×24 business time):
 *
 *   T0 = 2026-01-01T02:00Z (Thursday of 2026-W01)
 *   INC-1 service delay, technical support, phone, client-42, reporter Li Na
 *         reported T0, confirmed T0+1800 (process gap), two measures due
 *         T0+3600+7 d, both done at T0+3600, closed at T0+3600+31 d;
 *   INC-2 customer complaint, complaint handling, WeChat, client-7,
 *         reporter Wang Fang; reported T0+600, confirmed T0+3600 (process
 *         gap); stays confirmed;
 *   INC-3 like INC-1, reported T0+7200, confirmed T0+7260 (customer
 *         cause); stays confirmed; given INC-1's similarity key once INC-1
 *         is closed (so similar to it: a repeat);
 *   INC-4 like INC-1 but equipment failure (not similar), reported
 *         T0+7300, confirmed at once, one measure due T0+7300+7 d, left
 *         executing: overdue from then on.
 * The clock then stands at T0+3600+31 d (2026-02-01T03:00Z, in 2026-W05).
 *
 * Facts (week 2026-W01, cohort): 4 raised; responses 1800, 3000, 60, 0 s;
 * resolved 1 (INC-1); 1 complaint (INC-2, category complaint_handling);
 * repeats 1 (INC-3); measures due 3 (INC-1's two, done on time; INC-4's
 * one, overdue now), on time 2. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "incident_fixture.h"
#include "metrics_fixture.h"

typedef struct fx {
    svcq_ctx *ctx;
    svcq_analysis *a1, *a4;
    svcq_incident *inc[4];
} fx;

static void ok(svcq_ctx *ctx, int rc, const char *what)
{
    if (rc)
        fail_msg("%s: %s", what, svcq_ctx_errmsg(ctx));
}

static void confirm(svcq_ctx *ctx, svcq_incident *inc, const char *category)
{
    ok(ctx, svcq_incident_add_confirmer(inc, "Zhao Min", "supervisor", "Zhao Min", "service_supervisor"), "c1");
    ok(ctx, svcq_incident_add_confirmer(inc, "Zhao Min", "supervisor", "Sun Li", "quality_staff"), "c2");
    svcq_incident_confirmation c = SVCQ_INCIDENT_CONFIRMATION_INIT;
    c.real = 1;
    c.category = category;
    c.responsible_unit = "Support tier 1";
    ok(ctx, svcq_incident_confirm(inc, "Zhao Min", "supervisor", &c), "confirm");
}

/* confirmed -> executing with one measure per call of fx_measure. */
static void to_executing(svcq_ctx *ctx, svcq_incident *inc, svcq_analysis *a, int measures)
{
    char root[64];
    snprintf(root, sizeof(root), "%s:c1", svcq_analysis_id(a));
    ok(ctx, svcq_incident_transition(inc, "Sun Li", "quality_staff", SVCQ_INCIDENT_ANALYSING, NULL), "analysing");
    ok(ctx, svcq_incident_attach_analysis(inc, "Sun Li", "quality_staff", a), "attach");
    ok(ctx, svcq_incident_transition(inc, "Sun Li", "quality_staff", SVCQ_INCIDENT_PLANNING, NULL), "planning");
    for (int i = 0; i < measures; i++)
        ok(ctx, fx_measure(NULL, inc, root, i ? "Queue alarm" : "Handover checklist", 1000), "measure");
    ok(ctx, svcq_incident_transition(inc, "Zhao Min", "supervisor", SVCQ_INCIDENT_EXECUTING, "approved"),
       "executing");
}

static int setup(void **state)
{
    fx *x = calloc(1, sizeof(*x));
    svcq_ctx_options o = SVCQ_CTX_OPTIONS_INIT;
    fx_options(&o);
    assert_int_equal(svcq_ctx_new(&x->ctx, &o), SVCQ_OK);
    svcq_ctx *ctx = x->ctx;
    fx_now_value = FX_T0;
    ok(ctx, fx_report(&x->inc[0], ctx, "INC-1"), "INC-1");
    fx_now_value = FX_T0 + 600;
    svcq_incident_report_spec s = SVCQ_INCIDENT_REPORT_SPEC_INIT;
    s.type = SVCQ_INCIDENT_TYPE_CUSTOMER_COMPLAINT;
    s.stage = SVCQ_INCIDENT_STAGE_COMPLAINT_HANDLING;
    s.channel = SVCQ_INCIDENT_CHANNEL_WECHAT;
    s.observed = "Bill charged twice";
    s.reporter_name = "Wang Fang";
    s.client = "client-7";
    ok(ctx, svcq_incident_report(&x->inc[1], ctx, "INC-2", &s, "Wang Fang", "agent"), "INC-2");
    fx_now_value = FX_T0 + 1800;
    confirm(ctx, x->inc[0], SVCQ_INCIDENT_RESP_PROCESS_GAP);
    fx_now_value = FX_T0 + 3600;
    confirm(ctx, x->inc[1], SVCQ_INCIDENT_RESP_PROCESS_GAP);
    ok(ctx, fx_analysis(&x->a1, ctx, "a-INC-1"), "a1");
    to_executing(ctx, x->inc[0], x->a1, 2);
    ok(ctx, svcq_incident_set_measure_state(x->inc[0], "Wang Wei", "team_lead", "m1", SVCQ_INCIDENT_MEASURE_DONE,
                                            NULL),
       "m1 done");
    ok(ctx, svcq_incident_set_measure_state(x->inc[0], "Wang Wei", "team_lead", "m2", SVCQ_INCIDENT_MEASURE_DONE,
                                            NULL),
       "m2 done");
    ok(ctx, svcq_incident_transition(x->inc[0], "Zhao Min", "supervisor", SVCQ_INCIDENT_VERIFYING, NULL), "verify");
    fx_now_value = FX_T0 + 7200;
    ok(ctx, fx_report(&x->inc[2], ctx, "INC-3"), "INC-3");
    fx_now_value = FX_T0 + 7260;
    /* Another responsibility at first, so INC-1's verification does not
     * count it as a recurrence; made similar once INC-1 is closed. */
    confirm(ctx, x->inc[2], SVCQ_INCIDENT_RESP_CUSTOMER_CAUSE);
    fx_now_value = FX_T0 + 7300;
    ok(ctx, fx_report(&x->inc[3], ctx, "INC-4"), "INC-4");
    confirm(ctx, x->inc[3], SVCQ_INCIDENT_RESP_EQUIPMENT_FAILURE);
    ok(ctx, fx_analysis(&x->a4, ctx, "a-INC-4"), "a4");
    to_executing(ctx, x->inc[3], x->a4, 1);
    /* INC-1 closes after its observation window. */
    fx_now_value = FX_T0 + 3600 + 31 * FX_DAY;
    svcq_incident *i1 = x->inc[0];
    ok(ctx, svcq_incident_record_indicator(i1, "Sun Li", "quality_staff", "m1", 800), "ind1");
    ok(ctx, svcq_incident_record_indicator(i1, "Sun Li", "quality_staff", "m2", 900), "ind2");
    ok(ctx, svcq_incident_verify(NULL, i1, "Sun Li", "quality_staff", 4100, 4600, "looks good"), "verdict");
    ok(ctx, svcq_incident_add_improvement(i1, "Zhao Min", "supervisor", "operating_manual", "doc://m#4", "s4"), "imp");
    ok(ctx, svcq_incident_set_lessons(i1, "Zhao Min", "supervisor", "Write the handover down"), "lessons");
    ok(ctx, svcq_incident_transition(i1, "Zhao Min", "supervisor", SVCQ_INCIDENT_CLOSED, NULL), "close");
    ok(ctx, svcq_incident_set_similarity_key(x->inc[2], "Sun Li", "quality_staff", svcq_incident_similarity_key(i1)),
       "similar");
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    fx *x = *state;
    for (int i = 0; i < 4; i++)
        svcq_incident_free(x->inc[i]);
    svcq_analysis_free(x->a1);
    svcq_analysis_free(x->a4);
    svcq_ctx_free(x->ctx);
    free(x);
    return 0;
}

static svcq_metrics_value kpi(svcq_metrics *m, svcq_ctx *ctx, int32_t k, int32_t dim, const char *v)
{
    svcq_metrics_value out = SVCQ_METRICS_VALUE_INIT;
    if (svcq_metrics_kpi_get(&out, m, k, SVCQ_METRICS_WEEK, FX_T0, dim, v))
        fail_msg("kpi %s: %s", svcq_metrics_kpi_name(k), svcq_ctx_errmsg(ctx));
    return out;
}

static void test_facts(void **state)
{
    fx *x = *state;
    svcq_ctx *ctx = x->ctx;
    svcq_metrics *m;
    assert_int_equal(svcq_metrics_new(&m, ctx, NULL), SVCQ_OK);
    /* The host adds what incidents do not hold: a tier for INC-1. */
    svcq_metrics_fact extra = SVCQ_METRICS_FACT_INIT;
    extra.tier = "tier.1";
    extra.id = "ignored";
    extra.received = 12345;
    ok(ctx, svcq_metrics_put_incident(m, x->inc[0], &extra), "put INC-1");
    for (int i = 1; i < 4; i++)
        ok(ctx, svcq_metrics_put_incident(m, x->inc[i], NULL), "put");
    assert_int_equal(svcq_metrics_fact_count(m), 4);
    /* Again: the same facts replace themselves. */
    ok(ctx, svcq_metrics_put_incident(m, x->inc[3], NULL), "put INC-4 again");
    assert_int_equal(svcq_metrics_fact_count(m), 4);
    const int A = SVCQ_METRICS_DIM_ALL;
    svcq_metrics_value v = kpi(m, ctx, SVCQ_METRICS_RESPONSE_MEAN, A, NULL);
    assert_int_equal(v.numerator, 1800 + 3000 + 60 + 0);
    assert_int_equal(v.denominator, 4);
    v = kpi(m, ctx, SVCQ_METRICS_RESOLUTION_RATE, A, NULL);
    assert_int_equal(v.numerator, 1);
    assert_int_equal(v.denominator, 4);
    v = kpi(m, ctx, SVCQ_METRICS_RECURRENCE_RATE, A, NULL);
    assert_int_equal(v.numerator, 1);
    assert_int_equal(v.denominator, 4);
    v = kpi(m, ctx, SVCQ_METRICS_MEASURES_ON_TIME, A, NULL);
    assert_int_equal(v.numerator, 2);
    assert_int_equal(v.denominator, 3);
    /* Complaints by their service stage; distinct clients 42 and 7. */
    v = kpi(m, ctx, SVCQ_METRICS_COMPLAINT_RATE, A, NULL);
    assert_int_equal(v.numerator, 1);
    assert_int_equal(v.denominator, 2);
    v = kpi(m, ctx, SVCQ_METRICS_RESOLUTION_RATE, SVCQ_METRICS_DIM_COMPLAINT, "complaint_handling");
    assert_int_equal(v.denominator, 1);
    v = kpi(m, ctx, SVCQ_METRICS_RESOLUTION_RATE, SVCQ_METRICS_DIM_CHANNEL, "wechat");
    assert_int_equal(v.denominator, 1);
    v = kpi(m, ctx, SVCQ_METRICS_RESOLUTION_RATE, SVCQ_METRICS_DIM_CATEGORY, "service_delay");
    assert_int_equal(v.numerator, 1);
    assert_int_equal(v.denominator, 3);
    v = kpi(m, ctx, SVCQ_METRICS_RESOLUTION_RATE, SVCQ_METRICS_DIM_TIER, "tier.1");
    assert_int_equal(v.denominator, 1);
    v = kpi(m, ctx, SVCQ_METRICS_RECURRENCE_RATE, SVCQ_METRICS_DIM_LOCATION, "Support centre, Shenzhen");
    assert_int_equal(v.numerator, 1);
    assert_int_equal(v.denominator, 3);
    /* Refusals. */
    assert_int_equal(svcq_metrics_put_incident(m, NULL, NULL), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "svcq_metrics_put_incident: NULL argument"));
    extra.version = 99;
    assert_int_equal(svcq_metrics_put_incident(m, x->inc[0], &extra), SVCQ_EVERSION);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "incident INC-1: fact version 99"));
    extra.version = SVCQ_METRICS_FACT_VERSION;
    extra.csat = 9;
    assert_int_equal(svcq_metrics_put_incident(m, x->inc[0], &extra), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "csat 9"));
    assert_int_equal(svcq_metrics_fact_count(m), 4);
    svcq_metrics_free(m);
}

static char *report(svcq_metrics *m, svcq_ctx *ctx, svcq_metrics_report *req, int32_t format)
{
    mx_sink s;
    svcq_writer w = mx_writer(&s);
    if (svcq_metrics_weekly_report(m, req, format, &w))
        fail_msg("report: %s", svcq_ctx_errmsg(ctx));
    return s.text;
}

static void test_report_inputs(void **state)
{
    fx *x = *state;
    svcq_ctx *ctx = x->ctx;
    svcq_metrics *m;
    assert_int_equal(svcq_metrics_new(&m, ctx, NULL), SVCQ_OK);
    svcq_metrics_report req = SVCQ_METRICS_REPORT_INIT;
    req.week_of = FX_T0;
    req.archive = SVCQ_METRICS_ARCHIVE_ALL;
    /* W01: INC-2, 3 and 4 are open; no measure overdue before 5 January;
     * reporters Li Na (INC-1, 3, 4) and Wang Fang (INC-2). */
    char *md = report(m, ctx, &req, SVCQ_METRICS_MARKDOWN);
    assert_non_null(strstr(md, "- open incidents: 3\n"));
    assert_non_null(strstr(md, "- overdue measures: 0\n"));
    assert_non_null(strstr(md, "- Li Na: 3\n- Wang Fang: 1\n"));
    /* The same as the host giving those inputs. */
    svcq_metrics_report host = SVCQ_METRICS_REPORT_INIT;
    host.week_of = FX_T0;
    host.open_incidents = 3;
    host.overdue_measures = 0;
    static const char *const names[2] = { "Wang Fang", "Li Na" };
    static const int64_t counts[2] = { 1, 3 };
    host.reporter_names = names;
    host.reporter_counts = counts;
    host.reporter_count = 2;
    for (int32_t f = SVCQ_METRICS_MARKDOWN; f <= SVCQ_METRICS_CSV; f++) {
        char *a = report(m, ctx, &req, f), *b = report(m, ctx, &host, f);
        assert_string_equal(a, b);
        free(a);
        free(b);
    }
    free(md);
    /* W05: INC-4's measure is overdue; nobody reported. Only some inputs
     * from the archive, the open count from the host. */
    req.week_of = fx_now_value;
    req.archive = SVCQ_METRICS_ARCHIVE_OVERDUE | SVCQ_METRICS_ARCHIVE_REPORTERS;
    req.open_incidents = 7;
    md = report(m, ctx, &req, SVCQ_METRICS_MARKDOWN);
    assert_non_null(strstr(md, "- open incidents: 7\n"));
    assert_non_null(strstr(md, "- overdue measures: 1\n"));
    assert_non_null(strstr(md, "## Reporters of the week\n\nNone given.\n"));
    free(md);
    /* Refusals: an input from both; unknown bits; archive in version 1. */
    svcq_writer w = SVCQ_WRITER_INIT;
    mx_sink s;
    w = mx_writer(&s);
    req.archive = SVCQ_METRICS_ARCHIVE_OPEN;
    assert_int_equal(svcq_metrics_weekly_report(m, &req, SVCQ_METRICS_JSON, &w), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "also given by the host"));
    req.archive = 0x10;
    assert_int_equal(svcq_metrics_weekly_report(m, &req, SVCQ_METRICS_JSON, &w), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "unknown archive bits 0x10"));
    req.archive = SVCQ_METRICS_ARCHIVE_OVERDUE;
    req.version = 1;
    assert_int_equal(svcq_metrics_weekly_report(m, &req, SVCQ_METRICS_JSON, &w), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "reserved fields must be zero"));
    assert_null(s.text);
    svcq_metrics_free(m);
}

int main(void)
{
    (void)fx_step; /* the fixture's full lifecycle: not used here */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_facts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_inputs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
