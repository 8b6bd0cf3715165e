/* The metrics set: options, facts, rollups, the put with its undo, and
 * KPI values read from rollups.
 *
 * A put runs in three phases. Prepare allocates everything the change
 * needs (the fact's copy, new rollups and room in their tables, room in the
 * fact map, the undo record): a failure there frees what it made and the
 * set is untouched. Apply cannot fail: it subtracts the old fact's
 * contribution, adds the new one's and swaps the fact. Persist (with
 * SVCQ_METRICS_PERSIST) writes the fact and every touched rollup in the
 * call's store transaction; an undo entry pushed before the writes puts
 * the set back exactly when the transaction rolls back. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar/civil.h"
#include "calendar/tz.h"
#include "core/utf8.h"
#include "metrics/metrics_internal.h"
#include "store/store.h"

__extension__ typedef __int128 mx_i128;

/* ---- names -------------------------------------------------------------- */

const char *svcq_metrics_period_name(int32_t kind)
{
    static const char *const n[] = { NULL, "day", "week", "month", "quarter", "half", "year" };
    return kind >= 1 && kind <= 6 ? n[kind] : NULL;
}

const char *svcq_metrics_dim_name(int32_t dim)
{
    static const char *const n[] = { "all",    "tier",      "channel",  "category", "agent",
                                     "client", "complaint", "location", "stage" };
    return dim >= 0 && dim <= 8 ? n[dim] : NULL;
}

const char *svcq_metrics_fcr_name(int32_t def)
{
    static const char *const n[] = { NULL, "one_agent_reply", "no_customer_reply", "no_reopen", "one_contact" };
    return def >= 1 && def <= 4 ? n[def] : NULL;
}

const char *svcq_metrics_attribution_name(int32_t a)
{
    return a == SVCQ_METRICS_COHORT ? "cohort" : a == SVCQ_METRICS_THROUGHPUT ? "throughput" : NULL;
}

const char *svcq_metrics_sla_outcome_name(int32_t o)
{
    static const char *const n[] = { "pending", "met", "breached" };
    return o >= 0 && o <= 2 ? n[o] : NULL;
}

const char *svcq_metrics_kpi_name(int32_t kpi)
{
    static const char *const n[] = { NULL,
                                     "csat_satisfied",
                                     "csat_mean",
                                     "fcr",
                                     "response_mean",
                                     "response_median",
                                     "response_p90",
                                     "response_biz_mean",
                                     "response_biz_median",
                                     "response_biz_p90",
                                     "resolution_rate",
                                     "complaint_rate",
                                     "recurrence_rate",
                                     "sla_compliance",
                                     "measures_on_time" };
    return kpi >= 1 && kpi <= SVCQ_METRICS_KPI_COUNT ? n[kpi] : NULL;
}

const char *svcq_metrics_format_name(int32_t f)
{
    static const char *const n[] = { NULL, "markdown", "json", "csv", "svg_top", "svg_trend" };
    return f >= 1 && f <= 5 ? n[f] : NULL;
}

const char *svcq_metrics_import_format_name(int32_t f)
{
    return f == SVCQ_METRICS_IMPORT_JSONL ? "jsonl" : f == SVCQ_METRICS_IMPORT_CSV ? "csv" : NULL;
}

const char *svcq_metrics_target_state_name(int32_t s)
{
    static const char *const n[] = { "none", "met", "missed", "no_data" };
    return s >= 0 && s <= 3 ? n[s] : NULL;
}

/* ---- tables ------------------------------------------------------------- */

int svcq_metrics_options_init(svcq_metrics_options *opts, uint32_t version)
{
    int rc = svcq__table_init(opts, sizeof(*opts), version, SVCQ_METRICS_OPTIONS_VERSION);
    if (rc)
        return rc;
    opts->fcr_definition = SVCQ_METRICS_FCR_ONE_AGENT_REPLY;
    opts->fcr_reopen_days = 7;
    opts->attribution = SVCQ_METRICS_COHORT;
    opts->target_mask = (1u << SVCQ_METRICS_FCR) | (1u << SVCQ_METRICS_RESPONSE_MEAN);
    opts->targets[SVCQ_METRICS_FCR] = 80000;
    opts->targets[SVCQ_METRICS_RESPONSE_MEAN] = 1800000;
    return SVCQ_OK;
}

int svcq_metrics_fact_init(svcq_metrics_fact *fact, uint32_t version)
{
    int rc = svcq__table_init(fact, sizeof(*fact), version, SVCQ_METRICS_FACT_VERSION);
    if (rc)
        return rc;
    fact->received = fact->first_reply = fact->resolved = fact->closed = fact->reopened = SVCQ_METRICS_NO_TIME;
    return SVCQ_OK;
}

int svcq_metrics_value_init(svcq_metrics_value *value, uint32_t version)
{
    return svcq__table_init(value, sizeof(*value), version, SVCQ_METRICS_VALUE_VERSION);
}

int svcq_metrics_report_init(svcq_metrics_report *req, uint32_t version)
{
    int rc = svcq__table_init(req, sizeof(*req), version, SVCQ_METRICS_REPORT_VERSION);
    if (rc)
        return rc;
    req->trend_weeks = 8;
    req->trend_kpi = SVCQ_METRICS_FCR;
    req->top = 3;
    req->open_incidents = -1;
    req->overdue_measures = -1;
    return SVCQ_OK;
}

/* ---- periods ------------------------------------------------------------ */

int64_t svcq__mx_day(const svcq_metrics *m, svcq_time t)
{
    return svcq__floor_div(t + svcq__tz_offset_at(m->tz, t), SVCQ__DAY);
}

int64_t svcq__mx_period_start(int32_t kind, int64_t day)
{
    int64_t y;
    int32_t mo, d;
    switch (kind) {
    case SVCQ_METRICS_DAY: return day;
    case SVCQ_METRICS_WEEK: return day - (svcq__weekday(day) - 1);
    default: break;
    }
    svcq__civil_from_days(day, &y, &mo, &d);
    switch (kind) {
    case SVCQ_METRICS_MONTH: return svcq__days_from_civil(y, mo, 1);
    case SVCQ_METRICS_QUARTER: return svcq__days_from_civil(y, (mo - 1) / 3 * 3 + 1, 1);
    case SVCQ_METRICS_HALF: return svcq__days_from_civil(y, mo <= 6 ? 1 : 7, 1);
    default: return svcq__days_from_civil(y, 1, 1);
    }
}

int64_t svcq__mx_period_next(int32_t kind, int64_t start)
{
    int64_t y;
    int32_t mo, d;
    switch (kind) {
    case SVCQ_METRICS_DAY: return start + 1;
    case SVCQ_METRICS_WEEK: return start + 7;
    default: break;
    }
    svcq__civil_from_days(start, &y, &mo, &d);
    int32_t add = kind == SVCQ_METRICS_MONTH ? 1 : kind == SVCQ_METRICS_QUARTER ? 3 : kind == SVCQ_METRICS_HALF ? 6 : 12;
    mo += add;
    while (mo > 12) {
        mo -= 12;
        y++;
    }
    return svcq__days_from_civil(y, mo, 1);
}

void svcq__mx_period_label(int32_t kind, int64_t start, char out16[16])
{
    char out[64];
    int64_t y;
    int32_t mo, d;
    svcq__civil_from_days(kind == SVCQ_METRICS_WEEK ? start + 3 : start, &y, &mo, &d);
    switch (kind) {
    case SVCQ_METRICS_DAY: snprintf(out, sizeof(out), "%04d-%02d-%02d", (int)y, mo, d); break;
    case SVCQ_METRICS_WEEK: {
        /* The ISO year is the Thursday's; the week counts from its 1 January. */
        int64_t jan1 = svcq__days_from_civil(y, 1, 1);
        snprintf(out, sizeof(out), "%04d-W%02d", (int)y, (int)((start + 3 - jan1) / 7 + 1));
        break;
    }
    case SVCQ_METRICS_MONTH: snprintf(out, sizeof(out), "%04d-%02d", (int)y, mo); break;
    case SVCQ_METRICS_QUARTER: snprintf(out, sizeof(out), "%04d-Q%d", (int)y, (mo - 1) / 3 + 1); break;
    case SVCQ_METRICS_HALF: snprintf(out, sizeof(out), "%04d-H%d", (int)y, mo <= 6 ? 1 : 2); break;
    default: snprintf(out, sizeof(out), "%04d", (int)y); break;
    }
    memcpy(out16, out, 15);
    out16[15] = '\0';
}

int svcq__mx_day_instant(svcq_metrics *m, int64_t day, svcq_time *out)
{
    int64_t y;
    int32_t mo, d;
    svcq__civil_from_days(day, &y, &mo, &d);
    if (y < 1 || y > 9999)
        return svcq__error(m->ctx, SVCQ_ERANGE, "metrics %s: day %lld is outside the years 1 to 9999", m->name,
                           (long long)day);
    int rc = svcq_tz_local_to_utc(out, m->tz, (int32_t)y, mo, d, 0);
    if (rc)
        return svcq__error(m->ctx, rc, "metrics %s: no local midnight of day %lld", m->name, (long long)day);
    return SVCQ_OK;
}

static int check_instant(svcq_metrics *m, svcq_time t, const char *what)
{
    svcq_time lo, hi;
    svcq_calendar_range(&lo, &hi);
    if (t < lo || t > hi)
        return svcq__error(m->ctx, SVCQ_ERANGE, "metrics %s: %s %lld is outside the supported range", m->name, what,
                           (long long)t);
    return SVCQ_OK;
}

int svcq_metrics_period_bounds(svcq_time *start, svcq_time *end, char *label, size_t size, svcq_metrics *m,
                               int32_t kind, svcq_time at)
{
    if (!m)
        return SVCQ_EINVAL;
    if (!svcq_metrics_period_name(kind))
        return svcq__error(m->ctx, SVCQ_EINVAL, "metrics %s: unknown period kind %d", m->name, (int)kind);
    if (label && size < 16)
        return svcq__error(m->ctx, SVCQ_EINVAL, "metrics %s: a period label needs 16 bytes, %zu given", m->name,
                           size);
    int rc = check_instant(m, at, "instant");
    if (rc)
        return rc;
    int64_t s = svcq__mx_period_start(kind, svcq__mx_day(m, at));
    svcq_time a, b;
    if ((rc = svcq__mx_day_instant(m, s, &a)) || (rc = svcq__mx_day_instant(m, svcq__mx_period_next(kind, s), &b)))
        return rc;
    if (start)
        *start = a;
    if (end)
        *end = b;
    if (label)
        svcq__mx_period_label(kind, s, label);
    return SVCQ_OK;
}

/* ---- counting tables ------------------------------------------------------ */

static uint32_t ct_hash(int64_t k)
{
    uint64_t x = (uint64_t)k * 0x9E3779B97F4A7C15ull;
    return (uint32_t)(x >> 32);
}

static int ct_reserve(svcq_ctx *ctx, svcq__mx_ctab *t, uint32_t extra)
{
    uint64_t need = (uint64_t)t->used + extra;
    if (need * 4 <= (uint64_t)t->cap * 3)
        return SVCQ_OK;
    uint64_t cap = t->cap ? t->cap : 8;
    while (need * 4 > cap * 3)
        cap *= 2;
    if (cap > (1u << 30))
        return SVCQ_ENOMEM;
    svcq__mx_slot *slots = svcq__malloc(ctx, (size_t)cap * sizeof(*slots));
    if (!slots)
        return SVCQ_ENOMEM;
    for (uint64_t i = 0; i < cap; i++)
        slots[i].key = INT64_MIN;
    uint32_t mask = (uint32_t)cap - 1;
    for (uint32_t i = 0; i < t->cap; i++) {
        if (t->slots[i].key == INT64_MIN)
            continue;
        uint32_t j = ct_hash(t->slots[i].key) & mask;
        while (slots[j].key != INT64_MIN)
            j = (j + 1) & mask;
        slots[j] = t->slots[i];
    }
    svcq__free(ctx, t->slots);
    t->slots = slots;
    t->cap = (uint32_t)cap;
    return SVCQ_OK;
}

/* The slot of key, or the empty slot where it would go (cap > 0). */
static svcq__mx_slot *ct_slot(const svcq__mx_ctab *t, int64_t key)
{
    uint32_t mask = t->cap - 1, j = ct_hash(key) & mask;
    while (t->slots[j].key != INT64_MIN && t->slots[j].key != key)
        j = (j + 1) & mask;
    return &t->slots[j];
}

/* Adds delta to key's count (room reserved when the key may be new);
 * returns the old count. */
static int64_t ct_add(svcq__mx_ctab *t, int64_t key, int64_t delta)
{
    svcq__mx_slot *e = ct_slot(t, key);
    if (e->key == INT64_MIN) {
        e->key = key;
        e->count = 0;
        t->used++;
    }
    int64_t old = e->count;
    e->count += delta;
    return old;
}

static int64_t ct_get(const svcq__mx_ctab *t, int64_t key)
{
    if (!t->cap)
        return 0;
    const svcq__mx_slot *e = ct_slot(t, key);
    return e->key == key ? e->count : 0;
}

