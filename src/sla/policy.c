#include <stdio.h>
#include <string.h>

#include "core/intern.h"
#include "core/str.h"
#include "core/utf8.h"
#include "sla/sla_internal.h"
#include "store/store.h"

static const char *const event_names[] = {
    SVCQ_SLA_EVENT_REQUEST_RECEIVED, SVCQ_SLA_EVENT_FIRST_CONTACT,
    SVCQ_SLA_EVENT_SOLUTION_DRAFTED, SVCQ_SLA_EVENT_SOLUTION_PRESENTED,
    SVCQ_SLA_EVENT_SOLUTION_CONFIRMED, SVCQ_SLA_EVENT_REPLY_COMMITTED,
    SVCQ_SLA_EVENT_EXECUTION_STARTED, SVCQ_SLA_EVENT_PROGRESS_UPDATE,
    SVCQ_SLA_EVENT_SERVICE_COMPLETED, SVCQ_SLA_EVENT_ACCEPTANCE_INVITED,
    SVCQ_SLA_EVENT_RESULT_REPORTED, SVCQ_SLA_EVENT_PAUSE,
    SVCQ_SLA_EVENT_RESUME, SVCQ_SLA_EVENT_CLOSED,
};

const char *svcq_sla_event_name(int32_t id)
{
    if (id < 0 || (size_t)id >= sizeof(event_names) / sizeof(event_names[0]))
        return NULL;
    return event_names[id];
}

int svcq__sla_add(svcq_ctx *ctx, svcq_calendar *cal, svcq_time start, int64_t secs, svcq_time *out)
{
    if (cal) {
        int rc = svcq_calendar_add(out, cal, start, secs);
        if (rc)
            return svcq__error(ctx, rc, "SLA deadline: %s", svcq_strerror(rc));
        return SVCQ_OK;
    }
    if (__builtin_add_overflow(start, secs, out) || *out == SVCQ_SLA_NEVER)
        return svcq__error(ctx, SVCQ_ERANGE, "SLA deadline out of range");
    return SVCQ_OK;
}

int svcq__sla_diff(svcq_ctx *ctx, svcq_calendar *cal, svcq_time a, svcq_time b, int64_t *out)
{
    if (cal) {
        int rc = svcq_calendar_diff(out, cal, a, b);
        if (rc)
            return svcq__error(ctx, rc, "SLA elapsed time: %s", svcq_strerror(rc));
        return SVCQ_OK;
    }
    if (__builtin_sub_overflow(b, a, out))
        return svcq__error(ctx, SVCQ_ERANGE, "SLA elapsed time out of range");
    return SVCQ_OK;
}

int svcq_sla_target_spec_init(svcq_sla_target_spec *spec, uint32_t version)
{
    return svcq__table_init(spec, sizeof(*spec), version, SVCQ_SLA_TARGET_SPEC_VERSION);
}

/* Names become parts of store ids and JSON documents: valid UTF-8 without
 * control characters (U+0000-U+001F, U+007F), 1 to SVCQ__SLA_NAME_MAX bytes.
 * who names the object ("policy tier.1", "policy tier.1: target x") or is
 * NULL; what names the field. */
static int check_name(svcq_ctx *ctx, const char *who, const char *what, const char *s, bool required)
{
    const char *sep = who ? ": " : "";
    who = who ? who : "";
    if (!s) {
        if (required)
            return svcq__error(ctx, SVCQ_EINVAL, "%s%s%s: missing", who, sep, what);
        return SVCQ_OK;
    }
    size_t n = strlen(s);
    if (n == 0 || n > SVCQ__SLA_NAME_MAX)
        return svcq__error(ctx, SVCQ_EINVAL, "%s%s%s: must be 1 to %d bytes, not %zu", who, sep, what,
                           SVCQ__SLA_NAME_MAX, n);
    if (!svcq__utf8_valid(s, n))
        return svcq__error(ctx, SVCQ_EINVAL, "%s%s%s: invalid UTF-8", who, sep, what);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
            return svcq__error(ctx, SVCQ_EINVAL, "%s%s%s: control character U+%04X at byte %zu", who, sep,
                               what, (unsigned)(unsigned char)s[i], i);
    return SVCQ_OK;
}

