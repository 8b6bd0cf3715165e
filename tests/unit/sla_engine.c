/* The SLA engine of issue 8: business-day durations resolved per cycle,
 * restart events, a met target's due time, instants hosts use as "unset",
 * pause reasons kept per clock, handles of another context, undo of clock
 * changes inside a store transaction, and fresh error messages. */
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
/* 2026-01-05 is a Monday. */
#define MON_0900 ((svcq_time)1767603600)
#define T0 MON_0900

typedef struct fx {
    test_alloc alloc;
    svcq_ctx *ctx;
    svcq_calendar *cal; /* Mon–Fri 09:00–18:00 UTC */
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    test_alloc_init(&f->alloc);
    f->ctx = test_ctx_new(&f->alloc);
    assert_int_equal(svcq_sla_default_calendar(&f->cal, f->ctx, NULL), SVCQ_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    svcq_calendar_free(f->cal);
    svcq_ctx_free(f->ctx);
    assert_int_equal(f->alloc.live_blocks, 0);
    free(f);
    return 0;
}

static svcq_sla_target_spec spec(const char *metric, int64_t duration, uint32_t unit, const svcq_calendar *cal)
{
    svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
    s.metric = metric;
    s.start_event = "open";
    s.meet_event = "reply";
    s.stop_event = "stop";
    s.pause_event = "pause";
    s.resume_event = "resume";
    s.restart_event = "reopen";
    s.duration = duration;
    s.duration_unit = unit;
    s.calendar = cal;
    s.warn_count = 1;
    s.warn_percent[0] = 50;
    s.escalate_count = 1;
    s.escalate_percent[0] = 200;
    return s;
}

static svcq_sla_policy *policy1(svcq_ctx *ctx, const char *name, svcq_sla_target_spec s)
{
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, ctx, name, 1), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    return p;
}

static void ev(svcq_sla_clock *c, const char *name, svcq_time at, const char *reason)
{
    int rc = svcq_sla_clock_event(c, name, at, reason);
    if (rc)
        fail_msg("event %s at %lld: %s", name, (long long)at, svcq_strerror(rc));
}

static svcq_sla_status status_at(const svcq_sla_clock *c, uint32_t j, svcq_time at)
{
    svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
    assert_int_equal(svcq_sla_clock_status(&st, c, j, at), SVCQ_OK);
    return st;
}

/* Everything observable of a clock, as text: policy version, event log,
 * each target's full status at several instants, paused seconds of every
 * reason in the log, and the next instant. */
static char *describe(const svcq_sla_clock *c)
{
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap);
    const svcq_sla_policy *P = svcq_sla_clock_policy(c);
    n += (size_t)snprintf(out + n, cap - n, "%s v%u events=%u:", svcq_sla_policy_name(P),
                          svcq_sla_policy_version(P), svcq_sla_clock_event_count(c));
    for (uint32_t i = 0; i < svcq_sla_clock_event_count(c); i++) {
        const char *name, *reason;
        svcq_time at;
        assert_int_equal(svcq_sla_clock_event_at(&name, &at, &reason, c, i), SVCQ_OK);
        n += (size_t)snprintf(out + n, cap - n, " %s@%lld/%s", name, (long long)at, reason);
    }
    const svcq_time probes[] = { T0, T0 + 3 * HOUR, T0 + 2 * DAY, T0 + 9 * DAY };
    for (uint32_t j = 0; j < svcq_sla_policy_target_count(P); j++) {
        for (size_t k = 0; k < sizeof(probes) / sizeof(probes[0]); k++) {
            svcq_sla_status x = status_at(c, j, probes[k]);
            n += (size_t)snprintf(out + n, cap - n, " [%s %d %lld %lld %lld %lld %lld %lld %lld %lld %d %u %u]",
                                  x.metric, x.state, (long long)x.started_at, (long long)x.due_at,
                                  (long long)x.warn_at, (long long)x.met_at, (long long)x.breached_at,
                                  (long long)x.elapsed, (long long)x.remaining, (long long)x.paused,
                                  x.escalation_level, x.met_count, x.breached_count);
        }
        for (uint32_t i = 0; i < svcq_sla_clock_event_count(c); i++) {
            const char *reason;
            assert_int_equal(svcq_sla_clock_event_at(NULL, NULL, &reason, c, i), SVCQ_OK);
            int64_t secs;
            assert_int_equal(svcq_sla_clock_paused_seconds(&secs, c, j, reason, probes[3]), SVCQ_OK);
            n += (size_t)snprintf(out + n, cap - n, " p(%s)=%lld", reason, (long long)secs);
        }
    }
    svcq_time next;
    assert_int_equal(svcq_sla_clock_next_at(&next, c, T0 - DAY), SVCQ_OK);
    n += (size_t)snprintf(out + n, cap - n, " next=%lld", (long long)next);
    assert_true(n < cap);
    return out;
}

/* ---- business days ----------------------------------------------------- */

