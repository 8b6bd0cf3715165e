/* The scheduler's timing wheel: slots as arrays of {instant, clock}
 * entries, holes where clocks left, an overflow array beyond the wheel's
 * span, and clocks that found no room waiting for the next advance.
 *
 * - deliveries come out in the order of an independent oracle (every
 *   clock's notices, sorted by instant, subject, policy) across seconds,
 *   slots, the overflow array and clocks added with notices already past,
 *   advanced in steps from one second to sixty days;
 * - one clock moved back and forth ten thousand times (batch rolled back)
 *   leaves the memory exactly as after the first time;
 * - a rollback after an advance queues the clocks again (some find no
 *   room: they wait as pending) and the next advance delivers the same;
 * - a callback that feeds a clock already taken for delivery in the same
 *   slot is honoured;
 * - allocation failure at every point of an advance outside any batch:
 *   the advance fails, a second one delivers the rest, nothing is lost,
 *   duplicated or leaked. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/store.h"
#include "svcq.h"
#include "test_alloc.h"

#define MIN 60
#define HOUR 3600
#define DAY 86400
#define T0 ((svcq_time)1767603600) /* Monday 09:00 UTC */

/* ---- notices as text ---------------------------------------------------- */

typedef struct note {
    svcq_time at;
    char *subject, *policy;
    uint32_t seq; /* order within its clock's own list */
    char *text;
    bool done;
    bool late; /* of a clock added during the run */
} note;

typedef struct notes {
    note *v;
    size_t n, cap;
    uint32_t seq;
    bool late;
} notes;

static void notes_add(notes *l, const svcq_sla_notice *n)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->v = realloc(l->v, l->cap * sizeof(*l->v));
        assert_non_null(l->v);
    }
    char buf[256];
    snprintf(buf, sizeof(buf), "%lld %s %s %s k%d l%d c%u", (long long)n->at, n->subject, n->policy, n->metric,
             n->kind, n->level, n->cycle);
    l->v[l->n++] = (note){ n->at, strdup(n->subject), strdup(n->policy), l->seq++, strdup(buf), false, l->late };
}

static void notes_free(notes *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].subject);
        free(l->v[i].policy);
        free(l->v[i].text);
    }
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static int record(const svcq_sla_notice *n, void *ud)
{
    notes_add(ud, n);
    return 0;
}

/* The oracle's order: instant, subject, policy name, then the clock's own
 * order (its targets, its notices). */
static int by_order(const void *a, const void *b)
{
    const note *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    int d = strcmp(x->subject, y->subject);
    if (d)
        return d;
    if ((d = strcmp(x->policy, y->policy)))
        return d;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- policies and clocks ------------------------------------------------ */

/* On the 7×24 calendar: a target of 100 seconds (several notices in one
 * slot of the wheel) and one of 90 days (notices beyond the wheel's span
 * of about 48 days), pausable. */
static svcq_sla_policy *long_policy(svcq_ctx *ctx)
{
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, ctx, "long", 1), SVCQ_OK);
    svcq_sla_target_spec t = SVCQ_SLA_TARGET_SPEC_INIT;
    t.metric = "quick";
    t.start_event = SVCQ_SLA_EVENT_REQUEST_RECEIVED;
    t.meet_event = SVCQ_SLA_EVENT_FIRST_CONTACT;
    t.duration = 100;
    t.warn_count = 2;
    t.warn_percent[0] = 50;
    t.warn_percent[1] = 80;
    t.escalate_count = 2;
    t.escalate_percent[0] = 150;
    t.escalate_percent[1] = 300;
    assert_int_equal(svcq_sla_policy_add_target(p, &t), SVCQ_OK);
    svcq_sla_target_spec u = SVCQ_SLA_TARGET_SPEC_INIT;
    u.metric = "slow";
    u.start_event = SVCQ_SLA_EVENT_REQUEST_RECEIVED;
    u.meet_event = SVCQ_SLA_EVENT_SOLUTION_DRAFTED;
    u.pause_event = SVCQ_SLA_EVENT_PAUSE;
    u.resume_event = SVCQ_SLA_EVENT_RESUME;
    u.duration = 90 * DAY;
    u.warn_count = 2;
    u.warn_percent[0] = 25;
    u.warn_percent[1] = 75;
    u.escalate_count = 1;
    u.escalate_percent[0] = 150;
    assert_int_equal(svcq_sla_policy_add_target(p, &u), SVCQ_OK);
    return p;
}