/* Length of the id of a clock record for a policy name of p bytes and a
 * subject of s bytes: "<p>:<policy name>/<subject>" (src/sla/persist.c). */
static size_t clock_id_len(size_t p, size_t s)
{
    size_t digits = 1;
    for (size_t v = p; v >= 10; v /= 10)
        digits++;
    return digits + 1 + p + 1 + s;
}

/* Longest policy name whose clocks fit a store id for every subject a
 * clock takes (up to SVCQ__SLA_NAME_MAX bytes): 252 bytes. */
static size_t policy_name_max(void)
{
    size_t n = SVCQ__SLA_NAME_MAX;
    while (n > 0 && clock_id_len(n, SVCQ__SLA_NAME_MAX) > SVCQ_STORE_MAX_ID)
        n--;
    return n;
}

int svcq__sla_check_policy_name(svcq_ctx *ctx, const char *name)
{
    int rc = check_name(ctx, NULL, "policy name", name, true);
    if (rc)
        return rc;
    size_t n = strlen(name), max = policy_name_max();
    if (n > max)
        return svcq__error(ctx, SVCQ_EINVAL,
                           "policy name: %zu bytes is too long: its clocks are stored under ids "
                           "\"<length>:<policy>/<subject>\" of at most %d bytes with subjects up to %d "
                           "bytes, so a policy name has at most %zu bytes",
                           n, SVCQ_STORE_MAX_ID, SVCQ__SLA_NAME_MAX, max);
    return SVCQ_OK;
}

