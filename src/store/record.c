#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"

#include "store/record.h"

int svcq__record_begin(svcq__jw *w, const char *kind, uint32_t major)
{
    if (!svcq__store_kind_valid(kind, strnlen(kind, SVCQ_STORE_MAX_KIND + 1)) || major == 0)
        return svcq__error(w->ctx, SVCQ_EINVAL, "record schema: bad kind or major 0");
    char schema[SVCQ__RECORD_SCHEMA_MAX + 1];
    snprintf(schema, sizeof(schema), "svcq.%s/%u", kind, (unsigned)major);
    int rc = svcq__jw_object_begin(w);
    if (!rc)
        rc = svcq__jw_key(w, "schema");
    if (!rc)
        rc = svcq__jw_string(w, schema);
    return rc;
}

int svcq__record_end(svcq__jw *w)
{
    (void)svcq__jw_object_end(w);
    return svcq__jw_finish(w);
}

int svcq__record_check(svcq_ctx *ctx, const svcq__json *root, const char *kind, uint32_t newest, uint32_t *major)
{
    if (svcq__json_typeof(root) != SVCQ__JSON_OBJECT)
        return svcq__error(ctx, SVCQ_ECORRUPT, "record of kind %s: not a JSON object", kind);
    size_t len;
    const char *schema = svcq__json_as_string(svcq__json_get(root, "schema"), &len);
    if (!schema)
        return svcq__error(ctx, SVCQ_ECORRUPT, "record of kind %s: no \"schema\" string", kind);
    size_t klen = strlen(kind);
    if (len < 5 + klen + 2 || memcmp(schema, "svcq.", 5) != 0 || memcmp(schema + 5, kind, klen) != 0 ||
        schema[5 + klen] != '/')
        return svcq__error(ctx, SVCQ_ECORRUPT, "record of kind %s: schema \"%.*s\" is not svcq.%s/<major>", kind,
                        (int)(len > 64 ? 64 : len), schema, kind);
    /* The major: decimal digits, no leading zero, at least 1. */
    const char *d = schema + 5 + klen + 1;
    size_t nd = len - (size_t)(d - schema);
    uint64_t m = 0;
    bool ok = nd >= 1 && nd <= 10 && d[0] != '0';
    for (size_t i = 0; ok && i < nd; i++) {
        ok = d[i] >= '0' && d[i] <= '9';
        m = m * 10 + (uint64_t)(d[i] - '0');
    }
    if (!ok || m > UINT32_MAX)
        return svcq__error(ctx, SVCQ_ECORRUPT, "record of kind %s: schema \"%.*s\" has no valid major version", kind,
                        (int)(len > 64 ? 64 : len), schema);
    if (m > newest)
        return svcq__error(ctx, SVCQ_EVERSION,
                        "record of kind %s has format %s/%llu; this library reads up to %s/%u", kind, kind,
                        (unsigned long long)m, kind, (unsigned)newest);
    *major = (uint32_t)m;
    return SVCQ_OK;
}

int svcq__record_parse(svcq_ctx *ctx, const char *kind, const char *id, uint32_t newest, const char *bytes,
                    size_t size, svcq__json_doc **doc, uint32_t *major)
{
    svcq__json_doc *d = NULL;
    int rc = svcq__json_parse(ctx, bytes, size, NULL, &d);
    if (rc == SVCQ_ENOMEM)
        return rc;
    if (rc) {
        return svcq__error_prefix(ctx, SVCQ_ECORRUPT, "record %s/%s is not valid JSON", kind, id);
    }
    rc = svcq__record_check(ctx, svcq__json_root(d), kind, newest, major);
    if (rc) {
        svcq__json_doc_free(d);
        return rc;
    }
    *doc = d;
    return SVCQ_OK;
}

int svcq__record_load(svcq_ctx *ctx, const char *kind, const char *id, uint32_t newest, svcq__json_doc **doc,
                   uint32_t *major, uint64_t *revision)
{
    char *bytes;
    size_t size;
    uint64_t rev;
    int rc = svcq__store_get(ctx, kind, id, &bytes, &size, &rev);
    if (rc)
        return rc;
    rc = svcq__record_parse(ctx, kind, id, newest, bytes, size, doc, major);
    svcq__free(ctx, bytes);
    if (rc == SVCQ_OK)
        *revision = rev;
    return rc;
}

int svcq__record_put(svcq_ctx *ctx, const void *owner, const char *kind, const char *id, uint64_t *revision,
                     const svcq__buf *json)
{
    return svcq__record_put_terms(ctx, owner, kind, id, revision, json, NULL, 0);
}

int svcq__record_put_terms(svcq_ctx *ctx, const void *owner, const char *kind, const char *id, uint64_t *revision,
                           const svcq__buf *json, const svcq_store_term *terms, size_t n_terms)
{
    int rc = svcq__undo_reserve(ctx, 1);
    if (rc)
        return rc;
    uint64_t rev;
    rc = svcq__store_put_terms(ctx, kind, id, *revision, json->data, json->len, terms, n_terms, &rev);
    if (rc)
        return rc;
    return svcq__undo_set_u64(ctx, owner, revision, rev);
}

