/* Property tests: add, diff, is_open, next_open and next_close against an
 * independent oracle on random cases (fixed seeds), over calendars in real
 * zones with holidays, adjusted working weekends, DST changes, a lunch
 * break, overnight shifts and 7x24.
 *
 * The oracle shares nothing with the library but the calendar's rules (a
 * plain table in this file) and the TZif file: it converts instants to local
 * time with the C library's localtime_r (TZ pointed at the same TZif file),
 * steps through the test window one cell (a minute, or a second) at a time,
 * and decides open or closed by checking the rules directly against the
 * wall clock. The documented DST behaviour — the calendar acts as if the
 * clock stood still during a repeated hour — is modelled by checking the
 * rules against the running maximum of the wall-clock reading. From the
 * per-cell states it builds prefix sums of business seconds; add is a
 * search in those sums, diff a subtraction.
 *
 * Every case checks add and diff against the oracle and the round trip
 * add(s, diff(s, e)) == e whenever the second before e is a business
 * second. Set SVCQ_TEST_QUICK=1 (automatic under valgrind) for a short
 * run; the normal run checks more than 200,000 cases. */
#define _DEFAULT_SOURCE /* tm_gmtoff */
#define _XOPEN_SOURCE 700 /* setenv, tzset, localtime_r, gmtime_r */
#include <stdarg.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

#include "svcq.h"

#ifndef SVCQ_TEST_DATA
#error "SVCQ_TEST_DATA must name the tests/data directory"
#endif
#define ZONEINFO SVCQ_TEST_DATA "/zoneinfo"

#define H(h, m) ((h) * 3600 + (m) * 60)
#define MAXI 8
#define MAXD 80

enum { CLOSED = 1, HOURS = 2, LIKE = 3 };

typedef struct rule_date {
    int y, m, d, kind, like;
    int32_t iv[2 * MAXI];
    int n;
} rule_date;

typedef struct spec {
    const char *name;
    const char *zone; /* NULL: the built-in 7x24 */
    int32_t week[7][2 * MAXI]; /* Monday first */
    int nweek[7];
    rule_date dates[MAXD];
    int ndates;
    int64_t w0, w1; /* oracle window (UTC) */
    int64_t s0, s1; /* random starts */
    int g;          /* cell length: 60 or 1 */
    int cases;
    uint64_t seed;
} spec;

/* ---- the oracle --------------------------------------------------------- */

typedef struct oracle {
    const spec *sp;
    int64_t w0;
    int g;
    size_t ncells;
    uint8_t *open;
    int64_t *prefix;    /* business seconds before cell k; ncells + 1 */
    uint32_t *next_on;  /* first open cell >= k, or ncells */
    uint32_t *next_off; /* first closed cell >= k, or ncells */
    int64_t *edges;     /* instants where the state changes */
    size_t nedges;
} oracle;

static const rule_date *find_date(const spec *sp, int y, int m, int d)
{
    for (int i = 0; i < sp->ndates; i++)
        if (sp->dates[i].y == y && sp->dates[i].m == m && sp->dates[i].d == d)
            return &sp->dates[i];
    return NULL;
}

