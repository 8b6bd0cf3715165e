/**
 * @file svcq/scorecard.h
 * @brief Scorecard templates, scoring rules, the one-vote veto and the
 *        general manager's orders, periods and cards, the weighted
 *        composite and the ranking, with their exports.
 *
 * ## The model
 *
 * - A **template** (svcq_scorecard_template, versioned, stored as a record
 *   of kind `scorecard_template` under "<name>@<version>", immutable once
 *   saved) has sections and **items**: key, name, maximum points, a
 *   **scoring rule** and where the value comes from (free text: "host",
 *   "metrics:complaint_timeliness_rate", ...). It also holds **veto
 *   rules** and the **composite settings** (weights and what a veto does to
 *   the composite). No code is ever evaluated: a rule is one of
 *   svcq_scorecard_rule with numeric parameters.
 * - **Fixed point.** Points, values, shares and satisfaction are int64_t
 *   in thousandths (SVCQ_SCORECARD_SCALE = 1000): 35 points are 35000, a
 *   rate of 97.5 % is 97500, 3 events are 3000, a share of 90.5 % is
 *   90500. Divisions round half away from zero to the nearest thousandth,
 *   so results are exact, portable and ties are real ties.
 * - **Rules.** MANUAL: the value is the points. RATE: full points at the
 *   target or better, zero at the floor or worse, linear between
 *   (points = max × (value − floor) / (target − floor)); higher is better
 *   when floor < target, lower is better when floor > target (the
 *   direction field must agree). DEDUCTION: max − per_event × value / 1000
 *   (value counts events), never below zero. BANDS: contiguous value
 *   ranges [from, to) — the last one closed [from, to] — each worth fixed
 *   points; a gap or an overlap is refused when the item is added, a value
 *   outside every band is refused when set. Whatever the rule, the points
 *   are then **clamped** to [0, max] and the card says which were.
 * - **Not applicable.** An item marked N/A in a period (with a reason) is
 *   left out: it scores nothing and its maximum leaves the card's maximum,
 *   so the card's **share** = points / applicable maximum × 100 is not
 *   pulled down by an item that could not be assessed. The card shows both
 *   maxima and every N/A reason.
 * - **Cards and periods.** A period (svcq_scorecard_period: a label such
 *   as "2026-01" and the instants [starts_at, ends_at)) holds one card per
 *   assessed unit — any subject string: a branch, a department, a team, a
 *   person. Cards are lifecycle records (kind `scorecard`, id
 *   "<template>@<version>/<period>/<unit>"): every change writes the card
 *   through with compare-and-swap in one store transaction (or the open
 *   batch) and the handle changes only when it commits. Closing a period
 *   freezes its cards; after that a value changes only by a correction,
 *   which names its reason and is kept in the card's history.
 * - **The one-vote veto.** A veto overrides the points: the card keeps
 *   its points but its result is "vetoed", with every reason recorded and
 *   shown. A MANUAL veto rule is applied by the host
 *   (svcq_scorecard_veto()); an ORDERS veto rule counts the general
 *   manager's orders (svcq_scorecard_order_issue()) whose 24-hour reply
 *   was breached: an order is an SLA target "reply" (start "issued", meet
 *   "answered", 24 h on the 7×24 calendar) run on a real svcq_sla_clock;
 *   it is on time when answered at or before issued + 24 h (sla.h's
 *   deadline rule: 24 h 00 min 00 s is on time, one second more is late)
 *   and breached from due + 1 s while unanswered. A head with `threshold`
 *   (3) breached orders issued in the period is vetoed, and so is the card
 *   of every unit the head's orders of the period name, and the card whose
 *   unit is the head. What a veto does to the composite and the ranking is
 *   the template's veto effect: ZERO (the score becomes 0), CAP (at most
 *   the cap) or EXCLUDE (not ranked).
 * - **Composite.** The half-year or annual composite of a unit is
 *   card_percent × card share + satisfaction_percent × satisfaction, over
 *   100 (60/40 by default). The card share over several months is the
 *   mean of the monthly shares of the months in which the unit has a card
 *   (months without applicable items are left out). Satisfaction is 0–100
 *   (thousandths); from a CSAT mean on the 1–5 scale it is
 *   (mean − 1) / 4 × 100 (svcq_scorecard_csat_satisfaction()). A unit
 *   vetoed in any month is vetoed in the composite.
 * - **Ranking.** By score, highest first, "competition ranking": equal
 *   scores (to the thousandth) share a rank and the next rank skips
 *   (1, 2, 2, 4); equal scores are listed by unit id (byte order).
 *   Excluded units come last with rank 0. Against a previous ranking each
 *   entry has its previous rank and the change (positive: moved up).
 * - **Double track.** A complaint caused by a person is recorded against
 *   the person and the process as two subjects
 *   (svcq_scorecard_double_track()): both cards get the events, each with
 *   a log entry naming the other.
 *
 * The built-in telecom template (svcq_scorecard_template_builtin()) has
 * the nine items of the source, 94 points: the source is cut off, the
 * template's note says so, and nothing pads it to 100 (the composite uses
 * the share of the maximum). docs/scorecard.md has the table and a worked
 * example.
 *
 * ## Ownership and threads
 * A period and a ranking hold a reference on their template, which
 * becomes immutable (as when saved); svcq_scorecard_template_free() may be
 * called while they live. Pointers returned by getters belong to their
 * handle and stay valid until it changes or is freed. Everything made from
 * one context is used by one thread at a time; handles never cross
 * contexts.
 */
