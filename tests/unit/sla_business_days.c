/* Business days end to end (issue 8, item 8).
 *
 * 1. The issue's own example through the built-in tiers on the default
 *    Monday–Friday 09:00–18:00 calendar: tier 2's progress update started
 *    Monday 09:00 falls due Tuesday 09:00 (not Wednesday 15:00, the literal
 *    24 business hours); tier 1's acceptance invited after completion on
 *    Monday 16:30 falls due Wednesday 16:30 (2 business days), not five
 *    working days later; SVCQ_SLA_BUILTIN_LITERAL_HOURS keeps the old
 *    instants. Checked in svcq_sla_status.due_at and in the instants of
 *    the notices a scheduler delivers.
 * 2. A property: for random start instants (any time of any day, holidays
 *    and closed nights included) and N in 1..10 on a calendar with a lunch
 *    break, a short Friday, holidays and an adjusted working Saturday, a
 *    BUSINESS_DAYS target's due time is the next opening at or after
 *    R = svcq_calendar_add_days(start, N) (R itself when the calendar is
 *    open at R; sla.h "Deadline"), and R is what an oracle that steps whole
 *    local days over its own copy of the calendar's table gives. */
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
/* 2026-01-05 is a Monday; Mon–Fri 09:00–18:00 UTC is the default calendar. */
#define MON_0900 ((svcq_time)1767603600)

typedef struct fx {
    test_alloc alloc;
    svcq_ctx *ctx;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    test_alloc_init(&f->alloc);
    f->ctx = test_ctx_new(&f->alloc);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    svcq_ctx_free(f->ctx);
    assert_int_equal(f->alloc.live_blocks, 0);
    free(f);
    return 0;
}

static uint32_t target_index(const svcq_sla_policy *p, const char *metric)
{
    for (uint32_t j = 0; j < svcq_sla_policy_target_count(p); j++) {
        svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
        assert_int_equal(svcq_sla_policy_target(&s, p, j), SVCQ_OK);
        if (strcmp(s.metric, metric) == 0)
            return j;
    }
    fail_msg("no target %s", metric);
    return 0;
}

/* ---- 1. the tiers through a scheduler ---------------------------------- */

typedef struct got {
    int n;
    const char *metric; /* only notices of this metric are kept */
    int32_t kind[16];
    int32_t level[16];
    svcq_time at[16];
} got;

static int keep_notice(const svcq_sla_notice *n, void *ud)
{
    got *g = ud;
    if (strcmp(n->metric, g->metric) != 0)
        return 0;
    assert_true(g->n < 16);
    g->kind[g->n] = n->kind;
    g->level[g->n] = n->level;
    g->at[g->n] = n->at;
    g->n++;
    return 0;
}

typedef struct want {
    int32_t kind, level;
    svcq_time at;
} want;

/* Runs one event through a fresh clock of policy p in a scheduler, checks
 * the target's due time and every notice of it up to `until`. */
static void run_tier(fx *f, svcq_sla_policy *p, const char *event, svcq_time at, const char *metric,
                     svcq_time due, const want *w, int nw, svcq_time until)
{
    got g = { .metric = metric };
    svcq_sla_scheduler *s;
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_scheduler_new(&s, f->ctx, keep_notice, &g), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&c, p, "INC-8"), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(c, event, at, NULL), SVCQ_OK);
    svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
    assert_int_equal(svcq_sla_clock_status(&st, c, target_index(p, metric), at), SVCQ_OK);
    assert_int_equal(st.state, SVCQ_SLA_RUNNING);
    if (st.due_at != due)
        fail_msg("%s %s: due %lld, want %lld", svcq_sla_policy_name(p), metric, (long long)st.due_at,
                 (long long)due);
    uint64_t n = 0;
    assert_int_equal(svcq_sla_scheduler_advance(&n, s, until), SVCQ_OK);
    assert_int_equal(g.n, nw);
    for (int i = 0; i < nw; i++) {
        if (g.kind[i] != w[i].kind || g.level[i] != w[i].level || g.at[i] != w[i].at)
            fail_msg("%s %s notice %d: kind %d level %d at %lld, want kind %d level %d at %lld",
                     svcq_sla_policy_name(p), metric, i, g.kind[i], g.level[i], (long long)g.at[i], w[i].kind,
                     w[i].level, (long long)w[i].at);
    }
    svcq_sla_scheduler_free(s);
}

#define W SVCQ_SLA_NOTICE_WARNING
#define B SVCQ_SLA_NOTICE_BREACH
#define E SVCQ_SLA_NOTICE_ESCALATION

