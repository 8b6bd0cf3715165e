#include <string.h>

#include "core/str.h"
#include "core/utf8.h"

int sq_strndup(svcq_ctx *ctx, const char *what, const char *s, size_t n, char **out)
{
    if (!s)
        return sq_error(ctx, SVCQ_EINVAL, "%s: NULL string", what);
    if (memchr(s, '\0', n))
        return sq_error(ctx, SVCQ_EINVAL, "%s: embedded NUL byte", what);
    if (!sq_utf8_valid(s, n))
        return sq_error(ctx, SVCQ_EINVAL, "%s: invalid UTF-8", what);
    size_t size;
    if (!sq_size_add(n, 1, &size))
        return sq_enomem(ctx);
    char *copy = sq_malloc(ctx, size);
    if (!copy)
        return sq_enomem(ctx);
    memcpy(copy, s, n);
    copy[n] = '\0';
    *out = copy;
    return SVCQ_OK;
}

int sq_strdup(svcq_ctx *ctx, const char *what, const char *s, char **out)
{
    if (!s)
        return sq_error(ctx, SVCQ_EINVAL, "%s: NULL string", what);
    return sq_strndup(ctx, what, s, strlen(s), out);
}

int sq_strdup_opt(svcq_ctx *ctx, const char *what, const char *s, char **out)
{
    if (!s) {
        *out = NULL;
        return SVCQ_OK;
    }
    return sq_strdup(ctx, what, s, out);
}

int sq_str_replace(svcq_ctx *ctx, const char *what, char **slot, const char *s)
{
    char *copy = NULL;
    int rc = sq_strdup_opt(ctx, what, s, &copy);
    if (rc)
        return rc;
    sq_free(ctx, *slot);
    *slot = copy;
    return SVCQ_OK;
}
