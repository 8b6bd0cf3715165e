/**
 * @file svcq/tier.h
 * @brief Client tiers: schemes, explained classification, clients with an
 *        effective-dated tier history, tier changes that reach open SLA
 *        clocks; service profiles, agents, teams and assignment.
 *
 * ## Schemes
 * A **tier scheme** (svcq_tier_scheme) is a named, versioned configuration:
 * - **tiers**, ordered from the top (built-in: "special", "tier_1",
 *   "tier_2", "tier_3"); a tier's *rank* is its index, 0 at the top;
 * - **factors** in three groups (value contribution, influence,
 *   service-need complexity), each with an integer **weight** (the weights
 *   sum to 100), an accepted input range, an optional default for a
 *   missing input, and a **normalisation** to points 0..100: *bounds*
 *   (0 at or below lo, 100 at or above hi, linear between) or *bands*
 *   (half-open value ranges [lo, hi) each worth fixed points);
 * - per tier a **rule**: a minimum score and/or conditions on raw inputs
 *   ("annual_purchase_share >= 10"); every part must hold. The first tier
 *   from the top whose rule holds wins; the bottom tier has no rule and is
 *   the fallback;
 * - **hysteresis** for periodic reclassification (see Clients).
 *
 * Schemes are **monotone**: band points never fall as values rise and
 * conditions are lower bounds (>= or >), so raising a factor never lowers
 * the score or the tier. A scheme is checked when it is finished
 * (svcq_tier_scheme_finish(), implied by import and load): weights summing
 * to 100, every factor's normalisation complete, no overlapping bands, a
 * rule on every tier but the bottom one, and every tier reachable by some
 * input. A finished scheme is immutable; only finished schemes classify.
 *
 * ## Classification (deterministic)
 * Each input is checked against its factor's range (outside: SVCQ_ERANGE;
 * NaN means "missing": the factor's default, or SVCQ_EINVAL when it has
 * none). Normalised points are computed in double precision and rounded
 * once to thousandths of a point (integer "milli-points", 0..100000); a
 * factor's contribution is milli-points × weight / 100 and the score is
 * the integer sum, so the score in milli-points, the comparisons with the
 * thresholds (themselves rounded to milli-points at configuration) and the
 * tier are exact integers: the same inputs give the same answer
 * everywhere. The explanation (svcq_tier_result_export_text(),
 * svcq_tier_result_export_json()) lists each factor's input, points,
 * weight and contribution, and the rule that decided.
 *
 * ## Clients (lifecycle records)
 * A client (svcq_client) has an id, a name, its classified tier, an
 * optional manual override and an effective-dated **history**: entries
 * [from, to) — half-open: an instant equal to an entry's `to` belongs to
 * the next entry — with the tier, reason, actor, and the scheme name and
 * version that produced it. svcq_client_tier_at() answers "which tier was
 * in force at t". Every mutating call (reclassify, override, clear) is one
 * store transaction that writes the client record (kind "client", id the
 * client id) with compare-and-swap; on failure the handle is unchanged.
 *
 * **Hysteresis.** A period's classification that is higher than the
 * current classified tier promotes at once. One that is lower demotes only
 * after the scheme's demote_periods consecutive periods below, or at once
 * when the score is below the current tier's minimum score by at least the
 * scheme's demote_margin. A period at the current tier resets the count.
 * A stable input therefore changes the tier at most once.
 *
 * **Override.** A manual tier with reason, actor and an optional expiry:
 * while it holds it is the tier in force; reclassification keeps running
 * underneath (classified tier); at expiry the classified tier returns (the
 * history records it at the expiry instant).
 *
 * ## Tier changes and open work
 * svcq_client_move_clocks() moves every open SLA clock of the client's
 * subjects to the policy of its tier in force, under that policy's change
 * mode (svcq_sla_clock_transfer()).
 *
 * ## Threads and ownership
 * As everywhere in the library: one context per thread; handles never
 * cross contexts; getters return pointers owned by the handle.
 */
#ifndef SVCQ_TIER_H
#define SVCQ_TIER_H

