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
/* Like svcq__strdup, but NULL copies to NULL. */
int svcq__strdup_opt(svcq_ctx *ctx, const char *what, const char *s, char **out);
/* Replaces *slot with a copy of s, freeing the old string only on success. */
int svcq__str_replace(svcq_ctx *ctx, const char *what, char **slot, const char *s);

#endif
