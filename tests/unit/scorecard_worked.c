/* The worked example of docs/scorecard.md, computed by hand here (every
 * expected figure below is written out with its arithmetic, never taken
 * from the library): two months of the built-in telecom template for
 * three branches, branch-b vetoed in January by three unanswered orders of
 * the general manager, the January card ranking, the half-year 60/40
 * composites and their ranking under each veto effect, the change against
 * January, and the exports. */
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

static void has(const char *text, const char *part)
{
    assert_non_null(text);
    if (!strstr(text, part))
        fail_msg("\"%s\" not found in:\n%s", part, text);
}

typedef struct world {
    test_alloc alloc;
    svcq_ctx *ctx;
    svcq_scorecard_template *t;
    svcq_scorecard_period *jan, *feb;
} world;

/* The built-in template, or a version 2 of it with another veto effect. */
static void build(world *w, int32_t effect, int64_t cap)
{
    test_alloc_init(&w->alloc);
    w->ctx = test_ctx_new(&w->alloc);
    svcq_scorecard_template *b;
    assert_int_equal(svcq_scorecard_template_builtin(&b, w->ctx, SVCQ_SCORECARD_BUILTIN_TELECOM), SVCQ_OK);
    if (effect == SVCQ_SCORECARD_EFFECT_ZERO) {
        w->t = b;
    } else {
        char *json = sc_tpl_text(b, w->ctx, SVCQ_SCORECARD_JSON, 0);
        char from[] = "\"veto_effect\":\"zero\",\"cap\":0", to[96];
        snprintf(to, sizeof(to), "\"veto_effect\":\"%s\",\"cap\":%lld", svcq_scorecard_veto_effect_name(effect),
                 (long long)cap);
        char *at = strstr(json, from);
        assert_non_null(at);
        size_t n = strlen(json) + strlen(to);
        char *edited = malloc(n + 1);
        snprintf(edited, n + 1, "%.*s%s%s", (int)(at - json), json, to, at + strlen(from));
        assert_int_equal(svcq_scorecard_template_import(&w->t, w->ctx, edited, strlen(edited)), SVCQ_OK);
        free(edited);
        free(json);
        svcq_scorecard_template_free(b);
    }
    /* January: the values of scorecard_fixture.h. */
    assert_int_equal(svcq_scorecard_period_new(&w->jan, w->t, "2026-01", JAN1, FEB1), SVCQ_OK);
    assert_int_equal(sc_fill(w->jan, SC_JAN), SVCQ_OK);
    /* Li, head of branch-b: one reply 24 h + 1 s late, one never, one two days late. */
    svcq_time t0 = JAN1 + 4 * DAY + 9 * HOUR;
    assert_int_equal(svcq_scorecard_order_issue(w->ctx, "gm-1", "branch-b", "Li", t0, 0), SVCQ_OK);
    assert_int_equal(svcq_scorecard_order_answer(w->ctx, "gm-1", t0 + DAY + 1), SVCQ_OK);
    assert_int_equal(svcq_scorecard_order_issue(w->ctx, "gm-2", "branch-b", "Li", t0 + 5 * DAY, 0), SVCQ_OK);
    assert_int_equal(svcq_scorecard_order_issue(w->ctx, "gm-3", "branch-b", "Li", t0 + 15 * DAY, 0), SVCQ_OK);
    assert_int_equal(svcq_scorecard_order_answer(w->ctx, "gm-3", t0 + 17 * DAY), SVCQ_OK);
    /* Zhao, head of branch-a: answered at 23 h 59 min, on time. */
    assert_int_equal(svcq_scorecard_order_issue(w->ctx, "gm-4", "branch-a", "Zhao", t0, 0), SVCQ_OK);
    assert_int_equal(svcq_scorecard_order_answer(w->ctx, "gm-4", t0 + 23 * HOUR + 59 * MIN), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_close(w->jan, FEB1 + 2 * DAY), SVCQ_OK);
    /* February: as January but the hotline item: a 35, b 33, c 33; no orders. */
    int64_t feb[3][9];
    memcpy(feb, SC_JAN, sizeof(feb));
    feb[0][0] = 35000;
    feb[1][0] = 33000;
    feb[2][0] = 33000;
    assert_int_equal(svcq_scorecard_period_new(&w->feb, w->t, "2026-02", FEB1, MAR1), SVCQ_OK);
    assert_int_equal(sc_fill(w->feb, (const int64_t(*)[9])feb), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_close(w->feb, MAR1 + 2 * DAY), SVCQ_OK);
}

