/* The only file of src/ that calls the C allocator: the context's default
 * hooks. Everything else allocates through sq_malloc and friends. */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

void *sq_default_malloc(size_t size, void *user_data);
void *sq_default_realloc(void *ptr, size_t size, void *user_data);
void sq_default_free(void *ptr, void *user_data);

void *sq_default_malloc(size_t size, void *user_data)
{
    (void)user_data;
    return malloc(size);
}

void *sq_default_realloc(void *ptr, size_t size, void *user_data)
{
    (void)user_data;
    return realloc(ptr, size);
}

void sq_default_free(void *ptr, void *user_data)
{
    (void)user_data;
    free(ptr);
}

void *sq_malloc(svcq_ctx *ctx, size_t size)
{
    return ctx->malloc_fn(size ? size : 1, ctx->alloc_user_data);
}

void *sq_calloc(svcq_ctx *ctx, size_t count, size_t size)
{
    size_t total;
    if (!sq_size_mul(count, size, &total))
        return NULL;
    void *p = sq_malloc(ctx, total);
    if (p)
        memset(p, 0, total);
    return p;
}

void *sq_realloc(svcq_ctx *ctx, void *ptr, size_t size)
{
    if (!ptr)
        return sq_malloc(ctx, size);
    return ctx->realloc_fn(ptr, size ? size : 1, ctx->alloc_user_data);
}

void *sq_reallocarray(svcq_ctx *ctx, void *ptr, size_t count, size_t size)
{
    size_t total;
    if (!sq_size_mul(count, size, &total))
        return NULL;
    return sq_realloc(ctx, ptr, total);
}

void sq_free(svcq_ctx *ctx, void *ptr)
{
    if (ptr)
        ctx->free_fn(ptr, ctx->alloc_user_data);
}
