/* A clock's timeline as JSON and as a Markdown table. */
#include <stdio.h>
#include <string.h>

#include "calendar/civil.h"
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
        rc = svcq__sla_fold_target(c->ctx, c->versions, c->nversions, c->events, c->nevents, j, until,
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

/* "2026-01-05T09:00:00Z" */
static void format_utc(svcq_time t, char out[48])
{
    int64_t days = svcq__floor_div(t, SVCQ__DAY), sod = svcq__floor_mod(t, SVCQ__DAY), y;
    int32_t m, d;
    svcq__civil_from_days(days, &y, &m, &d);
    snprintf(out, 48, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m, d, (int)(sod / 3600),
             (int)(sod / 60 % 60), (int)(sod % 60));
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

static int check_args(const svcq_sla_clock *clock, const svcq_writer *writer)
{
    if (!clock)
        return SVCQ_EINVAL;
    if (!writer)
        return svcq__error(clock->ctx, SVCQ_EINVAL, "clock %s: export: writer is NULL", clock->key);
    if (!writer->write)
        return svcq__error(clock->ctx, SVCQ_EINVAL, "clock %s: export: the writer has no callback", clock->key);
    return SVCQ_OK;
}

static void json_time(svcq__jw *w, const char *key, svcq_time t)
{
    svcq__jw_key(w, key);
    if (t == NEVER) {
        svcq__jw_null(w);
        return;
    }
    char iso[48];
    format_utc(t, iso);
    svcq__jw_string(w, iso);
}

int svcq_sla_clock_export_json(const svcq_sla_clock *clock, svcq_time until, const svcq_writer *writer)
{
    int rc = check_args(clock, writer);
    if (rc)
        return rc;
    rows r;
    if ((rc = timeline(clock, until, &r)))
        return rc;
    const svcq_sla_policy *P = svcq__sla_clock_policy(clock);
    svcq__jw w;
    svcq__jw_init_writer(&w, clock->ctx, writer);
    svcq__jw_set_pretty(&w, true);
    svcq__jw_object_begin(&w);
    svcq__jw_key(&w, "subject");
    svcq__jw_string(&w, clock->key);
    svcq__jw_key(&w, "policy");
    svcq__jw_string(&w, P->name);
    svcq__jw_key(&w, "version");
    svcq__jw_int(&w, P->version);
    json_time(&w, "until", until);
    svcq__jw_key(&w, "timeline");
    svcq__jw_array_begin(&w);
    for (uint32_t i = 0; i < r.n; i++) {
        const row *x = &r.v[i];
        svcq__jw_object_begin(&w);
        json_time(&w, "at", x->at);
        if (x->target < 0) {
            const svcq__sla_event *e = &clock->events[x->index];
            svcq__jw_key(&w, "type");
            svcq__jw_string(&w, "event");
            svcq__jw_key(&w, "event");
            svcq__jw_string(&w, svcq__intern_str(clock->ctx, e->name));
            if (e->reason) {
                svcq__jw_key(&w, "reason");
                svcq__jw_string(&w, svcq__sla_clock_reason(clock, e->reason));
            }
        } else {
            const svcq__sla_target *T = &P->targets[x->target];
            svcq__jw_key(&w, "type");
            svcq__jw_string(&w, kind_name(T->notice_kind[x->index]));
            svcq__jw_key(&w, "target");
            svcq__jw_string(&w, T->metric);
            svcq__jw_key(&w, "level");
            svcq__jw_int(&w, T->notice_level[x->index]);
            svcq__jw_key(&w, "cycle");
            svcq__jw_int(&w, x->cycle);
        }
        svcq__jw_object_end(&w);
    }
    svcq__jw_array_end(&w);
    svcq__jw_key(&w, "targets");
    svcq__jw_array_begin(&w);
    for (uint32_t j = 0; j < P->ntargets && rc == SVCQ_OK; j++) {
        svcq_sla_status st = { .version = SVCQ_SLA_STATUS_VERSION };
        if ((rc = svcq_sla_clock_status(&st, clock, j, until)))
            break;
        svcq__jw_object_begin(&w);
        svcq__jw_key(&w, "metric");
        svcq__jw_string(&w, st.metric);
        svcq__jw_key(&w, "state");
        svcq__jw_string(&w, state_name(st.state));
        json_time(&w, "started_at", st.started_at);
        json_time(&w, "due_at", st.due_at);
        json_time(&w, "met_at", st.met_at);
        json_time(&w, "breached_at", st.breached_at);
        svcq__jw_key(&w, "elapsed");
        svcq__jw_int(&w, st.elapsed);
        svcq__jw_key(&w, "remaining");
        svcq__jw_int(&w, st.remaining);
        svcq__jw_key(&w, "paused");
        svcq__jw_int(&w, st.paused);
        svcq__jw_key(&w, "escalation_level");
        svcq__jw_int(&w, st.escalation_level);
        svcq__jw_key(&w, "met_count");
        svcq__jw_int(&w, st.met_count);
        svcq__jw_key(&w, "breached_count");
        svcq__jw_int(&w, st.breached_count);
        svcq__jw_object_end(&w);
    }
    svcq__jw_array_end(&w);
    svcq__jw_object_end(&w);
    int wrc = svcq__jw_finish(&w);
    svcq__free(clock->ctx, r.v);
    return rc ? rc : wrc;
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
    int rc = check_args(clock, writer);
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

int svcq_sla_clock_export_markdown(const svcq_sla_clock *clock, svcq_time until, const svcq_writer *writer)
{
    int rc = check_args(clock, writer);
    if (rc)
        return rc;
    rows r;
    if ((rc = timeline(clock, until, &r)))
        return rc;
    const svcq_sla_policy *P = svcq__sla_clock_policy(clock);
    svcq__buf b;
    svcq__buf_init(&b, clock->ctx);
    rc = svcq__buf_puts(&b, "| time (UTC) | target | what | detail |\n|---|---|---|---|\n");
    for (uint32_t i = 0; i < r.n && rc == SVCQ_OK; i++) {
        const row *x = &r.v[i];
        char iso[48], detail[64];
        format_utc(x->at, iso);
        rc = svcq__buf_puts(&b, "|");
        if (rc == SVCQ_OK)
            rc = md_cell(&b, iso);
        if (x->target < 0) {
            const svcq__sla_event *e = &clock->events[x->index];
            if (rc == SVCQ_OK)
                rc = md_cell(&b, "");
            if (rc == SVCQ_OK)
                rc = md_cell(&b, svcq__intern_str(clock->ctx, e->name));
            if (rc == SVCQ_OK)
                rc = md_cell(&b, svcq__sla_clock_reason(clock, e->reason));
        } else {
            const svcq__sla_target *T = &P->targets[x->target];
            int32_t kind = T->notice_kind[x->index], level = T->notice_level[x->index];
            if (kind == SVCQ_SLA_NOTICE_WARNING)
                snprintf(detail, sizeof(detail), "%d %%, cycle %u", level, x->cycle);
            else if (kind == SVCQ_SLA_NOTICE_BREACH)
                snprintf(detail, sizeof(detail), "cycle %u", x->cycle);
            else
                snprintf(detail, sizeof(detail), "level %d (%u %%), cycle %u", level,
                         T->esc_pct[level - 1], x->cycle);
            if (rc == SVCQ_OK)
                rc = md_cell(&b, T->metric);
            if (rc == SVCQ_OK)
                rc = md_cell(&b, kind_name(kind));
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
    } else {
        rc = svcq__enomem(clock->ctx);
    }
    svcq__buf_free(&b);
    return rc;
}
