/**
 * @file svcq/analysis.h
 * @brief Root-cause analyses: a fishbone and 5-Why trees as one model, with
 *        evidence, root causes, the cause report and pictures.
 *
 * An **analysis** studies one problem, the **effect** (stage 3 of the
 * incident process, docs/analysis.md). It is a tree of **nodes**, each with
 * a stable id:
 *
 * - the effect itself, id "e", the root;
 * - **categories** ("k1", "k2", ...), the bones of the fishbone, children of
 *   the effect: from a template (6M, the service 8P, 4S) or custom;
 * - **causes** ("c1", ...), under a category or under another cause, to
 *   any depth;
 * - **whys** ("w1", ...), the answers of a 5-Why tree: a why hangs from the
 *   effect, from a cause or from another why, and a why may have several
 *   next whys (the tree branches). A why's text is the answer to "why?"
 *   asked of its parent; its **level** is 1 under the effect or a cause, and
 *   one more than its parent's under a why. The whys that hang from one
 *   effect or cause form that node's **5-Why tree**.
 *
 * Every node has a text, a status (hypothesis, confirmed, refuted), a
 * weight (team votes or a weight, 0 to SVCQ_ANALYSIS_MAX_WEIGHT), an owner
 * and evidence references (kind, URI, note, who collected it and when; the
 * library keeps references, never the files). A cause or a why may be
 * marked as a **root cause**; marking requires the node to be confirmed and
 * to hold at least one piece of evidence, and while it is marked its status
 * stays confirmed and its last evidence stays.
 *
 * Ids are given out in order per letter and never reused in one analysis,
 * removals included, so an incident can name "c3" for good. A 5-Why branch
 * whose last why (not refuted) is at a level below the analysis's why
 * depth (default 5) is a **short branch**: reported
 * (svcq_analysis_short_branch()), logged at save, shown in the report and
 * the pictures, never refused.
 *
 * ### Edits and saving
 * An analysis is **configuration-style**: the edit functions change the
 * handle in memory, each all or nothing; svcq_analysis_save() publishes it
 * as the record (kind "analysis", the analysis id) of the context's store
 * with compare-and-swap on the revision the handle last saw, so two
 * servers editing one analysis get SVCQ_ECONFLICT instead of losing an
 * edit. Edits made while a store transaction is open (a host batch,
 * svcq_ctx_batch_begin()) are undone when it rolls back, so a batch of edits
 * and a save that fails leaves the handle exactly as before the batch. The
 * handle may be freed before the batch ends.
 *
 * ### Exports
 * JSON (lossless: export, import, export gives the same bytes), the cause
 * report (Markdown), Mermaid (the fishbone as `ishikawa-beta`, a 5-Why tree
 * as a `flowchart`), Graphviz DOT and SVG drawn by the library. The picture
 * exports take an @p anchor: NULL for the fishbone, or the id of the node
 * whose 5-Why tree is drawn. docs/analysis.md shows them.
 *
 * ### Limits
 * SVCQ_ANALYSIS_MAX_NODES nodes (the effect included), nodes at most
 * SVCQ_ANALYSIS_MAX_DEPTH levels below the effect, texts of at most
 * SVCQ_ANALYSIS_MAX_TEXT bytes, SVCQ_ANALYSIS_MAX_EVIDENCE evidence
 * references per node: beyond, SVCQ_ELIMIT. Texts are UTF-8 without
 * control characters other than tab and line feed, and not blank.
 *
 * ### Ownership and threads
 * Strings are copied. Getters return pointers owned by the analysis, valid
 * until the analysis changes (an edit, an import into it, a rollback that
 * undoes an edit) or is freed. An analysis is used by one thread at a time.
 */
#ifndef SVCQ_ANALYSIS_H
#define SVCQ_ANALYSIS_H

#include "calendar.h"
#include "common.h"
#include "context.h"
#include "writer.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque root-cause analysis. */
typedef struct svcq_analysis svcq_analysis;

/** @name Limits and defaults
 * @{ */