int svcq_sla_policy_new(svcq_sla_policy **out, svcq_ctx *ctx, const char *name, uint32_t version)
{
    if (out)
        *out = NULL;
    if (!out || !ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_sla_policy_new: NULL %s", !out ? "out" : "ctx");
    int rc = svcq__sla_check_policy_name(ctx, name);
    if (rc)
        return rc;
    if (version == 0)
        return svcq__error(ctx, SVCQ_EINVAL, "policy %s: version must be at least 1", name);
    svcq_sla_policy *p = svcq__calloc(ctx, 1, sizeof(*p));
    if (!p)
        return svcq__enomem(ctx);
    p->ctx = ctx;
    p->refs = 1;
    p->version = version;
    p->change_mode = SVCQ_SLA_CHANGE_KEEP;
    rc = svcq__strdup(ctx, "policy name", name, &p->name);
    if (rc) {
        svcq__free(ctx, p);
        return rc;
    }
    *out = p;
    return SVCQ_OK;
}

static void target_clear(svcq_ctx *ctx, svcq__sla_target *t)
{
    svcq__free(ctx, t->metric);
    svcq__free(ctx, t->start_name);
    svcq__free(ctx, t->meet_name);
    svcq__free(ctx, t->stop_name);
    svcq__free(ctx, t->pause_name);
    svcq__free(ctx, t->resume_name);
    svcq__free(ctx, t->restart_name);
    svcq_calendar_free(t->cal);
}

static void policy_destroy(svcq_sla_policy *p)
{
    svcq_ctx *ctx = p->ctx;
    svcq__undo_detach(ctx, p);
    for (uint32_t i = 0; i < p->ntargets; i++)
        target_clear(ctx, &p->targets[i]);
    svcq__free(ctx, p->targets);
    svcq__free(ctx, p->name);
    svcq__free(ctx, p->close_name);
    svcq__free(ctx, p);
}

void svcq__sla_policy_retain(svcq_sla_policy *p)
{
    p->refs++;
    p->frozen = true;
}

void svcq__sla_policy_release(svcq_sla_policy *p)
{
    if (p && --p->refs == 0)
        policy_destroy(p);
}

void svcq_sla_policy_free(svcq_sla_policy *policy)
{
    svcq__sla_policy_release(policy);
}

static int copy_event(svcq_ctx *ctx, const char *what, const char *s, char **name, uint32_t *id)
{
    *name = NULL;
    *id = 0;
    if (!s)
        return SVCQ_OK;
    int rc = svcq__strdup(ctx, what, s, name);
    if (rc)
        return rc;
    rc = svcq__intern(ctx, s, strlen(s), id);
    if (rc) {
        svcq__free(ctx, *name);
        *name = NULL;
        return svcq__enomem(ctx);
    }
    return SVCQ_OK;
}

void svcq__sla_standard_levels(svcq_sla_target_spec *spec)
{
    spec->warn_count = 2;
    spec->warn_percent[0] = 50;
    spec->warn_percent[1] = 80;
    spec->escalate_count = 2;
    spec->escalate_percent[0] = 150;
    spec->escalate_percent[1] = 200;
}

int64_t svcq__sla_percent(int64_t d, uint32_t pct)
{
    /* ceil((100 q + r) p / 100) = q p + ceil(r p / 100), without overflow */
    int64_t q = d / 100, r = d % 100, out;
    if (__builtin_mul_overflow(q, (int64_t)pct, &out) ||
        __builtin_add_overflow(out, (r * (int64_t)pct + 99) / 100, &out))
        return INT64_MAX;
    return out;
}

/* The notices of a cycle as percentages of its duration; the seconds are
 * worked out per cycle from the state's resolved duration. */
static void build_notices(svcq__sla_target *t)
{
    t->nnotices = 0;
    if (!svcq__sla_has_deadline(t))
        return;
    for (uint32_t i = 0; i < t->nwarn; i++) {
        t->notice_pct[t->nnotices] = t->warn_pct[i];
        t->notice_kind[t->nnotices] = SVCQ_SLA_NOTICE_WARNING;
        t->notice_level[t->nnotices++] = (int32_t)t->warn_pct[i];
    }
    t->notice_pct[t->nnotices] = 100;
    t->notice_kind[t->nnotices] = SVCQ_SLA_NOTICE_BREACH;
    t->notice_level[t->nnotices++] = 0;
    for (uint32_t i = 0; i < t->nesc; i++) {
        t->notice_pct[t->nnotices] = t->esc_pct[i];
        t->notice_kind[t->nnotices] = SVCQ_SLA_NOTICE_ESCALATION;
        t->notice_level[t->nnotices++] = (int32_t)(i + 1);
    }
}

/* "calendar \"support-cn\"" for a saved or loaded calendar, else
 * "calendar in Asia/Shanghai": what a message calls the calendar. */
static const char *calendar_label(char *buf, size_t size, const svcq_calendar *cal)
{
    const char *id = svcq_calendar_id(cal);
    if (id)
        snprintf(buf, size, "calendar \"%s\"", id);
    else
        snprintf(buf, size, "calendar in %s", svcq_tz_name(svcq_calendar_tz(cal)));
    return buf;
}

/* Business seconds of the calendar's weekly hours (capped at a week) and
 * the number of weekdays that open. */
static void weekly_hours(const svcq_calendar *cal, int64_t *secs, int64_t *days)
{
    *secs = 0;
    *days = 0;
    for (int32_t d = SVCQ_MONDAY; d <= SVCQ_SUNDAY; d++) {
        const int32_t *iv = NULL;
        size_t n = 0;
        if (svcq_calendar_get_weekday(&iv, &n, cal, d) != SVCQ_OK)
            continue;
        for (size_t i = 0; i < n; i++)
            *secs += iv[2 * i + 1] - iv[2 * i];
        *days += n > 0;
    }
    if (*secs > 7 * 86400)
        *secs = 7 * 86400;
}

/* Upper bounds of the business seconds and business days a calendar has
 * in its whole supported range: every week of the range at its weekly
 * hours, plus every dated exception that opens at up to 48 hours. A
 * calendar whose bounds are 0 never opens. NULL is 7×24. */
static void calendar_capacity(const svcq_calendar *cal, int64_t *secs, int64_t *days)
{
    svcq_time lo, hi;
    svcq_calendar_range(&lo, &hi);
    int64_t weeks = (hi - lo) / (7 * 86400) + 2;
    if (!cal) {
        *secs = hi - lo;
        *days = (hi - lo) / 86400 + 1;
        return;
    }
    int64_t wsecs, wdays;
    weekly_hours(cal, &wsecs, &wdays);
    *secs = weeks * wsecs;
    *days = weeks * wdays;
    for (size_t i = 0; i < svcq_calendar_date_count(cal); i++) {
        int32_t y, m, d, kind, like;
        const int32_t *iv;
        size_t n;
        if (svcq_calendar_date_at(&y, &m, &d, &kind, &like, &iv, &n, cal, i) != SVCQ_OK)
            continue;
        bool opens = kind == SVCQ_DATE_HOURS ? n > 0 : kind == SVCQ_DATE_LIKE ? wdays > 0 : false;
        if (kind == SVCQ_DATE_LIKE && opens) {
            const int32_t *liv = NULL;
            size_t ln = 0;
            opens = svcq_calendar_get_weekday(&liv, &ln, cal, like) == SVCQ_OK && ln > 0;
        }
        if (opens) {
            *secs += 2 * 86400;
            *days += 1;
        }
    }
}

/* The calendar checks of a target: it opens at some time, and its duration
 * — up to its last escalation, max_pct percent of it — fits the business
 * time of the supported range, so that no notice of a cycle is refused
 * later for a duration the policy allowed (a cycle that starts too late in
 * the range still gets SVCQ_ERANGE at its event). */
static int check_calendar(svcq_sla_policy *p, const char *metric, const svcq_calendar *cal, int64_t duration,
                          uint32_t unit, uint32_t max_pct)
{
    int64_t secs, days;
    calendar_capacity(cal, &secs, &days);
    char label[SVCQ__SLA_NAME_MAX + 32];
    if (cal && secs == 0)
        return svcq__error(p->ctx, SVCQ_EINVAL,
                           "policy %s: target %s: %s never opens (no weekly hours and no dated "
                           "exception that opens)", p->name, metric, calendar_label(label, sizeof(label), cal));
    int64_t cap = unit == SVCQ_SLA_UNIT_BUSINESS_DAYS ? days : secs;
    /* duration is at most INT64_MAX / 1000 and max_pct at most 100000:
     * svcq__sla_percent does not saturate. */
    int64_t reach = svcq__sla_percent(duration, max_pct);
    if (reach > cap) {
        if (cal)
            calendar_label(label, sizeof(label), cal);
        else
            snprintf(label, sizeof(label), "the 7x24 calendar");
        const char *u = unit == SVCQ_SLA_UNIT_BUSINESS_DAYS ? "business days" : "business seconds";
        if (max_pct > 100)
            return svcq__error(p->ctx, SVCQ_EINVAL,
                               "policy %s: target %s: a duration of %lld %s escalated to %u %% (%lld %s) is "
                               "beyond the range of %s (at most %lld from 1900 to 9999)", p->name, metric,
                               (long long)duration, u, max_pct, (long long)reach, u, label, (long long)cap);
        return svcq__error(p->ctx, SVCQ_EINVAL,
                           "policy %s: target %s: a duration of %lld %s is beyond the range of %s "
                           "(at most %lld from 1900 to 9999)", p->name, metric, (long long)duration, u, label,
                           (long long)cap);
    }
    return SVCQ_OK;
}

static int validate_spec(svcq_sla_policy *p, const svcq_sla_target_spec *s)
{
    svcq_ctx *ctx = p->ctx;
    int rc;
    char who[2 * SVCQ__SLA_NAME_MAX + 32];
    snprintf(who, sizeof(who), "policy %s: target %s", p->name,
             s->metric && strlen(s->metric) <= SVCQ__SLA_NAME_MAX && svcq__utf8_valid(s->metric, strlen(s->metric))
                 ? s->metric : "?");
    if (s->reserved0 || !svcq__all_zero(s->reserved, sizeof(s->reserved)))
        return svcq__error(ctx, SVCQ_EINVAL, "%s: reserved fields of the spec must be zero", who);
    /* Version 1 callers had reserved space where v2 put these: zero there. */
    uint32_t unit = s->version >= 2 ? s->duration_unit : 0;
    const char *restart = s->version >= 2 ? s->restart_event : NULL;
    if (s->version < 2 && (s->duration_unit || s->restart_event))
        return svcq__error(ctx, SVCQ_EINVAL, "%s: reserved fields of the spec must be zero", who);
    if (unit > SVCQ_SLA_UNIT_EVENT_DUE)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: unknown duration unit %u", who, unit);
    if (unit == SVCQ_SLA_UNIT_EVENT_DUE && s->duration)
        return svcq__error(ctx, SVCQ_EINVAL,
                           "%s: duration %lld with unit event_due: the due comes with the start or restart "
                           "event, the duration must be 0", who, (long long)s->duration);
    if (unit == SVCQ_SLA_UNIT_EVENT_DUE && s->recurring)
        return svcq__error(ctx, SVCQ_EINVAL,
                           "%s: a target of unit event_due cannot recur (a recurring meet carries no due)", who);
    if ((rc = check_name(ctx, who, "metric", s->metric, true)) ||
        (rc = check_name(ctx, who, "start_event", s->start_event, true)) ||
        (rc = check_name(ctx, who, "meet_event", s->meet_event, true)) ||
        (rc = check_name(ctx, who, "stop_event", s->stop_event, false)) ||
        (rc = check_name(ctx, who, "pause_event", s->pause_event, false)) ||
        (rc = check_name(ctx, who, "resume_event", s->resume_event, false)) ||
        (rc = check_name(ctx, who, "restart_event", restart, false)))
        return rc;
    if (!s->pause_event != !s->resume_event)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: pause_event and resume_event go together", who);
    if (svcq__sla_policy_find_metric(p, s->metric) >= 0)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: the policy has this metric already", who);
    if (unit == SVCQ_SLA_UNIT_BUSINESS_DAYS && s->duration > 3660)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: %lld business days is beyond 3660 (about 14 years)", who,
                           (long long)s->duration);
    /* A limit far beyond any SLA (about 290,000 years) keeps the percent
     * arithmetic in range. */
    if (s->duration < 0 || s->duration > INT64_MAX / 1000)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: duration %lld out of range", who, (long long)s->duration);
    if (s->warn_count > SVCQ_SLA_MAX_LEVELS || s->escalate_count > SVCQ_SLA_MAX_LEVELS)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: at most %d warnings and escalations", who,
                           SVCQ_SLA_MAX_LEVELS);
    for (uint32_t i = 0; i < s->warn_count; i++) {
        uint32_t v = s->warn_percent[i];
        if (v < 1 || v > 99 || (i && v <= s->warn_percent[i - 1]))
            return svcq__error(ctx, SVCQ_EINVAL, "%s: warning percents must ascend within 1..99", who);
    }
    for (uint32_t i = 0; i < s->escalate_count; i++) {
        uint32_t v = s->escalate_percent[i];
        if (v <= 100 || v > 100000 || (i && v <= s->escalate_percent[i - 1]))
            return svcq__error(ctx, SVCQ_EINVAL, "%s: escalation percents must ascend above 100", who);
    }
    if (s->recurring > 1)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: recurring must be 0 or 1", who);
    if (s->recurring && s->duration == 0)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: a recurring target needs a duration", who);
    uint32_t max_pct = s->escalate_count ? s->escalate_percent[s->escalate_count - 1] : 100;
    return check_calendar(p, s->metric, s->calendar, s->duration, unit, max_pct);
}

