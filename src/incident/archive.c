/* The archive: loading an incident, the index terms every incident record
 * declares (storage contract v2, docs/storage.md), and the queries over
 * stored incidents (list, overdue measures, similar incidents, recurrence
 * counts), each a term scan of the most selective term: with a store that
 * keeps terms only the matching records are read and parsed; with any
 * other store svcq__record_scan_term derives the terms from every record
 * (svcq__inc_record_terms) and gives the same answers. Matches are
 * collected, sorted by incident id and only then handed to the host's
 * visitor, so a visitor never runs inside a store scan. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "incident/incident_internal.h"
#include "store/record.h"

int svcq_incident_load(svcq_incident **out, svcq_ctx *ctx, const char *id)
{
    if (!ctx)
        return SVCQ_EINVAL;
    if (!out || !id)
        return svcq__error(ctx, SVCQ_EINVAL, "incident load: NULL argument");
    *out = NULL;
    int rc = svcq__store_check_id(ctx, id);
    if (rc)
        return rc;
    svcq__json_doc *doc = NULL;
    uint32_t major = 0;
    uint64_t rev = 0;
    rc = svcq__record_load(ctx, SVCQ__INC_KIND, id, SVCQ__INC_SCHEMA_MAJOR, &doc, &major, &rev);
    if (rc == SVCQ_ENOTFOUND)
        return svcq__error(ctx, rc, "incident %s: not found", id);
    if (rc)
        return rc;
    svcq__inc_model m;
    const char *stored_id = NULL;
    rc = svcq__inc_decode(ctx, svcq__json_root(doc), &m, &stored_id);
    if (!rc && strcmp(stored_id, id) != 0) {
        svcq__inc_model_free(ctx, &m);
        rc = svcq__error(ctx, SVCQ_ECORRUPT, "record incident \"%s\": holds incident %.64s", id, stored_id);
    } else if (rc) {
        rc = svcq__record_damaged(ctx, SVCQ__INC_KIND, id, rc);
    }
    svcq__json_doc_free(doc);
    if (rc)
        return rc;
    rc = svcq__inc_handle_new(out, ctx, id, &m);
    if (rc) {
        svcq__inc_model_free(ctx, &m);
        return rc;
    }
    (*out)->revision = rev;
    return SVCQ_OK;
}

/* ---- index terms ------------------------------------------------------------------- */

/* "<first 128 bits of SHA-256(simkey) in hex>:<reported_at as 20 digits,
 * offset so that the text orders as the signed number>". */
static void similar_hex(const char *simkey, size_t keylen, char hex[SVCQ__SHA256_HEX + 1])
{
    svcq__sha256_ctx h;
    uint8_t d[SVCQ__SHA256_SIZE];
    svcq__sha256_init(&h);
    svcq__sha256_update(&h, simkey, keylen);
    svcq__sha256_final(&h, d);
    svcq__sha256_hex(d, hex);
}

static void similar_put(const char *hex, svcq_time at, char out[SVCQ__INC_SIMILAR_SIZE])
{
    memcpy(out, hex, 32);
    out[32] = ':';
    uint64_t v = (uint64_t)at ^ ((uint64_t)1 << 63);
    for (int i = 52; i > 32; i--, v /= 10)
        out[i] = (char)('0' + v % 10);
    out[53] = '\0';
}

static void similar_value(const char *simkey, size_t keylen, svcq_time at, char out[SVCQ__INC_SIMILAR_SIZE])
{
    char hex[SVCQ__SHA256_HEX + 1];
    similar_hex(simkey, keylen, hex);
    similar_put(hex, at, out);
}

static bool term_text_ok(const char *s)
{
    size_t n = s ? strnlen(s, SVCQ_STORE_MAX_TERM_VALUE + 1) : 0;
    return n && n <= SVCQ_STORE_MAX_TERM_VALUE && svcq__store_id_valid(s, n);
}

/* The default similarity key "type|stage|category" into out (keys are at
 * most SVCQ_INCIDENT_MAX_KEY bytes each). */
