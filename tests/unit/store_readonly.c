/* The read-only file store: a reporting reader next to the writer, in this
 * process (two contexts) and in a forked child; refresh; writes refused;
 * a torn tail ignored, never cut; compaction by the writer while a reader
 * is open; the reader never changes a byte of the file. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faulty_store.h"
#include "store/store.h"
#include "svcq.h"
#include "test_alloc.h"
#include "test_fs.h"

/* ---- helpers ---------------------------------------------------------------- */

static svcq_store_file *open_store(svcq_ctx *ctx, const char *path, bool read_only, int32_t durability)
{
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.durability = durability;
    if (read_only)
        o.flags = SVCQ_STORE_FILE_READ_ONLY;
    svcq_store_file *fs = NULL;
    if (svcq_store_file_open(&fs, ctx, path, &o) != SVCQ_OK)
        fail_msg("open %s%s: %s", path, read_only ? " read-only" : "", svcq_ctx_errmsg(ctx));
    svcq_store_methods m;
    assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    return fs;
}

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

typedef struct dumpbuf {
    char *lines[512];
    size_t n;
} dumpbuf;

static int dump_visit(svcq_ctx *ctx, const char *id, uint64_t rev, const char *bytes, size_t size, void *ud)
{
    (void)ctx;
    dumpbuf *d = ud;
    char *line = malloc(strlen(id) + size + 32);
    sprintf(line, "%s=%.*s@%llu", id, (int)size, bytes, (unsigned long long)rev);
    d->lines[d->n++] = line;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every record of kind k, "id=value@revision;" in id order (malloc'd). */
static char *dump(svcq_ctx *ctx)
{
    dumpbuf d = { { 0 }, 0 };
    if (svcq__store_scan(ctx, "k", dump_visit, &d) != SVCQ_OK)
        fail_msg("scan: %s", svcq_ctx_errmsg(ctx));
    qsort(d.lines, d.n, sizeof(d.lines[0]), cmp_str);
    size_t cap = 64 + d.n * 64, len = 0;
    char *out = malloc(cap);
    out[0] = '\0';
    for (size_t i = 0; i < d.n; i++) {
        len += (size_t)snprintf(out + len, cap - len, "%s;", d.lines[i]);
        free(d.lines[i]);
    }
    return out;
}

static void same_dump(svcq_ctx *a, svcq_ctx *b)
{
    char *x = dump(a), *y = dump(b);
    assert_string_equal(x, y);
    free(x);
    free(y);
}

/* Whether the file's bytes are still exactly these. */
static void same_bytes(const char *path, const unsigned char *bytes, size_t size)
{
    size_t now_size;
    unsigned char *now = test_read_file(path, &now_size);
    assert_non_null(now);
    assert_int_equal(now_size, size);
    assert_memory_equal(now, bytes, size);
    free(now);
}

/* ---- tests ------------------------------------------------------------------------ */

/* Writer and reader in one process, each on its own context. */
static void reader_next_to_writer(void **state)
{
    (void)state;
    char *dir = test_tmpdir("ro1");
    char *path = test_path(dir, "j");
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *w = test_ctx_new(&a), *r = test_ctx_new(&a);
    (void)open_store(w, path, false, SVCQ_STORE_SYNC_FULL);
    uint64_t ra, rb, rc_;
    assert_int_equal(put1(w, "a", 0, "a1", &ra), SVCQ_OK);
    assert_int_equal(put1(w, "b", 0, "b1", &rb), SVCQ_OK);

    /* Opens while the writer holds the lock, and sees what was committed. */
    size_t size;
    unsigned char *bytes = test_read_file(path, &size);
    svcq_store_file *ro = open_store(r, path, true, SVCQ_STORE_SYNC_FULL);
    same_dump(w, r);
    char *before = dump(r);
    assert_string_equal(before, "a=a1@1;b=b1@2;");
    same_bytes(path, bytes, size); /* the reader's open and reads wrote nothing */

    /* Later commits show after a refresh only. */
    assert_int_equal(put1(w, "a", ra, "a2", &ra), SVCQ_OK);
    assert_int_equal(remove1(w, "b", rb), SVCQ_OK);
    assert_int_equal(put1(w, "c", 0, "c1", &rc_), SVCQ_OK);
    free(bytes);
    bytes = test_read_file(path, &size);
    char *now = dump(r);
    assert_string_equal(now, before);
    free(now);
    assert_int_equal(svcq_store_file_refresh(ro), SVCQ_OK);
    same_dump(w, r);
    same_bytes(path, bytes, size); /* nor did its refresh */
    assert_int_equal(svcq_store_file_refresh(ro), SVCQ_OK); /* nothing new */
    same_dump(w, r);
    svcq_store_file_stats rs = SVCQ_STORE_FILE_STATS_INIT;
    assert_int_equal(svcq_store_file_stats_get(&rs, ro), SVCQ_OK);
    assert_int_equal(rs.records, 2);
    assert_int_equal(rs.transactions, 5);

    /* A handle loaded through the reader is stale once the writer moves
     * on; a refresh shows the new revision. */
    char *val;
    size_t vsize;
    uint64_t seen;
    assert_int_equal(svcq__store_get(r, "k", "a", &val, &vsize, &seen), SVCQ_OK);
    svcq__free(r, val);
    assert_int_equal(seen, ra);
    assert_int_equal(put1(w, "a", ra, "a3", &ra), SVCQ_OK);
    assert_int_equal(svcq_store_file_refresh(ro), SVCQ_OK);
    assert_int_equal(svcq__store_get(r, "k", "a", &val, &vsize, &seen), SVCQ_OK);
    svcq__free(r, val);
    assert_int_equal(seen, ra);
    same_dump(w, r);

    /* Bytes are compared once more with the writer idle: the reader's
     * opens, reads and refreshes never changed one. */
    free(bytes);
    bytes = test_read_file(path, &size);
    assert_int_equal(svcq_store_file_refresh(ro), SVCQ_OK);
    now = dump(r);
    free(now);
    svcq_ctx_free(r);
    same_bytes(path, bytes, size);
    svcq_ctx_free(w);
    assert_int_equal(a.live_blocks, 0);
    free(before);
    free(bytes);
    test_rmtree(dir);
    free(path);
    free(dir);
}

/* Writes through a read-only store are refused with a clear message, and
 * never reach the file. */
static void writes_refused(void **state)
{
    (void)state;
    char *dir = test_tmpdir("ro2");
    char *path = test_path(dir, "j");
    svcq_ctx *w, *r;
    assert_int_equal(svcq_ctx_new(&w, NULL), SVCQ_OK);
    assert_int_equal(svcq_ctx_new(&r, NULL), SVCQ_OK);
    (void)open_store(w, path, false, SVCQ_STORE_SYNC_NONE);
    uint64_t ra, rx = 0;
    assert_int_equal(put1(w, "a", 0, "a1", &ra), SVCQ_OK);
    svcq_ctx_free(w); /* no writer at all: the reader still never writes */
    size_t size;
    unsigned char *bytes = test_read_file(path, &size);

    svcq_store_file *ro = open_store(r, path, true, SVCQ_STORE_SYNC_FULL);
    assert_int_equal(put1(r, "a", ra, "a2", &rx), SVCQ_ESTATE);
    assert_non_null(strstr(svcq_ctx_errmsg(r), "read-only"));
    assert_non_null(strstr(svcq_ctx_errmsg(r), "put(k, a)"));
    assert_int_equal(put1(r, "new", 0, "n", &rx), SVCQ_ESTATE);
    assert_int_equal(remove1(r, "a", ra), SVCQ_ESTATE);
    assert_non_null(strstr(svcq_ctx_errmsg(r), "read-only"));
    /* A batch with reads only is fine; a refused write does not abort it. */
    assert_int_equal(svcq_ctx_batch_begin(r), SVCQ_OK);
    assert_int_equal(put1(r, "a", ra, "a2", &rx), SVCQ_ESTATE);
    assert_int_equal(svcq_store_file_refresh(ro), SVCQ_ESTATE); /* inside the batch's transaction */
    assert_int_equal(svcq_ctx_batch_commit(r), SVCQ_OK);
    /* A library call that saves. */
    svcq_calendar *cal;
    assert_int_equal(svcq_calendar_new_24x7(&cal, r), SVCQ_OK);
    assert_int_equal(svcq_calendar_save(cal, "c"), SVCQ_ESTATE);
    assert_non_null(strstr(svcq_ctx_errmsg(r), "read-only"));
    assert_int_equal(svcq_calendar_revision(cal), 0);
    svcq_calendar_free(cal);
    assert_int_equal(svcq_store_file_compact(ro), SVCQ_ESTATE);
    assert_non_null(strstr(svcq_ctx_errmsg(r), "read-only"));
    assert_int_equal(svcq_store_file_sync(ro), SVCQ_OK); /* nothing to sync */
    char *d = dump(r);
    assert_string_equal(d, "a=a1@1;");
    free(d);
    svcq_ctx_free(r);
    same_bytes(path, bytes, size);

    /* Through a host store wrapping the table, the store itself refuses. */
    assert_int_equal(svcq_ctx_new(&r, NULL), SVCQ_OK);
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.flags = SVCQ_STORE_FILE_READ_ONLY;
    assert_int_equal(svcq_store_file_open(&ro, r, path, &o), SVCQ_OK);
    svcq_store_methods inner, m;
    assert_int_equal(svcq_store_file_methods(&inner, ro), SVCQ_OK);
    faulty_store *f = malloc(sizeof(*f));
    faulty_store_init(f, &inner);
    f->free_on_destroy = true;
    faulty_store_methods(f, &m);
    assert_int_equal(svcq_ctx_set_store(r, &m), SVCQ_OK);
    assert_int_equal(put1(r, "a", ra, "a2", &rx), SVCQ_ESTORE);
    assert_non_null(strstr(svcq_ctx_errmsg(r), "is open read-only"));
    svcq_ctx_free(r);
    same_bytes(path, bytes, size);

    /* A read-only open never creates the file. */
    assert_int_equal(svcq_ctx_new(&r, NULL), SVCQ_OK);
    char *missing = test_path(dir, "missing");
    assert_int_equal(svcq_store_file_open(&ro, r, missing, &o), SVCQ_ENOTFOUND);
    assert_null(ro);
    assert_non_null(strstr(svcq_ctx_errmsg(r), "never creates"));
    assert_int_equal(access(missing, F_OK), -1);
    svcq_ctx_free(r);
    free(missing);
    free(bytes);
    test_rmtree(dir);
    free(path);
    free(dir);
}

/* A torn tail (a crash in the middle of a commit) is ignored, not cut; a
 * commit the writer makes after cutting it shows at the next refresh. */
static void torn_tail_ignored(void **state)
{
    (void)state;
    char *dir = test_tmpdir("ro3");
    char *path = test_path(dir, "j");
    svcq_ctx *w, *r;
    assert_int_equal(svcq_ctx_new(&w, NULL), SVCQ_OK);
    (void)open_store(w, path, false, SVCQ_STORE_SYNC_NONE);
    uint64_t ra, rb;
    assert_int_equal(put1(w, "a", 0, "a1", &ra), SVCQ_OK);
    assert_int_equal(put1(w, "b", 0, "b1", &rb), SVCQ_OK);
    svcq_ctx_free(w);
    /* Tear the last commit: cut its last 5 bytes off. */
    size_t size;
    unsigned char *bytes = test_read_file(path, &size);
    assert_int_equal(test_write_file(path, bytes, size - 5), 0);
    free(bytes);
    bytes = test_read_file(path, &size);

    assert_int_equal(svcq_ctx_new(&r, NULL), SVCQ_OK);
    svcq_store_file *ro = open_store(r, path, true, SVCQ_STORE_SYNC_FULL);
    char *d = dump(r);
    assert_string_equal(d, "a=a1@1;");
    free(d);
    svcq_store_file_stats s = SVCQ_STORE_FILE_STATS_INIT;
    assert_int_equal(svcq_store_file_stats_get(&s, ro), SVCQ_OK);
    assert_int_equal(s.recovered_dropped_bytes, 0);
    assert_int_equal(svcq_store_file_refresh(ro), SVCQ_OK);
    d = dump(r);
    assert_string_equal(d, "a=a1@1;");
    free(d);
    same_bytes(path, bytes, size);

    /* The writer opens (and cuts the tail), commits; the reader reads on. */
    assert_int_equal(svcq_ctx_new(&w, NULL), SVCQ_OK);
    (void)open_store(w, path, false, SVCQ_STORE_SYNC_FULL);
    assert_int_equal(put1(w, "c", 0, "c1", &rb), SVCQ_OK);
    assert_int_equal(svcq_store_file_refresh(ro), SVCQ_OK);
    same_dump(w, r);
    d = dump(r);
    /* Revision 2 was in the torn commit, which never happened. */
    assert_string_equal(d, "a=a1@1;c=c1@2;");
    free(d);
    svcq_ctx_free(w);
    svcq_ctx_free(r);
    free(bytes);
    test_rmtree(dir);
    free(path);
    free(dir);
}

/* Compaction renames a new file over the journal: the reader keeps its
 * snapshot (the old file) until a refresh, which reads the new one. */
static void compaction_under_a_reader(void **state)
{
    (void)state;
    char *dir = test_tmpdir("ro4");
    char *path = test_path(dir, "j");
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *w = test_ctx_new(&a), *r = test_ctx_new(&a);
    svcq_store_file *wfs = open_store(w, path, false, SVCQ_STORE_SYNC_FULL);
    uint64_t rev[8] = { 0 };
    char id[8], text[16];
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 8; i++) {
            snprintf(id, sizeof(id), "r%d", i);
            snprintf(text, sizeof(text), "v%d.%d", i, round);
            assert_int_equal(put1(w, id, rev[i], text, &rev[i]), SVCQ_OK);
        }
    svcq_store_file *ro = open_store(r, path, true, SVCQ_STORE_SYNC_FULL);
    char *snap = dump(r);
    same_dump(w, r);

    assert_int_equal(remove1(w, "r7", rev[7]), SVCQ_OK);
    assert_int_equal(svcq_store_file_compact(wfs), SVCQ_OK);
    assert_int_equal(put1(w, "r0", rev[0], "after", &rev[0]), SVCQ_OK);
    /* The snapshot still reads back whole, values included. */
    char *d = dump(r);
    assert_string_equal(d, snap);
    free(d);
    assert_int_equal(svcq_store_file_refresh(ro), SVCQ_OK);
    same_dump(w, r);
    svcq_store_file_stats ws = SVCQ_STORE_FILE_STATS_INIT, rs = SVCQ_STORE_FILE_STATS_INIT;
    assert_int_equal(svcq_store_file_stats_get(&ws, wfs), SVCQ_OK);
    assert_int_equal(svcq_store_file_stats_get(&rs, ro), SVCQ_OK);
    assert_int_equal(rs.records, ws.records);
    assert_int_equal(rs.transactions, ws.transactions);
    assert_int_equal(rs.file_bytes, ws.file_bytes);
    /* And on from there, incrementally. */
    assert_int_equal(put1(w, "r1", rev[1], "later", &rev[1]), SVCQ_OK);
    assert_int_equal(svcq_store_file_refresh(ro), SVCQ_OK);
    same_dump(w, r);
    svcq_ctx_free(r);
    svcq_ctx_free(w);
    assert_int_equal(a.live_blocks, 0);
    free(snap);
    test_rmtree(dir);
    free(path);
    free(dir);
}

/* The reader in another process: a forked child reads what the parent (the
 * writer, holding the lock) committed, and after a refresh what it
 * committed later. */
/* What the parent made, reachable from here while the child runs (the child
 * leaves with _exit and must not free the writer: its close would cut the
 * zeros the writer reserved; valgrind then counts these as reachable). */
static struct {
    char *dir, *path;
    svcq_ctx *w;
} volatile parent;

static void reader_in_a_child(void **state)
{
    (void)state;
    char *dir = test_tmpdir("ro5");
    char *path = test_path(dir, "j");
    parent.dir = dir;
    parent.path = path;
    svcq_ctx *w;
    assert_int_equal(svcq_ctx_new(&w, NULL), SVCQ_OK);
    parent.w = w;
    (void)open_store(w, path, false, SVCQ_STORE_SYNC_FULL);
    uint64_t ra, rb;
    assert_int_equal(put1(w, "a", 0, "a1", &ra), SVCQ_OK);
    int go[2], ready[2];
    assert_int_equal(pipe(go), 0);
    assert_int_equal(pipe(ready), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(go[1]);
        close(ready[0]);
        svcq_ctx *r;
        if (svcq_ctx_new(&r, NULL) != SVCQ_OK)
            _exit(10);
        svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
        o.flags = SVCQ_STORE_FILE_READ_ONLY;
        svcq_store_file *ro;
        if (svcq_store_file_open(&ro, r, path, &o) != SVCQ_OK)
            _exit(11);
        svcq_store_methods m;
        if (svcq_store_file_methods(&m, ro) != SVCQ_OK || svcq_ctx_set_store(r, &m) != SVCQ_OK)
            _exit(12);
        char *d = dump(r);
        int bad = strcmp(d, "a=a1@1;") != 0;
        free(d);
        char c = 'r';
        if (bad || write(ready[1], &c, 1) != 1)
            _exit(13);
        if (read(go[0], &c, 1) != 1)
            _exit(14);
        if (svcq_store_file_refresh(ro) != SVCQ_OK)
            _exit(15);
        d = dump(r);
        bad = strcmp(d, "a=a1@1;b=b1@2;") != 0;
        free(d);
        svcq_ctx_free(r);
        _exit(bad ? 16 : 0);
    }
    close(go[0]);
    close(ready[1]);
    char c;
    assert_int_equal(read(ready[0], &c, 1), 1);
    assert_int_equal(put1(w, "b", 0, "b1", &rb), SVCQ_OK);
    assert_int_equal(write(go[1], &c, 1), 1);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    close(go[1]);
    close(ready[0]);
    /* The writer's lock held throughout: a second writer is still refused. */
    svcq_ctx *w2;
    assert_int_equal(svcq_ctx_new(&w2, NULL), SVCQ_OK);
    svcq_store_file *fs2;
    assert_int_equal(svcq_store_file_open(&fs2, w2, path, NULL), SVCQ_EBUSY);
    svcq_ctx_free(w2);
    svcq_ctx_free(w);
    test_rmtree(dir);
    free(path);
    free(dir);
}

/* A reader opened while the file is still being created (shorter than a
 * header) sees an empty store, and the journal once a refresh finds it. */
static void reader_before_the_header(void **state)
{
    (void)state;
    char *dir = test_tmpdir("ro6");
    char *path = test_path(dir, "j");
    assert_int_equal(test_write_file(path, "", 0), 0);
    svcq_ctx *w, *r;
    assert_int_equal(svcq_ctx_new(&r, NULL), SVCQ_OK);
    svcq_store_file *ro = open_store(r, path, true, SVCQ_STORE_SYNC_FULL);
    char *d = dump(r);
    assert_string_equal(d, "");
    free(d);
    assert_int_equal(svcq_store_file_refresh(ro), SVCQ_OK);
    assert_int_equal(svcq_ctx_new(&w, NULL), SVCQ_OK);
    (void)open_store(w, path, false, SVCQ_STORE_SYNC_FULL);
    uint64_t ra;
    assert_int_equal(put1(w, "a", 0, "a1", &ra), SVCQ_OK);
    assert_int_equal(svcq_store_file_refresh(ro), SVCQ_OK);
    same_dump(w, r);
    svcq_ctx_free(w);
    /* Another file that is not a journal renamed over it: refused, the
     * snapshot kept. */
    char *other = test_path(dir, "other");
    assert_int_equal(test_write_file(other, "not a journal at all, not at all!!!!!!!!!!!!!!", 46), 0);
    assert_int_equal(rename(other, path), 0);
    free(other);
    assert_int_equal(svcq_store_file_refresh(ro), SVCQ_ECORRUPT);
    d = dump(r);
    assert_string_equal(d, "a=a1@1;");
    free(d);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(svcq_store_file_refresh(ro), SVCQ_ENOTFOUND);
    assert_non_null(strstr(svcq_ctx_errmsg(r), "no longer exists"));
    d = dump(r);
    assert_string_equal(d, "a=a1@1;");
    free(d);
    assert_int_equal(svcq_store_file_refresh(NULL), SVCQ_EINVAL);
    svcq_ctx_free(r);
    test_rmtree(dir);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reader_next_to_writer),
        cmocka_unit_test(writes_refused),
        cmocka_unit_test(torn_tail_ignored),
        cmocka_unit_test(compaction_under_a_reader),
        cmocka_unit_test(reader_in_a_child),
        cmocka_unit_test(reader_before_the_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
