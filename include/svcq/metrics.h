/**
 * @file svcq/metrics.h
 * @brief Service facts, KPIs with exact definitions, incremental rollups,
 *        the weekly report, evaluation cycles and risk points.
 *
 * ## The model
 *
 * - A **metrics set** (svcq_metrics) holds the service facts of one
 *   context and their **rollups**. Its options say the time zone of the
 *   periods, the business calendar of business time, the FCR definition,
 *   the attribution (cohort or throughput), the targets, which periods
 *   are offered and which dimensions are rolled up.
 * - A **fact** (svcq_metrics_fact) is one request or ticket: id, client,
 *   tier, channel, category, agent, location, service stage, received,
 *   first reply, resolved, closed, reopened, contacts, replies, CSAT, the
 *   complaint flag and category, the repeat flag, measures and every SLA
 *   target's outcome. svcq_metrics_fact_put() adds it or replaces the fact
 *   with the same id: the rollups subtract the old fact's contribution and
 *   add the new one. Strings are copied.
 * - A **rollup** is keyed by (period kind, period start, dimension kind,
 *   dimension value) and holds integer sums that make every KPI exact:
 *   counts, sums and, for the median and 90th percentile of response
 *   time, the exact multiset of response seconds (calendar and business).
 *   Reports read rollups, never raw facts; a rollup equals the one a full
 *   recomputation from the current facts would build (the property test
 *   checks it byte for byte). Puts keep day rollups only; a week, month,
 *   quarter, half-year or year rollup is derived from its days when read.
 * - **Periods** are day, ISO week (Monday to Sunday, week 53 included),
 *   month, quarter, half-year and year, as local dates in the set's time
 *   zone: a period runs from the first instant of its first local day to
 *   the first instant of the next period's, so a DST week is 167 or 169
 *   hours long.
 * - **Attribution.** COHORT places everything a fact contributes in the
 *   period of its receipt. THROUGHPUT places what happens at resolution
 *   (resolved, CSAT, FCR, measures) in the period of its resolution (an
 *   unresolved fact has none) and the rest (raised, response, complaints,
 *   clients, repeats, SLA outcomes) in the period of its receipt; the
 *   resolution rate may then exceed 100 %.
 * - **Values** are int64_t thousandths (SVCQ_METRICS_SCALE): a rate of
 *   82.5 % is 82500, a mean CSAT of 4.25 is 4250, a response time of
 *   30 minutes is 1800000 (thousandths of a second). Every value comes
 *   with its integer numerator and denominator; divisions round half away
 *   from zero. docs/metrics.md has every KPI's exact definition.
 * - **Storage.** With SVCQ_METRICS_PERSIST a put stores the fact (kind
 *   `metrics_fact`, id "<set name>/<fact id>") and every day rollup it
 *   touched (kind `metrics_rollup`) in one store transaction (or the open
 *   batch); when the transaction fails the set is exactly as before.
 *
 * ## Ownership and threads
 * Everything made from one context is used by one thread at a time. The
 * set copies the calendar and the zone it is given. Borrowed strings in
 * tables are read during the call only.
 */
#ifndef SVCQ_METRICS_H
#define SVCQ_METRICS_H

#include "calendar.h"
#include "common.h"
#include "context.h"
#include "incident.h"
#include "tier.h"
#include "writer.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque metrics set. */
typedef struct svcq_metrics svcq_metrics;

/** Fixed point of every value: thousandths. */
#define SVCQ_METRICS_SCALE 1000
/** "No such instant" in a fact's optional times. */
#define SVCQ_METRICS_NO_TIME INT64_MIN
/** Most SLA outcomes of one fact. */
#define SVCQ_METRICS_MAX_SLA 32
/** Longest string of a fact (bytes). */
#define SVCQ_METRICS_MAX_STRING 256
/** Most weeks of a trend. */
#define SVCQ_METRICS_MAX_TREND 104
/** Most reporters in a report request. */
#define SVCQ_METRICS_MAX_REPORTERS 1000

/** Period kinds. */
typedef enum svcq_metrics_period {
    SVCQ_METRICS_DAY = 1,     /**< a local day */
    SVCQ_METRICS_WEEK = 2,    /**< an ISO week, Monday to Sunday */
    SVCQ_METRICS_MONTH = 3,   /**< a calendar month */
    SVCQ_METRICS_QUARTER = 4, /**< January–March, April–June, ... */
    SVCQ_METRICS_HALF = 5,    /**< January–June or July–December */
    SVCQ_METRICS_YEAR = 6     /**< a calendar year */
} svcq_metrics_period;