static size_t default_simkey(const char *type, const char *stage, const char *category, char *out, size_t size)
{
    const char *part[3] = { type ? type : "", stage ? stage : "", category ? category : "" };
    size_t k = 0;
    for (int i = 0; i < 3 && k + 1 < size; i++) {
        if (i)
            out[k++] = '|';
        size_t n = strnlen(part[i], size - 1 - k);
        memcpy(out + k, part[i], n);
        k += n;
    }
    out[k < size ? k : size - 1] = '\0';
    return k < size ? k : size - 1;
}

typedef struct term_input {
    int32_t state;
    const char *type, *stage, *client;
    svcq_time reported_at;
    const char *simkey;
    size_t simkey_len;
    const char *hex; /* the hash of the key when known, else NULL */
    bool has_deadline;
    svcq_time next_deadline;
} term_input;

/* Fills x, names in byte order as put2 wants them. */
static void terms_fill(const term_input *in, svcq__inc_terms *x)
{
    size_t n = 0;
#define T_STR(nm, v) x->t[n++] = (svcq_store_term){ SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_STRING, nm, v, 0, { 0 } }
#define T_INT(nm, v) x->t[n++] = (svcq_store_term){ SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_INT64, nm, NULL, v, { 0 } }
    if (term_text_ok(in->client))
        T_STR("client", in->client);
    if (in->has_deadline)
        T_INT("next_deadline", in->next_deadline);
    T_INT("reported_at", in->reported_at);
    if (in->hex)
        similar_put(in->hex, in->reported_at, x->similar);
    else
        similar_value(in->simkey, in->simkey_len, in->reported_at, x->similar);
    T_STR("similar", x->similar);
    if (term_text_ok(in->stage))
        T_STR("stage", in->stage);
    T_STR("state", svcq_incident_state_name(in->state) ? svcq_incident_state_name(in->state) : "unknown");
    if (term_text_ok(in->type))
        T_STR("type", in->type);
#undef T_STR
#undef T_INT
    x->n = n;
}

static bool open_state(int32_t state)
{
    return state != SVCQ_INCIDENT_CLOSED && !svcq__inc_final(state);
}

void svcq__inc_terms_of(const svcq__inc_model *m, svcq__inc_terms *x, svcq__inc_simcache *cache)
{
    term_input in = { m->state, m->type, m->stage, m->client, m->reported_at, NULL, 0, NULL, false, 0 };
    if (m->similarity_key) {
        in.simkey = m->similarity_key;
        in.simkey_len = strlen(m->similarity_key);
    } else {
        in.simkey_len = default_simkey(m->type, m->stage, m->category, x->key, sizeof(x->key));
        in.simkey = x->key;
    }
    if (cache && in.simkey_len < sizeof(cache->key)) {
        if (!cache->len || cache->len != in.simkey_len || memcmp(cache->key, in.simkey, in.simkey_len) != 0) {
            similar_hex(in.simkey, in.simkey_len, cache->hex);
            memcpy(cache->key, in.simkey, in.simkey_len);
            cache->len = in.simkey_len;
        }
        in.hex = cache->hex;
    }
    for (size_t i = 0; open_state(m->state) && i < m->measures.len; i++) {
        const svcq__inc_measure *ms = &m->measures.v[i];
        if (ms->state == SVCQ_INCIDENT_MEASURE_DONE || ms->state == SVCQ_INCIDENT_MEASURE_CANCELLED || !ms->deadline)
            continue;
        if (!in.has_deadline || ms->deadline < in.next_deadline)
            in.next_deadline = ms->deadline;
        in.has_deadline = true;
    }
    terms_fill(&in, x);
}

/* A summary of a stored incident, borrowed from the document (the key
 * buffer holds the default similarity key). */
