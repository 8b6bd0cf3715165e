/* The analysis model: templates, tree edits and their refusals, the
 * root-cause guard, the short-branch warning, the store (save, load,
 * compare-and-swap, delete), undo inside a host batch, and the message of
 * every failing call. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis_fixtures.h"
#include "store/store.h"
#include "svcq.h"
#include "test_ctx.h"

static svcq_analysis *fresh(int32_t tmpl)
{
    svcq_analysis *a;
    if (svcq_analysis_new(&a, ctx, "A-1", "Late call-backs", tmpl) != SVCQ_OK)
        fail_msg("new: %s", svcq_ctx_errmsg(ctx));
    return a;
}

static const char *add(svcq_analysis *a, const char *parent, int32_t kind, const char *text)
{
    const char *id;
    if (svcq_analysis_add(&id, a, parent, kind, text) != SVCQ_OK)
        fail_msg("add under %s: %s", parent, svcq_ctx_errmsg(ctx));
    return id;
}

/* Checks a refusal: the code and a message containing what. */
static void refused(int rc, int want, const char *what)
{
    if (rc != want)
        fail_msg("returned %d (%s), expected %d (%s); message: %s", rc, svcq_strerror(rc), want,
                 svcq_strerror(want), svcq_ctx_errmsg(ctx));
    if (what && !strstr(svcq_ctx_errmsg(ctx), what))
        fail_msg("message \"%s\" does not say \"%s\"", svcq_ctx_errmsg(ctx), what);
}

static char *json_of(const svcq_analysis *a)
{
    svcq_buffer *b;
    assert_int_equal(svcq_buffer_new(&b, ctx), SVCQ_OK);
    svcq_writer w;
    assert_int_equal(svcq_writer_to_buffer(&w, b), SVCQ_OK);
    assert_int_equal(svcq_analysis_export_json(a, &w, 0), SVCQ_OK);
    char *s = strdup(svcq_buffer_data(b));
    svcq_buffer_free(b);
    return s;
}

static void templates(void **state)
{
    (void)state;
    static const struct {
        int32_t t;
        const char *name;
        size_t n;
        const char *first, *last;
    } want[] = {
        { SVCQ_ANALYSIS_CUSTOM, "custom", 0, NULL, NULL },
        { SVCQ_ANALYSIS_6M, "6m", 6, "People", "Environment" },
        { SVCQ_ANALYSIS_8P, "8p", 8, "Product", "Productivity and quality" },
        { SVCQ_ANALYSIS_4S, "4s", 4, "Surroundings", "Skills" },
    };
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(svcq_analysis_template_name(want[i].t), want[i].name);
        svcq_analysis *a = fresh(want[i].t);
        assert_int_equal(svcq_analysis_template_of(a), want[i].t);
        assert_int_equal(svcq_analysis_node_child_count(a, "e"), want[i].n);
        assert_int_equal(svcq_analysis_node_count(a), want[i].n + 1);
        for (size_t k = 0; k < want[i].n; k++) {
            char id[32];
            snprintf(id, sizeof(id), "k%zu", k + 1);
            assert_string_equal(svcq_analysis_node_child(a, "e", k), id);
            assert_int_equal(svcq_analysis_node_kind_of(a, id), SVCQ_ANALYSIS_CATEGORY);
            assert_string_equal(svcq_analysis_node_text(a, id),
                                svcq_analysis_template_category(want[i].t, (uint32_t)k));
        }
        assert_null(svcq_analysis_template_category(want[i].t, (uint32_t)want[i].n));
        if (want[i].n) {
            assert_string_equal(svcq_analysis_template_category(want[i].t, 0), want[i].first);
            assert_string_equal(svcq_analysis_template_category(want[i].t, (uint32_t)want[i].n - 1), want[i].last);
        }
        assert_int_equal(svcq_analysis_why_depth(a), SVCQ_ANALYSIS_DEFAULT_WHY_DEPTH);
        svcq_analysis_free(a);
    }
    assert_null(svcq_analysis_template_name(4));
    assert_null(svcq_analysis_template_name(-1));
    assert_string_equal(svcq_analysis_node_kind_name(SVCQ_ANALYSIS_WHY), "why");
    assert_null(svcq_analysis_node_kind_name(0));
    assert_string_equal(svcq_analysis_status_name(SVCQ_ANALYSIS_REFUTED), "refuted");
    assert_null(svcq_analysis_status_name(3));
    assert_string_equal(svcq_analysis_evidence_kind_name(SVCQ_ANALYSIS_EV_VIDEO), "surveillance_video");
    assert_string_equal(svcq_analysis_evidence_kind_name(SVCQ_ANALYSIS_EV_INTERVIEW), "staff_interview");
    assert_null(svcq_analysis_evidence_kind_name(7));
    /* Refusals of new. */
    svcq_analysis *a;
    refused(svcq_analysis_new(&a, ctx, "A-1", "x", 9), SVCQ_EINVAL, "unknown template 9");
    assert_null(a);
    refused(svcq_analysis_new(&a, ctx, "A-1", "   \n", 0), SVCQ_EINVAL, "blank");
    refused(svcq_analysis_new(&a, ctx, "", "x", 0), SVCQ_EINVAL, NULL);
    refused(svcq_analysis_new(&a, ctx, "A-1", "bad \x01 char", 0), SVCQ_EINVAL, "control character U+0001");
    refused(svcq_analysis_new(&a, ctx, "A-1", "bad \xff utf8", 0), SVCQ_EINVAL, "UTF-8");
    refused(svcq_analysis_new(NULL, ctx, "A-1", "x", 0), SVCQ_EINVAL, NULL);
}

