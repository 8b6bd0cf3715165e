/* Storage failure at every store callback (and allocation failure at every
 * allocation) of saving and loading SLA clocks: each run returns an error,
 * leaks nothing, leaves the clocks as they were, and a fresh load sees
 * exactly the last committed state. */
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
#define T0 ((svcq_time)1767603600)

typedef struct st {
    test_alloc *alloc;
    svcq_ctx *ctx;
    faulty_store *faulty;
    bool inject_store;
    bool conflict;          /* c1 was saved by another handle: the save skips it */
    svcq_sla_policy *p;
    svcq_sla_policy *p_alt; /* tier.2 v1 on another calendar, for re-based loads */
    svcq_sla_scheduler *sched;
    int notices;
    uint32_t committed_events[3]; /* what the store holds per clock */
} st;

static int count_notice(const svcq_sla_notice *n, void *ud)
{
    (void)n;
    ((st *)ud)->notices++;
    return 0;
}

static svcq_sla_clock *clock_of(st *s, int i)
{
    char subject[8];
    snprintf(subject, sizeof(subject), "c%d", i);
    return svcq_sla_scheduler_find(s->sched, subject, "tier.2");
}

static svcq_time fixed_now(void *ud)
{
    (void)ud;
    return T0 + 3 * HOUR;
}

