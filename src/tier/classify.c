/* Classification: inputs checked and normalised, the integer score, the
 * first rule from the top that holds, and the explanation as text and
 * JSON. The arithmetic is in the file comment of svcq/tier.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "store/record.h"
#include "tier/tier_internal.h"

struct svcq_tier_result {
    svcq_ctx *ctx;
    svcq_tier_scheme *scheme; /* referenced while the result holds one */
    bool valid;
    uint32_t rank;
    int64_t score;
    uint32_t cap;
    double *inputs;
    int64_t *points, *contrib;
    svcq__buf rule; /* made on demand */
    bool rule_ready;
};

#define SFMT "tier scheme %s v%u"
#define SARGS(s) (s)->name, (s)->version

static int64_t points_of(const svcq__tier_factor *f, double x, bool *found)
{
    *found = true;
    if (f->norm == SVCQ_TIER_NORM_BOUNDS) {
        if (x <= f->lo)
            return 0;
        if (x >= f->hi)
            return SVCQ__TIER_FULL;
        return svcq__tier_round((x - f->lo) / (f->hi - f->lo) * SVCQ__TIER_FULL);
    }
    /* Bands are sorted and disjoint: binary search for the last lo <= x. */
    uint32_t lo = 0, hi = f->nbands;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (f->bands[mid].lo <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0 && x < f->bands[lo - 1].hi)
        return f->bands[lo - 1].points_milli;
    *found = false;
    return 0;
}

static bool cond_holds(const svcq__tier_cond *c, const double *inputs)
{
    double x = inputs[c->factor];
    return c->op == SVCQ_TIER_OP_GT ? x > c->value : x >= c->value;
}

bool svcq__tier_rule_holds(const svcq_tier_scheme *s, uint32_t r, const double *inputs, int64_t score)
{
    const svcq__tier_tier *T = &s->tiers[r];
    if (r == s->ntiers - 1)
        return true;
    if (T->has_min && score < T->min_milli)
        return false;
    for (uint32_t k = 0; k < T->nconds; k++)
        if (!cond_holds(&T->conds[k], inputs))
            return false;
    return true;
}

int svcq__tier_eval(const svcq_tier_scheme *s, const double *values, double *inputs, int64_t *points,
                    int64_t *contrib, uint32_t *rank, int64_t *score)
{
    double local[SVCQ_TIER_MAX_FACTORS];
    if (!inputs)
        inputs = local;
    int64_t sum = 0;
    for (uint32_t i = 0; i < s->nfactors; i++) {
        const svcq__tier_factor *f = &s->factors[i];
        double x = values[i];
        if (isnan(x)) {
            if (!f->has_default)
                return svcq__error(s->ctx, SVCQ_EINVAL, SFMT ": factor %s: input missing and the factor has no "
                                   "default", SARGS(s), f->key);
            x = f->default_value;
        } else if (!isfinite(x)) {
            return svcq__error(s->ctx, SVCQ_EINVAL, SFMT ": factor %s: input %g is not a finite number", SARGS(s),
                               f->key, x);
        } else if (x < f->input_min || x > f->input_max) {
            return svcq__error(s->ctx, SVCQ_ERANGE, SFMT ": factor %s: input %g is %s its %s %g", SARGS(s), f->key, x,
                               x < f->input_min ? "below" : "above", x < f->input_min ? "minimum" : "maximum",
                               x < f->input_min ? f->input_min : f->input_max);
        }
        bool found;
        int64_t p = points_of(f, x, &found);
        if (!found)
            return svcq__error(s->ctx, SVCQ_ERANGE, SFMT ": factor %s: input %g falls in none of its bands", SARGS(s),
                               f->key, x);
        int64_t c = (p * f->weight + 50) / 100;
        inputs[i] = x;
        if (points)
            points[i] = p;
        if (contrib)
            contrib[i] = c;
        sum += c;
    }
    uint32_t r = 0;
    while (!svcq__tier_rule_holds(s, r, inputs, sum))
        r++;
    *rank = r;
    *score = sum;
    return SVCQ_OK;
}

static int fmt_double(svcq__buf *b, double v)
{
    char tmp[32];
    if (isinf(v))
        return svcq__buf_puts(b, v > 0 ? "inf" : "-inf");
    svcq__json_format_double(v, tmp);
    size_t n = strlen(tmp);
    if (n > 2 && strcmp(tmp + n - 2, ".0") == 0)
        tmp[n - 2] = '\0';
    return svcq__buf_puts(b, tmp);
}

