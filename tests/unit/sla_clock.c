/* SLA clocks: every semantic of svcq/sla.h, on the 7×24 calendar and on a
 * business calendar, through the scheduler, policy changes, replay and
 * exports. */
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
/* 2026-01-05 is a Monday. */
#define MON_0900 ((svcq_time)1767603600)
#define T0 MON_0900

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

/* A target on 7×24 with warnings 50/80 and escalations 150/200. */
static svcq_sla_target_spec spec(const char *metric, const char *start, const char *meet, int64_t duration)
{
    svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
    s.metric = metric;
    s.start_event = start;
    s.meet_event = meet;
    s.duration = duration;
    s.warn_count = 2;
    s.warn_percent[0] = 50;
    s.warn_percent[1] = 80;
    s.escalate_count = 2;
    s.escalate_percent[0] = 150;
    s.escalate_percent[1] = 200;
    s.pause_event = "pause";
    s.resume_event = "resume";
    s.stop_event = "stop";
    return s;
}

static svcq_sla_policy *one_target_policy(svcq_ctx *ctx, int64_t duration, uint32_t recurring)
{
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, ctx, "p", 1), SVCQ_OK);
    svcq_sla_target_spec s = spec("response", "open", "reply", duration);
    s.recurring = recurring;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    return p;
}

static svcq_sla_status status_at(const svcq_sla_clock *c, uint32_t j, svcq_time at)
{
    svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
    assert_int_equal(svcq_sla_clock_status(&st, c, j, at), SVCQ_OK);
    return st;
}

static void ev(svcq_sla_clock *c, const char *name, svcq_time at, const char *reason)
{
    int rc = svcq_sla_clock_event(c, name, at, reason);
    assert_int_equal(rc, SVCQ_OK);
}

static void met_on_time_late_and_exactly_due(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p = one_target_policy(f->ctx, 15 * MIN, 0);
    svcq_sla_clock *a, *b, *c;
    assert_int_equal(svcq_sla_clock_new(&a, p, "a"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&b, p, "b"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&c, p, "c"), SVCQ_OK);
    svcq_sla_policy_free(p); /* the clocks keep it */

    svcq_sla_status st = status_at(a, 0, T0);
    assert_int_equal(st.state, SVCQ_SLA_PENDING);
    assert_int_equal(st.due_at, SVCQ_SLA_NEVER);

    ev(a, "open", T0, NULL);
    st = status_at(a, 0, T0 + 5 * MIN);
    assert_int_equal(st.state, SVCQ_SLA_RUNNING);
    assert_int_equal(st.started_at, T0);
    assert_int_equal(st.due_at, T0 + 15 * MIN);
    assert_int_equal(st.warn_at, T0 + 450); /* 50 % of 900 s */
    assert_int_equal(st.elapsed, 5 * MIN);
    assert_int_equal(st.remaining, 10 * MIN);
    st = status_at(a, 0, T0 + 8 * MIN);
    assert_int_equal(st.warn_at, T0 + 720); /* 80 % */
    ev(a, "reply", T0 + 10 * MIN, NULL);
    st = status_at(a, 0, T0 + HOUR);
    assert_int_equal(st.state, SVCQ_SLA_MET);
    assert_int_equal(st.met_at, T0 + 10 * MIN);
    assert_int_equal(st.elapsed, 10 * MIN);
    assert_int_equal(st.met_count, 1);
    assert_int_equal(st.breached_count, 0);
    assert_int_equal(st.escalation_level, -1);

    /* Met exactly at the due time: on time. */
    ev(b, "open", T0, NULL);
    ev(b, "reply", T0 + 15 * MIN, NULL);
    st = status_at(b, 0, T0 + HOUR);
    assert_int_equal(st.state, SVCQ_SLA_MET);
    assert_int_equal(st.breached_count, 0);

    /* One second later: breached at due + 1, escalations at 150 % and
     * 200 % as time passes. */
    ev(c, "open", T0, NULL);
    st = status_at(c, 0, T0 + 15 * MIN);
    assert_int_equal(st.state, SVCQ_SLA_RUNNING);
    st = status_at(c, 0, T0 + 15 * MIN + 1);
    assert_int_equal(st.state, SVCQ_SLA_BREACHED);
    assert_int_equal(st.escalation_level, 0);
    assert_int_equal(st.breached_count, 1);
    assert_int_equal(st.remaining, -1);
    st = status_at(c, 0, T0 + 1350 + 1);
    assert_int_equal(st.escalation_level, 1);
    st = status_at(c, 0, T0 + 1800);
    assert_int_equal(st.escalation_level, 1);
    st = status_at(c, 0, T0 + 1800 + 1);
    assert_int_equal(st.escalation_level, 2);
    ev(c, "reply", T0 + 20 * MIN, NULL);
    st = status_at(c, 0, T0 + 2 * HOUR);
    assert_int_equal(st.state, SVCQ_SLA_BREACHED);
    assert_int_equal(st.met_at, T0 + 20 * MIN);
    assert_int_equal(st.breached_at, T0 + 15 * MIN + 1);
    assert_int_equal(st.escalation_level, 0); /* met before 150 % */
    assert_int_equal(st.met_count, 0);
    assert_int_equal(st.breached_count, 1);

    svcq_sla_clock_free(a);
    svcq_sla_clock_free(b);
    svcq_sla_clock_free(c);
}

