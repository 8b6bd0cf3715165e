/**
 * @file svcq/incident.h
 * @brief Quality incidents: the seven-stage corrective loop, guarded,
 *        measured, audited, one store transaction per call.
 *
 * An **incident** is a lifecycle record (kind "incident", the host's id,
 * schema "svcq.incident/1", docs/format.md). It moves through the stages of
 * docs/incidents.md:
 *
 * | from \ to  | confirmed | rejected | analysing | planning | executing | verifying | closed | cancelled |
 * |------------|-----------|----------|-----------|----------|-----------|-----------|--------|-----------|
 * | reported   | confirm   | reject   |           |          |           |           |        | cancel    |
 * | confirmed  |           |          | move      |          |           |           |        | cancel    |
 * | analysing  |           |          |           | move     |           |           |        | cancel    |
 * | planning   |           |          |           |          | move      |           |        | cancel    |
 * | executing  |           |          |           |          |           | move      |        | cancel    |
 * | verifying  |           |          | verify ✗  |          |           |           | move   | cancel    |
 * | closed     |           |          | reopen    |          |           |           |        |           |
 *
 * "confirm" is svcq_incident_confirm(), "reject" svcq_incident_reject(),
 * "verify ✗" svcq_incident_verify() with a verdict of not effective (the
 * loop count goes up), "reopen" svcq_incident_link_recurrence() on a closed
 * incident within the reopen period, "move" and "cancel"
 * svcq_incident_transition(). Rejected and cancelled are final.
 * svcq_incident_transition_allowed() gives the same table at run time.
 *
 * ### Guards
 * Every move checks what the stage needs and refuses with SVCQ_ESTATE and
 * a message naming what is missing ("incident INC-7: cannot leave planning:
 * root cause a1:c3 has no measure"):
 * - confirm: the judgement is "real", a known responsibility category, a
 *   responsible unit, a confirmation group with every required role
 *   (svcq_incident_options.group_roles), and for `human_error` both tracks
 *   of the double-track assessment (person and process);
 * - leaving analysing: an attached analysis with at least one root cause
 *   (a confirmed node with evidence, svcq/analysis.h);
 * - leaving planning: every root cause of the attached analyses addressed
 *   by a measure ("<analysis id>:<node id>") and every measure complete
 *   (kind, what, root cause, owner, deadline, indicator name and unit,
 *   target, direction, feasibility, expected effect, approver);
 * - leaving executing: every measure done, or cancelled with a reason;
 * - svcq_incident_verify(): the observation window has ended;
 * - closing: the last verification was effective and at least one
 *   improvement entry exists.
 *
 * ### One call, one transaction
 * Every mutating call runs in one store transaction (or the host's batch):
 * it writes the incident under compare-and-swap on the revision the handle
 * holds, appends its audit entries and saves the analysis it touches. When
 * anything fails (SVCQ_ECONFLICT: another writer went first) the handle and
 * the store are exactly as before; reload with svcq_incident_load() and
 * retry.
 *
 * ### Audit trail
 * Each change appends one entry (kind "incident_audit", id "<incident
 * id>/<seq as 10 digits>", written once and never rewritten): sequence,
 * time (svcq_ctx_now()), actor, role, action, before, after, the previous
 * entry's hash and its own SHA-256 hash over a canonical byte string
 * (docs/format.md). The incident keeps the count and the head hash;
 * svcq_incident_audit_verify() detects an edited, removed, inserted or
 * reordered entry.
 *
 * ### Vocabularies
 * Types, service stages, channels, responsibility categories, measure
 * kinds, attachment kinds and improvement kinds are string keys
 * (`[a-z0-9_]`, 1 to 64 bytes). The built-ins are the SVCQ_INCIDENT_*
 * key macros below; a host adds its own per context with
 * svcq_incident_vocab_add(). An unknown key is refused with SVCQ_EINVAL
 * naming it and its vocabulary.
 *
 * ### Numbers
 * Indicator values and satisfaction scores are fixed-point thousandths in
 * int64_t (4.2 is 4200), as in svcq/scorecard.h.
 *
 * ### Ownership and threads
 * Strings are copied. Getters return pointers owned by the incident, valid
 * until it changes or is freed. An incident is used by one thread at a time.
 */
#ifndef SVCQ_INCIDENT_H
#define SVCQ_INCIDENT_H

#include "analysis.h"
#include "calendar.h"
#include "common.h"
#include "context.h"
#include "sla.h"
#include "writer.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque incident handle. */
typedef struct svcq_incident svcq_incident;

/** @name Built-in vocabulary keys
 * @{ */
#define SVCQ_INCIDENT_TYPE_SERVICE_DELAY "service_delay"                   /**< type: service delay */
#define SVCQ_INCIDENT_TYPE_QUALITY_BELOW_STANDARD "quality_below_standard" /**< type: quality below standard */
#define SVCQ_INCIDENT_TYPE_CUSTOMER_COMPLAINT "customer_complaint"         /**< type: customer complaint */
#define SVCQ_INCIDENT_TYPE_STAFF_ERROR "staff_error"                       /**< type: staff error */
#define SVCQ_INCIDENT_STAGE_RECEPTION "reception"                   /**< service stage: front-desk reception */
#define SVCQ_INCIDENT_STAGE_TECHNICAL_SUPPORT "technical_support"   /**< service stage: technical support */
#define SVCQ_INCIDENT_STAGE_AFTER_SALES "after_sales"               /**< service stage: after-sales */
#define SVCQ_INCIDENT_STAGE_COMPLAINT_HANDLING "complaint_handling" /**< service stage: complaint handling */
#define SVCQ_INCIDENT_CHANNEL_PHONE "phone"     /**< channel: phone */
#define SVCQ_INCIDENT_CHANNEL_EMAIL "email"     /**< channel: e-mail */
#define SVCQ_INCIDENT_CHANNEL_SYSTEM "system"   /**< channel: the dedicated system */
#define SVCQ_INCIDENT_CHANNEL_ON_SITE "on_site" /**< channel: on-site report */
#define SVCQ_INCIDENT_CHANNEL_WECHAT "wechat"   /**< channel: WeChat */
#define SVCQ_INCIDENT_CHANNEL_APP "app"         /**< channel: app */
#define SVCQ_INCIDENT_RESP_HUMAN_ERROR "human_error"             /**< responsibility: human error */
#define SVCQ_INCIDENT_RESP_EQUIPMENT_FAILURE "equipment_failure" /**< responsibility: equipment failure */
#define SVCQ_INCIDENT_RESP_PROCESS_GAP "process_gap"             /**< responsibility: process gap */
#define SVCQ_INCIDENT_RESP_CUSTOMER_CAUSE "customer_cause"       /**< responsibility: customer cause */
#define SVCQ_INCIDENT_MEASURE_PROCESS_CHANGE "process_change"               /**< measure: process change */
#define SVCQ_INCIDENT_MEASURE_TRAINING "training"                           /**< measure: training */
#define SVCQ_INCIDENT_MEASURE_EQUIPMENT_MAINTENANCE "equipment_maintenance" /**< measure: equipment maintenance */
#define SVCQ_INCIDENT_MEASURE_POLICY_CHANGE "policy_change"                 /**< measure: policy change */
/** @} */

/** Most bytes of a vocabulary key. */
#define SVCQ_INCIDENT_MAX_KEY 64
/** Longest text (observation, note, reason, ...), in bytes. */
#define SVCQ_INCIDENT_MAX_TEXT 4096
/** Most measures, attachments, ledger entries, ... of one kind on an incident. */
#define SVCQ_INCIDENT_MAX_ITEMS 256
/** Flag for svcq_incident_export_json(): indented output. */
#define SVCQ_INCIDENT_JSON_PRETTY 0x1u

/** States of an incident. */
typedef enum svcq_incident_state {
    SVCQ_INCIDENT_REPORTED = 1,  /**< stage 1: reported, awaiting confirmation */
    SVCQ_INCIDENT_CONFIRMED = 2, /**< stage 2: confirmed and classified */
    SVCQ_INCIDENT_REJECTED = 3,  /**< judged not real (final) */
    SVCQ_INCIDENT_ANALYSING = 4, /**< stage 3: cause analysis */
    SVCQ_INCIDENT_PLANNING = 5,  /**< stage 4: planning measures */
    SVCQ_INCIDENT_EXECUTING = 6, /**< stage 5: measures carried out */
    SVCQ_INCIDENT_VERIFYING = 7, /**< stage 6: the effect is verified */
    SVCQ_INCIDENT_CLOSED = 8,    /**< stage 7 done: improved and archived */
    SVCQ_INCIDENT_CANCELLED = 9  /**< cancelled with a reason (final) */
} svcq_incident_state;

/** States of a measure. */
typedef enum svcq_incident_measure_state {
    SVCQ_INCIDENT_MEASURE_PLANNED = 1,     /**< added, not started */
    SVCQ_INCIDENT_MEASURE_IN_PROGRESS = 2, /**< a progress entry was recorded */
    SVCQ_INCIDENT_MEASURE_DONE = 3,        /**< carried out */
    SVCQ_INCIDENT_MEASURE_CANCELLED = 4    /**< dropped, with a reason */
} svcq_incident_measure_state;

