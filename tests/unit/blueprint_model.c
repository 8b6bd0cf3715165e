/* The blueprint model: steps and risk points through the public API, the
 * validation of every edit (each error path with the message it must
 * give), the overlay on the hand-counted incidents of blueprint_fixtures.h,
 * and the store: versions, compare-and-swap, old versions, batches. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "blueprint_fixtures.h"
#include "store/store.h"
#include "svcq.h"
#include "test_ctx.h"

#define OK(call)                                                                                                   \
    do {                                                                                                           \
        int rc_ = (call);                                                                                          \
        if (rc_ != SVCQ_OK)                                                                                        \
            fail_msg("%s: %s (%s)", #call, svcq_strerror(rc_), svcq_ctx_errmsg(ctx));                              \
    } while (0)

static void expect_err(int rc, int want, const char *what)
{
    if (rc != want)
        fail_msg("got %s, want %s (%s)", svcq_strerror(rc), svcq_strerror(want), svcq_ctx_errmsg(ctx));
    if (what && !strstr(svcq_ctx_errmsg(ctx), what))
        fail_msg("message \"%s\" does not say \"%s\"", svcq_ctx_errmsg(ctx), what);
}

static char *json_of(const svcq_blueprint *bp)
{
    svcq_buffer *b;
    OK(svcq_buffer_new(&b, ctx));
    svcq_writer w;
    OK(svcq_writer_to_buffer(&w, b));
    OK(svcq_blueprint_export_json(bp, &w, 0));
    char *s = strndup(svcq_buffer_data(b), svcq_buffer_size(b));
    svcq_buffer_free(b);
    return s;
}

static const char *step_key(const svcq_blueprint *bp, size_t i)
{
    svcq_blueprint_step_spec s = SVCQ_BLUEPRINT_STEP_SPEC_INIT;
    OK(svcq_blueprint_step(&s, bp, i));
    return s.key;
}

/* ---- the model ------------------------------------------------------------------ */

static void names(void **state)
{
    (void)state;
    assert_string_equal(svcq_blueprint_severity_name(SVCQ_BLUEPRINT_CRITICAL), "critical");
    assert_null(svcq_blueprint_severity_name(0));
    assert_null(svcq_blueprint_severity_name(5));
    assert_string_equal(svcq_blueprint_watch_name(SVCQ_BLUEPRINT_WATCH_SLA_TARGET), "sla_target");
    assert_null(svcq_blueprint_watch_name(3));
    assert_string_equal(svcq_blueprint_obs_state_name(SVCQ_BLUEPRINT_OBS_CLOSED), "closed");
    assert_null(svcq_blueprint_obs_state_name(0));
    assert_string_equal(svcq_blueprint_line_name(SVCQ_BLUEPRINT_LINE_VISIBILITY), "visibility");
    assert_null(svcq_blueprint_line_name(4));
    static const char *const stages[] = { "reception", "technical_support", "after_sales", "complaint_handling" };
    for (uint32_t i = 0; i < 4; i++)
        assert_string_equal(svcq_blueprint_stage_key(i), stages[i]);
    assert_null(svcq_blueprint_stage_key(4));
    static const char *const channels[] = { "phone", "email", "system", "on_site", "wechat", "app" };
    for (uint32_t i = 0; i < 6; i++)
        assert_string_equal(svcq_blueprint_channel_key(i), channels[i]);
    assert_null(svcq_blueprint_channel_key(6));
    /* The INIT macros and the init functions agree. */
    svcq_blueprint_step_spec a = SVCQ_BLUEPRINT_STEP_SPEC_INIT, b;
    memset(&b, 0xab, sizeof(b));
    OK(svcq_blueprint_step_spec_init(&b, SVCQ_BLUEPRINT_STEP_SPEC_VERSION));
    assert_memory_equal(&a, &b, sizeof(a));
    expect_err(svcq_blueprint_step_spec_init(&b, 2), SVCQ_EVERSION, NULL);
}

