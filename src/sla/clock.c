/* SLA clocks: the event log, incremental updates, policy changes, status. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/intern.h"
#include "core/str.h"
#include "core/utf8.h"
#include "sla/sla_internal.h"
#include "store/store.h"

#define NEVER SVCQ_SLA_NEVER

/* "clock <subject> (policy <name>)" for messages. */
#define CLOCK_FMT "clock %s (policy %s)"
#define CLOCK_ARGS(c) (c)->key, (c)->key + (c)->subject_len + 1

/* ---- pause reasons ------------------------------------------------------ */

/* ---- the clock's extra part: pauses and reasons -------------------------- */

static uint32_t npauses_of(const svcq_sla_clock *c)
{
    return c->x ? c->x->npauses : 0;
}

static svcq__sla_pause *pauses_of(const svcq_sla_clock *c)
{
    return c->x ? c->x->pauses : NULL;
}

static uint32_t nreasons_of(const svcq_sla_clock *c)
{
    return c->x ? c->x->nreasons : 0;
}

/* Makes the extra part; SVCQ_ENOMEM changes nothing. */
static int extra_need(svcq_sla_clock *c)
{
    if (c->x)
        return SVCQ_OK;
    if (!(c->x = svcq__calloc(c->ctx, 1, sizeof(*c->x))))
        return svcq__enomem(c->ctx);
    return SVCQ_OK;
}

const char *svcq__sla_clock_reason(const svcq_sla_clock *c, uint32_t id)
{
    return id && id <= nreasons_of(c) ? c->x->reasons[id - 1] : "";
}

static uint32_t reason_find(const svcq_sla_clock *c, const char *s, size_t len)
{
    for (uint32_t i = 0; i < nreasons_of(c); i++)
        if (strncmp(c->x->reasons[i], s, len) == 0 && c->x->reasons[i][len] == '\0')
            return i + 1;
    return 0;
}

int svcq__sla_clock_reason_add(svcq_sla_clock *c, const char *s, size_t len, uint32_t *id)
{
    if (len == 0) {
        *id = 0;
        return SVCQ_OK;
    }
    if ((*id = reason_find(c, s, len)) != 0)
        return SVCQ_OK;
    int rc = extra_need(c);
    if (rc)
        return rc;
    svcq__sla_extra *x = c->x;
    if (x->nreasons == x->reasons_cap) {
        if (x->reasons_cap >= UINT32_MAX / 2)
            return svcq__error(c->ctx, SVCQ_ELIMIT, CLOCK_FMT ": too many pause reasons", CLOCK_ARGS(c));
        uint32_t cap = x->reasons_cap ? 2 * x->reasons_cap : 4;
        char **grown = svcq__reallocarray(c->ctx, x->reasons, cap, sizeof(*grown));
        if (!grown)
            return svcq__enomem(c->ctx);
        x->reasons = grown;
        x->reasons_cap = cap;
    }
    char *copy = svcq__malloc(c->ctx, len + 1);
    if (!copy)
        return svcq__enomem(c->ctx);
    memcpy(copy, s, len);
    copy[len] = '\0';
    x->reasons[x->nreasons++] = copy;
    *id = x->nreasons;
    return SVCQ_OK;
}

static void reasons_truncate(svcq_sla_clock *c, uint32_t n)
{
    while (nreasons_of(c) > n)
        svcq__free(c->ctx, c->x->reasons[--c->x->nreasons]);
}

/* ---- carried dues ---------------------------------------------------------- */

/* The due event i carries, or NEVER. */
static svcq_time due_of(const svcq_sla_clock *c, uint32_t i)
{
    const svcq_time *d = svcq__sla_dues(c);
    return d ? d[i] : NEVER;
}

/* Makes room for the dues of the whole log's room (events_cap), making
 * the table when the clock has none (every earlier event without a due).
 * SVCQ_ENOMEM leaves the dues as they were. */
static int dues_reserve(svcq_sla_clock *c)
{
    int rc = extra_need(c);
    if (rc)
        return rc;
    svcq__sla_extra *x = c->x;
    if (x->dues && x->dues_cap >= c->events_cap)
        return SVCQ_OK;
    svcq_time *grown = svcq__reallocarray(c->ctx, x->dues, c->events_cap, sizeof(*grown));
    if (!grown)
        return svcq__enomem(c->ctx);
    if (!x->dues)
        for (uint32_t i = 0; i < c->nevents; i++)
            grown[i] = NEVER;
    x->dues = grown;
    x->dues_cap = c->events_cap;
    return SVCQ_OK;
}

/* Takes event pos out of the log (and its due). */
static void log_remove(svcq_sla_clock *c, uint32_t pos)
{
    c->nevents--;
    memmove(&c->events[pos], &c->events[pos + 1], (c->nevents - pos) * sizeof(*c->events));
    if (svcq__sla_dues(c))
        memmove(&c->x->dues[pos], &c->x->dues[pos + 1], (c->nevents - pos) * sizeof(*c->x->dues));
}

