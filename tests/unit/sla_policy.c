/* SLA policies as configuration: errors refused when the policy is made
 * (never-opening calendars, durations beyond the calendar range, names too
 * long for record ids, control characters), svcq_sla_policy_uses_event,
 * the enum name functions, JSON import/export and stored policy records. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/store.h"
#include "svcq.h"
#include "test_alloc.h"

#ifndef SVCQ_TEST_DATA
#error "SVCQ_TEST_DATA must name the tests/data directory"
#endif
#define ZONEINFO SVCQ_TEST_DATA "/zoneinfo"
#define HOUR 3600
#define H(h, m) ((h) * 3600 + (m) * 60)

typedef struct fx {
    test_alloc alloc;
    svcq_ctx *ctx;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    test_alloc_init(&f->alloc);
    f->ctx = test_ctx_new(&f->alloc);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    svcq_ctx_free(f->ctx);
    assert_int_equal(f->alloc.live_blocks, 0);
    free(f);
    return 0;
}

static void expect_msg(svcq_ctx *ctx, const char *part)
{
    if (!strstr(svcq_ctx_errmsg(ctx), part))
        fail_msg("message \"%s\" lacks \"%s\"", svcq_ctx_errmsg(ctx), part);
}

/* Sets a message no call of the test writes, so a check of the message
 * proves the failing call wrote its own. */
static void stale(svcq_ctx *ctx)
{
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, ctx, "stale", 0), SVCQ_EINVAL);
    expect_msg(ctx, "stale");
}

static svcq_sla_target_spec spec(const char *metric, int64_t duration, const svcq_calendar *cal)
{
    svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
    s.metric = metric;
    s.start_event = "opened";
    s.meet_event = "answered";
    s.duration = duration;
    s.calendar = cal;
    return s;
}

static svcq_calendar *calendar(svcq_ctx *ctx, int weekdays)
{
    svcq_tz *tz;
    assert_int_equal(svcq_tz_fixed(&tz, ctx, 8 * HOUR), SVCQ_OK);
    svcq_calendar *cal;
    assert_int_equal(svcq_calendar_new(&cal, ctx, tz, NULL), SVCQ_OK);
    svcq_tz_free(tz);
    const int32_t iv[2] = { H(9, 0), H(18, 0) };
    for (int d = 1; d <= weekdays; d++)
        assert_int_equal(svcq_calendar_set_weekday(cal, d, iv, 1), SVCQ_OK);
    return cal;
}

/* ---- configuration errors ------------------------------------------------ */

static void never_opening_calendar_is_refused(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, f->ctx, "support", 1), SVCQ_OK);
    /* No weekly hours, only a holiday: never opens. */
    svcq_calendar *closed = calendar(f->ctx, 0);
    assert_int_equal(svcq_calendar_set_closed(closed, 2026, 1, 1), SVCQ_OK);
    assert_int_equal(svcq_calendar_save(closed, "support-cn"), SVCQ_OK);
    svcq_sla_target_spec s = spec("solution_draft", 4 * HOUR, closed);
    stale(f->ctx);
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    expect_msg(f->ctx, "policy support: target solution_draft: calendar \"support-cn\" never opens");
    /* Tracked without deadline: still refused (it could never count). */
    s.duration = 0;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    /* A date "like Monday" on an empty week opens nothing either. */
    assert_int_equal(svcq_calendar_set_date_like(closed, 2026, 1, 3, SVCQ_MONDAY), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_policy_target_count(p), 0);
    /* One day of special hours is an opening: accepted. */
    const int32_t iv[2] = { H(10, 0), H(12, 0) };
    assert_int_equal(svcq_calendar_set_date_hours(closed, 2026, 1, 10, iv, 1), SVCQ_OK);
    s.duration = HOUR;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    /* ... but not for more than its two hours (and a 48 h bound per date). */
    s = spec("longer", 3 * 86400, closed);
    stale(f->ctx);
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    expect_msg(f->ctx, "target longer: a duration of 259200 business seconds is beyond the range");
    /* An unsaved calendar is named by its zone. */
    svcq_calendar *anon = calendar(f->ctx, 0);
    s = spec("anon", HOUR, anon);
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    expect_msg(f->ctx, "target anon: calendar in UTC+08");
    svcq_calendar_free(anon);
    svcq_calendar_free(closed);
    svcq_sla_policy_free(p);
}

static void duration_beyond_the_range_is_refused(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, f->ctx, "support", 1), SVCQ_OK);
    svcq_calendar *cal = calendar(f->ctx, 5);
    /* 45 business hours a week over about 422,600 weeks: about 6.85e10
     * seconds. 1e11 business seconds never elapse; 7×24 has 2.556e11. */
    svcq_sla_target_spec s = spec("forever", 100000000000LL, cal);
    stale(f->ctx);
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    expect_msg(f->ctx, "policy support: target forever: a duration of 100000000000 business seconds is beyond");
    s.calendar = NULL;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    s = spec("longer", 300000000000LL, NULL);
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    expect_msg(f->ctx, "the 7x24 calendar");
    /* Business days: a calendar open on one special date has one. */
    svcq_calendar *one = calendar(f->ctx, 0);
    const int32_t iv[2] = { H(9, 0), H(18, 0) };
    assert_int_equal(svcq_calendar_set_date_hours(one, 2026, 3, 2, iv, 1), SVCQ_OK);
    s = spec("days", 2, one);
    s.duration_unit = SVCQ_SLA_UNIT_BUSINESS_DAYS;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    expect_msg(f->ctx, "a duration of 2 business days is beyond");
    s.duration = 1;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_target_count(p), 2);
    svcq_calendar_free(one);
    svcq_calendar_free(cal);
    svcq_sla_policy_free(p);
}

static int count_notice(const svcq_sla_notice *n, void *ud)
{
    (void)n;
    (*(int *)ud)++;
    return 0;
}

/* The bound covers the last escalation: a duration within the range whose
 * escalation at m % would fall past it is refused when the target is
 * added, not with SVCQ_ERANGE at the first event a scheduler sees. */