static void model(void **state)
{
    (void)state;
    svcq_blueprint *bp = NULL;
    OK(bf_complaints(&bp, ctx));
    assert_string_equal(svcq_blueprint_service(bp), "complaints");
    assert_string_equal(svcq_blueprint_title(bp), "Complaint handling: billing complaints");
    assert_int_equal(svcq_blueprint_version(bp), 0);
    assert_int_equal(svcq_blueprint_revision(bp), 0);
    assert_int_equal(svcq_blueprint_changed(bp), 1);
    assert_int_equal(svcq_blueprint_step_count(bp), 5);
    assert_int_equal(svcq_blueprint_risk_count(bp), 4);
    svcq_blueprint_step_spec s = SVCQ_BLUEPRINT_STEP_SPEC_INIT;
    OK(svcq_blueprint_step(&s, bp, 2));
    assert_string_equal(s.key, "investigate");
    assert_string_equal(s.stage, "technical_support");
    assert_string_equal(s.channel, "system");
    assert_null(s.customer);
    assert_null(s.front);
    assert_string_equal(s.back, "Billing analyst checks the meter readings");
    assert_string_equal(s.support, "Billing system");
    expect_err(svcq_blueprint_step(&s, bp, 5), SVCQ_ENOTFOUND, "no step at index 5");
    svcq_blueprint_risk_spec r = SVCQ_BLUEPRINT_RISK_SPEC_INIT;
    OK(svcq_blueprint_risk(&r, bp, 2));
    assert_string_equal(r.key, "r_wrong");
    assert_string_equal(r.step, "investigate");
    assert_int_equal(r.severity, SVCQ_BLUEPRINT_CRITICAL);
    assert_int_equal(r.watch, SVCQ_BLUEPRINT_WATCH_INDICATOR);
    assert_string_equal(r.watch_name, "fcr");
    assert_string_equal(r.owner, "Billing lead");
    expect_err(svcq_blueprint_risk(&r, bp, 4), SVCQ_ENOTFOUND, "no risk point at index 4");
    r.version = 0;
    expect_err(svcq_blueprint_risk(&r, bp, 0), SVCQ_EVERSION, "table version 0");
    r.version = SVCQ_BLUEPRINT_RISK_SPEC_VERSION;

    assert_int_equal(svcq_blueprint_step_index(bp, "resolve"), 3);
    assert_int_equal(svcq_blueprint_step_index(bp, "nope"), -1);
    assert_int_equal(svcq_blueprint_step_index(NULL, "resolve"), -1);
    /* Lines: report has all four lanes; acknowledge has no back stage (its
     * front stage joins its support across the visibility line);
     * investigate has only back stage and support; follow_up has no front
     * stage (its customer joins its back stage across two lines). */
    assert_int_equal(svcq_blueprint_step_crosses(bp, "report", SVCQ_BLUEPRINT_LINE_INTERACTION), 1);
    assert_int_equal(svcq_blueprint_step_crosses(bp, "report", SVCQ_BLUEPRINT_LINE_INTERNAL_INTERACTION), 1);
    assert_int_equal(svcq_blueprint_step_crosses(bp, "acknowledge", SVCQ_BLUEPRINT_LINE_VISIBILITY), 1);
    assert_int_equal(svcq_blueprint_step_crosses(bp, "follow_up", SVCQ_BLUEPRINT_LINE_INTERACTION), 1);
    assert_int_equal(svcq_blueprint_step_crosses(bp, "follow_up", SVCQ_BLUEPRINT_LINE_VISIBILITY), 1);
    assert_int_equal(svcq_blueprint_step_crosses(bp, "investigate", SVCQ_BLUEPRINT_LINE_VISIBILITY), 0);
    assert_int_equal(svcq_blueprint_step_crosses(bp, "investigate", SVCQ_BLUEPRINT_LINE_INTERACTION), 0);
    assert_int_equal(svcq_blueprint_step_crosses(bp, "investigate", SVCQ_BLUEPRINT_LINE_INTERNAL_INTERACTION), 1);
    assert_int_equal(svcq_blueprint_step_crosses(bp, "nope", 1), -1);
    assert_int_equal(svcq_blueprint_step_crosses(bp, "report", 0), -1);

    /* Positions: insert first, move, update, remove. */
    svcq_blueprint_step_spec n = SVCQ_BLUEPRINT_STEP_SPEC_INIT;
    n.key = "web_form";
    n.title = "Web form";
    n.stage = "reception";
    n.channel = "app";
    n.customer = "Fills in the complaint form";
    OK(svcq_blueprint_add_step(bp, &n, 0));
    assert_string_equal(step_key(bp, 0), "web_form");
    assert_string_equal(step_key(bp, 1), "report");
    OK(svcq_blueprint_move_step(bp, "web_form", -1));
    assert_string_equal(step_key(bp, 5), "web_form");
    assert_string_equal(step_key(bp, 0), "report");
    OK(svcq_blueprint_move_step(bp, "web_form", 2));
    assert_string_equal(step_key(bp, 2), "web_form");
    assert_string_equal(step_key(bp, 3), "investigate");
    n.key = NULL;
    n.title = "Web form (new)";
    n.customer = NULL;
    n.stage = "after_sales";
    OK(svcq_blueprint_update_step(bp, "web_form", &n));
    OK(svcq_blueprint_step(&s, bp, 2));
    assert_string_equal(s.title, "Web form (new)");
    assert_string_equal(s.stage, "after_sales");
    assert_null(s.customer);
    OK(svcq_blueprint_remove_step(bp, "web_form"));
    assert_int_equal(svcq_blueprint_step_count(bp), 5);
    /* A risk moves to another step, then goes. */
    svcq_blueprint_risk_spec u = SVCQ_BLUEPRINT_RISK_SPEC_INIT;
    u.step = "follow_up";
    u.failure = "Survey never sent";
    u.severity = SVCQ_BLUEPRINT_LOW;
    OK(svcq_blueprint_update_risk(bp, "r_ack", &u));
    OK(svcq_blueprint_risk(&r, bp, 1));
    assert_string_equal(r.key, "r_ack");
    assert_string_equal(r.step, "follow_up");
    assert_null(r.watch_name);
    assert_null(r.contingency);
    OK(svcq_blueprint_remove_step(bp, "acknowledge")); /* no risk point left on it */
    OK(svcq_blueprint_remove_risk(bp, "r_ack"));
    assert_int_equal(svcq_blueprint_risk_count(bp), 3);
    OK(svcq_blueprint_set_title(bp, "Complaints v2"));
    assert_string_equal(svcq_blueprint_title(bp), "Complaints v2");
    svcq_blueprint_free(bp);
    svcq_blueprint_free(NULL);
}

/* ---- validation ------------------------------------------------------------------- */

