/* The runtime constant table: every integer constant of the public headers
 * by name, and the size of every versioned table, for bindings that cannot
 * read C macros (svcq/version.h). Core knows no other module's internals:
 * this file includes only the public umbrella header, and the values come
 * from the macros and enumerators themselves.
 *
 * The abi/constants test parses the public headers and fails, naming the
 * lines to add, when a constant or a table is missing here or has another
 * value; unit/core_constants checks the order. Keep both arrays sorted by
 * name in strcmp order (ASCII: digits < upper case < '_'). */
#include <stdlib.h>
#include <string.h>

#include "svcq.h"

typedef struct svcq__constant {
    const char *name;
    int64_t value;
} svcq__constant;

typedef struct svcq__table {
    const char *name;
    size_t size;
} svcq__table;

#define C(name) { #name, (int64_t)(name) }
static const svcq__constant constants[] = {
    C(SVCQ_ABI_MAJOR),
    C(SVCQ_AGENT_SPEC_VERSION),
    C(SVCQ_ANALYSIS_4S),
    C(SVCQ_ANALYSIS_6M),
    C(SVCQ_ANALYSIS_8P),
    C(SVCQ_ANALYSIS_CATEGORY),
    C(SVCQ_ANALYSIS_CAUSE),
    C(SVCQ_ANALYSIS_CONFIRMED),
    C(SVCQ_ANALYSIS_CUSTOM),
    C(SVCQ_ANALYSIS_DEFAULT_WHY_DEPTH),
    C(SVCQ_ANALYSIS_EFFECT),
    C(SVCQ_ANALYSIS_EV_DOCUMENT),
    C(SVCQ_ANALYSIS_EV_INTERVIEW),
    C(SVCQ_ANALYSIS_EV_OTHER),
    C(SVCQ_ANALYSIS_EV_PHOTO),
    C(SVCQ_ANALYSIS_EV_SYSTEM_LOG),
    C(SVCQ_ANALYSIS_EV_VIDEO),
    C(SVCQ_ANALYSIS_HYPOTHESIS),
    C(SVCQ_ANALYSIS_JSON_PRETTY),
    C(SVCQ_ANALYSIS_MAX_DEPTH),
    C(SVCQ_ANALYSIS_MAX_EVIDENCE),
    C(SVCQ_ANALYSIS_MAX_NODES),
    C(SVCQ_ANALYSIS_MAX_TEXT),
    C(SVCQ_ANALYSIS_MAX_WEIGHT),
    C(SVCQ_ANALYSIS_REFUTED),
    C(SVCQ_ANALYSIS_WHY),
    C(SVCQ_ASSIGN_DEDICATED_TEAM),
    C(SVCQ_ASSIGN_EXPERT_TEAM),
    C(SVCQ_ASSIGN_LEAST_LOADED),
    C(SVCQ_ASSIGN_NAMED_AGENT),
    C(SVCQ_ASSIGN_REQUEST_VERSION),
    C(SVCQ_ASSIGN_ROUND_ROBIN),
    C(SVCQ_ASSIGN_WEIGHTED_ROUND_ROBIN),
    C(SVCQ_BLUEPRINT_CRITICAL),
    C(SVCQ_BLUEPRINT_HIGH),
    C(SVCQ_BLUEPRINT_JSON_PRETTY),
    C(SVCQ_BLUEPRINT_LINE_INTERACTION),
    C(SVCQ_BLUEPRINT_LINE_INTERNAL_INTERACTION),
    C(SVCQ_BLUEPRINT_LINE_VISIBILITY),
    C(SVCQ_BLUEPRINT_LOW),
    C(SVCQ_BLUEPRINT_MAX_BREACHED),
    C(SVCQ_BLUEPRINT_MAX_KEY),
    C(SVCQ_BLUEPRINT_MAX_OBSERVATIONS),
    C(SVCQ_BLUEPRINT_MAX_RISKS),
    C(SVCQ_BLUEPRINT_MAX_STEPS),
    C(SVCQ_BLUEPRINT_MAX_TEXT),
    C(SVCQ_BLUEPRINT_MEDIUM),
    C(SVCQ_BLUEPRINT_OBSERVATION_VERSION),
    C(SVCQ_BLUEPRINT_OBS_CLOSED),
    C(SVCQ_BLUEPRINT_OBS_OPEN),
    C(SVCQ_BLUEPRINT_RISK_SPEC_VERSION),
    C(SVCQ_BLUEPRINT_STEP_SPEC_VERSION),
    C(SVCQ_BLUEPRINT_STEP_STATS_VERSION),
    C(SVCQ_BLUEPRINT_WATCH_INDICATOR),
    C(SVCQ_BLUEPRINT_WATCH_NONE),
    C(SVCQ_BLUEPRINT_WATCH_SLA_TARGET),
    C(SVCQ_CALENDAR_JSON_PRETTY),
    C(SVCQ_CALENDAR_MAX_DATES),
    C(SVCQ_CALENDAR_MAX_INTERVALS),
    C(SVCQ_CALENDAR_OPTIONS_VERSION),
    C(SVCQ_CALENDAR_RT_NEXT_OPENING),
    C(SVCQ_CHANNEL_DEDICATED_EMAIL),
    C(SVCQ_CHANNEL_DEDICATED_HOTLINE),
    C(SVCQ_CHANNEL_DEDICATED_ONLINE),
    C(SVCQ_CHANNEL_HOTLINE),
    C(SVCQ_CHANNEL_ONLINE),
    C(SVCQ_CHANNEL_SELF_SERVICE),
    C(SVCQ_CTX_OPTIONS_VERSION),
    C(SVCQ_DATE_CLOSED),
    C(SVCQ_DATE_HOURS),
    C(SVCQ_DATE_LIKE),
    C(SVCQ_EABORTED),
    C(SVCQ_EBUSY),
    C(SVCQ_ECONFLICT),
    C(SVCQ_ECORRUPT),
    C(SVCQ_EEXIST),
    C(SVCQ_EINVAL),
    C(SVCQ_EIO),
    C(SVCQ_ELIMIT),
    C(SVCQ_ENOMEM),
    C(SVCQ_ENOTFOUND),
    C(SVCQ_EPARSE),
    C(SVCQ_ERANGE),
    C(SVCQ_ERROR_RESERVED_MIN),
    C(SVCQ_ESTATE),
    C(SVCQ_ESTORE),
    C(SVCQ_EVAL_COMPLAINT_RATE),
    C(SVCQ_EVAL_METRIC_COUNT),
    C(SVCQ_EVAL_RESOLUTION_RATE),
    C(SVCQ_EVAL_RESPONSE_TIME),
    C(SVCQ_EVAL_SATISFACTION),
    C(SVCQ_EVERSION),
    C(SVCQ_FRIDAY),
    C(SVCQ_LOG_DEBUG),
    C(SVCQ_LOG_ERROR),
    C(SVCQ_LOG_INFO),
    C(SVCQ_LOG_WARN),
    C(SVCQ_MONDAY),
    C(SVCQ_OK),
    C(SVCQ_PERIOD_DAILY),
    C(SVCQ_PERIOD_MONTHLY),
    C(SVCQ_PERIOD_NONE),
    C(SVCQ_PERIOD_QUARTERLY),
    C(SVCQ_PERIOD_WEEKLY),
    C(SVCQ_PERIOD_YEARLY),
    C(SVCQ_REPORT_DEPARTMENT_HEAD),
    C(SVCQ_REPORT_MANAGEMENT),
    C(SVCQ_REPORT_PERIODIC_SUMMARY),
    C(SVCQ_REPORT_SUPERIOR),
    C(SVCQ_SATURDAY),
    C(SVCQ_SCORECARD_BASIS_CARD),
    C(SVCQ_SCORECARD_BASIS_COMPOSITE),
    C(SVCQ_SCORECARD_BUILTIN_TELECOM),
    C(SVCQ_SCORECARD_CARD_INFO_VERSION),
    C(SVCQ_SCORECARD_CSV),
    C(SVCQ_SCORECARD_EFFECT_CAP),
    C(SVCQ_SCORECARD_EFFECT_EXCLUDE),
    C(SVCQ_SCORECARD_EFFECT_ZERO),
    C(SVCQ_SCORECARD_HIGHER_BETTER),
    C(SVCQ_SCORECARD_ITEM_RESULT_VERSION),
    C(SVCQ_SCORECARD_ITEM_SPEC_VERSION),
    C(SVCQ_SCORECARD_JSON),
    C(SVCQ_SCORECARD_JSON_PRETTY),
    C(SVCQ_SCORECARD_LOWER_BETTER),
    C(SVCQ_SCORECARD_MARKDOWN),
    C(SVCQ_SCORECARD_MAX_BANDS),
    C(SVCQ_SCORECARD_MAX_ITEMS),
    C(SVCQ_SCORECARD_MAX_POINTS),
    C(SVCQ_SCORECARD_MAX_VALUE),
    C(SVCQ_SCORECARD_RANK_ENTRY_VERSION),
    C(SVCQ_SCORECARD_RULE_BANDS),
    C(SVCQ_SCORECARD_RULE_DEDUCTION),
    C(SVCQ_SCORECARD_RULE_MANUAL),
    C(SVCQ_SCORECARD_RULE_RATE),
    C(SVCQ_SCORECARD_SCALE),
    C(SVCQ_SCORECARD_SVG),
    C(SVCQ_SCORECARD_VETO_MANUAL),
    C(SVCQ_SCORECARD_VETO_ORDERS),
    C(SVCQ_SCORECARD_VETO_SPEC_VERSION),
    C(SVCQ_SKIP_ABSENT),
    C(SVCQ_SKIP_FULL),
    C(SVCQ_SKIP_OFF_SHIFT),
    C(SVCQ_SKIP_SKILL),
    C(SVCQ_SLA_BREACHED),
    C(SVCQ_SLA_BUILTIN_LITERAL_HOURS),
    C(SVCQ_SLA_CANCELLED),
    C(SVCQ_SLA_CHANGE_CARRY),
    C(SVCQ_SLA_CHANGE_KEEP),
    C(SVCQ_SLA_CHANGE_RECOMPUTE),
    C(SVCQ_SLA_EV_ACCEPTANCE_INVITED),
    C(SVCQ_SLA_EV_CLOSED),
    C(SVCQ_SLA_EV_EXECUTION_STARTED),
    C(SVCQ_SLA_EV_FIRST_CONTACT),
    C(SVCQ_SLA_EV_PAUSE),
    C(SVCQ_SLA_EV_PROGRESS_UPDATE),
    C(SVCQ_SLA_EV_REPLY_COMMITTED),
    C(SVCQ_SLA_EV_REQUEST_RECEIVED),
    C(SVCQ_SLA_EV_RESULT_REPORTED),
    C(SVCQ_SLA_EV_RESUME),
    C(SVCQ_SLA_EV_SERVICE_COMPLETED),
    C(SVCQ_SLA_EV_SOLUTION_CONFIRMED),
    C(SVCQ_SLA_EV_SOLUTION_DRAFTED),
    C(SVCQ_SLA_EV_SOLUTION_PRESENTED),
    C(SVCQ_SLA_FINGERPRINT_LEN),
    C(SVCQ_SLA_LOAD_REBASE),
    C(SVCQ_SLA_MAX_LEVELS),
    C(SVCQ_SLA_MET),
    C(SVCQ_SLA_NEVER),
    C(SVCQ_SLA_NOTICE_BREACH),
    C(SVCQ_SLA_NOTICE_ESCALATION),
    C(SVCQ_SLA_NOTICE_VERSION),
    C(SVCQ_SLA_NOTICE_WARNING),
    C(SVCQ_SLA_PAUSED),
    C(SVCQ_SLA_PENDING),
    C(SVCQ_SLA_POLICY_JSON_PRETTY),
    C(SVCQ_SLA_RUNNING),
    C(SVCQ_SLA_STATUS_VERSION),
    C(SVCQ_SLA_TARGET_SPEC_VERSION),
    C(SVCQ_SLA_UNIT_BUSINESS_DAYS),
    C(SVCQ_SLA_UNIT_SECONDS),
    C(SVCQ_STORE_FILE_NO_CREATE),
    C(SVCQ_STORE_FILE_OPTIONS_VERSION),
    C(SVCQ_STORE_FILE_READ_ONLY),
    C(SVCQ_STORE_FILE_STATS_VERSION),
    C(SVCQ_STORE_LIMIT_ID),
    C(SVCQ_STORE_LIMIT_KIND),
    C(SVCQ_STORE_LIMIT_VALUE),
    C(SVCQ_STORE_MAX_ID),
    C(SVCQ_STORE_MAX_KIND),
    C(SVCQ_STORE_MAX_VALUE),
    C(SVCQ_STORE_METHODS_VERSION),
    C(SVCQ_STORE_SYNC_FULL),
    C(SVCQ_STORE_SYNC_GROUP),
    C(SVCQ_STORE_SYNC_NONE),
    C(SVCQ_SUNDAY),
    C(SVCQ_TEAM_DEDICATED),
    C(SVCQ_TEAM_EXPERT),
    C(SVCQ_TEAM_POOL),
    C(SVCQ_THURSDAY),
    C(SVCQ_TIER_1),
    C(SVCQ_TIER_2),
    C(SVCQ_TIER_3),
    C(SVCQ_TIER_CHANGE_CLASSIFIED),
    C(SVCQ_TIER_CHANGE_EXPIRED),
    C(SVCQ_TIER_CHANGE_IMPORTED),
    C(SVCQ_TIER_CHANGE_OVERRIDE),
    C(SVCQ_TIER_GROUP_COMPLEXITY),
    C(SVCQ_TIER_GROUP_INFLUENCE),
    C(SVCQ_TIER_GROUP_VALUE),
    C(SVCQ_TIER_JSON_PRETTY),
    C(SVCQ_TIER_MAX_BANDS),
    C(SVCQ_TIER_MAX_CONDITIONS),
    C(SVCQ_TIER_MAX_FACTORS),
    C(SVCQ_TIER_MAX_ITEMS),
    C(SVCQ_TIER_MAX_LEVELS),
    C(SVCQ_TIER_MAX_TIERS),
    C(SVCQ_TIER_NORM_BANDS),
    C(SVCQ_TIER_NORM_BOUNDS),
    C(SVCQ_TIER_OP_GE),
    C(SVCQ_TIER_OP_GT),
    C(SVCQ_TIER_SPECIAL),
    C(SVCQ_TIME_FORMAT_ABBREVIATION),
    C(SVCQ_TIME_FORMAT_DEFAULT),
    C(SVCQ_TIME_FORMAT_NO_SECONDS),
    C(SVCQ_TIME_FORMAT_SPACE),
    C(SVCQ_TIME_FORMAT_UTC_Z),
    C(SVCQ_TIME_FORMAT_WEEKDAY),
    C(SVCQ_TUESDAY),
    C(SVCQ_VERSION_MAJOR),
    C(SVCQ_VERSION_MINOR),
    C(SVCQ_VERSION_NUMBER),
    C(SVCQ_VERSION_PATCH),
    C(SVCQ_WEDNESDAY),
    C(SVCQ_WRITER_VERSION),
};
#undef C

