/* Allocation failure at every point of parsing a medium document (several
 * arena blocks, pending-stack and frame-stack growth, an indexed object)
 * and of writing one to a buffer: each returns SVCQ_ENOMEM, leaks nothing
 * and leaves the caller's state as it was. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/json.h"
#include "fault.h"
#include "svcq.h"

typedef struct st {
    test_alloc *alloc;
    svcq_ctx *ctx;
    char *text;
    size_t len;
    svcq__json_doc *doc;    /* what parse produced */
    svcq__json_doc *source; /* parsed in setup, for the write scenarios */
    svcq__buf buf;
} st;

/* A record-like document: a schema, an object of 20 members (indexed),
 * 300 small numbers (more nodes than the first arena block holds), and 20
 * levels of nesting (past the first frame-stack allocation). */
static char *medium_doc(size_t *len)
{
    size_t cap = 16384, n = 0;
    char *t = malloc(cap);
    n += (size_t)snprintf(t + n, cap - n, "{\"schema\":\"svcq.incident/1\",\"id\":\"INC-\\u00e9\\ud83d\\ude00\",\"fields\":{");
    for (int i = 0; i < 20; i++)
        n += (size_t)snprintf(t + n, cap - n, "%s\"f%d\":{\"v\":%d.5,\"s\":\"text %d\\n\"}", i ? "," : "", i, i, i);
    n += (size_t)snprintf(t + n, cap - n, "},\"numbers\":[");
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(t + n, cap - n, "%s%d", i ? "," : "", i % 10);
    n += (size_t)snprintf(t + n, cap - n, "],\"deep\":");
    for (int i = 0; i < 20; i++)
        n += (size_t)snprintf(t + n, cap - n, "[");
    n += (size_t)snprintf(t + n, cap - n, "true");
    for (int i = 0; i < 20; i++)
        n += (size_t)snprintf(t + n, cap - n, "]");
    n += (size_t)snprintf(t + n, cap - n, ",\"ok\":false,\"none\":null,\"big\":1e300}");
    *len = n;
    return t;
}

static void *setup(test_alloc *alloc)
{
    st *s = calloc(1, sizeof(*s));
    s->alloc = alloc;
    s->ctx = test_ctx_new(alloc);
    s->text = medium_doc(&s->len);
    svcq__buf_init(&s->buf, s->ctx);
    assert_int_equal(svcq__buf_puts(&s->buf, "earlier output;"), SVCQ_OK);
    assert_int_equal(svcq__json_parse(s->ctx, s->text, s->len, NULL, &s->source), SVCQ_OK);
    return s;
}

static void teardown(void *p)
{
    st *s = p;
    svcq__json_doc_free(s->doc);
    svcq__json_doc_free(s->source);
    svcq__buf_free(&s->buf);
    svcq_ctx_free(s->ctx);
    free(s->text);
    free(s);
}

static char *describe(void *p)
{
    st *s = p;
    size_t n = s->buf.len + 64;
    char *out = malloc(n);
    snprintf(out, n, "doc=%d buf=%s", s->doc != NULL, s->buf.data ? s->buf.data : "");
    return out;
}

static int run_parse(void *p)
{
    st *s = p;
    svcq__json_doc *doc = (svcq__json_doc *)0x1;
    int rc = svcq__json_parse(s->ctx, s->text, s->len, NULL, &doc);
    if (rc) {
        assert_null(doc);
        assert_string_equal(svcq_ctx_errmsg(s->ctx), "out of memory");
        return rc;
    }
    /* The document is whole. */
    assert_true(svcq__json_equal(svcq__json_root(doc), svcq__json_root(s->source)));
    s->doc = doc;
    return SVCQ_OK;
}

static int run_write_buffer(void *p)
{
    st *s = p;
    svcq__jw w;
    svcq__jw_init_buf(&w, s->ctx, &s->buf);
    svcq__jw_value(&w, svcq__json_root(s->source));
    int rc = svcq__jw_finish(&w);
    if (rc)
        return rc;
    assert_int_equal(strncmp(s->buf.data, "earlier output;{\"schema\":", 25), 0);
    return SVCQ_OK;
}

static int run_write_pretty_by_calls(void *p)
{
    st *s = p;
    svcq__jw w;
    svcq__jw_init_buf(&w, s->ctx, &s->buf);
    svcq__jw_set_pretty(&w, true);
    svcq__jw_object_begin(&w);
    svcq__jw_key(&w, "schema");
    svcq__jw_string(&w, "svcq.report/1");
    svcq__jw_key(&w, "rows");
    svcq__jw_array_begin(&w);
    for (int i = 0; i < 60; i++) {
        svcq__jw_object_begin(&w);
        svcq__jw_key(&w, "n");
        svcq__jw_int(&w, i);
        svcq__jw_key(&w, "x");
        svcq__jw_double(&w, i / 7.0);
        svcq__jw_key(&w, "s");
        svcq__jw_string(&w, "a \"quoted\"\tline\n");
        svcq__jw_object_end(&w);
    }
    svcq__jw_array_end(&w);
    svcq__jw_object_end(&w);
    return svcq__jw_finish(&w);
}

/* min_points: the allocations the scenario is known to make, so that a
 * change that stops reaching them is noticed. */
#define SCENARIO(fn, min_points) \
    static void fn##_test(void **state) \
    { \
        (void)state; \
        fault_scenario sc = { .name = #fn, .setup = setup, .run = fn, .describe = describe, .teardown = teardown }; \
        size_t points = fault_run(&sc); \
        print_message("%s: %zu failure points\n", #fn, points); \
        assert_true(points >= (min_points)); \
    }

/* doc, 3 arena blocks, pending stack 64 -> 128 -> 256 -> 512, frames 16 -> 32 */
SCENARIO(run_parse, 8)
SCENARIO(run_write_buffer, 3)
SCENARIO(run_write_pretty_by_calls, 3)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(run_parse_test),
        cmocka_unit_test(run_write_buffer_test),
        cmocka_unit_test(run_write_pretty_by_calls_test),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
