/* svcq_calendar_add_days: the examples of its documentation, errors, and a
 * property test against an independent oracle.
 *
 * The oracle shares no code with the library. It keeps the calendar's rules
 * as a plain table, learns the zone's offsets from the C library
 * (localtime_r with TZ pointed at the same TZif file: hourly samples refined
 * to the second), maps a local time to an instant by searching those
 * segments, and then follows the documented definition literally: it finds
 * the anchor by testing the real spans of the days around, steps whole
 * local days one at a time counting those whose own intervals keep a
 * business second, and places the result on the last of them. Random
 * calendars in Berlin, New York, Apia (a skipped day), Lord Howe (30-minute
 * DST) and Shanghai have lunch breaks, overnight shifts, holidays, special
 * hours, adjusted working weekends and intervals that lie inside a DST gap.
 * Set SVCQ_TEST_QUICK=1 for a short run. */
#define _DEFAULT_SOURCE
#define _XOPEN_SOURCE 700
#include <stdarg.h>
#include <stdbool.h>
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
#define H(h, m) ((h) * 3600 + (m) * 60)
#define DAY 86400
#define MAXI 6
#define MAXD 160

/* ---- the rules, as a plain table ---------------------------------------- */

enum { CLOSED = 1, HOURS = 2, LIKE = 3 };

typedef struct rdate {
    int64_t day; /* local day number (days since 1970-01-01) */
    int kind, like;
    int32_t iv[2 * MAXI];
    int n;
} rdate;

typedef struct rules {
    const char *zone;
    int32_t week[7][2 * MAXI]; /* Monday first */
    int nweek[7];
    rdate dates[MAXD];
    int ndates;
} rules;

static int64_t day_of(int y, int m, int d)
{
    struct tm tm = { 0 };
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    return (int64_t)timegm(&tm) / DAY;
}

static const int32_t *rules_of_day(const rules *r, int64_t day, int *n)
{
    for (int i = 0; i < r->ndates; i++) {
        if (r->dates[i].day != day)
            continue;
        const rdate *d = &r->dates[i];
        if (d->kind == CLOSED) {
            *n = 0;
            return NULL;
        }
        if (d->kind == LIKE) {
            *n = r->nweek[d->like - 1];
            return r->week[d->like - 1];
        }
        *n = d->n;
        return d->iv;
    }
    time_t t = (time_t)(day * DAY);
    struct tm tm;
    gmtime_r(&t, &tm);
    int wd = tm.tm_wday == 0 ? 6 : tm.tm_wday - 1;
    *n = r->nweek[wd];
    return r->week[wd];
}

/* ---- the zone, from the C library ---------------------------------------- */

typedef struct zone_tab {
    int64_t *start; /* segment i is [start[i], start[i + 1]) */
    long *off;
    size_t n;
} zone_tab;

static long off_at(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    return tm.tm_gmtoff;
}

static void zone_build(zone_tab *z, const char *name, int64_t w0, int64_t w1)
{
    char tzv[512];
    snprintf(tzv, sizeof(tzv), ":" ZONEINFO "/%s", name);
    setenv("TZ", tzv, 1);
    tzset();
    size_t cap = 256;
    z->start = malloc(cap * sizeof(int64_t));
    z->off = malloc(cap * sizeof(long));
    z->n = 1;
    z->start[0] = INT64_MIN / 2;
    z->off[0] = off_at(w0);
    long prev = z->off[0];
    for (int64_t t = w0; t < w1; t += 3600) {
        long o = off_at(t + 3600);
        if (o == prev)
            continue;
        int64_t lo = t, hi = t + 3600; /* off(lo) == prev, off(hi) == o */
        while (hi - lo > 1) {
            int64_t mid = lo + (hi - lo) / 2;
            if (off_at(mid) == prev)
                lo = mid;
            else
                hi = mid;
        }
        if (z->n == cap) {
            cap *= 2;
            z->start = realloc(z->start, cap * sizeof(int64_t));
            z->off = realloc(z->off, cap * sizeof(long));
        }
        z->start[z->n] = hi;
        z->off[z->n] = o;
        z->n++;
        prev = o;
    }
    unsetenv("TZ");
    tzset();
}