#ifndef SVCQ_SCORECARD_H
#define SVCQ_SCORECARD_H

#include "common.h"
#include "context.h"
#include "store.h"
#include "writer.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque scorecard template. */
typedef struct svcq_scorecard_template svcq_scorecard_template;
/** Opaque period: the cards of one template for one period. */
typedef struct svcq_scorecard_period svcq_scorecard_period;
/** Opaque ranking: composites or cards of units over periods. */
typedef struct svcq_scorecard_ranking svcq_scorecard_ranking;

/** Fixed point: points, values, shares are thousandths. */
#define SVCQ_SCORECARD_SCALE 1000
/** Most bands of one item. */
#define SVCQ_SCORECARD_MAX_BANDS 16
/** Most items of a template. */
#define SVCQ_SCORECARD_MAX_ITEMS 256
/** Largest maximum points of one item (1000 points). */
#define SVCQ_SCORECARD_MAX_POINTS 1000000
/** Largest magnitude of a value or rule parameter (10^9 units). */
#define SVCQ_SCORECARD_MAX_VALUE 1000000000000

/** Scoring rules of an item. */
typedef enum svcq_scorecard_rule {
    SVCQ_SCORECARD_RULE_MANUAL = 0,    /**< the value is the points */
    SVCQ_SCORECARD_RULE_RATE = 1,      /**< a rate against a target, linear from a floor */
    SVCQ_SCORECARD_RULE_DEDUCTION = 2, /**< max − per_event × events, floor 0 */
    SVCQ_SCORECARD_RULE_BANDS = 3      /**< value ranges → points */
} svcq_scorecard_rule;

/** Direction of a RATE rule. */
typedef enum svcq_scorecard_direction {
    SVCQ_SCORECARD_HIGHER_BETTER = 0, /**< floor < target */
    SVCQ_SCORECARD_LOWER_BETTER = 1   /**< floor > target */
} svcq_scorecard_direction;

/** Kinds of veto rule. */
typedef enum svcq_scorecard_veto_kind {
    SVCQ_SCORECARD_VETO_MANUAL = 0, /**< applied by the host with a reason */
    SVCQ_SCORECARD_VETO_ORDERS = 1  /**< threshold breached order replies per head per period */
} svcq_scorecard_veto_kind;

/** What a veto does to the composite and the ranking. */
typedef enum svcq_scorecard_veto_effect {
    SVCQ_SCORECARD_EFFECT_ZERO = 0,   /**< the score becomes 0 (ranked) */
    SVCQ_SCORECARD_EFFECT_CAP = 1,    /**< the score is at most the cap (ranked) */
    SVCQ_SCORECARD_EFFECT_EXCLUDE = 2 /**< not ranked: listed last with rank 0 */
} svcq_scorecard_veto_effect;

/** Export formats. */
typedef enum svcq_scorecard_format {
    SVCQ_SCORECARD_MARKDOWN = 0, /**< a Markdown table */
    SVCQ_SCORECARD_JSON = 1,     /**< JSON (templates: the stored document) */
    SVCQ_SCORECARD_CSV = 2,      /**< RFC 4180 CSV with a header row */
    SVCQ_SCORECARD_SVG = 3       /**< an SVG bar chart (rankings only) */
} svcq_scorecard_format;

/** What a ranking ranks by. */
typedef enum svcq_scorecard_basis {
    SVCQ_SCORECARD_BASIS_CARD = 0,     /**< the card share alone */
    SVCQ_SCORECARD_BASIS_COMPOSITE = 1 /**< the weighted card share and satisfaction */
} svcq_scorecard_basis;

/** Built-in templates. */
typedef enum svcq_scorecard_builtin_id {
    SVCQ_SCORECARD_BUILTIN_TELECOM = 1 /**< the telecom operator's monthly branch assessment (94 points) */
} svcq_scorecard_builtin_id;

/** Flag of svcq_scorecard_template_export(): indented JSON. */
#define SVCQ_SCORECARD_JSON_PRETTY 1u

/**
 * @brief The name of a svcq_scorecard_rule ("manual", "rate", "deduction", "bands").
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_scorecard_rule_name(int32_t rule);
/**
 * @brief The name of a svcq_scorecard_direction ("higher_better", "lower_better").
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_scorecard_direction_name(int32_t direction);
/**
 * @brief The name of a svcq_scorecard_veto_kind ("manual", "orders").
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_scorecard_veto_kind_name(int32_t kind);
/**
 * @brief The name of a svcq_scorecard_veto_effect ("zero", "cap", "exclude").
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_scorecard_veto_effect_name(int32_t effect);
/**
 * @brief The name of a svcq_scorecard_format ("markdown", "json", "csv", "svg").
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_scorecard_format_name(int32_t format);
/**
 * @brief The name of a svcq_scorecard_basis ("card", "composite").
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_scorecard_basis_name(int32_t basis);
/**
 * @brief The name of a svcq_scorecard_builtin_id ("telecom").
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_scorecard_builtin_id_name(int32_t id);

/* ---- templates ----------------------------------------------------------- */

/** The item-spec version this header describes. Version history: 1 (0.2). */
#define SVCQ_SCORECARD_ITEM_SPEC_VERSION 1

