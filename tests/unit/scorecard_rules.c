/* Scorecard templates and rules: every rule's arithmetic against values
 * worked out by hand, clamping, band validation (gaps, overlaps, empty
 * bands), spec validation, N/A renormalisation, the built-in template,
 * JSON round trips byte for byte, the stored template, and names. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scorecard_fixture.h"
#include "svcq.h"
#include "test_alloc.h"

typedef struct fx {
    test_alloc alloc;
    svcq_ctx *ctx;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    test_alloc_init(&f->alloc);
    f->ctx = test_ctx_new(&f->alloc);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    svcq_ctx_free(f->ctx);
    assert_int_equal(f->alloc.live_blocks, 0);
    free(f);
    return 0;
}

static void has(const char *text, const char *part)
{
    assert_non_null(text);
    if (!strstr(text, part))
        fail_msg("\"%s\" not found in:\n%s", part, text);
}

/* A template with one item of each rule:
 *   manual    max 10
 *   rate_hi   max 8, higher better, target 98, floor 90
 *   rate_lo   max 4, lower better, target 1, floor 3
 *   deduct    max 10, 2 per event
 *   bands     max 10: [0,60) 0, [60,80) 5, [80,100] 12 (above max: clamped) */
static svcq_scorecard_template *rules_template(svcq_ctx *ctx)
{
    svcq_scorecard_template *t;
    assert_int_equal(svcq_scorecard_template_new(&t, ctx, "rules", 1), SVCQ_OK);
    assert_int_equal(svcq_scorecard_template_add_section(t, "s", "Section"), SVCQ_OK);
    svcq_scorecard_item_spec s = SVCQ_SCORECARD_ITEM_SPEC_INIT;
    s.section = "s";
    s.key = "manual";
    s.name = "Manual";
    s.max_points = 10000;
    assert_int_equal(svcq_scorecard_template_add_item(t, &s), SVCQ_OK);
    s.key = "rate_hi";
    s.name = "Rate, higher better";
    s.rule = SVCQ_SCORECARD_RULE_RATE;
    s.max_points = 8000;
    s.target = 98000;
    s.floor = 90000;
    assert_int_equal(svcq_scorecard_template_add_item(t, &s), SVCQ_OK);
    s.key = "rate_lo";
    s.name = "Rate, lower better";
    s.max_points = 4000;
    s.direction = SVCQ_SCORECARD_LOWER_BETTER;
    s.target = 1000;
    s.floor = 3000;
    assert_int_equal(svcq_scorecard_template_add_item(t, &s), SVCQ_OK);
    svcq_scorecard_item_spec d = SVCQ_SCORECARD_ITEM_SPEC_INIT;
    d.section = "s";
    d.key = "deduct";
    d.name = "Deduction";
    d.rule = SVCQ_SCORECARD_RULE_DEDUCTION;
    d.max_points = 10000;
    d.per_event = 2000;
    assert_int_equal(svcq_scorecard_template_add_item(t, &d), SVCQ_OK);
    svcq_scorecard_item_spec b = SVCQ_SCORECARD_ITEM_SPEC_INIT;
    b.section = "s";
    b.key = "bands";
    b.name = "Bands";
    b.rule = SVCQ_SCORECARD_RULE_BANDS;
    b.max_points = 10000;
    b.band_count = 3;
    int64_t from[] = { 0, 60000, 80000 }, to[] = { 60000, 80000, 100000 }, pts[] = { 0, 5000, 12000 };
    for (int i = 0; i < 3; i++) {
        b.band_from[i] = from[i];
        b.band_to[i] = to[i];
        b.band_points[i] = pts[i];
    }
    assert_int_equal(svcq_scorecard_template_add_item(t, &b), SVCQ_OK);
    return t;
}

/* Points of one value of item key on a fresh card. */
static int points_of(svcq_ctx *ctx, svcq_scorecard_period *p, const char *key, int64_t value, int64_t *pts,
                     int64_t *raw, uint32_t *clamped)
{
    (void)ctx;
    int rc = svcq_scorecard_set_value(p, "u", key, value);
    if (rc)
        return rc;
    for (uint32_t i = 0; i < 5; i++) {
        svcq_scorecard_item_result r = SVCQ_SCORECARD_ITEM_RESULT_INIT;
        assert_int_equal(svcq_scorecard_card_item(&r, p, "u", i), SVCQ_OK);
        if (strcmp(r.key, key) == 0) {
            *pts = r.points;
            *raw = r.raw_points;
            *clamped = r.clamped;
            return SVCQ_OK;
        }
    }
    fail_msg("no item %s", key);
    return -1;
}

