/**
 * @file svcq/blueprint.h
 * @brief Service blueprints: the touchpoints of a service, the risk points
 *        on them with their contingencies, and the incident archive drawn
 *        on top.
 *
 * ## The model
 *
 * A **blueprint** (svcq_blueprint) describes one service, named by its
 * **service id** (1 to SVCQ_BLUEPRINT_MAX_KEY bytes of `a`-`z`, `0`-`9`,
 * `_`, `-`, `.`) and a title. It holds **steps** (touchpoints) in the order
 * the customer meets them; each step has:
 *
 * - a **key** (`a`-`z`, `0`-`9`, `_`; 1 to SVCQ_BLUEPRINT_MAX_KEY bytes),
 *   unique in the blueprint: what incidents name as their `touchpoint`;
 * - a **title**, and what happens in each lane of the classic blueprint:
 *   the **customer action**, the **front-stage** employee action (seen by
 *   the customer), the **back-stage** action (not seen) and the
 *   **supporting system**; any of the four may be absent;
 * - the **channel** (`phone`, `email`, `system`, `on_site`, `wechat`,
 *   `app`, or a host's own key of the same syntax; may be absent);
 * - the **service stage** it belongs to, the same keys incidents use:
 *   `reception`, `technical_support`, `after_sales`, `complaint_handling`,
 *   or a host's own key. A step must have one.
 *
 * The three **lines** of the classic blueprint separate the lanes: the line
 * of interaction (customer | front stage), the line of visibility (front
 * stage | back stage) and the line of internal interaction (back stage |
 * support). They are drawn by the exports; a step crosses a line when it
 * has something in a lane above it and in a lane below it
 * (svcq_blueprint_step_crosses()): the drawing joins a step's filled lanes
 * in order, and that connector crosses the line.
 *
 * **Risk points** sit on steps: a key (same syntax, unique among the risk
 * points), the step, what can go wrong, a severity, the **contingency**
 * prepared (what to do and the role that owns it) and what **watches** it:
 * an SLA target (by its target name, as in svcq/sla.h) or an indicator
 * (a KPI name such as `fcr`).
 *
 * ## Edits, saving, versions
 *
 * A blueprint is configuration: edits change the handle in memory, each
 * all or nothing; svcq_blueprint_save() publishes it. The record of kind
 * `blueprint` under the service id holds the current blueprint and is
 * written with compare-and-swap on the revision the handle last saw
 * (SVCQ_ECONFLICT when another writer saved first). Every save that
 * changes something makes a new **version** (1, 2, ...): the same
 * document is also published, immutable, as the record
 * "<service>@<version>", so an incident can be read against the blueprint
 * in force when it happened (svcq_blueprint_load_version()). Edits made
 * while a store transaction is open (a host batch) are undone when it
 * rolls back.
 *
 * ## The archive on the blueprint
 *
 * An **overlay** (svcq_blueprint_overlay) gathers the incidents of a period
 * [from, to): the host (later the incident module) adds one observation per
 * incident — its touchpoint (a step key), id, state, whether it is a
 * recurrence, its open corrective actions and the SLA targets it breached.
 * Read against a blueprint it gives, per step, the incidents, recurrences,
 * open incidents, open corrective actions and the breaches of the targets
 * that watch the step's risk points; per risk point, the breaches of its
 * own target. A step with incidents but no risk point is an **unplanned
 * risk**. The SVG and Markdown exports draw the overlay when given one.
 *
 * ## Exports
 *
 * JSON (schema "svcq.blueprint/1", lossless: export, import, export gives
 * the same bytes), Markdown, Mermaid (a `flowchart LR`) and an SVG
 * swimlane drawn by the library. docs/blueprint.md shows them.
 *
 * ## Ownership and threads
 *
 * Strings are copied. Getters return pointers owned by the blueprint,
 * valid until it changes (an edit, a rollback that undoes one) or is freed.
 * A blueprint and an overlay are used by one thread at a time.
 */
#ifndef SVCQ_BLUEPRINT_H
#define SVCQ_BLUEPRINT_H

#include "common.h"
#include "context.h"
#include "writer.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque service blueprint. */
typedef struct svcq_blueprint svcq_blueprint;
/** Opaque set of incident observations of one period. */
typedef struct svcq_blueprint_overlay svcq_blueprint_overlay;

