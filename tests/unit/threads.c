/* The threading model: one context per thread, nothing shared between
 * contexts. Each job builds its own context, time zone (TZif from
 * tests/data), business calendar, built-in SLA policies, clocks fed
 * events, a scheduler advanced through a few days and saved to the
 * context's own memory store, then loaded into a second scheduler; then a
 * client classified and reclassified through the store, an analysis saved
 * and drawn as SVG, and the built-in scorecard template exported. It folds
 * everything it observed into one digest and one line of text.
 *
 * The oracle is the same jobs run one after the other on the main thread:
 * run in parallel (one thread per job, released together from a barrier),
 * every job must give exactly the single-threaded result. Built under
 * ThreadSanitizer (.ci/run: build-tsan, suite `threads`), any shared state
 * between contexts is reported as a data race. Worker threads never call
 * cmocka (its asserts longjmp): they record the first failure as text. */
#include <pthread.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svcq.h"

#ifndef SVCQ_TEST_DATA
#error "SVCQ_TEST_DATA must name tests/data"
#endif

#define JOBS 6
#define CLOCKS 24
#define HOUR 3600
#define DAY (24 * HOUR)

typedef struct job {
    int index;
    pthread_barrier_t *start;   /* NULL when run on the main thread */
    uint64_t digest;
    uint64_t notices;           /* delivered by the first scheduler */
    uint64_t repeated;          /* delivered again after the reload (must be 0) */
    uint64_t later;             /* delivered by the reloaded scheduler later on */
    char failure[512];          /* first failure, "" when none */
} job;

/* FNV-1a, folded over everything a job observes. */
static void mix(uint64_t *h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        *h ^= p[i];
        *h *= 1099511628211ULL;
    }
}

static void mix_i64(uint64_t *h, int64_t v)
{
    mix(h, &v, sizeof(v));
}

static void mix_str(uint64_t *h, const char *s)
{
    mix(h, s ? s : "(null)", strlen(s ? s : "(null)") + 1);
}

typedef struct notice_sink {
    uint64_t *digest;
    uint64_t count;
} notice_sink;

static int on_notice(const svcq_sla_notice *n, void *user_data)
{
    notice_sink *s = user_data;
    mix_i64(s->digest, n->kind);
    mix_i64(s->digest, n->at);
    mix_str(s->digest, n->subject);
    mix_str(s->digest, n->policy);
    mix_str(s->digest, n->metric);
    mix_i64(s->digest, n->level);
    mix_i64(s->digest, n->cycle);
    s->count++;
    return 0;
}

static int note_failure(job *j, svcq_ctx *ctx, int rc, const char *what)
{
    if (rc != SVCQ_OK && !j->failure[0])
        snprintf(j->failure, sizeof(j->failure), "job %d: %s: %s (%s)", j->index, what, svcq_strerror(rc),
                 ctx ? svcq_ctx_errmsg(ctx) : "");
    return rc;
}

#define TRY(expr, what) \
    do { \
        int rc_ = (expr); \
        if (rc_ != SVCQ_OK) { \
            note_failure(j, ctx, rc_, what); \
            goto out; \
        } \
    } while (0)

/* A small deterministic generator: every job's inputs depend only on its index. */
static uint32_t next_rand(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*state >> 33);
}

static svcq_time fixed_clock(void *user_data)
{
    return *(const svcq_time *)user_data;
}

static const char *const zones[] = { "Europe/Berlin", "Asia/Shanghai", "America/New_York",
                                     "Australia/Sydney", "Asia/Kolkata", "Europe/London" };

