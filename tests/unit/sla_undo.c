/* Handles freed inside a batch, and scheduler deliveries inside a batch.
 *
 * 1. A calendar, policy or clock saved (or deleted, removed) inside a host
 *    batch and freed before the batch rolls back: the rollback must not
 *    write into the freed handle. The contexts here run on a quarantine
 *    allocator that never gives memory back while the test runs: a freed
 *    block is filled with a poison byte and checked when the test ends, so
 *    a write after free fails the test in every build, not only under
 *    AddressSanitizer or valgrind (which see it too).
 * 2. Notices a scheduler delivers inside a batch that rolls back are
 *    delivered again at the next advance, and the clock's whole state
 *    (every target's internal state, delivered counts included) is what it
 *    was before the advance. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sla/sla_internal.h"
#include "svcq.h"

#define MIN 60
#define HOUR 3600
#define DAY 86400
#define T0 ((svcq_time)1767603600) /* Monday 2026-01-05 09:00 UTC */
#define POISON 0xA5

/* ---- the quarantine allocator ------------------------------------------ */

typedef struct qblock {
    struct qblock *next;
    size_t size;
    int freed;
} qblock;

typedef union qhead {
    qblock b;
    max_align_t align;
} qhead;

typedef struct quarantine {
    qhead *all;
    size_t live;
} quarantine;

static void *q_malloc(size_t size, void *ud)
{
    quarantine *q = ud;
    qhead *h = calloc(1, sizeof(*h) + (size ? size : 1));
    if (!h)
        return NULL;
    h->b.size = size;
    h->b.next = q->all ? &q->all->b : NULL;
    q->all = h;
    q->live++;
    return h + 1;
}

static void q_free(void *ptr, void *ud)
{
    quarantine *q = ud;
    if (!ptr)
        return;
    qhead *h = (qhead *)ptr - 1;
    assert_false(h->b.freed);
    memset(ptr, POISON, h->b.size);
    h->b.freed = 1;
    q->live--;
}

static void *q_realloc(void *ptr, size_t size, void *ud)
{
    if (!ptr)
        return q_malloc(size, ud);
    qhead *h = (qhead *)ptr - 1;
    void *p = q_malloc(size, ud);
    if (!p)
        return NULL;
    memcpy(p, ptr, h->b.size < size ? h->b.size : size);
    q_free(ptr, ud);
    return p;
}

/* Every freed block still holds only poison; nothing is live; all memory
 * goes back to the system. */
static void quarantine_check_and_free(quarantine *q)
{
    size_t dirty = 0;
    qblock *b = q->all ? &q->all->b : NULL;
    while (b) {
        qhead *h = (qhead *)(void *)b;
        const unsigned char *p = (const unsigned char *)(h + 1);
        if (b->freed)
            for (size_t i = 0; i < b->size; i++)
                if (p[i] != POISON) {
                    print_error("a freed block of %zu bytes was written at offset %zu\n", b->size, i);
                    dirty++;
                    break;
                }
        qblock *next = b->next;
        free(h);
        b = next;
    }
    q->all = NULL;
    assert_int_equal(dirty, 0);
    assert_int_equal(q->live, 0);
}

static svcq_ctx *q_ctx_new(quarantine *q)
{
    memset(q, 0, sizeof(*q));
    svcq_ctx_options o = SVCQ_CTX_OPTIONS_INIT;
    o.malloc_fn = q_malloc;
    o.realloc_fn = q_realloc;
    o.free_fn = q_free;
    o.alloc_user_data = q;
    svcq_ctx *ctx = NULL;
    assert_int_equal(svcq_ctx_new(&ctx, &o), SVCQ_OK);
    return ctx;
}

static int ignore_notice(const svcq_sla_notice *n, void *ud)
{
    (void)n;
    (void)ud;
    return 0;
}

static svcq_sla_policy *small_policy(svcq_ctx *ctx, const char *name)
{
    svcq_sla_policy *p = NULL;
    assert_int_equal(svcq_sla_policy_new(&p, ctx, name, 1), SVCQ_OK);
    svcq_sla_target_spec t = SVCQ_SLA_TARGET_SPEC_INIT;
    t.metric = "respond";
    t.start_event = "open";
    t.meet_event = "contact";
    t.duration = HOUR;
    t.warn_count = 1;
    t.warn_percent[0] = 50;
    t.escalate_count = 1;
    t.escalate_percent[0] = 200;
    assert_int_equal(svcq_sla_policy_add_target(p, &t), SVCQ_OK);
    return p;
}

