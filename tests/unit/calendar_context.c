/* Handles across contexts: a calendar or zone of one context given to a
 * function of another is copied into that other context, so freeing the
 * source context first leaves nothing dangling. Run under ASan or valgrind
 * these tests catch a copy that still points into (or allocates on) the
 * source context: every source context is freed before the copy is used. */
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
#define H(h, m) ((h) * 3600 + (m) * 60)

/* 2026-01-05 is a Monday. */
static svcq_time at(svcq_calendar *cal, int d, int sod)
{
    svcq_time t;
    assert_int_equal(svcq_tz_local_to_utc(&t, svcq_calendar_tz(cal), 2026, 1, d, sod), SVCQ_OK);
    return t;
}

static svcq_calendar *berlin(svcq_ctx *ctx)
{
    svcq_tz *tz;
    assert_int_equal(svcq_tz_load(&tz, ctx, "Europe/Berlin", ZONEINFO), SVCQ_OK);
    svcq_calendar *cal;
    assert_int_equal(svcq_calendar_new(&cal, ctx, tz, NULL), SVCQ_OK);
    svcq_tz_free(tz);
    const int32_t iv[2] = { H(9, 0), H(17, 0) };
    for (int d = SVCQ_MONDAY; d <= SVCQ_FRIDAY; d++)
        assert_int_equal(svcq_calendar_set_weekday(cal, d, iv, 1), SVCQ_OK);
    assert_int_equal(svcq_calendar_set_closed(cal, 2026, 1, 6), SVCQ_OK);
    return cal;
}

/* Each context has its own counting allocator, so an allocation made on
 * the wrong context shows up as a leak or a foreign free. */
static void copy_outlives_source_context(void **state)
{
    (void)state;
    test_alloc ta, tb, *aa = &ta, *ab = &tb;
    test_alloc_init(aa);
    test_alloc_init(ab);
    svcq_ctx *a = test_ctx_new(aa), *b = test_ctx_new(ab);
    svcq_calendar *src = berlin(a);
    svcq_time mon = at(src, 5, H(10, 0));
    int64_t want;
    assert_int_equal(svcq_calendar_diff(&want, src, mon, at(src, 9, H(12, 0))), SVCQ_OK);
    size_t a_live = aa->live_blocks;
    svcq_calendar *cp;
    assert_int_equal(svcq_calendar_copy(&cp, b, src), SVCQ_OK);
    /* The copy took nothing from a. */
    assert_int_equal(aa->live_blocks, a_live);
    svcq_calendar_free(src);
    svcq_ctx_free(a);
    assert_int_equal(aa->live_blocks, 0);
    int64_t got;
    assert_int_equal(svcq_calendar_diff(&got, cp, mon, at(cp, 9, H(12, 0))), SVCQ_OK);
    assert_int_equal(got, want);
    assert_string_equal(svcq_tz_name(svcq_calendar_tz(cp)), "Europe/Berlin");
    /* Errors of the copy go to its own context. */
    svcq_time t;
    assert_int_equal(svcq_calendar_add(&t, cp, mon, -1), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(b), "negative"));
    svcq_calendar_free(cp);
    svcq_ctx_free(b);
    assert_int_equal(ab->live_blocks, 0);
}

/* A zone of context a given to svcq_calendar_new on b, and as the zone
 * hint of an import on b, is copied. */
static void zone_of_other_context_is_copied(void **state)
{
    (void)state;
    test_alloc ta, tb, *aa = &ta, *ab = &tb;
    test_alloc_init(aa);
    test_alloc_init(ab);
    svcq_ctx *a = test_ctx_new(aa), *b = test_ctx_new(ab);
    svcq_tz *tz;
    assert_int_equal(svcq_tz_load(&tz, a, "America/New_York", ZONEINFO), SVCQ_OK);
    svcq_calendar *c1, *c2;
    assert_int_equal(svcq_calendar_new(&c1, b, tz, NULL), SVCQ_OK);
    static const char doc[] = "{\"schema\":\"svcq.calendar/1\",\"zone\":{\"name\":\"America/New_York\"},"
                              "\"week\":{\"monday\":[[\"09:00\",\"17:00\"]]},\"dates\":[]}";
    assert_int_equal(svcq_calendar_import_json(&c2, b, doc, sizeof(doc) - 1, "/nonexistent", tz),
                     SVCQ_OK);
    svcq_tz_free(tz);
    svcq_ctx_free(a);
    assert_int_equal(aa->live_blocks, 0);
    int32_t off = 0;
    assert_int_equal(svcq_tz_lookup(&off, NULL, NULL, svcq_calendar_tz(c1), 1767225600), SVCQ_OK);
    assert_int_equal(off, -5 * 3600);
    svcq_time t;
    assert_int_equal(svcq_calendar_next_open(&t, c2, 1767225600), SVCQ_OK); /* Thu 2026-01-01 */
    assert_int_equal(t, 1767225600 + 4 * 86400 + 14 * 3600);             /* Mon 09:00 EST */
    svcq_calendar_free(c1);
    svcq_calendar_free(c2);
    svcq_ctx_free(b);
    assert_int_equal(ab->live_blocks, 0);
}

/* A policy on b made with a calendar of a keeps working after a is freed
 * (issue 8 item 2: this was a use-after-free). */
static void policy_keeps_calendar_of_freed_context(void **state)
{
    (void)state;
    test_alloc ta, tb, *aa = &ta, *ab = &tb;
    test_alloc_init(aa);
    test_alloc_init(ab);
    svcq_ctx *a = test_ctx_new(aa), *b = test_ctx_new(ab);
    svcq_calendar *cal = berlin(a);
    svcq_time mon = at(cal, 5, H(16, 0));
    svcq_time want;
    assert_int_equal(svcq_calendar_add(&want, cal, mon, 4 * 3600), SVCQ_OK);
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, b, "xctx", 1), SVCQ_OK);
    svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
    s.metric = "reply";
    s.start_event = "open";
    s.meet_event = "reply";
    s.duration = 4 * 3600;
    s.calendar = cal;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    svcq_calendar_free(cal);
    svcq_ctx_free(a);
    assert_int_equal(aa->live_blocks, 0);
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, p, "T-1"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(c, "open", mon, NULL), SVCQ_OK);
    svcq_sla_status st;
    assert_int_equal(svcq_sla_status_init(&st, SVCQ_SLA_STATUS_VERSION), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_status(&st, c, 0, mon), SVCQ_OK);
    assert_int_equal(st.due_at, want); /* Wednesday 11:00: Tuesday is closed */
    svcq_sla_clock_free(c);
    svcq_sla_policy_free(p);
    svcq_ctx_free(b);
    assert_int_equal(ab->live_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(copy_outlives_source_context),
        cmocka_unit_test(zone_of_other_context_is_copied),
        cmocka_unit_test(policy_keeps_calendar_of_freed_context),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
