/* The assigner as JSON (schema "svcq.assigner/1", docs/format.md) and in
 * the store: records of kinds "agent", "team" and "assigner". The export
 * embeds agents and teams as objects; the assigner record lists their ids,
 * each stored as its own record. One decoder reads both. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar/calendar_internal.h"
#include "core/str.h"
#include "store/record.h"
#include "tier/assign_internal.h"

/* ---- writing ------------------------------------------------------------- */

static int write_calendar(svcq__jw *w, const svcq_calendar *cal)
{
    svcq_ctx *ctx = w->ctx;
    svcq__buf text;
    svcq__buf_init(&text, ctx);
    int rc = svcq__calendar_encode(cal, &text);
    svcq__json_doc *doc = NULL;
    if (!rc)
        rc = svcq__json_parse(ctx, text.data, text.len, NULL, &doc);
    if (!rc)
        rc = svcq__jw_value(w, svcq__json_root(doc));
    svcq__json_doc_free(doc);
    svcq__buf_free(&text);
    return rc;
}

static int agent_fields(const svcq__agent *ag, svcq__jw *w)
{
    int rc = svcq__jw_key(w, "id");
    rc = rc ? rc : svcq__jw_string(w, ag->id);
    rc = rc ? rc : svcq__jw_key(w, "name");
    rc = rc ? rc : svcq__jw_string(w, ag->conf.name);
    rc = rc ? rc : svcq__jw_key(w, "capacity");
    rc = rc ? rc : svcq__jw_int(w, ag->conf.capacity);
    rc = rc ? rc : svcq__jw_key(w, "weight");
    rc = rc ? rc : svcq__jw_int(w, ag->conf.weight);
    rc = rc ? rc : svcq__jw_key(w, "skills");
    rc = rc ? rc : svcq__jw_array_begin(w);
    for (uint32_t i = 0; i < ag->conf.nskills && !rc; i++)
        rc = svcq__jw_string(w, ag->conf.skills[i]);
    rc = rc ? rc : svcq__jw_array_end(w);
    rc = rc ? rc : svcq__jw_key(w, "calendar");
    rc = rc ? rc : ag->conf.cal ? write_calendar(w, ag->conf.cal) : svcq__jw_null(w);
    return rc;
}

int svcq__agent_encode(const svcq__agent *ag, svcq__jw *w, bool record)
{
    int rc = record ? svcq__record_begin(w, SVCQ__AGENT_KIND, 1) : svcq__jw_object_begin(w);
    rc = rc ? rc : agent_fields(ag, w);
    if (record) {
        int end = svcq__record_end(w);
        return rc ? rc : end;
    }
    return rc ? rc : svcq__jw_object_end(w);
}

int svcq__team_encode(const svcq__team *t, svcq__jw *w, bool record)
{
    int rc = record ? svcq__record_begin(w, SVCQ__TEAM_KIND, 1) : svcq__jw_object_begin(w);
    rc = rc ? rc : svcq__jw_key(w, "id");
    rc = rc ? rc : svcq__jw_string(w, t->id);
    rc = rc ? rc : svcq__jw_key(w, "name");
    rc = rc ? rc : svcq__jw_string(w, t->conf.name);
    rc = rc ? rc : svcq__jw_key(w, "kind");
    rc = rc ? rc : svcq__jw_string(w, svcq_team_kind_name(t->conf.kind));
    rc = rc ? rc : svcq__jw_key(w, "members");
    rc = rc ? rc : svcq__jw_array_begin(w);
    for (size_t i = 0; i < t->conf.n && !rc; i++)
        rc = svcq__jw_string(w, t->conf.members[i]->id);
    rc = rc ? rc : svcq__jw_array_end(w);
    if (record) {
        int end = svcq__record_end(w);
        return rc ? rc : end;
    }
    return rc ? rc : svcq__jw_object_end(w);
}

static int cmp_named(const void *x, const void *y)
{
    return strcmp((*(svcq__named *const *)x)->client, (*(svcq__named *const *)y)->client);
}

static int cmp_item(const void *x, const void *y)
{
    return strcmp((*(svcq__item *const *)x)->id, (*(svcq__item *const *)y)->id);
}

