/* Every failing scorecard call writes its own message, as tests/unit/errmsg.c
 * checks for the modules below it (kept apart so that modules built in
 * parallel do not edit one file). For each case a fresh fixture is made, a
 * sentinel message is planted by a failing call whose message is known,
 * then the case's call must return its documented code and leave a
 * message of its own, not empty, naming something of the case. */
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
    svcq_scorecard_template *t;       /* built-in, used by p */
    svcq_scorecard_period *p;         /* open, units branch-a (complete) and branch-b (empty) */
    svcq_scorecard_period *closed;    /* a closed period of one complete unit */
    svcq_scorecard_ranking *r;        /* card ranking of closed, computed */
    svcq_scorecard_ranking *fresh;    /* nothing added */
    svcq_writer failing;
} fx;

static int write_fails(const char *data, size_t size, void *user_data)
{
    (void)data, (void)size, (void)user_data;
    return SVCQ_EIO;
}

static void fx_make(fx *f)
{
    test_alloc_init(&f->alloc);
    f->ctx = test_ctx_new(&f->alloc);
    assert_int_equal(svcq_scorecard_template_builtin(&f->t, f->ctx, SVCQ_SCORECARD_BUILTIN_TELECOM), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_new(&f->p, f->t, "2026-01", JAN1, FEB1), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_add_unit(f->p, "branch-a"), SVCQ_OK);
    assert_int_equal(svcq_scorecard_set_values(f->p, "branch-a", SC_ITEMS, SC_JAN[0], 9), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_add_unit(f->p, "branch-b"), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_new(&f->closed, f->t, "2025-12", JAN1 - 31 * DAY, JAN1), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_add_unit(f->closed, "branch-a"), SVCQ_OK);
    assert_int_equal(svcq_scorecard_set_values(f->closed, "branch-a", SC_ITEMS, SC_JAN[0], 9), SVCQ_OK);
    assert_int_equal(svcq_scorecard_period_close(f->closed, JAN1 + DAY), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_new(&f->r, f->t, "2025-12", SVCQ_SCORECARD_BASIS_CARD), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_add_period(f->r, f->closed), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_compute(f->r), SVCQ_OK);
    assert_int_equal(svcq_scorecard_ranking_new(&f->fresh, f->t, "H1", SVCQ_SCORECARD_BASIS_COMPOSITE), SVCQ_OK);
    assert_int_equal(svcq_writer_init(&f->failing, SVCQ_WRITER_VERSION), SVCQ_OK);
    f->failing.write = write_fails;
    assert_int_equal(svcq_scorecard_order_issue(f->ctx, "o-1", "branch-a", "Zhao", JAN1 + DAY, 0), SVCQ_OK);
    assert_int_equal(svcq_scorecard_order_answer(f->ctx, "o-1", JAN1 + DAY + HOUR), SVCQ_OK);
}

static void fx_free(fx *f)
{
    svcq_scorecard_ranking_free(f->r);
    svcq_scorecard_ranking_free(f->fresh);
    svcq_scorecard_period_free(f->p);
    svcq_scorecard_period_free(f->closed);
    svcq_scorecard_template_free(f->t);
    svcq_ctx_free(f->ctx);
    assert_int_equal(f->alloc.live_blocks, 0);
}

typedef struct tcase {
    const char *name;
    int code;
    const char *mentions; /* a part of the message */
    int (*call)(fx *f);
} tcase;

