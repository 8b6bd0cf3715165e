/* Assignment decisions, assign and release, and the decision handle with
 * its explanation (text and JSON). */
#include <stdio.h>
#include <string.h>

#include "calendar/civil.h"
#include "core/str.h"
#include "store/record.h"
#include "tier/assign_internal.h"

/* ---- the decision handle --------------------------------------------------- */

int svcq_assignment_new(svcq_assignment **out, svcq_ctx *ctx)
{
    if (out)
        *out = NULL;
    if (!out || !ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_assignment_new: NULL %s", !out ? "out" : "ctx");
    svcq_assignment *d = svcq__calloc(ctx, 1, sizeof(*d));
    if (!d)
        return svcq__enomem(ctx);
    d->ctx = ctx;
    svcq__buf_init(&d->text, ctx);
    d->strategy = -1;
    *out = d;
    return SVCQ_OK;
}

void svcq_assignment_free(svcq_assignment *d)
{
    if (!d)
        return;
    svcq__buf_free(&d->text);
    svcq__free(d->ctx, d->skips);
    svcq__free(d->ctx, d->avail);
    svcq__free(d->ctx, d);
}

static const char *str_at(const svcq_assignment *d, size_t off)
{
    return off == SVCQ__NONE ? NULL : d->text.data + off;
}

/* Appends s (with its NUL) to the decision's text; *off its offset. */
static int keep(svcq_assignment *d, const char *s, size_t *off)
{
    if (!s) {
        *off = SVCQ__NONE;
        return SVCQ_OK;
    }
    size_t at = d->text.len;
    int rc = svcq__buf_append(&d->text, s, strlen(s) + 1);
    if (rc)
        return svcq__enomem(d->ctx);
    *off = at;
    return SVCQ_OK;
}

const char *svcq_assignment_agent(const svcq_assignment *d)
{
    return d && d->found ? str_at(d, d->agent_off) : NULL;
}

const char *svcq_assignment_team(const svcq_assignment *d)
{
    return d && d->filled ? str_at(d, d->team_off) : NULL;
}

int32_t svcq_assignment_strategy(const svcq_assignment *d)
{
    return d && d->filled ? d->strategy : -1;
}

int32_t svcq_assignment_fallback(const svcq_assignment *d)
{
    return d && d->filled && d->fallback ? 1 : 0;
}

size_t svcq_assignment_skipped_count(const svcq_assignment *d)
{
    return d && d->filled ? d->nskips : 0;
}

int svcq_assignment_skipped_at(const char **agent_id, int32_t *reason, const char **detail,
                               const svcq_assignment *d, size_t index)
{
    if (!agent_id || !reason || !d)
        return svcq__error(d ? d->ctx : NULL, SVCQ_EINVAL, "svcq_assignment_skipped_at: NULL argument");
    size_t n = d->filled ? d->nskips : 0;
    if (index >= n)
        return svcq__error(d->ctx, SVCQ_ERANGE, "assignment: skipped agent %zu of %zu", index, n);
    *agent_id = str_at(d, d->skips[index].agent_off);
    *reason = d->skips[index].reason;
    if (detail)
        *detail = d->skips[index].detail_off == SVCQ__NONE ? "" : str_at(d, d->skips[index].detail_off);
    return SVCQ_OK;
}

/* ---- availability ------------------------------------------------------------ */

/* Whether the agent's calendar is open at t, through the shift cache. */
static int on_shift(svcq_ctx *ctx, svcq__agent *ag, svcq_time t, bool *open)
{
    if (!ag->conf.cal) {
        *open = true;
        return SVCQ_OK;
    }
    if (ag->shift_valid && t >= ag->shift_from && t < ag->shift_to) {
        *open = ag->shift_open;
        return SVCQ_OK;
    }
    int32_t o;
    int rc = svcq_calendar_is_open(&o, ag->conf.cal, t);
    svcq_time to = INT64_MAX;
    if (!rc)
        rc = o ? svcq_calendar_next_close(&to, ag->conf.cal, t) : svcq_calendar_next_open(&to, ag->conf.cal, t);
    if (rc == SVCQ_ENOTFOUND || rc == SVCQ_ERANGE) {
        to = INT64_MAX; /* never changes again within the range */
        rc = SVCQ_OK;
    }
    if (rc)
        return svcq__error(ctx, rc, "agent %s: its working calendar failed at %lld", ag->id, (long long)t);
    ag->shift_valid = true;
    ag->shift_open = o != 0;
    ag->shift_from = t;
    ag->shift_to = to;
    *open = o != 0;
    return SVCQ_OK;
}

static bool has_skill(const svcq__agent *ag, const char *skill)
{
    size_t lo = 0, hi = ag->conf.nskills;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ag->conf.skills[mid], skill);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* Checks an agent for the request: *reason -1 when available, else the
 * first reason in the order skill, absent, full, off shift (*skill the
 * missing one). */
static int check_agent(svcq_ctx *ctx, svcq__agent *ag, const svcq_assign_request *req, int32_t *reason,
                       const char **skill)
{
    *skill = NULL;
    for (uint32_t i = 0; i < req->skill_count; i++) {
        if (!has_skill(ag, req->skills[i])) {
            *reason = SVCQ_SKIP_SKILL;
            *skill = req->skills[i];
            return SVCQ_OK;
        }
    }
    if (req->at < ag->absent_until) {
        *reason = SVCQ_SKIP_ABSENT;
        return SVCQ_OK;
    }
    if (ag->conf.capacity && ag->load >= (uint64_t)ag->conf.capacity) {
        *reason = SVCQ_SKIP_FULL;
        return SVCQ_OK;
    }
    bool open = false;
    int rc = on_shift(ctx, ag, req->at, &open);
    if (rc)
        return rc;
    *reason = open ? -1 : SVCQ_SKIP_OFF_SHIFT;
    return SVCQ_OK;
}

static int add_skip(svcq_assignment *d, const svcq__agent *ag, int32_t reason, const char *skill)
{
    if (d->nskips == d->skips_cap) {
        size_t cap = d->skips_cap ? d->skips_cap * 2 : 8;
        svcq__skip *s = svcq__reallocarray(d->ctx, d->skips, cap, sizeof(*s));
        if (!s)
            return svcq__enomem(d->ctx);
        d->skips = s;
        d->skips_cap = cap;
    }
    svcq__skip *s = &d->skips[d->nskips];
    int rc = keep(d, ag->id, &s->agent_off);
    if (!rc)
        rc = keep(d, skill, &s->detail_off);
    if (rc)
        return rc;
    s->reason = reason;
    d->nskips++;
    return SVCQ_OK;
}

/* ---- deciding -------------------------------------------------------------------- */

static int check_request(svcq_ctx *ctx, const svcq_assign_request *req, bool need_item)
{
    if (req->version < 1 || req->version > SVCQ_ASSIGN_REQUEST_VERSION)
        return svcq__error(ctx, SVCQ_EVERSION, "assign request: version %u (this library knows 1 to %d)",
                           req->version, SVCQ_ASSIGN_REQUEST_VERSION);
    if (!svcq__all_zero(req->reserved, sizeof(req->reserved)))
        return svcq__error(ctx, SVCQ_EINVAL, "assign request: reserved fields must be zero");
    int rc;
    if ((need_item || req->item_id) && (rc = svcq__tier_check_id(ctx, "assign request: item id", req->item_id)))
        return rc;
    if (req->client_id && (rc = svcq__tier_check_id(ctx, "assign request: client id", req->client_id)))
        return rc;
    if (req->tier < 0 || req->tier >= SVCQ_TIER_MAX_LEVELS)
        return svcq__error(ctx, SVCQ_EINVAL, "assign request %s: tier %d (0 to %d)",
                           req->item_id ? req->item_id : "", req->tier, SVCQ_TIER_MAX_LEVELS - 1);
    if (req->strategy != -1 && !svcq_assign_strategy_name(req->strategy))
        return svcq__error(ctx, SVCQ_EINVAL, "assign request %s: unknown strategy %d",
                           req->item_id ? req->item_id : "", req->strategy);
    if (req->skill_count > SVCQ_TIER_MAX_ITEMS)
        return svcq__error(ctx, SVCQ_ELIMIT, "assign request: %u skills (at most %d)", req->skill_count,
                           SVCQ_TIER_MAX_ITEMS);
    if (req->skill_count && !req->skills)
        return svcq__error(ctx, SVCQ_EINVAL, "assign request: %u skills but a NULL skills array", req->skill_count);
    for (uint32_t i = 0; i < req->skill_count; i++)
        if ((rc = svcq__tier_check_label(ctx, "assign request: skill", req->skills[i], SVCQ__TIER_NAME_MAX)))
            return rc;
    svcq_time min, max;
    svcq_calendar_range(&min, &max);
    if (req->at < min || req->at > max)
        return svcq__error(ctx, SVCQ_ERANGE, "assign request: instant %lld outside the calendar range",
                           (long long)req->at);
    return SVCQ_OK;
}

/* Picks among the team's members by strategy (not the named agent). */
static int pick_in_team(svcq_assignment *d, svcq_assigner *a, svcq__team *t, int32_t strategy,
                        const svcq_assign_request *req, svcq__agent **chosen)
{
    svcq_ctx *ctx = a->ctx;
    size_t n = t->conf.n;
    if (d->avail_cap < n) {
        uint8_t *p = svcq__realloc(ctx, d->avail, n);
        if (!p)
            return svcq__enomem(ctx);
        d->avail = p;
        d->avail_cap = n;
    }
    *chosen = NULL;
    d->pos = SVCQ__NONE;
    int rc = SVCQ_OK;
    if (strategy == SVCQ_ASSIGN_ROUND_ROBIN) {
        /* The first available member from the cursor on, wrapping. */
        for (size_t k = 0; k < n && !rc; k++) {
            size_t i = (t->conf.rr + k) % n;
            svcq__agent *ag = t->conf.members[i];
            int32_t reason;
            const char *skill;
            rc = check_agent(ctx, ag, req, &reason, &skill);
            if (rc)
                break;
            if (reason < 0) {
                d->pos = i;
                *chosen = ag;
                break;
            }
            rc = add_skip(d, ag, reason, skill);
        }
        return rc;
    }
    /* The others look at every member, in id order. */
    int64_t best_w = 0;
    d->total = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        svcq__agent *ag = t->conf.members[i];
        int32_t reason;
        const char *skill;
        rc = check_agent(ctx, ag, req, &reason, &skill);
        if (rc)
            break;
        d->avail[i] = reason < 0;
        if (reason >= 0) {
            rc = add_skip(d, ag, reason, skill);
            continue;
        }
        if (strategy == SVCQ_ASSIGN_WEIGHTED_ROUND_ROBIN) {
            /* Smooth weighted round-robin (nginx): every available member
             * gains its weight, the largest wins (the first in id order on
             * a tie) and gives back the total. */
            int64_t w = t->conf.cw[i] + ag->conf.weight;
            d->total += ag->conf.weight;
            if (!*chosen || w > best_w) {
                best_w = w;
                *chosen = ag;
                d->pos = i;
            }
        } else if (!*chosen || ag->load < (*chosen)->load) {
            /* Least loaded (dedicated, expert, pool, named fallback). */
            *chosen = ag;
            d->pos = i;
        }
    }
    return rc;
}