static void *setup_common(test_alloc *alloc, bool inject_store, bool conflict)
{
    st *s = calloc(1, sizeof(*s));
    s->alloc = alloc;
    s->inject_store = inject_store;
    s->conflict = conflict;
    svcq_ctx_options o = SVCQ_CTX_OPTIONS_INIT;
    test_alloc_hook(alloc, &o);
    o.clock_fn = fixed_now; /* re-based loads read the time */
    assert_int_equal(svcq_ctx_new(&s->ctx, &o), SVCQ_OK);
    svcq_store_methods inner, m;
    assert_int_equal(svcq__memstore_new(s->ctx, &inner), SVCQ_OK);
    s->faulty = malloc(sizeof(*s->faulty));
    faulty_store_init(s->faulty, &inner);
    s->faulty->free_on_destroy = true;
    faulty_store_methods(s->faulty, &m);
    assert_int_equal(svcq_ctx_set_store(s->ctx, &m), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_builtin(&s->p, s->ctx, SVCQ_TIER_2, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_new(&s->sched, s->ctx, count_notice, s), SVCQ_OK);
    for (int i = 0; i < 3; i++) {
        char subject[8];
        snprintf(subject, sizeof(subject), "c%d", i);
        svcq_sla_clock *c;
        assert_int_equal(svcq_sla_clock_new(&c, s->p, subject), SVCQ_OK);
        assert_int_equal(svcq_sla_scheduler_add(s->sched, c), SVCQ_OK);
        assert_int_equal(svcq_sla_clock_event(c, SVCQ_SLA_EVENT_REQUEST_RECEIVED, T0 + i * MIN, NULL), SVCQ_OK);
    }
    /* c0 and c1 are stored; then c1 and c2 change. */
    assert_int_equal(svcq_sla_clock_save(clock_of(s, 0)), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_save(clock_of(s, 1)), SVCQ_OK);
    s->committed_events[0] = s->committed_events[1] = 1;
    assert_int_equal(svcq_sla_clock_event(clock_of(s, 1), SVCQ_SLA_EVENT_FIRST_CONTACT, T0 + 30 * MIN, NULL),
                     SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(clock_of(s, 2), SVCQ_SLA_EVENT_PAUSE, T0 + 30 * MIN, "customer"),
                     SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_advance(NULL, s->sched, T0 + 50 * MIN), SVCQ_OK);
    if (conflict) {
        /* Another server saves c1 meanwhile. */
        svcq_sla_clock *copy;
        assert_int_equal(svcq_sla_clock_load(&copy, &s->p, 1, "tier.2", "c1", 0), SVCQ_OK);
        assert_int_equal(svcq_sla_clock_event(copy, SVCQ_SLA_EVENT_SOLUTION_DRAFTED, T0 + 40 * MIN, NULL), SVCQ_OK);
        assert_int_equal(svcq_sla_clock_save(copy), SVCQ_OK);
        svcq_sla_clock_free(copy);
        s->committed_events[1] = 2;
    }
    svcq_tz *plus8;
    svcq_calendar *cal;
    assert_int_equal(svcq_tz_fixed(&plus8, s->ctx, 8 * 3600), SVCQ_OK);
    assert_int_equal(svcq_sla_default_calendar(&cal, s->ctx, plus8), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_builtin(&s->p_alt, s->ctx, SVCQ_TIER_2, cal, 0), SVCQ_OK);
    svcq_calendar_free(cal);
    svcq_tz_free(plus8);
    return s;
}

static void *setup_store(test_alloc *a) { return setup_common(a, true, false); }
static void *setup_alloc(test_alloc *a) { return setup_common(a, false, false); }
static void *setup_conflict_store(test_alloc *a) { return setup_common(a, true, true); }
static void *setup_conflict_alloc(test_alloc *a) { return setup_common(a, false, true); }

static void teardown(void *p)
{
    st *s = p;
    svcq_sla_scheduler_free(s->sched);
    svcq_sla_policy_free(s->p);
    svcq_sla_policy_free(s->p_alt);
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

static char *describe(void *p)
{
    st *s = p;
    char *out = malloc(16384);
    size_t n = 0;
    /* The whole state of each clock: event log, every target's status. */
    for (int i = 0; i < 3; i++) {
        svcq_sla_clock *c = clock_of(s, i);
        n += (size_t)snprintf(out + n, 16384 - n, "[%s events=%u", svcq_sla_clock_subject(c),
                              svcq_sla_clock_event_count(c));
        for (uint32_t e = 0; e < svcq_sla_clock_event_count(c); e++) {
            const char *name, *reason;
            svcq_time t;
            assert_int_equal(svcq_sla_clock_event_at(&name, &t, &reason, c, e), SVCQ_OK);
            n += (size_t)snprintf(out + n, 16384 - n, " %s@%lld/%s", name, (long long)t, reason);
        }
        const svcq_sla_policy *P = svcq_sla_clock_policy(c);
        for (uint32_t j = 0; j < svcq_sla_policy_target_count(P); j++) {
            svcq_sla_status x = SVCQ_SLA_STATUS_INIT;
            assert_int_equal(svcq_sla_clock_status(&x, c, j, T0 + 2 * HOUR), SVCQ_OK);
            n += (size_t)snprintf(out + n, 16384 - n, " %d,%lld,%lld,%lld,%lld,%u,%u", x.state,
                                  (long long)x.started_at, (long long)x.due_at, (long long)x.elapsed,
                                  (long long)x.paused, x.met_count, x.breached_count);
        }
        n += (size_t)snprintf(out + n, 16384 - n, "]");
    }
    snprintf(out + n, 16384 - n, " notices=%d count=%llu", s->notices,
             (unsigned long long)svcq_sla_scheduler_count(s->sched));
    return out;
}

/* A fresh load sees exactly what was committed last. */
static void verify(void *p, int rc, bool hit)
{
    st *s = p;
    (void)hit;
    if (rc == SVCQ_OK)
        s->committed_events[0] = 1, s->committed_events[1] = 2, s->committed_events[2] = 2;
    /* With a conflict, c1 in the store is the other server's (2 events too,
     * another second event): check which. */
    if (s->conflict) {
        svcq_sla_clock *c1;
        const char *name;
        assert_int_equal(svcq_sla_clock_load(&c1, &s->p, 1, "tier.2", "c1", 0), SVCQ_OK);
        assert_int_equal(svcq_sla_clock_event_at(&name, NULL, NULL, c1, 1), SVCQ_OK);
        assert_string_equal(name, SVCQ_SLA_EVENT_SOLUTION_DRAFTED);
        svcq_sla_clock_free(c1);
    }
    for (int i = 0; i < 3; i++) {
        char subject[8];
        snprintf(subject, sizeof(subject), "c%d", i);
        svcq_sla_clock *c;
        int lrc = svcq_sla_clock_load(&c, &s->p, 1, "tier.2", subject, 0);
        if (s->committed_events[i] == 0) {
            assert_int_equal(lrc, SVCQ_ENOTFOUND);
            continue;
        }
        assert_int_equal(lrc, SVCQ_OK);
        assert_int_equal(svcq_sla_clock_event_count(c), s->committed_events[i]);
        svcq_sla_clock_free(c);
    }
}

static int run_scheduler_save(void *p)
{
    st *s = p;
    uint64_t failed;
    int rc = svcq_sla_scheduler_save(&failed, s->sched);
    if (rc == SVCQ_OK) {
        assert_int_equal(failed, s->conflict ? 1 : 0);
        if (s->conflict) {
            svcq_sla_clock *bad;
            int32_t code;
            assert_int_equal(svcq_sla_scheduler_failed(&bad, &code, s->sched, 0), SVCQ_OK);
            assert_ptr_equal(bad, clock_of(s, 1));
            assert_int_equal(code, SVCQ_ECONFLICT);
        }
    }
    return rc;
}

static void scheduler_save_store_failures(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "scheduler_save/store", .setup = setup_store, .run = run_scheduler_save,
                          .describe = describe, .verify = verify, .teardown = teardown, .arm = arm,
                          .injected = injected, .expected_error = SVCQ_EIO };
    assert_true(fault_run(&sc) >= 3);
}

static void scheduler_save_alloc_failures(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "scheduler_save/alloc", .setup = setup_alloc, .run = run_scheduler_save,
                          .describe = describe, .verify = verify, .teardown = teardown, .arm = arm,
                          .injected = injected };
    assert_true(fault_run(&sc) >= 3);
}

