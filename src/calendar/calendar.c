/* Business calendars: configuration, the interval cache and the operations.
 *
 * How it is fast and exact
 * ------------------------
 * The calendar's rules (weekly intervals, dated exceptions, the zone) are
 * materialised per local year into a sorted list of disjoint business
 * intervals in UTC, each carrying `cum`, the business seconds before it
 * counted from an arbitrary origin. B(t), the business seconds before t, is
 * then one array lookup: a per-UTC-day index gives the first interval that
 * ends after the day starts, a step or two reaches t's interval, and B(t) is
 * its cum plus the part of it before t. diff(a, b) = B(b) - B(a); add finds
 * the first interval whose cumulated end reaches B(start) + duration through
 * a second index, per bucket of business time (about one bucket per
 * interval), and a step. A sentinel interval ends the list so that lookups
 * need no bounds checks. Nothing loops over days or minutes, and a day of 23
 * or 25 hours needs no special case: intervals are real UTC spans.
 *
 * The list covers a contiguous range of years (the "dense" span) that grows
 * on demand, by half its size at least. After the last table transition of the zone and the last dated
 * exception, business time is periodic with the 400-year Gregorian cycle
 * (146097 days = 20871 weeks; footer rules repeat with it too), so instants
 * far ahead are served from the per-year totals of one cycle and a small
 * "far" span of three years, and memory stays bounded.
 *
 * Local times map to instants by svcq__tz_cursor_resolve(): the earliest instant
 * whose wall-clock reading is at or after the local time. It is monotone, so
 * local intervals merged in local time convert into disjoint UTC intervals
 * in one forward pass over the zone's segments.
 *
 * The cache is filled by operations that look like queries, which is why
 * they take a non-const calendar: one calendar, one thread at a time. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "calendar/calendar_internal.h"
#include "calendar/civil.h"
#include "calendar/tz.h"
#include "core/core.h"
#include "store/store.h"

#define CAL_TMIN INT64_C(-2208988800) /* 1900-01-01T00:00:00Z */
#define CAL_TMAX INT64_C(253402300800) /* 10000-01-01T00:00:00Z */
#define CAL_YMIN 1900
#define CAL_YMAX 9999
/* One query may grow the dense span by this many years past its end... */
#define DENSE_STEP 16
/* ...and, past the regular year, not beyond this many years in all. */
#define DENSE_MAX_YEARS 512
#define CYCLE_YEARS 400

typedef struct ivl_list {
    int32_t *v; /* 2n values: start, end pairs sorted by start */
    uint32_t n;
} ivl_list;

typedef struct cal_date {
    int64_t day; /* day number */
    int32_t kind;
    int32_t like;
    ivl_list hours;
} cal_date;

typedef struct svcq__ivl {
    int64_t open, close, cum;
} svcq__ivl;

typedef struct span {
    int64_t q0;    /* the part of [t0, t1) within the supported range: */
    uint64_t qlen; /* [q0, q0 + qlen); qlen 0 when the span is empty */
    int64_t t0, t1;
    int64_t dbase; /* t0 rounded down to a UTC day */
    int64_t b0, b1; /* B(t0), B(t1) */
    uint32_t *day_first;
    uint32_t *bus_first; /* per bucket of business time, see span_make */
    svcq__ivl *iv;
    size_t n;
    uint32_t ndays;
    uint32_t bshift;
    int32_t y0, y1; /* local years [y0, y1) */
} span;

typedef struct ivec {
    svcq__ivl *v;
    size_t n, cap;
} ivec;

struct svcq_calendar {
    svcq_ctx *ctx;
    svcq_tz *tz;
    uint32_t flags;
    char *id;          /* store record, NULL until saved or loaded */
    uint64_t revision; /* of that record as last read or written */
    ivl_list week[7];
    cal_date *dates;
    size_t ndates, cap_dates;
    /* cache */
    span dense, far;
    int32_t cycle_ok;
    int32_t yh;        /* first year of the cycle */
    int64_t cyc_b0;    /* B(S_yh) */
    int64_t cyc_total; /* business seconds in one cycle */
    int64_t *cyc_prefix; /* CYCLE_YEARS + 1 entries */
};

static const char *const day_names[7] = { "Monday", "Tuesday", "Wednesday", "Thursday",
                                          "Friday", "Saturday", "Sunday" };

/* ---- small helpers ------------------------------------------------------ */

/* "calendar ID" or "calendar (zone NAME)" for messages. */
static const char *cal_label(const svcq_calendar *cal, char *buf, size_t size)
{
    if (cal->id)
        snprintf(buf, size, "calendar %s", cal->id);
    else
        snprintf(buf, size, "calendar (zone %s)", cal->tz->name[0] ? cal->tz->name : "unnamed");
    return buf;
}

const char *svcq__calendar_label(const svcq_calendar *cal, char *buf, size_t size)
{
    return cal_label(cal, buf, size);
}

/* An error of a calendar: the message starts with the calendar's name. */
static int cal_error(const svcq_calendar *cal, int code, const char *fmt, ...) SVCQ__PRINTF(3, 4);
static int cal_error(const svcq_calendar *cal, int code, const char *fmt, ...)
{
    char msg[SVCQ__ERRMSG_SIZE], who[SVCQ__ERRMSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return svcq__error(cal->ctx, code, "%s: %s", cal_label(cal, who, sizeof(who)), msg);
}


static int64_t utc_year(int64_t t)
{
    int64_t y;
    int32_t m, d;
    svcq__civil_from_days(svcq__floor_div(t, SVCQ__DAY), &y, &m, &d);
    return y;
}

static int64_t year_start_local(int64_t y)
{
    return svcq__days_from_civil(y, 1, 1) * SVCQ__DAY;
}

static void fmt_hm(char *buf, size_t size, int32_t s)
{
    if (s % 60)
        snprintf(buf, size, "%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, size, "%02d:%02d", s / 3600, s / 60 % 60);
}

/* ---- the cache ---------------------------------------------------------- */

static void span_free(svcq_ctx *ctx, span *sp)
{
    svcq__free(ctx, sp->day_first);
    svcq__free(ctx, sp->bus_first);
    svcq__free(ctx, sp->iv);
    memset(sp, 0, sizeof(*sp));
}

static void cache_clear(svcq_calendar *cal)
{
    span_free(cal->ctx, &cal->dense);
    span_free(cal->ctx, &cal->far);
    svcq__free(cal->ctx, cal->cyc_prefix);
    cal->cyc_prefix = NULL;
    cal->cycle_ok = 0;
}

static int ivec_push(svcq_ctx *ctx, ivec *v, int64_t open, int64_t close)
{
    if (v->n && v->v[v->n - 1].close == open) { /* touching: one interval */
        v->v[v->n - 1].close = close;
        return SVCQ_OK;
    }
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 64;
        svcq__ivl *nv = svcq__reallocarray(ctx, v->v, cap, sizeof(*nv));
        if (!nv)
            return svcq__enomem(ctx);
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n].open = open;
    v->v[v->n].close = close;
    v->v[v->n].cum = 0;
    v->n++;
    return SVCQ_OK;
}

/* The intervals that start on day number `day`. *di walks the sorted dates. */
static const ivl_list *day_hours(const svcq_calendar *cal, int64_t day, size_t *di)
{
    static const ivl_list none = { NULL, 0 };
    while (*di < cal->ndates && cal->dates[*di].day < day)
        (*di)++;
    if (*di < cal->ndates && cal->dates[*di].day == day) {
        const cal_date *d = &cal->dates[*di];
        if (d->kind == SVCQ_DATE_CLOSED)
            return &none;
        if (d->kind == SVCQ_DATE_LIKE)
            return &cal->week[d->like - 1];
        return &d->hours;
    }
    return &cal->week[svcq__weekday(day) - 1];
}

typedef struct builder {
    svcq_calendar *cal;
    ivec *out;
    svcq__tz_cursor cur;
    int64_t pa, pb; /* pending local interval; pa == pb: none */
} builder;

static int flush(builder *b)
{
    if (b->pa == b->pb)
        return SVCQ_OK;
    int64_t ua = svcq__tz_cursor_resolve(&b->cur, b->pa);
    int64_t ub = svcq__tz_cursor_resolve(&b->cur, b->pb);
    b->pa = b->pb = 0;
    if (ub <= ua) /* wholly inside a DST gap */
        return SVCQ_OK;
    return ivec_push(b->cal->ctx, b->out, ua, ub);
}

/* Appends to out the business intervals of local years [ya, yb) in UTC,
 * merged, and reports the instants S_ya and S_yb where those years start. */
static int build_years(svcq_calendar *cal, int64_t ya, int64_t yb, ivec *out, int64_t *s_a,
                       int64_t *s_b)
{
    int64_t da = svcq__days_from_civil(ya, 1, 1), db = svcq__days_from_civil(yb, 1, 1);
    int64_t la = da * SVCQ__DAY, lb = db * SVCQ__DAY;
    /* Reserve room for the most intervals these days can have, so the
     * build allocates once. */
    uint32_t most = 0;
    for (int i = 0; i < 7; i++)
        if (cal->week[i].n > most)
            most = cal->week[i].n;
    for (size_t i = 0; i < cal->ndates; i++)
        if (cal->dates[i].hours.n > most)
            most = cal->dates[i].hours.n;
    size_t need = out->n + (size_t)(db - da + 1) * most + 1;
    if (need > out->cap) {
        svcq__ivl *nv = svcq__reallocarray(cal->ctx, out->v, need, sizeof(*nv));
        if (!nv)
            return svcq__enomem(cal->ctx);
        out->v = nv;
        out->cap = need;
    }
    builder b = { cal, out, { 0 }, 0, 0 };
    svcq__tz_cursor_init(&b.cur, cal->tz, la - 2 * SVCQ__DAY);
    *s_a = svcq__tz_cursor_resolve(&b.cur, la);
    size_t di = 0;
    /* First date at or after the day before ya. */
    size_t lo = 0, hi = cal->ndates;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->dates[mid].day < da - 1)
            lo = mid + 1;
        else
            hi = mid;
    }
    di = lo;
    for (int64_t day = da - 1; day < db; day++) {
        const ivl_list *l = day_hours(cal, day, &di);
        for (uint32_t k = 0; k < l->n; k++) {
            int64_t a = day * SVCQ__DAY + l->v[2 * k], e = day * SVCQ__DAY + l->v[2 * k + 1];
            if (a < la)
                a = la;
            if (e > lb)
                e = lb;
            if (e <= a)
                continue;
            if (b.pa != b.pb && a <= b.pb) { /* overlaps or touches: union */
                if (e > b.pb)
                    b.pb = e;
                continue;
            }
            int rc = flush(&b);
            if (rc)
                return rc;
            b.pa = a;
            b.pb = e;
        }
    }
    int rc = flush(&b);
    if (rc)
        return rc;
    *s_b = svcq__tz_cursor_resolve(&b.cur, lb);
    return SVCQ_OK;
}

