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
    svcq_sla_policy_free(L->mpolicy);
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

/* One target of a built-in policy: its events, and its duration in
 * business days from the options (off; def when the option is 0), or, for
 * the measure deadline, carried by its events (SVCQ_SLA_UNIT_EVENT_DUE). */
typedef struct target_row {
    const char *metric, *start, *meet, *stop, *restart;
    size_t off;
    uint32_t def;
    int32_t unit;
} target_row;

#define O(f) offsetof(svcq_incident_sla_options, f)
#define DAYS SVCQ_SLA_UNIT_BUSINESS_DAYS
static const target_row targets[] = {
    { "confirm", "reported", "confirmed", "rejected", NULL, O(confirm_days), 1, DAYS },
    { "analyse", "confirmed", "analysis_done", NULL, "loop_back", O(analyse_days), 3, DAYS },
    { "plan", "analysis_done", "plan_approved", NULL, "analysis_done", O(plan_days), 2, DAYS },
    { "execute", "plan_approved", "measures_done", NULL, "plan_approved", O(execute_days),
      SVCQ_INCIDENT_SLA_NO_DEADLINE, DAYS },
    { "verify", "measures_done", "verification_done", NULL, "measures_done", O(verify_days), 25, DAYS },
    { "close", "verified", "closed", NULL, "verified", O(close_days), 5, DAYS },
};
#undef DAYS
#undef O

static const target_row measure_targets[] = {
    { "deadline", "measure_started", "measure_done", "measure_cancelled", "deadline_moved", 0, 0,
      SVCQ_SLA_UNIT_EVENT_DUE },
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

/* A built-in policy of the options' calendar (the default one when none)
 * and version, with the targets of rows: warnings at 50/80 %, escalations
 * at 150/200 % of each target that has a deadline. */
static int build(svcq_sla_policy **out, svcq_ctx *ctx, const svcq_incident_sla_options *o, const char *name,
                 const target_row *rows, size_t nrows)
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
        rc = svcq_sla_policy_new(&p, ctx, name, o->policy_version ? o->policy_version : 1);
    for (size_t i = 0; !rc && i < nrows; i++) {
        svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
        s.metric = rows[i].metric;
        s.start_event = rows[i].start;
        s.meet_event = rows[i].meet;
        s.stop_event = rows[i].stop;
        s.restart_event = rows[i].restart;
        s.calendar = cal;
        s.duration_unit = (uint32_t)rows[i].unit;
        bool deadline = true;
        if (rows[i].unit == SVCQ_SLA_UNIT_BUSINESS_DAYS) {
            uint32_t d = *(const uint32_t *)((const char *)o + rows[i].off);
            if (!d)
                d = rows[i].def;
            deadline = d != SVCQ_INCIDENT_SLA_NO_DEADLINE;
            s.duration = deadline ? d : 0;
            if (!deadline) /* tracked without a deadline, in business seconds as before */
                s.duration_unit = SVCQ_SLA_UNIT_SECONDS;
        }
        if (deadline) {
            svcq__sla_standard_levels(&s);
        }
        rc = svcq_sla_policy_add_target(p, &s);
    }
    if (!rc)
        rc = svcq_sla_policy_set_close_event(p, "incident_ended");
    svcq_calendar_free(own);
    if (rc) {
        svcq_sla_policy_free(p);
        return svcq__error_prefix(ctx, rc, "incident SLA policy %s", name);
    }
    *out = p;
    return SVCQ_OK;
}

static int build_policy(svcq_sla_policy **out, svcq_ctx *ctx, const svcq_incident_sla_options *o)
{
    return build(out, ctx, o, SVCQ_INCIDENT_SLA_POLICY, targets, sizeof(targets) / sizeof(targets[0]));
}

static int build_measure_policy(svcq_sla_policy **out, svcq_ctx *ctx, const svcq_incident_sla_options *o)
{
    return build(out, ctx, o, SVCQ_INCIDENT_MEASURE_POLICY, measure_targets,
                 sizeof(measure_targets) / sizeof(measure_targets[0]));
}

typedef int (*build_fn)(svcq_sla_policy **out, svcq_ctx *ctx, const svcq_incident_sla_options *o);

