/* svcq_store_file_kinds(): the kinds with records in byte order of their
 * names, their counts (the open transaction's writes included, removed
 * records and emptied kinds left out), a visitor that stops, bad
 * arguments, and allocation failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svcq.h"
#include "test_alloc.h"
#include "test_fs.h"

typedef struct seen {
    char text[512];
    int stop_after; /* 0: never */
    int calls;
} seen;

static int record_kind(const char *kind, uint64_t records, void *user_data)
{
    seen *s = user_data;
    size_t used = strlen(s->text);
    snprintf(s->text + used, sizeof(s->text) - used, "%s=%llu;", kind, (unsigned long long)records);
    if (++s->calls == s->stop_after)
        return 42;
    return 0;
}

static void put(const svcq_store_methods *m, const char *kind, const char *id, uint64_t expected, uint64_t *rev)
{
    assert_int_equal(m->put(kind, id, expected, "{}", 2, rev, m->user_data), SVCQ_OK);
}

static void kinds_in_order(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a);
    char *dir = test_tmpdir("kinds");
    char path[1024];
    snprintf(path, sizeof(path), "%s/k.svcq", dir);
    svcq_store_file *fs;
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, NULL), SVCQ_OK);
    svcq_store_methods m;
    assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);

    seen s = { "", 0, 0 };
    assert_int_equal(svcq_store_file_kinds(fs, record_kind, &s), SVCQ_OK);
    assert_string_equal(s.text, ""); /* an empty store has no kinds */

    uint64_t r1, r2, r3, r4;
    assert_int_equal(m.begin(m.user_data), SVCQ_OK);
    put(&m, "zeta", "a", 0, &r1);
    put(&m, "alpha", "x", 0, &r2);
    put(&m, "alpha", "y", 0, &r3);
    put(&m, "beta", "b", 0, &r4);
    assert_int_equal(m.commit(m.user_data), SVCQ_OK);
    /* A kind whose only record is removed disappears; the open
     * transaction's writes count. */
    assert_int_equal(m.begin(m.user_data), SVCQ_OK);
    assert_int_equal(m.remove("beta", "b", r4, m.user_data), SVCQ_OK);
    uint64_t r5;
    put(&m, "gamma", "g", 0, &r5);
    memset(&s, 0, sizeof(s));
    assert_int_equal(svcq_store_file_kinds(fs, record_kind, &s), SVCQ_OK);
    assert_string_equal(s.text, "alpha=2;gamma=1;zeta=1;");
    assert_int_equal(m.rollback(m.user_data), SVCQ_OK);
    memset(&s, 0, sizeof(s));
    assert_int_equal(svcq_store_file_kinds(fs, record_kind, &s), SVCQ_OK);
    assert_string_equal(s.text, "alpha=2;beta=1;zeta=1;");

    /* The visitor stops the walk and its value comes back. */
    memset(&s, 0, sizeof(s));
    s.stop_after = 2;
    assert_int_equal(svcq_store_file_kinds(fs, record_kind, &s), 42);
    assert_string_equal(s.text, "alpha=2;beta=1;");

    /* Bad arguments. */
    assert_int_equal(svcq_store_file_kinds(NULL, record_kind, &s), SVCQ_EINVAL);
    assert_int_equal(svcq_store_file_kinds(fs, NULL, &s), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "no callback"));

    /* Allocation failure: an error and nothing visited, nothing leaked. */
    size_t live = a.live_blocks;
    test_alloc_arm(&a, 1, false);
    memset(&s, 0, sizeof(s));
    assert_int_equal(svcq_store_file_kinds(fs, record_kind, &s), SVCQ_ENOMEM);
    assert_int_equal(s.calls, 0);
    test_alloc_arm(&a, 0, false);
    assert_int_equal(a.live_blocks, live);

    assert_int_equal(svcq_store_file_close(fs), SVCQ_OK);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kinds_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
