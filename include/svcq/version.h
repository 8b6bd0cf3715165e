/**
 * @file svcq/version.h
 * @brief Library version and ABI version.
 *
 * The macros describe the headers a program was compiled against; the
 * functions describe the library it runs with. Bindings should call the
 * functions: they never have to read a C macro.
 *
 * Every integer constant of the public headers (each `#define SVCQ_*` that is
 * an integer, each enumerator, each table's `SVCQ_*_VERSION`) can be read at
 * run time by name with svcq_constant(), or listed with
 * svcq_constant_count() and svcq_constant_at(); svcq_table_size() gives the
 * size of each versioned table. So a binding needs no header parser:
 * @code
 * int64_t levels;
 * if (svcq_constant(&levels, "SVCQ_SLA_MAX_LEVELS") != SVCQ_OK) ...
 * size_t status_size = svcq_table_size("svcq_sla_status");
 * @endcode
 * String constants have getters of their own (svcq_version_string(),
 * svcq_sla_event_name(), svcq_tz_default_dir()).
 */
#ifndef SVCQ_VERSION_H
#define SVCQ_VERSION_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Release version of the headers, semantic versioning. */
#define SVCQ_VERSION_MAJOR 0
#define SVCQ_VERSION_MINOR 2
#define SVCQ_VERSION_PATCH 0
/** The same as one number: major * 10000 + minor * 100 + patch. */
#define SVCQ_VERSION_NUMBER \
    (SVCQ_VERSION_MAJOR * 10000 + SVCQ_VERSION_MINOR * 100 + SVCQ_VERSION_PATCH)
/** The same as a string. */
#define SVCQ_VERSION_STRING "0.2.0"

/**
 * ABI major version. The shared library's SONAME is libsvcq.so.<this>; it
 * changes only when a released symbol is removed or changes meaning, which
 * docs/abi-policy.md says we do not do. The build reads it from this line.
 */
#define SVCQ_ABI_MAJOR 1

/**
 * @brief Version of the library in use, as major * 10000 + minor * 100 + patch.
 * @return the runtime version number; compare with SVCQ_VERSION_NUMBER to
 *         detect a program running against another library than it was
 *         built with.
 * @since 0.1
 */
SVCQ_API uint32_t svcq_version_number(void);

/**
 * @brief Version of the library in use as a static string such as "0.1.0".
 * @return a pointer to static storage; never NULL, never to be freed.
 * @since 0.1
 */
SVCQ_API const char *svcq_version_string(void);

/**
 * @brief The value of a public integer constant, by its C name.
 *
 * Knows every integer `#define SVCQ_*` of the public headers (limits,
 * flags, table versions, SVCQ_SLA_NEVER, SVCQ_ERROR_RESERVED_MIN, ...) and
 * every enumerator (SVCQ_EINVAL, SVCQ_SLA_BREACHED, SVCQ_MONDAY, ...), with
 * the value this library was built with. Needs no context and sets no
 * message.
 *
 * @param out  receives the value; left unchanged on failure.
 * @param name the exact C name, e.g. "SVCQ_SLA_MAX_LEVELS"; read during the
 *             call only.
 * @return SVCQ_OK; SVCQ_EINVAL if @p out or @p name is NULL; SVCQ_ENOTFOUND
 *         if this library has no integer constant of that name (a newer
 *         header's name, a string macro, a typo).
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_constant(int64_t *out, const char *name);

/**
 * @brief How many constants svcq_constant_at() lists.
 * @return the number of constants this library knows; indexes run from 0
 *         to this value minus one.
 * @since 0.2
 */
SVCQ_API uint32_t svcq_constant_count(void);

/**
 * @brief One constant of the library's table, by position.
 *
 * The table is sorted by name (strcmp order) and every name is unique, so a
 * binding can generate its constants module from it. Needs no context and
 * sets no message.
 *
 * @param name  receives the constant's C name: static storage, never freed;
 *              left unchanged on failure.
 * @param value receives its value; left unchanged on failure.
 * @param index 0 to svcq_constant_count() - 1.
 * @return SVCQ_OK; SVCQ_EINVAL if @p name or @p value is NULL; SVCQ_ERANGE
 *         if @p index is not below svcq_constant_count().
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_constant_at(const char **name, int64_t *value, uint32_t index);

/**
 * @brief The size in bytes of a versioned table of the public headers.
 *
 * For a binding that allocates a table itself: with the table's current
 * version from svcq_constant() ("SVCQ_SLA_STATUS_VERSION") and this size it
 * can check its own mirror, or allocate an opaque block and fill it through
 * the table's _init function.
 *
 * @param type the C type name, e.g. "svcq_sla_status", "svcq_writer",
 *             "svcq_ctx_options"; read during the call only.
 * @return sizeof the table as this library was built; 0 for NULL or a name
 *         that is not a versioned table of this library.
 * @since 0.2
 */
SVCQ_API size_t svcq_table_size(const char *type);

#ifdef __cplusplus
}
#endif

#endif
