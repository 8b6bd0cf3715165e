/* Tier schemes and classification: the built-in scheme against an
 * independent computation of its score, every refusal of a bad scheme and
 * a bad input, the explanation, monotonicity over random inputs, JSON round
 * trips byte for byte, the store (immutable versions) and Markdown. */
#include <math.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svcq.h"
#include "test_alloc.h"

enum { SHARE, FREQ, PROFIT, STANDING, REPUTATION, PROSPECT, COMPLEXITY, NF };

static svcq_ctx *ctx_new(test_alloc *a)
{
    test_alloc_init(a);
    return test_ctx_new(a);
}

static void ctx_done(svcq_ctx *ctx, test_alloc *a)
{
    svcq_ctx_free(ctx);
    assert_int_equal(a->live_blocks, 0);
}

/* The oracle: the built-in scheme's score written out from docs/tiers.md. */
static int64_t lin(double x, double lo, double hi)
{
    if (x <= lo)
        return 0;
    if (x >= hi)
        return 100000;
    double v = (x - lo) / (hi - lo) * 100000;
    return (int64_t)(v + 0.5);
}

static int64_t oracle_score(const double *v)
{
    int64_t f = v[FREQ] < 1 ? 0 : v[FREQ] < 4 ? 30000 : v[FREQ] < 12 ? 60000 : 100000;
    int64_t pts[NF] = { lin(v[SHARE], 0, 10), f, lin(v[PROFIT], 0, 10), lin(v[STANDING], 0, 5),
                        lin(v[REPUTATION], 0, 5), lin(v[PROSPECT], 0, 5), lin(v[COMPLEXITY], 0, 5) };
    static const int64_t w[NF] = { 30, 15, 15, 10, 8, 7, 15 };
    int64_t s = 0;
    for (int i = 0; i < NF; i++)
        s += (pts[i] * w[i] + 50) / 100;
    return s;
}

static uint32_t oracle_rank(const double *v)
{
    int64_t s = oracle_score(v);
    if (v[SHARE] >= 10 && s >= 70000)
        return 0;
    return s >= 55000 ? 1 : s >= 30000 ? 2 : 3;
}