/* Makes room for key when it is new. */
static int ct_reserve_key(svcq_ctx *ctx, svcq__mx_ctab *t, int64_t key)
{
    if (t->cap && ct_slot(t, key)->key == key)
        return SVCQ_OK;
    return ct_reserve(ctx, t, 1);
}

static void ct_free(svcq_ctx *ctx, svcq__mx_ctab *t)
{
    svcq__free(ctx, t->slots);
}

/* Empties a table, keeping its room. */
static void ct_clear(svcq__mx_ctab *t)
{
    for (uint32_t i = 0; i < t->cap; i++)
        t->slots[i].key = INT64_MIN;
    t->used = 0;
}

/* ---- logs ------------------------------------------------------------------- */

/* Entry i of l. */
static inline int64_t log_at(const svcq__mx_log *l, uint32_t i)
{
    if (l->wide)
        return ((const int64_t *)l->v)[i];
    return (int64_t)((uint64_t)l->origin + (uint64_t)(int64_t)((const int32_t *)l->v)[i]);
}

/* True when key is kept as a 32-bit offset while l is narrow. */
static inline bool log_fits(const svcq__mx_log *l, int64_t key)
{
    int64_t d = (int64_t)((uint64_t)key - (uint64_t)l->origin);
    return d >= INT32_MIN && d <= INT32_MAX;
}

/* log_reserve's slow path: sets the origin, grows or widens. */
static int log_grow(svcq_ctx *ctx, svcq__mx_log *l, int64_t key)
{
    if (!l->n && !l->wide)
        l->origin = key; /* no entries: any origin means the same */
    bool widen = !l->wide && !log_fits(l, key);
    if (l->n < l->cap && !widen)
        return SVCQ_OK;
    uint32_t cap = l->n < l->cap ? l->cap : l->cap ? l->cap * (l->cap < 512 ? 4 : 2) : 8;
    if (cap < l->cap)
        return SVCQ_ENOMEM;
    if (widen) {
        int64_t *v = svcq__reallocarray(ctx, NULL, cap, sizeof(*v));
        if (!v)
            return SVCQ_ENOMEM;
        for (uint32_t i = 0; i < l->n; i++)
            v[i] = log_at(l, i);
        svcq__free(ctx, l->v);
        l->v = v;
        l->wide = true;
    } else {
        void *v = svcq__reallocarray(ctx, l->v, cap, l->wide ? sizeof(int64_t) : sizeof(int32_t));
        if (!v)
            return SVCQ_ENOMEM;
        l->v = v;
    }
    l->cap = cap;
    return SVCQ_OK;
}

/* Makes room for one more entry, key (widening the entries when key does
 * not fit in 32 bits from the origin). SVCQ_ENOMEM leaves l as it was. */
static inline int log_reserve(svcq_ctx *ctx, svcq__mx_log *l, int64_t key)
{
    if (l->n && l->n < l->cap && (l->wide || log_fits(l, key)))
        return SVCQ_OK;
    return log_grow(ctx, l, key);
}

/* Appends key (room reserved by log_reserve for it). */
static inline void log_push(svcq__mx_log *l, int64_t key)
{
    if (l->wide)
        ((int64_t *)l->v)[l->n++] = key;
    else
        ((int32_t *)l->v)[l->n++] = (int32_t)(int64_t)((uint64_t)key - (uint64_t)l->origin);
}

/* Removals since the last compaction that make a log fold its entries into
 * its base (and at least half of the multiset). */
#define MX_LOG_COMPACT 64

/* Makes room for removing key (present in the multiset): its slot in
 * base; first folds the entries into base when removals reached half of
 * the multiset. Either way the multiset is the same; SVCQ_ENOMEM leaves it
 * as it was. */
static int log_reserve_remove(svcq_ctx *ctx, svcq__mx_log *l, int64_t key)
{
    if (l->nrem >= MX_LOG_COMPACT && (uint64_t)l->nrem * 2 >= (uint64_t)l->n + l->base.used) {
        if (ct_reserve(ctx, &l->base, l->n))
            return SVCQ_ENOMEM;
        for (uint32_t i = 0; i < l->n; i++)
            ct_add(&l->base, log_at(l, i), 1);
        l->n = 0;
        l->nrem = 0;
    }
    return ct_reserve_key(ctx, &l->base, key);
}

/* Adds (s > 0, room reserved by log_reserve) or removes (s < 0, room
 * reserved by log_reserve_remove) one key. */
static inline void log_add(svcq__mx_log *l, int64_t key, int64_t s)
{
    if (s > 0) {
        log_push(l, key);
        return;
    }
    ct_add(&l->base, key, -1);
    l->nrem++;
}

/* The undo of a put, which never allocates. Removing the new version's key
 * (s < 0): the put appended it last, and every later put was undone
 * before, so it is the last entry unless a compaction folded it into base.
 * Adding the old version's key back (s > 0): the put subtracted it from
 * base, which keeps its keys. */
static void log_undo(svcq__mx_log *l, int64_t key, int64_t s)
{
    bool in_base = l->base.cap && ct_slot(&l->base, key)->key == key;
    if (s < 0 && l->n && log_at(l, l->n - 1) == key) {
        l->n--;
        return;
    }
    if (in_base) {
        ct_add(&l->base, key, s);
        return;
    }
    /* Not reached (see above); kept exact all the same. */
    if (s > 0 && l->n < l->cap && (l->wide || log_fits(l, key))) {
        log_push(l, key);
        return;
    }
    for (uint32_t i = l->n; s < 0 && i-- > 0;) {
        if (log_at(l, i) == key) {
            if (l->wide)
                ((int64_t *)l->v)[i] = ((int64_t *)l->v)[--l->n];
            else
                ((int32_t *)l->v)[i] = ((int32_t *)l->v)[--l->n];
            return;
        }
    }
}

/* Counts every key of l (entries and base) into t. */
static int ct_merge(svcq_ctx *ctx, svcq__mx_ctab *d, const svcq__mx_ctab *s);
static int ct_merge_log(svcq_ctx *ctx, svcq__mx_ctab *t, const svcq__mx_log *l)
{
    for (uint32_t i = 0; i < l->n; i++) {
        int64_t k = log_at(l, i);
        if (ct_reserve_key(ctx, t, k))
            return SVCQ_ENOMEM;
        ct_add(t, k, 1);
    }
    return ct_merge(ctx, t, &l->base);
}

static void log_free(svcq_ctx *ctx, svcq__mx_log *l)
{
    svcq__free(ctx, l->v);
    ct_free(ctx, &l->base);
}

typedef struct kc {
    int64_t k, c;
} kc;


int svcq__mx_quantile(svcq_ctx *ctx, const svcq__mx_ctab *t, int64_t n, int64_t num, int64_t den, int64_t *out)
{
    /* Nearest rank: the smallest value v with count(<= v) >= ceil(n * num / den). */
    kc *v = svcq__malloc(ctx, (size_t)(t->used ? t->used : 1) * sizeof(kc));
    if (!v)
        return svcq__enomem(ctx);
    size_t k = 0;
    int64_t total = 0;
    for (uint32_t i = 0; i < t->cap; i++) {
        if (t->slots[i].key != INT64_MIN && t->slots[i].count > 0) {
            v[k++] = (kc){ t->slots[i].key, t->slots[i].count };
            total += t->slots[i].count;
        }
    }
    mx_i128 rank = ((mx_i128)n * num + den - 1) / den;
    if (rank < 1)
        rank = 1;
    if (rank > total)
        rank = total;
    /* Weighted selection (expected linear, no full sort): keep the part of
     * v[lo, hi) holding the key where the running count reaches rank. */
    size_t lo = 0, hi = k;
    int64_t need = (int64_t)rank; /* within v[lo, hi) */
    *out = 0;
    uint64_t seed = (uint64_t)k * 0x9E3779B97F4A7C15ull + 1;
    while (hi > lo) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        int64_t pivot = v[lo + seed % (hi - lo)].k;
        /* Three-way partition: < pivot, == pivot, > pivot. */
        size_t lt = lo, i = lo, gt = hi;
        int64_t wl = 0, we = 0;
        while (i < gt) {
            if (v[i].k < pivot) {
                wl += v[i].c;
                kc x = v[i];
                v[i++] = v[lt];
                v[lt++] = x;
            } else if (v[i].k > pivot) {
                kc x = v[i];
                v[i] = v[--gt];
                v[gt] = x;
            } else {
                we += v[i++].c;
            }
        }
        if (need <= wl) {
            hi = lt;
        } else if (need <= wl + we) {
            *out = pivot;
            break;
        } else {
            need -= wl + we;
            lo = gt;
        }
    }
    svcq__free(ctx, v);
    return SVCQ_OK;
}

int64_t svcq__mx_ratio(int64_t a, int64_t b, int64_t scale)
{
    mx_i128 x = (mx_i128)a * scale * 2 + b;
    return (int64_t)(x / ((mx_i128)b * 2));
}

/* ---- the set -------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint32_t ptr_hash(const void *p)
{
    return (uint32_t)(((uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull) >> 32);
}

/* The pooled copy of s from the string cache (s is checked equal), or
 * NULL. */
static const char *scache_get(const svcq_metrics *m, const char *s)
{
    const svcq__mx_scache *e = &m->scache[ptr_hash(s) & (SVCQ__MX_SCACHE - 1)];
    return e->src == s && !strcmp(e->pooled, s) ? e->pooled : NULL;
}

static void scache_set(svcq_metrics *m, const char *s, const char *pooled)
{
    svcq__mx_scache *e = &m->scache[ptr_hash(s) & (SVCQ__MX_SCACHE - 1)];
    e->src = s;
    e->pooled = pooled;
}

/* The pool index of a pooled string (kept in the 4 bytes before it). */
static inline uint32_t pool_ix(const char *pooled)
{
    uint32_t ix;
    memcpy(&ix, pooled - 4, 4);
    return ix;
}

static const char *pool_get(svcq_metrics *m, const char *s, size_t len, int *rc)
{
    char *p = svcq__map_get(&m->pool, s, len);
    if (p)
        return p;
    if (m->npstr == m->cappstr) {
        uint32_t cap = m->cappstr ? m->cappstr * 2 : 64;
        const char **a = cap > m->cappstr ? svcq__reallocarray(m->ctx, (void *)m->pstr, cap, sizeof(*a)) : NULL;
        if (!a) {
            *rc = SVCQ_ENOMEM;
            return NULL;
        }
        m->pstr = a;
        m->cappstr = cap;
    }
    char *block = svcq__malloc(m->ctx, len + 5);
    if (!block) {
        *rc = SVCQ_ENOMEM;
        return NULL;
    }
    uint32_t ix = m->npstr;
    memcpy(block, &ix, 4);
    p = block + 4;
    memcpy(p, s, len);
    p[len] = '\0';
    if (svcq__map_put(&m->pool, p, len, p, NULL)) {
        svcq__free(m->ctx, block);
        *rc = SVCQ_ENOMEM;
        return NULL;
    }
    m->pstr[m->npstr++] = p;
    return p;
}

const char *svcq__mx_pool_find(const svcq_metrics *m, const char *s)
{
    return s ? svcq__map_get(&m->pool, s, strlen(s)) : NULL;
}

/* ---- facts: slab and table ---------------------------------------------- */

#define MX_FCHUNK (1u << SVCQ__MX_FCHUNK_BITS) /* facts per slab chunk */

/* Two cache lines where pointers take 8 bytes. */
_Static_assert(sizeof(void *) != 8 || sizeof(svcq__mx_fact) == 128, "svcq__mx_fact is 128 bytes");

/* A zeroed fact from the slab; NULL when out of memory. */
static svcq__mx_fact *fact_alloc(svcq_metrics *m)
{
    svcq__mx_fact *f = m->ffree;
    uint32_t ix;
    if (f) {
        m->ffree = *(svcq__mx_fact **)f;
        ix = f->ix;
    } else {
        if (!m->fleft) {
            if (m->nfchunks >= (UINT32_MAX >> SVCQ__MX_FCHUNK_BITS))
                return NULL; /* the fact table's 32-bit indexes */
            if (m->nfchunks == m->capfchunks) {
                size_t cap = m->capfchunks ? m->capfchunks * 2 : 16;
                void **p = svcq__reallocarray(m->ctx, m->fchunks, cap, sizeof(*p));
                if (!p)
                    return NULL;
                m->fchunks = p;
                m->capfchunks = cap;
            }
            void *c = svcq__malloc(m->ctx, MX_FCHUNK * sizeof(svcq__mx_fact) + 64);
            if (!c)
                return NULL;
            m->fchunks[m->nfchunks++] = c;
            m->fbump = svcq__mx_chunk_base(c);
            m->fleft = MX_FCHUNK;
        }
        ix = (uint32_t)((m->nfchunks - 1) * MX_FCHUNK + (MX_FCHUNK - m->fleft));
        f = m->fbump++;
        m->fleft--;
    }
    memset(f, 0, sizeof(*f));
    f->ix = ix;
    return f;
}

static void fact_free(svcq_metrics *m, svcq__mx_fact *f)
{
    if (!f)
        return;
    if (f->idlen >= SVCQ__MX_ID_INLINE)
        svcq__free(m->ctx, f->id.ptr);
    svcq__free(m->ctx, f->sla);
    *(svcq__mx_fact **)f = m->ffree;
    m->ffree = f;
}

