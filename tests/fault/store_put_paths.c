/* Allocation failure at every point of one transaction that takes every
 * path of a put, on the memory store and on the file store (whose puts
 * take the same in-place path, the frame's place kept by the record): a rewrite keeping its terms (the value
 * swapped in place), rewrites changing term values only (the record kept,
 * the changed terms moved: a string and an int at once, a shorter string,
 * an int alone, one after a new record took the old one's place, one
 * before a remove, and enough of them to grow the term undo stack),
 * rewrites changing terms (one with a term name new to the kind), inserts
 * that grow the id map, an insert into a new kind, a remove, a refused
 * stale put, and the undo log growing past its first block. The failed call
 * must leave the whole store as it was (every kind, id, revision, value and
 * term order), and leak nothing. On the file store the same transaction
 * also meets a failing system call at every point of its commit (the
 * write, the sync: SVCQ_EIO), and after every
 * run the journal opened afresh next to it (its replay takes the in-place
 * path too) holds exactly what the store shows. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>

#include "core/buf.h"
#include "fault.h"
#include "faulty_fio.h"
#include "store/filestore.h"
#include "store/store.h"
#include "svcq.h"
#include "test_fs.h"

static const char *const kinds[] = { "k1", "k2", "k3" };
static const char *const names[] = { "extra", "prio", "state" };

typedef struct st {
    svcq_ctx *ctx;
    char *dir, *path; /* the file store's (NULL: the memory store) */
    svcq_store_file *fs;
    faulty_fio io_state;
    svcq__fio io;
} st;

static int put(svcq_ctx *ctx, const char *kind, const char *id, uint64_t expected, const char *value,
               const char *state, int64_t prio, const char *extra, uint64_t *rev)
{
    svcq_store_term t[3];
    size_t n = 0;
    if (extra)
        t[n++] = (svcq_store_term){ SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_STRING, "extra", extra, 0, { 0 } };
    t[n++] = (svcq_store_term){ SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_INT64, "prio", NULL, prio, { 0 } };
    if (state)
        t[n++] = (svcq_store_term){ SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_STRING, "state", state, 0, { 0 } };
    uint64_t r = 0;
    int rc = svcq__store_put_terms(ctx, kind, id, expected, value, strlen(value), t, n, &r);
    if (rc == SVCQ_OK && rev)
        *rev = r;
    return rc;
}

static uint64_t revs[8];

static void *setup_common(test_alloc *alloc, bool file, int32_t durability)
{
    st *s = calloc(1, sizeof(*s));
    s->ctx = test_ctx_new(alloc);
    if (file) {
        s->dir = test_tmpdir_mem("put-paths");
        s->path = test_path(s->dir, "journal");
        s->io = faulty_fio_table(&s->io_state);
        svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
        o.durability = durability;
        assert_int_equal(svcq__fstore_open_io(&s->fs, s->ctx, s->path, &o, &s->io), SVCQ_OK);
        svcq_store_methods m;
        assert_int_equal(svcq_store_file_methods(&m, s->fs), SVCQ_OK);
        assert_int_equal(svcq_ctx_set_store(s->ctx, &m), SVCQ_OK);
    }
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(s->ctx, &tx), SVCQ_OK);
    /* k1: a0..a4 (the id map holds 6 before it grows); k2: b0. */
    char id[8], v[16];
    for (int i = 0; i < 5; i++) {
        snprintf(id, sizeof(id), "a%d", i);
        snprintf(v, sizeof(v), "value a%d", i);
        assert_int_equal(put(s->ctx, "k1", id, 0, v, i % 2 ? "open" : "done", i, NULL, &revs[i]), SVCQ_OK);
    }
    assert_int_equal(put(s->ctx, "k2", "b0", 0, "value b0", NULL, 7, NULL, &revs[5]), SVCQ_OK);
    assert_int_equal(svcq__tx_end(s->ctx, &tx, SVCQ_OK), SVCQ_OK);
    return s;
}

static void *setup_mem(test_alloc *alloc) { return setup_common(alloc, false, 0); }
static void *setup_file(test_alloc *alloc) { return setup_common(alloc, true, SVCQ_STORE_SYNC_NONE); }
static void *setup_file_synced(test_alloc *alloc) { return setup_common(alloc, true, SVCQ_STORE_SYNC_FULL); }

static void arm_io(void *p, size_t n, bool keep)
{
    st *s = p;
    faulty_fio_arm(&s->io_state, n, keep);
}

