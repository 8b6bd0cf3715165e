/* SLA clocks in the store: round trips, compare-and-swap, damaged records,
 * and notices delivered exactly once across a save, a restart and a load. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/json.h"
#include "faulty_store.h"
#include "store/store.h"
#include "svcq.h"
#include "test_alloc.h"

#ifndef SVCQ_TEST_DATA
#error "SVCQ_TEST_DATA must name the tests/data directory"
#endif

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
    assert_int_equal(svcq_sla_clock_load(&back, both, 2, "tier.2", "客户-42 / ticket", 0), SVCQ_OK);
    assert_same_clock(c, back, T0 + 3 * HOUR);
    assert_same_clock(c, back, T0 + 3 * DAY);
    /* Without version 2 the record cannot be read. */
    assert_int_equal(svcq_sla_clock_load(&other, both, 1, "tier.2", "客户-42 / ticket", 0), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_sla_clock_load(&other, both, 2, "tier.2", "nobody", 0), SVCQ_ENOTFOUND);

    /* Two copies: the second save of a stale copy is a conflict. */
    assert_int_equal(svcq_sla_clock_load(&other, both, 2, "tier.2", "客户-42 / ticket", 0), SVCQ_OK);
    ev(back, SVCQ_SLA_EVENT_SOLUTION_DRAFTED, T0 + 3 * HOUR, NULL);
    assert_int_equal(svcq_sla_clock_save(back), SVCQ_OK);
    ev(other, SVCQ_SLA_EVENT_SOLUTION_DRAFTED, T0 + 4 * HOUR, NULL);
    assert_int_equal(svcq_sla_clock_save(other), SVCQ_ECONFLICT);
    svcq_sla_clock_free(other);
    assert_int_equal(svcq_sla_clock_load(&other, both, 2, "tier.2", "客户-42 / ticket", 0), SVCQ_OK);
    assert_same_clock(back, other, T0 + 5 * HOUR);

    /* Removal, then the record is gone. */
    assert_int_equal(svcq_sla_clock_remove(other), SVCQ_OK);
    svcq_sla_clock *gone;
    assert_int_equal(svcq_sla_clock_load(&gone, both, 2, "tier.2", "客户-42 / ticket", 0), SVCQ_ENOTFOUND);
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
    snprintf(l->who[l->n], 40, "%s/%s/%d/%d/%u/%s", n->subject, n->metric, n->kind, n->level, n->cycle, n->policy);
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
    assert_int_equal(svcq_sla_scheduler_advance(NULL, ref_s, cut), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_advance(NULL, ref_s, end), SVCQ_OK);

    /* The same, stopped at `cut`: saved, the process "restarts". */
    test_alloc a1;
    test_alloc_init(&a1);
    svcq_ctx *ctx = open_ctx(&a1, path);
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_builtin(&p, ctx, SVCQ_TIER_2, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS), SVCQ_OK);
    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record, &got), SVCQ_OK);
    feed(s, p, 30);
    assert_int_equal(svcq_sla_scheduler_advance(NULL, s, cut), SVCQ_OK);
    int before = got.n;
    assert_true(before > 0);
    uint64_t unsaved = 99;
    assert_int_equal(svcq_sla_scheduler_save(&unsaved, s), SVCQ_OK);
    assert_int_equal(unsaved, 0);
    svcq_sla_scheduler_free(s);
    svcq_sla_policy_free(p);
    svcq_ctx_free(ctx);
    assert_int_equal(a1.live_blocks, 0);

    test_alloc a2;
    test_alloc_init(&a2);
    ctx = open_ctx(&a2, path);
    assert_int_equal(svcq_sla_policy_builtin(&p, ctx, SVCQ_TIER_2, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record, &got), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_load(s, &p, 1, 0), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_count(s), 30);
    assert_int_equal(svcq_sla_scheduler_load(s, &p, 1, 0), SVCQ_EEXIST); /* all or nothing */
    assert_int_equal(svcq_sla_scheduler_count(s), 30);
    /* Nothing up to `cut` comes again. */
    uint64_t n;
    assert_int_equal(svcq_sla_scheduler_advance(&n, s, cut), SVCQ_OK);
    assert_int_equal(n, 0);
    assert_int_equal(svcq_sla_scheduler_advance(NULL, s, end), SVCQ_OK);
    assert_int_equal(got.n, ref.n);
    for (int i = 0; i < ref.n; i++) {
        assert_int_equal(got.at[i], ref.at[i]);
        assert_string_equal(got.who[i], ref.who[i]);
    }
    /* A second save writes only what changed; a third nothing. */
    assert_int_equal(svcq_sla_scheduler_save(&unsaved, s), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_save(&unsaved, s), SVCQ_OK);
    assert_int_equal(unsaved, 0);
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


