/* The scheduler at scale: subjects partitioned across schedulers (two
 * "application servers" over one store together deliver every notice of a
 * scenario exactly once, compared with one scheduler holding every clock),
 * saves that cost what changed, and the memory of a running clock. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "faulty_store.h"
#include "sla/sla_internal.h"
#include "store/store.h"
#include "svcq.h"
#include "test_alloc.h"

#define MIN 60
#define HOUR 3600
#define DAY 86400
#define T0 ((svcq_time)1767603600) /* Monday 09:00 UTC */
#define NCLOCKS 240

/* ---- the partition function against an independent FNV-1a 64 ------------ */

static uint64_t fnv1a64(const char *s)
{
    uint64_t h = 14695981039346656037u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211u;
    }
    return h;
}

static void partition_is_fnv1a_mod_n(void **state)
{
    (void)state;
    uint32_t k;
    /* Published FNV-1a 64 vectors. */
    assert_int_equal(fnv1a64(""), 0xcbf29ce484222325u);
    assert_int_equal(fnv1a64("a"), 0xaf63dc4c8601ec8cu);
    assert_int_equal(fnv1a64("foobar"), 0x85944171f73967e8u);
    assert_int_equal(svcq_sla_subject_partition(&k, "foobar", 1000003), SVCQ_OK);
    assert_int_equal(k, 0x85944171f73967e8u % 1000003u);
    assert_int_equal(svcq_sla_subject_partition(&k, "a", 7), SVCQ_OK);
    assert_int_equal(k, 0xaf63dc4c8601ec8cu % 7u);
    for (int i = 0; i < 2000; i++) {
        char subject[32];
        snprintf(subject, sizeof(subject), "INC-%d-\xc3\xa9", i * 7919);
        for (uint32_t n = 1; n <= 9; n++) {
            assert_int_equal(svcq_sla_subject_partition(&k, subject, n), SVCQ_OK);
            assert_int_equal(k, (uint32_t)(fnv1a64(subject) % n));
        }
    }
    k = 5;
    assert_int_equal(svcq_sla_subject_partition(&k, "x", 0), SVCQ_EINVAL);
    assert_int_equal(k, 0);
    assert_int_equal(svcq_sla_subject_partition(NULL, "x", 2), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_subject_partition(&k, NULL, 2), SVCQ_EINVAL);
}

/* ---- a scenario, its notices ---------------------------------------------- */

typedef struct log {
    size_t n, cap;
    char **keys;
    uint32_t part_index, part_count; /* every notice must be of this partition */
} log;

static int record(const svcq_sla_notice *n, void *ud)
{
    log *l = ud;
    if (l->part_count) {
        assert_int_equal(fnv1a64(n->subject) % l->part_count, l->part_index);
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->keys = realloc(l->keys, l->cap * sizeof(*l->keys));
        assert_non_null(l->keys);
    }
    char buf[160];
    snprintf(buf, sizeof(buf), "%lld %s/%s/%s/%d/%d/%u", (long long)n->at, n->subject, n->policy, n->metric,
             n->kind, n->level, n->cycle);
    l->keys[l->n] = strdup(buf);
    l->n++;
    return 0;
}

static void log_free(log *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->keys[i]);
    free(l->keys);
    memset(l, 0, sizeof(*l));
}

static int by_key(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void ev(svcq_sla_clock *c, const char *name, svcq_time at, const char *reason)
{
    assert_int_equal(svcq_sla_clock_event(c, name, at, reason), SVCQ_OK);
}

/* NCLOCKS tier-2 clocks with requests, contacts, drafts, pauses and
 * closures, all fed before the first advance. */
static void feed(svcq_sla_scheduler *s, svcq_sla_policy *p)
{
    for (int i = 0; i < NCLOCKS; i++) {
        char subject[24];
        snprintf(subject, sizeof(subject), "INC-%05d", i * 37);
        svcq_sla_clock *c;
        assert_int_equal(svcq_sla_clock_new(&c, p, subject), SVCQ_OK);
        assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_OK);
        svcq_time t = T0 + (svcq_time)(i % 60) * 47 * MIN;
        ev(c, SVCQ_SLA_EVENT_REQUEST_RECEIVED, t, NULL);
        if (i % 10 < 7)
            ev(c, SVCQ_SLA_EVENT_FIRST_CONTACT, t + (i % 13) * 11 * MIN, NULL);
        if (i % 5 == 0) {
            ev(c, SVCQ_SLA_EVENT_PAUSE, t + 20 * MIN, i % 3 ? "customer" : "vendor");
            ev(c, SVCQ_SLA_EVENT_RESUME, t + 3 * HOUR, NULL);
        }
        if (i % 2)
            ev(c, SVCQ_SLA_EVENT_SOLUTION_DRAFTED, t + (i % 17) * 29 * MIN, NULL);
        if (i % 9 == 0)
            ev(c, SVCQ_SLA_EVENT_EXECUTION_STARTED, t + 2 * DAY, NULL);
        if (i % 11 == 0)
            ev(c, SVCQ_SLA_EVENT_CLOSED, t + 3 * DAY, NULL);
    }
}

