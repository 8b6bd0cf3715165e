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
 * and the kernel writes it out although the process is gone. It says
 * nothing about a power loss, which is what the group's fdatasync is for.
 *
 * The second test models that: the journal's system calls keep an image
 * of what the disk would hold — a write becomes durable only through an
 * fdatasync that began after it — and the power goes at random moments
 * while 16 threads commit. Each image, opened as a journal, must hold every
 * commit acknowledged before that moment (and a prefix of each thread's).
 * A store that let a commit return before a sync covering its end offset
 * fails it (tried: counting as durable what was appended during the sync),
 * while the SIGKILL test does not notice. */
#include <pthread.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/filestore.h"
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

/* ---- a power loss at random moments ------------------------------------------------ */

/* The journal's system calls with a model of the disk: every write goes to
 * the real file (so reads work) and is also queued; an fdatasync makes the
 * writes queued before it began durable, in order, in an image of what a
 * power loss would leave. Writes during the sync are not covered (a real
 * disk might keep them; nothing may rely on it). */
typedef struct pl_op {
    uint64_t off;
    size_t n;
    unsigned char *data; /* NULL: a truncate to off */
} pl_op;

typedef struct powerfail {
    pthread_mutex_t mu;
    unsigned char *img; /* the durable file */
    size_t len, cap;
    pl_op *ops;         /* queued since the last sync */
    size_t nops, opcap;
    uint64_t syncs;
} powerfail;

static void pl_queue(powerfail *p, uint64_t off, const void *data, size_t n)
{
    pthread_mutex_lock(&p->mu);
    if (p->nops == p->opcap) {
        p->opcap = p->opcap ? p->opcap * 2 : 64;
        p->ops = realloc(p->ops, p->opcap * sizeof(*p->ops));
    }
    pl_op *o = &p->ops[p->nops++];
    o->off = off;
    o->n = n;
    o->data = NULL;
    if (data) {
        o->data = malloc(n ? n : 1);
        memcpy(o->data, data, n);
    }
    pthread_mutex_unlock(&p->mu);
}

static void pl_apply(powerfail *p, const pl_op *o)
{
    if (!o->data) {
        if (o->off < p->len)
            p->len = (size_t)o->off;
        return;
    }
    size_t end = (size_t)o->off + o->n;
    if (end > p->cap) {
        p->cap = end * 2;
        p->img = realloc(p->img, p->cap);
    }
    if (o->off > p->len)
        memset(p->img + p->len, 0, (size_t)o->off - p->len);
    memcpy(p->img + o->off, o->data, o->n);
    if (end > p->len)
        p->len = end;
}

#define PX (&svcq__fio_posix)
static int pl_open(const char *path, int flags, void *ud) { (void)ud; return PX->open(path, flags, NULL); }
static int pl_close(int fd, void *ud) { (void)ud; return PX->close(fd, NULL); }
static ssize_t pl_pread(int fd, void *b, size_t n, uint64_t o, void *ud) { (void)ud; return PX->pread(fd, b, n, o, NULL); }
static ssize_t pl_pwrite(int fd, const void *b, size_t n, uint64_t o, void *ud)
{
    ssize_t w = PX->pwrite(fd, b, n, o, NULL);
    if (w > 0)
        pl_queue(ud, o, b, (size_t)w);
    return w;
}
static int pl_datasync(int fd, void *ud)
{
    (void)fd;
    powerfail *p = ud;
    pthread_mutex_lock(&p->mu);
    size_t k = p->nops;
    pthread_mutex_unlock(&p->mu);
    sched_yield(); /* the disk takes its time: let others write meanwhile */
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < k; i++) {
        pl_apply(p, &p->ops[i]);
        free(p->ops[i].data);
    }
    memmove(p->ops, p->ops + k, (p->nops - k) * sizeof(*p->ops));
    p->nops -= k;
    p->syncs++;
    pthread_mutex_unlock(&p->mu);
    return 0;
}
static int pl_truncate(int fd, uint64_t s, void *ud)
{
    int r = PX->truncate(fd, s, NULL);
    if (r == 0)
        pl_queue(ud, s, NULL, 0);
    return r;
}
static int pl_size(int fd, uint64_t *s, void *ud) { (void)ud; return PX->size(fd, s, NULL); }
static int pl_lock(int fd, void *ud) { (void)ud; return PX->lock(fd, NULL); }
static int pl_same(int fd, const char *p, void *ud) { (void)ud; return PX->same(fd, p, NULL); }
static int pl_rename(const char *a, const char *b, void *ud) { (void)ud; return PX->rename(a, b, NULL); }
static int pl_unlink(const char *p, void *ud) { (void)ud; return PX->unlink(p, NULL); }
static int pl_syncdir(const char *d, void *ud) { (void)ud; return PX->syncdir(d, NULL); }

typedef struct plthread {
    svcq_ctx *ctx;
    int index;
    atomic_uint acked;   /* commits returned OK, in order */
    atomic_bool *stop;
    pthread_barrier_t *start;
    int failed;
} plthread;

static void *pl_thread(void *arg)
{
    plthread *c = arg;
    pthread_barrier_wait(c->start);
    for (uint32_t n = 1; !atomic_load(c->stop) && n < MAX_COMMITS; n++) {
        int rc = commit_n(c->ctx, 1, c->index, n);
        if (rc) {
            c->failed = rc;
            return NULL;
        }
        atomic_store(&c->acked, n);
    }
    return NULL;
}

#define SNAPSHOTS 12