static uint64_t id_hash(const char *id, size_t len)
{
    return svcq__hash(id, len); /* never 0 */
}

/* The 32-bit tag of an id hash in the fact table. */
static inline uint32_t ft_tag(uint64_t hash)
{
    return (uint32_t)(hash ^ (hash >> 32));
}

static inline svcq__mx_fslot ft_slot_of(uint32_t tag, const svcq__mx_fact *f)
{
    return (uint64_t)tag << 32 | ((uint64_t)f->ix + 1);
}

/* Room for count facts in the table; SVCQ_ENOMEM leaves it unchanged. */
static int ft_reserve(svcq_metrics *m, size_t count)
{
    if (count * 4 <= m->fcap * 3)
        return SVCQ_OK;
    size_t cap = m->fcap ? m->fcap * 2 : 64;
    while (count * 4 > cap * 3)
        cap *= 2;
    if (cap > ((size_t)1 << 32))
        return SVCQ_ENOMEM;
    svcq__mx_fslot *slots = svcq__calloc(m->ctx, cap, sizeof(*slots));
    if (!slots)
        return SVCQ_ENOMEM;
    for (size_t i = 0; i < m->fcap; i++) {
        if (!m->fslots[i])
            continue;
        size_t j = (m->fslots[i] >> 32) & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = m->fslots[i];
    }
    svcq__free(m->ctx, m->fslots);
    m->fslots = slots;
    m->fcap = cap;
    return SVCQ_OK;
}

/* The slot of id: its fact's, or the empty one where it goes (fcap > 0).
 * A slot's tag is compared first: the fact itself is read only on a
 * match (some 1 in 2^(32 - log2 fcap) of the other slots probed). */
static size_t ft_find(const svcq_metrics *m, uint64_t hash, const char *id, size_t len)
{
    uint32_t tag = ft_tag(hash);
    size_t mask = m->fcap - 1, j = tag & mask;
    for (;; j = (j + 1) & mask) {
        svcq__mx_fslot e = m->fslots[j];
        if (!e)
            return j;
        if ((uint32_t)(e >> 32) == tag) {
            const svcq__mx_fact *f = svcq__mx_fact_at(m, j);
            if (f->idlen == len && !memcmp(svcq__mx_fid(f), id, len))
                return j;
        }
    }
}

static svcq__mx_fact *ft_get(const svcq_metrics *m, const char *id, size_t len)
{
    if (!m->fcap)
        return NULL;
    return svcq__mx_fact_at(m, ft_find(m, id_hash(id, len), id, len));
}

/* Puts fact f in slot j (its own, or the empty one ft_find gave). */
static void ft_set(svcq_metrics *m, size_t j, uint64_t hash, const svcq__mx_fact *f)
{
    m->fslots[j] = ft_slot_of(ft_tag(hash), f);
}

/* Removes the fact in slot j (backward-shift deletion). */
static void ft_remove(svcq_metrics *m, size_t j)
{
    size_t mask = m->fcap - 1;
    m->fslots[j] = 0;
    m->fcount--;
    for (size_t k = (j + 1) & mask; m->fslots[k]; k = (k + 1) & mask) {
        size_t home = (m->fslots[k] >> 32) & mask;
        /* Moves back when its home is not in (j, k]. */
        if (((k - home) & mask) >= ((k - j) & mask)) {
            m->fslots[j] = m->fslots[k];
            m->fslots[k] = 0;
            j = k;
        }
    }
}

/* ---- the day index --------------------------------------------------------- */

static uint32_t day_hash(int32_t day)
{
    return (uint32_t)(((uint64_t)(uint32_t)day * 0x9E3779B97F4A7C15ull) >> 32);
}

static svcq__mx_dayix *dayix_get(const svcq_metrics *m, int64_t day)
{
    if (!m->dcap)
        return NULL;
    uint32_t mask = m->dcap - 1, j = day_hash((int32_t)day) & mask;
    for (; m->dslots[j]; j = (j + 1) & mask)
        if (m->dslots[j]->day == (int32_t)day)
            return m->dslots[j];
    return NULL;
}

/* The index of day, made when absent (an empty index changes nothing). */
static svcq__mx_dayix *dayix_make(svcq_metrics *m, int64_t day)
{
    svcq__mx_dayix *x = dayix_get(m, day);
    if (x)
        return x;
    if ((uint64_t)(m->dused + 1) * 4 > (uint64_t)m->dcap * 3) {
        uint32_t cap = m->dcap ? m->dcap * 2 : 64;
        svcq__mx_dayix **slots = svcq__calloc(m->ctx, cap, sizeof(*slots));
        if (!slots)
            return NULL;
        for (uint32_t i = 0; i < m->dcap; i++) {
            if (!m->dslots[i])
                continue;
            uint32_t j = day_hash(m->dslots[i]->day) & (cap - 1);
            while (slots[j])
                j = (j + 1) & (cap - 1);
            slots[j] = m->dslots[i];
        }
        svcq__free(m->ctx, m->dslots);
        m->dslots = slots;
        m->dcap = cap;
    }
    x = svcq__calloc(m->ctx, 1, sizeof(*x));
    if (!x)
        return NULL;
    x->day = (int32_t)day;
    uint32_t j = day_hash(x->day) & (m->dcap - 1);
    while (m->dslots[j])
        j = (j + 1) & (m->dcap - 1);
    m->dslots[j] = x;
    m->dused++;
    return x;
}

static svcq__mx_rollup *dayix_find(const svcq__mx_dayix *x, int32_t dim, const char *v)
{
    if (!x || !x->dim[dim].cap)
        return NULL;
    uint32_t mask = x->dim[dim].cap - 1, j = ptr_hash(v) & mask;
    const svcq__mx_rslot *sl = x->dim[dim].slots;
    for (; sl[j].r; j = (j + 1) & mask)
        if (sl[j].v == v)
            return sl[j].r;
    return NULL;
}

static void rslot_insert(svcq__mx_rslot *slots, uint32_t cap, const char *v, svcq__mx_rollup *r)
{
    uint32_t j = ptr_hash(v) & (cap - 1);
    while (slots[j].r)
        j = (j + 1) & (cap - 1);
    slots[j].v = v;
    slots[j].r = r;
}

/* Room for one more rollup of dim in x. */
static int dayix_reserve(svcq_ctx *ctx, svcq__mx_dayix *x, int32_t dim)
{
    uint32_t used = x->dim[dim].used, cap = x->dim[dim].cap;
    if ((uint64_t)(used + 1) * 2 <= cap)
        return SVCQ_OK;
    uint32_t ncap = cap ? cap * 2 : 4;
    svcq__mx_rslot *slots = svcq__calloc(ctx, ncap, sizeof(*slots));
    if (!slots)
        return SVCQ_ENOMEM;
    for (uint32_t i = 0; i < cap; i++)
        if (x->dim[dim].slots[i].r)
            rslot_insert(slots, ncap, x->dim[dim].slots[i].v, x->dim[dim].slots[i].r);
    svcq__free(ctx, x->dim[dim].slots);
    x->dim[dim].slots = slots;
    x->dim[dim].cap = ncap;
    return SVCQ_OK;
}

static void dayix_remove(svcq__mx_dayix *x, int32_t dim, const char *v)
{
    if (!x || !x->dim[dim].cap)
        return;
    svcq__mx_rslot *sl = x->dim[dim].slots;
    uint32_t mask = x->dim[dim].cap - 1, j = ptr_hash(v) & mask;
    while (sl[j].r && sl[j].v != v)
        j = (j + 1) & mask;
    if (!sl[j].r)
        return;
    sl[j].r = NULL;
    sl[j].v = NULL;
    x->dim[dim].used--;
    for (uint32_t k = (j + 1) & mask; sl[k].r; k = (k + 1) & mask) {
        uint32_t home = ptr_hash(sl[k].v) & mask;
        if (((k - home) & mask) >= ((k - j) & mask)) {
            sl[j] = sl[k];
            sl[k].r = NULL;
            sl[k].v = NULL;
            j = k;
        }
    }
}

static void dayix_free_all(svcq_metrics *m)
{
    for (uint32_t i = 0; i < m->dcap; i++) {
        svcq__mx_dayix *x = m->dslots[i];
        if (!x)
            continue;
        for (int d = 0; d < SVCQ__MX_NDIM; d++)
            svcq__free(m->ctx, x->dim[d].slots);
        svcq__free(m->ctx, x);
    }
    svcq__free(m->ctx, m->dslots);
}

static void rollup_free(svcq_ctx *ctx, svcq__mx_rollup *r)
{
    ct_free(ctx, &r->resp);
    ct_free(ctx, &r->resp_biz);
    ct_free(ctx, &r->clients);
    ct_free(ctx, &r->sla);
    log_free(ctx, &r->lresp);
    log_free(ctx, &r->lresp_biz);
    log_free(ctx, &r->lclients);
    svcq__free(ctx, r->parts);
    svcq__free(ctx, r);
}

/* Frees a map of rollups, or of groups, and leaves it empty. */
static void rollups_free(svcq_ctx *ctx, svcq__map *map)
{
    size_t it = 0;
    void *v;
    while (svcq__map_next(map, &it, NULL, NULL, &v))
        rollup_free(ctx, v);
    svcq__map_free(map);
    svcq__map_init(map, ctx);
}

static void groups_free(svcq_ctx *ctx, svcq__map *map)
{
    size_t it = 0;
    void *v;
    while (svcq__map_next(map, &it, NULL, NULL, &v)) {
        svcq__mx_group *g = v;
        svcq__free(ctx, g->items);
        svcq__free(ctx, g);
    }
    svcq__map_free(map);
    svcq__map_init(map, ctx);
}

/* Drops every derived rollup: the facts changed, or a derivation failed
 * half way. */
static void dcache_flush(svcq_metrics *m)
{
    svcq_ctx *ctx = m->ctx;
    rollups_free(ctx, &m->dcache);
    groups_free(ctx, &m->dgroups);
    size_t it = 0;
    void *v;
    while (svcq__map_next(&m->dperiods, &it, NULL, NULL, &v))
        svcq__free(ctx, v);
    svcq__map_free(&m->dperiods);
    svcq__map_init(&m->dperiods, ctx);
    m->dgen = m->gen;
}

void svcq_metrics_free(svcq_metrics *m)
{
    if (!m)
        return;
    svcq_ctx *ctx = m->ctx;
    svcq__undo_detach(ctx, m);
    dcache_flush(m); /* leaves its maps empty, with nothing allocated */
    for (size_t i = 0; i < m->fcap; i++)
        if (m->fslots[i])
            fact_free(m, svcq__mx_fact_at(m, i));
    svcq__free(ctx, m->fslots);
    svcq__free(ctx, m->pend);
    for (size_t i = 0; i < m->nfchunks; i++)
        svcq__free(ctx, m->fchunks[i]);
    svcq__free(ctx, m->fchunks);
    dayix_free_all(m);
    rollups_free(ctx, &m->rollups);
    groups_free(ctx, &m->groups);
    size_t it = 0;
    void *v;
    while (svcq__map_next(&m->pool, &it, NULL, NULL, &v))
        svcq__free(ctx, (char *)v - 4);
    svcq__free(ctx, (void *)m->pstr);
    svcq__map_free(&m->pool);
    svcq_calendar_free(m->cal);
    svcq_tz_free(m->tz);
    svcq__free(ctx, m);
}

/* Pending facts that make a put add them to the rollups first: sorted by
 * day, a batch this size still reuses each day's rollups from cache, and
 * its facts, put one after the other, stay close in memory (8 MB of
 * facts). With 128-byte facts 65536 adds a year's facts some 14 % faster
 * than 16384 (four times the facts of a day share each load of its
 * rollups and log tails); 262144 gains nothing more and lengthens the put
 * that adds them. */
#define MX_FLUSH_AT 65536

