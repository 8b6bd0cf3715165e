/* Records of the metrics module (docs/format.md): the fact
 * ("svcq.metrics_fact/1") and the rollup ("svcq.metrics_rollup/1"), the
 * canonical dump of every rollup, and the time text both use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar/civil.h"
#include "core/json.h"
#include "metrics/metrics_internal.h"
#include "store/record.h"

#define TRY(x) do { if ((rc = (x)) != SVCQ_OK) goto done; } while (0)

static void utc_text(svcq_time t, char out[32])
{
    int64_t day = svcq__floor_div(t, SVCQ__DAY), sec = svcq__floor_mod(t, SVCQ__DAY), y;
    int32_t mo, d;
    svcq__civil_from_days(day, &y, &mo, &d);
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, mo, d, (int)(sec / 3600), (int)(sec / 60 % 60),
             (int)(sec % 60));
}

int svcq__mx_fmt_time(svcq_metrics *m, svcq_time t, char out[40])
{
    size_t need;
    int rc = svcq_tz_format(out, 40, &need, m->tz, t, SVCQ_TIME_FORMAT_UTC_Z);
    if (rc)
        utc_text(t, out);
    return SVCQ_OK;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

bool svcq__mx_parse_time(const char *s, size_t len, svcq_time *out)
{
    /* An integer: seconds since the epoch. */
    if (len > 0 && len <= 20 && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) && !memchr(s, 'T', len) &&
        !(len >= 5 && s[4] == '-')) {
        int64_t v = 0;
        size_t i = s[0] == '-';
        if (i == len)
            return false;
        for (; i < len; i++) {
            if (s[i] < '0' || s[i] > '9' || v > (INT64_MAX - 9) / 10)
                return false;
            v = v * 10 + (s[i] - '0');
        }
        *out = s[0] == '-' ? -v : v;
        return true;
    }
    /* YYYY-MM-DDTHH:MM:SS followed by Z or +HH:MM / -HH:MM. */
    int y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;
    if (len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
        return false;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) || !digits(s + 11, 2, &h) ||
        !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &se))
        return false;
    if (len == 20 && (s[19] == 'Z' || s[19] == 'z'))
        sign = 0;
    else if (len == 25 && (s[19] == '+' || s[19] == '-') && s[22] == ':' && digits(s + 20, 2, &oh) &&
             digits(s + 23, 2, &om))
        sign = s[19] == '+' ? 1 : -1;
    else
        return false;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > svcq__days_in_month(y, mo) || h > 23 || mi > 59 || se > 59 ||
        oh > 23 || om > 59)
        return false;
    *out = svcq__days_from_civil(y, mo, d) * SVCQ__DAY + h * 3600 + mi * 60 + se - sign * (oh * 3600 + om * 60);
    return true;
}

static int jw_time(svcq__jw *w, const char *key, svcq_time t)
{
    int rc = svcq__jw_key(w, key);
    if (rc)
        return rc;
    if (t == SVCQ_METRICS_NO_TIME)
        return svcq__jw_null(w);
    char b[32];
    utc_text(t, b);
    return svcq__jw_string(w, b);
}

static int jw_str(svcq__jw *w, const char *key, const char *s)
{
    int rc = svcq__jw_key(w, key);
    return rc ? rc : s ? svcq__jw_string(w, s) : svcq__jw_null(w);
}

static int jw_int(svcq__jw *w, const char *key, int64_t v)
{
    int rc = svcq__jw_key(w, key);
    return rc ? rc : svcq__jw_int(w, v);
}