static void tier2_daily_update_is_one_business_day(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p, *lit;
    assert_int_equal(svcq_sla_policy_builtin(&p, f->ctx, SVCQ_TIER_2, NULL, 0), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_builtin(&lit, f->ctx, SVCQ_TIER_2, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS),
                     SVCQ_OK);
    const svcq_time mon = MON_0900, tue = mon + DAY, wed = mon + 2 * DAY;
    /* 1 business day from Monday 09:00: due Tuesday 09:00. The cycle's
     * duration is Monday's 9 business hours: warnings at 4 h 30 and 7 h 12,
     * the breach one second after the due time, escalations at 13 h 30 and
     * 18 h of business time (Tuesday 13:30 and 18:00), one second late. */
    const want days[] = {
        { W, 50, mon + 4 * HOUR + 30 * MIN }, { W, 80, mon + 7 * HOUR + 12 * MIN }, { B, 0, tue + 1 },
        { E, 1, tue + 4 * HOUR + 30 * MIN + 1 }, { E, 2, tue + 9 * HOUR + 1 },
    };
    run_tier(f, p, "execution_started", mon, "progress_update", tue, days, 5, wed);
    /* Literal: 24 business hours, due Wednesday 15:00 (Mon 9 + Tue 9 + Wed 6). */
    const want hours[] = {
        { W, 50, tue + 3 * HOUR }, { W, 80, wed + 1 * HOUR + 12 * MIN }, { B, 0, wed + 6 * HOUR + 1 },
    };
    run_tier(f, lit, "execution_started", mon, "progress_update", wed + 6 * HOUR, hours, 3, wed + 7 * HOUR);
    svcq_sla_policy_free(p);
    svcq_sla_policy_free(lit);
}

static void tier1_acceptance_is_two_business_days(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p, *lit;
    assert_int_equal(svcq_sla_policy_builtin(&p, f->ctx, SVCQ_TIER_1, NULL, 0), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_builtin(&lit, f->ctx, SVCQ_TIER_1, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS),
                     SVCQ_OK);
    const svcq_time done = MON_0900 + 7 * HOUR + 30 * MIN; /* Monday 16:30 */
    const svcq_time tue = MON_0900 + DAY, wed = MON_0900 + 2 * DAY;
    /* 2 business days: due Wednesday 16:30; the cycle holds 18 business
     * hours (Mon 1 h 30, Tue 9 h, Wed 7 h 30): warnings at 9 h (Tuesday
     * 16:30) and 14 h 24 (Wednesday 12:54), the breach at 16:30:01. */
    const want days[] = {
        { W, 50, tue + 7 * HOUR + 30 * MIN }, { W, 80, wed + 3 * HOUR + 54 * MIN }, { B, 0, wed + 7 * HOUR + 30 * MIN + 1 },
    };
    run_tier(f, p, "service_completed", done, "acceptance_invitation", wed + 7 * HOUR + 30 * MIN, days, 3,
             wed + 8 * HOUR);
    /* Literal: 48 business hours from Monday 16:30 are Mon 1 h 30, Tue–Fri
     * 36 h, next Mon 9 h, next Tue 1 h 30: due the next Tuesday 10:30;
     * warnings at 24 h (Thursday 13:30) and 38 h 24 (next Monday 09:54). */
    const svcq_time next_mon = MON_0900 + 7 * DAY, next_tue = tue + 7 * DAY;
    const want hours[] = {
        { W, 50, MON_0900 + 3 * DAY + 4 * HOUR + 30 * MIN }, { W, 80, next_mon + 54 * MIN },
        { B, 0, next_tue + HOUR + 30 * MIN + 1 },
    };
    run_tier(f, lit, "service_completed", done, "acceptance_invitation", next_tue + HOUR + 30 * MIN, hours, 3,
             next_tue + 2 * HOUR);
    svcq_sla_policy_free(p);
    svcq_sla_policy_free(lit);
}

/* ---- 2. the property ---------------------------------------------------- */

/* The calendar under test, in UTC+08:00 (no DST), and the oracle's own
 * copy of its table. Monday to Thursday 09:00–18:00 with a lunch break on
 * Wednesday, Friday 09:00–15:00; holidays; a Saturday worked like a
 * Monday. */
#define OFFSET (8 * HOUR)

typedef struct iv {
    int32_t open, close;
} iv;

static const iv MON_THU[] = { { 9 * HOUR, 18 * HOUR } };
static const iv WED[] = { { 9 * HOUR, 12 * HOUR }, { 13 * HOUR, 18 * HOUR } };
static const iv FRI[] = { { 9 * HOUR, 15 * HOUR } };

typedef struct ymd {
    int32_t y, m, d;
} ymd;