static uint64_t rng;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void ev(svcq_sla_clock *c, const char *name, svcq_time at, const char *reason)
{
    assert_int_equal(svcq_sla_clock_event(c, name, at, reason), SVCQ_OK);
}

/* The events of clock i (the same for its oracle copy): requests often at
 * the same instants (ties), contacts, pauses and resumes that move the
 * next notice, drafts. base shifts the whole history. */
static void feed_clock(svcq_sla_clock *c, int i, svcq_time base)
{
    uint64_t r = (uint64_t)i * 0x9e3779b97f4a7c15u + 1;
    r ^= r >> 29;
    svcq_time t = base + (i % 5 == 0 ? (svcq_time)(i % 40) * HOUR : (svcq_time)(r % (6 * DAY)));
    ev(c, SVCQ_SLA_EVENT_REQUEST_RECEIVED, t, NULL);
    if (r % 3 == 0)
        ev(c, SVCQ_SLA_EVENT_FIRST_CONTACT, t + (svcq_time)((r >> 8) % (3 * HOUR)), NULL);
    if (r % 4 == 1 && strcmp(svcq_sla_policy_name(svcq_sla_clock_policy(c)), "long") == 0) {
        svcq_time p = t + (svcq_time)((r >> 12) % (5 * DAY));
        for (int k = 0; k < 1 + (int)((r >> 20) % 4); k++) {
            ev(c, SVCQ_SLA_EVENT_PAUSE, p, "customer");
            p += (svcq_time)((r >> (24 + k)) % (2 * DAY)) + 1;
            ev(c, SVCQ_SLA_EVENT_RESUME, p, "customer");
            p += HOUR;
        }
    }
    if (r % 5 == 2)
        ev(c, SVCQ_SLA_EVENT_SOLUTION_DRAFTED, t + (svcq_time)((r >> 16) % (40 * DAY)) + 1, NULL);
}

/* Subjects whose first 16 bytes tie (the key prefix the scheduler sorts
 * on), short ones, and the same subject on both policies. */
static void subject_of(char *out, size_t cap, int i)
{
    if (i % 3 == 0)
        snprintf(out, cap, "customer-account-%04d-ticket", (i * 7) % 1000);
    else
        snprintf(out, cap, "W%d", i / 2);
}

static svcq_sla_clock *make_clock(svcq_sla_policy *const *pol, int i, svcq_time base)
{
    char subject[64];
    subject_of(subject, sizeof(subject), i);
    svcq_sla_clock *c;
    assert_int_equal(svcq_sla_clock_new(&c, pol[i % 2], subject), SVCQ_OK);
    return c;
}

/* ---- deliveries in the oracle's order ----------------------------------- */

/* Fewer clocks, and every 5th failure point, under valgrind
 * (tests/meson.build sets SVCQ_TEST_QUICK and SVCQ_FAULT_STRIDE). */
static int nclocks = 1200, nlate = 200;

static bool quick(void)
{
    return getenv("SVCQ_TEST_QUICK") != NULL;
}

static size_t fault_stride(void)
{
    const char *v = getenv("SVCQ_FAULT_STRIDE");
    long n = v ? strtol(v, NULL, 10) : 1;
    return n > 1 ? (size_t)n : 1;
}

/* Every notice of clock i up to `until`, from a scheduler holding it
 * alone, in its own order. */
static void oracle_of(notes *out, svcq_ctx *ctx, svcq_sla_policy *const *pol, int i, svcq_time base,
                      svcq_time until)
{
    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record, out), SVCQ_OK);
    svcq_sla_clock *c = make_clock(pol, i, base);
    feed_clock(c, i, base);
    assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_OK);
    out->seq = 0;
    assert_int_equal(svcq_sla_scheduler_advance(NULL, s, until), SVCQ_OK);
    svcq_sla_scheduler_free(s);
}

