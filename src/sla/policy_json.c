/* SLA policies as JSON documents, schema "svcq.sla_policy/1" (docs/format.md):
 *
 *   {"schema": "svcq.sla_policy/1", "name": "tier.1", "version": 1,
 *    "change_mode": "keep", "close_event": "closed",
 *    "calendars": [{"schema": "svcq.calendar/1", ...}],
 *    "targets": [{"metric": "first_response", "start_event": "request_received",
 *                 "meet_event": "first_contact", "pause_event": "pause",
 *                 "resume_event": "resume", "duration": 1800, "unit": "seconds",
 *                 "calendar": 0, "warn_percent": [50, 80],
 *                 "escalate_percent": [150, 200], "recurring": false}]}
 *
 * Each distinct calendar (by its JSON text) is written once in "calendars";
 * a target names it by index, or has "calendar": null for 7×24 in UTC.
 * Optional events are left out when unset. The stored record of kind
 * "sla_policy" is the compact form of the same document. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "calendar/calendar_internal.h"
#include "core/buf.h"
#include "core/json.h"
#include "sla/sla_internal.h"
#include "store/record.h"

/* ---- export ------------------------------------------------------------- */

typedef struct cal_set {
    svcq__buf text[SVCQ__SLA_MAX_TARGETS]; /* each distinct calendar's document */
    uint32_t n;
    int32_t index[SVCQ__SLA_MAX_TARGETS];  /* per target: its calendar, -1 for 7×24 */
} cal_set;

static void cal_set_free(cal_set *cs)
{
    for (uint32_t i = 0; i < cs->n; i++)
        svcq__buf_free(&cs->text[i]);
}

/* Encodes every target's calendar and keeps the distinct ones. */
static int cal_set_build(svcq_ctx *ctx, const svcq_sla_policy *p, cal_set *cs)
{
    cs->n = 0;
    for (uint32_t j = 0; j < p->ntargets; j++) {
        cs->index[j] = -1;
        if (!p->targets[j].cal)
            continue;
        svcq__buf *b = &cs->text[cs->n];
        svcq__buf_init(b, ctx);
        int rc = svcq__calendar_encode(p->targets[j].cal, b);
        if (rc) {
            svcq__buf_free(b);
            if (rc == SVCQ_ESTATE) {
                rc = svcq__error_prefix(ctx, rc, "policy %s: target %s", p->name, p->targets[j].metric);
            }
            return rc;
        }
        uint32_t k = 0;
        while (k < cs->n && !(cs->text[k].len == b->len && memcmp(cs->text[k].data, b->data, b->len) == 0))
            k++;
        if (k < cs->n)
            svcq__buf_free(b);
        else
            cs->n++;
        cs->index[j] = (int32_t)k;
    }
    return SVCQ_OK;
}

static int write_opt(svcq__jw *w, const char *key, const char *value)
{
    if (!value)
        return SVCQ_OK;
    int rc = svcq__jw_key(w, key);
    return rc ? rc : svcq__jw_string(w, value);
}

static int write_percents(svcq__jw *w, const char *key, const uint32_t *v, uint32_t n)
{
    int rc = svcq__jw_key(w, key);
    if (rc == SVCQ_OK)
        rc = svcq__jw_array_begin(w);
    for (uint32_t i = 0; i < n && rc == SVCQ_OK; i++)
        rc = svcq__jw_int(w, v[i]);
    if (rc == SVCQ_OK)
        rc = svcq__jw_array_end(w);
    return rc;
}

static int write_target(svcq__jw *w, const svcq__sla_target *t, int32_t cal)
{
    int rc = svcq__jw_object_begin(w);
    if (rc == SVCQ_OK)
        rc = write_opt(w, "metric", t->metric);
    if (rc == SVCQ_OK)
        rc = write_opt(w, "start_event", t->start_name);
    if (rc == SVCQ_OK)
        rc = write_opt(w, "meet_event", t->meet_name);
    if (rc == SVCQ_OK)
        rc = write_opt(w, "stop_event", t->stop_name);
    if (rc == SVCQ_OK)
        rc = write_opt(w, "pause_event", t->pause_name);
    if (rc == SVCQ_OK)
        rc = write_opt(w, "resume_event", t->resume_name);
    if (rc == SVCQ_OK)
        rc = write_opt(w, "restart_event", t->restart_name);
    if (rc == SVCQ_OK)
        rc = svcq__jw_key(w, "duration");
    if (rc == SVCQ_OK)
        rc = svcq__jw_int(w, t->duration);
    if (rc == SVCQ_OK)
        rc = write_opt(w, "unit", svcq_sla_unit_name(t->duration_unit));
    if (rc == SVCQ_OK)
        rc = svcq__jw_key(w, "calendar");
    if (rc == SVCQ_OK)
        rc = cal < 0 ? svcq__jw_null(w) : svcq__jw_int(w, cal);
    if (rc == SVCQ_OK)
        rc = write_percents(w, "warn_percent", t->warn_pct, t->nwarn);
    if (rc == SVCQ_OK)
        rc = write_percents(w, "escalate_percent", t->esc_pct, t->nesc);
    if (rc == SVCQ_OK)
        rc = svcq__jw_key(w, "recurring");
    if (rc == SVCQ_OK)
        rc = svcq__jw_bool(w, t->recurring);
    if (rc == SVCQ_OK)
        rc = svcq__jw_object_end(w);
    return rc;
}

