/* The incident in the service loop (issue 12): the incident's own SLA
 * clocks fed by the lifecycle, the loop back re-arming the analysis
 * targets, the tier clock of customer complaints, one transaction with the
 * incident; the breach rule across save, restart, load and re-delivery;
 * the responsibility matrix and the flow charts against the fixtures of
 * tests/data/incident (SVCQ_REGEN=1 rewrites them). */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "incident_fixture.h"

#define MON_0900 1767603600 /* 2026-01-05T09:00:00Z, a Monday */

/* ---- helpers ---------------------------------------------------------------------- */

typedef struct notes {
    size_t n;
    char line[512][160];
    svcq_ctx *ctx;     /* breach rule: open incidents in this context */
    size_t opened, duplicates;
} notes;

static int on_notice(const svcq_sla_notice *n, void *ud)
{
    notes *l = ud;
    if (l->n < 512)
        snprintf(l->line[l->n++], 160, "%lld %s %s %s %s %d %u", (long long)n->at, n->subject, n->policy, n->metric,
                 svcq_sla_notice_kind_name(n->kind), n->level, n->cycle);
    if (l->ctx) {
        int32_t outcome = 0;
        svcq_incident *inc = NULL;
        int rc = svcq_incident_breach_open(&inc, &outcome, l->ctx, n);
        if (rc)
            return rc;
        l->opened += outcome == SVCQ_INCIDENT_BREACH_OPENED;
        l->duplicates += outcome == SVCQ_INCIDENT_BREACH_DUPLICATE;
        svcq_incident_free(inc);
    }
    return 0;
}

static int collect(const char *data, size_t size, void *user)
{
    char **out = user;
    size_t old = *out ? strlen(*out) : 0;
    char *n = realloc(*out, old + size + 1);
    memcpy(n + old, data, size);
    n[old + size] = '\0';
    *out = n;
    return 0;
}

static void fixture(const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/incident/%s", SVCQ_TEST_DATA, name);
    if (getenv("SVCQ_REGEN")) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
        return;
    }
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("missing fixture %s", path);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    if (strcmp(buf, text) != 0)
        fail_msg("%s differs from the output:\n%s", name, text);
}

typedef struct env {
    svcq_ctx *ctx;
    svcq_sla_scheduler *sched;
    notes log;
} env;

static void env_open(env *e, const svcq_calendar *cal)
{
    memset(e, 0, sizeof(*e));
    svcq_ctx_options o;
    assert_int_equal(svcq_ctx_options_init(&o, SVCQ_CTX_OPTIONS_VERSION), SVCQ_OK);
    fx_options(&o);
    assert_int_equal(svcq_ctx_new(&e->ctx, &o), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_new(&e->sched, e->ctx, on_notice, &e->log), SVCQ_OK);
    svcq_incident_sla_options so = SVCQ_INCIDENT_SLA_OPTIONS_INIT;
    so.scheduler = e->sched;
    so.calendar = cal;
    assert_int_equal(svcq_incident_sla_enable(e->ctx, &so), SVCQ_OK);
}

static void env_close(env *e)
{
    svcq_sla_scheduler_free(e->sched);
    svcq_ctx_free(e->ctx);
}

/* The clock's log as "name@offset-from-t0" lines. */
static void log_text(char *out, size_t size, const svcq_sla_clock *c, svcq_time t0)
{
    out[0] = '\0';
    for (uint32_t i = 0; i < svcq_sla_clock_event_count(c); i++) {
        const char *name;
        svcq_time at;
        assert_int_equal(svcq_sla_clock_event_at(&name, &at, NULL, c, i), SVCQ_OK);
        size_t len = strlen(out);
        snprintf(out + len, size - len, "%s%s@%lld", i ? " " : "", name, (long long)(at - t0));
    }
}

/* ---- the incident's own clock ---------------------------------------------------------- */

/* Every step of the lifecycle, an hour apart: each event reaches the
 * quality clock under its name at the step's time, saved with the
 * incident. */
