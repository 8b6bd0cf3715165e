/* The incident's own SLA (svcq/incident.h, "The incident's own SLA"): the
 * built-in quality-process policy and the lifecycle hook that feeds the
 * incident's clocks inside the incident's transaction. */
#include <stddef.h>
#include <string.h>

#include "incident/loop_internal.h"
#include "sla/sla_internal.h"
#include "store/store.h"

/* ---- the state ---------------------------------------------------------------------- */

static void state_free(svcq_ctx *ctx, void *p)
{
    svcq__loop_state *L = p;
    svcq_sla_policy_free(L->policy);
    for (size_t i = 0; i < L->nrules; i++) {
        svcq__free(ctx, L->rules[i].policy);
        svcq__free(ctx, L->rules[i].metric);
        svcq__free(ctx, L->rules[i].stage);
        svcq__free(ctx, L->rules[i].prefix);
    }
    svcq__free(ctx, L->rules);
    for (size_t i = 0; i < L->nroles; i++)
        svcq__free(ctx, L->roles[i]);
    svcq__free(ctx, L->roles);
    svcq__free(ctx, L->raci);
    svcq__free(ctx, L);
}

svcq__loop_state *svcq__loop_state_get(svcq_ctx *ctx)
{
    svcq__loop_state *L = svcq__ctx_slot(ctx, SVCQ__SLOT_INCIDENT_LOOP);
    if (L)
        return L;
    L = svcq__calloc(ctx, 1, sizeof(*L));
    if (!L) {
        svcq__enomem(ctx);
        return NULL;
    }
    if (svcq__ctx_slot_set(ctx, SVCQ__SLOT_INCIDENT_LOOP, L, state_free) != SVCQ_OK) {
        svcq__free(ctx, L);
        svcq__error(ctx, SVCQ_ESTATE, "incident: cannot register the service-loop state");
        return NULL;
    }
    return L;
}

/* ---- the quality policy ---------------------------------------------------------------- */

static const struct {
    const char *metric, *start, *meet, *stop, *restart;
    size_t off;
    uint32_t def;
} targets[] = {
#define O(f) offsetof(svcq_incident_sla_options, f)
    { "confirm", "reported", "confirmed", "rejected", NULL, O(confirm_days), 1 },
    { "analyse", "confirmed", "analysis_done", NULL, "loop_back", O(analyse_days), 3 },
    { "plan", "analysis_done", "plan_approved", NULL, "analysis_done", O(plan_days), 2 },
    { "execute", "plan_approved", "measures_done", NULL, "plan_approved", O(execute_days),
      SVCQ_INCIDENT_SLA_NO_DEADLINE },
    { "verify", "measures_done", "verification_done", NULL, "measures_done", O(verify_days), 25 },
    { "close", "verified", "closed", NULL, "verified", O(close_days), 5 },
#undef O
};

int svcq_incident_sla_options_init(svcq_incident_sla_options *opts, uint32_t version)
{
    return svcq__table_init(opts, sizeof(*opts), version, SVCQ_INCIDENT_SLA_OPTIONS_VERSION);
}

static int check_options(svcq_ctx *ctx, const svcq_incident_sla_options *o)
{
    if (o->version != SVCQ_INCIDENT_SLA_OPTIONS_VERSION)
        return svcq__error(ctx, SVCQ_EVERSION, "incident SLA options: version %u is not %d", (unsigned)o->version,
                           SVCQ_INCIDENT_SLA_OPTIONS_VERSION);
    if (!svcq__all_zero(o->reserved, sizeof(o->reserved)))
        return svcq__error(ctx, SVCQ_EINVAL, "incident SLA options: reserved fields must be zero");
    for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
        uint32_t d = *(const uint32_t *)((const char *)o + targets[i].off);
        if (d != SVCQ_INCIDENT_SLA_NO_DEADLINE && d > 3660)
            return svcq__error(ctx, SVCQ_EINVAL,
                               "incident SLA options: target %s: %u business days is beyond 3660", targets[i].metric,
                               (unsigned)d);
    }
    return SVCQ_OK;
}

