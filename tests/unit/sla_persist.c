/* SLA clocks in the store: round trips, compare-and-swap, damaged records,
 * and notices delivered exactly once across a save, a restart and a load. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "svcq.h"
#include "test_alloc.h"

#define MIN 60
#define HOUR 3600
#define DAY 86400
#define T0 ((svcq_time)1767603600) /* Monday 09:00 UTC */

static void ev(svcq_sla_clock *c, const char *name, svcq_time at, const char *reason)
{
    assert_int_equal(svcq_sla_clock_event(c, name, at, reason), SVCQ_OK);
}

static void assert_same_clock(const svcq_sla_clock *a, const svcq_sla_clock *b, svcq_time at)
{
    const svcq_sla_policy *P = svcq_sla_clock_policy(a);
    assert_string_equal(svcq_sla_policy_name(P), svcq_sla_policy_name(svcq_sla_clock_policy(b)));
    assert_int_equal(svcq_sla_policy_version(P), svcq_sla_policy_version(svcq_sla_clock_policy(b)));
    assert_string_equal(svcq_sla_clock_subject(a), svcq_sla_clock_subject(b));
    assert_int_equal(svcq_sla_clock_event_count(a), svcq_sla_clock_event_count(b));
    for (uint32_t i = 0; i < svcq_sla_clock_event_count(a); i++) {
        const char *n1, *n2, *r1, *r2;
        svcq_time t1, t2;
        assert_int_equal(svcq_sla_clock_event_at(&n1, &t1, &r1, a, i), SVCQ_OK);
        assert_int_equal(svcq_sla_clock_event_at(&n2, &t2, &r2, b, i), SVCQ_OK);
        assert_string_equal(n1, n2);
        assert_int_equal(t1, t2);
        assert_string_equal(r1, r2);
    }
    for (uint32_t j = 0; j < svcq_sla_policy_target_count(P); j++) {
        svcq_sla_status x = SVCQ_SLA_STATUS_INIT, y = SVCQ_SLA_STATUS_INIT;
        assert_int_equal(svcq_sla_clock_status(&x, a, j, at), SVCQ_OK);
        assert_int_equal(svcq_sla_clock_status(&y, b, j, at), SVCQ_OK);
        assert_string_equal(x.metric, y.metric);
        x.metric = y.metric = NULL;
        assert_memory_equal(&x, &y, sizeof(x));
        int64_t p1, p2;
        assert_int_equal(svcq_sla_clock_paused_seconds(&p1, a, j, "customer", at), SVCQ_OK);
        assert_int_equal(svcq_sla_clock_paused_seconds(&p2, b, j, "customer", at), SVCQ_OK);
        assert_int_equal(p1, p2);
    }
}

