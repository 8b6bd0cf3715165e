/* Clients: the tier history, reclassification with hysteresis, overrides
 * with expiry, written through to the record (kind "client").
 *
 * Every mutating call builds the client's next state as a copy, encodes
 * it, writes it with compare-and-swap inside a store scope and only then
 * swaps it in, with an undo entry (owned by the client) that swaps the old
 * state back if the transaction rolls back. A failure anywhere leaves the
 * handle as it was. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "store/record.h"
#include "store/store.h"
#include "tier/tier_internal.h"

#define NEVER SVCQ_SLA_NEVER
#define CFMT "client %s"

static char *dup(svcq_ctx *ctx, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = svcq__malloc(ctx, n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static void entry_free(svcq_ctx *ctx, svcq__tier_entry *e)
{
    svcq__free(ctx, e->tier);
    svcq__free(ctx, e->reason);
    svcq__free(ctx, e->actor);
    svcq__free(ctx, e->scheme);
}

void svcq__client_state_free(svcq_ctx *ctx, svcq__client_state *st)
{
    if (!st)
        return;
    for (uint32_t i = 0; i < st->nhist; i++)
        entry_free(ctx, &st->hist[i]);
    svcq__free(ctx, st->hist);
    svcq__free(ctx, st->classified);
    svcq__free(ctx, st);
}

static svcq__client_state *state_new(svcq_ctx *ctx, uint32_t cap)
{
    svcq__client_state *st = svcq__calloc(ctx, 1, sizeof(*st));
    if (!st)
        return NULL;
    st->override_expires = NEVER;
    if (cap && !(st->hist = svcq__calloc(ctx, cap, sizeof(*st->hist)))) {
        svcq__free(ctx, st);
        return NULL;
    }
    st->cap = cap;
    return st;
}

/* Appends an entry (strings copied); the state has room. */
static int push_entry(svcq_ctx *ctx, svcq__client_state *st, svcq_time from, svcq_time to, const char *tier,
                      uint32_t rank, int32_t kind, const char *reason, const char *actor, const char *scheme,
                      uint32_t scheme_version)
{
    svcq__tier_entry *e = &st->hist[st->nhist];
    *e = (svcq__tier_entry){ from, to, dup(ctx, tier), rank, kind, dup(ctx, reason), dup(ctx, actor),
                             dup(ctx, scheme), scheme_version };
    if (!e->tier || !e->reason || !e->actor || !e->scheme) {
        entry_free(ctx, e);
        return svcq__enomem(ctx);
    }
    st->nhist++;
    return SVCQ_OK;
}

/* A deep copy of st with room for extra more entries. */
static svcq__client_state *state_copy(svcq_ctx *ctx, const svcq__client_state *st, uint32_t extra)
{
    svcq__client_state *n = state_new(ctx, st->nhist + extra);
    if (!n)
        return NULL;
    n->owner = st->owner;
    n->has_classified = st->has_classified;
    n->classified_rank = st->classified_rank;
    n->classified_score = st->classified_score;
    n->below = st->below;
    n->has_override = st->has_override;
    n->override_expires = st->override_expires;
    if (st->classified && !(n->classified = dup(ctx, st->classified)))
        goto fail;
    for (uint32_t i = 0; i < st->nhist; i++) {
        const svcq__tier_entry *e = &st->hist[i];
        if (push_entry(ctx, n, e->from, e->to, e->tier, e->rank, e->kind, e->reason, e->actor, e->scheme,
                       e->scheme_version))
            goto fail;
    }
    return n;
fail:
    svcq__client_state_free(ctx, n);
    return NULL;
}

int svcq_client_new(svcq_client **out, svcq_ctx *ctx, const char *id, const char *name)
{
    if (out)
        *out = NULL;
    if (!ctx)
        return SVCQ_EINVAL;
    if (!out)
        return svcq__error(ctx, SVCQ_EINVAL, "client: no output pointer");
    int rc = svcq__tier_check_text(ctx, "client id", id, SVCQ__CLIENT_ID_MAX);
    if (rc == SVCQ_OK && !svcq__store_id_valid(id, strlen(id)))
        rc = svcq__error(ctx, SVCQ_EINVAL, "client id \"%s\" is not a valid store id", id);
    if (rc == SVCQ_OK && name)
        rc = svcq__tier_check_text(ctx, "client name", name, SVCQ__CLIENT_NAME_MAX);
    if (rc)
        return rc;
    svcq_client *c = svcq__calloc(ctx, 1, sizeof(*c));
    if (!c)
        return svcq__enomem(ctx);
    c->ctx = ctx;
    c->id = dup(ctx, id);
    c->name = dup(ctx, name ? name : id);
    c->st = state_new(ctx, 0);
    if (!c->id || !c->name || !c->st) {
        svcq_client_free(c);
        return svcq__enomem(ctx);
    }
    c->st->owner = c;
    *out = c;
    return SVCQ_OK;
}

