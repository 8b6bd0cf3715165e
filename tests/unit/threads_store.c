/* One file store shared by 16 threads, each with its own context and
 * session (svcq_store_file_attach), durable mode, released together:
 *
 * - each thread commits its own records (creates, updates, a removal);
 * - every thread also increments one shared counter record, reading it
 *   and writing it back with compare-and-swap, retrying on SVCQ_ECONFLICT
 *   (at put or at commit);
 * - a thread of note handles in batches, so the library's undo runs on
 *   conflicts;
 * - meanwhile the main thread compacts the journal, syncs it and reads
 *   its statistics, and a scanner reads the records by full, term and id
 *   scans (each record's index term "v" must be the value its bytes hold).
 *
 * The oracle is the arithmetic of what the threads did: the counter equals
 * the increments that returned OK, every thread's records hold their last
 * committed values, and a reopen of the journal (by one context, after
 * close) holds exactly that state. Built under ThreadSanitizer
 * (.ci/run: build-tsan, suite `threads`), a data race in the store's
 * sharing is reported. Worker threads never call cmocka. */
#include <pthread.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "store/filestore.h"
#include "store/store.h"
#include "svcq.h"
#include "test_fs.h"
#include "test_note.h"

#define THREADS 16
#define ROUNDS 40
#define RECS 4

typedef struct worker {
    int index;
    svcq_ctx *ctx;
    pthread_barrier_t *start;
    int increments;          /* counter increments committed */
    int conflicts;           /* ECONFLICT seen (and retried) */
    int values[RECS];        /* last committed value of each own record, -1: removed */
    char failure[512];
} worker;

static void fail_w(worker *w, const char *what, int rc)
{
    if (!w->failure[0])
        snprintf(w->failure, sizeof(w->failure), "thread %d: %s: %d: %s", w->index, what, rc,
                 svcq_ctx_errmsg(w->ctx));
}

static int get_int(svcq_ctx *ctx, const char *id, int *value, uint64_t *rev)
{
    char *b = NULL;
    size_t n;
    int rc = svcq__store_get(ctx, "k", id, &b, &n, rev);
    if (rc == SVCQ_OK)
        *value = atoi(b);
    svcq__free(ctx, b);
    return rc;
}

/* counter += 1, as one transaction, retried on conflicts. */
static void increment(worker *w)
{
    for (int attempt = 0; attempt < 1000; attempt++) {
        svcq__tx tx;
        int rc = svcq__tx_begin(w->ctx, &tx);
        int v = 0;
        uint64_t rev = 0, nr;
        if (!rc) {
            rc = get_int(w->ctx, "counter", &v, &rev);
            if (rc == SVCQ_ENOTFOUND) {
                rc = SVCQ_OK;
                v = 0;
                rev = 0;
            }
        }
        char text[16];
        int len = snprintf(text, sizeof(text), "%d", v + 1);
        if (!rc)
            rc = svcq__store_put(w->ctx, "k", "counter", rev, text, (size_t)len, &nr);
        rc = svcq__tx_end(w->ctx, &tx, rc);
        if (rc == SVCQ_OK) {
            w->increments++;
            return;
        }
        if (rc != SVCQ_ECONFLICT) {
            fail_w(w, "increment", rc);
            return;
        }
        w->conflicts++;
    }
    fail_w(w, "increment: still conflicting after 1000 attempts", SVCQ_ECONFLICT);
}

/* The thread's own record r gets value v (or is removed when v < 0). */
static void own(worker *w, int r, int v)
{
    char id[32], text[1100];
    snprintf(id, sizeof(id), "t%02d-r%d", w->index, r);
    svcq__tx tx;
    int rc = svcq__tx_begin(w->ctx, &tx);
    int old;
    uint64_t rev = 0, nr;
    if (!rc) {
        rc = get_int(w->ctx, id, &old, &rev);
        if (rc == SVCQ_ENOTFOUND) {
            rc = SVCQ_OK;
            rev = 0;
        }
    }
    if (!rc && v < 0 && rev)
        rc = svcq__store_remove(w->ctx, "k", id, rev);
    else if (!rc && v >= 0) {
        /* about 1 KiB: the number, then padding */
        int len = snprintf(text, sizeof(text), "%d ", v);
        memset(text + len, 'x', 1000);
        /* with its value as index term "v" too (version 2 through a session) */
        svcq_store_term term = SVCQ_STORE_TERM_INIT;
        term.type = SVCQ_STORE_TERM_INT64;
        term.name = "v";
        term.i = v;
        rc = svcq__store_put_terms(w->ctx, "k", id, rev, text, (size_t)len + 1000, &term, 1, &nr);
    }
    rc = svcq__tx_end(w->ctx, &tx, rc);
    if (rc)
        fail_w(w, "own record", rc);
    else
        w->values[r] = v;
}