#include "calendar.h"
#include "common.h"
#include "context.h"
#include "sla.h"
#include "writer.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A tier scheme (opaque). */
typedef struct svcq_tier_scheme svcq_tier_scheme;
/** The result of one classification, with its explanation (opaque). */
typedef struct svcq_tier_result svcq_tier_result;
/** A client and its tier history (opaque). */
typedef struct svcq_client svcq_client;
/** Tier counts and moves over a set of clients (opaque). */
typedef struct svcq_tier_distribution svcq_tier_distribution;

/** Factor groups of the source's classification. */
typedef enum svcq_tier_group {
    SVCQ_TIER_GROUP_VALUE = 0,      /**< value contribution */
    SVCQ_TIER_GROUP_INFLUENCE = 1,  /**< influence */
    SVCQ_TIER_GROUP_COMPLEXITY = 2  /**< service-need complexity */
} svcq_tier_group;

/** How a factor's input becomes points 0..100. */
typedef enum svcq_tier_norm {
    SVCQ_TIER_NORM_BOUNDS = 0, /**< linear from lo (0 points) to hi (100 points), clamped */
    SVCQ_TIER_NORM_BANDS = 1   /**< half-open ranges [lo, hi), each worth fixed points */
} svcq_tier_norm;

/** Operators of a tier condition (lower bounds only: schemes are monotone). */
typedef enum svcq_tier_op {
    SVCQ_TIER_OP_GE = 0, /**< input >= value */
    SVCQ_TIER_OP_GT = 1  /**< input > value */
} svcq_tier_op;

/** Kinds of history entries. */
typedef enum svcq_tier_change {
    SVCQ_TIER_CHANGE_CLASSIFIED = 0, /**< a (re)classification set the tier */
    SVCQ_TIER_CHANGE_OVERRIDE = 1,   /**< a manual override set the tier */
    SVCQ_TIER_CHANGE_EXPIRED = 2,    /**< an override expired or was cleared */
    SVCQ_TIER_CHANGE_IMPORTED = 3    /**< imported with the client */
} svcq_tier_change;

/** Most tiers, factors, bands per factor and conditions per tier. */
#define SVCQ_TIER_MAX_TIERS 16
#define SVCQ_TIER_MAX_FACTORS 64
#define SVCQ_TIER_MAX_BANDS 32
#define SVCQ_TIER_MAX_CONDITIONS 16

/**
 * @brief Creates an empty, unfinished scheme (no tiers, no factors).
 * @param out     receives the scheme (caller-owned, svcq_tier_scheme_free()).
 * @param ctx     its context.
 * @param name    1 to 200 bytes of UTF-8 without control characters or '@'.
 * @param version 1 or more.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments, a bad name or version 0;
 *         SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_scheme_new(svcq_tier_scheme **out, svcq_ctx *ctx, const char *name,
                                                 uint32_t version);

/**
 * @brief The built-in scheme "svcq.default" v1: the source's factors and
 *        tiers with the default thresholds docs/tiers.md lists (special:
 *        annual purchases >= 10 % of total sales and score >= 70; tier 1:
 *        score >= 55; tier 2: score >= 30; tier 3: the rest; demotion after
 *        2 periods below or 10 points under the threshold). Finished.
 * @param out receives the scheme (caller-owned).
 * @param ctx its context.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_scheme_builtin(svcq_tier_scheme **out, svcq_ctx *ctx);

/**
 * @brief Frees a scheme; NULL is a no-op. Results and clients never refer
 *        to it after the call that used it.
 * @since 0.2
 */
SVCQ_API void svcq_tier_scheme_free(svcq_tier_scheme *scheme);