int svcq__tier_rule_text(const svcq_tier_scheme *s, uint32_t r, svcq__buf *out)
{
    const svcq__tier_tier *T = &s->tiers[r];
    int rc = SVCQ_OK;
    if (r == s->ntiers - 1)
        return svcq__buf_puts(out, "fallback");
    bool first = true;
    if (T->has_min) {
        char m[32];
        svcq__tier_fmt_milli(m, T->min_milli);
        rc = svcq__buf_printf(out, "score >= %s", m);
        first = false;
    }
    for (uint32_t k = 0; k < T->nconds && rc == SVCQ_OK; k++) {
        const svcq__tier_cond *c = &T->conds[k];
        rc = svcq__buf_printf(out, "%s%s %s ", first ? "" : " and ", s->factors[c->factor].key,
                              c->op == SVCQ_TIER_OP_GT ? ">" : ">=");
        if (rc == SVCQ_OK)
            rc = fmt_double(out, c->value);
        first = false;
    }
    return rc;
}

/* Why tier r's rule failed (or held) for the result's inputs. */
static int why_text(const svcq_tier_scheme *s, uint32_t r, const double *inputs, int64_t score, svcq__buf *out)
{
    const svcq__tier_tier *T = &s->tiers[r];
    char a[32], b[32];
    int rc = SVCQ_OK;
    bool first = true;
    if (r == s->ntiers - 1)
        return svcq__buf_puts(out, "fallback, no higher rule holds");
    svcq__tier_fmt_milli(a, score);
    if (T->has_min) {
        svcq__tier_fmt_milli(b, T->min_milli);
        rc = svcq__buf_printf(out, "score %s %s %s", a, score >= T->min_milli ? ">=" : "<", b);
        first = false;
    }
    for (uint32_t k = 0; k < T->nconds && rc == SVCQ_OK; k++) {
        const svcq__tier_cond *c = &T->conds[k];
        bool ok = cond_holds(c, inputs);
        rc = svcq__buf_printf(out, "%s%s ", first ? "" : ", ", s->factors[c->factor].key);
        if (rc == SVCQ_OK)
            rc = fmt_double(out, inputs[c->factor]);
        if (rc == SVCQ_OK)
            rc = svcq__buf_printf(out, " %s ", c->op == SVCQ_TIER_OP_GT ? (ok ? ">" : "<=") : (ok ? ">=" : "<"));
        if (rc == SVCQ_OK)
            rc = fmt_double(out, c->value);
        first = false;
    }
    return rc;
}

int svcq_tier_result_new(svcq_tier_result **out, svcq_ctx *ctx)
{
    if (out)
        *out = NULL;
    if (!ctx)
        return SVCQ_EINVAL;
    if (!out)
        return svcq__error(ctx, SVCQ_EINVAL, "tier result: no output pointer");
    svcq_tier_result *r = svcq__calloc(ctx, 1, sizeof(*r));
    if (!r)
        return svcq__enomem(ctx);
    r->ctx = ctx;
    svcq__buf_init(&r->rule, ctx);
    *out = r;
    return SVCQ_OK;
}

static void result_drop(svcq_tier_result *r)
{
    r->valid = false;
    r->rule_ready = false;
    if (r->scheme) {
        svcq__tier_scheme_release(r->scheme);
        r->scheme = NULL;
    }
}

void svcq_tier_result_free(svcq_tier_result *result)
{
    if (!result)
        return;
    svcq_ctx *ctx = result->ctx;
    result_drop(result);
    svcq__free(ctx, result->inputs);
    svcq__free(ctx, result->points);
    svcq__free(ctx, result->contrib);
    svcq__buf_free(&result->rule);
    svcq__free(ctx, result);
}

