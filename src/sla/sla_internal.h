/* SLA internals shared by policy.c, clock.c, scheduler.c, replay.c and
 * export.c. */
#ifndef SQ_SLA_INTERNAL_H
#define SQ_SLA_INTERNAL_H

#include "core/core.h"
#include "svcq/sla.h"

#define SQ_SLA_MAX_TARGETS 64
#define SQ_SLA_MAX_NOTICES (2 * SVCQ_SLA_MAX_LEVELS + 1)
#define SQ_SLA_NAME_MAX 255

/* Roles an event name plays for a target. */
typedef struct sq_sla_target {
    char *metric;
    char *start_name, *meet_name, *stop_name, *pause_name, *resume_name; /* NULL when unused */
    uint32_t start_ev, meet_ev, stop_ev, pause_ev, resume_ev; /* interned ids; 0 = none */
    int64_t duration;
    svcq_calendar *cal; /* owned copy; NULL = 7×24 in UTC, computed directly */
    uint32_t nwarn, nesc;
    uint32_t warn_pct[SVCQ_SLA_MAX_LEVELS], esc_pct[SVCQ_SLA_MAX_LEVELS];
    bool recurring;
    /* The notices of one cycle in order: warnings, the breach, escalations.
     * A warning falls due when its threshold of business seconds has
     * elapsed; the breach and escalations one second after theirs. */
    uint32_t nnotices;
    int64_t notice_secs[SQ_SLA_MAX_NOTICES];
    int32_t notice_kind[SQ_SLA_MAX_NOTICES];  /* svcq_sla_notice_kind */
    int32_t notice_level[SQ_SLA_MAX_NOTICES]; /* percent, 0, or k */
} sq_sla_target;

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
    sq_sla_target *targets;
};

/* Business time on a target's calendar (NULL = 7×24 UTC). */
int sq_sla_add(svcq_ctx *ctx, svcq_calendar *cal, svcq_time start, int64_t secs, svcq_time *out);
int sq_sla_diff(svcq_ctx *ctx, svcq_calendar *cal, svcq_time a, svcq_time b, int64_t *out);

void sq_sla_policy_retain(svcq_sla_policy *p);
void sq_sla_policy_release(svcq_sla_policy *p);
/* Index of the target with this metric, or -1. */
int sq_sla_policy_find_metric(const svcq_sla_policy *p, const char *metric);
/* Whether any target (or the close event) uses event id ev. */
bool sq_sla_policy_uses(const svcq_sla_policy *p, uint32_t ev);

/* ---- clocks -------------------------------------------------------- */

typedef struct sq_sla_event {
    svcq_time at;
    uint32_t name;   /* interned */
    uint32_t reason; /* interned; 0 = none */
} sq_sla_event;

/* A policy the clock moved to, and from when (CARRY) or for all of
 * history (RECOMPUTE; also the first version). */
typedef struct sq_sla_version {
    svcq_sla_policy *policy;
    svcq_time from;
    int32_t mode;
} sq_sla_version;

/* Internal state of a target; BREACHED is derived (see sq_sla_state_of). */
enum { SQ_T_PENDING = 0, SQ_T_RUNNING = 1, SQ_T_PAUSED = 2, SQ_T_MET = 3, SQ_T_CANCELLED = 4 };

typedef struct sq_sla_tstate {
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
    svcq_time due;           /* running with a deadline: the due time; else NEVER */
    svcq_time next_notice;   /* scheduler: instant of the next undelivered notice */
} sq_sla_tstate;

/* One pause of one target for one reason. */
typedef struct sq_sla_pause {
    uint32_t target;
    uint32_t reason;
    svcq_time start;
    svcq_time end; /* NEVER while active */
} sq_sla_pause;

struct svcq_sla_clock {
    /* Hot while the scheduler advances: the first cache line. */
    svcq_sla_clock *wprev, *wnext; /* place in the timing wheel (scheduler.c) */
    int64_t wslot;             /* absolute wheel slot, or a SQ_SLOT_* marker */
    svcq_time next_notice;     /* scheduler key: min of t[].next_notice */
    svcq_sla_policy *policy;   /* the version in force: versions[nversions - 1] */
    sq_sla_tstate *t;          /* one per target of the policy in force; NULL while none started */
    /* The rest. */
    svcq_ctx *ctx;
    sq_sla_version *versions;
    uint32_t nversions;
    uint32_t nevents, events_cap;
    uint32_t subject_len;
    sq_sla_event *events;
    sq_sla_pause *pauses;
    uint32_t npauses, pauses_cap;
    svcq_sla_scheduler *sched;
    uint64_t revision;         /* of the stored record; 0 = never saved */
    uint64_t changes;          /* counts changes; saved = changes when stored */
    uint64_t saved;
    sq_sla_version first;      /* versions points here until a policy change */
    char key[];                /* subject '\0' policy name '\0' */
};

/* The pending state every target has before the clock's first event. */
extern const sq_sla_tstate sq_sla_pending;

