/* The file store: conformance, options, opening, locking (in this process
 * and from another), ownership, recovery of a damaged tail, durability
 * modes, compaction, statistics, and a failure of every system call of a
 * scenario. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/crc32c.h"
#include "store/filestore.h"
#include "store/journal.h"
#include "store/store.h"
#include "store_conformance.h"
#include "svcq.h"
#include "test_alloc.h"
#include "test_fs.h"

/* ---- helpers ---------------------------------------------------------------- */

static svcq_store_file_options opts_with(int32_t durability)
{
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.durability = durability;
    return o;
}

/* Opens path and hands the store to ctx; returns the store (borrowed). */
static svcq_store_file *attach(svcq_ctx *ctx, const char *path, int32_t durability)
{
    svcq_store_file_options o = opts_with(durability);
    svcq_store_file *fs = NULL;
    int rc = svcq_store_file_open(&fs, ctx, path, &o);
    if (rc)
        fail_msg("open %s: %s", path, svcq_ctx_errmsg(ctx));
    svcq_store_methods m;
    assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    return fs;
}

static int put1(svcq_ctx *ctx, const char *kind, const char *id, uint64_t expected, const char *text, uint64_t *rev)
{
    svcq__tx tx;
    int rc = svcq__tx_begin(ctx, &tx);
    if (!rc)
        rc = svcq__store_put(ctx, kind, id, expected, text, strlen(text), rev);
    return svcq__tx_end(ctx, &tx, rc);
}

static int remove1(svcq_ctx *ctx, const char *kind, const char *id, uint64_t expected)
{
    svcq__tx tx;
    int rc = svcq__tx_begin(ctx, &tx);
    if (!rc)
        rc = svcq__store_remove(ctx, kind, id, expected);
    return svcq__tx_end(ctx, &tx, rc);
}

typedef struct dumpbuf {
    char *lines[64];
    size_t n;
} dumpbuf;

