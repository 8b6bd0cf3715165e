/* The archive on the blueprint: observations of one period, fed by the
 * host (and later by the incident module), read against a blueprint.
 *
 * An overlay knows no blueprint: it keeps the observations (copied), and
 * every question names the blueprint, so one overlay can be read against
 * the current blueprint and an old version alike. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "blueprint/blueprint_internal.h"
#include "core/str.h"
#include "store/store.h"

int svcq_blueprint_observation_init(svcq_blueprint_observation *obs, uint32_t version)
{
    return svcq__table_init(obs, sizeof(*obs), version, SVCQ_BLUEPRINT_OBSERVATION_VERSION);
}

int svcq_blueprint_step_stats_init(svcq_blueprint_step_stats *stats, uint32_t version)
{
    return svcq__table_init(stats, sizeof(*stats), version, SVCQ_BLUEPRINT_STEP_STATS_VERSION);
}

int svcq_blueprint_overlay_new(svcq_blueprint_overlay **out, svcq_ctx *ctx, svcq_time from, svcq_time to)
{
    if (out)
        *out = NULL;
    if (!out || !ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_blueprint_overlay_new: NULL %s", out ? "ctx" : "out");
    if (to <= from)
        return svcq__error(ctx, SVCQ_ERANGE, "blueprint overlay: the period ends (%lld) at or before it starts "
                           "(%lld)", (long long)to, (long long)from);
    svcq_blueprint_overlay *ov = svcq__calloc(ctx, 1, sizeof(*ov));
    if (!ov)
        return svcq__enomem(ctx);
    ov->ctx = ctx;
    ov->from = from;
    ov->to = to;
    svcq__map_init(&ov->ids, ctx);
    *out = ov;
    return SVCQ_OK;
}

static void obs_free(svcq_ctx *ctx, svcq__bp_obs *o)
{
    svcq__free(ctx, o->step);
    svcq__free(ctx, o->incident);
    svcq__free(ctx, o->stage);
    for (uint32_t i = 0; i < o->nbreached; i++)
        svcq__free(ctx, o->breached[i]);
    svcq__free(ctx, o->breached);
    memset(o, 0, sizeof(*o));
}

void svcq_blueprint_overlay_free(svcq_blueprint_overlay *ov)
{
    if (!ov)
        return;
    for (size_t i = 0; i < ov->nobs; i++)
        obs_free(ov->ctx, &ov->obs[i]);
    svcq__free(ov->ctx, ov->obs);
    svcq__map_free(&ov->ids);
    svcq__free(ov->ctx, ov);
}

void svcq__bp_overlay_truncate(svcq_blueprint_overlay *ov, size_t n, size_t skipped)
{
    while (ov->nobs > n) {
        svcq__bp_obs *o = &ov->obs[--ov->nobs];
        (void)svcq__map_remove(&ov->ids, o->incident, strlen(o->incident));
        obs_free(ov->ctx, o);
    }
    ov->skipped = skipped;
}

int svcq_blueprint_overlay_add(svcq_blueprint_overlay *ov, const svcq_blueprint_observation *obs)
{
    if (!ov || !obs)
        return svcq__error(ov ? ov->ctx : NULL, SVCQ_EINVAL, "svcq_blueprint_overlay_add: NULL %s",
                           ov ? "observation" : "overlay");
    svcq_ctx *ctx = ov->ctx;
    if (obs->version < 1 || obs->version > SVCQ_BLUEPRINT_OBSERVATION_VERSION)
        return svcq__error(ctx, SVCQ_EVERSION, "blueprint overlay: observation table version %u is not one this "
                           "library knows (1 to %u)", (unsigned)obs->version, SVCQ_BLUEPRINT_OBSERVATION_VERSION);
    if (!obs->incident)
        return svcq__error(ctx, SVCQ_EINVAL, "blueprint overlay: an observation without an incident id");
    int rc = svcq__store_check_id(ctx, obs->incident);
    if (rc)
        return svcq__error_prefix(ctx, rc, "blueprint overlay: incident id");
    const char *inc = obs->incident;
    if (obs->reserved0 || !svcq__all_zero(obs->reserved, sizeof(obs->reserved)))
        return svcq__error(ctx, SVCQ_EINVAL, "blueprint overlay: incident %s: reserved fields must be zero", inc);
    if (!svcq_blueprint_obs_state_name(obs->state))
        return svcq__error(ctx, SVCQ_EINVAL, "blueprint overlay: incident %s: state %d is unknown (open 1, "
                           "closed 2)", inc, (int)obs->state);
    if (obs->recurrence > 1)
        return svcq__error(ctx, SVCQ_EINVAL, "blueprint overlay: incident %s: recurrence is %u (0 or 1)", inc,
                           (unsigned)obs->recurrence);
    char what[128];
    snprintf(what, sizeof(what), "blueprint overlay: incident %.64s: touchpoint", inc);
    if (obs->step && *obs->step) {
        rc = svcq__bp_check_key(ctx, what, obs->step, strnlen(obs->step, SVCQ_BLUEPRINT_MAX_KEY + 1), false);
        if (rc)
            return rc;
    }
    if (obs->stage && *obs->stage) {
        snprintf(what, sizeof(what), "blueprint overlay: incident %.64s: stage", inc);
        rc = svcq__bp_check_key(ctx, what, obs->stage, strnlen(obs->stage, SVCQ_BLUEPRINT_MAX_KEY + 1), false);
        if (rc)
            return rc;
    }
    if (obs->breached_count > SVCQ_BLUEPRINT_MAX_BREACHED)
        return svcq__error(ctx, SVCQ_ELIMIT, "blueprint overlay: incident %s: %u breached targets, more than %d",
                           inc, (unsigned)obs->breached_count, SVCQ_BLUEPRINT_MAX_BREACHED);
    if (obs->breached_count && !obs->breached)
        return svcq__error(ctx, SVCQ_EINVAL, "blueprint overlay: incident %s: breached is NULL with a count of %u",
                           inc, (unsigned)obs->breached_count);
    for (uint32_t i = 0; i < obs->breached_count; i++) {
        snprintf(what, sizeof(what), "blueprint overlay: incident %.64s: breached[%u]", inc, (unsigned)i);
        if (!obs->breached[i])
            return svcq__error(ctx, SVCQ_EINVAL, "%s: NULL", what);
        rc = svcq__bp_check_text(ctx, what, obs->breached[i], strlen(obs->breached[i]));
        if (rc)
            return rc;
    }
    if (svcq__map_get(&ov->ids, inc, strlen(inc)))
        return svcq__error(ctx, SVCQ_EEXIST, "blueprint overlay: incident %s was already added", inc);
    if (obs->at < ov->from || obs->at >= ov->to) {
        ov->skipped++;
        return SVCQ_OK;
    }
    if (ov->nobs >= SVCQ_BLUEPRINT_MAX_OBSERVATIONS)
        return svcq__error(ctx, SVCQ_ELIMIT, "blueprint overlay: more than %d incidents",
                           SVCQ_BLUEPRINT_MAX_OBSERVATIONS);
    /* Everything allocated first; the overlay changes only at the end. */
    if (ov->nobs == ov->cap) {
        size_t cap = ov->cap ? ov->cap * 2 : 16;
        svcq__bp_obs *n = svcq__reallocarray(ctx, ov->obs, cap, sizeof(*n));
        if (!n)
            return svcq__enomem(ctx);
        ov->obs = n;
        ov->cap = cap;
    }
    rc = svcq__map_reserve(&ov->ids, ov->nobs + 1);
    if (rc)
        return svcq__enomem(ctx);
    svcq__bp_obs o = { 0 };
    o.at = obs->at;
    o.state = obs->state;
    o.recurrence = obs->recurrence;
    o.open_actions = obs->open_actions;
    rc = svcq__strdup(ctx, "incident", inc, &o.incident);
    if (!rc && obs->step && *obs->step)
        rc = svcq__strdup(ctx, "touchpoint", obs->step, &o.step);
    if (!rc && obs->stage && *obs->stage)
        rc = svcq__strdup(ctx, "stage", obs->stage, &o.stage);
    if (!rc && obs->breached_count) {
        o.breached = svcq__calloc(ctx, obs->breached_count, sizeof(*o.breached));
        if (!o.breached)
            rc = svcq__enomem(ctx);
    }
    for (uint32_t i = 0; !rc && i < obs->breached_count; i++) {
        rc = svcq__strdup(ctx, "breached", obs->breached[i], &o.breached[i]);
        if (!rc)
            o.nbreached = i + 1;
    }
    if (rc) {
        obs_free(ctx, &o);
        return rc;
    }
    ov->obs[ov->nobs] = o;
    (void)svcq__map_put(&ov->ids, o.incident, strlen(o.incident), (void *)(uintptr_t)(ov->nobs + 1), NULL);
    ov->nobs++;
    return SVCQ_OK;
}