/* ---- undo inside store transactions ---------------------------------------
 *
 * A clock changed while a store transaction is open (an incident call's
 * scope, or a host batch) gets one undo entry per change, owned by the
 * clock (svcq__undo_push_for), so a rollback puts back exactly the state
 * before the change: event log, target states, pause table, reasons,
 * policy versions and counters. Two forms: a change made in place (the
 * in-order event, a scheduler's delivery) copies the old states into the
 * entry; a change that installs fresh arrays (recompute, policy change)
 * hands the old arrays to the entry instead of freeing them. Outside a
 * transaction nothing is recorded. */

typedef struct clock_undo {
    svcq_sla_clock *c;
    uint64_t changes;
    uint64_t tmask;      /* the states' mask before the change */
    uint32_t pos;        /* index of the event the change inserted, or UINT32_MAX */
    uint32_t nreasons, nversions;
    uint32_t nstates;    /* in-place form: stored states copied below */
    uint32_t npauses, pauses_cap;
    bool swap;           /* t and pauses are the old arrays, owned by the entry */
    svcq__sla_tstate *t;
    svcq__sla_pause *pauses;
} clock_undo;

static svcq__sla_tstate *undo_t(clock_undo *u)
{
    return (svcq__sla_tstate *)(void *)(u + 1);
}

static svcq__sla_pause *undo_p(clock_undo *u)
{
    return (svcq__sla_pause *)(void *)(undo_t(u) + u->nstates);
}

static void undo_release(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    clock_undo *u = data;
    if (u->swap) {
        svcq__free(ctx, u->t);
        svcq__free(ctx, u->pauses);
    }
    svcq__free(ctx, u);
}

static void undo_run(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    clock_undo *u = data;
    svcq_sla_clock *c = u->c;
    if (u->pos != UINT32_MAX)
        log_remove(c, u->pos);
    reasons_truncate(c, u->nreasons);
    while (c->nversions > u->nversions)
        svcq__sla_policy_release(c->versions[--c->nversions].policy);
    c->policy = c->versions[c->nversions - 1].policy;
    /* The extra part, once made, stays: it is there when pauses were. */
    svcq__sla_extra *x = c->x;
    if (u->swap) {
        svcq__free(ctx, c->t);
        c->t = u->t;
        c->tmask = u->tmask;
        if (x) {
            svcq__free(ctx, x->pauses);
            x->pauses = u->pauses;
            x->pauses_cap = u->pauses_cap;
        }
        u->t = NULL;
        u->pauses = NULL;
    } else {
        /* In place, the set of stored states only ever grows (with room
         * for them): the old ones fit. */
        if (!u->tmask) {
            svcq__free(ctx, c->t);
            c->t = NULL;
        } else {
            memcpy(c->t, undo_t(u), u->nstates * sizeof(*c->t));
        }
        c->tmask = u->tmask;
        /* The in-place path only ever grows the pause list's capacity. */
        if (u->npauses)
            memcpy(x->pauses, undo_p(u), u->npauses * sizeof(*x->pauses));
    }
    if (x)
        x->npauses = u->npauses;
    c->changes = u->changes;
    /* No need to list the clock: a rollback only returns it to how it was
     * before the transaction, when it was listed if it had changes. */
    if (c->sched)
        svcq__sla_sched_rekey(c);
    undo_release(ctx, u, 0);
}

/* Prepares the undo entry of a change (NULL outside a transaction): room
 * in the undo log and the entry, so that recording it cannot fail. */
static int undo_prepare(svcq_sla_clock *c, bool swap, clock_undo **out)
{
    *out = NULL;
    svcq_ctx *ctx = c->ctx;
    if (!svcq__tx_active(ctx))
        return SVCQ_OK;
    uint32_t nt = swap ? 0 : svcq__sla_nstates(c);
    uint32_t np = swap ? 0 : npauses_of(c);
    clock_undo *u = svcq__malloc(ctx, sizeof(*u) + nt * sizeof(svcq__sla_tstate) + np * sizeof(svcq__sla_pause));
    if (!u)
        return svcq__enomem(ctx);
    int rc = svcq__undo_reserve(ctx, 1);
    if (rc) {
        svcq__free(ctx, u);
        return rc;
    }
    *u = (clock_undo){ .c = c, .changes = c->changes, .tmask = c->tmask, .pos = UINT32_MAX,
                       .nreasons = nreasons_of(c), .nversions = c->nversions, .nstates = nt,
                       .npauses = npauses_of(c), .pauses_cap = c->x ? c->x->pauses_cap : 0, .swap = swap };
    if (swap) {
        u->t = c->t;
        u->pauses = pauses_of(c);
    } else {
        if (nt)
            memcpy(undo_t(u), c->t, nt * sizeof(*c->t));
        if (np)
            memcpy(undo_p(u), c->x->pauses, np * sizeof(*c->x->pauses));
    }
    *out = u;
    return SVCQ_OK;
}

/* Records a prepared entry once the change is made; cannot fail. */
static void undo_record(svcq_sla_clock *c, clock_undo *u)
{
    if (u)
        (void)svcq__undo_push_for(c->ctx, c, undo_run, undo_release, u, 0);
}

