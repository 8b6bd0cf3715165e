/* Orders of the general manager: lifecycle records of kind
 * "scorecard_order" (id = the order's id), schema "svcq.scorecard_order/1":
 *
 *   {"schema": "svcq.scorecard_order/1", "id": "o-17", "unit": "dept-3",
 *    "head": "Wang", "issued_at": 1767225600, "reply_seconds": 86400,
 *    "answered_at": 1767290000}
 *
 * ("answered_at" left out while unanswered). Every call is one store
 * transaction (or joins the open batch) with compare-and-swap; nothing is
 * kept in memory. The reply is judged by a real SLA clock: target "reply"
 * (start "issued", meet "answered", reply_seconds on the 7×24 calendar in
 * UTC), so the deadline rule is sla.h's: met when answered at or before
 * due, breached from due + 1 s. */
#include <stdio.h>
#include <string.h>

#include "core/str.h"
#include "scorecard/scorecard_internal.h"
#include "store/record.h"
#include "store/store.h"
#include "svcq/calendar.h"
#include "svcq/sla.h"

#define DAY 86400
#define REPLY_MAX (366 * DAY)

typedef struct order {
    const char *id, *unit, *head; /* borrowed from the document */
    svcq_time issued_at, answered_at; /* answered_at 0: unanswered */
    int64_t reply;
} order;

static int check_time(svcq_ctx *ctx, const char *what, const char *id, svcq_time t)
{
    svcq_time lo, hi;
    svcq_calendar_range(&lo, &hi);
    if (t == 0 || t == -1)
        return svcq__error(ctx, SVCQ_EINVAL, "order %s: %s %lld is the unset value", id, what, (long long)t);
    if (t < lo || t > hi)
        return svcq__error(ctx, SVCQ_ERANGE, "order %s: %s %lld is outside the calendar range", id, what,
                           (long long)t);
    return SVCQ_OK;
}

static int encode(svcq_ctx *ctx, const order *o, svcq__buf *out)
{
    svcq__jw w;
    svcq__jw_init_buf(&w, ctx, out);
    svcq__record_begin(&w, SVCQ__SC_ORDER_KIND, SVCQ__SC_ORDER_SCHEMA);
    svcq__jw_key(&w, "id");
    svcq__jw_string(&w, o->id);
    svcq__jw_key(&w, "unit");
    svcq__jw_string(&w, o->unit);
    svcq__jw_key(&w, "head");
    svcq__jw_string(&w, o->head);
    svcq__jw_key(&w, "issued_at");
    svcq__jw_int(&w, o->issued_at);
    svcq__jw_key(&w, "reply_seconds");
    svcq__jw_int(&w, o->reply);
    if (o->answered_at) {
        svcq__jw_key(&w, "answered_at");
        svcq__jw_int(&w, o->answered_at);
    }
    return svcq__record_end(&w);
}

static int decode(svcq_ctx *ctx, const char *id, const svcq__json *root, order *o)
{
    memset(o, 0, sizeof(*o));
    int rc = svcq__json_get_string(ctx, root, "id", true, &o->id, NULL);
    if (!rc)
        rc = svcq__json_get_string(ctx, root, "unit", true, &o->unit, NULL);
    if (!rc)
        rc = svcq__json_get_string(ctx, root, "head", true, &o->head, NULL);
    if (!rc)
        rc = svcq__json_get_int(ctx, root, "issued_at", true, &o->issued_at);
    if (!rc)
        rc = svcq__json_get_int(ctx, root, "reply_seconds", true, &o->reply);
    if (!rc)
        rc = svcq__json_get_int(ctx, root, "answered_at", false, &o->answered_at);
    if (!rc && strcmp(o->id, id) != 0)
        rc = svcq__error(ctx, SVCQ_ECORRUPT, "field \"id\" is \"%.64s\"", o->id);
    if (!rc && (o->reply < 1 || o->reply > REPLY_MAX))
        rc = svcq__error(ctx, SVCQ_ECORRUPT, "field \"reply_seconds\": %lld is out of range", (long long)o->reply);
    if (!rc)
        rc = check_time(ctx, "issued_at", id, o->issued_at);
    if (!rc && o->answered_at)
        rc = check_time(ctx, "answered_at", id, o->answered_at);
    if (!rc && o->answered_at && o->answered_at < o->issued_at)
        rc = svcq__error(ctx, SVCQ_ECORRUPT, "answered before it was issued");
    if (rc && rc != SVCQ_ENOMEM) {
        return svcq__error_prefix(ctx, SVCQ_ECORRUPT, "record scorecard_order \"%s\" does not decode", id);
    }
    return rc;
}

