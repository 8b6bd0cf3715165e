/* Allocation failure (every allocation) and storage failure (every store
 * callback, a plain and an unknown error code) over the blueprint's edits
 * and saves. Each failed run must return the injected error, leave nothing
 * leaked, and leave the WHOLE state as it was: the blueprint (its JSON
 * export, version, revision and changed flag), the overlay (its Markdown
 * against the blueprint), and every stored blueprint record.
 *
 * - one scenario per edit, outside any transaction;
 * - a host batch of many edits and two saves, rolled back on the first
 *   failure: the edits' undo entries must bring the handle back;
 * - a first save, a save after an edit (two records each), loads;
 * - an overlay add (the overlay is the state) and the exports. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../unit/blueprint_fixtures.h"
#include "fault.h"
#include "faulty_store.h"
#include "store/store.h"
#include "svcq.h"

typedef struct st {
    test_alloc *alloc;
    svcq_ctx *ctx;
    bool inject_store;
    faulty_store *faulty; /* owned by the context's store */
    svcq_blueprint *bp;
    svcq_blueprint *loaded;
    svcq_blueprint_overlay *ov;
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
    assert_int_equal(bf_complaints(&s->bp, s->ctx), SVCQ_OK);
    assert_int_equal(bf_overlay(&s->ov, s->ctx), SVCQ_OK);
    if (saved)
        assert_int_equal(svcq_blueprint_save(s->bp), SVCQ_OK);
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

static void stored(st *s, const char *id, char **out)
{
    char *bytes = NULL;
    size_t size = 0;
    uint64_t revision = 0;
    int rc = svcq__store_get(s->ctx, "blueprint", id, &bytes, &size, &revision);
    char tmp[96];
    if (rc == SVCQ_OK) {
        snprintf(tmp, sizeof(tmp), "\n%s@%llu ", id, (unsigned long long)revision);
        collect(tmp, strlen(tmp), out);
        collect(bytes, size, out);
        svcq__free(s->ctx, bytes);
    } else {
        assert_int_equal(rc, SVCQ_ENOTFOUND);
        snprintf(tmp, sizeof(tmp), "\n%s none", id);
        collect(tmp, strlen(tmp), out);
    }
}

/* The blueprint with its version, revision and changed flag, the overlay,
 * and the stored records, as one text. */
static char *describe(void *p)
{
    st *s = p;
    char *out = NULL;
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = collect;
    w.user_data = &out;
    assert_int_equal(svcq_blueprint_export_json(s->bp, &w, 0), SVCQ_OK);
    char tmp[128];
    snprintf(tmp, sizeof(tmp), "\nversion %u revision %llu changed %d overlay %zu/%zu\n",
             (unsigned)svcq_blueprint_version(s->bp), (unsigned long long)svcq_blueprint_revision(s->bp),
             (int)svcq_blueprint_changed(s->bp), svcq_blueprint_overlay_count(s->ov),
             svcq_blueprint_overlay_skipped(s->ov));
    collect(tmp, strlen(tmp), &out);
    assert_int_equal(svcq_blueprint_export_markdown(s->bp, &w, s->ov), SVCQ_OK);
    static const char *const ids[] = { "complaints", "complaints@1", "complaints@2", "complaints@3" };
    for (size_t i = 0; i < 4; i++)
        stored(s, ids[i], &out);
    return out;
}

static void teardown(void *p)
{
    st *s = p;
    svcq_blueprint_free(s->bp);
    svcq_blueprint_free(s->loaded);
    svcq_blueprint_overlay_free(s->ov);
    svcq_ctx_free(s->ctx);
    free(s);
}

/* ---- single edits ------------------------------------------------------------- */

static int run_add_step(void *p)
{
    return bf_step(((st *)p)->bp, "callback", "Call-back", "after_sales", "phone", "Picks up", "Agent calls back",
                   NULL, "Dialler");
}
static int run_update_step(void *p)
{
    svcq_blueprint_step_spec sp = SVCQ_BLUEPRINT_STEP_SPEC_INIT;
    sp.title = "Ack";
    sp.stage = "reception";
    sp.front = "Sends it";
    return svcq_blueprint_update_step(((st *)p)->bp, "acknowledge", &sp);
}
static int run_move_step(void *p)
{
    return svcq_blueprint_move_step(((st *)p)->bp, "follow_up", 0);
}
static int run_remove_step(void *p)
{
    return svcq_blueprint_remove_step(((st *)p)->bp, "follow_up");
}
static int run_add_risk(void *p)
{
    return bf_risk(((st *)p)->bp, "r_survey", "follow_up", "Survey not sent", SVCQ_BLUEPRINT_LOW, "Resend",
                   "Quality", SVCQ_BLUEPRINT_WATCH_INDICATOR, "csat");
}
static int run_update_risk(void *p)
{
    svcq_blueprint_risk_spec r = SVCQ_BLUEPRINT_RISK_SPEC_INIT;
    r.step = "follow_up";
    r.failure = "Moved";
    r.severity = SVCQ_BLUEPRINT_MEDIUM;
    return svcq_blueprint_update_risk(((st *)p)->bp, "r_ack", &r);
}
static int run_remove_risk(void *p)
{
    return svcq_blueprint_remove_risk(((st *)p)->bp, "r_wait");
}
static int run_title(void *p)
{
    return svcq_blueprint_set_title(((st *)p)->bp, "Complaint handling, second edition");
}