/**
 * One item for svcq_scorecard_template_add_item(). Strings are copied.
 * Only the fields of the item's rule are read; the others must be zero.
 */
typedef struct svcq_scorecard_item_spec {
    uint32_t version;       /**< SVCQ_SCORECARD_ITEM_SPEC_VERSION */
    int32_t rule;           /**< svcq_scorecard_rule */
    const char *section;    /**< key of a section added before */
    const char *key;        /**< unique in the template: a-z, 0-9, _ (1 to 64 bytes) */
    const char *name;       /**< what people read, UTF-8 */
    const char *source;     /**< where the value comes from; NULL or "" means "host" */
    int64_t max_points;     /**< thousandths, 1 to SVCQ_SCORECARD_MAX_POINTS */
    int32_t direction;      /**< RATE: svcq_scorecard_direction */
    uint32_t band_count;    /**< BANDS: bands used, 1 to SVCQ_SCORECARD_MAX_BANDS */
    int64_t target;         /**< RATE: full points at or beyond it (thousandths) */
    int64_t floor;          /**< RATE: zero points at or beyond it (thousandths) */
    int64_t per_event;      /**< DEDUCTION: points per event (thousandths), > 0 */
    int64_t band_from[SVCQ_SCORECARD_MAX_BANDS];   /**< BANDS: lower bounds, inclusive */
    int64_t band_to[SVCQ_SCORECARD_MAX_BANDS];     /**< BANDS: upper bounds, exclusive but for the last */
    int64_t band_points[SVCQ_SCORECARD_MAX_BANDS]; /**< BANDS: points of each band (thousandths, ≥ 0) */
    uint64_t reserved[4];   /**< must be zero */
} svcq_scorecard_item_spec;

/** Static initialiser equal to svcq_scorecard_item_spec_init(&s, SVCQ_SCORECARD_ITEM_SPEC_VERSION). */
#define SVCQ_SCORECARD_ITEM_SPEC_INIT { SVCQ_SCORECARD_ITEM_SPEC_VERSION, 0, NULL, NULL, NULL, NULL, 0, 0, 0, \
                                        0, 0, 0, { 0 }, { 0 }, { 0 }, { 0 } }

/**
 * @brief Fills @p spec with an empty item of spec version @p version.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown version.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_item_spec_init(svcq_scorecard_item_spec *spec, uint32_t version);

/** The veto-spec version this header describes. Version history: 1 (0.2). */
#define SVCQ_SCORECARD_VETO_SPEC_VERSION 1

/** One veto rule for svcq_scorecard_template_add_veto(). Strings are copied. */
typedef struct svcq_scorecard_veto_spec {
    uint32_t version;     /**< SVCQ_SCORECARD_VETO_SPEC_VERSION */
    int32_t kind;         /**< svcq_scorecard_veto_kind */
    const char *key;      /**< unique among the template's veto rules: a-z, 0-9, _ (1 to 64 bytes) */
    const char *name;     /**< what people read, UTF-8 */
    uint32_t threshold;   /**< ORDERS: breached orders per head per period that veto (≥ 1); MANUAL: 0 */
    uint32_t reserved0;   /**< must be zero */
    uint64_t reserved[4]; /**< must be zero */
} svcq_scorecard_veto_spec;

/** Static initialiser equal to svcq_scorecard_veto_spec_init(&s, SVCQ_SCORECARD_VETO_SPEC_VERSION). */
#define SVCQ_SCORECARD_VETO_SPEC_INIT { SVCQ_SCORECARD_VETO_SPEC_VERSION, 0, NULL, NULL, 0, 0, { 0 } }

/**
 * @brief Fills @p spec with an empty veto rule of spec version @p version.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown version.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_veto_spec_init(svcq_scorecard_veto_spec *spec, uint32_t version);

/**
 * @brief Creates an empty template (weights 60/40, veto effect ZERO).
 * @param out     receives the template, owned by the caller (svcq_scorecard_template_free()).
 * @param ctx     the context it allocates through.
 * @param name    1 to 64 bytes of UTF-8 without control characters, '/' or '@'; copied.
 * @param version at least 1.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments, a bad name or version 0; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_template_new(svcq_scorecard_template **out, svcq_ctx *ctx,
                                                        const char *name, uint32_t version);

/**
 * @brief Releases the caller's reference; periods and rankings keep theirs. NULL is a no-op.
 * @since 0.2
 */
SVCQ_API void svcq_scorecard_template_free(svcq_scorecard_template *tpl);

