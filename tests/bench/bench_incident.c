/* Full incident lifecycles (report → close: one analysis, two measures,
 * four ledger entries, 24 mutating calls, each one store transaction with
 * its audit entry) on the memory store and on the file store with group
 * durability. One JSON line per measurement.
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

/* Runs n lifecycles in one store; prints one line per half. */
static void run(const char *name, const char *path, int n)
{
    svcq_ctx_options o;
    if (svcq_ctx_options_init(&o, SVCQ_CTX_OPTIONS_VERSION))
        exit(1);
    fx_options(&o);
    fx_now_value = FX_T0;
    svcq_ctx *ctx = NULL;
    if (svcq_ctx_new(&ctx, &o))
        exit(1);
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
    double cpu0 = cpu_s();
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
    }
    double cpu = cpu_s() - cpu0;
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
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    if (n < 2)
        n = 2;
    run("incident_lifecycle_memory", NULL, n);
    char dir[] = "/tmp/svcq-bench-incident-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char path[128];
    snprintf(path, sizeof(path), "%s/journal", dir);
    run("incident_lifecycle_file_group", path, n / 4 > 2 ? n / 4 : 2);
    rmdir(dir);
    return 0;
}
