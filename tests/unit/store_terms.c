/* Version 2 of the storage contract in the built-in stores, beyond the
 * conformance suite: many records in random order against an independent
 * model (the treaps under insertions, replacements keeping some terms
 * or none, removals and rollbacks), a version-1 journal read and upgraded when the first record
 * with terms is written, and terms kept by compaction and reopening. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/journal.h"
#include "store/record.h"
#include "store/store.h"
#include "svcq.h"
#include "test_fs.h"

#define N 600
#define KIND "rnd"

typedef struct model {
    bool present[N];
    int64_t due[N];     /* INT64_MIN: no term */
    int state[N];       /* -1: no term */
    uint64_t rev[N];
} model;

static const char *const states[] = { "done", "live", "paused", "" };

static void id_of(int i, char *out)
{
    /* Ids whose byte order differs from their number's. */
    snprintf(out, 16, "r%d", (i * 7919) % N);
}

static uint64_t rnd_state = 88172645463325252u;
static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

static int put_one(svcq_ctx *ctx, model *m, int i, int64_t due, int state)
{
    char id[16];
    id_of(i, id);
    svcq_store_term t[2];
    size_t n = 0;
    if (state >= 0)
        t[n++] = (svcq_store_term){ SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_STRING, "state", states[state], 0, { 0 } };
    if (due != INT64_MIN)
        t[n++] = (svcq_store_term){ SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_INT64, "due", NULL, due, { 0 } };
    uint64_t rev;
    int rc = svcq__store_put_terms(ctx, KIND, id, m->present[i] ? m->rev[i] : 0, id, strlen(id), t, n, &rev);
    if (rc == SVCQ_OK) {
        m->present[i] = true;
        m->rev[i] = rev;
        m->due[i] = due;
        m->state[i] = state;
    }
    return rc;
}

typedef struct got {
    size_t n;
    char ids[N][16];
    int64_t i[N];
    char s[N][16];
} got;

static int got_visit(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes, size_t size,
                     const svcq_store_term *term, void *ud)
{
    (void)ctx;
    (void)revision;
    got *g = ud;
    assert_true(g->n < N);
    assert_memory_equal(bytes, id, size); /* the value is the id */
    snprintf(g->ids[g->n], 16, "%s", id);
    g->i[g->n] = term->i;
    snprintf(g->s[g->n], 16, "%s", term->s ? term->s : "");
    g->n++;
    return 0;
}

static int got_range(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes, size_t size, void *ud)
{
    return got_visit(ctx, id, revision, bytes, size, &(svcq_store_term)SVCQ_STORE_TERM_INIT, ud);
}

typedef struct entry {
    int64_t due;
    const char *state;
    char id[16];
} entry;

static int by_due(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->due != y->due)
        return x->due < y->due ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int by_state(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    int c = strcmp(x->state, y->state);
    return c ? c : strcmp(x->id, y->id);
}

static int by_id(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->id, ((const entry *)b)->id);
}

/* Compares the store with the model: a due range, a state, all by id. */
static void check(svcq_ctx *ctx, const model *m, int64_t lo, int64_t hi)
{
    static entry want[N];
    static got g;
    size_t n = 0;
    for (int i = 0; i < N; i++)
        if (m->present[i] && m->due[i] != INT64_MIN && m->due[i] >= lo && m->due[i] <= hi) {
            want[n].due = m->due[i];
            id_of(i, want[n].id);
            n++;
        }
    qsort(want, n, sizeof(*want), by_due);
    svcq_store_term l = { SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_INT64, "due", NULL, lo, { 0 } };
    svcq_store_term h = { SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_INT64, "due", NULL, hi, { 0 } };
    svcq__term_query q = { "due", SVCQ_STORE_TERM_INT64, &l, &h, NULL, NULL, 0 };
    memset(&g, 0, sizeof(g));
    assert_int_equal(svcq__store_scan_term(ctx, KIND, &q, got_visit, &g), SVCQ_OK);
    assert_int_equal(g.n, n);
    for (size_t k = 0; k < n; k++) {
        assert_string_equal(g.ids[k], want[k].id);
        assert_true(g.i[k] == want[k].due);
    }
    n = 0;
    for (int i = 0; i < N; i++)
        if (m->present[i] && m->state[i] == 1) {
            want[n].state = states[1];
            id_of(i, want[n].id);
            n++;
        }
    qsort(want, n, sizeof(*want), by_state);
    svcq_store_term live = { SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_STRING, "state", "live", 0, { 0 } };
    svcq__term_query qs = { "state", SVCQ_STORE_TERM_STRING, &live, &live, NULL, NULL, 0 };
    memset(&g, 0, sizeof(g));
    assert_int_equal(svcq__store_scan_term(ctx, KIND, &qs, got_visit, &g), SVCQ_OK);
    assert_int_equal(g.n, n);
    for (size_t k = 0; k < n; k++)
        assert_string_equal(g.ids[k], want[k].id);
    n = 0;
    for (int i = 0; i < N; i++)
        if (m->present[i])
            id_of(i, want[n++].id);
    qsort(want, n, sizeof(*want), by_id);
    memset(&g, 0, sizeof(g));
    assert_int_equal(svcq__store_scan_range(ctx, KIND, NULL, 0, got_range, &g), SVCQ_OK);
    assert_int_equal(g.n, n);
    for (size_t k = 0; k < n; k++)
        assert_string_equal(g.ids[k], want[k].id);
}

