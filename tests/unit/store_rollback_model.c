/* Random transactions on the built-in stores (the memory store's in-place
 * rewrites above all), half of them rolled back, the whole store compared
 * after each with a model kept differently: plain arrays of records, sorted
 * with qsort when an order is asked for.
 *
 * Every transaction mixes the five kinds of write the index tells apart:
 * inserts, rewrites that keep every term (the record keeps its place and
 * swaps its value), rewrites that keep the term names and types but change
 * values (the record stays; one or several changed terms move in their
 * trees, strings getting longer or shorter), rewrites that change, add or
 * drop terms (a new record takes the old one's place in the orders), and
 * removes; a put with a wrong revision is refused in between. A record is
 * often written twice in a row, so changes stack up in one transaction. The comparison covers every kind, id,
 * revision and value (get, the unordered scan, the id order with and
 * without paging) and the order of every term name and type (whole, and
 * paged with a cursor).
 *
 * On the file store (whose puts, shared sessions' commits and journal
 * replay keep the record in place the same way, the frame's place being
 * what the record takes) some commits are also made to fail (the write
 * fails: SVCQ_EIO, everything undone), and the journal is read back into
 * other indexes and compared with the model the same way: by a reader that
 * refreshes after every transaction, by a fresh read-only open now and
 * then, and by reopening the store itself. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>

#include "store/filestore.h"
#include "store/index.h"
#include "store/store.h"
#include "svcq.h"
#include "test_fs.h"

#define NKINDS 3
#define NIDS 48
#define NNAMES 4
#define MAXVAL 300

static const char *const kinds[NKINDS] = { "ka", "kb_entry", "kc" };
static const char *const names[NNAMES] = { "due", "owner", "state", "zone" };
static const char *const strs[] = { "",     "a", "alpha", "b", "beta", "z", "\xc3\xa9t\xc3\xa9",
                                     "alpha-a-much-longer-state-value", "in progress, then longer still" };
#define NSTRS (sizeof(strs) / sizeof(strs[0]))

typedef struct mterm {
    bool on;
    int32_t type;
    int64_t i;
    int s; /* index in strs */
} mterm;

typedef struct mrec {
    bool present;
    uint64_t rev;
    size_t size;
    unsigned char val[MAXVAL];
    mterm t[NNAMES]; /* by name */
} mrec;

typedef struct model {
    mrec r[NKINDS][NIDS];
} model;

static uint64_t rnd_state = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

static void id_of(int i, char *out)
{
    /* Ids whose byte order is not their number's, some sharing a prefix. */
    snprintf(out, 16, "%s%d", i % 3 ? "r" : "r/", (i * 37) % NIDS);
}

static void random_terms(mrec *m)
{
    for (int k = 0; k < NNAMES; k++) {
        uint64_t r = rnd();
        m->t[k].on = r % 3 != 0;
        /* One name with both types across records. */
        m->t[k].type = k == 3 && (r >> 8) % 2 ? SVCQ_STORE_TERM_INT64
                       : k == 0               ? SVCQ_STORE_TERM_INT64
                                              : SVCQ_STORE_TERM_STRING;
        m->t[k].i = (int64_t)((r >> 16) % 9) - 4;
        if ((r >> 40) % 11 == 0)
            m->t[k].i = (r >> 41) % 2 ? INT64_MIN : INT64_MAX;
        m->t[k].s = (int)((r >> 24) % NSTRS);
    }
}

/* Another value of t's type. */
static void other_value(mterm *t)
{
    uint64_t r = rnd();
    if (t->type == SVCQ_STORE_TERM_INT64 && (t->i == INT64_MIN || t->i == INT64_MAX))
        t->i = (int64_t)(r % 9) - 4;
    else if (t->type == SVCQ_STORE_TERM_INT64)
        t->i = (r >> 40) % 7 == 0 ? ((r >> 41) % 2 ? INT64_MIN : INT64_MAX) : t->i + 1 + (int64_t)(r % 5);
    else
        t->s = (int)((size_t)t->s + 1 + r % (NSTRS - 1)) % (int)NSTRS;
}

static void random_value(mrec *m)
{
    uint64_t r = rnd();
    m->size = r % 7 == 0 ? 0 : (size_t)((r >> 8) % MAXVAL);
    for (size_t k = 0; k < m->size; k++)
        m->val[k] = (unsigned char)rnd();
}

