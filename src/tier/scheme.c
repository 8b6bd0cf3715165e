/* Tier schemes: tiers, factors, rules, hysteresis, the checks made when a
 * scheme is finished (weights, bands, reachability) and the built-in
 * scheme. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/utf8.h"
#include "store/store.h"
#include "tier/tier_internal.h"

#define NEVER SVCQ_SLA_NEVER

int64_t svcq__tier_round(double x)
{
    /* Half away from zero, exact for |x| < 2^52 (x - t is exact there);
     * written out because the library links no libm. */
    bool neg = x < 0;
    double a = neg ? -x : x;
    int64_t t = (int64_t)a;
    if (a - (double)t >= 0.5)
        t++;
    return neg ? -t : t;
}

int64_t svcq__tier_milli(double points)
{
    return svcq__tier_round(points * 1000.0);
}

void svcq__tier_fmt_milli(char out[32], int64_t milli)
{
    int64_t a = milli < 0 ? -milli : milli;
    snprintf(out, 32, "%s%lld.%03lld", milli < 0 ? "-" : "", (long long)(a / 1000), (long long)(a % 1000));
}

int svcq__tier_check_key(svcq_ctx *ctx, const char *what, const char *key)
{
    if (!key)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: key missing", what);
    size_t n = strlen(key);
    if (n == 0 || n > SVCQ__TIER_KEY_MAX)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: key \"%.80s\" must be 1 to %d bytes", what, key,
                           SVCQ__TIER_KEY_MAX);
    for (size_t i = 0; i < n; i++) {
        char ch = key[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'))
            return svcq__error(ctx, SVCQ_EINVAL, "%s: key \"%.80s\" may hold only a-z, 0-9 and _", what, key);
    }
    return SVCQ_OK;
}

int svcq__tier_check_text(svcq_ctx *ctx, const char *what, const char *s, size_t max)
{
    if (!s)
        return svcq__error(ctx, SVCQ_EINVAL, "%s missing", what);
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return svcq__error(ctx, SVCQ_EINVAL, "%s must be 1 to %zu bytes", what, max);
    if (!svcq__utf8_valid(s, n))
        return svcq__error(ctx, SVCQ_EINVAL, "%s is not valid UTF-8", what);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
            return svcq__error(ctx, SVCQ_EINVAL, "%s holds a control character", what);
    return SVCQ_OK;
}

static char *dup(svcq_ctx *ctx, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = svcq__malloc(ctx, n);
    if (p)
        memcpy(p, s, n);
    return p;
}

int svcq_tier_scheme_new(svcq_tier_scheme **out, svcq_ctx *ctx, const char *name, uint32_t version)
{
    if (out)
        *out = NULL;
    if (!ctx)
        return SVCQ_EINVAL;
    if (!out)
        return svcq__error(ctx, SVCQ_EINVAL, "tier scheme: no output pointer");
    int rc = svcq__tier_check_text(ctx, "tier scheme name", name, SVCQ__TIER_SCHEME_NAME_MAX);
    if (rc)
        return rc;
    if (strchr(name, '@'))
        return svcq__error(ctx, SVCQ_EINVAL, "tier scheme %s: the name may not hold '@' (it ends at the version "
                           "in store ids)", name);
    if (version == 0)
        return svcq__error(ctx, SVCQ_EINVAL, "tier scheme %s: version must be at least 1", name);
    svcq_tier_scheme *s = svcq__calloc(ctx, 1, sizeof(*s));
    char *n = dup(ctx, name);
    if (!s || !n) {
        svcq__free(ctx, s);
        svcq__free(ctx, n);
        return svcq__enomem(ctx);
    }
    s->ctx = ctx;
    s->refs = 1;
    s->name = n;
    s->version = version;
    s->demote_periods = 1;
    *out = s;
    return SVCQ_OK;
}

void svcq__tier_scheme_retain(svcq_tier_scheme *s)
{
    s->refs++;
}

void svcq__tier_scheme_release(svcq_tier_scheme *s)
{
    if (!s || --s->refs)
        return;
    svcq_ctx *ctx = s->ctx;
    svcq__undo_detach(ctx, s);
    for (uint32_t i = 0; i < s->ntiers; i++)
        svcq__free(ctx, s->tiers[i].name);
    for (uint32_t i = 0; i < s->nfactors; i++)
        svcq__free(ctx, s->factors[i].name);
    svcq__free(ctx, s->factors);
    svcq__free(ctx, s->name);
    svcq__free(ctx, s);
}

