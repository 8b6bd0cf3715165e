#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"

void svcq__buf_init(svcq__buf *b, svcq_ctx *ctx)
{
    b->ctx = ctx;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void svcq__buf_free(svcq__buf *b)
{
    svcq__free(b->ctx, b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

int svcq__buf_reserve(svcq__buf *b, size_t extra)
{
    size_t need;
    if (!svcq__size_add(b->len, extra, &need) || !svcq__size_add(need, 1, &need))
        return SVCQ_ENOMEM;
    if (need <= b->cap)
        return SVCQ_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    char *p = svcq__realloc(b->ctx, b->data, cap);
    if (!p)
        return SVCQ_ENOMEM;
    if (!b->data)
        p[0] = '\0';
    b->data = p;
    b->cap = cap;
    return SVCQ_OK;
}

int svcq__buf_append(svcq__buf *b, const void *data, size_t n)
{
    int rc = svcq__buf_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return SVCQ_OK;
}

int svcq__buf_putc(svcq__buf *b, char c)
{
    if (SVCQ__LIKELY(b->len + 1 < b->cap)) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return SVCQ_OK;
    }
    return svcq__buf_append(b, &c, 1);
}

int svcq__buf_puts(svcq__buf *b, const char *s)
{
    return svcq__buf_append(b, s, strlen(s));
}

int svcq__buf_printf(svcq__buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return SVCQ_EINVAL;
    if ((size_t)n < sizeof(small))
        return svcq__buf_append(b, small, (size_t)n);
    int rc = svcq__buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return SVCQ_OK;
}

void svcq__buf_truncate(svcq__buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->data[len] = '\0';
    }
}
