/* libFuzzer target for calendar JSON documents (svcq_calendar_import_json):
 * whatever the input, no crash, leak or UB; an accepted document exports,
 * and the export imports again to the same text. Zones given by name are
 * looked up in a directory that does not exist (the TZif reader has its own
 * target), so documents use "posix" or "utc_offset" zones to get further. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "svcq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int export_to(const svcq_calendar *cal, svcq_buffer **out, svcq_ctx *ctx)
{
    if (svcq_buffer_new(out, ctx) != SVCQ_OK)
        return -1;
    svcq_writer w;
    if (svcq_writer_to_buffer(&w, *out) != SVCQ_OK)
        return -1;
    return svcq_calendar_export_json(cal, &w, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    svcq_ctx *ctx;
    if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
        return 0;
    svcq_calendar *cal;
    if (svcq_calendar_import_json(&cal, ctx, (const char *)data, size, "/nonexistent/zoneinfo",
                                  NULL) == SVCQ_OK) {
        svcq_buffer *a = NULL, *b = NULL;
        svcq_calendar *again = NULL;
        if (export_to(cal, &a, ctx) != SVCQ_OK)
            __builtin_trap();
        if (svcq_calendar_import_json(&again, ctx, svcq_buffer_data(a), svcq_buffer_size(a),
                                      "/nonexistent/zoneinfo", svcq_calendar_tz(cal)) != SVCQ_OK)
            __builtin_trap();
        if (export_to(again, &b, ctx) != SVCQ_OK ||
            strcmp(svcq_buffer_data(a), svcq_buffer_data(b)) != 0)
            __builtin_trap();
        /* And the calendar answers. */
        svcq_time t;
        int64_t d;
        (void)svcq_calendar_add(&t, cal, 1735689600, 86400);
        (void)svcq_calendar_diff(&d, cal, 1735689600, 1767225600);
        svcq_calendar_free(again);
        svcq_buffer_free(a);
        svcq_buffer_free(b);
        svcq_calendar_free(cal);
    }
    svcq_ctx_free(ctx);
    return 0;
}