/** The vocabularies of svcq_incident_vocab_add(). */
typedef enum svcq_incident_vocab {
    SVCQ_INCIDENT_VOCAB_TYPE = 1,           /**< incident types */
    SVCQ_INCIDENT_VOCAB_STAGE = 2,          /**< service stages */
    SVCQ_INCIDENT_VOCAB_CHANNEL = 3,        /**< report channels */
    SVCQ_INCIDENT_VOCAB_RESPONSIBILITY = 4, /**< responsibility categories */
    SVCQ_INCIDENT_VOCAB_MEASURE_KIND = 5,   /**< measure kinds */
    SVCQ_INCIDENT_VOCAB_ATTACHMENT = 6,     /**< attachment kinds (photo, video, document, system_log, other) */
    SVCQ_INCIDENT_VOCAB_IMPROVEMENT = 7     /**< improvement kinds (operating_manual, training_content, form,
                                                 procedure, archive) */
} svcq_incident_vocab;

/** Kinds of tracking-ledger entries. */
typedef enum svcq_incident_ledger_kind {
    SVCQ_INCIDENT_LEDGER_PROGRESS = 1,  /**< progress: percent done and a note */
    SVCQ_INCIDENT_LEDGER_DEVIATION = 2, /**< a deviation: what and why */
    SVCQ_INCIDENT_LEDGER_ADJUSTMENT = 3 /**< a new deadline or owner, with reason and approver */
} svcq_incident_ledger_kind;

/** Direction of an indicator. */
typedef enum svcq_incident_direction {
    SVCQ_INCIDENT_HIGHER_IS_BETTER = 1, /**< the target is reached at or above it */
    SVCQ_INCIDENT_LOWER_IS_BETTER = 2   /**< the target is reached at or below it */
} svcq_incident_direction;

/** Verdict of a verification. */
typedef enum svcq_incident_verdict {
    SVCQ_INCIDENT_EFFECTIVE = 1,    /**< every indicator reached its target and recurrence is within the threshold */
    SVCQ_INCIDENT_NOT_EFFECTIVE = 2 /**< back to analysis */
} svcq_incident_verdict;

/** Formats of svcq_incident_audit_export(). */
typedef enum svcq_incident_trail_format {
    SVCQ_INCIDENT_TRAIL_MARKDOWN = 1, /**< a Markdown table, local times */
    SVCQ_INCIDENT_TRAIL_JSON = 2      /**< a JSON array of the entries */
} svcq_incident_trail_format;

/**
 * @brief The lowercase label of a svcq_incident_state ("reported", ...).
 * @param state a state value.
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_incident_state_name(int32_t state);
/**
 * @brief The lowercase label of a svcq_incident_measure_state.
 * @param state a measure state value.
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_incident_measure_state_name(int32_t state);
/**
 * @brief The lowercase label of a svcq_incident_vocab ("type", "stage",
 *        "channel", "responsibility", "measure_kind", "attachment",
 *        "improvement").
 * @param vocab a vocabulary value.
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_incident_vocab_name(int32_t vocab);
/**
 * @brief The lowercase label of a svcq_incident_ledger_kind.
 * @param kind a ledger kind value.
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_incident_ledger_kind_name(int32_t kind);
/**
 * @brief The lowercase label of a svcq_incident_direction.
 * @param direction a direction value.
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_incident_direction_name(int32_t direction);
/**
 * @brief The lowercase label of a svcq_incident_verdict.
 * @param verdict a verdict value.
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_incident_verdict_name(int32_t verdict);
/**
 * @brief The lowercase label of a svcq_incident_trail_format.
 * @param format a format value.
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_incident_trail_format_name(int32_t format);
/**
 * @brief Whether the lifecycle allows a move (the table of the file
 *        comment), whatever the guards say.
 * @param from a state. @param to a state.
 * @return 1 when allowed, 0 when not or for unknown states.
 * @since 0.2
 */
SVCQ_API int32_t svcq_incident_transition_allowed(int32_t from, int32_t to);

/* ---- vocabularies ---------------------------------------------------------- */

/**
 * @brief Adds a key to a vocabulary of the context (after the built-ins).
 * @param ctx   the context.
 * @param vocab a svcq_incident_vocab value.
 * @param key   `[a-z0-9_]`, 1 to SVCQ_INCIDENT_MAX_KEY bytes, not yet in the vocabulary.
 * @param label what people read, UTF-8, 1 to 255 bytes.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, an unknown vocabulary, a bad key
 *         or label; SVCQ_EEXIST for a key already present; SVCQ_ELIMIT
 *         beyond SVCQ_INCIDENT_MAX_ITEMS keys; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_vocab_add(svcq_ctx *ctx, int32_t vocab, const char *key,
                                                    const char *label);
/**
 * @brief The number of keys of a vocabulary (built-ins first).
 * @param ctx the context. @param vocab a svcq_incident_vocab value.
 * @return the count; 0 for NULL or an unknown vocabulary.
 * @since 0.2
 */
SVCQ_API size_t svcq_incident_vocab_count(const svcq_ctx *ctx, int32_t vocab);
/**
 * @brief Key @p i of a vocabulary.
 * @param ctx the context. @param vocab a svcq_incident_vocab value. @param i 0-based.
 * @return a string valid until the context is freed; NULL past the end.
 * @since 0.2
 */
SVCQ_API const char *svcq_incident_vocab_key(const svcq_ctx *ctx, int32_t vocab, size_t i);
/**
 * @brief The label of a key.
 * @param ctx the context. @param vocab a svcq_incident_vocab value. @param key the key.
 * @return a string valid until the context is freed; NULL for an unknown key.
 * @since 0.2
 */
SVCQ_API const char *svcq_incident_vocab_label(const svcq_ctx *ctx, int32_t vocab, const char *key);

/* ---- options ------------------------------------------------------------------ */

/** The options version this header describes. Version history: 1 (0.2). */
#define SVCQ_INCIDENT_OPTIONS_VERSION 1

/** Per-context settings of the incident process (svcq_incident_configure()). */
typedef struct svcq_incident_options {
    uint32_t version;           /**< SVCQ_INCIDENT_OPTIONS_VERSION */
    uint32_t window_days;       /**< observation window after measures are done, in days (default 30) */
    svcq_calendar *calendar;    /**< borrowed, must outlive the context's use: the window counts its
                                     business days; NULL counts calendar days */
    uint32_t max_recurrences;   /**< effective only when similar incidents in the window are at most this (default 0) */
    uint32_t reserved0;         /**< must be zero */
    int64_t reopen_period;      /**< seconds after closing in which a linked recurrence reopens (default 90 days) */
    const char *group_roles;    /**< roles the confirmation group needs, comma-separated keys; NULL:
                                     "service_supervisor,quality_staff" */
    uint64_t reserved[4];       /**< must be zero */
} svcq_incident_options;

/** Static initialiser equal to svcq_incident_options_init(&o, SVCQ_INCIDENT_OPTIONS_VERSION). */
#define SVCQ_INCIDENT_OPTIONS_INIT { SVCQ_INCIDENT_OPTIONS_VERSION, 0, NULL, 0, 0, 0, NULL, { 0 } }

/**
 * @brief Fills @p opts with zeroes (every default) for @p version.
 * @param opts the table. @param version SVCQ_INCIDENT_OPTIONS_VERSION.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown version.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_options_init(svcq_incident_options *opts, uint32_t version);
/**
 * @brief Sets the context's incident options (zero fields take the defaults).
 * @param ctx the context. @param opts the options (copied; the calendar is borrowed).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, non-zero reserved fields, a
 *         negative period or a bad role list; SVCQ_EVERSION; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_configure(svcq_ctx *ctx, const svcq_incident_options *opts);

/* ---- stage 1: report ------------------------------------------------------------- */

/** The report-spec version this header describes. Version history: 1 (0.2). */
#define SVCQ_INCIDENT_REPORT_SPEC_VERSION 1

/** What svcq_incident_report() records. Strings are copied; NULL or "" is "none". */
typedef struct svcq_incident_report_spec {
    uint32_t version;             /**< SVCQ_INCIDENT_REPORT_SPEC_VERSION */
    uint32_t reserved0;           /**< must be zero */
    const char *type;             /**< required: a key of SVCQ_INCIDENT_VOCAB_TYPE */
    const char *stage;            /**< required: a key of SVCQ_INCIDENT_VOCAB_STAGE */
    const char *channel;          /**< required: a key of SVCQ_INCIDENT_VOCAB_CHANNEL */
    svcq_time occurred_at;        /**< when it happened; 0: the report time */
    const char *location;         /**< where */
    const char *observed;         /**< required: what was observed */
    const char *impact;           /**< the scope of impact */
    const char *reporter_name;    /**< required */
    const char *reporter_contact; /**< optional */
    const char *reporter_role;    /**< optional */
    const char *client;           /**< the client id (so the tier applies) */
    const char *ticket;           /**< the host's ticket id */
    const char *containment;      /**< the immediate containment action (ISO 9001 §10.2.1 a) */
    const char *touchpoint;       /**< the key of a service-blueprint step */
    uint64_t reserved[4];         /**< must be zero */
} svcq_incident_report_spec;

