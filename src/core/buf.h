/* Growable byte buffer. data is NUL-terminated whenever it is not NULL, so
 * text built in it can be used as a C string. */
#ifndef SQ_BUF_H
#define SQ_BUF_H

#include "core/core.h"

typedef struct sq_buf {
    svcq_ctx *ctx;
    char *data;
    size_t len;
    size_t cap; /* bytes allocated, including room for the NUL */
} sq_buf;

void sq_buf_init(sq_buf *b, svcq_ctx *ctx);
void sq_buf_free(sq_buf *b);
/* Ensures room for extra more bytes; on failure the buffer is unchanged. */
int sq_buf_reserve(sq_buf *b, size_t extra);
int sq_buf_append(sq_buf *b, const void *data, size_t n);
int sq_buf_putc(sq_buf *b, char c);
int sq_buf_puts(sq_buf *b, const char *s);
int sq_buf_printf(sq_buf *b, const char *fmt, ...) SQ_PRINTF(2, 3);
/* Drops bytes past len (len <= b->len). */
void sq_buf_truncate(sq_buf *b, size_t len);
/* Hands the data (NUL-terminated, never NULL on success) to the caller, who
 * frees it with sq_free; the buffer is left empty. */
int sq_buf_steal(sq_buf *b, char **out, size_t *len);

#endif
