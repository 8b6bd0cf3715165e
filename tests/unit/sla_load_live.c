/* The scheduler load reads only live clocks, through the index terms the
 * clock save declares (storage contract version 2), and gets the same
 * clocks from a version-1 store through the library's fallback; clocks of
 * records without terms (as 0.1 wrote them) come with
 * SVCQ_SLA_LOAD_FULL_SCAN and get their terms at the next save. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/store.h"
#include "svcq.h"

#define HOUR 3600
#define T0 ((svcq_time)1767603600) /* Monday 09:00 UTC */
#define CLOCKS 60

static int notify(const svcq_sla_notice *n, void *ud)
{
    (void)n;
    (*(uint64_t *)ud)++;
    return 0;
}

/* Clock i: i % 4 == 0 closed at once (done), 1 running, 2 paused,
 * 3 closed after its first notices fell due and before they were
 * delivered (live until the advance delivers them). */
static void make_clocks(svcq_ctx *ctx, svcq_sla_policy *p, svcq_sla_scheduler *s)
{
    for (int i = 0; i < CLOCKS; i++) {
        char subject[32];
        snprintf(subject, sizeof(subject), "T-%03d", (i * 37) % CLOCKS);
        svcq_sla_clock *c;
        assert_int_equal(svcq_sla_clock_new(&c, p, subject), SVCQ_OK);
        svcq_time at = T0 + (svcq_time)i * 60;
        assert_int_equal(svcq_sla_clock_event(c, SVCQ_SLA_EVENT_REQUEST_RECEIVED, at, NULL), SVCQ_OK);
        if (i % 4 == 0)
            assert_int_equal(svcq_sla_clock_event(c, SVCQ_SLA_EVENT_CLOSED, at + 60, NULL), SVCQ_OK);
        if (i % 4 == 2)
            assert_int_equal(svcq_sla_clock_event(c, SVCQ_SLA_EVENT_PAUSE, at + 60, "customer"), SVCQ_OK);
        if (i % 4 == 3)
            assert_int_equal(svcq_sla_clock_event(c, SVCQ_SLA_EVENT_CLOSED, at + 30 * HOUR, NULL), SVCQ_OK);
        assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_OK);
    }
    (void)ctx;
}

typedef struct seen {
    size_t n;
    int64_t prev;
    bool ordered;
} seen;

static int term_visit(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes, size_t size,
                      const svcq_store_term *term, void *ud)
{
    (void)ctx;
    (void)id;
    (void)revision;
    (void)bytes;
    (void)size;
    seen *s = ud;
    if (s->n && term->i < s->prev)
        s->ordered = false;
    s->prev = term->i;
    s->n++;
    return 0;
}

static size_t count_term(svcq_ctx *ctx, const char *name, int32_t type, const char *value)
{
    svcq_store_term v = { SVCQ_STORE_TERM_VERSION, type, name, value, 0, { 0 } };
    svcq__term_query q = { name, type, value ? &v : NULL, value ? &v : NULL, NULL, NULL, 0 };
    seen s = { 0, 0, true };
    assert_int_equal(svcq__store_scan_term(ctx, "sla_clock", &q, term_visit, &s), SVCQ_OK);
    assert_true(s.ordered);
    return s.n;
}

