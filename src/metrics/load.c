/* Reading a stored set back: svcq_metrics_load().
 *
 * The facts of the set (kind metrics_fact, ids "<set>/...", read in id
 * order by a range scan that stops past the set's prefix) are put again
 * without storing, which rebuilds every rollup exactly; then each stored
 * rollup (kind metrics_rollup) is compared with the rebuilt one, member by
 * member, and gives it its revision, so that later puts compare-and-swap
 * the right records. A stored rollup that differs, a rebuilt one that was
 * never stored, or a stored one of a period or dimension the options do
 * not roll up is reported: the store and the options must describe the
 * same set. */
#include <stdio.h>
#include <string.h>

#include "calendar/civil.h"
#include "core/json.h"
#include "metrics/metrics_internal.h"
#include "store/record.h"

/* A visitor's "past the set's records": not an error code. */
#define MX_STOP 1

typedef struct load_state {
    svcq_metrics *m;
    char prefix[80];
    size_t plen;
    uint64_t facts, rollups;
} load_state;

static int get_time(svcq_ctx *ctx, const svcq__json *root, const char *key, svcq_time *out)
{
    const char *s = NULL;
    size_t len = 0;
    int rc = svcq__json_get_string(ctx, root, key, false, &s, &len);
    if (rc || !s)
        return rc;
    if (!svcq__mx_parse_time(s, len, out))
        return svcq__error(ctx, SVCQ_ECORRUPT, "field \"%s\": \"%.40s\" is not a time", key, s);
    return SVCQ_OK;
}

static int get_i32(svcq_ctx *ctx, const svcq__json *root, const char *key, int32_t *out)
{
    int64_t v = 0;
    int rc = svcq__json_get_int(ctx, root, key, true, &v);
    if (rc)
        return rc;
    if (v < INT32_MIN || v > INT32_MAX)
        return svcq__error(ctx, SVCQ_ECORRUPT, "field \"%s\": %lld is out of range", key, (long long)v);
    *out = (int32_t)v;
    return SVCQ_OK;
}

static int decode_fact(svcq_metrics *m, const svcq__json *root, uint64_t revision)
{
    svcq_ctx *ctx = m->ctx;
    svcq_metrics_fact f = SVCQ_METRICS_FACT_INIT;
    const char *target[SVCQ_METRICS_MAX_SLA];
    int32_t outcome[SVCQ_METRICS_MAX_SLA];
    static const char *const names[] = { "client", "tier", "channel", "category", "agent", "complaint_category",
                                         "location", "stage" };
    const char **strs[] = { &f.client, &f.tier, &f.channel, &f.category, &f.agent, &f.complaint_category,
                            &f.location, &f.stage };
    int rc = svcq__json_get_string(ctx, root, "id", true, &f.id, NULL);
    for (int i = 0; !rc && i < SVCQ__MX_NSTR; i++)
        rc = svcq__json_get_string(ctx, root, names[i], false, strs[i], NULL);
    if (!rc)
        rc = get_time(ctx, root, "received", &f.received);
    if (!rc)
        rc = get_time(ctx, root, "first_reply", &f.first_reply);
    if (!rc)
        rc = get_time(ctx, root, "resolved", &f.resolved);
    if (!rc)
        rc = get_time(ctx, root, "closed", &f.closed);
    if (!rc)
        rc = get_time(ctx, root, "reopened", &f.reopened);
    static const char *const ints[] = { "contacts", "agent_replies", "customer_replies", "csat",
                                        "complaint", "repeat", "measures_due", "measures_on_time" };
    int32_t *iv[] = { &f.contacts, &f.agent_replies, &f.customer_replies, &f.csat,
                      &f.complaint, &f.repeat, &f.measures_due, &f.measures_on_time };
    for (int i = 0; !rc && i < 8; i++)
        rc = get_i32(ctx, root, ints[i], iv[i]);
    const svcq__json *sla = NULL;
    if (!rc)
        rc = svcq__json_get_array(ctx, root, "sla", false, &sla);
    size_t n = sla ? svcq__json_array_size(sla) : 0;
    if (!rc && n > SVCQ_METRICS_MAX_SLA)
        rc = svcq__error(ctx, SVCQ_ECORRUPT, "field \"sla\": %zu outcomes, at most %d", n, SVCQ_METRICS_MAX_SLA);
    for (size_t i = 0; !rc && i < n; i++) {
        const svcq__json *e = svcq__json_array_get(sla, i);
        const char *o = NULL;
        rc = svcq__json_get_string(ctx, e, "target", true, &target[i], NULL);
        if (!rc)
            rc = svcq__json_get_string(ctx, e, "outcome", true, &o, NULL);
        if (!rc) {
            outcome[i] = -1;
            for (int32_t k = 0; k <= 2; k++)
                if (!strcmp(o, svcq_metrics_sla_outcome_name(k)))
                    outcome[i] = k;
            if (outcome[i] < 0)
                rc = svcq__error(ctx, SVCQ_ECORRUPT, "field \"sla\": unknown outcome \"%.20s\"", o);
        }
    }
    f.sla_targets = target;
    f.sla_outcomes = outcome;
    f.sla_count = (uint32_t)n;
    /* The put's refusals of a decoded fact mean damaged data too. */
    if (!rc)
        rc = svcq__mx_put_loaded(m, &f, revision);
    return rc;
}

