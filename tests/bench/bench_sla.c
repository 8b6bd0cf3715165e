/* SLA scheduler at scale: 1,000,000 clocks on the built-in tier-2 policy
 * (Mon–Fri 09:00–18:00 UTC) advanced through a simulated month.
 *
 * Each clock gets a request at a random instant of the first three weeks;
 * 70 % get a first contact within 0–3 business hours, 50 % a drafted
 * solution later. The scheduler is advanced hour by hour through the month
 * while the events are fed in time order. Prints JSON lines:
 *   memory per clock (idle: made and scheduled, no event yet; running: after
 *   the request), events fed per second, notices delivered per second.
 * Memory is counted by the allocator hooks (live bytes requested), so it
 * excludes the C allocator's own overhead. Rates are given per wall second
 * and per CPU second of this process (cpu_*): on a shared machine the CPU
 * figure is the one to compare between runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "svcq.h"

#define CLOCKS 1000000
#define HOUR 3600
#define DAY 86400
#define START ((svcq_time)1767225600) /* 2026-01-01T00:00:00Z */

typedef struct counting {
    size_t live;
} counting;

typedef union hdr {
    size_t size;
    max_align_t align;
} hdr;

static void *c_malloc(size_t n, void *ud)
{
    hdr *h = malloc(sizeof(hdr) + n);
    if (!h)
        return NULL;
    h->size = n;
    ((counting *)ud)->live += n;
    return h + 1;
}

static void *c_realloc(void *p, size_t n, void *ud)
{
    hdr *h = (hdr *)p - 1;
    size_t old = h->size;
    h = realloc(h, sizeof(hdr) + n);
    if (!h)
        return NULL;
    h->size = n;
    ((counting *)ud)->live += n - old;
    return h + 1;
}

static void c_free(void *p, void *ud)
{
    hdr *h = (hdr *)p - 1;
    ((counting *)ud)->live -= h->size;
    free(h);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 88172645463325252u;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

typedef struct feed {
    svcq_time at;
    uint32_t clock;
    uint32_t kind;
} feed;

static int by_time(const void *a, const void *b)
{
    const feed *x = a, *y = b;
    return x->at < y->at ? -1 : x->at > y->at;
}

static uint64_t notices;
static int on_notice(const svcq_sla_notice *n, void *ud)
{
    (void)n;
    (void)ud;
    notices++;
    return 0;
}

static void check(int rc, svcq_ctx *ctx, const char *what)
{
    if (rc) {
        fprintf(stderr, "bench_sla: %s: %s (%s)\n", what, svcq_strerror(rc), svcq_ctx_errmsg(ctx));
        exit(1);
    }
}

int main(int argc, char **argv)
{
    uint32_t nclocks = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : CLOCKS;
    counting mem = { 0 };
    svcq_ctx_options o = SVCQ_CTX_OPTIONS_INIT;
    o.malloc_fn = c_malloc;
    o.realloc_fn = c_realloc;
    o.free_fn = c_free;
    o.alloc_user_data = &mem;
    svcq_ctx *ctx;
    if (svcq_ctx_new(&ctx, &o))
        return 1;
    svcq_sla_policy *p;
    check(svcq_sla_policy_builtin(&p, ctx, SVCQ_TIER_2, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS), ctx, "policy");
    svcq_sla_scheduler *s;
    check(svcq_sla_scheduler_new(&s, ctx, on_notice, NULL), ctx, "scheduler");
    svcq_sla_clock **clocks = malloc(nclocks * sizeof(*clocks));
    size_t base = mem.live;
    double t0 = now();
    for (uint32_t i = 0; i < nclocks; i++) {
        char subject[24];
        snprintf(subject, sizeof(subject), "INC-%07u", i);
        check(svcq_sla_clock_new(&clocks[i], p, subject), ctx, "clock");
        check(svcq_sla_scheduler_add(s, clocks[i]), ctx, "add");
    }
    double t1 = now();
    size_t idle = mem.live - base;
    printf("{\"bench\":\"sla_clock_memory\",\"state\":\"idle\",\"clocks\":%u,\"bytes_per_clock\":%.1f,"
           "\"create_per_s\":%.0f}\n",
           nclocks, (double)idle / nclocks, nclocks / (t1 - t0));

    /* Events: request, maybe first contact, maybe solution drafted. */
    size_t nfeed = 0;
    feed *f = malloc((size_t)nclocks * 3 * sizeof(*f));
    for (uint32_t i = 0; i < nclocks; i++) {
        svcq_time t = START + (svcq_time)(next_rand() % (21 * DAY));
        f[nfeed++] = (feed){ t, i, 0 };
        if (next_rand() % 10 < 7)
            f[nfeed++] = (feed){ t + (svcq_time)(next_rand() % (3 * HOUR)), i, 1 };
        if (next_rand() % 2)
            f[nfeed++] = (feed){ t + (svcq_time)(next_rand() % (2 * DAY)), i, 2 };
    }
    qsort(f, nfeed, sizeof(*f), by_time);
    static const char *const names[3] = { SVCQ_SLA_EVENT_REQUEST_RECEIVED, SVCQ_SLA_EVENT_FIRST_CONTACT,
                                          SVCQ_SLA_EVENT_SOLUTION_DRAFTED };
    double feed_s = 0, advance_s = 0, feed_cpu = 0, advance_cpu = 0;
    size_t next = 0;
    size_t running_mem = 0;
    for (svcq_time hour = START; hour <= START + 31 * DAY; hour += HOUR) {
        double a = now(), ac = cpu();
        while (next < nfeed && f[next].at < hour) {
            check(svcq_sla_clock_event(clocks[f[next].clock], names[f[next].kind], f[next].at, NULL), ctx, "event");
            next++;
        }
        double b = now(), bc = cpu();
        uint64_t d;
        check(svcq_sla_scheduler_advance(&d, s, hour), ctx, "advance");
        double c = now(), cc = cpu();
        feed_s += b - a;
        advance_s += c - b;
        feed_cpu += bc - ac;
        advance_cpu += cc - bc;
        if (mem.live - base > running_mem)
            running_mem = mem.live - base;
    }
    printf("{\"bench\":\"sla_events\",\"events\":%zu,\"seconds\":%.3f,\"events_per_s\":%.0f,"
           "\"cpu_seconds\":%.3f,\"events_per_cpu_s\":%.0f}\n",
           nfeed, feed_s, nfeed / feed_s, feed_cpu, nfeed / feed_cpu);
    printf("{\"bench\":\"sla_advance\",\"clocks\":%u,\"notices\":%llu,\"seconds\":%.3f,\"notices_per_s\":%.0f,"
           "\"cpu_seconds\":%.3f,\"notices_per_cpu_s\":%.0f,\"simulated_days\":31}\n",
           nclocks, (unsigned long long)notices, advance_s, notices / advance_s, advance_cpu, notices / advance_cpu);
    printf("{\"bench\":\"sla_clock_memory\",\"state\":\"peak_running\",\"clocks\":%u,\"bytes_per_clock\":%.1f}\n",
           nclocks, (double)running_mem / nclocks);
    svcq_sla_scheduler_free(s);
    svcq_sla_policy_free(p);
    svcq_ctx_free(ctx);
    free(clocks);
    free(f);
    return 0;
}