static void escalations_fit_the_range(void **state)
{
    fx *f = *state;
    svcq_time lo, hi;
    svcq_calendar_range(&lo, &hi);
    const int64_t cap = hi - lo; /* business seconds of the 7x24 calendar */
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, f->ctx, "huge", 1), SVCQ_OK);

    svcq_sla_target_spec s = spec("double", cap / 2 + 1, NULL);
    s.escalate_count = 1;
    s.escalate_percent[0] = 200;
    stale(f->ctx);
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    expect_msg(f->ctx, "policy huge: target double: a duration of 127805644801 business seconds escalated to "
                       "200 % (255611289602 business seconds) is beyond the range of the 7x24 calendar");
    s.duration = cap / 2;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);

    /* The largest escalation percent, 100000 (a thousand times). */
    s = spec("thousand", cap / 1000 + 1, NULL);
    s.escalate_count = 2;
    s.escalate_percent[0] = 150;
    s.escalate_percent[1] = 100000;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    expect_msg(f->ctx, "escalated to 100000 %");
    s.duration = cap / 1000;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);

    /* Business days: 3660 days at 200 % fit a five-day week's range,
     * at 100000 % (3.66 million days) they do not. */
    svcq_calendar *cal = calendar(f->ctx, 5);
    s = spec("days", 3660, cal);
    s.duration_unit = SVCQ_SLA_UNIT_BUSINESS_DAYS;
    s.escalate_count = 1;
    s.escalate_percent[0] = 100000;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    expect_msg(f->ctx, "a duration of 3660 business days escalated to 100000 % (3660000 business days)");
    s.escalate_percent[0] = 200;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    svcq_calendar_free(cal);

    /* What was accepted runs: a clock started early in the range gets its
     * escalation from a scheduler. */
    svcq_sla_policy *q;
    assert_int_equal(svcq_sla_policy_new(&q, f->ctx, "huge", 2), SVCQ_OK);
    s = spec("double", cap / 2 - 10, NULL);
    s.escalate_count = 1;
    s.escalate_percent[0] = 200;
    assert_int_equal(svcq_sla_policy_add_target(q, &s), SVCQ_OK);
    int notices = 0;
    svcq_sla_scheduler *sched;
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_scheduler_new(&sched, f->ctx, count_notice, &notices), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&c, q, "early"), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(sched, c), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(c, "opened", lo + 1, NULL), SVCQ_OK);
    uint64_t n = 0;
    assert_int_equal(svcq_sla_scheduler_advance(&n, sched, hi - 1), SVCQ_OK);
    assert_int_equal(n, 2); /* breach and escalation */
    assert_int_equal(notices, 2);
    svcq_sla_scheduler_free(sched);
    svcq_sla_policy_free(q);
    svcq_sla_policy_free(p);
}

static void policy_names_fit_clock_record_ids(void **state)
{
    fx *f = *state;
    /* Clock ids are "<len>:<policy>/<subject>" within 512 bytes, subjects
     * up to 255 bytes: a policy name has at most 252. */
    char name[300];
    memset(name, 'p', sizeof(name));
    name[252] = '\0';
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, f->ctx, name, 1), SVCQ_OK);
    /* The longest subject works end to end: a clock is saved. */
    svcq_sla_target_spec s = spec("m", HOUR, NULL);
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    char subject[256];
    memset(subject, 's', 255);
    subject[255] = '\0';
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, p, subject), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(c, "opened", 1767603600, NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_save(c), SVCQ_OK);
    svcq_sla_clock_free(c);
    svcq_sla_policy_free(p);
    name[252] = 'p';
    name[253] = '\0';
    stale(f->ctx);
    assert_int_equal(svcq_sla_policy_new(&p, f->ctx, name, 1), SVCQ_EINVAL);
    assert_null(p);
    expect_msg(f->ctx, "policy name: 253 bytes is too long");
    assert_int_equal(svcq_sla_policy_new(&p, f->ctx, "", 1), SVCQ_EINVAL);
    expect_msg(f->ctx, "policy name: must be 1 to 255 bytes");
    assert_int_equal(svcq_sla_policy_new(&p, f->ctx, NULL, 1), SVCQ_EINVAL);
    expect_msg(f->ctx, "policy name: missing");
    assert_int_equal(svcq_sla_policy_new(&p, f->ctx, "x", 0), SVCQ_EINVAL);
    expect_msg(f->ctx, "policy x: version must be at least 1");
    stale(f->ctx);
    assert_int_equal(svcq_sla_policy_new(NULL, f->ctx, "x", 1), SVCQ_EINVAL);
    expect_msg(f->ctx, "svcq_sla_policy_new: NULL out");
}

static void control_characters_are_refused_in_every_name(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p;
    static const char *const bad[] = { "a\001b", "tab\there", "line\n", "del\177", "\037" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        stale(f->ctx);
        assert_int_equal(svcq_sla_policy_new(&p, f->ctx, bad[i], 1), SVCQ_EINVAL);
        expect_msg(f->ctx, "policy name: control character U+");
    }
    assert_int_equal(svcq_sla_policy_new(&p, f->ctx, "support", 1), SVCQ_OK);
    /* Each field of a target in turn. */
    static const char *const fields[] = { "metric", "start_event", "meet_event", "stop_event",
                                          "pause_event", "resume_event", "restart_event" };
    for (size_t k = 0; k < 7; k++) {
        svcq_sla_target_spec s = spec("m", HOUR, NULL);
        s.pause_event = "pause";
        s.resume_event = "resume";
        const char **slot[] = { &s.metric, &s.start_event, &s.meet_event, &s.stop_event,
                                &s.pause_event, &s.resume_event, &s.restart_event };
        *slot[k] = "bad\033name";
        stale(f->ctx);
        assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
        char want[64];
        snprintf(want, sizeof(want), "%s: control character U+001B at byte 3", fields[k]);
        expect_msg(f->ctx, want);
        expect_msg(f->ctx, "policy support: target ");
    }
    assert_int_equal(svcq_sla_policy_target_count(p), 0);
    stale(f->ctx);
    assert_int_equal(svcq_sla_policy_set_close_event(p, "clo\177sed"), SVCQ_EINVAL);
    expect_msg(f->ctx, "policy support: close event: control character U+007F");
    /* Non-ASCII letters are fine. */
    svcq_sla_target_spec s = spec("首次响应", HOUR, NULL);
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_set_close_event(p, "已关闭"), SVCQ_OK);
    svcq_sla_policy_free(p);
}

