/* Faults in the documents of the incident process: allocation failure and
 * storage failure (SVCQ_EIO and an unknown code) at every point of
 * svcq_incident_mark_typical() on a closed incident, allocation failure
 * at every point of every form export (and storage failure where the
 * export reads the store: the cause-analysis form, the review pack). A
 * failed run must return the injected error, leak nothing, write nothing
 * and leave the WHOLE state as it was: the incident handle (JSON and
 * revision) and every stored record. */
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
    char *out;
} st;

/* What the scenario runs: 0 marks, 1..4 a form (g_format), 5 the pack. */
static int g_what;
static int32_t g_format;

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
    for (int i = 0; i < FX_STEPS - 1; i++) {
        int rc = fx_step(&s->inc, s->ctx, "INC-1", s->a, i);
        if (rc)
            fail_msg("setup step %d: %s", i, svcq_ctx_errmsg(s->ctx));
    }
    if (g_what == 5 || g_what == 6)
        assert_int_equal(svcq_incident_mark_typical(s->inc, "Zhao Min", "supervisor", "handover"), SVCQ_OK);
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

/* The handle, its revision and every stored record (sorted: the scan order is the store's). */
static char *describe(void *p)
{
    st *s = p;
    char *out = NULL;
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = collect;
    w.user_data = &out;
    assert_int_equal(svcq_incident_export_json(s->inc, &w, 0), SVCQ_OK);
    char rev[64];
    snprintf(rev, sizeof(rev), " revision %llu\n", (unsigned long long)svcq_incident_revision(s->inc));
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
    free(s->out);
    svcq_incident_free(s->inc);
    svcq_analysis_free(s->a);
    svcq_ctx_free(s->ctx);
    free(s);
}

static int run(void *p)
{
    st *s = p;
    free(s->out);
    s->out = NULL;
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = collect;
    w.user_data = &s->out;
    if (g_what == 0)
        return svcq_incident_mark_typical(s->inc, "Zhao Min", "supervisor", "Shift handover gaps");
    if (g_what == 5)
        return svcq_incident_review_pack(s->ctx, &w, FX_T0, FX_T0 + 90 * FX_DAY, NULL);
    if (g_what == 6)
        return svcq_incident_unmark_typical(s->inc, "Sun Li", "quality_staff", "one site only after all");
    return svcq_incident_form_export(s->inc, &w, g_what, g_format, NULL);
}

/* A failed export writes nothing; a successful mark is stored and chained. */
static void verify(void *p, int rc, bool hit)
{
    (void)hit;
    st *s = p;
    if (rc != SVCQ_OK) {
        assert_null(s->out);
        return;
    }
    if (g_what == 0) {
        assert_int_equal(svcq_incident_audit_verify(NULL, s->ctx, "INC-1"), SVCQ_OK);
        svcq_incident *l = NULL;
        assert_int_equal(svcq_incident_load(&l, s->ctx, "INC-1"), SVCQ_OK);
        assert_string_equal(svcq_incident_typical_note(l), "Shift handover gaps");
        svcq_incident_free(l);
    } else if (g_what == 6) {
        assert_int_equal(svcq_incident_audit_verify(NULL, s->ctx, "INC-1"), SVCQ_OK);
        svcq_incident *l = NULL;
        assert_int_equal(svcq_incident_load(&l, s->ctx, "INC-1"), SVCQ_OK);
        assert_null(svcq_incident_typical_note(l));
        svcq_incident_free(l);
    } else {
        assert_non_null(s->out);
    }
}

static size_t scenario(const char *name, void *(*setup)(test_alloc *), int expected, bool store)
{
    fault_scenario sc = { .name = name, .setup = setup, .run = run, .describe = describe, .verify = verify,
                          .teardown = teardown, .expected_error = expected };
    if (store) {
        sc.arm = arm;
        sc.injected = injected;
    }
    size_t n = fault_run(&sc);
    assert_true(n >= 1);
    return n;
}

static void mark_typical(void **state)
{
    (void)state;
    g_what = 0;
    size_t n = scenario("mark typical, allocation", setup_alloc, 0, false);
    n += scenario("mark typical, SVCQ_EIO", setup_eio, SVCQ_EIO, true);
    n += scenario("mark typical, unknown store code", setup_odd, SVCQ_ESTORE, true);
    printf("mark typical: %zu failure points\n", n);
}

static void unmark_typical(void **state)
{
    (void)state;
    g_what = 6;
    size_t n = scenario("unmark typical, allocation", setup_alloc, 0, false);
    n += scenario("unmark typical, SVCQ_EIO", setup_eio, SVCQ_EIO, true);
    printf("unmark typical: %zu failure points\n", n);
}

static void form_exports(void **state)
{
    (void)state;
    size_t n = 0;
    for (g_what = 1; g_what <= 4; g_what++) {
        for (g_format = 1; g_format <= 3; g_format++) {
            if (g_format == SVCQ_INCIDENT_FORM_CSV && g_what != SVCQ_INCIDENT_FORM_CORRECTIVE_ACTION)
                continue;
            char name[96];
            snprintf(name, sizeof(name), "%s form, %s, allocation", svcq_incident_form_name(g_what),
                     svcq_incident_form_format_name(g_format));
            n += scenario(name, setup_alloc, 0, false);
        }
    }
    /* the cause-analysis form reads the analyses from the store */
    g_what = SVCQ_INCIDENT_FORM_CAUSE_ANALYSIS;
    for (g_format = 1; g_format <= 2; g_format++)
        n += scenario("cause_analysis form, SVCQ_EIO", setup_eio, SVCQ_EIO, true);
    printf("form exports: %zu failure points\n", n);
    assert_true(n > 50);
}

static void review_pack(void **state)
{
    (void)state;
    g_what = 5;
    size_t n = scenario("review pack, allocation", setup_alloc, 0, false);
    n += scenario("review pack, SVCQ_EIO", setup_eio, SVCQ_EIO, true);
    printf("review pack: %zu failure points\n", n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mark_typical),
        cmocka_unit_test(unmark_typical),
        cmocka_unit_test(form_exports),
        cmocka_unit_test(review_pack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