size_t svcq_blueprint_overlay_count(const svcq_blueprint_overlay *ov)
{
    return ov ? ov->nobs : 0;
}

size_t svcq_blueprint_overlay_skipped(const svcq_blueprint_overlay *ov)
{
    return ov ? ov->skipped : 0;
}

static bool breached(const svcq__bp_obs *o, const char *target)
{
    for (uint32_t i = 0; i < o->nbreached; i++)
        if (strcmp(o->breached[i], target) == 0)
            return true;
    return false;
}

static bool watched(const svcq__bp_risk *r)
{
    return r->watch == SVCQ_BLUEPRINT_WATCH_SLA_TARGET && r->watch_name;
}

void svcq__bp_stats(const svcq_blueprint_overlay *ov, const svcq_blueprint *bp, size_t i,
                    svcq_blueprint_step_stats *out)
{
    uint32_t v = out->version;
    memset(out, 0, sizeof(*out));
    out->version = v;
    const svcq__bp_step *s = &bp->m.steps[i];
    for (size_t k = 0; k < bp->m.nrisks; k++)
        if (strcmp(bp->m.risks[k].step, s->key) == 0)
            out->risk_points++;
    for (size_t k = 0; ov && k < ov->nobs; k++) {
        const svcq__bp_obs *o = &ov->obs[k];
        if (!o->step || strcmp(o->step, s->key) != 0)
            continue;
        out->incidents++;
        out->recurrences += o->recurrence;
        out->open += o->state == SVCQ_BLUEPRINT_OBS_OPEN;
        out->open_actions += o->open_actions;
        for (size_t r = 0; r < bp->m.nrisks; r++) {
            const svcq__bp_risk *rp = &bp->m.risks[r];
            if (strcmp(rp->step, s->key) == 0 && watched(rp) && breached(o, rp->watch_name)) {
                out->breaches++;
                break;
            }
        }
    }
    out->unplanned = out->incidents > 0 && out->risk_points == 0;
}

