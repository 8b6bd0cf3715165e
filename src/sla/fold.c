/* The SLA engine: how one event changes one target, and the fold of a
 * whole event log into target states. Everything here is a pure function
 * of (policy versions, calendars, events); clock.c, replay.c and export.c
 * build on it. */
#include <stdio.h>
#include <string.h>

#include "calendar/civil.h"
#include "sla/sla_internal.h"

#define NEVER SVCQ_SLA_NEVER

enum { ACT_OPEN = 1, ACT_CLOSE_ONE = 2, ACT_CLOSE_ALL = 4, ACT_PRUNE = 8 };

const svcq__sla_tstate svcq__sla_pending = {
    .state = SVCQ__T_PENDING,
    .started_at = NEVER,
    .anchor = NEVER,
    .met_at = NEVER,
    .breached_at = NEVER,
    .due = NEVER,
    .next_notice = NEVER,
};

void svcq__sla_tstate_init(svcq__sla_tstate *s)
{
    *s = svcq__sla_pending;
}

int32_t svcq__sla_state_of(const svcq__sla_tstate *s, svcq_time at)
{
    switch (s->state) {
    case SVCQ__T_PENDING:
        return SVCQ_SLA_PENDING;
    case SVCQ__T_MET:
        return s->levels ? SVCQ_SLA_BREACHED : SVCQ_SLA_MET;
    case SVCQ__T_CANCELLED:
        return s->levels ? SVCQ_SLA_BREACHED : SVCQ_SLA_CANCELLED;
    case SVCQ__T_PAUSED:
        return s->levels ? SVCQ_SLA_BREACHED : SVCQ_SLA_PAUSED;
    default:
        return (s->levels || (s->due != NEVER && at > s->due)) ? SVCQ_SLA_BREACHED : SVCQ_SLA_RUNNING;
    }
}

static inline uint32_t nlevels(const svcq__sla_target *T)
{
    return svcq__sla_has_deadline(T) ? 1 + T->nesc : 0;
}

static inline int64_t level_secs(const svcq__sla_target *T, const svcq__sla_tstate *S, uint32_t level)
{
    return svcq__sla_notice_secs(T, S, T->nwarn + level);
}

/* "2026-01-05T09:00:00Z", for messages. */
static void fmt_utc(char *buf, size_t size, svcq_time t)
{
    int64_t y;
    int32_t m, d;
    int64_t z = svcq__floor_div(t, 86400), sod = svcq__floor_mod(t, 86400);
    svcq__civil_from_days(z, &y, &m, &d);
    snprintf(buf, size, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m, d, (int)(sod / 3600),
             (int)(sod / 60 % 60), (int)(sod % 60));
}

/* The duration of a cycle of T that starts at t, in business seconds:
 * N business days are the business seconds from t to the same wall-clock
 * time N business days later (svcq_calendar_add_days); on the 7×24 UTC
 * calendar (NULL) a business day is 86,400 s. A carried due (unit
 * EVENT_DUE) gives the business seconds from t to it; a cycle of such a
 * target without one (due NEVER) is refused. */
static int resolve_dur(svcq_ctx *ctx, const svcq__sla_target *T, svcq_time t, svcq_time due, int64_t *dur)
{
    if (T->duration_unit == SVCQ_SLA_UNIT_EVENT_DUE) {
        char at[40];
        if (due == NEVER) {
            fmt_utc(at, sizeof(at), t);
            return svcq__error(ctx, SVCQ_EINVAL,
                               "target %s: the cycle that starts at %s has no due (the target takes its due "
                               "from its start or restart event)", T->metric, at);
        }
        int rc = svcq__sla_diff(ctx, T->cal, t, due, dur);
        if (rc)
            return rc;
        if (*dur < 0)
            *dur = 0;
        return SVCQ_OK;
    }
    if (T->duration_unit != SVCQ_SLA_UNIT_BUSINESS_DAYS || T->duration == 0) {
        *dur = T->duration;
        return SVCQ_OK;
    }
    if (!T->cal) {
        *dur = T->duration * 86400; /* at most 3660 days, validated */
        return SVCQ_OK;
    }
    svcq_time end;
    int rc = svcq_calendar_add_days(&end, T->cal, t, (int32_t)T->duration);
    if (rc == SVCQ_OK)
        rc = svcq_calendar_diff(dur, T->cal, t, end);
    if (rc) {
        char at[40];
        fmt_utc(at, sizeof(at), t);
        return svcq__error(ctx, rc, "target %s: %lld business days from %s: %s", T->metric,
                           (long long)T->duration, at,
                           rc == SVCQ_ERANGE ? "the calendar does not open again within its range"
                                             : svcq_strerror(rc));
    }
    return SVCQ_OK;
}

