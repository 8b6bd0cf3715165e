/* Storage failure (at every store callback, with a plain and an unknown
 * error code) and allocation failure (at every allocation) over a scenario
 * that saves policies, saves an equal one again, saves and deletes in a
 * batch, loads, deletes, and imports a policy from JSON. After every run
 * the handles' revisions and frozen states and the store's records are
 * exactly those of the last committed step, and nothing leaked. */
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
#define HOUR 3600

enum { ID_A1, ID_A2, ID_B1, NIDS };
static const char *const ids[NIDS] = { "a@1", "a@2", "b@1" };

typedef struct st {
    test_alloc *alloc;
    svcq_ctx *ctx;
    bool inject_store;
    faulty_store *faulty; /* owned by the context's store */
    svcq_sla_policy *a1, *a1twin, *a2, *b1, *loaded, *imported;
    char *json;           /* a2's document, for the import */
    size_t json_len;
    char handles[512];    /* the handles at the last committed step */
    uint64_t stored[NIDS]; /* the store then: revision per id, 0 = absent */
} st;

/* Frozen is observed by setting the change mode a policy already has. */
static char frozen(svcq_sla_policy *p)
{
    if (!p)
        return '-';
    return svcq_sla_policy_set_change_mode(p, svcq_sla_policy_change_mode(p)) == SVCQ_ESTATE ? 'F' : 'm';
}

static void describe_handles(st *s, char *out, size_t size)
{
    svcq_sla_policy *h[6] = { s->a1, s->a1twin, s->a2, s->b1, s->loaded, s->imported };
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < 6; i++)
        n += (size_t)snprintf(out + n, size - n, "%s@%llu%c;", h[i] ? svcq_sla_policy_name(h[i]) : "-",
                              (unsigned long long)svcq_sla_policy_revision(h[i]), frozen(h[i]));
}

static void snapshot(st *s)
{
    describe_handles(s, s->handles, sizeof(s->handles));
}

static svcq_sla_policy *make(svcq_ctx *ctx, const char *name, uint32_t version, int64_t duration)
{
    svcq_tz *tz;
    assert_int_equal(svcq_tz_load(&tz, ctx, "Asia/Shanghai", ZONEINFO), SVCQ_OK);
    svcq_calendar *cal;
    assert_int_equal(svcq_sla_default_calendar(&cal, ctx, tz), SVCQ_OK);
    svcq_tz_free(tz);
    assert_int_equal(svcq_calendar_set_closed(cal, 2026, 10, 1), SVCQ_OK);
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_new(&p, ctx, name, version), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_set_close_event(p, "closed"), SVCQ_OK);
    svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
    s.metric = "reply";
    s.start_event = "opened";
    s.meet_event = "replied";
    s.restart_event = "reopened";
    s.duration = duration;
    s.duration_unit = SVCQ_SLA_UNIT_BUSINESS_DAYS;
    s.calendar = cal;
    s.warn_count = 1;
    s.warn_percent[0] = 50;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    s.metric = "hotline";
    s.duration = HOUR;
    s.duration_unit = SVCQ_SLA_UNIT_SECONDS;
    s.calendar = NULL;
    s.restart_event = NULL;
    assert_int_equal(svcq_sla_policy_add_target(p, &s), SVCQ_OK);
    svcq_calendar_free(cal);
    return p;
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
    s->a1 = make(s->ctx, "a", 1, 1);
    s->a1twin = make(s->ctx, "a", 1, 1);
    s->a2 = make(s->ctx, "a", 2, 2);
    s->b1 = make(s->ctx, "b", 1, 3);
    svcq_buffer *b;
    svcq_writer w;
    assert_int_equal(svcq_buffer_new(&b, s->ctx), SVCQ_OK);
    assert_int_equal(svcq_writer_to_buffer(&w, b), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_export_json(s->a2, &w, SVCQ_SLA_POLICY_JSON_PRETTY), SVCQ_OK);
    s->json_len = svcq_buffer_size(b);
    s->json = malloc(s->json_len);
    memcpy(s->json, svcq_buffer_data(b), s->json_len);
    svcq_buffer_free(b);
    /* b@1 is stored already. */
    assert_int_equal(svcq_sla_policy_save(s->b1), SVCQ_OK);
    s->stored[ID_B1] = svcq_sla_policy_revision(s->b1);
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
    /* 1. a new record */
    int rc = svcq_sla_policy_save(s->a1);
    if (rc)
        return rc;
    s->stored[ID_A1] = svcq_sla_policy_revision(s->a1);
    snapshot(s);
    /* 2. an equal policy: binds to the record, stores nothing */
    if ((rc = svcq_sla_policy_save(s->a1twin)))
        return rc;
    snapshot(s);
    /* 3. a batch: a@2 saved, b@1 deleted */
    if ((rc = svcq_ctx_batch_begin(ctx)))
        return rc;
    rc = svcq_sla_policy_save(s->a2);
    if (!rc)
        rc = svcq_sla_policy_delete(s->b1);
    if (!rc)
        rc = svcq_ctx_batch_commit(ctx);
    else
        (void)svcq_ctx_batch_rollback(ctx);
    if (rc)
        return rc;
    s->stored[ID_A2] = svcq_sla_policy_revision(s->a2);
    s->stored[ID_B1] = 0;
    snapshot(s);
    /* 4. a load */
    if ((rc = svcq_sla_policy_load(&s->loaded, ctx, "a", 2, ZONEINFO)))
        return rc;
    snapshot(s);
    /* 5. a deletion on its own */
    if ((rc = svcq_sla_policy_delete(s->a1)))
        return rc;
    s->stored[ID_A1] = 0;
    snapshot(s);
    /* 6. an import (no store) */
    if ((rc = svcq_sla_policy_import_json(&s->imported, ctx, s->json, s->json_len, ZONEINFO)))
        return rc;
    snapshot(s);
    return SVCQ_OK;
}

