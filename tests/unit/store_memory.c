/* The memory store: the conformance suite, and what only a direct caller
 * of its table can see. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "store/store.h"
#include "store_conformance.h"
#include "svcq.h"
#include "test_alloc.h"

static int create(svcq_ctx *ctx, svcq_store_methods *m, void *data)
{
    (void)data;
    return svcq__memstore_new(ctx, m);
}

static void conformance(void **state)
{
    (void)state;
    store_conformance_factory f = { "memory", create, NULL, NULL, 0 };
    assert_int_equal(store_conformance_run(&f), 0);
}

static int count_visit(const char *id, uint64_t rev, const void *bytes, size_t size, void *ud)
{
    (void)id, (void)rev, (void)bytes, (void)size;
    (*(int *)ud)++;
    return 0;
}

static void table_rules(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a);
    svcq_store_methods m;
    assert_int_equal(svcq__memstore_new(ctx, &m), SVCQ_OK);
    void *ud = m.user_data;
    uint64_t rev;
    /* Writes need a transaction; begin does not nest; commit needs one. */
    assert_int_equal(m.put("k", "a", 0, "x", 1, &rev, ud), SVCQ_ESTATE);
    assert_int_equal(m.remove("k", "a", 1, ud), SVCQ_ESTATE);
    assert_int_equal(m.commit(ud), SVCQ_ESTATE);
    assert_int_equal(m.rollback(ud), SVCQ_OK);
    assert_int_equal(m.begin(ud), SVCQ_OK);
    assert_int_equal(m.begin(ud), SVCQ_ESTATE);
    assert_int_equal(m.put("k", "a", 0, "x", 1, &rev, ud), SVCQ_OK);
    assert_int_equal(m.put("k", "big", 0, "x", (size_t)SVCQ_STORE_MAX_VALUE + 1, &rev, ud), SVCQ_ELIMIT);
    /* A kind name the library would refuse is refused as such, not as a
     * failed allocation. */
    char long_kind[SVCQ_STORE_MAX_KIND + 2];
    memset(long_kind, 'k', sizeof(long_kind) - 1);
    long_kind[sizeof(long_kind) - 1] = '\0';
    assert_int_equal(m.put(long_kind, "a", 0, "x", 1, &rev, ud), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "kind name"));
    long_kind[sizeof(long_kind) - 2] = '\0';
    assert_int_equal(m.put(long_kind, "a", 0, "x", 1, &rev, ud), SVCQ_OK);
    /* Allocation failures change nothing. */
    for (size_t n = 1; n <= 3; n++) {
        test_alloc_arm(&a, n, false);
        assert_int_equal(m.put("k2", "b", 0, "yy", 2, &rev, ud), SVCQ_ENOMEM);
        test_alloc_arm(&a, 0, false);
    }
    test_alloc_arm(&a, 1, false);
    assert_int_equal(m.remove("k3", "zz", 1, ud), SVCQ_ENOTFOUND);
    test_alloc_arm(&a, 0, false);
    assert_int_equal(m.commit(ud), SVCQ_OK);
    int n = 0;
    assert_int_equal(m.scan("k", count_visit, &n, ud), SVCQ_OK);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(m.scan("k2", count_visit, &n, ud), SVCQ_OK);
    assert_int_equal(n, 0);
    assert_int_equal(m.get("k2", "b", count_visit, &n, ud), SVCQ_ENOTFOUND);
    /* A removal whose bookkeeping cannot grow fails cleanly: the removal
     * transaction is longer than any before, so its undo list must grow. */
    uint64_t revs[40];
    for (int i = 0; i < 40; i++) {
        char id[8];
        snprintf(id, sizeof(id), "r%d", i);
        if (i % 10 == 0)
            assert_int_equal(m.begin(ud), SVCQ_OK);
        assert_int_equal(m.put("k", id, 0, "v", 1, &revs[i], ud), SVCQ_OK);
        if (i % 10 == 9)
            assert_int_equal(m.commit(ud), SVCQ_OK);
    }
    assert_int_equal(m.begin(ud), SVCQ_OK);
    size_t removed = 0;
    for (int i = 0; i < 40; i++) {
        char id[8];
        snprintf(id, sizeof(id), "r%d", i);
        test_alloc_arm(&a, 1, true);
        int rc = m.remove("k", id, revs[i], ud);
        test_alloc_arm(&a, 0, false);
        assert_true(rc == SVCQ_OK || rc == SVCQ_ENOMEM);
        removed += rc == SVCQ_OK;
    }
    assert_true(removed >= 1 && removed < 40);
    assert_int_equal(m.rollback(ud), SVCQ_OK);
    n = 0;
    assert_int_equal(m.scan("k", count_visit, &n, ud), SVCQ_OK);
    assert_int_equal(n, 41);
    m.destroy(ud);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conformance),
        cmocka_unit_test(table_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