static void validation(void **state)
{
    (void)state;
    svcq_blueprint *bp = NULL;
    expect_err(svcq_blueprint_new(&bp, ctx, "Bad Service", "t"), SVCQ_EINVAL, "blueprint service id");
    assert_null(bp);
    expect_err(svcq_blueprint_new(&bp, ctx, "", "t"), SVCQ_EINVAL, "empty");
    expect_err(svcq_blueprint_new(&bp, ctx, "svc", "  "), SVCQ_EINVAL, "blueprint svc: title: empty or blank");
    expect_err(svcq_blueprint_new(&bp, ctx, "svc", "a\x01"), SVCQ_EINVAL, "control character U+0001");
    expect_err(svcq_blueprint_new(&bp, ctx, "svc", "\xff"), SVCQ_EINVAL, "not valid UTF-8");
    expect_err(svcq_blueprint_new(NULL, ctx, "svc", "t"), SVCQ_EINVAL, "NULL out");
    expect_err(svcq_blueprint_new(&bp, ctx, "svc", NULL), SVCQ_EINVAL, "NULL title");
    char longkey[80];
    memset(longkey, 'a', 70);
    longkey[70] = '\0';
    expect_err(svcq_blueprint_new(&bp, ctx, longkey, "t"), SVCQ_EINVAL, "more than the 64");
    char *longtext = malloc(SVCQ_BLUEPRINT_MAX_TEXT + 2);
    memset(longtext, 'x', SVCQ_BLUEPRINT_MAX_TEXT + 1);
    longtext[SVCQ_BLUEPRINT_MAX_TEXT + 1] = '\0';
    expect_err(svcq_blueprint_new(&bp, ctx, "svc", longtext), SVCQ_ELIMIT, "1025 bytes");

    OK(bf_complaints(&bp, ctx));
    char *before = json_of(bp);
    /* A step with no stage, a missing title, bad keys, a duplicate key. */
    expect_err(bf_step(bp, "x", "X", NULL, NULL, "c", NULL, NULL, NULL), SVCQ_EINVAL,
               "blueprint complaints: step x: no service stage");
    expect_err(bf_step(bp, "x", "X", "", NULL, "c", NULL, NULL, NULL), SVCQ_EINVAL, "no service stage");
    expect_err(bf_step(bp, "x", NULL, "reception", NULL, NULL, NULL, NULL, NULL), SVCQ_EINVAL, "step x: title: missing");
    expect_err(bf_step(bp, "X-1", "X", "reception", NULL, NULL, NULL, NULL, NULL), SVCQ_EINVAL, "key: \"X-1\"");
    expect_err(bf_step(bp, NULL, "X", "reception", NULL, NULL, NULL, NULL, NULL), SVCQ_EINVAL, "key: missing");
    expect_err(bf_step(bp, "x", "X", "Reception", NULL, NULL, NULL, NULL, NULL), SVCQ_EINVAL, "stage");
    expect_err(bf_step(bp, "x", "X", "reception", "e-mail", NULL, NULL, NULL, NULL), SVCQ_EINVAL, "channel");
    expect_err(bf_step(bp, "x", "X", "reception", NULL, "a\x7f", NULL, NULL, NULL), SVCQ_EINVAL,
               "customer action: control character");
    expect_err(bf_step(bp, "x", "X", "reception", NULL, longtext, NULL, NULL, NULL), SVCQ_ELIMIT,
               "customer action: 1025 bytes");
    expect_err(bf_step(bp, "report", "Again", "reception", NULL, NULL, NULL, NULL, NULL), SVCQ_EEXIST,
               "step key report is used twice");
    svcq_blueprint_step_spec s = SVCQ_BLUEPRINT_STEP_SPEC_INIT;
    s.key = "x";
    s.title = "X";
    s.stage = "reception";
    expect_err(svcq_blueprint_add_step(bp, &s, 6), SVCQ_EINVAL, "position 6 is outside 0..5");
    expect_err(svcq_blueprint_add_step(bp, &s, -2), SVCQ_EINVAL, "position -2");
    s.reserved[3] = 1;
    expect_err(svcq_blueprint_add_step(bp, &s, -1), SVCQ_EINVAL, "reserved fields must be zero");
    s.reserved[3] = 0;
    s.version = 9;
    expect_err(svcq_blueprint_add_step(bp, &s, -1), SVCQ_EVERSION, "table version 9");
    s.version = SVCQ_BLUEPRINT_STEP_SPEC_VERSION;
    expect_err(svcq_blueprint_add_step(NULL, &s, -1), SVCQ_EINVAL, NULL);
    expect_err(svcq_blueprint_add_step(bp, NULL, -1), SVCQ_EINVAL, "svcq_blueprint_add_step: NULL argument");
    expect_err(svcq_blueprint_update_step(bp, "nope", &s), SVCQ_ENOTFOUND, "no step nope to update");
    expect_err(svcq_blueprint_update_step(bp, "report", &s), SVCQ_EINVAL, "the spec names step \"x\"");
    s.key = NULL;
    s.stage = NULL;
    expect_err(svcq_blueprint_update_step(bp, "report", &s), SVCQ_EINVAL, "step report: no service stage");
    expect_err(svcq_blueprint_move_step(bp, "nope", 0), SVCQ_ENOTFOUND, "no step nope to move");
    expect_err(svcq_blueprint_move_step(bp, "report", 5), SVCQ_EINVAL, "position 5 is outside 0..4");
    expect_err(svcq_blueprint_remove_step(bp, "nope"), SVCQ_ENOTFOUND, "no step nope to remove");
    expect_err(svcq_blueprint_remove_step(bp, "report"), SVCQ_ESTATE, "step report holds 1 risk point (r_wait)");
    expect_err(svcq_blueprint_set_title(bp, ""), SVCQ_EINVAL, "title: empty or blank");
    /* Risk points: on a missing step, duplicate, severity, watch. */
    expect_err(bf_risk(bp, "r9", "nope", "F", SVCQ_BLUEPRINT_LOW, NULL, NULL, 0, NULL), SVCQ_ENOTFOUND,
               "risk point r9: step nope is not in blueprint complaints");
    expect_err(bf_risk(bp, "r_wait", "report", "F", SVCQ_BLUEPRINT_LOW, NULL, NULL, 0, NULL), SVCQ_EEXIST,
               "risk point r_wait: the key is in use");
    expect_err(bf_risk(bp, "r9", "report", "F", 0, NULL, NULL, 0, NULL), SVCQ_EINVAL, "severity 0 is unknown");
    expect_err(bf_risk(bp, "r9", "report", "F", 1, NULL, NULL, 3, NULL), SVCQ_EINVAL, "watch 3 is unknown");
    expect_err(bf_risk(bp, "r9", "report", "F", 1, NULL, NULL, SVCQ_BLUEPRINT_WATCH_SLA_TARGET, NULL), SVCQ_EINVAL,
               "watched by an SLA target without a name");
    expect_err(bf_risk(bp, "r9", "report", "F", 1, NULL, NULL, 0, "ttr"), SVCQ_EINVAL, "but watch is none");
    expect_err(bf_risk(bp, "r9", "report", NULL, 1, NULL, NULL, 0, NULL), SVCQ_EINVAL, "r9: failure: missing");
    expect_err(bf_risk(bp, "r9", "report", "F", 1, "\t", NULL, 0, NULL), SVCQ_EINVAL, "contingency: empty or blank");
    svcq_blueprint_risk_spec r = SVCQ_BLUEPRINT_RISK_SPEC_INIT;
    r.step = "nope";
    r.failure = "F";
    r.severity = 1;
    expect_err(svcq_blueprint_update_risk(bp, "r_wait", &r), SVCQ_ENOTFOUND, "step nope is not in blueprint");
    expect_err(svcq_blueprint_update_risk(bp, "zz", &r), SVCQ_ENOTFOUND, "no risk point zz to update");
    r.key = "other";
    expect_err(svcq_blueprint_update_risk(bp, "r_wait", &r), SVCQ_EINVAL, "the spec names \"other\"");
    expect_err(svcq_blueprint_remove_risk(bp, "zz"), SVCQ_ENOTFOUND, "no risk point zz to remove");
    r.key = "r9";
    r.reserved0 = 1;
    expect_err(svcq_blueprint_add_risk(bp, &r), SVCQ_EINVAL, "reserved fields must be zero");
    /* Nothing changed through all of that. */
    char *after = json_of(bp);
    assert_string_equal(before, after);
    free(after);
    free(before);
    svcq_blueprint_free(bp);

    /* Limits. */
    OK(svcq_blueprint_new(&bp, ctx, "big", "Big"));
    char key[16];
    for (int i = 0; i < SVCQ_BLUEPRINT_MAX_STEPS; i++) {
        snprintf(key, sizeof(key), "s%d", i);
        OK(bf_step(bp, key, "S", "reception", NULL, NULL, NULL, NULL, NULL));
    }
    expect_err(bf_step(bp, "one_more", "S", "reception", NULL, NULL, NULL, NULL, NULL), SVCQ_ELIMIT,
               "more than the 256 steps");
    for (int i = 0; i < SVCQ_BLUEPRINT_MAX_RISKS; i++) {
        snprintf(key, sizeof(key), "r%d", i);
        OK(bf_risk(bp, key, "s0", "F", 1, NULL, NULL, 0, NULL));
    }
    expect_err(bf_risk(bp, "one_more", "s0", "F", 1, NULL, NULL, 0, NULL), SVCQ_ELIMIT, "more than the 1024 risk");
    svcq_blueprint_free(bp);
    free(longtext);
}