static void run(bool v1)
{
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    if (v1) {
        svcq_store_methods m;
        assert_int_equal(svcq__memstore_new(ctx, &m), SVCQ_OK);
        m.version = 1;
        m.put2 = NULL;
        m.scan_range = NULL;
        m.scan_term = NULL;
        assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    }
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_builtin(&p, ctx, SVCQ_TIER_2, NULL, 0), SVCQ_OK);
    uint64_t delivered = 0, failed = 0;
    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, notify, &delivered), SVCQ_OK);
    make_clocks(ctx, p, s);
    assert_int_equal(svcq_sla_scheduler_save(&failed, s), SVCQ_OK);
    assert_int_equal(failed, 0);
    if (!v1) {
        /* The index: every clock has a state, only the live ones a next notice, in order. */
        assert_int_equal(count_term(ctx, "state", SVCQ_STORE_TERM_STRING, "done"), CLOCKS / 4);
        assert_int_equal(count_term(ctx, "state", SVCQ_STORE_TERM_STRING, "live"), CLOCKS - CLOCKS / 4);
        assert_int_equal(count_term(ctx, "next_notice", SVCQ_STORE_TERM_INT64, NULL), CLOCKS - CLOCKS / 4);
    }

    /* A load: the live clocks only. */
    svcq_sla_scheduler *again;
    uint64_t d2 = 0;
    assert_int_equal(svcq_sla_scheduler_new(&again, ctx, notify, &d2), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_load(again, &p, 1, 0), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_count(again), CLOCKS - CLOCKS / 4);
    assert_null(svcq_sla_scheduler_find(again, "T-000", "tier.2"));
    assert_non_null(svcq_sla_scheduler_find(again, "T-037", "tier.2")); /* i = 1 */
    /* A finished clock is still in the store. */
    svcq_sla_clock *done;
    assert_int_equal(svcq_sla_clock_load(&done, &p, 1, "tier.2", "T-000", 0), SVCQ_OK);
    svcq_sla_clock_free(done);
    /* Both schedulers deliver the same notices up to a week later. */
    uint64_t n1 = 0, n2 = 0;
    assert_int_equal(svcq_sla_scheduler_advance(&n1, s, T0 + 7 * 24 * HOUR), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_advance(&n2, again, T0 + 7 * 24 * HOUR), SVCQ_OK);
    assert_int_equal(n1, n2);
    assert_true(n1 > 0);
    /* Once the closed clocks' notices are delivered and saved, they are done. */
    assert_int_equal(svcq_sla_scheduler_save(&failed, again), SVCQ_OK);
    svcq_sla_scheduler *third;
    assert_int_equal(svcq_sla_scheduler_new(&third, ctx, notify, &d2), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_load(third, &p, 1, 0), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_count(third), CLOCKS / 2);
    if (!v1)
        assert_int_equal(count_term(ctx, "state", SVCQ_STORE_TERM_STRING, "done"), CLOCKS / 2);
    svcq_sla_scheduler_free(third);
    svcq_sla_scheduler_free(again);
    svcq_sla_scheduler_free(s);
    svcq_sla_policy_free(p);
    svcq_ctx_free(ctx);
}

static void live_only_v2(void **state)
{
    (void)state;
    run(false);
}

static void live_only_v1_fallback(void **state)
{
    (void)state;
    run(true);
}

/* A record as 0.1 wrote it: no state or next_notice member, no terms. */
static void records_without_terms(void **state)
{
    (void)state;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_builtin(&p, ctx, SVCQ_TIER_2, NULL, 0), SVCQ_OK);
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, p, "OLD-1"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(c, SVCQ_SLA_EVENT_REQUEST_RECEIVED, T0, NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_save(c), SVCQ_OK);
    svcq_sla_clock_free(c);
    const char *id = "6:tier.2/OLD-1";
    char *bytes;
    size_t size;
    uint64_t rev, nrev;
    assert_int_equal(svcq__store_get(ctx, "sla_clock", id, &bytes, &size, &rev), SVCQ_OK);
    char *cut = strstr(bytes, ",\"state\":");
    assert_non_null(cut);
    cut[0] = '}';
    cut[1] = '\0';
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(svcq__store_put(ctx, "sla_clock", id, rev, bytes, strlen(bytes), &nrev), SVCQ_OK);
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_OK);
    svcq__free(ctx, bytes);

    uint64_t d = 0, failed = 0;
    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, notify, &d), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_load(s, &p, 1, 0), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_count(s), 0); /* not in the index */
    assert_int_equal(svcq_sla_scheduler_load(s, &p, 1, SVCQ_SLA_LOAD_FULL_SCAN), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_count(s), 1);
    assert_int_equal(svcq_sla_scheduler_save(&failed, s), SVCQ_OK); /* counted as changed: gets its terms */
    svcq_sla_scheduler_free(s);
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, notify, &d), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_load(s, &p, 1, 0), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_count(s), 1);
    /* The flag is for the scheduler load only. */
    assert_int_equal(svcq_sla_clock_load(&c, &p, 1, "tier.2", "OLD-1", SVCQ_SLA_LOAD_FULL_SCAN), SVCQ_EINVAL);
    svcq_sla_scheduler_free(s);
    svcq_sla_policy_free(p);
    svcq_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(live_only_v2),
        cmocka_unit_test(live_only_v1_fallback),
        cmocka_unit_test(records_without_terms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
