/* Growable byte buffer. data is NUL-terminated whenever it is not NULL, so
 * text built in it can be used as a C string. */
#ifndef SVCQ__BUF_H
#define SVCQ__BUF_H

#include "core/core.h"

typedef struct svcq__buf {
    svcq_ctx *ctx;
    char *data;
    size_t len;
    size_t cap; /* bytes allocated, including room for the NUL */
} svcq__buf;

void svcq__buf_init(svcq__buf *b, svcq_ctx *ctx);
void svcq__buf_free(svcq__buf *b);
/* Ensures room for extra more bytes; on failure the buffer is unchanged. */
int svcq__buf_reserve(svcq__buf *b, size_t extra);
int svcq__buf_append(svcq__buf *b, const void *data, size_t n);
int svcq__buf_putc(svcq__buf *b, char c);
int svcq__buf_puts(svcq__buf *b, const char *s);
int svcq__buf_printf(svcq__buf *b, const char *fmt, ...) SVCQ__PRINTF(2, 3);
/* Drops bytes past len (len <= b->len). */
void svcq__buf_truncate(svcq__buf *b, size_t len);

#endif
