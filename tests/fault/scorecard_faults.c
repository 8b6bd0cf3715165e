/* Storage failure (at every store callback, with a plain and an unknown
 * error code) and allocation failure (at every allocation) over a
 * scenario of one month: scoring (values, N/A, a double-track complaint),
 * order tracking (orders issued and answered), evaluation of the veto, the
 * close, and a correction. After every run the whole state — each card as
 * the period shows it (its JSON export, vetoes included), whether the
 * period is closed, and every scorecard and order record in the store with
 * its revision and bytes — is exactly that of the last step that
 * succeeded, and nothing leaked. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../unit/scorecard_fixture.h"
#include "fault.h"
#include "faulty_store.h"
#include "store/store.h"
#include "svcq.h"

typedef struct st {
    test_alloc *alloc;
    svcq_ctx *ctx;
    bool inject_store;
    faulty_store *faulty;
    svcq_scorecard_template *t;
    svcq_scorecard_period *p;
    char *committed; /* the state after the last step that succeeded */
} st;

typedef struct dump {
    char *text;
    size_t len;
} dump;

static void append(dump *d, const char *s, size_t n)
{
    d->text = realloc(d->text, d->len + n + 1);
    memcpy(d->text + d->len, s, n);
    d->len += n;
    d->text[d->len] = '\0';
}

typedef struct rec {
    char *line;
} rec;

typedef struct recs {
    char **lines;
    size_t n;
} recs;