static void test_builtin_classifies(void **state)
{
    (void)state;
    test_alloc a;
    svcq_ctx *ctx = ctx_new(&a);
    svcq_tier_scheme *s;
    assert_int_equal(svcq_tier_scheme_builtin(&s, ctx), SVCQ_OK);
    assert_string_equal(svcq_tier_scheme_name(s), "svcq.default");
    assert_int_equal(svcq_tier_scheme_tier_count(s), 4);
    assert_int_equal(svcq_tier_scheme_factor_count(s), NF);
    uint32_t idx;
    assert_int_equal(svcq_tier_scheme_factor_index(&idx, s, "purchase_frequency"), SVCQ_OK);
    assert_int_equal(idx, FREQ);
    assert_int_equal(svcq_tier_scheme_tier_rank(&idx, s, "tier_2"), SVCQ_OK);
    assert_int_equal(idx, 2);
    assert_int_equal(svcq_tier_scheme_tier_rank(&idx, s, "gold"), SVCQ_ENOTFOUND);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "gold"));
    svcq_tier_result *r;
    assert_int_equal(svcq_tier_result_new(&r, ctx), SVCQ_OK);
    assert_int_equal(svcq_tier_result_rank(r), UINT32_MAX);
    assert_string_equal(svcq_tier_result_rule(r), "");

    /* A strategic client: 12 % of sales, monthly orders, top ratings. */
    double big[NF] = { 12, 24, 8, 5, 5, 4, 4 };
    assert_int_equal(svcq_tier_classify(r, s, big, NF), SVCQ_OK);
    assert_string_equal(svcq_tier_result_tier(r), "special");
    assert_int_equal(svcq_tier_result_score_milli(r), oracle_score(big));
    assert_non_null(strstr(svcq_tier_result_rule(r), "special: score"));
    /* High score but below the share condition: tier 1. */
    double near[NF] = { 9.5, 24, 10, 5, 5, 5, 5 };
    assert_int_equal(svcq_tier_classify(r, s, near, NF), SVCQ_OK);
    assert_string_equal(svcq_tier_result_tier(r), "tier_1");
    /* Exactly at a threshold: score 30.000 is tier 2 (>=). Share 10 ->
     * 30 points x 30 % = 9 points... build 30 exactly: share 10 (30.000),
     * nothing else. */
    double at30[NF] = { 10, 0, 0, 0, 0, 0, 0 };
    assert_int_equal(svcq_tier_classify(r, s, at30, NF), SVCQ_OK);
    assert_int_equal(svcq_tier_result_score_milli(r), 30000);
    assert_string_equal(svcq_tier_result_tier(r), "tier_2");
    double below[NF] = { 9.999, 0, 0, 0, 0, 0, 0 };
    assert_int_equal(svcq_tier_classify(r, s, below, NF), SVCQ_OK);
    assert_int_equal(svcq_tier_result_score_milli(r), 29997);
    assert_string_equal(svcq_tier_result_tier(r), "tier_3");
    assert_string_equal(svcq_tier_result_rule(r), "tier_3: fallback, no higher rule holds");
    double in;
    int64_t pts, con;
    assert_int_equal(svcq_tier_result_factor(&in, &pts, &con, r, SHARE), SVCQ_OK);
    assert_true(in == 9.999);
    assert_int_equal(pts, 99990);
    assert_int_equal(con, 29997);
    assert_int_equal(svcq_tier_result_factor(NULL, NULL, NULL, r, NF), SVCQ_ENOTFOUND);

    /* Bad inputs: clear errors, never a tier. */
    double v[NF];
    memcpy(v, big, sizeof(v));
    v[SHARE] = 120;
    assert_int_equal(svcq_tier_classify(r, s, v, NF), SVCQ_ERANGE);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "annual_purchase_share: input 120 is above its maximum 100"));
    assert_null(svcq_tier_result_tier(r));
    v[SHARE] = -1;
    assert_int_equal(svcq_tier_classify(r, s, v, NF), SVCQ_ERANGE);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "below its minimum 0"));
    v[SHARE] = NAN;
    assert_int_equal(svcq_tier_classify(r, s, v, NF), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "annual_purchase_share: input missing and the factor has no default"));
    v[SHARE] = INFINITY;
    assert_int_equal(svcq_tier_classify(r, s, v, NF), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_classify(r, s, big, NF - 1), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "has 7 factors, 6 inputs given"));
    assert_int_equal(svcq_tier_classify(r, NULL, big, NF), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_classify(NULL, s, big, NF), SVCQ_EINVAL);
    svcq_tier_result_free(r);
    svcq_tier_scheme_free(s);
    ctx_done(ctx, &a);
}

