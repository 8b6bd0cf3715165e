/* libFuzzer target for analysis JSON documents (svcq_analysis_import_json):
 * whatever the input, no crash, leak or UB; an accepted document exports,
 * the export imports again and exports to the same bytes; every picture
 * (fishbone and each 5-Why tree, in Mermaid, DOT and SVG) and the report
 * draw; the analysis is saved to and loaded from the memory store, and a
 * few edits run inside a batch that is rolled back, leaving it as it was. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "svcq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int discard(const char *d, size_t n, void *u)
{
    (void)d, (void)n, (void)u;
    return 0;
}

static int export_to(const svcq_analysis *a, svcq_buffer **out, svcq_ctx *ctx)
{
    if (svcq_buffer_new(out, ctx) != SVCQ_OK)
        return -1;
    svcq_writer w;
    if (svcq_writer_to_buffer(&w, *out) != SVCQ_OK)
        return -1;
    return svcq_analysis_export_json(a, &w, 0);
}

static int same(const svcq_buffer *a, const svcq_buffer *b)
{
    return svcq_buffer_size(a) == svcq_buffer_size(b) &&
           memcmp(svcq_buffer_data(a), svcq_buffer_data(b), svcq_buffer_size(a)) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    svcq_ctx *ctx;
    if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
        return 0;
    svcq_analysis *a;
    if (svcq_analysis_import_json(&a, ctx, (const char *)data, size) == SVCQ_OK) {
        svcq_buffer *x = NULL, *y = NULL, *z = NULL;
        svcq_analysis *again = NULL, *loaded = NULL;
        if (export_to(a, &x, ctx) != SVCQ_OK)
            __builtin_trap();
        if (svcq_analysis_import_json(&again, ctx, svcq_buffer_data(x), svcq_buffer_size(x)) != SVCQ_OK)
            __builtin_trap();
        if (export_to(again, &y, ctx) != SVCQ_OK || !same(x, y))
            __builtin_trap();
        svcq_writer w = SVCQ_WRITER_INIT;
        w.write = discard;
        if (svcq_analysis_export_report(a, &w, NULL) != SVCQ_OK)
            __builtin_trap();
        for (size_t i = 0; i <= svcq_analysis_why_tree_count(a); i++) {
            const char *anchor = i ? svcq_analysis_why_tree(a, i - 1) : NULL;
            if (svcq_analysis_export_svg(a, &w, anchor) != SVCQ_OK ||
                svcq_analysis_export_mermaid(a, &w, anchor) != SVCQ_OK ||
                svcq_analysis_export_dot(a, &w, anchor) != SVCQ_OK)
                __builtin_trap();
        }
        if (svcq_analysis_save(a) != SVCQ_OK || svcq_analysis_load(&loaded, ctx, svcq_analysis_id(a)) != SVCQ_OK)
            __builtin_trap();
        /* Edits in a rolled-back batch leave the analysis as it was. */
        if (svcq_ctx_batch_begin(ctx) != SVCQ_OK)
            __builtin_trap();
        size_t n = svcq_analysis_node_count(loaded);
        for (size_t i = 0; i < n && i < 8; i++) {
            const char *id = svcq_analysis_node_at(loaded, n - 1 - i);
            if (!id)
                break;
            (void)svcq_analysis_add(NULL, loaded, id, SVCQ_ANALYSIS_WHY, "fuzz");
            (void)svcq_analysis_set_status(loaded, id, SVCQ_ANALYSIS_REFUTED);
            (void)svcq_analysis_move(loaded, id, "e", 0);
        }
        (void)svcq_analysis_remove(loaded, svcq_analysis_node_at(loaded, 1));
        if (svcq_ctx_batch_rollback(ctx) != SVCQ_OK)
            __builtin_trap();
        if (export_to(loaded, &z, ctx) != SVCQ_OK || !same(x, z))
            __builtin_trap();
        svcq_analysis_free(loaded);
        svcq_analysis_free(again);
        svcq_buffer_free(x);
        svcq_buffer_free(y);
        svcq_buffer_free(z);
        svcq_analysis_free(a);
    }
    svcq_ctx_free(ctx);
    return 0;
}