static int summarize(svcq_ctx *ctx, const char *id, const svcq__json *r, svcq__inc_summary *s, char *key, size_t size)
{
    memset(s, 0, sizeof(*s));
    s->id = id;
    s->root = r;
    const char *state = NULL, *simkey = NULL;
    int64_t at = 0;
    (void)svcq__json_get_string(ctx, r, "state", false, &state, NULL);
    (void)svcq__json_get_int(ctx, r, "reported_at", false, &at);
    (void)svcq__json_get_string(ctx, r, "type", false, &s->type, NULL);
    (void)svcq__json_get_string(ctx, r, "stage", false, &s->stage, NULL);
    (void)svcq__json_get_string(ctx, r, "category", false, &s->category, NULL);
    (void)svcq__json_get_string(ctx, r, "client", false, &s->client, NULL);
    (void)svcq__json_get_string(ctx, r, "similarity_key", false, &simkey, NULL);
    s->reported_at = at;
    for (int32_t k = 1; state && k <= 9; k++)
        if (strcmp(state, svcq_incident_state_name(k)) == 0)
            s->state = k;
    if (!s->state || !s->type || !s->stage)
        return svcq__error(ctx, SVCQ_ECORRUPT, "record incident \"%s\": no state, type or stage", id);
    if (simkey) {
        s->simkey = simkey;
    } else {
        default_simkey(s->type, s->stage, s->category, key, size);
        s->simkey = key;
    }
    return SVCQ_OK;
}

/* The terms of a stored record (the version-1 fallback of the term scans);
 * data is a svcq__inc_terms that holds the computed values. */
static int record_terms(svcq_ctx *ctx, const char *id, const svcq__json *root, uint32_t major, svcq_store_term *terms,
                        size_t *n, void *data)
{
    (void)major;
    svcq__inc_terms *x = data;
    svcq__inc_summary s;
    int rc = summarize(ctx, id, root, &s, x->key, sizeof(x->key));
    if (rc)
        return rc;
    term_input in = { s.state, s.type, s.stage, s.client, s.reported_at, s.simkey, strlen(s.simkey), NULL, false, 0 };
    const svcq__json *a = svcq__json_get(root, "measures");
    for (size_t i = 0; open_state(s.state) && i < svcq__json_array_size(a); i++) {
        const svcq__json *ms = svcq__json_array_get(a, i);
        const char *state = NULL;
        int64_t deadline = 0;
        (void)svcq__json_get_string(ctx, ms, "state", false, &state, NULL);
        (void)svcq__json_get_int(ctx, ms, "deadline", false, &deadline);
        if (!state || !deadline || strcmp(state, "done") == 0 || strcmp(state, "cancelled") == 0)
            continue;
        if (!in.has_deadline || deadline < in.next_deadline)
            in.next_deadline = deadline;
        in.has_deadline = true;
    }
    terms_fill(&in, x);
    memcpy(terms, x->t, x->n * sizeof(*terms));
    *n = x->n;
    return SVCQ_OK;
}

/* ---- the scans ---------------------------------------------------------------------- */

/* What a query found: an incident (and a measure of it), handed to the
 * host's visitor after the scan, in incident id order. */
typedef struct hit {
    char *id;
    char measure[SVCQ__INC_MID_SIZE];
    svcq_time deadline;
    size_t seq;
} hit;

typedef struct hits {
    svcq_ctx *ctx;
    hit *v;
    size_t n, cap;
} hits;

static int hit_add(hits *h, const char *id, const char *measure, svcq_time deadline)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        hit *v = svcq__reallocarray(h->ctx, h->v, cap, sizeof(*v));
        if (!v)
            return svcq__enomem(h->ctx);
        h->v = v;
        h->cap = cap;
    }
    hit *x = &h->v[h->n];
    memset(x, 0, sizeof(*x));
    int rc = svcq__strdup(h->ctx, "incident id", id, &x->id);
    if (rc)
        return rc;
    if (measure)
        snprintf(x->measure, sizeof(x->measure), "%s", measure);
    x->deadline = deadline;
    x->seq = h->n++;
    return SVCQ_OK;
}

