/* Shared fixture of the incident tests (unit, fault, property, race,
 * bench): a context on a test clock, an analysis with one root cause, and
 * the full lifecycle as a list of steps. Header-only. */
#ifndef INCIDENT_FIXTURE_H
#define INCIDENT_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svcq.h"

#define FX_T0 1767232800 /* 2026-01-01T02:00:00Z */
#define FX_DAY 86400

static svcq_time fx_now_value = FX_T0;
static svcq_time fx_clock(void *user)
{
    (void)user;
    return fx_now_value;
}

/* Options with the fixture's clock (allocator left to the caller). */
static void fx_options(svcq_ctx_options *o)
{
    o->clock_fn = fx_clock;
    o->clock_user_data = NULL;
}

/* An analysis "<id>" with root cause c1 (confirmed, with evidence), unsaved. */
static int fx_analysis(svcq_analysis **out, svcq_ctx *ctx, const char *id)
{
    svcq_analysis *a = NULL;
    const char *c = NULL;
    int rc = svcq_analysis_new(&a, ctx, id, "Replies to tickets are late", SVCQ_ANALYSIS_6M);
    if (!rc)
        rc = svcq_analysis_add(&c, a, "k1", SVCQ_ANALYSIS_CAUSE, "Queue not watched at shift change");
    if (!rc)
        rc = svcq_analysis_set_status(a, c, SVCQ_ANALYSIS_CONFIRMED);
    if (!rc)
        rc = svcq_analysis_add_evidence(a, c, SVCQ_ANALYSIS_EV_SYSTEM_LOG, "log://queue/2026-01-01", "gap 17:55-18:40",
                                        "QA", FX_T0);
    if (!rc)
        rc = svcq_analysis_set_root_cause(a, c, 1);
    if (rc) {
        svcq_analysis_free(a);
        return rc;
    }
    *out = a;
    return 0;
}

static int fx_report(svcq_incident **out, svcq_ctx *ctx, const char *id)
{
    svcq_incident_report_spec s = SVCQ_INCIDENT_REPORT_SPEC_INIT;
    s.type = SVCQ_INCIDENT_TYPE_SERVICE_DELAY;
    s.stage = SVCQ_INCIDENT_STAGE_TECHNICAL_SUPPORT;
    s.channel = SVCQ_INCIDENT_CHANNEL_PHONE;
    s.observed = "Customer waited 3 h for a callback promised within 1 h";
    s.impact = "One enterprise client";
    s.location = "Support centre, Shenzhen";
    s.reporter_name = "Li Na";
    s.reporter_role = "agent";
    s.client = "client-42";
    s.containment = "Supervisor called the customer back at once";
    s.touchpoint = "callback";
    return svcq_incident_report(out, ctx, id, &s, "Li Na", "agent");
}

static int fx_measure(const char **id, svcq_incident *inc, const char *root, const char *what, int64_t target)
{
    svcq_incident_measure_spec m = SVCQ_INCIDENT_MEASURE_SPEC_INIT;
    m.kind = SVCQ_INCIDENT_MEASURE_PROCESS_CHANGE;
    m.what = what;
    m.root_cause = root;
    m.owner = "Wang Wei";
    m.deadline = fx_now_value + 7 * FX_DAY;
    m.indicator = "callback delay";
    m.unit = "h";
    m.baseline = 3000;
    m.target = target;
    m.direction = SVCQ_INCIDENT_LOWER_IS_BETTER;
    m.feasibility = "Fits the current staffing";
    m.expected_effect = "Callbacks within 1 h";
    m.approved_by = "Zhao Min";
    return svcq_incident_add_measure(id, inc, "Wang Wei", "team_lead", &m);
}

static int fx_ledger(svcq_incident *inc, const char *measure, int32_t kind, int32_t percent)
{
    svcq_incident_ledger_spec l = SVCQ_INCIDENT_LEDGER_SPEC_INIT;
    l.kind = kind;
    l.measure = measure;
    l.percent = percent;
    if (kind == SVCQ_INCIDENT_LEDGER_PROGRESS) {
        l.note = "on track";
    } else if (kind == SVCQ_INCIDENT_LEDGER_DEVIATION) {
        l.note = "handover checklist not used on Sunday";
        l.reason = "weekend shift not briefed";
    } else {
        l.reason = "owner on leave";
        l.new_owner = "Chen Jie";
        l.approver = "Zhao Min";
    }
    return svcq_incident_ledger_add(inc, "Wang Wei", "team_lead", &l);
}