static void test_explanation(void **state)
{
    (void)state;
    test_alloc a;
    svcq_ctx *ctx = ctx_new(&a);
    svcq_tier_scheme *s;
    svcq_tier_result *r;
    assert_int_equal(svcq_tier_scheme_builtin(&s, ctx), SVCQ_OK);
    assert_int_equal(svcq_tier_result_new(&r, ctx), SVCQ_OK);
    svcq_buffer *b;
    svcq_writer w;
    assert_int_equal(svcq_buffer_new(&b, ctx), SVCQ_OK);
    assert_int_equal(svcq_writer_to_buffer(&w, b), SVCQ_OK);
    assert_int_equal(svcq_tier_result_export_text(r, &w), SVCQ_ESTATE);
    double v[NF] = { 4, 6, 5, 3, 3, 2, 2 };
    assert_int_equal(svcq_tier_classify(r, s, v, NF), SVCQ_OK);
    /* Freeing the caller's scheme keeps the result readable. */
    svcq_tier_scheme_free(s);
    assert_int_equal(svcq_tier_result_export_text(r, &w), SVCQ_OK);
    const char *t = svcq_buffer_data(b);
    assert_non_null(strstr(t, "tier: tier_2 (Tier 2), rank 2 of 4; score 48.100 of 100; scheme svcq.default v1"));
    assert_non_null(strstr(t, "decided by: score 48.100 >= 30.000"));
    assert_non_null(strstr(t, "annual_purchase_share    4 -> 40.000 x 30% = 12.000"));
    assert_non_null(strstr(t, "  special: score 48.100 < 70.000, annual_purchase_share 4 < 10"));
    assert_non_null(strstr(t, "  tier_1: score 48.100 < 55.000"));
    assert_int_equal(oracle_score(v), 48100);
    svcq_buffer_clear(b);
    assert_int_equal(svcq_tier_result_export_json(r, &w, 0), SVCQ_OK);
    t = svcq_buffer_data(b);
    assert_non_null(strstr(t, "{\"schema\":\"svcq.tier_result/1\",\"scheme\":\"svcq.default\",\"scheme_version\":1,"
                              "\"tier\":\"tier_2\",\"rank\":2,\"score_milli\":48100,"));
    assert_non_null(strstr(t, "{\"key\":\"purchase_frequency\",\"group\":\"value\",\"input\":6.0,\"points_milli\":60000,"
                              "\"weight\":15,\"contribution_milli\":9000}"));
    assert_non_null(strstr(t, "{\"tier\":\"tier_2\",\"holds\":true,\"why\":\"score 48.100 >= 30.000\"}"));
    assert_int_equal(svcq_tier_result_export_json(r, &w, 8), SVCQ_EINVAL);
    svcq_buffer_free(b);
    svcq_tier_result_free(r);
    ctx_done(ctx, &a);
}

/* A small valid scheme: two factors, three tiers. */
static svcq_tier_scheme *small(svcq_ctx *ctx, uint32_t wa, uint32_t wb)
{
    svcq_tier_scheme *s;
    assert_int_equal(svcq_tier_scheme_new(&s, ctx, "small", 1), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_add_tier(s, "gold", "Gold"), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_add_tier(s, "silver", NULL), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_add_tier(s, "bronze", NULL), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_add_factor(s, "revenue", "Revenue", SVCQ_TIER_GROUP_VALUE, wa), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_set_bounds(s, "revenue", 0, 1000), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_set_input_range(s, "revenue", 0, INFINITY), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_add_factor(s, "fame", NULL, SVCQ_TIER_GROUP_INFLUENCE, wb), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_add_band(s, "fame", 0, 3, 0), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_add_band(s, "fame", 6, 10, 100), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_add_band(s, "fame", 3, 6, 50), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_set_default(s, "fame", 0), SVCQ_OK);
    return s;
}