/* ---- uses_event, names -------------------------------------------------- */

static void uses_event_covers_every_role(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, f->ctx, "support", 1), SVCQ_OK);
    svcq_sla_target_spec s = spec("m", HOUR, NULL);
    s.stop_event = "stop";
    s.pause_event = "pause";
    s.resume_event = "resume";
    s.restart_event = "back_to_analysis";
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_set_close_event(p, "closed"), SVCQ_OK);
    static const char *const used[] = { "opened", "answered", "stop", "pause", "resume",
                                        "back_to_analysis", "closed" };
    for (size_t i = 0; i < sizeof(used) / sizeof(used[0]); i++) {
        int32_t out = -1;
        assert_int_equal(svcq_sla_policy_uses_event(&out, p, used[i]), SVCQ_OK);
        assert_int_equal(out, 1);
    }
    int32_t out = -1;
    assert_int_equal(svcq_sla_policy_uses_event(&out, p, "reopened"), SVCQ_OK);
    assert_int_equal(out, 0);
    assert_int_equal(svcq_sla_policy_uses_event(&out, p, "Opened"), SVCQ_OK);
    assert_int_equal(out, 0);
    /* Never interned: asking about a new name allocates nothing. */
    size_t before = f->alloc.total_allocs;
    assert_int_equal(svcq_sla_policy_uses_event(&out, p, "never-seen-before"), SVCQ_OK);
    assert_int_equal(f->alloc.total_allocs, before);
    stale(f->ctx);
    assert_int_equal(svcq_sla_policy_uses_event(&out, p, NULL), SVCQ_EINVAL);
    expect_msg(f->ctx, "svcq_sla_policy_uses_event: NULL event");
    assert_int_equal(svcq_sla_policy_uses_event(NULL, p, "x"), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_policy_uses_event(&out, NULL, "x"), SVCQ_EINVAL);
    /* The built-in tier 2 uses its events, not tier 3's. */
    svcq_sla_policy *t2;
    assert_int_equal(svcq_sla_policy_builtin(&t2, f->ctx, SVCQ_TIER_2, NULL, 0), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_uses_event(&out, t2, SVCQ_SLA_EVENT_PROGRESS_UPDATE), SVCQ_OK);
    assert_int_equal(out, 1);
    assert_int_equal(svcq_sla_policy_uses_event(&out, t2, SVCQ_SLA_EVENT_REPLY_COMMITTED), SVCQ_OK);
    assert_int_equal(out, 0);
    svcq_sla_policy_free(t2);
    svcq_sla_policy_free(p);
}

static void enum_names(void **state)
{
    (void)state;
    assert_string_equal(svcq_sla_state_name(SVCQ_SLA_PENDING), "pending");
    assert_string_equal(svcq_sla_state_name(SVCQ_SLA_RUNNING), "running");
    assert_string_equal(svcq_sla_state_name(SVCQ_SLA_PAUSED), "paused");
    assert_string_equal(svcq_sla_state_name(SVCQ_SLA_MET), "met");
    assert_string_equal(svcq_sla_state_name(SVCQ_SLA_BREACHED), "breached");
    assert_string_equal(svcq_sla_state_name(SVCQ_SLA_CANCELLED), "cancelled");
    assert_null(svcq_sla_state_name(6));
    assert_null(svcq_sla_state_name(-1));
    assert_null(svcq_sla_notice_kind_name(0));
    assert_string_equal(svcq_sla_notice_kind_name(SVCQ_SLA_NOTICE_WARNING), "warning");
    assert_string_equal(svcq_sla_notice_kind_name(SVCQ_SLA_NOTICE_BREACH), "breach");
    assert_string_equal(svcq_sla_notice_kind_name(SVCQ_SLA_NOTICE_ESCALATION), "escalation");
    assert_null(svcq_sla_notice_kind_name(4));
    assert_string_equal(svcq_sla_change_mode_name(SVCQ_SLA_CHANGE_KEEP), "keep");
    assert_string_equal(svcq_sla_change_mode_name(SVCQ_SLA_CHANGE_RECOMPUTE), "recompute");
    assert_string_equal(svcq_sla_change_mode_name(SVCQ_SLA_CHANGE_CARRY), "carry");
    assert_null(svcq_sla_change_mode_name(3));
    assert_null(svcq_sla_change_mode_name(INT32_MIN));
    assert_string_equal(svcq_sla_unit_name(SVCQ_SLA_UNIT_SECONDS), "seconds");
    assert_string_equal(svcq_sla_unit_name(SVCQ_SLA_UNIT_BUSINESS_DAYS), "business_days");
    assert_string_equal(svcq_sla_unit_name(SVCQ_SLA_UNIT_EVENT_DUE), "event_due");
    assert_null(svcq_sla_unit_name(3));
}

/* ---- JSON --------------------------------------------------------------- */

/* A policy using every field: two calendars (one named zone, one fixed
 * offset with exceptions) and a 7×24 target, business days, a restart
 * event, change mode CARRY and a close event. */
