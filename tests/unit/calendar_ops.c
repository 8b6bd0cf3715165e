/* Calendars: configuration and its errors, and the documented semantics of
 * add, diff, is_open, next_open and next_close on hand-checked examples
 * (closing instants, zero durations, the RT option, lunch breaks, overnight
 * shifts, exceptions, DST gaps and overlaps, 7x24, the far future, the
 * supported range). */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svcq.h"
#include "test_ctx.h"

#ifndef SVCQ_TEST_DATA
#error "SVCQ_TEST_DATA must name the tests/data directory"
#endif
#define ZONEINFO SVCQ_TEST_DATA "/zoneinfo"
#define H(h, m) ((h) * 3600 + (m) * 60)

static svcq_tz *zone(const char *name)
{
    svcq_tz *tz;
    if (svcq_tz_load(&tz, ctx, name, ZONEINFO) != SVCQ_OK)
        fail_msg("%s: %s", name, svcq_ctx_errmsg(ctx));
    return tz;
}

static svcq_calendar *cal_in(const char *name)
{
    svcq_tz *tz = zone(name);
    svcq_calendar *cal;
    assert_int_equal(svcq_calendar_new(&cal, ctx, tz, NULL), SVCQ_OK);
    svcq_tz_free(tz);
    return cal;
}

/* Mon-Fri with the given intervals. */
static void weekdays(svcq_calendar *cal, const int32_t *iv, size_t n)
{
    for (int d = SVCQ_MONDAY; d <= SVCQ_FRIDAY; d++)
        if (svcq_calendar_set_weekday(cal, d, iv, n) != SVCQ_OK)
            fail_msg("%s", svcq_ctx_errmsg(ctx));
}

/* Local time in the calendar's zone. */
static svcq_time L(svcq_calendar *cal, int y, int m, int d, int sod)
{
    svcq_time t;
    assert_int_equal(svcq_tz_local_to_utc(&t, svcq_calendar_tz(cal), y, m, d, sod), SVCQ_OK);
    return t;
}

static svcq_time add(svcq_calendar *cal, svcq_time t, int64_t s)
{
    svcq_time out;
    if (svcq_calendar_add(&out, cal, t, s) != SVCQ_OK)
        fail_msg("add(%lld, %lld): %s", (long long)t, (long long)s, svcq_ctx_errmsg(ctx));
    return out;
}

static int64_t diff(svcq_calendar *cal, svcq_time a, svcq_time b)
{
    int64_t out;
    if (svcq_calendar_diff(&out, cal, a, b) != SVCQ_OK)
        fail_msg("diff: %s", svcq_ctx_errmsg(ctx));
    return out;
}

static int32_t is_open(svcq_calendar *cal, svcq_time t)
{
    int32_t out;
    assert_int_equal(svcq_calendar_is_open(&out, cal, t), SVCQ_OK);
    return out;
}

static svcq_time next_open(svcq_calendar *cal, svcq_time t)
{
    svcq_time out;
    if (svcq_calendar_next_open(&out, cal, t) != SVCQ_OK)
        fail_msg("next_open: %s", svcq_ctx_errmsg(ctx));
    return out;
}

static svcq_time next_close(svcq_calendar *cal, svcq_time t)
{
    svcq_time out;
    if (svcq_calendar_next_close(&out, cal, t) != SVCQ_OK)
        fail_msg("next_close: %s", svcq_ctx_errmsg(ctx));
    return out;
}

static void expect_msg(const char *part)
{
    if (!strstr(svcq_ctx_errmsg(ctx), part))
        fail_msg("message \"%s\" lacks \"%s\"", svcq_ctx_errmsg(ctx), part);
}

/* ---- configuration ------------------------------------------------------ */

