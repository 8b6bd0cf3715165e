/* The four built-in tier policies against every number of the tier table
 * in domain.md (in business days where it speaks of days, and in the
 * literal business-hours reading), and their clocks running on 7×24 and
 * business hours. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svcq.h"
#include "test_alloc.h"

#define MIN 60
#define HOUR 3600
#define DAY 86400
/* 2026-01-05 is a Monday; Mon–Fri 09:00–18:00 UTC is the default. */
#define MON_0900 ((svcq_time)1767603600)
#define FRI_1700 (MON_0900 + 4 * DAY + 8 * HOUR)
#define SAT_0200 (MON_0900 + 4 * DAY + 17 * HOUR)

typedef struct row {
    const char *metric, *start, *meet, *stop;
    int recurring;
    int64_t duration[4]; /* special, 1, 2, 3; -1: not in that tier */
    int64_t days[4];     /* business days in the default reading; 0: duration applies */
} row;

/* domain.md, "Service timings per tier". */
static const row table[] = {
    { "first_response", "request_received", "first_contact", NULL, 0, { 15 * MIN, 30 * MIN, HOUR, 2 * HOUR }, { 0 } },
    { "solution_draft", "request_received", "solution_drafted", NULL, 0, { HOUR, 2 * HOUR, 4 * HOUR, -1 }, { 0 } },
    { "solution_presentation", "solution_drafted", "solution_presented", NULL, 0, { 2 * HOUR, 4 * HOUR, 8 * HOUR, -1 }, { 0 } },
    { "solution_confirmation", "solution_drafted", "solution_confirmed", NULL, 0, { 0, 8 * HOUR, 12 * HOUR, -1 }, { 0 } },
    /* "24 h" to a definite reply: one business day. */
    { "definite_reply", "request_received", "reply_committed", NULL, 0, { -1, -1, -1, 24 * HOUR }, { 0, 0, 0, 1 } },
    /* Tier 2 "daily (24 h)": every business day. */
    { "progress_update", "execution_started", "progress_update", "service_completed", 1, { 4 * HOUR, 8 * HOUR, 24 * HOUR, -1 }, { 0, 0, 1, 0 } },
    /* Acceptance "48 h", "72 h": 2 and 3 business days; the special tier's 24 h stays 7×24 hours. */
    { "acceptance_invitation", "service_completed", "acceptance_invited", NULL, 0, { 24 * HOUR, 48 * HOUR, 72 * HOUR, -1 }, { 0, 2, 3, 0 } },
    { "result_feedback", "service_completed", "result_reported", NULL, 0, { -1, -1, -1, 0 }, { 0 } },
};
#define NROWS (sizeof(table) / sizeof(table[0]))

