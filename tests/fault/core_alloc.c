/* Allocation failure at every point of context creation and of buffer and map growth. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/map.h"
#include "fault.h"
#include "svcq.h"

typedef struct st {
    test_alloc *alloc;
    svcq_ctx *ctx;   /* made in setup, except for the context scenario */
    svcq_ctx *made;  /* made by the operation */
    svcq_buffer *buffer;
    svcq__buf buf;
    svcq__map map;
    char keys[200][8];
} st;

static void *setup_bare(test_alloc *alloc)
{
    st *s = calloc(1, sizeof(*s));
    s->alloc = alloc;
    return s;
}

static void *setup_ctx(test_alloc *alloc)
{
    st *s = setup_bare(alloc);
    s->ctx = test_ctx_new(alloc);
    svcq__buf_init(&s->buf, s->ctx);
    svcq__map_init(&s->map, s->ctx);
    /* Some content before the operation, so "unchanged" means something. */
    assert_int_equal(svcq__buf_puts(&s->buf, "prefix"), SVCQ_OK);
    for (int i = 0; i < 200; i++)
        snprintf(s->keys[i], sizeof(s->keys[i]), "k%d", i);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(svcq__map_put(&s->map, s->keys[i], strlen(s->keys[i]), s->keys[i], NULL), SVCQ_OK);
    }
    return s;
}

static void teardown(void *p)
{
    st *s = p;
    svcq_buffer_free(s->buffer);
    svcq__buf_free(&s->buf);
    svcq__map_free(&s->map);
    svcq_ctx_free(s->made);
    svcq_ctx_free(s->ctx);
    free(s);
}

static char *describe(void *p)
{
    st *s = p;
    size_t cap = 4096;
    char *out = malloc(cap);
    int n = snprintf(out, cap, "buf=%s|map=%zu|made=%d|buffer=%d", s->buf.data ? s->buf.data : "",
                     s->map.count, s->made != NULL, s->buffer != NULL);
    for (int i = 0; i < 200 && n < (int)cap - 16; i++)
        if (svcq__map_get(&s->map, s->keys[i], strlen(s->keys[i])))
            n += snprintf(out + n, cap - (size_t)n, ",%d", i);
    return out;
}

static int run_ctx_new(void *p)
{
    st *s = p;
    svcq_ctx_options o = SVCQ_CTX_OPTIONS_INIT;
    test_alloc_hook(s->alloc, &o);
    return svcq_ctx_new(&s->made, &o);
}

static int run_buffer_new_and_write(void *p)
{
    st *s = p;
    svcq_buffer *b;
    int rc = svcq_buffer_new(&b, s->ctx);
    if (rc)
        return rc;
    svcq_writer w;
    rc = svcq_writer_to_buffer(&w, b);
    for (int i = 0; i < 100 && rc == SVCQ_OK; i++)
        rc = svcq_writer_write(&w, "0123456789", 10);
    if (rc) {
        svcq_buffer_free(b);
        return rc;
    }
    s->buffer = b;
    return SVCQ_OK;
}

/* The buffer keeps what was appended before a failed append; so the
 * operation appends to a scratch buffer and commits by swapping. */
static int run_buf_growth(void *p)
{
    st *s = p;
    svcq__buf tmp;
    svcq__buf_init(&tmp, s->ctx);
    int rc = svcq__buf_append(&tmp, s->buf.data, s->buf.len);
    for (int i = 0; i < 500 && rc == SVCQ_OK; i++)
        rc = svcq__buf_printf(&tmp, "%d;", i);
    if (rc) {
        svcq__buf_free(&tmp);
        return rc;
    }
    svcq__buf_free(&s->buf);
    s->buf = tmp;
    return SVCQ_OK;
}

static int run_map_growth(void *p)
{
    st *s = p;
    /* All-or-nothing: reserve first, then inserts cannot fail. */
    int rc = svcq__map_reserve(&s->map, 200);
    if (rc)
        return rc;
    for (int i = 5; i < 200; i++) {
        rc = svcq__map_put(&s->map, s->keys[i], strlen(s->keys[i]), s->keys[i], NULL);
        assert_int_equal(rc, SVCQ_OK);
    }
    return SVCQ_OK;
}

static int run_map_single_puts(void *p)
{
    st *s = p;
    /* One insertion past the load factor: the table grows or is unchanged. */
    int rc = SVCQ_OK;
    for (int i = 5; i < 7 && rc == SVCQ_OK; i++) {
        rc = svcq__map_put(&s->map, s->keys[i], strlen(s->keys[i]), s->keys[i], NULL);
        if (rc) {
            for (int j = 5; j < i; j++)
                svcq__map_remove(&s->map, s->keys[j], strlen(s->keys[j]));
        }
    }
    return rc;
}

#define SCENARIO(fn, setupfn) \
    static void fn##_test(void **state) \
    { \
        (void)state; \
        fault_scenario sc = { .name = #fn, .setup = setupfn, .run = fn, .describe = describe, .teardown = teardown }; \
        assert_true(fault_run(&sc) >= 1); \
    }

SCENARIO(run_ctx_new, setup_bare)
SCENARIO(run_buffer_new_and_write, setup_ctx)
SCENARIO(run_buf_growth, setup_ctx)
SCENARIO(run_map_growth, setup_ctx)
SCENARIO(run_map_single_puts, setup_ctx)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(run_ctx_new_test),
        cmocka_unit_test(run_buffer_new_and_write_test),
        cmocka_unit_test(run_buf_growth_test),
        cmocka_unit_test(run_map_growth_test),
        cmocka_unit_test(run_map_single_puts_test),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