static void sort_log(log *l)
{
    qsort(l->keys, l->n, sizeof(*l->keys), by_key);
}

/* Two schedulers, each on its partition of one store, deliver together
 * exactly what one scheduler holding every clock delivers: each notice
 * once, across a save and a restart of both. */
static void two_partitions_deliver_every_notice_once(void **state)
{
    (void)state;
    svcq_time mid = T0 + 26 * HOUR + 17 * MIN, end = T0 + 12 * DAY;

    /* The reference: one scheduler, every clock, never stopped. */
    test_alloc a0;
    test_alloc_init(&a0);
    svcq_ctx *rctx = test_ctx_new(&a0);
    svcq_sla_policy *rp;
    assert_int_equal(svcq_sla_policy_builtin(&rp, rctx, SVCQ_TIER_2, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS), SVCQ_OK);
    log ref = { 0 };
    svcq_sla_scheduler *rs;
    assert_int_equal(svcq_sla_scheduler_new(&rs, rctx, record, &ref), SVCQ_OK);
    feed(rs, rp);
    assert_int_equal(svcq_sla_scheduler_advance(NULL, rs, mid), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_advance(NULL, rs, end), SVCQ_OK);
    assert_true(ref.n > NCLOCKS);
    /* In time order, equal instants by subject (the opening hour brings
     * slots of dozens of clocks: the scheduler sorts them). */
    size_t ties = 0;
    for (size_t i = 1; i < ref.n; i++) {
        long long a, b;
        char sa[64], sb[64];
        assert_int_equal(sscanf(ref.keys[i - 1], "%lld %63[^/]", &a, sa), 2);
        assert_int_equal(sscanf(ref.keys[i], "%lld %63[^/]", &b, sb), 2);
        assert_true(a <= b);
        if (a == b) {
            assert_true(strcmp(sa, sb) <= 0);
            ties += strcmp(sa, sb) != 0;
        }
    }
    assert_true(ties > 16);

    /* One store: the clocks are made and stored by a loader, then two
     * servers take their partitions. */
    test_alloc a1;
    test_alloc_init(&a1);
    svcq_ctx *ctx = test_ctx_new(&a1);
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_builtin(&p, ctx, SVCQ_TIER_2, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS), SVCQ_OK);
    log none = { 0 };
    svcq_sla_scheduler *loader;
    assert_int_equal(svcq_sla_scheduler_new(&loader, ctx, record, &none), SVCQ_OK);
    feed(loader, p);
    uint64_t failed = 9;
    assert_int_equal(svcq_sla_scheduler_save(&failed, loader), SVCQ_OK);
    assert_int_equal(failed, 0);
    svcq_sla_scheduler_free(loader);

    log got[2] = { { 0 }, { 0 } };
    uint64_t held = 0;
    for (int round = 0; round < 2; round++) {
        svcq_sla_scheduler *s[2];
        for (uint32_t k = 0; k < 2; k++) {
            got[k].part_index = k;
            got[k].part_count = 2;
            assert_int_equal(svcq_sla_scheduler_new(&s[k], ctx, record, &got[k]), SVCQ_OK);
            assert_int_equal(svcq_sla_scheduler_set_partition(s[k], k, 2), SVCQ_OK);
            assert_int_equal(svcq_sla_scheduler_load(s[k], &p, 1, 0), SVCQ_OK);
            assert_true(svcq_sla_scheduler_count(s[k]) > NCLOCKS / 4);
        }
        /* Loads read live clocks only: every clock before the first round,
         * the ones with something left to deliver after it. */
        held = svcq_sla_scheduler_count(s[0]) + svcq_sla_scheduler_count(s[1]);
        if (round == 0)
            assert_int_equal(held, NCLOCKS);
        else
            assert_true(held > NCLOCKS / 2 && held <= NCLOCKS);
        svcq_time until = round == 0 ? mid : end;
        for (int k = 0; k < 2; k++) {
            assert_int_equal(svcq_sla_scheduler_advance(NULL, s[k], until), SVCQ_OK);
            assert_int_equal(svcq_sla_scheduler_save(&failed, s[k]), SVCQ_OK);
            assert_int_equal(failed, 0); /* disjoint clocks: no conflict */
            svcq_sla_scheduler_free(s[k]);
        }
    }
    assert_true(got[0].n > 0 && got[1].n > 0);

    /* Together: the reference, each notice once. */
    log all = { 0 };
    all.cap = got[0].n + got[1].n;
    all.keys = malloc(all.cap * sizeof(*all.keys));
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < got[k].n; i++)
            all.keys[all.n++] = strdup(got[k].keys[i]);
    sort_log(&all);
    sort_log(&ref);
    assert_int_equal(all.n, ref.n);
    for (size_t i = 0; i < ref.n; i++) {
        assert_string_equal(all.keys[i], ref.keys[i]);
        if (i)
            assert_true(strcmp(all.keys[i - 1], all.keys[i]) < 0); /* no notice twice */
    }

    /* A third server holding everything finds nothing left up to `end`. */
    svcq_sla_scheduler *whole;
    assert_int_equal(svcq_sla_scheduler_new(&whole, ctx, record, &none), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_load(whole, &p, 1, 0), SVCQ_OK);
    assert_true(svcq_sla_scheduler_count(whole) <= NCLOCKS);
    uint64_t n = 99;
    assert_int_equal(svcq_sla_scheduler_advance(&n, whole, end), SVCQ_OK);
    assert_int_equal(n, 0);
    svcq_sla_scheduler_free(whole);

    log_free(&all);
    log_free(&ref);
    log_free(&none);
    for (int k = 0; k < 2; k++)
        log_free(&got[k]);
    svcq_sla_scheduler_free(rs);
    svcq_sla_policy_free(rp);
    svcq_sla_policy_free(p);
    svcq_ctx_free(rctx);
    svcq_ctx_free(ctx);
    assert_int_equal(a0.live_blocks, 0);
    assert_int_equal(a1.live_blocks, 0);
}