static int dump_visit(svcq_ctx *ctx, const char *id, uint64_t rev, const char *bytes, size_t size, void *ud)
{
    (void)ctx;
    dumpbuf *d = ud;
    if (d->n == 64)
        return SVCQ_ELIMIT;
    char *line = malloc(strlen(id) + size + 32);
    sprintf(line, "%s=%.*s@%llu", id, (int)size, bytes, (unsigned long long)rev);
    d->lines[d->n++] = line;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The records of kinds "k" and "j" as one sorted text. */
static char *dump(svcq_ctx *ctx)
{
    static const char *const kinds[] = { "k", "j" };
    size_t cap = 8192, len = 0;
    char *out = malloc(cap);
    out[0] = '\0';
    for (int i = 0; i < 2; i++) {
        dumpbuf d = { { 0 }, 0 };
        int rc = svcq__store_scan(ctx, kinds[i], dump_visit, &d);
        if (rc)
            fail_msg("scan: %s", svcq_ctx_errmsg(ctx));
        qsort(d.lines, d.n, sizeof(d.lines[0]), cmp_str);
        for (size_t j = 0; j < d.n; j++) {
            len += (size_t)snprintf(out + len, cap - len, "%s:%s;", kinds[i], d.lines[j]);
            free(d.lines[j]);
        }
    }
    return out;
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (uint64_t)st.st_size;
}

/* ---- conformance --------------------------------------------------------------- */

typedef struct factory_state {
    char *dir;
    char *path;
} factory_state;

static int f_create(svcq_ctx *ctx, svcq_store_methods *m, void *data)
{
    factory_state *st = data;
    unlink(st->path);
    svcq_store_file *fs;
    svcq_store_file_options o = opts_with(SVCQ_STORE_SYNC_NONE);
    int rc = svcq_store_file_open(&fs, ctx, st->path, &o);
    return rc ? rc : svcq_store_file_methods(m, fs);
}

static int f_reopen(svcq_ctx *ctx, svcq_store_methods *m, void *data)
{
    factory_state *st = data;
    svcq_store_file *fs;
    svcq_store_file_options o = opts_with(SVCQ_STORE_SYNC_FULL);
    o.flags = SVCQ_STORE_FILE_NO_CREATE;
    int rc = svcq_store_file_open(&fs, ctx, st->path, &o);
    return rc ? rc : svcq_store_file_methods(m, fs);
}

static void conformance(void **state)
{
    (void)state;
    factory_state st;
    st.dir = test_tmpdir("fconf");
    assert_non_null(st.dir);
    st.path = test_path(st.dir, "journal");
    store_conformance_factory f = { "file", f_create, f_reopen, &st, 0 };
    assert_int_equal(store_conformance_run(&f), 0);
    test_rmtree(st.dir);
    free(st.path);
    free(st.dir);
}

/* ---- options, opening ------------------------------------------------------------- */

static void options_init_matches_macro(void **state)
{
    (void)state;
    svcq_store_file_options a = SVCQ_STORE_FILE_OPTIONS_INIT, b;
    memset(&b, 0xA5, sizeof(b));
    assert_int_equal(svcq_store_file_options_init(&b, SVCQ_STORE_FILE_OPTIONS_VERSION), SVCQ_OK);
    assert_memory_equal(&a, &b, sizeof(a));
    assert_int_equal(svcq_store_file_options_init(NULL, 1), SVCQ_EINVAL);
    assert_int_equal(svcq_store_file_options_init(&b, 0), SVCQ_EVERSION);
    assert_int_equal(svcq_store_file_options_init(&b, SVCQ_STORE_FILE_OPTIONS_VERSION + 1), SVCQ_EVERSION);
    svcq_store_file_stats s = SVCQ_STORE_FILE_STATS_INIT, z;
    memset(&z, 0xA5, sizeof(z));
    assert_int_equal(svcq_store_file_stats_init(&z, SVCQ_STORE_FILE_STATS_VERSION), SVCQ_OK);
    assert_memory_equal(&s, &z, sizeof(s));
    assert_int_equal(svcq_store_file_stats_init(NULL, 1), SVCQ_EINVAL);
    assert_int_equal(svcq_store_file_stats_init(&z, 0), SVCQ_EVERSION);
    assert_int_equal(svcq_store_file_stats_init(&z, SVCQ_STORE_FILE_STATS_VERSION + 1), SVCQ_EVERSION);
}

static void open_errors(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a);
    char *dir = test_tmpdir("fopen");
    char *path = test_path(dir, "j");
    svcq_store_file *fs = (svcq_store_file *)0x1;

    assert_int_equal(svcq_store_file_open(NULL, ctx, path, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_store_file_open(&fs, NULL, path, NULL), SVCQ_EINVAL);
    assert_null(fs);
    assert_int_equal(svcq_store_file_open(&fs, ctx, NULL, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_store_file_open(&fs, ctx, "", NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_store_file_open(&fs, ctx, "bad\xC3", NULL), SVCQ_EINVAL);
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.version = 0;
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, &o), SVCQ_EVERSION);
    o.version = 2;
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, &o), SVCQ_EVERSION);
    o = (svcq_store_file_options)SVCQ_STORE_FILE_OPTIONS_INIT;
    o.reserved0 = 1;
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, &o), SVCQ_EINVAL);
    o = (svcq_store_file_options)SVCQ_STORE_FILE_OPTIONS_INIT;
    o.reserved[5] = 1;
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, &o), SVCQ_EINVAL);
    o = (svcq_store_file_options)SVCQ_STORE_FILE_OPTIONS_INIT;
    o.durability = 0;
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, &o), SVCQ_EINVAL);
    o.durability = 4;
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, &o), SVCQ_EINVAL);
    o = (svcq_store_file_options)SVCQ_STORE_FILE_OPTIONS_INIT;
    o.flags = 4;
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, &o), SVCQ_EINVAL);

    /* Missing, with NO_CREATE; a directory; a missing directory. */
    o = (svcq_store_file_options)SVCQ_STORE_FILE_OPTIONS_INIT;
    o.flags = SVCQ_STORE_FILE_NO_CREATE;
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, &o), SVCQ_ENOTFOUND);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "does not exist"));
    assert_int_equal(svcq_store_file_open(&fs, ctx, dir, NULL), SVCQ_EIO);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "open("));
    char *nodir = test_path(dir, "missing/j");
    assert_int_equal(svcq_store_file_open(&fs, ctx, nodir, NULL), SVCQ_EIO);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "No such file"));
    free(nodir);

    /* A foreign file is left untouched. */
    const char *text = "this is not a journal, but it is long enough to have a header";
    assert_int_equal(test_write_file(path, text, strlen(text)), 0);
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, NULL), SVCQ_ECORRUPT);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "left untouched"));
    assert_int_equal(file_size(path), strlen(text));
    assert_int_equal(test_write_file(path, "short", 5), 0);
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, NULL), SVCQ_ECORRUPT);
    assert_int_equal(file_size(path), 5);

    /* A journal of a later format: EVERSION; a damaged header: ECORRUPT. */
    uint8_t head[SVCQ__JNL_HEADER_SIZE];
    svcq__jnl_header h = { 0, 0 };
    svcq__jnl_header_encode(head, &h);
    head[8] = SVCQ__JNL_VERSION + 1;
    /* Re-signed, so that only the version differs. */
    uint32_t crc = svcq__crc32c(head, 36);
    for (int i = 0; i < 4; i++)
        head[36 + i] = (uint8_t)(crc >> (8 * i));
    assert_int_equal(test_write_file(path, head, sizeof(head)), 0);
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, NULL), SVCQ_EVERSION);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "newer"));
    svcq__jnl_header_encode(head, &h);
    head[20] ^= 1;
    assert_int_equal(test_write_file(path, head, sizeof(head)), 0);
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, NULL), SVCQ_ECORRUPT);
    assert_int_equal(file_size(path), sizeof(head));

    /* A header cut while the file was created: started afresh. */
    svcq__jnl_header_encode(head, &h);
    assert_int_equal(test_write_file(path, head, 13), 0);
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, NULL), SVCQ_OK);
    svcq_store_file_stats s = SVCQ_STORE_FILE_STATS_INIT;
    assert_int_equal(svcq_store_file_stats_get(&s, fs), SVCQ_OK);
    assert_int_equal(s.recovered_dropped_bytes, 13);
    assert_int_equal(s.file_bytes, SVCQ__JNL_HEADER_SIZE);
    assert_int_equal(svcq_store_file_close(fs), SVCQ_OK);
    assert_int_equal(file_size(path), SVCQ__JNL_HEADER_SIZE);

    /* The stale file of a compaction that died is removed. */
    char *tmp = test_path(dir, "j.compact");
    assert_int_equal(test_write_file(tmp, "junk", 4), 0);
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, NULL), SVCQ_OK);
    assert_int_equal(access(tmp, F_OK), -1);
    assert_int_equal(svcq_store_file_close(fs), SVCQ_OK);
    free(tmp);

    /* Allocation failure at every point of opening: clean. */
    for (size_t n = 1; n < 40; n++) {
        test_alloc_arm(&a, n, false);
        int rc = svcq_store_file_open(&fs, ctx, path, NULL);
        test_alloc_arm(&a, 0, false);
        if (rc == SVCQ_OK) {
            assert_int_equal(svcq_store_file_close(fs), SVCQ_OK);
            break;
        }
        assert_int_equal(rc, SVCQ_ENOMEM);
        assert_null(fs);
        assert_int_equal(a.live_blocks, 1);
    }
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
    test_rmtree(dir);
    free(path);
    free(dir);
}

