/* Storage failure (at every store callback, with a plain and an unknown
 * error code) and allocation failure (at every allocation) over fact
 * ingestion with stored rollups (SVCQ_METRICS_PERSIST) and over the
 * reports: new facts, an update that moves a fact to another week, a
 * batch of two puts, an import with a bad and a good line, and every
 * export of the weekly report and the KPIs, reading the set back from the
 * store and an update through the loaded set; facts from incidents and a
 * report from the incident archive; and a set without persistence, whose
 * puts keep new facts pending and add them to the rollups in batches or
 * before a read. After every run the whole
 * state — every rollup in its canonical form, every fact, and every
 * metrics_fact and metrics_rollup record with its revision and bytes —
 * is exactly that of the last step that succeeded, and nothing leaked. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../unit/metrics_fixture.h"
#include "fault.h"
#include "faulty_store.h"
#include "metrics/metrics_internal.h"
#include "store/store.h"
#include "svcq.h"

typedef struct st {
    test_alloc *alloc;
    svcq_ctx *ctx;
    bool inject_store;
    faulty_store *faulty;
    svcq_tz *tz;
    svcq_calendar *cal;
    svcq_metrics *m;
    svcq_incident *inc[2]; /* the incident scenario's */
    char *committed;
    bool lazy; /* a set without persistence (pending facts) */
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
    if (r.n) /* qsort's array may not be NULL, even when empty */
        qsort(r.lines, r.n, sizeof(*r.lines), cmp);
    for (size_t i = 0; i < r.n; i++) {
        append(d, r.lines[i], strlen(r.lines[i]));
        free(r.lines[i]);
    }
    free(r.lines);
}

/* The dump of a set built afresh from the facts m keeps: what m's rollups
 * must equal, found without adding m's pending facts to them (which would
 * change what the scenario's next steps do). */
static void rebuilt_dump(st *s, svcq__buf *out)
{
    svcq_metrics_options o = SVCQ_METRICS_OPTIONS_INIT;
    o.calendar = s->cal;
    o.periods = s->m->periods;
    svcq_metrics *m;
    if (svcq_metrics_new(&m, s->ctx, &o))
        fail_msg("rebuild: %s", svcq_ctx_errmsg(s->ctx));
    for (size_t i = 0; i < s->m->fcap; i++) {
        const svcq__mx_fact *f = svcq__mx_fact_at(s->m, i);
        if (!f)
            continue;
        svcq_metrics_fact g = mx_fact(svcq__mx_fid(f), f->received);
        const svcq_metrics *sm = s->m;
        g.client = svcq__mx_str(sm, f, MXS_CLIENT);
        g.tier = svcq__mx_str(sm, f, MXS_TIER);
        g.channel = svcq__mx_str(sm, f, MXS_CHANNEL);
        g.category = svcq__mx_str(sm, f, MXS_CATEGORY);
        g.agent = svcq__mx_str(sm, f, MXS_AGENT);
        g.complaint_category = svcq__mx_str(sm, f, MXS_COMPLAINT);
        g.location = svcq__mx_str(sm, f, MXS_LOCATION);
        g.stage = svcq__mx_str(sm, f, MXS_STAGE);
        g.first_reply = svcq__mx_ftime(f, MXT_FIRST_REPLY);
        g.resolved = svcq__mx_ftime(f, MXT_RESOLVED);
        g.closed = svcq__mx_ftime(f, MXT_CLOSED);
        g.reopened = svcq__mx_ftime(f, MXT_REOPENED);
        g.contacts = f->contacts;
        g.agent_replies = f->agent_replies;
        g.customer_replies = f->customer_replies;
        g.csat = f->csat;
        g.complaint = f->complaint;
        g.repeat = f->repeat;
        g.measures_due = f->measures_due;
        g.measures_on_time = f->measures_on_time;
        const char *t[SVCQ_METRICS_MAX_SLA];
        int32_t oc[SVCQ_METRICS_MAX_SLA];
        for (uint32_t k = 0; k < f->nsla; k++) {
            t[k] = f->sla[k].target;
            oc[k] = f->sla[k].outcome;
        }
        g.sla_count = f->nsla;
        g.sla_targets = t;
        g.sla_outcomes = oc;
        if (svcq_metrics_fact_put(m, &g))
            fail_msg("rebuild %s: %s", svcq__mx_fid(f), svcq_ctx_errmsg(s->ctx));
    }
    if (svcq__mx_dump(m, out))
        fail_msg("rebuilt dump failed");
    svcq_metrics_free(m);
}

