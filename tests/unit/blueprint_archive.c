/* svcq_blueprint_overlay_add_archive(): the incident archive of a period on
 * a blueprint, counted by hand. Five incidents: I0 before the period, I1
 * and I2 in it with I0's similarity key (both recurrences), I3 in it with
 * another key and rejected (closed), I4 after it. Then: a second fill
 * refused with the overlay unchanged, and allocation failure at every
 * point leaving the overlay empty and nothing leaked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "svcq.h"
#include "test_alloc.h"

#define T1 ((svcq_time)1791939600) /* the period: one day from 2026-10-14 09:00 +08:00 */
#define HOUR 3600

static svcq_time now_value;

static svcq_time fixed_clock(void *user_data)
{
    (void)user_data;
    return now_value;
}

static void report(svcq_ctx *ctx, const char *id, svcq_time at, const char *touchpoint, const char *stage)
{
    now_value = at;
    svcq_incident_report_spec r;
    assert_int_equal(svcq_incident_report_spec_init(&r, SVCQ_INCIDENT_REPORT_SPEC_VERSION), SVCQ_OK);
    r.type = SVCQ_INCIDENT_TYPE_CUSTOMER_COMPLAINT;
    r.stage = stage;
    r.channel = SVCQ_INCIDENT_CHANNEL_PHONE;
    r.observed = "Waited on hold";
    r.reporter_name = "Li Na";
    r.touchpoint = touchpoint;
    svcq_incident *inc = NULL;
    assert_int_equal(svcq_incident_report(&inc, ctx, id, &r, "Li Na", "frontline_staff"), SVCQ_OK);
    if (strcmp(id, "I3") == 0)
        assert_int_equal(svcq_incident_reject(inc, "Zhou Min", "service_supervisor", "Not a fault"), SVCQ_OK);
    svcq_incident_free(inc);
}

static void add_step(svcq_blueprint *bp, const char *key, const char *stage)
{
    svcq_blueprint_step_spec s;
    assert_int_equal(svcq_blueprint_step_spec_init(&s, SVCQ_BLUEPRINT_STEP_SPEC_VERSION), SVCQ_OK);
    s.key = key;
    s.title = key;
    s.stage = stage;
    assert_int_equal(svcq_blueprint_add_step(bp, &s, -1), SVCQ_OK);
}

static void stats(const svcq_blueprint_overlay *ov, const svcq_blueprint *bp, const char *step, uint32_t incidents,
                  uint32_t recurrences, uint32_t open)
{
    svcq_blueprint_step_stats st;
    assert_int_equal(svcq_blueprint_step_stats_init(&st, SVCQ_BLUEPRINT_STEP_STATS_VERSION), SVCQ_OK);
    assert_int_equal(svcq_blueprint_overlay_step(&st, ov, bp, step), SVCQ_OK);
    assert_int_equal(st.incidents, incidents);
    assert_int_equal(st.recurrences, recurrences);
    assert_int_equal(st.open, open);
}

static void archive_on_the_blueprint(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx_options o;
    assert_int_equal(svcq_ctx_options_init(&o, SVCQ_CTX_OPTIONS_VERSION), SVCQ_OK);
    test_alloc_hook(&a, &o);
    o.clock_fn = fixed_clock;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, &o), SVCQ_OK);

    report(ctx, "I0", T1 - 5 * 24 * HOUR, "hotline", SVCQ_INCIDENT_STAGE_RECEPTION);
    report(ctx, "I1", T1 + 1 * HOUR, "hotline", SVCQ_INCIDENT_STAGE_RECEPTION);
    report(ctx, "I2", T1 + 2 * HOUR, "hotline", SVCQ_INCIDENT_STAGE_RECEPTION);
    report(ctx, "I3", T1 + 3 * HOUR, "counter", SVCQ_INCIDENT_STAGE_AFTER_SALES);
    report(ctx, "I4", T1 + 30 * HOUR, "hotline", SVCQ_INCIDENT_STAGE_RECEPTION);

    svcq_blueprint *bp;
    assert_int_equal(svcq_blueprint_new(&bp, ctx, "support", "Support"), SVCQ_OK);
    add_step(bp, "hotline", SVCQ_INCIDENT_STAGE_RECEPTION);
    add_step(bp, "counter", SVCQ_INCIDENT_STAGE_AFTER_SALES);

    svcq_blueprint_overlay *ov;
    assert_int_equal(svcq_blueprint_overlay_new(&ov, ctx, T1, T1 + 24 * HOUR), SVCQ_OK);
    size_t added = 99;
    assert_int_equal(svcq_blueprint_overlay_add_archive(&added, ov), SVCQ_OK);
    assert_int_equal(added, 3);
    assert_int_equal(svcq_blueprint_overlay_count(ov), 3);
    assert_int_equal(svcq_blueprint_overlay_skipped(ov), 0); /* outside the period: not this overlay's */
    stats(ov, bp, "hotline", 2, 2, 2);
    stats(ov, bp, "counter", 1, 0, 0);

    /* Again: the same incidents are there already; nothing changes. */
    assert_int_equal(svcq_blueprint_overlay_add_archive(&added, ov), SVCQ_EEXIST);
    assert_int_equal(added, 0);
    assert_int_equal(svcq_blueprint_overlay_count(ov), 3);
    stats(ov, bp, "hotline", 2, 2, 2);
    svcq_blueprint_overlay_free(ov);

    /* Allocation failure at every point: an error, an empty overlay. */
    int failures = 0;
    for (size_t k = 1;; k++) {
        size_t live = a.live_blocks;
        assert_int_equal(svcq_blueprint_overlay_new(&ov, ctx, T1, T1 + 24 * HOUR), SVCQ_OK);
        test_alloc_arm(&a, k, false);
        int rc = svcq_blueprint_overlay_add_archive(&added, ov);
        bool injected = a.injected > 0;
        test_alloc_arm(&a, 0, false);
        if (!injected) {
            assert_int_equal(rc, SVCQ_OK);
            svcq_blueprint_overlay_free(ov);
            break;
        }
        /* A failure the library works around (a message it could not
         * format) still gives the whole archive; any other is ENOMEM with
         * nothing added. */
        if (rc == SVCQ_OK) {
            assert_int_equal(svcq_blueprint_overlay_count(ov), 3);
        } else {
            failures++;
            assert_int_equal(rc, SVCQ_ENOMEM);
            assert_int_equal(svcq_blueprint_overlay_count(ov), 0);
        }
        svcq_blueprint_overlay_free(ov);
        /* Nothing leaked (the overlay may keep room it grew: freed with it). */
        assert_int_equal(a.live_blocks, live);
    }
    assert_true(failures > 10);
    assert_int_equal(svcq_blueprint_overlay_add_archive(NULL, NULL), SVCQ_EINVAL);

    svcq_blueprint_free(bp);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(archive_on_the_blueprint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