static void business_days_examples(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p = policy1(f->ctx, "days", spec("accept", 1, SVCQ_SLA_UNIT_BUSINESS_DAYS, f->cal));
    svcq_sla_target_spec two = spec("accept2", 2, SVCQ_SLA_UNIT_BUSINESS_DAYS, f->cal);
    two.start_event = "open2";
    assert_int_equal(svcq_sla_policy_add_target(p, &two), SVCQ_OK);
    svcq_sla_clock *a, *b, *c;
    assert_int_equal(svcq_sla_clock_new(&a, p, "a"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&b, p, "b"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&c, p, "c"), SVCQ_OK);

    /* Monday 09:00 + 1 business day = Tuesday 09:00 (9 business hours). */
    ev(a, "open", T0, NULL);
    svcq_sla_status st = status_at(a, 0, T0);
    assert_int_equal(st.due_at, T0 + DAY);
    assert_int_equal(st.remaining, 9 * HOUR);
    assert_int_equal(st.warn_at, T0 + 4 * HOUR + 30 * MIN); /* 50 % of 9 h */
    assert_int_equal(status_at(a, 0, T0 + DAY).state, SVCQ_SLA_RUNNING);
    assert_int_equal(status_at(a, 0, T0 + DAY + 1).state, SVCQ_SLA_BREACHED);
    /* Met before Tuesday's opening: on time. */
    ev(a, "reply", T0 + DAY - 30 * MIN, NULL);
    st = status_at(a, 0, T0 + 2 * DAY);
    assert_int_equal(st.state, SVCQ_SLA_MET);
    assert_int_equal(st.due_at, T0 + DAY);

    /* Monday 16:30 + 2 = Wednesday 16:30. */
    ev(b, "open2", T0 + 7 * HOUR + 30 * MIN, NULL);
    assert_int_equal(status_at(b, 1, T0 + 8 * HOUR).due_at, T0 + 2 * DAY + 7 * HOUR + 30 * MIN);
    assert_int_equal(status_at(b, 1, T0 + 8 * HOUR).remaining, 18 * HOUR - 30 * MIN);

    /* Friday 17:00 + 1 = Monday 17:00; a pause of one business hour on
     * Monday moves it to Tuesday 09:00 (business seconds, as before). */
    svcq_time fri_1700 = T0 + 4 * DAY + 8 * HOUR;
    ev(c, "open", fri_1700, NULL);
    assert_int_equal(status_at(c, 0, fri_1700).due_at, fri_1700 + 3 * DAY);
    ev(c, "pause", fri_1700 + 3 * DAY - 6 * HOUR, "customer");
    ev(c, "resume", fri_1700 + 3 * DAY - 5 * HOUR, "customer");
    assert_int_equal(status_at(c, 0, fri_1700 + 3 * DAY).due_at, fri_1700 + 3 * DAY + 16 * HOUR);
    assert_int_equal(svcq_sla_clock_rebuild(c), SVCQ_OK);
    assert_int_equal(status_at(c, 0, fri_1700 + 3 * DAY).due_at, fri_1700 + 3 * DAY + 16 * HOUR);

    svcq_sla_clock_free(a);
    svcq_sla_clock_free(b);
    svcq_sla_clock_free(c);
    svcq_sla_policy_free(p);

    /* Without a calendar (7×24 UTC) a business day is 86,400 s. */
    p = policy1(f->ctx, "days24", spec("accept", 3, SVCQ_SLA_UNIT_BUSINESS_DAYS, NULL));
    assert_int_equal(svcq_sla_clock_new(&a, p, "a"), SVCQ_OK);
    ev(a, "open", T0 + 5 * MIN, NULL);
    st = status_at(a, 0, T0 + 5 * MIN);
    assert_int_equal(st.due_at, T0 + 5 * MIN + 3 * DAY);
    assert_int_equal(st.remaining, 3 * DAY);
    svcq_sla_clock_free(a);
    svcq_sla_policy_free(p);
}

/* Oracle: a start inside Mon–Fri 09:00–18:00 plus N business days is due
 * at the same time of day N weekdays later (weekday arithmetic, no
 * calendar), with the breach one second after. */