static int build_policy(svcq_sla_policy **out, svcq_ctx *ctx, const svcq_incident_sla_options *o)
{
    svcq_calendar *own = NULL;
    const svcq_calendar *cal = o->calendar;
    int rc = SVCQ_OK;
    if (!cal) {
        rc = svcq_sla_default_calendar(&own, ctx, NULL);
        cal = own;
    }
    svcq_sla_policy *p = NULL;
    if (!rc)
        rc = svcq_sla_policy_new(&p, ctx, SVCQ_INCIDENT_SLA_POLICY, o->policy_version ? o->policy_version : 1);
    for (size_t i = 0; !rc && i < sizeof(targets) / sizeof(targets[0]); i++) {
        uint32_t d = *(const uint32_t *)((const char *)o + targets[i].off);
        if (!d)
            d = targets[i].def;
        svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
        s.metric = targets[i].metric;
        s.start_event = targets[i].start;
        s.meet_event = targets[i].meet;
        s.stop_event = targets[i].stop;
        s.restart_event = targets[i].restart;
        s.calendar = cal;
        if (d != SVCQ_INCIDENT_SLA_NO_DEADLINE) {
            s.duration = d;
            s.duration_unit = SVCQ_SLA_UNIT_BUSINESS_DAYS;
            s.warn_count = 2;
            s.warn_percent[0] = 50;
            s.warn_percent[1] = 80;
            s.escalate_count = 2;
            s.escalate_percent[0] = 150;
            s.escalate_percent[1] = 200;
        }
        rc = svcq_sla_policy_add_target(p, &s);
    }
    if (!rc)
        rc = svcq_sla_policy_set_close_event(p, "incident_ended");
    svcq_calendar_free(own);
    if (rc) {
        svcq_sla_policy_free(p);
        return svcq__error_prefix(ctx, rc, "incident SLA policy %s", SVCQ_INCIDENT_SLA_POLICY);
    }
    *out = p;
    return SVCQ_OK;
}

int svcq_incident_sla_policy_new(svcq_sla_policy **out, svcq_ctx *ctx, const svcq_incident_sla_options *opts)
{
    if (!ctx)
        return SVCQ_EINVAL;
    if (!out || !opts)
        return svcq__error(ctx, SVCQ_EINVAL, "incident SLA policy: NULL argument");
    *out = NULL;
    int rc = check_options(ctx, opts);
    return rc ? rc : build_policy(out, ctx, opts);
}

/* ---- the lifecycle hook --------------------------------------------------------------- */

/* The events the quality clock is fed for a lifecycle event, in order. */
static size_t quality_events(const char *ev, const char **out)
{
    size_t n = 0;
    out[n++] = ev;
    if (!strcmp(ev, "verified")) {
        out[n++] = "verification_done";
    } else if (!strcmp(ev, "verification_failed")) {
        out[n++] = "verification_done";
        out[n++] = "loop_back";
    } else if (!strcmp(ev, "reopened")) {
        out[n++] = "loop_back";
    } else if (!strcmp(ev, "closed") || !strcmp(ev, "rejected") || !strcmp(ev, "cancelled")) {
        out[n++] = "incident_ended";
    }
    return n;
}

/* The tier events for a lifecycle event. */
static size_t tier_events(const char *ev, const char **out)
{
    static const struct {
        const char *ev, *a, *b;
    } map[] = {
        { "reported", SVCQ_SLA_EVENT_REQUEST_RECEIVED, NULL },
        { "confirmed", SVCQ_SLA_EVENT_FIRST_CONTACT, SVCQ_SLA_EVENT_REPLY_COMMITTED },
        { "analysis_done", SVCQ_SLA_EVENT_SOLUTION_DRAFTED, NULL },
        { "plan_approved", SVCQ_SLA_EVENT_SOLUTION_PRESENTED, SVCQ_SLA_EVENT_SOLUTION_CONFIRMED },
        { "execution_started", SVCQ_SLA_EVENT_EXECUTION_STARTED, NULL },
        { "measures_done", SVCQ_SLA_EVENT_SERVICE_COMPLETED, NULL },
        { "verified", SVCQ_SLA_EVENT_ACCEPTANCE_INVITED, SVCQ_SLA_EVENT_RESULT_REPORTED },
        { "closed", SVCQ_SLA_EVENT_CLOSED, NULL },
        { "rejected", SVCQ_SLA_EVENT_CLOSED, NULL },
        { "cancelled", SVCQ_SLA_EVENT_CLOSED, NULL },
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (!strcmp(ev, map[i].ev)) {
            out[0] = map[i].a;
            out[1] = map[i].b;
            return map[i].b ? 2 : 1;
        }
    return 0;
}

static void undo_new_clock(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    (void)arg;
    svcq_sla_clock_free(data);
}

static void release_nothing(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    (void)data;
    (void)arg;
}

/* Feeds names (those the policy uses) to the incident's clock of policy,
 * finding, loading or making it, and saves it: inside the call's scope. */
static int drive(svcq_ctx *ctx, svcq__loop_state *L, svcq_incident *inc, svcq_sla_policy *policy,
                 const char **names, size_t n, svcq_time now)
{
    const char *used[4];
    size_t nused = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t u = 0;
        int rc = svcq_sla_policy_uses_event(&u, policy, names[i]);
        if (rc)
            return rc;
        if (u)
            used[nused++] = names[i];
    }
    if (!nused)
        return SVCQ_OK;
    const char *pname = svcq_sla_policy_name(policy);
    svcq_sla_clock *clock = svcq_sla_scheduler_find(L->sched, inc->id, pname);
    int rc = SVCQ_OK;
    if (!clock) {
        rc = svcq_sla_clock_load(&clock, &policy, 1, pname, inc->id, 0);
        if (rc == SVCQ_ENOTFOUND)
            rc = svcq_sla_clock_new(&clock, policy, inc->id);
        if (!rc)
            rc = svcq__undo_reserve(ctx, 1);
        if (!rc)
            rc = svcq_sla_scheduler_add(L->sched, clock);
        if (rc) {
            svcq_sla_clock_free(clock);
            return svcq__error_prefix(ctx, rc, "incident %s: clock %s", inc->id, pname);
        }
        (void)svcq__undo_push(ctx, undo_new_clock, release_nothing, clock, 0);
    }
    for (size_t i = 0; !rc && i < nused; i++)
        rc = svcq_sla_clock_event(clock, used[i], now, NULL);
    if (!rc)
        rc = svcq_sla_clock_save(clock);
    if (rc)
        return svcq__error_prefix(ctx, rc, "incident %s: clock %s", inc->id, pname);
    return SVCQ_OK;
}