static void unbuild(world *w)
{
    svcq_scorecard_period_free(w->jan);
    svcq_scorecard_period_free(w->feb);
    svcq_scorecard_template_free(w->t);
    svcq_ctx_free(w->ctx);
    assert_int_equal(w->alloc.live_blocks, 0);
}

static svcq_scorecard_ranking *halfyear(world *w)
{
    svcq_scorecard_ranking *r;
    assert_int_equal(svcq_scorecard_ranking_new(&r, w->t, "2026-H1", SVCQ_SCORECARD_BASIS_COMPOSITE), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_add_period(r, w->jan), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_add_period(r, w->feb), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_compute(r), SVCQ_ESTATE); /* no satisfaction yet */
    assert_int_equal(svcq_scorecard_ranking_set_csat(r, "branch-a", 4200), SVCQ_OK); /* → 80 */
    assert_int_equal(svcq_scorecard_ranking_set_csat(r, "branch-b", 4600), SVCQ_OK); /* → 90 */
    assert_int_equal(svcq_scorecard_ranking_set_csat(r, "branch-c", 3800), SVCQ_OK); /* → 70 */
    assert_int_equal(svcq_scorecard_ranking_compute(r), SVCQ_OK);
    return r;
}

static void entry(const svcq_scorecard_ranking *r, uint32_t i, const char *unit, uint32_t rank, int64_t share,
                  int64_t raw, int64_t score)
{
    svcq_scorecard_rank_entry e = SVCQ_SCORECARD_RANK_ENTRY_INIT;
    assert_int_equal(svcq_scorecard_ranking_entry(&e, r, i), SVCQ_OK);
    if (strcmp(e.unit, unit) != 0 || e.rank != rank || e.card_share != share || e.raw_score != raw ||
        e.score != score)
        fail_msg("entry %u: %s rank %u share %lld raw %lld score %lld; expected %s %u %lld %lld %lld", i, e.unit, e.rank,
                 (long long)e.card_share, (long long)e.raw_score, (long long)e.score, unit, rank, (long long)share,
                 (long long)raw, (long long)score);
}