int svcq__mx_fact_json(const svcq_metrics *m, const svcq__mx_fact *f, svcq__buf *out)
{
    svcq__jw w;
    svcq__jw_init_buf(&w, m->ctx, out);
    int rc = svcq__record_begin(&w, "metrics_fact", 1);
    static const char *const names[] = { "client", "tier", "channel", "category", "agent", "complaint_category",
                                         "location", "stage" };
    TRY(jw_str(&w, "set", m->name));
    TRY(jw_str(&w, "id", svcq__mx_fid(f)));
    for (int i = 0; i < SVCQ__MX_NSTR; i++)
        TRY(jw_str(&w, names[i], svcq__mx_str(m, f, i)));
    TRY(jw_time(&w, "received", f->received));
    TRY(jw_time(&w, "first_reply", svcq__mx_ftime(f, MXT_FIRST_REPLY)));
    TRY(jw_time(&w, "resolved", svcq__mx_ftime(f, MXT_RESOLVED)));
    TRY(jw_time(&w, "closed", svcq__mx_ftime(f, MXT_CLOSED)));
    TRY(jw_time(&w, "reopened", svcq__mx_ftime(f, MXT_REOPENED)));
    TRY(jw_int(&w, "contacts", f->contacts));
    TRY(jw_int(&w, "agent_replies", f->agent_replies));
    TRY(jw_int(&w, "customer_replies", f->customer_replies));
    TRY(jw_int(&w, "csat", f->csat));
    TRY(jw_int(&w, "complaint", f->complaint));
    TRY(jw_int(&w, "repeat", f->repeat));
    TRY(jw_int(&w, "measures_due", f->measures_due));
    TRY(jw_int(&w, "measures_on_time", f->measures_on_time));
    TRY(svcq__jw_key(&w, "sla"));
    TRY(svcq__jw_array_begin(&w));
    for (uint32_t i = 0; i < f->nsla; i++) {
        TRY(svcq__jw_object_begin(&w));
        TRY(jw_str(&w, "target", f->sla[i].target));
        TRY(jw_str(&w, "outcome", svcq_metrics_sla_outcome_name(f->sla[i].outcome)));
        TRY(svcq__jw_object_end(&w));
    }
    TRY(svcq__jw_array_end(&w));
done:
    if (!rc)
        return svcq__record_end(&w);
    (void)svcq__jw_finish(&w);
    return rc;
}

int svcq__mx_rollup_id(const svcq_metrics *m, const svcq__mx_rollup *r, svcq__buf *out)
{
    char label[16];
    svcq__mx_period_label(r->period, r->start, label);
    return svcq__buf_printf(out, "%s/%s/%s/%s/%s", m->name, svcq_metrics_period_name(r->period), label,
                            svcq_metrics_dim_name(r->dim), r->value);
}

static int ct_sorted(svcq_ctx *ctx, const svcq__mx_ctab *t, int64_t **keys, int64_t **counts, size_t *n,
                     int (*cmp)(const void *, const void *))
{
    typedef struct { int64_t k, c; } kc2;
    kc2 *v = svcq__malloc(ctx, (size_t)(t->used ? t->used : 1) * sizeof(kc2));
    if (!v)
        return SVCQ_ENOMEM;
    size_t k = 0;
    for (uint32_t i = 0; i < t->cap; i++)
        if (t->slots[i].key != INT64_MIN && t->slots[i].count != 0)
            v[k++] = (kc2){ t->slots[i].key, t->slots[i].count };
    qsort(v, k, sizeof(kc2), cmp);
    *keys = (int64_t *)v;
    *counts = NULL;
    *n = k;
    return SVCQ_OK;
}