void svcq_tier_scheme_free(svcq_tier_scheme *scheme)
{
    svcq__tier_scheme_release(scheme);
}

int svcq__tier_find_tier(const svcq_tier_scheme *s, const char *key)
{
    for (uint32_t i = 0; key && i < s->ntiers; i++)
        if (strcmp(s->tiers[i].key, key) == 0)
            return (int)i;
    return -1;
}

int svcq__tier_find_factor(const svcq_tier_scheme *s, const char *key)
{
    for (uint32_t i = 0; key && i < s->nfactors; i++)
        if (strcmp(s->factors[i].key, key) == 0)
            return (int)i;
    return -1;
}

#define SFMT "tier scheme %s v%u"
#define SARGS(s) (s)->name, (s)->version

static int check_open(const svcq_tier_scheme *s, const char *what)
{
    if (s->finished)
        return svcq__error(s->ctx, SVCQ_ESTATE, SFMT ": %s: the scheme is finished (immutable); make a new version",
                           SARGS(s), what);
    return SVCQ_OK;
}

int svcq_tier_scheme_add_tier(svcq_tier_scheme *scheme, const char *key, const char *name)
{
    if (!scheme)
        return SVCQ_EINVAL;
    svcq_tier_scheme *s = scheme;
    svcq_ctx *ctx = s->ctx;
    int rc = check_open(s, "add tier");
    if (rc)
        return rc;
    char what[300];
    snprintf(what, sizeof(what), SFMT ": tier", SARGS(s));
    if ((rc = svcq__tier_check_key(ctx, what, key)))
        return rc;
    if (name && (rc = svcq__tier_check_text(ctx, "tier name", name, SVCQ__TIER_NAME_MAX)))
        return svcq__error(ctx, rc, SFMT ": tier %s: name must be 1 to %d bytes of UTF-8 without control "
                           "characters", SARGS(s), key, SVCQ__TIER_NAME_MAX);
    if (svcq__tier_find_tier(s, key) >= 0)
        return svcq__error(ctx, SVCQ_EEXIST, SFMT ": tier %s exists already", SARGS(s), key);
    if (s->ntiers == SVCQ_TIER_MAX_TIERS)
        return svcq__error(ctx, SVCQ_ELIMIT, SFMT ": tier %s: at most %d tiers", SARGS(s), key, SVCQ_TIER_MAX_TIERS);
    char *n = dup(ctx, name ? name : key);
    if (!n)
        return svcq__enomem(ctx);
    svcq__tier_tier *t = &s->tiers[s->ntiers++];
    memset(t, 0, sizeof(*t));
    memcpy(t->key, key, strlen(key) + 1);
    t->name = n;
    return SVCQ_OK;
}

int svcq_tier_scheme_add_factor(svcq_tier_scheme *scheme, const char *key, const char *name, int32_t group,
                                uint32_t weight)
{
    if (!scheme)
        return SVCQ_EINVAL;
    svcq_tier_scheme *s = scheme;
    svcq_ctx *ctx = s->ctx;
    int rc = check_open(s, "add factor");
    if (rc)
        return rc;
    char what[300];
    snprintf(what, sizeof(what), SFMT ": factor", SARGS(s));
    if ((rc = svcq__tier_check_key(ctx, what, key)))
        return rc;
#define BAD(...) svcq__error(ctx, SVCQ_EINVAL, SFMT ": factor %s: " __VA_ARGS__)
    if (name && svcq__tier_check_text(ctx, "name", name, SVCQ__TIER_NAME_MAX))
        return BAD("name must be 1 to %d bytes of UTF-8 without control characters", SARGS(s), key,
                   SVCQ__TIER_NAME_MAX);
    if (!svcq_tier_group_name(group))
        return BAD("unknown group %d (value 0, influence 1, complexity 2)", SARGS(s), key, group);
    if (weight > 100)
        return BAD("weight %u is above 100", SARGS(s), key, weight);
#undef BAD
    if (svcq__tier_find_factor(s, key) >= 0)
        return svcq__error(ctx, SVCQ_EEXIST, SFMT ": factor %s exists already", SARGS(s), key);
    if (s->nfactors == SVCQ_TIER_MAX_FACTORS)
        return svcq__error(ctx, SVCQ_ELIMIT, SFMT ": factor %s: at most %d factors", SARGS(s), key,
                           SVCQ_TIER_MAX_FACTORS);
    if (!s->factors && !(s->factors = svcq__calloc(ctx, SVCQ_TIER_MAX_FACTORS, sizeof(*s->factors))))
        return svcq__enomem(ctx);
    char *n = dup(ctx, name ? name : key);
    if (!n)
        return svcq__enomem(ctx);
    svcq__tier_factor *f = &s->factors[s->nfactors++];
    memset(f, 0, sizeof(*f));
    memcpy(f->key, key, strlen(key) + 1);
    f->name = n;
    f->group = group;
    f->norm = -1;
    f->weight = weight;
    f->input_min = -INFINITY;
    f->input_max = INFINITY;
    return SVCQ_OK;
}

