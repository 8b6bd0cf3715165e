/* Replay: recorded event logs run through another policy. */
#include <string.h>

#include "sla/sla_internal.h"

struct svcq_sla_replay {
    svcq_ctx *ctx;
    svcq_sla_policy *policy;
    uint64_t subjects;
    uint64_t *totals; /* met, breached, open per target */
};

int svcq_sla_replay_new(svcq_sla_replay **out, svcq_sla_policy *policy)
{
    if (!policy)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = policy->ctx;
    if (!out)
        return svcq__error(ctx, SVCQ_EINVAL, "replay of policy %s: no output pointer", policy->name);
    *out = NULL;
    if (policy->ntargets == 0)
        return svcq__error(ctx, SVCQ_EINVAL, "replay of policy %s v%u: the policy has no targets", policy->name,
                           policy->version);
    svcq_sla_replay *r = svcq__calloc(ctx, 1, sizeof(*r));
    uint64_t *totals = svcq__calloc(ctx, (size_t)policy->ntargets * 3, sizeof(*totals));
    if (!r || !totals) {
        svcq__free(ctx, r);
        svcq__free(ctx, totals);
        return svcq__enomem(ctx);
    }
    r->ctx = ctx;
    r->policy = policy;
    r->totals = totals;
    svcq__sla_policy_retain(policy);
    *out = r;
    return SVCQ_OK;
}

void svcq_sla_replay_free(svcq_sla_replay *replay)
{
    if (!replay)
        return;
    svcq_ctx *ctx = replay->ctx;
    svcq__sla_policy_release(replay->policy);
    svcq__free(ctx, replay->totals);
    svcq__free(ctx, replay);
}

int svcq_sla_replay_add_clock(svcq_sla_replay *replay, const svcq_sla_clock *clock, svcq_time until)
{
    if (!replay)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = replay->ctx;
    if (!clock)
        return svcq__error(ctx, SVCQ_EINVAL, "replay of policy %s: no clock", replay->policy->name);
    /* Compared before anything of the clock is read: a handle of another
     * context is never used. */
    if (clock->ctx != ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "replay of policy %s: the clock belongs to another context",
                           replay->policy->name);
    const svcq_sla_policy *P = replay->policy;
    /* Only what had happened by `until`. */
    uint32_t n = 0;
    while (n < clock->nevents && clock->events[n].at <= until)
        n++;
    svcq__sla_version v = { replay->policy, INT64_MIN, SVCQ_SLA_CHANGE_RECOMPUTE };
    uint64_t add[3 * SVCQ__SLA_MAX_TARGETS];
    svcq__sla_pause *p = NULL;
    uint32_t np = 0, pcap = 0;
    int rc = SVCQ_OK;
    for (uint32_t j = 0; j < P->ntargets && rc == SVCQ_OK; j++) {
        svcq__sla_tstate S;
        np = 0;
        rc = svcq__sla_fold_target(ctx, &v, 1, clock->events, svcq__sla_dues(clock), n, j, SVCQ_SLA_NEVER, NULL, NULL, &S, &p, &np, &pcap);
        if (rc == SVCQ_OK)
            rc = svcq__sla_catch_up(ctx, &P->targets[j], &S, until);
        if (rc == SVCQ_OK) {
            bool live = S.state == SVCQ__T_RUNNING || S.state == SVCQ__T_PAUSED;
            add[3 * j] = S.met_count;
            add[3 * j + 1] = S.breached_count;
            add[3 * j + 2] = live && !S.levels;
        }
    }
    svcq__free(ctx, p);
    if (rc)
        return rc;
    for (uint32_t i = 0; i < 3 * P->ntargets; i++)
        replay->totals[i] += add[i];
    replay->subjects++;
    return SVCQ_OK;
}

int svcq_sla_replay_totals(uint64_t *met, uint64_t *breached, uint64_t *open, const svcq_sla_replay *replay,
                           uint32_t index)
{
    if (!replay)
        return SVCQ_EINVAL;
    if (index >= replay->policy->ntargets)
        return svcq__error(replay->ctx, SVCQ_ENOTFOUND, "replay of policy %s: no target %u (the policy has %u)",
                           replay->policy->name, index, replay->policy->ntargets);
    if (met)
        *met = replay->totals[3 * index];
    if (breached)
        *breached = replay->totals[3 * index + 1];
    if (open)
        *open = replay->totals[3 * index + 2];
    return SVCQ_OK;
}

uint64_t svcq_sla_replay_subjects(const svcq_sla_replay *replay)
{
    return replay ? replay->subjects : 0;
}
