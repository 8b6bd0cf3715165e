/* SLA clocks: the event log, incremental updates, policy changes, status. */
#include <string.h>

#include "core/intern.h"
#include "core/str.h"
#include "core/utf8.h"
#include "sla/sla_internal.h"

#define NEVER SVCQ_SLA_NEVER

static int check_text(svcq_ctx *ctx, const char *what, const char *s, size_t *len)
{
    *len = strlen(s);
    if (*len > SVCQ__SLA_NAME_MAX)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: longer than %d bytes", what, SVCQ__SLA_NAME_MAX);
    if (!svcq__utf8_valid(s, *len))
        return svcq__error(ctx, SVCQ_EINVAL, "%s: invalid UTF-8", what);
    /* Subjects and names end up in store ids, which refuse them. */
    for (size_t i = 0; i < *len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
            return svcq__error(ctx, SVCQ_EINVAL, "%s: control character", what);
    return SVCQ_OK;
}

int svcq_sla_clock_new(svcq_sla_clock **out, svcq_sla_policy *policy, const char *subject)
{
    if (!out || !policy)
        return SVCQ_EINVAL;
    *out = NULL;
    svcq_ctx *ctx = policy->ctx;
    if (!subject)
        return svcq__error(ctx, SVCQ_EINVAL, "clock subject: missing");
    size_t slen;
    int rc = check_text(ctx, "clock subject", subject, &slen);
    if (rc)
        return rc;
    if (slen == 0)
        return svcq__error(ctx, SVCQ_EINVAL, "clock subject: empty");
    if (policy->ntargets == 0)
        return svcq__error(ctx, SVCQ_EINVAL, "policy %s v%u has no targets", policy->name, policy->version);

    size_t nlen = strlen(policy->name);
    /* One allocation: the clock and its key; the target states come with
     * the first event, so an idle clock stays small. */
    svcq_sla_clock *c = svcq__calloc(ctx, 1, sizeof(*c) + slen + 1 + nlen + 1);
    if (!c)
        return svcq__enomem(ctx);
    c->ctx = ctx;
    c->wslot = SVCQ__SLOT_NONE;
    c->next_notice = NEVER;
    c->subject_len = (uint32_t)slen;
    memcpy(c->key, subject, slen + 1);
    memcpy(c->key + slen + 1, policy->name, nlen + 1);
    c->first = (svcq__sla_version){ policy, INT64_MIN, SVCQ_SLA_CHANGE_RECOMPUTE };
    c->versions = &c->first;
    c->nversions = 1;
    c->policy = policy;
    svcq__sla_policy_retain(policy);
    *out = c;
    return SVCQ_OK;
}

void svcq__sla_clock_destroy(svcq_sla_clock *c)
{
    svcq_ctx *ctx = c->ctx;
    for (uint32_t i = 0; i < c->nversions; i++)
        svcq__sla_policy_release(c->versions[i].policy);
    if (c->versions != &c->first)
        svcq__free(ctx, c->versions);
    svcq__free(ctx, c->events);
    svcq__free(ctx, c->t);
    svcq__free(ctx, c->pauses);
    svcq__free(ctx, c);
}

void svcq_sla_clock_free(svcq_sla_clock *clock)
{
    if (!clock)
        return;
    if (clock->sched)
        svcq__sla_sched_detach(clock);
    svcq__sla_clock_destroy(clock);
}

const char *svcq_sla_clock_subject(const svcq_sla_clock *clock)
{
    return clock ? clock->key : "";
}

const svcq_sla_policy *svcq_sla_clock_policy(const svcq_sla_clock *clock)
{
    return clock ? svcq__sla_clock_policy(clock) : NULL;
}

uint32_t svcq_sla_clock_event_count(const svcq_sla_clock *clock)
{
    return clock ? clock->nevents : 0;
}

int svcq_sla_clock_event_at(const char **name, svcq_time *at, const char **reason, const svcq_sla_clock *clock,
                            uint32_t index)
{
    if (!clock)
        return SVCQ_EINVAL;
    if (index >= clock->nevents)
        return SVCQ_ENOTFOUND;
    const svcq__sla_event *e = &clock->events[index];
    if (name)
        *name = svcq__intern_str(clock->ctx, e->name);
    if (at)
        *at = e->at;
    if (reason)
        *reason = svcq__intern_str(clock->ctx, e->reason);
    return SVCQ_OK;
}

/* Next-notice instants for a candidate state (t, pauses) of clock c,
 * computed against c's log and versions as they will be. */
static int refresh_all(const svcq_sla_clock *c, svcq__sla_tstate *t, svcq__sla_pause *pauses, uint32_t np)
{
    svcq_sla_clock view = *c;
    view.t = t;
    view.pauses = pauses;
    view.npauses = np;
    const svcq_sla_policy *P = svcq__sla_clock_policy(c);
    for (uint32_t j = 0; j < P->ntargets; j++) {
        int rc = svcq__sla_refresh_next(&view, j, &t[j]);
        if (rc)
            return rc;
    }
    return SVCQ_OK;
}

/* Installs a computed state; cannot fail. */
static void install(svcq_sla_clock *c, svcq__sla_tstate *t, svcq__sla_pause *pauses, uint32_t np, uint32_t pcap)
{
    if (t != c->t) {
        svcq__free(c->ctx, c->t);
        c->t = t;
    }
    if (pauses != c->pauses) {
        svcq__free(c->ctx, c->pauses);
        c->pauses = pauses;
    }
    c->npauses = np;
    c->pauses_cap = pcap;
    c->changes++;
    if (c->sched)
        svcq__sla_sched_rekey(c);
}

/* Recomputes the state from the log into fresh arrays, keeping what the
 * scheduler delivered (by metric, so that it survives policy changes). */
static int recompute(svcq_sla_clock *c, const svcq_sla_policy *old_policy, const svcq__sla_tstate *old_t,
                     svcq__sla_fold *f)
{
    int rc = svcq__sla_fold_all(c->ctx, c->versions, c->nversions, c->events, c->nevents, f);
    if (rc)
        return rc;
    const svcq_sla_policy *P = svcq__sla_clock_policy(c);
    for (uint32_t j = 0; j < P->ntargets; j++) {
        int o = old_policy == P ? (int)j : svcq__sla_policy_find_metric(old_policy, P->targets[j].metric);
        if (o >= 0 && old_t) {
            f->t[j].delivered = old_t[o].delivered;
            f->t[j].delivered_cycle = old_t[o].delivered_cycle;
        }
    }
    if (c->sched && (rc = refresh_all(c, f->t, f->pauses, f->npauses))) {
        svcq__sla_fold_free(c->ctx, f);
        return rc;
    }
    return SVCQ_OK;
}

int svcq_sla_clock_event(svcq_sla_clock *clock, const char *event, svcq_time at, const char *reason)
{
    if (!clock)
        return SVCQ_EINVAL;
    svcq_sla_clock *c = clock;
    svcq_ctx *ctx = c->ctx;
    const svcq_sla_policy *P = svcq__sla_clock_policy(c);
    if (!event)
        return svcq__error(ctx, SVCQ_EINVAL, "event name: missing");
    size_t elen, rlen = 0;
    int rc = check_text(ctx, "event name", event, &elen);
    if (rc)
        return rc;
    if (reason && (rc = check_text(ctx, "pause reason", reason, &rlen)))
        return rc;
    if (at == NEVER || at == INT64_MIN)
        return svcq__error(ctx, SVCQ_ERANGE, "event time out of range");

    svcq__sla_event e = { at, 0, 0 };
    if (!svcq__intern_find(ctx, event, elen, &e.name) || !svcq__sla_policy_uses(P, e.name))
        return svcq__error(ctx, SVCQ_ENOTFOUND, "event \"%s\" is not used by policy %s v%u", event, P->name,
                        P->version);
    if (rlen && (rc = svcq__intern(ctx, reason, rlen, &e.reason)))
        return svcq__enomem(ctx);

    /* Position: after every event of the same time or earlier. */
    uint32_t lo = 0, hi = c->nevents;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (c->events[mid].at <= at)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint32_t pos = lo;
    for (uint32_t i = pos; i > 0 && c->events[i - 1].at == at; i--)
        if (c->events[i - 1].name == e.name && c->events[i - 1].reason == e.reason)
            return SVCQ_OK; /* a duplicate: retries are harmless */

    if (c->nevents == c->events_cap) {
        if (c->nevents == UINT32_MAX / 2)
            return svcq__error(ctx, SVCQ_ELIMIT, "too many events on one clock");
        uint32_t cap = c->events_cap ? c->events_cap * 2 : 4;
        svcq__sla_event *grown = svcq__reallocarray(ctx, c->events, cap, sizeof(*grown));
        if (!grown)
            return svcq__enomem(ctx);
        c->events = grown;
        c->events_cap = cap;
    }
    memmove(&c->events[pos + 1], &c->events[pos], (c->nevents - pos) * sizeof(*c->events));
    c->events[pos] = e;
    c->nevents++;

    bool in_order = pos == c->nevents - 1 && at >= c->versions[c->nversions - 1].from;
    if (in_order) {
        /* The common case: one step, computed on a copy of the state and
         * installed in place once nothing can fail any more. */
        svcq__sla_tstate t[SVCQ__SLA_MAX_TARGETS];
        uint8_t act[SVCQ__SLA_MAX_TARGETS];
        uint32_t opens;
        for (uint32_t j = 0; j < P->ntargets; j++)
            t[j] = *svcq__sla_t(c, j);
        rc = svcq__sla_step_compute(ctx, P, t, c->pauses, c->npauses, &e, act, &opens);
        if (rc == SVCQ_OK && c->sched)
            rc = refresh_all(c, t, c->pauses, c->npauses);
        if (rc == SVCQ_OK && opens)
            rc = svcq__sla_pauses_reserve(ctx, &c->pauses, &c->pauses_cap, c->npauses + opens);
        if (rc == SVCQ_OK && !c->t && !(c->t = svcq__malloc(ctx, P->ntargets * sizeof(*c->t))))
            rc = svcq__enomem(ctx);
        if (rc == SVCQ_OK) {
            memcpy(c->t, t, P->ntargets * sizeof(*t));
            svcq__sla_step_apply(P, c->pauses, &c->npauses, act, &e);
            install(c, c->t, c->pauses, c->npauses, c->pauses_cap);
            return SVCQ_OK;
        }
    } else {
        svcq__sla_fold f;
        rc = recompute(c, P, c->t, &f);
        if (rc == SVCQ_OK) {
            install(c, f.t, f.pauses, f.npauses, f.pauses_cap);
            return SVCQ_OK;
        }
    }
    /* Undo the insertion. */
    c->nevents--;
    memmove(&c->events[pos], &c->events[pos + 1], (c->nevents - pos) * sizeof(*c->events));
    return rc;
}

int svcq_sla_clock_rebuild(svcq_sla_clock *clock)
{
    if (!clock)
        return SVCQ_EINVAL;
    svcq__sla_fold f;
    int rc = recompute(clock, svcq__sla_clock_policy(clock), clock->t, &f);
    if (rc)
        return rc;
    install(clock, f.t, f.pauses, f.npauses, f.pauses_cap);
    return SVCQ_OK;
}

int svcq_sla_clock_change_policy(svcq_sla_clock *clock, svcq_sla_policy *policy, svcq_time at)
{
    if (!clock || !policy)
        return SVCQ_EINVAL;
    svcq_sla_clock *c = clock;
    svcq_ctx *ctx = c->ctx;
    svcq_sla_policy *old = svcq__sla_clock_policy(c);
    if (policy->ctx != ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "policy belongs to another context");
    if (strcmp(policy->name, old->name) != 0)
        return svcq__error(ctx, SVCQ_EINVAL, "policy %s is not a version of %s", policy->name, old->name);
    if (policy->version <= old->version)
        return svcq__error(ctx, SVCQ_EINVAL, "policy %s v%u is not newer than v%u", policy->name,
                        policy->version, old->version);
    if (policy->ntargets == 0)
        return svcq__error(ctx, SVCQ_EINVAL, "policy %s v%u has no targets", policy->name, policy->version);
    if (policy->change_mode == SVCQ_SLA_CHANGE_KEEP)
        return SVCQ_OK;
    if (at == NEVER || at == INT64_MIN || at < c->versions[c->nversions - 1].from)
        return svcq__error(ctx, SVCQ_ERANGE, "policy change time out of range");

    svcq__sla_version *v = svcq__reallocarray(ctx, c->versions == &c->first ? NULL : c->versions, c->nversions + 1,
                                        sizeof(*v));
    if (!v)
        return svcq__enomem(ctx);
    if (c->versions == &c->first)
        v[0] = c->first;
    c->versions = v;
    c->versions[c->nversions++] = (svcq__sla_version){ policy, at, policy->change_mode };
    c->policy = policy;
    svcq__sla_fold f;
    int rc = recompute(c, old, c->t, &f);
    if (rc) {
        c->nversions--;
        c->policy = old;
        return rc;
    }
    svcq__sla_policy_retain(policy);
    install(c, f.t, f.pauses, f.npauses, f.pauses_cap);
    return SVCQ_OK;
}

int svcq_sla_status_init(svcq_sla_status *status, uint32_t version)
{
    return svcq__table_init(status, sizeof(*status), version, SVCQ_SLA_STATUS_VERSION);
}

int svcq_sla_clock_status(svcq_sla_status *out, const svcq_sla_clock *clock, uint32_t index, svcq_time at)
{
    if (!out || !clock)
        return SVCQ_EINVAL;
    if (out->version == 0 || out->version > SVCQ_SLA_STATUS_VERSION)
        return SVCQ_EVERSION;
    const svcq_sla_policy *P = svcq__sla_clock_policy(clock);
    if (index >= P->ntargets)
        return SVCQ_ENOTFOUND;
    svcq_ctx *ctx = clock->ctx;
    const svcq__sla_target *T = &P->targets[index];
    svcq__sla_tstate S = *svcq__sla_t(clock, index);
    int rc = svcq__sla_catch_up(ctx, T, &S, at);
    if (rc)
        return rc;
    int64_t elapsed = S.elapsed, paused = S.paused_total, span = 0;
    if ((S.state == SVCQ__T_RUNNING || S.state == SVCQ__T_PAUSED) && at > S.anchor &&
        (rc = svcq__sla_diff(ctx, T->cal, S.anchor, at, &span)))
        return rc;
    if (S.state == SVCQ__T_RUNNING)
        elapsed += span;
    else if (S.state == SVCQ__T_PAUSED)
        paused += span;

    svcq_time warn_at = NEVER;
    if (S.state == SVCQ__T_RUNNING) {
        for (uint32_t k = 0; k < T->nwarn; k++) {
            if (T->notice_secs[k] > elapsed) {
                if ((rc = svcq__sla_add(ctx, T->cal, S.anchor, T->notice_secs[k] - S.elapsed, &warn_at)))
                    return rc;
                break;
            }
        }
    }
    svcq_sla_status st;
    memset(&st, 0, sizeof(st));
    st.version = out->version;
    st.state = svcq__sla_state_of(&S, at);
    st.metric = T->metric;
    st.started_at = S.started_at;
    st.due_at = S.state == SVCQ__T_RUNNING ? S.due : NEVER;
    st.warn_at = warn_at;
    st.met_at = S.met_at;
    st.breached_at = S.breached_at;
    st.elapsed = elapsed;
    st.remaining = T->duration ? T->duration - elapsed : 0;
    st.paused = paused;
    st.escalation_level = (int32_t)S.levels - 1;
    st.met_count = S.met_count;
    st.breached_count = S.breached_count;
    *out = st;
    return SVCQ_OK;
}

int svcq_sla_clock_paused_seconds(int64_t *out, const svcq_sla_clock *clock, uint32_t index, const char *reason,
                                  svcq_time at)
{
    if (!out || !clock)
        return SVCQ_EINVAL;
    const svcq_sla_policy *P = svcq__sla_clock_policy(clock);
    if (index >= P->ntargets)
        return SVCQ_ENOTFOUND;
    *out = 0;
    uint32_t rid = 0;
    if (reason && !svcq__intern_find(clock->ctx, reason, strlen(reason), &rid))
        return SVCQ_OK;
    const svcq__sla_target *T = &P->targets[index];
    int64_t total = 0;
    for (uint32_t i = 0; i < clock->npauses; i++) {
        const svcq__sla_pause *p = &clock->pauses[i];
        if (p->target != index || p->reason != rid)
            continue;
        svcq_time end = p->end < at ? p->end : at;
        if (end <= p->start)
            continue;
        int64_t d;
        int rc = svcq__sla_diff(clock->ctx, T->cal, p->start, end, &d);
        if (rc)
            return rc;
        total += d;
    }
    *out = total;
    return SVCQ_OK;
}

int svcq_sla_clock_next_at(svcq_time *out, const svcq_sla_clock *clock, svcq_time after)
{
    if (!out || !clock)
        return SVCQ_EINVAL;
    const svcq_sla_policy *P = svcq__sla_clock_policy(clock);
    svcq_time best = NEVER;
    for (uint32_t j = 0; j < P->ntargets; j++) {
        const svcq__sla_tstate *S = svcq__sla_t(clock, j);
        if (S->state != SVCQ__T_RUNNING)
            continue;
        for (uint32_t k = svcq__sla_notices_reached(&P->targets[j], S); k < P->targets[j].nnotices; k++) {
            svcq_time at;
            int rc = svcq__sla_notice_instant(clock, S, j, k, &at);
            if (rc)
                return rc;
            if (at != NEVER && at > after) {
                if (at < best)
                    best = at;
                break;
            }
        }
    }
    *out = best;
    return SVCQ_OK;
}