int svcq__assign_decide(svcq_assignment *d, svcq_assigner *a, const svcq_assign_request *req,
                        svcq__agent **chosen, svcq__team **team_out)
{
    svcq_ctx *ctx = a->ctx;
    int32_t strategy = req->strategy;
    svcq__team *t = NULL;
    const svcq__route *route = &a->routes[req->tier];
    if (strategy < 0)
        strategy = route->strategy;
    if (req->team_id) {
        t = svcq__assigner_team(a, req->team_id);
        if (!t)
            return svcq__error(ctx, SVCQ_ENOTFOUND, "assign request %s: no team \"%s\"",
                               req->item_id ? req->item_id : "", req->team_id);
    } else {
        t = route->team;
    }
    if (strategy < 0 || !t)
        return svcq__error(ctx, SVCQ_EINVAL,
                           "assign request %s: tier %d has no route (svcq_assigner_set_route) and the request "
                           "names no %s",
                           req->item_id ? req->item_id : "", req->tier, strategy < 0 ? "strategy" : "team");
    /* Start the decision afresh. */
    d->filled = true;
    d->found = false;
    d->fallback = false;
    d->named_new = false;
    d->named_reason = -1;
    d->strategy = strategy;
    d->tier = req->tier;
    d->at = req->at;
    d->nskips = 0;
    d->pos = SVCQ__NONE;
    d->agent_off = d->named_off = SVCQ__NONE;
    svcq__buf_truncate(&d->text, 0);
    int rc = keep(d, req->item_id, &d->item_off);
    if (!rc)
        rc = keep(d, req->client_id, &d->client_off);
    if (!rc)
        rc = keep(d, t->id, &d->team_off);
    *chosen = NULL;
    if (!rc && strategy == SVCQ_ASSIGN_NAMED_AGENT && req->client_id) {
        const svcq__named *n = svcq__map_get(&a->named, req->client_id, strlen(req->client_id));
        if (n) {
            const char *skill;
            rc = keep(d, n->agent->id, &d->named_off);
            if (!rc)
                rc = check_agent(ctx, n->agent, req, &d->named_reason, &skill);
            if (!rc && d->named_reason < 0) {
                *chosen = n->agent;
                d->team_off = SVCQ__NONE;
            } else if (!rc) {
                rc = add_skip(d, n->agent, d->named_reason, skill);
                d->fallback = true;
            }
        } else {
            d->named_new = true;
        }
    }
    if (!rc && !*chosen)
        rc = pick_in_team(d, a, t, strategy, req, chosen);
    if (!rc && d->named_new && !*chosen)
        d->named_new = false;
    if (!rc && *chosen) {
        d->found = true;
        d->agent_load = (*chosen)->load;
        rc = keep(d, (*chosen)->id, &d->agent_off);
    }
    if (rc) {
        d->filled = false;
        return rc;
    }
    *team_out = t;
    if (!*chosen)
        return svcq__error(ctx, SVCQ_ENOTFOUND, "item %s (tier %d): no agent of team %s is available (%zu skipped)",
                           req->item_id ? req->item_id : "", req->tier, t->id, d->nskips);
    return SVCQ_OK;
}