static size_t injected_io(void *p)
{
    st *s = p;
    return s->io_state.injected;
}

static int run(void *p)
{
    st *s = p;
    svcq_ctx *ctx = s->ctx;
    svcq__tx tx;
    int rc = svcq__tx_begin(ctx, &tx);
    if (rc)
        return rc;
    uint64_t r0 = revs[0], r1 = revs[1], r2 = revs[2];
    /* The same terms twice (in place, then in place again), a new value
     * of another size. */
    if (!rc)
        rc = put(ctx, "k1", "a0", r0, "value a0, second", "done", 0, NULL, &r0);
    if (!rc)
        rc = put(ctx, "k1", "a0", r0, "third", "done", 0, NULL, &r0);
    /* A term changed, then one added that the kind never had. */
    if (!rc)
        rc = put(ctx, "k1", "a1", r1, "value a1, closed", "done", 1, NULL, &r1);
    if (!rc)
        rc = put(ctx, "k1", "a1", r1, "value a1, extra", "done", 1, "x", &r1);
    /* A term dropped, then back to the same terms in place. */
    if (!rc)
        rc = put(ctx, "k1", "a2", r2, "value a2, no state", NULL, 2, NULL, &r2);
    if (!rc)
        rc = put(ctx, "k1", "a2", r2, "", NULL, 2, NULL, &r2);
    /* A stale revision: refused, nothing written. */
    if (!rc && put(ctx, "k1", "a3", revs[3] + 100, "stale", "open", 3, NULL, NULL) != SVCQ_ECONFLICT)
        rc = SVCQ_EINVAL;
    /* Term values changed, the record kept: a string longer and an int at
     * once, then a shorter string, an int alone; then a new term (a new
     * record takes a4's place, its own string with it to the undo log), and
     * two strings changed on that record. */
    uint64_t r4 = revs[4];
    if (!rc)
        rc = put(ctx, "k1", "a4", r4, "value a4, verifying", "verification, a longer state", 40, NULL, &r4);
    if (!rc)
        rc = put(ctx, "k1", "a4", r4, "v", "v", 40, NULL, &r4);
    if (!rc)
        rc = put(ctx, "k1", "a4", r4, "value a4, later", "v", 41, NULL, &r4);
    if (!rc)
        rc = put(ctx, "k1", "a4", r4, "value a4, extra", "v", 41, "x", &r4);
    if (!rc)
        rc = put(ctx, "k1", "a4", r4, "value a4, after", "after", 41, "y", &r4);
    /* A value changed, then the record removed. */
    uint64_t r3 = revs[3];
    if (!rc)
        rc = put(ctx, "k1", "a3", r3, "value a3, closed", "closed", 3, NULL, &r3);
    if (!rc)
        rc = svcq__store_remove(ctx, "k1", "a3", r3);
    /* Inserts growing k1's id map, and more writes than the undo log's
     * first block holds; then two or three values changed on each new
     * record, more than the term undo stack's first block holds. */
    char id[8];
    uint64_t rn[20] = { 0 };
    for (int i = 5; i < 20 && !rc; i++) {
        snprintf(id, sizeof(id), "a%d", i);
        rc = put(ctx, "k1", id, 0, "new", i % 3 ? "open" : "done", i, i % 4 == 0 ? "x" : NULL, &rn[i]);
    }
    for (int i = 5; i < 20 && !rc; i++) {
        snprintf(id, sizeof(id), "a%d", i);
        rc = put(ctx, "k1", id, rn[i], "changed", i % 3 ? "in progress" : "reopened", i * 10, i % 4 == 0 ? "x" : NULL, &rn[i]);
    }
    /* A new kind, and a remove. */
    if (!rc)
        rc = put(ctx, "k3", "c0", 0, "value c0", "open", 0, NULL, NULL);
    if (!rc)
        rc = svcq__store_remove(ctx, "k2", "b0", revs[5]);
    return svcq__tx_end(ctx, &tx, rc);
}

/* ---- the whole store as text ---------------------------------------------------- */

static int rec_line(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes, size_t size, void *ud)
{
    (void)ctx;
    svcq__buf *b = ud;
    return svcq__buf_printf(b, "%s@%llu=%.*s;", id, (unsigned long long)revision, (int)size, bytes);
}

static int term_line(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes, size_t size,
                     const svcq_store_term *term, void *ud)
{
    (void)ctx, (void)revision, (void)bytes, (void)size;
    svcq__buf *b = ud;
    if (term->type == SVCQ_STORE_TERM_INT64)
        return svcq__buf_printf(b, "%lld:%s;", (long long)term->i, id);
    return svcq__buf_printf(b, "%s:%s;", term->s, id);
}