/* Copies a target's calendar for the policy. MERGE: when
 * svcq_calendar_copy() takes the destination context, pass p->ctx here:
 * a policy's calendars live in the policy's context (handles never cross
 * contexts). */
static int copy_calendar(svcq_sla_policy *p, const svcq_calendar *cal, svcq_calendar **out)
{
    return svcq_calendar_copy(out, p->ctx, cal);
}

int svcq_sla_policy_add_target(svcq_sla_policy *policy, const svcq_sla_target_spec *spec)
{
    if (!policy)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = policy->ctx;
    if (!spec)
        return svcq__error(ctx, SVCQ_EINVAL, "policy %s: svcq_sla_policy_add_target: NULL spec", policy->name);
    if (spec->version == 0 || spec->version > SVCQ_SLA_TARGET_SPEC_VERSION)
        return svcq__error(ctx, SVCQ_EVERSION, "policy %s: target spec version %u is not supported (1 to %d)",
                           policy->name, spec->version, SVCQ_SLA_TARGET_SPEC_VERSION);
    if (policy->frozen)
        return svcq__error(ctx, SVCQ_ESTATE, "policy %s v%u is in use or saved: make a new version", policy->name,
                        policy->version);
    if (policy->ntargets >= SVCQ__SLA_MAX_TARGETS)
        return svcq__error(ctx, SVCQ_ELIMIT, "policy %s: a policy has at most %d targets", policy->name,
                           SVCQ__SLA_MAX_TARGETS);
    int rc = validate_spec(policy, spec);
    if (rc)
        return rc;

    svcq__sla_target t;
    memset(&t, 0, sizeof(t));
    t.duration = spec->duration;
    t.nwarn = spec->warn_count;
    t.nesc = spec->escalate_count;
    memcpy(t.warn_pct, spec->warn_percent, sizeof(t.warn_pct));
    memcpy(t.esc_pct, spec->escalate_percent, sizeof(t.esc_pct));
    t.recurring = spec->recurring != 0;
    t.duration_unit = spec->version >= 2 ? (int32_t)spec->duration_unit : SVCQ_SLA_UNIT_SECONDS;
    build_notices(&t);
    if ((rc = svcq__strdup(ctx, "target metric", spec->metric, &t.metric)) ||
        (rc = copy_event(ctx, "start_event", spec->start_event, &t.start_name, &t.start_ev)) ||
        (rc = copy_event(ctx, "meet_event", spec->meet_event, &t.meet_name, &t.meet_ev)) ||
        (rc = copy_event(ctx, "stop_event", spec->stop_event, &t.stop_name, &t.stop_ev)) ||
        (rc = copy_event(ctx, "pause_event", spec->pause_event, &t.pause_name, &t.pause_ev)) ||
        (rc = copy_event(ctx, "resume_event", spec->resume_event, &t.resume_name, &t.resume_ev)) ||
        (rc = copy_event(ctx, "restart_event", spec->version >= 2 ? spec->restart_event : NULL,
                         &t.restart_name, &t.restart_ev)))
        goto fail;
    if (spec->calendar && (rc = copy_calendar(policy, spec->calendar, &t.cal)) != SVCQ_OK) {
        rc = svcq__error(ctx, rc, "policy %s: target %s: copying the calendar failed", policy->name,
                         spec->metric);
        goto fail;
    }
    svcq__sla_target *grown = svcq__reallocarray(ctx, policy->targets, policy->ntargets + 1, sizeof(*grown));
    if (!grown) {
        rc = svcq__enomem(ctx);
        goto fail;
    }
    policy->targets = grown;
    policy->targets[policy->ntargets++] = t;
    return SVCQ_OK;
fail:
    target_clear(ctx, &t);
    return rc;
}

