/* The weekly report on a hand-made fixture: ties in the top 3, a category
 * new this week, one that vanished, SLA breaches by tier, host-supplied
 * counts and reporters, the trend; Markdown, JSON and CSV compared byte
 * for byte with tests/data/metrics (written by this test with
 * SVCQ_REGEN=1). Also the import of JSON lines and CSV with per-line
 * errors, evaluation cycles and risk points.
 *
 * With an output directory argument the program only writes the weekly
 * report and its two SVG charts there (for the Python XML check and the
 * docs). */
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

static void put(fx *x, const char *id, int mo, int d, const char *cat, const char *tier, int32_t sla)
{
    static const char *const t[1] = { "first_response" };
    svcq_metrics_fact f = mx_fact(id, mx_local(x->tz, 2026, mo, d, 10, 0));
    f.complaint = 1;
    f.complaint_category = cat;
    f.category = cat;
    f.tier = tier;
    f.client = id;
    f.first_reply = f.received + 1200;
    f.resolved = f.received + 3600;
    f.agent_replies = 1;
    f.csat = 4;
    f.sla_targets = t;
    f.sla_outcomes = &sla;
    f.sla_count = 1;
    if (svcq_metrics_fact_put(x->m, &f))
        fail_msg("put %s: %s", id, svcq_ctx_errmsg(x->ctx));
}

/* Previous week 2026-W02 (5-11 January): Alpha 3, Gamma 2, Beta 1, Delta 1.
 * This week 2026-W03 (12-18 January): Beta 2, Gamma 2, Epsilon 2 (new),
 * Zeta 1; Alpha vanished. Ranking: count, then previous count, then name:
 * Gamma (2, prev 2), Beta (2, prev 1), Epsilon (2, new). Previous top 3:
 * Alpha 3, Gamma 2, Beta 1 (Beta before Delta by name): Alpha vanished. */
static void fill(fx *x)
{
    const int M = SVCQ_METRICS_SLA_MET, B = SVCQ_METRICS_SLA_BREACHED;
    put(x, "p1", 1, 5, "Alpha & <Co>", "tier.1", M);
    put(x, "p2", 1, 6, "Alpha & <Co>", "tier.1", M);
    put(x, "p3", 1, 7, "Alpha & <Co>", "tier.2", B);
    put(x, "p4", 1, 7, "Gamma", "tier.2", M);
    put(x, "p5", 1, 8, "Gamma", "tier.2", M);
    put(x, "p6", 1, 9, "Beta", "tier.1", M);
    put(x, "p7", 1, 9, "Delta", "tier.3", M);
    put(x, "n1", 1, 12, "Beta", "tier.1", B);
    put(x, "n2", 1, 13, "Beta", "tier.1", M);
    put(x, "n3", 1, 13, "Gamma", "tier.2", B);
    put(x, "n4", 1, 14, "Gamma", "tier.2", M);
    put(x, "n5", 1, 14, "Epsilon", "tier.2", M);
    put(x, "n6", 1, 15, "Epsilon", "tier.3", B);
    put(x, "n7", 1, 16, "Zeta & <Co>", "tier.3", M);
    /* A non-complaint ticket, slow (2 h to first reply). */
    svcq_metrics_fact f = mx_fact("q1", mx_local(x->tz, 2026, 1, 16, 9, 0));
    f.first_reply = f.received + 7200;
    f.client = "q1";
    f.tier = "tier.1";
    if (svcq_metrics_fact_put(x->m, &f))
        fail_msg("put q1: %s", svcq_ctx_errmsg(x->ctx));
}

static void fx_open(fx *x)
{
    assert_int_equal(svcq_ctx_new(&x->ctx, NULL), SVCQ_OK);
    x->tz = mx_zone(x->ctx, "Asia/Shanghai");
    x->cal = mx_office(x->ctx, x->tz);
    svcq_metrics_options o = SVCQ_METRICS_OPTIONS_INIT;
    o.calendar = x->cal;
    assert_int_equal(svcq_metrics_new(&x->m, x->ctx, &o), SVCQ_OK);
}