static void business_days_property(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p = policy1(f->ctx, "days", spec("t", 1, SVCQ_SLA_UNIT_BUSINESS_DAYS, f->cal));
    svcq_sla_policy *ps[5];
    for (int n = 1; n <= 5; n++) {
        svcq_sla_target_spec s = spec("t", n, SVCQ_SLA_UNIT_BUSINESS_DAYS, f->cal);
        s.recurring = 1;
        ps[n - 1] = policy1(f->ctx, "days", s);
    }
    uint64_t seed = 12345;
    for (int i = 0; i < 2000; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        int n = 1 + (int)((seed >> 33) % 5);
        int64_t day = (int64_t)((seed >> 13) % 400); /* days after Monday 2026-01-05 */
        if ((day % 7) >= 5)
            day -= 2; /* a weekday */
        int64_t sod = 9 * HOUR + (int64_t)((seed >> 40) % (9 * HOUR));
        svcq_time start = T0 - 9 * HOUR + day * DAY + sod;
        int64_t wd = day % 7, add = 0;
        for (int k = 0; k < n;) {
            add++;
            if ((wd + add) % 7 < 5)
                k++;
        }
        svcq_time want = start + add * DAY;
        svcq_sla_clock *c;
        assert_int_equal(svcq_sla_clock_new(&c, ps[n - 1], "x"), SVCQ_OK);
        ev(c, "open", start, NULL);
        svcq_sla_status st = status_at(c, 0, start);
        if (st.due_at != want)
            fail_msg("start %lld + %d business days: due %lld, oracle %lld", (long long)start, n,
                     (long long)st.due_at, (long long)want);
        assert_int_equal(status_at(c, 0, want).state, SVCQ_SLA_RUNNING);
        assert_int_equal(status_at(c, 0, want + 1).state, SVCQ_SLA_BREACHED);
        /* A recurring cycle met at the due time starts the next one there. */
        ev(c, "reply", want, NULL);
        st = status_at(c, 0, want);
        assert_int_equal(st.met_count, 1);
        assert_int_equal(st.started_at, want);
        svcq_sla_clock_free(c);
    }
    for (int n = 0; n < 5; n++)
        svcq_sla_policy_free(ps[n]);
    svcq_sla_policy_free(p);
}

/* ---- restart ----------------------------------------------------------- */

static void restart_from_every_state(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p = policy1(f->ctx, "r", spec("fix", HOUR, SVCQ_SLA_UNIT_SECONDS, NULL));
    const char *lead[][3] = {
        { NULL, NULL, NULL },       /* pending: the restart starts it */
        { "open", NULL, NULL },     /* running */
        { "open", "pause", NULL },  /* paused */
        { "open", "reply", NULL },  /* met */
        { "open", "stop", NULL },   /* cancelled */
        { "open", NULL, "late" },   /* breached while running */
    };
    for (size_t i = 0; i < sizeof(lead) / sizeof(lead[0]); i++) {
        svcq_sla_clock *c;
        assert_int_equal(svcq_sla_clock_new(&c, p, "r"), SVCQ_OK);
        if (lead[i][0])
            ev(c, lead[i][0], T0, NULL);
        if (lead[i][1])
            ev(c, lead[i][1], T0 + 10 * MIN, "hold");
        svcq_time r = lead[i][2] ? T0 + 2 * HOUR : T0 + 30 * MIN;
        uint32_t breached = lead[i][2] ? 1 : 0;
        ev(c, "reopen", r, NULL);
        svcq_sla_status st = status_at(c, 0, r + 10 * MIN);
        assert_int_equal(st.state, SVCQ_SLA_RUNNING);
        assert_int_equal(st.started_at, r);
        assert_int_equal(st.elapsed, 10 * MIN);
        assert_int_equal(st.paused, 0);
        assert_int_equal(st.due_at, r + HOUR);
        assert_int_equal(st.breached_at, SVCQ_SLA_NEVER);
        assert_int_equal(st.escalation_level, -1);
        assert_int_equal(st.breached_count, breached);
        assert_int_equal(st.met_count, strcmp(lead[i][1] ? lead[i][1] : "", "reply") == 0 ? 1 : 0);
        int64_t held;
        assert_int_equal(svcq_sla_clock_paused_seconds(&held, c, 0, "hold", r + HOUR), SVCQ_OK);
        assert_int_equal(held, 0); /* the old cycle's pause went with it */
        /* The start event after a restart is ignored; a meet meets the new cycle. */
        ev(c, "open", r + 20 * MIN, NULL);
        ev(c, "reply", r + 50 * MIN, NULL);
        st = status_at(c, 0, r + 2 * HOUR);
        assert_int_equal(st.state, SVCQ_SLA_MET);
        assert_int_equal(st.met_at, r + 50 * MIN);
        assert_int_equal(st.due_at, r + HOUR);
        svcq_sla_clock_free(c);
    }
    svcq_sla_policy_free(p);
}