int svcq_metrics_new(svcq_metrics **out, svcq_ctx *ctx, const svcq_metrics_options *opts)
{
    if (out)
        *out = NULL;
    if (!out || !ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_metrics_new: NULL argument");
    svcq_metrics_options def;
    if (!opts) {
        if (svcq_metrics_options_init(&def, SVCQ_METRICS_OPTIONS_VERSION))
            return SVCQ_EINVAL;
        opts = &def;
    }
    if (opts->version == 0 || opts->version > SVCQ_METRICS_OPTIONS_VERSION)
        return svcq__error(ctx, SVCQ_EVERSION, "metrics options: version %u is not 1 to %u", opts->version,
                           SVCQ_METRICS_OPTIONS_VERSION);
    const char *name = opts->name ? opts->name : "default";
    size_t nl = strnlen(name, 66);
    if (nl == 0 || nl > 64 || strchr(name, '/') || !svcq__store_id_valid(name, nl))
        return svcq__error(ctx, SVCQ_EINVAL,
                           "metrics options: name \"%.64s\" must be 1-64 bytes of UTF-8 without '/' or control "
                           "characters",
                           name);
    if (opts->flags & ~(SVCQ_METRICS_PERSIST | SVCQ_METRICS_CLIENTS_ALL_TIER))
        return svcq__error(ctx, SVCQ_EINVAL, "metrics %s: unknown flags 0x%x", name, opts->flags);
    if (!svcq_metrics_fcr_name(opts->fcr_definition))
        return svcq__error(ctx, SVCQ_EINVAL, "metrics %s: unknown FCR definition %d", name, (int)opts->fcr_definition);
    if (opts->fcr_reopen_days < 0 || opts->fcr_reopen_days > 365)
        return svcq__error(ctx, SVCQ_EINVAL, "metrics %s: FCR reopen window %d days is not 0 to 365", name,
                           (int)opts->fcr_reopen_days);
    if (!svcq_metrics_attribution_name(opts->attribution))
        return svcq__error(ctx, SVCQ_EINVAL, "metrics %s: unknown attribution %d", name, (int)opts->attribution);
    if (opts->periods & ~0x7Eu)
        return svcq__error(ctx, SVCQ_EINVAL, "metrics %s: unknown period bits 0x%x", name, opts->periods);
    if (opts->dimensions & ~0x1FFu)
        return svcq__error(ctx, SVCQ_EINVAL, "metrics %s: unknown dimension bits 0x%x", name, opts->dimensions);
    if (opts->target_mask & ~(((1u << (SVCQ_METRICS_KPI_COUNT + 1)) - 1) & ~1u))
        return svcq__error(ctx, SVCQ_EINVAL, "metrics %s: target bits 0x%x name no KPI", name, opts->target_mask);
    for (int k = 1; k <= SVCQ_METRICS_KPI_COUNT; k++)
        if ((opts->target_mask >> k & 1) && (opts->targets[k] < 0 || opts->targets[k] > INT64_MAX / 4))
            return svcq__error(ctx, SVCQ_EINVAL, "metrics %s: target of %s is negative or too large", name,
                               svcq_metrics_kpi_name(k));
    if (!svcq__all_zero(opts->reserved, sizeof(opts->reserved)) || opts->targets[0] ||
        !svcq__all_zero(opts->targets + SVCQ_METRICS_KPI_COUNT + 1,
                        sizeof(opts->targets) - (SVCQ_METRICS_KPI_COUNT + 1) * sizeof(int64_t)))
        return svcq__error(ctx, SVCQ_EINVAL, "metrics %s: reserved option fields must be zero", name);
    if (opts->calendar && svcq_calendar_tz(opts->calendar)->ctx != ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "metrics %s: the calendar belongs to another context", name);
    if (opts->tz && opts->tz->ctx != ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "metrics %s: the time zone belongs to another context", name);

    svcq_metrics *m = svcq__calloc(ctx, 1, sizeof(*m));
    if (!m)
        return svcq__enomem(ctx);
    m->ctx = ctx;
    memcpy(m->name, name, nl);
    m->flags = opts->flags;
    m->fcr_def = opts->fcr_definition;
    m->fcr_days = opts->fcr_reopen_days;
    m->attribution = opts->attribution;
    m->periods = opts->periods ? opts->periods : 0x7Eu;
    m->dims = (opts->dimensions ? opts->dimensions : 0x1FFu) | 1u;
    for (int d = 0; d < SVCQ__MX_NDIM; d++)
        if (m->dims >> d & 1)
            m->dimv[m->ndimv++] = (uint8_t)d;
    m->target_mask = opts->target_mask;
    m->flush_at = MX_FLUSH_AT;
    memcpy(m->targets, opts->targets, sizeof(m->targets));
    svcq__map_init(&m->pool, ctx);
    svcq__map_init(&m->rollups, ctx);
    svcq__map_init(&m->groups, ctx);
    svcq__map_init(&m->dcache, ctx);
    svcq__map_init(&m->dgroups, ctx);
    svcq__map_init(&m->dperiods, ctx);
    m->pstr = svcq__calloc(ctx, 64, sizeof(*m->pstr)); /* pstr[0]: no string */
    m->cappstr = 64;
    m->npstr = 1;
    int rc = !m->pstr ? SVCQ_ENOMEM
             : opts->calendar ? svcq_calendar_copy(&m->cal, ctx, opts->calendar)
                              : svcq_calendar_new_24x7(&m->cal, ctx);
    if (!rc)
        rc = svcq__tz_clone(ctx, opts->tz ? opts->tz : svcq_calendar_tz(m->cal), &m->tz);
    if (rc) {
        svcq_metrics_free(m);
        return rc == SVCQ_ENOMEM ? svcq__enomem(ctx) : rc;
    }
    *out = m;
    return SVCQ_OK;
}

uint64_t svcq_metrics_fact_count(const svcq_metrics *m)
{
    return m ? m->fcount : 0;
}

/* ---- rollups ---------------------------------------------------------------- */

static void rkey(uint8_t key[16], int32_t period, int64_t start, int32_t dim, const char *value)
{
    memset(key, 0, 16);
    key[0] = (uint8_t)period;
    key[1] = (uint8_t)dim;
    int32_t s = (int32_t)start;
    memcpy(key + 4, &s, 4);
    uintptr_t p = (uintptr_t)value;
    memcpy(key + 8, &p, sizeof(p));
}

static void gkey(uint8_t key[8], int32_t period, int64_t start, int32_t dim)
{
    memset(key, 0, 8);
    key[0] = (uint8_t)period;
    key[1] = (uint8_t)dim;
    int32_t s = (int32_t)start;
    memcpy(key + 4, &s, 4);
}

svcq__mx_rollup *svcq__mx_find(const svcq_metrics *m, int32_t period, int64_t start, int32_t dim, const char *value)
{
    const char *v = NULL;
    if (dim != SVCQ_METRICS_DIM_ALL) {
        v = svcq__mx_pool_find(m, value);
        if (!v)
            return NULL;
    }
    uint8_t key[16];
    rkey(key, period, start, dim, v);
    if (period == SVCQ_METRICS_DAY)
        return svcq__map_get(&m->rollups, key, 16);
    return m->dgen == m->gen ? svcq__map_get(&m->dcache, key, 16) : NULL;
}

const svcq__mx_group *svcq__mx_group_find(const svcq_metrics *m, int32_t period, int64_t start, int32_t dim)
{
    uint8_t key[8];
    gkey(key, period, start, dim);
    if (period == SVCQ_METRICS_DAY)
        return svcq__map_get(&m->groups, key, 8);
    return m->dgen == m->gen ? svcq__map_get(&m->dgroups, key, 8) : NULL;
}

/* The group of (period, start, dim) in groups, made when missing, with room
 * for one more rollup; NULL when memory runs out (nothing else changed but
 * an empty group kept in the map). */
static svcq__mx_group *group_with_room(svcq_metrics *m, svcq__map *groups, int32_t period, int64_t start,
                                       int32_t dim)
{
    uint8_t gk[8];
    gkey(gk, period, start, dim);
    svcq__mx_group *g = svcq__map_get(groups, gk, 8);
    if (!g) {
        g = svcq__calloc(m->ctx, 1, sizeof(*g));
        if (!g)
            return NULL;
        memcpy(g->key, gk, 8);
        if (svcq__map_put(groups, g->key, 8, g, NULL)) {
            svcq__free(m->ctx, g);
            return NULL;
        }
    }
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 8;
        svcq__mx_rollup **p = svcq__reallocarray(m->ctx, g->items, cap, sizeof(*p));
        if (!p)
            return NULL;
        g->items = p;
        g->cap = cap;
    }
    return g;
}

/* ---- derived rollups ------------------------------------------------------- */

/* Finds or makes the derived rollup of (period, start, dim, value). */
static svcq__mx_rollup *derived_get(svcq_metrics *m, int32_t period, int64_t start, int32_t dim, const char *value,
                                    bool clients_on)
{
    uint8_t key[16];
    rkey(key, period, start, dim, value);
    svcq__mx_rollup *r = svcq__map_get(&m->dcache, key, 16);
    if (r)
        return r;
    svcq__mx_group *g = group_with_room(m, &m->dgroups, period, start, dim);
    if (!g)
        return NULL;
    r = svcq__calloc(m->ctx, 1, sizeof(*r));
    if (!r)
        return NULL;
    memcpy(r->key, key, 16);
    r->period = (uint8_t)period;
    r->dim = (uint8_t)dim;
    r->start = (int32_t)start;
    r->value = value ? value : "";
    r->clients_on = clients_on;
    r->derived = true;
    if (svcq__map_put(&m->dcache, r->key, 16, r, NULL)) {
        svcq__free(m->ctx, r);
        return NULL;
    }
    g->items[g->n++] = r;
    return r;
}

static void add_counters(svcq__mx_rollup *d, const svcq__mx_rollup *s)
{
    d->raised += s->raised;
    d->resolved += s->resolved;
    d->rated += s->rated;
    d->satisfied += s->satisfied;
    d->csat_sum += s->csat_sum;
    d->unrated += s->unrated;
    for (int i = 1; i <= 4; i++)
        d->fcr[i] += s->fcr[i];
    d->responded += s->responded;
    d->resp_sum += s->resp_sum;
    d->resp_biz_sum += s->resp_biz_sum;
    d->complaints += s->complaints;
    d->repeats += s->repeats;
    d->measures_due += s->measures_due;
    d->measures_on_time += s->measures_on_time;
    d->sla_met += s->sla_met;
    d->sla_decided += s->sla_decided;
}

int svcq__mx_derive(svcq_metrics *m, int32_t period, int64_t start)
{
    if (m->npend && svcq__mx_flush(m))
        return SVCQ_ENOMEM;
    if (period == SVCQ_METRICS_DAY)
        return SVCQ_OK;
    if (m->dgen != m->gen)
        dcache_flush(m);
    uint8_t pk[8];
    gkey(pk, period, start, 0);
    if (svcq__map_get(&m->dperiods, pk, 8))
        return SVCQ_OK;
    /* The map keeps the key's pointer: the value holds the key. */
    uint8_t *mark = svcq__malloc(m->ctx, 8);
    if (!mark)
        return SVCQ_ENOMEM;
    memcpy(mark, pk, 8);
    if (svcq__map_put(&m->dperiods, mark, 8, mark, NULL)) {
        svcq__free(m->ctx, mark);
        return SVCQ_ENOMEM;
    }
    int64_t end = svcq__mx_period_next(period, start);
    for (int32_t d = 0; d < SVCQ__MX_NDIM; d++) {
        if (!(m->dims >> d & 1))
            continue;
        for (int64_t day = start; day < end; day++) {
            const svcq__mx_group *g = svcq__mx_group_find(m, SVCQ_METRICS_DAY, day, d);
            for (size_t i = 0; g && i < g->n; i++) {
                svcq__mx_rollup *p = g->items[i];
                svcq__mx_rollup *r = derived_get(m, period, start, d, d == SVCQ_METRICS_DIM_ALL ? NULL : p->value,
                                                 p->clients_on);
                if (r && r->nparts == r->capparts) {
                    uint32_t cap = r->capparts ? r->capparts * 2 : 8;
                    svcq__mx_rollup **pp = svcq__reallocarray(m->ctx, r->parts, cap, sizeof(*pp));
                    if (pp) {
                        r->parts = pp;
                        r->capparts = cap;
                    }
                }
                if (!r || r->nparts == r->capparts) {
                    dcache_flush(m);
                    return SVCQ_ENOMEM;
                }
                r->parts[r->nparts++] = p;
                add_counters(r, p);
            }
        }
    }
    return SVCQ_OK;
}

static int ct_merge(svcq_ctx *ctx, svcq__mx_ctab *d, const svcq__mx_ctab *s)
{
    for (uint32_t i = 0; i < s->cap; i++) {
        const svcq__mx_slot *e = &s->slots[i];
        if (e->key == INT64_MIN || e->count == 0)
            continue;
        if (ct_reserve_key(ctx, d, e->key))
            return SVCQ_ENOMEM;
        ct_add(d, e->key, e->count);
    }
    return SVCQ_OK;
}

int svcq__mx_tables(svcq_metrics *m, svcq__mx_rollup *r)
{
    if (r->tables_ok)
        return SVCQ_OK;
    svcq__mx_ctab *t[4] = { &r->resp, &r->resp_biz, &r->clients, &r->sla };
    int nt = r->derived ? 4 : 3; /* a day rollup keeps its sla table */
    for (int i = 0; i < nt; i++)
        ct_clear(t[i]);
    svcq__mx_rollup *const *parts = r->derived ? r->parts : &r;
    uint32_t nparts = r->derived ? r->nparts : 1;
    int rc = SVCQ_OK;
    if (!r->derived) /* the logs' sizes bound the tables' */
        rc = ct_reserve(m->ctx, &r->resp, r->lresp.n + r->lresp.base.used) ||
                     ct_reserve(m->ctx, &r->resp_biz, r->lresp_biz.n + r->lresp_biz.base.used) ||
                     ct_reserve(m->ctx, &r->clients, r->lclients.n + r->lclients.base.used)
                 ? SVCQ_ENOMEM
                 : SVCQ_OK;
    for (uint32_t i = 0; !rc && i < nparts; i++) {
        const svcq__mx_rollup *p = parts[i];
        rc = ct_merge_log(m->ctx, &r->resp, &p->lresp);
        if (!rc)
            rc = ct_merge_log(m->ctx, &r->resp_biz, &p->lresp_biz);
        if (!rc)
            rc = ct_merge_log(m->ctx, &r->clients, &p->lclients);
        if (!rc && r->derived)
            rc = ct_merge(m->ctx, &r->sla, &p->sla);
    }
    r->clients_distinct = 0;
    for (uint32_t i = 0; !rc && i < r->clients.cap; i++)
        r->clients_distinct += r->clients.slots[i].key != INT64_MIN && r->clients.slots[i].count > 0;
    if (rc) {
        for (int i = 0; i < nt; i++)
            ct_clear(t[i]);
        r->clients_distinct = 0;
        return SVCQ_ENOMEM;
    }
    r->tables_ok = true;
    return SVCQ_OK;
}