/* Drops a prepared entry when the change failed. */
static void undo_drop(svcq_sla_clock *c, clock_undo *u)
{
    svcq__free(c->ctx, u);
}

int svcq__sla_clock_snapshot(svcq_sla_clock *c)
{
    clock_undo *u;
    int rc = undo_prepare(c, false, &u);
    if (rc == SVCQ_OK)
        undo_record(c, u);
    return rc;
}

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

/* Puts "<who>: " before the message a helper just wrote (only on failure,
 * so the success path formats nothing). */
static int prefixed(svcq_ctx *ctx, int rc, const char *fmt, const char *a, const char *b)
{
    char who[2 * SVCQ__SLA_NAME_MAX + 32], msg[512];
    snprintf(who, sizeof(who), fmt, a, b);
    snprintf(msg, sizeof(msg), "%s", svcq_ctx_errmsg(ctx));
    return svcq__error(ctx, rc, "%s: %s", who, msg);
}

int svcq_sla_clock_new(svcq_sla_clock **out, svcq_sla_policy *policy, const char *subject)
{
    if (!policy)
        return SVCQ_EINVAL;
    return svcq__sla_clock_new_named(out, policy, subject, policy->name);
}

int svcq__sla_clock_new_named(svcq_sla_clock **out, svcq_sla_policy *policy, const char *subject,
                              const char *key_name)
{
    svcq_ctx *ctx = policy->ctx;
    if (!out)
        return svcq__error(ctx, SVCQ_EINVAL, "clock of policy %s: no output pointer", policy->name);
    *out = NULL;
    if (!subject)
        return svcq__error(ctx, SVCQ_EINVAL, "clock of policy %s: subject missing", policy->name);
    size_t slen;
    int rc = check_text(ctx, "subject", subject, &slen);
    if (rc)
        return prefixed(ctx, rc, "clock of policy %s", policy->name, "");
    if (slen == 0)
        return svcq__error(ctx, SVCQ_EINVAL, "clock of policy %s: subject empty", policy->name);
    if (policy->ntargets == 0)
        return svcq__error(ctx, SVCQ_EINVAL, "clock %s: policy %s v%u has no targets", subject, policy->name,
                           policy->version);

    size_t nlen = strlen(key_name);
    /* One allocation: the clock and its key; the target states come with
     * the first event, so an idle clock stays small. */
    svcq_sla_clock *c = svcq__calloc(ctx, 1, offsetof(svcq_sla_clock, key) + slen + 1 + nlen + 1);
    if (!c)
        return svcq__enomem(ctx);
    c->ctx = ctx;
    c->wslot = SVCQ__SLOT_NONE;
    c->subject_len = (uint32_t)slen;
    memcpy(c->key, subject, slen + 1);
    memcpy(c->key + slen + 1, key_name, nlen + 1);
    policy->self = (svcq__sla_version){ policy, INT64_MIN, SVCQ_SLA_CHANGE_RECOMPUTE };
    c->versions = &policy->self;
    c->nversions = 1;
    c->policy = policy;
    svcq__sla_policy_retain(policy);
    *out = c;
    return SVCQ_OK;
}

void svcq__sla_clock_destroy(svcq_sla_clock *c)
{
    svcq_ctx *ctx = c->ctx;
    /* Pending undo entries only release from now on: a rollback after the
     * free never touches freed memory. */
    svcq__undo_detach(ctx, c);
    if (c->x) {
        reasons_truncate(c, 0);
        svcq__free(ctx, c->x->reasons);
        svcq__free(ctx, c->x->dues);
        svcq__free(ctx, c->x->pauses);
        svcq__free(ctx, c->x);
    }
    bool shared = svcq__sla_versions_shared(c);
    for (uint32_t i = 0; i < c->nversions; i++)
        svcq__sla_policy_release(c->versions[i].policy);
    if (!shared)
        svcq__free(ctx, c->versions);
    svcq__free(ctx, c->events);
    svcq__free(ctx, c->t);
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
        return svcq__error(clock->ctx, SVCQ_ENOTFOUND, CLOCK_FMT ": no event %u (it has %u)",
                           CLOCK_ARGS(clock), index, clock->nevents);
    const svcq__sla_event *e = &clock->events[index];
    if (name)
        *name = svcq__intern_str(clock->ctx, e->name);
    if (at)
        *at = e->at;
    if (reason)
        *reason = svcq__sla_clock_reason(clock, e->reason);
    return SVCQ_OK;
}

/* Next-notice instants for a candidate state (t, pauses) of clock c,
 * computed against c's log and versions as they will be. */
static int refresh_all(const svcq_sla_clock *c, svcq__sla_tstate *t)
{
    const svcq_sla_clock *view = c; /* next notices read the log and versions only */
    const svcq_sla_policy *P = svcq__sla_clock_policy(c);
    for (uint32_t j = 0; j < P->ntargets; j++) {
        int rc = svcq__sla_refresh_next(view, j, &t[j]);
        if (rc)
            return rc;
    }
    /* Room in the scheduler's queue, so that installing cannot fail. */
    return svcq__sla_sched_reserve(c, t, P->ntargets);
}

