/* libFuzzer target for the JSON imports of service profiles
 * (svcq_tier_profiles_import_json) and assigners, with their agents and
 * teams (svcq_assigner_import_json). The first byte picks the parser.
 * Whatever the input: no crash, leak or UB; an accepted document exports,
 * imports again and exports to the same bytes; an accepted assigner saves,
 * loads into an equal assigner, and can decide, assign and release. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "svcq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOZONES "/nonexistent/zoneinfo"

static svcq_buffer *export_profiles(svcq_ctx *ctx, const svcq_tier_profiles *p)
{
    svcq_buffer *b = NULL;
    svcq_writer w;
    if (svcq_buffer_new(&b, ctx) != SVCQ_OK || svcq_writer_to_buffer(&w, b) != SVCQ_OK ||
        svcq_tier_profiles_export_json(p, &w, 0) != SVCQ_OK)
        __builtin_trap();
    return b;
}

static svcq_buffer *export_assigner(svcq_ctx *ctx, const svcq_assigner *a)
{
    svcq_buffer *b = NULL;
    svcq_writer w;
    if (svcq_buffer_new(&b, ctx) != SVCQ_OK || svcq_writer_to_buffer(&w, b) != SVCQ_OK ||
        svcq_assigner_export_json(a, &w, 0) != SVCQ_OK)
        __builtin_trap();
    return b;
}

static int same(const svcq_buffer *a, const svcq_buffer *b)
{
    return svcq_buffer_size(a) == svcq_buffer_size(b) &&
           memcmp(svcq_buffer_data(a), svcq_buffer_data(b), svcq_buffer_size(a)) == 0;
}

static void profiles(svcq_ctx *ctx, const char *json, size_t size)
{
    svcq_tier_profiles *p, *q;
    if (svcq_tier_profiles_import_json(&p, ctx, json, size) != SVCQ_OK)
        return;
    svcq_buffer *a = export_profiles(ctx, p);
    if (svcq_tier_profiles_import_json(&q, ctx, svcq_buffer_data(a), svcq_buffer_size(a)) != SVCQ_OK)
        __builtin_trap();
    svcq_buffer *b = export_profiles(ctx, q);
    if (!same(a, b))
        __builtin_trap();
    svcq_writer w;
    if (svcq_writer_to_buffer(&w, b) != SVCQ_OK || svcq_tier_profiles_export_markdown(q, &w) != SVCQ_OK)
        __builtin_trap();
    svcq_buffer_free(a);
    svcq_buffer_free(b);
    svcq_tier_profiles_free(p);
    svcq_tier_profiles_free(q);
}

static void assigner(svcq_ctx *ctx, const char *json, size_t size)
{
    svcq_assigner *x, *y = NULL, *z = NULL;
    if (svcq_assigner_import_json(&x, ctx, json, size, NOZONES) != SVCQ_OK)
        return;
    svcq_buffer *a = export_assigner(ctx, x);
    if (svcq_assigner_import_json(&y, ctx, svcq_buffer_data(a), svcq_buffer_size(a), NOZONES) != SVCQ_OK)
        __builtin_trap();
    svcq_buffer *b = export_assigner(ctx, y);
    if (!same(a, b))
        __builtin_trap();
    /* Saved (memory store) and loaded equal; agent ids may clash with
     * records of an earlier save only within this context, which is new. */
    if (svcq_assigner_save(x, "fuzz") != SVCQ_OK || svcq_assigner_load(&z, ctx, "fuzz", NOZONES) != SVCQ_OK)
        __builtin_trap();
    svcq_buffer *c = export_assigner(ctx, z);
    if (!same(a, c))
        __builtin_trap();
    /* Decide on every tier; assign and release what was assigned. */
    svcq_assignment *d;
    if (svcq_assignment_new(&d, ctx) != SVCQ_OK)
        __builtin_trap();
    for (int32_t tier = 0; tier < 4; tier++) {
        svcq_assign_request r = SVCQ_ASSIGN_REQUEST_INIT;
        r.tier = tier;
        r.item_id = "fuzz-item";
        r.client_id = "fuzz-client";
        r.at = 1790906400;
        int rc = svcq_assigner_assign(d, z, &r);
        if (rc == SVCQ_OK && svcq_assigner_release(z, "fuzz-item") != SVCQ_OK)
            __builtin_trap();
        svcq_writer w;
        if (svcq_writer_to_buffer(&w, c) != SVCQ_OK)
            __builtin_trap();
        (void)svcq_assignment_explain(d, &w);
        (void)svcq_assignment_export_json(d, &w, 0);
    }
    svcq_assignment_free(d);
    svcq_buffer_free(a);
    svcq_buffer_free(b);
    svcq_buffer_free(c);
    svcq_assigner_free(x);
    svcq_assigner_free(y);
    svcq_assigner_free(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    svcq_ctx *ctx;
    if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
        return 0;
    if (data[0] & 1)
        assigner(ctx, (const char *)data + 1, size - 1);
    else
        profiles(ctx, (const char *)data + 1, size - 1);
    svcq_ctx_free(ctx);
    return 0;
}
