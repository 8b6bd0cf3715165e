/* The blueprint of a complaint-handling service: six touchpoints across
 * the four lanes, risk points with their contingencies and the SLA targets
 * that watch them, saved as version 1; then a month of incidents from the
 * archive drawn on it, with the risk points that really failed and the
 * unplanned risks.
 *
 *     blueprint [directory]     (default: the current directory)
 *
 * writes complaint-blueprint.svg and complaint-blueprint.md there and
 * prints each step's incidents. */
#include <stdio.h>
#include <string.h>

#include <svcq.h>

/* 2026-03-01 00:00 UTC and a day. */
#define MARCH ((svcq_time)1772323200)
#define DAY ((svcq_time)86400)

static int write_file(const char *dir, const char *name, const svcq_buffer *b)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t n = fwrite(svcq_buffer_data(b), 1, svcq_buffer_size(b), f);
    int rc = fclose(f);
    if (n != svcq_buffer_size(b) || rc != 0) {
        perror(path);
        return -1;
    }
    printf("wrote %s\n", path);
    return 0;
}

static int step(svcq_blueprint *bp, const char *key, const char *title, const char *stage, const char *channel,
                const char *customer, const char *front, const char *back, const char *support)
{
    svcq_blueprint_step_spec s = SVCQ_BLUEPRINT_STEP_SPEC_INIT;
    s.key = key;
    s.title = title;
    s.stage = stage;
    s.channel = channel;
    s.customer = customer;
    s.front = front;
    s.back = back;
    s.support = support;
    return svcq_blueprint_add_step(bp, &s, -1);
}

static int risk(svcq_blueprint *bp, const char *key, const char *on, const char *failure, int32_t severity,
                const char *contingency, const char *owner, const char *target)
{
    svcq_blueprint_risk_spec r = SVCQ_BLUEPRINT_RISK_SPEC_INIT;
    r.key = key;
    r.step = on;
    r.failure = failure;
    r.severity = severity;
    r.contingency = contingency;
    r.owner = owner;
    r.watch = target ? SVCQ_BLUEPRINT_WATCH_SLA_TARGET : SVCQ_BLUEPRINT_WATCH_NONE;
    r.watch_name = target;
    return svcq_blueprint_add_risk(bp, &r);
}