void svcq_client_free(svcq_client *client)
{
    if (!client)
        return;
    svcq_ctx *ctx = client->ctx;
    svcq__undo_detach(ctx, client);
    svcq__client_state_free(ctx, client->st);
    svcq__free(ctx, client->id);
    svcq__free(ctx, client->name);
    svcq__free(ctx, client);
}

const char *svcq_client_id(const svcq_client *client)
{
    return client ? client->id : "";
}

const char *svcq_client_name(const svcq_client *client)
{
    return client ? client->name : "";
}

uint64_t svcq_client_revision(const svcq_client *client)
{
    return client ? client->revision : 0;
}

const char *svcq_client_classified_tier(const svcq_client *client)
{
    return client && client->st->has_classified ? client->st->classified : NULL;
}

uint32_t svcq_client_periods_below(const svcq_client *client)
{
    return client ? client->st->below : 0;
}

/* ---- write-through --------------------------------------------------------- */

static void undo_state(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    svcq__client_state *old = data;
    svcq_client *c = old->owner;
    svcq__client_state_free(ctx, c->st);
    c->st = old;
}

static void release_state(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    svcq__client_state_free(ctx, data);
}

/* Writes next as the client's record and installs it; takes next over
 * (freed on failure). */
static int commit(svcq_client *c, svcq__client_state *next)
{
    svcq_ctx *ctx = c->ctx;
    svcq__buf json;
    svcq__buf_init(&json, ctx);
    svcq__jw w;
    svcq__jw_init_buf(&w, ctx, &json);
    int rc = svcq__client_encode(c, next, &w);
    svcq__tx tx;
    tx.began = false;
    if (rc == SVCQ_OK)
        rc = svcq__tx_begin(ctx, &tx);
    if (rc == SVCQ_OK)
        rc = svcq__undo_reserve(ctx, 1);
    if (rc == SVCQ_OK)
        rc = svcq__record_put(ctx, c, SVCQ__CLIENT_KIND, c->id, &c->revision, &json);
    if (rc == SVCQ_OK) {
        svcq__client_state *old = c->st;
        (void)svcq__undo_push_for(ctx, c, undo_state, release_state, old, 0);
        c->st = next;
        next = NULL;
    }
    svcq__client_state_free(ctx, next);
    svcq__buf_free(&json);
    return svcq__tx_end(ctx, &tx, rc);
}

int svcq_client_save(svcq_client *client)
{
    if (!client)
        return SVCQ_EINVAL;
    svcq__client_state *next = state_copy(client->ctx, client->st, 0);
    if (!next)
        return svcq__enomem(client->ctx);
    return commit(client, next);
}

/* ---- history ---------------------------------------------------------------- */

static int check_when(const svcq_client *c, const svcq__client_state *st, svcq_time at, const char *what)
{
    svcq_time lo, hi;
    svcq_calendar_range(&lo, &hi);
    if (at == 0 || at == -1)
        return svcq__error(c->ctx, SVCQ_EINVAL, CFMT ": %s at %lld looks like an unset time (0 and -1 are refused)",
                           c->id, what, (long long)at);
    if (at < lo || at >= hi)
        return svcq__error(c->ctx, SVCQ_ERANGE, CFMT ": %s at %lld is outside the years 1900 to 9999", c->id, what,
                           (long long)at);
    if (st->nhist && at < st->hist[st->nhist - 1].from)
        return svcq__error(c->ctx, SVCQ_ERANGE, CFMT ": %s at %lld is before its last tier change (%lld)", c->id,
                           what, (long long)at, (long long)st->hist[st->nhist - 1].from);
    return SVCQ_OK;
}

/* Starts a new entry at `at` in st (which has room): the open entry ends at
 * at, or is replaced when it started at the same instant. */
static int change_tier(svcq_ctx *ctx, svcq__client_state *st, svcq_time at, const char *tier, uint32_t rank,
                       int32_t kind, const char *reason, const char *actor, const char *scheme, uint32_t version)
{
    if (st->nhist && st->hist[st->nhist - 1].from == at) {
        entry_free(ctx, &st->hist[--st->nhist]);
    } else if (st->nhist) {
        st->hist[st->nhist - 1].to = at;
    }
    return push_entry(ctx, st, at, NEVER, tier, rank, kind, reason, actor, scheme, version);
}