static int check_args(svcq_assignment *d, svcq_assigner *a, const svcq_assign_request *req, const char *fn,
                      bool need_item)
{
    if (!d || !a || !req)
        return svcq__error(a ? a->ctx : NULL, SVCQ_EINVAL, "%s: NULL %s", fn,
                           !d ? "decision" : !a ? "assigner" : "request");
    if (d->ctx != a->ctx)
        return svcq__error(a->ctx, SVCQ_EINVAL, "%s: the decision belongs to another context", fn);
    return check_request(a->ctx, req, need_item);
}

int svcq_assigner_preview(svcq_assignment *d, svcq_assigner *a, const svcq_assign_request *req)
{
    int rc = check_args(d, a, req, "svcq_assigner_preview", false);
    if (rc)
        return rc;
    svcq__agent *chosen;
    svcq__team *t;
    return svcq__assign_decide(d, a, req, &chosen, &t);
}

/* ---- assign and release --------------------------------------------------------- */

void svcq__work_revert(svcq_assigner *a, svcq__change *c)
{
    svcq__item *it = c->item;
    if (c->kind == SVCQ__CH_ASSIGN) {
        (void)svcq__map_remove(&a->items, it->id, strlen(it->id));
        it->agent->load--;
        c->free_item = true;
        if (c->team) {
            c->team->conf.rr = c->old_rr;
            if (c->old_cw)
                memcpy(c->team->conf.cw, c->old_cw, c->team->conf.n * sizeof(*c->old_cw));
        }
        if (c->named)
            svcq__named_revert(a, c);
    } else {
        (void)svcq__map_put(&a->items, it->id, strlen(it->id), it, NULL);
        it->agent->load++;
        c->free_item = false;
    }
}