static void zone_free(zone_tab *z)
{
    free(z->start);
    free(z->off);
}

static size_t seg_of(const zone_tab *z, int64_t t)
{
    size_t lo = 0, hi = z->n; /* last segment starting at or before t */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->start[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static int64_t seg_end(const zone_tab *z, size_t i)
{
    return i + 1 < z->n ? z->start[i + 1] : INT64_MAX / 2;
}

/* The earliest instant whose wall-clock reading is L or later. */
static int64_t o_resolve(const zone_tab *z, int64_t L)
{
    for (size_t i = seg_of(z, L - 2 * DAY);; i++) {
        int64_t c = L - z->off[i];
        if (c < z->start[i])
            c = z->start[i];
        if (c < seg_end(z, i))
            return c;
    }
}

/* The highest wall-clock reading at or before t. */
static int64_t o_reading(const zone_tab *z, int64_t t)
{
    int64_t m = INT64_MIN;
    for (size_t i = seg_of(z, t - 3 * DAY); i < z->n && z->start[i] <= t; i++) {
        int64_t last = seg_end(z, i) - 1 < t ? seg_end(z, i) - 1 : t;
        if (last + z->off[i] > m)
            m = last + z->off[i];
    }
    return m;
}

/* ---- the oracle ---------------------------------------------------------- */

/* The real spans of the day's own intervals that keep a business second. */
static int spans(const rules *r, const zone_tab *z, int64_t day, int64_t *ra, int64_t *rb)
{
    int n, k = 0;
    const int32_t *iv = rules_of_day(r, day, &n);
    for (int i = 0; i < n; i++) {
        int64_t a = o_resolve(z, day * DAY + iv[2 * i]), b = o_resolve(z, day * DAY + iv[2 * i + 1]);
        if (b > a) {
            ra[k] = a;
            rb[k] = b;
            k++;
        }
    }
    return k;
}

static int64_t local_day(const zone_tab *z, int64_t t)
{
    int64_t l = t + z->off[seg_of(z, t)];
    return l >= 0 ? l / DAY : -((-l + DAY - 1) / DAY);
}

/* The latest day whose own span holds t, or INT64_MIN. */
static int64_t owner(const rules *r, const zone_tab *z, int64_t t)
{
    int64_t dl = local_day(z, t);
    for (int64_t d = dl + 1; d >= dl - 2; d--) {
        int64_t ra[MAXI], rb[MAXI];
        int n = spans(r, z, d, ra, rb);
        for (int i = 0; i < n; i++)
            if (ra[i] <= t && t < rb[i])
                return d;
    }
    return INT64_MIN;
}

static int64_t o_add_days(const rules *r, const zone_tab *z, int64_t s, int days)
{
    int64_t a = s;
    if (owner(r, z, s) == INT64_MIN) {
        a = INT64_MAX;
        int64_t dl = local_day(z, s);
        for (int64_t d = dl - 2; d < dl + 400; d++) {
            int64_t ra[MAXI], rb[MAXI];
            int n = spans(r, z, d, ra, rb);
            for (int i = 0; i < n; i++)
                if (ra[i] > s && ra[i] < a)
                    a = ra[i];
            if (a != INT64_MAX && d > local_day(z, a) + 2)
                break;
        }
        assert_true(a != INT64_MAX);
    }
    if (days == 0)
        return a;
    int64_t d0 = owner(r, z, a);
    assert_true(d0 != INT64_MIN);
    int64_t w = o_reading(z, a) - d0 * DAY;
    int64_t d = d0, ra[MAXI], rb[MAXI];
    int n = 0;
    for (int left = days; left > 0;) {
        d++;
        n = spans(r, z, d, ra, rb);
        if (n > 0)
            left--;
    }
    int64_t t = o_resolve(z, d * DAY + w), res;
    bool in = false;
    for (int i = 0; i < n; i++)
        in |= ra[i] <= t && t < rb[i];
    if (in) {
        res = t;
    } else if (t < ra[0]) {
        res = ra[0];
    } else {
        res = INT64_MIN;
        for (int i = 0; i < n; i++)
            if (rb[i] <= t && rb[i] > res)
                res = rb[i];
    }
    return res < a ? a : res;
}

/* ---- random calendars ----------------------------------------------------- */

static uint64_t rng;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

/* Random sorted, disjoint intervals within a day (ends up to 30:00 when
 * overnight). */
static int random_list(int32_t *iv, bool overnight)
{
    static const int32_t shapes[][2 * 3] = {
        { H(9, 0), H(17, 0) },
        { H(9, 0), H(12, 0), H(13, 0), H(18, 0) },
        { H(8, 30), H(12, 0), H(12, 45), H(17, 30) },
        { H(2, 15), H(2, 45) }, /* inside a DST gap on change days */
        { H(1, 30), H(3, 30), H(10, 0), H(16, 0) },
        { H(7, 0), H(11, 0), H(14, 0), H(19, 0), H(20, 0), H(23, 0) },
        { H(0, 0), H(24, 0) },
    };
    static const int nshape[] = { 1, 2, 2, 1, 2, 3, 1 };
    if (overnight) {
        iv[0] = H(22, 0);
        iv[1] = H(30, 0);
        return 1;
    }
    int k = (int)rnd(7);
    memcpy(iv, shapes[k], sizeof(int32_t) * 2 * (size_t)nshape[k]);
    return nshape[k];
}

static bool make_calendar(rules *r, svcq_calendar **out, int64_t y0, int64_t y1,
                          const zone_tab *z)
{
    memset(r->week, 0, sizeof(r->week));
    /* Monday to Friday usually open; the weekend sometimes; one overnight
     * weekday sometimes (the next day then closed, so the week does not
     * overlap). */
    for (int i = 0; i < 7; i++)
        r->nweek[i] = (i < 5 ? rnd(8) != 0 : rnd(4) == 0) ? random_list(r->week[i], false) : 0;
    if (rnd(3) == 0) {
        int i = (int)rnd(7);
        r->nweek[i] = random_list(r->week[i], true);
        r->nweek[(i + 1) % 7] = 0;
    }
    r->ndates = 0;
    int64_t da = day_of((int)y0, 1, 1), db = day_of((int)y1, 1, 1);
    int want = 10 + (int)rnd(80);
    /* Some exceptions on the days of forward DST changes. */
    for (size_t i = 1; i < z->n && r->ndates < MAXD / 2; i++) {
        if (z->off[i] <= z->off[i - 1] || rnd(2))
            continue;
        int64_t day = (z->start[i] + z->off[i - 1]) / DAY;
        if (day < da || day >= db)
            continue;
        rdate *d = &r->dates[r->ndates];
        d->day = day;
        d->kind = HOURS;
        d->like = 0;
        d->n = random_list(d->iv, false);
        bool dup = false;
        for (int j = 0; j < r->ndates; j++)
            dup |= r->dates[j].day == day;
        if (!dup)
            r->ndates++;
    }
    while (r->ndates < want && r->ndates < MAXD) {
        rdate *d = &r->dates[r->ndates];
        d->day = da + (int64_t)rnd((uint32_t)(db - da));
        bool dup = false;
        for (int j = 0; j < r->ndates; j++)
            dup |= r->dates[j].day == d->day;
        if (dup)
            continue;
        int k = (int)rnd(10);
        d->kind = k < 5 ? CLOSED : k < 8 ? LIKE : HOURS;
        d->like = 1 + (int)rnd(5);
        d->n = d->kind == HOURS ? random_list(d->iv, rnd(4) == 0) : 0;
        r->ndates++;
    }
    svcq_tz *tz;
    assert_int_equal(svcq_tz_load(&tz, ctx, r->zone, ZONEINFO), SVCQ_OK);
    svcq_calendar *cal;
    assert_int_equal(svcq_calendar_new(&cal, ctx, tz, NULL), SVCQ_OK);
    svcq_tz_free(tz);
    for (int i = 0; i < 7; i++)
        if (svcq_calendar_set_weekday(cal, i + 1, r->week[i], (size_t)r->nweek[i]) != SVCQ_OK) {
            svcq_calendar_free(cal);
            return false;
        }
    for (int i = 0; i < r->ndates; i++) {
        const rdate *d = &r->dates[i];
        time_t t = (time_t)(d->day * DAY);
        struct tm tm;
        gmtime_r(&t, &tm);
        int y = tm.tm_year + 1900, m = tm.tm_mon + 1, dd = tm.tm_mday, rc;
        if (d->kind == CLOSED)
            rc = svcq_calendar_set_closed(cal, y, m, dd);
        else if (d->kind == LIKE)
            rc = svcq_calendar_set_date_like(cal, y, m, dd, d->like);
        else
            rc = svcq_calendar_set_date_hours(cal, y, m, dd, d->iv, (size_t)d->n);
        assert_int_equal(rc, SVCQ_OK);
    }
    *out = cal;
    return true;
}

static bool quick(void)
{
    const char *q = getenv("SVCQ_TEST_QUICK");
    return q && *q && *q != '0';
}

static void property(void **state)
{
    (void)state;
    static const struct {
        const char *zone;
        int y0, y1; /* years of starts, of rules */
    } zs[] = {
        { "Europe/Berlin", 2024, 2026 },    { "America/New_York", 2006, 2008 },
        { "Pacific/Apia", 2011, 2012 },     { "Australia/Lord_Howe", 2030, 2032 },
        { "Asia/Shanghai", 1990, 1992 },
    };
    int calendars = quick() ? 6 : 60, per = quick() ? 30 : 100;
    size_t checked = 0;
    rng = 0x9e3779b97f4a7c15u;
    for (size_t zi = 0; zi < sizeof(zs) / sizeof(zs[0]); zi++) {
        zone_tab z;
        int64_t w0 = (int64_t)day_of(zs[zi].y0 - 1, 1, 1) * DAY,
                w1 = (int64_t)day_of(zs[zi].y1 + 3, 1, 1) * DAY;
        zone_build(&z, zs[zi].zone, w0, w1);
        for (int c = 0; c < calendars; c++) {
            rules *r = calloc(1, sizeof(*r));
            r->zone = zs[zi].zone;
            svcq_calendar *cal;
            if (!make_calendar(r, &cal, zs[zi].y0, zs[zi].y1 + 2, &z)) {
                free(r);
                c--;
                continue;
            }
            int64_t s0 = (int64_t)day_of(zs[zi].y0, 1, 1) * DAY,
                    s1 = (int64_t)day_of(zs[zi].y1, 1, 1) * DAY;
            for (int k = 0; k < per; k++) {
                int64_t s = s0 + (int64_t)rnd((uint32_t)(s1 - s0));
                if (rnd(4) == 0) { /* near a change of offset: gaps, repeated hours */
                    size_t i = 1 + rnd((uint32_t)(z.n - 1));
                    if (z.start[i] - 3 * 3600 > s0 && z.start[i] + 3 * 3600 < s1)
                        s = z.start[i] - 3 * 3600 + (int64_t)rnd(6 * 3600);
                }
                if (rnd(2))
                    s -= s % 60; /* minutes, to hit openings and closings */
                if (rnd(4) == 0) /* exactly at an opening or a closing */
                    (void)(rnd(2) ? svcq_calendar_next_open(&s, cal, s)
                                  : svcq_calendar_next_close(&s, cal, s));
                int days = rnd(5) == 0 ? (int)rnd(300) : (int)rnd(12);
                svcq_time got = 0;
                int rc = svcq_calendar_add_days(&got, cal, s, days);
                int64_t want = o_add_days(r, &z, s, days);
                if (rc != SVCQ_OK || got != want)
                    fail_msg("%s calendar %d: start %lld + %d business days: got %lld (rc %d: "
                             "%s), oracle %lld",
                             zs[zi].zone, c, (long long)s, days, (long long)got, rc,
                             rc ? svcq_ctx_errmsg(ctx) : "", (long long)want);
                /* The business time it stands for is consistent. */
                int64_t secs, again;
                assert_int_equal(svcq_calendar_diff(&secs, cal, s, got), SVCQ_OK);
                assert_true(secs >= 0);
                svcq_time back;
                assert_int_equal(svcq_calendar_add(&back, cal, s, secs), SVCQ_OK);
                assert_int_equal(svcq_calendar_diff(&again, cal, back, got), SVCQ_OK);
                assert_int_equal(again, 0);
                assert_true(back <= got);
                checked++;
            }
            svcq_calendar_free(cal);
            free(r);
        }
        zone_free(&z);
    }
    assert_true(checked >= (quick() ? 900u : 30000u));
}

/* ---- the documented examples ---------------------------------------------- */

static svcq_calendar *office(const char *zone, int32_t close)
{
    svcq_tz *tz;
    assert_int_equal(svcq_tz_load(&tz, ctx, zone, ZONEINFO), SVCQ_OK);
    svcq_calendar *cal;
    assert_int_equal(svcq_calendar_new(&cal, ctx, tz, NULL), SVCQ_OK);
    svcq_tz_free(tz);
    const int32_t iv[2] = { H(9, 0), close };
    for (int d = SVCQ_MONDAY; d <= SVCQ_FRIDAY; d++)
        assert_int_equal(svcq_calendar_set_weekday(cal, d, iv, 1), SVCQ_OK);
    return cal;
}

/* 2026-01-05 is a Monday. */
static svcq_time L(svcq_calendar *cal, int d, int32_t sod)
{
    svcq_time t;
    assert_int_equal(svcq_tz_local_to_utc(&t, svcq_calendar_tz(cal), 2026, 1, d, sod), SVCQ_OK);
    return t;
}

static svcq_time days_after(svcq_calendar *cal, svcq_time s, int32_t n)
{
    svcq_time out;
    if (svcq_calendar_add_days(&out, cal, s, n) != SVCQ_OK)
        fail_msg("add_days: %s", svcq_ctx_errmsg(ctx));
    return out;
}

static void examples(void **state)
{
    (void)state;
    svcq_calendar *cal = office("Asia/Shanghai", H(18, 0));
    assert_int_equal(days_after(cal, L(cal, 5, H(9, 0)), 1), L(cal, 6, H(9, 0)));
    assert_int_equal(days_after(cal, L(cal, 5, H(16, 30)), 2), L(cal, 7, H(16, 30)));
    assert_int_equal(days_after(cal, L(cal, 9, H(17, 0)), 1), L(cal, 12, H(17, 0)));
    assert_int_equal(days_after(cal, L(cal, 9, H(18, 0)), 1), L(cal, 13, H(9, 0)));
    assert_int_equal(days_after(cal, L(cal, 10, H(10, 0)), 1), L(cal, 13, H(9, 0)));
    assert_int_equal(days_after(cal, L(cal, 5, H(7, 0)), 1), L(cal, 6, H(9, 0)));
    assert_int_equal(days_after(cal, L(cal, 10, H(10, 0)), 0), L(cal, 12, H(9, 0)));
    assert_int_equal(days_after(cal, L(cal, 5, H(10, 0)), 0), L(cal, 5, H(10, 0)));
    /* diff and add agree with it; add gives the closing before an opening. */
    int64_t secs;
    assert_int_equal(svcq_calendar_diff(&secs, cal, L(cal, 5, H(9, 0)), L(cal, 6, H(9, 0))),
                     SVCQ_OK);
    assert_int_equal(secs, 9 * 3600);
    svcq_time t;
    assert_int_equal(svcq_calendar_add(&t, cal, L(cal, 5, H(9, 0)), secs), SVCQ_OK);
    assert_int_equal(t, L(cal, 5, H(18, 0)));
    /* A holiday is skipped; a working Saturday counts. */
    assert_int_equal(svcq_calendar_set_closed(cal, 2026, 1, 6), SVCQ_OK);
    assert_int_equal(days_after(cal, L(cal, 5, H(10, 0)), 1), L(cal, 7, H(10, 0)));
    assert_int_equal(svcq_calendar_set_date_like(cal, 2026, 1, 10, SVCQ_MONDAY), SVCQ_OK);
    assert_int_equal(days_after(cal, L(cal, 9, H(11, 0)), 1), L(cal, 10, H(11, 0)));
    /* A shorter day ends the count at its closing; a lunch break at its
     * start. */
    const int32_t fri[2] = { H(9, 0), H(15, 0) };
    assert_int_equal(svcq_calendar_set_weekday(cal, SVCQ_FRIDAY, fri, 1), SVCQ_OK);
    assert_int_equal(days_after(cal, L(cal, 8, H(16, 0)), 1), L(cal, 9, H(15, 0)));
    const int32_t lunch[4] = { H(9, 0), H(12, 0), H(13, 0), H(18, 0) };
    assert_int_equal(svcq_calendar_set_date_hours(cal, 2026, 1, 14, lunch, 2), SVCQ_OK);
    assert_int_equal(days_after(cal, L(cal, 13, H(12, 30)), 1), L(cal, 14, H(12, 0)));
    /* Ten years of business days: whole weeks are counted. */
    svcq_time far = days_after(cal, L(cal, 5, H(10, 0)), 3660);
    int32_t y, m, d, sod;
    assert_int_equal(svcq_tz_utc_to_local(&y, &m, &d, &sod, svcq_calendar_tz(cal), far), SVCQ_OK);
    assert_true(y >= 2040 && y <= 2041);
    svcq_calendar_free(cal);

    /* An overnight shift: its tail belongs to the day it started. */
    cal = office("Europe/Berlin", H(17, 0));
    const int32_t night[2] = { H(22, 0), H(30, 0) };
    for (int wd = SVCQ_MONDAY; wd <= SVCQ_FRIDAY; wd++)
        assert_int_equal(svcq_calendar_set_weekday(cal, wd, night, 1), SVCQ_OK);
    /* Tuesday 02:00 is Monday's shift; + 1 is Tuesday's shift at 02:00. */
    assert_int_equal(days_after(cal, L(cal, 6, H(2, 0)), 1), L(cal, 7, H(2, 0)));
    /* Saturday 03:00 is Friday's shift; + 1 is Monday's, on Tuesday. */
    assert_int_equal(days_after(cal, L(cal, 10, H(3, 0)), 1), L(cal, 13, H(3, 0)));
    svcq_calendar_free(cal);
}

static void errors(void **state)
{
    (void)state;
    svcq_calendar *cal = office("Asia/Shanghai", H(18, 0));
    svcq_time t = 12345, s = L(cal, 5, H(10, 0));
    assert_int_equal(svcq_calendar_add_days(NULL, cal, s, 1), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_add_days(&t, NULL, s, 1), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_add_days(&t, cal, s, -1), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "calendar (zone Asia/Shanghai)"));
    assert_int_equal(svcq_calendar_add_days(&t, cal, -2208988801, 1), SVCQ_ERANGE);
    assert_int_equal(svcq_calendar_add_days(&t, cal, 253402300800, 1), SVCQ_ERANGE);
    /* Past the end of the range. */
    svcq_time late;
    assert_int_equal(svcq_tz_local_to_utc(&late, svcq_calendar_tz(cal), 9999, 12, 20, H(10, 0)),
                     SVCQ_OK);
    assert_int_equal(svcq_calendar_add_days(&t, cal, late, 30), SVCQ_ERANGE);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "past the calendar range"));
    assert_int_equal(svcq_calendar_add_days(&t, cal, s, INT32_MAX), SVCQ_ERANGE);
    assert_int_equal(t, 12345);
    /* Saved under an id, the calendar is named by it. A calendar whose
     * last business day has passed. */
    assert_int_equal(svcq_calendar_save(cal, "support-cn"), SVCQ_OK);
    for (int d = SVCQ_MONDAY; d <= SVCQ_FRIDAY; d++)
        assert_int_equal(svcq_calendar_set_weekday(cal, d, NULL, 0), SVCQ_OK);
    const int32_t iv[2] = { H(9, 0), H(18, 0) };
    assert_int_equal(svcq_calendar_set_date_hours(cal, 2026, 1, 7, iv, 1), SVCQ_OK);
    assert_int_equal(svcq_calendar_add_days(&t, cal, s, 0), SVCQ_OK);
    assert_int_equal(t, L(cal, 7, H(9, 0)));
    assert_int_equal(svcq_calendar_add_days(&t, cal, s, 1), SVCQ_ERANGE);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "calendar support-cn: no 1 business days after Mon 2026-01-05T10:00:00+08:00"));
    assert_int_equal(svcq_calendar_add_days(&t, cal, L(cal, 8, 0), 1), SVCQ_ERANGE);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "calendar support-cn: never opens after Thu 2026-01-08T00:00:00+08:00"));
    svcq_calendar_free(cal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(examples),
        cmocka_unit_test(errors),
        cmocka_unit_test(property),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
