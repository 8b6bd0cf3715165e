/* One file store shared by several contexts (svcq_store_file_attach):
 * the conformance suite through a session, isolation of the sessions'
 * transactions, compare-and-swap checked again at commit (one of two
 * racing sessions commits, the other gets SVCQ_ECONFLICT with its handle
 * unchanged), revisions never handed out twice across sessions and
 * reopens, ownership rules (close refused while sessions are attached,
 * sessions refused on another context), the group and none modes, a
 * failed group sync reaching exactly the commits it covered, and index
 * terms through sessions (version 2: a session's own terms seen by its
 * term and id scans only, merged in order with the committed records
 * across pages; the same journal as one owning context writes; a format-1
 * journal upgraded by a session's commit).
 *
 * The multi-thread and crash tests are in threads_store.c and
 * store_crash.c; allocation and I/O failure at every point in
 * tests/fault/store_shared.c. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "store/filestore.h"
#include "store/journal.h"
#include "store/store.h"
#include "store_conformance.h"
#include "svcq.h"
#include "test_fs.h"
#include "test_note.h"

/* ---- helpers ---------------------------------------------------------------- */

typedef struct shared {
    svcq_ctx *octx;        /* the store's own context */
    svcq_store_file *fs;
    char *dir, *path;
} shared;

static void shared_open_io(shared *sh, int32_t durability, const svcq__fio *io)
{
    if (!sh->dir) {
        sh->dir = test_tmpdir_mem("shared");
        sh->path = test_path(sh->dir, "journal");
        assert_int_equal(svcq_ctx_new(&sh->octx, NULL), SVCQ_OK);
    }
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.durability = durability;
    o.group_commit_ms = 0;
    o.group_commit_tx = 3;
    int rc = svcq__fstore_open_io(&sh->fs, sh->octx, sh->path, &o, io);
    if (rc)
        fail_msg("open: %s", svcq_ctx_errmsg(sh->octx));
}

static void shared_open(shared *sh, int32_t durability)
{
    shared_open_io(sh, durability, NULL);
}

static void shared_done(shared *sh)
{
    if (sh->fs)
        assert_int_equal(svcq_store_file_close(sh->fs), SVCQ_OK);
    sh->fs = NULL;
    svcq_ctx_free(sh->octx);
    test_rmtree(sh->dir);
    free(sh->dir);
    free(sh->path);
}

/* A new context with a session of sh's store. */
static svcq_ctx *session(shared *sh)
{
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_store_methods m;
    if (svcq_store_file_attach(&m, sh->fs, ctx) != SVCQ_OK)
        fail_msg("attach: %s", svcq_ctx_errmsg(ctx));
    if (svcq_ctx_set_store(ctx, &m) != SVCQ_OK)
        fail_msg("set_store: %s", svcq_ctx_errmsg(ctx));
    return ctx;
}

static int put1(svcq_ctx *ctx, const char *id, uint64_t expected, const char *text, uint64_t *rev)
{
    svcq__tx tx;
    int rc = svcq__tx_begin(ctx, &tx);
    if (!rc)
        rc = svcq__store_put(ctx, "k", id, expected, text, strlen(text), rev);
    return svcq__tx_end(ctx, &tx, rc);
}

/* The value of k/id as ctx sees it ("-" when absent), in a static buffer
 * per call site's needs: the caller frees. */
static char *value_of(svcq_ctx *ctx, const char *id, uint64_t *rev)
{
    char *b = NULL;
    size_t n;
    uint64_t r = 0;
    int rc = svcq__store_get(ctx, "k", id, &b, &n, &r);
    if (rc == SVCQ_ENOTFOUND)
        b = strdup("-"); /* not through ctx: freed with free() below */
    else if (rc)
        fail_msg("get %s: %s", id, svcq_ctx_errmsg(ctx));
    else {
        char *c = strdup(b);
        svcq__free(ctx, b);
        b = c;
    }
    if (rev)
        *rev = r;
    return b;
}

static void expect_val(svcq_ctx *ctx, const char *id, const char *want)
{
    char *v = value_of(ctx, id, NULL);
    if (strcmp(v, want) != 0)
        fail_msg("k/%s: \"%s\", expected \"%s\"", id, v, want);
    free(v);
}

static int scan_visit(svcq_ctx *ctx, const char *id, uint64_t rev, const char *bytes, size_t size, void *ud)
{
    (void)ctx, (void)rev;
    char *out = ud;
    char line[128];
    snprintf(line, sizeof(line), "%s=%.*s;", id, (int)size, bytes);
    strcat(out, line);
    return 0;
}

/* Ids and values of kind k in scan order, sorted by the caller's wish: the
 * scans here visit at most two records, so the test sorts nothing and
 * compares sets by length and content. */
static void expect_scan(svcq_ctx *ctx, const char *a, const char *b)
{
    char out[512] = "";
    assert_int_equal(svcq__store_scan(ctx, "k", scan_visit, out), SVCQ_OK);
    char ab[256], ba[256];
    snprintf(ab, sizeof(ab), "%s%s", a, b);
    snprintf(ba, sizeof(ba), "%s%s", b, a);
    if (strcmp(out, ab) != 0 && strcmp(out, ba) != 0)
        fail_msg("scan: \"%s\", expected \"%s\"", out, ab);
}

/* ---- the conformance suite through a session ----------------------------------- */

typedef struct conf {
    shared sh;
    svcq_store_file *old[64]; /* stores whose session's context was still alive */
    size_t nold;
} conf;

static void retire(conf *c)
{
    if (c->sh.fs && svcq_store_file_close(c->sh.fs) != SVCQ_OK) {
        assert_true(c->nold < 64);
        c->old[c->nold++] = c->sh.fs; /* closed at the end */
    }
    c->sh.fs = NULL;
}

static int c_create(svcq_ctx *ctx, svcq_store_methods *m, void *data)
{
    conf *c = data;
    retire(c);
    if (c->sh.path)
        (void)remove(c->sh.path);
    shared_open(&c->sh, SVCQ_STORE_SYNC_NONE);
    return svcq_store_file_attach(m, c->sh.fs, ctx);
}

static int c_reopen(svcq_ctx *ctx, svcq_store_methods *m, void *data)
{
    conf *c = data;
    retire(c);
    shared_open(&c->sh, SVCQ_STORE_SYNC_NONE);
    return svcq_store_file_attach(m, c->sh.fs, ctx);
}

static void conformance_through_a_session(void **state)
{
    (void)state;
    conf *c = calloc(1, sizeof(*c));
    store_conformance_factory f = { "file store session", c_create, c_reopen, c, 0 };
    assert_int_equal(store_conformance_run(&f), 0);
    for (size_t i = 0; i < c->nold; i++)
        assert_int_equal(svcq_store_file_close(c->old[i]), SVCQ_OK);
    shared_done(&c->sh);
    free(c);
}

/* ---- isolation ------------------------------------------------------------------ */