static void rules_by_hand(void **state)
{
    fx *f = *state;
    svcq_scorecard_template *t = rules_template(f->ctx);
    svcq_scorecard_period *p;
    assert_int_equal(svcq_scorecard_period_new(&p, t, "2026-01", JAN1, FEB1), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_add_unit(p, "u"), SVCQ_OK);
    static const struct {
        const char *key;
        int64_t value, points, raw;
        uint32_t clamped;
    } cases[] = {
        /* manual: the value is the points, clamped to [0, 10] */
        { "manual", 7500, 7500, 7500, 0 },
        { "manual", 12000, 10000, 12000, 1 },
        { "manual", -3000, 0, -3000, 1 },
        { "manual", 10000, 10000, 10000, 0 },
        /* rate, higher better: 8 × (v − 90) / (98 − 90) between */
        { "rate_hi", 99000, 8000, 8000, 0 },
        { "rate_hi", 98000, 8000, 8000, 0 },
        { "rate_hi", 94000, 4000, 4000, 0 },
        { "rate_hi", 91000, 1000, 1000, 0 },
        { "rate_hi", 90001, 1, 1, 0 },       /* 8000 × 1 / 8000 */
        { "rate_hi", 95555, 5555, 5555, 0 }, /* 8000 × 5555 / 8000 */
        { "rate_hi", 90000, 0, 0, 0 },
        { "rate_hi", 12000, 0, 0, 0 },
        /* rate, lower better: 4 × (3 − v) / (3 − 1) between */
        { "rate_lo", 500, 4000, 4000, 0 },
        { "rate_lo", 1000, 4000, 4000, 0 },
        { "rate_lo", 2000, 2000, 2000, 0 },
        { "rate_lo", 2200, 1600, 1600, 0 },
        { "rate_lo", 2999, 2, 2, 0 }, /* 4000 × 1 / 2000 */
        { "rate_lo", 3000, 0, 0, 0 },
        { "rate_lo", 9000, 0, 0, 0 },
        /* deduction: 10 − 2 per event, floor 0 */
        { "deduct", 0, 10000, 10000, 0 },
        { "deduct", 3000, 4000, 4000, 0 },
        { "deduct", 5000, 0, 0, 0 },
        { "deduct", 6000, 0, -2000, 1 },
        { "deduct", 2500, 5000, 5000, 0 }, /* half events count pro rata */
        /* bands: [0,60) 0, [60,80) 5, [80,100] 12 → clamped to 10 */
        { "bands", 0, 0, 0, 0 },
        { "bands", 59999, 0, 0, 0 },
        { "bands", 60000, 5000, 5000, 0 },
        { "bands", 79999, 5000, 5000, 0 },
        { "bands", 80000, 10000, 12000, 1 },
        { "bands", 100000, 10000, 12000, 1 }, /* the last band is closed */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t pts = -1, raw = -1;
        uint32_t cl = 9;
        assert_int_equal(points_of(f->ctx, p, cases[i].key, cases[i].value, &pts, &raw, &cl), SVCQ_OK);
        if (pts != cases[i].points || raw != cases[i].raw || cl != cases[i].clamped)
            fail_msg("%s = %lld: points %lld raw %lld clamped %u, expected %lld %lld %u", cases[i].key,
                     (long long)cases[i].value, (long long)pts, (long long)raw, cl, (long long)cases[i].points,
                     (long long)cases[i].raw, cases[i].clamped);
    }
    /* Values a rule refuses leave the card as it was. */
    svcq_scorecard_card_info before = SVCQ_SCORECARD_CARD_INFO_INIT, after = SVCQ_SCORECARD_CARD_INFO_INIT;
    assert_int_equal(svcq_scorecard_card_totals(&before, p, "u"), SVCQ_OK);
    assert_int_equal(svcq_scorecard_set_value(p, "u", "bands", 100001), SVCQ_ERANGE);
    has(svcq_ctx_errmsg(f->ctx), "outside its bands [0, 100]");
    assert_int_equal(svcq_scorecard_set_value(p, "u", "bands", -1), SVCQ_ERANGE);
    assert_int_equal(svcq_scorecard_set_value(p, "u", "deduct", -1000), SVCQ_ERANGE);
    has(svcq_ctx_errmsg(f->ctx), "event count cannot be negative");
    assert_int_equal(svcq_scorecard_set_value(p, "u", "manual", SVCQ_SCORECARD_MAX_VALUE + 1), SVCQ_ERANGE);
    assert_int_equal(svcq_scorecard_set_value(p, "u", "nope", 1), SVCQ_ENOTFOUND);
    has(svcq_ctx_errmsg(f->ctx), "no item \"nope\"");
    assert_int_equal(svcq_scorecard_set_value(p, "x", "manual", 1), SVCQ_ENOTFOUND);
    has(svcq_ctx_errmsg(f->ctx), "no card for unit x");
    assert_int_equal(svcq_scorecard_card_totals(&after, p, "u"), SVCQ_OK);
    assert_int_equal(after.revision, before.revision);
    assert_int_equal(after.points, before.points);
    /* Totals: manual 10 + rate_hi 0 + rate_lo 0 + deduct 5 + bands 10 = 25 of 42. */
    assert_int_equal(after.points, 25000);
    assert_int_equal(after.max_points, 42000);
    assert_int_equal(after.share, 59524); /* 25 / 42 = 59.5238 % */
    assert_int_equal(after.clamped, 1);
    /* The template is frozen while a period uses it. */
    assert_int_equal(svcq_scorecard_template_add_section(t, "t", "T"), SVCQ_ESTATE);
    has(svcq_ctx_errmsg(f->ctx), "make a new version");
    svcq_scorecard_template_free(t); /* the period keeps it */
    assert_int_equal(svcq_scorecard_set_values(p, "u", NULL, NULL, 0), SVCQ_OK);
    svcq_scorecard_period_free(p);
}

