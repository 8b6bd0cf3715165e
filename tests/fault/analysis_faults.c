/* Allocation failure (every allocation) and storage failure (every store
 * callback, a plain and an unknown error code) over the analysis's edits
 * and saves. Each failed run must return the injected error, leave nothing
 * leaked, and leave the WHOLE state as it was: the analysis (its JSON
 * export, its revision) and the stored record.
 *
 * - one scenario per edit, outside any transaction (each edit is all or
 *   nothing on its own);
 * - a host batch of many edits and a save, rolled back on the first
 *   failure: the edits' undo entries must bring the handle back;
 * - save, save after an edit, delete and load on their own;
 * - an import (the only state is the context: nothing may leak). */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../unit/analysis_fixtures.h"
#include "fault.h"
#include "faulty_store.h"
#include "store/store.h"
#include "svcq.h"

typedef struct st {
    test_alloc *alloc;
    svcq_ctx *ctx;
    bool inject_store;
    faulty_store *faulty; /* owned by the context's store */
    svcq_analysis *a;
    svcq_analysis *loaded;
    char *json; /* the analysis's compact JSON at setup */
} st;

static int collect(const char *data, size_t size, void *user)
{
    char **out = user;
    size_t old = *out ? strlen(*out) : 0;
    char *n = realloc(*out, old + size + 1);
    memcpy(n + old, data, size);
    n[old + size] = '\0';
    *out = n;
    return 0;
}

static void *setup_common(test_alloc *alloc, bool inject_store, int error, bool saved)
{
    st *s = calloc(1, sizeof(*s));
    s->alloc = alloc;
    s->inject_store = inject_store;
    s->ctx = test_ctx_new(alloc);
    svcq_store_methods inner, m;
    assert_int_equal(svcq__memstore_new(s->ctx, &inner), SVCQ_OK);
    s->faulty = malloc(sizeof(*s->faulty));
    faulty_store_init(s->faulty, &inner);
    s->faulty->error = error;
    s->faulty->free_on_destroy = true;
    faulty_store_methods(s->faulty, &m);
    assert_int_equal(svcq_ctx_set_store(s->ctx, &m), SVCQ_OK);
    assert_int_equal(af_branching(&s->a, s->ctx), SVCQ_OK);
    if (saved)
        assert_int_equal(svcq_analysis_save(s->a), SVCQ_OK);
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = collect;
    w.user_data = &s->json;
    assert_int_equal(svcq_analysis_export_json(s->a, &w, 0), SVCQ_OK);
    return s;
}

static void *setup_alloc(test_alloc *a) { return setup_common(a, false, 0, true); }
static void *setup_alloc_unsaved(test_alloc *a) { return setup_common(a, false, 0, false); }
static void *setup_eio(test_alloc *a) { return setup_common(a, true, SVCQ_EIO, true); }
static void *setup_odd(test_alloc *a) { return setup_common(a, true, -1000, true); }
static void *setup_eio_unsaved(test_alloc *a) { return setup_common(a, true, SVCQ_EIO, false); }

static void arm(void *p, size_t n, bool keep)
{
    st *s = p;
    if (s->inject_store)
        faulty_store_arm(s->faulty, n, keep);
    else
        test_alloc_arm(s->alloc, n, keep);
}

static size_t injected(void *p)
{
    st *s = p;
    return s->inject_store ? s->faulty->injected : s->alloc->injected;
}

/* The analysis, its revision and the stored record, as one text. */
static char *describe(void *p)
{
    st *s = p;
    char *out = NULL;
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = collect;
    w.user_data = &out;
    assert_int_equal(svcq_analysis_export_json(s->a, &w, 0), SVCQ_OK);
    char rev[64];
    snprintf(rev, sizeof(rev), "\nrevision %llu\nstored ", (unsigned long long)svcq_analysis_revision(s->a));
    collect(rev, strlen(rev), &out);
    char *bytes = NULL;
    size_t size = 0;
    uint64_t revision = 0;
    int rc = svcq__store_get(s->ctx, "analysis", "branching", &bytes, &size, &revision);
    if (rc == SVCQ_OK) {
        snprintf(rev, sizeof(rev), "@%llu ", (unsigned long long)revision);
        collect(rev, strlen(rev), &out);
        collect(bytes, size, &out);
        svcq__free(s->ctx, bytes);
    } else {
        assert_int_equal(rc, SVCQ_ENOTFOUND);
        collect("none", 4, &out);
    }
    return out;
}