/* The terms of m as the public type, in an order of their own (reversed
 * when rev is set: the library sorts them). */
static size_t terms_of(const mrec *m, svcq_store_term *out, bool rev)
{
    size_t n = 0;
    for (int k = 0; k < NNAMES; k++) {
        int j = rev ? NNAMES - 1 - k : k;
        if (!m->t[j].on)
            continue;
        svcq_store_term t = SVCQ_STORE_TERM_INIT;
        t.name = names[j];
        t.type = m->t[j].type;
        if (t.type == SVCQ_STORE_TERM_STRING)
            t.s = strs[m->t[j].s];
        else
            t.i = m->t[j].i;
        out[n++] = t;
    }
    return n;
}

static int put(svcq_ctx *ctx, model *md, int kind, int i, const mrec *want)
{
    char id[16];
    id_of(i, id);
    mrec *m = &md->r[kind][i];
    svcq_store_term t[NNAMES];
    size_t n = terms_of(want, t, rnd() % 2);
    uint64_t rev = 0;
    int rc = svcq__store_put_terms(ctx, kinds[kind], id, m->present ? m->rev : 0, want->val, want->size, t, n,
                                   &rev);
    if (rc == SVCQ_OK) {
        uint64_t old = m->present ? m->rev : 0;
        *m = *want;
        m->present = true;
        m->rev = rev;
        assert_true(rev > old);
    }
    return rc;
}

/* One random write on record i of kind (and the store). */
static void random_write_at(svcq_ctx *ctx, model *md, int kind, int i)
{
    mrec *m = &md->r[kind][i];
    mrec want = *m;
    uint64_t r = rnd();
    char id[16];
    id_of(i, id);
    if (!m->present) {
        random_terms(&want);
        random_value(&want);
        assert_int_equal(put(ctx, md, kind, i, &want), SVCQ_OK);
        return;
    }
    switch (r % 10) {
    case 0: /* remove */
        assert_int_equal(svcq__store_remove(ctx, kinds[kind], id, m->rev), SVCQ_OK);
        m->present = false;
        return;
    case 1: { /* a stale revision: refused, nothing changes */
        uint64_t rev = 0;
        random_value(&want);
        svcq_store_term t[NNAMES];
        size_t n = terms_of(&want, t, false);
        assert_int_equal(svcq__store_put_terms(ctx, kinds[kind], id, m->rev + 1000, want.val, want.size, t, n, &rev),
                         SVCQ_ECONFLICT);
        return;
    }
    case 2: /* every term anew */
        random_terms(&want);
        break;
    case 3: { /* one term changed, added or dropped */
        int k = (int)((r >> 8) % NNAMES);
        mrec other = want;
        random_terms(&other);
        want.t[k] = other.t[k];
        if (want.t[k].on == m->t[k].on && (r >> 16) % 2)
            want.t[k].on = !want.t[k].on;
        break;
    }
    case 4: /* the same names and types, several values changed */
    case 5:
        for (int k = 0; k < NNAMES; k++)
            if (want.t[k].on && (r >> (24 + k)) % 2)
                other_value(&want.t[k]);
        break;
    case 6: { /* the same names and types, one value changed */
        int k = (int)((r >> 8) % NNAMES);
        while (!want.t[k].on && k + 1 < NNAMES)
            k++;
        if (want.t[k].on)
            other_value(&want.t[k]);
        break;
    }
    default: /* the same terms (the in-place rewrite) */
        break;
    }
    if ((r >> 20) % 5)
        random_value(&want);
    assert_int_equal(put(ctx, md, kind, i, &want), SVCQ_OK);
}

static void random_write(svcq_ctx *ctx, model *md)
{
    int kind = (int)(rnd() % NKINDS), i = (int)(rnd() % NIDS);
    uint64_t r = rnd();
    random_write_at(ctx, md, kind, i);
    /* The same record again: changes on changes in one transaction. */
    for (int again = (int)(r % 4 == 0) + (int)(r % 16 == 0); again > 0; again--)
        random_write_at(ctx, md, kind, i);
}

/* ---- the comparison ---------------------------------------------------------- */

typedef struct seen {
    size_t n;
    char id[NKINDS * NIDS][16];
    uint64_t rev[NKINDS * NIDS];
    size_t size[NKINDS * NIDS];
    unsigned char val[NKINDS * NIDS][MAXVAL];
    int32_t type[NKINDS * NIDS];
    int64_t i[NKINDS * NIDS];
    char s[NKINDS * NIDS][40];
} seen;