/* ---- the overlay -------------------------------------------------------------------- */

typedef struct want {
    const char *step;
    uint32_t incidents, recurrences, open, actions, breaches, risks, unplanned;
} want;

static void overlay(void **state)
{
    (void)state;
    svcq_blueprint *bp = NULL;
    svcq_blueprint_overlay *ov = NULL;
    OK(bf_complaints(&bp, ctx));
    OK(bf_overlay(&ov, ctx));
    assert_int_equal(svcq_blueprint_overlay_count(ov), 9);
    assert_int_equal(svcq_blueprint_overlay_skipped(ov), 1);
    assert_int_equal(svcq_blueprint_overlay_unplaced(ov, bp), 2);
    assert_int_equal(svcq_blueprint_overlay_unplaced_in_stage(ov, bp, "complaint_handling"), 1);
    assert_int_equal(svcq_blueprint_overlay_unplaced_in_stage(ov, bp, NULL), 1);
    assert_int_equal(svcq_blueprint_overlay_unplaced_in_stage(ov, bp, ""), 1);
    assert_int_equal(svcq_blueprint_overlay_unplaced_in_stage(ov, bp, "reception"), 0); /* INC-1 is placed */
    assert_int_equal(svcq_blueprint_overlay_unplaced_in_stage(NULL, bp, NULL), 0);
    /* The hand counts of blueprint_fixtures.h. */
    static const want wants[] = {
        { "report", 3, 1, 1, 2, 2, 1, 0 },    { "acknowledge", 0, 0, 0, 0, 0, 1, 0 },
        { "investigate", 1, 0, 0, 0, 0, 1, 0 }, { "resolve", 1, 1, 1, 1, 1, 1, 0 },
        { "follow_up", 2, 1, 1, 3, 0, 0, 1 },
    };
    for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
        svcq_blueprint_step_stats st = SVCQ_BLUEPRINT_STEP_STATS_INIT;
        OK(svcq_blueprint_overlay_step(&st, ov, bp, wants[i].step));
        const want *w = &wants[i];
        if (st.incidents != w->incidents || st.recurrences != w->recurrences || st.open != w->open ||
            st.open_actions != w->actions || st.breaches != w->breaches || st.risk_points != w->risks ||
            st.unplanned != w->unplanned)
            fail_msg("%s: got %u %u %u %u %u %u %u", w->step, st.incidents, st.recurrences, st.open, st.open_actions,
                     st.breaches, st.risk_points, st.unplanned);
    }
    static const struct {
        const char *risk;
        uint32_t breaches;
    } rb[] = { { "r_wait", 2 }, { "r_ack", 0 }, { "r_wrong", 0 }, { "r_refund", 1 } };
    for (size_t i = 0; i < 4; i++) {
        uint32_t n = 99;
        OK(svcq_blueprint_overlay_risk_breaches(&n, ov, bp, rb[i].risk));
        assert_int_equal(n, rb[i].breaches);
    }
    /* A risk point added on follow_up makes it planned; one watching
     * first_response there counts INC-6's breach. */
    OK(bf_risk(bp, "r_survey", "follow_up", "Low ratings ignored", SVCQ_BLUEPRINT_MEDIUM, NULL, NULL,
               SVCQ_BLUEPRINT_WATCH_SLA_TARGET, "first_response"));
    svcq_blueprint_step_stats st = SVCQ_BLUEPRINT_STEP_STATS_INIT;
    OK(svcq_blueprint_overlay_step(&st, ov, bp, "follow_up"));
    assert_int_equal(st.unplanned, 0);
    assert_int_equal(st.breaches, 1);
    assert_int_equal(st.risk_points, 1);

    /* Errors. */
    expect_err(svcq_blueprint_overlay_step(&st, ov, bp, "nope"), SVCQ_ENOTFOUND, "no step nope");
    uint32_t n;
    expect_err(svcq_blueprint_overlay_risk_breaches(&n, ov, bp, "nope"), SVCQ_ENOTFOUND, "no risk point nope");
    expect_err(svcq_blueprint_overlay_risk_breaches(NULL, ov, bp, "r_wait"), SVCQ_EINVAL, "NULL out");
    st.version = 2;
    expect_err(svcq_blueprint_overlay_step(&st, ov, bp, "report"), SVCQ_EVERSION, "table version 2");
    expect_err(svcq_blueprint_overlay_step(&st, NULL, bp, "report"), SVCQ_EINVAL, "NULL overlay");
    const int32_t O = SVCQ_BLUEPRINT_OBS_OPEN;
    expect_err(bf_obs(ov, "INC-1", "report", O, 0, 0, NULL, NULL, BF_T0), SVCQ_EEXIST, "INC-1 was already added");
    /* Incidents outside the period are not kept (nor remembered). */
    OK(bf_obs(ov, "INC-8", "report", O, 0, 0, NULL, NULL, BF_T0 - 1));
    assert_int_equal(svcq_blueprint_overlay_skipped(ov), 2);
    expect_err(bf_obs(ov, "INC-X", "report", 3, 0, 0, NULL, NULL, BF_T0), SVCQ_EINVAL, "INC-X: state 3 is unknown");
    expect_err(bf_obs(ov, "INC-X", "report", O, 2, 0, NULL, NULL, BF_T0), SVCQ_EINVAL, "recurrence is 2");
    expect_err(bf_obs(ov, "INC-X", "Report", O, 0, 0, NULL, NULL, BF_T0), SVCQ_EINVAL, "INC-X: touchpoint");
    expect_err(bf_obs(ov, "INC-X", "report", O, 0, 0, "", NULL, BF_T0), SVCQ_EINVAL, "breached[0]: empty");
    expect_err(bf_obs_in(ov, "INC-X", "report", "After Sales", O, 0, 0, NULL, NULL, BF_T0), SVCQ_EINVAL,
               "INC-X: stage: \"After Sales\"");
    expect_err(bf_obs(ov, NULL, "report", O, 0, 0, NULL, NULL, BF_T0), SVCQ_EINVAL, "without an incident id");
    expect_err(bf_obs(ov, "", "report", O, 0, 0, NULL, NULL, BF_T0), SVCQ_EINVAL, "incident id");
    svcq_blueprint_observation o = SVCQ_BLUEPRINT_OBSERVATION_INIT;
    o.incident = "INC-Y";
    o.state = O;
    o.breached_count = 1;
    expect_err(svcq_blueprint_overlay_add(ov, &o), SVCQ_EINVAL, "breached is NULL with a count of 1");
    o.breached_count = SVCQ_BLUEPRINT_MAX_BREACHED + 1;
    expect_err(svcq_blueprint_overlay_add(ov, &o), SVCQ_ELIMIT, "33 breached targets");
    o.breached_count = 0;
    o.version = 7;
    expect_err(svcq_blueprint_overlay_add(ov, &o), SVCQ_EVERSION, "version 7");
    o.version = 1;
    o.reserved[0] = 1;
    expect_err(svcq_blueprint_overlay_add(ov, &o), SVCQ_EINVAL, "INC-Y: reserved fields");
    assert_int_equal(svcq_blueprint_overlay_count(ov), 9);
    svcq_blueprint_overlay *bad;
    expect_err(svcq_blueprint_overlay_new(&bad, ctx, BF_T0, BF_T0), SVCQ_ERANGE, "at or before it starts");
    assert_null(bad);
    /* A blueprint of another context is refused. */
    svcq_ctx *other;
    OK(svcq_ctx_new(&other, NULL));
    svcq_blueprint *foreign;
    OK(bf_complaints(&foreign, other));
    expect_err(svcq_blueprint_overlay_step(&st, ov, foreign, "report"), SVCQ_EINVAL, "belongs to another context");
    assert_int_equal(svcq_blueprint_overlay_unplaced(ov, foreign), 0);
    svcq_writer w = SVCQ_WRITER_INIT;
    svcq_blueprint_overlay *ov2;
    OK(svcq_blueprint_overlay_new(&ov2, other, 0, 1));
    expect_err(svcq_blueprint_export_svg(bp, &w, ov2), SVCQ_EINVAL, "the overlay belongs to another context");
    expect_err(svcq_blueprint_export_markdown(bp, &w, ov2), SVCQ_EINVAL, "another context");
    svcq_blueprint_overlay_free(ov2);
    svcq_blueprint_free(foreign);
    svcq_ctx_free(other);
    svcq_blueprint_overlay_free(ov);
    svcq_blueprint_overlay_free(NULL);
    svcq_blueprint_free(bp);
}

