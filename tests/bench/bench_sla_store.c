/* Scheduler load and save over a store of 200,000 tier-2 clocks of which
 * 1,000 are live (the rest closed, every notice delivered): through the
 * version-1 contract (the library's fallback reads and decodes every
 * record) and through version 2 (the store's index terms hand over only
 * the live clocks), on the memory store and on the file store. Prints
 * JSON lines; never asserts on time. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "svcq.h"

#define CLOCKS 200000
#define LIVE 1000
#define HOUR 3600
#define T0 ((svcq_time)1767603600) /* Monday 09:00 UTC */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int notify(const svcq_sla_notice *n, void *ud)
{
    (void)n;
    (void)ud;
    return 0;
}

#define TRY(x) \
    do { \
        int rc_ = (x); \
        if (rc_ != SVCQ_OK) { \
            fprintf(stderr, "%s:%d: %s: %s (%s)\n", __FILE__, __LINE__, #x, svcq_strerror(rc_), \
                    svcq_ctx_errmsg(ctx)); \
            exit(1); \
        } \
    } while (0)

/* Saves the clocks: LIVE running, the rest requested and closed at once. */
static void fill(svcq_ctx *ctx, svcq_sla_policy *p)
{
    svcq_sla_scheduler *s;
    TRY(svcq_sla_scheduler_new(&s, ctx, notify, NULL));
    for (int i = 0; i < CLOCKS; i++) {
        char subject[32];
        snprintf(subject, sizeof(subject), "T-%06d", i);
        svcq_sla_clock *c;
        TRY(svcq_sla_clock_new(&c, p, subject));
        svcq_time at = T0 + (svcq_time)(i % 5000) * 60;
        TRY(svcq_sla_clock_event(c, SVCQ_SLA_EVENT_REQUEST_RECEIVED, at, NULL));
        if (i % (CLOCKS / LIVE) != 0)
            TRY(svcq_sla_clock_event(c, SVCQ_SLA_EVENT_CLOSED, at + 60, NULL));
        TRY(svcq_sla_scheduler_add(s, c));
    }
    uint64_t failed;
    TRY(svcq_sla_scheduler_save(&failed, s));
    svcq_sla_scheduler_free(s);
}

/* write: advance and save too. (A version-1 table over a store with
 * terms would save the clocks without them.) */
static void measure(svcq_ctx *ctx, svcq_sla_policy *p, const char *store, const char *contract, bool write)
{
    svcq_sla_scheduler *s;
    TRY(svcq_sla_scheduler_new(&s, ctx, notify, NULL));
    double t = now_s();
    TRY(svcq_sla_scheduler_load(s, &p, 1, 0));
    double load = now_s() - t;
    uint64_t failed;
    t = now_s();
    TRY(svcq_sla_scheduler_save(&failed, s));
    double save0 = now_s() - t;
    uint64_t delivered = 0;
    double save1 = 0;
    if (write) {
        TRY(svcq_sla_scheduler_advance(&delivered, s, T0 + 2 * HOUR));
        t = now_s();
        TRY(svcq_sla_scheduler_save(&failed, s));
        save1 = now_s() - t;
    }
    printf("{\"bench\":\"sla_store_load\",\"store\":\"%s\",\"contract\":\"%s\",\"clocks\":%d,\"live\":%d,"
           "\"loaded\":%llu,\"load_s\":%.4f,\"save_unchanged_s\":%.5f,\"delivered\":%llu,"
           "\"save_after_advance_s\":%.4f}\n",
           store, contract, CLOCKS, LIVE, (unsigned long long)svcq_sla_scheduler_count(s), load, save0,
           (unsigned long long)delivered, save1);
    fflush(stdout);
    svcq_sla_scheduler_free(s);
}

int main(void)
{
    svcq_ctx *ctx;
    if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
        return 1;
    /* One memory store seen through two tables: version 2, and version 1
     * (its v2 slots cleared). Neither table destroys it: it is freed at
     * the end. */
    svcq_store_methods mem;
    TRY(svcq__memstore_new(ctx, &mem));
    svcq_store_methods v2 = mem, v1 = mem;
    v2.destroy = v1.destroy = NULL;
    v1.version = 1;
    v1.put2 = NULL;
    v1.scan_range = NULL;
    v1.scan_term = NULL;
    TRY(svcq_ctx_set_store(ctx, &v2));
    svcq_sla_policy *p;
    TRY(svcq_sla_policy_builtin(&p, ctx, SVCQ_TIER_2, NULL, 0));
    double t = now_s();
    fill(ctx, p);
    printf("{\"bench\":\"sla_store_fill\",\"store\":\"memory\",\"clocks\":%d,\"live\":%d,\"seconds\":%.3f}\n", CLOCKS,
           LIVE, now_s() - t);
    /* Rounds alternate so both see the same machine load. */
    for (int round = 0; round < 2; round++) {
        TRY(svcq_ctx_set_store(ctx, &v1));
        measure(ctx, p, "memory", "v1 (full scan, decode all, filter)", false);
        TRY(svcq_ctx_set_store(ctx, &v2));
        measure(ctx, p, "memory", "v2 (index terms)", round == 1);
    }
    svcq_sla_policy_free(p);
    TRY(svcq_ctx_set_store(ctx, NULL));
    mem.destroy(mem.user_data);

    /* The file store, written once, reopened, then loaded. */
    char path[] = "/tmp/svcq-bench-slastore-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 1;
    close(fd);
    unlink(path);
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.durability = SVCQ_STORE_SYNC_NONE;
    for (int pass = 0; pass < 2; pass++) {
        svcq_ctx_free(ctx);
        if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
            return 1;
        svcq_store_file *fs;
        TRY(svcq_store_file_open(&fs, ctx, path, &o));
        svcq_store_methods fm;
        TRY(svcq_store_file_methods(&fm, fs));
        if (pass == 1) {
            svcq_store_methods f1 = fm;
            f1.version = 1;
            f1.put2 = NULL;
            f1.scan_range = NULL;
            f1.scan_term = NULL;
            TRY(svcq_ctx_set_store(ctx, &f1));
        } else {
            TRY(svcq_ctx_set_store(ctx, &fm));
        }
        TRY(svcq_sla_policy_builtin(&p, ctx, SVCQ_TIER_2, NULL, 0));
        if (pass == 0)
            fill(ctx, p);
        measure(ctx, p, "file", pass == 1 ? "v1 (full scan, decode all, filter)" : "v2 (index terms)", pass == 0);
        svcq_sla_policy_free(p);
    }
    svcq_ctx_free(ctx);
    unlink(path);
    return 0;
}