/**
 * @brief Adds a section (items name it by key).
 * @param key   a-z, 0-9, _ (1 to 64 bytes), unique in the template.
 * @param title what people read, UTF-8, 1 to 255 bytes.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or bad strings or a key in use;
 *         SVCQ_ESTATE once the template is saved or used (make a new
 *         version); SVCQ_ELIMIT beyond SVCQ_SCORECARD_MAX_ITEMS sections;
 *         SVCQ_ENOMEM. On failure the template is unchanged.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_template_add_section(svcq_scorecard_template *tpl, const char *key,
                                                                const char *title);

/**
 * @brief Adds an item.
 * @return SVCQ_OK; SVCQ_EINVAL for an invalid spec (unknown section or
 *         rule, a key in use, a maximum out of range, a rate whose floor
 *         and target disagree with its direction or are equal, a deduction
 *         without a positive per-event, bands with a gap, an overlap, an
 *         empty range or negative points, a non-zero field of another rule
 *         or reserved field), with the message naming the item and field;
 *         SVCQ_EVERSION for an unknown spec version; SVCQ_ESTATE once the
 *         template is saved or used; SVCQ_ELIMIT beyond
 *         SVCQ_SCORECARD_MAX_ITEMS; SVCQ_ENOMEM. On failure the template is
 *         unchanged.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_template_add_item(svcq_scorecard_template *tpl,
                                                             const svcq_scorecard_item_spec *spec);

/**
 * @brief Adds a veto rule.
 * @return SVCQ_OK; SVCQ_EINVAL for an invalid spec (unknown kind, a key in
 *         use, ORDERS with threshold 0, MANUAL with a threshold, non-zero
 *         reserved fields); SVCQ_EVERSION; SVCQ_ESTATE once saved or used;
 *         SVCQ_ELIMIT beyond 16 rules; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_template_add_veto(svcq_scorecard_template *tpl,
                                                             const svcq_scorecard_veto_spec *spec);

/**
 * @brief Sets the template's note (where it comes from, what it leaves out).
 * @param note UTF-8, copied, up to 4096 bytes; NULL or "" removes it.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p tpl or a bad note; SVCQ_ESTATE once saved or used; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_template_set_note(svcq_scorecard_template *tpl, const char *note);

/**
 * @brief Sets the composite: weights and the veto effect.
 * @param card_percent         weight of the card share, 0 to 100.
 * @param satisfaction_percent weight of satisfaction; the two add up to 100.
 * @param veto_effect          a svcq_scorecard_veto_effect.
 * @param cap                  for EFFECT_CAP: the highest score of a vetoed unit, thousandths of a
 *                             percent (0 to 100000); 0 for the other effects.
 * @return SVCQ_OK; SVCQ_EINVAL for weights that do not add up to 100, an
 *         unknown effect or a bad cap; SVCQ_ESTATE once saved or used.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_template_set_composite(svcq_scorecard_template *tpl,
                                                                  uint32_t card_percent,
                                                                  uint32_t satisfaction_percent,
                                                                  int32_t veto_effect, int64_t cap);

/**
 * @brief Reads the composite settings back (any output may be NULL).
 * @return SVCQ_OK; SVCQ_EINVAL for a NULL template.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_template_composite(uint32_t *card_percent,
                                                              uint32_t *satisfaction_percent,
                                                              int32_t *veto_effect, int64_t *cap,
                                                              const svcq_scorecard_template *tpl);

/**
 * @brief The template's name, owned by it.
 * @return that value; "" for NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_scorecard_template_name(const svcq_scorecard_template *tpl);
/**
 * @brief The template's version.
 * @return that value; 0 for NULL.
 * @since 0.2
 */
SVCQ_API uint32_t svcq_scorecard_template_version(const svcq_scorecard_template *tpl);
/**
 * @brief The template's note, owned by it.
 * @return that value; "" when none or for NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_scorecard_template_note(const svcq_scorecard_template *tpl);
/**
 * @brief Number of items.
 * @return that value; 0 for NULL.
 * @since 0.2
 */
SVCQ_API uint32_t svcq_scorecard_template_item_count(const svcq_scorecard_template *tpl);
/**
 * @brief Number of veto rules.
 * @return that value; 0 for NULL.
 * @since 0.2
 */
SVCQ_API uint32_t svcq_scorecard_template_veto_count(const svcq_scorecard_template *tpl);
/**
 * @brief The sum of every item's maximum points (thousandths): the card's
 *        maximum when no item is N/A. The built-in telecom template says 94000.
 * @return that value; 0 for NULL.
 * @since 0.2
 */
SVCQ_API int64_t svcq_scorecard_template_max_points(const svcq_scorecard_template *tpl);

