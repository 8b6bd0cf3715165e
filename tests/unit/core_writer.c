#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svcq.h"
#include "test_alloc.h"

static void init_matches_macro(void **state)
{
    (void)state;
    svcq_writer a = SVCQ_WRITER_INIT, b;
    memset(&b, 0x5A, sizeof(b));
    assert_int_equal(svcq_writer_init(&b, SVCQ_WRITER_VERSION), SVCQ_OK);
    assert_memory_equal(&a, &b, sizeof(a));
    assert_int_equal(svcq_writer_init(&b, SVCQ_WRITER_VERSION + 1), SVCQ_EVERSION);
    assert_int_equal(svcq_writer_init(&b, 0), SVCQ_EVERSION);
    assert_int_equal(svcq_writer_init(NULL, 1), SVCQ_EINVAL);
}

/* Version 1 had no reserved space: its init writes its 24 bytes only (a
 * program built against the old header has no more), and a version-1
 * writer is used without reading past them. */
static void version_1_keeps_its_size(void **state)
{
    (void)state;
    assert_int_equal(SVCQ_WRITER_VERSION, 2);
    svcq_writer w;
    memset(&w, 0x5A, sizeof(w));
    assert_int_equal(svcq_writer_init(&w, 1), SVCQ_OK);
    assert_int_equal(w.version, 1);
    assert_int_equal(w.reserved0, 0);
    assert_null(w.write);
    assert_null(w.user_data);
    const unsigned char *tail = (const unsigned char *)w.reserved;
    for (size_t i = 0; i < sizeof(w.reserved); i++)
        assert_int_equal(tail[i], 0x5A);
    /* The bytes after a version-1 table are the caller's: not checked. */
    svcq_buffer *buf = NULL;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    assert_int_equal(svcq_buffer_new(&buf, ctx), SVCQ_OK);
    svcq_writer full;
    assert_int_equal(svcq_writer_to_buffer(&full, buf), SVCQ_OK);
    w.write = full.write;
    w.user_data = full.user_data;
    assert_int_equal(svcq_writer_write(&w, "v1", 2), SVCQ_OK);
    assert_string_equal(svcq_buffer_data(buf), "v1");
    /* From version 2 the reserved space must be zero. */
    w.version = 2;
    assert_int_equal(svcq_writer_write(&w, "v2", 2), SVCQ_EINVAL);
    memset(w.reserved, 0, sizeof(w.reserved));
    assert_int_equal(svcq_writer_write(&w, "v2", 2), SVCQ_OK);
    w.reserved[4] = 1;
    assert_int_equal(svcq_writer_write(&w, "v2", 2), SVCQ_EINVAL);
    w.reserved[4] = 0;
    w.reserved0 = 1;
    assert_int_equal(svcq_writer_write(&w, "v2", 2), SVCQ_EINVAL);
    assert_string_equal(svcq_buffer_data(buf), "v1v2");
    svcq_buffer_free(buf);
    svcq_ctx_free(ctx);
}

static void buffer_sink(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a);
    svcq_buffer *buf;
    assert_int_equal(svcq_buffer_new(&buf, ctx), SVCQ_OK);
    assert_string_equal(svcq_buffer_data(buf), "");
    svcq_writer w;
    assert_int_equal(svcq_writer_to_buffer(&w, buf), SVCQ_OK);
    assert_int_equal(svcq_writer_write(&w, "hello ", 6), SVCQ_OK);
    assert_int_equal(svcq_writer_write(&w, "world", 5), SVCQ_OK);
    assert_int_equal(svcq_writer_write(&w, NULL, 0), SVCQ_OK);
    assert_string_equal(svcq_buffer_data(buf), "hello world");
    assert_int_equal(svcq_buffer_size(buf), 11);

    char big[300];
    memset(big, 'z', sizeof(big));
    test_alloc_arm(&a, 1, false);
    assert_int_equal(svcq_writer_write(&w, big, sizeof(big)), SVCQ_ENOMEM);
    test_alloc_arm(&a, 0, false);
    assert_string_equal(svcq_buffer_data(buf), "hello world");

    svcq_buffer_clear(buf);
    assert_int_equal(svcq_buffer_size(buf), 0);
    assert_string_equal(svcq_buffer_data(buf), "");
    svcq_buffer_free(buf);
    svcq_buffer_free(NULL);
    assert_string_equal(svcq_buffer_data(NULL), "");
    assert_int_equal(svcq_buffer_size(NULL), 0);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}