static void teardown(void *p)
{
    st *s = p;
    svcq_analysis_free(s->a);
    svcq_analysis_free(s->loaded);
    svcq_ctx_free(s->ctx);
    free(s->json);
    free(s);
}

/* ---- single edits ---------------------------------------------------------- */

static int run_add(void *p)
{
    return svcq_analysis_add(NULL, ((st *)p)->a, "w6", SVCQ_ANALYSIS_WHY, "A new why under w6");
}
static int run_text(void *p)
{
    return svcq_analysis_set_text(((st *)p)->a, "e", "The nightly invoice run failed twice");
}
static int run_owner(void *p)
{
    return svcq_analysis_set_owner(((st *)p)->a, "w1", "Ops on call");
}
static int run_evidence(void *p)
{
    return svcq_analysis_add_evidence(((st *)p)->a, "w2", SVCQ_ANALYSIS_EV_PHOTO, "file:///disk.png", "df -h",
                                      "Ops", AF_T0);
}
static int run_incident(void *p)
{
    return svcq_analysis_set_incident(((st *)p)->a, "INC-99");
}

static void single_edits(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int (*run)(void *);
    } edits[] = {
        /* A move or a removal outside a transaction allocates nothing
         * (or only when a child array grows): covered inside the batch,
         * where each edit first copies the model. */
        { "analysis add", run_add },
        { "analysis set_text", run_text },
        { "analysis set_owner", run_owner },   { "analysis add_evidence", run_evidence },
        { "analysis set_incident", run_incident },
    };
    for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
        fault_scenario sc = { .name = edits[i].name, .setup = setup_alloc, .run = edits[i].run,
                              .describe = describe, .teardown = teardown, .arm = arm, .injected = injected };
        assert_true(fault_run(&sc) >= 1);
    }
}

/* ---- a batch of edits and a save ------------------------------------------------ */

static int run_batch(void *p)
{
    st *s = p;
    int rc = svcq_ctx_batch_begin(s->ctx);
    if (rc)
        return rc;
    const char *id = NULL;
    rc = svcq_analysis_add(&id, s->a, "c1", SVCQ_ANALYSIS_WHY, "Retention was never configured");
    if (!rc)
        rc = svcq_analysis_set_status(s->a, id, SVCQ_ANALYSIS_CONFIRMED);
    if (!rc)
        rc = svcq_analysis_add_evidence(s->a, id, SVCQ_ANALYSIS_EV_DOCUMENT, "doc://retention", NULL, "Ops", AF_T0);
    if (!rc)
        rc = svcq_analysis_set_root_cause(s->a, id, 1);
    if (!rc)
        rc = svcq_analysis_set_root_cause(s->a, "w7", 0);
    if (!rc)
        rc = svcq_analysis_move(s->a, "w4", "w2", -1);
    if (!rc)
        rc = svcq_analysis_remove(s->a, "w3");
    if (!rc)
        rc = svcq_analysis_remove_evidence(s->a, "w7", 0);
    if (!rc)
        rc = svcq_analysis_set_weight(s->a, "w1", 4);
    if (!rc)
        rc = svcq_analysis_set_why_depth(s->a, 4);
    if (!rc)
        rc = svcq_analysis_set_text(s->a, "k1", "Systems and storage");
    if (!rc)
        rc = svcq_analysis_save(s->a);
    if (!rc)
        rc = svcq_ctx_batch_commit(s->ctx);
    else
        (void)svcq_ctx_batch_rollback(s->ctx);
    return rc;
}

static void check_batch_result(void *p, int rc, bool hit)
{
    (void)hit;
    st *s = p;
    if (rc != SVCQ_OK)
        return;
    /* What was committed reads back equal to the handle. */
    svcq_analysis *l;
    assert_int_equal(svcq_analysis_load(&l, s->ctx, "branching"), SVCQ_OK);
    assert_int_equal(svcq_analysis_revision(l), svcq_analysis_revision(s->a));
    assert_int_equal(svcq_analysis_why_depth(l), 4);
    assert_int_equal(svcq_analysis_node_count(l), svcq_analysis_node_count(s->a));
    svcq_analysis_free(l);
}