/** @name Limits
 * @{ */
/** Longest service id, step key, risk key, channel or stage, in bytes. */
#define SVCQ_BLUEPRINT_MAX_KEY 64
/** Longest text (title, action, failure, contingency, owner, watched name), in bytes. */
#define SVCQ_BLUEPRINT_MAX_TEXT 1024
/** Most steps in one blueprint. */
#define SVCQ_BLUEPRINT_MAX_STEPS 256
/** Most risk points in one blueprint. */
#define SVCQ_BLUEPRINT_MAX_RISKS 1024
/** Most breached targets in one observation. */
#define SVCQ_BLUEPRINT_MAX_BREACHED 32
/** Most observations in one overlay. */
#define SVCQ_BLUEPRINT_MAX_OBSERVATIONS 1000000
/** Flag for svcq_blueprint_export_json(): indented output (two spaces). */
#define SVCQ_BLUEPRINT_JSON_PRETTY 0x1u
/** @} */

/** Severity of a risk point. */
typedef enum svcq_blueprint_severity {
    SVCQ_BLUEPRINT_LOW = 1,      /**< an inconvenience */
    SVCQ_BLUEPRINT_MEDIUM = 2,   /**< a complaint likely */
    SVCQ_BLUEPRINT_HIGH = 3,     /**< a lost customer or a breach likely */
    SVCQ_BLUEPRINT_CRITICAL = 4  /**< safety, legal or a major client at stake */
} svcq_blueprint_severity;

/** What watches a risk point. */
typedef enum svcq_blueprint_watch {
    SVCQ_BLUEPRINT_WATCH_NONE = 0,       /**< nothing yet */
    SVCQ_BLUEPRINT_WATCH_SLA_TARGET = 1, /**< an SLA target, by its name */
    SVCQ_BLUEPRINT_WATCH_INDICATOR = 2   /**< an indicator (a KPI name) */
} svcq_blueprint_watch;

/** State of an observed incident. */
typedef enum svcq_blueprint_obs_state {
    SVCQ_BLUEPRINT_OBS_OPEN = 1,  /**< the incident is not closed (or rejected) */
    SVCQ_BLUEPRINT_OBS_CLOSED = 2 /**< closed or rejected */
} svcq_blueprint_obs_state;

/** Lines of the classic blueprint, for svcq_blueprint_step_crosses(). */
typedef enum svcq_blueprint_line {
    SVCQ_BLUEPRINT_LINE_INTERACTION = 1,         /**< customer | front stage */
    SVCQ_BLUEPRINT_LINE_VISIBILITY = 2,          /**< front stage | back stage */
    SVCQ_BLUEPRINT_LINE_INTERNAL_INTERACTION = 3 /**< back stage | support */
} svcq_blueprint_line;

/**
 * @brief The lowercase label of a svcq_blueprint_severity ("low", "medium",
 *        "high", "critical"), as written in JSON.
 * @param severity a severity value.
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_blueprint_severity_name(int32_t severity);
/**
 * @brief The lowercase label of a svcq_blueprint_watch ("none",
 *        "sla_target", "indicator").
 * @param watch a watch value.
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_blueprint_watch_name(int32_t watch);
/**
 * @brief The lowercase label of a svcq_blueprint_obs_state ("open", "closed").
 * @param state a state value.
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_blueprint_obs_state_name(int32_t state);
/**
 * @brief The lowercase label of a svcq_blueprint_line ("interaction",
 *        "visibility", "internal_interaction").
 * @param line a line value.
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_blueprint_line_name(int32_t line);
/**
 * @brief The shared service-stage keys, in order: "reception",
 *        "technical_support", "after_sales", "complaint_handling".
 * @param i 0-based.
 * @return a static string, or NULL past the last.
 * @since 0.2
 */
SVCQ_API const char *svcq_blueprint_stage_key(uint32_t i);
/**
 * @brief The shared channel keys, in order: "phone", "email", "system",
 *        "on_site", "wechat", "app".
 * @param i 0-based.
 * @return a static string, or NULL past the last.
 * @since 0.2
 */
SVCQ_API const char *svcq_blueprint_channel_key(uint32_t i);