/**
 * @brief Appends a tier below those added so far.
 * @param key  identifier, 1 to 64 bytes of [a-z0-9_], unique in the scheme.
 * @param name readable name, UTF-8, 1 to 255 bytes; NULL: the key.
 * @return SVCQ_OK; SVCQ_EINVAL for a bad key or name; SVCQ_EEXIST for a
 *         key already used; SVCQ_ELIMIT beyond SVCQ_TIER_MAX_TIERS;
 *         SVCQ_ESTATE once finished; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_scheme_add_tier(svcq_tier_scheme *scheme, const char *key,
                                                      const char *name);

/**
 * @brief Adds a factor; its normalisation follows with
 *        svcq_tier_scheme_set_bounds() or svcq_tier_scheme_add_band().
 *        Its accepted inputs are every finite number until
 *        svcq_tier_scheme_set_input_range() says otherwise; a missing
 *        input is an error until svcq_tier_scheme_set_default() gives one.
 * @param key    identifier: 1 to 64 bytes of [a-z0-9_], unique in the scheme.
 * @param name   readable name (UTF-8, 1 to 255 bytes); NULL: the key.
 * @param group  a svcq_tier_group.
 * @param weight percent of the score, 0 to 100 (all weights sum to 100).
 * @return SVCQ_OK; SVCQ_EINVAL for a bad key, name, group or weight;
 *         SVCQ_EEXIST for a key already used; SVCQ_ELIMIT beyond
 *         SVCQ_TIER_MAX_FACTORS; SVCQ_ESTATE once finished; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_scheme_add_factor(svcq_tier_scheme *scheme, const char *key,
                                                        const char *name, int32_t group, uint32_t weight);

/**
 * @brief Normalises a factor linearly: 0 points at or below @p lo, 100 at
 *        or above @p hi (SVCQ_TIER_NORM_BOUNDS).
 * @return SVCQ_OK; SVCQ_EINVAL unless both are finite with lo < hi, or
 *         when the factor has bands; SVCQ_ENOTFOUND for an unknown factor;
 *         SVCQ_ESTATE once finished.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_scheme_set_bounds(svcq_tier_scheme *scheme, const char *factor,
                                                        double lo, double hi);

/**
 * @brief Sets the inputs a factor accepts: [@p min, @p max] (either may be
 *        infinite); others are refused with SVCQ_ERANGE at classification
 *        ("a share over 100 %", "a negative amount").
 * @return SVCQ_OK; SVCQ_EINVAL for NaN or min >= max, or a default outside
 *         the range; SVCQ_ENOTFOUND; SVCQ_ESTATE once finished.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_scheme_set_input_range(svcq_tier_scheme *scheme, const char *factor,
                                                             double min, double max);

/**
 * @brief Gives a factor a default: a missing input (NaN) counts as @p value.
 * @return SVCQ_OK; SVCQ_EINVAL for a value that is not finite or outside
 *         the factor's range; SVCQ_ENOTFOUND; SVCQ_ESTATE once finished.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_scheme_set_default(svcq_tier_scheme *scheme, const char *factor,
                                                         double value);

/**
 * @brief Adds a band [lo, hi) worth @p points to a factor, which is then
 *        normalised by bands (SVCQ_TIER_NORM_BANDS).
 * @param lo     inclusive lower end (may be -INFINITY).
 * @param hi     exclusive upper end (> lo; may be INFINITY).
 * @param points 0 to 100; never less than a band below it, nor more than
 *               one above it (monotone).
 * @return SVCQ_OK; SVCQ_EINVAL for a factor with bounds, bad ends or points,
 *         a band overlapping another, or points out of order;
 *         SVCQ_ENOTFOUND for an unknown factor; SVCQ_ELIMIT beyond
 *         SVCQ_TIER_MAX_BANDS; SVCQ_ESTATE once finished; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_scheme_add_band(svcq_tier_scheme *scheme, const char *factor,
                                                      double lo, double hi, double points);

/**
 * @brief Sets a tier's minimum score (0 to 100; rounded to milli-points).
 * @return SVCQ_OK; SVCQ_EINVAL for a score out of range or the bottom tier
 *         (the fallback has no rule) — checked at finish; SVCQ_ENOTFOUND for
 *         an unknown tier; SVCQ_ESTATE once finished.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_scheme_set_min_score(svcq_tier_scheme *scheme, const char *tier,
                                                           double min_score);

/**
 * @brief Adds a condition on a factor's input to a tier's rule.
 * @param op    svcq_tier_op.
 * @param value the threshold, in the factor's input unit.
 * @return SVCQ_OK; SVCQ_EINVAL for an unknown op or a non-finite value;
 *         SVCQ_ENOTFOUND for an unknown tier or factor; SVCQ_ELIMIT beyond
 *         SVCQ_TIER_MAX_CONDITIONS; SVCQ_ESTATE once finished; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_scheme_add_condition(svcq_tier_scheme *scheme, const char *tier,
                                                           const char *factor, int32_t op, double value);

/**
 * @brief Sets the hysteresis of reclassification.
 * @param demote_periods consecutive periods below before a demotion, 1 to
 *        1000 (1: demote at once).
 * @param demote_margin  points (0 to 100) under the current tier's minimum
 *        score that demote at once; 0 disables it.
 * @return SVCQ_OK; SVCQ_EINVAL out of range; SVCQ_ESTATE once finished.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_scheme_set_hysteresis(svcq_tier_scheme *scheme, uint32_t demote_periods,
                                                            double demote_margin);

/**
 * @brief Checks the whole scheme and makes it immutable.
 * @return SVCQ_OK (also when finished already); SVCQ_EINVAL with a message
 *         naming the problem: fewer than two tiers, no factors, weights not
 *         summing to 100, a factor without normalisation, a tier above the
 *         bottom without a rule, a rule on the bottom tier, a rule that no
 *         input within the factors' ranges can meet, or a tier that no
 *         input reaches because a higher tier always takes it.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_scheme_finish(svcq_tier_scheme *scheme);

/** @brief The scheme's name (owned by it). @return "" for NULL. @since 0.2 */
SVCQ_API const char *svcq_tier_scheme_name(const svcq_tier_scheme *scheme);
/** @brief The scheme's version. @return 0 for NULL. @since 0.2 */
SVCQ_API uint32_t svcq_tier_scheme_version(const svcq_tier_scheme *scheme);
/** @brief Number of tiers. @return 0 for NULL. @since 0.2 */
SVCQ_API uint32_t svcq_tier_scheme_tier_count(const svcq_tier_scheme *scheme);
/** @brief Number of factors. @return 0 for NULL. @since 0.2 */
SVCQ_API uint32_t svcq_tier_scheme_factor_count(const svcq_tier_scheme *scheme);

