#include <stddef.h>
#include <string.h>

#include "core/buf.h"
#include "core/core.h"
#include "svcq/writer.h"

struct svcq_buffer {
    svcq__buf buf;
};

/* Bytes of each writer version: version 1 had no reserved space. */
static size_t writer_size(uint32_t version)
{
    return version == 1 ? offsetof(svcq_writer, reserved) : sizeof(svcq_writer);
}

int svcq_writer_init(svcq_writer *writer, uint32_t version)
{
    return svcq__table_init(writer, writer_size(version), version, SVCQ_WRITER_VERSION);
}

static int write_file(const char *data, size_t size, void *user_data)
{
    return fwrite(data, 1, size, (FILE *)user_data) == size ? 0 : SVCQ_EIO;
}

int svcq_writer_to_file(svcq_writer *writer, FILE *stream)
{
    if (!writer || !stream)
        return SVCQ_EINVAL;
    *writer = (svcq_writer){ SVCQ_WRITER_VERSION, 0, write_file, stream, { 0 } };
    return SVCQ_OK;
}

int svcq_buffer_new(svcq_buffer **out, svcq_ctx *ctx)
{
    if (!out || !ctx)
        return SVCQ_EINVAL;
    *out = NULL;
    svcq_buffer *b = svcq__malloc(ctx, sizeof(*b));
    if (!b)
        return svcq__enomem(ctx);
    svcq__buf_init(&b->buf, ctx);
    *out = b;
    return SVCQ_OK;
}

void svcq_buffer_free(svcq_buffer *buffer)
{
    if (!buffer)
        return;
    svcq_ctx *ctx = buffer->buf.ctx;
    svcq__buf_free(&buffer->buf);
    svcq__free(ctx, buffer);
}

const char *svcq_buffer_data(const svcq_buffer *buffer)
{
    return buffer && buffer->buf.data ? buffer->buf.data : "";
}

size_t svcq_buffer_size(const svcq_buffer *buffer)
{
    return buffer ? buffer->buf.len : 0;
}

void svcq_buffer_clear(svcq_buffer *buffer)
{
    if (buffer)
        svcq__buf_truncate(&buffer->buf, 0);
}

static int write_buffer(const char *data, size_t size, void *user_data)
{
    svcq_buffer *b = user_data;
    int rc = svcq__buf_append(&b->buf, data, size);
    if (rc)
        return svcq__error(b->buf.ctx, rc, "buffer: out of memory growing %zu bytes by %zu", b->buf.len, size);
    return SVCQ_OK;
}

int svcq_writer_to_buffer(svcq_writer *writer, svcq_buffer *buffer)
{
    if (!writer || !buffer)
        return SVCQ_EINVAL;
    *writer = (svcq_writer){ SVCQ_WRITER_VERSION, 0, write_buffer, buffer, { 0 } };
    return SVCQ_OK;
}

int svcq_writer_write(const svcq_writer *writer, const char *data, size_t size)
{
    if (!writer || !writer->write || (!data && size))
        return SVCQ_EINVAL;
    if (writer->version == 0 || writer->version > SVCQ_WRITER_VERSION)
        return SVCQ_EVERSION;
    /* Reserved fields are read only as far as the caller's version has them. */
    if (writer->reserved0 ||
        (writer->version >= 2 && !svcq__all_zero(writer->reserved, sizeof(writer->reserved))))
        return SVCQ_EINVAL;
    if (size == 0)
        return SVCQ_OK;
    return svcq__callback_rc(writer->write(data, size, writer->user_data));
}