/* ---- steps and risk points ---------------------------------------------- */

/** The step-spec version this header describes. Version history: 1 (0.2). */
#define SVCQ_BLUEPRINT_STEP_SPEC_VERSION 1

/**
 * A step, given to svcq_blueprint_add_step() and svcq_blueprint_update_step()
 * (strings copied) and filled by svcq_blueprint_step() (strings owned by the
 * blueprint). Optional texts are NULL or "" when absent (NULL when read).
 */
typedef struct svcq_blueprint_step_spec {
    uint32_t version;     /**< SVCQ_BLUEPRINT_STEP_SPEC_VERSION */
    uint32_t reserved0;   /**< must be zero */
    const char *key;      /**< unique step key: a-z, 0-9, _ */
    const char *title;    /**< what people read; required */
    const char *customer; /**< the customer's action; optional */
    const char *front;    /**< the front-stage employee's action; optional */
    const char *back;     /**< the back-stage action; optional */
    const char *support;  /**< the supporting system; optional */
    const char *channel;  /**< channel key (svcq_blueprint_channel_key() or the host's); optional */
    const char *stage;    /**< service-stage key (svcq_blueprint_stage_key() or the host's); required */
    uint64_t reserved[4]; /**< must be zero */
} svcq_blueprint_step_spec;

/** Static initialiser equal to svcq_blueprint_step_spec_init(&s, SVCQ_BLUEPRINT_STEP_SPEC_VERSION). */
#define SVCQ_BLUEPRINT_STEP_SPEC_INIT { SVCQ_BLUEPRINT_STEP_SPEC_VERSION, 0, NULL, NULL, NULL, NULL, NULL, \
                                        NULL, NULL, NULL, { 0 } }

/**
 * @brief Fills @p spec with an empty step of spec version @p version.
 * @param spec the table. @param version SVCQ_BLUEPRINT_STEP_SPEC_VERSION.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown version.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_step_spec_init(svcq_blueprint_step_spec *spec, uint32_t version);

/** The risk-spec version this header describes. Version history: 1 (0.2). */
#define SVCQ_BLUEPRINT_RISK_SPEC_VERSION 1

/**
 * A risk point, given to svcq_blueprint_add_risk() and
 * svcq_blueprint_update_risk() (strings copied) and filled by
 * svcq_blueprint_risk() (strings owned by the blueprint).
 */
typedef struct svcq_blueprint_risk_spec {
    uint32_t version;        /**< SVCQ_BLUEPRINT_RISK_SPEC_VERSION */
    int32_t severity;        /**< svcq_blueprint_severity */
    const char *key;         /**< unique risk key: a-z, 0-9, _ */
    const char *step;        /**< the key of the step it sits on */
    const char *failure;     /**< what can go wrong; required */
    const char *contingency; /**< what to do when it happens; optional */
    const char *owner;       /**< the role that owns the contingency; optional */
    const char *watch_name;  /**< the SLA target or indicator; required unless watch is NONE, where it must be absent */
    int32_t watch;           /**< svcq_blueprint_watch */
    uint32_t reserved0;      /**< must be zero */
    uint64_t reserved[4];    /**< must be zero */
} svcq_blueprint_risk_spec;

/** Static initialiser equal to svcq_blueprint_risk_spec_init(&s, SVCQ_BLUEPRINT_RISK_SPEC_VERSION). */
#define SVCQ_BLUEPRINT_RISK_SPEC_INIT { SVCQ_BLUEPRINT_RISK_SPEC_VERSION, 0, NULL, NULL, NULL, NULL, NULL, \
                                        NULL, 0, 0, { 0 } }

/**
 * @brief Fills @p spec with an empty risk point of spec version @p version.
 * @param spec the table. @param version SVCQ_BLUEPRINT_RISK_SPEC_VERSION.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown version.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_risk_spec_init(svcq_blueprint_risk_spec *spec, uint32_t version);

/* ---- the blueprint -------------------------------------------------------- */

