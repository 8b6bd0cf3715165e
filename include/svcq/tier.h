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
 *
 * ## Tier levels in profiles and assignment
 * Tier levels are int32_t indices: 0 is the top tier (special), then 1, 2,
 * 3 (svcq_tier_level of svcq/sla.h for the four tiers of domain.md). A
 * profile set may hold up to SVCQ_TIER_MAX_LEVELS levels.
 *
 * ## Service profiles
 * A svcq_tier_profiles holds one service profile per tier level: the SLA
 * policy that times its requests (name and version of a stored policy), the
 * channels it is served through, how its requests are assigned (strategy
 * and team), its resources (roles with counts), who receives its report,
 * and the evaluation period of each metric. svcq_tier_profiles_new() fills
 * levels 0–3 with the source's table (docs/assignment.md lists it). It is
 * configuration: setters change the handle, svcq_tier_profiles_save()
 * publishes it (kind "tier_profiles", compare-and-swap).
 *
 * ## Agents, teams and assignment
 * A svcq_assigner holds agents (capacity, weight, skills, a working
 * calendar, absence), teams (dedicated, expert or pool, with members), a
 * route per tier (strategy and team), the named agent of each client, and
 * the open items each agent serves. svcq_assigner_assign() picks an agent
 * for a request and explains why (svcq_assignment): who was skipped
 * (absent, off shift, full, missing a skill) and by which strategy the
 * agent was chosen. Decisions are deterministic given the assigner's state;
 * ties are broken by agent id (byte order). Once saved or loaded, every
 * change of an assigner writes through to the store in one transaction
 * (kinds "agent", "team" and "assigner"); a failing call leaves the
 * assigner and the store as they were.
 */
#ifndef SVCQ_TIER_H
#define SVCQ_TIER_H

#include <stddef.h>
#include <stdint.h>

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

/* ======================================================================== */
/* Service profiles, agents, teams and assignment                             */
/* ======================================================================== */

/** Most tier levels a profile set holds. */
#define SVCQ_TIER_MAX_LEVELS 16
/** Most resource roles of one profile, and most skills of one agent. */
#define SVCQ_TIER_MAX_ITEMS 64
/** Flag for the JSON exports of this module: indented output. */
#define SVCQ_TIER_JSON_PRETTY 0x1u

/** Channels a tier is served through (bit flags, combined with |). */
typedef enum svcq_service_channel {
    SVCQ_CHANNEL_DEDICATED_HOTLINE = 0x1, /**< a dedicated 7×24 hotline */
    SVCQ_CHANNEL_DEDICATED_EMAIL = 0x2,   /**< a dedicated e-mail channel */
    SVCQ_CHANNEL_DEDICATED_ONLINE = 0x4,  /**< a dedicated online channel */
    SVCQ_CHANNEL_HOTLINE = 0x8,           /**< the general hotline */
    SVCQ_CHANNEL_ONLINE = 0x10,           /**< the general online channel */
    SVCQ_CHANNEL_SELF_SERVICE = 0x20      /**< self-service */
} svcq_service_channel;

/** How requests of a tier are assigned (svcq_assigner_assign()). */
typedef enum svcq_assign_strategy {
    /** Least-loaded member of the tier's dedicated team. */
    SVCQ_ASSIGN_DEDICATED_TEAM = 0,
    /** Least-loaded member of the tier's expert team (skills decide). */
    SVCQ_ASSIGN_EXPERT_TEAM = 1,
    /** The client's named agent; when unavailable the least-loaded member
     *  of the team. The first assignment names the agent it picks. */
    SVCQ_ASSIGN_NAMED_AGENT = 2,
    /** The next available member after the last one chosen, in id order. */
    SVCQ_ASSIGN_ROUND_ROBIN = 3,
    /** Smooth weighted round-robin over the available members. */
    SVCQ_ASSIGN_WEIGHTED_ROUND_ROBIN = 4,
    /** The available member with the fewest open items. */
    SVCQ_ASSIGN_LEAST_LOADED = 5
} svcq_assign_strategy;

/** Who receives a tier's service report. */
typedef enum svcq_report_recipient {
    SVCQ_REPORT_MANAGEMENT = 0,      /**< a service report to management */
    SVCQ_REPORT_SUPERIOR = 1,        /**< a report to the superior */
    SVCQ_REPORT_DEPARTMENT_HEAD = 2, /**< a report to the department head */
    SVCQ_REPORT_PERIODIC_SUMMARY = 3 /**< a periodic summary of ratings */
} svcq_report_recipient;