static void test_refusals(void **state)
{
    (void)state;
    test_alloc a;
    svcq_ctx *ctx = ctx_new(&a);
    svcq_tier_scheme *s;
    assert_int_equal(svcq_tier_scheme_new(&s, ctx, "a@b", 1), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_scheme_new(&s, ctx, "x", 0), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_scheme_new(&s, ctx, "", 1), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_scheme_new(NULL, ctx, "x", 1), SVCQ_EINVAL);

    s = small(ctx, 60, 30);
    /* Per-call refusals. */
    assert_int_equal(svcq_tier_scheme_add_tier(s, "gold", NULL), SVCQ_EEXIST);
    assert_int_equal(svcq_tier_scheme_add_tier(s, "Gold", NULL), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "may hold only a-z, 0-9 and _"));
    assert_int_equal(svcq_tier_scheme_add_factor(s, "x", NULL, 7, 0), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "unknown group 7"));
    assert_int_equal(svcq_tier_scheme_add_factor(s, "x", NULL, 0, 101), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_scheme_add_factor(s, "revenue", NULL, 0, 1), SVCQ_EEXIST);
    assert_int_equal(svcq_tier_scheme_add_band(s, "fame", 5, 7, 80), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "factor fame: band [5, 7) overlaps band [3, 6)"));
    assert_int_equal(svcq_tier_scheme_add_band(s, "fame", 10, 20, 90), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "more of a factor may never lower the score"));
    assert_int_equal(svcq_tier_scheme_add_band(s, "fame", -5, 0, 10), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_scheme_add_band(s, "fame", 20, 10, 100), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_scheme_add_band(s, "revenue", 20, 30, 100), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "normalised by bounds, not bands"));
    assert_int_equal(svcq_tier_scheme_set_bounds(s, "fame", 0, 1), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_scheme_set_bounds(s, "revenue", 5, 5), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_scheme_add_band(s, "nobody", 0, 1, 1), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_tier_scheme_set_default(s, "revenue", -1), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_scheme_set_input_range(s, "fame", 1, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_scheme_set_input_range(s, "fame", 1, 10), SVCQ_EINVAL); /* default 0 outside */
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "its default 0 lies outside [1, 10]"));
    assert_int_equal(svcq_tier_scheme_set_min_score(s, "gold", 101), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_scheme_set_min_score(s, "lead", 1), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_tier_scheme_add_condition(s, "gold", "revenue", 5, 1), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_scheme_add_condition(s, "gold", "revenue", SVCQ_TIER_OP_GE, NAN), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_scheme_add_condition(s, "gold", "nobody", SVCQ_TIER_OP_GE, 1), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_tier_scheme_set_hysteresis(s, 0, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_scheme_set_hysteresis(s, 2, -1), SVCQ_EINVAL);

    /* Whole-scheme refusals at finish. */
    assert_int_equal(svcq_tier_scheme_finish(s), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "the factor weights sum to 90, not 100"));
    svcq_tier_scheme_free(s);

    s = small(ctx, 70, 30);
    assert_int_equal(svcq_tier_scheme_finish(s), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "tier gold has no rule"));
    assert_int_equal(svcq_tier_scheme_set_min_score(s, "gold", 80), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_set_min_score(s, "bronze", 10), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_set_min_score(s, "silver", 90), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_finish(s), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "tier bronze is the bottom tier, the fallback: it takes no rule"));
    svcq_tier_scheme_free(s);

    /* silver >= 90 below gold >= 80: every silver input is gold. */
    s = small(ctx, 70, 30);
    assert_int_equal(svcq_tier_scheme_set_min_score(s, "gold", 80), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_set_min_score(s, "silver", 90), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_finish(s), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "tier silver is never chosen: every input that meets its rule also "
                                                 "meets the rule of a higher tier"));
    svcq_tier_scheme_free(s);

    /* A condition no input can meet (revenue is at least 0... fame at most 10). */
    s = small(ctx, 70, 30);
    assert_int_equal(svcq_tier_scheme_set_input_range(s, "fame", 0, 10), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_add_condition(s, "gold", "fame", SVCQ_TIER_OP_GT, 10), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_set_min_score(s, "silver", 50), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_finish(s), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "tier gold: no input within the factors' ranges meets its rule "
                                                 "(fame > 10)"));
    svcq_tier_scheme_free(s);

    /* A score above what the weights can give is unreachable too. */
    s = small(ctx, 70, 30);
    assert_int_equal(svcq_tier_scheme_set_input_range(s, "revenue", 0, 500), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_set_min_score(s, "gold", 90), SVCQ_OK); /* at most 35 + 30 = 65 */
    assert_int_equal(svcq_tier_scheme_set_min_score(s, "silver", 50), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_finish(s), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "tier gold: no input"));
    svcq_tier_scheme_free(s);

    /* The fallback unreachable: silver takes everyone. */
    s = small(ctx, 70, 30);
    assert_int_equal(svcq_tier_scheme_set_min_score(s, "gold", 90), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_set_min_score(s, "silver", 0), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_finish(s), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "tier bronze is never chosen"));
    svcq_tier_scheme_free(s);

    /* A factor without normalisation. */
    assert_int_equal(svcq_tier_scheme_new(&s, ctx, "n", 1), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_add_tier(s, "a", NULL), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_add_tier(s, "b", NULL), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_add_factor(s, "x", NULL, 0, 100), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_set_min_score(s, "a", 50), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_finish(s), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "factor x has no normalisation"));
    assert_int_equal(svcq_tier_scheme_set_bounds(s, "x", 0, 1), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_finish(s), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_add_tier(s, "c", NULL), SVCQ_ESTATE);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "the scheme is finished (immutable)"));
    svcq_tier_result *r;
    assert_int_equal(svcq_tier_result_new(&r, ctx), SVCQ_OK);
    double x = NAN;
    assert_int_equal(svcq_tier_classify(r, s, &x, 1), SVCQ_EINVAL);
    svcq_tier_scheme_free(s);
    /* An unfinished scheme does not classify. */
    s = small(ctx, 70, 30);
    double in[2] = { 1, 1 };
    assert_int_equal(svcq_tier_classify(r, s, in, 2), SVCQ_ESTATE);
    /* A value in a gap between bands is an error, never a guess. */
    assert_int_equal(svcq_tier_scheme_set_min_score(s, "gold", 80), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_set_min_score(s, "silver", 40), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_finish(s), SVCQ_OK);
    in[1] = 11;
    assert_int_equal(svcq_tier_classify(r, s, in, 2), SVCQ_ERANGE);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "factor fame: input 11 falls in none of its bands"));
    in[1] = NAN; /* the default, 0 */
    assert_int_equal(svcq_tier_classify(r, s, in, 2), SVCQ_OK);
    assert_string_equal(svcq_tier_result_tier(r), "bronze");
    svcq_tier_result_free(r);
    svcq_tier_scheme_free(s);
    ctx_done(ctx, &a);
}

