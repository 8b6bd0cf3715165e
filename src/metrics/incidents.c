/* Facts and report inputs from the incident archive, through the public
 * incident API only (getters, svcq_incident_export_json, the audit trail
 * as JSON, svcq_incident_list / _list_overdue / _similar).
 *
 * svcq_metrics_put_incident() turns an incident into its service fact;
 * svcq__mx_archive() counts what the weekly report takes from the archive
 * when the request asks for it (open incidents, overdue measures, the
 * reporters of the week). docs/metrics.md has the exact rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "metrics/metrics_internal.h"
#include "svcq/incident.h"

static int buf_write(const char *data, size_t size, void *ud)
{
    return svcq__buf_append(ud, data, size);
}

/* Parses what a writer call produced into *doc. */
static int parse_out(svcq_ctx *ctx, svcq__buf *b, svcq__json_doc **doc)
{
    return svcq__json_parse(ctx, b->data ? b->data : "", b->len, NULL, doc);
}

static int incident_doc(svcq_ctx *ctx, const svcq_incident *inc, svcq__json_doc **doc)
{
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = buf_write;
    w.user_data = &b;
    int rc = svcq_incident_export_json(inc, &w, 0);
    if (!rc)
        rc = parse_out(ctx, &b, doc);
    svcq__buf_free(&b);
    return rc;
}

static int trail_doc(svcq_ctx *ctx, const char *id, svcq__json_doc **doc)
{
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = buf_write;
    w.user_data = &b;
    int rc = svcq_incident_audit_export(ctx, id, &w, SVCQ_INCIDENT_TRAIL_JSON, NULL);
    if (!rc)
        rc = parse_out(ctx, &b, doc);
    svcq__buf_free(&b);
    return rc;
}

static int64_t member_int(const svcq__json *o, const char *key)
{
    int64_t v = 0;
    const svcq__json *x = svcq__json_get(o, key);
    return x && svcq__json_as_int(x, &v) ? v : 0;
}

static const char *member_str(const svcq__json *o, const char *key)
{
    const svcq__json *x = svcq__json_get(o, key);
    return x ? svcq__json_as_string(x, NULL) : NULL;
}

/* Ids collected by a walk of the archive (a visitor must not read the
 * store: the incidents are loaded after the walk). */
typedef struct id_list {
    svcq_ctx *ctx;
    char **ids;
    size_t n, cap;
} id_list;

static int collect_id(const char *id, void *ud)
{
    id_list *s = ud;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        char **p = svcq__reallocarray(s->ctx, s->ids, cap, sizeof(char *));
        if (!p)
            return SVCQ_ENOMEM;
        s->ids = p;
        s->cap = cap;
    }
    size_t len = strlen(id);
    char *c = svcq__malloc(s->ctx, len + 1);
    if (!c)
        return SVCQ_ENOMEM;
    memcpy(c, id, len + 1);
    s->ids[s->n++] = c;
    return 0;
}

/* Was a similar incident reported before inc (ties: the smaller id)? */
static int repeat_of(svcq_ctx *ctx, const svcq_incident *inc, int32_t *repeat)
{
    id_list s = { ctx, NULL, 0, 0 };
    int rc = svcq_incident_similar(inc, collect_id, &s);
    svcq_time reported = svcq_incident_reported_at(inc);
    const char *iid = svcq_incident_id(inc);
    *repeat = 0;
    for (size_t i = 0; !rc && i < s.n && !*repeat; i++) {
        svcq_incident *o;
        rc = svcq_incident_load(&o, ctx, s.ids[i]);
        if (rc)
            break;
        svcq_time t = svcq_incident_reported_at(o);
        svcq_incident_free(o);
        *repeat = t < reported || (t == reported && strcmp(s.ids[i], iid) < 0);
    }
    for (size_t i = 0; i < s.n; i++)
        svcq__free(ctx, s.ids[i]);
    svcq__free(ctx, s.ids);
    return rc;
}

