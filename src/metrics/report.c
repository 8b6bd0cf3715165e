/* What the metrics module writes: the KPIs of one rollup with their
 * definitions, the weekly report (Markdown, JSON, CSV) and its two SVG
 * charts, the evaluation cycles and the risk points. Every text is built
 * in a buffer and handed to the writer in one piece, so a failure midway
 * sends nothing. Everything is read from rollups. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/utf8.h"
#include "metrics/metrics_internal.h"
#include "store/record.h"

#define TRY(x) do { if ((rc = (x)) != SVCQ_OK) goto done; } while (0)

/* ---- definitions -------------------------------------------------------- */

static const char *kpi_unit(int32_t kpi)
{
    switch (kpi) {
    case SVCQ_METRICS_CSAT_MEAN: return "score";
    case SVCQ_METRICS_RESPONSE_MEAN:
    case SVCQ_METRICS_RESPONSE_MEDIAN:
    case SVCQ_METRICS_RESPONSE_P90:
    case SVCQ_METRICS_RESPONSE_BIZ_MEAN:
    case SVCQ_METRICS_RESPONSE_BIZ_MEDIAN:
    case SVCQ_METRICS_RESPONSE_BIZ_P90: return "seconds";
    default: return "percent";
    }
}

static bool kpi_lower_better(int32_t kpi)
{
    return (kpi >= SVCQ_METRICS_RESPONSE_MEAN && kpi <= SVCQ_METRICS_RESPONSE_BIZ_P90) ||
           kpi == SVCQ_METRICS_COMPLAINT_RATE || kpi == SVCQ_METRICS_RECURRENCE_RATE;
}

/* The exact definition, with the set's choices filled in. */
static int kpi_definition(const svcq_metrics *m, int32_t kpi, svcq__buf *b)
{
    static const char *const fcr_text[] = {
        NULL, "at most one agent reply", "no customer reply after the first contact",
        "no reopen within %d business days of resolution", "at most one contact until resolution"
    };
    switch (kpi) {
    case SVCQ_METRICS_CSAT_SATISFIED: return svcq__buf_puts(b, "ratings of 4 or 5 / rated facts; unrated excluded");
    case SVCQ_METRICS_CSAT_MEAN: return svcq__buf_puts(b, "sum of ratings (1-5) / rated facts; unrated excluded");
    case SVCQ_METRICS_FCR: {
        int rc = svcq__buf_puts(b, "resolved facts with ");
        if (!rc)
            rc = svcq__buf_printf(b, fcr_text[m->fcr_def], (int)m->fcr_days);
        return rc ? rc : svcq__buf_printf(b, " (%s) / resolved facts", svcq_metrics_fcr_name(m->fcr_def));
    }
    case SVCQ_METRICS_RESPONSE_MEAN: return svcq__buf_puts(b, "sum of (first reply - received), calendar seconds / facts with a reply");
    case SVCQ_METRICS_RESPONSE_MEDIAN: return svcq__buf_puts(b, "calendar seconds to first reply, nearest rank ceil(n/2)");
    case SVCQ_METRICS_RESPONSE_P90: return svcq__buf_puts(b, "calendar seconds to first reply, nearest rank ceil(0.9 n)");
    case SVCQ_METRICS_RESPONSE_BIZ_MEAN: return svcq__buf_puts(b, "sum of business seconds from received to first reply / facts with a reply");
    case SVCQ_METRICS_RESPONSE_BIZ_MEDIAN: return svcq__buf_puts(b, "business seconds to first reply, nearest rank ceil(n/2)");
    case SVCQ_METRICS_RESPONSE_BIZ_P90: return svcq__buf_puts(b, "business seconds to first reply, nearest rank ceil(0.9 n)");
    case SVCQ_METRICS_RESOLUTION_RATE: return svcq__buf_puts(b, "resolved facts / raised facts");
    case SVCQ_METRICS_COMPLAINT_RATE: return svcq__buf_puts(b, "complaints / distinct clients served");
    case SVCQ_METRICS_RECURRENCE_RATE: return svcq__buf_puts(b, "facts repeating a similar incident / raised facts");
    case SVCQ_METRICS_SLA_COMPLIANCE: return svcq__buf_puts(b, "SLA targets met / SLA targets decided (met or breached)");
    default: return svcq__buf_puts(b, "measures done on time / measures due");
    }
}

/* Thousandths as text: "82.500". */
static const char *fmt3(int64_t v, char out[32])
{
    const char *sign = v < 0 ? "-" : "";
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    snprintf(out, 32, "%s%llu.%03llu", sign, (unsigned long long)(a / 1000), (unsigned long long)(a % 1000));
    return out;
}

static int md_cell(svcq__buf *b, const char *s)
{
    int rc = SVCQ_OK;
    for (; !rc && *s; s++) {
        if (*s == '|' || *s == '\\' || *s == '*' || *s == '_' || *s == '`' || *s == '<' || *s == '[')
            rc = svcq__buf_putc(b, '\\');
        if (!rc)
            rc = svcq__buf_putc(b, *s);
    }
    return rc;
}

static int csv_cell(svcq__buf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n"))
        return svcq__buf_puts(b, s);
    int rc = svcq__buf_putc(b, '"');
    for (; !rc && *s; s++) {
        if (*s == '"')
            rc = svcq__buf_putc(b, '"');
        if (!rc)
            rc = svcq__buf_putc(b, *s);
    }
    return rc ? rc : svcq__buf_putc(b, '"');
}

static int xml_text(svcq__buf *b, const char *s)
{
    int rc = SVCQ_OK;
    for (; !rc && *s; s++) {
        switch (*s) {
        case '&': rc = svcq__buf_puts(b, "&amp;"); break;
        case '<': rc = svcq__buf_puts(b, "&lt;"); break;
        case '>': rc = svcq__buf_puts(b, "&gt;"); break;
        case '"': rc = svcq__buf_puts(b, "&quot;"); break;
        case '\'': rc = svcq__buf_puts(b, "&apos;"); break;
        default: rc = svcq__buf_putc(b, *s);
        }
    }
    return rc;
}

static int send(svcq_metrics *m, const svcq_writer *writer, svcq__buf *b, int rc)
{
    if (rc == SVCQ_ENOMEM)
        rc = svcq__enomem(m->ctx);
    if (!rc) {
        rc = svcq_writer_write(writer, b->data ? b->data : "", b->len);
        if (rc)
            rc = svcq__error(m->ctx, rc, "metrics %s: the writer failed (%s) after %zu bytes of text were built",
                             m->name, svcq_strerror(rc), b->len);
    }
    svcq__buf_free(b);
    return rc;
}

/* The context of one rollup's numbers. */
typedef struct scope {
    int32_t period;
    int64_t start;
    char label[16];
    char from[40], to[40];
    int32_t dim;
    const char *value;
} scope;

static int scope_make(svcq_metrics *m, int32_t period, int64_t start, int32_t dim, const char *value, scope *s)
{
    svcq_time a, b;
    int rc = svcq__mx_day_instant(m, start, &a);
    if (!rc)
        rc = svcq__mx_day_instant(m, svcq__mx_period_next(period, start), &b);
    if (rc)
        return rc;
    s->period = period;
    s->start = start;
    svcq__mx_period_label(period, start, s->label);
    svcq__mx_fmt_time(m, a, s->from);
    svcq__mx_fmt_time(m, b, s->to);
    s->dim = dim;
    s->value = value ? value : "";
    return SVCQ_OK;
}

static const char *state_text(const svcq_metrics_value *v)
{
    return svcq_metrics_target_state_name(v->target_state);
}

/* ---- the KPIs of one rollup ------------------------------------------------ */

static const int32_t ALL_KPIS[SVCQ_METRICS_KPI_COUNT] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 };

static int kpi_json(svcq_metrics *m, svcq__jw *w, const svcq_metrics_value *v, svcq__buf *tmp)
{
    char x[32];
    int rc;
    svcq__buf_truncate(tmp, 0);
    TRY(kpi_definition(m, v->kpi, tmp));
    TRY(svcq__jw_object_begin(w));
    TRY(svcq__jw_key(w, "kpi"));
    TRY(svcq__jw_string(w, svcq_metrics_kpi_name(v->kpi)));
    TRY(svcq__jw_key(w, "defined"));
    TRY(svcq__jw_bool(w, v->defined != 0));
    TRY(svcq__jw_key(w, "value"));
    TRY(v->defined ? svcq__jw_int(w, v->value) : svcq__jw_null(w));
    TRY(svcq__jw_key(w, "display"));
    TRY(v->defined ? svcq__jw_string(w, fmt3(v->value, x)) : svcq__jw_null(w));
    TRY(svcq__jw_key(w, "unit"));
    TRY(svcq__jw_string(w, kpi_unit(v->kpi)));
    TRY(svcq__jw_key(w, "numerator"));
    TRY(svcq__jw_int(w, v->numerator));
    TRY(svcq__jw_key(w, "denominator"));
    TRY(svcq__jw_int(w, v->denominator));
    TRY(svcq__jw_key(w, "excluded"));
    TRY(svcq__jw_int(w, v->excluded));
    TRY(svcq__jw_key(w, "definition"));
    TRY(svcq__jw_string(w, tmp->data));
    TRY(svcq__jw_key(w, "target"));
    TRY(v->target_state ? svcq__jw_int(w, v->target) : svcq__jw_null(w));
    TRY(svcq__jw_key(w, "direction"));
    TRY(svcq__jw_string(w, kpi_lower_better(v->kpi) ? "at_most" : "at_least"));
    TRY(svcq__jw_key(w, "state"));
    TRY(svcq__jw_string(w, state_text(v)));
    TRY(svcq__jw_object_end(w));
done:
    return rc;
}

