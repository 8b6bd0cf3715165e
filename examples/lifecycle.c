/* lifecycle: the whole service-quality loop of libsvcq in one program, on
 * the built-in file store, with every time printed in Shanghai local time.
 *
 *   1. A client is classified (tier 1, with the explanation) and its
 *      complaint ticket runs tier 1's SLA on a Shanghai business calendar
 *      (lunch break, the National Day week closed, an adjusted working
 *      Saturday).
 *   2. The first response breaches across the holiday, and a breach rule
 *      opens a corrective action (an incident of type service_delay) from
 *      the scheduler's callback; the incident runs the quality process's
 *      own SLA clock in the same scheduler.
 *   3. The incident goes through the seven stages: confirmed (a process
 *      gap), analysed (a 6M fishbone, a branching 5-Why, a root cause with
 *      evidence), two measures planned and executed with one deviation,
 *      verified NOT effective (an indicator missed its target), back to
 *      analysis, a second round that works, closed with its improvements;
 *      the audit chain is verified; its flow chart (Mermaid, its path
 *      highlighted) and the responsibility matrix are written.
 *   4. October's scorecard for the branch (the veto check and the 60/40
 *      composite with satisfaction) and the weekly report with the top-3
 *      complaint categories against the week before.
 *
 * Files go to DIR (default: lifecycle-out): the store, the cause report,
 * the fishbone SVG, the audit trail, the weekly report and its chart. Run
 * it twice: the second run reopens the store, verifies what the first
 * wrote (the incident, its audit chain, the clock: nothing is delivered
 * twice) and says so. docs/tutorial.md walks through it.
 *
 *   lifecycle [DIR]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <svcq.h>

#define MIN 60
#define HOUR 3600
#define DAY (24 * HOUR)
#define TICKET "T-1001"
#define CLIENT "acme-logistics"
#define BRANCH "pudong"

typedef struct app {
    svcq_ctx *ctx;
    svcq_time now;         /* the context's clock: the story moves it */
    const char *dir;
    svcq_calendar *cal;    /* Shanghai business hours */
    const svcq_tz *tz;     /* the calendar's zone */
    svcq_sla_policy *tier1;
    svcq_sla_policy *quality; /* the second run's copy of the incidents' policy */
    svcq_sla_policy *measures; /* ... and of their measures' deadline policy */
    svcq_sla_scheduler *sched;
    int breached;          /* the first response's breach opened a corrective action */
    svcq_time breach_at;
    char incident[80];     /* its id, chosen by the breach rule */
    char written[12][512];
    int nwritten;
} app;

static svcq_time app_clock(void *user_data)
{
    return ((const app *)user_data)->now;
}

static int fail(const app *a, const char *what, int rc)
{
    fprintf(stderr, "lifecycle: %s: %s (%s)\n", what, svcq_strerror(rc), a->ctx ? svcq_ctx_errmsg(a->ctx) : "");
    return rc;
}

#define TRY(call, what)                  \
    do {                                 \
        int rc_ = (call);                \
        if (rc_ != SVCQ_OK)              \
            return fail(a, (what), rc_); \
    } while (0)

/* "Thu 2026-10-08 09:10" in Shanghai. */
static const char *local(const app *a, svcq_time t, char *buf, size_t size)
{
    if (svcq_tz_format(buf, size, NULL, a->tz, t,
                       SVCQ_TIME_FORMAT_WEEKDAY | SVCQ_TIME_FORMAT_SPACE | SVCQ_TIME_FORMAT_NO_SECONDS) != SVCQ_OK)
        snprintf(buf, size, "(%" PRId64 ")", t);
    /* Drop the "+08:00": every time here is Shanghai's. */
    char *plus = strrchr(buf, '+');
    if (plus)
        *plus = '\0';
    return buf;
}

static svcq_time at(const app *a, int y, int mo, int d, int h, int mi)
{
    svcq_time t = 0;
    if (svcq_tz_local_to_utc(&t, a->tz, y, mo, d, h * HOUR + mi * MIN) != SVCQ_OK)
        fprintf(stderr, "lifecycle: bad date %d-%02d-%02d\n", y, mo, d);
    return t;
}

/* Moves the story on by business days on the calendar (same time of day). */
static void later(app *a, int32_t business_days)
{
    svcq_time t;
    if (svcq_calendar_add_days(&t, a->cal, a->now, business_days) == SVCQ_OK)
        a->now = t;
}

static void section(const char *title)
{
    printf("\n== %s ==\n", title);
}

/* Writes what an export gives into DIR/name and remembers the file. */
typedef int (*export_fn)(const app *a, const svcq_writer *w, const void *arg);

static int write_file(app *a, const char *name, export_fn fn, const void *arg)
{
    char path[sizeof a->written[0]];
    snprintf(path, sizeof path, "%s/%s", a->dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "lifecycle: %s: %s\n", path, strerror(errno));
        return SVCQ_EIO;
    }
    svcq_writer w;
    int rc = svcq_writer_to_file(&w, f);
    if (rc == SVCQ_OK)
        rc = fn(a, &w, arg);
    if (fclose(f) != 0 && rc == SVCQ_OK)
        rc = SVCQ_EIO;
    if (rc != SVCQ_OK)
        return fail(a, path, rc);
    if (a->nwritten < (int)(sizeof a->written / sizeof a->written[0]))
        snprintf(a->written[a->nwritten++], sizeof a->written[0], "%s", path);
    return SVCQ_OK;
}

/* ------------------------------------------------------------ the setting */

/* Mon–Fri 09:00–12:00 and 13:00–18:00 in Shanghai; the National Day week
 * (1–7 October 2026) closed; Saturday 10 October worked like a Friday. */
static int make_calendar(app *a)
{
    svcq_tz *tz = NULL;
    if (svcq_tz_load(&tz, a->ctx, "Asia/Shanghai", NULL) != SVCQ_OK)
        TRY(svcq_tz_from_posix(&tz, a->ctx, "CST-8"), "zone"); /* no zoneinfo on this system */
    int rc = svcq_calendar_new(&a->cal, a->ctx, tz, NULL);
    svcq_tz_free(tz);
    TRY(rc, "calendar");
    const int32_t hours[4] = { 9 * HOUR, 12 * HOUR, 13 * HOUR, 18 * HOUR };
    for (int d = SVCQ_MONDAY; d <= SVCQ_FRIDAY; d++)
        TRY(svcq_calendar_set_weekday(a->cal, d, hours, 2), "weekday");
    for (int day = 1; day <= 7; day++)
        TRY(svcq_calendar_set_closed(a->cal, 2026, 10, day), "holiday");
    TRY(svcq_calendar_set_date_like(a->cal, 2026, 10, 10, SVCQ_FRIDAY), "working Saturday");
    a->tz = svcq_calendar_tz(a->cal);
    return SVCQ_OK;
}