/** Most nodes in one analysis, the effect included. */
#define SVCQ_ANALYSIS_MAX_NODES 4096
/** Deepest level of a node below the effect (categories are level 1). */
#define SVCQ_ANALYSIS_MAX_DEPTH 32
/** Longest text, owner, URI, note or name, in bytes. */
#define SVCQ_ANALYSIS_MAX_TEXT 4096
/** Most evidence references on one node. */
#define SVCQ_ANALYSIS_MAX_EVIDENCE 64
/** Largest weight of a node. */
#define SVCQ_ANALYSIS_MAX_WEIGHT 1000000
/** The why depth of a new analysis: a 5-Why branch shorter than this is a short branch. */
#define SVCQ_ANALYSIS_DEFAULT_WHY_DEPTH 5
/** Flag for svcq_analysis_export_json(): indented output (two spaces). */
#define SVCQ_ANALYSIS_JSON_PRETTY 0x1u
/** @} */

/** Category templates for svcq_analysis_new(). */
typedef enum svcq_analysis_template {
    SVCQ_ANALYSIS_CUSTOM = 0,  /**< no categories: add your own */
    SVCQ_ANALYSIS_6M = 1,      /**< people, machine, method, material, measurement, environment */
    SVCQ_ANALYSIS_8P = 2,      /**< the service 8P: product, price, place, promotion, people, process,
                                    physical evidence, productivity and quality */
    SVCQ_ANALYSIS_4S = 3       /**< surroundings, suppliers, systems, skills */
} svcq_analysis_template;

/** Kinds of nodes. */
typedef enum svcq_analysis_node_kind {
    SVCQ_ANALYSIS_EFFECT = 1,   /**< the problem; the root, id "e" */
    SVCQ_ANALYSIS_CATEGORY = 2, /**< a fishbone category, under the effect */
    SVCQ_ANALYSIS_CAUSE = 3,    /**< a cause, under a category or a cause */
    SVCQ_ANALYSIS_WHY = 4       /**< a 5-Why answer, under the effect, a cause or a why */
} svcq_analysis_node_kind;

/** Status of a node. */
typedef enum svcq_analysis_status {
    SVCQ_ANALYSIS_HYPOTHESIS = 0, /**< not verified yet (a new node) */
    SVCQ_ANALYSIS_CONFIRMED = 1,  /**< verified */
    SVCQ_ANALYSIS_REFUTED = 2     /**< ruled out */
} svcq_analysis_status;

/** Kinds of evidence. */
typedef enum svcq_analysis_evidence_kind {
    SVCQ_ANALYSIS_EV_PHOTO = 1,     /**< an on-site photo */
    SVCQ_ANALYSIS_EV_SYSTEM_LOG = 2, /**< a system log */
    SVCQ_ANALYSIS_EV_VIDEO = 3,     /**< surveillance video */
    SVCQ_ANALYSIS_EV_INTERVIEW = 4, /**< a staff interview */
    SVCQ_ANALYSIS_EV_DOCUMENT = 5,  /**< a document */
    SVCQ_ANALYSIS_EV_OTHER = 6      /**< anything else */
} svcq_analysis_evidence_kind;

/**
 * @brief The lowercase label of a svcq_analysis_template ("custom", "6m",
 *        "8p", "4s"), as written in JSON.
 * @param t a template value.
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_analysis_template_name(int32_t t);
/**
 * @brief The name of category @p i of a template ("People", "Machine", ...),
 *        the text svcq_analysis_new() gives it.
 * @param t a template value.
 * @param i 0-based index.
 * @return a static string, or NULL past the template's last category or
 *         for an unknown template.
 * @since 0.2
 */
SVCQ_API const char *svcq_analysis_template_category(int32_t t, uint32_t i);
/**
 * @brief The lowercase label of a svcq_analysis_node_kind ("effect",
 *        "category", "cause", "why").
 * @param kind a kind value.
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_analysis_node_kind_name(int32_t kind);
/**
 * @brief The lowercase label of a svcq_analysis_status ("hypothesis",
 *        "confirmed", "refuted").
 * @param status a status value.
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_analysis_status_name(int32_t status);
/**
 * @brief The lowercase label of a svcq_analysis_evidence_kind ("photo",
 *        "system_log", "surveillance_video", "staff_interview", "document",
 *        "other").
 * @param kind an evidence kind value.
 * @return a static string, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_analysis_evidence_kind_name(int32_t kind);

/**
 * @brief Creates an analysis of one effect, with the categories of a
 *        template ("k1", "k2", ... in the template's order).
 * @param out      receives the analysis (caller-owned,
 *                 svcq_analysis_free()); NULL on failure.
 * @param ctx      the context it lives in.
 * @param id       its id, also its record id in the store (the store's id
 *                 syntax, svcq/store.h).
 * @param effect   the problem, the text of node "e".
 * @param template_ a svcq_analysis_template value.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments, a bad id, an unknown
 *         template, or a text refused (see Limits); SVCQ_ELIMIT for a text
 *         too long; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_analysis_new(svcq_analysis **out, svcq_ctx *ctx, const char *id,
                                              const char *effect, int32_t template_);
/**
 * @brief Frees an analysis; NULL is a no-op. Undo entries it left in an
 *        open batch are detached (a rollback leaves the freed handle alone).
 * @param a the analysis.
 * @since 0.2
 */
