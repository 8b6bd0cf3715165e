/* Policy fingerprints: deterministic, blind to names and versions, blind
 * to how a zone's rules were given (name, TZif or POSIX string), and
 * changed by every field that decides when a notice falls due. */
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

static svcq_tz *zone(svcq_ctx *ctx, const char *name)
{
    svcq_tz *z;
    assert_int_equal(svcq_tz_load(&z, ctx, name, ZONEINFO), SVCQ_OK);
    return z;
}

static svcq_sla_policy *tier1_on(svcq_ctx *ctx, const svcq_tz *z)
{
    svcq_calendar *cal;
    assert_int_equal(svcq_sla_default_calendar(&cal, ctx, z), SVCQ_OK);
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_builtin(&p, ctx, SVCQ_TIER_1, cal, 0), SVCQ_OK);
    svcq_calendar_free(cal);
    return p;
}

static void fp_copy(char out[65], const svcq_sla_policy *p)
{
    const char *f = svcq_sla_policy_fingerprint(p);
    assert_int_equal(strlen(f), SVCQ_SLA_FINGERPRINT_LEN);
    for (const char *s = f; *s; s++)
        assert_true((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'));
    memcpy(out, f, 65);
}

static void zones_by_rules_not_names(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a);
    assert_string_equal(svcq_sla_policy_fingerprint(NULL), "");

    svcq_tz *berlin = zone(ctx, "Europe/Berlin"), *shanghai = zone(ctx, "Asia/Shanghai");
    svcq_sla_policy *b1 = tier1_on(ctx, berlin), *b2 = tier1_on(ctx, berlin), *s1 = tier1_on(ctx, shanghai);
    char fb1[65], fb2[65], fs1[65];
    fp_copy(fb1, b1);
    fp_copy(fb2, b2);
    fp_copy(fs1, s1);
    assert_string_equal(fb1, fb2);     /* deterministic */
    assert_string_not_equal(fb1, fs1); /* same name and version, other calendar */

    /* The same TZif bytes under another name: the same rules. */
    FILE *f = fopen(ZONEINFO "/Europe/Berlin", "rb");
    assert_non_null(f);
    static char data[1 << 16];
    size_t n = fread(data, 1, sizeof(data), f);
    fclose(f);
    svcq_tz *renamed;
    assert_int_equal(svcq_tz_from_tzif(&renamed, ctx, data, n, "My/Office"), SVCQ_OK);
    svcq_sla_policy *r = tier1_on(ctx, renamed);
    assert_string_equal(svcq_sla_policy_fingerprint(r), fb1);
    /* Unnamed TZif data (the calendar's JSON export refuses it) works too. */
    svcq_tz *anon;
    assert_int_equal(svcq_tz_from_tzif(&anon, ctx, data, n, NULL), SVCQ_OK);
    svcq_sla_policy *an = tier1_on(ctx, anon);
    assert_string_equal(svcq_sla_policy_fingerprint(an), fb1);

    /* Berlin's POSIX rule alone differs from the history (no DST before
     * 1980, other rules before 1996): rules, not names, decide. */
    svcq_tz *posix_berlin;
    assert_int_equal(svcq_tz_from_posix(&posix_berlin, ctx, "CET-1CEST,M3.5.0,M10.5.0/3"), SVCQ_OK);
    svcq_sla_policy *pb = tier1_on(ctx, posix_berlin);
    assert_string_not_equal(svcq_sla_policy_fingerprint(pb), fb1);
    /* "CST-8" and a fixed +08:00 are the same offsets everywhere. */
    svcq_tz *cst, *plus8;
    assert_int_equal(svcq_tz_from_posix(&cst, ctx, "CST-8"), SVCQ_OK);
    assert_int_equal(svcq_tz_fixed(&plus8, ctx, 8 * 3600), SVCQ_OK);
    svcq_sla_policy *pc = tier1_on(ctx, cst), *p8 = tier1_on(ctx, plus8);
    assert_string_equal(svcq_sla_policy_fingerprint(pc), svcq_sla_policy_fingerprint(p8));
    assert_string_not_equal(svcq_sla_policy_fingerprint(pc), fs1); /* Shanghai had DST in 1986-1991 */

    /* Freezing (a clock uses it) keeps the value; it is cached. */
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, b1, "t-1"), SVCQ_OK);
    const char *cached = svcq_sla_policy_fingerprint(b1);
    assert_string_equal(cached, fb1);
    assert_ptr_equal(svcq_sla_policy_fingerprint(b1), cached);
    svcq_sla_clock_free(c);

    svcq_sla_policy *all[] = { b1, b2, s1, r, an, pb, pc, p8 };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        svcq_sla_policy_free(all[i]);
    svcq_tz *zones[] = { berlin, shanghai, renamed, anon, posix_berlin, cst, plus8 };
    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
        svcq_tz_free(zones[i]);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}