static void batch_alloc(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "analysis batch, allocation", .setup = setup_alloc, .run = run_batch,
                          .describe = describe, .verify = check_batch_result, .teardown = teardown, .arm = arm,
                          .injected = injected };
    size_t n = fault_run(&sc);
    printf("analysis batch: %zu allocation failure points\n", n);
    assert_true(n >= 10);
}

static void batch_store(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "analysis batch, SVCQ_EIO", .setup = setup_eio, .run = run_batch,
                          .describe = describe, .verify = check_batch_result, .teardown = teardown, .arm = arm,
                          .injected = injected, .expected_error = SVCQ_EIO };
    assert_true(fault_run(&sc) >= 3);
    sc.name = "analysis batch, unknown code";
    sc.setup = setup_odd;
    sc.expected_error = SVCQ_ESTORE;
    assert_true(fault_run(&sc) >= 3);
}

static void check_loaded(void *p, int rc, bool hit);

/* ---- edits whose undo entries depend on each other ------------------------------ */

/* Each edit records only what it changed (an old value, where a node or an
 * evidence reference was): the entries must come back in order even when a
 * later edit removes the node an earlier one changed, moves a node out of
 * the parent a later edit removes, removes a first child, or removes
 * evidence references and adds one where they were. Ends with a save and a commit, which fail under
 * storage injection: the whole batch must then be undone. */
static int run_orderings(void *p)
{
    st *s = p;
    svcq_analysis *a = s->a;
    int rc = svcq_ctx_batch_begin(s->ctx);
    if (rc)
        return rc;
    const char *w = NULL;
    /* Strings set twice (a node's text first lives in the node's block),
     * and cleared. */
    rc = svcq_analysis_set_incident(a, "INC-7");
    if (!rc)
        rc = svcq_analysis_set_incident(a, "INC-8");
    if (!rc)
        rc = svcq_analysis_set_owner(a, "w7", NULL);
    if (!rc)
        rc = svcq_analysis_set_owner(a, "w6", "Ops on call");
    if (!rc)
        rc = svcq_analysis_set_text(a, "e", "The nightly invoice run failed twice");
    if (!rc)
        rc = svcq_analysis_set_text(a, "e", "The nightly invoice run failed three times");
    /* A node edited, moved out of its parent, whose old parent then goes. */
    if (!rc)
        rc = svcq_analysis_set_text(a, "w8", "Alert recipients were never reviewed");
    if (!rc)
        rc = svcq_analysis_move(a, "w8", "w4", 0);
    if (!rc)
        rc = svcq_analysis_remove(a, "w5");
    /* A first child removed (it goes back in front of its sibling). */
    if (!rc)
        rc = svcq_analysis_remove(a, "w8");
    /* Evidence removed down to none, then added back (the array's room). */
    if (!rc)
        rc = svcq_analysis_remove_evidence(a, "w7", 1);
    if (!rc)
        rc = svcq_analysis_set_root_cause(a, "w7", 0);
    if (!rc)
        rc = svcq_analysis_remove_evidence(a, "w7", 0);
    if (!rc)
        rc = svcq_analysis_add_evidence(a, "w7", SVCQ_ANALYSIS_EV_PHOTO, "file:///checklist.png", NULL, NULL, 0);
    if (!rc)
        rc = svcq_analysis_set_status(a, "w7", SVCQ_ANALYSIS_HYPOTHESIS);
    /* Nodes edited, then their whole subtree removed (w4: w6, w7). */
    if (!rc)
        rc = svcq_analysis_set_text(a, "w6", "The clean-up job was switched off");
    if (!rc)
        rc = svcq_analysis_add_evidence(a, "w6", SVCQ_ANALYSIS_EV_DOCUMENT, NULL, "Change ticket 4411", "Ops", AF_T0);
    if (!rc)
        rc = svcq_analysis_set_weight(a, "w6", 5);
    if (!rc)
        rc = svcq_analysis_remove(a, "w4");
    /* A node added, made a root cause, edited and removed; another added. */
    if (!rc)
        rc = svcq_analysis_add(&w, a, "c1", SVCQ_ANALYSIS_WHY, "Nobody owns the retention policy");
    if (!rc)
        rc = svcq_analysis_set_status(a, w, SVCQ_ANALYSIS_CONFIRMED);
    if (!rc)
        rc = svcq_analysis_add_evidence(a, w, SVCQ_ANALYSIS_EV_INTERVIEW, NULL, "Head of Ops", NULL, 0);
    if (!rc)
        rc = svcq_analysis_set_root_cause(a, w, 1);
    if (!rc)
        rc = svcq_analysis_set_owner(a, w, "Head of Ops");
    if (!rc)
        rc = svcq_analysis_add(NULL, a, w, SVCQ_ANALYSIS_WHY, "The policy was never written");
    if (!rc)
        rc = svcq_analysis_remove(a, w);
    if (!rc)
        rc = svcq_analysis_add(NULL, a, "k1", SVCQ_ANALYSIS_CAUSE, "Backups share the export disk");
    /* Moves back and forth in one parent and across. */
    if (!rc)
        rc = svcq_analysis_move(a, "w3", "w1", 0);
    if (!rc)
        rc = svcq_analysis_move(a, "w9", "w2", -1);
    if (!rc)
        rc = svcq_analysis_move(a, "w9", "w3", 0);
    /* The effect's first child, with nodes added above in its subtree. */
    if (!rc)
        rc = svcq_analysis_remove(a, "k1");
    if (!rc)
        rc = svcq_analysis_set_why_depth(a, 3);
    if (!rc)
        rc = svcq_analysis_save(a);
    if (!rc)
        rc = svcq_ctx_batch_commit(s->ctx);
    else
        (void)svcq_ctx_batch_rollback(s->ctx);
    return rc;
}

