/* libFuzzer target for the TZif reader (svcq_tz_from_tzif) and for what a
 * parsed zone drives: offset lookups anywhere, local-to-UTC resolution, and
 * a business calendar in the zone. Besides memory and UB errors it traps on
 * broken invariants: local_to_utc must return the earliest instant whose
 * wall clock shows the time or later, and add/diff must agree. Seed corpus:
 * real zoneinfo files and damaged copies (make_tzif_corpus.py). */
#include <stddef.h>
#include <stdint.h>

#include "svcq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    svcq_ctx *ctx;
    if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
        return 0;
    svcq_tz *tz;
    if (svcq_tz_from_tzif(&tz, ctx, data, size, "fuzz") != SVCQ_OK) {
        svcq_ctx_free(ctx);
        return 0;
    }
    static const int64_t probes[] = { INT64_MIN, -5000000000000, -2208988800, 0, 1735689600,
                                      2147483647, 4102444800, 253402300799, INT64_MAX };
    for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
        int32_t off, dst;
        const char *abbr;
        check(svcq_tz_lookup(&off, &dst, &abbr, tz, probes[i]) == SVCQ_OK);
        check(off >= -89999 && off <= 93599 && (dst == 0 || dst == 1) && abbr != 0);
    }
    /* Local times: the result shows that time or later, and is the earliest
     * such instant. */
    static const int32_t dates[][4] = { { 1900, 1, 1, 0 },     { 1970, 1, 1, 3600 },
                                        { 2025, 3, 30, 9000 }, { 2025, 10, 26, 9000 },
                                        { 2099, 12, 31, 86399 } };
    for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
        svcq_time t;
        check(svcq_tz_local_to_utc(&t, tz, dates[i][0], dates[i][1], dates[i][2], dates[i][3]) ==
              SVCQ_OK);
        int32_t y, m, d, sod, y1, m1, d1, sod1;
        check(svcq_tz_utc_to_local(&y, &m, &d, &sod, tz, t) == SVCQ_OK);
        check(svcq_tz_utc_to_local(&y1, &m1, &d1, &sod1, tz, t - 1) == SVCQ_OK);
        int64_t want = (int64_t)dates[i][0] * 372 * 86400 + ((int64_t)dates[i][1] * 31 + dates[i][2]) * 86400 + dates[i][3];
        int64_t got = (int64_t)y * 372 * 86400 + ((int64_t)m * 31 + d) * 86400 + sod;
        int64_t before = (int64_t)y1 * 372 * 86400 + ((int64_t)m1 * 31 + d1) * 86400 + sod1;
        check(got >= want);
        check(before < want);
    }
    /* A calendar in the zone: weekdays with a lunch break and a night shift. */
    svcq_calendar *cal;
    if (svcq_calendar_new(&cal, ctx, tz, NULL) == SVCQ_OK) {
        const int32_t day[4] = { 9 * 3600, 12 * 3600, 13 * 3600, 18 * 3600 };
        const int32_t night[2] = { 22 * 3600, 30 * 3600 };
        int ok = 1;
        for (int w = 1; w <= 5; w++)
            ok &= svcq_calendar_set_weekday(cal, w, day, 2) == SVCQ_OK;
        ok &= svcq_calendar_set_weekday(cal, 6, night, 1) == SVCQ_OK;
        check(ok);
        const svcq_time a = 1735689600, b = 1767225600; /* 2025 */
        int64_t d;
        check(svcq_calendar_diff(&d, cal, a, b) == SVCQ_OK);
        check(d >= 0 && d <= b - a);
        svcq_time r;
        if (d > 0) {
            check(svcq_calendar_add(&r, cal, a, d) == SVCQ_OK);
            check(r <= b);
            int64_t d2;
            check(svcq_calendar_diff(&d2, cal, a, r) == SVCQ_OK);
            check(d2 == d);
        }
        int32_t on;
        check(svcq_calendar_is_open(&on, cal, a + 12345) == SVCQ_OK);
        svcq_time o;
        int rc = svcq_calendar_next_open(&o, cal, a);
        check(rc == SVCQ_OK || rc == SVCQ_ENOTFOUND || rc == SVCQ_ERANGE);
        if (rc == SVCQ_OK)
            check(o >= a);
        svcq_calendar_free(cal);
    }
    svcq_tz_free(tz);
    svcq_ctx_free(ctx);
    return 0;
}
