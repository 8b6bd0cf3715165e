/* Timeline exports in a zone (issue 8, item 9): local times with offset
 * and weekday, the zone in the Markdown header, epoch seconds plus ISO
 * strings with offset in JSON, and details a person reads. The expected
 * texts are written by hand (not produced by svcq_tz_format): a Shanghai
 * clock (UTC+8 all year) across a weekend, and a Berlin clock across the
 * switch to summer time on Sunday 2026-03-29. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svcq.h"
#include "test_alloc.h"

#ifndef SVCQ_TEST_DATA
#error "SVCQ_TEST_DATA must name the tests/data directory"
#endif
#define ZONEINFO SVCQ_TEST_DATA "/zoneinfo"
#define MIN 60
#define HOUR 3600
#define DAY 86400
/* 2026-01-09 00:00 UTC (a Friday) and 2026-03-27 00:00 UTC (a Friday). */
#define JAN9 ((svcq_time)1767916800)
#define MAR27 ((svcq_time)1774569600)

typedef struct fx {
    test_alloc alloc;
    svcq_ctx *ctx;
    svcq_buffer *buf;
    svcq_writer w;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    test_alloc_init(&f->alloc);
    f->ctx = test_ctx_new(&f->alloc);
    assert_int_equal(svcq_buffer_new(&f->buf, f->ctx), SVCQ_OK);
    assert_int_equal(svcq_writer_to_buffer(&f->w, f->buf), SVCQ_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    svcq_buffer_free(f->buf);
    svcq_ctx_free(f->ctx);
    assert_int_equal(f->alloc.live_blocks, 0);
    free(f);
    return 0;
}

static void has(const char *text, const char *part)
{
    assert_non_null(text);
    assert_non_null(part);
    if (!strstr(text, part))
        fail_msg("text lacks \"%s\":\n%s", part ? part : "", text ? text : "");
}

static svcq_calendar *nine_to_six(svcq_ctx *ctx, const char *zone, svcq_tz **tz)
{
    assert_int_equal(svcq_tz_load(tz, ctx, zone, ZONEINFO), SVCQ_OK);
    svcq_calendar *cal;
    assert_int_equal(svcq_sla_default_calendar(&cal, ctx, *tz), SVCQ_OK);
    return cal;
}

static void shanghai(void **state)
{
    fx *f = *state;
    svcq_tz *tz;
    svcq_calendar *cal = nine_to_six(f->ctx, "Asia/Shanghai", &tz);
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, f->ctx, "support", 1), SVCQ_OK);
    svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
    s.metric = "first_response";
    s.start_event = "request";
    s.meet_event = "contact";
    s.duration = HOUR;
    s.calendar = cal;
    s.warn_count = 1;
    s.warn_percent[0] = 50;
    s.escalate_count = 1;
    s.escalate_percent[0] = 150;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    s.metric = "progress";
    s.meet_event = "update";
    s.duration = 2 * HOUR;
    s.recurring = 1;
    s.escalate_count = 0;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, p, "TICKET-7"), SVCQ_OK);
    /* Friday 17:30 local (09:30 UTC); Monday 2026-01-12 10:00 and 10:15 local. */
    const svcq_time fri = JAN9 + 9 * HOUR + 30 * MIN, mon = JAN9 + 3 * DAY - 8 * HOUR;
    assert_int_equal(svcq_sla_clock_event(c, "request", fri, NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(c, "update", mon + 10 * HOUR, NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(c, "contact", mon + 10 * HOUR + 15 * MIN, NULL), SVCQ_OK);
    const svcq_time until = mon + 12 * HOUR;

    /* first_response, 1 h: 30 min on Friday, 30 on Monday: due 09:30, the
     * warning at 30 min (Friday's closing), the escalation at 1 h 30 and
     * a second. progress, 2 h, recurring: its warning at 1 h (Monday
     * 09:30), met at 10:00, the next cycle's warning at 11:00. */
    assert_int_equal(svcq_sla_clock_export_markdown(c, until, tz, &f->w), SVCQ_OK);
    assert_string_equal(svcq_buffer_data(f->buf),
                        "| time (Asia/Shanghai) | target | what | detail |\n"
                        "|---|---|---|---|\n"
                        "| Fri 2026-01-09T17:30:00+08:00 | | request | |\n"
                        "| Fri 2026-01-09T18:00:00+08:00 | first_response | warning | 50 % of 1 h elapsed |\n"
                        "| Mon 2026-01-12T09:30:00+08:00 | progress | warning | 50 % of 2 h elapsed, cycle 0 |\n"
                        "| Mon 2026-01-12T09:30:01+08:00 | first_response | breach | due Mon 2026-01-12T09:30:00+08:00 |\n"
                        "| Mon 2026-01-12T10:00:00+08:00 | | update | |\n"
                        "| Mon 2026-01-12T10:00:01+08:00 | first_response | escalation | level 1 (150 %) |\n"
                        "| Mon 2026-01-12T10:15:00+08:00 | | contact | |\n"
                        "| Mon 2026-01-12T11:00:00+08:00 | progress | warning | 50 % of 2 h elapsed, cycle 1 |\n");

    /* Without a zone: UTC, as before, with weekdays. */
    svcq_buffer_clear(f->buf);
    assert_int_equal(svcq_sla_clock_export_markdown(c, until, NULL, &f->w), SVCQ_OK);
    has(svcq_buffer_data(f->buf), "| time (UTC) | target | what | detail |\n");
    has(svcq_buffer_data(f->buf), "| Fri 2026-01-09T09:30:00Z | | request | |\n");
    has(svcq_buffer_data(f->buf), "| Mon 2026-01-12T01:30:01Z | first_response | breach | due Mon 2026-01-12T01:30:00Z |\n");

    /* JSON: epoch seconds and local ISO strings. */
    svcq_buffer_clear(f->buf);
    assert_int_equal(svcq_sla_clock_export_json(c, until, tz, &f->w), SVCQ_OK);
    const char *j = svcq_buffer_data(f->buf);
    has(j, "\"zone\": \"Asia/Shanghai\"");
    has(j, "\"until\": 1768190400");
    has(j, "\"until_local\": \"2026-01-12T12:00:00+08:00\"");
    has(j, "\"at\": 1767951000,\n      \"at_local\": \"2026-01-09T17:30:00+08:00\",\n      \"type\": \"event\"");
    has(j, "\"detail\": \"due Mon 2026-01-12T09:30:00+08:00\"");
    has(j, "\"detail\": \"50 % of 2 h elapsed, cycle 1\"");
    has(j, "\"due_at\": 1768181400,\n      \"due_at_local\": \"2026-01-12T09:30:00+08:00\"");
    has(j, "\"breached_at\": null,\n      \"breached_at_local\": null");
    svcq_buffer_clear(f->buf);
    assert_int_equal(svcq_sla_clock_export_json(c, until, NULL, &f->w), SVCQ_OK);
    has(svcq_buffer_data(f->buf), "\"zone\": \"UTC\"");
    has(svcq_buffer_data(f->buf), "\"until_local\": \"2026-01-12T04:00:00Z\"");

    svcq_sla_clock_free(c);
    svcq_sla_policy_free(p);
    svcq_calendar_free(cal);
    svcq_tz_free(tz);
}

static void berlin_across_summer_time(void **state)
{
    fx *f = *state;
    svcq_tz *tz;
    svcq_calendar *cal = nine_to_six(f->ctx, "Europe/Berlin", &tz);
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, f->ctx, "acceptance", 1), SVCQ_OK);
    svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
    s.metric = "resolve";
    s.start_event = "opened";
    s.meet_event = "solved";
    s.duration = 2;
    s.duration_unit = SVCQ_SLA_UNIT_BUSINESS_DAYS;
    s.calendar = cal;
    s.warn_count = 1;
    s.warn_percent[0] = 50;
    s.escalate_count = 1;
    s.escalate_percent[0] = 150;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, p, "FALL-1"), SVCQ_OK);
    /* Friday 2026-03-27 16:00 CET (15:00 UTC). Two business days: Tuesday
     * 16:00 CEST (14:00 UTC), 18 business hours (Fri 2, Mon 9, Tue 7); the
     * warning at 9 h: Monday 16:00 CEST. */
    assert_int_equal(svcq_sla_clock_event(c, "opened", MAR27 + 15 * HOUR, NULL), SVCQ_OK);
    const svcq_time until = MAR27 + 4 * DAY + 15 * HOUR; /* Tuesday 17:00 CEST */
    assert_int_equal(svcq_sla_clock_export_markdown(c, until, tz, &f->w), SVCQ_OK);
    assert_string_equal(svcq_buffer_data(f->buf),
                        "| time (Europe/Berlin) | target | what | detail |\n"
                        "|---|---|---|---|\n"
                        "| Fri 2026-03-27T16:00:00+01:00 | | opened | |\n"
                        "| Mon 2026-03-30T16:00:00+02:00 | resolve | warning | 50 % of 2 business days elapsed |\n"
                        "| Tue 2026-03-31T16:00:01+02:00 | resolve | breach | due Tue 2026-03-31T16:00:00+02:00 |\n");
    svcq_buffer_clear(f->buf);
    assert_int_equal(svcq_sla_clock_export_json(c, until, tz, &f->w), SVCQ_OK);
    const char *j = svcq_buffer_data(f->buf);
    has(j, "\"zone\": \"Europe/Berlin\"");
    has(j, "\"at\": 1774623600,\n      \"at_local\": \"2026-03-27T16:00:00+01:00\"");
    has(j, "\"due_at\": 1774965600,\n      \"due_at_local\": \"2026-03-31T16:00:00+02:00\"");
    has(j, "\"breached_at_local\": \"2026-03-31T16:00:01+02:00\"");
    has(j, "\"detail\": \"50 % of 2 business days elapsed\"");

    svcq_sla_clock_free(c);
    svcq_sla_policy_free(p);
    svcq_calendar_free(cal);
    svcq_tz_free(tz);
}