/* Removes a rollup made by a put that is undone (it is empty again). */
static void rollup_drop(svcq_metrics *m, svcq__mx_rollup *r)
{
    svcq__map_remove(&m->rollups, r->key, 16);
    dayix_remove(dayix_get(m, r->start), r->dim, r->dim == SVCQ_METRICS_DIM_ALL ? NULL : r->value);
    uint8_t key[8];
    gkey(key, r->period, r->start, r->dim);
    svcq__mx_group *g = svcq__map_get(&m->groups, key, 8);
    if (g) {
        for (size_t i = 0; i < g->n; i++)
            if (g->items[i] == r) {
                g->items[i] = g->items[--g->n];
                break;
            }
    }
    rollup_free(m->ctx, r);
}

/* Finds or makes a rollup; a new one goes to created. */
static int rollup_get(svcq_metrics *m, int32_t period, int64_t start, int32_t dim, const char *value,
                      svcq__mx_rollup **out, svcq__mx_rollup ***created, size_t *ncreated, size_t *capcreated)
{
    uint8_t key[16];
    rkey(key, period, start, dim, value);
    svcq__mx_rollup *r = svcq__map_get(&m->rollups, key, 16);
    if (r) {
        *out = r;
        return SVCQ_OK;
    }
    if (*ncreated == *capcreated) {
        size_t cap = *capcreated ? *capcreated * 2 : 32;
        svcq__mx_rollup **p = svcq__reallocarray(m->ctx, *created, cap, sizeof(*p));
        if (!p)
            return SVCQ_ENOMEM;
        *created = p;
        *capcreated = cap;
    }
    svcq__mx_group *g = group_with_room(m, &m->groups, period, start, dim);
    if (!g)
        return SVCQ_ENOMEM;
    /* Only day rollups are kept (longer periods are derived). */
    svcq__mx_dayix *x = dayix_make(m, start);
    if (!x || dayix_reserve(m->ctx, x, dim))
        return SVCQ_ENOMEM;
    r = svcq__calloc(m->ctx, 1, sizeof(*r));
    if (!r)
        return SVCQ_ENOMEM;
    memcpy(r->key, key, 16);
    r->period = (uint8_t)period;
    r->dim = (uint8_t)dim;
    r->start = (int32_t)start;
    r->value = value ? value : "";
    r->clients_on = !(m->flags & SVCQ_METRICS_CLIENTS_ALL_TIER) || dim == SVCQ_METRICS_DIM_ALL ||
                    dim == SVCQ_METRICS_DIM_TIER;
    if (svcq__map_put(&m->rollups, r->key, 16, r, NULL)) {
        svcq__free(m->ctx, r);
        return SVCQ_ENOMEM;
    }
    rslot_insert(x->dim[dim].slots, x->dim[dim].cap, value, r);
    x->dim[dim].used++;
    g->items[g->n++] = r;
    (*created)[(*ncreated)++] = r;
    *out = r;
    return SVCQ_OK;
}

/* The value of dimension dim for fact f (NULL: not in that dimension). */
static const char *dim_value(const svcq_metrics *m, const svcq__mx_fact *f, int32_t dim, bool *in)
{
    /* The string of each dimension (dims 1..8); ALL has none. */
    static const int8_t str_of[SVCQ__MX_NDIM] = { -1, MXS_TIER, MXS_CHANNEL, MXS_CATEGORY, MXS_AGENT, MXS_CLIENT,
                                                  MXS_COMPLAINT, MXS_LOCATION, MXS_STAGE };
    if (dim == SVCQ_METRICS_DIM_ALL) {
        *in = true;
        return NULL;
    }
    uint32_t ix = f->s[str_of[dim]];
    *in = dim == SVCQ_METRICS_DIM_COMPLAINT ? f->complaint != 0 : ix != 0;
    return m->pstr[ix];
}

#if defined(__GNUC__) || defined(__clang__)
#define MX_PREFETCH(p) __builtin_prefetch(p, 1)
#else
#define MX_PREFETCH(p) ((void)(p))
#endif

enum { PH_PREPARE, PH_APPLY, PH_OLD };

/* Most rollups one group of a fact touches: its day by every dimension. */
#define MX_MAXR SVCQ__MX_NDIM

typedef struct walk {
    int phase;
    int64_t sign;
    bool undo; /* APPLY is the undo of a put */
    svcq__mx_rollup **created;
    size_t ncreated, capcreated;
    svcq__mx_rollup **touched;
    size_t ntouched, captouched;
    uint64_t mark;
    /* With rday_ok, the local day of the fact's receipt (the flush has it
     * from its sort), so that PREPARE does not convert it again. */
    int64_t rday;
    bool rday_ok;
    /* The rollups PREPARE found for the new fact, by group, so that APPLY
     * does not look them up again. */
    svcq__mx_rollup *ra[MX_MAXR], *rb[MX_MAXR];
    size_t na, nb;
} walk;

/* The key of a fact's client in the clients logs: its pooled address, 0
 * for none. */
static inline int64_t mx_client(const svcq_metrics *m, const svcq__mx_fact *f)
{
    return (int64_t)(uintptr_t)svcq__mx_str(m, f, MXS_CLIENT);
}

/* A walk in PREPARE (without zeroing its rollup arrays, which PREPARE
 * fills). */
static inline void walk_init(walk *w, uint64_t mark)
{
    w->phase = PH_PREPARE;
    w->sign = 1;
    w->undo = false;
    w->created = NULL;
    w->ncreated = w->capcreated = 0;
    w->touched = NULL;
    w->ntouched = w->captouched = 0;
    w->mark = mark;
    w->rday_ok = false;
    w->na = w->nb = 0;
}

static bool fcr_yes(const svcq__mx_fact *f, int def)
{
    switch (def) {
    case SVCQ_METRICS_FCR_ONE_AGENT_REPLY: return f->agent_replies <= 1;
    case SVCQ_METRICS_FCR_NO_CUSTOMER_REPLY: return f->customer_replies == 0;
    case SVCQ_METRICS_FCR_NO_REOPEN: return !f->reopened_soon;
    default: return f->contacts <= 1;
    }
}

/* Group A: raised, response, complaints, repeats, clients, SLA. undo: the
 * undo of a put (log_undo instead of log_add). */
static void add_a(svcq__mx_rollup *r, const svcq__mx_fact *f, int64_t client, int64_t s, bool undo)
{
    r->raised += s;
    if (svcq__mx_fhas(f, MXT_FIRST_REPLY)) {
        int64_t cal = svcq__mx_fresp(f), biz = svcq__mx_fresp_biz(f);
        r->responded += s;
        r->resp_sum += s * cal;
        r->resp_biz_sum += s * biz;
        if (undo) {
            log_undo(&r->lresp, cal, s);
            log_undo(&r->lresp_biz, biz, s);
        } else {
            log_add(&r->lresp, cal, s);
            log_add(&r->lresp_biz, biz, s);
        }
    }
    r->complaints += s * (f->complaint != 0);
    r->repeats += s * (f->repeat != 0);
    if (client && r->clients_on) {
        if (undo)
            log_undo(&r->lclients, client, s);
        else
            log_add(&r->lclients, client, s);
    }
    r->tables_ok = false;
    for (uint32_t i = 0; i < f->nsla; i++) {
        int32_t o = f->sla[i].outcome;
        if (o == SVCQ_METRICS_SLA_PENDING)
            continue;
        r->sla_decided += s;
        r->sla_met += s * (o == SVCQ_METRICS_SLA_MET);
        ct_add(&r->sla, (int64_t)((uintptr_t)f->sla[i].target | (o == SVCQ_METRICS_SLA_BREACHED)), s);
    }
}

/* Group B: resolved, CSAT, FCR, measures. */
static void add_b(svcq__mx_rollup *r, const svcq__mx_fact *f, int64_t s)
{
    if (svcq__mx_fhas(f, MXT_RESOLVED)) {
        r->resolved += s;
        for (int d = 1; d <= 4; d++)
            r->fcr[d] += s * fcr_yes(f, d);
    }
    if (f->csat) {
        r->rated += s;
        r->csat_sum += s * f->csat;
        r->satisfied += s * (f->csat >= 4);
    } else {
        r->unrated += s;
    }
    r->measures_due += s * f->measures_due;
    r->measures_on_time += s * f->measures_on_time;
}

static int reserve_a(svcq_ctx *ctx, svcq__mx_rollup *r, const svcq__mx_fact *f, int64_t client)
{
    int rc = SVCQ_OK;
    if (svcq__mx_fhas(f, MXT_FIRST_REPLY)) {
        rc = log_reserve(ctx, &r->lresp, svcq__mx_fresp(f));
        if (!rc)
            rc = log_reserve(ctx, &r->lresp_biz, svcq__mx_fresp_biz(f));
    }
    if (!rc && client && r->clients_on)
        rc = log_reserve(ctx, &r->lclients, client);
    if (!rc && f->nsla)
        rc = ct_reserve(ctx, &r->sla, f->nsla);
    return rc;
}

/* Makes room for removing the old version f of a fact from r. */
static int reserve_remove_a(svcq_ctx *ctx, svcq__mx_rollup *r, const svcq__mx_fact *f, int64_t client)
{
    int rc = SVCQ_OK;
    if (svcq__mx_fhas(f, MXT_FIRST_REPLY)) {
        rc = log_reserve_remove(ctx, &r->lresp, svcq__mx_fresp(f));
        if (!rc)
            rc = log_reserve_remove(ctx, &r->lresp_biz, svcq__mx_fresp_biz(f));
    }
    if (!rc && client && r->clients_on)
        rc = log_reserve_remove(ctx, &r->lclients, client);
    return rc;
}

static int push_touched(svcq_metrics *m, walk *w, svcq__mx_rollup *r)
{
    if (r->mark == w->mark)
        return SVCQ_OK;
    if (w->ntouched == w->captouched) {
        size_t cap = w->captouched ? w->captouched * 2 : 64;
        svcq__mx_rollup **p = svcq__reallocarray(m->ctx, w->touched, cap, sizeof(*p));
        if (!p)
            return SVCQ_ENOMEM;
        w->touched = p;
        w->captouched = cap;
    }
    r->mark = w->mark;
    w->touched[w->ntouched++] = r;
    return SVCQ_OK;
}

/* PREPARE of one group: finds or makes the day rollups of fact f on the
 * day holding at (one day lookup, then one small probe per dimension) and
 * records them. */
static int prepare_group(svcq_metrics *m, walk *w, const svcq__mx_fact *f, svcq_time at, bool group_a, bool group_b)
{
    int64_t day = w->rday_ok && at == f->received ? w->rday : svcq__mx_day(m, at);
    bool persist = (m->flags & SVCQ_METRICS_PERSIST) != 0;
    const svcq__mx_dayix *x = dayix_get(m, day);
    struct {
        int32_t d;
        const char *v;
        svcq__mx_rollup *r;
    } k[MX_MAXR];
    size_t n = 0;
    for (uint32_t di = 0; di < m->ndimv; di++) {
        int32_t d = m->dimv[di];
        bool in;
        const char *v = dim_value(m, f, d, &in);
        if (!in)
            continue;
        k[n].d = d;
        k[n].v = v;
        if (x && x->dim[d].cap)
            MX_PREFETCH(&x->dim[d].slots[ptr_hash(v) & (x->dim[d].cap - 1)]);
        n++;
    }
    /* The lookups' cache misses overlap: the index slots were fetched
     * above, the rollups' counters and logs are fetched here. */
    for (size_t i = 0; i < n; i++) {
        svcq__mx_rollup *r = k[i].r = dayix_find(x, k[i].d, k[i].v);
        if (r) {
            MX_PREFETCH((char *)r + 64);
            MX_PREFETCH((char *)r + 128);
            MX_PREFETCH((char *)r + 192);
            MX_PREFETCH((char *)r + 256);
            MX_PREFETCH((char *)r + 320);
        }
    }
    for (size_t i = 0; i < n; i++) {
        svcq__mx_rollup *r = k[i].r;
        int rc = SVCQ_OK;
        if (!r) {
            rc = rollup_get(m, SVCQ_METRICS_DAY, day, k[i].d, k[i].v, &r, &w->created, &w->ncreated,
                            &w->capcreated);
            x = dayix_get(m, day);
        }
        if (!rc && persist)
            rc = push_touched(m, w, r);
        if (rc)
            return rc;
        if (group_a)
            w->ra[w->na++] = r;
        if (group_b)
            w->rb[w->nb++] = r;
    }
    return SVCQ_OK;
}

/* Walks the rollups of fact f in the periods holding at: group A (raised,
 * response, ...) and/or group B (resolution measures). */
