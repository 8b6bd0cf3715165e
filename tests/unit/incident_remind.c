/* Measure deadlines remind and escalate through the scheduler (issue 12,
 * item 2). The calendar is Monday to Friday 09:00-18:00 UTC with
 * Wednesday 2026-01-07 a holiday; expected instants are worked out by
 * hand in the comments (a business day is 9 h).
 *
 * 1. Warnings, the breach and escalations of two measures at their exact
 *    instants; a deadline adjustment (with a new owner) moves m2's clock;
 *    done stops them; each notice maps to the incident, the measure, its
 *    owner now and the role to notify (svcq_incident_reminder_of).
 * 2. A cancelled measure stops its clock; a cancelled incident ends every
 *    measure clock; a deadline already past at the approval is due at once.
 * 3. The loop back: the earlier loop's clocks stay as they ended, the next
 *    approval starts the new measure's clock.
 * 4. Refusals and their messages. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "incident_fixture.h"

#define HOUR 3600
#define DAY 86400
#define MON 1767571200 /* 2026-01-05T00:00:00Z, a Monday */
#define AT(day, h, m) ((svcq_time)MON + (day) * DAY + (h) * HOUR + (m) * 60)

typedef struct env {
    svcq_ctx *ctx;
    svcq_sla_scheduler *sched;
    svcq_calendar *cal;
    size_t n;
    char line[64][200];
} env;

/* Keeps the notices of measure clocks, with whom they are for. */
static int on_notice(const svcq_sla_notice *n, void *ud)
{
    env *e = ud;
    if (strcmp(n->policy, SVCQ_INCIDENT_MEASURE_POLICY) != 0)
        return 0;
    svcq_incident_reminder r = SVCQ_INCIDENT_REMINDER_INIT;
    svcq_incident *inc = NULL;
    int rc = svcq_incident_reminder_of(&r, &inc, e->ctx, n);
    if (rc)
        return rc;
    if (e->n < 64)
        snprintf(e->line[e->n++], 200, "%lld %s %s %d %u | %s %s %s %s %lld", (long long)(n->at - MON), n->subject,
                 svcq_sla_notice_kind_name(n->kind), n->level, n->cycle, r.incident, r.measure, r.owner,
                 r.role ? r.role : "-", (long long)(r.deadline - MON));
    svcq_incident_free(inc);
    return 0;
}

static void env_open(env *e)
{
    memset(e, 0, sizeof(*e));
    svcq_ctx_options o;
    assert_int_equal(svcq_ctx_options_init(&o, SVCQ_CTX_OPTIONS_VERSION), SVCQ_OK);
    fx_options(&o);
    assert_int_equal(svcq_ctx_new(&e->ctx, &o), SVCQ_OK);
    assert_int_equal(svcq_sla_default_calendar(&e->cal, e->ctx, NULL), SVCQ_OK);
    assert_int_equal(svcq_calendar_set_closed(e->cal, 2026, 1, 7), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_new(&e->sched, e->ctx, on_notice, e), SVCQ_OK);
    svcq_incident_sla_options so = SVCQ_INCIDENT_SLA_OPTIONS_INIT;
    so.scheduler = e->sched;
    so.calendar = e->cal;
    assert_int_equal(svcq_incident_sla_enable(e->ctx, &so), SVCQ_OK);
}

static void env_close(env *e)
{
    svcq_sla_scheduler_free(e->sched);
    svcq_calendar_free(e->cal);
    svcq_ctx_free(e->ctx);
}

/* Advances the scheduler to t, then sets the clock to t. */
static void go(env *e, svcq_time t)
{
    uint64_t n;
    assert_int_equal(svcq_sla_scheduler_advance(&n, e->sched, t), SVCQ_OK);
    fx_now_value = t;
}

static int add_measure(svcq_incident *inc, svcq_analysis *a, const char *what, svcq_time deadline)
{
    char root[128];
    snprintf(root, sizeof(root), "%s:c1", svcq_analysis_id(a));
    svcq_incident_measure_spec m = SVCQ_INCIDENT_MEASURE_SPEC_INIT;
    m.kind = SVCQ_INCIDENT_MEASURE_PROCESS_CHANGE;
    m.what = what;
    m.root_cause = root;
    m.owner = "Wang Wei";
    m.deadline = deadline;
    m.indicator = "callback delay";
    m.unit = "h";
    m.baseline = 3000;
    m.target = 1000;
    m.direction = SVCQ_INCIDENT_LOWER_IS_BETTER;
    m.feasibility = "Fits the current staffing";
    m.expected_effect = "Callbacks within 1 h";
    m.approved_by = "Zhao Min";
    return svcq_incident_add_measure(NULL, inc, "Wang Wei", "team_lead", &m);
}