static int factor_of(svcq_tier_scheme *s, const char *key, const char *what)
{
    int i = svcq__tier_find_factor(s, key);
    if (i < 0)
        svcq__error(s->ctx, key ? SVCQ_ENOTFOUND : SVCQ_EINVAL, SFMT ": %s: no factor %s", SARGS(s), what,
                    key ? key : "(NULL)");
    return i;
}

static int tier_of(svcq_tier_scheme *s, const char *key, const char *what)
{
    int i = svcq__tier_find_tier(s, key);
    if (i < 0)
        svcq__error(s->ctx, key ? SVCQ_ENOTFOUND : SVCQ_EINVAL, SFMT ": %s: no tier %s", SARGS(s), what,
                    key ? key : "(NULL)");
    return i;
}

#define FACTOR_OR_FAIL(what)                                                                               \
    if (!scheme)                                                                                           \
        return SVCQ_EINVAL;                                                                                \
    svcq_tier_scheme *s = scheme;                                                                          \
    svcq_ctx *ctx = s->ctx;                                                                                \
    int rc = check_open(s, what);                                                                          \
    if (rc)                                                                                                \
        return rc;                                                                                         \
    int fi = factor_of(s, factor, what);                                                                   \
    if (fi < 0)                                                                                            \
        return factor ? SVCQ_ENOTFOUND : SVCQ_EINVAL;                                                      \
    svcq__tier_factor *f = &s->factors[fi];

int svcq_tier_scheme_set_bounds(svcq_tier_scheme *scheme, const char *factor, double lo, double hi)
{
    FACTOR_OR_FAIL("set bounds")
    if (f->norm == SVCQ_TIER_NORM_BANDS)
        return svcq__error(ctx, SVCQ_EINVAL, SFMT ": factor %s is normalised by bands, not bounds", SARGS(s), f->key);
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi))
        return svcq__error(ctx, SVCQ_EINVAL, SFMT ": factor %s: bounds lo %g and hi %g must be finite with lo < hi",
                           SARGS(s), f->key, lo, hi);
    f->norm = SVCQ_TIER_NORM_BOUNDS;
    f->lo = lo;
    f->hi = hi;
    return SVCQ_OK;
}

int svcq_tier_scheme_set_input_range(svcq_tier_scheme *scheme, const char *factor, double min, double max)
{
    FACTOR_OR_FAIL("set input range")
    if (isnan(min) || isnan(max) || !(min < max) || min == INFINITY || max == -INFINITY)
        return svcq__error(ctx, SVCQ_EINVAL, SFMT ": factor %s: input range [%g, %g] is empty or not a number",
                           SARGS(s), f->key, min, max);
    if (f->has_default && (f->default_value < min || f->default_value > max))
        return svcq__error(ctx, SVCQ_EINVAL, SFMT ": factor %s: its default %g lies outside [%g, %g]", SARGS(s),
                           f->key, f->default_value, min, max);
    f->input_min = min;
    f->input_max = max;
    return SVCQ_OK;
}

int svcq_tier_scheme_set_default(svcq_tier_scheme *scheme, const char *factor, double value)
{
    FACTOR_OR_FAIL("set default")
    if (!isfinite(value) || value < f->input_min || value > f->input_max)
        return svcq__error(ctx, SVCQ_EINVAL, SFMT ": factor %s: default %g is not a finite input within [%g, %g]",
                           SARGS(s), f->key, value, f->input_min, f->input_max);
    f->has_default = true;
    f->default_value = value;
    return SVCQ_OK;
}