/* An override that expired at or before `at` ends in st at its expiry. */
static int settle_expiry(svcq_ctx *ctx, svcq__client_state *st, svcq_time at)
{
    if (!st->has_override || st->override_expires > at)
        return SVCQ_OK;
    const svcq__tier_entry *last = &st->hist[st->nhist - 1];
    char scheme[SVCQ__TIER_SCHEME_NAME_MAX + 1];
    snprintf(scheme, sizeof(scheme), "%s", last->scheme);
    uint32_t version = last->scheme_version;
    st->has_override = false;
    svcq_time when = st->override_expires;
    st->override_expires = NEVER;
    return change_tier(ctx, st, when, st->classified, st->classified_rank, SVCQ_TIER_CHANGE_EXPIRED,
                       "override expired", "svcq", scheme, version);
}

static int check_scheme(const svcq_client *c, const svcq_tier_scheme *scheme)
{
    if (!scheme)
        return svcq__error(c->ctx, SVCQ_EINVAL, CFMT ": no tier scheme", c->id);
    if (scheme->ctx != c->ctx)
        return svcq__error(c->ctx, SVCQ_EINVAL, CFMT ": tier scheme %s belongs to another context", c->id,
                           scheme->name);
    if (!scheme->finished)
        return svcq__error(c->ctx, SVCQ_ESTATE, CFMT ": tier scheme %s v%u is not finished", c->id, scheme->name,
                           scheme->version);
    return SVCQ_OK;
}

int svcq_client_reclassify(svcq_client *client, const svcq_tier_scheme *scheme, const double *values,
                           uint32_t count, svcq_time at, const char *actor, svcq_tier_result *result)
{
    if (!client)
        return SVCQ_EINVAL;
    svcq_client *c = client;
    svcq_ctx *ctx = c->ctx;
    int rc = check_scheme(c, scheme);
    if (rc)
        return rc;
    if ((rc = svcq__tier_check_text(ctx, "actor", actor, SVCQ__TIER_NAME_MAX)))
        return svcq__error(ctx, rc, CFMT ": reclassify: the actor must be 1 to %d bytes of UTF-8 without control "
                           "characters", c->id, SVCQ__TIER_NAME_MAX);
    if ((rc = check_when(c, c->st, at, "reclassification")))
        return rc;
    if (!values || count != scheme->nfactors)
        return svcq__error(ctx, SVCQ_EINVAL, CFMT ": tier scheme %s v%u has %u factors, %u inputs given", c->id,
                           scheme->name, scheme->version, scheme->nfactors, values ? count : 0);
    uint32_t rank;
    int64_t score;
    double inputs[SVCQ_TIER_MAX_FACTORS];
    if (result && (rc = svcq_tier_classify(result, scheme, values, count)))
        return rc;
    if ((rc = svcq__tier_eval(scheme, values, inputs, NULL, NULL, &rank, &score))) {
        return svcq__error_prefix(ctx, rc, CFMT, c->id);
    }
    const svcq__client_state *st = c->st;
    int cur = -1;
    if (st->has_classified && (cur = svcq__tier_find_tier(scheme, st->classified)) < 0)
        return svcq__error(ctx, SVCQ_EINVAL, CFMT ": its tier %s is not a tier of scheme %s v%u", c->id,
                           st->classified, scheme->name, scheme->version);

    /* The decision. */
    char reason[SVCQ__ERRMSG_SIZE];
    svcq__buf why;
    svcq__buf_init(&why, ctx);
    char sc[32], mn[32];
    svcq__tier_fmt_milli(sc, score);
    bool change = false;
    uint32_t below = 0;
    if (cur < 0 || rank < (uint32_t)cur) {
        change = true;
    } else if (rank > (uint32_t)cur) {
        below = st->below + 1;
        const svcq__tier_tier *T = &scheme->tiers[cur];
        if (scheme->demote_margin_milli && T->has_min && score < T->min_milli - scheme->demote_margin_milli) {
            change = true;
            svcq__tier_fmt_milli(mn, T->min_milli - score);
            snprintf(reason, sizeof(reason), "demoted at once: score %s is %s points under %s's minimum", sc, mn,
                     T->key);
        } else if (below >= scheme->demote_periods) {
            change = true;
            snprintf(reason, sizeof(reason), "demoted after %u period%s below %s", below, below == 1 ? "" : "s",
                     T->key);
        }
        if (change)
            below = 0;
    }
    if (change && (cur < 0 || rank < (uint32_t)cur)) {
        if (svcq__tier_rule_text(scheme, rank, &why)) {
            svcq__buf_free(&why);
            return svcq__enomem(ctx);
        }
        snprintf(reason, sizeof(reason), "%s: score %s; rule %s: %s", cur < 0 ? "classified" : "promoted", sc,
                 scheme->tiers[rank].key, why.data);
    }
    svcq__buf_free(&why);

    svcq__client_state *next = state_copy(ctx, st, 2);
    if (!next)
        return svcq__enomem(ctx);
    rc = settle_expiry(ctx, next, at);
    next->below = below;
    next->classified_score = score;
    if (rc == SVCQ_OK && change) {
        char *k = dup(ctx, scheme->tiers[rank].key);
        if (!k) {
            rc = svcq__enomem(ctx);
        } else {
            svcq__free(ctx, next->classified);
            next->classified = k;
            next->classified_rank = rank;
            next->has_classified = true;
            if (!next->has_override)
                rc = change_tier(ctx, next, at, k, rank, SVCQ_TIER_CHANGE_CLASSIFIED, reason, actor, scheme->name,
                                 scheme->version);
        }
    }
    if (rc) {
        svcq__client_state_free(ctx, next);
        return rc;
    }
    return commit(c, next);
}

