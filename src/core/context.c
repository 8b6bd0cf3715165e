#include <string.h>
#include <time.h>

#include "core/core.h"
#include "core/intern.h"

/* Defaults live in alloc.c, the one file allowed to call the C allocator. */
void *svcq__default_malloc(size_t size, void *user_data);
void *svcq__default_realloc(void *ptr, size_t size, void *user_data);
void svcq__default_free(void *ptr, void *user_data);

bool svcq__all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

int svcq__table_init(void *table, size_t size, uint32_t version, uint32_t newest)
{
    if (!table)
        return SVCQ_EINVAL;
    if (version == 0 || version > newest)
        return SVCQ_EVERSION;
    memset(table, 0, size);
    memcpy(table, &version, sizeof(version));
    return SVCQ_OK;
}

int svcq_ctx_options_init(svcq_ctx_options *opts, uint32_t version)
{
    return svcq__table_init(opts, sizeof(*opts), version, SVCQ_CTX_OPTIONS_VERSION);
}

int svcq_ctx_new(svcq_ctx **out, const svcq_ctx_options *opts)
{
    if (!out)
        return SVCQ_EINVAL;
    *out = NULL;

    svcq_ctx_options defaults = SVCQ_CTX_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    if (opts->version == 0 || opts->version > SVCQ_CTX_OPTIONS_VERSION)
        return SVCQ_EVERSION;
    if (opts->reserved0 || opts->reserved1 || !svcq__all_zero(opts->reserved, sizeof(opts->reserved)))
        return SVCQ_EINVAL;
    int hooks = !!opts->malloc_fn + !!opts->realloc_fn + !!opts->free_fn;
    if (hooks != 0 && hooks != 3)
        return SVCQ_EINVAL;

    svcq_ctx boot = {
        .malloc_fn = hooks ? opts->malloc_fn : svcq__default_malloc,
        .realloc_fn = hooks ? opts->realloc_fn : svcq__default_realloc,
        .free_fn = hooks ? opts->free_fn : svcq__default_free,
        .alloc_user_data = hooks ? opts->alloc_user_data : NULL,
        .clock_fn = opts->clock_fn,
        .clock_user_data = opts->clock_user_data,
        .log_fn = opts->log_fn,
        .log_user_data = opts->log_user_data,
        .log_min_level = opts->log_min_level,
    };
    svcq_ctx *ctx = svcq__malloc(&boot, sizeof(*ctx));
    if (!ctx)
        return SVCQ_ENOMEM;
    *ctx = boot;
    *out = ctx;
    return SVCQ_OK;
}

void svcq_ctx_free(svcq_ctx *ctx)
{
    if (!ctx)
        return;
    /* Highest module first: the store (slot 0) goes last. */
    for (int id = SVCQ__SLOT_COUNT; id-- > 0;) {
        void *state = ctx->slots[id];
        svcq__slot_teardown_fn fn = ctx->slot_teardown[id];
        ctx->slots[id] = NULL;
        ctx->slot_teardown[id] = NULL;
        if (state && fn)
            fn(ctx, state);
    }
    svcq__intern_free(ctx);
    svcq__free(ctx, ctx);
}

int svcq__ctx_slot_set(svcq_ctx *ctx, int id, void *state, svcq__slot_teardown_fn teardown)
{
    if (!ctx || id < 0 || id >= SVCQ__SLOT_COUNT)
        return SVCQ_EINVAL;
    if (state && ctx->slots[id])
        return SVCQ_ESTATE;
    ctx->slots[id] = state;
    ctx->slot_teardown[id] = state ? teardown : NULL;
    return SVCQ_OK;
}

const char *svcq_ctx_errmsg(const svcq_ctx *ctx)
{
    return ctx ? ctx->errmsg : "";
}

svcq_time svcq_ctx_now(const svcq_ctx *ctx)
{
    if (ctx && ctx->clock_fn)
        return ctx->clock_fn(ctx->clock_user_data);
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return (svcq_time)time(NULL);
    return (svcq_time)ts.tv_sec;
}