/* The intervals that start on local day number `day`. */
static const int32_t *day_rules(const spec *sp, int64_t day, int *n)
{
    time_t t = (time_t)(day * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    const rule_date *d = find_date(sp, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    int wd = tm.tm_wday == 0 ? 6 : tm.tm_wday - 1; /* Monday = 0 */
    if (d) {
        if (d->kind == CLOSED) {
            *n = 0;
            return NULL;
        }
        if (d->kind == LIKE) {
            *n = sp->nweek[d->like - 1];
            return sp->week[d->like - 1];
        }
        *n = d->n;
        return d->iv;
    }
    *n = sp->nweek[wd];
    return sp->week[wd];
}

typedef struct day_cache {
    int64_t day;
    const int32_t *iv;
    int n;
} day_cache;

static const int32_t *cached_rules(const spec *sp, day_cache *c, int64_t day, int *n)
{
    int slot = (int)(((day % 2) + 2) % 2);
    if (c[slot].day != day) {
        c[slot].day = day;
        c[slot].iv = day_rules(sp, day, &c[slot].n);
    }
    *n = c[slot].n;
    return c[slot].iv;
}

/* Open at wall-clock reading L (local seconds since 1970)? */
static bool open_at_local(const spec *sp, day_cache *c, int64_t L)
{
    int64_t day = L >= 0 ? L / 86400 : -((-L + 86399) / 86400);
    int64_t sod = L - day * 86400;
    int n;
    const int32_t *iv = cached_rules(sp, c, day, &n);
    for (int i = 0; i < n; i++)
        if (iv[2 * i] <= sod && sod < iv[2 * i + 1])
            return true;
    iv = cached_rules(sp, c, day - 1, &n);
    for (int i = 0; i < n; i++)
        if (iv[2 * i + 1] > 86400 && iv[2 * i] <= sod + 86400 && sod + 86400 < iv[2 * i + 1])
            return true;
    return false;
}

static int64_t gmtoff_at(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    return tm.tm_gmtoff;
}

static void oracle_build(oracle *o, const spec *sp)
{
    char tzv[512];
    snprintf(tzv, sizeof(tzv), ":" ZONEINFO "/%s", sp->zone ? sp->zone : "UTC");
    setenv("TZ", tzv, 1);
    tzset();
    o->sp = sp;
    o->w0 = sp->w0;
    o->g = sp->g;
    o->ncells = (size_t)((sp->w1 - sp->w0) / sp->g);
    o->open = malloc(o->ncells);
    o->prefix = malloc((o->ncells + 1) * sizeof(int64_t));
    o->next_on = malloc(o->ncells * sizeof(uint32_t));
    o->next_off = malloc(o->ncells * sizeof(uint32_t));
    size_t cap = 1024;
    o->edges = malloc(cap * sizeof(int64_t));
    o->nedges = 0;
    day_cache dc[2] = { { INT64_MIN, NULL, 0 }, { INT64_MIN, NULL, 0 } };

    int64_t maxlocal = INT64_MIN; /* highest reading seen so far */
    int64_t hour_off = gmtoff_at(sp->w0), hour_next = 0, hour_end = sp->w0; /* per-hour sampling */
    bool hour_uniform = true;
    o->prefix[0] = 0;
    for (size_t k = 0; k < o->ncells; k++) {
        int64_t t = sp->w0 + (int64_t)k * sp->g;
        if (t >= hour_end) {
            hour_end = t + 3600;
            hour_off = gmtoff_at(t);
            hour_next = gmtoff_at(hour_end);
            hour_uniform = hour_off == hour_next;
        }
        int64_t local = t + (hour_uniform ? hour_off : gmtoff_at(t));
        int64_t m = local > maxlocal ? local : maxlocal; /* the clock as the calendar sees it */
        bool on = open_at_local(sp, dc, m);
        o->open[k] = on;
        o->prefix[k + 1] = o->prefix[k] + (on ? sp->g : 0);
        int64_t last = local + sp->g - 1;
        if (last > maxlocal)
            maxlocal = last;
        if (k > 0 && o->open[k] != o->open[k - 1]) {
            if (o->nedges == cap)
                o->edges = realloc(o->edges, (cap *= 2) * sizeof(int64_t));
            o->edges[o->nedges++] = t;
        }
    }
    uint32_t on = (uint32_t)o->ncells, off = (uint32_t)o->ncells;
    for (size_t k = o->ncells; k-- > 0;) {
        if (o->open[k])
            on = (uint32_t)k;
        else
            off = (uint32_t)k;
        o->next_on[k] = on;
        o->next_off[k] = off;
    }
    unsetenv("TZ");
    tzset();
}

static void oracle_free(oracle *o)
{
    free(o->open);
    free(o->prefix);
    free(o->next_on);
    free(o->next_off);
    free(o->edges);
}

static size_t cell_of(const oracle *o, int64_t t)
{
    assert_true(t >= o->w0);
    size_t k = (size_t)((t - o->w0) / o->g);
    assert_true(k < o->ncells);
    return k;
}

static int64_t o_B(const oracle *o, int64_t t)
{
    size_t k = cell_of(o, t);
    return o->prefix[k] + (o->open[k] ? t - (o->w0 + (int64_t)k * o->g) : 0);
}

static int64_t o_add(const oracle *o, int64_t s, int64_t dur)
{
    if (dur == 0)
        return s;
    int64_t v = o_B(o, s) + dur;
    /* First cell whose end reaches v. */
    size_t lo = cell_of(o, s), hi = o->ncells;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (o->prefix[mid + 1] >= v)
            hi = mid;
        else
            lo = mid + 1;
    }
    assert_true(lo < o->ncells); /* the window is large enough */
    assert_true(o->open[lo]);
    return o->w0 + (int64_t)lo * o->g + (v - o->prefix[lo]);
}

/* ---- the calendars ------------------------------------------------------ */

static const int64_t W0 = 1733011200;   /* 2024-12-01T00:00:00Z */
static const int64_t W1 = 1803859200;   /* 2027-03-01T00:00:00Z */
static const int64_t S0 = 1735689600;   /* 2025-01-01T00:00:00Z */
static const int64_t S1 = 1798761600;   /* 2027-01-01T00:00:00Z */

static void week(spec *s, int day, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    s->nweek[day - 1] = n;
    for (int i = 0; i < 2 * n; i++)
        s->week[day - 1][i] = va_arg(ap, int32_t);
    va_end(ap);
}

static void date(spec *s, int y, int m, int d, int kind, int like, int n, ...)
{
    rule_date *r = &s->dates[s->ndates++];
    assert_true(s->ndates <= MAXD);
    r->y = y;
    r->m = m;
    r->d = d;
    r->kind = kind;
    r->like = like;
    r->n = n;
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < 2 * n; i++)
        r->iv[i] = va_arg(ap, int32_t);
    va_end(ap);
}