static void january_cards(void **state)
{
    (void)state;
    world w;
    build(&w, SVCQ_SCORECARD_EFFECT_ZERO, 0);
    svcq_scorecard_card_info c = SVCQ_SCORECARD_CARD_INFO_INIT;
    /* branch-a: 32 + 9 + 8 + 8×(96−90)/(98−90) = 6 + 4×(3−1.5)/(3−1) = 3 + 3.5 + 9 + 3 + (10 − 2×1) = 8
     *         = 81.5 of 94 → 81.5 / 94 = 86.7021 % */
    assert_int_equal(svcq_scorecard_card_totals(&c, w.jan, "branch-a"), SVCQ_OK);
    assert_int_equal(c.points, 81500);
    assert_int_equal(c.max_points, 94000);
    assert_int_equal(c.share, 86702);
    assert_int_equal(c.vetoed, 0);
    /* branch-b: 34 + 10 + 9 + 8 (99 ≥ 98) + 4 (0.8 ≤ 1) + 4 + 10 + 3 + 10 = 92 → 97.8723 %, vetoed */
    assert_int_equal(svcq_scorecard_card_totals(&c, w.jan, "branch-b"), SVCQ_OK);
    assert_int_equal(c.points, 92000);
    assert_int_equal(c.share, 97872);
    assert_int_equal(c.vetoed, 1);
    has(c.veto_reason, "head Li: 3 orders of the period 2026-01 not answered in time (threshold 3): gm-1, gm-2, gm-3");
    /* branch-c: key accounts N/A (max 84); 30 + 9.5 + 8×2/8 = 2 + 4×0.8/2 = 1.6 + 3 + 8 + 2
     *           + (10 − 2×6 = −2 → clamped to 0) = 56.1 of 84 → 66.7857 % */
    assert_int_equal(svcq_scorecard_card_totals(&c, w.jan, "branch-c"), SVCQ_OK);
    assert_int_equal(c.points, 56100);
    assert_int_equal(c.max_points, 84000);
    assert_int_equal(c.nominal_max, 94000);
    assert_int_equal(c.share, 66786);
    assert_int_equal(c.clamped, 1);
    assert_int_equal(c.na_count, 1);
    svcq_scorecard_item_result r = SVCQ_SCORECARD_ITEM_RESULT_INIT;
    assert_int_equal(svcq_scorecard_card_item(&r, w.jan, "branch-c", 8), SVCQ_OK);
    assert_int_equal(r.raw_points, -2000);
    assert_int_equal(r.points, 0);
    assert_int_equal(svcq_scorecard_card_item(&r, w.jan, "branch-c", 4), SVCQ_OK);
    assert_int_equal(r.points, 1600);
    /* The card exports. */
    char *md = sc_card_text(w.jan, w.ctx, "branch-c", SVCQ_SCORECARD_MARKDOWN);
    has(md, "# Scorecard: branch-c, period 2026-01 (template telecom-branch v1)");
    has(md, "| Service work | Key-account service work | manual points | - | - | n/a | not applicable: no key accounts in "
            "this branch |");
    has(md, "| Service management | Mobile-subscriber complaint rate (per 10,000 subscribers) | rate: full at <= 1, "
            "zero at >= 3, linear between | 2.2 | 1.6 | 4 |  |");
    has(md, "| deduction: -2 per event, floor 0 | 6 | 0 | 10 | clamped from -2 |");
    has(md, "| | **total** | | | **56.1** | **84** | |");
    has(md, "Maximum: 84 of the template's 94 (1 item not applicable: excluded, the maximum shrinks). Share: 66.786 %");
    has(md, "Result: scored (no veto)");
    free(md);
    char *csv = sc_card_text(w.jan, w.ctx, "branch-a", SVCQ_SCORECARD_CSV);
    has(csv, "unit,period,row,section,item,name,rule,value,points,max,na,note\r\n");
    has(csv, "branch-a,2026-01,item,management,complaint_timeliness,Complaint-handling timeliness rate (%),"
             "\"rate: full at >= 98, zero at <= 90, linear between\",96,6,8,no,\r\n");
    has(csv, "branch-a,2026-01,total,,,,,,81.5,94,0,86.702\r\n");
    free(csv);
    char *js = sc_card_text(w.jan, w.ctx, "branch-b", SVCQ_SCORECARD_JSON);
    has(js, "\"share\": 97872");
    has(js, "\"vetoed\": true");
    free(js);
    /* January ranked by card (effect zero): a 86.702, c 66.786, b 0 (97.872 before the veto). */
    svcq_scorecard_ranking *jr;
    assert_int_equal(svcq_scorecard_ranking_new(&jr, w.t, "2026-01", SVCQ_SCORECARD_BASIS_CARD), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_export(jr, NULL, SVCQ_SCORECARD_CSV), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_ranking_compute(jr), SVCQ_ESTATE);
    assert_int_equal(svcq_scorecard_ranking_add_period(jr, w.jan), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_compute(jr), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_count(jr), 3);
    entry(jr, 0, "branch-a", 1, 86702, 86702, 86702);
    entry(jr, 1, "branch-c", 2, 66786, 66786, 66786);
    entry(jr, 2, "branch-b", 3, 97872, 97872, 0);
    svcq_scorecard_ranking_free(jr);
    unbuild(&w);
}