static uint64_t rng = 0x9E3779B97F4A7C15u;
static double uniform(double lo, double hi)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return lo + (hi - lo) * (double)(rng >> 11) / 9007199254740992.0;
}

static void random_input(double *v)
{
    v[SHARE] = uniform(0, 20);
    v[FREQ] = floor(uniform(0, 20));
    v[PROFIT] = uniform(-5, 15);
    v[STANDING] = uniform(0, 5);
    v[REPUTATION] = uniform(0, 5);
    v[PROSPECT] = uniform(0, 5);
    v[COMPLEXITY] = uniform(0, 5);
}

/* Every random input against the oracle, and raising any one factor never
 * lowers the tier (nor the score). */
static void test_monotone_property(void **state)
{
    (void)state;
    test_alloc a;
    svcq_ctx *ctx = ctx_new(&a);
    svcq_tier_scheme *s;
    svcq_tier_result *r;
    assert_int_equal(svcq_tier_scheme_builtin(&s, ctx), SVCQ_OK);
    assert_int_equal(svcq_tier_result_new(&r, ctx), SVCQ_OK);
    static const double max[NF] = { 100, 1000, 100, 5, 5, 5, 5 };
    int seen[4] = { 0 };
    for (int n = 0; n < 20000; n++) {
        double v[NF];
        random_input(v);
        assert_int_equal(svcq_tier_classify(r, s, v, NF), SVCQ_OK);
        uint32_t rank = svcq_tier_result_rank(r);
        int64_t score = svcq_tier_result_score_milli(r);
        assert_int_equal(score, oracle_score(v));
        assert_int_equal(rank, oracle_rank(v));
        seen[rank]++;
        int f = (int)uniform(0, NF);
        double w[NF];
        memcpy(w, v, sizeof(w));
        w[f] = uniform(v[f], max[f]);
        assert_int_equal(svcq_tier_classify(r, s, w, NF), SVCQ_OK);
        assert_true(svcq_tier_result_rank(r) <= rank);
        assert_true(svcq_tier_result_score_milli(r) >= score);
    }
    for (int t = 0; t < 4; t++)
        assert_true(seen[t] > 100); /* the inputs cover every tier */
    svcq_tier_result_free(r);
    svcq_tier_scheme_free(s);
    ctx_done(ctx, &a);
}

