/* A store that wraps another and fails call N (every callback counts, from
 * the arming on), once or from N on. Reusable by every module's fault
 * tests: arm it from a fault_scenario's arm hook and report
 * faulty_store_injected from its injected hook.
 *
 * An injected failure returns `error` without calling the inner store,
 * except for rollback and commit, which keep the inner store consistent
 * with what the library is told: a failed commit rolls the inner
 * transaction back (nothing committed), a failed rollback still rolls it
 * back. */
#ifndef TEST_FAULTY_STORE_H
#define TEST_FAULTY_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "svcq.h"

typedef struct faulty_store {
    svcq_store_methods inner;
    size_t calls;       /* callbacks seen since arming */
    size_t fail_at;     /* 1-based call to fail; 0 = never */
    bool keep_failing;
    size_t injected;    /* failures injected since arming */
    int error;          /* what a failing call returns; default SVCQ_EIO */
    bool free_on_destroy; /* destroy also free()s this struct */
} faulty_store;

/* Wraps inner (copied); f->error = SVCQ_EIO, disarmed. */
void faulty_store_init(faulty_store *f, const svcq_store_methods *inner);
/* The wrapper's table: destroy destroys the inner store (and frees f when
 * free_on_destroy is set). */
void faulty_store_methods(faulty_store *f, svcq_store_methods *out);
/* Starts counting anew and fails call fail_at (0 disarms). */
void faulty_store_arm(faulty_store *f, size_t fail_at, bool keep_failing);

#endif