/* The instant a running target reaches `secs` business seconds of its cycle. */
static int reach(svcq_ctx *ctx, const svcq__sla_target *T, const svcq__sla_tstate *S, int64_t secs, svcq_time *out)
{
    int64_t left = secs - S->elapsed;
    return svcq__sla_add(ctx, T->cal, S->anchor, left > 0 ? left : 0, out);
}

/* Instant of notice k for a running target whose span started at anchor;
 * valid when the notice was not reached before the anchor. */
static int notice_at(svcq_ctx *ctx, const svcq__sla_target *T, const svcq__sla_tstate *S, uint32_t k, svcq_time *out)
{
    if (T->notice_kind[k] == SVCQ_SLA_NOTICE_BREACH && S->due != NEVER) {
        *out = S->due + 1;
        return SVCQ_OK;
    }
    int rc = reach(ctx, T, S, svcq__sla_notice_secs(T, S, k), out);
    if (rc == SVCQ_OK && T->notice_kind[k] != SVCQ_SLA_NOTICE_WARNING) {
        *out += 1; /* late means strictly after the instant */
        /* A carried due may lie in closed hours after the business time
         * runs out: an escalation never comes before the breach. */
        if (T->duration_unit == SVCQ_SLA_UNIT_EVENT_DUE && S->due != NEVER && *out <= S->due)
            *out = S->due + 1;
    }
    return rc;
}

/* A business-day target whose business time runs out at a closing is due
 * at the next opening: Monday 09:00 + 1 business day is due Tuesday 09:00,
 * not Monday 18:00 (no business second lies between the two). */
static int to_opening(svcq_ctx *ctx, const svcq__sla_target *T, svcq_time *due)
{
    int32_t open;
    int rc = svcq_calendar_is_open(&open, T->cal, *due);
    if (rc == SVCQ_OK && !open) {
        rc = svcq_calendar_next_open(due, T->cal, *due);
        if (rc == SVCQ_ENOTFOUND)
            rc = SVCQ_OK; /* never opens again: the closing stays */
    }
    if (rc)
        return svcq__error(ctx, rc, "target %s: deadline: %s", T->metric, svcq_strerror(rc));
    return SVCQ_OK;
}

static int set_running(svcq_ctx *ctx, const svcq__sla_target *T, svcq__sla_tstate *S, svcq_time t)
{
    S->state = SVCQ__T_RUNNING;
    S->anchor = t;
    S->due = NEVER;
    if (!svcq__sla_has_deadline(T))
        return SVCQ_OK;
    int rc = reach(ctx, T, S, S->dur, &S->due);
    if (rc == SVCQ_OK && T->duration_unit == SVCQ_SLA_UNIT_BUSINESS_DAYS && T->cal)
        rc = to_opening(ctx, T, &S->due);
    return rc;
}

/* Starts a new cycle at t: start event, recurring meet, restart event
 * (due: what the event carries, or NEVER). */
