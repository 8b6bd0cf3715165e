/* Composites and rankings: the monthly shares of the periods added, their
 * mean per unit, the weighted composite with satisfaction, the veto
 * effect, competition ranking with ties listed by unit, and the change
 * against a previous ranking. In memory only; exports are in export.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "scorecard/scorecard_internal.h"
#include "scorecard/ranking.h"

int svcq_scorecard_csat_satisfaction(int64_t *out, int64_t csat_mean)
{
    if (!out)
        return svcq__error(NULL, SVCQ_EINVAL, "svcq_scorecard_csat_satisfaction: NULL out");
    if (csat_mean < 1000 || csat_mean > 5000)
        return SVCQ_ERANGE;
    /* (mean - 1) / 4 * 100, in thousandths: exact. */
    *out = (csat_mean - 1000) * 25;
    return SVCQ_OK;
}

int svcq_scorecard_rank_entry_init(svcq_scorecard_rank_entry *e, uint32_t version)
{
    return svcq__table_init(e, sizeof(*e), version, SVCQ_SCORECARD_RANK_ENTRY_VERSION);
}

int svcq_scorecard_ranking_new(svcq_scorecard_ranking **out, svcq_scorecard_template *t, const char *label,
                               int32_t basis)
{
    if (out)
        *out = NULL;
    if (!out || !t)
        return svcq__error(t ? t->ctx : NULL, SVCQ_EINVAL, "svcq_scorecard_ranking_new: NULL %s",
                           !out ? "out" : "template");
    svcq_ctx *ctx = t->ctx;
    int rc = svcq__sc_check_text(ctx, "ranking label", label, SVCQ__SC_NAME_MAX, false);
    if (rc)
        return rc;
    if (!svcq_scorecard_basis_name(basis))
        return svcq__error(ctx, SVCQ_EINVAL, "ranking %s: unknown basis %d", label, (int)basis);
    svcq_scorecard_ranking *r = svcq__calloc(ctx, 1, sizeof(*r));
    if (!r)
        return svcq__enomem(ctx);
    r->ctx = ctx;
    r->basis = basis;
    svcq__map_init(&r->index, ctx);
    svcq__map_init(&r->prev_index, ctx);
    if ((rc = svcq__strdup(ctx, "ranking label", label, &r->label))) {
        svcq__free(ctx, r);
        return rc;
    }
    svcq__sc_template_ref(t);
    r->tpl = t;
    *out = r;
    return SVCQ_OK;
}

static void prev_free(svcq_ctx *ctx, svcq__rk_prev *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        svcq__free(ctx, p[i].unit);
    svcq__free(ctx, p);
}

void svcq_scorecard_ranking_free(svcq_scorecard_ranking *r)
{
    if (!r)
        return;
    svcq_ctx *ctx = r->ctx;
    for (uint32_t i = 0; i < r->nunits; i++) {
        svcq__free(ctx, r->units[i].unit);
        svcq__free(ctx, r->units[i].veto_reason);
    }
    svcq__free(ctx, r->units);
    for (uint32_t i = 0; i < r->nperiods; i++)
        svcq__free(ctx, r->periods[i]);
    svcq__free(ctx, r->periods);
    svcq__free(ctx, r->result);
    prev_free(ctx, r->prev, r->nprev);
    svcq__map_free(&r->index);
    svcq__map_free(&r->prev_index);
    svcq__free(ctx, r->label);
    svcq_scorecard_template_free(r->tpl);
    svcq__free(ctx, r);
}

static int32_t unit_find(const svcq_scorecard_ranking *r, const char *unit)
{
    void *v = svcq__map_get(&r->index, unit, strlen(unit));
    return v ? (int32_t)((uintptr_t)v - 1) : -1;
}

static int units_grow(svcq_scorecard_ranking *r, uint32_t need)
{
    if (need > r->cap) {
        uint32_t cap = r->cap ? r->cap : 8;
        while (cap < need)
            cap *= 2;
        svcq__rk_unit *u = svcq__reallocarray(r->ctx, r->units, cap, sizeof(*u));
        if (!u)
            return svcq__enomem(r->ctx);
        r->units = u;
        r->cap = cap;
    }
    return svcq__map_reserve(&r->index, need) ? svcq__enomem(r->ctx) : SVCQ_OK;
}

/* Adds unit (not yet there) with zeroed figures; room was made. */
static int unit_add(svcq_scorecard_ranking *r, const char *unit, uint32_t *idx)
{
    char *copy = NULL;
    int rc = svcq__strdup(r->ctx, "unit", unit, &copy);
    if (rc)
        return rc;
    svcq__rk_unit *u = &r->units[r->nunits];
    memset(u, 0, sizeof(*u));
    u->unit = copy;
    (void)svcq__map_put(&r->index, copy, strlen(copy), (void *)(uintptr_t)(r->nunits + 1), NULL);
    *idx = r->nunits++;
    return SVCQ_OK;
}

