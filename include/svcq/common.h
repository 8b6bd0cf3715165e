/**
 * @file svcq/common.h
 * @brief Types, export macros and error codes shared by every module.
 *
 * Conventions of the whole API:
 * - Functions return int: SVCQ_OK (0) or a negative SVCQ_E* code. Results
 *   come back through out-parameters, output first.
 * - Times are svcq_time: seconds since the Unix epoch, UTC. Durations are
 *   int64_t seconds.
 * - Strings are UTF-8 and NUL-terminated; the library copies what it is
 *   given and refuses invalid UTF-8 with SVCQ_EINVAL.
 * - Independent contexts may be used from different threads at once; one
 *   context and every handle made from it are used by one thread at a time.
 */
#ifndef SVCQ_COMMON_H
#define SVCQ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Marks a declaration as part of the exported API. */
#if defined(_WIN32) && defined(SVCQ_BUILDING_DLL)
#define SVCQ_API __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define SVCQ_API __attribute__((visibility("default")))
#else
#define SVCQ_API
#endif

/** Marks a function whose result must be checked. */
#if defined(__GNUC__) || defined(__clang__)
#define SVCQ_NODISCARD __attribute__((warn_unused_result))
#else
#define SVCQ_NODISCARD
#endif

/** An instant: seconds since 1970-01-01T00:00:00Z, ignoring leap seconds. */
typedef int64_t svcq_time;

/**
 * Error codes. The values are pinned: a published value never changes and a
 * retired code keeps its number. New codes take the next free number.
 */
typedef enum svcq_error {
    SVCQ_OK = 0,           /**< success */
    SVCQ_EINVAL = -1,      /**< an argument is invalid (NULL, out of its domain, bad UTF-8) */
    SVCQ_ENOMEM = -2,      /**< an allocation failed; nothing was changed */
    SVCQ_ENOTFOUND = -3,   /**< the named object does not exist */
    SVCQ_EEXIST = -4,      /**< the object already exists */
    SVCQ_ECONFLICT = -5,   /**< a stored revision differs from the one expected */
    SVCQ_EVERSION = -6,    /**< a table, record or file has an unsupported version */
    SVCQ_ESTORE = -7,      /**< a storage callback failed */
    SVCQ_EIO = -8,         /**< an operating-system I/O call failed */
    SVCQ_ECORRUPT = -9,    /**< stored or supplied data is damaged */
    SVCQ_EBUSY = -10,      /**< a resource is locked by someone else */
    SVCQ_ERANGE = -11,     /**< a value or result is out of range (overflow) */
    SVCQ_ESTATE = -12,     /**< the operation is not allowed in the current state */
    SVCQ_EPARSE = -13,     /**< text could not be parsed; the context message says where */
    SVCQ_ELIMIT = -14,     /**< a configured limit (size, depth, count) was exceeded */
    SVCQ_EABORTED = -15    /**< a host callback asked to stop */
} svcq_error;

/**
 * The most negative value reserved for libsvcq error codes: every code, of
 * this release and of every later one, lies in SVCQ_ERROR_RESERVED_MIN … -1.
 * The bound never moves (it is ABI, like the codes themselves).
 *
 * It is also the rule for host callbacks (writer, store, scheduler notices):
 * a callback that returns a value in this range stops the operation, which
 * returns that value unchanged, even a code this library does not name yet;
 * any other non-zero value (positive, or below this bound) stops it with
 * SVCQ_EABORTED. docs/errors.md has the table; bindings read the bound with
 * svcq_constant(&v, "SVCQ_ERROR_RESERVED_MIN").
 */
#define SVCQ_ERROR_RESERVED_MIN (-999)

/**
 * @brief Names an error code.
 * @param code any value returned by a libsvcq function.
 * @return a static, NUL-terminated English description; for a code this
 *         library does not know, "unknown error". Never NULL.
 * @since 0.1
 */
SVCQ_API const char *svcq_strerror(int code);

#ifdef __cplusplus
}
#endif

#endif