static int begin_cycle(svcq_ctx *ctx, const svcq__sla_target *T, svcq__sla_tstate *S, svcq_time t, svcq_time due)
{
    S->started_at = t;
    S->elapsed = 0;
    S->paused_total = 0;
    S->levels = 0;
    S->npaused = 0;
    S->breached_at = NEVER;
    int rc = resolve_dur(ctx, T, t, due, &S->dur);
    if (rc == SVCQ_OK)
        rc = set_running(ctx, T, S, t);
    /* The carried instant itself, not the closing before it that the
     * business time reaches. */
    if (rc == SVCQ_OK && T->duration_unit == SVCQ_SLA_UNIT_EVENT_DUE)
        S->due = due;
    return rc;
}

int svcq__sla_catch_up(svcq_ctx *ctx, const svcq__sla_target *T, svcq__sla_tstate *S, svcq_time at)
{
    if (S->state != SVCQ__T_RUNNING)
        return SVCQ_OK;
    while (S->levels < nlevels(T)) {
        svcq_time d;
        if (S->levels == 0) {
            d = S->due;
        } else {
            int rc = reach(ctx, T, S, level_secs(T, S, S->levels), &d);
            if (rc)
                return rc;
            if (T->duration_unit == SVCQ_SLA_UNIT_EVENT_DUE && d < S->due)
                d = S->due; /* never before the breach (see notice_at) */
        }
        if (!(at > d))
            break;
        if (S->levels == 0) {
            S->breached_at = d + 1;
            S->breached_count++;
        }
        S->levels++;
    }
    return SVCQ_OK;
}

/* Ends the current span at t: elapsed or paused time grows. */
static int close_span(svcq_ctx *ctx, const svcq__sla_target *T, svcq__sla_tstate *S, svcq_time t)
{
    int64_t d;
    int rc = svcq__sla_diff(ctx, T->cal, S->anchor, t, &d);
    if (rc)
        return rc;
    if (d < 0)
        d = 0;
    if (S->state == SVCQ__T_RUNNING)
        S->elapsed += d;
    else
        S->paused_total += d;
    S->anchor = t;
    return SVCQ_OK;
}

static bool pause_active(const svcq__sla_pause *p, uint32_t np, uint32_t j, uint32_t reason)
{
    for (uint32_t i = 0; i < np; i++)
        if (p[i].target == j && p[i].reason == reason && p[i].end == NEVER)
            return true;
    return false;
}

/* Applies event e to target j (spec T) of state S. Reads the pause list;
 * says in *act how the list must change. S is changed only on success. */
static int step(svcq_ctx *ctx, const svcq__sla_target *T, uint32_t close_ev, uint32_t j, svcq__sla_tstate *S_io,
                const svcq__sla_pause *pauses, uint32_t np, const svcq__sla_event *e, svcq_time due, uint8_t *act)
{
    svcq__sla_tstate S = *S_io;
    svcq_time t = e->at;
    int rc = SVCQ_OK;
    *act = 0;
    if ((rc = svcq__sla_catch_up(ctx, T, &S, t)))
        return rc;
    bool live = S.state == SVCQ__T_RUNNING || S.state == SVCQ__T_PAUSED;

    if (T->restart_ev && e->name == T->restart_ev) {
        /* A new cycle from t, whatever the state; the first one when
         * pending. The old cycle's pauses go with it. */
        if (S.state != SVCQ__T_PENDING)
            S.cycle++;
        if ((rc = begin_cycle(ctx, T, &S, t, due)))
            return rc;
        *act = ACT_PRUNE;
        *S_io = S;
        return SVCQ_OK;
    }
    if ((T->stop_ev && e->name == T->stop_ev) || (close_ev && e->name == close_ev)) {
        if (live) {
            if ((rc = close_span(ctx, T, &S, t)))
                return rc;
            *act = ACT_CLOSE_ALL;
            S.npaused = 0;
        }
        if (live || S.state == SVCQ__T_PENDING)
            S.state = SVCQ__T_CANCELLED; /* keeps the due time it had */
        *S_io = S;
        return SVCQ_OK;
    }
    if (e->name == T->meet_ev && live) {
        if ((rc = close_span(ctx, T, &S, t)))
            return rc;
        if (S.state == SVCQ__T_PAUSED)
            *act = ACT_CLOSE_ALL;
        S.npaused = 0;
        S.met_at = t;
        if (!S.levels)
            S.met_count++;
        if (T->recurring) {
            S.cycle++;
            if ((rc = begin_cycle(ctx, T, &S, t, NEVER)))
                return rc;
            *act |= ACT_PRUNE;
        } else {
            S.state = SVCQ__T_MET; /* keeps its due time */
        }
        *S_io = S;
        return SVCQ_OK;
    }
    if (e->name == T->start_ev && S.state == SVCQ__T_PENDING) {
        S.cycle = 0;
        if ((rc = begin_cycle(ctx, T, &S, t, due)))
            return rc;
        live = true;
    }
    if (T->pause_ev && e->name == T->pause_ev && live && !pause_active(pauses, np, j, e->reason)) {
        if (S.state == SVCQ__T_RUNNING) {
            if ((rc = close_span(ctx, T, &S, t)))
                return rc;
            S.state = SVCQ__T_PAUSED;
            S.due = NEVER;
        }
        S.npaused++;
        *act |= ACT_OPEN;
    }
    if (T->resume_ev && e->name == T->resume_ev && S.state == SVCQ__T_PAUSED) {
        if (e->reason) {
            if (pause_active(pauses, np, j, e->reason)) {
                S.npaused--;
                *act |= ACT_CLOSE_ONE;
            }
        } else {
            S.npaused = 0;
            *act |= ACT_CLOSE_ALL;
        }
        if (S.npaused == 0) {
            if ((rc = close_span(ctx, T, &S, t)) || (rc = set_running(ctx, T, &S, t)))
                return rc;
        }
    }
    *S_io = S;
    return SVCQ_OK;
}