static int scope_json(svcq_metrics *m, svcq__jw *w, const scope *s)
{
    int rc;
    TRY(svcq__jw_key(w, "set"));
    TRY(svcq__jw_string(w, m->name));
    TRY(svcq__jw_key(w, "period"));
    TRY(svcq__jw_object_begin(w));
    TRY(svcq__jw_key(w, "kind"));
    TRY(svcq__jw_string(w, svcq_metrics_period_name(s->period)));
    TRY(svcq__jw_key(w, "label"));
    TRY(svcq__jw_string(w, s->label));
    TRY(svcq__jw_key(w, "start"));
    TRY(svcq__jw_string(w, s->from));
    TRY(svcq__jw_key(w, "end"));
    TRY(svcq__jw_string(w, s->to));
    TRY(svcq__jw_key(w, "time_zone"));
    TRY(svcq__jw_string(w, svcq_tz_name(m->tz)));
    TRY(svcq__jw_object_end(w));
    TRY(svcq__jw_key(w, "dimension"));
    TRY(svcq__jw_object_begin(w));
    TRY(svcq__jw_key(w, "kind"));
    TRY(svcq__jw_string(w, svcq_metrics_dim_name(s->dim)));
    TRY(svcq__jw_key(w, "value"));
    TRY(svcq__jw_string(w, s->value));
    TRY(svcq__jw_object_end(w));
    TRY(svcq__jw_key(w, "attribution"));
    TRY(svcq__jw_string(w, svcq_metrics_attribution_name(m->attribution)));
    TRY(svcq__jw_key(w, "fcr_definition"));
    TRY(svcq__jw_string(w, svcq_metrics_fcr_name(m->fcr_def)));
    TRY(svcq__jw_key(w, "fcr_reopen_days"));
    TRY(svcq__jw_int(w, m->fcr_days));
    TRY(svcq__jw_key(w, "business_time_zone"));
    TRY(svcq__jw_string(w, svcq_tz_name(svcq_calendar_tz(m->cal))));
done:
    return rc;
}

static int scope_md(svcq_metrics *m, svcq__buf *b, const scope *s)
{
    int rc;
    TRY(svcq__buf_printf(b, "Period: %s %s (%s to %s, %s). Dimension: %s", svcq_metrics_period_name(s->period),
                         s->label, s->from, s->to, svcq_tz_name(m->tz), svcq_metrics_dim_name(s->dim)));
    if (s->dim != SVCQ_METRICS_DIM_ALL) {
        TRY(svcq__buf_puts(b, " = "));
        TRY(md_cell(b, s->value));
    }
    TRY(svcq__buf_printf(b, ". Attribution: %s. FCR definition: %s", svcq_metrics_attribution_name(m->attribution),
                         svcq_metrics_fcr_name(m->fcr_def)));
    if (m->fcr_def == SVCQ_METRICS_FCR_NO_REOPEN)
        TRY(svcq__buf_printf(b, " (%d business days)", (int)m->fcr_days));
    TRY(svcq__buf_puts(b, ".\n\n"));
done:
    return rc;
}

static int kpi_md_row(svcq_metrics *m, svcq__buf *b, const svcq_metrics_value *v, svcq__buf *tmp)
{
    char x[32], y[32];
    int rc;
    svcq__buf_truncate(tmp, 0);
    TRY(kpi_definition(m, v->kpi, tmp));
    TRY(svcq__buf_printf(b, "| %s | %s | %s | %lld | %lld | %lld | %s%s | %s | ", svcq_metrics_kpi_name(v->kpi),
                         v->defined ? fmt3(v->value, x) : "-", kpi_unit(v->kpi), (long long)v->numerator,
                         (long long)v->denominator, (long long)v->excluded,
                         v->target_state ? (kpi_lower_better(v->kpi) ? "<= " : ">= ") : "",
                         v->target_state ? fmt3(v->target, y) : "-", state_text(v)));
    TRY(md_cell(b, tmp->data));
    TRY(svcq__buf_puts(b, " |\n"));
done:
    return rc;
}

static const char KPI_MD_HEAD[] = "| KPI | value | unit | numerator | denominator | excluded | target | state | definition |\n"
                                  "|---|---:|---|---:|---:|---:|---:|---|---|\n";
static const char KPI_CSV_HEAD[] = "set,period,label,start,end,time_zone,dimension,dimension_value,attribution,"
                                   "fcr_definition,kpi,defined,value,unit,numerator,denominator,excluded,target,"
                                   "state,definition\r\n";

static int kpi_csv_row(svcq_metrics *m, svcq__buf *b, const scope *s, const svcq_metrics_value *v, svcq__buf *tmp)
{
    char x[32], y[32];
    int rc;
    TRY(csv_cell(b, m->name));
    TRY(svcq__buf_printf(b, ",%s,%s,%s,%s,", svcq_metrics_period_name(s->period), s->label, s->from, s->to));
    TRY(csv_cell(b, svcq_tz_name(m->tz)));
    TRY(svcq__buf_printf(b, ",%s,", svcq_metrics_dim_name(s->dim)));
    TRY(csv_cell(b, s->value));
    TRY(svcq__buf_printf(b, ",%s,%s,%s,%d,%s,%s,%lld,%lld,%lld,%s,%s,", svcq_metrics_attribution_name(m->attribution),
                         svcq_metrics_fcr_name(m->fcr_def), svcq_metrics_kpi_name(v->kpi), v->defined,
                         v->defined ? fmt3(v->value, x) : "", kpi_unit(v->kpi), (long long)v->numerator,
                         (long long)v->denominator, (long long)v->excluded, v->target_state ? fmt3(v->target, y) : "",
                         state_text(v)));
    svcq__buf_truncate(tmp, 0);
    TRY(kpi_definition(m, v->kpi, tmp));
    TRY(csv_cell(b, tmp->data));
    TRY(svcq__buf_puts(b, "\r\n"));
done:
    return rc;
}

/* Writes KPIs of rollup r (may be NULL) into b in format. */
static int write_kpis(svcq_metrics *m, const svcq__mx_rollup *r, const scope *s, const int32_t *kpis, size_t nk,
                      int32_t format, bool head, svcq__buf *b)
{
    svcq__buf tmp;
    svcq__buf_init(&tmp, m->ctx);
    svcq_metrics_value v = { .version = SVCQ_METRICS_VALUE_VERSION };
    int rc = SVCQ_OK;
    if (format == SVCQ_METRICS_JSON) {
        svcq__jw w;
        svcq__jw_init_buf(&w, m->ctx, b);
        (void)svcq__jw_set_pretty(&w, true);
        TRY(svcq__record_begin(&w, "metrics_kpis", 1));
        TRY(scope_json(m, &w, s));
        TRY(svcq__jw_key(&w, "kpis"));
        TRY(svcq__jw_array_begin(&w));
        for (size_t i = 0; i < nk && !rc; i++) {
            rc = svcq__mx_value(m, r, kpis[i], NULL, &v);
            if (!rc)
                rc = kpi_json(m, &w, &v, &tmp);
        }
        if (!rc)
            rc = svcq__jw_array_end(&w);
        if (!rc)
            rc = svcq__record_end(&w);
        else
            (void)svcq__jw_finish(&w);
        goto done;
    }
    if (format == SVCQ_METRICS_MARKDOWN) {
        TRY(scope_md(m, b, s));
        TRY(svcq__buf_puts(b, KPI_MD_HEAD));
    } else if (head) {
        TRY(svcq__buf_puts(b, KPI_CSV_HEAD));
    }
    for (size_t i = 0; i < nk; i++) {
        TRY(svcq__mx_value(m, r, kpis[i], NULL, &v));
        if (format == SVCQ_METRICS_MARKDOWN)
            TRY(kpi_md_row(m, b, &v, &tmp));
        else
            TRY(kpi_csv_row(m, b, s, &v, &tmp));
    }
done:
    svcq__buf_free(&tmp);
    return rc;
}

static int check_common(svcq_metrics *m, int32_t period, int32_t dim, int32_t format, const svcq_writer *writer,
                        bool charts)
{
    if (!writer)
        return svcq__error(m->ctx, SVCQ_EINVAL, "metrics %s: NULL writer", m->name);
    if (!svcq_metrics_format_name(format) || (!charts && format > SVCQ_METRICS_CSV))
        return svcq__error(m->ctx, SVCQ_EINVAL, "metrics %s: format %d is not available here", m->name, (int)format);
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
    return SVCQ_OK;
}