/**
 * @brief Reads item @p index back into @p out (strings owned by the template).
 * @p out must be initialised (version set) by the caller.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOTFOUND for an index out of
 *         range; SVCQ_EVERSION for an unknown spec version.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_template_item(svcq_scorecard_item_spec *out,
                                                         const svcq_scorecard_template *tpl, uint32_t index);

/**
 * @brief Reads veto rule @p index back into @p out (strings owned by the template).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOTFOUND out of range; SVCQ_EVERSION.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_template_veto(svcq_scorecard_veto_spec *out,
                                                         const svcq_scorecard_template *tpl, uint32_t index);

/**
 * @brief Makes a built-in template (version 1).
 *
 * SVCQ_SCORECARD_BUILTIN_TELECOM is "telecom-branch": the nine items of
 * the source's monthly assessment in two sections (94 points, MANUAL rules
 * but for "complaint_timeliness" and "mobile_complaint_rate", rates, and
 * "gm_hotline_escalations", a deduction per event), the veto rule
 * "gm_orders" (ORDERS, threshold 3), weights 60/40, effect ZERO, and a
 * note saying the source is cut off at 94 points. docs/scorecard.md lists
 * it. The targets and floors of the two rates and the deduction per event
 * are the library's (the source gives none): change them in a new version.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or an unknown id; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_template_builtin(svcq_scorecard_template **out, svcq_ctx *ctx,
                                                            int32_t id);

/**
 * @brief Writes the template as JSON ("svcq.scorecard_template/1", docs/format.md)
 *        or as a Markdown table of its sections, items, rules and veto rules.
 * @param format SVCQ_SCORECARD_JSON or SVCQ_SCORECARD_MARKDOWN.
 * @param flags  SVCQ_SCORECARD_JSON_PRETTY for indented JSON, else 0.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, another format or unknown flags;
 *         the writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_template_export(const svcq_scorecard_template *tpl,
                                                           const svcq_writer *writer, int32_t format,
                                                           uint32_t flags);

/**
 * @brief Reads a template from its JSON document (as exported).
 *
 * Every item and rule is checked as by the setters; the export of the
 * result is byte for byte the export the document came from.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EPARSE for text that is not
 *         JSON; SVCQ_ECORRUPT for a document that is not a valid template
 *         (the message names the field); SVCQ_EVERSION for a newer schema;
 *         SVCQ_ELIMIT; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_template_import(svcq_scorecard_template **out, svcq_ctx *ctx,
                                                           const char *json, size_t size);

/**
 * @brief Stores the template (kind `scorecard_template`, id "<name>@<version>").
 *
 * A saved version is immutable: saving an equal template again succeeds
 * and stores nothing; other content under the same id is refused.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EEXIST when the store holds
 *         this version with other content; SVCQ_ENOMEM; a storage error.
 *         On failure the handle is unchanged.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_template_save(svcq_scorecard_template *tpl);

/**
 * @brief Loads a stored template version.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or a bad name or version;
 *         SVCQ_ENOTFOUND; SVCQ_ECORRUPT; SVCQ_EVERSION; SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_template_load(svcq_scorecard_template **out, svcq_ctx *ctx,
                                                         const char *name, uint32_t version);

/**
 * @brief The store revision the template was last saved or loaded at.
 * @return that value; 0 when never saved or for NULL.
 * @since 0.2
 */
SVCQ_API uint64_t svcq_scorecard_template_revision(const svcq_scorecard_template *tpl);

/* ---- orders of the general manager ------------------------------------- */

/**
 * @brief Records an order of the general manager to a department head
 *        (kind `scorecard_order`), whose reply is due within
 *        @p reply_seconds on the 7×24 calendar.
 * @param id            the order's id, 1 to 255 bytes, no control characters.
 * @param unit          the department (a unit of the cards), 1 to 255 bytes.
 * @param head          the head it is addressed to, 1 to 255 bytes.
 * @param issued_at     when it was issued.
 * @param reply_seconds the reply's deadline; 0 means 86400 (24 hours).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or bad strings, an unset time (0,
 *         -1) or a negative duration; SVCQ_ERANGE for an instant outside
 *         the calendar range; SVCQ_EEXIST for an order id already stored;
 *         SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_order_issue(svcq_ctx *ctx, const char *id, const char *unit,
                                                       const char *head, svcq_time issued_at,
                                                       int64_t reply_seconds);

/**
 * @brief Records the reply to an order (once).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, an unset time or one before the
 *         issue; SVCQ_ENOTFOUND for an unknown order; SVCQ_ESTATE when
 *         already answered; SVCQ_ECONFLICT; SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_order_answer(svcq_ctx *ctx, const char *id, svcq_time answered_at);

/**
 * @brief The state of an order's reply at @p at, from its SLA clock.
 * @param state  receives a svcq_sla_state: RUNNING (open, not due yet),
 *               MET (answered on time) or BREACHED (answered late, or not
 *               answered by due + 1 s); may be NULL.
 * @param due_at receives the reply's due time; may be NULL.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOTFOUND; SVCQ_ECORRUPT; SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_order_status(int32_t *state, svcq_time *due_at, svcq_ctx *ctx,
                                                        const char *id, svcq_time at);

/**
 * @brief Counts the orders to @p head issued in [@p from, @p to) whose
 *        reply is breached at @p at.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ECORRUPT; SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_orders_breached(uint32_t *count, svcq_ctx *ctx, const char *head,
                                                           svcq_time from, svcq_time to, svcq_time at);

/* ---- periods and cards ---------------------------------------------------- */

/**
 * @brief Creates an empty, open period of @p tpl (nothing is stored until a card is added).
 * @param label     the period's name, e.g. "2026-01": 1 to 64 bytes without control characters or '/'.
 * @param starts_at first instant of the period (orders issued from here count).
 * @param ends_at   first instant after it; later than @p starts_at.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, a bad label or instants; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_period_new(svcq_scorecard_period **out, svcq_scorecard_template *tpl,
                                                      const char *label, svcq_time starts_at,
                                                      svcq_time ends_at);

/**
 * @brief Loads the stored cards of a period of @p tpl.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or a bad label; SVCQ_ENOTFOUND
 *         when no card of that period is stored; SVCQ_ECORRUPT for a card
 *         that does not decode or does not fit the template; SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_period_load(svcq_scorecard_period **out,
                                                       svcq_scorecard_template *tpl, const char *label);

/**
 * @brief Frees a period; NULL is a no-op.
 * @since 0.2
 */
SVCQ_API void svcq_scorecard_period_free(svcq_scorecard_period *period);

/**
 * @brief The period's label, owned by it.
 * @return that value; "" for NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_scorecard_period_label(const svcq_scorecard_period *period);
/**
 * @brief Whether the period is closed.
 * @return 1 closed, 0 open or NULL.
 * @since 0.2
 */
