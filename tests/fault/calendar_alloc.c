/* Allocation failure at every point of zone loading (file, bytes, POSIX
 * string, fixed offset), calendar building (new, 7x24, weekday hours, dated
 * exceptions, copy) and of the operations that fill the interval cache
 * (first use, growth forward and backward, the far-future cycle, RT option).
 * Each failed run returns SVCQ_ENOMEM, leaks nothing and leaves the
 * calendar's configuration and answers as they were. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fault.h"
#include "svcq.h"

#ifndef SVCQ_TEST_DATA
#error "SVCQ_TEST_DATA must name the tests/data directory"
#endif
#define ZONEINFO SVCQ_TEST_DATA "/zoneinfo"
#define H(h, m) ((h) * 3600 + (m) * 60)

/* Instants the answers are checked at: 2025 (twice), 2040, 1990, 2889. */
static const svcq_time probes[] = { 1748822400 + 3600 * 3, 1748822400 + 86400 * 4 + 7777,
                                    2209075200 + 40000, 631152000 + 50000, 29000000000 };
#define NPROBES (sizeof(probes) / sizeof(probes[0]))

typedef struct st {
    test_alloc *alloc;
    svcq_ctx *ctx;
    svcq_tz *tz;        /* made by the operation, or for it */
    svcq_calendar *cal; /* under test */
    svcq_calendar *made;
    unsigned char *bytes;
    size_t nbytes;
    char expected[2048]; /* answers of a fresh calendar, computed in setup */
    size_t nprobes;      /* the far probe only where the far path is tested */
} st;

static void answers(svcq_calendar *cal, char *out, size_t size, size_t nprobes)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < nprobes; i++) {
        svcq_time t = probes[i], a = 0, o = 0, c = 0;
        int64_t d = 0;
        int32_t on = 0;
        int r1 = svcq_calendar_add(&a, cal, t, 12345);
        int r2 = svcq_calendar_diff(&d, cal, probes[0], t);
        int r3 = svcq_calendar_is_open(&on, cal, t);
        int r4 = svcq_calendar_next_open(&o, cal, t);
        int r5 = svcq_calendar_next_close(&c, cal, t);
        n += (size_t)snprintf(out + n, size - n, "%d:%lld %d:%lld %d:%d %d:%lld %d:%lld|", r1,
                              (long long)a, r2, (long long)d, r3, on, r4, (long long)o, r5,
                              (long long)c);
    }
}

static void config(const svcq_calendar *cal, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    if (!cal)
        return;
    for (int d = 1; d <= 7; d++) {
        const int32_t *iv;
        size_t k;
        assert_int_equal(svcq_calendar_get_weekday(&iv, &k, cal, d), SVCQ_OK);
        for (size_t i = 0; i < k; i++)
            n += (size_t)snprintf(out + n, size - n, "%d:%d-%d ", d, iv[2 * i], iv[2 * i + 1]);
    }
    for (size_t i = 0; i < svcq_calendar_date_count(cal); i++) {
        int32_t y, m, d, kind, wd;
        const int32_t *iv;
        size_t k;
        assert_int_equal(svcq_calendar_date_at(&y, &m, &d, &kind, &wd, &iv, &k, cal, i), SVCQ_OK);
        n += (size_t)snprintf(out + n, size - n, "%d-%d-%d/%d/%d/%zu ", y, m, d, kind, wd, k);
    }
    svcq_calendar_options o;
    assert_int_equal(svcq_calendar_get_options(&o, cal), SVCQ_OK);
    snprintf(out + n, size - n, "flags=%u zone=%s", o.flags, svcq_tz_name(svcq_calendar_tz(cal)));
}

static char *describe(void *p)
{
    st *s = p;
    char *out = malloc(8192);
    char c1[2048], c2[2048];
    config(s->cal, c1, sizeof(c1));
    config(s->made, c2, sizeof(c2));
    snprintf(out, 8192, "cal=[%s] made=%d[%s] tz=%s", c1, s->made != NULL, c2,
             s->tz ? svcq_tz_name(s->tz) : "-");
    return out;
}

/* After every run the calendar under test still answers as a fresh one. */
static void verify(void *p, int rc, bool injected)
{
    (void)rc;
    (void)injected;
    st *s = p;
    if (!s->cal || !s->expected[0])
        return;
    char got[2048];
    answers(s->cal, got, sizeof(got), s->nprobes);
    if (strcmp(got, s->expected) != 0)
        fail_msg("answers changed after a failed run\nwant %s\ngot  %s", s->expected, got);
}