/**
 * @brief Creates an empty blueprint of a service (no steps, version 0).
 * @param out     receives the blueprint (caller-owned,
 *                svcq_blueprint_free()); NULL on failure.
 * @param ctx     the context it lives in.
 * @param service the service id: a-z, 0-9, _, - and . (1 to
 *                SVCQ_BLUEPRINT_MAX_KEY bytes); also its record id.
 * @param title   what people read: UTF-8, not blank, no control characters
 *                but tab and line feed.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments, a bad service id or
 *         title; SVCQ_ELIMIT for a title too long; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_new(svcq_blueprint **out, svcq_ctx *ctx, const char *service,
                                               const char *title);
/**
 * @brief Frees a blueprint; NULL is a no-op. Undo entries it left in an
 *        open batch are detached.
 * @param bp the blueprint.
 * @since 0.2
 */
SVCQ_API void svcq_blueprint_free(svcq_blueprint *bp);

/**
 * @brief The service id. @param bp the blueprint.
 * @return a string owned by @p bp; NULL for NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_blueprint_service(const svcq_blueprint *bp);
/**
 * @brief The title. @param bp the blueprint.
 * @return a string owned by @p bp; NULL for NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_blueprint_title(const svcq_blueprint *bp);
/**
 * @brief The version: that of the last save or load (0 before the first
 *        save); the next save that changes something makes version + 1.
 * @param bp the blueprint.
 * @return the version; 0 for NULL.
 * @since 0.2
 */
SVCQ_API uint32_t svcq_blueprint_version(const svcq_blueprint *bp);
/**
 * @brief The store revision of the record "<service>" the handle last
 *        saved or loaded.
 * @param bp the blueprint.
 * @return the revision; 0 when never saved or loaded (or loaded as an old
 *         version), or for NULL.
 * @since 0.2
 */
SVCQ_API uint64_t svcq_blueprint_revision(const svcq_blueprint *bp);
/**
 * @brief Whether the blueprint changed since it was last saved or loaded
 *        (a new or imported blueprint counts as changed).
 * @param bp the blueprint.
 * @return 1 or 0; 0 for NULL.
 * @since 0.2
 */
SVCQ_API int32_t svcq_blueprint_changed(const svcq_blueprint *bp);
/**
 * @brief Replaces the title.
 * @param bp the blueprint. @param title the new title (checked as in svcq_blueprint_new()).
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ELIMIT; SVCQ_ENOMEM. On failure nothing changed.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_set_title(svcq_blueprint *bp, const char *title);

/**
 * @brief Adds a step.
 * @param bp       the blueprint.
 * @param spec     the step (version SVCQ_BLUEPRINT_STEP_SPEC_VERSION).
 * @param position its index after the insertion (0 to the step count), or
 *                 -1 for the end.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, a bad key, title, channel or
 *         stage, a missing title or stage ("no service stage"), non-zero
 *         reserved fields or a position out of range; SVCQ_EEXIST for a key
 *         in use; SVCQ_EVERSION for an unknown spec version; SVCQ_ELIMIT
 *         beyond SVCQ_BLUEPRINT_MAX_STEPS or for a text too long;
 *         SVCQ_ENOMEM. On failure nothing changed.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_add_step(svcq_blueprint *bp, const svcq_blueprint_step_spec *spec,
                                                    int32_t position);
/**
 * @brief Replaces every field of a step but its key and position.
 * @param bp   the blueprint.
 * @param key  the step.
 * @param spec the new fields; spec->key must be NULL or @p key.
 * @return as svcq_blueprint_add_step(); SVCQ_ENOTFOUND for an unknown step;
 *         SVCQ_EINVAL when spec->key names another step.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_update_step(svcq_blueprint *bp, const char *key,
                                                       const svcq_blueprint_step_spec *spec);
/**
 * @brief Moves a step to another position.
 * @param bp the blueprint. @param key the step.
 * @param position its index after the move, or -1 for the end.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or a position out of range;
 *         SVCQ_ENOTFOUND; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_move_step(svcq_blueprint *bp, const char *key, int32_t position);
/**
 * @brief Removes a step.
 * @param bp the blueprint. @param key the step.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOTFOUND; SVCQ_ESTATE when
 *         risk points sit on it (the message names them: remove or move
 *         them first); SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_remove_step(svcq_blueprint *bp, const char *key);
/**
 * @brief The number of steps. @param bp the blueprint.
 * @return the count; 0 for NULL.
 * @since 0.2
 */