static void fx_close(fx *x)
{
    svcq_metrics_free(x->m);
    svcq_calendar_free(x->cal);
    svcq_tz_free(x->tz);
    svcq_ctx_free(x->ctx);
}

static int setup(void **state)
{
    fx *x = calloc(1, sizeof(*x));
    fx_open(x);
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    fx_close(*state);
    free(*state);
    return 0;
}

static const char *const REPORTERS[3] = { "wang", "li", "zhao" };
static const int64_t REPORTS[3] = { 2, 5, 2 };

static char *report(fx *x, int32_t format)
{
    svcq_metrics_report req = SVCQ_METRICS_REPORT_INIT;
    req.week_of = mx_local(x->tz, 2026, 1, 15, 12, 0);
    req.trend_weeks = 4;
    req.open_incidents = 3;
    req.overdue_measures = 1;
    req.reporter_names = REPORTERS;
    req.reporter_counts = REPORTS;
    req.reporter_count = 3;
    mx_sink s;
    svcq_writer w = mx_writer(&s);
    int rc = svcq_metrics_weekly_report(x->m, &req, format, &w);
    if (rc)
        fail_msg("report %d: %s", (int)format, svcq_ctx_errmsg(x->ctx));
    return s.text;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (fread(s, 1, (size_t)n, f) != (size_t)n)
        n = 0;
    s[n] = '\0';
    fclose(f);
    return s;
}

static void against_fixture(const char *text, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/metrics/%s", SVCQ_TEST_DATA, name);
    if (getenv("SVCQ_REGEN")) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
    }
    char *want = slurp(path);
    if (!want)
        fail_msg("missing fixture %s", path);
    if (strcmp(text, want))
        fail_msg("%s differs:\n%s", name, text);
    free(want);
}

static void test_weekly(void **state)
{
    fx *x = *state;
    fill(x);
    char *md = report(x, SVCQ_METRICS_MARKDOWN), *js = report(x, SVCQ_METRICS_JSON), *csv = report(x, SVCQ_METRICS_CSV);
    /* The ranking with its tie rule, the new category and the vanished one. */
    const char *g = strstr(md, "| 1 | Gamma | 2 | 28.571 % | 2 | +0 | 0.000 |");
    const char *b = strstr(md, "| 2 | Beta | 2 | 28.571 % | 1 | +1 | 100.000 |");
    const char *e = strstr(md, "| 3 | Epsilon | 2 | 28.571 % | 0 | +2 | new |");
    assert_non_null(g);
    assert_non_null(b);
    assert_non_null(e);
    assert_non_null(strstr(md, "Vanished from last week's top list: Alpha & \\<Co> (3 last week)."));
    assert_null(strstr(md, "Zeta"));
    /* SLA by tier this week: tier.1 n1 breached, n2 met, q1 none; tier.2
     * n3 breached, n4 n5 met; tier.3 n6 breached, n7 met. */
    assert_non_null(strstr(md, "| tier.1 | 2 | 1 | 1 | 50.000 |"));
    assert_non_null(strstr(md, "| tier.2 | 3 | 2 | 1 | 66.667 |"));
    assert_non_null(strstr(md, "| tier.3 | 2 | 1 | 1 | 50.000 |"));
    /* Reporters by count, then name. */
    const char *li = strstr(md, "- li: 5"), *wang = strstr(md, "- wang: 2"), *zhao = strstr(md, "- zhao: 2");
    assert_true(li && wang && zhao && li < wang && wang < zhao);
    /* Mean response this week: 7 x 1200 + 7200 = 15600 / 8 = 1950 s,
     * above the 1800 s target. */
    assert_non_null(strstr(md, "| response_mean | 1950.000 | seconds | 15600 | 8 | 0 | <= 1800.000 | missed |"));
    assert_non_null(strstr(js, "\"new\": true"));
    assert_non_null(strstr(js, "\"change_percent\": null"));
    assert_non_null(strstr(csv, "2026-W03,vanished,,Alpha & <Co>,0,3,-3,-100.000,,,\r\n"));
    against_fixture(md, "weekly.md");
    against_fixture(js, "weekly.json");
    against_fixture(csv, "weekly.csv");
    char *top = report(x, SVCQ_METRICS_SVG_TOP), *trend = report(x, SVCQ_METRICS_SVG_TREND);
    assert_non_null(strstr(top, "Zeta") == NULL ? top : NULL);
    assert_non_null(strstr(top, "Alpha &amp; &lt;Co&gt;"));
    assert_non_null(strstr(trend, "<polyline"));
    free(top);
    free(trend);
    free(md);
    free(js);
    free(csv);
}