/* Random blueprints and incidents against the test's own count (an
 * independent oracle), through the per-step getters and through the
 * Markdown export, which counts everything in one pass. */
static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33) % n;
}

static void overlay_oracle(void **state)
{
    (void)state;
    rng_state = 2026;
    static const char *const targets[] = { "first_response", "resolution", "ack", "visit" };
    for (int rep = 0; rep < 40; rep++) {
        uint32_t ns = 1 + rnd(12), nr = rnd(16), no = rnd(200);
        svcq_blueprint *bp;
        OK(svcq_blueprint_new(&bp, ctx, "oracle", "Oracle"));
        char key[16], title[32], failure[32];
        for (uint32_t i = 0; i < ns; i++) {
            snprintf(key, sizeof(key), "s%u", i);
            snprintf(title, sizeof(title), "Step %u", i);
            OK(bf_step(bp, key, title, "reception", NULL, "c", NULL, NULL, NULL));
        }
        uint32_t rstep[16];
        int32_t rwatch[16];
        const char *rname[16];
        for (uint32_t r = 0; r < nr; r++) {
            rstep[r] = rnd(ns);
            rwatch[r] = (int32_t)rnd(3);
            rname[r] = rwatch[r] ? targets[rnd(4)] : NULL;
            snprintf(key, sizeof(key), "r%u", r);
            snprintf(title, sizeof(title), "s%u", rstep[r]);
            snprintf(failure, sizeof(failure), "F%u", r);
            OK(bf_risk(bp, key, title, failure, SVCQ_BLUEPRINT_LOW, NULL, NULL, rwatch[r], rname[r]));
        }
        svcq_blueprint_overlay *ov;
        OK(svcq_blueprint_overlay_new(&ov, ctx, 100, 200));
        uint32_t inc[12] = { 0 }, rec[12] = { 0 }, open[12] = { 0 }, act[12] = { 0 }, brs[12] = { 0 };
        uint32_t rb[16] = { 0 }, kept = 0, skipped = 0, unplaced = 0, unplaced_by[3] = { 0 };
        static const char *const stages[3] = { NULL, "reception", "after_sales" };
        for (uint32_t k = 0; k < no; k++) {
            char id[16], step[16];
            snprintf(id, sizeof(id), "I%u", k);
            uint32_t si = rnd(ns + 2); /* ns: another step, ns + 1: none */
            snprintf(step, sizeof(step), "s%u", si == ns ? 99 : si);
            const char *br[3] = { targets[rnd(4)], targets[rnd(4)], targets[rnd(4)] };
            uint32_t nb = rnd(4), re = rnd(2), ac = rnd(4);
            int32_t stt = (int32_t)(1 + rnd(2));
            svcq_time at = (svcq_time)(50 + rnd(200));
            svcq_blueprint_observation o = SVCQ_BLUEPRINT_OBSERVATION_INIT;
            uint32_t sg = rnd(3);
            o.incident = id;
            o.stage = stages[sg];
            o.step = si == ns + 1 ? NULL : step;
            o.state = stt;
            o.recurrence = re;
            o.open_actions = ac;
            o.breached = br;
            o.breached_count = nb;
            o.at = at;
            OK(svcq_blueprint_overlay_add(ov, &o));
            if (at < 100 || at >= 200) {
                skipped++;
                continue;
            }
            kept++;
            if (si >= ns) {
                unplaced++;
                unplaced_by[sg]++;
                continue;
            }
            inc[si]++;
            rec[si] += re;
            open[si] += stt == SVCQ_BLUEPRINT_OBS_OPEN;
            act[si] += ac;
            int hit = 0;
            for (uint32_t r = 0; r < nr; r++) {
                if (rstep[r] != si || rwatch[r] != SVCQ_BLUEPRINT_WATCH_SLA_TARGET)
                    continue;
                int b = 0;
                for (uint32_t j = 0; j < nb; j++)
                    b |= strcmp(br[j], rname[r]) == 0;
                rb[r] += (uint32_t)b;
                hit |= b;
            }
            brs[si] += (uint32_t)hit;
        }
        assert_int_equal(svcq_blueprint_overlay_count(ov), kept);
        assert_int_equal(svcq_blueprint_overlay_skipped(ov), skipped);
        assert_int_equal(svcq_blueprint_overlay_unplaced(ov, bp), unplaced);
        for (int g = 0; g < 3; g++)
            assert_int_equal(svcq_blueprint_overlay_unplaced_in_stage(ov, bp, stages[g]), unplaced_by[g]);
        char *md = NULL;
        {
            svcq_buffer *b;
            OK(svcq_buffer_new(&b, ctx));
            svcq_writer w;
            OK(svcq_writer_to_buffer(&w, b));
            OK(svcq_blueprint_export_markdown(bp, &w, ov));
            md = strndup(svcq_buffer_data(b), svcq_buffer_size(b));
            svcq_buffer_free(b);
        }
        for (uint32_t i = 0; i < ns; i++) {
            uint32_t nrp = 0;
            for (uint32_t r = 0; r < nr; r++)
                nrp += rstep[r] == i;
            svcq_blueprint_step_stats st = SVCQ_BLUEPRINT_STEP_STATS_INIT;
            snprintf(key, sizeof(key), "s%u", i);
            OK(svcq_blueprint_overlay_step(&st, ov, bp, key));
            if (st.incidents != inc[i] || st.recurrences != rec[i] || st.open != open[i] ||
                st.open_actions != act[i] || st.breaches != brs[i] || st.risk_points != nrp ||
                st.unplanned != (inc[i] > 0 && nrp == 0))
                fail_msg("rep %d step %u: got %u %u %u %u %u %u, want %u %u %u %u %u %u", rep, i, st.incidents,
                         st.recurrences, st.open, st.open_actions, st.breaches, st.risk_points, inc[i], rec[i],
                         open[i], act[i], brs[i], nrp);
            char row[128];
            snprintf(row, sizeof(row), "\n| Step %u | %u | %u | %u | %u | %u | %u%s |\n", i, inc[i], rec[i], open[i],
                     act[i], brs[i], nrp, inc[i] > 0 && nrp == 0 ? " (**unplanned risk**)" : "");
            if (!strstr(md, row))
                fail_msg("rep %d: the Markdown has no row%s", rep, row);
        }
        for (uint32_t r = 0; r < nr; r++) {
            uint32_t n = 99;
            snprintf(key, sizeof(key), "r%u", r);
            OK(svcq_blueprint_overlay_risk_breaches(&n, ov, bp, key));
            assert_int_equal(n, rb[r]);
            char row[64];
            snprintf(row, sizeof(row), " | %u |\n", rb[r]);
            char head[32];
            snprintf(head, sizeof(head), "\n| r%u | ", r);
            const char *line = strstr(md, head);
            assert_non_null(line);
            const char *end = strchr(line + 1, '\n');
            if (!end || (size_t)(end + 1 - line) < strlen(row) || strncmp(end + 1 - strlen(row), row, strlen(row)))
                fail_msg("rep %d: risk r%u's row does not end with%s", rep, r, row);
        }
        free(md);
        svcq_blueprint_overlay_free(ov);
        svcq_blueprint_free(bp);
    }
}

