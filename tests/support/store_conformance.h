/* The store conformance suite: runs any store through the storage contract
 * of svcq/store.h, the way the library uses it (through the context's
 * record layer, so the library's own checks run too).
 *
 * It needs no test framework: each failed check is printed to stderr with
 * its group and line, and the entry point returns how many failed. A host
 * runs it against its own store as docs/storage.md describes. */
#ifndef TEST_STORE_CONFORMANCE_H
#define TEST_STORE_CONFORMANCE_H

#include <stddef.h>

#include "svcq.h"

typedef struct store_conformance_factory {
    const char *name;
    /* Fills *methods with a fresh, empty store for ctx (any storage made by
     * an earlier call is discarded). The suite hands the table to
     * svcq_ctx_set_store, so the context owns the store and destroys it.
     * Returns 0 or a negative code. */
    int (*create)(svcq_ctx *ctx, svcq_store_methods *methods, void *data);
    /* Optional, for stores that persist: opens again the storage the last
     * create made, after the context holding it was freed. */
    int (*reopen)(svcq_ctx *ctx, svcq_store_methods *methods, void *data);
    void *data;
    /* Largest value tried; 0 means 16 MiB. */
    size_t max_value;
} store_conformance_factory;

/* Runs every group of checks. Returns the number of failed checks (0 when
 * the store conforms). */
int store_conformance_run(const store_conformance_factory *f);

#endif