/* Installs a computed state; cannot fail. The old arrays go to the undo
 * entry u when there is one (swap form), else they are freed. */
static void install(svcq_sla_clock *c, svcq__sla_tstate *t, uint64_t tmask, svcq__sla_pause *pauses, uint32_t np,
                    uint32_t pcap, clock_undo *u)
{
    bool keep = u && u->swap;
    if (t != c->t) {
        if (!keep)
            svcq__free(c->ctx, c->t);
        c->t = t;
    }
    c->tmask = tmask;
    /* Pauses come only to a clock with its extra part (pauses_fit). */
    if (c->x) {
        if (pauses != c->x->pauses) {
            if (!keep)
                svcq__free(c->ctx, c->x->pauses);
            c->x->pauses = pauses;
        }
        c->x->npauses = np;
        c->x->pauses_cap = pcap;
    }
    c->changes++;
    if (c->sched) {
        svcq__sla_sched_rekey(c);
        svcq__sla_sched_touch(c);
    }
}

void svcq__sla_states_expand(const svcq_sla_clock *c, svcq__sla_tstate *full)
{
    const svcq_sla_policy *P = svcq__sla_clock_policy(c);
    uint32_t i = 0;
    for (uint32_t j = 0; j < P->ntargets; j++)
        full[j] = (c->tmask >> j) & 1 ? c->t[i++] : svcq__sla_pending;
}

static bool is_pending(const svcq__sla_tstate *s)
{
    return memcmp(s, &svcq__sla_pending, sizeof(*s)) == 0;
}

/* Replaces a fold's state of every target by the stored states only (see
 * tmask in sla_internal.h): one exact allocation, none when every target
 * has one. SVCQ_ENOMEM frees the fold. */
static int fold_pack(svcq_ctx *ctx, svcq__sla_fold *f, uint64_t *mask)
{
    uint64_t m = 0;
    uint32_t k = 0;
    for (uint32_t j = 0; j < f->ntargets; j++)
        if (!is_pending(&f->t[j])) {
            m |= (uint64_t)1 << j;
            k++;
        }
    *mask = m;
    if (k == f->ntargets)
        return SVCQ_OK;
    svcq__sla_tstate *packed = NULL;
    if (k && !(packed = svcq__malloc(ctx, k * sizeof(*packed)))) {
        svcq__sla_fold_free(ctx, f);
        return svcq__enomem(ctx);
    }
    for (uint32_t j = 0, i = 0; j < f->ntargets; j++)
        if ((m >> j) & 1)
            packed[i++] = f->t[j];
    svcq__free(ctx, f->t);
    f->t = packed;
    return SVCQ_OK;
}

/* Makes the extra part when a fold has pauses for the clock; SVCQ_ENOMEM
 * frees the fold. A fold keeps room for a pause per event: an empty list
 * is dropped, so a recomputed or loaded clock stays as small as one fed
 * in order. */
static int pauses_fit(svcq_sla_clock *c, svcq__sla_fold *f)
{
    if (f->pauses && !f->npauses) {
        svcq__free(c->ctx, f->pauses);
        f->pauses = NULL;
        f->pauses_cap = 0;
    }
    if (!f->pauses || c->x)
        return SVCQ_OK;
    int rc = extra_need(c);
    if (rc)
        svcq__sla_fold_free(c->ctx, f);
    return rc;
}

int svcq__sla_clock_adopt(svcq_sla_clock *c, svcq__sla_fold *f)
{
    uint64_t mask;
    int rc = pauses_fit(c, f);
    if (rc == SVCQ_OK)
        rc = fold_pack(c->ctx, f, &mask);
    if (rc)
        return rc;
    c->t = f->t;
    c->tmask = mask;
    if (c->x) {
        c->x->pauses = f->pauses;
        c->x->npauses = f->npauses;
        c->x->pauses_cap = f->pauses_cap;
    }
    return SVCQ_OK;
}

/* Recomputes the state from the log into fresh arrays, keeping what the
 * scheduler delivered (by metric, so that it survives policy changes). */
static int recompute(svcq_sla_clock *c, const svcq_sla_policy *old_policy, const svcq__sla_tstate *old_t,
                     uint64_t old_mask, svcq__sla_fold *f, uint64_t *mask)
{
    int rc = svcq__sla_fold_all(c->ctx, c->versions, c->nversions, c->events, svcq__sla_dues(c), c->nevents, f);
    if (rc)
        return rc;
    const svcq_sla_policy *P = svcq__sla_clock_policy(c);
    for (uint32_t j = 0; j < P->ntargets; j++) {
        int o = old_policy == P ? (int)j : svcq__sla_policy_find_metric(old_policy, P->targets[j].metric);
        if (o >= 0 && ((old_mask >> o) & 1)) {
            const svcq__sla_tstate *S = &old_t[__builtin_popcountll(old_mask & (((uint64_t)1 << o) - 1))];
            f->t[j].delivered = S->delivered;
            f->t[j].delivered_cycle = S->delivered_cycle;
        }
    }
    if (c->sched && (rc = refresh_all(c, f->t))) {
        svcq__sla_fold_free(c->ctx, f);
        return rc;
    }
    if ((rc = pauses_fit(c, f)))
        return rc;
    return fold_pack(c->ctx, f, mask);
}

