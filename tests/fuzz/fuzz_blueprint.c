/* libFuzzer target for blueprint JSON documents (svcq_blueprint_import_json):
 * whatever the input, no crash, leak or UB; an accepted document exports,
 * the export imports again and exports to the same bytes; Markdown,
 * Mermaid and the SVG draw, with and without an overlay built from the
 * document's own steps; the blueprint is saved and loaded (current and
 * version), and edits inside a batch that is rolled back leave it as it
 * was. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "svcq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int discard(const char *d, size_t n, void *u)
{
    (void)d, (void)n, (void)u;
    return 0;
}

static int export_to(const svcq_blueprint *bp, svcq_buffer **out, svcq_ctx *ctx)
{
    if (svcq_buffer_new(out, ctx) != SVCQ_OK)
        return -1;
    svcq_writer w;
    if (svcq_writer_to_buffer(&w, *out) != SVCQ_OK)
        return -1;
    return svcq_blueprint_export_json(bp, &w, 0);
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
    svcq_blueprint *bp;
    if (svcq_blueprint_import_json(&bp, ctx, (const char *)data, size) == SVCQ_OK) {
        svcq_buffer *x = NULL, *y = NULL, *z = NULL;
        svcq_blueprint *again = NULL, *loaded = NULL, *old = NULL;
        if (export_to(bp, &x, ctx) != SVCQ_OK)
            __builtin_trap();
        if (svcq_blueprint_import_json(&again, ctx, svcq_buffer_data(x), svcq_buffer_size(x)) != SVCQ_OK)
            __builtin_trap();
        if (export_to(again, &y, ctx) != SVCQ_OK || !same(x, y))
            __builtin_trap();
        /* An overlay with one incident per step (and one elsewhere). */
        svcq_blueprint_overlay *ov;
        if (svcq_blueprint_overlay_new(&ov, ctx, 0, 100) != SVCQ_OK)
            __builtin_trap();
        size_t n = svcq_blueprint_step_count(bp);
        for (size_t i = 0; i <= n && i < 40; i++) {
            svcq_blueprint_step_spec s = SVCQ_BLUEPRINT_STEP_SPEC_INIT;
            char id[24];
            snprintf(id, sizeof(id), "I%zu", i);
            svcq_blueprint_observation o = SVCQ_BLUEPRINT_OBSERVATION_INIT;
            const char *br[1] = { "first_response" };
            o.incident = id;
            o.stage = svcq_blueprint_stage_key((uint32_t)(i % 5)); /* NULL for every fifth */
            o.step = i < n && svcq_blueprint_step(&s, bp, i) == SVCQ_OK ? s.key : "elsewhere";
            o.state = (int32_t)(1 + i % 2);
            o.recurrence = (uint32_t)(i % 3 == 0);
            o.breached = br;
            o.breached_count = (uint32_t)(i % 2);
            o.at = (svcq_time)i;
            if (svcq_blueprint_overlay_add(ov, &o) != SVCQ_OK)
                __builtin_trap();
        }
        if (svcq_blueprint_overlay_unplaced_in_stage(ov, bp, NULL) +
                svcq_blueprint_overlay_unplaced_in_stage(ov, bp, "reception") >
            svcq_blueprint_overlay_unplaced(ov, bp))
            __builtin_trap();
        svcq_writer w = SVCQ_WRITER_INIT;
        w.write = discard;
        if (svcq_blueprint_export_markdown(bp, &w, NULL) != SVCQ_OK ||
            svcq_blueprint_export_markdown(bp, &w, ov) != SVCQ_OK || svcq_blueprint_export_mermaid(bp, &w) != SVCQ_OK ||
            svcq_blueprint_export_svg(bp, &w, NULL) != SVCQ_OK || svcq_blueprint_export_svg(bp, &w, ov) != SVCQ_OK)
            __builtin_trap();
        svcq_blueprint_overlay_free(ov);
        /* The last version number cannot be saved again (SVCQ_ERANGE). */
        int saved = svcq_blueprint_save(bp);
        if (saved == SVCQ_ERANGE && svcq_blueprint_version(bp) == UINT32_MAX - 1) {
            svcq_blueprint_free(again);
            svcq_buffer_free(x);
            svcq_buffer_free(y);
            svcq_blueprint_free(bp);
            svcq_ctx_free(ctx);
            return 0;
        }
        if (saved != SVCQ_OK || svcq_blueprint_load(&loaded, ctx, svcq_blueprint_service(bp)) != SVCQ_OK ||
            svcq_blueprint_load_version(&old, ctx, svcq_blueprint_service(bp), svcq_blueprint_version(bp)) !=
                SVCQ_OK)
            __builtin_trap();
        svcq_buffer *l = NULL, *v = NULL;
        if (export_to(loaded, &l, ctx) != SVCQ_OK || export_to(old, &v, ctx) != SVCQ_OK || !same(l, v))
            __builtin_trap();
        /* Edits in a rolled-back batch leave the blueprint as it was. */
        if (svcq_ctx_batch_begin(ctx) != SVCQ_OK)
            __builtin_trap();
        (void)svcq_blueprint_set_title(loaded, "fuzz");
        n = svcq_blueprint_step_count(loaded);
        for (size_t i = 0; i < n && i < 8; i++) {
            svcq_blueprint_step_spec s = SVCQ_BLUEPRINT_STEP_SPEC_INIT;
            if (svcq_blueprint_step(&s, loaded, n - 1 - i) != SVCQ_OK)
                break;
            char key[80];
            snprintf(key, sizeof(key), "%s", s.key);
            (void)svcq_blueprint_move_step(loaded, key, 0);
            (void)svcq_blueprint_remove_step(loaded, key);
        }
        svcq_blueprint_risk_spec r = SVCQ_BLUEPRINT_RISK_SPEC_INIT;
        if (svcq_blueprint_risk(&r, loaded, 0) == SVCQ_OK) {
            char key[80];
            snprintf(key, sizeof(key), "%s", r.key);
            (void)svcq_blueprint_remove_risk(loaded, key);
        }
        (void)svcq_blueprint_save(loaded);
        if (svcq_ctx_batch_rollback(ctx) != SVCQ_OK)
            __builtin_trap();
        if (export_to(loaded, &z, ctx) != SVCQ_OK || !same(l, z))
            __builtin_trap();
        svcq_buffer_free(l);
        svcq_buffer_free(v);
        svcq_blueprint_free(old);
        svcq_blueprint_free(loaded);
        svcq_blueprint_free(again);
        svcq_buffer_free(x);
        svcq_buffer_free(y);
        svcq_buffer_free(z);
        svcq_blueprint_free(bp);
    }
    svcq_ctx_free(ctx);
    return 0;
}