static void edits(void **state)
{
    (void)state;
    svcq_analysis *a = fresh(SVCQ_ANALYSIS_4S);
    const char *c1 = add(a, "k1", SVCQ_ANALYSIS_CAUSE, "Noise");
    assert_string_equal(c1, "c1");
    const char *c2 = add(a, "c1", SVCQ_ANALYSIS_CAUSE, "Open-plan floor");
    assert_string_equal(c2, "c2");
    assert_string_equal(add(a, "c2", SVCQ_ANALYSIS_WHY, "No quiet rooms"), "w1");
    assert_string_equal(add(a, "e", SVCQ_ANALYSIS_WHY, "Calls dropped"), "w2");
    assert_string_equal(add(a, "e", SVCQ_ANALYSIS_CATEGORY, "Schedules"), "k5");
    assert_string_equal(svcq_analysis_node_parent(a, "w1"), "c2");
    assert_null(svcq_analysis_node_parent(a, "e"));
    assert_int_equal(svcq_analysis_node_count(a), 10);
    /* Document order: e, k1, c1, c2, w1, k2, k3, k4, w2, k5. */
    static const char *const order[] = { "e", "k1", "c1", "c2", "w1", "k2", "k3", "k4", "w2", "k5" };
    for (size_t i = 0; i < 10; i++)
        assert_string_equal(svcq_analysis_node_at(a, i), order[i]);
    assert_null(svcq_analysis_node_at(a, 10));

    /* Kinds that cannot go where asked. */
    refused(svcq_analysis_add(NULL, a, "c1", SVCQ_ANALYSIS_CATEGORY, "x"), SVCQ_EINVAL,
            "a category cannot go under c1, which is a cause");
    refused(svcq_analysis_add(NULL, a, "e", SVCQ_ANALYSIS_CAUSE, "x"), SVCQ_EINVAL, "cannot go under e");
    refused(svcq_analysis_add(NULL, a, "k1", SVCQ_ANALYSIS_WHY, "x"), SVCQ_EINVAL, "which is a category");
    refused(svcq_analysis_add(NULL, a, "w1", SVCQ_ANALYSIS_CAUSE, "x"), SVCQ_EINVAL, "which is a why");
    refused(svcq_analysis_add(NULL, a, "e", SVCQ_ANALYSIS_EFFECT, "x"), SVCQ_EINVAL, "kind 1");
    refused(svcq_analysis_add(NULL, a, "c99", SVCQ_ANALYSIS_CAUSE, "x"), SVCQ_ENOTFOUND, "no node \"c99\"");
    refused(svcq_analysis_add(NULL, a, "k1", SVCQ_ANALYSIS_CAUSE, NULL), SVCQ_EINVAL, "NULL text");
    refused(svcq_analysis_add(NULL, a, "k1", SVCQ_ANALYSIS_CAUSE, "\t "), SVCQ_EINVAL, "blank");
    char *big = malloc(SVCQ_ANALYSIS_MAX_TEXT + 2);
    memset(big, 'x', SVCQ_ANALYSIS_MAX_TEXT + 1);
    big[SVCQ_ANALYSIS_MAX_TEXT + 1] = '\0';
    refused(svcq_analysis_add(NULL, a, "k1", SVCQ_ANALYSIS_CAUSE, big), SVCQ_ELIMIT, "4097 bytes");
    big[SVCQ_ANALYSIS_MAX_TEXT] = '\0';
    assert_string_equal(add(a, "k1", SVCQ_ANALYSIS_CAUSE, big), "c3");
    free(big);
    assert_int_equal(svcq_analysis_node_count(a), 11);

    /* Moves: reorder, reparent, cycles, kinds, positions. */
    assert_int_equal(svcq_analysis_move(a, "c3", "k1", 0), SVCQ_OK);
    assert_string_equal(svcq_analysis_node_child(a, "k1", 0), "c3");
    assert_int_equal(svcq_analysis_move(a, "c2", "k2", -1), SVCQ_OK);
    assert_string_equal(svcq_analysis_node_parent(a, "c2"), "k2");
    assert_string_equal(svcq_analysis_node_parent(a, "w1"), "c2");
    assert_int_equal(svcq_analysis_move(a, "c1", "c2", -1), SVCQ_OK);
    refused(svcq_analysis_move(a, "c2", "c1", -1), SVCQ_EINVAL, "cycle");
    refused(svcq_analysis_move(a, "c2", "c2", -1), SVCQ_EINVAL, "is the node itself");
    refused(svcq_analysis_move(a, "e", "k1", -1), SVCQ_EINVAL, "the effect cannot move");
    refused(svcq_analysis_move(a, "w1", "k1", -1), SVCQ_EINVAL, "cannot go under k1");
    refused(svcq_analysis_move(a, "c1", "k3", 1), SVCQ_EINVAL, "position 1");
    refused(svcq_analysis_move(a, "c1", "k3", -2), SVCQ_EINVAL, "position -2");
    assert_int_equal(svcq_analysis_move(a, "w2", "w1", 0), SVCQ_OK);
    assert_int_equal(svcq_analysis_node_why_level(a, "w2"), 2);
    assert_int_equal(svcq_analysis_node_why_level(a, "c1"), 0);

    /* Removal takes the subtree; ids are not given again. */
    assert_int_equal(svcq_analysis_remove(a, "c2"), SVCQ_OK);
    assert_int_equal(svcq_analysis_node_kind_of(a, "c1"), 0);
    assert_int_equal(svcq_analysis_node_kind_of(a, "w2"), 0);
    assert_int_equal(svcq_analysis_node_count(a), 7);
    refused(svcq_analysis_remove(a, "e"), SVCQ_EINVAL, "the effect cannot be removed");
    refused(svcq_analysis_remove(a, "c2"), SVCQ_ENOTFOUND, "c2");
    assert_string_equal(add(a, "k1", SVCQ_ANALYSIS_CAUSE, "Again"), "c4");
    assert_string_equal(add(a, "e", SVCQ_ANALYSIS_WHY, "Again"), "w3");

    /* Texts, owners, weights, depth, incident. */
    assert_int_equal(svcq_analysis_set_text(a, "e", "Late call-backs\nin March"), SVCQ_OK);
    assert_string_equal(svcq_analysis_node_text(a, "e"), "Late call-backs\nin March");
    assert_int_equal(svcq_analysis_set_owner(a, "c4", "Li Na"), SVCQ_OK);
    assert_string_equal(svcq_analysis_node_owner(a, "c4"), "Li Na");
    assert_int_equal(svcq_analysis_set_owner(a, "c4", ""), SVCQ_OK);
    assert_null(svcq_analysis_node_owner(a, "c4"));
    assert_int_equal(svcq_analysis_set_weight(a, "c4", SVCQ_ANALYSIS_MAX_WEIGHT), SVCQ_OK);
    assert_int_equal(svcq_analysis_node_weight(a, "c4"), SVCQ_ANALYSIS_MAX_WEIGHT);
    refused(svcq_analysis_set_weight(a, "c4", -1), SVCQ_ERANGE, "weight -1");
    refused(svcq_analysis_set_weight(a, "c4", SVCQ_ANALYSIS_MAX_WEIGHT + 1), SVCQ_ERANGE, NULL);
    refused(svcq_analysis_set_why_depth(a, 0), SVCQ_ERANGE, "why depth 0");
    refused(svcq_analysis_set_why_depth(a, SVCQ_ANALYSIS_MAX_DEPTH + 1), SVCQ_ERANGE, NULL);
    refused(svcq_analysis_set_status(a, "c4", 3), SVCQ_EINVAL, "unknown status 3");
    assert_int_equal(svcq_analysis_set_incident(a, "INC-1"), SVCQ_OK);
    assert_string_equal(svcq_analysis_incident(a), "INC-1");
    refused(svcq_analysis_set_incident(a, "bad\x01id"), SVCQ_EINVAL, NULL);
    assert_string_equal(svcq_analysis_incident(a), "INC-1");
    assert_int_equal(svcq_analysis_set_incident(a, NULL), SVCQ_OK);
    assert_null(svcq_analysis_incident(a));
    /* Unknown nodes in getters. */
    assert_null(svcq_analysis_node_text(a, "zz"));
    assert_int_equal(svcq_analysis_node_status(a, "c99"), -1);
    assert_int_equal(svcq_analysis_node_weight(a, NULL), -1);
    assert_int_equal(svcq_analysis_node_is_root_cause(a, "w999"), -1);
    svcq_analysis_free(a);
    svcq_analysis_free(NULL);
}