static void pause_reasons_alone_and_overlapping(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p = one_target_policy(f->ctx, 1 * HOUR, 0);
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, p, "t-1"), SVCQ_OK);
    ev(c, "open", T0, NULL);
    ev(c, "pause", T0 + 10 * MIN, "customer");        /* customer 10..40 */
    svcq_sla_status st = status_at(c, 0, T0 + 20 * MIN);
    assert_int_equal(st.state, SVCQ_SLA_PAUSED);
    assert_int_equal(st.elapsed, 10 * MIN);
    assert_int_equal(st.paused, 10 * MIN);
    assert_int_equal(st.due_at, SVCQ_SLA_NEVER);
    ev(c, "pause", T0 + 20 * MIN, "vendor");          /* vendor 20..50 */
    ev(c, "pause", T0 + 25 * MIN, "vendor");          /* same reason again: no effect */
    ev(c, "resume", T0 + 40 * MIN, "customer");
    st = status_at(c, 0, T0 + 45 * MIN);
    assert_int_equal(st.state, SVCQ_SLA_PAUSED);      /* vendor still holds it */
    ev(c, "resume", T0 + 45 * MIN, "nobody");         /* not active: no effect */
    ev(c, "resume", T0 + 50 * MIN, "vendor");
    st = status_at(c, 0, T0 + 60 * MIN);
    assert_int_equal(st.state, SVCQ_SLA_RUNNING);
    assert_int_equal(st.elapsed, 20 * MIN);           /* 0..10 and 50..60 */
    assert_int_equal(st.paused, 40 * MIN);            /* union 10..50 */
    assert_int_equal(st.due_at, T0 + 50 * MIN + 50 * MIN);
    int64_t secs;
    assert_int_equal(svcq_sla_clock_paused_seconds(&secs, c, 0, "customer", T0 + 60 * MIN), SVCQ_OK);
    assert_int_equal(secs, 30 * MIN);
    assert_int_equal(svcq_sla_clock_paused_seconds(&secs, c, 0, "vendor", T0 + 60 * MIN), SVCQ_OK);
    assert_int_equal(secs, 30 * MIN);
    assert_int_equal(svcq_sla_clock_paused_seconds(&secs, c, 0, "unknown", T0 + 60 * MIN), SVCQ_OK);
    assert_int_equal(secs, 0);
    assert_int_equal(svcq_sla_clock_paused_seconds(&secs, c, 1, "vendor", T0), SVCQ_ENOTFOUND);

    /* A resume without reason ends every pause. */
    ev(c, "pause", T0 + 70 * MIN, "a");
    ev(c, "pause", T0 + 71 * MIN, "b");
    ev(c, "resume", T0 + 80 * MIN, NULL);
    st = status_at(c, 0, T0 + 80 * MIN);
    assert_int_equal(st.state, SVCQ_SLA_RUNNING);
    assert_int_equal(st.elapsed, 30 * MIN);
    assert_int_equal(svcq_sla_clock_paused_seconds(&secs, c, 0, "b", T0 + 90 * MIN), SVCQ_OK);
    assert_int_equal(secs, 9 * MIN);
    svcq_sla_clock_free(c);
    svcq_sla_policy_free(p);
}