static void partition_refusals(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a);
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_builtin(&p, ctx, SVCQ_TIER_2, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS), SVCQ_OK);
    log l = { 0 };
    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record, &l), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_set_partition(NULL, 0, 1), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_scheduler_set_partition(s, 0, 0), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "partition 0 of 0 does not exist"));
    assert_int_equal(svcq_sla_scheduler_set_partition(s, 3, 3), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "partition 3 of 3"));
    assert_int_equal(svcq_sla_scheduler_set_partition(s, 1, 3), SVCQ_OK);

    /* A clock of another partition is refused and stays the caller's. */
    const char *mine = NULL, *other = NULL;
    static char names[64][16];
    for (int i = 0; i < 64 && (!mine || !other); i++) {
        snprintf(names[i], sizeof(names[i]), "T-%d", i);
        if (fnv1a64(names[i]) % 3 == 1)
            mine = mine ? mine : names[i];
        else
            other = other ? other : names[i];
    }
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, p, other), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_EINVAL);
    char want[1200];
    snprintf(want, sizeof(want), "clock %s (policy tier.2) is in partition %u of 3; this scheduler holds 1", other,
             (unsigned)(fnv1a64(other) % 3));
    assert_string_equal(svcq_ctx_errmsg(ctx), want);
    assert_int_equal(svcq_sla_scheduler_count(s), 0);
    svcq_sla_clock_free(c);
    assert_int_equal(svcq_sla_clock_new(&c, p, mine), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_OK);
    assert_ptr_equal(svcq_sla_scheduler_find(s, mine, "tier.2"), c);

    /* Set before the clocks come, not after. */
    assert_int_equal(svcq_sla_scheduler_set_partition(s, 0, 2), SVCQ_ESTATE);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "before clocks are added or loaded (it holds 1)"));
    svcq_sla_clock_free(c);
    assert_int_equal(svcq_sla_scheduler_set_partition(s, 0, 1), SVCQ_OK); /* empty again; 1 = every subject */
    assert_int_equal(svcq_sla_clock_new(&c, p, other), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_OK);

    svcq_sla_scheduler_free(s);
    svcq_sla_policy_free(p);
    log_free(&l);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}

