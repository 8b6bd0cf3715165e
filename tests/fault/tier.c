/* Allocation failure (at every allocation) and storage failure (at every
 * store callback, a plain and an unknown error code) over a tier scenario:
 * a client's first classification (a new record), a promotion with the
 * explanation, a manual override, moving its open SLA clock (stored) to
 * the new tier's policy, and saving the scheme. After every run the
 * client, the scheduler and the store are exactly as after the last step
 * that succeeded, and nothing leaked. */
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

#define HOUR 3600
#define DAY 86400
#define MON ((svcq_time)1772442000) /* 2026-03-02T09:00:00Z */
#define NF 7

static const double tier1_in[NF] = { 6, 12, 10, 4, 4, 4, 4 };
static const double tier2_in[NF] = { 4, 6, 5, 3, 3, 2, 2 };

typedef struct st {
    test_alloc *alloc;
    svcq_ctx *ctx;
    bool inject_store;
    faulty_store *faulty;
    svcq_tier_scheme *scheme;
    svcq_tier_result *result;
    svcq_client *client;
    svcq_sla_policy *pol[4];
    svcq_sla_scheduler *sched;
    char committed[8192];
} st;

static int notify(const svcq_sla_notice *n, void *u)
{
    (void)n, (void)u;
    return 0;
}

typedef struct dump {
    char *out;
    size_t cap;
} dump;

static int visit(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes, size_t size, void *ud)
{
    (void)ctx, (void)bytes, (void)size;
    dump *d = ud;
    size_t n = strlen(d->out);
    snprintf(d->out + n, d->cap - n, "%s@%llu;", id, (unsigned long long)revision);
    return 0;
}

/* The client's JSON and revision, the scheduler's clocks and every record. */
static void describe_into(st *s, char *out, size_t cap)
{
    svcq_buffer *b;
    svcq_writer w;
    out[0] = '\0';
    test_alloc_arm(s->alloc, 0, false);
    if (s->inject_store)
        faulty_store_arm(s->faulty, 0, false);
    assert_int_equal(svcq_buffer_new(&b, s->ctx), SVCQ_OK);
    assert_int_equal(svcq_writer_to_buffer(&w, b), SVCQ_OK);
    assert_int_equal(svcq_client_export_json(s->client, &w, 0), SVCQ_OK);
    snprintf(out, cap, "%s rev %llu scheme %llu | ", svcq_buffer_data(b),
             (unsigned long long)svcq_client_revision(s->client),
             (unsigned long long)svcq_tier_scheme_revision(s->scheme));
    svcq_buffer_free(b);
    static const char *const names[2] = { "tier.1", "tier.2" };
    for (int i = 0; i < 2; i++) {
        svcq_sla_clock *c = svcq_sla_scheduler_find(s->sched, "T-1", names[i]);
        size_t n = strlen(out);
        snprintf(out + n, cap - n, "%s:%s/%u ", names[i], c ? "yes" : "no", c ? svcq_sla_clock_event_count(c) : 0);
    }
    dump d = { out, cap };
    static const char *const kinds[3] = { "client", "sla_clock", "tier_scheme" };
    for (int k = 0; k < 3; k++) {
        size_t n = strlen(out);
        snprintf(out + n, cap - n, "| %s: ", kinds[k]);
        assert_int_equal(svcq__store_scan(s->ctx, kinds[k], visit, &d), SVCQ_OK);
    }
}

static void snapshot(st *s)
{
    size_t calls = s->alloc->calls, fail_at = s->alloc->fail_at, inj = s->alloc->injected;
    bool keep = s->alloc->keep_failing;
    size_t fcalls = s->faulty->calls, ffail = s->faulty->fail_at, finj = s->faulty->injected;
    bool fkeep = s->faulty->keep_failing;
    describe_into(s, s->committed, sizeof(s->committed));
    /* Put the injector back where it was. */
    s->alloc->calls = calls, s->alloc->fail_at = fail_at, s->alloc->injected = inj, s->alloc->keep_failing = keep;
    s->faulty->calls = fcalls, s->faulty->fail_at = ffail, s->faulty->injected = finj, s->faulty->keep_failing = fkeep;
}

