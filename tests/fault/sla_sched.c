/* Allocation (and storage) failure at every point of what the scheduler
 * for a million clocks added: target states kept only for started targets
 * (they grow when a target starts, are packed after a recomputation), the
 * extra part made at a clock's first pause or reason, the scheduler's
 * index and list of changed clocks, and partitioned loads. Each failed run
 * returns the error, leaks nothing and leaves every clock, the scheduler
 * and the store as they were. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fault.h"
#include "faulty_store.h"
#include "sla/sla_internal.h"
#include "store/store.h"
#include "svcq.h"

#define MIN 60
#define HOUR 3600
#define T0 ((svcq_time)1767603600) /* Monday 09:00 UTC */
#define NCLOCKS 12

typedef struct st {
    test_alloc *alloc;
    svcq_ctx *ctx;
    faulty_store *faulty;
    bool inject_store;
    svcq_sla_policy *p;
    svcq_sla_scheduler *sched;
    svcq_sla_clock *fresh; /* not in the scheduler yet */
    int notices;
    /* The list of changed clocks is part of the state, except after a
     * rollback: it may keep clocks listed (a save finds them stored and
     * skips them). */
    bool hide_listed;
} st;

static int count_notice(const svcq_sla_notice *n, void *ud)
{
    (void)n;
    ((st *)ud)->notices++;
    return 0;
}

static svcq_sla_clock *clock_of(st *s, int i)
{
    char subject[16];
    snprintf(subject, sizeof(subject), "c%d", i);
    return svcq_sla_scheduler_find(s->sched, subject, "tier.2");
}