static int on_notice(const svcq_sla_notice *n, void *user_data)
{
    app *a = user_data;
    char when[48];
    const char *kind = svcq_sla_notice_kind_name(n->kind);
    if (strcmp(n->policy, SVCQ_INCIDENT_MEASURE_POLICY) == 0) {
        /* A measure's deadline clock: say which measure, whose, and whom
         * to tell (the owner's superior role for an escalation). */
        svcq_incident_reminder r = SVCQ_INCIDENT_REMINDER_INIT;
        svcq_incident *of = NULL;
        int rc = svcq_incident_reminder_of(&r, &of, a->ctx, n);
        if (rc != SVCQ_OK)
            return fail(a, "measure reminder", rc);
        char due[48], level[48] = "";
        if (n->kind == SVCQ_SLA_NOTICE_WARNING)
            snprintf(level, sizeof level, ", %d %% of its time used", n->level);
        else if (n->kind == SVCQ_SLA_NOTICE_ESCALATION)
            snprintf(level, sizeof level, ", level %d", n->level);
        printf("  %s  %s: measure %s of %s due %s (owner %s%s) -> %s\n", local(a, n->at, when, sizeof when), kind,
               r.measure, r.incident, local(a, r.deadline, due, sizeof due), r.owner ? r.owner : "none", level,
               r.role ? r.role : "(no role in the matrix)");
        svcq_incident_free(of);
        return 0;
    }
    if (n->kind == SVCQ_SLA_NOTICE_WARNING)
        printf("  %s  %s %s: %d %% of the time used\n", local(a, n->at, when, sizeof when), kind, n->metric,
               n->level);
    else if (n->kind == SVCQ_SLA_NOTICE_ESCALATION)
        printf("  %s  %s %s: level %d\n", local(a, n->at, when, sizeof when), kind, n->metric, n->level);
    else
        printf("  %s  %s %s\n", local(a, n->at, when, sizeof when), kind, n->metric);
    /* Any breach goes to the breach rules; the one configured for tier 1's
     * first response opens a corrective action, once per notice even if the
     * notice is delivered again after a restart. */
    svcq_incident *inc = NULL;
    int32_t outcome = 0;
    int rc = svcq_incident_breach_open(&inc, &outcome, a->ctx, n);
    if (rc != SVCQ_OK)
        return fail(a, "breach rule", rc);
    if (outcome == SVCQ_INCIDENT_BREACH_OPENED) {
        a->breached = 1;
        a->breach_at = n->at;
        snprintf(a->incident, sizeof a->incident, "%s", svcq_incident_id(inc));
        printf("  %s  -> corrective action %s opened by the breach rule\n", local(a, n->at, when, sizeof when),
               a->incident);
    }
    svcq_incident_free(inc);
    return 0;
}

/* The breach rule asks who the client of a breached subject is. */
static int subject_client(const char **client, int32_t *tier, const char *subject, void *user_data)
{
    (void)user_data;
    *client = strcmp(subject, TICKET) == 0 ? CLIENT : NULL;
    *tier = *client ? SVCQ_TIER_1 : -1;
    return 0;
}

static int classify_client(app *a)
{
    section("1. The client is classified");
    svcq_tier_scheme *scheme = NULL;
    svcq_tier_result *result = NULL;
    TRY(svcq_tier_scheme_builtin(&scheme, a->ctx), "tier scheme");
    /* annual purchases 8 % of sales, 12 orders a year, 7 % of profit;
     * industry standing 4, reputation 4, prospect effect 3, complexity 3. */
    const double inputs[7] = { 8, 12, 7, 4, 4, 3, 3 };
    int rc = svcq_tier_result_new(&result, a->ctx);
    if (rc == SVCQ_OK)
        rc = svcq_tier_classify(result, scheme, inputs, 7);
    if (rc == SVCQ_OK) {
        printf("ACME Logistics (%s) is %s.\n", CLIENT, svcq_tier_result_tier(result));
        svcq_writer out;
        rc = svcq_writer_to_file(&out, stdout);
        if (rc == SVCQ_OK)
            rc = svcq_tier_result_export_text(result, &out);
    }
    svcq_tier_result_free(result);
    svcq_tier_scheme_free(scheme);
    return rc == SVCQ_OK ? SVCQ_OK : fail(a, "classify", rc);
}

static int advance(app *a, svcq_time t);

/* Delivers what falls due before t, then feeds the event: the printout
 * stays in time order. */
static int ticket_event(app *a, const char *event, svcq_time t)
{
    char when[48];
    int err = advance(a, t);
    if (err)
        return err;
    svcq_sla_clock *c = svcq_sla_scheduler_find(a->sched, TICKET, svcq_sla_policy_name(a->tier1));
    printf("  %s  event %s\n", local(a, t, when, sizeof when), event);
    TRY(svcq_sla_clock_event(c, event, t, NULL), event);
    return SVCQ_OK;
}

static int advance(app *a, svcq_time t)
{
    uint64_t delivered = 0;
    a->now = t;
    TRY(svcq_sla_scheduler_advance(&delivered, a->sched, t), "advance");
    uint64_t failed = 0;
    TRY(svcq_sla_scheduler_save(&failed, a->sched), "save clocks");
    return failed ? fail(a, "save clocks", SVCQ_ECONFLICT) : SVCQ_OK;
}