/* Steps 0..7 of the fixture (report to planning), an hour apart from Monday 09:00. */
static void to_planning(env *e, svcq_incident **inc, svcq_analysis **a, const char *id)
{
    char aid[64];
    snprintf(aid, sizeof(aid), "a-%s", id);
    fx_now_value = AT(0, 9, 0);
    assert_int_equal(fx_analysis(a, e->ctx, aid), SVCQ_OK);
    for (int i = 0; i <= 7; i++) {
        if (fx_step(inc, e->ctx, id, *a, i))
            fail_msg("step %d: %s", i, svcq_ctx_errmsg(e->ctx));
        fx_now_value += HOUR;
    }
}

static int approve(svcq_incident *inc)
{
    return svcq_incident_transition(inc, "Zhao Min", "supervisor", SVCQ_INCIDENT_EXECUTING, "approved");
}

static int adjust(svcq_incident *inc, const char *measure, svcq_time deadline, const char *owner)
{
    svcq_incident_ledger_spec l = SVCQ_INCIDENT_LEDGER_SPEC_INIT;
    l.kind = SVCQ_INCIDENT_LEDGER_ADJUSTMENT;
    l.measure = measure;
    l.note = "replanned";
    l.reason = "supplier late";
    l.new_deadline = deadline;
    l.new_owner = owner;
    l.approver = "Zhao Min";
    return svcq_incident_ledger_add(inc, "Wang Wei", "team_lead", &l);
}

static int set_state(svcq_incident *inc, const char *measure, int32_t state)
{
    return svcq_incident_set_measure_state(inc, "Wang Wei", "team_lead", measure, state,
                                           state == SVCQ_INCIDENT_MEASURE_CANCELLED ? "not needed" : NULL);
}

static svcq_sla_clock *clock_of(env *e, const char *subject)
{
    return svcq_sla_scheduler_find(e->sched, subject, SVCQ_INCIDENT_MEASURE_POLICY);
}

static int32_t state_of(env *e, const char *subject, svcq_time at)
{
    svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
    svcq_sla_clock *c = clock_of(e, subject);
    assert_non_null(c);
    assert_int_equal(svcq_sla_clock_status(&st, c, 0, at), SVCQ_OK);
    return st.state;
}

/* ---- 1. reminders, breach, escalation, an adjustment -------------------- */

/* Approved Tuesday 6th 09:00.
 * m1, due Friday 9th 18:00: Tue, Thu, Fri = 27 h. 50 % = 13 h 30: Thursday
 * 13:30; 80 % = 21 h 36: Friday 12:36; breach Friday 18:00:01; 150 % =
 * 40 h 30: Mon 12th (36 h), Tue 13th 13:30:01; 200 % = 54 h: Wednesday
 * 14th 18:00:01 — but m1 is done Wednesday 14th 10:00, before it.
 * m2, due Tuesday 13th 12:00, moved on Thursday 8th 10:00 (before its first
 * warning, Friday 10:30) to Friday 16th 12:00 with a new owner: from
 * Thursday 10:00, Thu 8 h, Fri, Mon, Tue, Wed, Thu 9 h, Fri 3 h = 56 h;
 * 50 % = 28 h: Tuesday 13th 11:00; 80 % = 44 h 48: Thursday 15th 09:48;
 * done Thursday 15th 15:00, before its deadline. */