/** Static initialiser equal to svcq_incident_report_spec_init(&s, SVCQ_INCIDENT_REPORT_SPEC_VERSION). */
#define SVCQ_INCIDENT_REPORT_SPEC_INIT { SVCQ_INCIDENT_REPORT_SPEC_VERSION, 0, NULL, NULL, NULL, 0, NULL, NULL, \
                                         NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, { 0 } }

/**
 * @brief Fills @p spec with an empty report of spec version @p version.
 * @param spec the table. @param version SVCQ_INCIDENT_REPORT_SPEC_VERSION.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown version.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_report_spec_init(svcq_incident_report_spec *spec, uint32_t version);

/**
 * @brief Reports an incident: creates it in state REPORTED and stores it
 *        (create-only) with its first audit entry, in one transaction.
 * @param out   receives the incident (caller-owned, svcq_incident_free()); NULL on failure.
 * @param ctx   the context.
 * @param id    the incident id, also its record id (store id syntax, no '/').
 * @param spec  what was reported.
 * @param actor who reports (name, 1 to 255 bytes). @param role the actor's role.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments, a bad id, an unknown
 *         vocabulary key or a missing required field (the message names
 *         it); SVCQ_EVERSION; SVCQ_ELIMIT for a text too long;
 *         SVCQ_ECONFLICT when the id exists; SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_report(svcq_incident **out, svcq_ctx *ctx, const char *id,
                                                 const svcq_incident_report_spec *spec, const char *actor,
                                                 const char *role);
/**
 * @brief Loads a stored incident.
 * @param out receives the incident (caller-owned); NULL on failure.
 * @param ctx the context. @param id the incident id.
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ENOTFOUND; SVCQ_ECORRUPT for a damaged
 *         record; SVCQ_EVERSION for a newer format; SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_load(svcq_incident **out, svcq_ctx *ctx, const char *id);
/**
 * @brief Frees an incident; NULL is a no-op.
 * @param inc the incident.
 * @since 0.2
 */
SVCQ_API void svcq_incident_free(svcq_incident *inc);
/**
 * @brief Adds an attachment reference (any open state).
 * @param inc the incident. @param actor who. @param role the actor's role.
 * @param kind a key of SVCQ_INCIDENT_VOCAB_ATTACHMENT.
 * @param uri where it is (required). @param note optional.
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ESTATE when the incident is final;
 *         SVCQ_ELIMIT; SVCQ_ECONFLICT; SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_add_attachment(svcq_incident *inc, const char *actor, const char *role,
                                                         const char *kind, const char *uri, const char *note);

/* ---- stage 2: confirm ------------------------------------------------------------- */

/**
 * @brief Adds a member to the confirmation group (state REPORTED).
 * @param inc the incident. @param actor who. @param role the actor's role.
 * @param name the member's name. @param member_role the member's role key
 *        (for instance "service_supervisor" or "quality_staff").
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ESTATE outside REPORTED; SVCQ_ELIMIT;
 *         SVCQ_ECONFLICT; SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_add_confirmer(svcq_incident *inc, const char *actor, const char *role,
                                                        const char *name, const char *member_role);

/** The confirmation version this header describes. Version history: 1 (0.2). */
#define SVCQ_INCIDENT_CONFIRMATION_VERSION 1

/** The first judgement and the classification (svcq_incident_confirm()). */
typedef struct svcq_incident_confirmation {
    uint32_t version;                 /**< SVCQ_INCIDENT_CONFIRMATION_VERSION */
    int32_t real;                     /**< the first judgement: non-zero when the incident is real */
    const char *category;             /**< a key of SVCQ_INCIDENT_VOCAB_RESPONSIBILITY */
    const char *responsible_unit;     /**< required */
    const char *responsible_person;   /**< optional */
    const char *person_assessment;    /**< double track, required for human_error: the person */
    const char *process_assessment;   /**< double track, required for human_error: the process */
    const char *note;                 /**< optional */
    uint64_t reserved[4];             /**< must be zero */
} svcq_incident_confirmation;

/** Static initialiser equal to svcq_incident_confirmation_init(&c, SVCQ_INCIDENT_CONFIRMATION_VERSION). */
#define SVCQ_INCIDENT_CONFIRMATION_INIT { SVCQ_INCIDENT_CONFIRMATION_VERSION, 0, NULL, NULL, NULL, NULL, NULL, \
                                          NULL, { 0 } }

/**
 * @brief Fills @p c with an empty confirmation of version @p version.
 * @param c the table. @param version SVCQ_INCIDENT_CONFIRMATION_VERSION.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_confirmation_init(svcq_incident_confirmation *c, uint32_t version);
/**
 * @brief Confirms the incident: REPORTED → CONFIRMED (guards: file comment).
 * @param inc the incident. @param actor who judged. @param role the actor's role.
 * @param c the judgement and classification.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, an unknown key or non-zero
 *         reserved fields; SVCQ_EVERSION; SVCQ_ESTATE when a guard refuses
 *         (not real: use svcq_incident_reject()); SVCQ_ECONFLICT;
 *         SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_confirm(svcq_incident *inc, const char *actor, const char *role,
                                                  const svcq_incident_confirmation *c);
/**
 * @brief Rejects the incident as not real: REPORTED → REJECTED.
 * @param inc the incident. @param actor who. @param role the actor's role.
 * @param reason why (required).
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ESTATE outside REPORTED;
 *         SVCQ_ECONFLICT; SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_reject(svcq_incident *inc, const char *actor, const char *role,
                                                 const char *reason);

/* ---- stage 3: analyse ----------------------------------------------------------- */

/**
 * @brief Links an analysis (states CONFIRMED and ANALYSING): the analysis
 *        is linked to the incident (svcq_analysis_set_incident()) and saved
 *        in the same transaction.
 * @param inc the incident. @param actor who. @param role the actor's role.
 * @param a an analysis of the same context; its edits are saved too.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or an analysis of another context;
 *         SVCQ_EEXIST when already attached; SVCQ_ESTATE in another state;
 *         SVCQ_ECONFLICT (the incident or the analysis); SVCQ_ENOMEM; a
 *         storage error. On failure the incident, the analysis and the
 *         store are unchanged.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_attach_analysis(svcq_incident *inc, const char *actor,
                                                          const char *role, svcq_analysis *a);

/* ---- stage 4: plan -------------------------------------------------------------- */

/** The measure-spec version this header describes. Version history: 1 (0.2). */
#define SVCQ_INCIDENT_MEASURE_SPEC_VERSION 1

/** One corrective measure (svcq_incident_add_measure()). Only kind and what
 *  are needed to add it; leaving PLANNING needs every field but the note. */
typedef struct svcq_incident_measure_spec {
    uint32_t version;              /**< SVCQ_INCIDENT_MEASURE_SPEC_VERSION */
    int32_t direction;             /**< svcq_incident_direction of the indicator */
    const char *kind;              /**< a key of SVCQ_INCIDENT_VOCAB_MEASURE_KIND */
    const char *what;              /**< what is done */
    const char *root_cause;        /**< "<analysis id>:<node id>" of an attached analysis's root cause */
    const char *owner;             /**< who carries it out */
    svcq_time deadline;            /**< when it is due */
    const char *indicator;         /**< the indicator's name */
    const char *unit;              /**< the indicator's unit */
    int64_t baseline;              /**< the indicator before (thousandths) */
    int64_t target;                /**< the indicator to reach (thousandths) */
    const char *feasibility;       /**< the feasibility assessment */
    const char *expected_effect;   /**< the expected effect */
    const char *approved_by;       /**< who approved it */
    uint64_t reserved[4];          /**< must be zero */
} svcq_incident_measure_spec;

/** Static initialiser equal to svcq_incident_measure_spec_init(&s, SVCQ_INCIDENT_MEASURE_SPEC_VERSION). */
#define SVCQ_INCIDENT_MEASURE_SPEC_INIT { SVCQ_INCIDENT_MEASURE_SPEC_VERSION, 0, NULL, NULL, NULL, NULL, 0, NULL, \
                                          NULL, 0, 0, NULL, NULL, NULL, { 0 } }

/**
 * @brief Fills @p spec with an empty measure of version @p version.
 * @param spec the table. @param version SVCQ_INCIDENT_MEASURE_SPEC_VERSION.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_measure_spec_init(svcq_incident_measure_spec *spec, uint32_t version);
/**
 * @brief Adds a measure (state PLANNING), in state PLANNED, id "m1", "m2", ...
 * @param out_id receives the id (owned by @p inc); may be NULL.
 * @param inc the incident. @param actor who. @param role the actor's role.
 * @param spec the measure.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, an unknown kind or direction, a
 *         root cause not written "<analysis>:<node>" or of an analysis not
 *         attached; SVCQ_EVERSION; SVCQ_ESTATE outside PLANNING;
 *         SVCQ_ELIMIT; SVCQ_ECONFLICT; SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_add_measure(const char **out_id, svcq_incident *inc, const char *actor,
                                                      const char *role, const svcq_incident_measure_spec *spec);

/* ---- stage 5: execute ----------------------------------------------------------- */