static void random_ops(svcq_ctx *ctx)
{
    static model m, saved;
    memset(&m, 0, sizeof(m));
    for (int round = 0; round < 40; round++) {
        bool rollback = round % 5 == 3;
        saved = m;
        assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
        svcq__tx tx;
        assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
        for (int k = 0; k < 150; k++) {
            int i = (int)(rnd() % N);
            uint64_t r = rnd();
            if (m.present[i] && r % 6 == 0) {
                char id[16];
                id_of(i, id);
                assert_int_equal(svcq__store_remove(ctx, KIND, id, m.rev[i]), SVCQ_OK);
                m.present[i] = false;
                continue;
            }
            int64_t due = r % 7 == 0 ? INT64_MIN : (int64_t)(r >> 8) % 50 - 25;
            int state = (int)((r >> 20) % 5) - 1;
            /* Most rewrites keep some terms as they were (the stores move
             * those nodes in place): keep due, state, both, or neither. */
            if (m.present[i] && (r >> 30) % 4 != 0) {
                if ((r >> 32) % 3 != 0)
                    due = m.due[i];
                if ((r >> 32) % 3 != 1)
                    state = m.state[i];
            }
            assert_int_equal(put_one(ctx, &m, i, due, state), SVCQ_OK);
        }
        assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_OK);
        check(ctx, &m, -10, 10);
        if (rollback) {
            assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
            m = saved;
        } else {
            assert_int_equal(svcq_ctx_batch_commit(ctx), SVCQ_OK);
        }
        check(ctx, &m, INT64_MIN, INT64_MAX);
        check(ctx, &m, 0, 0);
    }
}

static void random_memory(void **state)
{
    (void)state;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    random_ops(ctx);
    svcq_ctx_free(ctx);
}

static svcq_store_file *use_file(svcq_ctx *ctx, const char *path)
{
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.durability = SVCQ_STORE_SYNC_NONE;
    svcq_store_file *fs;
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, &o), SVCQ_OK);
    svcq_store_methods m;
    assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
    assert_int_equal(m.version, 2);
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    return fs;
}

static void random_file(void **state)
{
    (void)state;
    char *dir = test_tmpdir("terms");
    char *path = test_path(dir, "j");
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    (void)use_file(ctx, path);
    random_ops(ctx);
    svcq_ctx_free(ctx);
    test_rmtree(dir);
    free(path);
    free(dir);
}

static uint32_t header_version(const char *path)
{
    size_t n;
    uint8_t *b = test_read_file(path, &n);
    assert_true(n >= SVCQ__JNL_HEADER_SIZE);
    uint32_t v = svcq__jnl_header_version(b);
    free(b);
    return v;
}

static void scan_due(svcq_ctx *ctx, size_t want, int64_t first)
{
    static got g;
    memset(&g, 0, sizeof(g));
    svcq__term_query q = { "due", SVCQ_STORE_TERM_INT64, NULL, NULL, NULL, NULL, 0 };
    assert_int_equal(svcq__store_scan_term(ctx, KIND, &q, got_visit, &g), SVCQ_OK);
    assert_int_equal(g.n, want);
    if (want)
        assert_true(g.i[0] == first);
}

static void journal_v1_upgraded(void **state)
{
    (void)state;
    char *dir = test_tmpdir("termsv1");
    char *path = test_path(dir, "j");
    static model m;
    memset(&m, 0, sizeof(m));
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    (void)use_file(ctx, path);
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(put_one(ctx, &m, 1, INT64_MIN, -1), SVCQ_OK); /* no terms: a frame of format 1 */
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_OK);
    svcq_ctx_free(ctx);
    /* Make it a journal as 0.1 wrote it: header version 1. */
    size_t n;
    uint8_t *b = test_read_file(path, &n);
    svcq__jnl_header_set_version(b, 1);
    assert_int_equal(test_write_file(path, b, n), 0);
    free(b);
    assert_int_equal(header_version(path), 1);

    /* Read as it is; a put without terms leaves the header alone. */
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    (void)use_file(ctx, path);
    char *bytes;
    size_t size;
    uint64_t rev;
    char id[16];
    id_of(1, id);
    assert_int_equal(svcq__store_get(ctx, KIND, id, &bytes, &size, &rev), SVCQ_OK);
    assert_int_equal(rev, m.rev[1]);
    svcq__free(ctx, bytes);
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(put_one(ctx, &m, 2, INT64_MIN, -1), SVCQ_OK);
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_OK);
    assert_int_equal(header_version(path), 1);
    /* The first record with terms upgrades the header, before its commit. */
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(put_one(ctx, &m, 3, 17, 1), SVCQ_OK);
    assert_int_equal(header_version(path), SVCQ__JNL_VERSION);
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_OK);
    scan_due(ctx, 1, 17);
    svcq_ctx_free(ctx);

    /* Terms come back at reopen, and after a compaction. */
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_store_file *fs = use_file(ctx, path);
    scan_due(ctx, 1, 17);
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(put_one(ctx, &m, 4, -3, 0), SVCQ_OK);
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_OK);
    assert_int_equal(svcq_store_file_compact(fs), SVCQ_OK);
    scan_due(ctx, 2, -3);
    svcq_ctx_free(ctx);
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    (void)use_file(ctx, path);
    scan_due(ctx, 2, -3);
    check(ctx, &m, INT64_MIN, INT64_MAX);
    svcq_ctx_free(ctx);
    test_rmtree(dir);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_memory),
        cmocka_unit_test(random_file),
        cmocka_unit_test(journal_v1_upgraded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