static void limits(void **state)
{
    (void)state;
    svcq_analysis *a = fresh(SVCQ_ANALYSIS_CUSTOM);
    /* Depth: a chain of whys down to the limit. */
    const char *p = "e";
    char last[16] = "e";
    for (int d = 1; d <= SVCQ_ANALYSIS_MAX_DEPTH; d++) {
        p = add(a, last, SVCQ_ANALYSIS_WHY, "deeper");
        snprintf(last, sizeof(last), "%s", p);
    }
    refused(svcq_analysis_add(NULL, a, last, SVCQ_ANALYSIS_WHY, "too deep"), SVCQ_ELIMIT, "levels below the effect");
    /* A subtree moved deeper than the limit. */
    const char *k = add(a, "e", SVCQ_ANALYSIS_CATEGORY, "K");
    const char *c = add(a, k, SVCQ_ANALYSIS_CAUSE, "C");
    add(a, c, SVCQ_ANALYSIS_WHY, "W");
    assert_int_equal(svcq_analysis_move(a, "w2", c, -1), SVCQ_ELIMIT);
    assert_string_equal(svcq_analysis_node_parent(a, "w2"), "w1");
    svcq_analysis_free(a);
    /* Size. */
    a = fresh(SVCQ_ANALYSIS_CUSTOM);
    k = add(a, "e", SVCQ_ANALYSIS_CATEGORY, "K");
    for (int i = 2; i < SVCQ_ANALYSIS_MAX_NODES; i++)
        add(a, k, SVCQ_ANALYSIS_CAUSE, "c");
    assert_int_equal(svcq_analysis_node_count(a), SVCQ_ANALYSIS_MAX_NODES);
    refused(svcq_analysis_add(NULL, a, k, SVCQ_ANALYSIS_CAUSE, "one more"), SVCQ_ELIMIT, "4096 nodes");
    /* Evidence per node. */
    for (int i = 0; i < SVCQ_ANALYSIS_MAX_EVIDENCE; i++)
        assert_int_equal(svcq_analysis_add_evidence(a, "c1", SVCQ_ANALYSIS_EV_OTHER, "u", NULL, NULL, 0), SVCQ_OK);
    refused(svcq_analysis_add_evidence(a, "c1", SVCQ_ANALYSIS_EV_OTHER, "u", NULL, NULL, 0), SVCQ_ELIMIT,
            "64 evidence");
    svcq_analysis_free(a);
}

