#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fault.h"
#include "svcq/common.h"

/* A scenario that never stops failing is a bug in the scenario. */
#define FAULT_MAX_POINTS 1000000

static void arm(const fault_scenario *s, void *state, test_alloc *alloc, size_t n, bool keep)
{
    if (s->arm)
        s->arm(state, n, keep);
    else
        test_alloc_arm(alloc, n, keep);
}

static size_t injected(const fault_scenario *s, void *state, test_alloc *alloc)
{
    return s->injected ? s->injected(state) : alloc->injected;
}

/* Valgrind runs the fault suite with SVCQ_FAULT_STRIDE set
 * (tests/meson.build): after the first 16 points every Nth is tried, so
 * memory errors on the failure paths are still looked for at every kind of
 * point while the full sweep runs natively and under the sanitizers. */
static size_t stride(void)
{
    const char *v = getenv("SVCQ_FAULT_STRIDE");
    long n = v ? strtol(v, NULL, 10) : 1;
    return n > 1 ? (size_t)n : 1;
}

static size_t run_mode(const fault_scenario *s, bool keep)
{
    int expected = s->expected_error ? s->expected_error : SVCQ_ENOMEM;
    size_t step = stride();
    for (size_t n = 1; n < FAULT_MAX_POINTS; n += n < 16 ? 1 : step) {
        test_alloc alloc;
        test_alloc_init(&alloc);
        void *state = s->setup(&alloc);
        char *before = s->describe ? s->describe(state) : NULL;

        arm(s, state, &alloc, n, keep);
        int rc = s->run(state);
        size_t hits = injected(s, state, &alloc);
        arm(s, state, &alloc, 0, false);

        if (hits == 0 && rc != SVCQ_OK)
            fail_msg("%s: failed with %d (%s) and no injected failure at point %zu",
                     s->name, rc, svcq_strerror(rc), n);
        if (hits && rc != expected)
            fail_msg("%s: failure point %zu (%s) returned %d (%s), expected %d", s->name, n,
                     keep ? "keep failing" : "fail once", rc, svcq_strerror(rc), expected);
        if (hits && before) {
            char *after = s->describe(state);
            if (strcmp(before, after) != 0)
                fail_msg("%s: state changed by failed run at point %zu (%s)\nbefore: %s\nafter:  %s",
                         s->name, n, keep ? "keep failing" : "fail once", before, after);
            free(after);
        }
        if (s->verify)
            s->verify(state, rc, hits != 0);
        free(before);
        s->teardown(state);
        if (alloc.live_blocks != 0)
            fail_msg("%s: %zu blocks (%zu bytes) leaked at failure point %zu (%s)", s->name,
                     alloc.live_blocks, alloc.live_bytes, n, keep ? "keep failing" : "fail once");
        if (hits == 0)
            return n - 1;
    }
    fail_msg("%s: still failing after %d points", s->name, FAULT_MAX_POINTS);
    return 0;
}

size_t fault_run(const fault_scenario *s)
{
    size_t points = run_mode(s, false);
    run_mode(s, true);
    /* A scenario without a single failure point proves nothing. */
    if (points == 0)
        fail_msg("%s: the operation reached no failure point", s->name);
    return points;
}
