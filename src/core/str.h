/* String copies for input the library keeps: validated as UTF-8 and
 * allocated through the context. */
#ifndef SQ_STR_H
#define SQ_STR_H

#include "core/core.h"

/* Copies NUL-terminated s. Returns SVCQ_EINVAL (with a message naming
 * what) for NULL or invalid UTF-8, SVCQ_ENOMEM; *out untouched on failure. */
int sq_strdup(svcq_ctx *ctx, const char *what, const char *s, char **out);
/* Copies n bytes of s and appends a NUL; refuses embedded NULs and invalid
 * UTF-8 with SVCQ_EINVAL. */
int sq_strndup(svcq_ctx *ctx, const char *what, const char *s, size_t n, char **out);
/* Like sq_strdup, but NULL copies to NULL. */
int sq_strdup_opt(svcq_ctx *ctx, const char *what, const char *s, char **out);
/* Replaces *slot with a copy of s, freeing the old string only on success. */
int sq_str_replace(svcq_ctx *ctx, const char *what, char **slot, const char *s);

#endif