static int check_at(svcq_metrics *m, svcq_time at)
{
    svcq_time lo, hi;
    svcq_calendar_range(&lo, &hi);
    /* A margin of a year and a half: reports look back and forward. */
    if (at < lo + 3 * 366 * 86400LL || at > hi - 366 * 86400LL)
        return svcq__error(m->ctx, SVCQ_ERANGE, "metrics %s: instant %lld is outside the supported range", m->name,
                           (long long)at);
    return SVCQ_OK;
}

int svcq_metrics_kpis_export(svcq_metrics *m, int32_t period, svcq_time at, int32_t dim, const char *dim_value,
                             int32_t format, const svcq_writer *writer)
{
    if (!m)
        return SVCQ_EINVAL;
    int rc = check_common(m, period, dim, format, writer, false);
    if (!rc && dim != SVCQ_METRICS_DIM_ALL && !(dim_value && *dim_value))
        rc = svcq__error(m->ctx, SVCQ_EINVAL, "metrics %s: dimension %s needs a value", m->name,
                         svcq_metrics_dim_name(dim));
    if (!rc)
        rc = check_at(m, at);
    if (rc)
        return rc;
    int64_t start = svcq__mx_period_start(period, svcq__mx_day(m, at));
    scope s;
    if ((rc = scope_make(m, period, start, dim, dim == SVCQ_METRICS_DIM_ALL ? "" : dim_value, &s)))
        return rc;
    if (svcq__mx_derive(m, period, start))
        return svcq__enomem(m->ctx);
    const svcq__mx_rollup *r = svcq__mx_find(m, period, start, dim, dim_value);
    svcq__buf b;
    svcq__buf_init(&b, m->ctx);
    if (format == SVCQ_METRICS_MARKDOWN)
        rc = svcq__buf_puts(&b, "# KPIs\n\n");
    if (!rc)
        rc = write_kpis(m, r, &s, ALL_KPIS, SVCQ_METRICS_KPI_COUNT, format, true, &b);
    return send(m, writer, &b, rc);
}

/* ---- the weekly report ------------------------------------------------------ */

typedef struct cat {
    const char *name;
    int64_t now, prev;
} cat;

static int cat_cmp_now(const void *a, const void *b)
{
    const cat *x = a, *y = b;
    if (x->now != y->now)
        return x->now > y->now ? -1 : 1;
    if (x->prev != y->prev)
        return x->prev > y->prev ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int cat_cmp_prev(const void *a, const void *b)
{
    const cat *x = a, *y = b;
    if (x->prev != y->prev)
        return x->prev > y->prev ? -1 : 1;
    return strcmp(x->name, y->name);
}

typedef struct week {
    int64_t start, prev_start;
    scope s;
    const svcq__mx_rollup *all, *all_prev;
    cat *cats;       /* every category of either week */
    size_t ncats;
    size_t ntop;     /* cats[0..ntop) are this week's top */
    cat *vanished;   /* previous top with none this week */
    size_t nvanished;
    int64_t total, total_prev;
} week;

static int week_build(svcq_metrics *m, const svcq_metrics_report *req, week *wk)
{
    memset(wk, 0, sizeof(*wk));
    wk->start = svcq__mx_period_start(SVCQ_METRICS_WEEK, svcq__mx_day(m, req->week_of));
    wk->prev_start = wk->start - 7;
    int rc = scope_make(m, SVCQ_METRICS_WEEK, wk->start, SVCQ_METRICS_DIM_ALL, "", &wk->s);
    if (rc)
        return rc;
    /* Every week the report reads, before any is read: this week, the
     * previous one and the trend's. */
    for (int64_t i = -1; i < (req->trend_weeks ? (int64_t)req->trend_weeks : 1); i++)
        if ((rc = svcq__mx_derive(m, SVCQ_METRICS_WEEK, i < 0 ? wk->prev_start : wk->start - 7 * i)))
            return rc;
    wk->all = svcq__mx_find(m, SVCQ_METRICS_WEEK, wk->start, SVCQ_METRICS_DIM_ALL, NULL);
    wk->all_prev = svcq__mx_find(m, SVCQ_METRICS_WEEK, wk->prev_start, SVCQ_METRICS_DIM_ALL, NULL);
    wk->total = wk->all ? wk->all->complaints : 0;
    wk->total_prev = wk->all_prev ? wk->all_prev->complaints : 0;
    if (!(m->dims >> SVCQ_METRICS_DIM_COMPLAINT & 1))
        return SVCQ_OK;
    const svcq__mx_group *g = svcq__mx_group_find(m, SVCQ_METRICS_WEEK, wk->start, SVCQ_METRICS_DIM_COMPLAINT);
    const svcq__mx_group *gp = svcq__mx_group_find(m, SVCQ_METRICS_WEEK, wk->prev_start, SVCQ_METRICS_DIM_COMPLAINT);
    size_t cap = (g ? g->n : 0) + (gp ? gp->n : 0);
    wk->cats = svcq__calloc(m->ctx, cap ? cap : 1, sizeof(cat));
    wk->vanished = svcq__calloc(m->ctx, cap ? cap : 1, sizeof(cat));
    if (!wk->cats || !wk->vanished)
        return SVCQ_ENOMEM;
    for (size_t i = 0; g && i < g->n; i++) {
        if (g->items[i]->complaints <= 0)
            continue;
        const svcq__mx_rollup *p = svcq__mx_find(m, SVCQ_METRICS_WEEK, wk->prev_start, SVCQ_METRICS_DIM_COMPLAINT,
                                                 g->items[i]->value);
        wk->cats[wk->ncats++] = (cat){ g->items[i]->value, g->items[i]->complaints, p ? p->complaints : 0 };
    }
    size_t nnow = wk->ncats;
    for (size_t i = 0; gp && i < gp->n; i++) {
        if (gp->items[i]->complaints <= 0)
            continue;
        const svcq__mx_rollup *c = svcq__mx_find(m, SVCQ_METRICS_WEEK, wk->start, SVCQ_METRICS_DIM_COMPLAINT,
                                                 gp->items[i]->value);
        if (c && c->complaints > 0)
            continue;
        wk->cats[wk->ncats++] = (cat){ gp->items[i]->value, 0, gp->items[i]->complaints };
    }
    qsort(wk->cats, nnow, sizeof(cat), cat_cmp_now);
    wk->ntop = nnow < req->top ? nnow : req->top;
    /* Vanished: in the previous week's top list, none this week. The
     * previous week's list ranks by its count, then the name. */
    cat *prev = svcq__calloc(m->ctx, wk->ncats ? wk->ncats : 1, sizeof(cat));
    if (!prev)
        return SVCQ_ENOMEM;
    size_t np = 0;
    for (size_t i = 0; i < wk->ncats; i++)
        if (wk->cats[i].prev > 0)
            prev[np++] = wk->cats[i];
    qsort(prev, np, sizeof(cat), cat_cmp_prev);
    for (size_t i = 0; i < np && i < req->top; i++)
        if (prev[i].now == 0)
            wk->vanished[wk->nvanished++] = prev[i];
    svcq__free(m->ctx, prev);
    return SVCQ_OK;
}

static void week_free(svcq_metrics *m, week *wk)
{
    svcq__free(m->ctx, wk->cats);
    svcq__free(m->ctx, wk->vanished);
}

/* Change in percent (thousandths), false when the previous count is 0. */
static bool change_pct(const cat *c, int64_t *out)
{
    if (c->prev <= 0)
        return false;
    int64_t d = c->now - c->prev;
    int64_t a = svcq__mx_ratio(d < 0 ? -d : d, c->prev, 100 * SVCQ_METRICS_SCALE);
    *out = d < 0 ? -a : a;
    return true;
}

typedef struct tier_row {
    const char *tier;
    int64_t decided, met;
} tier_row;

static int tier_cmp(const void *a, const void *b)
{
    return strcmp(((const tier_row *)a)->tier, ((const tier_row *)b)->tier);
}

static int tiers_of(svcq_metrics *m, int64_t start, tier_row **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!(m->dims >> SVCQ_METRICS_DIM_TIER & 1))
        return SVCQ_OK;
    const svcq__mx_group *g = svcq__mx_group_find(m, SVCQ_METRICS_WEEK, start, SVCQ_METRICS_DIM_TIER);
    if (!g || !g->n)
        return SVCQ_OK;
    tier_row *t = svcq__calloc(m->ctx, g->n, sizeof(*t));
    if (!t)
        return SVCQ_ENOMEM;
    for (size_t i = 0; i < g->n; i++)
        if (g->items[i]->raised > 0 || g->items[i]->sla_decided > 0)
            t[(*n)++] = (tier_row){ g->items[i]->value, g->items[i]->sla_decided, g->items[i]->sla_met };
    qsort(t, *n, sizeof(*t), tier_cmp);
    *out = t;
    return SVCQ_OK;
}