/* One policy with one target, built from a base spec that each case
 * alters in one field. */
typedef void (*alter_fn)(svcq_sla_target_spec *t, svcq_sla_policy *p, svcq_calendar *cal);

static void a_none(svcq_sla_target_spec *t, svcq_sla_policy *p, svcq_calendar *cal)
{
    (void)t, (void)p, (void)cal;
}
static void a_metric(svcq_sla_target_spec *t, svcq_sla_policy *p, svcq_calendar *cal)
{
    (void)p, (void)cal;
    t->metric = "reply";
}
static void a_start(svcq_sla_target_spec *t, svcq_sla_policy *p, svcq_calendar *cal)
{
    (void)p, (void)cal;
    t->start_event = "opened";
}
static void a_meet(svcq_sla_target_spec *t, svcq_sla_policy *p, svcq_calendar *cal)
{
    (void)p, (void)cal;
    t->meet_event = "answered";
}
static void a_stop(svcq_sla_target_spec *t, svcq_sla_policy *p, svcq_calendar *cal)
{
    (void)p, (void)cal;
    t->stop_event = "dropped";
}
static void a_pause(svcq_sla_target_spec *t, svcq_sla_policy *p, svcq_calendar *cal)
{
    (void)p, (void)cal;
    t->pause_event = "hold";
}
static void a_resume(svcq_sla_target_spec *t, svcq_sla_policy *p, svcq_calendar *cal)
{
    (void)p, (void)cal;
    t->resume_event = "unhold";
}
static void a_restart(svcq_sla_target_spec *t, svcq_sla_policy *p, svcq_calendar *cal)
{
    (void)p, (void)cal;
    t->restart_event = "reopened";
}
static void a_duration(svcq_sla_target_spec *t, svcq_sla_policy *p, svcq_calendar *cal)
{
    (void)p, (void)cal;
    t->duration += 1;
}
static void a_unit(svcq_sla_target_spec *t, svcq_sla_policy *p, svcq_calendar *cal)
{
    (void)p, (void)cal;
    t->duration_unit = SVCQ_SLA_UNIT_BUSINESS_DAYS;
    t->duration = 2;
}
static void a_unit_only(svcq_sla_target_spec *t, svcq_sla_policy *p, svcq_calendar *cal)
{
    (void)p, (void)cal;
    t->duration = 2; /* the same number in seconds: differs from a_unit */
}
static void a_warn(svcq_sla_target_spec *t, svcq_sla_policy *p, svcq_calendar *cal)
{
    (void)p, (void)cal;
    t->warn_percent[1] = 90;
}
static void a_warn_count(svcq_sla_target_spec *t, svcq_sla_policy *p, svcq_calendar *cal)
{
    (void)p, (void)cal;
    t->warn_count = 1;
}
static void a_esc(svcq_sla_target_spec *t, svcq_sla_policy *p, svcq_calendar *cal)
{
    (void)p, (void)cal;
    t->escalate_percent[0] = 175;
}
static void a_recurring(svcq_sla_target_spec *t, svcq_sla_policy *p, svcq_calendar *cal)
{
    (void)p, (void)cal;
    t->recurring = 1;
}
static void a_close(svcq_sla_target_spec *t, svcq_sla_policy *p, svcq_calendar *cal)
{
    (void)t, (void)cal;
    assert_int_equal(svcq_sla_policy_set_close_event(p, "closed"), SVCQ_OK);
}
static void a_mode(svcq_sla_target_spec *t, svcq_sla_policy *p, svcq_calendar *cal)
{
    (void)t, (void)cal;
    assert_int_equal(svcq_sla_policy_set_change_mode(p, SVCQ_SLA_CHANGE_CARRY), SVCQ_OK);
}
static void a_hours(svcq_sla_target_spec *t, svcq_sla_policy *p, svcq_calendar *cal)
{
    (void)t, (void)p;
    static const int32_t iv[] = { 9 * 3600, 17 * 3600 };
    assert_int_equal(svcq_calendar_set_weekday(cal, 5, iv, 1), SVCQ_OK);
}
static void a_holiday(svcq_sla_target_spec *t, svcq_sla_policy *p, svcq_calendar *cal)
{
    (void)t, (void)p;
    assert_int_equal(svcq_calendar_set_closed(cal, 2026, 5, 1), SVCQ_OK);
}
static void a_like(svcq_sla_target_spec *t, svcq_sla_policy *p, svcq_calendar *cal)
{
    (void)t, (void)p;
    assert_int_equal(svcq_calendar_set_date_like(cal, 2026, 5, 9, 1), SVCQ_OK);
}
static void a_no_calendar(svcq_sla_target_spec *t, svcq_sla_policy *p, svcq_calendar *cal)
{
    (void)p, (void)cal;
    t->calendar = NULL;
}

