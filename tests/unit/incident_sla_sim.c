/* Simulation: 10,000 incidents with random lifecycles (fixed seed), run
 * interleaved in time with the incident SLA enabled on one scheduler that
 * is advanced every simulated hour. Each incident's two measures have
 * their own clocks (quality.measure): a third of the incidents move m2's
 * deadline by a random number of days (sometimes into the past), and
 * incidents that stop early cancel m1 in a third of the cases. Oracle:
 * each incident's and each measure's clock is rebuilt from nothing but its
 * event log (a fresh clock fed the same events, with the dues they
 * carry) in a second scheduler advanced once to the end; both must deliver
 * exactly the same notices (kind, subject, metric, cycle, level,
 * instant). */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include <cmocka.h>

#include "incident_fixture.h"

#define N_INC 10000
#define HOUR 3600
#define MON_0900 1767603600

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

typedef struct seen {
    char **v;
    size_t n, cap;
} seen;

static int record(const svcq_sla_notice *n, void *ud)
{
    seen *s = ud;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 4096;
        s->v = realloc(s->v, s->cap * sizeof(*s->v));
    }
    char line[256];
    snprintf(line, sizeof(line), "%lld %s %s %s %d %u", (long long)n->at, n->subject, n->metric,
             svcq_sla_notice_kind_name(n->kind), n->level, n->cycle);
    s->v[s->n++] = strdup(line);
    return 0;
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct inc_run {
    svcq_incident *inc;
    svcq_analysis *a;
    int step;
    int end;   /* last step to run (exclusive), or FX_STEPS */
    int fate;  /* 0 full, 1 reject at 4, 2 cancel at end, 3 verification fails, 4 left open at end */
    uint32_t next_hour;
    int next; /* bucket list */
} inc_run;