static void closed_range(spec *s, int y, int m, int d0, int d1)
{
    for (int d = d0; d <= d1; d++)
        date(s, y, m, d, CLOSED, 0, 0);
}

static void minute_window(spec *s, int cases, uint64_t seed)
{
    s->w0 = W0;
    s->w1 = W1;
    s->s0 = S0;
    s->s1 = S1;
    s->g = 60;
    s->cases = cases;
    s->seed = seed;
}

/* China's official 2025 and 2026 schedule (国务院办公厅 notices): public
 * holidays closed, adjusted working weekends (调休) worked. Half of the
 * worked weekends take Monday's hours, the others explicit hours, so both
 * kinds of exception are exercised. */
static void shanghai(spec *s)
{
    s->name = "Asia/Shanghai Mon-Fri 09-18, 2025-2026 holidays and adjusted weekends";
    s->zone = "Asia/Shanghai";
    for (int d = 1; d <= 5; d++)
        week(s, d, 1, H(9, 0), H(18, 0));
    closed_range(s, 2025, 1, 1, 1);   /* New Year */
    closed_range(s, 2025, 1, 28, 31); /* Spring Festival: Jan 28 - Feb 4 */
    closed_range(s, 2025, 2, 1, 4);
    date(s, 2025, 1, 26, LIKE, 1, 0); /* Sunday worked */
    date(s, 2025, 2, 8, HOURS, 0, 1, H(9, 0), H(18, 0)); /* Saturday worked */
    closed_range(s, 2025, 4, 4, 6);   /* Qingming */
    closed_range(s, 2025, 5, 1, 5);   /* Labour Day */
    date(s, 2025, 4, 27, LIKE, 1, 0);
    closed_range(s, 2025, 5, 31, 31); /* Dragon Boat: May 31 - Jun 2 */
    closed_range(s, 2025, 6, 1, 2);
    closed_range(s, 2025, 10, 1, 8);  /* National Day and Mid-Autumn */
    date(s, 2025, 9, 28, HOURS, 0, 1, H(9, 0), H(18, 0));
    date(s, 2025, 10, 11, LIKE, 1, 0);
    closed_range(s, 2026, 1, 1, 3);   /* New Year */
    date(s, 2026, 1, 4, LIKE, 1, 0);
    closed_range(s, 2026, 2, 15, 23); /* Spring Festival */
    date(s, 2026, 2, 14, HOURS, 0, 1, H(9, 0), H(18, 0));
    date(s, 2026, 2, 28, LIKE, 1, 0);
    closed_range(s, 2026, 4, 4, 6);   /* Qingming */
    closed_range(s, 2026, 5, 1, 5);   /* Labour Day */
    date(s, 2026, 5, 9, LIKE, 1, 0);
    closed_range(s, 2026, 6, 19, 21); /* Dragon Boat */
    closed_range(s, 2026, 9, 25, 27); /* Mid-Autumn */
    closed_range(s, 2026, 10, 1, 7);  /* National Day */
    date(s, 2026, 9, 20, LIKE, 1, 0);
    date(s, 2026, 10, 10, HOURS, 0, 1, H(9, 0), H(18, 0));
    minute_window(s, 35000, 0x5348414e47484149u);
}