int svcq_client_override(svcq_client *client, const svcq_tier_scheme *scheme, const char *tier, svcq_time at,
                         svcq_time expires, const char *reason, const char *actor)
{
    if (!client)
        return SVCQ_EINVAL;
    svcq_client *c = client;
    svcq_ctx *ctx = c->ctx;
    int rc = check_scheme(c, scheme);
    if (rc)
        return rc;
    if ((rc = svcq__tier_check_text(ctx, "override reason", reason, SVCQ__CLIENT_REASON_MAX)) ||
        (rc = svcq__tier_check_text(ctx, "override actor", actor, SVCQ__TIER_NAME_MAX)))
        return svcq__error(ctx, rc, CFMT ": override: the %s must be 1 to %d bytes of UTF-8 without control "
                           "characters", c->id, strstr(svcq_ctx_errmsg(ctx), "reason") ? "reason" : "actor",
                           strstr(svcq_ctx_errmsg(ctx), "reason") ? SVCQ__CLIENT_REASON_MAX : SVCQ__TIER_NAME_MAX);
    int r = svcq__tier_find_tier(scheme, tier);
    if (r < 0)
        return svcq__error(ctx, tier ? SVCQ_ENOTFOUND : SVCQ_EINVAL, CFMT ": override: scheme %s v%u has no tier %s",
                           c->id, scheme->name, scheme->version, tier ? tier : "(NULL)");
    if (!c->st->has_classified)
        return svcq__error(ctx, SVCQ_ESTATE, CFMT ": override: the client was never classified, so there is no "
                           "tier to return to", c->id);
    if ((rc = check_when(c, c->st, at, "override")))
        return rc;
    if (expires <= at)
        return svcq__error(ctx, SVCQ_ERANGE, CFMT ": override: expiry %lld is not after its start %lld", c->id,
                           (long long)expires, (long long)at);
    svcq__client_state *next = state_copy(ctx, c->st, 2);
    if (!next)
        return svcq__enomem(ctx);
    rc = settle_expiry(ctx, next, at);
    if (rc == SVCQ_OK)
        rc = change_tier(ctx, next, at, tier, (uint32_t)r, SVCQ_TIER_CHANGE_OVERRIDE, reason, actor, scheme->name,
                         scheme->version);
    if (rc) {
        svcq__client_state_free(ctx, next);
        return rc;
    }
    next->has_override = true;
    next->override_expires = expires;
    return commit(c, next);
}

int svcq_client_clear_override(svcq_client *client, svcq_time at, const char *actor)
{
    if (!client)
        return SVCQ_EINVAL;
    svcq_client *c = client;
    svcq_ctx *ctx = c->ctx;
    int rc = svcq__tier_check_text(ctx, "actor", actor, SVCQ__TIER_NAME_MAX);
    if (rc)
        return svcq__error(ctx, rc, CFMT ": clear override: the actor must be 1 to %d bytes of UTF-8 without "
                           "control characters", c->id, SVCQ__TIER_NAME_MAX);
    if ((rc = check_when(c, c->st, at, "clearing the override")))
        return rc;
    if (!c->st->has_override || c->st->override_expires <= at)
        return svcq__error(ctx, SVCQ_ESTATE, CFMT ": no override in force at %lld", c->id, (long long)at);
    svcq__client_state *next = state_copy(ctx, c->st, 1);
    if (!next)
        return svcq__enomem(ctx);
    const svcq__tier_entry *last = &c->st->hist[c->st->nhist - 1];
    next->has_override = false;
    next->override_expires = NEVER;
    rc = change_tier(ctx, next, at, next->classified, next->classified_rank, SVCQ_TIER_CHANGE_EXPIRED,
                     "override cleared", actor, last->scheme, last->scheme_version);
    if (rc) {
        svcq__client_state_free(ctx, next);
        return rc;
    }
    return commit(c, next);
}