/* Writes one calendar document (text produced by the calendar module) as
 * a value of w. */
static int write_calendar(svcq__jw *w, svcq_ctx *ctx, const svcq__buf *text)
{
    svcq__json_doc *doc;
    int rc = svcq__json_parse(ctx, text->data, text->len, NULL, &doc);
    if (rc)
        return rc;
    rc = svcq__jw_value(w, svcq__json_root(doc));
    svcq__json_doc_free(doc);
    return rc;
}

int svcq__sla_policy_encode(const svcq_sla_policy *p, svcq__buf *out, bool pretty)
{
    svcq_ctx *ctx = p->ctx;
    /* The calendar texts and the writer state are large: off the stack. */
    cal_set *cs = svcq__malloc(ctx, sizeof(*cs));
    svcq__jw *w = svcq__malloc(ctx, sizeof(*w));
    if (!cs || !w) {
        svcq__free(ctx, cs);
        svcq__free(ctx, w);
        return svcq__enomem(ctx);
    }
    int rc = cal_set_build(ctx, p, cs);
    if (rc) {
        svcq__free(ctx, cs);
        svcq__free(ctx, w);
        return rc;
    }
    svcq__jw_init_buf(w, ctx, out);
    rc = svcq__jw_set_pretty(w, pretty);
    if (rc == SVCQ_OK)
        rc = svcq__record_begin(w, SVCQ__SLA_POLICY_KIND, SVCQ__SLA_POLICY_SCHEMA);
    if (rc == SVCQ_OK)
        rc = write_opt(w, "name", p->name);
    if (rc == SVCQ_OK)
        rc = svcq__jw_key(w, "version");
    if (rc == SVCQ_OK)
        rc = svcq__jw_int(w, p->version);
    if (rc == SVCQ_OK)
        rc = write_opt(w, "change_mode", svcq_sla_change_mode_name(p->change_mode));
    if (rc == SVCQ_OK)
        rc = write_opt(w, "close_event", p->close_name);
    if (rc == SVCQ_OK)
        rc = svcq__jw_key(w, "calendars");
    if (rc == SVCQ_OK)
        rc = svcq__jw_array_begin(w);
    for (uint32_t i = 0; i < cs->n && rc == SVCQ_OK; i++)
        rc = write_calendar(w, ctx, &cs->text[i]);
    if (rc == SVCQ_OK)
        rc = svcq__jw_array_end(w);
    if (rc == SVCQ_OK)
        rc = svcq__jw_key(w, "targets");
    if (rc == SVCQ_OK)
        rc = svcq__jw_array_begin(w);
    for (uint32_t j = 0; j < p->ntargets && rc == SVCQ_OK; j++)
        rc = write_target(w, &p->targets[j], cs->index[j]);
    if (rc == SVCQ_OK)
        rc = svcq__jw_array_end(w);
    int frc = svcq__record_end(w);
    cal_set_free(cs);
    svcq__free(ctx, cs);
    svcq__free(ctx, w);
    return rc ? rc : frc;
}

int svcq_sla_policy_export_json(const svcq_sla_policy *policy, const svcq_writer *writer, uint32_t flags)
{
    if (!policy || !writer)
        return svcq__error(policy ? policy->ctx : NULL, SVCQ_EINVAL,
                           "svcq_sla_policy_export_json: NULL %s", policy ? "writer" : "policy");
    svcq_ctx *ctx = policy->ctx;
    if (flags & ~SVCQ_SLA_POLICY_JSON_PRETTY)
        return svcq__error(ctx, SVCQ_EINVAL, "policy %s: export: unknown flags 0x%x", policy->name, flags);
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    int rc = svcq__sla_policy_encode(policy, &b, (flags & SVCQ_SLA_POLICY_JSON_PRETTY) != 0);
    if (rc == SVCQ_OK) {
        rc = svcq_writer_write(writer, b.data, b.len);
        if (rc)
            rc = svcq__error(ctx, rc, "policy %s: export: the writer failed: %s", policy->name,
                             svcq_strerror(rc));
    }
    svcq__buf_free(&b);
    return rc;
}

/* ---- import ------------------------------------------------------------- */

