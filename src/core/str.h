/* String copies for input the library keeps: validated as UTF-8 and
 * allocated through the context. */
#ifndef SVCQ__STR_H
#define SVCQ__STR_H

#include "core/core.h"

/* Copies NUL-terminated s. Returns SVCQ_EINVAL (with a message naming
 * what) for NULL or invalid UTF-8, SVCQ_ENOMEM; *out untouched on failure. */
int svcq__strdup(svcq_ctx *ctx, const char *what, const char *s, char **out);
/* What svcq__strndup checks: s not NULL, no NUL in its n bytes, valid
 * UTF-8 (SVCQ_EINVAL naming what). */
int svcq__text_check(svcq_ctx *ctx, const char *what, const char *s, size_t n);
/* Copies n bytes of s and appends a NUL; refuses embedded NULs and invalid
 * UTF-8 with SVCQ_EINVAL. */
int svcq__strndup(svcq_ctx *ctx, const char *what, const char *s, size_t n, char **out);

/* v in decimal ("-12"), written at the end of out: returns where the
 * text starts (it is not NUL-terminated; it ends at out + 24). */
char *svcq__i64_text(char out[24], int64_t v);
char *svcq__u64_text(char out[24], uint64_t v);

/* Text built into a caller's fixed array, cut at its size exactly as
 * snprintf cuts ("%s%s%lld" pieces without a format string to parse:
 * audit texts are built on every mutating call). */
typedef struct svcq__text {
    char *p;
    size_t len, cap; /* cap: the array's size (> 0) */
} svcq__text;

static inline void svcq__text_init(svcq__text *t, char *array, size_t size)
{
    t->p = array;
    t->len = 0;
    t->cap = size;
    array[0] = '\0';
}
/* Appends n bytes of s (cut when the array is full). */
void svcq__text_put(svcq__text *t, const char *s, size_t n);
/* Appends s; NULL appends nothing. */
void svcq__text_str(svcq__text *t, const char *s);
void svcq__text_i64(svcq__text *t, int64_t v);

#endif