typedef struct rep_row {
    const char *name;
    int64_t n;
} rep_row;

static int rep_cmp(const void *a, const void *b)
{
    const rep_row *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return strcmp(x->name, y->name);
}

typedef struct trend_pt {
    char label[16];
    svcq_metrics_value v;
} trend_pt;

static int trend_of(svcq_metrics *m, const svcq_metrics_report *req, int64_t start, trend_pt *pts)
{
    for (uint32_t i = 0; i < req->trend_weeks; i++) {
        int64_t s = start - 7 * (int64_t)(req->trend_weeks - 1 - i);
        svcq__mx_period_label(SVCQ_METRICS_WEEK, s, pts[i].label);
        pts[i].v.version = SVCQ_METRICS_VALUE_VERSION;
        int rc = svcq__mx_value(m, svcq__mx_find(m, SVCQ_METRICS_WEEK, s, SVCQ_METRICS_DIM_ALL, NULL), req->trend_kpi,
                                NULL, &pts[i].v);
        if (rc)
            return rc;
    }
    return SVCQ_OK;
}

static int check_request(svcq_metrics *m, const svcq_metrics_report *req)
{
    if (req->version == 0 || req->version > SVCQ_METRICS_REPORT_VERSION)
        return svcq__error(m->ctx, SVCQ_EVERSION, "weekly report: request version %u is not 1 to %u", req->version,
                           SVCQ_METRICS_REPORT_VERSION);
    if ((req->version < 2 && req->archive) || !svcq__all_zero(req->reserved, sizeof(req->reserved)))
        return svcq__error(m->ctx, SVCQ_EINVAL, "weekly report: reserved fields must be zero");
    if (req->archive & ~SVCQ_METRICS_ARCHIVE_ALL)
        return svcq__error(m->ctx, SVCQ_EINVAL, "weekly report: unknown archive bits 0x%x", req->archive);
    if (((req->archive & SVCQ_METRICS_ARCHIVE_OPEN) && req->open_incidents != -1) ||
        ((req->archive & SVCQ_METRICS_ARCHIVE_OVERDUE) && req->overdue_measures != -1) ||
        ((req->archive & SVCQ_METRICS_ARCHIVE_REPORTERS) && req->reporter_count))
        return svcq__error(m->ctx, SVCQ_EINVAL,
                           "weekly report: an input read from the incident archive is also given by the host "
                           "(leave its count -1 and its reporters empty)");
    if (req->trend_weeks < 1 || req->trend_weeks > SVCQ_METRICS_MAX_TREND)
        return svcq__error(m->ctx, SVCQ_EINVAL, "weekly report: trend of %u weeks, not 1 to %d", req->trend_weeks,
                           SVCQ_METRICS_MAX_TREND);
    if (!svcq_metrics_kpi_name(req->trend_kpi))
        return svcq__error(m->ctx, SVCQ_EINVAL, "weekly report: trend KPI %d is unknown", (int)req->trend_kpi);
    if (req->top < 1 || req->top > 20)
        return svcq__error(m->ctx, SVCQ_EINVAL, "weekly report: top %u is not 1 to 20", req->top);
    if (req->open_incidents < -1 || req->overdue_measures < -1)
        return svcq__error(m->ctx, SVCQ_EINVAL, "weekly report: open incidents and overdue measures are -1 or more");
    if (req->reporter_count > SVCQ_METRICS_MAX_REPORTERS ||
        (req->reporter_count && (!req->reporter_names || !req->reporter_counts)))
        return svcq__error(m->ctx, SVCQ_EINVAL, "weekly report: %u reporters (at most %d, and not NULL)",
                           req->reporter_count, SVCQ_METRICS_MAX_REPORTERS);
    for (uint32_t i = 0; i < req->reporter_count; i++) {
        const char *nm = req->reporter_names[i];
        if (!nm || !*nm || strnlen(nm, SVCQ_METRICS_MAX_STRING + 1) > SVCQ_METRICS_MAX_STRING ||
            !svcq__utf8_valid(nm, strlen(nm)) || req->reporter_counts[i] < 0)
            return svcq__error(m->ctx, SVCQ_EINVAL,
                               "weekly report: reporter %u needs a name of 1-%d bytes and a count >= 0", i,
                               SVCQ_METRICS_MAX_STRING);
    }
    if (!(m->periods >> SVCQ_METRICS_WEEK & 1))
        return svcq__error(m->ctx, SVCQ_EINVAL, "metrics %s: the weekly report needs weeks rolled up", m->name);
    return check_at(m, req->week_of);
}

static int report_md(svcq_metrics *m, const svcq_metrics_report *req, const week *wk, const tier_row *tiers,
                     size_t ntiers, const rep_row *reps, const trend_pt *pts, svcq__buf *b)
{
    char x[32], y[32], z[32];
    int rc;
    TRY(svcq__buf_printf(b, "# Weekly report %s\n\n", wk->s.label));
    TRY(scope_md(m, b, &wk->s));
    TRY(svcq__buf_printf(b, "## Top %u complaint categories\n\n", req->top));
    TRY(svcq__buf_printf(b, "Complaints this week: %lld (previous week: %lld).\n\n", (long long)wk->total,
                         (long long)wk->total_prev));
    if (!wk->ntop) {
        TRY(svcq__buf_puts(b, "No complaints this week.\n\n"));
    } else {
        TRY(svcq__buf_puts(b, "| rank | category | count | share | previous | change | change % |\n"
                              "|---:|---|---:|---:|---:|---:|---:|\n"));
        for (size_t i = 0; i < wk->ntop; i++) {
            const cat *c = &wk->cats[i];
            int64_t pct = 0;
            bool has = change_pct(c, &pct);
            TRY(svcq__buf_printf(b, "| %zu | ", i + 1));
            TRY(md_cell(b, c->name));
            TRY(svcq__buf_printf(b, " | %lld | %s %% | %lld | %+lld | %s |\n", (long long)c->now,
                                 fmt3(svcq__mx_ratio(c->now, wk->total, 100 * SVCQ_METRICS_SCALE), x),
                                 (long long)c->prev, (long long)(c->now - c->prev), has ? fmt3(pct, y) : "new"));
        }
        TRY(svcq__buf_putc(b, '\n'));
    }
    for (size_t i = 0; i < wk->nvanished; i++) {
        TRY(svcq__buf_puts(b, i ? ", " : "Vanished from last week's top list: "));
        TRY(md_cell(b, wk->vanished[i].name));
        TRY(svcq__buf_printf(b, " (%lld last week)", (long long)wk->vanished[i].prev));
        if (i + 1 == wk->nvanished)
            TRY(svcq__buf_puts(b, ".\n\n"));
    }
    TRY(svcq__buf_puts(b, "## KPIs against targets\n\n"));
    TRY(svcq__buf_puts(b, KPI_MD_HEAD));
    {
        svcq__buf tmp;
        svcq__buf_init(&tmp, m->ctx);
        svcq_metrics_value v = { .version = SVCQ_METRICS_VALUE_VERSION };
        for (int k = 1; k <= SVCQ_METRICS_KPI_COUNT && !rc; k++) {
            rc = svcq__mx_value(m, wk->all, k, NULL, &v);
            if (!rc)
                rc = kpi_md_row(m, b, &v, &tmp);
        }
        svcq__buf_free(&tmp);
        if (rc)
            goto done;
    }
    TRY(svcq__buf_puts(b, "\n## SLA breaches by tier\n\n"));
    if (!ntiers) {
        TRY(svcq__buf_puts(b, "No SLA outcome decided this week.\n\n"));
    } else {
        TRY(svcq__buf_puts(b, "| tier | decided | met | breached | compliance |\n|---|---:|---:|---:|---:|\n"));
        for (size_t i = 0; i < ntiers; i++) {
            TRY(svcq__buf_puts(b, "| "));
            TRY(md_cell(b, tiers[i].tier));
            TRY(svcq__buf_printf(b, " | %lld | %lld | %lld | %s |\n", (long long)tiers[i].decided,
                                 (long long)tiers[i].met, (long long)(tiers[i].decided - tiers[i].met),
                                 tiers[i].decided ? fmt3(svcq__mx_ratio(tiers[i].met, tiers[i].decided, 100000), z)
                                                  : "-"));
        }
        TRY(svcq__buf_putc(b, '\n'));
    }
    TRY(svcq__buf_puts(b, "## Incidents and measures\n\n"));
    if (req->open_incidents >= 0)
        TRY(svcq__buf_printf(b, "- open incidents: %lld\n", (long long)req->open_incidents));
    else
        TRY(svcq__buf_puts(b, "- open incidents: not given\n"));
    if (req->overdue_measures >= 0)
        TRY(svcq__buf_printf(b, "- overdue measures: %lld\n\n", (long long)req->overdue_measures));
    else
        TRY(svcq__buf_puts(b, "- overdue measures: not given\n\n"));
    TRY(svcq__buf_puts(b, "## Reporters of the week\n\n"));
    if (!req->reporter_count)
        TRY(svcq__buf_puts(b, "None given.\n\n"));
    for (uint32_t i = 0; i < req->reporter_count; i++) {
        TRY(svcq__buf_puts(b, "- "));
        TRY(md_cell(b, reps[i].name));
        TRY(svcq__buf_printf(b, ": %lld\n", (long long)reps[i].n));
        if (i + 1 == req->reporter_count)
            TRY(svcq__buf_putc(b, '\n'));
    }
    TRY(svcq__buf_printf(b, "## Trend: %s over %u weeks\n\n| week | value | numerator | denominator |\n"
                            "|---|---:|---:|---:|\n",
                         svcq_metrics_kpi_name(req->trend_kpi), req->trend_weeks));
    for (uint32_t i = 0; i < req->trend_weeks; i++)
        TRY(svcq__buf_printf(b, "| %s | %s | %lld | %lld |\n", pts[i].label,
                             pts[i].v.defined ? fmt3(pts[i].v.value, x) : "-", (long long)pts[i].v.numerator,
                             (long long)pts[i].v.denominator));
done:
    return rc;
}