static svcq_sla_policy *rich_policy(svcq_ctx *ctx)
{
    svcq_tz *sh;
    assert_int_equal(svcq_tz_load(&sh, ctx, "Asia/Shanghai", ZONEINFO), SVCQ_OK);
    svcq_calendar *cn;
    assert_int_equal(svcq_sla_default_calendar(&cn, ctx, sh), SVCQ_OK);
    svcq_tz_free(sh);
    assert_int_equal(svcq_calendar_set_closed(cn, 2026, 10, 1), SVCQ_OK);
    assert_int_equal(svcq_calendar_set_date_like(cn, 2026, 9, 27, SVCQ_MONDAY), SVCQ_OK);
    svcq_calendar *night = calendar(ctx, 3);
    const int32_t iv[2] = { H(20, 0), H(30, 0) };
    assert_int_equal(svcq_calendar_set_date_hours(night, 2026, 12, 31, iv, 1), SVCQ_OK);

    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, ctx, "quality.incident", 3), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_set_change_mode(p, SVCQ_SLA_CHANGE_CARRY), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_set_close_event(p, "closed"), SVCQ_OK);
    svcq_sla_target_spec s = spec("analysis", 2, cn);
    s.duration_unit = SVCQ_SLA_UNIT_BUSINESS_DAYS;
    s.restart_event = "verification_failed";
    s.stop_event = "analysis_done";
    s.pause_event = "pause";
    s.resume_event = "resume";
    s.warn_count = 2;
    s.warn_percent[0] = 50;
    s.warn_percent[1] = 75;
    s.escalate_count = 3;
    s.escalate_percent[0] = 150;
    s.escalate_percent[1] = 200;
    s.escalate_percent[2] = 400;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    s = spec("updates", 4 * HOUR, night);
    s.recurring = 1;
    s.stop_event = "done";
    s.warn_count = 1;
    s.warn_percent[0] = 90;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    s = spec("hotline", 15 * 60, NULL);
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    s = spec("same_calendar", 0, cn);
    s.meet_event = "confirmed";
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    svcq_calendar_free(cn);
    svcq_calendar_free(night);
    return p;
}

static char *export_json(svcq_ctx *ctx, const svcq_sla_policy *p, uint32_t flags, size_t *len)
{
    svcq_buffer *b;
    assert_int_equal(svcq_buffer_new(&b, ctx), SVCQ_OK);
    svcq_writer w;
    assert_int_equal(svcq_writer_to_buffer(&w, b), SVCQ_OK);
    int rc = svcq_sla_policy_export_json(p, &w, flags);
    if (rc)
        fail_msg("export: %s", svcq_ctx_errmsg(ctx));
    *len = svcq_buffer_size(b);
    char *text = malloc(*len + 1);
    memcpy(text, svcq_buffer_data(b), *len + 1);
    svcq_buffer_free(b);
    return text;
}

static void same_string(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

/* Every field of every target, and the calendars by their JSON. */
static void same_policy(svcq_ctx *ctx, const svcq_sla_policy *a, const svcq_sla_policy *b)
{
    assert_string_equal(svcq_sla_policy_name(a), svcq_sla_policy_name(b));
    assert_int_equal(svcq_sla_policy_version(a), svcq_sla_policy_version(b));
    assert_int_equal(svcq_sla_policy_change_mode(a), svcq_sla_policy_change_mode(b));
    assert_int_equal(svcq_sla_policy_target_count(a), svcq_sla_policy_target_count(b));
    for (uint32_t i = 0; i < svcq_sla_policy_target_count(a); i++) {
        svcq_sla_target_spec x = SVCQ_SLA_TARGET_SPEC_INIT, y = SVCQ_SLA_TARGET_SPEC_INIT;
        assert_int_equal(svcq_sla_policy_target(&x, a, i), SVCQ_OK);
        assert_int_equal(svcq_sla_policy_target(&y, b, i), SVCQ_OK);
        same_string(x.metric, y.metric);
        same_string(x.start_event, y.start_event);
        same_string(x.meet_event, y.meet_event);
        same_string(x.stop_event, y.stop_event);
        same_string(x.pause_event, y.pause_event);
        same_string(x.resume_event, y.resume_event);
        same_string(x.restart_event, y.restart_event);
        assert_int_equal(x.duration, y.duration);
        assert_int_equal(x.duration_unit, y.duration_unit);
        assert_int_equal(x.warn_count, y.warn_count);
        assert_int_equal(x.escalate_count, y.escalate_count);
        assert_memory_equal(x.warn_percent, y.warn_percent, sizeof(x.warn_percent));
        assert_memory_equal(x.escalate_percent, y.escalate_percent, sizeof(x.escalate_percent));
        assert_int_equal(x.recurring, y.recurring);
        assert_int_equal(x.calendar == NULL, y.calendar == NULL);
        if (x.calendar) {
            svcq_buffer *bx, *by;
            svcq_writer wx, wy;
            assert_int_equal(svcq_buffer_new(&bx, ctx), SVCQ_OK);
            assert_int_equal(svcq_buffer_new(&by, ctx), SVCQ_OK);
            assert_int_equal(svcq_writer_to_buffer(&wx, bx), SVCQ_OK);
            assert_int_equal(svcq_writer_to_buffer(&wy, by), SVCQ_OK);
            assert_int_equal(svcq_calendar_export_json(x.calendar, &wx, 0), SVCQ_OK);
            assert_int_equal(svcq_calendar_export_json(y.calendar, &wy, 0), SVCQ_OK);
            assert_string_equal(svcq_buffer_data(bx), svcq_buffer_data(by));
            svcq_buffer_free(bx);
            svcq_buffer_free(by);
        }
    }
    int32_t ua, ub;
    assert_int_equal(svcq_sla_policy_uses_event(&ua, a, "closed"), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_uses_event(&ub, b, "closed"), SVCQ_OK);
    assert_int_equal(ua, ub);
}

/* A new version of a frozen built-in: the same targets, editable, and the
 * original untouched. */
static void new_version_of_a_used_policy(void **state)
{
    fx *f = *state;
    svcq_calendar *cal = calendar(f->ctx, 5);
    svcq_sla_policy *v1, *v2 = NULL, *same = NULL;
    assert_int_equal(svcq_sla_policy_builtin(&v1, f->ctx, SVCQ_TIER_2, cal, 0), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_set_close_event(v1, "closed_v1"), SVCQ_OK);
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, v1, "T-1"), SVCQ_OK); /* freezes v1 */
    svcq_sla_target_spec extra = spec("callback", HOUR, NULL);
    assert_int_equal(svcq_sla_policy_add_target(v1, &extra), SVCQ_ESTATE);

    stale(f->ctx);
    assert_int_equal(svcq_sla_policy_new_version(&v2, v1, 1), SVCQ_EINVAL);
    assert_null(v2);
    expect_msg(f->ctx, "above 1");
    assert_int_equal(svcq_sla_policy_new_version(NULL, v1, 2), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_policy_new_version(&v2, NULL, 2), SVCQ_EINVAL);

    assert_int_equal(svcq_sla_policy_new_version(&v2, v1, 2), SVCQ_OK);
    assert_string_equal(svcq_sla_policy_name(v2), "tier.2");
    assert_int_equal(svcq_sla_policy_version(v2), 2);
    assert_int_equal(svcq_sla_policy_change_mode(v2), svcq_sla_policy_change_mode(v1));
    int32_t uses;
    assert_int_equal(svcq_sla_policy_uses_event(&uses, v2, "closed_v1"), SVCQ_OK);
    assert_int_equal(uses, 1);
    /* An editable policy can be the start too. */
    assert_int_equal(svcq_sla_policy_new_version(&same, v2, 3), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_target_count(same), svcq_sla_policy_target_count(v2));
    /* Every target is the same as in v1, calendars copied. */
    assert_int_equal(svcq_sla_policy_target_count(v2), svcq_sla_policy_target_count(v1));
    for (uint32_t i = 0; i < svcq_sla_policy_target_count(v1); i++) {
        svcq_sla_target_spec x = SVCQ_SLA_TARGET_SPEC_INIT, y = SVCQ_SLA_TARGET_SPEC_INIT;
        assert_int_equal(svcq_sla_policy_target(&x, v1, i), SVCQ_OK);
        assert_int_equal(svcq_sla_policy_target(&y, v2, i), SVCQ_OK);
        assert_string_equal(x.metric, y.metric);
        assert_int_equal(x.duration, y.duration);
        assert_int_equal(x.duration_unit, y.duration_unit);
        assert_ptr_not_equal(x.calendar, y.calendar); /* copied */
    }
    /* The new version is editable and its fingerprint is its own. */
    assert_int_equal(svcq_sla_policy_add_target(v2, &extra), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_target_count(v2), svcq_sla_policy_target_count(v1) + 1);
    assert_string_not_equal(svcq_sla_policy_fingerprint(v1), svcq_sla_policy_fingerprint(v2));
    /* A clock moves to it. */
    assert_int_equal(svcq_sla_clock_change_policy(c, v2, 1767603600), SVCQ_OK);

    svcq_sla_clock_free(c);
    svcq_sla_policy_free(same);
    svcq_sla_policy_free(v2);
    svcq_sla_policy_free(v1);
    svcq_calendar_free(cal);
}

