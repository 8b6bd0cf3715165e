/* Internal scorecard API: the template, card and ranking structures shared
 * by the files of src/scorecard/. Nothing here is exported. */
#ifndef SVCQ__SCORECARD_INTERNAL_H
#define SVCQ__SCORECARD_INTERNAL_H

#include <stdbool.h>

#include "core/buf.h"
#include "core/core.h"
#include "core/json.h"
#include "core/map.h"
#include "svcq/scorecard.h"

#define SVCQ__SC_TEMPLATE_KIND "scorecard_template"
#define SVCQ__SC_TEMPLATE_SCHEMA 1
#define SVCQ__SC_CARD_KIND "scorecard"
#define SVCQ__SC_CARD_SCHEMA 1
#define SVCQ__SC_ORDER_KIND "scorecard_order"
#define SVCQ__SC_ORDER_SCHEMA 1

#define SVCQ__SC_NAME_MAX 64     /* template names, keys, period labels */
#define SVCQ__SC_SUBJECT_MAX 255 /* units, heads, order ids, titles */
#define SVCQ__SC_TEXT_MAX 1024   /* reasons, notes */
#define SVCQ__SC_NOTE_MAX 4096   /* the template's note */
#define SVCQ__SC_MAX_VETOES 16
#define SVCQ__SC_MAX_LOG 4096    /* log entries and corrections per card */

typedef struct svcq__sc_section {
    char *key;
    char *title;
} svcq__sc_section;

typedef struct svcq__sc_item {
    uint32_t section;  /* index into sections */
    char *key;
    char *name;
    char *source;      /* "host" when not given */
    int32_t rule;
    int32_t direction;
    int64_t max;
    int64_t target, floor, per_event;
    uint32_t nbands;
    int64_t from[SVCQ_SCORECARD_MAX_BANDS], to[SVCQ_SCORECARD_MAX_BANDS], pts[SVCQ_SCORECARD_MAX_BANDS];
} svcq__sc_item;

typedef struct svcq__sc_veto_rule {
    char *key;
    char *name;
    int32_t kind;
    uint32_t threshold;
} svcq__sc_veto_rule;

struct svcq_scorecard_template {
    svcq_ctx *ctx;
    uint32_t refs;
    char *name;
    uint32_t version;
    char *note;
    svcq__sc_section *sections;
    uint32_t nsections;
    svcq__sc_item *items;
    uint32_t nitems;
    svcq__sc_veto_rule *vetoes;
    uint32_t nvetoes;
    uint32_t card_percent, sat_percent;
    int32_t effect;
    int64_t cap;
    bool frozen;        /* saved, loaded or used: immutable */
    uint64_t revision;  /* store revision, 0 when not stored */
};

/* ---- cards ------------------------------------------------------------ */

typedef struct svcq__sc_value {
    bool set;
    bool na;
    int64_t value;
    char *na_reason;
} svcq__sc_value;

typedef struct svcq__sc_veto {
    char *rule;
    char *reason;
    bool from_orders; /* frozen by the close from the orders */
} svcq__sc_veto;

typedef struct svcq__sc_log {
    char *item;
    int64_t amount;
    char *track;       /* "person" or "process" */
    char *counterpart;
    char *note;
} svcq__sc_log;

typedef struct svcq__sc_correction {
    uint32_t seq;
    svcq_time at;
    char *item;
    bool had;          /* the old value was set */
    int64_t from, to;
    char *reason;
} svcq__sc_correction;

typedef struct svcq__sc_card {
    uint32_t nvalues;       /* the template's item count */
    uint64_t revision;
    bool closed;
    svcq_time closed_at;
    svcq__sc_value *values; /* one per template item */
    svcq__sc_veto *vetoes;
    uint32_t nvetoes;
    svcq__sc_log *log;
    uint32_t nlog;
    svcq__sc_correction *corr;
    uint32_t ncorr;
} svcq__sc_card;

/* Veto reasons from the last evaluation of an open card. */
typedef struct svcq__sc_eval {
    svcq__sc_veto *vetoes;
    uint32_t n;
} svcq__sc_eval;

