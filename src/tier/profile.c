/* Service profiles per tier level: the source's table as built-in contents,
 * setters and getters, enum names, and the checks shared by the assignment
 * files. JSON and Markdown are in profile_json.c, the store in
 * profile_store.c. */
#include <string.h>

#include "core/str.h"
#include "core/utf8.h"
#include "sla/sla_internal.h"
#include "store/store.h"
#include "tier/assign_internal.h"

/* ---- names --------------------------------------------------------------- */

static const char *const channel_names[] = { "dedicated_hotline", "dedicated_email", "dedicated_online",
                                             "hotline", "online", "self_service" };
#define CHANNEL_ALL 0x3Fu

const char *svcq_service_channel_name(int32_t channel)
{
    for (int i = 0; i < 6; i++)
        if (channel == (1 << i))
            return channel_names[i];
    return NULL;
}

#define NAME_FN(fn, arr)                                                    \
    const char *fn(int32_t v)                                               \
    {                                                                       \
        return v >= 0 && (size_t)v < sizeof(arr) / sizeof(arr[0]) ? arr[v] : NULL; \
    }

static const char *const strategy_names[] = { "dedicated_team", "expert_team", "named_agent",
                                              "round_robin", "weighted_round_robin", "least_loaded" };
static const char *const report_names[] = { "management", "superior", "department_head", "periodic_summary" };
static const char *const metric_names[] = { "response_time", "resolution_rate", "satisfaction",
                                            "complaint_rate" };
static const char *const period_names[] = { "none", "daily", "weekly", "monthly", "quarterly", "yearly" };
static const char *const team_kind_names[] = { "dedicated", "expert", "pool" };
static const char *const skip_names[] = { "absent", "off_shift", "full", "skill" };

NAME_FN(svcq_assign_strategy_name, strategy_names)
NAME_FN(svcq_report_recipient_name, report_names)
NAME_FN(svcq_eval_metric_name, metric_names)
NAME_FN(svcq_eval_period_name, period_names)
NAME_FN(svcq_team_kind_name, team_kind_names)
NAME_FN(svcq_assign_skip_name, skip_names)

/* ---- shared checks ------------------------------------------------------- */

int svcq__tier_check_id(svcq_ctx *ctx, const char *what, const char *id)
{
    if (!id)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: NULL", what);
    size_t len = strnlen(id, SVCQ_STORE_MAX_ID + 1);
    if (len == 0 || len > SVCQ_STORE_MAX_ID)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: must be 1 to %d bytes", what, SVCQ_STORE_MAX_ID);
    if (!svcq__utf8_valid(id, len))
        return svcq__error(ctx, SVCQ_EINVAL, "%s: invalid UTF-8", what);
    if (!svcq__store_id_valid(id, len))
        return svcq__error(ctx, SVCQ_EINVAL, "%s \"%s\": contains a control character", what, id);
    return SVCQ_OK;
}

int svcq__tier_check_label(svcq_ctx *ctx, const char *what, const char *s, size_t max)
{
    if (!s)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: NULL", what);
    size_t n = strnlen(s, max + 1);
    if (n == 0 || n > max)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: must be 1 to %zu bytes", what, max);
    if (!svcq__utf8_valid(s, n))
        return svcq__error(ctx, SVCQ_EINVAL, "%s: invalid UTF-8", what);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
            return svcq__error(ctx, SVCQ_EINVAL, "%s \"%.40s\": control character at byte %zu", what, s, i);
    return SVCQ_OK;
}

/* ---- the built-in table --------------------------------------------------- */

typedef struct builtin_profile {
    const char *policy;
    uint32_t channels;
    int32_t strategy;
    const char *roles[3];
    uint32_t counts[3];
    int32_t report;
    const char *note;
} builtin_profile;

/* domain.md section 3. The source leaves the numbers of experts, senior
 * agents, specialists and agents open ([X]): 2 each, configurable. */