static void teardown(void *p)
{
    st *s = p;
    svcq_calendar_free(s->made);
    svcq_calendar_free(s->cal);
    svcq_tz_free(s->tz);
    svcq_ctx_free(s->ctx);
    free(s->bytes);
    free(s);
}

static st *bare(test_alloc *alloc)
{
    st *s = calloc(1, sizeof(*s));
    s->alloc = alloc;
    s->ctx = test_ctx_new(alloc);
    return s;
}

static svcq_calendar *shanghai(st *s)
{
    svcq_tz *tz;
    assert_int_equal(svcq_tz_load(&tz, s->ctx, "Asia/Shanghai", ZONEINFO), SVCQ_OK);
    svcq_calendar *cal;
    assert_int_equal(svcq_calendar_new(&cal, s->ctx, tz, NULL), SVCQ_OK);
    svcq_tz_free(tz);
    const int32_t iv[4] = { H(9, 0), H(12, 0), H(13, 0), H(18, 0) };
    for (int d = 1; d <= 5; d++)
        assert_int_equal(svcq_calendar_set_weekday(cal, d, iv, 2), SVCQ_OK);
    const int32_t night[2] = { H(22, 0), H(28, 0) };
    assert_int_equal(svcq_calendar_set_weekday(cal, 6, night, 1), SVCQ_OK);
    assert_int_equal(svcq_calendar_set_closed(cal, 2025, 10, 1), SVCQ_OK);
    assert_int_equal(svcq_calendar_set_date_like(cal, 2025, 9, 28, 1), SVCQ_OK);
    const int32_t half[2] = { H(9, 0), H(12, 0) };
    assert_int_equal(svcq_calendar_set_date_hours(cal, 2025, 12, 31, half, 1), SVCQ_OK);
    return cal;
}

/* A calendar in a DST zone, its expected answers from a twin. */
static void *setup_cal(test_alloc *alloc)
{
    st *s = bare(alloc);
    svcq_tz *tz;
    assert_int_equal(svcq_tz_load(&tz, s->ctx, "America/New_York", ZONEINFO), SVCQ_OK);
    /* The twin's answers are the same for every setup: computed once. */
    static char expected[2048];
    svcq_calendar *twin = NULL;
    for (int k = expected[0] ? 1 : 0; k < 2; k++) {
        svcq_calendar *cal;
        assert_int_equal(svcq_calendar_new(&cal, s->ctx, tz, NULL), SVCQ_OK);
        const int32_t iv[2] = { H(8, 0), H(17, 0) };
        for (int d = 1; d <= 5; d++)
            assert_int_equal(svcq_calendar_set_weekday(cal, d, iv, 1), SVCQ_OK);
        const int32_t sun[2] = { H(1, 0), H(4, 0) };
        assert_int_equal(svcq_calendar_set_weekday(cal, 7, sun, 1), SVCQ_OK);
        assert_int_equal(svcq_calendar_set_closed(cal, 2025, 7, 4), SVCQ_OK);
        if (k == 0)
            twin = cal;
        else
            s->cal = cal;
    }
    svcq_tz_free(tz);
    if (twin) {
        answers(twin, expected, sizeof(expected), NPROBES - 1);
        svcq_calendar_free(twin);
    }
    s->nprobes = NPROBES - 1;
    memcpy(s->expected, expected, sizeof(expected));
    return s;
}

/* The same, checking the far probe too. */
static void *setup_cal_far(test_alloc *alloc)
{
    st *s = setup_cal(alloc);
    static char expected_far[2048];
    if (!expected_far[0]) {
        svcq_calendar *twin;
        assert_int_equal(svcq_calendar_copy(&twin, s->ctx, s->cal), SVCQ_OK);
        answers(twin, expected_far, sizeof(expected_far), NPROBES);
        svcq_calendar_free(twin);
    }
    s->nprobes = NPROBES;
    memcpy(s->expected, expected_far, sizeof(expected_far));
    return s;
}

/* The same with the cache already holding 2025. */
static void *setup_cal_warm(test_alloc *alloc)
{
    st *s = setup_cal(alloc);
    int64_t d;
    assert_int_equal(svcq_calendar_diff(&d, s->cal, probes[0], probes[0] + 86400), SVCQ_OK);
    return s;
}

static void *setup_cal_far_warm(test_alloc *alloc)
{
    st *s = setup_cal_far(alloc);
    int64_t d;
    assert_int_equal(svcq_calendar_diff(&d, s->cal, probes[0], probes[0] + 86400), SVCQ_OK);
    return s;
}