/* ---- a clock runs under the policy it was saved with ------------------- */

static svcq_time fake_now;
static svcq_time now_fn(void *ud)
{
    (void)ud;
    return fake_now;
}

static svcq_ctx *ctx_at(test_alloc *a)
{
    svcq_ctx_options o = SVCQ_CTX_OPTIONS_INIT;
    test_alloc_hook(a, &o);
    o.clock_fn = now_fn;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, &o), SVCQ_OK);
    return ctx;
}

/* Tier 1 on the default Monday-Friday 09:00-18:00 calendar in a zone of
 * the test data: same name ("tier.1") and version (1) whatever the zone. */
static svcq_sla_policy *tier1_in(svcq_ctx *ctx, const char *zone, int32_t mode)
{
    svcq_tz *tz;
    assert_int_equal(svcq_tz_load(&tz, ctx, zone, SVCQ_TEST_DATA "/zoneinfo"), SVCQ_OK);
    svcq_calendar *cal;
    assert_int_equal(svcq_sla_default_calendar(&cal, ctx, tz), SVCQ_OK);
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_builtin(&p, ctx, SVCQ_TIER_1, cal, 0), SVCQ_OK);
    if (mode >= 0)
        assert_int_equal(svcq_sla_policy_set_change_mode(p, mode), SVCQ_OK);
    svcq_calendar_free(cal);
    svcq_tz_free(tz);
    return p;
}

static log seen;

/* Monday 2026-01-05 16:40 UTC: 17:40 in Berlin (open until 18:00), 00:40
 * on Tuesday in Shanghai (closed until 09:00 = 01:00 UTC). */
#define REQ ((svcq_time)1767631200)
/* Tuesday 02:10 UTC: Berlin has not opened again (08:00 UTC), so under
 * Berlin first_response has 10 business minutes left; under Shanghai it
 * was due at 01:30 UTC and both its escalations (01:45:01, 02:00:01) have
 * passed, while solution_drafted (due 03:00 UTC) still has notices ahead. */
#define NOW (REQ + 9 * HOUR + 30 * MIN)

static void save_under_berlin(svcq_ctx *ctx)
{
    svcq_sla_policy *berlin = tier1_in(ctx, "Europe/Berlin", -1);
    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record, &seen), SVCQ_OK);
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, berlin, "INC-7"), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_OK);
    ev(c, SVCQ_SLA_EVENT_REQUEST_RECEIVED, REQ, NULL);
    seen.n = 0;
    assert_int_equal(svcq_sla_scheduler_advance(NULL, s, NOW), SVCQ_OK);
    /* Berlin: only the 50 % warnings of the first targets (15 of 30 min). */
    for (int i = 0; i < seen.n; i++)
        assert_null(strstr(seen.who[i], "/3/")); /* no escalation */
    uint64_t unsaved;
    assert_int_equal(svcq_sla_scheduler_save(&unsaved, s), SVCQ_OK);
    assert_int_equal(unsaved, 0);
    svcq_sla_scheduler_free(s);
    svcq_sla_policy_free(berlin);
}

