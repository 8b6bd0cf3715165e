/* Store benchmarks, one JSON line per figure (built with -DSVCQ_BENCH_SQLITE
 * when libsqlite3 is found, SQLite is measured beside the file store's
 * synced mode on the same records, alternating rounds so that both see the
 * same load of the machine):
 * - memory store: puts and gets per second, through the record layer;
 * - file store: committed transactions per second of 1 KiB records in each
 *   durability mode, one record and 1,000 records per transaction, beside
 *   SQLite's figures on this kind of machine (WAL, synchronous=FULL: about
 *   4,400 one-record transactions/s and 96,000 rows/s in 1,000-row ones);
 * - recovery (open) of a 100 MiB journal;
 * - compaction throughput.
 * Files go to a temporary directory under $TMPDIR (or /tmp), removed at the
 * end. SVCQ_BENCH_QUICK=1 shrinks every size (for a smoke run). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "svcq.h"

#ifdef SVCQ_BENCH_SQLITE
#include <sqlite3.h>
#endif

#define SQLITE_TX_PER_S 4400.0
#define SQLITE_ROWS_PER_S 96000.0

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(svcq_ctx *ctx, const char *what)
{
    fprintf(stderr, "store_bench: %s: %s\n", what, ctx ? svcq_ctx_errmsg(ctx) : "");
    exit(1);
}

static bool quick;

/* ---- files ---------------------------------------------------------------------- */

static char *test_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static char *make_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    char *path = malloc(strlen(base) + 32);
    if (!path)
        return NULL;
    sprintf(path, "%s/svcq-bench-XXXXXX", base);
    if (!mkdtemp(path)) {
        free(path);
        return NULL;
    }
    return path;
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            char *p = test_path(dir, e->d_name);
            if (p)
                unlink(p);
            free(p);
        }
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

/* ---- memory store ------------------------------------------------------------- */

static void bench_memory(void)
{
    svcq_ctx *ctx;
    if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
        die(NULL, "ctx");
    size_t n = quick ? 20000 : 200000;
    char value[256];
    memset(value, 'v', sizeof(value));
    char id[32];
    uint64_t *revs = calloc(n, sizeof(*revs));

    /* puts, 1,000 per transaction */
    double t0 = now_s();
    svcq__tx tx;
    for (size_t i = 0; i < n; i++) {
        if (i % 1000 == 0 && svcq__tx_begin(ctx, &tx) != SVCQ_OK)
            die(ctx, "begin");
        snprintf(id, sizeof(id), "rec-%zu", i);
        if (svcq__store_put(ctx, "bench", id, 0, value, sizeof(value), &revs[i]) != SVCQ_OK)
            die(ctx, "put");
        if (i % 1000 == 999 && svcq__tx_end(ctx, &tx, SVCQ_OK) != SVCQ_OK)
            die(ctx, "commit");
    }
    double t1 = now_s();
    printf("{\"bench\": \"store_memory_put\", \"records\": %zu, \"value_bytes\": %zu, \"records_per_tx\": 1000, "
           "\"ops_per_s\": %.0f}\n", n, sizeof(value), (double)n / (t1 - t0));

    /* updates, one per transaction */
    size_t m = n / 4;
    t0 = now_s();
    for (size_t i = 0; i < m; i++) {
        snprintf(id, sizeof(id), "rec-%zu", i);
        int rc = svcq__tx_begin(ctx, &tx);
        if (!rc)
            rc = svcq__store_put(ctx, "bench", id, revs[i], value, sizeof(value), &revs[i]);
        if (svcq__tx_end(ctx, &tx, rc) != SVCQ_OK)
            die(ctx, "update");
    }
    t1 = now_s();
    printf("{\"bench\": \"store_memory_put\", \"records\": %zu, \"value_bytes\": %zu, \"records_per_tx\": 1, "
           "\"ops_per_s\": %.0f}\n", m, sizeof(value), (double)m / (t1 - t0));

    /* gets in a scattered order */
    uint64_t x = 12345;
    t0 = now_s();
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        snprintf(id, sizeof(id), "rec-%zu", (size_t)(x % n));
        char *b;
        size_t size;
        uint64_t rev;
        if (svcq__store_get(ctx, "bench", id, &b, &size, &rev) != SVCQ_OK)
            die(ctx, "get");
        svcq__free(ctx, b);
    }
    t1 = now_s();
    printf("{\"bench\": \"store_memory_get\", \"records\": %zu, \"value_bytes\": %zu, \"ops_per_s\": %.0f}\n", n,
           sizeof(value), (double)n / (t1 - t0));
    free(revs);
    svcq_ctx_free(ctx);
}

