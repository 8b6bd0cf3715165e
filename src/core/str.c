#include <string.h>

#include "core/str.h"
#include "core/utf8.h"

int svcq__strndup(svcq_ctx *ctx, const char *what, const char *s, size_t n, char **out)
{
    if (!s)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: NULL string", what);
    if (memchr(s, '\0', n))
        return svcq__error(ctx, SVCQ_EINVAL, "%s: embedded NUL byte", what);
    if (!svcq__utf8_valid(s, n))
        return svcq__error(ctx, SVCQ_EINVAL, "%s: invalid UTF-8", what);
    size_t size;
    if (!svcq__size_add(n, 1, &size))
        return svcq__enomem(ctx);
    char *copy = svcq__malloc(ctx, size);
    if (!copy)
        return svcq__enomem(ctx);
    memcpy(copy, s, n);
    copy[n] = '\0';
    *out = copy;
    return SVCQ_OK;
}

int svcq__strdup(svcq_ctx *ctx, const char *what, const char *s, char **out)
{
    if (!s)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: NULL string", what);
    return svcq__strndup(ctx, what, s, strlen(s), out);
}