static void recurring_over_many_cycles(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p = one_target_policy(f->ctx, 4 * HOUR, 1);
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, p, "r"), SVCQ_OK);
    ev(c, "open", T0, NULL);
    svcq_time t = T0;
    uint32_t on_time = 0, late = 0;
    for (int i = 0; i < 50; i++) {
        /* Every seventh update comes 5 h after the previous one. */
        svcq_time gap = (i % 7 == 3) ? 5 * HOUR : 3 * HOUR + 59 * MIN;
        t += gap;
        ev(c, "reply", t, NULL);
        if (gap > 4 * HOUR)
            late++;
        else
            on_time++;
        svcq_sla_status st = status_at(c, 0, t);
        assert_int_equal(st.state, SVCQ_SLA_RUNNING);
        assert_int_equal(st.started_at, t);
        assert_int_equal(st.due_at, t + 4 * HOUR);
        assert_int_equal(st.met_count, on_time);
        assert_int_equal(st.breached_count, late);
    }
    ev(c, "stop", t + HOUR, NULL);
    svcq_sla_status st = status_at(c, 0, t + 10 * HOUR);
    assert_int_equal(st.state, SVCQ_SLA_CANCELLED);
    assert_int_equal(st.met_count, 43);
    assert_int_equal(st.breached_count, 7);
    assert_int_equal(st.elapsed, HOUR);
    svcq_sla_clock_free(c);
    svcq_sla_policy_free(p);
}

