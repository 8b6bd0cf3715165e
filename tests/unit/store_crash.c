/* Crash consistency of the file store.
 *
 * 1. A known sequence of transactions is written; then for every byte
 *    offset of the journal a copy is cut there, and separately a byte is
 *    flipped there, and the copy is opened: it must hold exactly the
 *    transactions committed wholly before the damage.
 * 2. A writer child is killed with SIGKILL at many moments (fixed seed);
 *    each time the journal must hold exactly a prefix of the child's
 *    transactions, at least as long as what the child had reported
 *    committed. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/journal.h"
#include "store/store.h"
#include "svcq.h"
#include "test_fs.h"

#define NTX 24

/* ---- helpers ------------------------------------------------------------------ */

static int attach(svcq_ctx *ctx, const char *path, int32_t durability, svcq_store_file **out)
{
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.durability = durability;
    svcq_store_file *fs;
    int rc = svcq_store_file_open(&fs, ctx, path, &o);
    if (rc)
        return rc;
    svcq_store_methods m;
    assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    if (out)
        *out = fs;
    return SVCQ_OK;
}

typedef struct text {
    char buf[8192];
    size_t len;
} text;

static int dump_visit(svcq_ctx *ctx, const char *id, uint64_t rev, const char *bytes, size_t size, void *ud)
{
    (void)ctx;
    text *t = ud;
    t->len += (size_t)snprintf(t->buf + t->len, sizeof(t->buf) - t->len, "%s=%.*s@%llu\n", id, (int)size, bytes,
                               (unsigned long long)rev);
    return 0;
}

