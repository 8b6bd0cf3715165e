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

char *svcq__i64_text(char out[24], int64_t v)
{
    char *p = out + 24;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    return p;
}

void svcq__text_put(svcq__text *t, const char *s, size_t n)
{
    size_t room = t->cap - 1 - t->len;
    if (n > room)
        n = room;
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

void svcq__text_str(svcq__text *t, const char *s)
{
    if (s)
        svcq__text_put(t, s, strlen(s));
}

void svcq__text_i64(svcq__text *t, int64_t v)
{
    char d[24];
    const char *p = svcq__i64_text(d, v);
    svcq__text_put(t, p, (size_t)(d + sizeof(d) - p));
}