/* The full lifecycle, one call per step; step i of FX_STEPS. The analysis
 * a must be of the same context (its id "a-<incident id>"). */
enum { FX_STEPS = 26 };
static int fx_step(svcq_incident **inc, svcq_ctx *ctx, const char *id, svcq_analysis *a, int step)
{
    svcq_incident_confirmation c = SVCQ_INCIDENT_CONFIRMATION_INIT;
    char root[128] = "";
    if (step == 8 || step == 9) /* formatted only where used: the benchmark times every step */
        snprintf(root, sizeof(root), "%s:c1", a ? svcq_analysis_id(a) : "?");
    switch (step) {
    case 0: return fx_report(inc, ctx, id);
    case 1: return svcq_incident_add_attachment(*inc, "Li Na", "agent", "photo", "file://wall-board.jpg", NULL);
    case 2: return svcq_incident_add_confirmer(*inc, "Zhao Min", "supervisor", "Zhao Min", "service_supervisor");
    case 3: return svcq_incident_add_confirmer(*inc, "Zhao Min", "supervisor", "Sun Li", "quality_staff");
    case 4:
        c.real = 1;
        c.category = SVCQ_INCIDENT_RESP_PROCESS_GAP;
        c.responsible_unit = "Support tier 1";
        return svcq_incident_confirm(*inc, "Zhao Min", "supervisor", &c);
    case 5: return svcq_incident_transition(*inc, "Sun Li", "quality_staff", SVCQ_INCIDENT_ANALYSING, NULL);
    case 6: return svcq_incident_attach_analysis(*inc, "Sun Li", "quality_staff", a);
    case 7: return svcq_incident_transition(*inc, "Sun Li", "quality_staff", SVCQ_INCIDENT_PLANNING, NULL);
    case 8: return fx_measure(NULL, *inc, root, "Handover checklist at shift change", 1000);
    case 9: return fx_measure(NULL, *inc, root, "Queue alarm after 45 min", 1000);
    case 10: return svcq_incident_transition(*inc, "Zhao Min", "supervisor", SVCQ_INCIDENT_EXECUTING, "approved");
    case 11: return fx_ledger(*inc, "m1", SVCQ_INCIDENT_LEDGER_PROGRESS, 50);
    case 12: return fx_ledger(*inc, "m2", SVCQ_INCIDENT_LEDGER_PROGRESS, 30);
    case 13: return fx_ledger(*inc, "m1", SVCQ_INCIDENT_LEDGER_DEVIATION, 0);
    case 14: return fx_ledger(*inc, "m2", SVCQ_INCIDENT_LEDGER_ADJUSTMENT, 0);
    case 15: return svcq_incident_set_measure_state(*inc, "Wang Wei", "team_lead", "m1", SVCQ_INCIDENT_MEASURE_DONE, NULL);
    case 16: return svcq_incident_set_measure_state(*inc, "Chen Jie", "team_lead", "m2", SVCQ_INCIDENT_MEASURE_DONE,
                                                    "alarm live");
    case 17: return svcq_incident_transition(*inc, "Zhao Min", "supervisor", SVCQ_INCIDENT_VERIFYING, NULL);
    case 18: fx_now_value += 31 * FX_DAY; return 0;
    case 19: return svcq_incident_record_indicator(*inc, "Sun Li", "quality_staff", "m1", 800);
    case 20: return svcq_incident_record_indicator(*inc, "Sun Li", "quality_staff", "m2", 900);
    case 21: return svcq_incident_verify(NULL, *inc, "Sun Li", "quality_staff", 4100, 4600, "looks good");
    case 22: return svcq_incident_add_improvement(*inc, "Zhao Min", "supervisor", "operating_manual",
                                                  "doc://manual/support#handover", "section 4.2");
    case 23: return svcq_incident_set_lessons(*inc, "Zhao Min", "supervisor", "Shift changes need a written handover");
    case 24: return svcq_incident_transition(*inc, "Zhao Min", "supervisor", SVCQ_INCIDENT_CLOSED, NULL);
    default: return 0;
    }
}

#endif