static int cmp_line(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every record of kinds k and j, one sorted line each. */
static char *dump(svcq_ctx *ctx)
{
    text *t = calloc(1, sizeof(*t));
    static const char *const kinds[] = { "k", "j" };
    char *out = calloc(1, sizeof(t->buf) + 8);
    for (int i = 0; i < 2; i++) {
        t->len = 0;
        t->buf[0] = '\0';
        int rc = svcq__store_scan(ctx, kinds[i], dump_visit, t);
        if (rc)
            fail_msg("scan: %s", svcq_ctx_errmsg(ctx));
        char *lines[256];
        size_t n = 0;
        for (char *p = strtok(t->buf, "\n"); p && n < 256; p = strtok(NULL, "\n"))
            lines[n++] = p;
        qsort(lines, n, sizeof(lines[0]), cmp_line);
        for (size_t j = 0; j < n; j++) {
            strcat(out, kinds[i]);
            strcat(out, ":");
            strcat(out, lines[j]);
            strcat(out, ";");
        }
    }
    free(t);
    return out;
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (uint64_t)st.st_size;
}

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* ---- the known sequence --------------------------------------------------------- */

/* Transaction i (1-based): a mix of creates, updates, removes and sizes,
 * one to four operations, reading revisions through the store. */
static int write_tx(svcq_ctx *ctx, int i)
{
    svcq__tx tx;
    int rc = svcq__tx_begin(ctx, &tx);
    char id[16], val[128];
    int ops = 1 + i % 4;
    for (int k = 0; k < ops && !rc; k++) {
        snprintf(id, sizeof(id), "r%d", (i * 7 + k * 3) % 9);
        const char *kind = (i + k) % 3 ? "k" : "j";
        char *old = NULL;
        size_t n;
        uint64_t rev = 0;
        int g = svcq__store_get(ctx, kind, id, &old, &n, &rev);
        svcq__free(ctx, old);
        if (g != SVCQ_OK && g != SVCQ_ENOTFOUND) {
            rc = g;
            break;
        }
        if (g == SVCQ_OK && (i + k) % 5 == 0) {
            rc = svcq__store_remove(ctx, kind, id, rev);
        } else {
            int len = snprintf(val, sizeof(val), "tx%d op%d %.*s", i, k, (i * 13 + k) % 60,
                               "------------------------------------------------------------");
            uint64_t nr;
            rc = svcq__store_put(ctx, kind, id, rev, val, (size_t)len, &nr);
        }
    }
    return svcq__tx_end(ctx, &tx, rc);
}

static void cut_and_flip_every_byte(void **state)
{
    (void)state;
    char *dir = test_tmpdir_mem("crash");
    char *path = test_path(dir, "j");
    char *copy = test_path(dir, "copy");
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    assert_int_equal(attach(ctx, path, SVCQ_STORE_SYNC_NONE, NULL), SVCQ_OK);
    char *states[NTX + 1];
    uint64_t ends[NTX + 1];
    states[0] = dump(ctx);
    ends[0] = SVCQ__JNL_HEADER_SIZE;
    for (int i = 1; i <= NTX; i++) {
        assert_int_equal(write_tx(ctx, i), SVCQ_OK);
        states[i] = dump(ctx);
        ends[i] = file_size(path);
        assert_true(ends[i] > ends[i - 1]);
    }
    assert_int_equal(svcq_ctx_set_store(ctx, NULL), SVCQ_OK);
    size_t size;
    unsigned char *data = test_read_file(path, &size);
    assert_non_null(data);
    assert_int_equal(size, ends[NTX]);
    /* A few KiB, so that every offset takes seconds in all. */
    assert_true(size > 2000 && size < 8000);

    /* A synced store writes into zeros it reserved ahead, so a crash can
     * also leave a torn journal followed by zeros: modes 3 and 4. */
    enum { TAIL = 512 };
    unsigned char *buf = calloc(1, size + TAIL);
    assert_non_null(buf);
    size_t checked = 0;
    for (int mode = 0; mode < 5; mode++) {
        size_t limit = mode == 4 ? size + TAIL : size;
        for (size_t o = 0; o < limit; o++) {
            /* 0: cut at o; 1: flip all bits of byte o; 2: flip its low bit;
             * 3: cut at o, then zeros; 4: zeros after the end, byte o flipped */
            size_t len;
            memset(buf, 0, size + TAIL);
            if (mode == 0 || mode == 3) {
                memcpy(buf, data, o);
                len = mode == 0 ? o : o + TAIL;
            } else {
                memcpy(buf, data, size);
                buf[o] ^= mode == 2 ? 0x01 : 0xFF;
                len = mode == 4 ? size + TAIL : size;
            }
            assert_int_equal(test_write_file(copy, buf, len), 0);
            /* What must survive: the transactions whose bytes, up to the
             * end of their commit frame, are all still there unchanged.
             * (A cut can remove zero bytes that the zeros after it put
             * back: then nothing was lost.) */
            int k = 0;
            while (k < NTX && ends[k + 1] <= len && memcmp(buf, data, ends[k + 1]) == 0)
                k++;
            bool header = len < SVCQ__JNL_HEADER_SIZE || memcmp(buf, data, SVCQ__JNL_HEADER_SIZE) != 0;
            if (mode != 0)
                assert_true(k == NTX || o < ends[k + 1]);
            svcq_store_file *fs = NULL;
            int rc = attach(ctx, copy, SVCQ_STORE_SYNC_NONE, &fs);
            if (header && len >= SVCQ__JNL_HEADER_SIZE) {
                /* A damaged header (or zeros in it): not a journal this
                 * library wrote; refused, and the file left as it is. */
                if (rc != SVCQ_ECORRUPT)
                    fail_msg("mode %d offset %zu: open returned %d: %s", mode, o, rc, svcq_ctx_errmsg(ctx));
                assert_int_equal(file_size(copy), len);
                continue;
            }
            if (rc != SVCQ_OK)
                fail_msg("mode %d offset %zu: open failed: %s", mode, o, svcq_ctx_errmsg(ctx));
            char *d = dump(ctx);
            if (strcmp(d, states[k]) != 0)
                fail_msg("mode %d offset %zu: holds\n%s\nexpected the %d transactions before it:\n%s", mode, o, d,
                         k, states[k]);
            free(d);
            svcq_store_file_stats st = SVCQ_STORE_FILE_STATS_INIT;
            assert_int_equal(svcq_store_file_stats_get(&st, fs), SVCQ_OK);
            assert_int_equal(st.transactions, (uint64_t)k);
            uint64_t end = header ? SVCQ__JNL_HEADER_SIZE : ends[k];
            assert_int_equal(st.file_bytes, end);
            /* Nothing is dropped when all that follows the last commit is
             * zeros; else everything after it is. */
            bool clean = true;
            for (size_t i = ends[k]; i < len; i++)
                clean = clean && buf[i] == 0;
            if (!header)
                assert_int_equal(st.recovered_dropped_bytes, clean ? 0 : len - end);
            /* Now and then: the recovered store goes on, and reopens. */
            if (o % 61 == 0) {
                assert_int_equal(write_tx(ctx, k + 1), SVCQ_OK);
                char *more = dump(ctx);
                assert_int_equal(svcq_ctx_set_store(ctx, NULL), SVCQ_OK);
                assert_int_equal(attach(ctx, copy, SVCQ_STORE_SYNC_NONE, NULL), SVCQ_OK);
                d = dump(ctx);
                assert_string_equal(d, more);
                if (k + 1 <= NTX)
                    assert_string_equal(d, states[k + 1]);
                free(d);
                free(more);
            }
            assert_int_equal(svcq_ctx_set_store(ctx, NULL), SVCQ_OK);
            checked++;
        }
    }
    free(buf);
    assert_true(checked > 4 * size);
    free(data);
    for (int i = 0; i <= NTX; i++)
        free(states[i]);
    svcq_ctx_free(ctx);
    test_rmtree(dir);
    free(copy);
    free(path);
    free(dir);
}

/* ---- a writer killed at many moments ---------------------------------------------- */

#define SLOTS 8

/* The writer's transaction i, as the child runs it through the store and
 * as the parent's model replays it. */
typedef struct model {
    bool present[SLOTS];
    int value[SLOTS];
    uint64_t rev[SLOTS];
    uint64_t meta_rev;
    uint64_t counter; /* the store's revision counter */
} model;

static void model_apply(model *m, int i)
{
    int a = i % SLOTS;
    m->present[a] = true;
    m->value[a] = i;
    m->rev[a] = ++m->counter;
    int b = (i * 5 + 1) % SLOTS;
    if (i % 3 == 0 && b != a && m->present[b])
        m->present[b] = false;
    m->meta_rev = ++m->counter;
}

static char *model_dump(const model *m, int n)
{
    char *out = calloc(1, 4096);
    char line[64];
    for (int s = 0; s < SLOTS; s++) {
        /* k:id<s>, sorted as dump() sorts them (ids s0..s7) */
        if (m->present[s]) {
            snprintf(line, sizeof(line), "k:s%d=v%d@%llu;", s, m->value[s], (unsigned long long)m->rev[s]);
            strcat(out, line);
        }
    }
    if (n > 0) {
        snprintf(line, sizeof(line), "j:n=%d@%llu;", n, (unsigned long long)m->meta_rev);
        strcat(out, line);
    }
    return out;
}

static int child_tx(svcq_ctx *ctx, int i)
{
    svcq__tx tx;
    int rc = svcq__tx_begin(ctx, &tx);
    char id[8], val[16];
    char *b = NULL;
    size_t n;
    uint64_t rev = 0, nr;
    int a = i % SLOTS;
    snprintf(id, sizeof(id), "s%d", a);
    int g = rc ? rc : svcq__store_get(ctx, "k", id, &b, &n, &rev);
    svcq__free(ctx, b);
    if (g == SVCQ_ENOTFOUND)
        rev = 0;
    else if (g)
        rc = g;
    snprintf(val, sizeof(val), "v%d", i);
    if (!rc)
        rc = svcq__store_put(ctx, "k", id, rev, val, strlen(val), &nr);
    int bslot = (i * 5 + 1) % SLOTS;
    if (!rc && i % 3 == 0 && bslot != a) {
        snprintf(id, sizeof(id), "s%d", bslot);
        b = NULL;
        g = svcq__store_get(ctx, "k", id, &b, &n, &rev);
        svcq__free(ctx, b);
        if (g == SVCQ_OK)
            rc = svcq__store_remove(ctx, "k", id, rev);
        else if (g != SVCQ_ENOTFOUND)
            rc = g;
    }
    if (!rc) {
        b = NULL;
        g = svcq__store_get(ctx, "j", "n", &b, &n, &rev);
        svcq__free(ctx, b);
        if (g == SVCQ_ENOTFOUND)
            rev = 0;
        else if (g)
            rc = g;
    }
    snprintf(val, sizeof(val), "%d", i);
    if (!rc)
        rc = svcq__store_put(ctx, "j", "n", rev, val, strlen(val), &nr);
    return svcq__tx_end(ctx, &tx, rc);
}

/* The child: opens the journal, goes on from its last transaction, and
 * reports each commit on fd; compacts now and then. Never returns. */
static void writer(const char *path, int fd)
{
    svcq_ctx *ctx;
    svcq_store_file *fs;
    if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK || attach(ctx, path, SVCQ_STORE_SYNC_FULL, &fs) != SVCQ_OK)
        _exit(2);
    char *b = NULL;
    size_t n;
    uint64_t rev;
    int i = 0;
    if (svcq__store_get(ctx, "j", "n", &b, &n, &rev) == SVCQ_OK)
        i = atoi(b);
    svcq__free(ctx, b);
    for (;;) {
        i++;
        if (child_tx(ctx, i) != SVCQ_OK)
            _exit(3);
        if (write(fd, &i, sizeof(i)) != (ssize_t)sizeof(i))
            _exit(4);
        if (i % 16 == 0 && svcq_store_file_compact(fs) != SVCQ_OK)
            _exit(5);
    }
}

