/* Internal model of a service blueprint (svcq/blueprint.h), shared by the
 * model and its edits (blueprint.c), JSON and the store (blueprint_json.c),
 * the overlay (blueprint_overlay.c) and the exports (blueprint_export.c,
 * blueprint_svg.c). */
#ifndef SVCQ__BLUEPRINT_INTERNAL_H
#define SVCQ__BLUEPRINT_INTERNAL_H

#include "core/buf.h"
#include "core/core.h"
#include "core/map.h"
#include "svcq/blueprint.h"

#define SVCQ__BP_KIND "blueprint"
#define SVCQ__BP_SCHEMA_MAJOR 1

typedef struct svcq__bp_step {
    char *key;
    char *title;
    char *customer; /* NULL when absent, as the three below and channel */
    char *front;
    char *back;
    char *support;
    char *channel;
    char *stage;
} svcq__bp_step;

typedef struct svcq__bp_risk {
    char *key;
    char *step;
    char *failure;
    char *contingency; /* NULL when absent */
    char *owner;       /* NULL when absent */
    char *watch_name;  /* NULL when watch is NONE */
    int32_t severity;
    int32_t watch;
} svcq__bp_risk;

/* Everything an edit may change: an edit builds the next model as a copy
 * and swaps it in; the old one goes into an undo entry inside a
 * transaction and is freed otherwise. */
typedef struct svcq__bp_model {
    char *title;
    svcq__bp_step *steps;
    size_t nsteps;
    svcq__bp_risk *risks;
    size_t nrisks;
} svcq__bp_model;

struct svcq_blueprint {
    svcq_ctx *ctx;
    char *service;
    uint64_t revision; /* of the record "<service>"; 0 when unbound */
    uint64_t version;  /* the last saved or loaded version; 0 before */
    uint64_t changed;  /* 1 when edited since the last save or load */
    bool history;      /* loaded as "<service>@<n>": read-only */
    svcq__bp_model m;
};

/* ---- blueprint.c ---- */

/* Key syntax: 1..SVCQ_BLUEPRINT_MAX_KEY of [a-z0-9_] (and '-', '.' when
 * service is true). EINVAL naming what. */
int svcq__bp_check_key(svcq_ctx *ctx, const char *what, const char *s, size_t len, bool service);
/* Text the blueprint keeps: UTF-8, 1..SVCQ_BLUEPRINT_MAX_TEXT bytes, not
 * blank, no control characters but tab and line feed. EINVAL or ELIMIT. */
int svcq__bp_check_text(svcq_ctx *ctx, const char *what, const char *s, size_t len);
void svcq__bp_model_free(svcq_ctx *ctx, svcq__bp_model *m);
/* Adds a checked step / risk to a model under construction (the import). */
int svcq__bp_model_add_step(svcq_ctx *ctx, const char *what, svcq__bp_model *m, const svcq_blueprint_step_spec *s);
int svcq__bp_model_add_risk(svcq_ctx *ctx, const char *what, svcq__bp_model *m, const svcq_blueprint_risk_spec *s);
/* A new handle around model m (taken over on success). */
int svcq__bp_handle_new(svcq_blueprint **out, svcq_ctx *ctx, const char *service, svcq__bp_model *m);
const svcq__bp_step *svcq__bp_find_step(const svcq__bp_model *m, const char *key, size_t *index);
const svcq__bp_risk *svcq__bp_find_risk(const svcq__bp_model *m, const char *key, size_t *index);

/* ---- blueprint_json.c ---- */

int svcq__bp_encode(const svcq_blueprint *bp, svcq__buf *out, bool pretty);
/* Hands b to the writer; a writer's failure is reported on bp's context
 * (what: "SVG", "Markdown", ...). */
int svcq__bp_flush(const svcq_blueprint *bp, const char *what, const svcq_writer *w, const svcq__buf *b);

/* ---- blueprint_overlay.c ---- */

typedef struct svcq__bp_obs {
    char *step;     /* NULL when none */
    char *incident;
    char *stage;    /* NULL when unknown */
    svcq_time at;
    int32_t state;
    uint32_t recurrence;
    uint32_t open_actions;
    char **breached;
    uint32_t nbreached;
} svcq__bp_obs;

struct svcq_blueprint_overlay {
    svcq_ctx *ctx;
    svcq_time from, to;
    svcq__bp_obs *obs;
    size_t nobs, cap;
    size_t skipped;
    svcq__map ids; /* incident id -> index + 1 */
};

/* Takes the observations from index n on out of ov again and puts the
 * skipped count back (an archive fill that failed half-way). */
void svcq__bp_overlay_truncate(svcq_blueprint_overlay *ov, size_t n, size_t skipped);

/* The stats of step index i of bp (no checks). */
void svcq__bp_stats(const svcq_blueprint_overlay *ov, const svcq_blueprint *bp, size_t i,
                    svcq_blueprint_step_stats *out);
uint32_t svcq__bp_risk_breaches(const svcq_blueprint_overlay *ov, const svcq__bp_risk *r);
/* The stats of every step (out: nsteps entries) and the breaches of every
 * risk point (risk_breaches: nrisks entries, or NULL) in one pass over the
 * observations, for the exports; ov may be NULL (all zero but the risk
 * point counts). SVCQ_ENOMEM. */
int svcq__bp_stats_all(const svcq_blueprint_overlay *ov, const svcq_blueprint *bp, svcq_blueprint_step_stats *out,
                       uint32_t *risk_breaches);

/* ---- blueprint_svg.c ---- */

int svcq__bp_svg(const svcq_blueprint *bp, const svcq_blueprint_overlay *ov, svcq__buf *out);

#endif
