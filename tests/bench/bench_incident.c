/* Full incident lifecycles (report → close: one analysis, two measures,
 * four ledger entries, 24 mutating calls, each one store transaction with
 * its audit entry) on the memory store and on the file store with group
 * durability. One JSON line per measurement.
 *
 * The memory-store figure has a peer measured in the same run: the floor,
 * a plain C loop doing only the work the lifecycle cannot avoid. It makes
 * the same puts with the same value sizes as a real lifecycle (recorded
 * once, by a store wrapped around the memory store), each a malloc and a
 * copy kept in an open-addressing hash table by kind and id (a replaced
 * value freed), and hashes every audit entry with SHA-256 chained to the
 * one before. No checks, no encoding, no transaction, no id order or index
 * terms: no library could do less. It runs the same lifecycles in slices
 * between the library's, and its line prints the library's rate as a
 * share of the floor's, which drifts far less than either figure on a
 * shared machine. A second floor
 * figure leaves out the incident's own rewrites (only the first put of
 * each record and the audit entries): the least an event-sourced design
 * would still do.
 *
 * Each store grows: every lifecycle runs in the same store as all the ones
 * before it (verification counts the similar incidents of the observation
 * window, and every incident here is similar to every other), so a cost
 * that grows with the number of stored incidents shows as a lower figure
 * for the second half than for the first. Argument: the number of memory
 * lifecycles (the file store runs a quarter of them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../unit/incident_fixture.h"
#include "core/sha256.h"
#include "store/store.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The process's CPU time: on a shared machine the wall time also counts
 * the other processes' turns. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(svcq_ctx *ctx, const char *what)
{
    fprintf(stderr, "%s: %s\n", what, svcq_ctx_errmsg(ctx));
    exit(1);
}


/* A context on the fixture's clock, at its start. */
static svcq_ctx *fresh_ctx(void)
{
    svcq_ctx_options o;
    if (svcq_ctx_options_init(&o, SVCQ_CTX_OPTIONS_VERSION))
        exit(1);
    fx_options(&o);
    fx_now_value = FX_T0;
    svcq_ctx *ctx = NULL;
    if (svcq_ctx_new(&ctx, &o))
        exit(1);
    return ctx;
}

/* ---- the floor ---------------------------------------------------------------------- */

#define CAL_ID "INC-999999"     /* the calibration lifecycle's incident id */
enum { ID_DIGITS = 6 };         /* "INC-%06d": the same length as CAL_ID */
enum { FLOOR_SOURCE = 65536 };  /* the most value bytes one floor put copies */

/* One put of the calibration lifecycle: kind and id (with the places where
 * the incident id's digits are), the value's size, whether it is an audit
 * entry, and whether it is the first put of its record. */
typedef struct cal_entry {
    char key[SVCQ_STORE_MAX_KIND + SVCQ_STORE_MAX_ID + 2];
    size_t keylen;
    size_t digits_at;  /* offset of CAL_ID's digits in key, or SIZE_MAX */
    size_t size;
    int audit;
    int first;
} cal_entry;

static struct {
    svcq_store_methods inner;
    cal_entry puts[256];
    size_t n;
    size_t bytes;
    int overflow;
} cal;

static void cal_note(const char *kind, const char *id, size_t size)
{
    if (cal.n == sizeof(cal.puts) / sizeof(cal.puts[0])) {
        cal.overflow = 1;
        return;
    }
    cal_entry *p = &cal.puts[cal.n++];
    int k = snprintf(p->key, sizeof(p->key), "%s/%s", kind, id);
    p->keylen = (size_t)k;
    const char *at = strstr(p->key, CAL_ID);
    p->digits_at = at ? (size_t)(at - p->key) + sizeof(CAL_ID) - 1 - ID_DIGITS : SIZE_MAX;
    p->size = size;
    p->audit = strcmp(kind, "incident_audit") == 0;
    p->first = 1;
    for (size_t i = 0; i + 1 < cal.n; i++)
        if (cal.puts[i].keylen == p->keylen && memcmp(cal.puts[i].key, p->key, p->keylen) == 0)
            p->first = 0;
    cal.bytes += size;
}

static int cal_put2(const char *kind, const char *id, uint64_t expected, const void *bytes, size_t size,
                    const svcq_store_term *terms, size_t n_terms, uint64_t *new_revision, void *ud)
{
    int rc = cal.inner.put2(kind, id, expected, bytes, size, terms, n_terms, new_revision, ud);
    if (rc == SVCQ_OK)
        cal_note(kind, id, size);
    return rc;
}

static int cal_put1(const char *kind, const char *id, uint64_t expected, const void *bytes, size_t size,
                   uint64_t *new_revision, void *ud)
{
    return cal_put2(kind, id, expected, bytes, size, NULL, 0, new_revision, ud);
}