/* Instants a clock accepts: the calendar range, minus the values hosts use
 * for "unset" (see "Instants" in svcq/sla.h). */
static int check_instant(const svcq_sla_clock *c, const char *what, svcq_time at)
{
    svcq_time lo, hi;
    svcq_calendar_range(&lo, &hi);
    if (at == 0 || at == -1)
        return svcq__error(c->ctx, SVCQ_EINVAL,
                           CLOCK_FMT ": %s time %lld looks like an unset time (0 and -1 are refused)",
                           CLOCK_ARGS(c), what, (long long)at);
    if (at < lo || at >= hi)
        return svcq__error(c->ctx, SVCQ_ERANGE, CLOCK_FMT ": %s time %lld is outside the years 1900 to 9999",
                           CLOCK_ARGS(c), what, (long long)at);
    return SVCQ_OK;
}

/* Whether event id ev starts (or restarts) a target of unit EVENT_DUE of P;
 * *metric names the first. */
static bool starts_carried(const svcq_sla_policy *P, uint32_t ev, const char **metric)
{
    for (uint32_t j = 0; j < P->ntargets; j++) {
        const svcq__sla_target *T = &P->targets[j];
        if (T->duration_unit == SVCQ_SLA_UNIT_EVENT_DUE && (T->start_ev == ev || T->restart_ev == ev)) {
            *metric = T->metric;
            return true;
        }
    }
    return false;
}

static int feed(svcq_sla_clock *c, const char *event, svcq_time at, const char *reason, svcq_time due);

int svcq_sla_clock_event(svcq_sla_clock *clock, const char *event, svcq_time at, const char *reason)
{
    if (!clock)
        return SVCQ_EINVAL;
    return feed(clock, event, at, reason, NEVER);
}

int svcq_sla_clock_event_due(svcq_sla_clock *clock, const char *event, svcq_time at, svcq_time due)
{
    if (!clock)
        return SVCQ_EINVAL;
    int rc = check_instant(clock, "due", due);
    if (rc)
        return rc;
    return feed(clock, event, at, NULL, due);
}

int svcq_sla_clock_event_due_at(svcq_time *due, const svcq_sla_clock *clock, uint32_t index)
{
    if (!clock)
        return SVCQ_EINVAL;
    if (!due)
        return svcq__error(clock->ctx, SVCQ_EINVAL, CLOCK_FMT ": event due: no output", CLOCK_ARGS(clock));
    if (index >= clock->nevents)
        return svcq__error(clock->ctx, SVCQ_ENOTFOUND, CLOCK_FMT ": no event %u (it has %u)", CLOCK_ARGS(clock),
                           index, clock->nevents);
    *due = due_of(clock, index);
    return SVCQ_OK;
}

