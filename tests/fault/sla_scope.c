/* In-memory atomicity across records (issue 8, item 6): one host batch
 * holds a clock event in order, a clock event out of order (with a pause
 * reason new to the clock), a restart, a clock save and a third write to
 * another record. Storage failure at every store callback and allocation
 * failure at every allocation: the batch fails, nothing leaks, and the
 * WHOLE clock — every target's status, the event log, pause reasons and
 * paused seconds, next instant, the scheduler's view and the stored
 * record's revision — is exactly as before. A scheduler advance in the
 * batch delivers a warning: a rollback takes the delivery back. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fault.h"
#include "faulty_store.h"
#include "store/store.h"
#include "svcq.h"

#define MIN 60
#define HOUR 3600
#define DAY 86400
#define T0 ((svcq_time)1767603600) /* Monday 09:00 UTC */

typedef struct st {
    test_alloc *alloc;
    svcq_ctx *ctx;
    faulty_store *faulty;
    bool inject_store;
    svcq_calendar *cal;
    svcq_sla_policy *p;
    svcq_sla_scheduler *sched;
    svcq_sla_clock *clock; /* held by the scheduler */
    int notices;
    bool committed;
} st;

static int count_notice(const svcq_sla_notice *n, void *ud)
{
    (void)n;
    ((st *)ud)->notices++;
    return 0;
}

