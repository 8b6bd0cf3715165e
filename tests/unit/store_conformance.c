/* The conformance suite against the stores that are neither the memory
 * nor the file store: the faulty wrapper passing everything through (over
 * both built-in stores) and the example's directory store; and a small
 * store that can be made to reuse revisions in the ways a host store might,
 * each of which the suite must catch. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "faulty_store.h"
#include "store/store.h"
#include "store_conformance.h"
#include "svcq.h"
#include "test_fs.h"

/* The example, without its main(). */
#define CUSTOM_STORE_NO_MAIN
#include "../../examples/custom_store.c"

typedef struct paths {
    char *dir;
    char *path;
} paths;

static int wrap(svcq_store_methods *m, int rc)
{
    if (rc)
        return rc;
    faulty_store *f = malloc(sizeof(*f));
    if (!f)
        return SVCQ_ENOMEM;
    faulty_store_init(f, m);
    f->free_on_destroy = true;
    faulty_store_methods(f, m);
    return SVCQ_OK;
}

static int faulty_memory(svcq_ctx *ctx, svcq_store_methods *m, void *data)
{
    (void)data;
    return wrap(m, svcq__memstore_new(ctx, m));
}

static int open_file(svcq_ctx *ctx, svcq_store_methods *m, const char *path)
{
    svcq_store_file *fs;
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.durability = SVCQ_STORE_SYNC_NONE;
    int rc = svcq_store_file_open(&fs, ctx, path, &o);
    if (!rc)
        rc = svcq_store_file_methods(m, fs);
    return rc;
}

static int faulty_file(svcq_ctx *ctx, svcq_store_methods *m, void *data)
{
    paths *p = data;
    unlink(p->path);
    return wrap(m, open_file(ctx, m, p->path));
}

static int faulty_file_reopen(svcq_ctx *ctx, svcq_store_methods *m, void *data)
{
    paths *p = data;
    return wrap(m, open_file(ctx, m, p->path));
}

static void faulty_pass_through(void **state)
{
    (void)state;
    store_conformance_factory mem = { "faulty(memory)", faulty_memory, NULL, NULL, 0 };
    assert_int_equal(store_conformance_run(&mem), 0);
    paths p = { test_tmpdir("confw"), NULL };
    p.path = test_path(p.dir, "j");
    store_conformance_factory file = { "faulty(file)", faulty_file, faulty_file_reopen, &p, 0 };
    assert_int_equal(store_conformance_run(&file), 0);
    test_rmtree(p.dir);
    free(p.path);
    free(p.dir);
}

/* The built-in stores with their version-2 callbacks taken away: the
 * version-2 checks then run through the library's fallback (full scans,
 * ordered and filtered in memory). */
static int as_v1(svcq_store_methods *m, int rc)
{
    if (rc)
        return rc;
    m->version = 1;
    m->put2 = NULL;
    m->scan_range = NULL;
    m->scan_term = NULL;
    return SVCQ_OK;
}

static int v1_memory(svcq_ctx *ctx, svcq_store_methods *m, void *data)
{
    (void)data;
    return as_v1(m, svcq__memstore_new(ctx, m));
}

static int v1_file(svcq_ctx *ctx, svcq_store_methods *m, void *data)
{
    paths *p = data;
    unlink(p->path);
    return as_v1(m, open_file(ctx, m, p->path));
}

static int v1_file_reopen(svcq_ctx *ctx, svcq_store_methods *m, void *data)
{
    paths *p = data;
    return as_v1(m, open_file(ctx, m, p->path));
}

static void version1_fallback(void **state)
{
    (void)state;
    store_conformance_factory mem = { "memory as a version-1 table", v1_memory, NULL, NULL, 0 };
    assert_int_equal(store_conformance_run(&mem), 0);
    paths p = { test_tmpdir("confv1"), NULL };
    p.path = test_path(p.dir, "j");
    store_conformance_factory file = { "file as a version-1 table", v1_file, v1_file_reopen, &p, 0 };
    assert_int_equal(store_conformance_run(&file), 0);
    test_rmtree(p.dir);
    free(p.path);
    free(p.dir);
}

static int dir_create(svcq_ctx *ctx, svcq_store_methods *m, void *data)
{
    (void)ctx;
    paths *p = data;
    test_rmtree(p->path);
    return dirstore_open(p->path, m);
}

static int dir_reopen(svcq_ctx *ctx, svcq_store_methods *m, void *data)
{
    (void)ctx;
    paths *p = data;
    return dirstore_open(p->path, m);
}