/* New York across DST: weekdays, a Saturday-night shift running through the
 * Sunday-morning changes, a Sunday slot just after them, and holidays. */
static void new_york(spec *s)
{
    s->name = "America/New_York, DST changes inside a Saturday-night shift";
    s->zone = "America/New_York";
    for (int d = 1; d <= 5; d++)
        week(s, d, 1, H(8, 0), H(20, 0));
    week(s, 6, 1, H(22, 0), H(26, 30));
    week(s, 7, 1, H(3, 0), H(5, 0));
    date(s, 2025, 11, 27, CLOSED, 0, 0);
    date(s, 2025, 12, 24, HOURS, 0, 1, H(8, 0), H(13, 0));
    date(s, 2026, 3, 8, HOURS, 0, 2, H(1, 30), H(2, 30), H(2, 45), H(4, 0)); /* in the gap */
    date(s, 2026, 11, 1, HOURS, 0, 1, H(0, 30), H(1, 30));                  /* in the overlap */
    /* No Saturday shift before the 2025 fall-back, so Sunday's own hours
     * meet the repeated hour: the second one is open through it. */
    date(s, 2025, 11, 1, CLOSED, 0, 0);
    date(s, 2025, 11, 2, HOURS, 0, 2, H(0, 30), H(1, 30), H(1, 45), H(3, 0));
    minute_window(s, 35000, 0x4e45577945524bu);
}

/* Berlin: six days and a Sunday slot across the 02:00/03:00 changes. */
static void berlin(spec *s)
{
    s->name = "Europe/Berlin, Sunday slots across DST changes";
    s->zone = "Europe/Berlin";
    for (int d = 1; d <= 6; d++)
        week(s, d, 1, H(7, 0), H(19, 0));
    /* The first slot ends in the spring gap, the second starts in the
     * autumn's repeated hour. */
    week(s, 7, 2, H(1, 0), H(2, 15), H(2, 30), H(4, 0));
    date(s, 2025, 12, 25, CLOSED, 0, 0);
    date(s, 2025, 12, 26, CLOSED, 0, 0);
    date(s, 2026, 1, 1, CLOSED, 0, 0);
    minute_window(s, 30000, 0x4245524c494eu);
}

/* A lunch break and a shorter Friday, in New York (so across DST too). */
static void lunch(spec *s)
{
    s->name = "America/New_York with a lunch break";
    s->zone = "America/New_York";
    for (int d = 1; d <= 4; d++)
        week(s, d, 2, H(9, 0), H(12, 0), H(13, 30), H(17, 30));
    week(s, 5, 2, H(9, 0), H(12, 0), H(13, 0), H(15, 0));
    date(s, 2025, 7, 4, CLOSED, 0, 0);
    date(s, 2026, 7, 3, HOURS, 0, 1, H(9, 0), H(12, 0));
    minute_window(s, 30000, 0x4c554e4348u);
}

/* Night shifts crossing midnight in Berlin; a holiday Monday stops that
 * night's shift but not the tail of the Sunday one. */
static void night(spec *s)
{
    s->name = "Europe/Berlin night shifts crossing midnight";
    s->zone = "Europe/Berlin";
    for (int d = 1; d <= 5; d++)
        week(s, d, 1, H(22, 0), H(30, 0));
    week(s, 6, 1, H(20, 0), H(28, 0));
    week(s, 7, 1, H(23, 0), H(29, 0));
    date(s, 2025, 4, 21, CLOSED, 0, 0);
    date(s, 2026, 12, 31, HOURS, 0, 1, H(18, 0), H(36, 0)); /* into New Year's Day */
    date(s, 2027, 1, 1, HOURS, 0, 1, H(10, 0), H(12, 0));   /* overlaps that tail */
    minute_window(s, 30000, 0x4e49474854u);
}