int svcq_tier_scheme_add_band(svcq_tier_scheme *scheme, const char *factor, double lo, double hi, double points)
{
    if (!scheme)
        return SVCQ_EINVAL;
    svcq_tier_scheme *s = scheme;
    svcq_ctx *ctx = s->ctx;
    int rc = check_open(s, "add band");
    if (rc)
        return rc;
    int i = factor_of(s, factor, "add band");
    if (i < 0)
        return factor ? SVCQ_ENOTFOUND : SVCQ_EINVAL;
    svcq__tier_factor *f = &s->factors[i];
    if (f->norm == SVCQ_TIER_NORM_BOUNDS)
        return svcq__error(ctx, SVCQ_EINVAL, SFMT ": factor %s is normalised by bounds, not bands", SARGS(s), f->key);
    if (isnan(lo) || isnan(hi) || !(lo < hi) || lo == INFINITY || hi == -INFINITY)
        return svcq__error(ctx, SVCQ_EINVAL, SFMT ": factor %s: band [%g, %g) is empty", SARGS(s), f->key, lo, hi);
    if (!isfinite(points) || points < 0 || points > 100)
        return svcq__error(ctx, SVCQ_EINVAL, SFMT ": factor %s: band [%g, %g): points %g are not 0 to 100", SARGS(s),
                           f->key, lo, hi, points);
    if (f->nbands == SVCQ_TIER_MAX_BANDS)
        return svcq__error(ctx, SVCQ_ELIMIT, SFMT ": factor %s: at most %d bands", SARGS(s), f->key,
                           SVCQ_TIER_MAX_BANDS);
    int64_t pm = svcq__tier_milli(points);
    uint32_t pos = 0;
    for (uint32_t b = 0; b < f->nbands; b++) {
        const svcq__tier_band *o = &f->bands[b];
        if (lo < o->hi && o->lo < hi)
            return svcq__error(ctx, SVCQ_EINVAL, SFMT ": factor %s: band [%g, %g) overlaps band [%g, %g)", SARGS(s),
                               f->key, lo, hi, o->lo, o->hi);
        if (o->lo < lo) {
            pos = b + 1;
            if (o->points_milli > pm)
                return svcq__error(ctx, SVCQ_EINVAL,
                                   SFMT ": factor %s: band [%g, %g) is worth %g points, less than the lower band "
                                   "[%g, %g) (%g): more of a factor may never lower the score",
                                   SARGS(s), f->key, lo, hi, points, o->lo, o->hi, o->points);
        } else if (o->points_milli < pm) {
            return svcq__error(ctx, SVCQ_EINVAL,
                               SFMT ": factor %s: band [%g, %g) is worth %g points, more than the higher band "
                               "[%g, %g) (%g): more of a factor may never lower the score",
                               SARGS(s), f->key, lo, hi, points, o->lo, o->hi, o->points);
        }
    }
    f->norm = SVCQ_TIER_NORM_BANDS;
    memmove(&f->bands[pos + 1], &f->bands[pos], (f->nbands - pos) * sizeof(f->bands[0]));
    f->bands[pos] = (svcq__tier_band){ lo, hi, points, pm };
    f->nbands++;
    return SVCQ_OK;
}

int svcq_tier_scheme_set_min_score(svcq_tier_scheme *scheme, const char *tier, double min_score)
{
    if (!scheme)
        return SVCQ_EINVAL;
    svcq_tier_scheme *s = scheme;
    int rc = check_open(s, "set minimum score");
    if (rc)
        return rc;
    int t = tier_of(s, tier, "set minimum score");
    if (t < 0)
        return tier ? SVCQ_ENOTFOUND : SVCQ_EINVAL;
    if (!isfinite(min_score) || min_score < 0 || min_score > 100)
        return svcq__error(s->ctx, SVCQ_EINVAL, SFMT ": tier %s: minimum score %g is not 0 to 100", SARGS(s), tier,
                           min_score);
    s->tiers[t].has_min = true;
    s->tiers[t].min_score = min_score;
    s->tiers[t].min_milli = svcq__tier_milli(min_score);
    return SVCQ_OK;
}

int svcq_tier_scheme_add_condition(svcq_tier_scheme *scheme, const char *tier, const char *factor, int32_t op,
                                   double value)
{
    if (!scheme)
        return SVCQ_EINVAL;
    svcq_tier_scheme *s = scheme;
    int rc = check_open(s, "add condition");
    if (rc)
        return rc;
    int t = tier_of(s, tier, "add condition");
    if (t < 0)
        return tier ? SVCQ_ENOTFOUND : SVCQ_EINVAL;
    int f = factor_of(s, factor, "add condition");
    if (f < 0)
        return factor ? SVCQ_ENOTFOUND : SVCQ_EINVAL;
    if (!svcq_tier_op_name(op))
        return svcq__error(s->ctx, SVCQ_EINVAL, SFMT ": tier %s: condition on %s: unknown operator %d (ge 0, gt 1)",
                           SARGS(s), tier, factor, op);
    if (!isfinite(value))
        return svcq__error(s->ctx, SVCQ_EINVAL, SFMT ": tier %s: condition on %s: the value is not a finite number",
                           SARGS(s), tier, factor);
    svcq__tier_tier *T = &s->tiers[t];
    if (T->nconds == SVCQ_TIER_MAX_CONDITIONS)
        return svcq__error(s->ctx, SVCQ_ELIMIT, SFMT ": tier %s: at most %d conditions", SARGS(s), tier,
                           SVCQ_TIER_MAX_CONDITIONS);
    T->conds[T->nconds++] = (svcq__tier_cond){ (uint32_t)f, op, value };
    return SVCQ_OK;
}