static void example_directory_store(void **state)
{
    (void)state;
    paths p = { test_tmpdir("confd"), NULL };
    p.path = test_path(p.dir, "records");
    store_conformance_factory f = { "directory (examples/custom_store.c)", dir_create, dir_reopen, &p, 0 };
    assert_int_equal(store_conformance_run(&f), 0);
    test_rmtree(p.dir);
    free(p.path);
    free(p.dir);
}

/* ---- a store that reuses revisions on purpose -------------------------------- */

enum {
    REUSE_NONE = 0,        /* conforms */
    REUSE_ROLLBACK = 1,    /* the counter goes back on rollback */
    REUSE_PER_ROW = 2,     /* a per-row version: 1 for a new record, +1 on update */
    REUSE_REOPEN = 3,      /* after a reopen the counter restarts from the live records */
    REUSE_LAST_COMMIT = 4  /* after a reopen the counter restarts from the last commit */
};

typedef struct brec {
    char kind[SVCQ_STORE_MAX_KIND + 1];
    char *id; /* NULL: a removed slot */
    uint64_t rev;
    unsigned char *val;
    size_t size;
} brec;

typedef struct bundo {
    size_t at;
    bool inserted; /* the slot was appended by the transaction */
    brec old;
} bundo;

/* Survives its contexts: the "database" a reopen finds again. */
typedef struct bdb {
    int mode;
    brec *recs;
    size_t n, cap;
    bundo *undo;
    size_t nundo, capundo;
    bool in_tx;
    uint64_t counter, tx_start, committed;
} bdb;

static void brec_free(brec *r)
{
    free(r->id);
    free(r->val);
    r->id = NULL;
    r->val = NULL;
}

static brec *bfind(bdb *db, const char *kind, const char *id, size_t *at)
{
    for (size_t i = 0; i < db->n; i++)
        if (db->recs[i].id && strcmp(db->recs[i].kind, kind) == 0 && strcmp(db->recs[i].id, id) == 0) {
            if (at)
                *at = i;
            return &db->recs[i];
        }
    return NULL;
}

static int blog(bdb *db, size_t at, bool inserted, brec old)
{
    if (db->nundo == db->capundo) {
        size_t cap = db->capundo ? db->capundo * 2 : 16;
        bundo *u = realloc(db->undo, cap * sizeof(*u));
        if (!u)
            return SVCQ_ENOMEM;
        db->undo = u;
        db->capundo = cap;
    }
    db->undo[db->nundo++] = (bundo){ at, inserted, old };
    return SVCQ_OK;
}

static int b_begin(void *ud)
{
    bdb *db = ud;
    db->in_tx = true;
    db->nundo = 0;
    db->tx_start = db->counter;
    return SVCQ_OK;
}

static int b_commit(void *ud)
{
    bdb *db = ud;
    for (size_t i = 0; i < db->nundo; i++)
        if (!db->undo[i].inserted)
            brec_free(&db->undo[i].old);
    db->nundo = 0;
    db->in_tx = false;
    db->committed = db->counter;
    return SVCQ_OK;
}

static int b_rollback(void *ud)
{
    bdb *db = ud;
    if (!db->in_tx)
        return SVCQ_OK;
    while (db->nundo) {
        bundo *u = &db->undo[--db->nundo];
        brec_free(&db->recs[u->at]);
        if (u->inserted)
            db->n--;
        else
            db->recs[u->at] = u->old;
    }
    db->in_tx = false;
    if (db->mode == REUSE_ROLLBACK)
        db->counter = db->tx_start;
    return SVCQ_OK;
}

static int b_get(const char *kind, const char *id, svcq_store_visit_fn visit, void *vud, void *ud)
{
    brec *r = bfind(ud, kind, id, NULL);
    return r ? visit(r->id, r->rev, r->val, r->size, vud) : SVCQ_ENOTFOUND;
}