/* The values of a map, sorted. */
static int sorted_values(svcq_ctx *ctx, const svcq__map *m, int (*cmp)(const void *, const void *), void ***out)
{
    *out = NULL;
    if (!m->count)
        return SVCQ_OK;
    void **v = svcq__calloc(ctx, m->count, sizeof(*v));
    if (!v)
        return svcq__enomem(ctx);
    size_t it = 0, n = 0;
    while (svcq__map_next(m, &it, NULL, NULL, &v[n]))
        n++;
    qsort(v, n, sizeof(*v), cmp);
    *out = v;
    return SVCQ_OK;
}

int svcq__assigner_state_encode(const svcq_assigner *a, svcq__jw *w, bool record)
{
    svcq_ctx *ctx = a->ctx;
    void **named = NULL, **items = NULL;
    int rc = sorted_values(ctx, &a->named, cmp_named, &named);
    if (!rc)
        rc = sorted_values(ctx, &a->items, cmp_item, &items);
    rc = rc ? rc : svcq__record_begin(w, SVCQ__ASSIGNER_KIND, 1);
    rc = rc ? rc : svcq__jw_key(w, "agents");
    rc = rc ? rc : svcq__jw_array_begin(w);
    for (size_t i = 0; i < a->nagents && !rc; i++)
        rc = record ? svcq__jw_string(w, a->agents[i]->id) : svcq__agent_encode(a->agents[i], w, false);
    rc = rc ? rc : svcq__jw_array_end(w);
    rc = rc ? rc : svcq__jw_key(w, "teams");
    rc = rc ? rc : svcq__jw_array_begin(w);
    for (size_t i = 0; i < a->nteams && !rc; i++)
        rc = record ? svcq__jw_string(w, a->teams[i]->id) : svcq__team_encode(a->teams[i], w, false);
    rc = rc ? rc : svcq__jw_array_end(w);
    rc = rc ? rc : svcq__jw_key(w, "routes");
    rc = rc ? rc : svcq__jw_array_begin(w);
    for (int i = 0; i < SVCQ_TIER_MAX_LEVELS && !rc; i++) {
        if (a->routes[i].strategy < 0)
            continue;
        rc = svcq__jw_object_begin(w);
        rc = rc ? rc : svcq__jw_key(w, "tier");
        rc = rc ? rc : svcq__jw_int(w, i);
        rc = rc ? rc : svcq__jw_key(w, "strategy");
        rc = rc ? rc : svcq__jw_string(w, svcq_assign_strategy_name(a->routes[i].strategy));
        rc = rc ? rc : svcq__jw_key(w, "team");
        rc = rc ? rc : svcq__jw_string(w, a->routes[i].team->id);
        rc = rc ? rc : svcq__jw_object_end(w);
    }
    rc = rc ? rc : svcq__jw_array_end(w);
    rc = rc ? rc : svcq__jw_key(w, "absent");
    rc = rc ? rc : svcq__jw_array_begin(w);
    for (size_t i = 0; i < a->nagents && !rc; i++) {
        if (!a->agents[i]->absent_until)
            continue;
        rc = svcq__jw_object_begin(w);
        rc = rc ? rc : svcq__jw_key(w, "agent");
        rc = rc ? rc : svcq__jw_string(w, a->agents[i]->id);
        rc = rc ? rc : svcq__jw_key(w, "until");
        rc = rc ? rc : svcq__jw_int(w, a->agents[i]->absent_until);
        rc = rc ? rc : svcq__jw_object_end(w);
    }
    rc = rc ? rc : svcq__jw_array_end(w);
    rc = rc ? rc : svcq__jw_key(w, "named");
    rc = rc ? rc : svcq__jw_array_begin(w);
    for (size_t i = 0; i < a->named.count && !rc; i++) {
        const svcq__named *n = named[i];
        rc = svcq__jw_object_begin(w);
        rc = rc ? rc : svcq__jw_key(w, "client");
        rc = rc ? rc : svcq__jw_string(w, n->client);
        rc = rc ? rc : svcq__jw_key(w, "agent");
        rc = rc ? rc : svcq__jw_string(w, n->agent->id);
        rc = rc ? rc : svcq__jw_object_end(w);
    }
    rc = rc ? rc : svcq__jw_array_end(w);
    rc = rc ? rc : svcq__jw_key(w, "items");
    rc = rc ? rc : svcq__jw_array_begin(w);
    for (size_t i = 0; i < a->items.count && !rc; i++) {
        const svcq__item *it = items[i];
        rc = svcq__jw_object_begin(w);
        rc = rc ? rc : svcq__jw_key(w, "id");
        rc = rc ? rc : svcq__jw_string(w, it->id);
        rc = rc ? rc : svcq__jw_key(w, "agent");
        rc = rc ? rc : svcq__jw_string(w, it->agent->id);
        rc = rc ? rc : svcq__jw_object_end(w);
    }
    rc = rc ? rc : svcq__jw_array_end(w);
    rc = rc ? rc : svcq__jw_key(w, "rotation");
    rc = rc ? rc : svcq__jw_array_begin(w);
    for (size_t i = 0; i < a->nteams && !rc; i++) {
        const svcq__team *t = a->teams[i];
        rc = svcq__jw_object_begin(w);
        rc = rc ? rc : svcq__jw_key(w, "team");
        rc = rc ? rc : svcq__jw_string(w, t->id);
        rc = rc ? rc : svcq__jw_key(w, "next");
        rc = rc ? rc : svcq__jw_int(w, (int64_t)t->conf.rr);
        rc = rc ? rc : svcq__jw_key(w, "weights");
        rc = rc ? rc : svcq__jw_array_begin(w);
        for (size_t k = 0; k < t->conf.n && !rc; k++)
            rc = svcq__jw_int(w, t->conf.cw[k]);
        rc = rc ? rc : svcq__jw_array_end(w);
        rc = rc ? rc : svcq__jw_object_end(w);
    }
    rc = rc ? rc : svcq__jw_array_end(w);
    int end = svcq__record_end(w);
    svcq__free(ctx, named);
    svcq__free(ctx, items);
    return rc ? rc : end;
}