SVCQ_API void svcq_analysis_free(svcq_analysis *a);

/**
 * @brief The analysis id. @param a the analysis.
 * @return a string owned by @p a, or NULL for NULL.
 * @since 0.2
 */
SVCQ_API const char *svcq_analysis_id(const svcq_analysis *a);
/**
 * @brief The store revision the handle last saved or loaded.
 * @param a the analysis.
 * @return the revision; 0 when never saved or loaded (or deleted), or for NULL.
 * @since 0.2
 */
SVCQ_API uint64_t svcq_analysis_revision(const svcq_analysis *a);
/**
 * @brief The template the analysis was made from.
 * @param a the analysis.
 * @return a svcq_analysis_template value; -1 for NULL.
 * @since 0.2
 */
SVCQ_API int32_t svcq_analysis_template_of(const svcq_analysis *a);
/**
 * @brief The incident the analysis belongs to.
 * @param a the analysis.
 * @return a string owned by @p a, or NULL when not linked (or for NULL).
 * @since 0.2
 */
SVCQ_API const char *svcq_analysis_incident(const svcq_analysis *a);
/**
 * @brief Links the analysis to an incident id (the store's id syntax), or
 *        unlinks it (NULL or "").
 * @param a           the analysis.
 * @param incident_id the incident id, or NULL.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p a or a bad id; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_analysis_set_incident(svcq_analysis *a, const char *incident_id);
/**
 * @brief The why depth: 5-Why branches ending above it are short branches.
 * @param a the analysis.
 * @return the depth (default SVCQ_ANALYSIS_DEFAULT_WHY_DEPTH); 0 for NULL.
 * @since 0.2
 */