static int cmp_int(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_str(const void *a, const void *b)
{
    const char *x = (const char *)(uintptr_t)(*(const int64_t *)a & ~(int64_t)1);
    const char *y = (const char *)(uintptr_t)(*(const int64_t *)b & ~(int64_t)1);
    int c = strcmp(x, y);
    if (c)
        return c;
    return cmp_int(a, b);
}

static int write_pairs(svcq__jw *w, svcq_ctx *ctx, const char *key, const svcq__mx_ctab *t, bool strings)
{
    int64_t *v, *unused;
    size_t n;
    int rc = ct_sorted(ctx, t, &v, &unused, &n, strings ? cmp_str : cmp_int);
    if (rc)
        return rc;
    TRY(svcq__jw_key(w, key));
    TRY(svcq__jw_array_begin(w));
    for (size_t i = 0; i < n; i++) {
        TRY(svcq__jw_array_begin(w));
        if (strings) {
            TRY(svcq__jw_string(w, (const char *)(uintptr_t)(v[2 * i] & ~(int64_t)1)));
            if (key[0] == 's')
                TRY(svcq__jw_string(w, (v[2 * i] & 1) ? "breached" : "met"));
        } else {
            TRY(svcq__jw_int(w, v[2 * i]));
        }
        TRY(svcq__jw_int(w, v[2 * i + 1]));
        TRY(svcq__jw_array_end(w));
    }
    TRY(svcq__jw_array_end(w));
done:
    svcq__free(ctx, v);
    return rc;
}

int svcq__mx_rollup_json(const svcq_metrics *m, const svcq__mx_rollup *r, svcq__buf *out)
{
    svcq__jw w;
    svcq__jw_init_buf(&w, m->ctx, out);
    char label[16], first[16];
    svcq__mx_period_label(r->period, r->start, label);
    svcq__mx_period_label(SVCQ_METRICS_DAY, r->start, first);
    int rc = svcq__record_begin(&w, "metrics_rollup", 1);
    TRY(jw_str(&w, "set", m->name));
    TRY(jw_str(&w, "period", svcq_metrics_period_name(r->period)));
    TRY(jw_str(&w, "label", label));
    TRY(jw_str(&w, "first_day", first));
    TRY(jw_str(&w, "dim", svcq_metrics_dim_name(r->dim)));
    TRY(jw_str(&w, "value", r->value));
    TRY(jw_str(&w, "attribution", svcq_metrics_attribution_name(m->attribution)));
    TRY(jw_int(&w, "raised", r->raised));
    TRY(jw_int(&w, "resolved", r->resolved));
    TRY(jw_int(&w, "rated", r->rated));
    TRY(jw_int(&w, "satisfied", r->satisfied));
    TRY(jw_int(&w, "csat_sum", r->csat_sum));
    TRY(jw_int(&w, "unrated", r->unrated));
    TRY(svcq__jw_key(&w, "fcr"));
    TRY(svcq__jw_object_begin(&w));
    for (int d = 1; d <= 4; d++)
        TRY(jw_int(&w, svcq_metrics_fcr_name(d), r->fcr[d]));
    TRY(svcq__jw_object_end(&w));
    TRY(jw_int(&w, "responded", r->responded));
    TRY(jw_int(&w, "response_sum", r->resp_sum));
    TRY(jw_int(&w, "response_biz_sum", r->resp_biz_sum));
    TRY(jw_int(&w, "complaints", r->complaints));
    TRY(jw_int(&w, "repeats", r->repeats));
    TRY(jw_int(&w, "measures_due", r->measures_due));
    TRY(jw_int(&w, "measures_on_time", r->measures_on_time));
    TRY(jw_int(&w, "sla_met", r->sla_met));
    TRY(jw_int(&w, "sla_decided", r->sla_decided));
    TRY(jw_int(&w, "clients_served", r->clients_distinct));
    TRY(write_pairs(&w, m->ctx, "response", &r->resp, false));
    TRY(write_pairs(&w, m->ctx, "response_biz", &r->resp_biz, false));
    TRY(write_pairs(&w, m->ctx, "clients", &r->clients, true));
    TRY(write_pairs(&w, m->ctx, "sla", &r->sla, true));
done:
    if (!rc)
        return svcq__record_end(&w);
    (void)svcq__jw_finish(&w);
    return rc;
}

static bool rollup_empty(const svcq__mx_rollup *r)
{
    return !r->raised && !r->resolved && !r->rated && !r->unrated && !r->measures_due && !r->sla_decided;
}

static int cmp_line(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int svcq__mx_dump(svcq_metrics *m, svcq__buf *out)
{
    size_t n = 0, it = 0;
    const void *k;
    size_t kl;
    void *v;
    int rc = svcq__mx_flush(m);
    /* The derived rollups of every period offered that holds a day rollup. */
    while (!rc && svcq__map_next(&m->rollups, &it, &k, &kl, &v)) {
        const svcq__mx_rollup *r = v;
        for (int32_t p = SVCQ_METRICS_WEEK; !rc && r->dim == SVCQ_METRICS_DIM_ALL && p <= SVCQ_METRICS_YEAR; p++)
            if (m->periods >> p & 1)
                rc = svcq__mx_derive(m, p, svcq__mx_period_start(p, r->start));
    }
    if (rc)
        return rc;
    size_t total = m->rollups.count + m->dcache.count;
    char **lines = svcq__calloc(m->ctx, total ? total : 1, sizeof(char *));
    if (!lines)
        return SVCQ_ENOMEM;
    svcq__buf b;
    svcq__buf_init(&b, m->ctx);
    const svcq__map *maps[2] = { &m->rollups, &m->dcache };
    for (int mi = 0; mi < 2; mi++) {
        it = 0;
        while (!rc && svcq__map_next(maps[mi], &it, &k, &kl, &v)) {
            svcq__mx_rollup *r = v;
            if (rollup_empty(r))
                continue;
            if ((rc = svcq__mx_tables(m, r)))
                break;
            svcq__buf_truncate(&b, 0);
            rc = svcq__mx_rollup_id(m, r, &b);
            if (!rc)
                rc = svcq__buf_putc(&b, ' ');
            if (!rc)
                rc = svcq__mx_rollup_json(m, r, &b);
            if (!rc) {
                lines[n] = svcq__malloc(m->ctx, b.len + 1);
                if (!lines[n])
                    rc = SVCQ_ENOMEM;
                else
                    memcpy(lines[n++], b.data, b.len + 1);
            }
        }
    }
    qsort(lines, n, sizeof(char *), cmp_line);
    for (size_t i = 0; i < n; i++) {
        if (!rc)
            rc = svcq__buf_puts(out, lines[i]);
        if (!rc)
            rc = svcq__buf_putc(out, '\n');
        svcq__free(m->ctx, lines[i]);
    }
    svcq__free(m->ctx, lines);
    svcq__buf_free(&b);
    return rc;
}