static int seen_add(const char *id, uint64_t revision, const char *bytes, size_t size, const svcq_store_term *term,
                    seen *g)
{
    assert_true(g->n < NKINDS * NIDS);
    assert_true(strlen(id) < 16 && size <= MAXVAL);
    size_t k = g->n++;
    snprintf(g->id[k], 16, "%s", id);
    g->rev[k] = revision;
    g->size[k] = size;
    if (size)
        memcpy(g->val[k], bytes, size);
    if (term) {
        g->type[k] = term->type;
        g->i[k] = term->i;
        snprintf(g->s[k], sizeof(g->s[k]), "%s", term->s ? term->s : "");
    }
    return 0;
}

static int rec_visit(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes, size_t size, void *ud)
{
    (void)ctx;
    return seen_add(id, revision, bytes, size, NULL, ud);
}

static int term_visit(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes, size_t size,
                      const svcq_store_term *term, void *ud)
{
    (void)ctx;
    return seen_add(id, revision, bytes, size, term, ud);
}

/* A model row for the orders. */
typedef struct row {
    char id[16];
    const mrec *m;
    int name;
} row;

static int by_id(const void *a, const void *b)
{
    return strcmp(((const row *)a)->id, ((const row *)b)->id);
}

static int by_term(const void *a, const void *b)
{
    const row *x = a, *y = b;
    const mterm *s = &x->m->t[x->name], *t = &y->m->t[y->name];
    int c;
    if (s->type == SVCQ_STORE_TERM_INT64)
        c = s->i < t->i ? -1 : s->i > t->i;
    else
        c = strcmp(strs[s->s], strs[t->s]); /* bytes as unsigned char */
    return c ? c : strcmp(x->id, y->id);
}

static void same_record(const seen *g, size_t k, const row *w)
{
    assert_string_equal(g->id[k], w->id);
    assert_true(g->rev[k] == w->m->rev);
    assert_int_equal(g->size[k], w->m->size);
    if (w->m->size)
        assert_memory_equal(g->val[k], w->m->val, w->m->size);
}