/* Records the puts of one lifecycle. A put that a rollback undid would be
 * counted too, but the lifecycle has none (every step succeeds). */
static void calibrate(void)
{
    memset(&cal, 0, sizeof(cal));
    svcq_ctx *ctx = fresh_ctx();
    svcq_store_methods m;
    if (svcq__memstore_new(ctx, &m))
        die(ctx, "memory store");
    cal.inner = m;
    m.put = cal_put1;
    m.put2 = cal_put2;
    if (svcq_ctx_set_store(ctx, &m))
        die(ctx, "calibration store");
    svcq_analysis *a = NULL;
    svcq_incident *inc = NULL;
    if (fx_analysis(&a, ctx, "a-" CAL_ID))
        die(ctx, "analysis");
    for (int s = 0; s < FX_STEPS; s++)
        if (fx_step(&inc, ctx, CAL_ID, a, s))
            die(ctx, "step");
    svcq_incident_free(inc);
    svcq_analysis_free(a);
    svcq_ctx_free(ctx);
    for (size_t k = 0; k < cal.n; k++)
        if (cal.puts[k].size > FLOOR_SOURCE)
            cal.overflow = 1;
    if (cal.overflow) {
        fprintf(stderr, "calibration: more than %zu puts, or a value above %d bytes\n", cal.n, FLOOR_SOURCE);
        exit(1);
    }
}

/* The floor's store: open addressing, FNV-1a, each entry one allocation
 * holding its key and value. */
typedef struct fl_entry {
    uint64_t hash;
    size_t keylen;
    size_t size;
    char key[];  /* then the value */
} fl_entry;

static fl_entry **fl_slots;
static size_t fl_cap, fl_count;

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

static void fl_grow(void)
{
    size_t cap = fl_cap ? fl_cap * 2 : 1024;
    fl_entry **t = calloc(cap, sizeof(*t));
    if (!t)
        exit(1);
    for (size_t i = 0; i < fl_cap; i++)
        if (fl_slots[i]) {
            size_t j = fl_slots[i]->hash & (cap - 1);
            while (t[j])
                j = (j + 1) & (cap - 1);
            t[j] = fl_slots[i];
        }
    free(fl_slots);
    fl_slots = t;
    fl_cap = cap;
}

static void fl_put(const char *key, size_t keylen, const void *value, size_t size)
{
    if ((fl_count + 1) * 4 > fl_cap * 3)
        fl_grow();
    uint64_t h = fnv1a(key, keylen);
    size_t j = h & (fl_cap - 1);
    while (fl_slots[j] && !(fl_slots[j]->hash == h && fl_slots[j]->keylen == keylen &&
                            memcmp(fl_slots[j]->key, key, keylen) == 0))
        j = (j + 1) & (fl_cap - 1);
    fl_entry *e = malloc(sizeof(*e) + keylen + size);
    if (!e)
        exit(1);
    e->hash = h;
    e->keylen = keylen;
    e->size = size;
    memcpy(e->key, key, keylen);
    memcpy(e->key + keylen, value, size);
    if (fl_slots[j])
        free(fl_slots[j]);
    else
        fl_count++;
    fl_slots[j] = e;
}

static void fl_free(void)
{
    for (size_t i = 0; i < fl_cap; i++)
        free(fl_slots[i]);
    free(fl_slots);
    fl_slots = NULL;
    fl_cap = fl_count = 0;
}

static char floor_source[SVCQ_STORE_MAX_ID + FLOOR_SOURCE];
static char floor_prev[SVCQ__SHA256_HEX + 1];

static void floor_init(void)
{
    for (size_t i = 0; i < sizeof(floor_source); i++)
        floor_source[i] = (char)('a' + i % 26);
    memset(floor_prev, '0', SVCQ__SHA256_HEX);
    floor_prev[SVCQ__SHA256_HEX] = '\0';
}

/* Lifecycles [from, to) of the calibration's puts; rewrites false leaves
 * out the puts that rewrite a record already there. Returns the seconds. */
static double floor_run(int from, int to, int rewrites)
{
    double t0 = now_s();
    for (int i = from; i < to; i++) {
        char digits[ID_DIGITS + 2];
        snprintf(digits, sizeof(digits), "%0*d", ID_DIGITS, i % 1000000);
        for (size_t k = 0; k < cal.n; k++) {
            const cal_entry *p = &cal.puts[k];
            if (!rewrites && !p->first)
                continue;
            char key[sizeof(p->key)];
            memcpy(key, p->key, p->keylen);
            if (p->digits_at != SIZE_MAX)
                memcpy(key + p->digits_at, digits, ID_DIGITS);
            const char *value = floor_source + (size_t)(i + (int)k) % SVCQ_STORE_MAX_ID;
            if (p->audit) {
                svcq__sha256_ctx h;
                uint8_t d[SVCQ__SHA256_SIZE];
                svcq__sha256_init(&h);
                svcq__sha256_update(&h, value, p->size);
                svcq__sha256_update(&h, floor_prev, SVCQ__SHA256_HEX);
                svcq__sha256_final(&h, d);
                svcq__sha256_hex(d, floor_prev);
            }
            fl_put(key, p->keylen, value, p->size);
        }
    }
    return now_s() - t0;
}

