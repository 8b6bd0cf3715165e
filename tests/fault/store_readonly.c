/* A read-only file store's refresh under allocation failure and system-call
 * failure at every point: reading on after new commits, and reading a
 * compacted journal whole. A failed refresh returns the injected error,
 * leaks nothing and leaves the reader showing exactly what it showed
 * before; the next refresh then sees everything the writer committed. */
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

/* System calls of the reader, failing call N of open, pread, size and
 * same (close is not counted: a failed close of the old file is no
 * failure of the refresh). */
typedef struct faulty_io {
    size_t calls, fail_at, injected;
    bool keep;
} faulty_io;

static bool fail_now(void *ud)
{
    faulty_io *f = ud;
    f->calls++;
    if (f->fail_at && (f->calls == f->fail_at || (f->keep && f->calls > f->fail_at))) {
        f->injected++;
        errno = EIO;
        return true;
    }
    return false;
}

#define P (&svcq__fio_posix)
static int q_open(const char *path, int flags, void *ud)
{
    return fail_now(ud) ? -1 : P->open(path, flags, NULL);
}
static int q_close(int fd, void *ud)
{
    (void)ud;
    return P->close(fd, NULL);
}
static ssize_t q_pread(int fd, void *buf, size_t n, uint64_t off, void *ud)
{
    return fail_now(ud) ? -1 : P->pread(fd, buf, n, off, NULL);
}
static ssize_t q_pwrite(int fd, const void *buf, size_t n, uint64_t off, void *ud)
{
    (void)fd, (void)buf, (void)n, (void)off, (void)ud;
    fail_msg("a read-only store wrote");
    return -1;
}
static int q_datasync(int fd, void *ud)
{
    (void)ud;
    return P->datasync(fd, NULL);
}
static int q_truncate(int fd, uint64_t size, void *ud)
{
    (void)fd, (void)size, (void)ud;
    fail_msg("a read-only store truncated");
    return -1;
}
static int q_size(int fd, uint64_t *size, void *ud)
{
    return fail_now(ud) ? -1 : P->size(fd, size, NULL);
}
static int q_lock(int fd, void *ud)
{
    (void)fd, (void)ud;
    fail_msg("a read-only store took a lock");
    return -1;
}
static int q_same(int fd, const char *path, void *ud)
{
    return fail_now(ud) ? -1 : P->same(fd, path, NULL);
}
static int q_rename(const char *a, const char *b, void *ud)
{
    (void)a, (void)b, (void)ud;
    fail_msg("a read-only store renamed");
    return -1;
}
static int q_unlink(const char *path, void *ud)
{
    (void)path, (void)ud;
    fail_msg("a read-only store unlinked");
    return -1;
}
static int q_syncdir(const char *dir, void *ud)
{
    (void)dir, (void)ud;
    return 0;
}

typedef struct st {
    svcq_ctx *w, *r;
    svcq_store_file *wfs, *ro;
    char *dir, *path;
    faulty_io io_state;
    svcq__fio io;
} st;

static int put1(svcq_ctx *ctx, const char *id, uint64_t expected, const char *text, uint64_t *rev)
{
    svcq__tx tx;
    int rc = svcq__tx_begin(ctx, &tx);
    if (!rc)
        rc = svcq__store_put(ctx, "k", id, expected, text, strlen(text), rev);
    return svcq__tx_end(ctx, &tx, rc);
}

static int remove1(svcq_ctx *ctx, const char *id, uint64_t expected)
{
    svcq__tx tx;
    int rc = svcq__tx_begin(ctx, &tx);
    if (!rc)
        rc = svcq__store_remove(ctx, "k", id, expected);
    return svcq__tx_end(ctx, &tx, rc);
}

static int dump_visit(svcq_ctx *ctx, const char *id, uint64_t rev, const char *bytes, size_t size, void *ud)
{
    (void)ctx;
    char *out = ud;
    char line[128];
    snprintf(line, sizeof(line), "%s=%.*s@%llu;", id, (int)size, bytes, (unsigned long long)rev);
    strcat(out, line);
    return 0;
}

/* Records in scan order (the same index gives the same order) and the
 * figures of the store. */
static char *describe_ctx(svcq_ctx *ctx, svcq_store_file *fs)
{
    char *out = calloc(1, 4096);
    if (svcq__store_scan(ctx, "k", dump_visit, out) != SVCQ_OK)
        fail_msg("scan: %s", svcq_ctx_errmsg(ctx));
    svcq_store_file_stats s = SVCQ_STORE_FILE_STATS_INIT;
    assert_int_equal(svcq_store_file_stats_get(&s, fs), SVCQ_OK);
    char tail[160];
    snprintf(tail, sizeof(tail), " [%llu records, %llu tx, %llu bytes, %llu live]", (unsigned long long)s.records,
             (unsigned long long)s.transactions, (unsigned long long)s.file_bytes,
             (unsigned long long)s.live_bytes);
    strcat(out, tail);
    return out;
}

static char *describe(void *state)
{
    st *s = state;
    return describe_ctx(s->r, s->ro);
}

