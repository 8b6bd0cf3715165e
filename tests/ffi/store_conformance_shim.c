/* The store conformance suite (tests/support/store_conformance.c) as one C
 * entry point a Python test can call through ctypes: the factory hands the
 * suite a svcq_store_methods table filled by Python (a host store written in
 * Python, e.g. svcq.sqlite_store). The suite links its own copy of the
 * library (svcq_internal, hidden symbols), as it drives the store through
 * the library's record layer; the Python store never calls the library, so
 * the two copies share nothing but the table. */
#include <stdint.h>

#include "store_conformance.h"

/* Fills *methods with a fresh (reopen 0) or reopened (1) store. */
typedef int (*svcq_test_factory_fn)(svcq_store_methods *methods, int32_t reopen, void *data);

typedef struct shim {
    svcq_test_factory_fn fn;
    void *data;
} shim;

static int shim_create(svcq_ctx *ctx, svcq_store_methods *methods, void *data)
{
    (void)ctx;
    const shim *s = data;
    return s->fn(methods, 0, s->data);
}

static int shim_reopen(svcq_ctx *ctx, svcq_store_methods *methods, void *data)
{
    (void)ctx;
    const shim *s = data;
    return s->fn(methods, 1, s->data);
}

int svcq_test_store_conformance(const char *name, svcq_test_factory_fn fn, int32_t persistent,
                                uint64_t max_value, void *data);

__attribute__((visibility("default"))) int svcq_test_store_conformance(const char *name,
                                                                       svcq_test_factory_fn fn,
                                                                       int32_t persistent,
                                                                       uint64_t max_value, void *data)
{
    shim s = { fn, data };
    store_conformance_factory f = { name, shim_create, persistent ? shim_reopen : NULL, &s,
                                    (size_t)max_value };
    return store_conformance_run(&f);
}
