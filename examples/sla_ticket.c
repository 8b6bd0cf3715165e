/* sla_ticket: a tier-2 ticket's SLA clocks on Shanghai business hours,
 * kept in the built-in file store across a real restart.
 *
 * A tier-2 client raises a request on a Friday afternoon in Shanghai. The
 * built-in tier-2 policy (first response within 1 business hour, a
 * solution drafted within 4, ...) runs on Monday-Friday 09:00-18:00 local
 * time. The program plays two processes of a host application:
 *
 *   1. The first opens the file store, saves the policy, feeds the
 *      ticket's events, advances the scheduler as its clock moves on
 *      (printing each warning, breach and escalation), saves the clock and
 *      closes the store.
 *   2. The second opens the same file, loads the policy and the clock from
 *      it, goes on to Tuesday and prints what it delivers: nothing the
 *      first process delivered comes again. It ends with each target's
 *      status and the ticket's timeline as a Markdown table.
 *
 * Usage: sla_ticket [STORE-FILE]   (default: sla_ticket.svcq; replaced) */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <svcq.h>

#define MIN 60
#define HOUR 3600
#define DAY (24 * HOUR)
#define TICKET "TICKET-7"

/* Friday 2026-01-09 16:30 in Shanghai (08:30 UTC). */
static const svcq_time friday_1630 = 1767947400;

typedef struct app {
    svcq_ctx *ctx;
    svcq_tz *tz;
    svcq_calendar *cal;
    svcq_sla_policy *tier2;
    svcq_sla_scheduler *sched;
    uint64_t delivered;
} app;

static int check(int rc, const app *a, const char *what)
{
    if (rc != SVCQ_OK)
        fprintf(stderr, "%s: %s (%s)\n", what, svcq_strerror(rc), a->ctx ? svcq_ctx_errmsg(a->ctx) : "");
    return rc;
}

/* "Fri 2026-01-09 16:30 +08:00": the ticket's local time, as people read it. */
static const char *local(const app *a, svcq_time t, char *buf, size_t size)
{
    if (svcq_tz_format(buf, size, NULL, a->tz, t,
                       SVCQ_TIME_FORMAT_WEEKDAY | SVCQ_TIME_FORMAT_SPACE | SVCQ_TIME_FORMAT_NO_SECONDS) !=
        SVCQ_OK)
        snprintf(buf, size, "(%" PRId64 ")", t);
    return buf;
}

/* "1 h", "30 min", "3 business days". */
static void duration_text(char *buf, size_t size, int64_t duration, uint32_t unit)
{
    if (unit == SVCQ_SLA_UNIT_BUSINESS_DAYS)
        snprintf(buf, size, "%" PRId64 " business day%s", duration, duration == 1 ? "" : "s");
    else if (duration % HOUR == 0)
        snprintf(buf, size, "%" PRId64 " h", duration / HOUR);
    else
        snprintf(buf, size, "%" PRId64 " min", duration / MIN);
}

/* One line per notice: when it fell due (local time), the target, and what
 * the level means for that kind of notice. */
static int on_notice(const svcq_sla_notice *n, void *user_data)
{
    app *a = user_data;
    char when[64], allowed[32], meaning[96];
    svcq_sla_target_spec spec = SVCQ_SLA_TARGET_SPEC_INIT;
    if (svcq_sla_policy_target(&spec, svcq_sla_clock_policy(n->clock), n->target) != SVCQ_OK)
        return SVCQ_EINVAL;
    duration_text(allowed, sizeof(allowed), spec.duration, spec.duration_unit);
    if (n->kind == SVCQ_SLA_NOTICE_WARNING)
        snprintf(meaning, sizeof(meaning), "%d %% of its %s used", n->level, allowed);
    else if (n->kind == SVCQ_SLA_NOTICE_BREACH)
        snprintf(meaning, sizeof(meaning), "its %s ran out: late", allowed);
    else
        snprintf(meaning, sizeof(meaning), "escalation %d: %u %% of its %s", n->level,
                 spec.escalate_percent[n->level - 1], allowed);
    printf("  %-26s  %-22s  %-10s  %s\n", local(a, n->at, when, sizeof(when)), n->metric,
           svcq_sla_notice_kind_name(n->kind), meaning);
    a->delivered++;
    return 0;
}

static void print_header(const app *a)
{
    char zone[48];
    snprintf(zone, sizeof(zone), "when (%s)", svcq_tz_name(a->tz));
    printf("  %-26s  %-22s  %-10s  %s\n", zone, "target", "what", "meaning");
}