int svcq_scorecard_order_issue(svcq_ctx *ctx, const char *id, const char *unit, const char *head,
                               svcq_time issued_at, int64_t reply_seconds)
{
    if (!ctx)
        return SVCQ_EINVAL;
    int rc = svcq__sc_check_text(ctx, "order id", id, SVCQ__SC_SUBJECT_MAX, false);
    if (!rc) {
        char what[300];
        snprintf(what, sizeof(what), "order %s: unit", id);
        rc = svcq__sc_check_text(ctx, what, unit, SVCQ__SC_SUBJECT_MAX, false);
        snprintf(what, sizeof(what), "order %s: head", id);
        if (!rc)
            rc = svcq__sc_check_text(ctx, what, head, SVCQ__SC_SUBJECT_MAX, false);
    }
    if (!rc)
        rc = check_time(ctx, "issued_at", id, issued_at);
    if (rc)
        return rc;
    if (reply_seconds < 0 || reply_seconds > REPLY_MAX)
        return svcq__error(ctx, SVCQ_EINVAL, "order %s: reply_seconds %lld must be 0 (24 h) to %d", id,
                           (long long)reply_seconds, REPLY_MAX);
    order o = { id, unit, head, issued_at, 0, reply_seconds ? reply_seconds : DAY };
    svcq__buf json;
    svcq__buf_init(&json, ctx);
    rc = encode(ctx, &o, &json);
    svcq__tx tx;
    tx.began = false;
    if (!rc)
        rc = svcq__tx_begin(ctx, &tx);
    uint64_t rev = 0;
    if (!rc) {
        rc = svcq__store_put(ctx, SVCQ__SC_ORDER_KIND, id, 0, json.data, json.len, &rev);
        if (rc == SVCQ_ECONFLICT)
            rc = svcq__error(ctx, SVCQ_EEXIST, "order %s is already recorded", id);
    }
    svcq__buf_free(&json);
    return svcq__tx_end(ctx, &tx, rc);
}

int svcq_scorecard_order_answer(svcq_ctx *ctx, const char *id, svcq_time answered_at)
{
    if (!ctx)
        return SVCQ_EINVAL;
    int rc = svcq__sc_check_text(ctx, "order id", id, SVCQ__SC_SUBJECT_MAX, false);
    if (!rc)
        rc = check_time(ctx, "answered_at", id, answered_at);
    if (rc)
        return rc;
    svcq__tx tx;
    rc = svcq__tx_begin(ctx, &tx);
    svcq__json_doc *doc = NULL;
    uint32_t major;
    uint64_t rev = 0;
    order o;
    svcq__buf json;
    svcq__buf_init(&json, ctx);
    if (!rc) {
        rc = svcq__record_load(ctx, SVCQ__SC_ORDER_KIND, id, SVCQ__SC_ORDER_SCHEMA, &doc, &major, &rev);
        if (rc == SVCQ_ENOTFOUND)
            rc = svcq__error(ctx, rc, "order %s is not recorded", id);
    }
    if (!rc)
        rc = decode(ctx, id, svcq__json_root(doc), &o);
    if (!rc && o.answered_at) {
        char a[32];
        snprintf(a, sizeof(a), "%lld", (long long)o.answered_at);
        rc = svcq__error(ctx, SVCQ_ESTATE, "order %s was already answered (at %s)", id, a);
    }
    if (!rc && answered_at < o.issued_at)
        rc = svcq__error(ctx, SVCQ_EINVAL, "order %s: answered at %lld, before it was issued (%lld)", id,
                         (long long)answered_at, (long long)o.issued_at);
    if (!rc) {
        o.answered_at = answered_at;
        rc = encode(ctx, &o, &json);
    }
    if (!rc)
        rc = svcq__store_put(ctx, SVCQ__SC_ORDER_KIND, id, rev, json.data, json.len, &rev);
    svcq__buf_free(&json);
    svcq__json_doc_free(doc);
    return svcq__tx_end(ctx, &tx, rc);
}

/* ---- the reply clock --------------------------------------------------------- */

typedef struct reply_policies {
    svcq_sla_policy *p[4];
    int64_t secs[4];
    uint32_t n;
} reply_policies;

static void policies_free(reply_policies *rp)
{
    for (uint32_t i = 0; i < rp->n; i++)
        svcq_sla_policy_free(rp->p[i]);
    rp->n = 0;
}