static void *setup_common(test_alloc *alloc, bool inject_store)
{
    st *s = calloc(1, sizeof(*s));
    s->alloc = alloc;
    s->inject_store = inject_store;
    s->ctx = test_ctx_new(alloc);
    svcq_store_methods inner, m;
    assert_int_equal(svcq__memstore_new(s->ctx, &inner), SVCQ_OK);
    s->faulty = malloc(sizeof(*s->faulty));
    faulty_store_init(s->faulty, &inner);
    s->faulty->free_on_destroy = true;
    faulty_store_methods(s->faulty, &m);
    assert_int_equal(svcq_ctx_set_store(s->ctx, &m), SVCQ_OK);
    assert_int_equal(svcq_sla_default_calendar(&s->cal, s->ctx, NULL), SVCQ_OK);

    /* A seconds target and a business-days target with a restart event. */
    assert_int_equal(svcq_sla_policy_new(&s->p, s->ctx, "scope", 1), SVCQ_OK);
    svcq_sla_target_spec t = SVCQ_SLA_TARGET_SPEC_INIT;
    t.metric = "respond";
    t.start_event = "open";
    t.meet_event = "contact";
    t.pause_event = "pause";
    t.resume_event = "resume";
    t.duration = 2 * HOUR;
    t.calendar = s->cal;
    t.warn_count = 1;
    t.warn_percent[0] = 50;
    t.escalate_count = 1;
    t.escalate_percent[0] = 150;
    assert_int_equal(svcq_sla_policy_add_target(s->p, &t), SVCQ_OK);
    t.metric = "resolve";
    t.meet_event = "solved";
    t.restart_event = "reopen";
    t.duration = 2;
    t.duration_unit = SVCQ_SLA_UNIT_BUSINESS_DAYS;
    assert_int_equal(svcq_sla_policy_add_target(s->p, &t), SVCQ_OK);

    assert_int_equal(svcq_sla_scheduler_new(&s->sched, s->ctx, count_notice, s), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&s->clock, s->p, "inc-1"), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(s->sched, s->clock), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(s->clock, "open", T0, NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(s->clock, "pause", T0 + 30 * MIN, "cust-1"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_save(s->clock), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_advance(NULL, s->sched, T0 + 20 * MIN), SVCQ_OK);
    return s;
}

static void *setup_store(test_alloc *a) { return setup_common(a, true); }
static void *setup_alloc(test_alloc *a) { return setup_common(a, false); }

static void teardown(void *p)
{
    st *s = p;
    svcq_sla_scheduler_free(s->sched);
    svcq_sla_policy_free(s->p);
    svcq_calendar_free(s->cal);
    svcq_ctx_free(s->ctx);
    free(s);
}

static void arm(void *p, size_t n, bool keep)
{
    st *s = p;
    if (s->inject_store)
        faulty_store_arm(s->faulty, n, keep);
    else
        test_alloc_arm(s->alloc, n, keep);
}

static size_t injected(void *p)
{
    st *s = p;
    return s->inject_store ? s->faulty->injected : s->alloc->injected;
}

/* The whole observable state of one clock. */
static size_t describe_clock(char *out, size_t cap, const svcq_sla_clock *c)
{
    size_t n = 0;
    const svcq_sla_policy *P = svcq_sla_clock_policy(c);
    n += (size_t)snprintf(out + n, cap - n, "%s/%s v%u events=%u:", svcq_sla_clock_subject(c),
                          svcq_sla_policy_name(P), svcq_sla_policy_version(P), svcq_sla_clock_event_count(c));
    for (uint32_t i = 0; i < svcq_sla_clock_event_count(c); i++) {
        const char *name, *reason;
        svcq_time at;
        assert_int_equal(svcq_sla_clock_event_at(&name, &at, &reason, c, i), SVCQ_OK);
        n += (size_t)snprintf(out + n, cap - n, " %s@%lld/%s", name, (long long)at, reason);
    }
    const svcq_time probes[] = { T0 + HOUR, T0 + 3 * HOUR, T0 + 3 * DAY };
    for (uint32_t j = 0; j < svcq_sla_policy_target_count(P); j++) {
        for (size_t k = 0; k < 3; k++) {
            svcq_sla_status x = SVCQ_SLA_STATUS_INIT;
            assert_int_equal(svcq_sla_clock_status(&x, c, j, probes[k]), SVCQ_OK);
            n += (size_t)snprintf(out + n, cap - n, " [%s %d %lld %lld %lld %lld %lld %lld %lld %lld %d %u %u]",
                                  x.metric, x.state, (long long)x.started_at, (long long)x.due_at,
                                  (long long)x.warn_at, (long long)x.met_at, (long long)x.breached_at,
                                  (long long)x.elapsed, (long long)x.remaining, (long long)x.paused,
                                  x.escalation_level, x.met_count, x.breached_count);
        }
        const char *reasons[] = { "cust-1", "cust-2", "" };
        for (size_t k = 0; k < 3; k++) {
            int64_t secs;
            assert_int_equal(svcq_sla_clock_paused_seconds(&secs, c, j, reasons[k], probes[2]), SVCQ_OK);
            n += (size_t)snprintf(out + n, cap - n, " p(%s)=%lld", reasons[k], (long long)secs);
        }
    }
    svcq_time next;
    assert_int_equal(svcq_sla_clock_next_at(&next, c, T0), SVCQ_OK);
    n += (size_t)snprintf(out + n, cap - n, " next=%lld", (long long)next);
    return n;
}

static char *describe(void *p)
{
    st *s = p;
    size_t cap = 16384;
    char *out = malloc(cap);
    size_t n = describe_clock(out, cap, s->clock);
    svcq_time next;
    assert_int_equal(svcq_sla_scheduler_next_at(&next, s->sched), SVCQ_OK);
    /* The scheduler's view (what it delivered is in the clock's state and
     * its record). The host's count of callbacks is not the library's
     * state: a rolled-back batch may have called it. */
    n += (size_t)snprintf(out + n, cap - n, " sched_next=%lld", (long long)next);
    /* The stored record and the other record of the scope. */
    svcq_sla_clock *stored;
    assert_int_equal(svcq_sla_clock_load(&stored, &s->p, 1, "scope", "inc-1", 0), SVCQ_OK);
    n += (size_t)snprintf(out + n, cap - n, " stored: ");
    n += describe_clock(out + n, cap - n, stored);
    svcq_sla_clock_free(stored);
    char *bytes = NULL;
    size_t size;
    uint64_t rev = 0;
    int rc = svcq__store_get(s->ctx, "note", "n1", &bytes, &size, &rev);
    n += (size_t)snprintf(out + n, cap - n, " note=%d/%llu", rc, (unsigned long long)rev);
    svcq__free(s->ctx, bytes);
    assert_true(n < cap);
    return out;
}

static int third_write(svcq_ctx *ctx)
{
    svcq__tx tx;
    int rc = svcq__tx_begin(ctx, &tx);
    uint64_t rev;
    if (rc == SVCQ_OK)
        rc = svcq__store_put(ctx, "note", "n1", 0, "{}", 2, &rev);
    return svcq__tx_end(ctx, &tx, rc);
}

static int run_scope(void *p)
{
    st *s = p;
    svcq_ctx *ctx = s->ctx;
    int rc = svcq_ctx_batch_begin(ctx);
    if (rc)
        return rc;
    rc = svcq_sla_clock_event(s->clock, "resume", T0 + HOUR, "cust-1");      /* in order */
    if (rc == SVCQ_OK) /* delivers the respond warning (T0 + 1 h 30) */
        rc = svcq_sla_scheduler_advance(NULL, s->sched, T0 + HOUR + 45 * MIN);
    if (rc == SVCQ_OK)
        rc = svcq_sla_clock_event(s->clock, "pause", T0 + 10 * MIN, "cust-2"); /* out of order, new reason */
    if (rc == SVCQ_OK)
        rc = svcq_sla_clock_event(s->clock, "reopen", T0 + 2 * HOUR, NULL);
    if (rc == SVCQ_OK)
        rc = svcq_sla_clock_save(s->clock);
    if (rc == SVCQ_OK)
        rc = third_write(ctx);
    if (rc == SVCQ_OK)
        return svcq_ctx_batch_commit(ctx);
    (void)svcq_ctx_batch_rollback(ctx);
    return rc;
}

/* After a failure the clock still saves under compare-and-swap (its
 * revision was restored with it), and what is stored equals it. */
static void verify(void *p, int rc, bool hit)
{
    st *s = p;
    (void)hit;
    if (rc != SVCQ_OK) {
        assert_int_equal(svcq_sla_clock_save(s->clock), SVCQ_OK);
    } else {
        assert_int_equal(svcq_sla_clock_event_count(s->clock), 5);
        assert_int_equal(s->notices, 1);
    }
    /* The warning is delivered exactly once more after a rollback (the
     * clock is paused again: resumed, it comes), never again after a
     * commit. */
    int before = s->notices;
    if (rc != SVCQ_OK)
        assert_int_equal(svcq_sla_clock_event(s->clock, "resume", T0 + HOUR, "cust-1"), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_advance(NULL, s->sched, T0 + HOUR + 45 * MIN), SVCQ_OK);
    assert_int_equal(s->notices, rc == SVCQ_OK ? before : before + 1);
    if (rc != SVCQ_OK)
        assert_int_equal(svcq_sla_clock_save(s->clock), SVCQ_OK);
    svcq_sla_clock *stored;
    assert_int_equal(svcq_sla_clock_load(&stored, &s->p, 1, "scope", "inc-1", 0), SVCQ_OK);
    char a[8192], b[8192];
    describe_clock(a, sizeof(a), s->clock);
    describe_clock(b, sizeof(b), stored);
    assert_string_equal(a, b);
    svcq_sla_clock_free(stored);
}

static void scope_store_failures(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "clock scope/store", .setup = setup_store, .run = run_scope,
                          .describe = describe, .verify = verify, .teardown = teardown, .arm = arm,
                          .injected = injected, .expected_error = SVCQ_EIO };
    assert_true(fault_run(&sc) >= 4);
}

static void scope_alloc_failures(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "clock scope/alloc", .setup = setup_alloc, .run = run_scope,
                          .describe = describe, .verify = verify, .teardown = teardown, .arm = arm,
                          .injected = injected };
    assert_true(fault_run(&sc) >= 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scope_store_failures),
        cmocka_unit_test(scope_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