/* Feeds one event; due is NEVER for an event without one. */
static int feed(svcq_sla_clock *c, const char *event, svcq_time at, const char *reason, svcq_time due)
{
    svcq_ctx *ctx = c->ctx;
    const svcq_sla_policy *P = svcq__sla_clock_policy(c);
    if (!event)
        return svcq__error(ctx, SVCQ_EINVAL, CLOCK_FMT ": event name missing", CLOCK_ARGS(c));
    size_t elen, rlen = 0;
    int rc = check_text(ctx, "event name", event, &elen);
    if (rc == SVCQ_OK && reason)
        rc = check_text(ctx, "pause reason", reason, &rlen);
    if (rc)
        return prefixed(ctx, rc, CLOCK_FMT, CLOCK_ARGS(c));
    if ((rc = check_instant(c, "event", at)))
        return rc;

    svcq__sla_event e = { at, 0, 0 };
    if (!svcq__intern_find(ctx, event, elen, &e.name) || !svcq__sla_policy_uses(P, e.name))
        return svcq__error(ctx, SVCQ_ENOTFOUND, CLOCK_FMT ": event \"%s\" is not used by policy %s v%u",
                           CLOCK_ARGS(c), event, P->name, P->version);
    const char *metric = NULL;
    bool carried = starts_carried(P, e.name, &metric);
    if (due == NEVER && carried)
        return svcq__error(ctx, SVCQ_EINVAL,
                           CLOCK_FMT ": event \"%s\" starts target %s, which takes its due from the event: feed it "
                           "with svcq_sla_clock_event_due()", CLOCK_ARGS(c), event, metric);
    if (due != NEVER && !carried)
        return svcq__error(ctx, SVCQ_EINVAL,
                           CLOCK_FMT ": event \"%s\" carries a due but starts no target of unit event_due of "
                           "policy %s v%u", CLOCK_ARGS(c), event, P->name, P->version);
    if (due != NEVER && due < at)
        return svcq__error(ctx, SVCQ_ERANGE, CLOCK_FMT ": event \"%s\" at %lld carries a due %lld before it",
                           CLOCK_ARGS(c), event, (long long)at, (long long)due);
    /* A reason new to the clock is added now and taken out again on failure. */
    uint32_t nreasons = nreasons_of(c);
    if (rlen && (rc = svcq__sla_clock_reason_add(c, reason, rlen, &e.reason)))
        return rc;

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
    for (uint32_t i = pos; i > 0 && c->events[i - 1].at == at; i--) {
        if (c->events[i - 1].name != e.name)
            continue;
        if (c->events[i - 1].reason == e.reason && due_of(c, i - 1) == due)
            return SVCQ_OK; /* a duplicate: retries are harmless (its reason is known already) */
        if (due != NEVER)
            break; /* a carried due repeats only the latest of its name and time */
    }

    bool in_order = pos == c->nevents && at >= c->versions[c->nversions - 1].from;
    clock_undo *u = NULL;
    if (c->nevents == c->events_cap) {
        if (c->nevents == UINT32_MAX / 2) {
            rc = svcq__error(ctx, SVCQ_ELIMIT, CLOCK_FMT ": too many events", CLOCK_ARGS(c));
            goto fail;
        }
        /* Most clocks see a handful of events: exact room up to four. */
        uint32_t cap = c->events_cap < 4 ? c->events_cap + 1 : c->events_cap * 2;
        svcq__sla_event *grown = svcq__reallocarray(ctx, c->events, cap, sizeof(*grown));
        if (!grown) {
            rc = svcq__enomem(ctx);
            goto fail;
        }
        c->events = grown;
        c->events_cap = cap;
    }
    if ((due != NEVER || svcq__sla_dues(c)) && (rc = dues_reserve(c)))
        goto fail;
    if ((rc = undo_prepare(c, !in_order, &u)))
        goto fail;
    if (u)
        u->nreasons = nreasons;
    memmove(&c->events[pos + 1], &c->events[pos], (c->nevents - pos) * sizeof(*c->events));
    c->events[pos] = e;
    if (svcq__sla_dues(c)) {
        memmove(&c->x->dues[pos + 1], &c->x->dues[pos], (c->nevents - pos) * sizeof(*c->x->dues));
        c->x->dues[pos] = due;
    }
    c->nevents++;

    if (in_order) {
        /* The common case: one step, computed on a copy of the state and
         * installed in place once nothing can fail any more. */
        svcq__sla_tstate t[SVCQ__SLA_MAX_TARGETS];
        uint8_t act[SVCQ__SLA_MAX_TARGETS];
        uint32_t opens;
        svcq__sla_states_expand(c, t);
        rc = svcq__sla_step_compute(ctx, P, t, pauses_of(c), npauses_of(c), &e, due, act, &opens);
        if (rc == SVCQ_OK && c->sched)
            rc = refresh_all(c, t);
        if (rc == SVCQ_OK && opens && (rc = extra_need(c)) == SVCQ_OK)
            rc = svcq__sla_pauses_reserve(ctx, &c->x->pauses, &c->x->pauses_cap, c->x->npauses + opens);
        /* A step never makes a target pending again: the stored set only
         * grows, into a larger array (the old states stay as they were
         * until the copy below). A pending target that a step leaves
         * pending is unchanged: only its state needs a look. */
        uint64_t mask = c->tmask;
        for (uint32_t j = 0; rc == SVCQ_OK && j < P->ntargets; j++)
            if (!((mask >> j) & 1) && t[j].state != SVCQ__T_PENDING)
                mask |= (uint64_t)1 << j;
        if (rc == SVCQ_OK && mask != c->tmask) {
            svcq__sla_tstate *grown =
                svcq__reallocarray(ctx, c->t, (size_t)__builtin_popcountll(mask), sizeof(*grown));
            if (grown)
                c->t = grown;
            else
                rc = svcq__enomem(ctx);
        }
        if (rc == SVCQ_OK) {
            for (uint32_t j = 0, i = 0; j < P->ntargets; j++)
                if ((mask >> j) & 1)
                    c->t[i++] = t[j];
            uint32_t np = npauses_of(c);
            svcq__sla_step_apply(P, pauses_of(c), &np, act, &e);
            install(c, c->t, mask, pauses_of(c), np, c->x ? c->x->pauses_cap : 0, u);
        }
    } else {
        svcq__sla_fold f;
        uint64_t mask;
        rc = recompute(c, P, c->t, c->tmask, &f, &mask);
        if (rc == SVCQ_OK)
            install(c, f.t, mask, f.pauses, f.npauses, f.pauses_cap, u);
    }
    if (rc == SVCQ_OK) {
        if (u)
            u->pos = pos;
        undo_record(c, u);
        return SVCQ_OK;
    }
    /* Undo the insertion. */
    log_remove(c, pos);
fail:
    undo_drop(c, u);
    reasons_truncate(c, nreasons);
    return rc;
}

int svcq_sla_clock_rebuild(svcq_sla_clock *clock)
{
    if (!clock)
        return SVCQ_EINVAL;
    clock_undo *u;
    int rc = undo_prepare(clock, true, &u);
    if (rc)
        return rc;
    svcq__sla_fold f;
    uint64_t mask;
    if ((rc = recompute(clock, svcq__sla_clock_policy(clock), clock->t, clock->tmask, &f, &mask))) {
        undo_drop(clock, u);
        return rc;
    }
    install(clock, f.t, mask, f.pauses, f.npauses, f.pauses_cap, u);
    undo_record(clock, u);
    return SVCQ_OK;
}