static int on_event(svcq_ctx *ctx, svcq_incident *inc, const char *event, void *user_data)
{
    (void)user_data;
    svcq__loop_state *L = svcq__ctx_slot(ctx, SVCQ__SLOT_INCIDENT_LOOP);
    if (!L || !L->sched)
        return SVCQ_OK;
    svcq_time now = svcq_ctx_now(ctx);
    const char *names[4];
    size_t n = quality_events(event, names);
    int rc = drive(ctx, L, inc, L->policy, names, n, now);
    if (rc || !L->tier_fn || !inc->m.client || strcmp(inc->m.type, SVCQ_INCIDENT_TYPE_CUSTOMER_COMPLAINT) != 0)
        return rc;
    n = tier_events(event, names);
    if (!n)
        return SVCQ_OK;
    svcq_sla_policy *tp = NULL;
    rc = svcq__callback_rc(L->tier_fn(&tp, inc->m.client, L->tier_data));
    if (rc)
        return svcq__error(ctx, rc, "incident %s: the tier policy of client %s: the host's lookup failed (%s)",
                           inc->id, inc->m.client, svcq_strerror(rc));
    if (!tp)
        return SVCQ_OK;
    if (tp->ctx != ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: tier policy %s of client %s belongs to another context",
                           inc->id, svcq_sla_policy_name(tp), inc->m.client);
    return drive(ctx, L, inc, tp, names, n, now);
}

int svcq_incident_sla_enable(svcq_ctx *ctx, const svcq_incident_sla_options *opts)
{
    if (!ctx)
        return SVCQ_EINVAL;
    svcq__loop_state *L = svcq__loop_state_get(ctx);
    if (!L)
        return SVCQ_ENOMEM;
    if (!opts) {
        svcq_sla_policy_free(L->policy);
        L->policy = NULL;
        L->sched = NULL;
        L->tier_fn = NULL;
        L->tier_data = NULL;
        return svcq__inc_set_event_hook(ctx, NULL, NULL);
    }
    int rc = check_options(ctx, opts);
    if (rc)
        return rc;
    if (!opts->scheduler)
        return svcq__error(ctx, SVCQ_EINVAL, "incident SLA options: a scheduler is required");
    if (svcq__sla_sched_ctx(opts->scheduler) != ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "incident SLA options: the scheduler belongs to another context");
    svcq_sla_policy *p = NULL;
    if ((rc = build_policy(&p, ctx, opts)))
        return rc;
    if ((rc = svcq__inc_set_event_hook(ctx, on_event, NULL))) {
        svcq_sla_policy_free(p);
        return rc;
    }
    svcq_sla_policy_free(L->policy);
    L->policy = p;
    L->sched = opts->scheduler;
    L->tier_fn = opts->tier_policy;
    L->tier_data = opts->tier_policy_data;
    return SVCQ_OK;
}

svcq_sla_policy *svcq_incident_sla_policy(const svcq_ctx *ctx)
{
    const svcq__loop_state *L = ctx ? svcq__ctx_slot(ctx, SVCQ__SLOT_INCIDENT_LOOP) : NULL;
    return L && L->sched ? L->policy : NULL;
}