/** The evaluation metrics of domain.md section 3. */
typedef enum svcq_eval_metric {
    SVCQ_EVAL_RESPONSE_TIME = 0,   /**< request to first contact */
    SVCQ_EVAL_RESOLUTION_RATE = 1, /**< solved / raised */
    SVCQ_EVAL_SATISFACTION = 2,    /**< survey score */
    SVCQ_EVAL_COMPLAINT_RATE = 3   /**< complaints / clients */
} svcq_eval_metric;

/** Number of svcq_eval_metric values. */
#define SVCQ_EVAL_METRIC_COUNT 4

/** How often a metric is evaluated. */
typedef enum svcq_eval_period {
    SVCQ_PERIOD_NONE = 0,      /**< not evaluated */
    SVCQ_PERIOD_DAILY = 1,     /**< every day */
    SVCQ_PERIOD_WEEKLY = 2,    /**< every week */
    SVCQ_PERIOD_MONTHLY = 3,   /**< every month */
    SVCQ_PERIOD_QUARTERLY = 4, /**< every quarter */
    SVCQ_PERIOD_YEARLY = 5     /**< every year */
} svcq_eval_period;

/** The kind of a team. */
typedef enum svcq_team_kind {
    SVCQ_TEAM_DEDICATED = 0, /**< serves one tier's clients exclusively */
    SVCQ_TEAM_EXPERT = 1,    /**< specialists */
    SVCQ_TEAM_POOL = 2       /**< a shared pool */
} svcq_team_kind;

/** Why an assignment passed an agent over. */
typedef enum svcq_assign_skip {
    SVCQ_SKIP_ABSENT = 0,    /**< marked absent at the request instant */
    SVCQ_SKIP_OFF_SHIFT = 1, /**< the agent's calendar is closed then */
    SVCQ_SKIP_FULL = 2,      /**< open items reached the capacity */
    SVCQ_SKIP_SKILL = 3      /**< lacks a skill the request needs */
} svcq_assign_skip;

/**
 * @brief Names a channel flag.
 * @param channel one svcq_service_channel value.
 * @return a static lowercase label ("dedicated_hotline"), or NULL for
 *         anything else (also for several flags at once).
 * @since 0.2
 */
SVCQ_API const char *svcq_service_channel_name(int32_t channel);
/**
 * @brief Names an assignment strategy.
 * @param strategy a svcq_assign_strategy.
 * @return a static lowercase label ("named_agent"), or NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_assign_strategy_name(int32_t strategy);
/**
 * @brief Names a report recipient.
 * @param recipient a svcq_report_recipient.
 * @return a static lowercase label ("department_head"), or NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_report_recipient_name(int32_t recipient);
/**
 * @brief Names an evaluation metric.
 * @param metric a svcq_eval_metric.
 * @return a static lowercase label ("resolution_rate"), or NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_eval_metric_name(int32_t metric);
/**
 * @brief Names an evaluation period.
 * @param period a svcq_eval_period.
 * @return a static lowercase label ("quarterly"), or NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_eval_period_name(int32_t period);
/**
 * @brief Names a team kind.
 * @param kind a svcq_team_kind.
 * @return a static lowercase label ("expert"), or NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_team_kind_name(int32_t kind);
/**
 * @brief Names a skip reason.
 * @param reason a svcq_assign_skip.
 * @return a static lowercase label ("off_shift"), or NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_assign_skip_name(int32_t reason);

/* ---- service profiles ---------------------------------------------------- */

/** A service profile per tier level (opaque). */
typedef struct svcq_tier_profiles svcq_tier_profiles;

/**
 * @brief Creates a profile set with the source's service profiles.
 *
 * Levels 0–3 get the table of domain.md (docs/assignment.md): special — the
 * built-in policy "tier.special" v1, a dedicated 7×24 hotline, a dedicated
 * team, one senior account manager, 2 experts and 2 senior agents (the
 * source leaves both counts open), a service report to management; tier 1 —
 * "tier.1", dedicated e-mail and online channels, an expert team, an
 * account manager, 2 specialists and 2 agents, a report to the superior;
 * tier 2 — "tier.2", hotline and online with a named agent, a report to the
 * department head; tier 3 — "tier.3", the general hotline and online
 * channel, a shared pool by weighted round-robin, a periodic summary of
 * ratings. Every level evaluates response time and resolution rate weekly,
 * complaint rate monthly and satisfaction quarterly. No level names a team
 * (svcq_tier_profiles_set_assignment()). Levels past 3 copy level 3.
 *
 * @param out    receives the set (caller-owned, svcq_tier_profiles_free());
 *               NULL on failure.
 * @param ctx    the context.
 * @param levels number of levels, 1 to SVCQ_TIER_MAX_LEVELS (4 for the
 *               source's tiers).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments or a level count out of
 *         range; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_profiles_new(svcq_tier_profiles **out, svcq_ctx *ctx,
                                                   uint32_t levels);

/**
 * @brief Frees a profile set; NULL is a no-op.
 * @param profiles the set.
 * @since 0.2
 */