static void json_round_trip_is_lossless(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p = rich_policy(f->ctx);
    for (uint32_t flags = 0; flags <= SVCQ_SLA_POLICY_JSON_PRETTY; flags++) {
        size_t n1, n2;
        char *j1 = export_json(f->ctx, p, flags, &n1);
        svcq_sla_policy *q;
        int rc = svcq_sla_policy_import_json(&q, f->ctx, j1, n1, ZONEINFO);
        if (rc)
            fail_msg("import: %s\n%s", svcq_ctx_errmsg(f->ctx), j1);
        same_policy(f->ctx, p, q);
        char *j2 = export_json(f->ctx, q, flags, &n2);
        assert_int_equal(n1, n2);
        assert_memory_equal(j1, j2, n1);
        /* The shape: two distinct calendars once each, 7×24 as null. */
        if (flags == 0) {
            assert_non_null(strstr(j1, "{\"schema\":\"svcq.sla_policy/1\",\"name\":\"quality.incident\","
                                       "\"version\":3,\"change_mode\":\"carry\",\"close_event\":\"closed\","
                                       "\"calendars\":[{\"schema\":\"svcq.calendar/1\""));
            assert_non_null(strstr(j1, "\"restart_event\":\"verification_failed\",\"duration\":2,"
                                       "\"unit\":\"business_days\",\"calendar\":0,"
                                       "\"warn_percent\":[50,75],\"escalate_percent\":[150,200,400],"
                                       "\"recurring\":false}"));
            assert_non_null(strstr(j1, "\"metric\":\"hotline\",\"start_event\":\"opened\",\"meet_event\":"
                                       "\"answered\",\"duration\":900,\"unit\":\"seconds\",\"calendar\":null,"));
            assert_non_null(strstr(j1, "\"metric\":\"same_calendar\""));
            assert_non_null(strstr(strstr(j1, "\"metric\":\"same_calendar\""), "\"calendar\":0"));
            assert_non_null(strstr(j1, "\"calendar\":1"));
            assert_null(strstr(j1, "\"calendar\":2"));
        } else {
            assert_non_null(strstr(j1, "\n  \"name\": \"quality.incident\",\n"));
        }
        free(j1);
        free(j2);
        svcq_sla_policy_free(q);
    }
    /* The built-in tiers too. */
    for (int t = 0; t < 4; t++) {
        svcq_sla_policy *b, *q;
        assert_int_equal(svcq_sla_policy_builtin(&b, f->ctx, t, NULL, 0), SVCQ_OK);
        size_t n1, n2;
        char *j1 = export_json(f->ctx, b, 0, &n1);
        assert_int_equal(svcq_sla_policy_import_json(&q, f->ctx, j1, n1, NULL), SVCQ_OK);
        same_policy(f->ctx, b, q);
        char *j2 = export_json(f->ctx, q, 0, &n2);
        assert_int_equal(n1, n2);
        assert_memory_equal(j1, j2, n1);
        free(j1);
        free(j2);
        svcq_sla_policy_free(q);
        svcq_sla_policy_free(b);
    }
    svcq_sla_policy_free(p);
}

static svcq_sla_policy *import_text(fx *f, const char *text, int expect)
{
    svcq_sla_policy *q = (svcq_sla_policy *)1;
    stale(f->ctx);
    int rc = svcq_sla_policy_import_json(&q, f->ctx, text, strlen(text), ZONEINFO);
    if (rc != expect)
        fail_msg("import gave %d (%s), expected %d, for %s", rc, svcq_ctx_errmsg(f->ctx), expect, text);
    if (rc)
        assert_null(q);
    return q;
}

#define DOC(calendars, targets)                                                                     \
    "{\"schema\":\"svcq.sla_policy/1\",\"name\":\"p\",\"version\":1,\"calendars\":[" calendars      \
    "],\"targets\":[" targets "]}"
#define CAL "{\"schema\":\"svcq.calendar/1\",\"zone\":{\"utc_offset\":0},\"week\":{\"monday\":[[\"09:00\",\"18:00\"]]}}"
#define TGT(extra) "{\"metric\":\"m\",\"start_event\":\"a\",\"meet_event\":\"b\",\"duration\":60" extra "}"