static void transactions_are_isolated(void **state)
{
    (void)state;
    shared sh = { 0 };
    shared_open(&sh, SVCQ_STORE_SYNC_FULL);
    svcq_ctx *a = session(&sh), *b = session(&sh);
    uint64_t r1, r2, seen;

    /* A's uncommitted write: A sees it, B does not, in get and scan. */
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(a, &tx), SVCQ_OK);
    assert_int_equal(svcq__store_put(a, "k", "x", 0, "1", 1, &r1), SVCQ_OK);
    expect_val(a, "x", "1");
    expect_val(b, "x", "-");
    expect_scan(a, "x=1;", "");
    expect_scan(b, "", "");
    /* B may write the same record meanwhile (it sees it absent) ... */
    svcq__tx tb;
    assert_int_equal(svcq__tx_begin(b, &tb), SVCQ_OK);
    assert_int_equal(svcq__store_put(b, "k", "y", 0, "b", 1, &r2), SVCQ_OK);
    assert_true(r2 > r1);
    expect_scan(b, "y=b;", "");
    assert_int_equal(svcq__tx_end(a, &tx, SVCQ_OK), SVCQ_OK);
    /* ... and now reads A's commit beside its own write. */
    expect_val(b, "x", "1");
    expect_scan(b, "x=1;", "y=b;");
    assert_int_equal(svcq__tx_end(b, &tb, SVCQ_OK), SVCQ_OK);
    expect_scan(a, "x=1;", "y=b;");

    /* A removes x in a transaction: gone for A only, back after rollback. */
    char *v = value_of(a, "x", &seen);
    free(v);
    assert_int_equal(seen, r1);
    assert_int_equal(svcq__tx_begin(a, &tx), SVCQ_OK);
    assert_int_equal(svcq__store_remove(a, "k", "x", r1), SVCQ_OK);
    expect_val(a, "x", "-");
    expect_scan(a, "y=b;", "");
    expect_val(b, "x", "1");
    /* removing twice, or with another revision */
    assert_int_equal(svcq__store_remove(a, "k", "x", r1), SVCQ_ENOTFOUND);
    assert_int_equal(svcq__tx_end(a, &tx, SVCQ_EABORTED), SVCQ_EABORTED);
    expect_val(a, "x", "1");
    expect_scan(a, "x=1;", "y=b;");

    svcq_ctx_free(a);
    svcq_ctx_free(b);
    shared_done(&sh);
}

/* Several writes of one record in one transaction: the last one counts,
 * in the index and after a reopen; a record made and removed again in one
 * transaction leaves nothing. */
static void many_writes_of_one_record(void **state)
{
    (void)state;
    shared sh = { 0 };
    shared_open(&sh, SVCQ_STORE_SYNC_NONE);
    svcq_ctx *a = session(&sh);
    uint64_t r1, r2, r3, r4;
    assert_int_equal(put1(a, "keep", 0, "v0", &r1), SVCQ_OK);
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(a, &tx), SVCQ_OK);
    assert_int_equal(svcq__store_put(a, "k", "keep", r1, "v1", 2, &r2), SVCQ_OK);
    assert_int_equal(svcq__store_put(a, "k", "keep", r1, "vx", 2, &r3), SVCQ_ECONFLICT);
    assert_int_equal(svcq__store_put(a, "k", "keep", r2, "v2", 2, &r3), SVCQ_OK);
    assert_int_equal(svcq__store_remove(a, "k", "keep", r3), SVCQ_OK);
    assert_int_equal(svcq__store_put(a, "k", "keep", 0, "v3", 2, &r4), SVCQ_OK);
    assert_int_equal(svcq__store_put(a, "k", "tmp", 0, "t", 1, &r1), SVCQ_OK);
    assert_int_equal(svcq__store_remove(a, "k", "tmp", r1), SVCQ_OK);
    assert_int_equal(svcq__tx_end(a, &tx, SVCQ_OK), SVCQ_OK);
    uint64_t seen;
    char *v = value_of(a, "keep", &seen);
    assert_string_equal(v, "v3");
    free(v);
    assert_int_equal(seen, r4);
    expect_val(a, "tmp", "-");
    svcq_store_file_stats st = SVCQ_STORE_FILE_STATS_INIT;
    assert_int_equal(svcq_store_file_stats_get(&st, sh.fs), SVCQ_OK);
    assert_int_equal(st.records, 1);
    assert_int_equal(st.transactions, 2);
    uint64_t live = st.live_bytes;
    svcq_ctx_free(a);
    assert_int_equal(svcq_store_file_close(sh.fs), SVCQ_OK);

    /* The journal replays to the same: one record, its last revision. */
    shared_open(&sh, SVCQ_STORE_SYNC_NONE);
    a = session(&sh);
    v = value_of(a, "keep", &seen);
    assert_string_equal(v, "v3");
    free(v);
    assert_int_equal(seen, r4);
    assert_int_equal(svcq_store_file_stats_get(&st, sh.fs), SVCQ_OK);
    assert_int_equal(st.records, 1);
    assert_int_equal(st.live_bytes, live);
    /* and compaction keeps it */
    assert_int_equal(svcq_store_file_compact(sh.fs), SVCQ_OK);
    expect_val(a, "keep", "v3");
    assert_int_equal(put1(a, "keep", r4, "v4", &r1), SVCQ_OK);
    assert_true(r1 > r4);
    svcq_ctx_free(a);
    shared_done(&sh);
}

/* ---- conflicts ------------------------------------------------------------------ */

static void racing_sessions_one_commits(void **state)
{
    (void)state;
    shared sh = { 0 };
    shared_open(&sh, SVCQ_STORE_SYNC_FULL);
    svcq_ctx *a = session(&sh), *b = session(&sh);
    note *na, *nb;
    assert_int_equal(note_new(&na, a, "n", "first"), SVCQ_OK);
    assert_int_equal(note_load(&nb, b, "n"), SVCQ_OK);
    uint64_t rev0 = na->revision;
    assert_int_equal(nb->revision, rev0);

    /* Both change n in a batch; both puts pass (each sees revision rev0);
     * A commits first, so B's commit finds n changed. */
    assert_int_equal(svcq_ctx_batch_begin(a), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_begin(b), SVCQ_OK);
    assert_int_equal(note_set(na, "by a", 1), SVCQ_OK);
    assert_int_equal(note_set(nb, "by b", 2), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_commit(a), SVCQ_OK);
    int rc = svcq_ctx_batch_commit(b);
    assert_int_equal(rc, SVCQ_ECONFLICT);
    const char *msg = svcq_ctx_errmsg(b);
    if (!strstr(msg, "commit") || !strstr(msg, "note n was changed by another session"))
        fail_msg("message: %s", msg);
    /* B's handle is as before its batch. */
    assert_string_equal(nb->text, "first");
    assert_int_equal(nb->count, 0);
    assert_int_equal(nb->revision, rev0);
    /* Outside a batch a stale handle conflicts at once (at put). */
    assert_int_equal(note_set(nb, "by b", 2), SVCQ_ECONFLICT);
    assert_int_equal(nb->revision, rev0);
    /* Reload and retry: it wins. */
    note_free(nb);
    assert_int_equal(note_load(&nb, b, "n"), SVCQ_OK);
    assert_string_equal(nb->text, "by a");
    assert_int_equal(note_set(nb, "by b", 2), SVCQ_OK);
    int drc;
    char *d = note_dump_store(a, &drc);
    assert_int_equal(drc, SVCQ_OK);
    char want[128];
    snprintf(want, sizeof(want), "n=by b#2@%llu;", (unsigned long long)nb->revision);
    assert_string_equal(d, want);
    free(d);

    /* A conflicting create: both see n2 absent, A commits first. */
    note *c1 = NULL, *c2 = NULL;
    assert_int_equal(svcq_ctx_batch_begin(b), SVCQ_OK);
    assert_int_equal(note_new(&c2, b, "n2", "b"), SVCQ_OK);
    assert_int_equal(note_new(&c1, a, "n2", "a"), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_commit(b), SVCQ_ECONFLICT);
    assert_int_equal(c2->revision, 0); /* the handle is "not stored" again */
    note_free(c1);
    note_free(c2);
    note_free(na);
    note_free(nb);
    svcq_ctx_free(a);
    svcq_ctx_free(b);
    shared_done(&sh);
}