/** The ledger-spec version this header describes. Version history: 1 (0.2). */
#define SVCQ_INCIDENT_LEDGER_SPEC_VERSION 1

/** One tracking-ledger entry (svcq_incident_ledger_add()). */
typedef struct svcq_incident_ledger_spec {
    uint32_t version;         /**< SVCQ_INCIDENT_LEDGER_SPEC_VERSION */
    int32_t kind;             /**< svcq_incident_ledger_kind */
    const char *measure;      /**< the measure id */
    int32_t percent;          /**< PROGRESS: percent done, 0 to 100 */
    uint32_t reserved0;       /**< must be zero */
    const char *note;         /**< PROGRESS: note; DEVIATION: what deviated (required) */
    const char *reason;       /**< DEVIATION and ADJUSTMENT: why (required) */
    svcq_time new_deadline;   /**< ADJUSTMENT: the new deadline, or 0 */
    const char *new_owner;    /**< ADJUSTMENT: the new owner, or NULL (one of the two is required) */
    const char *approver;     /**< ADJUSTMENT: who approved it (required) */
    uint64_t reserved[4];     /**< must be zero */
} svcq_incident_ledger_spec;

/** Static initialiser equal to svcq_incident_ledger_spec_init(&s, SVCQ_INCIDENT_LEDGER_SPEC_VERSION). */
#define SVCQ_INCIDENT_LEDGER_SPEC_INIT { SVCQ_INCIDENT_LEDGER_SPEC_VERSION, 0, NULL, 0, 0, NULL, NULL, 0, NULL, \
                                         NULL, { 0 } }

/**
 * @brief Fills @p spec with an empty entry of version @p version.
 * @param spec the table. @param version SVCQ_INCIDENT_LEDGER_SPEC_VERSION.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_ledger_spec_init(svcq_incident_ledger_spec *spec, uint32_t version);
/**
 * @brief Records a ledger entry (state EXECUTING) on a measure that is
 *        planned or in progress. A progress entry moves a planned measure to
 *        in progress; an adjustment changes its deadline or owner.
 * @param inc the incident. @param actor who. @param role the actor's role.
 * @param spec the entry.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, an unknown kind, a missing field
 *         or a percent out of range; SVCQ_ENOTFOUND for an unknown measure;
 *         SVCQ_EVERSION; SVCQ_ESTATE outside EXECUTING or for a measure
 *         done or cancelled; SVCQ_ELIMIT; SVCQ_ECONFLICT; SVCQ_ENOMEM; a
 *         storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_ledger_add(svcq_incident *inc, const char *actor, const char *role,
                                                     const svcq_incident_ledger_spec *spec);
/**
 * @brief Marks a measure done or cancelled (state EXECUTING; cancelling is
 *        also allowed in PLANNING).
 * @param inc the incident. @param actor who. @param role the actor's role.
 * @param measure the measure id.
 * @param state SVCQ_INCIDENT_MEASURE_DONE or SVCQ_INCIDENT_MEASURE_CANCELLED.
 * @param reason required for CANCELLED, optional note for DONE.
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ENOTFOUND; SVCQ_ESTATE in another
 *         incident state or when the measure is already done or cancelled;
 *         SVCQ_ECONFLICT; SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_set_measure_state(svcq_incident *inc, const char *actor,
                                                            const char *role, const char *measure, int32_t state,
                                                            const char *reason);

/* ---- stage 6: verify ------------------------------------------------------------ */

/**
 * @brief Records an indicator's measured value (state VERIFYING).
 * @param inc the incident. @param actor who. @param role the actor's role.
 * @param measure the measure id. @param value the measured value (thousandths).
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ENOTFOUND; SVCQ_ESTATE outside
 *         VERIFYING or for a cancelled measure; SVCQ_ECONFLICT;
 *         SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_record_indicator(svcq_incident *inc, const char *actor,
                                                           const char *role, const char *measure,
                                                           int64_t value);
/**
 * @brief Computes the verdict now, without changing anything: every
 *        measure not cancelled has a measured indicator that reached its
 *        target, and the similar incidents reported in the observation
 *        window are at most the threshold.
 * @param verdict receives a svcq_incident_verdict.
 * @param recurrences receives the similar incidents in the window; may be NULL.
 * @param inc the incident (state VERIFYING).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ESTATE outside VERIFYING;
 *         SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_evaluate(int32_t *verdict, uint32_t *recurrences, svcq_incident *inc);
/**
 * @brief Verifies the effect (state VERIFYING, after the observation window):
 *        records satisfaction before and after, the indicators, the
 *        recurrences and the computed verdict, confirmed by @p actor. Not
 *        effective: back to ANALYSING, the loop count goes up.
 * @param out_verdict receives the verdict; may be NULL.
 * @param inc the incident. @param actor who confirms. @param role the actor's role.
 * @param csat_before satisfaction before (thousandths). @param csat_after after.
 * @param note optional.
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ESTATE outside VERIFYING or before the
 *         window ends (the message gives the end); SVCQ_ECONFLICT;
 *         SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_verify(int32_t *out_verdict, svcq_incident *inc, const char *actor,
                                                 const char *role, int64_t csat_before, int64_t csat_after,
                                                 const char *note);
/**
 * @brief When the observation window of the current verification ends.
 * @param inc the incident.
 * @return the instant; 0 outside VERIFYING or for NULL.
 * @since 0.2
 */
SVCQ_API svcq_time svcq_incident_window_end(const svcq_incident *inc);

/* ---- stage 7: improve and close ----------------------------------------------------- */

/**
 * @brief Adds an improvement entry (states VERIFYING and CLOSED): what was
 *        updated, as a reference.
 * @param inc the incident. @param actor who. @param role the actor's role.
 * @param kind a key of SVCQ_INCIDENT_VOCAB_IMPROVEMENT.
 * @param reference the updated document (required). @param note optional.
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ESTATE in another state; SVCQ_ELIMIT;
 *         SVCQ_ECONFLICT; SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_add_improvement(svcq_incident *inc, const char *actor,
                                                          const char *role, const char *kind,
                                                          const char *reference, const char *note);
/**
 * @brief Sets the lessons learned (any state but final ones).
 * @param inc the incident. @param actor who. @param role the actor's role.
 * @param lessons the text.
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ESTATE; SVCQ_ECONFLICT; SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_set_lessons(svcq_incident *inc, const char *actor, const char *role,
                                                      const char *lessons);

/* ---- moves ------------------------------------------------------------------------ */

/**
 * @brief Moves the incident along the table ("move" and "cancel"), after
 *        the guard of the stage it leaves.
 * @param inc the incident. @param actor who. @param role the actor's role.
 * @param to the new state: ANALYSING (from CONFIRMED), PLANNING, EXECUTING,
 *        VERIFYING, CLOSED, or CANCELLED (from any open state).
 * @param note optional; for CANCELLED the reason (required).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or a move made by another call
 *         (confirm, reject, verify, reopen); SVCQ_ESTATE for a move the
 *         table forbids or a guard refusal; SVCQ_ECONFLICT; SVCQ_ENOMEM; a
 *         storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_transition(svcq_incident *inc, const char *actor, const char *role,
                                                     int32_t to, const char *note);
/**
 * @brief Links another incident as a recurrence of this one. A closed
 *        incident within the reopen period reopens to ANALYSING (loop + 1).
 * @param inc the incident. @param actor who. @param role the actor's role.
 * @param other the id of the recurring incident (must exist).
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ENOTFOUND for an unknown incident;
 *         SVCQ_EEXIST when already linked; SVCQ_ESTATE when final (rejected,
 *         cancelled); SVCQ_ECONFLICT; SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_link_recurrence(svcq_incident *inc, const char *actor,
                                                          const char *role, const char *other);
/**
 * @brief Sets the host's similarity key (NULL or "" for the default: type,
 *        service stage and responsibility category).
 * @param inc the incident. @param actor who. @param role the actor's role.
 * @param key 1 to 255 bytes of UTF-8, or NULL.
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ECONFLICT; SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_set_similarity_key(svcq_incident *inc, const char *actor,
                                                             const char *role, const char *key);

/* ---- getters ----------------------------------------------------------------------- */