/* ---- locking -------------------------------------------------------------------- */

static void lock_same_process(void **state)
{
    (void)state;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    char *dir = test_tmpdir("flock");
    char *path = test_path(dir, "j");
    svcq_store_file *fs1, *fs2 = (svcq_store_file *)0x1;
    assert_int_equal(svcq_store_file_open(&fs1, ctx, path, NULL), SVCQ_OK);
    assert_int_equal(svcq_store_file_open(&fs2, ctx, path, NULL), SVCQ_EBUSY);
    assert_null(fs2);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "locked by another open store"));
    /* Still busy after compaction: the new file is locked too. */
    assert_int_equal(svcq_store_file_compact(fs1), SVCQ_OK);
    assert_int_equal(svcq_store_file_open(&fs2, ctx, path, NULL), SVCQ_EBUSY);
    assert_int_equal(svcq_store_file_close(fs1), SVCQ_OK);
    assert_int_equal(svcq_store_file_open(&fs2, ctx, path, NULL), SVCQ_OK);
    assert_int_equal(svcq_store_file_close(fs2), SVCQ_OK);
    svcq_ctx_free(ctx);
    test_rmtree(dir);
    free(path);
    free(dir);
}

/* Opens path in a child process: exit 0 when the open gave want. */
static int child_open(const char *path, int want)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        svcq_ctx *ctx;
        if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
            _exit(3);
        svcq_store_file *fs;
        int rc = svcq_store_file_open(&fs, ctx, path, NULL);
        if (rc == SVCQ_OK)
            (void)svcq_store_file_close(fs);
        svcq_ctx_free(ctx);
        _exit(rc == want ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void lock_two_processes(void **state)
{
    (void)state;
    char *dir = test_tmpdir("flock2");
    char *path = test_path(dir, "j");
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);

    /* We hold it: another process is turned away, then let in. */
    svcq_store_file *fs;
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, NULL), SVCQ_OK);
    assert_int_equal(child_open(path, SVCQ_EBUSY), 0);
    assert_int_equal(svcq_store_file_close(fs), SVCQ_OK);
    assert_int_equal(child_open(path, SVCQ_OK), 0);

    /* Another process holds it: we are turned away until it is gone. */
    int go[2], ready[2];
    assert_int_equal(pipe(go), 0);
    assert_int_equal(pipe(ready), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        svcq_ctx *c;
        svcq_store_file *f;
        if (svcq_ctx_new(&c, NULL) != SVCQ_OK || svcq_store_file_open(&f, c, path, NULL) != SVCQ_OK)
            _exit(1);
        char b = 'r';
        if (write(ready[1], &b, 1) != 1 || read(go[0], &b, 1) != 1)
            _exit(2);
        /* Killed holding the lock: the system releases it. */
        raise(SIGKILL);
        _exit(3);
    }
    char b;
    assert_int_equal(read(ready[0], &b, 1), 1);
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, NULL), SVCQ_EBUSY);
    assert_int_equal(write(go[1], "g", 1), 1);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, NULL), SVCQ_OK);
    assert_int_equal(svcq_store_file_close(fs), SVCQ_OK);
    close(go[0]);
    close(go[1]);
    close(ready[0]);
    close(ready[1]);
    svcq_ctx_free(ctx);
    test_rmtree(dir);
    free(path);
    free(dir);
}