static void test_report_refusals(void **state)
{
    fx *x = *state;
    svcq_metrics_report req = SVCQ_METRICS_REPORT_INIT;
    req.week_of = mx_local(x->tz, 2026, 1, 15, 12, 0);
    mx_sink s;
    svcq_writer w = mx_writer(&s);
    req.trend_weeks = 0;
    assert_int_equal(svcq_metrics_weekly_report(x->m, &req, SVCQ_METRICS_MARKDOWN, &w), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(x->ctx), "trend of 0 weeks"));
    req.trend_weeks = 8;
    req.reporter_count = 1;
    assert_int_equal(svcq_metrics_weekly_report(x->m, &req, SVCQ_METRICS_MARKDOWN, &w), SVCQ_EINVAL);
    req.reporter_count = 0;
    assert_int_equal(svcq_metrics_weekly_report(x->m, &req, 99, &w), SVCQ_EINVAL);
    req.version = 7;
    assert_int_equal(svcq_metrics_weekly_report(x->m, &req, SVCQ_METRICS_MARKDOWN, &w), SVCQ_EVERSION);
    assert_null(s.text);
    /* An empty week reports no complaints. */
    req.version = SVCQ_METRICS_REPORT_VERSION;
    assert_int_equal(svcq_metrics_weekly_report(x->m, &req, SVCQ_METRICS_MARKDOWN, &w), SVCQ_OK);
    assert_non_null(strstr(s.text, "No complaints this week."));
    free(s.text);
}

typedef struct rej {
    char msgs[8][200];
    uint64_t lines[8], cols[8];
    int n;
} rej;

static int on_reject(uint64_t line, uint64_t col, int code, const char *msg, void *ud)
{
    (void)code;
    rej *r = ud;
    if (r->n < 8) {
        snprintf(r->msgs[r->n], 200, "%s", msg);
        r->lines[r->n] = line;
        r->cols[r->n] = col;
    }
    r->n++;
    return 0;
}

