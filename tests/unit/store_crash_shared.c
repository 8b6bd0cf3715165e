/* A process with 16 threads committing to one shared file store (durable
 * mode, group commit) is killed with SIGKILL at random moments (fixed
 * seeds, several rounds, each round going on from the journal the last
 * one left). Each thread reports every commit that returned OK on a pipe;
 * after each kill the parent reopens the journal and must find every
 * reported commit, and for each thread exactly a prefix of its commits (a
 * thread commits one after the other, so a later commit can never be
 * there without an earlier one). The opener compacts the journal every
 * few milliseconds meanwhile.
 *
 * What this proves, honestly: SIGKILL loses nothing acknowledged because
 * a commit returns only after its pwrite, so its data is in the page cache
 * and the kernel writes it out although the process is gone. It does not
 * test a power loss, which is what the group's fdatasync is for (a commit
 * returns only after the sync covering its end offset succeeded;
 * tests/unit/store_shared.c checks that ordering with a held sync). */
#include <pthread.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "svcq.h"
#include "test_fs.h"

#define THREADS 16
#define ROUNDS 6
#define MAX_COMMITS 100000 /* per thread and round: never reached */

typedef struct ack {
    uint16_t round;
    uint16_t thread;
    uint32_t n;
} ack;

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* ---- the child ----------------------------------------------------------------- */

typedef struct cthread {
    svcq_ctx *ctx;
    int round, index, fd;
    pthread_barrier_t *start;
} cthread;

/* Commit n of a thread: creates r<round>-t<t>-<n> = n and sets t<t> = n. */
static int commit_n(svcq_ctx *ctx, int round, int t, uint32_t n)
{
    char id[48], text[32];
    svcq__tx tx;
    int rc = svcq__tx_begin(ctx, &tx);
    uint64_t rev = 0, nr;
    int len = snprintf(text, sizeof(text), "%u", (unsigned)n);
    snprintf(id, sizeof(id), "r%d-t%02d-%u", round, t, (unsigned)n);
    if (!rc)
        rc = svcq__store_put(ctx, "k", id, 0, text, (size_t)len, &nr);
    snprintf(id, sizeof(id), "t%02d", t);
    char *b = NULL;
    size_t sz;
    int g = rc ? rc : svcq__store_get(ctx, "last", id, &b, &sz, &rev);
    svcq__free(ctx, b);
    if (g == SVCQ_ENOTFOUND)
        rev = 0;
    else if (g)
        rc = g;
    snprintf(text, sizeof(text), "%d:%u", round, (unsigned)n);
    if (!rc)
        rc = svcq__store_put(ctx, "last", id, rev, text, strlen(text), &nr);
    return svcq__tx_end(ctx, &tx, rc);
}

static void *child_thread(void *arg)
{
    cthread *c = arg;
    pthread_barrier_wait(c->start);
    for (uint32_t n = 1; n < MAX_COMMITS; n++) {
        if (commit_n(c->ctx, c->round, c->index, n) != SVCQ_OK)
            _exit(3);
        ack a = { (uint16_t)c->round, (uint16_t)c->index, n };
        if (write(c->fd, &a, sizeof(a)) != (ssize_t)sizeof(a)) /* atomic: below PIPE_BUF */
            _exit(4);
    }
    return NULL;
}

static void child(const char *path, int round, int fd)
{
    svcq_ctx *octx;
    svcq_store_file *fs;
    if (svcq_ctx_new(&octx, NULL) != SVCQ_OK || svcq_store_file_open(&fs, octx, path, NULL) != SVCQ_OK)
        _exit(2);
    static cthread c[THREADS];
    pthread_t t[THREADS];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, THREADS);
    for (int i = 0; i < THREADS; i++) {
        svcq_store_methods m;
        if (svcq_ctx_new(&c[i].ctx, NULL) != SVCQ_OK || svcq_store_file_attach(&m, fs, c[i].ctx) != SVCQ_OK ||
            svcq_ctx_set_store(c[i].ctx, &m) != SVCQ_OK)
            _exit(2);
        c[i].round = round;
        c[i].index = i;
        c[i].fd = fd;
        c[i].start = &start;
        if (pthread_create(&t[i], NULL, child_thread, &c[i]) != 0)
            _exit(2);
    }
    /* Meanwhile the opener compacts now and then, so kills also land in
     * the middle of a compaction. */
    for (;;) {
        struct timespec ts = { 0, 3 * 1000 * 1000 };
        nanosleep(&ts, NULL);
        if (svcq_store_file_compact(fs) != SVCQ_OK)
            _exit(5);
    }
}