static int report_json(svcq_metrics *m, const svcq_metrics_report *req, const week *wk, const tier_row *tiers,
                       size_t ntiers, const rep_row *reps, const trend_pt *pts, svcq__buf *b)
{
    svcq__jw w;
    svcq__jw_init_buf(&w, m->ctx, b);
    (void)svcq__jw_set_pretty(&w, true);
    svcq__buf tmp;
    svcq__buf_init(&tmp, m->ctx);
    int rc = svcq__record_begin(&w, "metrics_weekly_report", 1);
    TRY(scope_json(m, &w, &wk->s));
    TRY(svcq__jw_key(&w, "complaints"));
    TRY(svcq__jw_object_begin(&w));
    TRY(svcq__jw_key(&w, "total"));
    TRY(svcq__jw_int(&w, wk->total));
    TRY(svcq__jw_key(&w, "previous_total"));
    TRY(svcq__jw_int(&w, wk->total_prev));
    TRY(svcq__jw_key(&w, "top"));
    TRY(svcq__jw_array_begin(&w));
    for (size_t i = 0; i < wk->ntop; i++) {
        const cat *c = &wk->cats[i];
        int64_t pct = 0;
        bool has = change_pct(c, &pct);
        TRY(svcq__jw_object_begin(&w));
        TRY(svcq__jw_key(&w, "rank"));
        TRY(svcq__jw_int(&w, (int64_t)i + 1));
        TRY(svcq__jw_key(&w, "category"));
        TRY(svcq__jw_string(&w, c->name));
        TRY(svcq__jw_key(&w, "count"));
        TRY(svcq__jw_int(&w, c->now));
        TRY(svcq__jw_key(&w, "share"));
        TRY(svcq__jw_int(&w, svcq__mx_ratio(c->now, wk->total, 100 * SVCQ_METRICS_SCALE)));
        TRY(svcq__jw_key(&w, "previous"));
        TRY(svcq__jw_int(&w, c->prev));
        TRY(svcq__jw_key(&w, "change"));
        TRY(svcq__jw_int(&w, c->now - c->prev));
        TRY(svcq__jw_key(&w, "change_percent"));
        TRY(has ? svcq__jw_int(&w, pct) : svcq__jw_null(&w));
        TRY(svcq__jw_key(&w, "new"));
        TRY(svcq__jw_bool(&w, !has));
        TRY(svcq__jw_object_end(&w));
    }
    TRY(svcq__jw_array_end(&w));
    TRY(svcq__jw_key(&w, "vanished"));
    TRY(svcq__jw_array_begin(&w));
    for (size_t i = 0; i < wk->nvanished; i++) {
        TRY(svcq__jw_object_begin(&w));
        TRY(svcq__jw_key(&w, "category"));
        TRY(svcq__jw_string(&w, wk->vanished[i].name));
        TRY(svcq__jw_key(&w, "previous"));
        TRY(svcq__jw_int(&w, wk->vanished[i].prev));
        TRY(svcq__jw_object_end(&w));
    }
    TRY(svcq__jw_array_end(&w));
    TRY(svcq__jw_object_end(&w));
    TRY(svcq__jw_key(&w, "kpis"));
    TRY(svcq__jw_array_begin(&w));
    {
        svcq_metrics_value v = { .version = SVCQ_METRICS_VALUE_VERSION };
        for (int k = 1; k <= SVCQ_METRICS_KPI_COUNT; k++) {
            TRY(svcq__mx_value(m, wk->all, k, NULL, &v));
            TRY(kpi_json(m, &w, &v, &tmp));
        }
    }
    TRY(svcq__jw_array_end(&w));
    TRY(svcq__jw_key(&w, "sla_by_tier"));
    TRY(svcq__jw_array_begin(&w));
    for (size_t i = 0; i < ntiers; i++) {
        TRY(svcq__jw_object_begin(&w));
        TRY(svcq__jw_key(&w, "tier"));
        TRY(svcq__jw_string(&w, tiers[i].tier));
        TRY(svcq__jw_key(&w, "decided"));
        TRY(svcq__jw_int(&w, tiers[i].decided));
        TRY(svcq__jw_key(&w, "met"));
        TRY(svcq__jw_int(&w, tiers[i].met));
        TRY(svcq__jw_key(&w, "breached"));
        TRY(svcq__jw_int(&w, tiers[i].decided - tiers[i].met));
        TRY(svcq__jw_object_end(&w));
    }
    TRY(svcq__jw_array_end(&w));
    TRY(svcq__jw_key(&w, "open_incidents"));
    TRY(req->open_incidents >= 0 ? svcq__jw_int(&w, req->open_incidents) : svcq__jw_null(&w));
    TRY(svcq__jw_key(&w, "overdue_measures"));
    TRY(req->overdue_measures >= 0 ? svcq__jw_int(&w, req->overdue_measures) : svcq__jw_null(&w));
    TRY(svcq__jw_key(&w, "reporters"));
    TRY(svcq__jw_array_begin(&w));
    for (uint32_t i = 0; i < req->reporter_count; i++) {
        TRY(svcq__jw_object_begin(&w));
        TRY(svcq__jw_key(&w, "name"));
        TRY(svcq__jw_string(&w, reps[i].name));
        TRY(svcq__jw_key(&w, "reports"));
        TRY(svcq__jw_int(&w, reps[i].n));
        TRY(svcq__jw_object_end(&w));
    }
    TRY(svcq__jw_array_end(&w));
    TRY(svcq__jw_key(&w, "trend"));
    TRY(svcq__jw_object_begin(&w));
    TRY(svcq__jw_key(&w, "kpi"));
    TRY(svcq__jw_string(&w, svcq_metrics_kpi_name(req->trend_kpi)));
    TRY(svcq__jw_key(&w, "weeks"));
    TRY(svcq__jw_array_begin(&w));
    for (uint32_t i = 0; i < req->trend_weeks; i++) {
        TRY(svcq__jw_object_begin(&w));
        TRY(svcq__jw_key(&w, "week"));
        TRY(svcq__jw_string(&w, pts[i].label));
        TRY(svcq__jw_key(&w, "value"));
        TRY(pts[i].v.defined ? svcq__jw_int(&w, pts[i].v.value) : svcq__jw_null(&w));
        TRY(svcq__jw_key(&w, "numerator"));
        TRY(svcq__jw_int(&w, pts[i].v.numerator));
        TRY(svcq__jw_key(&w, "denominator"));
        TRY(svcq__jw_int(&w, pts[i].v.denominator));
        TRY(svcq__jw_object_end(&w));
    }
    TRY(svcq__jw_array_end(&w));
    TRY(svcq__jw_object_end(&w));
done:
    svcq__buf_free(&tmp);
    if (!rc)
        return svcq__record_end(&w);
    (void)svcq__jw_finish(&w);
    return rc;
}

