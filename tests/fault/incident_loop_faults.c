/* Allocation failure and storage failure (SVCQ_EIO, an unknown code) at
 * every point of (1) the breach rule opening a service-delay incident for a
 * breach notice — the new incident, its first audit entry, its own SLA
 * clock added to the scheduler and saved, and the notice's key record —
 * (2) every lifecycle step of an incident whose SLA clock is fed and
 * saved in the same transaction, and (3) the reminder path: the plan
 * approval that starts the measures' clocks, a deadline adjustment that
 * moves one, a measure done, a measure cancelled, the incident cancelled
 * while executing (each measure clock made, loaded or fed and saved in the
 * incident call's transaction). Each failed run returns the injected
 * error, leaks nothing, and leaves the whole state as it was: every stored
 * record, the scheduler's clocks with their event logs, the incident
 * handle. */
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
    svcq_sla_scheduler *sched;
    svcq_incident *inc;
    svcq_analysis *a;
    int step; /* -1: the breach rule; STEP_* below: the reminder path after step 13 */
} st;

static int g_step;

/* The reminder path's own calls, each after fixture steps 0..13. */
enum { STEP_MOVE = 100, STEP_CANCEL_MEASURE = 101, STEP_CANCEL_INCIDENT = 102 };

static int nothing(const svcq_sla_notice *n, void *ud)
{
    (void)n;
    (void)ud;
    return 0;
}

static int lookup(const char **client, int32_t *tier, const char *subject, void *ud)
{
    (void)subject;
    (void)ud;
    *client = "client-42";
    *tier = SVCQ_TIER_1;
    return 0;
}