/** Dimension kinds of a rollup. */
typedef enum svcq_metrics_dim {
    SVCQ_METRICS_DIM_ALL = 0,       /**< every fact (value "") */
    SVCQ_METRICS_DIM_TIER = 1,      /**< the fact's tier */
    SVCQ_METRICS_DIM_CHANNEL = 2,   /**< the fact's channel */
    SVCQ_METRICS_DIM_CATEGORY = 3,  /**< the fact's category */
    SVCQ_METRICS_DIM_AGENT = 4,     /**< the fact's agent */
    SVCQ_METRICS_DIM_CLIENT = 5,    /**< the fact's client */
    SVCQ_METRICS_DIM_COMPLAINT = 6, /**< complaints only, by complaint category */
    SVCQ_METRICS_DIM_LOCATION = 7,  /**< the fact's location */
    SVCQ_METRICS_DIM_STAGE = 8      /**< the fact's service stage */
} svcq_metrics_dim;

/** First-contact resolution definitions (of a resolved fact). */
typedef enum svcq_metrics_fcr {
    SVCQ_METRICS_FCR_ONE_AGENT_REPLY = 1,   /**< at most one agent reply */
    SVCQ_METRICS_FCR_NO_CUSTOMER_REPLY = 2, /**< no customer reply after the first contact */
    SVCQ_METRICS_FCR_NO_REOPEN = 3,         /**< not reopened within N business days of resolution */
    SVCQ_METRICS_FCR_ONE_CONTACT = 4        /**< at most one contact until resolution */
} svcq_metrics_fcr;

/** Attribution of a fact to periods. */
typedef enum svcq_metrics_attribution {
    SVCQ_METRICS_COHORT = 1,    /**< everything in the period of receipt */
    SVCQ_METRICS_THROUGHPUT = 2 /**< resolution measures in the period of resolution */
} svcq_metrics_attribution;

/** Outcome of one SLA target of a fact. */
typedef enum svcq_metrics_sla_outcome {
    SVCQ_METRICS_SLA_PENDING = 0, /**< not decided yet (not counted) */
    SVCQ_METRICS_SLA_MET = 1,     /**< met */
    SVCQ_METRICS_SLA_BREACHED = 2 /**< breached */
} svcq_metrics_sla_outcome;

/** The KPIs. */
typedef enum svcq_metrics_kpi {
    SVCQ_METRICS_CSAT_SATISFIED = 1,      /**< ratings 4–5 / ratings, percent */
    SVCQ_METRICS_CSAT_MEAN = 2,           /**< mean rating, 1–5 */
    SVCQ_METRICS_FCR = 3,                 /**< first-contact resolutions / resolved, percent */
    SVCQ_METRICS_RESPONSE_MEAN = 4,       /**< mean calendar response time, seconds */
    SVCQ_METRICS_RESPONSE_MEDIAN = 5,     /**< median calendar response time, seconds */
    SVCQ_METRICS_RESPONSE_P90 = 6,        /**< 90th percentile calendar response time */
    SVCQ_METRICS_RESPONSE_BIZ_MEAN = 7,   /**< mean business response time, seconds */
    SVCQ_METRICS_RESPONSE_BIZ_MEDIAN = 8, /**< median business response time */
    SVCQ_METRICS_RESPONSE_BIZ_P90 = 9,    /**< 90th percentile business response time */
    SVCQ_METRICS_RESOLUTION_RATE = 10,    /**< resolved / raised, percent */
    SVCQ_METRICS_COMPLAINT_RATE = 11,     /**< complaints / clients served, percent */
    SVCQ_METRICS_RECURRENCE_RATE = 12,    /**< repeats / raised, percent */
    SVCQ_METRICS_SLA_COMPLIANCE = 13,     /**< SLA targets met / decided, percent */
    SVCQ_METRICS_MEASURES_ON_TIME = 14    /**< measures on time / due, percent */
} svcq_metrics_kpi;

/** Number of KPIs (they are numbered 1 to this). */
#define SVCQ_METRICS_KPI_COUNT 14

/** Output formats. */
typedef enum svcq_metrics_format {
    SVCQ_METRICS_MARKDOWN = 1,  /**< Markdown */
    SVCQ_METRICS_JSON = 2,      /**< JSON (pretty) */
    SVCQ_METRICS_CSV = 3,       /**< CSV, RFC 4180, with a header row */
    SVCQ_METRICS_SVG_TOP = 4,   /**< SVG bars: this week's top categories against last week's */
    SVCQ_METRICS_SVG_TREND = 5  /**< SVG line: a KPI over the last N weeks */
} svcq_metrics_format;