static int advance(app *a, svcq_time now)
{
    uint64_t n = 0;
    return check(svcq_sla_scheduler_advance(&n, a->sched, now), a, "advance");
}

static int event(app *a, const char *name, svcq_time at, const char *reason)
{
    char when[64];
    svcq_sla_clock *c = svcq_sla_scheduler_find(a->sched, TICKET, "tier.2");
    printf("  %-26s  %-22s  %-10s  %s%s%s\n", local(a, at, when, sizeof(when)), "", "event", name,
           reason ? ": " : "", reason ? reason : "");
    return check(svcq_sla_clock_event(c, name, at, reason), a, name);
}

/* A context whose store is the file at path (created when absent). */
static int open_app(app *a, const char *path)
{
    memset(a, 0, sizeof(*a));
    int rc = svcq_ctx_new(&a->ctx, NULL);
    if (rc)
        return rc;
    svcq_store_file *fs = NULL;
    svcq_store_methods m;
    if (check(rc = svcq_store_file_open(&fs, a->ctx, path, NULL), a, path) ||
        check(rc = svcq_store_file_methods(&m, fs), a, "file store") ||
        check(rc = svcq_ctx_set_store(a->ctx, &m), a, "file store")) {
        svcq_store_file_close(fs);
        return rc;
    }
    /* The system's zone data when there is some, else a fixed UTC+8. */
    if (svcq_tz_load(&a->tz, a->ctx, "Asia/Shanghai", NULL) != SVCQ_OK &&
        check(rc = svcq_tz_fixed(&a->tz, a->ctx, 8 * HOUR), a, "zone"))
        return rc;
    return check(svcq_sla_scheduler_new(&a->sched, a->ctx, on_notice, a), a, "scheduler");
}

/* Frees everything; closing the context closes the file store. */
static void close_app(app *a)
{
    svcq_sla_scheduler_free(a->sched);
    svcq_sla_policy_free(a->tier2);
    svcq_calendar_free(a->cal);
    svcq_tz_free(a->tz);
    svcq_ctx_free(a->ctx);
    memset(a, 0, sizeof(*a));
}

static int save(app *a)
{
    uint64_t failed = 0;
    int rc = check(svcq_sla_scheduler_save(&failed, a->sched), a, "save");
    if (rc == SVCQ_OK && failed) {
        fprintf(stderr, "save: %" PRIu64 " clock(s) changed in the store meanwhile\n", failed);
        rc = SVCQ_ECONFLICT;
    }
    return rc;
}

static int first_process(const char *path)
{
    app a;
    int rc = open_app(&a, path);
    svcq_sla_clock *clock = NULL;
    if (rc == SVCQ_OK &&
        !(check(rc = svcq_sla_default_calendar(&a.cal, a.ctx, a.tz), &a, "calendar") ||
          check(rc = svcq_sla_policy_builtin(&a.tier2, a.ctx, SVCQ_TIER_2, a.cal, 0), &a, "policy") ||
          check(rc = svcq_sla_policy_save(a.tier2), &a, "policy save") ||
          check(rc = svcq_sla_clock_new(&clock, a.tier2, TICKET), &a, "clock"))) {
        if (check(rc = svcq_sla_scheduler_add(a.sched, clock), &a, "add"))
            svcq_sla_clock_free(clock); /* still ours */
    }
    if (rc) {
        close_app(&a);
        return rc;
    }
    printf("Process 1 opens %s and receives the request:\n\n", path);
    print_header(&a);
    svcq_time t = friday_1630;
    /* An agent answers after 50 minutes, then waits for the customer, who
     * replies on Monday at 10:00. */
    svcq_time monday_1000 = t + 2 * DAY + 17 * HOUR + 30 * MIN;
    if (!(rc = event(&a, SVCQ_SLA_EVENT_REQUEST_RECEIVED, t, NULL)) &&
        !(rc = advance(&a, t + 50 * MIN)) &&
        !(rc = event(&a, SVCQ_SLA_EVENT_FIRST_CONTACT, t + 50 * MIN, NULL)) &&
        !(rc = event(&a, SVCQ_SLA_EVENT_PAUSE, t + 55 * MIN, "waiting for customer")) &&
        !(rc = advance(&a, monday_1000)) &&
        !(rc = event(&a, SVCQ_SLA_EVENT_RESUME, monday_1000, "waiting for customer")) &&
        !(rc = advance(&a, monday_1000 + 2 * HOUR)))
        rc = save(&a);
    if (rc == SVCQ_OK)
        printf("\nProcess 1 delivered %" PRIu64 " notice(s), saved the clock and closed the store.\n\n",
               a.delivered);
    close_app(&a);
    return rc;
}