static void order_duplicates_and_unknown_events(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p = one_target_policy(f->ctx, 15 * MIN, 0);
    svcq_sla_clock *c, *ref;
    assert_int_equal(svcq_sla_clock_new(&c, p, "x"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&ref, p, "y"), SVCQ_OK);

    /* Meet before start: ignored by the target. */
    ev(c, "reply", T0 - MIN, NULL);
    assert_int_equal(status_at(c, 0, T0).state, SVCQ_SLA_PENDING);
    /* Out of order: the reply arrives before the open it follows. */
    ev(c, "reply", T0 + 20 * MIN, NULL);
    ev(c, "open", T0, NULL);
    svcq_sla_status st = status_at(c, 0, T0 + HOUR);
    assert_int_equal(st.state, SVCQ_SLA_BREACHED);
    assert_int_equal(st.met_at, T0 + 20 * MIN);
    /* A late event in the past rewrites history: now met on time. */
    ev(c, "reply", T0 + 10 * MIN, NULL);
    st = status_at(c, 0, T0 + HOUR);
    assert_int_equal(st.state, SVCQ_SLA_MET);
    assert_int_equal(st.met_at, T0 + 10 * MIN);
    assert_int_equal(svcq_sla_clock_event_count(c), 4);

    /* The same history in order gives the same state. */
    ev(ref, "reply", T0 - MIN, NULL);
    ev(ref, "open", T0, NULL);
    ev(ref, "reply", T0 + 10 * MIN, NULL);
    ev(ref, "reply", T0 + 20 * MIN, NULL);
    svcq_sla_status a = status_at(ref, 0, T0 + HOUR);
    assert_memory_equal(&a, &st, sizeof(st));

    /* Duplicates change nothing. */
    ev(c, "open", T0, NULL);
    ev(c, "reply", T0 + 10 * MIN, NULL);
    assert_int_equal(svcq_sla_clock_event_count(c), 4);
    const char *name, *reason;
    svcq_time at;
    assert_int_equal(svcq_sla_clock_event_at(&name, &at, &reason, c, 1), SVCQ_OK);
    assert_string_equal(name, "open");
    assert_int_equal(at, T0);
    assert_string_equal(reason, "");
    assert_int_equal(svcq_sla_clock_event_at(&name, &at, &reason, c, 4), SVCQ_ENOTFOUND);

    /* Rebuild from the log gives the same state. */
    assert_int_equal(svcq_sla_clock_rebuild(c), SVCQ_OK);
    svcq_sla_status b = status_at(c, 0, T0 + HOUR);
    assert_memory_equal(&b, &st, sizeof(st));

    /* Unknown events and bad input are refused and change nothing. */
    assert_int_equal(svcq_sla_clock_event(c, "lunch", T0, NULL), SVCQ_ENOTFOUND);
    assert_non_null(strstr(svcq_ctx_errmsg(f->ctx), "lunch"));
    assert_int_equal(svcq_sla_clock_event(c, "open\xFF", T0, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_clock_event(c, NULL, T0, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_clock_event(c, "pause", T0, "bad\xC0"), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_clock_event(c, "open", SVCQ_SLA_NEVER, NULL), SVCQ_ERANGE);
    assert_int_equal(svcq_sla_clock_event(NULL, "open", T0, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_clock_event_count(c), 4);
    svcq_sla_clock_free(c);
    svcq_sla_clock_free(ref);
    svcq_sla_policy_free(p);
}

static void policy_validation(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, f->ctx, "", 1), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_policy_new(&p, f->ctx, "p", 0), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_policy_new(&p, f->ctx, "p\xFF", 1), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_policy_new(&p, f->ctx, "p", 3), SVCQ_OK);
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, p, "s"), SVCQ_EINVAL); /* no targets */

    svcq_sla_target_spec s = spec("m", "a", "b", 100);
    s.warn_percent[1] = 40; /* not ascending */
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    s = spec("m", "a", "b", 100);
    s.escalate_percent[0] = 100;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    s = spec("m", "a", "b", -1);
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    s = spec("m", "a", "b", 100);
    s.resume_event = NULL;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    s = spec("m", NULL, "b", 100);
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    s = spec("m", "a", "b", 100);
    s.reserved[2] = 1;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    s = spec("m", "a", "b", 100);
    s.version = SVCQ_SLA_TARGET_SPEC_VERSION + 1;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EVERSION);
    s = spec("m", "a", "b", 100);
    s.version = 1; /* v1 had reserved space where v2 keeps the unit */
    s.duration_unit = SVCQ_SLA_UNIT_BUSINESS_DAYS;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    s = spec("m", "a", "b", 100);
    s.duration_unit = 7;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    s = spec("m", "a", "b", 3661);
    s.duration_unit = SVCQ_SLA_UNIT_BUSINESS_DAYS;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    s = spec("m", "a", "b", 0);
    s.recurring = 1;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    s = spec("m", "a", "b", 100);
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL); /* same metric */
    assert_int_equal(svcq_sla_policy_set_change_mode(p, 7), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_policy_set_change_mode(p, SVCQ_SLA_CHANGE_CARRY), SVCQ_OK);

    svcq_sla_target_spec back = SVCQ_SLA_TARGET_SPEC_INIT;
    assert_int_equal(svcq_sla_policy_target(&back, p, 0), SVCQ_OK);
    assert_string_equal(back.metric, "m");
    assert_string_equal(back.stop_event, "stop");
    assert_int_equal(back.duration, 100);
    assert_int_equal(back.warn_count, 2);
    assert_int_equal(back.escalate_percent[1], 200);
    assert_int_equal(svcq_sla_policy_target(&back, p, 1), SVCQ_ENOTFOUND);
    assert_string_equal(svcq_sla_policy_name(p), "p");
    assert_int_equal(svcq_sla_policy_version(p), 3);
    assert_int_equal(svcq_sla_policy_change_mode(p), SVCQ_SLA_CHANGE_CARRY);
    assert_int_equal(svcq_sla_policy_target_count(p), 1);

    /* In use: frozen. */
    assert_int_equal(svcq_sla_clock_new(&c, p, ""), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_clock_new(&c, p, "s"), SVCQ_OK);
    s = spec("other", "a", "b", 100);
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_ESTATE);
    assert_int_equal(svcq_sla_policy_set_change_mode(p, SVCQ_SLA_CHANGE_KEEP), SVCQ_ESTATE);
    svcq_sla_clock_free(c);
    svcq_sla_policy_free(p);

    assert_string_equal(svcq_sla_event_name(SVCQ_SLA_EV_PROGRESS_UPDATE), SVCQ_SLA_EVENT_PROGRESS_UPDATE);
    assert_null(svcq_sla_event_name(99));
    assert_null(svcq_sla_event_name(-1));
}

/* ---- business calendar -------------------------------------------------- */