int svcq_tier_classify(svcq_tier_result *result, const svcq_tier_scheme *scheme, const double *values,
                       uint32_t count)
{
    if (!result)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = result->ctx;
    if (result->scheme != scheme || !scheme)
        result_drop(result);
    result->valid = false;
    result->rule_ready = false;
    if (!scheme)
        return svcq__error(ctx, SVCQ_EINVAL, "classify: no scheme");
    if (scheme->ctx != ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "classify: " SFMT " belongs to another context", SARGS(scheme));
    if (!scheme->finished)
        return svcq__error(ctx, SVCQ_ESTATE, "classify: " SFMT " is not finished (svcq_tier_scheme_finish)",
                           SARGS(scheme));
    if (!values && count)
        return svcq__error(ctx, SVCQ_EINVAL, "classify: " SFMT ": NULL values", SARGS(scheme));
    if (count != scheme->nfactors)
        return svcq__error(ctx, SVCQ_EINVAL, "classify: " SFMT " has %u factors, %u inputs given", SARGS(scheme),
                           scheme->nfactors, count);
    if (result->cap < scheme->nfactors) {
        uint32_t n = scheme->nfactors;
        double *in = svcq__reallocarray(ctx, NULL, n, sizeof(*in));
        int64_t *p = svcq__reallocarray(ctx, NULL, n, sizeof(*p));
        int64_t *c = svcq__reallocarray(ctx, NULL, n, sizeof(*c));
        if (!in || !p || !c) {
            svcq__free(ctx, in);
            svcq__free(ctx, p);
            svcq__free(ctx, c);
            return svcq__enomem(ctx);
        }
        svcq__free(ctx, result->inputs);
        svcq__free(ctx, result->points);
        svcq__free(ctx, result->contrib);
        result->inputs = in;
        result->points = p;
        result->contrib = c;
        result->cap = n;
    }
    int rc = svcq__tier_eval(scheme, values, result->inputs, result->points, result->contrib, &result->rank,
                             &result->score);
    if (rc)
        return rc;
    if (result->scheme != scheme) {
        svcq__tier_scheme_retain((svcq_tier_scheme *)scheme);
        result->scheme = (svcq_tier_scheme *)scheme;
    }
    result->valid = true;
    return SVCQ_OK;
}

uint32_t svcq_tier_result_rank(const svcq_tier_result *result)
{
    return result && result->valid ? result->rank : UINT32_MAX;
}

const char *svcq_tier_result_tier(const svcq_tier_result *result)
{
    return result && result->valid ? result->scheme->tiers[result->rank].key : NULL;
}

int64_t svcq_tier_result_score_milli(const svcq_tier_result *result)
{
    return result && result->valid ? result->score : -1;
}

int svcq_tier_result_factor(double *input, int64_t *points_milli, int64_t *contribution_milli,
                            const svcq_tier_result *result, uint32_t index)
{
    if (!result)
        return SVCQ_EINVAL;
    if (!result->valid)
        return svcq__error(result->ctx, SVCQ_ENOTFOUND, "tier result: holds no classification");
    if (index >= result->scheme->nfactors)
        return svcq__error(result->ctx, SVCQ_ENOTFOUND, "tier result: no factor %u (the scheme has %u)", index,
                           result->scheme->nfactors);
    if (input)
        *input = result->inputs[index];
    if (points_milli)
        *points_milli = result->points[index];
    if (contribution_milli)
        *contribution_milli = result->contrib[index];
    return SVCQ_OK;
}

const char *svcq_tier_result_rule(const svcq_tier_result *result)
{
    if (!result || !result->valid)
        return "";
    svcq_tier_result *r = (svcq_tier_result *)result;
    if (!r->rule_ready) {
        svcq__buf_truncate(&r->rule, 0);
        int rc = svcq__buf_printf(&r->rule, "%s: ", r->scheme->tiers[r->rank].key);
        if (rc == SVCQ_OK)
            rc = why_text(r->scheme, r->rank, r->inputs, r->score, &r->rule);
        if (rc) {
            svcq__buf_truncate(&r->rule, 0);
            return r->scheme->tiers[r->rank].key;
        }
        r->rule_ready = true;
    }
    return r->rule.data;
}

static int check_result(const svcq_tier_result *result, const svcq_writer *writer, const char *what)
{
    if (!result)
        return SVCQ_EINVAL;
    if (!writer)
        return svcq__error(result->ctx, SVCQ_EINVAL, "tier result %s: no writer", what);
    if (!result->valid)
        return svcq__error(result->ctx, SVCQ_ESTATE, "tier result %s: holds no classification", what);
    return SVCQ_OK;
}

