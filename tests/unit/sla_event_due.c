/* Targets whose due instant comes with the event that starts each cycle
 * (SVCQ_SLA_UNIT_EVENT_DUE, svcq_sla_clock_event_due(); issue 12 item 2).
 *
 * The calendar is Monday to Friday 09:00-18:00 UTC with Wednesday
 * 2026-01-07 a holiday. Expected instants are worked out by hand in the
 * comments (an oracle independent of the library's calendar arithmetic):
 * a business day is 9 h = 32,400 s.
 *
 * 1. Notices at exact instants through a scheduler: warnings at 50/80 % of
 *    the business time from the start to the carried due, the breach one
 *    second after the due, escalations at 150/200 %.
 * 2. A due in closed hours is the due itself (not the closing before it);
 *    an escalation never comes before the breach (a due at the start).
 * 3. A restart with a new due moves the clock; a meet or a stop ends it.
 * 4. Refusals with their messages; duplicates and a due moved back and
 *    forth within one second.
 * 5. The fold (rebuild, out-of-order events, replay) equals the
 *    incremental state; the policy's JSON and the clock's record round trip
 *    byte for byte; a clock without dues keeps schema /2, one with a due
 *    writes /3; the timeline export shows the due. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"
#include "store/store.h"
#include "svcq.h"
#include "test_alloc.h"

#define MIN 60
#define HOUR 3600
#define DAY 86400
/* 2026-01-05 is a Monday. */
#define MON ((svcq_time)1767571200)
#define AT(day, h, m) (MON + (day) * DAY + (h) * HOUR + (m) * MIN)

typedef struct fx {
    test_alloc alloc;
    svcq_ctx *ctx;
    svcq_calendar *cal;
    svcq_sla_policy *p;
} fx;

static svcq_sla_policy *measure_policy(svcq_ctx *ctx, svcq_calendar *cal, const char *name)
{
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, ctx, name, 1), SVCQ_OK);
    svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
    s.metric = "deadline";
    s.start_event = "measure_started";
    s.meet_event = "measure_done";
    s.stop_event = "measure_cancelled";
    s.restart_event = "deadline_moved";
    s.duration_unit = SVCQ_SLA_UNIT_EVENT_DUE;
    s.calendar = cal;
    s.warn_count = 2;
    s.warn_percent[0] = 50;
    s.warn_percent[1] = 80;
    s.escalate_count = 2;
    s.escalate_percent[0] = 150;
    s.escalate_percent[1] = 200;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    /* A second target of another unit that shares the start event. */
    svcq_sla_target_spec t = SVCQ_SLA_TARGET_SPEC_INIT;
    t.metric = "first_update";
    t.start_event = "measure_started";
    t.meet_event = "progress";
    t.duration = 2 * HOUR;
    t.calendar = cal;
    assert_int_equal(svcq_sla_policy_add_target(p, &t), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_set_close_event(p, "incident_ended"), SVCQ_OK);
    return p;
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    test_alloc_init(&f->alloc);
    f->ctx = test_ctx_new(&f->alloc);
    assert_int_equal(svcq_sla_default_calendar(&f->cal, f->ctx, NULL), SVCQ_OK);
    assert_int_equal(svcq_calendar_set_closed(f->cal, 2026, 1, 7), SVCQ_OK);
    f->p = measure_policy(f->ctx, f->cal, "quality.measure");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    svcq_sla_policy_free(f->p);
    svcq_calendar_free(f->cal);
    svcq_ctx_free(f->ctx);
    assert_int_equal(f->alloc.live_blocks, 0);
    free(f);
    return 0;
}

typedef struct got {
    int n;
    int32_t kind[32], level[32];
    uint32_t cycle[32], target[32];
    svcq_time at[32];
} got;

static int record(const svcq_sla_notice *n, void *ud)
{
    got *g = ud;
    if (g->n < 32) {
        g->kind[g->n] = n->kind;
        g->level[g->n] = n->level;
        g->cycle[g->n] = n->cycle;
        g->target[g->n] = n->target;
        g->at[g->n++] = n->at;
    }
    return 0;
}