int svcq_assigner_export_json(const svcq_assigner *a, const svcq_writer *writer, uint32_t flags)
{
    if (!a || !writer)
        return svcq__error(a ? a->ctx : NULL, SVCQ_EINVAL, "svcq_assigner_export_json: NULL argument");
    if (flags & ~SVCQ_TIER_JSON_PRETTY)
        return svcq__error(a->ctx, SVCQ_EINVAL, "svcq_assigner_export_json: unknown flags 0x%x", flags);
    svcq__jw *w = svcq__malloc(a->ctx, sizeof(*w));
    if (!w)
        return svcq__enomem(a->ctx);
    svcq__jw_init_writer(w, a->ctx, writer);
    (void)svcq__jw_set_pretty(w, (flags & SVCQ_TIER_JSON_PRETTY) != 0);
    int rc = svcq__assigner_state_encode(a, w, false);
    svcq__free(a->ctx, w);
    return rc;
}

/* ---- the store: write-through ---------------------------------------------- */

typedef int (*encode_fn)(const void *obj, svcq__jw *w);

static int enc_agent(const void *o, svcq__jw *w) { return svcq__agent_encode(o, w, true); }
static int enc_team(const void *o, svcq__jw *w) { return svcq__team_encode(o, w, true); }
static int enc_assigner(const void *o, svcq__jw *w) { return svcq__assigner_state_encode(o, w, true); }

static int put(svcq_assigner *a, const char *kind, const char *id, uint64_t *revision, encode_fn enc,
               const void *obj)
{
    svcq_ctx *ctx = a->ctx;
    svcq__buf json;
    svcq__buf_init(&json, ctx);
    svcq__jw *w = svcq__malloc(ctx, sizeof(*w));
    int rc = w ? SVCQ_OK : svcq__enomem(ctx);
    if (!rc) {
        svcq__jw_init_buf(w, ctx, &json);
        rc = enc(obj, w);
    }
    svcq__free(ctx, w);
    uint64_t seen = *revision;
    if (!rc)
        rc = svcq__record_put(ctx, a, kind, id, revision, &json);
    if (rc == SVCQ_ECONFLICT)
        rc = svcq__error(ctx, rc, "%s %s: %s (compare-and-swap on revision %llu)", kind, id,
                         seen ? "the record changed since this assigner last wrote or read it"
                              : "a record with this id exists already",
                         (unsigned long long)seen);
    svcq__buf_free(&json);
    return rc;
}

