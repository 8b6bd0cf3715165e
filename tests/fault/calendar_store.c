/* Storage failure (at every store callback, with a plain and an unknown
 * error code) and allocation failure (at every allocation) over a scenario
 * that saves, updates, saves under another id, deletes and loads calendars,
 * alone and in batches. After every run the handles' ids and revisions and
 * the store's records are exactly those of the last committed step, and
 * nothing leaked. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fault.h"
#include "faulty_store.h"
#include "store/store.h"
#include "svcq.h"

#ifndef SVCQ_TEST_DATA
#error "SVCQ_TEST_DATA must name the tests/data directory"
#endif
#define ZONEINFO SVCQ_TEST_DATA "/zoneinfo"
#define H(h, m) ((h) * 3600 + (m) * 60)

enum { ID_A, ID_A2, ID_B, NIDS };
static const char *const ids[NIDS] = { "a", "a2", "b" };

typedef struct st {
    test_alloc *alloc;
    svcq_ctx *ctx;
    bool inject_store;
    int error;
    faulty_store *faulty; /* owned by the context's store */
    svcq_calendar *a, *b, *loaded;
    char handles[256];    /* the handles at the last committed step */
    uint64_t stored[NIDS]; /* the store then: revision per id, 0 = absent */
} st;

static void describe_handles(const st *s, char *out, size_t size)
{
    const svcq_calendar *h[3] = { s->a, s->b, s->loaded };
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < 3; i++) {
        const char *id = svcq_calendar_id(h[i]);
        n += (size_t)snprintf(out + n, size - n, "%s@%llu;", id ? id : "-",
                              (unsigned long long)svcq_calendar_revision(h[i]));
    }
}

static void snapshot(st *s)
{
    describe_handles(s, s->handles, sizeof(s->handles));
}

static void *setup_common(test_alloc *alloc, bool inject_store, int error)
{
    st *s = calloc(1, sizeof(*s));
    s->alloc = alloc;
    s->inject_store = inject_store;
    s->error = error;
    s->ctx = test_ctx_new(alloc);
    svcq_store_methods inner, m;
    assert_int_equal(svcq__memstore_new(s->ctx, &inner), SVCQ_OK);
    s->faulty = malloc(sizeof(*s->faulty));
    faulty_store_init(s->faulty, &inner);
    s->faulty->error = error;
    s->faulty->free_on_destroy = true;
    faulty_store_methods(s->faulty, &m);
    assert_int_equal(svcq_ctx_set_store(s->ctx, &m), SVCQ_OK);
    svcq_tz *tz;
    assert_int_equal(svcq_tz_load(&tz, s->ctx, "Asia/Shanghai", ZONEINFO), SVCQ_OK);
    const int32_t iv[2] = { H(9, 0), H(18, 0) };
    for (int k = 0; k < 2; k++) {
        svcq_calendar *cal;
        assert_int_equal(svcq_calendar_new(&cal, s->ctx, tz, NULL), SVCQ_OK);
        for (int d = 1; d <= 5; d++)
            assert_int_equal(svcq_calendar_set_weekday(cal, d, iv, 1), SVCQ_OK);
        *(k ? &s->b : &s->a) = cal;
    }
    svcq_tz_free(tz);
    assert_int_equal(svcq_calendar_save(s->a, "a"), SVCQ_OK);
    s->stored[ID_A] = svcq_calendar_revision(s->a);
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

static int run(void *p)
{
    st *s = p;
    svcq_ctx *ctx = s->ctx;
    /* 1. an update under the same id */
    int rc = svcq_calendar_set_closed(s->a, 2025, 10, 1);
    if (!rc)
        rc = svcq_calendar_save(s->a, "a");
    if (rc)
        return rc;
    s->stored[ID_A] = svcq_calendar_revision(s->a);
    snapshot(s);
    /* 2. a new record */
    if ((rc = svcq_calendar_save(s->b, "b")))
        return rc;
    s->stored[ID_B] = svcq_calendar_revision(s->b);
    snapshot(s);
    /* 3. a batch: a saved under another id, b deleted */
    if ((rc = svcq_ctx_batch_begin(ctx)))
        return rc;
    rc = svcq_calendar_save(s->a, "a2");
    if (!rc)
        rc = svcq_calendar_delete(s->b);
    if (!rc)
        rc = svcq_ctx_batch_commit(ctx);
    else
        (void)svcq_ctx_batch_rollback(ctx);
    if (rc)
        return rc;
    s->stored[ID_A2] = svcq_calendar_revision(s->a);
    s->stored[ID_B] = 0;
    snapshot(s);
    /* 4. a load */
    if ((rc = svcq_calendar_load(&s->loaded, ctx, "a2", ZONEINFO, NULL)))
        return rc;
    snapshot(s);
    /* 5. a deletion on its own */
    if ((rc = svcq_calendar_delete(s->a)))
        return rc;
    s->stored[ID_A2] = 0;
    snapshot(s);
    return SVCQ_OK;
}

typedef struct dump {
    uint64_t rev[NIDS];
    int others;
} dump;

static int visit(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes, size_t size,
                 void *ud)
{
    (void)ctx, (void)bytes, (void)size;
    dump *d = ud;
    for (int i = 0; i < NIDS; i++)
        if (strcmp(id, ids[i]) == 0) {
            d->rev[i] = revision;
            return 0;
        }
    d->others++;
    return 0;
}

static void verify(void *p, int rc, bool hit)
{
    (void)rc, (void)hit;
    st *s = p;
    char now[256];
    describe_handles(s, now, sizeof(now));
    if (strcmp(now, s->handles) != 0)
        fail_msg("handles \"%s\", last committed \"%s\"", now, s->handles);
    dump d = { { 0 }, 0 };
    if (svcq__store_scan(s->ctx, "calendar", visit, &d) != SVCQ_OK)
        fail_msg("scan: %s", svcq_ctx_errmsg(s->ctx));
    assert_int_equal(d.others, 0);
    for (int i = 0; i < NIDS; i++)
        if (d.rev[i] != s->stored[i])
            fail_msg("record %s at %llu, last committed %llu", ids[i], (unsigned long long)d.rev[i],
                     (unsigned long long)s->stored[i]);
    /* What is stored reads back. */
    for (int i = 0; i < NIDS; i++) {
        if (!s->stored[i])
            continue;
        svcq_calendar *c;
        assert_int_equal(svcq_calendar_load(&c, s->ctx, ids[i], ZONEINFO, NULL), SVCQ_OK);
        svcq_calendar_free(c);
    }
}

static void teardown(void *p)
{
    st *s = p;
    svcq_calendar_free(s->a);
    svcq_calendar_free(s->b);
    svcq_calendar_free(s->loaded);
    svcq_ctx_free(s->ctx);
    free(s);
}

static void store_failures(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "calendar store, SVCQ_EIO", .setup = setup_store_eio, .run = run,
                          .verify = verify, .teardown = teardown, .arm = arm, .injected = injected,
                          .expected_error = SVCQ_EIO };
    assert_true(fault_run(&sc) >= 10);
    /* A code the library does not pass through becomes SVCQ_ESTORE. */
    sc.name = "calendar store, unknown code";
    sc.setup = setup_store_odd;
    sc.expected_error = SVCQ_ESTORE;
    assert_true(fault_run(&sc) >= 10);
}

static void allocation_failures(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "calendar store, allocation", .setup = setup_alloc, .run = run,
                          .verify = verify, .teardown = teardown, .arm = arm, .injected = injected };
    assert_true(fault_run(&sc) >= 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(store_failures),
        cmocka_unit_test(allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