int svcq_tier_scheme_set_hysteresis(svcq_tier_scheme *scheme, uint32_t demote_periods, double demote_margin)
{
    if (!scheme)
        return SVCQ_EINVAL;
    svcq_tier_scheme *s = scheme;
    int rc = check_open(s, "set hysteresis");
    if (rc)
        return rc;
    if (demote_periods < 1 || demote_periods > 1000)
        return svcq__error(s->ctx, SVCQ_EINVAL, SFMT ": hysteresis: demote_periods %u is not 1 to 1000", SARGS(s),
                           demote_periods);
    if (!isfinite(demote_margin) || demote_margin < 0 || demote_margin > 100)
        return svcq__error(s->ctx, SVCQ_EINVAL, SFMT ": hysteresis: demote_margin %g is not 0 to 100", SARGS(s),
                           demote_margin);
    s->demote_periods = demote_periods;
    s->demote_margin = demote_margin;
    s->demote_margin_milli = svcq__tier_milli(demote_margin);
    return SVCQ_OK;
}

/* ---- reachability ----------------------------------------------------------
 *
 * A tier is reachable when some input meets its rule and fails the rule of
 * every tier above it. Each higher tier can be failed in one of a few ways
 * (its score threshold, or one of its conditions); the search tries the
 * combinations depth first, keeping per factor the interval of inputs the
 * choices allow and pruning empty ones. Each combination is feasible when
 * the score range the intervals allow (scores are monotone in every
 * factor) meets the score bounds the choices ask for. Bands leave gaps in
 * the achievable scores that this range does not see, so the check can
 * accept a tier that only such a gap would reach; it never refuses a
 * reachable one. */

typedef struct ivl {
    double lo, hi;
    bool lo_open, hi_open;
} ivl;

static bool ivl_empty(const ivl *v)
{
    return v->lo > v->hi || (v->lo == v->hi && (v->lo_open || v->hi_open));
}

/* Points (milli) of factor f at x, or just below x (below = true). */
static int64_t pts_at(const svcq__tier_factor *f, double x, bool below)
{
    if (f->norm == SVCQ_TIER_NORM_BOUNDS) {
        if (x <= f->lo)
            return 0;
        if (x >= f->hi)
            return SVCQ__TIER_FULL;
        return svcq__tier_round((x - f->lo) / (f->hi - f->lo) * SVCQ__TIER_FULL);
    }
    int64_t best = -1;
    for (uint32_t b = 0; b < f->nbands; b++) {
        const svcq__tier_band *B = &f->bands[b];
        bool in = below ? (B->lo < x && x <= B->hi) : (B->lo <= x && x < B->hi);
        if (in)
            return B->points_milli;
        /* Outside every band: the nearest band on the right side. */
        if (below ? B->hi <= x : B->lo >= x)
            best = best < 0 || (below ? B->points_milli > best : B->points_milli < best) ? B->points_milli : best;
    }
    return best < 0 ? (below ? 0 : SVCQ__TIER_FULL) : best;
}

static int64_t contrib(const svcq__tier_factor *f, int64_t pm)
{
    return (pm * f->weight + 50) / 100;
}

typedef struct search {
    const svcq_tier_scheme *s;
    ivl *iv;
    uint32_t target;
    int64_t score_lo, score_hi; /* inclusive bounds asked for */
    uint64_t steps;
} search;

static bool score_ok(search *S)
{
    int64_t lo = 0, hi = 0;
    for (uint32_t i = 0; i < S->s->nfactors; i++) {
        const svcq__tier_factor *f = &S->s->factors[i];
        lo += contrib(f, pts_at(f, S->iv[i].lo, false));
        hi += contrib(f, pts_at(f, S->iv[i].hi, S->iv[i].hi_open));
    }
    int64_t a = lo > S->score_lo ? lo : S->score_lo, b = hi < S->score_hi ? hi : S->score_hi;
    return a <= b;
}

/* Applies "input of f meets (or fails, when fail) condition c" to the
 * intervals; false when that empties an interval. */