/* A public constructor: its arguments checked, then built. */
static int policy_new(svcq_sla_policy **out, svcq_ctx *ctx, const svcq_incident_sla_options *opts, const char *what,
                      build_fn make)
{
    if (!ctx)
        return SVCQ_EINVAL;
    if (!out || !opts)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: NULL argument", what);
    *out = NULL;
    int rc = check_options(ctx, opts);
    return rc ? rc : make(out, ctx, opts);
}

int svcq_incident_measure_policy_new(svcq_sla_policy **out, svcq_ctx *ctx, const svcq_incident_sla_options *opts)
{
    return policy_new(out, ctx, opts, "incident measure policy", build_measure_policy);
}

int svcq_incident_sla_policy_new(svcq_sla_policy **out, svcq_ctx *ctx, const svcq_incident_sla_options *opts)
{
    return policy_new(out, ctx, opts, "incident SLA policy", build_policy);
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

/* The clock of (subject, policy): the scheduler's, else loaded from the
 * store and added, else (create) a new one added, else NULL. A clock added
 * here leaves the scheduler again if the call's transaction rolls back. */
static int get_clock(svcq_ctx *ctx, svcq__loop_state *L, const char *subject, svcq_sla_policy *policy, bool create,
                     svcq_sla_clock **out)
{
    const char *pname = svcq_sla_policy_name(policy);
    svcq_sla_clock *clock = svcq_sla_scheduler_find(L->sched, subject, pname);
    *out = clock;
    if (clock)
        return SVCQ_OK;
    int rc = svcq_sla_clock_load(&clock, &policy, 1, pname, subject, 0);
    if (rc == SVCQ_ENOTFOUND) {
        if (!create)
            return SVCQ_OK;
        rc = svcq_sla_clock_new(&clock, policy, subject);
    }
    if (!rc)
        rc = svcq__undo_reserve(ctx, 1);
    if (!rc)
        rc = svcq_sla_scheduler_add(L->sched, clock);
    if (rc) {
        svcq_sla_clock_free(clock);
        return rc;
    }
    (void)svcq__undo_push(ctx, undo_new_clock, release_nothing, clock, 0);
    *out = clock;
    return SVCQ_OK;
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
    svcq_sla_clock *clock;
    int rc = get_clock(ctx, L, inc->id, policy, true, &clock);
    if (rc)
        return svcq__error_prefix(ctx, rc, "incident %s: clock %s", inc->id, pname);
    for (size_t i = 0; !rc && i < nused; i++)
        rc = svcq_sla_clock_event(clock, used[i], now, NULL);
    if (!rc)
        rc = svcq_sla_clock_save(clock);
    if (rc)
        return svcq__error_prefix(ctx, rc, "incident %s: clock %s", inc->id, pname);
    return SVCQ_OK;
}

/* ---- the measures' clocks ------------------------------------------------------------ */

/* The due a measure's clock is given at instant t: its deadline, or t when
 * the deadline has passed. */
static svcq_time due_at(svcq_time deadline, svcq_time t)
{
    return deadline > t ? deadline : t;
}

/* The due the clock runs to: what its newest event with a due carried,
 * clamped as due_at() did when it was fed; NEVER without one. */
static svcq_time last_due(const svcq_sla_clock *c, svcq_time *fed_at)
{
    for (uint32_t i = svcq_sla_clock_event_count(c); i-- > 0;) {
        svcq_time due, at;
        if (svcq_sla_clock_event_due_at(&due, c, i) == SVCQ_OK && due != SVCQ_SLA_NEVER &&
            svcq_sla_clock_event_at(NULL, &at, NULL, c, i) == SVCQ_OK) {
            *fed_at = at;
            return due;
        }
    }
    return SVCQ_SLA_NEVER;
}

/* Brings the clock of measure x in line with the measure and the
 * incident: started once the plan is approved, moved with the deadline,
 * met when done, stopped when cancelled or when the incident ends. Feeds
 * nothing when it is in line already (idempotent). */
static int reconcile_measure(svcq_ctx *ctx, svcq__loop_state *L, svcq_incident *inc, const svcq__inc_measure *x,
                             svcq_time now)
{
    int32_t st = inc->m.state;
    bool open = x->state == SVCQ_INCIDENT_MEASURE_PLANNED || x->state == SVCQ_INCIDENT_MEASURE_IN_PROGRESS;
    bool ended = st == SVCQ_INCIDENT_CANCELLED || st == SVCQ_INCIDENT_CLOSED || st == SVCQ_INCIDENT_REJECTED;
    char subject[SVCQ__SLA_NAME_MAX + 1];
    int n = snprintf(subject, sizeof(subject), "%s/%s", inc->id, x->id);
    if (n < 0 || (size_t)n >= sizeof(subject))
        return svcq__error(ctx, SVCQ_ELIMIT, "incident %s: measure %s: the clock subject is too long", inc->id, x->id);
    svcq_sla_clock *clock;
    int rc = get_clock(ctx, L, subject, L->mpolicy, open && st == SVCQ_INCIDENT_EXECUTING, &clock);
    if (rc || !clock)
        return rc;
    const svcq__sla_tstate *S = svcq__sla_t(clock, 0);
    bool live = S->state == SVCQ__T_RUNNING || S->state == SVCQ__T_PAUSED;
    bool fed = true;
    if (ended || !open) {
        const char *ev = ended ? "incident_ended"
                               : x->state == SVCQ_INCIDENT_MEASURE_DONE ? "measure_done" : "measure_cancelled";
        if (live)
            rc = svcq_sla_clock_event(clock, ev, now, NULL);
        else
            fed = false;
    } else if (st != SVCQ_INCIDENT_EXECUTING) {
        fed = false;
    } else if (S->state == SVCQ__T_PENDING) {
        rc = svcq_sla_clock_event_due(clock, "measure_started", now, due_at(x->deadline, now));
    } else if (live) {
        svcq_time at = 0, due = last_due(clock, &at);
        if (due != due_at(x->deadline, at))
            rc = svcq_sla_clock_event_due(clock, "deadline_moved", now, due_at(x->deadline, now));
        else
            fed = false;
    } else {
        fed = false;
    }
    if (!rc && fed)
        rc = svcq_sla_clock_save(clock);
    if (rc)
        return svcq__error_prefix(ctx, rc, "incident %s: measure %s: clock %s", inc->id, x->id,
                                  SVCQ_INCIDENT_MEASURE_POLICY);
    return SVCQ_OK;
}

/* The measures of the current loop, after the events that can change what
 * their clocks should do. Before the plan is approved no clock exists. */
static int reconcile_measures(svcq_ctx *ctx, svcq__loop_state *L, svcq_incident *inc, const char *event, svcq_time now)
{
    if (strcmp(event, "plan_approved") != 0 && strcmp(event, "measures_changed") != 0 &&
        strcmp(event, "cancelled") != 0)
        return SVCQ_OK;
    int32_t st = inc->m.state;
    if (st != SVCQ_INCIDENT_EXECUTING && !(st == SVCQ_INCIDENT_CANCELLED && inc->m.cancelled_from == SVCQ_INCIDENT_EXECUTING))
        return SVCQ_OK;
    for (size_t i = 0; i < inc->m.measures.len; i++) {
        const svcq__inc_measure *x = &inc->m.measures.v[i];
        if (x->loop != inc->m.loop)
            continue;
        int rc = reconcile_measure(ctx, L, inc, x, now);
        if (rc)
            return rc;
    }
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
    int rc = reconcile_measures(ctx, L, inc, event, now);
    if (!rc)
        rc = drive(ctx, L, inc, L->policy, names, n, now);
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
        svcq_sla_policy_free(L->mpolicy);
        L->policy = NULL;
        L->mpolicy = NULL;
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
    svcq_sla_policy *p = NULL, *mp = NULL;
    if ((rc = build_policy(&p, ctx, opts)) || (rc = build_measure_policy(&mp, ctx, opts)) ||
        (rc = svcq__inc_set_event_hook(ctx, on_event, NULL))) {
        svcq_sla_policy_free(p);
        svcq_sla_policy_free(mp);
        return rc;
    }
    svcq_sla_policy_free(L->policy);
    svcq_sla_policy_free(L->mpolicy);
    L->policy = p;
    L->mpolicy = mp;
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

svcq_sla_policy *svcq_incident_measure_policy(const svcq_ctx *ctx)
{
    const svcq__loop_state *L = ctx ? svcq__ctx_slot(ctx, SVCQ__SLOT_INCIDENT_LOOP) : NULL;
    return L && L->sched ? L->mpolicy : NULL;
}

/* ---- whom a notice is for ------------------------------------------------------------- */

int svcq_incident_reminder_init(svcq_incident_reminder *reminder, uint32_t version)
{
    return svcq__table_init(reminder, sizeof(*reminder), version, SVCQ_INCIDENT_REMINDER_VERSION);
}

int svcq_incident_reminder_of(svcq_incident_reminder *out, svcq_incident **inc, svcq_ctx *ctx,
                              const svcq_sla_notice *notice)
{
    if (inc)
        *inc = NULL;
    if (!ctx)
        return SVCQ_EINVAL;
    if (!out || !inc || !notice)
        return svcq__error(ctx, SVCQ_EINVAL, "measure reminder: %s is NULL", !out ? "out" : !inc ? "inc" : "notice");
    if (out->version != SVCQ_INCIDENT_REMINDER_VERSION)
        return svcq__error(ctx, SVCQ_EVERSION, "measure reminder: table version %u is not %d", (unsigned)out->version,
                           SVCQ_INCIDENT_REMINDER_VERSION);
    if (notice->version != SVCQ_SLA_NOTICE_VERSION || !notice->subject || !notice->policy)
        return svcq__error(ctx, SVCQ_EINVAL, "measure reminder: the notice is not a version %d notice with a subject "
                           "and a policy", SVCQ_SLA_NOTICE_VERSION);
    if (strcmp(notice->policy, SVCQ_INCIDENT_MEASURE_POLICY) != 0)
        return svcq__error(ctx, SVCQ_ENOTFOUND, "measure reminder: the notice of %.80s is of policy %.80s, not %s",
                           notice->subject, notice->policy, SVCQ_INCIDENT_MEASURE_POLICY);
    const char *slash = strrchr(notice->subject, '/');
    size_t ilen = slash ? (size_t)(slash - notice->subject) : 0;
    char id[SVCQ__SLA_NAME_MAX + 1];
    if (!slash || ilen == 0 || !slash[1] || ilen >= sizeof(id))
        return svcq__error(ctx, SVCQ_ENOTFOUND, "measure reminder: subject %.80s is not \"<incident id>/<measure id>\"",
                           notice->subject);
    memcpy(id, notice->subject, ilen);
    id[ilen] = '\0';
    svcq_incident *loaded = NULL;
    int rc = svcq_incident_load(&loaded, ctx, id);
    if (rc)
        return svcq__error_prefix(ctx, rc, "measure reminder of %.80s", notice->subject);
    const svcq__inc_measure *x = svcq__inc_find_measure(&loaded->m, slash + 1);
    if (!x) {
        svcq_incident_free(loaded);
        return svcq__error(ctx, SVCQ_ENOTFOUND, "measure reminder: incident %s has no measure %.32s", id, slash + 1);
    }
    bool esc = notice->kind == SVCQ_SLA_NOTICE_ESCALATION;
    const char *role = esc ? svcq__loop_role_with(ctx, SVCQ_INCIDENT_EXECUTING, SVCQ_INCIDENT_RACI_APPROVES)
                           : svcq__loop_role_with(ctx, SVCQ_INCIDENT_EXECUTING, SVCQ_INCIDENT_RACI_RESPONSIBLE);
    if (esc && !role)
        role = svcq__loop_role_with(ctx, SVCQ_INCIDENT_PLANNING, SVCQ_INCIDENT_RACI_APPROVES);
    svcq_incident_reminder r = SVCQ_INCIDENT_REMINDER_INIT;
    r.kind = notice->kind;
    r.incident = loaded->id;
    r.measure = x->id;
    r.owner = x->owner;
    r.role = role;
    r.deadline = x->deadline;
    r.at = notice->at;
    r.level = notice->level;
    r.measure_state = x->state;
    *out = r;
    *inc = loaded;
    return SVCQ_OK;
}
