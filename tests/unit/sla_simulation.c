/* 10,000 subjects with random event streams (fixed seed) through the
 * scheduler give exactly the breaches (and warnings and escalations) that
 * recomputing each clock from its event log gives. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sla/sla_internal.h"
#include "svcq.h"
#include "test_alloc.h"

#define MIN 60
#define HOUR 3600
#define DAY 86400
#define SUBJECTS 10000
#define START ((svcq_time)1767225600) /* 2026-01-01 */

typedef struct sim_event {
    svcq_time at;
    uint32_t subject;
    uint32_t seq;
    const char *name;
    const char *reason;
} sim_event;

typedef struct notice_rec {
    uint32_t subject;
    uint32_t target;
    uint32_t cycle;
    int32_t kind;
    int32_t level;
    svcq_time at;
} notice_rec;

typedef struct recs {
    notice_rec *v;
    size_t n, cap;
} recs;

static void rec_push(recs *r, notice_rec x)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 1024;
        r->v = realloc(r->v, r->cap * sizeof(*r->v));
        assert_non_null(r->v);
    }
    r->v[r->n++] = x;
}

static int rec_cmp(const void *a, const void *b)
{
    const notice_rec *x = a, *y = b;
    if (x->subject != y->subject)
        return x->subject < y->subject ? -1 : 1;
    if (x->target != y->target)
        return x->target < y->target ? -1 : 1;
    if (x->cycle != y->cycle)
        return x->cycle < y->cycle ? -1 : 1;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return (x->kind * 1000 + x->level) - (y->kind * 1000 + y->level);
}