SVCQ_API uint32_t svcq_analysis_why_depth(const svcq_analysis *a);
/**
 * @brief Sets the why depth.
 * @param a     the analysis.
 * @param depth 1 to SVCQ_ANALYSIS_MAX_DEPTH.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ERANGE for a depth out of range;
 *         SVCQ_ENOMEM (only inside a store transaction, for its undo entry).
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_analysis_set_why_depth(svcq_analysis *a, uint32_t depth);

/**
 * @brief Adds a node as the last child of another.
 *
 * A category goes under the effect; a cause under a category or a cause; a
 * why under the effect, a cause or a why. The new node is a hypothesis
 * with weight 0, no owner and no evidence.
 * @param out_id    receives the new node's id (owned by @p a, valid until
 *                  the node is removed or @p a freed); may be NULL.
 * @param a         the analysis.
 * @param parent_id the parent's id.
 * @param kind      SVCQ_ANALYSIS_CATEGORY, SVCQ_ANALYSIS_CAUSE or SVCQ_ANALYSIS_WHY.
 * @param text      the node's text.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments, a kind that cannot go
 *         under that parent, or a text refused; SVCQ_ENOTFOUND for an
 *         unknown parent; SVCQ_ELIMIT beyond SVCQ_ANALYSIS_MAX_NODES, below
 *         SVCQ_ANALYSIS_MAX_DEPTH, or for a text too long; SVCQ_ENOMEM. On
 *         failure nothing changed.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_analysis_add(const char **out_id, svcq_analysis *a, const char *parent_id,
                                              int32_t kind, const char *text);
/**
 * @brief Moves a node, with everything under it, to another parent.
 * @param a         the analysis.
 * @param node_id   the node; not the effect.
 * @param parent_id the new parent, which must accept the node's kind (see
 *                  svcq_analysis_add()) and must not be the node or lie
 *                  under it.
 * @param position  the index among the new parent's children after the
 *                  move, or -1 for the end.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments, the effect, a parent of
 *         the wrong kind, a cycle, or a position out of range;
 *         SVCQ_ENOTFOUND for an unknown id; SVCQ_ELIMIT when the moved
 *         subtree would reach below SVCQ_ANALYSIS_MAX_DEPTH; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_analysis_move(svcq_analysis *a, const char *node_id, const char *parent_id,
                                               int32_t position);
/**
 * @brief Removes a node and everything under it (root causes included).
 *        Their ids are not given out again.
 * @param a       the analysis.
 * @param node_id the node; not the effect.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments or the effect;
 *         SVCQ_ENOTFOUND for an unknown id; SVCQ_ENOMEM (inside a store
 *         transaction only).
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_analysis_remove(svcq_analysis *a, const char *node_id);
/**
 * @brief Replaces a node's text ("e": the effect).
 * @param a the analysis. @param node_id the node. @param text the new text.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments or a text refused;
 *         SVCQ_ENOTFOUND; SVCQ_ELIMIT for a text too long; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_analysis_set_text(svcq_analysis *a, const char *node_id, const char *text);
/**
 * @brief Sets a node's status.
 * @param a the analysis. @param node_id the node.
 * @param status a svcq_analysis_status value.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments or an unknown status;
 *         SVCQ_ENOTFOUND; SVCQ_ESTATE when the node is a root cause and
 *         @p status is not SVCQ_ANALYSIS_CONFIRMED (unmark it first);
 *         SVCQ_ENOMEM (inside a store transaction only).
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_analysis_set_status(svcq_analysis *a, const char *node_id, int32_t status);
/**
 * @brief Sets a node's owner (NULL or "" for none).
 * @param a the analysis. @param node_id the node. @param owner the owner's name.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p a or @p node_id or a name
 *         refused; SVCQ_ENOTFOUND; SVCQ_ELIMIT; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_analysis_set_owner(svcq_analysis *a, const char *node_id, const char *owner);
/**
 * @brief Sets a node's weight (team votes or a weight).
 * @param a the analysis. @param node_id the node.
 * @param weight 0 to SVCQ_ANALYSIS_MAX_WEIGHT.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments; SVCQ_ENOTFOUND;
 *         SVCQ_ERANGE for a weight out of range; SVCQ_ENOMEM (inside a
 *         store transaction only).
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_analysis_set_weight(svcq_analysis *a, const char *node_id, int32_t weight);
/**
 * @brief Adds an evidence reference to a node (after those it has).
 * @param a            the analysis.
 * @param node_id      the node.
 * @param kind         a svcq_analysis_evidence_kind value.
 * @param uri          where the evidence is (a URL, a path, a ticket
 *                     reference); NULL or "" for none.
 * @param note         what it shows; NULL or "" for none. One of @p uri and
 *                     @p note must be given.
 * @param collected_by who collected it; NULL or "" for unknown.
 * @param collected_at when, in 1900..9999 (svcq_calendar_range()); 0 for unknown.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p a or @p node_id, an unknown
 *         kind, neither @p uri nor @p note, or a text refused;
 *         SVCQ_ENOTFOUND; SVCQ_ERANGE for @p collected_at out of range;
 *         SVCQ_ELIMIT beyond SVCQ_ANALYSIS_MAX_EVIDENCE or for a text too
 *         long; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_analysis_add_evidence(svcq_analysis *a, const char *node_id, int32_t kind,
                                                       const char *uri, const char *note,
                                                       const char *collected_by, svcq_time collected_at);
/**
 * @brief Removes evidence reference @p index of a node (those after it move up).
 * @param a the analysis. @param node_id the node. @param index 0-based.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments; SVCQ_ENOTFOUND for an
 *         unknown node or index; SVCQ_ESTATE when it is the last evidence
 *         of a root cause; SVCQ_ENOMEM (inside a store transaction only).
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_analysis_remove_evidence(svcq_analysis *a, const char *node_id,
                                                          uint32_t index);
/**
 * @brief Marks a node as a root cause, or unmarks it.
 * @param a       the analysis.
 * @param node_id a cause or a why.
 * @param marked  non-zero to mark, 0 to unmark.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments or the effect or a
 *         category; SVCQ_ENOTFOUND; SVCQ_ESTATE when marking a node that
 *         is not confirmed or has no evidence; SVCQ_ENOMEM (inside a store
 *         transaction only).
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_analysis_set_root_cause(svcq_analysis *a, const char *node_id,
                                                         int32_t marked);

/**
 * @brief The number of nodes, the effect included.
 * @param a the analysis.
 * @return the count; 0 for NULL.
 * @since 0.2
 */