/* Loading into a second scheduler: all or nothing. */
static int run_load(void *p)
{
    st *s = p;
    svcq_sla_scheduler *other;
    int rc = svcq_sla_scheduler_new(&other, s->ctx, count_notice, s);
    if (rc)
        return rc;
    rc = svcq_sla_scheduler_load(other, &s->p, 1, 0);
    if (rc == SVCQ_OK)
        assert_int_equal(svcq_sla_scheduler_count(other), 2);
    else
        assert_int_equal(svcq_sla_scheduler_count(other), 0);
    svcq_sla_scheduler_free(other);
    return rc;
}

static void load_store_failures(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "scheduler_load/store", .setup = setup_store, .run = run_load,
                          .describe = describe, .teardown = teardown, .arm = arm, .injected = injected,
                          .expected_error = SVCQ_EIO };
    assert_true(fault_run(&sc) >= 1);
}

static void load_alloc_failures(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "scheduler_load/alloc", .setup = setup_alloc, .run = run_load,
                          .describe = describe, .teardown = teardown, .arm = arm, .injected = injected };
    assert_true(fault_run(&sc) >= 3);
}

static void conflict_save_store_failures(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "scheduler_save+conflict/store", .setup = setup_conflict_store,
                          .run = run_scheduler_save, .describe = describe, .verify = verify,
                          .teardown = teardown, .arm = arm, .injected = injected, .expected_error = SVCQ_EIO };
    assert_true(fault_run(&sc) >= 3);
}

static void conflict_save_alloc_failures(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "scheduler_save+conflict/alloc", .setup = setup_conflict_alloc,
                          .run = run_scheduler_save, .describe = describe, .verify = verify,
                          .teardown = teardown, .arm = arm, .injected = injected };
    assert_true(fault_run(&sc) >= 3);
}

/* A re-based load (KEEP: what fell due before now counts as delivered)
 * into a second scheduler: all or nothing. */
static int run_rebase_load(void *p)
{
    st *s = p;
    svcq_sla_scheduler *other;
    int rc = svcq_sla_scheduler_new(&other, s->ctx, count_notice, s);
    if (rc)
        return rc;
    rc = svcq_sla_scheduler_load(other, &s->p_alt, 1, 0);
    assert_int_equal(svcq_sla_scheduler_count(other), 0);
    if (rc == SVCQ_ECONFLICT) /* otherwise the injected failure came first */
        rc = svcq_sla_scheduler_load(other, &s->p_alt, 1, SVCQ_SLA_LOAD_REBASE);
    if (rc == SVCQ_OK) {
        assert_int_equal(svcq_sla_scheduler_count(other), 2);
        uint64_t n = 99;
        assert_int_equal(svcq_sla_scheduler_advance(&n, other, T0 + 3 * HOUR), SVCQ_OK);
        assert_int_equal(n, 0);
    } else {
        assert_int_equal(svcq_sla_scheduler_count(other), 0);
    }
    svcq_sla_scheduler_free(other);
    return rc;
}

static void rebase_load_alloc_failures(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "scheduler_load+rebase/alloc", .setup = setup_alloc, .run = run_rebase_load,
                          .describe = describe, .teardown = teardown, .arm = arm, .injected = injected };
    assert_true(fault_run(&sc) >= 3);
}

static void rebase_load_store_failures(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "scheduler_load+rebase/store", .setup = setup_store, .run = run_rebase_load,
                          .describe = describe, .teardown = teardown, .arm = arm, .injected = injected,
                          .expected_error = SVCQ_EIO };
    assert_true(fault_run(&sc) >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scheduler_save_store_failures),
        cmocka_unit_test(scheduler_save_alloc_failures),
        cmocka_unit_test(load_store_failures),
        cmocka_unit_test(load_alloc_failures),
        cmocka_unit_test(conflict_save_store_failures),
        cmocka_unit_test(conflict_save_alloc_failures),
        cmocka_unit_test(rebase_load_alloc_failures),
        cmocka_unit_test(rebase_load_store_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