static void lifecycle_events_reach_the_clock(void **state)
{
    (void)state;
    env e;
    fx_now_value = MON_0900;
    env_open(&e, NULL);
    svcq_analysis *a = NULL;
    assert_int_equal(fx_analysis(&a, e.ctx, "a-INC-1"), SVCQ_OK);
    svcq_incident *inc = NULL;
    for (int i = 0; i < FX_STEPS; i++) {
        if (fx_step(&inc, e.ctx, "INC-1", a, i))
            fail_msg("step %d: %s", i, svcq_ctx_errmsg(e.ctx));
        if (i != 18)
            fx_now_value += 3600;
    }
    svcq_sla_clock *c = svcq_sla_scheduler_find(e.sched, "INC-1", SVCQ_INCIDENT_SLA_POLICY);
    assert_non_null(c);
    char text[2048];
    log_text(text, sizeof(text), c, MON_0900);
    /* report 0 h, confirm step 4 (4 h), analysing 5, analysis done step 7
     * (7 h), plan approved + execution started step 10, measures done step
     * 17, 31 days later verified at step 21 (20 h) and closed at step 24
     * (23 h); step 18 is the 31 days. */
    const int64_t v = 31 * FX_DAY;
    char want[2048];
    snprintf(want, sizeof(want),
             "reported@0 confirmed@14400 analysis_done@25200 plan_approved@36000 measures_done@61200 "
             "verified@%lld verification_done@%lld closed@%lld incident_ended@%lld",
             (long long)(v + 72000), (long long)(v + 72000), (long long)(v + 82800), (long long)(v + 82800));
    assert_string_equal(text, want);
    /* Every target met; the clock is stored with the incident. */
    for (uint32_t j = 0; j < 6; j++) {
        svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
        assert_int_equal(svcq_sla_clock_status(&st, c, j, fx_now_value), SVCQ_OK);
        assert_int_equal(st.state, SVCQ_SLA_MET);
    }
    svcq_sla_policy *p = svcq_incident_sla_policy(e.ctx);
    svcq_sla_clock *l = NULL;
    assert_int_equal(svcq_sla_clock_load(&l, &p, 1, SVCQ_INCIDENT_SLA_POLICY, "INC-1", 0), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_count(l), svcq_sla_clock_event_count(c));
    svcq_sla_clock_free(l);
    svcq_incident_free(inc);
    svcq_analysis_free(a);
    env_close(&e);
}

/* Report on a Monday 09:00 on the Monday-to-Friday 09:00-18:00 calendar:
 * confirm within 1 business day is due Tuesday 09:00; warnings at 50 %
 * (Monday 13:30) and 80 % (Monday 16:12), the breach at Tuesday 09:00:01,
 * escalations at 150 % (13.5 business hours: Tuesday 13:30:01) and 200 %
 * (18 business hours end at Tuesday's closing: 18:00:01). */
static void confirm_target_on_a_business_calendar(void **state)
{
    (void)state;
    env e;
    fx_now_value = MON_0900;
    env_open(&e, NULL);
    svcq_incident *inc = NULL;
    assert_int_equal(fx_report(&inc, e.ctx, "INC-2"), SVCQ_OK);
    uint64_t n = 0;
    assert_int_equal(svcq_sla_scheduler_advance(&n, e.sched, MON_0900 + 3 * FX_DAY), SVCQ_OK);
    assert_int_equal(n, 5);
    const char *want[] = {
        "1767619800 INC-2 quality.incident confirm warning 50 0",
        "1767629520 INC-2 quality.incident confirm warning 80 0",
        "1767690001 INC-2 quality.incident confirm breach 0 0",
        "1767706201 INC-2 quality.incident confirm escalation 1 0",
        "1767722401 INC-2 quality.incident confirm escalation 2 0",
    };
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(e.log.line[i], want[i]);
    svcq_incident_free(inc);
    env_close(&e);
}

/* A failed verification loops back: the analyse target restarts (cycle 1)
 * at the verification and is due 3 business days later; a second loop
 * restarts it again. */