#define T(type) { #type, sizeof(type) }
static const svcq__table tables[] = {
    T(svcq_agent_spec),
    T(svcq_assign_request),
    T(svcq_blueprint_observation),
    T(svcq_blueprint_risk_spec),
    T(svcq_blueprint_step_spec),
    T(svcq_blueprint_step_stats),
    T(svcq_calendar_options),
    T(svcq_ctx_options),
    T(svcq_scorecard_card_info),
    T(svcq_scorecard_item_result),
    T(svcq_scorecard_item_spec),
    T(svcq_scorecard_rank_entry),
    T(svcq_scorecard_veto_spec),
    T(svcq_sla_notice),
    T(svcq_sla_status),
    T(svcq_sla_target_spec),
    T(svcq_store_file_options),
    T(svcq_store_file_stats),
    T(svcq_store_methods),
    T(svcq_writer),
};
#undef T

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int by_name(const void *key, const void *entry)
{
    /* Both arrays start with the name, so one comparison serves both. */
    return strcmp(key, *(const char *const *)entry);
}

int svcq_constant(int64_t *out, const char *name)
{
    if (!out || !name)
        return SVCQ_EINVAL;
    const svcq__constant *c = bsearch(name, constants, COUNT(constants), sizeof(constants[0]), by_name);
    if (!c)
        return SVCQ_ENOTFOUND;
    *out = c->value;
    return SVCQ_OK;
}

uint32_t svcq_constant_count(void)
{
    return (uint32_t)COUNT(constants);
}

int svcq_constant_at(const char **name, int64_t *value, uint32_t index)
{
    if (!name || !value)
        return SVCQ_EINVAL;
    if (index >= COUNT(constants))
        return SVCQ_ERANGE;
    *name = constants[index].name;
    *value = constants[index].value;
    return SVCQ_OK;
}

size_t svcq_table_size(const char *type)
{
    if (!type)
        return 0;
    const svcq__table *t = bsearch(type, tables, COUNT(tables), sizeof(tables[0]), by_name);
    return t ? t->size : 0;
}
