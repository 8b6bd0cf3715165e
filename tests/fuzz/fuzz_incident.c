/* libFuzzer target for the stored incident records: the incident record
 * decoder (svcq.incident/1) and the audit-entry decoder
 * (svcq.incident_audit/1). There is no import call: the input is put into
 * a memory store as the records themselves, and the library reads them
 * back the way it reads a database someone may have damaged.
 *
 * Input: NUL-separated parts. Part 0 is the record of incident "INC-1";
 * part k (k >= 1) is its audit entry k ("INC-1/000000000k").
 *
 * Whatever the input: no crash, leak or UB. svcq_incident_load either
 * refuses or gives an incident whose record re-encodes to the same bytes
 * (export, store, load, export: identical); the audit chain is verified
 * and exported (any verdict, but the same twice); the archive scans read
 * the record; a change inside a host batch that is rolled back leaves the
 * incident as it was. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svcq.h"
#include "incident/incident_internal.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PARTS 64

static int discard(const char *d, size_t n, void *u)
{
    (void)d, (void)n, (void)u;
    return 0;
}

static int export_to(const svcq_incident *inc, svcq_buffer **out, svcq_ctx *ctx)
{
    if (svcq_buffer_new(out, ctx) != SVCQ_OK)
        return -1;
    svcq_writer w;
    if (svcq_writer_to_buffer(&w, *out) != SVCQ_OK)
        return -1;
    return svcq_incident_export_json(inc, &w, 0);
}

static int same(const svcq_buffer *a, const svcq_buffer *b)
{
    return svcq_buffer_size(a) == svcq_buffer_size(b) &&
           memcmp(svcq_buffer_data(a), svcq_buffer_data(b), svcq_buffer_size(a)) == 0;
}

/* A context whose memory store holds the given records (put directly
 * through the store's table, as a host's database would hold them). */
static svcq_ctx *ctx_with(const char *const *kinds, const char *const *ids, const char *const *bytes,
                          const size_t *sizes, size_t n)
{
    svcq_ctx *ctx = NULL;
    if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
        return NULL;
    svcq_store_methods m;
    if (svcq__memstore_new(ctx, &m) != SVCQ_OK)
        __builtin_trap();
    if (m.begin(m.user_data) != 0)
        __builtin_trap();
    for (size_t i = 0; i < n; i++) {
        uint64_t rev = 0;
        if (m.put(kinds[i], ids[i], 0, bytes[i], sizes[i], &rev, m.user_data) != 0)
            __builtin_trap();
    }
    if (m.commit(m.user_data) != 0 || svcq_ctx_set_store(ctx, &m) != SVCQ_OK)
        __builtin_trap();
    return ctx;
}

static int count_id(const char *id, void *u)
{
    (void)id;
    (*(size_t *)u)++;
    return 0;
}

static int count_scan(svcq_ctx *ctx, const svcq__inc_summary *s, void *u)
{
    (void)ctx, (void)s;
    (*(size_t *)u)++;
    return 0;
}

static int count_overdue(const char *id, const char *m, svcq_time d, void *u)
{
    (void)id, (void)m, (void)d;
    (*(size_t *)u)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *kinds[MAX_PARTS], *bytes[MAX_PARTS];
    char *ids[MAX_PARTS];
    size_t sizes[MAX_PARTS], n = 0;
    const char *p = (const char *)data, *end = p + size;
    while (n < MAX_PARTS) {
        const char *z = memchr(p, '\0', (size_t)(end - p));
        const char *stop = z ? z : end;
        kinds[n] = n ? "incident_audit" : "incident";
        ids[n] = malloc(32);
        if (n)
            snprintf(ids[n], 32, "INC-1/%010zu", n);
        else
            snprintf(ids[n], 32, "INC-1");
        bytes[n] = p;
        sizes[n] = (size_t)(stop - p);
        n++;
        if (!z)
            break;
        p = z + 1;
    }
    svcq_ctx *ctx = ctx_with(kinds, (const char *const *)ids, bytes, sizes, n);
    if (!ctx)
        goto out;
    svcq_incident *inc = NULL;
    if (svcq_incident_load(&inc, ctx, "INC-1") == SVCQ_OK) {
        /* The record re-encodes to the same bytes. */
        svcq_buffer *x = NULL, *y = NULL, *z = NULL;
        if (export_to(inc, &x, ctx) != SVCQ_OK)
            __builtin_trap();
        const char *xb = svcq_buffer_data(x);
        size_t xn = svcq_buffer_size(x);
        svcq_ctx *again = ctx_with(kinds, (const char *const *)ids, (const char *const[]){ xb }, &xn, 1);
        svcq_incident *l = NULL;
        if (!again || svcq_incident_load(&l, again, "INC-1") != SVCQ_OK || export_to(l, &y, again) != SVCQ_OK ||
            !same(x, y))
            __builtin_trap();
        svcq_incident_free(l);
        svcq_buffer_free(y);
        svcq_ctx_free(again);
        /* Read-only calls on the decoded incident. */
        svcq_writer w = SVCQ_WRITER_INIT;
        w.write = discard;
        (void)svcq_incident_export_json(inc, &w, SVCQ_INCIDENT_JSON_PRETTY);
        for (size_t i = 0; i < svcq_incident_measure_count(inc); i++)
            (void)svcq_incident_measure_overdue(inc, svcq_incident_measure_at(inc, i));
        (void)svcq_incident_similarity_key(inc);
        (void)svcq_incident_window_end(inc);
        int32_t verdict;
        uint32_t rec;
        (void)svcq_incident_evaluate(&verdict, &rec, inc);
        size_t k = 0;
        (void)svcq_incident_similar(inc, count_id, &k);
        /* A change in a rolled-back batch leaves the incident as it was. */
        if (svcq_ctx_batch_begin(ctx) != SVCQ_OK)
            __builtin_trap();
        (void)svcq_incident_set_lessons(inc, "fuzz", "fuzzer", "lesson");
        (void)svcq_incident_add_attachment(inc, "fuzz", "fuzzer", "photo", "file://x", NULL);
        if (svcq_ctx_batch_rollback(ctx) != SVCQ_OK)
            __builtin_trap();
        if (export_to(inc, &z, ctx) != SVCQ_OK || !same(x, z))
            __builtin_trap();
        svcq_buffer_free(x);
        svcq_buffer_free(z);
        svcq_incident_free(inc);
    }
    /* The audit decoder: the chain's verdict, twice the same. */
    uint64_t entries = 0;
    int v1 = svcq_incident_audit_verify(&entries, ctx, "INC-1");
    int v2 = svcq_incident_audit_verify(&entries, ctx, "INC-1");
    if (v1 != v2)
        __builtin_trap();
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = discard;
    int e1 = svcq_incident_audit_export(ctx, "INC-1", &w, SVCQ_INCIDENT_TRAIL_JSON, NULL);
    int e2 = svcq_incident_audit_export(ctx, "INC-1", &w, SVCQ_INCIDENT_TRAIL_MARKDOWN, NULL);
    if ((e1 == SVCQ_OK || e2 == SVCQ_OK) && v1 != SVCQ_OK) /* an export verifies first */
        __builtin_trap();
    /* The archive scans read the record too. */
    size_t k = 0;
    svcq_incident_query q = SVCQ_INCIDENT_QUERY_INIT;
    (void)svcq__inc_scan(ctx, count_scan, &k);
    (void)svcq_incident_list(ctx, &q, count_id, &k);
    (void)svcq_incident_list_overdue(ctx, INT64_MAX, count_overdue, &k);
    svcq_ctx_free(ctx);
out:
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    return 0;
}