static char *describe_ctx(svcq_ctx *ctx)
{
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        assert_int_equal(svcq__buf_printf(&b, "\n%s: ", kinds[k]), SVCQ_OK);
        assert_int_equal(svcq__store_scan_range(ctx, kinds[k], NULL, 0, rec_line, &b), SVCQ_OK);
        for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++)
            for (int32_t type = SVCQ_STORE_TERM_STRING; type <= SVCQ_STORE_TERM_INT64; type++) {
                svcq__term_query q = { names[n], type, NULL, NULL, NULL, NULL, 0 };
                assert_int_equal(svcq__buf_printf(&b, " [%s/%d] ", names[n], (int)type), SVCQ_OK);
                assert_int_equal(svcq__store_scan_term(ctx, kinds[k], &q, term_line, &b), SVCQ_OK);
            }
    }
    char *out = strdup(b.data ? b.data : "");
    svcq__buf_free(&b);
    return out;
}

static char *describe(void *p)
{
    st *s = p;
    return describe_ctx(s->ctx);
}

/* The whole store after the run succeeded (a reference run). */
static char *ref_after;

/* The file store: the journal, opened read-only by another context (a
 * replay of every commit), holds what the store shows; after a failed sync
 * whose cut-back failed too (the store refuses writes since), it may hold
 * the failed commit: nobody knows what reached the disk. */
static void verify(void *p, int rc, bool injected)
{
    (void)rc, (void)injected;
    st *s = p;
    if (!s->path)
        return;
    svcq_ctx *other;
    assert_int_equal(svcq_ctx_new(&other, NULL), SVCQ_OK);
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.flags = SVCQ_STORE_FILE_READ_ONLY;
    svcq_store_file *ro;
    assert_int_equal(svcq_store_file_open(&ro, other, s->path, &o), SVCQ_OK);
    svcq_store_methods m;
    assert_int_equal(svcq_store_file_methods(&m, ro), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(other, &m), SVCQ_OK);
    char *live = describe(s), *replayed = describe_ctx(other);
    bool unknown = injected && svcq__fstore_broken(s->fs) && strcmp(replayed, ref_after) == 0;
    if (strcmp(live, replayed) != 0 && !unknown)
        fail_msg("the journal replayed: %s\nthe store: %s", replayed, live);
    free(live);
    free(replayed);
    svcq_ctx_free(other);
}

static void teardown(void *p)
{
    st *s = p;
    svcq_ctx_free(s->ctx);
    if (s->dir)
        test_rmtree(s->dir);
    free(s->dir);
    free(s->path);
    free(s);
}

static void put_paths(void **state)
{
    (void)state;
    fault_scenario sc = { "put_paths", setup_mem, run, describe, NULL, teardown, NULL, NULL, 0 };
    size_t points = fault_run(&sc);
    print_message("put_paths: %zu failure points\n", points);
    /* The scenario reaches every allocation it means to: at least the
     * value copies, record blocks and term strings of its 47 writes. */
    assert_true(points >= 60);
}

static void file_put_paths(void **state)
{
    (void)state;
    fault_scenario sc = { "file put_paths", setup_file, run, describe, verify, teardown, NULL, NULL, 0 };
    size_t points = fault_run(&sc);
    print_message("file put_paths: %zu failure points\n", points);
    /* No value copies, but the record blocks and term strings, the
     * transaction buffer growing and the commit marker. */
    assert_true(points >= 40);
}

static void file_put_paths_io(void **state)
{
    (void)state;
    test_alloc alloc;
    test_alloc_init(&alloc);
    st *ref = setup_file_synced(&alloc);
    assert_int_equal(run(ref), SVCQ_OK);
    ref_after = describe(ref);
    teardown(ref);
    fault_scenario sc = { "file put_paths, I/O", setup_file_synced, run, describe, verify, teardown, arm_io,
                          injected_io, SVCQ_EIO };
    size_t points = fault_run(&sc);
    print_message("file put_paths, I/O: %zu failure points\n", points);
    /* The commit's write and its sync (the zeros reserved ahead by the
     * setup's commit still have room). */
    assert_true(points >= 2);
    free(ref_after);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(put_paths),
        cmocka_unit_test(file_put_paths),
        cmocka_unit_test(file_put_paths_io),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