static void business_calendar_deadlines(void **state)
{
    fx *f = *state;
    svcq_calendar *cal;
    assert_int_equal(svcq_sla_default_calendar(&cal, f->ctx, NULL), SVCQ_OK);
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, f->ctx, "biz", 1), SVCQ_OK);
    svcq_sla_target_spec s = spec("resolve", "open", "reply", 4 * HOUR);
    s.calendar = cal;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    svcq_calendar_free(cal); /* the policy copied it */
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, p, "b"), SVCQ_OK);
    /* Friday 16:00 (T0 + 4 days + 7 h): 2 h left on Friday, due Monday 11:00. */
    svcq_time fri_1600 = T0 + 4 * 24 * HOUR + 7 * HOUR;
    svcq_time mon_1100 = T0 + 7 * 24 * HOUR + 2 * HOUR;
    ev(c, "open", fri_1600, NULL);
    svcq_sla_status st = status_at(c, 0, fri_1600 + 2 * HOUR + 1);
    assert_int_equal(st.due_at, mon_1100);
    assert_int_equal(st.elapsed, 2 * HOUR);
    assert_int_equal(st.state, SVCQ_SLA_RUNNING);
    assert_int_equal(st.warn_at, mon_1100 - 48 * MIN); /* 80 % = 3 h 12 min */
    /* Paused over the weekend counts business seconds only. */
    ev(c, "pause", fri_1600 + HOUR, "customer");
    ev(c, "resume", mon_1100 - 2 * HOUR, "customer"); /* Monday 09:00 */
    st = status_at(c, 0, mon_1100);
    assert_int_equal(st.paused, HOUR);
    assert_int_equal(st.due_at, mon_1100 + HOUR);
    svcq_time next;
    assert_int_equal(svcq_sla_clock_next_at(&next, c, mon_1100 - 2 * HOUR), SVCQ_OK);
    assert_int_equal(next, mon_1100 - 2 * HOUR + HOUR); /* 50 % = 2 h, 1 h done */
    svcq_sla_clock_free(c);
    svcq_sla_policy_free(p);
}

/* ---- scheduler ----------------------------------------------------------- */

typedef struct got {
    int n;
    svcq_time at[64];
    int32_t kind[64], level[64];
    char subject[64][16];
    char metric[64][32];
    int stop_after;
} got;

static int collect(const svcq_sla_notice *n, void *ud)
{
    got *g = ud;
    if (g->stop_after && g->n == g->stop_after)
        return 1;
    assert_true(g->n < 64);
    g->at[g->n] = n->at;
    g->kind[g->n] = n->kind;
    g->level[g->n] = n->level;
    snprintf(g->subject[g->n], 16, "%s", n->subject);
    snprintf(g->metric[g->n], 32, "%s", n->metric);
    g->n++;
    return 0;
}

static void scheduler_delivers_in_order_once(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p = one_target_policy(f->ctx, 1000, 0);
    got g = { 0 };
    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, f->ctx, collect, &g), SVCQ_OK);
    svcq_sla_clock *a, *b;
    assert_int_equal(svcq_sla_clock_new(&a, p, "a"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&b, p, "b"), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(s, b), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(s, a), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(s, a), SVCQ_EEXIST);
    assert_int_equal(svcq_sla_scheduler_count(s), 2);
    assert_ptr_equal(svcq_sla_scheduler_find(s, "a", "p"), a);
    assert_null(svcq_sla_scheduler_find(s, "a", "q"));
    svcq_time next;
    assert_int_equal(svcq_sla_scheduler_next_at(&next, s), SVCQ_OK);
    assert_int_equal(next, SVCQ_SLA_NEVER);

    ev(a, "open", T0, NULL);
    ev(b, "open", T0, NULL);
    assert_int_equal(svcq_sla_scheduler_next_at(&next, s), SVCQ_OK);
    assert_int_equal(next, T0 + 500);
    uint64_t n;
    assert_int_equal(svcq_sla_scheduler_advance(&n, s, T0 + 499), SVCQ_OK);
    assert_int_equal(n, 0);
    /* Ties in time: by subject. */
    assert_int_equal(svcq_sla_scheduler_advance(&n, s, T0 + 800), SVCQ_OK);
    assert_int_equal(n, 4);
    assert_int_equal(g.at[0], T0 + 500);
    assert_string_equal(g.subject[0], "a");
    assert_string_equal(g.subject[1], "b");
    assert_int_equal(g.at[2], T0 + 800);
    assert_int_equal(g.level[2], 80);
    /* Each once: advancing again to the same time delivers nothing. */
    assert_int_equal(svcq_sla_scheduler_advance(&n, s, T0 + 800), SVCQ_OK);
    assert_int_equal(n, 0);
    /* b is met; a breaches (due + 1) and escalates at 150 % + 1 and 200 % + 1. */
    ev(b, "reply", T0 + 900, NULL);
    assert_int_equal(svcq_sla_scheduler_advance(&n, s, T0 + 10000), SVCQ_OK);
    assert_int_equal(n, 3);
    assert_int_equal(g.kind[4], SVCQ_SLA_NOTICE_BREACH);
    assert_int_equal(g.at[4], T0 + 1001);
    assert_int_equal(g.kind[5], SVCQ_SLA_NOTICE_ESCALATION);
    assert_int_equal(g.level[5], 1);
    assert_int_equal(g.at[5], T0 + 1501);
    assert_int_equal(g.at[6], T0 + 2001);
    assert_int_equal(g.level[6], 2);
    assert_int_equal(svcq_sla_scheduler_next_at(&next, s), SVCQ_OK);
    assert_int_equal(next, SVCQ_SLA_NEVER);

    /* A clock freed by the host leaves the scheduler. */
    svcq_sla_clock_free(b);
    assert_int_equal(svcq_sla_scheduler_count(s), 1);
    svcq_sla_scheduler_free(s); /* frees a */
    svcq_sla_policy_free(p);
}