/* Delivers up to `until` and checks the deadline target's notices. */
static void expect(svcq_sla_scheduler *s, got *g, svcq_time until, int n, const int32_t *kind,
                   const int32_t *level, const svcq_time *at)
{
    g->n = 0;
    uint64_t delivered;
    assert_int_equal(svcq_sla_scheduler_advance(&delivered, s, until), SVCQ_OK);
    int k = 0;
    for (int i = 0; i < g->n; i++) {
        if (g->target[i] != 0)
            continue;
        assert_true(k < n);
        assert_int_equal(g->kind[i], kind[k]);
        assert_int_equal(g->level[i], level[k]);
        assert_int_equal(g->at[i], at[k]);
        k++;
    }
    assert_int_equal(k, n);
}

/* ---- 1. exact instants ------------------------------------------------ */

/* Start Monday 09:00, due Friday 18:00: Mon, Tue, Thu, Fri open (Wed a
 * holiday) = 4 × 32,400 = 129,600 s. 50 % = 64,800 s: Tuesday 18:00.
 * 80 % = 103,680 s: Mon + Tue + Thu = 97,200, 6,480 s (1 h 48) into
 * Friday: 10:48. Breach: Friday 18:00:01. 150 % = 194,400 s = 6 business
 * days: Mon, Tue, Thu, Fri, Mon 12th, Tue 13th → Tue 13th 18:00:01.
 * 200 % = 8 days: + Wed 14th, Thu 15th → Thu 15th 18:00:01. */
static void notices_at_exact_instants(void **state)
{
    fx *f = *state;
    got g = { 0 };
    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, f->ctx, record, &g), SVCQ_OK);
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, f->p, "INC-1/m1"), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_due(c, "measure_started", AT(0, 9, 0), AT(4, 18, 0)), SVCQ_OK);

    svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
    assert_int_equal(svcq_sla_clock_status(&st, c, 0, AT(0, 9, 0)), SVCQ_OK);
    assert_int_equal(st.state, SVCQ_SLA_RUNNING);
    assert_int_equal(st.due_at, AT(4, 18, 0));
    assert_int_equal(st.remaining, 4 * 32400);
    assert_int_equal(st.warn_at, AT(1, 18, 0));
    svcq_time next;
    assert_int_equal(svcq_sla_scheduler_next_at(&next, s), SVCQ_OK);
    assert_int_equal(next, AT(0, 11, 0) + 1); /* first_update's breach comes first */

    const int32_t kind[] = { SVCQ_SLA_NOTICE_WARNING, SVCQ_SLA_NOTICE_WARNING, SVCQ_SLA_NOTICE_BREACH,
                             SVCQ_SLA_NOTICE_ESCALATION, SVCQ_SLA_NOTICE_ESCALATION };
    const int32_t level[] = { 50, 80, 0, 1, 2 };
    const svcq_time at[] = { AT(1, 18, 0), AT(4, 10, 48), AT(4, 18, 0) + 1, AT(8, 18, 0) + 1, AT(10, 18, 0) + 1 };
    /* One second before each, nothing new; at each, that one. */
    expect(s, &g, at[0] - 1, 0, kind, level, at);
    for (int i = 0; i < 5; i++) {
        expect(s, &g, at[i] - 1, 0, kind + i, level + i, at + i);
        expect(s, &g, at[i], 1, kind + i, level + i, at + i);
    }
    expect(s, &g, AT(60, 0, 0), 0, kind, level, at);
    assert_int_equal(svcq_sla_clock_status(&st, c, 0, AT(11, 9, 0)), SVCQ_OK);
    assert_int_equal(st.state, SVCQ_SLA_BREACHED);
    assert_int_equal(st.escalation_level, 2);
    svcq_sla_scheduler_free(s);
}

/* ---- 2. a due in closed hours; a due at the start ---------------------- */