uint32_t svcq__bp_risk_breaches(const svcq_blueprint_overlay *ov, const svcq__bp_risk *r)
{
    uint32_t n = 0;
    if (!watched(r))
        return 0;
    for (size_t k = 0; ov && k < ov->nobs; k++) {
        const svcq__bp_obs *o = &ov->obs[k];
        if (o->step && strcmp(o->step, r->step) == 0 && breached(o, r->watch_name))
            n++;
    }
    return n;
}

int svcq__bp_stats_all(const svcq_blueprint_overlay *ov, const svcq_blueprint *bp, svcq_blueprint_step_stats *out,
                       uint32_t *risk_breaches)
{
    svcq_ctx *ctx = bp->ctx;
    const svcq__bp_model *m = &bp->m;
    size_t ns = m->nsteps, nr = m->nrisks;
    for (size_t i = 0; i < ns; i++) {
        memset(&out[i], 0, sizeof(out[i]));
        out[i].version = SVCQ_BLUEPRINT_STEP_STATS_VERSION;
    }
    for (size_t r = 0; risk_breaches && r < nr; r++)
        risk_breaches[r] = 0;
    if (ns == 0)
        return SVCQ_OK;
    /* Step keys to indices, and each step's risk points as a list. */
    svcq__map index;
    svcq__map_init(&index, ctx);
    size_t *first = svcq__calloc(ctx, ns, sizeof(*first));
    size_t *next = nr ? svcq__calloc(ctx, nr, sizeof(*next)) : NULL;
    int rc = first && (next || !nr) ? svcq__map_reserve(&index, ns) : svcq__enomem(ctx);
    if (rc == SVCQ_ENOMEM)
        rc = svcq__enomem(ctx);
    for (size_t i = 0; rc == SVCQ_OK && i < ns; i++)
        (void)svcq__map_put(&index, m->steps[i].key, strlen(m->steps[i].key), (void *)(uintptr_t)(i + 1), NULL);
    /* Lists in reverse so that walking them visits risk points in order. */
    for (size_t r = nr; rc == SVCQ_OK && r-- > 0;) {
        size_t i = (size_t)(uintptr_t)svcq__map_get(&index, m->risks[r].step, strlen(m->risks[r].step));
        if (!i)
            continue; /* cannot happen: every risk point's step exists */
        next[r] = first[i - 1];
        first[i - 1] = r + 1;
        out[i - 1].risk_points++;
    }
    for (size_t k = 0; rc == SVCQ_OK && ov && k < ov->nobs; k++) {
        const svcq__bp_obs *o = &ov->obs[k];
        if (!o->step)
            continue;
        size_t i = (size_t)(uintptr_t)svcq__map_get(&index, o->step, strlen(o->step));
        if (!i)
            continue;
        svcq_blueprint_step_stats *st = &out[i - 1];
        st->incidents++;
        st->recurrences += o->recurrence;
        st->open += o->state == SVCQ_BLUEPRINT_OBS_OPEN;
        st->open_actions += o->open_actions;
        bool hit = false;
        for (size_t r = first[i - 1]; r; r = next[r - 1]) {
            const svcq__bp_risk *rp = &m->risks[r - 1];
            if (watched(rp) && breached(o, rp->watch_name)) {
                hit = true;
                if (risk_breaches)
                    risk_breaches[r - 1]++;
            }
        }
        st->breaches += hit;
    }
    for (size_t i = 0; i < ns; i++)
        out[i].unplanned = out[i].incidents > 0 && out[i].risk_points == 0;
    svcq__map_free(&index);
    svcq__free(ctx, first);
    svcq__free(ctx, next);
    return rc;
}