static void restart_out_of_order_and_rebuild(void **state)
{
    fx *f = *state;
    svcq_sla_target_spec s = spec("fix", 1, SVCQ_SLA_UNIT_BUSINESS_DAYS, f->cal);
    svcq_sla_policy *p = policy1(f->ctx, "r", s);
    svcq_sla_clock *in, *out;
    assert_int_equal(svcq_sla_clock_new(&in, p, "in"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&out, p, "out"), SVCQ_OK);
    struct {
        const char *name;
        svcq_time at;
        const char *reason;
    } log[] = {
        { "open", T0, NULL },
        { "pause", T0 + HOUR, "cust" },
        { "reopen", T0 + 2 * HOUR, NULL },       /* clears the pause, new cycle of 9 h */
        { "pause", T0 + 3 * HOUR, "vendor" },
        { "resume", T0 + 4 * HOUR, "vendor" },
        { "reply", T0 + DAY + 2 * HOUR, NULL },  /* 8 business hours in: on time */
        { "reopen", T0 + DAY + 3 * HOUR, NULL }, /* after met: running again */
    };
    size_t n = sizeof(log) / sizeof(log[0]);
    for (size_t i = 0; i < n; i++)
        ev(in, log[i].name, log[i].at, log[i].reason);
    /* The same events, the restarts last. */
    const size_t order[] = { 0, 1, 3, 4, 5, 6, 2 };
    for (size_t i = 0; i < n; i++)
        ev(out, log[order[i]].name, log[order[i]].at, log[order[i]].reason);
    char *a = describe(in), *b = describe(out);
    assert_string_equal(a, b);
    svcq_sla_status st = status_at(in, 0, T0 + DAY + 4 * HOUR);
    assert_int_equal(st.state, SVCQ_SLA_RUNNING);
    assert_int_equal(st.started_at, T0 + DAY + 3 * HOUR);
    assert_int_equal(st.due_at, T0 + 2 * DAY + 3 * HOUR);
    assert_int_equal(st.met_count, 1);
    assert_int_equal(svcq_sla_clock_rebuild(out), SVCQ_OK);
    char *c = describe(out);
    assert_string_equal(a, c);
    free(a);
    free(b);
    free(c);
    svcq_sla_clock_free(in);
    svcq_sla_clock_free(out);
    svcq_sla_policy_free(p);
}

typedef struct seen {
    int n;
    uint32_t cycle[32];
    int32_t kind[32];
    svcq_time at[32];
} seen;

static int record(const svcq_sla_notice *x, void *ud)
{
    seen *s = ud;
    if (s->n < 32) {
        s->cycle[s->n] = x->cycle;
        s->kind[s->n] = x->kind;
        s->at[s->n] = x->at;
    }
    s->n++;
    return 0;
}

static void restart_delivers_the_new_cycle(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p = policy1(f->ctx, "r", spec("fix", HOUR, SVCQ_SLA_UNIT_SECONDS, NULL));
    seen s = { 0 };
    svcq_sla_scheduler *sched;
    assert_int_equal(svcq_sla_scheduler_new(&sched, f->ctx, record, &s), SVCQ_OK);
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, p, "r"), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(sched, c), SVCQ_OK);
    ev(c, "open", T0, NULL);
    uint64_t n;
    assert_int_equal(svcq_sla_scheduler_advance(&n, sched, T0 + 2 * HOUR), SVCQ_OK);
    assert_int_equal(n, 2); /* warning at 30 min, breach at 1 h + 1 s */
    ev(c, "reopen", T0 + 3 * HOUR, NULL);
    assert_int_equal(svcq_sla_scheduler_advance(&n, sched, T0 + 6 * HOUR), SVCQ_OK);
    /* Cycle 0's escalation (T0 + 2 h + 1 s) fell due before the restart
     * ended the cycle but after the last advance: it is delivered now,
     * with its own instant and cycle, before cycle 1's warning, breach
     * and escalation, counted from the restart. */
    assert_int_equal(n, 4);
    assert_int_equal(s.n, 6);
    assert_int_equal(s.cycle[2], 0);
    assert_int_equal(s.kind[2], SVCQ_SLA_NOTICE_ESCALATION);
    assert_int_equal(s.at[2], T0 + 2 * HOUR + 1);
    for (int i = 3; i < 6; i++)
        assert_int_equal(s.cycle[i], 1);
    assert_int_equal(s.kind[3], SVCQ_SLA_NOTICE_WARNING);
    assert_int_equal(s.at[3], T0 + 3 * HOUR + 30 * MIN);
    assert_int_equal(s.at[4], T0 + 4 * HOUR + 1);
    assert_int_equal(s.at[5], T0 + 5 * HOUR + 1);
    svcq_sla_scheduler_free(sched);
    svcq_sla_policy_free(p);
}

/* Notices an ended cycle reached before the scheduler came are not lost:
 * two recurring meets between advances, the first one late. They come at
 * the next advance with their own instants and cycle, and a save records
 * that they were delivered. */
