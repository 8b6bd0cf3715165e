#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"

void sq_buf_init(sq_buf *b, svcq_ctx *ctx)
{
    b->ctx = ctx;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void sq_buf_free(sq_buf *b)
{
    sq_free(b->ctx, b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

int sq_buf_reserve(sq_buf *b, size_t extra)
{
    size_t need;
    if (!sq_size_add(b->len, extra, &need) || !sq_size_add(need, 1, &need))
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
    char *p = sq_realloc(b->ctx, b->data, cap);
    if (!p)
        return SVCQ_ENOMEM;
    if (!b->data)
        p[0] = '\0';
    b->data = p;
    b->cap = cap;
    return SVCQ_OK;
}

int sq_buf_append(sq_buf *b, const void *data, size_t n)
{
    int rc = sq_buf_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return SVCQ_OK;
}

int sq_buf_putc(sq_buf *b, char c)
{
    if (SQ_LIKELY(b->len + 1 < b->cap)) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return SVCQ_OK;
    }
    return sq_buf_append(b, &c, 1);
}

int sq_buf_puts(sq_buf *b, const char *s)
{
    return sq_buf_append(b, s, strlen(s));
}

int sq_buf_printf(sq_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return SVCQ_EINVAL;
    if ((size_t)n < sizeof(small))
        return sq_buf_append(b, small, (size_t)n);
    int rc = sq_buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return SVCQ_OK;
}

void sq_buf_truncate(sq_buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->data[len] = '\0';
    }
}

int sq_buf_steal(sq_buf *b, char **out, size_t *len)
{
    int rc = sq_buf_reserve(b, 0);
    if (rc)
        return rc;
    *out = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return SVCQ_OK;
}
