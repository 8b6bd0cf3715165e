/* A file store shared by two contexts (sessions, svcq_store_file_attach)
 * under allocation failure and system-call failure at every point of a
 * scenario: updates, a batch of create + update, a create, a removal,
 * spread over both sessions; and the same for records with index terms
 * (version 2: commits that carry terms, one making a new term name, and
 * term and id scans merging a batch's own writes).
 *
 * After every run: the error is the injected one, nothing leaked (the
 * store's context, both sessions' contexts and the shared index all
 * allocate through the counting allocator), every handle holds the last
 * committed state, both sessions read exactly that state, and so does the
 * journal opened read-only next to the store (after a failed sync whose
 * cut-back also failed, the journal may hold the failed commit too: nobody
 * can know what reached the disk; the store then refuses writes). */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>

#include "fault.h"
#include "faulty_fio.h"
#include "store/filestore.h"
#include "store/store.h"
#include "svcq.h"
#include "test_fs.h"
#include "test_note.h"

#define NOTES 4 /* a, b, c, d */
#define STEPS 4

typedef struct st {
    test_alloc *alloc;
    bool inject_io;
    svcq_ctx *octx, *a, *b;
    svcq_store_file *fs;
    char *dir, *path;
    faulty_fio fio_state;
    bool kept; /* the last armed run kept failing */
    svcq__fio io;
    note *n[NOTES];
    int step;                  /* steps committed by run */
    char *committed;           /* the stored handles after the last commit */
    char *states[STEPS + 1];   /* what each step leaves (a reference run) */
} st;

static char *states_ref[STEPS + 1];

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
    free(s->states[s->step]);
    s->states[s->step] = strdup(s->committed);
}