static void json_import_checks_and_tolerates(void **state)
{
    fx *f = *state;
    /* Minimal: defaults for what is left out; unknown fields ignored. */
    svcq_sla_policy *q = import_text(f, "{\"schema\":\"svcq.sla_policy/1\",\"name\":\"p\",\"version\":1,"
                                        "\"future\":{\"x\":[1,2]},\"targets\":[" TGT(",\"later\":true") "]}",
                                     SVCQ_OK);
    assert_int_equal(svcq_sla_policy_change_mode(q), SVCQ_SLA_CHANGE_KEEP);
    svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
    assert_int_equal(svcq_sla_policy_target(&s, q, 0), SVCQ_OK);
    assert_int_equal(s.duration, 60);
    assert_int_equal(s.duration_unit, SVCQ_SLA_UNIT_SECONDS);
    assert_null(s.calendar);
    assert_null(s.stop_event);
    assert_int_equal(s.warn_count, 0);
    assert_int_equal(s.recurring, 0);
    assert_int_equal(svcq_sla_policy_revision(q), 0);
    svcq_sla_policy_free(q);
    q = import_text(f, DOC(CAL, TGT(",\"calendar\":0")), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_target(&s, q, 0), SVCQ_OK);
    assert_non_null(s.calendar);
    svcq_sla_policy_free(q);

    /* Newer schema versions: the policy's and an embedded calendar's. */
    import_text(f, "{\"schema\":\"svcq.sla_policy/2\",\"name\":\"p\",\"version\":1,\"targets\":[]}",
                SVCQ_EVERSION);
    expect_msg(f->ctx, "sla_policy/2");
    import_text(f, DOC("{\"schema\":\"svcq.calendar/9\",\"zone\":{\"utc_offset\":0}}", ""), SVCQ_EVERSION);
    expect_msg(f->ctx, "calendars[0]: calendar schema version 9");

    /* Bad input: the message names the place. */
    import_text(f, "{\"schema\":\"svcq.sla_policy/1\",", SVCQ_EPARSE);
    expect_msg(f->ctx, "line 1, column");
    import_text(f, "[]", SVCQ_ECORRUPT);
    import_text(f, "{\"schema\":\"svcq.calendar/1\"}", SVCQ_ECORRUPT);
    import_text(f, "{\"schema\":\"svcq.sla_policy/1\",\"name\":\"p\",\"version\":1}", SVCQ_ECORRUPT);
    expect_msg(f->ctx, "top level: field \"targets\": missing");
    import_text(f, "{\"schema\":\"svcq.sla_policy/1\",\"name\":\"p\",\"version\":0,\"targets\":[]}",
                SVCQ_ECORRUPT);
    expect_msg(f->ctx, "version: 0 is not from 1");
    import_text(f, "{\"schema\":\"svcq.sla_policy/1\",\"name\":\"p\",\"version\":1,\"change_mode\":\"fast\","
                   "\"targets\":[]}", SVCQ_ECORRUPT);
    expect_msg(f->ctx, "change_mode: \"fast\"");
    import_text(f, "{\"schema\":\"svcq.sla_policy/1\",\"name\":\"a\\u0007b\",\"version\":1,\"targets\":[]}",
                SVCQ_EINVAL);
    expect_msg(f->ctx, "name: policy name: control character U+0007");
    import_text(f, "{\"schema\":\"svcq.sla_policy/1\",\"name\":\"p\",\"version\":1,\"close_event\":\"\","
                   "\"targets\":[]}", SVCQ_EINVAL);
    expect_msg(f->ctx, "close_event: policy p: close event: must be 1 to 255 bytes");
    import_text(f, DOC("", "1"), SVCQ_ECORRUPT);
    expect_msg(f->ctx, "targets[0]: expected an object, found an integer");
    import_text(f, DOC("", TGT("") "," TGT(",\"unit\":\"weeks\"")), SVCQ_ECORRUPT);
    expect_msg(f->ctx, "targets[1].unit: \"weeks\"");
    import_text(f, DOC("", "{\"metric\":\"m\",\"start_event\":\"a\",\"duration\":60}"), SVCQ_ECORRUPT);
    expect_msg(f->ctx, "targets[0]: field \"meet_event\": missing");
    import_text(f, DOC("", TGT(",\"warn_percent\":[50,\"80\"]")), SVCQ_ECORRUPT);
    expect_msg(f->ctx, "targets[0].warn_percent[1]: expected a percent");
    import_text(f, DOC("", TGT(",\"escalate_percent\":[101,102,103,104,105,106,107,108,109]")), SVCQ_ECORRUPT);
    expect_msg(f->ctx, "targets[0].escalate_percent: 9 entries");
    import_text(f, DOC("", TGT(",\"warn_percent\":[80,50]")), SVCQ_EINVAL);
    expect_msg(f->ctx, "targets[0]: policy p: target m: warning percents must ascend");
    import_text(f, DOC(CAL, TGT(",\"calendar\":1")), SVCQ_ECORRUPT);
    expect_msg(f->ctx, "targets[0].calendar: index 1 is not one of the 1 calendars");
    import_text(f, DOC(CAL, TGT(",\"calendar\":-1")), SVCQ_ECORRUPT);
    import_text(f, DOC(CAL, TGT(",\"calendar\":\"0\"")), SVCQ_ECORRUPT);
    expect_msg(f->ctx, "targets[0]: field \"calendar\"");
    import_text(f, DOC("{\"schema\":\"svcq.calendar/1\",\"zone\":{\"name\":\"Nowhere/Atlantis\"}}", ""),
                SVCQ_ENOTFOUND);
    expect_msg(f->ctx, "calendars[0]: ");
    import_text(f, DOC("{\"schema\":\"svcq.calendar/1\",\"zone\":{\"utc_offset\":0}}", TGT(",\"calendar\":0")),
                SVCQ_EINVAL);
    expect_msg(f->ctx, "targets[0]: policy p: target m: calendar in ");
    expect_msg(f->ctx, "never opens");
    import_text(f, DOC("", TGT(",\"recurring\":1")), SVCQ_ECORRUPT);
    expect_msg(f->ctx, "targets[0]: field \"recurring\"");
    import_text(f, DOC("", TGT("") "," TGT("")), SVCQ_EINVAL);
    expect_msg(f->ctx, "targets[1]: policy p: target m: the policy has this metric already");

    svcq_sla_policy *out = (svcq_sla_policy *)1;
    assert_int_equal(svcq_sla_policy_import_json(&out, f->ctx, NULL, 3, NULL), SVCQ_EINVAL);
    assert_null(out);
    expect_msg(f->ctx, "NULL json");
    assert_int_equal(svcq_sla_policy_import_json(NULL, f->ctx, "{}", 2, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_policy_import_json(&out, NULL, "{}", 2, NULL), SVCQ_EINVAL);
}

static void json_export_errors(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, f->ctx, "p", 1), SVCQ_OK);
    svcq_buffer *b;
    assert_int_equal(svcq_buffer_new(&b, f->ctx), SVCQ_OK);
    svcq_writer w;
    assert_int_equal(svcq_writer_to_buffer(&w, b), SVCQ_OK);
    stale(f->ctx);
    assert_int_equal(svcq_sla_policy_export_json(p, &w, 0x4), SVCQ_EINVAL);
    expect_msg(f->ctx, "policy p: export: unknown flags 0x4");
    assert_int_equal(svcq_sla_policy_export_json(p, NULL, 0), SVCQ_EINVAL);
    expect_msg(f->ctx, "NULL writer");
    assert_int_equal(svcq_sla_policy_export_json(NULL, &w, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_buffer_size(b), 0);
    /* A calendar whose zone has no name cannot be written: nothing is. */
    FILE *fp = fopen(ZONEINFO "/Asia/Shanghai", "rb");
    assert_non_null(fp);
    unsigned char data[4096];
    size_t n = fread(data, 1, sizeof(data), fp);
    fclose(fp);
    svcq_tz *tz;
    assert_int_equal(svcq_tz_from_tzif(&tz, f->ctx, data, n, NULL), SVCQ_OK);
    svcq_calendar *cal;
    assert_int_equal(svcq_sla_default_calendar(&cal, f->ctx, tz), SVCQ_OK);
    svcq_tz_free(tz);
    svcq_sla_target_spec s = spec("m", HOUR, cal);
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    svcq_calendar_free(cal);
    stale(f->ctx);
    assert_int_equal(svcq_sla_policy_export_json(p, &w, 0), SVCQ_ESTATE);
    expect_msg(f->ctx, "policy p: target m: ");
    assert_int_equal(svcq_buffer_size(b), 0);
    assert_int_equal(svcq_sla_policy_save(p), SVCQ_ESTATE);
    svcq_buffer_free(b);
    svcq_sla_policy_free(p);
}