static int policy_for(svcq_ctx *ctx, reply_policies *rp, int64_t secs, svcq_sla_policy **out)
{
    for (uint32_t i = 0; i < rp->n; i++)
        if (rp->secs[i] == secs) {
            *out = rp->p[i];
            return SVCQ_OK;
        }
    if (rp->n == 4) /* rare: several reply times in one evaluation */
        policies_free(rp);
    svcq_sla_policy *p;
    int rc = svcq_sla_policy_new(&p, ctx, "scorecard.order_reply", 1);
    if (rc)
        return rc;
    svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
    s.metric = "reply";
    s.start_event = "issued";
    s.meet_event = "answered";
    s.duration = secs;
    rc = svcq_sla_policy_add_target(p, &s);
    if (rc) {
        svcq_sla_policy_free(p);
        return rc;
    }
    rp->p[rp->n] = p;
    rp->secs[rp->n++] = secs;
    *out = p;
    return SVCQ_OK;
}

/* The reply's state at `at`: a clock fed the issue and, if it came by
 * then, the answer. */
static int reply_state(svcq_ctx *ctx, reply_policies *rp, const order *o, svcq_time at, int32_t *state,
                       svcq_time *due)
{
    svcq_sla_policy *p;
    int rc = policy_for(ctx, rp, o->reply, &p);
    if (rc)
        return rc;
    svcq_sla_clock *c;
    if ((rc = svcq_sla_clock_new(&c, p, o->id)))
        return rc;
    rc = svcq_sla_clock_event(c, "issued", o->issued_at, NULL);
    if (!rc && o->answered_at && o->answered_at <= at)
        rc = svcq_sla_clock_event(c, "answered", o->answered_at, NULL);
    svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
    if (!rc)
        rc = svcq_sla_clock_status(&st, c, 0, at < o->issued_at ? o->issued_at : at);
    svcq_sla_clock_free(c);
    if (rc)
        return rc;
    if (state)
        *state = at < o->issued_at ? SVCQ_SLA_PENDING : st.state;
    if (due)
        *due = st.due_at;
    return SVCQ_OK;
}

int svcq_scorecard_order_status(int32_t *state, svcq_time *due_at, svcq_ctx *ctx, const char *id, svcq_time at)
{
    if (!ctx || !id)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_scorecard_order_status: NULL %s", !ctx ? "ctx" : "id");
    int rc = svcq__sc_check_text(ctx, "order id", id, SVCQ__SC_SUBJECT_MAX, false);
    if (!rc)
        rc = check_time(ctx, "status instant", id, at);
    if (rc)
        return rc;
    svcq__json_doc *doc = NULL;
    uint32_t major;
    uint64_t rev;
    rc = svcq__record_load(ctx, SVCQ__SC_ORDER_KIND, id, SVCQ__SC_ORDER_SCHEMA, &doc, &major, &rev);
    if (rc == SVCQ_ENOTFOUND)
        rc = svcq__error(ctx, rc, "order %s is not recorded", id);
    order o;
    if (!rc)
        rc = decode(ctx, id, svcq__json_root(doc), &o);
    reply_policies rp = { { NULL }, { 0 }, 0 };
    if (!rc)
        rc = reply_state(ctx, &rp, &o, at, state, due_at);
    policies_free(&rp);
    svcq__json_doc_free(doc);
    return rc;
}

/* ---- counting breaches per head ------------------------------------------------ */

typedef struct scan_state {
    svcq_time from, to, at;
    const char *only_head; /* NULL: every head */
    reply_policies rp;
    svcq__sc_head *heads;
    uint32_t n, cap;
    int err;
} scan_state;

static int add_str(svcq_ctx *ctx, char ***list, uint32_t *n, const char *s)
{
    for (uint32_t i = 0; i < *n; i++)
        if (strcmp((*list)[i], s) == 0)
            return SVCQ_OK;
    char **l = svcq__reallocarray(ctx, *list, *n + 1, sizeof(*l));
    if (!l)
        return svcq__enomem(ctx);
    *list = l;
    char *copy = NULL;
    int rc = svcq__strdup(ctx, "name", s, &copy);
    if (rc)
        return rc;
    l[(*n)++] = copy;
    return SVCQ_OK;
}

