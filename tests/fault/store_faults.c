/* Storage failure and allocation failure at every point of a scenario that
 * creates, updates and removes records (the test type "note") inside and
 * outside batches, over the memory store and the file store.
 *
 * After every run: the error is the injected one, nothing leaked, every
 * handle holds the last committed state, the store (read afresh, and for
 * the file store reopened from disk by another context) holds exactly that
 * state too. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fault.h"
#include "faulty_store.h"
#include "store/store.h"
#include "svcq.h"
#include "test_fs.h"
#include "test_note.h"

#define NOTES 4 /* a, b, c, d */

typedef struct st {
    test_alloc *alloc;
    svcq_ctx *ctx;
    bool file;         /* the inner store is a file store */
    bool inject_store; /* the faulty store injects (else the allocator) */
    int error;         /* what the faulty store returns */
    char *dir, *path;
    faulty_store *faulty; /* owned by the context's store */
    note *n[NOTES];
    char *committed;   /* the stored handles after the last commit */
} st;

/* The stored handles, "id=text#count@rev;" each, in id order. */
static char *describe_stored(const st *s)
{
    char *out = calloc(1, 2048);
    for (int i = 0; i < NOTES; i++) {
        if (!s->n[i] || !s->n[i]->revision)
            continue;
        char *d = note_describe(s->n[i]);
        strcat(out, d);
        strcat(out, ";");
        free(d);
    }
    return out;
}

static void snapshot(st *s)
{
    free(s->committed);
    s->committed = describe_stored(s);
}

static void *setup_common(test_alloc *alloc, bool file, bool inject_store, int error)
{
    st *s = calloc(1, sizeof(*s));
    s->alloc = alloc;
    s->file = file;
    s->inject_store = inject_store;
    s->error = error;
    s->ctx = test_ctx_new(alloc);
    svcq_store_methods inner;
    if (file) {
        s->dir = test_tmpdir_mem("faults");
        s->path = test_path(s->dir, "journal");
        svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
        o.durability = SVCQ_STORE_SYNC_NONE;
        svcq_store_file *fs;
        assert_int_equal(svcq_store_file_open(&fs, s->ctx, s->path, &o), SVCQ_OK);
        assert_int_equal(svcq_store_file_methods(&inner, fs), SVCQ_OK);
    } else {
        assert_int_equal(svcq__memstore_new(s->ctx, &inner), SVCQ_OK);
    }
    s->faulty = malloc(sizeof(*s->faulty));
    faulty_store_init(s->faulty, &inner);
    s->faulty->error = error;
    s->faulty->free_on_destroy = true;
    svcq_store_methods m;
    faulty_store_methods(s->faulty, &m);
    assert_int_equal(svcq_ctx_set_store(s->ctx, &m), SVCQ_OK);
    /* What is there before the operation. */
    assert_int_equal(note_new(&s->n[0], s->ctx, "a", "a1"), SVCQ_OK);
    assert_int_equal(note_new(&s->n[1], s->ctx, "b", "b1"), SVCQ_OK);
    snapshot(s);
    return s;
}

static void *setup_mem_store(test_alloc *a) { return setup_common(a, false, true, SVCQ_EIO); }
static void *setup_mem_store_odd(test_alloc *a) { return setup_common(a, false, true, -1000); }
static void *setup_file_store(test_alloc *a) { return setup_common(a, true, true, SVCQ_EIO); }
static void *setup_mem_alloc(test_alloc *a) { return setup_common(a, false, false, 0); }
static void *setup_file_alloc(test_alloc *a) { return setup_common(a, true, false, 0); }

static void arm(void *p, size_t n, bool keep)
{
    st *s = p;
    faulty_store_arm(s->faulty, n, keep);
}

static size_t injected(void *p)
{
    st *s = p;
    return s->faulty->injected;
}

/* Ends a batch after a failed call the way a host does: roll back. */
static int abandon(st *s, int rc)
{
    (void)svcq_ctx_batch_rollback(s->ctx);
    return rc;
}

static int run(void *p)
{
    st *s = p;
    svcq_ctx *ctx = s->ctx;
    /* 1. an update on its own */
    int rc = note_set(s->n[0], "a2", 1);
    if (rc)
        return rc;
    snapshot(s);
    /* 2. a batch: create, update, remove */
    if ((rc = svcq_ctx_batch_begin(ctx)))
        return rc;
    rc = note_new(&s->n[2], ctx, "c", "c1");
    if (!rc)
        rc = note_set(s->n[1], "b2", 2);
    if (!rc)
        rc = note_delete(s->n[0]);
    if (rc)
        return abandon(s, rc);
    if ((rc = svcq_ctx_batch_commit(ctx)))
        return rc;
    snapshot(s);
    /* 3. a create on its own */
    if ((rc = note_new(&s->n[3], ctx, "d", "d1")))
        return rc;
    snapshot(s);
    /* 4. a batch the host rolls back */
    if ((rc = svcq_ctx_batch_begin(ctx)))
        return rc;
    rc = note_set(s->n[2], "c2", 3);
    if (!rc)
        rc = note_delete(s->n[3]);
    if (rc)
        return abandon(s, rc);
    if ((rc = svcq_ctx_batch_rollback(ctx)))
        return rc;
    /* 5. an update and a removal on their own */
    if ((rc = note_set(s->n[1], "b3", 4)))
        return rc;
    snapshot(s);
    if ((rc = note_delete(s->n[3])))
        return rc;
    snapshot(s);
    return SVCQ_OK;
}