static void ended_cycles_deliver_what_they_reached(void **state)
{
    fx *f = *state;
    svcq_sla_target_spec sp = spec("update", HOUR, SVCQ_SLA_UNIT_SECONDS, NULL);
    sp.recurring = 1;
    svcq_sla_policy *p = policy1(f->ctx, "rec", sp);
    seen s = { 0 };
    svcq_sla_scheduler *sched;
    assert_int_equal(svcq_sla_scheduler_new(&sched, f->ctx, record, &s), SVCQ_OK);
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, p, "rec-1"), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(sched, c), SVCQ_OK);
    ev(c, "open", T0, NULL);
    uint64_t n;
    assert_int_equal(svcq_sla_scheduler_advance(&n, sched, T0 + 10 * MIN), SVCQ_OK);
    assert_int_equal(n, 0);
    /* Cycle 0 met late at 1 h 30 (warning 30 min, breach 1 h + 1 s);
     * cycle 1 met at 1 h 45 before its warning (2 h 00); cycle 2 runs. */
    ev(c, "reply", T0 + HOUR + 30 * MIN, NULL);
    ev(c, "reply", T0 + HOUR + 45 * MIN, NULL);
    svcq_time next;
    assert_int_equal(svcq_sla_scheduler_next_at(&next, sched), SVCQ_OK);
    assert_int_equal(next, T0 + 30 * MIN);
    assert_int_equal(svcq_sla_scheduler_advance(&n, sched, T0 + 2 * HOUR), SVCQ_OK);
    assert_int_equal(n, 2);
    assert_int_equal(s.cycle[0], 0);
    assert_int_equal(s.kind[0], SVCQ_SLA_NOTICE_WARNING);
    assert_int_equal(s.at[0], T0 + 30 * MIN);
    assert_int_equal(s.cycle[1], 0);
    assert_int_equal(s.kind[1], SVCQ_SLA_NOTICE_BREACH);
    assert_int_equal(s.at[1], T0 + HOUR + 1);
    assert_int_equal(svcq_sla_scheduler_next_at(&next, sched), SVCQ_OK);
    assert_int_equal(next, T0 + 2 * HOUR + 15 * MIN); /* cycle 2's warning */

    /* Saved and loaded: nothing of cycle 0 comes again. */
    uint64_t failed;
    assert_int_equal(svcq_sla_scheduler_save(&failed, sched), SVCQ_OK);
    seen s2 = { 0 };
    svcq_sla_scheduler *again;
    assert_int_equal(svcq_sla_scheduler_new(&again, f->ctx, record, &s2), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_load(again, &p, 1, 0), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_advance(&n, again, T0 + 2 * HOUR), SVCQ_OK);
    assert_int_equal(n, 0);
    assert_int_equal(svcq_sla_scheduler_advance(&n, again, T0 + 3 * HOUR), SVCQ_OK);
    assert_int_equal(n, 2); /* cycle 2: warning 2 h 15, breach 2 h 45 + 1 s */
    assert_int_equal(s2.cycle[0], 2);
    assert_int_equal(s2.at[0], T0 + 2 * HOUR + 15 * MIN);
    assert_int_equal(s2.at[1], T0 + 2 * HOUR + 45 * MIN + 1);
    svcq_sla_scheduler_free(again);

    /* The same in the first scheduler. */
    assert_int_equal(svcq_sla_scheduler_advance(&n, sched, T0 + 3 * HOUR), SVCQ_OK);
    assert_int_equal(n, 2);
    assert_int_equal(s.cycle[2], 2);
    svcq_sla_scheduler_free(sched);
    svcq_sla_policy_free(p);
}

/* ---- status: a met target keeps its due time ------------------------------ */

static void ended_targets_keep_their_due_time(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p = policy1(f->ctx, "d", spec("fix", HOUR, SVCQ_SLA_UNIT_SECONDS, NULL));
    svcq_sla_clock *a, *b, *c, *d;
    assert_int_equal(svcq_sla_clock_new(&a, p, "a"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&b, p, "b"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&c, p, "c"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&d, p, "d"), SVCQ_OK);
    /* Met 50 min in, due at 1 h: both shown. */
    ev(a, "open", T0, NULL);
    ev(a, "reply", T0 + 50 * MIN, NULL);
    svcq_sla_status st = status_at(a, 0, T0 + 5 * HOUR);
    assert_int_equal(st.state, SVCQ_SLA_MET);
    assert_int_equal(st.met_at, T0 + 50 * MIN);
    assert_int_equal(st.due_at, T0 + HOUR);
    assert_int_equal(st.warn_at, SVCQ_SLA_NEVER);
    /* Met late: breached, the due time and the breach kept. */
    ev(b, "open", T0, NULL);
    ev(b, "reply", T0 + 70 * MIN, NULL);
    st = status_at(b, 0, T0 + 5 * HOUR);
    assert_int_equal(st.state, SVCQ_SLA_BREACHED);
    assert_int_equal(st.due_at, T0 + HOUR);
    assert_int_equal(st.breached_at, T0 + HOUR + 1);
    /* Cancelled while running: kept. */
    ev(c, "open", T0, NULL);
    ev(c, "stop", T0 + 10 * MIN, NULL);
    st = status_at(c, 0, T0 + 5 * HOUR);
    assert_int_equal(st.state, SVCQ_SLA_CANCELLED);
    assert_int_equal(st.due_at, T0 + HOUR);
    /* Met while paused: no deadline was in force. */
    ev(d, "open", T0, NULL);
    ev(d, "pause", T0 + 10 * MIN, NULL);
    ev(d, "reply", T0 + 20 * MIN, NULL);
    st = status_at(d, 0, T0 + 5 * HOUR);
    assert_int_equal(st.state, SVCQ_SLA_MET);
    assert_int_equal(st.due_at, SVCQ_SLA_NEVER);
    svcq_sla_clock_free(a);
    svcq_sla_clock_free(b);
    svcq_sla_clock_free(c);
    svcq_sla_clock_free(d);
    svcq_sla_policy_free(p);
}

/* ---- instants, messages, contexts -------------------------------------------- */