static char *export_scheme(svcq_ctx *ctx, const svcq_tier_scheme *s, uint32_t flags, size_t *len)
{
    svcq_buffer *b;
    svcq_writer w;
    assert_int_equal(svcq_buffer_new(&b, ctx), SVCQ_OK);
    assert_int_equal(svcq_writer_to_buffer(&w, b), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_export_json(s, &w, flags), SVCQ_OK);
    *len = svcq_buffer_size(b);
    char *out = malloc(*len + 1);
    memcpy(out, svcq_buffer_data(b), *len + 1);
    svcq_buffer_free(b);
    return out;
}

static void test_json_round_trip(void **state)
{
    (void)state;
    test_alloc a;
    svcq_ctx *ctx = ctx_new(&a);
    svcq_tier_scheme *s, *t;
    assert_int_equal(svcq_tier_scheme_builtin(&s, ctx), SVCQ_OK);
    for (uint32_t flags = 0; flags <= SVCQ_TIER_JSON_PRETTY; flags++) {
        size_t n, m;
        char *j = export_scheme(ctx, s, flags, &n);
        assert_int_equal(svcq_tier_scheme_import_json(&t, ctx, j, n), SVCQ_OK);
        char *k = export_scheme(ctx, t, flags, &m);
        assert_int_equal(n, m);
        assert_memory_equal(j, k, n);
        if (flags == 0)
            assert_non_null(strstr(j, "{\"key\":\"special\",\"name\":\"Special\",\"min_score\":70.0,\"conditions\":"
                                      "[{\"factor\":\"annual_purchase_share\",\"op\":\"ge\",\"value\":10.0}]}"));
        svcq_tier_scheme_free(t);
        free(j);
        free(k);
    }
    /* Refusals name the place. */
    static const struct { const char *doc; int rc; const char *msg; } bad[] = {
        { "{", SVCQ_EPARSE, "line 1, column 2" },
        { "{\"schema\":\"svcq.tier_scheme/2\"}", SVCQ_EVERSION, "" },
        { "{\"schema\":\"svcq.sla_policy/1\"}", SVCQ_EINVAL, "schema" },
        { "{\"schema\":\"svcq.tier_scheme/1\",\"name\":\"x\",\"version\":1,\"factors\":[],\"tiers\":[{\"key\":\"a\"},"
          "{\"key\":\"b\"}]}", SVCQ_EINVAL, "has no factors" },
        { "{\"schema\":\"svcq.tier_scheme/1\",\"name\":\"x\",\"version\":1,\"factors\":[{\"key\":\"f\",\"group\":\"fame\","
          "\"weight\":100,\"norm\":\"bounds\",\"lo\":0,\"hi\":1}],\"tiers\":[]}", SVCQ_EINVAL,
          "factors[0]: unknown group \"fame\"" },
        { "{\"schema\":\"svcq.tier_scheme/1\",\"name\":\"x\",\"version\":1,\"factors\":[{\"key\":\"f\",\"group\":\"value\","
          "\"weight\":100,\"norm\":\"bounds\",\"lo\":0}],\"tiers\":[]}", SVCQ_EINVAL, "factors[0]: field \"hi\"" },
        { "{\"schema\":\"svcq.tier_scheme/1\",\"name\":\"x\",\"version\":1,\"factors\":[{\"key\":\"f\",\"group\":\"value\","
          "\"weight\":100,\"norm\":\"bounds\",\"lo\":0,\"hi\":1}],\"tiers\":[{\"key\":\"a\",\"conditions\":[{\"factor\":"
          "\"f\",\"op\":\"le\",\"value\":1}]},{\"key\":\"b\"}]}", SVCQ_EINVAL, "tiers[0].conditions[0]: unknown op \"le\"" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        t = NULL;
        assert_int_equal(svcq_tier_scheme_import_json(&t, ctx, bad[i].doc, strlen(bad[i].doc)), bad[i].rc);
        assert_null(t);
        if (!strstr(svcq_ctx_errmsg(ctx), bad[i].msg))
            fail_msg("case %zu: %s", i, svcq_ctx_errmsg(ctx));
    }
    svcq_tier_scheme_free(s);
    ctx_done(ctx, &a);
}

static void test_store_and_markdown(void **state)
{
    (void)state;
    test_alloc a;
    svcq_ctx *ctx = ctx_new(&a);
    svcq_tier_scheme *s, *t, *u;
    assert_int_equal(svcq_tier_scheme_builtin(&s, ctx), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_revision(s), 0);
    assert_int_equal(svcq_tier_scheme_load(&t, ctx, "svcq.default", 1), SVCQ_ENOTFOUND);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "tier scheme svcq.default v1 is not stored"));
    assert_int_equal(svcq_tier_scheme_save(s), SVCQ_OK);
    uint64_t rev = svcq_tier_scheme_revision(s);
    assert_true(rev > 0);
    assert_int_equal(svcq_tier_scheme_save(s), SVCQ_OK); /* equal: nothing to do */
    assert_int_equal(svcq_tier_scheme_revision(s), rev);
    assert_int_equal(svcq_tier_scheme_load(&t, ctx, "svcq.default", 1), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_revision(t), rev);
    size_t n, m;
    char *j = export_scheme(ctx, s, 0, &n), *k = export_scheme(ctx, t, 0, &m);
    assert_int_equal(n, m);
    assert_memory_equal(j, k, n);
    free(j);
    free(k);
    /* Same name and version, other content: refused. */
    u = small(ctx, 70, 30);
    assert_int_equal(svcq_tier_scheme_set_min_score(u, "gold", 80), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_set_min_score(u, "silver", 40), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_save(u), SVCQ_OK);
    svcq_tier_scheme_free(u);
    u = small(ctx, 70, 30);
    assert_int_equal(svcq_tier_scheme_set_min_score(u, "gold", 85), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_set_min_score(u, "silver", 40), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_save(u), SVCQ_EEXIST);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "a saved version is immutable"));
    assert_int_equal(svcq_tier_scheme_revision(u), 0);
    svcq_tier_scheme_free(u);

    svcq_buffer *b;
    svcq_writer w;
    assert_int_equal(svcq_buffer_new(&b, ctx), SVCQ_OK);
    assert_int_equal(svcq_writer_to_buffer(&w, b), SVCQ_OK);
    assert_int_equal(svcq_tier_scheme_export_markdown(t, &w), SVCQ_OK);
    const char *md = svcq_buffer_data(b);
    assert_non_null(strstr(md, "## Tier scheme svcq.default v1\n"));
    assert_non_null(strstr(md, "| 0 | Special | `special` | score >= 70.000 and annual_purchase_share >= 10 |\n"));
    assert_non_null(strstr(md, "| 3 | Tier 3 | `tier_3` | fallback |\n"));
    assert_non_null(strstr(md, "| Orders per year | `purchase_frequency` | value | 15 % | bands: [0, 1) → 0; [1, 4) → 30; "
                               "[4, 12) → 60; [12, ∞) → 100 | 0 to ∞ | required |\n"));
    assert_non_null(strstr(md, "Promotion at once; demotion after 2 consecutive periods below, or at once 10.000 "
                               "points under the tier's minimum score."));
    svcq_buffer_free(b);
    svcq_tier_scheme_free(s);
    svcq_tier_scheme_free(t);
    ctx_done(ctx, &a);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(svcq_tier_group_name(SVCQ_TIER_GROUP_COMPLEXITY), "complexity");
    assert_null(svcq_tier_group_name(3));
    assert_string_equal(svcq_tier_norm_name(SVCQ_TIER_NORM_BANDS), "bands");
    assert_null(svcq_tier_norm_name(-1));
    assert_string_equal(svcq_tier_op_name(SVCQ_TIER_OP_GT), "gt");
    assert_null(svcq_tier_op_name(2));
    assert_string_equal(svcq_tier_change_name(SVCQ_TIER_CHANGE_EXPIRED), "expired");
    assert_null(svcq_tier_change_name(4));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_classifies), cmocka_unit_test(test_explanation),
        cmocka_unit_test(test_refusals),           cmocka_unit_test(test_monotone_property),
        cmocka_unit_test(test_json_round_trip),    cmocka_unit_test(test_store_and_markdown),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