SVCQ_API void svcq_tier_profiles_free(svcq_tier_profiles *profiles);

/**
 * @brief The number of levels of a profile set.
 * @param profiles the set.
 * @return the count; 0 for NULL.
 * @since 0.2
 */
SVCQ_API uint32_t svcq_tier_profiles_levels(const svcq_tier_profiles *profiles);

/**
 * @brief Sets the SLA policy of a level: the name and version of a policy
 *        (built-in or stored, svcq_sla_policy_load()).
 * @param profiles the set.
 * @param level    the level.
 * @param name     the policy name (copied; 1 to 252 bytes, no control
 *                 characters).
 * @param version  its version, at least 1.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, a level out of range, a bad name
 *         or version 0; SVCQ_ENOMEM. On failure nothing changes.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_profiles_set_policy(svcq_tier_profiles *profiles, int32_t level,
                                                          const char *name, uint32_t version);

/**
 * @brief The SLA policy of a level.
 * @param version  receives its version (may be NULL).
 * @param profiles the set.
 * @param level    the level.
 * @return the policy name, borrowed until the level's policy changes or
 *         the set is freed; NULL for NULL or a level out of range.
 * @since 0.2
 */
SVCQ_API const char *svcq_tier_profiles_policy(uint32_t *version, const svcq_tier_profiles *profiles,
                                               int32_t level);

/**
 * @brief Sets the channels of a level.
 * @param profiles the set.
 * @param level    the level.
 * @param channels svcq_service_channel flags; at least one.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, a level out of range, no flag or
 *         an unknown flag.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_profiles_set_channels(svcq_tier_profiles *profiles, int32_t level,
                                                            uint32_t channels);

/**
 * @brief The channels of a level.
 * @param profiles the set.
 * @param level    the level.
 * @return svcq_service_channel flags; 0 for NULL or a level out of range.
 * @since 0.2
 */
SVCQ_API uint32_t svcq_tier_profiles_channels(const svcq_tier_profiles *profiles, int32_t level);

/**
 * @brief Sets how requests of a level are assigned: the strategy (which is
 *        also the level's team type) and the team that serves it.
 * @param profiles the set.
 * @param level    the level.
 * @param strategy a svcq_assign_strategy.
 * @param team_id  the id of the team (copied; a store id), or NULL for
 *                 none yet.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p profiles, a level out of range,
 *         an unknown strategy or a bad id; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_profiles_set_assignment(svcq_tier_profiles *profiles, int32_t level,
                                                              int32_t strategy, const char *team_id);

/**
 * @brief The assignment strategy of a level.
 * @param profiles the set.
 * @param level    the level.
 * @return a svcq_assign_strategy; -1 for NULL or a level out of range.
 * @since 0.2
 */
SVCQ_API int32_t svcq_tier_profiles_strategy(const svcq_tier_profiles *profiles, int32_t level);

/**
 * @brief The team of a level.
 * @param profiles the set.
 * @param level    the level.
 * @return the team id, borrowed until the level's assignment changes or the
 *         set is freed; NULL when none, for NULL or a level out of range.
 * @since 0.2
 */
SVCQ_API const char *svcq_tier_profiles_team(const svcq_tier_profiles *profiles, int32_t level);

/**
 * @brief Sets the count of a resource role of a level ("expert", 3); a
 *        count of 0 removes the role. Roles keep the order they were added.
 * @param profiles the set.
 * @param level    the level.
 * @param role     the role (copied; UTF-8, 1 to 128 bytes).
 * @param count    how many, 0 to 1,000,000.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, a level out of range, a bad role or
 *         count; SVCQ_ELIMIT beyond SVCQ_TIER_MAX_ITEMS roles; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_profiles_set_resource(svcq_tier_profiles *profiles, int32_t level,
                                                            const char *role, uint32_t count);

/**
 * @brief The number of resource roles of a level.
 * @param profiles the set.
 * @param level    the level.
 * @return the count; 0 for NULL or a level out of range.
 * @since 0.2
 */
SVCQ_API size_t svcq_tier_profiles_resource_count(const svcq_tier_profiles *profiles, int32_t level);