/** @brief The incident id. @param inc the incident. @return owned by @p inc; NULL for NULL. @since 0.2 */
SVCQ_API const char *svcq_incident_id(const svcq_incident *inc);
/** @brief The store revision the handle holds. @param inc the incident. @return the revision; 0 for NULL. @since 0.2 */
SVCQ_API uint64_t svcq_incident_revision(const svcq_incident *inc);
/** @brief The state. @param inc the incident. @return a svcq_incident_state; 0 for NULL. @since 0.2 */
SVCQ_API int32_t svcq_incident_state_of(const svcq_incident *inc);
/** @brief Times verification sent the incident back to analysis or it reopened.
 *  @param inc the incident. @return the count; 0 for NULL. @since 0.2 */
SVCQ_API uint32_t svcq_incident_loop_count(const svcq_incident *inc);
/** @brief The type key. @param inc the incident. @return owned by @p inc; NULL for NULL. @since 0.2 */
SVCQ_API const char *svcq_incident_type(const svcq_incident *inc);
/** @brief The service stage key. @param inc the incident. @return owned by @p inc; NULL for NULL. @since 0.2 */
SVCQ_API const char *svcq_incident_stage(const svcq_incident *inc);
/** @brief The responsibility category. @param inc the incident.
 *  @return owned by @p inc; NULL before confirmation. @since 0.2 */
SVCQ_API const char *svcq_incident_category(const svcq_incident *inc);
/** @brief The client id. @param inc the incident. @return owned by @p inc; NULL when none. @since 0.2 */
SVCQ_API const char *svcq_incident_client(const svcq_incident *inc);
/** @brief The blueprint touchpoint key. @param inc the incident. @return owned by @p inc; NULL when none. @since 0.2 */
SVCQ_API const char *svcq_incident_touchpoint(const svcq_incident *inc);
/** @brief The location. @param inc the incident. @return owned by @p inc; NULL when none. @since 0.2 */
SVCQ_API const char *svcq_incident_location(const svcq_incident *inc);
/** @brief When it was reported. @param inc the incident. @return the instant; 0 for NULL. @since 0.2 */
SVCQ_API svcq_time svcq_incident_reported_at(const svcq_incident *inc);
/**
 * @brief The similarity key: the host's, or "type|stage|category".
 * @param inc the incident.
 * @return owned by @p inc, valid until it changes; NULL for NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_incident_similarity_key(const svcq_incident *inc);
/** @brief Number of audit entries. @param inc the incident. @return the count; 0 for NULL. @since 0.2 */
SVCQ_API uint64_t svcq_incident_audit_count(const svcq_incident *inc);
/** @brief Hex SHA-256 of the last audit entry. @param inc the incident.
 *  @return owned by @p inc; NULL for NULL. @since 0.2 */
SVCQ_API const char *svcq_incident_audit_head(const svcq_incident *inc);
/** @brief Number of attached analyses. @param inc the incident. @return the count. @since 0.2 */
SVCQ_API size_t svcq_incident_analysis_count(const svcq_incident *inc);
/** @brief Attached analysis @p i. @param inc the incident. @param i 0-based.
 *  @return its id, owned by @p inc; NULL past the end. @since 0.2 */
SVCQ_API const char *svcq_incident_analysis_at(const svcq_incident *inc, size_t i);
/** @brief Number of measures. @param inc the incident. @return the count. @since 0.2 */
SVCQ_API size_t svcq_incident_measure_count(const svcq_incident *inc);
/** @brief Measure @p i. @param inc the incident. @param i 0-based.
 *  @return its id, owned by @p inc; NULL past the end. @since 0.2 */
SVCQ_API const char *svcq_incident_measure_at(const svcq_incident *inc, size_t i);
/** @brief A measure's state. @param inc the incident. @param measure the id.
 *  @return a svcq_incident_measure_state; 0 for an unknown measure. @since 0.2 */
SVCQ_API int32_t svcq_incident_measure_state_of(const svcq_incident *inc, const char *measure);
/**
 * @brief Whether a measure is overdue: neither done nor cancelled, and its
 *        deadline is before svcq_ctx_now().
 * @param inc the incident. @param measure the id.
 * @return 1 overdue, 0 not, -1 for an unknown measure.
 * @since 0.2
 */
SVCQ_API int32_t svcq_incident_measure_overdue(const svcq_incident *inc, const char *measure);
/** @brief The verdict of the last verification. @param inc the incident.
 *  @return a svcq_incident_verdict; 0 when none. @since 0.2 */
SVCQ_API int32_t svcq_incident_last_verdict(const svcq_incident *inc);

/**
 * @brief Writes the incident as its JSON record (schema "svcq.incident/1").
 * @param inc the incident. @param writer where the text goes.
 * @param flags 0 or SVCQ_INCIDENT_JSON_PRETTY.
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ENOMEM; the writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_export_json(const svcq_incident *inc, const svcq_writer *writer,
                                                      uint32_t flags);

/* ---- archive ----------------------------------------------------------------------- */

/** Visitor of incident ids: non-zero stops the walk (returned as the rule of svcq/common.h says). */
typedef int (*svcq_incident_visit_fn)(const char *incident_id, void *user_data);
/** Visitor of overdue measures: non-zero stops the walk. */
typedef int (*svcq_incident_overdue_fn)(const char *incident_id, const char *measure_id, svcq_time deadline,
                                        void *user_data);

/** The query version this header describes. Version history: 1 (0.2). */
#define SVCQ_INCIDENT_QUERY_VERSION 1

/** Filters of svcq_incident_list(); zero and NULL fields match everything. */
typedef struct svcq_incident_query {
    uint32_t version;       /**< SVCQ_INCIDENT_QUERY_VERSION */
    int32_t state;          /**< a svcq_incident_state, or 0 */
    const char *type;       /**< a type key, or NULL */
    const char *client;     /**< a client id, or NULL */
    const char *stage;      /**< a service stage key, or NULL */
    svcq_time from;         /**< reported at or after, or 0 */
    svcq_time to;           /**< reported before, or 0 */
    uint64_t reserved[4];   /**< must be zero */
} svcq_incident_query;

/** Static initialiser equal to svcq_incident_query_init(&q, SVCQ_INCIDENT_QUERY_VERSION). */
#define SVCQ_INCIDENT_QUERY_INIT { SVCQ_INCIDENT_QUERY_VERSION, 0, NULL, NULL, NULL, 0, 0, { 0 } }

/**
 * @brief Fills @p q with an empty query of version @p version.
 * @param q the table. @param version SVCQ_INCIDENT_QUERY_VERSION.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_query_init(svcq_incident_query *q, uint32_t version);
/**
 * @brief Visits the stored incidents matching a query, in id order.
 * @param ctx the context. @param q the filters. @param visit the visitor.
 * @param user_data passed to @p visit.
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_EVERSION; SVCQ_ECORRUPT for a damaged
 *         record; SVCQ_ENOMEM; a storage error; the visitor's value.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_list(svcq_ctx *ctx, const svcq_incident_query *q,
                                               svcq_incident_visit_fn visit, void *user_data);
/**
 * @brief Visits every overdue measure of every open incident (deadline
 *        before @p at), in incident id order.
 * @param ctx the context. @param at the instant. @param visit the visitor.
 * @param user_data passed to @p visit.
 * @return as svcq_incident_list().
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_list_overdue(svcq_ctx *ctx, svcq_time at, svcq_incident_overdue_fn visit,
                                                       void *user_data);
/**
 * @brief Visits the stored incidents similar to @p inc (same similarity
 *        key, itself excluded), in id order, at any stage (ISO 9001
 *        §10.2.1 b).
 * @param inc the incident. @param visit the visitor. @param user_data passed to @p visit.
 * @return as svcq_incident_list().
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_similar(const svcq_incident *inc, svcq_incident_visit_fn visit,
                                                  void *user_data);

/* ---- audit trail ------------------------------------------------------------------- */

/**
 * @brief Reads the audit entries of a stored incident back and checks the
 *        chain: sequence, previous hash, own hash, and the incident's count
 *        and head hash.
 * @param entries receives the number of entries checked; may be NULL.
 * @param ctx the context. @param id the incident id.
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ENOTFOUND for an unknown incident;
 *         SVCQ_ECORRUPT with a message naming the first bad entry (edited,
 *         removed, inserted or reordered); SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_audit_verify(uint64_t *entries, svcq_ctx *ctx, const char *id);
/**
 * @brief Writes the audit trail of a stored incident (the chain is verified first).
 * @param ctx the context. @param id the incident id. @param writer where the text goes.
 * @param format a svcq_incident_trail_format.
 * @param tz the zone of the Markdown times; NULL for UTC (JSON is always UTC seconds).
 * @return as svcq_incident_audit_verify(); SVCQ_EINVAL for an unknown
 *         format; the writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_audit_export(svcq_ctx *ctx, const char *id, const svcq_writer *writer,
                                                       int32_t format, const svcq_tz *tz);

/* ==== the incident in the service loop (issue 12) ==================================== */