static void test_import(void **state)
{
    fx *x = *state;
    static const char jl[] =
        "{\"id\": \"a\", \"received\": \"2026-01-05T09:00:00+08:00\", \"first_reply\": 1767575400, \"csat\": 5,"
        " \"sla\": [{\"target\": \"first_response\", \"outcome\": \"met\"}]}\n"
        "\n"
        "{\"id\": \"b\", \"received\": \"2026-01-05T09:00:00Z\", \"csat\": 9}\n"
        "{\"id\": \"c\", \"received\": tomorrow}\n"
        "{\"id\": \"d\", \"received\": \"2026-01-05T10:00:00+08:00\", \"colour\": \"red\"}\r\n"
        "{\"id\": \"e\", \"received\": \"2026-01-05T11:00:00+08:00\", \"complaint\": true}";
    rej r = { .n = 0 };
    uint64_t acc, nrej;
    assert_int_equal(svcq_metrics_import(&acc, &nrej, x->m, SVCQ_METRICS_IMPORT_JSONL, jl, sizeof(jl) - 1, on_reject, &r),
                     SVCQ_OK);
    assert_int_equal(acc, 2);
    assert_int_equal(nrej, 3);
    assert_int_equal(r.lines[0], 3);
    assert_non_null(strstr(r.msgs[0], "line 3, column 1: fact \"b\": csat 9 is not 1 to 5"));
    assert_int_equal(r.lines[1], 4);
    assert_int_equal(r.cols[1], 25);
    assert_non_null(strstr(r.msgs[1], "line 4, column 25:"));
    assert_non_null(strstr(r.msgs[2], "line 5, column 1: unknown field \"colour\""));
    svcq_metrics_value v = SVCQ_METRICS_VALUE_INIT;
    svcq_time at = mx_local(x->tz, 2026, 1, 5, 12, 0);
    assert_int_equal(svcq_metrics_kpi_get(&v, x->m, SVCQ_METRICS_RESPONSE_MEAN, SVCQ_METRICS_DAY, at, 0, NULL), SVCQ_OK);
    /* a: 09:00 +08:00 is 01:00Z = 1767574800; reply 600 s later. */
    assert_int_equal(v.numerator, 600);
    assert_int_equal(svcq_metrics_kpi_get(&v, x->m, SVCQ_METRICS_COMPLAINT_RATE, SVCQ_METRICS_DAY, at, 0, NULL), SVCQ_OK);
    assert_int_equal(svcq_metrics_fact_count(x->m), 2);

    static const char csv[] =
        "id,received,first_reply,category,csat,sla\r\n"
        "c1,2026-01-06T09:00:00+08:00,2026-01-06T09:30:00+08:00,\"billing, online\",4,first_response:breached\r\n"
        "c2,2026-01-06T09:00:00+08:00,,manual,x,\r\n"
        "c3,2026-01-06T09:00:00+08:00,,\"say \"\"hi\"\"\",3,resolution:maybe\r\n"
        "c4,2026-01-06T09:00:00+08:00\r\n"
        "c5,2026-01-06T08:00:00+08:00,2026-01-06T07:00:00+08:00,,,\r\n"
        "c6,2026-01-06T10:00:00+08:00,,\"two\nlines\",5,\n";
    memset(&r, 0, sizeof(r));
    assert_int_equal(svcq_metrics_import(&acc, &nrej, x->m, SVCQ_METRICS_IMPORT_CSV, csv, sizeof(csv) - 1, on_reject, &r),
                     SVCQ_OK);
    assert_int_equal(acc, 1);
    assert_int_equal(nrej, 5);
    assert_non_null(strstr(r.msgs[0], "line 3, column 38: field \"csat\": \"x\" is not a 32-bit integer"));
    assert_non_null(strstr(r.msgs[1], "line 4, column 46: "));
    assert_non_null(strstr(r.msgs[1], "field \"sla\""));
    assert_non_null(strstr(r.msgs[2], "line 5, column 1: 2 fields, the header has 6"));
    assert_non_null(strstr(r.msgs[3], "line 6, column 1: fact \"c5\": first_reply is before received"));
    assert_int_equal(svcq_metrics_kpi_get(&v, x->m, SVCQ_METRICS_SLA_COMPLIANCE, SVCQ_METRICS_DAY,
                                          mx_local(x->tz, 2026, 1, 6, 12, 0), SVCQ_METRICS_DIM_CATEGORY, "billing, online"),
                     SVCQ_OK);
    assert_int_equal(v.denominator, 1);
    assert_int_equal(v.numerator, 0);
    /* c6: a quoted field across two lines; its newline is refused in a fact. */
    assert_non_null(strstr(r.msgs[4], "line 7, column 1: fact \"c6\": field \"category\" contains a control character"));
    assert_int_equal(svcq_metrics_fact_count(x->m), 3);
    /* Bad headers stop the import. */
    static const char bad[] = "id,colour\r\nx,red\r\n";
    assert_int_equal(svcq_metrics_import(NULL, NULL, x->m, SVCQ_METRICS_IMPORT_CSV, bad, sizeof(bad) - 1, NULL, NULL),
                     SVCQ_EPARSE);
    assert_non_null(strstr(svcq_ctx_errmsg(x->ctx), "unknown field \"colour\""));
    static const char noid[] = "received\r\n1\r\n";
    assert_int_equal(svcq_metrics_import(NULL, NULL, x->m, SVCQ_METRICS_IMPORT_CSV, noid, sizeof(noid) - 1, NULL, NULL),
                     SVCQ_EPARSE);
    assert_int_equal(svcq_metrics_import(NULL, NULL, x->m, 3, noid, 1, NULL, NULL), SVCQ_EINVAL);
}