/**
 * @brief A resource role of a level.
 * @param role     receives the role, borrowed until the level's resources
 *                 change or the set is freed.
 * @param count    receives its count.
 * @param profiles the set.
 * @param level    the level.
 * @param index    0 to svcq_tier_profiles_resource_count() - 1.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or a level out of range;
 *         SVCQ_ERANGE for an index out of range.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_profiles_resource_at(const char **role, uint32_t *count,
                                                           const svcq_tier_profiles *profiles,
                                                           int32_t level, size_t index);

/**
 * @brief Sets who receives a level's report.
 * @param profiles  the set.
 * @param level     the level.
 * @param recipient a svcq_report_recipient.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, a level out of range or an unknown
 *         recipient.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_profiles_set_report(svcq_tier_profiles *profiles, int32_t level,
                                                          int32_t recipient);

/**
 * @brief Who receives a level's report.
 * @param profiles the set.
 * @param level    the level.
 * @return a svcq_report_recipient; -1 for NULL or a level out of range.
 * @since 0.2
 */
SVCQ_API int32_t svcq_tier_profiles_report(const svcq_tier_profiles *profiles, int32_t level);

/**
 * @brief Sets how often a metric of a level is evaluated.
 * @param profiles the set.
 * @param level    the level.
 * @param metric   a svcq_eval_metric.
 * @param period   a svcq_eval_period (SVCQ_PERIOD_NONE: not evaluated).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, a level out of range, an unknown
 *         metric or period.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_profiles_set_evaluation(svcq_tier_profiles *profiles, int32_t level,
                                                              int32_t metric, int32_t period);

/**
 * @brief How often a metric of a level is evaluated.
 * @param profiles the set.
 * @param level    the level.
 * @param metric   a svcq_eval_metric.
 * @return a svcq_eval_period; -1 for NULL, a level or metric out of range.
 * @since 0.2
 */
SVCQ_API int32_t svcq_tier_profiles_evaluation(const svcq_tier_profiles *profiles, int32_t level,
                                               int32_t metric);

/**
 * @brief Sets the free-text note of a level ("priority on R&D and
 *        production resources; a dedicated budget").
 * @param profiles the set.
 * @param level    the level.
 * @param note     the note (copied; UTF-8, at most 4,096 bytes), NULL or ""
 *                 for none.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p profiles, a level out of range or
 *         a bad note; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_profiles_set_note(svcq_tier_profiles *profiles, int32_t level,
                                                        const char *note);

/**
 * @brief The note of a level.
 * @param profiles the set.
 * @param level    the level.
 * @return the note ("" when none), borrowed until it changes or the set is
 *         freed; NULL for NULL or a level out of range.
 * @since 0.2
 */
SVCQ_API const char *svcq_tier_profiles_note(const svcq_tier_profiles *profiles, int32_t level);

/**
 * @brief Writes the set as a JSON document (schema "svcq.tier_profiles/1",
 *        docs/format.md). Deterministic; import and export again give the
 *        same bytes.
 * @param profiles the set.
 * @param writer   where the text goes.
 * @param flags    0 or SVCQ_TIER_JSON_PRETTY.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments or unknown flags;
 *         SVCQ_ENOMEM; the writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_profiles_export_json(const svcq_tier_profiles *profiles,
                                                           const svcq_writer *writer, uint32_t flags);

/**
 * @brief Makes a profile set from a JSON document ("svcq.tier_profiles/1").
 * @param out  receives the set (caller-owned); NULL on failure.
 * @param ctx  the context.
 * @param json the document; need not be NUL-terminated.
 * @param size its length.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments or values the setters
 *         refuse; SVCQ_EPARSE for text that is not JSON; SVCQ_ECORRUPT for
 *         JSON that is not a profile document (missing or mistyped field,
 *         unknown label); SVCQ_EVERSION for a newer schema; SVCQ_ELIMIT;
 *         SVCQ_ENOMEM. The context message names the field.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_profiles_import_json(svcq_tier_profiles **out, svcq_ctx *ctx,
                                                           const char *json, size_t size);

/**
 * @brief Writes the set as a Markdown table, one row per level (policy,
 *        channels, assignment, resources, report, evaluation).
 * @param profiles the set.
 * @param writer   where the text goes.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments; SVCQ_ENOMEM; the
 *         writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_profiles_export_markdown(const svcq_tier_profiles *profiles,
                                                               const svcq_writer *writer);

/**
 * @brief Stores the set as the record (tier_profiles, @p id), with
 *        compare-and-swap on the revision the handle last saw (0 for a new
 *        id: the record must not exist), in one store transaction (or the
 *        open batch).
 * @param profiles the set.
 * @param id       the record id (copied).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or a bad id; SVCQ_ECONFLICT when
 *         the record changed since (or exists, for a new id); a storage
 *         error; SVCQ_ENOMEM. On failure the handle and store are unchanged.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_profiles_save(svcq_tier_profiles *profiles, const char *id);

/**
 * @brief Loads a stored profile set.
 * @param out receives the set, bound to its record; NULL on failure.
 * @param ctx the context.
 * @param id  the record id.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or a bad id; SVCQ_ENOTFOUND;
 *         SVCQ_ECORRUPT for a record that does not decode; SVCQ_EVERSION;
 *         a storage error; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_profiles_load(svcq_tier_profiles **out, svcq_ctx *ctx, const char *id);

/**
 * @brief Removes the set's record (compare-and-swap); the handle stays,
 *        unbound.
 * @param profiles the set.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ESTATE when never saved or
 *         loaded; SVCQ_ECONFLICT; SVCQ_ENOTFOUND; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tier_profiles_delete(svcq_tier_profiles *profiles);

/**
 * @brief The record id of the set.
 * @param profiles the set.
 * @return the id, borrowed until the next save or delete; NULL when unbound
 *         or for NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_tier_profiles_id(const svcq_tier_profiles *profiles);

/**
 * @brief The revision of the set's record as last saved or loaded.
 * @param profiles the set.
 * @return the revision; 0 when unbound or for NULL.
 * @since 0.2
 */