typedef struct dump {
    uint64_t rev[NIDS];
    int others;
} dump;

static int visit(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes, size_t size, void *ud)
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
    char now[512];
    describe_handles(s, now, sizeof(now));
    if (strcmp(now, s->handles) != 0)
        fail_msg("handles \"%s\", last committed \"%s\"", now, s->handles);
    dump d = { { 0 }, 0 };
    if (svcq__store_scan(s->ctx, "sla_policy", visit, &d) != SVCQ_OK)
        fail_msg("scan: %s", svcq_ctx_errmsg(s->ctx));
    assert_int_equal(d.others, 0);
    for (int i = 0; i < NIDS; i++)
        if (d.rev[i] != s->stored[i])
            fail_msg("record %s at %llu, last committed %llu", ids[i], (unsigned long long)d.rev[i],
                     (unsigned long long)s->stored[i]);
    /* What is stored reads back. */
    static const char *const names[NIDS] = { "a", "a", "b" };
    static const uint32_t versions[NIDS] = { 1, 2, 1 };
    for (int i = 0; i < NIDS; i++) {
        if (!s->stored[i])
            continue;
        svcq_sla_policy *q;
        assert_int_equal(svcq_sla_policy_load(&q, s->ctx, names[i], versions[i], ZONEINFO), SVCQ_OK);
        assert_int_equal(svcq_sla_policy_target_count(q), 2);
        svcq_sla_policy_free(q);
    }
}

static void teardown(void *p)
{
    st *s = p;
    svcq_sla_policy_free(s->a1);
    svcq_sla_policy_free(s->a1twin);
    svcq_sla_policy_free(s->a2);
    svcq_sla_policy_free(s->b1);
    svcq_sla_policy_free(s->loaded);
    svcq_sla_policy_free(s->imported);
    svcq_ctx_free(s->ctx);
    free(s->json);
    free(s);
}

static void store_failures(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "policy store, SVCQ_EIO", .setup = setup_store_eio, .run = run,
                          .verify = verify, .teardown = teardown, .arm = arm, .injected = injected,
                          .expected_error = SVCQ_EIO };
    assert_true(fault_run(&sc) >= 10);
    /* A code the library does not pass through becomes SVCQ_ESTORE. */
    sc.name = "policy store, unknown code";
    sc.setup = setup_store_odd;
    sc.expected_error = SVCQ_ESTORE;
    assert_true(fault_run(&sc) >= 10);
}

static void allocation_failures(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "policy store, allocation", .setup = setup_alloc, .run = run,
                          .verify = verify, .teardown = teardown, .arm = arm, .injected = injected };
    assert_true(fault_run(&sc) >= 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(store_failures),
        cmocka_unit_test(allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