static void due_in_closed_hours_is_the_due(void **state)
{
    fx *f = *state;
    got g = { 0 };
    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, f->ctx, record, &g), SVCQ_OK);
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, f->p, "INC-1/m2"), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_OK);
    /* Thursday 09:00 to Saturday 10:00: Thu + Fri = 64,800 s. 50 % =
     * Thursday 18:00; 80 % = 51,840 s: Friday 09:00 + 19,440 s = 14:24;
     * breach Saturday 10:00:01 (not Friday 18:00:01); 150 % = 97,200 s:
     * Thu, Fri, Mon 12th → 18:00:01; 200 % = 4 days: Tue 13th 18:00:01. */
    assert_int_equal(svcq_sla_clock_event_due(c, "measure_started", AT(3, 9, 0), AT(5, 10, 0)), SVCQ_OK);
    const int32_t kind[] = { SVCQ_SLA_NOTICE_WARNING, SVCQ_SLA_NOTICE_WARNING, SVCQ_SLA_NOTICE_BREACH,
                             SVCQ_SLA_NOTICE_ESCALATION, SVCQ_SLA_NOTICE_ESCALATION };
    const int32_t level[] = { 50, 80, 0, 1, 2 };
    const svcq_time at[] = { AT(3, 18, 0), AT(4, 14, 24), AT(5, 10, 0) + 1, AT(7, 18, 0) + 1, AT(8, 18, 0) + 1 };
    expect(s, &g, AT(30, 0, 0), 5, kind, level, at);

    /* Due at the start (D = 0): warnings at the start, the breach and every
     * escalation one second later, in that order. */
    svcq_sla_clock *z;
    assert_int_equal(svcq_sla_clock_new(&z, f->p, "INC-1/m3"), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(s, z), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_due(z, "measure_started", AT(12, 20, 0), AT(12, 20, 0)), SVCQ_OK);
    const svcq_time at0[] = { AT(12, 20, 0), AT(12, 20, 0), AT(12, 20, 0) + 1, AT(12, 20, 0) + 1,
                              AT(12, 20, 0) + 1 };
    expect(s, &g, AT(40, 0, 0), 5, kind, level, at0);
    svcq_sla_scheduler_free(s);
}

/* ---- 3. restart, meet, stop, close ------------------------------------- */