static bool apply(ivl *iv, const svcq__tier_cond *c, bool fail)
{
    ivl *v = &iv[c->factor];
    bool strict = c->op == SVCQ_TIER_OP_GT;
    if (!fail) {
        if (c->value > v->lo || (c->value == v->lo && strict)) {
            v->lo = c->value;
            v->lo_open = strict;
        }
    } else {
        /* fails >= v: x < v; fails > v: x <= v */
        if (c->value < v->hi || (c->value == v->hi && !strict)) {
            v->hi = c->value;
            v->hi_open = !strict;
        }
    }
    return !ivl_empty(v);
}

static bool dfs(search *S, uint32_t h)
{
    if (++S->steps > 1000000)
        return true; /* too many combinations to settle: accept */
    if (h == S->target)
        return score_ok(S);
    const svcq__tier_tier *T = &S->s->tiers[h];
    uint32_t nf = S->s->nfactors;
    ivl saved[SVCQ_TIER_MAX_FACTORS];
    memcpy(saved, S->iv, nf * sizeof(ivl));
    if (T->has_min && T->min_milli > 0) {
        int64_t old = S->score_hi;
        if (T->min_milli - 1 < S->score_hi)
            S->score_hi = T->min_milli - 1;
        bool ok = S->score_lo <= S->score_hi && dfs(S, h + 1);
        S->score_hi = old;
        if (ok)
            return true;
    }
    for (uint32_t k = 0; k < T->nconds; k++) {
        bool ok = apply(S->iv, &T->conds[k], true) && dfs(S, h + 1);
        memcpy(S->iv, saved, nf * sizeof(ivl));
        if (ok)
            return true;
    }
    return false;
}

/* Whether tier t can be reached (with_higher) or its rule met at all. */
static bool reachable(const svcq_tier_scheme *s, uint32_t t, bool with_higher)
{
    ivl iv[SVCQ_TIER_MAX_FACTORS];
    for (uint32_t i = 0; i < s->nfactors; i++)
        iv[i] = (ivl){ s->factors[i].input_min, s->factors[i].input_max, false, false };
    search S = { s, iv, with_higher ? t : 0, 0, SVCQ__TIER_FULL, 0 };
    const svcq__tier_tier *T = &s->tiers[t];
    if (T->has_min)
        S.score_lo = T->min_milli;
    for (uint32_t k = 0; k < T->nconds; k++)
        if (!apply(iv, &T->conds[k], false))
            return false;
    if (!with_higher)
        return score_ok(&S);
    return dfs(&S, 0);
}

int svcq_tier_scheme_finish(svcq_tier_scheme *scheme)
{
    if (!scheme)
        return SVCQ_EINVAL;
    svcq_tier_scheme *s = scheme;
    svcq_ctx *ctx = s->ctx;
    if (s->finished)
        return SVCQ_OK;
    if (s->ntiers < 2)
        return svcq__error(ctx, SVCQ_EINVAL, SFMT ": needs at least two tiers (it has %u)", SARGS(s), s->ntiers);
    if (s->nfactors == 0)
        return svcq__error(ctx, SVCQ_EINVAL, SFMT ": has no factors", SARGS(s));
    uint32_t sum = 0;
    for (uint32_t i = 0; i < s->nfactors; i++) {
        sum += s->factors[i].weight;
        if (s->factors[i].norm < 0)
            return svcq__error(ctx, SVCQ_EINVAL, SFMT ": factor %s has no normalisation (bounds or bands)", SARGS(s),
                               s->factors[i].key);
    }
    if (sum != 100)
        return svcq__error(ctx, SVCQ_EINVAL, SFMT ": the factor weights sum to %u, not 100", SARGS(s), sum);
    uint32_t bottom = s->ntiers - 1;
    if (s->tiers[bottom].has_min || s->tiers[bottom].nconds)
        return svcq__error(ctx, SVCQ_EINVAL, SFMT ": tier %s is the bottom tier, the fallback: it takes no rule",
                           SARGS(s), s->tiers[bottom].key);
    for (uint32_t t = 0; t < bottom; t++) {
        const svcq__tier_tier *T = &s->tiers[t];
        if (!T->has_min && T->nconds == 0)
            return svcq__error(ctx, SVCQ_EINVAL,
                               SFMT ": tier %s has no rule (a minimum score or conditions): it would take every "
                               "client and leave the tiers below it unreachable",
                               SARGS(s), T->key);
    }
    for (uint32_t t = 0; t <= bottom; t++) {
        const svcq__tier_tier *T = &s->tiers[t];
        if (t < bottom && !reachable(s, t, false)) {
            svcq__buf b;
            svcq__buf_init(&b, ctx);
            int rc = svcq__tier_rule_text(s, t, &b);
            int code = svcq__error(ctx, SVCQ_EINVAL, SFMT ": tier %s: no input within the factors' ranges meets "
                                   "its rule (%s)", SARGS(s), T->key, rc ? "?" : b.data);
            svcq__buf_free(&b);
            return code;
        }
        if (!reachable(s, t, true))
            return svcq__error(ctx, SVCQ_EINVAL,
                               SFMT ": tier %s is never chosen: every input %s meets the rule of a higher tier",
                               SARGS(s), T->key, t < bottom ? "that meets its rule also" : "");
    }
    s->finished = true;
    return SVCQ_OK;
}