static void na_renormalises(void **state)
{
    fx *f = *state;
    svcq_scorecard_template *t = rules_template(f->ctx);
    svcq_scorecard_period *p;
    assert_int_equal(svcq_scorecard_period_new(&p, t, "2026-01", JAN1, FEB1), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_add_unit(p, "u"), SVCQ_OK);
    const char *items[] = { "manual", "rate_hi", "rate_lo", "deduct", "bands" };
    int64_t vals[] = { 10000, 94000, 1000, 0, 60000 }; /* 10 + 4 + 4 + 10 + 5 = 33 of 42 */
    assert_int_equal(svcq_scorecard_set_values(p, "u", items, vals, 5), SVCQ_OK);
    svcq_scorecard_card_info c = SVCQ_SCORECARD_CARD_INFO_INIT;
    assert_int_equal(svcq_scorecard_card_totals(&c, p, "u"), SVCQ_OK);
    assert_int_equal(c.points, 33000);
    assert_int_equal(c.max_points, 42000);
    assert_int_equal(c.share, 78571); /* 33 / 42 */
    /* rate_hi (4 of 8) is not applicable: 29 of 34. */
    assert_int_equal(svcq_scorecard_set_na(p, "u", "rate_hi", "no complaints this month"), SVCQ_OK);
    assert_int_equal(svcq_scorecard_card_totals(&c, p, "u"), SVCQ_OK);
    assert_int_equal(c.points, 29000);
    assert_int_equal(c.max_points, 34000);
    assert_int_equal(c.nominal_max, 42000);
    assert_int_equal(c.na_count, 1);
    assert_int_equal(c.share, 85294); /* 29 / 34 = 85.294 % */
    svcq_scorecard_item_result r = SVCQ_SCORECARD_ITEM_RESULT_INIT;
    assert_int_equal(svcq_scorecard_card_item(&r, p, "u", 1), SVCQ_OK);
    assert_int_equal(r.na, 1);
    assert_int_equal(r.points, 0);
    assert_string_equal(r.na_reason, "no complaints this month");
    /* The card shows both maxima and the reason. */
    char *md = sc_card_text(p, f->ctx, "u", SVCQ_SCORECARD_MARKDOWN);
    has(md, "not applicable: no complaints this month");
    has(md, "Maximum: 34 of the template's 42 (1 item not applicable: excluded, the maximum shrinks)");
    has(md, "Share: 85.294 %");
    free(md);
    /* Applicable again: its old value counts again. */
    assert_int_equal(svcq_scorecard_set_na(p, "u", "rate_hi", NULL), SVCQ_OK);
    assert_int_equal(svcq_scorecard_card_totals(&c, p, "u"), SVCQ_OK);
    assert_int_equal(c.points, 33000);
    /* Every item N/A: share 0, maximum 0. */
    for (int i = 0; i < 5; i++)
        assert_int_equal(svcq_scorecard_set_na(p, "u", items[i], "closed for refit"), SVCQ_OK);
    assert_int_equal(svcq_scorecard_card_totals(&c, p, "u"), SVCQ_OK);
    assert_int_equal(c.max_points, 0);
    assert_int_equal(c.share, 0);
    /* A value makes an item applicable again. */
    assert_int_equal(svcq_scorecard_set_value(p, "u", "manual", 5000), SVCQ_OK);
    assert_int_equal(svcq_scorecard_card_totals(&c, p, "u"), SVCQ_OK);
    assert_int_equal(c.share, 50000);
    assert_int_equal(svcq_scorecard_set_na(p, "u", "manual", ""), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_set_na(p, "u", "manual", "bad\x01"), SVCQ_EINVAL);
    svcq_scorecard_period_free(p);
    svcq_scorecard_template_free(t);
}