static void scheduler_late_events_and_stopping_callback(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p = one_target_policy(f->ctx, 1000, 0);
    got g = { 0 };
    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, f->ctx, collect, &g), SVCQ_OK);
    svcq_sla_clock *a;
    assert_int_equal(svcq_sla_clock_new(&a, p, "a"), SVCQ_OK);
    ev(a, "open", T0, NULL);
    ev(a, "pause", T0 + 900, "x"); /* 50 % and 80 % reached before the pause */
    assert_int_equal(svcq_sla_scheduler_add(s, a), SVCQ_OK);
    /* The scheduler joins late: past notices come with their own times. */
    g.stop_after = 1;
    uint64_t n;
    assert_int_equal(svcq_sla_scheduler_advance(&n, s, T0 + 5000), SVCQ_EABORTED);
    assert_int_equal(n, 1);
    assert_int_equal(g.at[0], T0 + 500);
    g.stop_after = 0;
    assert_int_equal(svcq_sla_scheduler_advance(&n, s, T0 + 5000), SVCQ_OK);
    assert_int_equal(n, 1);
    assert_int_equal(g.at[1], T0 + 800);
    /* Resumed: 100 s left. */
    ev(a, "resume", T0 + 6000, "x");
    assert_int_equal(svcq_sla_scheduler_advance(&n, s, T0 + 6101), SVCQ_OK);
    assert_int_equal(n, 1);
    assert_int_equal(g.kind[2], SVCQ_SLA_NOTICE_BREACH);
    assert_int_equal(g.at[2], T0 + 6101);
    svcq_sla_scheduler_free(s);
    svcq_sla_policy_free(p);
}

/* ---- policy changes ----------------------------------------------------- */

static svcq_sla_policy *versioned(svcq_ctx *ctx, uint32_t version, int64_t duration, int32_t mode)
{
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, ctx, "chg", version), SVCQ_OK);
    svcq_sla_target_spec s = spec("response", "open", "reply", duration);
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    if (version > 1) {
        svcq_sla_target_spec extra = spec("extra", "open", "close", 2 * HOUR);
        assert_int_equal(svcq_sla_policy_add_target(p, &extra), SVCQ_OK);
    }
    assert_int_equal(svcq_sla_policy_set_change_mode(p, mode), SVCQ_OK);
    return p;
}