SVCQ_API uint64_t svcq_tier_profiles_revision(const svcq_tier_profiles *profiles);

/* ---- agents, teams and the assigner -------------------------------------- */

/** The agent-spec table version this header describes. */
#define SVCQ_AGENT_SPEC_VERSION 1

/**
 * An agent as svcq_assigner_put_agent() takes it. Everything is read during
 * the call and copied.
 */
typedef struct svcq_agent_spec {
    uint32_t version;           /**< SVCQ_AGENT_SPEC_VERSION */
    uint32_t reserved0;         /**< must be zero */
    const char *id;             /**< a store id (required) */
    const char *name;           /**< display name; NULL: the id */
    int64_t capacity;           /**< most open items at once, 1 to 1,000,000; 0: unlimited */
    int64_t weight;             /**< weighted round-robin weight, 1 to 1,000; 0: 1 */
    const char *const *skills;  /**< skill names (UTF-8, 1 to 128 bytes) */
    uint32_t skill_count;       /**< entries of @p skills, at most SVCQ_TIER_MAX_ITEMS */
    uint32_t reserved1;         /**< must be zero */
    const svcq_calendar *calendar; /**< working hours (copied), NULL: always on shift */
    uint64_t reserved[4];       /**< must be zero */
} svcq_agent_spec;

/** svcq_agent_spec with its version set and everything else zero. */
#define SVCQ_AGENT_SPEC_INIT { SVCQ_AGENT_SPEC_VERSION, 0, NULL, NULL, 0, 0, NULL, 0, 0, NULL, { 0 } }

/**
 * @brief Initialises an agent spec: everything zero, the version set.
 * @param spec    the table.
 * @param version SVCQ_AGENT_SPEC_VERSION (or an older version).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown
 *         version.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_agent_spec_init(svcq_agent_spec *spec, uint32_t version);

/** The assign-request table version this header describes. */
#define SVCQ_ASSIGN_REQUEST_VERSION 1

/** A request to assign (svcq_assigner_assign()); read during the call. */
typedef struct svcq_assign_request {
    uint32_t version;          /**< SVCQ_ASSIGN_REQUEST_VERSION */
    int32_t tier;              /**< the client's tier level (its route) */
    const char *item_id;       /**< the work item (ticket) id, a store id; required by assign */
    const char *client_id;     /**< the client (named agents); NULL for none */
    const char *const *skills; /**< skills the agent must have */
    uint32_t skill_count;      /**< entries of @p skills, at most SVCQ_TIER_MAX_ITEMS */
    int32_t strategy;          /**< -1: the tier's route; else a svcq_assign_strategy */
    const char *team_id;       /**< NULL: the tier's route; else this team */
    svcq_time at;              /**< the request instant (shifts and absence) */
    uint64_t reserved[4];      /**< must be zero */
} svcq_assign_request;

/** svcq_assign_request with its version set, strategy -1, else zero. */
#define SVCQ_ASSIGN_REQUEST_INIT { SVCQ_ASSIGN_REQUEST_VERSION, 0, NULL, NULL, NULL, 0, -1, NULL, 0, { 0 } }

/**
 * @brief Initialises an assign request: the version set, strategy -1,
 *        everything else zero.
 * @param request the table.
 * @param version SVCQ_ASSIGN_REQUEST_VERSION (or an older version).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown
 *         version.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_assign_request_init(svcq_assign_request *request, uint32_t version);

/** Agents, teams, routes and open work (opaque). */
typedef struct svcq_assigner svcq_assigner;
/** One assignment decision and its explanation (opaque, reusable). */
typedef struct svcq_assignment svcq_assignment;