/* ---- ownership ---------------------------------------------------------------- */

/* A file store belongs to the context it was opened with: installing it on
 * another is refused and leaves nothing behind, whichever context goes
 * first (run under ASan, a use after free shows). */
static void foreign_context_refused(void **state)
{
    (void)state;
    char *dir = test_tmpdir("fxc");
    char *path = test_path(dir, "j");
    for (int order = 0; order < 3; order++) {
        svcq_ctx *a, *b;
        assert_int_equal(svcq_ctx_new(&a, NULL), SVCQ_OK);
        assert_int_equal(svcq_ctx_new(&b, NULL), SVCQ_OK);
        svcq_store_file *fs;
        assert_int_equal(svcq_store_file_open(&fs, a, path, NULL), SVCQ_OK);
        svcq_store_methods m;
        assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
        uint64_t rev;
        if (order == 2) {
            /* Owned by a already: still refused on b as foreign. */
            assert_int_equal(svcq_ctx_set_store(a, &m), SVCQ_OK);
        }
        assert_int_equal(svcq_ctx_set_store(b, &m), SVCQ_EINVAL);
        assert_non_null(strstr(svcq_ctx_errmsg(b), "opened with another context"));
        assert_non_null(strstr(svcq_ctx_errmsg(b), path));
        /* b goes on with its own memory store. */
        assert_int_equal(put1(b, "k", "b", 0, "1", &rev), SVCQ_OK);
        if (order == 0) {
            svcq_ctx_free(b); /* the other context first */
            assert_int_equal(svcq_ctx_set_store(a, &m), SVCQ_OK);
            assert_int_equal(put1(a, "k", "a", 0, "1", &rev), SVCQ_OK);
            svcq_ctx_free(a);
        } else if (order == 1) {
            assert_int_equal(svcq_store_file_close(fs), SVCQ_OK);
            svcq_ctx_free(a); /* the store's context first */
            assert_int_equal(put1(b, "k", "b", rev, "2", &rev), SVCQ_OK);
            svcq_ctx_free(b);
        } else {
            assert_int_equal(put1(a, "k", "a", 0, "1", &rev), SVCQ_ECONFLICT);
            svcq_ctx_free(a); /* closes the store */
            assert_int_equal(put1(b, "k", "c", 0, "1", &rev), SVCQ_OK);
            svcq_ctx_free(b);
        }
    }
    test_rmtree(dir);
    free(path);
    free(dir);
}

static void ownership(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a), *other = test_ctx_new(&a);
    char *dir = test_tmpdir("fown");
    char *path = test_path(dir, "j");
    svcq_store_file *fs;
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, NULL), SVCQ_OK);
    svcq_store_methods m;
    assert_int_equal(svcq_store_file_methods(NULL, fs), SVCQ_EINVAL);
    assert_int_equal(svcq_store_file_methods(&m, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
    /* Only the context it was made from may own it, and only once. */
    assert_int_equal(svcq_ctx_set_store(other, &m), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(other), "opened with another context"));
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_EBUSY);
    assert_int_equal(svcq_store_file_close(fs), SVCQ_ESTATE);
    assert_int_equal(svcq_store_file_close(NULL), SVCQ_OK);
    uint64_t rev;
    assert_int_equal(put1(ctx, "k", "a", 0, "1", &rev), SVCQ_OK);
    /* Replacing the store closes the file store (and releases the lock). */
    assert_int_equal(svcq_ctx_set_store(ctx, NULL), SVCQ_OK);
    assert_int_equal(svcq_store_file_open(&fs, other, path, NULL), SVCQ_OK);
    assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(other, &m), SVCQ_OK);
    char *d = dump(other);
    assert_string_equal(d, "k:a=1@1;");
    free(d);
    svcq_ctx_free(ctx);
    /* Freeing the context closes it too. */
    svcq_ctx_free(other);
    assert_int_equal(a.live_blocks, 0);
    svcq_ctx *c3;
    assert_int_equal(svcq_ctx_new(&c3, NULL), SVCQ_OK);
    assert_int_equal(svcq_store_file_open(&fs, c3, path, NULL), SVCQ_OK);
    assert_int_equal(svcq_store_file_close(fs), SVCQ_OK);
    svcq_ctx_free(c3);
    test_rmtree(dir);
    free(path);
    free(dir);
}

/* ---- recovery, stats, compaction -------------------------------------------------------- */

typedef struct logged {
    char last[1024];
    int warnings;
} logged;

static void log_fn(int32_t level, const char *message, void *ud)
{
    logged *l = ud;
    if (level == SVCQ_LOG_WARN)
        l->warnings++;
    snprintf(l->last, sizeof(l->last), "%s", message);
}