int svcq_sla_clock_change_policy(svcq_sla_clock *clock, svcq_sla_policy *policy, svcq_time at)
{
    if (!clock)
        return SVCQ_EINVAL;
    svcq_sla_clock *c = clock;
    svcq_ctx *ctx = c->ctx;
    svcq_sla_policy *old = svcq__sla_clock_policy(c);
    if (!policy)
        return svcq__error(ctx, SVCQ_EINVAL, CLOCK_FMT ": no policy to change to", CLOCK_ARGS(c));
    /* Compare the context before reading anything else of the policy: a
     * handle of another context is never used (nor its message written). */
    if (policy->ctx != ctx)
        return svcq__error(ctx, SVCQ_EINVAL, CLOCK_FMT ": the new policy belongs to another context",
                           CLOCK_ARGS(c));
    if (strcmp(policy->name, old->name) != 0)
        return svcq__error(ctx, SVCQ_EINVAL, CLOCK_FMT ": policy %s is not a version of %s", CLOCK_ARGS(c),
                           policy->name, old->name);
    if (policy->version <= old->version)
        return svcq__error(ctx, SVCQ_EINVAL, CLOCK_FMT ": policy %s v%u is not newer than v%u", CLOCK_ARGS(c),
                           policy->name, policy->version, old->version);
    if (policy->ntargets == 0)
        return svcq__error(ctx, SVCQ_EINVAL, CLOCK_FMT ": policy %s v%u has no targets", CLOCK_ARGS(c),
                           policy->name, policy->version);
    if (policy->change_mode == SVCQ_SLA_CHANGE_KEEP)
        return SVCQ_OK;
    int rc = check_instant(c, "policy change", at);
    if (rc)
        return rc;
    if (at < c->versions[c->nversions - 1].from)
        return svcq__error(ctx, SVCQ_ERANGE, CLOCK_FMT ": policy change at %lld is before the last one",
                           CLOCK_ARGS(c), (long long)at);

    bool shared = svcq__sla_versions_shared(c);
    svcq__sla_version *v = svcq__reallocarray(ctx, shared ? NULL : c->versions, c->nversions + 1, sizeof(*v));
    if (!v)
        return svcq__enomem(ctx);
    if (shared)
        v[0] = c->versions[0];
    c->versions = v;
    clock_undo *u;
    if ((rc = undo_prepare(c, true, &u)))
        return rc;
    c->versions[c->nversions++] = (svcq__sla_version){ policy, at, policy->change_mode };
    c->policy = policy;
    svcq__sla_fold f;
    uint64_t mask;
    rc = recompute(c, old, c->t, c->tmask, &f, &mask);
    if (rc) {
        c->nversions--;
        c->policy = old;
        undo_drop(c, u);
        return rc;
    }
    svcq__sla_policy_retain(policy);
    install(c, f.t, mask, f.pauses, f.npauses, f.pauses_cap, u);
    undo_record(c, u);
    return SVCQ_OK;
}