static void other_calendar_refused_unless_rebased(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = ctx_at(&a);
    fake_now = NOW;
    save_under_berlin(ctx);

    /* The same name and version on Shanghai's calendar. */
    svcq_sla_policy *shanghai = tier1_in(ctx, "Asia/Shanghai", -1);
    svcq_sla_clock *c = (svcq_sla_clock *)0x1;
    assert_int_equal(svcq_sla_clock_load(&c, &shanghai, 1, "tier.1", "INC-7", 0), SVCQ_ECONFLICT);
    assert_null(c);
    const char *msg = svcq_ctx_errmsg(ctx);
    print_message("%s\n", msg);
    assert_non_null(strstr(msg, "INC-7"));
    assert_non_null(strstr(msg, "tier.1 v1"));
    assert_non_null(strstr(msg, "calendar of target first_response"));
    assert_null(strstr(msg, "events, duration or levels")); /* only the calendars differ */
    assert_non_null(strstr(msg, "SVCQ_SLA_LOAD_REBASE"));
    assert_int_equal(svcq_sla_clock_load(&c, &shanghai, 1, "tier.1", "INC-7", 0x2), SVCQ_EINVAL); /* unknown flag */

    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record, &seen), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_load(s, &shanghai, 1, 0), SVCQ_ECONFLICT);
    assert_int_equal(svcq_sla_scheduler_count(s), 0);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "calendar of target first_response"));

    /* Re-based (tier 1 is KEEP): the past stays as told, nothing comes for
     * it; the Shanghai timing applies from the load on. */
    assert_int_equal(svcq_sla_scheduler_load(s, &shanghai, 1, SVCQ_SLA_LOAD_REBASE), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_count(s), 1);
    seen.n = 0;
    uint64_t n = 99;
    assert_int_equal(svcq_sla_scheduler_advance(&n, s, NOW), SVCQ_OK);
    assert_int_equal(n, 0);
    assert_int_equal(svcq_sla_scheduler_advance(&n, s, NOW + 7 * DAY), SVCQ_OK);
    assert_true(n > 0);
    for (int i = 0; i < seen.n; i++)
        assert_true(seen.at[i] > NOW);
    svcq_sla_clock *in = svcq_sla_scheduler_find(s, "INC-7", "tier.1");
    assert_string_equal(svcq_sla_policy_fingerprint(svcq_sla_clock_policy(in)),
                        svcq_sla_policy_fingerprint(shanghai));
    /* Saving records the new fingerprint: Shanghai loads plainly now, and
     * Berlin is the one refused. */
    uint64_t unsaved;
    assert_int_equal(svcq_sla_scheduler_save(&unsaved, s), SVCQ_OK);
    assert_int_equal(unsaved, 0);
    assert_int_equal(svcq_sla_clock_load(&c, &shanghai, 1, "tier.1", "INC-7", 0), SVCQ_OK);
    svcq_sla_clock_free(c);
    svcq_sla_policy *berlin = tier1_in(ctx, "Europe/Berlin", -1);
    assert_int_equal(svcq_sla_clock_load(&c, &berlin, 1, "tier.1", "INC-7", 0), SVCQ_ECONFLICT);

    svcq_sla_scheduler_free(s);
    svcq_sla_policy_free(berlin);
    svcq_sla_policy_free(shanghai);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}

/* A RECOMPUTE policy re-judges the past: what the new timing puts before
 * the load and was not delivered comes at the next advance, with its due
 * time — escalations included. */
static void rebase_under_recompute_catches_up(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = ctx_at(&a);
    fake_now = NOW;
    save_under_berlin(ctx);
    svcq_sla_policy *shanghai = tier1_in(ctx, "Asia/Shanghai", SVCQ_SLA_CHANGE_RECOMPUTE);
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_load(&c, &shanghai, 1, "tier.1", "INC-7", 0), SVCQ_ECONFLICT);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "calendar of target first_response"));
    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record, &seen), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_load(s, &shanghai, 1, SVCQ_SLA_LOAD_REBASE), SVCQ_OK);
    seen.n = 0;
    uint64_t n;
    assert_int_equal(svcq_sla_scheduler_advance(&n, s, NOW), SVCQ_OK);
    assert_true(n > 0);
    bool escalation = false;
    for (int i = 0; i < seen.n; i++) {
        assert_true(seen.at[i] <= NOW);
        escalation |= strncmp(seen.who[i], "INC-7/first_response/3/", 23) == 0;
    }
    assert_true(escalation);
    svcq_sla_scheduler_free(s);
    svcq_sla_policy_free(shanghai);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}