static void recovery_and_compaction(void **state)
{
    (void)state;
    char *dir = test_tmpdir("frec");
    char *path = test_path(dir, "j");
    logged lg = { "", 0 };
    svcq_ctx_options co = SVCQ_CTX_OPTIONS_INIT;
    co.log_fn = log_fn;
    co.log_user_data = &lg;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, &co), SVCQ_OK);
    svcq_store_file *fs = attach(ctx, path, SVCQ_STORE_SYNC_NONE);
    uint64_t ra, rb, rc_, rx;
    assert_int_equal(put1(ctx, "k", "a", 0, "a1", &ra), SVCQ_OK);
    assert_int_equal(put1(ctx, "k", "b", 0, "b1", &rb), SVCQ_OK);
    assert_int_equal(put1(ctx, "j", "c", 0, "c1", &rc_), SVCQ_OK);
    for (int i = 0; i < 20; i++)
        assert_int_equal(put1(ctx, "k", "a", ra, "a-more", &ra), SVCQ_OK);
    assert_int_equal(remove1(ctx, "k", "b", rb), SVCQ_OK);
    svcq_store_file_stats s = SVCQ_STORE_FILE_STATS_INIT;
    assert_int_equal(svcq_store_file_stats_get(&s, fs), SVCQ_OK);
    assert_int_equal(s.records, 2);
    assert_int_equal(s.transactions, 24);
    assert_int_equal(s.file_bytes, file_size(path));
    assert_true(s.live_bytes < s.file_bytes);
    assert_int_equal(s.unsynced_transactions, 24);
    assert_int_equal(s.recovered_dropped_bytes, 0);
    s.version = 0;
    assert_int_equal(svcq_store_file_stats_get(&s, fs), SVCQ_EVERSION);
    s.version = 9;
    assert_int_equal(svcq_store_file_stats_get(&s, fs), SVCQ_EVERSION);
    assert_int_equal(svcq_store_file_stats_get(&s, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_store_file_stats_get(NULL, fs), SVCQ_EINVAL);
    char *before = dump(ctx);

    /* Compaction: same records, same revisions, a file of live_bytes. */
    s.version = SVCQ_STORE_FILE_STATS_VERSION;
    assert_int_equal(svcq_store_file_stats_get(&s, fs), SVCQ_OK);
    uint64_t live = s.live_bytes;
    assert_int_equal(svcq_store_file_compact(NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_store_file_compact(fs), SVCQ_OK);
    assert_int_equal(file_size(path), live);
    assert_int_equal(svcq_store_file_stats_get(&s, fs), SVCQ_OK);
    assert_int_equal(s.file_bytes, live);
    assert_int_equal(s.live_bytes, live);
    assert_int_equal(s.transactions, 25);
    assert_int_equal(s.unsynced_transactions, 0);
    char *after = dump(ctx);
    assert_string_equal(before, after);
    free(after);
    /* Not inside a transaction. */
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_store_file_compact(fs), SVCQ_ESTATE);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
    /* Revisions go on after the compaction: b's old one is never reused. */
    assert_int_equal(put1(ctx, "k", "b", 0, "b2", &rx), SVCQ_OK);
    assert_true(rx > ra && rx > rb);
    assert_int_equal(remove1(ctx, "k", "b", rx), SVCQ_OK);
    free(before);
    before = dump(ctx);
    svcq_ctx_free(ctx);

    /* Reopen: the same, and the compacted file recovers cleanly. */
    assert_int_equal(svcq_ctx_new(&ctx, &co), SVCQ_OK);
    fs = attach(ctx, path, SVCQ_STORE_SYNC_FULL);
    after = dump(ctx);
    assert_string_equal(before, after);
    free(after);
    assert_int_equal(lg.warnings, 0);
    uint64_t ry;
    assert_int_equal(put1(ctx, "k", "b", 0, "b3", &ry), SVCQ_OK);
    assert_true(ry > rx);
    free(before);
    before = dump(ctx);
    /* A synced store reserves zeros ahead, and gives them back at close. */
    assert_true(file_size(path) >= ((uint64_t)1 << 20));
    svcq_ctx_free(ctx);
    uint64_t good = file_size(path);
    assert_true(good < 4096);

    /* Zeros after the last commit (reserved by a store that crashed) are
     * free space, not damage. */
    static const char nothing[5000];
    FILE *z = fopen(path, "ab");
    assert_non_null(z);
    assert_int_equal(fwrite(nothing, 1, sizeof(nothing), z), sizeof(nothing));
    fclose(z);
    assert_int_equal(svcq_ctx_new(&ctx, &co), SVCQ_OK);
    fs = attach(ctx, path, SVCQ_STORE_SYNC_FULL);
    after = dump(ctx);
    assert_string_equal(before, after);
    free(after);
    assert_int_equal(lg.warnings, 0);
    assert_int_equal(svcq_store_file_stats_get(&s, fs), SVCQ_OK);
    assert_int_equal(s.recovered_dropped_bytes, 0);
    assert_int_equal(s.file_bytes, good);
    assert_int_equal(file_size(path), good + sizeof(nothing));
    svcq_ctx_free(ctx);
    assert_int_equal(file_size(path), good);

    /* A torn tail: dropped, logged, cut off, counted. */
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    assert_int_equal(fwrite("\x10\x00\x00\x00garbage after the last commit", 1, 33, f), 33);
    fclose(f);
    assert_int_equal(svcq_ctx_new(&ctx, &co), SVCQ_OK);
    fs = attach(ctx, path, SVCQ_STORE_SYNC_FULL);
    after = dump(ctx);
    assert_string_equal(before, after);
    free(after);
    assert_int_equal(lg.warnings, 1);
    assert_non_null(strstr(lg.last, "dropped 33 bytes"));
    assert_int_equal(file_size(path), good);
    assert_int_equal(svcq_store_file_stats_get(&s, fs), SVCQ_OK);
    assert_int_equal(s.recovered_dropped_bytes, 33);
    /* It goes on writing where the good part ends. */
    assert_int_equal(put1(ctx, "j", "d", 0, "d1", &rx), SVCQ_OK);
    free(before);
    before = dump(ctx);
    svcq_ctx_free(ctx);
    assert_int_equal(svcq_ctx_new(&ctx, &co), SVCQ_OK);
    fs = attach(ctx, path, SVCQ_STORE_SYNC_FULL);
    after = dump(ctx);
    assert_string_equal(before, after);
    free(after);
    free(before);
    assert_int_equal(lg.warnings, 1);
    svcq_ctx_free(ctx);
    test_rmtree(dir);
    free(path);
    free(dir);
}