int svcq_metrics_put_incident(svcq_metrics *m, const svcq_incident *inc, const svcq_metrics_fact *extra)
{
    if (!m || !inc)
        return svcq__error(m ? m->ctx : NULL, SVCQ_EINVAL, "svcq_metrics_put_incident: NULL argument");
    svcq_ctx *ctx = m->ctx;
    const char *iid = svcq_incident_id(inc);
    svcq_metrics_fact f = SVCQ_METRICS_FACT_INIT;
    if (extra) {
        if (extra->version == 0 || extra->version > SVCQ_METRICS_FACT_VERSION)
            return svcq__error(ctx, SVCQ_EVERSION, "metrics %s: incident %s: fact version %u is not 1 to %u", m->name,
                               iid, extra->version, SVCQ_METRICS_FACT_VERSION);
        f = *extra;
        f.version = SVCQ_METRICS_FACT_VERSION;
    }
    svcq__json_doc *doc = NULL, *trail = NULL;
    int rc = incident_doc(ctx, inc, &doc);
    if (!rc)
        rc = trail_doc(ctx, iid, &trail);
    if (rc) {
        svcq__json_doc_free(doc);
        return rc == SVCQ_ENOMEM ? svcq__enomem(ctx)
                                 : svcq__error_prefix(ctx, rc, "metrics %s: reading incident %s", m->name, iid);
    }
    const svcq__json *root = svcq__json_root(doc), *entries = svcq__json_root(trail);
    int32_t state = svcq_incident_state_of(inc);
    f.id = iid;
    const char *type = svcq_incident_type(inc), *client = svcq_incident_client(inc),
               *location = svcq_incident_location(inc), *stage = svcq_incident_stage(inc),
               *channel = member_str(root, "channel");
    if (client)
        f.client = client;
    if (channel)
        f.channel = channel;
    if (type)
        f.category = type;
    if (stage)
        f.stage = stage;
    if (location)
        f.location = location;
    if (type && !strcmp(type, SVCQ_INCIDENT_TYPE_CUSTOMER_COMPLAINT)) {
        f.complaint = 1;
        if (!(f.complaint_category && *f.complaint_category))
            f.complaint_category = stage;
    }
    f.received = svcq_incident_reported_at(inc);
    /* The response: the first judgement (confirmed or rejected). */
    f.first_reply = SVCQ_METRICS_NO_TIME;
    size_t n = svcq__json_array_size(entries);
    for (size_t i = 0; i < n; i++) {
        const svcq__json *e = svcq__json_array_get(entries, i);
        const char *a = member_str(e, "action");
        if (a && (!strcmp(a, "confirmed") || !strcmp(a, "rejected"))) {
            f.first_reply = member_int(e, "time");
            break;
        }
    }
    f.resolved = f.closed = SVCQ_METRICS_NO_TIME;
    if (state == SVCQ_INCIDENT_CLOSED)
        f.resolved = f.closed = member_int(root, "closed_at");
    else if (state == SVCQ_INCIDENT_REJECTED)
        f.resolved = f.closed = member_int(root, "state_since");
    if (f.first_reply != SVCQ_METRICS_NO_TIME && f.first_reply < f.received)
        f.first_reply = f.received;
    if (f.resolved != SVCQ_METRICS_NO_TIME && f.resolved < f.received)
        f.resolved = f.closed = f.received;
    f.reopened = SVCQ_METRICS_NO_TIME;
    /* Measures: due when done, or open past the deadline now; on time when
     * the "measure_done" entry of the trail is at or before the deadline. */
    f.measures_due = f.measures_on_time = 0;
    const svcq__json *ms = svcq__json_get(root, "measures");
    svcq_time now = svcq_ctx_now(ctx);
    for (size_t i = 0; ms && i < svcq__json_array_size(ms); i++) {
        const svcq__json *x = svcq__json_array_get(ms, i);
        const char *mid = member_str(x, "id"), *st = member_str(x, "state");
        int64_t deadline = member_int(x, "deadline");
        if (!mid || !st || !strcmp(st, "cancelled"))
            continue;
        if (!strcmp(st, "done")) {
            f.measures_due++;
            size_t ml = strlen(mid);
            for (size_t k = n; k-- > 0;) {
                const svcq__json *e = svcq__json_array_get(entries, k);
                const char *a = member_str(e, "action"), *after = member_str(e, "after");
                if (a && after && !strcmp(a, "measure_done") && !strncmp(after, mid, ml) && after[ml] == ' ') {
                    f.measures_on_time += !deadline || member_int(e, "time") <= deadline;
                    break;
                }
            }
        } else if (deadline && deadline < now) {
            f.measures_due++;
        }
    }
    /* Recurrence: a similar incident reported before this one. */
    rc = repeat_of(ctx, inc, &f.repeat);
    if (!rc)
        rc = svcq_metrics_fact_put(m, &f);
    else if (rc == SVCQ_ENOMEM)
        rc = svcq__enomem(ctx);
    else
        rc = svcq__error_prefix(ctx, rc, "metrics %s: incident %s: similar incidents", m->name, iid);
    svcq__json_doc_free(doc);
    svcq__json_doc_free(trail);
    return rc;
}

/* ---- the weekly report's archive inputs ------------------------------------------- */

typedef struct count_state {
    int64_t n;
} count_state;

static int count_visit(const char *id, void *ud)
{
    (void)id;
    ((count_state *)ud)->n++;
    return 0;
}

static int overdue_visit(const char *incident_id, const char *measure_id, svcq_time deadline, void *ud)
{
    (void)incident_id, (void)measure_id, (void)deadline;
    ((count_state *)ud)->n++;
    return 0;
}

