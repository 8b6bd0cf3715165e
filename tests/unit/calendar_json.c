/* Calendars as JSON: round trips (the text and the answers survive), the
 * zone given by the host, the documented example, and every error of the
 * reader and the writer. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svcq.h"
#include "test_ctx.h"

#ifndef SVCQ_TEST_DATA
#error "SVCQ_TEST_DATA must name the tests/data directory"
#endif
#define ZONEINFO SVCQ_TEST_DATA "/zoneinfo"
#define H(h, m) ((h) * 3600 + (m) * 60)

/* Exports into a fresh buffer; the caller frees it. */
static svcq_buffer *export(const svcq_calendar *cal, uint32_t flags)
{
    svcq_buffer *b;
    assert_int_equal(svcq_buffer_new(&b, ctx), SVCQ_OK);
    svcq_writer w;
    assert_int_equal(svcq_writer_to_buffer(&w, b), SVCQ_OK);
    if (svcq_calendar_export_json(cal, &w, flags) != SVCQ_OK)
        fail_msg("export: %s", svcq_ctx_errmsg(ctx));
    return b;
}

static svcq_calendar *import(const char *json)
{
    svcq_calendar *cal;
    if (svcq_calendar_import_json(&cal, ctx, json, strlen(json), ZONEINFO, NULL) != SVCQ_OK)
        fail_msg("import: %s\n%s", svcq_ctx_errmsg(ctx), json);
    return cal;
}

/* Same answers at many instants of 2025-2026. */
static void same_answers(svcq_calendar *a, svcq_calendar *b)
{
    for (svcq_time t = 1735689600; t < 1798761600; t += 86400 * 3 + 3607) {
        svcq_time ra = 0, rb = 0;
        int64_t da, db;
        assert_int_equal(svcq_calendar_add(&ra, a, t, 20 * 3600 + 17),
                         svcq_calendar_add(&rb, b, t, 20 * 3600 + 17));
        assert_int_equal(ra, rb);
        assert_int_equal(svcq_calendar_diff(&da, a, t, t + 9 * 86400), SVCQ_OK);
        assert_int_equal(svcq_calendar_diff(&db, b, t, t + 9 * 86400), SVCQ_OK);
        assert_int_equal(da, db);
    }
}

static void round_trip(svcq_calendar *cal)
{
    for (uint32_t flags = 0; flags <= SVCQ_CALENDAR_JSON_PRETTY; flags++) {
        svcq_buffer *b = export(cal, flags);
        svcq_calendar *back = import(svcq_buffer_data(b));
        svcq_buffer *b2 = export(back, flags);
        assert_string_equal(svcq_buffer_data(b), svcq_buffer_data(b2));
        same_answers(cal, back);
        svcq_calendar_free(back);
        svcq_buffer_free(b);
        svcq_buffer_free(b2);
    }
}