static void compare(svcq_ctx *ctx, const model *md)
{
    static seen g;
    static row want[NIDS];
    for (int kind = 0; kind < NKINDS; kind++) {
        size_t n = 0;
        for (int i = 0; i < NIDS; i++) {
            const mrec *m = &md->r[kind][i];
            char id[16];
            id_of(i, id);
            char *bytes = NULL;
            size_t size = 0;
            uint64_t rev = 0;
            int rc = svcq__store_get(ctx, kinds[kind], id, &bytes, &size, &rev);
            if (!m->present) {
                assert_int_equal(rc, SVCQ_ENOTFOUND);
                continue;
            }
            assert_int_equal(rc, SVCQ_OK);
            assert_true(rev == m->rev);
            assert_int_equal(size, m->size);
            if (size)
                assert_memory_equal(bytes, m->val, size);
            free(bytes);
            snprintf(want[n].id, 16, "%s", id);
            want[n].m = m;
            n++;
        }
        qsort(want, n, sizeof(*want), by_id);
        /* Every record, in no order: sorted here. */
        memset(&g, 0, sizeof(g));
        assert_int_equal(svcq__store_scan(ctx, kinds[kind], rec_visit, &g), SVCQ_OK);
        assert_int_equal(g.n, n);
        for (size_t k = 0; k < n; k++) {
            size_t at = 0;
            while (at < g.n && strcmp(g.id[at], want[k].id) != 0)
                at++;
            assert_true(at < g.n);
            same_record(&g, at, &want[k]);
        }
        /* The id order, whole and by pages of 5. */
        memset(&g, 0, sizeof(g));
        assert_int_equal(svcq__store_scan_range(ctx, kinds[kind], NULL, 0, rec_visit, &g), SVCQ_OK);
        assert_int_equal(g.n, n);
        for (size_t k = 0; k < n; k++)
            same_record(&g, k, &want[k]);
        memset(&g, 0, sizeof(g));
        for (;;) {
            size_t before = g.n;
            assert_int_equal(svcq__store_scan_range(ctx, kinds[kind], before ? g.id[before - 1] : NULL, 5, rec_visit,
                                                    &g),
                             SVCQ_OK);
            if (g.n == before)
                break;
            assert_true(g.n - before <= 5);
        }
        assert_int_equal(g.n, n);
        for (size_t k = 0; k < n; k++)
            same_record(&g, k, &want[k]);
        /* Every term name and type: the whole order, then by pages of 3
         * from the cursor. */
        for (int name = 0; name < NNAMES; name++) {
            for (int32_t type = SVCQ_STORE_TERM_STRING; type <= SVCQ_STORE_TERM_INT64; type++) {
                static row tw[NIDS];
                size_t tn = 0;
                for (size_t k = 0; k < n; k++)
                    if (want[k].m->t[name].on && want[k].m->t[name].type == type) {
                        tw[tn] = want[k];
                        tw[tn].name = name;
                        tn++;
                    }
                qsort(tw, tn, sizeof(*tw), by_term);
                svcq__term_query q = { names[name], type, NULL, NULL, NULL, NULL, 0 };
                memset(&g, 0, sizeof(g));
                assert_int_equal(svcq__store_scan_term(ctx, kinds[kind], &q, term_visit, &g), SVCQ_OK);
                assert_int_equal(g.n, tn);
                for (size_t k = 0; k < tn; k++) {
                    same_record(&g, k, &tw[k]);
                    const mterm *t = &tw[k].m->t[name];
                    assert_int_equal(g.type[k], type);
                    if (type == SVCQ_STORE_TERM_INT64)
                        assert_true(g.i[k] == t->i);
                    else
                        assert_string_equal(g.s[k], strs[t->s]);
                }
                memset(&g, 0, sizeof(g));
                q.limit = 3;
                for (;;) {
                    size_t before = g.n;
                    svcq_store_term cur = SVCQ_STORE_TERM_INIT;
                    if (before) {
                        cur.name = names[name];
                        cur.type = type;
                        cur.i = g.i[before - 1];
                        cur.s = type == SVCQ_STORE_TERM_STRING ? g.s[before - 1] : NULL;
                        q.after = &cur;
                        q.after_id = g.id[before - 1];
                    }
                    assert_int_equal(svcq__store_scan_term(ctx, kinds[kind], &q, term_visit, &g), SVCQ_OK);
                    if (g.n == before)
                        break;
                    assert_true(g.n - before <= 3);
                }
                assert_int_equal(g.n, tn);
                for (size_t k = 0; k < tn; k++)
                    assert_string_equal(g.id[k], tw[k].id);
            }
        }
    }
}

/* ---- the runs ------------------------------------------------------------------ */

/* What a run does besides the transactions, for the file store. */
typedef struct hooks {
    /* Makes the next commit fail (NULL: commits never fail). */
    void (*fail_commit)(void);
    /* Compares other views of the store with the model (committed state). */
    void (*also)(const model *md, int round);
} hooks;

/* The real system calls, the next pwrite failing when asked (half of it
 * written, as a full disk may). */
static int pwrite_fails;
static ssize_t q_pwrite(int fd, const void *b, size_t n, uint64_t o, void *ud)
{
    (void)ud;
    if (pwrite_fails) {
        pwrite_fails = 0;
        if (n > 1)
            (void)svcq__fio_posix.pwrite(fd, b, n / 2, o, svcq__fio_posix.ud);
        errno = ENOSPC;
        return -1;
    }
    return svcq__fio_posix.pwrite(fd, b, n, o, svcq__fio_posix.ud);
}
static void fail_next_write(void)
{
    pwrite_fails = 1;
}

/* The rounds go on in *ctxp, which a hook may replace (a reopen). */
static void run_with(svcq_ctx **ctxp, int rounds, const hooks *h)
{
    static model md, saved;
    memset(&md, 0, sizeof(md));
    int rolled = 0, failed = 0;
    for (int round = 0; round < rounds; round++) {
        svcq_ctx *ctx = *ctxp;
        saved = md;
        uint64_t r = rnd();
        bool rollback = r % 2 == 0;
        bool fail = !rollback && h && h->fail_commit && (r >> 4) % 4 == 0;
        bool batch = (r >> 8) % 3 != 0;
        int writes = 1 + (int)((r >> 16) % 40);
        if (batch)
            assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
        svcq__tx tx;
        assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
        for (int w = 0; w < writes; w++)
            random_write(ctx, &md);
        /* Inside the transaction the store shows its writes. */
        if (round % 4 == 0)
            compare(ctx, &md);
        if (fail)
            h->fail_commit();
        int want = fail ? SVCQ_EIO : SVCQ_OK;
        if (batch) {
            assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_OK);
            assert_int_equal(rollback ? svcq_ctx_batch_rollback(ctx) : svcq_ctx_batch_commit(ctx), want);
        } else if (rollback) {
            int rc = svcq__error(ctx, SVCQ_EINVAL, "test: undo this transaction");
            assert_int_equal(svcq__tx_end(ctx, &tx, rc), SVCQ_EINVAL);
        } else {
            assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), want);
        }
        if (rollback || fail) {
            md = saved;
            rolled += rollback;
            failed += fail;
        }
        compare(ctx, &md);
        if (h && h->also)
            h->also(&md, round);
    }
    assert_true(rolled > rounds / 4);
    if (h && h->fail_commit)
        assert_true(failed > rounds / 20);
}