static void *run_worker(void *arg)
{
    worker *w = arg;
    for (int r = 0; r < RECS; r++)
        w->values[r] = -1;
    pthread_barrier_wait(w->start);
    for (int i = 0; i < ROUNDS && !w->failure[0]; i++) {
        own(w, i % RECS, i);
        if (i % 7 == 6)
            own(w, (i + 1) % RECS, -1);
        increment(w);
    }
    return NULL;
}

/* Two threads edit one note in batches: a conflict rolls the batch back
 * and the library restores the handle; the thread reloads and retries. */
typedef struct noter {
    svcq_ctx *ctx;
    pthread_barrier_t *start;
    int done;
    char failure[512];
} noter;

static void *run_noter(void *arg)
{
    noter *n = arg;
    pthread_barrier_wait(n->start);
    for (int i = 0; i < ROUNDS && !n->failure[0]; i++) {
        for (int attempt = 0;; attempt++) {
            note *a = NULL;
            int rc = note_load(&a, n->ctx, "shared-note");
            if (rc == SVCQ_ENOTFOUND)
                rc = note_new(&a, n->ctx, "shared-note", "0");
            char before[64] = "";
            if (!rc)
                snprintf(before, sizeof(before), "%s#%lld@%llu", a->text, (long long)a->count,
                         (unsigned long long)a->revision);
            if (!rc)
                rc = svcq_ctx_batch_begin(n->ctx);
            if (!rc) {
                rc = note_set(a, "edited", a->count + 1);
                if (rc) {
                    (void)svcq_ctx_batch_rollback(n->ctx);
                } else {
                    rc = svcq_ctx_batch_commit(n->ctx);
                    char after[64];
                    snprintf(after, sizeof(after), "%s#%lld@%llu", a->text, (long long)a->count,
                             (unsigned long long)a->revision);
                    if (rc == SVCQ_ECONFLICT && strcmp(before, after) != 0)
                        snprintf(n->failure, sizeof(n->failure), "a conflict left the note changed: %s -> %s",
                                 before, after);
                }
            }
            note_free(a);
            if (rc == SVCQ_OK) {
                n->done++;
                break;
            }
            if (rc != SVCQ_ECONFLICT || attempt > 1000) {
                if (!n->failure[0])
                    snprintf(n->failure, sizeof(n->failure), "note: %d: %s", rc, svcq_ctx_errmsg(n->ctx));
                return NULL;
            }
        }
    }
    return NULL;
}

/* A thread scans kind k over and over while the others commit: every scan
 * sees the counter and each thread's records no older than the scan before
 * (values only grow; a record may be absent, being removed). */
typedef struct scanner {
    svcq_ctx *ctx;
    pthread_barrier_t *start;
    int *running;           /* workers still running; read under mu */
    pthread_mutex_t *mu;
    int scans;
    int counter, last[THREADS][RECS];
    char failure[512];
} scanner;

static int scan_visit(svcq_ctx *ctx, const char *id, uint64_t rev, const char *bytes, size_t size, void *ud)
{
    (void)ctx, (void)rev;
    scanner *sc = ud;
    char text[16];
    size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
    memcpy(text, bytes, n);
    text[n] = '\0';
    int v = atoi(text); /* not NUL-terminated: the number, then padding */
    int t, r;
    if (strcmp(id, "counter") == 0) {
        if (v < sc->counter && !sc->failure[0])
            snprintf(sc->failure, sizeof(sc->failure), "scan %d: the counter went back from %d to %d", sc->scans,
                     sc->counter, v);
        sc->counter = v;
    } else if (sscanf(id, "t%d-r%d", &t, &r) == 2 && t >= 0 && t < THREADS && r >= 0 && r < RECS) {
        if (v < sc->last[t][r] && !sc->failure[0])
            snprintf(sc->failure, sizeof(sc->failure), "scan %d: %s went back from %d to %d", sc->scans, id,
                     sc->last[t][r], v);
        sc->last[t][r] = v;
    }
    return 0;
}

