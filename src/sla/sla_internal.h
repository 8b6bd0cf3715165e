/* SLA internals shared by policy.c, clock.c, scheduler.c, replay.c and
 * export.c. */
#ifndef SVCQ__SLA_INTERNAL_H
#define SVCQ__SLA_INTERNAL_H

#include "core/core.h"
#include "svcq/sla.h"

#define SVCQ__SLA_MAX_TARGETS 64
#define SVCQ__SLA_MAX_NOTICES (2 * SVCQ_SLA_MAX_LEVELS + 1)
#define SVCQ__SLA_NAME_MAX 255

/* Roles an event name plays for a target. */
typedef struct svcq__sla_target {
    char *metric;
    char *start_name, *meet_name, *stop_name, *pause_name, *resume_name, *restart_name; /* NULL when unused */
    uint32_t start_ev, meet_ev, stop_ev, pause_ev, resume_ev, restart_ev; /* interned ids; 0 = none */
    int64_t duration;
    int32_t duration_unit; /* svcq_sla_unit */
    svcq_calendar *cal; /* owned copy; NULL = 7×24 in UTC, computed directly */
    uint32_t nwarn, nesc;
    uint32_t warn_pct[SVCQ_SLA_MAX_LEVELS], esc_pct[SVCQ_SLA_MAX_LEVELS];
    bool recurring;
    /* The notices of one cycle in order: warnings, the breach, escalations.
     * A warning falls due when its threshold of business seconds has
     * elapsed; the breach and escalations one second after theirs. The
     * thresholds are percentages of the cycle's resolved duration (the
     * state's dur: business days resolve per cycle), see svcq__sla_notice_secs. */
    uint32_t nnotices;
    uint32_t notice_pct[SVCQ__SLA_MAX_NOTICES];  /* warn percent, 100, escalation percent */
    int32_t notice_kind[SVCQ__SLA_MAX_NOTICES];  /* svcq_sla_notice_kind */
    int32_t notice_level[SVCQ__SLA_MAX_NOTICES]; /* percent, 0, or k */
    /* fingerprint.c, valid with the policy's: SHA-256 of the target's
     * timing fields, and of its calendar. */
    uint8_t fp_spec[32], fp_cal[32];
} svcq__sla_target;

/* A policy the clock moved to, and from when (CARRY) or for all of
 * history (RECOMPUTE; also the first version). */
typedef struct svcq__sla_version {
    svcq_sla_policy *policy;
    svcq_time from;
    int32_t mode;
} svcq__sla_version;

struct svcq_sla_policy {
    svcq_ctx *ctx;
    uint32_t refs;   /* the caller's reference plus one per clock / replay */
    bool frozen;     /* used by a clock: no more changes */
    char *name;
    uint32_t version;
    int32_t change_mode;
    char *close_name;
    uint32_t close_ev;
    uint32_t ntargets;
    svcq__sla_target *targets;
    bool fp_ready;   /* fingerprint.c: fp_hex and targets[].fp_* cached (frozen only) */
    char fp_hex[65];
    uint64_t revision; /* of the stored record "<name>@<version>"; 0 = unbound */
    /* { this policy, all of history, RECOMPUTE }: the version list every
     * clock made on the policy shares until its first policy change (set
     * by the clock that takes it). */
    svcq__sla_version self;
};

/* Computes the fingerprint of a policy (fp_hex, targets[].fp_*), or does
 * nothing when it is cached; cannot fail (fingerprint.c). */
void svcq__sla_fingerprint(const svcq_sla_policy *policy);
/* ceil(d × pct / 100) for d >= 0, saturating at INT64_MAX (which the
 * deadline arithmetic then reports as SVCQ_ERANGE). */
int64_t svcq__sla_percent(int64_t d, uint32_t pct);
/* The source's reminder levels on spec: warnings at 50 and 80 % of the
 * target, escalations at 150 and 200 % (the built-in tier policies and the
 * incident's own policies). */
void svcq__sla_standard_levels(svcq_sla_target_spec *spec);

/* Business time on a target's calendar (NULL = 7×24 UTC). */
int svcq__sla_add(svcq_ctx *ctx, svcq_calendar *cal, svcq_time start, int64_t secs, svcq_time *out);
int svcq__sla_diff(svcq_ctx *ctx, svcq_calendar *cal, svcq_time a, svcq_time b, int64_t *out);