const char *svcq_tier_scheme_name(const svcq_tier_scheme *scheme)
{
    return scheme ? scheme->name : "";
}

uint32_t svcq_tier_scheme_version(const svcq_tier_scheme *scheme)
{
    return scheme ? scheme->version : 0;
}

uint32_t svcq_tier_scheme_tier_count(const svcq_tier_scheme *scheme)
{
    return scheme ? scheme->ntiers : 0;
}

uint32_t svcq_tier_scheme_factor_count(const svcq_tier_scheme *scheme)
{
    return scheme ? scheme->nfactors : 0;
}

const char *svcq_tier_scheme_tier_key(const svcq_tier_scheme *scheme, uint32_t rank)
{
    return scheme && rank < scheme->ntiers ? scheme->tiers[rank].key : NULL;
}

const char *svcq_tier_scheme_factor_key(const svcq_tier_scheme *scheme, uint32_t index)
{
    return scheme && index < scheme->nfactors ? scheme->factors[index].key : NULL;
}

int svcq_tier_scheme_tier_rank(uint32_t *out, const svcq_tier_scheme *scheme, const char *key)
{
    if (!scheme)
        return SVCQ_EINVAL;
    if (!out || !key)
        return svcq__error(scheme->ctx, SVCQ_EINVAL, SFMT ": tier rank: NULL %s", SARGS(scheme), !out ? "out" : "key");
    int i = svcq__tier_find_tier(scheme, key);
    if (i < 0)
        return svcq__error(scheme->ctx, SVCQ_ENOTFOUND, SFMT ": no tier %s", SARGS(scheme), key);
    *out = (uint32_t)i;
    return SVCQ_OK;
}

int svcq_tier_scheme_factor_index(uint32_t *out, const svcq_tier_scheme *scheme, const char *key)
{
    if (!scheme)
        return SVCQ_EINVAL;
    if (!out || !key)
        return svcq__error(scheme->ctx, SVCQ_EINVAL, SFMT ": factor index: NULL %s", SARGS(scheme),
                           !out ? "out" : "key");
    int i = svcq__tier_find_factor(scheme, key);
    if (i < 0)
        return svcq__error(scheme->ctx, SVCQ_ENOTFOUND, SFMT ": no factor %s", SARGS(scheme), key);
    *out = (uint32_t)i;
    return SVCQ_OK;
}

uint64_t svcq_tier_scheme_revision(const svcq_tier_scheme *scheme)
{
    return scheme ? scheme->revision : 0;
}

/* ---- the built-in scheme ------------------------------------------------- */

typedef struct builtin_factor {
    const char *key, *name;
    int32_t group, norm;
    uint32_t weight;
    double lo, hi, input_min, input_max;
} builtin_factor;

static const builtin_factor builtin_factors[] = {
    { "annual_purchase_share", "Annual purchases, % of total sales", SVCQ_TIER_GROUP_VALUE, SVCQ_TIER_NORM_BOUNDS,
      30, 0, 10, 0, 100 },
    { "purchase_frequency", "Orders per year", SVCQ_TIER_GROUP_VALUE, SVCQ_TIER_NORM_BANDS, 15, 0, 0, 0, INFINITY },
    { "profit_share", "Profit contribution, % of total profit", SVCQ_TIER_GROUP_VALUE, SVCQ_TIER_NORM_BOUNDS, 15, 0,
      10, -100, 100 },
    { "industry_standing", "Standing in the industry (0-5)", SVCQ_TIER_GROUP_INFLUENCE, SVCQ_TIER_NORM_BOUNDS, 10, 0,
      5, 0, 5 },
    { "reputation", "Reputation (0-5)", SVCQ_TIER_GROUP_INFLUENCE, SVCQ_TIER_NORM_BOUNDS, 8, 0, 5, 0, 5 },
    { "prospect_effect", "Effect on other prospects (0-5)", SVCQ_TIER_GROUP_INFLUENCE, SVCQ_TIER_NORM_BOUNDS, 7, 0,
      5, 0, 5 },
    { "service_complexity", "Service-need complexity (0-5)", SVCQ_TIER_GROUP_COMPLEXITY, SVCQ_TIER_NORM_BOUNDS, 15,
      0, 5, 0, 5 },
};

