/* Allocation failure (every allocation) and storage failure (every store
 * callback, SVCQ_EIO and an unknown code) at every point of every
 * mutating call of a full incident lifecycle (report → close, one
 * analysis, two measures, four ledger entries), in fail-once and
 * keep-failing modes. Each failed run must return the injected error,
 * leak nothing, and leave the WHOLE state as it was: the incident handle
 * (its JSON and revision), the analysis handle, and every stored record
 * (incidents, audit entries, analyses). A last scenario runs a call inside
 * a host batch that the host rolls back: the handle must come back too. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../unit/incident_fixture.h"
#include "store_text.h"
#include "fault.h"
#include "faulty_store.h"
#include "store/store.h"

typedef struct st {
    test_alloc *alloc;
    svcq_ctx *ctx;
    bool inject_store;
    faulty_store *faulty;
    svcq_incident *inc;
    svcq_analysis *a;
    int step;
    bool batch;
} st;

static int g_step;
static bool g_batch;

static int collect(const char *data, size_t size, void *user)
{
    char **out = user;
    size_t old = *out ? strlen(*out) : 0;
    char *n = realloc(*out, old + size + 1);
    memcpy(n + old, data, size);
    n[old + size] = '\0';
    *out = n;
    return 0;
}

static void *setup_common(test_alloc *alloc, bool inject_store, int error)
{
    st *s = calloc(1, sizeof(*s));
    s->alloc = alloc;
    s->inject_store = inject_store;
    s->step = g_step;
    s->batch = g_batch;
    svcq_ctx_options o;
    assert_int_equal(svcq_ctx_options_init(&o, SVCQ_CTX_OPTIONS_VERSION), SVCQ_OK);
    test_alloc_hook(alloc, &o);
    fx_options(&o);
    fx_now_value = FX_T0;
    assert_int_equal(svcq_ctx_new(&s->ctx, &o), SVCQ_OK);
    svcq_store_methods inner, m;
    assert_int_equal(svcq__memstore_new(s->ctx, &inner), SVCQ_OK);
    s->faulty = malloc(sizeof(*s->faulty));
    faulty_store_init(s->faulty, &inner);
    s->faulty->error = error;
    s->faulty->free_on_destroy = true;
    faulty_store_methods(s->faulty, &m);
    assert_int_equal(svcq_ctx_set_store(s->ctx, &m), SVCQ_OK);
    assert_int_equal(fx_analysis(&s->a, s->ctx, "a-INC-1"), SVCQ_OK);
    for (int i = 0; i < s->step; i++) {
        int rc = fx_step(&s->inc, s->ctx, "INC-1", s->a, i);
        if (rc)
            fail_msg("setup step %d: %s", i, svcq_ctx_errmsg(s->ctx));
    }
    return s;
}

static void *setup_alloc(test_alloc *a) { return setup_common(a, false, 0); }
static void *setup_eio(test_alloc *a) { return setup_common(a, true, SVCQ_EIO); }
static void *setup_odd(test_alloc *a) { return setup_common(a, true, -1000); }

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

/* Both handles and every stored record, as one text. */
static char *describe(void *p)
{
    st *s = p;
    char *out = NULL;
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = collect;
    w.user_data = &out;
    collect("incident ", 9, &out);
    if (s->inc) {
        assert_int_equal(svcq_incident_export_json(s->inc, &w, 0), SVCQ_OK);
        char rev[64];
        snprintf(rev, sizeof(rev), " revision %llu", (unsigned long long)svcq_incident_revision(s->inc));
        collect(rev, strlen(rev), &out);
    }
    collect("\nanalysis ", 10, &out);
    assert_int_equal(svcq_analysis_export_json(s->a, &w, 0), SVCQ_OK);
    char rev[64];
    snprintf(rev, sizeof(rev), " revision %llu\n", (unsigned long long)svcq_analysis_revision(s->a));
    collect(rev, strlen(rev), &out);
    static const char *const kinds[] = { "incident", "incident_audit", "analysis" };
    char *stored = test_store_text(s->ctx, kinds, 3);
    collect(stored, strlen(stored), &out);
    free(stored);
    return out;
}

static void teardown(void *p)
{
    st *s = p;
    svcq_incident_free(s->inc);
    svcq_analysis_free(s->a);
    svcq_ctx_free(s->ctx);
    free(s);
}