SVCQ_API size_t svcq_blueprint_step_count(const svcq_blueprint *bp);
/**
 * @brief Reads step @p index (in order) into @p out.
 * @param out   the caller's table, version set (svcq_blueprint_step_spec_init());
 *              receives strings owned by @p bp.
 * @param bp    the blueprint.
 * @param index 0-based.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown
 *         version; SVCQ_ENOTFOUND past the end.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_step(svcq_blueprint_step_spec *out, const svcq_blueprint *bp,
                                                size_t index);
/**
 * @brief The index of a step.
 * @param bp the blueprint. @param key the step key.
 * @return the 0-based index; -1 for an unknown key or NULL.
 * @since 0.2
 */
SVCQ_API int64_t svcq_blueprint_step_index(const svcq_blueprint *bp, const char *key);
/**
 * @brief Whether a step crosses a line: it has something (an action or a
 *        system) in a lane above the line and in a lane below it.
 * @param bp the blueprint. @param key the step.
 * @param line a svcq_blueprint_line value.
 * @return 1 or 0; -1 for an unknown step or line.
 * @since 0.2
 */
SVCQ_API int32_t svcq_blueprint_step_crosses(const svcq_blueprint *bp, const char *key, int32_t line);

/**
 * @brief Adds a risk point on a step.
 * @param bp   the blueprint.
 * @param spec the risk point (version SVCQ_BLUEPRINT_RISK_SPEC_VERSION).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, a bad key or text, a missing
 *         failure, an unknown severity or watch, a watch without a name
 *         (or a name with WATCH_NONE), non-zero reserved fields;
 *         SVCQ_ENOTFOUND when the step does not exist ("risk point x: step
 *         y is not in blueprint z"); SVCQ_EEXIST for a key in use;
 *         SVCQ_EVERSION; SVCQ_ELIMIT beyond SVCQ_BLUEPRINT_MAX_RISKS or for
 *         a text too long; SVCQ_ENOMEM. On failure nothing changed.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_add_risk(svcq_blueprint *bp, const svcq_blueprint_risk_spec *spec);
/**
 * @brief Replaces every field of a risk point but its key (it may move to
 *        another step).
 * @param bp the blueprint. @param key the risk point.
 * @param spec the new fields; spec->key must be NULL or @p key.
 * @return as svcq_blueprint_add_risk(); SVCQ_ENOTFOUND also for an unknown
 *         risk point.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_update_risk(svcq_blueprint *bp, const char *key,
                                                       const svcq_blueprint_risk_spec *spec);
/**
 * @brief Removes a risk point.
 * @param bp the blueprint. @param key the risk point.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOTFOUND; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_remove_risk(svcq_blueprint *bp, const char *key);
/**
 * @brief The number of risk points. @param bp the blueprint.
 * @return the count; 0 for NULL.
 * @since 0.2
 */
SVCQ_API size_t svcq_blueprint_risk_count(const svcq_blueprint *bp);
/**
 * @brief Reads risk point @p index (in the order they were added) into @p out.
 * @param out the caller's table, version set; receives strings owned by @p bp.
 * @param bp the blueprint. @param index 0-based.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION; SVCQ_ENOTFOUND past the end.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_risk(svcq_blueprint_risk_spec *out, const svcq_blueprint *bp,
                                                size_t index);

/* ---- JSON and the store ------------------------------------------------------ */