static int c_tpl_name(fx *f)
{
    svcq_scorecard_template *t;
    return svcq_scorecard_template_new(&t, f->ctx, "a@b", 1);
}
static int c_tpl_frozen(fx *f) { return svcq_scorecard_template_add_section(f->t, "x", "X"); }
static int c_tpl_item_spec(fx *f)
{
    svcq_scorecard_template *t;
    assert_int_equal(svcq_scorecard_template_new(&t, f->ctx, "x", 1), SVCQ_OK);
    svcq_scorecard_item_spec s = SVCQ_SCORECARD_ITEM_SPEC_INIT;
    s.section = "none";
    s.key = "k";
    s.name = "K";
    s.max_points = 1;
    int rc = svcq_scorecard_template_add_item(t, &s);
    svcq_scorecard_template_free(t);
    return rc;
}
static int c_tpl_veto_spec(fx *f)
{
    svcq_scorecard_template *t;
    assert_int_equal(svcq_scorecard_template_new(&t, f->ctx, "x", 1), SVCQ_OK);
    svcq_scorecard_veto_spec v = SVCQ_SCORECARD_VETO_SPEC_INIT;
    v.key = "o";
    v.name = "O";
    v.kind = SVCQ_SCORECARD_VETO_ORDERS;
    int rc = svcq_scorecard_template_add_veto(t, &v);
    svcq_scorecard_template_free(t);
    return rc;
}
static int c_tpl_composite(fx *f)
{
    svcq_scorecard_template *t;
    assert_int_equal(svcq_scorecard_template_new(&t, f->ctx, "x", 1), SVCQ_OK);
    int rc = svcq_scorecard_template_set_composite(t, 50, 40, 0, 0);
    svcq_scorecard_template_free(t);
    return rc;
}
static int c_tpl_item_index(fx *f)
{
    svcq_scorecard_item_spec s = SVCQ_SCORECARD_ITEM_SPEC_INIT;
    return svcq_scorecard_template_item(&s, f->t, 9);
}
static int c_tpl_veto_index(fx *f)
{
    svcq_scorecard_veto_spec s = SVCQ_SCORECARD_VETO_SPEC_INIT;
    return svcq_scorecard_template_veto(&s, f->t, 1);
}
static int c_tpl_builtin(fx *f)
{
    svcq_scorecard_template *t;
    return svcq_scorecard_template_builtin(&t, f->ctx, 99);
}
static int c_tpl_export_format(fx *f) { return svcq_scorecard_template_export(f->t, &f->failing, SVCQ_SCORECARD_SVG, 0); }
static int c_tpl_export_writer(fx *f) { return svcq_scorecard_template_export(f->t, &f->failing, SVCQ_SCORECARD_JSON, 0); }
static int c_tpl_import(fx *f)
{
    svcq_scorecard_template *t;
    return svcq_scorecard_template_import(&t, f->ctx, "[1,", 3);
}
static int c_tpl_save_other(fx *f)
{
    assert_int_equal(svcq_scorecard_template_save(f->t), SVCQ_OK);
    svcq_scorecard_template *t;
    assert_int_equal(svcq_scorecard_template_new(&t, f->ctx, "telecom-branch", 1), SVCQ_OK);
    int rc = svcq_scorecard_template_save(t);
    svcq_scorecard_template_free(t);
    return rc;
}
static int c_tpl_load(fx *f)
{
    svcq_scorecard_template *t;
    return svcq_scorecard_template_load(&t, f->ctx, "nothing", 3);
}
static int c_order_dup(fx *f) { return svcq_scorecard_order_issue(f->ctx, "o-1", "u", "h", JAN1, 0); }
static int c_order_answered(fx *f) { return svcq_scorecard_order_answer(f->ctx, "o-1", JAN1 + 2 * DAY); }
static int c_order_missing(fx *f) { return svcq_scorecard_order_answer(f->ctx, "o-9", JAN1 + 2 * DAY); }
static int c_order_time(fx *f) { return svcq_scorecard_order_issue(f->ctx, "o-2", "u", "h", -1, 0); }
static int c_order_status(fx *f)
{
    int32_t st;
    return svcq_scorecard_order_status(&st, NULL, f->ctx, "o-9", JAN1);
}
static int c_orders_breached(fx *f)
{
    uint32_t n;
    return svcq_scorecard_orders_breached(&n, f->ctx, "Zhao", JAN1, FEB1, 0);
}
static int c_period_label(fx *f)
{
    svcq_scorecard_period *p;
    return svcq_scorecard_period_new(&p, f->t, "a/b", JAN1, FEB1);
}
static int c_period_bounds(fx *f)
{
    svcq_scorecard_period *p;
    return svcq_scorecard_period_new(&p, f->t, "x", FEB1, JAN1);
}
static int c_period_load(fx *f)
{
    svcq_scorecard_period *p;
    return svcq_scorecard_period_load(&p, f->t, "2030-01");
}
static int c_add_unit_dup(fx *f) { return svcq_scorecard_period_add_unit(f->p, "branch-a"); }
static int c_add_unit_closed(fx *f) { return svcq_scorecard_period_add_unit(f->closed, "branch-z"); }
static int c_add_unit_bad(fx *f) { return svcq_scorecard_period_add_unit(f->p, "a\nb"); }
static int c_set_range(fx *f) { return svcq_scorecard_set_value(f->p, "branch-a", "gm_hotline_escalations", -1); }
static int c_set_item(fx *f) { return svcq_scorecard_set_value(f->p, "branch-a", "nope", 1); }
static int c_set_unit(fx *f) { return svcq_scorecard_set_value(f->p, "nobody", "key_accounts", 1); }
static int c_set_closed(fx *f) { return svcq_scorecard_set_value(f->closed, "branch-a", "key_accounts", 1); }
static int c_set_values_null(fx *f) { return svcq_scorecard_set_values(f->p, "branch-a", NULL, NULL, 2); }
static int c_set_na_reason(fx *f) { return svcq_scorecard_set_na(f->p, "branch-a", "key_accounts", ""); }
static int c_veto_rule(fx *f) { return svcq_scorecard_veto(f->p, "branch-a", "nope", "x"); }
static int c_veto_orders(fx *f) { return svcq_scorecard_veto(f->p, "branch-a", "gm_orders", "x"); }
static int c_double_same(fx *f)
{
    return svcq_scorecard_double_track(f->p, "branch-a", "branch-a", "gm_hotline_escalations", 1000, NULL);
}
static int c_evaluate_time(fx *f) { return svcq_scorecard_period_evaluate(f->p, -1); }
static int c_close_incomplete(fx *f) { return svcq_scorecard_period_close(f->p, FEB1 + DAY); }
static int c_close_closed(fx *f) { return svcq_scorecard_period_close(f->closed, FEB1 + DAY); }
static int c_correct_open(fx *f) { return svcq_scorecard_correct(f->p, "branch-a", "key_accounts", 1, "r", FEB1); }
static int c_correct_reason(fx *f)
{
    return svcq_scorecard_correct(f->closed, "branch-a", "key_accounts", 1, "", FEB1);
}
static int c_card_totals(fx *f)
{
    svcq_scorecard_card_info c = SVCQ_SCORECARD_CARD_INFO_INIT;
    return svcq_scorecard_card_totals(&c, f->p, "nobody");
}
static int c_card_totals_version(fx *f)
{
    svcq_scorecard_card_info c = SVCQ_SCORECARD_CARD_INFO_INIT;
    c.version = 7;
    return svcq_scorecard_card_totals(&c, f->p, "branch-a");
}
static int c_card_item(fx *f)
{
    svcq_scorecard_item_result r = SVCQ_SCORECARD_ITEM_RESULT_INIT;
    return svcq_scorecard_card_item(&r, f->p, "branch-a", 9);
}
static int c_card_veto(fx *f)
{
    const char *a, *b;
    return svcq_scorecard_card_veto(&a, &b, f->p, "branch-a", 0);
}
static int c_card_export_format(fx *f) { return svcq_scorecard_card_export(f->p, "branch-a", &f->failing, 3); }
static int c_card_export_writer(fx *f)
{
    return svcq_scorecard_card_export(f->p, "branch-a", &f->failing, SVCQ_SCORECARD_CSV);
}
static int c_card_export_unit(fx *f)
{
    return svcq_scorecard_card_export(f->p, "nobody", &f->failing, SVCQ_SCORECARD_CSV);
}
static int c_ranking_label(fx *f)
{
    svcq_scorecard_ranking *r;
    return svcq_scorecard_ranking_new(&r, f->t, "", SVCQ_SCORECARD_BASIS_CARD);
}
static int c_ranking_incomplete(fx *f) { return svcq_scorecard_ranking_add_period(f->fresh, f->p); }
static int c_ranking_twice(fx *f) { return svcq_scorecard_ranking_add_period(f->r, f->closed); }
static int c_ranking_sat(fx *f) { return svcq_scorecard_ranking_set_satisfaction(f->fresh, "u", -1); }
static int c_ranking_csat(fx *f) { return svcq_scorecard_ranking_set_csat(f->fresh, "u", 6000); }
static int c_ranking_prev(fx *f) { return svcq_scorecard_ranking_set_previous(f->r, f->fresh); }
static int c_ranking_compute(fx *f) { return svcq_scorecard_ranking_compute(f->fresh); }
static int c_ranking_compute_sat(fx *f)
{
    assert_int_equal(svcq_scorecard_ranking_add_period(f->fresh, f->closed), SVCQ_OK);
    return svcq_scorecard_ranking_compute(f->fresh);
}
static int c_ranking_entry(fx *f)
{
    svcq_scorecard_rank_entry e = SVCQ_SCORECARD_RANK_ENTRY_INIT;
    return svcq_scorecard_ranking_entry(&e, f->r, 5);
}
static int c_ranking_export(fx *f) { return svcq_scorecard_ranking_export(f->fresh, &f->failing, SVCQ_SCORECARD_SVG); }
static int c_ranking_export_format(fx *f)
{
    return svcq_scorecard_ranking_export(f->r, &f->failing, SVCQ_SCORECARD_JSON);
}
static int c_ranking_export_writer(fx *f)
{
    return svcq_scorecard_ranking_export(f->r, &f->failing, SVCQ_SCORECARD_SVG);
}