/* ---- stored policies ---------------------------------------------------- */

static void stored_policies(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p = rich_policy(f->ctx);
    assert_int_equal(svcq_sla_policy_revision(p), 0);
    assert_int_equal(svcq_sla_policy_save(p), SVCQ_OK);
    uint64_t rev = svcq_sla_policy_revision(p);
    assert_true(rev != 0);
    /* Saved: immutable now. */
    stale(f->ctx);
    svcq_sla_target_spec s = spec("more", HOUR, NULL);
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_ESTATE);
    expect_msg(f->ctx, "policy quality.incident v3 is in use or saved");
    assert_int_equal(svcq_sla_policy_set_change_mode(p, SVCQ_SLA_CHANGE_KEEP), SVCQ_ESTATE);
    assert_int_equal(svcq_sla_policy_set_close_event(p, NULL), SVCQ_ESTATE);
    /* Saving again, or saving an equal policy from elsewhere: nothing changes. */
    assert_int_equal(svcq_sla_policy_save(p), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_revision(p), rev);
    svcq_sla_policy *twin = rich_policy(f->ctx);
    assert_int_equal(svcq_sla_policy_save(twin), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_revision(twin), rev);
    svcq_sla_policy_free(twin);
    /* The same name and version with other content: refused. */
    svcq_sla_policy *other;
    assert_int_equal(svcq_sla_policy_new(&other, f->ctx, "quality.incident", 3), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_add_target(other, &s), SVCQ_OK);
    stale(f->ctx);
    assert_int_equal(svcq_sla_policy_save(other), SVCQ_EEXIST);
    expect_msg(f->ctx, "policy quality.incident v3: the store holds this version (record sla_policy "
                       "\"quality.incident@3\") with other content");
    assert_int_equal(svcq_sla_policy_revision(other), 0);
    assert_int_equal(svcq_sla_policy_add_target(other, &(svcq_sla_target_spec){ 0 }), SVCQ_EVERSION);
    s.metric = "more2";
    assert_int_equal(svcq_sla_policy_add_target(other, &s), SVCQ_OK); /* still mutable */
    svcq_sla_policy_free(other);

    /* Load: the same policy, frozen, bound to the record. */
    svcq_sla_policy *q;
    assert_int_equal(svcq_sla_policy_load(&q, f->ctx, "quality.incident", 3, ZONEINFO), SVCQ_OK);
    same_policy(f->ctx, p, q);
    assert_int_equal(svcq_sla_policy_revision(q), rev);
    assert_int_equal(svcq_sla_policy_set_change_mode(q, SVCQ_SLA_CHANGE_KEEP), SVCQ_ESTATE);
    /* A clock runs under the loaded policy. */
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, q, "INC-1"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(c, "opened", 1767603600, NULL), SVCQ_OK);
    svcq_sla_clock_free(c);
    svcq_sla_policy_free(q);

    stale(f->ctx);
    assert_int_equal(svcq_sla_policy_load(&q, f->ctx, "quality.incident", 4, ZONEINFO), SVCQ_ENOTFOUND);
    assert_null(q);
    expect_msg(f->ctx, "policy quality.incident v4 is not stored");
    assert_int_equal(svcq_sla_policy_load(&q, f->ctx, "quality.incident", 0, NULL), SVCQ_EINVAL);
    expect_msg(f->ctx, "version must be at least 1");
    assert_int_equal(svcq_sla_policy_load(&q, f->ctx, "bad\nname", 1, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_policy_load(&q, f->ctx, NULL, 1, NULL), SVCQ_EINVAL);
    expect_msg(f->ctx, "NULL name");
    assert_int_equal(svcq_sla_policy_load(NULL, f->ctx, "x", 1, NULL), SVCQ_EINVAL);

    /* Delete: compare-and-swap on the handle's revision. */
    assert_int_equal(svcq_sla_policy_load(&q, f->ctx, "quality.incident", 3, ZONEINFO), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_delete(p), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_revision(p), 0);
    stale(f->ctx);
    assert_int_equal(svcq_sla_policy_delete(p), SVCQ_ESTATE);
    expect_msg(f->ctx, "policy quality.incident v3 was never saved or loaded");
    assert_int_equal(svcq_sla_policy_delete(q), SVCQ_ENOTFOUND); /* gone */
    assert_int_equal(svcq_sla_policy_revision(q), rev);
    assert_int_equal(svcq_sla_policy_load(&other, f->ctx, "quality.incident", 3, NULL), SVCQ_ENOTFOUND);
    /* Saved again after the deletion: a fresh revision, never the old one. */
    assert_int_equal(svcq_sla_policy_save(p), SVCQ_OK);
    assert_true(svcq_sla_policy_revision(p) > rev);
    assert_int_equal(svcq_sla_policy_delete(q), SVCQ_ECONFLICT); /* stored again since */
    assert_int_equal(svcq_sla_policy_revision(q), rev);
    assert_int_equal(svcq_sla_policy_delete(NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_policy_save(NULL), SVCQ_EINVAL);
    svcq_sla_policy_free(q);
    svcq_sla_policy_free(p);
}

static void batches_roll_back_the_handle(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, f->ctx, "p", 1), SVCQ_OK);
    svcq_sla_target_spec s = spec("m", HOUR, NULL);
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_begin(f->ctx), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_save(p), SVCQ_OK);
    assert_true(svcq_sla_policy_revision(p) != 0);
    assert_int_equal(svcq_sla_policy_set_change_mode(p, SVCQ_SLA_CHANGE_KEEP), SVCQ_ESTATE);
    assert_int_equal(svcq_ctx_batch_rollback(f->ctx), SVCQ_OK);
    /* As before the batch: unbound and mutable, nothing stored. */
    assert_int_equal(svcq_sla_policy_revision(p), 0);
    assert_int_equal(svcq_sla_policy_set_change_mode(p, SVCQ_SLA_CHANGE_KEEP), SVCQ_OK);
    svcq_sla_policy *q;
    assert_int_equal(svcq_sla_policy_load(&q, f->ctx, "p", 1, NULL), SVCQ_ENOTFOUND);
    /* A handle freed inside a batch: the rollback must not touch it (ASan). */
    assert_int_equal(svcq_ctx_batch_begin(f->ctx), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_save(p), SVCQ_OK);
    svcq_sla_policy_free(p);
    assert_int_equal(svcq_ctx_batch_rollback(f->ctx), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_load(&q, f->ctx, "p", 1, NULL), SVCQ_ENOTFOUND);
}