/* The undelivered oracle notices up to now, in order, against what one
 * advance delivered. */
static void check_batch(notes *oracle, notes *got, svcq_time now, bool late_added)
{
    size_t want = 0;
    for (size_t i = 0; i < oracle->n; i++)
        want += !oracle->v[i].done && oracle->v[i].at <= now && (late_added || !oracle->v[i].late);
    if (want != got->n)
        fail_msg("advance to %lld delivered %zu notices, the oracle %zu", (long long)now, got->n, want);
    size_t k = 0;
    for (size_t i = 0; i < oracle->n; i++) {
        note *o = &oracle->v[i];
        if (o->done || o->at > now || (o->late && !late_added))
            continue;
        if (strcmp(o->text, got->v[k].text) != 0)
            fail_msg("advance to %lld, notice %zu: got %s, the oracle %s", (long long)now, k, got->v[k].text,
                     o->text);
        o->done = true;
        k++;
    }
    notes_free(got);
}

static void order_across_wheel_levels(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a);
    svcq_sla_policy *pol[2];
    assert_int_equal(svcq_sla_policy_builtin(&pol[0], ctx, SVCQ_TIER_2, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS),
                     SVCQ_OK);
    pol[1] = long_policy(ctx);
    const svcq_time end = T0 + 200 * DAY, late_at = T0 + 9 * DAY;
    if (quick()) {
        nclocks = 300;
        nlate = 60;
    }

    /* The oracle: each clock alone, then every notice sorted. The late
     * clocks' history starts five days before they are added. */
    notes oracle = { 0 };
    for (int i = 0; i < nclocks + nlate; i++) {
        oracle.late = i >= nclocks;
        oracle_of(&oracle, ctx, pol, i, i < nclocks ? T0 : late_at - 5 * DAY, end);
    }
    qsort(oracle.v, oracle.n, sizeof(*oracle.v), by_order);
    assert_true(oracle.n > (size_t)nclocks * 4);

    /* Every clock in one scheduler: half added before their events (each
     * event re-keys them), half after. */
    notes got = { 0 };
    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record, &got), SVCQ_OK);
    for (int i = 0; i < nclocks; i++) {
        svcq_sla_clock *c = make_clock(pol, i, T0);
        if (i % 2)
            assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_OK);
        feed_clock(c, i, T0);
        if (!(i % 2))
            assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_OK);
    }
    rng = 0x2545f4914f6cdd1du;
    svcq_time now = T0 - HOUR;
    bool late_added = false;
    int steps = 0;
    while (now < end) {
        switch (rnd() % 8) {
        case 0: now += 1 + (svcq_time)(rnd() % 30); break;       /* within a slot */
        case 1: now = (now / 64 + 1) * 64 - 1; break;           /* a slot's last second */
        case 2: now = (now / 64 + 1) * 64; break;               /* a slot's first */
        case 3: now += (svcq_time)(rnd() % (5 * HOUR)); break;
        case 4: now += DAY + (svcq_time)(rnd() % (2 * DAY)); break;
        case 5: now += (steps % 50 == 49) ? 60 * DAY : HOUR; break; /* past the wheel's span */
        default: now += (svcq_time)(rnd() % (40 * MIN)); break;
        }
        if (now > end)
            now = end;
        uint64_t n;
        assert_int_equal(svcq_sla_scheduler_advance(&n, s, now), SVCQ_OK);
        assert_int_equal(n, got.n);
        check_batch(&oracle, &got, now, late_added);
        if (!late_added && now >= late_at) {
            /* Clocks whose notices are partly past already: queued at the
             * cursor, delivered at the next advance among the others. */
            for (int i = nclocks; i < nclocks + nlate; i++) {
                svcq_sla_clock *c = make_clock(pol, i, late_at - 5 * DAY);
                feed_clock(c, i, late_at - 5 * DAY);
                assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_OK);
            }
            late_added = true;
        }
        steps++;
    }
    for (size_t i = 0; i < oracle.n; i++)
        assert_true(oracle.v[i].done);
    svcq_time next;
    assert_int_equal(svcq_sla_scheduler_next_at(&next, s), SVCQ_OK);
    assert_true(next == SVCQ_SLA_NEVER || next > end);
    print_message("%zu notices in %d advances\n", oracle.n, steps);
    notes_free(&oracle);
    svcq_sla_scheduler_free(s);
    svcq_sla_policy_free(pol[0]);
    svcq_sla_policy_free(pol[1]);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}

