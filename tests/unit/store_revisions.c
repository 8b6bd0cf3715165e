/* A revision is never handed out twice for one (kind, id), on both
 * built-in stores: the lost update of issue 8 through the calendar API
 * (a stale handle's save after a rolled-back batch), the same with the
 * file store closed and opened again between the rollback and the saves,
 * and the file store's high-water mark across a reopen after the newest
 * records were removed and compacted away. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "store/store.h"
#include "svcq.h"
#include "test_fs.h"

#define H(h, m) ((h) * 3600 + (m) * 60)

static svcq_calendar *office(svcq_ctx *ctx)
{
    svcq_tz *tz;
    assert_int_equal(svcq_tz_fixed(&tz, ctx, 8 * 3600), SVCQ_OK);
    svcq_calendar *cal;
    assert_int_equal(svcq_calendar_new(&cal, ctx, tz, NULL), SVCQ_OK);
    svcq_tz_free(tz);
    const int32_t iv[2] = { H(9, 0), H(18, 0) };
    for (int d = 1; d <= 5; d++)
        assert_int_equal(svcq_calendar_set_weekday(cal, d, iv, 1), SVCQ_OK);
    return cal;
}

static svcq_store_file *attach_file(svcq_ctx *ctx, const char *path)
{
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.durability = SVCQ_STORE_SYNC_NONE;
    svcq_store_file *fs = NULL;
    if (svcq_store_file_open(&fs, ctx, path, &o) != SVCQ_OK)
        fail_msg("open %s: %s", path, svcq_ctx_errmsg(ctx));
    svcq_store_methods m;
    assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    return fs;
}

/* Whether the stored calendar "x" is closed on 2026-01-02 (the holiday). */
static bool stored_has_holiday(svcq_ctx *ctx)
{
    svcq_calendar *back;
    svcq_tz *tz;
    assert_int_equal(svcq_tz_fixed(&tz, ctx, 8 * 3600), SVCQ_OK);
    assert_int_equal(svcq_calendar_load(&back, ctx, "x", NULL, tz), SVCQ_OK);
    svcq_tz_free(tz);
    bool found = false;
    for (size_t i = 0; i < svcq_calendar_date_count(back); i++) {
        int32_t y, m, d, kind, wd;
        const int32_t *iv;
        size_t n;
        assert_int_equal(svcq_calendar_date_at(&y, &m, &d, &kind, &wd, &iv, &n, back, i), SVCQ_OK);
        if (y == 2026 && m == 1 && d == 2)
            found = true;
    }
    svcq_calendar_free(back);
    return found;
}

/* Issue 8: in a batch, save calendar "x", load a second handle of it, roll
 * back; the first handle adds a holiday and saves; the second handle's
 * stale save must conflict, and the holiday stays. reopen: the file store
 * is closed and opened again (path) between the rollback and the saves. */
static void lost_update(svcq_ctx *ctx, const char *path)
{
    svcq_calendar *first = office(ctx);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_calendar_save(first, "x"), SVCQ_OK);
    uint64_t seen = svcq_calendar_revision(first);
    svcq_calendar *second;
    assert_int_equal(svcq_calendar_load(&second, ctx, "x", NULL, svcq_calendar_tz(first)), SVCQ_OK);
    assert_int_equal(svcq_calendar_revision(second), seen);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
    assert_int_equal(svcq_calendar_revision(first), 0);
    assert_int_equal(svcq_calendar_revision(second), seen); /* loaded, not changed: kept */

    if (path) {
        /* The store goes (its destroy closes the file) and comes back. */
        assert_int_equal(svcq_ctx_set_store(ctx, NULL), SVCQ_OK);
        (void)attach_file(ctx, path);
    }

    assert_int_equal(svcq_calendar_set_closed(first, 2026, 1, 2), SVCQ_OK);
    assert_int_equal(svcq_calendar_save(first, "x"), SVCQ_OK);
    assert_int_not_equal(svcq_calendar_revision(first), seen);
    assert_true(stored_has_holiday(ctx));

    assert_int_equal(svcq_calendar_save(second, "x"), SVCQ_ECONFLICT);
    assert_int_equal(svcq_calendar_revision(second), seen);
    assert_true(stored_has_holiday(ctx));
    svcq_calendar_free(first);
    svcq_calendar_free(second);
}

static void memory_store_lost_update(void **state)
{
    (void)state;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    lost_update(ctx, NULL);
    svcq_ctx_free(ctx);
}

static void file_store_lost_update(void **state)
{
    (void)state;
    char *dir = test_tmpdir("rev");
    char *path = test_path(dir, "journal");
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    (void)attach_file(ctx, path);
    lost_update(ctx, NULL);
    svcq_ctx_free(ctx);

    /* Again on a fresh journal, with a reopen between rollback and saves. */
    unlink(path);
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    (void)attach_file(ctx, path);
    lost_update(ctx, path);
    svcq_ctx_free(ctx);
    test_rmtree(dir);
    free(path);
    free(dir);
}

static int put1(svcq_ctx *ctx, const char *id, uint64_t expected, uint64_t *rev)
{
    svcq__tx tx;
    int rc = svcq__tx_begin(ctx, &tx);
    if (!rc)
        rc = svcq__store_put(ctx, "rev", id, expected, "{}", 2, rev);
    return svcq__tx_end(ctx, &tx, rc);
}

static int remove1(svcq_ctx *ctx, const char *id, uint64_t expected)
{
    svcq__tx tx;
    int rc = svcq__tx_begin(ctx, &tx);
    if (!rc)
        rc = svcq__store_remove(ctx, "rev", id, expected);
    return svcq__tx_end(ctx, &tx, rc);
}

/* The file store's high-water mark: the newest records removed, a
 * rolled-back transaction's revisions, then a compaction that leaves no
 * trace of any of them; after a reopen the next revision is still above
 * every revision handed out before. */
static void file_store_mark_survives_compaction(void **state)
{
    (void)state;
    char *dir = test_tmpdir("revc");
    char *path = test_path(dir, "journal");
    for (int compact = 0; compact < 2; compact++) {
        unlink(path);
        svcq_ctx *ctx;
        assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
        svcq_store_file *fs = attach_file(ctx, path);
        uint64_t keep, gone, spent, highest;
        assert_int_equal(put1(ctx, "keep", 0, &keep), SVCQ_OK);
        assert_int_equal(put1(ctx, "gone", 0, &gone), SVCQ_OK);
        assert_int_equal(remove1(ctx, "gone", gone), SVCQ_OK);
        assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
        assert_int_equal(put1(ctx, "spent", 0, &spent), SVCQ_OK);
        assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
        highest = spent;
        assert_true(highest > gone && gone > keep);
        if (compact)
            assert_int_equal(svcq_store_file_compact(fs), SVCQ_OK);
        svcq_ctx_free(ctx);

        assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
        (void)attach_file(ctx, path);
        uint64_t r;
        assert_int_equal(put1(ctx, "spent", 0, &r), SVCQ_OK);
        assert_true(r > highest);
        assert_int_equal(put1(ctx, "gone", 0, &r), SVCQ_OK);
        assert_true(r > highest);
        svcq_ctx_free(ctx);
    }
    test_rmtree(dir);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(memory_store_lost_update),
        cmocka_unit_test(file_store_lost_update),
        cmocka_unit_test(file_store_mark_survives_compaction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