static int fact_visit(svcq_ctx *ctx, const char *id, uint64_t revision, const svcq__json *root, uint32_t major,
                      void *user_data)
{
    (void)major;
    load_state *s = user_data;
    if (strncmp(id, s->prefix, s->plen))
        return MX_STOP;
    int rc = decode_fact(s->m, root, revision);
    if (rc == SVCQ_ENOMEM)
        return rc;
    if (rc)
        return svcq__error_prefix(ctx, rc == SVCQ_ECORRUPT || rc == SVCQ_EINVAL || rc == SVCQ_ERANGE ||
                                               rc == SVCQ_EVERSION
                                           ? SVCQ_ECORRUPT
                                           : rc,
                                  "record metrics_fact \"%s\"", id);
    s->facts++;
    return SVCQ_OK;
}

static int kind_of(const char *name, const char *(*fn)(int32_t), int32_t lo, int32_t hi)
{
    for (int32_t k = lo; k <= hi; k++)
        if (!strcmp(name, fn(k)))
            return k;
    return -1;
}

static int rollup_visit(svcq_ctx *ctx, const char *id, uint64_t revision, const svcq__json *root, uint32_t major,
                        void *user_data)
{
    (void)major;
    load_state *s = user_data;
    svcq_metrics *m = s->m;
    if (strncmp(id, s->prefix, s->plen))
        return MX_STOP;
    const char *pn = NULL, *first = NULL, *dn = NULL, *value = NULL;
    int rc = svcq__json_get_string(ctx, root, "period", true, &pn, NULL);
    if (!rc)
        rc = svcq__json_get_string(ctx, root, "first_day", true, &first, NULL);
    if (!rc)
        rc = svcq__json_get_string(ctx, root, "dim", true, &dn, NULL);
    if (!rc)
        rc = svcq__json_get_string(ctx, root, "value", true, &value, NULL);
    int32_t period = rc ? -1 : kind_of(pn, svcq_metrics_period_name, 1, 6);
    int32_t dim = rc ? -1 : kind_of(dn, svcq_metrics_dim_name, 0, SVCQ__MX_NDIM - 1);
    int y = 0, mo = 0, d = 0;
    if (!rc && (period < 0 || dim < 0 || sscanf(first, "%4d-%2d-%2d", &y, &mo, &d) != 3 || y < 1 || y > 9999 ||
                mo < 1 || mo > 12 || d < 1 || d > svcq__days_in_month(y, mo) ||
                (dim == SVCQ_METRICS_DIM_ALL) != (*value == '\0')))
        rc = svcq__error(ctx, SVCQ_ECORRUPT, "period \"%.20s\", first day \"%.20s\", dimension \"%.20s\" do not name a "
                                             "rollup", pn, first, dn);
    if (rc)
        return rc == SVCQ_ENOMEM ? rc : svcq__error_prefix(ctx, SVCQ_ECORRUPT, "record metrics_rollup \"%s\"", id);
    if (period != SVCQ_METRICS_DAY)
        return svcq__error(ctx, SVCQ_ECORRUPT,
                           "record metrics_rollup \"%s\": a rollup of period %s (only day rollups are stored; "
                           "longer periods are derived from them)",
                           id, pn);
    if (!(m->dims >> dim & 1))
        return svcq__error(ctx, SVCQ_EINVAL,
                           "metrics %s: the store holds rollup \"%s\" of period %s and dimension %s, which the "
                           "options do not roll up",
                           m->name, id, pn, dn);
    int64_t start = svcq__days_from_civil(y, mo, d);
    if (svcq__mx_period_start(period, start) != start)
        return svcq__error(ctx, SVCQ_ECORRUPT, "record metrics_rollup \"%s\": %s is not the first day of a %s", id,
                           first, pn);
    svcq__mx_rollup *r;
    if ((rc = svcq__mx_rollup_adopt(m, period, start, dim, value, &r)))
        return rc;
    /* The rebuilt rollup, as its record, against the stored one. */
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    svcq__json_doc *doc = NULL;
    rc = svcq__mx_tables(m, r);
    if (!rc)
        rc = svcq__mx_rollup_json(m, r, &b);
    if (!rc)
        rc = svcq__json_parse(ctx, b.data, b.len, NULL, &doc);
    if (!rc && !svcq__json_equal(svcq__json_root(doc), root))
        rc = svcq__error(ctx, SVCQ_ECORRUPT,
                         "metrics %s: stored rollup \"%s\" differs from the one its stored facts give (damaged "
                         "data, or options other than the ones it was stored with)",
                         m->name, id);
    svcq__json_doc_free(doc);
    svcq__buf_free(&b);
    if (rc)
        return rc == SVCQ_ENOMEM ? svcq__enomem(ctx) : rc;
    r->revision = revision;
    s->rollups++;
    return SVCQ_OK;
}

