/**
 * @file svcq/sla.h
 * @brief SLA policies, clocks, the scheduler, replay and timeline exports.
 *
 * A **policy** is a named, versioned list of **targets**. A target measures
 * one metric ("first_response"): the event that starts it, the event that
 * meets it, the events that pause and resume it, a duration of business
 * time on a calendar, warning thresholds, escalation levels, and whether it
 * recurs. A **clock** applies one policy to one subject (an incident id or
 * a host's ticket id) and is fed events; a **scheduler** holds any number
 * of clocks and delivers their warnings, breaches and escalations in time
 * order.
 *
 * ## Semantics
 *
 * - A clock's state is a pure function of its policy version(s), their
 *   calendars and its event log: svcq_sla_clock_rebuild() recomputes it
 *   and gets the same answer.
 * - **Cycles.** A target's cycle starts at its start event, at each meet of
 *   a recurring target, and at its restart event. The cycle's duration D in
 *   business seconds is fixed when the cycle starts: the target's duration
 *   for SVCQ_SLA_UNIT_SECONDS; for SVCQ_SLA_UNIT_BUSINESS_DAYS with N days,
 *   the business seconds from the cycle's start to
 *   svcq_calendar_add_days(start, N) — the same wall-clock time on the Nth
 *   following business day — and N × 86,400 s without a calendar (7×24
 *   UTC). Pauses then count in business seconds as for any target.
 * - **Deadline.** A running target is due at the earliest instant at which
 *   D business seconds of the cycle have elapsed (svcq_calendar_add()); for
 *   a business-day target, when that instant is a closing, at the next
 *   opening instead (no business second lies between them), so Monday
 *   09:00 + 1 business day is due Tuesday 09:00 on a 09:00–18:00 calendar,
 *   Monday 16:30 + 2 is due Wednesday 16:30, Friday 17:00 + 1 is due Monday
 *   17:00. It is met on time when the meet event's time is at or before the
 *   due time; it is breached from due + 1 s on. A duration of 0 means "no
 *   deadline": the target is tracked (started, met, elapsed time) but never
 *   warns or breaches.
 * - **Carried dues.** A target of unit SVCQ_SLA_UNIT_EVENT_DUE has no
 *   duration of its own: its start and restart events carry the due
 *   instant of the cycle they start (svcq_sla_clock_event_due(); a
 *   measure's deadline, moved by each adjustment). The cycle's D is the
 *   business seconds from its start to that due; the cycle is due at the
 *   carried instant itself (even in closed hours), so the breach falls due
 *   one second after it, and warnings and escalations are the percents of
 *   D below. An escalation never falls due before the breach (D may be 0:
 *   a due at the start, or within one closed period, puts every warning at
 *   the start and every escalation with the breach). After a pause the due
 *   moves by the business time paused, as for any target. Such a target
 *   neither recurs nor has a duration. Feeding its start or restart event
 *   without a due is refused (SVCQ_EINVAL); a fold that meets a cycle
 *   without one (a replay or a policy change onto such a target of a log
 *   fed under another policy) fails with SVCQ_EINVAL.
 * - **Warnings** at p % fall due at the earliest instant when
 *   ceil(D × p / 100) business seconds have elapsed. **Escalation**
 *   level k (k ≥ 1) at m_k % falls due one second after the earliest
 *   instant when ceil(D × m_k / 100) business seconds have elapsed,
 *   just as the breach (level 0, 100 %) falls due one second after the
 *   due time: both mean "strictly later than allowed". D is the cycle's
 *   own, so a business-day target's notices move with each cycle.
 * - **Pauses.** An event named as a target's pause event, with a reason
 *   (NULL or "" is the reason ""), adds that reason to the target's set of
 *   active pause reasons; its resume event with the same reason removes it
 *   (a resume with reason NULL or "" removes them all, so the reason ""
 *   cannot be resumed on its own). The target's clock stops
 *   while the set is not empty. Paused business seconds are counted per
 *   reason: overlapping reasons each count the overlap.
 * - **Recurring** targets restart at each meet while their cycle runs: the
 *   meet is counted (met or, when it came after the due time, late), and a
 *   new cycle starts at the meet's time. The stop event ends the cycle.
 * - **Restart.** A target's restart event starts a new cycle at its time
 *   whatever the state — running, paused, met, breached or cancelled; on a
 *   pending target it counts as the start (the start event that follows is
 *   then ignored). Counting starts again: elapsed and paused time 0, no
 *   breach level, the old cycle's pause reasons dropped; the met and
 *   breached counts add up over cycles (a cycle already late stays counted
 *   as breached; one not yet late is neither). The cycle number grows, so a
 *   scheduler's delivered count starts at 0 for the new cycle. An event
 *   that is a target's restart event does nothing else to that target.
 * - **Stop and cancel.** A target's stop event, and the policy's close
 *   event (svcq_sla_policy_set_close_event()), end it: a pending, running
 *   or paused target becomes cancelled (breached if it was late); a met or
 *   breached one keeps its state.
 * - **States.** A target that was late when met, stopped or paused reports
 *   SVCQ_SLA_BREACHED, with met_at telling whether it was met after all.
 * - **Events before the start.** A meet, pause or resume event for a target
 *   that has not started is recorded and ignored by that target; a start
 *   event for a target already started is ignored (the first start counts).
 * - **Order.** Events may arrive out of order: an event older than the
 *   newest one is inserted into the log at its time (after events of the
 *   same time that arrived earlier) and the clock is recomputed. An event
 *   equal to one in the log (name, time and reason) is a duplicate: it is
 *   ignored and the call succeeds, so host retries are safe. An event
 *   carrying a due is a duplicate only of the latest event of its name
 *   and time, when that one carries the same due (so a due moved and
 *   moved back within one second is kept).
 * - **Notifications** are delivered once each by one scheduler in memory.
 *   When a late event rewrites history, notifications already delivered
 *   stay delivered; ones that the new history makes due in the past are
 *   delivered at the next advance, with their original due time. A cycle
 *   that ends (a recurring meet, a restart) does not drop what it reached:
 *   notices that fell due before it ended and were not delivered yet —
 *   a breach of a late meet above all — come at the next advance with
 *   their own instant and cycle number, before those of the new cycle.
 *   Notices it had not reached when it ended never fall due.
 * - **Delivery across restarts is at least once.** What a scheduler
 *   delivered is stored by the next svcq_sla_scheduler_save() (or
 *   svcq_sla_clock_save()). A process that stops between an advance and
 *   that save delivers those notices again after it loads the clocks:
 *   the same notices, with the same due times. Each notice is identified
 *   by (subject, policy, metric, cycle, kind, level) of svcq_sla_notice:
 *   hosts that must act once per notice (send one e-mail, open one
 *   corrective action) record that key with the action and skip a key they
 *   have seen — or save right after each advance inside the same store
 *   batch as their own action, which makes the pair atomic.
 * - **Unknown events.** An event name that no target of the clock's policy
 *   uses is refused with SVCQ_ENOTFOUND and changes nothing.
 * - **Instants.** Event and policy-change times must lie in the calendar
 *   range (1900-01-01 to 9999-12-31 UTC, svcq_calendar_range()): others are
 *   refused with SVCQ_ERANGE. 0 and -1, the values hosts use for "unset",
 *   are refused with SVCQ_EINVAL rather than taken as 1970 events.
 * - **Pause reasons** are kept by the clock that saw them (not by the
 *   context), so hosts may use ticket ids as reasons.
 * - **Transactions.** Clock changes (events, policy changes, rebuilds) made
 *   while a store transaction is open — inside a library call's scope or a
 *   host batch (svcq_ctx_batch_begin()) — are undone if it rolls back, so
 *   the clock is exactly as before the batch. Any clock, policy or
 *   calendar may be freed before the batch ends, whatever was done to it
 *   in the batch (events, saves, removals): a rollback then leaves the
 *   freed handle alone and restores only the store (bindings whose
 *   garbage collector frees handles at any time rely on this). What a
 *   scheduler delivers inside a transaction is part of it: when it rolls
 *   back, the deliveries are taken back with the rest, and the same
 *   notices (same key and due time) are delivered again at the next
 *   advance. Outside a transaction nothing is recorded.
 *
 * ## Policies as configuration
 * Everything that would otherwise fail later is refused when the policy or
 * target is made: a calendar that never opens, a duration — or its last
 * escalation, up to 100,000 % of it — beyond the business time of the
 * calendar's supported range, a policy name too long
 * for the clock record ids built from it (at most 252 bytes), control
 * characters in any name. A policy exchanges JSON
 * (svcq_sla_policy_export_json(), svcq_sla_policy_import_json()) and is
 * stored as a versioned record (svcq_sla_policy_save(),
 * svcq_sla_policy_load()); a saved version is immutable. docs/sla.md lists
 * the built-in tiers' targets.
 *
 * ## Ownership and threads
 * A policy copies the calendars of its targets into its own context: it
 * never refers to the caller's calendar handles, which may belong to
 * another context. Policies are immutable once a clock uses them or they
 * are saved, and are reference counted internally:
 * svcq_sla_policy_free() may be called while clocks still use the policy;
 * it goes away with its last clock. Everything made from one context is
 * used by one thread at a time.
 */
