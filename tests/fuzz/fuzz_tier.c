/* libFuzzer target for the tier module's JSON inputs: tier schemes
 * (svcq_tier_scheme_import_json) and clients as JSON lines
 * (svcq_client_import_lines), chosen by the first byte ('s' or anything
 * else). Whatever the input: no crash, leak or UB; an accepted scheme
 * exports, imports again and exports to the same bytes, and classifies a
 * few inputs; every imported client loads back and exports to the bytes it
 * was stored as. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "svcq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int export_scheme(const svcq_tier_scheme *s, svcq_buffer **out, svcq_ctx *ctx)
{
    svcq_writer w;
    if (svcq_buffer_new(out, ctx) != SVCQ_OK || svcq_writer_to_buffer(&w, *out) != SVCQ_OK)
        return -1;
    return svcq_tier_scheme_export_json(s, &w, 0);
}

static void fuzz_scheme(svcq_ctx *ctx, const char *text, size_t len)
{
    svcq_tier_scheme *s, *again = NULL;
    if (svcq_tier_scheme_import_json(&s, ctx, text, len) != SVCQ_OK)
        return;
    svcq_buffer *a = NULL, *b = NULL;
    if (export_scheme(s, &a, ctx) != SVCQ_OK ||
        svcq_tier_scheme_import_json(&again, ctx, svcq_buffer_data(a), svcq_buffer_size(a)) != SVCQ_OK ||
        export_scheme(again, &b, ctx) != SVCQ_OK || svcq_buffer_size(a) != svcq_buffer_size(b) ||
        memcmp(svcq_buffer_data(a), svcq_buffer_data(b), svcq_buffer_size(a)) != 0)
        __builtin_trap();
    svcq_tier_result *r;
    if (svcq_tier_result_new(&r, ctx) == SVCQ_OK) {
        uint32_t n = svcq_tier_scheme_factor_count(s);
        double v[SVCQ_TIER_MAX_FACTORS];
        static const double probes[] = { 0, 1, 5, 50, 1e9, -1, NAN };
        for (size_t p = 0; p < sizeof(probes) / sizeof(probes[0]); p++) {
            for (uint32_t i = 0; i < n; i++)
                v[i] = probes[p];
            if (svcq_tier_classify(r, s, v, n) == SVCQ_OK &&
                svcq_tier_result_rank(r) >= svcq_tier_scheme_tier_count(s))
                __builtin_trap();
        }
        svcq_buffer_clear(b);
        svcq_writer w;
        if (svcq_writer_to_buffer(&w, b) == SVCQ_OK) {
            (void)svcq_tier_result_export_text(r, &w);
            (void)svcq_tier_scheme_export_markdown(s, &w);
        }
        svcq_tier_result_free(r);
    }
    svcq_buffer_free(a);
    svcq_buffer_free(b);
    svcq_tier_scheme_free(again);
    svcq_tier_scheme_free(s);
}

typedef struct seen {
    svcq_ctx *ctx;
} seen;

static int on_error(uint64_t line, int32_t code, const char *message, void *user_data)
{
    (void)user_data;
    if (line == 0 || code >= 0 || !message || !*message)
        __builtin_trap();
    return 0;
}

static void fuzz_lines(svcq_ctx *ctx, const char *text, size_t len)
{
    uint64_t ok = 0, bad = 0;
    if (svcq_client_import_lines(&ok, &bad, ctx, text, len, on_error, NULL) != SVCQ_OK)
        __builtin_trap();
    /* Every line that went in is a client that reads back. */
    svcq_client *c;
    if (ok && svcq_client_import_json(&c, ctx, text, len) == SVCQ_OK) {
        svcq_client *l;
        if (svcq_client_load(&l, ctx, svcq_client_id(c)) != SVCQ_OK)
            __builtin_trap();
        svcq_client_free(l);
        svcq_client_free(c);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    svcq_ctx *ctx;
    if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
        return 0;
    if (data[0] == 's')
        fuzz_scheme(ctx, (const char *)data + 1, size - 1);
    else
        fuzz_lines(ctx, (const char *)data + 1, size - 1);
    svcq_ctx_free(ctx);
    return 0;
}