static void options(void **state)
{
    (void)state;
    svcq_calendar_options a = SVCQ_CALENDAR_OPTIONS_INIT, b;
    memset(&b, 0xA5, sizeof(b));
    assert_int_equal(svcq_calendar_options_init(&b, SVCQ_CALENDAR_OPTIONS_VERSION), SVCQ_OK);
    assert_memory_equal(&a, &b, sizeof(a));
    assert_int_equal(svcq_calendar_options_init(NULL, 1), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_options_init(&b, 0), SVCQ_EVERSION);
    assert_int_equal(svcq_calendar_options_init(&b, 2), SVCQ_EVERSION);

    svcq_tz *tz = zone("UTC");
    svcq_calendar *cal = (svcq_calendar *)0x1;
    svcq_calendar_options o = SVCQ_CALENDAR_OPTIONS_INIT;
    o.flags = 0x2;
    assert_int_equal(svcq_calendar_new(&cal, ctx, tz, &o), SVCQ_EINVAL);
    assert_null(cal);
    expect_msg("flags");
    o.flags = 0;
    o.reserved[3] = 1;
    assert_int_equal(svcq_calendar_new(&cal, ctx, tz, &o), SVCQ_EINVAL);
    o.reserved[3] = 0;
    o.version = 2;
    assert_int_equal(svcq_calendar_new(&cal, ctx, tz, &o), SVCQ_EVERSION);
    o.version = 0;
    assert_int_equal(svcq_calendar_new(&cal, ctx, tz, &o), SVCQ_EVERSION);
    assert_int_equal(svcq_calendar_new(NULL, ctx, tz, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_new(&cal, NULL, tz, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_new(&cal, ctx, NULL, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_new_24x7(NULL, ctx), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_new_24x7(&cal, NULL), SVCQ_EINVAL);

    o = (svcq_calendar_options)SVCQ_CALENDAR_OPTIONS_INIT;
    o.flags = SVCQ_CALENDAR_RT_NEXT_OPENING;
    assert_int_equal(svcq_calendar_new(&cal, ctx, tz, &o), SVCQ_OK);
    svcq_tz_free(tz); /* the calendar has its own copy */
    assert_string_equal(svcq_tz_name(svcq_calendar_tz(cal)), "UTC");
    svcq_calendar_options got;
    assert_int_equal(svcq_calendar_get_options(&got, cal), SVCQ_OK);
    assert_int_equal(got.version, SVCQ_CALENDAR_OPTIONS_VERSION);
    assert_int_equal(got.flags, SVCQ_CALENDAR_RT_NEXT_OPENING);
    assert_int_equal(svcq_calendar_set_options(cal, NULL), SVCQ_OK);
    assert_int_equal(svcq_calendar_get_options(&got, cal), SVCQ_OK);
    assert_int_equal(got.flags, 0);
    o.flags = 0x80;
    assert_int_equal(svcq_calendar_set_options(cal, &o), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_set_options(NULL, &o), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_get_options(NULL, cal), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_get_options(&got, NULL), SVCQ_EINVAL);
    assert_null(svcq_calendar_tz(NULL));
    svcq_calendar_free(cal);
    svcq_calendar_free(NULL);
}

static void weekday_errors(void **state)
{
    (void)state;
    svcq_calendar *cal = cal_in("Asia/Shanghai");
    const int32_t ok[2] = { H(9, 0), H(18, 0) };
    assert_int_equal(svcq_calendar_set_weekday(cal, SVCQ_MONDAY, ok, 1), SVCQ_OK);
    struct {
        int32_t day;
        int32_t iv[4];
        size_t n;
        const char *msg;
    } bad[] = {
        { 0, { 0, 1 }, 1, "weekday 0" },
        { 8, { 0, 1 }, 1, "weekday 8" },
        { 1, { -1, 100 }, 1, "outside the day" },
        { 1, { 86400, 86500 }, 1, "outside the day" },
        { 1, { H(9, 0), H(9, 0) }, 1, "reversed or empty" },
        { 1, { H(18, 0), H(9, 0) }, 1, "reversed or empty" },
        { 1, { H(9, 0), H(9, 0) + 86401 }, 1, "longer than 24 hours" },
        { 1, { H(9, 0), H(12, 0), H(11, 0), H(13, 0) }, 2, "09:00-12:00 and 11:00-13:00 overlap" },
        { 1, { H(11, 0), H(13, 0), H(9, 0), H(12, 0) }, 2, "overlap" },
        { 1, { H(22, 0), H(32, 0), H(23, 0), H(23, 30) }, 2, "overlap" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(svcq_calendar_set_weekday(cal, bad[i].day, bad[i].iv, bad[i].n), SVCQ_EINVAL);
        expect_msg(bad[i].msg);
    }
    assert_int_equal(svcq_calendar_set_weekday(cal, 1, NULL, 1), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_set_weekday(NULL, 1, ok, 1), SVCQ_EINVAL);
    int32_t many[2 * (SVCQ_CALENDAR_MAX_INTERVALS + 1)];
    for (int i = 0; i <= SVCQ_CALENDAR_MAX_INTERVALS; i++) {
        many[2 * i] = i * 600;
        many[2 * i + 1] = i * 600 + 60;
    }
    assert_int_equal(svcq_calendar_set_weekday(cal, 2, many, SVCQ_CALENDAR_MAX_INTERVALS + 1), SVCQ_ELIMIT);
    assert_int_equal(svcq_calendar_set_weekday(cal, 2, many, SVCQ_CALENDAR_MAX_INTERVALS), SVCQ_OK);
    /* Across days: Monday night runs into Tuesday's hours. */
    const int32_t night[2] = { H(22, 0), H(30, 0) }, morning[2] = { H(5, 0), H(10, 0) };
    assert_int_equal(svcq_calendar_set_weekday(cal, 2, morning, 1), SVCQ_OK);
    assert_int_equal(svcq_calendar_set_weekday(cal, 1, night, 1), SVCQ_EINVAL);
    expect_msg("Monday 22:00-30:00 runs into Tuesday 05:00-10:00");
    /* Sunday night wraps into Monday. */
    const int32_t sunday[2] = { H(20, 0), H(34, 0) };
    assert_int_equal(svcq_calendar_set_weekday(cal, 7, sunday, 1), SVCQ_EINVAL);
    expect_msg("Sunday 20:00-34:00 runs into Monday 09:00-18:00");
    const int32_t sunday_ok[2] = { H(20, 0), H(33, 0) }; /* touching Monday 09:00 */
    assert_int_equal(svcq_calendar_set_weekday(cal, 7, sunday_ok, 1), SVCQ_OK);
    assert_int_equal(svcq_calendar_set_weekday(cal, 7, NULL, 0), SVCQ_OK);
    /* Nothing changed by the failures. */
    const int32_t *iv;
    size_t n;
    assert_int_equal(svcq_calendar_get_weekday(&iv, &n, cal, 1), SVCQ_OK);
    assert_int_equal(n, 1);
    assert_int_equal(iv[0], H(9, 0));
    assert_int_equal(iv[1], H(18, 0));
    assert_int_equal(svcq_calendar_get_weekday(&iv, &n, cal, 7), SVCQ_OK);
    assert_int_equal(n, 0);
    assert_null(iv);
    /* Touching intervals are fine, given in any order, returned sorted. */
    const int32_t touch[6] = { H(13, 0), H(17, 0), H(9, 0), H(12, 0), H(12, 0), H(13, 0) };
    assert_int_equal(svcq_calendar_set_weekday(cal, 3, touch, 3), SVCQ_OK);
    assert_int_equal(svcq_calendar_get_weekday(&iv, &n, cal, 3), SVCQ_OK);
    assert_int_equal(n, 3);
    assert_int_equal(iv[0], H(9, 0));
    assert_int_equal(iv[2], H(12, 0));
    assert_int_equal(iv[4], H(13, 0));
    /* An overnight interval touching the next day's first one is fine too. */
    const int32_t thu[2] = { H(9, 0), H(33, 0) }, fri[2] = { H(9, 0), H(10, 0) };
    assert_int_equal(svcq_calendar_set_weekday(cal, 5, fri, 1), SVCQ_OK);
    assert_int_equal(svcq_calendar_set_weekday(cal, 4, thu, 1), SVCQ_OK);
    /* Closing a day. */
    assert_int_equal(svcq_calendar_set_weekday(cal, 3, NULL, 0), SVCQ_OK);
    assert_int_equal(svcq_calendar_get_weekday(&iv, &n, cal, 3), SVCQ_OK);
    assert_int_equal(n, 0);
    assert_int_equal(svcq_calendar_get_weekday(NULL, &n, cal, 3), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_get_weekday(&iv, NULL, cal, 3), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_get_weekday(&iv, &n, NULL, 3), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_get_weekday(&iv, &n, cal, 0), SVCQ_EINVAL);
    svcq_calendar_free(cal);
}

static void date_errors_and_listing(void **state)
{
    (void)state;
    svcq_calendar *cal = cal_in("Asia/Shanghai");
    const int bad[][3] = { { 2025, 2, 29 }, { 2024, 2, 30 }, { 2025, 13, 1 }, { 2025, 0, 10 },
                           { 2025, 4, 31 }, { 1899, 12, 31 }, { 10000, 1, 1 }, { 2025, 1, 0 },
                           { 2025, 1, 32 } };
    const int32_t iv[2] = { H(9, 0), H(12, 0) };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(svcq_calendar_set_closed(cal, bad[i][0], bad[i][1], bad[i][2]), SVCQ_EINVAL);
        expect_msg("impossible date");
        assert_int_equal(svcq_calendar_set_date_hours(cal, bad[i][0], bad[i][1], bad[i][2], iv, 1),
                         SVCQ_EINVAL);
        assert_int_equal(svcq_calendar_set_date_like(cal, bad[i][0], bad[i][1], bad[i][2], 1),
                         SVCQ_EINVAL);
        assert_int_equal(svcq_calendar_clear_date(cal, bad[i][0], bad[i][1], bad[i][2]), SVCQ_EINVAL);
    }
    assert_int_equal(svcq_calendar_date_count(cal), 0);
    assert_int_equal(svcq_calendar_set_closed(cal, 2024, 2, 29), SVCQ_OK);
    assert_int_equal(svcq_calendar_set_closed(cal, 1900, 1, 1), SVCQ_OK);
    assert_int_equal(svcq_calendar_set_closed(cal, 9999, 12, 31), SVCQ_OK);
    assert_int_equal(svcq_calendar_set_date_like(cal, 2025, 1, 26, SVCQ_MONDAY), SVCQ_OK);
    assert_int_equal(svcq_calendar_set_date_like(cal, 2025, 1, 26, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_set_date_like(cal, 2025, 1, 26, 8), SVCQ_EINVAL);
    const int32_t two[4] = { H(14, 0), H(15, 0), H(9, 0), H(12, 0) };
    assert_int_equal(svcq_calendar_set_date_hours(cal, 2025, 12, 24, two, 2), SVCQ_OK);
    const int32_t overlap[4] = { H(9, 0), H(12, 0), H(11, 0), H(13, 0) };
    assert_int_equal(svcq_calendar_set_date_hours(cal, 2025, 12, 24, overlap, 2), SVCQ_EINVAL);
    expect_msg("2025-12-24: intervals 09:00-12:00 and 11:00-13:00 overlap");
    assert_int_equal(svcq_calendar_set_date_hours(cal, 2025, 12, 24, NULL, 1), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_date_count(cal), 5);
    int32_t y, m, d, kind, wd;
    const int32_t *hv;
    size_t n;
    const int want[5][4] = { { 1900, 1, 1, SVCQ_DATE_CLOSED }, { 2024, 2, 29, SVCQ_DATE_CLOSED },
                             { 2025, 1, 26, SVCQ_DATE_LIKE },  { 2025, 12, 24, SVCQ_DATE_HOURS },
                             { 9999, 12, 31, SVCQ_DATE_CLOSED } };
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(svcq_calendar_date_at(&y, &m, &d, &kind, &wd, &hv, &n, cal, i), SVCQ_OK);
        assert_int_equal(y, want[i][0]);
        assert_int_equal(m, want[i][1]);
        assert_int_equal(d, want[i][2]);
        assert_int_equal(kind, want[i][3]);
        assert_int_equal(wd, kind == SVCQ_DATE_LIKE ? SVCQ_MONDAY : 0);
        if (kind == SVCQ_DATE_HOURS) {
            assert_int_equal(n, 2);
            assert_int_equal(hv[0], H(9, 0)); /* sorted */
            assert_int_equal(hv[3], H(15, 0));
        } else {
            assert_int_equal(n, 0);
            assert_null(hv);
        }
    }
    assert_int_equal(svcq_calendar_date_at(&y, &m, &d, &kind, &wd, &hv, &n, cal, 5), SVCQ_ERANGE);
    assert_int_equal(svcq_calendar_date_at(NULL, &m, &d, &kind, &wd, &hv, &n, cal, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_date_at(&y, &m, &d, &kind, &wd, &hv, &n, NULL, 0), SVCQ_EINVAL);
    /* Replacing and clearing. */
    assert_int_equal(svcq_calendar_set_date_hours(cal, 2025, 12, 24, NULL, 0), SVCQ_OK);
    assert_int_equal(svcq_calendar_date_at(&y, &m, &d, &kind, &wd, &hv, &n, cal, 3), SVCQ_OK);
    assert_int_equal(kind, SVCQ_DATE_CLOSED);
    assert_int_equal(svcq_calendar_set_date_like(cal, 2025, 12, 24, SVCQ_SATURDAY), SVCQ_OK);
    assert_int_equal(svcq_calendar_date_at(&y, &m, &d, &kind, &wd, &hv, &n, cal, 3), SVCQ_OK);
    assert_int_equal(kind, SVCQ_DATE_LIKE);
    assert_int_equal(wd, SVCQ_SATURDAY);
    assert_int_equal(svcq_calendar_date_count(cal), 5);
    assert_int_equal(svcq_calendar_clear_date(cal, 2025, 12, 24), SVCQ_OK);
    assert_int_equal(svcq_calendar_clear_date(cal, 2025, 12, 24), SVCQ_ENOTFOUND);
    expect_msg("no exception on 2025-12-24");
    assert_int_equal(svcq_calendar_date_count(cal), 4);
    assert_int_equal(svcq_calendar_clear_date(NULL, 2025, 1, 1), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_set_closed(NULL, 2025, 1, 1), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_set_date_hours(NULL, 2025, 1, 1, NULL, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_set_date_like(NULL, 2025, 1, 1, 1), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_date_count(NULL), 0);
    svcq_calendar_free(cal);

    /* The exception limit. */
    assert_int_equal(svcq_calendar_new_24x7(&cal, ctx), SVCQ_OK);
    int added = 0;
    for (int yy = 1900; added < SVCQ_CALENDAR_MAX_DATES; yy++)
        for (int mm = 1; mm <= 12 && added < SVCQ_CALENDAR_MAX_DATES; mm++)
            for (int dd = 1; dd <= 28 && added < SVCQ_CALENDAR_MAX_DATES; dd++, added++)
                assert_int_equal(svcq_calendar_set_closed(cal, yy, mm, dd), SVCQ_OK);
    assert_int_equal(svcq_calendar_set_closed(cal, 9999, 1, 1), SVCQ_ELIMIT);
    assert_int_equal(svcq_calendar_set_closed(cal, 1900, 1, 1), SVCQ_OK); /* replacing is fine */
    assert_int_equal(svcq_calendar_date_count(cal), SVCQ_CALENDAR_MAX_DATES);
    svcq_calendar_free(cal);
}

/* ---- semantics ---------------------------------------------------------- */

/* Mon-Fri 09:00-18:00 in Shanghai (UTC+8, no DST); 2025-06-02 is a Monday. */
static void basic_semantics(void **state)
{
    (void)state;
    svcq_calendar *cal = cal_in("Asia/Shanghai");
    const int32_t nine_six[2] = { H(9, 0), H(18, 0) };
    weekdays(cal, nine_six, 1);
    svcq_time mon9 = L(cal, 2025, 6, 2, H(9, 0)), mon18 = L(cal, 2025, 6, 2, H(18, 0));
    svcq_time tue9 = L(cal, 2025, 6, 3, H(9, 0)), sat10 = L(cal, 2025, 6, 7, H(10, 0));
    svcq_time fri17 = L(cal, 2025, 6, 6, H(17, 0)), nmon9 = L(cal, 2025, 6, 9, H(9, 0));
    assert_int_equal(mon18 - mon9, 9 * 3600);
    /* Ending exactly at closing gives the closing instant. */
    assert_int_equal(add(cal, mon9, 9 * 3600), mon18);
    assert_int_equal(add(cal, mon9 + 1800, 9 * 3600 - 1800), mon18);
    assert_int_equal(add(cal, mon18 - 1, 1), mon18);
    /* One second more continues at the next opening. */
    assert_int_equal(add(cal, mon9, 9 * 3600 + 1), tue9 + 1);
    /* Zero returns the start, even outside hours. */
    assert_int_equal(add(cal, mon9 + 3600, 0), mon9 + 3600);
    assert_int_equal(add(cal, sat10, 0), sat10);
    /* A start outside hours counts from the next opening. */
    assert_int_equal(add(cal, sat10, 1), nmon9 + 1);
    assert_int_equal(add(cal, mon18, 60), tue9 + 60);
    assert_int_equal(add(cal, mon9 - 7200, 60), mon9 + 60);
    assert_int_equal(add(cal, fri17, 3600), fri17 + 3600);
    assert_int_equal(add(cal, fri17, 3601), nmon9 + 1);
    /* A week is 45 hours: adding it lands a week later. */
    assert_int_equal(add(cal, mon9 + 1, 45 * 3600), nmon9 + 1);
    assert_int_equal(add(cal, mon9, 45 * 3600), L(cal, 2025, 6, 6, H(18, 0)));
    /* diff counts [a, b) to the second, negative backwards. */
    assert_int_equal(diff(cal, mon9, mon18), 9 * 3600);
    assert_int_equal(diff(cal, mon18 - 1, mon18), 1);
    assert_int_equal(diff(cal, mon9 - 1, mon9), 0);
    assert_int_equal(diff(cal, mon9, mon9 + 1), 1);
    assert_int_equal(diff(cal, mon18, tue9), 0);
    assert_int_equal(diff(cal, tue9, mon9), -9 * 3600);
    assert_int_equal(diff(cal, mon9 + 30, mon9 + 70), 40);
    assert_int_equal(diff(cal, mon9, mon9), 0);
    assert_int_equal(diff(cal, sat10, sat10 + 3600), 0);
    assert_int_equal(diff(cal, mon9, nmon9), 45 * 3600);
    assert_int_equal(diff(cal, nmon9, mon9), -45 * 3600);
    /* is_open: intervals are half-open. */
    assert_int_equal(is_open(cal, mon9), 1);
    assert_int_equal(is_open(cal, mon9 - 1), 0);
    assert_int_equal(is_open(cal, mon18 - 1), 1);
    assert_int_equal(is_open(cal, mon18), 0);
    assert_int_equal(is_open(cal, sat10), 0);
    /* next_open / next_close: at or after. */
    assert_int_equal(next_open(cal, mon9 - 3600), mon9);
    assert_int_equal(next_open(cal, mon9 + 3600), mon9 + 3600);
    assert_int_equal(next_open(cal, mon18), tue9);
    assert_int_equal(next_open(cal, fri17 + 3600), nmon9);
    assert_int_equal(next_close(cal, mon9 + 3600), mon18);
    assert_int_equal(next_close(cal, mon9), mon18);
    assert_int_equal(next_close(cal, mon18), mon18);
    assert_int_equal(next_close(cal, sat10), sat10);
    assert_int_equal(next_close(cal, next_open(cal, sat10)), L(cal, 2025, 6, 9, H(18, 0)));

    /* Exceptions: a holiday, a moved working day, special hours. */
    svcq_time tue17 = L(cal, 2025, 6, 3, H(17, 0));
    assert_int_equal(add(cal, tue17, 2 * 3600), L(cal, 2025, 6, 4, H(10, 0)));
    assert_int_equal(svcq_calendar_set_closed(cal, 2025, 6, 4), SVCQ_OK);
    assert_int_equal(add(cal, tue17, 2 * 3600), L(cal, 2025, 6, 5, H(10, 0)));
    assert_int_equal(diff(cal, mon9, nmon9), 36 * 3600);
    assert_int_equal(svcq_calendar_set_date_like(cal, 2025, 6, 7, SVCQ_MONDAY), SVCQ_OK);
    assert_int_equal(add(cal, fri17, 2 * 3600), L(cal, 2025, 6, 7, H(10, 0)));
    assert_int_equal(is_open(cal, sat10), 1);
    const int32_t half[2] = { H(9, 0), H(12, 0) };
    assert_int_equal(svcq_calendar_set_date_hours(cal, 2025, 6, 5, half, 1), SVCQ_OK);
    assert_int_equal(diff(cal, L(cal, 2025, 6, 5, 0), L(cal, 2025, 6, 6, 0)), 3 * 3600);
    assert_int_equal(diff(cal, mon9, nmon9), (9 + 9 + 3 + 9 + 9) * 3600);
    /* A weekday changed later applies to the date that works like it. */
    const int32_t short_mon[2] = { H(10, 0), H(11, 0) };
    assert_int_equal(svcq_calendar_set_weekday(cal, SVCQ_MONDAY, short_mon, 1), SVCQ_OK);
    assert_int_equal(diff(cal, L(cal, 2025, 6, 7, 0), L(cal, 2025, 6, 8, 0)), 3600);
    assert_int_equal(svcq_calendar_clear_date(cal, 2025, 6, 7), SVCQ_OK);
    assert_int_equal(is_open(cal, sat10), 0);

    /* A year of business time, and back. */
    svcq_time y = add(cal, mon9, 365 * 86400LL);
    assert_int_equal(diff(cal, mon9, y), 365 * 86400LL);
    assert_int_equal(is_open(cal, y - 1), 1);
    assert_true(y > mon9 + 3 * 365 * 86400LL);
    svcq_calendar_free(cal);
}

static void rt_option(void **state)
{
    (void)state;
    svcq_tz *tz = zone("Asia/Shanghai");
    svcq_calendar_options o = SVCQ_CALENDAR_OPTIONS_INIT;
    o.flags = SVCQ_CALENDAR_RT_NEXT_OPENING;
    svcq_calendar *cal;
    assert_int_equal(svcq_calendar_new(&cal, ctx, tz, &o), SVCQ_OK);
    svcq_tz_free(tz);
    const int32_t iv[4] = { H(9, 0), H(12, 0), H(13, 0), H(18, 0) };
    weekdays(cal, iv, 2);
    svcq_time mon9 = L(cal, 2025, 6, 2, H(9, 0)), sat10 = L(cal, 2025, 6, 7, H(10, 0));
    /* Exactly at a closing: the next opening instead. */
    assert_int_equal(add(cal, mon9, 3 * 3600), L(cal, 2025, 6, 2, H(13, 0)));
    assert_int_equal(add(cal, mon9, 8 * 3600), L(cal, 2025, 6, 3, H(9, 0)));
    assert_int_equal(add(cal, L(cal, 2025, 6, 6, H(17, 0)), 3600), L(cal, 2025, 6, 9, H(9, 0)));
    /* Zero: the next opening when closed, the start when open. */
    assert_int_equal(add(cal, sat10, 0), L(cal, 2025, 6, 9, H(9, 0)));
    assert_int_equal(add(cal, mon9 + 60, 0), mon9 + 60);
    /* Elsewhere as without the flag. */
    assert_int_equal(add(cal, mon9, 1), mon9 + 1);
    assert_int_equal(add(cal, mon9, 3 * 3600 + 1), L(cal, 2025, 6, 2, H(13, 0)) + 1);
    /* Far ahead the same convention (slow path). */
    svcq_time far = add(cal, mon9, 100000 * 3600LL);
    assert_int_equal(is_open(cal, far), 1);
    /* Without the flag the first result is the lunch-break start. */
    assert_int_equal(svcq_calendar_set_options(cal, NULL), SVCQ_OK);
    assert_int_equal(add(cal, mon9, 3 * 3600), L(cal, 2025, 6, 2, H(12, 0)));
    assert_int_equal(add(cal, mon9 + 7200, 3600), L(cal, 2025, 6, 2, H(12, 0)));
    svcq_calendar_free(cal);
}

static void overnight_shifts(void **state)
{
    (void)state;
    svcq_calendar *cal = cal_in("Asia/Shanghai");
    const int32_t night[2] = { H(22, 0), H(30, 0) };
    assert_int_equal(svcq_calendar_set_weekday(cal, SVCQ_MONDAY, night, 1), SVCQ_OK);
    svcq_time mon22 = L(cal, 2025, 6, 2, H(22, 0)), tue6 = L(cal, 2025, 6, 3, H(6, 0));
    assert_int_equal(is_open(cal, tue6 - 1), 1);
    assert_int_equal(is_open(cal, tue6), 0);
    assert_int_equal(add(cal, mon22 + 3600, 7 * 3600), tue6);
    assert_int_equal(next_close(cal, mon22 + 3600), tue6);
    assert_int_equal(diff(cal, L(cal, 2025, 6, 2, 0), L(cal, 2025, 6, 4, 0)), 8 * 3600);
    /* The next day's hours start where the shift ends: one period. */
    const int32_t day[2] = { H(6, 0), H(14, 0) };
    assert_int_equal(svcq_calendar_set_weekday(cal, SVCQ_TUESDAY, day, 1), SVCQ_OK);
    assert_int_equal(next_close(cal, mon22 + 3600), L(cal, 2025, 6, 3, H(14, 0)));
    assert_int_equal(add(cal, mon22, 16 * 3600), L(cal, 2025, 6, 3, H(14, 0)));
    /* A holiday on Tuesday stops Tuesday's hours, not Monday's shift. */
    assert_int_equal(svcq_calendar_set_closed(cal, 2025, 6, 3), SVCQ_OK);
    assert_int_equal(next_close(cal, mon22 + 3600), tue6);
    assert_int_equal(is_open(cal, tue6 - 1), 1);
    /* Special hours overlapping the shift's tail: open when either says so. */
    const int32_t early[2] = { H(5, 0), H(7, 0) };
    assert_int_equal(svcq_calendar_set_date_hours(cal, 2025, 6, 3, early, 1), SVCQ_OK);
    assert_int_equal(next_close(cal, mon22), L(cal, 2025, 6, 3, H(7, 0)));
    assert_int_equal(diff(cal, mon22, L(cal, 2025, 6, 4, 0)), 9 * 3600);
    /* A holiday on Monday: no shift that night. */
    assert_int_equal(svcq_calendar_set_closed(cal, 2025, 6, 2), SVCQ_OK);
    assert_int_equal(is_open(cal, mon22 + 3600), 0);
    assert_int_equal(next_open(cal, mon22), L(cal, 2025, 6, 3, H(5, 0)));
    /* A 24-hour shift starting at noon. */
    const int32_t full[2] = { H(12, 0), H(36, 0) };
    assert_int_equal(svcq_calendar_set_weekday(cal, SVCQ_WEDNESDAY, full, 1), SVCQ_OK);
    assert_int_equal(diff(cal, L(cal, 2025, 6, 4, 0), L(cal, 2025, 6, 6, 0)), 24 * 3600);
    svcq_calendar_free(cal);
}

/* New York, 2025: spring forward Sunday March 9 at 02:00 (to 03:00 EDT),
 * fall back Sunday November 2 at 02:00 EDT (to 01:00 EST). */
static void dst_gaps_and_overlaps(void **state)
{
    (void)state;
    svcq_calendar *cal = cal_in("America/New_York");
    const int32_t all[2] = { 0, 86400 };
    for (int d = 1; d <= 7; d++)
        assert_int_equal(svcq_calendar_set_weekday(cal, d, all, 1), SVCQ_OK);
    /* Real elapsed time: a 23-hour and a 25-hour day. */
    assert_int_equal(diff(cal, L(cal, 2025, 3, 9, 0), L(cal, 2025, 3, 10, 0)), 23 * 3600);
    assert_int_equal(diff(cal, L(cal, 2025, 11, 2, 0), L(cal, 2025, 11, 3, 0)), 25 * 3600);
    svcq_time out;
    assert_int_equal(svcq_calendar_next_close(&out, cal, L(cal, 2025, 3, 9, 0)), SVCQ_ENOTFOUND);
    svcq_calendar_free(cal);

    const svcq_time spring = 1741503600; /* 03:00 EDT = 07:00Z */
    const svcq_time fall = 1762063200;   /* 01:00 EST (second 01:00) = 06:00Z */
    cal = cal_in("America/New_York");
    /* Wholly inside the gap: empty. */
    const int32_t in_gap[2] = { H(2, 10), H(2, 50) };
    assert_int_equal(svcq_calendar_set_date_hours(cal, 2025, 3, 9, in_gap, 1), SVCQ_OK);
    assert_int_equal(diff(cal, L(cal, 2025, 3, 9, 0), L(cal, 2025, 3, 10, 0)), 0);
    assert_int_equal(is_open(cal, spring), 0);
    /* Ending in the gap: ends at the change. */
    const int32_t to_gap[2] = { H(1, 30), H(2, 30) };
    assert_int_equal(svcq_calendar_set_date_hours(cal, 2025, 3, 9, to_gap, 1), SVCQ_OK);
    assert_int_equal(next_close(cal, spring - 1800), spring);
    assert_int_equal(diff(cal, spring - 86400, spring + 86400), 1800);
    /* Starting in the gap: opens at the change. */
    const int32_t from_gap[2] = { H(2, 30), H(5, 0) };
    assert_int_equal(svcq_calendar_set_date_hours(cal, 2025, 3, 9, from_gap, 1), SVCQ_OK);
    assert_int_equal(next_open(cal, spring - 3600), spring);
    assert_int_equal(diff(cal, spring - 86400, spring + 86400), 2 * 3600);
    /* The repeated hour: a slot ending at the first 01:30 does not reopen. */
    const int32_t early[2] = { 0, H(1, 30) };
    assert_int_equal(svcq_calendar_set_date_hours(cal, 2025, 11, 2, early, 1), SVCQ_OK);
    assert_int_equal(next_close(cal, fall - 7200), fall - 1800);
    assert_int_equal(is_open(cal, fall + 60), 0);
    assert_int_equal(diff(cal, fall - 86400, fall + 86400), 5400);
    /* A slot starting at 01:30 runs from the first 01:30 to 03:00 EST. */
    const int32_t late[2] = { H(1, 30), H(3, 0) };
    assert_int_equal(svcq_calendar_set_date_hours(cal, 2025, 11, 2, late, 1), SVCQ_OK);
    assert_int_equal(next_open(cal, fall - 7200), fall - 1800);
    assert_int_equal(next_close(cal, fall - 1800), fall + 7200);
    assert_int_equal(diff(cal, fall - 86400, fall + 86400), 9000);
    assert_int_equal(add(cal, fall - 7200, 9000), fall + 7200);
    svcq_calendar_free(cal);

    /* A weekday 9-18 calendar does not notice the changes on Sundays. */
    cal = cal_in("America/New_York");
    const int32_t nine_six[2] = { H(9, 0), H(18, 0) };
    weekdays(cal, nine_six, 1);
    assert_int_equal(diff(cal, L(cal, 2025, 3, 3, 0), L(cal, 2025, 3, 17, 0)), 90 * 3600);
    assert_int_equal(add(cal, L(cal, 2025, 3, 7, H(17, 0)), 7200), L(cal, 2025, 3, 10, H(10, 0)));
    assert_int_equal(L(cal, 2025, 3, 10, H(10, 0)) - L(cal, 2025, 3, 7, H(17, 0)), 65 * 3600 - 3600);
    svcq_calendar_free(cal);
}

static void all_week(void **state)
{
    (void)state;
    svcq_calendar *cal;
    assert_int_equal(svcq_calendar_new_24x7(&cal, ctx), SVCQ_OK);
    assert_string_equal(svcq_tz_name(svcq_calendar_tz(cal)), "UTC");
    const svcq_time t = 1748822400; /* 2025-06-02T00:00Z */
    assert_int_equal(add(cal, t + 17, 1000000), t + 17 + 1000000);
    assert_int_equal(add(cal, t, 0), t);
    assert_int_equal(diff(cal, t, t + 12345), 12345);
    assert_int_equal(diff(cal, t + 12345, t), -12345);
    assert_int_equal(is_open(cal, t), 1);
    assert_int_equal(next_open(cal, t + 5), t + 5);
    svcq_time out;
    assert_int_equal(svcq_calendar_next_close(&out, cal, t), SVCQ_ENOTFOUND);
    expect_msg("never closes");
    /* Far ahead, through the cycle arithmetic, still exact. */
    assert_int_equal(add(cal, t, 100LL * 365 * 86400), t + 100LL * 365 * 86400);
    assert_int_equal(add(cal, t, 7000LL * 365 * 86400), t + 7000LL * 365 * 86400);
    assert_int_equal(diff(cal, -2208988800, 253402300799), 253402300799 + 2208988800);
    /* Closing a day gives it a closing. */
    assert_int_equal(svcq_calendar_set_closed(cal, 2025, 6, 3), SVCQ_OK);
    assert_int_equal(next_close(cal, t + 3600), t + 86400);
    assert_int_equal(next_open(cal, t + 86400), t + 2 * 86400);
    assert_int_equal(add(cal, t, 86400 + 1), t + 2 * 86400 + 1);
    assert_int_equal(add(cal, t, 86400), t + 86400);
    svcq_calendar_free(cal);
}

static void never_open(void **state)
{
    (void)state;
    svcq_calendar *cal = cal_in("Europe/Berlin");
    const svcq_time t = 1748822400;
    svcq_time out;
    assert_int_equal(svcq_calendar_add(&out, cal, t, 1), SVCQ_ERANGE);
    assert_int_equal(add(cal, t, 0), t);
    assert_int_equal(svcq_calendar_next_open(&out, cal, t), SVCQ_ENOTFOUND);
    expect_msg("never opens");
    assert_int_equal(next_close(cal, t), t);
    assert_int_equal(diff(cal, t, t + 86400 * 1000), 0);
    assert_int_equal(is_open(cal, t), 0);
    /* One working day in 2030 and nothing else. */
    const int32_t iv[2] = { H(10, 0), H(11, 0) };
    assert_int_equal(svcq_calendar_set_date_hours(cal, 2030, 5, 6, iv, 1), SVCQ_OK);
    svcq_time open = L(cal, 2030, 5, 6, H(10, 0));
    assert_int_equal(next_open(cal, t), open);
    assert_int_equal(next_close(cal, open), open + 3600);
    assert_int_equal(add(cal, t, 3600), open + 3600);
    assert_int_equal(svcq_calendar_add(&out, cal, t, 3601), SVCQ_ERANGE);
    assert_int_equal(svcq_calendar_next_open(&out, cal, open + 3600), SVCQ_ENOTFOUND);
    assert_int_equal(diff(cal, t, 253402300799), 3600);
    /* The RT option cannot move a deadline to an opening that never comes. */
    svcq_calendar_options o = SVCQ_CALENDAR_OPTIONS_INIT;
    o.flags = SVCQ_CALENDAR_RT_NEXT_OPENING;
    assert_int_equal(svcq_calendar_set_options(cal, &o), SVCQ_OK);
    assert_int_equal(svcq_calendar_add(&out, cal, t, 3600), SVCQ_ERANGE);
    assert_int_equal(add(cal, t, 1800), open + 1800);
    svcq_calendar_free(cal);
}

static void range_and_arguments(void **state)
{
    (void)state;
    svcq_time lo, hi;
    svcq_calendar_range(&lo, &hi);
    assert_int_equal(lo, -2208988800);
    assert_int_equal(hi, 253402300800);
    svcq_calendar_range(NULL, NULL);
    svcq_calendar *cal;
    assert_int_equal(svcq_calendar_new_24x7(&cal, ctx), SVCQ_OK);
    svcq_time out;
    int64_t d;
    int32_t on;
    assert_int_equal(svcq_calendar_add(&out, cal, lo - 1, 1), SVCQ_ERANGE);
    expect_msg("outside the calendar range");
    assert_int_equal(svcq_calendar_add(&out, cal, hi, 0), SVCQ_ERANGE);
    assert_int_equal(svcq_calendar_add(&out, cal, INT64_MIN, 1), SVCQ_ERANGE);
    assert_int_equal(svcq_calendar_add(&out, cal, INT64_MAX, 1), SVCQ_ERANGE);
    assert_int_equal(add(cal, lo, 0), lo);
    assert_int_equal(add(cal, lo, 10), lo + 10);
    assert_int_equal(add(cal, hi - 10, 9), hi - 1);
    assert_int_equal(svcq_calendar_add(&out, cal, hi - 10, 10), SVCQ_ERANGE);
    expect_msg("past the calendar range");
    assert_int_equal(svcq_calendar_add(&out, cal, lo, INT64_MAX), SVCQ_ERANGE);
    assert_int_equal(svcq_calendar_add(&out, cal, hi - 1, INT64_MAX), SVCQ_ERANGE);
    assert_int_equal(svcq_calendar_add(&out, cal, lo, -1), SVCQ_EINVAL);
    expect_msg("negative");
    assert_int_equal(svcq_calendar_add(&out, cal, lo, INT64_MIN), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_add(NULL, cal, lo, 1), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_add(&out, NULL, lo, 1), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_diff(&d, cal, lo - 1, lo), SVCQ_ERANGE);
    assert_int_equal(svcq_calendar_diff(&d, cal, lo, hi), SVCQ_ERANGE);
    assert_int_equal(svcq_calendar_diff(&d, cal, lo, hi - 1), SVCQ_OK);
    assert_int_equal(d, hi - 1 - lo);
    assert_int_equal(svcq_calendar_diff(NULL, cal, lo, lo), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_diff(&d, NULL, lo, lo), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_is_open(&on, cal, hi), SVCQ_ERANGE);
    assert_int_equal(svcq_calendar_is_open(&on, cal, lo - 1), SVCQ_ERANGE);
    assert_int_equal(svcq_calendar_is_open(NULL, cal, lo), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_is_open(&on, NULL, lo), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_next_open(&out, cal, hi), SVCQ_ERANGE);
    assert_int_equal(svcq_calendar_next_open(NULL, cal, lo), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_next_open(&out, NULL, lo), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_next_close(&out, cal, lo - 1), SVCQ_ERANGE);
    assert_int_equal(svcq_calendar_next_close(NULL, cal, lo), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_next_close(&out, NULL, lo), SVCQ_EINVAL);
    /* Closing the last day: the next opening would be past the range. */
    assert_int_equal(svcq_calendar_set_closed(cal, 9999, 12, 31), SVCQ_OK);
    assert_int_equal(next_close(cal, hi - 2 * 86400), hi - 86400);
    assert_int_equal(svcq_calendar_next_open(&out, cal, hi - 86400), SVCQ_ERANGE);
    assert_int_equal(svcq_calendar_add(&out, cal, hi - 86400 - 1, 2), SVCQ_ERANGE);
    svcq_calendar_free(cal);

    /* A zone east of UTC: the local year 10000 starts before the end of the
     * range, and nothing past the range comes back. */
    cal = cal_in("Pacific/Chatham");
    const int32_t all[2] = { 0, 86400 };
    for (int w = 1; w <= 7; w++)
        assert_int_equal(svcq_calendar_set_weekday(cal, w, all, 1), SVCQ_OK);
    assert_int_equal(add(cal, hi - 100, 99), hi - 1);
    assert_int_equal(svcq_calendar_add(&out, cal, hi - 100, 100), SVCQ_ERANGE);
    assert_int_equal(svcq_calendar_next_close(&out, cal, hi - 100), SVCQ_ERANGE);
    assert_int_equal(add(cal, lo, 100), lo + 100);
    svcq_calendar_free(cal);
}

/* Years far from the present go through the 400-year cycle; the answers
 * must agree with the dense years and with each other. */
static void far_future(void **state)
{
    (void)state;
    svcq_calendar *cal = cal_in("America/New_York");
    const int32_t nine_six[2] = { H(9, 0), H(18, 0) };
    weekdays(cal, nine_six, 1);
    assert_int_equal(svcq_calendar_set_closed(cal, 2025, 12, 25), SVCQ_OK);
    svcq_time start = L(cal, 2025, 6, 2, H(9, 0));
    /* Any week after the exceptions has 45 business hours. */
    const int years[] = { 2026, 2100, 2500, 3000, 4321, 6000, 9999 };
    for (size_t i = 0; i < sizeof(years) / sizeof(years[0]); i++) {
        svcq_time a = L(cal, years[i], 3, 1, 0), b = L(cal, years[i], 3, 29, 0);
        assert_int_equal(diff(cal, a, b), 4 * 45 * 3600);
    }
    /* Long durations come back with diff and end on business time. */
    const int64_t durs[] = { 86400LL * 365, 1000000000LL, 5000000000LL, 12000000000LL };
    for (size_t i = 0; i < sizeof(durs) / sizeof(durs[0]); i++) {
        svcq_time r = add(cal, start, durs[i]);
        assert_int_equal(diff(cal, start, r), durs[i]);
        assert_int_equal(is_open(cal, r - 1), 1);
        assert_int_equal(add(cal, start, durs[i] + 1), next_open(cal, r) + 1);
    }
    /* diff is additive across dense and far years. */
    svcq_time m = L(cal, 3000, 7, 7, H(12, 0)), e = L(cal, 7777, 1, 4, H(15, 30));
    assert_int_equal(diff(cal, start, e), diff(cal, start, m) + diff(cal, m, e));
    /* Business time repeats every 400 years once exceptions are past. */
    const int64_t cycle = 146097LL * 86400;
    svcq_time p = L(cal, 2300, 1, 1, 0), q = L(cal, 5000, 8, 8, H(10, 0));
    assert_int_equal(diff(cal, p, p + cycle), diff(cal, q, q + cycle));
    assert_int_equal(diff(cal, q, q + cycle), 20871LL * 45 * 3600);
    /* Past the range. */
    svcq_time out;
    assert_int_equal(svcq_calendar_add(&out, cal, start, 100000000000LL), SVCQ_ERANGE);
    /* The 7x24 in a DST zone far ahead: March 2500 lost an hour. */
    svcq_calendar *c2 = cal_in("America/New_York");
    const int32_t all[2] = { 0, 86400 };
    for (int w = 1; w <= 7; w++)
        assert_int_equal(svcq_calendar_set_weekday(c2, w, all, 1), SVCQ_OK);
    assert_int_equal(diff(c2, L(c2, 2500, 3, 1, 0), L(c2, 2500, 4, 1, 0)), (31 * 24 - 1) * 3600LL);
    assert_int_equal(diff(c2, L(c2, 8888, 11, 1, 0), L(c2, 8888, 12, 1, 0)), (30 * 24 + 1) * 3600LL);
    svcq_time out2;
    assert_int_equal(svcq_calendar_next_close(&out2, c2, L(c2, 5000, 1, 1, 0)), SVCQ_ENOTFOUND);
    svcq_calendar_free(c2);
    svcq_calendar_free(cal);
}

/* Queries far back, then forward again: the cache grows both ways. */
static void both_directions(void **state)
{
    (void)state;
    svcq_calendar *cal = cal_in("Europe/Berlin");
    const int32_t iv[4] = { H(8, 0), H(12, 0), H(13, 0), H(17, 0) };
    weekdays(cal, iv, 2);
    svcq_time a = L(cal, 2025, 1, 6, 0), b = L(cal, 1900, 1, 8, 0), c = L(cal, 2040, 1, 2, 0);
    int64_t ab = diff(cal, a, b);
    int64_t ac = diff(cal, a, c);
    int64_t bc = diff(cal, b, c);
    assert_int_equal(bc, ac - ab);
    assert_true(ab < 0);
    /* The first week of 1900 (Berlin used LMT until 1893, then CET). */
    assert_int_equal(diff(cal, b, L(cal, 1900, 1, 15, 0)), 5 * 8 * 3600);
    assert_int_equal(add(cal, b, 8 * 3600), L(cal, 1900, 1, 8, H(17, 0)));
    /* Before 1900 UTC is outside the range even if local 1900 began. */
    svcq_time out;
    assert_int_equal(svcq_calendar_add(&out, cal, -2208988801, 0), SVCQ_ERANGE);
    svcq_calendar_free(cal);
}

/* Far years are served from per-year totals of one 400-year cycle (each
 * kind of year computed once) and small spans materialised around the year
 * asked for. The totals must agree with the materialised years: for far
 * years y, B at an instant of y+1 seen from a span starting at y-1 equals B
 * seen from a span starting at y; and a calendar that reaches a year through
 * its dense years agrees with one that jumped there. Zones: northern and
 * southern DST, DST all year, rules with transitions days away from their
 * dates (with day-of-year dates counting Feb 29, the total of a year depends
 * on whether the year before was a leap year: a memo keyed on the year
 * alone fails here), a 45-minute zone. */
static void cycle_consistency(void **state)
{
    (void)state;
    const char *zones[] = { "America/New_York", "Australia/Sydney", "EST5EDT,0/0,J365/25",
                            "AAA3BBB,J1/-100,J365/150", "CCC-2DDD,0/-95,365/145",
                            "Pacific/Chatham" };
    const char *quick = getenv("SVCQ_TEST_QUICK");
    int step = quick && *quick && strcmp(quick, "0") != 0 ? 61 : 7;
    for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
        svcq_tz *tz;
        if (strchr(zones[z], ','))
            assert_int_equal(svcq_tz_from_posix(&tz, ctx, zones[z]), SVCQ_OK);
        else
            tz = zone(zones[z]);
        svcq_calendar *cal, *walk;
        assert_int_equal(svcq_calendar_new(&cal, ctx, tz, NULL), SVCQ_OK);
        svcq_tz_free(tz);
        const int32_t day[4] = { H(0, 30), H(2, 30), H(9, 0), H(17, 0) };
        weekdays(cal, day, 2);
        const int32_t night[2] = { H(21, 0), H(27, 0) };
        assert_int_equal(svcq_calendar_set_weekday(cal, SVCQ_SATURDAY, night, 1), SVCQ_OK);
        assert_int_equal(svcq_calendar_set_closed(cal, 2030, 1, 1), SVCQ_OK);
        assert_int_equal(svcq_calendar_copy(&walk, ctx, cal), SVCQ_OK);
        svcq_time a = L(cal, 2025, 3, 3, 0);
        for (int y = 2200; y < 2600; y += step) {
            svcq_time t = L(cal, y + 1, 6, 15, H(12, 0));
            int64_t d1, d2;
            diff(cal, a, L(cal, y, 6, 1, 0)); /* span [y-1, y+2) */
            d1 = diff(cal, a, t);
            diff(cal, a, L(cal, y + 4, 6, 1, 0)); /* elsewhere */
            diff(cal, a, L(cal, y + 1, 1, 15, 0)); /* span [y, y+3) */
            d2 = diff(cal, a, t);
            if (d1 != d2)
                fail_msg("%s, %d: %lld vs %lld", zones[z], y, (long long)d1, (long long)d2);
        }
        /* Walk the dense years out to 2200 in steps the cache grows by;
         * the other calendar reaches those years through the cycle. */
        for (int y = 2030; y <= 2200; y += 10)
            diff(walk, a, L(walk, y, 1, 1, 0));
        for (int y = 2150; y <= 2199; y += 3) {
            svcq_time t = L(cal, y, 7, 7, H(10, 0));
            assert_int_equal(diff(cal, a, t), diff(walk, a, t));
            assert_int_equal(add(cal, a, diff(cal, a, t)), add(walk, a, diff(walk, a, t)));
        }
        svcq_calendar_free(walk);
        svcq_calendar_free(cal);
    }
}

static void copies(void **state)
{
    (void)state;
    svcq_calendar *cal = cal_in("Asia/Shanghai");
    const int32_t iv[2] = { H(9, 0), H(18, 0) };
    weekdays(cal, iv, 1);
    assert_int_equal(svcq_calendar_set_closed(cal, 2025, 6, 4), SVCQ_OK);
    const int32_t half[2] = { H(9, 0), H(12, 0) };
    assert_int_equal(svcq_calendar_set_date_hours(cal, 2025, 6, 5, half, 1), SVCQ_OK);
    svcq_calendar_options o = SVCQ_CALENDAR_OPTIONS_INIT;
    o.flags = SVCQ_CALENDAR_RT_NEXT_OPENING;
    assert_int_equal(svcq_calendar_set_options(cal, &o), SVCQ_OK);
    svcq_time mon = L(cal, 2025, 6, 2, 0), nmon = L(cal, 2025, 6, 9, 0);
    int64_t before = diff(cal, mon, nmon);
    svcq_calendar *cp;
    assert_int_equal(svcq_calendar_copy(&cp, ctx, cal), SVCQ_OK);
    assert_int_equal(diff(cp, mon, nmon), before);
    assert_int_equal(svcq_calendar_date_count(cp), 2);
    svcq_calendar_options got;
    assert_int_equal(svcq_calendar_get_options(&got, cp), SVCQ_OK);
    assert_int_equal(got.flags, SVCQ_CALENDAR_RT_NEXT_OPENING);
    assert_string_equal(svcq_tz_name(svcq_calendar_tz(cp)), "Asia/Shanghai");
    assert_int_equal(svcq_calendar_clear_date(cp, 2025, 6, 4), SVCQ_OK);
    assert_int_equal(diff(cp, mon, nmon), before + 9 * 3600);
    assert_int_equal(diff(cal, mon, nmon), before);
    svcq_calendar_free(cal);
    assert_int_equal(diff(cp, mon, nmon), before + 9 * 3600);
    svcq_calendar *cp2 = (svcq_calendar *)0x1;
    assert_int_equal(svcq_calendar_copy(&cp2, ctx, NULL), SVCQ_EINVAL);
    assert_null(cp2);
    assert_int_equal(svcq_calendar_copy(NULL, ctx, cp), SVCQ_EINVAL);
    svcq_calendar_free(cp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(options),
        cmocka_unit_test(weekday_errors),
        cmocka_unit_test(date_errors_and_listing),
        cmocka_unit_test(basic_semantics),
        cmocka_unit_test(rt_option),
        cmocka_unit_test(overnight_shifts),
        cmocka_unit_test(dst_gaps_and_overlaps),
        cmocka_unit_test(all_week),
        cmocka_unit_test(never_open),
        cmocka_unit_test(range_and_arguments),
        cmocka_unit_test(far_future),
        cmocka_unit_test(both_directions),
        cmocka_unit_test(cycle_consistency),
        cmocka_unit_test(copies),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