static void damage_under_an_open_store(void **state)
{
    (void)state;
    char *dir = test_tmpdir("fdmg");
    char *path = test_path(dir, "j");
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_store_file *fs = attach(ctx, path, SVCQ_STORE_SYNC_NONE);
    uint64_t r;
    assert_int_equal(put1(ctx, "k", "a", 0, "precious value", &r), SVCQ_OK);
    uint64_t size = file_size(path);
    /* Somebody else writes into the value's bytes behind our back. */
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, "X", 1, (off_t)size - SVCQ__JNL_COMMIT_FRAME - 3), 1);
    close(fd);
    char *b;
    size_t n;
    assert_int_equal(svcq__store_get(ctx, "k", "a", &b, &n, &r), SVCQ_ECORRUPT);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "no longer reads back intact"));
    assert_int_equal(svcq__store_scan(ctx, "k", dump_visit, NULL), SVCQ_ECORRUPT);
    /* Compaction refuses to copy it, and leaves the journal alone. */
    assert_int_equal(svcq_store_file_compact(fs), SVCQ_ECORRUPT);
    assert_int_equal(file_size(path), size);
    char *tmp = test_path(dir, "j.compact");
    assert_int_equal(access(tmp, F_OK), -1);
    free(tmp);
    svcq_ctx_free(ctx);
    test_rmtree(dir);
    free(path);
    free(dir);
}

static void durability_modes(void **state)
{
    (void)state;
    char *dir = test_tmpdir("fdur");
    char *path = test_path(dir, "j");
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_store_file_stats s = SVCQ_STORE_FILE_STATS_INIT;
    uint64_t r = 0;

    /* Full: nothing ever waits. */
    svcq_store_file *fs = attach(ctx, path, SVCQ_STORE_SYNC_FULL);
    assert_int_equal(put1(ctx, "k", "a", 0, "1", &r), SVCQ_OK);
    assert_int_equal(svcq_store_file_stats_get(&s, fs), SVCQ_OK);
    assert_int_equal(s.unsynced_transactions, 0);
    assert_int_equal(svcq_store_file_sync(fs), SVCQ_OK);
    assert_int_equal(svcq_store_file_sync(NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_ctx_set_store(ctx, NULL), SVCQ_OK);

    /* Group by count: synced every third commit, and on demand. */
    svcq_store_file_options o = opts_with(SVCQ_STORE_SYNC_GROUP);
    o.group_commit_tx = 3;
    o.group_commit_ms = 0;
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, &o), SVCQ_OK);
    svcq_store_methods m;
    assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    uint64_t want[] = { 1, 2, 0, 1, 2, 0 };
    for (int i = 0; i < 6; i++) {
        assert_int_equal(put1(ctx, "k", "a", r, "x", &r), SVCQ_OK);
        assert_int_equal(svcq_store_file_stats_get(&s, fs), SVCQ_OK);
        assert_int_equal(s.unsynced_transactions, want[i]);
    }
    assert_int_equal(put1(ctx, "k", "a", r, "x", &r), SVCQ_OK);
    assert_int_equal(svcq_store_file_sync(fs), SVCQ_OK);
    assert_int_equal(svcq_store_file_stats_get(&s, fs), SVCQ_OK);
    assert_int_equal(s.unsynced_transactions, 0);
    /* An empty transaction writes nothing. */
    uint64_t size = file_size(path);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_commit(ctx), SVCQ_OK);
    assert_int_equal(file_size(path), size);
    assert_int_equal(svcq_ctx_set_store(ctx, NULL), SVCQ_OK);

    /* Group by time: a commit after the interval syncs. */
    o.group_commit_tx = 0;
    o.group_commit_ms = 20;
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, &o), SVCQ_OK);
    assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    assert_int_equal(put1(ctx, "k", "a", r, "y", &r), SVCQ_OK);
    assert_int_equal(svcq_store_file_stats_get(&s, fs), SVCQ_OK);
    assert_int_equal(s.unsynced_transactions, 1);
    struct timespec ts = { 0, 30 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    assert_int_equal(put1(ctx, "k", "a", r, "z", &r), SVCQ_OK);
    assert_int_equal(svcq_store_file_stats_get(&s, fs), SVCQ_OK);
    assert_int_equal(s.unsynced_transactions, 0);
    assert_int_equal(put1(ctx, "k", "a", r, "w", &r), SVCQ_OK);
    /* Closing a group store syncs what is pending. */
    assert_int_equal(svcq_ctx_set_store(ctx, NULL), SVCQ_OK);

    /* None: never synced, also not at close. */
    fs = attach(ctx, path, SVCQ_STORE_SYNC_NONE);
    for (int i = 0; i < 4; i++)
        assert_int_equal(put1(ctx, "k", "a", r, "v", &r), SVCQ_OK);
    assert_int_equal(svcq_store_file_stats_get(&s, fs), SVCQ_OK);
    assert_int_equal(s.unsynced_transactions, 4);
    assert_int_equal(svcq_store_file_sync(fs), SVCQ_OK);
    assert_int_equal(svcq_store_file_stats_get(&s, fs), SVCQ_OK);
    assert_int_equal(s.unsynced_transactions, 0);
    char *d = dump(ctx);
    assert_string_equal(d, "k:a=v@15;");
    free(d);
    svcq_ctx_free(ctx);
    test_rmtree(dir);
    free(path);
    free(dir);
}