#ifndef SVCQ_SLA_H
#define SVCQ_SLA_H

#include "calendar.h"
#include "common.h"
#include "context.h"
#include "store.h"
#include "writer.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque SLA policy. */
typedef struct svcq_sla_policy svcq_sla_policy;
/** Opaque SLA clock: one policy applied to one subject. */
typedef struct svcq_sla_clock svcq_sla_clock;
/** Opaque scheduler of many clocks. */
typedef struct svcq_sla_scheduler svcq_sla_scheduler;
/** Opaque result of a replay. */
typedef struct svcq_sla_replay svcq_sla_replay;

/** @name Built-in event names (see svcq_sla_event_name() for bindings)
 * The tier policies use these; the incident lifecycle emits them. @{ */
#define SVCQ_SLA_EVENT_REQUEST_RECEIVED "request_received"
#define SVCQ_SLA_EVENT_FIRST_CONTACT "first_contact"
#define SVCQ_SLA_EVENT_SOLUTION_DRAFTED "solution_drafted"
#define SVCQ_SLA_EVENT_SOLUTION_PRESENTED "solution_presented"
#define SVCQ_SLA_EVENT_SOLUTION_CONFIRMED "solution_confirmed"
#define SVCQ_SLA_EVENT_REPLY_COMMITTED "reply_committed"
#define SVCQ_SLA_EVENT_EXECUTION_STARTED "execution_started"
#define SVCQ_SLA_EVENT_PROGRESS_UPDATE "progress_update"
#define SVCQ_SLA_EVENT_SERVICE_COMPLETED "service_completed"
#define SVCQ_SLA_EVENT_ACCEPTANCE_INVITED "acceptance_invited"
#define SVCQ_SLA_EVENT_RESULT_REPORTED "result_reported"
#define SVCQ_SLA_EVENT_PAUSE "pause"
#define SVCQ_SLA_EVENT_RESUME "resume"
#define SVCQ_SLA_EVENT_CLOSED "closed"
/** @} */

/** Indexes of the built-in event names, for svcq_sla_event_name(). */
typedef enum svcq_sla_event_id {
    SVCQ_SLA_EV_REQUEST_RECEIVED = 0,
    SVCQ_SLA_EV_FIRST_CONTACT = 1,
    SVCQ_SLA_EV_SOLUTION_DRAFTED = 2,
    SVCQ_SLA_EV_SOLUTION_PRESENTED = 3,
    SVCQ_SLA_EV_SOLUTION_CONFIRMED = 4,
    SVCQ_SLA_EV_REPLY_COMMITTED = 5,
    SVCQ_SLA_EV_EXECUTION_STARTED = 6,
    SVCQ_SLA_EV_PROGRESS_UPDATE = 7,
    SVCQ_SLA_EV_SERVICE_COMPLETED = 8,
    SVCQ_SLA_EV_ACCEPTANCE_INVITED = 9,
    SVCQ_SLA_EV_RESULT_REPORTED = 10,
    SVCQ_SLA_EV_PAUSE = 11,
    SVCQ_SLA_EV_RESUME = 12,
    SVCQ_SLA_EV_CLOSED = 13
} svcq_sla_event_id;

/**
 * @brief The name of a built-in event (the SVCQ_SLA_EVENT_* string).
 * @param id a svcq_sla_event_id value.
 * @return a static string, or NULL for an unknown id.
 * @since 0.1
 */
SVCQ_API const char *svcq_sla_event_name(int32_t id);

/** States of one target of a clock. */
typedef enum svcq_sla_state {
    SVCQ_SLA_PENDING = 0,   /**< its start event has not come */
    SVCQ_SLA_RUNNING = 1,   /**< counting business time */
    SVCQ_SLA_PAUSED = 2,    /**< at least one pause reason is active */
    SVCQ_SLA_MET = 3,       /**< met on time (recurring: the last cycle was) */
    SVCQ_SLA_BREACHED = 4,  /**< its due time passed before it was met */
    SVCQ_SLA_CANCELLED = 5  /**< stopped before being met */
} svcq_sla_state;

/** What a running clock does when its policy gets a new version. */
typedef enum svcq_sla_change_mode {
    SVCQ_SLA_CHANGE_KEEP = 0,      /**< running clocks keep the version they started with */
    SVCQ_SLA_CHANGE_RECOMPUTE = 1, /**< recompute the whole event history under the new version */
    SVCQ_SLA_CHANGE_CARRY = 2      /**< from the change on, the new version; elapsed time carries over */
} svcq_sla_change_mode;

/** Kinds of notification a scheduler delivers. */
typedef enum svcq_sla_notice_kind {
    SVCQ_SLA_NOTICE_WARNING = 1,    /**< a warning threshold was reached */
    SVCQ_SLA_NOTICE_BREACH = 2,     /**< the target became late */
    SVCQ_SLA_NOTICE_ESCALATION = 3  /**< a further escalation level was reached */
} svcq_sla_notice_kind;

/** The tiers of domain.md, for the built-in policies. */
typedef enum svcq_tier_level {
    SVCQ_TIER_SPECIAL = 0,
    SVCQ_TIER_1 = 1,
    SVCQ_TIER_2 = 2,
    SVCQ_TIER_3 = 3
} svcq_tier_level;

/** Most warning thresholds and escalation levels of one target. */
#define SVCQ_SLA_MAX_LEVELS 8

/** Units of svcq_sla_target_spec.duration. */
typedef enum svcq_sla_unit {
    SVCQ_SLA_UNIT_SECONDS = 0,      /**< business seconds of the target's calendar */
    SVCQ_SLA_UNIT_BUSINESS_DAYS = 1, /**< business days (see "Cycles" and "Deadline" above) */
    SVCQ_SLA_UNIT_EVENT_DUE = 2      /**< since 0.2: each cycle's due instant comes with the event that
                                          starts it (svcq_sla_clock_event_due(); "Carried dues" above);
                                          duration must be 0 */
} svcq_sla_unit;

/**
 * The target-spec version this header describes.
 *
 * Version history: 1 (0.1) the first; 2 (0.2) adds duration_unit (from
 * reserved1) and restart_event (from the reserved space).
 */
#define SVCQ_SLA_TARGET_SPEC_VERSION 2

/**
 * Describes one target for svcq_sla_policy_add_target(). Strings and
 * the calendar are copied.
 */
typedef struct svcq_sla_target_spec {
    uint32_t version;            /**< SVCQ_SLA_TARGET_SPEC_VERSION */
    uint32_t reserved0;          /**< must be zero */
    const char *metric;          /**< unique name within the policy, e.g. "first_response" */
    const char *start_event;     /**< starts the target */
    const char *meet_event;      /**< meets it */
    const char *stop_event;      /**< optional: ends it (cancels, or ends a recurring cycle) */
    const char *pause_event;     /**< optional: pauses it, per reason */
    const char *resume_event;    /**< optional: resumes it, per reason; required with pause_event */
    int64_t duration;            /**< business seconds; 0 = tracked without deadline */
    const svcq_calendar *calendar; /**< NULL: the 7×24 calendar */
    uint32_t warn_count;         /**< entries used in warn_percent */
    uint32_t escalate_count;     /**< entries used in escalate_percent */
    uint32_t warn_percent[SVCQ_SLA_MAX_LEVELS];     /**< ascending, each in 1..99 */
    uint32_t escalate_percent[SVCQ_SLA_MAX_LEVELS]; /**< ascending, each > 100 */
    uint32_t recurring;          /**< 1: restarts at each meet until the stop event */
    uint32_t duration_unit;      /**< v2: svcq_sla_unit of duration; 0 = business seconds */
    const char *restart_event;   /**< v2, optional: starts a new cycle from its time, whatever the state */
    uint64_t reserved[3];        /**< must be zero */
} svcq_sla_target_spec;