int svcq_metrics_load(svcq_metrics **out, svcq_ctx *ctx, const svcq_metrics_options *opts)
{
    if (out)
        *out = NULL;
    if (!out || !ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_metrics_load: NULL argument");
    svcq_metrics *m;
    int rc = svcq_metrics_new(&m, ctx, opts);
    if (rc)
        return rc;
    load_state s = { .m = m };
    s.plen = (size_t)snprintf(s.prefix, sizeof(s.prefix), "%s/", m->name);
    rc = svcq__record_scan_range(ctx, "metrics_fact", 1, s.prefix, 0, fact_visit, &s);
    if (rc == MX_STOP)
        rc = SVCQ_OK;
    if (!rc) {
        rc = svcq__record_scan_range(ctx, "metrics_rollup", 1, s.prefix, 0, rollup_visit, &s);
        if (rc == MX_STOP)
            rc = SVCQ_OK;
    }
    /* Every rollup the facts fill was stored with them. */
    if (!rc)
        rc = svcq__mx_flush(m);
    size_t it = 0;
    const void *k;
    size_t kl;
    void *v;
    while (!rc && svcq__map_next(&m->rollups, &it, &k, &kl, &v)) {
        const svcq__mx_rollup *r = v;
        if (r->revision == 0 && r->raised + r->resolved + r->rated + r->unrated + r->measures_due + r->sla_decided) {
            svcq__buf id;
            svcq__buf_init(&id, ctx);
            rc = svcq__mx_rollup_id(m, r, &id);
            rc = rc ? svcq__enomem(ctx)
                    : svcq__error(ctx, SVCQ_ECORRUPT,
                                  "metrics %s: rollup \"%s\" of the stored facts is not in the store (damaged data, "
                                  "or options other than the ones it was stored with)",
                                  m->name, id.data);
            svcq__buf_free(&id);
        }
    }
    if (rc) {
        svcq_metrics_free(m);
        return rc == SVCQ_ENOMEM ? svcq__enomem(ctx) : rc;
    }
    *out = m;
    return SVCQ_OK;
}
