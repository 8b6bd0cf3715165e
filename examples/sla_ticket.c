/* sla_ticket: a tier-2 ticket's SLA clocks running on business hours.
 *
 * A client of tier 2 raises a request on a Friday afternoon in Shanghai.
 * The built-in tier-2 policy (first response 1 h, solution 4 h, ...) runs on
 * Monday-Friday 09:00-18:00 local time; the scheduler reports each warning,
 * breach and escalation as the host's clock moves on, and the clock's
 * timeline is printed as a Markdown table at the end. The scheduler is then
 * saved to the context's built-in store and loaded into a fresh scheduler,
 * as a restarted process would: nothing already delivered comes again. */
#include <inttypes.h>
#include <stdio.h>

#include <svcq.h>

#define HOUR 3600

static int on_notice(const svcq_sla_notice *n, void *user_data)
{
    (void)user_data;
    static const char *const kinds[] = { "", "warning", "BREACH", "escalation" };
    printf("  %" PRId64 "  %-10s %-22s %s level %d\n", n->at, kinds[n->kind], n->metric, n->subject, n->level);
    return 0;
}

static int check(int rc, svcq_ctx *ctx, const char *what)
{
    if (rc != SVCQ_OK)
        fprintf(stderr, "%s: %s (%s)\n", what, svcq_strerror(rc), svcq_ctx_errmsg(ctx));
    return rc;
}

int main(void)
{
    svcq_ctx *ctx;
    if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
        return 1;
    int rc = SVCQ_OK;
    svcq_tz *tz = NULL;
    svcq_calendar *cal = NULL;
    svcq_sla_policy *tier2 = NULL;
    svcq_sla_scheduler *sched = NULL;
    svcq_sla_clock *clock = NULL;

    /* The system's zone data when there is some, else a fixed UTC+8. */
    if (svcq_tz_load(&tz, ctx, "Asia/Shanghai", NULL) != SVCQ_OK &&
        check(rc = svcq_tz_fixed(&tz, ctx, 8 * HOUR), ctx, "zone"))
        goto out;
    if (check(rc = svcq_sla_default_calendar(&cal, ctx, tz), ctx, "calendar") ||
        check(rc = svcq_sla_policy_builtin(&tier2, ctx, SVCQ_TIER_2, cal, 0), ctx, "policy") ||
        check(rc = svcq_sla_scheduler_new(&sched, ctx, on_notice, NULL), ctx, "scheduler") ||
        check(rc = svcq_sla_clock_new(&clock, tier2, "TICKET-7"), ctx, "clock"))
        goto out;
    if (check(rc = svcq_sla_scheduler_add(sched, clock), ctx, "add")) {
        svcq_sla_clock_free(clock); /* still ours */
        goto out;
    }

    /* Friday 2026-01-09 16:30 in Shanghai is 08:30 UTC. */
    svcq_time t = 1767947400;
    printf("request received; the host's clock then moves on:\n");
    if (check(rc = svcq_sla_clock_event(clock, SVCQ_SLA_EVENT_REQUEST_RECEIVED, t, NULL), ctx, "event"))
        goto out;
    /* An agent answers after 50 minutes, then waits for the customer. */
    if (check(rc = svcq_sla_scheduler_advance(NULL, sched, t + 50 * 60), ctx, "advance") ||
        check(rc = svcq_sla_clock_event(clock, SVCQ_SLA_EVENT_FIRST_CONTACT, t + 50 * 60, NULL), ctx, "event") ||
        check(rc = svcq_sla_clock_event(clock, SVCQ_SLA_EVENT_PAUSE, t + 55 * 60, "waiting for customer"), ctx,
              "event"))
        goto out;
    /* The customer replies on Monday at 10:00 local (02:00 UTC). */
    svcq_time monday = t + 2 * 24 * HOUR + 17 * HOUR + 30 * 60;
    if (check(rc = svcq_sla_scheduler_advance(NULL, sched, monday), ctx, "advance") ||
        check(rc = svcq_sla_clock_event(clock, SVCQ_SLA_EVENT_RESUME, monday, "waiting for customer"), ctx,
              "event") ||
        check(rc = svcq_sla_scheduler_advance(NULL, sched, monday + 24 * HOUR), ctx, "advance"))
        goto out;

    printf("\ntimeline:\n\n");
    svcq_writer out;
    if (check(rc = svcq_writer_to_file(&out, stdout), ctx, "writer") ||
        check(rc = svcq_sla_clock_export_markdown(clock, monday + 24 * HOUR, tz, &out), ctx, "export"))
        goto out;

    /* Persist, and load as a restarted process would. */
    svcq_sla_scheduler *again = NULL;
    uint64_t repeated = 0, unsaved = 0;
    if (check(rc = svcq_sla_scheduler_save(&unsaved, sched), ctx, "save") ||
        check(rc = svcq_sla_scheduler_new(&again, ctx, on_notice, NULL), ctx, "scheduler") ||
        check(rc = svcq_sla_scheduler_load(again, &tier2, 1, 0), ctx, "load") ||
        check(rc = svcq_sla_scheduler_advance(&repeated, again, monday + 24 * HOUR), ctx, "advance")) {
        svcq_sla_scheduler_free(again);
        goto out;
    }
    if (unsaved)
        fprintf(stderr, "%llu clock(s) not saved: %s\n", (unsigned long long)unsaved, svcq_ctx_errmsg(ctx));
    printf("\nsaved and loaded %llu clock(s) from the store; notices delivered again: %llu\n",
           (unsigned long long)svcq_sla_scheduler_count(again), (unsigned long long)repeated);
    svcq_sla_scheduler_free(again);
out:
    svcq_sla_scheduler_free(sched); /* frees the clock it holds */
    svcq_sla_policy_free(tier2);
    svcq_calendar_free(cal);
    svcq_tz_free(tz);
    svcq_ctx_free(ctx);
    return rc == SVCQ_OK ? 0 : 1;
}
