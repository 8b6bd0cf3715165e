/* A clock's timeline as JSON and as a Markdown table, with times in a zone
 * the caller gives (UTC without one). */
#include <stdio.h>
#include <string.h>

#include "calendar/civil.h"
#include "calendar/tz.h"
#include "core/buf.h"
#include "core/intern.h"
#include "core/json.h"
#include "sla/sla_internal.h"

#define NEVER SVCQ_SLA_NEVER

/* One row: an event (target < 0) or a notice. */
typedef struct row {
    svcq_time at;
    int32_t target;
    uint32_t index; /* event index, or notice index k */
    uint32_t cycle;
    uint32_t seq;   /* order of creation, for a stable sort */
} row;

typedef struct rows {
    svcq_ctx *ctx;
    row *v;
    uint32_t n, cap;
    int rc;
} rows;

static int push(rows *r, row x)
{
    if (r->n == r->cap) {
        uint32_t cap = r->cap ? r->cap * 2 : 32;
        row *grown = svcq__reallocarray(r->ctx, r->v, cap, sizeof(*grown));
        if (!grown)
            return SVCQ_ENOMEM;
        r->v = grown;
        r->cap = cap;
    }
    x.seq = r->n;
    r->v[r->n++] = x;
    return SVCQ_OK;
}

static int collect_notice(void *ud, uint32_t j, uint32_t cycle, uint32_t k, svcq_time at)
{
    rows *r = ud;
    r->rc = push(r, (row){ at, (int32_t)j, k, cycle, 0 });
    return r->rc != SVCQ_OK;
}

/* Notices come before events of the same instant (a warning at 10:00 is
 * reached before a pause at 10:00 takes effect). */