/* Leaves a known message in the context, so a test can see that the next
 * failing call wrote its own. */
static void stale_message(svcq_ctx *ctx)
{
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, ctx, "", 1), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "policy name"));
}

#define FRESH(ctx, call, code, needle) \
    do { \
        stale_message(ctx); \
        assert_int_equal((call), (code)); \
        if (!strstr(svcq_ctx_errmsg(ctx), (needle))) \
            fail_msg("%s: message \"%s\" lacks \"%s\"", #call, svcq_ctx_errmsg(ctx), (needle)); \
    } while (0)

static void unset_instants_are_refused(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p = policy1(f->ctx, "i", spec("fix", HOUR, SVCQ_SLA_UNIT_SECONDS, NULL));
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, p, "tkt-7"), SVCQ_OK);
    FRESH(f->ctx, svcq_sla_clock_event(c, "open", 0, NULL), SVCQ_EINVAL, "unset");
    FRESH(f->ctx, svcq_sla_clock_event(c, "open", -1, NULL), SVCQ_EINVAL, "tkt-7");
    svcq_time lo, hi;
    svcq_calendar_range(&lo, &hi);
    FRESH(f->ctx, svcq_sla_clock_event(c, "open", lo - 1, NULL), SVCQ_ERANGE, "1900");
    FRESH(f->ctx, svcq_sla_clock_event(c, "open", hi, NULL), SVCQ_ERANGE, "tkt-7 (policy i)");
    FRESH(f->ctx, svcq_sla_clock_event(c, "open", INT64_MIN, NULL), SVCQ_ERANGE, "tkt-7");
    assert_int_equal(svcq_sla_clock_event_count(c), 0);
    ev(c, "open", lo, NULL);  /* the range's ends are fine */
    ev(c, "reply", hi - 1, NULL);
    assert_int_equal(svcq_sla_clock_event_count(c), 2);
    svcq_sla_clock_free(c);
    svcq_sla_policy_free(p);
}

static void failing_calls_write_their_message(void **state)
{
    fx *f = *state;
    svcq_ctx *ctx = f->ctx;
    svcq_sla_policy *p = policy1(ctx, "m", spec("fix", HOUR, SVCQ_SLA_UNIT_SECONDS, NULL));
    svcq_sla_policy *q = policy1(ctx, "other", spec("fix", HOUR, SVCQ_SLA_UNIT_SECONDS, NULL));
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, p, "inc-9"), SVCQ_OK);
    svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
    FRESH(ctx, svcq_sla_clock_status(&st, c, 1, T0), SVCQ_ENOTFOUND, "inc-9");
    st.version = 0;
    FRESH(ctx, svcq_sla_clock_status(&st, c, 0, T0), SVCQ_EVERSION, "inc-9");
    FRESH(ctx, svcq_sla_clock_status(NULL, c, 0, T0), SVCQ_EINVAL, "inc-9");
    int64_t secs;
    FRESH(ctx, svcq_sla_clock_paused_seconds(&secs, c, 3, "x", T0), SVCQ_ENOTFOUND, "inc-9");
    FRESH(ctx, svcq_sla_clock_event_at(NULL, NULL, NULL, c, 0), SVCQ_ENOTFOUND, "inc-9");
    FRESH(ctx, svcq_sla_clock_next_at(NULL, c, T0), SVCQ_EINVAL, "inc-9");
    FRESH(ctx, svcq_sla_clock_event(c, "lunch", T0, NULL), SVCQ_ENOTFOUND, "inc-9 (policy m)");
    FRESH(ctx, svcq_sla_clock_event(c, NULL, T0, NULL), SVCQ_EINVAL, "inc-9");
    FRESH(ctx, svcq_sla_clock_event(c, "open\xFF", T0, NULL), SVCQ_EINVAL, "inc-9");
    FRESH(ctx, svcq_sla_clock_event(c, "pause", T0, "a\x01"), SVCQ_EINVAL, "pause reason");
    FRESH(ctx, svcq_sla_clock_change_policy(c, q, T0), SVCQ_EINVAL, "inc-9");
    FRESH(ctx, svcq_sla_clock_change_policy(c, p, T0), SVCQ_EINVAL, "not newer");
    FRESH(ctx, svcq_sla_clock_change_policy(c, NULL, T0), SVCQ_EINVAL, "inc-9");
    svcq_sla_clock *d;
    FRESH(ctx, svcq_sla_clock_new(&d, p, ""), SVCQ_EINVAL, "policy m");
    FRESH(ctx, svcq_sla_clock_new(&d, p, NULL), SVCQ_EINVAL, "policy m");
    FRESH(ctx, svcq_sla_clock_new(NULL, p, "x"), SVCQ_EINVAL, "policy m");
    svcq_sla_replay *r;
    FRESH(ctx, svcq_sla_replay_new(NULL, p), SVCQ_EINVAL, "replay of policy m");
    assert_int_equal(svcq_sla_replay_new(&r, p), SVCQ_OK);
    FRESH(ctx, svcq_sla_replay_add_clock(r, NULL, T0), SVCQ_EINVAL, "replay of policy m");
    FRESH(ctx, svcq_sla_replay_totals(NULL, NULL, NULL, r, 5), SVCQ_ENOTFOUND, "replay of policy m");
    svcq_sla_replay_free(r);
    svcq_sla_clock_free(c);
    svcq_sla_policy_free(p);
    svcq_sla_policy_free(q);
}