int svcq__record_publish(svcq_ctx *ctx, const char *kind, const char *id, const svcq__buf *json, const char *what,
                         uint64_t *revision)
{
    char *stored = NULL;
    size_t size = 0;
    uint64_t rev = 0;
    int rc = svcq__store_get(ctx, kind, id, &stored, &size, &rev);
    if (rc == SVCQ_ENOTFOUND)
        rc = svcq__store_put(ctx, kind, id, 0, json->data, json->len, &rev);
    else if (rc == SVCQ_OK && (size != json->len || memcmp(stored, json->data, size) != 0))
        rc = svcq__error(ctx, SVCQ_EEXIST,
                         "%s: the store holds this version (record %s \"%s\") with other content; a saved "
                         "version is immutable: make a new version",
                         what, kind, id);
    svcq__free(ctx, stored);
    if (rc == SVCQ_OK)
        *revision = rev;
    return rc;
}

int svcq__record_damaged(svcq_ctx *ctx, const char *kind, const char *id, int rc)
{
    if (rc != SVCQ_EINVAL && rc != SVCQ_EPARSE && rc != SVCQ_ELIMIT && rc != SVCQ_ERANGE)
        return rc;
    return svcq__error_prefix(ctx, SVCQ_ECORRUPT, "record %s \"%s\"", kind, id);
}

int svcq__record_remove(svcq_ctx *ctx, const void *owner, const char *kind, const char *id, uint64_t *revision)
{
    int rc = svcq__undo_reserve(ctx, 1);
    if (rc)
        return rc;
    rc = svcq__store_remove(ctx, kind, id, *revision);
    if (rc)
        return rc;
    return svcq__undo_set_u64(ctx, owner, revision, 0);
}

typedef struct scan_state {
    const char *kind;
    uint32_t newest;
    svcq__record_visit_fn visit;
    void *user_data;
} scan_state;

static int scan_visit(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes, size_t size, void *ud)
{
    scan_state *s = ud;
    svcq__json_doc *doc = NULL;
    uint32_t major;
    int rc = svcq__record_parse(ctx, s->kind, id, s->newest, bytes, size, &doc, &major);
    if (rc)
        return rc;
    rc = s->visit(ctx, id, revision, svcq__json_root(doc), major, s->user_data);
    svcq__json_doc_free(doc);
    return rc;
}

int svcq__record_scan(svcq_ctx *ctx, const char *kind, uint32_t newest, svcq__record_visit_fn visit, void *user_data)
{
    scan_state s = { kind, newest, visit, user_data };
    return svcq__store_scan(ctx, kind, scan_visit, &s);
}

/* ---- version 2: ordered and term scans ------------------------------------------ */

int svcq__record_scan_range(svcq_ctx *ctx, const char *kind, uint32_t newest, const char *after, uint32_t limit,
                            svcq__record_visit_fn visit, void *user_data)
{
    scan_state s = { kind, newest, visit, user_data };
    return svcq__store_scan_range(ctx, kind, after, limit, scan_visit, &s);
}

typedef struct term_scan {
    const char *kind;
    uint32_t newest;
    svcq__record_term_visit_fn visit;
    svcq__record_term_id_fn visit_id; /* instead of visit: the record is not parsed */
    void *user_data;
} term_scan;

static int term_scan_visit(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes, size_t size,
                           const svcq_store_term *term, void *ud)
{
    term_scan *s = ud;
    if (s->visit_id)
        return s->visit_id(ctx, id, revision, term, s->user_data);
    svcq__json_doc *doc = NULL;
    uint32_t major;
    int rc = svcq__record_parse(ctx, s->kind, id, s->newest, bytes, size, &doc, &major);
    if (rc)
        return rc;
    rc = s->visit(ctx, id, revision, svcq__json_root(doc), major, term, s->user_data);
    svcq__json_doc_free(doc);
    return rc;
}

/* The version-1 fallback: every record read, its terms derived by the
 * module's extract function, the matches sorted by (value, id) here. */
typedef struct match {
    char *id;
    uint64_t revision;
    char *bytes;
    size_t size;
    int64_t i;
    char *s;
} match;

typedef struct fallback {
    const char *kind;
    uint32_t newest;
    const svcq__term_query *q;
    svcq__record_terms_fn extract;
    void *extract_data;
    match *v;
    size_t n, cap;
} fallback;

static int bytes_order(const char *a, const char *b)
{
    size_t al = strlen(a), bl = strlen(b);
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al < bl ? -1 : al > bl);
}

static int value_order(int32_t type, int64_t ai, const char *as, int64_t bi, const char *bs)
{
    if (type == SVCQ_STORE_TERM_INT64)
        return ai < bi ? -1 : ai > bi;
    return bytes_order(as ? as : "", bs ? bs : "");
}

static int match_cmp_typed(const match *a, const match *b, int32_t type)
{
    int c = value_order(type, a->i, a->s, b->i, b->s);
    return c ? c : bytes_order(a->id, b->id);
}