/** Static initialiser equal to svcq_sla_target_spec_init(&s, SVCQ_SLA_TARGET_SPEC_VERSION). */
#define SVCQ_SLA_TARGET_SPEC_INIT { SVCQ_SLA_TARGET_SPEC_VERSION, 0, NULL, NULL, NULL, NULL, NULL, \
                                    NULL, 0, NULL, 0, 0, { 0 }, { 0 }, 0, 0, NULL, { 0 } }

/**
 * @brief Fills @p spec with an empty target of spec version @p version.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown version.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_target_spec_init(svcq_sla_target_spec *spec, uint32_t version);

/**
 * @brief Creates an empty policy.
 * @param out     receives the policy, owned by the caller (svcq_sla_policy_free()).
 * @param ctx     the context it allocates through.
 * @param name    policy name, UTF-8, copied; 1 to 255 bytes.
 * @param version policy version, at least 1.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments, a bad name or version 0;
 *         SVCQ_ENOMEM.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_policy_new(svcq_sla_policy **out, svcq_ctx *ctx, const char *name,
                                                uint32_t version);

/**
 * @brief Releases the caller's reference to a policy; NULL is a no-op.
 *
 * Clocks using the policy keep it alive until they are freed.
 * @since 0.1
 */
SVCQ_API void svcq_sla_policy_free(svcq_sla_policy *policy);

/**
 * @brief Adds a target.
 * @return SVCQ_OK; SVCQ_EINVAL for an invalid spec (missing metric, start
 *         or meet event, a metric already in the policy, a pause event
 *         without resume event, a negative duration, thresholds out of
 *         order or range, a calendar that never opens, a duration whose
 *         last escalation lies beyond the business time of the calendar's
 *         range, non-zero reserved fields, invalid UTF-8) with the
 *         context message naming the field; SVCQ_EVERSION for an unknown
 *         spec version; SVCQ_ESTATE once a clock uses the policy (policies
 *         are immutable then: make a new version); SVCQ_ELIMIT beyond 64
 *         targets; SVCQ_ENOMEM. On failure the policy is unchanged.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_policy_add_target(svcq_sla_policy *policy,
                                                       const svcq_sla_target_spec *spec);

/**
 * @brief Sets what running clocks do when they move to this policy from an
 *        older version of it (see svcq_sla_clock_change_policy()).
 * @param mode a svcq_sla_change_mode; the default is SVCQ_SLA_CHANGE_KEEP.
 * @return SVCQ_OK; SVCQ_EINVAL for an unknown mode; SVCQ_ESTATE once a
 *         clock uses the policy.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_policy_set_change_mode(svcq_sla_policy *policy, int32_t mode);

/**
 * @brief Makes a new, still editable version of a policy: the same name,
 *        targets (calendars copied), change mode and close event, under
 *        version @p version.
 *
 * This is how a host changes a policy that clocks use or that is saved
 * (both make it immutable), for example a built-in tier policy on next
 * year's holiday calendar: make version 2, change or add targets, save it,
 * and move clocks with svcq_sla_clock_change_policy().
 * @param out     receives the policy, owned by the caller (svcq_sla_policy_free()).
 * @param policy  the policy to start from (not changed).
 * @param version the new version, above @p policy's.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments or a version not above
 *         the policy's; SVCQ_ENOMEM. On failure *out is NULL.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_policy_new_version(svcq_sla_policy **out, const svcq_sla_policy *policy,
                                                        uint32_t version);

/**
 * @brief Names an event that ends every target of the policy (the
 *        incident was closed or rejected), whatever their own stop events.
 * @param event the event name, copied; NULL removes it.
 * @return SVCQ_OK; SVCQ_EINVAL for a NULL policy or a bad name;
 *         SVCQ_ESTATE once a clock uses the policy; SVCQ_ENOMEM.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_policy_set_close_event(svcq_sla_policy *policy, const char *event);

/**
 * @brief The policy's name, owned by the policy.
 * @return that value; "" for NULL.
 * @since 0.1
 */
SVCQ_API const char *svcq_sla_policy_name(const svcq_sla_policy *policy);
/**
 * @brief The policy's version.
 * @return that value; 0 for NULL.
 * @since 0.1
 */
SVCQ_API uint32_t svcq_sla_policy_version(const svcq_sla_policy *policy);
/**
 * @brief The policy's change mode (svcq_sla_change_mode).
 * @return that value; -1 for NULL.
 * @since 0.1
 */
SVCQ_API int32_t svcq_sla_policy_change_mode(const svcq_sla_policy *policy);
/**
 * @brief Number of targets.
 * @return that value; 0 for NULL.
 * @since 0.1
 */
SVCQ_API uint32_t svcq_sla_policy_target_count(const svcq_sla_policy *policy);

/**
 * @brief Reads target @p index back into @p out.
 *
 * Strings in @p out are owned by the policy and valid while it lives.
 * @p out must be initialised (version set) by the caller: only the fields
 * of that version are written.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOTFOUND for an index out of
 *         range; SVCQ_EVERSION for an unknown spec version.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_policy_target(svcq_sla_target_spec *out,
                                                  const svcq_sla_policy *policy, uint32_t index);

/** Length of a policy fingerprint in hex characters (svcq_sla_policy_fingerprint()). */
#define SVCQ_SLA_FINGERPRINT_LEN 64

/**
 * @brief The fingerprint of this policy version: 64 lower-case hex
 *        characters of a SHA-256 digest over everything that decides when
 *        notices fall due.
 *
 * It covers every target in order (metric, every event name including the
 * restart event, duration and its unit, warning and escalation percents,
 * recurring) with its calendar (options, weekly hours, dated exceptions,
 * and the zone's UTC offsets over the whole range calendars support: the
 * zone's rules, not only its name), the close event and the change mode.
 * The name and version are not covered. Two policies with equal
 * fingerprints time every clock identically. A stored clock records the
 * fingerprint of each version it ran under, and svcq_sla_clock_load()
 * refuses a policy whose fingerprint differs (see SVCQ_SLA_LOAD_REBASE);
 * docs/format.md gives the exact encoding's scope.
 *
 * Computing it cannot fail. The digest is cached in the policy once a
 * clock uses it (the policy is immutable from then on); before that it is
 * computed at each call, since the policy may still change.
 * @param policy the policy (const: only the internal cache is written).
 * @return the fingerprint, owned by the policy and valid until the policy
 *         changes or is freed; "" for NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_sla_policy_fingerprint(const svcq_sla_policy *policy);

/**
 * @brief Whether the policy uses an event: some target names it as its
 *        start, meet, stop, pause, resume or restart event, or it is the
 *        policy's close event. An event the policy does not use is refused
 *        by svcq_sla_clock_event(); the incident lifecycle asks first.
 * @param out    receives 1 when used, 0 when not.
 * @param policy the policy; not changed.
 * @param event  the event name (compared byte for byte).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments (with a message on the
 *         policy's context when @p policy is given).
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_policy_uses_event(int32_t *out, const svcq_sla_policy *policy,
                                                       const char *event);

/**
 * @brief The lowercase label of a svcq_sla_state ("pending", "running",
 *        "paused", "met", "breached", "cancelled").
 * @param state a svcq_sla_state value.
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_sla_state_name(int32_t state);
/**
 * @brief The lowercase label of a svcq_sla_notice_kind ("warning",
 *        "breach", "escalation").
 * @param kind a svcq_sla_notice_kind value.
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_sla_notice_kind_name(int32_t kind);
/**
 * @brief The lowercase label of a svcq_sla_change_mode ("keep",
 *        "recompute", "carry"), as written in policy documents.
 * @param mode a svcq_sla_change_mode value.
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_sla_change_mode_name(int32_t mode);
/**
 * @brief The lowercase label of a svcq_sla_unit ("seconds",
 *        "business_days"), as written in policy documents.
 * @param unit a svcq_sla_unit value.
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_sla_unit_name(int32_t unit);

/** Flag for svcq_sla_policy_export_json(): indented output (two spaces). */
#define SVCQ_SLA_POLICY_JSON_PRETTY 0x1u