static void all_week(spec *s)
{
    s->name = "built-in 7x24";
    s->zone = NULL;
    for (int d = 1; d <= 7; d++)
        week(s, d, 1, 0, 86400);
    minute_window(s, 20000, 0x3758323478u);
}

/* 7x24 in New York: 23- and 25-hour days. */
static void all_week_ny(spec *s)
{
    s->name = "7x24 in America/New_York with a closed day";
    s->zone = "America/New_York";
    for (int d = 1; d <= 7; d++)
        week(s, d, 1, 0, 86400);
    date(s, 2025, 11, 2, CLOSED, 0, 0); /* the 25-hour day */
    minute_window(s, 15000, 0x3758323459u);
}

/* Endpoints at odd seconds in a 45-minute-offset zone, stepped per second. */
static void seconds(spec *s)
{
    s->name = "Asia/Kathmandu, endpoints at odd seconds, per-second oracle";
    s->zone = "Asia/Kathmandu";
    for (int d = 1; d <= 5; d++)
        week(s, d, 2, H(9, 0) + 17, H(12, 34) + 56, H(13, 0) + 1, H(17, 59) + 59);
    week(s, 6, 1, H(23, 59) + 59, H(24, 0) + 1);
    date(s, 2025, 3, 14, HOURS, 0, 1, H(10, 0) + 7, H(10, 0) + 8);
    s->w0 = 1740787200; /* 2025-03-01 */
    s->w1 = 1742601600; /* 2025-03-22 */
    s->s0 = 1740873600;
    s->s1 = 1741737600; /* to 2025-03-12 */
    s->g = 1;
    s->cases = 15000;
    s->seed = 0x5345434f4e4453u;
}

/* ---- running the cases -------------------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static int64_t rng_range(uint64_t *s, int64_t lo, int64_t hi) /* [lo, hi] */
{
    return lo + (int64_t)(rng_next(s) % (uint64_t)(hi - lo + 1));
}

static bool quick(void)
{
    const char *q = getenv("SVCQ_TEST_QUICK");
    return RUNNING_ON_VALGRIND || (q && *q && strcmp(q, "0") != 0);
}

static svcq_calendar *make_calendar(svcq_ctx *ctx, const spec *sp)
{
    svcq_calendar *cal;
    if (!sp->zone) {
        assert_int_equal(svcq_calendar_new_24x7(&cal, ctx), SVCQ_OK);
    } else {
        svcq_tz *tz;
        if (svcq_tz_load(&tz, ctx, sp->zone, ZONEINFO) != SVCQ_OK)
            fail_msg("%s: %s", sp->zone, svcq_ctx_errmsg(ctx));
        assert_int_equal(svcq_calendar_new(&cal, ctx, tz, NULL), SVCQ_OK);
        svcq_tz_free(tz);
        for (int d = 0; d < 7; d++)
            if (svcq_calendar_set_weekday(cal, d + 1, sp->week[d], (size_t)sp->nweek[d]) != SVCQ_OK)
                fail_msg("%s: %s", sp->name, svcq_ctx_errmsg(ctx));
    }
    for (int i = 0; i < sp->ndates; i++) {
        const rule_date *r = &sp->dates[i];
        int rc = r->kind == CLOSED ? svcq_calendar_set_closed(cal, r->y, r->m, r->d)
                 : r->kind == LIKE ? svcq_calendar_set_date_like(cal, r->y, r->m, r->d, r->like)
                                   : svcq_calendar_set_date_hours(cal, r->y, r->m, r->d, r->iv,
                                                                  (size_t)r->n);
        if (rc)
            fail_msg("%s: %s", sp->name, svcq_ctx_errmsg(ctx));
    }
    return cal;
}

static size_t total_cases;