void svcq__sla_policy_retain(svcq_sla_policy *p);
void svcq__sla_policy_release(svcq_sla_policy *p);
/* Index of the target with this metric, or -1. */
int svcq__sla_policy_find_metric(const svcq_sla_policy *p, const char *metric);
/* Whether any target (or the close event) uses event id ev. */
bool svcq__sla_policy_uses(const svcq_sla_policy *p, uint32_t ev);

/* Checks a policy name: 1 to 252 bytes of UTF-8 without control characters,
 * so that every clock record id built from it fits the store. */
int svcq__sla_check_policy_name(svcq_ctx *ctx, const char *name);

/* Policies as JSON documents (policy_json.c): the record kind and schema
 * "svcq.sla_policy/1". encode appends the whole document to out; decode
 * makes a fresh (unfrozen, unbound) policy from a parsed document. */
#define SVCQ__SLA_POLICY_KIND "sla_policy"
#define SVCQ__SLA_POLICY_SCHEMA 1
struct svcq__buf;
struct svcq__json;
int svcq__sla_policy_encode(const svcq_sla_policy *p, struct svcq__buf *out, bool pretty);
int svcq__sla_policy_decode(svcq_ctx *ctx, const struct svcq__json *root, const char *zoneinfo_dir,
                            svcq_sla_policy **out);

/* ---- clocks -------------------------------------------------------- */

typedef struct svcq__sla_event {
    svcq_time at;
    uint32_t name;   /* interned (event names are bounded by the policies) */
    uint32_t reason; /* the clock's own reason table (svcq__sla_clock_reason); 0 = none */
} svcq__sla_event;

/* Internal state of a target; BREACHED is derived (see svcq__sla_state_of). */
enum { SVCQ__T_PENDING = 0, SVCQ__T_RUNNING = 1, SVCQ__T_PAUSED = 2, SVCQ__T_MET = 3, SVCQ__T_CANCELLED = 4 };

typedef struct svcq__sla_tstate {
    /* First, so the scheduler's prefetch of a clock's states brings it. */
    svcq_time next_notice;   /* scheduler: instant of the next undelivered notice */
    uint8_t state;
    uint8_t levels;          /* breach levels reached: 0 none, 1 breached, 1 + k escalation k */
    uint16_t npaused;        /* active pause reasons */
    uint32_t cycle;
    uint32_t met_count;
    uint32_t breached_count;
    uint16_t delivered;      /* scheduler: notices of delivered_cycle delivered */
    uint16_t reserved;
    uint32_t delivered_cycle;
    svcq_time started_at;
    svcq_time anchor;        /* running: since when elapsed grows; paused: since when paused */
    svcq_time met_at;
    svcq_time breached_at;
    int64_t elapsed;         /* business seconds of the cycle before anchor */
    int64_t paused_total;    /* business seconds paused in the cycle before anchor */
    svcq_time due;           /* the cycle's due time: running, or ended (met, cancelled) while
                                running; NEVER while pending or paused and without deadline */
    int64_t dur;             /* the cycle's duration in business seconds, resolved when it
                                started (business days: per cycle); 0 = no deadline */
} svcq__sla_tstate;

/* One pause of one target for one reason. */
typedef struct svcq__sla_pause {
    uint32_t target;
    uint32_t reason;
    svcq_time start;
    svcq_time end; /* NEVER while active */
} svcq__sla_pause;

/* What most clocks never need: made at a clock's first pause, pause
 * reason or carried due. */
typedef struct svcq__sla_extra {
    svcq__sla_pause *pauses;
    uint32_t npauses, pauses_cap;
    /* Pause reasons of this clock's log, id = index + 1: kept per clock, not
     * interned in the context, so hosts may use ticket ids as reasons. */
    char **reasons;
    uint32_t nreasons, reasons_cap;
    /* Dues carried by events (svcq_sla_clock_event_due()), parallel to the
     * event log: dues[i] is event i's, SVCQ_SLA_NEVER for none. NULL until
     * the clock's first such event; then as long as the log's room. */
    svcq_time *dues;
    uint32_t dues_cap;
} svcq__sla_extra;