/**
 * @brief Writes the policy as a JSON document (schema "svcq.sla_policy/1",
 *        described in docs/format.md): name, version, change mode, close
 *        event, every target with every field, and the targets' calendars
 *        embedded in their own JSON form ("svcq.calendar/1"), each distinct
 *        calendar once.
 *
 * The output is deterministic, so export, import and export again give the
 * same bytes. The stored record of svcq_sla_policy_save() is this document.
 * @param policy the policy; not changed.
 * @param writer where the text goes; read during the call.
 * @param flags  0 or SVCQ_SLA_POLICY_JSON_PRETTY.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments or unknown flags;
 *         SVCQ_ESTATE when a calendar's zone is TZif data without a name
 *         (before anything is written); SVCQ_ENOMEM; or what the writer's
 *         callback returned, in which case part of the text may have been
 *         written.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_policy_export_json(const svcq_sla_policy *policy,
                                                        const svcq_writer *writer, uint32_t flags);

/**
 * @brief Makes a policy from a JSON document (schema "svcq.sla_policy/1").
 *
 * Unknown fields are ignored; every known one is checked as
 * svcq_sla_policy_new(), svcq_sla_policy_add_target(),
 * svcq_sla_policy_set_change_mode() and svcq_sla_policy_set_close_event()
 * check it, and the context message names the place in the document
 * ("targets[2].warn_percent[1]: ..."). Zones of the embedded calendars
 * given by name are loaded from @p zoneinfo_dir.
 * @param out          receives the policy (caller-owned,
 *                     svcq_sla_policy_free()), not yet saved; NULL on failure.
 * @param ctx          the context the policy and its calendars live in.
 * @param json         the document, UTF-8; need not be NUL-terminated.
 * @param size         its length in bytes.
 * @param zoneinfo_dir the directory for svcq_tz_load(), or NULL for the default.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p out or @p ctx, NULL @p json with
 *         a non-zero size, or values the setters refuse; SVCQ_EPARSE for
 *         text that is not JSON (line and column in the message);
 *         SVCQ_ECORRUPT for JSON that is not a policy document (a missing
 *         or mistyped field, an unknown unit or change mode, a calendar
 *         index out of range); SVCQ_EVERSION for a newer schema version of
 *         the policy or of a calendar; SVCQ_ENOTFOUND for an unknown zone;
 *         SVCQ_ELIMIT; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_policy_import_json(svcq_sla_policy **out, svcq_ctx *ctx,
                                                        const char *json, size_t size,
                                                        const char *zoneinfo_dir);

/**
 * @brief Stores the policy as the record (kind "sla_policy", id
 *        "<name>@<version>", e.g. "tier.1@1") of its context's store, in
 *        one store transaction (or the open batch), so tiers and clocks can
 *        name a stored policy version.
 *
 * A saved version is immutable. When no record of that name and version
 * exists it is created; when one exists with the same document, the save
 * succeeds and changes nothing stored (so every server of a cluster may
 * save the same built-in policy at start); when one exists with another
 * document, the save fails with SVCQ_EEXIST: make a new version. After a
 * successful save the handle is frozen like a policy a clock uses (its
 * setters return SVCQ_ESTATE) and remembers the record's revision.
 * @param policy the policy.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EEXIST when that version is
 *         stored with other content; SVCQ_ESTATE when a calendar's zone has
 *         no name to write; SVCQ_ENOMEM; a storage error. On failure the
 *         handle and the store are unchanged.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_policy_save(svcq_sla_policy *policy);

/**
 * @brief Loads a stored policy version (see svcq_sla_policy_save()).
 * @param out          receives the policy (caller-owned,
 *                     svcq_sla_policy_free()), frozen and bound to the
 *                     record; NULL on failure.
 * @param ctx          the context whose store is read and in which the
 *                     policy and its calendars live.
 * @param name         the policy name.
 * @param version      the policy version, at least 1.
 * @param zoneinfo_dir the directory for svcq_tz_load(), or NULL for the default.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments, a bad name or version 0;
 *         SVCQ_ENOTFOUND when no such record exists (or a zone it names is
 *         unknown); SVCQ_ECORRUPT for a damaged record, or one whose name
 *         or version differs from its id; SVCQ_EVERSION for a record of a
 *         newer format; SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_policy_load(svcq_sla_policy **out, svcq_ctx *ctx, const char *name,
                                                 uint32_t version, const char *zoneinfo_dir);

/**
 * @brief Removes the policy's record from the store (compare-and-swap on
 *        the revision the handle last saved or loaded), in one store
 *        transaction (or the open batch). The handle stays usable and
 *        frozen. Clocks stored under that version can then be loaded only
 *        with a policy handle the host still has.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ESTATE when the handle was
 *         never saved or loaded (or was deleted); SVCQ_ECONFLICT when the
 *         record changed since; SVCQ_ENOTFOUND when it went away; a
 *         storage error. On failure
 *         the handle and the store are unchanged.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_policy_delete(svcq_sla_policy *policy);

/**
 * @brief The revision of the policy's record as last saved or loaded.
 * @return that revision; 0 when unbound (never saved nor loaded, deleted)
 *         or for NULL.
 * @since 0.2
 */
SVCQ_API uint64_t svcq_sla_policy_revision(const svcq_sla_policy *policy);

/**
 * @brief Creates the default business calendar of the tier policies:
 *        Monday to Friday, 09:00–18:00, in a zone.
 * @param out receives the calendar (caller-owned, svcq_calendar_free()).
 * @param tz  the zone (copied), or NULL for UTC.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p out or @p ctx; SVCQ_ENOMEM.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_default_calendar(svcq_calendar **out, svcq_ctx *ctx,
                                                      const svcq_tz *tz);

/** Flag for svcq_sla_policy_builtin(): read every timing of the tier table
 *  literally as business hours ("daily" = 24 business hours), as 0.1 did. */
#define SVCQ_SLA_BUILTIN_LITERAL_HOURS 0x1u

/**
 * @brief Creates the built-in policy of a tier from domain.md.
 *
 * Every timing of the tier table, each starting at the event the table
 * names (docs/sla.md lists every target of every tier with its duration,
 * unit, warnings and escalations). Special: first response 15 min,
 * solution drafted 1 h (from the request), solution presented 2 h (from
 * drafting), confirmation tracked without deadline, progress update every
 * 4 h (recurring from execution start until service completed), acceptance
 * invitation 24 h after completion, all on the 7×24 calendar. Tier 1:
 * 30 min, 2 h, 4 h, confirmation aim 8 h, updates every 8 h, acceptance
 * 2 business days. Tier 2: 1 h, 4 h, 8 h, confirmation aim 12 h, a progress
 * update every business day, acceptance 3 business days. Tier 3: first
 * response 2 h, a definite reply time and solution within 1 business day,
 * and the result reported after completion (tracked without deadline).
 *
 * Tiers 1–3 run on @p business_calendar. Where the source speaks of days
 * ("daily", a 24 h reply, 48 h and 72 h acceptance) those tiers count
 * business days (SVCQ_SLA_UNIT_BUSINESS_DAYS: the same wall-clock time on
 * the Nth following business day), because 24 business hours of a 9-hour
 * day are almost three working days; hour-valued timings stay business
 * seconds. With SVCQ_SLA_BUILTIN_LITERAL_HOURS every timing is read as
 * business hours instead (24 h, 48 h, 72 h of the calendar). The special
 * tier is the same either way.
 *
 * Every target warns at 50 % and 80 % and escalates at 150 % and 200 %;
 * every target pauses on SVCQ_SLA_EVENT_PAUSE and resumes on
 * SVCQ_SLA_EVENT_RESUME, and the close event is SVCQ_SLA_EVENT_CLOSED. The
 * policy is named "tier.special", "tier.1", "tier.2" or "tier.3", version
 * 1, change mode KEEP; the caller may add targets before the first clock
 * uses it.
 *
 * @param out               receives the policy (caller-owned,
 *                          svcq_sla_policy_free()); NULL on failure.
 * @param ctx               the context the policy lives in.
 * @param tier              a svcq_tier_level.
 * @param business_calendar calendar of tiers 1–3, copied into the policy
 *        (into @p ctx: the policy never refers to the caller's handle);
 *        NULL gives Monday to Friday 09:00–18:00 UTC. Ignored for the
 *        special tier.
 * @param flags             0 or SVCQ_SLA_BUILTIN_LITERAL_HOURS.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p out or @p ctx, an unknown tier,
 *         unknown flags or a calendar the policy refuses (one that never
 *         opens); SVCQ_ENOMEM.
 * @since 0.1; @p flags and business days since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_policy_builtin(svcq_sla_policy **out, svcq_ctx *ctx, int32_t tier,
                                                    const svcq_calendar *business_calendar,
                                                    uint32_t flags);

/** The status-table version this header describes. */
#define SVCQ_SLA_STATUS_VERSION 1