/* ---- saves cost what changed ---------------------------------------------- */

static size_t listed(const svcq_sla_scheduler *s)
{
    size_t iter = 0, n = 0;
    while (svcq__sla_sched_next_dirty(s, &iter))
        n++;
    return n;
}

static void save_writes_what_changed(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a);
    svcq_store_methods inner, m;
    assert_int_equal(svcq__memstore_new(ctx, &inner), SVCQ_OK);
    faulty_store *fs = malloc(sizeof(*fs));
    faulty_store_init(fs, &inner);
    fs->free_on_destroy = true;
    faulty_store_methods(fs, &m);
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_builtin(&p, ctx, SVCQ_TIER_2, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS), SVCQ_OK);
    log l = { 0 };
    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record, &l), SVCQ_OK);
    feed(s, p);
    assert_int_equal(listed(s), NCLOCKS); /* never saved */
    uint64_t failed;
    assert_int_equal(svcq_sla_scheduler_save(&failed, s), SVCQ_OK);
    assert_int_equal(listed(s), 0);

    /* Store calls of a save: nothing changed, then one clock, then three. */
    faulty_store_arm(fs, 0, false);
    assert_int_equal(svcq_sla_scheduler_save(&failed, s), SVCQ_OK);
    size_t base = fs->calls;
    svcq_sla_clock *c[3];
    for (int i = 0; i < 3; i++) {
        char subject[24];
        snprintf(subject, sizeof(subject), "INC-%05d", (i * 50 + 1) * 37);
        assert_non_null(c[i] = svcq_sla_scheduler_find(s, subject, "tier.2"));
    }
    ev(c[0], SVCQ_SLA_EVENT_PROGRESS_UPDATE, T0 + 20 * DAY, NULL);
    ev(c[0], SVCQ_SLA_EVENT_SERVICE_COMPLETED, T0 + 20 * DAY + HOUR, NULL);
    assert_int_equal(listed(s), 1);
    faulty_store_arm(fs, 0, false);
    assert_int_equal(svcq_sla_scheduler_save(&failed, s), SVCQ_OK);
    size_t one = fs->calls - base;
    assert_true(one >= 1);
    for (int i = 0; i < 3; i++)
        ev(c[i], SVCQ_SLA_EVENT_PROGRESS_UPDATE, T0 + 21 * DAY, NULL);
    assert_int_equal(listed(s), 3);
    faulty_store_arm(fs, 0, false);
    assert_int_equal(svcq_sla_scheduler_save(&failed, s), SVCQ_OK);
    assert_int_equal(fs->calls - base, 3 * one);

    /* Deliveries change clocks too. */
    uint64_t delivered;
    assert_int_equal(svcq_sla_scheduler_advance(&delivered, s, T0 + 5 * HOUR), SVCQ_OK);
    assert_true(delivered > 0 && listed(s) > 0 && listed(s) <= delivered);
    assert_int_equal(svcq_sla_scheduler_save(&failed, s), SVCQ_OK);
    assert_int_equal(listed(s), 0);

    /* A save inside a batch that rolls back: the clocks stay changed and
     * the next save writes them. */
    ev(c[1], SVCQ_SLA_EVENT_PROGRESS_UPDATE, T0 + 22 * DAY, NULL);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_save(&failed, s), SVCQ_OK);
    assert_int_equal(listed(s), 1); /* kept until a save outside any batch */
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
    assert_int_equal(listed(s), 1);
    faulty_store_arm(fs, 0, false);
    assert_int_equal(svcq_sla_scheduler_save(&failed, s), SVCQ_OK);
    assert_int_equal(fs->calls - base, one);
    assert_int_equal(listed(s), 0);
    /* ... and one that commits: written once. */
    ev(c[2], SVCQ_SLA_EVENT_PROGRESS_UPDATE, T0 + 22 * DAY, NULL);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_save(&failed, s), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_commit(ctx), SVCQ_OK);
    faulty_store_arm(fs, 0, false);
    assert_int_equal(svcq_sla_scheduler_save(&failed, s), SVCQ_OK);
    assert_int_equal(fs->calls, base);
    assert_int_equal(listed(s), 0);

    /* A removed record is written again by the next save. */
    assert_int_equal(svcq_sla_clock_remove(c[1]), SVCQ_OK);
    assert_int_equal(listed(s), 1);
    assert_int_equal(svcq_sla_scheduler_save(&failed, s), SVCQ_OK);
    svcq_sla_clock *back;
    assert_int_equal(svcq_sla_clock_load(&back, &p, 1, "tier.2", svcq_sla_clock_subject(c[1]), 0), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_count(back), svcq_sla_clock_event_count(c[1]));
    svcq_sla_clock_free(back);

    /* A freed clock leaves the list. */
    ev(c[2], SVCQ_SLA_EVENT_PROGRESS_UPDATE, T0 + 23 * DAY, NULL);
    ev(c[0], SVCQ_SLA_EVENT_PROGRESS_UPDATE, T0 + 23 * DAY, NULL);
    assert_int_equal(listed(s), 2);
    svcq_sla_clock_free(c[2]);
    assert_int_equal(listed(s), 1);
    assert_int_equal(svcq_sla_scheduler_save(&failed, s), SVCQ_OK);
    assert_int_equal(listed(s), 0);

    svcq_sla_scheduler_free(s);
    svcq_sla_policy_free(p);
    log_free(&l);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}

