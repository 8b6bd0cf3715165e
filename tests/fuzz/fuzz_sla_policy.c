/* libFuzzer target for SLA policy JSON documents
 * (svcq_sla_policy_import_json): whatever the input, no crash, leak or UB;
 * an accepted document exports, the export imports again and exports to
 * the same bytes, and a clock can run under the policy. Zones given by name
 * are looked up in a directory that does not exist (the TZif reader has its
 * own target), so documents use "posix" or "utc_offset" zones to get
 * further. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "svcq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOZONES "/nonexistent/zoneinfo"

static int export_to(const svcq_sla_policy *p, svcq_buffer **out, svcq_ctx *ctx)
{
    if (svcq_buffer_new(out, ctx) != SVCQ_OK)
        return -1;
    svcq_writer w;
    if (svcq_writer_to_buffer(&w, *out) != SVCQ_OK)
        return -1;
    return svcq_sla_policy_export_json(p, &w, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    svcq_ctx *ctx;
    if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
        return 0;
    svcq_sla_policy *p;
    if (svcq_sla_policy_import_json(&p, ctx, (const char *)data, size, NOZONES) == SVCQ_OK) {
        svcq_buffer *a = NULL, *b = NULL;
        svcq_sla_policy *again = NULL;
        if (export_to(p, &a, ctx) != SVCQ_OK)
            __builtin_trap();
        if (svcq_sla_policy_import_json(&again, ctx, svcq_buffer_data(a), svcq_buffer_size(a), NOZONES) !=
            SVCQ_OK)
            __builtin_trap();
        if (export_to(again, &b, ctx) != SVCQ_OK || svcq_buffer_size(a) != svcq_buffer_size(b) ||
            memcmp(svcq_buffer_data(a), svcq_buffer_data(b), svcq_buffer_size(a)) != 0)
            __builtin_trap();
        /* Stored and loaded (memory store), and a clock runs under it. */
        svcq_sla_policy *loaded = NULL;
        if (svcq_sla_policy_save(p) != SVCQ_OK ||
            svcq_sla_policy_load(&loaded, ctx, svcq_sla_policy_name(p), svcq_sla_policy_version(p), NOZONES) !=
                SVCQ_OK)
            __builtin_trap();
        svcq_sla_clock *c = NULL;
        svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
        if (svcq_sla_policy_target_count(loaded) > 0 && svcq_sla_policy_target(&s, loaded, 0) == SVCQ_OK &&
            svcq_sla_clock_new(&c, loaded, "fuzz") == SVCQ_OK) {
            svcq_time next;
            int rc = svcq_sla_clock_event(c, s.start_event, 1767603600, NULL);
            if (rc == SVCQ_OK)
                rc = svcq_sla_clock_next_at(&next, c, 1767603600);
            (void)rc;
            svcq_sla_clock_free(c);
        }
        svcq_sla_policy_free(loaded);
        svcq_sla_policy_free(again);
        svcq_buffer_free(a);
        svcq_buffer_free(b);
        svcq_sla_policy_free(p);
    }
    svcq_ctx_free(ctx);
    return 0;
}