typedef struct fx {
    test_alloc alloc;
    svcq_ctx *ctx;
    svcq_sla_policy *tier[4];    /* the default reading */
    svcq_sla_policy *literal[4]; /* SVCQ_SLA_BUILTIN_LITERAL_HOURS */
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    test_alloc_init(&f->alloc);
    f->ctx = test_ctx_new(&f->alloc);
    for (int t = 0; t < 4; t++) {
        assert_int_equal(svcq_sla_policy_builtin(&f->tier[t], f->ctx, t, NULL, 0), SVCQ_OK);
        assert_int_equal(svcq_sla_policy_builtin(&f->literal[t], f->ctx, t, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS),
                         SVCQ_OK);
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    for (int t = 0; t < 4; t++) {
        svcq_sla_policy_free(f->tier[t]);
        svcq_sla_policy_free(f->literal[t]);
    }
    svcq_ctx_free(f->ctx);
    assert_int_equal(f->alloc.live_blocks, 0);
    free(f);
    return 0;
}

static void every_number_of_the_table(void **state)
{
    fx *f = *state;
    static const char *const names[4] = { "tier.special", "tier.1", "tier.2", "tier.3" };
    for (int k = 0; k < 8; k++) {
        int t = k % 4;
        bool literal = k >= 4;
        svcq_sla_policy *p = literal ? f->literal[t] : f->tier[t];
        assert_string_equal(svcq_sla_policy_name(p), names[t]);
        assert_int_equal(svcq_sla_policy_version(p), 1);
        uint32_t expected = 0;
        for (size_t r = 0; r < NROWS; r++) {
            if (table[r].duration[t] < 0)
                continue;
            expected++;
            svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
            uint32_t i = 0;
            for (; i < svcq_sla_policy_target_count(p); i++) {
                assert_int_equal(svcq_sla_policy_target(&s, p, i), SVCQ_OK);
                if (strcmp(s.metric, table[r].metric) == 0)
                    break;
            }
            assert_true(i < svcq_sla_policy_target_count(p));
            assert_string_equal(s.start_event, table[r].start);
            assert_string_equal(s.meet_event, table[r].meet);
            if (table[r].stop)
                assert_string_equal(s.stop_event, table[r].stop);
            else
                assert_null(s.stop_event);
            if (!literal && table[r].days[t] > 0) {
                assert_int_equal(s.duration, table[r].days[t]);
                assert_int_equal(s.duration_unit, SVCQ_SLA_UNIT_BUSINESS_DAYS);
            } else {
                assert_int_equal(s.duration, table[r].duration[t]);
                assert_int_equal(s.duration_unit, SVCQ_SLA_UNIT_SECONDS);
            }
            assert_int_equal(s.recurring, table[r].recurring);
            assert_string_equal(s.pause_event, "pause");
            assert_string_equal(s.resume_event, "resume");
            /* The special tier runs 7×24; the others on business hours. */
            if (t == SVCQ_TIER_SPECIAL)
                assert_null(s.calendar);
            else
                assert_non_null(s.calendar);
            if (s.duration > 0) {
                assert_int_equal(s.warn_count, 2);
                assert_int_equal(s.escalate_count, 2);
            } else {
                assert_int_equal(s.warn_count, 0);
            }
        }
        assert_int_equal(svcq_sla_policy_target_count(p), expected);
    }
    svcq_sla_policy *bad;
    assert_int_equal(svcq_sla_policy_builtin(&bad, f->ctx, 4, NULL, 0), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(f->ctx), "unknown tier 4"));
    assert_int_equal(svcq_sla_policy_builtin(&bad, f->ctx, -1, NULL, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_policy_builtin(&bad, f->ctx, 1, NULL, 0x2), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(f->ctx), "unknown flags 0x2"));
    assert_null(bad);
}

static int find(const svcq_sla_policy *p, const char *metric)
{
    for (uint32_t i = 0; i < svcq_sla_policy_target_count(p); i++) {
        svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
        assert_int_equal(svcq_sla_policy_target(&s, p, i), SVCQ_OK);
        if (strcmp(s.metric, metric) == 0)
            return (int)i;
    }
    fail_msg("no target %s", metric);
    return -1;
}

static svcq_time due(const svcq_sla_clock *c, const char *metric, svcq_time at)
{
    svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
    assert_int_equal(svcq_sla_clock_status(&st, c, (uint32_t)find(svcq_sla_clock_policy(c), metric), at), SVCQ_OK);
    return st.due_at;
}

static int32_t state_of(const svcq_sla_clock *c, const char *metric, svcq_time at)
{
    svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
    assert_int_equal(svcq_sla_clock_status(&st, c, (uint32_t)find(svcq_sla_clock_policy(c), metric), at), SVCQ_OK);
    return st.state;
}

static void ev(svcq_sla_clock *c, const char *name, svcq_time at)
{
    assert_int_equal(svcq_sla_clock_event(c, name, at, NULL), SVCQ_OK);
}