/* Revisions of rolled-back transactions of any session are never handed
 * out again, neither by another session nor after a reopen. */
static void revisions_never_reused(void **state)
{
    (void)state;
    shared sh = { 0 };
    shared_open(&sh, SVCQ_STORE_SYNC_NONE);
    svcq_ctx *a = session(&sh), *b = session(&sh);
    uint64_t ra, rb, rc2;
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(a, &tx), SVCQ_OK);
    assert_int_equal(svcq__store_put(a, "k", "x", 0, "a", 1, &ra), SVCQ_OK);
    assert_int_equal(svcq__tx_end(a, &tx, SVCQ_EABORTED), SVCQ_EABORTED);
    assert_int_equal(put1(b, "x", 0, "b", &rb), SVCQ_OK);
    assert_true(rb > ra);
    /* The newest revision rolled back, then the store closed: the mark
     * is written at close. */
    assert_int_equal(svcq__tx_begin(a, &tx), SVCQ_OK);
    assert_int_equal(svcq__store_put(a, "k", "x", rb, "a2", 2, &ra), SVCQ_OK);
    assert_int_equal(svcq__tx_end(a, &tx, SVCQ_EABORTED), SVCQ_EABORTED);
    svcq_ctx_free(a);
    svcq_ctx_free(b);
    assert_int_equal(svcq_store_file_close(sh.fs), SVCQ_OK);
    shared_open(&sh, SVCQ_STORE_SYNC_NONE);
    a = session(&sh);
    assert_int_equal(put1(a, "x", rb, "c", &rc2), SVCQ_OK);
    assert_true(rc2 > ra);
    svcq_ctx_free(a);
    shared_done(&sh);
}

/* ---- ownership ------------------------------------------------------------------ */

static void who_owns_what(void **state)
{
    (void)state;
    shared sh = { 0 };
    shared_open(&sh, SVCQ_STORE_SYNC_NONE);
    svcq_ctx *a = session(&sh), *b;
    assert_int_equal(svcq_ctx_new(&b, NULL), SVCQ_OK);
    svcq_store_methods m;

    /* bad arguments */
    assert_int_equal(svcq_store_file_attach(&m, sh.fs, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_store_file_attach(NULL, sh.fs, b), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(b), "methods table is NULL"));
    assert_int_equal(svcq_store_file_attach(&m, NULL, b), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(b), "the store is NULL"));

    /* A session belongs to the context it was made for. */
    assert_int_equal(svcq_store_file_attach(&m, sh.fs, a), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(b, &m), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(b), "attached for another context"));
    m.destroy(m.user_data); /* never handed over: released by the host */
    assert_int_equal(svcq_store_file_attach(&m, sh.fs, b), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(b, &m), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(b, &m), SVCQ_EBUSY);
    assert_non_null(strstr(svcq_ctx_errmsg(b), "already belongs to this context"));

    /* The shared store is not handed to one context as a whole ... */
    svcq_ctx *c;
    assert_int_equal(svcq_ctx_new(&c, NULL), SVCQ_OK);
    assert_int_equal(svcq_store_file_methods(&m, sh.fs), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(sh.octx, &m), SVCQ_EBUSY);
    assert_non_null(strstr(svcq_ctx_errmsg(sh.octx), "shared by 2 session(s)"));
    /* ... and it is not closed under its sessions. */
    assert_int_equal(svcq_store_file_close(sh.fs), SVCQ_EBUSY);
    assert_non_null(strstr(svcq_ctx_errmsg(sh.octx), "still has 2 session(s) attached"));
    uint64_t r;
    assert_int_equal(put1(a, "x", 0, "still open", &r), SVCQ_OK);
    expect_val(b, "x", "still open");
    /* A context that takes another store lets go of its session. */
    assert_int_equal(svcq_ctx_set_store(b, NULL), SVCQ_OK);
    assert_int_equal(svcq_store_file_close(sh.fs), SVCQ_EBUSY);
    assert_non_null(strstr(svcq_ctx_errmsg(sh.octx), "1 session(s)"));
    svcq_ctx_free(a);
    assert_int_equal(svcq_store_file_close(sh.fs), SVCQ_OK);
    sh.fs = NULL;

    /* A store a context owns is not shared; a read-only one neither. */
    shared_open(&sh, SVCQ_STORE_SYNC_NONE);
    assert_int_equal(svcq_store_file_methods(&m, sh.fs), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(sh.octx, &m), SVCQ_OK);
    assert_int_equal(svcq_store_file_attach(&m, sh.fs, c), SVCQ_ESTATE);
    assert_non_null(strstr(svcq_ctx_errmsg(c), "belongs to one context"));
    expect_val(sh.octx, "x", "still open");
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.flags = SVCQ_STORE_FILE_READ_ONLY;
    svcq_store_file *ro;
    assert_int_equal(svcq_store_file_open(&ro, c, sh.path, &o), SVCQ_OK);
    assert_int_equal(svcq_store_file_attach(&m, ro, c), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(c), "read-only store is not shared"));
    assert_int_equal(svcq_store_file_close(ro), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(sh.octx, NULL), SVCQ_OK); /* closes it */
    sh.fs = NULL;
    svcq_ctx_free(b);
    svcq_ctx_free(c);
    shared_done(&sh);
}

/* ---- durability modes ----------------------------------------------------------- */