static void root_cause_guard(void **state)
{
    (void)state;
    svcq_analysis *a = fresh(SVCQ_ANALYSIS_6M);
    const char *c = add(a, "k2", SVCQ_ANALYSIS_CAUSE, "Tablet crashes");
    refused(svcq_analysis_set_root_cause(a, c, 1), SVCQ_ESTATE, "must be confirmed first");
    assert_int_equal(svcq_analysis_set_status(a, c, SVCQ_ANALYSIS_CONFIRMED), SVCQ_OK);
    refused(svcq_analysis_set_root_cause(a, c, 1), SVCQ_ESTATE, "has no evidence");
    refused(svcq_analysis_add_evidence(a, c, SVCQ_ANALYSIS_EV_PHOTO, NULL, "", NULL, 0), SVCQ_EINVAL,
            "needs a URI or a note");
    refused(svcq_analysis_add_evidence(a, c, 0, "u", NULL, NULL, 0), SVCQ_EINVAL, "unknown evidence kind 0");
    refused(svcq_analysis_add_evidence(a, c, SVCQ_ANALYSIS_EV_PHOTO, "u", NULL, NULL, -2208988801LL), SVCQ_ERANGE,
            "outside 1900..9999");
    assert_int_equal(svcq_analysis_add_evidence(a, c, SVCQ_ANALYSIS_EV_SYSTEM_LOG, "log://crash", "Crash at start",
                                                "Ops", AF_T0),
                     SVCQ_OK);
    assert_int_equal(svcq_analysis_evidence_count(a, c), 1);
    assert_int_equal(svcq_analysis_evidence_kind_of(a, c, 0), SVCQ_ANALYSIS_EV_SYSTEM_LOG);
    assert_string_equal(svcq_analysis_evidence_uri(a, c, 0), "log://crash");
    assert_string_equal(svcq_analysis_evidence_note(a, c, 0), "Crash at start");
    assert_string_equal(svcq_analysis_evidence_collected_by(a, c, 0), "Ops");
    assert_int_equal(svcq_analysis_evidence_collected_at(a, c, 0), AF_T0);
    assert_int_equal(svcq_analysis_evidence_kind_of(a, c, 1), 0);
    assert_int_equal(svcq_analysis_root_cause_count(a), 0);
    assert_int_equal(svcq_analysis_set_root_cause(a, c, 1), SVCQ_OK);
    assert_int_equal(svcq_analysis_node_is_root_cause(a, c), 1);
    assert_int_equal(svcq_analysis_root_cause_count(a), 1);
    assert_string_equal(svcq_analysis_root_cause(a, 0), c);
    assert_null(svcq_analysis_root_cause(a, 1));
    /* While marked: stays confirmed, keeps its last evidence. */
    refused(svcq_analysis_set_status(a, c, SVCQ_ANALYSIS_REFUTED), SVCQ_ESTATE, "must stay confirmed");
    refused(svcq_analysis_set_status(a, c, SVCQ_ANALYSIS_HYPOTHESIS), SVCQ_ESTATE, "unmark it");
    refused(svcq_analysis_remove_evidence(a, c, 0), SVCQ_ESTATE, "only evidence");
    refused(svcq_analysis_remove_evidence(a, c, 1), SVCQ_ENOTFOUND, "no index 1");
    /* Only causes and whys. */
    refused(svcq_analysis_set_root_cause(a, "k2", 1), SVCQ_EINVAL, "only a cause or a why");
    refused(svcq_analysis_set_root_cause(a, "e", 1), SVCQ_EINVAL, "the effect");
    assert_int_equal(svcq_analysis_set_root_cause(a, c, 0), SVCQ_OK);
    assert_int_equal(svcq_analysis_remove_evidence(a, c, 0), SVCQ_OK);
    assert_int_equal(svcq_analysis_set_status(a, c, SVCQ_ANALYSIS_REFUTED), SVCQ_OK);
    svcq_analysis_free(a);
}