typedef struct rep_state {
    svcq_metrics *m;
    svcq__mx_archive_in *a;
} rep_state;

static int reporter_add(rep_state *s, const char *id)
{
    svcq_ctx *ctx = s->m->ctx;
    svcq_incident *inc;
    int rc = svcq_incident_load(&inc, ctx, id);
    if (rc)
        return rc;
    svcq__json_doc *doc = NULL;
    rc = incident_doc(ctx, inc, &doc);
    svcq_incident_free(inc);
    if (rc)
        return rc;
    const char *name = member_str(svcq__json_root(doc), "reporter_name");
    svcq__mx_archive_in *a = s->a;
    if (name && *name) {
        uint32_t i = 0;
        while (i < a->n && strcmp(a->names[i], name))
            i++;
        if (i < a->n) {
            a->counts[i]++;
        } else if (a->n == SVCQ_METRICS_MAX_REPORTERS) {
            rc = svcq__error(ctx, SVCQ_ELIMIT, "metrics %s: more than %d reporters in the week", s->m->name,
                             SVCQ_METRICS_MAX_REPORTERS);
        } else {
            if (a->n == a->cap) {
                uint32_t cap = a->cap ? a->cap * 2 : 16;
                char **nn = svcq__reallocarray(ctx, a->names, cap, sizeof(char *));
                if (nn)
                    a->names = nn;
                int64_t *nc = nn ? svcq__reallocarray(ctx, a->counts, cap, sizeof(int64_t)) : NULL;
                if (nc)
                    a->counts = nc;
                if (!nn || !nc)
                    rc = SVCQ_ENOMEM;
                else
                    a->cap = cap;
            }
            size_t len = strnlen(name, SVCQ_METRICS_MAX_STRING);
            char *copy = rc ? NULL : svcq__malloc(ctx, len + 1);
            if (!rc && !copy)
                rc = SVCQ_ENOMEM;
            if (!rc) {
                memcpy(copy, name, len);
                copy[len] = '\0';
                a->names[a->n] = copy;
                a->counts[a->n++] = 1;
            }
        }
    }
    svcq__json_doc_free(doc);
    return rc;
}

void svcq__mx_archive_free(svcq_metrics *m, svcq__mx_archive_in *a)
{
    for (uint32_t i = 0; i < a->n; i++)
        svcq__free(m->ctx, a->names[i]);
    svcq__free(m->ctx, a->names);
    svcq__free(m->ctx, a->counts);
    memset(a, 0, sizeof(*a));
}

int svcq__mx_archive(svcq_metrics *m, uint32_t what, svcq_time start, svcq_time end, svcq__mx_archive_in *a)
{
    svcq_ctx *ctx = m->ctx;
    memset(a, 0, sizeof(*a));
    int rc = SVCQ_OK;
    if (what & SVCQ_METRICS_ARCHIVE_OPEN) {
        static const int32_t open_states[] = { SVCQ_INCIDENT_REPORTED,  SVCQ_INCIDENT_CONFIRMED,
                                               SVCQ_INCIDENT_ANALYSING, SVCQ_INCIDENT_PLANNING,
                                               SVCQ_INCIDENT_EXECUTING, SVCQ_INCIDENT_VERIFYING };
        count_state c = { 0 };
        for (size_t i = 0; !rc && i < sizeof(open_states) / sizeof(open_states[0]); i++) {
            svcq_incident_query q = SVCQ_INCIDENT_QUERY_INIT;
            q.state = open_states[i];
            q.to = end;
            rc = svcq_incident_list(ctx, &q, count_visit, &c);
        }
        a->open = c.n;
    }
    if (!rc && (what & SVCQ_METRICS_ARCHIVE_OVERDUE)) {
        count_state c = { 0 };
        rc = svcq_incident_list_overdue(ctx, end, overdue_visit, &c);
        a->overdue = c.n;
    }
    if (!rc && (what & SVCQ_METRICS_ARCHIVE_REPORTERS)) {
        svcq_incident_query q = SVCQ_INCIDENT_QUERY_INIT;
        q.from = start;
        q.to = end;
        id_list ids = { ctx, NULL, 0, 0 };
        rc = svcq_incident_list(ctx, &q, collect_id, &ids);
        rep_state s = { m, a };
        for (size_t i = 0; !rc && i < ids.n; i++)
            rc = reporter_add(&s, ids.ids[i]);
        for (size_t i = 0; i < ids.n; i++)
            svcq__free(ctx, ids.ids[i]);
        svcq__free(ctx, ids.ids);
    }
    if (rc) {
        svcq__mx_archive_free(m, a);
        if (rc == SVCQ_ENOMEM)
            return svcq__enomem(ctx);
        return svcq__error_prefix(ctx, rc, "metrics %s: weekly report from the incident archive", m->name);
    }
    return SVCQ_OK;
}