/**
 * @brief Creates an empty assigner: no agents, no teams, no routes.
 * @param out receives it (caller-owned, svcq_assigner_free()); NULL on
 *            failure.
 * @param ctx the context.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_assigner_new(svcq_assigner **out, svcq_ctx *ctx);

/**
 * @brief Frees an assigner; NULL is a no-op. Undo entries of an open batch
 *        that would restore it are detached.
 * @param assigner the assigner.
 * @since 0.2
 */
SVCQ_API void svcq_assigner_free(svcq_assigner *assigner);

/**
 * @brief Adds an agent, or replaces the configuration of the agent with
 *        that id (its open items, absence and named clients stay).
 * @param assigner the assigner.
 * @param spec     the agent; its calendar is copied into the assigner's
 *                 context.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, a bad id, name or skill, a
 *         capacity or weight out of range, non-zero reserved fields;
 *         SVCQ_EVERSION for an unknown table version; SVCQ_ELIMIT for too
 *         many skills; SVCQ_ENOMEM; once bound (saved or loaded) a storage
 *         error or SVCQ_ECONFLICT. On failure nothing changes.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_assigner_put_agent(svcq_assigner *assigner, const svcq_agent_spec *spec);

/**
 * @brief Removes an agent that is in no team, serves no open item and is
 *        no client's named agent.
 * @param assigner the assigner.
 * @param agent_id the agent.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOTFOUND for an unknown
 *         agent; SVCQ_ESTATE when a team has it or it has open items;
 *         SVCQ_ENOMEM; once bound a storage error or SVCQ_ECONFLICT.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_assigner_remove_agent(svcq_assigner *assigner, const char *agent_id);

/**
 * @brief Marks an agent absent until an instant (a request at or after it
 *        finds the agent present again); 0 marks the agent present,
 *        INT64_MAX absent until further notice.
 * @param assigner the assigner.
 * @param agent_id the agent.
 * @param until    the instant.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or a negative instant;
 *         SVCQ_ENOTFOUND; SVCQ_ENOMEM; once bound a storage error or
 *         SVCQ_ECONFLICT.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_assigner_set_absent(svcq_assigner *assigner, const char *agent_id,
                                                     svcq_time until);

/**
 * @brief Adds or replaces a team. Members are kept in id order (the
 *        round-robin order); replacing a team starts its round-robin anew.
 * @param assigner the assigner.
 * @param team_id  the team id (a store id).
 * @param name     display name, NULL: the id.
 * @param kind     a svcq_team_kind.
 * @param members  agent ids, each an agent of the assigner, no duplicates.
 * @param count    entries of @p members, 1 to 100,000.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, bad names, an unknown kind, a
 *         duplicate member or no member; SVCQ_ENOTFOUND for a member that
 *         is not an agent of the assigner; SVCQ_ELIMIT; SVCQ_ENOMEM; once
 *         bound a storage error or SVCQ_ECONFLICT.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_assigner_put_team(svcq_assigner *assigner, const char *team_id,
                                                   const char *name, int32_t kind,
                                                   const char *const *members, size_t count);

/**
 * @brief Sets the route of a tier: the strategy and the team its requests
 *        go to.
 * @param assigner the assigner.
 * @param tier     the tier level, 0 to SVCQ_TIER_MAX_LEVELS - 1.
 * @param strategy a svcq_assign_strategy.
 * @param team_id  a team of the assigner.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, a tier out of range or an unknown
 *         strategy; SVCQ_ENOTFOUND for an unknown team; SVCQ_ENOMEM; once
 *         bound a storage error or SVCQ_ECONFLICT.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_assigner_set_route(svcq_assigner *assigner, int32_t tier, int32_t strategy,
                                                    const char *team_id);

/**
 * @brief Sets the routes of every level of a profile set that names a team
 *        (svcq_tier_profiles_set_assignment()), in one call: all or none.
 * @param assigner the assigner.
 * @param profiles the profile set; read during the call.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or a set of another context;
 *         SVCQ_ENOTFOUND for a team the assigner lacks; SVCQ_ENOMEM; once
 *         bound a storage error or SVCQ_ECONFLICT.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_assigner_use_profiles(svcq_assigner *assigner,
                                                       const svcq_tier_profiles *profiles);

/**
 * @brief Names (or, with NULL, forgets) the named agent of a client.
 * @param assigner  the assigner.
 * @param client_id the client (a store id).
 * @param agent_id  an agent of the assigner, or NULL.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or bad ids; SVCQ_ENOTFOUND for an
 *         unknown agent; SVCQ_ENOMEM; once bound a storage error or
 *         SVCQ_ECONFLICT.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_assigner_set_named_agent(svcq_assigner *assigner, const char *client_id,
                                                          const char *agent_id);

/**
 * @brief The named agent of a client.
 * @param assigner  the assigner.
 * @param client_id the client.
 * @return the agent id, borrowed until the assigner changes; NULL when the
 *         client has none, or for NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_assigner_named_agent(const svcq_assigner *assigner, const char *client_id);

/**
 * @brief Assigns a work item: picks an agent by the request's strategy,
 *        records the item as open work of that agent (its load grows by
 *        one), advances the team's round-robin state, and for
 *        SVCQ_ASSIGN_NAMED_AGENT names the agent for a client without one.
 *
 * Agents are considered in id order. An agent is skipped when absent at
 * the request instant, off shift (its calendar closed then), full (open
 * items at capacity), or lacking a requested skill; each skip is in the
 * decision. When nobody is available the call fails with SVCQ_ENOTFOUND and
 * @p out still holds the skips (svcq_assignment_explain() says why).
 *
 * @param out      the decision, overwritten (svcq_assignment_new()).
 * @param assigner the assigner.
 * @param request  the request; item_id is required.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, a bad table, a tier without route,
 *         a bad id, a decision of another context; SVCQ_EVERSION;
 *         SVCQ_EEXIST for an item already open; SVCQ_ENOTFOUND when no
 *         agent is available or the team is unknown; SVCQ_ERANGE for an
 *         instant outside the calendar range; SVCQ_ENOMEM; once bound a
 *         storage error or SVCQ_ECONFLICT. On failure the assigner is
 *         unchanged.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_assigner_assign(svcq_assignment *out, svcq_assigner *assigner,
                                                 const svcq_assign_request *request);

/**
 * @brief The decision svcq_assigner_assign() would make, without changing
 *        anything (item_id may be NULL).
 * @param out      the decision, overwritten.
 * @param assigner the assigner (its shift caches may be filled).
 * @param request  the request.
 * @return as svcq_assigner_assign(), without SVCQ_EEXIST and storage
 *         errors.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_assigner_preview(svcq_assignment *out, svcq_assigner *assigner,
                                                  const svcq_assign_request *request);

/**
 * @brief Releases an open item (resolved, closed or reassigned): its
 *        agent's load drops by one.
 * @param assigner the assigner.
 * @param item_id  the item.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOTFOUND when the item is
 *         not open; SVCQ_ENOMEM; once bound a storage error or
 *         SVCQ_ECONFLICT.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_assigner_release(svcq_assigner *assigner, const char *item_id);

/**
 * @brief The open items of an agent.
 * @param out      receives the count.
 * @param assigner the assigner.
 * @param agent_id the agent.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOTFOUND.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_assigner_agent_load(uint64_t *out, const svcq_assigner *assigner,
                                                     const char *agent_id);

/**
 * @brief The agent serving an open item.
 * @param assigner the assigner.
 * @param item_id  the item.
 * @return the agent id, borrowed until the assigner changes; NULL when the
 *         item is not open, or for NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_assigner_item_agent(const svcq_assigner *assigner, const char *item_id);

/**
 * @brief Writes the whole assigner as a JSON document (schema
 *        "svcq.assigner/1", docs/format.md): agents with their calendars,
 *        teams, routes, named agents, open items and round-robin state.
 *        Deterministic (everything in id order).
 * @param assigner the assigner.
 * @param writer   where the text goes.
 * @param flags    0 or SVCQ_TIER_JSON_PRETTY.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or unknown flags; SVCQ_ESTATE for
 *         a calendar whose zone has no name; SVCQ_ENOMEM; the writer's
 *         error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_assigner_export_json(const svcq_assigner *assigner, const svcq_writer *writer,
                                                      uint32_t flags);

/**
 * @brief Makes an assigner from a JSON document ("svcq.assigner/1"); it is
 *        unbound (not saved).
 * @param out          receives it (caller-owned); NULL on failure.
 * @param ctx          the context.
 * @param json         the document; need not be NUL-terminated.
 * @param size         its length.
 * @param zoneinfo_dir where calendars' zones are loaded from, NULL for the
 *                     default.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or values the setters refuse;
 *         SVCQ_EPARSE; SVCQ_ECORRUPT for JSON that is not an assigner
 *         document or state that contradicts itself (an open item of an
 *         unknown agent); SVCQ_EVERSION; SVCQ_ENOTFOUND for an unknown zone;
 *         SVCQ_ELIMIT; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_assigner_import_json(svcq_assigner **out, svcq_ctx *ctx, const char *json,
                                                      size_t size, const char *zoneinfo_dir);

/**
 * @brief Stores the assigner and binds it: one record per agent (kind
 *        "agent", id = agent id), per team (kind "team") and the assigner's
 *        own record (kind "assigner", @p id: routes, named agents, open
 *        items, absence, round-robin state), in one transaction, each with
 *        compare-and-swap on the revision last seen (new records must not
 *        exist). From then on every change writes through (removing an
 *        agent deletes its record). Agent and team ids are store-wide.
 * @param assigner the assigner.
 * @param id       the assigner record id.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or a bad id; SVCQ_ESTATE for an id
 *         other than the bound one; SVCQ_ECONFLICT; a storage error;
 *         SVCQ_ENOMEM. On failure nothing changes.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_assigner_save(svcq_assigner *assigner, const char *id);

/**
 * @brief Loads a stored assigner (its record, then the records of its
 *        agents and teams); bound.
 * @param out          receives it; NULL on failure.
 * @param ctx          the context.
 * @param id           the assigner record id.
 * @param zoneinfo_dir where calendars' zones are loaded from, NULL for the
 *                     default.
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ENOTFOUND when a record is missing;
 *         SVCQ_ECORRUPT; SVCQ_EVERSION; a storage error; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_assigner_load(svcq_assigner **out, svcq_ctx *ctx, const char *id,
                                               const char *zoneinfo_dir);

/**
 * @brief The record id of a bound assigner.
 * @param assigner the assigner.
 * @return the id (borrowed, for the handle's life); NULL when unbound or
 *         for NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_assigner_id(const svcq_assigner *assigner);

/**
 * @brief The revision of the assigner's own record as last written or read.
 * @param assigner the assigner.
 * @return the revision; 0 when unbound or for NULL.
 * @since 0.2
 */