static void file_sink(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    assert_non_null(f);
    svcq_writer w;
    assert_int_equal(svcq_writer_to_file(&w, f), SVCQ_OK);
    assert_int_equal(svcq_writer_write(&w, "line\n", 5), SVCQ_OK);
    rewind(f);
    char got[16] = { 0 };
    assert_non_null(fgets(got, sizeof(got), f));
    assert_string_equal(got, "line\n");
    fclose(f);
    assert_int_equal(svcq_writer_to_file(&w, NULL), SVCQ_EINVAL);
}

static int stop_with(const char *data, size_t size, void *ud)
{
    (void)data;
    (void)size;
    return *(int *)ud;
}

static void callback_results(void **state)
{
    (void)state;
    int answer = 0;
    svcq_writer w = SVCQ_WRITER_INIT;
    assert_int_equal(svcq_writer_write(&w, "x", 1), SVCQ_EINVAL); /* no callback */
    w.write = stop_with;
    w.user_data = &answer;
    assert_int_equal(svcq_writer_write(&w, "x", 1), SVCQ_OK);
    answer = SVCQ_EIO;
    assert_int_equal(svcq_writer_write(&w, "x", 1), SVCQ_EIO);
    answer = 7;
    assert_int_equal(svcq_writer_write(&w, "x", 1), SVCQ_EABORTED);
    /* The stable rule of svcq/common.h: the whole reserved range passes,
     * codes this build does not name included; nothing else does. */
    const int passed[] = { SVCQ_EINVAL, SVCQ_EABORTED, SVCQ_EABORTED - 1, -500, SVCQ_ERROR_RESERVED_MIN };
    for (size_t i = 0; i < sizeof(passed) / sizeof(passed[0]); i++) {
        answer = passed[i];
        assert_int_equal(svcq_writer_write(&w, "x", 1), passed[i]);
    }
    const int aborted[] = { 1, 7, INT32_MAX, SVCQ_ERROR_RESERVED_MIN - 1, -1000, INT32_MIN };
    for (size_t i = 0; i < sizeof(aborted) / sizeof(aborted[0]); i++) {
        answer = aborted[i];
        assert_int_equal(svcq_writer_write(&w, "x", 1), SVCQ_EABORTED);
    }
    assert_int_equal(SVCQ_ERROR_RESERVED_MIN, -999);
    assert_int_equal(svcq_writer_write(&w, NULL, 1), SVCQ_EINVAL);
    w.version = 9;
    assert_int_equal(svcq_writer_write(&w, "x", 1), SVCQ_EVERSION);
}

static int notice_answer(const svcq_sla_notice *n, void *ud)
{
    (void)n;
    return *(int *)ud;
}

/* The same rule for the scheduler's notice callback: it does not depend on
 * which codes this build names (SVCQ__ERROR_LAST), only on the published
 * bound. */
static void scheduler_notices_follow_the_rule(void **state)
{
    (void)state;
    const int answers[] = { SVCQ_EIO, -500, SVCQ_ERROR_RESERVED_MIN, SVCQ_ERROR_RESERVED_MIN - 1, 5, INT32_MIN };
    const int want[] = { SVCQ_EIO, -500, SVCQ_ERROR_RESERVED_MIN, SVCQ_EABORTED, SVCQ_EABORTED, SVCQ_EABORTED };
    for (size_t i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
        svcq_ctx *ctx;
        svcq_sla_policy *p = NULL;
        svcq_sla_clock *c = NULL;
        svcq_sla_scheduler *s = NULL;
        int answer = answers[i];
        assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
        assert_int_equal(svcq_sla_policy_builtin(&p, ctx, SVCQ_TIER_SPECIAL, NULL, 0), SVCQ_OK);
        assert_int_equal(svcq_sla_scheduler_new(&s, ctx, notice_answer, &answer), SVCQ_OK);
        assert_int_equal(svcq_sla_clock_new(&c, p, "T-1"), SVCQ_OK);
        assert_int_equal(svcq_sla_scheduler_add(s, c), SVCQ_OK);
        assert_int_equal(svcq_sla_clock_event(c, SVCQ_SLA_EVENT_REQUEST_RECEIVED, 1767603600, NULL), SVCQ_OK);
        uint64_t n = 0;
        assert_int_equal(svcq_sla_scheduler_advance(&n, s, 1767603600 + 86400), want[i]);
        assert_int_equal(n, 0);
        svcq_sla_scheduler_free(s);
        svcq_sla_policy_free(p);
        svcq_ctx_free(ctx);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_matches_macro),
        cmocka_unit_test(version_1_keeps_its_size),
        cmocka_unit_test(buffer_sink),
        cmocka_unit_test(file_sink),
        cmocka_unit_test(callback_results),
        cmocka_unit_test(scheduler_notices_follow_the_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