static void run(svcq_ctx *ctx, int rounds)
{
    run_with(&ctx, rounds, NULL);
}

static void memory_store(void **state)
{
    (void)state;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    run(ctx, 300);
    svcq_ctx_free(ctx);
}

/* The file store under test, and the views of its journal. */
static struct {
    char *path;
    svcq__fio io;
    int32_t durability;
    svcq_ctx *writer;  /* the context the run writes through (owns the store, or a session) */
    bool owned;        /* the writer owns the store: it may close and reopen it */
    svcq_ctx *reader;  /* a read-only store on the journal, refreshed after each transaction */
    svcq_store_file *ro;
} fx;

static svcq_ctx *open_on(const char *path, uint32_t flags, svcq_store_file **out)
{
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.durability = fx.durability;
    o.flags = flags;
    svcq_store_file *fs;
    assert_int_equal(svcq__fstore_open_io(&fs, ctx, path, &o, &fx.io), SVCQ_OK);
    svcq_store_methods m;
    assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    if (out)
        *out = fs;
    return ctx;
}

/* The journal read back: by the reader's refresh (what was appended since
 * the last one) after every transaction, by a fresh read-only open every
 * seventh, and by the owner reopening its store every 25th. */
static void journal_views(const model *md, int round)
{
    assert_int_equal(svcq_store_file_refresh(fx.ro), SVCQ_OK);
    compare(fx.reader, md);
    if (round % 7 == 3) {
        svcq_ctx *fresh = open_on(fx.path, SVCQ_STORE_FILE_READ_ONLY, NULL);
        compare(fresh, md);
        svcq_ctx_free(fresh);
    }
    if (fx.owned && round % 25 == 24) {
        svcq_ctx_free(fx.writer);
        fx.writer = open_on(fx.path, 0, NULL);
        compare(fx.writer, md);
    }
}

/* The run goes on in fx.writer, which a reopen replaces. */
static void run_file(int rounds)
{
    hooks h = { fail_next_write, journal_views };
    fx.reader = open_on(fx.path, SVCQ_STORE_FILE_READ_ONLY, &fx.ro);
    run_with(&fx.writer, rounds, &h);
    svcq_ctx_free(fx.reader);
}

static void file_store(void **state)
{
    (void)state;
    char *dir = test_tmpdir_mem("rollback_model");
    assert_non_null(dir);
    fx.path = test_path(dir, "store.svcq");
    fx.io = svcq__fio_posix;
    fx.io.pwrite = q_pwrite;
    fx.durability = SVCQ_STORE_SYNC_NONE;
    fx.writer = open_on(fx.path, 0, NULL);
    fx.owned = true;
    run_file(120);
    svcq_ctx_free(fx.writer);
    test_rmtree(dir);
    free(fx.path);
    free(dir);
}

/* The same through a session of a shared store (its commit applies the
 * session's writes to the shared index: in place where the terms allow),
 * synced so that a commit's changes stay in the index's open transaction
 * until the group sync covers them. */
static void shared_file_store(void **state)
{
    (void)state;
    char *dir = test_tmpdir_mem("rollback_model_shared");
    assert_non_null(dir);
    fx.path = test_path(dir, "store.svcq");
    fx.io = svcq__fio_posix;
    fx.io.pwrite = q_pwrite;
    fx.durability = SVCQ_STORE_SYNC_FULL;
    svcq_ctx *owner;
    assert_int_equal(svcq_ctx_new(&owner, NULL), SVCQ_OK);
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.durability = fx.durability;
    svcq_store_file *fs;
    assert_int_equal(svcq__fstore_open_io(&fs, owner, fx.path, &o, &fx.io), SVCQ_OK);
    assert_int_equal(svcq_ctx_new(&fx.writer, NULL), SVCQ_OK);
    svcq_store_methods m;
    assert_int_equal(svcq_store_file_attach(&m, fs, fx.writer), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(fx.writer, &m), SVCQ_OK);
    fx.owned = false;
    run_file(60);
    svcq_ctx_free(fx.writer);
    assert_int_equal(svcq_store_file_close(fs), SVCQ_OK);
    svcq_ctx_free(owner);
    test_rmtree(dir);
    free(fx.path);
    free(dir);
}

