/* The record writer (core/jenc.h) against the generic JSON writer
 * (core/json.h), whose bytes it promises: random texts built from the
 * pieces that matter (plain ASCII, every control, '"', '\\', U+2028 and
 * U+2029 — which start with 0xE2 — other 0xE2 characters, other multi-byte
 * characters), of every length to 40 pieces, so that each position of the
 * unrolled scan meets each piece; integers at the edges; booleans; and a
 * whole object written both ways, and its pretty form. A failed allocation truncates the
 * buffer back to where the writer started. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svcq.h"
#include "core/jenc.h"
#include "core/json.h"
#include "core/str.h"
#include "test_alloc.h"
#include "test_ctx.h"

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

/* Appends one random piece to t (room for 8 more bytes). */
static size_t piece(char *t)
{
    static const char *const multi[] = { "\xe2\x80\xa8", "\xe2\x80\xa9", "\xe2\x80\x94", "\xe2\x82\xac",
                                         "\xc3\xa9",     "\xe4\xb8\xad", "\xf0\x9f\x98\x80" };
    uint32_t r = next() % 10;
    if (r < 5) { /* plain ASCII, most of a real text */
        t[0] = (char)(0x20 + next() % 95);
        return 1;
    }
    if (r == 5) { /* a control (never NUL: it ends the text) */
        t[0] = (char)(1 + next() % 31);
        return 1;
    }
    if (r == 6) {
        t[0] = next() % 2 ? '"' : '\\';
        return 1;
    }
    if (r == 7) {
        t[0] = 0x7f;
        return 1;
    }
    const char *m = multi[next() % (sizeof(multi) / sizeof(multi[0]))];
    size_t n = strlen(m);
    memcpy(t, m, n);
    return n;
}

static void generic(svcq__buf *b, const char *s)
{
    svcq__jw w;
    svcq__jw_init_buf(&w, ctx, b);
    assert_int_equal(svcq__jw_string(&w, s), SVCQ_OK);
    assert_int_equal(svcq__jw_finish(&w), SVCQ_OK);
}

static void texts(void **state)
{
    (void)state;
    char t[40 * 8 + 1];
    size_t tried = 0;
    for (int round = 0; round < 300; round++) {
        for (size_t pieces = 0; pieces <= 40; pieces++) {
            size_t n = 0;
            for (size_t i = 0; i < pieces; i++)
                n += piece(t + n);
            t[n] = '\0';
            svcq__buf a, b;
            svcq__buf_init(&a, ctx);
            svcq__buf_init(&b, ctx);
            svcq__je e;
            svcq__je_init(&e, ctx, &a);
            svcq__je_str(&e, t);
            assert_int_equal(svcq__je_finish(&e), SVCQ_OK);
            generic(&b, t);
            if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
                fail_msg("text of %zu bytes: record writer %s, generic writer %s", n, a.data, b.data);
            svcq__buf_free(&a);
            svcq__buf_free(&b);
            tried++;
        }
    }
    assert_true(tried > 10000);
}

/* The integer texts and the fixed-array text builder against snprintf:
 * edges, every power of ten and its neighbours, random values; texts cut
 * at every array size as snprintf cuts them. The plain writer gives the
 * generic writer's bytes for texts without a byte to escape. */
