#include <string.h>

#include "core/intern.h"
#include "core/map.h"

struct svcq__interner {
    svcq__map map;      /* string -> (id + 1) stored as a pointer-sized integer */
    char **strings;  /* strings[id - 1] */
    uint32_t count;
    uint32_t cap;
};

static void *id_to_value(uint32_t id)
{
    return (void *)(uintptr_t)id;
}

bool svcq__intern_find(const svcq_ctx *ctx, const char *s, size_t len, uint32_t *id)
{
    if (len == 0) {
        *id = 0;
        return true;
    }
    const struct svcq__interner *in = ctx->interner;
    if (!in)
        return false;
    void *v = svcq__map_get(&in->map, s, len);
    if (!v)
        return false;
    *id = (uint32_t)(uintptr_t)v;
    return true;
}

int svcq__intern(svcq_ctx *ctx, const char *s, size_t len, uint32_t *id)
{
    if (svcq__intern_find(ctx, s, len, id))
        return SVCQ_OK;
    struct svcq__interner *in = ctx->interner;
    bool fresh = false;
    if (!in) {
        in = svcq__calloc(ctx, 1, sizeof(*in));
        if (!in)
            return SVCQ_ENOMEM;
        svcq__map_init(&in->map, ctx);
        fresh = true;
    }
    int rc = SVCQ_ENOMEM;
    char *copy = NULL;
    if (in->count == UINT32_MAX - 1)
        goto fail;
    if (in->count == in->cap) {
        uint32_t cap = in->cap ? in->cap * 2 : 16;
        char **grown = svcq__reallocarray(ctx, in->strings, cap, sizeof(*grown));
        if (!grown)
            goto fail;
        in->strings = grown;
        in->cap = cap;
    }
    copy = svcq__malloc(ctx, len + 1);
    if (!copy)
        goto fail;
    memcpy(copy, s, len);
    copy[len] = '\0';
    uint32_t new_id = in->count + 1;
    rc = svcq__map_put(&in->map, copy, len, id_to_value(new_id), NULL);
    if (rc)
        goto fail;
    in->strings[in->count++] = copy;
    ctx->interner = in;
    *id = new_id;
    return SVCQ_OK;
fail:
    svcq__free(ctx, copy);
    if (fresh) {
        svcq__map_free(&in->map);
        svcq__free(ctx, in->strings);
        svcq__free(ctx, in);
    }
    return rc;
}

const char *svcq__intern_str(const svcq_ctx *ctx, uint32_t id)
{
    const struct svcq__interner *in = ctx->interner;
    if (id == 0 || !in || id > in->count)
        return "";
    return in->strings[id - 1];
}

void svcq__intern_free(svcq_ctx *ctx)
{
    struct svcq__interner *in = ctx->interner;
    if (!in)
        return;
    for (uint32_t i = 0; i < in->count; i++)
        svcq__free(ctx, in->strings[i]);
    svcq__free(ctx, in->strings);
    svcq__map_free(&in->map);
    svcq__free(ctx, in);
    ctx->interner = NULL;
}