static void *setup_common(test_alloc *alloc, bool compact, bool faulty_io_calls)
{
    st *s = calloc(1, sizeof(*s));
    s->dir = test_tmpdir_mem("rof");
    s->path = test_path(s->dir, "j");
    assert_int_equal(svcq_ctx_new(&s->w, NULL), SVCQ_OK);
    s->r = test_ctx_new(alloc);
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.durability = SVCQ_STORE_SYNC_NONE;
    assert_int_equal(svcq_store_file_open(&s->wfs, s->w, s->path, &o), SVCQ_OK);
    svcq_store_methods m;
    assert_int_equal(svcq_store_file_methods(&m, s->wfs), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(s->w, &m), SVCQ_OK);
    uint64_t ra, rb, rc_, rd;
    assert_int_equal(put1(s->w, "a", 0, "a1", &ra), SVCQ_OK);
    assert_int_equal(put1(s->w, "b", 0, "b1", &rb), SVCQ_OK);
    assert_int_equal(put1(s->w, "c", 0, "c1", &rc_), SVCQ_OK);

    o.flags = SVCQ_STORE_FILE_READ_ONLY;
    s->io = (svcq__fio){ q_open, q_close, q_pread, q_pwrite, q_datasync, q_truncate, q_size, q_lock,
                         q_same, q_rename, q_unlink, q_syncdir, &s->io_state };
    assert_int_equal(svcq__fstore_open_io(&s->ro, s->r, s->path, &o, faulty_io_calls ? &s->io : NULL), SVCQ_OK);
    assert_int_equal(svcq_store_file_methods(&m, s->ro), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(s->r, &m), SVCQ_OK);

    /* What the reader has not seen yet. */
    assert_int_equal(put1(s->w, "a", ra, "a2", &ra), SVCQ_OK);
    assert_int_equal(remove1(s->w, "b", rb), SVCQ_OK);
    if (compact)
        assert_int_equal(svcq_store_file_compact(s->wfs), SVCQ_OK);
    assert_int_equal(put1(s->w, "d", 0, "d1", &rd), SVCQ_OK);
    assert_int_equal(put1(s->w, "c", rc_, "c2", &rc_), SVCQ_OK);
    return s;
}

static void *setup_tail(test_alloc *alloc)
{
    return setup_common(alloc, false, false);
}
static void *setup_compacted(test_alloc *alloc)
{
    return setup_common(alloc, true, false);
}
static void *setup_tail_io(test_alloc *alloc)
{
    return setup_common(alloc, false, true);
}
static void *setup_compacted_io(test_alloc *alloc)
{
    return setup_common(alloc, true, true);
}

static int run(void *state)
{
    st *s = state;
    return svcq_store_file_refresh(s->ro);
}

/* After any run, a working refresh shows the writer's state. */
static void verify(void *state, int rc, bool injected)
{
    (void)rc, (void)injected;
    st *s = state;
    assert_int_equal(svcq_store_file_refresh(s->ro), SVCQ_OK);
    char *a = describe_ctx(s->w, s->wfs), *b = describe_ctx(s->r, s->ro);
    /* Scan order may differ between the two indexes: compare sorted
     * figures and the record set. */
    const char *fa = strchr(a, '['), *fb = strchr(b, '[');
    assert_string_equal(fa, fb);
    assert_non_null(strstr(b, "a=a2@4;"));
    assert_non_null(strstr(b, "c=c2@6;"));
    assert_non_null(strstr(b, "d=d1@5;"));
    assert_null(strstr(b, "b="));
    free(a);
    free(b);
}

static void teardown(void *state)
{
    st *s = state;
    svcq_ctx_free(s->r);
    svcq_ctx_free(s->w);
    test_rmtree(s->dir);
    free(s->dir);
    free(s->path);
    free(s);
}

static void arm_io(void *state, size_t fail_at, bool keep)
{
    st *s = state;
    s->io_state = (faulty_io){ 0, fail_at, 0, keep };
}

static size_t injected_io(void *state)
{
    st *s = state;
    return s->io_state.injected;
}

static void refresh_out_of_memory(void **state)
{
    (void)state;
    fault_scenario tail = { "refresh: read on", setup_tail, run, describe, verify, teardown, NULL, NULL, 0 };
    /* The read buffer and the record of d (the rewrites of a and c keep
     * their records: nothing to allocate). */
    assert_true(fault_run(&tail) >= 2);
    fault_scenario whole = { "refresh: compacted", setup_compacted, run, describe, verify, teardown, NULL, NULL, 0 };
    assert_true(fault_run(&whole) >= 5);
}

static void refresh_system_call_fails(void **state)
{
    (void)state;
    fault_scenario tail = { "refresh: read on, I/O", setup_tail_io, run, describe, verify, teardown,
                            arm_io, injected_io, SVCQ_EIO };
    assert_true(fault_run(&tail) >= 3);
    fault_scenario whole = { "refresh: compacted, I/O", setup_compacted_io, run, describe, verify, teardown,
                             arm_io, injected_io, SVCQ_EIO };
    assert_true(fault_run(&whole) >= 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refresh_out_of_memory),
        cmocka_unit_test(refresh_system_call_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