static void *setup_bare(test_alloc *alloc)
{
    return bare(alloc);
}

static void *setup_bytes(test_alloc *alloc)
{
    st *s = bare(alloc);
    FILE *f = fopen(ZONEINFO "/Europe/Berlin", "rb");
    assert_non_null(f);
    s->bytes = malloc(1 << 16);
    s->nbytes = fread(s->bytes, 1, 1 << 16, f);
    fclose(f);
    return s;
}

static void *setup_with_cal(test_alloc *alloc)
{
    st *s = bare(alloc);
    s->cal = shanghai(s);
    return s;
}

static void *setup_with_tz(test_alloc *alloc)
{
    st *s = bare(alloc);
    assert_int_equal(svcq_tz_load(&s->tz, s->ctx, "Europe/Berlin", ZONEINFO), SVCQ_OK);
    return s;
}

/* ---- zones -------------------------------------------------------------- */

static int run_tz_load(void *p)
{
    st *s = p;
    return svcq_tz_load(&s->tz, s->ctx, "America/New_York", ZONEINFO);
}

static int run_tz_load_missing(void *p)
{
    st *s = p;
    /* Only the path is allocated before the file is found missing. */
    int rc = svcq_tz_load(&s->tz, s->ctx, "Nowhere/Zone", ZONEINFO);
    return rc == SVCQ_ENOTFOUND ? SVCQ_OK : rc;
}

static int run_tz_bytes(void *p)
{
    st *s = p;
    return svcq_tz_from_tzif(&s->tz, s->ctx, s->bytes, s->nbytes, "Europe/Berlin");
}

static int run_tz_posix(void *p)
{
    st *s = p;
    return svcq_tz_from_posix(&s->tz, s->ctx, "AEST-10AEDT,M10.1.0,M4.1.0/3");
}

static int run_tz_fixed(void *p)
{
    st *s = p;
    return svcq_tz_fixed(&s->tz, s->ctx, 19800);
}

/* ---- building ----------------------------------------------------------- */

static int run_cal_new(void *p)
{
    st *s = p;
    return svcq_calendar_new(&s->made, s->ctx, s->tz, NULL);
}

static int run_cal_24x7(void *p)
{
    st *s = p;
    return svcq_calendar_new_24x7(&s->made, s->ctx);
}

static int run_cal_build_all(void *p)
{
    st *s = p;
    /* The whole construction of a calendar, undone on failure. */
    svcq_tz *tz;
    int rc = svcq_tz_load(&tz, s->ctx, "Asia/Shanghai", ZONEINFO);
    if (rc)
        return rc;
    svcq_calendar *cal;
    rc = svcq_calendar_new(&cal, s->ctx, tz, NULL);
    svcq_tz_free(tz);
    if (rc)
        return rc;
    const int32_t iv[4] = { H(9, 0), H(12, 0), H(13, 0), H(18, 0) };
    for (int d = 1; d <= 5 && rc == SVCQ_OK; d++)
        rc = svcq_calendar_set_weekday(cal, d, iv, 2);
    for (int d = 1; d <= 20 && rc == SVCQ_OK; d++)
        rc = svcq_calendar_set_closed(cal, 2025, 1, d);
    if (rc == SVCQ_OK)
        rc = svcq_calendar_set_date_hours(cal, 2025, 2, 8, iv, 2);
    if (rc == SVCQ_OK)
        rc = svcq_calendar_set_date_like(cal, 2025, 2, 9, 1);
    if (rc) {
        svcq_calendar_free(cal);
        return rc;
    }
    s->made = cal;
    return SVCQ_OK;
}

static int run_set_weekday(void *p)
{
    st *s = p;
    const int32_t iv[6] = { H(14, 0), H(18, 0), H(8, 0), H(12, 0), H(12, 30), H(13, 30) };
    return svcq_calendar_set_weekday(s->cal, 3, iv, 3);
}

static int run_set_date_hours(void *p)
{
    st *s = p;
    const int32_t iv[4] = { H(13, 0), H(18, 0), H(9, 0), H(12, 0) };
    return svcq_calendar_set_date_hours(s->cal, 2026, 2, 14, iv, 2);
}

static void *setup_cal_16_dates(test_alloc *alloc)
{
    st *s = setup_with_cal(alloc);
    /* 3 dates already; 13 more fill the first 16 slots. */
    for (int d = 1; d <= 13; d++)
        assert_int_equal(svcq_calendar_set_closed(s->cal, 2026, 1, d), SVCQ_OK);
    assert_int_equal(svcq_calendar_date_count(s->cal), 16);
    return s;
}