static int record_exists(svcq_ctx *ctx, const char *kind, const char *id)
{
    (void)kind;
    /* Through the public API: a calendar load says whether "calendar/id" is stored. */
    svcq_calendar *cal = NULL;
    int rc = svcq_calendar_load(&cal, ctx, id, NULL, NULL);
    svcq_calendar_free(cal);
    return rc == SVCQ_OK;
}

/* ---- 1. freed inside a batch ------------------------------------------- */

static void calendar_saved_in_batch_then_freed(void **state)
{
    (void)state;
    quarantine q;
    svcq_ctx *ctx = q_ctx_new(&q);
    svcq_calendar *cal = NULL;
    assert_int_equal(svcq_sla_default_calendar(&cal, ctx, NULL), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_calendar_save(cal, "support"), SVCQ_OK);
    assert_int_equal(svcq_calendar_revision(cal), 1);
    svcq_calendar_free(cal); /* its revision and id undo entries are pending */
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
    assert_false(record_exists(ctx, "calendar", "support"));

    /* Delete inside a batch (the id's undo entry): saved outside, deleted
     * and freed inside, rolled back: the record is back, the handle alone. */
    assert_int_equal(svcq_sla_default_calendar(&cal, ctx, NULL), SVCQ_OK);
    assert_int_equal(svcq_calendar_save(cal, "support"), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_calendar_delete(cal), SVCQ_OK);
    svcq_calendar_free(cal);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
    assert_true(record_exists(ctx, "calendar", "support"));

    /* Saved under another id inside a batch, freed, rolled back. */
    assert_int_equal(svcq_calendar_load(&cal, ctx, "support", NULL, NULL), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_calendar_save(cal, "support-2"), SVCQ_OK);
    svcq_calendar_free(cal);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
    assert_false(record_exists(ctx, "calendar", "support-2"));

    /* A handle kept alive is still restored. */
    assert_int_equal(svcq_calendar_load(&cal, ctx, "support", NULL, NULL), SVCQ_OK);
    uint64_t rev = svcq_calendar_revision(cal);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_calendar_save(cal, "support-3"), SVCQ_OK);
    assert_string_equal(svcq_calendar_id(cal), "support-3");
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
    assert_string_equal(svcq_calendar_id(cal), "support");
    assert_int_equal(svcq_calendar_revision(cal), rev);
    svcq_calendar_free(cal);

    svcq_ctx_free(ctx);
    quarantine_check_and_free(&q);
}

static void policy_saved_in_batch_then_freed(void **state)
{
    (void)state;
    quarantine q;
    svcq_ctx *ctx = q_ctx_new(&q);
    svcq_sla_policy *p = small_policy(ctx, "undo");
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_save(p), SVCQ_OK);
    assert_int_not_equal(svcq_sla_policy_revision(p), 0);
    svcq_sla_policy_free(p); /* revision and frozen undo entries pending */
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
    svcq_sla_policy *back = NULL;
    assert_int_equal(svcq_sla_policy_load(&back, ctx, "undo", 1, NULL), SVCQ_ENOTFOUND);

    /* Delete inside a batch, freed, rolled back. */
    p = small_policy(ctx, "undo");
    assert_int_equal(svcq_sla_policy_save(p), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_delete(p), SVCQ_OK);
    svcq_sla_policy_free(p);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_load(&back, ctx, "undo", 1, NULL), SVCQ_OK);
    svcq_sla_policy_free(back);

    svcq_ctx_free(ctx);
    quarantine_check_and_free(&q);
}