/* Removes the units added since n (for a failed call). */
static void units_truncate(svcq_scorecard_ranking *r, uint32_t n)
{
    while (r->nunits > n) {
        svcq__rk_unit *u = &r->units[--r->nunits];
        (void)svcq__map_remove(&r->index, u->unit, strlen(u->unit));
        svcq__free(r->ctx, u->unit);
        svcq__free(r->ctx, u->veto_reason);
    }
}

int svcq_scorecard_ranking_add_period(svcq_scorecard_ranking *r, const svcq_scorecard_period *p)
{
    if (!r || !p)
        return svcq__error(r ? r->ctx : NULL, SVCQ_EINVAL, "svcq_scorecard_ranking_add_period: NULL %s",
                           !r ? "ranking" : "period");
    svcq_ctx *ctx = r->ctx;
    if (p->ctx != ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "ranking %s: period %s belongs to another context", r->label, p->label);
    if (p->tpl != r->tpl && (strcmp(p->tpl->name, r->tpl->name) != 0 || p->tpl->version != r->tpl->version))
        return svcq__error(ctx, SVCQ_EINVAL, "ranking %s is of template %s v%u; period %s is of %s v%u", r->label,
                           r->tpl->name, r->tpl->version, p->label, p->tpl->name, p->tpl->version);
    for (uint32_t i = 0; i < r->nperiods; i++)
        if (strcmp(r->periods[i], p->label) == 0)
            return svcq__error(ctx, SVCQ_EINVAL, "ranking %s: period %s was added already", r->label, p->label);
    for (uint32_t ci = 0; ci < p->ncards; ci++) {
        svcq__sc_totals t;
        svcq__sc_totals_of(p, ci, &t);
        if (t.missing)
            return svcq__error(ctx, SVCQ_ESTATE, "ranking %s: card %s of period %s has %u applicable items without a "
                               "value", r->label, p->units[ci], p->label, t.missing);
    }
    /* Room first, then changes that cannot fail but for strings. */
    uint32_t n0 = r->nunits;
    int rc = units_grow(r, r->nunits + p->ncards);
    char **periods = rc ? NULL : svcq__reallocarray(ctx, r->periods, r->nperiods + 1, sizeof(*periods));
    if (!rc && !periods)
        rc = svcq__enomem(ctx);
    if (rc)
        return rc;
    r->periods = periods;
    char *label = NULL;
    if ((rc = svcq__strdup(ctx, "period label", p->label, &label)))
        return rc;
    /* Staged: shares and months go into the units only once every string
     * was copied. */
    uint32_t *idx = svcq__calloc(ctx, p->ncards ? p->ncards : 1, sizeof(*idx));
    char **reasons = svcq__calloc(ctx, p->ncards ? p->ncards : 1, sizeof(*reasons));
    if (!idx || !reasons)
        rc = svcq__enomem(ctx);
    for (uint32_t ci = 0; !rc && ci < p->ncards; ci++) {
        int32_t u = unit_find(r, p->units[ci]);
        if (u < 0)
            rc = unit_add(r, p->units[ci], &idx[ci]);
        else
            idx[ci] = (uint32_t)u;
        svcq__sc_totals t;
        svcq__sc_totals_of(p, ci, &t);
        if (!rc && t.nvetoes && !r->units[idx[ci]].veto_reason)
            rc = svcq__strdup(ctx, "reason", t.first_reason, &reasons[ci]);
    }
    if (rc) {
        units_truncate(r, n0);
        for (uint32_t ci = 0; reasons && ci < p->ncards; ci++)
            svcq__free(ctx, reasons[ci]);
        svcq__free(ctx, reasons);
        svcq__free(ctx, idx);
        svcq__free(ctx, label);
        return rc == SVCQ_EINVAL ? svcq__enomem(ctx) : rc;
    }
    for (uint32_t ci = 0; ci < p->ncards; ci++) {
        svcq__rk_unit *u = &r->units[idx[ci]];
        svcq__sc_totals t;
        svcq__sc_totals_of(p, ci, &t);
        u->in_period = true;
        if (t.max > 0) {
            u->share_sum += t.share;
            u->months++;
        }
        if (t.nvetoes) {
            u->vetoed = true;
            if (!u->veto_reason) {
                u->veto_reason = reasons[ci];
                reasons[ci] = NULL;
            }
        }
        svcq__free(ctx, reasons[ci]);
    }
    svcq__free(ctx, reasons);
    svcq__free(ctx, idx);
    r->periods[r->nperiods++] = label;
    return SVCQ_OK;
}