/** Import formats. */
typedef enum svcq_metrics_import_format {
    SVCQ_METRICS_IMPORT_JSONL = 1, /**< one JSON object per line */
    SVCQ_METRICS_IMPORT_CSV = 2    /**< CSV with a header row naming the fields */
} svcq_metrics_import_format;

/** A value against its target. */
typedef enum svcq_metrics_target_state {
    SVCQ_METRICS_TARGET_NONE = 0,    /**< no target set */
    SVCQ_METRICS_TARGET_MET = 1,     /**< met */
    SVCQ_METRICS_TARGET_MISSED = 2,  /**< missed */
    SVCQ_METRICS_TARGET_NO_DATA = 3  /**< a target but no data (denominator 0) */
} svcq_metrics_target_state;

/** Option flag: store facts and rollups in the context's store. */
#define SVCQ_METRICS_PERSIST 0x1u
/**
 * Option flag: count distinct clients (the complaint rate's denominator)
 * in the ALL and TIER rollups only; in the others the complaint rate is
 * not defined (denominator 0). The distinct-client table is about a third
 * of a put's memory traffic. @since 0.2
 */
#define SVCQ_METRICS_CLIENTS_ALL_TIER 0x2u

/** The options version this header describes. */
#define SVCQ_METRICS_OPTIONS_VERSION 1

/**
 * Options of svcq_metrics_new(). Initialise with svcq_metrics_options_init()
 * (the defaults: name "default", 7×24 business time in UTC, periods in
 * the calendar's zone, FCR one agent reply with 7 reopen days, cohort,
 * every period and dimension, targets FCR ≥ 80 % and mean calendar
 * response ≤ 30 min). Version history: 1 — the fields below (0.2).
 */
typedef struct svcq_metrics_options {
    uint32_t version;           /**< SVCQ_METRICS_OPTIONS_VERSION */
    uint32_t flags;             /**< SVCQ_METRICS_PERSIST, SVCQ_METRICS_CLIENTS_ALL_TIER, or 0 */
    const char *name;           /**< record-id prefix, 1–64 bytes without '/'; NULL: "default" */
    svcq_calendar *calendar;    /**< business calendar (copied); NULL: 7×24 in UTC */
    const svcq_tz *tz;          /**< zone of the periods (copied); NULL: the calendar's */
    int32_t fcr_definition;     /**< svcq_metrics_fcr */
    int32_t fcr_reopen_days;    /**< N of SVCQ_METRICS_FCR_NO_REOPEN, 0–365 */
    int32_t attribution;        /**< svcq_metrics_attribution */
    uint32_t periods;           /**< bit (1u << kind) per rolled-up period kind; 0: all */
    uint32_t dimensions;        /**< bit (1u << dim) per dimension; ALL is always on; 0: all */
    uint32_t target_mask;       /**< bit (1u << kpi) per KPI with a target */
    int64_t targets[16];        /**< target per KPI (index = kpi, 1 to SVCQ_METRICS_KPI_COUNT), thousandths; others zero */
    uint64_t reserved[8];       /**< must be zero */
} svcq_metrics_options;

/** Static initialiser equal to svcq_metrics_options_init(&o, SVCQ_METRICS_OPTIONS_VERSION). */
#define SVCQ_METRICS_OPTIONS_INIT { SVCQ_METRICS_OPTIONS_VERSION, 0, NULL, NULL, NULL, \
    SVCQ_METRICS_FCR_ONE_AGENT_REPLY, 7, SVCQ_METRICS_COHORT, 0, 0, \
    (1u << SVCQ_METRICS_FCR) | (1u << SVCQ_METRICS_RESPONSE_MEAN), { 0, 0, 0, 80000, 1800000 }, { 0 } }

/**
 * @brief Fills @p opts with the defaults of options version @p version.
 * @param opts    the table to fill.
 * @param version SVCQ_METRICS_OPTIONS_VERSION of the caller's header.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown version.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_metrics_options_init(svcq_metrics_options *opts, uint32_t version);

/** The fact version this header describes. */
#define SVCQ_METRICS_FACT_VERSION 1

/**
 * One service fact. Initialise with svcq_metrics_fact_init() (every time
 * SVCQ_METRICS_NO_TIME, every count 0, every string NULL). Strings are
 * borrowed during the call; NULL or "" means "none" (the fact is then in
 * no rollup of that dimension). Version history: 1 (0.2).
 */
