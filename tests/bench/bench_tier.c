/* Tier classification at scale: 1,000,000 clients with random factor
 * values classified by the built-in scheme (one reused result, no
 * allocation per call), then 100,000 of them reclassified as clients whose
 * record is written through to the memory store. Prints JSON lines; the
 * issue's aim is >= 5 M classifications per second. Never asserts on time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "svcq.h"

#define CLIENTS 1000000
#define WRITTEN 100000
#define NF 7

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 88172645463325252u;
static double uniform(double lo, double hi)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return lo + (hi - lo) * (double)(rng >> 11) / 9007199254740992.0;
}

int main(void)
{
    svcq_ctx *ctx;
    svcq_tier_scheme *s;
    svcq_tier_result *r;
    if (svcq_ctx_new(&ctx, NULL) || svcq_tier_scheme_builtin(&s, ctx) || svcq_tier_result_new(&r, ctx))
        return 1;
    double *v = malloc(sizeof(double) * NF * CLIENTS);
    if (!v)
        return 1;
    for (size_t i = 0; i < CLIENTS; i++) {
        double *x = v + i * NF;
        x[0] = uniform(0, 20);
        x[1] = (double)(int)uniform(0, 30);
        x[2] = uniform(-5, 15);
        for (int k = 3; k < NF; k++)
            x[k] = uniform(0, 5);
    }
    uint64_t per[4] = { 0 };
    double t0 = now_s();
    for (size_t i = 0; i < CLIENTS; i++) {
        if (svcq_tier_classify(r, s, v + i * NF, NF) != SVCQ_OK) {
            fprintf(stderr, "classify: %s\n", svcq_ctx_errmsg(ctx));
            return 1;
        }
        per[svcq_tier_result_rank(r)]++;
    }
    double dt = now_s() - t0;
    printf("{\"bench\":\"tier_classify\",\"clients\":%d,\"seconds\":%.4f,\"per_second\":%.0f,"
           "\"special\":%llu,\"tier_1\":%llu,\"tier_2\":%llu,\"tier_3\":%llu}\n",
           CLIENTS, dt, CLIENTS / dt, (unsigned long long)per[0], (unsigned long long)per[1],
           (unsigned long long)per[2], (unsigned long long)per[3]);

    /* Reclassification written through (record per call, memory store). */
    t0 = now_s();
    for (size_t i = 0; i < WRITTEN; i++) {
        char id[24];
        snprintf(id, sizeof(id), "c%zu", i);
        svcq_client *c;
        if (svcq_client_new(&c, ctx, id, NULL) ||
            svcq_client_reclassify(c, s, v + i * NF, NF, (svcq_time)1772323200, "bench", NULL)) {
            fprintf(stderr, "reclassify: %s\n", svcq_ctx_errmsg(ctx));
            return 1;
        }
        svcq_client_free(c);
    }
    dt = now_s() - t0;
    printf("{\"bench\":\"tier_reclassify_written\",\"clients\":%d,\"seconds\":%.4f,\"per_second\":%.0f}\n", WRITTEN,
           dt, WRITTEN / dt);
    free(v);
    svcq_tier_result_free(r);
    svcq_tier_scheme_free(s);
    svcq_ctx_free(ctx);
    return 0;
}