static void group_and_none_modes(void **state)
{
    (void)state;
    shared sh = { 0 };
    shared_open(&sh, SVCQ_STORE_SYNC_GROUP); /* a sync every 3 transactions */
    svcq_ctx *a = session(&sh);
    svcq_store_file_stats st = SVCQ_STORE_FILE_STATS_INIT;
    uint64_t r;
    char id[8];
    for (int i = 0; i < 3; i++) {
        snprintf(id, sizeof(id), "g%d", i);
        assert_int_equal(put1(a, id, 0, "g", &r), SVCQ_OK);
    }
    assert_int_equal(svcq_store_file_stats_get(&st, sh.fs), SVCQ_OK);
    assert_int_equal(st.unsynced_transactions, 3);
    assert_int_equal(svcq__fstore_syncs(sh.fs), 0);
    /* The fourth finds a sync due: the three are synced first. */
    assert_int_equal(put1(a, "g3", 0, "g", &r), SVCQ_OK);
    assert_int_equal(svcq_store_file_stats_get(&st, sh.fs), SVCQ_OK);
    assert_int_equal(st.unsynced_transactions, 1);
    assert_int_equal(svcq__fstore_syncs(sh.fs), 1);
    assert_int_equal(svcq_store_file_sync(sh.fs), SVCQ_OK);
    assert_int_equal(svcq_store_file_stats_get(&st, sh.fs), SVCQ_OK);
    assert_int_equal(st.unsynced_transactions, 0);
    assert_int_equal(svcq__fstore_syncs(sh.fs), 2);
    assert_int_equal(svcq_store_file_sync(sh.fs), SVCQ_OK); /* nothing to do */
    assert_int_equal(svcq__fstore_syncs(sh.fs), 2);
    svcq_ctx_free(a);
    assert_int_equal(svcq_store_file_close(sh.fs), SVCQ_OK);

    shared_open(&sh, SVCQ_STORE_SYNC_NONE);
    a = session(&sh);
    assert_int_equal(put1(a, "n", 0, "n", &r), SVCQ_OK);
    assert_int_equal(svcq__fstore_syncs(sh.fs), 0);
    expect_val(a, "g3", "g");
    svcq_ctx_free(a);
    assert_int_equal(svcq_store_file_close(sh.fs), SVCQ_OK);

    /* Full: one sync per commit when commits come one at a time. */
    shared_open(&sh, SVCQ_STORE_SYNC_FULL);
    a = session(&sh);
    assert_int_equal(put1(a, "f1", 0, "f", &r), SVCQ_OK);
    assert_int_equal(put1(a, "f2", 0, "f", &r), SVCQ_OK);
    assert_int_equal(svcq__fstore_syncs(sh.fs), 2);
    assert_int_equal(svcq_store_file_stats_get(&st, sh.fs), SVCQ_OK);
    assert_int_equal(st.unsynced_transactions, 0);
    svcq_ctx_free(a);
    shared_done(&sh);
}

/* ---- a failed group sync -------------------------------------------------------- */

/* System calls whose fdatasync blocks until the test releases it, and then
 * succeeds or fails as the test says (call by call). */
typedef struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool armed;       /* counting (not while the store is opened) */
    int calls;        /* datasync calls since armed */
    int blocked;      /* the call that blocks (1-based), 0: none */
    bool released;
    int fail_from;    /* calls from this one on fail with EIO (0: none) */
    int writes;       /* pwrite calls since armed */
    int fail_write;   /* this pwrite (1-based) fails, half written (0: none) */
    int fail_truncates; /* so many truncates fail */
    svcq__fio io;
} gate;

static int g_datasync(int fd, void *ud)
{
    gate *g = ud;
    pthread_mutex_lock(&g->mu);
    if (!g->armed) {
        pthread_mutex_unlock(&g->mu);
        return svcq__fio_posix.datasync(fd, NULL);
    }
    int call = ++g->calls;
    if (call == g->blocked)
        while (!g->released)
            pthread_cond_wait(&g->cv, &g->mu);
    bool fail = g->fail_from && call >= g->fail_from;
    pthread_mutex_unlock(&g->mu);
    if (fail) {
        errno = EIO;
        return -1;
    }
    return svcq__fio_posix.datasync(fd, NULL);
}

#define P (&svcq__fio_posix)
static int g_open(const char *p, int f, void *ud) { (void)ud; return P->open(p, f, NULL); }
static int g_close(int fd, void *ud) { (void)ud; return P->close(fd, NULL); }
static ssize_t g_pread(int fd, void *b, size_t n, uint64_t o, void *ud) { (void)ud; return P->pread(fd, b, n, o, NULL); }
static ssize_t g_pwrite(int fd, const void *b, size_t n, uint64_t o, void *ud)
{
    gate *g = ud;
    pthread_mutex_lock(&g->mu);
    bool fail = g->armed && ++g->writes == g->fail_write;
    pthread_mutex_unlock(&g->mu);
    if (fail) {
        (void)P->pwrite(fd, b, n / 2, o, NULL); /* torn */
        errno = ENOSPC;
        return -1;
    }
    return P->pwrite(fd, b, n, o, NULL);
}
static int g_truncate(int fd, uint64_t s, void *ud)
{
    gate *g = ud;
    pthread_mutex_lock(&g->mu);
    bool fail = g->armed && g->fail_truncates > 0;
    if (fail)
        g->fail_truncates--;
    pthread_mutex_unlock(&g->mu);
    if (fail) {
        errno = EIO;
        return -1;
    }
    return P->truncate(fd, s, NULL);
}
static int g_size(int fd, uint64_t *s, void *ud) { (void)ud; return P->size(fd, s, NULL); }
static int g_lock(int fd, void *ud) { (void)ud; return P->lock(fd, NULL); }
static int g_same(int fd, const char *p, void *ud) { (void)ud; return P->same(fd, p, NULL); }
static int g_rename(const char *a, const char *b, void *ud) { (void)ud; return P->rename(a, b, NULL); }
static int g_unlink(const char *p, void *ud) { (void)ud; return P->unlink(p, NULL); }
static int g_syncdir(const char *d, void *ud) { (void)ud; return P->syncdir(d, NULL); }

static void gate_init(gate *g, int blocked, int fail_from)
{
    memset(g, 0, sizeof(*g));
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    g->blocked = blocked;
    g->fail_from = fail_from;
    svcq__fio io = { g_open, g_close, g_pread, g_pwrite, g_datasync, g_truncate, g_size, g_lock, g_same,
                     g_rename, g_unlink, g_syncdir, g };
    g->io = io;
}

