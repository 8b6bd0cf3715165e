/* Buffer, UTF-8, string copies and hash map. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/map.h"
#include "core/str.h"
#include "core/utf8.h"
#include "test_alloc.h"

typedef struct fixture {
    test_alloc alloc;
    svcq_ctx *ctx;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    test_alloc_init(&f->alloc);
    f->ctx = test_ctx_new(&f->alloc);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    svcq_ctx_free(f->ctx);
    assert_int_equal(f->alloc.live_blocks, 0);
    free(f);
    return 0;
}

static void buf_grows_and_stays_terminated(void **state)
{
    fixture *f = *state;
    svcq__buf b;
    svcq__buf_init(&b, f->ctx);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(svcq__buf_printf(&b, "%d,", i), SVCQ_OK);
    assert_int_equal(strlen(b.data), b.len);
    assert_memory_equal(b.data, "0,1,2,", 6);
    assert_int_equal(svcq__buf_puts(&b, "end"), SVCQ_OK);
    assert_string_equal(b.data + b.len - 3, "end");
    svcq__buf_truncate(&b, 2);
    assert_string_equal(b.data, "0,");
    /* A long printf goes through the second formatting path. */
    char big[600];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(svcq__buf_printf(&b, "<%s>", big), SVCQ_OK);
    assert_int_equal(b.len, 2 + 2 + 599);
    assert_int_equal(b.data[b.len - 1], '>');
    svcq__buf_free(&b);
    assert_null(b.data);
}

static void buf_failure_leaves_contents(void **state)
{
    fixture *f = *state;
    svcq__buf b;
    svcq__buf_init(&b, f->ctx);
    assert_int_equal(svcq__buf_puts(&b, "keep"), SVCQ_OK);
    test_alloc_arm(&f->alloc, 1, false);
    char big[200] = { 0 };
    memset(big, 'y', 199);
    assert_int_equal(svcq__buf_puts(&b, big), SVCQ_ENOMEM);
    test_alloc_arm(&f->alloc, 0, false);
    assert_string_equal(b.data, "keep");
    assert_int_equal(b.len, 4);
    assert_int_equal(svcq__buf_reserve(&b, SIZE_MAX), SVCQ_ENOMEM);
    svcq__buf_free(&b);
}

static void utf8_rules(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        bool ok;
    } cases[] = {
        { "", true },
        { "plain ascii", true },
        { "\xC3\xA9", true },             /* é */
        { "\xE4\xB8\xAD\xE6\x96\x87", true }, /* 中文 */
        { "\xF0\x9F\x98\x80", true },     /* U+1F600 */
        { "\xF4\x8F\xBF\xBF", true },     /* U+10FFFF */
        { "\xC0\xAF", false },            /* overlong / */
        { "\xE0\x80\xAF", false },        /* overlong */
        { "\xED\xA0\x80", false },        /* surrogate U+D800 */
        { "\xF4\x90\x80\x80", false },    /* above U+10FFFF */
        { "\x80", false },                /* lone continuation */
        { "\xE4\xB8", false },            /* truncated */
        { "\xFF", false },
        { "abcdefgh\xE4\xB8", false },    /* after the ASCII fast path */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(svcq__utf8_valid(cases[i].s, strlen(cases[i].s)), cases[i].ok);

    char out[4];
    uint32_t cp;
    for (uint32_t c = 0; c <= 0x10FFFF; c += (c < 0x1000 ? 1 : 97)) {
        size_t n = svcq__utf8_encode(c, out);
        if (c >= 0xD800 && c <= 0xDFFF) {
            assert_int_equal(n, 0);
            continue;
        }
        assert_int_not_equal(n, 0);
        assert_int_equal(svcq__utf8_decode((unsigned char *)out, n, &cp), n);
        assert_int_equal(cp, c);
    }
    assert_int_equal(svcq__utf8_encode(0x110000, out), 0);

    assert_int_equal(svcq__utf8_trim("ab\xE4\xB8", 4), 2);
    assert_int_equal(svcq__utf8_trim("ab\xE4\xB8\xAD", 5), 5);
    assert_int_equal(svcq__utf8_trim("abc", 3), 3);
    assert_int_equal(svcq__utf8_trim("\xF0\x9F\x98", 3), 0);

    /* The printable-ASCII run against a byte-by-byte reference: every
     * length to 40, the first other byte at every place, bytes at the
     * edges of the range (0x1F, 0x20, 0x7E, 0x7F, 0x80, 0xFF). */
    static const unsigned char edge[] = { 0x00, 0x1F, 0x20, 0x21, 0x7E, 0x7F, 0x80, 0xA0, 0xFF, 'a', ' ' };
    uint32_t seed = 7;
    for (int round = 0; round < 20000; round++) {
        unsigned char t[40];
        size_t n = (size_t)(round % 41);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            t[i] = (seed >> 16) % 4 ? ((seed >> 20) & 1 ? 'x' : ' ') : edge[(seed >> 8) % sizeof(edge)];
        }
        size_t want = 0;
        bool want_ns = false;
        for (; want < n && t[want] >= 0x20 && t[want] <= 0x7E; want++)
            want_ns |= t[want] != ' ';
        bool ns = false;
        assert_int_equal(svcq__ascii_run((const char *)t, n, &ns), want);
        assert_int_equal(ns, want_ns);
    }
}