static int add_bands(svcq_scorecard_template *t, uint32_t n, const int64_t *from, const int64_t *to,
                     const int64_t *pts)
{
    svcq_scorecard_item_spec b = SVCQ_SCORECARD_ITEM_SPEC_INIT;
    b.section = "s";
    b.key = "b";
    b.name = "B";
    b.rule = SVCQ_SCORECARD_RULE_BANDS;
    b.max_points = 10000;
    b.band_count = n;
    for (uint32_t i = 0; i < n && i < SVCQ_SCORECARD_MAX_BANDS; i++) {
        b.band_from[i] = from[i];
        b.band_to[i] = to[i];
        b.band_points[i] = pts[i];
    }
    return svcq_scorecard_template_add_item(t, &b);
}

static void band_validation(void **state)
{
    fx *f = *state;
    svcq_scorecard_template *t;
    assert_int_equal(svcq_scorecard_template_new(&t, f->ctx, "b", 1), SVCQ_OK);
    assert_int_equal(svcq_scorecard_template_add_section(t, "s", "S"), SVCQ_OK);
    int64_t p3[] = { 0, 5000, 10000 };
    {
        int64_t from[] = { 0, 61000, 80000 }, to[] = { 60000, 80000, 100000 };
        assert_int_equal(add_bands(t, 3, from, to, p3), SVCQ_EINVAL);
        has(svcq_ctx_errmsg(f->ctx), "gap between band 0 (to 60000) and band 1 (from 61000)");
    }
    {
        int64_t from[] = { 0, 59000, 80000 }, to[] = { 60000, 80000, 100000 };
        assert_int_equal(add_bands(t, 3, from, to, p3), SVCQ_EINVAL);
        has(svcq_ctx_errmsg(f->ctx), "band 1 (from 59000) overlaps band 0 (to 60000)");
    }
    {
        int64_t from[] = { 0, 80000, 60000 }, to[] = { 60000, 100000, 80000 };
        assert_int_equal(add_bands(t, 3, from, to, p3), SVCQ_EINVAL); /* not ascending: a gap */
        has(svcq_ctx_errmsg(f->ctx), "gap");
    }
    {
        int64_t from[] = { 0, 60000 }, to[] = { 60000, 60000 };
        assert_int_equal(add_bands(t, 2, from, to, p3), SVCQ_EINVAL);
        has(svcq_ctx_errmsg(f->ctx), "band 1 is empty");
    }
    {
        int64_t from[] = { 0 }, to[] = { 60000 }, neg[] = { -1 };
        assert_int_equal(add_bands(t, 1, from, to, neg), SVCQ_EINVAL);
        has(svcq_ctx_errmsg(f->ctx), "points -1 must be 0");
    }
    {
        int64_t from[SVCQ_SCORECARD_MAX_BANDS + 1] = { 0 }, to[SVCQ_SCORECARD_MAX_BANDS + 1] = { 60000 },
                pts[SVCQ_SCORECARD_MAX_BANDS + 1] = { 0 };
        assert_int_equal(add_bands(t, 0, from, to, pts), SVCQ_EINVAL);
        assert_int_equal(add_bands(t, SVCQ_SCORECARD_MAX_BANDS + 1, from, to, pts), SVCQ_EINVAL);
        has(svcq_ctx_errmsg(f->ctx), "band_count 17");
    }
    assert_int_equal(svcq_scorecard_template_item_count(t), 0);
    /* A band left over past band_count is another rule's field. */
    svcq_scorecard_item_spec b = SVCQ_SCORECARD_ITEM_SPEC_INIT;
    b.section = "s";
    b.key = "b";
    b.name = "B";
    b.rule = SVCQ_SCORECARD_RULE_BANDS;
    b.max_points = 10000;
    b.band_count = 1;
    b.band_to[0] = 10;
    b.band_to[1] = 20;
    assert_int_equal(svcq_scorecard_template_add_item(t, &b), SVCQ_EINVAL);
    b.band_to[1] = 0;
    assert_int_equal(svcq_scorecard_template_add_item(t, &b), SVCQ_OK);
    svcq_scorecard_template_free(t);
}