/* ---- memory ----------------------------------------------------------- */

/* The bench's mix (a request; 70 % then a first contact within three
 * hours; 50 % a drafted solution within two days) on n clocks. */
static void fill(svcq_sla_scheduler *s, svcq_sla_policy *p, int n)
{
    uint64_t r = 88172645463325252u;
    for (int i = 0; i < n; i++) {
        char subject[24];
        snprintf(subject, sizeof(subject), "INC-%07d", i);
        svcq_sla_clock *c;
        assert_int_equal(svcq_sla_clock_new(&c, p, subject), SVCQ_OK);
        assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_OK);
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        svcq_time t = T0 + (svcq_time)(r % (5 * DAY));
        ev(c, SVCQ_SLA_EVENT_REQUEST_RECEIVED, t, NULL);
        if (r % 10 < 7)
            ev(c, SVCQ_SLA_EVENT_FIRST_CONTACT, t + (svcq_time)(r % (3 * HOUR)), NULL);
        if ((r >> 8) % 2)
            ev(c, SVCQ_SLA_EVENT_SOLUTION_DRAFTED, t + (svcq_time)(r % (2 * DAY)), NULL);
    }
}

/* At most 512 bytes a running clock: every allocation of the scheduler and
 * its clocks counted, except the wheel (fixed) and what the context keeps
 * for all clocks (calendar caches: a first scheduler warms them). */
static void running_clock_under_512_bytes(void **state)
{
    (void)state;
    enum { N = 4096 };
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a);
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_builtin(&p, ctx, SVCQ_TIER_2, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS), SVCQ_OK);
    log l = { 0 };
    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record, &l), SVCQ_OK);
    fill(s, p, N);
    svcq_sla_scheduler_free(s);
    size_t before = a.live_bytes;
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record, &l), SVCQ_OK);
    size_t wheel = a.live_bytes - before;
    fill(s, p, N);
    double per_clock = (double)(a.live_bytes - before - wheel) / N;
    print_message("running clock: %.1f bytes\n", per_clock);
    assert_true(per_clock <= 512.0);

    /* The same clocks loaded by a restarted server: no bigger. */
    uint64_t failed;
    assert_int_equal(svcq_sla_scheduler_save(&failed, s), SVCQ_OK);
    assert_int_equal(failed, 0);
    svcq_sla_scheduler *loaded;
    before = a.live_bytes;
    assert_int_equal(svcq_sla_scheduler_new(&loaded, ctx, record, &l), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_load(loaded, &p, 1, 0), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_count(loaded), N);
    double loaded_per_clock = (double)(a.live_bytes - before - wheel) / N;
    print_message("loaded clock: %.1f bytes\n", loaded_per_clock);
    assert_true(loaded_per_clock <= per_clock + 1.0);
    svcq_sla_scheduler_free(loaded);
    svcq_sla_scheduler_free(s);
    svcq_sla_policy_free(p);
    log_free(&l);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(partition_is_fnv1a_mod_n),
        cmocka_unit_test(two_partitions_deliver_every_notice_once),
        cmocka_unit_test(partition_refusals),
        cmocka_unit_test(save_writes_what_changed),
        cmocka_unit_test(running_clock_under_512_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