static void restart_moves_meet_and_stop_end(void **state)
{
    fx *f = *state;
    got g = { 0 };
    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, f->ctx, record, &g), SVCQ_OK);
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, f->p, "INC-2/m1"), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_OK);
    /* Mon 09:00 → Tue 18:00 (2 days = 64,800 s): 50 % Mon 18:00. */
    assert_int_equal(svcq_sla_clock_event_due(c, "measure_started", AT(0, 9, 0), AT(1, 18, 0)), SVCQ_OK);
    const int32_t kw[] = { SVCQ_SLA_NOTICE_WARNING };
    const int32_t lw[] = { 50 };
    const svcq_time aw[] = { AT(0, 18, 0) };
    expect(s, &g, AT(1, 9, 0), 1, kw, lw, aw);
    /* Tuesday 12:00 the deadline moves to Friday 12:00: from Tue 12:00,
     * Tue 6 h + Thu 9 h + Fri 3 h = 18 h = 64,800 s; 50 % = 32,400 s:
     * Tue 6 h + Thu 3 h → Thu 12:00; 80 % = 51,840 s = 14 h 24: Tue 6 h +
     * Thu 8 h 24 → Thu 17:24. Breach Friday 12:00:01. The old cycle's 80 %
     * (Tuesday 14:24) was not reached: it never falls due. */
    assert_int_equal(svcq_sla_clock_event_due(c, "deadline_moved", AT(1, 12, 0), AT(4, 12, 0)), SVCQ_OK);
    svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
    assert_int_equal(svcq_sla_clock_status(&st, c, 0, AT(1, 12, 0)), SVCQ_OK);
    assert_int_equal(st.due_at, AT(4, 12, 0));
    assert_int_equal(st.started_at, AT(1, 12, 0));
    const int32_t k3[] = { SVCQ_SLA_NOTICE_WARNING, SVCQ_SLA_NOTICE_WARNING, SVCQ_SLA_NOTICE_BREACH };
    const int32_t l3[] = { 50, 80, 0 };
    const svcq_time a3[] = { AT(3, 12, 0), AT(3, 17, 24), AT(4, 12, 0) + 1 };
    expect(s, &g, AT(4, 12, 0) + 1, 3, k3, l3, a3);
    assert_int_equal(g.cycle[g.n - 1], 1);
    /* Done on Friday 15:00: met late, nothing more falls due. */
    assert_int_equal(svcq_sla_clock_event(c, "measure_done", AT(4, 15, 0), NULL), SVCQ_OK);
    expect(s, &g, AT(60, 0, 0), 0, kw, lw, aw);
    assert_int_equal(svcq_sla_clock_status(&st, c, 0, AT(5, 0, 0)), SVCQ_OK);
    assert_int_equal(st.state, SVCQ_SLA_BREACHED);
    assert_int_equal(st.met_at, AT(4, 15, 0));

    /* Cancelled before its first warning: nothing at all. */
    svcq_sla_clock *d;
    assert_int_equal(svcq_sla_clock_new(&d, f->p, "INC-2/m2"), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(s, d), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_due(d, "measure_started", AT(7, 9, 0), AT(11, 18, 0)), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(d, "measure_cancelled", AT(7, 10, 0), NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_status(&st, d, 0, AT(7, 10, 0)), SVCQ_OK);
    assert_int_equal(st.state, SVCQ_SLA_CANCELLED);
    /* The close event ends a third. */
    svcq_sla_clock *e;
    assert_int_equal(svcq_sla_clock_new(&e, f->p, "INC-2/m3"), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(s, e), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_due(e, "measure_started", AT(7, 9, 0), AT(11, 18, 0)), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(e, "incident_ended", AT(7, 10, 0), NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_status(&st, e, 0, AT(7, 10, 0)), SVCQ_OK);
    assert_int_equal(st.state, SVCQ_SLA_CANCELLED);
    g.n = 0;
    uint64_t delivered;
    assert_int_equal(svcq_sla_scheduler_advance(&delivered, s, AT(90, 0, 0)), SVCQ_OK);
    for (int i = 0; i < g.n; i++)
        assert_int_equal(g.target[i], 1); /* only first_update's own, of m2 and m3 */
    svcq_sla_scheduler_free(s);
}

/* ---- 4. refusals and duplicates --------------------------------------- */

static void refusals_and_duplicates(void **state)
{
    fx *f = *state;
    svcq_ctx *ctx = f->ctx;
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, f->p, "INC-3/m1"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(c, "measure_started", AT(0, 9, 0), NULL), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "starts target deadline, which takes its due from the event"));
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "clock INC-3/m1"));
    assert_int_equal(svcq_sla_clock_event(c, "deadline_moved", AT(0, 9, 0), NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_clock_event_due(c, "measure_done", AT(0, 9, 0), AT(1, 9, 0)), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "carries a due but starts no target of unit event_due"));
    assert_int_equal(svcq_sla_clock_event_due(c, "measure_started", AT(1, 9, 0), AT(0, 9, 0)), SVCQ_ERANGE);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "carries a due"));
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "before it"));
    assert_int_equal(svcq_sla_clock_event_due(c, "measure_started", AT(1, 9, 0), 0), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "due time 0 looks like an unset time"));
    assert_int_equal(svcq_sla_clock_event_due(c, "nothing", AT(1, 9, 0), AT(2, 9, 0)), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_sla_clock_event_due(NULL, "measure_started", AT(1, 9, 0), AT(2, 9, 0)), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_clock_event_count(c), 0);

    /* Retries are duplicates; a due moved back and forth in one second is kept. */
    assert_int_equal(svcq_sla_clock_event_due(c, "measure_started", AT(0, 9, 0), AT(4, 18, 0)), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_due(c, "measure_started", AT(0, 9, 0), AT(4, 18, 0)), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_count(c), 1);
    assert_int_equal(svcq_sla_clock_event_due(c, "deadline_moved", AT(1, 9, 0), AT(8, 18, 0)), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_due(c, "deadline_moved", AT(1, 9, 0), AT(9, 18, 0)), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_due(c, "deadline_moved", AT(1, 9, 0), AT(8, 18, 0)), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_due(c, "deadline_moved", AT(1, 9, 0), AT(8, 18, 0)), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_count(c), 4);
    svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
    assert_int_equal(svcq_sla_clock_status(&st, c, 0, AT(1, 9, 0)), SVCQ_OK);
    assert_int_equal(st.due_at, AT(8, 18, 0));
    svcq_time due;
    assert_int_equal(svcq_sla_clock_event_due_at(&due, c, 0), SVCQ_OK);
    assert_int_equal(due, AT(4, 18, 0));
    assert_int_equal(svcq_sla_clock_event_due_at(&due, c, 2), SVCQ_OK);
    assert_int_equal(due, AT(9, 18, 0));
    assert_int_equal(svcq_sla_clock_event_due_at(&due, c, 4), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_sla_clock_event_due_at(NULL, c, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_clock_event(c, "progress", AT(1, 10, 0), NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_due_at(&due, c, 4), SVCQ_OK);
    assert_int_equal(due, SVCQ_SLA_NEVER);
    svcq_sla_clock_free(c);

    /* Policies: a duration or recurrence with the unit is refused. */
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, ctx, "bad", 1), SVCQ_OK);
    svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
    s.metric = "deadline";
    s.start_event = "a";
    s.meet_event = "b";
    s.duration_unit = SVCQ_SLA_UNIT_EVENT_DUE;
    s.duration = 10;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "policy bad: target deadline: duration 10 with unit event_due"));
    s.duration = 0;
    s.recurring = 1;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "cannot recur"));
    s.recurring = 0;
    s.duration_unit = 3;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "unknown duration unit 3"));
    svcq_sla_policy_free(p);
}