static void policy_change_modes(void **state)
{
    fx *f = *state;
    svcq_sla_policy *v1 = versioned(f->ctx, 1, HOUR, SVCQ_SLA_CHANGE_KEEP);
    svcq_sla_policy *keep = versioned(f->ctx, 2, 2 * HOUR, SVCQ_SLA_CHANGE_KEEP);
    svcq_sla_policy *recompute = versioned(f->ctx, 3, 2 * HOUR, SVCQ_SLA_CHANGE_RECOMPUTE);
    svcq_sla_policy *carry = versioned(f->ctx, 4, 2 * HOUR, SVCQ_SLA_CHANGE_CARRY);
    svcq_sla_clock *k, *r, *c;
    assert_int_equal(svcq_sla_clock_new(&k, v1, "k"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&r, v1, "r"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&c, v1, "c"), SVCQ_OK);
    svcq_sla_clock *all[3] = { k, r, c };
    for (int i = 0; i < 3; i++) {
        ev(all[i], "open", T0, NULL);
        ev(all[i], "pause", T0 + 10 * MIN, "w");
    }
    /* KEEP: nothing changes. */
    assert_int_equal(svcq_sla_clock_change_policy(k, keep, T0 + 20 * MIN), SVCQ_OK);
    assert_ptr_equal(svcq_sla_clock_policy(k), v1);
    /* RECOMPUTE: the whole history under v3 (2 h, two targets). */
    assert_int_equal(svcq_sla_clock_change_policy(r, recompute, T0 + 20 * MIN), SVCQ_OK);
    assert_ptr_equal(svcq_sla_clock_policy(r), recompute);
    ev(r, "resume", T0 + 30 * MIN, "w");
    svcq_sla_status st = status_at(r, 0, T0 + 30 * MIN);
    assert_int_equal(st.due_at, T0 + 30 * MIN + 2 * HOUR - 10 * MIN);
    st = status_at(r, 1, T0 + 30 * MIN); /* the new target saw the open too */
    assert_int_equal(st.state, SVCQ_SLA_RUNNING);
    assert_int_equal(st.started_at, T0);
    assert_int_equal(st.elapsed, 10 * MIN);
    /* CARRY: elapsed before the change under v1, then v4's duration. */
    ev(c, "resume", T0 + 15 * MIN, "w");
    assert_int_equal(svcq_sla_clock_change_policy(c, carry, T0 + 40 * MIN), SVCQ_OK);
    st = status_at(c, 0, T0 + 40 * MIN);
    assert_int_equal(st.elapsed, 35 * MIN);
    assert_int_equal(st.due_at, T0 + 40 * MIN + 2 * HOUR - 35 * MIN);
    assert_int_equal(st.paused, 5 * MIN);
    /* Rebuilding replays both versions and gets the same. */
    assert_int_equal(svcq_sla_clock_rebuild(c), SVCQ_OK);
    svcq_sla_status again = status_at(c, 0, T0 + 40 * MIN);
    assert_memory_equal(&again, &st, sizeof(st));
    /* An event before the change point is replayed under v1 then carried. */
    ev(c, "pause", T0 + 20 * MIN, "w");
    ev(c, "resume", T0 + 25 * MIN, "w");
    st = status_at(c, 0, T0 + 40 * MIN);
    assert_int_equal(st.elapsed, 30 * MIN);
    /* Refused changes. */
    assert_int_equal(svcq_sla_clock_change_policy(c, v1, T0 + HOUR), SVCQ_EINVAL); /* not newer */
    svcq_sla_policy *other;
    assert_int_equal(svcq_sla_policy_new(&other, f->ctx, "other", 9), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_change_policy(c, other, T0 + HOUR), SVCQ_EINVAL);
    svcq_sla_policy_free(other);

    svcq_sla_clock_free(k);
    svcq_sla_clock_free(r);
    svcq_sla_clock_free(c);
    svcq_sla_policy_free(v1);
    svcq_sla_policy_free(keep);
    svcq_sla_policy_free(recompute);
    svcq_sla_policy_free(carry);
}

/* ---- replay and exports -------------------------------------------------- */

static void replay_what_if(void **state)
{
    fx *f = *state;
    svcq_sla_policy *actual = one_target_policy(f->ctx, HOUR, 0);
    svcq_sla_policy *strict = one_target_policy(f->ctx, 45 * MIN, 0);
    svcq_sla_clock *c[6];
    static const int reply_after[6] = { 30, 44, 46, 50, 70, -1 };
    for (int i = 0; i < 6; i++) {
        char subject[8];
        snprintf(subject, sizeof(subject), "s%d", i);
        assert_int_equal(svcq_sla_clock_new(&c[i], actual, subject), SVCQ_OK);
        ev(c[i], "open", T0, NULL);
        if (reply_after[i] >= 0)
            ev(c[i], "reply", T0 + reply_after[i] * MIN, NULL);
    }
    svcq_sla_replay *was, *would;
    assert_int_equal(svcq_sla_replay_new(&was, actual), SVCQ_OK);
    assert_int_equal(svcq_sla_replay_new(&would, strict), SVCQ_OK);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(svcq_sla_replay_add_clock(was, c[i], T0 + 50 * MIN), SVCQ_OK);
        assert_int_equal(svcq_sla_replay_add_clock(would, c[i], T0 + 50 * MIN), SVCQ_OK);
    }
    uint64_t met, breached, open;
    /* As of T0+50min: replies at 30, 44, 46, 50 are in; 70 is not yet. */
    assert_int_equal(svcq_sla_replay_totals(&met, &breached, &open, was, 0), SVCQ_OK);
    assert_int_equal(met, 4);
    assert_int_equal(breached, 0);
    assert_int_equal(open, 2);
    assert_int_equal(svcq_sla_replay_totals(&met, &breached, &open, would, 0), SVCQ_OK);
    assert_int_equal(met, 2);
    assert_int_equal(breached, 4); /* 46, 50 late; two still open past 45 min */
    assert_int_equal(open, 0);
    assert_int_equal(svcq_sla_replay_subjects(would), 6);
    assert_int_equal(svcq_sla_replay_totals(&met, NULL, NULL, would, 1), SVCQ_ENOTFOUND);
    svcq_sla_replay_free(was);
    svcq_sla_replay_free(would);
    for (int i = 0; i < 6; i++)
        svcq_sla_clock_free(c[i]);
    svcq_sla_policy_free(actual);
    svcq_sla_policy_free(strict);
}