static void strings_are_validated_copies(void **state)
{
    fixture *f = *state;
    char *s = NULL;
    assert_int_equal(svcq__strdup(f->ctx, "name", "客户", &s), SVCQ_OK);
    assert_string_equal(s, "客户");
    svcq__free(f->ctx, s);
    s = NULL;
    assert_int_equal(svcq__strdup(f->ctx, "name", "bad\xFF", &s), SVCQ_EINVAL);
    assert_null(s);
    assert_string_equal(svcq_ctx_errmsg(f->ctx), "name: invalid UTF-8");
    assert_int_equal(svcq__strdup(f->ctx, "name", NULL, &s), SVCQ_EINVAL);
    assert_int_equal(svcq__strndup(f->ctx, "id", "a\0b", 3, &s), SVCQ_EINVAL);
    assert_int_equal(svcq__strndup(f->ctx, "id", "abc", 2, &s), SVCQ_OK);
    assert_string_equal(s, "ab");
    svcq__free(f->ctx, s);
}

static void map_against_reference(void **state)
{
    fixture *f = *state;
    enum { N = 5000 };
    static char keys[N][16];
    static int present[N];
    static int values[N];
    svcq__map m;
    svcq__map_init(&m, f->ctx);
    srand(1234);
    size_t expected = 0;
    for (int step = 0; step < 60000; step++) {
        int k = rand() % N;
        snprintf(keys[k], sizeof(keys[k]), "key-%d", k);
        size_t len = strlen(keys[k]);
        if (rand() % 3 == 0) {
            void *v = svcq__map_remove(&m, keys[k], len);
            assert_ptr_equal(v, present[k] ? &values[k] : NULL);
            if (present[k])
                expected--;
            present[k] = 0;
        } else {
            void *old;
            assert_int_equal(svcq__map_put(&m, keys[k], len, &values[k], &old), SVCQ_OK);
            assert_ptr_equal(old, present[k] ? &values[k] : NULL);
            if (!present[k])
                expected++;
            present[k] = 1;
        }
        assert_int_equal(m.count, expected);
        if (step % 997 == 0) {
            for (int i = 0; i < N; i++) {
                char probe[16];
                snprintf(probe, sizeof(probe), "key-%d", i);
                assert_ptr_equal(svcq__map_get(&m, probe, strlen(probe)), present[i] ? &values[i] : NULL);
            }
        }
    }
    size_t iter = 0, seen = 0;
    const void *key;
    size_t keylen;
    void *value;
    while (svcq__map_next(&m, &iter, &key, &keylen, &value)) {
        int idx = (int)((int *)value - values);
        assert_true(present[idx]);
        assert_int_equal(keylen, strlen(keys[idx]));
        seen++;
    }
    assert_int_equal(seen, expected);
    svcq__map_free(&m);
}

static void map_growth_failure_leaves_map(void **state)
{
    fixture *f = *state;
    svcq__map m;
    svcq__map_init(&m, f->ctx);
    static const char *names[] = { "a", "b", "c", "d", "e", "f", "g" };
    for (int i = 0; i < 6; i++)
        assert_int_equal(svcq__map_put(&m, names[i], 1, (void *)names[i], NULL), SVCQ_OK);
    assert_int_equal(m.cap, 8);
    test_alloc_arm(&f->alloc, 1, false);
    assert_int_equal(svcq__map_put(&m, names[6], 1, (void *)names[6], NULL), SVCQ_ENOMEM);
    test_alloc_arm(&f->alloc, 0, false);
    assert_int_equal(m.count, 6);
    assert_null(svcq__map_get(&m, "g", 1));
    for (int i = 0; i < 6; i++)
        assert_ptr_equal(svcq__map_get(&m, names[i], 1), names[i]);
    /* Replacing an existing key never allocates. */
    test_alloc_arm(&f->alloc, 1, true);
    assert_int_equal(svcq__map_put(&m, "a", 1, (void *)names[1], NULL), SVCQ_OK);
    test_alloc_arm(&f->alloc, 0, false);
    svcq__map_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(buf_grows_and_stays_terminated, setup, teardown),
        cmocka_unit_test_setup_teardown(buf_failure_leaves_contents, setup, teardown),
        cmocka_unit_test(utf8_rules),
        cmocka_unit_test_setup_teardown(strings_are_validated_copies, setup, teardown),
        cmocka_unit_test_setup_teardown(map_against_reference, setup, teardown),
        cmocka_unit_test_setup_teardown(map_growth_failure_leaves_map, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