static int stop_first(uint64_t line, uint64_t col, int code, const char *msg, void *ud)
{
    (void)line, (void)col, (void)code, (void)msg, (void)ud;
    return 1;
}

static void test_import_stop(void **state)
{
    fx *x = *state;
    static const char jl[] = "{\"id\": 1}\n{\"id\": \"z\", \"received\": 5000000}\n";
    uint64_t acc, nrej;
    assert_int_equal(svcq_metrics_import(&acc, &nrej, x->m, SVCQ_METRICS_IMPORT_JSONL, jl, sizeof(jl) - 1, stop_first,
                                         NULL),
                     SVCQ_EABORTED);
    assert_int_equal(acc, 0);
    assert_int_equal(nrej, 1);
    assert_int_equal(svcq_metrics_fact_count(x->m), 0);
}

static void test_cycles(void **state)
{
    fx *x = *state;
    fill(x);
    svcq_tier_profiles *p;
    assert_int_equal(svcq_tier_profiles_new(&p, x->ctx, 4), SVCQ_OK);
    uint32_t mask;
    /* Monday 12 January: response and resolution (weekly) are due. */
    assert_int_equal(svcq_metrics_due(&mask, x->m, p, 1, mx_local(x->tz, 2026, 1, 12, 8, 0)), SVCQ_OK);
    assert_int_equal(mask, (1u << SVCQ_EVAL_RESPONSE_TIME) | (1u << SVCQ_EVAL_RESOLUTION_RATE));
    /* Tuesday 13 January: nothing. */
    assert_int_equal(svcq_metrics_due(&mask, x->m, p, 1, mx_local(x->tz, 2026, 1, 13, 8, 0)), SVCQ_OK);
    assert_int_equal(mask, 0);
    /* Thursday 1 January 2026: complaints (monthly) and satisfaction
     * (quarterly); the week does not start on a Thursday. */
    assert_int_equal(svcq_metrics_due(&mask, x->m, p, 1, mx_local(x->tz, 2026, 1, 1, 8, 0)), SVCQ_OK);
    assert_int_equal(mask, (1u << SVCQ_EVAL_SATISFACTION) | (1u << SVCQ_EVAL_COMPLAINT_RATE));
    /* Monday 1 June 2026: weekly and monthly, not quarterly. */
    assert_int_equal(svcq_metrics_due(&mask, x->m, p, 2, mx_local(x->tz, 2026, 6, 1, 8, 0)), SVCQ_OK);
    assert_int_equal(mask, (1u << SVCQ_EVAL_RESPONSE_TIME) | (1u << SVCQ_EVAL_RESOLUTION_RATE) |
                               (1u << SVCQ_EVAL_COMPLAINT_RATE));
    assert_int_equal(svcq_metrics_due(&mask, x->m, p, 9, mx_local(x->tz, 2026, 6, 1, 8, 0)), SVCQ_EINVAL);
    /* The reports due on Monday 19 January cover week W03 for tier.2:
     * n3, n4, n5 answered in 1200 s; resolved 3 of 3. */
    mx_sink s;
    svcq_writer w = mx_writer(&s);
    assert_int_equal(svcq_metrics_cycle_report(x->m, p, 2, "tier.2", mx_local(x->tz, 2026, 1, 19, 8, 0),
                                               SVCQ_METRICS_MARKDOWN, &w),
                     SVCQ_OK);
    assert_non_null(strstr(s.text, "## response_time (weekly)"));
    assert_non_null(strstr(s.text, "week 2026-W03"));
    assert_non_null(strstr(s.text, "| response_mean | 1200.000 | seconds | 3600 | 3 |"));
    assert_non_null(strstr(s.text, "| resolution_rate | 100.000 | percent | 3 | 3 |"));
    assert_null(strstr(s.text, "csat"));
    free(s.text);
    w = mx_writer(&s);
    assert_int_equal(svcq_metrics_cycle_report(x->m, p, 2, "tier.2", mx_local(x->tz, 2026, 1, 19, 8, 0),
                                               SVCQ_METRICS_JSON, &w),
                     SVCQ_OK);
    assert_non_null(strstr(s.text, "\"schema\": \"svcq.metrics_kpis/1\""));
    free(s.text);
    svcq_tier_profiles_free(p);
}

