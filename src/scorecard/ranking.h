/* Internal: the ranking's structures, shared by ranking.c and export.c. */
#ifndef SVCQ__SCORECARD_RANKING_H
#define SVCQ__SCORECARD_RANKING_H

#include "scorecard/scorecard_internal.h"

typedef struct svcq__rk_unit {
    char *unit;
    int64_t share_sum;   /* sum of monthly shares of months with applicable items */
    uint32_t months;
    bool in_period;      /* had a card in an added period */
    bool vetoed;
    char *veto_reason;   /* the first one */
    bool has_sat;
    int64_t sat;
} svcq__rk_unit;

typedef struct svcq__rk_result {
    uint32_t unit;       /* index into units */
    const char *name;    /* units[unit].unit */
    int64_t share, sat, raw, score;
    bool excluded;
    uint32_t rank;
    bool has_prev;
    uint32_t prev_rank;
    int32_t change;
} svcq__rk_result;

typedef struct svcq__rk_prev {
    char *unit;
    uint32_t rank;
} svcq__rk_prev;

struct svcq_scorecard_ranking {
    svcq_ctx *ctx;
    svcq_scorecard_template *tpl;
    char *label;
    int32_t basis;
    char **periods;
    uint32_t nperiods;
    svcq__rk_unit *units;
    uint32_t nunits, cap;
    svcq__map index;     /* unit -> index + 1 */
    svcq__rk_result *result;
    uint32_t nresult;
    bool computed;
    svcq__rk_prev *prev;
    uint32_t nprev;
    svcq__map prev_index;
    bool has_prev;
};

#endif
