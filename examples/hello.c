/* hello: a context on a host allocator and a fixed clock.
 *
 * Shows the three host hooks every embedding starts with: the allocator
 * (here counting what the library holds), the clock (here frozen at an
 * instant the host chose, as a simulation or a test would), and the
 * error strings. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <svcq.h>

typedef struct counting_allocator {
    size_t live;
    size_t total;
} counting_allocator;

static void *count_malloc(size_t size, void *user_data)
{
    counting_allocator *a = user_data;
    void *p = malloc(size);
    if (p) {
        a->live++;
        a->total++;
    }
    return p;
}

static void *count_realloc(void *ptr, size_t size, void *user_data)
{
    counting_allocator *a = user_data;
    void *p = realloc(ptr, size);
    if (p)
        a->total++;
    return p;
}

static void count_free(void *ptr, void *user_data)
{
    counting_allocator *a = user_data;
    a->live--;
    free(ptr);
}

static svcq_time frozen_clock(void *user_data)
{
    return *(const svcq_time *)user_data;
}

int main(void)
{
    counting_allocator alloc = { 0, 0 };
    svcq_time frozen = 1767258000; /* 2026-01-01T09:00:00Z */

    svcq_ctx_options opts = SVCQ_CTX_OPTIONS_INIT;
    opts.malloc_fn = count_malloc;
    opts.realloc_fn = count_realloc;
    opts.free_fn = count_free;
    opts.alloc_user_data = &alloc;
    opts.clock_fn = frozen_clock;
    opts.clock_user_data = &frozen;

    svcq_ctx *ctx;
    int rc = svcq_ctx_new(&ctx, &opts);
    if (rc != SVCQ_OK) {
        fprintf(stderr, "svcq_ctx_new: %s\n", svcq_strerror(rc));
        return 1;
    }

    printf("libsvcq %s (headers %s)\n", svcq_version_string(), SVCQ_VERSION_STRING);
    if (svcq_version_number() != SVCQ_VERSION_NUMBER)
        printf("note: running against another library version than compiled with\n");

    svcq_time now = svcq_ctx_now(ctx);
    time_t t = (time_t)now;
    struct tm tm;
    char when[32];
    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    printf("the host's clock says %" PRId64 " (%s)\n", now, when);

    /* Bad input is an error code and a message, never a crash. */
    svcq_ctx_options bad = SVCQ_CTX_OPTIONS_INIT;
    bad.version = 999;
    svcq_ctx *other;
    rc = svcq_ctx_new(&other, &bad);
    printf("a context with options version 999: %s\n", svcq_strerror(rc));

    printf("the library holds %zu block(s) of the host's memory\n", alloc.live);
    svcq_ctx_free(ctx);
    printf("after svcq_ctx_free: %zu block(s), %zu allocation call(s) in all\n", alloc.live,
           alloc.total);
    return alloc.live == 0 ? 0 : 1;
}