static int run_ticket(app *a)
{
    section("2. Its complaint ticket runs tier 1's SLA on Shanghai business hours");
    TRY(svcq_calendar_save(a->cal, "support-cn"), "save calendar");
    TRY(svcq_sla_policy_builtin(&a->tier1, a->ctx, SVCQ_TIER_1, a->cal, 0), "tier 1 policy");
    TRY(svcq_sla_policy_save(a->tier1), "save policy");
    svcq_sla_clock *clock = NULL;
    TRY(svcq_sla_clock_new(&clock, a->tier1, TICKET), "clock");
    int rc = svcq_sla_scheduler_add(a->sched, clock);
    if (rc != SVCQ_OK) {
        svcq_sla_clock_free(clock);
        return fail(a, "add clock", rc);
    }
    /* Stage 1 needs no person: a breach of tier 1's first response reports
     * the corrective action, and every incident runs the quality process's
     * own clock (confirm within 1 business day, analyse within 3, ...) in
     * the same scheduler. */
    svcq_incident_breach_rule rule;
    TRY(svcq_incident_breach_rule_init(&rule, SVCQ_INCIDENT_BREACH_RULE_VERSION), "breach rule");
    rule.policy = svcq_sla_policy_name(a->tier1);
    rule.metric = "first_response";
    rule.stage = SVCQ_INCIDENT_STAGE_COMPLAINT_HANDLING;
    rule.id_prefix = "CA-";
    TRY(svcq_incident_breach_rule_add(a->ctx, &rule), "breach rule");
    TRY(svcq_incident_breach_set_lookup(a->ctx, subject_client, NULL), "breach lookup");
    svcq_incident_sla_options q;
    TRY(svcq_incident_sla_options_init(&q, SVCQ_INCIDENT_SLA_OPTIONS_VERSION), "quality clock");
    q.scheduler = a->sched;
    q.calendar = a->cal;
    TRY(svcq_incident_sla_enable(a->ctx, &q), "quality clock");
    svcq_incident_options o;
    TRY(svcq_incident_options_init(&o, SVCQ_INCIDENT_OPTIONS_VERSION), "options");
    o.window_days = 10; /* the observation window, in business days on the calendar */
    o.calendar = a->cal;
    TRY(svcq_incident_configure(a->ctx, &o), "incident options");
    printf("Ticket %s: the first response is due within 30 business minutes.\n"
           "It arrives at 17:40 on the last working day before the National Day week:\n", TICKET);
    svcq_time received = at(a, 2026, 9, 30, 17, 40);
    a->now = received;
    int err = ticket_event(a, SVCQ_SLA_EVENT_REQUEST_RECEIVED, received);
    if (err)
        return err;
    /* The scheduler runs as the host's clock moves: the evening, the
     * holiday week (nothing falls due), the morning after. */
    if ((err = advance(a, at(a, 2026, 9, 30, 20, 0))) || (err = advance(a, at(a, 2026, 10, 8, 9, 30))))
        return err;
    if ((err = ticket_event(a, SVCQ_SLA_EVENT_FIRST_CONTACT, at(a, 2026, 10, 8, 9, 40))) ||
        (err = ticket_event(a, SVCQ_SLA_EVENT_SOLUTION_DRAFTED, at(a, 2026, 10, 8, 10, 20))) ||
        (err = ticket_event(a, SVCQ_SLA_EVENT_SOLUTION_CONFIRMED, at(a, 2026, 10, 8, 10, 50))) ||
        (err = ticket_event(a, SVCQ_SLA_EVENT_CLOSED, at(a, 2026, 10, 8, 11, 0))))
        return err;
    if ((err = advance(a, at(a, 2026, 10, 8, 11, 0))))
        return err;
    char due[48];
    printf("Due %s (20 minutes on 30 September, the holiday skipped, 10 on 8 October).\n",
           local(a, at(a, 2026, 10, 8, 9, 10), due, sizeof due));
    return SVCQ_OK;
}

/* --------------------------------------------- 2–3. the corrective action */

static const char *add_node(int *rc, svcq_analysis *an, const char *parent, int32_t kind, const char *text)
{
    const char *id = NULL;
    if (*rc == SVCQ_OK)
        *rc = svcq_analysis_add(&id, an, parent, kind, text);
    return id ? id : "";
}

static char root_cause_1[64], root_cause_2[64];

/* The 6M fishbone of the late first response, a branching 5-Why under the
 * suspected cause, evidence, and the root cause. */
static int build_analysis(app *a, svcq_analysis **out)
{
    svcq_analysis *an = NULL;
    TRY(svcq_analysis_new(&an, a->ctx, "AN-T-1001", "First response to ACME 8 business hours late after the holiday",
                          SVCQ_ANALYSIS_6M),
        "analysis");
    int rc = SVCQ_OK;
    /* k1 People, k2 Machine, k3 Method, k4 Material, k5 Measurement, k6 Environment */
    const char *queue = add_node(&rc, an, "k3", SVCQ_ANALYSIS_CAUSE, "Nobody watched the queue on the last afternoon");
    add_node(&rc, an, "k1", SVCQ_ANALYSIS_CAUSE, "Half the team left early for the holiday");
    const char *alert = add_node(&rc, an, "k2", SVCQ_ANALYSIS_CAUSE, "Breach alerts went to a shared mailbox");
    add_node(&rc, an, "k5", SVCQ_ANALYSIS_CAUSE, "Holiday backlog not in the weekly report");
    add_node(&rc, an, "k6", SVCQ_ANALYSIS_CAUSE, "Seven-day National Day closure");
    const char *w1 = add_node(&rc, an, queue, SVCQ_ANALYSIS_WHY, "The evening shift was cancelled for the holiday");
    const char *w2 = add_node(&rc, an, w1, SVCQ_ANALYSIS_WHY, "No rota names who covers the day before a holiday");
    add_node(&rc, an, w1, SVCQ_ANALYSIS_WHY, "The supervisor assumed the hotline team covered it");
    const char *w3 = add_node(&rc, an, w2, SVCQ_ANALYSIS_WHY, "The holiday procedure predates the 30-minute tier-1 target");
    svcq_time t = a->now;
    if (rc == SVCQ_OK)
        rc = svcq_analysis_add_evidence(an, w2, SVCQ_ANALYSIS_EV_DOCUMENT, "https://intranet.example/rota-2026-09.xlsx",
                                        "No entry for 30 September after 17:00", "Chen Jie", t);
    if (rc == SVCQ_OK)
        rc = svcq_analysis_add_evidence(an, w3, SVCQ_ANALYSIS_EV_DOCUMENT, "https://intranet.example/holiday-sop-v3.pdf",
                                        "Version 3 (2023): no tier targets", "Chen Jie", t);
    if (rc == SVCQ_OK)
        rc = svcq_analysis_add_evidence(an, alert, SVCQ_ANALYSIS_EV_SYSTEM_LOG, "crm://alerts/2026-09-30",
                                        "Alert delivered and read at 17:55", "Zhou Min", t);
    const char *confirmed[] = { queue, w1, w2, w3 };
    for (size_t i = 0; rc == SVCQ_OK && i < sizeof confirmed / sizeof confirmed[0]; i++)
        rc = svcq_analysis_set_status(an, confirmed[i], SVCQ_ANALYSIS_CONFIRMED);
    if (rc == SVCQ_OK)
        rc = svcq_analysis_set_status(an, alert, SVCQ_ANALYSIS_REFUTED);
    if (rc == SVCQ_OK)
        rc = svcq_analysis_set_root_cause(an, w3, 1);
    if (rc != SVCQ_OK) {
        svcq_analysis_free(an);
        return fail(a, "analysis", rc);
    }
    snprintf(root_cause_1, sizeof root_cause_1, "%s:%s", svcq_analysis_id(an), w3);
    *out = an;
    return SVCQ_OK;
}