static void loop_back_rearms_analysis(void **state)
{
    (void)state;
    env e;
    fx_now_value = MON_0900;
    env_open(&e, NULL);
    svcq_analysis *a = NULL;
    assert_int_equal(fx_analysis(&a, e.ctx, "a-INC-3"), SVCQ_OK);
    svcq_incident *inc = NULL;
    for (int i = 0; i <= 20; i++)
        if (fx_step(&inc, e.ctx, "INC-3", a, i))
            fail_msg("step %d: %s", i, svcq_ctx_errmsg(e.ctx));
    /* csat fell and m2's indicator missed: not effective. */
    assert_int_equal(svcq_incident_record_indicator(inc, "Sun Li", "quality_staff", "m2", 2000), SVCQ_OK);
    int32_t verdict = 0;
    svcq_time t_fail = fx_now_value;
    assert_int_equal(svcq_incident_verify(&verdict, inc, "Sun Li", "quality_staff", 4100, 3900, "worse"), SVCQ_OK);
    assert_int_equal(verdict, SVCQ_INCIDENT_NOT_EFFECTIVE);
    svcq_sla_clock *c = svcq_sla_scheduler_find(e.sched, "INC-3", SVCQ_INCIDENT_SLA_POLICY);
    svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
    assert_int_equal(svcq_sla_clock_status(&st, c, 1, t_fail), SVCQ_OK);
    assert_string_equal(st.metric, "analyse");
    assert_int_equal(st.state, SVCQ_SLA_RUNNING);
    assert_int_equal(st.started_at, t_fail);
    svcq_time due = 0;
    svcq_calendar *cal = NULL;
    assert_int_equal(svcq_sla_default_calendar(&cal, e.ctx, NULL), SVCQ_OK);
    assert_int_equal(svcq_calendar_add_days(&due, cal, t_fail, 3), SVCQ_OK);
    int32_t open = 0;
    assert_int_equal(svcq_calendar_is_open(&open, cal, due), SVCQ_OK);
    if (!open)
        assert_int_equal(svcq_calendar_next_open(&due, cal, due), SVCQ_OK);
    assert_int_equal(st.due_at, due);
    /* The verify target was met by the failed verification (it was done). */
    assert_int_equal(svcq_sla_clock_status(&st, c, 4, t_fail), SVCQ_OK);
    assert_int_equal(st.state, SVCQ_SLA_MET);
    /* The next analysis done restarts the plan target. */
    fx_now_value += 3600;
    assert_int_equal(svcq_incident_transition(inc, "Sun Li", "quality_staff", SVCQ_INCIDENT_PLANNING, NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_status(&st, c, 2, fx_now_value), SVCQ_OK);
    assert_int_equal(st.state, SVCQ_SLA_RUNNING);
    assert_int_equal(st.started_at, fx_now_value);
    assert_int_equal(svcq_sla_clock_status(&st, c, 1, fx_now_value), SVCQ_OK);
    assert_int_equal(st.state, SVCQ_SLA_MET);
    assert_int_equal(st.met_count, 2);
    svcq_calendar_free(cal);
    svcq_incident_free(inc);
    svcq_analysis_free(a);
    env_close(&e);
}

/* Rejected and cancelled incidents end every target (no clock stays live). */
static void reject_and_cancel_end_the_clock(void **state)
{
    (void)state;
    env e;
    fx_now_value = MON_0900;
    env_open(&e, NULL);
    svcq_incident *a = NULL, *b = NULL;
    assert_int_equal(fx_report(&a, e.ctx, "INC-R"), SVCQ_OK);
    assert_int_equal(fx_report(&b, e.ctx, "INC-C"), SVCQ_OK);
    fx_now_value += 600;
    assert_int_equal(svcq_incident_reject(a, "Zhao Min", "supervisor", "not a service fault"), SVCQ_OK);
    assert_int_equal(svcq_incident_transition(b, "Zhao Min", "supervisor", SVCQ_INCIDENT_CANCELLED, "duplicate"),
                     SVCQ_OK);
    const char *ids[] = { "INC-R", "INC-C" };
    for (int k = 0; k < 2; k++) {
        svcq_sla_clock *c = svcq_sla_scheduler_find(e.sched, ids[k], SVCQ_INCIDENT_SLA_POLICY);
        svcq_time next = 0;
        assert_int_equal(svcq_sla_clock_next_at(&next, c, fx_now_value), SVCQ_OK);
        assert_true(next == SVCQ_SLA_NEVER);
        for (uint32_t j = 0; j < 6; j++) {
            svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
            assert_int_equal(svcq_sla_clock_status(&st, c, j, fx_now_value), SVCQ_OK);
            assert_true(st.state == SVCQ_SLA_CANCELLED);
        }
    }
    svcq_incident_free(a);
    svcq_incident_free(b);
    env_close(&e);
}

static svcq_sla_policy *g_tier2;
static int g_tier_rc;
static int tier_of(svcq_sla_policy **policy, const char *client, void *ud)
{
    (void)ud;
    *policy = strcmp(client, "client-42") == 0 ? g_tier2 : NULL;
    return g_tier_rc;
}

/* A customer complaint also runs the client's tier policy on the same
 * instants; a failing lookup fails the report and leaves nothing: no
 * incident, no clock in the scheduler or the store. */
static void complaint_runs_the_tier_policy(void **state)
{
    (void)state;
    env e;
    fx_now_value = MON_0900;
    memset(&e, 0, sizeof(e));
    svcq_ctx_options o;
    assert_int_equal(svcq_ctx_options_init(&o, SVCQ_CTX_OPTIONS_VERSION), SVCQ_OK);
    fx_options(&o);
    assert_int_equal(svcq_ctx_new(&e.ctx, &o), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_new(&e.sched, e.ctx, on_notice, &e.log), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_builtin(&g_tier2, e.ctx, SVCQ_TIER_2, NULL, 0), SVCQ_OK);
    svcq_incident_sla_options so = SVCQ_INCIDENT_SLA_OPTIONS_INIT;
    so.scheduler = e.sched;
    so.tier_policy = tier_of;
    assert_int_equal(svcq_incident_sla_enable(e.ctx, &so), SVCQ_OK);
    svcq_incident_report_spec s = SVCQ_INCIDENT_REPORT_SPEC_INIT;
    s.type = SVCQ_INCIDENT_TYPE_CUSTOMER_COMPLAINT;
    s.stage = SVCQ_INCIDENT_STAGE_COMPLAINT_HANDLING;
    s.channel = SVCQ_INCIDENT_CHANNEL_WECHAT;
    s.observed = "Engineer did not come";
    s.reporter_name = "Li Na";
    s.client = "client-42";
    svcq_incident *inc = NULL;
    g_tier_rc = SVCQ_EIO;
    assert_int_equal(svcq_incident_report(&inc, e.ctx, "CMP-1", &s, "Li Na", "agent"), SVCQ_EIO);
    assert_non_null(strstr(svcq_ctx_errmsg(e.ctx), "incident CMP-1: the tier policy of client client-42"));
    assert_null(inc);
    assert_int_equal(svcq_sla_scheduler_count(e.sched), 0);
    assert_int_equal(svcq_incident_load(&inc, e.ctx, "CMP-1"), SVCQ_ENOTFOUND);
    svcq_sla_policy *q = svcq_incident_sla_policy(e.ctx);
    svcq_sla_clock *l = NULL;
    assert_int_equal(svcq_sla_clock_load(&l, &q, 1, SVCQ_INCIDENT_SLA_POLICY, "CMP-1", 0), SVCQ_ENOTFOUND);
    g_tier_rc = 0;
    assert_int_equal(svcq_incident_report(&inc, e.ctx, "CMP-1", &s, "Li Na", "agent"), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_count(e.sched), 2);
    svcq_sla_clock *c = svcq_sla_scheduler_find(e.sched, "CMP-1", "tier.2");
    assert_non_null(c);
    char text[512];
    log_text(text, sizeof(text), c, MON_0900);
    assert_string_equal(text, "request_received@0");
    /* Confirmation: first contact and the committed reply. */
    fx_now_value += 1800;
    assert_int_equal(svcq_incident_add_confirmer(inc, "Zhao Min", "supervisor", "Zhao Min", "service_supervisor"),
                     SVCQ_OK);
    assert_int_equal(svcq_incident_add_confirmer(inc, "Zhao Min", "supervisor", "Sun Li", "quality_staff"), SVCQ_OK);
    svcq_incident_confirmation cf = SVCQ_INCIDENT_CONFIRMATION_INIT;
    cf.real = 1;
    cf.category = SVCQ_INCIDENT_RESP_PROCESS_GAP;
    cf.responsible_unit = "Field service";
    assert_int_equal(svcq_incident_confirm(inc, "Zhao Min", "supervisor", &cf), SVCQ_OK);
    log_text(text, sizeof(text), c, MON_0900);
    assert_string_equal(text, "request_received@0 first_contact@1800");
    svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
    assert_int_equal(svcq_sla_clock_status(&st, c, 0, fx_now_value), SVCQ_OK);
    assert_int_equal(st.state, SVCQ_SLA_MET);
    svcq_incident_free(inc);
    svcq_sla_policy_free(g_tier2);
    env_close(&e);
}

/* ---- breach → corrective action ---------------------------------------------------------- */

static int lookup(const char **client, int32_t *tier, const char *subject, void *ud)
{
    (void)ud;
    if (!strncmp(subject, "T-", 2)) {
        *client = "client-42";
        *tier = SVCQ_TIER_2;
    }
    return 0;
}

static svcq_ctx *open_file_ctx(const char *path)
{
    svcq_ctx_options o;
    assert_int_equal(svcq_ctx_options_init(&o, SVCQ_CTX_OPTIONS_VERSION), SVCQ_OK);
    fx_options(&o);
    svcq_ctx *ctx = NULL;
    assert_int_equal(svcq_ctx_new(&ctx, &o), SVCQ_OK);
    svcq_store_file *fs;
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, NULL), SVCQ_OK);
    svcq_store_methods m;
    assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    svcq_incident_breach_rule r = SVCQ_INCIDENT_BREACH_RULE_INIT;
    r.policy = "tier.2";
    r.metric = "first_response";
    assert_int_equal(svcq_incident_breach_rule_add(ctx, &r), SVCQ_OK);
    assert_int_equal(svcq_incident_breach_set_lookup(ctx, lookup, NULL), SVCQ_OK);
    return ctx;
}