int svcq__assigner_write(svcq_assigner *a, svcq__agent *ag, svcq__team *t, uint32_t flags)
{
    if (!a->id)
        return SVCQ_OK;
    int rc = SVCQ_OK;
    if (ag)
        rc = put(a, SVCQ__AGENT_KIND, ag->id, &ag->revision, enc_agent, ag);
    if (!rc && t)
        rc = put(a, SVCQ__TEAM_KIND, t->id, &t->revision, enc_team, t);
    if (!rc && (flags & SVCQ__WRITE_ASSIGNER))
        rc = put(a, SVCQ__ASSIGNER_KIND, a->id, &a->revision, enc_assigner, a);
    return rc;
}

static void restore_id(svcq_ctx *ctx, void *data, uint64_t arg)
{
    svcq_assigner *a = data;
    svcq__free(ctx, a->id);
    a->id = (char *)(uintptr_t)arg;
}

int svcq_assigner_save(svcq_assigner *a, const char *id)
{
    if (!a)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = a->ctx;
    int rc = svcq__tier_check_id(ctx, "assigner record id", id);
    if (rc)
        return rc;
    if (a->id && strcmp(a->id, id) != 0)
        return svcq__error(ctx, SVCQ_ESTATE, "assigner %s is bound to its record; it cannot be saved as \"%s\"",
                           a->id, id);
    char *copy = NULL;
    if (!a->id && (rc = svcq__strdup(ctx, "assigner record id", id, &copy)))
        return rc;
    svcq__tx tx;
    rc = svcq__tx_begin(ctx, &tx);
    if (!rc)
        rc = svcq__undo_reserve(ctx, 1);
    if (!rc && copy) {
        /* Bind first, so the writes below go where they should; undone on
         * failure. */
        (void)svcq__undo_push_for(ctx, a, restore_id, NULL, a, 0);
        a->id = copy;
        copy = NULL;
    }
    for (size_t i = 0; i < a->nagents && !rc; i++)
        rc = svcq__assigner_write(a, a->agents[i], NULL, 0);
    for (size_t i = 0; i < a->nteams && !rc; i++)
        rc = svcq__assigner_write(a, NULL, a->teams[i], 0);
    if (!rc)
        rc = svcq__assigner_write(a, NULL, NULL, SVCQ__WRITE_ASSIGNER);
    svcq__free(ctx, copy);
    return svcq__tx_end(ctx, &tx, rc);
}

const char *svcq_assigner_id(const svcq_assigner *a)
{
    return a ? a->id : NULL;
}

uint64_t svcq_assigner_revision(const svcq_assigner *a)
{
    return a ? a->revision : 0;
}

/* ---- reading ----------------------------------------------------------------- */

#define BAD(...) svcq__error(ctx, SVCQ_ECORRUPT, __VA_ARGS__)

typedef struct decoder {
    svcq_ctx *ctx;
    const char *dir;
    bool from_store; /* agents and teams are records */
} decoder;

static int decode_agent(decoder *dc, svcq_assigner *a, const svcq__json *o, uint64_t revision)
{
    svcq_ctx *ctx = dc->ctx;
    const char *id, *name;
    int64_t capacity, weight;
    const svcq__json *skills, *cal_json = NULL;
    int rc;
    if ((rc = svcq__json_get_string(ctx, o, "id", true, &id, NULL)) ||
        (rc = svcq__json_get_string(ctx, o, "name", true, &name, NULL)) ||
        (rc = svcq__json_get_int(ctx, o, "capacity", true, &capacity)) ||
        (rc = svcq__json_get_int(ctx, o, "weight", true, &weight)) ||
        (rc = svcq__json_get_array(ctx, o, "skills", true, &skills)) ||
        (rc = svcq__json_get_object(ctx, o, "calendar", false, &cal_json)))
        return rc;
    size_t n = svcq__json_array_size(skills);
    if (n > SVCQ_TIER_MAX_ITEMS)
        return svcq__error(ctx, SVCQ_ELIMIT, "agent %s: %zu skills (at most %d)", id, n, SVCQ_TIER_MAX_ITEMS);
    const char *list[SVCQ_TIER_MAX_ITEMS];
    for (size_t i = 0; i < n; i++)
        if (!(list[i] = svcq__json_as_string(svcq__json_array_get(skills, i), NULL)))
            return BAD("agent %s: skills[%zu] is not a string", id, i);
    if (svcq__assigner_agent(a, id))
        return BAD("agent %s is listed twice", id);
    svcq_calendar *cal = NULL;
    if (cal_json && (rc = svcq__calendar_decode(ctx, cal_json, dc->dir, NULL, &cal)))
        return rc;
    svcq_agent_spec s = SVCQ_AGENT_SPEC_INIT;
    s.id = id;
    s.name = name;
    s.capacity = capacity;
    s.weight = weight;
    s.skills = list;
    s.skill_count = (uint32_t)n;
    s.calendar = cal;
    /* A stored weight is at least 1; 0 would read as 1 and change it. */
    if (weight < 1)
        rc = svcq__error(ctx, SVCQ_EINVAL, "agent %s: weight %lld (1 to %d)", id, (long long)weight,
                         SVCQ__AGENT_MAX_WEIGHT);
    if (!rc)
        rc = svcq_assigner_put_agent(a, &s);
    svcq_calendar_free(cal);
    if (!rc)
        svcq__assigner_agent(a, id)->revision = revision;
    return rc;
}