int svcq_sla_clock_transfer(svcq_sla_clock **out, const svcq_sla_clock *clock, svcq_sla_policy *policy,
                            svcq_time at)
{
    if (!clock)
        return SVCQ_EINVAL;
    const svcq_sla_clock *c = clock;
    svcq_ctx *ctx = c->ctx;
    if (!out)
        return svcq__error(ctx, SVCQ_EINVAL, CLOCK_FMT ": transfer: no output pointer", CLOCK_ARGS(c));
    *out = NULL;
    if (!policy)
        return svcq__error(ctx, SVCQ_EINVAL, CLOCK_FMT ": no policy to transfer to", CLOCK_ARGS(c));
    if (policy->ctx != ctx)
        return svcq__error(ctx, SVCQ_EINVAL, CLOCK_FMT ": the new policy belongs to another context",
                           CLOCK_ARGS(c));
    const svcq_sla_policy *old = svcq__sla_clock_policy(c);
    if (strcmp(policy->name, c->key + c->subject_len + 1) == 0)
        return svcq__error(ctx, SVCQ_EINVAL,
                           CLOCK_FMT ": policy %s is the clock's own: use svcq_sla_clock_change_policy()",
                           CLOCK_ARGS(c), policy->name);
    if (policy->ntargets == 0)
        return svcq__error(ctx, SVCQ_EINVAL, CLOCK_FMT ": policy %s v%u has no targets", CLOCK_ARGS(c),
                           policy->name, policy->version);
    if (policy->change_mode == SVCQ_SLA_CHANGE_KEEP)
        return SVCQ_OK;
    int rc = check_instant(c, "policy transfer", at);
    if (rc)
        return rc;
    if (at < c->versions[c->nversions - 1].from)
        return svcq__error(ctx, SVCQ_ERANGE, CLOCK_FMT ": policy transfer at %lld is before the last change",
                           CLOCK_ARGS(c), (long long)at);
    svcq_sla_clock *n;
    /* The first version keeps its policy; the key names the new one. */
    if ((rc = svcq__sla_clock_new_named(&n, c->versions[0].policy, c->key, policy->name)))
        return rc;
    svcq__sla_version *first = n->versions;
    n->versions = svcq__reallocarray(ctx, NULL, c->nversions + 1, sizeof(*n->versions));
    if (!n->versions) {
        n->versions = first;
        rc = svcq__enomem(ctx);
        goto fail;
    }
    n->versions[0] = *first;
    for (uint32_t i = 1; i < c->nversions; i++) {
        n->versions[i] = c->versions[i];
        svcq__sla_policy_retain(c->versions[i].policy);
        n->nversions++;
    }
    n->versions[n->nversions++] = (svcq__sla_version){ policy, at, policy->change_mode };
    svcq__sla_policy_retain(policy);
    n->policy = policy;
    if (c->nevents) {
        n->events = svcq__reallocarray(ctx, NULL, c->nevents, sizeof(*n->events));
        if (!n->events) {
            rc = svcq__enomem(ctx);
            goto fail;
        }
        memcpy(n->events, c->events, c->nevents * sizeof(*n->events));
        n->nevents = n->events_cap = c->nevents;
        if (svcq__sla_dues(c)) {
            if ((rc = dues_reserve(n)))
                goto fail;
            memcpy(n->x->dues, c->x->dues, c->nevents * sizeof(*n->x->dues));
        }
    }
    for (uint32_t i = 0; i < nreasons_of(c); i++) {
        uint32_t id;
        if ((rc = svcq__sla_clock_reason_add(n, c->x->reasons[i], strlen(c->x->reasons[i]), &id)))
            goto fail;
    }
    svcq__sla_fold f;
    uint64_t mask;
    if ((rc = recompute(n, old, c->t, c->tmask, &f, &mask)))
        goto fail;
    install(n, f.t, mask, f.pauses, f.npauses, f.pauses_cap, NULL);
    *out = n;
    return SVCQ_OK;
fail:
    svcq__sla_clock_destroy(n);
    return rc;
}

int svcq_sla_status_init(svcq_sla_status *status, uint32_t version)
{
    return svcq__table_init(status, sizeof(*status), version, SVCQ_SLA_STATUS_VERSION);
}

int svcq_sla_clock_status(svcq_sla_status *out, const svcq_sla_clock *clock, uint32_t index, svcq_time at)
{
    if (!clock)
        return SVCQ_EINVAL;
    if (!out)
        return svcq__error(clock->ctx, SVCQ_EINVAL, CLOCK_FMT ": status: no output table", CLOCK_ARGS(clock));
    if (out->version == 0 || out->version > SVCQ_SLA_STATUS_VERSION)
        return svcq__error(clock->ctx, SVCQ_EVERSION, CLOCK_FMT ": status table version %u is not 1 to %d",
                           CLOCK_ARGS(clock), out->version, SVCQ_SLA_STATUS_VERSION);
    const svcq_sla_policy *P = svcq__sla_clock_policy(clock);
    if (index >= P->ntargets)
        return svcq__error(clock->ctx, SVCQ_ENOTFOUND, CLOCK_FMT ": no target %u (the policy has %u)",
                           CLOCK_ARGS(clock), index, P->ntargets);
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
            int64_t secs = svcq__sla_notice_secs(T, &S, k);
            if (secs > elapsed) {
                if ((rc = svcq__sla_add(ctx, T->cal, S.anchor, secs - S.elapsed, &warn_at)))
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
    st.due_at = S.due; /* NEVER while pending or paused; kept once ended */
    st.warn_at = warn_at;
    st.met_at = S.met_at;
    st.breached_at = S.breached_at;
    st.elapsed = elapsed;
    st.remaining = svcq__sla_has_deadline(T) ? S.dur - elapsed : 0;
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
    if (!clock)
        return SVCQ_EINVAL;
    if (!out)
        return svcq__error(clock->ctx, SVCQ_EINVAL, CLOCK_FMT ": paused seconds: no output", CLOCK_ARGS(clock));
    const svcq_sla_policy *P = svcq__sla_clock_policy(clock);
    if (index >= P->ntargets)
        return svcq__error(clock->ctx, SVCQ_ENOTFOUND, CLOCK_FMT ": no target %u (the policy has %u)",
                           CLOCK_ARGS(clock), index, P->ntargets);
    *out = 0;
    uint32_t rid = 0;
    if (reason && *reason && !(rid = reason_find(clock, reason, strlen(reason))))
        return SVCQ_OK;
    const svcq__sla_target *T = &P->targets[index];
    int64_t total = 0;
    for (uint32_t i = 0; i < npauses_of(clock); i++) {
        const svcq__sla_pause *p = &clock->x->pauses[i];
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
    if (!clock)
        return SVCQ_EINVAL;
    if (!out)
        return svcq__error(clock->ctx, SVCQ_EINVAL, CLOCK_FMT ": next_at: no output", CLOCK_ARGS(clock));
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
