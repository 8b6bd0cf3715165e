/**
 * @file svcq/version.h
 * @brief Library version and ABI version.
 *
 * The macros describe the headers a program was compiled against; the
 * functions describe the library it runs with. Bindings should call the
 * functions: they never have to read a C macro.
 */
#ifndef SVCQ_VERSION_H
#define SVCQ_VERSION_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Release version of the headers, semantic versioning. */
#define SVCQ_VERSION_MAJOR 0
#define SVCQ_VERSION_MINOR 1
#define SVCQ_VERSION_PATCH 0
/** The same as one number: major * 10000 + minor * 100 + patch. */
#define SVCQ_VERSION_NUMBER \
    (SVCQ_VERSION_MAJOR * 10000 + SVCQ_VERSION_MINOR * 100 + SVCQ_VERSION_PATCH)
/** The same as a string. */
#define SVCQ_VERSION_STRING "0.1.0"

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

#ifdef __cplusplus
}
#endif

#endif