static const tcase cases[] = {
    { "template_new name", SVCQ_EINVAL, "a@b", c_tpl_name },
    { "template frozen", SVCQ_ESTATE, "telecom-branch", c_tpl_frozen },
    { "add_item section", SVCQ_EINVAL, "none", c_tpl_item_spec },
    { "add_veto threshold", SVCQ_EINVAL, "threshold", c_tpl_veto_spec },
    { "set_composite weights", SVCQ_EINVAL, "add up to 100", c_tpl_composite },
    { "template_item index", SVCQ_ENOTFOUND, "no index 9", c_tpl_item_index },
    { "template_veto index", SVCQ_ENOTFOUND, "no index 1", c_tpl_veto_index },
    { "builtin id", SVCQ_EINVAL, "99", c_tpl_builtin },
    { "template_export format", SVCQ_EINVAL, "svg", c_tpl_export_format },
    { "template_export writer", SVCQ_EIO, "writer", c_tpl_export_writer },
    { "template_import json", SVCQ_EPARSE, "line 1", c_tpl_import },
    { "template_save other content", SVCQ_EEXIST, "immutable", c_tpl_save_other },
    { "template_load missing", SVCQ_ENOTFOUND, "nothing", c_tpl_load },
    { "order_issue duplicate", SVCQ_EEXIST, "o-1", c_order_dup },
    { "order_answer twice", SVCQ_ESTATE, "o-1", c_order_answered },
    { "order_answer unknown", SVCQ_ENOTFOUND, "o-9", c_order_missing },
    { "order_issue unset time", SVCQ_EINVAL, "o-2", c_order_time },
    { "order_status unknown", SVCQ_ENOTFOUND, "o-9", c_order_status },
    { "orders_breached time", SVCQ_EINVAL, "Zhao", c_orders_breached },
    { "period_new label", SVCQ_EINVAL, "a/b", c_period_label },
    { "period_new bounds", SVCQ_EINVAL, "period x", c_period_bounds },
    { "period_load missing", SVCQ_ENOTFOUND, "2030-01", c_period_load },
    { "add_unit duplicate", SVCQ_EEXIST, "branch-a", c_add_unit_dup },
    { "add_unit closed", SVCQ_ESTATE, "2025-12", c_add_unit_closed },
    { "add_unit control", SVCQ_EINVAL, "control character", c_add_unit_bad },
    { "set_value range", SVCQ_ERANGE, "gm_hotline_escalations", c_set_range },
    { "set_value item", SVCQ_ENOTFOUND, "nope", c_set_item },
    { "set_value unit", SVCQ_ENOTFOUND, "nobody", c_set_unit },
    { "set_value closed", SVCQ_ESTATE, "svcq_scorecard_correct", c_set_closed },
    { "set_values NULL", SVCQ_EINVAL, "items", c_set_values_null },
    { "set_na reason", SVCQ_EINVAL, "key_accounts", c_set_na_reason },
    { "veto rule", SVCQ_ENOTFOUND, "nope", c_veto_rule },
    { "veto orders rule", SVCQ_EINVAL, "gm_orders", c_veto_orders },
    { "double_track same", SVCQ_EINVAL, "branch-a", c_double_same },
    { "evaluate time", SVCQ_EINVAL, "2026-01", c_evaluate_time },
    { "close incomplete", SVCQ_ESTATE, "branch-b", c_close_incomplete },
    { "close twice", SVCQ_ESTATE, "already closed", c_close_closed },
    { "correct open", SVCQ_ESTATE, "is open", c_correct_open },
    { "correct reason", SVCQ_EINVAL, "reason", c_correct_reason },
    { "card_totals unit", SVCQ_ENOTFOUND, "nobody", c_card_totals },
    { "card_totals version", SVCQ_EVERSION, "7", c_card_totals_version },
    { "card_item index", SVCQ_ENOTFOUND, "no index 9", c_card_item },
    { "card_veto index", SVCQ_ENOTFOUND, "no veto 0", c_card_veto },
    { "card_export format", SVCQ_EINVAL, "branch-a", c_card_export_format },
    { "card_export writer", SVCQ_EIO, "writer", c_card_export_writer },
    { "card_export unit", SVCQ_ENOTFOUND, "nobody", c_card_export_unit },
    { "ranking_new label", SVCQ_EINVAL, "ranking label", c_ranking_label },
    { "ranking incomplete card", SVCQ_ESTATE, "branch-b", c_ranking_incomplete },
    { "ranking period twice", SVCQ_EINVAL, "2025-12", c_ranking_twice },
    { "ranking satisfaction", SVCQ_ERANGE, "-1", c_ranking_sat },
    { "ranking csat", SVCQ_ERANGE, "6000", c_ranking_csat },
    { "ranking previous", SVCQ_ESTATE, "not computed", c_ranking_prev },
    { "ranking compute empty", SVCQ_ESTATE, "no period", c_ranking_compute },
    { "ranking compute satisfaction", SVCQ_ESTATE, "satisfaction", c_ranking_compute_sat },
    { "ranking_entry index", SVCQ_ENOTFOUND, "no index 5", c_ranking_entry },
    { "ranking_export not computed", SVCQ_ESTATE, "not computed", c_ranking_export },
    { "ranking_export format", SVCQ_EINVAL, "json", c_ranking_export_format },
    { "ranking_export writer", SVCQ_EIO, "writer", c_ranking_export_writer },
};

static void every_case(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fx f;
        fx_make(&f);
        svcq_scorecard_template *t;
        assert_int_equal(svcq_scorecard_template_new(&t, f.ctx, "sentinel/zz", 1), SVCQ_EINVAL);
        char sentinel[512];
        snprintf(sentinel, sizeof(sentinel), "%s", svcq_ctx_errmsg(f.ctx));
        assert_non_null(strstr(sentinel, "sentinel/zz"));
        int rc = cases[i].call(&f);
        const char *msg = svcq_ctx_errmsg(f.ctx);
        if (rc != cases[i].code)
            fail_msg("%s: returned %d (%s), expected %d; message \"%s\"", cases[i].name, rc, svcq_strerror(rc),
                     cases[i].code, msg);
        if (!msg[0] || strcmp(msg, sentinel) == 0)
            fail_msg("%s: the call left no message of its own (\"%s\")", cases[i].name, msg);
        if (!strstr(msg, cases[i].mentions))
            fail_msg("%s: the message \"%s\" does not mention \"%s\"", cases[i].name, msg, cases[i].mentions);
        fx_free(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_case),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
