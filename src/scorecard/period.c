/* Periods and their cards. A card is a lifecycle record of kind
 * "scorecard" under "<template>@<version>/<period>/<unit>" (docs/format.md):
 *
 *   {"schema": "svcq.scorecard/1", "template": "telecom-branch",
 *    "template_version": 1, "period": "2026-01", "starts_at": ...,
 *    "ends_at": ..., "unit": "branch-a", "closed": true, "closed_at": ...,
 *    "values": [{"item": "hotline_quality", "value": 30000},
 *               {"item": "key_accounts", "na": "no key accounts"}],
 *    "vetoes": [{"rule": "gm_orders", "reason": "...", "source": "orders"}],
 *    "log": [{"item": "...", "amount": 1000, "track": "person",
 *             "counterpart": "...", "note": "..."}],
 *    "corrections": [{"seq": 1, "at": ..., "item": "...", "from": 30000,
 *                     "to": 32000, "reason": "..."}]}
 *
 * Every change works on a copy of the card: the copy is changed, encoded
 * and written with compare-and-swap on the card's revision; only when
 * every write of the call succeeded are the copies swapped in, each swap
 * with an undo entry owned by the period (the old card goes back on
 * rollback, or is freed on commit). So a failing call leaves the period
 * exactly as it was, and a host batch that rolls back restores it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "scorecard/scorecard_internal.h"
#include "store/record.h"
#include "store/store.h"
#include "svcq/calendar.h"

#define ID_SIZE (SVCQ_STORE_MAX_ID + 1)

/* ---- cards in memory --------------------------------------------------------- */

static void veto_free(svcq_ctx *ctx, svcq__sc_veto *v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        svcq__free(ctx, v[i].rule);
        svcq__free(ctx, v[i].reason);
    }
    svcq__free(ctx, v);
}

static void card_free(svcq_ctx *ctx, svcq__sc_card *c)
{
    if (!c)
        return;
    for (uint32_t i = 0; i < c->nvalues; i++)
        svcq__free(ctx, c->values[i].na_reason);
    svcq__free(ctx, c->values);
    veto_free(ctx, c->vetoes, c->nvetoes);
    for (uint32_t i = 0; i < c->nlog; i++) {
        svcq__free(ctx, c->log[i].item);
        svcq__free(ctx, c->log[i].track);
        svcq__free(ctx, c->log[i].counterpart);
        svcq__free(ctx, c->log[i].note);
    }
    svcq__free(ctx, c->log);
    for (uint32_t i = 0; i < c->ncorr; i++) {
        svcq__free(ctx, c->corr[i].item);
        svcq__free(ctx, c->corr[i].reason);
    }
    svcq__free(ctx, c->corr);
    svcq__free(ctx, c);
}

static svcq__sc_card *card_new(svcq_ctx *ctx, uint32_t nvalues)
{
    svcq__sc_card *c = svcq__calloc(ctx, 1, sizeof(*c));
    if (!c)
        return NULL;
    c->nvalues = nvalues;
    if (nvalues && !(c->values = svcq__calloc(ctx, nvalues, sizeof(*c->values)))) {
        svcq__free(ctx, c);
        return NULL;
    }
    return c;
}

static int dup_opt(svcq_ctx *ctx, const char *s, char **out)
{
    *out = NULL;
    return s ? svcq__strdup(ctx, "text", s, out) : SVCQ_OK;
}

/* A deep copy with room for one more veto, log entry and correction, so
 * that the changes made to a copy need no further allocation but strings. */
static int card_clone(svcq_ctx *ctx, const svcq__sc_card *src, svcq__sc_card **out)
{
    *out = NULL;
    svcq__sc_card *c = card_new(ctx, src->nvalues);
    if (!c)
        return svcq__enomem(ctx);
    c->revision = src->revision;
    c->closed = src->closed;
    c->closed_at = src->closed_at;
    int rc = SVCQ_OK;
    for (uint32_t i = 0; !rc && i < src->nvalues; i++) {
        c->values[i] = src->values[i];
        c->values[i].na_reason = NULL;
        rc = dup_opt(ctx, src->values[i].na_reason, &c->values[i].na_reason);
    }
    if (!rc && !(c->vetoes = svcq__calloc(ctx, src->nvetoes + 1, sizeof(*c->vetoes))))
        rc = svcq__enomem(ctx);
    for (uint32_t i = 0; !rc && i < src->nvetoes; i++) {
        c->vetoes[i].from_orders = src->vetoes[i].from_orders;
        c->nvetoes++;
        if (!(rc = dup_opt(ctx, src->vetoes[i].rule, &c->vetoes[i].rule)))
            rc = dup_opt(ctx, src->vetoes[i].reason, &c->vetoes[i].reason);
    }
    if (!rc && !(c->log = svcq__calloc(ctx, src->nlog + 1, sizeof(*c->log))))
        rc = svcq__enomem(ctx);
    for (uint32_t i = 0; !rc && i < src->nlog; i++) {
        const svcq__sc_log *l = &src->log[i];
        c->log[i].amount = l->amount;
        c->nlog++;
        if (!(rc = dup_opt(ctx, l->item, &c->log[i].item)) && !(rc = dup_opt(ctx, l->track, &c->log[i].track)) &&
            !(rc = dup_opt(ctx, l->counterpart, &c->log[i].counterpart)))
            rc = dup_opt(ctx, l->note, &c->log[i].note);
    }
    if (!rc && !(c->corr = svcq__calloc(ctx, src->ncorr + 1, sizeof(*c->corr))))
        rc = svcq__enomem(ctx);
    for (uint32_t i = 0; !rc && i < src->ncorr; i++) {
        c->corr[i] = src->corr[i];
        c->corr[i].item = c->corr[i].reason = NULL;
        c->ncorr++;
        if (!(rc = dup_opt(ctx, src->corr[i].item, &c->corr[i].item)))
            rc = dup_opt(ctx, src->corr[i].reason, &c->corr[i].reason);
    }
    if (rc) {
        card_free(ctx, c);
        return rc == SVCQ_EINVAL ? svcq__enomem(ctx) : rc;
    }
    *out = c;
    return SVCQ_OK;
}

/* ---- record form ----------------------------------------------------------------- */

static void card_id(const svcq_scorecard_period *p, const char *unit, char out[ID_SIZE])
{
    snprintf(out, ID_SIZE, "%s@%u/%s/%s", p->tpl->name, p->tpl->version, p->label, unit);
}