SVCQ_API int32_t svcq_scorecard_period_closed(const svcq_scorecard_period *period);
/**
 * @brief Number of cards (units).
 * @return that value; 0 for NULL.
 * @since 0.2
 */
SVCQ_API uint32_t svcq_scorecard_period_unit_count(const svcq_scorecard_period *period);
/**
 * @brief The unit of card @p index (cards are kept in the order they were added; a load sorts them by unit).
 * @return a string owned by the period, valid until it changes; NULL out of range.
 * @since 0.2
 */
SVCQ_API const char *svcq_scorecard_period_unit(const svcq_scorecard_period *period, uint32_t index);

/**
 * @brief Adds an empty card for @p unit (written through).
 * @param unit 1 to 255 bytes of UTF-8 without control characters.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or a bad unit; SVCQ_EEXIST for a
 *         unit already in the period (or stored by another handle);
 *         SVCQ_ESTATE for a closed period; SVCQ_ELIMIT; SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_period_add_unit(svcq_scorecard_period *period, const char *unit);

/**
 * @brief Sets the value of one item on a card (written through).
 *
 * The value is in thousandths of the item's unit: points for MANUAL, the
 * rate for RATE, events for DEDUCTION, the banded quantity for BANDS. It
 * also makes the item applicable again.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOTFOUND for an unknown unit
 *         or item; SVCQ_ERANGE for a value beyond SVCQ_SCORECARD_MAX_VALUE,
 *         a negative DEDUCTION count or a value outside every band;
 *         SVCQ_ESTATE for a closed period (use svcq_scorecard_correct());
 *         SVCQ_ECONFLICT when the stored card changed; SVCQ_ENOMEM; a
 *         storage error. On failure the period is unchanged.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_set_value(svcq_scorecard_period *period, const char *unit,
                                                     const char *item, int64_t value);

/**
 * @brief Sets @p count values of one card in one write (as svcq_scorecard_set_value() each).
 * @return as svcq_scorecard_set_value(); all or nothing.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_set_values(svcq_scorecard_period *period, const char *unit,
                                                      const char *const *items, const int64_t *values,
                                                      uint32_t count);

/**
 * @brief Marks an item not applicable on a card, with a reason, or applicable again.
 * @param reason why it is not applicable (UTF-8, 1 to 1024 bytes); NULL
 *               makes it applicable again (its value, if any, counts again).
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ENOTFOUND; SVCQ_ESTATE for a closed
 *         period; SVCQ_ECONFLICT; SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_set_na(svcq_scorecard_period *period, const char *unit,
                                                  const char *item, const char *reason);

/**
 * @brief Applies (or lifts) a MANUAL veto rule to a card, with its reason.
 * @param rule   the key of a MANUAL veto rule of the template.
 * @param reason why (UTF-8, 1 to 1024 bytes); NULL lifts the veto.
 * @return SVCQ_OK; SVCQ_EINVAL (also for an ORDERS rule: those come from
 *         the orders); SVCQ_ENOTFOUND for an unknown unit or rule;
 *         SVCQ_ESTATE for a closed period; SVCQ_ECONFLICT; SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_veto(svcq_scorecard_period *period, const char *unit,
                                                const char *rule, const char *reason);

/**
 * @brief Double-track assessment: adds @p amount (thousandths, > 0) to
 *        @p item on the cards of @p person and of @p process, in one
 *        transaction, each with a log entry naming the other and @p note.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, equal subjects, a bad amount or
 *         note; SVCQ_ENOTFOUND for an unknown unit or item; SVCQ_ERANGE
 *         when the sum leaves the range; SVCQ_ESTATE for a closed period;
 *         SVCQ_ECONFLICT; SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_double_track(svcq_scorecard_period *period, const char *person,
                                                        const char *process, const char *item, int64_t amount,
                                                        const char *note);

/**
 * @brief Evaluates the ORDERS veto rules at @p at: counts each head's
 *        breached orders issued in the period and vetoes the cards they
 *        reach. The result stays with the open period until the next
 *        evaluation (closed cards keep what their close froze).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or an unset time; SVCQ_ECORRUPT;
 *         SVCQ_ENOMEM; a storage error. On failure the period is unchanged.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_period_evaluate(svcq_scorecard_period *period, svcq_time at);

/**
 * @brief Closes the period at @p at: evaluates the orders at @p at and
 *        freezes every card (its values, N/A marks and vetoes), in one
 *        transaction. Close after the last order of the period fell due
 *        (ends_at + reply time) to count every breach.
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ESTATE for a closed or empty period or
 *         a card with an applicable item without a value (the message
 *         names the unit and the item); SVCQ_ECONFLICT; SVCQ_ENOMEM; a
 *         storage error. On failure nothing changed.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_period_close(svcq_scorecard_period *period, svcq_time at);

/**
 * @brief Corrects a value on a card of a closed period: a new revision of
 *        the card with the old and new value, @p reason and @p at kept in
 *        its history.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, an empty reason or an unset time;
 *         SVCQ_ENOTFOUND; SVCQ_ERANGE as svcq_scorecard_set_value();
 *         SVCQ_ESTATE for an open period (set the value instead);
 *         SVCQ_ECONFLICT; SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_correct(svcq_scorecard_period *period, const char *unit,
                                                   const char *item, int64_t value, const char *reason,
                                                   svcq_time at);

/** The card-summary version this header describes. Version history: 1 (0.2). */
#define SVCQ_SCORECARD_CARD_INFO_VERSION 1