static int walk_group(svcq_metrics *m, walk *w, const svcq__mx_fact *f, svcq_time at, bool group_a, bool group_b)
{
    if (w->phase == PH_PREPARE)
        return prepare_group(m, w, f, at, group_a, group_b);
    const svcq__mx_dayix *x = dayix_get(m, svcq__mx_day(m, at));
    for (uint32_t di = 0; di < m->ndimv; di++) {
        int32_t d = m->dimv[di];
        bool in;
        const char *v = dim_value(m, f, d, &in);
        if (!in)
            continue;
        svcq__mx_rollup *r = dayix_find(x, d, v);
        if (w->phase == PH_OLD) {
            int rc = group_a ? reserve_remove_a(m->ctx, r, f, mx_client(m, f)) : SVCQ_OK;
            if (!rc && (m->flags & SVCQ_METRICS_PERSIST))
                rc = push_touched(m, w, r);
            if (rc)
                return rc;
            continue;
        }
        if (group_a)
            add_a(r, f, mx_client(m, f), w->sign, w->undo);
        if (group_b)
            add_b(r, f, w->sign);
    }
    return SVCQ_OK;
}

/* PREPARE (the new fact: finds or makes its rollups and records them),
 * OLD (the old version of an updated fact: makes room for its removal and,
 * when persisting, records its rollups to store) or APPLY by lookup. */
static int walk_fact(svcq_metrics *m, walk *w, const svcq__mx_fact *f)
{
    if (m->attribution == SVCQ_METRICS_COHORT)
        return walk_group(m, w, f, f->received, true, true);
    int rc = walk_group(m, w, f, f->received, true, false);
    if (rc || !svcq__mx_fhas(f, MXT_RESOLVED))
        return rc;
    return walk_group(m, w, f, svcq__mx_ftime(f, MXT_RESOLVED), false, true);
}

static void log_prefetch(const svcq__mx_log *l)
{
    if (l->v) {
        uint32_t i = l->n < l->cap ? l->n : l->n - 1;
        MX_PREFETCH(l->wide ? (const void *)&((const int64_t *)l->v)[i] : (const void *)&((const int32_t *)l->v)[i]);
    }
}

/* Makes room in the counting tables of the rollups PREPARE recorded for
 * group A. Each put probes some 3 tables in each of ~20 rollups, scattered
 * over the whole set's memory: the probes are issued as prefetches first
 * so that their cache misses overlap instead of following one another. */
static int reserve_prepared(svcq_metrics *m, walk *w, const svcq__mx_fact *f)
{
    bool replied = svcq__mx_fhas(f, MXT_FIRST_REPLY);
    int64_t client = mx_client(m, f);
    for (size_t i = 0; i < w->na; i++) {
        const svcq__mx_rollup *r = w->ra[i];
        if (replied) {
            log_prefetch(&r->lresp);
            log_prefetch(&r->lresp_biz);
        }
        if (client && r->clients_on)
            log_prefetch(&r->lclients);
    }
    for (size_t i = 0; i < w->na; i++) {
        int rc = reserve_a(m->ctx, w->ra[i], f, client);
        if (rc)
            return rc;
    }
    return SVCQ_OK;
}

/* APPLY of the new fact over the rollups PREPARE recorded. */
static void apply_prepared(const svcq_metrics *m, walk *w, const svcq__mx_fact *f)
{
    int64_t client = mx_client(m, f);
    for (size_t i = 0; i < w->na; i++)
        add_a(w->ra[i], f, client, w->sign, false);
    for (size_t i = 0; i < w->nb; i++)
        add_b(w->rb[i], f, w->sign);
}

/* ---- pending facts ------------------------------------------------------- */

/* Adds one pending fact, received on local day rday, to its rollups
 * (PREPARE then APPLY, as a put). */
static int flush_one(svcq_metrics *m, svcq__mx_fact *f, int64_t rday)
{
    walk w;
    walk_init(&w, ++m->mark);
    w.rday = rday;
    w.rday_ok = true;
    int rc = walk_fact(m, &w, f);
    if (!rc)
        rc = reserve_prepared(m, &w, f);
    if (rc) {
        for (size_t i = w.ncreated; i-- > 0;)
            rollup_drop(m, w.created[i]);
    } else {
        w.phase = PH_APPLY;
        apply_prepared(m, &w, f);
        f->pend = 0;
    }
    svcq__free(m->ctx, w.created);
    svcq__free(m->ctx, w.touched);
    return rc;
}

int svcq__mx_flush(svcq_metrics *m)
{
    size_t n = m->npend;
    if (!n)
        return SVCQ_OK;
    /* Day order by a counting sort (a comparison sort when the days are
     * spread too thin): the facts and their days are copied out in that
     * order, so that the adding loop reads both arrays in sequence. */
    int32_t *day = svcq__malloc(m->ctx, n * sizeof(*day));
    int32_t *sday = svcq__malloc(m->ctx, n * sizeof(*sday));
    svcq__mx_fact **sorted = svcq__malloc(m->ctx, n * sizeof(*sorted));
    int rc = day && sday && sorted ? SVCQ_OK : SVCQ_ENOMEM;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; !rc && i < n; i++) {
        int64_t d = svcq__mx_day(m, m->pend[i]->received);
        day[i] = (int32_t)d;
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
    }
    if (!rc && (uint64_t)(hi - lo) <= 4 * (uint64_t)n + 4096) {
        size_t range = (size_t)(hi - lo) + 2;
        uint32_t *at = svcq__calloc(m->ctx, range, sizeof(*at));
        if (!at) {
            rc = SVCQ_ENOMEM;
        } else {
            for (size_t i = 0; i < n; i++)
                at[day[i] - lo + 1]++;
            for (size_t k = 1; k < range; k++)
                at[k] += at[k - 1];
            for (size_t i = 0; i < n; i++) {
                uint32_t j = at[day[i] - lo]++;
                sorted[j] = m->pend[i];
                sday[j] = day[i];
            }
            svcq__free(m->ctx, at);
        }
    } else if (!rc) {
        uint64_t *key = svcq__malloc(m->ctx, n * sizeof(*key));
        if (!key) {
            rc = SVCQ_ENOMEM;
        } else {
            for (size_t i = 0; i < n; i++)
                key[i] = (uint64_t)(uint32_t)(day[i] - (int32_t)lo) << 32 | i;
            qsort(key, n, sizeof(*key), cmp_u64);
            for (size_t i = 0; i < n; i++) {
                sorted[i] = m->pend[(uint32_t)key[i]];
                sday[i] = day[(uint32_t)key[i]];
            }
            svcq__free(m->ctx, key);
        }
    }
    size_t done = 0;
    for (; !rc && done < n; done++) {
        if (done + 8 < n) {
            const svcq__mx_fact *next = sorted[done + 8];
            MX_PREFETCH(next);
            MX_PREFETCH((const char *)next + 64);
        }
        rc = flush_one(m, sorted[done], sday[done]);
    }
    if (done)
        m->gen++;
    /* Keeps the facts not added, in their order. */
    size_t k = 0;
    for (size_t i = 0; rc && i < n; i++)
        if (m->pend[i]->pend) {
            m->pend[k] = m->pend[i];
            m->pend[k]->pend = (uint32_t)(k + 1);
            k++;
        }
    m->npend = k;
    svcq__free(m->ctx, day);
    svcq__free(m->ctx, sday);
    svcq__free(m->ctx, sorted);
    return rc;
}

/* ---- the put -------------------------------------------------------------- */

/* True when the n bytes at s are all printable ASCII (0x20 to 0x7E):
 * valid UTF-8 without control characters, tested 8 bytes at a time. */
static bool printable_ascii(const char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t del = w ^ (ones * 0x7F);
        /* a high bit, a byte below 0x20, a byte equal to 0x7F */
        if ((w & highs) | ((w - ones * 0x20) & ~w & highs) | ((del - ones) & ~del & highs))
            return false;
    }
    for (; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7F)
            return false;
    return true;
}

/* Checks a string field of a fact; *pooled receives its pooled copy when
 * the set has it already (checked when it was pooled), else NULL. */
static int check_str(svcq_metrics *m, const char *fid, const char *field, const char *s, const char **pooled)
{
    *pooled = NULL;
    if (!s || !*s)
        return SVCQ_OK;
    if ((*pooled = scache_get(m, s)))
        return SVCQ_OK;
    size_t n = strnlen(s, SVCQ_METRICS_MAX_STRING + 1);
    if (n <= SVCQ_METRICS_MAX_STRING && (*pooled = svcq__map_get(&m->pool, s, n))) {
        scache_set(m, s, *pooled);
        return SVCQ_OK;
    }
    if (n <= SVCQ_METRICS_MAX_STRING && printable_ascii(s, n))
        return SVCQ_OK;
    if (n > SVCQ_METRICS_MAX_STRING)
        return svcq__error(m->ctx, SVCQ_EINVAL, "fact %s: field \"%s\" is longer than %d bytes", fid, field,
                           SVCQ_METRICS_MAX_STRING);
    if (!svcq__utf8_valid(s, n))
        return svcq__error(m->ctx, SVCQ_EINVAL, "fact %s: field \"%s\" is not valid UTF-8", fid, field);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
            return svcq__error(m->ctx, SVCQ_EINVAL, "fact %s: field \"%s\" contains a control character", fid,
                               field);
    return SVCQ_OK;
}

/* What check_fact learnt for fact_build: the pooled copies of the string
 * fields (NULL: empty or not pooled yet) and the id's length. */
typedef struct fact_in {
    const char *pooled[SVCQ__MX_NSTR];
    size_t idlen;
} fact_in;

static int check_fact(svcq_metrics *m, const svcq_metrics_fact *f, fact_in *fi)
{
    svcq_ctx *ctx = m->ctx;
    if (f->version == 0 || f->version > SVCQ_METRICS_FACT_VERSION)
        return svcq__error(ctx, SVCQ_EVERSION, "metrics %s: fact version %u is not 1 to %u", m->name, f->version,
                           SVCQ_METRICS_FACT_VERSION);
    if (!f->id || !*f->id)
        return svcq__error(ctx, SVCQ_EINVAL, "metrics %s: a fact needs an id", m->name);
    size_t idl = strnlen(f->id, SVCQ_METRICS_MAX_STRING + 1);
    char fid[80]; /* "\"%.60s\"" without the printf on every put */
    size_t fl = idl < 60 ? idl : 60;
    fid[0] = '"';
    memcpy(fid + 1, f->id, fl);
    fid[fl + 1] = '"';
    fid[fl + 2] = '\0';
    fi->idlen = idl;
    if (idl > SVCQ_METRICS_MAX_STRING || (!printable_ascii(f->id, idl) && !svcq__store_id_valid(f->id, idl)))
        return svcq__error(ctx, SVCQ_EINVAL, "fact %s: the id must be 1-%d bytes of UTF-8 without control characters",
                           fid, SVCQ_METRICS_MAX_STRING);
    if (f->reserved0 || f->reserved1 || (f->reserved[0] | f->reserved[1] | f->reserved[2] | f->reserved[3]))
        return svcq__error(ctx, SVCQ_EINVAL, "fact %s: reserved fields must be zero", fid);
    static const char *const names[] = { "client", "tier", "channel", "category", "agent", "complaint_category",
                                         "location", "stage" };
    const char *ss[SVCQ__MX_NSTR] = { f->client, f->tier, f->channel, f->category, f->agent, f->complaint_category,
                                       f->location, f->stage };
    int rc;
    for (int i = 0; i < SVCQ__MX_NSTR; i++)
        if ((rc = check_str(m, fid, names[i], ss[i], &fi->pooled[i])))
            return rc;
    if (f->received == SVCQ_METRICS_NO_TIME)
        return svcq__error(ctx, SVCQ_EINVAL, "fact %s: no received time", fid);
    svcq_time lo, hi;
    svcq_calendar_range(&lo, &hi);
    const svcq_time ts[5] = { f->received, f->first_reply, f->resolved, f->closed, f->reopened };
    static const char *const tn[5] = { "received", "first_reply", "resolved", "closed", "reopened" };
    for (int i = 0; i < 5; i++)
        if (ts[i] != SVCQ_METRICS_NO_TIME && (ts[i] < lo || ts[i] > hi))
            return svcq__error(ctx, SVCQ_ERANGE, "fact %s: %s %lld is outside the supported range", fid, tn[i],
                               (long long)ts[i]);
    for (int i = 1; i < 4; i++)
        if (ts[i] != SVCQ_METRICS_NO_TIME && ts[i] < f->received)
            return svcq__error(ctx, SVCQ_EINVAL, "fact %s: %s is before received", fid, tn[i]);
    if (f->closed != SVCQ_METRICS_NO_TIME && f->resolved != SVCQ_METRICS_NO_TIME && f->closed < f->resolved)
        return svcq__error(ctx, SVCQ_EINVAL, "fact %s: closed is before resolved", fid);
    if (f->reopened != SVCQ_METRICS_NO_TIME &&
        (f->resolved == SVCQ_METRICS_NO_TIME || f->reopened < f->resolved))
        return svcq__error(ctx, SVCQ_EINVAL, "fact %s: reopened without a resolution before it", fid);
    const int32_t cs[5] = { f->contacts, f->agent_replies, f->customer_replies, f->measures_due, f->measures_on_time };
    static const char *const cn[5] = { "contacts", "agent_replies", "customer_replies", "measures_due",
                                       "measures_on_time" };
    for (int i = 0; i < 5; i++)
        if (cs[i] < 0 || cs[i] > 1000000)
            return svcq__error(ctx, SVCQ_EINVAL, "fact %s: %s %d is not 0 to 1000000", fid, cn[i], (int)cs[i]);
    if (f->measures_on_time > f->measures_due)
        return svcq__error(ctx, SVCQ_EINVAL, "fact %s: %d measures on time of %d due", fid, (int)f->measures_on_time,
                           (int)f->measures_due);
    if (f->csat < 0 || f->csat > 5)
        return svcq__error(ctx, SVCQ_EINVAL, "fact %s: csat %d is not 1 to 5 (or 0 for unrated)", fid, (int)f->csat);
    if ((f->complaint != 0 && f->complaint != 1) || (f->repeat != 0 && f->repeat != 1))
        return svcq__error(ctx, SVCQ_EINVAL, "fact %s: complaint and repeat are 0 or 1", fid);
    if (f->sla_count > SVCQ_METRICS_MAX_SLA)
        return svcq__error(ctx, SVCQ_EINVAL, "fact %s: %u SLA outcomes, at most %d", fid, f->sla_count,
                           SVCQ_METRICS_MAX_SLA);
    if (f->sla_count && (!f->sla_targets || !f->sla_outcomes))
        return svcq__error(ctx, SVCQ_EINVAL, "fact %s: sla arrays are NULL with sla_count %u", fid, f->sla_count);
    for (uint32_t i = 0; i < f->sla_count; i++) {
        const char *t = f->sla_targets[i];
        if (!t || !*t)
            return svcq__error(ctx, SVCQ_EINVAL, "fact %s: SLA outcome %u has no target", fid, i);
        const char *unused;
        if ((rc = check_str(m, fid, "sla target", t, &unused)))
            return rc;
        if (!svcq_metrics_sla_outcome_name(f->sla_outcomes[i]))
            return svcq__error(ctx, SVCQ_EINVAL, "fact %s: SLA target %s: unknown outcome %d", fid, t,
                               (int)f->sla_outcomes[i]);
        for (uint32_t j = 0; j < i; j++)
            if (!strcmp(f->sla_targets[j], t))
                return svcq__error(ctx, SVCQ_EINVAL, "fact %s: SLA target %s appears twice", fid, t);
    }
    return SVCQ_OK;
}