static void handles_of_another_context_are_refused(void **state)
{
    fx *f = *state;
    test_alloc other_alloc;
    test_alloc_init(&other_alloc);
    svcq_ctx *other = test_ctx_new(&other_alloc);
    svcq_sla_policy *p = policy1(f->ctx, "x", spec("fix", HOUR, SVCQ_SLA_UNIT_SECONDS, NULL));
    svcq_sla_policy *p2;
    assert_int_equal(svcq_sla_policy_new(&p2, other, "x", 2), SVCQ_OK);
    svcq_sla_target_spec s = spec("fix", 2 * HOUR, SVCQ_SLA_UNIT_SECONDS, NULL);
    assert_int_equal(svcq_sla_policy_add_target(p2, &s), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_set_change_mode(p2, SVCQ_SLA_CHANGE_RECOMPUTE), SVCQ_OK);
    svcq_sla_clock *c, *foreign;
    assert_int_equal(svcq_sla_clock_new(&c, p, "c"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&foreign, p2, "f"), SVCQ_OK);
    ev(c, "open", T0, NULL);
    ev(foreign, "open", T0, NULL);
    char *before = describe(c);

    FRESH(f->ctx, svcq_sla_clock_change_policy(c, p2, T0 + MIN), SVCQ_EINVAL, "belongs to another context");
    svcq_sla_replay *r;
    assert_int_equal(svcq_sla_replay_new(&r, p), SVCQ_OK);
    FRESH(f->ctx, svcq_sla_replay_add_clock(r, foreign, T0 + HOUR), SVCQ_EINVAL, "belongs to another context");
    assert_int_equal(svcq_sla_replay_subjects(r), 0);
    svcq_sla_clock_free(foreign);
    svcq_sla_policy_free(p2);
    svcq_ctx_free(other); /* nothing of it is used from here on */
    assert_int_equal(other_alloc.live_blocks, 0);

    char *after = describe(c);
    assert_string_equal(before, after);
    assert_int_equal(svcq_sla_replay_add_clock(r, c, T0 + HOUR), SVCQ_OK);
    svcq_sla_replay_free(r);
    free(before);
    free(after);
    svcq_sla_clock_free(c);
    svcq_sla_policy_free(p);
}

/* ---- pause reasons are the clock's ---------------------------------------------- */

static void pause_reasons_go_with_the_clock(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p = policy1(f->ctx, "pr", spec("fix", 100 * DAY, SVCQ_SLA_UNIT_SECONDS, NULL));
    /* Warm up: whatever the context keeps for the policy's event names. */
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, p, "warm"), SVCQ_OK);
    ev(c, "open", T0, NULL);
    ev(c, "pause", T0 + 1, "warm");
    ev(c, "resume", T0 + 2, "warm");
    svcq_sla_clock_free(c);
    size_t base = f->alloc.live_bytes;

    /* A host that uses ticket ids as reasons: 500 distinct ones. */
    assert_int_equal(svcq_sla_clock_new(&c, p, "busy"), SVCQ_OK);
    ev(c, "open", T0, NULL);
    char reason[32];
    for (int i = 0; i < 500; i++) {
        snprintf(reason, sizeof(reason), "TICKET-%06d", i);
        ev(c, "pause", T0 + 10 * i + 1, reason);
        ev(c, "resume", T0 + 10 * i + 5, reason);
    }
    int64_t secs;
    assert_int_equal(svcq_sla_clock_paused_seconds(&secs, c, 0, "TICKET-000042", T0 + DAY), SVCQ_OK);
    assert_int_equal(secs, 4);
    const char *r;
    assert_int_equal(svcq_sla_clock_event_at(NULL, NULL, &r, c, 2 * 42 + 1), SVCQ_OK);
    assert_string_equal(r, "TICKET-000042");
    svcq_sla_clock_free(c);
    /* The context holds nothing more than before the clock. */
    assert_int_equal(f->alloc.live_bytes, base);
    svcq_sla_policy_free(p);
}

/* ---- undo inside store transactions ----------------------------------------------- */