static void short_branches(void **state)
{
    (void)state;
    svcq_analysis *a = fresh(SVCQ_ANALYSIS_CUSTOM);
    assert_int_equal(svcq_analysis_short_branch_count(a), 0);
    assert_int_equal(svcq_analysis_why_tree_count(a), 0);
    const char *w1 = add(a, "e", SVCQ_ANALYSIS_WHY, "one");
    const char *w2 = add(a, w1, SVCQ_ANALYSIS_WHY, "two");
    const char *w3 = add(a, w2, SVCQ_ANALYSIS_WHY, "three");
    uint32_t level = 0;
    assert_int_equal(svcq_analysis_short_branch_count(a), 1);
    assert_string_equal(svcq_analysis_short_branch(a, 0, &level), w3);
    assert_int_equal(level, 3);
    assert_null(svcq_analysis_short_branch(a, 1, &level));
    assert_int_equal(level, 0);
    /* A branch: two short ends. */
    const char *w4 = add(a, w1, SVCQ_ANALYSIS_WHY, "two, other branch");
    assert_int_equal(svcq_analysis_short_branch_count(a), 2);
    assert_string_equal(svcq_analysis_short_branch(a, 1, &level), w4);
    assert_int_equal(level, 2);
    /* A refuted end is not a warning. */
    assert_int_equal(svcq_analysis_set_status(a, w4, SVCQ_ANALYSIS_REFUTED), SVCQ_OK);
    assert_int_equal(svcq_analysis_short_branch_count(a), 1);
    /* Deep enough at depth 3; all of them at depth 1 never warn. */
    assert_int_equal(svcq_analysis_set_why_depth(a, 3), SVCQ_OK);
    assert_int_equal(svcq_analysis_short_branch_count(a), 0);
    const char *w5 = add(a, w3, SVCQ_ANALYSIS_WHY, "four");
    const char *w6 = add(a, w5, SVCQ_ANALYSIS_WHY, "five");
    assert_int_equal(svcq_analysis_set_why_depth(a, 5), SVCQ_OK);
    assert_int_equal(svcq_analysis_short_branch_count(a), 0);
    assert_int_equal(svcq_analysis_node_why_level(a, w6), 5);
    /* 5-Why trees: the effect, and a cause with whys. */
    const char *k = add(a, "e", SVCQ_ANALYSIS_CATEGORY, "K");
    const char *c = add(a, k, SVCQ_ANALYSIS_CAUSE, "C");
    assert_int_equal(svcq_analysis_why_tree_count(a), 1);
    add(a, c, SVCQ_ANALYSIS_WHY, "why C");
    assert_int_equal(svcq_analysis_why_tree_count(a), 2);
    assert_string_equal(svcq_analysis_why_tree(a, 0), "e");
    assert_string_equal(svcq_analysis_why_tree(a, 1), c);
    assert_int_equal(svcq_analysis_short_branch_count(a), 1);
    /* Saving with a short branch succeeds (a warning in the log). */
    assert_int_equal(svcq_analysis_save(a), SVCQ_OK);
    svcq_analysis_free(a);
}

static void store(void **state)
{
    (void)state;
    svcq_analysis *a;
    assert_int_equal(af_six(&a, ctx), SVCQ_OK);
    assert_int_equal(svcq_analysis_revision(a), 0);
    refused(svcq_analysis_delete(a), SVCQ_ESTATE, "never saved");
    assert_int_equal(svcq_analysis_save(a), SVCQ_OK);
    uint64_t r1 = svcq_analysis_revision(a);
    assert_true(r1 > 0);
    svcq_analysis *b;
    assert_int_equal(svcq_analysis_load(&b, ctx, "six"), SVCQ_OK);
    assert_int_equal(svcq_analysis_revision(b), r1);
    char *ja = json_of(a), *jb = json_of(b);
    assert_string_equal(ja, jb);
    free(ja);
    free(jb);
    /* Compare-and-swap: b saves first, a is refused and unchanged. */
    assert_int_equal(svcq_analysis_set_weight(b, "c1", 2), SVCQ_OK);
    assert_int_equal(svcq_analysis_save(b), SVCQ_OK);
    assert_int_equal(svcq_analysis_set_weight(a, "c1", 3), SVCQ_OK);
    refused(svcq_analysis_save(a), SVCQ_ECONFLICT, "saved by another writer");
    assert_int_equal(svcq_analysis_revision(a), r1);
    assert_int_equal(svcq_analysis_node_weight(a, "c1"), 3);
    /* A new handle of the same id must not overwrite. */
    svcq_analysis *c = fresh(SVCQ_ANALYSIS_CUSTOM);
    svcq_analysis_free(c);
    assert_int_equal(svcq_analysis_new(&c, ctx, "six", "other", 0), SVCQ_OK);
    refused(svcq_analysis_save(c), SVCQ_ECONFLICT, NULL);
    svcq_analysis_free(c);
    /* Delete at the right revision. */
    refused(svcq_analysis_delete(a), SVCQ_ECONFLICT, NULL);
    assert_int_equal(svcq_analysis_delete(b), SVCQ_OK);
    assert_int_equal(svcq_analysis_revision(b), 0);
    svcq_analysis *d;
    refused(svcq_analysis_load(&d, ctx, "six"), SVCQ_ENOTFOUND, NULL);
    assert_null(d);
    refused(svcq_analysis_load(&d, ctx, "bad\x01id"), SVCQ_EINVAL, NULL);
    svcq_analysis_free(a);
    svcq_analysis_free(b);
}