static void *setup_common(test_alloc *alloc, bool inject_store)
{
    st *s = calloc(1, sizeof(*s));
    s->alloc = alloc;
    s->inject_store = inject_store;
    svcq_ctx_options o = SVCQ_CTX_OPTIONS_INIT;
    test_alloc_hook(alloc, &o);
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
    for (int i = 0; i < NCLOCKS; i++) {
        char subject[16];
        snprintf(subject, sizeof(subject), "c%d", i);
        svcq_sla_clock *c;
        assert_int_equal(svcq_sla_clock_new(&c, s->p, subject), SVCQ_OK);
        assert_int_equal(svcq_sla_scheduler_add(s->sched, c), SVCQ_OK);
        if (i == 0)
            continue; /* c0 stays idle */
        assert_int_equal(svcq_sla_clock_event(c, SVCQ_SLA_EVENT_REQUEST_RECEIVED, T0 + i * MIN, NULL), SVCQ_OK);
        if (i % 3 == 0)
            assert_int_equal(svcq_sla_clock_event(c, SVCQ_SLA_EVENT_PAUSE, T0 + 20 * MIN, "customer"), SVCQ_OK);
        if (i % 4 == 0)
            assert_int_equal(svcq_sla_clock_event(c, SVCQ_SLA_EVENT_SOLUTION_DRAFTED, T0 + 40 * MIN, NULL), SVCQ_OK);
    }
    uint64_t failed;
    assert_int_equal(svcq_sla_scheduler_save(&failed, s->sched), SVCQ_OK);
    assert_int_equal(failed, 0);
    /* c1 and c2 change after the save. */
    assert_int_equal(svcq_sla_clock_event(clock_of(s, 1), SVCQ_SLA_EVENT_FIRST_CONTACT, T0 + 30 * MIN, NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_advance(NULL, s->sched, T0 + 50 * MIN), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&s->fresh, s->p, "fresh"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(s->fresh, SVCQ_SLA_EVENT_REQUEST_RECEIVED, T0, NULL), SVCQ_OK);
    return s;
}

static void *setup_alloc(test_alloc *a) { return setup_common(a, false); }
static void *setup_batch(test_alloc *a)
{
    st *s = setup_common(a, false);
    s->hide_listed = true;
    return s;
}
static void *setup_store(test_alloc *a) { return setup_common(a, true); }

static void teardown(void *p)
{
    st *s = p;
    svcq_sla_clock_free(s->fresh);
    svcq_sla_scheduler_free(s->sched);
    svcq_sla_policy_free(s->p);
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

static size_t describe_clock(char *out, size_t cap, const svcq_sla_clock *c)
{
    size_t n = (size_t)snprintf(out, cap, "[%s events=%u", svcq_sla_clock_subject(c), svcq_sla_clock_event_count(c));
    for (uint32_t e = 0; e < svcq_sla_clock_event_count(c); e++) {
        const char *name, *reason;
        svcq_time t;
        assert_int_equal(svcq_sla_clock_event_at(&name, &t, &reason, c, e), SVCQ_OK);
        n += (size_t)snprintf(out + n, cap - n, " %s@%lld/%s", name, (long long)t, reason);
    }
    const svcq_sla_policy *P = svcq_sla_clock_policy(c);
    for (uint32_t j = 0; j < svcq_sla_policy_target_count(P); j++) {
        svcq_sla_status x = SVCQ_SLA_STATUS_INIT;
        int64_t customer, all;
        assert_int_equal(svcq_sla_clock_status(&x, c, j, T0 + 2 * HOUR), SVCQ_OK);
        assert_int_equal(svcq_sla_clock_paused_seconds(&customer, c, j, "customer", T0 + 2 * HOUR), SVCQ_OK);
        assert_int_equal(svcq_sla_clock_paused_seconds(&all, c, j, NULL, T0 + 2 * HOUR), SVCQ_OK);
        n += (size_t)snprintf(out + n, cap - n, " %d,%lld,%lld,%lld,%lld,%u,%u,%lld,%lld", x.state,
                              (long long)x.started_at, (long long)x.due_at, (long long)x.elapsed,
                              (long long)x.paused, x.met_count, x.breached_count, (long long)customer,
                              (long long)all);
    }
    svcq_time next;
    assert_int_equal(svcq_sla_clock_next_at(&next, c, T0), SVCQ_OK);
    n += (size_t)snprintf(out + n, cap - n, " next=%lld]", (long long)next);
    return n;
}

/* Every clock, the scheduler's count, next instant and list of changed
 * clocks. */
static char *describe(void *p)
{
    st *s = p;
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap);
    for (int i = 0; i < NCLOCKS; i++) {
        svcq_sla_clock *c = clock_of(s, i);
        if (c)
            n += describe_clock(out + n, cap - n, c);
        else
            n += (size_t)snprintf(out + n, cap - n, "[c%d gone]", i);
    }
    if (s->fresh)
        n += describe_clock(out + n, cap - n, s->fresh);
    svcq_time next;
    assert_int_equal(svcq_sla_scheduler_next_at(&next, s->sched), SVCQ_OK);
    size_t iter = 0, listed = 0;
    while (svcq__sla_sched_next_dirty(s->sched, &iter))
        listed++;
    snprintf(out + n, cap - n, " count=%llu next=%lld listed=%zu", (unsigned long long)svcq_sla_scheduler_count(s->sched),
             (long long)next, s->hide_listed ? 0 : listed);
    return out;
}

/* ---- clock changes that allocate where they did not before ------------- */

static int run_targets_start(void *p)
{
    /* Two targets start: the stored states grow. */
    return svcq_sla_clock_event(clock_of(p, 1), SVCQ_SLA_EVENT_SOLUTION_DRAFTED, T0 + 45 * MIN, NULL);
}

static int run_first_pause(void *p)
{
    /* The clock's first reason and pause: its extra part is made. */
    return svcq_sla_clock_event(clock_of(p, 2), SVCQ_SLA_EVENT_PAUSE, T0 + 45 * MIN, "vendor");
}

static int run_late_pause(void *p)
{
    /* Out of order, on a clock without pauses: recomputed states are
     * packed and the pause list needs the extra part. */
    return svcq_sla_clock_event(clock_of(p, 5), SVCQ_SLA_EVENT_PAUSE, T0 + 10 * MIN, NULL);
}

static int run_late_draft(void *p)
{
    /* Out of order, on a clock with pauses and a drafted solution. */
    return svcq_sla_clock_event(clock_of(p, 4), SVCQ_SLA_EVENT_FIRST_CONTACT, T0 + 15 * MIN, NULL);
}

static int run_rebuild(void *p)
{
    return svcq_sla_clock_rebuild(clock_of(p, 3));
}

static int run_add(void *p)
{
    st *s = p;
    int rc = svcq_sla_scheduler_add(s->sched, s->fresh);
    if (rc == SVCQ_OK)
        s->fresh = NULL; /* the scheduler's now */
    return rc;
}

static int run_batch_rolled_back(void *p)
{
    /* Inside a batch that rolls back: the clock comes back exactly. */
    st *s = p;
    int rc = svcq_ctx_batch_begin(s->ctx);
    if (rc)
        return rc;
    rc = svcq_sla_clock_event(clock_of(s, 6), SVCQ_SLA_EVENT_SOLUTION_DRAFTED, T0 + 45 * MIN, NULL);
    if (rc == SVCQ_OK)
        rc = svcq_sla_clock_event(clock_of(s, 6), SVCQ_SLA_EVENT_PAUSE, T0 + 5 * MIN, "late");
    if (rc == SVCQ_OK)
        rc = svcq_sla_scheduler_advance(NULL, s->sched, T0 + 3 * HOUR);
    (void)svcq_ctx_batch_rollback(s->ctx);
    return rc;
}

#define ALLOC_CASE(fn, runner)                                                                                  \
    static void fn(void **state)                                                                                \
    {                                                                                                           \
        (void)state;                                                                                            \
        fault_scenario sc = { .name = #fn, .setup = setup_alloc, .run = runner, .describe = describe,          \
                              .teardown = teardown, .arm = arm, .injected = injected };                         \
        assert_true(fault_run(&sc) >= 1);                                                                       \
    }

ALLOC_CASE(targets_start_alloc, run_targets_start)
ALLOC_CASE(first_pause_alloc, run_first_pause)
ALLOC_CASE(late_pause_alloc, run_late_pause)
ALLOC_CASE(late_draft_alloc, run_late_draft)
ALLOC_CASE(rebuild_alloc, run_rebuild)
ALLOC_CASE(add_alloc, run_add)

/* The rolled-back batch leaves everything as it was whether or not a
 * failure came: its describe must match after success too. */
static void batch_rolled_back_alloc(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    st *s = setup_batch(&a);
    char *before = describe(s);
    assert_int_equal(run_batch_rolled_back(s), SVCQ_OK);
    char *after = describe(s);
    size_t d = 0;
    while (before[d] && before[d] == after[d])
        d++;
    if (before[d] || after[d])
        fail_msg("differ at %zu: before ...%.200s\nafter ...%.200s", d, before + (d > 120 ? d - 120 : 0),
                 after + (d > 120 ? d - 120 : 0));
    free(before);
    free(after);
    teardown(s);
    assert_int_equal(a.live_blocks, 0);
    fault_scenario sc = { .name = "batch_rolled_back_alloc", .setup = setup_batch, .run = run_batch_rolled_back,
                          .describe = describe, .teardown = teardown, .arm = arm, .injected = injected };
    assert_true(fault_run(&sc) >= 3);
}

/* ---- partitioned loads ---------------------------------------------------- */

static int run_partitioned_load(void *p)
{
    st *s = p;
    svcq_sla_scheduler *other;
    int rc = svcq_sla_scheduler_new(&other, s->ctx, count_notice, s);
    if (rc)
        return rc;
    rc = svcq_sla_scheduler_set_partition(other, 1, 2);
    assert_int_equal(rc, SVCQ_OK);
    rc = svcq_sla_scheduler_load(other, &s->p, 1, 0);
    uint64_t want = 0;
    for (int i = 0; i < NCLOCKS; i++) {
        char subject[16];
        uint32_t k;
        snprintf(subject, sizeof(subject), "c%d", i);
        assert_int_equal(svcq_sla_subject_partition(&k, subject, 2), SVCQ_OK);
        want += k == 1;
    }
    assert_true(want > 0 && want < NCLOCKS);
    assert_int_equal(svcq_sla_scheduler_count(other), rc == SVCQ_OK ? want : 0);
    if (rc == SVCQ_OK) {
        /* Its clocks are the stored ones: nothing changed, nothing listed. */
        size_t iter = 0;
        assert_null(svcq__sla_sched_next_dirty(other, &iter));
    }
    svcq_sla_scheduler_free(other);
    return rc;
}

static void partitioned_load_alloc(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "partitioned_load/alloc", .setup = setup_alloc, .run = run_partitioned_load,
                          .describe = describe, .teardown = teardown, .arm = arm, .injected = injected };
    assert_true(fault_run(&sc) >= 3);
}