/**
 * @brief The key of tier @p rank (0 at the top), owned by the scheme.
 * @return the key; NULL for NULL or a rank out of range.
 * @since 0.2
 */
SVCQ_API const char *svcq_tier_scheme_tier_key(const svcq_tier_scheme *scheme, uint32_t rank);

/**
 * @brief The key of factor @p index (in the order added), owned by the scheme.
 * @return the key; NULL for NULL or an index out of range.
 * @since 0.2
 */
SVCQ_API const char *svcq_tier_scheme_factor_key(const svcq_tier_scheme *scheme, uint32_t index);

/**
 * @brief The rank of a tier by key.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOTFOUND.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_scheme_tier_rank(uint32_t *out, const svcq_tier_scheme *scheme,
                                                       const char *key);

/**
 * @brief The index of a factor by key (the position of its input).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOTFOUND.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_scheme_factor_index(uint32_t *out, const svcq_tier_scheme *scheme,
                                                          const char *key);

/** Flag of the JSON exports: indented output. */
#define SVCQ_TIER_JSON_PRETTY 0x1u

/**
 * @brief Writes the scheme as JSON (schema "svcq.tier_scheme/1",
 *        docs/format.md). The scheme must be finished.
 * @param flags 0 or SVCQ_TIER_JSON_PRETTY.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, unknown flags or a bad writer;
 *         SVCQ_ESTATE for an unfinished scheme; the writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_scheme_export_json(const svcq_tier_scheme *scheme,
                                                         const svcq_writer *writer, uint32_t flags);

/**
 * @brief Makes a finished scheme from a JSON document.
 * @param out  receives the scheme (caller-owned).
 * @param text the document (UTF-8, @p len bytes).
 * @return SVCQ_OK; SVCQ_EPARSE (syntax: line and column in the message);
 *         SVCQ_EINVAL for a document that is not a valid scheme (the
 *         message names the field); SVCQ_EVERSION for a newer schema;
 *         SVCQ_ELIMIT; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_scheme_import_json(svcq_tier_scheme **out, svcq_ctx *ctx,
                                                         const char *text, size_t len);

/**
 * @brief Writes the scheme as Markdown: its tiers with their rules, its
 *        factors with group, weight and normalisation, and the hysteresis.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or a bad writer; SVCQ_ESTATE for an
 *         unfinished scheme; the writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_scheme_export_markdown(const svcq_tier_scheme *scheme,
                                                             const svcq_writer *writer);

/**
 * @brief Stores the scheme as the record (kind "tier_scheme", id
 *        "<name>@<version>"), finishing it first. A stored version is
 *        immutable: saving equal content again does nothing, other
 *        content is refused.
 * @return SVCQ_OK; the errors of svcq_tier_scheme_finish(); SVCQ_EEXIST
 *         when the store holds this version with other content; store
 *         errors (SVCQ_ESTORE, SVCQ_ECONFLICT, ...); SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_scheme_save(svcq_tier_scheme *scheme);

/**
 * @brief Loads a stored scheme version.
 * @return SVCQ_OK; SVCQ_ENOTFOUND; SVCQ_ECORRUPT for a record that does not
 *         decode; SVCQ_EINVAL for NULL or a bad name; store errors;
 *         SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_scheme_load(svcq_tier_scheme **out, svcq_ctx *ctx, const char *name,
                                                  uint32_t version);

/**
 * @brief The revision of the scheme's record as last saved or loaded.
 * @return the revision; 0 when never saved nor loaded, or for NULL.
 * @since 0.2
 */