static int count_visit(const char *id, void *ud)
{
    (void)id;
    (*(size_t *)ud)++;
    return 0;
}

/* A host ticket's first response is breached; the breach opens one
 * service-delay incident. The process stops before saving what the
 * scheduler delivered; after a restart the clocks are loaded, the breach
 * is delivered again, and no second incident is opened. */
static void breach_opens_exactly_one_incident(void **state)
{
    (void)state;
    char path[] = "/tmp/svcq-incident-loop-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    fx_now_value = MON_0900;
    for (int run = 0; run < 2; run++) {
        svcq_ctx *ctx = open_file_ctx(path);
        notes log = { 0 };
        log.ctx = ctx;
        svcq_sla_scheduler *s = NULL;
        assert_int_equal(svcq_sla_scheduler_new(&s, ctx, on_notice, &log), SVCQ_OK);
        svcq_sla_policy *t2 = NULL;
        assert_int_equal(svcq_sla_policy_builtin(&t2, ctx, SVCQ_TIER_2, NULL, 0), SVCQ_OK);
        svcq_incident_sla_options so = SVCQ_INCIDENT_SLA_OPTIONS_INIT;
        so.scheduler = s;
        assert_int_equal(svcq_incident_sla_enable(ctx, &so), SVCQ_OK);
        svcq_sla_policy *pols[2] = { t2, svcq_incident_sla_policy(ctx) };
        if (run == 0) {
            svcq_sla_clock *c = NULL;
            assert_int_equal(svcq_sla_clock_new(&c, t2, "T-1001"), SVCQ_OK);
            assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_OK);
            assert_int_equal(svcq_sla_clock_event(c, SVCQ_SLA_EVENT_REQUEST_RECEIVED, MON_0900, NULL), SVCQ_OK);
            uint64_t failed = 1;
            assert_int_equal(svcq_sla_scheduler_save(&failed, s), SVCQ_OK);
            assert_int_equal(failed, 0);
        } else {
            assert_int_equal(svcq_sla_scheduler_load(s, pols, 2, 0), SVCQ_OK);
        }
        /* First response (1 h) breached at 10:00:01. */
        fx_now_value = MON_0900 + 3600 + 5;
        uint64_t n = 0;
        assert_int_equal(svcq_sla_scheduler_advance(&n, s, fx_now_value), SVCQ_OK);
        assert_true(n >= 1);
        assert_int_equal(log.opened, run == 0 ? 1 : 0);
        assert_int_equal(log.duplicates, run == 0 ? 0 : 1);
        size_t count = 0;
        svcq_incident_query q = SVCQ_INCIDENT_QUERY_INIT;
        q.type = SVCQ_INCIDENT_TYPE_SERVICE_DELAY;
        assert_int_equal(svcq_incident_list(ctx, &q, count_visit, &count), SVCQ_OK);
        assert_int_equal(count, 1);
        /* The new incident's own clock joined the same scheduler. */
        assert_int_equal(svcq_sla_scheduler_count(s), 2);
        /* run 0: the process "stops" here without saving what the
         * scheduler delivered (the incident and its clock are stored). */
        svcq_sla_scheduler_free(s);
        svcq_sla_policy_free(t2);
        svcq_ctx_free(ctx);
    }
    unlink(path);
}