static char *describe(void *p)
{
    st *s = p;
    dump d = { NULL, 0 };
    char head[64];
    snprintf(head, sizeof(head), "facts=%llu\n", (unsigned long long)svcq_metrics_fact_count(s->m));
    append(&d, head, strlen(head));
    svcq__buf b;
    svcq__buf_init(&b, s->ctx);
    if (s->lazy)
        rebuilt_dump(s, &b);
    else if (svcq__mx_dump(s->m, &b))
        fail_msg("dump failed");
    append(&d, b.data ? b.data : "", b.len);
    /* Every fact as the set keeps it. */
    recs r = { NULL, 0 };
    for (size_t i = 0; i < s->m->fcap; i++) {
        const svcq__mx_fact *f = svcq__mx_fact_at(s->m, i);
        if (!f)
            continue;
        svcq__buf_truncate(&b, 0);
        if (svcq__mx_fact_json(s->m, f, &b))
            fail_msg("fact json failed");
        char line[32];
        snprintf(line, sizeof(line), "@%llu\n", (unsigned long long)f->revision);
        svcq__buf_puts(&b, line);
        r.lines = realloc(r.lines, (r.n + 1) * sizeof(char *));
        r.lines[r.n++] = strdup(b.data);
    }
    if (r.n)
        qsort(r.lines, r.n, sizeof(char *), cmp);
    for (size_t i = 0; i < r.n; i++) {
        append(&d, r.lines[i], strlen(r.lines[i]));
        free(r.lines[i]);
    }
    free(r.lines);
    svcq__buf_free(&b);
    dump_kind(s, &d, "metrics_fact");
    dump_kind(s, &d, "metrics_rollup");
    return d.text;
}

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

static const char *const SLA_T[2] = { "first_response", "resolution" };
static const int32_t SLA_O[2] = { SVCQ_METRICS_SLA_MET, SVCQ_METRICS_SLA_BREACHED };

static svcq_metrics_fact fact(st *s, const char *id, int day, int hour, const char *cat, int complaint)
{
    svcq_metrics_fact f = mx_fact(id, mx_local(s->tz, 2026, 1, day, hour, 0));
    f.first_reply = f.received + 900;
    f.resolved = f.received + 7200;
    f.csat = 4;
    f.client = "A";
    f.tier = "tier.1";
    f.category = cat;
    f.complaint = complaint;
    f.sla_targets = SLA_T;
    f.sla_outcomes = SLA_O;
    f.sla_count = 2;
    return f;
}

static void *setup_common(test_alloc *alloc, bool inject_store, int error, uint32_t flags)
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
    s->tz = mx_zone(s->ctx, "Asia/Shanghai");
    s->cal = mx_office(s->ctx, s->tz);
    svcq_metrics_options o = SVCQ_METRICS_OPTIONS_INIT;
    o.calendar = s->cal;
    o.flags = flags;
    o.periods = (1u << SVCQ_METRICS_WEEK) | (1u << SVCQ_METRICS_MONTH);
    assert_int_equal(svcq_metrics_new(&s->m, s->ctx, &o), SVCQ_OK);
    /* One fact already stored. */
    svcq_metrics_fact f = fact(s, "f0", 5, 9, "billing", 1);
    assert_int_equal(svcq_metrics_fact_put(s->m, &f), SVCQ_OK);
    snapshot(s);
    return s;
}

static void *setup_store_eio(test_alloc *a) { return setup_common(a, true, SVCQ_EIO, SVCQ_METRICS_PERSIST); }
static void *setup_store_odd(test_alloc *a) { return setup_common(a, true, -1000, SVCQ_METRICS_PERSIST); }
static void *setup_alloc(test_alloc *a) { return setup_common(a, false, 0, SVCQ_METRICS_PERSIST); }