/* ---- a failing system call at every point ------------------------------------------ */

typedef struct faulty_io {
    size_t calls, fail_at, injected;
    bool keep;
} faulty_io;

static bool io_fail_now(faulty_io *f)
{
    f->calls++;
    if (f->fail_at && (f->calls == f->fail_at || (f->keep && f->calls > f->fail_at))) {
        f->injected++;
        return true;
    }
    return false;
}

#define P (&svcq__fio_posix)
static int q_open(const char *path, int flags, void *ud)
{
    if (io_fail_now(ud)) {
        errno = EIO;
        return -1;
    }
    return P->open(path, flags, NULL);
}
static int q_close(int fd, void *ud)
{
    int rc = P->close(fd, NULL);
    if (io_fail_now(ud)) {
        errno = EIO;
        return -1;
    }
    return rc;
}
static ssize_t q_pread(int fd, void *buf, size_t n, uint64_t off, void *ud)
{
    if (io_fail_now(ud)) {
        errno = EIO;
        return -1;
    }
    return P->pread(fd, buf, n, off, NULL);
}
static ssize_t q_pwrite(int fd, const void *buf, size_t n, uint64_t off, void *ud)
{
    if (io_fail_now(ud)) {
        /* A torn write: half of it lands, then the disk is full. */
        if (n > 1)
            (void)P->pwrite(fd, buf, n / 2, off, NULL);
        errno = ENOSPC;
        return -1;
    }
    return P->pwrite(fd, buf, n, off, NULL);
}
#define SIMPLE(name, call, args, fwd) \
    static int name args \
    { \
        if (io_fail_now(ud)) { \
            errno = EIO; \
            return -1; \
        } \
        return P->call fwd; \
    }
SIMPLE(q_datasync, datasync, (int fd, void *ud), (fd, NULL))
SIMPLE(q_truncate, truncate, (int fd, uint64_t size, void *ud), (fd, size, NULL))
SIMPLE(q_size, size, (int fd, uint64_t *size, void *ud), (fd, size, NULL))
SIMPLE(q_lock, lock, (int fd, void *ud), (fd, NULL))
SIMPLE(q_same, same, (int fd, const char *path, void *ud), (fd, path, NULL))
SIMPLE(q_rename, rename, (const char *a, const char *b, void *ud), (a, b, NULL))
SIMPLE(q_unlink, unlink, (const char *path, void *ud), (path, NULL))
SIMPLE(q_syncdir, syncdir, (const char *dir, void *ud), (dir, NULL))

/* The scenario: open, two transactions, compaction, a third, close.
 * Returns the number of transactions reported committed; *rc the first
 * error. */
