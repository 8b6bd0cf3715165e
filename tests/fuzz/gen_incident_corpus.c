/* Writes the seed corpus of fuzz_incident (tests/fuzz/corpus/incident) from
 * the unit fixtures: the record of incident INC-1 and its audit entries,
 * NUL-separated, after several steps of the fixture's lifecycle. Not built
 * by meson; run by hand after a format change:
 *
 *   cc -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc -Ibuild/src \
 *      tests/fuzz/gen_incident_corpus.c build/src/libsvcq_internal.a -lm -o /tmp/gen && \
 *   /tmp/gen tests/fuzz/corpus/incident
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/incident_fixture.h"
#include "store/store.h"

static void dump(svcq_ctx *ctx, svcq_incident *inc, const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    struct {
        FILE *f;
    } s = { fopen(path, "wb") };
    if (!s.f)
        exit(1);
    char *bytes = NULL;
    size_t size = 0;
    uint64_t rev = 0;
    if (svcq__store_get(ctx, "incident", svcq_incident_id(inc), &bytes, &size, &rev))
        exit(2);
    fwrite(bytes, 1, size, s.f);
    free(bytes);
    for (uint64_t k = 1; k <= svcq_incident_audit_count(inc); k++) {
        char id[64];
        snprintf(id, sizeof(id), "%s/%010llu", svcq_incident_id(inc), (unsigned long long)k);
        if (svcq__store_get(ctx, "incident_audit", id, &bytes, &size, &rev))
            exit(3);
        fputc(0, s.f);
        fwrite(bytes, 1, size, s.f);
        free(bytes);
    }
    fclose(s.f);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 1;
    svcq_ctx_options o;
    if (svcq_ctx_options_init(&o, SVCQ_CTX_OPTIONS_VERSION))
        return 1;
    fx_options(&o);
    svcq_ctx *ctx = NULL;
    if (svcq_ctx_new(&ctx, &o))
        return 1;
    svcq_analysis *a = NULL;
    svcq_incident *inc = NULL;
    if (fx_analysis(&a, ctx, "a-INC-1"))
        return 1;
    static const struct {
        int after;
        const char *name;
    } at[] = { { 1, "reported" }, { 5, "confirmed" }, { 8, "planning" }, { 13, "executing" },
               { 18, "verifying" }, { 25, "closed" } };
    int s = 0;
    for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
        for (; s < at[i].after; s++)
            if (fx_step(&inc, ctx, "INC-1", a, s))
                return 2;
        dump(ctx, inc, argv[1], at[i].name);
    }
    svcq_incident_free(inc);
    svcq_analysis_free(a);
    svcq_ctx_free(ctx);
    return 0;
}
