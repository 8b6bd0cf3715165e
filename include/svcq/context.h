/**
 * @file svcq/context.h
 * @brief The context: host hooks (allocator, clock, logger) and error details.
 *
 * Every handle of the library is made from a context and allocates through
 * its allocator. A context and the handles made from it are used by one
 * thread at a time; independent contexts may run on different threads.
 *
 * Three lines start a program on the system allocator and clock:
 * @code
 * svcq_ctx *ctx;
 * if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK) return 1;
 * ...
 * svcq_ctx_free(ctx);
 * @endcode
 */
#ifndef SVCQ_CONTEXT_H
#define SVCQ_CONTEXT_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque library context. */
typedef struct svcq_ctx svcq_ctx;

/** Allocates @p size bytes (never called with 0); returns NULL on failure. */
typedef void *(*svcq_malloc_fn)(size_t size, void *user_data);
/** Resizes @p ptr (never NULL) to @p size bytes (never 0); NULL on failure, leaving @p ptr intact. */
typedef void *(*svcq_realloc_fn)(void *ptr, size_t size, void *user_data);
/** Frees memory from the two functions above (never called with NULL). */
typedef void (*svcq_free_fn)(void *ptr, void *user_data);
/** Returns the current instant; lets tests and simulations control time. */
typedef svcq_time (*svcq_clock_fn)(void *user_data);

/** Log levels, least severe first. */
typedef enum svcq_log_level {
    SVCQ_LOG_DEBUG = 0,
    SVCQ_LOG_INFO = 1,
    SVCQ_LOG_WARN = 2,
    SVCQ_LOG_ERROR = 3
} svcq_log_level;

/**
 * Receives one log message. @p message is NUL-terminated UTF-8 without a
 * trailing newline and is valid only during the call.
 */
typedef void (*svcq_log_fn)(int32_t level, const char *message, void *user_data);

/** The options version this header describes. */
#define SVCQ_CTX_OPTIONS_VERSION 1

/**
 * Options for svcq_ctx_new(). Initialise with SVCQ_CTX_OPTIONS_INIT or
 * svcq_ctx_options_init(), then set the fields you need. Every NULL hook
 * means the system default.
 *
 * Version history: 1 — the fields below (0.1).
 */
typedef struct svcq_ctx_options {
    uint32_t version;             /**< SVCQ_CTX_OPTIONS_VERSION */
    uint32_t reserved0;           /**< must be zero */
    /** Allocator: set all three or none. */
    svcq_malloc_fn malloc_fn;
    svcq_realloc_fn realloc_fn;
    svcq_free_fn free_fn;
    void *alloc_user_data;
    /** Clock: NULL reads the system real-time clock. */
    svcq_clock_fn clock_fn;
    void *clock_user_data;
    /** Logger: NULL discards log messages. */
    svcq_log_fn log_fn;
    void *log_user_data;
    /** Messages below this svcq_log_level are not delivered; 0 delivers all. */
    int32_t log_min_level;
    uint32_t reserved1;           /**< must be zero */
    uint64_t reserved[8];         /**< room for later versions; must be zero */
} svcq_ctx_options;

/** Static initialiser equal to svcq_ctx_options_init(&o, SVCQ_CTX_OPTIONS_VERSION). */
#define SVCQ_CTX_OPTIONS_INIT { SVCQ_CTX_OPTIONS_VERSION, 0, NULL, NULL, NULL, NULL, \
                                NULL, NULL, NULL, NULL, 0, 0, { 0 } }

/**
 * @brief Fills @p opts with the defaults of options version @p version.
 * @param opts    the table to fill; every byte is written.
 * @param version SVCQ_CTX_OPTIONS_VERSION of the caller's header.
 * @return SVCQ_OK; SVCQ_EINVAL if @p opts is NULL; SVCQ_EVERSION if
 *         @p version is 0 or newer than this library knows.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_ctx_options_init(svcq_ctx_options *opts, uint32_t version);

/**
 * @brief Creates a context.
 * @param out  receives the new context, owned by the caller and released
 *             with svcq_ctx_free(); set to NULL on failure.
 * @param opts options, or NULL for every default. The table is read during
 *             the call only.
 * @return SVCQ_OK; SVCQ_EINVAL for a NULL @p out, an allocator given in part,
 *         or non-zero reserved fields; SVCQ_EVERSION for an options version
 *         this library does not know; SVCQ_ENOMEM.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_ctx_new(svcq_ctx **out, const svcq_ctx_options *opts);

/**
 * @brief Frees a context. Every handle made from it must be freed first.
 * @param ctx the context; NULL is a no-op.
 * @since 0.1
 */
SVCQ_API void svcq_ctx_free(svcq_ctx *ctx);

/**
 * @brief The detailed message of the last error reported on this context.
 *
 * Functions that fail on a context set it; successful calls leave it as it
 * was. It is per context, not per thread, so FFI callers may read it from
 * any thread that owns the context at the time.
 *
 * @param ctx the context; NULL gives "".
 * @return NUL-terminated UTF-8 owned by the context, valid until the next
 *         call on it; "" when nothing failed yet. Never NULL.
 * @since 0.1
 */
SVCQ_API const char *svcq_ctx_errmsg(const svcq_ctx *ctx);

/**
 * @brief The current instant according to the context's clock hook.
 * @param ctx the context; NULL reads the system clock.
 * @return seconds since the Unix epoch.
 * @since 0.1
 */
SVCQ_API svcq_time svcq_ctx_now(const svcq_ctx *ctx);

#ifdef __cplusplus
}
#endif

#endif