static int decode_team(decoder *dc, svcq_assigner *a, const svcq__json *o, uint64_t revision)
{
    svcq_ctx *ctx = dc->ctx;
    const char *id, *name, *kind_s;
    const svcq__json *members;
    int rc;
    if ((rc = svcq__json_get_string(ctx, o, "id", true, &id, NULL)) ||
        (rc = svcq__json_get_string(ctx, o, "name", true, &name, NULL)) ||
        (rc = svcq__json_get_string(ctx, o, "kind", true, &kind_s, NULL)) ||
        (rc = svcq__json_get_array(ctx, o, "members", true, &members)))
        return rc;
    int32_t kind = -1;
    for (int32_t k = 0; k < 3; k++)
        if (strcmp(kind_s, svcq_team_kind_name(k)) == 0)
            kind = k;
    if (kind < 0)
        return BAD("team %s: unknown kind \"%.40s\"", id, kind_s);
    if (svcq__assigner_team(a, id))
        return BAD("team %s is listed twice", id);
    size_t n = svcq__json_array_size(members);
    const char **list = svcq__calloc(ctx, n ? n : 1, sizeof(*list));
    if (!list)
        return svcq__enomem(ctx);
    for (size_t i = 0; i < n && !rc; i++)
        if (!(list[i] = svcq__json_as_string(svcq__json_array_get(members, i), NULL)))
            rc = BAD("team %s: members[%zu] is not a string", id, i);
    if (!rc)
        rc = svcq_assigner_put_team(a, id, name, kind, list, n);
    svcq__free(ctx, list);
    if (!rc)
        svcq__assigner_team(a, id)->revision = revision;
    return rc;
}

/* Reads an element of "agents" or "teams": an object, or (from the store)
 * the id of a record to load. */
static int decode_ref(decoder *dc, svcq_assigner *a, const svcq__json *e, const char *kind,
                      int (*fn)(decoder *, svcq_assigner *, const svcq__json *, uint64_t))
{
    svcq_ctx *ctx = dc->ctx;
    if (!dc->from_store) {
        if (svcq__json_typeof(e) != SVCQ__JSON_OBJECT)
            return BAD("assigner document: %ss: an element is not an object", kind);
        return fn(dc, a, e, 0);
    }
    const char *id = svcq__json_as_string(e, NULL);
    if (!id)
        return BAD("assigner record: %ss: an element is not an id", kind);
    svcq__json_doc *doc;
    uint32_t major;
    uint64_t revision;
    int rc = svcq__record_load(ctx, kind, id, 1, &doc, &major, &revision);
    if (rc == SVCQ_ENOTFOUND)
        return svcq__error(ctx, rc, "assigner record lists %s \"%s\", which is not stored", kind, id);
    if (rc)
        return rc;
    const char *inner = NULL;
    rc = svcq__json_get_string(ctx, svcq__json_root(doc), "id", true, &inner, NULL);
    if (!rc && strcmp(inner, id) != 0)
        rc = BAD("record %s \"%s\" holds %s \"%.64s\"", kind, id, kind, inner);
    if (!rc)
        rc = fn(dc, a, svcq__json_root(doc), revision);
    svcq__json_doc_free(doc);
    return rc;
}