/* The opened incident: type service_delay, channel system, the subject as
 * its ticket, the client from the lookup, an observation naming the target,
 * the policy and the due time. Not a breach, or no rule: ignored. */
static void breach_incident_content(void **state)
{
    (void)state;
    fx_now_value = MON_0900;
    svcq_ctx_options o;
    assert_int_equal(svcq_ctx_options_init(&o, SVCQ_CTX_OPTIONS_VERSION), SVCQ_OK);
    fx_options(&o);
    svcq_ctx *ctx = NULL;
    assert_int_equal(svcq_ctx_new(&ctx, &o), SVCQ_OK);
    svcq_incident_breach_rule r = SVCQ_INCIDENT_BREACH_RULE_INIT;
    r.policy = "tier.2";
    r.id_prefix = "BR-";
    assert_int_equal(svcq_incident_breach_rule_add(ctx, &r), SVCQ_OK);
    assert_int_equal(svcq_incident_breach_rule_add(ctx, &r), SVCQ_EEXIST);
    assert_string_equal(svcq_ctx_errmsg(ctx), "breach rule of policy tier.2, target (every target): already exists");
    r.id_prefix = "bad prefix";
    r.metric = "x";
    assert_int_equal(svcq_incident_breach_rule_add(ctx, &r), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "id prefix \"bad prefix\""));
    assert_int_equal(svcq_incident_breach_set_lookup(ctx, lookup, NULL), SVCQ_OK);
    svcq_sla_notice n = SVCQ_SLA_NOTICE_INIT;
    n.kind = SVCQ_SLA_NOTICE_WARNING;
    n.at = MON_0900 + 3601;
    n.subject = "T-7";
    n.policy = "tier.2";
    n.metric = "first_response";
    int32_t outcome = 0;
    svcq_incident *inc = NULL;
    assert_int_equal(svcq_incident_breach_open(&inc, &outcome, ctx, &n), SVCQ_OK);
    assert_int_equal(outcome, SVCQ_INCIDENT_BREACH_IGNORED);
    n.kind = SVCQ_SLA_NOTICE_BREACH;
    n.policy = "tier.1";
    assert_int_equal(svcq_incident_breach_open(&inc, &outcome, ctx, &n), SVCQ_OK);
    assert_int_equal(outcome, SVCQ_INCIDENT_BREACH_IGNORED);
    n.policy = "tier.2";
    assert_int_equal(svcq_incident_breach_open(&inc, &outcome, ctx, &n), SVCQ_OK);
    assert_int_equal(outcome, SVCQ_INCIDENT_BREACH_OPENED);
    assert_non_null(inc);
    assert_int_equal(strncmp(svcq_incident_id(inc), "BR-", 3), 0);
    assert_int_equal(strlen(svcq_incident_id(inc)), 3 + 24);
    assert_string_equal(svcq_incident_type(inc), SVCQ_INCIDENT_TYPE_SERVICE_DELAY);
    assert_string_equal(svcq_incident_client(inc), "client-42");
    char *json = NULL;
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = collect;
    w.user_data = &json;
    assert_int_equal(svcq_incident_export_json(inc, &w, 0), SVCQ_OK);
    assert_non_null(strstr(json, "\"ticket\":\"T-7\""));
    assert_non_null(strstr(json, "SLA breach: target first_response of policy tier.2 on T-7 was due "
                                 "2026-01-05T10:00:00Z (cycle 0)"));
    assert_non_null(strstr(json, "client client-42, tier 2"));
    free(json);
    svcq_incident_free(inc);
    inc = NULL;
    /* The same notice again; another cycle is another breach. */
    assert_int_equal(svcq_incident_breach_open(&inc, &outcome, ctx, &n), SVCQ_OK);
    assert_int_equal(outcome, SVCQ_INCIDENT_BREACH_DUPLICATE);
    assert_null(inc);
    n.cycle = 1;
    assert_int_equal(svcq_incident_breach_open(NULL, &outcome, ctx, &n), SVCQ_OK);
    assert_int_equal(outcome, SVCQ_INCIDENT_BREACH_OPENED);
    size_t count = 0;
    svcq_incident_query q = SVCQ_INCIDENT_QUERY_INIT;
    assert_int_equal(svcq_incident_list(ctx, &q, count_visit, &count), SVCQ_OK);
    assert_int_equal(count, 2);
    svcq_ctx_free(ctx);
}