typedef struct svcq_metrics_fact {
    uint32_t version;             /**< SVCQ_METRICS_FACT_VERSION */
    uint32_t reserved0;           /**< must be zero */
    const char *id;               /**< required: the request or ticket id */
    const char *client;           /**< the client */
    const char *tier;             /**< the client's tier, e.g. "tier.1" */
    const char *channel;          /**< the channel */
    const char *category;         /**< the category */
    const char *agent;            /**< the agent */
    const char *complaint_category; /**< a complaint's category; NULL: the category */
    const char *location;         /**< where the service took place */
    const char *stage;            /**< the service stage */
    svcq_time received;           /**< required */
    svcq_time first_reply;        /**< first contact with the client, or NO_TIME */
    svcq_time resolved;           /**< or NO_TIME */
    svcq_time closed;             /**< or NO_TIME */
    svcq_time reopened;           /**< first reopen after resolution, or NO_TIME */
    int32_t contacts;             /**< contacts until resolution, >= 0 */
    int32_t agent_replies;        /**< agent replies until resolution, >= 0 */
    int32_t customer_replies;     /**< customer replies after the first contact, >= 0 */
    int32_t csat;                 /**< 1–5, or 0 for unrated */
    int32_t complaint;            /**< 1 if the request is a complaint, else 0 */
    int32_t repeat;               /**< 1 if it repeats a similar earlier incident, else 0 */
    int32_t measures_due;         /**< corrective measures due, >= 0 */
    int32_t measures_on_time;     /**< of which done on time, 0..measures_due */
    const char *const *sla_targets; /**< SLA target names, sla_count entries, distinct (borrowed) */
    const int32_t *sla_outcomes;  /**< their svcq_metrics_sla_outcome, sla_count entries */
    uint32_t sla_count;           /**< 0 to SVCQ_METRICS_MAX_SLA */
    uint32_t reserved1;           /**< must be zero */
    uint64_t reserved[4];         /**< must be zero */
} svcq_metrics_fact;

/** Static initialiser equal to svcq_metrics_fact_init(&f, SVCQ_METRICS_FACT_VERSION). */
#define SVCQ_METRICS_FACT_INIT { SVCQ_METRICS_FACT_VERSION, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
    NULL, NULL, SVCQ_METRICS_NO_TIME, SVCQ_METRICS_NO_TIME, SVCQ_METRICS_NO_TIME, SVCQ_METRICS_NO_TIME, \
    SVCQ_METRICS_NO_TIME, 0, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, 0, 0, { 0 } }

/**
 * @brief Fills @p fact with an empty fact of version @p version.
 * @param fact    the table to fill.
 * @param version SVCQ_METRICS_FACT_VERSION of the caller's header.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown version.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_metrics_fact_init(svcq_metrics_fact *fact, uint32_t version);

/**
 * @brief Creates a metrics set.
 * @param out  receives the set (caller-owned, svcq_metrics_free()); NULL on failure.
 * @param ctx  the context.
 * @param opts options, or NULL for the defaults.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, a calendar or zone of another
 *         context, a bad name, unknown enum values or bits, non-zero
 *         reserved fields; SVCQ_EVERSION for an unknown options version;
 *         SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_metrics_new(svcq_metrics **out, svcq_ctx *ctx,
                                             const svcq_metrics_options *opts);

/**
 * @brief Reads a set stored with SVCQ_METRICS_PERSIST back from the
 *        context's store.
 *
 * Makes a set as svcq_metrics_new() does with @p opts (whose name selects
 * the records), puts every stored fact of the set again without storing
 * it, which rebuilds the rollups, and checks each stored rollup (kind
 * `metrics_rollup`) against the rebuilt one and takes its revision, so
 * reports are the ones the stored set gave and later puts (with
 * SVCQ_METRICS_PERSIST in @p opts) update the stored facts and rollups.
 * @param out  receives the set (caller-owned, svcq_metrics_free()); NULL on failure.
 * @param ctx  the context (its store: the host's, or its own memory store).
 * @param opts the options the set was stored with (period kinds,
 *             dimensions, attribution, FCR, calendar), or NULL for the
 *             defaults.
 * @return SVCQ_OK (a set with no stored record is empty); as
 *         svcq_metrics_new(); SVCQ_EINVAL also when the store holds
 *         rollups of a period or dimension the options do not roll up;
 *         SVCQ_ECORRUPT for a record that does not decode, a stored rollup
 *         that differs from the one its facts give, or one missing;
 *         store errors; SVCQ_ENOMEM. On failure nothing is made.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_metrics_load(svcq_metrics **out, svcq_ctx *ctx, const svcq_metrics_options *opts);

/**
 * @brief Frees a set; NULL is a no-op.
 * @param m the set.
 * @since 0.2
 */
