/* A business calendar: Mon-Fri 09:00-18:00 with a lunch break in Shanghai,
 * a holiday and an adjusted working Sunday; an SLA deadline of 16 business
 * hours, one of 2 business days, and the business time between two
 * instants, with times printed as a person reads them.
 *
 * The zone comes from the system's zoneinfo when there is one, else from a
 * POSIX TZ string, so the example runs anywhere. */
#include <stdio.h>

#include <svcq.h>

static void print_local(const char *what, const svcq_tz *tz, svcq_time t)
{
    char when[64];
    size_t len;
    if (svcq_tz_format(when, sizeof(when), &len, tz, t,
                       SVCQ_TIME_FORMAT_WEEKDAY | SVCQ_TIME_FORMAT_NO_SECONDS) == SVCQ_OK)
        printf("%-30s %s (%s)\n", what, when, svcq_tz_name(tz));
}

int main(void)
{
    svcq_ctx *ctx;
    if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
        return 1;
    svcq_tz *tz;
    if (svcq_tz_load(&tz, ctx, "Asia/Shanghai", NULL) != SVCQ_OK &&
        svcq_tz_from_posix(&tz, ctx, "CST-8") != SVCQ_OK) {
        fprintf(stderr, "zone: %s\n", svcq_ctx_errmsg(ctx));
        svcq_ctx_free(ctx);
        return 1;
    }
    svcq_calendar *cal;
    int rc = svcq_calendar_new(&cal, ctx, tz, NULL);
    svcq_tz_free(tz); /* the calendar keeps its own copy */
    if (rc != SVCQ_OK)
        goto fail_ctx;

    const int32_t hours[4] = { 9 * 3600, 12 * 3600, 13 * 3600, 18 * 3600 };
    for (int d = SVCQ_MONDAY; d <= SVCQ_FRIDAY && rc == SVCQ_OK; d++)
        rc = svcq_calendar_set_weekday(cal, d, hours, 2);
    if (rc == SVCQ_OK) /* National Day */
        rc = svcq_calendar_set_closed(cal, 2025, 10, 1);
    if (rc == SVCQ_OK) /* Sunday 28 September works like a Monday */
        rc = svcq_calendar_set_date_like(cal, 2025, 9, 28, SVCQ_MONDAY);
    if (rc != SVCQ_OK)
        goto fail;

    const svcq_tz *z = svcq_calendar_tz(cal);
    svcq_time opened, due;
    rc = svcq_tz_local_to_utc(&opened, z, 2025, 9, 26, 16 * 3600); /* Friday 16:00 */
    if (rc == SVCQ_OK)
        rc = svcq_calendar_add(&due, cal, opened, 16 * 3600);
    if (rc != SVCQ_OK)
        goto fail;
    print_local("ticket opened", z, opened);
    print_local("due after 16 business hours", z, due);
    /* Two business days: the same time of day, National Day skipped, the
     * working Sunday counted. */
    svcq_time due_days;
    rc = svcq_calendar_add_days(&due_days, cal, opened, 2);
    if (rc != SVCQ_OK)
        goto fail;
    print_local("due after 2 business days", z, due_days);

    int64_t spent;
    rc = svcq_calendar_diff(&spent, cal, opened, due + 86400);
    if (rc != SVCQ_OK)
        goto fail;
    printf("business seconds until a day after the deadline: %lld\n", (long long)spent);

    svcq_calendar_free(cal);
    svcq_ctx_free(ctx);
    return 0;
fail:
    fprintf(stderr, "calendar: %s (%s)\n", svcq_strerror(rc), svcq_ctx_errmsg(ctx));
    svcq_calendar_free(cal);
fail_ctx:
    svcq_ctx_free(ctx);
    return 1;
}