static void halfyear_zero(void **state)
{
    (void)state;
    world w;
    build(&w, SVCQ_SCORECARD_EFFECT_ZERO, 0);
    /* February shares: a 84.5/94 = 89.8936 %, b 91/94 = 96.8085 %, c 59.1/84 = 70.3571 %.
     * Half-year card share = mean of the months:
     *   a (86.702 + 89.894) / 2 = 88.298
     *   b (97.872 + 96.809) / 2 = 97.3405 → 97.341 (half away from zero)
     *   c (66.786 + 70.357) / 2 = 68.5715 → 68.572
     * Composite 60 % card + 40 % satisfaction (CSAT 4.2, 4.6, 3.8 → 80, 90, 70):
     *   a 0.6 × 88.298 + 0.4 × 80 = 52.9788 + 32 = 84.9788 → 84.979
     *   b 0.6 × 97.341 + 0.4 × 90 = 58.4046 + 36 = 94.4046 → 94.405, vetoed in January → 0
     *   c 0.6 × 68.572 + 0.4 × 70 = 41.1432 + 28 = 69.1432 → 69.143 */
    svcq_scorecard_card_info c = SVCQ_SCORECARD_CARD_INFO_INIT;
    assert_int_equal(svcq_scorecard_card_totals(&c, w.feb, "branch-a"), SVCQ_OK);
    assert_int_equal(c.share, 89894);
    assert_int_equal(svcq_scorecard_card_totals(&c, w.feb, "branch-b"), SVCQ_OK);
    assert_int_equal(c.share, 96809);
    assert_int_equal(c.vetoed, 0);
    assert_int_equal(svcq_scorecard_card_totals(&c, w.feb, "branch-c"), SVCQ_OK);
    assert_int_equal(c.share, 70357);
    svcq_scorecard_ranking *r = halfyear(&w);
    entry(r, 0, "branch-a", 1, 88298, 84979, 84979);
    entry(r, 1, "branch-c", 2, 68572, 69143, 69143);
    entry(r, 2, "branch-b", 3, 97341, 94405, 0);
    svcq_scorecard_rank_entry e = SVCQ_SCORECARD_RANK_ENTRY_INIT;
    assert_int_equal(svcq_scorecard_ranking_entry(&e, r, 2), SVCQ_OK);
    assert_int_equal(e.satisfaction, 90000);
    assert_int_equal(e.months, 2);
    assert_int_equal(e.vetoed, 1);
    assert_int_equal(e.has_previous, 0);
    assert_int_equal(svcq_scorecard_ranking_entry(&e, r, 3), SVCQ_ENOTFOUND);
    char *md = sc_rank_text(r, w.ctx, SVCQ_SCORECARD_MARKDOWN);
    has(md, "# Ranking 2026-H1 (template telecom-branch v1, composite: 60 % card share + 40 % satisfaction; a veto: "
            "zero)");
    has(md, "Periods: 2026-01, 2026-02.");
    has(md, "| 1 | branch-a | 88.298 | 80 | 84.979 |  |  |");
    has(md, "| 3 | branch-b | 97.341 | 90 | 0 | vetoed (score 94.405 before the veto): head Li: 3 orders");
    free(md);
    char *csv = sc_rank_text(r, w.ctx, SVCQ_SCORECARD_CSV);
    has(csv, "rank,unit,card_share,satisfaction,raw_score,score,vetoed,veto_reason,previous_rank,change\r\n"
             "1,branch-a,88.298,80,84.979,84.979,no,,,\r\n2,branch-c,68.572,70,69.143,69.143,no,,,\r\n3,branch-b,");
    free(csv);
    svcq_scorecard_ranking_free(r);
    unbuild(&w);
}