static int decode_state(decoder *dc, svcq_assigner *a, const svcq__json *root)
{
    svcq_ctx *ctx = dc->ctx;
    uint32_t major;
    int rc = svcq__record_check(ctx, root, SVCQ__ASSIGNER_KIND, 1, &major);
    if (rc)
        return rc;
    const svcq__json *agents, *teams, *routes, *absent, *named, *items, *rotation;
    if ((rc = svcq__json_get_array(ctx, root, "agents", true, &agents)) ||
        (rc = svcq__json_get_array(ctx, root, "teams", true, &teams)) ||
        (rc = svcq__json_get_array(ctx, root, "routes", true, &routes)) ||
        (rc = svcq__json_get_array(ctx, root, "absent", true, &absent)) ||
        (rc = svcq__json_get_array(ctx, root, "named", true, &named)) ||
        (rc = svcq__json_get_array(ctx, root, "items", true, &items)) ||
        (rc = svcq__json_get_array(ctx, root, "rotation", true, &rotation)))
        return rc;
    for (size_t i = 0; i < svcq__json_array_size(agents) && !rc; i++)
        rc = decode_ref(dc, a, svcq__json_array_get(agents, i), SVCQ__AGENT_KIND, decode_agent);
    for (size_t i = 0; i < svcq__json_array_size(teams) && !rc; i++)
        rc = decode_ref(dc, a, svcq__json_array_get(teams, i), SVCQ__TEAM_KIND, decode_team);
    for (size_t i = 0; i < svcq__json_array_size(routes) && !rc; i++) {
        const svcq__json *r = svcq__json_array_get(routes, i);
        int64_t tier;
        const char *st, *team;
        if ((rc = svcq__json_get_int(ctx, r, "tier", true, &tier)) ||
            (rc = svcq__json_get_string(ctx, r, "strategy", true, &st, NULL)) ||
            (rc = svcq__json_get_string(ctx, r, "team", true, &team, NULL)))
            break;
        int32_t s = -1;
        for (int32_t k = 0; k < 6; k++)
            if (strcmp(st, svcq_assign_strategy_name(k)) == 0)
                s = k;
        if (s < 0 || tier < 0 || tier >= SVCQ_TIER_MAX_LEVELS)
            rc = BAD("assigner document: routes[%zu]: bad tier or strategy", i);
        else
            rc = svcq_assigner_set_route(a, (int32_t)tier, s, team);
    }
    for (size_t i = 0; i < svcq__json_array_size(absent) && !rc; i++) {
        const svcq__json *r = svcq__json_array_get(absent, i);
        const char *agent;
        int64_t until;
        if (!(rc = svcq__json_get_string(ctx, r, "agent", true, &agent, NULL)) &&
            !(rc = svcq__json_get_int(ctx, r, "until", true, &until)))
            rc = svcq_assigner_set_absent(a, agent, until);
    }
    for (size_t i = 0; i < svcq__json_array_size(named) && !rc; i++) {
        const svcq__json *r = svcq__json_array_get(named, i);
        const char *client, *agent;
        if (!(rc = svcq__json_get_string(ctx, r, "client", true, &client, NULL)) &&
            !(rc = svcq__json_get_string(ctx, r, "agent", true, &agent, NULL))) {
            if (svcq_assigner_named_agent(a, client))
                rc = BAD("assigner document: client %s is named twice", client);
            else
                rc = svcq_assigner_set_named_agent(a, client, agent);
        }
    }
    for (size_t i = 0; i < svcq__json_array_size(items) && !rc; i++) {
        const svcq__json *r = svcq__json_array_get(items, i);
        const char *id, *agent;
        if ((rc = svcq__json_get_string(ctx, r, "id", true, &id, NULL)) ||
            (rc = svcq__json_get_string(ctx, r, "agent", true, &agent, NULL)) ||
            (rc = svcq__tier_check_id(ctx, "item id", id)))
            break;
        svcq__agent *ag = svcq__assigner_agent(a, agent);
        if (!ag) {
            rc = BAD("assigner document: item %s is served by \"%.64s\", not an agent", id, agent);
            break;
        }
        if (svcq__map_get(&a->items, id, strlen(id))) {
            rc = BAD("assigner document: item %s is listed twice", id);
            break;
        }
        svcq__item *it = svcq__calloc(ctx, 1, sizeof(*it));
        if (!it || (rc = svcq__strdup(ctx, "item id", id, &it->id)) ||
            (rc = svcq__map_put(&a->items, it->id, strlen(it->id), it, NULL))) {
            if (it)
                svcq__free(ctx, it->id);
            svcq__free(ctx, it);
            rc = svcq__enomem(ctx);
            break;
        }
        it->agent = ag;
        ag->load++;
    }
    for (size_t i = 0; i < svcq__json_array_size(rotation) && !rc; i++) {
        const svcq__json *r = svcq__json_array_get(rotation, i);
        const char *team;
        int64_t next;
        const svcq__json *weights;
        if ((rc = svcq__json_get_string(ctx, r, "team", true, &team, NULL)) ||
            (rc = svcq__json_get_int(ctx, r, "next", true, &next)) ||
            (rc = svcq__json_get_array(ctx, r, "weights", true, &weights)))
            break;
        svcq__team *t = svcq__assigner_team(a, team);
        if (!t || next < 0 || (uint64_t)next >= t->conf.n || svcq__json_array_size(weights) != t->conf.n) {
            rc = BAD("assigner document: rotation[%zu] does not match a team", i);
            break;
        }
        t->conf.rr = (size_t)next;
        for (size_t k = 0; k < t->conf.n && !rc; k++) {
            int64_t v;
            if (!svcq__json_as_int(svcq__json_array_get(weights, k), &v) || v < -INT32_MAX || v > INT32_MAX)
                rc = BAD("assigner document: rotation[%zu].weights[%zu] is not a small integer", i, k);
            else
                t->conf.cw[k] = v;
        }
    }
    return rc;
}