static void batch_rollback_restores_the_clock(void **state)
{
    fx *f = *state;
    svcq_ctx *ctx = f->ctx;
    svcq_sla_policy *p = policy1(ctx, "u", spec("fix", 1, SVCQ_SLA_UNIT_BUSINESS_DAYS, f->cal));
    svcq_sla_target_spec s = spec("resp", HOUR, SVCQ_SLA_UNIT_SECONDS, NULL);
    s.start_event = "open";
    s.meet_event = "first";
    s.restart_event = NULL;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    svcq_sla_policy *p2;
    assert_int_equal(svcq_sla_policy_new(&p2, ctx, "u", 2), SVCQ_OK);
    svcq_sla_target_spec s2 = spec("fix", 2, SVCQ_SLA_UNIT_BUSINESS_DAYS, f->cal);
    assert_int_equal(svcq_sla_policy_add_target(p2, &s2), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_set_change_mode(p2, SVCQ_SLA_CHANGE_CARRY), SVCQ_OK);
    seen seen_notices = { 0 };
    svcq_sla_scheduler *sched;
    assert_int_equal(svcq_sla_scheduler_new(&sched, ctx, record, &seen_notices), SVCQ_OK);
    svcq_sla_clock *c, *fresh, *loose;
    assert_int_equal(svcq_sla_clock_new(&c, p, "c"), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(sched, c), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&fresh, p, "fresh"), SVCQ_OK);
    ev(c, "open", T0, NULL);
    ev(c, "pause", T0 + HOUR, "cust-1");
    char *before = describe(c), *fresh_before = describe(fresh);
    svcq_time next_before;
    assert_int_equal(svcq_sla_scheduler_next_at(&next_before, sched), SVCQ_OK);

    /* Every kind of change in one batch, then a rollback. */
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    ev(c, "resume", T0 + 2 * HOUR, "cust-1");         /* in order */
    ev(c, "pause", T0 + 30 * MIN, "cust-2");          /* out of order, new reason */
    ev(c, "reopen", T0 + 3 * HOUR, NULL);             /* restart */
    assert_int_equal(svcq_sla_clock_change_policy(c, p2, T0 + 4 * HOUR), SVCQ_OK);
    ev(c, "pause", T0 + 5 * HOUR, "cust-3");
    assert_int_equal(svcq_sla_clock_rebuild(c), SVCQ_OK);
    ev(fresh, "open", T0, NULL);                      /* first event of an idle clock */
    assert_int_equal(svcq_sla_clock_new(&loose, p, "loose"), SVCQ_OK);
    ev(loose, "open", T0, NULL);
    svcq_sla_clock_free(loose);                       /* freed with its entry pending */
    char *during = describe(c);
    assert_string_not_equal(before, during);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);

    char *after = describe(c), *fresh_after = describe(fresh);
    assert_string_equal(before, after);
    assert_string_equal(fresh_before, fresh_after);
    assert_ptr_equal(svcq_sla_clock_policy(c), p);
    svcq_time next_after;
    assert_int_equal(svcq_sla_scheduler_next_at(&next_after, sched), SVCQ_OK);
    assert_int_equal(next_after, next_before);
    uint64_t n;
    assert_int_equal(svcq_sla_scheduler_advance(&n, sched, T0 + 10 * DAY), SVCQ_OK);

    /* Committed, the changes stay. */
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    ev(c, "resume", T0 + 2 * HOUR, "cust-1");
    assert_int_equal(svcq_ctx_batch_commit(ctx), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_count(c), 3);
    free(before);
    free(during);
    free(after);
    free(fresh_before);
    free(fresh_after);
    svcq_sla_clock_free(fresh);
    svcq_sla_scheduler_free(sched);
    svcq_sla_policy_free(p);
    svcq_sla_policy_free(p2);
}

/* A clock freed inside a batch: the rollback must not touch it (ASan). */
static void free_inside_batch_then_rollback(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p = policy1(f->ctx, "g", spec("fix", HOUR, SVCQ_SLA_UNIT_SECONDS, NULL));
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, p, "gc"), SVCQ_OK);
    ev(c, "open", T0, NULL);
    assert_int_equal(svcq_ctx_batch_begin(f->ctx), SVCQ_OK);
    ev(c, "pause", T0 + MIN, "x");
    ev(c, "resume", T0 + 30, "x"); /* out of order */
    assert_int_equal(svcq_sla_clock_change_policy(c, p, T0), SVCQ_EINVAL);
    svcq_sla_clock_free(c);
    assert_int_equal(svcq_ctx_batch_rollback(f->ctx), SVCQ_OK);
    svcq_sla_policy_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(business_days_examples, setup, teardown),
        cmocka_unit_test_setup_teardown(business_days_property, setup, teardown),
        cmocka_unit_test_setup_teardown(restart_from_every_state, setup, teardown),
        cmocka_unit_test_setup_teardown(restart_out_of_order_and_rebuild, setup, teardown),
        cmocka_unit_test_setup_teardown(restart_delivers_the_new_cycle, setup, teardown),
        cmocka_unit_test_setup_teardown(ended_cycles_deliver_what_they_reached, setup, teardown),
        cmocka_unit_test_setup_teardown(ended_targets_keep_their_due_time, setup, teardown),
        cmocka_unit_test_setup_teardown(unset_instants_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(failing_calls_write_their_message, setup, teardown),
        cmocka_unit_test_setup_teardown(handles_of_another_context_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(pause_reasons_go_with_the_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(batch_rollback_restores_the_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(free_inside_batch_then_rollback, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