static void *setup_common(test_alloc *alloc, bool inject_store, int error)
{
    st *s = calloc(1, sizeof(*s));
    s->alloc = alloc;
    s->inject_store = inject_store;
    s->ctx = test_ctx_new(alloc);
    svcq_store_methods inner, m;
    assert_int_equal(svcq__memstore_new(s->ctx, &inner), SVCQ_OK);
    s->faulty = malloc(sizeof(*s->faulty));
    faulty_store_init(s->faulty, &inner);
    s->faulty->error = error;
    s->faulty->free_on_destroy = true;
    faulty_store_methods(s->faulty, &m);
    assert_int_equal(svcq_ctx_set_store(s->ctx, &m), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_builtin(&s->scheme, s->ctx), SVCQ_OK);
    assert_int_equal(svcq_tier_result_new(&s->result, s->ctx), SVCQ_OK);
    assert_int_equal(svcq_client_new(&s->client, s->ctx, "acme", "ACME"), SVCQ_OK);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(svcq_sla_policy_builtin(&s->pol[i], s->ctx, i, NULL, 0), SVCQ_OK);
        assert_int_equal(svcq_sla_policy_set_change_mode(s->pol[i], SVCQ_SLA_CHANGE_CARRY), SVCQ_OK);
    }
    assert_int_equal(svcq_sla_scheduler_new(&s->sched, s->ctx, notify, NULL), SVCQ_OK);
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, s->pol[2], "T-1"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(c, "request_received", MON + 1800, NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(s->sched, c), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_save(c), SVCQ_OK);
    snapshot(s);
    return s;
}

static void *setup_store_eio(test_alloc *a) { return setup_common(a, true, SVCQ_EIO); }
static void *setup_store_odd(test_alloc *a) { return setup_common(a, true, -1000); }
static void *setup_alloc(test_alloc *a) { return setup_common(a, false, 0); }

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

static int run(void *p)
{
    st *s = p;
    const char *subjects[1] = { "T-1" };
    uint32_t moved;
    int rc;
    if ((rc = svcq_client_reclassify(s->client, s->scheme, tier2_in, NF, MON - DAY, "batch", NULL)))
        return rc;
    snapshot(s);
    if ((rc = svcq_client_reclassify(s->client, s->scheme, tier1_in, NF, MON + HOUR, "batch", s->result)))
        return rc;
    snapshot(s);
    if ((rc = svcq_client_override(s->client, s->scheme, "tier_1", MON + 2 * HOUR, MON + 30 * DAY, "key account",
                                   "ops")))
        return rc;
    snapshot(s);
    if ((rc = svcq_client_move_clocks(&moved, s->client, s->scheme, s->sched, s->pol, 4, subjects, 1, MON + 2 * HOUR)))
        return rc;
    assert_int_equal(moved, 1);
    snapshot(s);
    if ((rc = svcq_tier_scheme_save(s->scheme)))
        return rc;
    snapshot(s);
    return SVCQ_OK;
}

static void verify(void *p, int rc, bool hit)
{
    (void)rc, (void)hit;
    st *s = p;
    static char now[8192];
    describe_into(s, now, sizeof(now));
    if (strcmp(now, s->committed) != 0)
        fail_msg("state\n  %s\nlast committed\n  %s", now, s->committed);
    /* The stored client reads back as the handle. */
    if (svcq_client_revision(s->client)) {
        svcq_client *c;
        assert_int_equal(svcq_client_load(&c, s->ctx, "acme"), SVCQ_OK);
        assert_int_equal(svcq_client_history_count(c), svcq_client_history_count(s->client));
        svcq_client_free(c);
    }
}

static void teardown(void *p)
{
    st *s = p;
    svcq_client_free(s->client);
    svcq_tier_result_free(s->result);
    svcq_tier_scheme_free(s->scheme);
    svcq_sla_scheduler_free(s->sched);
    for (int i = 0; i < 4; i++)
        svcq_sla_policy_free(s->pol[i]);
    svcq_ctx_free(s->ctx);
    free(s);
}

static void store_failures(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "tier, SVCQ_EIO", .setup = setup_store_eio, .run = run, .verify = verify,
                          .teardown = teardown, .arm = arm, .injected = injected, .expected_error = SVCQ_EIO };
    assert_true(fault_run(&sc) >= 10);
    sc.name = "tier, unknown code";
    sc.setup = setup_store_odd;
    sc.expected_error = SVCQ_ESTORE;
    assert_true(fault_run(&sc) >= 10);
}

static void allocation_failures(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "tier, allocation", .setup = setup_alloc, .run = run, .verify = verify,
                          .teardown = teardown, .arm = arm, .injected = injected };
    assert_true(fault_run(&sc) >= 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(store_failures),
        cmocka_unit_test(allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