static void exports(void **state)
{
    fx *f = *state;
    svcq_sla_policy *p = one_target_policy(f->ctx, 1000, 0);
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, p, "T|1"), SVCQ_OK);
    ev(c, "open", T0, NULL);
    ev(c, "pause", T0 + 600, "cust|omer");
    ev(c, "resume", T0 + 700, "cust|omer");
    svcq_buffer *buf;
    assert_int_equal(svcq_buffer_new(&buf, f->ctx), SVCQ_OK);
    svcq_writer w;
    assert_int_equal(svcq_writer_to_buffer(&w, buf), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_export_markdown(c, T0 + 3000, NULL, &w), SVCQ_OK);
    const char *expected =
        "| time (UTC) | target | what | detail |\n"
        "|---|---|---|---|\n"
        "| Mon 2026-01-05T09:00:00Z | | open | |\n"
        "| Mon 2026-01-05T09:08:20Z | response | warning | 50 % of 16 min 40 s elapsed |\n"
        "| Mon 2026-01-05T09:10:00Z | | pause | cust\\|omer |\n"
        "| Mon 2026-01-05T09:11:40Z | | resume | cust\\|omer |\n"
        "| Mon 2026-01-05T09:15:00Z | response | warning | 80 % of 16 min 40 s elapsed |\n"
        "| Mon 2026-01-05T09:18:21Z | response | breach | due Mon 2026-01-05T09:18:20Z |\n"
        "| Mon 2026-01-05T09:26:41Z | response | escalation | level 1 (150 %) |\n"
        "| Mon 2026-01-05T09:35:01Z | response | escalation | level 2 (200 %) |\n";
    assert_string_equal(svcq_buffer_data(buf), expected);

    svcq_buffer_clear(buf);
    assert_int_equal(svcq_sla_clock_export_json(c, T0 + 1200, NULL, &w), SVCQ_OK);
    const char *json = svcq_buffer_data(buf);
    assert_non_null(strstr(json, "\"subject\": \"T|1\""));
    assert_non_null(strstr(json, "\"type\": \"breach\""));
    assert_null(strstr(json, "escalation\","));  /* after `until` */
    assert_non_null(strstr(json, "\"state\": \"breached\""));
    assert_non_null(strstr(json, "\"reason\": \"cust|omer\""));

    svcq_writer none = SVCQ_WRITER_INIT;
    assert_int_equal(svcq_sla_clock_export_json(c, T0, NULL, &none), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_clock_export_markdown(NULL, T0, NULL, &w), SVCQ_EINVAL);
    svcq_buffer_free(buf);
    svcq_sla_clock_free(c);
    svcq_sla_policy_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(met_on_time_late_and_exactly_due, setup, teardown),
        cmocka_unit_test_setup_teardown(pause_reasons_alone_and_overlapping, setup, teardown),
        cmocka_unit_test_setup_teardown(recurring_over_many_cycles, setup, teardown),
        cmocka_unit_test_setup_teardown(order_duplicates_and_unknown_events, setup, teardown),
        cmocka_unit_test_setup_teardown(policy_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(business_calendar_deadlines, setup, teardown),
        cmocka_unit_test_setup_teardown(scheduler_delivers_in_order_once, setup, teardown),
        cmocka_unit_test_setup_teardown(scheduler_late_events_and_stopping_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(policy_change_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(replay_what_if, setup, teardown),
        cmocka_unit_test_setup_teardown(exports, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
