#include <string.h>

#include "core/intern.h"
#include "core/str.h"
#include "core/utf8.h"
#include "sla/sla_internal.h"

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

static int check_name(svcq_ctx *ctx, const char *what, const char *s, bool required)
{
    if (!s) {
        if (required)
            return svcq__error(ctx, SVCQ_EINVAL, "%s: missing", what);
        return SVCQ_OK;
    }
    size_t n = strlen(s);
    if (n == 0 || n > SVCQ__SLA_NAME_MAX)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: must be 1 to %d bytes", what, SVCQ__SLA_NAME_MAX);
    if (!svcq__utf8_valid(s, n))
        return svcq__error(ctx, SVCQ_EINVAL, "%s: invalid UTF-8", what);
    return SVCQ_OK;
}

int svcq_sla_policy_new(svcq_sla_policy **out, svcq_ctx *ctx, const char *name, uint32_t version)
{
    if (!out || !ctx)
        return SVCQ_EINVAL;
    *out = NULL;
    int rc = check_name(ctx, "policy name", name, true);
    if (rc)
        return rc;
    if (version == 0)
        return svcq__error(ctx, SVCQ_EINVAL, "policy version: must be at least 1");
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
    if (t->duration == 0)
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

static int validate_spec(svcq_sla_policy *p, const svcq_sla_target_spec *s)
{
    svcq_ctx *ctx = p->ctx;
    int rc;
    if (s->reserved0 || !svcq__all_zero(s->reserved, sizeof(s->reserved)))
        return svcq__error(ctx, SVCQ_EINVAL, "target spec: reserved fields must be zero");
    /* Version 1 callers had reserved space where v2 put these: zero there. */
    uint32_t unit = s->version >= 2 ? s->duration_unit : 0;
    const char *restart = s->version >= 2 ? s->restart_event : NULL;
    if (s->version < 2 && (s->duration_unit || s->restart_event))
        return svcq__error(ctx, SVCQ_EINVAL, "target spec: reserved fields must be zero");
    if (unit > SVCQ_SLA_UNIT_BUSINESS_DAYS)
        return svcq__error(ctx, SVCQ_EINVAL, "target %s: unknown duration unit %u",
                           s->metric ? s->metric : "?", unit);
    if ((rc = check_name(ctx, "target metric", s->metric, true)) ||
        (rc = check_name(ctx, "target start_event", s->start_event, true)) ||
        (rc = check_name(ctx, "target meet_event", s->meet_event, true)) ||
        (rc = check_name(ctx, "target stop_event", s->stop_event, false)) ||
        (rc = check_name(ctx, "target pause_event", s->pause_event, false)) ||
        (rc = check_name(ctx, "target resume_event", s->resume_event, false)) ||
        (rc = check_name(ctx, "target restart_event", restart, false)))
        return rc;
    if (!s->pause_event != !s->resume_event)
        return svcq__error(ctx, SVCQ_EINVAL, "target %s: pause_event and resume_event go together", s->metric);
    if (svcq__sla_policy_find_metric(p, s->metric) >= 0)
        return svcq__error(ctx, SVCQ_EINVAL, "target %s: the policy has this metric already", s->metric);
    if (unit == SVCQ_SLA_UNIT_BUSINESS_DAYS && s->duration > 3660)
        return svcq__error(ctx, SVCQ_EINVAL, "target %s: %lld business days is beyond 3660 (about 14 years)",
                           s->metric, (long long)s->duration);
    /* A limit far beyond any SLA (about 290,000 years) keeps the percent
     * arithmetic in range. */
    if (s->duration < 0 || s->duration > INT64_MAX / 1000)
        return svcq__error(ctx, SVCQ_EINVAL, "target %s: duration out of range", s->metric);
    if (s->warn_count > SVCQ_SLA_MAX_LEVELS || s->escalate_count > SVCQ_SLA_MAX_LEVELS)
        return svcq__error(ctx, SVCQ_EINVAL, "target %s: at most %d warnings and escalations", s->metric,
                        SVCQ_SLA_MAX_LEVELS);
    for (uint32_t i = 0; i < s->warn_count; i++) {
        uint32_t v = s->warn_percent[i];
        if (v < 1 || v > 99 || (i && v <= s->warn_percent[i - 1]))
            return svcq__error(ctx, SVCQ_EINVAL,
                            "target %s: warning percents must ascend within 1..99", s->metric);
    }
    for (uint32_t i = 0; i < s->escalate_count; i++) {
        uint32_t v = s->escalate_percent[i];
        if (v <= 100 || v > 100000 || (i && v <= s->escalate_percent[i - 1]))
            return svcq__error(ctx, SVCQ_EINVAL,
                            "target %s: escalation percents must ascend above 100", s->metric);
    }
    if (s->recurring > 1)
        return svcq__error(ctx, SVCQ_EINVAL, "target %s: recurring must be 0 or 1", s->metric);
    if (s->recurring && s->duration == 0)
        return svcq__error(ctx, SVCQ_EINVAL, "target %s: a recurring target needs a duration", s->metric);
    return SVCQ_OK;
}

int svcq_sla_policy_add_target(svcq_sla_policy *policy, const svcq_sla_target_spec *spec)
{
    if (!policy || !spec)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = policy->ctx;
    if (spec->version == 0 || spec->version > SVCQ_SLA_TARGET_SPEC_VERSION)
        return svcq__error(ctx, SVCQ_EVERSION, "target spec version %u is not supported", spec->version);
    if (policy->frozen)
        return svcq__error(ctx, SVCQ_ESTATE, "policy %s v%u is in use: make a new version", policy->name,
                        policy->version);
    if (policy->ntargets >= SVCQ__SLA_MAX_TARGETS)
        return svcq__error(ctx, SVCQ_ELIMIT, "a policy has at most %d targets", SVCQ__SLA_MAX_TARGETS);
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
    if (spec->calendar && (rc = svcq_calendar_copy(&t.cal, spec->calendar)) != SVCQ_OK) {
        rc = svcq__error(ctx, rc, "target %s: copying the calendar failed", spec->metric);
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
        return svcq__error(policy->ctx, SVCQ_ESTATE, "policy %s v%u is in use", policy->name, policy->version);
    policy->change_mode = mode;
    return SVCQ_OK;
}

int svcq_sla_policy_set_close_event(svcq_sla_policy *policy, const char *event)
{
    if (!policy)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = policy->ctx;
    if (policy->frozen)
        return svcq__error(ctx, SVCQ_ESTATE, "policy %s v%u is in use", policy->name, policy->version);
    int rc = check_name(ctx, "close event", event, false);
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
    if (!out || !policy)
        return SVCQ_EINVAL;
    if (out->version == 0 || out->version > SVCQ_SLA_TARGET_SPEC_VERSION)
        return SVCQ_EVERSION;
    if (index >= policy->ntargets)
        return SVCQ_ENOTFOUND;
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