static const builtin_profile builtin[4] = {
    { "tier.special", SVCQ_CHANNEL_DEDICATED_HOTLINE, SVCQ_ASSIGN_DEDICATED_TEAM,
      { "senior account manager", "expert", "senior agent" }, { 1, 2, 2 }, SVCQ_REPORT_MANAGEMENT,
      "served 7x24; priority on R&D and production resources; a dedicated budget" },
    { "tier.1", SVCQ_CHANNEL_DEDICATED_EMAIL | SVCQ_CHANNEL_DEDICATED_ONLINE, SVCQ_ASSIGN_EXPERT_TEAM,
      { "account manager", "specialist", "agent" }, { 1, 2, 2 }, SVCQ_REPORT_SUPERIOR,
      "some priority on resources" },
    { "tier.2", SVCQ_CHANNEL_HOTLINE | SVCQ_CHANNEL_ONLINE, SVCQ_ASSIGN_NAMED_AGENT, { "named agent" }, { 1 },
      SVCQ_REPORT_DEPARTMENT_HEAD, "a named agent serves a number of clients" },
    { "tier.3", SVCQ_CHANNEL_HOTLINE | SVCQ_CHANNEL_ONLINE, SVCQ_ASSIGN_WEIGHTED_ROUND_ROBIN, { NULL }, { 0 },
      SVCQ_REPORT_PERIODIC_SUMMARY, "shared channels sized to demand" },
};

static const int32_t builtin_eval[SVCQ_EVAL_METRIC_COUNT] = { SVCQ_PERIOD_WEEKLY, SVCQ_PERIOD_WEEKLY,
                                                              SVCQ_PERIOD_QUARTERLY, SVCQ_PERIOD_MONTHLY };

static void profile_clear(svcq_ctx *ctx, svcq__profile *pr)
{
    svcq__free(ctx, pr->policy);
    svcq__free(ctx, pr->team);
    svcq__free(ctx, pr->note);
    for (size_t i = 0; i < pr->nresources; i++)
        svcq__free(ctx, pr->resources[i].role);
    svcq__free(ctx, pr->resources);
    memset(pr, 0, sizeof(*pr));
}

static int fill_builtin(svcq_ctx *ctx, svcq__profile *pr, const builtin_profile *b)
{
    pr->policy_version = 1;
    pr->channels = b->channels;
    pr->strategy = b->strategy;
    pr->report = b->report;
    memcpy(pr->eval, builtin_eval, sizeof(pr->eval));
    int rc = svcq__strdup(ctx, "policy name", b->policy, &pr->policy);
    if (!rc)
        rc = svcq__strdup(ctx, "note", b->note, &pr->note);
    size_t n = 0;
    while (n < 3 && b->roles[n])
        n++;
    if (!rc && n) {
        pr->resources = svcq__calloc(ctx, n, sizeof(*pr->resources));
        if (!pr->resources)
            return svcq__enomem(ctx);
        for (size_t i = 0; i < n && !rc; i++) {
            rc = svcq__strdup(ctx, "role", b->roles[i], &pr->resources[i].role);
            if (!rc) {
                pr->resources[i].count = b->counts[i];
                pr->nresources++;
            }
        }
    }
    return rc;
}