static void partitioned_load_store(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "partitioned_load/store", .setup = setup_store, .run = run_partitioned_load,
                          .describe = describe, .teardown = teardown, .arm = arm, .injected = injected,
                          .expected_error = SVCQ_EIO };
    assert_true(fault_run(&sc) >= 1);
}

/* ---- saving the changed clocks ------------------------------------------- */

/* A failed save changes nothing, keeps every changed clock listed, and the
 * store still holds what the last save committed. */
static void verify_save(void *p, int rc, bool hit)
{
    st *s = p;
    (void)hit;
    size_t iter = 0, listed = 0;
    while (svcq__sla_sched_next_dirty(s->sched, &iter))
        listed++;
    svcq_sla_clock *c1;
    assert_int_equal(svcq_sla_clock_load(&c1, &s->p, 1, "tier.2", "c1", 0), SVCQ_OK);
    if (rc == SVCQ_OK) {
        assert_int_equal(listed, 0);
        assert_int_equal(svcq_sla_clock_event_count(c1), 2);
    } else {
        assert_true(listed >= 1);
        assert_int_equal(svcq_sla_clock_event_count(c1), 1);
    }
    svcq_sla_clock_free(c1);
}

static int run_save(void *p)
{
    st *s = p;
    uint64_t failed;
    int rc = svcq_sla_scheduler_save(&failed, s->sched);
    if (rc == SVCQ_OK)
        assert_int_equal(failed, 0);
    return rc;
}

static void save_changed_alloc(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "save_changed/alloc", .setup = setup_alloc, .run = run_save,
                          .describe = describe, .verify = verify_save, .teardown = teardown, .arm = arm,
                          .injected = injected };
    assert_true(fault_run(&sc) >= 3);
}

static void save_changed_store(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "save_changed/store", .setup = setup_store, .run = run_save,
                          .describe = describe, .verify = verify_save, .teardown = teardown, .arm = arm,
                          .injected = injected, .expected_error = SVCQ_EIO };
    assert_true(fault_run(&sc) >= 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(targets_start_alloc),
        cmocka_unit_test(first_pause_alloc),
        cmocka_unit_test(late_pause_alloc),
        cmocka_unit_test(late_draft_alloc),
        cmocka_unit_test(rebuild_alloc),
        cmocka_unit_test(add_alloc),
        cmocka_unit_test(batch_rolled_back_alloc),
        cmocka_unit_test(partitioned_load_alloc),
        cmocka_unit_test(partitioned_load_store),
        cmocka_unit_test(save_changed_alloc),
        cmocka_unit_test(save_changed_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