/**
 * @name The incident's own SLA
 *
 * svcq_incident_sla_enable() makes every incident of the context drive an
 * SLA clock of the built-in quality-process policy SVCQ_INCIDENT_SLA_POLICY
 * ("quality.incident"), held by the host's scheduler and saved in the same
 * store transaction as the incident (one call, one transaction: when the
 * call fails the clock, the scheduler and the store are as before). Each
 * lifecycle event reaches the clock at svcq_ctx_now() under its own name
 * ("reported", "confirmed", "rejected", "analysis_done", "plan_approved",
 * "execution_started", "measures_done", "verified", "closed",
 * "cancelled"), plus three derived events: "verification_done" after
 * "verified" and "verification_failed", "loop_back" after
 * "verification_failed" and "reopened", and "incident_ended" (the policy's
 * close event) after "closed", "rejected" and "cancelled". Events the
 * policy does not use are not fed.
 *
 * The policy's targets, in business days of the calendar given (the same
 * wall-clock time on the Nth following business day, svcq/sla.h), each
 * warning at 50 % and 80 % and escalating at 150 % and 200 %:
 *
 * | metric  | starts at           | met by              | restarts at      | default |
 * |---------|---------------------|---------------------|------------------|---------|
 * | confirm | reported            | confirmed (stopped by rejected) |      | 1 |
 * | analyse | confirmed           | analysis_done       | loop_back        | 3 |
 * | plan    | analysis_done       | plan_approved       | analysis_done    | 2 |
 * | execute | plan_approved       | measures_done       | plan_approved    | none: each measure has its deadline |
 * | verify  | measures_done       | verification_done   | measures_done    | 25 (covers the 30-day observation window) |
 * | close   | verified            | closed              | verified         | 5 |
 *
 * For incidents of type customer_complaint with a client, the host's
 * svcq_incident_tier_policy_fn gives the client's tier policy, and a second
 * clock (the incident id under that policy's name) is fed the tier events
 * on the same instants: reported → request_received; confirmed →
 * first_contact, reply_committed; analysis_done → solution_drafted;
 * plan_approved → solution_presented, solution_confirmed; execution_started
 * → execution_started; measures_done → service_completed; verified →
 * acceptance_invited, result_reported; closed, rejected, cancelled →
 * closed (each only when the policy uses it).
 * @{ */

/** Name of the built-in quality-process policy. */
#define SVCQ_INCIDENT_SLA_POLICY "quality.incident"
/** A duration of svcq_incident_sla_options meaning "tracked without deadline". */
#define SVCQ_INCIDENT_SLA_NO_DEADLINE UINT32_MAX
/** The options version this header describes. Version history: 1 (0.2). */
#define SVCQ_INCIDENT_SLA_OPTIONS_VERSION 1

/**
 * Gives the tier policy of a client (customer-complaint incidents).
 * @param policy receives the policy (borrowed: it must stay alive while the
 *        incident SLA is enabled), or NULL for none.
 * @param client the incident's client id.
 * @param user_data as given in the options.
 * @return 0, or a negative SVCQ_E* code that fails the incident call.
 */
typedef int (*svcq_incident_tier_policy_fn)(svcq_sla_policy **policy, const char *client, void *user_data);

/** Settings of svcq_incident_sla_enable(). Zero durations take the defaults. */
typedef struct svcq_incident_sla_options {
    uint32_t version;                 /**< SVCQ_INCIDENT_SLA_OPTIONS_VERSION */
    uint32_t policy_version;          /**< version of the quality policy; 0: 1 (make a new one when durations change) */
    svcq_sla_scheduler *scheduler;    /**< required, borrowed: the clocks are added to it */
    const svcq_calendar *calendar;    /**< copied into the policy; NULL: Monday to Friday 09:00–18:00 UTC */
    uint32_t confirm_days;            /**< business days from report to confirmation (default 1) */
    uint32_t analyse_days;            /**< from confirmation to analysis done (default 3) */
    uint32_t plan_days;               /**< from analysis done to plan approved (default 2) */
    uint32_t execute_days;            /**< from plan approved to measures done (default SVCQ_INCIDENT_SLA_NO_DEADLINE) */
    uint32_t verify_days;             /**< from measures done to the verification (default 25) */
    uint32_t close_days;              /**< from effective verification to closing (default 5) */
    svcq_incident_tier_policy_fn tier_policy; /**< optional: the client's tier policy */
    void *tier_policy_data;           /**< passed to tier_policy */
    uint64_t reserved[4];             /**< must be zero */
} svcq_incident_sla_options;

/** Static initialiser equal to svcq_incident_sla_options_init(&o, SVCQ_INCIDENT_SLA_OPTIONS_VERSION). */
#define SVCQ_INCIDENT_SLA_OPTIONS_INIT { SVCQ_INCIDENT_SLA_OPTIONS_VERSION, 0, NULL, NULL, 0, 0, 0, 0, 0, 0, NULL, \
                                         NULL, { 0 } }

/**
 * @brief Fills @p opts with zeroes (every default) for @p version.
 * @param opts the table. @param version SVCQ_INCIDENT_SLA_OPTIONS_VERSION.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown version.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_sla_options_init(svcq_incident_sla_options *opts, uint32_t version);
/**
 * @brief Builds the quality-process policy of the options (the table of
 *        this section), without enabling anything: hosts use it to load
 *        stored clocks (svcq_sla_scheduler_load()).
 * @param out receives the policy (caller-owned, svcq_sla_policy_free()); NULL on failure.
 * @param ctx the context. @param opts the options (the scheduler is not needed).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, non-zero reserved fields, a
 *         duration beyond 3,660 business days or a calendar that never
 *         opens; SVCQ_EVERSION; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_sla_policy_new(svcq_sla_policy **out, svcq_ctx *ctx,
                                                         const svcq_incident_sla_options *opts);
/**
 * @brief Makes every later incident call of the context drive the
 *        incident's clocks (see this section), or stops it (@p opts NULL).
 *
 * A clock the scheduler does not hold (a process restarted and loaded only
 * the live clocks) is loaded from the store under the quality policy (or
 * the tier policy) at the incident's next event, else created.
 * @param ctx the context. @param opts the options, or NULL to disable.
 * @return SVCQ_OK; SVCQ_EINVAL for a missing scheduler, a scheduler of
 *         another context, or what svcq_incident_sla_policy_new() refuses;
 *         SVCQ_EVERSION; SVCQ_ENOMEM. On failure the previous setting stays.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_sla_enable(svcq_ctx *ctx, const svcq_incident_sla_options *opts);
/**
 * @brief The quality policy in force.
 * @param ctx the context.
 * @return the policy, owned by the context (valid until the next
 *         svcq_incident_sla_enable() or the context is freed); NULL when
 *         disabled.
 * @since 0.2
 */
SVCQ_API svcq_sla_policy *svcq_incident_sla_policy(const svcq_ctx *ctx);
/** @} */

/**
 * @name Measure reminders
 *
 * With svcq_incident_sla_enable(), every measure also has a clock of the
 * built-in policy SVCQ_INCIDENT_MEASURE_POLICY ("quality.measure"), held
 * by the same scheduler, subject "<incident id>/<measure id>", fed and
 * saved in the incident call's transaction (undone with it). Its one
 * target, "deadline", takes its due from the measure's deadline
 * (SVCQ_SLA_UNIT_EVENT_DUE, svcq/sla.h "Carried dues") on the options'
 * calendar: warnings at 50 % and 80 % of the business time from the
 * clock's start to the deadline, the breach one second after the
 * deadline, escalations at 150 % and 200 %. Events, each at svcq_ctx_now():
 *
 * | what happens                                   | the measure's clock            |
 * |------------------------------------------------|--------------------------------|
 * | the plan is approved (planning → executing)    | "measure_started", due the deadline, for each planned or in-progress measure of the current loop |
 * | a ledger adjustment with a new deadline         | "deadline_moved": a new cycle from now, due the new deadline |
 * | the measure is done                             | "measure_done": met (late when after the deadline) |
 * | the measure is cancelled                        | "measure_cancelled": stopped   |
 * | the incident is cancelled                       | "incident_ended" (the close event) |
 *
 * A deadline already past when the clock starts or moves counts as due at
 * that instant: its warnings come at once, the breach and escalations one
 * second later. Measures are planned (and cancelled) only while planning,
 * before their clocks start; a loop back leaves the earlier loop's clocks
 * as they ended (every measure was done or cancelled before verifying),
 * and the next plan approval starts the new loop's. Each incident call
 * reconciles the clocks of the current loop's measures with their state
 * and deadline, so feeding is idempotent. Stored clocks load with the
 * policy of svcq_incident_measure_policy_new().
 *
 * svcq_incident_reminder_of() tells a host whom a notice of such a clock
 * is for: the measure's owner and, for warnings and the breach, the role
 * responsible for the execute stage in the responsibility matrix
 * ("measure_owner" by default); for escalations, the owner's superior
 * role: the role that approves the execute stage ("responsible_unit" by
 * default), else the one that approves the plan.
 * @{ */

/** Name of the built-in measure-deadline policy. */
#define SVCQ_INCIDENT_MEASURE_POLICY "quality.measure"

