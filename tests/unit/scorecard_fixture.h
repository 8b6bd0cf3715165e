/* Shared by the scorecard tests: instants, a captured writer, and the
 * values of the worked example of docs/scorecard.md (January and February
 * 2026, three branches of the built-in telecom template). */
#ifndef SCORECARD_FIXTURE_H
#define SCORECARD_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "svcq.h"

#define MIN 60
#define HOUR 3600
#define DAY 86400
#define JAN1 ((svcq_time)1767225600) /* 2026-01-01T00:00:00Z */
#define FEB1 ((svcq_time)1769904000) /* 2026-02-01T00:00:00Z */
#define MAR1 ((svcq_time)1772323200) /* 2026-03-01T00:00:00Z */

/* Captures an export into a malloc'd NUL-terminated string (NULL on failure, *rc set). */
typedef int (*sc_export_fn)(const void *obj, const svcq_writer *w, void *arg);

static inline char *sc_capture(svcq_ctx *ctx, int (*fn)(const svcq_writer *w, void *arg), void *arg, int *rc)
{
    svcq_buffer *b = NULL;
    svcq_writer w;
    *rc = svcq_buffer_new(&b, ctx);
    if (*rc)
        return NULL;
    if ((*rc = svcq_writer_to_buffer(&w, b)) || (*rc = fn(&w, arg))) {
        svcq_buffer_free(b);
        return NULL;
    }
    char *s = malloc(svcq_buffer_size(b) + 1);
    memcpy(s, svcq_buffer_data(b), svcq_buffer_size(b) + 1);
    svcq_buffer_free(b);
    return s;
}

typedef struct sc_card_arg {
    const svcq_scorecard_period *p;
    const char *unit;
    int32_t format;
} sc_card_arg;

static inline int sc_card_fn(const svcq_writer *w, void *arg)
{
    sc_card_arg *a = arg;
    return svcq_scorecard_card_export(a->p, a->unit, w, a->format);
}

static inline char *sc_card_text(const svcq_scorecard_period *p, svcq_ctx *ctx, const char *unit, int32_t format)
{
    sc_card_arg a = { p, unit, format };
    int rc;
    return sc_capture(ctx, sc_card_fn, &a, &rc);
}

typedef struct sc_rank_arg {
    const svcq_scorecard_ranking *r;
    int32_t format;
} sc_rank_arg;

static inline int sc_rank_fn(const svcq_writer *w, void *arg)
{
    sc_rank_arg *a = arg;
    return svcq_scorecard_ranking_export(a->r, w, a->format);
}

static inline char *sc_rank_text(const svcq_scorecard_ranking *r, svcq_ctx *ctx, int32_t format)
{
    sc_rank_arg a = { r, format };
    int rc;
    return sc_capture(ctx, sc_rank_fn, &a, &rc);
}

typedef struct sc_tpl_arg {
    const svcq_scorecard_template *t;
    int32_t format;
    uint32_t flags;
} sc_tpl_arg;

static inline int sc_tpl_fn(const svcq_writer *w, void *arg)
{
    sc_tpl_arg *a = arg;
    return svcq_scorecard_template_export(a->t, w, a->format, a->flags);
}

static inline char *sc_tpl_text(const svcq_scorecard_template *t, svcq_ctx *ctx, int32_t format, uint32_t flags)
{
    sc_tpl_arg a = { t, format, flags };
    int rc;
    return sc_capture(ctx, sc_tpl_fn, &a, &rc);
}

/* The nine items of the built-in template, in its order. */
static const char *const SC_ITEMS[9] = {
    "hotline_quality", "key_accounts", "halls_and_agents", "complaint_timeliness", "mobile_complaint_rate",
    "hotline_test_calls", "coordination_meeting", "public_supervisors", "gm_hotline_escalations",
};

/* January values of the worked example (thousandths; -1: not applicable). */
static const int64_t SC_JAN[3][9] = {
    /* branch-a */ { 32000, 9000, 8000, 96000, 1500, 3500, 9000, 3000, 1000 },
    /* branch-b */ { 34000, 10000, 9000, 99000, 800, 4000, 10000, 3000, 0 },
    /* branch-c */ { 30000, -1, 9500, 92000, 2200, 3000, 8000, 2000, 6000 },
};
static const char *const SC_UNITS[3] = { "branch-a", "branch-b", "branch-c" };

/* Fills a period with units and the values (NULL rows skip a unit). */
static inline int sc_fill(svcq_scorecard_period *p, const int64_t vals[3][9])
{
    int rc = SVCQ_OK;
    for (int u = 0; !rc && u < 3; u++) {
        rc = svcq_scorecard_period_add_unit(p, SC_UNITS[u]);
        for (int i = 0; !rc && i < 9; i++)
            rc = vals[u][i] < 0 ? svcq_scorecard_set_na(p, SC_UNITS[u], SC_ITEMS[i], "no key accounts in this branch")
                                : svcq_scorecard_set_value(p, SC_UNITS[u], SC_ITEMS[i], vals[u][i]);
    }
    return rc;
}

#endif