/* Puts the place in the document before the message the failing call set:
 * "targets[2]: field \"duration\": ...". Out of memory stays as it is. */
static int at(svcq_ctx *ctx, int rc, const char *fmt, ...) SVCQ__PRINTF(3, 4);
static int at(svcq_ctx *ctx, int rc, const char *fmt, ...)
{
    if (rc == SVCQ_OK || rc == SVCQ_ENOMEM)
        return rc;
    char where[64], why[SVCQ__ERRMSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(where, sizeof(where), fmt, ap);
    va_end(ap);
    snprintf(why, sizeof(why), "%s", svcq_ctx_errmsg(ctx));
    return svcq__error(ctx, rc, "sla_policy document: %s: %s", where, why);
}

#define BAD(...) svcq__error(ctx, SVCQ_ECORRUPT, __VA_ARGS__)

static int lookup(const char *(*name)(int32_t), const char *s, int32_t *out)
{
    for (int32_t v = 0; name(v); v++)
        if (strcmp(name(v), s) == 0) {
            *out = v;
            return 1;
        }
    return 0;
}

static int read_percents(svcq_ctx *ctx, const svcq__json *obj, const char *key, size_t j, uint32_t *v,
                         uint32_t *n)
{
    const svcq__json *arr = NULL;
    int rc = svcq__json_get_array(ctx, obj, key, false, &arr);
    if (rc)
        return at(ctx, rc, "targets[%zu]", j);
    size_t len = svcq__json_array_size(arr);
    if (len > SVCQ_SLA_MAX_LEVELS)
        return BAD("sla_policy document: targets[%zu].%s: %zu entries (at most %d)", j, key, len,
                   SVCQ_SLA_MAX_LEVELS);
    for (size_t i = 0; i < len; i++) {
        int64_t x;
        if (!svcq__json_as_int(svcq__json_array_get(arr, i), &x) || x < 0 || x > UINT32_MAX)
            return BAD("sla_policy document: targets[%zu].%s[%zu]: expected a percent (an integer "
                       "from 0 to 4294967295)", j, key, i);
        v[i] = (uint32_t)x;
    }
    *n = (uint32_t)len;
    return SVCQ_OK;
}

static int read_target(svcq_ctx *ctx, svcq_sla_policy *p, const svcq__json *t, size_t j,
                       svcq_calendar *const *cals, size_t ncals)
{
    if (svcq__json_typeof(t) != SVCQ__JSON_OBJECT)
        return BAD("sla_policy document: targets[%zu]: expected an object, found %s", j,
                   svcq__json_type_name(svcq__json_typeof(t)));
    svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
    static const char *const keys[7] = { "metric", "start_event", "meet_event", "stop_event",
                                         "pause_event", "resume_event", "restart_event" };
    const char **fields[7] = { &s.metric, &s.start_event, &s.meet_event, &s.stop_event,
                               &s.pause_event, &s.resume_event, &s.restart_event };
    int rc;
    for (int k = 0; k < 7; k++)
        if ((rc = svcq__json_get_string(ctx, t, keys[k], k < 3, fields[k], NULL)) != SVCQ_OK)
            return at(ctx, rc, "targets[%zu]", j);
    if ((rc = svcq__json_get_int(ctx, t, "duration", true, &s.duration)) != SVCQ_OK)
        return at(ctx, rc, "targets[%zu]", j);
    const char *unit = NULL;
    if ((rc = svcq__json_get_string(ctx, t, "unit", false, &unit, NULL)) != SVCQ_OK)
        return at(ctx, rc, "targets[%zu]", j);
    int32_t u = SVCQ_SLA_UNIT_SECONDS;
    if (unit && !lookup(svcq_sla_unit_name, unit, &u))
        return BAD("sla_policy document: targets[%zu].unit: \"%.32s\" is not \"seconds\", "
                   "\"business_days\" or \"event_due\"", j, unit);
    s.duration_unit = (uint32_t)u;
    int64_t ci = -1;
    if ((rc = svcq__json_get_int(ctx, t, "calendar", false, &ci)) != SVCQ_OK)
        return at(ctx, rc, "targets[%zu]", j);
    if (ci != -1 || svcq__json_get(t, "calendar")) {
        if (svcq__json_typeof(svcq__json_get(t, "calendar")) != SVCQ__JSON_NULL &&
            (ci < 0 || (uint64_t)ci >= ncals))
            return BAD("sla_policy document: targets[%zu].calendar: index %lld is not one of the "
                       "%zu calendars", j, (long long)ci, ncals);
    }
    s.calendar = ci >= 0 ? cals[ci] : NULL;
    if ((rc = read_percents(ctx, t, "warn_percent", j, s.warn_percent, &s.warn_count)) ||
        (rc = read_percents(ctx, t, "escalate_percent", j, s.escalate_percent, &s.escalate_count)))
        return rc;
    bool rec = false;
    if ((rc = svcq__json_get_bool(ctx, t, "recurring", false, &rec)) != SVCQ_OK)
        return at(ctx, rc, "targets[%zu]", j);
    s.recurring = rec;
    return at(ctx, svcq_sla_policy_add_target(p, &s), "targets[%zu]", j);
}

int svcq__sla_policy_decode(svcq_ctx *ctx, const svcq__json *root, const char *zoneinfo_dir,
                            svcq_sla_policy **out)
{
    uint32_t major;
    int rc = svcq__record_check(ctx, root, SVCQ__SLA_POLICY_KIND, SVCQ__SLA_POLICY_SCHEMA, &major);
    if (rc)
        return rc;
    const char *name;
    int64_t version;
    if ((rc = svcq__json_get_string(ctx, root, "name", true, &name, NULL)) ||
        (rc = svcq__json_get_int(ctx, root, "version", true, &version)))
        return at(ctx, rc, "top level");
    if (version < 1 || version > UINT32_MAX)
        return BAD("sla_policy document: version: %lld is not from 1 to 4294967295", (long long)version);
    const char *mode = NULL, *close = NULL;
    const svcq__json *cals_json = NULL, *targets = NULL;
    if ((rc = svcq__json_get_string(ctx, root, "change_mode", false, &mode, NULL)) ||
        (rc = svcq__json_get_string(ctx, root, "close_event", false, &close, NULL)) ||
        (rc = svcq__json_get_array(ctx, root, "calendars", false, &cals_json)) ||
        (rc = svcq__json_get_array(ctx, root, "targets", true, &targets)))
        return at(ctx, rc, "top level");
    int32_t m = SVCQ_SLA_CHANGE_KEEP;
    if (mode && !lookup(svcq_sla_change_mode_name, mode, &m))
        return BAD("sla_policy document: change_mode: \"%.32s\" is not \"keep\", \"recompute\" or \"carry\"",
                   mode);
    size_t ncals = svcq__json_array_size(cals_json);
    if (ncals > SVCQ__SLA_MAX_TARGETS)
        return svcq__error(ctx, SVCQ_ELIMIT, "sla_policy document: calendars: %zu calendars (at most %d)",
                           ncals, SVCQ__SLA_MAX_TARGETS);
    if (svcq__json_array_size(targets) > SVCQ__SLA_MAX_TARGETS)
        return svcq__error(ctx, SVCQ_ELIMIT, "sla_policy document: targets: %zu targets (at most %d)",
                           svcq__json_array_size(targets), SVCQ__SLA_MAX_TARGETS);

    svcq_sla_policy *p = NULL;
    rc = at(ctx, svcq_sla_policy_new(&p, ctx, name, (uint32_t)version), "name");
    if (rc == SVCQ_OK)
        rc = at(ctx, svcq_sla_policy_set_change_mode(p, m), "change_mode");
    if (rc == SVCQ_OK)
        rc = at(ctx, svcq_sla_policy_set_close_event(p, close), "close_event");
    svcq_calendar **cals = NULL;
    if (rc == SVCQ_OK && ncals) {
        cals = svcq__calloc(ctx, ncals, sizeof(*cals));
        if (!cals)
            rc = svcq__enomem(ctx);
    }
    for (size_t i = 0; i < ncals && rc == SVCQ_OK; i++)
        rc = at(ctx, svcq__calendar_decode(ctx, svcq__json_array_get(cals_json, i), zoneinfo_dir, NULL, &cals[i]),
                "calendars[%zu]", i);
    for (size_t j = 0; j < svcq__json_array_size(targets) && rc == SVCQ_OK; j++)
        rc = read_target(ctx, p, svcq__json_array_get(targets, j), j, cals, ncals);
    for (size_t i = 0; cals && i < ncals; i++)
        svcq_calendar_free(cals[i]);
    svcq__free(ctx, cals);
    if (rc) {
        svcq_sla_policy_free(p);
        return rc;
    }
    *out = p;
    return SVCQ_OK;
}

int svcq_sla_policy_import_json(svcq_sla_policy **out, svcq_ctx *ctx, const char *json, size_t size,
                                const char *zoneinfo_dir)
{
    if (out)
        *out = NULL;
    if (!out || !ctx || (!json && size))
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_sla_policy_import_json: NULL %s",
                           !out ? "out" : !ctx ? "ctx" : "json");
    svcq__json_doc *doc;
    int rc = svcq__json_parse(ctx, json, size, NULL, &doc);
    if (rc)
        return rc;
    rc = svcq__sla_policy_decode(ctx, svcq__json_root(doc), zoneinfo_dir, out);
    svcq__json_doc_free(doc);
    return rc;
}