SVCQ_API uint64_t svcq_tier_scheme_revision(const svcq_tier_scheme *scheme);

/* ---- classification ----------------------------------------------------- */

/**
 * @brief Creates an empty result, reusable for any number of classifications.
 * @param out receives it (caller-owned, svcq_tier_result_free()).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_result_new(svcq_tier_result **out, svcq_ctx *ctx);

/** @brief Frees a result; NULL is a no-op. @since 0.2 */
SVCQ_API void svcq_tier_result_free(svcq_tier_result *result);

/**
 * @brief Classifies one set of inputs.
 * @param result receives the tier, score and explanation (overwritten; on
 *        failure it holds no result).
 * @param scheme a finished scheme of the same context.
 * @param values @p count inputs in factor order (svcq_tier_scheme_factor_index());
 *        NaN is a missing input.
 * @param count  must equal the scheme's factor count.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, another context, a count that
 *         differs, or a missing input without default; SVCQ_ERANGE for an
 *         input outside its factor's range; SVCQ_ESTATE for an unfinished
 *         scheme. Allocation-free when @p result was used with the scheme's
 *         factor count before.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_classify(svcq_tier_result *result, const svcq_tier_scheme *scheme,
                                               const double *values, uint32_t count);

/** @brief The rank of the tier (0 at the top). @return UINT32_MAX without a result. @since 0.2 */
SVCQ_API uint32_t svcq_tier_result_rank(const svcq_tier_result *result);
/** @brief The tier's key, owned by the result. @return NULL without a result. @since 0.2 */
SVCQ_API const char *svcq_tier_result_tier(const svcq_tier_result *result);
/** @brief The score in milli-points (0 to 100000). @return -1 without a result. @since 0.2 */
SVCQ_API int64_t svcq_tier_result_score_milli(const svcq_tier_result *result);

/**
 * @brief One factor's part of the result.
 * @param input        receives the input used (the default for a missing one); may be NULL.
 * @param points_milli receives its normalised points × 1000; may be NULL.
 * @param contribution_milli receives its contribution to the score in
 *        milli-points (points_milli × weight / 100, rounded); may be NULL.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOTFOUND for an index out of
 *         range or no result.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_result_factor(double *input, int64_t *points_milli,
                                                    int64_t *contribution_milli,
                                                    const svcq_tier_result *result, uint32_t index);

/**
 * @brief The rule that decided, in words ("tier_1: score 61.250 >= 55.000";
 *        "tier_3: fallback, no higher rule holds"), owned by the result.
 * @return the text; "" without a result.
 * @since 0.2
 */
SVCQ_API const char *svcq_tier_result_rule(const svcq_tier_result *result);