SVCQ_API size_t svcq_analysis_node_count(const svcq_analysis *a);
/**
 * @brief The id of node @p i in document order (the effect first, then
 *        depth first, children in order).
 * @param a the analysis. @param i 0-based.
 * @return an id owned by @p a, or NULL past the end.
 * @since 0.2
 */
SVCQ_API const char *svcq_analysis_node_at(const svcq_analysis *a, size_t i);
/**
 * @brief A node's kind.
 * @param a the analysis. @param node_id the node.
 * @return a svcq_analysis_node_kind value; 0 for an unknown node.
 * @since 0.2
 */
SVCQ_API int32_t svcq_analysis_node_kind_of(const svcq_analysis *a, const char *node_id);
/**
 * @brief A node's text.
 * @param a the analysis. @param node_id the node.
 * @return a string owned by @p a; NULL for an unknown node.
 * @since 0.2
 */
SVCQ_API const char *svcq_analysis_node_text(const svcq_analysis *a, const char *node_id);
/**
 * @brief A node's parent.
 * @param a the analysis. @param node_id the node.
 * @return the parent's id, owned by @p a; NULL for the effect or an unknown node.
 * @since 0.2
 */
SVCQ_API const char *svcq_analysis_node_parent(const svcq_analysis *a, const char *node_id);
/**
 * @brief A node's status.
 * @param a the analysis. @param node_id the node.
 * @return a svcq_analysis_status value; -1 for an unknown node.
 * @since 0.2
 */
SVCQ_API int32_t svcq_analysis_node_status(const svcq_analysis *a, const char *node_id);
/**
 * @brief A node's owner.
 * @param a the analysis. @param node_id the node.
 * @return a string owned by @p a; NULL when none or for an unknown node.
 * @since 0.2
 */
SVCQ_API const char *svcq_analysis_node_owner(const svcq_analysis *a, const char *node_id);
/**
 * @brief A node's weight.
 * @param a the analysis. @param node_id the node.
 * @return the weight; -1 for an unknown node.
 * @since 0.2
 */
SVCQ_API int32_t svcq_analysis_node_weight(const svcq_analysis *a, const char *node_id);
/**
 * @brief Whether a node is marked as a root cause.
 * @param a the analysis. @param node_id the node.
 * @return 1 when marked, 0 when not, -1 for an unknown node.
 * @since 0.2
 */
SVCQ_API int32_t svcq_analysis_node_is_root_cause(const svcq_analysis *a, const char *node_id);
/**
 * @brief The 5-Why level of a why (1 for a why under the effect or a cause).
 * @param a the analysis. @param node_id the node.
 * @return the level; 0 for a node that is not a why or is unknown.
 * @since 0.2
 */
SVCQ_API uint32_t svcq_analysis_node_why_level(const svcq_analysis *a, const char *node_id);
/**
 * @brief The number of children of a node.
 * @param a the analysis. @param node_id the node.
 * @return the count; 0 for an unknown node.
 * @since 0.2
 */
SVCQ_API size_t svcq_analysis_node_child_count(const svcq_analysis *a, const char *node_id);
/**
 * @brief Child @p i of a node.
 * @param a the analysis. @param node_id the node. @param i 0-based.
 * @return an id owned by @p a; NULL past the end or for an unknown node.
 * @since 0.2
 */
SVCQ_API const char *svcq_analysis_node_child(const svcq_analysis *a, const char *node_id, size_t i);
/**
 * @brief The number of evidence references of a node.
 * @param a the analysis. @param node_id the node.
 * @return the count; 0 for an unknown node.
 * @since 0.2
 */
SVCQ_API size_t svcq_analysis_evidence_count(const svcq_analysis *a, const char *node_id);
/**
 * @brief The kind of evidence @p i of a node.
 * @param a the analysis. @param node_id the node. @param i 0-based.
 * @return a svcq_analysis_evidence_kind value; 0 for an unknown node or index.
 * @since 0.2
 */
SVCQ_API int32_t svcq_analysis_evidence_kind_of(const svcq_analysis *a, const char *node_id, size_t i);
/**
 * @brief The URI of evidence @p i of a node.
 * @param a the analysis. @param node_id the node. @param i 0-based.
 * @return a string owned by @p a; NULL when none or unknown.
 * @since 0.2
 */
