/* The archive: loading an incident, and the queries over stored incidents
 * (list, overdue measures, similar incidents, recurrence counts). Every
 * query goes through svcq__inc_scan, the one place that reads kind
 * "incident" in bulk, so it can become a term scan of the storage contract
 * v2 without touching the queries. */
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

/* ---- the scan ----------------------------------------------------------------------- */

typedef struct collect {
    char **ids;
    size_t len, cap;
} collect;

static int collect_id(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes, size_t size, void *user)
{
    (void)revision, (void)bytes, (void)size;
    collect *c = user;
    if (c->len == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        char **n = svcq__reallocarray(ctx, c->ids, cap, sizeof(*n));
        if (!n)
            return svcq__enomem(ctx);
        c->ids = n;
        c->cap = cap;
    }
    int rc = svcq__strdup(ctx, "incident id", id, &c->ids[c->len]);
    if (!rc)
        c->len++;
    return rc;
}

static int by_id(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int svcq__inc_scan(svcq_ctx *ctx, svcq__inc_scan_fn visit, void *user)
{
    collect c = { 0 };
    int rc = svcq__store_scan(ctx, SVCQ__INC_KIND, collect_id, &c);
    if (!rc)
        qsort(c.ids, c.len, sizeof(*c.ids), by_id);
    svcq__buf key;
    svcq__buf_init(&key, ctx);
    for (size_t i = 0; !rc && i < c.len; i++) {
        svcq__json_doc *doc = NULL;
        uint32_t major = 0;
        uint64_t rev = 0;
        rc = svcq__record_load(ctx, SVCQ__INC_KIND, c.ids[i], SVCQ__INC_SCHEMA_MAJOR, &doc, &major, &rev);
        if (rc == SVCQ_ENOTFOUND) { /* removed since the scan */
            rc = SVCQ_OK;
            continue;
        }
        if (rc)
            break;
        const svcq__json *r = svcq__json_root(doc);
        svcq__inc_summary s = { .id = c.ids[i], .root = r };
        const char *state = NULL, *simkey = NULL;
        int64_t at = 0;
        (void)svcq__json_get_string(ctx, r, "state", false, &state, NULL);
        (void)svcq__json_get_int(ctx, r, "reported_at", false, &at);
        (void)svcq__json_get_string(ctx, r, "type", false, &s.type, NULL);
        (void)svcq__json_get_string(ctx, r, "stage", false, &s.stage, NULL);
        (void)svcq__json_get_string(ctx, r, "category", false, &s.category, NULL);
        (void)svcq__json_get_string(ctx, r, "client", false, &s.client, NULL);
        (void)svcq__json_get_string(ctx, r, "similarity_key", false, &simkey, NULL);
        s.reported_at = at;
        for (int32_t k = 1; state && k <= 9; k++)
            if (strcmp(state, svcq_incident_state_name(k)) == 0)
                s.state = k;
        if (!s.state || !s.type || !s.stage) {
            rc = svcq__error(ctx, SVCQ_ECORRUPT, "record incident \"%s\": no state, type or stage", c.ids[i]);
        } else {
            svcq__buf_truncate(&key, 0);
            if (simkey)
                rc = svcq__buf_puts(&key, simkey);
            else
                rc = svcq__buf_printf(&key, "%s|%s|%s", s.type, s.stage, s.category ? s.category : "");
            if (rc)
                rc = svcq__enomem(ctx);
            s.simkey = key.data;
            if (!rc)
                rc = visit(ctx, &s, user);
        }
        svcq__json_doc_free(doc);
    }
    svcq__buf_free(&key);
    for (size_t i = 0; i < c.len; i++)
        svcq__free(ctx, c.ids[i]);
    svcq__free(ctx, c.ids);
    return rc;
}

/* ---- queries -------------------------------------------------------------------------- */

typedef struct list_state {
    const svcq_incident_query *q;
    svcq_incident_visit_fn visit;
    void *user;
} list_state;

static int list_one(svcq_ctx *ctx, const svcq__inc_summary *s, void *user)
{
    (void)ctx;
    list_state *l = user;
    const svcq_incident_query *q = l->q;
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
    return svcq__callback_rc(l->visit(s->id, l->user));
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
    list_state l = { q, visit, user_data };
    return svcq__inc_scan(ctx, list_one, &l);
}

typedef struct overdue_state {
    svcq_time at;
    svcq_incident_overdue_fn visit;
    void *user;
} overdue_state;

static int overdue_one(svcq_ctx *ctx, const svcq__inc_summary *s, void *user)
{
    overdue_state *o = user;
    if (s->state == SVCQ_INCIDENT_CLOSED || svcq__inc_final(s->state))
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
        if (deadline < o->at) {
            int rc = svcq__callback_rc(o->visit(s->id, id, deadline, o->user));
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
    overdue_state o = { at, visit, user_data };
    return svcq__inc_scan(ctx, overdue_one, &o);
}

typedef struct similar_state {
    const char *id, *simkey;
    svcq_time from, to;
    svcq_incident_visit_fn visit;
    void *user;
    uint32_t count;
} similar_state;

static int similar_one(svcq_ctx *ctx, const svcq__inc_summary *s, void *user)
{
    (void)ctx;
    similar_state *x = user;
    if (strcmp(s->id, x->id) == 0 || strcmp(s->simkey, x->simkey) != 0)
        return 0;
    if (x->from && s->reported_at < x->from)
        return 0;
    if (x->to && s->reported_at >= x->to)
        return 0;
    x->count++;
    return x->visit ? svcq__callback_rc(x->visit(s->id, x->user)) : 0;
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
    similar_state x = { inc->id, key.data, 0, 0, visit, user_data, 0 };
    rc = svcq__inc_scan(inc->ctx, similar_one, &x);
    svcq__buf_free(&key);
    return rc;
}

int svcq__inc_count_similar(svcq_ctx *ctx, const char *id, const char *simkey, svcq_time from, svcq_time to,
                            uint32_t *count)
{
    similar_state x = { id, simkey, from, to, NULL, NULL, 0 };
    int rc = svcq__inc_scan(ctx, similar_one, &x);
    if (!rc)
        *count = x.count;
    return rc;
}