/* ---- matrix and flow chart ------------------------------------------------------------ */

static char *matrix_md(svcq_ctx *ctx, int expect)
{
    char *out = NULL;
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = collect;
    w.user_data = &out;
    assert_int_equal(svcq_incident_matrix_export_markdown(ctx, &w), expect);
    return out;
}

static void matrix_default_and_checks(void **state)
{
    (void)state;
    svcq_ctx *ctx = NULL;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    assert_int_equal(svcq_incident_matrix_check(ctx), SVCQ_OK);
    char *md = matrix_md(ctx, SVCQ_OK);
    fixture("matrix_default.md", md);
    free(md);
    assert_int_equal(svcq_incident_matrix_get(ctx, "quality_manager", SVCQ_INCIDENT_PLANNING),
                     SVCQ_INCIDENT_RACI_APPROVES);
    /* No responsible role for planning. */
    assert_int_equal(svcq_incident_matrix_set(ctx, "responsible_unit", SVCQ_INCIDENT_PLANNING,
                                              SVCQ_INCIDENT_RACI_CONSULTED), SVCQ_OK);
    assert_int_equal(svcq_incident_matrix_check(ctx), SVCQ_ESTATE);
    assert_string_equal(svcq_ctx_errmsg(ctx), "responsibility matrix: stage plan has no responsible role");
    assert_null(matrix_md(ctx, SVCQ_ESTATE));
    /* Two responsible roles. */
    assert_int_equal(svcq_incident_matrix_set(ctx, "team_lead", SVCQ_INCIDENT_PLANNING,
                                              SVCQ_INCIDENT_RACI_RESPONSIBLE), SVCQ_OK);
    assert_int_equal(svcq_incident_matrix_check(ctx), SVCQ_OK);
    assert_int_equal(svcq_incident_matrix_set(ctx, "measure_owner", SVCQ_INCIDENT_PLANNING,
                                              SVCQ_INCIDENT_RACI_RESPONSIBLE), SVCQ_OK);
    assert_int_equal(svcq_incident_matrix_check(ctx), SVCQ_ESTATE);
    assert_string_equal(svcq_ctx_errmsg(ctx),
                        "responsibility matrix: stage plan has two responsible roles, measure_owner and team_lead");
    assert_int_equal(svcq_incident_matrix_set(ctx, "measure_owner", SVCQ_INCIDENT_PLANNING,
                                              SVCQ_INCIDENT_RACI_CONSULTED), SVCQ_OK);
    /* No approver of the verification. */
    assert_int_equal(svcq_incident_matrix_set(ctx, "quality_manager", SVCQ_INCIDENT_VERIFYING,
                                              SVCQ_INCIDENT_RACI_NONE), SVCQ_OK);
    assert_int_equal(svcq_incident_matrix_check(ctx), SVCQ_ESTATE);
    assert_string_equal(svcq_ctx_errmsg(ctx), "responsibility matrix: stage verify has no role that approves it");
    assert_int_equal(svcq_incident_matrix_set(ctx, "quality_manager", SVCQ_INCIDENT_VERIFYING,
                                              SVCQ_INCIDENT_RACI_APPROVES), SVCQ_OK);
    md = matrix_md(ctx, SVCQ_OK);
    fixture("matrix_custom.md", md);
    free(md);
    /* A role with no part left goes away; bad arguments. */
    assert_int_equal(svcq_incident_matrix_set(ctx, "team_lead", SVCQ_INCIDENT_PLANNING, SVCQ_INCIDENT_RACI_NONE),
                     SVCQ_OK);
    assert_int_equal(svcq_incident_matrix_get(ctx, "team_lead", SVCQ_INCIDENT_PLANNING), SVCQ_INCIDENT_RACI_NONE);
    assert_int_equal(svcq_incident_matrix_set(ctx, "Team Lead", SVCQ_INCIDENT_PLANNING, 1), SVCQ_EINVAL);
    assert_string_equal(svcq_ctx_errmsg(ctx),
                        "responsibility matrix: role \"Team Lead\" is not 1 to 64 bytes of [a-z0-9_]");
    assert_int_equal(svcq_incident_matrix_set(ctx, "x", SVCQ_INCIDENT_REJECTED, 1), SVCQ_EINVAL);
    assert_string_equal(svcq_ctx_errmsg(ctx), "responsibility matrix: role x: state 3 is not a stage");
    assert_int_equal(svcq_incident_matrix_set(ctx, "x", SVCQ_INCIDENT_CLOSED, 9), SVCQ_EINVAL);
    assert_string_equal(svcq_ctx_errmsg(ctx), "responsibility matrix: role x, stage close: unknown part 9");
    assert_int_equal(svcq_incident_matrix_reset(ctx), SVCQ_OK);
    md = matrix_md(ctx, SVCQ_OK);
    fixture("matrix_default.md", md);
    free(md);
    svcq_ctx_free(ctx);
}