struct svcq_scorecard_period {
    svcq_ctx *ctx;
    svcq_scorecard_template *tpl;
    char *label;
    svcq_time starts_at, ends_at;
    bool closed;
    svcq__sc_card **cards;
    char **units;           /* per card: its unit (the index's keys) */
    uint32_t ncards;
    uint32_t cap;
    svcq__map index;        /* unit -> card index + 1 (as a pointer-sized integer) */
    svcq__sc_eval *eval;    /* per card, from svcq_scorecard_period_evaluate (cap entries) */
};

/* A card's computed totals. */
typedef struct svcq__sc_totals {
    int64_t points, max, nominal, share;
    uint32_t na, missing, clamped;
    uint32_t nvetoes;      /* stored + evaluated */
    const char *first_reason;
} svcq__sc_totals;

/* ---- helpers (template.c) -------------------------------------------------- */

/* Rounded a / b (b > 0), half away from zero. */
int64_t svcq__sc_div(int64_t a, int64_t b);
/* "35", "8.5", "-0.125": thousandths as a decimal. out has 32 bytes. */
const char *svcq__sc_fmt(int64_t v, char out[32]);
int svcq__sc_check_key(svcq_ctx *ctx, const char *what, const char *key);
int svcq__sc_check_text(svcq_ctx *ctx, const char *what, const char *s, size_t max, bool allow_newlines);
int svcq__sc_check_label(svcq_ctx *ctx, const char *what, const char *s);
int32_t svcq__sc_item_find(const svcq_scorecard_template *t, const char *key);
int32_t svcq__sc_veto_find(const svcq_scorecard_template *t, const char *key);
void svcq__sc_template_ref(svcq_scorecard_template *t);
/* A description of an item's rule: "rate ≥ 98 full, ≤ 90 zero". */
int svcq__sc_rule_text(const svcq__sc_item *it, svcq__buf *out);
/* The raw (unclamped) points of an item for value v; SVCQ_ERANGE (with
 * message) for a value the rule refuses. */
int svcq__sc_score(svcq_ctx *ctx, const svcq__sc_item *it, int64_t v, int64_t *raw);
/* Checks a value against its item (range, deduction sign, bands). */
int svcq__sc_check_value(svcq_ctx *ctx, const svcq__sc_item *it, const char *unit, int64_t v);

/* ---- card helpers (period.c) ------------------------------------------------ */

int32_t svcq__sc_card_find(const svcq_scorecard_period *p, const char *unit);
void svcq__sc_totals_of(const svcq_scorecard_period *p, uint32_t ci, svcq__sc_totals *t);
/* Item result of card ci, item j: raw, points, clamped. */
void svcq__sc_item_points(const svcq_scorecard_period *p, uint32_t ci, uint32_t j, int64_t *raw, int64_t *pts,
                          bool *clamped);
/* The vetoes that apply to card ci: stored ones then evaluated ones (k-th). */
const svcq__sc_veto *svcq__sc_veto_at(const svcq_scorecard_period *p, uint32_t ci, uint32_t k);

/* ---- orders (orders.c) -------------------------------------------------- */

/* Breached orders of the period's window at `at`: per head, the count and
 * the units named. Calls visit(head, unit, count) for each (head, unit)
 * pair of a head at or above threshold. */
typedef struct svcq__sc_head {
    char *head;
    uint32_t breached;
    char **units;
    uint32_t nunits;
    char **orders;   /* ids of the breached orders */
    uint32_t norders;
} svcq__sc_head;
int svcq__sc_orders_heads(svcq_ctx *ctx, svcq_time from, svcq_time to, svcq_time at, svcq__sc_head **heads,
                          uint32_t *nheads);
void svcq__sc_heads_free(svcq_ctx *ctx, svcq__sc_head *heads, uint32_t n);

/* ---- csv / markdown text helpers (export.c; SVG: src/analysis/svg.h) ----- */
int svcq__sc_md_cell(svcq__buf *b, const char *s);
int svcq__sc_csv_cell(svcq__buf *b, const char *s);
int svcq__sc_flush(svcq_ctx *ctx, const svcq_writer *w, const svcq__buf *b);

#endif