typedef struct snapshot {
    unsigned char *img;
    size_t len;
    uint32_t acked[THREADS];
} snapshot;

/* Checks a power-loss image: every commit acknowledged before the power
 * went is there, and each thread's commits form a prefix. */
static void check_image(const snapshot *s, const char *copy, int which)
{
    assert_int_equal(test_write_file(copy, s->img, s->len), 0);
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_store_file *fs;
    if (svcq_store_file_open(&fs, ctx, copy, NULL) != SVCQ_OK)
        fail_msg("power loss %d: open: %s", which, svcq_ctx_errmsg(ctx));
    svcq_store_methods m;
    assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    for (int t = 0; t < THREADS; t++) {
        char id[48], text[64];
        snprintf(id, sizeof(id), "t%02d", t);
        unsigned held = 0;
        int r;
        if (get_text(ctx, "last", id, text, sizeof(text)) == SVCQ_OK)
            assert_int_equal(sscanf(text, "%d:%u", &r, &held), 2);
        if (held < s->acked[t])
            fail_msg("power loss %d, thread %d: %u commits survive, %u were acknowledged", which, t, held,
                     (unsigned)s->acked[t]);
        for (uint32_t n = 1; n <= held + 1; n++) {
            snprintf(id, sizeof(id), "r1-t%02d-%u", t, (unsigned)n);
            int rc = get_text(ctx, "k", id, text, sizeof(text));
            if ((n <= held) != (rc == SVCQ_OK))
                fail_msg("power loss %d, thread %d: commit %u %s", which, t, (unsigned)n,
                         n <= held ? "is missing" : "is there without its 'last' record");
        }
    }
    svcq_ctx_free(ctx);
}

static void power_loss_at_random_moments(void **state)
{
    (void)state;
    char *dir = test_tmpdir_mem("powerloss");
    char *path = test_path(dir, "journal");
    char *copy = test_path(dir, "image");
    powerfail p;
    memset(&p, 0, sizeof(p));
    pthread_mutex_init(&p.mu, NULL);
    svcq__fio io = { pl_open, pl_close, pl_pread, pl_pwrite, pl_datasync, pl_truncate, pl_size, pl_lock,
                     pl_same, pl_rename, pl_unlink, pl_syncdir, &p };
    svcq_ctx *octx;
    assert_int_equal(svcq_ctx_new(&octx, NULL), SVCQ_OK);
    svcq_store_file *fs;
    assert_int_equal(svcq__fstore_open_io(&fs, octx, path, NULL, &io), SVCQ_OK); /* SVCQ_STORE_SYNC_FULL */
    static plthread c[THREADS];
    pthread_t t[THREADS];
    atomic_bool stop;
    atomic_init(&stop, false);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, THREADS + 1);
    for (int i = 0; i < THREADS; i++) {
        svcq_store_methods m;
        assert_int_equal(svcq_ctx_new(&c[i].ctx, NULL), SVCQ_OK);
        assert_int_equal(svcq_store_file_attach(&m, fs, c[i].ctx), SVCQ_OK);
        assert_int_equal(svcq_ctx_set_store(c[i].ctx, &m), SVCQ_OK);
        c[i].index = i;
        atomic_init(&c[i].acked, 0);
        c[i].stop = &stop;
        c[i].start = &start;
        c[i].failed = 0;
        assert_int_equal(pthread_create(&t[i], NULL, pl_thread, &c[i]), 0);
    }
    pthread_barrier_wait(&start);
    static snapshot snaps[SNAPSHOTS];
    uint64_t seed = 0xB1ACC0FFull;
    for (int k = 0; k < SNAPSHOTS; k++) {
        struct timespec ts = { 0, (long)(xorshift(&seed) % 4000) * 1000 };
        nanosleep(&ts, NULL);
        /* The power goes: the acknowledged commits first, then the disk. */
        pthread_mutex_lock(&p.mu);
        for (int i = 0; i < THREADS; i++)
            snaps[k].acked[i] = atomic_load(&c[i].acked);
        snaps[k].len = p.len;
        snaps[k].img = malloc(p.len ? p.len : 1);
        memcpy(snaps[k].img, p.img, p.len);
        pthread_mutex_unlock(&p.mu);
    }
    atomic_store(&stop, true);
    uint32_t total = 0;
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        if (c[i].failed)
            fail_msg("thread %d: commit failed: %s", i, svcq_ctx_errmsg(c[i].ctx));
        total += atomic_load(&c[i].acked);
        svcq_ctx_free(c[i].ctx);
    }
    pthread_barrier_destroy(&start);
    assert_int_equal(svcq_store_file_close(fs), SVCQ_OK);
    uint32_t acked_at_last = 0;
    for (int i = 0; i < THREADS; i++)
        acked_at_last += snaps[SNAPSHOTS - 1].acked[i];
    for (int k = 0; k < SNAPSHOTS; k++) {
        check_image(&snaps[k], copy, k);
        free(snaps[k].img);
    }
    print_message("%d power losses checked; %u commits acknowledged by the last one, %u in all, %llu syncs\n",
                  SNAPSHOTS, (unsigned)acked_at_last, (unsigned)total, (unsigned long long)p.syncs);
    assert_true(acked_at_last > 0);
    for (size_t i = 0; i < p.nops; i++)
        free(p.ops[i].data);
    free(p.ops);
    free(p.img);
    pthread_mutex_destroy(&p.mu);
    svcq_ctx_free(octx);
    test_rmtree(dir);
    free(copy);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sigkill_sixteen_committing_threads),
        cmocka_unit_test(power_loss_at_random_moments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