static void gate_release(gate *g)
{
    pthread_mutex_lock(&g->mu);
    g->released = true;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

typedef struct committer {
    svcq_ctx *ctx;
    char id[16];
    int rc;
    char msg[512];
} committer;

static void *commit_one(void *arg)
{
    committer *c = arg;
    uint64_t r;
    c->rc = put1(c->ctx, c->id, 0, c->id, &r);
    snprintf(c->msg, sizeof(c->msg), "%s", svcq_ctx_errmsg(c->ctx));
    return NULL;
}

static uint64_t transactions(svcq_store_file *fs)
{
    svcq_store_file_stats st = SVCQ_STORE_FILE_STATS_INIT;
    assert_int_equal(svcq_store_file_stats_get(&st, fs), SVCQ_OK);
    return st.transactions;
}

static void wait_for_transactions(svcq_store_file *fs, uint64_t n)
{
    for (int i = 0; transactions(fs) < n; i++) {
        if (i > 200000)
            fail_msg("the commits never reached the journal");
        struct timespec ts = { 0, 100000 };
        nanosleep(&ts, NULL);
    }
}

/* The sync of commit 1 is held while commits 2 and 3 are written behind
 * it; ok_first: that sync succeeds (commit 1 returns OK) and the next one,
 * covering 2 and 3, fails; else it fails and covers only commit 1, and 2
 * and 3 fail because the store then refuses writes. Either way every
 * commit not covered by a good sync fails with the sync's error, is taken
 * back, and a reopen finds exactly the commits that returned OK. */
static void failed_sync(bool ok_first)
{
    shared sh = { 0 };
    gate g;
    gate_init(&g, 1, ok_first ? 2 : 1);
    shared_open_io(&sh, SVCQ_STORE_SYNC_FULL, &g.io);
    g.armed = true;
    committer c[3];
    pthread_t t[3];
    uint64_t base = transactions(sh.fs);
    for (int i = 0; i < 3; i++) {
        c[i].ctx = session(&sh);
        snprintf(c[i].id, sizeof(c[i].id), "c%d", i + 1);
        assert_int_equal(pthread_create(&t[i], NULL, commit_one, &c[i]), 0);
        wait_for_transactions(sh.fs, base + (uint64_t)i + 1); /* in this order */
    }
    gate_release(&g);
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    /* A failed sync is not tried again (the store refuses writes); the
     * one more call is the sync of the file cut back to its durable end. */
    assert_int_equal(g.calls, ok_first ? 3 : 2);
    for (int i = 0; i < 3; i++) {
        int want = ok_first && i == 0 ? SVCQ_OK : SVCQ_EIO;
        if (c[i].rc != want)
            fail_msg("commit %d returned %d: %s", i + 1, c[i].rc, c[i].msg);
        if (want && !strstr(c[i].msg, "fdatasync"))
            fail_msg("commit %d: %s", i + 1, c[i].msg);
    }
    /* The store refuses writes now; reads see only what is durable. */
    uint64_t r;
    assert_int_equal(put1(c[0].ctx, "more", 0, "x", &r), SVCQ_EIO);
    expect_val(c[1].ctx, "c1", ok_first ? "c1" : "-");
    expect_val(c[1].ctx, "c2", "-");
    expect_val(c[1].ctx, "c3", "-");
    assert_true(svcq__fstore_broken(sh.fs));
    for (int i = 0; i < 3; i++)
        svcq_ctx_free(c[i].ctx);
    assert_int_equal(svcq_store_file_close(sh.fs), SVCQ_OK);
    sh.fs = NULL;
    /* Reopened (real system calls): exactly the commits that returned OK. */
    shared_open(&sh, SVCQ_STORE_SYNC_FULL);
    svcq_ctx *a = session(&sh);
    expect_val(a, "c1", ok_first ? "c1" : "-");
    expect_val(a, "c2", "-");
    expect_val(a, "c3", "-");
    assert_int_equal(put1(a, "c2", 0, "again", &r), SVCQ_OK);
    svcq_ctx_free(a);
    shared_done(&sh);
    pthread_mutex_destroy(&g.mu);
    pthread_cond_destroy(&g.cv);
}

static void failed_sync_covers_its_commits(void **state)
{
    (void)state;
    failed_sync(false);
}

static void failed_sync_after_a_good_one(void **state)
{
    (void)state;
    failed_sync(true);
}

/* Three commits behind one held sync share the next one. */
static void commits_share_a_sync(void **state)
{
    (void)state;
    shared sh = { 0 };
    gate g;
    gate_init(&g, 1, 0);
    shared_open_io(&sh, SVCQ_STORE_SYNC_FULL, &g.io);
    g.armed = true;
    committer c[4];
    pthread_t t[4];
    uint64_t base = transactions(sh.fs);
    for (int i = 0; i < 4; i++) {
        c[i].ctx = session(&sh);
        snprintf(c[i].id, sizeof(c[i].id), "s%d", i + 1);
        assert_int_equal(pthread_create(&t[i], NULL, commit_one, &c[i]), 0);
        wait_for_transactions(sh.fs, base + (uint64_t)i + 1);
    }
    gate_release(&g);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        if (c[i].rc)
            fail_msg("commit %d: %s", i + 1, c[i].msg);
    }
    /* one sync for commit 1, one for 2, 3 and 4 */
    assert_int_equal(g.calls, 2);
    assert_int_equal(svcq__fstore_syncs(sh.fs), 2);
    for (int i = 0; i < 4; i++)
        svcq_ctx_free(c[i].ctx);
    shared_done(&sh);
    pthread_mutex_destroy(&g.mu);
    pthread_cond_destroy(&g.cv);
}

/* svcq_store_file_sync while a commit waits behind a held sync does not
 * count that commit as synced: it still gets a sync of its own. */
static void sync_call_releases_no_waiter(void **state)
{
    (void)state;
    shared sh = { 0 };
    gate g;
    gate_init(&g, 1, 0);
    shared_open_io(&sh, SVCQ_STORE_SYNC_FULL, &g.io);
    g.armed = true;
    committer c[2];
    pthread_t t[2];
    uint64_t base = transactions(sh.fs);
    for (int i = 0; i < 2; i++) {
        c[i].ctx = session(&sh);
        snprintf(c[i].id, sizeof(c[i].id), "w%d", i + 1);
        assert_int_equal(pthread_create(&t[i], NULL, commit_one, &c[i]), 0);
        wait_for_transactions(sh.fs, base + (uint64_t)i + 1);
    }
    /* Commit 1 is in the held sync, commit 2 waits behind it. */
    assert_int_equal(svcq_store_file_sync(sh.fs), SVCQ_OK);
    gate_release(&g);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        if (c[i].rc)
            fail_msg("commit %d: %s", i + 1, c[i].msg);
    }
    assert_int_equal(g.calls, 2); /* commit 2 was synced by a sync of its own */
    for (int i = 0; i < 2; i++)
        svcq_ctx_free(c[i].ctx);
    shared_done(&sh);
    pthread_mutex_destroy(&g.mu);
    pthread_cond_destroy(&g.cv);
}

/* A commit whose write fails and cannot be cut back makes the store refuse
 * writes while another commit waits behind a held sync: the held sync
 * still makes its own commit durable (it returns OK), and the waiting
 * commit, which no sync will cover now, fails and is taken back, in the
 * index and in the file. */