/** A card's totals (svcq_scorecard_card_totals()). Strings owned by the period. */
typedef struct svcq_scorecard_card_info {
    uint32_t version;          /**< set by the caller: SVCQ_SCORECARD_CARD_INFO_VERSION */
    uint32_t closed;           /**< 1 when its period is closed */
    const char *unit;          /**< the unit */
    int64_t points;            /**< sum of the applicable items' points (thousandths) */
    int64_t max_points;        /**< sum of the applicable items' maxima */
    int64_t nominal_max;       /**< the template's maximum (every item) */
    int64_t share;             /**< points / max_points in thousandths of a percent; 0 when max_points is 0 */
    uint32_t vetoed;           /**< 1 when any veto applies */
    uint32_t veto_count;       /**< vetoes (svcq_scorecard_card_veto()) */
    const char *veto_reason;   /**< the first veto's reason; "" when none */
    uint32_t na_count;         /**< items not applicable */
    uint32_t missing;          /**< applicable items without a value */
    uint32_t clamped;          /**< items whose points were clamped */
    uint32_t correction_count; /**< corrections in the history */
    uint64_t revision;         /**< the card record's store revision */
    uint64_t reserved[4];      /**< zero */
} svcq_scorecard_card_info;

/** Static initialiser equal to svcq_scorecard_card_info_init(&s, SVCQ_SCORECARD_CARD_INFO_VERSION). */
#define SVCQ_SCORECARD_CARD_INFO_INIT { SVCQ_SCORECARD_CARD_INFO_VERSION, 0, NULL, 0, 0, 0, 0, 0, 0, NULL, \
                                        0, 0, 0, 0, 0, { 0 } }

/**
 * @brief Prepares a card-summary table of version @p version.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown version.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_card_info_init(svcq_scorecard_card_info *info, uint32_t version);

/**
 * @brief The totals of @p unit's card.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOTFOUND; SVCQ_EVERSION.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_card_totals(svcq_scorecard_card_info *out,
                                                       const svcq_scorecard_period *period, const char *unit);

/** The item-result version this header describes. Version history: 1 (0.2). */
#define SVCQ_SCORECARD_ITEM_RESULT_VERSION 1

/** One item of a card (svcq_scorecard_card_item()). Strings owned by the template or the period. */
typedef struct svcq_scorecard_item_result {
    uint32_t version;      /**< set by the caller: SVCQ_SCORECARD_ITEM_RESULT_VERSION */
    int32_t rule;          /**< svcq_scorecard_rule */
    const char *key;       /**< the item's key */
    const char *name;      /**< the item's name */
    int64_t max_points;    /**< the item's maximum */
    int64_t value;         /**< the value (0 when none) */
    uint32_t has_value;    /**< 1 when a value is set */
    uint32_t na;           /**< 1 when not applicable */
    const char *na_reason; /**< why not applicable; "" otherwise */
    int64_t raw_points;    /**< the rule's result before clamping */
    int64_t points;        /**< clamped to [0, max]; 0 when N/A or without value */
    uint32_t clamped;      /**< 1 when raw_points was outside [0, max] */
    uint32_t reserved0;    /**< zero */
    uint64_t reserved[4];  /**< zero */
} svcq_scorecard_item_result;

/** Static initialiser equal to svcq_scorecard_item_result_init(&s, SVCQ_SCORECARD_ITEM_RESULT_VERSION). */
#define SVCQ_SCORECARD_ITEM_RESULT_INIT { SVCQ_SCORECARD_ITEM_RESULT_VERSION, 0, NULL, NULL, 0, 0, 0, 0, NULL, \
                                          0, 0, 0, 0, { 0 } }

/**
 * @brief Prepares an item-result table of version @p version.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown version.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_item_result_init(svcq_scorecard_item_result *result,
                                                            uint32_t version);

/**
 * @brief Item @p index (template order) of @p unit's card.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOTFOUND for an unknown unit or index; SVCQ_EVERSION.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_card_item(svcq_scorecard_item_result *out,
                                                     const svcq_scorecard_period *period, const char *unit,
                                                     uint32_t index);

/**
 * @brief Veto @p index of @p unit's card: the rule's key and the reason
 *        (owned by the period, valid until it changes).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOTFOUND for an unknown unit or index.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_card_veto(const char **rule, const char **reason,
                                                     const svcq_scorecard_period *period, const char *unit,
                                                     uint32_t index);

/**
 * @brief Writes @p unit's card: every item's value, rule, points, maximum
 *        and N/A, the totals with both maxima, the vetoes, the double-track
 *        log and the corrections.
 * @param format SVCQ_SCORECARD_MARKDOWN, SVCQ_SCORECARD_JSON
 *               ("svcq.scorecard_card/1", docs/format.md) or SVCQ_SCORECARD_CSV.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or another format; SVCQ_ENOTFOUND; the writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_card_export(const svcq_scorecard_period *period, const char *unit,
                                                       const svcq_writer *writer, int32_t format);

/* ---- composite and ranking -------------------------------------------- */

