/* Drives a scenario through every failure point.
 *
 * For N = 1, 2, ... the scenario is set up afresh, failure N is armed (in
 * "fail once" and then in "keep failing" mode) and the operation runs. Each
 * run that saw an injected failure must return the expected error, leave
 * the state it describes exactly as before the run, and after teardown leave
 * no allocation alive. The loop ends at the first N the operation gets
 * through without reaching, which must return SVCQ_OK.
 *
 * The failure source is the counting allocator by default; a scenario that
 * injects elsewhere (a failing store wrapper) supplies arm and injected. */
#ifndef TEST_FAULT_H
#define TEST_FAULT_H

#include <stdbool.h>
#include <stddef.h>

#include "test_alloc.h"

typedef struct fault_scenario {
    const char *name;
    /* Builds the objects the operation works on, allocating through alloc
     * (not armed during setup). Returns the scenario's state. */
    void *(*setup)(test_alloc *alloc);
    /* The operation under test. */
    int (*run)(void *state);
    /* Optional: a malloc'd text of the observable state, compared before
     * and after every failed run. */
    char *(*describe)(void *state);
    /* Optional: further checks after each run (rc is what run returned),
     * e.g. that a fresh load sees the last committed state. */
    void (*verify)(void *state, int rc, bool injected);
    /* Frees everything setup made (the allocator is checked afterwards). */
    void (*teardown)(void *state);
    /* Optional injector other than the allocator. */
    void (*arm)(void *state, size_t fail_at, bool keep_failing);
    size_t (*injected)(void *state);
    /* What a failed run must return; 0 means SVCQ_ENOMEM. */
    int expected_error;
} fault_scenario;

/* Runs the whole loop in both modes with cmocka assertions. Returns the
 * number of failure points exercised in fail-once mode. */
size_t fault_run(const fault_scenario *s);

#endif