static int match_cmp_int(const void *a, const void *b)
{
    return match_cmp_typed(a, b, SVCQ_STORE_TERM_INT64);
}

static int match_cmp_str(const void *a, const void *b)
{
    return match_cmp_typed(a, b, SVCQ_STORE_TERM_STRING);
}

static void match_free(svcq_ctx *ctx, match *m)
{
    svcq__free(ctx, m->id);
    svcq__free(ctx, m->bytes);
    svcq__free(ctx, m->s);
}

static int fallback_visit(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes, size_t size, void *ud)
{
    fallback *f = ud;
    const svcq__term_query *q = f->q;
    svcq__json_doc *doc = NULL;
    uint32_t major;
    int rc = svcq__record_parse(ctx, f->kind, id, f->newest, bytes, size, &doc, &major);
    if (rc)
        return rc;
    svcq_store_term terms[SVCQ_STORE_MAX_TERMS];
    size_t n = 0;
    rc = f->extract(ctx, id, svcq__json_root(doc), major, terms, &n, f->extract_data);
    const svcq_store_term *t = NULL;
    for (size_t i = 0; rc == SVCQ_OK && i < n && i < SVCQ_STORE_MAX_TERMS; i++)
        if (terms[i].name && strcmp(terms[i].name, q->name) == 0 && terms[i].type == q->type)
            t = &terms[i];
    bool in = t && (!q->lo || value_order(q->type, t->i, t->s, q->lo->i, q->lo->s) >= 0) &&
              (!q->hi || value_order(q->type, t->i, t->s, q->hi->i, q->hi->s) <= 0);
    if (in && q->after && q->after_id) {
        int c = value_order(q->type, t->i, t->s, q->after->i, q->after->s);
        in = c > 0 || (c == 0 && bytes_order(id, q->after_id) > 0);
    }
    if (in && f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        match *g = svcq__reallocarray(ctx, f->v, cap, sizeof(*g));
        if (!g)
            rc = svcq__enomem(ctx);
        else {
            f->v = g;
            f->cap = cap;
        }
    }
    if (in && rc == SVCQ_OK) {
        match m = { NULL, revision, NULL, size, t->i, NULL };
        rc = svcq__strdup(ctx, "record id", id, &m.id);
        if (!rc && q->type == SVCQ_STORE_TERM_STRING)
            rc = svcq__strdup(ctx, "term value", t->s ? t->s : "", &m.s);
        if (!rc) {
            m.bytes = svcq__malloc(ctx, size + 1);
            if (!m.bytes)
                rc = svcq__enomem(ctx);
            else
                memcpy(m.bytes, bytes, size);
        }
        if (rc)
            match_free(ctx, &m);
        else
            f->v[f->n++] = m;
    }
    svcq__json_doc_free(doc);
    return rc;
}

static int scan_term(svcq_ctx *ctx, const char *kind, uint32_t newest, const svcq__term_query *q,
                     svcq__record_terms_fn extract, void *extract_data, term_scan s)
{
    if (svcq__store_has_terms(ctx))
        return svcq__store_scan_term(ctx, kind, q, term_scan_visit, &s);
    fallback f = { kind, newest, q, extract, extract_data, NULL, 0, 0 };
    int rc = svcq__store_scan(ctx, kind, fallback_visit, &f);
    if (rc == SVCQ_OK && f.n > 1)
        qsort(f.v, f.n, sizeof(*f.v), q->type == SVCQ_STORE_TERM_INT64 ? match_cmp_int : match_cmp_str);
    size_t end = q->limit && q->limit < f.n ? q->limit : f.n;
    for (size_t i = 0; rc == SVCQ_OK && i < end; i++) {
        svcq_store_term t = { SVCQ_STORE_TERM_VERSION, q->type, q->name, f.v[i].s, q->type == SVCQ_STORE_TERM_INT64 ? f.v[i].i : 0, { 0 } };
        rc = term_scan_visit(ctx, f.v[i].id, f.v[i].revision, f.v[i].bytes, f.v[i].size, &t, &s);
    }
    for (size_t i = 0; i < f.n; i++)
        match_free(ctx, &f.v[i]);
    svcq__free(ctx, f.v);
    return rc;
}

int svcq__record_scan_term(svcq_ctx *ctx, const char *kind, uint32_t newest, const svcq__term_query *q,
                           svcq__record_terms_fn extract, void *extract_data, svcq__record_term_visit_fn visit,
                           void *user_data)
{
    term_scan s = { kind, newest, visit, NULL, user_data };
    return scan_term(ctx, kind, newest, q, extract, extract_data, s);
}

int svcq__record_scan_term_ids(svcq_ctx *ctx, const char *kind, uint32_t newest, const svcq__term_query *q,
                               svcq__record_terms_fn extract, void *extract_data, svcq__record_term_id_fn visit,
                               void *user_data)
{
    term_scan s = { kind, newest, NULL, visit, user_data };
    return scan_term(ctx, kind, newest, q, extract, extract_data, s);
}