/* A record written by 0.1 (schema 1, no fingerprints) loads under the
 * versions given, as it did; its next save writes schema 2. */
static void schema_1_records_still_load(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a);
    static const char v1[] = "{\"schema\":\"svcq.sla_clock/1\",\"subject\":\"INC-1\",\"policy\":\"tier.2\","
                             "\"versions\":[{\"version\":1,\"from\":null,\"mode\":\"recompute\"}],"
                             "\"events\":[[1767603600,\"request_received\"]],"
                             "\"delivered\":[{\"metric\":\"first_response\",\"cycle\":0,\"count\":1}]}";
    svcq__tx tx;
    uint64_t rev;
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(svcq__tx_end(ctx, &tx, svcq__store_put(ctx, "sla_clock", "6:tier.2/INC-1", 0, v1,
                                                            sizeof(v1) - 1, &rev)),
                     SVCQ_OK);
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_builtin(&p, ctx, SVCQ_TIER_2, NULL, 0), SVCQ_OK);
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_load(&c, &p, 1, "tier.2", "INC-1", 0), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_count(c), 1);
    ev(c, SVCQ_SLA_EVENT_FIRST_CONTACT, T0 + 10 * MIN, NULL);
    assert_int_equal(svcq_sla_clock_save(c), SVCQ_OK);
    char *bytes;
    size_t size;
    assert_int_equal(svcq__store_get(ctx, "sla_clock", "6:tier.2/INC-1", &bytes, &size, &rev), SVCQ_OK);
    assert_non_null(strstr(bytes, "\"svcq.sla_clock/2\""));
    assert_non_null(strstr(bytes, svcq_sla_policy_fingerprint(p)));
    svcq__free(ctx, bytes);
    svcq_sla_clock_free(c);
    svcq_sla_policy_free(p);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}

/* Policies of another context are refused by both loads, and a clock of
 * another context by svcq_sla_scheduler_add (ASan checks nothing is
 * touched after the other context is gone). */
static void foreign_contexts_refused(void **state)
{
    (void)state;
    test_alloc a, b;
    test_alloc_init(&a);
    test_alloc_init(&b);
    svcq_ctx *ctx = test_ctx_new(&a), *other = test_ctx_new(&b);
    svcq_sla_policy *mine, *theirs;
    assert_int_equal(svcq_sla_policy_builtin(&mine, ctx, SVCQ_TIER_2, NULL, 0), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_builtin(&theirs, other, SVCQ_TIER_2, NULL, 0), SVCQ_OK);
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, mine, "INC-9"), SVCQ_OK);
    ev(c, SVCQ_SLA_EVENT_REQUEST_RECEIVED, T0, NULL);
    assert_int_equal(svcq_sla_clock_save(c), SVCQ_OK);
    svcq_sla_clock_free(c);

    svcq_sla_policy *mixed[2] = { mine, theirs };
    assert_int_equal(svcq_sla_clock_load(&c, mixed, 2, "tier.2", "INC-9", 0), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "policies[1]) belongs to another context"));
    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record, &seen), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_load(s, &theirs, 1, 0), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "another context"));
    assert_int_equal(svcq_sla_scheduler_count(s), 0);

    svcq_sla_clock *foreign;
    assert_int_equal(svcq_sla_clock_new(&foreign, theirs, "INC-9"), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(s, foreign), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "another context"));
    svcq_sla_clock_free(foreign);
    svcq_sla_policy_free(theirs);
    svcq_ctx_free(other);
    assert_int_equal(b.live_blocks, 0);
    /* This context works on, untouched. */
    assert_int_equal(svcq_sla_scheduler_load(s, &mine, 1, 0), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_count(s), 1);
    svcq_sla_scheduler_free(s);
    svcq_sla_policy_free(mine);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}

/* ---- one conflicting clock does not block the others ------------------- */