/* The second round finds what the first missed: the rota existed, but
 * nothing reminded anyone to fill it in. */
static int second_round_analysis(app *a, svcq_analysis *an)
{
    int rc = SVCQ_OK;
    const char *c = add_node(&rc, an, "k3", SVCQ_ANALYSIS_CAUSE, "The new rota is a spreadsheet nobody is reminded of");
    const char *w = add_node(&rc, an, c, SVCQ_ANALYSIS_WHY, "No system reminds the supervisor before a holiday");
    if (rc == SVCQ_OK)
        rc = svcq_analysis_add_evidence(an, w, SVCQ_ANALYSIS_EV_INTERVIEW, NULL,
                                        "Supervisor: \"I only saw the rota on the day\"", "Chen Jie", a->now);
    if (rc == SVCQ_OK)
        rc = svcq_analysis_set_status(an, c, SVCQ_ANALYSIS_CONFIRMED);
    if (rc == SVCQ_OK)
        rc = svcq_analysis_set_status(an, w, SVCQ_ANALYSIS_CONFIRMED);
    if (rc == SVCQ_OK)
        rc = svcq_analysis_set_root_cause(an, w, 1);
    if (rc == SVCQ_OK)
        rc = svcq_analysis_save(an);
    TRY(rc, "second analysis round");
    snprintf(root_cause_2, sizeof root_cause_2, "%s:%s", svcq_analysis_id(an), w);
    return SVCQ_OK;
}

static void stage(const app *a, const svcq_incident *inc, const char *what)
{
    char when[48];
    printf("  %s  %-10s %s\n", local(a, a->now, when, sizeof when),
           svcq_incident_state_name(svcq_incident_state_of(inc)), what);
}

static int add_measure(app *a, svcq_incident *inc, const char *kind, const char *what, const char *cause,
                       const char *owner, svcq_time deadline, const char *indicator, int64_t baseline, int64_t target)
{
    svcq_incident_measure_spec m;
    TRY(svcq_incident_measure_spec_init(&m, SVCQ_INCIDENT_MEASURE_SPEC_VERSION), "measure");
    m.direction = SVCQ_INCIDENT_HIGHER_IS_BETTER;
    m.kind = kind;
    m.what = what;
    m.root_cause = cause;
    m.owner = owner;
    m.deadline = deadline;
    m.indicator = indicator;
    m.unit = "%";
    m.baseline = baseline;
    m.target = target;
    m.feasibility = "Feasible within the branch's budget";
    m.expected_effect = "First responses on time before and after holidays";
    m.approved_by = "Wang Fang (service director)";
    const char *id = NULL;
    TRY(svcq_incident_add_measure(&id, inc, "Chen Jie", "quality_staff", &m), what);
    printf("      measure %s (%s): %s — owner %s\n", id, kind, what, owner);
    return SVCQ_OK;
}

static int ledger(app *a, svcq_incident *inc, int32_t kind, const char *measure, int32_t percent, const char *note,
                  const char *reason)
{
    svcq_incident_ledger_spec e;
    TRY(svcq_incident_ledger_spec_init(&e, SVCQ_INCIDENT_LEDGER_SPEC_VERSION), "ledger");
    e.kind = kind;
    e.measure = measure;
    e.percent = percent;
    e.note = note;
    e.reason = reason;
    TRY(svcq_incident_ledger_add(inc, "Zhou Min", "service_supervisor", &e), "ledger entry");
    if (kind == SVCQ_INCIDENT_LEDGER_DEVIATION)
        printf("      deviation on %s: %s (%s)\n", measure, note, reason);
    else
        printf("      progress on %s: %d %% — %s\n", measure, percent, note);
    return SVCQ_OK;
}

/* The quality process's own clock runs in the same scheduler: advancing it
 * before each move prints what fell due on the way. */
static int move(app *a, svcq_incident *inc, int32_t to, const char *what)
{
    int err = advance(a, a->now);
    if (err)
        return err;
    TRY(svcq_incident_transition(inc, "Chen Jie", "quality_staff", to, NULL), what);
    stage(a, inc, what);
    return SVCQ_OK;
}

/* Moves the context's clock to the end of the observation window. */
static void wait_window(app *a, const svcq_incident *inc)
{
    char when[48];
    a->now = svcq_incident_window_end(inc);
    printf("      ... observation window: until %s\n", local(a, a->now, when, sizeof when));
}

static int verify(app *a, svcq_incident *inc, int64_t csat_before, int64_t csat_after, int32_t *verdict)
{
    uint32_t recurrences = 0;
    TRY(svcq_incident_evaluate(verdict, &recurrences, inc), "evaluate");
    TRY(svcq_incident_verify(verdict, inc, "Wang Fang", "service_director", csat_before, csat_after,
                             *verdict == SVCQ_INCIDENT_EFFECTIVE ? "Targets reached" : "Response rate still below target"),
        "verify");
    printf("      verdict: %s (similar incidents in the window: %u; satisfaction %.1f -> %.1f)\n",
           svcq_incident_verdict_name(*verdict), recurrences, csat_before / 1000.0, csat_after / 1000.0);
    return SVCQ_OK;
}

static int export_report(const app *a, const svcq_writer *w, const void *an)
{
    return svcq_analysis_export_report(an, w, a->tz);
}

static int export_fishbone(const app *a, const svcq_writer *w, const void *an)
{
    (void)a;
    return svcq_analysis_export_svg(an, w, NULL);
}

static int export_trail(const app *a, const svcq_writer *w, const void *id)
{
    return svcq_incident_audit_export(a->ctx, id, w, SVCQ_INCIDENT_TRAIL_MARKDOWN, a->tz);
}

static int export_flow(const app *a, const svcq_writer *w, const void *inc)
{
    return svcq_incident_flow_mermaid(a->ctx, inc, w);
}

static int export_matrix(const app *a, const svcq_writer *w, const void *unused)
{
    (void)unused;
    return svcq_incident_matrix_export_markdown(a->ctx, w);
}