/* A term scan's record: its term must be the value its bytes hold. */
static int term_visit(svcq_ctx *ctx, const char *id, uint64_t rev, const char *bytes, size_t size,
                      const svcq_store_term *term, void *ud)
{
    scanner *sc = ud;
    char text[16];
    size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
    memcpy(text, bytes, n);
    text[n] = '\0';
    if (term->i != atoi(text) && !sc->failure[0])
        snprintf(sc->failure, sizeof(sc->failure), "term scan %d: %s has term %lld and value %d", sc->scans, id,
                 (long long)term->i, atoi(text));
    return scan_visit(ctx, id, rev, bytes, size, ud);
}

static void *run_scanner(void *arg)
{
    scanner *sc = arg;
    pthread_barrier_wait(sc->start);
    for (;;) {
        pthread_mutex_lock(sc->mu);
        int running = *sc->running;
        pthread_mutex_unlock(sc->mu);
        int rc = svcq__store_scan(sc->ctx, "k", scan_visit, sc);
        svcq__term_query q = { "v", SVCQ_STORE_TERM_INT64, NULL, NULL, NULL, NULL, 0 };
        if (!rc)
            rc = svcq__store_scan_term(sc->ctx, "k", &q, term_visit, sc);
        if (!rc)
            rc = svcq__store_scan_range(sc->ctx, "k", NULL, 0, scan_visit, sc);
        if (rc) {
            snprintf(sc->failure, sizeof(sc->failure), "scan: %d: %s", rc, svcq_ctx_errmsg(sc->ctx));
            return NULL;
        }
        sc->scans++;
        if (!running || sc->failure[0])
            return NULL;
        struct timespec ts = { 0, 100 * 1000 }; /* leave the workers some CPU */
        nanosleep(&ts, NULL);
    }
}

typedef struct termcheck {
    const worker *w;
    int seen, bad;
} termcheck;

static int oracle_visit(svcq_ctx *ctx, const char *id, uint64_t rev, const char *bytes, size_t size,
                        const svcq_store_term *term, void *ud)
{
    (void)ctx, (void)rev, (void)bytes, (void)size;
    termcheck *tc = ud;
    int t, r;
    tc->seen++;
    if (sscanf(id, "t%d-r%d", &t, &r) != 2 || t < 0 || t >= THREADS || r < 0 || r >= RECS ||
        tc->w[t].values[r] != term->i)
        tc->bad++;
    return 0;
}