static void round_trips(void **state)
{
    (void)state;
    /* Shanghai with lunch, a night shift, all three kinds of exception and
     * the RT option. */
    svcq_tz *tz;
    assert_int_equal(svcq_tz_load(&tz, ctx, "Asia/Shanghai", ZONEINFO), SVCQ_OK);
    svcq_calendar_options o = SVCQ_CALENDAR_OPTIONS_INIT;
    o.flags = SVCQ_CALENDAR_RT_NEXT_OPENING;
    svcq_calendar *cal;
    assert_int_equal(svcq_calendar_new(&cal, ctx, tz, &o), SVCQ_OK);
    svcq_tz_free(tz);
    const int32_t day[4] = { H(9, 0), H(12, 0), H(13, 0), H(18, 0) };
    for (int d = 1; d <= 5; d++)
        assert_int_equal(svcq_calendar_set_weekday(cal, d, day, 2), SVCQ_OK);
    const int32_t sat[2] = { H(22, 0) + 15, H(30, 0) + 59 };
    assert_int_equal(svcq_calendar_set_weekday(cal, 6, sat, 1), SVCQ_OK);
    assert_int_equal(svcq_calendar_set_closed(cal, 2025, 10, 1), SVCQ_OK);
    assert_int_equal(svcq_calendar_set_date_like(cal, 2025, 9, 28, SVCQ_MONDAY), SVCQ_OK);
    const int32_t half[2] = { H(9, 0), H(12, 0) };
    assert_int_equal(svcq_calendar_set_date_hours(cal, 2025, 12, 31, half, 1), SVCQ_OK);
    const int32_t late[2] = { H(23, 0), H(47, 0) };
    assert_int_equal(svcq_calendar_set_date_hours(cal, 2026, 2, 14, late, 1), SVCQ_OK);
    round_trip(cal);
    svcq_buffer *b = export(cal, 0);
    assert_non_null(strstr(svcq_buffer_data(b), "\"rt_next_opening\":true"));
    assert_non_null(strstr(svcq_buffer_data(b), "[\"22:00:15\",\"30:00:59\"]"));
    assert_non_null(strstr(svcq_buffer_data(b), "[\"23:00\",\"47:00\"]"));
    assert_non_null(strstr(svcq_buffer_data(b), "{\"date\":\"2025-09-28\",\"like\":\"monday\"}"));
    svcq_buffer_free(b);
    svcq_calendar_free(cal);

    /* 7x24 (a fixed zone) and POSIX zones. */
    assert_int_equal(svcq_calendar_new_24x7(&cal, ctx), SVCQ_OK);
    b = export(cal, 0);
    assert_non_null(strstr(svcq_buffer_data(b), "\"zone\":{\"utc_offset\":0}"));
    svcq_buffer_free(b);
    round_trip(cal);
    svcq_calendar_free(cal);
    assert_int_equal(svcq_tz_fixed(&tz, ctx, -12600), SVCQ_OK);
    assert_int_equal(svcq_calendar_new(&cal, ctx, tz, NULL), SVCQ_OK);
    svcq_tz_free(tz);
    round_trip(cal);
    svcq_calendar_free(cal);
    assert_int_equal(svcq_tz_from_posix(&tz, ctx, "EST5EDT,M3.2.0,M11.1.0"), SVCQ_OK);
    assert_int_equal(svcq_calendar_new(&cal, ctx, tz, NULL), SVCQ_OK);
    svcq_tz_free(tz);
    const int32_t all[2] = { 0, 86400 };
    assert_int_equal(svcq_calendar_set_weekday(cal, 7, all, 1), SVCQ_OK);
    b = export(cal, 0);
    assert_non_null(strstr(svcq_buffer_data(b), "\"zone\":{\"posix\":\"EST5EDT,M3.2.0,M11.1.0\"}"));
    assert_non_null(strstr(svcq_buffer_data(b), "\"sunday\":[[\"00:00\",\"24:00\"]]"));
    svcq_buffer_free(b);
    round_trip(cal);
    svcq_calendar_free(cal);
}

/* The example of docs/format.md (section calendar), verbatim. */
static const char doc_example[] =
    "{\n"
    "  \"schema\": \"svcq.calendar/1\",\n"
    "  \"zone\": { \"name\": \"Asia/Shanghai\" },\n"
    "  \"options\": { \"rt_next_opening\": false },\n"
    "  \"week\": {\n"
    "    \"monday\":    [[\"09:00\", \"12:00\"], [\"13:00\", \"18:00\"]],\n"
    "    \"tuesday\":   [[\"09:00\", \"12:00\"], [\"13:00\", \"18:00\"]],\n"
    "    \"wednesday\": [[\"09:00\", \"12:00\"], [\"13:00\", \"18:00\"]],\n"
    "    \"thursday\":  [[\"09:00\", \"12:00\"], [\"13:00\", \"18:00\"]],\n"
    "    \"friday\":    [[\"09:00\", \"12:00\"], [\"13:00\", \"18:00\"]],\n"
    "    \"saturday\":  [[\"22:00\", \"30:00\"]],\n"
    "    \"sunday\":    []\n"
    "  },\n"
    "  \"dates\": [\n"
    "    { \"date\": \"2025-09-28\", \"like\": \"monday\" },\n"
    "    { \"date\": \"2025-10-01\", \"closed\": true },\n"
    "    { \"date\": \"2025-12-31\", \"hours\": [[\"09:00\", \"12:00\"]] }\n"
    "  ]\n"
    "}\n";