/* The set's copy of a fact: NULL with rc on failure. */
/* The pooled copy of s (checked), pooled now when new. */
static const char *pool_str(svcq_metrics *m, const char *s, const char *pooled, int *rc)
{
    if (pooled || (pooled = scache_get(m, s)))
        return pooled;
    pooled = pool_get(m, s, strlen(s), rc);
    if (pooled)
        scache_set(m, s, pooled);
    return pooled;
}

static svcq__mx_fact *fact_build(svcq_metrics *m, const svcq_metrics_fact *in, const fact_in *fi, int *rc)
{
    svcq_ctx *ctx = m->ctx;
    svcq__mx_fact *f = fact_alloc(m);
    if (!f) {
        *rc = svcq__enomem(ctx);
        return NULL;
    }
    /* The times after received as 32-bit offsets, or wide (exact, after
     * the SLA outcomes) when one does not fit. */
    const svcq_time ts[4] = { in->first_reply, in->resolved, in->closed, in->reopened };
    int64_t resp_biz = -1;
    if (in->first_reply != SVCQ_METRICS_NO_TIME) {
        *rc = svcq_calendar_diff(&resp_biz, m->cal, in->received, in->first_reply);
        if (*rc) {
            *rc = svcq__error_prefix(ctx, *rc, "fact \"%.60s\": business response time", in->id);
            fact_free(m, f);
            return NULL;
        }
    }
    bool wide = resp_biz < -1 || resp_biz >= (int64_t)SVCQ__MX_T_NONE;
    for (int k = 0; k < 4; k++) {
        if (ts[k] == SVCQ_METRICS_NO_TIME) {
            f->t[k] = SVCQ__MX_T_NONE;
            continue;
        }
        int64_t d = ts[k] - in->received; /* within the calendar's range: no overflow */
        wide |= d < 0 || d >= (int64_t)SVCQ__MX_T_NONE;
        f->t[k] = (uint32_t)d;
    }
    f->resp_biz = (uint32_t)resp_biz;
    f->idlen = (uint16_t)fi->idlen;
    char *id = f->idlen < SVCQ__MX_ID_INLINE ? f->id.buf : svcq__malloc(ctx, f->idlen + 1);
    if (id) {
        memcpy(id, in->id, f->idlen + 1);
        if (f->idlen >= SVCQ__MX_ID_INLINE)
            f->id.ptr = id;
    }
    if (in->sla_count || wide)
        f->sla = svcq__malloc(ctx, in->sla_count * sizeof(*f->sla) + (wide ? 5 * sizeof(int64_t) : 0));
    if (!id || ((in->sla_count || wide) && !f->sla)) {
        if (!id)
            f->idlen = 0;
        goto nomem;
    }
    if (wide) {
        int64_t w5[5] = { ts[0], ts[1], ts[2], ts[3], resp_biz };
        memcpy(f->sla + in->sla_count, w5, sizeof(w5));
        f->wide = true;
    }
    const char *ss[SVCQ__MX_NSTR] = { in->client, in->tier, in->channel, in->category, in->agent,
                                       in->complaint_category, in->location, in->stage };
    const char *pooled[SVCQ__MX_NSTR];
    memcpy(pooled, fi->pooled, sizeof(pooled));
    if (in->complaint && !(ss[MXS_COMPLAINT] && *ss[MXS_COMPLAINT])) {
        bool cat = ss[MXS_CATEGORY] && *ss[MXS_CATEGORY];
        ss[MXS_COMPLAINT] = cat ? ss[MXS_CATEGORY] : "uncategorised";
        pooled[MXS_COMPLAINT] = cat ? pooled[MXS_CATEGORY] : NULL;
    }
    if (!in->complaint)
        ss[MXS_COMPLAINT] = NULL;
    for (int i = 0; i < SVCQ__MX_NSTR; i++) {
        if (ss[i] && *ss[i]) {
            const char *p = pool_str(m, ss[i], pooled[i], rc);
            if (!p)
                goto nomem;
            f->s[i] = pool_ix(p);
        }
    }
    f->nsla = (uint8_t)in->sla_count;
    for (uint32_t i = 0; i < in->sla_count; i++) {
        f->sla[i].target = pool_str(m, in->sla_targets[i], NULL, rc);
        if (!f->sla[i].target)
            goto nomem;
        f->sla[i].outcome = in->sla_outcomes[i];
    }
    f->received = in->received;
    f->contacts = in->contacts;
    f->agent_replies = in->agent_replies;
    f->customer_replies = in->customer_replies;
    f->csat = (int8_t)in->csat;
    f->complaint = (uint8_t)in->complaint;
    f->repeat = (uint8_t)in->repeat;
    f->measures_due = in->measures_due;
    f->measures_on_time = in->measures_on_time;
    if (in->reopened != SVCQ_METRICS_NO_TIME) {
        svcq_time deadline;
        *rc = svcq_calendar_add_days(&deadline, m->cal, in->resolved, m->fcr_days);
        if (*rc) {
            *rc = svcq__error_prefix(ctx, *rc, "fact \"%.60s\": reopen window", in->id);
            fact_free(m, f);
            return NULL;
        }
        f->reopened_soon = in->reopened <= deadline;
    }
    return f;
nomem:
    fact_free(m, f);
    *rc = svcq__enomem(ctx);
    return NULL;
}

typedef struct put_undo {
    svcq_metrics *m;
    svcq__mx_fact *old, *nf;
    svcq__mx_rollup **created;
    size_t ncreated;
    svcq__mx_rollup **touched;
    uint64_t *oldrev;
    size_t ntouched;
} put_undo;

static void revert(svcq_metrics *m, svcq__mx_fact *old, svcq__mx_fact *nf, svcq__mx_rollup **created, size_t ncreated)
{
    walk w = { .phase = PH_APPLY, .sign = -1, .undo = true };
    m->gen++;
    (void)walk_fact(m, &w, nf);
    uint64_t h = id_hash(svcq__mx_fid(nf), nf->idlen);
    size_t j = ft_find(m, h, svcq__mx_fid(nf), nf->idlen);
    if (old) {
        w.sign = 1;
        (void)walk_fact(m, &w, old);
        ft_set(m, j, h, old);
    } else {
        ft_remove(m, j);
    }
    for (size_t i = ncreated; i-- > 0;)
        rollup_drop(m, created[i]);
    fact_free(m, nf);
}

static void put_undo_fn(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    put_undo *u = data;
    for (size_t i = 0; i < u->ntouched; i++)
        u->touched[i]->revision = u->oldrev[i];
    revert(u->m, u->old, u->nf, u->created, u->ncreated);
    svcq__free(ctx, u->created);
    svcq__free(ctx, u->touched);
    svcq__free(ctx, u->oldrev);
    svcq__free(ctx, u);
}

static void put_release_fn(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    put_undo *u = data;
    fact_free(u->m, u->old);
    svcq__free(ctx, u->created);
    svcq__free(ctx, u->touched);
    svcq__free(ctx, u->oldrev);
    svcq__free(ctx, u);
}

static int persist(svcq_metrics *m, svcq__mx_fact *nf, walk *w)
{
    svcq__buf id, json;
    svcq__buf_init(&id, m->ctx);
    svcq__buf_init(&json, m->ctx);
    int rc = svcq__buf_printf(&id, "%s/%s", m->name, svcq__mx_fid(nf));
    if (!rc)
        rc = svcq__mx_fact_json(m, nf, &json);
    uint64_t rev = 0;
    if (!rc)
        rc = svcq__store_put(m->ctx, "metrics_fact", id.data, nf->revision, json.data, json.len, &rev);
    if (!rc)
        nf->revision = rev;
    for (size_t i = 0; !rc && i < w->ntouched; i++) {
        svcq__mx_rollup *r = w->touched[i];
        svcq__buf_truncate(&id, 0);
        svcq__buf_truncate(&json, 0);
        rc = svcq__mx_rollup_id(m, r, &id);
        if (!rc)
            rc = svcq__mx_tables(m, r);
        if (!rc)
            rc = svcq__mx_rollup_json(m, r, &json);
        if (!rc)
            rc = svcq__store_put(m->ctx, "metrics_rollup", id.data, r->revision, json.data, json.len, &rev);
        if (!rc)
            r->revision = rev;
    }
    if (rc == SVCQ_ENOMEM)
        svcq__enomem(m->ctx);
    else if (rc)
        rc = svcq__error_prefix(m->ctx, rc, "metrics %s: storing fact \"%.60s\"", m->name, svcq__mx_fid(nf));
    svcq__buf_free(&id);
    svcq__buf_free(&json);
    return rc;
}