/* A set without persistence: its puts keep new facts pending, and add
 * them to the rollups in batches (every 3 here) or before a read. */
static void *setup_lazy(test_alloc *a)
{
    st *s = setup_common(a, false, 0, 0);
    s->m->flush_at = 3;
    s->lazy = true;
    snapshot(s);
    return s;
}

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

static int discard(const char *data, size_t size, void *ud)
{
    (void)data, (void)size, (void)ud;
    return 0;
}

static int run(void *p)
{
    st *s = p;
    svcq_metrics *m = s->m;
    svcq_metrics_fact f1 = fact(s, "f1", 6, 10, "manual", 1);
    STEP(svcq_metrics_fact_put(m, &f1));
    svcq_metrics_fact f2 = fact(s, "f2", 12, 10, "billing", 0);
    STEP(svcq_metrics_fact_put(m, &f2));
    /* Update: f1 moves to the next week and loses its complaint. */
    f1 = fact(s, "f1", 13, 15, "manual", 0);
    STEP(svcq_metrics_fact_put(m, &f1));
    /* A batch of two puts, all or nothing. */
    int rc = svcq_ctx_batch_begin(s->ctx);
    if (rc)
        return rc;
    svcq_metrics_fact f3 = fact(s, "f3", 14, 11, "network", 1), f4 = fact(s, "f0", 14, 12, "network", 1);
    rc = svcq_metrics_fact_put(m, &f3);
    if (!rc)
        rc = svcq_metrics_fact_put(m, &f4);
    if (!rc)
        rc = svcq_ctx_batch_commit(s->ctx);
    else
        (void)svcq_ctx_batch_rollback(s->ctx);
    if (rc)
        return rc;
    snapshot(s);
    /* An import: a bad line (rejected) and a good one. */
    static const char jl[] = "{\"id\": \"bad\", \"received\": \"yesterday\"}\n"
                             "{\"id\": \"f5\", \"received\": \"2026-01-15T10:00:00+08:00\", \"complaint\": 1, "
                             "\"category\": \"billing\", \"client\": \"B\"}\n";
    uint64_t acc, rej;
    STEP(svcq_metrics_import(&acc, &rej, m, SVCQ_METRICS_IMPORT_JSONL, jl, sizeof(jl) - 1, NULL, NULL));
    assert_int_equal(acc, 1);
    assert_int_equal(rej, 1);
    /* The reports read the rollups: a failure changes nothing. */
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = discard;
    svcq_metrics_report req = SVCQ_METRICS_REPORT_INIT;
    req.week_of = mx_local(s->tz, 2026, 1, 14, 0, 0);
    static const char *const names[2] = { "li", "wang" };
    static const int64_t counts[2] = { 2, 3 };
    req.reporter_names = names;
    req.reporter_counts = counts;
    req.reporter_count = 2;
    req.open_incidents = 4;
    for (int32_t fmt = SVCQ_METRICS_MARKDOWN; fmt <= SVCQ_METRICS_SVG_TREND; fmt++)
        STEP(svcq_metrics_weekly_report(m, &req, fmt, &w));
    for (int32_t fmt = SVCQ_METRICS_MARKDOWN; fmt <= SVCQ_METRICS_CSV; fmt++) {
        STEP(svcq_metrics_kpis_export(m, SVCQ_METRICS_MONTH, req.week_of, SVCQ_METRICS_DIM_TIER, "tier.1", fmt, &w));
        STEP(svcq_metrics_risk_points(m, SVCQ_METRICS_WEEK, req.week_of, 3, fmt, &w));
    }
    /* Reading the set back: a failure makes nothing; the loaded set is the
     * same state, and an update through it is stored like any other. */
    svcq_metrics_options o = SVCQ_METRICS_OPTIONS_INIT;
    o.calendar = s->cal;
    o.flags = SVCQ_METRICS_PERSIST;
    o.periods = (1u << SVCQ_METRICS_WEEK) | (1u << SVCQ_METRICS_MONTH);
    svcq_metrics *loaded;
    if ((rc = svcq_metrics_load(&loaded, s->ctx, &o)))
        return rc;
    svcq_metrics_free(s->m);
    s->m = loaded;
    char *before = s->committed;
    s->committed = NULL;
    snapshot(s);
    assert_string_equal(before, s->committed);
    free(before);
    svcq_metrics_fact f6 = fact(s, "f2", 20, 9, "manual", 1);
    STEP(svcq_metrics_fact_put(loaded, &f6));
    return SVCQ_OK;
}