static void failed_write_fails_the_waiting_commits(void **state)
{
    (void)state;
    shared sh = { 0 };
    gate g;
    gate_init(&g, 1, 0);
    g.fail_write = 3;     /* the third commit's */
    g.fail_truncates = 1; /* and its cut-back */
    shared_open_io(&sh, SVCQ_STORE_SYNC_FULL, &g.io);
    committer c[3];
    for (int i = 0; i < 3; i++) {
        c[i].ctx = session(&sh);
        snprintf(c[i].id, sizeof(c[i].id), "x%d", i + 1);
    }
    uint64_t r;
    assert_int_equal(put1(c[0].ctx, "warm", 0, "reserves the space ahead", &r), SVCQ_OK);
    g.armed = true;
    pthread_t t[3];
    uint64_t base = transactions(sh.fs);
    /* 1: appended, its sync held; 2: appended, waiting behind it */
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, commit_one, &c[i]), 0);
        wait_for_transactions(sh.fs, base + (uint64_t)i + 1);
    }
    /* 3: its write fails and cannot be cut back: the store is broken */
    commit_one(&c[2]);
    assert_int_equal(c[2].rc, SVCQ_EIO);
    assert_non_null(strstr(c[2].msg, "pwrite"));
    gate_release(&g);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    if (c[0].rc != SVCQ_OK)
        fail_msg("commit 1 (covered by the held sync): %s", c[0].msg);
    if (c[1].rc != SVCQ_EIO)
        fail_msg("commit 2 returned %d: %s", c[1].rc, c[1].msg);
    expect_val(c[2].ctx, "x1", "x1");
    expect_val(c[2].ctx, "x2", "-");
    expect_val(c[2].ctx, "x3", "-");
    assert_true(svcq__fstore_broken(sh.fs));
    for (int i = 0; i < 3; i++)
        svcq_ctx_free(c[i].ctx);
    assert_int_equal(svcq_store_file_close(sh.fs), SVCQ_OK); /* no compaction waits forever either */
    sh.fs = NULL;
    shared_open(&sh, SVCQ_STORE_SYNC_FULL);
    svcq_ctx *a = session(&sh);
    expect_val(a, "x1", "x1");
    expect_val(a, "x2", "-");
    expect_val(a, "x3", "-");
    svcq_ctx_free(a);
    shared_done(&sh);
    pthread_mutex_destroy(&g.mu);
    pthread_cond_destroy(&g.cv);
}

/* ---- index terms and ordered scans through sessions ------------------------------ */

/* Term scans of "due" (int64) over kind k, as "id:due=bytes;" lines. */
static int due_visit(svcq_ctx *ctx, const char *id, uint64_t rev, const char *bytes, size_t size,
                     const svcq_store_term *term, void *ud)
{
    (void)ctx, (void)rev;
    char *out = ud;
    char line[160];
    snprintf(line, sizeof(line), "%s:%lld=%.*s;", id, (long long)term->i, (int)size, bytes);
    strcat(out, line);
    return 0;
}

/* The scan of [lo, hi] (INT64_MIN / INT64_MAX: open), all at once. */
static void due_scan(svcq_ctx *ctx, int64_t lo, int64_t hi, char *out)
{
    out[0] = '\0';
    svcq_store_term l = SVCQ_STORE_TERM_INIT, h = SVCQ_STORE_TERM_INIT;
    l.type = h.type = SVCQ_STORE_TERM_INT64;
    l.name = h.name = "due";
    l.i = lo;
    h.i = hi;
    svcq__term_query q = { "due", SVCQ_STORE_TERM_INT64, lo == INT64_MIN ? NULL : &l, hi == INT64_MAX ? NULL : &h,
                           NULL, NULL, 0 };
    if (svcq__store_scan_term(ctx, "k", &q, due_visit, out) != SVCQ_OK)
        fail_msg("scan_term: %s", svcq_ctx_errmsg(ctx));
}

/* The same in pages of limit records, each starting after the last record
 * of the one before. */
typedef struct due_pager {
    char *out;
    int64_t last;
    char last_id[64];
    uint32_t n;
} due_pager;

static int due_page_visit(svcq_ctx *ctx, const char *id, uint64_t rev, const char *bytes, size_t size,
                          const svcq_store_term *term, void *ud)
{
    due_pager *p = ud;
    p->last = term->i;
    snprintf(p->last_id, sizeof(p->last_id), "%s", id);
    p->n++;
    return due_visit(ctx, id, rev, bytes, size, term, p->out);
}

static void due_pages(svcq_ctx *ctx, uint32_t limit, char *out)
{
    out[0] = '\0';
    due_pager p = { out, 0, "", 0 };
    svcq_store_term after = SVCQ_STORE_TERM_INIT;
    after.type = SVCQ_STORE_TERM_INT64;
    after.name = "due";
    for (int pages = 0;; pages++) {
        assert_true(pages < 100);
        after.i = p.last;
        svcq__term_query q = { "due", SVCQ_STORE_TERM_INT64, NULL, NULL, pages ? &after : NULL,
                               pages ? p.last_id : NULL, limit };
        p.n = 0;
        if (svcq__store_scan_term(ctx, "k", &q, due_page_visit, &p) != SVCQ_OK)
            fail_msg("scan_term page: %s", svcq_ctx_errmsg(ctx));
        assert_true(p.n <= limit);
        if (p.n < limit)
            return;
    }
}

/* scan_range of k in pages of limit (0: one page), as "id=bytes;". */
static void id_pages(svcq_ctx *ctx, uint32_t limit, char *out)
{
    out[0] = '\0';
    char after[64] = "";
    for (int pages = 0;; pages++) {
        assert_true(pages < 100);
        size_t before = strlen(out);
        if (svcq__store_scan_range(ctx, "k", pages ? after : NULL, limit, scan_visit, out) != SVCQ_OK)
            fail_msg("scan_range: %s", svcq_ctx_errmsg(ctx));
        /* the last id of the page: the text before the last '=' after the last ';' */
        size_t n = 0;
        for (const char *p = out + before; *p; p++)
            n += *p == ';';
        if (!limit || n < limit)
            return;
        const char *end = out + strlen(out) - 1; /* the final ';' */
        const char *start = end;
        while (start > out && start[-1] != ';')
            start--;
        const char *eq = strchr(start, '=');
        snprintf(after, sizeof(after), "%.*s", (int)(eq - start), start);
    }
}

static int put_due(svcq_ctx *ctx, const char *id, uint64_t expected, const char *text, int64_t due, uint64_t *rev)
{
    svcq_store_term t[2] = { SVCQ_STORE_TERM_INIT, SVCQ_STORE_TERM_INIT };
    t[0].type = SVCQ_STORE_TERM_INT64;
    t[0].name = "due";
    t[0].i = due;
    t[1].type = SVCQ_STORE_TERM_STRING;
    t[1].name = "state";
    t[1].s = due < 100 ? "live" : "done";
    return svcq__store_put_terms(ctx, "k", id, expected, text, strlen(text), t, 2, rev);
}

static void expect_text(const char *what, const char *got, const char *want)
{
    if (strcmp(got, want) != 0)
        fail_msg("%s: \"%s\", expected \"%s\"", what, got, want);
}