SVCQ_API const char *svcq_analysis_evidence_uri(const svcq_analysis *a, const char *node_id, size_t i);
/**
 * @brief The note of evidence @p i of a node.
 * @param a the analysis. @param node_id the node. @param i 0-based.
 * @return a string owned by @p a; NULL when none or unknown.
 * @since 0.2
 */
SVCQ_API const char *svcq_analysis_evidence_note(const svcq_analysis *a, const char *node_id, size_t i);
/**
 * @brief Who collected evidence @p i of a node.
 * @param a the analysis. @param node_id the node. @param i 0-based.
 * @return a string owned by @p a; NULL when unknown.
 * @since 0.2
 */
SVCQ_API const char *svcq_analysis_evidence_collected_by(const svcq_analysis *a, const char *node_id,
                                                         size_t i);
/**
 * @brief When evidence @p i of a node was collected.
 * @param a the analysis. @param node_id the node. @param i 0-based.
 * @return the instant; 0 when unknown.
 * @since 0.2
 */
SVCQ_API svcq_time svcq_analysis_evidence_collected_at(const svcq_analysis *a, const char *node_id, size_t i);

/**
 * @brief The number of root causes.
 * @param a the analysis.
 * @return the count; 0 for NULL.
 * @since 0.2
 */
SVCQ_API size_t svcq_analysis_root_cause_count(const svcq_analysis *a);
/**
 * @brief Root cause @p i, in document order.
 * @param a the analysis. @param i 0-based.
 * @return an id owned by @p a; NULL past the end.
 * @since 0.2
 */
SVCQ_API const char *svcq_analysis_root_cause(const svcq_analysis *a, size_t i);
/**
 * @brief The number of 5-Why trees: the effect and the causes that have at
 *        least one why child.
 * @param a the analysis.
 * @return the count; 0 for NULL.
 * @since 0.2
 */
SVCQ_API size_t svcq_analysis_why_tree_count(const svcq_analysis *a);
/**
 * @brief The anchor (the effect or a cause) of 5-Why tree @p i, in document
 *        order: the value to give the picture exports.
 * @param a the analysis. @param i 0-based.
 * @return an id owned by @p a; NULL past the end.
 * @since 0.2
 */
SVCQ_API const char *svcq_analysis_why_tree(const svcq_analysis *a, size_t i);
/**
 * @brief The number of short branches: whys without why children, not
 *        refuted, at a level below the why depth. A warning, never an error.
 * @param a the analysis.
 * @return the count; 0 for NULL.
 * @since 0.2
 */
SVCQ_API size_t svcq_analysis_short_branch_count(const svcq_analysis *a);
/**
 * @brief The last why of short branch @p i, in document order.
 * @param a     the analysis.
 * @param i     0-based.
 * @param level receives the why's level; may be NULL.
 * @return an id owned by @p a; NULL past the end.
 * @since 0.2
 */
SVCQ_API const char *svcq_analysis_short_branch(const svcq_analysis *a, size_t i, uint32_t *level);