static void check_case(const oracle *o, svcq_calendar *cal, const spec *sp, int64_t s, int64_t dur,
                       int64_t e)
{
    svcq_time got;
    int64_t want = o_add(o, s, dur);
    assert_true(want < o->w0 + (int64_t)o->ncells * o->g);
    assert_int_equal(svcq_calendar_add(&got, cal, s, dur), SVCQ_OK);
    if (got != want)
        fail_msg("%s: add(%lld, %lld) = %lld, oracle %lld", sp->name, (long long)s,
                 (long long)dur, (long long)got, (long long)want);
    /* The deadline consumed exactly dur business seconds. */
    int64_t d;
    assert_int_equal(svcq_calendar_diff(&d, cal, s, got), SVCQ_OK);
    assert_int_equal(d, dur);

    int64_t dw = o_B(o, e) - o_B(o, s);
    assert_int_equal(svcq_calendar_diff(&d, cal, s, e), SVCQ_OK);
    if (d != dw)
        fail_msg("%s: diff(%lld, %lld) = %lld, oracle %lld", sp->name, (long long)s, (long long)e,
                 (long long)d, (long long)dw);
    assert_int_equal(svcq_calendar_diff(&d, cal, e, s), SVCQ_OK);
    assert_int_equal(d, -dw);
    if (e >= s) {
        /* Round trip: back to e when e ends business time, never past it. */
        assert_int_equal(svcq_calendar_add(&got, cal, s, dw), SVCQ_OK);
        if (e > s && o->open[cell_of(o, e - 1)] && got != e)
            fail_msg("%s: add(%lld, diff(.., %lld) = %lld) = %lld", sp->name, (long long)s,
                     (long long)e, (long long)dw, (long long)got);
        assert_true(got <= e);
        assert_int_equal(svcq_calendar_diff(&d, cal, s, got), SVCQ_OK);
        assert_int_equal(d, dw);
    }
    /* is_open, next_open, next_close at s. */
    size_t k = cell_of(o, s);
    int32_t on;
    assert_int_equal(svcq_calendar_is_open(&on, cal, s), SVCQ_OK);
    if (on != o->open[k])
        fail_msg("%s: is_open(%lld) = %d", sp->name, (long long)s, on);
    if (o->next_on[k] < o->ncells) {
        int64_t w = o->open[k] ? s : o->w0 + (int64_t)o->next_on[k] * o->g;
        assert_int_equal(svcq_calendar_next_open(&got, cal, s), SVCQ_OK);
        if (got != w)
            fail_msg("%s: next_open(%lld) = %lld, oracle %lld", sp->name, (long long)s,
                     (long long)got, (long long)w);
    }
    if (o->next_off[k] < o->ncells) {
        int64_t w = !o->open[k] ? s : o->w0 + (int64_t)o->next_off[k] * o->g;
        assert_int_equal(svcq_calendar_next_close(&got, cal, s), SVCQ_OK);
        if (got != w)
            fail_msg("%s: next_close(%lld) = %lld, oracle %lld", sp->name, (long long)s,
                     (long long)got, (long long)w);
    }
    total_cases++;
}

static void run_spec(void (*make)(spec *))
{
    spec *sp = calloc(1, sizeof(*sp));
    make(sp);
    oracle o;
    oracle_build(&o, sp);
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_calendar *cal = make_calendar(ctx, sp);
    uint64_t rng = sp->seed;
    int cases = quick() ? sp->cases / 20 : sp->cases;
    int64_t maxdur = sp->g == 1 ? 8 * 3600 : 40 * 3600;
    for (int i = 0; i < cases; i++) {
        int64_t s, dur;
        uint64_t kind = rng_next(&rng) % 10;
        if (kind < 3 && o.nedges) {
            /* At or next to a change of state: the edges of intervals. */
            s = o.edges[rng_next(&rng) % o.nedges] + rng_range(&rng, -1, 1);
            if (s < sp->s0 || s >= sp->s1)
                s = rng_range(&rng, sp->s0, sp->s1 - 1);
        } else {
            s = rng_range(&rng, sp->s0, sp->s1 - 1);
        }
        uint64_t dk = rng_next(&rng) % 10;
        if (dk < 6)
            dur = rng_range(&rng, 1, maxdur);
        else if (dk < 8)
            dur = 60 * rng_range(&rng, 1, maxdur / 60);
        else if (dk < 9)
            dur = rng_range(&rng, 0, 120);
        else
            dur = rng_range(&rng, 1, 5 * maxdur);
        int64_t e;
        if (rng_next(&rng) % 4 == 0 && o.nedges) /* end on an edge: a closing or opening */
            e = o.edges[rng_next(&rng) % o.nedges];
        else
            e = s + rng_range(&rng, -10 * 86400, 10 * 86400);
        if (e < o.w0 || e >= o.w0 + (int64_t)o.ncells * o.g)
            e = s;
        check_case(&o, cal, sp, s, dur, e);
    }
    svcq_calendar_free(cal);
    svcq_ctx_free(ctx);
    oracle_free(&o);
    free(sp);
}

