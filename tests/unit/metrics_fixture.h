/* Shared fixtures of the metrics tests: a context with zones from
 * tests/data/zoneinfo, a Monday-to-Friday 09:00-18:00 calendar in
 * Asia/Shanghai, local-time helpers and a fact builder. */
#ifndef TEST_METRICS_FIXTURE_H
#define TEST_METRICS_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svcq.h"

#ifndef SVCQ_TEST_DATA
#define SVCQ_TEST_DATA "tests/data"
#endif

static inline svcq_tz *mx_zone(svcq_ctx *ctx, const char *name)
{
    svcq_tz *tz = NULL;
    if (svcq_tz_load(&tz, ctx, name, SVCQ_TEST_DATA "/zoneinfo") != SVCQ_OK) {
        fprintf(stderr, "zone %s: %s\n", name, svcq_ctx_errmsg(ctx));
        abort();
    }
    return tz;
}

/* Monday to Friday 09:00-18:00 in the zone. */
static inline svcq_calendar *mx_office(svcq_ctx *ctx, const svcq_tz *tz)
{
    svcq_calendar *cal = NULL;
    static const int32_t day[2] = { 9 * 3600, 18 * 3600 };
    if (svcq_calendar_new(&cal, ctx, tz, NULL) != SVCQ_OK)
        abort();
    for (int w = SVCQ_MONDAY; w <= SVCQ_FRIDAY; w++)
        if (svcq_calendar_set_weekday(cal, w, day, 1) != SVCQ_OK)
            abort();
    return cal;
}

/* Local time in a zone. */
static inline svcq_time mx_local(const svcq_tz *tz, int y, int mo, int d, int h, int mi)
{
    svcq_time t;
    if (svcq_tz_local_to_utc(&t, tz, y, mo, d, h * 3600 + mi * 60) != SVCQ_OK)
        abort();
    return t;
}

static inline svcq_metrics_fact mx_fact(const char *id, svcq_time received)
{
    svcq_metrics_fact f;
    if (svcq_metrics_fact_init(&f, SVCQ_METRICS_FACT_VERSION) != SVCQ_OK)
        abort();
    f.id = id;
    f.received = received;
    return f;
}

/* Collects writer output in a malloc'd string. */
typedef struct mx_sink {
    char *text;
    size_t len;
} mx_sink;

static inline int mx_sink_write(const char *data, size_t size, void *ud)
{
    mx_sink *s = ud;
    char *p = realloc(s->text, s->len + size + 1);
    if (!p)
        return SVCQ_ENOMEM;
    memcpy(p + s->len, data, size);
    s->text = p;
    s->len += size;
    s->text[s->len] = '\0';
    return 0;
}

static inline svcq_writer mx_writer(mx_sink *s)
{
    svcq_writer w = SVCQ_WRITER_INIT;
    s->text = NULL;
    s->len = 0;
    w.write = mx_sink_write;
    w.user_data = s;
    return w;
}

#endif