/**
 * The state of one target of a clock at an instant (svcq_sla_clock_status()).
 * Times that do not apply are SVCQ_SLA_NEVER. By state:
 * - PENDING: only metric and the counts (0) are set; times are NEVER.
 * - RUNNING: started_at, due_at (NEVER without deadline), warn_at (next
 *   warning or NEVER), elapsed, remaining; met_at and the counts from
 *   earlier cycles.
 * - PAUSED: due_at and warn_at NEVER (the deadline moves with the pause);
 *   elapsed and paused grow.
 * - MET and CANCELLED: the cycle's figures as they were when it ended;
 *   due_at keeps the due time it had ("met 17:50, due 18:00"), NEVER when
 *   it ended while paused or has no deadline; warn_at NEVER.
 * - BREACHED: as RUNNING, PAUSED, MET or CANCELLED above, whichever it is
 *   in, plus breached_at (due + 1) and escalation_level.
 */
typedef struct svcq_sla_status {
    uint32_t version;          /**< set by the caller: SVCQ_SLA_STATUS_VERSION */
    int32_t state;             /**< svcq_sla_state */
    const char *metric;        /**< owned by the policy */
    svcq_time started_at;      /**< start of the current cycle */
    svcq_time due_at;          /**< deadline of the current cycle; kept once met or cancelled (see above) */
    svcq_time warn_at;         /**< next warning, if any */
    svcq_time met_at;          /**< last meet */
    svcq_time breached_at;     /**< first breach of the current cycle (due + 1) */
    int64_t elapsed;           /**< business seconds counted in the current cycle */
    int64_t remaining;         /**< the cycle's duration in business seconds - elapsed (negative when late); 0 without deadline */
    int64_t paused;            /**< business seconds paused in the current cycle, any reason */
    int32_t escalation_level;  /**< -1 none; 0 breached; k: k-th escalation reached */
    uint32_t met_count;        /**< cycles met on time */
    uint32_t breached_count;   /**< cycles breached */
    uint32_t reserved0;
    uint64_t reserved[4];
} svcq_sla_status;

/** Static initialiser equal to svcq_sla_status_init(&s, SVCQ_SLA_STATUS_VERSION). */
#define SVCQ_SLA_STATUS_INIT { SVCQ_SLA_STATUS_VERSION, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, { 0 } }

/**
 * @brief Prepares a status table of version @p version for
 *        svcq_sla_clock_status().
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown version.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_status_init(svcq_sla_status *status, uint32_t version);

/** "Never" for times in svcq_sla_status and svcq_sla_clock_next_at(). */
#define SVCQ_SLA_NEVER INT64_MAX

/**
 * @brief Creates a clock applying @p policy to @p subject.
 *
 * The clock takes a reference on the policy, which becomes immutable.
 * @param subject the subject id (an incident id or the host's ticket id),
 *        UTF-8 without control characters, copied, 1 to 255 bytes.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments, a bad subject or an
 *         empty policy; SVCQ_ENOMEM.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_clock_new(svcq_sla_clock **out, svcq_sla_policy *policy,
                                               const char *subject);

/**
 * @brief Frees a clock; NULL is a no-op. A clock held by a scheduler is
 *        removed from it first.
 * @since 0.1
 */
SVCQ_API void svcq_sla_clock_free(svcq_sla_clock *clock);

/**
 * @brief Feeds one event.
 * @param event  the event name (UTF-8, copied).
 * @param at     when it happened.
 * @param reason the pause reason for pause and resume events, or NULL.
 * @return SVCQ_OK (also for a duplicate, which changes nothing);
 *         SVCQ_EINVAL for NULL or invalid strings, @p at 0 or -1 (an
 *         unset time), or the start or restart event of a target of unit
 *         SVCQ_SLA_UNIT_EVENT_DUE (use svcq_sla_clock_event_due());
 *         SVCQ_ENOTFOUND when no target of the policy uses the
 *         event; SVCQ_ERANGE for @p at outside the calendar range or when a
 *         deadline would be past it; SVCQ_ENOMEM. On failure the clock is
 *         unchanged and the context message names the clock and the cause.
 *         Inside a store transaction the change is undone if it rolls back.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_clock_event(svcq_sla_clock *clock, const char *event, svcq_time at,
                                                 const char *reason);

/**
 * @brief Feeds one event that carries the due instant of the cycle it
 *        starts, for targets of unit SVCQ_SLA_UNIT_EVENT_DUE ("Carried
 *        dues" above): their start event, or their restart event (a moved
 *        deadline: a new cycle from @p at, due at @p due).
 *
 * Targets of other units take the event as svcq_sla_clock_event() with no
 * reason. The due is kept in the event log (svcq_sla_clock_event_due_at()),
 * stored with the clock and replayed with it.
 * @param clock the clock.
 * @param event the event name: the start or restart event of at least one
 *              target of unit SVCQ_SLA_UNIT_EVENT_DUE of the policy in force.
 * @param at    when it happened.
 * @param due   the due instant, at or after @p at.
 * @return SVCQ_OK (also for a duplicate); SVCQ_EINVAL for NULL or invalid
 *         names, @p at or @p due 0 or -1, or an event that starts no
 *         target of that unit; SVCQ_ENOTFOUND when no target of the policy
 *         uses the event; SVCQ_ERANGE for @p at or @p due outside the
 *         calendar range, @p due before @p at, or a notice past the range;
 *         SVCQ_ENOMEM. On failure the clock is unchanged and the context
 *         message names the clock and the cause. Inside a store transaction
 *         the change is undone if it rolls back.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_clock_event_due(svcq_sla_clock *clock, const char *event, svcq_time at,
                                                     svcq_time due);

/**
 * @brief The due instant event @p index of the log carries (see
 *        svcq_sla_clock_event_due()).
 * @param due   receives it, or SVCQ_SLA_NEVER for an event without one.
 * @param clock the clock.
 * @param index the event's index, as for svcq_sla_clock_event_at().
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOTFOUND out of range.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_clock_event_due_at(svcq_time *due, const svcq_sla_clock *clock,
                                                        uint32_t index);

/**
 * @brief Moves a clock to another version of its policy, as of @p at.
 *
 * What happens is chosen by @p policy's change mode: KEEP leaves the clock
 * on its current version (and returns SVCQ_OK); RECOMPUTE replays the whole
 * event log under @p policy; CARRY keeps the history up to @p at under the
 * old version and continues from @p at under the new one: a target with
 * the same metric name keeps its state, elapsed time, pause reasons and
 * counts, and takes the new duration, calendar and levels; a new target is
 * computed from the whole event log; a removed one is dropped.
 *
 * @return SVCQ_OK; SVCQ_EINVAL when @p policy belongs to another context,
 *         has another name or a version not newer than the clock's, or @p at
 *         is 0 or -1; SVCQ_ENOMEM; SVCQ_ERANGE for @p at outside the
 *         calendar range or before the last change. On failure the clock is
 *         unchanged. Inside a store transaction the change is undone if it
 *         rolls back.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_clock_change_policy(svcq_sla_clock *clock, svcq_sla_policy *policy,
                                                         svcq_time at);

/**
 * @brief Makes a copy of a clock that moved to a policy of another name
 *        (a client's new tier: "tier.2" to "tier.1"), as of @p at.
 *
 * The change follows @p policy's change mode, as svcq_sla_clock_change_policy()
 * does for a new version: KEEP moves nothing (*out is NULL and the call
 * succeeds); RECOMPUTE replays the whole event log under @p policy; CARRY
 * keeps the history up to @p at under the clock's policy versions and
 * continues under @p policy from @p at, targets of the same metric keeping
 * their state, elapsed time, pause reasons and counts. The new clock has
 * the same subject, event log and what a scheduler delivered (by metric);
 * it is found and stored under @p policy's name, and its record names
 * every version it ran under (docs/format.md). @p clock is not changed:
 * the caller puts the new clock in the old one's place (scheduler,
 * store) — svcq_client_move_clocks() does all of it for a client.
 * @param out    receives the new clock (caller-owned, not in any
 *               scheduler, never saved), or NULL for KEEP.
 * @param clock  the clock to move.
 * @param policy the policy to move to: of the clock's context, with targets,
 *               and another name than the clock's policy.
 * @param at     the instant of the move.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, a policy of another context, of
 *         the clock's own name (use svcq_sla_clock_change_policy()) or
 *         without targets, or @p at 0 or -1; SVCQ_ERANGE for @p at outside
 *         the calendar range or before the clock's last policy change;
 *         SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_clock_transfer(svcq_sla_clock **out, const svcq_sla_clock *clock,
                                                    svcq_sla_policy *policy, svcq_time at);

/**
 * @brief Recomputes the clock from its event log.
 *
 * The state never differs from what the events already gave; this exists
 * so hosts and tests can check exactly that.
 * @return SVCQ_OK; SVCQ_ENOMEM; SVCQ_ERANGE. On failure the clock is unchanged.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_clock_rebuild(svcq_sla_clock *clock);

/**
 * @brief The subject id, owned by the clock.
 * @return that value; "" for NULL.
 * @since 0.1
 */