static int visit(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes, size_t size, void *ud)
{
    (void)ctx;
    recs *r = ud;
    size_t n = strlen(id) + size + 32;
    char *line = malloc(n);
    snprintf(line, n, "%s@%llu=%.*s\n", id, (unsigned long long)revision, (int)size, bytes);
    r->lines = realloc(r->lines, (r->n + 1) * sizeof(*r->lines));
    r->lines[r->n++] = line;
    return 0;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void dump_kind(st *s, dump *d, const char *kind)
{
    recs r = { NULL, 0 };
    if (svcq__store_scan(s->ctx, kind, visit, &r) != SVCQ_OK)
        fail_msg("scan %s: %s", kind, svcq_ctx_errmsg(s->ctx));
    qsort(r.lines, r.n, sizeof(*r.lines), cmp);
    for (size_t i = 0; i < r.n; i++) {
        append(d, r.lines[i], strlen(r.lines[i]));
        free(r.lines[i]);
    }
    free(r.lines);
}

static char *describe(void *p)
{
    st *s = p;
    dump d = { NULL, 0 };
    char head[64];
    snprintf(head, sizeof(head), "closed=%d units=%u\n", svcq_scorecard_period_closed(s->p),
             svcq_scorecard_period_unit_count(s->p));
    append(&d, head, strlen(head));
    for (uint32_t i = 0; i < svcq_scorecard_period_unit_count(s->p); i++) {
        char *j = sc_card_text(s->p, s->ctx, svcq_scorecard_period_unit(s->p, i), SVCQ_SCORECARD_JSON);
        if (!j)
            fail_msg("card export: %s", svcq_ctx_errmsg(s->ctx));
        append(&d, j, strlen(j));
        free(j);
    }
    dump_kind(s, &d, "scorecard");
    dump_kind(s, &d, "scorecard_order");
    return d.text;
}

/* Records the state after a step that succeeded. Called inside the run,
 * so the injectors are paused around it (their counters restored): the
 * description's own allocations and scans are not failure points. */
static void snapshot(st *s)
{
    test_alloc a = *s->alloc;
    size_t calls = s->faulty->calls, fail_at = s->faulty->fail_at, inj = s->faulty->injected;
    s->alloc->fail_at = 0;
    s->faulty->fail_at = 0;
    free(s->committed);
    s->committed = describe(s);
    s->alloc->calls = a.calls;
    s->alloc->fail_at = a.fail_at;
    s->alloc->injected = a.injected;
    s->faulty->calls = calls;
    s->faulty->fail_at = fail_at;
    s->faulty->injected = inj;
}

static void *setup_common(test_alloc *alloc, bool inject_store, int error)
{
    st *s = calloc(1, sizeof(*s));
    s->alloc = alloc;
    s->inject_store = inject_store;
    s->ctx = test_ctx_new(alloc);
    svcq_store_methods inner, m;
    assert_int_equal(svcq__memstore_new(s->ctx, &inner), SVCQ_OK);
    s->faulty = malloc(sizeof(*s->faulty));
    faulty_store_init(s->faulty, &inner);
    s->faulty->error = error;
    s->faulty->free_on_destroy = true;
    faulty_store_methods(s->faulty, &m);
    assert_int_equal(svcq_ctx_set_store(s->ctx, &m), SVCQ_OK);
    assert_int_equal(svcq_scorecard_template_builtin(&s->t, s->ctx, SVCQ_SCORECARD_BUILTIN_TELECOM), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_new(&s->p, s->t, "2026-01", JAN1, FEB1), SVCQ_OK);
    for (int u = 0; u < 3; u++)
        assert_int_equal(svcq_scorecard_period_add_unit(s->p, SC_UNITS[u]), SVCQ_OK);
    /* Two orders already recorded. */
    svcq_time t0 = JAN1 + 4 * DAY;
    assert_int_equal(svcq_scorecard_order_issue(s->ctx, "gm-1", "branch-b", "Li", t0, 0), SVCQ_OK);
    assert_int_equal(svcq_scorecard_order_issue(s->ctx, "gm-2", "branch-b", "Li", t0 + DAY, 0), SVCQ_OK);
    snapshot(s);
    return s;
}

static void *setup_store_eio(test_alloc *a) { return setup_common(a, true, SVCQ_EIO); }
static void *setup_store_odd(test_alloc *a) { return setup_common(a, true, -1000); }
static void *setup_alloc(test_alloc *a) { return setup_common(a, false, 0); }

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

#define STEP(call)                  \
    do {                            \
        int rc_ = (call);           \
        if (rc_)                    \
            return rc_;             \
        snapshot(s);                \
    } while (0)

static int run(void *p)
{
    st *s = p;
    svcq_ctx *ctx = s->ctx;
    svcq_scorecard_period *per = s->p;
    svcq_time t0 = JAN1 + 4 * DAY;
    /* Scoring. */
    STEP(svcq_scorecard_set_values(per, "branch-a", SC_ITEMS, SC_JAN[0], 9));
    STEP(svcq_scorecard_set_values(per, "branch-b", SC_ITEMS, SC_JAN[1], 9));
    STEP(svcq_scorecard_set_na(per, "branch-c", "key_accounts", "no key accounts in this branch"));
    for (int i = 0; i < 9; i++)
        if (i != 1)
            STEP(svcq_scorecard_set_value(per, "branch-c", SC_ITEMS[i], SC_JAN[2][i]));
    STEP(svcq_scorecard_double_track(per, "branch-a", "branch-c", "gm_hotline_escalations", 1000, "complaint C-7"));
    /* Order tracking: one answered late, a third issued and never answered. */
    STEP(svcq_scorecard_order_answer(ctx, "gm-1", t0 + DAY + 1));
    STEP(svcq_scorecard_order_issue(ctx, "gm-3", "branch-b", "Li", t0 + 2 * DAY, 0));
    /* Evaluation (reads the orders: store failures count) and the close. */
    STEP(svcq_scorecard_period_evaluate(per, FEB1 + DAY));
    STEP(svcq_scorecard_period_close(per, FEB1 + DAY));
    STEP(svcq_scorecard_correct(per, "branch-a", "hotline_quality", 33000, "recount", FEB1 + 2 * DAY));
    /* A batch of two corrections, all or nothing. */
    int rc = svcq_ctx_batch_begin(ctx);
    if (rc)
        return rc;
    rc = svcq_scorecard_correct(per, "branch-b", "hotline_quality", 33500, "recount", FEB1 + 2 * DAY);
    if (!rc)
        rc = svcq_scorecard_correct(per, "branch-c", "hotline_quality", 30500, "recount", FEB1 + 2 * DAY);
    if (!rc)
        rc = svcq_ctx_batch_commit(ctx);
    else
        (void)svcq_ctx_batch_rollback(ctx);
    if (rc)
        return rc;
    snapshot(s);
    return SVCQ_OK;
}

static void verify(void *p, int rc, bool hit)
{
    (void)rc, (void)hit;
    st *s = p;
    char *now = describe(s);
    if (strcmp(now, s->committed) != 0)
        fail_msg("state after the run:\n%s\nlast committed:\n%s", now, s->committed);
    free(now);
    /* A fresh load sees the same cards. */
    svcq_scorecard_period *q;
    assert_int_equal(svcq_scorecard_period_load(&q, s->t, "2026-01"), SVCQ_OK);
    for (int u = 0; u < 3; u++) {
        char *a = sc_card_text(s->p, s->ctx, SC_UNITS[u], SVCQ_SCORECARD_JSON);
        char *b = sc_card_text(q, s->ctx, SC_UNITS[u], SVCQ_SCORECARD_JSON);
        if (svcq_scorecard_period_closed(s->p) || !strstr(a, "\"source\": \"orders\"")) /* open: evaluation is in memory */
            assert_string_equal(a, b);
        free(a);
        free(b);
    }
    svcq_scorecard_period_free(q);
}

static void teardown(void *p)
{
    st *s = p;
    svcq_scorecard_period_free(s->p);
    svcq_scorecard_template_free(s->t);
    svcq_ctx_free(s->ctx);
    free(s->committed);
    free(s);
}

static void store_failures(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "scorecard, SVCQ_EIO", .setup = setup_store_eio, .run = run, .verify = verify,
                          .teardown = teardown, .arm = arm, .injected = injected, .expected_error = SVCQ_EIO };
    assert_true(fault_run(&sc) >= 20);
    sc.name = "scorecard, unknown code";
    sc.setup = setup_store_odd;
    sc.expected_error = SVCQ_ESTORE;
    assert_true(fault_run(&sc) >= 20);
}

static void allocation_failures(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "scorecard, allocation", .setup = setup_alloc, .run = run, .verify = verify,
                          .teardown = teardown, .arm = arm, .injected = injected };
    assert_true(fault_run(&sc) >= 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(store_failures),
        cmocka_unit_test(allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