static int run_date_growth(void *p)
{
    st *s = p;
    return svcq_calendar_set_date_like(s->cal, 2026, 1, 31, 2);
}

static int run_copy(void *p)
{
    st *s = p;
    return svcq_calendar_copy(&s->made, s->ctx, s->cal);
}

/* ---- operations that fill the cache ------------------------------------- */

static int run_first_add(void *p)
{
    st *s = p;
    svcq_time out;
    return svcq_calendar_add(&out, s->cal, probes[0], 40 * 3600);
}

static int run_first_diff(void *p)
{
    st *s = p;
    int64_t d;
    return svcq_calendar_diff(&d, s->cal, probes[0], probes[1]);
}

static int run_grow_forward(void *p)
{
    st *s = p;
    svcq_time out;
    return svcq_calendar_next_open(&out, s->cal, probes[2]);
}

static int run_grow_backward(void *p)
{
    st *s = p;
    int32_t on;
    return svcq_calendar_is_open(&on, s->cal, probes[3]);
}

static int run_far(void *p)
{
    st *s = p;
    svcq_time out;
    /* Hundreds of years of business time: the cycle and a far span. */
    return svcq_calendar_add(&out, s->cal, probes[0], 6000000000LL);
}

static int run_far_diff(void *p)
{
    st *s = p;
    int64_t d;
    return svcq_calendar_diff(&d, s->cal, probes[1], probes[4]);
}

static int run_next_close_far(void *p)
{
    st *s = p;
    svcq_time out;
    return svcq_calendar_next_close(&out, s->cal, probes[4]);
}

static void *setup_cal_rt(test_alloc *alloc)
{
    st *s = setup_cal(alloc);
    svcq_calendar_options o = SVCQ_CALENDAR_OPTIONS_INIT;
    o.flags = SVCQ_CALENDAR_RT_NEXT_OPENING;
    assert_int_equal(svcq_calendar_set_options(s->cal, &o), SVCQ_OK);
    s->expected[0] = '\0'; /* answers differ from the twin's */
    return s;
}

static int run_rt_add(void *p)
{
    st *s = p;
    svcq_time out;
    /* Ends exactly at a Friday closing in 2040: RT moves to Monday, past
     * the cache. */
    svcq_time fri = 2209075200 + 86400 * 4 + 8 * 3600;
    return svcq_calendar_add(&out, s->cal, fri, 9 * 3600);
}

static int run_add_days(void *p)
{
    st *s = p;
    svcq_time out;
    /* From a cold cache: the anchor (next opening) fills it. */
    return svcq_calendar_add_days(&out, s->cal, probes[3], 250);
}

/* A copy into another context allocates on that one only. */
static int run_copy_other_ctx(void *p)
{
    st *s = p;
    svcq_ctx *other;
    int rc = svcq_ctx_new(&other, NULL);
    if (rc)
        return rc;
    rc = svcq_calendar_copy(&s->made, s->ctx, s->cal);
    svcq_calendar *mine = s->made;
    if (rc == SVCQ_OK) {
        svcq_calendar *there;
        rc = svcq_calendar_copy(&there, other, mine);
        assert_int_equal(rc, SVCQ_OK); /* the other context's allocator never fails */
        svcq_calendar_free(there);
    }
    svcq_ctx_free(other);
    return rc;
}

/* ---- JSON --------------------------------------------------------------- */

static const char json_doc[] =
    "{\"schema\":\"svcq.calendar/1\",\"zone\":{\"name\":\"Europe/Berlin\"},"
    "\"options\":{\"rt_next_opening\":true},"
    "\"week\":{\"monday\":[[\"09:00\",\"12:00\"],[\"13:00\",\"18:00\"]],"
    "\"tuesday\":[[\"09:00\",\"18:00\"]],\"saturday\":[[\"22:00\",\"30:00\"]]},"
    "\"dates\":[{\"date\":\"2025-10-03\",\"closed\":true},"
    "{\"date\":\"2025-10-04\",\"like\":\"monday\"},"
    "{\"date\":\"2025-12-24\",\"hours\":[[\"09:00\",\"12:00\"]]}]}";

static int run_import(void *p)
{
    st *s = p;
    return svcq_calendar_import_json(&s->made, s->ctx, json_doc, sizeof(json_doc) - 1, ZONEINFO,
                                     NULL);
}

