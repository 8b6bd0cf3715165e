#include <string.h>

#include "core/str.h"
#include "core/utf8.h"

int svcq__text_check(svcq_ctx *ctx, const char *what, const char *s, size_t n)
{
    if (!s)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: NULL string", what);
    if (memchr(s, '\0', n))
        return svcq__error(ctx, SVCQ_EINVAL, "%s: embedded NUL byte", what);
    if (!svcq__utf8_valid(s, n))
        return svcq__error(ctx, SVCQ_EINVAL, "%s: invalid UTF-8", what);
    return SVCQ_OK;
}

int svcq__strndup(svcq_ctx *ctx, const char *what, const char *s, size_t n, char **out)
{
    int rc = svcq__text_check(ctx, what, s, n);
    if (rc)
        return rc;
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

char *svcq__u64_text(char out[24], uint64_t u)
{
    /* Two digits a division: records are full of ten-digit times. */
    static const char pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                   "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                   "8081828384858687888990919293949596979899";
    char *p = out + 24;
    while (u >= 100) {
        unsigned d = (unsigned)(u % 100) * 2;
        u /= 100;
        *--p = pairs[d + 1];
        *--p = pairs[d];
    }
    if (u >= 10) {
        *--p = pairs[u * 2 + 1];
        *--p = pairs[u * 2];
    } else {
        *--p = (char)('0' + u);
    }
    return p;
}

char *svcq__i64_text(char out[24], int64_t v)
{
    char *p = svcq__u64_text(out, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
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
