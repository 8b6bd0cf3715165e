/* Full incident lifecycles (report → close: one analysis, two measures,
 * four ledger entries, 24 mutating calls, each one store transaction with
 * its audit entry) on the memory store and on the file store with group
 * durability. One JSON line per measurement. Rounds of ROUND incidents run
 * on a fresh store: verification scans the stored incidents for
 * recurrences (a full scan until the storage contract v2's index terms
 * land), so the figure is per lifecycle in a store of at most ROUND
 * incidents. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../unit/incident_fixture.h"

#define ROUND 50

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(svcq_ctx *ctx, const char *what)
{
    fprintf(stderr, "%s: %s\n", what, svcq_ctx_errmsg(ctx));
    exit(1);
}

/* Runs one round; returns the seconds spent in lifecycles. */
static double round_(const char *path)
{
    svcq_ctx_options o;
    if (svcq_ctx_options_init(&o, SVCQ_CTX_OPTIONS_VERSION))
        exit(1);
    fx_options(&o);
    fx_now_value = FX_T0;
    svcq_ctx *ctx = NULL;
    if (svcq_ctx_new(&ctx, &o))
        exit(1);
    svcq_store_file *fs = NULL;
    if (path) {
        svcq_store_file_options fo = SVCQ_STORE_FILE_OPTIONS_INIT;
        fo.durability = SVCQ_STORE_SYNC_GROUP;
        svcq_store_methods m;
        if (svcq_store_file_open(&fs, ctx, path, &fo) || svcq_store_file_methods(&m, fs) ||
            svcq_ctx_set_store(ctx, &m))
            die(ctx, "file store");
    }
    double t0 = now_s();
    for (int i = 0; i < ROUND; i++) {
        char id[32], aid[40];
        snprintf(id, sizeof(id), "INC-%d", i);
        snprintf(aid, sizeof(aid), "a-%s", id);
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
    }
    double t = now_s() - t0;
    if (svcq_incident_audit_verify(NULL, ctx, "INC-0"))
        die(ctx, "audit");
    svcq_ctx_free(ctx);
    if (path)
        unlink(path);
    return t;
}

int main(void)
{
    int rounds = 10;
    double t = 0;
    for (int r = 0; r < rounds; r++)
        t += round_(NULL);
    printf("{\"bench\":\"incident_lifecycle_memory\",\"incidents\":%d,\"calls_per_incident\":24,\"seconds\":%.4f,"
           "\"per_second\":%.0f}\n", rounds * ROUND, t, rounds * ROUND / t);
    char dir[] = "/tmp/svcq-bench-incident-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char path[128];
    snprintf(path, sizeof(path), "%s/journal", dir);
    rounds = 3;
    t = 0;
    for (int r = 0; r < rounds; r++)
        t += round_(path);
    rmdir(dir);
    printf("{\"bench\":\"incident_lifecycle_file_group\",\"incidents\":%d,\"calls_per_incident\":24,\"seconds\":%.4f,"
           "\"per_second\":%.0f}\n", rounds * ROUND, t, rounds * ROUND / t);
    return 0;
}