/* ---- many reschedules of one clock -------------------------------------- */

static svcq_ctx *store_ctx(test_alloc *a)
{
    svcq_ctx *ctx = test_ctx_new(a);
    svcq_store_methods m;
    assert_int_equal(svcq__memstore_new(ctx, &m), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    return ctx;
}

static void many_reschedules_one_clock(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = store_ctx(&a);
    svcq_sla_policy *p = long_policy(ctx);
    notes got = { 0 };
    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record, &got), SVCQ_OK);
    /* Neighbours in the slots the clock moves between. */
    svcq_sla_clock *c[8];
    for (int i = 0; i < 8; i++) {
        char subject[16];
        snprintf(subject, sizeof(subject), "n%d", i);
        assert_int_equal(svcq_sla_clock_new(&c[i], p, subject), SVCQ_OK);
        assert_int_equal(svcq_sla_scheduler_add(s, c[i]), SVCQ_OK);
        ev(c[i], SVCQ_SLA_EVENT_REQUEST_RECEIVED, T0 + (i % 2) * 2 * HOUR, NULL);
    }
    svcq_sla_clock *x = c[3];
    /* A first contact moves x from its quick target's next notice to the
     * slow one's; the rollback moves it back. */
    size_t first = 0;
    for (int k = 0; k < 10000; k++) {
        assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
        ev(x, SVCQ_SLA_EVENT_FIRST_CONTACT, T0 + 2 * HOUR + 30, NULL);
        if (k % 2)
            ev(c[4], SVCQ_SLA_EVENT_FIRST_CONTACT, T0 + 20, NULL);
        assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
        if (k == 1)
            first = a.live_bytes; /* each clock's log has grown its room once */
    }
    assert_int_equal(a.live_bytes, first);
    /* And without a batch: x moves to a new slot at every event. */
    for (int k = 0; k < 2000; k++) {
        ev(x, SVCQ_SLA_EVENT_PAUSE, T0 + 3 * HOUR + 2 * k, "r");
        ev(x, SVCQ_SLA_EVENT_RESUME, T0 + 3 * HOUR + 2 * k + 1, "r");
    }
    assert_int_equal(svcq_sla_scheduler_advance(NULL, s, T0 + 200 * DAY), SVCQ_OK);

    /* The same clocks in a scheduler of their own, fed only the events
     * that stayed: the same notices. */
    notes want = { 0 };
    svcq_sla_scheduler *o;
    assert_int_equal(svcq_sla_scheduler_new(&o, ctx, record, &want), SVCQ_OK);
    for (int i = 0; i < 8; i++) {
        char subject[16];
        snprintf(subject, sizeof(subject), "n%d", i);
        svcq_sla_clock *d;
        assert_int_equal(svcq_sla_clock_new(&d, p, subject), SVCQ_OK);
        ev(d, SVCQ_SLA_EVENT_REQUEST_RECEIVED, T0 + (i % 2) * 2 * HOUR, NULL);
        if (i == 3)
            for (int k = 0; k < 2000; k++) {
                ev(d, SVCQ_SLA_EVENT_PAUSE, T0 + 3 * HOUR + 2 * k, "r");
                ev(d, SVCQ_SLA_EVENT_RESUME, T0 + 3 * HOUR + 2 * k + 1, "r");
            }
        assert_int_equal(svcq_sla_scheduler_add(o, d), SVCQ_OK);
    }
    assert_int_equal(svcq_sla_scheduler_advance(NULL, o, T0 + 200 * DAY), SVCQ_OK);
    assert_int_equal(got.n, want.n);
    assert_true(got.n >= 8 * 4);
    for (size_t i = 0; i < got.n; i++)
        assert_string_equal(got.v[i].text, want.v[i].text);
    notes_free(&got);
    notes_free(&want);
    svcq_sla_scheduler_free(o);
    svcq_sla_scheduler_free(s);
    svcq_sla_policy_free(p);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}

