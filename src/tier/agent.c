/* The assigner's configuration: agents, teams, routes, named agents and
 * absence, each change applied with the pattern of assign_internal.h. */
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "store/record.h"
#include "store/store.h"
#include "tier/assign_internal.h"

/* ---- lookups and containers ----------------------------------------------- */

svcq__agent *svcq__assigner_agent(const svcq_assigner *a, const char *id)
{
    return svcq__map_get(&a->agent_map, id, strlen(id));
}

svcq__team *svcq__assigner_team(const svcq_assigner *a, const char *id)
{
    return svcq__map_get(&a->team_map, id, strlen(id));
}

void svcq__agent_conf_free(svcq_ctx *ctx, svcq__agent_conf *c)
{
    svcq__free(ctx, c->name);
    for (uint32_t i = 0; i < c->nskills; i++)
        svcq__free(ctx, c->skills[i]);
    svcq__free(ctx, c->skills);
    svcq_calendar_free(c->cal);
    memset(c, 0, sizeof(*c));
}

void svcq__team_conf_free(svcq_ctx *ctx, svcq__team_conf *c)
{
    svcq__free(ctx, c->name);
    svcq__free(ctx, c->members);
    svcq__free(ctx, c->cw);
    memset(c, 0, sizeof(*c));
}

void svcq__agent_free(svcq_ctx *ctx, svcq__agent *ag)
{
    if (!ag)
        return;
    svcq__agent_conf_free(ctx, &ag->conf);
    svcq__free(ctx, ag->id);
    svcq__free(ctx, ag);
}

void svcq__team_free(svcq_ctx *ctx, svcq__team *t)
{
    if (!t)
        return;
    svcq__team_conf_free(ctx, &t->conf);
    svcq__free(ctx, t->id);
    svcq__free(ctx, t);
}

int svcq__assigner_reserve(svcq_assigner *a, size_t agents, size_t teams)
{
    svcq_ctx *ctx = a->ctx;
    if (a->nagents + agents > a->agents_cap) {
        size_t cap = a->agents_cap ? a->agents_cap * 2 : 8;
        while (cap < a->nagents + agents)
            cap *= 2;
        svcq__agent **p = svcq__reallocarray(ctx, a->agents, cap, sizeof(*p));
        if (!p)
            return svcq__enomem(ctx);
        a->agents = p;
        a->agents_cap = cap;
    }
    if (a->nteams + teams > a->teams_cap) {
        size_t cap = a->teams_cap ? a->teams_cap * 2 : 8;
        while (cap < a->nteams + teams)
            cap *= 2;
        svcq__team **p = svcq__reallocarray(ctx, a->teams, cap, sizeof(*p));
        if (!p)
            return svcq__enomem(ctx);
        a->teams = p;
        a->teams_cap = cap;
    }
    if (svcq__map_reserve(&a->agent_map, a->nagents + agents) || svcq__map_reserve(&a->team_map, a->nteams + teams))
        return svcq__enomem(ctx);
    return SVCQ_OK;
}

/* Index at which id sits or would be inserted in a sorted array of
 * pointers to structs whose first member is the id. */