int svcq_scorecard_ranking_set_satisfaction(svcq_scorecard_ranking *r, const char *unit, int64_t satisfaction)
{
    if (!r)
        return svcq__error(NULL, SVCQ_EINVAL, "svcq_scorecard_ranking_set_satisfaction: NULL ranking");
    svcq_ctx *ctx = r->ctx;
    char what[128];
    snprintf(what, sizeof(what), "ranking %s: unit", r->label);
    int rc = svcq__sc_check_text(ctx, what, unit, SVCQ__SC_SUBJECT_MAX, false);
    if (rc)
        return rc;
    if (satisfaction < 0 || satisfaction > 100000)
        return svcq__error(ctx, SVCQ_ERANGE, "ranking %s: unit %s: satisfaction %lld is outside 0..100000 "
                           "(thousandths of a percent)", r->label, unit, (long long)satisfaction);
    int32_t u = unit_find(r, unit);
    uint32_t i;
    if (u < 0) {
        if ((rc = units_grow(r, r->nunits + 1)) || (rc = unit_add(r, unit, &i)))
            return rc;
    } else {
        i = (uint32_t)u;
    }
    r->units[i].has_sat = true;
    r->units[i].sat = satisfaction;
    return SVCQ_OK;
}

int svcq_scorecard_ranking_set_csat(svcq_scorecard_ranking *r, const char *unit, int64_t csat_mean)
{
    if (!r)
        return svcq__error(NULL, SVCQ_EINVAL, "svcq_scorecard_ranking_set_csat: NULL ranking");
    int64_t sat;
    if (svcq_scorecard_csat_satisfaction(&sat, csat_mean))
        return svcq__error(r->ctx, SVCQ_ERANGE, "ranking %s: unit %.255s: CSAT mean %lld is outside 1000..5000 "
                           "(thousandths of the 1-5 scale)", r->label, unit ? unit : "(null)", (long long)csat_mean);
    return svcq_scorecard_ranking_set_satisfaction(r, unit, sat);
}

int svcq_scorecard_ranking_set_previous(svcq_scorecard_ranking *r, const svcq_scorecard_ranking *prev)
{
    if (!r || !prev)
        return svcq__error(r ? r->ctx : NULL, SVCQ_EINVAL, "svcq_scorecard_ranking_set_previous: NULL %s",
                           !r ? "ranking" : "previous");
    svcq_ctx *ctx = r->ctx;
    if (prev->ctx != ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "ranking %s: previous ranking %s belongs to another context", r->label,
                           prev->label);
    if (prev == r)
        return svcq__error(ctx, SVCQ_EINVAL, "ranking %s cannot be its own previous ranking", r->label);
    if (strcmp(prev->tpl->name, r->tpl->name) != 0)
        return svcq__error(ctx, SVCQ_EINVAL, "ranking %s is of template %s; previous ranking %s of %s", r->label,
                           r->tpl->name, prev->label, prev->tpl->name);
    if (!prev->computed)
        return svcq__error(ctx, SVCQ_ESTATE, "previous ranking %s is not computed", prev->label);
    svcq__rk_prev *pv = svcq__calloc(ctx, prev->nresult ? prev->nresult : 1, sizeof(*pv));
    svcq__map m;
    svcq__map_init(&m, ctx);
    int rc = pv && !svcq__map_reserve(&m, prev->nresult) ? SVCQ_OK : svcq__enomem(ctx);
    uint32_t n = 0;
    for (uint32_t i = 0; !rc && i < prev->nresult; i++) {
        const svcq__rk_result *e = &prev->result[i];
        if ((rc = svcq__strdup(ctx, "unit", prev->units[e->unit].unit, &pv[i].unit)))
            break;
        pv[i].rank = e->rank;
        n++;
        (void)svcq__map_put(&m, pv[i].unit, strlen(pv[i].unit), (void *)(uintptr_t)(i + 1), NULL);
    }
    if (rc) {
        prev_free(ctx, pv, n);
        svcq__map_free(&m);
        return rc == SVCQ_EINVAL ? svcq__enomem(ctx) : rc;
    }
    prev_free(ctx, r->prev, r->nprev);
    svcq__map_free(&r->prev_index);
    r->prev = pv;
    r->nprev = n;
    r->prev_index = m;
    r->has_prev = true;
    return SVCQ_OK;
}