static void print_status(app *a, svcq_sla_clock *clock, svcq_time at)
{
    char when[64], due[64], met[96];
    printf("\nStatus on %s:\n\n", local(a, at, when, sizeof(when)));
    printf("  %-22s  %-9s  %-26s  %s\n", "target", "state", "due", "met");
    for (uint32_t i = 0; i < svcq_sla_policy_target_count(svcq_sla_clock_policy(clock)); i++) {
        svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
        if (svcq_sla_clock_status(&st, clock, i, at) != SVCQ_OK)
            continue;
        const char *d = st.due_at == SVCQ_SLA_NEVER ? "-" : local(a, st.due_at, due, sizeof(due));
        met[0] = '\0';
        if (st.met_at != SVCQ_SLA_NEVER)
            snprintf(met, sizeof(met), "%s%s", st.state == SVCQ_SLA_BREACHED ? "late, " : "",
                     local(a, st.met_at, when, sizeof(when)));
        printf("  %-22s  %-9s  %-26s  %s\n", st.metric, svcq_sla_state_name(st.state), d, met);
    }
}

static int second_process(const char *path)
{
    app a;
    int rc = open_app(&a, path);
    if (rc == SVCQ_OK && !check(rc = svcq_sla_policy_load(&a.tier2, a.ctx, "tier.2", 1, NULL), &a, "policy"))
        rc = check(svcq_sla_scheduler_load(a.sched, &a.tier2, 1, 0), &a, "load");
    if (rc) {
        close_app(&a);
        return rc;
    }
    svcq_sla_clock *clock = svcq_sla_scheduler_find(a.sched, TICKET, "tier.2");
    printf("Process 2 opens %s again: policy %s v%u (fingerprint %.12s...) and %" PRIu64 " clock.\n",
           path, svcq_sla_policy_name(a.tier2), svcq_sla_policy_version(a.tier2),
           svcq_sla_policy_fingerprint(a.tier2), svcq_sla_scheduler_count(a.sched));
    /* The same instant process 1 reached: everything due was delivered. */
    svcq_time monday_1200 = friday_1630 + 2 * DAY + 19 * HOUR + 30 * MIN;
    if ((rc = advance(&a, monday_1200))) {
        close_app(&a);
        return rc;
    }
    printf("Advancing to where process 1 stopped delivers %" PRIu64 " notice(s) again.\n\n", a.delivered);
    print_header(&a);
    /* The solution is drafted late, presented and confirmed; execution
     * starts on Tuesday at 10:00, so tier 2's daily progress update is due
     * one business day later, Wednesday at 10:00. */
    svcq_time monday_1630 = monday_1200 + 4 * HOUR + 30 * MIN;
    svcq_time tuesday_1000 = monday_1200 + 22 * HOUR;
    if (!(rc = advance(&a, monday_1630)) &&
        !(rc = event(&a, SVCQ_SLA_EVENT_SOLUTION_DRAFTED, monday_1630, NULL)) &&
        !(rc = event(&a, SVCQ_SLA_EVENT_SOLUTION_PRESENTED, monday_1630 + HOUR, NULL)) &&
        !(rc = advance(&a, tuesday_1000 - 30 * MIN)) &&
        !(rc = event(&a, SVCQ_SLA_EVENT_SOLUTION_CONFIRMED, tuesday_1000 - 30 * MIN, NULL)) &&
        !(rc = event(&a, SVCQ_SLA_EVENT_EXECUTION_STARTED, tuesday_1000, NULL)) &&
        !(rc = advance(&a, tuesday_1000)))
        rc = save(&a);
    if (rc == SVCQ_OK) {
        print_status(&a, clock, tuesday_1000);
        printf("\nThe ticket's timeline (svcq_sla_clock_export_markdown):\n\n");
        svcq_writer out;
        if (!check(rc = svcq_writer_to_file(&out, stdout), &a, "writer"))
            rc = check(svcq_sla_clock_export_markdown(clock, tuesday_1000, a.tz, &out), &a, "timeline");
    }
    close_app(&a);
    return rc;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "sla_ticket.svcq";
    /* The example's own file: start from an empty store each run. */
    (void)unlink(path);
    printf("Ticket %s of a tier-2 client, on Shanghai business hours (Monday to Friday,\n"
           "09:00-18:00). Times are local; a warning's level is the share of the target's\n"
           "time used, an escalation's its number; notices come once each.\n\n",
           TICKET);
    if (first_process(path) != SVCQ_OK || second_process(path) != SVCQ_OK)
        return 1;
    return 0;
}
