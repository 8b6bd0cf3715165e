/* A tier change reaches open work: svcq_client_move_clocks() moves the
 * open SLA clocks of a client's subjects to its new tier's policy.
 *
 * All or nothing: the new clocks are made first (svcq_sla_clock_transfer,
 * nothing changes yet); then, in one store scope, the records of stored
 * old clocks are removed and the new clocks saved, and the new clocks join
 * the scheduler (all-or-nothing too: one failed add frees those added).
 * Only when the scope committed are the old clocks freed. A host batch
 * could roll the store back after the call returned, when the scheduler
 * can no longer be put back: the call refuses to run inside one. */
#include <string.h>

#include "sla/sla_internal.h"
#include "store/store.h"
#include "tier/tier_internal.h"

static bool clock_open(const svcq_sla_clock *c)
{
    const svcq_sla_policy *P = svcq_sla_clock_policy(c);
    for (uint32_t j = 0; j < P->ntargets; j++) {
        uint8_t s = svcq__sla_t(c, j)->state;
        if (s == SVCQ__T_PENDING || s == SVCQ__T_RUNNING || s == SVCQ__T_PAUSED)
            return true;
    }
    return false;
}

int svcq_client_move_clocks(uint32_t *moved, const svcq_client *client, const svcq_tier_scheme *scheme,
                            svcq_sla_scheduler *scheduler, svcq_sla_policy *const *tier_policies, uint32_t npolicies,
                            const char *const *subjects, uint32_t nsubjects, svcq_time at)
{
    if (moved)
        *moved = 0;
    if (!client)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = client->ctx;
    const char *id = client->id;
    if (!scheme || !scheduler || !tier_policies || (!subjects && nsubjects))
        return svcq__error(ctx, SVCQ_EINVAL, "client %s: move clocks: NULL %s", id,
                           !scheme ? "scheme" : !scheduler ? "scheduler" : !tier_policies ? "tier_policies" : "subjects");
    if (scheme->ctx != ctx || svcq__sla_sched_ctx(scheduler) != ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "client %s: move clocks: the %s belongs to another context", id,
                           scheme->ctx != ctx ? "scheme" : "scheduler");
    if (npolicies != scheme->ntiers)
        return svcq__error(ctx, SVCQ_EINVAL, "client %s: move clocks: %u policies for the %u tiers of scheme %s v%u",
                           id, npolicies, scheme->ntiers, scheme->name, scheme->version);
    for (uint32_t i = 0; i < npolicies; i++) {
        if (!tier_policies[i])
            return svcq__error(ctx, SVCQ_EINVAL, "client %s: move clocks: no policy for tier %s", id,
                               scheme->tiers[i].key);
        if (tier_policies[i]->ctx != ctx)
            return svcq__error(ctx, SVCQ_EINVAL, "client %s: move clocks: the policy of tier %s belongs to another "
                               "context", id, scheme->tiers[i].key);
        for (uint32_t k = 0; k < i; k++)
            if (strcmp(tier_policies[k]->name, tier_policies[i]->name) == 0)
                return svcq__error(ctx, SVCQ_EINVAL, "client %s: move clocks: tiers %s and %s share policy %s", id,
                                   scheme->tiers[k].key, scheme->tiers[i].key, tier_policies[i]->name);
    }
    for (uint32_t i = 0; i < nsubjects; i++)
        if (!subjects[i])
            return svcq__error(ctx, SVCQ_EINVAL, "client %s: move clocks: subject %u is NULL", id, i);
    const svcq__store_state *ss = svcq__store_peek(ctx);
    if (ss && ss->batch_open)
        return svcq__error(ctx, SVCQ_ESTATE, "client %s: move clocks: not inside a host batch (a batch rollback "
                           "could not put the scheduler's clocks back)", id);
    const char *tier;
    int rc = svcq_client_tier_at(&tier, NULL, client, at);
    if (rc)
        return rc;
    int r = svcq__tier_find_tier(scheme, tier);
    if (r < 0)
        return svcq__error(ctx, SVCQ_ENOTFOUND, "client %s: move clocks: its tier %s at %lld is not a tier of scheme "
                           "%s v%u", id, tier, (long long)at, scheme->name, scheme->version);
    svcq_sla_policy *target = tier_policies[r];

    /* The clocks to move and their replacements. */
    size_t cap = (size_t)nsubjects * npolicies, n = 0;
    svcq_sla_clock **olds = cap ? svcq__calloc(ctx, cap, sizeof(*olds)) : NULL;
    svcq_sla_clock **news = cap ? svcq__calloc(ctx, cap, sizeof(*news)) : NULL;
    if (cap && (!olds || !news)) {
        svcq__free(ctx, olds);
        svcq__free(ctx, news);
        return svcq__enomem(ctx);
    }
    for (uint32_t s = 0; s < nsubjects && rc == SVCQ_OK; s++) {
        for (uint32_t p = 0; p < npolicies && rc == SVCQ_OK; p++) {
            if ((int)p == r)
                continue;
            svcq_sla_clock *old = svcq_sla_scheduler_find(scheduler, subjects[s], tier_policies[p]->name);
            if (!old || !clock_open(old))
                continue;
            if (svcq_sla_scheduler_find(scheduler, subjects[s], target->name)) {
                rc = svcq__error(ctx, SVCQ_EEXIST, "client %s: move clocks: subject %s has a clock on policy %s "
                                 "already", id, subjects[s], target->name);
                break;
            }
            svcq_sla_clock *nc;
            if ((rc = svcq_sla_clock_transfer(&nc, old, target, at)) || !nc)
                continue; /* an error ends the loops; KEEP moves nothing */
            olds[n] = old;
            news[n++] = nc;
        }
    }
    svcq__tx tx;
    tx.began = false;
    size_t added = 0;
    if (rc == SVCQ_OK && n)
        rc = svcq__tx_begin(ctx, &tx);
    for (size_t i = 0; i < n && rc == SVCQ_OK; i++) {
        if (olds[i]->revision == 0)
            continue;
        if ((rc = svcq_sla_clock_remove(olds[i])) == SVCQ_OK)
            rc = svcq_sla_clock_save(news[i]);
    }
    for (; added < n && rc == SVCQ_OK; added++)
        rc = svcq_sla_scheduler_add(scheduler, news[added]);
    if (n)
        rc = svcq__tx_end(ctx, &tx, rc);
    if (rc) {
        for (size_t i = 0; i < n; i++)
            svcq_sla_clock_free(news[i]); /* leaves the scheduler if it joined it */
    } else {
        for (size_t i = 0; i < n; i++)
            svcq_sla_clock_free(olds[i]);
        if (moved)
            *moved = (uint32_t)n;
    }
    svcq__free(ctx, olds);
    svcq__free(ctx, news);
    return rc;
}