static int ev_cmp(const void *a, const void *b)
{
    const sim_event *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static int64_t uniform(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(next_rand() % (uint64_t)(hi - lo + 1));
}

typedef struct sim {
    uint32_t subject_of_clock; /* set before each callback batch */
    recs delivered;
    svcq_sla_clock **clocks;
} sim;

static int on_notice(const svcq_sla_notice *n, void *ud)
{
    sim *s = ud;
    uint32_t subject = (uint32_t)strtoul(n->subject + 1, NULL, 10);
    assert_ptr_equal(s->clocks[subject], n->clock);
    rec_push(&s->delivered, (notice_rec){ subject, n->target, n->cycle, n->kind, n->level, n->at });
    return 0;
}

typedef struct collect_ctx {
    recs *out;
    uint32_t subject;
    const svcq_sla_policy *P;
} collect_ctx;

static int collect(void *ud, uint32_t j, uint32_t cycle, uint32_t k, svcq_time at)
{
    collect_ctx *c = ud;
    const svcq__sla_target *T = &c->P->targets[j];
    rec_push(c->out, (notice_rec){ c->subject, j, cycle, T->notice_kind[k], T->notice_level[k], at });
    return 0;
}

static size_t generate(sim_event **out)
{
    static const char *const reasons[] = { "customer", "vendor", "parts" };
    size_t cap = SUBJECTS * 24, n = 0;
    sim_event *v = malloc(cap * sizeof(*v));
    assert_non_null(v);
    uint32_t seq = 0;
    for (uint32_t s = 0; s < SUBJECTS; s++) {
        svcq_time t = START + uniform(0, 60 * DAY);
#define EMIT(NAME, REASON) \
    do { \
        assert_true(n < cap); \
        v[n++] = (sim_event){ t, s, seq++, NAME, REASON }; \
    } while (0)
        EMIT(SVCQ_SLA_EVENT_REQUEST_RECEIVED, NULL);
        if (uniform(0, 9) < 9) {
            t += uniform(1, 150) * MIN;
            EMIT(SVCQ_SLA_EVENT_FIRST_CONTACT, NULL);
        }
        if (uniform(0, 3) == 0) {
            const char *r = reasons[uniform(0, 2)];
            t += uniform(1, 600) * MIN;
            EMIT(SVCQ_SLA_EVENT_PAUSE, r);
            if (uniform(0, 1)) {
                const char *r2 = reasons[uniform(0, 2)];
                t += uniform(1, 300) * MIN;
                EMIT(SVCQ_SLA_EVENT_PAUSE, r2);
                t += uniform(1, 300) * MIN;
                EMIT(SVCQ_SLA_EVENT_RESUME, r2);
            }
            t += uniform(1, 900) * MIN;
            EMIT(SVCQ_SLA_EVENT_RESUME, uniform(0, 4) ? r : NULL);
        }
        t += uniform(1, 600) * MIN;
        EMIT(SVCQ_SLA_EVENT_SOLUTION_DRAFTED, NULL);
        if (uniform(0, 4) == 0)
            EMIT(SVCQ_SLA_EVENT_SOLUTION_DRAFTED, NULL); /* a duplicate */
        t += uniform(1, 900) * MIN;
        EMIT(SVCQ_SLA_EVENT_SOLUTION_PRESENTED, NULL);
        t += uniform(1, 1500) * MIN;
        EMIT(SVCQ_SLA_EVENT_SOLUTION_CONFIRMED, NULL);
        if (uniform(0, 9) == 0) {
            t += uniform(1, 100) * MIN;
            EMIT(SVCQ_SLA_EVENT_CLOSED, NULL);
            continue;
        }
        t += uniform(1, 1000) * MIN;
        EMIT(SVCQ_SLA_EVENT_EXECUTION_STARTED, NULL);
        int updates = (int)uniform(0, 6);
        for (int i = 0; i < updates; i++) {
            t += uniform(60, 2400) * MIN;
            EMIT(SVCQ_SLA_EVENT_PROGRESS_UPDATE, NULL);
        }
        t += uniform(1, 2000) * MIN;
        EMIT(SVCQ_SLA_EVENT_SERVICE_COMPLETED, NULL);
        if (uniform(0, 2)) {
            t += uniform(1, 5000) * MIN;
            EMIT(SVCQ_SLA_EVENT_ACCEPTANCE_INVITED, NULL);
        }
#undef EMIT
    }
    *out = v;
    return n;
}

static void scheduler_equals_recomputation(void **state)
{
    (void)state;
    test_alloc alloc;
    test_alloc_init(&alloc);
    svcq_ctx *ctx = test_ctx_new(&alloc);
    svcq_sla_policy *tier[2];
    assert_int_equal(svcq_sla_policy_builtin(&tier[0], ctx, SVCQ_TIER_SPECIAL, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_builtin(&tier[1], ctx, SVCQ_TIER_2, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS), SVCQ_OK);

    sim s = { 0 };
    s.clocks = calloc(SUBJECTS, sizeof(*s.clocks));
    svcq_sla_scheduler *sched;
    assert_int_equal(svcq_sla_scheduler_new(&sched, ctx, on_notice, &s), SVCQ_OK);
    for (uint32_t i = 0; i < SUBJECTS; i++) {
        char subject[16];
        snprintf(subject, sizeof(subject), "s%u", i);
        assert_int_equal(svcq_sla_clock_new(&s.clocks[i], tier[i % 7 == 0 ? 0 : 1], subject), SVCQ_OK);
        assert_int_equal(svcq_sla_scheduler_add(sched, s.clocks[i]), SVCQ_OK);
    }
    sim_event *events;
    size_t n = generate(&events);
    qsort(events, n, sizeof(*events), ev_cmp);
    /* Feed in time order, advancing the scheduler to each event's time. */
    uint64_t delivered_total = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t d;
        assert_int_equal(svcq_sla_scheduler_advance(&d, sched, events[i].at), SVCQ_OK);
        delivered_total += d;
        assert_int_equal(svcq_sla_clock_event(s.clocks[events[i].subject], events[i].name, events[i].at,
                                              events[i].reason),
                         SVCQ_OK);
    }
    svcq_time horizon = START + 120 * DAY;
    uint64_t d;
    assert_int_equal(svcq_sla_scheduler_advance(&d, sched, horizon), SVCQ_OK);
    delivered_total += d;
    assert_int_equal(delivered_total, s.delivered.n);

    /* Recompute every clock from its log alone. */
    recs expected = { 0 };
    size_t breaches = 0;
    for (uint32_t i = 0; i < SUBJECTS; i++) {
        svcq_sla_clock *c = s.clocks[i];
        const svcq_sla_policy *P = svcq__sla_clock_policy(c);
        collect_ctx cc = { &expected, i, P };
        for (uint32_t j = 0; j < P->ntargets; j++) {
            svcq__sla_tstate S;
            svcq__sla_pause *p = NULL;
            uint32_t np = 0, pcap = 0;
            assert_int_equal(svcq__sla_fold_target(ctx, c->versions, c->nversions, c->events, svcq__sla_dues(c), c->nevents, j, horizon,
                                                collect, &cc, &S, &p, &np, &pcap),
                             SVCQ_OK);
            svcq__free(ctx, p);
            /* The folded state equals the incrementally kept one. */
            const svcq__sla_tstate *kept = svcq__sla_t(c, j);
            assert_int_equal(S.state, kept->state);
            assert_int_equal(S.elapsed, kept->elapsed);
            assert_int_equal(S.met_count, kept->met_count);
            assert_int_equal(S.breached_count, kept->breached_count);
        }
    }
    for (size_t i = 0; i < expected.n; i++)
        breaches += expected.v[i].kind == SVCQ_SLA_NOTICE_BREACH;
    qsort(expected.v, expected.n, sizeof(notice_rec), rec_cmp);
    qsort(s.delivered.v, s.delivered.n, sizeof(notice_rec), rec_cmp);
    assert_int_equal(s.delivered.n, expected.n);
    for (size_t i = 0; i < expected.n; i++)
        if (rec_cmp(&expected.v[i], &s.delivered.v[i]) != 0)
            fail_msg("notice %zu differs: subject %u target %u cycle %u kind %d at %lld vs subject %u target %u "
                     "cycle %u kind %d at %lld",
                     i, expected.v[i].subject, expected.v[i].target, expected.v[i].cycle, expected.v[i].kind,
                     (long long)expected.v[i].at, s.delivered.v[i].subject, s.delivered.v[i].target,
                     s.delivered.v[i].cycle, s.delivered.v[i].kind, (long long)s.delivered.v[i].at);
    /* The streams are built to breach often, so the test means something. */
    assert_true(breaches > SUBJECTS / 2);
    print_message("%zu events, %zu notices, %zu breaches\n", n, expected.n, breaches);

    free(expected.v);
    free(s.delivered.v);
    free(events);
    svcq_sla_scheduler_free(sched);
    free(s.clocks);
    svcq_sla_policy_free(tier[0]);
    svcq_sla_policy_free(tier[1]);
    svcq_ctx_free(ctx);
    assert_int_equal(alloc.live_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scheduler_equals_recomputation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
