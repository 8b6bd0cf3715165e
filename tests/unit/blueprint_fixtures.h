/* The blueprints and the overlay the blueprint tests share (unit, fault,
 * the SVG generator): built through the public API only, so that their
 * exports can be compared byte for byte with tests/data/blueprint/.
 *
 * - "complaints": a complaint-handling service, five steps over the four
 *   shared service stages and five channels, four risk points (three
 *   watched by SLA targets, one by an indicator), one step (follow_up)
 *   without a risk point;
 * - "names":      texts with quotes, angle brackets, ampersands, pipes,
 *   backslashes, line feeds, '#', Markdown marks and CJK text.
 *
 * bf_overlay() adds ten hand-counted incidents of the week from BF_T0
 * (docs/blueprint.md has the same table):
 *
 *   incident step         state   rec  open actions  breached                   at
 *   INC-1    report       open    0    2             first_response             T0+1h
 *   INC-2    report       closed  1    0             first_response, resolution T0+2d
 *   INC-3    report       closed  0    0             -                          T0+3d
 *   INC-4    resolve      open    1    1             resolution                 T0+4d
 *   INC-5    follow_up    open    0    3             -                          T0+5d
 *   INC-6    follow_up    closed  1    0             first_response             T0+6d
 *   INC-7    investigate  closed  0    0             fcr                        T0+6d
 *   INC-8    report       closed  0    0             -                          T0+8d (outside)
 *   INC-9    (none)       open    0    0             -                          T0+1d
 *   INC-10   billing_desk open    0    0             -                          T0+1d (not a step)
 *
 * INC-1 names its stage (reception), INC-9 its stage (complaint_handling)
 * but no touchpoint; the others no stage.
 *
 * By hand: report 3 incidents, 1 recurrence, 1 open, 2 open actions, 2
 * breaches (first_response watches r_wait); acknowledge 0; investigate 1
 * incident, 0 breaches (an indicator is not a breached target); resolve 1,
 * 1 recurrence, 1 open, 1 action, 1 breach; follow_up 2, 1 recurrence, 1
 * open, 3 actions, 0 breaches, no risk point: an unplanned risk. r_wait 2
 * breaches, r_ack 0, r_wrong 0, r_refund 1 (INC-2's resolution breach is
 * on report, not resolve). Kept 9, skipped 1, unplaced 2 (1 of
 * complaint_handling, 1 without stage). */
#ifndef TEST_BLUEPRINT_FIXTURES_H
#define TEST_BLUEPRINT_FIXTURES_H

#include <stdio.h>
#include <string.h>

#include "svcq.h"

/* Monday 2026-03-02 00:00 UTC. */
#define BF_T0 ((svcq_time)1772409600)
#define BF_DAY ((svcq_time)86400)

static inline int bf_step(svcq_blueprint *bp, const char *key, const char *title, const char *stage,
                          const char *channel, const char *customer, const char *front, const char *back,
                          const char *support)
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

static inline int bf_risk(svcq_blueprint *bp, const char *key, const char *step, const char *failure,
                          int32_t severity, const char *contingency, const char *owner, int32_t watch,
                          const char *watch_name)
{
    svcq_blueprint_risk_spec r = SVCQ_BLUEPRINT_RISK_SPEC_INIT;
    r.key = key;
    r.step = step;
    r.failure = failure;
    r.severity = severity;
    r.contingency = contingency;
    r.owner = owner;
    r.watch = watch;
    r.watch_name = watch_name;
    return svcq_blueprint_add_risk(bp, &r);
}

static inline int bf_complaints(svcq_blueprint **out, svcq_ctx *ctx)
{
    svcq_blueprint *bp;
    int rc = svcq_blueprint_new(&bp, ctx, "complaints", "Complaint handling: billing complaints");
    if (rc)
        return rc;
    if (!rc)
        rc = bf_step(bp, "report", "Complaint reported", "reception", "phone",
                     "Calls the hotline about a wrong bill", "Agent logs the complaint and gives a ticket number",
                     "Ticket routed to the billing queue", "CRM ticketing");
    if (!rc)
        rc = bf_step(bp, "acknowledge", "Acknowledgement", "complaint_handling", "wechat",
                     "Receives the acknowledgement", "Complaint officer confirms within 30 minutes", NULL,
                     "WeChat service account");
    if (!rc)
        rc = bf_step(bp, "investigate", "Investigation", "technical_support", "system", NULL, NULL,
                     "Billing analyst checks the meter readings", "Billing system");
    if (!rc)
        rc = bf_step(bp, "resolve", "Resolution", "complaint_handling", "phone", "Hears the outcome",
                     "Supervisor calls back with the outcome and the refund", "Refund issued",
                     "ERP refunds");
    if (!rc)
        rc = bf_step(bp, "follow_up", "Follow-up", "after_sales", "app", "Rates the service from 1 to 5", NULL,
                     "Quality staff review low ratings", "Survey app");
    if (!rc)
        rc = bf_risk(bp, "r_wait", "report", "Hotline queue over 10 minutes: the caller hangs up",
                     SVCQ_BLUEPRINT_HIGH, "Open the overflow queue to the back office", "Shift lead",
                     SVCQ_BLUEPRINT_WATCH_SLA_TARGET, "first_response");
    if (!rc)
        rc = bf_risk(bp, "r_ack", "acknowledge", "No acknowledgement within 30 minutes", SVCQ_BLUEPRINT_MEDIUM,
                     "The supervisor sends it by hand", "Complaint supervisor", SVCQ_BLUEPRINT_WATCH_SLA_TARGET,
                     "acknowledge");
    if (!rc)
        rc = bf_risk(bp, "r_wrong", "investigate", "The analyst reads the wrong meter", SVCQ_BLUEPRINT_CRITICAL,
                     "A second reading by another analyst", "Billing lead", SVCQ_BLUEPRINT_WATCH_INDICATOR, "fcr");
    if (!rc)
        rc = bf_risk(bp, "r_refund", "resolve", "Refund later than promised", SVCQ_BLUEPRINT_HIGH,
                     "Escalate to the finance manager", "Finance", SVCQ_BLUEPRINT_WATCH_SLA_TARGET, "resolution");
    if (rc) {
        svcq_blueprint_free(bp);
        return rc;
    }
    *out = bp;
    return SVCQ_OK;
}