/* The pending facts of a set without persistence: puts that add a batch
 * of pending facts to the rollups, the update of a pending fact and of one
 * in the rollups, reads that add the pending facts first. */
static int run_lazy(void *p)
{
    st *s = p;
    svcq_metrics *m = s->m;
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = discard;
    svcq_metrics_value v = SVCQ_METRICS_VALUE_INIT;
    static const char *const ids[6] = { "f1", "f2", "f3", "f4", "f5", "f6" };
    static const char *const cats[3] = { "manual", "billing", "network" };
    for (int i = 0; i < 6; i++) {
        svcq_metrics_fact f = fact(s, ids[i], 6 + i, 10, cats[i % 3], i % 2);
        STEP(svcq_metrics_fact_put(m, &f));
    }
    /* f6 is pending (a batch of three was added before it): its update
     * replaces it in the batch. */
    svcq_metrics_fact f = fact(s, "f6", 13, 15, "manual", 1);
    STEP(svcq_metrics_fact_put(m, &f));
    STEP(svcq_metrics_kpi_get(&v, m, SVCQ_METRICS_RESPONSE_MEDIAN, SVCQ_METRICS_WEEK, f.received,
                              SVCQ_METRICS_DIM_ALL, NULL));
    /* f1 is in the rollups: its update moves it to another week. */
    f = fact(s, "f1", 20, 9, "billing", 1);
    STEP(svcq_metrics_fact_put(m, &f));
    f = fact(s, "f7", 21, 9, "network", 0);
    STEP(svcq_metrics_fact_put(m, &f));
    svcq_metrics_report req = SVCQ_METRICS_REPORT_INIT;
    req.week_of = f.received;
    STEP(svcq_metrics_weekly_report(m, &req, SVCQ_METRICS_JSON, &w));
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
    if (s->lazy) {
        /* The rollups with the pending facts added equal the rebuilt ones:
         * a failure left no fact added twice or lost. */
        s->alloc->fail_at = 0;
        svcq__buf a, b;
        svcq__buf_init(&a, s->ctx);
        svcq__buf_init(&b, s->ctx);
        rebuilt_dump(s, &a);
        if (svcq__mx_dump(s->m, &b))
            fail_msg("dump failed");
        if (a.len != b.len || memcmp(a.data, b.data, a.len))
            fail_msg("rollups after the run:\n%s\nrebuilt from the facts:\n%s", b.data, a.data);
        svcq__buf_free(&a);
        svcq__buf_free(&b);
    }
}

static void teardown(void *p)
{
    st *s = p;
    svcq_incident_free(s->inc[0]);
    svcq_incident_free(s->inc[1]);
    svcq_metrics_free(s->m);
    svcq_calendar_free(s->cal);
    svcq_tz_free(s->tz);
    svcq_ctx_free(s->ctx);
    free(s->committed);
    free(s);
}

/* Facts from incidents and a report from the archive: two stored
 * incidents (a service delay, and a customer complaint confirmed). */