/**
 * @brief Builds the measure-deadline policy of the options (its calendar
 *        and policy_version; the durations are not used), without enabling
 *        anything: hosts use it to load stored clocks.
 * @param out receives the policy (caller-owned, svcq_sla_policy_free()); NULL on failure.
 * @param ctx the context. @param opts the options (the scheduler is not needed).
 * @return SVCQ_OK; as svcq_incident_sla_policy_new().
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_measure_policy_new(svcq_sla_policy **out, svcq_ctx *ctx,
                                                             const svcq_incident_sla_options *opts);
/**
 * @brief The measure-deadline policy in force.
 * @param ctx the context.
 * @return the policy, owned by the context (valid until the next
 *         svcq_incident_sla_enable() or the context is freed); NULL when
 *         disabled.
 * @since 0.2
 */
SVCQ_API svcq_sla_policy *svcq_incident_measure_policy(const svcq_ctx *ctx);

/** The reminder-table version this header describes. Version history: 1 (0.2). */
#define SVCQ_INCIDENT_REMINDER_VERSION 1

/** Whom a measure clock's notice is for (svcq_incident_reminder_of()). */
typedef struct svcq_incident_reminder {
    uint32_t version;        /**< set by the caller: SVCQ_INCIDENT_REMINDER_VERSION */
    int32_t kind;            /**< the notice's svcq_sla_notice_kind */
    const char *incident;    /**< the incident id */
    const char *measure;     /**< the measure id */
    const char *owner;       /**< the measure's owner now (after any adjustment) */
    const char *role;        /**< warning, breach: the role responsible at the execute stage; escalation:
                                  the owner's superior role (see this section); NULL when the matrix has
                                  none. Owned by the context's matrix: valid until it changes */
    svcq_time deadline;      /**< the measure's deadline now */
    svcq_time at;            /**< when the notice fell due */
    int32_t level;           /**< the notice's level */
    int32_t measure_state;   /**< svcq_incident_measure_state now */
    uint64_t reserved[4];
} svcq_incident_reminder;

/** Static initialiser equal to svcq_incident_reminder_init(&r, SVCQ_INCIDENT_REMINDER_VERSION). */
#define SVCQ_INCIDENT_REMINDER_INIT { SVCQ_INCIDENT_REMINDER_VERSION, 0, NULL, NULL, NULL, NULL, 0, 0, 0, 0, { 0 } }

/**
 * @brief Prepares an empty reminder table of version @p version.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown version.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_reminder_init(svcq_incident_reminder *reminder, uint32_t version);

/**
 * @brief Maps a notice of a measure clock to its incident, measure, owner
 *        and the role to notify (see this section). May be called from a
 *        scheduler's callback.
 * @param out    a table whose version the caller set; its strings are owned
 *               by *@p inc (the role by the context's matrix).
 * @param inc    receives the incident, loaded from the store (caller-owned,
 *               svcq_incident_free()); NULL on failure.
 * @param ctx    the context whose store holds the incident.
 * @param notice the notice, as delivered.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or a notice of an unknown version;
 *         SVCQ_EVERSION for an unknown table version; SVCQ_ENOTFOUND for a
 *         notice of another policy, a subject that is not
 *         "<incident id>/<measure id>", or an incident or measure that does
 *         not exist; what svcq_incident_load() returns.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_reminder_of(svcq_incident_reminder *out, svcq_incident **inc,
                                                      svcq_ctx *ctx, const svcq_sla_notice *notice);
/** @} */

/**
 * @name Breach → corrective action
 *
 * A breach rule names a policy (and optionally one target). Given a breach
 * notice of any clock — an incident's, a host ticket's — that a rule
 * matches, svcq_incident_breach_open() reports an incident of type
 * service_delay, channel "system", linked to the breached subject (as its
 * ticket), policy and target, with the subject's client and tier from the
 * host's lookup. Its id is the rule's prefix and the first 24 hex digits
 * of the SHA-256 of the notice's idempotency key
 * "<subject>\n<policy>\n<metric>\n<cycle>\n<level>"; the key is stored with
 * the incident in the same transaction as a record (kind
 * "incident_breach", id the 64-hex digest, docs/format.md), so a notice
 * delivered again — after a restart, by another server — never opens a
 * second incident.
 * @{ */

/** The rule version this header describes. Version history: 1 (0.2). */
#define SVCQ_INCIDENT_BREACH_RULE_VERSION 1

/** One breach rule (svcq_incident_breach_rule_add()). */
typedef struct svcq_incident_breach_rule {
    uint32_t version;       /**< SVCQ_INCIDENT_BREACH_RULE_VERSION */
    uint32_t reserved0;     /**< must be zero */
    const char *policy;     /**< required: the policy name ("tier.1", "quality.incident", ...) */
    const char *metric;     /**< the target's metric, or NULL for every target */
    const char *stage;      /**< service stage of the new incident; NULL: "technical_support" */
    const char *id_prefix;  /**< prefix of the new incident's id, 1 to 32 bytes; NULL: "SD-" */
    uint64_t reserved[4];   /**< must be zero */
} svcq_incident_breach_rule;

/** Static initialiser equal to svcq_incident_breach_rule_init(&r, SVCQ_INCIDENT_BREACH_RULE_VERSION). */
#define SVCQ_INCIDENT_BREACH_RULE_INIT { SVCQ_INCIDENT_BREACH_RULE_VERSION, 0, NULL, NULL, NULL, NULL, { 0 } }

/** What svcq_incident_breach_open() did. */
typedef enum svcq_incident_breach_outcome {
    SVCQ_INCIDENT_BREACH_IGNORED = 1,  /**< not a breach, or no rule matches */
    SVCQ_INCIDENT_BREACH_OPENED = 2,   /**< an incident was reported */
    SVCQ_INCIDENT_BREACH_DUPLICATE = 3 /**< the notice's key has opened one already */
} svcq_incident_breach_outcome;

/**
 * @brief The lowercase label of a svcq_incident_breach_outcome ("ignored",
 *        "opened", "duplicate").
 * @param outcome an outcome value.
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_incident_breach_outcome_name(int32_t outcome);

/**
 * Gives the client and tier of a subject (a ticket id or an incident id).
 * @param client receives the client id (borrowed for the call) or NULL.
 * @param tier receives a svcq_tier_level, or -1 when unknown.
 * @param subject the breached clock's subject. @param user_data as registered.
 * @return 0, or a negative SVCQ_E* code that fails svcq_incident_breach_open().
 */
typedef int (*svcq_incident_subject_fn)(const char **client, int32_t *tier, const char *subject, void *user_data);

/**
 * @brief Fills @p rule with an empty rule of version @p version.
 * @param rule the table. @param version SVCQ_INCIDENT_BREACH_RULE_VERSION.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_breach_rule_init(svcq_incident_breach_rule *rule, uint32_t version);
/**
 * @brief Adds a breach rule to the context (copied).
 * @param ctx the context. @param rule the rule.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, a missing policy, an unknown stage
 *         key, a bad prefix or non-zero reserved fields; SVCQ_EEXIST for a
 *         rule of the same policy and metric; SVCQ_EVERSION; SVCQ_ELIMIT
 *         beyond 64 rules; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_breach_rule_add(svcq_ctx *ctx, const svcq_incident_breach_rule *rule);
/**
 * @brief Sets the lookup of a subject's client and tier (NULL removes it:
 *        incidents are then opened without client and tier).
 * @param ctx the context. @param fn the lookup. @param user_data passed to @p fn.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p ctx; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_breach_set_lookup(svcq_ctx *ctx, svcq_incident_subject_fn fn,
                                                            void *user_data);
/**
 * @brief Turns a breach notice into a corrective action when a rule
 *        matches, at most once per notice key (see this section). May be
 *        called from a scheduler's callback.
 * @param out receives the new incident (caller-owned) when one was opened,
 *        else NULL; may be NULL.
 * @param outcome receives a svcq_incident_breach_outcome.
 * @param ctx the context the incident is made in.
 * @param notice the notice, as delivered.
 * @return SVCQ_OK (whatever the outcome); SVCQ_EINVAL for NULL or a notice
 *         of an unknown version; the lookup's error; what
 *         svcq_incident_report() returns; SVCQ_ENOMEM; a storage error.
 *         On failure nothing is stored and no clock changed.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_breach_open(svcq_incident **out, int32_t *outcome, svcq_ctx *ctx,
                                                      const svcq_sla_notice *notice);
/** @} */

/**
 * @name The responsibility matrix and the process flow chart
 *
 * The matrix gives each role a part in each of the seven stages, the
 * stages named by the state that holds them: SVCQ_INCIDENT_REPORTED
 * (identify and report), CONFIRMED (confirm responsibility), ANALYSING,
 * PLANNING, EXECUTING, VERIFYING, CLOSED (improve and close). The default
 * (docs/incidents.md) can be changed per context.
 * @{ */