/**
 * @brief Writes the explanation as text: tier, score, the rule, then one
 *        line per factor (key, input, points, weight, contribution), and
 *        why each higher tier did not apply.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or a bad writer; SVCQ_ESTATE without
 *         a result; the writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_result_export_text(const svcq_tier_result *result,
                                                         const svcq_writer *writer);

/**
 * @brief Writes the explanation as JSON (schema "svcq.tier_result/1").
 * @param flags 0 or SVCQ_TIER_JSON_PRETTY.
 * @return as svcq_tier_result_export_text(); SVCQ_EINVAL for unknown flags.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_result_export_json(const svcq_tier_result *result,
                                                         const svcq_writer *writer, uint32_t flags);

/* ---- clients -------------------------------------------------------------- */

/**
 * @brief Creates a client with no tier yet (not stored until its first
 *        mutating call or svcq_client_save()).
 * @param id   the store id: 1 to 200 bytes of UTF-8 without control characters.
 * @param name readable name (UTF-8, up to 1024 bytes); NULL: the id.
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_client_new(svcq_client **out, svcq_ctx *ctx, const char *id, const char *name);

/** @brief Frees a client; NULL is a no-op. @since 0.2 */
SVCQ_API void svcq_client_free(svcq_client *client);

/** @brief The id (owned by the client). @return "" for NULL. @since 0.2 */
SVCQ_API const char *svcq_client_id(const svcq_client *client);
/** @brief The name (owned by the client). @return "" for NULL. @since 0.2 */
SVCQ_API const char *svcq_client_name(const svcq_client *client);
/** @brief The record revision last written or loaded. @return it; 0 when never, or for NULL. @since 0.2 */
SVCQ_API uint64_t svcq_client_revision(const svcq_client *client);
/**
 * @brief The tier the last classification settled on (after hysteresis),
 *        owned by the client.
 * @return the tier key; NULL before the first classification.
 * @since 0.2
 */
SVCQ_API const char *svcq_client_classified_tier(const svcq_client *client);
/** @brief Consecutive periods classified below the classified tier. @return the count; 0 for NULL. @since 0.2 */
SVCQ_API uint32_t svcq_client_periods_below(const svcq_client *client);

/**
 * @brief One period's reclassification, written through.
 *
 * Classifies @p values with @p scheme (into @p result when given), applies
 * the hysteresis (see the file comment) and, when the tier in force
 * changes, closes the current history entry at @p at and opens one with
 * the reason (the rule, or "demoted after N periods below", ...). An
 * active override stays in force; one expired at or before @p at ends
 * first.
 * @param result optional: receives the classification.
 * @param at     the period's instant: not before the last history entry's start.
 * @param actor  who ran it (UTF-8, 1 to 255 bytes), e.g. "batch".
 * @return SVCQ_OK; the errors of svcq_tier_classify(); SVCQ_EINVAL for a
 *         bad actor or a scheme without the client's current tier key;
 *         SVCQ_ERANGE for @p at before the last change; store errors;
 *         SVCQ_ENOMEM. On failure the client is unchanged.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_client_reclassify(svcq_client *client, const svcq_tier_scheme *scheme,
                                                   const double *values, uint32_t count, svcq_time at,
                                                   const char *actor, svcq_tier_result *result);

/**
 * @brief Sets a manual tier from @p at, written through.
 * @param tier    a tier key of @p scheme.
 * @param reason  why (UTF-8, 1 to 1024 bytes).
 * @param actor   who (UTF-8, 1 to 255 bytes).
 * @param expires when the classified tier returns (> @p at), or
 *                SVCQ_SLA_NEVER for no expiry.
 * @return SVCQ_OK; SVCQ_EINVAL for bad arguments; SVCQ_ENOTFOUND for an
 *         unknown tier; SVCQ_ESTATE when the client has never been
 *         classified (nothing to return to); SVCQ_ERANGE for @p at before
 *         the last change or @p expires not after @p at; store errors;
 *         SVCQ_ENOMEM. On failure the client is unchanged.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_client_override(svcq_client *client, const svcq_tier_scheme *scheme,
                                                 const char *tier, svcq_time at, svcq_time expires,
                                                 const char *reason, const char *actor);

/**
 * @brief Ends an active override at @p at, written through: the classified
 *        tier is in force again.
 * @return SVCQ_OK; SVCQ_ESTATE without an active override at @p at;
 *         SVCQ_EINVAL; SVCQ_ERANGE; store errors; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_client_clear_override(svcq_client *client, svcq_time at, const char *actor);

/**
 * @brief The tier in force at instant @p t (entries are [from, to); an
 *        override expired at or before @p t counts as ended), owned by the
 *        client until its next change.
 * @param tier receives the tier key.
 * @param rank receives its rank in the scheme that set it; may be NULL.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOTFOUND when @p t is before
 *         the first entry.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_client_tier_at(const char **tier, uint32_t *rank, const svcq_client *client,
                                                svcq_time t);

/** @brief Number of history entries. @return the count; 0 for NULL. @since 0.2 */
SVCQ_API uint32_t svcq_client_history_count(const svcq_client *client);