static int row_cmp(const row *a, const row *b)
{
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    if ((a->target < 0) != (b->target < 0))
        return a->target < 0 ? 1 : -1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void sort_rows(row *v, uint32_t n)
{
    /* Insertion sort: timelines are short and nearly sorted. */
    for (uint32_t i = 1; i < n; i++) {
        row x = v[i];
        uint32_t j = i;
        while (j > 0 && row_cmp(&x, &v[j - 1]) < 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

static int timeline(const svcq_sla_clock *c, svcq_time until, rows *r)
{
    r->ctx = c->ctx;
    r->v = NULL;
    r->n = r->cap = 0;
    r->rc = SVCQ_OK;
    int rc = SVCQ_OK;
    for (uint32_t i = 0; i < c->nevents && c->events[i].at <= until && rc == SVCQ_OK; i++)
        rc = push(r, (row){ c->events[i].at, -1, i, 0, 0 });
    const svcq_sla_policy *P = svcq__sla_clock_policy(c);
    svcq__sla_pause *p = NULL;
    uint32_t np = 0, pcap = 0;
    for (uint32_t j = 0; j < P->ntargets && rc == SVCQ_OK; j++) {
        svcq__sla_tstate S;
        np = 0;
        rc = svcq__sla_fold_target(c->ctx, c->versions, c->nversions, c->events, svcq__sla_dues(c), c->nevents, j, until,
                                collect_notice, r, &S, &p, &np, &pcap);
        if (rc == SVCQ_OK)
            rc = r->rc;
    }
    svcq__free(c->ctx, p);
    if (rc) {
        svcq__free(c->ctx, r->v);
        return rc == SVCQ_ENOMEM ? svcq__enomem(c->ctx) : rc;
    }
    sort_rows(r->v, r->n);
    return SVCQ_OK;
}

/* "2026-01-05T09:00:00Z", or with the weekday "Mon 2026-01-05T09:00:00Z". */
static void format_utc(svcq_time t, char out[64], bool weekday)
{
    static const char wd[7][4] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
    int64_t days = svcq__floor_div(t, SVCQ__DAY), sod = svcq__floor_mod(t, SVCQ__DAY), y;
    int32_t m, d;
    svcq__civil_from_days(days, &y, &m, &d);
    snprintf(out, 64, "%s%s%04lld-%02d-%02dT%02d:%02d:%02dZ", weekday ? wd[svcq__floor_mod(days + 3, 7)] : "",
             weekday ? " " : "", (long long)y, m, d, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
}

/* An instant as a person reads it: in tz (NULL: UTC, "Z"), ISO 8601 with
 * the offset, optionally after the weekday. svcq_tz_format's error (with
 * its message on the zone's context, the clock's) when the local date is
 * outside the years 1 to 9999. */
static int format_time(const svcq_tz *tz, svcq_time t, bool weekday, char out[64])
{
    if (!tz) {
        format_utc(t, out, weekday);
        return SVCQ_OK;
    }
    return svcq_tz_format(out, 64, NULL, tz, t,
                          SVCQ_TIME_FORMAT_UTC_Z | (weekday ? SVCQ_TIME_FORMAT_WEEKDAY : 0));
}

/* A target's duration for people: "2 business days", "1 h 30 min", "15 min". */
static void duration_text(const svcq__sla_target *T, char *out, size_t size)
{
    if (T->duration_unit == SVCQ_SLA_UNIT_EVENT_DUE) {
        snprintf(out, size, "the time to the due");
        return;
    }
    if (T->duration_unit == SVCQ_SLA_UNIT_BUSINESS_DAYS) {
        snprintf(out, size, "%lld business day%s", (long long)T->duration, T->duration == 1 ? "" : "s");
        return;
    }
    int64_t h = T->duration / 3600, m = T->duration / 60 % 60, sec = T->duration % 60;
    size_t n = 0;
    if (h)
        n += (size_t)snprintf(out + n, size - n, "%lld h", (long long)h);
    if (m && n < size)
        n += (size_t)snprintf(out + n, size - n, "%s%lld min", n ? " " : "", (long long)m);
    if ((sec || !n) && n < size)
        snprintf(out + n, size - n, "%s%lld s", n ? " " : "", (long long)sec);
}

/* What a notice says: "50 % of 1 h elapsed", "due <local time>",
 * "level 1 (150 %)", and ", cycle N" for targets that have cycles. */
static int notice_detail(const svcq__sla_target *T, const row *x, const svcq_tz *tz, char *out, size_t size)
{
    int32_t kind = T->notice_kind[x->index], level = T->notice_level[x->index];
    size_t n;
    if (kind == SVCQ_SLA_NOTICE_WARNING) {
        char d[64];
        duration_text(T, d, sizeof(d));
        n = (size_t)snprintf(out, size, "%d %% of %s elapsed", level, d);
    } else if (kind == SVCQ_SLA_NOTICE_BREACH) {
        char due[64];
        int rc = format_time(tz, x->at - 1, true, due); /* late means one second after the due time */
        if (rc)
            return rc;
        n = (size_t)snprintf(out, size, "due %s", due);
    } else {
        n = (size_t)snprintf(out, size, "level %d (%u %%)", level, T->esc_pct[level - 1]);
    }
    if ((T->recurring || T->restart_ev || x->cycle) && n < size)
        snprintf(out + n, size - n, ", cycle %u", x->cycle);
    return SVCQ_OK;
}

static const char *kind_name(int32_t kind)
{
    switch (kind) {
    case SVCQ_SLA_NOTICE_WARNING: return "warning";
    case SVCQ_SLA_NOTICE_BREACH: return "breach";
    default: return "escalation";
    }
}

static const char *state_name(int32_t state)
{
    static const char *const names[] = { "pending", "running", "paused", "met", "breached", "cancelled" };
    return state >= 0 && state <= SVCQ_SLA_CANCELLED ? names[state] : "unknown";
}

static int check_args(const svcq_sla_clock *clock, const svcq_tz *tz, const svcq_writer *writer)
{
    if (!clock)
        return SVCQ_EINVAL;
    /* Handles never cross contexts (nothing of a foreign zone is read). */
    if (tz && tz->ctx != clock->ctx)
        return svcq__error(clock->ctx, SVCQ_EINVAL, "clock %s: export: the zone belongs to another context",
                           clock->key);
    if (!writer)
        return svcq__error(clock->ctx, SVCQ_EINVAL, "clock %s: export: writer is NULL", clock->key);
    if (!writer->write)
        return svcq__error(clock->ctx, SVCQ_EINVAL, "clock %s: export: the writer has no callback", clock->key);
    return SVCQ_OK;
}

/* "<key>": an ISO 8601 UTC string, or null for SVCQ_SLA_NEVER. */
static void json_time(svcq__jw *w, const char *key, svcq_time t)
{
    svcq__jw_key(w, key);
    if (t == NEVER) {
        svcq__jw_null(w);
        return;
    }
    char iso[64];
    format_utc(t, iso, false);
    svcq__jw_string(w, iso);
}

/* "<key>": epoch seconds and "<key>_local": ISO 8601 with the offset in tz
 * (UTC "Z" without one), both null for SVCQ_SLA_NEVER. */
static int json_time_local(svcq__jw *w, const svcq_tz *tz, const char *key, svcq_time t)
{
    char local[64], iso[64];
    snprintf(local, sizeof(local), "%s_local", key);
    svcq__jw_key(w, key);
    if (t == NEVER)
        svcq__jw_null(w);
    else
        svcq__jw_int(w, t);
    svcq__jw_key(w, local);
    if (t == NEVER) {
        svcq__jw_null(w);
        return SVCQ_OK;
    }
    int rc = format_time(tz, t, false, iso);
    if (rc == SVCQ_OK)
        svcq__jw_string(w, iso);
    return rc;
}

int svcq_sla_clock_export_json(const svcq_sla_clock *clock, svcq_time until, const svcq_tz *tz,
                               const svcq_writer *writer)
{
    int rc = check_args(clock, tz, writer);
    if (rc)
        return rc;
    svcq_ctx *ctx = clock->ctx;
    const svcq_sla_policy *P = svcq__sla_clock_policy(clock);
    /* Every status first: nothing is written when one fails. */
    svcq_sla_status *st = svcq__calloc(ctx, P->ntargets, sizeof(*st));
    if (!st)
        return svcq__enomem(ctx);
    for (uint32_t j = 0; j < P->ntargets && rc == SVCQ_OK; j++) {
        st[j].version = SVCQ_SLA_STATUS_VERSION;
        rc = svcq_sla_clock_status(&st[j], clock, j, until);
    }
    /* Every time the zone must write that could be out of its years
     * (events and notices lie between 1900 and until): checked before
     * anything is written. */
    char probe[64];
    if (rc == SVCQ_OK)
        rc = format_time(tz, until, false, probe);
    for (uint32_t j = 0; j < P->ntargets && rc == SVCQ_OK; j++) {
        const svcq_time t[4] = { st[j].started_at, st[j].due_at, st[j].met_at, st[j].breached_at };
        for (int k = 0; k < 4 && rc == SVCQ_OK; k++)
            if (t[k] != NEVER)
                rc = format_time(tz, t[k], false, probe);
    }
    rows r = { 0 };
    if (rc == SVCQ_OK)
        rc = timeline(clock, until, &r);
    if (rc) {
        svcq__free(ctx, st);
        return rc;
    }
    svcq__jw w;
    svcq__jw_init_writer(&w, ctx, writer);
    svcq__jw_set_pretty(&w, true);
    svcq__jw_object_begin(&w);
    svcq__jw_key(&w, "subject");
    svcq__jw_string(&w, clock->key);
    svcq__jw_key(&w, "policy");
    svcq__jw_string(&w, P->name);
    svcq__jw_key(&w, "version");
    svcq__jw_int(&w, P->version);
    svcq__jw_key(&w, "zone");
    svcq__jw_string(&w, tz ? svcq_tz_name(tz) : "UTC");
    rc = json_time_local(&w, tz, "until", until);
    svcq__jw_key(&w, "timeline");
    svcq__jw_array_begin(&w);
    for (uint32_t i = 0; i < r.n && rc == SVCQ_OK; i++) {
        const row *x = &r.v[i];
        svcq__jw_object_begin(&w);
        rc = json_time_local(&w, tz, "at", x->at);
        if (x->target < 0) {
            const svcq__sla_event *e = &clock->events[x->index];
            svcq__jw_key(&w, "type");
            svcq__jw_string(&w, "event");
            svcq__jw_key(&w, "event");
            svcq__jw_string(&w, svcq__intern_str(ctx, e->name));
            if (e->reason) {
                svcq__jw_key(&w, "reason");
                svcq__jw_string(&w, svcq__sla_clock_reason(clock, e->reason));
            }
            const svcq_time *dues = svcq__sla_dues(clock);
            if (dues && dues[x->index] != NEVER && rc == SVCQ_OK)
                rc = json_time_local(&w, tz, "due", dues[x->index]);
        } else {
            const svcq__sla_target *T = &P->targets[x->target];
            char detail[128];
            svcq__jw_key(&w, "type");
            svcq__jw_string(&w, kind_name(T->notice_kind[x->index]));
            svcq__jw_key(&w, "target");
            svcq__jw_string(&w, T->metric);
            svcq__jw_key(&w, "level");
            svcq__jw_int(&w, T->notice_level[x->index]);
            svcq__jw_key(&w, "cycle");
            svcq__jw_int(&w, x->cycle);
            if (rc == SVCQ_OK)
                rc = notice_detail(T, x, tz, detail, sizeof(detail));
            svcq__jw_key(&w, "detail");
            svcq__jw_string(&w, rc == SVCQ_OK ? detail : "");
        }
        svcq__jw_object_end(&w);
    }
    svcq__jw_array_end(&w);
    svcq__jw_key(&w, "targets");
    svcq__jw_array_begin(&w);
    for (uint32_t j = 0; j < P->ntargets && rc == SVCQ_OK; j++) {
        const svcq_sla_status *x = &st[j];
        svcq__jw_object_begin(&w);
        svcq__jw_key(&w, "metric");
        svcq__jw_string(&w, x->metric);
        svcq__jw_key(&w, "state");
        svcq__jw_string(&w, state_name(x->state));
        if (rc == SVCQ_OK)
            rc = json_time_local(&w, tz, "started_at", x->started_at);
        if (rc == SVCQ_OK)
            rc = json_time_local(&w, tz, "due_at", x->due_at);
        if (rc == SVCQ_OK)
            rc = json_time_local(&w, tz, "met_at", x->met_at);
        if (rc == SVCQ_OK)
            rc = json_time_local(&w, tz, "breached_at", x->breached_at);
        svcq__jw_key(&w, "elapsed");
        svcq__jw_int(&w, x->elapsed);
        svcq__jw_key(&w, "remaining");
        svcq__jw_int(&w, x->remaining);
        svcq__jw_key(&w, "paused");
        svcq__jw_int(&w, x->paused);
        svcq__jw_key(&w, "escalation_level");
        svcq__jw_int(&w, x->escalation_level);
        svcq__jw_key(&w, "met_count");
        svcq__jw_int(&w, x->met_count);
        svcq__jw_key(&w, "breached_count");
        svcq__jw_int(&w, x->breached_count);
        svcq__jw_object_end(&w);
    }
    svcq__jw_array_end(&w);
    svcq__jw_object_end(&w);
    int wrc = svcq__jw_finish(&w);
    svcq__free(ctx, r.v);
    svcq__free(ctx, st);
    if (rc)
        return rc; /* a time the zone cannot write: its message is set */
    if (wrc == SVCQ_ENOMEM)
        return svcq__enomem(ctx);
    if (wrc)
        return svcq__error(ctx, wrc, "clock %s: writing the JSON timeline failed: %s", clock->key,
                           svcq_strerror(wrc));
    return SVCQ_OK;
}

/* A time as two members: "<key>" epoch seconds and "<key>_utc" ISO 8601,
 * both null for SVCQ_SLA_NEVER. */
static void json_time2(svcq__jw *w, const char *key, svcq_time t)
{
    char utc[64];
    snprintf(utc, sizeof(utc), "%s_utc", key);
    svcq__jw_key(w, key);
    if (t == NEVER)
        svcq__jw_null(w);
    else
        svcq__jw_int(w, t);
    json_time(w, utc, t);
}

int svcq_sla_clock_export_status_json(const svcq_sla_clock *clock, svcq_time at, const svcq_writer *writer)
{
    int rc = check_args(clock, NULL, writer);
    if (rc)
        return rc;
    svcq_ctx *ctx = clock->ctx;
    const svcq_sla_policy *P = svcq__sla_clock_policy(clock);
    if (at == NEVER || at == INT64_MIN)
        return svcq__error(ctx, SVCQ_ERANGE, "clock %s: status instant %lld out of range", clock->key,
                           (long long)at);
    /* Every status first: nothing is written when one fails. */
    svcq_sla_status *st = svcq__calloc(ctx, P->ntargets, sizeof(*st));
    if (!st)
        return svcq__enomem(ctx);
    for (uint32_t j = 0; j < P->ntargets; j++) {
        st[j].version = SVCQ_SLA_STATUS_VERSION;
        if ((rc = svcq_sla_clock_status(&st[j], clock, j, at))) {
            svcq__free(ctx, st);
            return rc;
        }
    }
    svcq__jw w;
    svcq__jw_init_writer(&w, ctx, writer);
    svcq__jw_set_pretty(&w, true);
    svcq__jw_object_begin(&w);
    svcq__jw_key(&w, "subject");
    svcq__jw_string(&w, clock->key);
    svcq__jw_key(&w, "policy");
    svcq__jw_string(&w, P->name);
    svcq__jw_key(&w, "version");
    svcq__jw_int(&w, P->version);
    svcq__jw_key(&w, "fingerprint");
    svcq__jw_string(&w, svcq_sla_policy_fingerprint(P));
    json_time2(&w, "at", at);
    svcq__jw_key(&w, "targets");
    svcq__jw_array_begin(&w);
    for (uint32_t j = 0; j < P->ntargets; j++) {
        const svcq_sla_status *x = &st[j];
        svcq__jw_object_begin(&w);
        svcq__jw_key(&w, "index");
        svcq__jw_int(&w, j);
        svcq__jw_key(&w, "metric");
        svcq__jw_string(&w, x->metric);
        svcq__jw_key(&w, "state");
        svcq__jw_string(&w, state_name(x->state));
        svcq__jw_key(&w, "state_code");
        svcq__jw_int(&w, x->state);
        json_time2(&w, "started_at", x->started_at);
        json_time2(&w, "due_at", x->due_at);
        json_time2(&w, "warn_at", x->warn_at);
        json_time2(&w, "met_at", x->met_at);
        json_time2(&w, "breached_at", x->breached_at);
        svcq__jw_key(&w, "elapsed");
        svcq__jw_int(&w, x->elapsed);
        svcq__jw_key(&w, "remaining");
        svcq__jw_int(&w, x->remaining);
        svcq__jw_key(&w, "paused");
        svcq__jw_int(&w, x->paused);
        svcq__jw_key(&w, "escalation_level");
        svcq__jw_int(&w, x->escalation_level);
        svcq__jw_key(&w, "met_count");
        svcq__jw_int(&w, x->met_count);
        svcq__jw_key(&w, "breached_count");
        svcq__jw_int(&w, x->breached_count);
        svcq__jw_object_end(&w);
    }
    svcq__jw_array_end(&w);
    svcq__jw_object_end(&w);
    svcq__free(ctx, st);
    rc = svcq__jw_finish(&w);
    if (rc == SVCQ_ENOMEM)
        return svcq__enomem(ctx);
    if (rc)
        return svcq__error(ctx, rc, "clock %s: writing the status JSON failed: %s", clock->key, svcq_strerror(rc));
    return SVCQ_OK;
}

/* Markdown cells: '|' and line breaks would end the cell or the row. */
static int md_cell(svcq__buf *b, const char *s)
{
    if (!*s)
        return svcq__buf_puts(b, " |");
    int rc = svcq__buf_puts(b, " ");
    for (; *s && rc == SVCQ_OK; s++) {
        if (*s == '|')
            rc = svcq__buf_puts(b, "\\|");
        else if (*s == '\n' || *s == '\r')
            rc = svcq__buf_putc(b, ' ');
        else
            rc = svcq__buf_putc(b, *s);
    }
    return rc ? rc : svcq__buf_puts(b, " |");
}

int svcq_sla_clock_export_markdown(const svcq_sla_clock *clock, svcq_time until, const svcq_tz *tz,
                                   const svcq_writer *writer)
{
    int rc = check_args(clock, tz, writer);
    if (rc)
        return rc;
    rows r;
    if ((rc = timeline(clock, until, &r)))
        return rc;
    const svcq_sla_policy *P = svcq__sla_clock_policy(clock);
    svcq__buf b;
    svcq__buf_init(&b, clock->ctx);
    bool mem = true; /* whether a failure below is a buffer's */
    rc = svcq__buf_puts(&b, "| time (");
    if (rc == SVCQ_OK)
        rc = svcq__buf_puts(&b, tz ? svcq_tz_name(tz) : "UTC");
    if (rc == SVCQ_OK)
        rc = svcq__buf_puts(&b, ") | target | what | detail |\n|---|---|---|---|\n");
    for (uint32_t i = 0; i < r.n && rc == SVCQ_OK; i++) {
        const row *x = &r.v[i];
        char when[64], detail[128];
        if ((rc = format_time(tz, x->at, true, when))) {
            mem = false;
            break;
        }
        rc = svcq__buf_puts(&b, "|");
        if (rc == SVCQ_OK)
            rc = md_cell(&b, when);
        if (x->target < 0) {
            const svcq__sla_event *e = &clock->events[x->index];
            if (rc == SVCQ_OK)
                rc = md_cell(&b, "");
            if (rc == SVCQ_OK)
                rc = md_cell(&b, svcq__intern_str(clock->ctx, e->name));
            const svcq_time *dues = svcq__sla_dues(clock);
            if (rc == SVCQ_OK && dues && dues[x->index] != NEVER) {
                char due[64], cell[80];
                if ((rc = format_time(tz, dues[x->index], true, due))) {
                    mem = false;
                    break;
                }
                snprintf(cell, sizeof(cell), "due %s", due);
                rc = md_cell(&b, cell);
            } else if (rc == SVCQ_OK) {
                rc = md_cell(&b, svcq__sla_clock_reason(clock, e->reason));
            }
        } else {
            const svcq__sla_target *T = &P->targets[x->target];
            if (rc == SVCQ_OK && (rc = notice_detail(T, x, tz, detail, sizeof(detail)))) {
                mem = false;
                break;
            }
            if (rc == SVCQ_OK)
                rc = md_cell(&b, T->metric);
            if (rc == SVCQ_OK)
                rc = md_cell(&b, kind_name(T->notice_kind[x->index]));
            if (rc == SVCQ_OK)
                rc = md_cell(&b, detail);
        }
        if (rc == SVCQ_OK)
            rc = svcq__buf_putc(&b, '\n');
    }
    svcq__free(clock->ctx, r.v);
    if (rc == SVCQ_OK) {
        rc = svcq_writer_write(writer, b.data, b.len);
        if (rc)
            rc = svcq__error(clock->ctx, rc, "clock %s: writing the Markdown timeline failed: the writer returned %s",
                             clock->key, svcq_strerror(rc));
    } else if (mem) {
        rc = svcq__enomem(clock->ctx);
    }
    svcq__buf_free(&b);
    return rc;
}