static int run_import_hint(void *p)
{
    st *s = p;
    /* The zone comes from the host (copied), not from the directory. */
    return svcq_calendar_import_json(&s->made, s->ctx, json_doc, sizeof(json_doc) - 1,
                                     SVCQ_TEST_DATA "/nowhere", s->tz);
}

static int run_export(void *p)
{
    st *s = p;
    svcq_buffer *b;
    int rc = svcq_buffer_new(&b, s->ctx);
    if (rc)
        return rc;
    svcq_writer w;
    rc = svcq_writer_to_buffer(&w, b);
    if (rc == SVCQ_OK)
        rc = svcq_calendar_export_json(s->cal, &w, SVCQ_CALENDAR_JSON_PRETTY);
    /* On success the text reads back to the same calendar. */
    if (rc == SVCQ_OK) {
        test_alloc_arm(s->alloc, 0, false);
        svcq_calendar *back;
        assert_int_equal(svcq_calendar_import_json(&back, s->ctx, svcq_buffer_data(b),
                                                   svcq_buffer_size(b), ZONEINFO, NULL),
                         SVCQ_OK);
        char a[2048], c[2048];
        config(s->cal, a, sizeof(a));
        config(back, c, sizeof(c));
        assert_string_equal(a, c);
        svcq_calendar_free(back);
    }
    svcq_buffer_free(b);
    return rc;
}

#define SCENARIO(fn, setupfn)                                                               \
    static void fn##_test(void **state)                                                     \
    {                                                                                       \
        (void)state;                                                                        \
        fault_scenario sc = { .name = #fn, .setup = setupfn, .run = fn, .describe = describe, \
                              .verify = verify, .teardown = teardown };                     \
        assert_true(fault_run(&sc) >= 1);                                                   \
    }

SCENARIO(run_tz_load, setup_bare)
SCENARIO(run_tz_load_missing, setup_bare)
SCENARIO(run_tz_bytes, setup_bytes)
SCENARIO(run_tz_posix, setup_bare)
SCENARIO(run_tz_fixed, setup_bare)
SCENARIO(run_cal_new, setup_with_tz)
SCENARIO(run_cal_24x7, setup_bare)
SCENARIO(run_cal_build_all, setup_bare)
SCENARIO(run_set_weekday, setup_with_cal)
SCENARIO(run_set_date_hours, setup_with_cal)
SCENARIO(run_date_growth, setup_cal_16_dates)
SCENARIO(run_copy, setup_with_cal)
SCENARIO(run_add_days, setup_cal)
SCENARIO(run_copy_other_ctx, setup_with_cal)
SCENARIO(run_first_add, setup_cal)
SCENARIO(run_first_diff, setup_cal)
SCENARIO(run_grow_forward, setup_cal_warm)
SCENARIO(run_grow_backward, setup_cal_warm)
SCENARIO(run_far, setup_cal_far_warm)
SCENARIO(run_far_diff, setup_cal_far_warm)
SCENARIO(run_next_close_far, setup_cal_far)
SCENARIO(run_rt_add, setup_cal_rt)
SCENARIO(run_import, setup_bare)
SCENARIO(run_import_hint, setup_with_tz)
SCENARIO(run_export, setup_with_cal)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(run_tz_load_test),
        cmocka_unit_test(run_tz_load_missing_test),
        cmocka_unit_test(run_tz_bytes_test),
        cmocka_unit_test(run_tz_posix_test),
        cmocka_unit_test(run_tz_fixed_test),
        cmocka_unit_test(run_cal_new_test),
        cmocka_unit_test(run_cal_24x7_test),
        cmocka_unit_test(run_cal_build_all_test),
        cmocka_unit_test(run_set_weekday_test),
        cmocka_unit_test(run_set_date_hours_test),
        cmocka_unit_test(run_date_growth_test),
        cmocka_unit_test(run_copy_test),
        cmocka_unit_test(run_add_days_test),
        cmocka_unit_test(run_copy_other_ctx_test),
        cmocka_unit_test(run_first_add_test),
        cmocka_unit_test(run_first_diff_test),
        cmocka_unit_test(run_grow_forward_test),
        cmocka_unit_test(run_grow_backward_test),
        cmocka_unit_test(run_far_test),
        cmocka_unit_test(run_far_diff_test),
        cmocka_unit_test(run_next_close_far_test),
        cmocka_unit_test(run_rt_add_test),
        cmocka_unit_test(run_import_test),
        cmocka_unit_test(run_import_hint_test),
        cmocka_unit_test(run_export_test),
    };
    const char *filter = getenv("SVCQ_TEST_FILTER");
    if (filter)
        cmocka_set_test_filter(filter);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