/**
 * @brief Reads history entry @p index (oldest first). Every pointer is owned
 *        by the client until its next change; each output may be NULL.
 * @param to   receives the end (exclusive), SVCQ_SLA_NEVER for the open entry.
 * @param kind receives a svcq_tier_change.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOTFOUND out of range.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_client_history_at(svcq_time *from, svcq_time *to, const char **tier,
                                                   uint32_t *rank, int32_t *kind, const char **reason,
                                                   const char **actor, const char **scheme,
                                                   uint32_t *scheme_version, const svcq_client *client,
                                                   uint32_t index);

/**
 * @brief Writes the client (record "svcq.client/1", docs/format.md) as JSON.
 * @param flags 0 or SVCQ_TIER_JSON_PRETTY.
 * @return SVCQ_OK; SVCQ_EINVAL; the writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_client_export_json(const svcq_client *client, const svcq_writer *writer,
                                                    uint32_t flags);

/**
 * @brief Makes a client (unstored) from its JSON document.
 * @return SVCQ_OK; SVCQ_EPARSE; SVCQ_EINVAL naming the field (history out
 *         of order or overlapping, bad ids); SVCQ_EVERSION; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_client_import_json(svcq_client **out, svcq_ctx *ctx, const char *text,
                                                    size_t len);

/**
 * @brief Writes the client record as it is (create or compare-and-swap).
 * @return SVCQ_OK; SVCQ_ECONFLICT; store errors; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_client_save(svcq_client *client);

/**
 * @brief Loads a stored client.
 * @return SVCQ_OK; SVCQ_ENOTFOUND; SVCQ_ECORRUPT; SVCQ_EINVAL; store errors;
 *         SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_client_load(svcq_client **out, svcq_ctx *ctx, const char *id);

/**
 * Told about each line of a bulk import that failed: its 1-based number,
 * the error code and the message. Return 0 to go on (see svcq_write_fn for
 * other values).
 */
typedef int (*svcq_client_line_fn)(uint64_t line, int32_t code, const char *message, void *user_data);

/**
 * @brief Imports clients from JSON lines (one svcq.client/1 document per
 *        line; blank lines skipped) and stores each new client in its own
 *        transaction (inside a host batch, in the batch).
 * @param imported receives the number of clients stored; may be NULL.
 * @param failed   receives the number of lines refused; may be NULL.
 * @param on_error told about each refused line (may be NULL).
 * @return SVCQ_OK even when lines were refused; SVCQ_EINVAL for NULL;
 *         what @p on_error asked for.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_client_import_lines(uint64_t *imported, uint64_t *failed, svcq_ctx *ctx,
                                                     const char *text, size_t len,
                                                     svcq_client_line_fn on_error, void *user_data);

/**
 * @brief Writes the client's history as a Markdown table (from, to, tier,
 *        change, reason, actor, scheme) with local times of @p tz.
 * @param tz the zone for the times; NULL: UTC.
 * @return SVCQ_OK; SVCQ_EINVAL; the writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_client_export_history_markdown(const svcq_client *client, const svcq_tz *tz,
                                                                const svcq_writer *writer);

/**
 * @brief Moves the client's open SLA clocks to the policy of its tier in force.
 *
 * For each subject in @p subjects, every clock of @p scheduler for that
 * subject whose policy is one of @p tier_policies but not the policy of
 * the client's tier at @p at, and which has a target pending, running or
 * paused at @p at, moves to that policy with svcq_sla_clock_transfer()
 * (the new policy's change mode decides: KEEP leaves the clock as it is).
 * Stored clocks (revision != 0) have their record replaced by the moved
 * clock's, in one store transaction. The moved clocks replace the old ones
 * in the scheduler; the old clocks are freed.
 * @param moved         receives the number of clocks moved; may be NULL.
 * @param tier_policies one policy per tier of @p scheme, by rank.
 * @param npolicies     the scheme's tier count.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, another context, a count that
 *         differs, or two policies with one name; SVCQ_ENOTFOUND when the
 *         client has no tier at @p at or its tier is not in @p scheme;
 *         SVCQ_EEXIST when the scheduler has the subject's clock on the
 *         new policy already; SVCQ_ESTATE inside a host batch (a batch
 *         rollback could not put the scheduler back); the errors of
 *         svcq_sla_clock_transfer(); store errors; SVCQ_ENOMEM. On failure
 *         nothing changed.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_client_move_clocks(uint32_t *moved, const svcq_client *client,
                                                    const svcq_tier_scheme *scheme,
                                                    svcq_sla_scheduler *scheduler,
                                                    svcq_sla_policy *const *tier_policies, uint32_t npolicies,
                                                    const char *const *subjects, uint32_t nsubjects,
                                                    svcq_time at);

/* ---- distribution --------------------------------------------------------- */