static int corrective_action(app *a)
{
    section("3. The breach opens a corrective action");
    if (!a->breached)
        return fail(a, "the first response did not breach", SVCQ_ESTATE);
    char when[48];
    printf("The breach of %s at %s opened incident %s; the quality process takes it from there:\n", TICKET,
           local(a, a->breach_at, when, sizeof when), a->incident);
    svcq_incident *inc = NULL;
    TRY(svcq_incident_load(&inc, a->ctx, a->incident), "incident");
    svcq_time now = a->now;
    a->now = svcq_incident_reported_at(inc); /* when the scheduler delivered the breach */
    stage(a, inc, "reported by the breach rule when the scheduler ran (service_delay, acme-logistics)");
    a->now = now;
    TRY(svcq_incident_add_attachment(inc, "Zhou Min", "service_supervisor", "system_log", "crm://tickets/T-1001/log",
                                     "Containment: supervisor called the client at 09:40 and apologised"),
        "containment note");

    svcq_analysis *an = NULL;
    int32_t verdict = 0;
    int rc = SVCQ_OK;
#define STEP(call)              \
    if (rc == SVCQ_OK)          \
        rc = (call);
    /* Stage 2: the confirmation group judges it real, a process gap. */
    a->now += 2 * HOUR; /* the confirmation group meets at 11:10 */
    STEP(svcq_incident_add_confirmer(inc, "Zhou Min", "service_supervisor", "Zhou Min", "service_supervisor"))
    STEP(svcq_incident_add_confirmer(inc, "Zhou Min", "service_supervisor", "Chen Jie", "quality_staff"))
    svcq_incident_confirmation c;
    STEP(svcq_incident_confirmation_init(&c, SVCQ_INCIDENT_CONFIRMATION_VERSION))
    c.real = 1;
    c.category = SVCQ_INCIDENT_RESP_PROCESS_GAP;
    c.responsible_unit = "Pudong service desk";
    c.note = "Holiday cover not planned";
    STEP(svcq_incident_confirm(inc, "Zhou Min", "service_supervisor", &c))
    if (rc == SVCQ_OK)
        stage(a, inc, "real; process gap, Pudong service desk");
    /* Stage 3: analysis. */
    later(a, 1);
    STEP(move(a, inc, SVCQ_INCIDENT_ANALYSING, "analysis starts"))
    STEP(build_analysis(a, &an))
    STEP(svcq_incident_attach_analysis(inc, "Chen Jie", "quality_staff", an))
    if (rc == SVCQ_OK)
        printf("      6M fishbone and 5-Why attached; root cause %s\n", root_cause_1);
    /* Stage 4: plan. */
    later(a, 1);
    STEP(move(a, inc, SVCQ_INCIDENT_PLANNING, "plan"))
    STEP(add_measure(a, inc, SVCQ_INCIDENT_MEASURE_PROCESS_CHANGE,
                     "Holiday rota: a named agent covers the queue until 18:00 before each holiday", root_cause_1,
                     "Zhou Min", a->now + 5 * DAY, "tier-1 first responses on time", 82000, 95000))
    STEP(add_measure(a, inc, SVCQ_INCIDENT_MEASURE_TRAINING, "Train the queue owners on the 30-minute target",
                     root_cause_1, "Li Na", a->now + 7 * DAY, "queue owners trained", 0, 100000))
    /* Stage 5: execute. */
    later(a, 1);
    STEP(move(a, inc, SVCQ_INCIDENT_EXECUTING, "execution"))
    STEP(ledger(a, inc, SVCQ_INCIDENT_LEDGER_PROGRESS, "m1", 50, "Rota drafted", NULL))
    STEP(ledger(a, inc, SVCQ_INCIDENT_LEDGER_DEVIATION, "m2", 0, "Training split into two sessions",
                "Two queue owners on leave"))
    later(a, 3);
    STEP(ledger(a, inc, SVCQ_INCIDENT_LEDGER_PROGRESS, "m1", 100, "Rota published for all 2026 holidays", NULL))
    STEP(ledger(a, inc, SVCQ_INCIDENT_LEDGER_PROGRESS, "m2", 100, "Both sessions held", NULL))
    STEP(svcq_incident_set_measure_state(inc, "Zhou Min", "service_supervisor", "m1", SVCQ_INCIDENT_MEASURE_DONE, NULL))
    STEP(svcq_incident_set_measure_state(inc, "Li Na", "trainer", "m2", SVCQ_INCIDENT_MEASURE_DONE, NULL))
    /* Stage 6: verify, after the observation window. */
    STEP(move(a, inc, SVCQ_INCIDENT_VERIFYING, "verification"))
    if (rc == SVCQ_OK)
        wait_window(a, inc);
    STEP(svcq_incident_record_indicator(inc, "Chen Jie", "quality_staff", "m1", 91000))
    STEP(svcq_incident_record_indicator(inc, "Chen Jie", "quality_staff", "m2", 100000))
    if (rc == SVCQ_OK)
        printf("      on-time first responses 91 %% (target 95 %%); queue owners trained 100 %%\n");
    STEP(verify(a, inc, 3600, 3800, &verdict))
    if (rc == SVCQ_OK)
        stage(a, inc, "not effective: back to analysis");
    /* Second round. */
    later(a, 1);
    STEP(second_round_analysis(a, an))
    if (rc == SVCQ_OK)
        printf("      second root cause %s\n", root_cause_2);
    STEP(move(a, inc, SVCQ_INCIDENT_PLANNING, "plan, round 2"))
    STEP(add_measure(a, inc, SVCQ_INCIDENT_MEASURE_POLICY_CHANGE,
                     "The rota becomes a CRM schedule that reminds the supervisor two days before each holiday",
                     root_cause_2, "Zhou Min", a->now + 5 * DAY, "holidays with the rota confirmed in time", 0, 100000))
    later(a, 1);
    STEP(move(a, inc, SVCQ_INCIDENT_EXECUTING, "execution, round 2"))
    STEP(ledger(a, inc, SVCQ_INCIDENT_LEDGER_PROGRESS, "m3", 100, "Schedule live in the CRM", NULL))
    STEP(svcq_incident_set_measure_state(inc, "Zhou Min", "service_supervisor", "m3", SVCQ_INCIDENT_MEASURE_DONE, NULL))
    later(a, 2);
    STEP(move(a, inc, SVCQ_INCIDENT_VERIFYING, "verification, round 2"))
    if (rc == SVCQ_OK)
        wait_window(a, inc);
    STEP(svcq_incident_record_indicator(inc, "Chen Jie", "quality_staff", "m1", 96500))
    STEP(svcq_incident_record_indicator(inc, "Chen Jie", "quality_staff", "m2", 100000))
    STEP(svcq_incident_record_indicator(inc, "Chen Jie", "quality_staff", "m3", 100000))
    if (rc == SVCQ_OK)
        printf("      on-time first responses 96.5 %% (target 95 %%); reminders confirmed for every holiday\n");
    STEP(verify(a, inc, 3600, 4300, &verdict))
    /* Stage 7: improve and close. */
    STEP(svcq_incident_add_improvement(inc, "Chen Jie", "quality_staff", "operating_manual",
                                       "holiday-sop-v4.pdf", "Holiday cover and the CRM reminder"))
    STEP(svcq_incident_add_improvement(inc, "Li Na", "trainer", "training_content", "onboarding-module-7",
                                       "The 30-minute tier-1 target"))
    STEP(svcq_incident_set_lessons(inc, "Chen Jie", "quality_staff",
                                   "A procedure without a reminder is not a control; check each tier target against holiday cover."))
    STEP(move(a, inc, SVCQ_INCIDENT_CLOSED, "closed with two improvements"))
#undef STEP
    uint64_t entries = 0;
    if (rc == SVCQ_OK)
        rc = svcq_incident_audit_verify(&entries, a->ctx, a->incident);
    if (rc == SVCQ_OK)
        printf("Audit chain of %s: %" PRIu64 " entries, every hash verified (head %.16s...); loops back: %u.\n",
               a->incident, entries, svcq_incident_audit_head(inc), svcq_incident_loop_count(inc));
    if (rc == SVCQ_OK)
        rc = write_file(a, "cause-report.md", export_report, an);
    if (rc == SVCQ_OK)
        rc = write_file(a, "fishbone.svg", export_fishbone, an);
    if (rc == SVCQ_OK)
        rc = write_file(a, "audit-trail.md", export_trail, a->incident);
    if (rc == SVCQ_OK)
        rc = write_file(a, "process-flow.mmd", export_flow, inc);
    if (rc == SVCQ_OK)
        rc = write_file(a, "responsibility-matrix.md", export_matrix, NULL);
    svcq_analysis_free(an);
    svcq_incident_free(inc);
    return rc == SVCQ_OK ? SVCQ_OK : fail(a, "corrective action", rc);
}