static void round_trip_and_conflicts(void **state)
{
    (void)state;
    test_alloc alloc;
    test_alloc_init(&alloc);
    svcq_ctx *ctx = test_ctx_new(&alloc);
    svcq_sla_policy *v1, *v2;
    assert_int_equal(svcq_sla_policy_builtin(&v1, ctx, SVCQ_TIER_2, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_new(&v2, ctx, "tier.2", 2), SVCQ_OK);
    for (uint32_t j = 0; j < svcq_sla_policy_target_count(v1); j++) {
        svcq_sla_target_spec t = SVCQ_SLA_TARGET_SPEC_INIT;
        assert_int_equal(svcq_sla_policy_target(&t, v1, j), SVCQ_OK);
        t.duration += HOUR;
        assert_int_equal(svcq_sla_policy_add_target(v2, &t), SVCQ_OK);
    }
    assert_int_equal(svcq_sla_policy_set_change_mode(v2, SVCQ_SLA_CHANGE_CARRY), SVCQ_OK);

    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, v1, "客户-42 / ticket"), SVCQ_OK);
    ev(c, SVCQ_SLA_EVENT_REQUEST_RECEIVED, T0, NULL);
    ev(c, SVCQ_SLA_EVENT_PAUSE, T0 + 20 * MIN, "customer");
    ev(c, SVCQ_SLA_EVENT_RESUME, T0 + 50 * MIN, "customer");
    assert_int_equal(svcq_sla_clock_change_policy(c, v2, T0 + HOUR), SVCQ_OK);
    ev(c, SVCQ_SLA_EVENT_FIRST_CONTACT, T0 + 2 * HOUR, NULL);
    assert_int_equal(svcq_sla_clock_remove(c), SVCQ_ENOTFOUND); /* never saved */
    assert_int_equal(svcq_sla_clock_save(c), SVCQ_OK);

    svcq_sla_policy *both[2] = { v1, v2 };
    svcq_sla_clock *back, *other;
    assert_int_equal(svcq_sla_clock_load(&back, both, 2, "tier.2", "客户-42 / ticket"), SVCQ_OK);
    assert_same_clock(c, back, T0 + 3 * HOUR);
    assert_same_clock(c, back, T0 + 3 * DAY);
    /* Without version 2 the record cannot be read. */
    assert_int_equal(svcq_sla_clock_load(&other, both, 1, "tier.2", "客户-42 / ticket"), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_sla_clock_load(&other, both, 2, "tier.2", "nobody"), SVCQ_ENOTFOUND);

    /* Two copies: the second save of a stale copy is a conflict. */
    assert_int_equal(svcq_sla_clock_load(&other, both, 2, "tier.2", "客户-42 / ticket"), SVCQ_OK);
    ev(back, SVCQ_SLA_EVENT_SOLUTION_DRAFTED, T0 + 3 * HOUR, NULL);
    assert_int_equal(svcq_sla_clock_save(back), SVCQ_OK);
    ev(other, SVCQ_SLA_EVENT_SOLUTION_DRAFTED, T0 + 4 * HOUR, NULL);
    assert_int_equal(svcq_sla_clock_save(other), SVCQ_ECONFLICT);
    svcq_sla_clock_free(other);
    assert_int_equal(svcq_sla_clock_load(&other, both, 2, "tier.2", "客户-42 / ticket"), SVCQ_OK);
    assert_same_clock(back, other, T0 + 5 * HOUR);

    /* Removal, then the record is gone. */
    assert_int_equal(svcq_sla_clock_remove(other), SVCQ_OK);
    svcq_sla_clock *gone;
    assert_int_equal(svcq_sla_clock_load(&gone, both, 2, "tier.2", "客户-42 / ticket"), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_sla_clock_remove(back), SVCQ_ENOTFOUND); /* already removed: stale revision */

    /* Subjects that cannot be store ids are refused up front. */
    assert_int_equal(svcq_sla_clock_new(&gone, v1, "tab\there"), SVCQ_EINVAL);

    svcq_sla_clock_free(c);
    svcq_sla_clock_free(back);
    svcq_sla_clock_free(other);
    svcq_sla_policy_free(v1);
    svcq_sla_policy_free(v2);
    svcq_ctx_free(ctx);
    assert_int_equal(alloc.live_blocks, 0);
}

typedef struct log {
    int n;
    svcq_time at[4096];
    char who[4096][40];
} log;

static int record(const svcq_sla_notice *n, void *ud)
{
    log *l = ud;
    assert_true(l->n < 4096);
    l->at[l->n] = n->at;
    snprintf(l->who[l->n], 40, "%s/%s/%d/%d/%u", n->subject, n->metric, n->kind, n->level, n->cycle);
    l->n++;
    return 0;
}

static svcq_ctx *open_ctx(test_alloc *alloc, const char *path)
{
    svcq_ctx *ctx = test_ctx_new(alloc);
    svcq_store_file *fs;
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, NULL), SVCQ_OK);
    svcq_store_methods m;
    assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    return ctx;
}