struct svcq_sla_clock {
    /* Hot while the scheduler advances: the first cache line. */
    uint32_t wslot;            /* timing wheel (scheduler.c): slot index, or a SVCQ__SLOT_* marker */
    uint32_t wpos;             /* index of the clock's entry in that slot's array */
    svcq_sla_policy *policy;   /* the version in force: versions[nversions - 1] */
    /* The states of the targets that left the pending state, in target
     * order: target j has one when bit j of tmask is set, at index
     * popcount(tmask & (bit - 1)); every other target is exactly
     * svcq__sla_pending. Most targets of a running clock are still pending,
     * so this keeps a million clocks small. Read through svcq__sla_t(). */
    svcq__sla_tstate *t;
    uint64_t tmask;
    svcq_sla_scheduler *sched;
    /* The rest. */
    svcq_ctx *ctx;
    svcq__sla_version *versions; /* the first policy's `self` until a policy change */
    uint32_t nversions;
    uint32_t nevents, events_cap;
    uint32_t subject_len;
    svcq__sla_event *events;
    svcq__sla_extra *x;        /* pauses and reasons; NULL until the first one */
    uint64_t revision;         /* of the stored record; 0 = never saved */
    uint64_t changes;          /* counts changes; saved = changes when stored */
    uint64_t saved;
    uint32_t dirty_pos;        /* scheduler: 1 + index in its list of changed clocks; 0 = not listed */
    char key[];                /* subject '\0' policy name '\0' */
};

/* svcq_sla_clock_new with the policy name of the clock's key given apart
 * (a clock transferred to another policy: its first version's policy has
 * another name than the one it is found and stored under). */
int svcq__sla_clock_new_named(svcq_sla_clock **out, svcq_sla_policy *policy, const char *subject,
                              const char *key_name);

/* The text of pause reason id of clock c ("" for 0 or an unknown id). */
const char *svcq__sla_clock_reason(const svcq_sla_clock *c, uint32_t id);
/* The id of a reason in clock c's table (0 for ""), adding it when new;
 * SVCQ_ENOMEM leaves the table as it was. */
int svcq__sla_clock_reason_add(svcq_sla_clock *c, const char *s, size_t len, uint32_t *id);

/* Inside a store transaction (a scope or a host batch), records an undo
 * entry that restores the clock's target states (what a scheduler
 * delivered included) and revision counters if the transaction rolls
 * back; call it before changing c->t in place. Outside a transaction it
 * does nothing. SVCQ_ENOMEM: nothing recorded, change nothing. */
int svcq__sla_clock_snapshot(svcq_sla_clock *c);

/* The pending state every target has before the clock's first event. */
extern const svcq__sla_tstate svcq__sla_pending;

static inline uint32_t svcq__sla_nstates(const svcq_sla_clock *c)
{
    return (uint32_t)__builtin_popcountll(c->tmask);
}

/* The state of target j (svcq__sla_pending while it has none). */
static inline const svcq__sla_tstate *svcq__sla_t(const svcq_sla_clock *c, uint32_t j)
{
    uint64_t bit = (uint64_t)1 << j;
    return (c->tmask & bit) ? &c->t[__builtin_popcountll(c->tmask & (bit - 1))] : &svcq__sla_pending;
}

/* The stored state of target j, to change in place, or NULL while it has
 * none (it is then svcq__sla_pending). */
static inline svcq__sla_tstate *svcq__sla_t_mut(svcq_sla_clock *c, uint32_t j)
{
    uint64_t bit = (uint64_t)1 << j;
    return (c->tmask & bit) ? &c->t[__builtin_popcountll(c->tmask & (bit - 1))] : NULL;
}

/* The dues of a clock's log (parallel to c->events), or NULL when no event
 * of it ever carried one. */
static inline const svcq_time *svcq__sla_dues(const svcq_sla_clock *c)
{
    return c->x ? c->x->dues : NULL;
}

/* Whether a target has a deadline: a duration, or a due carried by the
 * event that starts each cycle (SVCQ_SLA_UNIT_EVENT_DUE). */
static inline bool svcq__sla_has_deadline(const svcq__sla_target *T)
{
    return T->duration != 0 || T->duration_unit == SVCQ_SLA_UNIT_EVENT_DUE;
}

/* Copies the state of every target of the policy in force into full. */
void svcq__sla_states_expand(const svcq_sla_clock *c, svcq__sla_tstate *full);