/* ------------------------------------------- 4. the month and the week */

static int scorecard(app *a, int64_t csat_mean)
{
    section("5. October's scorecard for the branch");
    svcq_scorecard_template *tpl = NULL;
    svcq_scorecard_period *oct = NULL;
    svcq_scorecard_ranking *rank = NULL;
    int rc = svcq_scorecard_template_builtin(&tpl, a->ctx, SVCQ_SCORECARD_BUILTIN_TELECOM);
    if (rc == SVCQ_OK)
        rc = svcq_scorecard_template_save(tpl);
    /* Thousandths: points of the manual items, the complaint timeliness
     * rate in %, complaints per 10,000 subscribers, escalation events. */
    static const char *const items[9] = { "hotline_quality", "key_accounts", "halls_and_agents",
                                          "complaint_timeliness", "mobile_complaint_rate", "hotline_test_calls",
                                          "coordination_meeting", "public_supervisors", "gm_hotline_escalations" };
    static const int64_t values[9] = { 33000, 9000, 8500, 97000, 1200, 3500, 10000, 3000, 1000 };
    if (rc == SVCQ_OK)
        rc = svcq_scorecard_period_new(&oct, tpl, "2026-10", at(a, 2026, 10, 1, 0, 0), at(a, 2026, 11, 1, 0, 0));
    if (rc == SVCQ_OK)
        rc = svcq_scorecard_period_add_unit(oct, BRANCH);
    if (rc == SVCQ_OK)
        rc = svcq_scorecard_set_values(oct, BRANCH, items, values, 9);
    /* The general manager's orders to the branch head: answered within 24 h. */
    svcq_time o1 = at(a, 2026, 10, 9, 10, 0), o2 = at(a, 2026, 10, 20, 15, 0);
    if (rc == SVCQ_OK)
        rc = svcq_scorecard_order_issue(a->ctx, "gm-2026-10-01", BRANCH, "Zhou Min", o1, 0);
    if (rc == SVCQ_OK)
        rc = svcq_scorecard_order_answer(a->ctx, "gm-2026-10-01", o1 + 3 * HOUR);
    if (rc == SVCQ_OK)
        rc = svcq_scorecard_order_issue(a->ctx, "gm-2026-10-02", BRANCH, "Zhou Min", o2, 0);
    if (rc == SVCQ_OK)
        rc = svcq_scorecard_order_answer(a->ctx, "gm-2026-10-02", o2 + 20 * HOUR);
    if (rc == SVCQ_OK)
        rc = svcq_scorecard_period_close(oct, at(a, 2026, 11, 2, 9, 0));
    svcq_scorecard_card_info card;
    if (rc == SVCQ_OK)
        rc = svcq_scorecard_card_info_init(&card, SVCQ_SCORECARD_CARD_INFO_VERSION);
    if (rc == SVCQ_OK)
        rc = svcq_scorecard_card_totals(&card, oct, BRANCH);
    if (rc == SVCQ_OK) {
        printf("Card %s 2026-10: %" PRId64 ".%03" PRId64 " of %" PRId64 " points (%" PRId64 ".%03" PRId64 " %%).\n",
               BRANCH, card.points / 1000, card.points % 1000, card.max_points / 1000, card.share / 1000,
               card.share % 1000);
        printf("Veto check: 2 orders from the general manager, both answered within 24 h: %s.\n",
               card.vetoed ? card.veto_reason : "no veto");
    }
    /* The 60/40 composite: the card's share and the satisfaction of the
     * month's rated tickets. */
    if (rc == SVCQ_OK)
        rc = svcq_scorecard_ranking_new(&rank, tpl, "2026-10", SVCQ_SCORECARD_BASIS_COMPOSITE);
    if (rc == SVCQ_OK)
        rc = svcq_scorecard_ranking_add_period(rank, oct);
    if (rc == SVCQ_OK)
        rc = svcq_scorecard_ranking_set_csat(rank, BRANCH, csat_mean);
    if (rc == SVCQ_OK)
        rc = svcq_scorecard_ranking_compute(rank);
    svcq_scorecard_rank_entry e;
    if (rc == SVCQ_OK)
        rc = svcq_scorecard_rank_entry_init(&e, SVCQ_SCORECARD_RANK_ENTRY_VERSION);
    if (rc == SVCQ_OK)
        rc = svcq_scorecard_ranking_entry(&e, rank, 0);
    if (rc == SVCQ_OK)
        printf("Composite: 60 %% x card %" PRId64 ".%03" PRId64 " + 40 %% x satisfaction %" PRId64 ".%03" PRId64
               " (CSAT mean %" PRId64 ".%02" PRId64 " of 5) = %" PRId64 ".%03" PRId64 ".\n",
               e.card_share / 1000, e.card_share % 1000, e.satisfaction / 1000, e.satisfaction % 1000,
               csat_mean / 1000, csat_mean % 1000 / 10, e.score / 1000, e.score % 1000);
    svcq_scorecard_ranking_free(rank);
    svcq_scorecard_period_free(oct);
    svcq_scorecard_template_free(tpl);
    return rc == SVCQ_OK ? SVCQ_OK : fail(a, "scorecard", rc);
}