int svcq_assigner_assign(svcq_assignment *d, svcq_assigner *a, const svcq_assign_request *req)
{
    int rc = check_args(d, a, req, "svcq_assigner_assign", true);
    if (rc)
        return rc;
    svcq_ctx *ctx = a->ctx;
    if (svcq__map_get(&a->items, req->item_id, strlen(req->item_id)))
        return svcq__error(ctx, SVCQ_EEXIST, "item %s is open already (agent %s); release it first", req->item_id,
                           svcq_assigner_item_agent(a, req->item_id));
    svcq__agent *ag;
    svcq__team *t;
    rc = svcq__assign_decide(d, a, req, &ag, &t);
    if (rc)
        return rc;
    /* Everything that can fail before the change. */
    svcq__item *it = svcq__calloc(ctx, 1, sizeof(*it));
    if (!it)
        return svcq__enomem(ctx);
    rc = svcq__strdup(ctx, "item id", req->item_id, &it->id);
    if (!rc && svcq__map_reserve(&a->items, a->items.count + 1))
        rc = svcq__enomem(ctx);
    svcq__named *named = NULL;
    bool named_added = false;
    if (!rc && d->named_new) {
        rc = svcq__named_prepare(a, req->client_id, true, &named);
        named_added = rc == 1;
        rc = rc < 0 ? rc : SVCQ_OK;
    }
    svcq__change_scope s;
    svcq__change local, *c = NULL;
    s.scoped = false;
    if (!rc)
        rc = svcq__change_begin(a, &s);
    if (!rc)
        rc = svcq__change_new(a, &s, &local, &c);
    bool wrr = d->pos != SVCQ__NONE && d->strategy == SVCQ_ASSIGN_WEIGHTED_ROUND_ROBIN;
    if (!rc && s.record && wrr) {
        c->old_cw = svcq__malloc(ctx, t->conf.n * sizeof(*c->old_cw));
        if (!c->old_cw)
            rc = svcq__enomem(ctx);
        else
            memcpy(c->old_cw, t->conf.cw, t->conf.n * sizeof(*c->old_cw));
    }
    if (rc) {
        if (c)
            svcq__change_release(ctx, c, 0);
        if (named_added) {
            svcq__free(ctx, named->client);
            svcq__free(ctx, named);
        }
        svcq__free(ctx, it->id);
        svcq__free(ctx, it);
        d->filled = false;
        return svcq__change_end(a, &s, rc);
    }
    /* The change: nothing below fails. */
    c->kind = SVCQ__CH_ASSIGN;
    c->item = it;
    it->agent = ag;
    (void)svcq__map_put(&a->items, it->id, strlen(it->id), it, NULL);
    ag->load++;
    if (d->pos != SVCQ__NONE) {
        c->team = t;
        c->old_rr = t->conf.rr;
        if (d->strategy == SVCQ_ASSIGN_ROUND_ROBIN) {
            t->conf.rr = (d->pos + 1) % t->conf.n;
        } else if (wrr) {
            for (size_t i = 0; i < t->conf.n; i++)
                if (d->avail[i])
                    t->conf.cw[i] += t->conf.members[i]->conf.weight;
            t->conf.cw[d->pos] -= d->total;
        }
    }
    if (named_added) {
        c->named = named;
        c->named_added = true;
        svcq__named_apply(a, c, ag);
    }
    svcq__change_done(a, &s, c);
    rc = svcq__assigner_write(a, NULL, NULL, SVCQ__WRITE_ASSIGNER);
    rc = svcq__change_end(a, &s, rc);
    if (rc)
        d->filled = false;
    return rc;
}

