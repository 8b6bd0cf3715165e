/* A context-wide string interner: each distinct string gets a small stable
 * id, so that hot structures (SLA event logs) hold 4-byte ids instead of
 * pointers to copies, and compare names by id. Id 0 is the empty string.
 * Strings stay until the context is freed; interned names are a small
 * vocabulary (event names, pause reasons), not user data. */
#ifndef SVCQ__INTERN_H
#define SVCQ__INTERN_H

#include "core/core.h"

/* Interns len bytes at s (validated as UTF-8 without NUL by the caller).
 * SVCQ_ENOMEM leaves the interner unchanged. */
int svcq__intern(svcq_ctx *ctx, const char *s, size_t len, uint32_t *id);
/* Looks a string up without interning it; false when it was never seen. */
bool svcq__intern_find(const svcq_ctx *ctx, const char *s, size_t len, uint32_t *id);
/* The string of an id ("" for 0 or an unknown id). */
const char *svcq__intern_str(const svcq_ctx *ctx, uint32_t id);
/* Frees the interner; called by svcq_ctx_free. */
void svcq__intern_free(svcq_ctx *ctx);

#endif