static const ymd HOLIDAYS[] = { { 2026, 1, 1 },  { 2026, 1, 2 },  { 2026, 2, 16 }, { 2026, 2, 17 },
                                { 2026, 2, 18 }, { 2026, 2, 19 }, { 2026, 2, 20 }, { 2026, 4, 6 },
                                { 2026, 5, 1 },  { 2026, 5, 4 },  { 2026, 5, 5 },  { 2026, 6, 19 } };
static const ymd WORKED_SATURDAYS[] = { { 2026, 2, 14 }, { 2026, 2, 28 }, { 2026, 5, 9 } };

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int32_t m, int32_t d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b < 0);
}

/* The intervals of local day `day` (days since 1970-01-01). */
static const iv *hours_of(int64_t day, size_t *n)
{
    for (size_t i = 0; i < sizeof(HOLIDAYS) / sizeof(HOLIDAYS[0]); i++)
        if (days_from_civil(HOLIDAYS[i].y, HOLIDAYS[i].m, HOLIDAYS[i].d) == day) {
            *n = 0;
            return NULL;
        }
    for (size_t i = 0; i < sizeof(WORKED_SATURDAYS) / sizeof(WORKED_SATURDAYS[0]); i++)
        if (days_from_civil(WORKED_SATURDAYS[i].y, WORKED_SATURDAYS[i].m, WORKED_SATURDAYS[i].d) == day) {
            *n = 1;
            return MON_THU;
        }
    int64_t wd = ((day % 7) + 7 + 3) % 7; /* 0 = Monday (1970-01-01 was a Thursday) */
    switch (wd) {
    case 0: case 1: case 3: *n = 1; return MON_THU;
    case 2: *n = 2; return WED;
    case 4: *n = 1; return FRI;
    default: *n = 0; return NULL;
    }
}

static svcq_time instant(int64_t day, int64_t sod)
{
    return day * DAY + sod - OFFSET;
}

/* The first opening at or after local (day, sod): the anchor of an
 * instant at which the calendar is closed, or the due time moved off a
 * closing. Steps whole days. */
static void next_open(int64_t *day, int64_t *sod)
{
    for (int64_t d = *day;; d++) {
        size_t n;
        const iv *h = hours_of(d, &n);
        for (size_t i = 0; i < n; i++) {
            if (d == *day && *sod >= h[i].close)
                continue;
            if (d == *day && *sod >= h[i].open)
                return; /* open there */
            *day = d;
            *sod = h[i].open;
            return;
        }
    }
}

/* svcq_calendar_add_days as calendar.h defines it, stepping whole days. */
static svcq_time oracle_add_days(svcq_time start, int n)
{
    int64_t local = start + OFFSET;
    int64_t day = floor_div(local, DAY), sod = local - day * DAY;
    next_open(&day, &sod); /* the anchor */
    for (int k = 0; k < n;) {
        size_t m;
        day++;
        if (hours_of(day, &m), m > 0)
            k++;
    }
    size_t m;
    const iv *h = hours_of(day, &m);
    for (size_t i = 0; i < m; i++)
        if (sod >= h[i].open && sod < h[i].close)
            return instant(day, sod);
    if (sod < h[0].open)
        return instant(day, h[0].open);
    int64_t end = h[0].close; /* the end of the business time before sod */
    for (size_t i = 0; i < m; i++)
        if (h[i].close <= sod)
            end = h[i].close;
    return instant(day, end);
}

/* The due time the SLA documents: R, or the next opening when the
 * calendar is closed at R. */
static svcq_time oracle_due(svcq_time r)
{
    int64_t local = r + OFFSET;
    int64_t day = floor_div(local, DAY), sod = local - day * DAY;
    next_open(&day, &sod);
    return instant(day, sod);
}