static void single_edits(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int (*run)(void *);
    } edits[] = {
        { "blueprint add_step", run_add_step },       { "blueprint update_step", run_update_step },
        { "blueprint move_step", run_move_step },     { "blueprint remove_step", run_remove_step },
        { "blueprint add_risk", run_add_risk },       { "blueprint update_risk", run_update_risk },
        { "blueprint remove_risk", run_remove_risk }, { "blueprint set_title", run_title },
    };
    for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
        fault_scenario sc = { .name = edits[i].name, .setup = setup_alloc, .run = edits[i].run,
                              .describe = describe, .teardown = teardown, .arm = arm, .injected = injected };
        assert_true(fault_run(&sc) >= 1);
    }
}

/* ---- a batch of edits and saves ------------------------------------------------ */

static int run_batch(void *p)
{
    st *s = p;
    int rc = svcq_ctx_batch_begin(s->ctx);
    if (rc)
        return rc;
    rc = run_add_step(s);
    if (!rc) rc = run_move_step(s);
    if (!rc) rc = run_add_risk(s);
    if (!rc) rc = run_update_risk(s);
    if (!rc) rc = run_remove_risk(s);
    if (!rc) rc = svcq_blueprint_save(s->bp);
    if (!rc) rc = run_title(s);
    if (!rc) rc = svcq_blueprint_remove_step(s->bp, "callback");
    if (!rc) rc = svcq_blueprint_save(s->bp);
    if (!rc)
        rc = svcq_ctx_batch_commit(s->ctx);
    else
        (void)svcq_ctx_batch_rollback(s->ctx);
    return rc;
}

static void check_batch(void *p, int rc, bool hit)
{
    (void)hit;
    st *s = p;
    if (rc != SVCQ_OK)
        return;
    svcq_blueprint *l, *v2;
    assert_int_equal(svcq_blueprint_load(&l, s->ctx, "complaints"), SVCQ_OK);
    assert_int_equal(svcq_blueprint_version(l), 3);
    assert_int_equal(svcq_blueprint_revision(l), svcq_blueprint_revision(s->bp));
    assert_string_equal(svcq_blueprint_title(l), "Complaint handling, second edition");
    assert_int_equal(svcq_blueprint_load_version(&v2, s->ctx, "complaints", 2), SVCQ_OK);
    assert_int_equal(svcq_blueprint_step_count(v2), 6);
    svcq_blueprint_free(v2);
    svcq_blueprint_free(l);
}

static void batch(void **state)
{
    (void)state;
    fault_scenario sc = { .name = "blueprint batch, allocation", .setup = setup_alloc, .run = run_batch,
                          .describe = describe, .verify = check_batch, .teardown = teardown, .arm = arm,
                          .injected = injected };
    assert_true(fault_run(&sc) >= 20);
    sc.name = "blueprint batch, SVCQ_EIO";
    sc.setup = setup_eio;
    sc.expected_error = SVCQ_EIO;
    assert_true(fault_run(&sc) >= 4);
    sc.name = "blueprint batch, unknown code";
    sc.setup = setup_odd;
    sc.expected_error = SVCQ_ESTORE;
    assert_true(fault_run(&sc) >= 4);
}

/* ---- saves and loads ------------------------------------------------------------ */