static int card_encode(const svcq_scorecard_period *p, const char *unit, const svcq__sc_card *c, svcq__buf *out)
{
    const svcq_scorecard_template *t = p->tpl;
    svcq__jw w;
    svcq__jw_init_buf(&w, p->ctx, out);
    svcq__record_begin(&w, SVCQ__SC_CARD_KIND, SVCQ__SC_CARD_SCHEMA);
    svcq__jw_key(&w, "template");
    svcq__jw_string(&w, t->name);
    svcq__jw_key(&w, "template_version");
    svcq__jw_int(&w, t->version);
    svcq__jw_key(&w, "period");
    svcq__jw_string(&w, p->label);
    svcq__jw_key(&w, "starts_at");
    svcq__jw_int(&w, p->starts_at);
    svcq__jw_key(&w, "ends_at");
    svcq__jw_int(&w, p->ends_at);
    svcq__jw_key(&w, "unit");
    svcq__jw_string(&w, unit);
    svcq__jw_key(&w, "closed");
    svcq__jw_bool(&w, c->closed);
    if (c->closed) {
        svcq__jw_key(&w, "closed_at");
        svcq__jw_int(&w, c->closed_at);
    }
    svcq__jw_key(&w, "values");
    svcq__jw_array_begin(&w);
    for (uint32_t i = 0; i < c->nvalues; i++) {
        const svcq__sc_value *v = &c->values[i];
        if (!v->set && !v->na)
            continue;
        svcq__jw_object_begin(&w);
        svcq__jw_key(&w, "item");
        svcq__jw_string(&w, t->items[i].key);
        if (v->set) {
            svcq__jw_key(&w, "value");
            svcq__jw_int(&w, v->value);
        }
        if (v->na) {
            svcq__jw_key(&w, "na");
            svcq__jw_string(&w, v->na_reason);
        }
        svcq__jw_object_end(&w);
    }
    svcq__jw_array_end(&w);
    svcq__jw_key(&w, "vetoes");
    svcq__jw_array_begin(&w);
    for (uint32_t i = 0; i < c->nvetoes; i++) {
        svcq__jw_object_begin(&w);
        svcq__jw_key(&w, "rule");
        svcq__jw_string(&w, c->vetoes[i].rule);
        svcq__jw_key(&w, "reason");
        svcq__jw_string(&w, c->vetoes[i].reason);
        svcq__jw_key(&w, "source");
        svcq__jw_string(&w, c->vetoes[i].from_orders ? "orders" : "manual");
        svcq__jw_object_end(&w);
    }
    svcq__jw_array_end(&w);
    svcq__jw_key(&w, "log");
    svcq__jw_array_begin(&w);
    for (uint32_t i = 0; i < c->nlog; i++) {
        const svcq__sc_log *l = &c->log[i];
        svcq__jw_object_begin(&w);
        svcq__jw_key(&w, "item");
        svcq__jw_string(&w, l->item);
        svcq__jw_key(&w, "amount");
        svcq__jw_int(&w, l->amount);
        svcq__jw_key(&w, "track");
        svcq__jw_string(&w, l->track);
        svcq__jw_key(&w, "counterpart");
        svcq__jw_string(&w, l->counterpart);
        if (l->note) {
            svcq__jw_key(&w, "note");
            svcq__jw_string(&w, l->note);
        }
        svcq__jw_object_end(&w);
    }
    svcq__jw_array_end(&w);
    svcq__jw_key(&w, "corrections");
    svcq__jw_array_begin(&w);
    for (uint32_t i = 0; i < c->ncorr; i++) {
        const svcq__sc_correction *k = &c->corr[i];
        svcq__jw_object_begin(&w);
        svcq__jw_key(&w, "seq");
        svcq__jw_int(&w, k->seq);
        svcq__jw_key(&w, "at");
        svcq__jw_int(&w, k->at);
        svcq__jw_key(&w, "item");
        svcq__jw_string(&w, k->item);
        if (k->had) {
            svcq__jw_key(&w, "from");
            svcq__jw_int(&w, k->from);
        }
        svcq__jw_key(&w, "to");
        svcq__jw_int(&w, k->to);
        svcq__jw_key(&w, "reason");
        svcq__jw_string(&w, k->reason);
        svcq__jw_object_end(&w);
    }
    svcq__jw_array_end(&w);
    return svcq__record_end(&w);
}

static int get_str(svcq_ctx *ctx, const svcq__json *o, const char *key, bool required, char **out)
{
    const char *s = NULL;
    int rc = svcq__json_get_string(ctx, o, key, required, &s, NULL);
    if (rc || !s)
        return rc;
    rc = svcq__strdup(ctx, key, s, out);
    return rc == SVCQ_EINVAL ? svcq__error(ctx, SVCQ_ECORRUPT, "field \"%s\": invalid text", key) : rc;
}

/* Decodes a card record of p's template: *unit (borrowed from the
 * document), and bounds and label that must match p's when p->label is
 * set (else they are taken). */
static int card_decode(svcq_scorecard_period *p, const svcq__json *root, const char **unit, svcq__sc_card **out)
{
    svcq_ctx *ctx = p->ctx;
    const svcq_scorecard_template *t = p->tpl;
    const char *tname = NULL, *label = NULL;
    int64_t tver = 0, starts = 0, ends = 0, closed_at = 0;
    bool closed = false;
    const svcq__json *values = NULL, *vetoes = NULL, *log = NULL, *corr = NULL;
    int rc = svcq__json_get_string(ctx, root, "template", true, &tname, NULL);
    if (!rc)
        rc = svcq__json_get_int(ctx, root, "template_version", true, &tver);
    if (!rc)
        rc = svcq__json_get_string(ctx, root, "period", true, &label, NULL);
    if (!rc)
        rc = svcq__json_get_int(ctx, root, "starts_at", true, &starts);
    if (!rc)
        rc = svcq__json_get_int(ctx, root, "ends_at", true, &ends);
    if (!rc)
        rc = svcq__json_get_string(ctx, root, "unit", true, unit, NULL);
    if (!rc)
        rc = svcq__json_get_bool(ctx, root, "closed", true, &closed);
    if (!rc && closed)
        rc = svcq__json_get_int(ctx, root, "closed_at", true, &closed_at);
    if (!rc)
        rc = svcq__json_get_array(ctx, root, "values", true, &values);
    if (!rc)
        rc = svcq__json_get_array(ctx, root, "vetoes", true, &vetoes);
    if (!rc)
        rc = svcq__json_get_array(ctx, root, "log", true, &log);
    if (!rc)
        rc = svcq__json_get_array(ctx, root, "corrections", true, &corr);
    if (rc)
        return rc;
    if (strcmp(tname, t->name) != 0 || tver != t->version || strcmp(label, p->label) != 0)
        return svcq__error(ctx, SVCQ_ECORRUPT, "the card is of template %s v%lld, period %s", tname, (long long)tver,
                           label);
    if (starts != p->starts_at || ends != p->ends_at)
        return svcq__error(ctx, SVCQ_ECORRUPT, "the card's period bounds differ from the period's other cards");
    if (svcq__sc_check_text(ctx, "unit", *unit, SVCQ__SC_SUBJECT_MAX, false))
        return SVCQ_ECORRUPT;
    if (svcq__json_array_size(vetoes) > SVCQ__SC_MAX_VETOES * 64 || svcq__json_array_size(log) > SVCQ__SC_MAX_LOG ||
        svcq__json_array_size(corr) > SVCQ__SC_MAX_LOG)
        return svcq__error(ctx, SVCQ_ECORRUPT, "too many vetoes, log entries or corrections");
    svcq__sc_card *c = card_new(ctx, t->nitems);
    if (!c)
        return svcq__enomem(ctx);
    c->closed = closed;
    c->closed_at = closed_at;
    size_t nv = svcq__json_array_size(vetoes), nl = svcq__json_array_size(log), nc = svcq__json_array_size(corr);
    if (!(c->vetoes = svcq__calloc(ctx, nv + 1, sizeof(*c->vetoes))) ||
        !(c->log = svcq__calloc(ctx, nl + 1, sizeof(*c->log))) ||
        !(c->corr = svcq__calloc(ctx, nc + 1, sizeof(*c->corr))))
        rc = svcq__enomem(ctx);
    for (size_t i = 0; !rc && i < svcq__json_array_size(values); i++) {
        const svcq__json *v = svcq__json_array_get(values, i);
        const char *item = NULL;
        int64_t value = 0;
        rc = svcq__json_get_string(ctx, v, "item", true, &item, NULL);
        int32_t j = rc ? -1 : svcq__sc_item_find(t, item);
        if (!rc && j < 0)
            rc = svcq__error(ctx, SVCQ_ECORRUPT, "item \"%.64s\" is not in the template", item);
        if (!rc && (c->values[j].set || c->values[j].na))
            rc = svcq__error(ctx, SVCQ_ECORRUPT, "item %s appears twice", item);
        if (!rc && svcq__json_get(v, "value")) {
            rc = svcq__json_get_int(ctx, v, "value", true, &value);
            if (!rc && svcq__sc_check_value(ctx, &t->items[j], *unit, value))
                rc = SVCQ_ECORRUPT;
            c->values[j].set = true;
            c->values[j].value = value;
        }
        if (!rc && svcq__json_get(v, "na")) {
            rc = get_str(ctx, v, "na", true, &c->values[j].na_reason);
            c->values[j].na = true;
        }
        if (!rc && !c->values[j].set && !c->values[j].na)
            rc = svcq__error(ctx, SVCQ_ECORRUPT, "item %s has neither a value nor an N/A reason", item);
    }
    for (size_t i = 0; !rc && i < nv; i++) {
        const svcq__json *v = svcq__json_array_get(vetoes, i);
        const char *src = NULL;
        svcq__sc_veto *x = &c->vetoes[c->nvetoes++];
        if (!(rc = get_str(ctx, v, "rule", true, &x->rule)) && !(rc = get_str(ctx, v, "reason", true, &x->reason)))
            rc = svcq__json_get_string(ctx, v, "source", true, &src, NULL);
        if (!rc && svcq__sc_veto_find(t, x->rule) < 0)
            rc = svcq__error(ctx, SVCQ_ECORRUPT, "veto rule \"%.64s\" is not in the template", x->rule);
        if (!rc)
            x->from_orders = strcmp(src, "orders") == 0;
    }
    for (size_t i = 0; !rc && i < nl; i++) {
        const svcq__json *v = svcq__json_array_get(log, i);
        svcq__sc_log *l = &c->log[c->nlog++];
        if (!(rc = get_str(ctx, v, "item", true, &l->item)) && !(rc = get_str(ctx, v, "track", true, &l->track)) &&
            !(rc = get_str(ctx, v, "counterpart", true, &l->counterpart)) &&
            !(rc = get_str(ctx, v, "note", false, &l->note)))
            rc = svcq__json_get_int(ctx, v, "amount", true, &l->amount);
    }
    for (size_t i = 0; !rc && i < nc; i++) {
        const svcq__json *v = svcq__json_array_get(corr, i);
        svcq__sc_correction *k = &c->corr[c->ncorr++];
        int64_t seq = 0;
        rc = svcq__json_get_int(ctx, v, "seq", true, &seq);
        k->seq = (uint32_t)seq;
        if (!rc)
            rc = svcq__json_get_int(ctx, v, "at", true, &k->at);
        if (!rc)
            rc = get_str(ctx, v, "item", true, &k->item);
        if (!rc && svcq__json_get(v, "from")) {
            k->had = true;
            rc = svcq__json_get_int(ctx, v, "from", true, &k->from);
        }
        if (!rc)
            rc = svcq__json_get_int(ctx, v, "to", true, &k->to);
        if (!rc)
            rc = get_str(ctx, v, "reason", true, &k->reason);
    }
    if (rc) {
        card_free(ctx, c);
        return rc == SVCQ_ENOMEM ? rc : SVCQ_ECORRUPT;
    }
    *out = c;
    return SVCQ_OK;
}