static void *run_job(void *arg)
{
    job *j = arg;
    svcq_ctx *ctx = NULL;
    svcq_tz *tz = NULL;
    svcq_calendar *cal = NULL;
    svcq_sla_policy *policies[4] = { NULL };
    svcq_sla_scheduler *sched = NULL, *again = NULL;
    svcq_buffer *buf = NULL;
    svcq_tier_scheme *scheme = NULL;
    svcq_tier_result *result = NULL;
    svcq_client *client = NULL;
    svcq_analysis *analysis = NULL;
    svcq_scorecard_template *tpl = NULL;
    uint64_t h = 1469598103934665603ULL;
    uint64_t rng = 0x9E3779B97F4A7C15ULL * (uint64_t)(j->index + 1);
    /* Monday 2026-01-05 00:00 UTC, plus a few hours per job. */
    svcq_time t0 = 1767571200 + (svcq_time)j->index * 3 * HOUR;
    svcq_time now = t0;

    if (j->start)
        pthread_barrier_wait(j->start);

    svcq_ctx_options o = SVCQ_CTX_OPTIONS_INIT;
    o.clock_fn = fixed_clock;
    o.clock_user_data = &now;
    TRY(svcq_ctx_new(&ctx, &o), "ctx");

    /* Its own zone and calendar: Monday-Friday 09:00-18:00 in the zone,
     * with a holiday and a working Saturday. */
    TRY(svcq_tz_load(&tz, ctx, zones[j->index % (int)(sizeof(zones) / sizeof(zones[0]))],
                     SVCQ_TEST_DATA "/zoneinfo"),
        "tz");
    TRY(svcq_sla_default_calendar(&cal, ctx, tz), "calendar");
    TRY(svcq_calendar_set_closed(cal, 2026, 1, 7 + j->index % 3), "holiday");
    TRY(svcq_calendar_set_date_like(cal, 2026, 1, 10, SVCQ_MONDAY), "working saturday");
    for (int k = 0; k < 50; k++) {
        svcq_time at = t0 + (svcq_time)(next_rand(&rng) % (14 * DAY));
        int64_t secs = (int64_t)(next_rand(&rng) % (40 * HOUR));
        svcq_time due;
        int64_t diff;
        int32_t open;
        TRY(svcq_calendar_add(&due, cal, at, secs), "calendar add");
        TRY(svcq_calendar_diff(&diff, cal, at, due), "calendar diff");
        TRY(svcq_calendar_is_open(&open, cal, at), "calendar is_open");
        mix_i64(&h, due);
        mix_i64(&h, diff);
        mix_i64(&h, open);
    }

    /* The four built-in policies on that calendar. */
    for (int tier = SVCQ_TIER_SPECIAL; tier <= SVCQ_TIER_3; tier++)
        TRY(svcq_sla_policy_builtin(&policies[tier], ctx, tier, cal, 0), "policy");

    notice_sink sink = { &h, 0 };
    TRY(svcq_sla_scheduler_new(&sched, ctx, on_notice, &sink), "scheduler");
    static const char *const events[] = { SVCQ_SLA_EVENT_FIRST_CONTACT, SVCQ_SLA_EVENT_SOLUTION_DRAFTED,
                                          SVCQ_SLA_EVENT_SOLUTION_PRESENTED, SVCQ_SLA_EVENT_EXECUTION_STARTED,
                                          SVCQ_SLA_EVENT_PROGRESS_UPDATE, SVCQ_SLA_EVENT_SERVICE_COMPLETED };
    svcq_sla_clock *first = NULL;
    for (int c = 0; c < CLOCKS; c++) {
        char subject[32];
        snprintf(subject, sizeof(subject), "T%d-%02d", j->index, c);
        svcq_sla_clock *clock = NULL;
        TRY(svcq_sla_clock_new(&clock, policies[c % 4], subject), "clock");
        int rc = svcq_sla_scheduler_add(sched, clock);
        if (rc) {
            svcq_sla_clock_free(clock);
            TRY(rc, "scheduler add");
        }
        if (!first)
            first = clock;
        svcq_time at = t0 + (svcq_time)(next_rand(&rng) % (2 * DAY));
        TRY(svcq_sla_clock_event(clock, SVCQ_SLA_EVENT_REQUEST_RECEIVED, at, NULL), "request");
        int steps = (int)(next_rand(&rng) % 6);
        for (int e = 0; e < steps; e++) {
            at += (svcq_time)(next_rand(&rng) % (6 * HOUR));
            if (next_rand(&rng) % 5 == 0) {
                TRY(svcq_sla_clock_event(clock, SVCQ_SLA_EVENT_PAUSE, at, "customer"), "pause");
                at += (svcq_time)(next_rand(&rng) % (4 * HOUR));
                TRY(svcq_sla_clock_event(clock, SVCQ_SLA_EVENT_RESUME, at, "customer"), "resume");
            }
            /* Tier 3 uses fewer events: the ones it does not use are refused. */
            int erc = svcq_sla_clock_event(clock, events[e], at, NULL);
            if (erc != SVCQ_ENOTFOUND)
                TRY(erc, "event");
            mix_i64(&h, erc);
        }
    }

    /* Advance through three days in uneven steps, then save everything. */
    for (svcq_time t = t0; t < t0 + 3 * DAY; t += 5 * HOUR + 17 * 60) {
        uint64_t n = 0;
        now = t;
        TRY(svcq_sla_scheduler_advance(&n, sched, t), "advance");
        mix_i64(&h, (int64_t)n);
    }
    now = t0 + 3 * DAY;
    TRY(svcq_sla_scheduler_advance(NULL, sched, now), "advance");
    uint64_t failed = 0;
    TRY(svcq_sla_scheduler_save(&failed, sched), "save");
    TRY(failed ? SVCQ_ECONFLICT : SVCQ_OK, "clocks skipped by save");
    j->notices = sink.count;

    /* A status and an export of one clock. */
    svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
    TRY(svcq_sla_clock_status(&st, first, 0, t0 + 3 * DAY), "status");
    mix_i64(&h, st.state);
    mix_i64(&h, st.due_at);
    mix_i64(&h, st.elapsed);
    TRY(svcq_buffer_new(&buf, ctx), "buffer");
    svcq_writer w;
    TRY(svcq_writer_to_buffer(&w, buf), "writer");
    TRY(svcq_sla_clock_export_json(first, t0 + 3 * DAY, NULL, &w), "export");
    mix(&h, svcq_buffer_data(buf), svcq_buffer_size(buf));

    /* A restarted process: load from this context's store; nothing already
     * delivered comes again, and the days after go on. */
    notice_sink sink2 = { &h, 0 };
    TRY(svcq_sla_scheduler_new(&again, ctx, on_notice, &sink2), "scheduler 2");
    TRY(svcq_sla_scheduler_load(again, policies, 4, 0), "load");
    uint64_t n = 0;
    TRY(svcq_sla_scheduler_advance(&n, again, t0 + 3 * DAY), "advance again");
    j->repeated = n;
    TRY(svcq_sla_scheduler_advance(&n, again, t0 + 10 * DAY), "advance later");
    j->later = n;
    mix_i64(&h, (int64_t)svcq_sla_scheduler_count(again));

    /* The modules above sla, each on this thread's context: a client
     * classified and reclassified through the store, an analysis drawn as
     * SVG, the built-in scorecard template as JSON. */
    TRY(svcq_tier_scheme_builtin(&scheme, ctx), "tier scheme");
    TRY(svcq_tier_result_new(&result, ctx), "tier result");
    TRY(svcq_client_new(&client, ctx, "client-1", "Client"), "client");
    for (int round = 0; round < 3; round++) {
        double values[7];
        values[0] = next_rand(&rng) % 20;        /* annual purchase share, % */
        values[1] = next_rand(&rng) % 40;        /* orders per year */
        values[2] = (double)(next_rand(&rng) % 30) - 5; /* profit share, % */
        for (int k = 3; k < 7; k++)
            values[k] = next_rand(&rng) % 6;     /* 0-5 ratings */
        TRY(svcq_tier_classify(result, scheme, values, 7), "classify");
        mix_i64(&h, svcq_tier_result_score_milli(result));
        TRY(svcq_client_reclassify(client, scheme, values, 7, t0 + (svcq_time)round * 30 * DAY, "job", result),
            "reclassify");
    }
    svcq_buffer_clear(buf);
    TRY(svcq_tier_result_export_json(result, &w, 0), "tier explanation");
    mix(&h, svcq_buffer_data(buf), svcq_buffer_size(buf));

    TRY(svcq_analysis_new(&analysis, ctx, "A-1", zones[j->index % (int)(sizeof(zones) / sizeof(zones[0]))],
                          SVCQ_ANALYSIS_6M),
        "analysis");
    const char *cause = NULL, *why = NULL;
    TRY(svcq_analysis_add(&cause, analysis, "k1", SVCQ_ANALYSIS_CAUSE, "cause"), "cause");
    TRY(svcq_analysis_add(&why, analysis, cause, SVCQ_ANALYSIS_WHY, "why"), "why");
    TRY(svcq_analysis_save(analysis), "analysis save");
    svcq_buffer_clear(buf);
    TRY(svcq_analysis_export_svg(analysis, &w, NULL), "fishbone");
    mix(&h, svcq_buffer_data(buf), svcq_buffer_size(buf));

    TRY(svcq_scorecard_template_builtin(&tpl, ctx, SVCQ_SCORECARD_BUILTIN_TELECOM), "scorecard template");
    svcq_buffer_clear(buf);
    TRY(svcq_scorecard_template_export(tpl, &w, SVCQ_SCORECARD_JSON, 0), "template export");
    mix(&h, svcq_buffer_data(buf), svcq_buffer_size(buf));

out:
    j->digest = h;
    svcq_scorecard_template_free(tpl);
    svcq_analysis_free(analysis);
    svcq_client_free(client);
    svcq_tier_result_free(result);
    svcq_tier_scheme_free(scheme);
    svcq_buffer_free(buf);
    svcq_sla_scheduler_free(again);
    svcq_sla_scheduler_free(sched);
    for (int k = 0; k < 4; k++)
        svcq_sla_policy_free(policies[k]);
    svcq_calendar_free(cal);
    svcq_tz_free(tz);
    svcq_ctx_free(ctx);
    return NULL;
}