SVCQ_API uint64_t svcq_assigner_revision(const svcq_assigner *assigner);

/**
 * @brief Creates an empty decision, to be filled by svcq_assigner_assign()
 *        or svcq_assigner_preview() (and reused: no allocation per
 *        decision once it has grown).
 * @param out receives it (caller-owned, svcq_assignment_free()).
 * @param ctx the context.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_assignment_new(svcq_assignment **out, svcq_ctx *ctx);

/**
 * @brief Frees a decision; NULL is a no-op.
 * @param decision the decision.
 * @since 0.2
 */
SVCQ_API void svcq_assignment_free(svcq_assignment *decision);

/**
 * @brief The chosen agent.
 * @param decision the decision.
 * @return the agent id, borrowed until the decision is filled again or
 *         freed; NULL when none was chosen, or for NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_assignment_agent(const svcq_assignment *decision);

/**
 * @brief The team the decision searched (NULL for a named agent found
 *        without falling back), borrowed as svcq_assignment_agent().
 * @param decision the decision.
 * @return the team id, or NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_assignment_team(const svcq_assignment *decision);

/**
 * @brief The strategy of the decision.
 * @param decision the decision.
 * @return a svcq_assign_strategy; -1 for NULL or an empty decision.
 * @since 0.2
 */
SVCQ_API int32_t svcq_assignment_strategy(const svcq_assignment *decision);

