/**
 * @file svcq/writer.h
 * @brief The output sink every export writes through, and a growing buffer.
 *
 * Exports (JSON, CSV, Markdown, Mermaid, Graphviz DOT) write their text by
 * calling a svcq_writer. Point one at your own callback, at a FILE *, or at
 * a svcq_buffer that collects the bytes in memory.
 */
#ifndef SVCQ_WRITER_H
#define SVCQ_WRITER_H

#include <stdio.h>

#include "common.h"
#include "context.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Receives @p size bytes at @p data (not NUL-terminated, valid only during
 * the call). Returns 0 to go on. A value from SVCQ_ERROR_RESERVED_MIN to -1
 * (an SVCQ_E* code) stops the export, which returns that value; any other
 * non-zero value stops it with SVCQ_EABORTED.
 */
typedef int (*svcq_write_fn)(const char *data, size_t size, void *user_data);

/**
 * The writer version this header describes.
 *
 * Version history: 1 (0.1) version, reserved0, write, user_data (24 bytes
 * on LP64, never released); 2 (0.2) adds the reserved space below, so the
 * size is fixed from now on and later fields come out of it, as in every
 * other table.
 */
#define SVCQ_WRITER_VERSION 2

/**
 * A sink: a callback and the pointer handed to it. Initialise with
 * SVCQ_WRITER_INIT, svcq_writer_init(), svcq_writer_to_file() or
 * svcq_writer_to_buffer().
 */
typedef struct svcq_writer {
    uint32_t version;     /**< SVCQ_WRITER_VERSION */
    uint32_t reserved0;   /**< must be zero */
    svcq_write_fn write;  /**< the callback; required */
    void *user_data;      /**< passed to @p write */
    uint64_t reserved[5]; /**< room for later versions; must be zero (version >= 2) */
} svcq_writer;

/** Static initialiser equal to svcq_writer_init(&w, SVCQ_WRITER_VERSION). */
#define SVCQ_WRITER_INIT { SVCQ_WRITER_VERSION, 0, NULL, NULL, { 0 } }

/**
 * @brief Fills @p writer with an empty writer of version @p version.
 *
 * Writes the bytes of that version only: version 1 fills the 4 fields of
 * version 1, so a program built against the older header keeps working.
 *
 * @param writer  the table to fill.
 * @param version SVCQ_WRITER_VERSION of the caller's header.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown version.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_writer_init(svcq_writer *writer, uint32_t version);

/**
 * @brief Points @p writer at a stdio stream.
 *
 * Writes go through fwrite(); a short write stops the export with SVCQ_EIO.
 * The stream is borrowed: it must stay open while the writer is used, and
 * the caller flushes and closes it. Fills the whole table as this header's
 * version (SVCQ_WRITER_VERSION, sizeof(svcq_writer)).
 *
 * @return SVCQ_OK; SVCQ_EINVAL if either pointer is NULL.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_writer_to_file(svcq_writer *writer, FILE *stream);

/** Opaque growing byte buffer. */
typedef struct svcq_buffer svcq_buffer;

/**
 * @brief Creates an empty buffer that allocates through @p ctx.
 * @param out receives the buffer, owned by the caller, freed with
 *            svcq_buffer_free(); NULL on failure.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments; SVCQ_ENOMEM.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_buffer_new(svcq_buffer **out, svcq_ctx *ctx);

/**
 * @brief Frees a buffer; NULL is a no-op.
 * @since 0.1
 */
SVCQ_API void svcq_buffer_free(svcq_buffer *buffer);

/**
 * @brief The bytes written so far, followed by a NUL byte.
 * @return a pointer owned by the buffer, valid until the buffer is written
 *         to, cleared or freed; "" for an empty or NULL buffer.
 * @since 0.1
 */
SVCQ_API const char *svcq_buffer_data(const svcq_buffer *buffer);

/**
 * @brief Number of bytes written so far (without the trailing NUL).
 * @return the size; 0 for NULL.
 * @since 0.1
 */
SVCQ_API size_t svcq_buffer_size(const svcq_buffer *buffer);

/**
 * @brief Empties the buffer, keeping its memory for reuse. NULL is a no-op.
 * @since 0.1
 */
SVCQ_API void svcq_buffer_clear(svcq_buffer *buffer);

/**
 * @brief Points @p writer at @p buffer: every write appends to it.
 *
 * The buffer is borrowed and must outlive the writer's use. An append that
 * cannot grow the buffer stops the export with SVCQ_ENOMEM and leaves the
 * bytes appended before it. Fills the whole table as this header's version
 * (SVCQ_WRITER_VERSION, sizeof(svcq_writer)).
 *
 * @return SVCQ_OK; SVCQ_EINVAL if either pointer is NULL.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_writer_to_buffer(svcq_writer *writer, svcq_buffer *buffer);

/**
 * @brief Sends @p size bytes to @p writer, as the library's exports do.
 *
 * Lets hosts chain their own output with the library's through one sink.
 *
 * @return SVCQ_OK; SVCQ_EINVAL for a NULL or callback-less writer, a NULL
 *         @p data with a non-zero size, or a non-zero reserved field;
 *         SVCQ_EVERSION for a writer version 0 or newer than this library
 *         knows; otherwise what the callback asked for (see svcq_write_fn).
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_writer_write(const svcq_writer *writer, const char *data,
                                              size_t size);

#ifdef __cplusplus
}
#endif

#endif