static void halfyear_cap_and_change(void **state)
{
    (void)state;
    world w;
    build(&w, SVCQ_SCORECARD_EFFECT_CAP, 70000);
    /* January by card as the previous ranking: a 1, c 2, b 3 (b capped at 70 < 97.872 but above c's 66.786:
     * a 86.702, b 70, c 66.786 → a 1, b 2, c 3). */
    svcq_scorecard_ranking *jr;
    assert_int_equal(svcq_scorecard_ranking_new(&jr, w.t, "2026-01", SVCQ_SCORECARD_BASIS_CARD), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_add_period(jr, w.jan), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_compute(jr), SVCQ_OK);
    entry(jr, 0, "branch-a", 1, 86702, 86702, 86702);
    entry(jr, 1, "branch-b", 2, 97872, 97872, 70000);
    entry(jr, 2, "branch-c", 3, 66786, 66786, 66786);
    /* Half-year capped: a 84.979, b min(94.405, 70) = 70, c 69.143. */
    svcq_scorecard_ranking *r = halfyear(&w);
    assert_int_equal(svcq_scorecard_ranking_set_previous(r, r), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_ranking_set_previous(r, jr), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_compute(r), SVCQ_OK);
    entry(r, 0, "branch-a", 1, 88298, 84979, 84979);
    entry(r, 1, "branch-b", 2, 97341, 94405, 70000);
    entry(r, 2, "branch-c", 3, 68572, 69143, 69143);
    svcq_scorecard_rank_entry e = SVCQ_SCORECARD_RANK_ENTRY_INIT;
    assert_int_equal(svcq_scorecard_ranking_entry(&e, r, 2), SVCQ_OK);
    assert_int_equal(e.has_previous, 1);
    assert_int_equal(e.previous_rank, 3);
    assert_int_equal(e.change, 0);
    char *csv = sc_rank_text(r, w.ctx, SVCQ_SCORECARD_CSV);
    has(csv, "1,branch-a,88.298,80,84.979,84.979,no,,1,0\r\n");
    free(csv);
    svcq_scorecard_ranking_free(jr);
    svcq_scorecard_ranking_free(r);
    unbuild(&w);
}