static void verify(void *p, int rc, bool hit)
{
    (void)rc, (void)hit;
    st *s = p;
    /* The handles hold the last committed state ... */
    char *handles = describe_stored(s);
    if (strcmp(handles, s->committed) != 0)
        fail_msg("handles: \"%s\", last committed: \"%s\"", handles, s->committed);
    free(handles);
    /* ... and so does the store, read afresh. */
    int drc;
    char *stored = note_dump_store(s->ctx, &drc);
    if (drc != SVCQ_OK)
        fail_msg("reading the store: %s", svcq_ctx_errmsg(s->ctx));
    if (strcmp(stored, s->committed) != 0)
        fail_msg("store: \"%s\", last committed: \"%s\"", stored, s->committed);
    free(stored);
    if (!s->file)
        return;
    /* The journal, reopened by another context, too. */
    assert_int_equal(svcq_ctx_set_store(s->ctx, NULL), SVCQ_OK);
    s->faulty = NULL;
    svcq_ctx *other;
    assert_int_equal(svcq_ctx_new(&other, NULL), SVCQ_OK);
    svcq_store_file *fs;
    assert_int_equal(svcq_store_file_open(&fs, other, s->path, NULL), SVCQ_OK);
    svcq_store_methods m;
    assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(other, &m), SVCQ_OK);
    stored = note_dump_store(other, &drc);
    assert_int_equal(drc, SVCQ_OK);
    if (strcmp(stored, s->committed) != 0)
        fail_msg("reopened journal: \"%s\", last committed: \"%s\"", stored, s->committed);
    free(stored);
    svcq_ctx_free(other);
}

static void teardown(void *p)
{
    st *s = p;
    for (int i = 0; i < NOTES; i++)
        note_free(s->n[i]);
    svcq_ctx_free(s->ctx);
    if (s->dir)
        test_rmtree(s->dir);
    free(s->dir);
    free(s->path);
    free(s->committed);
    free(s);
}

/* Loading notes while the store fails: an error, no handle, no leak. */
static int run_load(void *p)
{
    st *s = p;
    note *x = NULL, *y = NULL;
    int rc = note_load(&x, s->ctx, "a");
    if (!rc)
        rc = note_load(&y, s->ctx, "b");
    int drc = SVCQ_OK;
    char *d = rc ? NULL : note_dump_store(s->ctx, &drc);
    if (!rc)
        rc = drc;
    free(d);
    note_free(x);
    note_free(y);
    return rc;
}

static char *describe_handles(void *p)
{
    return describe_stored(p);
}

#define SCENARIO(name, setupfn, runfn, verifyfn, store_hooks, err) \
    static void name(void **state) \
    { \
        (void)state; \
        fault_scenario sc = { #name, setupfn, runfn, describe_handles_or_null_##runfn, verifyfn, teardown, \
                              store_hooks ? arm : NULL, store_hooks ? injected : NULL, err }; \
        size_t points = fault_run(&sc); \
        print_message("%s: %zu failure points\n", #name, points); \
    }
/* The mutating scenario changes handles legitimately as it commits step
 * after step, so "unchanged" is checked by verify (last committed state);
 * the load scenario must leave them exactly as they were. */
#define describe_handles_or_null_run NULL
#define describe_handles_or_null_run_load describe_handles

SCENARIO(store_fails_memory, setup_mem_store, run, verify, true, SVCQ_EIO)
SCENARIO(store_fails_memory_unknown_code, setup_mem_store_odd, run, verify, true, SVCQ_ESTORE)
SCENARIO(store_fails_file, setup_file_store, run, verify, true, SVCQ_EIO)
SCENARIO(alloc_fails_memory, setup_mem_alloc, run, verify, false, 0)
SCENARIO(alloc_fails_file, setup_file_alloc, run, verify, false, 0)
SCENARIO(store_fails_loading, setup_mem_store, run_load, NULL, true, SVCQ_EIO)
SCENARIO(alloc_fails_loading, setup_file_alloc, run_load, NULL, false, 0)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(store_fails_memory),
        cmocka_unit_test(store_fails_memory_unknown_code),
        cmocka_unit_test(store_fails_file),
        cmocka_unit_test(alloc_fails_memory),
        cmocka_unit_test(alloc_fails_file),
        cmocka_unit_test(store_fails_loading),
        cmocka_unit_test(alloc_fails_loading),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
