#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"
#include "svcq.h"
#include "test_alloc.h"

static void options_init_matches_macro(void **state)
{
    (void)state;
    svcq_ctx_options a = SVCQ_CTX_OPTIONS_INIT, b;
    memset(&b, 0xA5, sizeof(b));
    assert_int_equal(svcq_ctx_options_init(&b, SVCQ_CTX_OPTIONS_VERSION), SVCQ_OK);
    assert_memory_equal(&a, &b, sizeof(a));
    assert_int_equal(svcq_ctx_options_init(NULL, 1), SVCQ_EINVAL);
    assert_int_equal(svcq_ctx_options_init(&b, 0), SVCQ_EVERSION);
    assert_int_equal(svcq_ctx_options_init(&b, SVCQ_CTX_OPTIONS_VERSION + 1), SVCQ_EVERSION);
}

static void default_context(void **state)
{
    (void)state;
    svcq_ctx *ctx = (svcq_ctx *)0x1;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    assert_non_null(ctx);
    assert_string_equal(svcq_ctx_errmsg(ctx), "");
    /* The system clock is after 2020 on any machine running this. */
    assert_true(svcq_ctx_now(ctx) > 1577836800);
    svcq_ctx_free(ctx);
    svcq_ctx_free(NULL);
    assert_string_equal(svcq_ctx_errmsg(NULL), "");
}

static void bad_options(void **state)
{
    (void)state;
    svcq_ctx *ctx = (svcq_ctx *)0x1;
    assert_int_equal(svcq_ctx_new(NULL, NULL), SVCQ_EINVAL);

    svcq_ctx_options o = SVCQ_CTX_OPTIONS_INIT;
    o.version = 99;
    assert_int_equal(svcq_ctx_new(&ctx, &o), SVCQ_EVERSION);
    assert_null(ctx);
    o.version = 0;
    assert_int_equal(svcq_ctx_new(&ctx, &o), SVCQ_EVERSION);

    svcq_ctx_options r = SVCQ_CTX_OPTIONS_INIT;
    r.reserved[7] = 1;
    assert_int_equal(svcq_ctx_new(&ctx, &r), SVCQ_EINVAL);
    r = (svcq_ctx_options)SVCQ_CTX_OPTIONS_INIT;
    r.reserved0 = 1;
    assert_int_equal(svcq_ctx_new(&ctx, &r), SVCQ_EINVAL);

    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx_options part = SVCQ_CTX_OPTIONS_INIT;
    test_alloc_hook(&a, &part);
    part.realloc_fn = NULL;
    assert_int_equal(svcq_ctx_new(&ctx, &part), SVCQ_EINVAL);
    assert_int_equal(a.total_allocs, 0);
}

static svcq_time fixed_clock(void *ud)
{
    return *(svcq_time *)ud;
}

static void clock_hook(void **state)
{
    (void)state;
    svcq_time t = 1767225600; /* 2026-01-01T00:00:00Z */
    svcq_ctx_options o = SVCQ_CTX_OPTIONS_INIT;
    o.clock_fn = fixed_clock;
    o.clock_user_data = &t;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, &o), SVCQ_OK);
    assert_int_equal(svcq_ctx_now(ctx), 1767225600);
    t += 60;
    assert_int_equal(svcq_ctx_now(ctx), 1767225660);
    svcq_ctx_free(ctx);
}

typedef struct log_capture {
    int count;
    int32_t level;
    char last[2048];
} log_capture;

static void capture_log(int32_t level, const char *message, void *ud)
{
    log_capture *c = ud;
    c->count++;
    c->level = level;
    strncpy(c->last, message, sizeof(c->last) - 1);
}

static void log_hook_and_filter(void **state)
{
    (void)state;
    log_capture cap = { 0 };
    svcq_ctx_options o = SVCQ_CTX_OPTIONS_INIT;
    o.log_fn = capture_log;
    o.log_user_data = &cap;
    o.log_min_level = SVCQ_LOG_WARN;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, &o), SVCQ_OK);
    svcq__log(ctx, SVCQ_LOG_INFO, "dropped %d", 1);
    assert_int_equal(cap.count, 0);
    svcq__log(ctx, SVCQ_LOG_ERROR, "kept %d", 2);
    assert_int_equal(cap.count, 1);
    assert_int_equal(cap.level, SVCQ_LOG_ERROR);
    assert_string_equal(cap.last, "kept 2");
    svcq_ctx_free(ctx);
}

static void custom_allocator_used(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a);
    assert_int_equal(a.live_blocks, 1);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}

static void error_details(void **state)
{
    (void)state;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    assert_int_equal(svcq__error(ctx, SVCQ_EINVAL, "field %s: %d", "due", 42), SVCQ_EINVAL);
    assert_string_equal(svcq_ctx_errmsg(ctx), "field due: 42");

    /* A message cut to fit never ends inside a UTF-8 sequence. */
    char longmsg[SVCQ__ERRMSG_SIZE + 8];
    memset(longmsg, 'a', sizeof(longmsg));
    strcpy(longmsg + SVCQ__ERRMSG_SIZE - 3, "\xE4\xB8\xAD"); /* 中 across the cut */
    svcq__error(ctx, SVCQ_EINVAL, "%s", longmsg);
    assert_int_equal(strlen(svcq_ctx_errmsg(ctx)), SVCQ__ERRMSG_SIZE - 3);
    svcq_ctx_free(ctx);
}

static void strerror_names_every_code(void **state)
{
    (void)state;
    for (int code = 0; code >= SVCQ__ERROR_LAST; code--)
        assert_string_not_equal(svcq_strerror(code), "unknown error");
    assert_string_equal(svcq_strerror(SVCQ__ERROR_LAST - 1), "unknown error");
    assert_string_equal(svcq_strerror(1), "unknown error");
    /* Pinned values: these numbers are ABI. */
    assert_int_equal(SVCQ_EINVAL, -1);
    assert_int_equal(SVCQ_ENOMEM, -2);
    assert_int_equal(SVCQ_ECONFLICT, -5);
    assert_int_equal(SVCQ_EVERSION, -6);
    assert_int_equal(SVCQ_EABORTED, -15);
}

static void version(void **state)
{
    (void)state;
    assert_int_equal(svcq_version_number(), SVCQ_VERSION_NUMBER);
    assert_string_equal(svcq_version_string(), SVCQ_VERSION_STRING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(options_init_matches_macro),
        cmocka_unit_test(default_context),
        cmocka_unit_test(bad_options),
        cmocka_unit_test(clock_hook),
        cmocka_unit_test(log_hook_and_filter),
        cmocka_unit_test(custom_allocator_used),
        cmocka_unit_test(error_details),
        cmocka_unit_test(strerror_names_every_code),
        cmocka_unit_test(version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