/* Makes a span of years [ya, yb) from intervals iv (taken over) with
 * B(t0) = b0. A sentinel {t1, t1, b1} follows the intervals, so lookups need
 * no bounds checks. */
static int span_make(svcq_ctx *ctx, span *sp, int32_t ya, int32_t yb, int64_t t0, int64_t t1,
                     ivec *iv, int64_t b0)
{
    if (iv->n == iv->cap) {
        svcq__ivl *nv = svcq__reallocarray(ctx, iv->v, iv->n + 1, sizeof(*nv));
        if (!nv)
            return svcq__enomem(ctx);
        iv->v = nv;
        iv->cap = iv->n + 1;
    }
    int64_t dbase = svcq__floor_div(t0, SVCQ__DAY) * SVCQ__DAY;
    uint64_t nd = (uint64_t)(t1 - 1 - dbase) / SVCQ__DAY + 1;
    int64_t cum = b0;
    for (size_t i = 0; i < iv->n; i++) {
        iv->v[i].cum = cum;
        cum += iv->v[i].close - iv->v[i].open;
    }
    iv->v[iv->n].open = iv->v[iv->n].close = t1;
    iv->v[iv->n].cum = cum;
    /* Buckets of 2^bshift business seconds, about one per interval:
     * bus_first[k] is the first interval whose cumulated end reaches
     * b0 + k * 2^bshift + 1, so the interval where a target v is reached lies
     * between bus_first[k] and bus_first[k + 1] for k = (v - b0 - 1) >> bshift. */
    uint32_t bshift = 10;
    while (bshift < 62 && ((uint64_t)(cum - b0) >> bshift) > iv->n)
        bshift++;
    uint64_t nb = ((uint64_t)(cum - b0) >> bshift) + 2;
    uint32_t *df = svcq__calloc(ctx, (size_t)nd, sizeof(*df));
    uint32_t *bf = svcq__calloc(ctx, (size_t)nb, sizeof(*bf));
    if (!df || !bf) {
        svcq__free(ctx, df);
        svcq__free(ctx, bf);
        return svcq__enomem(ctx);
    }
    size_t i = 0;
    for (uint64_t u = 0; u < nd; u++) {
        int64_t ds = dbase + (int64_t)u * SVCQ__DAY;
        while (i < iv->n && iv->v[i].close <= ds)
            i++;
        df[u] = (uint32_t)i;
    }
    i = 0;
    for (uint64_t k = 0; k < nb; k++) {
        int64_t bv = b0 + (int64_t)(k << bshift) + 1;
        while (i < iv->n && iv->v[i].cum + (iv->v[i].close - iv->v[i].open) < bv)
            i++;
        bf[k] = (uint32_t)i;
    }
    sp->q0 = t0 > CAL_TMIN ? t0 : CAL_TMIN;
    sp->qlen = (uint64_t)((t1 < CAL_TMAX ? t1 : CAL_TMAX) - sp->q0);
    sp->t0 = t0;
    sp->t1 = t1;
    sp->dbase = dbase;
    sp->b0 = b0;
    sp->b1 = cum;
    sp->day_first = df;
    sp->bus_first = bf;
    sp->bshift = bshift;
    sp->iv = iv->v;
    sp->n = iv->n;
    sp->ndays = (uint32_t)nd;
    sp->y0 = ya;
    sp->y1 = yb;
    iv->v = NULL;
    iv->n = iv->cap = 0;
    return SVCQ_OK;
}

static int64_t ivec_total(const ivec *v)
{
    int64_t s = 0;
    for (size_t i = 0; i < v->n; i++)
        s += v->v[i].close - v->v[i].open;
    return s;
}

/* Builds a fresh span of years [ya, yb) with B(S_ya) = b0 into *sp
 * (replacing what it held only on success). */
static int span_build(svcq_calendar *cal, span *sp, int32_t ya, int32_t yb, int64_t b0)
{
    ivec v = { 0 };
    int64_t t0, t1;
    int rc = build_years(cal, ya, yb, &v, &t0, &t1);
    span nsp;
    if (rc == SVCQ_OK)
        rc = span_make(cal->ctx, &nsp, ya, yb, t0, t1, &v, b0);
    svcq__free(cal->ctx, v.v);
    if (rc)
        return rc;
    span_free(cal->ctx, sp);
    *sp = nsp;
    return SVCQ_OK;
}

/* Grows the dense span to years [ya, yb) ⊇ its current years, keeping
 * every B value it already gives. */
static int dense_extend(svcq_calendar *cal, int32_t ya, int32_t yb)
{
    span *d = &cal->dense;
    svcq_ctx *ctx = cal->ctx;
    if (!d->qlen)
        return span_build(cal, d, ya, yb, 0);
    ivec pre = { 0 }, post = { 0 }, all = { 0 };
    int64_t t0 = d->t0, t1 = d->t1, x;
    int rc = SVCQ_OK;
    if (ya < d->y0)
        rc = build_years(cal, ya, d->y0, &pre, &t0, &x);
    if (rc == SVCQ_OK && yb > d->y1)
        rc = build_years(cal, d->y1, yb, &post, &x, &t1);
    size_t cap = pre.n + d->n + post.n + 1; /* and the sentinel */
    if (rc == SVCQ_OK) {
        all.v = svcq__reallocarray(ctx, NULL, cap, sizeof(svcq__ivl));
        if (!all.v)
            rc = svcq__enomem(ctx);
        all.cap = cap;
    }
    if (rc == SVCQ_OK) {
        /* ivec_push cannot fail: all has room for every interval. */
        for (size_t i = 0; i < pre.n; i++)
            (void)ivec_push(ctx, &all, pre.v[i].open, pre.v[i].close);
        for (size_t i = 0; i < d->n; i++)
            (void)ivec_push(ctx, &all, d->iv[i].open, d->iv[i].close);
        for (size_t i = 0; i < post.n; i++)
            (void)ivec_push(ctx, &all, post.v[i].open, post.v[i].close);
        span nsp;
        rc = span_make(ctx, &nsp, ya < d->y0 ? ya : d->y0, yb > d->y1 ? yb : d->y1, t0, t1, &all,
                       d->b0 - ivec_total(&pre));
        if (rc == SVCQ_OK) {
            span_free(ctx, d);
            *d = nsp;
        }
    }
    svcq__free(ctx, pre.v);
    svcq__free(ctx, post.v);
    svcq__free(ctx, all.v);
    return rc;
}