/* ---- the period ------------------------------------------------------------------- */

int32_t svcq__sc_card_find(const svcq_scorecard_period *p, const char *unit)
{
    void *v = svcq__map_get(&p->index, unit, strlen(unit));
    return v ? (int32_t)((uintptr_t)v - 1) : -1;
}

static int grow(svcq_scorecard_period *p, uint32_t need)
{
    if (need <= p->cap)
        return SVCQ_OK;
    uint32_t cap = p->cap ? p->cap * 2 : 8;
    while (cap < need)
        cap *= 2;
    svcq_ctx *ctx = p->ctx;
    svcq__sc_card **cards = svcq__reallocarray(ctx, p->cards, cap, sizeof(*cards));
    if (!cards)
        return svcq__enomem(ctx);
    p->cards = cards;
    char **units = svcq__reallocarray(ctx, p->units, cap, sizeof(*units));
    if (!units)
        return svcq__enomem(ctx);
    p->units = units;
    svcq__sc_eval *eval = svcq__reallocarray(ctx, p->eval, cap, sizeof(*eval));
    if (!eval)
        return svcq__enomem(ctx);
    memset(eval + p->cap, 0, (cap - p->cap) * sizeof(*eval));
    p->eval = eval;
    p->cap = cap;
    return svcq__map_reserve(&p->index, cap) ? svcq__enomem(ctx) : SVCQ_OK;
}

static int period_alloc(svcq_scorecard_template *t, const char *label, svcq_time starts, svcq_time ends,
                        svcq_scorecard_period **out)
{
    svcq_ctx *ctx = t->ctx;
    svcq_scorecard_period *p = svcq__calloc(ctx, 1, sizeof(*p));
    if (!p)
        return svcq__enomem(ctx);
    p->ctx = ctx;
    p->starts_at = starts;
    p->ends_at = ends;
    svcq__map_init(&p->index, ctx);
    int rc = svcq__strdup(ctx, "period label", label, &p->label);
    if (rc) {
        svcq__free(ctx, p);
        return rc;
    }
    svcq__sc_template_ref(t);
    p->tpl = t;
    *out = p;
    return SVCQ_OK;
}

static int check_bounds(svcq_ctx *ctx, const char *label, svcq_time starts, svcq_time ends)
{
    svcq_time lo, hi;
    svcq_calendar_range(&lo, &hi);
    if (starts == 0 || starts == -1 || ends == 0 || ends == -1)
        return svcq__error(ctx, SVCQ_EINVAL, "period %s: an unset instant (0 or -1) as a bound", label);
    if (starts < lo || ends > hi || starts >= ends)
        return svcq__error(ctx, SVCQ_EINVAL, "period %s: bounds %lld to %lld are not an interval in the calendar "
                           "range", label, (long long)starts, (long long)ends);
    return SVCQ_OK;
}

int svcq_scorecard_period_new(svcq_scorecard_period **out, svcq_scorecard_template *t, const char *label,
                              svcq_time starts_at, svcq_time ends_at)
{
    if (out)
        *out = NULL;
    if (!out || !t)
        return svcq__error(t ? t->ctx : NULL, SVCQ_EINVAL, "svcq_scorecard_period_new: NULL %s",
                           !out ? "out" : "template");
    int rc = svcq__sc_check_label(t->ctx, "period label", label);
    if (!rc)
        rc = check_bounds(t->ctx, label, starts_at, ends_at);
    if (!rc)
        rc = period_alloc(t, label, starts_at, ends_at, out);
    return rc;
}

static void eval_clear(svcq_ctx *ctx, svcq__sc_eval *e)
{
    veto_free(ctx, e->vetoes, e->n);
    e->vetoes = NULL;
    e->n = 0;
}

void svcq_scorecard_period_free(svcq_scorecard_period *p)
{
    if (!p)
        return;
    svcq_ctx *ctx = p->ctx;
    svcq__undo_detach(ctx, p);
    for (uint32_t i = 0; i < p->ncards; i++) {
        card_free(ctx, p->cards[i]);
        svcq__free(ctx, p->units[i]);
        eval_clear(ctx, &p->eval[i]);
    }
    svcq__free(ctx, p->cards);
    svcq__free(ctx, p->units);
    svcq__free(ctx, p->eval);
    svcq__map_free(&p->index);
    svcq__free(ctx, p->label);
    svcq_scorecard_template_free(p->tpl);
    svcq__free(ctx, p);
}