static void special_tier_runs_around_the_clock(void **state)
{
    fx *f = *state;
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, f->tier[SVCQ_TIER_SPECIAL], "vip-1"), SVCQ_OK);
    svcq_time t = SAT_0200;
    ev(c, "request_received", t);
    assert_int_equal(due(c, "first_response", t), t + 15 * MIN);
    assert_int_equal(due(c, "solution_draft", t), t + HOUR);
    ev(c, "solution_drafted", t + 50 * MIN);
    assert_int_equal(state_of(c, "solution_draft", t + 50 * MIN), SVCQ_SLA_MET);
    assert_int_equal(due(c, "solution_presentation", t + 50 * MIN), t + 50 * MIN + 2 * HOUR);
    /* "Until confirmed": running, no deadline, never breached. */
    assert_int_equal(due(c, "solution_confirmation", t + 50 * MIN), SVCQ_SLA_NEVER);
    assert_int_equal(state_of(c, "solution_confirmation", t + 30 * DAY), SVCQ_SLA_RUNNING);
    ev(c, "execution_started", t + 2 * HOUR);
    assert_int_equal(due(c, "progress_update", t + 2 * HOUR), t + 6 * HOUR);
    ev(c, "progress_update", t + 5 * HOUR);
    assert_int_equal(due(c, "progress_update", t + 5 * HOUR), t + 9 * HOUR);
    ev(c, "service_completed", t + 7 * HOUR);
    assert_int_equal(state_of(c, "progress_update", t + 7 * HOUR), SVCQ_SLA_CANCELLED);
    assert_int_equal(due(c, "acceptance_invitation", t + 7 * HOUR), t + 31 * HOUR);
    /* Closing the incident ends whatever still runs. */
    ev(c, "closed", t + 8 * HOUR);
    assert_int_equal(state_of(c, "acceptance_invitation", t + 8 * HOUR), SVCQ_SLA_CANCELLED);
    assert_int_equal(state_of(c, "first_response", t + 8 * HOUR), SVCQ_SLA_BREACHED);
    svcq_sla_clock_free(c);
}

/* The literal reading: every timing in business hours. (The business-day
 * timings of the default reading are the engine's: see its business-day
 * tests.) */