int svcq_sla_policy_set_change_mode(svcq_sla_policy *policy, int32_t mode)
{
    if (!policy)
        return SVCQ_EINVAL;
    if (mode < SVCQ_SLA_CHANGE_KEEP || mode > SVCQ_SLA_CHANGE_CARRY)
        return svcq__error(policy->ctx, SVCQ_EINVAL, "unknown change mode %d", mode);
    if (policy->frozen)
        return svcq__error(policy->ctx, SVCQ_ESTATE, "policy %s v%u is in use or saved: make a new version", policy->name, policy->version);
    policy->change_mode = mode;
    return SVCQ_OK;
}

int svcq_sla_policy_new_version(svcq_sla_policy **out, const svcq_sla_policy *policy, uint32_t version)
{
    if (!out || !policy) {
        if (out)
            *out = NULL;
        return policy ? svcq__error(policy->ctx, SVCQ_EINVAL, "svcq_sla_policy_new_version: NULL out")
                      : SVCQ_EINVAL;
    }
    *out = NULL;
    svcq_ctx *ctx = policy->ctx;
    if (version <= policy->version)
        return svcq__error(ctx, SVCQ_EINVAL, "policy %s: a new version must be above %u, not %u", policy->name,
                           policy->version, version);
    svcq_sla_policy *p = NULL;
    int rc = svcq_sla_policy_new(&p, ctx, policy->name, version);
    for (uint32_t i = 0; rc == SVCQ_OK && i < policy->ntargets; i++) {
        svcq_sla_target_spec spec = SVCQ_SLA_TARGET_SPEC_INIT;
        rc = svcq_sla_policy_target(&spec, policy, i);
        if (rc == SVCQ_OK)
            rc = svcq_sla_policy_add_target(p, &spec);
    }
    if (rc == SVCQ_OK)
        rc = svcq_sla_policy_set_change_mode(p, policy->change_mode);
    if (rc == SVCQ_OK)
        rc = svcq_sla_policy_set_close_event(p, policy->close_name);
    if (rc) {
        svcq_sla_policy_free(p);
        return rc;
    }
    *out = p;
    return SVCQ_OK;
}