typedef struct load_state {
    svcq_scorecard_period *p;
    const char *prefix;
    size_t prefix_len;
    bool have_bounds;
} load_state;

static int load_visit(svcq_ctx *ctx, const char *id, uint64_t revision, const svcq__json *root, uint32_t major,
                      void *ud)
{
    (void)major;
    load_state *s = ud;
    svcq_scorecard_period *p = s->p;
    if (strncmp(id, s->prefix, s->prefix_len) != 0)
        return 0;
    if (!s->have_bounds) {
        int64_t a = 0, b = 0;
        int rc = svcq__json_get_int(ctx, root, "starts_at", true, &a);
        if (!rc)
            rc = svcq__json_get_int(ctx, root, "ends_at", true, &b);
        if (rc)
            return svcq__error(ctx, SVCQ_ECORRUPT, "record scorecard \"%s\": %s", id, svcq_ctx_errmsg(ctx));
        p->starts_at = a;
        p->ends_at = b;
        s->have_bounds = true;
    }
    const char *unit = NULL;
    svcq__sc_card *c = NULL;
    int rc = grow(p, p->ncards + 1);
    if (!rc) {
        rc = card_decode(p, root, &unit, &c);
        if (rc && rc != SVCQ_ENOMEM) {
            return svcq__error_prefix(ctx, SVCQ_ECORRUPT, "record scorecard \"%s\"", id);
        }
    }
    if (!rc && strcmp(id + s->prefix_len, unit) != 0) {
        card_free(ctx, c);
        return svcq__error(ctx, SVCQ_ECORRUPT, "record scorecard \"%s\" holds unit \"%s\"", id, unit);
    }
    char *u = NULL;
    if (!rc && (rc = svcq__strdup(ctx, "unit", unit, &u)) == SVCQ_OK) {
        c->revision = revision;
        p->cards[p->ncards] = c;
        p->units[p->ncards] = u;
        (void)svcq__map_put(&p->index, u, strlen(u), (void *)(uintptr_t)(p->ncards + 1), NULL);
        p->ncards++;
        if (c->closed)
            p->closed = true;
        return 0;
    }
    card_free(ctx, c);
    return rc;
}

static int cmp_unit(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b); /* a pair starts with its unit */
}

int svcq_scorecard_period_load(svcq_scorecard_period **out, svcq_scorecard_template *t, const char *label)
{
    if (out)
        *out = NULL;
    if (!out || !t)
        return svcq__error(t ? t->ctx : NULL, SVCQ_EINVAL, "svcq_scorecard_period_load: NULL %s",
                           !out ? "out" : "template");
    svcq_ctx *ctx = t->ctx;
    int rc = svcq__sc_check_label(ctx, "period label", label);
    if (rc)
        return rc;
    svcq_scorecard_period *p;
    if ((rc = period_alloc(t, label, 0, 0, &p)))
        return rc;
    char prefix[ID_SIZE];
    snprintf(prefix, sizeof(prefix), "%s@%u/%s/", t->name, t->version, label);
    load_state s = { p, prefix, strlen(prefix), false };
    rc = svcq__record_scan(ctx, SVCQ__SC_CARD_KIND, SVCQ__SC_CARD_SCHEMA, load_visit, &s);
    if (!rc && p->ncards == 0)
        rc = svcq__error(ctx, SVCQ_ENOTFOUND, "period %s of scorecard template %s v%u has no stored card", label,
                         t->name, t->version);
    if (rc) {
        svcq_scorecard_period_free(p);
        return rc;
    }
    /* Sorted by unit: the store scans in no particular order. */
    typedef struct { char *unit; svcq__sc_card *card; } pair;
    pair *pairs = svcq__calloc(ctx, p->ncards, sizeof(*pairs));
    if (!pairs) {
        svcq_scorecard_period_free(p);
        return svcq__enomem(ctx);
    }
    for (uint32_t i = 0; i < p->ncards; i++)
        pairs[i] = (pair){ p->units[i], p->cards[i] };
    qsort(pairs, p->ncards, sizeof(*pairs), cmp_unit);
    for (uint32_t i = 0; i < p->ncards; i++) {
        p->units[i] = pairs[i].unit;
        p->cards[i] = pairs[i].card;
        (void)svcq__map_put(&p->index, p->units[i], strlen(p->units[i]), (void *)(uintptr_t)(i + 1), NULL);
    }
    svcq__free(ctx, pairs);
    *out = p;
    return SVCQ_OK;
}

const char *svcq_scorecard_period_label(const svcq_scorecard_period *p)
{
    return p ? p->label : "";
}

int32_t svcq_scorecard_period_closed(const svcq_scorecard_period *p)
{
    return p && p->closed ? 1 : 0;
}

uint32_t svcq_scorecard_period_unit_count(const svcq_scorecard_period *p)
{
    return p ? p->ncards : 0;
}

const char *svcq_scorecard_period_unit(const svcq_scorecard_period *p, uint32_t index)
{
    return p && index < p->ncards ? p->units[index] : NULL;
}

/* ---- writing cards through ---------------------------------------------------------- */

typedef struct swap {
    svcq_scorecard_period *p;
    uint32_t idx;
    svcq__sc_card *old;
} swap;

static void swap_undo(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    swap *s = data;
    card_free(ctx, s->p->cards[s->idx]);
    s->p->cards[s->idx] = s->old;
    svcq__free(ctx, s);
}

static void swap_release(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    swap *s = data;
    card_free(ctx, s->old);
    svcq__free(ctx, s);
}

static void closed_undo(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    ((svcq_scorecard_period *)data)->closed = arg != 0;
}

/* Writes next[i] as the new content of card idx[i] (each a copy of it),
 * all in one transaction, and swaps them in when every write succeeded.
 * Takes ownership of next[] in every case. close: also marks the period
 * closed. */