/* ---- file store ---------------------------------------------------------------- */

static svcq_store_file *attach(svcq_ctx *ctx, const char *path, int32_t durability)
{
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.durability = durability;
    svcq_store_file *fs;
    if (svcq_store_file_open(&fs, ctx, path, &o) != SVCQ_OK)
        die(ctx, "open");
    svcq_store_methods m;
    if (svcq_store_file_methods(&m, fs) != SVCQ_OK || svcq_ctx_set_store(ctx, &m) != SVCQ_OK)
        die(ctx, "attach");
    return fs;
}

/* Commits ntx transactions of per_tx new 1 KiB records each. */
static void write_records(svcq_ctx *ctx, size_t first, size_t ntx, size_t per_tx, const char *value, size_t size)
{
    char id[32];
    uint64_t rev;
    for (size_t t = 0; t < ntx; t++) {
        svcq__tx tx;
        int rc = svcq__tx_begin(ctx, &tx);
        for (size_t r = 0; r < per_tx && !rc; r++) {
            snprintf(id, sizeof(id), "rec-%zu", first + t * per_tx + r);
            rc = svcq__store_put(ctx, "bench", id, 0, value, size, &rev);
        }
        if (svcq__tx_end(ctx, &tx, rc) != SVCQ_OK)
            die(ctx, "commit");
    }
}

static void bench_commits(const char *dir)
{
    static const struct {
        int32_t mode;
        const char *name;
    } modes[] = {
        { SVCQ_STORE_SYNC_FULL, "full" },
        { SVCQ_STORE_SYNC_GROUP, "group" },
        { SVCQ_STORE_SYNC_NONE, "none" },
    };
    char value[1024];
    for (size_t i = 0; i < sizeof(value); i++)
        value[i] = (char)('a' + i % 26);
    char *path = test_path(dir, "commits.svcq");
    for (size_t mi = 0; mi < 3; mi++) {
        for (int big = 0; big < 2; big++) {
            size_t per_tx = big ? 1000 : 1;
            size_t ntx = big ? (quick ? 10 : 100) : (modes[mi].mode == SVCQ_STORE_SYNC_FULL ? 3000 : 20000);
            if (quick && !big)
                ntx /= 10;
            remove(path);
            svcq_ctx *ctx;
            if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
                die(NULL, "ctx");
            attach(ctx, path, modes[mi].mode);
            /* a few to warm up */
            write_records(ctx, 1000000000, 3, per_tx, value, sizeof(value));
            double t0 = now_s();
            write_records(ctx, 0, ntx, per_tx, value, sizeof(value));
            double t1 = now_s();
            svcq_ctx_free(ctx);
            double txs = (double)ntx / (t1 - t0);
            printf("{\"bench\": \"store_file_commit\", \"durability\": \"%s\", \"records_per_tx\": %zu, "
                   "\"record_bytes\": %zu, \"transactions\": %zu, \"tx_per_s\": %.0f, \"records_per_s\": %.0f",
                   modes[mi].name, per_tx, sizeof(value), ntx, txs, txs * (double)per_tx);
            if (modes[mi].mode == SVCQ_STORE_SYNC_FULL)
                printf(", \"sqlite_wal_full_reference\": %.0f, \"vs_sqlite\": %.2f",
                       big ? SQLITE_ROWS_PER_S : SQLITE_TX_PER_S,
                       big ? txs * (double)per_tx / SQLITE_ROWS_PER_S : txs / SQLITE_TX_PER_S);
            printf("}\n");
            fflush(stdout);
        }
    }
    remove(path);
    free(path);
}

/* ---- beside SQLite ------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* One round of the file store in full mode: records/s. */
static double store_round(const char *path, size_t ntx, size_t per_tx, const char *value, size_t size)
{
    remove(path);
    svcq_ctx *ctx;
    if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
        die(NULL, "ctx");
    attach(ctx, path, SVCQ_STORE_SYNC_FULL);
    write_records(ctx, 1000000000, 3, per_tx, value, size);
    double t0 = now_s();
    write_records(ctx, 0, ntx, per_tx, value, size);
    double t1 = now_s();
    svcq_ctx_free(ctx);
    remove(path);
    return (double)(ntx * per_tx) / (t1 - t0);
}