/* Applies the pause-list changes step() asked for; capacity for one more
 * entry per target must be reserved. Cannot fail. */
static void apply_actions(svcq__sla_pause *p, uint32_t *np, uint32_t j, uint8_t act, const svcq__sla_event *e)
{
    if (act & (ACT_CLOSE_ALL | ACT_CLOSE_ONE)) {
        for (uint32_t i = 0; i < *np; i++)
            if (p[i].target == j && p[i].end == NEVER &&
                ((act & ACT_CLOSE_ALL) || p[i].reason == e->reason))
                p[i].end = e->at;
    }
    if (act & ACT_PRUNE) {
        uint32_t w = 0;
        for (uint32_t i = 0; i < *np; i++)
            if (p[i].target != j)
                p[w++] = p[i];
        *np = w;
    }
    if (act & ACT_OPEN)
        p[(*np)++] = (svcq__sla_pause){ j, e->reason, e->at, NEVER };
}

int svcq__sla_pauses_reserve(svcq_ctx *ctx, svcq__sla_pause **p, uint32_t *cap, uint32_t need)
{
    if (need <= *cap)
        return SVCQ_OK;
    uint32_t n = *cap ? *cap : 4;
    while (n < need)
        n *= 2;
    svcq__sla_pause *grown = svcq__reallocarray(ctx, *p, n, sizeof(*grown));
    if (!grown)
        return svcq__enomem(ctx);
    *p = grown;
    *cap = n;
    return SVCQ_OK;
}

int svcq__sla_step_compute(svcq_ctx *ctx, const svcq_sla_policy *P, svcq__sla_tstate *t, const svcq__sla_pause *pauses,
                        uint32_t np, const svcq__sla_event *e, svcq_time due, uint8_t *act, uint32_t *opens)
{
    svcq__sla_tstate next[SVCQ__SLA_MAX_TARGETS];
    *opens = 0;
    for (uint32_t j = 0; j < P->ntargets; j++) {
        next[j] = t[j];
        int rc = step(ctx, &P->targets[j], P->close_ev, j, &next[j], pauses, np, e, due, &act[j]);
        if (rc)
            return rc;
        *opens += (act[j] & ACT_OPEN) != 0;
    }
    memcpy(t, next, P->ntargets * sizeof(*t));
    return SVCQ_OK;
}