SVCQ_API const char *svcq_sla_clock_subject(const svcq_sla_clock *clock);
/**
 * @brief The policy in force.
 * @return that policy, borrowed and valid while the clock lives; NULL for NULL.
 * @since 0.1
 */
SVCQ_API const svcq_sla_policy *svcq_sla_clock_policy(const svcq_sla_clock *clock);
/**
 * @brief Number of events in the log.
 * @return that value; 0 for NULL.
 * @since 0.1
 */
SVCQ_API uint32_t svcq_sla_clock_event_count(const svcq_sla_clock *clock);

/**
 * @brief Reads event @p index of the log (in time order).
 * @param name, at, reason receive the event (strings owned by the clock,
 *        valid until it changes; reason "" when none). Any may be NULL.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL clock; SVCQ_ENOTFOUND out of range.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_clock_event_at(const char **name, svcq_time *at, const char **reason,
                                                    const svcq_sla_clock *clock, uint32_t index);

/**
 * @brief The state of target @p index at instant @p at.
 *
 * @p at only affects the figures that run with time (elapsed, remaining,
 * paused, and whether a running target is breached by then); it should not
 * be earlier than the newest event.
 * @param out a table whose version field the caller set.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOTFOUND for an index out
 *         of range; SVCQ_EVERSION for an unknown table version; SVCQ_ERANGE.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_clock_status(svcq_sla_status *out, const svcq_sla_clock *clock,
                                                  uint32_t index, svcq_time at);

/**
 * @brief Business seconds target @p index was paused for @p reason in its
 *        current cycle, up to @p at.
 * @return SVCQ_OK (0 for a reason never seen); SVCQ_EINVAL; SVCQ_ENOTFOUND
 *         for an index out of range.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_clock_paused_seconds(int64_t *out, const svcq_sla_clock *clock,
                                                          uint32_t index, const char *reason,
                                                          svcq_time at);

/**
 * @brief The first instant after @p after at which a warning, breach or
 *        escalation of this clock falls due, for hosts that index clocks in
 *        their own database ("look at this clock again at ...").
 *
 * A pure function of the clock's state: it does not know what a scheduler
 * delivered. Paused, met, cancelled and pending targets have nothing due.
 * @param out   receives the instant, or SVCQ_SLA_NEVER.
 * @param after usually the current time.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ERANGE; SVCQ_ENOMEM.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_clock_next_at(svcq_time *out, const svcq_sla_clock *clock,
                                                  svcq_time after);

/**
 * @brief Writes the clock's timeline (events and the warnings, breaches and
 *        escalations they lead to up to @p until) as JSON, with times in a
 *        zone a person reads.
 *
 * One object: "subject", "policy", "version", "zone" (svcq_tz_name() of
 * @p tz, or "UTC"), "until" and "until_local", "timeline" (one object per
 * event or notice in time order, notices before events of the same
 * instant) and "targets" (the status of each target at @p until). Every
 * time is written twice: "<name>" as epoch seconds and "<name>_local" as
 * ISO 8601 with the UTC offset in effect in @p tz at that instant
 * ("2026-01-09T16:30:00+08:00"; "...Z" in UTC), both null for
 * SVCQ_SLA_NEVER. An event has "type": "event", "event", "reason" when
 * it has one, and "due" with "due_local" when it carries one
 * (svcq_sla_clock_event_due(), since 0.2); a notice has "type" ("warning", "breach", "escalation"),
 * "target" (the metric), "level" and "cycle" as in svcq_sla_notice, and
 * "detail", the text of the Markdown table's detail column. Targets have
 * "metric", "state", "started_at", "due_at", "met_at", "breached_at"
 * (each with its "_local"), "elapsed", "remaining", "paused",
 * "escalation_level", "met_count" and "breached_count" as in
 * svcq_sla_status. Readers should ignore members they do not know.
 * @param clock  the clock; not changed.
 * @param until  the instant the timeline ends at (and the statuses are taken).
 * @param tz     the zone of the local times (borrowed for the call; of the
 *               clock's context), or NULL for UTC.
 * @param writer where the text goes (indented, UTF-8).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p clock or @p writer, a writer
 *         without callback or a zone of another context; SVCQ_ERANGE when a
 *         status cannot be computed or a time's local date in @p tz is past
 *         the year 9999 (nothing is written when a status fails); SVCQ_ENOMEM;
 *         the writer's error (part of the text may have been written then).
 *         Every failure writes the context's message.
 * @since 0.1; @p tz, the "_local" members and "detail" since 0.2 (times
 *        were ISO strings in UTC before)
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_clock_export_json(const svcq_sla_clock *clock, svcq_time until,
                                                       const svcq_tz *tz, const svcq_writer *writer);

/**
 * @brief The same timeline as a Markdown table: time, target, what, detail.
 *
 * The header names the zone: "| time (Asia/Shanghai) | target | what |
 * detail |" ("time (UTC)" without one). Each time is the local time in
 * @p tz with its weekday and UTC offset, "Fri 2026-01-09T16:30:00+08:00"
 * ("Mon 2026-01-05T09:00:00Z" in UTC). Events show their name and pause
 * reason, or "due <local time>" for a carried due; notices their metric, kind and a detail a person reads: a
 * warning "50 % of 1 h elapsed" (the share of the target's duration, in
 * business hours or days; "50 % of the time to the due elapsed" for a
 * carried due), a breach "due <local time>" (the due time it
 * passed), an escalation "level 1 (150 %)"; targets that recur or restart
 * add ", cycle N". '|' in names is escaped and line breaks become spaces.
 * @param clock  the clock; not changed.
 * @param until  the instant the timeline ends at.
 * @param tz     the zone of the local times (borrowed for the call; of the
 *               clock's context), or NULL for UTC.
 * @param writer where the table goes, written in one call.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p clock or @p writer, a writer
 *         without callback or a zone of another context; SVCQ_ERANGE when a
 *         time's local date is past the year 9999; SVCQ_ENOMEM; the
 *         writer's error. Nothing is written on failure but the writer's
 *         own. Every failure writes the context's message.
 * @since 0.1; @p tz and the readable detail since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_clock_export_markdown(const svcq_sla_clock *clock, svcq_time until,
                                                           const svcq_tz *tz, const svcq_writer *writer);

/**
 * @brief Writes the clock's status at @p at as JSON: what
 *        svcq_sla_clock_status() reports for every target, for hosts and
 *        bindings that would rather parse than mirror svcq_sla_status.
 *
 * One object: "subject", "policy", "version", "fingerprint"
 * (svcq_sla_policy_fingerprint()), "at" and "at_utc", and "targets", one
 * object per target in index order with "index", "metric", "state" (the
 * state's name: "pending", "running", "paused", "met", "breached",
 * "cancelled"), "state_code" (the svcq_sla_state value), the times
 * "started_at", "due_at", "warn_at", "met_at" and "breached_at" each as
 * epoch seconds and again as "<name>_utc", an ISO 8601 UTC string such as
 * "2026-01-05T09:30:00Z" (both null for SVCQ_SLA_NEVER), and "elapsed",
 * "remaining", "paused", "escalation_level", "met_count",
 * "breached_count" as in svcq_sla_status. Fields may be added later;
 * readers should ignore members they do not know.
 * @param clock  the clock; not changed.
 * @param at     the instant, as for svcq_sla_clock_status().
 * @param writer where the text goes (indented, UTF-8).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or a writer without callback;
 *         SVCQ_ERANGE for @p at out of range or a status that cannot be
 *         computed; SVCQ_ENOMEM; the writer's error (part of the text may
 *         have been written then). Nothing is written when computing a
 *         status fails.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_clock_export_status_json(const svcq_sla_clock *clock, svcq_time at,
                                                              const svcq_writer *writer);

/**
 * @brief Stores the clock (kind "sla_clock", see docs/format.md): its
 *        policy versions, its event log and what its scheduler delivered.
 *
 * Runs in one store transaction (or joins the open batch). The write is a
 * compare-and-swap on the revision the clock last saved or loaded, so two
 * servers saving the same clock cannot silently overwrite each other.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ECONFLICT when the stored
 *         record changed since; SVCQ_ENOMEM; a storage error. On failure
 *         the clock is unchanged.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_clock_save(svcq_sla_clock *clock);

/**
 * @brief Removes the clock's record from the store (the clock stays).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOTFOUND when the clock was
 *         never saved; SVCQ_ECONFLICT; a storage error.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_clock_remove(svcq_sla_clock *clock);

/**
 * Flag for svcq_sla_clock_load() and svcq_sla_scheduler_load(): load a
 * clock even when a policy given has another fingerprint than the version
 * the clock was saved under, and re-time it under the policy given.
 *
 * The record keeps the event log and what was delivered, not the old
 * policy, so the clock's state is always recomputed from its log under the
 * policy given. What happens to the past depends on the change mode of the
 * policy in force (the clock's newest version):
 * - SVCQ_SLA_CHANGE_RECOMPUTE: the whole history is judged again; notices
 *   the new timing puts in the past that were not delivered come at the
 *   next advance with their due time (as for a late event).
 * - SVCQ_SLA_CHANGE_KEEP and SVCQ_SLA_CHANGE_CARRY: the past stays as the
 *   clock told it: every notice that falls due, under the new timing, at
 *   or before the load instant (svcq_ctx_now()) counts as delivered, and
 *   the new timing applies from the load on. Nothing is delivered for the
 *   past; notices already delivered are never delivered again.
 * The re-based clock counts as changed: the next svcq_sla_clock_save() or
 * svcq_sla_scheduler_save() records the new fingerprints.
 */