/* The first year from which business time repeats with the 400-year cycle:
 * after the zone's last table transition and the last dated exception. */
static int32_t regular_year(const svcq_calendar *cal)
{
    int64_t y = CAL_YMIN;
    const svcq_tz *z = cal->tz;
    if (z->ntrans) {
        int64_t last = z->trans[z->ntrans - 1];
        int64_t ty = last >= CAL_TMAX ? CAL_YMAX + 2 : last < CAL_TMIN ? CAL_YMIN : utc_year(last);
        if (ty + 2 > y)
            y = ty + 2;
    }
    if (cal->ndates) {
        int64_t dy, yy;
        int32_t m, d;
        svcq__civil_from_days(cal->dates[cal->ndates - 1].day, &yy, &m, &d);
        dy = yy + 2;
        if (dy > y)
            y = dy;
    }
    return (int32_t)y;
}

/* The first interval that ends after t (the sentinel when none does);
 * t within the span. */
static inline const svcq__ivl *span_locate(const span *sp, int64_t t)
{
    const svcq__ivl *iv = sp->iv + sp->day_first[((uint64_t)t - (uint64_t)sp->dbase) / SVCQ__DAY];
    /* One step without a branch covers days with one interval; days with
     * several may need more. */
    iv += iv->close <= t;
    while (SVCQ__UNLIKELY(iv->close <= t))
        iv++;
    return iv;
}

/* Business seconds before t in interval iv and those before it. */
static inline int64_t ivl_B(const svcq__ivl *iv, int64_t t)
{
    int64_t x = t - iv->open;
    return iv->cum + (x > 0 ? x : 0);
}

static inline int64_t span_B(const span *sp, int64_t t)
{
    return ivl_B(span_locate(sp, t), t);
}

/* Whether t is in the span and in the supported range. */
static inline bool span_has(const span *sp, int64_t t)
{
    return (uint64_t)t - (uint64_t)sp->q0 < sp->qlen;
}

/* The first interval whose cumulated end reaches v, for b0 < v <= b1. */
static inline const svcq__ivl *span_find(const span *sp, int64_t v)
{
    uint64_t k = (uint64_t)(v - sp->b0 - 1) >> sp->bshift;
    const svcq__ivl *iv = sp->iv + sp->bus_first[k];
    iv += iv->cum + (iv->close - iv->open) < v;
    if (SVCQ__LIKELY(iv->cum + (iv->close - iv->open) >= v))
        return iv;
    size_t lo = (size_t)(iv - sp->iv), hi = sp->bus_first[k + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sp->iv[mid].cum + (sp->iv[mid].close - sp->iv[mid].open) >= v)
            hi = mid;
        else
            lo = mid + 1;
    }
    return sp->iv + lo;
}

/* Weekday of January 1 (1..7) and leapness: 4 bits. */
static uint32_t year_type(int64_t y)
{
    return (uint32_t)svcq__weekday(svcq__days_from_civil(y, 1, 1)) << 1 | (uint32_t)svcq__is_leap(y);
}

static int ensure_cycle(svcq_calendar *cal)
{
    if (cal->cycle_ok)
        return SVCQ_OK;
    svcq_ctx *ctx = cal->ctx;
    span *d = &cal->dense;
    int32_t yh = regular_year(cal);
    if (yh < d->y0)
        yh = d->y0;
    if (yh >= d->y1) {
        int rc = dense_extend(cal, d->y0, yh + 1);
        if (rc)
            return rc;
    }
    int64_t *prefix = svcq__calloc(ctx, CYCLE_YEARS + 1, sizeof(*prefix));
    if (!prefix)
        return svcq__enomem(ctx);
    /* In regular years the business total of year y depends only on the
     * "types" (weekday of January 1, leap or not) of years y-2 to y+1: the
     * weekly hours of the days Dec 31 (y-1) to Dec 31 y follow from type(y),
     * and the zone's offsets around the year from the footer rule's events of
     * years y-2 to y+1 (an event lies within 7 days of its year; y-2's are
     * always before the year's window, y+2's after it), each at a fixed
     * place in its year given its type. Years with equal keys are the same
     * year shifted by whole days, so each distinct key (a few dozen in 400
     * years) is materialised once. */
    uint32_t keys[CYCLE_YEARS];
    int64_t totals[CYCLE_YEARS];
    size_t nk = 0;
    ivec v = { 0 };
    int rc = SVCQ_OK;
    for (int32_t i = 0; i < CYCLE_YEARS && rc == SVCQ_OK; i++) {
        int64_t y = (int64_t)yh + i;
        uint32_t key = year_type(y - 2) | year_type(y - 1) << 4 | year_type(y) << 8 |
                       year_type(y + 1) << 12;
        size_t k = 0;
        while (k < nk && keys[k] != key)
            k++;
        if (k == nk) {
            int64_t a, b;
            v.n = 0;
            rc = build_years(cal, y, y + 1, &v, &a, &b);
            keys[nk] = key;
            totals[nk++] = ivec_total(&v);
        }
        prefix[i + 1] = prefix[i] + totals[k];
    }
    svcq__free(ctx, v.v);
    if (rc) {
        svcq__free(ctx, prefix);
        return rc;
    }
    cal->yh = yh;
    cal->cyc_b0 = span_B(d, svcq__tz_resolve(cal->tz, year_start_local(yh)));
    cal->cyc_total = prefix[CYCLE_YEARS];
    cal->cyc_prefix = prefix;
    cal->cycle_ok = 1;
    return SVCQ_OK;
}

/* B(S_y) for a year y >= yh (the cycle must be ready). */
static int64_t cycle_year_start(const svcq_calendar *cal, int32_t y)
{
    int32_t k = y - cal->yh;
    return cal->cyc_b0 + (int64_t)(k / CYCLE_YEARS) * cal->cyc_total +
           cal->cyc_prefix[k % CYCLE_YEARS];
}

/* A span holding the local years [ya, yb). */
static int ensure_years(svcq_calendar *cal, int32_t ya, int32_t yb, span **out)
{
    span *d = &cal->dense;
    if (!d->qlen) {
        /* The dense span starts where it is asked for, except far in the
         * regular years: there it starts at the regular year, so that it
         * stays near the present and far years use the cycle. */
        int32_t reg = regular_year(cal);
        bool far = ya > reg + 8;
        int rc = span_build(cal, d, far ? reg - 1 : ya, far ? reg + 2 : yb, 0);
        if (rc || !far) {
            *out = d;
            return rc;
        }
    }
    if (ya >= d->y0 && yb <= d->y1) {
        *out = d;
        return SVCQ_OK;
    }
    if (cal->far.qlen && ya >= cal->far.y0 && yb <= cal->far.y1) {
        *out = &cal->far;
        return SVCQ_OK;
    }
    int32_t lo = ya < d->y0 ? ya : d->y0, hi = yb > d->y1 ? yb : d->y1;
    /* Years below the dense ones and a few above are added to it; years
     * far above it go to the far span (the cycle needs ya >= yh, and yh is
     * always below the dense span's end). */
    int32_t limit = d->y1 + DENSE_STEP;
    if (limit > d->y0 + DENSE_MAX_YEARS)
        limit = d->y0 + DENSE_MAX_YEARS;
    if (limit < regular_year(cal) + 8)
        limit = regular_year(cal) + 8;
    if (hi <= limit || ya < d->y1) {
        /* Grow by half the current size at least, so that walking year by
         * year costs O(n log n), not O(n^2). */
        int32_t grow = (d->y1 - d->y0) / 2;
        if (grow < 2)
            grow = 2;
        if (hi > d->y1 && hi < d->y1 + grow)
            hi = d->y1 + grow < limit ? d->y1 + grow : limit > hi ? limit : hi;
        if (lo < d->y0 && lo > d->y0 - grow)
            lo = d->y0 - grow;
        if (lo < CAL_YMIN - 1)
            lo = CAL_YMIN - 1;
        if (hi > CAL_YMAX + 2)
            hi = CAL_YMAX + 2;
        int rc = dense_extend(cal, lo, hi);
        *out = &cal->dense;
        return rc;
    }
    int rc = ensure_cycle(cal);
    if (rc)
        return rc;
    rc = span_build(cal, &cal->far, ya, yb, cycle_year_start(cal, ya));
    *out = &cal->far;
    return rc;
}