/** A role's part in a stage. */
typedef enum svcq_incident_raci {
    SVCQ_INCIDENT_RACI_NONE = 0,        /**< no part */
    SVCQ_INCIDENT_RACI_RESPONSIBLE = 1, /**< does the work */
    SVCQ_INCIDENT_RACI_APPROVES = 2,    /**< approves it */
    SVCQ_INCIDENT_RACI_CONSULTED = 3,   /**< is consulted */
    SVCQ_INCIDENT_RACI_INFORMED = 4     /**< is informed */
} svcq_incident_raci;

/**
 * @brief The lowercase label of a svcq_incident_raci ("none",
 *        "responsible", "approves", "consulted", "informed").
 * @param raci a value.
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_incident_raci_name(int32_t raci);
/**
 * @brief Sets a role's part in a stage (a new role is appended; NONE
 *        removes the part, and a role left with no part is removed).
 * @param ctx the context. @param role `[a-z0-9_]`, 1 to 64 bytes.
 * @param stage a stage (see this section). @param raci a svcq_incident_raci.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, a bad role key, a state that is
 *         not a stage or an unknown part; SVCQ_ELIMIT beyond 32 roles; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_matrix_set(svcq_ctx *ctx, const char *role, int32_t stage, int32_t raci);
/**
 * @brief A role's part in a stage.
 * @param ctx the context. @param role the role. @param stage a stage.
 * @return a svcq_incident_raci; NONE for unknown roles or stages.
 * @since 0.2
 */
SVCQ_API int32_t svcq_incident_matrix_get(const svcq_ctx *ctx, const char *role, int32_t stage);
/**
 * @brief Puts the default matrix back.
 * @param ctx the context.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_matrix_reset(svcq_ctx *ctx);
/**
 * @brief Checks the matrix: every stage has exactly one responsible role,
 *        and the stages that need an approval (confirm, plan, verify,
 *        close) have a role that approves.
 * @param ctx the context.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ESTATE naming the first
 *         stage at fault ("responsibility matrix: stage planning has no
 *         responsible role").
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_matrix_check(svcq_ctx *ctx);
/**
 * @brief Writes the matrix as a Markdown table: one row per role, one
 *        column per stage, cells R, A, C, I or empty (after the check).
 * @param ctx the context. @param writer where the table goes.
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ESTATE as svcq_incident_matrix_check();
 *         SVCQ_ENOMEM; the writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_matrix_export_markdown(svcq_ctx *ctx, const svcq_writer *writer);
/**
 * @brief Writes the process flow chart as a Mermaid flowchart: the seven
 *        stages with their responsible role (from the matrix), the loop
 *        back from verification to analysis, the reopen of a closed
 *        incident, and the reject and cancel exits. With @p inc, the same
 *        chart with the stages it went through and the edges of its path
 *        marked "done", its current stage "current", and a title naming it
 *        and its loop count.
 * @param ctx the context (the matrix). @param inc an incident of @p ctx, or NULL.
 * @param writer where the chart goes.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or an incident of another context;
 *         SVCQ_ESTATE as svcq_incident_matrix_check(); SVCQ_ENOMEM; the
 *         writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_flow_mermaid(svcq_ctx *ctx, const svcq_incident *inc,
                                                       const svcq_writer *writer);
/** @} */

/**
 * @name The documents of the process: forms and the review pack
 *
 * svcq_incident_form_export() writes one of the four forms of the process
 * for an incident at any stage, so a host can print it for a meeting: the
 * anomaly report form (stage 1), the cause-analysis form (stages 2 and 3,
 * with the cause report of each attached analysis), the corrective-action
 * tracking form (the measures and the ledger) and the effect-verification
 * form. In Markdown a field not filled yet reads "(to be filled)"; in JSON
 * (schema "svcq.incident_form/<form name>/1", docs/format.md) it is null.
 * Times are written in the zone given (svcq_tz_format()), values in
 * thousandths as decimals.
 *
 * svcq_incident_mark_typical() marks an incident as a typical case for the
 * periodic review meeting (svcq_incident_unmark_typical() takes the mark
 * off); svcq_incident_review_pack() writes the typical
 * cases of a period with their cause, measures, verification and lessons.
 * @{
 */

/** The forms of svcq_incident_form_export(). */
typedef enum svcq_incident_form {
    SVCQ_INCIDENT_FORM_ANOMALY_REPORT = 1,      /**< stage 1: what was observed, where, by whom, containment */
    SVCQ_INCIDENT_FORM_CAUSE_ANALYSIS = 2,      /**< stages 2-3: confirmation, double track, cause reports */
    SVCQ_INCIDENT_FORM_CORRECTIVE_ACTION = 3,   /**< stages 4-5: the measures and the ledger (also CSV) */
    SVCQ_INCIDENT_FORM_EFFECT_VERIFICATION = 4  /**< stage 6: window, CSAT, indicators, recurrences, verdict */
} svcq_incident_form;

/** Output formats of svcq_incident_form_export(). */
typedef enum svcq_incident_form_format {
    SVCQ_INCIDENT_FORM_MARKDOWN = 1, /**< Markdown tables, "(to be filled)" for empty fields */
    SVCQ_INCIDENT_FORM_JSON = 2,     /**< indented JSON, null for empty fields */
    SVCQ_INCIDENT_FORM_CSV = 3       /**< RFC 4180 CSV; the corrective-action tracking form only */
} svcq_incident_form_format;

/**
 * @brief The name of a svcq_incident_form ("anomaly_report", "cause_analysis",
 *        "corrective_action", "effect_verification").
 * @param form a svcq_incident_form.
 * @return a static lowercase label, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_incident_form_name(int32_t form);
/**
 * @brief The name of a svcq_incident_form_format ("markdown", "json", "csv").
 * @param format a svcq_incident_form_format.
 * @return a static lowercase label, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_incident_form_format_name(int32_t format);
/**
 * @brief Writes a form of the incident, complete or in progress.
 * @param inc    the incident; not changed.
 * @param writer where the text goes (nothing is written when the call fails
 *               before its end; the text is sent in one piece).
 * @param form   a svcq_incident_form.
 * @param format a svcq_incident_form_format (CSV for the corrective-action
 *               tracking form only).
 * @param tz     the zone of the times shown; NULL for UTC.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p inc or @p writer, an unknown form
 *         or format, CSV for another form; SVCQ_ENOMEM; for the
 *         cause-analysis form the errors of svcq_analysis_load() (an
 *         attached analysis missing from the store is SVCQ_ENOTFOUND); the
 *         writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_form_export(const svcq_incident *inc, const svcq_writer *writer,
                                                      int32_t form, int32_t format, const svcq_tz *tz);
/**
 * @brief Marks the incident as a typical case for the periodic review, with
 *        a note saying why (one transaction, audited as "marked_typical").
 * @param inc the incident. @param actor who marks it. @param role their role.
 * @param note why it is typical (required, up to SVCQ_INCIDENT_MAX_TEXT bytes).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p inc, a missing or invalid note,
 *         actor or role; SVCQ_ELIMIT for a note too long; SVCQ_ESTATE for a
 *         rejected or cancelled incident; SVCQ_EEXIST when it is marked
 *         already; SVCQ_ECONFLICT when the stored incident changed;
 *         SVCQ_ENOMEM; a storage error. On failure nothing changed.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_mark_typical(svcq_incident *inc, const char *actor, const char *role,
                                                       const char *note);
/**
 * @brief Takes the typical-case mark off the incident, with a reason (one
 *        transaction, audited as "unmarked_typical" with the note taken
 *        away and the reason). To change a note, unmark and mark again.
 * @param inc the incident. @param actor who unmarks it. @param role their role.
 * @param reason why it is no longer a typical case (required, up to
 *               SVCQ_INCIDENT_MAX_TEXT bytes).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p inc, a missing or invalid
 *         reason, actor or role; SVCQ_ELIMIT for a reason too long;
 *         SVCQ_ESTATE when it is not marked; SVCQ_ECONFLICT when the stored
 *         incident changed; SVCQ_ENOMEM; a storage error. On failure nothing
 *         changed.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_unmark_typical(svcq_incident *inc, const char *actor, const char *role,
                                                         const char *reason);
/**
 * @brief The note of a typical case.
 * @param inc the incident.
 * @return the note (owned by the handle, valid until its next change), or
 *         NULL when the incident is not marked typical or @p inc is NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_incident_typical_note(const svcq_incident *inc);
/**
 * @brief Writes the review pack of a period in Markdown: every stored
 *        incident marked typical and reported in [@p from, @p to), in id
 *        order, with its note, cause (root causes of its analyses),
 *        measures, last verification and lessons learned.
 * @param ctx the context. @param writer where the text goes (in one piece).
 * @param from start of the period. @param to end of the period (exclusive).
 * @param tz the zone of the times shown; NULL for UTC.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p ctx or @p writer or @p to not
 *         after @p from; SVCQ_ECORRUPT for a bad stored incident; SVCQ_ENOMEM;
 *         a storage error; the writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_incident_review_pack(svcq_ctx *ctx, const svcq_writer *writer, svcq_time from,
                                                      svcq_time to, const svcq_tz *tz);
/** @} */

#ifdef __cplusplus
}
#endif

#endif