/* Session a writes records with terms and does not commit: b's term scan
 * does not see them, a's does (the new values, a removed record hidden, a
 * put without terms gone from the term), in (value, id) order and across
 * pages of every size; after the commit both see the same. */
static void terms_are_isolated_and_merged(void **state)
{
    (void)state;
    shared sh = { 0 };
    shared_open(&sh, SVCQ_STORE_SYNC_FULL);
    svcq_ctx *a = session(&sh), *b = session(&sh);
    uint64_t rev[10] = { 0 };
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(a, &tx), SVCQ_OK);
    assert_int_equal(put_due(a, "r1", 0, "one", 10, &rev[1]), SVCQ_OK);
    assert_int_equal(put_due(a, "r2", 0, "two", 20, &rev[2]), SVCQ_OK);
    assert_int_equal(put_due(a, "r3", 0, "three", 30, &rev[3]), SVCQ_OK);
    assert_int_equal(put_due(a, "r4", 0, "four", 40, &rev[4]), SVCQ_OK);
    assert_int_equal(put_due(a, "r9", 0, "nine", 30, &rev[9]), SVCQ_OK); /* a tie with r3 */
    assert_int_equal(svcq__tx_end(a, &tx, SVCQ_OK), SVCQ_OK);
    const char *before = "r1:10=one;r2:20=two;r3:30=three;r9:30=nine;r4:40=four;";
    const char *before_ids = "r1=one;r2=two;r3=three;r4=four;r9=nine;";
    char out[1024];
    due_scan(b, INT64_MIN, INT64_MAX, out);
    expect_text("b after the first commit", out, before);

    assert_int_equal(svcq__tx_begin(a, &tx), SVCQ_OK);
    assert_int_equal(put_due(a, "r2", rev[2], "two'", 35, &rev[2]), SVCQ_OK); /* moves behind r3, r9 */
    assert_int_equal(svcq__store_remove(a, "k", "r3", rev[3]), SVCQ_OK);
    assert_int_equal(put_due(a, "r5", 0, "five", 5, &rev[5]), SVCQ_OK);
    assert_int_equal(put_due(a, "r6", 0, "six", 25, &rev[6]), SVCQ_OK);
    assert_int_equal(put_due(a, "r0", 0, "zero", 30, &rev[0]), SVCQ_OK);  /* ties with r9, before it */
    assert_int_equal(put_due(a, "r8", 0, "eight", 40, &rev[8]), SVCQ_OK); /* ties with r4, after it */
    assert_int_equal(svcq__store_put(a, "k", "r1", rev[1], "one'", 4, &rev[1]), SVCQ_OK); /* terms dropped */
    /* created and removed again in the transaction */
    uint64_t r7;
    assert_int_equal(put_due(a, "r7", 0, "seven", 7, &r7), SVCQ_OK);
    assert_int_equal(svcq__store_remove(a, "k", "r7", r7), SVCQ_OK);

    const char *after = "r5:5=five;r6:25=six;r0:30=zero;r9:30=nine;r2:35=two';r4:40=four;r8:40=eight;";
    const char *after_ids = "r0=zero;r1=one';r2=two';r4=four;r5=five;r6=six;r8=eight;r9=nine;";
    due_scan(b, INT64_MIN, INT64_MAX, out);
    expect_text("b while a's transaction is open", out, before);
    id_pages(b, 0, out);
    expect_text("b's id scan while a's transaction is open", out, before_ids);
    due_scan(a, INT64_MIN, INT64_MAX, out);
    expect_text("a's own scan", out, after);
    due_scan(a, 25, 35, out);
    expect_text("a's own scan of [25, 35]", out, "r6:25=six;r0:30=zero;r9:30=nine;r2:35=two';");
    due_scan(a, 31, 34, out);
    expect_text("a's own scan of [31, 34]", out, "");
    for (uint32_t limit = 1; limit <= 8; limit++) {
        due_pages(a, limit, out);
        expect_text("a's own scan in pages", out, after);
        due_pages(b, limit, out);
        expect_text("b's scan in pages", out, before);
        id_pages(a, limit, out);
        expect_text("a's own id scan in pages", out, after_ids);
    }
    assert_int_equal(svcq__tx_end(a, &tx, SVCQ_OK), SVCQ_OK);
    due_scan(a, INT64_MIN, INT64_MAX, out);
    expect_text("a after its commit", out, after);
    due_scan(b, INT64_MIN, INT64_MAX, out);
    expect_text("b after a's commit", out, after);
    id_pages(b, 3, out);
    expect_text("b's id scan after a's commit", out, after_ids);
    for (uint32_t limit = 1; limit <= 8; limit++) {
        due_pages(b, limit, out);
        expect_text("b's scan in pages after a's commit", out, after);
    }
    svcq_ctx_free(a);
    svcq_ctx_free(b);
    /* The terms are in the journal: a reopen sees the same. */
    assert_int_equal(svcq_store_file_close(sh.fs), SVCQ_OK);
    shared_open(&sh, SVCQ_STORE_SYNC_FULL);
    a = session(&sh);
    due_scan(a, INT64_MIN, INT64_MAX, out);
    expect_text("after a reopen", out, after);
    svcq_ctx_free(a);
    shared_done(&sh);
}

/* A rollback takes a session's terms back; a conflict at commit applies
 * none of them. */
static void terms_roll_back(void **state)
{
    (void)state;
    shared sh = { 0 };
    shared_open(&sh, SVCQ_STORE_SYNC_NONE);
    svcq_ctx *a = session(&sh), *b = session(&sh);
    uint64_t ra = 0, rb = 0, rx = 0;
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(a, &tx), SVCQ_OK);
    assert_int_equal(put_due(a, "x", 0, "x1", 1, &ra), SVCQ_OK);
    assert_int_equal(svcq__tx_end(a, &tx, SVCQ_OK), SVCQ_OK);
    rb = ra;
    char out[512];
    /* rolled back */
    assert_int_equal(svcq__tx_begin(a, &tx), SVCQ_OK);
    assert_int_equal(put_due(a, "x", ra, "x2", 2, &rx), SVCQ_OK);
    assert_int_equal(put_due(a, "y", 0, "y1", 3, &rx), SVCQ_OK);
    due_scan(a, INT64_MIN, INT64_MAX, out);
    expect_text("a inside", out, "x:2=x2;y:3=y1;");
    assert_int_equal(svcq__tx_end(a, &tx, SVCQ_EABORTED), SVCQ_EABORTED);
    due_scan(a, INT64_MIN, INT64_MAX, out);
    expect_text("a after its rollback", out, "x:1=x1;");
    /* b commits x first; a's commit of x and z conflicts and applies nothing */
    assert_int_equal(svcq__tx_begin(a, &tx), SVCQ_OK);
    assert_int_equal(put_due(a, "z", 0, "z1", 0, &rx), SVCQ_OK);
    assert_int_equal(put_due(a, "x", ra, "x3", 3, &rx), SVCQ_OK);
    svcq__tx txb;
    assert_int_equal(svcq__tx_begin(b, &txb), SVCQ_OK);
    assert_int_equal(put_due(b, "x", rb, "x4", 4, &rb), SVCQ_OK);
    assert_int_equal(svcq__tx_end(b, &txb, SVCQ_OK), SVCQ_OK);
    assert_int_equal(svcq__tx_end(a, &tx, SVCQ_OK), SVCQ_ECONFLICT);
    due_scan(a, INT64_MIN, INT64_MAX, out);
    expect_text("a after its conflict", out, "x:4=x4;");
    due_scan(b, INT64_MIN, INT64_MAX, out);
    expect_text("b after a's conflict", out, "x:4=x4;");
    svcq_ctx_free(a);
    svcq_ctx_free(b);
    shared_done(&sh);
}