static int report_csv(svcq_metrics *m, const svcq_metrics_report *req, const week *wk, const tier_row *tiers,
                      size_t ntiers, const rep_row *reps, const trend_pt *pts, svcq__buf *b)
{
    char x[32], y[32], z[32];
    int rc;
    TRY(svcq__buf_puts(b, "week,section,rank,key,value,previous,change,change_percent,share,target,state\r\n"));
    for (size_t i = 0; i < wk->ntop; i++) {
        const cat *c = &wk->cats[i];
        int64_t pct = 0;
        bool has = change_pct(c, &pct);
        TRY(svcq__buf_printf(b, "%s,top_complaints,%zu,", wk->s.label, i + 1));
        TRY(csv_cell(b, c->name));
        TRY(svcq__buf_printf(b, ",%lld,%lld,%lld,%s,%s,,\r\n", (long long)c->now, (long long)c->prev,
                             (long long)(c->now - c->prev), has ? fmt3(pct, x) : "new",
                             fmt3(svcq__mx_ratio(c->now, wk->total, 100 * SVCQ_METRICS_SCALE), y)));
    }
    for (size_t i = 0; i < wk->nvanished; i++) {
        TRY(svcq__buf_printf(b, "%s,vanished,,", wk->s.label));
        TRY(csv_cell(b, wk->vanished[i].name));
        TRY(svcq__buf_printf(b, ",0,%lld,%lld,-100.000,,,\r\n", (long long)wk->vanished[i].prev,
                             (long long)-wk->vanished[i].prev));
    }
    svcq_metrics_value v = { .version = SVCQ_METRICS_VALUE_VERSION };
    for (int k = 1; k <= SVCQ_METRICS_KPI_COUNT; k++) {
        TRY(svcq__mx_value(m, wk->all, k, NULL, &v));
        TRY(svcq__buf_printf(b, "%s,kpi,,%s,%s,,,,,%s,%s\r\n", wk->s.label, svcq_metrics_kpi_name(k),
                             v.defined ? fmt3(v.value, x) : "", v.target_state ? fmt3(v.target, y) : "",
                             state_text(&v)));
    }
    for (size_t i = 0; i < ntiers; i++) {
        TRY(svcq__buf_printf(b, "%s,sla_breaches,,", wk->s.label));
        TRY(csv_cell(b, tiers[i].tier));
        TRY(svcq__buf_printf(b, ",%lld,,,,%s,,\r\n", (long long)(tiers[i].decided - tiers[i].met),
                             tiers[i].decided ? fmt3(svcq__mx_ratio(tiers[i].met, tiers[i].decided, 100000), z) : ""));
    }
    if (req->open_incidents >= 0)
        TRY(svcq__buf_printf(b, "%s,open_incidents,,,%lld,,,,,,\r\n", wk->s.label, (long long)req->open_incidents));
    if (req->overdue_measures >= 0)
        TRY(svcq__buf_printf(b, "%s,overdue_measures,,,%lld,,,,,,\r\n", wk->s.label,
                             (long long)req->overdue_measures));
    for (uint32_t i = 0; i < req->reporter_count; i++) {
        TRY(svcq__buf_printf(b, "%s,reporter,%u,", wk->s.label, i + 1));
        TRY(csv_cell(b, reps[i].name));
        TRY(svcq__buf_printf(b, ",%lld,,,,,,\r\n", (long long)reps[i].n));
    }
    for (uint32_t i = 0; i < req->trend_weeks; i++)
        TRY(svcq__buf_printf(b, "%s,trend,%u,%s,%s,,,,,,\r\n", wk->s.label, i + 1, pts[i].label,
                             pts[i].v.defined ? fmt3(pts[i].v.value, x) : ""));
done:
    return rc;
}

/* ---- charts ----------------------------------------------------------------- */

static int svg_top(svcq_metrics *m, const svcq_metrics_report *req, const week *wk, svcq__buf *b)
{
    (void)m;
    (void)req;
    size_t n = wk->ntop + wk->nvanished;
    int64_t max = 1;
    for (size_t i = 0; i < wk->ntop; i++) {
        if (wk->cats[i].now > max)
            max = wk->cats[i].now;
        if (wk->cats[i].prev > max)
            max = wk->cats[i].prev;
    }
    for (size_t i = 0; i < wk->nvanished; i++)
        if (wk->vanished[i].prev > max)
            max = wk->vanished[i].prev;
    const int left = 180, barw = 360, rowh = 44, top = 56;
    int height = top + (int)(n ? n : 1) * rowh + 40;
    int rc;
    TRY(svcq__buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"%d\" "
                            "viewBox=\"0 0 640 %d\" font-family=\"sans-serif\" font-size=\"12\">\n"
                            "<rect width=\"640\" height=\"%d\" fill=\"#ffffff\"/>\n"
                            "<text x=\"16\" y=\"24\" font-size=\"16\" font-weight=\"bold\">Top complaint categories, %s "
                            "against the previous week</text>\n"
                            "<rect x=\"16\" y=\"34\" width=\"12\" height=\"10\" fill=\"#d9534f\"/>"
                            "<text x=\"32\" y=\"43\">this week</text>\n"
                            "<rect x=\"112\" y=\"34\" width=\"12\" height=\"10\" fill=\"#9e9e9e\"/>"
                            "<text x=\"128\" y=\"43\">previous week</text>\n",
                         height, height, height, wk->s.label));
    if (!n)
        TRY(svcq__buf_printf(b, "<text x=\"16\" y=\"%d\">No complaints in either week.</text>\n", top + 20));
    for (size_t i = 0; i < n; i++) {
        const cat *c = i < wk->ntop ? &wk->cats[i] : &wk->vanished[i - wk->ntop];
        int y = top + (int)i * rowh;
        int w1 = (int)(c->now * barw / max), w2 = (int)(c->prev * barw / max);
        TRY(svcq__buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 8, y + 20));
        TRY(xml_text(b, c->name));
        TRY(svcq__buf_printf(b, "</text>\n<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\" fill=\"#d9534f\"/>"
                                "<text x=\"%d\" y=\"%d\">%lld</text>\n"
                                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\" fill=\"#9e9e9e\"/>"
                                "<text x=\"%d\" y=\"%d\">%lld</text>\n",
                             left, y + 4, w1, left + w1 + 4, y + 16, (long long)c->now, left, y + 22, w2,
                             left + w2 + 4, y + 34, (long long)c->prev));
    }
    TRY(svcq__buf_puts(b, "</svg>\n"));
done:
    return rc;
}

static int svg_trend(svcq_metrics *m, const svcq_metrics_report *req, const trend_pt *pts, svcq__buf *b)
{
    (void)m;
    const int left = 70, right = 620, top = 50, bottom = 300;
    int64_t max = 0;
    for (uint32_t i = 0; i < req->trend_weeks; i++)
        if (pts[i].v.defined && pts[i].v.value > max)
            max = pts[i].v.value;
    if (m->target_mask >> req->trend_kpi & 1 && m->targets[req->trend_kpi] > max)
        max = m->targets[req->trend_kpi];
    if (max <= 0)
        max = 1;
    char x[32];
    int rc;
    TRY(svcq__buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"360\" "
                            "viewBox=\"0 0 640 360\" font-family=\"sans-serif\" font-size=\"12\">\n"
                            "<rect width=\"640\" height=\"360\" fill=\"#ffffff\"/>\n"
                            "<text x=\"16\" y=\"24\" font-size=\"16\" font-weight=\"bold\">%s (%s) over %u weeks</text>\n"
                            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000000\"/>\n"
                            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000000\"/>\n"
                            "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n"
                            "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n",
                         svcq_metrics_kpi_name(req->trend_kpi), kpi_unit(req->trend_kpi), req->trend_weeks, left,
                         bottom, right, bottom, left, top, left, bottom, left - 6, top + 4, fmt3(max, x), left - 6,
                         bottom + 4));
    if (m->target_mask >> req->trend_kpi & 1) {
        int ty = bottom - (int)(m->targets[req->trend_kpi] * (bottom - top) / max);
        TRY(svcq__buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#5cb85c\" "
                                "stroke-dasharray=\"6 4\"/><text x=\"%d\" y=\"%d\" fill=\"#5cb85c\">target %s</text>\n",
                             left, ty, right, ty, right - 90, ty - 4, fmt3(m->targets[req->trend_kpi], x)));
    }
    uint32_t n = req->trend_weeks;
    int step = n > 1 ? (right - left - 20) / (int)(n - 1) : 0;
    bool open = false;
    for (uint32_t i = 0; i < n; i++)
        TRY(svcq__buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\">%s</text>\n",
                             left + 10 + (int)i * step, bottom + 16 + (int)(i % 2) * 12, pts[i].label + 5));
    for (uint32_t i = 0; i < n; i++) {
        int px = left + 10 + (int)i * step;
        if (!pts[i].v.defined) {
            if (open)
                TRY(svcq__buf_puts(b, "\" fill=\"none\" stroke=\"#337ab7\" stroke-width=\"2\"/>\n"));
            open = false;
            continue;
        }
        int py = bottom - (int)(pts[i].v.value * (bottom - top) / max);
        if (!open)
            TRY(svcq__buf_puts(b, "<polyline points=\""));
        TRY(svcq__buf_printf(b, "%s%d,%d", open ? " " : "", px, py));
        open = true;
    }
    if (open)
        TRY(svcq__buf_puts(b, "\" fill=\"none\" stroke=\"#337ab7\" stroke-width=\"2\"/>\n"));
    for (uint32_t i = 0; i < n; i++) {
        if (!pts[i].v.defined)
            continue;
        int px = left + 10 + (int)i * step, py = bottom - (int)(pts[i].v.value * (bottom - top) / max);
        TRY(svcq__buf_printf(b, "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"#337ab7\"><title>%s: %s</title></circle>\n",
                             px, py, pts[i].label, fmt3(pts[i].v.value, x)));
    }
    TRY(svcq__buf_puts(b, "</svg>\n"));