/**
 * @brief Writes the blueprint as a JSON document (schema
 *        "svcq.blueprint/1", docs/format.md); deterministic, so export,
 *        import and export again give the same bytes.
 * @param bp the blueprint; not changed. @param writer where the text goes.
 * @param flags 0 or SVCQ_BLUEPRINT_JSON_PRETTY.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments or unknown flags;
 *         SVCQ_ENOMEM; the writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_export_json(const svcq_blueprint *bp, const svcq_writer *writer,
                                                       uint32_t flags);
/**
 * @brief Makes a blueprint from a JSON document. Every field is checked as
 *        the edits check it and the message names the place ("steps[2]
 *        (refund): no service stage"); unknown fields are ignored. The
 *        blueprint keeps the document's version and is not bound to a
 *        record (revision 0, changed).
 * @param out receives the blueprint (caller-owned); NULL on failure.
 * @param ctx the context. @param json the document (need not be NUL-terminated).
 * @param size its length in bytes.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments or values the edits
 *         refuse (a risk point on a missing step, a step without stage, a
 *         duplicate key); SVCQ_EPARSE for text that is not JSON (line and
 *         column in the message); SVCQ_ECORRUPT for JSON that is not a
 *         blueprint (a missing or mistyped field, an unknown severity);
 *         SVCQ_EVERSION for a newer schema; SVCQ_ELIMIT; SVCQ_ERANGE for a
 *         version out of range; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_import_json(svcq_blueprint **out, svcq_ctx *ctx, const char *json,
                                                       size_t size);
/**
 * @brief Publishes the blueprint: when it changed since the last save or
 *        load, writes version + 1 as the record (kind "blueprint", the
 *        service id) with compare-and-swap on the handle's revision (0: the
 *        record must not exist) and as the immutable record
 *        "<service>@<version>", in one store transaction (or the open
 *        batch). Unchanged: nothing is written.
 * @param bp the blueprint.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ECONFLICT when another writer
 *         saved first (reload); SVCQ_EEXIST when the store already holds
 *         that version with other content; SVCQ_ESTATE for a blueprint
 *         loaded as an old version; SVCQ_ERANGE after version 4294967294;
 *         SVCQ_ENOMEM; a storage error. On
 *         failure the handle and the store are unchanged.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_save(svcq_blueprint *bp);
/**
 * @brief Loads the current blueprint of a service.
 * @param out receives the blueprint (caller-owned), bound to the record.
 * @param ctx the context. @param service the service id.
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ENOTFOUND; SVCQ_ECORRUPT for a
 *         damaged record; SVCQ_EVERSION; SVCQ_ENOMEM; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_load(svcq_blueprint **out, svcq_ctx *ctx, const char *service);
/**
 * @brief Loads a saved version of a service's blueprint. The result is
 *        read-only history: it cannot be saved (SVCQ_ESTATE), but may be
 *        exported or given to the overlay.
 * @param out receives the blueprint (caller-owned).
 * @param ctx the context. @param service the service id.
 * @param version 1 or more.
 * @return as svcq_blueprint_load(); SVCQ_EINVAL for version 0.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_load_version(svcq_blueprint **out, svcq_ctx *ctx, const char *service,
                                                        uint32_t version);

/* ---- the archive on the blueprint ----------------------------------------------- */

/** The observation version this header describes. Version history: 1 (0.2). */
#define SVCQ_BLUEPRINT_OBSERVATION_VERSION 1

/** One incident, for svcq_blueprint_overlay_add(). Strings are copied. */
typedef struct svcq_blueprint_observation {
    uint32_t version;             /**< SVCQ_BLUEPRINT_OBSERVATION_VERSION */
    int32_t state;                /**< svcq_blueprint_obs_state */
    const char *step;             /**< the touchpoint (a step key); NULL or "" when the incident names none */
    const char *incident;         /**< the incident id (the store's id syntax), unique in the overlay */
    const char *stage;            /**< its service stage (a stage key); NULL or "" when unknown */
    svcq_time at;                 /**< when it happened: counted when from <= at < to */
    uint32_t recurrence;          /**< 1 when it is a recurrence of an earlier incident, else 0 */
    uint32_t open_actions;        /**< its corrective actions not done yet */
    const char *const *breached;  /**< names of the SLA targets it breached (may be NULL when count is 0) */
    uint32_t breached_count;      /**< entries of breached, at most SVCQ_BLUEPRINT_MAX_BREACHED */
    uint32_t reserved0;           /**< must be zero */
    uint64_t reserved[4];         /**< must be zero */
} svcq_blueprint_observation;

/** Static initialiser equal to svcq_blueprint_observation_init(&s, SVCQ_BLUEPRINT_OBSERVATION_VERSION). */
#define SVCQ_BLUEPRINT_OBSERVATION_INIT { SVCQ_BLUEPRINT_OBSERVATION_VERSION, 0, NULL, NULL, NULL, 0, 0, 0, \
                                          NULL, 0, 0, { 0 } }

/**
 * @brief Fills @p obs with an empty observation of version @p version.
 * @param obs the table. @param version SVCQ_BLUEPRINT_OBSERVATION_VERSION.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown version.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_observation_init(svcq_blueprint_observation *obs, uint32_t version);

/** The step-stats version this header describes. Version history: 1 (0.2). */
#define SVCQ_BLUEPRINT_STEP_STATS_VERSION 1