SVCQ_API void svcq_metrics_free(svcq_metrics *m);

/**
 * @brief Adds a fact, or replaces the fact with the same id.
 *
 * The rollups lose the old fact's contribution and gain the new one's.
 * With SVCQ_METRICS_PERSIST the fact and every touched rollup are written
 * in one store transaction (or the open batch). Without it a new fact is
 * added to the rollups with others, in day order, before the next read
 * (or by a later put), which may then report SVCQ_ENOMEM. On failure the
 * set is as before the call.
 * @param m    the set.
 * @param fact the fact (read during the call).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, a missing id or received time,
 *         times out of order (first reply, resolution or reopen before
 *         receipt, a reopen before resolution), counts out of range, a CSAT
 *         outside 0–5, bad flags or strings, duplicate SLA targets, unknown
 *         outcomes, non-zero reserved fields; SVCQ_EVERSION for an unknown
 *         fact version; SVCQ_ERANGE for a time the calendar cannot handle;
 *         SVCQ_ENOMEM; store errors.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_metrics_fact_put(svcq_metrics *m, const svcq_metrics_fact *fact);

/**
 * @brief Puts the service fact of a stored incident (adds it, or replaces
 *        the fact with the incident's id).
 *
 * Read through the public incident API (getters, the incident's JSON, its
 * audit trail, svcq_incident_similar()): id, client, channel, category (the
 * incident type), service stage and location; received is the report
 * time; first reply the first judgement (confirmed or rejected) in the
 * audit trail; resolved and closed the closing time of a closed incident
 * or the rejection of a rejected one; a customer complaint is a complaint
 * whose category is @p extra's complaint_category or else the service
 * stage; repeat is 1 when a similar incident (same similarity key) was
 * reported before it (ties: the smaller id); measures due are the measures
 * done, or neither done nor cancelled past their deadline at
 * svcq_ctx_now(), and on time the done ones whose "measure_done" audit
 * entry is at or before the deadline. Times before the report become the
 * report time.
 * @param m     the set.
 * @param inc   the incident (stored: its trail and similar incidents are read).
 * @param extra the host's fields the incident does not hold (tier, agent,
 *              contacts, replies, CSAT, SLA outcomes; strings borrowed
 *              during the call), or NULL; its id, times, complaint flag,
 *              repeat and measures are replaced, and its client, channel,
 *              category, stage and location when the incident has them.
 * @return as svcq_metrics_fact_put(); SVCQ_EVERSION for @p extra's version;
 *         the incident calls' errors (SVCQ_ENOTFOUND for an incident not
 *         stored, SVCQ_ECORRUPT, storage errors).
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_metrics_put_incident(svcq_metrics *m, const svcq_incident *inc,
                                                      const svcq_metrics_fact *extra);

/**
 * @brief Number of facts in the set.
 * @param m the set.
 * @return the count; 0 for NULL.
 * @since 0.2
 */
SVCQ_API uint64_t svcq_metrics_fact_count(const svcq_metrics *m);

/**
 * @brief The bounds and label of the period of kind @p kind holding @p at.
 * @param start receives the period's first instant (may be NULL).
 * @param end   receives the next period's first instant (may be NULL).
 * @param label receives the label ("2026-W53", "2026-01", "2026-Q1",
 *              "2026-H1", "2026", "2026-01-05"), NUL-terminated (may be
 *              NULL); 16 bytes suffice.
 * @param size  bytes at @p label.
 * @param m     the set (its zone).
 * @param kind  a svcq_metrics_period.
 * @param at    any instant of the period.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p m, an unknown kind or a label
 *         buffer too small; SVCQ_ERANGE for an instant out of range.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_metrics_period_bounds(svcq_time *start, svcq_time *end, char *label,
                                                       size_t size, svcq_metrics *m, int32_t kind,
                                                       svcq_time at);

/** The value version this header describes. */
#define SVCQ_METRICS_VALUE_VERSION 1