/* Two weeks of tickets at the branch, made up but fixed: the week after the
 * holiday (12–18 October) and the week before it (5–11 October, holiday
 * and the working Saturday). */
static int ingest_week(app *a, svcq_metrics *m, int week, const int *counts, int first_id)
{
    static const char *const categories[5] = { "network outage", "billing error", "installation delay",
                                                "rude staff", "slow hotline" };
    static const char *const channels[3] = { "phone", "wechat", "app" };
    int id = first_id;
    for (int c = 0; c < 5; c++) {
        for (int k = 0; k < counts[c]; k++, id++) {
            char name[32];
            snprintf(name, sizeof name, "W%d-%03d", week, id);
            svcq_metrics_fact f;
            TRY(svcq_metrics_fact_init(&f, SVCQ_METRICS_FACT_VERSION), "fact");
            svcq_time received = at(a, 2026, 10, week == 1 ? 8 + k % 3 : 12 + k % 5, 9 + k % 8, 7 * k % 60);
            f.id = name;
            f.client = k % 4 ? "retail" : CLIENT;
            f.tier = k % 4 ? "tier.3" : "tier.1";
            f.channel = channels[k % 3];
            f.category = categories[c];
            f.received = received;
            f.first_reply = received + (svcq_time)(5 + 9 * (k % 6)) * MIN;
            f.resolved = received + (svcq_time)(1 + k % 5) * HOUR;
            f.agent_replies = 1 + (k % 5 == 4);
            f.csat = k % 7 == 6 ? 0 : 3 + (k + c) % 3;
            f.complaint = 1;
            TRY(svcq_metrics_fact_put(m, &f), name);
        }
    }
    return SVCQ_OK;
}

static int export_weekly(const app *a, const svcq_writer *w, const void *req)
{
    (void)a;
    return svcq_metrics_weekly_report((svcq_metrics *)((const void *const *)req)[0],
                                      (const svcq_metrics_report *)((const void *const *)req)[1],
                                      SVCQ_METRICS_MARKDOWN, w);
}

static int export_weekly_chart(const app *a, const svcq_writer *w, const void *req)
{
    (void)a;
    return svcq_metrics_weekly_report((svcq_metrics *)((const void *const *)req)[0],
                                      (const svcq_metrics_report *)((const void *const *)req)[1],
                                      SVCQ_METRICS_SVG_TOP, w);
}

static int weekly_report(app *a, svcq_metrics *m, int64_t *csat_mean)
{
    section("4. The weekly report for the coordination meeting");
    static const int before[5] = { 6, 5, 2, 1, 3 }, after[5] = { 9, 4, 5, 1, 2 };
    int err = ingest_week(a, m, 1, before, 1);
    if (err || (err = ingest_week(a, m, 2, after, 100)))
        return err;
    svcq_metrics_report req;
    TRY(svcq_metrics_report_init(&req, SVCQ_METRICS_REPORT_VERSION), "report");
    req.week_of = at(a, 2026, 10, 14, 12, 0);
    req.trend_weeks = 2;
    req.open_incidents = 0;
    req.overdue_measures = 0;
    const char *reporters[1] = { "SLA scheduler" };
    const int64_t reports[1] = { 1 };
    req.reporter_names = reporters;
    req.reporter_counts = reports;
    req.reporter_count = 1;
    /* The top 3 as CSV rows, printed as a list; the whole report goes to a file. */
    svcq_buffer *csv = NULL;
    TRY(svcq_buffer_new(&csv, a->ctx), "buffer");
    svcq_writer w;
    int rc = svcq_writer_to_buffer(&w, csv);
    if (rc == SVCQ_OK)
        rc = svcq_metrics_weekly_report(m, &req, SVCQ_METRICS_CSV, &w);
    if (rc == SVCQ_OK) {
        printf("Top 3 complaint categories, week 2026-W42 against W41:\n");
        const char *p = svcq_buffer_data(csv);
        while (p && *p) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            char row[512];
            snprintf(row, sizeof row, "%.*s", (int)(len < sizeof row ? len : sizeof row - 1), p);
            /* week,section,rank,key,value,previous,change,change_percent,share,... */
            char *f[12] = { 0 };
            int n = 0;
            for (char *s = row; n < 12 && s; n++) {
                f[n] = s;
                s = strchr(s, ',');
                if (s)
                    *s++ = '\0';
            }
            if (n >= 9 && strcmp(f[1], "top_complaints") == 0)
                printf("  %s. %-20s %2s complaints, %s %% of the week; %s%s on the week before (%s%s %%)\n", f[2],
                       f[3], f[4], f[8], f[6][0] == '-' ? "" : "+", f[6], f[7][0] == '-' ? "" : "+",
                       f[7][0] ? f[7] : "new");
            p = nl ? nl + 1 : NULL;
        }
    }
    svcq_buffer_free(csv);
    TRY(rc, "weekly report");
    const void *args[2] = { m, &req };
    if ((err = write_file(a, "weekly-report.md", export_weekly, args)) ||
        (err = write_file(a, "weekly-top3.svg", export_weekly_chart, args)))
        return err;
    svcq_metrics_value v;
    TRY(svcq_metrics_value_init(&v, SVCQ_METRICS_VALUE_VERSION), "value");
    TRY(svcq_metrics_kpi_get(&v, m, SVCQ_METRICS_CSAT_MEAN, SVCQ_METRICS_MONTH, req.week_of, SVCQ_METRICS_DIM_ALL,
                             ""),
        "CSAT");
    *csat_mean = v.value;
    svcq_metrics_value fcr;
    TRY(svcq_metrics_value_init(&fcr, SVCQ_METRICS_VALUE_VERSION), "value");
    TRY(svcq_metrics_kpi_get(&fcr, m, SVCQ_METRICS_FCR, SVCQ_METRICS_WEEK, req.week_of, SVCQ_METRICS_DIM_ALL, ""),
        "FCR");
    printf("First-contact resolution %" PRId64 ".%01" PRId64 " %% (%s, target 80 %%: %s).\n", fcr.value / 1000,
           fcr.value % 1000 / 100, svcq_metrics_fcr_name(SVCQ_METRICS_FCR_ONE_AGENT_REPLY),
           svcq_metrics_target_state_name(fcr.target_state));
    return SVCQ_OK;
}