static void *setup_common(test_alloc *alloc, bool inject_store, int error)
{
    st *s = calloc(1, sizeof(*s));
    s->alloc = alloc;
    s->inject_store = inject_store;
    s->step = g_step;
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
    assert_int_equal(svcq_sla_scheduler_new(&s->sched, s->ctx, nothing, NULL), SVCQ_OK);
    svcq_incident_sla_options so = SVCQ_INCIDENT_SLA_OPTIONS_INIT;
    so.scheduler = s->sched;
    assert_int_equal(svcq_incident_sla_enable(s->ctx, &so), SVCQ_OK);
    svcq_incident_breach_rule r = SVCQ_INCIDENT_BREACH_RULE_INIT;
    r.policy = "tier.1";
    assert_int_equal(svcq_incident_breach_rule_add(s->ctx, &r), SVCQ_OK);
    assert_int_equal(svcq_incident_breach_set_lookup(s->ctx, lookup, NULL), SVCQ_OK);
    assert_int_equal(fx_analysis(&s->a, s->ctx, "a-INC-1"), SVCQ_OK);
    for (int i = 0; i < (s->step >= STEP_MOVE ? 14 : s->step); i++) {
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

static void add(char **out, const char *text)
{
    size_t old = *out ? strlen(*out) : 0;
    *out = realloc(*out, old + strlen(text) + 1);
    strcpy(*out + old, text);
}

static int collect(const char *data, size_t size, void *user)
{
    char *t = malloc(size + 1);
    memcpy(t, data, size);
    t[size] = '\0';
    add(user, t);
    free(t);
    return 0;
}

/* Every stored record, the scheduler's clocks and their logs, the handle. */
static char *describe(void *p)
{
    st *s = p;
    char *out = NULL;
    char line[256];
    if (s->inc) {
        svcq_writer w = SVCQ_WRITER_INIT;
        w.write = collect;
        w.user_data = &out;
        assert_int_equal(svcq_incident_export_json(s->inc, &w, 0), SVCQ_OK);
        snprintf(line, sizeof(line), " revision %llu\n", (unsigned long long)svcq_incident_revision(s->inc));
        add(&out, line);
    }
    snprintf(line, sizeof(line), "clocks %llu\n", (unsigned long long)svcq_sla_scheduler_count(s->sched));
    add(&out, line);
    static const char *const subjects[] = { "INC-1", "INC-1/m1", "INC-1/m2" };
    for (size_t k = 0; k < 3; k++) {
        svcq_sla_clock *c = svcq_sla_scheduler_find(s->sched, subjects[k],
                                                    k ? SVCQ_INCIDENT_MEASURE_POLICY : SVCQ_INCIDENT_SLA_POLICY);
        snprintf(line, sizeof(line), " clock %s: %s\n", subjects[k], c ? "held" : "none");
        add(&out, line);
        for (uint32_t i = 0; c && i < svcq_sla_clock_event_count(c); i++) {
            const char *name;
            svcq_time at, due;
            assert_int_equal(svcq_sla_clock_event_at(&name, &at, NULL, c, i), SVCQ_OK);
            assert_int_equal(svcq_sla_clock_event_due_at(&due, c, i), SVCQ_OK);
            snprintf(line, sizeof(line), "  %s %lld due %lld\n", name, (long long)at, (long long)due);
            add(&out, line);
        }
        svcq_sla_status stt = SVCQ_SLA_STATUS_INIT;
        if (c) {
            assert_int_equal(svcq_sla_clock_status(&stt, c, 0, FX_T0 + 90 * FX_DAY), SVCQ_OK);
            snprintf(line, sizeof(line), "  state %d due %lld\n", stt.state, (long long)stt.due_at);
            add(&out, line);
        }
    }
    static const char *const kinds[] = { "incident", "incident_audit", "incident_breach", "sla_clock", "analysis" };
    char *stored = test_store_text(s->ctx, kinds, sizeof(kinds) / sizeof(kinds[0]));
    add(&out, stored);
    free(stored);
    return out;
}

static void teardown(void *p)
{
    st *s = p;
    svcq_incident_free(s->inc);
    svcq_analysis_free(s->a);
    svcq_sla_scheduler_free(s->sched);
    svcq_ctx_free(s->ctx);
    free(s);
}

static int run(void *p)
{
    st *s = p;
    if (s->step == STEP_MOVE) {
        svcq_incident_ledger_spec l = SVCQ_INCIDENT_LEDGER_SPEC_INIT;
        l.kind = SVCQ_INCIDENT_LEDGER_ADJUSTMENT;
        l.measure = "m2";
        l.note = "replanned";
        l.reason = "supplier late";
        l.new_deadline = fx_now_value + 12 * FX_DAY;
        l.approver = "Zhao Min";
        return svcq_incident_ledger_add(s->inc, "Wang Wei", "team_lead", &l);
    }
    if (s->step == STEP_CANCEL_MEASURE)
        return svcq_incident_set_measure_state(s->inc, "Wang Wei", "team_lead", "m2",
                                               SVCQ_INCIDENT_MEASURE_CANCELLED, "not needed");
    if (s->step == STEP_CANCEL_INCIDENT)
        return svcq_incident_transition(s->inc, "Zhao Min", "supervisor", SVCQ_INCIDENT_CANCELLED, "duplicate");
    if (s->step >= 0)
        return fx_step(&s->inc, s->ctx, "INC-1", s->a, s->step);
    svcq_sla_notice n = SVCQ_SLA_NOTICE_INIT;
    n.kind = SVCQ_SLA_NOTICE_BREACH;
    n.at = FX_T0 + 1801;
    n.subject = "T-1";
    n.policy = "tier.1";
    n.metric = "first_response";
    int32_t outcome = 0;
    svcq_incident *inc = NULL;
    int rc = svcq_incident_breach_open(&inc, &outcome, s->ctx, &n);
    if (!rc)
        assert_int_equal(outcome, SVCQ_INCIDENT_BREACH_OPENED);
    else
        assert_null(inc);
    svcq_incident_free(inc);
    return rc;
}

/* After a success: the clock in the scheduler equals the stored one. */
static void check(void *p, int rc, bool hit)
{
    (void)hit;
    st *s = p;
    if (rc)
        return;
    size_t iter = 0;
    (void)iter;
    svcq_sla_policy *q = svcq_incident_sla_policy(s->ctx);
    const char *subject = s->step >= 0 ? "INC-1" : NULL;
    if (!subject)
        return;
    svcq_sla_clock *c = svcq_sla_scheduler_find(s->sched, subject, SVCQ_INCIDENT_SLA_POLICY);
    if (!c)
        return;
    svcq_sla_clock *l = NULL;
    assert_int_equal(svcq_sla_clock_load(&l, &q, 1, SVCQ_INCIDENT_SLA_POLICY, subject, 0), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_count(l), svcq_sla_clock_event_count(c));
    svcq_sla_clock_free(l);
    /* The measures' clocks, as stored, equal the held ones. */
    svcq_sla_policy *mq = svcq_incident_measure_policy(s->ctx);
    const char *ms[] = { "INC-1/m1", "INC-1/m2" };
    for (int k = 0; k < 2; k++) {
        c = svcq_sla_scheduler_find(s->sched, ms[k], SVCQ_INCIDENT_MEASURE_POLICY);
        if (!c)
            continue;
        assert_int_equal(svcq_sla_clock_load(&l, &mq, 1, SVCQ_INCIDENT_MEASURE_POLICY, ms[k], 0), SVCQ_OK);
        assert_int_equal(svcq_sla_clock_event_count(l), svcq_sla_clock_event_count(c));
        for (uint32_t i = 0; i < svcq_sla_clock_event_count(c); i++) {
            svcq_time a, b;
            assert_int_equal(svcq_sla_clock_event_due_at(&a, c, i), SVCQ_OK);
            assert_int_equal(svcq_sla_clock_event_due_at(&b, l, i), SVCQ_OK);
            assert_int_equal(a, b);
        }
        svcq_sla_clock_free(l);
    }
    if (s->step == STEP_MOVE)
        assert_int_equal(svcq_sla_clock_event_count(svcq_sla_scheduler_find(s->sched, "INC-1/m2",
                                                                            SVCQ_INCIDENT_MEASURE_POLICY)), 2);
}

static void every_point(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        void *(*setup)(test_alloc *);
        int expected;
    } modes[] = { { "allocation", setup_alloc, 0 },
                  { "SVCQ_EIO", setup_eio, SVCQ_EIO },
                  { "unknown store code", setup_odd, SVCQ_ESTORE } };
    /* The breach rule (-1), then the steps that feed the clock (10 starts
     * the measures' clocks, 15 meets one), then the reminder path's own. */
    static const int steps[] = { -1, 0, 4, 5, 7, 10, 15, 17, 21, 24, STEP_MOVE, STEP_CANCEL_MEASURE,
                                 STEP_CANCEL_INCIDENT };
    size_t total = 0;
    for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++)
        for (size_t m = 0; m < 3; m++) {
            char name[96];
            snprintf(name, sizeof(name), "%s %d, %s",
                     steps[k] < 0 ? "breach rule" : steps[k] >= STEP_MOVE ? "reminder path" : "incident SLA step",
                     steps[k], modes[m].name);
            g_step = steps[k];
            fault_scenario sc = { .name = name, .setup = modes[m].setup, .run = run, .describe = describe,
                                  .verify = check, .teardown = teardown, .arm = arm, .injected = injected,
                                  .expected_error = modes[m].expected };
            size_t n = fault_run(&sc);
            assert_true(n >= 1);
            total += n;
        }
    printf("incident loop: %zu failure points\n", total);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_point),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