/* ---- the exact trees ------------------------------------------------------------ */

/* The shape of a treap: its nodes and priorities in preorder, NULL marking
 * an empty child. */
static size_t shape(const svcq__tnode *t, const void **out, uint32_t *prio, size_t n)
{
    out[n] = t;
    prio[n] = t ? t->prio : 0;
    n++;
    if (t) {
        n = shape(t->l, out, prio, n);
        n = shape(t->r, out, prio, n);
    }
    return n;
}

#define XRECS 200
#define XSHAPE (2 * XRECS + 1)

typedef struct xshape {
    size_t n[4];
    const void *node[4][XSHAPE];
    uint32_t prio[4][XSHAPE];
    svcq__rec_contents c[XRECS]; /* each record's contents (the file store's fields too) */
    svcq__term t[XRECS][3];      /* and terms (string pointers: the very same strings back) */
} xshape;

static void take_shape(const svcq__kind *k, svcq__rec *const *recs, xshape *x)
{
    assert_int_equal(k->ntrees, 3);
    x->n[0] = shape(k->by_id, x->node[0], x->prio[0], 0);
    for (size_t t = 0; t < 3; t++)
        x->n[t + 1] = shape(k->trees[t].root, x->node[t + 1], x->prio[t + 1], 0);
    memset(x->c, 0, sizeof(x->c));
    for (size_t i = 0; i < XRECS; i++) {
        const svcq__rec *r = recs[i];
        svcq__rec_contents *c = &x->c[i]; /* field by field: memcmp sees the zeroed padding */
        c->value = r->value;
        c->revision = r->revision;
        c->loc = r->loc;
        c->size = r->size;
        c->frame_len = r->frame_len;
        c->pending = r->pending;
        memcpy(x->t[i], r->terms, sizeof(x->t[i]));
    }
}

static void same_shape(const xshape *a, const xshape *b)
{
    for (size_t t = 0; t < 4; t++) {
        assert_int_equal(a->n[t], b->n[t]);
        assert_memory_equal(a->node[t], b->node[t], b->n[t] * sizeof(b->node[t][0]));
        assert_memory_equal(a->prio[t], b->prio[t], b->n[t] * sizeof(b->prio[t][0]));
    }
    assert_memory_equal(a->c, b->c, sizeof(a->c));
    assert_memory_equal(a->t, b->t, sizeof(a->t));
}

/* Each tree in (type, value, id) order, every node's priority at most its
 * parent's. */
static size_t check_tree(const svcq__tnode *t, const svcq__term **prev)
{
    if (!t)
        return 0;
    if (t->l)
        assert_true(t->l->prio <= t->prio);
    if (t->r)
        assert_true(t->r->prio <= t->prio);
    size_t n = check_tree(t->l, prev);
    const svcq__term *x = (const svcq__term *)t;
    if (*prev) {
        const svcq__term *p = *prev;
        svcq_store_term v;
        svcq__term_out(x, &v);
        int c = svcq__term_cmp_value(p, &v);
        assert_true(c < 0 || (c == 0 && strcmp(p->rec->id, x->rec->id) < 0));
    }
    *prev = x;
    return n + 1 + check_tree(t->r, prev);
}

static const char *const xstates[] = { "analysis", "plan", "execute", "verify", "a much longer state than the others",
                                       "" };

/* Rewrites in place that change term values (none, one, two or all
 * three, the same record again and again) undone by a rollback give back
 * the very same trees (the same nodes, priorities and shape) and every
 * record's contents (value, revision and the file store's frame place,
 * length and pending flag) and term strings; so does a rollback to a mark,
 * and a rollback after the part before the mark was committed. A commit
 * keeps them ordered, and the strings they made are freed with the records
 * (the leak checkers see the rest). */
