/* Calendars in the store (kind "calendar"): save, load, update with
 * compare-and-swap, save under another id, delete, batches, the file store
 * across contexts, and damaged or foreign records. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/store.h"
#include "svcq.h"
#include "test_fs.h"

#ifndef SVCQ_TEST_DATA
#error "SVCQ_TEST_DATA must name the tests/data directory"
#endif
#define ZONEINFO SVCQ_TEST_DATA "/zoneinfo"
#define H(h, m) ((h) * 3600 + (m) * 60)

static svcq_calendar *shanghai(svcq_ctx *ctx)
{
    svcq_tz *tz;
    assert_int_equal(svcq_tz_load(&tz, ctx, "Asia/Shanghai", ZONEINFO), SVCQ_OK);
    svcq_calendar *cal;
    assert_int_equal(svcq_calendar_new(&cal, ctx, tz, NULL), SVCQ_OK);
    svcq_tz_free(tz);
    const int32_t iv[4] = { H(9, 0), H(12, 0), H(13, 0), H(18, 0) };
    for (int d = 1; d <= 5; d++)
        assert_int_equal(svcq_calendar_set_weekday(cal, d, iv, 2), SVCQ_OK);
    assert_int_equal(svcq_calendar_set_closed(cal, 2025, 10, 1), SVCQ_OK);
    assert_int_equal(svcq_calendar_set_date_like(cal, 2025, 9, 28, SVCQ_MONDAY), SVCQ_OK);
    return cal;
}

/* The calendar's JSON, malloc'd. */
static char *text_of(svcq_ctx *ctx, const svcq_calendar *cal)
{
    svcq_buffer *b;
    assert_int_equal(svcq_buffer_new(&b, ctx), SVCQ_OK);
    svcq_writer w;
    assert_int_equal(svcq_writer_to_buffer(&w, b), SVCQ_OK);
    assert_int_equal(svcq_calendar_export_json(cal, &w, 0), SVCQ_OK);
    char *s = strdup(svcq_buffer_data(b));
    svcq_buffer_free(b);
    return s;
}