/**
 * @brief Satisfaction (0–100, thousandths) from a CSAT mean on the 1–5
 *        scale (thousandths): (mean − 1) / 4 × 100, so 1 → 0, 3 → 50, 4.2 → 80, 5 → 100.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ERANGE for a mean outside 1000..5000.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_csat_satisfaction(int64_t *out, int64_t csat_mean);

/**
 * @brief Creates an empty ranking of @p tpl's cards.
 * @param label e.g. "2026-H1", 1 to 64 bytes without control characters.
 * @param basis a svcq_scorecard_basis.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, a bad label or basis; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_ranking_new(svcq_scorecard_ranking **out,
                                                       svcq_scorecard_template *tpl, const char *label,
                                                       int32_t basis);

/**
 * @brief Frees a ranking; NULL is a no-op.
 * @since 0.2
 */
SVCQ_API void svcq_scorecard_ranking_free(svcq_scorecard_ranking *ranking);

/**
 * @brief Adds a period's cards (their shares and vetoes as they are now: evaluate or close first).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, a period of another context or
 *         template, or one already added; SVCQ_ESTATE for a card with an
 *         applicable item without a value; SVCQ_ENOMEM. On failure the ranking is unchanged.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_ranking_add_period(svcq_scorecard_ranking *ranking,
                                                              const svcq_scorecard_period *period);

/**
 * @brief Sets a unit's satisfaction (0 to 100000, thousandths of a percent).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or a bad unit; SVCQ_ERANGE; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_ranking_set_satisfaction(svcq_scorecard_ranking *ranking,
                                                                    const char *unit, int64_t satisfaction);

/**
 * @brief Sets a unit's satisfaction from its CSAT mean (1000..5000) by svcq_scorecard_csat_satisfaction().
 * @return as svcq_scorecard_ranking_set_satisfaction().
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_ranking_set_csat(svcq_scorecard_ranking *ranking, const char *unit,
                                                            int64_t csat_mean);

/**
 * @brief Compares with @p previous (computed, same template): each entry gets its previous rank and change.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, another context or template;
 *         SVCQ_ESTATE when @p previous is not computed; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_ranking_set_previous(svcq_scorecard_ranking *ranking,
                                                                const svcq_scorecard_ranking *previous);

/**
 * @brief Computes scores and ranks (see the file comment for the rules).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ESTATE when no period was
 *         added or, for a composite, a unit has no satisfaction or no
 *         month with applicable items (the message names it); SVCQ_ENOMEM.
 *         On failure the previous result stays.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_ranking_compute(svcq_scorecard_ranking *ranking);

/**
 * @brief Number of entries of the computed ranking.
 * @return that value; 0 for NULL or before svcq_scorecard_ranking_compute().
 * @since 0.2
 */
SVCQ_API uint32_t svcq_scorecard_ranking_count(const svcq_scorecard_ranking *ranking);

/** The rank-entry version this header describes. Version history: 1 (0.2). */
#define SVCQ_SCORECARD_RANK_ENTRY_VERSION 1

/** One entry of a ranking. Strings owned by the ranking, valid until it is recomputed or freed. */
typedef struct svcq_scorecard_rank_entry {
    uint32_t version;        /**< set by the caller: SVCQ_SCORECARD_RANK_ENTRY_VERSION */
    uint32_t rank;           /**< 1-based; 0 when excluded by a veto */
    const char *unit;        /**< the unit */
    int64_t card_share;      /**< mean monthly share, thousandths of a percent */
    int64_t satisfaction;    /**< thousandths of a percent; -1 for a card ranking */
    int64_t raw_score;       /**< the score before the veto effect */
    int64_t score;           /**< what the rank is by */
    uint32_t months;         /**< months that count */
    uint32_t vetoed;         /**< 1 when vetoed in any month */
    const char *veto_reason; /**< the first veto's reason, "" when none */
    uint32_t has_previous;   /**< 1 when the unit is in the previous ranking */
    uint32_t previous_rank;  /**< its rank there (0: excluded there) */
    int32_t change;          /**< previous_rank − rank when both are ranked, else 0 */
    uint32_t reserved0;      /**< zero */
    uint64_t reserved[4];    /**< zero */
} svcq_scorecard_rank_entry;

/** Static initialiser equal to svcq_scorecard_rank_entry_init(&s, SVCQ_SCORECARD_RANK_ENTRY_VERSION). */
#define SVCQ_SCORECARD_RANK_ENTRY_INIT { SVCQ_SCORECARD_RANK_ENTRY_VERSION, 0, NULL, 0, 0, 0, 0, 0, 0, NULL, \
                                         0, 0, 0, 0, { 0 } }

/**
 * @brief Prepares a rank-entry table of version @p version.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown version.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_rank_entry_init(svcq_scorecard_rank_entry *entry, uint32_t version);

/**
 * @brief Entry @p index of the computed ranking (rank order).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOTFOUND out of range; SVCQ_EVERSION.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_ranking_entry(svcq_scorecard_rank_entry *out,
                                                         const svcq_scorecard_ranking *ranking, uint32_t index);

/**
 * @brief Writes the computed ranking.
 * @param format SVCQ_SCORECARD_MARKDOWN, SVCQ_SCORECARD_CSV or
 *               SVCQ_SCORECARD_SVG (a horizontal bar chart, well-formed XML, text escaped).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or another format; SVCQ_ESTATE
 *         before svcq_scorecard_ranking_compute(); the writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_scorecard_ranking_export(const svcq_scorecard_ranking *ranking,
                                                          const svcq_writer *writer, int32_t format);

#ifdef __cplusplus
}
#endif

#endif