/* ---- the store -------------------------------------------------------------------------- */

static void store(void **state)
{
    (void)state;
    svcq_blueprint *bp = NULL, *a = NULL, *b = NULL, *old = NULL;
    OK(bf_complaints(&bp, ctx));
    char *v1 = json_of(bp);
    OK(svcq_blueprint_save(bp));
    assert_int_equal(svcq_blueprint_version(bp), 1);
    assert_int_not_equal(svcq_blueprint_revision(bp), 0);
    assert_int_equal(svcq_blueprint_changed(bp), 0);
    uint64_t rev1 = svcq_blueprint_revision(bp);
    /* Unchanged: nothing written. */
    OK(svcq_blueprint_save(bp));
    assert_int_equal(svcq_blueprint_version(bp), 1);
    assert_int_equal(svcq_blueprint_revision(bp), rev1);
    /* An edit and a save: version 2; version 1 stays readable. */
    OK(svcq_blueprint_set_title(bp, "Complaint handling, second edition"));
    assert_int_equal(svcq_blueprint_changed(bp), 1);
    OK(svcq_blueprint_save(bp));
    assert_int_equal(svcq_blueprint_version(bp), 2);
    OK(svcq_blueprint_load_version(&old, ctx, "complaints", 1));
    assert_int_equal(svcq_blueprint_version(old), 1);
    assert_int_equal(svcq_blueprint_revision(old), 0);
    assert_string_equal(svcq_blueprint_title(old), "Complaint handling: billing complaints");
    char *o1 = json_of(old);
    /* The document of version 1 says version 1; the exported one said 0. */
    char *p = strstr(v1, "\"version\":0");
    assert_non_null(p);
    p[10] = '1';
    assert_string_equal(o1, v1);
    free(o1);
    OK(svcq_blueprint_set_title(old, "Rewriting history"));
    expect_err(svcq_blueprint_save(old), SVCQ_ESTATE, "loaded as version 1, which is history");
    svcq_blueprint_free(old);
    expect_err(svcq_blueprint_load_version(&old, ctx, "complaints", 3), SVCQ_ENOTFOUND,
               "no blueprint record \"complaints@3\"");
    expect_err(svcq_blueprint_load_version(&old, ctx, "complaints", 0), SVCQ_EINVAL, "versions start at 1");
    expect_err(svcq_blueprint_load(&old, ctx, "nothing"), SVCQ_ENOTFOUND, "no blueprint record \"nothing\"");
    expect_err(svcq_blueprint_load(&old, ctx, "No Such"), SVCQ_EINVAL, "blueprint service id");
    /* Two writers: the second gets ECONFLICT and keeps its edit. */
    OK(svcq_blueprint_load(&a, ctx, "complaints"));
    OK(svcq_blueprint_load(&b, ctx, "complaints"));
    assert_int_equal(svcq_blueprint_version(a), 2);
    assert_int_equal(svcq_blueprint_changed(a), 0);
    char *cur = json_of(bp), *la = json_of(a);
    assert_string_equal(cur, la);
    free(cur);
    free(la);
    OK(svcq_blueprint_remove_risk(a, "r_ack"));
    OK(svcq_blueprint_remove_risk(b, "r_wait"));
    OK(svcq_blueprint_save(a));
    assert_int_equal(svcq_blueprint_version(a), 3);
    char *bj = json_of(b);
    expect_err(svcq_blueprint_save(b), SVCQ_ECONFLICT, "blueprint complaints: saved by another writer");
    char *bj2 = json_of(b);
    assert_string_equal(bj, bj2);
    assert_int_equal(svcq_blueprint_version(b), 2);
    assert_int_equal(svcq_blueprint_changed(b), 1);
    free(bj);
    free(bj2);
    /* A new blueprint under an existing service id conflicts too. */
    svcq_blueprint *fresh;
    OK(bf_complaints(&fresh, ctx));
    expect_err(svcq_blueprint_save(fresh), SVCQ_ECONFLICT, NULL);
    svcq_blueprint_free(fresh);

    /* A batch: edits and a save rolled back leave the handle and the store
     * as before; the handle may be freed inside the batch. */
    char *before = json_of(a);
    uint64_t rev = svcq_blueprint_revision(a);
    OK(svcq_ctx_batch_begin(ctx));
    OK(svcq_blueprint_set_title(a, "In a batch"));
    OK(bf_step(a, "extra", "Extra", "reception", NULL, "x", NULL, NULL, NULL));
    OK(svcq_blueprint_move_step(a, "extra", 0));
    OK(svcq_blueprint_remove_risk(a, "r_refund"));
    OK(svcq_blueprint_save(a));
    assert_int_equal(svcq_blueprint_version(a), 4);
    OK(svcq_blueprint_set_title(b, "freed inside the batch"));
    svcq_blueprint_free(b);
    OK(svcq_ctx_batch_rollback(ctx));
    char *after = json_of(a);
    assert_string_equal(before, after);
    assert_int_equal(svcq_blueprint_version(a), 3);
    assert_int_equal(svcq_blueprint_revision(a), rev);
    assert_int_equal(svcq_blueprint_changed(a), 0);
    expect_err(svcq_blueprint_load_version(&old, ctx, "complaints", 4), SVCQ_ENOTFOUND, NULL);
    free(after);
    /* The same batch committed. */
    OK(svcq_ctx_batch_begin(ctx));
    OK(svcq_blueprint_set_title(a, "Committed"));
    OK(svcq_blueprint_save(a));
    OK(svcq_ctx_batch_commit(ctx));
    OK(svcq_blueprint_load(&b, ctx, "complaints"));
    assert_string_equal(svcq_blueprint_title(b), "Committed");
    assert_int_equal(svcq_blueprint_version(b), 4);
    svcq_blueprint_free(b);
    free(before);
    free(v1);
    svcq_blueprint_free(a);
    svcq_blueprint_free(bp);
    expect_err(svcq_blueprint_save(NULL), SVCQ_EINVAL, NULL);
}

