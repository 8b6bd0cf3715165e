/* Tier internals shared by scheme*.c, classify.c, client*.c, history.c and
 * tier_move.c (the assignment part has its own assign_internal.h). */
#ifndef SVCQ__TIER_INTERNAL_H
#define SVCQ__TIER_INTERNAL_H

#include <stdbool.h>

#include "core/buf.h"
#include "core/core.h"
#include "core/json.h"
#include "svcq/tier.h"

#define SVCQ__TIER_KEY_MAX 64
#define SVCQ__TIER_NAME_MAX 255
#define SVCQ__TIER_SCHEME_NAME_MAX 200
#define SVCQ__TIER_SCHEME_KIND "tier_scheme"
#define SVCQ__TIER_SCHEME_SCHEMA 1
#define SVCQ__CLIENT_KIND "client"
#define SVCQ__CLIENT_SCHEMA 1
#define SVCQ__CLIENT_ID_MAX 200
#define SVCQ__CLIENT_NAME_MAX 1024
#define SVCQ__CLIENT_REASON_MAX 1024
/* 100 points in milli-points. */
#define SVCQ__TIER_FULL 100000

typedef struct svcq__tier_band {
    double lo, hi;        /* [lo, hi) */
    double points;        /* as given */
    int64_t points_milli; /* rounded once */
} svcq__tier_band;

typedef struct svcq__tier_factor {
    char key[SVCQ__TIER_KEY_MAX + 1];
    char *name;
    int32_t group, norm;
    uint32_t weight;
    double lo, hi, input_min, input_max;
    bool has_default;
    double default_value;
    uint32_t nbands;
    svcq__tier_band bands[SVCQ_TIER_MAX_BANDS];
} svcq__tier_factor;

typedef struct svcq__tier_cond {
    uint32_t factor;
    int32_t op;
    double value;
} svcq__tier_cond;

typedef struct svcq__tier_tier {
    char key[SVCQ__TIER_KEY_MAX + 1];
    char *name;
    bool has_min;
    double min_score;   /* as given */
    int64_t min_milli;  /* rounded once */
    uint32_t nconds;
    svcq__tier_cond conds[SVCQ_TIER_MAX_CONDITIONS];
} svcq__tier_tier;

struct svcq_tier_scheme {
    svcq_ctx *ctx;
    uint32_t refs;     /* the caller's plus one per result holding it */
    bool finished;
    char *name;
    uint32_t version;
    uint64_t revision;
    uint32_t ntiers, nfactors;
    svcq__tier_tier tiers[SVCQ_TIER_MAX_TIERS];
    svcq__tier_factor *factors; /* SVCQ_TIER_MAX_FACTORS allocated on the first add */
    uint32_t demote_periods;
    double demote_margin;
    int64_t demote_margin_milli;
};

void svcq__tier_scheme_retain(svcq_tier_scheme *s);
void svcq__tier_scheme_release(svcq_tier_scheme *s);
int svcq__tier_find_tier(const svcq_tier_scheme *s, const char *key);
int svcq__tier_find_factor(const svcq_tier_scheme *s, const char *key);
/* Checks a key: 1 to 64 bytes of [a-z0-9_]. */
int svcq__tier_check_key(svcq_ctx *ctx, const char *what, const char *key);
/* Checks text: UTF-8, 1 to max bytes, no control characters. */
int svcq__tier_check_text(svcq_ctx *ctx, const char *what, const char *s, size_t max);
/* Rounds to the nearest integer, halves away from zero (|x| < 2^52). */
int64_t svcq__tier_round(double x);
/* Rounds points (0..100) to milli-points. */
int64_t svcq__tier_milli(double points);

/* Scheme JSON (scheme_json.c). */
int svcq__tier_scheme_encode(const svcq_tier_scheme *s, svcq__jw *w);
int svcq__tier_scheme_decode(svcq_ctx *ctx, const svcq__json *root, svcq_tier_scheme **out);

/* The core of classification (classify.c): the effective inputs, points and
 * contributions (each array of nfactors, may be NULL), the rank and score.
 * Writes an error message only on failure. */
int svcq__tier_eval(const svcq_tier_scheme *s, const double *values, double *inputs, int64_t *points,
                    int64_t *contrib, uint32_t *rank, int64_t *score);
/* Whether tier rank r's rule holds for these inputs and score. */
bool svcq__tier_rule_holds(const svcq_tier_scheme *s, uint32_t r, const double *inputs, int64_t score);
/* Describes tier r's rule ("score >= 55.000 and annual_purchase_share >= 10"). */
int svcq__tier_rule_text(const svcq_tier_scheme *s, uint32_t r, svcq__buf *out);
/* "12.345" for milli-points. */
void svcq__tier_fmt_milli(char out[32], int64_t milli);

/* ---- clients ------------------------------------------------------------ */

typedef struct svcq__tier_entry {
    svcq_time from, to;  /* [from, to); to NEVER for the open entry */
    char *tier;
    uint32_t rank;
    int32_t kind;        /* svcq_tier_change */
    char *reason, *actor, *scheme;
    uint32_t scheme_version;
} svcq__tier_entry;

typedef struct svcq__client_state {
    svcq_client *owner;     /* for the undo entry */
    bool has_classified;
    char *classified;
    uint32_t classified_rank;
    int64_t classified_score;
    uint32_t below;
    bool has_override;
    svcq_time override_expires; /* NEVER: none */
    uint32_t nhist, cap;
    svcq__tier_entry *hist;
} svcq__client_state;

struct svcq_client {
    svcq_ctx *ctx;
    char *id, *name;
    uint64_t revision;
    svcq__client_state *st;
};

void svcq__client_state_free(svcq_ctx *ctx, svcq__client_state *st);
int svcq__client_encode(const svcq_client *c, const svcq__client_state *st, svcq__jw *w);
int svcq__client_decode(svcq_ctx *ctx, const svcq__json *root, svcq_client **out);

#endif