/* ---- 5. fold, persistence, JSON, export --------------------------------- */

static void statuses_equal(const svcq_sla_clock *a, const svcq_sla_clock *b, svcq_time at)
{
    for (uint32_t j = 0; j < 2; j++) {
        svcq_sla_status x = SVCQ_SLA_STATUS_INIT, y = SVCQ_SLA_STATUS_INIT;
        assert_int_equal(svcq_sla_clock_status(&x, a, j, at), SVCQ_OK);
        assert_int_equal(svcq_sla_clock_status(&y, b, j, at), SVCQ_OK);
        assert_int_equal(x.state, y.state);
        assert_int_equal(x.started_at, y.started_at);
        assert_int_equal(x.due_at, y.due_at);
        assert_int_equal(x.warn_at, y.warn_at);
        assert_int_equal(x.met_at, y.met_at);
        assert_int_equal(x.breached_at, y.breached_at);
        assert_int_equal(x.elapsed, y.elapsed);
        assert_int_equal(x.remaining, y.remaining);
        assert_int_equal(x.escalation_level, y.escalation_level);
        assert_int_equal(x.met_count, y.met_count);
        assert_int_equal(x.breached_count, y.breached_count);
    }
}

static char *record_text(svcq_ctx *ctx, const char *id)
{
    char *bytes;
    size_t size;
    uint64_t rev;
    assert_int_equal(svcq__store_get(ctx, "sla_clock", id, &bytes, &size, &rev), SVCQ_OK);
    char *copy = strndup(bytes, size);
    svcq__free(ctx, bytes);
    return copy;
}