static void spec_validation(void **state)
{
    fx *f = *state;
    svcq_ctx *ctx = f->ctx;
    svcq_scorecard_template *t;
    assert_int_equal(svcq_scorecard_template_new(&t, ctx, "a/b", 1), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_template_new(&t, ctx, "a@b", 1), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_template_new(&t, ctx, "a", 0), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_template_new(&t, ctx, "", 1), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_template_new(NULL, ctx, "a", 1), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_template_new(&t, ctx, "v", 1), SVCQ_OK);
    assert_int_equal(svcq_scorecard_template_add_section(t, "Bad", "x"), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_template_add_section(t, "s", ""), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_template_add_section(t, "s", "S"), SVCQ_OK);
    assert_int_equal(svcq_scorecard_template_add_section(t, "s", "S"), SVCQ_EINVAL);
    has(svcq_ctx_errmsg(ctx), "section s is already there");
    svcq_scorecard_item_spec s = SVCQ_SCORECARD_ITEM_SPEC_INIT;
    s.section = "s";
    s.key = "k";
    s.name = "K";
    s.max_points = 5000;
    svcq_scorecard_item_spec x = s;
    x.section = "nope";
    assert_int_equal(svcq_scorecard_template_add_item(t, &x), SVCQ_EINVAL);
    has(svcq_ctx_errmsg(ctx), "no section \"nope\"");
    x = s;
    x.max_points = 0;
    assert_int_equal(svcq_scorecard_template_add_item(t, &x), SVCQ_EINVAL);
    x.max_points = SVCQ_SCORECARD_MAX_POINTS + 1;
    assert_int_equal(svcq_scorecard_template_add_item(t, &x), SVCQ_EINVAL);
    x = s;
    x.target = 5; /* a manual rule has no target */
    assert_int_equal(svcq_scorecard_template_add_item(t, &x), SVCQ_EINVAL);
    has(svcq_ctx_errmsg(ctx), "a field of another rule than manual is set");
    x = s;
    x.rule = SVCQ_SCORECARD_RULE_RATE;
    x.target = 90000;
    x.floor = 95000; /* higher better but floor above target */
    assert_int_equal(svcq_scorecard_template_add_item(t, &x), SVCQ_EINVAL);
    has(svcq_ctx_errmsg(ctx), "higher is better, so the floor (95000) must lie below the target (90000)");
    x.direction = SVCQ_SCORECARD_LOWER_BETTER;
    x.floor = 90000;
    assert_int_equal(svcq_scorecard_template_add_item(t, &x), SVCQ_EINVAL);
    x.direction = 7;
    assert_int_equal(svcq_scorecard_template_add_item(t, &x), SVCQ_EINVAL);
    x = s;
    x.rule = SVCQ_SCORECARD_RULE_DEDUCTION;
    assert_int_equal(svcq_scorecard_template_add_item(t, &x), SVCQ_EINVAL);
    has(svcq_ctx_errmsg(ctx), "per_event 0");
    x = s;
    x.rule = 9;
    assert_int_equal(svcq_scorecard_template_add_item(t, &x), SVCQ_EINVAL);
    x = s;
    x.reserved[2] = 1;
    assert_int_equal(svcq_scorecard_template_add_item(t, &x), SVCQ_EINVAL);
    x = s;
    x.version = 2;
    assert_int_equal(svcq_scorecard_template_add_item(t, &x), SVCQ_EVERSION);
    x = s;
    x.name = "bad\xff";
    assert_int_equal(svcq_scorecard_template_add_item(t, &x), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_template_add_item(t, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_template_item_count(t), 0);
    assert_int_equal(svcq_scorecard_template_add_item(t, &s), SVCQ_OK);
    assert_int_equal(svcq_scorecard_template_add_item(t, &s), SVCQ_EINVAL);
    has(svcq_ctx_errmsg(ctx), "item k is already there");
    /* Read back. */
    svcq_scorecard_item_spec back = SVCQ_SCORECARD_ITEM_SPEC_INIT;
    assert_int_equal(svcq_scorecard_template_item(&back, t, 0), SVCQ_OK);
    assert_string_equal(back.key, "k");
    assert_string_equal(back.source, "host");
    assert_int_equal(back.max_points, 5000);
    assert_int_equal(svcq_scorecard_template_item(&back, t, 1), SVCQ_ENOTFOUND);
    /* Veto rules. */
    svcq_scorecard_veto_spec v = SVCQ_SCORECARD_VETO_SPEC_INIT;
    v.key = "safety";
    v.name = "Major safety incident";
    v.threshold = 2;
    assert_int_equal(svcq_scorecard_template_add_veto(t, &v), SVCQ_EINVAL); /* manual with a threshold */
    v.threshold = 0;
    assert_int_equal(svcq_scorecard_template_add_veto(t, &v), SVCQ_OK);
    assert_int_equal(svcq_scorecard_template_add_veto(t, &v), SVCQ_EINVAL);
    v.key = "orders";
    v.kind = SVCQ_SCORECARD_VETO_ORDERS;
    assert_int_equal(svcq_scorecard_template_add_veto(t, &v), SVCQ_EINVAL); /* orders without threshold */
    v.kind = 5;
    assert_int_equal(svcq_scorecard_template_add_veto(t, &v), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_template_veto_count(t), 1);
    /* Composite settings. */
    assert_int_equal(svcq_scorecard_template_set_composite(t, 60, 30, SVCQ_SCORECARD_EFFECT_ZERO, 0), SVCQ_EINVAL);
    has(svcq_ctx_errmsg(ctx), "must add up to 100");
    assert_int_equal(svcq_scorecard_template_set_composite(t, 70, 30, 3, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_template_set_composite(t, 70, 30, SVCQ_SCORECARD_EFFECT_ZERO, 5), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_template_set_composite(t, 70, 30, SVCQ_SCORECARD_EFFECT_CAP, 100001),
                     SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_template_set_composite(t, 70, 30, SVCQ_SCORECARD_EFFECT_CAP, 60000), SVCQ_OK);
    uint32_t cw, sw;
    int32_t eff;
    int64_t cap;
    assert_int_equal(svcq_scorecard_template_composite(&cw, &sw, &eff, &cap, t), SVCQ_OK);
    assert_int_equal(cw, 70);
    assert_int_equal(sw, 30);
    assert_int_equal(eff, SVCQ_SCORECARD_EFFECT_CAP);
    assert_int_equal(cap, 60000);
    assert_int_equal(svcq_scorecard_template_set_note(t, "line one\nline two"), SVCQ_OK);
    assert_string_equal(svcq_scorecard_template_note(t), "line one\nline two");
    assert_int_equal(svcq_scorecard_template_set_note(t, NULL), SVCQ_OK);
    assert_string_equal(svcq_scorecard_template_note(t), "");
    svcq_scorecard_template_free(t);
    svcq_scorecard_template_free(NULL);
    assert_int_equal(svcq_scorecard_item_spec_init(&s, 0), SVCQ_EVERSION);
    assert_int_equal(svcq_scorecard_veto_spec_init(NULL, 1), SVCQ_EINVAL);
}

static void builtin_template(void **state)
{
    fx *f = *state;
    svcq_scorecard_template *t;
    assert_int_equal(svcq_scorecard_template_builtin(&t, f->ctx, 2), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_template_builtin(&t, f->ctx, SVCQ_SCORECARD_BUILTIN_TELECOM), SVCQ_OK);
    assert_string_equal(svcq_scorecard_template_name(t), "telecom-branch");
    assert_int_equal(svcq_scorecard_template_item_count(t), 9);
    /* The nine listed items add up to 94, and nothing pads them to 100. */
    static const int64_t max[9] = { 35000, 10000, 10000, 8000, 4000, 4000, 10000, 3000, 10000 };
    int64_t sum = 0;
    for (uint32_t i = 0; i < 9; i++) {
        svcq_scorecard_item_spec s = SVCQ_SCORECARD_ITEM_SPEC_INIT;
        assert_int_equal(svcq_scorecard_template_item(&s, t, i), SVCQ_OK);
        assert_string_equal(s.key, SC_ITEMS[i]);
        assert_int_equal(s.max_points, max[i]);
        sum += s.max_points;
    }
    assert_int_equal(sum, 94000);
    assert_int_equal(svcq_scorecard_template_max_points(t), 94000);
    has(svcq_scorecard_template_note(t), "cut off");
    has(svcq_scorecard_template_note(t), "94 points");
    svcq_scorecard_veto_spec v = SVCQ_SCORECARD_VETO_SPEC_INIT;
    assert_int_equal(svcq_scorecard_template_veto(&v, t, 0), SVCQ_OK);
    assert_string_equal(v.key, "gm_orders");
    assert_int_equal(v.kind, SVCQ_SCORECARD_VETO_ORDERS);
    assert_int_equal(v.threshold, 3);
    uint32_t cw, sw;
    int32_t eff;
    assert_int_equal(svcq_scorecard_template_composite(&cw, &sw, &eff, NULL, t), SVCQ_OK);
    assert_int_equal(cw, 60);
    assert_int_equal(sw, 40);
    assert_int_equal(eff, SVCQ_SCORECARD_EFFECT_ZERO);
    char *md = sc_tpl_text(t, f->ctx, SVCQ_SCORECARD_MARKDOWN, 0);
    has(md, "| Service management | Complaint-handling timeliness rate (%) | complaint_timeliness | 8 | rate: full at "
            ">= 98, zero at <= 90, linear between | metrics:complaint_timeliness_rate |");
    has(md, "| | **total** | | **94** | | |");
    has(md, "| gm_orders | orders | 3 |");
    has(md, "Composite: 60 % card share (points / applicable maximum) + 40 % satisfaction; a veto: zero.");
    free(md);
    svcq_scorecard_template_free(t);
}

static char *roundtrip(fx *f, svcq_scorecard_template *t, uint32_t flags)
{
    char *a = sc_tpl_text(t, f->ctx, SVCQ_SCORECARD_JSON, flags);
    assert_non_null(a);
    svcq_scorecard_template *back;
    assert_int_equal(svcq_scorecard_template_import(&back, f->ctx, a, strlen(a)), SVCQ_OK);
    char *b = sc_tpl_text(back, f->ctx, SVCQ_SCORECARD_JSON, flags);
    assert_string_equal(a, b);
    svcq_scorecard_template_free(back);
    free(b);
    return a;
}

static void json_roundtrip(void **state)
{
    fx *f = *state;
    svcq_scorecard_template *t;
    assert_int_equal(svcq_scorecard_template_builtin(&t, f->ctx, SVCQ_SCORECARD_BUILTIN_TELECOM), SVCQ_OK);
    free(roundtrip(f, t, 0));
    char *pretty = roundtrip(f, t, SVCQ_SCORECARD_JSON_PRETTY);
    has(pretty, "\"schema\": \"svcq.scorecard_template/1\"");
    has(pretty, "\"per_event\": 2000");
    free(pretty);
    svcq_scorecard_template_free(t);
    t = rules_template(f->ctx);
    assert_int_equal(svcq_scorecard_template_set_composite(t, 50, 50, SVCQ_SCORECARD_EFFECT_CAP, 60000), SVCQ_OK);
    char *a = roundtrip(f, t, 0);
    has(a, "\"bands\":[{\"from\":0,\"to\":60000,\"points\":0}");
    has(a, "\"direction\":\"lower_better\"");
    /* Damaged documents. */
    svcq_scorecard_template *x = (svcq_scorecard_template *)1;
    assert_int_equal(svcq_scorecard_template_import(&x, f->ctx, "{", 1), SVCQ_EPARSE);
    assert_null(x);
    const char *wrong_kind = "{\"schema\":\"svcq.sla_policy/1\"}";
    assert_int_equal(svcq_scorecard_template_import(&x, f->ctx, wrong_kind, strlen(wrong_kind)), SVCQ_ECORRUPT);
    const char *newer = "{\"schema\":\"svcq.scorecard_template/2\"}";
    assert_int_equal(svcq_scorecard_template_import(&x, f->ctx, newer, strlen(newer)), SVCQ_EVERSION);
    /* A gap between bands is refused on import as it is by the setter. */
    char *gap = strdup(a);
    char *at = strstr(gap, "\"from\":60000");
    assert_non_null(at);
    memcpy(at, "\"from\":60001", 12);
    assert_int_equal(svcq_scorecard_template_import(&x, f->ctx, gap, strlen(gap)), SVCQ_ECORRUPT);
    has(svcq_ctx_errmsg(f->ctx), "gap between band 0");
    free(gap);
    char *missing = strdup(a);
    at = strstr(missing, "\"max_points\"");
    memcpy(at, "\"max_pointz\"", 12);
    assert_int_equal(svcq_scorecard_template_import(&x, f->ctx, missing, strlen(missing)), SVCQ_ECORRUPT);
    has(svcq_ctx_errmsg(f->ctx), "max_points");
    free(missing);
    char *rule = strdup(a);
    at = strstr(rule, "\"rule\":\"manual\"");
    assert_non_null(at);
    memcpy(at, "\"rule\":\"manuel\"", 15);
    assert_int_equal(svcq_scorecard_template_import(&x, f->ctx, rule, strlen(rule)), SVCQ_ECORRUPT);
    has(svcq_ctx_errmsg(f->ctx), "unknown value \"manuel\"");
    free(rule);
    assert_int_equal(svcq_scorecard_template_import(&x, f->ctx, NULL, 3), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_template_export(t, NULL, SVCQ_SCORECARD_JSON, 0), SVCQ_EINVAL);
    free(a);
    svcq_scorecard_template_free(t);
}

static int export_csv(const svcq_writer *w, void *arg)
{
    return svcq_scorecard_template_export(arg, w, SVCQ_SCORECARD_CSV, 0);
}

static int export_flags(const svcq_writer *w, void *arg)
{
    return svcq_scorecard_template_export(arg, w, SVCQ_SCORECARD_JSON, 4);
}

static void template_store(void **state)
{
    fx *f = *state;
    svcq_scorecard_template *t, *t2, *other, *loaded;
    assert_int_equal(svcq_scorecard_template_builtin(&t, f->ctx, SVCQ_SCORECARD_BUILTIN_TELECOM), SVCQ_OK);
    assert_int_equal(svcq_scorecard_template_revision(t), 0);
    assert_int_equal(svcq_scorecard_template_load(&loaded, f->ctx, "telecom-branch", 1), SVCQ_ENOTFOUND);
    has(svcq_ctx_errmsg(f->ctx), "is not stored");
    assert_int_equal(svcq_scorecard_template_save(t), SVCQ_OK);
    uint64_t rev = svcq_scorecard_template_revision(t);
    assert_true(rev > 0);
    assert_int_equal(svcq_scorecard_template_set_note(t, "x"), SVCQ_ESTATE); /* immutable once saved */
    assert_int_equal(svcq_scorecard_template_save(t), SVCQ_OK);               /* equal: nothing stored */
    assert_int_equal(svcq_scorecard_template_revision(t), rev);
    assert_int_equal(svcq_scorecard_template_builtin(&t2, f->ctx, SVCQ_SCORECARD_BUILTIN_TELECOM), SVCQ_OK);
    assert_int_equal(svcq_scorecard_template_save(t2), SVCQ_OK);
    assert_int_equal(svcq_scorecard_template_revision(t2), rev);
    /* Other content under the same name and version. */
    assert_int_equal(svcq_scorecard_template_new(&other, f->ctx, "telecom-branch", 1), SVCQ_OK);
    assert_int_equal(svcq_scorecard_template_save(other), SVCQ_EEXIST);
    has(svcq_ctx_errmsg(f->ctx), "immutable");
    assert_int_equal(svcq_scorecard_template_revision(other), 0);
    assert_int_equal(svcq_scorecard_template_add_section(other, "s", "S"), SVCQ_OK); /* still mutable */
    assert_int_equal(svcq_scorecard_template_load(&loaded, f->ctx, "telecom-branch", 1), SVCQ_OK);
    assert_int_equal(svcq_scorecard_template_revision(loaded), rev);
    char *a = sc_tpl_text(t, f->ctx, SVCQ_SCORECARD_JSON, 0), *b = sc_tpl_text(loaded, f->ctx, SVCQ_SCORECARD_JSON, 0);
    assert_string_equal(a, b);
    free(a);
    free(b);
    svcq_scorecard_template *none;
    assert_int_equal(svcq_scorecard_template_load(&none, f->ctx, "telecom-branch", 0), SVCQ_EINVAL);
    assert_null(none);
    int rc;
    assert_null(sc_capture(f->ctx, export_csv, t, &rc));
    assert_int_equal(rc, SVCQ_EINVAL);
    assert_null(sc_capture(f->ctx, export_flags, t, &rc));
    assert_int_equal(rc, SVCQ_EINVAL);
    svcq_scorecard_template_free(loaded);
    svcq_scorecard_template_free(other);
    svcq_scorecard_template_free(t2);
    svcq_scorecard_template_free(t);
}

static void names_and_csat(void **state)
{
    (void)state;
    assert_string_equal(svcq_scorecard_rule_name(SVCQ_SCORECARD_RULE_BANDS), "bands");
    assert_null(svcq_scorecard_rule_name(4));
    assert_string_equal(svcq_scorecard_direction_name(SVCQ_SCORECARD_LOWER_BETTER), "lower_better");
    assert_null(svcq_scorecard_direction_name(-1));
    assert_string_equal(svcq_scorecard_veto_kind_name(SVCQ_SCORECARD_VETO_ORDERS), "orders");
    assert_string_equal(svcq_scorecard_veto_effect_name(SVCQ_SCORECARD_EFFECT_EXCLUDE), "exclude");
    assert_null(svcq_scorecard_veto_effect_name(3));
    assert_string_equal(svcq_scorecard_format_name(SVCQ_SCORECARD_SVG), "svg");
    assert_string_equal(svcq_scorecard_basis_name(SVCQ_SCORECARD_BASIS_COMPOSITE), "composite");
    assert_string_equal(svcq_scorecard_builtin_id_name(SVCQ_SCORECARD_BUILTIN_TELECOM), "telecom");
    assert_null(svcq_scorecard_builtin_id_name(0));
    /* CSAT 1-5 → satisfaction 0-100: (mean − 1) / 4 × 100. */
    int64_t s;
    assert_int_equal(svcq_scorecard_csat_satisfaction(&s, 1000), SVCQ_OK);
    assert_int_equal(s, 0);
    assert_int_equal(svcq_scorecard_csat_satisfaction(&s, 3000), SVCQ_OK);
    assert_int_equal(s, 50000);
    assert_int_equal(svcq_scorecard_csat_satisfaction(&s, 4200), SVCQ_OK);
    assert_int_equal(s, 80000);
    assert_int_equal(svcq_scorecard_csat_satisfaction(&s, 4333), SVCQ_OK);
    assert_int_equal(s, 83325);
    assert_int_equal(svcq_scorecard_csat_satisfaction(&s, 5000), SVCQ_OK);
    assert_int_equal(s, 100000);
    assert_int_equal(svcq_scorecard_csat_satisfaction(&s, 999), SVCQ_ERANGE);
    assert_int_equal(svcq_scorecard_csat_satisfaction(&s, 5001), SVCQ_ERANGE);
    assert_int_equal(svcq_scorecard_csat_satisfaction(NULL, 3000), SVCQ_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(rules_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(na_renormalises, setup, teardown),
        cmocka_unit_test_setup_teardown(band_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(spec_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(builtin_template, setup, teardown),
        cmocka_unit_test_setup_teardown(json_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(template_store, setup, teardown),
        cmocka_unit_test(names_and_csat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