int svcq_sla_policy_set_close_event(svcq_sla_policy *policy, const char *event)
{
    if (!policy)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = policy->ctx;
    if (policy->frozen)
        return svcq__error(ctx, SVCQ_ESTATE, "policy %s v%u is in use or saved: make a new version", policy->name, policy->version);
    char who[SVCQ__SLA_NAME_MAX + 16];
    snprintf(who, sizeof(who), "policy %s", policy->name);
    int rc = check_name(ctx, who, "close event", event, false);
    if (rc)
        return rc;
    char *name;
    uint32_t id;
    rc = copy_event(ctx, "close event", event, &name, &id);
    if (rc)
        return rc;
    svcq__free(ctx, policy->close_name);
    policy->close_name = name;
    policy->close_ev = id;
    return SVCQ_OK;
}

const char *svcq_sla_policy_name(const svcq_sla_policy *policy)
{
    return policy ? policy->name : "";
}

uint32_t svcq_sla_policy_version(const svcq_sla_policy *policy)
{
    return policy ? policy->version : 0;
}

int32_t svcq_sla_policy_change_mode(const svcq_sla_policy *policy)
{
    return policy ? policy->change_mode : -1;
}

uint32_t svcq_sla_policy_target_count(const svcq_sla_policy *policy)
{
    return policy ? policy->ntargets : 0;
}

