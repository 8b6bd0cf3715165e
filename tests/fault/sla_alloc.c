/* Allocation failure at every point of the SLA operations: each returns
 * SVCQ_ENOMEM, leaks nothing and leaves clocks, policies and the scheduler
 * as they were. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fault.h"
#include "svcq.h"

#define MIN 60
#define HOUR 3600
#define T0 ((svcq_time)1767603600) /* Monday 09:00 UTC */

typedef struct st {
    test_alloc *alloc;
    svcq_ctx *ctx;
    svcq_sla_policy *p1, *p2;
    svcq_sla_scheduler *sched;
    svcq_sla_clock *clock;   /* in the scheduler */
    svcq_sla_clock *loose;   /* not in a scheduler */
    svcq_sla_policy *made;
    svcq_sla_clock *made_clock;
    svcq_sla_replay *replay;
    svcq_buffer *buf;
    int notices;
} st;

static int count_notice(const svcq_sla_notice *n, void *ud)
{
    (void)n;
    ((st *)ud)->notices++;
    return 0;
}

static void *setup(test_alloc *alloc)
{
    st *s = calloc(1, sizeof(*s));
    s->alloc = alloc;
    s->ctx = test_ctx_new(alloc);
    assert_int_equal(svcq_sla_policy_builtin(&s->p1, s->ctx, SVCQ_TIER_2, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_builtin(&s->p2, s->ctx, SVCQ_TIER_1, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_new(&s->sched, s->ctx, count_notice, s), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&s->clock, s->p1, "inc-1"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&s->loose, s->p1, "inc-2"), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(s->sched, s->clock), SVCQ_OK);
    svcq_sla_clock *both[2] = { s->clock, s->loose };
    for (int i = 0; i < 2; i++) {
        assert_int_equal(svcq_sla_clock_event(both[i], SVCQ_SLA_EVENT_REQUEST_RECEIVED, T0, NULL), SVCQ_OK);
        assert_int_equal(svcq_sla_clock_event(both[i], SVCQ_SLA_EVENT_PAUSE, T0 + 10 * MIN, "customer"), SVCQ_OK);
        assert_int_equal(svcq_sla_clock_event(both[i], SVCQ_SLA_EVENT_RESUME, T0 + 2 * HOUR, "customer"),
                         SVCQ_OK);
    }
    assert_int_equal(svcq_buffer_new(&s->buf, s->ctx), SVCQ_OK);
    return s;
}

static void teardown(void *p)
{
    st *s = p;
    svcq_buffer_free(s->buf);
    svcq_sla_replay_free(s->replay);
    svcq_sla_clock_free(s->made_clock);
    svcq_sla_policy_free(s->made);
    svcq_sla_clock_free(s->loose);
    svcq_sla_scheduler_free(s->sched);
    svcq_sla_policy_free(s->p1);
    svcq_sla_policy_free(s->p2);
    svcq_ctx_free(s->ctx);
    free(s);
}

static void describe_clock(char *out, size_t cap, size_t *n, const svcq_sla_clock *c, svcq_time at)
{
    const svcq_sla_policy *P = svcq_sla_clock_policy(c);
    *n += (size_t)snprintf(out + *n, cap - *n, "[%s %s v%u events=%u", svcq_sla_clock_subject(c),
                           svcq_sla_policy_name(P), svcq_sla_policy_version(P), svcq_sla_clock_event_count(c));
    for (uint32_t i = 0; i < svcq_sla_clock_event_count(c); i++) {
        const char *name, *reason;
        svcq_time t;
        assert_int_equal(svcq_sla_clock_event_at(&name, &t, &reason, c, i), SVCQ_OK);
        *n += (size_t)snprintf(out + *n, cap - *n, " %s@%lld/%s", name, (long long)t, reason);
    }
    svcq_time next;
    assert_int_equal(svcq_sla_clock_next_at(&next, c, T0), SVCQ_OK);
    *n += (size_t)snprintf(out + *n, cap - *n, " next=%lld", (long long)next);
    for (uint32_t j = 0; j < svcq_sla_policy_target_count(P); j++) {
        svcq_sla_status x = SVCQ_SLA_STATUS_INIT;
        assert_int_equal(svcq_sla_clock_status(&x, c, j, at), SVCQ_OK);
        int64_t paused;
        assert_int_equal(svcq_sla_clock_paused_seconds(&paused, c, j, "customer", at), SVCQ_OK);
        *n += (size_t)snprintf(out + *n, cap - *n, " %s:%d,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%u,%u,%d,%lld",
                               x.metric, x.state, (long long)x.started_at, (long long)x.due_at,
                               (long long)x.warn_at, (long long)x.met_at, (long long)x.elapsed,
                               (long long)x.paused, (long long)x.breached_at, x.met_count, x.breached_count,
                               x.escalation_level, (long long)paused);
    }
    *n += (size_t)snprintf(out + *n, cap - *n, "]");
}

static char *describe(void *p)
{
    st *s = p;
    size_t cap = 8192, n = 0;
    char *out = malloc(cap);
    svcq_time next;
    assert_int_equal(svcq_sla_scheduler_next_at(&next, s->sched), SVCQ_OK);
    n += (size_t)snprintf(out, cap, "sched=%llu next=%lld notices=%d made=%d/%d/%d ",
                          (unsigned long long)svcq_sla_scheduler_count(s->sched), (long long)next, s->notices,
                          s->made != NULL, s->made_clock != NULL, s->replay != NULL);
    describe_clock(out, cap, &n, s->clock, T0 + 3 * HOUR);
    describe_clock(out, cap, &n, s->loose, T0 + 3 * HOUR);
    return out;
}

static int run_builtin(void *p)
{
    st *s = p;
    return svcq_sla_policy_builtin(&s->made, s->ctx, SVCQ_TIER_1, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS);
}

static int run_new_version(void *p)
{
    st *s = p;
    return svcq_sla_policy_new_version(&s->made, s->p1, 2);
}

static int run_policy_and_clock(void *p)
{
    st *s = p;
    svcq_sla_policy *pol;
    int rc = svcq_sla_policy_new(&pol, s->ctx, "custom", 1);
    if (rc)
        return rc;
    svcq_sla_target_spec t = SVCQ_SLA_TARGET_SPEC_INIT;
    t.metric = "respond";
    t.start_event = "opened";
    t.meet_event = "answered";
    t.pause_event = "hold";
    t.resume_event = "unhold";
    t.duration = HOUR;
    rc = svcq_sla_policy_add_target(pol, &t);
    if (rc == SVCQ_OK)
        rc = svcq_sla_policy_set_close_event(pol, "closed");
    svcq_sla_clock *c = NULL;
    if (rc == SVCQ_OK)
        rc = svcq_sla_clock_new(&c, pol, "subject-1");
    if (rc) {
        svcq_sla_policy_free(pol);
        return rc;
    }
    s->made = pol;
    s->made_clock = c;
    return SVCQ_OK;
}

static int run_event_in_order(void *p)
{
    st *s = p;
    return svcq_sla_clock_event(s->clock, SVCQ_SLA_EVENT_PAUSE, T0 + 150 * MIN, "vendor");
}

static int run_event_out_of_order(void *p)
{
    st *s = p;
    return svcq_sla_clock_event(s->clock, SVCQ_SLA_EVENT_FIRST_CONTACT, T0 + 5 * MIN, NULL);
}

static int run_change_policy(void *p)
{
    st *s = p;
    svcq_sla_policy *v2;
    int rc = svcq_sla_policy_builtin(&v2, s->ctx, SVCQ_TIER_2, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS);
    if (rc)
        return rc;
    /* A newer version of tier.2 that carries elapsed time over. */
    svcq_sla_policy *carry;
    rc = svcq_sla_policy_new(&carry, s->ctx, "tier.2", 2);
    for (uint32_t j = 0; rc == SVCQ_OK && j < svcq_sla_policy_target_count(v2); j++) {
        svcq_sla_target_spec t = SVCQ_SLA_TARGET_SPEC_INIT;
        rc = svcq_sla_policy_target(&t, v2, j);
        if (rc == SVCQ_OK) {
            t.duration *= 2;
            rc = svcq_sla_policy_add_target(carry, &t);
        }
    }
    if (rc == SVCQ_OK)
        rc = svcq_sla_policy_set_close_event(carry, SVCQ_SLA_EVENT_CLOSED);
    if (rc == SVCQ_OK)
        rc = svcq_sla_policy_set_change_mode(carry, SVCQ_SLA_CHANGE_CARRY);
    if (rc == SVCQ_OK)
        rc = svcq_sla_clock_change_policy(s->clock, carry, T0 + 150 * MIN);
    svcq_sla_policy_free(v2);
    svcq_sla_policy_free(carry);
    return rc;
}

static int run_scheduler_add(void *p)
{
    st *s = p;
    int rc = svcq_sla_scheduler_add(s->sched, s->loose);
    if (rc == SVCQ_OK)
        s->loose = NULL; /* owned by the scheduler now */
    return rc;
}

static int run_rebuild(void *p)
{
    st *s = p;
    return svcq_sla_clock_rebuild(s->clock);
}

static int run_replay(void *p)
{
    st *s = p;
    svcq_sla_replay *r;
    int rc = svcq_sla_replay_new(&r, s->p2);
    if (rc)
        return rc;
    rc = svcq_sla_replay_add_clock(r, s->clock, T0 + 5 * HOUR);
    if (rc) {
        svcq_sla_replay_free(r);
        return rc;
    }
    s->replay = r;
    return SVCQ_OK;
}

static int run_export(void *p)
{
    st *s = p;
    svcq_writer w;
    int rc = svcq_writer_to_buffer(&w, s->buf);
    if (rc == SVCQ_OK)
        rc = svcq_sla_clock_export_json(s->clock, T0 + 10 * HOUR, NULL, &w);
    if (rc == SVCQ_OK)
        rc = svcq_sla_clock_export_markdown(s->clock, T0 + 10 * HOUR, NULL, &w);
    return rc;
}

#define SCENARIO(fn) \
    static void fn##_test(void **state) \
    { \
        (void)state; \
        fault_scenario sc = { .name = #fn, .setup = setup, .run = fn, .describe = describe, .teardown = teardown }; \
        assert_true(fault_run(&sc) >= 1); \
    }

SCENARIO(run_builtin)
SCENARIO(run_new_version)
SCENARIO(run_policy_and_clock)
SCENARIO(run_event_in_order)
SCENARIO(run_event_out_of_order)
SCENARIO(run_change_policy)
SCENARIO(run_scheduler_add)
SCENARIO(run_rebuild)
SCENARIO(run_replay)
SCENARIO(run_export)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(run_builtin_test),
        cmocka_unit_test(run_new_version_test),
        cmocka_unit_test(run_policy_and_clock_test),
        cmocka_unit_test(run_event_in_order_test),
        cmocka_unit_test(run_event_out_of_order_test),
        cmocka_unit_test(run_change_policy_test),
        cmocka_unit_test(run_scheduler_add_test),
        cmocka_unit_test(run_rebuild_test),
        cmocka_unit_test(run_replay_test),
        cmocka_unit_test(run_export_test),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
