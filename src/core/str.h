/* String copies for input the library keeps: validated as UTF-8 and
 * allocated through the context. */
#ifndef SVCQ__STR_H
#define SVCQ__STR_H

#include "core/core.h"

/* Copies NUL-terminated s. Returns SVCQ_EINVAL (with a message naming
 * what) for NULL or invalid UTF-8, SVCQ_ENOMEM; *out untouched on failure. */
int svcq__strdup(svcq_ctx *ctx, const char *what, const char *s, char **out);
/* Copies n bytes of s and appends a NUL; refuses embedded NULs and invalid
 * UTF-8 with SVCQ_EINVAL. */
int svcq__strndup(svcq_ctx *ctx, const char *what, const char *s, size_t n, char **out);

#endif