static void reminders_and_escalation_at_exact_instants(void **state)
{
    (void)state;
    env e;
    env_open(&e);
    svcq_incident *inc = NULL;
    svcq_analysis *a = NULL;
    to_planning(&e, &inc, &a, "INC-1");
    assert_int_equal(add_measure(inc, a, "Handover checklist", AT(4, 18, 0)), SVCQ_OK);
    assert_int_equal(add_measure(inc, a, "Queue alarm", AT(8, 12, 0)), SVCQ_OK);
    /* No clock before the plan is approved. */
    assert_null(clock_of(&e, "INC-1/m1"));
    go(&e, AT(1, 9, 0));
    assert_int_equal(approve(inc), SVCQ_OK);
    svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
    assert_int_equal(svcq_sla_clock_status(&st, clock_of(&e, "INC-1/m1"), 0, AT(1, 9, 0)), SVCQ_OK);
    assert_int_equal(st.state, SVCQ_SLA_RUNNING);
    assert_int_equal(st.started_at, AT(1, 9, 0));
    assert_int_equal(st.due_at, AT(4, 18, 0));
    assert_int_equal(st.warn_at, AT(3, 13, 30));
    /* Saved with the incident. */
    svcq_sla_policy *mp = svcq_incident_measure_policy(e.ctx);
    svcq_sla_clock *stored = NULL;
    assert_int_equal(svcq_sla_clock_load(&stored, &mp, 1, SVCQ_INCIDENT_MEASURE_POLICY, "INC-1/m2", 0), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_count(stored), 1);
    svcq_sla_clock_free(stored);

    go(&e, AT(3, 10, 0));
    assert_int_equal(adjust(inc, "m2", AT(11, 12, 0), "Chen Jie"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_status(&st, clock_of(&e, "INC-1/m2"), 0, AT(3, 10, 0)), SVCQ_OK);
    assert_int_equal(st.started_at, AT(3, 10, 0));
    assert_int_equal(st.due_at, AT(11, 12, 0));
    /* A progress entry or an owner-only adjustment moves nothing. */
    uint32_t events = svcq_sla_clock_event_count(clock_of(&e, "INC-1/m2"));
    assert_int_equal(fx_ledger(inc, "m2", SVCQ_INCIDENT_LEDGER_PROGRESS, 40), SVCQ_OK);
    assert_int_equal(adjust(inc, "m2", 0, "Chen Jie"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_count(clock_of(&e, "INC-1/m2")), events);

    go(&e, AT(9, 10, 0));
    assert_int_equal(set_state(inc, "m1", SVCQ_INCIDENT_MEASURE_DONE), SVCQ_OK);
    assert_int_equal(state_of(&e, "INC-1/m1", AT(9, 10, 0)), SVCQ_SLA_BREACHED);
    go(&e, AT(10, 15, 0));
    assert_int_equal(set_state(inc, "m2", SVCQ_INCIDENT_MEASURE_DONE), SVCQ_OK);
    assert_int_equal(state_of(&e, "INC-1/m2", AT(10, 15, 0)), SVCQ_SLA_MET);
    go(&e, AT(40, 0, 0));

    /* "<instant> <subject> <kind> <level> <cycle> | <incident> <measure> <owner> <role> <deadline>",
     * instants and deadlines in seconds from Monday 00:00. */
    struct {
        svcq_time at;
        const char *what;
        svcq_time deadline;
    } want[] = {
        { AT(3, 13, 30), "INC-1/m1 warning 50 0 | INC-1 m1 Wang Wei measure_owner", AT(4, 18, 0) },
        { AT(4, 12, 36), "INC-1/m1 warning 80 0 | INC-1 m1 Wang Wei measure_owner", AT(4, 18, 0) },
        { AT(4, 18, 0) + 1, "INC-1/m1 breach 0 0 | INC-1 m1 Wang Wei measure_owner", AT(4, 18, 0) },
        { AT(8, 11, 0), "INC-1/m2 warning 50 1 | INC-1 m2 Chen Jie measure_owner", AT(11, 12, 0) },
        { AT(8, 13, 30) + 1, "INC-1/m1 escalation 1 0 | INC-1 m1 Wang Wei responsible_unit", AT(4, 18, 0) },
        { AT(10, 9, 48), "INC-1/m2 warning 80 1 | INC-1 m2 Chen Jie measure_owner", AT(11, 12, 0) },
    };
    for (size_t i = 0; i < e.n; i++)
        print_message("%s\n", e.line[i]);
    assert_int_equal(e.n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < e.n; i++) {
        char line[200];
        snprintf(line, sizeof(line), "%lld %s %lld", (long long)(want[i].at - MON), want[i].what,
                 (long long)(want[i].deadline - MON));
        assert_string_equal(e.line[i], line);
    }

    /* The escalation goes to whoever approves the execute stage. */
    assert_int_equal(svcq_incident_matrix_set(e.ctx, "quality_manager", SVCQ_INCIDENT_EXECUTING,
                                              SVCQ_INCIDENT_RACI_APPROVES), SVCQ_OK);
    assert_int_equal(svcq_incident_matrix_set(e.ctx, "responsible_unit", SVCQ_INCIDENT_EXECUTING,
                                              SVCQ_INCIDENT_RACI_CONSULTED), SVCQ_OK);
    svcq_sla_notice n = SVCQ_SLA_NOTICE_INIT;
    n.kind = SVCQ_SLA_NOTICE_ESCALATION;
    n.subject = "INC-1/m1";
    n.policy = SVCQ_INCIDENT_MEASURE_POLICY;
    n.metric = "deadline";
    n.level = 1;
    svcq_incident_reminder r = SVCQ_INCIDENT_REMINDER_INIT;
    svcq_incident *got = NULL;
    assert_int_equal(svcq_incident_reminder_of(&r, &got, e.ctx, &n), SVCQ_OK);
    assert_string_equal(r.role, "quality_manager");
    assert_int_equal(r.measure_state, SVCQ_INCIDENT_MEASURE_DONE);
    svcq_incident_free(got);
    /* None approves execution: the plan's approver. */
    assert_int_equal(svcq_incident_matrix_set(e.ctx, "quality_manager", SVCQ_INCIDENT_EXECUTING,
                                              SVCQ_INCIDENT_RACI_INFORMED), SVCQ_OK);
    assert_int_equal(svcq_incident_reminder_of(&r, &got, e.ctx, &n), SVCQ_OK);
    assert_string_equal(r.role, "quality_manager");
    svcq_incident_free(got);

    svcq_incident_free(inc);
    svcq_analysis_free(a);
    env_close(&e);
}

/* ---- 2. cancel, incident cancelled, past deadline ---------------------- */

static void cancel_stops_and_past_deadline_is_due_at_once(void **state)
{
    (void)state;
    env e;
    env_open(&e);
    svcq_incident *inc = NULL, *other = NULL;
    svcq_analysis *a = NULL, *b = NULL;
    to_planning(&e, &inc, &a, "INC-2");
    /* m1 due before the approval; m2 a week later; m3 cancelled in planning. */
    assert_int_equal(add_measure(inc, a, "Late already", AT(0, 17, 0)), SVCQ_OK);
    assert_int_equal(add_measure(inc, a, "Next week", AT(8, 18, 0)), SVCQ_OK);
    assert_int_equal(add_measure(inc, a, "Dropped", AT(8, 18, 0)), SVCQ_OK);
    assert_int_equal(set_state(inc, "m3", SVCQ_INCIDENT_MEASURE_CANCELLED), SVCQ_OK);
    go(&e, AT(1, 9, 0));
    assert_int_equal(approve(inc), SVCQ_OK);
    assert_null(clock_of(&e, "INC-2/m3"));
    /* m1: warnings at the approval, breach and escalations a second later. */
    go(&e, AT(1, 9, 0) + 1);
    assert_int_equal(e.n, 5);
    assert_string_equal(e.line[0], "118800 INC-2/m1 warning 50 0 | INC-2 m1 Wang Wei measure_owner 61200");
    assert_string_equal(e.line[2], "118801 INC-2/m1 breach 0 0 | INC-2 m1 Wang Wei measure_owner 61200");
    assert_string_equal(e.line[4], "118801 INC-2/m1 escalation 2 0 | INC-2 m1 Wang Wei responsible_unit 61200");
    /* m2 cancelled: stopped, nothing more from it. */
    go(&e, AT(2, 12, 0));
    assert_int_equal(set_state(inc, "m2", SVCQ_INCIDENT_MEASURE_CANCELLED), SVCQ_OK);
    assert_int_equal(state_of(&e, "INC-2/m2", AT(2, 12, 0)), SVCQ_SLA_CANCELLED);
    go(&e, AT(40, 0, 0));
    assert_int_equal(e.n, 5);

    /* An incident cancelled while executing ends its measures' clocks. */
    e.n = 0;
    to_planning(&e, &other, &b, "INC-3");
    assert_int_equal(add_measure(other, b, "One", AT(8, 18, 0)), SVCQ_OK);
    go(&e, AT(1, 9, 0));
    assert_int_equal(approve(other), SVCQ_OK);
    go(&e, AT(1, 10, 0));
    assert_int_equal(svcq_incident_transition(other, "Zhao Min", "supervisor", SVCQ_INCIDENT_CANCELLED, "duplicate"),
                     SVCQ_OK);
    assert_int_equal(state_of(&e, "INC-3/m1", AT(1, 10, 0)), SVCQ_SLA_CANCELLED);
    const char *name;
    svcq_time at;
    svcq_sla_clock *c = clock_of(&e, "INC-3/m1");
    assert_int_equal(svcq_sla_clock_event_at(&name, &at, NULL, c, svcq_sla_clock_event_count(c) - 1), SVCQ_OK);
    assert_string_equal(name, "incident_ended");
    go(&e, AT(40, 0, 0));
    assert_int_equal(e.n, 0);
    svcq_incident_free(inc);
    svcq_incident_free(other);
    svcq_analysis_free(a);
    svcq_analysis_free(b);
    env_close(&e);
}

/* ---- 3. the loop back --------------------------------------------------- */

static void loop_back_starts_the_new_loops_clocks(void **state)
{
    (void)state;
    env e;
    env_open(&e);
    svcq_incident *inc = NULL;
    svcq_analysis *a = NULL;
    fx_now_value = AT(0, 9, 0);
    assert_int_equal(fx_analysis(&a, e.ctx, "a-INC-4"), SVCQ_OK);
    for (int i = 0; i <= 20; i++) {
        if (fx_step(&inc, e.ctx, "INC-4", a, i))
            fail_msg("step %d: %s", i, svcq_ctx_errmsg(e.ctx));
        if (i != 18)
            fx_now_value += HOUR;
    }
    uint32_t n1 = svcq_sla_clock_event_count(clock_of(&e, "INC-4/m1"));
    assert_int_equal(state_of(&e, "INC-4/m1", fx_now_value), SVCQ_SLA_MET);
    assert_int_equal(state_of(&e, "INC-4/m2", fx_now_value), SVCQ_SLA_MET);
    /* csat fell and m2's indicator missed: not effective. */
    assert_int_equal(svcq_incident_record_indicator(inc, "Sun Li", "quality_staff", "m2", 2000), SVCQ_OK);
    int32_t verdict = 0;
    assert_int_equal(svcq_incident_verify(&verdict, inc, "Sun Li", "quality_staff", 4100, 3900, "worse"), SVCQ_OK);
    assert_int_equal(verdict, SVCQ_INCIDENT_NOT_EFFECTIVE);
    fx_now_value += HOUR;
    assert_int_equal(svcq_incident_transition(inc, "Sun Li", "quality_staff", SVCQ_INCIDENT_PLANNING, NULL), SVCQ_OK);
    assert_int_equal(add_measure(inc, a, "Second try", fx_now_value + 5 * DAY), SVCQ_OK);
    assert_null(clock_of(&e, "INC-4/m3"));
    fx_now_value += HOUR;
    svcq_time approved = fx_now_value;
    assert_int_equal(approve(inc), SVCQ_OK);
    assert_int_equal(state_of(&e, "INC-4/m3", approved), SVCQ_SLA_RUNNING);
    svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
    assert_int_equal(svcq_sla_clock_status(&st, clock_of(&e, "INC-4/m3"), 0, approved), SVCQ_OK);
    assert_int_equal(st.started_at, approved);
    /* The first loop's clocks are left as they ended. */
    assert_int_equal(svcq_sla_clock_event_count(clock_of(&e, "INC-4/m1")), n1);
    assert_int_equal(state_of(&e, "INC-4/m1", approved), SVCQ_SLA_MET);
    svcq_incident_free(inc);
    svcq_analysis_free(a);
    env_close(&e);
}

/* ---- 4. refusals -------------------------------------------------------- */

static void refusals_name_the_cause(void **state)
{
    (void)state;
    env e;
    env_open(&e);
    svcq_ctx *ctx = e.ctx;
    svcq_incident *inc = NULL;
    svcq_analysis *a = NULL;
    to_planning(&e, &inc, &a, "INC-5");
    /* A deadline the calendar cannot hold fails the approval, naming it. */
    assert_int_equal(add_measure(inc, a, "Far away", (svcq_time)300000000000LL), SVCQ_OK);
    go(&e, AT(1, 9, 0));
    assert_int_equal(approve(inc), SVCQ_ERANGE);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "incident INC-5: measure m1: clock quality.measure"));
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "outside the years 1900 to 9999"));
    assert_int_equal(svcq_incident_state_of(inc), SVCQ_INCIDENT_PLANNING);
    assert_null(clock_of(&e, "INC-5/m1"));

    svcq_sla_notice n = SVCQ_SLA_NOTICE_INIT;
    n.kind = SVCQ_SLA_NOTICE_WARNING;
    n.subject = "INC-5/m1";
    n.policy = SVCQ_INCIDENT_MEASURE_POLICY;
    n.metric = "deadline";
    svcq_incident_reminder r = SVCQ_INCIDENT_REMINDER_INIT;
    svcq_incident *got = (svcq_incident *)1;
    assert_int_equal(svcq_incident_reminder_of(&r, &got, NULL, &n), SVCQ_EINVAL);
    assert_int_equal(svcq_incident_reminder_of(NULL, &got, ctx, &n), SVCQ_EINVAL);
    assert_null(got);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "measure reminder: out is NULL"));
    assert_int_equal(svcq_incident_reminder_of(&r, &got, ctx, NULL), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "measure reminder: notice is NULL"));
    r.version = 2;
    assert_int_equal(svcq_incident_reminder_of(&r, &got, ctx, &n), SVCQ_EVERSION);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "table version 2 is not 1"));
    assert_int_equal(svcq_incident_reminder_init(&r, SVCQ_INCIDENT_REMINDER_VERSION), SVCQ_OK);
    assert_int_equal(svcq_incident_reminder_init(&r, 9), SVCQ_EVERSION);
    assert_int_equal(svcq_incident_reminder_init(&r, SVCQ_INCIDENT_REMINDER_VERSION), SVCQ_OK);
    n.policy = SVCQ_INCIDENT_SLA_POLICY;
    assert_int_equal(svcq_incident_reminder_of(&r, &got, ctx, &n), SVCQ_ENOTFOUND);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "is of policy quality.incident, not quality.measure"));
    n.policy = SVCQ_INCIDENT_MEASURE_POLICY;
    n.subject = "INC-5";
    assert_int_equal(svcq_incident_reminder_of(&r, &got, ctx, &n), SVCQ_ENOTFOUND);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "subject INC-5 is not \"<incident id>/<measure id>\""));
    n.subject = "INC-404/m1";
    assert_int_equal(svcq_incident_reminder_of(&r, &got, ctx, &n), SVCQ_ENOTFOUND);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "measure reminder of INC-404/m1"));
    n.subject = "INC-5/m9";
    assert_int_equal(svcq_incident_reminder_of(&r, &got, ctx, &n), SVCQ_ENOTFOUND);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "incident INC-5 has no measure m9"));
    assert_null(got);

    /* The policy builders. */
    svcq_sla_policy *p = NULL;
    assert_int_equal(svcq_incident_measure_policy_new(&p, NULL, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_incident_measure_policy_new(&p, ctx, NULL), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "incident measure policy: NULL argument"));
    svcq_incident_sla_options so = SVCQ_INCIDENT_SLA_OPTIONS_INIT;
    so.policy_version = 3;
    assert_int_equal(svcq_incident_measure_policy_new(&p, ctx, &so), SVCQ_OK);
    assert_string_equal(svcq_sla_policy_name(p), SVCQ_INCIDENT_MEASURE_POLICY);
    assert_int_equal(svcq_sla_policy_version(p), 3);
    svcq_sla_target_spec t = SVCQ_SLA_TARGET_SPEC_INIT;
    assert_int_equal(svcq_sla_policy_target(&t, p, 0), SVCQ_OK);
    assert_int_equal(t.duration_unit, SVCQ_SLA_UNIT_EVENT_DUE);
    svcq_sla_policy_free(p);
    assert_non_null(svcq_incident_measure_policy(ctx));
    assert_int_equal(svcq_incident_sla_enable(ctx, NULL), SVCQ_OK);
    assert_null(svcq_incident_measure_policy(ctx));
    assert_null(svcq_incident_measure_policy(NULL));
    svcq_incident_free(inc);
    svcq_analysis_free(a);
    env_close(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reminders_and_escalation_at_exact_instants),
        cmocka_unit_test(cancel_stops_and_past_deadline_is_due_at_once),
        cmocka_unit_test(loop_back_starts_the_new_loops_clocks),
        cmocka_unit_test(refusals_name_the_cause),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