static void integer_and_text_pieces(void **state)
{
    (void)state;
    int64_t edge[] = { 0, 1, -1, 9, 10, 99, 100, -100, 1767232800, INT64_MAX, INT64_MIN, INT64_MIN + 1 };
    for (int k = 0; k < 2000 + (int)(sizeof(edge) / sizeof(edge[0])); k++) {
        int64_t v;
        if (k < (int)(sizeof(edge) / sizeof(edge[0]))) {
            v = edge[k];
        } else if (k < 200) {
            int64_t p = 1;
            for (int i = 0; i < (k - 12) % 19; i++)
                p *= 10;
            v = (k % 3 == 0 ? p - 1 : k % 3 == 1 ? p : p + 1) * (k % 2 ? -1 : 1);
        } else {
            v = (int64_t)((uint64_t)next() << 32 | next()) >> (next() % 60);
        }
        char want[32], d[24];
        snprintf(want, sizeof(want), "%lld", (long long)v);
        const char *p = svcq__i64_text(d, v);
        assert_int_equal((size_t)(d + sizeof(d) - p), strlen(want));
        assert_memory_equal(p, want, strlen(want));
        uint64_t u = (uint64_t)v;
        snprintf(want, sizeof(want), "%llu", (unsigned long long)u);
        p = svcq__u64_text(d, u);
        assert_int_equal((size_t)(d + sizeof(d) - p), strlen(want));
        assert_memory_equal(p, want, strlen(want));
    }
    for (size_t size = 1; size < 40; size++) {
        char got[40], want[40];
        svcq__text t;
        svcq__text_init(&t, got, size);
        svcq__text_str(&t, "m12 owner ");
        svcq__text_put(&t, "Wang Wei", 4);
        svcq__text_str(&t, NULL);
        svcq__text_i64(&t, -1767232800);
        snprintf(want, size, "%s%.*s%lld", "m12 owner ", 4, "Wang Wei", -1767232800LL);
        assert_string_equal(got, want);
        assert_int_equal(t.len, strlen(want));
    }
    const char *plain[] = { "", "analysing", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                            "measure_done" };
    for (size_t i = 0; i < 2 * sizeof(plain) / sizeof(plain[0]); i++) {
        svcq__buf a, b;
        svcq__buf_init(&a, ctx);
        svcq__buf_init(&b, ctx);
        if (i % 2) /* room: the one-copy path; none: byte by byte */
            assert_int_equal(svcq__buf_reserve(&a, 256), SVCQ_OK);
        svcq__je e;
        svcq__je_init(&e, ctx, &a);
        svcq__je_plain(&e, plain[i / 2], strlen(plain[i / 2]));
        assert_int_equal(svcq__je_finish(&e), SVCQ_OK);
        generic(&b, plain[i / 2]);
        assert_string_equal(a.data, b.data);
        svcq__buf_free(&a);
        svcq__buf_free(&b);
    }
}

