/* The four tiers of domain.md as built-in policies. */
#include <string.h>

#include "sla/sla_internal.h"

#define MIN 60
#define HOUR 3600

/* One row of the tier table: the target and its duration per tier (-1: the
 * tier has no such step; 0: tracked without deadline), and where the
 * source speaks of days ("daily", "24 h" replies, "48 h" acceptance) the
 * same timing in business days for tiers on a business calendar (0: the
 * duration in seconds applies). docs/sla.md shows this table; a test
 * compares the two. */
typedef struct tier_row {
    const char *metric;
    const char *start;
    const char *meet;
    const char *stop;
    int recurring;
    int64_t duration[4]; /* special, 1, 2, 3 */
    int64_t days[4];     /* business days (tiers 1-3 only) */
} tier_row;

static const tier_row tier_table[] = {
    { "first_response", SVCQ_SLA_EVENT_REQUEST_RECEIVED, SVCQ_SLA_EVENT_FIRST_CONTACT, NULL, 0,
      { 15 * MIN, 30 * MIN, 1 * HOUR, 2 * HOUR }, { 0 } },
    { "solution_draft", SVCQ_SLA_EVENT_REQUEST_RECEIVED, SVCQ_SLA_EVENT_SOLUTION_DRAFTED, NULL, 0,
      { 1 * HOUR, 2 * HOUR, 4 * HOUR, -1 }, { 0 } },
    { "solution_presentation", SVCQ_SLA_EVENT_SOLUTION_DRAFTED, SVCQ_SLA_EVENT_SOLUTION_PRESENTED, NULL, 0,
      { 2 * HOUR, 4 * HOUR, 8 * HOUR, -1 }, { 0 } },
    /* Special: "until confirmed" — tracked, no deadline. Tiers 1, 2: aims. */
    { "solution_confirmation", SVCQ_SLA_EVENT_SOLUTION_DRAFTED, SVCQ_SLA_EVENT_SOLUTION_CONFIRMED, NULL, 0,
      { 0, 8 * HOUR, 12 * HOUR, -1 }, { 0 } },
    /* Tier 3: a definite reply time and solution when not solvable at once. */
    { "definite_reply", SVCQ_SLA_EVENT_REQUEST_RECEIVED, SVCQ_SLA_EVENT_REPLY_COMMITTED, NULL, 0,
      { -1, -1, -1, 24 * HOUR }, { 0, 0, 0, 1 } },
    /* Tier 2: "daily (24 h)". */
    { "progress_update", SVCQ_SLA_EVENT_EXECUTION_STARTED, SVCQ_SLA_EVENT_PROGRESS_UPDATE,
      SVCQ_SLA_EVENT_SERVICE_COMPLETED, 1, { 4 * HOUR, 8 * HOUR, 24 * HOUR, -1 }, { 0, 0, 1, 0 } },
    { "acceptance_invitation", SVCQ_SLA_EVENT_SERVICE_COMPLETED, SVCQ_SLA_EVENT_ACCEPTANCE_INVITED, NULL, 0,
      { 24 * HOUR, 48 * HOUR, 72 * HOUR, -1 }, { 0, 2, 3, 0 } },
    /* Tier 3: feed back the result after completion — tracked. */
    { "result_feedback", SVCQ_SLA_EVENT_SERVICE_COMPLETED, SVCQ_SLA_EVENT_RESULT_REPORTED, NULL, 0,
      { -1, -1, -1, 0 }, { 0 } },
};

static const char *const tier_names[4] = { "tier.special", "tier.1", "tier.2", "tier.3" };

int svcq_sla_default_calendar(svcq_calendar **out, svcq_ctx *ctx, const svcq_tz *tz)
{
    if (!out || !ctx)
        return SVCQ_EINVAL;
    *out = NULL;
    svcq_tz *utc = NULL;
    int rc;
    if (!tz) {
        if ((rc = svcq_tz_fixed(&utc, ctx, 0)) != SVCQ_OK)
            return rc;
        tz = utc;
    }
    svcq_calendar *cal = NULL;
    rc = svcq_calendar_new(&cal, ctx, tz, NULL);
    static const int32_t nine_to_six[2] = { 9 * HOUR, 18 * HOUR };
    for (int32_t d = SVCQ_MONDAY; rc == SVCQ_OK && d <= SVCQ_FRIDAY; d++)
        rc = svcq_calendar_set_weekday(cal, d, nine_to_six, 1);
    svcq_tz_free(utc);
    if (rc) {
        svcq_calendar_free(cal);
        return rc;
    }
    *out = cal;
    return SVCQ_OK;
}

int svcq_sla_policy_builtin(svcq_sla_policy **out, svcq_ctx *ctx, int32_t tier,
                            const svcq_calendar *business_calendar, uint32_t flags)
{
    if (out)
        *out = NULL;
    if (!out || !ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_sla_policy_builtin: NULL %s", !out ? "out" : "ctx");
    if (tier < SVCQ_TIER_SPECIAL || tier > SVCQ_TIER_3)
        return svcq__error(ctx, SVCQ_EINVAL, "built-in policy: unknown tier %d (0 to 3)", tier);
    if (flags & ~SVCQ_SLA_BUILTIN_LITERAL_HOURS)
        return svcq__error(ctx, SVCQ_EINVAL, "built-in policy: unknown flags 0x%x", flags);

    svcq_sla_policy *p = NULL;
    svcq_calendar *own = NULL;
    const svcq_calendar *cal = NULL; /* the special tier runs 7×24 */
    int rc = svcq_sla_policy_new(&p, ctx, tier_names[tier], 1);
    if (rc)
        return rc;
    if (tier != SVCQ_TIER_SPECIAL) {
        cal = business_calendar;
        if (!cal) {
            if ((rc = svcq_sla_default_calendar(&own, ctx, NULL)) != SVCQ_OK)
                goto fail;
            cal = own;
        }
    }
    if ((rc = svcq_sla_policy_set_close_event(p, SVCQ_SLA_EVENT_CLOSED)) != SVCQ_OK)
        goto fail;
    for (size_t i = 0; i < sizeof(tier_table) / sizeof(tier_table[0]); i++) {
        const tier_row *row = &tier_table[i];
        if (row->duration[tier] < 0)
            continue;
        svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
        s.metric = row->metric;
        s.start_event = row->start;
        s.meet_event = row->meet;
        s.stop_event = row->stop;
        s.pause_event = SVCQ_SLA_EVENT_PAUSE;
        s.resume_event = SVCQ_SLA_EVENT_RESUME;
        s.duration = row->duration[tier];
        if (tier != SVCQ_TIER_SPECIAL && row->days[tier] > 0 && !(flags & SVCQ_SLA_BUILTIN_LITERAL_HOURS)) {
            s.duration = row->days[tier];
            s.duration_unit = SVCQ_SLA_UNIT_BUSINESS_DAYS;
        }
        s.calendar = cal;
        s.recurring = (uint32_t)row->recurring;
        if (s.duration > 0) {
            svcq__sla_standard_levels(&s);
        }
        if ((rc = svcq_sla_policy_add_target(p, &s)) != SVCQ_OK)
            goto fail;
    }
    svcq_calendar_free(own);
    *out = p;
    return SVCQ_OK;
fail:
    svcq_calendar_free(own);
    svcq_sla_policy_free(p);
    return rc;
}