static void feed(svcq_sla_scheduler *s, svcq_sla_policy *p, int subjects)
{
    for (int i = 0; i < subjects; i++) {
        char subject[16];
        snprintf(subject, sizeof(subject), "inc-%d", i);
        svcq_sla_clock *c;
        assert_int_equal(svcq_sla_clock_new(&c, p, subject), SVCQ_OK);
        assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_OK);
        ev(c, SVCQ_SLA_EVENT_REQUEST_RECEIVED, T0 + i * 7 * MIN, NULL);
        if (i % 3 == 0)
            ev(c, SVCQ_SLA_EVENT_FIRST_CONTACT, T0 + i * 7 * MIN + 40 * MIN, NULL);
        if (i % 4 == 1) {
            ev(c, SVCQ_SLA_EVENT_PAUSE, T0 + i * 7 * MIN + 10 * MIN, "customer");
            ev(c, SVCQ_SLA_EVENT_RESUME, T0 + i * 7 * MIN + 3 * HOUR, "customer");
        }
    }
}

static void exactly_once_across_restart(void **state)
{
    (void)state;
    char dir[] = "/tmp/svcq-sla-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof(path), "%s/store.svcq", dir);
    svcq_time cut = T0 + 2 * HOUR + 13 * MIN, end = T0 + 5 * DAY;

    /* Reference: one scheduler that never stops. */
    test_alloc a0;
    test_alloc_init(&a0);
    svcq_ctx *ref_ctx = test_ctx_new(&a0);
    svcq_sla_policy *ref_p;
    assert_int_equal(svcq_sla_policy_builtin(&ref_p, ref_ctx, SVCQ_TIER_2, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS), SVCQ_OK);
    static log ref, got;
    ref.n = got.n = 0;
    svcq_sla_scheduler *ref_s;
    assert_int_equal(svcq_sla_scheduler_new(&ref_s, ref_ctx, record, &ref), SVCQ_OK);
    feed(ref_s, ref_p, 30);
    assert_int_equal(svcq_sla_scheduler_advance(ref_s, cut, NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_advance(ref_s, end, NULL), SVCQ_OK);

    /* The same, stopped at `cut`: saved, the process "restarts". */
    test_alloc a1;
    test_alloc_init(&a1);
    svcq_ctx *ctx = open_ctx(&a1, path);
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_builtin(&p, ctx, SVCQ_TIER_2, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS), SVCQ_OK);
    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record, &got), SVCQ_OK);
    feed(s, p, 30);
    assert_int_equal(svcq_sla_scheduler_advance(s, cut, NULL), SVCQ_OK);
    int before = got.n;
    assert_true(before > 0);
    assert_int_equal(svcq_sla_scheduler_save(s), SVCQ_OK);
    svcq_sla_scheduler_free(s);
    svcq_sla_policy_free(p);
    svcq_ctx_free(ctx);
    assert_int_equal(a1.live_blocks, 0);

    test_alloc a2;
    test_alloc_init(&a2);
    ctx = open_ctx(&a2, path);
    assert_int_equal(svcq_sla_policy_builtin(&p, ctx, SVCQ_TIER_2, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record, &got), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_load(s, &p, 1), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_count(s), 30);
    assert_int_equal(svcq_sla_scheduler_load(s, &p, 1), SVCQ_EEXIST); /* all or nothing */
    assert_int_equal(svcq_sla_scheduler_count(s), 30);
    /* Nothing up to `cut` comes again. */
    uint64_t n;
    assert_int_equal(svcq_sla_scheduler_advance(s, cut, &n), SVCQ_OK);
    assert_int_equal(n, 0);
    assert_int_equal(svcq_sla_scheduler_advance(s, end, NULL), SVCQ_OK);
    assert_int_equal(got.n, ref.n);
    for (int i = 0; i < ref.n; i++) {
        assert_int_equal(got.at[i], ref.at[i]);
        assert_string_equal(got.who[i], ref.who[i]);
    }
    /* A second save writes only what changed; a third nothing. */
    assert_int_equal(svcq_sla_scheduler_save(s), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_save(s), SVCQ_OK);
    svcq_sla_scheduler_free(s);
    svcq_sla_policy_free(p);
    svcq_ctx_free(ctx);
    assert_int_equal(a2.live_blocks, 0);

    svcq_sla_scheduler_free(ref_s);
    svcq_sla_policy_free(ref_p);
    svcq_ctx_free(ref_ctx);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_and_conflicts),
        cmocka_unit_test(exactly_once_across_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