static void clock_saved_in_batch_then_freed(void **state)
{
    (void)state;
    quarantine q;
    svcq_ctx *ctx = q_ctx_new(&q);
    svcq_sla_policy *p = small_policy(ctx, "undo");
    svcq_sla_clock *c = NULL, *back = NULL;

    /* Event and save inside the batch, then the free. */
    assert_int_equal(svcq_sla_clock_new(&c, p, "T-1"), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(c, "open", T0, NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_save(c), SVCQ_OK); /* revision and saved undo entries */
    svcq_sla_clock_free(c);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_load(&back, &p, 1, "undo", "T-1", 0), SVCQ_ENOTFOUND);

    /* Saved outside, removed and freed inside, rolled back. */
    assert_int_equal(svcq_sla_clock_new(&c, p, "T-1"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(c, "open", T0, NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_save(c), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_remove(c), SVCQ_OK);
    svcq_sla_clock_free(c);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_load(&back, &p, 1, "undo", "T-1", 0), SVCQ_OK);
    svcq_sla_clock_free(back);

    /* Clocks of a scheduler: saved by the scheduler, delivered to, and
     * freed with it inside the batch. */
    svcq_sla_scheduler *s = NULL;
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, ignore_notice, NULL), SVCQ_OK);
    for (int i = 0; i < 3; i++) {
        char subject[16];
        snprintf(subject, sizeof(subject), "S-%d", i);
        assert_int_equal(svcq_sla_clock_new(&c, p, subject), SVCQ_OK);
        assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_OK);
        assert_int_equal(svcq_sla_clock_event(c, "open", T0 + i * MIN, NULL), SVCQ_OK);
    }
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    uint64_t n = 0, failed = 0;
    assert_int_equal(svcq_sla_scheduler_advance(&n, s, T0 + 3 * HOUR), SVCQ_OK);
    assert_int_equal(n, 9);
    assert_int_equal(svcq_sla_scheduler_save(&failed, s), SVCQ_OK);
    assert_int_equal(failed, 0);
    svcq_sla_scheduler_free(s);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);

    svcq_sla_policy_free(p);
    svcq_ctx_free(ctx);
    quarantine_check_and_free(&q);
}

/* A batch committed after the free: the entries only release. */
static void freed_then_committed(void **state)
{
    (void)state;
    quarantine q;
    svcq_ctx *ctx = q_ctx_new(&q);
    svcq_sla_policy *p = small_policy(ctx, "undo");
    svcq_sla_clock *c = NULL, *back = NULL;
    svcq_calendar *cal = NULL;
    assert_int_equal(svcq_sla_default_calendar(&cal, ctx, NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&c, p, "T-2"), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_calendar_save(cal, "c"), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_save(p), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(c, "open", T0, NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_save(c), SVCQ_OK);
    svcq_calendar_free(cal);
    svcq_sla_clock_free(c);
    assert_int_equal(svcq_ctx_batch_commit(ctx), SVCQ_OK);
    assert_true(record_exists(ctx, "calendar", "c"));
    assert_int_equal(svcq_sla_clock_load(&back, &p, 1, "undo", "T-2", 0), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event_count(back), 1);
    svcq_sla_clock_free(back);
    svcq_sla_policy_free(p);
    svcq_ctx_free(ctx);
    quarantine_check_and_free(&q);
}

/* ---- 2. deliveries inside a batch -------------------------------------- */

typedef struct seen {
    int n;
    svcq_sla_notice v[32];
} seen;

static int record_notice(const svcq_sla_notice *n, void *ud)
{
    seen *s = ud;
    assert_true(s->n < 32);
    s->v[s->n++] = *n;
    return 0;
}

/* The internal state of every target, and the counters, of a clock. */
typedef struct clock_image {
    uint32_t ntargets, nevents;
    uint64_t changes, saved, revision;
    svcq_time next_at;
    svcq__sla_tstate t[4];
} clock_image;

static void image_of(clock_image *im, const svcq_sla_clock *c, const svcq_sla_scheduler *s)
{
    memset(im, 0, sizeof(*im));
    const svcq_sla_policy *P = svcq_sla_clock_policy(c);
    im->ntargets = svcq_sla_policy_target_count(P);
    assert_true(im->ntargets <= 4);
    im->nevents = c->nevents;
    im->changes = c->changes;
    im->saved = c->saved;
    im->revision = c->revision;
    for (uint32_t j = 0; j < im->ntargets; j++)
        im->t[j] = *svcq__sla_t(c, j);
    assert_int_equal(svcq_sla_scheduler_next_at(&im->next_at, s), SVCQ_OK);
}

static void deliveries_rolled_back_come_again(void **state)
{
    (void)state;
    quarantine q;
    svcq_ctx *ctx = q_ctx_new(&q);
    svcq_sla_policy *p = small_policy(ctx, "undo");
    seen got = { 0 };
    svcq_sla_scheduler *s = NULL;
    svcq_sla_clock *c = NULL;
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record_notice, &got), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&c, p, "D-1"), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(c, "open", T0, NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_save(c), SVCQ_OK);

    /* The warning (30 min) outside any batch. */
    uint64_t n = 0;
    assert_int_equal(svcq_sla_scheduler_advance(&n, s, T0 + 40 * MIN), SVCQ_OK);
    assert_int_equal(n, 1);
    clock_image before, after;
    image_of(&before, c, s);
    assert_int_equal(before.next_at, T0 + HOUR + 1);

    /* Breach and escalation inside a batch that rolls back. */
    got.n = 0;
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_advance(&n, s, T0 + 3 * HOUR), SVCQ_OK);
    assert_int_equal(n, 2);
    image_of(&after, c, s);
    assert_int_equal(after.next_at, SVCQ_SLA_NEVER);
    assert_int_not_equal(memcmp(&before, &after, sizeof(before)), 0);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
    image_of(&after, c, s);
    assert_memory_equal(&before, &after, sizeof(before));

    /* The same two notices again, with their instants and keys. */
    seen first = got;
    got.n = 0;
    assert_int_equal(svcq_sla_scheduler_advance(&n, s, T0 + 3 * HOUR), SVCQ_OK);
    assert_int_equal(n, 2);
    assert_int_equal(got.n, 2);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(got.v[i].kind, first.v[i].kind);
        assert_int_equal(got.v[i].at, first.v[i].at);
        assert_int_equal(got.v[i].level, first.v[i].level);
        assert_int_equal(got.v[i].cycle, first.v[i].cycle);
    }
    assert_int_equal(got.v[0].kind, SVCQ_SLA_NOTICE_BREACH);
    assert_int_equal(got.v[0].at, T0 + HOUR + 1);
    assert_int_equal(got.v[1].kind, SVCQ_SLA_NOTICE_ESCALATION);
    assert_int_equal(got.v[1].at, T0 + 2 * HOUR + 1);

    /* Committed deliveries stay: nothing comes a third time, and the
     * record stores them. */
    got.n = 0;
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_advance(&n, s, T0 + 4 * HOUR), SVCQ_OK);
    assert_int_equal(n, 0);
    assert_int_equal(svcq_ctx_batch_commit(ctx), SVCQ_OK);
    assert_int_equal(got.n, 0);

    svcq_sla_scheduler_free(s);
    svcq_sla_policy_free(p);
    svcq_ctx_free(ctx);
    quarantine_check_and_free(&q);
}