int svcq_metrics_fact_put(svcq_metrics *m, const svcq_metrics_fact *fact)
{
    if (!m || !fact)
        return svcq__error(m ? m->ctx : NULL, SVCQ_EINVAL, "svcq_metrics_fact_put: NULL argument");
    svcq_ctx *ctx = m->ctx;
    /* The id's slot in the fact table is a cache miss on a big set: its
     * line is fetched while the fact is checked. */
    uint64_t idh = 0;
    if (fact->id && m->fcap) {
        idh = id_hash(fact->id, strnlen(fact->id, SVCQ_METRICS_MAX_STRING + 1));
        MX_PREFETCH(&m->fslots[ft_tag(idh) & (m->fcap - 1)]);
    }
    fact_in fi;
    int rc = check_fact(m, fact, &fi);
    if (rc)
        return rc;
    bool persist_on = (m->flags & SVCQ_METRICS_PERSIST) != 0;
    svcq__tx tx;
    if (persist_on) {
        if ((rc = svcq__tx_begin(ctx, &tx)))
            return rc;
        if ((rc = svcq__undo_reserve(ctx, 1)))
            return svcq__tx_end(ctx, &tx, rc);
    }
    svcq__mx_fact *nf = NULL, *old = NULL;
    walk w; /* made in full below, after the pending facts' path */
    w.created = NULL;
    w.touched = NULL;
    w.ncreated = 0;
    put_undo *u = NULL;
    /* One probe finds the fact or the slot for it; room first, so that the
     * slot stays valid (nothing else goes into the table until the apply). */
    if (!idh)
        idh = id_hash(fact->id, fi.idlen);
    /* The fact is made before the probe: the slot's cache miss, fetched
     * since the start, is then over. */
    if (!(nf = fact_build(m, fact, &fi, &rc)))
        goto fail;
    if ((rc = ft_reserve(m, m->fcount + 1)))
        goto nomem;
    size_t slot = ft_find(m, idh, fact->id, fi.idlen);
    old = svcq__mx_fact_at(m, slot);
    nf->revision = old ? old->revision : 0;
    if (!persist_on && (!old || old->pend)) {
        /* A new fact, or one still pending: kept, and added to the
         * rollups by svcq__mx_flush before a read. */
        /* Added in bounded batches: the facts of one batch are close in
         * memory, so that going through them in day order stays in cache. */
        if (!old && m->npend >= m->flush_at && (rc = svcq__mx_flush(m)))
            goto nomem;
        if (!old && m->npend == m->cappend) {
            size_t cap = m->cappend ? m->cappend * 2 : 1024;
            svcq__mx_fact **p = cap <= UINT32_MAX ? svcq__reallocarray(ctx, m->pend, cap, sizeof(*p)) : NULL;
            if (!p)
                goto nomem;
            m->pend = p;
            m->cappend = cap;
        }
        if (old) {
            nf->pend = old->pend;
            m->pend[old->pend - 1] = nf;
            fact_free(m, old);
        } else {
            m->fcount++;
            m->pend[m->npend++] = nf;
            nf->pend = (uint32_t)m->npend;
        }
        ft_set(m, slot, idh, nf);
        return SVCQ_OK;
    }
    /* A stored set has no pending facts but while it is loaded. */
    if (m->npend && (rc = svcq__mx_flush(m)))
        goto nomem;
    walk_init(&w, ++m->mark);
    if ((rc = walk_fact(m, &w, nf)) || (rc = reserve_prepared(m, &w, nf)))
        goto nomem;
    if (old) {
        w.phase = PH_OLD;
        if ((rc = walk_fact(m, &w, old)))
            goto nomem;
    }
    if (persist_on) {
        u = svcq__calloc(ctx, 1, sizeof(*u));
        if (!u || !(u->oldrev = svcq__malloc(ctx, (w.ntouched ? w.ntouched : 1) * sizeof(uint64_t))))
            goto nomem;
    }
    /* Apply: nothing below fails until the writes. */
    w.phase = PH_APPLY;
    m->gen++;
    if (old) {
        w.sign = -1;
        (void)walk_fact(m, &w, old);
    }
    w.sign = 1;
    apply_prepared(m, &w, nf);
    if (!old)
        m->fcount++;
    ft_set(m, slot, idh, nf);
    if (!persist_on) {
        fact_free(m, old);
        svcq__free(ctx, w.created);
        svcq__free(ctx, w.touched);
        return SVCQ_OK;
    }
    u->m = m;
    u->old = old;
    u->nf = nf;
    u->created = w.created;
    u->ncreated = w.ncreated;
    u->touched = w.touched;
    u->ntouched = w.ntouched;
    for (size_t i = 0; i < w.ntouched; i++)
        u->oldrev[i] = w.touched[i]->revision;
    (void)svcq__undo_push_for(ctx, m, put_undo_fn, put_release_fn, u, 0);
    rc = persist(m, nf, &w);
    return svcq__tx_end(ctx, &tx, rc);

nomem:
    rc = svcq__enomem(ctx);
fail:
    if (nf) {
        for (size_t i = w.ncreated; i-- > 0;)
            rollup_drop(m, w.created[i]);
        fact_free(m, nf);
    }
    if (u)
        svcq__free(ctx, u->oldrev);
    svcq__free(ctx, u);
    svcq__free(ctx, w.created);
    svcq__free(ctx, w.touched);
    return persist_on ? svcq__tx_end(ctx, &tx, rc) : rc;
}

/* ---- KPI values ------------------------------------------------------------ */

static bool higher_better(int32_t kpi)
{
    switch (kpi) {
    case SVCQ_METRICS_RESPONSE_MEAN:
    case SVCQ_METRICS_RESPONSE_MEDIAN:
    case SVCQ_METRICS_RESPONSE_P90:
    case SVCQ_METRICS_RESPONSE_BIZ_MEAN:
    case SVCQ_METRICS_RESPONSE_BIZ_MEDIAN:
    case SVCQ_METRICS_RESPONSE_BIZ_P90:
    case SVCQ_METRICS_COMPLAINT_RATE:
    case SVCQ_METRICS_RECURRENCE_RATE: return false;
    default: return true;
    }
}

int svcq__mx_value(svcq_metrics *m, const svcq__mx_rollup *r, int32_t kpi, const char *sla_target,
                   svcq_metrics_value *out)
{
    static const svcq__mx_rollup empty = { .tables_ok = true };
    if (!r)
        r = &empty;
    uint32_t version = out->version;
    memset(out, 0, sizeof(*out));
    out->version = version;
    out->kpi = kpi;
    int64_t num = 0, den = 0, excl = 0, scale = 100 * SVCQ_METRICS_SCALE;
    const svcq__mx_ctab *q = NULL;
    int64_t qn = 0, qd = 0;
    bool tables = kpi == SVCQ_METRICS_COMPLAINT_RATE || (kpi == SVCQ_METRICS_SLA_COMPLIANCE && sla_target) ||
                  (kpi >= SVCQ_METRICS_RESPONSE_MEDIAN && kpi <= SVCQ_METRICS_RESPONSE_P90) ||
                  kpi == SVCQ_METRICS_RESPONSE_BIZ_MEDIAN || kpi == SVCQ_METRICS_RESPONSE_BIZ_P90;
    if (tables && svcq__mx_tables(m, (svcq__mx_rollup *)(uintptr_t)r))
        return svcq__enomem(m->ctx);
    switch (kpi) {
    case SVCQ_METRICS_CSAT_SATISFIED: num = r->satisfied; den = r->rated; excl = r->unrated; break;
    case SVCQ_METRICS_CSAT_MEAN: num = r->csat_sum; den = r->rated; excl = r->unrated; scale = SVCQ_METRICS_SCALE; break;
    case SVCQ_METRICS_FCR: num = r->fcr[m->fcr_def]; den = r->resolved; break;
    case SVCQ_METRICS_RESPONSE_MEAN:
        num = r->resp_sum; den = r->responded; excl = r->raised - r->responded; scale = SVCQ_METRICS_SCALE; break;
    case SVCQ_METRICS_RESPONSE_BIZ_MEAN:
        num = r->resp_biz_sum; den = r->responded; excl = r->raised - r->responded; scale = SVCQ_METRICS_SCALE; break;
    case SVCQ_METRICS_RESPONSE_MEDIAN: q = &r->resp; qn = 1; qd = 2; break;
    case SVCQ_METRICS_RESPONSE_P90: q = &r->resp; qn = 9; qd = 10; break;
    case SVCQ_METRICS_RESPONSE_BIZ_MEDIAN: q = &r->resp_biz; qn = 1; qd = 2; break;
    case SVCQ_METRICS_RESPONSE_BIZ_P90: q = &r->resp_biz; qn = 9; qd = 10; break;
    case SVCQ_METRICS_RESOLUTION_RATE: num = r->resolved; den = r->raised; break;
    case SVCQ_METRICS_COMPLAINT_RATE: num = r->complaints; den = r->clients_distinct; break;
    case SVCQ_METRICS_RECURRENCE_RATE: num = r->repeats; den = r->raised; break;
    case SVCQ_METRICS_SLA_COMPLIANCE:
        if (sla_target) {
            const char *t = svcq__mx_pool_find(m, sla_target);
            if (t) {
                num = ct_get(&r->sla, (int64_t)(uintptr_t)t);
                den = num + ct_get(&r->sla, (int64_t)((uintptr_t)t | 1));
            }
        } else {
            num = r->sla_met;
            den = r->sla_decided;
        }
        break;
    case SVCQ_METRICS_MEASURES_ON_TIME: num = r->measures_on_time; den = r->measures_due; break;
    default: return svcq__error(m->ctx, SVCQ_EINVAL, "metrics %s: unknown KPI %d", m->name, (int)kpi);
    }
    if (q) {
        den = r->responded;
        excl = r->raised - r->responded;
        if (den > 0) {
            int rc = svcq__mx_quantile(m->ctx, q, den, qn, qd, &num);
            if (rc)
                return rc;
            out->value = num * SVCQ_METRICS_SCALE;
        }
    } else if (den > 0) {
        out->value = svcq__mx_ratio(num, den, scale);
    }
    out->numerator = num;
    out->denominator = den;
    out->excluded = excl;
    out->defined = den > 0;
    if (m->target_mask >> kpi & 1) {
        out->target = m->targets[kpi];
        if (!out->defined)
            out->target_state = SVCQ_METRICS_TARGET_NO_DATA;
        else if (higher_better(kpi) ? out->value >= out->target : out->value <= out->target)
            out->target_state = SVCQ_METRICS_TARGET_MET;
        else
            out->target_state = SVCQ_METRICS_TARGET_MISSED;
    }
    return SVCQ_OK;
}

static int lookup(svcq_metrics *m, int32_t period, svcq_time at, int32_t dim, const char *dim_value,
                  const svcq__mx_rollup **r)
{
    if (!svcq_metrics_period_name(period))
        return svcq__error(m->ctx, SVCQ_EINVAL, "metrics %s: unknown period kind %d", m->name, (int)period);
    if (!(m->periods >> period & 1))
        return svcq__error(m->ctx, SVCQ_EINVAL, "metrics %s: period %s is not rolled up", m->name,
                           svcq_metrics_period_name(period));
    if (!svcq_metrics_dim_name(dim))
        return svcq__error(m->ctx, SVCQ_EINVAL, "metrics %s: unknown dimension %d", m->name, (int)dim);
    if (!(m->dims >> dim & 1))
        return svcq__error(m->ctx, SVCQ_EINVAL, "metrics %s: dimension %s is not rolled up", m->name,
                           svcq_metrics_dim_name(dim));
    if (dim != SVCQ_METRICS_DIM_ALL && !(dim_value && *dim_value))
        return svcq__error(m->ctx, SVCQ_EINVAL, "metrics %s: dimension %s needs a value", m->name,
                           svcq_metrics_dim_name(dim));
    int rc = check_instant(m, at, "instant");
    if (rc)
        return rc;
    int64_t start = svcq__mx_period_start(period, svcq__mx_day(m, at));
    if (svcq__mx_derive(m, period, start))
        return svcq__enomem(m->ctx);
    *r = svcq__mx_find(m, period, start, dim, dim_value);
    return SVCQ_OK;
}

int svcq_metrics_kpi_get(svcq_metrics_value *out, svcq_metrics *m, int32_t kpi, int32_t period, svcq_time at, int32_t dim,
                     const char *dim_value)
{
    if (!out || !m)
        return svcq__error(m ? m->ctx : NULL, SVCQ_EINVAL, "svcq_metrics_kpi: NULL argument");
    if (out->version == 0 || out->version > SVCQ_METRICS_VALUE_VERSION)
        return svcq__error(m->ctx, SVCQ_EVERSION, "metrics %s: value version %u is not 1 to %u", m->name,
                           out->version, SVCQ_METRICS_VALUE_VERSION);
    if (!svcq_metrics_kpi_name(kpi))
        return svcq__error(m->ctx, SVCQ_EINVAL, "metrics %s: unknown KPI %d", m->name, (int)kpi);
    const svcq__mx_rollup *r;
    int rc = lookup(m, period, at, dim, dim_value, &r);
    if (rc)
        return rc;
    return svcq__mx_value(m, r, kpi, NULL, out);
}

int svcq_metrics_sla_compliance(svcq_metrics_value *out, svcq_metrics *m, int32_t period, svcq_time at, int32_t dim,
                                const char *dim_value, const char *target)
{
    if (!out || !m)
        return svcq__error(m ? m->ctx : NULL, SVCQ_EINVAL, "svcq_metrics_sla_compliance: NULL argument");
    if (out->version == 0 || out->version > SVCQ_METRICS_VALUE_VERSION)
        return svcq__error(m->ctx, SVCQ_EVERSION, "metrics %s: value version %u is not 1 to %u", m->name,
                           out->version, SVCQ_METRICS_VALUE_VERSION);
    const svcq__mx_rollup *r;
    int rc = lookup(m, period, at, dim, dim_value, &r);
    if (rc)
        return rc;
    return svcq__mx_value(m, r, SVCQ_METRICS_SLA_COMPLIANCE, target, out);
}

/* ---- loading (load.c) ------------------------------------------------------ */

int svcq__mx_put_loaded(svcq_metrics *m, const svcq_metrics_fact *fact, uint64_t revision)
{
    uint32_t flags = m->flags;
    m->flags &= ~SVCQ_METRICS_PERSIST; /* the record is stored already */
    int rc = svcq_metrics_fact_put(m, fact);
    m->flags = flags;
    if (rc)
        return rc;
    svcq__mx_fact *f = ft_get(m, fact->id, strlen(fact->id));
    f->revision = revision;
    return SVCQ_OK;
}

int svcq__mx_rollup_adopt(svcq_metrics *m, int32_t period, int64_t start, int32_t dim, const char *value,
                          svcq__mx_rollup **out)
{
    int rc = svcq__mx_flush(m);
    const char *v = NULL;
    if (rc || (dim != SVCQ_METRICS_DIM_ALL && !(v = pool_get(m, value, strlen(value), &rc))))
        return svcq__enomem(m->ctx);
    svcq__mx_rollup **created = NULL;
    size_t n = 0, cap = 0;
    rc = rollup_get(m, period, start, dim, v, out, &created, &n, &cap);
    svcq__free(m->ctx, created);
    return rc ? svcq__enomem(m->ctx) : SVCQ_OK;
}