/* Writes bytes as the record (analysis, id), as another program might. */
static void put_raw(const char *id, const char *json)
{
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    uint64_t expected = 0, rev;
    char *old;
    size_t size;
    if (svcq__store_get(ctx, "analysis", id, &old, &size, &expected) == SVCQ_OK)
        svcq__free(ctx, old);
    int rc = svcq__store_put(ctx, "analysis", id, expected, json, strlen(json), &rev);
    assert_int_equal(svcq__tx_end(ctx, &tx, rc), SVCQ_OK);
}

static void damaged_record(void **state)
{
    (void)state;
    svcq_analysis *a;
    static const struct {
        const char *json;
        int want;
        const char *what;
    } cases[] = {
        { "{\"schema\":\"svcq.analysis/1\",\"id\":\"X-3\",\"template\":\"custom\",\"nodes\":[{\"id\":\"e\","
          "\"kind\":\"effect\",\"text\":\"E\"}]}",
          SVCQ_ECORRUPT, "holds analysis \"X-3\"" },
        { "{\"schema\":\"svcq.analysis/1\",\"id\":", SVCQ_ECORRUPT, "not valid JSON" },
        { "{\"schema\":\"svcq.analysis/2\",\"id\":\"X-2\"}", SVCQ_EVERSION, "analysis/2" },
        { "{\"schema\":\"svcq.analysis/1\",\"id\":\"X-2\",\"template\":\"custom\",\"nodes\":[{\"id\":\"e\","
          "\"kind\":\"effect\",\"text\":\"E\"},{\"id\":\"w1\",\"parent\":\"e\",\"kind\":\"why\",\"text\":\"W\","
          "\"root_cause\":true}]}",
          SVCQ_ECORRUPT, "must be confirmed and hold evidence" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        put_raw("X-2", cases[i].json);
        refused(svcq_analysis_load(&a, ctx, "X-2"), cases[i].want, cases[i].what);
        assert_null(a);
    }
    put_raw("X-2", "{\"schema\":\"svcq.analysis/1\",\"id\":\"X-2\",\"template\":\"custom\",\"nodes\":[{\"id\":"
                   "\"e\",\"kind\":\"effect\",\"text\":\"E\",\"future_field\":1}]}");
    assert_int_equal(svcq_analysis_load(&a, ctx, "X-2"), SVCQ_OK);
    assert_string_equal(svcq_analysis_node_text(a, "e"), "E");
    svcq_analysis_free(a);
}

static void batch_undo(void **state)
{
    (void)state;
    svcq_analysis *a;
    assert_int_equal(af_branching(&a, ctx), SVCQ_OK);
    assert_int_equal(svcq_analysis_save(a), SVCQ_OK);
    char *before = json_of(a);
    uint64_t rev = svcq_analysis_revision(a);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_analysis_remove(a, "w2"), SVCQ_OK);
    assert_int_equal(svcq_analysis_set_text(a, "e", "changed"), SVCQ_OK);
    assert_int_equal(svcq_analysis_move(a, "c1", "k1", 0), SVCQ_OK);
    assert_int_equal(svcq_analysis_set_why_depth(a, 2), SVCQ_OK);
    assert_int_equal(svcq_analysis_set_incident(a, "INC-5"), SVCQ_OK);
    assert_int_equal(svcq_analysis_save(a), SVCQ_OK);
    assert_true(svcq_analysis_revision(a) > rev);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
    char *after = json_of(a);
    assert_string_equal(before, after);
    assert_int_equal(svcq_analysis_revision(a), rev);
    free(after);
    /* A loaded analysis (texts in their own blocks): texts set twice in a
     * batch and rolled back, then set outside any batch. */
    svcq_analysis *l;
    assert_int_equal(svcq_analysis_load(&l, ctx, "branching"), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_analysis_set_text(l, "w1", "once"), SVCQ_OK);
    assert_int_equal(svcq_analysis_set_text(l, "w1", "twice"), SVCQ_OK);
    assert_int_equal(svcq_analysis_set_text(l, "e", "changed"), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
    after = json_of(l);
    assert_string_equal(before, after);
    free(after);
    assert_int_equal(svcq_analysis_set_text(l, "w1", "once"), SVCQ_OK);
    assert_int_equal(svcq_analysis_set_text(l, "w1", "twice"), SVCQ_OK);
    assert_string_equal(svcq_analysis_node_text(l, "w1"), "twice");
    svcq_analysis_free(l);
    /* Freed inside the batch: the rollback leaves it alone. */
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_analysis_set_text(a, "w3", "changed"), SVCQ_OK);
    assert_int_equal(svcq_analysis_set_owner(a, "w7", NULL), SVCQ_OK);
    assert_int_equal(svcq_analysis_remove_evidence(a, "w7", 0), SVCQ_OK);
    assert_int_equal(svcq_analysis_add_evidence(a, "w6", 1, "u://x", NULL, NULL, 0), SVCQ_OK);
    assert_int_equal(svcq_analysis_add(NULL, a, "w3", SVCQ_ANALYSIS_WHY, "new"), SVCQ_OK);
    assert_int_equal(svcq_analysis_move(a, "w9", "w1", 0), SVCQ_OK);
    assert_int_equal(svcq_analysis_set_status(a, "w9", 1), SVCQ_OK);
    assert_int_equal(svcq_analysis_remove(a, "w2"), SVCQ_OK);
    assert_int_equal(svcq_analysis_save(a), SVCQ_OK);
    svcq_analysis_free(a);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
    assert_int_equal(svcq_analysis_load(&a, ctx, "branching"), SVCQ_OK);
    after = json_of(a);
    assert_string_equal(before, after);
    free(after);
    free(before);
    svcq_analysis_free(a);
}