/* Whether the clock's version list is its first policy's shared one (not
 * owned: never freed, copied before it grows). */
static inline bool svcq__sla_versions_shared(const svcq_sla_clock *c)
{
    return c->versions == &c->versions[0].policy->self;
}

static inline svcq_sla_policy *svcq__sla_clock_policy(const svcq_sla_clock *c)
{
    return c->policy;
}

/* The reported state of a target at instant at (BREACHED included). */
int32_t svcq__sla_state_of(const svcq__sla_tstate *s, svcq_time at);

void svcq__sla_tstate_init(svcq__sla_tstate *s);

/* Told each notice a fold passes: target j, its cycle, notice index k in
 * the cycle, and when it fell due. Returns non-zero to stop the fold. */
typedef int (*svcq__sla_notice_fn)(void *ud, uint32_t j, uint32_t cycle, uint32_t k, svcq_time at);

/* Grows a pause list to hold need entries; SVCQ_ENOMEM leaves it as it was. */
int svcq__sla_pauses_reserve(svcq_ctx *ctx, svcq__sla_pause **p, uint32_t *cap, uint32_t need);

/* Applies one event (carrying due, or SVCQ_SLA_NEVER) to every target of P: t (updated only on success) and
 * the changes the pause list needs (act, one per target; *opens entries
 * to be added), which svcq__sla_step_apply makes once room is reserved. */
int svcq__sla_step_compute(svcq_ctx *ctx, const svcq_sla_policy *P, svcq__sla_tstate *t, const svcq__sla_pause *pauses,
                        uint32_t np, const svcq__sla_event *e, svcq_time due, uint8_t *act, uint32_t *opens);
void svcq__sla_step_apply(const svcq_sla_policy *P, svcq__sla_pause *pauses, uint32_t *np, const uint8_t *act,
                       const svcq__sla_event *e);

/* Folds the whole log (dues: parallel to events, or NULL) into the state
 * of target j of the last version,
 * following its chain of carried-over versions. With fn, every notice
 * reached up to `until` is reported in time order. Pauses are appended to
 * the list given. */
int svcq__sla_fold_target(svcq_ctx *ctx, const svcq__sla_version *versions, uint32_t nversions,
                       const svcq__sla_event *events, const svcq_time *dues, uint32_t nevents, uint32_t j,
                       svcq_time until,
                       svcq__sla_notice_fn fn, void *ud, svcq__sla_tstate *S_out, svcq__sla_pause **pauses,
                       uint32_t *np, uint32_t *pcap);

/* Fresh states and pause list of every target of the last version. */
typedef struct svcq__sla_fold {
    svcq__sla_tstate *t;
    uint32_t ntargets;
    svcq__sla_pause *pauses;
    uint32_t npauses, pauses_cap;
} svcq__sla_fold;

int svcq__sla_fold_all(svcq_ctx *ctx, const svcq__sla_version *versions, uint32_t nversions,
                    const svcq__sla_event *events, const svcq_time *dues, uint32_t nevents, svcq__sla_fold *out);
void svcq__sla_fold_free(svcq_ctx *ctx, svcq__sla_fold *f);

/* Takes over a fold's states (keeping only the targets' that are not
 * pending) and pauses, for a fresh clock nothing else refers to (decode of
 * a record). SVCQ_ENOMEM frees the fold and leaves the clock as it was. */
int svcq__sla_clock_adopt(svcq_sla_clock *c, svcq__sla_fold *f);

/* Business seconds into the cycle at which notice k falls due. */
static inline int64_t svcq__sla_notice_secs(const svcq__sla_target *T, const svcq__sla_tstate *S, uint32_t k)
{
    return T->notice_pct[k] == 100 ? S->dur : svcq__sla_percent(S->dur, T->notice_pct[k]);
}

/* Number of notices of the current cycle reached before the anchor. */
uint32_t svcq__sla_notices_reached(const svcq__sla_target *T, const svcq__sla_tstate *S);

/* Brings a running target's breach levels up to instant at (levels reached
 * strictly before at), recording breached_at and counting the breach. */
int svcq__sla_catch_up(svcq_ctx *ctx, const svcq__sla_target *T, svcq__sla_tstate *S, svcq_time at);

/* Instant of notice k of the current cycle of target j in state S (of
 * clock c, whose log and versions S was computed from), or NEVER when it
 * will not fall due. A notice reached in an earlier running span is found
 * by replaying the log. */