/** One KPI value of one rollup. Version history: 1 (0.2). */
typedef struct svcq_metrics_value {
    uint32_t version;     /**< SVCQ_METRICS_VALUE_VERSION, set by the caller */
    int32_t kpi;          /**< svcq_metrics_kpi */
    int32_t defined;      /**< 1 when the denominator is not 0 */
    int32_t target_state; /**< svcq_metrics_target_state */
    int64_t value;        /**< thousandths (0 when not defined) */
    int64_t numerator;    /**< integer numerator (seconds for times) */
    int64_t denominator;  /**< integer denominator */
    int64_t excluded;     /**< facts left out (unrated; not responded) */
    int64_t target;       /**< the target in thousandths, when set */
    uint64_t reserved[4]; /**< zeroed */
} svcq_metrics_value;

/** Static initialiser equal to svcq_metrics_value_init(&v, SVCQ_METRICS_VALUE_VERSION). */
#define SVCQ_METRICS_VALUE_INIT { SVCQ_METRICS_VALUE_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, { 0 } }

/**
 * @brief Fills @p value with an empty value of version @p version, ready to
 *        receive a KPI.
 * @param value   the table.
 * @param version SVCQ_METRICS_VALUE_VERSION.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown version.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_metrics_value_init(svcq_metrics_value *value, uint32_t version);

/**
 * @brief One KPI of one period and dimension value, read from its rollup.
 * @param out       receives the value; out->version must be set first.
 * @param m         the set.
 * @param kpi       a svcq_metrics_kpi.
 * @param period    a svcq_metrics_period that the set rolls up.
 * @param at        any instant of the period.
 * @param dim       a svcq_metrics_dim that the set rolls up.
 * @param dim_value the dimension value (NULL or "" for DIM_ALL).
 * @return SVCQ_OK (an empty period gives defined 0); SVCQ_EINVAL for
 *         NULL, unknown kinds, a period or dimension not rolled up;
 *         SVCQ_EVERSION for an unknown out->version; SVCQ_ERANGE;
 *         SVCQ_ENOMEM (percentiles sort a copy).
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_metrics_kpi_get(svcq_metrics_value *out, svcq_metrics *m, int32_t kpi,
                                             int32_t period, svcq_time at, int32_t dim,
                                             const char *dim_value);

/**
 * @brief SLA compliance (met / decided) of one target in one rollup.
 * @param out       receives the value (kpi SVCQ_METRICS_SLA_COMPLIANCE);
 *                  out->version must be set first.
 * @param m         the set.
 * @param period    a svcq_metrics_period.
 * @param at        any instant of the period.
 * @param dim       a svcq_metrics_dim (TIER for compliance per tier).
 * @param dim_value the dimension value.
 * @param target    the SLA target's name; NULL for every target.
 * @return as svcq_metrics_kpi_get().
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_metrics_sla_compliance(svcq_metrics_value *out, svcq_metrics *m,
                                                        int32_t period, svcq_time at, int32_t dim,
                                                        const char *dim_value, const char *target);

/**
 * @brief Writes every KPI of one rollup with the definition used next to
 *        each number (attribution, FCR definition, period, zone, target).
 * @param m         the set.
 * @param period    a svcq_metrics_period.
 * @param at        any instant of the period.
 * @param dim       a svcq_metrics_dim.
 * @param dim_value the dimension value.
 * @param format    SVCQ_METRICS_MARKDOWN, _JSON (schema "svcq.metrics_kpis/1") or _CSV.
 * @param writer    the sink.
 * @return as svcq_metrics_kpi_get(); SVCQ_EINVAL for another format; the
 *         writer's error. Nothing is sent when building the text fails.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_metrics_kpis_export(svcq_metrics *m, int32_t period, svcq_time at,
                                                     int32_t dim, const char *dim_value, int32_t format,
                                                     const svcq_writer *writer);

/** The report request version this header describes. */
#define SVCQ_METRICS_REPORT_VERSION 2

/** Report input flag: count the open incidents from the incident archive. */
#define SVCQ_METRICS_ARCHIVE_OPEN 0x1u
/** Report input flag: count the overdue measures from the incident archive. */
#define SVCQ_METRICS_ARCHIVE_OVERDUE 0x2u
/** Report input flag: the reporters of the week from the incident archive. */
#define SVCQ_METRICS_ARCHIVE_REPORTERS 0x4u
/** Report input flags: all three from the incident archive. */
#define SVCQ_METRICS_ARCHIVE_ALL 0x7u

/**
 * What a weekly report covers, and its inputs: host-supplied, or read from
 * the context's incident archive where @c archive says so. Initialise with
 * svcq_metrics_report_init(). Version history: 1 (0.2); 2 (0.2) — the
 * field that was reserved0 is @c archive.
 *
 * From the archive (svcq/incident.h, through svcq_incident_list() and
 * svcq_incident_list_overdue()): open incidents are the stored incidents
 * reported before the week's end whose state now is not final (reported
 * to verifying); overdue measures are the measures of open incidents,
 * neither done nor cancelled, whose deadline is before the week's end;
 * the reporters are the reporter names of the incidents reported in the
 * week, with how many each. The host's fields of what the flags cover
 * must then be -1 (counts) or empty (reporters).
 */