#define SVCQ_SLA_LOAD_REBASE 0x1u

/**
 * Flag for svcq_sla_scheduler_load(): read every stored clock (a full scan
 * of the kind) instead of only the live ones through the store's index
 * terms. Needed once for clocks saved before 0.2 (by 0.1), whose records
 * carry no index terms, when the store keeps terms (version 2 of the
 * storage contract): such clocks count as changed, so the next
 * svcq_sla_scheduler_save() writes them with their terms. Finished clocks
 * are still left out.
 * @since 0.2
 */
#define SVCQ_SLA_LOAD_FULL_SCAN 0x2u

/**
 * @brief Loads the clock of (@p policy_name, @p subject) from the store of
 *        the policies' context.
 *
 * Each policy version the record names must be given, and must be the one
 * the clock was saved under: its fingerprint (svcq_sla_policy_fingerprint())
 * must equal the one stored, unless @p flags has SVCQ_SLA_LOAD_REBASE.
 * Records written by 0.1 (schema svcq.sla_clock/1) carry no fingerprint
 * and load under the versions given, unchecked.
 *
 * @param out         receives the clock (caller-owned, svcq_sla_clock_free()).
 * @param policies    every version of the policy the clock may have run
 *                    under (other policies in the list are ignored); all of
 *                    one context, the one loaded from.
 * @param npolicies   entries in @p policies, at least 1.
 * @param flags       0 or SVCQ_SLA_LOAD_REBASE.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments, unknown flags, or a
 *         policy of another context than policies[0]; SVCQ_ENOTFOUND when
 *         no record exists or a version it names is not in @p policies;
 *         SVCQ_ECONFLICT when a policy given differs from the version the
 *         clock was saved under (the message names the policy, the version
 *         and what differs, e.g. "calendar of target first_response");
 *         SVCQ_ECORRUPT for a damaged record; SVCQ_EVERSION for a record of
 *         a newer format; SVCQ_ENOMEM; a storage error.
 * @since 0.1; @p flags and the fingerprint check since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_clock_load(svcq_sla_clock **out, svcq_sla_policy *const *policies,
                                                size_t npolicies, const char *policy_name,
                                                const char *subject, uint32_t flags);

/** The notice-table version this header describes. */
#define SVCQ_SLA_NOTICE_VERSION 1

/**
 * One warning, breach or escalation, as delivered to a scheduler's callback.
 *
 * (subject, policy, metric, cycle, kind, level) identifies the notice: it
 * is the same when the notice is delivered again after a restart (see
 * "Delivery across restarts" above), and differs between any two notices.
 */
typedef struct svcq_sla_notice {
    uint32_t version;         /**< SVCQ_SLA_NOTICE_VERSION */
    int32_t kind;             /**< svcq_sla_notice_kind */
    svcq_time at;             /**< when it fell due */
    const char *subject;      /**< the clock's subject */
    const char *policy;       /**< policy name */
    const char *metric;       /**< target metric */
    uint32_t target;          /**< target index in the policy */
    int32_t level;            /**< warning: its percent; breach: 0; escalation: k >= 1 */
    uint32_t cycle;           /**< the cycle the notice belongs to, from 0 (it may be one that has ended) */
    uint32_t reserved0;
    svcq_sla_clock *clock;    /**< the clock (borrowed; do not free or feed it from the callback) */
} svcq_sla_notice;

/** Static initialiser equal to svcq_sla_notice_init(&n, SVCQ_SLA_NOTICE_VERSION). */
#define SVCQ_SLA_NOTICE_INIT { SVCQ_SLA_NOTICE_VERSION, 0, 0, NULL, NULL, NULL, 0, 0, 0, 0, NULL }

/**
 * @brief Prepares an empty notice of version @p version (the library fills
 *        notices itself; this serves hosts and bindings that build their
 *        own, e.g. in tests).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown version.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_notice_init(svcq_sla_notice *notice, uint32_t version);

/**
 * Receives one notice; the table and its strings are valid during the call
 * only. Return 0 to go on; non-zero stops the advance (the notice counts
 * as not delivered and comes again at the next advance), which returns
 * SVCQ_EABORTED (or the negative SVCQ_E* code returned).
 */
typedef int (*svcq_sla_notify_fn)(const svcq_sla_notice *notice, void *user_data);

/**
 * @brief Creates an empty scheduler.
 * @param notify called for every notice delivered by svcq_sla_scheduler_advance().
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p out, @p ctx or @p notify; SVCQ_ENOMEM.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_scheduler_new(svcq_sla_scheduler **out, svcq_ctx *ctx,
                                                   svcq_sla_notify_fn notify, void *user_data);

/**
 * @brief Frees a scheduler and every clock it holds; NULL is a no-op.
 * @since 0.1
 */
SVCQ_API void svcq_sla_scheduler_free(svcq_sla_scheduler *scheduler);

/**
 * @brief Hands a clock to the scheduler, which owns it from then on.
 *
 * Events fed to the clock afterwards (svcq_sla_clock_event()) keep the
 * scheduler up to date.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, a clock made on another context or
 *         one of another partition (svcq_sla_scheduler_set_partition());
 *         SVCQ_EEXIST when the scheduler has a clock for that subject and
 *         policy name, or the clock belongs to a scheduler; SVCQ_ENOMEM (the
 *         clock then stays the caller's).
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_scheduler_add(svcq_sla_scheduler *scheduler, svcq_sla_clock *clock);

/**
 * @brief Finds the clock of a subject and policy name.
 * @return the clock (owned by the scheduler), or NULL.
 * @since 0.1
 */
SVCQ_API svcq_sla_clock *svcq_sla_scheduler_find(const svcq_sla_scheduler *scheduler, const char *subject,
                                                 const char *policy_name);

/**
 * @brief Number of clocks held.
 * @return that value; 0 for NULL.
 * @since 0.1
 */
SVCQ_API uint64_t svcq_sla_scheduler_count(const svcq_sla_scheduler *scheduler);