#ifdef SVCQ_BENCH_SQLITE
static void sql(sqlite3 *db, const char *q)
{
    char *err = NULL;
    if (sqlite3_exec(db, q, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "store_bench: sqlite: %s: %s\n", q, err ? err : "?");
        exit(1);
    }
}

/* The same records in SQLite (WAL, synchronous=FULL): records/s. */
static double sqlite_round(const char *dir, size_t ntx, size_t per_tx, const char *value, size_t size)
{
    char *path = test_path(dir, "reference.sqlite");
    char *wal = test_path(dir, "reference.sqlite-wal"), *shm = test_path(dir, "reference.sqlite-shm");
    remove(path);
    remove(wal);
    remove(shm);
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die(NULL, "sqlite open");
    sql(db, "PRAGMA journal_mode=WAL");
    sql(db, "PRAGMA synchronous=FULL");
    sql(db, "CREATE TABLE record (kind TEXT, id TEXT, revision INTEGER, body BLOB, PRIMARY KEY (kind, id))");
    sqlite3_stmt *ins;
    if (sqlite3_prepare_v2(db, "INSERT INTO record VALUES ('bench', ?1, ?2, ?3)", -1, &ins, NULL) != SQLITE_OK)
        die(NULL, "sqlite prepare");
    char id[32];
    double t0 = 0;
    for (size_t t = 0; t < ntx + 3; t++) {
        if (t == 3)
            t0 = now_s(); /* after the same warm-up as the store's */
        sql(db, "BEGIN");
        for (size_t r = 0; r < per_tx; r++) {
            snprintf(id, sizeof(id), "rec-%zu", t * per_tx + r);
            sqlite3_bind_text(ins, 1, id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(ins, 2, 1);
            sqlite3_bind_blob(ins, 3, value, (int)size, SQLITE_STATIC);
            if (sqlite3_step(ins) != SQLITE_DONE)
                die(NULL, "sqlite insert");
            sqlite3_reset(ins);
        }
        sql(db, "COMMIT");
    }
    double t1 = now_s();
    sqlite3_finalize(ins);
    sqlite3_close(db);
    remove(path);
    remove(wal);
    remove(shm);
    free(path);
    free(wal);
    free(shm);
    return (double)(ntx * per_tx) / (t1 - t0);
}
#endif

/* The synced mode against SQLite: ROUNDS alternating rounds each, medians. */
#define ROUNDS 5
static void bench_versus_sqlite(const char *dir)
{
    char value[1024];
    for (size_t i = 0; i < sizeof(value); i++)
        value[i] = (char)('a' + i % 26);
    char *path = test_path(dir, "versus.svcq");
    for (int big = 0; big < 2; big++) {
        size_t per_tx = big ? 1000 : 1;
        size_t ntx = big ? (quick ? 3 : 20) : (quick ? 100 : 1000);
        double ours[ROUNDS], theirs[ROUNDS];
        int rounds = quick ? 1 : ROUNDS;
        for (int r = 0; r < rounds; r++) {
            ours[r] = store_round(path, ntx, per_tx, value, sizeof(value));
#ifdef SVCQ_BENCH_SQLITE
            theirs[r] = sqlite_round(dir, ntx, per_tx, value, sizeof(value));
#else
            theirs[r] = 0;
#endif
        }
        qsort(ours, (size_t)rounds, sizeof(double), cmp_double);
        qsort(theirs, (size_t)rounds, sizeof(double), cmp_double);
        double o = ours[rounds / 2], t = theirs[rounds / 2];
        double ref = big ? SQLITE_ROWS_PER_S : SQLITE_TX_PER_S;
        printf("{\"bench\": \"store_file_vs_sqlite\", \"records_per_tx\": %zu, \"record_bytes\": %zu, "
               "\"rounds\": %d, \"file_full_records_per_s\": %.0f", per_tx, sizeof(value), rounds, o);
#ifdef SVCQ_BENCH_SQLITE
        printf(", \"sqlite_wal_full_records_per_s\": %.0f, \"sqlite_version\": \"%s\", \"ratio_measured\": %.2f", t,
               sqlite3_libversion(), o / t);
#else
        (void)t;
#endif
        printf(", \"sqlite_reference\": %.0f, \"ratio_reference\": %.2f}\n", ref, o / ref);
        fflush(stdout);
    }
    free(path);
}

static uint64_t size_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static void bench_recovery_and_compaction(const char *dir)
{
    char value[1024];
    memset(value, 'r', sizeof(value));
    char *path = test_path(dir, "big.svcq");
    size_t target = quick ? (8u << 20) : (100u << 20);
    size_t per_tx = 1000;
    size_t records = target / (sizeof(value) + 40);
    size_t ntx = records / per_tx;
    svcq_ctx *ctx;
    if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
        die(NULL, "ctx");
    svcq_store_file *fs = attach(ctx, path, SVCQ_STORE_SYNC_NONE);
    write_records(ctx, 0, ntx, per_tx, value, sizeof(value));
    if (svcq_store_file_sync(fs) != SVCQ_OK)
        die(ctx, "sync");
    svcq_ctx_free(ctx);
    uint64_t bytes = size_of(path);

    /* Recovery: open reads and checks every frame and builds the index.
     * The file is in the page cache, as after a process restart. */
    if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
        die(NULL, "ctx");
    double t0 = now_s();
    fs = attach(ctx, path, SVCQ_STORE_SYNC_NONE);
    double t1 = now_s();
    svcq_store_file_stats st = SVCQ_STORE_FILE_STATS_INIT;
    if (svcq_store_file_stats_get(&st, fs) != SVCQ_OK || st.records != ntx * per_tx)
        die(ctx, "recovered the wrong number of records");
    printf("{\"bench\": \"store_file_recovery\", \"journal_bytes\": %" PRIu64 ", \"records\": %" PRIu64
           ", \"ms\": %.1f, \"mb_per_s\": %.0f}\n", bytes, st.records, (t1 - t0) * 1e3,
           (double)bytes / 1048576.0 / (t1 - t0));
    fflush(stdout);

    /* Compaction of a journal where every other record was rewritten. */
    char id[32];
    for (size_t t = 0; t < ntx / 2; t++) {
        svcq__tx tx;
        int rc = svcq__tx_begin(ctx, &tx);
        for (size_t r = 0; r < per_tx && !rc; r++) {
            size_t i = (t * per_tx + r) * 2;
            snprintf(id, sizeof(id), "rec-%zu", i % (ntx * per_tx));
            char *b;
            size_t n;
            uint64_t rev;
            rc = svcq__store_get(ctx, "bench", id, &b, &n, &rev);
            if (!rc) {
                svcq__free(ctx, b);
                rc = svcq__store_put(ctx, "bench", id, rev, value, sizeof(value) - 24, &rev);
            }
        }
        if (svcq__tx_end(ctx, &tx, rc) != SVCQ_OK)
            die(ctx, "rewrite");
    }
    if (svcq_store_file_sync(fs) != SVCQ_OK)
        die(ctx, "sync");
    if (svcq_store_file_stats_get(&st, fs) != SVCQ_OK)
        die(ctx, "stats");
    uint64_t before = st.file_bytes;
    t0 = now_s();
    if (svcq_store_file_compact(fs) != SVCQ_OK)
        die(ctx, "compact");
    t1 = now_s();
    uint64_t after = size_of(path);
    printf("{\"bench\": \"store_file_compaction\", \"journal_bytes\": %" PRIu64 ", \"compacted_bytes\": %" PRIu64
           ", \"ms\": %.1f, \"read_mb_per_s\": %.0f, \"written_mb_per_s\": %.0f}\n", before, after, (t1 - t0) * 1e3,
           (double)before / 1048576.0 / (t1 - t0), (double)after / 1048576.0 / (t1 - t0));
    svcq_ctx_free(ctx);
    remove(path);
    free(path);
}

int main(void)
{
    const char *q = getenv("SVCQ_BENCH_QUICK");
    quick = q && *q && strcmp(q, "0") != 0;
    char *dir = make_tmpdir();
    if (!dir) {
        perror("temporary directory");
        return 1;
    }
    bench_memory();
    bench_commits(dir);
    bench_versus_sqlite(dir);
    bench_recovery_and_compaction(dir);
    remove_dir(dir);
    free(dir);
    return 0;
}