static void conflicting_clock_skipped_rest_saved(void **state)
{
    (void)state;
    test_alloc a, b;
    test_alloc_init(&a);
    test_alloc_init(&b);
    /* Two "servers": two contexts on one store (the second does not own it). */
    svcq_ctx *ctx = test_ctx_new(&a), *ctx2 = test_ctx_new(&b);
    svcq_store_methods m;
    assert_int_equal(svcq__memstore_new(ctx, &m), SVCQ_OK);
    svcq_store_methods shared = m;
    shared.destroy = NULL;
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx2, &shared), SVCQ_OK);

    svcq_sla_policy *p, *p2;
    assert_int_equal(svcq_sla_policy_builtin(&p, ctx, SVCQ_TIER_2, NULL, 0), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_builtin(&p2, ctx2, SVCQ_TIER_2, NULL, 0), SVCQ_OK);
    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record, &seen), SVCQ_OK);
    const char *names[] = { "A-1", "B-2" };
    for (int i = 0; i < 2; i++) {
        svcq_sla_clock *c;
        assert_int_equal(svcq_sla_clock_new(&c, p, names[i]), SVCQ_OK);
        assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_OK);
        ev(c, SVCQ_SLA_EVENT_REQUEST_RECEIVED, T0, NULL);
    }
    uint64_t failed = 99;
    assert_int_equal(svcq_sla_scheduler_save(&failed, s), SVCQ_OK);
    assert_int_equal(failed, 0);
    assert_int_equal(svcq_sla_scheduler_failed(NULL, NULL, s, 0), SVCQ_ENOTFOUND);

    /* The other server changes B-2 and saves it. */
    svcq_sla_clock *theirs;
    assert_int_equal(svcq_sla_clock_load(&theirs, &p2, 1, "tier.2", "B-2", 0), SVCQ_OK);
    ev(theirs, SVCQ_SLA_EVENT_FIRST_CONTACT, T0 + 20 * MIN, NULL);
    assert_int_equal(svcq_sla_clock_save(theirs), SVCQ_OK);

    /* Here both change; the save writes A-1 and names B-2. */
    ev(svcq_sla_scheduler_find(s, "A-1", "tier.2"), SVCQ_SLA_EVENT_FIRST_CONTACT, T0 + 30 * MIN, NULL);
    ev(svcq_sla_scheduler_find(s, "B-2", "tier.2"), SVCQ_SLA_EVENT_PAUSE, T0 + 10 * MIN, "customer");
    assert_int_equal(svcq_sla_scheduler_save(&failed, s), SVCQ_OK);
    assert_int_equal(failed, 1);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "clock B-2 of policy tier.2"));
    svcq_sla_clock *bad;
    int32_t code;
    assert_int_equal(svcq_sla_scheduler_failed(&bad, &code, s, 0), SVCQ_OK);
    assert_ptr_equal(bad, svcq_sla_scheduler_find(s, "B-2", "tier.2"));
    assert_int_equal(code, SVCQ_ECONFLICT);
    assert_int_equal(svcq_sla_scheduler_failed(&bad, &code, s, 1), SVCQ_ENOTFOUND);

    /* What the store holds: A-1 with both events, B-2 as the other saved it. */
    svcq_sla_clock *x;
    assert_int_equal(svcq_sla_clock_load(&x, &p2, 1, "tier.2", "A-1", 0), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_count(x), 2);
    svcq_sla_clock_free(x);
    assert_int_equal(svcq_sla_clock_load(&x, &p2, 1, "tier.2", "B-2", 0), SVCQ_OK);
    const char *name;
    assert_int_equal(svcq_sla_clock_event_at(&name, NULL, NULL, x, 1), SVCQ_OK);
    assert_string_equal(name, SVCQ_SLA_EVENT_FIRST_CONTACT);
    svcq_sla_clock_free(x);

    /* The documented resolution: load the stored clock, feed it ours,
     * replace ours. Freeing ours takes it off the failure list. */
    svcq_sla_clock *ours = svcq_sla_scheduler_find(s, "B-2", "tier.2"), *merged;
    assert_int_equal(svcq_sla_clock_load(&merged, &p, 1, "tier.2", "B-2", 0), SVCQ_OK);
    for (uint32_t i = 0; i < svcq_sla_clock_event_count(ours); i++) {
        const char *en, *er;
        svcq_time at;
        assert_int_equal(svcq_sla_clock_event_at(&en, &at, &er, ours, i), SVCQ_OK);
        ev(merged, en, at, *er ? er : NULL);
    }
    svcq_sla_clock_free(ours);
    assert_int_equal(svcq_sla_scheduler_failed(&bad, &code, s, 0), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_sla_scheduler_add(s, merged), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_save(&failed, s), SVCQ_OK);
    assert_int_equal(failed, 0);
    assert_int_equal(svcq_sla_clock_load(&x, &p2, 1, "tier.2", "B-2", 0), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_count(x), 3);
    svcq_sla_clock_free(x);

    assert_int_equal(svcq_sla_scheduler_save(NULL, s), SVCQ_EINVAL);
    svcq_sla_clock_free(theirs);
    svcq_sla_policy_free(p2);
    svcq_ctx_free(ctx2);
    assert_int_equal(b.live_blocks, 0);
    svcq_sla_scheduler_free(s);
    svcq_sla_policy_free(p);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}