int svcq_assigner_release(svcq_assigner *a, const char *item_id)
{
    if (!a || !item_id)
        return svcq__error(a ? a->ctx : NULL, SVCQ_EINVAL, "svcq_assigner_release: NULL argument");
    svcq__item *it = svcq__map_get(&a->items, item_id, strlen(item_id));
    if (!it)
        return svcq__error(a->ctx, SVCQ_ENOTFOUND, "item %s is not open: nothing to release", item_id);
    svcq__change_scope s;
    svcq__change local, *c = NULL;
    int rc = svcq__change_begin(a, &s);
    if (!rc)
        rc = svcq__change_new(a, &s, &local, &c);
    if (rc)
        return svcq__change_end(a, &s, rc);
    c->kind = SVCQ__CH_RELEASE;
    c->item = it;
    c->free_item = true;
    (void)svcq__map_remove(&a->items, it->id, strlen(it->id));
    it->agent->load--;
    svcq__change_done(a, &s, c);
    rc = svcq__assigner_write(a, NULL, NULL, SVCQ__WRITE_ASSIGNER);
    return svcq__change_end(a, &s, rc);
}

/* ---- explanation ------------------------------------------------------------------ */

/* "2026-03-03T09:00:00Z" */
static void format_utc(char out[48], svcq_time t)
{
    int64_t days = svcq__floor_div(t, 86400), secs = svcq__floor_mod(t, 86400);
    int64_t y;
    int32_t m, dd;
    svcq__civil_from_days(days, &y, &m, &dd);
    snprintf(out, 48, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m, dd, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60));
}