static void documented_example(void **state)
{
    (void)state;
    svcq_calendar *cal = import(doc_example);
    assert_int_equal(svcq_calendar_date_count(cal), 3);
    const int32_t *iv;
    size_t n;
    assert_int_equal(svcq_calendar_get_weekday(&iv, &n, cal, SVCQ_SATURDAY), SVCQ_OK);
    assert_int_equal(n, 1);
    assert_int_equal(iv[1], H(30, 0));
    /* Friday 26 September 16:00 + 16 business hours: Friday 2 h, the
     * Saturday night shift 8 h, Sunday (like Monday) 09:00-12:00 and
     * 13:00-16:00. */
    svcq_time t, due;
    assert_int_equal(svcq_tz_local_to_utc(&t, svcq_calendar_tz(cal), 2025, 9, 26, H(16, 0)), SVCQ_OK);
    assert_int_equal(svcq_calendar_add(&due, cal, t, 16 * 3600), SVCQ_OK);
    assert_int_equal(due - t, 2 * 86400); /* Sunday 16:00 */
    /* Minimal documents: no options, no week, no dates; times in seconds,
     * "H:MM", unknown fields ignored. */
    svcq_calendar_free(cal);
    cal = import("{\"schema\":\"svcq.calendar/1\",\"zone\":{\"utc_offset\":3600}}");
    assert_int_equal(svcq_calendar_date_count(cal), 0);
    svcq_calendar_free(cal);
    cal = import("{\"schema\":\"svcq.calendar/1\",\"zone\":{\"utc_offset\":3600},\"future\":[1],"
                 "\"week\":{\"monday\":[[32400,\"9:30\"]]},\"dates\":[{\"date\":\"2025-01-01\","
                 "\"closed\":true,\"note\":\"New Year\"}]}");
    assert_int_equal(svcq_calendar_get_weekday(&iv, &n, cal, SVCQ_MONDAY), SVCQ_OK);
    assert_int_equal(iv[0], H(9, 0));
    assert_int_equal(iv[1], H(9, 30));
    svcq_calendar_free(cal);
}

static void zone_from_host(void **state)
{
    (void)state;
    const char *json = "{\"schema\":\"svcq.calendar/1\",\"zone\":{\"name\":\"Europe/Berlin\"}}";
    svcq_calendar *cal = (svcq_calendar *)0x1;
    /* No zoneinfo here: unknown. */
    assert_int_equal(svcq_calendar_import_json(&cal, ctx, json, strlen(json),
                                               SVCQ_TEST_DATA "/nowhere", NULL),
                     SVCQ_ENOTFOUND);
    assert_null(cal);
    /* The host's zone of that name is used (a zone of another name is not). */
    FILE *f = fopen(ZONEINFO "/Europe/Berlin", "rb");
    assert_non_null(f);
    unsigned char buf[8192];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    svcq_tz *other, *berlin;
    assert_int_equal(svcq_tz_from_tzif(&other, ctx, buf, n, "Europe/Paris"), SVCQ_OK);
    assert_int_equal(svcq_calendar_import_json(&cal, ctx, json, strlen(json),
                                               SVCQ_TEST_DATA "/nowhere", other),
                     SVCQ_ENOTFOUND);
    assert_int_equal(svcq_tz_from_tzif(&berlin, ctx, buf, n, "Europe/Berlin"), SVCQ_OK);
    assert_int_equal(svcq_calendar_import_json(&cal, ctx, json, strlen(json),
                                               SVCQ_TEST_DATA "/nowhere", berlin),
                     SVCQ_OK);
    svcq_tz_free(berlin);
    svcq_tz_free(other);
    assert_string_equal(svcq_tz_name(svcq_calendar_tz(cal)), "Europe/Berlin");
    svcq_calendar_free(cal);
}

