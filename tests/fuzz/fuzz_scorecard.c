/* libFuzzer target for scorecard template JSON documents
 * (svcq_scorecard_template_import): whatever the input, no crash, leak or
 * UB; an accepted document exports to JSON that imports again and exports
 * to the same bytes (lossless), exports as Markdown, saves and loads back
 * from the memory store, and scores a card with a value for every item
 * (the rule's own range: the first band's lower bound, or 0). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "svcq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int export_to(const svcq_scorecard_template *t, svcq_buffer **out, svcq_ctx *ctx, int32_t format)
{
    if (svcq_buffer_new(out, ctx) != SVCQ_OK)
        return -1;
    svcq_writer w;
    if (svcq_writer_to_buffer(&w, *out) != SVCQ_OK)
        return -1;
    return svcq_scorecard_template_export(t, &w, format, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    svcq_ctx *ctx;
    if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
        return 0;
    svcq_scorecard_template *t;
    if (svcq_scorecard_template_import(&t, ctx, (const char *)data, size) == SVCQ_OK) {
        svcq_buffer *a = NULL, *b = NULL, *md = NULL;
        svcq_scorecard_template *again = NULL, *loaded = NULL;
        if (export_to(t, &a, ctx, SVCQ_SCORECARD_JSON) != SVCQ_OK)
            __builtin_trap();
        if (svcq_scorecard_template_import(&again, ctx, svcq_buffer_data(a), svcq_buffer_size(a)) != SVCQ_OK)
            __builtin_trap();
        if (export_to(again, &b, ctx, SVCQ_SCORECARD_JSON) != SVCQ_OK || svcq_buffer_size(a) != svcq_buffer_size(b) ||
            memcmp(svcq_buffer_data(a), svcq_buffer_data(b), svcq_buffer_size(a)) != 0)
            __builtin_trap();
        if (export_to(t, &md, ctx, SVCQ_SCORECARD_MARKDOWN) != SVCQ_OK)
            __builtin_trap();
        if (svcq_scorecard_template_save(t) != SVCQ_OK ||
            svcq_scorecard_template_load(&loaded, ctx, svcq_scorecard_template_name(t),
                                         svcq_scorecard_template_version(t)) != SVCQ_OK)
            __builtin_trap();
        svcq_scorecard_period *p = NULL;
        if (svcq_scorecard_period_new(&p, t, "fuzz", 1767225600, 1769904000) != SVCQ_OK ||
            svcq_scorecard_period_add_unit(p, "u") != SVCQ_OK)
            __builtin_trap();
        for (uint32_t i = 0; i < svcq_scorecard_template_item_count(t); i++) {
            svcq_scorecard_item_spec s = SVCQ_SCORECARD_ITEM_SPEC_INIT;
            if (svcq_scorecard_template_item(&s, t, i) != SVCQ_OK)
                __builtin_trap();
            int64_t v = s.rule == SVCQ_SCORECARD_RULE_BANDS ? s.band_from[0] : 0;
            if (svcq_scorecard_set_value(p, "u", s.key, v) != SVCQ_OK)
                __builtin_trap();
        }
        svcq_scorecard_card_info c = SVCQ_SCORECARD_CARD_INFO_INIT;
        if (svcq_scorecard_card_totals(&c, p, "u") != SVCQ_OK || c.points < 0 || c.points > c.max_points ||
            c.share < 0 || c.share > 100000)
            __builtin_trap();
        svcq_scorecard_period_free(p);
        svcq_buffer_free(a);
        svcq_buffer_free(b);
        svcq_buffer_free(md);
        svcq_scorecard_template_free(again);
        svcq_scorecard_template_free(loaded);
        svcq_scorecard_template_free(t);
    }
    svcq_ctx_free(ctx);
    return 0;
}
