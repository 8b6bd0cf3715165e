/* svcq_tz_format and svcq_calendar_format against an independent oracle:
 * the zdump output in tests/data/zdump (made by the system's zdump from the
 * same TZif files). Each zdump line gives an instant in UT and the local
 * date, time, weekday, abbreviation and offset there: the second before and
 * the second of every transition from 1800 to 2101, so every DST edge of
 * every fixture zone (negative offsets with minutes in St. John's, +12:45
 * and +13:45 on the Chatham Islands, 1884 local mean time with seconds) is
 * checked. The instant is computed from the UT fields with the C library's
 * timegm, the expected text is assembled here with snprintf. */
#define _DEFAULT_SOURCE /* timegm */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "svcq.h"
#include "test_ctx.h"

#ifndef SVCQ_TEST_DATA
#error "SVCQ_TEST_DATA must name the tests/data directory"
#endif
#define ZONEINFO SVCQ_TEST_DATA "/zoneinfo"

static svcq_tz *zone(const char *name)
{
    svcq_tz *tz;
    if (svcq_tz_load(&tz, ctx, name, ZONEINFO) != SVCQ_OK)
        fail_msg("%s: %s", name, svcq_ctx_errmsg(ctx));
    return tz;
}

static int month_of(const char *m)
{
    static const char *const names[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    for (int i = 0; i < 12; i++)
        if (strcmp(m, names[i]) == 0)
            return i + 1;
    fail_msg("month %s", m);
    return 0;
}

static void offset_text(char *out, size_t size, long off, int z)
{
    off %= 100000; /* zdump's offsets are within a day; this bounds the text */
    if (off == 0 && z) {
        snprintf(out, size, "Z");
        return;
    }
    long a = off < 0 ? -off : off;
    if (a % 60)
        snprintf(out, size, "%c%02ld:%02ld:%02ld", off < 0 ? '-' : '+', a / 3600, a / 60 % 60,
                 a % 60);
    else
        snprintf(out, size, "%c%02ld:%02ld", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

static const char *const zones[] = {
    "Africa/Casablanca", "America/New_York", "America/Nuuk", "America/Santiago",
    "America/Sao_Paulo", "America/St_Johns", "Antarctica/Troll", "Asia/Jerusalem",
    "Asia/Kathmandu", "Asia/Kolkata", "Asia/Shanghai", "Australia/Lord_Howe",
    "Australia/Sydney", "Europe/Berlin", "Europe/Dublin", "Europe/London",
    "Pacific/Apia", "Pacific/Chatham", "UTC",
};

static void against_zdump(void **state)
{
    (void)state;
    size_t checked = 0;
    for (size_t zi = 0; zi < sizeof(zones) / sizeof(zones[0]); zi++) {
        char path[512], file[128];
        snprintf(file, sizeof(file), "%s", zones[zi]);
        for (char *p = file; *p; p++)
            if (*p == '/')
                *p = '_';
        snprintf(path, sizeof(path), SVCQ_TEST_DATA "/zdump/%s.txt", file);
        FILE *f = fopen(path, "r");
        if (!f)
            fail_msg("cannot open %s", path);
        svcq_tz *tz = zone(zones[zi]);
        char line[512];
        while (fgets(line, sizeof(line), f)) {
            if (strstr(line, "NULL"))
                continue;
            char uwd[4], umon[4], lwd[4], lmon[4], abbr[32];
            int ud, uh, umi, us, uy, ld, lh, lmi, ls, ly, dst;
            long off;
            int k = sscanf(line, "%*s %3s %3s %d %d:%d:%d %d UT = %3s %3s %d %d:%d:%d %d %31s "
                                 "isdst=%d gmtoff=%ld",
                           uwd, umon, &ud, &uh, &umi, &us, &uy, lwd, lmon, &ld, &lh, &lmi, &ls,
                           &ly, abbr, &dst, &off);
            if (k != 17)
                fail_msg("%s: cannot parse %s", path, line);
            struct tm tm = { 0 };
            tm.tm_year = uy - 1900;
            tm.tm_mon = month_of(umon) - 1;
            tm.tm_mday = ud;
            tm.tm_hour = uh;
            tm.tm_min = umi;
            tm.tm_sec = us;
            svcq_time t = (svcq_time)timegm(&tm);
            char ofs[64], want[160], got[128];
            offset_text(ofs, sizeof(ofs), off, 0);
            snprintf(want, sizeof(want), "%s %04d-%02d-%02dT%02d:%02d:%02d%s %s", lwd, ly,
                     month_of(lmon), ld, lh, lmi, ls, ofs, abbr);
            size_t need = 0;
            int rc = svcq_tz_format(got, sizeof(got), &need, tz, t,
                                    SVCQ_TIME_FORMAT_WEEKDAY | SVCQ_TIME_FORMAT_ABBREVIATION);
            if (rc != SVCQ_OK || strcmp(got, want) != 0 || need != strlen(want))
                fail_msg("%s at %lld: got %s (rc %d), zdump says %s", zones[zi], (long long)t,
                         got, rc, want);
            /* The plain form, and "Z" where the offset is zero. */
            offset_text(ofs, sizeof(ofs), off, 1);
            snprintf(want, sizeof(want), "%04d-%02d-%02d %02d:%02d%s", ly, month_of(lmon), ld,
                     lh, lmi, ofs);
            assert_int_equal(svcq_tz_format(got, sizeof(got), NULL, tz, t,
                                             SVCQ_TIME_FORMAT_NO_SECONDS |
                                                 SVCQ_TIME_FORMAT_SPACE | SVCQ_TIME_FORMAT_UTC_Z),
                             SVCQ_OK);
            if (strcmp(got, want) != 0)
                fail_msg("%s at %lld: got %s, want %s", zones[zi], (long long)t, got, want);
            checked++;
        }
        fclose(f);
        svcq_tz_free(tz);
    }
    assert_true(checked > 5000);
}

static void fmt(char *out, size_t size, const svcq_tz *tz, svcq_time t, uint32_t flags)
{
    size_t need = 0;
    int rc = svcq_tz_format(out, size, &need, tz, t, flags);
    if (rc != SVCQ_OK)
        fail_msg("format %lld: %d %s", (long long)t, rc, svcq_ctx_errmsg(ctx));
    assert_int_equal(need, strlen(out));
}

static void examples(void **state)
{
    (void)state;
    char b[96];
    svcq_tz *sh = zone("Asia/Shanghai"), *sj = zone("America/St_Johns"),
            *ch = zone("Pacific/Chatham"), *be = zone("Europe/Berlin"),
            *ny = zone("America/New_York"), *utc;
    assert_int_equal(svcq_tz_fixed(&utc, ctx, 0), SVCQ_OK);
    /* 2026-01-09T08:30:00Z */
    const svcq_time t = 1767947400;
    fmt(b, sizeof(b), sh, t, 0);
    assert_string_equal(b, "2026-01-09T16:30:00+08:00");
    fmt(b, sizeof(b), sh, t, SVCQ_TIME_FORMAT_WEEKDAY | SVCQ_TIME_FORMAT_NO_SECONDS);
    assert_string_equal(b, "Fri 2026-01-09T16:30+08:00");
    fmt(b, sizeof(b), utc, t, SVCQ_TIME_FORMAT_UTC_Z);
    assert_string_equal(b, "2026-01-09T08:30:00Z");
    fmt(b, sizeof(b), utc, t, 0);
    assert_string_equal(b, "2026-01-09T08:30:00+00:00");
    fmt(b, sizeof(b), sj, t, SVCQ_TIME_FORMAT_ABBREVIATION);
    assert_string_equal(b, "2026-01-09T05:00:00-03:30 NST");
    fmt(b, sizeof(b), ch, t, 0); /* summer: +13:45 */
    assert_string_equal(b, "2026-01-09T22:15:00+13:45");
    fmt(b, sizeof(b), ch, t + 180 * 86400, 0); /* winter: +12:45 */
    assert_string_equal(b, "2026-07-08T21:15:00+12:45");
    /* A fall-back overlap: the same reading twice, told apart by the
     * offset. New York, 2025-11-02 01:30 EDT then EST. */
    fmt(b, sizeof(b), ny, 1762061400, SVCQ_TIME_FORMAT_ABBREVIATION);
    assert_string_equal(b, "2025-11-02T01:30:00-04:00 EDT");
    fmt(b, sizeof(b), ny, 1762061400 + 3600, SVCQ_TIME_FORMAT_ABBREVIATION);
    assert_string_equal(b, "2025-11-02T01:30:00-05:00 EST");
    /* The ends of the calendar range and of four-digit years. */
    fmt(b, sizeof(b), be, -2208988800, SVCQ_TIME_FORMAT_WEEKDAY);
    assert_string_equal(b, "Mon 1900-01-01T01:00:00+01:00");
    fmt(b, sizeof(b), utc, 253402300799, SVCQ_TIME_FORMAT_WEEKDAY | SVCQ_TIME_FORMAT_UTC_Z);
    assert_string_equal(b, "Fri 9999-12-31T23:59:59Z");
    fmt(b, sizeof(b), sh, 253402300799 - 8 * 3600, 0);
    assert_string_equal(b, "9999-12-31T23:59:59+08:00");
    fmt(b, sizeof(b), ny, 253386446400, SVCQ_TIME_FORMAT_ABBREVIATION); /* 9999-07-01T12:00Z */
    assert_string_equal(b, "9999-07-01T08:00:00-04:00 EDT");
    fmt(b, sizeof(b), utc, -62135596800, 0);
    assert_string_equal(b, "0001-01-01T00:00:00+00:00");
    size_t need = 99;
    assert_int_equal(svcq_tz_format(b, sizeof(b), &need, sh, 253402300799 - 8 * 3600 + 1, 0),
                     SVCQ_ERANGE);
    assert_int_equal(need, 0);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "Asia/Shanghai"));
    assert_int_equal(svcq_tz_format(b, sizeof(b), &need, utc, -62135596801, 0), SVCQ_ERANGE);
    assert_int_equal(svcq_tz_format(b, sizeof(b), &need, utc, INT64_MIN, 0), SVCQ_ERANGE);
    assert_int_equal(svcq_tz_format(b, sizeof(b), &need, utc, INT64_MAX, 0), SVCQ_ERANGE);
    svcq_tz_free(sh);
    svcq_tz_free(sj);
    svcq_tz_free(ch);
    svcq_tz_free(be);
    svcq_tz_free(ny);
    svcq_tz_free(utc);
}

static void buffers_and_errors(void **state)
{
    (void)state;
    svcq_tz *sj = zone("America/St_Johns");
    const svcq_time t = 1767947400;
    const char *full = "Fri 2026-01-09T05:00:00-03:30 NST";
    const uint32_t fl = SVCQ_TIME_FORMAT_WEEKDAY | SVCQ_TIME_FORMAT_ABBREVIATION;
    /* Asking for the length first, as a binding does. */
    size_t need = 0;
    assert_int_equal(svcq_tz_format(NULL, 0, &need, sj, t, fl), SVCQ_ELIMIT);
    assert_int_equal(need, strlen(full));
    /* Every size too small: ELIMIT, a NUL-terminated prefix, the length. */
    for (size_t size = 1; size <= strlen(full); size++) {
        char b[64];
        memset(b, 'x', sizeof(b));
        need = 0;
        assert_int_equal(svcq_tz_format(b, size, &need, sj, t, fl), SVCQ_ELIMIT);
        assert_int_equal(need, strlen(full));
        assert_int_equal(strlen(b), size - 1);
        assert_memory_equal(b, full, size - 1);
        assert_int_equal(b[size], 'x'); /* nothing written past the buffer */
        assert_non_null(strstr(svcq_ctx_errmsg(ctx), "America/St_Johns"));
    }
    char b[64];
    assert_int_equal(svcq_tz_format(b, strlen(full) + 1, &need, sj, t, fl), SVCQ_OK);
    assert_string_equal(b, full);
    /* Bad arguments. */
    assert_int_equal(svcq_tz_format(b, sizeof(b), &need, NULL, t, 0), SVCQ_EINVAL);
    assert_int_equal(need, 0);
    assert_int_equal(svcq_tz_format(NULL, 8, &need, sj, t, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_tz_format(b, sizeof(b), &need, sj, t, 0x20), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "unknown flags 0x20"));
    /* The calendar's shortcut. */
    svcq_calendar *cal;
    assert_int_equal(svcq_calendar_new(&cal, ctx, sj, NULL), SVCQ_OK);
    assert_int_equal(svcq_calendar_format(b, sizeof(b), &need, cal, t, fl), SVCQ_OK);
    assert_string_equal(b, full);
    assert_int_equal(svcq_calendar_format(b, sizeof(b), &need, NULL, t, fl), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_format(b, 4, &need, cal, t, fl), SVCQ_ELIMIT);
    assert_string_equal(b, "Fri");
    svcq_calendar_free(cal);
    svcq_tz_free(sj);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(against_zdump),
        cmocka_unit_test(examples),
        cmocka_unit_test(buffers_and_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