/* The rules every kept text follows, through each edit that takes a text:
 * the refusal and its message (naming the analysis, the node and the
 * field), or the text kept byte for byte. The table is the oracle. */
static void text_rules(void **state)
{
    (void)state;
    static char long_text[SVCQ_ANALYSIS_MAX_TEXT + 2];
    memset(long_text, 'x', sizeof(long_text) - 1);
    static const struct {
        const char *text;
        int rc;
        const char *msg; /* the end of the message after "<field>: " */
    } cases[] = {
        { "a", SVCQ_OK, NULL },
        { "\tTab and\nline feed", SVCQ_OK, NULL },
        { "caf\xc3\xa9 \xe6\x9c\x8d\xe5\x8a\xa1", SVCQ_OK, NULL },
        { "\xe3\x80\x80", SVCQ_OK, NULL }, /* U+3000 is not one of the blanks */
        { " ", SVCQ_EINVAL, "empty or blank" },
        { " \t\n ", SVCQ_EINVAL, "empty or blank" },
        { "x\x7f", SVCQ_EINVAL, "control character U+007F at byte 1 (only tab and line feed are allowed)" },
        { "\r\n", SVCQ_EINVAL, "control character U+000D at byte 0 (only tab and line feed are allowed)" },
        { "\xc3\xa9\x01", SVCQ_EINVAL, "control character U+0001 at byte 2 (only tab and line feed are allowed)" },
        { "ab\xef\xbf\xbf", SVCQ_EINVAL, "non-character U+FFFF at byte 2" },
        { "\xef\xbf\xbe", SVCQ_EINVAL, "non-character U+FFFE at byte 0" },
        { "ok \xc3", SVCQ_EINVAL, "not valid UTF-8" },
        { "\xed\xa0\x80", SVCQ_EINVAL, "not valid UTF-8" }, /* a surrogate */
        { "\x01 \xff", SVCQ_EINVAL, "not valid UTF-8" },     /* UTF-8 is checked first */
        { long_text, SVCQ_ELIMIT, "4097 bytes, more than the 4096 allowed" },
    };
    svcq_analysis *a = fresh(SVCQ_ANALYSIS_6M);
    const char *c1 = add(a, "k1", SVCQ_ANALYSIS_CAUSE, "Queue not watched");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *t = cases[i].text;
        for (int edit = 0; edit < 6; edit++) {
            char want[256] = "";
            const char *id = NULL;
            svcq_analysis *b = NULL;
            int rc;
            switch (edit) {
            case 0:
                rc = svcq_analysis_add(&id, a, "k2", SVCQ_ANALYSIS_CAUSE, t);
                snprintf(want, sizeof(want), "analysis A-1: new cause under k2: text: %s", cases[i].msg);
                break;
            case 1:
                rc = svcq_analysis_set_text(a, c1, t);
                snprintf(want, sizeof(want), "analysis A-1: %s: text: %s", c1, cases[i].msg);
                break;
            case 2:
                rc = svcq_analysis_set_owner(a, c1, t);
                snprintf(want, sizeof(want), "analysis A-1: %s: owner: %s", c1, cases[i].msg);
                break;
            case 3:
                rc = svcq_analysis_add_evidence(a, c1, SVCQ_ANALYSIS_EV_OTHER, NULL, t, NULL, 0);
                snprintf(want, sizeof(want), "analysis A-1: %s: evidence note: %s", c1, cases[i].msg);
                break;
            case 4:
                rc = svcq_analysis_add_evidence(a, c1, SVCQ_ANALYSIS_EV_OTHER, "u://1", NULL, t, 0);
                snprintf(want, sizeof(want), "analysis A-1: %s: evidence collected_by: %s", c1, cases[i].msg);
                break;
            default:
                rc = svcq_analysis_new(&b, ctx, "A-2", t, SVCQ_ANALYSIS_CUSTOM);
                snprintf(want, sizeof(want), "analysis A-2: effect: %s", cases[i].msg);
                break;
            }
            if (rc != cases[i].rc)
                fail_msg("case %zu, edit %d: returned %d, expected %d (%s)", i, edit, rc, cases[i].rc,
                         svcq_ctx_errmsg(ctx));
            if (rc) {
                if (strcmp(svcq_ctx_errmsg(ctx), want) != 0)
                    fail_msg("case %zu, edit %d: message \"%s\", expected \"%s\"", i, edit, svcq_ctx_errmsg(ctx),
                             want);
                continue;
            }
            const char *kept = edit == 0   ? svcq_analysis_node_text(a, id)
                               : edit == 1 ? svcq_analysis_node_text(a, c1)
                               : edit == 2 ? svcq_analysis_node_owner(a, c1)
                               : edit == 3 ? svcq_analysis_evidence_note(a, c1, svcq_analysis_evidence_count(a, c1) - 1)
                               : edit == 4 ? svcq_analysis_evidence_collected_by(
                                                 a, c1, svcq_analysis_evidence_count(a, c1) - 1)
                                           : svcq_analysis_node_text(b, "e");
            assert_string_equal(kept, t);
            if (edit == 0)
                assert_int_equal(svcq_analysis_remove(a, id), SVCQ_OK);
            if (edit == 3 || edit == 4)
                assert_int_equal(svcq_analysis_remove_evidence(a, c1, 0), SVCQ_OK);
            svcq_analysis_free(b);
        }
    }
    svcq_analysis_free(a);
}