int svcq_tier_profiles_new(svcq_tier_profiles **out, svcq_ctx *ctx, uint32_t levels)
{
    if (out)
        *out = NULL;
    if (!out || !ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_tier_profiles_new: NULL %s", !out ? "out" : "ctx");
    if (levels < 1 || levels > SVCQ_TIER_MAX_LEVELS)
        return svcq__error(ctx, SVCQ_EINVAL, "tier profiles: %u levels (1 to %d)", levels, SVCQ_TIER_MAX_LEVELS);
    svcq_tier_profiles *p = svcq__calloc(ctx, 1, sizeof(*p));
    if (!p)
        return svcq__enomem(ctx);
    p->ctx = ctx;
    p->levels = levels;
    int rc = SVCQ_OK;
    for (uint32_t l = 0; l < levels && !rc; l++)
        rc = fill_builtin(ctx, &p->level[l], &builtin[l < 4 ? l : 3]);
    if (rc) {
        svcq_tier_profiles_free(p);
        return rc;
    }
    *out = p;
    return SVCQ_OK;
}

void svcq_tier_profiles_free(svcq_tier_profiles *p)
{
    if (!p)
        return;
    svcq_ctx *ctx = p->ctx;
    svcq__undo_detach(ctx, p);
    for (uint32_t l = 0; l < SVCQ_TIER_MAX_LEVELS; l++)
        profile_clear(ctx, &p->level[l]);
    svcq__free(ctx, p->id);
    svcq__free(ctx, p);
}

uint32_t svcq_tier_profiles_levels(const svcq_tier_profiles *p)
{
    return p ? p->levels : 0;
}

static bool has_level(const svcq_tier_profiles *p, int32_t level)
{
    return p && level >= 0 && (uint32_t)level < p->levels;
}

/* The level's profile, or an error naming the bad level. */
static int level_of(svcq_tier_profiles *p, int32_t level, const char *fn, svcq__profile **pr)
{
    if (!p)
        return SVCQ_EINVAL;
    if (!has_level(p, level))
        return svcq__error(p->ctx, SVCQ_EINVAL, "%s: tier profiles have levels 0 to %u, not %d", fn,
                           p->levels - 1, level);
    *pr = &p->level[level];
    return SVCQ_OK;
}

int svcq_tier_profiles_set_policy(svcq_tier_profiles *p, int32_t level, const char *name, uint32_t version)
{
    svcq__profile *pr = NULL;
    int rc = level_of(p, level, "svcq_tier_profiles_set_policy", &pr);
    if (rc)
        return rc;
    if (!name)
        return svcq__error(p->ctx, SVCQ_EINVAL, "tier profile %d: policy name is NULL", level);
    rc = svcq__sla_check_policy_name(p->ctx, name);
    if (rc)
        return rc;
    if (version == 0)
        return svcq__error(p->ctx, SVCQ_EINVAL, "tier profile %d: policy %s: version must be at least 1", level,
                           name);
    char *copy;
    rc = svcq__strdup(p->ctx, "policy name", name, &copy);
    if (rc)
        return rc;
    svcq__free(p->ctx, pr->policy);
    pr->policy = copy;
    pr->policy_version = version;
    return SVCQ_OK;
}

const char *svcq_tier_profiles_policy(uint32_t *version, const svcq_tier_profiles *p, int32_t level)
{
    if (!has_level(p, level))
        return NULL;
    if (version)
        *version = p->level[level].policy_version;
    return p->level[level].policy;
}

int svcq_tier_profiles_set_channels(svcq_tier_profiles *p, int32_t level, uint32_t channels)
{
    svcq__profile *pr = NULL;
    int rc = level_of(p, level, "svcq_tier_profiles_set_channels", &pr);
    if (rc)
        return rc;
    if (channels == 0 || (channels & ~CHANNEL_ALL))
        return svcq__error(p->ctx, SVCQ_EINVAL, "tier profile %d: channels 0x%x: %s", level, channels,
                           channels ? "unknown channel flags" : "at least one channel is needed");
    pr->channels = channels;
    return SVCQ_OK;
}

uint32_t svcq_tier_profiles_channels(const svcq_tier_profiles *p, int32_t level)
{
    return has_level(p, level) ? p->level[level].channels : 0;
}

int svcq_tier_profiles_set_assignment(svcq_tier_profiles *p, int32_t level, int32_t strategy, const char *team_id)
{
    svcq__profile *pr = NULL;
    int rc = level_of(p, level, "svcq_tier_profiles_set_assignment", &pr);
    if (rc)
        return rc;
    if (!svcq_assign_strategy_name(strategy))
        return svcq__error(p->ctx, SVCQ_EINVAL, "tier profile %d: unknown assignment strategy %d", level, strategy);
    char *copy = NULL;
    if (team_id) {
        rc = svcq__tier_check_id(p->ctx, "team id", team_id);
        if (!rc)
            rc = svcq__strdup(p->ctx, "team id", team_id, &copy);
        if (rc)
            return rc;
    }
    svcq__free(p->ctx, pr->team);
    pr->team = copy;
    pr->strategy = strategy;
    return SVCQ_OK;
}

int32_t svcq_tier_profiles_strategy(const svcq_tier_profiles *p, int32_t level)
{
    return has_level(p, level) ? p->level[level].strategy : -1;
}

const char *svcq_tier_profiles_team(const svcq_tier_profiles *p, int32_t level)
{
    return has_level(p, level) ? p->level[level].team : NULL;
}

int svcq_tier_profiles_set_resource(svcq_tier_profiles *p, int32_t level, const char *role, uint32_t count)
{
    svcq__profile *pr = NULL;
    int rc = level_of(p, level, "svcq_tier_profiles_set_resource", &pr);
    if (rc)
        return rc;
    rc = svcq__tier_check_label(p->ctx, "resource role", role, SVCQ__TIER_NAME_MAX);
    if (rc)
        return rc;
    if (count > SVCQ__RESOURCE_MAX_COUNT)
        return svcq__error(p->ctx, SVCQ_EINVAL, "tier profile %d: resource %s: count %u (at most %u)", level,
                           role, count, SVCQ__RESOURCE_MAX_COUNT);
    for (size_t i = 0; i < pr->nresources; i++) {
        if (strcmp(pr->resources[i].role, role) != 0)
            continue;
        if (count) {
            pr->resources[i].count = count;
        } else {
            svcq__free(p->ctx, pr->resources[i].role);
            memmove(&pr->resources[i], &pr->resources[i + 1], (pr->nresources - i - 1) * sizeof(*pr->resources));
            pr->nresources--;
        }
        return SVCQ_OK;
    }
    if (count == 0)
        return SVCQ_OK;
    if (pr->nresources >= SVCQ_TIER_MAX_ITEMS)
        return svcq__error(p->ctx, SVCQ_ELIMIT, "tier profile %d: resource %s: at most %d roles", level, role,
                           SVCQ_TIER_MAX_ITEMS);
    char *copy;
    rc = svcq__strdup(p->ctx, "resource role", role, &copy);
    if (rc)
        return rc;
    svcq__resource *r = svcq__reallocarray(p->ctx, pr->resources, pr->nresources + 1, sizeof(*r));
    if (!r) {
        svcq__free(p->ctx, copy);
        return svcq__enomem(p->ctx);
    }
    pr->resources = r;
    r[pr->nresources].role = copy;
    r[pr->nresources].count = count;
    pr->nresources++;
    return SVCQ_OK;
}

size_t svcq_tier_profiles_resource_count(const svcq_tier_profiles *p, int32_t level)
{
    return has_level(p, level) ? p->level[level].nresources : 0;
}

int svcq_tier_profiles_resource_at(const char **role, uint32_t *count, const svcq_tier_profiles *p, int32_t level,
                                   size_t index)
{
    if (!role || !count || !p)
        return svcq__error(p ? p->ctx : NULL, SVCQ_EINVAL, "svcq_tier_profiles_resource_at: NULL argument");
    if (!has_level(p, level))
        return svcq__error(p->ctx, SVCQ_EINVAL, "svcq_tier_profiles_resource_at: no level %d", level);
    const svcq__profile *pr = &p->level[level];
    if (index >= pr->nresources)
        return svcq__error(p->ctx, SVCQ_ERANGE, "tier profile %d: resource %zu of %zu", level, index,
                           pr->nresources);
    *role = pr->resources[index].role;
    *count = pr->resources[index].count;
    return SVCQ_OK;
}

int svcq_tier_profiles_set_report(svcq_tier_profiles *p, int32_t level, int32_t recipient)
{
    svcq__profile *pr = NULL;
    int rc = level_of(p, level, "svcq_tier_profiles_set_report", &pr);
    if (rc)
        return rc;
    if (!svcq_report_recipient_name(recipient))
        return svcq__error(p->ctx, SVCQ_EINVAL, "tier profile %d: unknown report recipient %d", level, recipient);
    pr->report = recipient;
    return SVCQ_OK;
}

int32_t svcq_tier_profiles_report(const svcq_tier_profiles *p, int32_t level)
{
    return has_level(p, level) ? p->level[level].report : -1;
}

int svcq_tier_profiles_set_evaluation(svcq_tier_profiles *p, int32_t level, int32_t metric, int32_t period)
{
    svcq__profile *pr = NULL;
    int rc = level_of(p, level, "svcq_tier_profiles_set_evaluation", &pr);
    if (rc)
        return rc;
    if (!svcq_eval_metric_name(metric))
        return svcq__error(p->ctx, SVCQ_EINVAL, "tier profile %d: unknown evaluation metric %d", level, metric);
    if (!svcq_eval_period_name(period))
        return svcq__error(p->ctx, SVCQ_EINVAL, "tier profile %d: %s: unknown evaluation period %d", level,
                           svcq_eval_metric_name(metric), period);
    pr->eval[metric] = period;
    return SVCQ_OK;
}

int32_t svcq_tier_profiles_evaluation(const svcq_tier_profiles *p, int32_t level, int32_t metric)
{
    if (!has_level(p, level) || !svcq_eval_metric_name(metric))
        return -1;
    return p->level[level].eval[metric];
}

int svcq_tier_profiles_set_note(svcq_tier_profiles *p, int32_t level, const char *note)
{
    svcq__profile *pr = NULL;
    int rc = level_of(p, level, "svcq_tier_profiles_set_note", &pr);
    if (rc)
        return rc;
    note = note ? note : "";
    size_t n = strnlen(note, SVCQ__TIER_NOTE_MAX + 1);
    if (n > SVCQ__TIER_NOTE_MAX)
        return svcq__error(p->ctx, SVCQ_EINVAL, "tier profile %d: note longer than %d bytes", level,
                           SVCQ__TIER_NOTE_MAX);
    char *copy;
    rc = svcq__strdup(p->ctx, "tier profile note", note, &copy);
    if (rc)
        return rc;
    svcq__free(p->ctx, pr->note);
    pr->note = copy;
    return SVCQ_OK;
}

const char *svcq_tier_profiles_note(const svcq_tier_profiles *p, int32_t level)
{
    return has_level(p, level) ? p->level[level].note : NULL;
}