static inline int bf_names(svcq_blueprint **out, svcq_ctx *ctx)
{
    svcq_blueprint *bp;
    int rc = svcq_blueprint_new(&bp, ctx, "names-1.0", "<Names> & \"quotes\" | pipes #1");
    if (rc)
        return rc;
    if (!rc)
        rc = bf_step(bp, "s1", "A|B <c> & 'd'", "my_stage", "fax_2", "Line one\nline two\twith tab",
                     "*bold* _em_ `code` [link](x) \\ back", "<script>alert(1)</script>", "%% not a comment");
    if (!rc)
        rc = bf_step(bp, "s2", "客户投诉处理流程", "complaint_handling", NULL, "客户拨打热线电话投诉账单错误，等待时间很长",
                     NULL, NULL, NULL);
    if (!rc)
        rc = bf_risk(bp, "r1", "s1", "Fails \"badly\" & <loudly>", SVCQ_BLUEPRINT_LOW, NULL, NULL,
                     SVCQ_BLUEPRINT_WATCH_NONE, NULL);
    if (!rc)
        rc = bf_risk(bp, "r2", "s2", "超时未回复", SVCQ_BLUEPRINT_CRITICAL, "主管亲自回电", "投诉主管",
                     SVCQ_BLUEPRINT_WATCH_SLA_TARGET, "first_response");
    if (rc) {
        svcq_blueprint_free(bp);
        return rc;
    }
    *out = bp;
    return SVCQ_OK;
}

static inline int bf_obs_in(svcq_blueprint_overlay *ov, const char *id, const char *step, const char *stage,
                            int32_t state, uint32_t rec, uint32_t actions, const char *b1, const char *b2,
                            svcq_time at)
{
    svcq_blueprint_observation o = SVCQ_BLUEPRINT_OBSERVATION_INIT;
    o.stage = stage;
    const char *br[2] = { b1, b2 };
    o.incident = id;
    o.step = step;
    o.state = state;
    o.recurrence = rec;
    o.open_actions = actions;
    o.breached = br;
    o.breached_count = b2 ? 2 : b1 ? 1 : 0;
    o.at = at;
    return svcq_blueprint_overlay_add(ov, &o);
}

static inline int bf_obs(svcq_blueprint_overlay *ov, const char *id, const char *step, int32_t state,
                         uint32_t rec, uint32_t actions, const char *b1, const char *b2, svcq_time at)
{
    return bf_obs_in(ov, id, step, NULL, state, rec, actions, b1, b2, at);
}

static inline int bf_overlay(svcq_blueprint_overlay **out, svcq_ctx *ctx)
{
    svcq_blueprint_overlay *ov;
    int rc = svcq_blueprint_overlay_new(&ov, ctx, BF_T0, BF_T0 + 7 * BF_DAY);
    if (rc)
        return rc;
    const int32_t O = SVCQ_BLUEPRINT_OBS_OPEN, C = SVCQ_BLUEPRINT_OBS_CLOSED;
    if (!rc) rc = bf_obs_in(ov, "INC-1", "report", "reception", O, 0, 2, "first_response", NULL, BF_T0 + 3600);
    if (!rc) rc = bf_obs(ov, "INC-2", "report", C, 1, 0, "first_response", "resolution", BF_T0 + 2 * BF_DAY);
    if (!rc) rc = bf_obs(ov, "INC-3", "report", C, 0, 0, NULL, NULL, BF_T0 + 3 * BF_DAY);
    if (!rc) rc = bf_obs(ov, "INC-4", "resolve", O, 1, 1, "resolution", NULL, BF_T0 + 4 * BF_DAY);
    if (!rc) rc = bf_obs(ov, "INC-5", "follow_up", O, 0, 3, NULL, NULL, BF_T0 + 5 * BF_DAY);
    if (!rc) rc = bf_obs(ov, "INC-6", "follow_up", C, 1, 0, "first_response", NULL, BF_T0 + 6 * BF_DAY);
    if (!rc) rc = bf_obs(ov, "INC-7", "investigate", C, 0, 0, "fcr", NULL, BF_T0 + 6 * BF_DAY);
    if (!rc) rc = bf_obs(ov, "INC-8", "report", C, 0, 0, NULL, NULL, BF_T0 + 8 * BF_DAY);
    if (!rc) rc = bf_obs_in(ov, "INC-9", NULL, "complaint_handling", O, 0, 0, NULL, NULL, BF_T0 + BF_DAY);
    if (!rc) rc = bf_obs(ov, "INC-10", "billing_desk", O, 0, 0, NULL, NULL, BF_T0 + BF_DAY);
    if (rc) {
        svcq_blueprint_overlay_free(ov);
        return rc;
    }
    *out = ov;
    return SVCQ_OK;
}

#endif