static void raw_put(svcq_ctx *ctx, const char *id, const char *doc, uint64_t *rev)
{
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    int rc = svcq__store_put(ctx, "sla_policy", id, 0, doc, strlen(doc), rev);
    assert_int_equal(svcq__tx_end(ctx, &tx, rc), SVCQ_OK);
}

static void raw_remove(svcq_ctx *ctx, const char *id, uint64_t rev)
{
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    int rc = svcq__store_remove(ctx, "sla_policy", id, rev);
    assert_int_equal(svcq__tx_end(ctx, &tx, rc), SVCQ_OK);
}

static void damaged_records_are_corrupt(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, f->ctx, "p", 1), SVCQ_OK);
    svcq_sla_target_spec s = spec("m", HOUR, NULL);
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_save(p), SVCQ_OK);
    svcq_sla_policy_free(p);
    /* A record under "p@2" that holds p v1, and one with bad values. */
    static const char *const docs[] = {
        "{\"schema\":\"svcq.sla_policy/1\",\"name\":\"p\",\"version\":1,\"targets\":[]}",
        "{\"schema\":\"svcq.sla_policy/1\",\"name\":\"p\",\"version\":2,\"targets\":["
        "{\"metric\":\"m\",\"start_event\":\"a\",\"meet_event\":\"b\",\"duration\":-5}]}",
        "{\"schema\":\"svcq.sla_policy/7\",\"name\":\"p\",\"version\":2,\"targets\":[]}",
    };
    static const int codes[] = { SVCQ_ECORRUPT, SVCQ_ECORRUPT, SVCQ_EVERSION };
    static const char *const msgs[] = { "record sla_policy \"p@2\" holds policy p v1",
                                        "record sla_policy \"p@2\": sla_policy document: targets[0]",
                                        "sla_policy/7" };
    for (int i = 0; i < 3; i++) {
        uint64_t rev = 0;
        raw_put(f->ctx, "p@2", docs[i], &rev);
        stale(f->ctx);
        assert_int_equal(svcq_sla_policy_load(&p, f->ctx, "p", 2, NULL), codes[i]);
        expect_msg(f->ctx, msgs[i]);
        raw_remove(f->ctx, "p@2", rev);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(never_opening_calendar_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(duration_beyond_the_range_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(escalations_fit_the_range, setup, teardown),
        cmocka_unit_test_setup_teardown(policy_names_fit_clock_record_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(control_characters_are_refused_in_every_name, setup, teardown),
        cmocka_unit_test_setup_teardown(uses_event_covers_every_role, setup, teardown),
        cmocka_unit_test(enum_names),
        cmocka_unit_test_setup_teardown(new_version_of_a_used_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(json_round_trip_is_lossless, setup, teardown),
        cmocka_unit_test_setup_teardown(json_import_checks_and_tolerates, setup, teardown),
        cmocka_unit_test_setup_teardown(json_export_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(stored_policies, setup, teardown),
        cmocka_unit_test_setup_teardown(batches_roll_back_the_handle, setup, teardown),
        cmocka_unit_test_setup_teardown(damaged_records_are_corrupt, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