int svcq_client_tier_at(const char **tier, uint32_t *rank, const svcq_client *client, svcq_time t)
{
    if (!client)
        return SVCQ_EINVAL;
    if (!tier)
        return svcq__error(client->ctx, SVCQ_EINVAL, CFMT ": tier at: no output pointer", client->id);
    const svcq__client_state *st = client->st;
    if (st->nhist == 0 || t < st->hist[0].from)
        return svcq__error(client->ctx, SVCQ_ENOTFOUND, CFMT ": no tier at %lld (%s)", client->id, (long long)t,
                           st->nhist ? "before its first entry" : "never classified");
    /* Last entry with from <= t. */
    uint32_t lo = 0, hi = st->nhist;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (st->hist[mid].from <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    const svcq__tier_entry *e = &st->hist[lo - 1];
    if (lo == st->nhist && st->has_override && st->override_expires <= t) {
        *tier = st->classified;
        if (rank)
            *rank = st->classified_rank;
        return SVCQ_OK;
    }
    *tier = e->tier;
    if (rank)
        *rank = e->rank;
    return SVCQ_OK;
}

uint32_t svcq_client_history_count(const svcq_client *client)
{
    return client ? client->st->nhist : 0;
}

int svcq_client_history_at(svcq_time *from, svcq_time *to, const char **tier, uint32_t *rank, int32_t *kind,
                           const char **reason, const char **actor, const char **scheme, uint32_t *scheme_version,
                           const svcq_client *client, uint32_t index)
{
    if (!client)
        return SVCQ_EINVAL;
    if (index >= client->st->nhist)
        return svcq__error(client->ctx, SVCQ_ENOTFOUND, CFMT ": no history entry %u (it has %u)", client->id, index,
                           client->st->nhist);
    const svcq__tier_entry *e = &client->st->hist[index];
    if (from)
        *from = e->from;
    if (to)
        *to = e->to;
    if (tier)
        *tier = e->tier;
    if (rank)
        *rank = e->rank;
    if (kind)
        *kind = e->kind;
    if (reason)
        *reason = e->reason;
    if (actor)
        *actor = e->actor;
    if (scheme)
        *scheme = e->scheme;
    if (scheme_version)
        *scheme_version = e->scheme_version;
    return SVCQ_OK;
}

/* ---- JSON ---------------------------------------------------------------- */

int svcq__client_encode(const svcq_client *c, const svcq__client_state *st, svcq__jw *w)
{
    svcq__record_begin(w, SVCQ__CLIENT_KIND, SVCQ__CLIENT_SCHEMA);
    svcq__jw_key(w, "id");
    svcq__jw_string(w, c->id);
    svcq__jw_key(w, "name");
    svcq__jw_string(w, c->name);
    svcq__jw_key(w, "classified");
    if (st->has_classified) {
        svcq__jw_object_begin(w);
        svcq__jw_key(w, "tier");
        svcq__jw_string(w, st->classified);
        svcq__jw_key(w, "rank");
        svcq__jw_int(w, st->classified_rank);
        svcq__jw_key(w, "score_milli");
        svcq__jw_int(w, st->classified_score);
        svcq__jw_key(w, "periods_below");
        svcq__jw_int(w, st->below);
        svcq__jw_object_end(w);
    } else {
        svcq__jw_null(w);
    }
    svcq__jw_key(w, "override");
    if (st->has_override) {
        svcq__jw_object_begin(w);
        svcq__jw_key(w, "expires");
        if (st->override_expires == NEVER)
            svcq__jw_null(w);
        else
            svcq__jw_int(w, st->override_expires);
        svcq__jw_object_end(w);
    } else {
        svcq__jw_null(w);
    }
    svcq__jw_key(w, "history");
    svcq__jw_array_begin(w);
    for (uint32_t i = 0; i < st->nhist; i++) {
        const svcq__tier_entry *e = &st->hist[i];
        svcq__jw_object_begin(w);
        svcq__jw_key(w, "from");
        svcq__jw_int(w, e->from);
        svcq__jw_key(w, "to");
        if (e->to == NEVER)
            svcq__jw_null(w);
        else
            svcq__jw_int(w, e->to);
        svcq__jw_key(w, "tier");
        svcq__jw_string(w, e->tier);
        svcq__jw_key(w, "rank");
        svcq__jw_int(w, e->rank);
        svcq__jw_key(w, "change");
        svcq__jw_string(w, svcq_tier_change_name(e->kind));
        svcq__jw_key(w, "reason");
        svcq__jw_string(w, e->reason);
        svcq__jw_key(w, "actor");
        svcq__jw_string(w, e->actor);
        svcq__jw_key(w, "scheme");
        svcq__jw_string(w, e->scheme);
        svcq__jw_key(w, "scheme_version");
        svcq__jw_int(w, e->scheme_version);
        svcq__jw_object_end(w);
    }
    svcq__jw_array_end(w);
    return svcq__record_end(w);
}

static int bad(svcq_ctx *ctx, int rc, const char *where)
{
    return svcq__error_prefix(ctx, rc == SVCQ_ECORRUPT ? SVCQ_EINVAL : rc, "client JSON: %s", where);
}

static int get_time(svcq_ctx *ctx, const svcq__json *o, const char *key, svcq_time *out)
{
    const svcq__json *v = svcq__json_get(o, key);
    if (!v || svcq__json_typeof(v) == SVCQ__JSON_NULL) {
        *out = NEVER;
        return SVCQ_OK;
    }
    return svcq__json_get_int(ctx, o, key, true, out);
}

int svcq__client_decode(svcq_ctx *ctx, const svcq__json *root, svcq_client **out)
{
    const char *id, *name = NULL;
    const svcq__json *cls = NULL, *ov = NULL, *hist;
    int rc;
    if ((rc = svcq__json_get_string(ctx, root, "id", true, &id, NULL)) ||
        (rc = svcq__json_get_string(ctx, root, "name", false, &name, NULL)) ||
        (rc = svcq__json_get_object(ctx, root, "classified", false, &cls)) ||
        (rc = svcq__json_get_object(ctx, root, "override", false, &ov)) ||
        (rc = svcq__json_get_array(ctx, root, "history", true, &hist)))
        return bad(ctx, rc, "top level");
    svcq_client *c;
    if ((rc = svcq_client_new(&c, ctx, id, name)))
        return rc;
    size_t n = svcq__json_array_size(hist);
    if (n > 1000000) {
        svcq_client_free(c);
        return svcq__error(ctx, SVCQ_ELIMIT, "client %s: %zu history entries (at most 1000000)", id, n);
    }
    svcq__client_state *st = state_new(ctx, (uint32_t)n);
    if (!st) {
        svcq_client_free(c);
        return svcq__enomem(ctx);
    }
    st->owner = c;
    if (cls) {
        const char *tier;
        int64_t rank = 0, score = 0, below = 0;
        if ((rc = svcq__json_get_string(ctx, cls, "tier", true, &tier, NULL)) ||
            (rc = svcq__json_get_int(ctx, cls, "rank", true, &rank)) ||
            (rc = svcq__json_get_int(ctx, cls, "score_milli", false, &score)) ||
            (rc = svcq__json_get_int(ctx, cls, "periods_below", false, &below)))
            rc = bad(ctx, rc, "classified");
        else if (svcq__tier_check_key(ctx, "client JSON: classified", tier))
            rc = SVCQ_EINVAL;
        else if (rank < 0 || rank >= SVCQ_TIER_MAX_TIERS || score < 0 || score > SVCQ__TIER_FULL || below < 0 ||
                 below > 1000000)
            rc = svcq__error(ctx, SVCQ_EINVAL, "client JSON: classified: rank, score_milli or periods_below out of "
                             "range");
        else if (!(st->classified = dup(ctx, tier)))
            rc = svcq__enomem(ctx);
        st->has_classified = true;
        st->classified_rank = (uint32_t)rank;
        st->classified_score = score;
        st->below = (uint32_t)below;
    }
    if (rc == SVCQ_OK && ov) {
        st->has_override = true;
        if ((rc = get_time(ctx, ov, "expires", &st->override_expires)))
            rc = bad(ctx, rc, "override");
    }
    for (size_t i = 0; i < n && rc == SVCQ_OK; i++) {
        const svcq__json *e = svcq__json_array_get(hist, i);
        const char *tier, *change, *reason, *actor, *scheme;
        int64_t from, to, rank, version;
        int32_t kind = 0;
        char where[96];
        snprintf(where, sizeof(where), "history[%zu]", i);
        if ((rc = svcq__json_get_int(ctx, e, "from", true, &from)) || (rc = get_time(ctx, e, "to", &to)) ||
            (rc = svcq__json_get_string(ctx, e, "tier", true, &tier, NULL)) ||
            (rc = svcq__json_get_int(ctx, e, "rank", true, &rank)) ||
            (rc = svcq__json_get_string(ctx, e, "change", true, &change, NULL)) ||
            (rc = svcq__json_get_string(ctx, e, "reason", true, &reason, NULL)) ||
            (rc = svcq__json_get_string(ctx, e, "actor", true, &actor, NULL)) ||
            (rc = svcq__json_get_string(ctx, e, "scheme", true, &scheme, NULL)) ||
            (rc = svcq__json_get_int(ctx, e, "scheme_version", true, &version))) {
            rc = bad(ctx, rc, where);
            break;
        }
        while (svcq_tier_change_name(kind) && strcmp(svcq_tier_change_name(kind), change) != 0)
            kind++;
        svcq_time lo, hi;
        svcq_calendar_range(&lo, &hi);
        bool last = i + 1 == n;
        if (!svcq_tier_change_name(kind))
            rc = svcq__error(ctx, SVCQ_EINVAL, "client JSON: %s: unknown change \"%.40s\"", where, change);
        else if (svcq__tier_check_key(ctx, "client JSON: history tier", tier) ||
                 svcq__tier_check_text(ctx, "client JSON: history reason", reason, SVCQ__CLIENT_REASON_MAX) ||
                 svcq__tier_check_text(ctx, "client JSON: history actor", actor, SVCQ__TIER_NAME_MAX) ||
                 svcq__tier_check_text(ctx, "client JSON: history scheme", scheme, SVCQ__TIER_SCHEME_NAME_MAX))
            rc = bad(ctx, SVCQ_EINVAL, where);
        else if (from < lo || from >= hi || rank < 0 || rank >= SVCQ_TIER_MAX_TIERS || version < 1 ||
                 version > UINT32_MAX)
            rc = svcq__error(ctx, SVCQ_EINVAL, "client JSON: %s: from, rank or scheme_version out of range", where);
        else if (last ? to != NEVER : (to == NEVER || to <= from))
            rc = svcq__error(ctx, SVCQ_EINVAL, "client JSON: %s: %s", where,
                             last ? "the last entry must be open (\"to\": null)" : "\"to\" must be after \"from\"");
        else if (i > 0 && st->hist[i - 1].to != from)
            rc = svcq__error(ctx, SVCQ_EINVAL, "client JSON: %s: starts at %lld, not where the entry before it "
                             "ends (%lld)", where, (long long)from, (long long)st->hist[i - 1].to);
        else
            rc = push_entry(ctx, st, from, to, tier, (uint32_t)rank, kind, reason, actor, scheme, (uint32_t)version);
    }
    if (rc == SVCQ_OK && st->has_override &&
        (!st->nhist || st->hist[st->nhist - 1].kind != SVCQ_TIER_CHANGE_OVERRIDE || !st->has_classified ||
         st->override_expires <= st->hist[st->nhist - 1].from))
        rc = svcq__error(ctx, SVCQ_EINVAL, "client JSON: override: the last history entry must be the override, "
                         "expiring after it starts, over a classified tier");
    if (rc == SVCQ_OK && st->nhist && !st->has_classified)
        rc = svcq__error(ctx, SVCQ_EINVAL, "client JSON: a client with a history needs \"classified\"");
    if (rc) {
        svcq__client_state_free(ctx, st);
        svcq_client_free(c);
        return rc;
    }
    svcq__client_state_free(ctx, c->st);
    c->st = st;
    *out = c;
    return SVCQ_OK;
}

int svcq_client_export_json(const svcq_client *client, const svcq_writer *writer, uint32_t flags)
{
    if (!client)
        return SVCQ_EINVAL;
    if (!writer)
        return svcq__error(client->ctx, SVCQ_EINVAL, CFMT ": export: no writer", client->id);
    if (flags & ~SVCQ_TIER_JSON_PRETTY)
        return svcq__error(client->ctx, SVCQ_EINVAL, CFMT ": export: unknown flags 0x%x", client->id,
                           flags & ~SVCQ_TIER_JSON_PRETTY);
    svcq__jw w;
    svcq__jw_init_writer(&w, client->ctx, writer);
    svcq__jw_set_pretty(&w, flags & SVCQ_TIER_JSON_PRETTY);
    return svcq__client_encode(client, client->st, &w);
}

static int parse_client(svcq_ctx *ctx, const char *text, size_t len, svcq_client **out)
{
    svcq__json_doc *doc;
    int rc = svcq__json_parse(ctx, text, len, NULL, &doc);
    if (rc)
        return rc == SVCQ_ENOMEM ? rc : svcq__error_prefix(ctx, rc, "client JSON");
    uint32_t major;
    rc = svcq__record_check(ctx, svcq__json_root(doc), SVCQ__CLIENT_KIND, SVCQ__CLIENT_SCHEMA, &major);
    if (rc == SVCQ_ECORRUPT)
        rc = bad(ctx, rc, "schema");
    if (rc == SVCQ_OK)
        rc = svcq__client_decode(ctx, svcq__json_root(doc), out);
    svcq__json_doc_free(doc);
    return rc;
}

int svcq_client_import_json(svcq_client **out, svcq_ctx *ctx, const char *text, size_t len)
{
    if (out)
        *out = NULL;
    if (!ctx)
        return SVCQ_EINVAL;
    if (!out || (!text && len))
        return svcq__error(ctx, SVCQ_EINVAL, "client import: NULL %s", !out ? "out" : "text");
    return parse_client(ctx, text, len, out);
}

int svcq_client_load(svcq_client **out, svcq_ctx *ctx, const char *id)
{
    if (out)
        *out = NULL;
    if (!ctx)
        return SVCQ_EINVAL;
    if (!out || !id)
        return svcq__error(ctx, SVCQ_EINVAL, "client load: NULL %s", !out ? "out" : "id");
    int rc = svcq__store_check_id(ctx, id);
    if (rc)
        return rc;
    svcq__json_doc *doc = NULL;
    uint32_t major;
    uint64_t revision;
    svcq_client *c = NULL;
    rc = svcq__record_load(ctx, SVCQ__CLIENT_KIND, id, SVCQ__CLIENT_SCHEMA, &doc, &major, &revision);
    if (rc == SVCQ_ENOTFOUND)
        rc = svcq__error(ctx, rc, "client %s is not stored", id);
    if (rc == SVCQ_OK)
        rc = svcq__client_decode(ctx, svcq__json_root(doc), &c);
    svcq__json_doc_free(doc);
    if (rc == SVCQ_EINVAL || rc == SVCQ_ELIMIT) {
        rc = svcq__error_prefix(ctx, SVCQ_ECORRUPT, "record client \"%s\"", id);
    }
    if (rc == SVCQ_OK && strcmp(c->id, id) != 0)
        rc = svcq__error(ctx, SVCQ_ECORRUPT, "record client \"%s\" holds client %s", id, c->id);
    if (rc) {
        svcq_client_free(c);
        return rc;
    }
    c->revision = revision;
    *out = c;
    return SVCQ_OK;
}

int svcq_client_import_lines(uint64_t *imported, uint64_t *failed, svcq_ctx *ctx, const char *text, size_t len,
                             svcq_client_line_fn on_error, void *user_data)
{
    if (imported)
        *imported = 0;
    if (failed)
        *failed = 0;
    if (!ctx)
        return SVCQ_EINVAL;
    if (!text && len)
        return svcq__error(ctx, SVCQ_EINVAL, "client import lines: NULL text");
    uint64_t ok = 0, bad_lines = 0, line = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *start = text + pos;
        const char *nl = memchr(start, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - start) : len - pos;
        pos += n + (nl ? 1 : 0);
        line++;
        size_t k = n;
        while (k && (start[k - 1] == '\r' || start[k - 1] == ' ' || start[k - 1] == '\t'))
            k--;
        size_t b = 0;
        while (b < k && (start[b] == ' ' || start[b] == '\t'))
            b++;
        if (b == k)
            continue;
        svcq_client *c = NULL;
        int rc = parse_client(ctx, start + b, k - b, &c);
        if (rc == SVCQ_OK) {
            rc = svcq_client_save(c);
            if (rc == SVCQ_ECONFLICT)
                rc = svcq__error(ctx, SVCQ_EEXIST, "client %s is stored already", c->id);
        }
        svcq_client_free(c);
        if (rc == SVCQ_OK) {
            ok++;
            continue;
        }
        bad_lines++;
        if (on_error) {
            char msg[SVCQ__ERRMSG_SIZE + 32];
            snprintf(msg, sizeof(msg), "line %llu: %s", (unsigned long long)line, svcq_ctx_errmsg(ctx));
            int cb = svcq__callback_rc(on_error(line, rc, msg, user_data));
            if (cb) {
                if (imported)
                    *imported = ok;
                if (failed)
                    *failed = bad_lines;
                return svcq__error(ctx, cb, "client import lines: stopped by the callback at line %llu",
                                   (unsigned long long)line);
            }
        }
    }
    if (imported)
        *imported = ok;
    if (failed)
        *failed = bad_lines;
    return SVCQ_OK;
}