static void save_load_update_delete(void **state)
{
    (void)state;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_calendar *cal = shanghai(ctx);
    assert_null(svcq_calendar_id(cal));
    assert_int_equal(svcq_calendar_revision(cal), 0);
    assert_int_equal(svcq_calendar_save(cal, "support-cn"), SVCQ_OK);
    assert_string_equal(svcq_calendar_id(cal), "support-cn");
    uint64_t r1 = svcq_calendar_revision(cal);
    assert_true(r1 != 0);

    svcq_calendar *back;
    assert_int_equal(svcq_calendar_load(&back, ctx, "support-cn", ZONEINFO, NULL), SVCQ_OK);
    assert_string_equal(svcq_calendar_id(back), "support-cn");
    assert_int_equal(svcq_calendar_revision(back), r1);
    char *a = text_of(ctx, cal), *b = text_of(ctx, back);
    assert_string_equal(a, b);
    free(a);
    free(b);

    /* An update through one handle; the other is now stale. */
    assert_int_equal(svcq_calendar_set_closed(cal, 2025, 10, 2), SVCQ_OK);
    assert_int_equal(svcq_calendar_save(cal, "support-cn"), SVCQ_OK);
    uint64_t r2 = svcq_calendar_revision(cal);
    assert_true(r2 != r1);
    assert_int_equal(svcq_calendar_set_closed(back, 2025, 10, 3), SVCQ_OK);
    assert_int_equal(svcq_calendar_save(back, "support-cn"), SVCQ_ECONFLICT);
    assert_int_equal(svcq_calendar_revision(back), r1); /* unchanged */
    assert_string_equal(svcq_calendar_id(back), "support-cn");
    /* The stale handle cannot delete it either. */
    assert_int_equal(svcq_calendar_delete(back), SVCQ_ECONFLICT);
    assert_string_equal(svcq_calendar_id(back), "support-cn");
    svcq_calendar_free(back);
    assert_int_equal(svcq_calendar_load(&back, ctx, "support-cn", ZONEINFO, NULL), SVCQ_OK);
    assert_int_equal(svcq_calendar_date_count(back), 3);
    assert_int_equal(svcq_calendar_revision(back), r2);

    /* Saving under another id makes a new record and binds to it; an id
     * that exists is refused. */
    assert_int_equal(svcq_calendar_save(back, "support-cn-copy"), SVCQ_OK);
    assert_string_equal(svcq_calendar_id(back), "support-cn-copy");
    assert_int_equal(svcq_calendar_save(cal, "support-cn-copy"), SVCQ_ECONFLICT);
    assert_string_equal(svcq_calendar_id(cal), "support-cn");
    assert_int_equal(svcq_calendar_revision(cal), r2);

    /* A copy is not bound. */
    svcq_calendar *cp;
    assert_int_equal(svcq_calendar_copy(&cp, ctx, cal), SVCQ_OK);
    assert_null(svcq_calendar_id(cp));
    assert_int_equal(svcq_calendar_revision(cp), 0);
    assert_int_equal(svcq_calendar_delete(cp), SVCQ_ESTATE);
    svcq_calendar_free(cp);

    /* Delete: gone from the store, the handle unbound but usable. */
    assert_int_equal(svcq_calendar_delete(cal), SVCQ_OK);
    assert_null(svcq_calendar_id(cal));
    assert_int_equal(svcq_calendar_revision(cal), 0);
    assert_int_equal(svcq_calendar_delete(cal), SVCQ_ESTATE);
    svcq_calendar *none = (svcq_calendar *)0x1;
    assert_int_equal(svcq_calendar_load(&none, ctx, "support-cn", ZONEINFO, NULL), SVCQ_ENOTFOUND);
    assert_null(none);
    svcq_time t;
    assert_int_equal(svcq_calendar_add(&t, cal, 1759190400, 3600), SVCQ_OK);
    /* It can be saved again, as a new record. */
    assert_int_equal(svcq_calendar_save(cal, "support-cn"), SVCQ_OK);
    /* Deleting a record another handle already deleted. */
    svcq_calendar *other;
    assert_int_equal(svcq_calendar_load(&other, ctx, "support-cn", ZONEINFO, NULL), SVCQ_OK);
    assert_int_equal(svcq_calendar_delete(other), SVCQ_OK);
    assert_int_equal(svcq_calendar_delete(cal), SVCQ_ENOTFOUND);
    assert_string_equal(svcq_calendar_id(cal), "support-cn");
    svcq_calendar_free(other);

    /* Arguments and ids. */
    assert_int_equal(svcq_calendar_save(NULL, "x"), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_save(cal, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_save(cal, ""), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_save(cal, "a\nb"), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_save(cal, "bad\xff"), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_load(NULL, ctx, "x", NULL, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_load(&none, NULL, "x", NULL, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_load(&none, ctx, NULL, NULL, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_load(&none, ctx, "", NULL, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_delete(NULL), SVCQ_EINVAL);
    assert_null(svcq_calendar_id(NULL));
    assert_int_equal(svcq_calendar_revision(NULL), 0);

    /* A zone from unnamed TZif data cannot be saved. */
    FILE *f = fopen(ZONEINFO "/Europe/Berlin", "rb");
    assert_non_null(f);
    unsigned char buf[8192];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    svcq_tz *tz;
    assert_int_equal(svcq_tz_from_tzif(&tz, ctx, buf, n, NULL), SVCQ_OK);
    svcq_calendar *anon;
    assert_int_equal(svcq_calendar_new(&anon, ctx, tz, NULL), SVCQ_OK);
    svcq_tz_free(tz);
    assert_int_equal(svcq_calendar_save(anon, "anon"), SVCQ_ESTATE);
    assert_null(svcq_calendar_id(anon));
    svcq_calendar_free(anon);

    svcq_calendar_free(cal);
    svcq_calendar_free(back);
    svcq_ctx_free(ctx);
}

/* Saves in a batch are undone with it. */
static void batches(void **state)
{
    (void)state;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_calendar *a = shanghai(ctx), *b = shanghai(ctx);
    assert_int_equal(svcq_calendar_save(a, "a"), SVCQ_OK);
    uint64_t ra = svcq_calendar_revision(a);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_calendar_save(a, "a"), SVCQ_OK);
    assert_int_equal(svcq_calendar_save(a, "a2"), SVCQ_OK);
    assert_int_equal(svcq_calendar_save(b, "b"), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
    assert_string_equal(svcq_calendar_id(a), "a");
    assert_int_equal(svcq_calendar_revision(a), ra);
    assert_null(svcq_calendar_id(b));
    assert_int_equal(svcq_calendar_revision(b), 0);
    svcq_calendar *x;
    assert_int_equal(svcq_calendar_load(&x, ctx, "b", NULL, NULL), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_calendar_load(&x, ctx, "a2", NULL, NULL), SVCQ_ENOTFOUND);
    /* Committed batches keep everything. */
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_calendar_save(b, "b"), SVCQ_OK);
    assert_int_equal(svcq_calendar_delete(a), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_commit(ctx), SVCQ_OK);
    assert_int_equal(svcq_calendar_load(&x, ctx, "b", ZONEINFO, NULL), SVCQ_OK);
    svcq_calendar_free(x);
    assert_int_equal(svcq_calendar_load(&x, ctx, "a", ZONEINFO, NULL), SVCQ_ENOTFOUND);
    svcq_calendar_free(a);
    svcq_calendar_free(b);
    svcq_ctx_free(ctx);
}

/* Saved through a file store by one context, loaded by another. */
static void file_store(void **state)
{
    (void)state;
    char *dir = test_tmpdir("calstore");
    assert_non_null(dir);
    char *path = test_path(dir, "journal");
    char *saved = NULL;
    for (int round = 0; round < 2; round++) {
        svcq_ctx *ctx;
        assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
        svcq_store_file *fs;
        assert_int_equal(svcq_store_file_open(&fs, ctx, path, NULL), SVCQ_OK);
        svcq_store_methods m;
        assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
        assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
        if (round == 0) {
            svcq_calendar *cal = shanghai(ctx);
            assert_int_equal(svcq_calendar_save(cal, "support-cn"), SVCQ_OK);
            saved = text_of(ctx, cal);
            svcq_calendar_free(cal);
        } else {
            svcq_calendar *cal;
            assert_int_equal(svcq_calendar_load(&cal, ctx, "support-cn", ZONEINFO, NULL), SVCQ_OK);
            char *t = text_of(ctx, cal);
            assert_string_equal(t, saved);
            free(t);
            svcq_calendar_free(cal);
        }
        svcq_ctx_free(ctx);
    }
    free(saved);
    test_rmtree(dir);
    free(path);
    free(dir);
}

static int put_raw(svcq_ctx *ctx, const char *id, const char *json)
{
    svcq__tx tx;
    int rc = svcq__tx_begin(ctx, &tx);
    uint64_t rev = 0, old = 0;
    char *bytes;
    size_t size;
    if (rc == SVCQ_OK && svcq__store_get(ctx, "calendar", id, &bytes, &size, &old) == SVCQ_OK)
        svcq__free(ctx, bytes);
    if (rc == SVCQ_OK)
        rc = svcq__store_put(ctx, "calendar", id, old, json, strlen(json), &rev);
    return svcq__tx_end(ctx, &tx, rc);
}

static void damaged_records(void **state)
{
    (void)state;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
#define S "\"schema\":\"svcq.calendar/1\""
    struct {
        const char *json;
        int rc;
        const char *msg;
    } bad[] = {
        { "not json", SVCQ_ECORRUPT, "" },
        { "[1]", SVCQ_ECORRUPT, "" },
        { "{\"schema\":\"svcq.incident/1\"}", SVCQ_ECORRUPT, "" },
        { "{\"schema\":\"svcq.calendar/2\",\"zone\":{\"utc_offset\":0}}", SVCQ_EVERSION, "" },
        { "{" S "}", SVCQ_ECORRUPT, "zone" },
        { "{" S ",\"zone\":{\"posix\":\"XYZ\"}}", SVCQ_ECORRUPT, "TZ string" },
        { "{" S ",\"zone\":{\"utc_offset\":0},\"week\":{\"monday\":[[\"09:00\",\"12:00\"],[\"11:00\",\"13:00\"]]}}",
          SVCQ_ECORRUPT, "record calendar \"r\": calendar (zone UTC), Monday: intervals 09:00-12:00 and 11:00-13:00 overlap" },
        { "{" S ",\"zone\":{\"utc_offset\":0},\"dates\":[{\"date\":\"2025-02-29\",\"closed\":true}]}",
          SVCQ_ECORRUPT, "impossible date" },
        { "{" S ",\"zone\":{\"name\":\"Mars/Olympus\"}}", SVCQ_ENOTFOUND, "unknown time zone" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(put_raw(ctx, "r", bad[i].json), SVCQ_OK);
        svcq_calendar *cal = (svcq_calendar *)0x1;
        int rc = svcq_calendar_load(&cal, ctx, "r", ZONEINFO, NULL);
        if (rc != bad[i].rc)
            fail_msg("%s: %d (%s)", bad[i].json, rc, svcq_ctx_errmsg(ctx));
        assert_null(cal);
        if (!strstr(svcq_ctx_errmsg(ctx), bad[i].msg))
            fail_msg("%s: message \"%s\" lacks \"%s\"", bad[i].json, svcq_ctx_errmsg(ctx), bad[i].msg);
    }
#undef S
    svcq_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(save_load_update_delete),
        cmocka_unit_test(batches),
        cmocka_unit_test(file_store),
        cmocka_unit_test(damaged_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