static char *flow(svcq_ctx *ctx, const svcq_incident *inc)
{
    char *out = NULL;
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = collect;
    w.user_data = &out;
    if (svcq_incident_flow_mermaid(ctx, inc, &w))
        fail_msg("flow: %s", svcq_ctx_errmsg(ctx));
    return out;
}

static void flow_charts(void **state)
{
    (void)state;
    fx_now_value = FX_T0;
    svcq_ctx_options o;
    assert_int_equal(svcq_ctx_options_init(&o, SVCQ_CTX_OPTIONS_VERSION), SVCQ_OK);
    fx_options(&o);
    svcq_ctx *ctx = NULL;
    assert_int_equal(svcq_ctx_new(&ctx, &o), SVCQ_OK);
    char *m = flow(ctx, NULL);
    fixture("flow.mmd", m);
    free(m);
    svcq_analysis *a = NULL;
    assert_int_equal(fx_analysis(&a, ctx, "a-INC-1"), SVCQ_OK);
    svcq_incident *inc = NULL;
    static const struct {
        int upto;
        const char *file;
    } at[] = { { 0, "flow_reported.mmd" }, { 12, "flow_executing.mmd" }, { FX_STEPS, "flow_closed.mmd" } };
    int step = 0;
    for (size_t k = 0; k < 3; k++) {
        for (; step <= at[k].upto && step < FX_STEPS; step++)
            assert_int_equal(fx_step(&inc, ctx, "INC-1", a, step), SVCQ_OK);
        m = flow(ctx, inc);
        fixture(at[k].file, m);
        free(m);
    }
    /* Reopened by a recurrence: the loop edge from closed back to analysis. */
    svcq_incident *other = NULL;
    assert_int_equal(fx_report(&other, ctx, "INC-2"), SVCQ_OK);
    assert_int_equal(svcq_incident_link_recurrence(inc, "Sun Li", "quality_staff", "INC-2"), SVCQ_OK);
    m = flow(ctx, inc);
    fixture("flow_reopened.mmd", m);
    free(m);
    assert_int_equal(svcq_incident_transition(other, "Zhao Min", "supervisor", SVCQ_INCIDENT_CANCELLED, "duplicate"),
                     SVCQ_OK);
    m = flow(ctx, other);
    fixture("flow_cancelled.mmd", m);
    free(m);
    /* Another context's incident is refused. */
    svcq_ctx *ctx2 = NULL;
    assert_int_equal(svcq_ctx_new(&ctx2, NULL), SVCQ_OK);
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = collect;
    char *sink = NULL;
    w.user_data = &sink;
    assert_int_equal(svcq_incident_flow_mermaid(ctx2, inc, &w), SVCQ_EINVAL);
    assert_string_equal(svcq_ctx_errmsg(ctx2), "flow chart: incident INC-1 belongs to another context");
    svcq_ctx_free(ctx2);
    svcq_incident_free(other);
    svcq_incident_free(inc);
    svcq_analysis_free(a);
    svcq_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lifecycle_events_reach_the_clock),
        cmocka_unit_test(confirm_target_on_a_business_calendar),
        cmocka_unit_test(loop_back_rearms_analysis),
        cmocka_unit_test(reject_and_cancel_end_the_clock),
        cmocka_unit_test(complaint_runs_the_tier_policy),
        cmocka_unit_test(breach_opens_exactly_one_incident),
        cmocka_unit_test(breach_incident_content),
        cmocka_unit_test(matrix_default_and_checks),
        cmocka_unit_test(flow_charts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