done:
    return rc;
}

int svcq_metrics_weekly_report(svcq_metrics *m, const svcq_metrics_report *req, int32_t format,
                               const svcq_writer *writer)
{
    if (!m || !req)
        return svcq__error(m ? m->ctx : NULL, SVCQ_EINVAL, "svcq_metrics_weekly_report: NULL argument");
    int rc = check_common(m, SVCQ_METRICS_WEEK, SVCQ_METRICS_DIM_ALL, format, writer, true);
    if (!rc)
        rc = check_request(m, req);
    if (rc)
        return rc;
    /* Inputs from the incident archive: a copy of the request carries them. */
    svcq_metrics_report filled;
    svcq__mx_archive_in arch = { 0 };
    if (req->archive) {
        svcq_time a, z;
        rc = svcq_metrics_period_bounds(&a, &z, NULL, 0, m, SVCQ_METRICS_WEEK, req->week_of);
        if (!rc)
            rc = svcq__mx_archive(m, req->archive, a, z, &arch);
        if (rc)
            return rc;
        filled = *req;
        if (req->archive & SVCQ_METRICS_ARCHIVE_OPEN)
            filled.open_incidents = arch.open;
        if (req->archive & SVCQ_METRICS_ARCHIVE_OVERDUE)
            filled.overdue_measures = arch.overdue;
        if (req->archive & SVCQ_METRICS_ARCHIVE_REPORTERS) {
            filled.reporter_names = (const char *const *)arch.names;
            filled.reporter_counts = arch.counts;
            filled.reporter_count = arch.n;
        }
        req = &filled;
    }
    week wk;
    tier_row *tiers = NULL;
    size_t ntiers = 0;
    rep_row *reps = NULL;
    trend_pt *pts = NULL;
    svcq__buf b;
    svcq__buf_init(&b, m->ctx);
    rc = week_build(m, req, &wk);
    if (!rc)
        rc = tiers_of(m, wk.start, &tiers, &ntiers);
    if (!rc && req->reporter_count) {
        reps = svcq__calloc(m->ctx, req->reporter_count, sizeof(*reps));
        if (!reps)
            rc = SVCQ_ENOMEM;
        for (uint32_t i = 0; !rc && i < req->reporter_count; i++)
            reps[i] = (rep_row){ req->reporter_names[i], req->reporter_counts[i] };
        if (!rc)
            qsort(reps, req->reporter_count, sizeof(*reps), rep_cmp);
    }
    if (!rc) {
        pts = svcq__calloc(m->ctx, req->trend_weeks, sizeof(*pts));
        rc = pts ? trend_of(m, req, wk.start, pts) : SVCQ_ENOMEM;
    }
    if (!rc) {
        switch (format) {
        case SVCQ_METRICS_MARKDOWN: rc = report_md(m, req, &wk, tiers, ntiers, reps, pts, &b); break;
        case SVCQ_METRICS_JSON: rc = report_json(m, req, &wk, tiers, ntiers, reps, pts, &b); break;
        case SVCQ_METRICS_CSV: rc = report_csv(m, req, &wk, tiers, ntiers, reps, pts, &b); break;
        case SVCQ_METRICS_SVG_TOP: rc = svg_top(m, req, &wk, &b); break;
        default: rc = svg_trend(m, req, pts, &b); break;
        }
    }
    week_free(m, &wk);
    svcq__free(m->ctx, tiers);
    svcq__free(m->ctx, reps);
    svcq__free(m->ctx, pts);
    svcq__mx_archive_free(m, &arch);
    return send(m, writer, &b, rc);
}

/* ---- evaluation cycles ----------------------------------------------------- */

static int32_t eval_to_period(int32_t p)
{
    switch (p) {
    case SVCQ_PERIOD_DAILY: return SVCQ_METRICS_DAY;
    case SVCQ_PERIOD_WEEKLY: return SVCQ_METRICS_WEEK;
    case SVCQ_PERIOD_MONTHLY: return SVCQ_METRICS_MONTH;
    case SVCQ_PERIOD_QUARTERLY: return SVCQ_METRICS_QUARTER;
    case SVCQ_PERIOD_YEARLY: return SVCQ_METRICS_YEAR;
    default: return 0;
    }
}

int svcq_metrics_due(uint32_t *mask, svcq_metrics *m, const svcq_tier_profiles *profiles, int32_t level,
                     svcq_time date)
{
    if (!mask || !m || !profiles)
        return svcq__error(m ? m->ctx : NULL, SVCQ_EINVAL, "svcq_metrics_due: NULL argument");
    if (level < 0 || (uint32_t)level >= svcq_tier_profiles_levels(profiles))
        return svcq__error(m->ctx, SVCQ_EINVAL, "metrics %s: tier level %d is not 0 to %u", m->name, (int)level,
                           svcq_tier_profiles_levels(profiles) - 1);
    int rc = check_at(m, date);
    if (rc)
        return rc;
    int64_t day = svcq__mx_day(m, date);
    uint32_t out = 0;
    for (int32_t k = 0; k < SVCQ_EVAL_METRIC_COUNT; k++) {
        int32_t p = eval_to_period(svcq_tier_profiles_evaluation(profiles, level, k));
        if (p && svcq__mx_period_start(p, day) == day)
            out |= 1u << k;
    }
    *mask = out;
    return SVCQ_OK;
}

int svcq_metrics_cycle_report(svcq_metrics *m, const svcq_tier_profiles *profiles, int32_t level, const char *tier,
                              svcq_time date, int32_t format, const svcq_writer *writer)
{
    static const int32_t kpis[SVCQ_EVAL_METRIC_COUNT][6] = {
        { SVCQ_METRICS_RESPONSE_MEAN, SVCQ_METRICS_RESPONSE_MEDIAN, SVCQ_METRICS_RESPONSE_P90,
          SVCQ_METRICS_RESPONSE_BIZ_MEAN, SVCQ_METRICS_RESPONSE_BIZ_MEDIAN, SVCQ_METRICS_RESPONSE_BIZ_P90 },
        { SVCQ_METRICS_RESOLUTION_RATE, SVCQ_METRICS_FCR, 0 },
        { SVCQ_METRICS_CSAT_SATISFIED, SVCQ_METRICS_CSAT_MEAN, 0 },
        { SVCQ_METRICS_COMPLAINT_RATE, 0 },
    };
    static const size_t nk[SVCQ_EVAL_METRIC_COUNT] = { 6, 2, 2, 1 };
    uint32_t mask;
    int rc = svcq_metrics_due(&mask, m, profiles, level, date);
    if (rc)
        return rc;
    if (!tier || !*tier)
        return svcq__error(m->ctx, SVCQ_EINVAL, "metrics %s: a cycle report needs the tier's value", m->name);
    if (!writer || !svcq_metrics_format_name(format) || format > SVCQ_METRICS_CSV)
        return svcq__error(m->ctx, SVCQ_EINVAL, "metrics %s: format %d is not available here", m->name, (int)format);
    if (!(m->dims >> SVCQ_METRICS_DIM_TIER & 1))
        return svcq__error(m->ctx, SVCQ_EINVAL, "metrics %s: dimension tier is not rolled up", m->name);
    int64_t day = svcq__mx_day(m, date);
    svcq__buf b;
    svcq__buf_init(&b, m->ctx);
    rc = SVCQ_OK;
    if (format == SVCQ_METRICS_MARKDOWN)
        rc = svcq__buf_printf(&b, "# Evaluation reports due for tier level %d (%s)\n\n", (int)level, tier);
    else if (format == SVCQ_METRICS_JSON)
        rc = svcq__buf_puts(&b, "[");
    bool first = true;
    for (int32_t k = 0; !rc && k < SVCQ_EVAL_METRIC_COUNT; k++) {
        if (!(mask >> k & 1))
            continue;
        int32_t p = eval_to_period(svcq_tier_profiles_evaluation(profiles, level, k));
        if (!(m->periods >> p & 1)) {
            rc = svcq__error(m->ctx, SVCQ_EINVAL, "metrics %s: %s is evaluated per %s, which is not rolled up",
                             m->name, svcq_eval_metric_name(k), svcq_metrics_period_name(p));
            break;
        }
        int64_t start = svcq__mx_period_start(p, day - 1);
        scope s;
        rc = scope_make(m, p, start, SVCQ_METRICS_DIM_TIER, tier, &s);
        if (!rc && svcq__mx_derive(m, p, start))
            rc = svcq__enomem(m->ctx);
        if (!rc && format == SVCQ_METRICS_MARKDOWN)
            rc = svcq__buf_printf(&b, "## %s (%s)\n\n", svcq_eval_metric_name(k),
                                  svcq_eval_period_name(svcq_tier_profiles_evaluation(profiles, level, k)));
        if (!rc && format == SVCQ_METRICS_JSON && !first)
            rc = svcq__buf_puts(&b, ",\n");
        if (!rc)
            rc = write_kpis(m, svcq__mx_find(m, p, start, SVCQ_METRICS_DIM_TIER, tier), &s, kpis[k], nk[k], format,
                            first, &b);
        if (!rc && format == SVCQ_METRICS_MARKDOWN)
            rc = svcq__buf_putc(&b, '\n');
        first = false;
    }
    if (!rc && format == SVCQ_METRICS_JSON)
        rc = svcq__buf_puts(&b, "]\n");
    return send(m, writer, &b, rc);
}

