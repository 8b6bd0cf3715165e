/* Scorecard periods: the veto from real order clocks (three breached
 * 24-hour replies veto a head, two do not; 23 h 59 min and exactly 24 h
 * are on time, 24 h + 1 s is late), manual vetoes and their precedence
 * over points, closing a period (frozen cards, orders counted at the
 * close), corrections kept as history, double-track assessment, loading
 * a period back, compare-and-swap against a stale handle, and a host
 * batch that rolls back. */
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
    svcq_scorecard_template *t;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    test_alloc_init(&f->alloc);
    f->ctx = test_ctx_new(&f->alloc);
    assert_int_equal(svcq_scorecard_template_builtin(&f->t, f->ctx, SVCQ_SCORECARD_BUILTIN_TELECOM), SVCQ_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    svcq_scorecard_template_free(f->t);
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

static int32_t state_of(svcq_ctx *ctx, const char *id, svcq_time at)
{
    int32_t st = -1;
    assert_int_equal(svcq_scorecard_order_status(&st, NULL, ctx, id, at), SVCQ_OK);
    return st;
}

/* The deadline rule of sla.h on the orders' 24-hour clock. */
static void order_deadline(void **state)
{
    fx *f = *state;
    svcq_ctx *ctx = f->ctx;
    const svcq_time t0 = JAN1 + 9 * HOUR;
    assert_int_equal(svcq_scorecard_order_issue(ctx, "o-2359", "dept", "Zhao", t0, 0), SVCQ_OK);
    assert_int_equal(svcq_scorecard_order_issue(ctx, "o-2400", "dept", "Zhao", t0, 0), SVCQ_OK);
    assert_int_equal(svcq_scorecard_order_issue(ctx, "o-2401", "dept", "Zhao", t0, 0), SVCQ_OK);
    assert_int_equal(svcq_scorecard_order_issue(ctx, "o-open", "dept", "Zhao", t0, 0), SVCQ_OK);
    assert_int_equal(svcq_scorecard_order_answer(ctx, "o-2359", t0 + 23 * HOUR + 59 * MIN), SVCQ_OK);
    assert_int_equal(svcq_scorecard_order_answer(ctx, "o-2400", t0 + 24 * HOUR), SVCQ_OK);
    assert_int_equal(svcq_scorecard_order_answer(ctx, "o-2401", t0 + 24 * HOUR + 1), SVCQ_OK);
    svcq_time due = 0;
    int32_t st = -1;
    assert_int_equal(svcq_scorecard_order_status(&st, &due, ctx, "o-2359", t0 + 2 * DAY), SVCQ_OK);
    assert_int_equal(st, SVCQ_SLA_MET);
    assert_int_equal(due, t0 + DAY);
    assert_int_equal(state_of(ctx, "o-2400", t0 + 2 * DAY), SVCQ_SLA_MET);      /* 24 h 00 min 00 s: on time */
    assert_int_equal(state_of(ctx, "o-2401", t0 + 2 * DAY), SVCQ_SLA_BREACHED); /* one second more: late */
    /* Unanswered: running up to the due time, breached from due + 1 s. */
    assert_int_equal(state_of(ctx, "o-open", t0 + 23 * HOUR), SVCQ_SLA_RUNNING);
    assert_int_equal(state_of(ctx, "o-open", t0 + DAY), SVCQ_SLA_RUNNING);
    assert_int_equal(state_of(ctx, "o-open", t0 + DAY + 1), SVCQ_SLA_BREACHED);
    /* An answer after the instant asked about does not count yet. */
    assert_int_equal(state_of(ctx, "o-2359", t0 + HOUR), SVCQ_SLA_RUNNING);
    uint32_t n = 99;
    assert_int_equal(svcq_scorecard_orders_breached(&n, ctx, "Zhao", JAN1, FEB1, t0 + 2 * DAY), SVCQ_OK);
    assert_int_equal(n, 2); /* o-2401 and o-open */
    assert_int_equal(svcq_scorecard_orders_breached(&n, ctx, "Zhao", JAN1, FEB1, t0 + DAY), SVCQ_OK);
    assert_int_equal(n, 0); /* o-open is due, not yet late; o-2401 not answered by then, not late either */
    assert_int_equal(svcq_scorecard_orders_breached(&n, ctx, "Zhao", FEB1, MAR1, t0 + 2 * DAY), SVCQ_OK);
    assert_int_equal(n, 0); /* another period */
    assert_int_equal(svcq_scorecard_orders_breached(&n, ctx, "Qian", JAN1, FEB1, t0 + 2 * DAY), SVCQ_OK);
    assert_int_equal(n, 0);
    /* Errors. */
    assert_int_equal(svcq_scorecard_order_issue(ctx, "o-2359", "dept", "Zhao", t0, 0), SVCQ_EEXIST);
    has(svcq_ctx_errmsg(ctx), "order o-2359 is already recorded");
    assert_int_equal(svcq_scorecard_order_answer(ctx, "o-2359", t0 + DAY), SVCQ_ESTATE);
    has(svcq_ctx_errmsg(ctx), "already answered");
    assert_int_equal(svcq_scorecard_order_answer(ctx, "o-nope", t0 + DAY), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_scorecard_order_answer(ctx, "o-open", t0 - 1), SVCQ_EINVAL);
    has(svcq_ctx_errmsg(ctx), "before it was issued");
    assert_int_equal(svcq_scorecard_order_answer(ctx, "o-open", 0), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_order_issue(ctx, "o-x", "dept", "Zhao", -1, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_order_issue(ctx, "o-x", "dept", "Zhao", t0, -5), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_order_issue(ctx, "o-x", "", "Zhao", t0, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_order_issue(ctx, "o-x", "dept", NULL, t0, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_order_issue(ctx, "o\x01", "dept", "Zhao", t0, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_order_status(&st, NULL, ctx, "o-nope", t0), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_scorecard_orders_breached(NULL, ctx, "Zhao", JAN1, FEB1, t0), SVCQ_EINVAL);
    /* A shorter reply time (4 h) follows the same rule. */
    assert_int_equal(svcq_scorecard_order_issue(ctx, "o-4h", "dept", "Zhao", t0, 4 * HOUR), SVCQ_OK);
    assert_int_equal(state_of(ctx, "o-4h", t0 + 4 * HOUR), SVCQ_SLA_RUNNING);
    assert_int_equal(state_of(ctx, "o-4h", t0 + 4 * HOUR + 1), SVCQ_SLA_BREACHED);
}

/* Three breached replies in the month veto the head's department; two do not. */
static void veto_from_orders(void **state)
{
    fx *f = *state;
    svcq_ctx *ctx = f->ctx;
    svcq_scorecard_period *p;
    assert_int_equal(svcq_scorecard_period_new(&p, f->t, "2026-01", JAN1, FEB1), SVCQ_OK);
    assert_int_equal(sc_fill(p, SC_JAN), SVCQ_OK);
    /* Li heads branch-b: three late or missing replies. */
    const svcq_time d5 = JAN1 + 4 * DAY + 9 * HOUR, d10 = JAN1 + 9 * DAY + 9 * HOUR, d20 = JAN1 + 19 * DAY + 9 * HOUR;
    assert_int_equal(svcq_scorecard_order_issue(ctx, "b1", "branch-b", "Li", d5, 0), SVCQ_OK);
    assert_int_equal(svcq_scorecard_order_answer(ctx, "b1", d5 + DAY + 1), SVCQ_OK); /* 24 h + 1 s */
    assert_int_equal(svcq_scorecard_order_issue(ctx, "b2", "branch-b", "Li", d10, 0), SVCQ_OK); /* never */
    assert_int_equal(svcq_scorecard_order_issue(ctx, "b3", "branch-b", "Li", d20, 0), SVCQ_OK);
    assert_int_equal(svcq_scorecard_order_answer(ctx, "b3", d20 + 2 * DAY), SVCQ_OK);
    /* Zhao heads branch-a: two breached, two on time (23:59 and 24:00:00). */
    assert_int_equal(svcq_scorecard_order_issue(ctx, "a1", "branch-a", "Zhao", d5, 0), SVCQ_OK);
    assert_int_equal(svcq_scorecard_order_issue(ctx, "a2", "branch-a", "Zhao", d10, 0), SVCQ_OK);
    assert_int_equal(svcq_scorecard_order_answer(ctx, "a2", d10 + 30 * HOUR), SVCQ_OK);
    assert_int_equal(svcq_scorecard_order_issue(ctx, "a3", "branch-a", "Zhao", d20, 0), SVCQ_OK);
    assert_int_equal(svcq_scorecard_order_answer(ctx, "a3", d20 + 23 * HOUR + 59 * MIN), SVCQ_OK);
    assert_int_equal(svcq_scorecard_order_issue(ctx, "a4", "branch-a", "Zhao", d20, 0), SVCQ_OK);
    assert_int_equal(svcq_scorecard_order_answer(ctx, "a4", d20 + DAY), SVCQ_OK);
    /* A December order does not count in January. */
    assert_int_equal(svcq_scorecard_order_issue(ctx, "a0", "branch-a", "Zhao", JAN1 - DAY, 0), SVCQ_OK);
    /* Before the third breach (b3 answered late on the 22nd; due the 21st 09:00), Li is not vetoed. */
    assert_int_equal(svcq_scorecard_period_evaluate(p, d20 + DAY), SVCQ_OK);
    svcq_scorecard_card_info c = SVCQ_SCORECARD_CARD_INFO_INIT;
    assert_int_equal(svcq_scorecard_card_totals(&c, p, "branch-b"), SVCQ_OK);
    assert_int_equal(c.vetoed, 0);
    assert_int_equal(svcq_scorecard_period_evaluate(p, d20 + DAY + 1), SVCQ_OK);
    assert_int_equal(svcq_scorecard_card_totals(&c, p, "branch-b"), SVCQ_OK);
    assert_int_equal(c.vetoed, 1);
    assert_int_equal(c.veto_count, 1);
    assert_string_equal(c.veto_reason, "head Li: 3 orders of the period 2026-01 not answered in time (threshold 3): "
                                       "b1, b2, b3");
    assert_int_equal(c.points, 92000); /* the card keeps its points */
    const char *rule, *reason;
    assert_int_equal(svcq_scorecard_card_veto(&rule, &reason, p, "branch-b", 0), SVCQ_OK);
    assert_string_equal(rule, "gm_orders");
    assert_int_equal(svcq_scorecard_card_veto(&rule, &reason, p, "branch-b", 1), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_scorecard_card_totals(&c, p, "branch-a"), SVCQ_OK);
    assert_int_equal(c.vetoed, 0); /* two breaches do not veto */
    uint32_t n;
    assert_int_equal(svcq_scorecard_orders_breached(&n, ctx, "Zhao", JAN1, FEB1, FEB1 + DAY), SVCQ_OK);
    assert_int_equal(n, 2);
    assert_int_equal(svcq_scorecard_card_totals(&c, p, "branch-c"), SVCQ_OK);
    assert_int_equal(c.vetoed, 0);
    /* The head assessed as a subject of its own is vetoed too. */
    assert_int_equal(svcq_scorecard_period_add_unit(p, "Li"), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_evaluate(p, FEB1 + DAY), SVCQ_OK);
    assert_int_equal(svcq_scorecard_card_totals(&c, p, "Li"), SVCQ_OK);
    assert_int_equal(c.vetoed, 1);
    /* The card shows it. */
    char *md = sc_card_text(p, ctx, "branch-b", SVCQ_SCORECARD_MARKDOWN);
    has(md, "Result: **vetoed** (the points stay on the card; the veto decides the result)");
    has(md, "- veto gm_orders (orders): head Li: 3 orders");
    free(md);
    char *js = sc_card_text(p, ctx, "branch-b", SVCQ_SCORECARD_JSON);
    has(js, "\"vetoed\": true");
    has(js, "\"source\": \"orders\"");
    free(js);
    assert_int_equal(svcq_scorecard_period_evaluate(p, 0), SVCQ_EINVAL);
    svcq_scorecard_period_free(p);
}

/* A manual veto overrides full points; lifting it restores the result. */
static void veto_precedence(void **state)
{
    fx *f = *state;
    svcq_ctx *ctx = f->ctx;
    svcq_scorecard_template *t;
    assert_int_equal(svcq_scorecard_template_new(&t, ctx, "agents", 1), SVCQ_OK);
    assert_int_equal(svcq_scorecard_template_add_section(t, "q", "Quality"), SVCQ_OK);
    svcq_scorecard_item_spec s = SVCQ_SCORECARD_ITEM_SPEC_INIT;
    s.section = "q";
    s.key = "calls";
    s.name = "Call quality";
    s.max_points = 100000;
    assert_int_equal(svcq_scorecard_template_add_item(t, &s), SVCQ_OK);
    svcq_scorecard_veto_spec v = SVCQ_SCORECARD_VETO_SPEC_INIT;
    v.key = "abuse";
    v.name = "Abusive language to a customer";
    assert_int_equal(svcq_scorecard_template_add_veto(t, &v), SVCQ_OK);
    v.key = "orders";
    v.name = "Orders";
    v.kind = SVCQ_SCORECARD_VETO_ORDERS;
    v.threshold = 1;
    assert_int_equal(svcq_scorecard_template_add_veto(t, &v), SVCQ_OK);
    svcq_scorecard_period *p;
    assert_int_equal(svcq_scorecard_period_new(&p, t, "2026-01", JAN1, FEB1), SVCQ_OK);
    const char *units[] = { "ann", "bob", "cy" };
    const int64_t pts[] = { 100000, 40000, 40000 };
    for (int i = 0; i < 3; i++) {
        assert_int_equal(svcq_scorecard_period_add_unit(p, units[i]), SVCQ_OK);
        assert_int_equal(svcq_scorecard_set_value(p, units[i], "calls", pts[i]), SVCQ_OK);
    }
    assert_int_equal(svcq_scorecard_veto(p, "ann", "abuse", "call 2026-01-12 #4411"), SVCQ_OK);
    assert_int_equal(svcq_scorecard_veto(p, "ann", "orders", "x"), SVCQ_EINVAL);
    has(svcq_ctx_errmsg(ctx), "applied by svcq_scorecard_period_evaluate");
    assert_int_equal(svcq_scorecard_veto(p, "ann", "nope", "x"), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_scorecard_veto(p, "zed", "abuse", "x"), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_scorecard_veto(p, "ann", "abuse", ""), SVCQ_EINVAL);
    /* Veto again with another reason: replaced, not doubled. */
    assert_int_equal(svcq_scorecard_veto(p, "ann", "abuse", "call 2026-01-12 #4411 (recording kept)"), SVCQ_OK);
    svcq_scorecard_card_info c = SVCQ_SCORECARD_CARD_INFO_INIT;
    assert_int_equal(svcq_scorecard_card_totals(&c, p, "ann"), SVCQ_OK);
    assert_int_equal(c.veto_count, 1);
    assert_int_equal(c.points, 100000);
    assert_string_equal(c.veto_reason, "call 2026-01-12 #4411 (recording kept)");
    /* Effect ZERO (the default): full points rank below 40. */
    svcq_scorecard_ranking *r;
    assert_int_equal(svcq_scorecard_ranking_new(&r, t, "2026-01", SVCQ_SCORECARD_BASIS_CARD), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_add_period(r, p), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_compute(r), SVCQ_OK);
    svcq_scorecard_rank_entry e = SVCQ_SCORECARD_RANK_ENTRY_INIT;
    assert_int_equal(svcq_scorecard_ranking_entry(&e, r, 0), SVCQ_OK);
    assert_string_equal(e.unit, "bob"); /* tie with cy: by unit id, same rank */
    assert_int_equal(e.rank, 1);
    assert_int_equal(svcq_scorecard_ranking_entry(&e, r, 1), SVCQ_OK);
    assert_string_equal(e.unit, "cy");
    assert_int_equal(e.rank, 1);
    assert_int_equal(svcq_scorecard_ranking_entry(&e, r, 2), SVCQ_OK);
    assert_string_equal(e.unit, "ann");
    assert_int_equal(e.rank, 3); /* competition ranking: 1, 1, 3 */
    assert_int_equal(e.raw_score, 100000);
    assert_int_equal(e.score, 0);
    assert_int_equal(e.vetoed, 1);
    svcq_scorecard_ranking_free(r);
    /* Lifted: ann leads again. */
    assert_int_equal(svcq_scorecard_veto(p, "ann", "abuse", NULL), SVCQ_OK);
    assert_int_equal(svcq_scorecard_card_totals(&c, p, "ann"), SVCQ_OK);
    assert_int_equal(c.vetoed, 0);
    assert_int_equal(svcq_scorecard_ranking_new(&r, t, "2026-01", SVCQ_SCORECARD_BASIS_CARD), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_add_period(r, p), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_add_period(r, p), SVCQ_EINVAL);
    has(svcq_ctx_errmsg(ctx), "was added already");
    assert_int_equal(svcq_scorecard_ranking_compute(r), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_entry(&e, r, 0), SVCQ_OK);
    assert_string_equal(e.unit, "ann");
    svcq_scorecard_ranking_free(r);
    svcq_scorecard_period_free(p);
    svcq_scorecard_template_free(t);
}

static void close_and_correct(void **state)
{
    fx *f = *state;
    svcq_ctx *ctx = f->ctx;
    svcq_scorecard_period *p;
    assert_int_equal(svcq_scorecard_period_new(&p, f->t, "2026-01", JAN1, FEB1), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_close(p, FEB1 + DAY), SVCQ_ESTATE); /* empty */
    assert_int_equal(svcq_scorecard_period_add_unit(p, "branch-a"), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_add_unit(p, "branch-a"), SVCQ_EEXIST);
    assert_int_equal(svcq_scorecard_set_value(p, "branch-a", "hotline_quality", 32000), SVCQ_OK);
    /* Incomplete: refused, naming the unit and the item. */
    assert_int_equal(svcq_scorecard_period_close(p, FEB1 + DAY), SVCQ_ESTATE);
    has(svcq_ctx_errmsg(ctx), "card branch-a has no value for item key_accounts");
    svcq_scorecard_period_free(p);
    assert_int_equal(svcq_scorecard_period_load(&p, f->t, "2026-01"), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_unit_count(p), 1);
    svcq_scorecard_period_free(p);
    /* The whole month, three branches, Li's three breaches. */
    assert_int_equal(svcq_scorecard_period_new(&p, f->t, "2026-02", FEB1, MAR1), SVCQ_OK);
    assert_int_equal(sc_fill(p, SC_JAN), SVCQ_OK);
    for (int i = 0; i < 3; i++) {
        char id[8];
        snprintf(id, sizeof(id), "f%d", i);
        assert_int_equal(svcq_scorecard_order_issue(ctx, id, "branch-b", "Li", FEB1 + (i + 1) * DAY, 0), SVCQ_OK);
    }
    /* Closed at the end of the month: the last order is not due yet (two breaches), so no veto is frozen. */
    svcq_scorecard_period *late;
    assert_int_equal(svcq_scorecard_period_new(&late, f->t, "2026-02b", FEB1, MAR1), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_add_unit(late, "branch-b"), SVCQ_OK);
    assert_int_equal(svcq_scorecard_set_values(late, "branch-b", SC_ITEMS, SC_JAN[1], 9), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_close(late, FEB1 + 3 * DAY + 30 * MIN), SVCQ_OK);
    svcq_scorecard_card_info c = SVCQ_SCORECARD_CARD_INFO_INIT;
    assert_int_equal(svcq_scorecard_card_totals(&c, late, "branch-b"), SVCQ_OK);
    assert_int_equal(c.vetoed, 0);
    /* Frozen: a later evaluation changes nothing on closed cards. */
    assert_int_equal(svcq_scorecard_period_evaluate(late, MAR1 + DAY), SVCQ_OK);
    assert_int_equal(svcq_scorecard_card_totals(&c, late, "branch-b"), SVCQ_OK);
    assert_int_equal(c.vetoed, 0);
    svcq_scorecard_period_free(late);
    /* Closed after the last reply fell due: frozen with the veto. */
    assert_int_equal(svcq_scorecard_period_close(p, MAR1 + DAY), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_closed(p), 1);
    assert_int_equal(svcq_scorecard_period_close(p, MAR1 + DAY), SVCQ_ESTATE);
    assert_int_equal(svcq_scorecard_card_totals(&c, p, "branch-b"), SVCQ_OK);
    assert_int_equal(c.closed, 1);
    assert_int_equal(c.vetoed, 1);
    uint64_t rev = c.revision;
    /* Frozen: values change only by correction. */
    assert_int_equal(svcq_scorecard_set_value(p, "branch-a", "hotline_quality", 33000), SVCQ_ESTATE);
    has(svcq_ctx_errmsg(ctx), "period 2026-02 is closed");
    assert_int_equal(svcq_scorecard_set_na(p, "branch-a", "key_accounts", "x"), SVCQ_ESTATE);
    assert_int_equal(svcq_scorecard_veto(p, "branch-a", "gm_orders", NULL), SVCQ_ESTATE);
    assert_int_equal(svcq_scorecard_period_add_unit(p, "branch-d"), SVCQ_ESTATE);
    assert_int_equal(svcq_scorecard_double_track(p, "branch-a", "branch-c", "gm_hotline_escalations", 1000, NULL),
                     SVCQ_ESTATE);
    assert_int_equal(svcq_scorecard_correct(p, "branch-b", "hotline_quality", 33000, "", MAR1 + 2 * DAY), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_correct(p, "branch-b", "hotline_quality", 33000, "recount of the test calls", 0),
                     SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_correct(p, "branch-b", "hotline_quality", 33000, "recount of the test calls",
                                            MAR1 + 2 * DAY), SVCQ_OK);
    assert_int_equal(svcq_scorecard_correct(p, "branch-c", "key_accounts", 7000, "key accounts were assigned late",
                                            MAR1 + 2 * DAY), SVCQ_OK);
    assert_int_equal(svcq_scorecard_card_totals(&c, p, "branch-b"), SVCQ_OK);
    assert_int_equal(c.points, 91000); /* 92 − 1 */
    assert_int_equal(c.correction_count, 1);
    assert_true(c.revision > rev);
    assert_int_equal(c.vetoed, 1); /* the frozen veto stays */
    char *md = sc_card_text(p, ctx, "branch-b", SVCQ_SCORECARD_MARKDOWN);
    has(md, "| 1 | 1772496000 | hotline_quality | 34 | 33 | recount of the test calls |");
    has(md, "Status: closed at 1772409600");
    free(md);
    char *csv = sc_card_text(p, ctx, "branch-c", SVCQ_SCORECARD_CSV);
    has(csv, "branch-c,2026-02,correction,,key_accounts,,,7,,,,key accounts were assigned late\r\n");
    free(csv);
    /* A loaded period is the same, history included. */
    svcq_scorecard_period *q;
    assert_int_equal(svcq_scorecard_period_load(&q, f->t, "2026-02"), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_closed(q), 1);
    assert_int_equal(svcq_scorecard_period_unit_count(q), 3);
    assert_string_equal(svcq_scorecard_period_unit(q, 0), "branch-a");
    for (int u = 0; u < 3; u++) {
        char *a = sc_card_text(p, ctx, SC_UNITS[u], SVCQ_SCORECARD_JSON);
        char *b = sc_card_text(q, ctx, SC_UNITS[u], SVCQ_SCORECARD_JSON);
        assert_string_equal(a, b);
        free(a);
        free(b);
    }
    svcq_scorecard_period_free(q);
    assert_int_equal(svcq_scorecard_period_load(&q, f->t, "2026-09"), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_scorecard_period_load(&q, f->t, "a/b"), SVCQ_EINVAL);
    svcq_scorecard_period_free(p);
    /* Correcting an open period is refused. */
    assert_int_equal(svcq_scorecard_period_new(&p, f->t, "2026-03", MAR1, MAR1 + 31 * DAY), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_add_unit(p, "branch-a"), SVCQ_OK);
    assert_int_equal(svcq_scorecard_correct(p, "branch-a", "hotline_quality", 1, "r", MAR1), SVCQ_ESTATE);
    svcq_scorecard_period_free(p);
    assert_int_equal(svcq_scorecard_period_new(&p, f->t, "x", FEB1, JAN1), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_period_new(&p, f->t, "x", 0, JAN1), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_period_new(&p, f->t, "a/b", JAN1, FEB1), SVCQ_EINVAL);
}

static void double_track(void **state)
{
    fx *f = *state;
    svcq_ctx *ctx = f->ctx;
    svcq_scorecard_period *p;
    assert_int_equal(svcq_scorecard_period_new(&p, f->t, "2026-01", JAN1, FEB1), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_add_unit(p, "agent:wang.fang"), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_add_unit(p, "process:billing-disputes"), SVCQ_OK);
    assert_int_equal(svcq_scorecard_double_track(p, "agent:wang.fang", "process:billing-disputes",
                                                 "gm_hotline_escalations", 1000, "complaint C-88: wrong tariff quoted"),
                     SVCQ_OK);
    assert_int_equal(svcq_scorecard_double_track(p, "agent:wang.fang", "process:billing-disputes",
                                                 "gm_hotline_escalations", 1000, NULL), SVCQ_OK);
    for (int k = 0; k < 2; k++) {
        const char *u = k ? "process:billing-disputes" : "agent:wang.fang";
        svcq_scorecard_item_result r = SVCQ_SCORECARD_ITEM_RESULT_INIT;
        assert_int_equal(svcq_scorecard_card_item(&r, p, u, 8), SVCQ_OK);
        assert_int_equal(r.value, 2000);
        assert_int_equal(r.points, 6000); /* 10 − 2 × 2 */
    }
    char *md = sc_card_text(p, ctx, "agent:wang.fang", SVCQ_SCORECARD_MARKDOWN);
    has(md, "| gm_hotline_escalations | 1 | person | process:billing-disputes | complaint C-88: wrong tariff quoted |");
    free(md);
    md = sc_card_text(p, ctx, "process:billing-disputes", SVCQ_SCORECARD_MARKDOWN);
    has(md, "| gm_hotline_escalations | 1 | process | agent:wang.fang | complaint C-88: wrong tariff quoted |");
    free(md);
    assert_int_equal(svcq_scorecard_double_track(p, "agent:wang.fang", "agent:wang.fang", "gm_hotline_escalations",
                                                 1000, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_double_track(p, "agent:wang.fang", "process:billing-disputes",
                                                 "gm_hotline_escalations", 0, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_scorecard_double_track(p, "agent:wang.fang", "nobody", "gm_hotline_escalations", 1000,
                                                 NULL), SVCQ_ENOTFOUND);
    svcq_scorecard_period_free(p);
}

/* A second handle that missed a change loses the compare-and-swap; a host batch that rolls back restores the
 * period. */
static void stale_and_batch(void **state)
{
    fx *f = *state;
    svcq_ctx *ctx = f->ctx;
    svcq_scorecard_period *p, *q;
    assert_int_equal(svcq_scorecard_period_new(&p, f->t, "2026-01", JAN1, FEB1), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_add_unit(p, "branch-a"), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_load(&q, f->t, "2026-01"), SVCQ_OK);
    assert_int_equal(svcq_scorecard_set_value(p, "branch-a", "hotline_quality", 30000), SVCQ_OK);
    assert_int_equal(svcq_scorecard_set_value(q, "branch-a", "hotline_quality", 31000), SVCQ_ECONFLICT);
    has(svcq_ctx_errmsg(ctx), "the stored card changed since this period read it");
    svcq_scorecard_item_result r = SVCQ_SCORECARD_ITEM_RESULT_INIT;
    assert_int_equal(svcq_scorecard_card_item(&r, q, "branch-a", 0), SVCQ_OK);
    assert_int_equal(r.has_value, 0);
    svcq_scorecard_period_free(q);
    /* A new handle for the same period cannot add a unit stored by another. */
    assert_int_equal(svcq_scorecard_period_new(&q, f->t, "2026-01", JAN1, FEB1), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_add_unit(q, "branch-a"), SVCQ_EEXIST);
    has(svcq_ctx_errmsg(ctx), "load the period");
    assert_int_equal(svcq_scorecard_period_unit_count(q), 0);
    svcq_scorecard_period_free(q);
    /* Batch: two changes and a new unit, rolled back. */
    char *before = sc_card_text(p, ctx, "branch-a", SVCQ_SCORECARD_JSON);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_scorecard_set_value(p, "branch-a", "hotline_quality", 35000), SVCQ_OK);
    assert_int_equal(svcq_scorecard_set_na(p, "branch-a", "key_accounts", "none"), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_add_unit(p, "branch-b"), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_unit_count(p), 1);
    char *after = sc_card_text(p, ctx, "branch-a", SVCQ_SCORECARD_JSON);
    assert_string_equal(before, after);
    free(after);
    /* And the handle still writes: its revision came back too. */
    assert_int_equal(svcq_scorecard_set_value(p, "branch-a", "hotline_quality", 34000), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_add_unit(p, "branch-b"), SVCQ_OK);
    /* A period freed inside a batch: the rollback leaves it alone. */
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_scorecard_set_value(p, "branch-a", "hotline_quality", 1000), SVCQ_OK);
    svcq_scorecard_period_free(p);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_load(&p, f->t, "2026-01"), SVCQ_OK);
    assert_int_equal(svcq_scorecard_card_item(&r, p, "branch-a", 0), SVCQ_OK);
    assert_int_equal(r.value, 34000);
    free(before);
    svcq_scorecard_period_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(order_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(veto_from_orders, setup, teardown),
        cmocka_unit_test_setup_teardown(veto_precedence, setup, teardown),
        cmocka_unit_test_setup_teardown(close_and_correct, setup, teardown),
        cmocka_unit_test_setup_teardown(double_track, setup, teardown),
        cmocka_unit_test_setup_teardown(stale_and_batch, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