static void business_tiers_follow_their_calendar(void **state)
{
    fx *f = *state;
    svcq_sla_clock *c1, *c2, *c3;
    assert_int_equal(svcq_sla_clock_new(&c1, f->literal[SVCQ_TIER_1], "t1"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&c2, f->literal[SVCQ_TIER_2], "t2"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&c3, f->literal[SVCQ_TIER_3], "t3"), SVCQ_OK);
    svcq_time t = FRI_1700;
    svcq_time next_mon = MON_0900 + 7 * DAY;
    ev(c1, "request_received", t);
    ev(c2, "request_received", t);
    ev(c3, "request_received", t);
    /* Tier 1: 30 min -> Fri 17:30; 2 h -> Mon 10:00. */
    assert_int_equal(due(c1, "first_response", t), t + 30 * MIN);
    assert_int_equal(due(c1, "solution_draft", t), next_mon + HOUR);
    /* Tier 2: 1 h ends exactly at Friday's closing; 4 h -> Mon 12:00. */
    assert_int_equal(due(c2, "first_response", t), t + HOUR);
    assert_int_equal(due(c2, "solution_draft", t), next_mon + 3 * HOUR);
    /* Tier 3: 2 h -> Mon 10:00; a definite reply within 24 business hours:
     * Fri 1 h + Mon 9 h + Tue 9 h + Wed 5 h -> Wed 14:00. */
    assert_int_equal(due(c3, "first_response", t), next_mon + HOUR);
    assert_int_equal(due(c3, "definite_reply", t), next_mon + 2 * DAY + 5 * HOUR);

    /* Drafted Monday 09:30: presentation 4 h / 8 h, confirmation aim 8 h / 12 h. */
    svcq_time drafted = next_mon + 30 * MIN;
    ev(c1, "solution_drafted", drafted);
    ev(c2, "solution_drafted", drafted);
    assert_int_equal(due(c1, "solution_presentation", drafted), drafted + 4 * HOUR);
    assert_int_equal(due(c1, "solution_confirmation", drafted), drafted + 8 * HOUR);      /* Mon 17:30 */
    assert_int_equal(due(c2, "solution_presentation", drafted), drafted + 8 * HOUR);      /* Mon 17:30 */
    assert_int_equal(due(c2, "solution_confirmation", drafted), drafted + DAY + 3 * HOUR); /* Tue 12:30 */

    /* Progress updates: every 8 h (tier 1), every 24 h (tier 2). */
    svcq_time exec = next_mon + 2 * DAY;  /* Wednesday 09:00 */
    ev(c1, "execution_started", exec);
    ev(c2, "execution_started", exec);
    assert_int_equal(due(c1, "progress_update", exec), exec + 8 * HOUR);
    assert_int_equal(due(c2, "progress_update", exec), exec + 2 * DAY + 6 * HOUR); /* Fri 15:00 */
    ev(c1, "progress_update", exec + 7 * HOUR);                                   /* Wed 16:00 */
    assert_int_equal(due(c1, "progress_update", exec + 7 * HOUR), exec + DAY + 6 * HOUR); /* Thu 15:00 */

    /* Acceptance: 48 h and 72 h of business time after completion. */
    svcq_time done = next_mon + 7 * DAY; /* Monday 09:00 */
    ev(c1, "service_completed", done);
    ev(c2, "service_completed", done);
    ev(c3, "service_completed", done);
    /* 48 h = 5 days 3 h -> next Monday 12:00; 72 h = 8 days -> Wed 18:00. */
    assert_int_equal(due(c1, "acceptance_invitation", done), done + 7 * DAY + 3 * HOUR);
    assert_int_equal(due(c2, "acceptance_invitation", done), done + 9 * DAY + 9 * HOUR);
    /* Tier 3 feeds back the result: tracked, no deadline. */
    assert_int_equal(state_of(c3, "result_feedback", done + 30 * DAY), SVCQ_SLA_RUNNING);
    ev(c3, "result_reported", done + 3 * DAY);
    assert_int_equal(state_of(c3, "result_feedback", done + 30 * DAY), SVCQ_SLA_MET);

    svcq_sla_clock_free(c1);
    svcq_sla_clock_free(c2);
    svcq_sla_clock_free(c3);
}

static void custom_business_calendar(void **state)
{
    fx *f = *state;
    /* Mon–Fri 09:00–18:00 in Asia/Shanghai (UTC+8, no DST). */
    svcq_tz *tz;
    assert_int_equal(svcq_tz_fixed(&tz, f->ctx, 8 * HOUR), SVCQ_OK);
    svcq_calendar *cal;
    assert_int_equal(svcq_sla_default_calendar(&cal, f->ctx, tz), SVCQ_OK);
    svcq_tz_free(tz);
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_builtin(&p, f->ctx, SVCQ_TIER_2, cal, 0), SVCQ_OK);
    svcq_calendar_free(cal);
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, p, "sh"), SVCQ_OK);
    /* Monday 09:00 UTC is 17:00 in Shanghai: 1 h left that day, so the
     * 1 h first response is due at 18:00 local = 10:00 UTC. */
    ev(c, "request_received", MON_0900);
    assert_int_equal(due(c, "first_response", MON_0900), MON_0900 + HOUR);
    /* 4 h: 1 h Monday, 3 h Tuesday from 09:00 local (01:00 UTC) -> 04:00 UTC. */
    assert_int_equal(due(c, "solution_draft", MON_0900), MON_0900 + DAY - 5 * HOUR);
    svcq_sla_clock_free(c);
    svcq_sla_policy_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_number_of_the_table, setup, teardown),
        cmocka_unit_test_setup_teardown(special_tier_runs_around_the_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(business_tiers_follow_their_calendar, setup, teardown),
        cmocka_unit_test_setup_teardown(custom_business_calendar, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