/**
 * @brief Creates an empty distribution over the tiers of @p scheme for the
 *        period [@p from, @p to): counts at @p to - 1 and moves inside it.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, an unfinished scheme or to <= from;
 *         SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_distribution_new(svcq_tier_distribution **out,
                                                       const svcq_tier_scheme *scheme, svcq_time from,
                                                       svcq_time to);

/** @brief Frees a distribution; NULL is a no-op. @since 0.2 */
SVCQ_API void svcq_tier_distribution_free(svcq_tier_distribution *dist);

/**
 * @brief Counts one client: its tier at the period's end and each history
 *        change starting inside the period as a move up or down (by rank;
 *        the first entry is not a move). A tier key the scheme does not
 *        have counts as "other".
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or another context.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_distribution_add(svcq_tier_distribution *dist, const svcq_client *client);

/**
 * @brief Reads the counts of tier @p rank (rank = tier count: "other" and
 *        clients without a tier).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOTFOUND out of range.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_distribution_get(uint64_t *clients, uint64_t *moved_up,
                                                       uint64_t *moved_down, const svcq_tier_distribution *dist,
                                                       uint32_t rank);

/**
 * @brief Writes the distribution as a Markdown table (tier, clients, share,
 *        moved up into it, moved down into it).
 * @return SVCQ_OK; SVCQ_EINVAL; the writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_distribution_export_markdown(const svcq_tier_distribution *dist,
                                                                   const svcq_writer *writer);

/**
 * @brief Writes the distribution as JSON (schema "svcq.tier_distribution/1").
 * @param flags 0 or SVCQ_TIER_JSON_PRETTY.
 * @return SVCQ_OK; SVCQ_EINVAL; the writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_distribution_export_json(const svcq_tier_distribution *dist,
                                                               const svcq_writer *writer, uint32_t flags);

/* ---- names ---------------------------------------------------------------- */

/** @brief Label of a svcq_tier_group ("value", "influence", "complexity"). @return NULL if unknown. @since 0.2 */
SVCQ_API const char *svcq_tier_group_name(int32_t group);
/** @brief Label of a svcq_tier_norm ("bounds", "bands"). @return NULL if unknown. @since 0.2 */
SVCQ_API const char *svcq_tier_norm_name(int32_t norm);
/** @brief Label of a svcq_tier_op ("ge", "gt"). @return NULL if unknown. @since 0.2 */
SVCQ_API const char *svcq_tier_op_name(int32_t op);
/** @brief Label of a svcq_tier_change ("classified", "override", "expired", "imported"). @return NULL if unknown. @since 0.2 */
SVCQ_API const char *svcq_tier_change_name(int32_t kind);

/* ---- Service profiles, agents, teams and assignment ------------------------ */
/* (declared by the assignment part of issue 9) */

#ifdef __cplusplus
}
#endif

#endif