void svcq__sla_step_apply(const svcq_sla_policy *P, svcq__sla_pause *pauses, uint32_t *np, const uint8_t *act,
                       const svcq__sla_event *e)
{
    for (uint32_t j = 0; j < P->ntargets; j++)
        apply_actions(pauses, np, j, act[j], e);
}

/* Re-evaluates lateness after a carry-over onto spec B at instant b. */
static int carry(svcq_ctx *ctx, const svcq__sla_target *A, const svcq__sla_target *B, svcq__sla_tstate *S, svcq_time b)
{
    int rc;
    if (S->state != SVCQ__T_RUNNING && S->state != SVCQ__T_PAUSED)
        return SVCQ_OK;
    if ((rc = svcq__sla_catch_up(ctx, A, S, b)) || (rc = close_span(ctx, A, S, b)))
        return rc;
    /* The cycle's duration under B, as if B had been in force when it
     * started; a carried due stays the cycle's (none when A carried none). */
    svcq_time carried = A->duration_unit == SVCQ_SLA_UNIT_EVENT_DUE ? S->due : NEVER;
    if (A->duration_unit == SVCQ_SLA_UNIT_EVENT_DUE && B->duration_unit == SVCQ_SLA_UNIT_EVENT_DUE) {
        /* same D */
    } else if ((rc = resolve_dur(ctx, B, S->started_at, carried, &S->dur))) {
        return rc;
    }
    uint8_t levels = 0;
    while (levels < nlevels(B) && level_secs(B, S, levels) < S->elapsed)
        levels++;
    if (S->levels && !levels) {
        S->breached_count--;
        S->breached_at = NEVER;
    } else if (!S->levels && levels) {
        S->breached_count++;
        S->breached_at = b;
    }
    S->levels = levels;
    if (S->state == SVCQ__T_RUNNING) {
        if ((rc = set_running(ctx, B, S, b)))
            return rc;
        if (B->duration_unit == SVCQ_SLA_UNIT_EVENT_DUE && carried != NEVER)
            S->due = carried; /* the carried instant, as begin_cycle keeps it */
    }
    return SVCQ_OK;
}

/* Number of notices of the cycle already reached at the anchor. */
uint32_t svcq__sla_notices_reached(const svcq__sla_target *T, const svcq__sla_tstate *S)
{
    uint32_t k = 0;
    while (k < T->nnotices) {
        if (T->notice_kind[k] == SVCQ_SLA_NOTICE_WARNING ? svcq__sla_notice_secs(T, S, k) > S->elapsed
                                                          : (uint32_t)(k - T->nwarn) >= S->levels)
            break;
        k++;
    }
    return k;
}

/* Emits the notices a running span reaches at or before `end`. */
static int emit_span(svcq_ctx *ctx, const svcq__sla_target *T, const svcq__sla_tstate *S, uint32_t j, uint32_t *nk,
                     svcq_time end, svcq__sla_notice_fn fn, void *ud, bool *stop)
{
    if (S->state != SVCQ__T_RUNNING)
        return SVCQ_OK;
    while (*nk < T->nnotices) {
        svcq_time at;
        int rc = notice_at(ctx, T, S, *nk, &at);
        if (rc)
            return rc;
        if (at > end)
            break;
        if (fn(ud, j, S->cycle, *nk, at)) {
            *stop = true;
            return SVCQ_OK;
        }
        (*nk)++;
    }
    return SVCQ_OK;
}