static inline const sq_sla_tstate *sq_sla_t(const svcq_sla_clock *c, uint32_t j)
{
    return c->t ? &c->t[j] : &sq_sla_pending;
}

static inline svcq_sla_policy *sq_sla_clock_policy(const svcq_sla_clock *c)
{
    return c->policy;
}

/* The reported state of a target at instant at (BREACHED included). */
int32_t sq_sla_state_of(const sq_sla_tstate *s, svcq_time at);

void sq_sla_tstate_init(sq_sla_tstate *s);

/* Told each notice a fold passes: target j, its cycle, notice index k in
 * the cycle, and when it fell due. Returns non-zero to stop the fold. */
typedef int (*sq_sla_notice_fn)(void *ud, uint32_t j, uint32_t cycle, uint32_t k, svcq_time at);

/* Grows a pause list to hold need entries; SVCQ_ENOMEM leaves it as it was. */
int sq_sla_pauses_reserve(svcq_ctx *ctx, sq_sla_pause **p, uint32_t *cap, uint32_t need);

/* Applies one event to every target of P: t (updated only on success) and
 * the changes the pause list needs (act, one per target; *opens entries
 * to be added), which sq_sla_step_apply makes once room is reserved. */
int sq_sla_step_compute(svcq_ctx *ctx, const svcq_sla_policy *P, sq_sla_tstate *t, const sq_sla_pause *pauses,
                        uint32_t np, const sq_sla_event *e, uint8_t *act, uint32_t *opens);
void sq_sla_step_apply(const svcq_sla_policy *P, sq_sla_pause *pauses, uint32_t *np, const uint8_t *act,
                       const sq_sla_event *e);

/* Folds the whole log into the state of target j of the last version,
 * following its chain of carried-over versions. With fn, every notice
 * reached up to `until` is reported in time order. Pauses are appended to
 * the list given. */
int sq_sla_fold_target(svcq_ctx *ctx, const sq_sla_version *versions, uint32_t nversions,
                       const sq_sla_event *events, uint32_t nevents, uint32_t j, svcq_time until,
                       sq_sla_notice_fn fn, void *ud, sq_sla_tstate *S_out, sq_sla_pause **pauses,
                       uint32_t *np, uint32_t *pcap);

/* Fresh states and pause list of every target of the last version. */
typedef struct sq_sla_fold {
    sq_sla_tstate *t;
    uint32_t ntargets;
    sq_sla_pause *pauses;
    uint32_t npauses, pauses_cap;
} sq_sla_fold;

int sq_sla_fold_all(svcq_ctx *ctx, const sq_sla_version *versions, uint32_t nversions,
                    const sq_sla_event *events, uint32_t nevents, sq_sla_fold *out);
void sq_sla_fold_free(svcq_ctx *ctx, sq_sla_fold *f);

/* Number of notices of the current cycle reached before the anchor. */
uint32_t sq_sla_notices_reached(const sq_sla_target *T, const sq_sla_tstate *S);

/* Brings a running target's breach levels up to instant at (levels reached
 * strictly before at), recording breached_at and counting the breach. */
int sq_sla_catch_up(svcq_ctx *ctx, const sq_sla_target *T, sq_sla_tstate *S, svcq_time at);

/* Instant of notice k of the current cycle of target j in state S (of
 * clock c, whose log and versions S was computed from), or NEVER when it
 * will not fall due. A notice reached in an earlier running span is found
 * by replaying the log. */
int sq_sla_notice_instant(const svcq_sla_clock *c, const sq_sla_tstate *S, uint32_t j, uint32_t k,
                          svcq_time *out);
/* Sets S->next_notice: the instant of the first notice not delivered. */
int sq_sla_refresh_next(const svcq_sla_clock *c, uint32_t j, sq_sla_tstate *S);

/* ---- scheduler ----------------------------------------------------- */

#define SQ_SLOT_NONE INT64_MIN      /* not queued */
#define SQ_SLOT_OVERFLOW INT64_MAX  /* beyond the wheel's span */
#define SQ_SLOT_READY (INT64_MAX - 1) /* in the ready heap of an advance */

/* Called by the clock after its state changed: re-keys it in the heap.
 * Cannot fail: the scheduler reserves a heap slot for each clock. */
void sq_sla_sched_rekey(svcq_sla_clock *c);
void sq_sla_sched_detach(svcq_sla_clock *c);
void sq_sla_clock_destroy(svcq_sla_clock *c);
svcq_ctx *sq_sla_sched_ctx(const svcq_sla_scheduler *s);
/* Iterates the scheduler's clocks (start with *iter = 0); NULL at the end. */
svcq_sla_clock *sq_sla_sched_next_clock(const svcq_sla_scheduler *s, size_t *iter);
/* Adds n fresh clocks, all or none: SVCQ_EEXIST for a clock the scheduler
 * (or the list) has already; SVCQ_ENOMEM. */
int sq_sla_sched_add_all(svcq_sla_scheduler *s, svcq_sla_clock **clocks, size_t n);

#endif