static void build(char out[65], svcq_ctx *ctx, alter_fn alter, const char *name, uint32_t version)
{
    svcq_calendar *cal;
    assert_int_equal(svcq_sla_default_calendar(&cal, ctx, NULL), SVCQ_OK);
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, ctx, name, version), SVCQ_OK);
    svcq_sla_target_spec t = SVCQ_SLA_TARGET_SPEC_INIT;
    t.metric = "first_response";
    t.start_event = "received";
    t.meet_event = "contacted";
    t.duration = 3600;
    t.calendar = cal;
    t.warn_count = 2;
    t.warn_percent[0] = 50;
    t.warn_percent[1] = 80;
    t.escalate_count = 1;
    t.escalate_percent[0] = 150;
    alter(&t, p, cal);
    if (t.pause_event && !t.resume_event)
        t.resume_event = "resume";
    if (t.resume_event && !t.pause_event)
        t.pause_event = "pause";
    assert_int_equal(svcq_sla_policy_add_target(p, &t), SVCQ_OK);
    fp_copy(out, p);
    svcq_sla_policy_free(p);
    svcq_calendar_free(cal);
}

static void every_timing_field_counts(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a);
    static const alter_fn alters[] = { a_none,     a_metric,   a_start,      a_meet,     a_stop,
                                       a_pause,    a_resume,   a_restart,    a_duration, a_unit,
                                       a_unit_only, a_warn,    a_warn_count, a_esc,      a_recurring,
                                       a_close,    a_mode,     a_hours,      a_holiday,  a_like,
                                       a_no_calendar };
    enum { N = sizeof(alters) / sizeof(alters[0]) };
    char fp[N][65];
    for (size_t i = 0; i < N; i++)
        build(fp[i], ctx, alters[i], "p", 1);
    for (size_t i = 0; i < N; i++)
        for (size_t k = i + 1; k < N; k++) {
            if (strcmp(fp[i], fp[k]) == 0)
                fail_msg("alterations %zu and %zu give the same fingerprint", i, k);
        }
    /* Name and version are not covered. */
    char other[65];
    build(other, ctx, a_none, "another.name", 7);
    assert_string_equal(other, fp[0]);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zones_by_rules_not_names),
        cmocka_unit_test(every_timing_field_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