int svcq_sla_policy_target(svcq_sla_target_spec *out, const svcq_sla_policy *policy, uint32_t index)
{
    if (!policy)
        return SVCQ_EINVAL;
    if (!out)
        return svcq__error(policy->ctx, SVCQ_EINVAL, "policy %s v%u: svcq_sla_policy_target: NULL out",
                           policy->name, policy->version);
    if (out->version == 0 || out->version > SVCQ_SLA_TARGET_SPEC_VERSION)
        return svcq__error(policy->ctx, SVCQ_EVERSION,
                           "policy %s v%u: target spec version %u is not supported (1 to %d): set out->version",
                           policy->name, policy->version, out->version, SVCQ_SLA_TARGET_SPEC_VERSION);
    if (index >= policy->ntargets)
        return svcq__error(policy->ctx, SVCQ_ENOTFOUND, "policy %s v%u: no target %u (the policy has %u)",
                           policy->name, policy->version, index, policy->ntargets);
    const svcq__sla_target *t = &policy->targets[index];
    svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
    s.version = out->version;
    s.metric = t->metric;
    s.start_event = t->start_name;
    s.meet_event = t->meet_name;
    s.stop_event = t->stop_name;
    s.pause_event = t->pause_name;
    s.resume_event = t->resume_name;
    s.duration = t->duration;
    s.calendar = t->cal;
    s.warn_count = t->nwarn;
    s.escalate_count = t->nesc;
    memcpy(s.warn_percent, t->warn_pct, sizeof(s.warn_percent));
    memcpy(s.escalate_percent, t->esc_pct, sizeof(s.escalate_percent));
    s.recurring = t->recurring;
    if (out->version >= 2) {
        s.duration_unit = (uint32_t)t->duration_unit;
        s.restart_event = t->restart_name;
    }
    *out = s;
    return SVCQ_OK;
}