int svcq__sla_fold_target(svcq_ctx *ctx, const svcq__sla_version *versions, uint32_t nversions,
                       const svcq__sla_event *events, const svcq_time *dues, uint32_t nevents, uint32_t j,
                       svcq_time until, svcq__sla_notice_fn fn, void *ud, svcq__sla_tstate *S_out, svcq__sla_pause **pauses,
                       uint32_t *np, uint32_t *pcap)
{
    const svcq_sla_policy *last = versions[nversions - 1].policy;
    const char *metric = last->targets[j].metric;
    /* The chain of versions this target carried over through. */
    uint32_t s = nversions - 1;
    while (s > 0 && versions[s].mode == SVCQ_SLA_CHANGE_CARRY &&
           svcq__sla_policy_find_metric(versions[s - 1].policy, metric) >= 0)
        s--;
    uint32_t vi = s;
    const svcq_sla_policy *P = versions[vi].policy;
    const svcq__sla_target *T = &P->targets[svcq__sla_policy_find_metric(P, metric)];

    svcq__sla_tstate S;
    svcq__sla_tstate_init(&S);
    uint32_t nk = 0, cycle = 0;
    bool stop = false;
    int rc = SVCQ_OK;
    for (uint32_t i = 0; i <= nevents && !stop; i++) {
        svcq_time t = i < nevents ? events[i].at : until;
        if (i == nevents && until == NEVER && !fn)
            break;
        /* Version boundaries that come before this event. */
        while (vi + 1 < nversions && versions[vi + 1].from <= t) {
            svcq_time b = versions[vi + 1].from;
            if (fn && (rc = emit_span(ctx, T, &S, j, &nk, b, fn, ud, &stop)))
                return rc;
            if (stop)
                break;
            const svcq_sla_policy *NP = versions[vi + 1].policy;
            const svcq__sla_target *NT = &NP->targets[svcq__sla_policy_find_metric(NP, metric)];
            if ((rc = carry(ctx, T, NT, &S, b)))
                return rc;
            vi++;
            P = NP;
            T = NT;
            nk = svcq__sla_notices_reached(T, &S);
        }
        if (stop)
            break;
        if (fn && (rc = emit_span(ctx, T, &S, j, &nk, i < nevents ? t : until, fn, ud, &stop)))
            return rc;
        if (stop || i == nevents)
            break;
        if ((rc = svcq__sla_pauses_reserve(ctx, pauses, pcap, *np + 1)))
            return rc;
        uint8_t act;
        if ((rc = step(ctx, T, P->close_ev, j, &S, *pauses, *np, &events[i], dues ? dues[i] : NEVER, &act)))
            return rc;
        apply_actions(*pauses, np, j, act, &events[i]);
        if (S.cycle != cycle) {
            cycle = S.cycle;
            nk = 0;
        }
    }
    /* Boundaries after the last event still carry the state over. */
    while (!stop && vi + 1 < nversions) {
        svcq_time b = versions[vi + 1].from;
        const svcq_sla_policy *NP = versions[vi + 1].policy;
        const svcq__sla_target *NT = &NP->targets[svcq__sla_policy_find_metric(NP, metric)];
        if ((rc = carry(ctx, T, NT, &S, b)))
            return rc;
        vi++;
        T = NT;
    }
    *S_out = S;
    return SVCQ_OK;
}

void svcq__sla_fold_free(svcq_ctx *ctx, svcq__sla_fold *f)
{
    svcq__free(ctx, f->t);
    svcq__free(ctx, f->pauses);
    memset(f, 0, sizeof(*f));
}

int svcq__sla_fold_all(svcq_ctx *ctx, const svcq__sla_version *versions, uint32_t nversions,
                    const svcq__sla_event *events, const svcq_time *dues, uint32_t nevents, svcq__sla_fold *out)
{
    const svcq_sla_policy *P = versions[nversions - 1].policy;
    svcq__sla_fold f = { 0 };
    f.ntargets = P->ntargets;
    f.t = svcq__calloc(ctx, P->ntargets, sizeof(*f.t));
    if (!f.t)
        return svcq__enomem(ctx);
    for (uint32_t j = 0; j < P->ntargets; j++) {
        int rc = svcq__sla_fold_target(ctx, versions, nversions, events, dues, nevents, j, NEVER, NULL, NULL, &f.t[j],
                                    &f.pauses, &f.npauses, &f.pauses_cap);
        if (rc) {
            svcq__sla_fold_free(ctx, &f);
            return rc;
        }
    }
    *out = f;
    return SVCQ_OK;
}

/* ---- the instant of one notice ---------------------------------------- */