static void halfyear_exclude(void **state)
{
    (void)state;
    world w;
    build(&w, SVCQ_SCORECARD_EFFECT_EXCLUDE, 0);
    svcq_scorecard_ranking *prev;
    assert_int_equal(svcq_scorecard_ranking_new(&prev, w.t, "2026-02", SVCQ_SCORECARD_BASIS_CARD), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_add_period(prev, w.feb), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_compute(prev), SVCQ_OK);
    /* February alone: b 96.809, a 89.894, c 70.357 (nobody vetoed in February). */
    entry(prev, 0, "branch-b", 1, 96809, 96809, 96809);
    entry(prev, 1, "branch-a", 2, 89894, 89894, 89894);
    entry(prev, 2, "branch-c", 3, 70357, 70357, 70357);
    svcq_scorecard_ranking *r = halfyear(&w);
    assert_int_equal(svcq_scorecard_ranking_set_previous(r, prev), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_compute(r), SVCQ_OK);
    /* b is not ranked: listed last with rank 0; a and c move up. */
    entry(r, 0, "branch-a", 1, 88298, 84979, 84979);
    entry(r, 1, "branch-c", 2, 68572, 69143, 69143);
    entry(r, 2, "branch-b", 0, 97341, 94405, 94405);
    svcq_scorecard_rank_entry e = SVCQ_SCORECARD_RANK_ENTRY_INIT;
    assert_int_equal(svcq_scorecard_ranking_entry(&e, r, 0), SVCQ_OK);
    assert_int_equal(e.change, 1); /* 2 → 1 */
    assert_int_equal(svcq_scorecard_ranking_entry(&e, r, 1), SVCQ_OK);
    assert_int_equal(e.change, 1); /* 3 → 2 */
    assert_int_equal(svcq_scorecard_ranking_entry(&e, r, 2), SVCQ_OK);
    assert_int_equal(e.previous_rank, 1);
    assert_int_equal(e.change, 0);
    char *md = sc_rank_text(r, w.ctx, SVCQ_SCORECARD_MARKDOWN);
    has(md, "| 1 | branch-a | 88.298 | 80 | 84.979 |  | +1 |");
    has(md, "| - | branch-b | 97.341 | 90 | excluded | vetoed");
    has(md, "| was 1 |");
    free(md);
    char *svg = sc_rank_text(r, w.ctx, SVCQ_SCORECARD_SVG);
    has(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
    has(svg, "1. branch-a</text>");
    has(svg, "94.405 (vetoed, excluded)</text>");
    free(svg);
    svcq_scorecard_ranking_free(prev);
    svcq_scorecard_ranking_free(r);
    unbuild(&w);
}

/* Ties: equal scores share a rank, the next rank skips, ties are listed by unit. */
static void ties(void **state)
{
    (void)state;
    world w;
    test_alloc_init(&w.alloc);
    w.ctx = test_ctx_new(&w.alloc);
    svcq_scorecard_template *t;
    assert_int_equal(svcq_scorecard_template_new(&t, w.ctx, "t", 1), SVCQ_OK);
    assert_int_equal(svcq_scorecard_template_add_section(t, "s", "S"), SVCQ_OK);
    svcq_scorecard_item_spec s = SVCQ_SCORECARD_ITEM_SPEC_INIT;
    s.section = "s";
    s.key = "x";
    s.name = "X";
    s.max_points = 3000;
    assert_int_equal(svcq_scorecard_template_add_item(t, &s), SVCQ_OK);
    svcq_scorecard_period *p;
    assert_int_equal(svcq_scorecard_period_new(&p, t, "m", JAN1, FEB1), SVCQ_OK);
    /* d 3 of 3, c b e 2 of 3 (66.667 %), a 1 of 3 */
    const char *u[] = { "e", "c", "a", "d", "b" };
    const int64_t v[] = { 2000, 2000, 1000, 3000, 2000 };
    for (int i = 0; i < 5; i++) {
        assert_int_equal(svcq_scorecard_period_add_unit(p, u[i]), SVCQ_OK);
        assert_int_equal(svcq_scorecard_set_value(p, u[i], "x", v[i]), SVCQ_OK);
    }
    svcq_scorecard_ranking *r;
    assert_int_equal(svcq_scorecard_ranking_new(&r, t, "m", SVCQ_SCORECARD_BASIS_CARD), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_add_period(r, p), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_compute(r), SVCQ_OK);
    entry(r, 0, "d", 1, 100000, 100000, 100000);
    entry(r, 1, "b", 2, 66667, 66667, 66667);
    entry(r, 2, "c", 2, 66667, 66667, 66667);
    entry(r, 3, "e", 2, 66667, 66667, 66667);
    entry(r, 4, "a", 5, 33333, 33333, 33333);
    /* A unit missing a value cannot be ranked. */
    assert_int_equal(svcq_scorecard_period_add_unit(p, "f"), SVCQ_OK);
    svcq_scorecard_ranking *r2;
    assert_int_equal(svcq_scorecard_ranking_new(&r2, t, "m", SVCQ_SCORECARD_BASIS_CARD), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_add_period(r2, p), SVCQ_ESTATE);
    has(svcq_ctx_errmsg(w.ctx), "card f of period m has 1 applicable items without a value");
    assert_int_equal(svcq_scorecard_ranking_set_satisfaction(r2, "f", 100001), SVCQ_ERANGE);
    assert_int_equal(svcq_scorecard_ranking_set_csat(r2, "f", 900), SVCQ_ERANGE);
    svcq_scorecard_ranking_free(r2);
    assert_int_equal(svcq_scorecard_ranking_new(&r2, t, "m", 7), SVCQ_EINVAL);
    assert_null(r2);
    svcq_scorecard_ranking_free(r);
    svcq_scorecard_period_free(p);
    svcq_scorecard_template_free(t);
    svcq_ctx_free(w.ctx);
    assert_int_equal(w.alloc.live_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(january_cards),
        cmocka_unit_test(halfyear_zero),
        cmocka_unit_test(halfyear_cap_and_change),
        cmocka_unit_test(halfyear_exclude),
        cmocka_unit_test(ties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