static void check_orderings_result(void *p, int rc, bool hit)
{
    (void)hit;
    st *s = p;
    if (rc != SVCQ_OK)
        return;
    /* The last edits took effect, and the committed record reads back as
     * the handle is. */
    assert_string_equal(svcq_analysis_incident(s->a), "INC-8");
    assert_int_equal(svcq_analysis_node_kind_of(s->a, "w4"), 0);
    assert_int_equal(svcq_analysis_node_kind_of(s->a, "w12"), 0);
    assert_string_equal(svcq_analysis_node_parent(s->a, "w9"), "w3");
    assert_int_equal(svcq_analysis_node_kind_of(s->a, "c1"), 0);
    s->loaded = NULL;
    assert_int_equal(svcq_analysis_load(&s->loaded, s->ctx, "branching"), SVCQ_OK);
    check_loaded(s, SVCQ_OK, false);
}

static void orderings(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "analysis edit orderings, allocation", .setup = setup_alloc, .run = run_orderings,
                          .describe = describe, .verify = check_orderings_result, .teardown = teardown, .arm = arm,
                          .injected = injected };
    assert_true(fault_run(&sc) >= 20);
    sc.name = "analysis edit orderings, SVCQ_EIO";
    sc.setup = setup_eio;
    sc.expected_error = SVCQ_EIO;
    assert_true(fault_run(&sc) >= 2);
}

/* ---- save, delete, load ------------------------------------------------------- */

static int run_save(void *p)
{
    return svcq_analysis_save(((st *)p)->a);
}

static int run_edit_save(void *p)
{
    st *s = p;
    /* The edit is outside the save's transaction: it stays when the save
     * fails, so the scenario's state is taken after it (see edit_then). */
    return svcq_analysis_save(s->a);
}

static void *setup_edited_alloc(test_alloc *a)
{
    st *s = setup_common(a, false, 0, true);
    assert_int_equal(svcq_analysis_set_status(s->a, "w5", SVCQ_ANALYSIS_CONFIRMED), SVCQ_OK);
    return s;
}

static void *setup_edited_eio(test_alloc *a)
{
    st *s = setup_common(a, true, SVCQ_EIO, true);
    assert_int_equal(svcq_analysis_set_status(s->a, "w5", SVCQ_ANALYSIS_CONFIRMED), SVCQ_OK);
    return s;
}