/**
 * @brief Delivers every notice due at or before @p now, in time order, each
 *        once per scheduler (at least once across a restart that loses
 *        what was not saved: see "Delivery across restarts" above).
 *
 * Notices of equal time come in order of subject, policy, target and
 * level. @p now never needs to grow: an earlier @p now simply finds
 * nothing new. Inside a store transaction (a host batch) the deliveries
 * are undone if it rolls back: those notices come again at the next
 * advance (see "Transactions" above).
 * @param delivered receives how many notices were delivered (may be NULL).
 * @param scheduler the scheduler.
 * @param now       deliver what is due at or before this instant.
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_EABORTED or the callback's code when
 *         it stopped; SVCQ_ERANGE; SVCQ_ENOMEM. On failure the notices
 *         delivered before it stay delivered and the next advance delivers
 *         the rest.
 * @since 0.1; the count first (output first) since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_scheduler_advance(uint64_t *delivered, svcq_sla_scheduler *scheduler,
                                                       svcq_time now);

/**
 * @brief The earliest instant at which any held clock has a notice due.
 * @param out receives it, or SVCQ_SLA_NEVER.
 * @return SVCQ_OK; SVCQ_EINVAL.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_scheduler_next_at(svcq_time *out,
                                                       const svcq_sla_scheduler *scheduler);

/**
 * @brief Stores every clock of the scheduler changed since it was last
 *        saved or loaded, in one store transaction (or the open batch).
 *
 * The scheduler lists the clocks changed since they were stored, so a save
 * costs what changed, not what the scheduler holds (inside a host batch,
 * saved clocks stay listed until a save outside any batch, since the batch
 * may still roll back).
 *
 * Saving after svcq_sla_scheduler_advance() records what was delivered:
 * a scheduler loaded from it later does not deliver those notices again.
 * Until that save, they are delivered again after a restart (delivery is
 * at least once; the notice's key is in svcq_sla_notice).
 *
 * **One clock does not block the others.** A clock the store refuses by
 * compare-and-swap (another server saved it since this one loaded or saved
 * it: SVCQ_ECONFLICT), or that cannot become a record (SVCQ_ELIMIT), is
 * skipped and the others are written in the same transaction, which then
 * commits: the call returns SVCQ_OK, @p failed counts the skipped clocks,
 * svcq_sla_scheduler_failed() names them, and the context message names
 * the first. A skipped clock keeps its changes and conflicts again at the
 * next save until the host resolves it, e.g. by loading the stored clock
 * (svcq_sla_clock_load()), feeding it this clock's events (duplicates are
 * ignored, so this merges both histories), freeing this one and adding the
 * loaded one. Any other failure (memory, the store's I/O) fails the whole
 * call: nothing is stored and no clock changes.
 * @param failed    receives how many clocks were skipped (required: a host
 *                  must look at it).
 * @param scheduler the scheduler.
 * @return SVCQ_OK (also when clocks were skipped); SVCQ_EINVAL for NULL;
 *         SVCQ_ENOMEM; a storage error. On failure nothing is stored, no
 *         clock changes and the list of the previous save stays.
 * @since 0.1; @p failed and per-clock failures since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_scheduler_save(uint64_t *failed, svcq_sla_scheduler *scheduler);

/**
 * @brief A clock the last svcq_sla_scheduler_save() skipped.
 * @param clock  receives the clock (owned by the scheduler); may be NULL.
 * @param code   receives why: SVCQ_ECONFLICT or SVCQ_ELIMIT; may be NULL.
 * @param scheduler the scheduler.
 * @param index  0 to the @p failed count of the last save - 1. A clock
 *               freed since leaves the list (the indexes after it move).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p scheduler; SVCQ_ENOTFOUND for
 *         an index past the end.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_scheduler_failed(svcq_sla_clock **clock, int32_t *code,
                                                      const svcq_sla_scheduler *scheduler, uint64_t index);

/**
 * @brief Loads every stored clock that is still live into the scheduler
 *        (only its partition's when one is set: svcq_sla_scheduler_set_partition()).
 *
 * Live: some target is pending, running or paused, or a notice is still
 * to be delivered. Finished clocks (every target met or cancelled and
 * every notice delivered) stay in the store and are not read: a host
 * that must feed such a clock a late event loads it with
 * svcq_sla_clock_load() and adds it. The clocks are read in the order of
 * their next notice through the index terms each clock record declares
 * (`state`, `next_notice`: docs/storage.md), so a store that keeps terms
 * (version 2 of the storage contract) is asked only for the live clocks;
 * with any other store every record is read and filtered in memory.
 *
 * Every clock is checked against the policies given as
 * svcq_sla_clock_load() does, with the same @p flags (with
 * SVCQ_SLA_LOAD_REBASE only the live clocks are re-timed).
 * @param policies  the policy versions the clocks may use, all of the
 *                  scheduler's context.
 * @param flags     0, SVCQ_SLA_LOAD_REBASE, SVCQ_SLA_LOAD_FULL_SCAN, or both.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, unknown flags or a policy of
 *         another context; SVCQ_EEXIST when the scheduler holds one of
 *         the clocks already; SVCQ_ENOTFOUND when a record names a policy
 *         version not given; SVCQ_ECONFLICT when a policy given differs
 *         from the one a clock was saved under; SVCQ_ECORRUPT;
 *         SVCQ_EVERSION; SVCQ_ENOMEM; a storage error. All or nothing: on
 *         failure no clock was added.
 * @since 0.1; @p flags since 0.2; only live clocks, by their next notice,
 *        since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_scheduler_load(svcq_sla_scheduler *scheduler,
                                                    svcq_sla_policy *const *policies, size_t npolicies,
                                                    uint32_t flags);

/**
 * @brief Restricts the scheduler to one partition of the subjects, so that
 *        several application servers share one store, each delivering the
 *        notices of its own clocks only.
 *
 * Subject s belongs to partition FNV-1a-64(bytes of s) mod @p count
 * (svcq_sla_subject_partition()): a stable function of the subject alone,
 * the same on every server, platform and version. Once set,
 * svcq_sla_scheduler_load() keeps the stored clocks of this partition only
 * (the others are left to their servers), and svcq_sla_scheduler_add()
 * refuses a clock of another partition. Schedulers set to partitions 0 to
 * count - 1 of the same count, over one store, together hold every clock
 * once, so together they deliver every notice once. Route a ticket's events
 * to the server of its partition.
 * @param scheduler the scheduler, still empty.
 * @param index     this scheduler's partition, 0 to @p count - 1.
 * @param count     the number of partitions (servers), at least 1; 1 means
 *                  every subject (the default).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p scheduler, @p count 0 or
 *         @p index >= @p count; SVCQ_ESTATE when the scheduler holds
 *         clocks already (set the partition first).
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_scheduler_set_partition(svcq_sla_scheduler *scheduler, uint32_t index,
                                                             uint32_t count);

/**
 * @brief The partition of a subject among @p count (see
 *        svcq_sla_scheduler_set_partition()): FNV-1a 64 of the subject's
 *        bytes (offset basis 0xcbf29ce484222325, prime 0x100000001b3)
 *        modulo @p count.
 * @param out     receives the partition, 0 to @p count - 1.
 * @param subject the subject (NUL-terminated bytes).
 * @param count   the number of partitions, at least 1.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p out or @p subject, or @p count 0.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_subject_partition(uint32_t *out, const char *subject, uint32_t count);

/**
 * @brief Creates an empty replay that runs recorded event logs through
 *        @p policy ("what if tier 2 had had a 45-minute response target?").
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ENOMEM.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_replay_new(svcq_sla_replay **out, svcq_sla_policy *policy);

/**
 * @brief Frees a replay.
 * @return NULL is a no-op.
 * @since 0.1
 */
SVCQ_API void svcq_sla_replay_free(svcq_sla_replay *replay);

/**
 * @brief Replays the event log of @p clock (recorded under any policy)
 *        through the replay's policy, as of @p until, and adds the outcome
 *        to the totals. Events the replay's policy does not use are skipped.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or a clock of another context
 *         (refused before anything of it is read); SVCQ_ENOMEM; SVCQ_ERANGE.
 *         On failure the totals are unchanged.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_replay_add_clock(svcq_sla_replay *replay, const svcq_sla_clock *clock,
                                                      svcq_time until);

/**
 * @brief Totals of target @p index over every clock added so far.
 * @param met      cycles met on time.
 * @param breached cycles breached (met late or still late at @p until).
 * @param open     cycles running or paused, not yet late, at @p until.
 * Any output may be NULL.
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ENOTFOUND for an index out of range.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_sla_replay_totals(uint64_t *met, uint64_t *breached, uint64_t *open,
                                                   const svcq_sla_replay *replay, uint32_t index);

/**
 * @brief Number of clocks added to the replay.
 * @return Number of clocks added to the replay.
 * @since 0.1
 */
SVCQ_API uint64_t svcq_sla_replay_subjects(const svcq_sla_replay *replay);

#ifdef __cplusplus
}
#endif

#endif