typedef struct svcq_metrics_report {
    uint32_t version;         /**< SVCQ_METRICS_REPORT_VERSION */
    uint32_t trend_weeks;     /**< weeks of the trend, 1 to SVCQ_METRICS_MAX_TREND (default 8) */
    svcq_time week_of;        /**< any instant of the week reported */
    int32_t trend_kpi;        /**< the KPI of the trend chart (default FCR) */
    uint32_t top;             /**< complaint categories listed, 1–20 (default 3) */
    int64_t open_incidents;   /**< open incidents at the report, or -1 for not given */
    int64_t overdue_measures; /**< overdue corrective measures, or -1 */
    const char *const *reporter_names; /**< who reported anomalies this week (borrowed) */
    const int64_t *reporter_counts;    /**< how many each, >= 0 */
    uint32_t reporter_count;  /**< entries of both arrays, 0 to SVCQ_METRICS_MAX_REPORTERS */
    uint32_t archive;         /**< SVCQ_METRICS_ARCHIVE_* bits (version 2; must be 0 in version 1) */
    uint64_t reserved[4];     /**< must be zero */
} svcq_metrics_report;

/** Static initialiser equal to svcq_metrics_report_init(&r, SVCQ_METRICS_REPORT_VERSION). */
#define SVCQ_METRICS_REPORT_INIT { SVCQ_METRICS_REPORT_VERSION, 8, 0, SVCQ_METRICS_FCR, 3, -1, -1, NULL, \
    NULL, 0, 0, { 0 } }

/**
 * @brief Fills @p req with the defaults of request version @p version.
 * @param req     the table.
 * @param version SVCQ_METRICS_REPORT_VERSION.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown version.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_metrics_report_init(svcq_metrics_report *req, uint32_t version);

/**
 * @brief Writes the weekly report: the top complaint categories with
 *        count, share and change against the previous week, the KPIs
 *        against their targets, SLA breaches by tier, the host's counts
 *        and reporters, and the trend; or one of its charts.
 *
 * Ranking of complaint categories: count descending, then the previous
 * week's count descending, then the category in byte order. A category
 * with no complaint in the previous week is "new" (its percent change is
 * undefined); a category in the previous week's top list with none this
 * week is listed as "vanished". The week needs the WEEK period rolled up,
 * and the COMPLAINT and TIER dimensions for those sections.
 * @param m      the set.
 * @param req    the request.
 * @param format a svcq_metrics_format.
 * @param writer the sink.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, bad request fields, weeks not
 *         rolled up; SVCQ_EVERSION; SVCQ_ERANGE; SVCQ_ENOMEM; the
 *         writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_metrics_weekly_report(svcq_metrics *m, const svcq_metrics_report *req,
                                                       int32_t format, const svcq_writer *writer);

/**
 * Called for each rejected import line. @p message names the line and
 * column ("line 7, column 12: field \"csat\": 9 is not 0 to 5") and is
 * valid during the call. Returns 0 to go on; anything else stops the
 * import (svcq/common.h's rule for callbacks).
 */
typedef int (*svcq_metrics_reject_fn)(uint64_t line, uint64_t column, int code, const char *message,
                                      void *user_data);