/* Ranked first (score descending), excluded last; ties by unit id. */
static int cmp_named(const void *a, const void *b)
{
    const svcq__rk_result *x = a, *y = b;
    if (x->excluded != y->excluded)
        return x->excluded ? 1 : -1;
    if (!x->excluded && x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return strcmp(x->name, y->name);
}

int svcq_scorecard_ranking_compute(svcq_scorecard_ranking *r)
{
    if (!r)
        return svcq__error(NULL, SVCQ_EINVAL, "svcq_scorecard_ranking_compute: NULL ranking");
    svcq_ctx *ctx = r->ctx;
    if (r->nperiods == 0)
        return svcq__error(ctx, SVCQ_ESTATE, "ranking %s: no period was added", r->label);
    const svcq_scorecard_template *t = r->tpl;
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->nunits; i++) {
        const svcq__rk_unit *u = &r->units[i];
        if (!u->in_period)
            continue;
        if (u->months == 0)
            return svcq__error(ctx, SVCQ_ESTATE, "ranking %s: unit %s has no month with an applicable item", r->label,
                               u->unit);
        if (r->basis == SVCQ_SCORECARD_BASIS_COMPOSITE && !u->has_sat)
            return svcq__error(ctx, SVCQ_ESTATE, "ranking %s: unit %s has no satisfaction score (set it, or its CSAT "
                               "mean)", r->label, u->unit);
        n++;
    }
    svcq__rk_result *res = svcq__calloc(ctx, n ? n : 1, sizeof(*res));
    if (!res)
        return svcq__enomem(ctx);
    uint32_t k = 0;
    for (uint32_t i = 0; i < r->nunits; i++) {
        const svcq__rk_unit *u = &r->units[i];
        if (!u->in_period)
            continue;
        svcq__rk_result *e = &res[k++];
        e->unit = i;
        e->name = u->unit;
        e->share = svcq__sc_div(u->share_sum, u->months);
        e->sat = r->basis == SVCQ_SCORECARD_BASIS_COMPOSITE ? u->sat : -1;
        e->raw = r->basis == SVCQ_SCORECARD_BASIS_COMPOSITE
                     ? svcq__sc_div((int64_t)t->card_percent * e->share + (int64_t)t->sat_percent * u->sat, 100)
                     : e->share;
        e->score = e->raw;
        if (u->vetoed) {
            if (t->effect == SVCQ_SCORECARD_EFFECT_ZERO)
                e->score = 0;
            else if (t->effect == SVCQ_SCORECARD_EFFECT_CAP)
                e->score = e->raw < t->cap ? e->raw : t->cap;
            else
                e->excluded = true;
        }
    }
    qsort(res, n, sizeof(*res), cmp_named);
    for (uint32_t i = 0; i < n; i++) {
        svcq__rk_result *e = &res[i];
        if (e->excluded)
            e->rank = 0;
        else if (i > 0 && !res[i - 1].excluded && res[i - 1].score == e->score)
            e->rank = res[i - 1].rank;
        else
            e->rank = i + 1;
        if (r->has_prev) {
            void *v = svcq__map_get(&r->prev_index, e->name, strlen(e->name));
            if (v) {
                e->has_prev = true;
                e->prev_rank = r->prev[(uintptr_t)v - 1].rank;
                if (e->rank && e->prev_rank)
                    e->change = (int32_t)e->prev_rank - (int32_t)e->rank;
            }
        }
    }
    svcq__free(ctx, r->result);
    r->result = res;
    r->nresult = n;
    r->computed = true;
    return SVCQ_OK;
}

uint32_t svcq_scorecard_ranking_count(const svcq_scorecard_ranking *r)
{
    return r && r->computed ? r->nresult : 0;
}

int svcq_scorecard_ranking_entry(svcq_scorecard_rank_entry *out, const svcq_scorecard_ranking *r, uint32_t index)
{
    if (!out || !r)
        return svcq__error(r ? r->ctx : NULL, SVCQ_EINVAL, "svcq_scorecard_ranking_entry: NULL %s",
                           !out ? "out" : "ranking");
    if (out->version < 1 || out->version > SVCQ_SCORECARD_RANK_ENTRY_VERSION)
        return svcq__error(r->ctx, SVCQ_EVERSION, "rank entry version %u is unknown", out->version);
    if (!r->computed || index >= r->nresult)
        return svcq__error(r->ctx, SVCQ_ENOTFOUND, "ranking %s has %u entries, no index %u", r->label,
                           svcq_scorecard_ranking_count(r), index);
    const svcq__rk_result *e = &r->result[index];
    const svcq__rk_unit *u = &r->units[e->unit];
    memset(out, 0, sizeof(*out));
    out->version = SVCQ_SCORECARD_RANK_ENTRY_VERSION;
    out->rank = e->rank;
    out->unit = u->unit;
    out->card_share = e->share;
    out->satisfaction = e->sat;
    out->raw_score = e->raw;
    out->score = e->score;
    out->months = u->months;
    out->vetoed = u->vetoed;
    out->veto_reason = u->veto_reason ? u->veto_reason : "";
    out->has_previous = e->has_prev;
    out->previous_rank = e->prev_rank;
    out->change = e->change;
    return SVCQ_OK;
}