void svcq__sc_heads_free(svcq_ctx *ctx, svcq__sc_head *heads, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        svcq__free(ctx, heads[i].head);
        for (uint32_t j = 0; j < heads[i].nunits; j++)
            svcq__free(ctx, heads[i].units[j]);
        for (uint32_t j = 0; j < heads[i].norders; j++)
            svcq__free(ctx, heads[i].orders[j]);
        svcq__free(ctx, heads[i].units);
        svcq__free(ctx, heads[i].orders);
    }
    svcq__free(ctx, heads);
}

static int visit(svcq_ctx *ctx, const char *id, uint64_t revision, const svcq__json *root, uint32_t major,
                 void *ud)
{
    (void)revision, (void)major;
    scan_state *s = ud;
    order o;
    int rc = decode(ctx, id, root, &o);
    if (rc)
        return rc;
    if (o.issued_at < s->from || o.issued_at >= s->to || (s->only_head && strcmp(o.head, s->only_head) != 0))
        return 0;
    int32_t state = 0;
    if ((rc = reply_state(ctx, &s->rp, &o, s->at, &state, NULL)))
        return rc;
    svcq__sc_head *h = NULL;
    for (uint32_t i = 0; i < s->n; i++)
        if (strcmp(s->heads[i].head, o.head) == 0)
            h = &s->heads[i];
    if (!h) {
        if (s->n == s->cap) {
            uint32_t cap = s->cap ? s->cap * 2 : 8;
            svcq__sc_head *nh = svcq__reallocarray(ctx, s->heads, cap, sizeof(*nh));
            if (!nh)
                return svcq__enomem(ctx);
            s->heads = nh;
            s->cap = cap;
        }
        h = &s->heads[s->n];
        memset(h, 0, sizeof(*h));
        if ((rc = svcq__strdup(ctx, "head", o.head, &h->head)))
            return rc;
        s->n++;
    }
    /* Every unit the head's orders of the period name; the breached orders. */
    if ((rc = add_str(ctx, &h->units, &h->nunits, o.unit)))
        return rc;
    if (state != SVCQ_SLA_BREACHED)
        return 0;
    h->breached++;
    return add_str(ctx, &h->orders, &h->norders, o.id);
}

static int scan(svcq_ctx *ctx, scan_state *s)
{
    int rc = svcq__record_scan(ctx, SVCQ__SC_ORDER_KIND, SVCQ__SC_ORDER_SCHEMA, visit, s);
    policies_free(&s->rp);
    if (rc) {
        svcq__sc_heads_free(ctx, s->heads, s->n);
        s->heads = NULL;
        s->n = 0;
    }
    return rc;
}

static void sort_strs(char **v, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++)
        for (uint32_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
            char *tmp = v[j];
            v[j] = v[j - 1];
            v[j - 1] = tmp;
        }
}

int svcq__sc_orders_heads(svcq_ctx *ctx, svcq_time from, svcq_time to, svcq_time at, svcq__sc_head **heads,
                          uint32_t *nheads)
{
    scan_state s;
    memset(&s, 0, sizeof(s));
    s.from = from;
    s.to = to;
    s.at = at;
    int rc = scan(ctx, &s);
    if (rc)
        return rc;
    /* Sorted (heads, their units and orders), so reasons come out the same
     * whatever order the store scans in. */
    for (uint32_t h = 0; h < s.n; h++) {
        sort_strs(s.heads[h].units, s.heads[h].nunits);
        sort_strs(s.heads[h].orders, s.heads[h].norders);
    }
    for (uint32_t i = 1; i < s.n; i++)
        for (uint32_t j = i; j > 0 && strcmp(s.heads[j - 1].head, s.heads[j].head) > 0; j--) {
            svcq__sc_head tmp = s.heads[j];
            s.heads[j] = s.heads[j - 1];
            s.heads[j - 1] = tmp;
        }
    *heads = s.heads;
    *nheads = s.n;
    return SVCQ_OK;
}

int svcq_scorecard_orders_breached(uint32_t *count, svcq_ctx *ctx, const char *head, svcq_time from, svcq_time to,
                                   svcq_time at)
{
    if (!count || !ctx || !head)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_scorecard_orders_breached: NULL %s",
                           !count ? "count" : !ctx ? "ctx" : "head");
    int rc = check_time(ctx, "evaluation instant", head, at);
    if (rc)
        return rc;
    scan_state s;
    memset(&s, 0, sizeof(s));
    s.from = from;
    s.to = to;
    s.at = at;
    s.only_head = head;
    if ((rc = scan(ctx, &s)))
        return rc;
    *count = s.n ? s.heads[0].breached : 0;
    svcq__sc_heads_free(ctx, s.heads, s.n);
    return SVCQ_OK;
}