/* Writes bytes as the record (blueprint, id), as another program might. */
static void put_raw(const char *id, const char *json)
{
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    uint64_t expected = 0, rev;
    char *old;
    size_t size;
    if (svcq__store_get(ctx, "blueprint", id, &old, &size, &expected) == SVCQ_OK)
        svcq__free(ctx, old);
    int rc = svcq__store_put(ctx, "blueprint", id, expected, json, strlen(json), &rev);
    assert_int_equal(svcq__tx_end(ctx, &tx, rc), SVCQ_OK);
}

static void damaged_record(void **state)
{
    (void)state;
    svcq_blueprint *bp = NULL;
#define DOC(service, version, steps) \
    "{\"schema\":\"svcq.blueprint/1\",\"service\":\"" service "\",\"title\":\"T\",\"version\":" version \
    ",\"steps\":[" steps "]}"
    static const struct {
        const char *id;
        const char *json;
        int want;
        const char *what;
    } cases[] = {
        { "dmg", DOC("other", "1", ""), SVCQ_ECORRUPT, "record blueprint \"dmg\": holds blueprint other version 1" },
        { "dmg", "{\"schema\":\"svcq.blueprint/1\",", SVCQ_ECORRUPT, "record blueprint/dmg is not valid JSON" },
        { "dmg", "{\"schema\":\"svcq.blueprint/2\"}", SVCQ_EVERSION, "blueprint/2" },
        { "dmg", DOC("dmg", "1", "{\"key\":\"a\",\"title\":\"A\"}"), SVCQ_ECORRUPT,
          "record blueprint \"dmg\": steps[0] a: no service stage" },
        { "dmg", DOC("dmg", "-4", ""), SVCQ_ECORRUPT, "version: -4" },
        { "dmg@2", DOC("dmg", "3", ""), SVCQ_ECORRUPT, "holds blueprint dmg version 3" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        put_raw(cases[i].id, cases[i].json);
        int rc = strchr(cases[i].id, '@') ? svcq_blueprint_load_version(&bp, ctx, "dmg", 2)
                                          : svcq_blueprint_load(&bp, ctx, "dmg");
        expect_err(rc, cases[i].want, cases[i].what);
        assert_null(bp);
    }
    /* The last version number loads but cannot be followed. */
    put_raw("dmg", DOC("dmg", "4294967294", ""));
    OK(svcq_blueprint_load(&bp, ctx, "dmg"));
    assert_int_equal(svcq_blueprint_version(bp), 4294967294u);
    OK(svcq_blueprint_set_title(bp, "One more"));
    expect_err(svcq_blueprint_save(bp), SVCQ_ERANGE, "blueprint dmg: no version after 4294967294");
    svcq_blueprint_free(bp);
    put_raw("dmg", DOC("dmg", "4294967295", ""));
    expect_err(svcq_blueprint_load(&bp, ctx, "dmg"), SVCQ_ECORRUPT, "version: 4294967295 is outside");
    put_raw("dmg", DOC("dmg", "5", "{\"key\":\"a\",\"title\":\"A\",\"stage\":\"x\",\"future\":1}"));
    OK(svcq_blueprint_load(&bp, ctx, "dmg"));
    assert_int_equal(svcq_blueprint_version(bp), 5);
    assert_int_equal(svcq_blueprint_step_count(bp), 1);
    OK(svcq_blueprint_set_title(bp, "Fixed"));
    OK(svcq_blueprint_save(bp));
    assert_int_equal(svcq_blueprint_version(bp), 6);
    svcq_blueprint_free(bp);
#undef DOC
}

/* Random edits of every kind against an independent oracle (arrays of keys,
 * titles and the step of each risk point, edited here by hand), some inside
 * a batch that is rolled back (the oracle untouched), the rest committed. */
#define OR_MAX 24
typedef struct oracle {
    char step[OR_MAX][16], title[OR_MAX][24], risk[OR_MAX][16], on[OR_MAX][16];
    size_t nsteps, nrisks;
} oracle;

static uint32_t or_rand(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fff;
}

static void or_check(const svcq_blueprint *bp, const oracle *o)
{
    assert_int_equal(svcq_blueprint_step_count(bp), o->nsteps);
    assert_int_equal(svcq_blueprint_risk_count(bp), o->nrisks);
    for (size_t i = 0; i < o->nsteps; i++) {
        svcq_blueprint_step_spec s = SVCQ_BLUEPRINT_STEP_SPEC_INIT;
        OK(svcq_blueprint_step(&s, bp, i));
        assert_string_equal(s.key, o->step[i]);
        assert_string_equal(s.title, o->title[i]);
    }
    for (size_t i = 0; i < o->nrisks; i++) {
        svcq_blueprint_risk_spec r = SVCQ_BLUEPRINT_RISK_SPEC_INIT;
        OK(svcq_blueprint_risk(&r, bp, i));
        assert_string_equal(r.key, o->risk[i]);
        assert_string_equal(r.step, o->on[i]);
    }
}

/* One random edit on bp and, when `o` is given, on the oracle. */
static void or_edit(svcq_blueprint *bp, oracle *o, uint32_t *seed, unsigned *made)
{
    char key[16], title[24];
    uint32_t op = or_rand(seed) % 7;
    size_t ns = o->nsteps, nr = o->nrisks;
    if (op == 0 && ns < OR_MAX) { /* insert a step */
        size_t at = or_rand(seed) % (ns + 1);
        snprintf(key, sizeof(key), "s%u", (*made)++);
        snprintf(title, sizeof(title), "Step %s", key);
        svcq_blueprint_step_spec sp = SVCQ_BLUEPRINT_STEP_SPEC_INIT;
        sp.key = key;
        sp.title = title;
        sp.stage = "reception";
        OK(svcq_blueprint_add_step(bp, &sp, at == ns && (at & 1) ? -1 : (int32_t)at));
        memmove(o->step[at + 1], o->step[at], (ns - at) * sizeof(o->step[0]));
        memmove(o->title[at + 1], o->title[at], (ns - at) * sizeof(o->title[0]));
        strcpy(o->step[at], key);
        strcpy(o->title[at], title);
        o->nsteps++;
    } else if (op == 1 && ns) { /* move a step */
        size_t from = or_rand(seed) % ns, to = or_rand(seed) % ns;
        OK(svcq_blueprint_move_step(bp, o->step[from], (int32_t)to));
        char k[16], t[24];
        strcpy(k, o->step[from]);
        strcpy(t, o->title[from]);
        memmove(o->step[from], o->step[from + 1], (ns - from - 1) * sizeof(o->step[0]));
        memmove(o->title[from], o->title[from + 1], (ns - from - 1) * sizeof(o->title[0]));
        memmove(o->step[to + 1], o->step[to], (ns - 1 - to) * sizeof(o->step[0]));
        memmove(o->title[to + 1], o->title[to], (ns - 1 - to) * sizeof(o->title[0]));
        strcpy(o->step[to], k);
        strcpy(o->title[to], t);
    } else if (op == 2 && ns) { /* update a step */
        size_t at = or_rand(seed) % ns;
        snprintf(title, sizeof(title), "Retitled %u", (*made)++);
        svcq_blueprint_step_spec sp = SVCQ_BLUEPRINT_STEP_SPEC_INIT;
        sp.title = title;
        sp.stage = "after_sales";
        OK(svcq_blueprint_update_step(bp, o->step[at], &sp));
        strcpy(o->title[at], title);
    } else if (op == 3 && ns) { /* remove a step: refused while a risk point sits on it */
        size_t at = or_rand(seed) % ns;
        bool held = false;
        for (size_t i = 0; i < nr; i++)
            held = held || strcmp(o->on[i], o->step[at]) == 0;
        if (held) {
            expect_err(svcq_blueprint_remove_step(bp, o->step[at]), SVCQ_ESTATE, "remove them or move them");
            return;
        }
        OK(svcq_blueprint_remove_step(bp, o->step[at]));
        memmove(o->step[at], o->step[at + 1], (ns - at - 1) * sizeof(o->step[0]));
        memmove(o->title[at], o->title[at + 1], (ns - at - 1) * sizeof(o->title[0]));
        o->nsteps--;
    } else if (op == 4 && ns && nr < OR_MAX) { /* add a risk point */
        snprintf(key, sizeof(key), "r%u", (*made)++);
        size_t on = or_rand(seed) % ns;
        svcq_blueprint_risk_spec r = SVCQ_BLUEPRINT_RISK_SPEC_INIT;
        r.key = key;
        r.step = o->step[on];
        r.failure = "It fails";
        r.severity = SVCQ_BLUEPRINT_HIGH;
        OK(svcq_blueprint_add_risk(bp, &r));
        strcpy(o->risk[nr], key);
        strcpy(o->on[nr], o->step[on]);
        o->nrisks++;
    } else if (op == 5 && ns && nr) { /* move a risk point to another step */
        size_t at = or_rand(seed) % nr, on = or_rand(seed) % ns;
        svcq_blueprint_risk_spec r = SVCQ_BLUEPRINT_RISK_SPEC_INIT;
        r.step = o->step[on];
        r.failure = "It fails again";
        r.severity = SVCQ_BLUEPRINT_LOW;
        OK(svcq_blueprint_update_risk(bp, o->risk[at], &r));
        strcpy(o->on[at], o->step[on]);
    } else if (op == 6 && nr) { /* remove a risk point */
        size_t at = or_rand(seed) % nr;
        OK(svcq_blueprint_remove_risk(bp, o->risk[at]));
        memmove(o->risk[at], o->risk[at + 1], (nr - at - 1) * sizeof(o->risk[0]));
        memmove(o->on[at], o->on[at + 1], (nr - at - 1) * sizeof(o->on[0]));
        o->nrisks--;
    }
}

static void edit_oracle(void **state)
{
    (void)state;
    svcq_blueprint *bp = NULL;
    OK(svcq_blueprint_new(&bp, ctx, "oracle", "Random edits"));
    oracle o = { 0 }, scratch;
    uint32_t seed = 20260101;
    unsigned made = 0;
    for (int round = 0; round < 60; round++) {
        bool rollback = round % 3 == 2;
        if (rollback)
            OK(svcq_ctx_batch_begin(ctx));
        scratch = o;
        for (int k = 0; k < 8; k++) {
            or_edit(bp, &scratch, &seed, &made);
            or_check(bp, &scratch);
        }
        if (rollback)
            OK(svcq_ctx_batch_rollback(ctx));
        else
            o = scratch;
        or_check(bp, &o);
    }
    assert_true(made > 100);
    svcq_blueprint_free(bp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names),      cmocka_unit_test(model), cmocka_unit_test(validation),
        cmocka_unit_test(overlay), cmocka_unit_test(overlay_oracle), cmocka_unit_test(edit_oracle),    cmocka_unit_test(store), cmocka_unit_test(damaged_record),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