static void fold_persist_json_export(void **state)
{
    fx *f = *state;
    svcq_ctx *ctx = f->ctx;
    svcq_sla_clock *c, *o;
    assert_int_equal(svcq_sla_clock_new(&c, f->p, "INC-4/m1"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&o, f->p, "INC-4/m1"), SVCQ_OK);
    /* c in order; o the same events out of order. */
    assert_int_equal(svcq_sla_clock_event_due(c, "measure_started", AT(0, 9, 0), AT(4, 18, 0)), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(c, "progress", AT(0, 10, 0), NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_due(c, "deadline_moved", AT(2, 9, 0), AT(9, 12, 0)), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_due(o, "deadline_moved", AT(2, 9, 0), AT(9, 12, 0)), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(o, "progress", AT(0, 10, 0), NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_due(o, "measure_started", AT(0, 9, 0), AT(4, 18, 0)), SVCQ_OK);
    statuses_equal(c, o, AT(10, 12, 0));
    svcq_time due;
    assert_int_equal(svcq_sla_clock_event_due_at(&due, o, 2), SVCQ_OK);
    assert_int_equal(due, AT(9, 12, 0));
    assert_int_equal(svcq_sla_clock_rebuild(c), SVCQ_OK);
    statuses_equal(c, o, AT(10, 12, 0));
    svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
    assert_int_equal(svcq_sla_clock_status(&st, c, 0, AT(3, 9, 0)), SVCQ_OK);
    assert_int_equal(st.due_at, AT(9, 12, 0));
    assert_int_equal(st.started_at, AT(2, 9, 0));

    /* Replay through the policy: the moved cycle breached at 10th 12:00. */
    svcq_sla_replay *r;
    assert_int_equal(svcq_sla_replay_new(&r, f->p), SVCQ_OK);
    assert_int_equal(svcq_sla_replay_add_clock(r, c, AT(10, 12, 0)), SVCQ_OK);
    uint64_t met, breached, open;
    assert_int_equal(svcq_sla_replay_totals(&met, &breached, &open, r, 0), SVCQ_OK);
    assert_int_equal(breached, 1);
    assert_int_equal(open, 0);
    svcq_sla_replay_free(r);

    /* The record: /3 with the due as a fourth element, and back. */
    assert_int_equal(svcq_sla_clock_save(c), SVCQ_OK);
    char *text = record_text(ctx, "15:quality.measure/INC-4/m1");
    assert_non_null(strstr(text, "\"svcq.sla_clock/3\""));
    char want[160];
    snprintf(want, sizeof(want), "[%lld,\"deadline_moved\",\"\",%lld]", (long long)AT(2, 9, 0),
             (long long)AT(9, 12, 0));
    assert_non_null(strstr(text, want));
    svcq_sla_clock *back;
    assert_int_equal(svcq_sla_clock_load(&back, &f->p, 1, "quality.measure", "INC-4/m1", 0), SVCQ_OK);
    statuses_equal(c, back, AT(10, 12, 0));
    assert_int_equal(svcq_sla_clock_event_due_at(&due, back, 0), SVCQ_OK);
    assert_int_equal(due, AT(4, 18, 0));
    assert_int_equal(svcq_sla_clock_event_due_at(&due, back, 1), SVCQ_OK);
    assert_int_equal(due, SVCQ_SLA_NEVER);
    /* Saved again unchanged: the same bytes. */
    assert_int_equal(svcq_sla_clock_remove(back), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_save(back), SVCQ_OK);
    char *again = record_text(ctx, "15:quality.measure/INC-4/m1");
    assert_string_equal(text, again);
    free(again);
    free(text);
    svcq_sla_clock_free(back);

    /* A clock of the same policy without a due event keeps schema /2. */
    svcq_sla_clock *plain;
    assert_int_equal(svcq_sla_clock_new(&plain, f->p, "INC-4/m9"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(plain, "progress", AT(0, 10, 0), NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_save(plain), SVCQ_OK);
    text = record_text(ctx, "15:quality.measure/INC-4/m9");
    assert_non_null(strstr(text, "\"svcq.sla_clock/2\""));
    free(text);
    svcq_sla_clock_free(plain);

    /* A damaged due (before its event) is refused as corrupt. */
    char bad[512];
    svcq_sla_policy_fingerprint(f->p);
    snprintf(bad, sizeof(bad),
             "{\"schema\":\"svcq.sla_clock/3\",\"subject\":\"X\",\"policy\":\"quality.measure\",\"versions\":"
             "[{\"version\":1,\"from\":null,\"mode\":\"recompute\",\"fingerprint\":\"%s\"}],\"events\":"
             "[[%lld,\"measure_started\",\"\",%lld]],\"delivered\":[]}",
             svcq_sla_policy_fingerprint(f->p), (long long)AT(1, 9, 0), (long long)AT(0, 9, 0));
    svcq__tx tx;
    uint64_t rev;
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(svcq__tx_end(ctx, &tx, svcq__store_put(ctx, "sla_clock", "15:quality.measure/X", 0, bad,
                                                            strlen(bad), &rev)),
                     SVCQ_OK);
    assert_int_equal(svcq_sla_clock_load(&back, &f->p, 1, "quality.measure", "X", 0), SVCQ_ECORRUPT);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "event 0 is damaged"));

    /* The policy's JSON round trip, byte for byte, with the unit. */
    svcq_buffer *b1, *b2;
    svcq_writer w1 = SVCQ_WRITER_INIT, w2 = SVCQ_WRITER_INIT;
    assert_int_equal(svcq_buffer_new(&b1, ctx), SVCQ_OK);
    assert_int_equal(svcq_buffer_new(&b2, ctx), SVCQ_OK);
    assert_int_equal(svcq_writer_to_buffer(&w1, b1), SVCQ_OK);
    assert_int_equal(svcq_writer_to_buffer(&w2, b2), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_export_json(f->p, &w1, SVCQ_SLA_POLICY_JSON_PRETTY), SVCQ_OK);
    assert_non_null(strstr(svcq_buffer_data(b1), "\"unit\": \"event_due\""));
    svcq_sla_policy *imp;
    assert_int_equal(svcq_sla_policy_import_json(&imp, ctx, svcq_buffer_data(b1), svcq_buffer_size(b1), NULL),
                     SVCQ_OK);
    assert_int_equal(svcq_sla_policy_export_json(imp, &w2, SVCQ_SLA_POLICY_JSON_PRETTY), SVCQ_OK);
    assert_int_equal(svcq_buffer_size(b1), svcq_buffer_size(b2));
    assert_memory_equal(svcq_buffer_data(b1), svcq_buffer_data(b2), svcq_buffer_size(b1));
    assert_string_equal(svcq_sla_policy_fingerprint(imp), svcq_sla_policy_fingerprint(f->p));
    svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
    assert_int_equal(svcq_sla_policy_target(&s, imp, 0), SVCQ_OK);
    assert_int_equal(s.duration_unit, SVCQ_SLA_UNIT_EVENT_DUE);
    svcq_sla_policy_free(imp);

    /* The timeline shows the due of each event that carries one. */
    svcq_buffer_clear(b1);
    assert_int_equal(svcq_sla_clock_export_json(c, AT(10, 12, 0), NULL, &w1), SVCQ_OK);
    snprintf(want, sizeof(want), "\"due\": %lld", (long long)AT(9, 12, 0));
    assert_non_null(strstr(svcq_buffer_data(b1), want));
    assert_non_null(strstr(svcq_buffer_data(b1), "\"due_local\": \"2026-01-14T12:00:00Z\""));
    svcq_buffer_clear(b1);
    assert_int_equal(svcq_sla_clock_export_markdown(c, AT(10, 12, 0), NULL, &w1), SVCQ_OK);
    assert_non_null(strstr(svcq_buffer_data(b1), "| deadline_moved | due Wed 2026-01-14T12:00:00Z |"));
    assert_non_null(strstr(svcq_buffer_data(b1), "50 % of the time to the due elapsed"));
    svcq_buffer_free(b1);
    svcq_buffer_free(b2);
    svcq_sla_clock_free(c);
    svcq_sla_clock_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(notices_at_exact_instants, setup, teardown),
        cmocka_unit_test_setup_teardown(due_in_closed_hours_is_the_due, setup, teardown),
        cmocka_unit_test_setup_teardown(restart_moves_meet_and_stop_end, setup, teardown),
        cmocka_unit_test_setup_teardown(refusals_and_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(fold_persist_json_export, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