/* Deliveries and a save in one batch that rolls back: the clock is as
 * before, the record as before, and a reload delivers the notices. */
static void deliveries_and_save_rolled_back(void **state)
{
    (void)state;
    quarantine q;
    svcq_ctx *ctx = q_ctx_new(&q);
    svcq_sla_policy *p = small_policy(ctx, "undo");
    seen got = { 0 };
    svcq_sla_scheduler *s = NULL;
    svcq_sla_clock *c = NULL;
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record_notice, &got), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&c, p, "D-2"), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(c, "open", T0, NULL), SVCQ_OK);
    uint64_t failed = 0, n = 0;
    assert_int_equal(svcq_sla_scheduler_save(&failed, s), SVCQ_OK);
    clock_image before, after;
    image_of(&before, c, s);

    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_advance(&n, s, T0 + 3 * HOUR), SVCQ_OK);
    assert_int_equal(n, 3);
    assert_int_equal(svcq_sla_scheduler_save(&failed, s), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
    image_of(&after, c, s);
    assert_memory_equal(&before, &after, sizeof(before));

    /* A second scheduler loading the stored clock delivers all three. */
    seen other = { 0 };
    svcq_sla_scheduler *s2 = NULL;
    assert_int_equal(svcq_sla_scheduler_new(&s2, ctx, record_notice, &other), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_load(s2, &p, 1, 0), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_advance(&n, s2, T0 + 3 * HOUR), SVCQ_OK);
    assert_int_equal(n, 3);
    svcq_sla_scheduler_free(s2);

    svcq_sla_scheduler_free(s);
    svcq_sla_policy_free(p);
    svcq_ctx_free(ctx);
    quarantine_check_and_free(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(calendar_saved_in_batch_then_freed),
        cmocka_unit_test(policy_saved_in_batch_then_freed),
        cmocka_unit_test(clock_saved_in_batch_then_freed),
        cmocka_unit_test(freed_then_committed),
        cmocka_unit_test(deliveries_rolled_back_come_again),
        cmocka_unit_test(deliveries_and_save_rolled_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