/* ---- risk points -------------------------------------------------------------- */

typedef struct risk {
    int32_t dim;
    const char *value;
    uint32_t run;
    int64_t growth, last;
    int64_t *series; /* periods counts, oldest first */
} risk;

static int risk_cmp(const void *a, const void *b)
{
    const risk *x = a, *y = b;
    if (x->run != y->run)
        return x->run > y->run ? -1 : 1;
    if (x->growth != y->growth)
        return x->growth > y->growth ? -1 : 1;
    if (x->last != y->last)
        return x->last > y->last ? -1 : 1;
    if (x->dim != y->dim)
        return x->dim < y->dim ? -1 : 1;
    return strcmp(x->value, y->value);
}

static int64_t recurrence(const svcq__mx_rollup *r)
{
    return r ? r->complaints + r->repeats : 0;
}

int svcq_metrics_risk_points(svcq_metrics *m, int32_t period, svcq_time at, uint32_t periods, int32_t format,
                             const svcq_writer *writer)
{
    if (!m)
        return SVCQ_EINVAL;
    int rc = check_common(m, period, SVCQ_METRICS_DIM_ALL, format, writer, false);
    if (!rc && (periods < 2 || periods > SVCQ_METRICS_MAX_TREND))
        rc = svcq__error(m->ctx, SVCQ_EINVAL, "risk points: %u periods, not 2 to %d", periods, SVCQ_METRICS_MAX_TREND);
    if (!rc)
        rc = check_at(m, at);
    if (rc)
        return rc;
    int64_t *starts = svcq__calloc(m->ctx, periods, sizeof(int64_t));
    if (!starts)
        return svcq__enomem(m->ctx);
    starts[periods - 1] = svcq__mx_period_start(period, svcq__mx_day(m, at));
    for (uint32_t i = periods - 1; i > 0; i--)
        starts[i - 1] = svcq__mx_period_start(period, starts[i] - 1);
    for (uint32_t i = 0; i < periods; i++) {
        if (svcq__mx_derive(m, period, starts[i])) {
            svcq__free(m->ctx, starts);
            return svcq__enomem(m->ctx);
        }
    }
    static const int32_t dims[3] = { SVCQ_METRICS_DIM_CATEGORY, SVCQ_METRICS_DIM_LOCATION, SVCQ_METRICS_DIM_STAGE };
    /* Candidates: the values present in the last period. */
    size_t cap = 0;
    for (int d = 0; d < 3; d++) {
        const svcq__mx_group *g = svcq__mx_group_find(m, period, starts[periods - 1], dims[d]);
        if ((m->dims >> dims[d] & 1) && g)
            cap += g->n;
    }
    risk *rs = svcq__calloc(m->ctx, cap ? cap : 1, sizeof(risk));
    int64_t *series = svcq__calloc(m->ctx, (cap ? cap : 1) * periods, sizeof(int64_t));
    svcq__buf b;
    svcq__buf_init(&b, m->ctx);
    size_t n = 0;
    if (!rs || !series) {
        rc = SVCQ_ENOMEM;
        goto out;
    }
    for (int d = 0; d < 3; d++) {
        if (!(m->dims >> dims[d] & 1))
            continue;
        const svcq__mx_group *g = svcq__mx_group_find(m, period, starts[periods - 1], dims[d]);
        for (size_t i = 0; g && i < g->n; i++) {
            risk *r = &rs[n];
            r->dim = dims[d];
            r->value = g->items[i]->value;
            r->series = series + n * periods;
            for (uint32_t p = 0; p < periods; p++)
                r->series[p] = recurrence(svcq__mx_find(m, period, starts[p], dims[d], r->value));
            r->run = 1;
            while (r->run < periods && r->series[periods - r->run] > r->series[periods - r->run - 1])
                r->run++;
            if (r->run < 2)
                continue;
            r->last = r->series[periods - 1];
            r->growth = r->last - r->series[periods - r->run];
            n++;
        }
    }
    qsort(rs, n, sizeof(risk), risk_cmp);
    char label[16], last[16];
    svcq__mx_period_label(period, starts[0], label);
    svcq__mx_period_label(period, starts[periods - 1], last);
    if (format == SVCQ_METRICS_MARKDOWN) {
        rc = svcq__buf_printf(&b, "# Risk points, %s %s to %s\n\nRecurrence = complaints + repeats per %s; rising "
                                  "when it grew in each of the last k >= 2 periods.\n\n",
                              svcq_metrics_period_name(period), label, last, svcq_metrics_period_name(period));
        if (!rc)
            rc = svcq__buf_puts(&b, n ? "| rank | dimension | value | rising periods | growth | last | series |\n"
                                        "|---:|---|---|---:|---:|---:|---|\n"
                                      : "Nothing is rising.\n");
    } else if (format == SVCQ_METRICS_CSV) {
        rc = svcq__buf_puts(&b, "rank,dimension,value,rising_periods,growth,last,series\r\n");
    } else {
        svcq__jw w;
        svcq__jw_init_buf(&w, m->ctx, &b);
        (void)svcq__jw_set_pretty(&w, true);
        rc = svcq__record_begin(&w, "metrics_risk_points", 1);
        if (!rc) rc = svcq__jw_key(&w, "period");
        if (!rc) rc = svcq__jw_string(&w, svcq_metrics_period_name(period));
        if (!rc) rc = svcq__jw_key(&w, "from");
        if (!rc) rc = svcq__jw_string(&w, label);
        if (!rc) rc = svcq__jw_key(&w, "to");
        if (!rc) rc = svcq__jw_string(&w, last);
        if (!rc) rc = svcq__jw_key(&w, "points");
        if (!rc) rc = svcq__jw_array_begin(&w);
        for (size_t i = 0; !rc && i < n; i++) {
            rc = svcq__jw_object_begin(&w);
            if (!rc) rc = svcq__jw_key(&w, "rank");
            if (!rc) rc = svcq__jw_int(&w, (int64_t)i + 1);
            if (!rc) rc = svcq__jw_key(&w, "dimension");
            if (!rc) rc = svcq__jw_string(&w, svcq_metrics_dim_name(rs[i].dim));
            if (!rc) rc = svcq__jw_key(&w, "value");
            if (!rc) rc = svcq__jw_string(&w, rs[i].value);
            if (!rc) rc = svcq__jw_key(&w, "rising_periods");
            if (!rc) rc = svcq__jw_int(&w, rs[i].run);
            if (!rc) rc = svcq__jw_key(&w, "growth");
            if (!rc) rc = svcq__jw_int(&w, rs[i].growth);
            if (!rc) rc = svcq__jw_key(&w, "series");
            if (!rc) rc = svcq__jw_array_begin(&w);
            for (uint32_t p = 0; !rc && p < periods; p++)
                rc = svcq__jw_int(&w, rs[i].series[p]);
            if (!rc) rc = svcq__jw_array_end(&w);
            if (!rc) rc = svcq__jw_object_end(&w);
        }
        if (!rc) rc = svcq__jw_array_end(&w);
        if (!rc)
            rc = svcq__record_end(&w);
        else
            (void)svcq__jw_finish(&w);
        goto out;
    }
    for (size_t i = 0; !rc && i < n; i++) {
        if (format == SVCQ_METRICS_MARKDOWN) {
            rc = svcq__buf_printf(&b, "| %zu | %s | ", i + 1, svcq_metrics_dim_name(rs[i].dim));
            if (!rc) rc = md_cell(&b, rs[i].value);
            if (!rc) rc = svcq__buf_printf(&b, " | %u | %lld | %lld | ", rs[i].run, (long long)rs[i].growth,
                                           (long long)rs[i].last);
        } else {
            rc = svcq__buf_printf(&b, "%zu,%s,", i + 1, svcq_metrics_dim_name(rs[i].dim));
            if (!rc) rc = csv_cell(&b, rs[i].value);
            if (!rc) rc = svcq__buf_printf(&b, ",%u,%lld,%lld,", rs[i].run, (long long)rs[i].growth,
                                           (long long)rs[i].last);
        }
        for (uint32_t p = 0; !rc && p < periods; p++)
            rc = svcq__buf_printf(&b, "%s%lld", p ? " " : "", (long long)rs[i].series[p]);
        if (!rc)
            rc = svcq__buf_puts(&b, format == SVCQ_METRICS_MARKDOWN ? " |\n" : "\r\n");
    }
out:
    svcq__free(m->ctx, starts);
    svcq__free(m->ctx, rs);
    svcq__free(m->ctx, series);
    return send(m, writer, &b, rc);
}