/* ---- a rollback after an advance ---------------------------------------- */

static void rollback_after_advance_delivers_again(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = store_ctx(&a);
    svcq_sla_policy *pol[2];
    assert_int_equal(svcq_sla_policy_builtin(&pol[0], ctx, SVCQ_TIER_2, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS),
                     SVCQ_OK);
    pol[1] = long_policy(ctx);
    notes got = { 0 };
    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, record, &got), SVCQ_OK);
    for (int i = 0; i < 300; i++) {
        svcq_sla_clock *c = make_clock(pol, i, T0);
        feed_clock(c, i, T0);
        assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_OK);
    }
    assert_int_equal(svcq_sla_scheduler_advance(NULL, s, T0 + HOUR), SVCQ_OK);
    notes_free(&got);
    svcq_time next_before, next_after;
    assert_int_equal(svcq_sla_scheduler_next_at(&next_before, s), SVCQ_OK);

    /* The batch's advance drains slots (their arrays go); the rollback
     * puts the clocks back at the cursor. */
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_advance(NULL, s, T0 + 70 * DAY), SVCQ_OK);
    notes first = got;
    memset(&got, 0, sizeof(got));
    assert_true(first.n > 300);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_next_at(&next_after, s), SVCQ_OK);
    assert_int_equal(next_after, next_before);

    uint64_t n;
    assert_int_equal(svcq_sla_scheduler_advance(&n, s, T0 + 70 * DAY), SVCQ_OK);
    assert_int_equal(got.n, first.n);
    for (size_t i = 0; i < got.n; i++)
        assert_string_equal(got.v[i].text, first.v[i].text);
    notes_free(&got);
    notes_free(&first);
    svcq_sla_scheduler_free(s);
    svcq_sla_policy_free(pol[0]);
    svcq_sla_policy_free(pol[1]);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}

/* ---- a callback that feeds a clock taken for delivery -------------------- */

typedef struct feeder {
    notes log;
    svcq_sla_clock *other;
    svcq_time meet_at;
} feeder;

static int feed_other(const svcq_sla_notice *n, void *ud)
{
    feeder *f = ud;
    notes_add(&f->log, n);
    if (f->other && n->clock != f->other) {
        /* Meets the other clock's quick target before its notice falls due. */
        assert_int_equal(svcq_sla_clock_event(f->other, SVCQ_SLA_EVENT_FIRST_CONTACT, f->meet_at, NULL), SVCQ_OK);
        f->other = NULL;
    }
    return 0;
}

static void callback_feeds_a_taken_clock(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a);
    svcq_sla_policy *p = long_policy(ctx);
    feeder f = { { 0 }, NULL, 0 };
    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, ctx, feed_other, &f), SVCQ_OK);
    /* Both quick targets warn (50 %) in one slot of the wheel: x at
     * T0 + 50, y at T0 + 55. */
    svcq_sla_clock *x, *y;
    assert_int_equal(svcq_sla_clock_new(&x, p, "x"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&y, p, "y"), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(s, x), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(s, y), SVCQ_OK);
    ev(x, SVCQ_SLA_EVENT_REQUEST_RECEIVED, T0, NULL);
    ev(y, SVCQ_SLA_EVENT_REQUEST_RECEIVED, T0 + 5, NULL);
    f.other = y;
    f.meet_at = T0 + 52;
    /* One advance over the slot: y was taken with x, then met by the
     * callback: its quick notices never come; its slow ones do. */
    assert_int_equal(svcq_sla_scheduler_advance(NULL, s, T0 + 63), SVCQ_OK);
    assert_int_equal(f.log.n, 1);
    assert_string_equal(f.log.v[0].subject, "x");
    assert_int_equal(svcq_sla_scheduler_advance(NULL, s, T0 + 200 * DAY), SVCQ_OK);
    for (size_t i = 0; i < f.log.n; i++)
        if (strcmp(f.log.v[i].subject, "y") == 0)
            assert_non_null(strstr(f.log.v[i].text, " slow "));
    svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
    assert_int_equal(svcq_sla_clock_status(&st, y, 0, T0 + DAY), SVCQ_OK);
    assert_int_equal(st.state, SVCQ_SLA_MET);
    notes_free(&f.log);
    svcq_sla_scheduler_free(s);
    svcq_sla_policy_free(p);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}