/* One incident of the archive, as the incident module will report it. */
static int incident(svcq_blueprint_overlay *ov, const char *id, const char *touchpoint, const char *stage, int open,
                    int recurrence, uint32_t open_actions, const char *breached, int day)
{
    svcq_blueprint_observation o = SVCQ_BLUEPRINT_OBSERVATION_INIT;
    o.incident = id;
    o.step = touchpoint;
    o.stage = stage;
    o.state = open ? SVCQ_BLUEPRINT_OBS_OPEN : SVCQ_BLUEPRINT_OBS_CLOSED;
    o.recurrence = recurrence ? 1 : 0;
    o.open_actions = open_actions;
    o.breached = &breached;
    o.breached_count = breached ? 1 : 0;
    o.at = MARCH + day * DAY + 10 * 3600;
    return svcq_blueprint_overlay_add(ov, &o);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    svcq_ctx *ctx = NULL;
    svcq_blueprint *bp = NULL;
    svcq_blueprint_overlay *ov = NULL;
    svcq_buffer *svg = NULL, *md = NULL;
    int rc = svcq_ctx_new(&ctx, NULL);
    if (rc == SVCQ_OK)
        rc = svcq_blueprint_new(&bp, ctx, "complaints", "Complaint handling — from the call to the follow-up");
    if (rc == SVCQ_OK)
        rc = step(bp, "report", "Complaint received", "reception", "phone", "Calls the hotline about a wrong bill",
                  "Agent records the complaint and gives a ticket number", "Ticket routed to the billing queue",
                  "CRM ticketing");
    if (rc == SVCQ_OK)
        rc = step(bp, "acknowledge", "Acknowledgement", "complaint_handling", "wechat",
                  "Gets a WeChat message with the case owner", "Complaint officer confirms within 30 minutes", NULL,
                  "WeChat service account");
    if (rc == SVCQ_OK)
        rc = step(bp, "investigate", "Investigation", "technical_support", "system", NULL, NULL,
                  "Billing analyst checks the meter readings and the tariff", "Billing system, meter data");
    if (rc == SVCQ_OK)
        rc = step(bp, "visit", "On-site check", "technical_support", "on_site", "Lets the engineer in",
                  "Engineer reads the meter with the customer", "Work order closed with photos", "Field service app");
    if (rc == SVCQ_OK)
        rc = step(bp, "resolve", "Resolution", "complaint_handling", "phone", "Hears the outcome and the refund",
                  "Supervisor calls back", "Refund issued", "ERP refunds");
    if (rc == SVCQ_OK)
        rc = step(bp, "follow_up", "Follow-up", "after_sales", "app", "Rates the service from 1 to 5", NULL,
                  "Quality staff review every rating below 4", "Survey app");
    if (rc == SVCQ_OK)
        rc = risk(bp, "queue_wait", "report", "Hotline queue over 10 minutes: the caller hangs up",
                  SVCQ_BLUEPRINT_HIGH, "Open the overflow queue to the back office", "Shift lead", "first_response");
    if (rc == SVCQ_OK)
        rc = risk(bp, "no_ack", "acknowledge", "No acknowledgement within 30 minutes", SVCQ_BLUEPRINT_MEDIUM,
                  "The supervisor sends it by hand", "Complaint supervisor", "acknowledge");
    if (rc == SVCQ_OK)
        rc = risk(bp, "missed_visit", "visit", "The engineer misses the appointment", SVCQ_BLUEPRINT_HIGH,
                  "Rebook within 24 hours and call the customer", "Field dispatcher", "visit");
    if (rc == SVCQ_OK)
        rc = risk(bp, "late_refund", "resolve", "Refund later than promised", SVCQ_BLUEPRINT_CRITICAL,
                  "Escalate to the finance manager the same day", "Finance", "resolution");
    if (rc == SVCQ_OK)
        rc = svcq_blueprint_save(bp);
    if (rc == SVCQ_OK)
        printf("blueprint %s saved as version %u\n", svcq_blueprint_service(bp), (unsigned)svcq_blueprint_version(bp));

    /* March from the archive: where the service really failed. */
    if (rc == SVCQ_OK)
        rc = svcq_blueprint_overlay_new(&ov, ctx, MARCH, MARCH + 31 * DAY);
    static const struct {
        const char *id, *at, *stage;
        int open, rec;
        uint32_t actions;
        const char *breached;
        int day;
    } archive[] = {
        { "Q-0301", "report", "reception", 0, 0, 0, "first_response", 1 },
        { "Q-0305", "report", "reception", 0, 1, 0, "first_response", 4 },
        { "Q-0309", "report", "reception", 1, 1, 2, "first_response", 8 },
        { "Q-0311", "report", "reception", 0, 0, 0, NULL, 10 },
        { "Q-0314", "report", "reception", 1, 1, 1, "first_response", 13 },
        { "Q-0318", "report", "reception", 1, 0, 0, NULL, 17 },
        { "Q-0307", "visit", "technical_support", 0, 0, 0, "visit", 6 },
        { "Q-0320", "resolve", "complaint_handling", 1, 0, 2, "resolution", 19 },
        { "Q-0312", "follow_up", "after_sales", 1, 0, 1, NULL, 11 },
        { "Q-0322", "follow_up", "after_sales", 1, 1, 2, NULL, 21 },
        { "Q-0325", "follow_up", "after_sales", 0, 1, 0, NULL, 24 },
        /* Reported at the counter, on no touchpoint the blueprint has. */
        { "Q-0327", NULL, "reception", 1, 0, 1, NULL, 26 },
    };
    for (size_t i = 0; rc == SVCQ_OK && i < sizeof(archive) / sizeof(archive[0]); i++)
        rc = incident(ov, archive[i].id, archive[i].at, archive[i].stage, archive[i].open, archive[i].rec,
                      archive[i].actions, archive[i].breached, archive[i].day);
    for (size_t i = 0; rc == SVCQ_OK && i < svcq_blueprint_step_count(bp); i++) {
        svcq_blueprint_step_spec s = SVCQ_BLUEPRINT_STEP_SPEC_INIT;
        svcq_blueprint_step_stats st = SVCQ_BLUEPRINT_STEP_STATS_INIT;
        rc = svcq_blueprint_step(&s, bp, i);
        if (rc == SVCQ_OK)
            rc = svcq_blueprint_overlay_step(&st, ov, bp, s.key);
        if (rc == SVCQ_OK)
            printf("%-20s incidents %2u, recurrences %u, open %u, breaches %u%s\n", s.title, (unsigned)st.incidents,
                   (unsigned)st.recurrences, (unsigned)st.open, (unsigned)st.breaches,
                   st.unplanned ? "  <- unplanned risk" : "");
    }

    if (rc == SVCQ_OK)
        printf("on no step of the blueprint: %zu (reception: %zu)\n", svcq_blueprint_overlay_unplaced(ov, bp),
               svcq_blueprint_overlay_unplaced_in_stage(ov, bp, "reception"));

    svcq_writer w;
    if (rc == SVCQ_OK)
        rc = svcq_buffer_new(&svg, ctx);
    if (rc == SVCQ_OK)
        rc = svcq_writer_to_buffer(&w, svg);
    if (rc == SVCQ_OK)
        rc = svcq_blueprint_export_svg(bp, &w, ov);
    if (rc == SVCQ_OK)
        rc = svcq_buffer_new(&md, ctx);
    if (rc == SVCQ_OK)
        rc = svcq_writer_to_buffer(&w, md);
    if (rc == SVCQ_OK)
        rc = svcq_blueprint_export_markdown(bp, &w, ov);
    int status = 0;
    if (rc != SVCQ_OK) {
        fprintf(stderr, "blueprint: %s: %s\n", svcq_strerror(rc), ctx ? svcq_ctx_errmsg(ctx) : "");
        status = 1;
    }
    if (status == 0 &&
        (write_file(dir, "complaint-blueprint.svg", svg) || write_file(dir, "complaint-blueprint.md", md)))
        status = 1;
    svcq_buffer_free(svg);
    svcq_buffer_free(md);
    svcq_blueprint_overlay_free(ov);
    svcq_blueprint_free(bp);
    svcq_ctx_free(ctx);
    return status;
}
