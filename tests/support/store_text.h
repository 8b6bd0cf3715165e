/* Every record of some kinds of a context's store as one text, for the
 * failure-injection tests that compare the whole store before and after a
 * failed call. */
#ifndef TEST_STORE_TEXT_H
#define TEST_STORE_TEXT_H

#include <stddef.h>

#include "svcq/context.h"

/* For each kind in order: "<kind>:\n", then one "<id>@<revision> <bytes>\n"
 * line per record in byte order (the store's scan order is not stable).
 * malloc'd; the caller frees it. Aborts the test when the scan fails. */
char *test_store_text(svcq_ctx *ctx, const char *const *kinds, size_t nkinds);

#endif