static const char *const skip_text[] = { "absent", "off shift", "full", "lacks skill" };

static const char *const strategy_text[] = { "least load in the dedicated team", "least load in the expert team",
                                             "least load in the team", "round-robin", "weighted round-robin",
                                             "least load" };

int svcq_assignment_explain(const svcq_assignment *d, const svcq_writer *writer)
{
    if (!d || !writer)
        return svcq__error(d ? d->ctx : NULL, SVCQ_EINVAL, "svcq_assignment_explain: NULL argument");
    svcq_ctx *ctx = d->ctx;
    if (!d->filled)
        return svcq_writer_write(writer, "no decision\n", 12);
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    char when[48];
    format_utc(when, d->at);
    const char *item = str_at(d, d->item_off), *client = str_at(d, d->client_off);
    int rc = svcq__buf_printf(&b, "item %s (%s%s%stier %d, %s): %s", item ? item : "(preview)",
                              client ? "client " : "", client ? client : "", client ? ", " : "", d->tier, when,
                              svcq_assign_strategy_name(d->strategy));
    size_t first = 0;
    if (!rc && d->named_off != SVCQ__NONE) {
        if (d->fallback) {
            rc = svcq__buf_printf(&b, "; named agent %s is %s%s%s; fell back to team %s", str_at(d, d->named_off),
                                  skip_text[d->skips[0].reason], d->skips[0].detail_off != SVCQ__NONE ? " " : "",
                                  d->skips[0].detail_off != SVCQ__NONE ? str_at(d, d->skips[0].detail_off) : "",
                                  str_at(d, d->team_off));
            first = 1;
        } else {
            rc = svcq__buf_printf(&b, "; named agent %s is available", str_at(d, d->named_off));
        }
    } else if (!rc && d->strategy == SVCQ_ASSIGN_NAMED_AGENT) {
        rc = svcq__buf_printf(&b, "; %s; team %s", client ? "the client has no named agent yet" : "no client given",
                              str_at(d, d->team_off));
    } else if (!rc) {
        rc = svcq__buf_printf(&b, "; team %s", str_at(d, d->team_off));
    }
    if (!rc && d->team_off != SVCQ__NONE)
        rc = svcq__buf_printf(&b, " by %s", strategy_text[d->strategy]);
    for (size_t i = first; i < d->nskips && !rc; i++) {
        const svcq__skip *s = &d->skips[i];
        rc = svcq__buf_printf(&b, "%s%s %s%s%s", i == first ? "; skipped " : ", ", str_at(d, s->agent_off),
                              skip_text[s->reason], s->detail_off != SVCQ__NONE ? " " : "",
                              s->detail_off != SVCQ__NONE ? str_at(d, s->detail_off) : "");
    }
    if (!rc && d->found)
        rc = svcq__buf_printf(&b, "; chose %s (%llu open item%s before)%s\n", str_at(d, d->agent_off),
                              (unsigned long long)d->agent_load, d->agent_load == 1 ? "" : "s",
                              d->named_new ? ", now the client's named agent" : "");
    else if (!rc)
        rc = svcq__buf_puts(&b, "; no agent available\n");
    if (rc)
        rc = svcq__enomem(ctx);
    else
        rc = svcq_writer_write(writer, b.data, b.len);
    svcq__buf_free(&b);
    return rc;
}

static int str_or_null(svcq__jw *w, const char *s)
{
    return s ? svcq__jw_string(w, s) : svcq__jw_null(w);
}