/* ---- delivery is at least once: a crash before the save repeats ---------- */

static void at_least_once_until_saved(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a);
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_builtin(&p, ctx, SVCQ_TIER_2, NULL, 0), SVCQ_OK);
    static log first, again;
    first.n = again.n = 0;

    /* Saved before anything was delivered. */
    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record, &first), SVCQ_OK);
    feed(s, p, 5);
    uint64_t unsaved;
    assert_int_equal(svcq_sla_scheduler_save(&unsaved, s), SVCQ_OK);
    uint64_t n1;
    assert_int_equal(svcq_sla_scheduler_advance(&n1, s, T0 + 3 * HOUR), SVCQ_OK);
    assert_true(n1 > 0);
    svcq_sla_scheduler_free(s); /* "crash": no save after the advance */

    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record, &again), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_load(s, &p, 1, 0), SVCQ_OK);
    uint64_t n2;
    assert_int_equal(svcq_sla_scheduler_advance(&n2, s, T0 + 3 * HOUR), SVCQ_OK);
    /* The same notices again, with the same idempotency keys (subject,
     * policy, metric, cycle, kind, level) and due times. */
    assert_int_equal(n2, n1);
    assert_int_equal(again.n, first.n);
    for (int i = 0; i < first.n; i++) {
        assert_int_equal(again.at[i], first.at[i]);
        assert_string_equal(again.who[i], first.who[i]);
    }
    /* Saved now: a later load never delivers them again. */
    assert_int_equal(svcq_sla_scheduler_save(&unsaved, s), SVCQ_OK);
    svcq_sla_scheduler_free(s);
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record, &again), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_load(s, &p, 1, 0), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_advance(&n2, s, T0 + 3 * HOUR), SVCQ_OK);
    assert_int_equal(n2, 0);
    svcq_sla_scheduler_free(s);
    svcq_sla_policy_free(p);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}


/* ---- a clock's status as JSON ------------------------------------------- */

