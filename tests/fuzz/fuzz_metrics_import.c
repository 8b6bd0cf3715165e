/* libFuzzer target for the metrics import (svcq_metrics_import): the first
 * byte picks the format (even: JSON lines, odd: CSV), the rest is the
 * text. Whatever the input, no crash, leak or UB; every line is either
 * accepted or reported at most once, in order, with a line and column
 * inside the input; the
 * counts add up; and a set built from the same input twice holds the same
 * facts, so the weekly report of the first fact's week is the same bytes
 * (rollups are deterministic). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "svcq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct seen {
    uint64_t n, lines, last;
} seen;

static int on_reject(uint64_t line, uint64_t column, int code, const char *message, void *ud)
{
    seen *s = ud;
    if (line <= s->last || line > s->lines || column < 1 || code >= 0 || !message || strncmp(message, "line ", 5))
        __builtin_trap();
    s->last = line;
    s->n++;
    return 0;
}

static int report(svcq_metrics *m, svcq_ctx *ctx, svcq_buffer **out)
{
    if (svcq_buffer_new(out, ctx) != SVCQ_OK)
        return -1;
    svcq_writer w;
    if (svcq_writer_to_buffer(&w, *out) != SVCQ_OK)
        return -1;
    svcq_metrics_report req = SVCQ_METRICS_REPORT_INIT;
    req.week_of = 1767571200; /* 2026-01-05 */
    return svcq_metrics_weekly_report(m, &req, SVCQ_METRICS_JSON, &w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int32_t format = data[0] & 1 ? SVCQ_METRICS_IMPORT_CSV : SVCQ_METRICS_IMPORT_JSONL;
    const char *text = (const char *)data + 1;
    size_t n = size - 1;
    svcq_ctx *ctx;
    if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
        return 0;
    seen s = { 0, 1, 0 };
    for (size_t i = 0; i < n; i++)
        s.lines += text[i] == '\n';
    svcq_metrics *a = NULL, *b = NULL;
    svcq_buffer *ra = NULL, *rb = NULL;
    if (svcq_metrics_new(&a, ctx, NULL) != SVCQ_OK || svcq_metrics_new(&b, ctx, NULL) != SVCQ_OK)
        __builtin_trap();
    uint64_t acc = 0, rej = 0, acc2 = 0, rej2 = 0;
    int rc = svcq_metrics_import(&acc, &rej, a, format, text, n, on_reject, &s);
    if (rc == SVCQ_OK) {
        if (rej != s.n || acc + rej > s.lines || svcq_metrics_fact_count(a) > acc)
            __builtin_trap();
        if (svcq_metrics_import(&acc2, &rej2, b, format, text, n, NULL, NULL) != SVCQ_OK || acc2 != acc || rej2 != rej)
            __builtin_trap();
        int r1 = report(a, ctx, &ra), r2 = report(b, ctx, &rb);
        if (r1 != r2 || (r1 == SVCQ_OK && (svcq_buffer_size(ra) != svcq_buffer_size(rb) ||
                                           memcmp(svcq_buffer_data(ra), svcq_buffer_data(rb), svcq_buffer_size(ra)))))
            __builtin_trap();
    } else if (rc != SVCQ_EPARSE) {
        __builtin_trap();
    }
    svcq_buffer_free(ra);
    svcq_buffer_free(rb);
    svcq_metrics_free(a);
    svcq_metrics_free(b);
    svcq_ctx_free(ctx);
    return 0;
}