static void simulation(void **state)
{
    (void)state;
    svcq_ctx_options o;
    assert_int_equal(svcq_ctx_options_init(&o, SVCQ_CTX_OPTIONS_VERSION), SVCQ_OK);
    fx_options(&o);
    svcq_ctx *ctx = NULL;
    assert_int_equal(svcq_ctx_new(&ctx, &o), SVCQ_OK);
    /* Every incident has the same similarity key: recurrences must not
     * decide the verdict here. */
    svcq_incident_options io = SVCQ_INCIDENT_OPTIONS_INIT;
    io.max_recurrences = 1000000;
    assert_int_equal(svcq_incident_configure(ctx, &io), SVCQ_OK);
    seen live = { 0 }, oracle = { 0 };
    svcq_sla_scheduler *s = NULL;
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record, &live), SVCQ_OK);
    svcq_incident_sla_options so = SVCQ_INCIDENT_SLA_OPTIONS_INIT;
    so.scheduler = s;
    assert_int_equal(svcq_incident_sla_enable(ctx, &so), SVCQ_OK);

    enum { HOURS = 24 * 120 };
    int *bucket = malloc(HOURS * sizeof(int));
    for (int h = 0; h < HOURS; h++)
        bucket[h] = -1;
    inc_run *r = calloc(N_INC, sizeof(*r));
    int moved = 0, cancelled = 0;
    for (int i = 0; i < N_INC; i++) {
        /* Verification scans every stored incident for recurrences, so
         * only 1 % of the incidents get that far (0.5 % close, 0.5 % loop
         * back); the others are rejected, cancelled at a random step, or
         * still open at a random step when the simulation ends. */
        uint32_t f = rnd(1000);
        r[i].fate = f < 5 ? 0 : f < 10 ? 3 : f < 200 ? 1 : f < 500 ? 2 : 4;
        r[i].end = r[i].fate == 1   ? 4
                   : r[i].fate == 2 ? 1 + (int)rnd(17)
                   : r[i].fate == 3 ? 21
                   : r[i].fate == 4 ? 1 + (int)rnd(17)
                                    : FX_STEPS - 1;
        r[i].next_hour = rnd(24 * 30);
        r[i].next = bucket[r[i].next_hour];
        bucket[r[i].next_hour] = i;
    }
    for (uint32_t h = 0; h < HOURS; h++) {
        fx_now_value = MON_0900 + (svcq_time)h * HOUR;
        for (int i = bucket[h]; i >= 0;) {
            int nx = r[i].next;
            inc_run *x = &r[i];
            char id[32], aid[40];
            snprintf(id, sizeof(id), "INC-%05d", i);
            snprintf(aid, sizeof(aid), "a-%s", id);
            int rc = 0;
            if (x->step == 0)
                assert_int_equal(fx_analysis(&x->a, ctx, aid), SVCQ_OK);
            if (x->step == 4 && x->fate == 1)
                rc = svcq_incident_reject(x->inc, "Zhao Min", "supervisor", "not real");
            else if (x->step == x->end && x->fate == 2)
                rc = svcq_incident_transition(x->inc, "Zhao Min", "supervisor", SVCQ_INCIDENT_CANCELLED, "dup");
            else if (x->step == 18)
                rc = 0; /* the observation window: waited below */
            else if (x->step == 14 && rnd(3) == 0) {
                /* The deadline moves by -3 to +10 days. */
                svcq_incident_ledger_spec l = SVCQ_INCIDENT_LEDGER_SPEC_INIT;
                l.kind = SVCQ_INCIDENT_LEDGER_ADJUSTMENT;
                l.measure = "m2";
                l.note = "replanned";
                l.reason = "supplier late";
                l.approver = "Zhao Min";
                l.new_deadline = fx_now_value + ((svcq_time)rnd(14) - 3) * 86400 + 1;
                rc = svcq_incident_ledger_add(x->inc, "Wang Wei", "team_lead", &l);
                moved++;
            } else if (x->step == 15 && (x->fate == 2 || x->fate == 4) && rnd(3) == 0) {
                rc = svcq_incident_set_measure_state(x->inc, "Wang Wei", "team_lead", "m1",
                                                     SVCQ_INCIDENT_MEASURE_CANCELLED, "not needed");
                cancelled++;
            } else if (x->step == 20 && x->fate == 3)
                rc = svcq_incident_record_indicator(x->inc, "Sun Li", "quality_staff", "m2", 2500);
            else if (x->step == 21 && x->fate == 3)
                rc = svcq_incident_verify(NULL, x->inc, "Sun Li", "quality_staff", 4100, 3900, "worse");
            else
                rc = fx_step(&x->inc, ctx, id, x->a, x->step);
            if (rc)
                fail_msg("%s step %d: %s", id, x->step, svcq_ctx_errmsg(ctx));
            bool done = (x->fate == 1 && x->step == 4) || (x->fate >= 2 && x->step >= x->end - (x->fate == 4)) ||
                        (x->fate == 3 && x->step == 21) || (x->fate == 0 && x->step == FX_STEPS - 2);
            x->step++;
            if (!done) {
                uint32_t gap = x->step == 19 ? 31 * 24 : 1 + rnd(x->step < 5 ? 20 : 40);
                x->next_hour = h + gap;
                if (x->next_hour < HOURS) {
                    x->next = bucket[x->next_hour];
                    bucket[x->next_hour] = i;
                }
            }
            i = nx;
        }
        uint64_t n = 0;
        assert_int_equal(svcq_sla_scheduler_advance(&n, s, fx_now_value), SVCQ_OK);
    }
    svcq_time end = MON_0900 + (svcq_time)HOURS * HOUR;
    uint64_t n = 0;
    assert_int_equal(svcq_sla_scheduler_advance(&n, s, end), SVCQ_OK);

    /* The oracle: fresh clocks from the event logs, one advance. */
    svcq_sla_scheduler *o2 = NULL;
    assert_int_equal(svcq_sla_scheduler_new(&o2, ctx, record, &oracle), SVCQ_OK);
    svcq_sla_policy *p = svcq_incident_sla_policy(ctx), *mp = svcq_incident_measure_policy(ctx);
    assert_non_null(mp);
    size_t measure_clocks = 0;
    for (int i = 0; i < N_INC; i++) {
        for (int m = 0; m < 3; m++) {
            char id[32];
            snprintf(id, sizeof(id), m ? "INC-%05d/m%d" : "INC-%05d", i, m);
            svcq_sla_clock *c = svcq_sla_scheduler_find(s, id, m ? SVCQ_INCIDENT_MEASURE_POLICY
                                                                  : SVCQ_INCIDENT_SLA_POLICY);
            if (!c)
                continue;
            measure_clocks += m != 0;
            svcq_sla_clock *f = NULL;
            assert_int_equal(svcq_sla_clock_new(&f, m ? mp : p, id), SVCQ_OK);
            for (uint32_t k = 0; k < svcq_sla_clock_event_count(c); k++) {
                const char *name;
                svcq_time at, due;
                assert_int_equal(svcq_sla_clock_event_at(&name, &at, NULL, c, k), SVCQ_OK);
                assert_int_equal(svcq_sla_clock_event_due_at(&due, c, k), SVCQ_OK);
                if (due == SVCQ_SLA_NEVER)
                    assert_int_equal(svcq_sla_clock_event(f, name, at, NULL), SVCQ_OK);
                else
                    assert_int_equal(svcq_sla_clock_event_due(f, name, at, due), SVCQ_OK);
            }
            assert_int_equal(svcq_sla_scheduler_add(o2, f), SVCQ_OK);
        }
    }
    assert_int_equal(svcq_sla_scheduler_advance(&n, o2, end), SVCQ_OK);
    size_t measure_notices = 0;
    for (size_t k = 0; k < live.n; k++)
        measure_notices += strstr(live.v[k], " deadline ") != NULL;
    printf("incidents %d, notices %zu (oracle %zu); measure clocks %zu, their notices %zu; deadlines moved %d, "
           "measures cancelled %d\n", N_INC, live.n, oracle.n, measure_clocks, measure_notices, moved, cancelled);
    assert_true(live.n > 1000);
    assert_true(measure_clocks > 5000);
    assert_true(measure_notices > 1000);
    assert_true(moved > 500 && cancelled > 100);
    assert_int_equal(live.n, oracle.n);
    qsort(live.v, live.n, sizeof(*live.v), by_str);
    qsort(oracle.v, oracle.n, sizeof(*oracle.v), by_str);
    for (size_t k = 0; k < live.n; k++)
        assert_string_equal(live.v[k], oracle.v[k]);
    for (size_t k = 0; k < live.n; k++) {
        free(live.v[k]);
        free(oracle.v[k]);
    }
    free(live.v);
    free(oracle.v);
    for (int i = 0; i < N_INC; i++) {
        svcq_incident_free(r[i].inc);
        svcq_analysis_free(r[i].a);
    }
    free(r);
    free(bucket);
    svcq_sla_scheduler_free(o2);
    svcq_sla_scheduler_free(s);
    svcq_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(simulation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