/* An independent ISO 8601 formatter: the C library's gmtime_r. */
static void iso_utc(svcq_time t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    assert_non_null(gmtime_r(&tt, &tm));
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void check_time(const svcq__json *o, const char *key, svcq_time want)
{
    char utc[64], iso[32];
    snprintf(utc, sizeof(utc), "%s_utc", key);
    const svcq__json *v = svcq__json_get(o, key), *u = svcq__json_get(o, utc);
    assert_non_null(v);
    assert_non_null(u);
    if (want == SVCQ_SLA_NEVER) {
        assert_int_equal(svcq__json_typeof(v), SVCQ__JSON_NULL);
        assert_int_equal(svcq__json_typeof(u), SVCQ__JSON_NULL);
        return;
    }
    int64_t got;
    assert_true(svcq__json_as_int(v, &got));
    assert_int_equal(got, want);
    iso_utc(want, iso);
    assert_string_equal(svcq__json_as_string(u, NULL), iso);
}

static int64_t int_of(const svcq__json *o, const char *key)
{
    int64_t v;
    assert_true(svcq__json_as_int(svcq__json_get(o, key), &v));
    return v;
}

static int failing_write(const char *data, size_t n, void *ud)
{
    (void)ud, (void)data, (void)n;
    return SVCQ_EIO;
}

static void status_json_matches_status(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a);
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_builtin(&p, ctx, SVCQ_TIER_1, NULL, 0), SVCQ_OK);
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, p, "INC-\"42\""), SVCQ_OK);
    /* Running, met, breached, paused and pending targets at once. */
    ev(c, SVCQ_SLA_EVENT_REQUEST_RECEIVED, T0, NULL);
    ev(c, SVCQ_SLA_EVENT_FIRST_CONTACT, T0 + 20 * MIN, NULL);
    ev(c, SVCQ_SLA_EVENT_SOLUTION_DRAFTED, T0 + 5 * HOUR, NULL);
    ev(c, SVCQ_SLA_EVENT_PAUSE, T0 + 5 * HOUR + 10 * MIN, "customer");
    svcq_buffer *buf;
    assert_int_equal(svcq_buffer_new(&buf, ctx), SVCQ_OK);
    svcq_writer w;
    assert_int_equal(svcq_writer_to_buffer(&w, buf), SVCQ_OK);
    svcq_time at = T0 + 6 * HOUR;
    assert_int_equal(svcq_sla_clock_export_status_json(c, at, &w), SVCQ_OK);

    const char *text = svcq_buffer_data(buf);
    svcq__json_doc *doc;
    assert_int_equal(svcq__json_parse(ctx, text, strlen(text), NULL, &doc), SVCQ_OK);
    const svcq__json *root = svcq__json_root(doc);
    assert_string_equal(svcq__json_as_string(svcq__json_get(root, "subject"), NULL), "INC-\"42\"");
    assert_string_equal(svcq__json_as_string(svcq__json_get(root, "policy"), NULL), "tier.1");
    assert_int_equal(int_of(root, "version"), 1);
    assert_string_equal(svcq__json_as_string(svcq__json_get(root, "fingerprint"), NULL),
                        svcq_sla_policy_fingerprint(p));
    check_time(root, "at", at);
    const svcq__json *targets = svcq__json_get(root, "targets");
    assert_int_equal(svcq__json_array_size(targets), svcq_sla_policy_target_count(p));
    static const char *const names[] = { "pending", "running", "paused", "met", "breached", "cancelled" };
    bool seen_state[6] = { false };
    for (uint32_t j = 0; j < svcq_sla_policy_target_count(p); j++) {
        const svcq__json *o = svcq__json_array_get(targets, j);
        svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
        assert_int_equal(svcq_sla_clock_status(&st, c, j, at), SVCQ_OK);
        assert_int_equal(int_of(o, "index"), j);
        assert_string_equal(svcq__json_as_string(svcq__json_get(o, "metric"), NULL), st.metric);
        assert_string_equal(svcq__json_as_string(svcq__json_get(o, "state"), NULL), names[st.state]);
        assert_int_equal(int_of(o, "state_code"), st.state);
        seen_state[st.state] = true;
        check_time(o, "started_at", st.started_at);
        check_time(o, "due_at", st.due_at);
        check_time(o, "warn_at", st.warn_at);
        check_time(o, "met_at", st.met_at);
        check_time(o, "breached_at", st.breached_at);
        assert_int_equal(int_of(o, "elapsed"), st.elapsed);
        assert_int_equal(int_of(o, "remaining"), st.remaining);
        assert_int_equal(int_of(o, "paused"), st.paused);
        assert_int_equal(int_of(o, "escalation_level"), st.escalation_level);
        assert_int_equal(int_of(o, "met_count"), st.met_count);
        assert_int_equal(int_of(o, "breached_count"), st.breached_count);
    }
    assert_true(seen_state[SVCQ_SLA_PENDING] && seen_state[SVCQ_SLA_MET] && seen_state[SVCQ_SLA_PAUSED]);
    svcq__json_doc_free(doc);

    /* Error paths, each with its own message. */
    assert_int_equal(svcq_sla_clock_export_status_json(NULL, at, &w), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_clock_export_status_json(c, at, NULL), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "writer is NULL"));
    svcq_writer none = SVCQ_WRITER_INIT;
    assert_int_equal(svcq_sla_clock_export_status_json(c, at, &none), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "no callback"));
    assert_int_equal(svcq_sla_clock_export_status_json(c, SVCQ_SLA_NEVER, &w), SVCQ_ERANGE);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "out of range"));
    svcq_writer bad = SVCQ_WRITER_INIT;
    bad.write = failing_write;
    assert_int_equal(svcq_sla_clock_export_status_json(c, at, &bad), SVCQ_EIO);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "status JSON"));

    svcq_buffer_free(buf);
    svcq_sla_clock_free(c);
    svcq_sla_policy_free(p);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}