enum { SLICE = 250 }; /* lifecycles of the library, then as many of the floor */

/* Runs n lifecycles in one store; prints one line per half and returns
 * lifecycles/s. With floor_s, the floor runs the same lifecycles in slices
 * between the library's (the two see the same load) and *floor_s gets its
 * seconds. */
static double run(const char *name, const char *path, int n, double *floor_s)
{
    svcq_ctx *ctx = fresh_ctx();
    if (path) {
        svcq_store_file *fs = NULL;
        svcq_store_file_options fo = SVCQ_STORE_FILE_OPTIONS_INIT;
        fo.durability = SVCQ_STORE_SYNC_GROUP;
        svcq_store_methods m;
        if (svcq_store_file_open(&fs, ctx, path, &fo) || svcq_store_file_methods(&m, fs) ||
            svcq_ctx_set_store(ctx, &m))
            die(ctx, "file store");
    }
    double half[2] = { 0, 0 };
    double cpu0 = cpu_s(), floor_cpu = 0;
    int floor_done = 0;
    for (int i = 0; i < n; i++) {
        char id[32], aid[40];
        snprintf(id, sizeof(id), "INC-%06d", i);
        snprintf(aid, sizeof(aid), "a-%s", id);
        double t0 = now_s();
        svcq_analysis *a = NULL;
        svcq_incident *inc = NULL;
        if (fx_analysis(&a, ctx, aid))
            die(ctx, "analysis");
        for (int s = 0; s < FX_STEPS; s++)
            if (fx_step(&inc, ctx, id, a, s))
                die(ctx, "step");
        if (svcq_incident_state_of(inc) != SVCQ_INCIDENT_CLOSED)
            die(ctx, "not closed");
        svcq_incident_free(inc);
        svcq_analysis_free(a);
        half[i >= n / 2] += now_s() - t0;
        if (floor_s && ((i + 1) % SLICE == 0 || i + 1 == n)) {
            double c0 = cpu_s();
            *floor_s += floor_run(floor_done, i + 1, 1);
            floor_done = i + 1;
            floor_cpu += cpu_s() - c0;
        }
    }
    double cpu = cpu_s() - cpu0 - floor_cpu;
    if (svcq_incident_audit_verify(NULL, ctx, "INC-000000"))
        die(ctx, "audit");
    svcq_ctx_free(ctx);
    if (path)
        unlink(path);
    double t = half[0] + half[1];
    printf("{\"bench\":\"%s\",\"incidents\":%d,\"calls_per_incident\":24,\"seconds\":%.4f,\"per_second\":%.0f,"
           "\"per_second_first_half\":%.0f,\"per_second_second_half\":%.0f,\"cpu_seconds\":%.4f,"
           "\"per_cpu_second\":%.0f}\n",
           name, n, t, n / t, (n / 2) / half[0], (n - n / 2) / half[1], cpu, n / cpu);
    return n / t;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    if (n < 2)
        n = 2;
    calibrate();
    floor_init();
    double floor_s = 0;
    double lib = run("incident_lifecycle_memory", NULL, n, &floor_s);
    fl_free();
    double fl = n / floor_s, entries_only = n / floor_run(0, n, 0);
    fl_free();
    size_t rewrites = 0, audits = 0;
    for (size_t k = 0; k < cal.n; k++) {
        rewrites += !cal.puts[k].first;
        audits += cal.puts[k].audit;
    }
    printf("{\"bench\":\"incident_lifecycle_memory_floor\",\"incidents\":%d,\"puts_per_incident\":%zu,"
           "\"rewrites_per_incident\":%zu,\"audit_entries_per_incident\":%zu,\"bytes_per_incident\":%zu,"
           "\"per_second\":%.0f,\"per_second_without_rewrites\":%.0f,\"library_per_second\":%.0f,"
           "\"library_to_floor\":%.3f}\n",
           n, cal.n, rewrites, audits, cal.bytes, fl, entries_only, lib, lib / fl);
    char dir[] = "/tmp/svcq-bench-incident-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char path[128];
    snprintf(path, sizeof(path), "%s/journal", dir);
    run("incident_lifecycle_file_group", path, n / 4 > 2 ? n / 4 : 2, NULL);
    rmdir(dir);
    return 0;
}