static void prop_shanghai(void **state)
{
    (void)state;
    run_spec(shanghai);
}
static void prop_new_york(void **state)
{
    (void)state;
    run_spec(new_york);
}
static void prop_berlin(void **state)
{
    (void)state;
    run_spec(berlin);
}
static void prop_lunch(void **state)
{
    (void)state;
    run_spec(lunch);
}
static void prop_night(void **state)
{
    (void)state;
    run_spec(night);
}
static void prop_24x7(void **state)
{
    (void)state;
    run_spec(all_week);
}
static void prop_24x7_ny(void **state)
{
    (void)state;
    run_spec(all_week_ny);
}
static void prop_seconds(void **state)
{
    (void)state;
    run_spec(seconds);
}

/* Day number of y-m-d, independent of the library. */
static int64_t days_of(int y, int m, int d)
{
    static const int cum[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
    int64_t days = 0;
    for (int yy = 1970; yy < y; yy++)
        days += 365 + ((yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0);
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return days + cum[m - 1] + (leap && m > 2) + d - 1;
}

/* The Chinese schedule in the Shanghai calendar is self-consistent: every
 * worked day is a Saturday or Sunday, no date appears twice, and each of
 * 2025 and 2026 has 365 - 104 weekend days - 13 statutory holidays = 248
 * working days, by the rules and by the library. */
static void shanghai_schedule_consistent(void **state)
{
    (void)state;
    spec *sp = calloc(1, sizeof(*sp));
    shanghai(sp);
    for (int i = 0; i < sp->ndates; i++) {
        const rule_date *r = &sp->dates[i];
        int wd = (int)((days_of(r->y, r->m, r->d) + 3) % 7) + 1; /* ISO */
        if (r->kind != CLOSED && wd < 6)
            fail_msg("worked day %d-%02d-%02d is not a weekend day", r->y, r->m, r->d);
        for (int j = 0; j < i; j++)
            if (sp->dates[j].y == r->y && sp->dates[j].m == r->m && sp->dates[j].d == r->d)
                fail_msg("%d-%02d-%02d listed twice", r->y, r->m, r->d);
    }
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_calendar *cal = make_calendar(ctx, sp);
    for (int y = 2025; y <= 2026; y++) {
        int working = 0;
        for (int64_t day = days_of(y, 1, 1); day < days_of(y + 1, 1, 1); day++) {
            int n;
            day_rules(sp, day, &n);
            working += n > 0;
        }
        assert_int_equal(working, 248);
        /* Beijing time is UTC+8 all year. */
        int64_t d;
        assert_int_equal(svcq_calendar_diff(&d, cal, days_of(y, 1, 1) * 86400 - 28800,
                                            days_of(y + 1, 1, 1) * 86400 - 28800),
                         SVCQ_OK);
        assert_int_equal(d, 248 * 9 * 3600);
    }
    svcq_calendar_free(cal);
    svcq_ctx_free(ctx);
    free(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shanghai_schedule_consistent),
        cmocka_unit_test(prop_shanghai),
        cmocka_unit_test(prop_new_york),
        cmocka_unit_test(prop_berlin),
        cmocka_unit_test(prop_lunch),
        cmocka_unit_test(prop_night),
        cmocka_unit_test(prop_24x7),
        cmocka_unit_test(prop_24x7_ny),
        cmocka_unit_test(prop_seconds),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    printf("calendar property cases checked: %zu%s\n", total_cases, quick() ? " (quick mode)" : "");
    if (!quick() && rc == 0 && total_cases < 200000) {
        printf("fewer than 200000 cases\n");
        return 1;
    }
    return rc;
}