static int run_save(void *p)
{
    return svcq_blueprint_save(((st *)p)->bp);
}
static void *setup_edited_alloc(test_alloc *a)
{
    st *s = setup_common(a, false, 0, true);
    assert_int_equal(run_title(s), SVCQ_OK);
    return s;
}
static void *setup_edited_eio(test_alloc *a)
{
    st *s = setup_common(a, true, SVCQ_EIO, true);
    assert_int_equal(run_title(s), SVCQ_OK);
    return s;
}
static int run_load(void *p)
{
    st *s = p;
    return svcq_blueprint_load(&s->loaded, s->ctx, "complaints");
}
static int run_load_version(void *p)
{
    st *s = p;
    return svcq_blueprint_load_version(&s->loaded, s->ctx, "complaints", 1);
}
static void check_loaded(void *p, int rc, bool hit)
{
    (void)hit;
    st *s = p;
    if (rc) {
        assert_null(s->loaded);
        return;
    }
    char *a = NULL, *b = NULL;
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = collect;
    w.user_data = &a;
    assert_int_equal(svcq_blueprint_export_json(s->bp, &w, 0), SVCQ_OK);
    w.user_data = &b;
    assert_int_equal(svcq_blueprint_export_json(s->loaded, &w, 0), SVCQ_OK);
    assert_string_equal(a, b);
    free(a);
    free(b);
    svcq_blueprint_free(s->loaded);
    s->loaded = NULL;
}

static void saves(void **state)
{
    (void)state;
    fault_scenario sc = { .describe = describe, .teardown = teardown, .arm = arm, .injected = injected };
    sc.name = "blueprint save (new), allocation";
    sc.setup = setup_alloc_unsaved;
    sc.run = run_save;
    assert_true(fault_run(&sc) >= 2);
    sc.name = "blueprint save (new), SVCQ_EIO";
    sc.setup = setup_eio_unsaved;
    sc.expected_error = SVCQ_EIO;
    assert_true(fault_run(&sc) >= 3);
    sc.name = "blueprint save (update), allocation";
    sc.setup = setup_edited_alloc;
    sc.expected_error = 0;
    assert_true(fault_run(&sc) >= 2);
    sc.name = "blueprint save (update), SVCQ_EIO";
    sc.setup = setup_edited_eio;
    sc.expected_error = SVCQ_EIO;
    assert_true(fault_run(&sc) >= 3);
    sc.name = "blueprint load, allocation";
    sc.setup = setup_alloc;
    sc.run = run_load;
    sc.verify = check_loaded;
    sc.expected_error = 0;
    assert_true(fault_run(&sc) >= 5);
    sc.name = "blueprint load, SVCQ_EIO";
    sc.setup = setup_eio;
    sc.expected_error = SVCQ_EIO;
    assert_true(fault_run(&sc) >= 1);
    sc.name = "blueprint load version, allocation";
    sc.setup = setup_alloc;
    sc.run = run_load_version;
    sc.expected_error = 0;
    assert_true(fault_run(&sc) >= 5);
}

/* ---- the overlay and the exports -------------------------------------------------- */

static int run_overlay_add(void *p)
{
    st *s = p;
    return bf_obs_in(s->ov, "INC-NEW", "acknowledge", "complaint_handling", SVCQ_BLUEPRINT_OBS_OPEN, 1, 2,
                     "acknowledge", "resolution", BF_T0 + 100);
}

static int discard(const char *d, size_t n, void *u)
{
    (void)d, (void)n, (void)u;
    return 0;
}

static int run_exports(void *p)
{
    st *s = p;
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = discard;
    int rc = svcq_blueprint_export_svg(s->bp, &w, s->ov);
    if (!rc) rc = svcq_blueprint_export_svg(s->bp, &w, NULL);
    if (!rc) rc = svcq_blueprint_export_markdown(s->bp, &w, s->ov);
    if (!rc) rc = svcq_blueprint_export_mermaid(s->bp, &w);
    if (!rc) rc = svcq_blueprint_export_json(s->bp, &w, SVCQ_BLUEPRINT_JSON_PRETTY);
    return rc;
}

static int run_import(void *p)
{
    st *s = p;
    char *json = NULL;
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = collect;
    w.user_data = &json;
    /* The export allocates too: its failures count as the import's. */
    int rc = svcq_blueprint_export_json(s->bp, &w, 0);
    svcq_blueprint *b = NULL;
    if (!rc)
        rc = svcq_blueprint_import_json(&b, s->ctx, json, strlen(json));
    svcq_blueprint_free(b);
    free(json);
    return rc;
}

static void overlay_and_exports(void **state)
{
    (void)state;
    fault_scenario sc = { .describe = describe, .teardown = teardown, .arm = arm, .injected = injected };
    sc.name = "blueprint overlay add, allocation";
    sc.setup = setup_alloc;
    sc.run = run_overlay_add;
    assert_true(fault_run(&sc) >= 3);
    sc.name = "blueprint exports, allocation";
    sc.run = run_exports;
    assert_true(fault_run(&sc) >= 10);
    sc.name = "blueprint import, allocation";
    sc.run = run_import;
    assert_true(fault_run(&sc) >= 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(single_edits),
        cmocka_unit_test(batch),
        cmocka_unit_test(saves),
        cmocka_unit_test(overlay_and_exports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