static void numbers_and_object(void **state)
{
    (void)state;
    static const int64_t ints[] = { 0, 1, -1, 9, 10, -10, 1767232800, INT64_MAX, INT64_MIN, INT64_MIN + 1 };
    svcq__buf a, b;
    svcq__buf_init(&a, ctx);
    svcq__buf_init(&b, ctx);
    svcq__je e;
    svcq__je_init(&e, ctx, &a);
    svcq__jw w;
    svcq__jw_init_buf(&w, ctx, &b);
    svcq__je_begin(&e, '{');
    svcq__jw_object_begin(&w);
    svcq__je_kv_str(&e, SVCQ__JE_K("id"), "INC-1");
    svcq__jw_key(&w, "id");
    svcq__jw_string(&w, "INC-1");
    svcq__je_kv_str(&e, SVCQ__JE_K("absent"), NULL); /* left out */
    svcq__je_key(&e, SVCQ__JE_K("ints"));
    svcq__jw_key(&w, "ints");
    svcq__je_begin(&e, '[');
    svcq__jw_array_begin(&w);
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        svcq__je_int(&e, ints[i]);
        svcq__jw_int(&w, ints[i]);
    }
    svcq__je_end(&e, ']');
    svcq__jw_array_end(&w);
    svcq__je_key(&e, SVCQ__JE_K("flags"));
    svcq__jw_key(&w, "flags");
    svcq__je_begin(&e, '[');
    svcq__jw_array_begin(&w);
    svcq__je_bool(&e, true);
    svcq__jw_bool(&w, true);
    svcq__je_bool(&e, false);
    svcq__jw_bool(&w, false);
    svcq__je_begin(&e, '{');
    svcq__jw_object_begin(&w);
    svcq__je_end(&e, '}');
    svcq__jw_object_end(&w);
    svcq__je_end(&e, ']');
    svcq__jw_array_end(&w);
    svcq__je_kv_int(&e, SVCQ__JE_K("n"), -42);
    svcq__jw_key(&w, "n");
    svcq__jw_int(&w, -42);
    svcq__je_end(&e, '}');
    svcq__jw_object_end(&w);
    assert_int_equal(svcq__je_finish(&e), SVCQ_OK);
    assert_int_equal(svcq__jw_finish(&w), SVCQ_OK);
    assert_string_equal(a.data, b.data);
    /* The pretty form is the generic writer's pretty form. */
    svcq__buf p, q;
    svcq__buf_init(&p, ctx);
    svcq__buf_init(&q, ctx);
    assert_int_equal(svcq__je_pretty(ctx, a.data, a.len, &p), SVCQ_OK);
    svcq__json_doc *doc = NULL;
    assert_int_equal(svcq__json_parse(ctx, b.data, b.len, NULL, &doc), SVCQ_OK);
    svcq__jw_init_buf(&w, ctx, &q);
    svcq__jw_set_pretty(&w, true);
    svcq__jw_value(&w, svcq__json_root(doc));
    assert_int_equal(svcq__jw_finish(&w), SVCQ_OK);
    svcq__json_doc_free(doc);
    assert_string_equal(p.data, q.data);
    assert_non_null(strchr(p.data, '\n'));
    assert_int_equal(svcq__je_pretty(ctx, "{\"a\":", 5, &p), SVCQ_EPARSE);
    svcq__buf_free(&p);
    svcq__buf_free(&q);
    svcq__buf_free(&a);
    svcq__buf_free(&b);
}

/* Allocation failure at every point of writing a record after some bytes
 * already in the buffer: ENOMEM, and the buffer back as it was. */
static void out_of_memory(void **state)
{
    (void)state;
    size_t points = 0;
    for (size_t n = 1; n < 64; n++) {
        test_alloc alloc;
        test_alloc_init(&alloc);
        svcq_ctx_options o;
        assert_int_equal(svcq_ctx_options_init(&o, SVCQ_CTX_OPTIONS_VERSION), SVCQ_OK);
        test_alloc_hook(&alloc, &o);
        svcq_ctx *c = NULL;
        assert_int_equal(svcq_ctx_new(&c, &o), SVCQ_OK);
        svcq__buf b;
        svcq__buf_init(&b, c);
        assert_int_equal(svcq__buf_puts(&b, "kept"), SVCQ_OK);
        test_alloc_arm(&alloc, n, false);
        svcq__je e;
        svcq__je_init(&e, c, &b);
        svcq__je_begin(&e, '[');
        for (int i = 0; i < 200; i++) {
            svcq__je_str(&e, i % 3 ? "plain text that is long enough to grow the buffer" : "with \"quotes\"\n");
            svcq__je_int(&e, i);
        }
        svcq__je_end(&e, ']');
        int rc = svcq__je_finish(&e);
        size_t hit = alloc.injected;
        test_alloc_arm(&alloc, 0, false);
        if (!hit) {
            assert_int_equal(rc, SVCQ_OK);
            svcq__buf_free(&b);
            svcq_ctx_free(c);
            break;
        }
        points++;
        assert_int_equal(rc, SVCQ_ENOMEM);
        assert_int_equal(b.len, 4);
        assert_string_equal(b.data, "kept");
        svcq__buf_free(&b);
        svcq_ctx_free(c);
        assert_int_equal(alloc.live_blocks, 0);
    }
    assert_true(points >= 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(texts),
        cmocka_unit_test(integer_and_text_pieces),
        cmocka_unit_test(numbers_and_object),
        cmocka_unit_test(out_of_memory),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