static int io_scenario(svcq_ctx *ctx, const char *path, const svcq__fio *io, int *rc, bool *broken)
{
    svcq_store_file *fs;
    svcq_store_file_options o = opts_with(SVCQ_STORE_SYNC_FULL);
    *broken = false;
    *rc = svcq__fstore_open_io(&fs, ctx, path, &o, io);
    if (*rc)
        return 0;
    svcq_store_methods m;
    assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    int done = 0;
    uint64_t ra = 0, rb = 0, rc_ = 0;
    svcq__tx tx;
    /* 1: create a and b */
    *rc = svcq__tx_begin(ctx, &tx);
    if (!*rc)
        *rc = svcq__store_put(ctx, "k", "a", 0, "a1", 2, &ra);
    if (!*rc)
        *rc = svcq__store_put(ctx, "k", "b", 0, "b1", 2, &rb);
    *rc = svcq__tx_end(ctx, &tx, *rc);
    if (!*rc) {
        done++;
        /* 2: update a, remove b */
        *rc = svcq__tx_begin(ctx, &tx);
        if (!*rc)
            *rc = svcq__store_put(ctx, "k", "a", ra, "a2", 2, &ra);
        if (!*rc)
            *rc = svcq__store_remove(ctx, "k", "b", rb);
        *rc = svcq__tx_end(ctx, &tx, *rc);
    }
    if (!*rc) {
        done++;
        *rc = svcq_store_file_compact(fs);
    }
    if (!*rc) {
        /* 3: create c */
        *rc = put1(ctx, "j", "c", 0, "c1", &rc_);
        if (!*rc)
            done++;
    }
    *broken = svcq__fstore_broken(fs);
    int close_rc = svcq_ctx_set_store(ctx, NULL); /* closes the file store */
    assert_int_equal(close_rc, SVCQ_OK);
    return done;
}

static void every_system_call_fails(void **state)
{
    (void)state;
    static const char *const states[] = { "", "k:a=a1@1;k:b=b1@2;", "k:a=a2@3;", "k:a=a2@3;j:c=c1@4;" };
    char *dir = test_tmpdir("fio");
    char *path = test_path(dir, "j");
    faulty_io f = { 0, 0, 0, false };
    svcq__fio io = { q_open, q_close, q_pread, q_pwrite, q_datasync, q_truncate, q_size, q_lock,
                  q_same, q_rename, q_unlink, q_syncdir, &f };
    size_t points = 0;
    for (int keep = 0; keep < 2; keep++) {
        for (size_t n = 1;; n++) {
            unlink(path);
            test_alloc a;
            test_alloc_init(&a);
            svcq_ctx *ctx = test_ctx_new(&a);
            f.calls = f.injected = 0;
            f.fail_at = n;
            f.keep = keep;
            int rc;
            bool broken;
            int done = io_scenario(ctx, path, &io, &rc, &broken);
            f.fail_at = 0;
            if (f.injected == 0) {
                assert_int_equal(rc, SVCQ_OK);
                assert_int_equal(done, 3);
                svcq_ctx_free(ctx);
                assert_int_equal(a.live_blocks, 0);
                if (!keep)
                    points = n - 1;
                break;
            }
            /* A failed close is not reported by a context letting go. */
            if (rc == SVCQ_OK && done == 3) {
                svcq_ctx_free(ctx);
                assert_int_equal(a.live_blocks, 0);
                continue;
            }
            if (rc != SVCQ_EIO)
                fail_msg("call %zu (%s): %d %s", n, keep ? "keep" : "once", rc, svcq_ctx_errmsg(ctx));
            svcq_ctx_free(ctx);
            assert_int_equal(a.live_blocks, 0);

            /* A fresh open with working system calls sees the last
             * transaction reported committed (or, after a failed sync
             * that could not be taken back, possibly the failed one). */
            svcq_ctx *c2;
            assert_int_equal(svcq_ctx_new(&c2, NULL), SVCQ_OK);
            svcq_store_file *fs;
            int orc = svcq_store_file_open(&fs, c2, path, NULL);
            if (orc != SVCQ_OK)
                fail_msg("call %zu (%s): reopen: %s", n, keep ? "keep" : "once", svcq_ctx_errmsg(c2));
            svcq_store_methods m;
            assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
            assert_int_equal(svcq_ctx_set_store(c2, &m), SVCQ_OK);
            char *d = dump(c2);
            bool ok = strcmp(d, states[done]) == 0 ||
                      (keep && broken && done < 3 && strcmp(d, states[done + 1]) == 0);
            if (!ok)
                fail_msg("call %zu (%s): after %d commits the store holds \"%s\", expected \"%s\"", n,
                         keep ? "keep" : "once", done, d, states[done]);
            free(d);
            svcq_ctx_free(c2);
        }
    }
    /* open, lock, same, unlink, size, write, sync, syncdir, ... */
    assert_true(points >= 20);
    test_rmtree(dir);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conformance),
        cmocka_unit_test(options_init_matches_macro),
        cmocka_unit_test(open_errors),
        cmocka_unit_test(lock_same_process),
        cmocka_unit_test(lock_two_processes),
        cmocka_unit_test(ownership),
        cmocka_unit_test(foreign_context_refused),
        cmocka_unit_test(recovery_and_compaction),
        cmocka_unit_test(damage_under_an_open_store),
        cmocka_unit_test(durability_modes),
        cmocka_unit_test(every_system_call_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