/* A span containing the instant t (within the supported range). */
static int span_at(svcq_calendar *cal, int64_t t, span **out)
{
    if (span_has(&cal->dense, t)) {
        *out = &cal->dense;
        return SVCQ_OK;
    }
    if (span_has(&cal->far, t)) {
        *out = &cal->far;
        return SVCQ_OK;
    }
    /* The local year of t is within one of its UTC year. */
    int32_t y = (int32_t)utc_year(t);
    return ensure_years(cal, y - 1, y + 2, out);
}

static bool in_range(int64_t t)
{
    return t >= CAL_TMIN && t < CAL_TMAX;
}

static int range_error(svcq_calendar *cal, int64_t t)
{
    return cal_error(cal, SVCQ_ERANGE, "instant %lld is outside the calendar range [1900-01-01, "
                                      "10000-01-01)",
                     (long long)t);
}

/* ---- configuration ------------------------------------------------------ */

int svcq_calendar_options_init(svcq_calendar_options *opts, uint32_t version)
{
    return svcq__table_init(opts, sizeof(*opts), version, SVCQ_CALENDAR_OPTIONS_VERSION);
}

static int check_options(svcq_ctx *ctx, const char *who, const svcq_calendar_options *o,
                         uint32_t *flags)
{
    if (!o) {
        *flags = 0;
        return SVCQ_OK;
    }
    if (o->version == 0 || o->version > SVCQ_CALENDAR_OPTIONS_VERSION)
        return svcq__error(ctx, SVCQ_EVERSION, "%s: options version %u is not supported",
                        who, o->version);
    if (o->flags & ~SVCQ_CALENDAR_RT_NEXT_OPENING)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: unknown option flags 0x%x", who, o->flags);
    for (int i = 0; i < 4; i++)
        if (o->reserved[i])
            return svcq__error(ctx, SVCQ_EINVAL, "%s: options: reserved fields must be zero", who);
    *flags = o->flags;
    return SVCQ_OK;
}

static void list_free(svcq_ctx *ctx, ivl_list *l)
{
    svcq__free(ctx, l->v);
    l->v = NULL;
    l->n = 0;
}

static void cal_destroy(svcq_calendar *cal)
{
    svcq_ctx *ctx = cal->ctx;
    /* A save or delete inside a batch left undo entries that restore this
     * handle's id and revision: from now on they only release. */
    svcq__undo_detach(ctx, cal);
    cache_clear(cal);
    for (int i = 0; i < 7; i++)
        list_free(ctx, &cal->week[i]);
    for (size_t i = 0; i < cal->ndates; i++)
        list_free(ctx, &cal->dates[i].hours);
    svcq__free(ctx, cal->dates);
    svcq__free(ctx, cal->id);
    svcq_tz_free(cal->tz);
    svcq__free(ctx, cal);
}

void svcq_calendar_free(svcq_calendar *cal)
{
    if (cal)
        cal_destroy(cal);
}

int svcq_calendar_new(svcq_calendar **out, svcq_ctx *ctx, const svcq_tz *tz,
                      const svcq_calendar_options *opts)
{
    if (out)
        *out = NULL;
    if (!out || !ctx || !tz)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_calendar_new: NULL argument");
    uint32_t flags = 0;
    char who[SVCQ__ERRMSG_SIZE];
    snprintf(who, sizeof(who), "new calendar (zone %s)", tz->name[0] ? tz->name : "unnamed");
    int rc = check_options(ctx, who, opts, &flags);
    if (rc)
        return rc;
    svcq_calendar *cal = svcq__calloc(ctx, 1, sizeof(*cal));
    if (!cal)
        return svcq__enomem(ctx);
    cal->ctx = ctx;
    cal->flags = flags;
    rc = svcq__tz_clone(ctx, tz, &cal->tz);
    if (rc) {
        svcq__free(ctx, cal);
        return rc;
    }
    *out = cal;
    return SVCQ_OK;
}

static int list_copy(svcq_ctx *ctx, const ivl_list *src, ivl_list *dst)
{
    dst->v = NULL;
    dst->n = 0;
    if (!src->n)
        return SVCQ_OK;
    dst->v = svcq__reallocarray(ctx, NULL, (size_t)src->n * 2, sizeof(int32_t));
    if (!dst->v)
        return svcq__enomem(ctx);
    memcpy(dst->v, src->v, (size_t)src->n * 2 * sizeof(int32_t));
    dst->n = src->n;
    return SVCQ_OK;
}