static size_t lower_bound(void *const *arr, size_t n, const char *id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(*(char *const *)arr[mid], id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void svcq__assigner_insert_agent(svcq_assigner *a, svcq__agent *ag)
{
    size_t i = lower_bound((void *const *)a->agents, a->nagents, ag->id);
    memmove(&a->agents[i + 1], &a->agents[i], (a->nagents - i) * sizeof(*a->agents));
    a->agents[i] = ag;
    a->nagents++;
    (void)svcq__map_put(&a->agent_map, ag->id, strlen(ag->id), ag, NULL);
}

void svcq__assigner_unlink_agent(svcq_assigner *a, svcq__agent *ag)
{
    size_t i = lower_bound((void *const *)a->agents, a->nagents, ag->id);
    memmove(&a->agents[i], &a->agents[i + 1], (a->nagents - i - 1) * sizeof(*a->agents));
    a->nagents--;
    (void)svcq__map_remove(&a->agent_map, ag->id, strlen(ag->id));
}

void svcq__assigner_insert_team(svcq_assigner *a, svcq__team *t)
{
    size_t i = lower_bound((void *const *)a->teams, a->nteams, t->id);
    memmove(&a->teams[i + 1], &a->teams[i], (a->nteams - i) * sizeof(*a->teams));
    a->teams[i] = t;
    a->nteams++;
    (void)svcq__map_put(&a->team_map, t->id, strlen(t->id), t, NULL);
}

static void unlink_team(svcq_assigner *a, svcq__team *t)
{
    size_t i = lower_bound((void *const *)a->teams, a->nteams, t->id);
    memmove(&a->teams[i], &a->teams[i + 1], (a->nteams - i - 1) * sizeof(*a->teams));
    a->nteams--;
    (void)svcq__map_remove(&a->team_map, t->id, strlen(t->id));
}

/* ---- the assigner ------------------------------------------------------------ */

int svcq_assigner_new(svcq_assigner **out, svcq_ctx *ctx)
{
    if (out)
        *out = NULL;
    if (!out || !ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_assigner_new: NULL %s", !out ? "out" : "ctx");
    svcq_assigner *a = svcq__calloc(ctx, 1, sizeof(*a));
    if (!a)
        return svcq__enomem(ctx);
    a->ctx = ctx;
    svcq__map_init(&a->agent_map, ctx);
    svcq__map_init(&a->team_map, ctx);
    svcq__map_init(&a->items, ctx);
    svcq__map_init(&a->named, ctx);
    for (int i = 0; i < SVCQ_TIER_MAX_LEVELS; i++)
        a->routes[i].strategy = -1;
    *out = a;
    return SVCQ_OK;
}

void svcq_assigner_free(svcq_assigner *a)
{
    if (!a)
        return;
    svcq_ctx *ctx = a->ctx;
    svcq__undo_detach(ctx, a);
    size_t it = 0;
    void *v;
    while (svcq__map_next(&a->items, &it, NULL, NULL, &v)) {
        svcq__free(ctx, ((svcq__item *)v)->id);
        svcq__free(ctx, v);
    }
    it = 0;
    while (svcq__map_next(&a->named, &it, NULL, NULL, &v)) {
        svcq__free(ctx, ((svcq__named *)v)->client);
        svcq__free(ctx, v);
    }
    for (size_t i = 0; i < a->nteams; i++)
        svcq__team_free(ctx, a->teams[i]);
    for (size_t i = 0; i < a->nagents; i++)
        svcq__agent_free(ctx, a->agents[i]);
    svcq__free(ctx, a->agents);
    svcq__free(ctx, a->teams);
    svcq__map_free(&a->agent_map);
    svcq__map_free(&a->team_map);
    svcq__map_free(&a->items);
    svcq__map_free(&a->named);
    svcq__free(ctx, a->id);
    svcq__free(ctx, a);
}

/* ---- changes and their undo ------------------------------------------------- */

int svcq__change_begin(svcq_assigner *a, svcq__change_scope *s)
{
    s->tx.began = false;
    s->scoped = false;
    s->record = false;
    if (!a->id && !svcq__tx_active(a->ctx))
        return SVCQ_OK;
    int rc = svcq__tx_begin(a->ctx, &s->tx);
    if (rc)
        return rc;
    s->scoped = true;
    s->record = true;
    return svcq__undo_reserve(a->ctx, 1);
}

int svcq__change_end(svcq_assigner *a, svcq__change_scope *s, int rc)
{
    return s->scoped ? svcq__tx_end(a->ctx, &s->tx, rc) : rc;
}

static void change_undo(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    svcq__change *c = data;
    svcq_assigner *a = c->a;
    switch (c->kind) {
    case SVCQ__CH_AGENT_NEW:
        svcq__assigner_unlink_agent(a, c->agent);
        svcq__agent_free(ctx, c->agent);
        c->agent = NULL;
        break;
    case SVCQ__CH_AGENT_CONF: {
        svcq__agent_conf t = c->agent->conf;
        c->agent->conf = c->aconf;
        c->aconf = t; /* the new configuration, freed below */
        c->agent->shift_valid = false;
        break;
    }
    case SVCQ__CH_AGENT_REMOVE:
        svcq__assigner_insert_agent(a, c->agent);
        c->agent = NULL;
        break;
    case SVCQ__CH_ABSENT:
        c->agent->absent_until = c->absent;
        break;
    case SVCQ__CH_TEAM_NEW:
        for (size_t i = 0; i < c->team->conf.n; i++)
            c->team->conf.members[i]->teams--;
        unlink_team(a, c->team);
        svcq__team_free(ctx, c->team);
        c->team = NULL;
        break;
    case SVCQ__CH_TEAM_CONF: {
        for (size_t i = 0; i < c->team->conf.n; i++)
            c->team->conf.members[i]->teams--;
        svcq__team_conf t = c->team->conf;
        c->team->conf = c->tconf;
        c->tconf = t;
        for (size_t i = 0; i < c->team->conf.n; i++)
            c->team->conf.members[i]->teams++;
        break;
    }
    case SVCQ__CH_ROUTES:
        memcpy(a->routes, c->routes, sizeof(a->routes));
        break;
    case SVCQ__CH_NAMED:
        svcq__named_revert(a, c);
        break;
    case SVCQ__CH_ASSIGN:
    case SVCQ__CH_RELEASE:
        svcq__work_revert(a, c);
        break;
    }
    svcq__change_release(ctx, c, 0);
}

void svcq__change_release(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    svcq__change *c = data;
    svcq__agent_conf_free(ctx, &c->aconf);
    svcq__team_conf_free(ctx, &c->tconf);
    if (c->kind == SVCQ__CH_AGENT_REMOVE)
        svcq__agent_free(ctx, c->agent);
    if (c->free_named) {
        svcq__free(ctx, c->named->client);
        svcq__free(ctx, c->named);
    }
    if (c->free_item) {
        svcq__free(ctx, c->item->id);
        svcq__free(ctx, c->item);
    }
    svcq__free(ctx, c->old_cw);
    if (c->heap)
        svcq__free(ctx, c);
}

int svcq__change_new(svcq_assigner *a, const svcq__change_scope *s, svcq__change *local, svcq__change **out)
{
    svcq__change *c = local;
    if (s->record) {
        c = svcq__calloc(a->ctx, 1, sizeof(*c));
        if (!c)
            return svcq__enomem(a->ctx);
        c->heap = true;
    } else {
        memset(c, 0, sizeof(*c));
    }
    c->a = a;
    *out = c;
    return SVCQ_OK;
}

void svcq__change_done(svcq_assigner *a, const svcq__change_scope *s, svcq__change *c)
{
    /* The release of a committed change frees what the change replaced:
     * the same whether now (nothing to roll back) or at commit. Undo
     * reverses what the change made and frees what it had made. */
    if (s->record) {
        (void)svcq__undo_push_for(a->ctx, a, change_undo, svcq__change_release, c, 0);
    } else {
        svcq__change_release(a->ctx, c, 0);
    }
}

/* ---- agents ------------------------------------------------------------------- */

int svcq_agent_spec_init(svcq_agent_spec *spec, uint32_t version)
{
    int rc = svcq__table_init(spec, sizeof(*spec), version, SVCQ_AGENT_SPEC_VERSION);
    return rc;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

int svcq__agent_conf_make(svcq_ctx *ctx, const svcq_agent_spec *spec, svcq__agent_conf *out)
{
    memset(out, 0, sizeof(*out));
    if (spec->version < 1 || spec->version > SVCQ_AGENT_SPEC_VERSION)
        return svcq__error(ctx, SVCQ_EVERSION, "agent spec: version %u (this library knows 1 to %d)", spec->version,
                           SVCQ_AGENT_SPEC_VERSION);
    if (spec->reserved0 || spec->reserved1 || !svcq__all_zero(spec->reserved, sizeof(spec->reserved)))
        return svcq__error(ctx, SVCQ_EINVAL, "agent spec: reserved fields must be zero");
    int rc = svcq__tier_check_id(ctx, "agent id", spec->id);
    if (rc)
        return rc;
    const char *id = spec->id;
    if (spec->name && (rc = svcq__tier_check_label(ctx, "agent name", spec->name, SVCQ__TIER_NAME_MAX)))
        return rc;
    if (spec->capacity < 0 || spec->capacity > SVCQ__AGENT_MAX_CAPACITY)
        return svcq__error(ctx, SVCQ_EINVAL, "agent %s: capacity %lld (0 for unlimited, or 1 to %d)", id,
                           (long long)spec->capacity, SVCQ__AGENT_MAX_CAPACITY);
    if (spec->weight < 0 || spec->weight > SVCQ__AGENT_MAX_WEIGHT)
        return svcq__error(ctx, SVCQ_EINVAL, "agent %s: weight %lld (0 for 1, or 1 to %d)", id,
                           (long long)spec->weight, SVCQ__AGENT_MAX_WEIGHT);
    if (spec->skill_count > SVCQ_TIER_MAX_ITEMS)
        return svcq__error(ctx, SVCQ_ELIMIT, "agent %s: %u skills (at most %d)", id, spec->skill_count,
                           SVCQ_TIER_MAX_ITEMS);
    if (spec->skill_count && !spec->skills)
        return svcq__error(ctx, SVCQ_EINVAL, "agent %s: %u skills but a NULL skills array", id, spec->skill_count);
    for (uint32_t i = 0; i < spec->skill_count; i++)
        if ((rc = svcq__tier_check_label(ctx, "agent skill", spec->skills[i], SVCQ__TIER_NAME_MAX)))
            return rc;
    out->capacity = spec->capacity;
    out->weight = spec->weight ? spec->weight : 1;
    rc = svcq__strdup(ctx, "agent name", spec->name ? spec->name : id, &out->name);
    if (!rc && spec->skill_count) {
        out->skills = svcq__calloc(ctx, spec->skill_count, sizeof(*out->skills));
        if (!out->skills)
            rc = svcq__enomem(ctx);
    }
    for (uint32_t i = 0; i < spec->skill_count && !rc; i++) {
        rc = svcq__strdup(ctx, "agent skill", spec->skills[i], &out->skills[i]);
        if (!rc)
            out->nskills++;
    }
    if (!rc && out->nskills) {
        qsort(out->skills, out->nskills, sizeof(*out->skills), cmp_str);
        for (uint32_t i = 1; i < out->nskills && !rc; i++)
            if (strcmp(out->skills[i - 1], out->skills[i]) == 0)
                rc = svcq__error(ctx, SVCQ_EINVAL, "agent %s: skill \"%s\" listed twice", id, out->skills[i]);
    }
    if (!rc && spec->calendar)
        rc = svcq_calendar_copy(&out->cal, ctx, spec->calendar);
    if (rc)
        svcq__agent_conf_free(ctx, out);
    return rc;
}

int svcq_assigner_put_agent(svcq_assigner *a, const svcq_agent_spec *spec)
{
    if (!a || !spec)
        return svcq__error(a ? a->ctx : NULL, SVCQ_EINVAL, "svcq_assigner_put_agent: NULL %s",
                           !a ? "assigner" : "spec");
    svcq_ctx *ctx = a->ctx;
    svcq__agent_conf conf;
    int rc = svcq__agent_conf_make(ctx, spec, &conf);
    if (rc)
        return rc;
    svcq__agent *ag = svcq__assigner_agent(a, spec->id);
    svcq__agent *fresh = NULL;
    if (!ag) {
        rc = svcq__assigner_reserve(a, 1, 0);
        if (!rc) {
            fresh = svcq__calloc(ctx, 1, sizeof(*fresh));
            if (!fresh)
                rc = svcq__enomem(ctx);
        }
        if (!rc)
            rc = svcq__strdup(ctx, "agent id", spec->id, &fresh->id);
        if (rc) {
            svcq__free(ctx, fresh);
            svcq__agent_conf_free(ctx, &conf);
            return rc;
        }
    }
    svcq__change_scope s;
    svcq__change local, *c = NULL;
    rc = svcq__change_begin(a, &s);
    if (!rc)
        rc = svcq__change_new(a, &s, &local, &c);
    if (rc) {
        if (fresh)
            svcq__agent_free(ctx, fresh);
        svcq__agent_conf_free(ctx, &conf);
        return svcq__change_end(a, &s, rc);
    }
    if (fresh) {
        fresh->conf = conf;
        svcq__assigner_insert_agent(a, fresh);
        c->kind = SVCQ__CH_AGENT_NEW;
        c->agent = ag = fresh;
    } else {
        c->kind = SVCQ__CH_AGENT_CONF;
        c->agent = ag;
        c->aconf = ag->conf; /* the old configuration: freed on release */
        ag->conf = conf;
        ag->shift_valid = false;
    }
    svcq__change_done(a, &s, c);
    rc = svcq__assigner_write(a, ag, NULL, fresh ? SVCQ__WRITE_ASSIGNER : 0);
    return svcq__change_end(a, &s, rc);
}

int svcq_assigner_remove_agent(svcq_assigner *a, const char *agent_id)
{
    if (!a || !agent_id)
        return svcq__error(a ? a->ctx : NULL, SVCQ_EINVAL, "svcq_assigner_remove_agent: NULL argument");
    svcq_ctx *ctx = a->ctx;
    svcq__agent *ag = svcq__assigner_agent(a, agent_id);
    if (!ag)
        return svcq__error(ctx, SVCQ_ENOTFOUND, "assigner: no agent \"%s\" to remove", agent_id);
    if (ag->teams || ag->load || ag->named)
        return svcq__error(ctx, SVCQ_ESTATE,
                           "agent %s cannot be removed: %u team(s) have it, it serves %llu open item(s) and is the "
                           "named agent of %u client(s)",
                           agent_id, ag->teams, (unsigned long long)ag->load, ag->named);
    svcq__change_scope s;
    svcq__change local, *c = NULL;
    int rc = svcq__change_begin(a, &s);
    if (!rc)
        rc = svcq__change_new(a, &s, &local, &c);
    if (rc)
        return svcq__change_end(a, &s, rc);
    uint64_t revision = ag->revision;
    svcq__assigner_unlink_agent(a, ag);
    c->kind = SVCQ__CH_AGENT_REMOVE;
    c->agent = ag;
    svcq__change_done(a, &s, c); /* unbound outside a batch: ag is freed here */
    /* Bound: its record goes too (the revision restored by undo; the agent
     * lives until the change is released). */
    if (a->id && revision) {
        rc = svcq__undo_reserve(ctx, 1);
        if (!rc)
            rc = svcq__record_remove(ctx, a, SVCQ__AGENT_KIND, ag->id, &ag->revision);
    }
    if (!rc)
        rc = svcq__assigner_write(a, NULL, NULL, SVCQ__WRITE_ASSIGNER);
    return svcq__change_end(a, &s, rc);
}

int svcq_assigner_set_absent(svcq_assigner *a, const char *agent_id, svcq_time until)
{
    if (!a || !agent_id)
        return svcq__error(a ? a->ctx : NULL, SVCQ_EINVAL, "svcq_assigner_set_absent: NULL argument");
    svcq_ctx *ctx = a->ctx;
    svcq__agent *ag = svcq__assigner_agent(a, agent_id);
    if (!ag)
        return svcq__error(ctx, SVCQ_ENOTFOUND, "assigner: no agent \"%s\" to mark absent", agent_id);
    if (until < 0)
        return svcq__error(ctx, SVCQ_EINVAL, "agent %s: absent until %lld: a negative instant", agent_id,
                           (long long)until);
    svcq__change_scope s;
    svcq__change local, *c = NULL;
    int rc = svcq__change_begin(a, &s);
    if (!rc)
        rc = svcq__change_new(a, &s, &local, &c);
    if (rc)
        return svcq__change_end(a, &s, rc);
    c->kind = SVCQ__CH_ABSENT;
    c->agent = ag;
    c->absent = ag->absent_until;
    ag->absent_until = until;
    svcq__change_done(a, &s, c);
    rc = svcq__assigner_write(a, NULL, NULL, SVCQ__WRITE_ASSIGNER);
    return svcq__change_end(a, &s, rc);
}

int svcq_assigner_agent_load(uint64_t *out, const svcq_assigner *a, const char *agent_id)
{
    if (!out || !a || !agent_id)
        return svcq__error(a ? a->ctx : NULL, SVCQ_EINVAL, "svcq_assigner_agent_load: NULL argument");
    svcq__agent *ag = svcq__assigner_agent(a, agent_id);
    if (!ag)
        return svcq__error(a->ctx, SVCQ_ENOTFOUND, "assigner: no agent \"%s\"", agent_id);
    *out = ag->load;
    return SVCQ_OK;
}

/* ---- teams --------------------------------------------------------------------- */

static int cmp_agent(const void *x, const void *y)
{
    return strcmp((*(svcq__agent *const *)x)->id, (*(svcq__agent *const *)y)->id);
}

int svcq_assigner_put_team(svcq_assigner *a, const char *team_id, const char *name, int32_t kind,
                           const char *const *members, size_t count)
{
    if (!a || !team_id || (!members && count))
        return svcq__error(a ? a->ctx : NULL, SVCQ_EINVAL, "svcq_assigner_put_team: NULL argument");
    svcq_ctx *ctx = a->ctx;
    int rc = svcq__tier_check_id(ctx, "team id", team_id);
    if (!rc && name)
        rc = svcq__tier_check_label(ctx, "team name", name, SVCQ__TIER_NAME_MAX);
    if (rc)
        return rc;
    if (!svcq_team_kind_name(kind))
        return svcq__error(ctx, SVCQ_EINVAL, "team %s: unknown kind %d", team_id, kind);
    if (count == 0)
        return svcq__error(ctx, SVCQ_EINVAL, "team %s: a team needs at least one member", team_id);
    if (count > SVCQ__TEAM_MAX_MEMBERS)
        return svcq__error(ctx, SVCQ_ELIMIT, "team %s: %zu members (at most %d)", team_id, count,
                           SVCQ__TEAM_MAX_MEMBERS);
    svcq__team_conf conf;
    memset(&conf, 0, sizeof(conf));
    conf.kind = kind;
    conf.n = count;
    conf.members = svcq__calloc(ctx, count, sizeof(*conf.members));
    conf.cw = svcq__calloc(ctx, count, sizeof(*conf.cw));
    if (!conf.members || !conf.cw) {
        svcq__team_conf_free(ctx, &conf);
        return svcq__enomem(ctx);
    }
    for (size_t i = 0; i < count; i++) {
        svcq__agent *ag = members[i] ? svcq__assigner_agent(a, members[i]) : NULL;
        if (!ag) {
            svcq__team_conf_free(ctx, &conf);
            if (!members[i])
                return svcq__error(ctx, SVCQ_EINVAL, "team %s: member %zu is NULL", team_id, i);
            return svcq__error(ctx, SVCQ_ENOTFOUND, "team %s: member \"%s\" is not an agent of the assigner",
                               team_id, members[i]);
        }
        conf.members[i] = ag;
    }
    qsort(conf.members, count, sizeof(*conf.members), cmp_agent);
    for (size_t i = 1; i < count; i++) {
        if (conf.members[i - 1] == conf.members[i]) {
            rc = svcq__error(ctx, SVCQ_EINVAL, "team %s: agent %s listed twice", team_id, conf.members[i]->id);
            svcq__team_conf_free(ctx, &conf);
            return rc;
        }
    }
    rc = svcq__strdup(ctx, "team name", name ? name : team_id, &conf.name);
    svcq__team *t = svcq__assigner_team(a, team_id);
    svcq__team *fresh = NULL;
    if (!rc && !t) {
        rc = svcq__assigner_reserve(a, 0, 1);
        if (!rc && !(fresh = svcq__calloc(ctx, 1, sizeof(*fresh))))
            rc = svcq__enomem(ctx);
        if (!rc)
            rc = svcq__strdup(ctx, "team id", team_id, &fresh->id);
    }
    svcq__change_scope s;
    svcq__change local, *c = NULL;
    s.scoped = false;
    if (!rc)
        rc = svcq__change_begin(a, &s);
    if (!rc)
        rc = svcq__change_new(a, &s, &local, &c);
    if (rc) {
        svcq__team_free(ctx, fresh);
        svcq__team_conf_free(ctx, &conf);
        return svcq__change_end(a, &s, rc);
    }
    for (size_t i = 0; i < count; i++)
        conf.members[i]->teams++;
    if (fresh) {
        fresh->conf = conf;
        svcq__assigner_insert_team(a, fresh);
        c->kind = SVCQ__CH_TEAM_NEW;
        c->team = t = fresh;
    } else {
        for (size_t i = 0; i < t->conf.n; i++)
            t->conf.members[i]->teams--;
        c->kind = SVCQ__CH_TEAM_CONF;
        c->team = t;
        c->tconf = t->conf;
        t->conf = conf;
    }
    svcq__change_done(a, &s, c);
    rc = svcq__assigner_write(a, NULL, t, SVCQ__WRITE_ASSIGNER);
    return svcq__change_end(a, &s, rc);
}

/* ---- routes -------------------------------------------------------------------- */

static int set_routes(svcq_assigner *a, const svcq__route *routes)
{
    svcq__change_scope s;
    svcq__change local, *c = NULL;
    int rc = svcq__change_begin(a, &s);
    if (!rc)
        rc = svcq__change_new(a, &s, &local, &c);
    if (rc)
        return svcq__change_end(a, &s, rc);
    c->kind = SVCQ__CH_ROUTES;
    memcpy(c->routes, a->routes, sizeof(a->routes));
    memcpy(a->routes, routes, sizeof(a->routes));
    svcq__change_done(a, &s, c);
    rc = svcq__assigner_write(a, NULL, NULL, SVCQ__WRITE_ASSIGNER);
    return svcq__change_end(a, &s, rc);
}

int svcq_assigner_set_route(svcq_assigner *a, int32_t tier, int32_t strategy, const char *team_id)
{
    if (!a || !team_id)
        return svcq__error(a ? a->ctx : NULL, SVCQ_EINVAL, "svcq_assigner_set_route: NULL argument");
    svcq_ctx *ctx = a->ctx;
    if (tier < 0 || tier >= SVCQ_TIER_MAX_LEVELS)
        return svcq__error(ctx, SVCQ_EINVAL, "assigner route: tier %d (0 to %d)", tier, SVCQ_TIER_MAX_LEVELS - 1);
    if (!svcq_assign_strategy_name(strategy))
        return svcq__error(ctx, SVCQ_EINVAL, "assigner route of tier %d: unknown strategy %d", tier, strategy);
    svcq__team *t = svcq__assigner_team(a, team_id);
    if (!t)
        return svcq__error(ctx, SVCQ_ENOTFOUND, "assigner route of tier %d: no team \"%s\"", tier, team_id);
    svcq__route routes[SVCQ_TIER_MAX_LEVELS];
    memcpy(routes, a->routes, sizeof(routes));
    routes[tier].strategy = strategy;
    routes[tier].team = t;
    return set_routes(a, routes);
}

int svcq_assigner_use_profiles(svcq_assigner *a, const svcq_tier_profiles *p)
{
    if (!a || !p)
        return svcq__error(a ? a->ctx : NULL, SVCQ_EINVAL, "svcq_assigner_use_profiles: NULL argument");
    svcq_ctx *ctx = a->ctx;
    if (p->ctx != ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_assigner_use_profiles: the profiles belong to another context");
    svcq__route routes[SVCQ_TIER_MAX_LEVELS];
    memcpy(routes, a->routes, sizeof(routes));
    for (uint32_t l = 0; l < p->levels; l++) {
        if (!p->level[l].team)
            continue;
        svcq__team *t = svcq__assigner_team(a, p->level[l].team);
        if (!t)
            return svcq__error(ctx, SVCQ_ENOTFOUND, "tier profile %u names team \"%s\", which the assigner lacks", l,
                               p->level[l].team);
        routes[l].strategy = p->level[l].strategy;
        routes[l].team = t;
    }
    return set_routes(a, routes);
}

/* ---- named agents ---------------------------------------------------------------- */

void svcq__named_revert(svcq_assigner *a, svcq__change *c)
{
    svcq__named *n = c->named;
    if (c->named_added) {
        (void)svcq__map_remove(&a->named, n->client, strlen(n->client));
        n->agent->named--;
        c->free_named = true;
    } else if (c->named_removed) {
        (void)svcq__map_put(&a->named, n->client, strlen(n->client), n, NULL);
        n->agent->named++;
        c->free_named = false;
    } else {
        n->agent->named--;
        n->agent = c->named_old;
        n->agent->named++;
    }
}

/* Applies a named-agent change prepared in c (named, named_added or
 * named_removed, named_old): the map has room for an addition. */
void svcq__named_apply(svcq_assigner *a, svcq__change *c, svcq__agent *agent)
{
    svcq__named *n = c->named;
    if (c->named_added) {
        n->agent = agent;
        agent->named++;
        (void)svcq__map_put(&a->named, n->client, strlen(n->client), n, NULL);
    } else if (c->named_removed) {
        n->agent->named--;
        (void)svcq__map_remove(&a->named, n->client, strlen(n->client));
        c->free_named = true;
    } else {
        c->named_old = n->agent;
        n->agent->named--;
        n->agent = agent;
        agent->named++;
    }
}

int svcq__named_prepare(svcq_assigner *a, const char *client, bool add, svcq__named **out)
{
    *out = svcq__map_get(&a->named, client, strlen(client));
    if (*out || !add)
        return SVCQ_OK;
    svcq_ctx *ctx = a->ctx;
    svcq__named *n = svcq__calloc(ctx, 1, sizeof(*n));
    if (!n)
        return svcq__enomem(ctx);
    int rc = svcq__strdup(ctx, "client id", client, &n->client);
    if (!rc)
        rc = svcq__map_reserve(&a->named, a->named.count + 1) ? svcq__enomem(ctx) : SVCQ_OK;
    if (rc) {
        svcq__free(ctx, n->client);
        svcq__free(ctx, n);
        return rc;
    }
    *out = n;
    return 1; /* a new entry */
}

int svcq_assigner_set_named_agent(svcq_assigner *a, const char *client_id, const char *agent_id)
{
    if (!a || !client_id)
        return svcq__error(a ? a->ctx : NULL, SVCQ_EINVAL, "svcq_assigner_set_named_agent: NULL argument");
    svcq_ctx *ctx = a->ctx;
    int rc = svcq__tier_check_id(ctx, "client id", client_id);
    if (rc)
        return rc;
    svcq__agent *ag = NULL;
    if (agent_id && !(ag = svcq__assigner_agent(a, agent_id)))
        return svcq__error(ctx, SVCQ_ENOTFOUND, "client %s: no agent \"%s\" to name", client_id, agent_id);
    svcq__named *n;
    rc = svcq__named_prepare(a, client_id, ag != NULL, &n);
    if (rc < 0)
        return rc;
    bool added = rc == 1;
    if (!n || (!added && n->agent == ag))
        return SVCQ_OK; /* nothing to forget, or already so */
    svcq__change_scope s;
    svcq__change local, *c = NULL;
    rc = svcq__change_begin(a, &s);
    if (!rc)
        rc = svcq__change_new(a, &s, &local, &c);
    if (rc) {
        if (added) {
            svcq__free(ctx, n->client);
            svcq__free(ctx, n);
        }
        return svcq__change_end(a, &s, rc);
    }
    c->kind = SVCQ__CH_NAMED;
    c->named = n;
    c->named_added = added;
    c->named_removed = !ag;
    svcq__named_apply(a, c, ag);
    svcq__change_done(a, &s, c);
    rc = svcq__assigner_write(a, NULL, NULL, SVCQ__WRITE_ASSIGNER);
    return svcq__change_end(a, &s, rc);
}

const char *svcq_assigner_named_agent(const svcq_assigner *a, const char *client_id)
{
    if (!a || !client_id)
        return NULL;
    const svcq__named *n = svcq__map_get(&a->named, client_id, strlen(client_id));
    return n ? n->agent->id : NULL;
}

const char *svcq_assigner_item_agent(const svcq_assigner *a, const char *item_id)
{
    if (!a || !item_id)
        return NULL;
    const svcq__item *it = svcq__map_get(&a->items, item_id, strlen(item_id));
    return it ? it->agent->id : NULL;
}
