/* A counting allocator for tests: counts allocation calls (malloc and
 * realloc), can fail call N once or from N on, and tracks live blocks and
 * bytes so every test can check that nothing leaked. */
#ifndef TEST_ALLOC_H
#define TEST_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

#include "svcq/context.h"

typedef struct test_alloc {
    size_t calls;        /* allocation calls seen since arming */
    size_t fail_at;      /* 1-based call to fail; 0 = never */
    bool keep_failing;   /* fail every call from fail_at on */
    size_t injected;     /* failures injected since arming */
    size_t live_blocks;
    size_t live_bytes;
    size_t peak_bytes;
    size_t total_allocs; /* allocation calls over the allocator's life */
} test_alloc;

void test_alloc_init(test_alloc *a);
/* Sets opts' allocator hooks to a (other fields untouched). */
void test_alloc_hook(test_alloc *a, svcq_ctx_options *opts);
/* Starts counting anew and fails call fail_at (0 disarms). */
void test_alloc_arm(test_alloc *a, size_t fail_at, bool keep_failing);
/* A context on this allocator with default everything else; aborts the
 * test if it cannot be made. */
svcq_ctx *test_ctx_new(test_alloc *a);

#endif