int svcq__sla_policy_find_metric(const svcq_sla_policy *p, const char *metric)
{
    for (uint32_t i = 0; i < p->ntargets; i++)
        if (strcmp(p->targets[i].metric, metric) == 0)
            return (int)i;
    return -1;
}

bool svcq__sla_policy_uses(const svcq_sla_policy *p, uint32_t ev)
{
    if (ev == 0)
        return false;
    if (ev == p->close_ev)
        return true;
    for (uint32_t i = 0; i < p->ntargets; i++) {
        const svcq__sla_target *t = &p->targets[i];
        if (ev == t->start_ev || ev == t->meet_ev || ev == t->stop_ev || ev == t->pause_ev ||
            ev == t->resume_ev || ev == t->restart_ev)
            return true;
    }
    return false;
}

int svcq_sla_policy_uses_event(int32_t *out, const svcq_sla_policy *policy, const char *event)
{
    if (!out || !policy || !event)
        return svcq__error(policy ? policy->ctx : NULL, SVCQ_EINVAL,
                           "svcq_sla_policy_uses_event: NULL %s", !out ? "out" : !policy ? "policy" : "event");
    const svcq_sla_policy *p = policy;
    bool used = p->close_name && strcmp(p->close_name, event) == 0;
    for (uint32_t i = 0; i < p->ntargets && !used; i++) {
        const svcq__sla_target *t = &p->targets[i];
        const char *names[6] = { t->start_name, t->meet_name, t->stop_name,
                                 t->pause_name, t->resume_name, t->restart_name };
        for (int k = 0; k < 6 && !used; k++)
            used = names[k] && strcmp(names[k], event) == 0;
    }
    *out = used;
    return SVCQ_OK;
}

static const char *label(const char *const *names, size_t n, int32_t v)
{
    return v >= 0 && (size_t)v < n ? names[v] : NULL;
}

#define LABEL(names, v) label(names, sizeof(names) / sizeof(names[0]), v)

const char *svcq_sla_state_name(int32_t state)
{
    static const char *const names[] = { "pending", "running", "paused", "met", "breached", "cancelled" };
    return LABEL(names, state);
}

const char *svcq_sla_notice_kind_name(int32_t kind)
{
    static const char *const names[] = { NULL, "warning", "breach", "escalation" };
    return LABEL(names, kind);
}

const char *svcq_sla_change_mode_name(int32_t mode)
{
    static const char *const names[] = { "keep", "recompute", "carry" };
    return LABEL(names, mode);
}

const char *svcq_sla_unit_name(int32_t unit)
{
    static const char *const names[] = { "seconds", "business_days", "event_due" };
    return LABEL(names, unit);
}

uint64_t svcq_sla_policy_revision(const svcq_sla_policy *policy)
{
    return policy ? policy->revision : 0;
}