int svcq__sla_notice_instant(const svcq_sla_clock *c, const svcq__sla_tstate *S, uint32_t j, uint32_t k,
                          svcq_time *out);
/* Sets S->next_notice: the instant of the first notice not delivered. */
int svcq__sla_refresh_next(const svcq_sla_clock *c, uint32_t j, svcq__sla_tstate *S);

/* ---- scheduler ----------------------------------------------------- */

#define SVCQ__SLOT_NONE UINT32_MAX            /* not queued */
#define SVCQ__SLOT_OVERFLOW (UINT32_MAX - 1)  /* beyond the wheel's span */
#define SVCQ__SLOT_READY (UINT32_MAX - 2)     /* in the ready array of an advance */
#define SVCQ__SLOT_PENDING (UINT32_MAX - 3)   /* found no room; the next advance queues it */

/* Called by the clock after its state changed: re-queues it. Cannot fail
 * and never allocates: room was reserved by svcq__sla_sched_reserve (or,
 * for a rollback, left by the clock when it moved); a clock that finds
 * none waits, unqueued, for the next advance to place it. */
void svcq__sla_sched_rekey(svcq_sla_clock *c);
/* Before a change that will re-key clock c to the next notices of its
 * full (expanded) states t[0, n): room in the scheduler's queue for it,
 * so that the change cannot fail afterwards. SVCQ_OK without a
 * scheduler; SVCQ_ENOMEM changes nothing observable. */
int svcq__sla_sched_reserve(const svcq_sla_clock *c, const svcq__sla_tstate *t, uint32_t n);
void svcq__sla_sched_detach(svcq_sla_clock *c);
void svcq__sla_clock_destroy(svcq_sla_clock *c);
svcq_ctx *svcq__sla_sched_ctx(const svcq_sla_scheduler *s);
/* Iterates the scheduler's clocks (start with *iter = 0); NULL at the end. */
svcq_sla_clock *svcq__sla_sched_next_clock(const svcq_sla_scheduler *s, size_t *iter);
/* Adds n fresh clocks, all or none: SVCQ_EEXIST for a clock the scheduler
 * (or the list) has already; SVCQ_ENOMEM. With a partition set, the clocks
 * of other partitions are freed instead (on success only: on failure the
 * caller still owns every clock of the list). */
int svcq__sla_sched_add_all(svcq_sla_scheduler *s, svcq_sla_clock **clocks, size_t n);
/* Whether the scheduler's partition holds this subject (always without a
 * partition): a loader may skip other subjects before decoding them. */
bool svcq__sla_sched_accepts(const svcq_sla_scheduler *s, const char *subject, size_t len);
/* FNV-1a 64 of the subject's bytes modulo count (see
 * svcq_sla_subject_partition()). */
uint32_t svcq__sla_partition_of(const char *subject, size_t len, uint32_t count);

/* The list of changed clocks: a scheduled clock is listed from its first
 * change (or its add, when never saved) until a save outside any store
 * transaction finds it stored. Listing cannot fail: the scheduler keeps
 * room for every clock it holds. */
void svcq__sla_sched_touch(svcq_sla_clock *c);
/* Iterates the listed clocks (start with *iter = 0); NULL at the end. */
svcq_sla_clock *svcq__sla_sched_next_dirty(const svcq_sla_scheduler *s, size_t *iter);
/* After a save that succeeded: unless a store transaction is still open
 * (a host batch, which may roll back), unlists the clocks now stored. */
void svcq__sla_sched_saved(svcq_sla_scheduler *s);

/* Clocks a scheduler save could not write, with why (SVCQ_ECONFLICT,
 * SVCQ_ELIMIT), in the order met. */
typedef struct svcq__sla_failures {
    svcq_sla_clock **clocks;
    int32_t *codes;
    size_t n, cap;
} svcq__sla_failures;
int svcq__sla_failures_add(svcq_ctx *ctx, svcq__sla_failures *f, svcq_sla_clock *c, int32_t code);
void svcq__sla_failures_free(svcq_ctx *ctx, svcq__sla_failures *f);
/* Replaces the scheduler's list of the last save by f (taken over). */
void svcq__sla_sched_set_failures(svcq_sla_scheduler *s, svcq__sla_failures *f);

#endif