static void exact_trees(void **state)
{
    (void)state;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    static svcq__index ix;
    svcq__index_init(&ix, ctx);
    svcq__kind *k = NULL;
    static svcq__rec *recs[XRECS];
    for (int i = 0; i < XRECS; i++) {
        char id[16];
        snprintf(id, sizeof(id), "inc-%03d", (i * 71) % XRECS);
        svcq__term_in in[3] = {
            { "due", 3, SVCQ_STORE_TERM_INT64, NULL, 0, i % 17 },
            { "state", 5, SVCQ_STORE_TERM_STRING, xstates[i % 6], strlen(xstates[i % 6]), 0 },
            { "zone", 4, SVCQ_STORE_TERM_STRING, i % 2 ? "cn" : "eu", 2, 0 },
        };
        assert_int_equal(svcq__index_prepare(&ix, "incident", 8, &k), SVCQ_OK);
        recs[i] = svcq__rec_new_terms(ctx, id, strlen(id), in, 3);
        assert_non_null(recs[i]);
        assert_int_equal(svcq__index_prepare_rec(&ix, k, recs[i]), SVCQ_OK);
        recs[i]->revision = (uint64_t)i + 1;
        svcq__index_replace(&ix, k, NULL, recs[i]);
    }
    static xshape before, mid, after;
    take_shape(k, recs, &before);
    uint64_t revision = XRECS;
    /* Rounds: undone whole; undone to a mark, then whole; the part before
     * a mark committed (a shared store's group sync), the rest undone; all
     * committed. */
    for (int round = 0; round < 8; round++) {
        int how = round % 4;
        svcq__index_begin(&ix);
        size_t mark = 0;
        for (int w = 0; w < 150; w++) {
            if (w == 75) {
                mark = ix.undo_len;
                take_shape(k, recs, &mid);
            }
            svcq__rec *r = recs[rnd() % (w % 5 ? XRECS : 4)]; /* a few records again and again */
            svcq__term_set set[3];
            size_t n = 0;
            uint64_t pick = rnd() % 8; /* which of the three terms change (0: none) */
            for (uint8_t t = 0; t < 3; t++) {
                if (!(pick >> t & 1))
                    continue;
                svcq__term_set *c = &set[n++];
                memset(c, 0, sizeof(*c));
                c->idx = t;
                if (r->terms[t].type == SVCQ_STORE_TERM_INT64) {
                    c->i = r->terms[t].i + 1 + (int64_t)(rnd() % 40);
                } else {
                    const char *v = xstates[rnd() % 6];
                    c->slen = strlen(v);
                    c->s = svcq__malloc(ctx, c->slen + 1);
                    assert_non_null(c->s);
                    memcpy(c->s, v, c->slen + 1);
                }
            }
            /* Half of the writes as the memory store makes them (a value),
             * half as the file store (where the frame is; pending or not). */
            svcq__rec_contents now = { .revision = ++revision, .size = 4 };
            if (w % 2) {
                now.loc = rnd() % 100000;
                now.frame_len = 40 + (uint32_t)(rnd() % 100);
                now.pending = (uint8_t)(rnd() % 2);
            } else {
                now.value = svcq__malloc(ctx, 4);
                assert_non_null(now.value);
                memcpy(now.value, "abcd", 4);
            }
            assert_int_equal(svcq__index_reserve_terms(&ix, n), SVCQ_OK);
            svcq__index_set_terms(&ix, k, r, &now, set, n);
        }
        for (size_t t = 0; t < 3; t++) {
            const svcq__term *prev = NULL;
            assert_int_equal(check_tree(k->trees[t].root, &prev), XRECS);
        }
        if (how == 3) {
            svcq__index_commit(&ix);
            take_shape(k, recs, &before);
            continue;
        }
        if (how == 1) {
            svcq__index_rollback_to(&ix, mark);
            take_shape(k, recs, &after);
            same_shape(&after, &mid);
        }
        if (how == 2) {
            svcq__index_commit_prefix(&ix, mark);
            svcq__index_rollback(&ix);
            take_shape(k, recs, &after);
            same_shape(&after, &mid);
            before = mid;
            continue;
        }
        svcq__index_rollback(&ix);
        take_shape(k, recs, &after);
        same_shape(&after, &before);
    }
    svcq__index_free(&ix);
    svcq_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_trees),
        cmocka_unit_test(memory_store),
        cmocka_unit_test(file_store),
        cmocka_unit_test(shared_file_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