/* ---- allocation failure in an advance outside any batch ------------------- */

/* A scenario whose advance allocates: clocks beyond the wheel's span are
 * folded in, delivered clocks move to slots that must grow. */
static svcq_sla_scheduler *advance_setup(test_alloc *a, svcq_ctx **ctx, svcq_sla_policy **pol, notes *log)
{
    *ctx = test_ctx_new(a);
    assert_int_equal(svcq_sla_policy_builtin(&pol[0], *ctx, SVCQ_TIER_2, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS),
                     SVCQ_OK);
    pol[1] = long_policy(*ctx);
    svcq_sla_scheduler *s;
    assert_int_equal(svcq_sla_scheduler_new(&s, *ctx, record, log), SVCQ_OK);
    for (int i = 0; i < 40; i++) {
        svcq_sla_clock *c = make_clock(pol, i, T0);
        feed_clock(c, i, T0);
        assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_OK);
    }
    return s;
}

static void advance_alloc_failure(void **state)
{
    (void)state;
    const svcq_time end = T0 + 150 * DAY;
    /* What a run without failure delivers. */
    notes want = { 0 };
    {
        test_alloc a;
        test_alloc_init(&a);
        svcq_ctx *ctx;
        svcq_sla_policy *pol[2];
        svcq_sla_scheduler *s = advance_setup(&a, &ctx, pol, &want);
        assert_int_equal(svcq_sla_scheduler_advance(NULL, s, end), SVCQ_OK);
        svcq_sla_scheduler_free(s);
        svcq_sla_policy_free(pol[0]);
        svcq_sla_policy_free(pol[1]);
        svcq_ctx_free(ctx);
        assert_int_equal(a.live_blocks, 0);
    }
    assert_true(want.n > 100);
    size_t points = 0;
    for (int keep = 0; keep < 2; keep++) {
        for (size_t at = 1;; at += at < 16 ? 1 : fault_stride()) {
            test_alloc a;
            test_alloc_init(&a);
            svcq_ctx *ctx;
            svcq_sla_policy *pol[2];
            notes got = { 0 };
            svcq_sla_scheduler *s = advance_setup(&a, &ctx, pol, &got);
            test_alloc_arm(&a, at, keep);
            uint64_t n1 = 0, n2 = 0;
            int rc = svcq_sla_scheduler_advance(&n1, s, end);
            size_t hits = a.injected;
            test_alloc_arm(&a, 0, false);
            if (hits)
                assert_int_equal(rc, SVCQ_ENOMEM);
            else
                assert_int_equal(rc, SVCQ_OK);
            assert_int_equal(n1, got.n);
            if (hits) {
                assert_true(strlen(svcq_ctx_errmsg(ctx)) > 0);
                /* The next advance delivers the rest: nothing lost, nothing twice. */
                assert_int_equal(svcq_sla_scheduler_advance(&n2, s, end), SVCQ_OK);
            }
            assert_int_equal(got.n, want.n);
            assert_int_equal(n1 + n2, want.n);
            for (size_t i = 0; i < got.n; i++)
                assert_string_equal(got.v[i].text, want.v[i].text);
            notes_free(&got);
            svcq_sla_scheduler_free(s);
            svcq_sla_policy_free(pol[0]);
            svcq_sla_policy_free(pol[1]);
            svcq_ctx_free(ctx);
            assert_int_equal(a.live_blocks, 0);
            if (!hits)
                break;
            points += !keep;
        }
    }
    print_message("%zu failure points\n", points);
    assert_true(points >= 3);
    notes_free(&want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(order_across_wheel_levels),
        cmocka_unit_test(many_reschedules_one_clock),
        cmocka_unit_test(rollback_after_advance_delivers_again),
        cmocka_unit_test(callback_feeds_a_taken_clock),
        cmocka_unit_test(advance_alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
