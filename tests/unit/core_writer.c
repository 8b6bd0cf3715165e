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
    assert_int_equal(svcq_writer_init(&b, 2), SVCQ_EVERSION);
    assert_int_equal(svcq_writer_init(NULL, 1), SVCQ_EINVAL);
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
    answer = -1000;
    assert_int_equal(svcq_writer_write(&w, "x", 1), SVCQ_EABORTED);
    assert_int_equal(svcq_writer_write(&w, NULL, 1), SVCQ_EINVAL);
    w.version = 9;
    assert_int_equal(svcq_writer_write(&w, "x", 1), SVCQ_EVERSION);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_matches_macro),
        cmocka_unit_test(buffer_sink),
        cmocka_unit_test(file_sink),
        cmocka_unit_test(callback_results),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