static int decode(svcq_ctx *ctx, const svcq__json *root, const char *dir, bool from_store, svcq_assigner **out)
{
    svcq_assigner *a;
    int rc = svcq_assigner_new(&a, ctx);
    if (rc)
        return rc;
    decoder dc = { ctx, dir, from_store };
    rc = decode_state(&dc, a, root);
    if (rc) {
        svcq_assigner_free(a);
        return rc;
    }
    *out = a;
    return SVCQ_OK;
}

int svcq_assigner_import_json(svcq_assigner **out, svcq_ctx *ctx, const char *json, size_t size,
                              const char *zoneinfo_dir)
{
    if (out)
        *out = NULL;
    if (!out || !ctx || (!json && size))
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_assigner_import_json: NULL argument");
    svcq__json_doc *doc;
    int rc = svcq__json_parse(ctx, json, size, NULL, &doc);
    if (rc)
        return rc;
    rc = decode(ctx, svcq__json_root(doc), zoneinfo_dir, false, out);
    svcq__json_doc_free(doc);
    return rc;
}

int svcq_assigner_load(svcq_assigner **out, svcq_ctx *ctx, const char *id, const char *zoneinfo_dir)
{
    if (out)
        *out = NULL;
    if (!out || !ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_assigner_load: NULL argument");
    int rc = svcq__tier_check_id(ctx, "assigner record id", id);
    if (rc)
        return rc;
    char *copy;
    if ((rc = svcq__strdup(ctx, "assigner record id", id, &copy)))
        return rc;
    svcq__json_doc *doc = NULL;
    uint32_t major;
    uint64_t revision = 0;
    svcq_assigner *a = NULL;
    rc = svcq__record_load(ctx, SVCQ__ASSIGNER_KIND, id, 1, &doc, &major, &revision);
    if (rc == SVCQ_ENOTFOUND)
        rc = svcq__error(ctx, rc, "assigner \"%s\" is not stored (no record assigner \"%s\")", id, id);
    if (!rc)
        rc = decode(ctx, svcq__json_root(doc), zoneinfo_dir, true, &a);
    svcq__json_doc_free(doc);
    rc = svcq__record_damaged(ctx, SVCQ__ASSIGNER_KIND, copy, rc);
    if (rc) {
        svcq__free(ctx, copy);
        return rc;
    }
    a->id = copy;
    a->revision = revision;
    *out = a;
    return SVCQ_OK;
}