/** What the overlay says about one step (svcq_blueprint_overlay_step()). */
typedef struct svcq_blueprint_step_stats {
    uint32_t version;       /**< set by the caller: SVCQ_BLUEPRINT_STEP_STATS_VERSION */
    uint32_t incidents;     /**< incidents of the period on the step */
    uint32_t recurrences;   /**< of which recurrences */
    uint32_t open;          /**< of which still open */
    uint32_t open_actions;  /**< their corrective actions not done yet */
    uint32_t breaches;      /**< incidents that breached a target watching one of the step's risk points */
    uint32_t risk_points;   /**< risk points on the step */
    uint32_t unplanned;     /**< 1 when incidents > 0 and risk_points == 0 */
    uint64_t reserved[4];   /**< zero */
} svcq_blueprint_step_stats;

/** Static initialiser equal to svcq_blueprint_step_stats_init(&s, SVCQ_BLUEPRINT_STEP_STATS_VERSION). */
#define SVCQ_BLUEPRINT_STEP_STATS_INIT { SVCQ_BLUEPRINT_STEP_STATS_VERSION, 0, 0, 0, 0, 0, 0, 0, { 0 } }

/**
 * @brief Prepares a step-stats table of version @p version.
 * @param stats the table. @param version SVCQ_BLUEPRINT_STEP_STATS_VERSION.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown version.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_step_stats_init(svcq_blueprint_step_stats *stats, uint32_t version);

/**
 * @brief Creates an empty overlay for the period [from, to).
 * @param out receives the overlay (caller-owned, svcq_blueprint_overlay_free()).
 * @param ctx the context. @param from first instant. @param to end (excluded), after @p from.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ERANGE when @p to is not
 *         after @p from; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_overlay_new(svcq_blueprint_overlay **out, svcq_ctx *ctx,
                                                       svcq_time from, svcq_time to);
/**
 * @brief Frees an overlay; NULL is a no-op.
 * @param ov the overlay.
 * @since 0.2
 */
SVCQ_API void svcq_blueprint_overlay_free(svcq_blueprint_overlay *ov);
/**
 * @brief Adds one incident. An incident outside the period is not kept
 *        (svcq_blueprint_overlay_skipped() counts it) and returns SVCQ_OK.
 * @param ov the overlay. @param obs the incident (copied).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL, a bad step key or incident id, an
 *         unknown state, a recurrence flag other than 0 or 1, a NULL or
 *         bad breached name, non-zero reserved fields; SVCQ_EEXIST for an
 *         incident already added; SVCQ_EVERSION; SVCQ_ELIMIT beyond
 *         SVCQ_BLUEPRINT_MAX_BREACHED or SVCQ_BLUEPRINT_MAX_OBSERVATIONS;
 *         SVCQ_ENOMEM. On failure the overlay is unchanged.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_overlay_add(svcq_blueprint_overlay *ov,
                                                       const svcq_blueprint_observation *obs);
/**
 * @brief Adds every incident of the context's store reported in the
 *        overlay's period, as svcq_blueprint_overlay_add() would: the
 *        touchpoint and service stage the incident names, open (not
 *        closed, rejected or cancelled) or closed, its corrective measures
 *        still planned or in progress as open actions, and recurrence when
 *        an earlier incident with the same similarity key exists
 *        (svcq_incident_similarity_key(); earlier ones before the period
 *        count). The archive does not say which SLA targets an incident
 *        breached: add those incidents' breaches as observations of your
 *        own instead when the risk points watch targets.
 * @param added receives the incidents added; may be NULL.
 * @param ov    the overlay; its context's store holds the incidents.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EEXIST when one of the
 *         incidents is already in the overlay; SVCQ_ELIMIT; SVCQ_ENOMEM;
 *         what loading an incident returns (SVCQ_ECORRUPT, a storage
 *         error). On failure the overlay is unchanged.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_overlay_add_archive(size_t *added, svcq_blueprint_overlay *ov);
/**
 * @brief The number of incidents kept (inside the period).
 * @param ov the overlay.
 * @return the count; 0 for NULL.
 * @since 0.2
 */