static int write_cards(svcq_scorecard_period *p, uint32_t n, const uint32_t *idx, svcq__sc_card **next, bool close)
{
    svcq_ctx *ctx = p->ctx;
    swap **swaps = svcq__calloc(ctx, n ? n : 1, sizeof(*swaps));
    svcq__tx tx;
    tx.began = false;
    int rc = swaps ? SVCQ_OK : svcq__enomem(ctx);
    for (uint32_t i = 0; !rc && i < n; i++)
        if (!(swaps[i] = svcq__malloc(ctx, sizeof(swap))))
            rc = svcq__enomem(ctx);
    if (!rc)
        rc = svcq__tx_begin(ctx, &tx);
    if (!rc)
        rc = svcq__undo_reserve(ctx, n + (close ? 1 : 0));
    svcq__buf json;
    svcq__buf_init(&json, ctx);
    for (uint32_t i = 0; !rc && i < n; i++) {
        char id[ID_SIZE];
        card_id(p, p->units[idx[i]], id);
        svcq__buf_truncate(&json, 0);
        rc = card_encode(p, p->units[idx[i]], next[i], &json);
        uint64_t rev = 0;
        if (!rc)
            rc = svcq__store_put(ctx, SVCQ__SC_CARD_KIND, id, next[i]->revision, json.data, json.len, &rev);
        if (rc == SVCQ_ECONFLICT)
            rc = svcq__error(ctx, rc, "card %s of period %s: the stored card changed since this period read it "
                             "(revision %llu): load the period again", p->units[idx[i]], p->label,
                             (unsigned long long)next[i]->revision);
        next[i]->revision = rev;
    }
    svcq__buf_free(&json);
    if (!rc) {
        for (uint32_t i = 0; i < n; i++) {
            swaps[i]->p = p;
            swaps[i]->idx = idx[i];
            swaps[i]->old = p->cards[idx[i]];
            p->cards[idx[i]] = next[i];
            (void)svcq__undo_push_for(ctx, p, swap_undo, swap_release, swaps[i], 0);
            next[i] = NULL;
            swaps[i] = NULL;
        }
        if (close) {
            (void)svcq__undo_push_for(ctx, p, closed_undo, NULL, p, p->closed);
            p->closed = true;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        card_free(ctx, next[i]);
        if (swaps)
            svcq__free(ctx, swaps[i]);
    }
    svcq__free(ctx, swaps);
    return svcq__tx_end(ctx, &tx, rc);
}

static void add_undo(svcq_ctx *ctx, void *data, uint64_t arg)
{
    svcq_scorecard_period *p = data;
    uint32_t i = (uint32_t)arg;
    (void)svcq__map_remove(&p->index, p->units[i], strlen(p->units[i]));
    card_free(ctx, p->cards[i]);
    svcq__free(ctx, p->units[i]);
    eval_clear(ctx, &p->eval[i]);
    p->ncards = i;
}

static int check_open(svcq_scorecard_period *p, const char *fn)
{
    if (p->closed)
        return svcq__error(p->ctx, SVCQ_ESTATE, "%s: period %s is closed: its cards are frozen (correct a value with "
                           "svcq_scorecard_correct and a reason)", fn, p->label);
    return SVCQ_OK;
}

int svcq_scorecard_period_add_unit(svcq_scorecard_period *p, const char *unit)
{
    if (!p)
        return svcq__error(NULL, SVCQ_EINVAL, "svcq_scorecard_period_add_unit: NULL period");
    svcq_ctx *ctx = p->ctx;
    char what[128];
    snprintf(what, sizeof(what), "period %s: unit", p->label);
    int rc = svcq__sc_check_text(ctx, what, unit, SVCQ__SC_SUBJECT_MAX, false);
    if (!rc)
        rc = check_open(p, "svcq_scorecard_period_add_unit");
    if (rc)
        return rc;
    if (svcq__sc_card_find(p, unit) >= 0)
        return svcq__error(ctx, SVCQ_EEXIST, "period %s already has a card for unit %s", p->label, unit);
    if (p->ncards >= UINT32_MAX - 1)
        return svcq__error(ctx, SVCQ_ELIMIT, "period %s: too many units", p->label);
    if ((rc = grow(p, p->ncards + 1)))
        return rc;
    svcq__sc_card *c = card_new(ctx, p->tpl->nitems);
    char *u = NULL;
    if (!c)
        return svcq__enomem(ctx);
    if ((rc = svcq__strdup(ctx, "unit", unit, &u))) {
        card_free(ctx, c);
        return rc;
    }
    svcq__tx tx;
    rc = svcq__tx_begin(ctx, &tx);
    if (!rc)
        rc = svcq__undo_reserve(ctx, 1);
    svcq__buf json;
    svcq__buf_init(&json, ctx);
    if (!rc)
        rc = card_encode(p, unit, c, &json);
    if (!rc) {
        char id[ID_SIZE];
        card_id(p, unit, id);
        rc = svcq__store_put(ctx, SVCQ__SC_CARD_KIND, id, 0, json.data, json.len, &c->revision);
        if (rc == SVCQ_ECONFLICT)
            rc = svcq__error(ctx, SVCQ_EEXIST, "period %s: the store already holds a card for unit %s (record "
                             "scorecard \"%s\"): load the period", p->label, unit, id);
    }
    svcq__buf_free(&json);
    if (!rc) {
        uint32_t i = p->ncards;
        p->cards[i] = c;
        p->units[i] = u;
        (void)svcq__map_put(&p->index, u, strlen(u), (void *)(uintptr_t)(i + 1), NULL);
        p->ncards++;
        (void)svcq__undo_push_for(ctx, p, add_undo, NULL, p, i);
    } else {
        card_free(ctx, c);
        svcq__free(ctx, u);
    }
    return svcq__tx_end(ctx, &tx, rc);
}

/* Finds unit and (optionally) item for a mutating call. */
static int find(svcq_scorecard_period *p, const char *unit, const char *item, uint32_t *ci, uint32_t *ii)
{
    svcq_ctx *ctx = p->ctx;
    if (!unit)
        return svcq__error(ctx, SVCQ_EINVAL, "period %s: unit is NULL", p->label);
    int32_t c = svcq__sc_card_find(p, unit);
    if (c < 0)
        return svcq__error(ctx, SVCQ_ENOTFOUND, "period %s has no card for unit %.255s", p->label, unit);
    *ci = (uint32_t)c;
    if (ii) {
        if (!item)
            return svcq__error(ctx, SVCQ_EINVAL, "card %s: item is NULL", unit);
        int32_t j = svcq__sc_item_find(p->tpl, item);
        if (j < 0)
            return svcq__error(ctx, SVCQ_ENOTFOUND, "card %s: template %s has no item \"%.64s\"", unit, p->tpl->name,
                               item);
        *ii = (uint32_t)j;
    }
    return SVCQ_OK;
}

int svcq_scorecard_set_values(svcq_scorecard_period *p, const char *unit, const char *const *items,
                              const int64_t *values, uint32_t count)
{
    if (!p)
        return svcq__error(NULL, SVCQ_EINVAL, "svcq_scorecard_set_values: NULL period");
    svcq_ctx *ctx = p->ctx;
    if ((!items || !values) && count)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_scorecard_set_values: NULL %s", !items ? "items" : "values");
    int rc = check_open(p, "svcq_scorecard_set_value");
    uint32_t ci = 0, ii = 0;
    if (!rc)
        rc = find(p, unit, NULL, &ci, NULL);
    for (uint32_t k = 0; !rc && k < count; k++) {
        rc = find(p, unit, items[k], &ci, &ii);
        if (!rc)
            rc = svcq__sc_check_value(ctx, &p->tpl->items[ii], unit, values[k]);
    }
    if (rc)
        return rc;
    svcq__sc_card *next;
    if ((rc = card_clone(ctx, p->cards[ci], &next)))
        return rc;
    for (uint32_t k = 0; k < count; k++) {
        ii = (uint32_t)svcq__sc_item_find(p->tpl, items[k]);
        svcq__sc_value *v = &next->values[ii];
        v->set = true;
        v->value = values[k];
        v->na = false;
        svcq__free(ctx, v->na_reason);
        v->na_reason = NULL;
    }
    return write_cards(p, 1, &ci, &next, false);
}

int svcq_scorecard_set_value(svcq_scorecard_period *p, const char *unit, const char *item, int64_t value)
{
    return svcq_scorecard_set_values(p, unit, &item, &value, 1);
}

int svcq_scorecard_set_na(svcq_scorecard_period *p, const char *unit, const char *item, const char *reason)
{
    if (!p)
        return svcq__error(NULL, SVCQ_EINVAL, "svcq_scorecard_set_na: NULL period");
    svcq_ctx *ctx = p->ctx;
    uint32_t ci, ii;
    int rc = check_open(p, "svcq_scorecard_set_na");
    if (!rc)
        rc = find(p, unit, item, &ci, &ii);
    if (!rc && reason) {
        char what[160];
        snprintf(what, sizeof(what), "card %s: item %s: N/A reason", unit, item);
        rc = svcq__sc_check_text(ctx, what, reason, SVCQ__SC_TEXT_MAX, true);
    }
    if (rc)
        return rc;
    svcq__sc_card *next;
    if ((rc = card_clone(ctx, p->cards[ci], &next)))
        return rc;
    svcq__sc_value *v = &next->values[ii];
    char *copy = NULL;
    if (reason && (rc = svcq__strdup(ctx, "reason", reason, &copy))) {
        card_free(ctx, next);
        return rc;
    }
    svcq__free(ctx, v->na_reason);
    v->na_reason = copy;
    v->na = reason != NULL;
    return write_cards(p, 1, &ci, &next, false);
}

int svcq_scorecard_veto(svcq_scorecard_period *p, const char *unit, const char *rule, const char *reason)
{
    if (!p)
        return svcq__error(NULL, SVCQ_EINVAL, "svcq_scorecard_veto: NULL period");
    svcq_ctx *ctx = p->ctx;
    uint32_t ci;
    int rc = check_open(p, "svcq_scorecard_veto");
    if (!rc)
        rc = find(p, unit, NULL, &ci, NULL);
    if (rc)
        return rc;
    if (!rule)
        return svcq__error(ctx, SVCQ_EINVAL, "card %s: veto rule is NULL", unit);
    int32_t r = svcq__sc_veto_find(p->tpl, rule);
    if (r < 0)
        return svcq__error(ctx, SVCQ_ENOTFOUND, "card %s: template %s has no veto rule \"%.64s\"", unit, p->tpl->name,
                           rule);
    if (p->tpl->vetoes[r].kind != SVCQ_SCORECARD_VETO_MANUAL)
        return svcq__error(ctx, SVCQ_EINVAL, "card %s: veto rule %s counts orders: it is applied by "
                           "svcq_scorecard_period_evaluate, not by hand", unit, rule);
    if (reason) {
        char what[160];
        snprintf(what, sizeof(what), "card %s: veto %s: reason", unit, rule);
        if ((rc = svcq__sc_check_text(ctx, what, reason, SVCQ__SC_TEXT_MAX, true)))
            return rc;
    }
    svcq__sc_card *next;
    if ((rc = card_clone(ctx, p->cards[ci], &next)))
        return rc;
    /* Drop the rule's veto if present, then add the new one. */
    for (uint32_t i = 0; i < next->nvetoes; i++)
        if (strcmp(next->vetoes[i].rule, rule) == 0 && !next->vetoes[i].from_orders) {
            svcq__free(ctx, next->vetoes[i].rule);
            svcq__free(ctx, next->vetoes[i].reason);
            memmove(&next->vetoes[i], &next->vetoes[i + 1], (next->nvetoes - i - 1) * sizeof(*next->vetoes));
            next->nvetoes--;
            break;
        }
    if (reason) {
        if (next->nvetoes >= SVCQ__SC_MAX_VETOES) {
            card_free(ctx, next);
            return svcq__error(ctx, SVCQ_ELIMIT, "card %s: more than %d vetoes", unit, SVCQ__SC_MAX_VETOES);
        }
        svcq__sc_veto *v = &next->vetoes[next->nvetoes];
        memset(v, 0, sizeof(*v));
        if ((rc = svcq__strdup(ctx, "rule", rule, &v->rule)) || (rc = svcq__strdup(ctx, "reason", reason, &v->reason))) {
            svcq__free(ctx, v->rule);
            v->rule = NULL;
            card_free(ctx, next);
            return rc;
        }
        next->nvetoes++;
    }
    return write_cards(p, 1, &ci, &next, false);
}

static int add_log(svcq_ctx *ctx, svcq__sc_card *c, const char *item, int64_t amount, const char *track,
                   const char *counterpart, const char *note)
{
    if (c->nlog >= SVCQ__SC_MAX_LOG)
        return svcq__error(ctx, SVCQ_ELIMIT, "more than %d log entries on one card", SVCQ__SC_MAX_LOG);
    svcq__sc_log *l = &c->log[c->nlog];
    memset(l, 0, sizeof(*l));
    l->amount = amount;
    int rc;
    if ((rc = svcq__strdup(ctx, "item", item, &l->item)) || (rc = svcq__strdup(ctx, "track", track, &l->track)) ||
        (rc = svcq__strdup(ctx, "counterpart", counterpart, &l->counterpart)) ||
        (rc = dup_opt(ctx, note, &l->note))) {
        svcq__free(ctx, l->item);
        svcq__free(ctx, l->track);
        svcq__free(ctx, l->counterpart);
        memset(l, 0, sizeof(*l));
        return rc;
    }
    c->nlog++;
    return SVCQ_OK;
}

int svcq_scorecard_double_track(svcq_scorecard_period *p, const char *person, const char *process,
                                const char *item, int64_t amount, const char *note)
{
    if (!p)
        return svcq__error(NULL, SVCQ_EINVAL, "svcq_scorecard_double_track: NULL period");
    svcq_ctx *ctx = p->ctx;
    uint32_t idx[2], ii;
    int rc = check_open(p, "svcq_scorecard_double_track");
    if (!rc)
        rc = find(p, person, item, &idx[0], &ii);
    if (!rc)
        rc = find(p, process, item, &idx[1], &ii);
    if (rc)
        return rc;
    if (idx[0] == idx[1])
        return svcq__error(ctx, SVCQ_EINVAL, "double track: the person and the process are the same subject (%s)",
                           person);
    if (amount <= 0 || amount > SVCQ_SCORECARD_MAX_VALUE)
        return svcq__error(ctx, SVCQ_EINVAL, "double track on %s/%s: amount %lld must be positive", person, process,
                           (long long)amount);
    if (note && (rc = svcq__sc_check_text(ctx, "double track: note", note, SVCQ__SC_TEXT_MAX, true)))
        return rc;
    const svcq__sc_item *it = &p->tpl->items[ii];
    for (int k = 0; k < 2; k++) {
        const svcq__sc_value *v = &p->cards[idx[k]]->values[ii];
        if ((rc = svcq__sc_check_value(ctx, it, p->units[idx[k]], (v->set ? v->value : 0) + amount)))
            return rc;
    }
    svcq__sc_card *next[2] = { NULL, NULL };
    static const char *const track[2] = { "person", "process" };
    for (int k = 0; !rc && k < 2; k++) {
        rc = card_clone(ctx, p->cards[idx[k]], &next[k]);
        if (!rc) {
            svcq__sc_value *v = &next[k]->values[ii];
            v->value = (v->set ? v->value : 0) + amount;
            v->set = true;
            rc = add_log(ctx, next[k], item, amount, track[k], k == 0 ? process : person, note);
        }
    }
    if (rc) {
        card_free(ctx, next[0]);
        card_free(ctx, next[1]);
        return rc;
    }
    return write_cards(p, 2, idx, next, false);
}

/* ---- orders and the veto ---------------------------------------------------------- */

/* The order vetoes of every card at `at` into eval[0..ncards). */
static int evaluate(svcq_scorecard_period *p, svcq_time at, svcq__sc_eval *eval)
{
    svcq_ctx *ctx = p->ctx;
    const svcq_scorecard_template *t = p->tpl;
    svcq_time lo, hi;
    svcq_calendar_range(&lo, &hi);
    if (at == 0 || at == -1 || at < lo || at > hi)
        return svcq__error(ctx, SVCQ_EINVAL, "period %s: evaluation instant %lld is unset or out of range", p->label,
                           (long long)at);
    bool any = false;
    for (uint32_t r = 0; r < t->nvetoes; r++)
        any = any || t->vetoes[r].kind == SVCQ_SCORECARD_VETO_ORDERS;
    if (!any)
        return SVCQ_OK;
    svcq__sc_head *heads = NULL;
    uint32_t nheads = 0;
    int rc = svcq__sc_orders_heads(ctx, p->starts_at, p->ends_at, at, &heads, &nheads);
    svcq__buf why;
    svcq__buf_init(&why, ctx);
    for (uint32_t r = 0; !rc && r < t->nvetoes; r++) {
        const svcq__sc_veto_rule *vr = &t->vetoes[r];
        if (vr->kind != SVCQ_SCORECARD_VETO_ORDERS)
            continue;
        for (uint32_t h = 0; !rc && h < nheads; h++) {
            if (heads[h].breached < vr->threshold)
                continue;
            svcq__buf_truncate(&why, 0);
            rc = svcq__buf_printf(&why, "head %s: %u orders of the period %s not answered in time (threshold %u):",
                                  heads[h].head, heads[h].breached, p->label, vr->threshold);
            for (uint32_t k = 0; !rc && k < heads[h].norders; k++)
                rc = svcq__buf_printf(&why, "%s %s", k ? "," : "", heads[h].orders[k]);
            for (uint32_t ci = 0; !rc && ci < p->ncards; ci++) {
                bool hit = strcmp(p->units[ci], heads[h].head) == 0;
                for (uint32_t u = 0; !hit && u < heads[h].nunits; u++)
                    hit = strcmp(p->units[ci], heads[h].units[u]) == 0;
                if (!hit)
                    continue;
                svcq__sc_veto *v = svcq__reallocarray(ctx, eval[ci].vetoes, eval[ci].n + 1, sizeof(*v));
                if (!v) {
                    rc = svcq__enomem(ctx);
                    break;
                }
                eval[ci].vetoes = v;
                v = &v[eval[ci].n];
                memset(v, 0, sizeof(*v));
                v->from_orders = true;
                if ((rc = svcq__strdup(ctx, "rule", vr->key, &v->rule)) ||
                    (rc = svcq__strdup(ctx, "reason", why.data, &v->reason))) {
                    svcq__free(ctx, v->rule);
                    break;
                }
                eval[ci].n++;
            }
        }
    }
    if (rc == SVCQ_EINVAL)
        rc = svcq__enomem(ctx);
    svcq__buf_free(&why);
    svcq__sc_heads_free(ctx, heads, nheads);
    return rc;
}

static void eval_free_all(svcq_ctx *ctx, svcq__sc_eval *e, uint32_t n)
{
    for (uint32_t i = 0; e && i < n; i++)
        eval_clear(ctx, &e[i]);
    svcq__free(ctx, e);
}

int svcq_scorecard_period_evaluate(svcq_scorecard_period *p, svcq_time at)
{
    if (!p)
        return svcq__error(NULL, SVCQ_EINVAL, "svcq_scorecard_period_evaluate: NULL period");
    svcq_ctx *ctx = p->ctx;
    svcq__sc_eval *e = svcq__calloc(ctx, p->cap ? p->cap : 1, sizeof(*e));
    if (!e)
        return svcq__enomem(ctx);
    int rc = evaluate(p, at, e);
    if (rc) {
        eval_free_all(ctx, e, p->ncards);
        return rc;
    }
    eval_free_all(ctx, p->eval, p->ncards);
    p->eval = e;
    return SVCQ_OK;
}

int svcq_scorecard_period_close(svcq_scorecard_period *p, svcq_time at)
{
    if (!p)
        return svcq__error(NULL, SVCQ_EINVAL, "svcq_scorecard_period_close: NULL period");
    svcq_ctx *ctx = p->ctx;
    if (p->closed)
        return svcq__error(ctx, SVCQ_ESTATE, "period %s is already closed", p->label);
    if (p->ncards == 0)
        return svcq__error(ctx, SVCQ_ESTATE, "period %s has no card to close", p->label);
    for (uint32_t ci = 0; ci < p->ncards; ci++)
        for (uint32_t j = 0; j < p->tpl->nitems; j++) {
            const svcq__sc_value *v = &p->cards[ci]->values[j];
            if (!v->set && !v->na)
                return svcq__error(ctx, SVCQ_ESTATE, "period %s cannot close: card %s has no value for item %s "
                                   "(set one or mark it not applicable)", p->label, p->units[ci],
                                   p->tpl->items[j].key);
        }
    svcq__sc_eval *e = svcq__calloc(ctx, p->ncards, sizeof(*e));
    if (!e)
        return svcq__enomem(ctx);
    int rc = evaluate(p, at, e);
    svcq__sc_card **next = NULL;
    uint32_t *idx = NULL;
    if (!rc && (!(next = svcq__calloc(ctx, p->ncards, sizeof(*next))) ||
                !(idx = svcq__calloc(ctx, p->ncards, sizeof(*idx)))))
        rc = svcq__enomem(ctx);
    for (uint32_t ci = 0; !rc && ci < p->ncards; ci++) {
        idx[ci] = ci;
        svcq__sc_card *c = NULL;
        rc = card_clone(ctx, p->cards[ci], &c);
        if (rc)
            break;
        next[ci] = c;
        c->closed = true;
        c->closed_at = at;
        if (e[ci].n) {
            svcq__sc_veto *v = svcq__reallocarray(ctx, c->vetoes, c->nvetoes + e[ci].n + 1, sizeof(*v));
            if (!v) {
                rc = svcq__enomem(ctx);
                break;
            }
            c->vetoes = v;
            for (uint32_t k = 0; k < e[ci].n; k++) {
                c->vetoes[c->nvetoes++] = e[ci].vetoes[k];
                memset(&e[ci].vetoes[k], 0, sizeof(e[ci].vetoes[k]));
            }
            e[ci].n = 0;
        }
    }
    eval_free_all(ctx, e, p->ncards);
    if (rc) {
        for (uint32_t ci = 0; next && ci < p->ncards; ci++)
            card_free(ctx, next[ci]);
        svcq__free(ctx, next);
        svcq__free(ctx, idx);
        return rc;
    }
    rc = write_cards(p, p->ncards, idx, next, true);
    svcq__free(ctx, next);
    svcq__free(ctx, idx);
    return rc;
}

int svcq_scorecard_correct(svcq_scorecard_period *p, const char *unit, const char *item, int64_t value,
                           const char *reason, svcq_time at)
{
    if (!p)
        return svcq__error(NULL, SVCQ_EINVAL, "svcq_scorecard_correct: NULL period");
    svcq_ctx *ctx = p->ctx;
    if (!p->closed)
        return svcq__error(ctx, SVCQ_ESTATE, "period %s is open: set the value (svcq_scorecard_set_value) instead of "
                           "correcting it", p->label);
    uint32_t ci, ii;
    int rc = find(p, unit, item, &ci, &ii);
    if (rc)
        return rc;
    char what[160];
    snprintf(what, sizeof(what), "card %s: correction of %s: reason", unit, item);
    if ((rc = svcq__sc_check_text(ctx, what, reason, SVCQ__SC_TEXT_MAX, true)))
        return rc;
    if (at == 0 || at == -1)
        return svcq__error(ctx, SVCQ_EINVAL, "card %s: correction of %s: the instant is unset", unit, item);
    if ((rc = svcq__sc_check_value(ctx, &p->tpl->items[ii], unit, value)))
        return rc;
    svcq__sc_card *next;
    if ((rc = card_clone(ctx, p->cards[ci], &next)))
        return rc;
    if (next->ncorr >= SVCQ__SC_MAX_LOG) {
        card_free(ctx, next);
        return svcq__error(ctx, SVCQ_ELIMIT, "card %s: more than %d corrections", unit, SVCQ__SC_MAX_LOG);
    }
    svcq__sc_correction *k = &next->corr[next->ncorr];
    memset(k, 0, sizeof(*k));
    svcq__sc_value *v = &next->values[ii];
    k->seq = next->ncorr + 1;
    k->at = at;
    k->had = v->set;
    k->from = v->value;
    k->to = value;
    if ((rc = svcq__strdup(ctx, "item", item, &k->item)) || (rc = svcq__strdup(ctx, "reason", reason, &k->reason))) {
        svcq__free(ctx, k->item);
        k->item = NULL;
        card_free(ctx, next);
        return rc;
    }
    next->ncorr++;
    v->set = true;
    v->value = value;
    v->na = false; /* a corrected value counts, as a value set does */
    svcq__free(ctx, v->na_reason);
    v->na_reason = NULL;
    return write_cards(p, 1, &ci, &next, false);
}

/* ---- reading cards --------------------------------------------------------------- */

void svcq__sc_item_points(const svcq_scorecard_period *p, uint32_t ci, uint32_t j, int64_t *raw, int64_t *pts,
                          bool *clamped)
{
    const svcq__sc_value *v = &p->cards[ci]->values[j];
    const svcq__sc_item *it = &p->tpl->items[j];
    *raw = *pts = 0;
    *clamped = false;
    if (v->na || !v->set)
        return;
    if (svcq__sc_score(NULL, it, v->value, raw))
        *raw = 0; /* values are checked when set: not reached */
    *pts = *raw < 0 ? 0 : *raw > it->max ? it->max : *raw;
    *clamped = *pts != *raw;
}

const svcq__sc_veto *svcq__sc_veto_at(const svcq_scorecard_period *p, uint32_t ci, uint32_t k)
{
    const svcq__sc_card *c = p->cards[ci];
    if (k < c->nvetoes)
        return &c->vetoes[k];
    k -= c->nvetoes;
    if (!c->closed && k < p->eval[ci].n)
        return &p->eval[ci].vetoes[k];
    return NULL;
}

void svcq__sc_totals_of(const svcq_scorecard_period *p, uint32_t ci, svcq__sc_totals *t)
{
    memset(t, 0, sizeof(*t));
    const svcq__sc_card *c = p->cards[ci];
    for (uint32_t j = 0; j < p->tpl->nitems; j++) {
        const svcq__sc_item *it = &p->tpl->items[j];
        t->nominal += it->max;
        if (c->values[j].na) {
            t->na++;
            continue;
        }
        t->max += it->max;
        if (!c->values[j].set) {
            t->missing++;
            continue;
        }
        int64_t raw, pts;
        bool cl;
        svcq__sc_item_points(p, ci, j, &raw, &pts, &cl);
        t->points += pts;
        t->clamped += cl;
    }
    t->share = t->max ? svcq__sc_div(t->points * 100000, t->max) : 0;
    t->nvetoes = c->nvetoes + (c->closed ? 0 : p->eval[ci].n);
    const svcq__sc_veto *v = svcq__sc_veto_at(p, ci, 0);
    t->first_reason = v ? v->reason : "";
}

int svcq_scorecard_card_info_init(svcq_scorecard_card_info *info, uint32_t version)
{
    return svcq__table_init(info, sizeof(*info), version, SVCQ_SCORECARD_CARD_INFO_VERSION);
}

int svcq_scorecard_item_result_init(svcq_scorecard_item_result *r, uint32_t version)
{
    return svcq__table_init(r, sizeof(*r), version, SVCQ_SCORECARD_ITEM_RESULT_VERSION);
}

int svcq_scorecard_card_totals(svcq_scorecard_card_info *out, const svcq_scorecard_period *p, const char *unit)
{
    if (!out || !p || !unit)
        return svcq__error(p ? p->ctx : NULL, SVCQ_EINVAL, "svcq_scorecard_card_totals: NULL %s",
                           !out ? "out" : !p ? "period" : "unit");
    if (out->version < 1 || out->version > SVCQ_SCORECARD_CARD_INFO_VERSION)
        return svcq__error(p->ctx, SVCQ_EVERSION, "card info version %u is unknown", out->version);
    int32_t ci = svcq__sc_card_find(p, unit);
    if (ci < 0)
        return svcq__error(p->ctx, SVCQ_ENOTFOUND, "period %s has no card for unit %.255s", p->label, unit);
    svcq__sc_totals t;
    svcq__sc_totals_of(p, (uint32_t)ci, &t);
    const svcq__sc_card *c = p->cards[ci];
    memset(out, 0, sizeof(*out));
    out->version = SVCQ_SCORECARD_CARD_INFO_VERSION;
    out->closed = c->closed;
    out->unit = p->units[ci];
    out->points = t.points;
    out->max_points = t.max;
    out->nominal_max = t.nominal;
    out->share = t.share;
    out->vetoed = t.nvetoes > 0;
    out->veto_count = t.nvetoes;
    out->veto_reason = t.first_reason;
    out->na_count = t.na;
    out->missing = t.missing;
    out->clamped = t.clamped;
    out->correction_count = c->ncorr;
    out->revision = c->revision;
    return SVCQ_OK;
}

int svcq_scorecard_card_item(svcq_scorecard_item_result *out, const svcq_scorecard_period *p, const char *unit,
                             uint32_t index)
{
    if (!out || !p || !unit)
        return svcq__error(p ? p->ctx : NULL, SVCQ_EINVAL, "svcq_scorecard_card_item: NULL %s",
                           !out ? "out" : !p ? "period" : "unit");
    if (out->version < 1 || out->version > SVCQ_SCORECARD_ITEM_RESULT_VERSION)
        return svcq__error(p->ctx, SVCQ_EVERSION, "item result version %u is unknown", out->version);
    int32_t ci = svcq__sc_card_find(p, unit);
    if (ci < 0)
        return svcq__error(p->ctx, SVCQ_ENOTFOUND, "period %s has no card for unit %.255s", p->label, unit);
    if (index >= p->tpl->nitems)
        return svcq__error(p->ctx, SVCQ_ENOTFOUND, "card %s has %u items, no index %u", unit, p->tpl->nitems, index);
    const svcq__sc_item *it = &p->tpl->items[index];
    const svcq__sc_value *v = &p->cards[ci]->values[index];
    memset(out, 0, sizeof(*out));
    out->version = SVCQ_SCORECARD_ITEM_RESULT_VERSION;
    out->rule = it->rule;
    out->key = it->key;
    out->name = it->name;
    out->max_points = it->max;
    out->value = v->set ? v->value : 0;
    out->has_value = v->set;
    out->na = v->na;
    out->na_reason = v->na ? v->na_reason : "";
    bool cl;
    svcq__sc_item_points(p, (uint32_t)ci, index, &out->raw_points, &out->points, &cl);
    out->clamped = cl;
    return SVCQ_OK;
}

int svcq_scorecard_card_veto(const char **rule, const char **reason, const svcq_scorecard_period *p,
                             const char *unit, uint32_t index)
{
    if (!p || !unit)
        return svcq__error(p ? p->ctx : NULL, SVCQ_EINVAL, "svcq_scorecard_card_veto: NULL %s", !p ? "period" : "unit");
    int32_t ci = svcq__sc_card_find(p, unit);
    if (ci < 0)
        return svcq__error(p->ctx, SVCQ_ENOTFOUND, "period %s has no card for unit %.255s", p->label, unit);
    const svcq__sc_veto *v = svcq__sc_veto_at(p, (uint32_t)ci, index);
    if (!v)
        return svcq__error(p->ctx, SVCQ_ENOTFOUND, "card %s has no veto %u", unit, index);
    if (rule)
        *rule = v->rule;
    if (reason)
        *reason = v->reason;
    return SVCQ_OK;
}