static void test_risk(void **state)
{
    fx *x = *state;
    /* Category "network": 1, 2, 3 complaints in weeks W01..W03 (rising
     * over 3 periods, growth 2); "billing": 2, 1, 2 (rising over 2,
     * growth 1); "manual": 0, 0, 1 (2, growth 1, last 1); "print": 3, 3, 3
     * (flat, not listed). */
    const int32_t M = SVCQ_METRICS_SLA_MET;
    static const struct {
        const char *cat;
        int n[3];
    } plan[] = { { "network", { 1, 2, 3 } }, { "billing", { 2, 1, 2 } }, { "manual", { 0, 0, 1 } },
                 { "print", { 3, 3, 3 } } };
    int k = 0;
    for (size_t c = 0; c < 4; c++)
        for (int wk = 0; wk < 3; wk++)
            for (int i = 0; i < plan[c].n[wk]; i++) {
                char id[16];
                snprintf(id, sizeof(id), "r%d", k++);
                char *dup = strdup(id);
                put(x, dup, 1, 1 + 7 * wk + (wk == 0 ? 0 : -3) + 3, plan[c].cat, "tier.1", M);
                free(dup);
            }
    mx_sink s;
    svcq_writer w = mx_writer(&s);
    assert_int_equal(svcq_metrics_risk_points(x->m, SVCQ_METRICS_WEEK, mx_local(x->tz, 2026, 1, 15, 0, 0), 3,
                                              SVCQ_METRICS_CSV, &w),
                     SVCQ_OK);
    assert_string_equal(s.text, "rank,dimension,value,rising_periods,growth,last,series\r\n"
                                "1,category,network,3,2,3,1 2 3\r\n"
                                "2,category,billing,2,1,2,2 1 2\r\n"
                                "3,category,manual,2,1,1,0 0 1\r\n");
    free(s.text);
    w = mx_writer(&s);
    assert_int_equal(svcq_metrics_risk_points(x->m, SVCQ_METRICS_WEEK, mx_local(x->tz, 2026, 1, 15, 0, 0), 1,
                                              SVCQ_METRICS_CSV, &w),
                     SVCQ_EINVAL);
    assert_null(s.text);
}

/* Writes the report and its charts to a directory (docs and the XML check). */
static int write_outputs(const char *dir)
{
    fx x;
    memset(&x, 0, sizeof(x));
    fx_open(&x);
    fill(&x);
    static const struct {
        int32_t format;
        const char *name;
    } out[] = { { SVCQ_METRICS_MARKDOWN, "weekly.md" },
                { SVCQ_METRICS_SVG_TOP, "weekly-top.svg" },
                { SVCQ_METRICS_SVG_TREND, "weekly-trend.svg" } };
    for (size_t i = 0; i < 3; i++) {
        char *t = report(&x, out[i].format);
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, out[i].name);
        FILE *f = fopen(path, "wb");
        if (!f)
            return 1;
        fputs(t, f);
        fclose(f);
        free(t);
    }
    fx_close(&x);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return write_outputs(argv[1]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_weekly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cycles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_risk, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