/* The same transactions through one owning context (fs_put2) and through
 * a session give the same journal, byte for byte. */
static void write_terms_sequence(svcq_ctx *ctx)
{
    uint64_t ra = 0, rb = 0, rc_ = 0;
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(put_due(ctx, "a", 0, "a1", 3, &ra), SVCQ_OK);
    assert_int_equal(put_due(ctx, "b", 0, "b1", 300, &rb), SVCQ_OK);
    assert_int_equal(svcq__store_put(ctx, "k", "c", 0, "c1", 2, &rc_), SVCQ_OK);
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_OK);
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(put_due(ctx, "a", ra, "a2", -7, &ra), SVCQ_OK);
    assert_int_equal(svcq__store_remove(ctx, "k", "b", rb), SVCQ_OK);
    assert_int_equal(put_due(ctx, "c", rc_, "c2", 9, &rc_), SVCQ_OK);
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_OK);
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(svcq__store_put(ctx, "k", "a", ra, "a3", 2, &ra), SVCQ_OK);
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_OK);
}

static void session_journal_equals_owned(void **state)
{
    (void)state;
    char *dir = test_tmpdir_mem("shared-terms");
    char *p1 = test_path(dir, "owned"), *p2 = test_path(dir, "shared");
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.durability = SVCQ_STORE_SYNC_NONE;
    /* owned by one context */
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_store_file *fs;
    assert_int_equal(svcq_store_file_open(&fs, ctx, p1, &o), SVCQ_OK);
    svcq_store_methods m;
    assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    write_terms_sequence(ctx);
    char want[512], got[512];
    due_scan(ctx, INT64_MIN, INT64_MAX, want);
    svcq_ctx_free(ctx);
    /* through a session */
    svcq_ctx *octx, *sctx;
    assert_int_equal(svcq_ctx_new(&octx, NULL), SVCQ_OK);
    assert_int_equal(svcq_store_file_open(&fs, octx, p2, &o), SVCQ_OK);
    assert_int_equal(svcq_ctx_new(&sctx, NULL), SVCQ_OK);
    assert_int_equal(svcq_store_file_attach(&m, fs, sctx), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(sctx, &m), SVCQ_OK);
    write_terms_sequence(sctx);
    due_scan(sctx, INT64_MIN, INT64_MAX, got);
    expect_text("the session's scan", got, "c:9=c2;");
    expect_text("the owned store's scan", want, "c:9=c2;");
    svcq_ctx_free(sctx);
    assert_int_equal(svcq_store_file_close(fs), SVCQ_OK);
    svcq_ctx_free(octx);
    size_t n1, n2;
    unsigned char *b1 = test_read_file(p1, &n1), *b2 = test_read_file(p2, &n2);
    assert_non_null(b1);
    assert_non_null(b2);
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    free(b1);
    free(b2);
    test_rmtree(dir);
    free(p1);
    free(p2);
    free(dir);
}

/* A journal of format 1 (as 0.1 wrote it) shared by sessions: a commit
 * without terms leaves its header alone, the first commit with terms
 * upgrades it before it writes, and the terms come back at reopen. */
static void session_upgrades_a_format_1_journal(void **state)
{
    (void)state;
    shared sh = { 0 };
    shared_open(&sh, SVCQ_STORE_SYNC_NONE);
    svcq_ctx *a = session(&sh);
    uint64_t r1 = 0, r2 = 0;
    assert_int_equal(put1(a, "p", 0, "p1", &r1), SVCQ_OK);
    svcq_ctx_free(a);
    assert_int_equal(svcq_store_file_close(sh.fs), SVCQ_OK);
    size_t n;
    unsigned char *bytes = test_read_file(sh.path, &n);
    assert_true(n >= SVCQ__JNL_HEADER_SIZE);
    svcq__jnl_header_set_version(bytes, 1);
    assert_int_equal(test_write_file(sh.path, bytes, n), 0);
    free(bytes);

    shared_open(&sh, SVCQ_STORE_SYNC_NONE);
    a = session(&sh);
    assert_int_equal(put1(a, "q", 0, "q1", &r2), SVCQ_OK);
    bytes = test_read_file(sh.path, &n);
    assert_int_equal(svcq__jnl_header_version(bytes), 1);
    free(bytes);
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(a, &tx), SVCQ_OK);
    assert_int_equal(put_due(a, "p", r1, "p2", 12, &r1), SVCQ_OK);
    bytes = test_read_file(sh.path, &n);
    assert_int_equal(svcq__jnl_header_version(bytes), 1); /* not before the commit */
    free(bytes);
    assert_int_equal(svcq__tx_end(a, &tx, SVCQ_OK), SVCQ_OK);
    bytes = test_read_file(sh.path, &n);
    assert_int_equal(svcq__jnl_header_version(bytes), SVCQ__JNL_VERSION);
    free(bytes);
    svcq_ctx_free(a);
    assert_int_equal(svcq_store_file_close(sh.fs), SVCQ_OK);
    shared_open(&sh, SVCQ_STORE_SYNC_NONE);
    a = session(&sh);
    char out[256];
    due_scan(a, INT64_MIN, INT64_MAX, out);
    expect_text("after the upgrade and a reopen", out, "p:12=p2;");
    expect_val(a, "q", "q1");
    svcq_ctx_free(a);
    shared_done(&sh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conformance_through_a_session),
        cmocka_unit_test(transactions_are_isolated),
        cmocka_unit_test(many_writes_of_one_record),
        cmocka_unit_test(racing_sessions_one_commits),
        cmocka_unit_test(revisions_never_reused),
        cmocka_unit_test(who_owns_what),
        cmocka_unit_test(group_and_none_modes),
        cmocka_unit_test(commits_share_a_sync),
        cmocka_unit_test(sync_call_releases_no_waiter),
        cmocka_unit_test(failed_sync_covers_its_commits),
        cmocka_unit_test(failed_sync_after_a_good_one),
        cmocka_unit_test(failed_write_fails_the_waiting_commits),
        cmocka_unit_test(terms_are_isolated_and_merged),
        cmocka_unit_test(terms_roll_back),
        cmocka_unit_test(session_journal_equals_owned),
        cmocka_unit_test(session_upgrades_a_format_1_journal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