int svcq_tier_result_export_text(const svcq_tier_result *result, const svcq_writer *writer)
{
    int rc = check_result(result, writer, "text");
    if (rc)
        return rc;
    const svcq_tier_scheme *s = result->scheme;
    svcq_ctx *ctx = result->ctx;
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    char sc[32], pt[32], ct[32];
    svcq__tier_fmt_milli(sc, result->score);
    const svcq__tier_tier *T = &s->tiers[result->rank];
    rc = svcq__buf_printf(&b, "tier: %s (%s), rank %u of %u; score %s of 100; scheme %s v%u\ndecided by: ", T->key,
                          T->name, result->rank, s->ntiers, sc, s->name, s->version);
    if (rc == SVCQ_OK)
        rc = why_text(s, result->rank, result->inputs, result->score, &b);
    if (rc == SVCQ_OK)
        rc = svcq__buf_puts(&b, "\nfactors (input -> points x weight % = contribution):\n");
    for (uint32_t i = 0; i < s->nfactors && rc == SVCQ_OK; i++) {
        const svcq__tier_factor *f = &s->factors[i];
        svcq__tier_fmt_milli(pt, result->points[i]);
        svcq__tier_fmt_milli(ct, result->contrib[i]);
        rc = svcq__buf_printf(&b, "  %-10s %-24s ", svcq_tier_group_name(f->group), f->key);
        if (rc == SVCQ_OK)
            rc = fmt_double(&b, result->inputs[i]);
        if (rc == SVCQ_OK)
            rc = svcq__buf_printf(&b, " -> %s x %u%% = %s\n", pt, f->weight, ct);
    }
    if (rc == SVCQ_OK && result->rank > 0)
        rc = svcq__buf_puts(&b, "higher tiers not met:\n");
    for (uint32_t r = 0; r < result->rank && rc == SVCQ_OK; r++) {
        rc = svcq__buf_printf(&b, "  %s: ", s->tiers[r].key);
        if (rc == SVCQ_OK)
            rc = why_text(s, r, result->inputs, result->score, &b);
        if (rc == SVCQ_OK)
            rc = svcq__buf_putc(&b, '\n');
    }
    if (rc == SVCQ_OK)
        rc = svcq_writer_write(writer, b.data, b.len);
    else
        rc = svcq__enomem(ctx);
    svcq__buf_free(&b);
    return rc;
}

int svcq_tier_result_export_json(const svcq_tier_result *result, const svcq_writer *writer, uint32_t flags)
{
    int rc = check_result(result, writer, "JSON");
    if (rc)
        return rc;
    svcq_ctx *ctx = result->ctx;
    if (flags & ~SVCQ_TIER_JSON_PRETTY)
        return svcq__error(ctx, SVCQ_EINVAL, "tier result JSON: unknown flags 0x%x", flags & ~SVCQ_TIER_JSON_PRETTY);
    const svcq_tier_scheme *s = result->scheme;
    svcq__buf why;
    svcq__buf_init(&why, ctx);
    svcq__jw w;
    svcq__jw_init_writer(&w, ctx, writer);
    svcq__jw_set_pretty(&w, flags & SVCQ_TIER_JSON_PRETTY);
    svcq__record_begin(&w, "tier_result", 1);
    svcq__jw_key(&w, "scheme");
    svcq__jw_string(&w, s->name);
    svcq__jw_key(&w, "scheme_version");
    svcq__jw_int(&w, s->version);
    svcq__jw_key(&w, "tier");
    svcq__jw_string(&w, s->tiers[result->rank].key);
    svcq__jw_key(&w, "rank");
    svcq__jw_int(&w, result->rank);
    svcq__jw_key(&w, "score_milli");
    svcq__jw_int(&w, result->score);
    svcq__jw_key(&w, "factors");
    svcq__jw_array_begin(&w);
    for (uint32_t i = 0; i < s->nfactors; i++) {
        svcq__jw_object_begin(&w);
        svcq__jw_key(&w, "key");
        svcq__jw_string(&w, s->factors[i].key);
        svcq__jw_key(&w, "group");
        svcq__jw_string(&w, svcq_tier_group_name(s->factors[i].group));
        svcq__jw_key(&w, "input");
        svcq__jw_double(&w, result->inputs[i]);
        svcq__jw_key(&w, "points_milli");
        svcq__jw_int(&w, result->points[i]);
        svcq__jw_key(&w, "weight");
        svcq__jw_int(&w, s->factors[i].weight);
        svcq__jw_key(&w, "contribution_milli");
        svcq__jw_int(&w, result->contrib[i]);
        svcq__jw_object_end(&w);
    }
    svcq__jw_array_end(&w);
    svcq__jw_key(&w, "rules");
    svcq__jw_array_begin(&w);
    for (uint32_t r = 0; r <= result->rank; r++) {
        svcq__buf_truncate(&why, 0);
        if ((rc = why_text(s, r, result->inputs, result->score, &why))) {
            svcq__jw_finish(&w);
            svcq__buf_free(&why);
            return svcq__enomem(ctx);
        }
        svcq__jw_object_begin(&w);
        svcq__jw_key(&w, "tier");
        svcq__jw_string(&w, s->tiers[r].key);
        svcq__jw_key(&w, "holds");
        svcq__jw_bool(&w, r == result->rank);
        svcq__jw_key(&w, "why");
        svcq__jw_string(&w, why.data);
        svcq__jw_object_end(&w);
    }
    svcq__jw_array_end(&w);
    rc = svcq__record_end(&w);
    svcq__buf_free(&why);
    return rc;
}