int svcq_tier_scheme_builtin(svcq_tier_scheme **out, svcq_ctx *ctx)
{
    svcq_tier_scheme *s;
    int rc = svcq_tier_scheme_new(&s, ctx, "svcq.default", 1);
    if (rc)
        return rc;
    static const char *const keys[4] = { "special", "tier_1", "tier_2", "tier_3" };
    static const char *const names[4] = { "Special", "Tier 1", "Tier 2", "Tier 3" };
    for (int i = 0; i < 4 && rc == SVCQ_OK; i++)
        rc = svcq_tier_scheme_add_tier(s, keys[i], names[i]);
    for (size_t i = 0; i < sizeof(builtin_factors) / sizeof(builtin_factors[0]) && rc == SVCQ_OK; i++) {
        const builtin_factor *b = &builtin_factors[i];
        rc = svcq_tier_scheme_add_factor(s, b->key, b->name, b->group, b->weight);
        if (rc == SVCQ_OK && b->norm == SVCQ_TIER_NORM_BOUNDS)
            rc = svcq_tier_scheme_set_bounds(s, b->key, b->lo, b->hi);
        if (rc == SVCQ_OK)
            rc = svcq_tier_scheme_set_input_range(s, b->key, b->input_min, b->input_max);
    }
    if (rc == SVCQ_OK)
        rc = svcq_tier_scheme_add_band(s, "purchase_frequency", 0, 1, 0);
    if (rc == SVCQ_OK)
        rc = svcq_tier_scheme_add_band(s, "purchase_frequency", 1, 4, 30);
    if (rc == SVCQ_OK)
        rc = svcq_tier_scheme_add_band(s, "purchase_frequency", 4, 12, 60);
    if (rc == SVCQ_OK)
        rc = svcq_tier_scheme_add_band(s, "purchase_frequency", 12, INFINITY, 100);
    if (rc == SVCQ_OK)
        rc = svcq_tier_scheme_add_condition(s, "special", "annual_purchase_share", SVCQ_TIER_OP_GE, 10);
    if (rc == SVCQ_OK)
        rc = svcq_tier_scheme_set_min_score(s, "special", 70);
    if (rc == SVCQ_OK)
        rc = svcq_tier_scheme_set_min_score(s, "tier_1", 55);
    if (rc == SVCQ_OK)
        rc = svcq_tier_scheme_set_min_score(s, "tier_2", 30);
    if (rc == SVCQ_OK)
        rc = svcq_tier_scheme_set_hysteresis(s, 2, 10);
    if (rc == SVCQ_OK)
        rc = svcq_tier_scheme_finish(s);
    if (rc) {
        svcq_tier_scheme_free(s);
        return rc;
    }
    *out = s;
    return SVCQ_OK;
}

/* ---- names ----------------------------------------------------------------- */

const char *svcq_tier_group_name(int32_t group)
{
    switch (group) {
    case SVCQ_TIER_GROUP_VALUE: return "value";
    case SVCQ_TIER_GROUP_INFLUENCE: return "influence";
    case SVCQ_TIER_GROUP_COMPLEXITY: return "complexity";
    default: return NULL;
    }
}

const char *svcq_tier_norm_name(int32_t norm)
{
    switch (norm) {
    case SVCQ_TIER_NORM_BOUNDS: return "bounds";
    case SVCQ_TIER_NORM_BANDS: return "bands";
    default: return NULL;
    }
}

const char *svcq_tier_op_name(int32_t op)
{
    switch (op) {
    case SVCQ_TIER_OP_GE: return "ge";
    case SVCQ_TIER_OP_GT: return "gt";
    default: return NULL;
    }
}

const char *svcq_tier_change_name(int32_t kind)
{
    switch (kind) {
    case SVCQ_TIER_CHANGE_CLASSIFIED: return "classified";
    case SVCQ_TIER_CHANGE_OVERRIDE: return "override";
    case SVCQ_TIER_CHANGE_EXPIRED: return "expired";
    case SVCQ_TIER_CHANGE_IMPORTED: return "imported";
    default: return NULL;
    }
}