typedef struct find_notice {
    uint32_t cycle, k;
    svcq_time at;
} find_notice;

static int match_notice(void *ud, uint32_t j, uint32_t cycle, uint32_t k, svcq_time at)
{
    (void)j;
    find_notice *f = ud;
    if (cycle == f->cycle && k == f->k) {
        f->at = at;
        return 1;
    }
    return 0;
}

int svcq__sla_notice_instant(const svcq_sla_clock *c, const svcq__sla_tstate *S, uint32_t j, uint32_t k,
                          svcq_time *out)
{
    const svcq_sla_policy *P = svcq__sla_clock_policy(c);
    const svcq__sla_target *T = &P->targets[j];
    *out = NEVER;
    if (k >= T->nnotices || S->state == SVCQ__T_PENDING)
        return SVCQ_OK;
    if (k >= svcq__sla_notices_reached(T, S)) {
        /* Not reached before the anchor: only a running span reaches it. */
        if (S->state != SVCQ__T_RUNNING)
            return SVCQ_OK;
        return notice_at(c->ctx, T, S, k, out);
    }
    /* Reached in an earlier span of this cycle: find when, from the log. */
    find_notice f = { S->cycle, k, NEVER };
    svcq__sla_tstate scratch;
    svcq__sla_pause *p = NULL;
    uint32_t np = 0, pcap = 0;
    int rc = svcq__sla_fold_target(c->ctx, c->versions, c->nversions, c->events, svcq__sla_dues(c), c->nevents, j, NEVER,
                                match_notice, &f, &scratch, &p, &np, &pcap);
    svcq__free(c->ctx, p);
    if (rc)
        return rc;
    *out = f.at;
    return SVCQ_OK;
}

/* The first notice of an ended cycle at or after position (cycle, k)
 * that the cycle reached before it ended. */
typedef struct find_old {
    uint32_t from_cycle, from_k, current;
    uint32_t cycle, k;
    svcq_time at;
} find_old;

static int match_old(void *ud, uint32_t j, uint32_t cycle, uint32_t k, svcq_time at)
{
    (void)j;
    find_old *f = ud;
    if (cycle >= f->current)
        return 1; /* the current cycle: no old notice is left */
    if (cycle > f->from_cycle || (cycle == f->from_cycle && k >= f->from_k)) {
        f->cycle = cycle;
        f->k = k;
        f->at = at;
        return 1;
    }
    return 0;
}

/* (delivered_cycle, delivered) is the position of the next notice to
 * deliver. A cycle that ended (a recurring meet, a restart) before the
 * scheduler delivered every notice it reached leaves them due: they come
 * at the next advance with their own instants and cycle, before the new
 * cycle's. Once none is left the position moves to the current cycle. */
int svcq__sla_refresh_next(const svcq_sla_clock *c, uint32_t j, svcq__sla_tstate *S)
{
    if (S->delivered_cycle < S->cycle) {
        find_old f = { S->delivered_cycle, S->delivered, S->cycle, 0, 0, NEVER };
        svcq__sla_tstate scratch;
        svcq__sla_pause *p = NULL;
        uint32_t np = 0, pcap = 0;
        int rc = svcq__sla_fold_target(c->ctx, c->versions, c->nversions, c->events, svcq__sla_dues(c), c->nevents, j, NEVER,
                                       match_old, &f, &scratch, &p, &np, &pcap);
        svcq__free(c->ctx, p);
        if (rc)
            return rc;
        if (f.at != NEVER && f.k < svcq__sla_clock_policy(c)->targets[j].nnotices) {
            S->delivered_cycle = f.cycle;
            S->delivered = (uint16_t)f.k;
            S->next_notice = f.at;
            return SVCQ_OK;
        }
        S->delivered_cycle = S->cycle;
        S->delivered = 0;
    }
    uint32_t k = S->delivered_cycle == S->cycle ? S->delivered : 0;
    return svcq__sla_notice_instant(c, S, j, k, &S->next_notice);
}