SVCQ_API size_t svcq_blueprint_overlay_count(const svcq_blueprint_overlay *ov);
/**
 * @brief The number of incidents added outside the period (not kept).
 * @param ov the overlay.
 * @return the count; 0 for NULL.
 * @since 0.2
 */
SVCQ_API size_t svcq_blueprint_overlay_skipped(const svcq_blueprint_overlay *ov);
/**
 * @brief What the overlay says about one step of a blueprint.
 * @param out the caller's table, version set.
 * @param ov the overlay. @param bp the blueprint (same context). @param step the step key.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or a blueprint of another context;
 *         SVCQ_EVERSION; SVCQ_ENOTFOUND for a step not in @p bp.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_overlay_step(svcq_blueprint_step_stats *out,
                                                        const svcq_blueprint_overlay *ov,
                                                        const svcq_blueprint *bp, const char *step);
/**
 * @brief The breaches of the target watching a risk point: incidents of its
 *        step that breached the SLA target it names (0 for a risk point
 *        watched by an indicator or nothing).
 * @param out receives the count.
 * @param ov the overlay. @param bp the blueprint. @param risk the risk key.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL or another context; SVCQ_ENOTFOUND.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_overlay_risk_breaches(uint32_t *out, const svcq_blueprint_overlay *ov,
                                                                 const svcq_blueprint *bp, const char *risk);
/**
 * @brief The number of incidents whose touchpoint is absent or not a step
 *        of @p bp (shown apart by the exports).
 * @param ov the overlay. @param bp the blueprint.
 * @return the count; 0 for NULL.
 * @since 0.2
 */
SVCQ_API size_t svcq_blueprint_overlay_unplaced(const svcq_blueprint_overlay *ov, const svcq_blueprint *bp);
/**
 * @brief Of the unplaced incidents (svcq_blueprint_overlay_unplaced()),
 *        those of one service stage: where the blueprint may be missing a
 *        touchpoint. The Markdown export lists them per stage.
 * @param ov the overlay. @param bp the blueprint.
 * @param stage a stage key, or NULL for the incidents without a stage.
 * @return the count; 0 for NULL @p ov or @p bp.
 * @since 0.2
 */
SVCQ_API size_t svcq_blueprint_overlay_unplaced_in_stage(const svcq_blueprint_overlay *ov, const svcq_blueprint *bp,
                                                         const char *stage);

/* ---- pictures and reports ------------------------------------------------------ */

/**
 * @brief Writes the blueprint in Markdown: the steps as a table (stage,
 *        channel, the four lanes), the risk points with their
 *        contingencies, and with an overlay the period's incidents per step
 *        and the unplanned risks.
 * @param bp the blueprint. @param writer where the text goes.
 * @param ov an overlay of the same context, or NULL.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p bp or @p writer or an overlay of
 *         another context; SVCQ_ENOMEM; the writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_export_markdown(const svcq_blueprint *bp, const svcq_writer *writer,
                                                           const svcq_blueprint_overlay *ov);
/**
 * @brief Writes Mermaid text: a `flowchart LR` with one subgraph per lane,
 *        the steps' actions in order, and the risk points as flagged nodes.
 * @param bp the blueprint. @param writer where the text goes.
 * @return SVCQ_OK; SVCQ_EINVAL; SVCQ_ENOMEM; the writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_export_mermaid(const svcq_blueprint *bp, const svcq_writer *writer);
/**
 * @brief Draws the swimlane picture (SVG 1.1, no script, no external
 *        resources): lanes customer, front stage, back stage, support; the
 *        lines of interaction, visibility and internal interaction; one
 *        column per step in order, with its stage and channel; risk points
 *        marked under their step, coloured by the period's incident count
 *        of the step when an overlay is given (unplanned risks outlined).
 *        Text is escaped, wrapped, and labels never overlap.
 * @param bp the blueprint. @param writer where the text goes.
 * @param ov an overlay of the same context, or NULL.
 * @return as svcq_blueprint_export_markdown().
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_blueprint_export_svg(const svcq_blueprint *bp, const svcq_writer *writer,
                                                      const svcq_blueprint_overlay *ov);

#ifdef __cplusplus
}
#endif

#endif