int svcq_calendar_new_24x7(svcq_calendar **out, svcq_ctx *ctx)
{
    if (out)
        *out = NULL;
    if (!out || !ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_calendar_new_24x7: NULL argument");
    svcq_tz *utc;
    int rc = svcq_tz_fixed(&utc, ctx, 0);
    if (rc)
        return rc;
    svcq_calendar *cal;
    rc = svcq_calendar_new(&cal, ctx, utc, NULL);
    svcq_tz_free(utc);
    if (rc)
        return rc;
    int32_t all_day[2] = { 0, SVCQ__DAY };
    const ivl_list l = { all_day, 1 };
    for (int i = 0; i < 7; i++) {
        rc = list_copy(ctx, &l, &cal->week[i]);
        if (rc) {
            cal_destroy(cal);
            return rc;
        }
    }
    *out = cal;
    return SVCQ_OK;
}

int svcq_calendar_copy(svcq_calendar **out, svcq_ctx *ctx, const svcq_calendar *cal)
{
    if (out)
        *out = NULL;
    if (!out || !ctx || !cal)
        return svcq__error(ctx ? ctx : cal ? cal->ctx : NULL, SVCQ_EINVAL,
                           "svcq_calendar_copy: NULL %s", !out ? "out" : !ctx ? "ctx" : "calendar");
    /* Everything the copy holds is allocated on ctx (the zone too), so it
     * does not depend on the source's context, which may be freed first. */
    svcq_calendar *c;
    svcq_calendar_options o = { SVCQ_CALENDAR_OPTIONS_VERSION, cal->flags, { 0 } };
    int rc = svcq_calendar_new(&c, ctx, cal->tz, &o);
    if (rc)
        return rc;
    for (int i = 0; i < 7 && rc == SVCQ_OK; i++)
        rc = list_copy(ctx, &cal->week[i], &c->week[i]);
    if (rc == SVCQ_OK && cal->ndates) {
        c->dates = svcq__calloc(ctx, cal->ndates, sizeof(cal_date));
        if (!c->dates)
            rc = svcq__enomem(ctx);
        else
            c->cap_dates = cal->ndates;
        for (size_t i = 0; i < cal->ndates && rc == SVCQ_OK; i++) {
            c->dates[i] = cal->dates[i];
            rc = list_copy(ctx, &cal->dates[i].hours, &c->dates[i].hours);
            c->ndates = i + 1;
        }
    }
    if (rc) {
        cal_destroy(c);
        return rc;
    }
    *out = c;
    return SVCQ_OK;
}

int svcq_calendar_set_options(svcq_calendar *cal, const svcq_calendar_options *opts)
{
    if (!cal)
        return SVCQ_EINVAL;
    uint32_t flags = 0;
    char who[SVCQ__ERRMSG_SIZE];
    int rc = check_options(cal->ctx, cal_label(cal, who, sizeof(who)), opts, &flags);
    if (rc)
        return rc;
    cal->flags = flags;
    return SVCQ_OK;
}

int svcq_calendar_get_options(svcq_calendar_options *out, const svcq_calendar *cal)
{
    if (!cal)
        return SVCQ_EINVAL; /* no context to write to */
    if (!out)
        return cal_error(cal, SVCQ_EINVAL, "svcq_calendar_get_options: NULL out");
    memset(out, 0, sizeof(*out));
    out->version = SVCQ_CALENDAR_OPTIONS_VERSION;
    out->flags = cal->flags;
    return SVCQ_OK;
}

svcq_ctx *svcq__calendar_ctx(const svcq_calendar *cal)
{
    return cal->ctx;
}

char **svcq__calendar_id_slot(svcq_calendar *cal)
{
    return &cal->id;
}

uint64_t *svcq__calendar_revision_slot(svcq_calendar *cal)
{
    return &cal->revision;
}

const char *svcq__calendar_id_of(const svcq_calendar *cal)
{
    return cal->id;
}

uint64_t svcq__calendar_revision_of(const svcq_calendar *cal)
{
    return cal->revision;
}

const svcq_tz *svcq_calendar_tz(const svcq_calendar *cal)
{
    return cal ? cal->tz : NULL;
}

/* Validates count (start, end) pairs and returns a sorted copy in *out
 * (NULL for none). `what` names the list in messages. */
static int check_list(svcq_ctx *ctx, const char *what, const int32_t *v, size_t count,
                      ivl_list *out)
{
    out->v = NULL;
    out->n = 0;
    if (count > SVCQ_CALENDAR_MAX_INTERVALS)
        return svcq__error(ctx, SVCQ_ELIMIT, "%s: %zu intervals (at most %d)", what, count,
                        SVCQ_CALENDAR_MAX_INTERVALS);
    if (count == 0)
        return SVCQ_OK;
    if (!v)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: NULL intervals", what);
    char a[16], b[16], c[16], d[16];
    for (size_t i = 0; i < count; i++) {
        int32_t s = v[2 * i], e = v[2 * i + 1];
        if (s < 0 || s >= SVCQ__DAY)
            return svcq__error(ctx, SVCQ_EINVAL,
                            "%s: interval %zu starts at %d s, outside the day [0, 86400)", what,
                            i, s);
        if (e <= s)
            return svcq__error(ctx, SVCQ_EINVAL,
                            "%s: interval %zu (%d to %d s) is reversed or empty; write an "
                            "interval crossing midnight with an end past 86400",
                            what, i, s, e);
        if (e - s > SVCQ__DAY)
            return svcq__error(ctx, SVCQ_EINVAL, "%s: interval %zu is longer than 24 hours", what,
                            i);
    }
    int32_t *c2 = svcq__reallocarray(ctx, NULL, count * 2, sizeof(int32_t));
    if (!c2)
        return svcq__enomem(ctx);
    memcpy(c2, v, count * 2 * sizeof(int32_t));
    for (size_t i = 1; i < count; i++) { /* insertion sort by start */
        int32_t s = c2[2 * i], e = c2[2 * i + 1];
        size_t j = i;
        while (j > 0 && c2[2 * (j - 1)] > s) {
            c2[2 * j] = c2[2 * (j - 1)];
            c2[2 * j + 1] = c2[2 * (j - 1) + 1];
            j--;
        }
        c2[2 * j] = s;
        c2[2 * j + 1] = e;
    }
    for (size_t i = 1; i < count; i++) {
        if (c2[2 * i] < c2[2 * i - 1]) {
            fmt_hm(a, sizeof(a), c2[2 * i - 2]);
            fmt_hm(b, sizeof(b), c2[2 * i - 1]);
            fmt_hm(c, sizeof(c), c2[2 * i]);
            fmt_hm(d, sizeof(d), c2[2 * i + 1]);
            svcq__free(ctx, c2);
            return svcq__error(ctx, SVCQ_EINVAL, "%s: intervals %s-%s and %s-%s overlap", what, a,
                            b, c, d);
        }
    }
    out->v = c2;
    out->n = (uint32_t)count;
    return SVCQ_OK;
}

typedef struct wk_ivl {
    int32_t s, e; /* seconds of the week from Monday 00:00 */
    int32_t day;
} wk_ivl;

/* The whole week, with `day` replaced by `repl`, must not overlap. */
static int check_week(svcq_ctx *ctx, const svcq_calendar *cal, int32_t day, const ivl_list *repl)
{
    wk_ivl w[7 * SVCQ_CALENDAR_MAX_INTERVALS];
    size_t n = 0;
    for (int32_t i = 0; i < 7; i++) {
        const ivl_list *l = i == day ? repl : &cal->week[i];
        for (uint32_t k = 0; k < l->n; k++) {
            wk_ivl x = { i * SVCQ__DAY + l->v[2 * k], i * SVCQ__DAY + l->v[2 * k + 1], i };
            size_t j = n++;
            while (j > 0 && w[j - 1].s > x.s) {
                w[j] = w[j - 1];
                j--;
            }
            w[j] = x;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const wk_ivl *p = &w[i], *q = &w[(i + 1) % n];
        int32_t qs = i + 1 < n ? q->s : q->s + 7 * SVCQ__DAY;
        if (n > 1 && p->e > qs) {
            char a[16], b[16], c[16], d[16];
            fmt_hm(a, sizeof(a), p->s - p->day * SVCQ__DAY);
            fmt_hm(b, sizeof(b), p->e - p->day * SVCQ__DAY);
            fmt_hm(c, sizeof(c), q->s - q->day * SVCQ__DAY);
            fmt_hm(d, sizeof(d), q->e - q->day * SVCQ__DAY);
            return cal_error(cal, SVCQ_EINVAL,
                            "weekly hours overlap: %s %s-%s runs into %s %s-%s", day_names[p->day],
                            a, b, day_names[q->day], c, d);
        }
    }
    return SVCQ_OK;
}

int svcq_calendar_set_weekday(svcq_calendar *cal, int32_t weekday, const int32_t *intervals,
                              size_t count)
{
    if (!cal)
        return SVCQ_EINVAL;
    if (weekday < 1 || weekday > 7)
        return cal_error(cal, SVCQ_EINVAL, "weekday %d is not 1 (Monday) to 7 (Sunday)",
                        weekday);
    ivl_list l;
    char what[SVCQ__ERRMSG_SIZE + 64], who[SVCQ__ERRMSG_SIZE];
    snprintf(what, sizeof(what), "%s, %s", cal_label(cal, who, sizeof(who)), day_names[weekday - 1]);
    int rc = check_list(cal->ctx, what, intervals, count, &l);
    if (rc)
        return rc;
    rc = check_week(cal->ctx, cal, weekday - 1, &l);
    if (rc) {
        list_free(cal->ctx, &l);
        return rc;
    }
    list_free(cal->ctx, &cal->week[weekday - 1]);
    cal->week[weekday - 1] = l;
    cache_clear(cal);
    return SVCQ_OK;
}

int svcq_calendar_get_weekday(const int32_t **intervals, size_t *count, const svcq_calendar *cal,
                              int32_t weekday)
{
    if (!cal)
        return SVCQ_EINVAL; /* no context to write to */
    if (!intervals || !count)
        return cal_error(cal, SVCQ_EINVAL, "svcq_calendar_get_weekday: NULL output");
    if (weekday < 1 || weekday > 7)
        return cal_error(cal, SVCQ_EINVAL, "weekday %d is not 1 (Monday) to 7 (Sunday)", weekday);
    *intervals = cal->week[weekday - 1].v;
    *count = cal->week[weekday - 1].n;
    return SVCQ_OK;
}

static int date_check(svcq_calendar *cal, int32_t y, int32_t m, int32_t d, int64_t *day)
{
    if (!svcq__valid_date(y, m, d, CAL_YMIN, CAL_YMAX))
        return cal_error(cal, SVCQ_EINVAL,
                        "impossible date %d-%02d-%02d (years 1900 to 9999)", y, m, d);
    *day = svcq__days_from_civil(y, m, d);
    return SVCQ_OK;
}

static size_t date_find(const svcq_calendar *cal, int64_t day)
{
    size_t lo = 0, hi = cal->ndates;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->dates[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Sets the exception on `day`; takes over `hours` on success only. */
static int date_set(svcq_calendar *cal, int64_t day, int32_t kind, int32_t like, ivl_list *hours)
{
    size_t i = date_find(cal, day);
    bool exists = i < cal->ndates && cal->dates[i].day == day;
    if (!exists) {
        if (cal->ndates >= SVCQ_CALENDAR_MAX_DATES)
            return cal_error(cal, SVCQ_ELIMIT, "more than %d dated exceptions",
                            SVCQ_CALENDAR_MAX_DATES);
        if (cal->ndates == cal->cap_dates) {
            size_t cap = cal->cap_dates ? cal->cap_dates * 2 : 16;
            cal_date *nd = svcq__reallocarray(cal->ctx, cal->dates, cap, sizeof(*nd));
            if (!nd)
                return svcq__enomem(cal->ctx);
            cal->dates = nd;
            cal->cap_dates = cap;
        }
        memmove(&cal->dates[i + 1], &cal->dates[i], (cal->ndates - i) * sizeof(cal_date));
        cal->ndates++;
    } else {
        list_free(cal->ctx, &cal->dates[i].hours);
    }
    cal_date *d = &cal->dates[i];
    d->day = day;
    d->kind = kind;
    d->like = like;
    d->hours = *hours;
    hours->v = NULL;
    hours->n = 0;
    cache_clear(cal);
    return SVCQ_OK;
}

int svcq_calendar_set_date_hours(svcq_calendar *cal, int32_t year, int32_t month, int32_t day,
                                 const int32_t *intervals, size_t count)
{
    if (!cal)
        return SVCQ_EINVAL;
    int64_t dn = 0;
    int rc = date_check(cal, year, month, day, &dn);
    if (rc)
        return rc;
    char what[SVCQ__ERRMSG_SIZE + 64], who[SVCQ__ERRMSG_SIZE];
    snprintf(what, sizeof(what), "%s, %04d-%02d-%02d", cal_label(cal, who, sizeof(who)), year, month,
             day);
    ivl_list l;
    rc = check_list(cal->ctx, what, intervals, count, &l);
    if (rc)
        return rc;
    rc = date_set(cal, dn, count ? SVCQ_DATE_HOURS : SVCQ_DATE_CLOSED, 0, &l);
    list_free(cal->ctx, &l);
    return rc;
}

int svcq_calendar_set_closed(svcq_calendar *cal, int32_t year, int32_t month, int32_t day)
{
    return svcq_calendar_set_date_hours(cal, year, month, day, NULL, 0);
}

int svcq_calendar_set_date_like(svcq_calendar *cal, int32_t year, int32_t month, int32_t day,
                                int32_t weekday)
{
    if (!cal)
        return SVCQ_EINVAL;
    int64_t dn = 0;
    int rc = date_check(cal, year, month, day, &dn);
    if (rc)
        return rc;
    if (weekday < 1 || weekday > 7)
        return cal_error(cal, SVCQ_EINVAL, "weekday %d is not 1 (Monday) to 7 (Sunday)",
                        weekday);
    ivl_list none = { NULL, 0 };
    return date_set(cal, dn, SVCQ_DATE_LIKE, weekday, &none);
}

int svcq_calendar_clear_date(svcq_calendar *cal, int32_t year, int32_t month, int32_t day)
{
    if (!cal)
        return SVCQ_EINVAL;
    int64_t dn = 0;
    int rc = date_check(cal, year, month, day, &dn);
    if (rc)
        return rc;
    size_t i = date_find(cal, dn);
    if (i == cal->ndates || cal->dates[i].day != dn)
        return cal_error(cal, SVCQ_ENOTFOUND, "no exception on %04d-%02d-%02d", year, month,
                        day);
    list_free(cal->ctx, &cal->dates[i].hours);
    memmove(&cal->dates[i], &cal->dates[i + 1], (cal->ndates - i - 1) * sizeof(cal_date));
    cal->ndates--;
    cache_clear(cal);
    return SVCQ_OK;
}

size_t svcq_calendar_date_count(const svcq_calendar *cal)
{
    return cal ? cal->ndates : 0;
}

int svcq_calendar_date_at(int32_t *year, int32_t *month, int32_t *day, int32_t *kind,
                          int32_t *weekday, const int32_t **intervals, size_t *count,
                          const svcq_calendar *cal, size_t index)
{
    if (!cal)
        return SVCQ_EINVAL; /* no context to write to */
    if (!year || !month || !day || !kind || !weekday || !intervals || !count)
        return cal_error(cal, SVCQ_EINVAL, "svcq_calendar_date_at: NULL output");
    if (index >= cal->ndates)
        return cal_error(cal, SVCQ_ERANGE, "exception index %zu past the %zu exceptions",
                        index, cal->ndates);
    const cal_date *d = &cal->dates[index];
    int64_t y;
    svcq__civil_from_days(d->day, &y, month, day);
    *year = (int32_t)y;
    *kind = d->kind;
    *weekday = d->kind == SVCQ_DATE_LIKE ? d->like : 0;
    *intervals = d->hours.v;
    *count = d->hours.n;
    return SVCQ_OK;
}

void svcq_calendar_range(svcq_time *min, svcq_time *max)
{
    if (min)
        *min = CAL_TMIN;
    if (max)
        *max = CAL_TMAX;
}

/* ---- operations --------------------------------------------------------- */

static int next_open_at(svcq_calendar *cal, int64_t t, int64_t *out)
{
    char when[48];
    /* Past the regular year, 400 days without an opening mean the weekly
     * hours are empty (a DST gap swallows at most a few days a year). */
    int64_t reg = svcq__tz_resolve(cal->tz, year_start_local(regular_year(cal)));
    int64_t from = t > reg ? t : reg;
    for (;;) {
        if (t >= CAL_TMAX)
            return cal_error(cal, SVCQ_ERANGE,
                            "no opening before the end of the calendar range (10000-01-01)");
        span *sp;
        int rc = span_at(cal, t, &sp);
        if (rc)
            return rc;
        const svcq__ivl *iv = span_locate(sp, t);
        if (iv < sp->iv + sp->n) {
            *out = iv->open > t ? iv->open : t;
            if (*out >= CAL_TMAX)
                return cal_error(cal, SVCQ_ERANGE,
                                "no opening before the end of the calendar range (10000-01-01)");
            return SVCQ_OK;
        }
        if (sp->t1 - from >= 400 * (int64_t)SVCQ__DAY)
            return cal_error(cal, SVCQ_ENOTFOUND, "never opens after %s",
                             svcq__tz_describe(cal->tz, t, when, sizeof(when)));
        t = sp->t1;
    }
}

static int next_close_at(svcq_calendar *cal, int64_t t, int64_t *out)
{
    char when[48];
    /* Past the regular year, 400 days open without a break mean the weekly
     * hours cover the whole week: the calendar never closes. */
    int64_t reg = svcq__tz_resolve(cal->tz, year_start_local(regular_year(cal)));
    int64_t from = t > reg ? t : reg;
    for (;;) {
        if (t >= CAL_TMAX)
            return cal_error(cal, SVCQ_ERANGE,
                            "no closing before the end of the calendar range (10000-01-01)");
        span *sp;
        int rc = span_at(cal, t, &sp);
        if (rc)
            return rc;
        const svcq__ivl *iv = span_locate(sp, t);
        if (iv == sp->iv + sp->n || iv->open > t) {
            *out = t;
            return SVCQ_OK;
        }
        if (iv->close < sp->t1) {
            *out = iv->close;
            if (*out >= CAL_TMAX)
                return cal_error(cal, SVCQ_ERANGE,
                                "no closing before the end of the calendar range (10000-01-01)");
            return SVCQ_OK;
        }
        /* Open to the end of the span: go on in the next one. */
        if (sp->t1 - from >= 400 * (int64_t)SVCQ__DAY)
            return cal_error(cal, SVCQ_ENOTFOUND, "never closes after %s",
                             svcq__tz_describe(cal->tz, t, when, sizeof(when)));
        t = sp->t1;
    }
}

/* For add past the dense years: the span holding the year in which the
 * business seconds reach v (v > B at the end of every span so far). */
static int far_target(svcq_calendar *cal, int64_t v, span **out)
{
    int rc = ensure_cycle(cal);
    if (rc)
        return rc;
    int64_t w = v - cal->cyc_b0;
    if (cal->cyc_total == 0)
        return cal_error(cal, SVCQ_ERANGE, "never opens again: business time "
                                               "cannot elapse");
    int64_t q = (w - 1) / cal->cyc_total, r = w - q * cal->cyc_total;
    if (q > (CAL_YMAX - cal->yh) / CYCLE_YEARS + 1)
        return cal_error(cal, SVCQ_ERANGE, "the deadline is past the calendar range");
    size_t lo = 0, hi = CYCLE_YEARS; /* last i with prefix[i] < r */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->cyc_prefix[mid] < r)
            lo = mid;
        else
            hi = mid;
    }
    int64_t y = cal->yh + q * CYCLE_YEARS + (int64_t)lo;
    if (y > CAL_YMAX)
        return cal_error(cal, SVCQ_ERANGE, "the deadline is past the calendar range");
    return ensure_years(cal, (int32_t)y - 1, (int32_t)y + 2, out);
}

static int add_slow(svcq_time *out, svcq_calendar *cal, svcq_time start, int64_t seconds)
{
    if (!out || !cal)
        return svcq__error(cal ? cal->ctx : NULL, SVCQ_EINVAL, "svcq_calendar_add: NULL argument");
    if (seconds < 0)
        return cal_error(cal, SVCQ_EINVAL, "svcq_calendar_add: negative duration %lld",
                        (long long)seconds);
    if (!in_range(start))
        return range_error(cal, start);
    int64_t res = start;
    if (seconds > 0) {
        span *sp;
        int rc = span_at(cal, start, &sp);
        if (rc)
            return rc;
        int64_t v;
        if (__builtin_add_overflow(span_B(sp, start), seconds, &v))
            return cal_error(cal, SVCQ_ERANGE, "the deadline is past the calendar range");
        /* Walk year by year through the dense years near the start; past
         * them jump with the 400-year cycle. */
        int32_t ylim = (int32_t)utc_year(start) + DENSE_STEP, reg = regular_year(cal);
        if (ylim < reg + 8)
            ylim = reg + 8;
        for (;;) {
            if (v <= sp->b1) {
                const svcq__ivl *iv = span_find(sp, v);
                res = iv->open + (v - iv->cum);
                break;
            }
            if (sp->t1 >= CAL_TMAX)
                return cal_error(cal, SVCQ_ERANGE, "the deadline is past the calendar range");
            if (sp == &cal->far || sp->y1 >= ylim) {
                rc = far_target(cal, v, &sp);
            } else {
                /* Grow the dense years once, by about the years the rest
                 * needs at the average business time per year so far. */
                int64_t per_year = (sp->b1 - sp->b0) / (sp->y1 - sp->y0);
                int64_t more = per_year > 0 ? (v - sp->b1) / per_year + 2 : ylim - sp->y1;
                if (more > ylim - sp->y1)
                    more = ylim - sp->y1;
                int32_t hi = sp->y1 + (int32_t)more;
                if (hi > CAL_YMAX + 2)
                    hi = CAL_YMAX + 2;
                rc = dense_extend(cal, cal->dense.y0, hi);
                sp = &cal->dense;
            }
            if (rc)
                return rc;
        }
        if (res >= CAL_TMAX)
            return cal_error(cal, SVCQ_ERANGE, "the deadline is past the calendar range");
    }
    if (cal->flags & SVCQ_CALENDAR_RT_NEXT_OPENING) {
        int rc = next_open_at(cal, res, &res);
        if (rc == SVCQ_ENOTFOUND)
            rc = cal_error(cal, SVCQ_ERANGE, "never opens again");
        if (rc)
            return rc;
    }
    *out = res;
    return SVCQ_OK;
}

int svcq_calendar_add(svcq_time *out, svcq_calendar *cal, svcq_time start, int64_t seconds)
{
    if (SVCQ__LIKELY(out && cal && seconds > 0)) {
        const span *d = &cal->dense;
        if (SVCQ__LIKELY(span_has(d, start))) {
            const svcq__ivl *iv = span_locate(d, start);
            int64_t v;
            if (!__builtin_add_overflow(ivl_B(iv, start), seconds, &v) && v <= d->b1) {
                iv = span_find(d, v);
                int64_t r = iv->open + (v - iv->cum);
                if (SVCQ__UNLIKELY(r >= CAL_TMAX))
                    return add_slow(out, cal, start, seconds);
                if (r < iv->close || !(cal->flags & SVCQ_CALENDAR_RT_NEXT_OPENING)) {
                    *out = r;
                    return SVCQ_OK;
                }
                if (iv + 1 < d->iv + d->n && iv[1].open < CAL_TMAX) {
                    *out = iv[1].open;
                    return SVCQ_OK;
                }
            }
        }
    }
    return add_slow(out, cal, start, seconds);
}

static int diff_slow(int64_t *out, svcq_calendar *cal, svcq_time a, svcq_time b)
{
    if (!out || !cal)
        return svcq__error(cal ? cal->ctx : NULL, SVCQ_EINVAL, "svcq_calendar_diff: NULL argument");
    if (!in_range(a))
        return range_error(cal, a);
    if (!in_range(b))
        return range_error(cal, b);
    span *sp;
    int rc = span_at(cal, a, &sp);
    if (rc)
        return rc;
    int64_t ba = span_B(sp, a);
    rc = span_at(cal, b, &sp);
    if (rc)
        return rc;
    *out = span_B(sp, b) - ba;
    return SVCQ_OK;
}

int svcq_calendar_diff(int64_t *out, svcq_calendar *cal, svcq_time a, svcq_time b)
{
    if (SVCQ__LIKELY(out && cal)) {
        const span *d = &cal->dense;
        if (SVCQ__LIKELY(span_has(d, a) && span_has(d, b))) {
            *out = span_B(d, b) - span_B(d, a);
            return SVCQ_OK;
        }
    }
    return diff_slow(out, cal, a, b);
}

int svcq_calendar_is_open(int32_t *out, svcq_calendar *cal, svcq_time t)
{
    if (!out || !cal)
        return svcq__error(cal ? cal->ctx : NULL, SVCQ_EINVAL, "svcq_calendar_is_open: NULL argument");
    if (!in_range(t))
        return range_error(cal, t);
    span *sp;
    int rc = span_at(cal, t, &sp);
    if (rc)
        return rc;
    const svcq__ivl *iv = span_locate(sp, t);
    *out = iv->open <= t && t < iv->close;
    return SVCQ_OK;
}

int svcq_calendar_next_open(svcq_time *out, svcq_calendar *cal, svcq_time t)
{
    if (!out || !cal)
        return svcq__error(cal ? cal->ctx : NULL, SVCQ_EINVAL,
                        "svcq_calendar_next_open: NULL argument");
    if (!in_range(t))
        return range_error(cal, t);
    return next_open_at(cal, t, out);
}

int svcq_calendar_next_close(svcq_time *out, svcq_calendar *cal, svcq_time t)
{
    if (!out || !cal)
        return svcq__error(cal ? cal->ctx : NULL, SVCQ_EINVAL,
                        "svcq_calendar_next_close: NULL argument");
    if (!in_range(t))
        return range_error(cal, t);
    return next_close_at(cal, t, out);
}

int svcq_calendar_format(char *buf, size_t size, size_t *needed, const svcq_calendar *cal,
                         svcq_time t, uint32_t flags)
{
    if (!cal) {
        if (needed)
            *needed = 0;
        return SVCQ_EINVAL; /* no context to write to */
    }
    return svcq_tz_format(buf, size, needed, cal->tz, t, flags);
}

/* ---- business days ------------------------------------------------------- */


/* The real spans [ra[i], rb[i]) of the intervals that start on local day
 * `day` (list l), in order, leaving out those a DST gap swallows whole.
 * Returns how many there are. */
static uint32_t day_spans(const svcq_calendar *cal, int64_t day, const ivl_list *l, int64_t *ra,
                          int64_t *rb)
{
    uint32_t n = 0;
    if (!l->n)
        return 0;
    svcq__tz_cursor c;
    svcq__tz_cursor_init(&c, cal->tz, day * SVCQ__DAY - 2 * SVCQ__DAY);
    for (uint32_t k = 0; k < l->n; k++) {
        /* The list is sorted and disjoint: local values only grow. */
        int64_t a = svcq__tz_cursor_resolve(&c, day * SVCQ__DAY + l->v[2 * k]);
        int64_t b = svcq__tz_cursor_resolve(&c, day * SVCQ__DAY + l->v[2 * k + 1]);
        if (b > a) {
            ra[n] = a;
            rb[n] = b;
            n++;
        }
    }
    return n;
}

static const ivl_list *hours_of_day(const svcq_calendar *cal, int64_t day)
{
    size_t di = date_find(cal, day);
    return day_hours(cal, day, &di);
}

/* Whether local day `day` is a business day: its own intervals hold at
 * least one business second. */
static bool day_is_business(const svcq_calendar *cal, int64_t day)
{
    int64_t ra[SVCQ_CALENDAR_MAX_INTERVALS], rb[SVCQ_CALENDAR_MAX_INTERVALS];
    return day_spans(cal, day, hours_of_day(cal, day), ra, rb) > 0;
}

/* The local days touched by the zone's forward jumps (DST gaps), where an
 * interval may vanish and a weekday with hours may not be a business day:
 * [lo, hi] is the current gap's days, INT64_MAX when there are no more. */
typedef struct gap_iter {
    svcq__tz_cursor c;
    int64_t lo, hi;
} gap_iter;

static void gap_next(gap_iter *g)
{
    for (;;) {
        if (g->c.end == INT64_MAX || g->c.end > CAL_TMAX + 4 * (int64_t)SVCQ__DAY) {
            g->lo = g->hi = INT64_MAX;
            return;
        }
        int64_t e = g->c.end;
        int32_t before = g->c.off;
        svcq__tz_cursor_next(&g->c);
        if (g->c.off > before) {
            g->lo = svcq__floor_div(e + before, SVCQ__DAY);
            g->hi = svcq__floor_div(e + g->c.off - 1, SVCQ__DAY);
            return;
        }
    }
}

/* The n-th business day after local day d0 (n >= 1). Whole weeks without a
 * dated exception or a DST gap are counted, not walked. */
static int nth_business_day(svcq_calendar *cal, int64_t d0, int32_t n, int64_t *out)
{
    int32_t wk[7], per_week = 0;
    for (int i = 0; i < 7; i++) {
        wk[i] = cal->week[i].n > 0;
        per_week += wk[i];
    }
    const int64_t dmax = svcq__days_from_civil(CAL_YMAX + 1, 1, 1);
    int64_t d = d0 + 1, left = n;
    size_t ei = date_find(cal, d);
    gap_iter g;
    svcq__tz_cursor_init(&g.c, cal->tz, d * SVCQ__DAY - 3 * SVCQ__DAY);
    g.lo = g.hi = INT64_MIN;
    for (;;) {
        if (d >= dmax)
            return SVCQ_ERANGE;
        while (g.hi < d)
            gap_next(&g);
        int64_t ed = ei < cal->ndates ? cal->dates[ei].day : INT64_MAX;
        int64_t special = ed < g.lo ? ed : g.lo; /* <= d when d is in a gap */
        if (special > d) {
            if (per_week == 0) {
                /* Only exceptions can open a day. */
                if (ed == INT64_MAX)
                    return SVCQ_ENOTFOUND;
                d = ed;
                continue;
            }
            int64_t k = (special - d) / 7, need = (left - 1) / per_week;
            if (need < k)
                k = need;
            if (k > 0) {
                d += 7 * k;
                left -= k * per_week;
                continue;
            }
        }
        bool biz;
        if (d == ed) {
            biz = day_is_business(cal, d);
            ei++;
        } else if (d >= g.lo) {
            biz = day_is_business(cal, d);
        } else {
            biz = wk[svcq__weekday(d) - 1];
        }
        if (biz && --left == 0) {
            *out = d;
            return SVCQ_OK;
        }
        d++;
    }
}

/* The wall-clock reading of t as the calendar sees it: the highest reading
 * at or before t (after a fall-back the clock stands still until it shows
 * that reading again). The largest local value L with resolve(L) <= t. */
static int64_t calendar_reading(const svcq_tz *z, int64_t t)
{
    /* Offsets lie within [-89999, 93599]: a segment that ended three days
     * before t read less than t does. */
    svcq__tz_cursor c;
    svcq__tz_cursor_init(&c, z, t - 3 * SVCQ__DAY);
    int64_t m = INT64_MIN;
    for (;;) {
        int64_t last = c.end == INT64_MAX || c.end > t ? t : c.end - 1;
        if (last + c.off > m)
            m = last + c.off;
        if (last == t)
            return m;
        svcq__tz_cursor_next(&c);
    }
}

int svcq_calendar_add_days(svcq_time *out, svcq_calendar *cal, svcq_time start, int32_t days)
{
    if (!out || !cal)
        return svcq__error(cal ? cal->ctx : NULL, SVCQ_EINVAL,
                           "svcq_calendar_add_days: NULL %s", !out ? "out" : "calendar");
    char when[48];
    if (days < 0)
        return cal_error(cal, SVCQ_EINVAL, "negative number of business days %d", days);
    if (!in_range(start))
        return range_error(cal, start);
    /* The anchor: the start, or the next opening when closed. */
    int64_t a;
    int rc = next_open_at(cal, start, &a);
    if (rc == SVCQ_ENOTFOUND || rc == SVCQ_ERANGE)
        return cal_error(cal, SVCQ_ERANGE, "never opens after %s",
                         svcq__tz_describe(cal->tz, start, when, sizeof(when)));
    if (rc)
        return rc;
    if (days == 0) {
        *out = a;
        return SVCQ_OK;
    }
    /* The anchor's business day: the date whose own interval holds it (the
     * later one where an overnight tail and a date's hours overlap), and
     * its wall-clock time counted from that date's midnight (past 24:00 in
     * the tail of an overnight interval). */
    int64_t m = calendar_reading(cal->tz, a);
    int64_t dl = svcq__floor_div(m, SVCQ__DAY), d0 = dl;
    for (int64_t c = dl; c >= dl - 1; c--) {
        const ivl_list *l = hours_of_day(cal, c);
        bool in = false;
        for (uint32_t k = 0; k < l->n && !in; k++)
            in = c * SVCQ__DAY + l->v[2 * k] <= m && m < c * SVCQ__DAY + l->v[2 * k + 1];
        if (in) {
            d0 = c;
            break;
        }
    }
    int64_t dn;
    rc = nth_business_day(cal, d0, days, &dn);
    if (rc == SVCQ_ENOTFOUND)
        return cal_error(cal, SVCQ_ERANGE, "no %d business days after %s: the calendar never opens "
                         "again", days, svcq__tz_describe(cal->tz, start, when, sizeof(when)));
    if (rc)
        return cal_error(cal, SVCQ_ERANGE,
                         "%d business days after %s are past the calendar range (10000-01-01)",
                         days, svcq__tz_describe(cal->tz, start, when, sizeof(when)));
    /* The same wall-clock time on that day, kept within its business time. */
    int64_t t = svcq__tz_resolve(cal->tz, dn * SVCQ__DAY + (m - d0 * SVCQ__DAY));
    int64_t ra[SVCQ_CALENDAR_MAX_INTERVALS], rb[SVCQ_CALENDAR_MAX_INTERVALS];
    uint32_t n = day_spans(cal, dn, hours_of_day(cal, dn), ra, rb);
    if (n == 0) /* cannot happen: dn is a business day */
        return cal_error(cal, SVCQ_ESTATE, "internal error: business day without hours");
    int64_t r = ra[0]; /* before the first opening: the first opening */
    for (uint32_t k = 0; k < n; k++) {
        if (t < ra[k])
            break;
        r = t < rb[k] ? t : rb[k]; /* in it: t; after it: its end */
    }
    if (r < a) /* a date's hours overlapping the anchor's overnight tail */
        r = a;
    if (r >= CAL_TMAX)
        return cal_error(cal, SVCQ_ERANGE,
                         "%d business days after %s are past the calendar range (10000-01-01)",
                         days, svcq__tz_describe(cal->tz, start, when, sizeof(when)));
    *out = r;
    return SVCQ_OK;
}
