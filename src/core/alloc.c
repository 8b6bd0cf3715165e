/* The only file of src/ that calls the C allocator: the context's default
 * hooks. Everything else allocates through svcq__malloc and friends. */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

void *svcq__default_malloc(size_t size, void *user_data);
void *svcq__default_realloc(void *ptr, size_t size, void *user_data);
void svcq__default_free(void *ptr, void *user_data);

void *svcq__default_malloc(size_t size, void *user_data)
{
    (void)user_data;
    return malloc(size);
}

void *svcq__default_realloc(void *ptr, size_t size, void *user_data)
{
    (void)user_data;
    return realloc(ptr, size);
}

void svcq__default_free(void *ptr, void *user_data)
{
    (void)user_data;
    free(ptr);
}

void *svcq__malloc(svcq_ctx *ctx, size_t size)
{
    return ctx->malloc_fn(size ? size : 1, ctx->alloc_user_data);
}

void *svcq__calloc(svcq_ctx *ctx, size_t count, size_t size)
{
    size_t total;
    if (!svcq__size_mul(count, size, &total))
        return NULL;
    void *p = svcq__malloc(ctx, total);
    if (p)
        memset(p, 0, total);
    return p;
}

void *svcq__realloc(svcq_ctx *ctx, void *ptr, size_t size)
{
    if (!ptr)
        return svcq__malloc(ctx, size);
    return ctx->realloc_fn(ptr, size ? size : 1, ctx->alloc_user_data);
}

void *svcq__reallocarray(svcq_ctx *ctx, void *ptr, size_t count, size_t size)
{
    size_t total;
    if (!svcq__size_mul(count, size, &total))
        return NULL;
    return svcq__realloc(ctx, ptr, total);
}

void svcq__free(svcq_ctx *ctx, void *ptr)
{
    if (ptr)
        ctx->free_fn(ptr, ctx->alloc_user_data);
}