static int run_delete(void *p)
{
    return svcq_analysis_delete(((st *)p)->a);
}

static int run_load(void *p)
{
    st *s = p;
    return svcq_analysis_load(&s->loaded, s->ctx, "branching");
}

static void check_loaded(void *p, int rc, bool hit)
{
    (void)hit;
    st *s = p;
    if (rc) {
        assert_null(s->loaded);
        return;
    }
    char *a = describe(s);
    svcq_analysis *keep = s->a;
    s->a = s->loaded;
    char *b = describe(s);
    s->a = keep;
    /* The document itself (an import has no revision). */
    *strstr(a, "\nrevision") = '\0';
    *strstr(b, "\nrevision") = '\0';
    assert_string_equal(a, b);
    free(a);
    free(b);
}

static void saves(void **state)
{
    (void)state;
    fault_scenario sc = { .describe = describe, .teardown = teardown, .arm = arm, .injected = injected };
    sc.name = "analysis save (new), allocation";
    sc.setup = setup_alloc_unsaved;
    sc.run = run_save;
    assert_true(fault_run(&sc) >= 2);
    sc.name = "analysis save (new), SVCQ_EIO";
    sc.setup = setup_eio_unsaved;
    sc.expected_error = SVCQ_EIO;
    assert_true(fault_run(&sc) >= 2);
    sc.name = "analysis save (update), allocation";
    sc.setup = setup_edited_alloc;
    sc.run = run_edit_save;
    sc.expected_error = 0;
    assert_true(fault_run(&sc) >= 2);
    sc.name = "analysis save (update), SVCQ_EIO";
    sc.setup = setup_edited_eio;
    sc.expected_error = SVCQ_EIO;
    assert_true(fault_run(&sc) >= 2);
    /* A delete allocates nothing once the store has made its undo log. */
    sc.name = "analysis delete, SVCQ_EIO";
    sc.run = run_delete;
    sc.setup = setup_eio;
    sc.expected_error = SVCQ_EIO;
    assert_true(fault_run(&sc) >= 2);
    sc.name = "analysis load, allocation";
    sc.setup = setup_alloc;
    sc.run = run_load;
    sc.verify = check_loaded;
    sc.expected_error = 0;
    assert_true(fault_run(&sc) >= 5);
    sc.name = "analysis load, SVCQ_EIO";
    sc.setup = setup_eio;
    sc.expected_error = SVCQ_EIO;
    assert_true(fault_run(&sc) >= 1);
}

/* ---- import and exports ---------------------------------------------------------- */

static int run_import(void *p)
{
    st *s = p;
    return svcq_analysis_import_json(&s->loaded, s->ctx, s->json, strlen(s->json));
}

static int discard(const char *data, size_t size, void *user)
{
    (void)data, (void)size, (void)user;
    return 0;
}

static int run_exports(void *p)
{
    st *s = p;
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = discard;
    int rc = svcq_analysis_export_report(s->a, &w, NULL);
    const char *anchors[] = { NULL, "e", "c1" };
    for (size_t i = 0; rc == SVCQ_OK && i < 3; i++) {
        rc = svcq_analysis_export_svg(s->a, &w, anchors[i]);
        if (rc == SVCQ_OK)
            rc = svcq_analysis_export_mermaid(s->a, &w, anchors[i]);
        if (rc == SVCQ_OK)
            rc = svcq_analysis_export_dot(s->a, &w, anchors[i]);
    }
    return rc;
}

static void imports_exports(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "analysis import, allocation", .setup = setup_alloc, .run = run_import,
                          .describe = describe, .verify = check_loaded, .teardown = teardown, .arm = arm,
                          .injected = injected };
    assert_true(fault_run(&sc) >= 10);
    sc.name = "analysis exports, allocation";
    sc.run = run_exports;
    sc.verify = NULL;
    assert_true(fault_run(&sc) >= 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(single_edits),
        cmocka_unit_test(batch_alloc),
        cmocka_unit_test(batch_store),
        cmocka_unit_test(orderings),
        cmocka_unit_test(saves),
        cmocka_unit_test(imports_exports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