static void export_errors(void **state)
{
    fx *f = *state;
    svcq_tz *tz;
    svcq_calendar *cal = nine_to_six(f->ctx, "Asia/Shanghai", &tz);
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, f->ctx, "support", 1), SVCQ_OK);
    svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
    s.metric = "first_response";
    s.start_event = "request";
    s.meet_event = "contact";
    s.duration = HOUR;
    s.calendar = cal;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, p, "T-9"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(c, "request", JAN9 + HOUR, NULL), SVCQ_OK);

    /* A zone of another context is refused, nothing written. */
    test_alloc other_alloc;
    test_alloc_init(&other_alloc);
    svcq_ctx *other = test_ctx_new(&other_alloc);
    svcq_tz *foreign;
    assert_int_equal(svcq_tz_fixed(&foreign, other, 2 * HOUR), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_export_markdown(c, JAN9 + DAY, foreign, &f->w), SVCQ_EINVAL);
    has(svcq_ctx_errmsg(f->ctx), "clock T-9: export: the zone belongs to another context");
    assert_int_equal(svcq_sla_clock_export_json(c, JAN9 + DAY, foreign, &f->w), SVCQ_EINVAL);
    has(svcq_ctx_errmsg(f->ctx), "another context");
    assert_int_equal(svcq_buffer_size(f->buf), 0);
    svcq_tz_free(foreign);
    svcq_ctx_free(other);
    assert_int_equal(other_alloc.live_blocks, 0);

    /* An `until` whose local date is past 9999 in the zone: SVCQ_ERANGE
     * with the zone's message, nothing written (JSON checks first). */
    svcq_time lo, hi;
    svcq_calendar_range(&lo, &hi);
    assert_int_equal(svcq_sla_clock_export_json(c, hi - 1, tz, &f->w), SVCQ_ERANGE);
    has(svcq_ctx_errmsg(f->ctx), "zone Asia/Shanghai");
    assert_int_equal(svcq_buffer_size(f->buf), 0);

    svcq_sla_clock_free(c);
    svcq_sla_policy_free(p);
    svcq_calendar_free(cal);
    svcq_tz_free(tz);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(shanghai, setup, teardown),
        cmocka_unit_test_setup_teardown(berlin_across_summer_time, setup, teardown),
        cmocka_unit_test_setup_teardown(export_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