static void check_job(const job *j)
{
    if (j->failure[0])
        fail_msg("%s", j->failure);
    assert_true(j->notices > 0);  /* the scenario does deliver notices */
    assert_int_equal(j->repeated, 0);
    assert_true(j->later > 0);
}

static void parallel_equals_sequential(void **state)
{
    (void)state;
    job seq[JOBS], par[JOBS];
    memset(seq, 0, sizeof(seq));
    memset(par, 0, sizeof(par));

    /* The oracle: each job alone on this thread. */
    for (int i = 0; i < JOBS; i++) {
        seq[i].index = i;
        run_job(&seq[i]);
        check_job(&seq[i]);
    }
    /* Jobs differ from each other, so equal digests below mean something. */
    for (int i = 1; i < JOBS; i++)
        assert_true(seq[i].digest != seq[0].digest);

    /* Two parallel rounds: all jobs start together. */
    for (int round = 0; round < 2; round++) {
        pthread_barrier_t start;
        assert_int_equal(pthread_barrier_init(&start, NULL, JOBS), 0);
        pthread_t threads[JOBS];
        for (int i = 0; i < JOBS; i++) {
            memset(&par[i], 0, sizeof(par[i]));
            par[i].index = i;
            par[i].start = &start;
            assert_int_equal(pthread_create(&threads[i], NULL, run_job, &par[i]), 0);
        }
        for (int i = 0; i < JOBS; i++)
            assert_int_equal(pthread_join(threads[i], NULL), 0);
        pthread_barrier_destroy(&start);
        for (int i = 0; i < JOBS; i++) {
            check_job(&par[i]);
            if (par[i].digest != seq[i].digest)
                fail_msg("round %d, job %d: parallel digest %016llx, alone %016llx", round, i,
                         (unsigned long long)par[i].digest, (unsigned long long)seq[i].digest);
            assert_int_equal(par[i].notices, seq[i].notices);
            assert_int_equal(par[i].later, seq[i].later);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parallel_equals_sequential),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