static int run_step(void *p)
{
    st *s = p;
    if (!s->batch)
        return fx_step(&s->inc, s->ctx, "INC-1", s->a, s->step);
    int rc = svcq_ctx_batch_begin(s->ctx);
    if (rc)
        return rc;
    rc = fx_step(&s->inc, s->ctx, "INC-1", s->a, s->step);
    if (!rc)
        rc = fx_step(&s->inc, s->ctx, "INC-1", s->a, s->step + 1);
    if (!rc)
        rc = svcq_ctx_batch_commit(s->ctx);
    else
        (void)svcq_ctx_batch_rollback(s->ctx);
    return rc;
}

/* After a failed run, a call that changes another part of the record
 * (an attachment) must succeed. Then the chain verifies, a reload equals
 * the handle, and the stored record is the handle's JSON encoded whole: a
 * call re-encodes only the sections it changed and copies the others from
 * the record it stored last, so a rollback that left a stale copy would
 * show here. */
static void check(void *p, int rc, bool hit)
{
    (void)hit;
    st *s = p;
    if (!s->inc)
        return;
    int32_t state = svcq_incident_state_of(s->inc);
    if (rc != SVCQ_OK && state != SVCQ_INCIDENT_CLOSED && state != SVCQ_INCIDENT_CANCELLED &&
        state != SVCQ_INCIDENT_REJECTED &&
        svcq_incident_add_attachment(s->inc, "QA", "quality_staff", "photo", "file://after-failure.jpg", NULL))
        fail_msg("step %d: a call after the failure failed: %s", s->step, svcq_ctx_errmsg(s->ctx));
    assert_int_equal(svcq_incident_audit_verify(NULL, s->ctx, "INC-1"), SVCQ_OK);
    svcq_incident *l = NULL;
    assert_int_equal(svcq_incident_load(&l, s->ctx, "INC-1"), SVCQ_OK);
    assert_int_equal(svcq_incident_revision(l), svcq_incident_revision(s->inc));
    svcq_incident_free(l);
    char *whole = NULL, *stored = NULL;
    size_t size = 0;
    uint64_t rev = 0;
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = collect;
    w.user_data = &whole;
    assert_int_equal(svcq_incident_export_json(s->inc, &w, 0), SVCQ_OK);
    assert_int_equal(svcq__store_get(s->ctx, "incident", "INC-1", &stored, &size, &rev), SVCQ_OK);
    assert_int_equal(size, strlen(whole));
    assert_memory_equal(stored, whole, size);
    svcq__free(s->ctx, stored);
    free(whole);
}

static void every_step(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        void *(*setup)(test_alloc *);
        int expected;
    } modes[] = { { "allocation", setup_alloc, 0 },
                  { "SVCQ_EIO", setup_eio, SVCQ_EIO },
                  { "unknown store code", setup_odd, SVCQ_ESTORE } };
    size_t total = 0;
    for (int step = 0; step < FX_STEPS - 1; step++) {
        if (step == 18) /* the clock moves: no call */
            continue;
        for (size_t m = 0; m < 3; m++) {
            char name[96];
            snprintf(name, sizeof(name), "incident step %d, %s", step, modes[m].name);
            g_step = step;
            g_batch = false;
            fault_scenario sc = { .name = name, .setup = modes[m].setup, .run = run_step, .describe = describe,
                                  .verify = check, .teardown = teardown, .arm = arm, .injected = injected,
                                  .expected_error = modes[m].expected };
            size_t n = fault_run(&sc);
            assert_true(n >= 1);
            total += n;
        }
    }
    printf("incident: %zu failure points over the lifecycle\n", total);
    /* A floor, not a count: each allocation a speed round removes is one
     * point fewer (479 with the journal's entries inline, 396 with the
     * model's texts in blocks). */
    assert_true(total > 300);
}

/* Two calls in a host batch: a failure in the second rolls the first back. */
static void batch(void **state)
{
    (void)state;
    static const int steps[] = { 4, 6, 11, 16, 21 };
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        g_step = steps[i];
        g_batch = true;
        char name[64];
        snprintf(name, sizeof(name), "incident batch at step %d, allocation", steps[i]);
        fault_scenario sc = { .name = name, .setup = setup_alloc, .run = run_step, .describe = describe,
                              .verify = check, .teardown = teardown };
        assert_true(fault_run(&sc) >= 2);
        sc.setup = setup_eio;
        sc.arm = arm;
        sc.injected = injected;
        sc.expected_error = SVCQ_EIO;
        assert_true(fault_run(&sc) >= 2);
    }
    g_batch = false;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_step),
        cmocka_unit_test(batch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