static void import_errors(void **state)
{
    (void)state;
#define Z "\"zone\":{\"utc_offset\":0}"
#define S "\"schema\":\"svcq.calendar/1\""
    struct {
        const char *json;
        int rc;
        const char *msg;
    } bad[] = {
        { "", SVCQ_EPARSE, "line 1" },
        { "{\"schema\":", SVCQ_EPARSE, "line 1" },
        { "[]", SVCQ_ECORRUPT, "is an object" },
        { "{}", SVCQ_ECORRUPT, "schema" },
        { "{\"schema\":5," Z "}", SVCQ_ECORRUPT, "schema" },
        { "{\"schema\":\"svcq.incident/1\"," Z "}", SVCQ_ECORRUPT, "svcq.calendar/<version>" },
        { "{\"schema\":\"svcq.calendar/01\"," Z "}", SVCQ_ECORRUPT, "svcq.calendar/<version>" },
        { "{\"schema\":\"svcq.calendar/\"," Z "}", SVCQ_ECORRUPT, "svcq.calendar/<version>" },
        { "{\"schema\":\"svcq.calendar/x\"," Z "}", SVCQ_ECORRUPT, "svcq.calendar/<version>" },
        { "{\"schema\":\"svcq.calendar/2\"," Z "}", SVCQ_EVERSION, "newer" },
        { "{" S "}", SVCQ_ECORRUPT, "zone" },
        { "{" S ",\"zone\":\"UTC\"}", SVCQ_ECORRUPT, "zone" },
        { "{" S ",\"zone\":{}}", SVCQ_ECORRUPT, "exactly one" },
        { "{" S ",\"zone\":{\"name\":\"UTC\",\"utc_offset\":0}}", SVCQ_ECORRUPT, "exactly one" },
        { "{" S ",\"zone\":{\"name\":\"Nowhere/Zone\"}}", SVCQ_ENOTFOUND, "unknown time zone" },
        { "{" S ",\"zone\":{\"name\":\"../etc\"}}", SVCQ_EINVAL, "time zone name" },
        { "{" S ",\"zone\":{\"name\":7}}", SVCQ_ECORRUPT, "name" },
        { "{" S ",\"zone\":{\"posix\":\"XYZ\"}}", SVCQ_EPARSE, "TZ string" },
        { "{" S ",\"zone\":{\"utc_offset\":86400}}", SVCQ_ECORRUPT, "utc_offset" },
        { "{" S ",\"zone\":{\"utc_offset\":\"8\"}}", SVCQ_ECORRUPT, "utc_offset" },
        { "{" S "," Z ",\"options\":[]}", SVCQ_ECORRUPT, "options" },
        { "{" S "," Z ",\"options\":{\"rt_next_opening\":1}}", SVCQ_ECORRUPT, "rt_next_opening" },
        { "{" S "," Z ",\"week\":[]}", SVCQ_ECORRUPT, "week" },
        { "{" S "," Z ",\"week\":{\"funday\":[]}}", SVCQ_ECORRUPT, "funday" },
        { "{" S "," Z ",\"week\":{\"monday\":\"09:00\"}}", SVCQ_ECORRUPT, "array of [start, end]" },
        { "{" S "," Z ",\"week\":{\"monday\":[[\"09:00\"]]}}", SVCQ_ECORRUPT, "pair" },
        { "{" S "," Z ",\"week\":{\"monday\":[\"09:00\",\"10:00\"]}}", SVCQ_ECORRUPT, "pair" },
        { "{" S "," Z ",\"week\":{\"monday\":[[\"9am\",\"10:00\"]]}}", SVCQ_ECORRUPT, "9am" },
        { "{" S "," Z ",\"week\":{\"monday\":[[\"09:60\",\"10:00\"]]}}", SVCQ_ECORRUPT, "00:00 to 48:00" },
        { "{" S "," Z ",\"week\":{\"monday\":[[\"09:00\",\"48:01\"]]}}", SVCQ_ECORRUPT, "00:00 to 48:00" },
        { "{" S "," Z ",\"week\":{\"monday\":[[\"09:00\",\"49:00\"]]}}", SVCQ_ECORRUPT, "00:00 to 48:00" },
        { "{" S "," Z ",\"week\":{\"monday\":[[\"09:00:5\",\"10:00\"]]}}", SVCQ_ECORRUPT, "not a time" },
        { "{" S "," Z ",\"week\":{\"monday\":[[\"0900\",\"10:00\"]]}}", SVCQ_ECORRUPT, "not a time" },
        { "{" S "," Z ",\"week\":{\"monday\":[[\"09\\u00000\",\"10:00\"]]}}", SVCQ_ECORRUPT, "not a time" },
        { "{" S "," Z ",\"week\":{\"monday\":[[-1,3600]]}}", SVCQ_ECORRUPT, "outside" },
        { "{" S "," Z ",\"week\":{\"monday\":[[0,172801]]}}", SVCQ_ECORRUPT, "outside" },
        { "{" S "," Z ",\"week\":{\"monday\":[[0,1.5]]}}", SVCQ_ECORRUPT, "a number" },
        { "{" S "," Z ",\"week\":{\"monday\":[[true,3600]]}}", SVCQ_ECORRUPT, "a boolean" },
        { "{" S "," Z ",\"week\":{\"monday\":[[\"10:00\",\"09:00\"]]}}", SVCQ_EINVAL, "reversed" },
        { "{" S "," Z ",\"week\":{\"monday\":[[\"09:00\",\"12:00\"],[\"11:00\",\"13:00\"]]}}",
          SVCQ_EINVAL, "overlap" },
        { "{" S "," Z ",\"week\":{\"monday\":[[\"22:00\",\"32:00\"]],\"tuesday\":[[\"07:00\",\"09:00\"]]}}",
          SVCQ_EINVAL, "runs into" },
        { "{" S "," Z ",\"dates\":{}}", SVCQ_ECORRUPT, "dates" },
        { "{" S "," Z ",\"dates\":[1]}", SVCQ_ECORRUPT, "not an object" },
        { "{" S "," Z ",\"dates\":[{\"closed\":true}]}", SVCQ_ECORRUPT, "date" },
        { "{" S "," Z ",\"dates\":[{\"date\":\"2025-1-01\",\"closed\":true}]}", SVCQ_ECORRUPT, "2025-1-01" },
        { "{" S "," Z ",\"dates\":[{\"date\":\"2025-01-01x\",\"closed\":true}]}", SVCQ_ECORRUPT, "not a date" },
        { "{" S "," Z ",\"dates\":[{\"date\":\"2025-02-30\",\"closed\":true}]}", SVCQ_EINVAL, "impossible date" },
        { "{" S "," Z ",\"dates\":[{\"date\":\"2025-01-01\"}]}", SVCQ_ECORRUPT, "exactly one" },
        { "{" S "," Z ",\"dates\":[{\"date\":\"2025-01-01\",\"closed\":true,\"like\":\"monday\"}]}",
          SVCQ_ECORRUPT, "exactly one" },
        { "{" S "," Z ",\"dates\":[{\"date\":\"2025-01-01\",\"closed\":false}]}", SVCQ_ECORRUPT, "must be true" },
        { "{" S "," Z ",\"dates\":[{\"date\":\"2025-01-01\",\"like\":\"fun\"}]}", SVCQ_ECORRUPT, "fun" },
        { "{" S "," Z ",\"dates\":[{\"date\":\"2025-01-01\",\"like\":1}]}", SVCQ_ECORRUPT, "like" },
        { "{" S "," Z ",\"dates\":[{\"date\":\"2025-01-01\",\"hours\":5}]}", SVCQ_ECORRUPT, "array" },
        { "{" S "," Z ",\"dates\":[{\"date\":\"2025-01-01\",\"closed\":true},{\"date\":\"2025-01-01\",\"like\":\"monday\"}]}",
          SVCQ_ECORRUPT, "listed twice" },
        { "{" S "," Z ",\"dates\":[{\"date\":\"2025-01-01\",\"hours\":[[\"09:00\",\"12:00\"],[\"10:00\",\"11:00\"]]}]}",
          SVCQ_EINVAL, "overlap" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        svcq_calendar *cal = (svcq_calendar *)0x1;
        int rc = svcq_calendar_import_json(&cal, ctx, bad[i].json, strlen(bad[i].json), ZONEINFO, NULL);
        if (rc != bad[i].rc)
            fail_msg("%s: got %d (%s), want %d", bad[i].json, rc, svcq_ctx_errmsg(ctx), bad[i].rc);
        assert_null(cal);
        if (!strstr(svcq_ctx_errmsg(ctx), bad[i].msg))
            fail_msg("%s: message \"%s\" lacks \"%s\"", bad[i].json, svcq_ctx_errmsg(ctx), bad[i].msg);
    }
    /* Too many intervals in a list. */
    char big[8192];
    size_t n = (size_t)snprintf(big, sizeof(big), "{" S "," Z ",\"week\":{\"monday\":[");
    for (int i = 0; i <= SVCQ_CALENDAR_MAX_INTERVALS; i++)
        n += (size_t)snprintf(big + n, sizeof(big) - n, "%s[%d,%d]", i ? "," : "", i * 600, i * 600 + 60);
    snprintf(big + n, sizeof(big) - n, "]}}");
    svcq_calendar *cal;
    assert_int_equal(svcq_calendar_import_json(&cal, ctx, big, strlen(big), ZONEINFO, NULL), SVCQ_ELIMIT);
    /* A long bad value is cut in the message, on a character boundary. */
    const char *longbad = "{" S "," Z ",\"week\":{\"monday\":[[\"\xe6\x97\xa9\xe4\xb8\x8a\xe4\xb9\x9d\xe7\x82\xb9"
                          "\xe5\x8d\x8a\xe5\xbc\x80\xe9\x97\xa8\xe8\x90\xa5\xe4\xb8\x9a\",\"10:00\"]]}}";
    assert_int_equal(svcq_calendar_import_json(&cal, ctx, longbad, strlen(longbad), ZONEINFO, NULL),
                     SVCQ_ECORRUPT);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "\xe6\x97\xa9"));
    assert_null(strstr(svcq_ctx_errmsg(ctx), "\xe4\xb8\x9a"));
    /* Arguments. */
    assert_int_equal(svcq_calendar_import_json(NULL, ctx, "{}", 2, NULL, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_import_json(&cal, NULL, "{}", 2, NULL, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_import_json(&cal, ctx, NULL, 2, NULL, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_import_json(&cal, ctx, NULL, 0, NULL, NULL), SVCQ_EPARSE);
#undef S
#undef Z
}

static int fail_write(const char *data, size_t size, void *ud)
{
    (void)data;
    (void)size;
    int *left = ud;
    return (*left)-- > 0 ? 0 : *(left + 1);
}

static void export_errors(void **state)
{
    (void)state;
    svcq_calendar *cal;
    assert_int_equal(svcq_calendar_new_24x7(&cal, ctx), SVCQ_OK);
    svcq_buffer *b;
    assert_int_equal(svcq_buffer_new(&b, ctx), SVCQ_OK);
    svcq_writer w;
    assert_int_equal(svcq_writer_to_buffer(&w, b), SVCQ_OK);
    assert_int_equal(svcq_calendar_export_json(NULL, &w, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_export_json(cal, NULL, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_export_json(cal, &w, 2), SVCQ_EINVAL);
    assert_int_equal(svcq_buffer_size(b), 0);
    /* A sink that fails: its code comes back; a positive one is EABORTED. */
    svcq_writer fw = SVCQ_WRITER_INIT;
    int state2[2] = { 0, SVCQ_EIO };
    fw.write = fail_write;
    fw.user_data = state2;
    assert_int_equal(svcq_calendar_export_json(cal, &fw, 0), SVCQ_EIO);
    state2[0] = 0;
    state2[1] = 7;
    assert_int_equal(svcq_calendar_export_json(cal, &fw, SVCQ_CALENDAR_JSON_PRETTY), SVCQ_EABORTED);
    svcq_calendar_free(cal);
    /* A zone from unnamed TZif data cannot be exported. */
    FILE *f = fopen(ZONEINFO "/Europe/Berlin", "rb");
    assert_non_null(f);
    unsigned char buf[8192];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    svcq_tz *tz;
    assert_int_equal(svcq_tz_from_tzif(&tz, ctx, buf, n, NULL), SVCQ_OK);
    assert_int_equal(svcq_calendar_new(&cal, ctx, tz, NULL), SVCQ_OK);
    svcq_tz_free(tz);
    assert_int_equal(svcq_calendar_export_json(cal, &w, 0), SVCQ_ESTATE);
    assert_int_equal(svcq_buffer_size(b), 0);
    svcq_calendar_free(cal);
    svcq_buffer_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trips),
        cmocka_unit_test(documented_example),
        cmocka_unit_test(zone_from_host),
        cmocka_unit_test(import_errors),
        cmocka_unit_test(export_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