static int check_pair(const svcq_blueprint_overlay *ov, const svcq_blueprint *bp, const char *fn)
{
    if (!ov || !bp)
        return svcq__error(ov ? ov->ctx : bp ? bp->ctx : NULL, SVCQ_EINVAL, "%s: NULL %s", fn,
                           ov ? "blueprint" : "overlay");
    if (ov->ctx != bp->ctx)
        return svcq__error(ov->ctx, SVCQ_EINVAL, "%s: blueprint %s belongs to another context", fn, bp->service);
    return SVCQ_OK;
}

int svcq_blueprint_overlay_step(svcq_blueprint_step_stats *out, const svcq_blueprint_overlay *ov,
                                const svcq_blueprint *bp, const char *step)
{
    int rc = check_pair(ov, bp, "svcq_blueprint_overlay_step");
    if (rc)
        return rc;
    if (!out || !step)
        return svcq__error(ov->ctx, SVCQ_EINVAL, "svcq_blueprint_overlay_step: NULL %s", out ? "step" : "out");
    if (out->version < 1 || out->version > SVCQ_BLUEPRINT_STEP_STATS_VERSION)
        return svcq__error(ov->ctx, SVCQ_EVERSION, "svcq_blueprint_overlay_step: table version %u is not one this "
                           "library knows (1 to %u)", (unsigned)out->version, SVCQ_BLUEPRINT_STEP_STATS_VERSION);
    size_t i;
    if (!svcq__bp_find_step(&bp->m, step, &i))
        return svcq__error(ov->ctx, SVCQ_ENOTFOUND, "blueprint %s: no step %.64s", bp->service, step);
    svcq__bp_stats(ov, bp, i, out);
    return SVCQ_OK;
}

int svcq_blueprint_overlay_risk_breaches(uint32_t *out, const svcq_blueprint_overlay *ov, const svcq_blueprint *bp,
                                         const char *risk)
{
    int rc = check_pair(ov, bp, "svcq_blueprint_overlay_risk_breaches");
    if (rc)
        return rc;
    if (!out || !risk)
        return svcq__error(ov->ctx, SVCQ_EINVAL, "svcq_blueprint_overlay_risk_breaches: NULL %s",
                           out ? "risk" : "out");
    const svcq__bp_risk *r = svcq__bp_find_risk(&bp->m, risk, NULL);
    if (!r)
        return svcq__error(ov->ctx, SVCQ_ENOTFOUND, "blueprint %s: no risk point %.64s", bp->service, risk);
    *out = svcq__bp_risk_breaches(ov, r);
    return SVCQ_OK;
}

size_t svcq_blueprint_overlay_unplaced(const svcq_blueprint_overlay *ov, const svcq_blueprint *bp)
{
    if (!ov || !bp || ov->ctx != bp->ctx)
        return 0;
    size_t n = 0;
    for (size_t k = 0; k < ov->nobs; k++)
        if (!ov->obs[k].step || !svcq__bp_find_step(&bp->m, ov->obs[k].step, NULL))
            n++;
    return n;
}

size_t svcq_blueprint_overlay_unplaced_in_stage(const svcq_blueprint_overlay *ov, const svcq_blueprint *bp,
                                                const char *stage)
{
    if (!ov || !bp || ov->ctx != bp->ctx)
        return 0;
    if (stage && !*stage)
        stage = NULL;
    size_t n = 0;
    for (size_t k = 0; k < ov->nobs; k++) {
        const svcq__bp_obs *o = &ov->obs[k];
        if (o->step && svcq__bp_find_step(&bp->m, o->step, NULL))
            continue;
        if (stage ? o->stage && strcmp(o->stage, stage) == 0 : !o->stage)
            n++;
    }
    return n;
}
