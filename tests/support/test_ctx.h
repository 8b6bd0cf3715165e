/* The context of a unit test group: made by setup and freed by teardown
 * (cmocka's group fixtures), with default options. Header-only: a test
 * file includes it once and passes setup and teardown to
 * cmocka_run_group_tests. */
#ifndef TEST_CTX_H
#define TEST_CTX_H

#include "svcq.h"

static svcq_ctx *ctx;

static int setup(void **state)
{
    (void)state;
    return svcq_ctx_new(&ctx, NULL);
}

static int teardown(void **state)
{
    (void)state;
    svcq_ctx_free(ctx);
    return 0;
}

#endif