/**
 * @brief Writes the analysis as a JSON document (schema "svcq.analysis/1",
 *        docs/format.md): deterministic, so export, import and export again
 *        give the same bytes. The stored record is this document.
 * @param a      the analysis; not changed.
 * @param writer where the text goes.
 * @param flags  0 or SVCQ_ANALYSIS_JSON_PRETTY.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments or unknown flags;
 *         SVCQ_ENOMEM; or the writer's error (part of the text may have
 *         been written).
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_analysis_export_json(const svcq_analysis *a, const svcq_writer *writer,
                                                      uint32_t flags);
/**
 * @brief Makes an analysis from a JSON document (schema "svcq.analysis/1").
 *
 * Unknown fields are ignored; every known one is checked as the edit
 * functions check it, and the message names the place ("nodes[3] (c2):
 * ..."). The analysis is not bound to a record (revision 0).
 * @param out  receives the analysis (caller-owned); NULL on failure.
 * @param ctx  the context it lives in.
 * @param json the document, UTF-8; need not be NUL-terminated.
 * @param size its length in bytes.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p out or @p ctx, NULL @p json with
 *         a non-zero size, or values the edits refuse (a root cause not
 *         confirmed, a parent of the wrong kind, a duplicate id);
 *         SVCQ_EPARSE for text that is not JSON (line and column in the
 *         message); SVCQ_ECORRUPT for JSON that is not an analysis document
 *         (a missing or mistyped field, an unknown kind or status);
 *         SVCQ_EVERSION for a newer schema; SVCQ_ELIMIT; SVCQ_ERANGE;
 *         SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_analysis_import_json(svcq_analysis **out, svcq_ctx *ctx, const char *json,
                                                      size_t size);
/**
 * @brief Stores the analysis as the record (kind "analysis", its id) in one
 *        store transaction (or the open batch), with compare-and-swap on the
 *        revision the handle holds (0: the record must not exist yet).
 *        Short branches are logged as warnings.
 * @param a the analysis.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ECONFLICT when the stored
 *         revision differs (another writer saved first); SVCQ_ENOMEM; a
 *         storage error. On failure the handle and the store are unchanged.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_analysis_save(svcq_analysis *a);
/**
 * @brief Loads a stored analysis.
 * @param out receives the analysis (caller-owned), bound to the record;
 *            NULL on failure.
 * @param ctx the context whose store is read.
 * @param id  the analysis id.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments or a bad id;
 *         SVCQ_ENOTFOUND when no such record exists; SVCQ_ECORRUPT for a
 *         damaged record; SVCQ_EVERSION for a newer format; SVCQ_ENOMEM; a
 *         storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_analysis_load(svcq_analysis **out, svcq_ctx *ctx, const char *id);
/**
 * @brief Removes the analysis's record (compare-and-swap on the handle's
 *        revision); the handle stays usable, with revision 0.
 * @param a the analysis.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ESTATE when never saved or
 *         loaded; SVCQ_ECONFLICT; SVCQ_ENOTFOUND; a storage error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_analysis_delete(svcq_analysis *a);

/**
 * @brief Writes the cause report (the cause-analysis form) in Markdown: the
 *        effect, the root causes, the fishbone's categories and causes,
 *        each 5-Why tree, the evidence, the short branches and the status
 *        of every node.
 * @param a      the analysis; not changed.
 * @param writer where the text goes.
 * @param tz     the zone in which evidence times are shown; NULL for UTC.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p a or @p writer; SVCQ_ENOMEM; the
 *         writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_analysis_export_report(const svcq_analysis *a, const svcq_writer *writer,
                                                        const svcq_tz *tz);
/**
 * @brief Writes Mermaid text: with @p anchor NULL the fishbone in the
 *        `ishikawa-beta` syntax (Mermaid 11.12 and later: first line the
 *        effect, categories and causes by indentation); with an anchor, its
 *        5-Why tree as a `flowchart TD`, root causes and refuted whys
 *        styled.
 * @param a      the analysis; not changed.
 * @param writer where the text goes.
 * @param anchor NULL, or the effect, a cause or a why whose whys are drawn.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p a or @p writer, or an anchor
 *         that is a category; SVCQ_ENOTFOUND for an unknown anchor;
 *         SVCQ_ENOMEM; the writer's error.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_analysis_export_mermaid(const svcq_analysis *a, const svcq_writer *writer,
                                                         const char *anchor);
/**
 * @brief Writes Graphviz DOT: the fishbone (@p anchor NULL; causes point
 *        to their category, categories to the effect) or a 5-Why tree.
 * @param a the analysis. @param writer where the text goes.
 * @param anchor as svcq_analysis_export_mermaid().
 * @return as svcq_analysis_export_mermaid().
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_analysis_export_dot(const svcq_analysis *a, const svcq_writer *writer,
                                                     const char *anchor);
/**
 * @brief Draws an SVG picture (SVG 1.1, no script, no external resources):
 *        the fishbone (@p anchor NULL: head, spine, category bones, causes
 *        to any depth, root causes highlighted) or a 5-Why tree (boxes top
 *        down). Text is escaped, long labels wrap (a label longer than
 *        eight lines ends with "…"), and labels never overlap.
 * @param a the analysis. @param writer where the text goes.
 * @param anchor as svcq_analysis_export_mermaid().
 * @return as svcq_analysis_export_mermaid().
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_analysis_export_svg(const svcq_analysis *a, const svcq_writer *writer,
                                                     const char *anchor);

#ifdef __cplusplus
}
#endif

#endif