static void sixteen_threads_one_store(void **state)
{
    (void)state;
    char *dir = test_tmpdir_mem("threads-store");
    char *path = test_path(dir, "journal");
    svcq_ctx *octx;
    assert_int_equal(svcq_ctx_new(&octx, NULL), SVCQ_OK);
    svcq_store_file *fs;
    assert_int_equal(svcq_store_file_open(&fs, octx, path, NULL), SVCQ_OK); /* SVCQ_STORE_SYNC_FULL */

    pthread_barrier_t start;
    assert_int_equal(pthread_barrier_init(&start, NULL, THREADS + 2 + 1 + 1), 0);
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    int running = 1;
    static scanner sc;
    memset(&sc, 0, sizeof(sc));
    pthread_t scan_thread;
    assert_int_equal(svcq_ctx_new(&sc.ctx, NULL), SVCQ_OK);
    {
        svcq_store_methods m;
        assert_int_equal(svcq_store_file_attach(&m, fs, sc.ctx), SVCQ_OK);
        assert_int_equal(svcq_ctx_set_store(sc.ctx, &m), SVCQ_OK);
    }
    sc.start = &start;
    sc.running = &running;
    sc.mu = &mu;
    assert_int_equal(pthread_create(&scan_thread, NULL, run_scanner, &sc), 0);
    static worker w[THREADS];
    static noter nt[2];
    pthread_t t[THREADS + 2];
    memset(w, 0, sizeof(w));
    memset(nt, 0, sizeof(nt));
    for (int i = 0; i < THREADS + 2; i++) {
        svcq_ctx *ctx;
        assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
        svcq_store_methods m;
        assert_int_equal(svcq_store_file_attach(&m, fs, ctx), SVCQ_OK);
        assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
        if (i < THREADS) {
            w[i] = (worker){ .index = i, .ctx = ctx, .start = &start };
            assert_int_equal(pthread_create(&t[i], NULL, run_worker, &w[i]), 0);
        } else {
            nt[i - THREADS] = (noter){ .ctx = ctx, .start = &start };
            assert_int_equal(pthread_create(&t[i], NULL, run_noter, &nt[i - THREADS]), 0);
        }
    }
    pthread_barrier_wait(&start);
    /* Meanwhile: compaction, sync and statistics from this thread. */
    for (int i = 0; i < 3; i++) {
        if (svcq_store_file_compact(fs) != SVCQ_OK)
            fail_msg("compact: %s", svcq_ctx_errmsg(octx));
        assert_int_equal(svcq_store_file_sync(fs), SVCQ_OK);
        svcq_store_file_stats st = SVCQ_STORE_FILE_STATS_INIT;
        assert_int_equal(svcq_store_file_stats_get(&st, fs), SVCQ_OK);
        /* at most the commits appended since, one per thread */
        assert_true(st.unsynced_transactions <= THREADS + 2);
    }
    for (int i = 0; i < THREADS + 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    pthread_mutex_lock(&mu);
    running = 0;
    pthread_mutex_unlock(&mu);
    assert_int_equal(pthread_join(scan_thread, NULL), 0);
    if (sc.failure[0])
        fail_msg("%s", sc.failure);
    assert_true(sc.scans >= 1);
    assert_int_equal(sc.counter, THREADS * ROUNDS); /* its last scan began after every commit */
    svcq_ctx_free(sc.ctx);
    pthread_barrier_destroy(&start);

    int increments = 0, conflicts = 0;
    for (int i = 0; i < THREADS; i++) {
        if (w[i].failure[0])
            fail_msg("%s", w[i].failure);
        assert_int_equal(w[i].increments, ROUNDS);
        increments += w[i].increments;
        conflicts += w[i].conflicts;
    }
    for (int i = 0; i < 2; i++) {
        if (nt[i].failure[0])
            fail_msg("%s", nt[i].failure);
        assert_int_equal(nt[i].done, ROUNDS);
    }

    /* The oracle, read through one session and again after a reopen. */
    for (int pass = 0; pass < 2; pass++) {
        svcq_ctx *ctx = w[0].ctx;
        if (pass == 1) {
            for (int i = 0; i < THREADS; i++)
                svcq_ctx_free(w[i].ctx);
            for (int i = 0; i < 2; i++)
                svcq_ctx_free(nt[i].ctx);
            assert_int_equal(svcq_store_file_close(fs), SVCQ_OK);
            assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
            assert_int_equal(svcq_store_file_open(&fs, ctx, path, NULL), SVCQ_OK);
            svcq_store_methods m;
            assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
            assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
        }
        int v;
        uint64_t rev;
        assert_int_equal(get_int(ctx, "counter", &v, &rev), SVCQ_OK);
        assert_int_equal(v, increments);
        for (int i = 0; i < THREADS; i++)
            for (int r = 0; r < RECS; r++) {
                char id[32];
                snprintf(id, sizeof(id), "t%02d-r%d", i, r);
                int rc = get_int(ctx, id, &v, &rev);
                if (w[i].values[r] < 0)
                    assert_int_equal(rc, SVCQ_ENOTFOUND);
                else {
                    assert_int_equal(rc, SVCQ_OK);
                    assert_int_equal(v, w[i].values[r]);
                }
            }
        /* The terms: every live own record once, with its value. */
        termcheck tc = { w, 0, 0 };
        svcq__term_query q = { "v", SVCQ_STORE_TERM_INT64, NULL, NULL, NULL, NULL, 0 };
        assert_int_equal(svcq__store_scan_term(ctx, "k", &q, oracle_visit, &tc), SVCQ_OK);
        if (tc.bad)
            fail_msg("the term scan disagrees with the threads' records at %d of them", tc.bad);
        int live = 0;
        for (int i = 0; i < THREADS; i++)
            for (int r = 0; r < RECS; r++)
                live += w[i].values[r] >= 0;
        assert_int_equal(tc.seen, live);
        note *n;
        assert_int_equal(note_load(&n, ctx, "shared-note"), SVCQ_OK);
        assert_int_equal(n->count, 2 * ROUNDS);
        note_free(n);
        if (pass == 1)
            svcq_ctx_free(ctx);
    }
    print_message("%d threads, %d counter increments, %d conflicts retried, %d scans meanwhile\n", THREADS,
                  increments, conflicts, sc.scans);
    svcq_ctx_free(octx);
    test_rmtree(dir);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sixteen_threads_one_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