static svcq_calendar *property_calendar(svcq_ctx *ctx)
{
    svcq_tz *tz;
    assert_int_equal(svcq_tz_fixed(&tz, ctx, OFFSET), SVCQ_OK);
    svcq_calendar *cal;
    assert_int_equal(svcq_calendar_new(&cal, ctx, tz, NULL), SVCQ_OK);
    svcq_tz_free(tz);
    const int32_t full[2] = { 9 * HOUR, 18 * HOUR }, lunch[4] = { 9 * HOUR, 12 * HOUR, 13 * HOUR, 18 * HOUR },
                  fri[2] = { 9 * HOUR, 15 * HOUR };
    assert_int_equal(svcq_calendar_set_weekday(cal, SVCQ_MONDAY, full, 1), SVCQ_OK);
    assert_int_equal(svcq_calendar_set_weekday(cal, SVCQ_TUESDAY, full, 1), SVCQ_OK);
    assert_int_equal(svcq_calendar_set_weekday(cal, SVCQ_WEDNESDAY, lunch, 2), SVCQ_OK);
    assert_int_equal(svcq_calendar_set_weekday(cal, SVCQ_THURSDAY, full, 1), SVCQ_OK);
    assert_int_equal(svcq_calendar_set_weekday(cal, SVCQ_FRIDAY, fri, 1), SVCQ_OK);
    for (size_t i = 0; i < sizeof(HOLIDAYS) / sizeof(HOLIDAYS[0]); i++)
        assert_int_equal(svcq_calendar_set_closed(cal, HOLIDAYS[i].y, HOLIDAYS[i].m, HOLIDAYS[i].d), SVCQ_OK);
    for (size_t i = 0; i < sizeof(WORKED_SATURDAYS) / sizeof(WORKED_SATURDAYS[0]); i++)
        assert_int_equal(svcq_calendar_set_date_like(cal, WORKED_SATURDAYS[i].y, WORKED_SATURDAYS[i].m,
                                                     WORKED_SATURDAYS[i].d, SVCQ_MONDAY),
                         SVCQ_OK);
    return cal;
}

static void due_is_add_days_then_next_opening(void **state)
{
    fx *f = *state;
    svcq_calendar *cal = property_calendar(f->ctx);
    svcq_sla_policy *ps[10];
    for (int n = 1; n <= 10; n++) {
        assert_int_equal(svcq_sla_policy_new(&ps[n - 1], f->ctx, "days", (uint32_t)n), SVCQ_OK);
        svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
        s.metric = "t";
        s.start_event = "open";
        s.meet_event = "reply";
        s.duration = n;
        s.duration_unit = SVCQ_SLA_UNIT_BUSINESS_DAYS;
        s.calendar = cal;
        s.warn_count = 1;
        s.warn_percent[0] = 50;
        assert_int_equal(svcq_sla_policy_add_target(ps[n - 1], &s), SVCQ_OK);
    }
    const svcq_time year = instant(days_from_civil(2026, 1, 1), 0);
    uint64_t seed = 0x5eed8;
    int moved = 0, kept = 0;
    for (int i = 0; i < 3000; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        int n = 1 + (int)((seed >> 33) % 10);
        /* Any second of 2026, with a bias to the edges of the hours. */
        svcq_time start = year + (svcq_time)((seed >> 11) % (365 * DAY));
        if ((seed >> 60) % 4 == 0)
            start -= start % (30 * MIN);
        svcq_time r;
        assert_int_equal(svcq_calendar_add_days(&r, cal, start, n), SVCQ_OK);
        svcq_time want_r = oracle_add_days(start, n);
        if (r != want_r)
            fail_msg("add_days(%lld, %d) = %lld, oracle %lld", (long long)start, n, (long long)r,
                     (long long)want_r);
        svcq_time due = oracle_due(r);
        if (due == r)
            kept++;
        else
            moved++;
        svcq_sla_clock *c;
        assert_int_equal(svcq_sla_clock_new(&c, ps[n - 1], "x"), SVCQ_OK);
        assert_int_equal(svcq_sla_clock_event(c, "open", start, NULL), SVCQ_OK);
        svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
        assert_int_equal(svcq_sla_clock_status(&st, c, 0, start), SVCQ_OK);
        if (st.due_at != due)
            fail_msg("start %lld + %d business days: due %lld, rule %lld (add_days %lld)", (long long)start, n,
                     (long long)st.due_at, (long long)due, (long long)r);
        /* On time up to the due instant, late one second after. */
        assert_int_equal(svcq_sla_clock_status(&st, c, 0, due), SVCQ_OK);
        assert_int_equal(st.state, SVCQ_SLA_RUNNING);
        assert_int_equal(svcq_sla_clock_status(&st, c, 0, due + 1), SVCQ_OK);
        assert_int_equal(st.state, SVCQ_SLA_BREACHED);
        svcq_sla_clock_free(c);
    }
    print_message("%d due times at add_days, %d moved to the next opening\n", kept, moved);
    /* Both branches of the rule were exercised. */
    assert_true(moved >= 20);
    assert_true(kept > 50);
    for (int n = 0; n < 10; n++)
        svcq_sla_policy_free(ps[n]);
    svcq_calendar_free(cal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(tier2_daily_update_is_one_business_day, setup, teardown),
        cmocka_unit_test_setup_teardown(tier1_acceptance_is_two_business_days, setup, teardown),
        cmocka_unit_test_setup_teardown(due_is_add_days_then_next_opening, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