static void sigkill_a_writer(void **state)
{
    (void)state;
    char *dir = test_tmpdir("kill");
    char *path = test_path(dir, "j");
    uint64_t seed = 0x5EEDF00Dull;
    int committed = 0; /* what the journal holds after the last kill */
    int kills = 0, beyond = 0;
    for (int round = 0; round < 30; round++) {
        int p[2];
        assert_int_equal(pipe(p), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(p[0]);
            writer(path, p[1]);
        }
        close(p[1]);
        /* Let it commit a few, then kill it a random moment later. */
        int target = committed + 1 + (int)(xorshift(&seed) % 12);
        int reported = committed, got;
        while (reported < target && read(p[0], &got, sizeof(got)) == (ssize_t)sizeof(got))
            reported = got;
        assert_int_equal(reported, target);
        struct timespec ts = { 0, (long)(xorshift(&seed) % 3000) * 1000 };
        nanosleep(&ts, NULL);
        assert_int_equal(kill(pid, SIGKILL), 0);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        while (read(p[0], &got, sizeof(got)) == (ssize_t)sizeof(got))
            reported = got;
        close(p[0]);
        kills++;

        /* The journal holds exactly transactions 1..n, n >= reported. */
        svcq_ctx *ctx;
        assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
        if (attach(ctx, path, SVCQ_STORE_SYNC_FULL, NULL) != SVCQ_OK)
            fail_msg("round %d: reopen: %s", round, svcq_ctx_errmsg(ctx));
        char *b = NULL;
        size_t n;
        uint64_t rev;
        assert_int_equal(svcq__store_get(ctx, "j", "n", &b, &n, &rev), SVCQ_OK);
        int held = atoi(b);
        svcq__free(ctx, b);
        /* Killed after a commit returned and before its report was
         * written, one more than reported may be there. */
        if (held < reported || held > reported + 1)
            fail_msg("round %d: the journal holds %d transactions, the writer reported %d", round, held,
                     reported);
        beyond += held > reported;
        model m;
        memset(&m, 0, sizeof(m));
        for (int i = 1; i <= held; i++)
            model_apply(&m, i);
        char *want = model_dump(&m, held);
        char *d = dump(ctx);
        if (strcmp(d, want) != 0)
            fail_msg("round %d after %d transactions: holds\n%s\nexpected\n%s", round, held, d, want);
        free(d);
        free(want);
        svcq_ctx_free(ctx);
        committed = held;
    }
    assert_int_equal(kills, 30);
    assert_true(committed >= 30);
    print_message("killed the writer %d times; %d transactions committed; %d time(s) a commit was written but not yet reported "
                  "when killed\n", kills, committed, beyond);
    test_rmtree(dir);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cut_and_flip_every_byte),
        cmocka_unit_test(sigkill_a_writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