static int b_put(const char *kind, const char *id, uint64_t expected, const void *bytes, size_t size,
                 uint64_t *new_revision, void *ud)
{
    bdb *db = ud;
    size_t at = 0;
    brec *old = bfind(db, kind, id, &at);
    if ((old ? old->rev : 0) != expected)
        return SVCQ_ECONFLICT;
    brec r = { { 0 }, strdup(id), 0, malloc(size ? size : 1), size };
    if (!r.id || !r.val) {
        brec_free(&r);
        return SVCQ_ENOMEM;
    }
    snprintf(r.kind, sizeof(r.kind), "%s", kind);
    if (size)
        memcpy(r.val, bytes, size);
    if (db->mode == REUSE_PER_ROW)
        r.rev = old ? old->rev + 1 : 1;
    else
        r.rev = ++db->counter;
    if (!old && db->n == db->cap) {
        size_t cap = db->cap ? db->cap * 2 : 16;
        brec *p = realloc(db->recs, cap * sizeof(*p));
        if (!p) {
            brec_free(&r);
            return SVCQ_ENOMEM;
        }
        db->recs = p;
        db->cap = cap;
    }
    if (!old)
        at = db->n;
    if (blog(db, at, !old, old ? *old : (brec){ { 0 }, NULL, 0, NULL, 0 }) != SVCQ_OK) {
        brec_free(&r);
        return SVCQ_ENOMEM;
    }
    db->recs[at] = r;
    if (!old)
        db->n++;
    *new_revision = r.rev;
    return SVCQ_OK;
}

static int b_remove(const char *kind, const char *id, uint64_t expected, void *ud)
{
    bdb *db = ud;
    size_t at = 0;
    brec *old = bfind(db, kind, id, &at);
    if (!old)
        return SVCQ_ENOTFOUND;
    if (old->rev != expected)
        return SVCQ_ECONFLICT;
    if (blog(db, at, false, *old) != SVCQ_OK)
        return SVCQ_ENOMEM;
    db->recs[at].id = NULL;
    db->recs[at].val = NULL;
    return SVCQ_OK;
}

static int b_scan(const char *kind, svcq_store_visit_fn visit, void *vud, void *ud)
{
    bdb *db = ud;
    for (size_t i = 0; i < db->n; i++) {
        brec *r = &db->recs[i];
        if (r->id && strcmp(r->kind, kind) == 0) {
            int rc = visit(r->id, r->rev, r->val, r->size, vud);
            if (rc)
                return rc;
        }
    }
    return SVCQ_OK;
}

static void b_clear(bdb *db)
{
    (void)b_rollback(db);
    for (size_t i = 0; i < db->n; i++)
        brec_free(&db->recs[i]);
    free(db->recs);
    free(db->undo);
    int mode = db->mode;
    memset(db, 0, sizeof(*db));
    db->mode = mode;
}

static int b_methods(bdb *db, svcq_store_methods *m)
{
    int rc = svcq_store_methods_init(m, SVCQ_STORE_METHODS_VERSION);
    m->user_data = db;
    m->begin = b_begin;
    m->commit = b_commit;
    m->rollback = b_rollback;
    m->get = b_get;
    m->put = b_put;
    m->remove = b_remove;
    m->scan = b_scan;
    return rc; /* no destroy: the database outlives the context */
}

static int b_create(svcq_ctx *ctx, svcq_store_methods *m, void *data)
{
    (void)ctx;
    b_clear(data);
    return b_methods(data, m);
}

static int b_reopen(svcq_ctx *ctx, svcq_store_methods *m, void *data)
{
    (void)ctx;
    bdb *db = data;
    if (db->mode == REUSE_REOPEN) {
        db->counter = 0;
        for (size_t i = 0; i < db->n; i++)
            if (db->recs[i].id && db->recs[i].rev > db->counter)
                db->counter = db->recs[i].rev;
    } else if (db->mode == REUSE_LAST_COMMIT) {
        db->counter = db->committed;
    }
    return b_methods(db, m);
}

static int run_bad(int mode)
{
    bdb db;
    memset(&db, 0, sizeof(db));
    db.mode = mode;
    static const char *const names[] = { "conforming", "counter back on rollback", "per-row version",
                                         "counter from live records at reopen",
                                         "counter from last commit at reopen" };
    store_conformance_factory f = { names[mode], b_create, b_reopen, &db, 1 << 20 };
    int failures = store_conformance_run(&f);
    b_clear(&db);
    return failures;
}

/* The suite is only worth something if it fails a store that reuses
 * revisions: the same store conforms without its defect, and fails with
 * each one. */
static void reusing_store_fails(void **state)
{
    (void)state;
    assert_int_equal(run_bad(REUSE_NONE), 0);
    print_message("the next failures are expected: the suite must catch each way of reusing revisions\n");
    assert_true(run_bad(REUSE_ROLLBACK) > 0);
    assert_true(run_bad(REUSE_PER_ROW) > 0);
    assert_true(run_bad(REUSE_REOPEN) > 0);
    assert_true(run_bad(REUSE_LAST_COMMIT) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(faulty_pass_through),
        cmocka_unit_test(version1_fallback),
        cmocka_unit_test(example_directory_store),
        cmocka_unit_test(reusing_store_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