/* ---- every failing call writes its own message --------------------------- */

/* Leaves an unrelated message in the context. */
static void stale_message(svcq_ctx *ctx)
{
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, ctx, "", 1), SVCQ_EINVAL);
    assert_null(strstr(svcq_ctx_errmsg(ctx), "scheduler"));
    assert_null(strstr(svcq_ctx_errmsg(ctx), "clock"));
}

static void fresh_messages(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a);
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_builtin(&p, ctx, SVCQ_TIER_2, NULL, 0), SVCQ_OK);
    svcq_sla_scheduler *s = (svcq_sla_scheduler *)0x1;

    stale_message(ctx);
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, NULL, NULL), SVCQ_EINVAL);
    assert_null(s);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "notify callback is NULL"));
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record, &seen), SVCQ_OK);

    stale_message(ctx);
    assert_int_equal(svcq_sla_scheduler_add(s, NULL), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "scheduler add: clock is NULL"));

    stale_message(ctx);
    assert_int_equal(svcq_sla_scheduler_next_at(NULL, s), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "next_at: out is NULL"));

    stale_message(ctx);
    assert_int_equal(svcq_sla_scheduler_failed(NULL, NULL, s, 0), SVCQ_ENOTFOUND);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "failure 0 of the last save"));

    stale_message(ctx);
    uint64_t failed = 7;
    assert_int_equal(svcq_sla_scheduler_save(NULL, s), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "scheduler save: failed is NULL"));
    assert_int_equal(svcq_sla_scheduler_save(&failed, NULL), SVCQ_EINVAL);
    assert_int_equal(failed, 0);

    stale_message(ctx);
    assert_int_equal(svcq_sla_scheduler_load(s, NULL, 1, 0), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "scheduler load: policies is NULL"));
    stale_message(ctx);
    assert_int_equal(svcq_sla_scheduler_load(s, &p, 1, 0x10), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "unknown flags 0x10"));

    svcq_sla_clock *c;
    stale_message(ctx);
    assert_int_equal(svcq_sla_clock_load(&c, &p, 1, "tier.2", NULL, 0), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "subject is NULL"));
    stale_message(ctx);
    assert_int_equal(svcq_sla_clock_load(&c, &p, 1, "tier.2", "nobody", 0), SVCQ_ENOTFOUND);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "clock nobody of policy tier.2: no stored record"));

    assert_int_equal(svcq_sla_clock_new(&c, p, "INC-5"), SVCQ_OK);
    stale_message(ctx);
    assert_int_equal(svcq_sla_clock_remove(c), SVCQ_ENOTFOUND);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "clock INC-5 of policy tier.2 was never saved"));
    stale_message(ctx);
    assert_int_equal(svcq_sla_clock_export_json(c, T0, NULL, NULL), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "clock INC-5: export: writer is NULL"));
    stale_message(ctx);
    assert_int_equal(svcq_sla_clock_export_markdown(c, T0, NULL, NULL), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "clock INC-5: export: writer is NULL"));
    svcq_sla_clock_free(c);

    svcq_sla_scheduler_free(s);
    svcq_sla_policy_free(p);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_and_conflicts),
        cmocka_unit_test(exactly_once_across_restart),
        cmocka_unit_test(other_calendar_refused_unless_rebased),
        cmocka_unit_test(rebase_under_recompute_catches_up),
        cmocka_unit_test(schema_1_records_still_load),
        cmocka_unit_test(foreign_contexts_refused),
        cmocka_unit_test(conflicting_clock_skipped_rest_saved),
        cmocka_unit_test(at_least_once_until_saved),
        cmocka_unit_test(status_json_matches_status),
        cmocka_unit_test(fresh_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