static int hit_order(const void *a, const void *b)
{
    const hit *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void hits_free(hits *h)
{
    for (size_t i = 0; i < h->n; i++)
        svcq__free(h->ctx, h->v[i].id);
    svcq__free(h->ctx, h->v);
}

/* Decides on one stored incident; may add hits. */
typedef int (*match_fn)(svcq_ctx *ctx, const svcq__inc_summary *s, hits *h, void *user);

typedef struct query {
    match_fn match;
    void *user;
    hits h;
    char key[SVCQ__INC_MAX_SIMKEY + 1];
} query;

static int query_visit(svcq_ctx *ctx, const char *id, uint64_t revision, const svcq__json *root, uint32_t major,
                       void *user)
{
    (void)revision, (void)major;
    query *q = user;
    svcq__inc_summary s;
    int rc = summarize(ctx, id, root, &s, q->key, sizeof(q->key));
    return rc ? rc : q->match(ctx, &s, &q->h, q->user);
}

static int query_term_visit(svcq_ctx *ctx, const char *id, uint64_t revision, const svcq__json *root, uint32_t major,
                            const svcq_store_term *term, void *user)
{
    (void)term;
    return query_visit(ctx, id, revision, root, major, user);
}

/* Runs a query: a term scan of tq, or every record when tq is NULL;
 * the hits are sorted by incident id. */
static int query_run(svcq_ctx *ctx, const svcq__term_query *tq, query *q)
{
    q->h.ctx = ctx;
    int rc;
    if (tq) {
        svcq__inc_terms scratch;
        rc = svcq__record_scan_term(ctx, SVCQ__INC_KIND, SVCQ__INC_SCHEMA_MAJOR, tq, record_terms, &scratch,
                                    query_term_visit, q);
    } else {
        rc = svcq__record_scan_range(ctx, SVCQ__INC_KIND, SVCQ__INC_SCHEMA_MAJOR, NULL, 0, query_visit, q);
    }
    if (!rc && q->h.n > 1)
        qsort(q->h.v, q->h.n, sizeof(*q->h.v), hit_order);
    return rc;
}

typedef struct scan_all {
    svcq__inc_scan_fn visit;
    void *user;
    char key[SVCQ__INC_MAX_SIMKEY + 1];
} scan_all;

static int scan_all_visit(svcq_ctx *ctx, const char *id, uint64_t revision, const svcq__json *root, uint32_t major,
                          void *user)
{
    (void)revision, (void)major;
    scan_all *a = user;
    svcq__inc_summary s;
    int rc = summarize(ctx, id, root, &s, a->key, sizeof(a->key));
    return rc ? rc : a->visit(ctx, &s, a->user);
}

int svcq__inc_scan(svcq_ctx *ctx, svcq__inc_scan_fn visit, void *user)
{
    scan_all a = { visit, user, { 0 } };
    return svcq__record_scan_range(ctx, SVCQ__INC_KIND, SVCQ__INC_SCHEMA_MAJOR, NULL, 0, scan_all_visit, &a);
}

/* ---- queries -------------------------------------------------------------------------- */

static int list_match(svcq_ctx *ctx, const svcq__inc_summary *s, hits *h, void *user)
{
    (void)ctx;
    const svcq_incident_query *q = user;
    if (q->state && s->state != q->state)
        return 0;
    if (q->type && *q->type && strcmp(q->type, s->type) != 0)
        return 0;
    if (q->stage && *q->stage && strcmp(q->stage, s->stage) != 0)
        return 0;
    if (q->client && *q->client && (!s->client || strcmp(q->client, s->client) != 0))
        return 0;
    if (q->from && s->reported_at < q->from)
        return 0;
    if (q->to && s->reported_at >= q->to)
        return 0;
    return hit_add(h, s->id, NULL, 0);
}

static int visit_ids(const hits *h, svcq_incident_visit_fn visit, void *user_data)
{
    int rc = SVCQ_OK;
    for (size_t i = 0; !rc && i < h->n; i++)
        rc = svcq__callback_rc(visit(h->v[i].id, user_data));
    return rc;
}

int svcq_incident_list(svcq_ctx *ctx, const svcq_incident_query *q, svcq_incident_visit_fn visit, void *user_data)
{
    if (!ctx)
        return SVCQ_EINVAL;
    if (!q || !visit)
        return svcq__error(ctx, SVCQ_EINVAL, "incident list: NULL argument");
    if (q->version != SVCQ_INCIDENT_QUERY_VERSION)
        return svcq__error(ctx, SVCQ_EVERSION, "incident list: query version %u is not %d", (unsigned)q->version,
                           SVCQ_INCIDENT_QUERY_VERSION);
    if (!svcq__all_zero(q->reserved, sizeof(q->reserved)))
        return svcq__error(ctx, SVCQ_EINVAL, "incident list: reserved fields must be zero");
    if (q->state && !svcq_incident_state_name(q->state))
        return svcq__error(ctx, SVCQ_EINVAL, "incident list: unknown state %d", (int)q->state);
    /* The most selective term the query names (a value no record can
     * declare as a term — too long, control characters — is matched by
     * reading every record). */
    svcq_store_term lo = SVCQ_STORE_TERM_INIT, hi = SVCQ_STORE_TERM_INIT;
    svcq__term_query tq = { NULL, SVCQ_STORE_TERM_STRING, &lo, &hi, NULL, NULL, 0 };
    lo.type = hi.type = SVCQ_STORE_TERM_STRING;
    if (q->state) {
        tq.name = "state";
        lo.s = hi.s = svcq_incident_state_name(q->state);
    } else if (q->client && *q->client && term_text_ok(q->client)) {
        tq.name = "client";
        lo.s = hi.s = q->client;
    } else if (q->type && *q->type && term_text_ok(q->type)) {
        tq.name = "type";
        lo.s = hi.s = q->type;
    } else if (q->stage && *q->stage && term_text_ok(q->stage)) {
        tq.name = "stage";
        lo.s = hi.s = q->stage;
    } else if (q->from || q->to) {
        if (q->to && ((q->from && q->to <= q->from) || q->to == INT64_MIN))
            return SVCQ_OK; /* an empty period */
        tq.name = "reported_at";
        tq.type = lo.type = hi.type = SVCQ_STORE_TERM_INT64;
        lo.i = q->from;
        hi.i = q->to ? q->to - 1 : 0;
        tq.lo = q->from ? &lo : NULL;
        tq.hi = q->to ? &hi : NULL;
    }
    query x = { list_match, (void *)q, { 0 }, { 0 } };
    int rc = query_run(ctx, tq.name ? &tq : NULL, &x);
    if (!rc)
        rc = visit_ids(&x.h, visit, user_data);
    hits_free(&x.h);
    return rc;
}

static int overdue_match(svcq_ctx *ctx, const svcq__inc_summary *s, hits *h, void *user)
{
    const svcq_time *at = user;
    if (!open_state(s->state))
        return 0;
    const svcq__json *a = svcq__json_get(s->root, "measures");
    for (size_t i = 0; i < svcq__json_array_size(a); i++) {
        const svcq__json *m = svcq__json_array_get(a, i);
        const char *id = NULL, *state = NULL;
        int64_t deadline = 0;
        (void)svcq__json_get_string(ctx, m, "id", false, &id, NULL);
        (void)svcq__json_get_string(ctx, m, "state", false, &state, NULL);
        (void)svcq__json_get_int(ctx, m, "deadline", false, &deadline);
        if (!id || !state || !deadline || strcmp(state, "done") == 0 || strcmp(state, "cancelled") == 0)
            continue;
        if (deadline < *at) {
            int rc = hit_add(h, s->id, id, deadline);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int svcq_incident_list_overdue(svcq_ctx *ctx, svcq_time at, svcq_incident_overdue_fn visit, void *user_data)
{
    if (!ctx)
        return SVCQ_EINVAL;
    if (!visit)
        return svcq__error(ctx, SVCQ_EINVAL, "incident overdue list: NULL visitor");
    if (at == INT64_MIN)
        return SVCQ_OK;
    /* Open incidents whose earliest open deadline is before at. */
    svcq_store_term hi = SVCQ_STORE_TERM_INIT;
    hi.type = SVCQ_STORE_TERM_INT64;
    hi.i = at - 1;
    svcq__term_query tq = { "next_deadline", SVCQ_STORE_TERM_INT64, NULL, &hi, NULL, NULL, 0 };
    query x = { overdue_match, &at, { 0 }, { 0 } };
    int rc = query_run(ctx, &tq, &x);
    for (size_t i = 0; !rc && i < x.h.n; i++)
        rc = svcq__callback_rc(visit(x.h.v[i].id, x.h.v[i].measure, x.h.v[i].deadline, user_data));
    hits_free(&x.h);
    return rc;
}

/* The similar incidents of a scan: their ids, or only how many. */
typedef struct similar_scan {
    const char *self;
    hits *h; /* NULL: count */
    uint32_t count;
} similar_scan;

static int similar_visit(svcq_ctx *ctx, const char *id, uint64_t revision, const svcq_store_term *term, void *user)
{
    (void)ctx, (void)revision, (void)term;
    similar_scan *x = user;
    if (strcmp(id, x->self) == 0)
        return 0;
    x->count++;
    return x->h ? hit_add(x->h, id, NULL, 0) : 0;
}

/* The incidents other than id whose "similar" term lies in the range of
 * (simkey, [from, to)) (0: open). The term is the key's hash (128 bits of
 * SHA-256) with the time of the report, so the range is the answer and no
 * record is read: two keys are taken as equal when their hashes are. */
static int similar_run(svcq_ctx *ctx, const char *id, const char *simkey, svcq_time from, svcq_time to,
                       similar_scan *x)
{
    if (to && ((from && to <= from) || to == INT64_MIN))
        return SVCQ_OK; /* an empty period */
    char lo_v[SVCQ__INC_SIMILAR_SIZE], hi_v[SVCQ__INC_SIMILAR_SIZE];
    size_t len = strlen(simkey);
    similar_value(simkey, len, from ? from : INT64_MIN, lo_v);
    similar_value(simkey, len, to && to != INT64_MIN ? to - 1 : INT64_MAX, hi_v);
    svcq_store_term lo = SVCQ_STORE_TERM_INIT, hi = SVCQ_STORE_TERM_INIT;
    lo.type = hi.type = SVCQ_STORE_TERM_STRING;
    lo.s = lo_v;
    hi.s = hi_v;
    svcq__term_query tq = { "similar", SVCQ_STORE_TERM_STRING, &lo, &hi, NULL, NULL, 0 };
    svcq__inc_terms scratch;
    x->self = id;
    return svcq__record_scan_term_ids(ctx, SVCQ__INC_KIND, SVCQ__INC_SCHEMA_MAJOR, &tq, record_terms, &scratch,
                                      similar_visit, x);
}

int svcq_incident_similar(const svcq_incident *inc, svcq_incident_visit_fn visit, void *user_data)
{
    if (!inc)
        return SVCQ_EINVAL;
    if (!visit)
        return svcq__error(inc->ctx, SVCQ_EINVAL, "incident %s: NULL visitor", inc->id);
    svcq__buf key;
    svcq__buf_init(&key, inc->ctx);
    int rc = svcq__inc_simkey(&inc->m, &key);
    if (rc) {
        svcq__buf_free(&key);
        return svcq__enomem(inc->ctx);
    }
    hits h = { inc->ctx, NULL, 0, 0 };
    similar_scan x = { NULL, &h, 0 };
    rc = similar_run(inc->ctx, inc->id, key.data, 0, 0, &x);
    if (!rc && h.n > 1)
        qsort(h.v, h.n, sizeof(*h.v), hit_order);
    if (!rc)
        rc = visit_ids(&h, visit, user_data);
    hits_free(&h);
    svcq__buf_free(&key);
    return rc;
}

int svcq__inc_count_similar(svcq_ctx *ctx, const char *id, const char *simkey, svcq_time from, svcq_time to,
                            uint32_t *count)
{
    similar_scan x = { NULL, NULL, 0 };
    int rc = similar_run(ctx, id, simkey, from, to, &x);
    if (!rc)
        *count = x.count;
    return rc;
}