static svcq_incident *incident(st *s, const char *id, const char *type, const char *stage, bool confirm)
{
    svcq_incident_report_spec r = SVCQ_INCIDENT_REPORT_SPEC_INIT;
    r.type = type;
    r.stage = stage;
    r.channel = SVCQ_INCIDENT_CHANNEL_PHONE;
    r.observed = "late callback";
    r.reporter_name = "Li Na";
    r.client = "client-42";
    svcq_incident *inc;
    assert_int_equal(svcq_incident_report(&inc, s->ctx, id, &r, "Li Na", "agent"), SVCQ_OK);
    if (confirm) {
        assert_int_equal(svcq_incident_add_confirmer(inc, "Zhao", "supervisor", "Zhao", "service_supervisor"),
                         SVCQ_OK);
        assert_int_equal(svcq_incident_add_confirmer(inc, "Zhao", "supervisor", "Sun", "quality_staff"), SVCQ_OK);
        svcq_incident_confirmation c = SVCQ_INCIDENT_CONFIRMATION_INIT;
        c.real = 1;
        c.category = SVCQ_INCIDENT_RESP_PROCESS_GAP;
        c.responsible_unit = "Support";
        assert_int_equal(svcq_incident_confirm(inc, "Zhao", "supervisor", &c), SVCQ_OK);
    }
    return inc;
}

static void *setup_inc_common(test_alloc *alloc, bool inject_store, int error)
{
    st *s = setup_common(alloc, inject_store, error, SVCQ_METRICS_PERSIST);
    s->inc[0] = incident(s, "INC-1", SVCQ_INCIDENT_TYPE_SERVICE_DELAY, SVCQ_INCIDENT_STAGE_TECHNICAL_SUPPORT, false);
    s->inc[1] = incident(s, "INC-2", SVCQ_INCIDENT_TYPE_CUSTOMER_COMPLAINT, SVCQ_INCIDENT_STAGE_AFTER_SALES, true);
    snapshot(s);
    return s;
}

static void *setup_inc_store_eio(test_alloc *a) { return setup_inc_common(a, true, SVCQ_EIO); }
static void *setup_inc_alloc(test_alloc *a) { return setup_inc_common(a, false, 0); }

static int run_incidents(void *p)
{
    st *s = p;
    STEP(svcq_metrics_put_incident(s->m, s->inc[0], NULL));
    svcq_metrics_fact extra = SVCQ_METRICS_FACT_INIT;
    extra.tier = "tier.1";
    extra.csat = 4;
    STEP(svcq_metrics_put_incident(s->m, s->inc[1], &extra));
    STEP(svcq_metrics_put_incident(s->m, s->inc[0], &extra)); /* an update */
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = discard;
    svcq_metrics_report req = SVCQ_METRICS_REPORT_INIT;
    req.week_of = svcq_incident_reported_at(s->inc[0]);
    req.archive = SVCQ_METRICS_ARCHIVE_ALL;
    for (int32_t fmt = SVCQ_METRICS_MARKDOWN; fmt <= SVCQ_METRICS_CSV; fmt++)
        STEP(svcq_metrics_weekly_report(s->m, &req, fmt, &w));
    return SVCQ_OK;
}

static void incident_failures(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "metrics from incidents, SVCQ_EIO", .setup = setup_inc_store_eio,
                          .run = run_incidents, .verify = verify, .teardown = teardown, .arm = arm,
                          .injected = injected, .expected_error = SVCQ_EIO };
    assert_true(fault_run(&sc) >= 10);
    sc.name = "metrics from incidents, allocation";
    sc.setup = setup_inc_alloc;
    sc.expected_error = 0;
    assert_true(fault_run(&sc) >= 50);
}

static void store_failures(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "metrics, SVCQ_EIO", .setup = setup_store_eio, .run = run, .verify = verify,
                          .teardown = teardown, .arm = arm, .injected = injected, .expected_error = SVCQ_EIO };
    assert_true(fault_run(&sc) >= 20);
    sc.name = "metrics, unknown code";
    sc.setup = setup_store_odd;
    sc.expected_error = SVCQ_ESTORE;
    assert_true(fault_run(&sc) >= 20);
}

static void allocation_failures(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "metrics, allocation", .setup = setup_alloc, .run = run, .verify = verify,
                          .teardown = teardown, .arm = arm, .injected = injected };
    assert_true(fault_run(&sc) >= 100);
    sc.name = "metrics without persistence, allocation";
    sc.setup = setup_lazy;
    sc.run = run_lazy;
    assert_true(fault_run(&sc) >= 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(store_failures),
        cmocka_unit_test(allocation_failures),
        cmocka_unit_test(incident_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