/**
 * @brief Whether a named-agent decision fell back to the team.
 * @param decision the decision.
 * @return 1 when it did, else 0.
 * @since 0.2
 */
SVCQ_API int32_t svcq_assignment_fallback(const svcq_assignment *decision);

/**
 * @brief The number of agents the decision passed over.
 * @param decision the decision.
 * @return the count; 0 for NULL.
 * @since 0.2
 */
SVCQ_API size_t svcq_assignment_skipped_count(const svcq_assignment *decision);

/**
 * @brief One agent the decision passed over, in the order considered.
 * @param agent_id receives the agent id (borrowed as
 *                 svcq_assignment_agent()).
 * @param reason   receives a svcq_assign_skip.
 * @param detail   receives the missing skill for SVCQ_SKIP_SKILL, else ""
 *                 (may be NULL).
 * @param decision the decision.
 * @param index    0 to svcq_assignment_skipped_count() - 1.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ERANGE for an index out of
 *         range.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_assignment_skipped_at(const char **agent_id, int32_t *reason,
                                                       const char **detail, const svcq_assignment *decision,
                                                       size_t index);

/**
 * @brief Writes the decision as one paragraph of English text ("item T-1
 *        (client acme, tier 2): named agent lin is off shift at ...; fell
 *        back to team t2 by least load: chose wang (2 open)").
 * @param decision the decision.
 * @param writer   where the text goes.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOMEM; the writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_assignment_explain(const svcq_assignment *decision,
                                                    const svcq_writer *writer);

/**
 * @brief Writes the decision as JSON (schema "svcq.assignment/1").
 * @param decision the decision.
 * @param writer   where the text goes.
 * @param flags    0 or SVCQ_TIER_JSON_PRETTY.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or unknown flags; SVCQ_ENOMEM; the
 *         writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_assignment_export_json(const svcq_assignment *decision,
                                                        const svcq_writer *writer, uint32_t flags);

#ifdef __cplusplus
}
#endif

#endif