/**
 * @brief Imports facts from JSON lines or CSV (docs/format.md).
 *
 * Per line: a line that does not decode or whose fact is refused is
 * reported to @p on_reject and skipped; every good line is put as by
 * svcq_metrics_fact_put() (its own transaction, or the open batch) and
 * kept. An allocation or store failure stops the import with its error;
 * the lines put before it stay.
 * @param accepted  receives the lines put (may be NULL).
 * @param rejected  receives the lines rejected (may be NULL).
 * @param m         the set.
 * @param format    a svcq_metrics_import_format.
 * @param data      the text (UTF-8).
 * @param size      its length in bytes.
 * @param on_reject called per rejected line; may be NULL.
 * @param user_data passed to @p on_reject.
 * @return SVCQ_OK (even with rejected lines); SVCQ_EINVAL for NULL or an
 *         unknown format; SVCQ_EPARSE for a CSV header that names an
 *         unknown field or misses "id" or "received"; SVCQ_ENOMEM; store
 *         errors; what the callback asked for.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_metrics_import(uint64_t *accepted, uint64_t *rejected, svcq_metrics *m,
                                                int32_t format, const char *data, size_t size,
                                                svcq_metrics_reject_fn on_reject, void *user_data);

/**
 * @brief Which evaluation reports of a tier level are due on a date.
 *
 * A metric evaluated every period P (the profile's svcq_tier_profiles_evaluation())
 * is due on the first local day of each P: its report covers the P that
 * just ended.
 * @param mask     receives bit (1u << metric) per due svcq_eval_metric.
 * @param m        the set (its zone).
 * @param profiles the tier profiles.
 * @param level    the tier level.
 * @param date     any instant of the day.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or a level out of range; SVCQ_ERANGE.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_metrics_due(uint32_t *mask, svcq_metrics *m,
                                             const svcq_tier_profiles *profiles, int32_t level,
                                             svcq_time date);

/**
 * @brief Produces the evaluation reports due on a date for one tier: for
 *        each due metric, its KPIs over the period that just ended, for the
 *        tier's facts (dimension TIER, value @p tier).
 * @param m        the set.
 * @param profiles the tier profiles.
 * @param level    the tier level.
 * @param tier     the tier value of the facts ("tier.1").
 * @param date     any instant of the day.
 * @param format   SVCQ_METRICS_MARKDOWN, _JSON or _CSV.
 * @param writer   the sink.
 * @return as svcq_metrics_due() and svcq_metrics_kpi_get(); the writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_metrics_cycle_report(svcq_metrics *m, const svcq_tier_profiles *profiles,
                                                      int32_t level, const char *tier, svcq_time date,
                                                      int32_t format, const svcq_writer *writer);

/**
 * @brief Writes the risk points: categories, locations and service stages
 *        whose complaint recurrence is rising.
 *
 * For each value of the CATEGORY, LOCATION and STAGE dimensions, the
 * recurrence count (complaints plus repeats) of the last @p periods
 * periods ending with the one holding @p at. It is rising when it grew
 * strictly in each of the last k >= 2 consecutive periods (the run).
 * Rising values are ranked by run length descending, then the growth over
 * the run descending, then the last count descending, then dimension kind
 * and value in byte order.
 * @param m       the set.
 * @param period  a svcq_metrics_period.
 * @param at      any instant of the last period.
 * @param periods periods looked at, 2 to SVCQ_METRICS_MAX_TREND.
 * @param format  SVCQ_METRICS_MARKDOWN, _JSON or _CSV.
 * @param writer  the sink.
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ERANGE; SVCQ_ENOMEM; the writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_metrics_risk_points(svcq_metrics *m, int32_t period, svcq_time at,
                                                     uint32_t periods, int32_t format,
                                                     const svcq_writer *writer);

/**
 * @brief Names a period kind.
 * @param kind a svcq_metrics_period.
 * @return a static lowercase label ("week"), or NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_metrics_period_name(int32_t kind);
/**
 * @brief Names a dimension kind.
 * @param dim a svcq_metrics_dim.
 * @return a static lowercase label ("complaint"), or NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_metrics_dim_name(int32_t dim);
/**
 * @brief Names an FCR definition.
 * @param def a svcq_metrics_fcr.
 * @return a static lowercase label ("one_agent_reply"), or NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_metrics_fcr_name(int32_t def);
/**
 * @brief Names an attribution.
 * @param attribution a svcq_metrics_attribution.
 * @return a static lowercase label ("cohort"), or NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_metrics_attribution_name(int32_t attribution);
/**
 * @brief Names an SLA outcome.
 * @param outcome a svcq_metrics_sla_outcome.
 * @return a static lowercase label ("breached"), or NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_metrics_sla_outcome_name(int32_t outcome);
/**
 * @brief Names a KPI.
 * @param kpi a svcq_metrics_kpi.
 * @return a static lowercase label ("response_biz_p90"), or NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_metrics_kpi_name(int32_t kpi);
/**
 * @brief Names an output format.
 * @param format a svcq_metrics_format.
 * @return a static lowercase label ("svg_top"), or NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_metrics_format_name(int32_t format);
/**
 * @brief Names an import format.
 * @param format a svcq_metrics_import_format.
 * @return a static lowercase label ("jsonl"), or NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_metrics_import_format_name(int32_t format);
/**
 * @brief Names a target state.
 * @param state a svcq_metrics_target_state.
 * @return a static lowercase label ("missed"), or NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_metrics_target_state_name(int32_t state);

#ifdef __cplusplus
}
#endif

#endif
