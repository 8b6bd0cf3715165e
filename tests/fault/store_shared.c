/* A file store shared by two contexts (sessions, svcq_store_file_attach)
 * under allocation failure and system-call failure at every point of a
 * scenario: updates, a batch of create + update, a create, a removal,
 * spread over both sessions.
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
#include "store/filestore.h"
#include "store/store.h"
#include "svcq.h"
#include "test_fs.h"
#include "test_note.h"

#define NOTES 4 /* a, b, c, d */
#define STEPS 4

/* System calls failing call N of pread, pwrite, datasync and truncate
 * (once, or from N on), when armed. */
typedef struct faulty_io {
    size_t calls, fail_at, injected;
    bool keep;
    bool kept;      /* the last armed run kept failing */
} faulty_io;

static bool fail_now(void *ud)
{
    faulty_io *f = ud;
    if (!f->fail_at)
        return false;
    f->calls++;
    if (f->calls == f->fail_at || (f->keep && f->calls > f->fail_at)) {
        f->injected++;
        errno = EIO;
        return true;
    }
    return false;
}

#define P (&svcq__fio_posix)
static int q_open(const char *p, int f, void *ud) { (void)ud; return P->open(p, f, NULL); }
static int q_close(int fd, void *ud) { (void)ud; return P->close(fd, NULL); }
static ssize_t q_pread(int fd, void *b, size_t n, uint64_t o, void *ud)
{
    return fail_now(ud) ? -1 : P->pread(fd, b, n, o, NULL);
}
static ssize_t q_pwrite(int fd, const void *b, size_t n, uint64_t o, void *ud)
{
    if (fail_now(ud)) {
        if (n > 1)
            (void)P->pwrite(fd, b, n / 2, o, NULL); /* torn */
        errno = ENOSPC;
        return -1;
    }
    return P->pwrite(fd, b, n, o, NULL);
}
static int q_datasync(int fd, void *ud) { return fail_now(ud) ? -1 : P->datasync(fd, NULL); }
static int q_truncate(int fd, uint64_t s, void *ud) { return fail_now(ud) ? -1 : P->truncate(fd, s, NULL); }
static int q_size(int fd, uint64_t *s, void *ud) { (void)ud; return P->size(fd, s, NULL); }
static int q_lock(int fd, void *ud) { (void)ud; return P->lock(fd, NULL); }
static int q_same(int fd, const char *p, void *ud) { (void)ud; return P->same(fd, p, NULL); }
static int q_rename(const char *a, const char *b, void *ud) { (void)ud; return P->rename(a, b, NULL); }
static int q_unlink(const char *p, void *ud) { (void)ud; return P->unlink(p, NULL); }
static int q_syncdir(const char *d, void *ud) { (void)ud; return P->syncdir(d, NULL); }

typedef struct st {
    test_alloc *alloc;
    bool inject_io;
    svcq_ctx *octx, *a, *b;
    svcq_store_file *fs;
    char *dir, *path;
    faulty_io fio_state;
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
    svcq__fio io = { q_open, q_close, q_pread, q_pwrite, q_datasync, q_truncate, q_size, q_lock, q_same,
                     q_rename, q_unlink, q_syncdir, &s->fio_state };
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
    s->fio_state.calls = s->fio_state.injected = 0;
    s->fio_state.fail_at = n;
    s->fio_state.keep = keep;
    if (n)
        s->fio_state.kept = keep;
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
    if (!ok && s->fio_state.kept && svcq__fstore_broken(s->fs) && s->step < STEPS && states_ref[s->step + 1])
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

int main(void)
{
    reference_states();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alloc_fails),
        cmocka_unit_test(io_fails),
        cmocka_unit_test(alloc_fails_reading),
        cmocka_unit_test(io_fails_reading),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    for (int i = 0; i <= STEPS; i++)
        free(states_ref[i]);
    return rc;
}