/* ------------------------------------------------------------- the runs */

static int open_store(app *a, const char *path)
{
    svcq_ctx_options o;
    if (svcq_ctx_options_init(&o, SVCQ_CTX_OPTIONS_VERSION) != SVCQ_OK)
        return SVCQ_EINVAL;
    o.clock_fn = app_clock;
    o.clock_user_data = a;
    TRY(svcq_ctx_new(&a->ctx, &o), "context");
    svcq_store_file *fs = NULL;
    svcq_store_methods m;
    TRY(svcq_store_file_open(&fs, a->ctx, path, NULL), path);
    int rc = svcq_store_file_methods(&m, fs);
    if (rc == SVCQ_OK)
        rc = svcq_ctx_set_store(a->ctx, &m);
    if (rc != SVCQ_OK) {
        svcq_store_file_close(fs);
        return fail(a, path, rc);
    }
    return SVCQ_OK;
}

static void close_app(app *a)
{
    svcq_sla_scheduler_free(a->sched);
    svcq_sla_policy_free(a->tier1);
    svcq_sla_policy_free(a->quality);
    svcq_sla_policy_free(a->measures);
    svcq_calendar_free(a->cal);
    svcq_ctx_free(a->ctx); /* closes the file store */
}

static int first_run(app *a)
{
    int err;
    if ((err = make_calendar(a)) || (err = classify_client(a)))
        return err;
    TRY(svcq_sla_scheduler_new(&a->sched, a->ctx, on_notice, a), "scheduler");
    if ((err = run_ticket(a)) || (err = corrective_action(a)))
        return err;
    svcq_metrics *m = NULL;
    svcq_metrics_options mo;
    TRY(svcq_metrics_options_init(&mo, SVCQ_METRICS_OPTIONS_VERSION), "metrics");
    mo.calendar = a->cal;
    TRY(svcq_metrics_new(&m, a->ctx, &mo), "metrics");
    int64_t csat_mean = 0;
    err = weekly_report(a, m, &csat_mean);
    svcq_metrics_free(m);
    if (err || (err = scorecard(a, csat_mean)))
        return err;
    section("Files");
    for (int i = 0; i < a->nwritten; i++)
        printf("  %s\n", a->written[i]);
    printf("Run me again: the second run reopens the store and checks what this one wrote.\n");
    return SVCQ_OK;
}

static int remember_id(const char *incident_id, void *user_data)
{
    snprintf(user_data, sizeof((app *)0)->incident, "%s", incident_id);
    return 0;
}

/* The second process: everything it needs comes from the store. */
static int second_run(app *a, const char *path)
{
    section("Second run: the store written by the first run, reopened");
    TRY(svcq_calendar_load(&a->cal, a->ctx, "support-cn", NULL, NULL), "calendar");
    a->tz = svcq_calendar_tz(a->cal);
    TRY(svcq_sla_policy_load(&a->tier1, a->ctx, "tier.1", 1, NULL), "policy");
    /* The client's corrective actions, from the archive. */
    svcq_incident_query q;
    TRY(svcq_incident_query_init(&q, SVCQ_INCIDENT_QUERY_VERSION), "query");
    q.client = CLIENT;
    TRY(svcq_incident_list(a->ctx, &q, remember_id, a->incident), "archive");
    svcq_incident *inc = NULL;
    TRY(svcq_incident_load(&inc, a->ctx, a->incident), "incident");
    char when[48];
    printf("Incident %s: %s after %u loop back, reported %s.\n", a->incident,
           svcq_incident_state_name(svcq_incident_state_of(inc)), svcq_incident_loop_count(inc),
           local(a, svcq_incident_reported_at(inc), when, sizeof when));
    uint64_t entries = 0;
    int rc = svcq_incident_audit_verify(&entries, a->ctx, a->incident);
    if (rc == SVCQ_OK)
        printf("Its audit chain: %" PRIu64 " entries, verified against the head hash the incident keeps.\n", entries);
    int closed = svcq_incident_state_of(inc) == SVCQ_INCIDENT_CLOSED;
    svcq_incident_free(inc);
    TRY(rc, "audit chain");
    /* The ticket's clock: reloaded; advancing past the first run's last
     * instant delivers nothing that run delivered. */
    TRY(svcq_sla_scheduler_new(&a->sched, a->ctx, on_notice, a), "scheduler");
    /* The incidents' clocks run under the quality policy: the same options
     * (the calendar) give the same policy, fingerprint and all. */
    svcq_incident_sla_options qo;
    TRY(svcq_incident_sla_options_init(&qo, SVCQ_INCIDENT_SLA_OPTIONS_VERSION), "quality policy");
    qo.scheduler = a->sched;
    qo.calendar = a->cal;
    TRY(svcq_incident_sla_policy_new(&a->quality, a->ctx, &qo), "quality policy");
    TRY(svcq_incident_measure_policy_new(&a->measures, a->ctx, &qo), "measure policy");
    svcq_sla_policy *policies[3] = { a->tier1, a->quality, a->measures };
    TRY(svcq_sla_scheduler_load(a->sched, policies, 3, SVCQ_SLA_LOAD_FULL_SCAN), "load clocks");
    svcq_sla_clock *c = svcq_sla_scheduler_find(a->sched, TICKET, "tier.1");
    uint64_t delivered = 0;
    a->now = at(a, 2026, 10, 8, 10, 0);
    TRY(svcq_sla_scheduler_advance(&delivered, a->sched, a->now), "advance");
    printf("Clock %s: %s; %" PRIu64 " notices delivered again.\n", TICKET,
           c ? "still open (later targets run until the ticket closes)" : "finished, kept in the store", delivered);
    if (!closed || delivered != 0)
        return fail(a, "the second run found the store other than the first run left it", SVCQ_ECORRUPT);
    printf("Everything the first run wrote to %s is there and verifies.\n", path);
    return SVCQ_OK;
}

int main(int argc, char **argv)
{
    app a;
    memset(&a, 0, sizeof a);
    a.dir = argc > 1 ? argv[1] : "lifecycle-out";
    if (mkdir(a.dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "lifecycle: %s: %s\n", a.dir, strerror(errno));
        return 1;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/lifecycle.svcq", a.dir);
    struct stat st;
    int second = stat(path, &st) == 0;
    a.now = (svcq_time)1790758800; /* 2026-09-30 17:00 in Shanghai, until the story moves it */
    int rc = open_store(&a, path);
    if (rc == SVCQ_OK)
        rc = second ? second_run(&a, path) : first_run(&a);
    close_app(&a);
    return rc == SVCQ_OK ? 0 : 1;
}