static svcq_ctx *session(st *s)
{
    svcq_ctx *ctx = test_ctx_new(s->alloc);
    svcq_store_methods m;
    assert_int_equal(svcq_store_file_attach(&m, s->fs, ctx), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    return ctx;
}

static void *setup_common(test_alloc *alloc, bool inject_io)
{
    st *s = calloc(1, sizeof(*s));
    s->alloc = alloc;
    s->inject_io = inject_io;
    s->octx = test_ctx_new(alloc);
    s->dir = test_tmpdir_mem("shared-faults");
    s->path = test_path(s->dir, "journal");
    svcq__fio io = faulty_fio_table(&s->fio_state);
    s->io = io;
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT; /* SVCQ_STORE_SYNC_FULL: group commit */
    assert_int_equal(svcq__fstore_open_io(&s->fs, s->octx, s->path, &o, &s->io), SVCQ_OK);
    s->a = session(s);
    s->b = session(s);
    assert_int_equal(note_new(&s->n[0], s->a, "a", "a1"), SVCQ_OK);
    assert_int_equal(note_new(&s->n[1], s->a, "b", "b1"), SVCQ_OK);
    /* b works on its own handle of note b */
    note_free(s->n[1]);
    assert_int_equal(note_load(&s->n[1], s->b, "b"), SVCQ_OK);
    snapshot(s);
    return s;
}

static void *setup_alloc(test_alloc *a) { return setup_common(a, false); }
static void *setup_io(test_alloc *a) { return setup_common(a, true); }

static void arm(void *p, size_t n, bool keep)
{
    st *s = p;
    faulty_fio_arm(&s->fio_state, n, keep);
    if (n)
        s->kept = keep;
}

static size_t injected(void *p)
{
    st *s = p;
    return s->fio_state.injected;
}

static int run(void *p)
{
    st *s = p;
    /* 1. a updates a */
    int rc = note_set(s->n[0], "a2", 1);
    if (rc)
        return rc;
    s->step++;
    snapshot(s);
    /* 2. b: a batch that creates c and updates b */
    if ((rc = svcq_ctx_batch_begin(s->b)))
        return rc;
    rc = note_new(&s->n[2], s->b, "c", "c1");
    if (!rc)
        rc = note_set(s->n[1], "b2", 2);
    if (rc) {
        (void)svcq_ctx_batch_rollback(s->b);
        return rc;
    }
    if ((rc = svcq_ctx_batch_commit(s->b)))
        return rc;
    s->step++;
    snapshot(s);
    /* 3. a creates d */
    if ((rc = note_new(&s->n[3], s->a, "d", "d1")))
        return rc;
    s->step++;
    snapshot(s);
    /* 4. b removes b */
    if ((rc = note_delete(s->n[1])))
        return rc;
    s->step++;
    snapshot(s);
    return SVCQ_OK;
}

/* Reading through session b while a batch of it holds its own write: a
 * scan (committed records, then the batch's) and a load; the batch is
 * rolled back. Handles unchanged. */
static int run_read(void *p)
{
    st *s = p;
    int rc = svcq_ctx_batch_begin(s->b);
    if (rc)
        return rc;
    rc = note_set(s->n[1], "b9", 9);
    int drc = SVCQ_OK;
    char *d = rc ? NULL : note_dump_store(s->b, &drc);
    if (!rc)
        rc = drc;
    if (!rc && !strstr(d, "b=b9#9@"))
        fail_msg("the batch's own write is not in its scan: %s", d);
    free(d);
    note *x = NULL;
    if (!rc)
        rc = note_load(&x, s->b, "a");
    note_free(x);
    (void)svcq_ctx_batch_rollback(s->b);
    return rc;
}

static char *describe_handles(void *p)
{
    return describe_stored(p);
}

static char *dump_read_only(const st *s)
{
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.flags = SVCQ_STORE_FILE_READ_ONLY;
    svcq_store_file *ro;
    if (svcq_store_file_open(&ro, ctx, s->path, &o) != SVCQ_OK)
        fail_msg("read-only open: %s", svcq_ctx_errmsg(ctx));
    svcq_store_methods m;
    assert_int_equal(svcq_store_file_methods(&m, ro), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    int rc;
    char *d = note_dump_store(ctx, &rc);
    if (rc)
        fail_msg("read-only dump: %s", svcq_ctx_errmsg(ctx));
    svcq_ctx_free(ctx);
    return d;
}

static void verify(void *p, int rc, bool hit)
{
    (void)rc, (void)hit;
    st *s = p;
    char *handles = describe_stored(s);
    if (strcmp(handles, s->committed) != 0)
        fail_msg("handles: \"%s\", last committed: \"%s\"", handles, s->committed);
    free(handles);
    svcq_ctx *sessions[2] = { s->a, s->b };
    for (int i = 0; i < 2; i++) {
        int drc;
        char *stored = note_dump_store(sessions[i], &drc);
        if (drc != SVCQ_OK)
            fail_msg("session %d reading the store: %s", i, svcq_ctx_errmsg(sessions[i]));
        if (strcmp(stored, s->committed) != 0)
            fail_msg("session %d reads \"%s\", last committed: \"%s\"", i, stored, s->committed);
        free(stored);
    }
    char *d = dump_read_only(s);
    bool ok = strcmp(d, s->committed) == 0;
    if (!ok && s->kept && svcq__fstore_broken(s->fs) && s->step < STEPS && states_ref[s->step + 1])
        ok = strcmp(d, states_ref[s->step + 1]) == 0; /* a sync failed and could not be taken back */
    if (!ok)
        fail_msg("the journal holds \"%s\", last committed: \"%s\" (step %d)", d, s->committed,
                 s->step);
    free(d);
}

static void teardown(void *p)
{
    st *s = p;
    for (int i = 0; i < NOTES; i++)
        note_free(s->n[i]);
    svcq_ctx_free(s->a);
    svcq_ctx_free(s->b);
    assert_int_equal(svcq_store_file_close(s->fs), SVCQ_OK);
    svcq_ctx_free(s->octx);
    test_rmtree(s->dir);
    free(s->dir);
    free(s->path);
    free(s->committed);
    for (int i = 0; i <= STEPS; i++)
        free(s->states[i]);
    free(s);
}

/* The reference states, from a run without failures. */
static void reference_states(void)
{
    test_alloc alloc;
    test_alloc_init(&alloc);
    st *s = setup_alloc(&alloc);
    assert_int_equal(run(s), SVCQ_OK);
    for (int i = 0; i <= STEPS; i++)
        states_ref[i] = strdup(s->states[i]);
    teardown(s);
}

static void alloc_fails(void **state)
{
    (void)state;
    fault_scenario sc = { "shared store, allocation", setup_alloc, run, NULL, verify, teardown, NULL, NULL, 0 };
    size_t points = fault_run(&sc);
    print_message("allocation: %zu failure points\n", points);
}

static void io_fails(void **state)
{
    (void)state;
    fault_scenario sc = { "shared store, system calls", setup_io, run, NULL, verify, teardown, arm, injected,
                          SVCQ_EIO };
    size_t points = fault_run(&sc);
    print_message("system calls: %zu failure points\n", points);
    assert_true(points >= 4 * 2); /* each step writes and syncs */
}

static void alloc_fails_reading(void **state)
{
    (void)state;
    fault_scenario sc = { "shared store, reading", setup_alloc, run_read, describe_handles, verify, teardown, NULL,
                          NULL, 0 };
    size_t points = fault_run(&sc);
    print_message("reading: %zu failure points\n", points);
}

static void io_fails_reading(void **state)
{
    (void)state;
    fault_scenario sc = { "shared store, reading, system calls", setup_io, run_read, describe_handles, verify,
                          teardown, arm, injected, SVCQ_EIO };
    size_t points = fault_run(&sc);
    print_message("reading, system calls: %zu failure points\n", points);
}

/* ---- records with index terms (storage contract version 2) ------------------------ */

/* Kind t holds records with terms: "due" (int64) and, from step 2 on,
 * "owner" (string: its first record makes the shared index a new term tree
 * at commit). The state is what a term scan of each name and an id scan
 * show, revisions included. */
#define TSTEPS 3

static char *tstates_ref[TSTEPS + 1];

/* The model (the oracle): record ti as it was last committed. */
typedef struct tmrec {
    uint64_t rev;       /* 0: absent */
    const char *text;
    int64_t due;        /* -1: no due term */
    const char *owner;  /* NULL: no owner term */
} tmrec;

typedef struct tst {
    st *base;                   /* the notes' scenario: store, sessions */
    tmrec m[5];                 /* t0 .. t4 */
    int step;
    char *committed;
    char *states[TSTEPS + 1];
} tst;

static int t_visit(svcq_ctx *ctx, const char *id, uint64_t rev, const char *bytes, size_t size,
                   const svcq_store_term *term, void *ud)
{
    (void)ctx;
    char *out = ud;
    char line[128];
    if (term->type == SVCQ_STORE_TERM_INT64)
        snprintf(line, sizeof(line), "%s#%llu:%lld=%.*s;", id, (unsigned long long)rev, (long long)term->i,
                 (int)size, bytes);
    else
        snprintf(line, sizeof(line), "%s#%llu:%s=%.*s;", id, (unsigned long long)rev, term->s, (int)size, bytes);
    strcat(out, line);
    return 0;
}

static int id_visit(svcq_ctx *ctx, const char *id, uint64_t rev, const char *bytes, size_t size, void *ud)
{
    (void)ctx;
    char *out = ud;
    char line[128];
    snprintf(line, sizeof(line), "%s#%llu=%.*s;", id, (unsigned long long)rev, (int)size, bytes);
    strcat(out, line);
    return 0;
}

static char *dump_terms(svcq_ctx *ctx, int *rc)
{
    char *out = calloc(1, 4096);
    svcq__term_query q = { "due", SVCQ_STORE_TERM_INT64, NULL, NULL, NULL, NULL, 0 };
    *rc = svcq__store_scan_term(ctx, "t", &q, t_visit, out);
    if (!*rc) {
        strcat(out, " | ");
        q.name = "owner";
        q.type = SVCQ_STORE_TERM_STRING;
        *rc = svcq__store_scan_term(ctx, "t", &q, t_visit, out);
    }
    if (!*rc) {
        strcat(out, " | ");
        *rc = svcq__store_scan_range(ctx, "t", NULL, 0, id_visit, out);
    }
    return out;
}

/* What dump_terms must show for the model m: the due scan by (due, id),
 * the owner scan by (owner, id), the id scan. */
static bool mbefore(const tmrec *m, int x, int y, bool by_owner)
{
    int c = by_owner ? strcmp(m[x].owner, m[y].owner) : (m[x].due > m[y].due) - (m[x].due < m[y].due);
    return c ? c < 0 : x < y;
}

static char *model_dump(const tmrec *m)
{
    char *out = calloc(1, 4096);
    char line[128];
    for (int pass = 0; pass < 3; pass++) {
        int idx[5], n = 0;
        for (int i = 0; i < 5; i++)
            if (m[i].rev && (pass == 2 || (pass == 0 ? m[i].due >= 0 : m[i].owner != NULL)))
                idx[n++] = i;
        for (int i = 1; i < n && pass < 2; i++) /* insertion sort */
            for (int j = i; j > 0 && mbefore(m, idx[j], idx[j - 1], pass == 1); j--) {
                int x = idx[j];
                idx[j] = idx[j - 1];
                idx[j - 1] = x;
            }
        for (int k = 0; k < n; k++) {
            const tmrec *r = &m[idx[k]];
            if (pass == 0)
                snprintf(line, sizeof(line), "t%d#%llu:%lld=%s;", idx[k], (unsigned long long)r->rev,
                         (long long)r->due, r->text);
            else if (pass == 1)
                snprintf(line, sizeof(line), "t%d#%llu:%s=%s;", idx[k], (unsigned long long)r->rev, r->owner,
                         r->text);
            else
                snprintf(line, sizeof(line), "t%d#%llu=%s;", idx[k], (unsigned long long)r->rev, r->text);
            strcat(out, line);
        }
        if (pass < 2)
            strcat(out, " | ");
    }
    return out;
}

static void tsnapshot(tst *t)
{
    free(t->committed);
    t->committed = model_dump(t->m);
    free(t->states[t->step]);
    t->states[t->step] = strdup(t->committed);
}

static int tput(svcq_ctx *ctx, const char *id, uint64_t expected, const char *text, int64_t due, const char *owner,
                uint64_t *rev)
{
    svcq_store_term terms[2] = { SVCQ_STORE_TERM_INIT, SVCQ_STORE_TERM_INIT };
    size_t n = 0;
    if (due >= 0) {
        terms[n].type = SVCQ_STORE_TERM_INT64;
        terms[n].name = "due";
        terms[n++].i = due;
    }
    if (owner) {
        terms[n].type = SVCQ_STORE_TERM_STRING;
        terms[n].name = "owner";
        terms[n++].s = owner;
    }
    return svcq__store_put_terms(ctx, "t", id, expected, text, strlen(text), terms, n, rev);
}

/* A put of ti through ctx at the revision the working model mm holds,
 * which it then updates. */
static int mput(svcq_ctx *ctx, tmrec *mm, int i, const char *text, int64_t due, const char *owner)
{
    char id[8];
    snprintf(id, sizeof(id), "t%d", i);
    uint64_t rev;
    int rc = tput(ctx, id, mm[i].rev, text, due, owner, &rev);
    if (!rc)
        mm[i] = (tmrec){ rev, text, due, owner };
    return rc;
}

static int mremove(svcq_ctx *ctx, tmrec *mm, int i)
{
    char id[8];
    snprintf(id, sizeof(id), "t%d", i);
    int rc = svcq__store_remove(ctx, "t", id, mm[i].rev);
    if (!rc)
        mm[i] = (tmrec){ 0, NULL, -1, NULL };
    return rc;
}

static void *tsetup_common(test_alloc *alloc, bool inject_io)
{
    tst *t = calloc(1, sizeof(*t));
    t->base = setup_common(alloc, inject_io);
    for (int i = 0; i < 5; i++)
        t->m[i] = (tmrec){ 0, NULL, -1, NULL };
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(t->base->a, &tx), SVCQ_OK);
    /* no terms yet: step 1's commit makes the kind's first term tree */
    assert_int_equal(mput(t->base->a, t->m, 1, "t1a", -1, NULL), SVCQ_OK);
    assert_int_equal(mput(t->base->a, t->m, 2, "t2a", -1, NULL), SVCQ_OK);
    assert_int_equal(svcq__tx_end(t->base->a, &tx, SVCQ_OK), SVCQ_OK);
    tsnapshot(t);
    int rc;
    char *d = dump_terms(t->base->a, &rc);
    assert_int_equal(rc, SVCQ_OK);
    if (strcmp(d, t->committed) != 0)
        fail_msg("the store shows \"%s\", the model \"%s\"", d, t->committed);
    free(d);
    return t;
}

static void *tsetup_alloc(test_alloc *a) { return tsetup_common(a, false); }
static void *tsetup_io(test_alloc *a) { return tsetup_common(a, true); }

static void tarm(void *p, size_t n, bool keep)
{
    arm(((tst *)p)->base, n, keep);
}

static size_t tinjected(void *p)
{
    return injected(((tst *)p)->base);
}

static int trun(void *p)
{
    tst *t = p;
    svcq_ctx *a = t->base->a, *b = t->base->b;
    tmrec mm[5];
    memcpy(mm, t->m, sizeof(mm));
    svcq__tx tx;
    /* 1. a: t1 gets a new due, t3 is created, t2 removed */
    int rc = svcq__tx_begin(a, &tx);
    if (rc)
        return rc;
    rc = mput(a, mm, 1, "t1b", 5, NULL);
    if (!rc)
        rc = mput(a, mm, 3, "t3a", 3, NULL);
    if (!rc)
        rc = mremove(a, mm, 2);
    if ((rc = svcq__tx_end(a, &tx, rc)))
        return rc;
    memcpy(t->m, mm, sizeof(mm));
    t->step++;
    tsnapshot(t);
    /* 2. b: t2 again with an owner (a new term name), t1 without terms */
    if ((rc = svcq__tx_begin(b, &tx)))
        return rc;
    rc = mput(b, mm, 2, "t2b", 0, "ops");
    if (!rc)
        rc = mput(b, mm, 1, "t1c", -1, NULL);
    if ((rc = svcq__tx_end(b, &tx, rc)))
        return rc;
    memcpy(t->m, mm, sizeof(mm));
    t->step++;
    tsnapshot(t);
    /* 3. a: t4 with both terms, t3's owner added */
    if ((rc = svcq__tx_begin(a, &tx)))
        return rc;
    rc = mput(a, mm, 4, "t4a", 4, "dev");
    if (!rc)
        rc = mput(a, mm, 3, "t3b", 3, "dev");
    if ((rc = svcq__tx_end(a, &tx, rc)))
        return rc;
    memcpy(t->m, mm, sizeof(mm));
    t->step++;
    tsnapshot(t);
    return SVCQ_OK;
}

/* Reading through session b inside a batch that holds its own writes with
 * terms: term and id scans merge them with the committed records; the
 * batch is rolled back. */
static int trun_read(void *p)
{
    tst *t = p;
    svcq_ctx *b = t->base->b;
    svcq__tx tx;
    int rc = svcq__tx_begin(b, &tx);
    if (rc)
        return rc;
    tmrec mm[5];
    memcpy(mm, t->m, sizeof(mm));
    rc = mput(b, mm, 0, "t0a", 7, "qa");
    if (!rc)
        rc = mput(b, mm, 2, "t2z", 0, NULL);
    char *d = NULL;
    if (!rc) {
        d = dump_terms(b, &rc);
        char *want = model_dump(mm);
        if (!rc && strcmp(d, want) != 0)
            fail_msg("the batch's scans show \"%s\", expected \"%s\"", d, want);
        free(want);
    }
    free(d);
    (void)svcq__tx_end(b, &tx, rc ? rc : SVCQ_EABORTED);
    return rc;
}

static char *tdescribe(void *p)
{
    tst *t = p;
    int rc;
    char *d = dump_terms(t->base->a, &rc);
    assert_int_equal(rc, SVCQ_OK);
    return d;
}

static char *tdump_read_only(const tst *t)
{
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.flags = SVCQ_STORE_FILE_READ_ONLY;
    svcq_store_file *ro;
    if (svcq_store_file_open(&ro, ctx, t->base->path, &o) != SVCQ_OK)
        fail_msg("read-only open: %s", svcq_ctx_errmsg(ctx));
    svcq_store_methods m;
    assert_int_equal(svcq_store_file_methods(&m, ro), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    int rc;
    char *d = dump_terms(ctx, &rc);
    if (rc)
        fail_msg("read-only dump: %s", svcq_ctx_errmsg(ctx));
    svcq_ctx_free(ctx);
    return d;
}

static void tverify(void *p, int rc, bool hit)
{
    (void)rc, (void)hit;
    tst *t = p;
    svcq_ctx *sessions[2] = { t->base->a, t->base->b };
    for (int i = 0; i < 2; i++) {
        int drc;
        char *d = dump_terms(sessions[i], &drc);
        if (drc != SVCQ_OK)
            fail_msg("session %d reading the store: %s", i, svcq_ctx_errmsg(sessions[i]));
        if (strcmp(d, t->committed) != 0)
            fail_msg("session %d reads \"%s\", last committed: \"%s\"", i, d, t->committed);
        free(d);
    }
    char *d = tdump_read_only(t);
    bool ok = strcmp(d, t->committed) == 0;
    if (!ok && t->base->kept && svcq__fstore_broken(t->base->fs) && t->step < TSTEPS &&
        tstates_ref[t->step + 1])
        ok = strcmp(d, tstates_ref[t->step + 1]) == 0; /* a sync failed and could not be taken back */
    if (!ok)
        fail_msg("the journal holds \"%s\", last committed: \"%s\" (step %d)", d, t->committed, t->step);
    free(d);
}

static void tteardown(void *p)
{
    tst *t = p;
    free(t->committed);
    for (int i = 0; i <= TSTEPS; i++)
        free(t->states[i]);
    st *s = t->base;
    free(t);
    teardown(s);
}

static void treference_states(void)
{
    test_alloc alloc;
    test_alloc_init(&alloc);
    tst *t = tsetup_alloc(&alloc);
    assert_int_equal(trun(t), SVCQ_OK);
    for (int i = 0; i <= TSTEPS; i++)
        tstates_ref[i] = strdup(t->states[i]);
    tteardown(t);
}

static void terms_alloc_fails(void **state)
{
    (void)state;
    fault_scenario sc = { "shared store with terms, allocation", tsetup_alloc, trun, NULL, tverify, tteardown, NULL,
                          NULL, 0 };
    size_t points = fault_run(&sc);
    print_message("terms, allocation: %zu failure points\n", points);
}

static void terms_io_fails(void **state)
{
    (void)state;
    fault_scenario sc = { "shared store with terms, system calls", tsetup_io, trun, NULL, tverify, tteardown, tarm,
                          tinjected, SVCQ_EIO };
    size_t points = fault_run(&sc);
    print_message("terms, system calls: %zu failure points\n", points);
    assert_true(points >= TSTEPS * 2); /* each step writes and syncs */
}

static void terms_alloc_fails_reading(void **state)
{
    (void)state;
    fault_scenario sc = { "shared store with terms, reading", tsetup_alloc, trun_read, tdescribe, tverify, tteardown,
                          NULL, NULL, 0 };
    size_t points = fault_run(&sc);
    print_message("terms, reading: %zu failure points\n", points);
}

static void terms_io_fails_reading(void **state)
{
    (void)state;
    fault_scenario sc = { "shared store with terms, reading, system calls", tsetup_io, trun_read, tdescribe, tverify,
                          tteardown, tarm, tinjected, SVCQ_EIO };
    size_t points = fault_run(&sc);
    print_message("terms, reading, system calls: %zu failure points\n", points);
}

int main(void)
{
    reference_states();
    treference_states();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alloc_fails),
        cmocka_unit_test(io_fails),
        cmocka_unit_test(alloc_fails_reading),
        cmocka_unit_test(io_fails_reading),
        cmocka_unit_test(terms_alloc_fails),
        cmocka_unit_test(terms_io_fails),
        cmocka_unit_test(terms_alloc_fails_reading),
        cmocka_unit_test(terms_io_fails_reading),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    for (int i = 0; i <= STEPS; i++)
        free(states_ref[i]);
    for (int i = 0; i <= TSTEPS; i++)
        free(tstates_ref[i]);
    return rc;
}