/* ---- the parent ---------------------------------------------------------------- */

static int get_text(svcq_ctx *ctx, const char *kind, const char *id, char *out, size_t cap)
{
    char *b = NULL;
    size_t n;
    uint64_t rev;
    int rc = svcq__store_get(ctx, kind, id, &b, &n, &rev);
    if (!rc)
        snprintf(out, cap, "%s", b);
    svcq__free(ctx, b);
    return rc;
}

static void sigkill_sixteen_committing_threads(void **state)
{
    (void)state;
    char *dir = test_tmpdir("kill16");
    char *path = test_path(dir, "journal");
    uint64_t seed = 0x16C0FFEEull;
    uint64_t total_acked = 0, total_beyond = 0;
    for (int round = 1; round <= ROUNDS; round++) {
        int p[2];
        assert_int_equal(pipe(p), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(p[0]);
            child(path, round, p[1]);
        }
        close(p[1]);
        uint32_t acked[THREADS] = { 0 };
        uint64_t count = 0, target = 200 + xorshift(&seed) % 800;
        ack a;
        while (count < target && read(p[0], &a, sizeof(a)) == (ssize_t)sizeof(a)) {
            assert_int_equal(a.round, round);
            assert_true(a.thread < THREADS);
            assert_int_equal(a.n, acked[a.thread] + 1); /* one thread's commits in order */
            acked[a.thread] = a.n;
            count++;
        }
        assert_int_equal(count, target);
        struct timespec ts = { 0, (long)(xorshift(&seed) % 5000) * 1000 };
        nanosleep(&ts, NULL);
        assert_int_equal(kill(pid, SIGKILL), 0);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
            fail_msg("round %d: the child ended with status 0x%x before it was killed", round, status);
        while (read(p[0], &a, sizeof(a)) == (ssize_t)sizeof(a)) {
            assert_int_equal(a.n, acked[a.thread] + 1);
            acked[a.thread] = a.n;
            count++;
        }
        close(p[0]);

        /* Reopen: every acknowledged commit, and per thread a prefix. */
        svcq_ctx *ctx;
        assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
        svcq_store_file *fs;
        if (svcq_store_file_open(&fs, ctx, path, NULL) != SVCQ_OK)
            fail_msg("round %d: reopen: %s", round, svcq_ctx_errmsg(ctx));
        svcq_store_methods m;
        assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
        assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
        for (int t = 0; t < THREADS; t++) {
            char id[48], text[64];
            snprintf(id, sizeof(id), "t%02d", t);
            uint32_t held = 0;
            if (get_text(ctx, "last", id, text, sizeof(text)) == SVCQ_OK) {
                int r;
                unsigned n;
                assert_int_equal(sscanf(text, "%d:%u", &r, &n), 2);
                held = r == round ? n : 0;
            }
            /* Killed between a commit's return and its report, one more
             * than reported may be there. */
            if (held < acked[t] || held > acked[t] + 1)
                fail_msg("round %d thread %d: the journal holds %u commits, %u were acknowledged", round, t,
                         (unsigned)held, (unsigned)acked[t]);
            total_beyond += held - acked[t];
            for (uint32_t n = 1; n <= held + 1; n++) {
                snprintf(id, sizeof(id), "r%d-t%02d-%u", round, t, (unsigned)n);
                int rc = get_text(ctx, "k", id, text, sizeof(text));
                if (n <= held && (rc != SVCQ_OK || (uint32_t)atoi(text) != n))
                    fail_msg("round %d thread %d: commit %u is missing (%d)", round, t, (unsigned)n, rc);
                if (n == held + 1 && rc != SVCQ_ENOTFOUND)
                    fail_msg("round %d thread %d: commit %u is there without the 'last' record saying so",
                             round, t, (unsigned)n);
            }
        }
        total_acked += count;
        svcq_ctx_free(ctx);
    }
    print_message("%d rounds killed; %llu commits acknowledged and found; %llu more found than acknowledged\n",
                  ROUNDS, (unsigned long long)total_acked, (unsigned long long)total_beyond);
    test_rmtree(dir);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sigkill_sixteen_committing_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
