/* Every failing calendar and zone function writes its own message into the
 * context, naming the calendar (by record id, or by zone when unsaved) or
 * the zone, and the cause. Before each call a known message is left in the
 * context (a failed load of a zone called "Sentinel/Marker"); the call must
 * replace it. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svcq.h"

#ifndef SVCQ_TEST_DATA
#error "SVCQ_TEST_DATA must name the tests/data directory"
#endif
#define ZONEINFO SVCQ_TEST_DATA "/zoneinfo"
#define H(h, m) ((h) * 3600 + (m) * 60)

static svcq_ctx *ctx;

static void sentinel(void)
{
    svcq_tz *tz;
    assert_int_equal(svcq_tz_load(&tz, ctx, "Sentinel/Marker", ZONEINFO), SVCQ_ENOTFOUND);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "Sentinel/Marker"));
}

static void check(int rc, int want, const char *fragment, const char *what)
{
    if (rc != want)
        fail_msg("%s: returned %d, expected %d (%s)", what, rc, want, svcq_ctx_errmsg(ctx));
    const char *m = svcq_ctx_errmsg(ctx);
    if (strstr(m, "Sentinel/Marker"))
        fail_msg("%s: left the previous message in place", what);
    if (!strstr(m, fragment))
        fail_msg("%s: message \"%s\" lacks \"%s\"", what, m, fragment);
}

#define CHECK(call, want, fragment)             \
    do {                                        \
        sentinel();                             \
        check((call), (want), (fragment), #call); \
    } while (0)

static void messages(void **state)
{
    (void)state;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_tz *tz;
    assert_int_equal(svcq_tz_load(&tz, ctx, "Asia/Shanghai", ZONEINFO), SVCQ_OK);
    svcq_calendar *cal, *none = NULL, *all;
    const char *who = "calendar (zone Asia/Shanghai)";
    assert_int_equal(svcq_calendar_new(&cal, ctx, tz, NULL), SVCQ_OK);
    const int32_t iv[2] = { H(9, 0), H(18, 0) };
    for (int d = SVCQ_MONDAY; d <= SVCQ_FRIDAY; d++)
        assert_int_equal(svcq_calendar_set_weekday(cal, d, iv, 1), SVCQ_OK);
    svcq_time t = 0, mon = 1767574800; /* 2026-01-05T09:00+08:00 */
    int64_t d64;
    int32_t i32, y, m, d, k, wd;
    const int32_t *ivp;
    size_t n;
    svcq_calendar_options o = SVCQ_CALENDAR_OPTIONS_INIT;
    char buf[64];

    /* Options. */
    o.version = 99;
    CHECK(svcq_calendar_new(&none, ctx, tz, &o), SVCQ_EVERSION, "new calendar (zone Asia/Shanghai)");
    CHECK(svcq_calendar_set_options(cal, &o), SVCQ_EVERSION, who);
    o.version = SVCQ_CALENDAR_OPTIONS_VERSION;
    o.flags = 0x80;
    CHECK(svcq_calendar_set_options(cal, &o), SVCQ_EINVAL, "unknown option flags 0x80");
    o.flags = 0;
    o.reserved[2] = 1;
    CHECK(svcq_calendar_set_options(cal, &o), SVCQ_EINVAL, "reserved");
    CHECK(svcq_calendar_get_options(NULL, cal), SVCQ_EINVAL, who);

    /* Hours and dates. */
    const int32_t overlap[4] = { H(9, 0), H(12, 0), H(11, 0), H(13, 0) };
    CHECK(svcq_calendar_set_weekday(cal, 8, iv, 1), SVCQ_EINVAL, "weekday 8");
    CHECK(svcq_calendar_set_weekday(cal, 1, overlap, 2), SVCQ_EINVAL,
          "calendar (zone Asia/Shanghai), Monday: intervals 09:00-12:00 and 11:00-13:00 overlap");
    CHECK(svcq_calendar_set_weekday(cal, 1, iv, SVCQ_CALENDAR_MAX_INTERVALS + 1), SVCQ_ELIMIT,
          "Monday");
    const int32_t night[2] = { H(20, 0), H(34, 0) };
    CHECK(svcq_calendar_set_weekday(cal, SVCQ_SUNDAY, night, 1), SVCQ_EINVAL,
          "weekly hours overlap: Sunday 20:00-34:00 runs into Monday");
    CHECK(svcq_calendar_get_weekday(&ivp, NULL, cal, 1), SVCQ_EINVAL, who);
    CHECK(svcq_calendar_get_weekday(&ivp, &n, cal, 0), SVCQ_EINVAL, "weekday 0");
    CHECK(svcq_calendar_set_date_hours(cal, 2026, 2, 30, iv, 1), SVCQ_EINVAL,
          "impossible date 2026-02-30");
    const int32_t reversed[2] = { H(18, 0), H(9, 0) };
    CHECK(svcq_calendar_set_date_hours(cal, 2026, 2, 3, reversed, 1), SVCQ_EINVAL,
          "calendar (zone Asia/Shanghai), 2026-02-03: interval 0");
    CHECK(svcq_calendar_set_closed(cal, 1899, 12, 31), SVCQ_EINVAL, "impossible date");
    CHECK(svcq_calendar_set_date_like(cal, 2026, 2, 7, 9), SVCQ_EINVAL, "weekday 9");
    CHECK(svcq_calendar_clear_date(cal, 2026, 2, 7), SVCQ_ENOTFOUND, "no exception on 2026-02-07");
    CHECK(svcq_calendar_date_at(&y, &m, &d, &k, &wd, &ivp, &n, cal, 0), SVCQ_ERANGE,
          "exception index 0");
    CHECK(svcq_calendar_date_at(&y, &m, NULL, &k, &wd, &ivp, &n, cal, 0), SVCQ_EINVAL, who);

    /* Operations. */
    CHECK(svcq_calendar_add(&t, cal, mon, -5), SVCQ_EINVAL, "negative duration");
    CHECK(svcq_calendar_add(&t, cal, -2208988801, 5), SVCQ_ERANGE,
          "calendar (zone Asia/Shanghai): instant -2208988801 is outside the calendar range");
    CHECK(svcq_calendar_add(&t, cal, mon, INT64_MAX / 2), SVCQ_ERANGE, who);
    CHECK(svcq_calendar_diff(&d64, cal, mon, 253402300800), SVCQ_ERANGE, who);
    CHECK(svcq_calendar_is_open(&i32, cal, 253402300800), SVCQ_ERANGE, who);
    CHECK(svcq_calendar_next_open(&t, cal, -2208988801), SVCQ_ERANGE, who);
    CHECK(svcq_calendar_add_days(&t, cal, mon, -1), SVCQ_EINVAL, "negative number of business days");
    CHECK(svcq_calendar_add_days(&t, cal, 253402300800, 1), SVCQ_ERANGE, who);
    CHECK(svcq_calendar_copy(&none, ctx, NULL), SVCQ_EINVAL, "svcq_calendar_copy: NULL calendar");

    /* A calendar that never opens, one that never closes. */
    assert_int_equal(svcq_calendar_new(&none, ctx, tz, NULL), SVCQ_OK);
    CHECK(svcq_calendar_next_open(&t, none, mon), SVCQ_ENOTFOUND,
          "calendar (zone Asia/Shanghai): never opens after Mon 2026-01-05T09:00:00+08:00");
    CHECK(svcq_calendar_add(&t, none, mon, 60), SVCQ_ERANGE, "never opens again");
    CHECK(svcq_calendar_add_days(&t, none, mon, 1), SVCQ_ERANGE, "never opens after");
    assert_int_equal(svcq_calendar_new_24x7(&all, ctx), SVCQ_OK);
    CHECK(svcq_calendar_next_close(&t, all, mon), SVCQ_ENOTFOUND,
          "calendar (zone UTC): never closes after Mon 2026-01-05T01:00:00+00:00");

    /* JSON and the store: after a save the record id names the calendar. */
    svcq_buffer *b;
    assert_int_equal(svcq_buffer_new(&b, ctx), SVCQ_OK);
    svcq_writer w;
    assert_int_equal(svcq_writer_to_buffer(&w, b), SVCQ_OK);
    CHECK(svcq_calendar_export_json(cal, &w, 0x40), SVCQ_EINVAL, "unknown flags 0x40");
    CHECK(svcq_calendar_delete(cal), SVCQ_ESTATE, "calendar (zone Asia/Shanghai) was never saved");
    CHECK(svcq_calendar_save(cal, NULL), SVCQ_EINVAL, "NULL id");
    assert_int_equal(svcq_calendar_save(cal, "support-cn"), SVCQ_OK);
    CHECK(svcq_calendar_add_days(&t, cal, mon, -3), SVCQ_EINVAL, "calendar support-cn: negative");
    CHECK(svcq_calendar_set_weekday(cal, 1, overlap, 2), SVCQ_EINVAL, "calendar support-cn, Monday");
    CHECK(svcq_calendar_diff(&d64, cal, -2208988801, mon), SVCQ_ERANGE, "calendar support-cn:");
    svcq_buffer_free(b);

    /* Zones. */
    CHECK(svcq_tz_local_to_utc(&t, tz, 2026, 13, 1, 0), SVCQ_EINVAL,
          "zone Asia/Shanghai: impossible local time");
    CHECK(svcq_tz_local_to_utc(NULL, tz, 2026, 1, 1, 0), SVCQ_EINVAL, "Asia/Shanghai");
    CHECK(svcq_tz_utc_to_local(&y, &m, &d, &i32, tz, INT64_MAX), SVCQ_ERANGE,
          "zone Asia/Shanghai: instant");
    CHECK(svcq_tz_format(buf, sizeof(buf), &n, tz, mon, 0x100), SVCQ_EINVAL, "Asia/Shanghai");
    CHECK(svcq_tz_format(buf, 4, &n, tz, mon, 0), SVCQ_ELIMIT, "Asia/Shanghai");
    CHECK(svcq_tz_format(buf, sizeof(buf), &n, tz, INT64_MIN, 0), SVCQ_ERANGE, "zone Asia/Shanghai");
    CHECK(svcq_calendar_format(buf, sizeof(buf), &n, cal, INT64_MAX, 0), SVCQ_ERANGE,
          "zone Asia/Shanghai");
    svcq_tz *tz2;
    CHECK(svcq_tz_fixed(&tz2, ctx, 90000), SVCQ_EINVAL, "90000");
    CHECK(svcq_tz_from_posix(&tz2, ctx, "XYZ"), SVCQ_EPARSE, "XYZ");
    CHECK(svcq_tz_from_tzif(&tz2, ctx, "TZif", 4, "Broken/Zone"), SVCQ_ECORRUPT, "zone Broken/Zone: TZif");

    svcq_calendar_free(none);
    svcq_calendar_free(all);
    svcq_calendar_free(cal);
    svcq_tz_free(tz);
    svcq_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