int svcq_assignment_export_json(const svcq_assignment *d, const svcq_writer *writer, uint32_t flags)
{
    if (!d || !writer)
        return svcq__error(d ? d->ctx : NULL, SVCQ_EINVAL, "svcq_assignment_export_json: NULL argument");
    svcq_ctx *ctx = d->ctx;
    if (flags & ~SVCQ_TIER_JSON_PRETTY)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_assignment_export_json: unknown flags 0x%x", flags);
    svcq__jw *w = svcq__malloc(ctx, sizeof(*w));
    if (!w)
        return svcq__enomem(ctx);
    svcq__jw_init_writer(w, ctx, writer);
    (void)svcq__jw_set_pretty(w, (flags & SVCQ_TIER_JSON_PRETTY) != 0);
    int rc = svcq__jw_object_begin(w);
    rc = rc ? rc : svcq__jw_key(w, "schema");
    rc = rc ? rc : svcq__jw_string(w, "svcq.assignment/1");
    if (d->filled) {
        char when[48];
        format_utc(when, d->at);
        rc = rc ? rc : svcq__jw_key(w, "item");
        rc = rc ? rc : str_or_null(w, str_at(d, d->item_off));
        rc = rc ? rc : svcq__jw_key(w, "client");
        rc = rc ? rc : str_or_null(w, str_at(d, d->client_off));
        rc = rc ? rc : svcq__jw_key(w, "tier");
        rc = rc ? rc : svcq__jw_int(w, d->tier);
        rc = rc ? rc : svcq__jw_key(w, "at");
        rc = rc ? rc : svcq__jw_string(w, when);
        rc = rc ? rc : svcq__jw_key(w, "strategy");
        rc = rc ? rc : svcq__jw_string(w, svcq_assign_strategy_name(d->strategy));
        rc = rc ? rc : svcq__jw_key(w, "team");
        rc = rc ? rc : str_or_null(w, str_at(d, d->team_off));
        rc = rc ? rc : svcq__jw_key(w, "named_agent");
        rc = rc ? rc : str_or_null(w, str_at(d, d->named_off));
        rc = rc ? rc : svcq__jw_key(w, "fallback");
        rc = rc ? rc : svcq__jw_bool(w, d->fallback);
        rc = rc ? rc : svcq__jw_key(w, "skipped");
        rc = rc ? rc : svcq__jw_array_begin(w);
        for (size_t i = 0; i < d->nskips && !rc; i++) {
            const svcq__skip *s = &d->skips[i];
            rc = svcq__jw_object_begin(w);
            rc = rc ? rc : svcq__jw_key(w, "agent");
            rc = rc ? rc : svcq__jw_string(w, str_at(d, s->agent_off));
            rc = rc ? rc : svcq__jw_key(w, "reason");
            rc = rc ? rc : svcq__jw_string(w, svcq_assign_skip_name(s->reason));
            if (s->detail_off != SVCQ__NONE) {
                rc = rc ? rc : svcq__jw_key(w, "skill");
                rc = rc ? rc : svcq__jw_string(w, str_at(d, s->detail_off));
            }
            rc = rc ? rc : svcq__jw_object_end(w);
        }
        rc = rc ? rc : svcq__jw_array_end(w);
        rc = rc ? rc : svcq__jw_key(w, "agent");
        rc = rc ? rc : str_or_null(w, d->found ? str_at(d, d->agent_off) : NULL);
        if (d->found) {
            rc = rc ? rc : svcq__jw_key(w, "agent_open_items");
            rc = rc ? rc : svcq__jw_int(w, (int64_t)d->agent_load);
            rc = rc ? rc : svcq__jw_key(w, "named_now");
            rc = rc ? rc : svcq__jw_bool(w, d->named_new);
        }
    }
    rc = rc ? rc : svcq__jw_object_end(w);
    int end = svcq__jw_finish(w);
    svcq__free(ctx, w);
    return rc ? rc : end;
}

int svcq_assign_request_init(svcq_assign_request *req, uint32_t version)
{
    int rc = svcq__table_init(req, sizeof(*req), version, SVCQ_ASSIGN_REQUEST_VERSION);
    if (!rc)
        req->strategy = -1;
    return rc;
}