/* Every failing call with a handle writes its own message: a sentinel is
 * planted first, and each case must replace it. */
static void messages(void **state)
{
    (void)state;
    svcq_analysis *a;
    assert_int_equal(af_branching(&a, ctx), SVCQ_OK);
    svcq_buffer *b;
    assert_int_equal(svcq_buffer_new(&b, ctx), SVCQ_OK);
    svcq_writer w;
    assert_int_equal(svcq_writer_to_buffer(&w, b), SVCQ_OK);
    svcq_analysis *out;
    struct {
        const char *what;
        int rc;
        int want;
    } cases[16];
    size_t n = 0;
#define CASE(call, code)                                                                                           \
    do {                                                                                                           \
        svcq_tz *tz_;                                                                                              \
        if (svcq_tz_load(&tz_, ctx, "Sentinel/Zone", "/nonexistent") == SVCQ_OK)                                  \
            svcq_tz_free(tz_);                                                                                     \
        cases[n].what = #call;                                                                                     \
        cases[n].rc = (call);                                                                                      \
        cases[n].want = (code);                                                                                    \
        if (strstr(svcq_ctx_errmsg(ctx), "Sentinel/Zone") || !svcq_ctx_errmsg(ctx)[0])                             \
            fail_msg("%s left the old message: %s", #call, svcq_ctx_errmsg(ctx));                                  \
        n++;                                                                                                       \
    } while (0)
    CASE(svcq_analysis_export_mermaid(a, &w, "k1"), SVCQ_EINVAL);
    CASE(svcq_analysis_export_svg(a, &w, "nope"), SVCQ_ENOTFOUND);
    CASE(svcq_analysis_export_dot(a, &w, "c404"), SVCQ_ENOTFOUND);
    CASE(svcq_analysis_export_json(a, &w, 0x8), SVCQ_EINVAL);
    CASE(svcq_analysis_import_json(&out, ctx, "{", 1), SVCQ_EPARSE);
    CASE(svcq_analysis_load(&out, ctx, "missing"), SVCQ_ENOTFOUND);
    CASE(svcq_analysis_delete(a), SVCQ_ESTATE);
    CASE(svcq_analysis_set_text(a, "w1", ""), SVCQ_EINVAL);
    CASE(svcq_analysis_set_owner(a, "w1", "\x7f"), SVCQ_EINVAL);
    CASE(svcq_analysis_set_root_cause(a, "w1", 1), SVCQ_ESTATE);
    CASE(svcq_analysis_remove_evidence(a, "w1", 0), SVCQ_ENOTFOUND);
    CASE(svcq_analysis_add_evidence(a, NULL, 1, "u", NULL, NULL, 0), SVCQ_EINVAL);
    CASE(svcq_analysis_move(a, "w1", NULL, 0), SVCQ_EINVAL);
    CASE(svcq_analysis_set_status(a, "q1", 1), SVCQ_ENOTFOUND);
    for (size_t i = 0; i < n; i++)
        if (cases[i].rc != cases[i].want)
            fail_msg("%s returned %d, expected %d", cases[i].what, cases[i].rc, cases[i].want);
#undef CASE
    svcq_buffer_free(b);
    svcq_analysis_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(templates),      cmocka_unit_test(edits),
        cmocka_unit_test(limits),         cmocka_unit_test(root_cause_guard),
        cmocka_unit_test(short_branches), cmocka_unit_test(store),
        cmocka_unit_test(damaged_record), cmocka_unit_test(batch_undo),
        cmocka_unit_test(messages),       cmocka_unit_test(text_rules),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
