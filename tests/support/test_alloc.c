#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_alloc.h"

/* Each block carries its size in a header aligned for any type. */
typedef union header {
    size_t size;
    max_align_t align;
} header;

static bool should_fail(test_alloc *a)
{
    a->calls++;
    a->total_allocs++;
    if (a->fail_at && (a->calls == a->fail_at || (a->keep_failing && a->calls > a->fail_at))) {
        a->injected++;
        return true;
    }
    return false;
}

static void *t_malloc(size_t size, void *ud)
{
    test_alloc *a = ud;
    if (should_fail(a))
        return NULL;
    header *h = malloc(sizeof(header) + size);
    if (!h)
        return NULL;
    h->size = size;
    a->live_blocks++;
    a->live_bytes += size;
    if (a->live_bytes > a->peak_bytes)
        a->peak_bytes = a->live_bytes;
    return h + 1;
}

static void *t_realloc(void *ptr, size_t size, void *ud)
{
    test_alloc *a = ud;
    if (should_fail(a))
        return NULL;
    header *old = (header *)ptr - 1;
    size_t old_size = old->size;
    header *h = realloc(old, sizeof(header) + size);
    if (!h)
        return NULL;
    h->size = size;
    a->live_bytes = a->live_bytes - old_size + size;
    if (a->live_bytes > a->peak_bytes)
        a->peak_bytes = a->live_bytes;
    return h + 1;
}

static void t_free(void *ptr, void *ud)
{
    test_alloc *a = ud;
    header *h = (header *)ptr - 1;
    assert_true(a->live_blocks > 0);
    a->live_blocks--;
    a->live_bytes -= h->size;
    free(h);
}

void test_alloc_init(test_alloc *a)
{
    memset(a, 0, sizeof(*a));
}

void test_alloc_hook(test_alloc *a, svcq_ctx_options *opts)
{
    opts->malloc_fn = t_malloc;
    opts->realloc_fn = t_realloc;
    opts->free_fn = t_free;
    opts->alloc_user_data = a;
}

void test_alloc_arm(test_alloc *a, size_t fail_at, bool keep_failing)
{
    a->calls = 0;
    a->injected = 0;
    a->fail_at = fail_at;
    a->keep_failing = keep_failing;
}

svcq_ctx *test_ctx_new(test_alloc *a)
{
    svcq_ctx_options opts = SVCQ_CTX_OPTIONS_INIT;
    test_alloc_hook(a, &opts);
    svcq_ctx *ctx = NULL;
    assert_int_equal(svcq_ctx_new(&ctx, &opts), SVCQ_OK);
    return ctx;
}
